/* Runs read back from their results.json, and what is done with several
 * of them: `keyroll diff` (what changed), `keyroll merge` (shards into one
 * run) and `keyroll matrix` (cases by SUT). The reader rebuilds the result
 * model (run/case.h), so every printer of report.h renders a run read from
 * disk exactly as one just run. */
#ifndef KR_RUNS_H
#define KR_RUNS_H

#include <stdbool.h>
#include <stdio.h>

#include "run/case.h"

/* ---- reader (report_read.c) -------------------------------------------- */

struct kr_run_doc {
	struct kr_run_report rr;  /* everything points into this document */
	char *path;               /* the results.json read */
	char *dir;                /* the run folder (artifact paths are relative to it) */
	struct kr_run_doc_pool *pool;
};

/* Read PATH: a results.json, or a run folder holding one. Returns NULL
 * with msg naming the file and what is wrong with it (JSON syntax errors
 * with line and column, missing or mistyped fields with their place, e.g.
 * "cases[3].outcome"). */
struct kr_run_doc *kr_run_doc_load(const char *path, char *msg, size_t msgsz);
void kr_run_doc_free(struct kr_run_doc *d);
/* Index of the case with this id in d, or -1. */
long kr_run_doc_find(const struct kr_run_doc *d, const char *id);

/* ---- diff (report_diff.c) ---------------------------------------------- */

enum kr_diff_kind {
	KR_D_NEWLY_FAILING,  /* did not fail before, fails now */
	KR_D_NEWLY_PASSING,  /* failed before, passes now */
	KR_D_CHANGED,        /* another outcome change (PASS -> WARN, -> SKIP ...) */
	KR_D_ADDED,          /* only in the new run */
	KR_D_REMOVED,        /* only in the old run */
	KR_D_METRIC,         /* a metric moved beyond the threshold */
	KR_D_KIND_COUNT
};

struct kr_diff_item {
	enum kr_diff_kind kind;
	const char *id;
	const struct kr_result *old, *new_; /* NULL when absent */
	bool regression;     /* makes `keyroll diff` exit 1 */
	/* KR_D_METRIC */
	const char *metric, *unit;
	double before, after, change; /* change: relative, after/before - 1 */
};

struct kr_diff_opts {
	double threshold;    /* relative metric change that counts, e.g. 0.5 */
	double min_change;   /* and at least this absolute change (metric's unit) */
};
#define KR_DIFF_THRESHOLD 0.5
#define KR_DIFF_MIN_CHANGE 1.0

struct kr_diff {
	const struct kr_run_doc *old, *new_;
	struct kr_diff_opts opts;
	struct kr_diff_item *items;
	size_t nitems;
	size_t count[KR_D_KIND_COUNT];
	size_t regressions;
};

/* Compare two runs. 0, or -1 when out of memory. */
int kr_diff_compute(struct kr_diff *df, const struct kr_run_doc *old, const struct kr_run_doc *new_,
		    const struct kr_diff_opts *o);
void kr_diff_free(struct kr_diff *df);
const char *kr_diff_kind_name(enum kr_diff_kind k);
/* Printers: terminal text, JSON, Markdown (a merge-request comment). */
void kr_diff_print_text(FILE *f, const struct kr_diff *df, bool color);
int kr_diff_print_json(FILE *f, const struct kr_diff *df);
void kr_diff_print_markdown(FILE *f, const struct kr_diff *df);

/* ---- merge (report_merge.c) -------------------------------------------- */

/* Join the shard folders dirs[0..n) into out (which must not exist or be
 * empty): evidence copied, then junit.xml, results.json and index.html
 * written from the joined model. Refuses shards of different SUTs,
 * versions, profiles, options, settings or case selections, a shard given
 * twice, a missing shard and a shard that did not finish (its cases do not
 * add up to the selection). 0, or -1 with msg. */
int kr_merge(char *const *dirs, size_t n, const char *out, char *msg, size_t msgsz);

/* ---- matrix (report_matrix.c) ------------------------------------------ */

/* Cases as rows, runs (SUT name and version) as columns: out/matrix.html
 * and out/matrix.json, each cell the outcome linking to the run's case.
 * 0, or -1 with msg. */
int kr_matrix(char *const *runs, size_t n, const char *out, char *msg, size_t msgsz);

#endif
