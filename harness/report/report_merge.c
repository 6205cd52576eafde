/* `keyroll merge`: shard folders of one run into one run folder (runs.h).
 *
 * Shards belong together when everything that decides their verdicts is
 * the same (SUT name, version, profile bytes, options, time scale,
 * --strict) and they split the same selection: same filters, same case
 * count and the same SHA-256 of the selected ids (results.json
 * "selection"). Together they must hold exactly that selection: the ids
 * of all shards, hashed the same way, give the recorded digest, so a shard
 * that stopped early or a case list of another version is refused. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/fsutil.h"
#include "report/report.h"
#include "report/runs.h"
#include "run/runner.h"

static int refuse(char *msg, size_t msgsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *msg, size_t msgsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msgsz, fmt, ap);
	va_end(ap);
	return -1;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_list(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same(a[i], b[i]))
			return false;
	return true;
}

/* The first thing in which shard b differs from shard a, or NULL. */
static const char *differs(const struct kr_run_report *a, const struct kr_run_report *b, char *buf,
			   size_t bufsz)
{
#define STR(field, what)                                                                        \
	if (!same(a->field, b->field)) {                                                        \
		snprintf(buf, bufsz, "%s: '%s' vs '%s'", what, a->field ? a->field : "(none)", \
			 b->field ? b->field : "(none)");                                        \
		return buf;                                                                     \
	}
	STR(sut_name, "SUT")
	STR(sut_version, "SUT version")
	STR(sut_profile_sha256, "SUT profile (SHA-256)")
	STR(selection_sha256, "case selection (SHA-256 of the selected ids)")
#undef STR
	if (!same_list(a->sut_opts, a->nsut_opts, b->sut_opts, b->nsut_opts))
		return "SUT options (--sut-opt)";
	if (!same_list(a->filters, a->nfilters, b->filters, b->nfilters))
		return "case filters";
	if (a->nselected != b->nselected)
		return "number of selected cases";
	if (a->shard_n != b->shard_n) {
		snprintf(buf, bufsz, "shard count: %u vs %u", a->shard_n, b->shard_n);
		return buf;
	}
	if (a->time_scale != b->time_scale)
		return "time scale";
	if (a->strict != b->strict)
		return "--strict";
	return NULL;
}

static int by_id(const void *x, const void *y)
{
	const struct kr_result *a = x, *b = y;
	return strcmp(a->c->id, b->c->id);
}

static int check(struct kr_run_doc **d, size_t n, char *msg, size_t msgsz)
{
	char buf[600];
	for (size_t i = 0; i < n; i++) {
		const struct kr_run_report *r = &d[i]->rr;
		if (!r->shard_n)
			return refuse(msg, msgsz, "%s: not a shard (no \"shard\" in its results.json: run with --shard K/N)",
				      d[i]->path);
		if (!r->selection_sha256)
			return refuse(msg, msgsz, "%s: no \"selection\" in its results.json (made by an older keyroll?)",
				      d[i]->path);
		const char *why = differs(&d[0]->rr, r, buf, sizeof(buf));
		if (why)
			return refuse(msg, msgsz, "%s and %s are not shards of one run: they differ in %s", d[0]->path,
				      d[i]->path, why);
		for (size_t j = 0; j < i; j++)
			if (d[j]->rr.shard_k == r->shard_k)
				return refuse(msg, msgsz, "shard %u/%u given twice: %s and %s", r->shard_k, r->shard_n,
					      d[j]->path, d[i]->path);
	}
	unsigned total = d[0]->rr.shard_n;
	for (unsigned k = 1; k <= total; k++) {
		bool have = false;
		for (size_t i = 0; i < n && !have; i++)
			have = d[i]->rr.shard_k == k;
		if (!have)
			return refuse(msg, msgsz, "shard %u/%u is missing (given: %zu of %u shards)", k, total, n, total);
	}
	return 0;
}

/* The joined results, sorted by id as a whole run has them; then the
 * check that they are exactly the selection. */
static struct kr_result *join(struct kr_run_doc **d, size_t n, size_t *count, char *msg, size_t msgsz)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += d[i]->rr.nresults;
	struct kr_result *all = calloc(total ? total : 1, sizeof(*all));
	const char **ids = calloc(total ? total : 1, sizeof(*ids));
	if (!all || !ids) {
		free(all);
		free(ids);
		refuse(msg, msgsz, "out of memory");
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d[i]->rr.nresults; j++)
			all[k++] = d[i]->rr.results[j]; /* shallow: the documents own the data */
	qsort(all, total, sizeof(*all), by_id);
	for (size_t i = 0; i < total; i++) {
		ids[i] = all[i].c->id;
		/* One suite record per name (each shard read has its own), so
		 * JUnit groups the joined run as one run would be grouped. */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(all[j].suite->name, all[i].suite->name)) {
				all[i].suite = all[j].suite;
				break;
			}
	}
	char sha[65] = "";
	int bad = 0;
	for (size_t i = 1; i < total && !bad; i++)
		if (!strcmp(ids[i - 1], ids[i]))
			bad = refuse(msg, msgsz, "case %s is in two shards", ids[i]);
	if (!bad && (kr_ids_sha256(ids, total, sha) < 0 || strcmp(sha, d[0]->rr.selection_sha256)))
		bad = refuse(msg, msgsz,
			     "the shards hold %zu cases, not the %zu selected ones: a shard stopped early "
			     "(interrupted, --keep-on-fail) or was run with another case list",
			     total, d[0]->rr.nselected);
	free(ids);
	if (bad) {
		free(all);
		return NULL;
	}
	*count = total;
	return all;
}

static int copy_evidence(struct kr_run_doc **d, size_t n, const char *out, char *msg, size_t msgsz)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d[i]->rr.nresults; j++) {
			const struct kr_result *r = &d[i]->rr.results[j];
			char src[PATH_MAX], dst[PATH_MAX];
			/* The case folder, then any artifact kept elsewhere. */
			for (size_t a = 0; a <= r->nartifacts; a++) {
				const char *rel = a == 0 ? r->c->id : r->artifacts[a - 1];
				size_t idn = strlen(r->c->id);
				if (a > 0 && !strncmp(rel, r->c->id, idn) && rel[idn] == '/')
					continue;
				if (strstr(rel, "..") || rel[0] == '/')
					return refuse(msg, msgsz, "%s: case %s names evidence outside its run folder: %s",
						      d[i]->path, r->c->id, rel);
				if (snprintf(src, sizeof(src), "%s/%s", d[i]->dir, rel) >= (int)sizeof(src) ||
				    snprintf(dst, sizeof(dst), "%s/%s", out, rel) >= (int)sizeof(dst))
					return refuse(msg, msgsz, "%s: path too long", rel);
				if (access(src, F_OK) < 0)
					continue; /* a case that built nothing has no folder */
				if (kr_copy_tree(src, dst, msg, msgsz) < 0)
					return -1;
			}
		}
	return 0;
}

int kr_merge(char *const *dirs, size_t n, const char *out, char *msg, size_t msgsz)
{
	if (n == 0)
		return refuse(msg, msgsz, "no shard folders given");
	int empty = kr_dir_empty(out);
	if (empty != 1)
		return refuse(msg, msgsz, "%s: %s", out,
			      empty == 0 ? "exists and is not an empty folder (merge writes a new run folder)"
					 : "cannot read it");
	struct kr_run_doc **d = calloc(n, sizeof(*d));
	if (!d)
		return refuse(msg, msgsz, "out of memory");
	int rc = -1;
	struct kr_result *all = NULL;
	char *run_id = NULL;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] = kr_run_doc_load(dirs[i], msg, msgsz)))
			goto out;
	if (check(d, n, msg, msgsz) < 0)
		goto out;
	size_t count = 0;
	if (!(all = join(d, n, &count, msg, msgsz)))
		goto out;
	if (kr_mkdirs(out) < 0) {
		refuse(msg, msgsz, "cannot create %s", out);
		goto out;
	}
	if (copy_evidence(d, n, out, msg, msgsz) < 0)
		goto out;
	struct kr_run_report rr = d[0]->rr;
	rr.results = all;
	rr.nresults = count;
	rr.shard_k = rr.shard_n = 0;
	/* The run's id names its shards'; it started with the first of them
	 * and took as long as the longest (shards run side by side). */
	size_t idlen = 1;
	for (size_t i = 0; i < n; i++)
		idlen += strlen(d[i]->rr.run_id ? d[i]->rr.run_id : "?") + 1;
	run_id = calloc(1, idlen);
	for (size_t i = 0; run_id && i < n; i++) {
		const struct kr_run_report *s = &d[i]->rr;
		if (i)
			strcat(run_id, "+");
		strcat(run_id, s->run_id ? s->run_id : "?");
		if (s->started && (!rr.started || strcmp(s->started, rr.started) < 0))
			rr.started = s->started;
		if (s->time_s > rr.time_s)
			rr.time_s = s->time_s;
	}
	rr.run_id = run_id;
	if (kr_report_write_all(&rr, out, NULL) < 0) {
		refuse(msg, msgsz, "cannot write the reports into %s", out);
		goto out;
	}
	rc = 0;
out:
	free(run_id);
	free(all);
	for (size_t i = 0; i < n; i++)
		kr_run_doc_free(d[i]);
	free(d);
	return rc;
}
