/* Case registry, the result record and the case context helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/case.h"
#include "wire/kr_util.h"

static const char *const outcome_names[KR_OUTCOME_COUNT] = {
	"PASS", "FAIL", "WARN", "SKIP", "ERROR", "XFAIL", "XPASS", "NOT-JUDGED",
};

const char *kr_outcome_name(enum kr_outcome o)
{
	return (unsigned)o < KR_OUTCOME_COUNT ? outcome_names[o] : "?";
}

const char *kr_tl_kind_name(enum kr_tl_kind k)
{
	static const char *const names[KR_TL_KIND_COUNT] = { "note", "expect", "verdict", "metric" };
	return (unsigned)k < KR_TL_KIND_COUNT ? names[k] : "note";
}

const char *kr_level_name(enum kr_level l)
{
	return l == KR_SHOULD ? "SHOULD" : "MUST";
}

int kr_case_family(const struct kr_case *c)
{
	return c && c->family == 6 ? 6 : 4;
}

const char *kr_family_name(int family)
{
	return family == 6 ? "IPv6" : "IPv4";
}

/* The profile's own [capabilities] keys (sut/README.md), so a SKIP names
 * the line an operator would change. */
const char *kr_need_name(unsigned bit)
{
	switch (bit) {
	case KR_NEED_BGPSEC: return "bgpsec";
	case KR_NEED_SIGN: return "sign";
	case KR_NEED_REKEY: return "can_rekey";
	case KR_NEED_STAGGER: return "can_stagger";
	case KR_NEED_ORIGIN_KEY: return "origin_transit_split";
	case KR_NEED_PLAIN_PEER: return "plain_peers";
	case KR_NEED_IPV6: return "ipv6";
	case KR_NEED_ORIGINATE: return "originate";
	case KR_NEED_RESTART: return "restart";
	}
	return NULL;
}

/* ---- registry ---------------------------------------------------------- */

#define MAX_SUITES 64
static const struct kr_suite *suites[MAX_SUITES];
static size_t nsuites;
static struct kr_case_ref *flat;
static size_t nflat;

/* A suite with per-family cases is registered as a copy whose table also
 * holds the IPv6 run of each ("<id>/v6"). The copies live as long as the
 * process, like the static tables they come from. */
static const struct kr_suite *with_v6(const struct kr_suite *s)
{
	size_t nv6 = 0;
	for (size_t i = 0; i < s->ncases; i++)
		nv6 += s->cases[i].per_family;
	if (nv6 == 0)
		return s;
	struct kr_suite *cp = malloc(sizeof(*cp));
	struct kr_case *cs = calloc(s->ncases + nv6, sizeof(*cs));
	if (!cp || !cs) {
		free(cp);
		free(cs);
		return s;
	}
	size_t n = 0;
	for (size_t i = 0; i < s->ncases; i++) {
		cs[n++] = s->cases[i];
		if (!s->cases[i].per_family)
			continue;
		struct kr_case *v6 = &cs[n];
		*v6 = s->cases[i];
		char *id = NULL, *title = NULL;
		if (asprintf(&id, "%s/v6", v6->id) < 0 ||
		    asprintf(&title, "%s (IPv6)", v6->title ? v6->title : "") < 0) {
			free(id);
			continue;
		}
		v6->id = id;
		v6->title = title;
		v6->needs |= KR_NEED_IPV6;
		v6->family = 6;
		n++;
	}
	*cp = *s;
	cp->cases = cs;
	cp->ncases = n;
	return cp;
}

void kr_suite_register(const struct kr_suite *s)
{
	if (nsuites < MAX_SUITES)
		suites[nsuites++] = with_v6(s);
	else
		fprintf(stderr, "keyroll: too many suites, '%s' ignored\n", s->name);
	free(flat);
	flat = NULL;
	nflat = 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct kr_case_ref *x = a, *y = b;
	return strcmp(x->c->id, y->c->id);
}

size_t kr_cases(const struct kr_case_ref **out)
{
	if (!flat) {
		size_t n = 0;
		for (size_t i = 0; i < nsuites; i++)
			n += suites[i]->ncases;
		flat = calloc(n ? n : 1, sizeof(*flat));
		if (!flat) {
			*out = NULL;
			return 0;
		}
		for (size_t i = 0; i < nsuites; i++)
			for (size_t j = 0; j < suites[i]->ncases; j++)
				flat[nflat++] = (struct kr_case_ref){ suites[i], &suites[i]->cases[j] };
		qsort(flat, nflat, sizeof(*flat), ref_cmp);
	}
	*out = flat;
	return nflat;
}

bool kr_case_match(const struct kr_case *c, char *const *filters, size_t nfilters)
{
	if (nfilters == 0)
		return !c->opt_in; /* full tables run only when named */
	for (size_t i = 0; i < nfilters; i++) {
		size_t n = strlen(filters[i]);
		/* "ID$": that case only (not its "/v6" run) */
		if (n && filters[i][n - 1] == '$') {
			if (strlen(c->id) == n - 1 && !strncmp(c->id, filters[i], n - 1))
				return true;
		} else if (!strncmp(c->id, filters[i], n)) {
			return true;
		}
	}
	return false;
}

unsigned kr_case_shard(const char *id, unsigned n)
{
	/* FNV-1a 64: fixed, so shard membership is the same on every machine
	 * and in every version. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return n ? (unsigned)(h % n) + 1 : 1;
}

int kr_cases_check(char *msg, size_t msgsz)
{
	const struct kr_case_ref *refs;
	size_t n = kr_cases(&refs);
	for (size_t i = 0; i < n; i++) {
		const struct kr_case *c = refs[i].c;
		if (!c->id || !*c->id || strpbrk(c->id, " \t\n")) {
			snprintf(msg, msgsz, "suite %s: case '%s' has an empty id or one with spaces",
				 refs[i].suite->name, c->id ? c->id : "(null)");
			return -1;
		}
		if (!c->run || !c->title || !c->spec) {
			snprintf(msg, msgsz, "case %s: missing run function, title or spec", c->id);
			return -1;
		}
		if (i > 0 && !strcmp(refs[i - 1].c->id, c->id)) {
			snprintf(msg, msgsz, "case id %s defined twice (suites %s and %s)", c->id,
				 refs[i - 1].suite->name, refs[i].suite->name);
			return -1;
		}
	}
	return 0;
}

/* ---- result record ----------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void kr_result_init(struct kr_result *r, const struct kr_suite *s, const struct kr_case *c)
{
	memset(r, 0, sizeof(*r));
	r->suite = s;
	r->c = c;
	r->outcome = KR_PASS;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->start_ns = kr_now_ns();
	r->start_wall_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void kr_sut_crash_free(struct kr_sut_crash *c)
{
	if (!c)
		return;
	free(c->kind);
	free(c->status);
	free(c->signal_name);
	free(c->after);
	free(c->waiting_for);
	for (size_t i = 0; i < c->ndrops; i++) {
		free(c->drops[i].peer);
		free(c->drops[i].text);
	}
	free(c->drops);
	for (size_t i = 0; i < c->nlogs; i++) {
		free(c->logs[i].file);
		for (size_t j = 0; j < c->logs[i].nlines; j++)
			free(c->logs[i].lines[j]);
		free(c->logs[i].lines);
	}
	free(c->summary);
	free(c);
}

void kr_result_free(struct kr_result *r)
{
	kr_sut_crash_free(r->sut_crash);
	free(r->expected);
	free(r->actual);
	free(r->reason);
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].unit);
	}
	free(r->metrics);
	for (size_t i = 0; i < r->nartifacts; i++)
		free(r->artifacts[i]);
	free(r->artifacts);
	for (size_t i = 0; i < r->ntl; i++)
		free(r->tl[i].text);
	free(r->tl);
	memset(r, 0, sizeof(*r));
}

void kr_result_metric(struct kr_result *r, const char *name, double value, const char *unit)
{
	/* Same name again: the newer value replaces the older one. */
	for (size_t i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->metrics[i].name, name)) {
			r->metrics[i].value = value;
			return;
		}
	struct kr_metric *m = realloc(r->metrics, (r->nmetrics + 1) * sizeof(*m));
	if (!m)
		return;
	r->metrics = m;
	m[r->nmetrics++] = (struct kr_metric){ strdup(name), value, strdup(unit ? unit : "") };
}

void kr_result_artifact(struct kr_result *r, const char *path)
{
	for (size_t i = 0; i < r->nartifacts; i++)
		if (!strcmp(r->artifacts[i], path))
			return;
	char **a = realloc(r->artifacts, (r->nartifacts + 1) * sizeof(*a));
	if (!a)
		return;
	r->artifacts = a;
	a[r->nartifacts++] = strdup(path);
}

static void tl_vadd(struct kr_result *r, int64_t now_ns, enum kr_tl_kind kind, const char *fmt,
		    va_list ap)
{
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	struct kr_tl_entry *t = realloc(r->tl, (r->ntl + 1) * sizeof(*t));
	if (!t) {
		free(text);
		return;
	}
	r->tl = t;
	t[r->ntl++] = (struct kr_tl_entry){ now_ns - r->start_ns, text, kind };
}

static void tl_add(struct kr_result *r, enum kr_tl_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tl_add(struct kr_result *r, enum kr_tl_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tl_vadd(r, kr_now_ns(), kind, fmt, ap);
	va_end(ap);
}

void kr_result_vlog(struct kr_result *r, int64_t now_ns, const char *fmt, va_list ap)
{
	tl_vadd(r, now_ns, KR_TL_NOTE, fmt, ap);
}

void kr_result_log(struct kr_result *r, int64_t now_ns, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kr_result_vlog(r, now_ns, fmt, ap);
	va_end(ap);
}

void kr_result_set(struct kr_result *r, enum kr_outcome o, const char *expected,
		   const char *actual, const char *reason)
{
	if (r->decided) {
		kr_result_log(r, kr_now_ns(), "later %s ignored: %s", kr_outcome_name(o),
			      actual ? actual : reason ? reason : "");
		return;
	}
	r->decided = true;
	r->outcome = o;
	r->expected = dup_or_null(expected);
	r->actual = dup_or_null(actual);
	r->reason = dup_or_null(reason);
}

void kr_result_crash(struct kr_result *r, struct kr_sut_crash *c)
{
	if (!c)
		return;
	if (r->sut_crash) {
		kr_sut_crash_free(c);
		return;
	}
	if (r->decided)
		kr_result_log(r, kr_now_ns(), "verdict replaced by the SUT's crash: %s%s%s%s%s",
			      kr_outcome_name(r->outcome), r->actual ? ": " : "", r->actual ? r->actual : "",
			      r->reason ? ": " : "", r->reason ? r->reason : "");
	kr_result_log(r, kr_now_ns(), "SUT crash: %s", c->summary ? c->summary : "?");
	free(r->expected);
	free(r->actual);
	free(r->reason);
	r->reason = NULL;
	r->expected = strdup("the SUT keeps running, answering and keeping its BGP sessions up "
			     "for the whole case");
	r->actual = dup_or_null(c->summary);
	r->outcome = KR_FAIL;
	r->decided = true;
	r->sut_crash = c;
}

void kr_result_finish(struct kr_result *r, bool strict, const char *xfail_reason)
{
	if (r->sut_crash) {
		/* a crash is FAIL whatever the level or the list says */
		r->outcome = KR_FAIL;
		xfail_reason = NULL;
	}
	/* a lint FAIL (r->must) is a MUST whatever the case's level */
	if (r->outcome == KR_FAIL && r->c && r->c->level == KR_SHOULD && !strict && !r->sut_crash && !r->must)
		r->outcome = KR_WARN;
	if (xfail_reason) {
		char *unmet = NULL;
		if (r->outcome == KR_NOT_JUDGED) {
			/* A listed case whose precondition the SUT's known
			 * defect breaks: an expected failure, but one that says
			 * its requirement was not judged (kr_result_unjudged) */
			r->outcome = KR_XFAIL;
			unmet = r->reason;
			r->reason = NULL;
		} else if (r->outcome == KR_FAIL || r->outcome == KR_WARN) {
			r->outcome = KR_XFAIL;
		} else if (r->outcome == KR_PASS && strncmp(xfail_reason, KR_INTERMITTENT_PREFIX,
							     strlen(KR_INTERMITTENT_PREFIX))) {
			r->outcome = KR_XPASS;
		}
		if (r->outcome == KR_XFAIL || r->outcome == KR_XPASS) {
			free(r->reason);
			if (!unmet || asprintf(&r->reason, "%s; listed: %s", unmet, xfail_reason) < 0)
				r->reason = strdup(xfail_reason);
		}
		free(unmet);
	}
	if (r->duration_s == 0)
		r->duration_s = kr_ns_to_s(kr_now_ns() - r->start_ns);
}

bool kr_result_unjudged(const struct kr_result *r)
{
	return r->outcome == KR_NOT_JUDGED ||
	       (r->outcome == KR_XFAIL && r->reason && !strncmp(r->reason, KR_UNJUDGED_PREFIX, strlen(KR_UNJUDGED_PREFIX)));
}

bool kr_outcome_fails(enum kr_outcome o)
{
	/* NOT-JUDGED: a run that could not judge a requirement is not a pass */
	return o == KR_FAIL || o == KR_XPASS || o == KR_NOT_JUDGED;
}

/* ---- context helpers --------------------------------------------------- */

void kr_log(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kr_result_vlog(ctx->r, kr_now_ns(), fmt, ap);
	va_end(ap);
}

void kr_expect(struct kr_ctx *ctx, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	/* The IPv6 run of a case says so in every expectation, so an
	 * IPv6-only failure reads as one wherever it is shown. */
	char *fam = NULL;
	if (s && kr_case_family(ctx->c) == 6 && asprintf(&fam, "IPv6: %s", s) >= 0) {
		free(s);
		s = fam;
	}
	free(ctx->expect_buf);
	ctx->expect_buf = s;
	ctx->expect = s;
	if (s)
		tl_add(ctx->r, KR_TL_EXPECT, "expect: %s", s);
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

void kr_judge(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(fmt, ap);
	va_end(ap);
	free(ctx->judge_buf);
	ctx->judge_buf = s;
	ctx->judge = s;
	ctx->judging = true;
	kr_log(ctx, "requirement: %s", s ? s : "?");
}

void kr_precondition(struct kr_ctx *ctx)
{
	ctx->judging = false;
	kr_log(ctx, "preconditions of the next check");
}

static int vfail(struct kr_ctx *ctx, bool pre, const char *fmt, va_list ap)
{
	char *actual = vfmt(fmt, ap);
	const char *exp = ctx->expect ? ctx->expect : "(not stated)";
	if (ctx->judging && !pre) {
		tl_add(ctx->r, KR_TL_VERDICT, "observed: %s", actual ? actual : "?");
		kr_result_set(ctx->r, KR_FAIL, exp, actual, NULL);
	} else {
		char *why = NULL;
		if (asprintf(&why, KR_UNJUDGED_PREFIX "precondition unmet: %s", exp) < 0)
			why = NULL;
		tl_add(ctx->r, KR_TL_VERDICT, "precondition unmet, observed: %s", actual ? actual : "?");
		kr_result_set(ctx->r, KR_NOT_JUDGED, exp, actual, why);
		free(why);
	}
	free(actual);
	return -1;
}

int kr_fail(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(ctx, false, fmt, ap);
	va_end(ap);
	return rc;
}

int kr_fail_pre(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(ctx, true, fmt, ap);
	va_end(ap);
	return rc;
}

int kr_skip(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *why = vfmt(fmt, ap);
	va_end(ap);
	tl_add(ctx->r, KR_TL_VERDICT, "skip: %s", why ? why : "?");
	kr_result_set(ctx->r, KR_SKIP, NULL, NULL, why);
	free(why);
	return -1;
}

int kr_error(struct kr_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *why = vfmt(fmt, ap);
	va_end(ap);
	tl_add(ctx->r, KR_TL_VERDICT, "harness error: %s", why ? why : "?");
	kr_result_set(ctx->r, KR_ERROR, NULL, NULL, why);
	free(why);
	return -1;
}

void kr_metric(struct kr_ctx *ctx, const char *name, double value, const char *unit)
{
	kr_result_metric(ctx->r, name, value, unit);
	tl_add(ctx->r, KR_TL_METRIC, "metric %s = %.6g %s", name, value, unit ? unit : "");
}

void kr_artifact(struct kr_ctx *ctx, const char *path)
{
	/* Stored relative to the run folder so a moved report still links. */
	const char *rel = path;
	size_t n = ctx->run_dir ? strlen(ctx->run_dir) : 0;
	if (n && !strncmp(path, ctx->run_dir, n) && path[n] == '/')
		rel = path + n + 1;
	kr_result_artifact(ctx->r, rel);
}

int64_t kr_scaled_ns(const struct kr_ctx *ctx, double seconds)
{
	double f = ctx->time_scale > 0 ? ctx->time_scale : 1.0;
	return (int64_t)(seconds * f * 1e9);
}

double kr_elapsed_s(const struct kr_ctx *ctx)
{
	return kr_ns_to_s(kr_now_ns() - ctx->r->start_ns);
}

void kr_defer(struct kr_ctx *ctx, void (*fn)(void *arg), void *arg)
{
	struct kr_ctx_defer *d = realloc(ctx->defers, (ctx->ndefers + 1) * sizeof(*d));
	if (!d) {
		fn(arg); /* cannot remember it: clean up at once rather than leak */
		return;
	}
	ctx->defers = d;
	d[ctx->ndefers++] = (struct kr_ctx_defer){ fn, arg };
}

void kr_ctx_cleanup(struct kr_ctx *ctx)
{
	while (ctx->ndefers > 0) {
		struct kr_ctx_defer d = ctx->defers[--ctx->ndefers];
		d.fn(d.arg);
	}
	free(ctx->defers);
	ctx->defers = NULL;
	free(ctx->expect_buf);
	ctx->expect_buf = NULL;
	ctx->expect = NULL;
	free(ctx->judge_buf);
	ctx->judge_buf = NULL;
	ctx->judge = NULL;
}
