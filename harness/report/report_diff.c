/* `keyroll diff`: what changed between two runs (runs.h), and its three
 * printers (terminal, JSON, Markdown for a merge-request comment).
 *
 * A regression is a case that fails now and did not before (FAIL, XPASS,
 * ERROR), any other outcome change for the worse (PASS -> WARN, PASS ->
 * SKIP), an added case that fails, or a metric that grew beyond the
 * threshold: metrics are latencies and counts of work, so more is worse. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/runs.h"

static const char *const kind_names[KR_D_KIND_COUNT] = {
	"newly_failing", "newly_passing", "changed", "added", "removed", "metrics",
};

const char *kr_diff_kind_name(enum kr_diff_kind k)
{
	return (unsigned)k < KR_D_KIND_COUNT ? kind_names[k] : "?";
}

static bool failing(enum kr_outcome o)
{
	return kr_outcome_fails(o) || o == KR_ERROR;
}

/* How bad an outcome is; outcomes added later rank with SKIP (the case
 * was not judged as it should have been). */
static int severity(enum kr_outcome o)
{
	switch (o) {
	case KR_PASS: return 0;
	case KR_WARN: return 2;
	default: return failing(o) ? 3 : 1;
	}
}

static int add(struct kr_diff *df, const struct kr_diff_item *it)
{
	struct kr_diff_item *v = realloc(df->items, (df->nitems + 1) * sizeof(*v));
	if (!v)
		return -1;
	df->items = v;
	v[df->nitems++] = *it;
	df->count[it->kind]++;
	df->regressions += it->regression;
	return 0;
}

static int metrics(struct kr_diff *df, const struct kr_result *o, const struct kr_result *n)
{
	for (size_t i = 0; i < n->nmetrics; i++) {
		const struct kr_metric *mn = &n->metrics[i];
		for (size_t j = 0; j < o->nmetrics; j++) {
			const struct kr_metric *mo = &o->metrics[j];
			if (strcmp(mo->name, mn->name))
				continue;
			double d = mn->value - mo->value;
			double rel = mo->value != 0 ? d / fabs(mo->value) : d != 0 ? INFINITY : 0;
			if (fabs(d) < df->opts.min_change || fabs(rel) < df->opts.threshold)
				break;
			struct kr_diff_item it = { .kind = KR_D_METRIC, .id = n->c->id, .old = o, .new_ = n,
						   .regression = d > 0, .metric = mn->name, .unit = mn->unit,
						   .before = mo->value, .after = mn->value, .change = rel };
			if (add(df, &it) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int kr_diff_compute(struct kr_diff *df, const struct kr_run_doc *old, const struct kr_run_doc *new_,
		    const struct kr_diff_opts *o)
{
	memset(df, 0, sizeof(*df));
	df->old = old;
	df->new_ = new_;
	df->opts = o ? *o : (struct kr_diff_opts){ KR_DIFF_THRESHOLD, KR_DIFF_MIN_CHANGE };
	for (size_t i = 0; i < new_->rr.nresults; i++) {
		const struct kr_result *n = &new_->rr.results[i];
		long j = kr_run_doc_find(old, n->c->id);
		struct kr_diff_item it = { .id = n->c->id, .new_ = n };
		if (j < 0) {
			it.kind = KR_D_ADDED;
			it.regression = failing(n->outcome);
		} else {
			const struct kr_result *p = &old->rr.results[j];
			it.old = p;
			if (metrics(df, p, n) < 0)
				return -1;
			if (p->outcome == n->outcome)
				continue;
			if (!failing(p->outcome) && failing(n->outcome))
				it.kind = KR_D_NEWLY_FAILING;
			else if (failing(p->outcome) && n->outcome == KR_PASS)
				it.kind = KR_D_NEWLY_PASSING;
			else
				it.kind = KR_D_CHANGED;
			it.regression = severity(n->outcome) > severity(p->outcome);
		}
		if (add(df, &it) < 0)
			return -1;
	}
	for (size_t i = 0; i < old->rr.nresults; i++) {
		const struct kr_result *p = &old->rr.results[i];
		if (kr_run_doc_find(new_, p->c->id) >= 0)
			continue;
		struct kr_diff_item it = { .kind = KR_D_REMOVED, .id = p->c->id, .old = p };
		if (add(df, &it) < 0)
			return -1;
	}
	return 0;
}

void kr_diff_free(struct kr_diff *df)
{
	free(df->items);
	memset(df, 0, sizeof(*df));
}

/* ---- printers --------------------------------------------------------- */

static const char *const titles[KR_D_KIND_COUNT] = {
	"newly failing", "newly passing", "outcome changed", "added", "removed", "metrics moved",
};

static const char *oname(const struct kr_result *r)
{
	return r ? kr_outcome_name(r->outcome) : "-";
}

static void run_line(FILE *f, const char *label, const struct kr_run_doc *d)
{
	fprintf(f, "%s %s [%s] run %s (%s)\n", label, d->rr.sut_name ? d->rr.sut_name : "?",
		d->rr.sut_version ? d->rr.sut_version : "version unknown", d->rr.run_id ? d->rr.run_id : "?",
		d->path);
}

static void pct(char *out, size_t sz, double rel)
{
	if (isinf(rel))
		snprintf(out, sz, "from 0");
	else
		snprintf(out, sz, "%+.0f %%", rel * 100);
}

void kr_diff_print_text(FILE *f, const struct kr_diff *df, bool color)
{
	const char *red = color ? "\033[31;1m" : "", *green = color ? "\033[32m" : "", *off = color ? "\033[0m" : "";
	run_line(f, "old:", df->old);
	run_line(f, "new:", df->new_);
	for (int k = 0; k < KR_D_KIND_COUNT; k++) {
		if (!df->count[k])
			continue;
		fprintf(f, "\n%s (%zu):\n", titles[k], df->count[k]);
		for (size_t i = 0; i < df->nitems; i++) {
			const struct kr_diff_item *it = &df->items[i];
			if ((int)it->kind != k)
				continue;
			const char *c = it->regression ? red : it->kind == KR_D_NEWLY_PASSING ? green : "";
			if (k == KR_D_METRIC) {
				char p[32];
				pct(p, sizeof(p), it->change);
				fprintf(f, "  %s%-5s%s %-28s %s: %.6g -> %.6g %s (%s)\n", c, it->regression ? "worse" : "better",
					off, it->id, it->metric, it->before, it->after, it->unit ? it->unit : "", p);
				continue;
			}
			fprintf(f, "  %s%5s -> %-5s%s %s", c, oname(it->old), oname(it->new_), off, it->id);
			const struct kr_result *r = it->new_ ? it->new_ : it->old;
			fprintf(f, "  %s\n", r->c->title);
			if (it->regression && it->new_ && (it->new_->actual || it->new_->reason))
				fprintf(f, "        %s\n", it->new_->actual ? it->new_->actual : it->new_->reason);
		}
	}
	fprintf(f, "\n%s%zu regression%s%s (metric threshold %+.0f %%, at least %g)\n",
		df->regressions ? red : green, df->regressions, df->regressions == 1 ? "" : "s", off,
		df->opts.threshold * 100, df->opts.min_change);
}

static json_t *jstr(const char *s)
{
	json_t *j = s ? json_string(s) : json_null();
	return j ? j : json_string("(not valid UTF-8)");
}

static json_t *run_json(const struct kr_run_doc *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "path", jstr(d->path));
	json_object_set_new(o, "run_id", jstr(d->rr.run_id));
	json_object_set_new(o, "sut", jstr(d->rr.sut_name));
	json_object_set_new(o, "version", jstr(d->rr.sut_version));
	json_object_set_new(o, "cases", json_integer((json_int_t)d->rr.nresults));
	return o;
}

int kr_diff_print_json(FILE *f, const struct kr_diff *df)
{
	json_t *root = json_object();
	json_object_set_new(root, "old", run_json(df->old));
	json_object_set_new(root, "new", run_json(df->new_));
	json_object_set_new(root, "threshold", json_real(df->opts.threshold));
	json_object_set_new(root, "min_change", json_real(df->opts.min_change));
	json_object_set_new(root, "regressions", json_integer((json_int_t)df->regressions));
	json_t *lists[KR_D_KIND_COUNT];
	for (int k = 0; k < KR_D_KIND_COUNT; k++) {
		lists[k] = json_array();
		json_object_set_new(root, kind_names[k], lists[k]);
	}
	for (size_t i = 0; i < df->nitems; i++) {
		const struct kr_diff_item *it = &df->items[i];
		json_t *e = json_object();
		json_object_set_new(e, "id", jstr(it->id));
		json_object_set_new(e, "regression", json_boolean(it->regression));
		if (it->kind == KR_D_METRIC) {
			json_object_set_new(e, "metric", jstr(it->metric));
			json_object_set_new(e, "unit", jstr(it->unit));
			json_object_set_new(e, "before", json_real(it->before));
			json_object_set_new(e, "after", json_real(it->after));
			json_object_set_new(e, "change", isinf(it->change) ? json_null() : json_real(it->change));
		} else {
			json_object_set_new(e, "old", it->old ? json_string(oname(it->old)) : json_null());
			json_object_set_new(e, "new", it->new_ ? json_string(oname(it->new_)) : json_null());
			if (it->new_)
				json_object_set_new(e, "actual", jstr(it->new_->actual ? it->new_->actual : it->new_->reason));
		}
		json_array_append_new(lists[it->kind], e);
	}
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	return rc;
}

/* Table cells: no pipes or line breaks inside. */
static void md(FILE *f, const char *s)
{
	for (; s && *s; s++)
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
}

void kr_diff_print_markdown(FILE *f, const struct kr_diff *df)
{
	fprintf(f, "### keyroll: %s%zu regression%s\n\n", df->regressions ? ":x: " : ":white_check_mark: ",
		df->regressions, df->regressions == 1 ? "" : "s");
	fputs("| | SUT | version | run | cases |\n|---|---|---|---|---|\n", f);
	const struct kr_run_doc *runs[2] = { df->old, df->new_ };
	for (int i = 0; i < 2; i++) {
		fprintf(f, "| %s | ", i ? "new" : "old");
		md(f, runs[i]->rr.sut_name);
		fputs(" | ", f);
		md(f, runs[i]->rr.sut_version);
		fputs(" | ", f);
		md(f, runs[i]->rr.run_id);
		fprintf(f, " | %zu |\n", runs[i]->rr.nresults);
	}
	for (int k = 0; k < KR_D_KIND_COUNT; k++) {
		if (!df->count[k])
			continue;
		fprintf(f, "\n**%s (%zu)**\n\n", titles[k], df->count[k]);
		if (k == KR_D_METRIC)
			fputs("| case | metric | before | after | change |\n|---|---|---|---|---|\n", f);
		else
			fputs("| case | before | after | title | observed |\n|---|---|---|---|---|\n", f);
		for (size_t i = 0; i < df->nitems; i++) {
			const struct kr_diff_item *it = &df->items[i];
			if ((int)it->kind != k)
				continue;
			fputs("| `", f);
			md(f, it->id);
			fputs("` | ", f);
			if (k == KR_D_METRIC) {
				char p[32];
				pct(p, sizeof(p), it->change);
				md(f, it->metric);
				fprintf(f, " | %.6g %s | %.6g %s | %s%s |\n", it->before, it->unit ? it->unit : "",
					it->after, it->unit ? it->unit : "", p, it->regression ? " :x:" : "");
				continue;
			}
			const struct kr_result *r = it->new_ ? it->new_ : it->old;
			fprintf(f, "%s | %s%s | ", oname(it->old), oname(it->new_), it->regression ? " :x:" : "");
			md(f, r->c->title);
			fputs(" | ", f);
			if (it->new_)
				md(f, it->new_->actual ? it->new_->actual : it->new_->reason);
			fputs(" |\n", f);
		}
	}
	if (!df->nitems)
		fputs("\nNo case changed its outcome; no metric moved beyond the threshold.\n", f);
}
