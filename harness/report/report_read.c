/* results.json back into the result model (runs.h). The file may come from
 * another machine, another version or a hand edit: every field is checked
 * for its type, and an error names the file and the field's place
 * ("cases[3].outcome"), or the line and column of a JSON syntax error. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/runs.h"

/* Everything the document owns besides the results themselves. */
struct kr_run_doc_pool {
	void **p;
	size_t n, cap;
	struct kr_result *res;
	size_t nres;
};

static void *keep(struct kr_run_doc_pool *pl, void *p)
{
	if (!p)
		return NULL;
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? 2 * pl->cap : 64;
		void **q = realloc(pl->p, cap * sizeof(*q));
		if (!q) {
			free(p);
			return NULL;
		}
		pl->p = q;
		pl->cap = cap;
	}
	pl->p[pl->n++] = p;
	return p;
}

struct rd {
	const char *file;
	char *msg;
	size_t msgsz;
	bool failed;
	struct kr_run_doc_pool *pl;
};

static void bad(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct rd *r, const char *fmt, ...)
{
	if (r->failed)
		return; /* the first problem is the one to report */
	r->failed = true;
	int n = snprintf(r->msg, r->msgsz, "%s: ", r->file);
	if (n < 0 || (size_t)n >= r->msgsz)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg + n, r->msgsz - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A string field: required (absent or null is an error), or optional
 * (absent or null gives NULL). The copy belongs to the pool. */
static const char *str_field(struct rd *r, json_t *o, const char *where, const char *key, bool required)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required)
			bad(r, "%s%s\"%s\" is missing", where, *where ? ": " : "", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		bad(r, "%s%s\"%s\" is not a string", where, *where ? ": " : "", key);
		return NULL;
	}
	char *s = keep(r->pl, strdup(json_string_value(v)));
	if (!s)
		bad(r, "out of memory");
	return s;
}

static double num_field(struct rd *r, json_t *o, const char *where, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_number(v)) {
		bad(r, "%s%s\"%s\" is not a number", where, *where ? ": " : "", key);
		return dflt;
	}
	return json_number_value(v);
}

static json_t *arr_field(struct rd *r, json_t *o, const char *where, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_array(v)) {
		bad(r, "%s%s\"%s\" is not an array", where, *where ? ": " : "", key);
		return NULL;
	}
	return v;
}

/* An array of strings into a pool-owned const char *[]. */
static const char *const *str_array(struct rd *r, json_t *o, const char *where, const char *key,
				    size_t *n)
{
	*n = 0;
	json_t *a = arr_field(r, o, where, key);
	if (!a)
		return NULL;
	const char **v = keep(r->pl, calloc(json_array_size(a) + 1, sizeof(*v)));
	if (!v) {
		bad(r, "out of memory");
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		if (!json_is_string(e)) {
			bad(r, "%s%s%s[%zu] is not a string", where, *where ? ": " : "", key, i);
			return NULL;
		}
		v[i] = keep(r->pl, strdup(json_string_value(e)));
	}
	*n = json_array_size(a);
	return v;
}

static int outcome_of(const char *name)
{
	for (int o = 0; o < KR_OUTCOME_COUNT; o++)
		if (!strcmp(kr_outcome_name(o), name))
			return o;
	return -1;
}

static const struct kr_suite *suite_of(struct rd *r, const char *name, const struct kr_suite ***suites,
				       size_t *nsuites)
{
	for (size_t i = 0; i < *nsuites; i++)
		if (!strcmp((*suites)[i]->name, name))
			return (*suites)[i];
	const struct kr_suite **v = realloc(*suites, (*nsuites + 1) * sizeof(*v));
	if (v)
		*suites = v;
	struct kr_suite *s = v ? keep(r->pl, calloc(1, sizeof(*s))) : NULL;
	if (!s) {
		bad(r, "out of memory");
		return NULL;
	}
	/* JUnit groups by suite: one record per name, titled by its name
	 * (results.json does not carry suite titles). */
	s->name = name;
	s->title = name;
	v[(*nsuites)++] = s;
	return s;
}

/* Element i of array `key` as an object, its place written to w. */
static json_t *elem(struct rd *r, json_t *a, size_t i, const char *where, const char *key, char *w,
		    size_t wsz)
{
	snprintf(w, wsz, "%s.%s[%zu]", where, key, i);
	json_t *o = json_array_get(a, i);
	if (!json_is_object(o))
		bad(r, "%s is not an object", w);
	return json_is_object(o) ? o : NULL;
}

static void read_metrics(struct rd *r, json_t *c, const char *where, struct kr_result *res)
{
	json_t *a = arr_field(r, c, where, "metrics");
	char w[400];
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		json_t *m = elem(r, a, i, where, "metrics", w, sizeof(w));
		if (!m)
			return;
		const char *name = str_field(r, m, w, "name", true);
		json_t *v = json_object_get(m, "value");
		if (!json_is_number(v))
			bad(r, "%s: \"value\" is missing or not a number", w);
		const char *unit = str_field(r, m, w, "unit", false);
		if (r->failed)
			return;
		kr_result_metric(res, name, json_number_value(v), unit);
	}
}

static void read_timeline(struct rd *r, json_t *c, const char *where, struct kr_result *res)
{
	json_t *a = arr_field(r, c, where, "timeline");
	size_t n = a ? json_array_size(a) : 0;
	if (!n)
		return;
	res->tl = calloc(n, sizeof(*res->tl));
	if (!res->tl) {
		bad(r, "out of memory");
		return;
	}
	char w[400];
	for (size_t i = 0; i < n; i++) {
		json_t *e = elem(r, a, i, where, "timeline", w, sizeof(w));
		if (!e)
			return;
		json_t *t = json_object_get(e, "t");
		json_t *ev = json_object_get(e, "event");
		if (!json_is_number(t) || !isfinite(json_number_value(t)) ||
		    fabs(json_number_value(t)) > 1e9) {
			bad(r, "%s: \"t\" is missing or not a number of seconds", w);
			return;
		}
		if (!json_is_string(ev) && !json_is_null(ev)) {
			bad(r, "%s: \"event\" is not a string", w);
			return;
		}
		enum kr_tl_kind kind = KR_TL_NOTE;
		const char *k = str_field(r, e, w, "kind", false);
		for (int j = 0; k && j < KR_TL_KIND_COUNT; j++)
			if (!strcmp(k, kr_tl_kind_name(j)))
				kind = j;
		char *text = strdup(json_is_string(ev) ? json_string_value(ev) : "");
		if (!text) {
			bad(r, "out of memory");
			return;
		}
		res->tl[res->ntl++] = (struct kr_tl_entry){ llround(json_number_value(t) * 1e9), text, kind };
	}
}

/* An optional string field copied for the record (freed with it). */
static char *own_str(struct rd *r, json_t *o, const char *where, const char *key)
{
	const char *s = str_field(r, o, where, key, false);
	return s ? strdup(s) : NULL;
}

static int int_or(struct rd *r, json_t *o, const char *where, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_integer(v) || json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000) {
		bad(r, "%s: \"%s\" is not an integer", where, key);
		return dflt;
	}
	return (int)json_integer_value(v);
}

/* "sut_crash": null or the record of how the SUT broke down (run/case.h). */
static void read_crash(struct rd *r, json_t *c, const char *where, struct kr_result *res)
{
	json_t *o = json_object_get(c, "sut_crash");
	if (!o || json_is_null(o))
		return;
	char w[400];
	snprintf(w, sizeof(w), "%s.sut_crash", where);
	if (!json_is_object(o)) {
		bad(r, "%s is not an object", w);
		return;
	}
	struct kr_sut_crash *k = calloc(1, sizeof(*k));
	if (!k) {
		bad(r, "out of memory");
		return;
	}
	res->sut_crash = k;
	k->summary = own_str(r, o, w, "summary");
	k->kind = own_str(r, o, w, "kind");
	k->status = own_str(r, o, w, "status");
	k->signal = int_or(r, o, w, "signal", 0);
	k->signal_name = own_str(r, o, w, "signal_name");
	k->exit_code = int_or(r, o, w, "exit_code", -1);
	k->t_s = num_field(r, o, w, "t", 0);
	k->after = own_str(r, o, w, "after_step");
	k->after_s = num_field(r, o, w, "after_step_t", 0);
	k->waiting_for = own_str(r, o, w, "waiting_for");
	json_t *a = arr_field(r, o, w, "sessions");
	size_t n = a ? json_array_size(a) : 0;
	k->drops = n ? calloc(n, sizeof(*k->drops)) : NULL;
	char w2[500];
	for (size_t i = 0; k->drops && i < n && !r->failed; i++) {
		json_t *e = elem(r, a, i, w, "sessions", w2, sizeof(w2));
		if (!e)
			return;
		k->drops[k->ndrops].peer = own_str(r, e, w2, "peer");
		k->drops[k->ndrops].text = own_str(r, e, w2, "down");
		k->drops[k->ndrops++].t_s = num_field(r, e, w2, "t", 0);
	}
	a = arr_field(r, o, w, "log_tail");
	n = a ? json_array_size(a) : 0;
	for (size_t i = 0; i < n && k->nlogs < sizeof(k->logs) / sizeof(k->logs[0]) && !r->failed; i++) {
		json_t *e = elem(r, a, i, w, "log_tail", w2, sizeof(w2));
		if (!e)
			return;
		struct kr_log_tail *l = &k->logs[k->nlogs++];
		l->file = own_str(r, e, w2, "file");
		size_t nl;
		const char *const *lines = str_array(r, e, w2, "lines", &nl);
		l->lines = nl ? calloc(nl, sizeof(*l->lines)) : NULL;
		for (size_t j = 0; l->lines && j < nl; j++)
			l->lines[l->nlines++] = strdup(lines[j] ? lines[j] : "");
	}
}

static void read_case(struct rd *r, json_t *c, size_t idx, struct kr_result *res,
		      const struct kr_suite ***suites, size_t *nsuites)
{
	char where[300];
	snprintf(where, sizeof(where), "cases[%zu]", idx);
	if (!json_is_object(c)) {
		bad(r, "%s is not an object", where);
		return;
	}
	const char *id = str_field(r, c, where, "id", true);
	if (r->failed)
		return;
	if (!*id || strpbrk(id, " \t\n")) {
		bad(r, "%s: the id \"%s\" is empty or has spaces", where, id);
		return;
	}
	snprintf(where, sizeof(where), "cases[%zu] (%s)", idx, id);
	struct kr_case *kc = keep(r->pl, calloc(1, sizeof(*kc)));
	if (!kc) {
		bad(r, "out of memory");
		return;
	}
	kc->id = id;
	kc->title = str_field(r, c, where, "title", true);
	kc->spec = str_field(r, c, where, "spec", true);
	kc->req = str_field(r, c, where, "requirement", false);
	const char *level = str_field(r, c, where, "level", true);
	const char *suite = str_field(r, c, where, "suite", true);
	const char *outcome = str_field(r, c, where, "outcome", true);
	if (r->failed)
		return;
	if (strcmp(level, "MUST") && strcmp(level, "SHOULD")) {
		bad(r, "%s: \"level\" is \"%s\", not MUST or SHOULD", where, level);
		return;
	}
	kc->level = strcmp(level, "SHOULD") ? KR_MUST : KR_SHOULD;
	const char *fam = str_field(r, c, where, "family", false);
	if (fam && strcmp(fam, kr_family_name(4)) && strcmp(fam, kr_family_name(6))) {
		bad(r, "%s: \"family\" is \"%s\", not %s or %s", where, fam, kr_family_name(4), kr_family_name(6));
		return;
	}
	kc->family = fam && !strcmp(fam, kr_family_name(6)) ? 6 : 0;
	int o = outcome_of(outcome);
	if (o < 0) {
		char known[256] = "";
		for (int k = 0; k < KR_OUTCOME_COUNT; k++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", k ? ", " : "",
				 kr_outcome_name(k));
		bad(r, "%s: \"outcome\" is \"%s\", not one of %s", where, outcome, known);
		return;
	}
	res->c = kc;
	res->suite = suite_of(r, suite, suites, nsuites);
	res->outcome = (enum kr_outcome)o;
	res->decided = o != KR_PASS;
	const char *s;
	if ((s = str_field(r, c, where, "expected", false)))
		res->expected = strdup(s);
	if ((s = str_field(r, c, where, "actual", false)))
		res->actual = strdup(s);
	if ((s = str_field(r, c, where, "reason", false)))
		res->reason = strdup(s);
	read_crash(r, c, where, res);
	res->duration_s = num_field(r, c, where, "duration_s", 0);
	json_t *w = json_object_get(c, "start_wall_ns");
	if (w && !json_is_null(w) && !json_is_integer(w))
		bad(r, "%s: \"start_wall_ns\" is not an integer", where);
	res->start_wall_ns = json_is_integer(w) ? (int64_t)json_integer_value(w) : 0;
	read_metrics(r, c, where, res);
	size_t na;
	const char *const *arts = str_array(r, c, where, "artifacts", &na);
	for (size_t i = 0; !r->failed && i < na; i++)
		kr_result_artifact(res, arts[i]);
	read_timeline(r, c, where, res);
}

static void read_run(struct rd *r, json_t *root, struct kr_run_report *rr)
{
	json_t *tool = json_object_get(root, "tool");
	if (!json_is_string(tool) || strcmp(json_string_value(tool), "keyroll")) {
		bad(r, "not a keyroll results.json (no \"tool\": \"keyroll\")");
		return;
	}
	rr->run_id = str_field(r, root, "", "run_id", false);
	rr->started = str_field(r, root, "", "started", false);
	rr->hostname = str_field(r, root, "", "hostname", false);
	rr->time_s = num_field(r, root, "", "time_s", 0);
	rr->time_scale = num_field(r, root, "", "time_scale", 0);
	json_t *st = json_object_get(root, "strict");
	if (st && !json_is_boolean(st))
		bad(r, "\"strict\" is not true or false");
	rr->strict = json_is_true(st);
	json_t *sut = json_object_get(root, "sut");
	if (!json_is_object(sut)) {
		bad(r, "\"sut\" is missing or not an object");
		return;
	}
	rr->sut_name = str_field(r, sut, "sut", "name", true);
	rr->sut_version = str_field(r, sut, "sut", "version", false);
	rr->sut_profile = str_field(r, sut, "sut", "profile", false);
	rr->sut_profile_sha256 = str_field(r, sut, "sut", "profile_sha256", false);
	rr->sut_opts = str_array(r, sut, "sut", "options", &rr->nsut_opts);
	json_t *sel = json_object_get(root, "selection");
	if (sel && !json_is_object(sel)) {
		bad(r, "\"selection\" is not an object");
	} else if (sel) {
		rr->filters = str_array(r, sel, "selection", "filters", &rr->nfilters);
		double n = num_field(r, sel, "selection", "cases", 0);
		rr->nselected = n > 0 && n < 1e9 ? (size_t)n : 0;
		rr->selection_sha256 = str_field(r, sel, "selection", "sha256", false);
	}
	json_t *sh = json_object_get(root, "shard");
	if (sh && !json_is_null(sh)) {
		double k = json_is_object(sh) ? num_field(r, sh, "shard", "index", 0) : 0;
		double n = json_is_object(sh) ? num_field(r, sh, "shard", "count", 0) : 0;
		if (!(n >= 1 && n <= 1000 && k >= 1 && k <= n && k == floor(k) && n == floor(n)))
			bad(r, "\"shard\" is not {\"index\": K, \"count\": N} with 1 <= K <= N <= 1000");
		rr->shard_k = (unsigned)k;
		rr->shard_n = (unsigned)n;
	}
}

static int load(struct kr_run_doc *d, char *msg, size_t msgsz)
{
	struct rd r = { d->path, msg, msgsz, false, d->pool };
	json_error_t je;
	json_t *root = json_load_file(d->path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line > 0)
			snprintf(msg, msgsz, "%s:%d:%d: %s", d->path, je.line, je.column, je.text);
		else
			snprintf(msg, msgsz, "%s: %s", d->path, je.text);
		return -1;
	}
	if (!json_is_object(root))
		bad(&r, "not a JSON object");
	else
		read_run(&r, root, &d->rr);
	json_t *cases = r.failed ? NULL : arr_field(&r, root, "", "cases");
	if (!r.failed && !cases)
		bad(&r, "\"cases\" is missing");
	size_t n = cases ? json_array_size(cases) : 0;
	struct kr_result *res = calloc(n ? n : 1, sizeof(*res));
	d->pool->res = res;
	if (!res)
		bad(&r, "out of memory");
	const struct kr_suite **suites = NULL;
	size_t nsuites = 0;
	for (size_t i = 0; !r.failed && i < n; i++) {
		d->pool->nres = i + 1;
		read_case(&r, json_array_get(cases, i), i, &res[i], &suites, &nsuites);
		for (size_t j = 0; !r.failed && j < i; j++)
			if (!strcmp(res[j].c->id, res[i].c->id))
				bad(&r, "cases[%zu]: case %s appears twice (also cases[%zu])", i, res[i].c->id, j);
	}
	free(suites);
	json_decref(root);
	d->rr.results = res;
	d->rr.nresults = n;
	return r.failed ? -1 : 0;
}

struct kr_run_doc *kr_run_doc_load(const char *path, char *msg, size_t msgsz)
{
	struct kr_run_doc *d = calloc(1, sizeof(*d));
	struct kr_run_doc_pool *pl = calloc(1, sizeof(*pl));
	if (!d || !pl) {
		free(d);
		free(pl);
		snprintf(msg, msgsz, "out of memory");
		return NULL;
	}
	d->pool = pl;
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(msg, msgsz, "%s: %s", path, strerror(errno));
		kr_run_doc_free(d);
		return NULL;
	}
	char *p;
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&p, "%s/results.json", path) < 0)
			p = NULL;
		d->dir = strdup(path);
	} else {
		p = strdup(path);
		const char *slash = strrchr(path, '/');
		d->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	}
	d->path = p;
	if (!p || !d->dir) {
		snprintf(msg, msgsz, "out of memory");
		kr_run_doc_free(d);
		return NULL;
	}
	if (S_ISDIR(st.st_mode) && access(p, F_OK) < 0) {
		snprintf(msg, msgsz, "%s: no results.json in this folder (is it a keyroll run folder?)", path);
		kr_run_doc_free(d);
		return NULL;
	}
	if (load(d, msg, msgsz) < 0) {
		kr_run_doc_free(d);
		return NULL;
	}
	return d;
}

void kr_run_doc_free(struct kr_run_doc *d)
{
	if (!d)
		return;
	if (d->pool) {
		for (size_t i = 0; i < d->pool->nres; i++)
			kr_result_free(&d->pool->res[i]);
		free(d->pool->res);
		for (size_t i = 0; i < d->pool->n; i++)
			free(d->pool->p[i]);
		free(d->pool->p);
		free(d->pool);
	}
	free(d->path);
	free(d->dir);
	free(d);
}

long kr_run_doc_find(const struct kr_run_doc *d, const char *id)
{
	for (size_t i = 0; i < d->rr.nresults; i++)
		if (!strcmp(d->rr.results[i].c->id, id))
			return (long)i;
	return -1;
}
