/* Runs read back and compared: the results.json reader (round trip, and a
 * clear error for every kind of bad input), `keyroll diff`, `keyroll
 * merge` (and each of its refusals), `keyroll matrix`, the HTML page and
 * the timeline's text parsers, and shard membership. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu.h"
#include "net/fsutil.h"
#include "report/report.h"
#include "report/runs.h"
#include "report/timeline.h"
#include "run/runner.h"

static int run_nop(struct kr_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "a/1", .level = KR_MUST, .spec = "RFC 8205 §5", .title = "case a", .req = "MUST a", .run = run_nop },
	{ .id = "b/1", .level = KR_MUST, .spec = "RFC 8205 §5", .title = "case b", .run = run_nop },
	{ .id = "c/1", .level = KR_MUST, .spec = "RFC 8210 §5", .title = "case c", .run = run_nop },
	{ .id = "d/1", .level = KR_SHOULD, .spec = "RFC 8634 §3", .title = "case d", .run = run_nop },
	{ .id = "e/1", .level = KR_SHOULD, .spec = "RFC 8634 §3", .title = "case e", .run = run_nop },
	{ .id = "f/1", .level = KR_MUST, .spec = "RFC 8634 §3", .title = "case f <&>", .run = run_nop },
	{ .id = "g/1/v6", .level = KR_MUST, .spec = "RFC 8205 §5", .title = "case g (IPv6)", .run = run_nop,
	  .per_family = true, .family = 6 },
};
static const struct kr_suite suite = { "s", "suite", cases, 7 };

/* How a SUT broke down, as run/ fills it in. */
static struct kr_sut_crash *crash(void)
{
	struct kr_sut_crash *c = calloc(1, sizeof(*c));
	c->kind = strdup("killed");
	c->status = strdup("killed by SIGABRT (core dumped)");
	c->signal = 6;
	c->signal_name = strdup("SIGABRT");
	c->exit_code = -1;
	c->t_s = 1.25;
	c->after = strdup("step 3: rekey");
	c->after_s = 0.0015;
	c->summary = strdup("the SUT was killed by SIGABRT at +1.250 s");
	c->drops = calloc(1, sizeof(*c->drops));
	c->drops[0] = (struct kr_sut_drop){ strdup("dn1"), strdup("connection reset"), 1.3 };
	c->ndrops = 1;
	c->logs[0].file = strdup("sut.log");
	c->logs[0].lines = calloc(2, sizeof(char *));
	c->logs[0].lines[0] = strdup("assertion failed");
	c->logs[0].lines[1] = strdup("<abort>");
	c->logs[0].nlines = 2;
	c->nlogs = 1;
	return c;
}

static char tmpdir[64];

static void setup_tmp(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/kr-runs-XXXXXX");
		CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	}
}

/* One result per letter of `which` ("abc"), outcome per letter of `outs`
 * (P F W S E), metric "lat" = lat. */
static void results(struct kr_result *r, const char *which, const char *outs, double lat)
{
	for (size_t i = 0; which[i]; i++) {
		const struct kr_case *c = &cases[which[i] - 'a'];
		kr_result_init(&r[i], &suite, c);
		r[i].start_ns = 0;
		r[i].start_wall_ns = 1700000000000000000LL;
		kr_result_metric(&r[i], "lat", lat, "s");
		kr_result_artifact(&r[i], "x/timeline.txt");
		kr_result_log(&r[i], 1500000, "step 3: rekey");
		switch (outs[i]) {
		case 'F':
			kr_result_log(&r[i], 2000000, "expect: withdrawal of 192.0.2.0/24 at dn1 within 2.00 s");
			r[i].tl[r[i].ntl - 1].kind = KR_TL_EXPECT;
			kr_result_set(&r[i], KR_FAIL, "withdrawal of 192.0.2.0/24 at dn1 within 2.00 s",
				      "still announced", NULL);
			kr_result_log(&r[i], 2002000000, "observed: still announced");
			r[i].tl[r[i].ntl - 1].kind = KR_TL_VERDICT;
			break;
		case 'W': kr_result_set(&r[i], KR_FAIL, "x", "y", NULL); break;
		case 'S': kr_result_set(&r[i], KR_SKIP, NULL, NULL, "no rekey"); break;
		case 'E': kr_result_set(&r[i], KR_ERROR, NULL, NULL, "harness"); break;
		case 'C': kr_result_crash(&r[i], crash()); break;
		case 'N': kr_result_set(&r[i], KR_NOT_JUDGED, "world up", "no session", "not judged: precondition unmet"); break;
		default: break;
		}
		kr_result_finish(&r[i], false, NULL);
		r[i].duration_s = 2.5;
	}
}

static void free_results(struct kr_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kr_result_free(&r[i]);
}

/* results.json of a run into tmpdir/name; returns its folder. */
static const char *write_run(const char *name, const char *which, const char *outs, double lat,
			     const char *version, unsigned k, unsigned n, const char *sel_ids)
{
	static char dir[128];
	char path[192], sha[65];
	struct kr_result r[8];
	CU_ASSERT_FATAL(strlen(which) <= 8);
	size_t cnt = strlen(which);
	results(r, which, outs, lat);
	const char *ids[8];
	size_t nids = 0;
	for (const char *p = sel_ids ? sel_ids : which; *p; p++)
		ids[nids++] = cases[*p - 'a'].id;
	CU_ASSERT_EQUAL(kr_ids_sha256(ids, nids, sha), 0);
	static const char *const opts[] = { "fault=none" };
	struct kr_run_report rr = {
		.run_id = name, .sut_name = "sut", .sut_version = version, .sut_profile = "p.profile",
		.started = "2026-01-01T00:00:00Z", .time_s = 3, .time_scale = 2e-6, .sut_opts = opts,
		.nsut_opts = 1, .results = r, .nresults = cnt, .shard_k = k, .shard_n = n,
		.nselected = nids, .selection_sha256 = sha, .sut_profile_sha256 = "abc",
	};
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	CU_ASSERT_EQUAL(kr_mkdirs(dir), 0);
	snprintf(path, sizeof(path), "%s/results.json", dir);
	CU_ASSERT_EQUAL(kr_report_json(path, &rr), 0);
	free_results(r, cnt);
	return dir;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = calloc(1, 1 << 20);
	if (s)
		fread(s, 1, (1 << 20) - 1, f);
	fclose(f);
	return s;
}

static void test_parsers(void)
{
	CU_ASSERT_DOUBLE_EQUAL(kr_tv_within_s("x: 1.2.3.0/24 at dn1 within 2.00 s (origin SKI any)"), 2.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(kr_tv_within_s("withdrawal within 1.5 s"), 1.5, 1e-9);
	CU_ASSERT_EQUAL(kr_tv_within_s("not at dn1 when the sentinel arrived"), -1);
	CU_ASSERT_EQUAL(kr_tv_within_s("within 3 seconds"), -1);
	CU_ASSERT_EQUAL(kr_tv_within_s(NULL), -1);
	char l[24];
	kr_tv_step_label("step 5: the cache withdraws up1#0", l, sizeof(l));
	CU_ASSERT_STRING_EQUAL(l, "step 5");
	kr_tv_step_label("steps 1-2: pre-publish", l, sizeof(l));
	CU_ASSERT_STRING_EQUAL(l, "steps 1-2");
	kr_tv_step_label("stepping on", l, sizeof(l));
	CU_ASSERT_STRING_EQUAL(l, "");
	kr_tv_step_label("step 5 without colon", l, sizeof(l));
	CU_ASSERT_STRING_EQUAL(l, "");
}

static void test_shard(void)
{
	/* Pinned: membership must never change between versions. */
	CU_ASSERT_EQUAL(kr_case_shard("rollover/3.1-5/1", 3), 3);
	CU_ASSERT_EQUAL(kr_case_shard("keys/8205-5.2/1", 3), 2);
	CU_ASSERT_EQUAL(kr_case_shard("keys/8634-3.1-4/1", 3), 1);
	CU_ASSERT_EQUAL(kr_case_shard("anything", 1), 1);
	unsigned seen[4] = { 0 };
	char id[32];
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "suite/%d/1", i);
		unsigned k = kr_case_shard(id, 3);
		CU_ASSERT(k >= 1 && k <= 3);
		seen[k]++;
	}
	CU_ASSERT(seen[1] && seen[2] && seen[3]);
}

static void test_roundtrip(void)
{
	setup_tmp();
	const char *dir = write_run("rt", "abcdeg", "PFSECN", 0.25, "1.0", 2, 3, "abcdefg");
	char msg[512], p1[192], p2[192];
	struct kr_run_doc *d = kr_run_doc_load(dir, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->rr.nresults, 6);
	CU_ASSERT_EQUAL(kr_case_family(d->rr.results[5].c), 6);
	CU_ASSERT_EQUAL(d->rr.results[5].outcome, KR_NOT_JUDGED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->rr.results[4].sut_crash);
	CU_ASSERT_STRING_EQUAL(d->rr.results[4].sut_crash->drops[0].peer, "dn1");
	CU_ASSERT_STRING_EQUAL(d->rr.results[4].sut_crash->logs[0].lines[1], "<abort>");
	CU_ASSERT_EQUAL(d->rr.shard_k, 2);
	CU_ASSERT_EQUAL(d->rr.results[1].outcome, KR_FAIL);
	CU_ASSERT_EQUAL(d->rr.results[1].tl[1].kind, KR_TL_EXPECT);
	CU_ASSERT_EQUAL(d->rr.results[1].tl[1].t_ns, 2000000);
	CU_ASSERT_EQUAL(d->rr.results[0].start_wall_ns, 1700000000000000000LL);
	CU_ASSERT_EQUAL(kr_run_doc_find(d, "c/1"), 2);
	CU_ASSERT_EQUAL(kr_run_doc_find(d, "z/1"), -1);
	snprintf(p1, sizeof(p1), "%s/results.json", dir);
	snprintf(p2, sizeof(p2), "%s/again.json", dir);
	CU_ASSERT_EQUAL(kr_report_json(p2, &d->rr), 0);
	kr_run_doc_free(d);
	char *a = slurp(p1), *b = slurp(p2);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT(a && b && !strcmp(a, b)); /* written, read, written: the same bytes */
	free(a);
	free(b);
}

static void expect_error(const char *json, const char *want)
{
	char path[128], msg[512];
	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(json, f);
	fclose(f);
	msg[0] = 0;
	struct kr_run_doc *d = kr_run_doc_load(path, msg, sizeof(msg));
	CU_ASSERT_PTR_NULL(d);
	kr_run_doc_free(d);
	if (!strstr(msg, want) || !strstr(msg, "bad.json"))
		fprintf(stderr, "\nwanted '%s' in: %s\n", want, msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bad.json"));
}

#define HEAD "{\"tool\":\"keyroll\",\"sut\":{\"name\":\"x\"},"
#define CASE "\"id\":\"a/1\",\"suite\":\"s\",\"title\":\"t\",\"level\":\"MUST\",\"spec\":\"RFC\""

static void test_read_errors(void)
{
	setup_tmp();
	expect_error("{\"tool\":\"keyroll\",\n \"cases\": [1,]}", "bad.json:2:");
	expect_error("[]", "not a JSON object");
	expect_error("{\"tool\":\"other\",\"cases\":[]}", "not a keyroll results.json");
	expect_error("{\"tool\":\"keyroll\",\"cases\":[]}", "\"sut\" is missing");
	expect_error(HEAD "\"x\":1}", "\"cases\" is missing");
	expect_error(HEAD "\"cases\":{}}", "\"cases\" is not an array");
	expect_error(HEAD "\"cases\":[7]}", "cases[0] is not an object");
	expect_error(HEAD "\"cases\":[{\"suite\":\"s\"}]}", "cases[0]: \"id\" is missing");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"MAYBE\"}]}", "\"outcome\" is \"MAYBE\", not one of PASS");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":3}]}", "cases[0] (a/1): \"outcome\" is not a string");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"PASS\",\"level\":\"MAY\"}]}", "duplicate");
	expect_error(HEAD "\"cases\":[{\"id\":\"a/1\",\"suite\":\"s\",\"title\":\"t\",\"level\":\"MAY\",\"spec\":\"R\",\"outcome\":\"PASS\"}]}",
		     "\"level\" is \"MAY\", not MUST or SHOULD");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"PASS\"},{" CASE ",\"outcome\":\"PASS\"}]}",
		     "cases[1]: case a/1 appears twice (also cases[0])");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"PASS\",\"metrics\":[{\"name\":\"m\",\"value\":\"1\"}]}]}",
		     "cases[0] (a/1).metrics[0]: \"value\" is missing or not a number");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"PASS\",\"timeline\":[{\"t\":\"x\",\"event\":\"e\"}]}]}",
		     "cases[0] (a/1).timeline[0]: \"t\" is missing");
	expect_error(HEAD "\"cases\":[{" CASE ",\"outcome\":\"PASS\",\"artifacts\":[1]}]}", "cases[0] (a/1): artifacts[0] is not a string");
	expect_error(HEAD "\"shard\":{\"index\":4,\"count\":3},\"cases\":[]}", "\"shard\" is not");
	expect_error(HEAD "\"strict\":\"yes\",\"cases\":[]}", "\"strict\" is not true or false");
	char msg[512];
	CU_ASSERT_PTR_NULL(kr_run_doc_load(tmpdir, msg, sizeof(msg)));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no results.json in this folder"));
	CU_ASSERT_PTR_NULL(kr_run_doc_load("/nonexistent/run", msg, sizeof(msg)));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "/nonexistent/run: No such file"));
}

static struct kr_run_doc *load(const char *dir)
{
	char msg[512];
	struct kr_run_doc *d = kr_run_doc_load(dir, msg, sizeof(msg));
	if (!d)
		fprintf(stderr, "\n%s\n", msg);
	return d;
}

static char *print(int fmt, const struct kr_diff *df)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (fmt == 0)
		kr_diff_print_text(f, df, false);
	else if (fmt == 1)
		kr_diff_print_json(f, df);
	else
		kr_diff_print_markdown(f, df);
	fclose(f);
	return s;
}

static void test_diff(void)
{
	setup_tmp();
	struct kr_run_doc *old = load(write_run("old", "abcde", "PPFPP", 1.0, "1", 0, 0, NULL));
	struct kr_run_doc *new_ = load(write_run("new", "abcef", "PFPWF", 1.4, "1", 0, 0, NULL));
	CU_ASSERT_FATAL(old && new_);
	struct kr_diff df;
	struct kr_diff_opts o = { 0.5, 1.0 };
	CU_ASSERT_EQUAL(kr_diff_compute(&df, old, new_, &o), 0);
	CU_ASSERT_EQUAL(df.count[KR_D_NEWLY_FAILING], 1); /* b */
	CU_ASSERT_EQUAL(df.count[KR_D_NEWLY_PASSING], 1); /* c */
	CU_ASSERT_EQUAL(df.count[KR_D_CHANGED], 1);       /* e: PASS -> WARN */
	CU_ASSERT_EQUAL(df.count[KR_D_ADDED], 1);         /* f, failing */
	CU_ASSERT_EQUAL(df.count[KR_D_REMOVED], 1);       /* d */
	CU_ASSERT_EQUAL(df.count[KR_D_METRIC], 0);        /* +40 %: below the threshold */
	CU_ASSERT_EQUAL(df.regressions, 3);
	char *t = print(0, &df), *j = print(1, &df), *m = print(2, &df);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " PASS -> FAIL  b/1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, " PASS -> WARN  e/1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "3 regressions"));
	json_error_t je;
	json_t *root = json_loads(j, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(root, "regressions")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(root, "newly_failing"), 0), "id")), "b/1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(root, "removed"), 0), "id")), "d/1");
	json_decref(root);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "| `f/1` | - | FAIL :x: | case f <&> |"));
	free(t);
	free(j);
	free(m);
	kr_diff_free(&df);

	/* A metric beyond the threshold: worse up, better down. */
	kr_run_doc_free(new_);
	new_ = load(write_run("new2", "abcde", "PPFPP", 2.5, "1", 0, 0, NULL));
	CU_ASSERT_EQUAL(kr_diff_compute(&df, old, new_, &o), 0);
	CU_ASSERT_EQUAL(df.count[KR_D_METRIC], 5);
	CU_ASSERT_EQUAL(df.regressions, 5);
	CU_ASSERT_DOUBLE_EQUAL(df.items[0].change, 1.5, 1e-9);
	kr_diff_free(&df);
	CU_ASSERT_EQUAL(kr_diff_compute(&df, new_, old, &o), 0);
	CU_ASSERT_EQUAL(df.count[KR_D_METRIC], 5);
	CU_ASSERT_EQUAL(df.regressions, 0);
	kr_diff_free(&df);
	o.min_change = 2; /* +1.5 s is below an absolute floor of 2 */
	CU_ASSERT_EQUAL(kr_diff_compute(&df, old, new_, &o), 0);
	CU_ASSERT_EQUAL(df.count[KR_D_METRIC], 0);
	kr_diff_free(&df);
	/* Identical runs: nothing. */
	CU_ASSERT_EQUAL(kr_diff_compute(&df, old, old, NULL), 0);
	CU_ASSERT_EQUAL(df.nitems, 0);
	CU_ASSERT_EQUAL(df.regressions, 0);
	m = print(2, &df);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "No case changed its outcome"));
	free(m);
	kr_diff_free(&df);
	kr_run_doc_free(old);
	kr_run_doc_free(new_);
}

static int merge3(const char *out, char *msg, size_t msgsz, const char *a, const char *b, const char *c)
{
	char *dirs[3] = { strdup(a), strdup(b), c ? strdup(c) : NULL };
	int rc = kr_merge(dirs, c ? 3 : 2, out, msg, msgsz);
	free(dirs[0]);
	free(dirs[1]);
	free(dirs[2]);
	return rc;
}

static void test_merge(void)
{
	setup_tmp();
	char s1[128], s2[128], s3[128], sx[128], out[128], msg[1024];
	snprintf(s1, sizeof(s1), "%s", write_run("s1", "ad", "PF", 1, "1", 1, 3, "abcdef"));
	snprintf(s2, sizeof(s2), "%s", write_run("s2", "bcf", "PPS", 1, "1", 2, 3, "abcdef"));
	snprintf(s3, sizeof(s3), "%s", write_run("s3", "e", "P", 1, "1", 3, 3, "abcdef"));
	snprintf(out, sizeof(out), "%s/merged", tmpdir);
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s3, s1, s2), 0);
	struct kr_run_doc *m = load(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->rr.nresults, 6);
	CU_ASSERT_EQUAL(m->rr.shard_n, 0);
	for (size_t i = 0; i < 6; i++)
		CU_ASSERT_STRING_EQUAL(m->rr.results[i].c->id, cases[i].id); /* sorted as one run */
	CU_ASSERT_STRING_EQUAL(m->rr.run_id, "s3+s1+s2");
	kr_run_doc_free(m);
	char p[192];
	snprintf(p, sizeof(p), "%s/junit.xml", out);
	char *x = slurp(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* One testsuite for the one suite, not one per shard. */
	CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuite name=\"s\" tests=\"6\""));
	free(x);
	snprintf(p, sizeof(p), "%s/index.html", out);
	CU_ASSERT_EQUAL(access(p, F_OK), 0);

	/* Refusals, each naming what is wrong. */
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, s3), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not an empty folder"));
	snprintf(out, sizeof(out), "%s/merged2", tmpdir);
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "shard 3/3 is missing"));
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, s2), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "shard 2/3 given twice"));
	snprintf(sx, sizeof(sx), "%s", write_run("sx", "e", "P", 1, "2", 3, 3, "abcdef"));
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, sx), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "SUT version: '1' vs '2'"));
	snprintf(sx, sizeof(sx), "%s", write_run("sy", "e", "P", 1, "1", 3, 3, "abcde"));
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, sx), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "case selection"));
	snprintf(sx, sizeof(sx), "%s", write_run("sz", "", "", 1, "1", 3, 3, "abcdef")); /* stopped early */
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, s2, sx), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "the shards hold 5 cases, not the 6 selected"));
	snprintf(sx, sizeof(sx), "%s", write_run("sw", "a", "P", 1, "1", 0, 0, "abcdef"));
	CU_ASSERT_EQUAL(merge3(out, msg, sizeof(msg), s1, sx, NULL), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "not a shard"));
	CU_ASSERT_EQUAL(kr_dir_empty(out), 1); /* nothing written by a refused merge */
}

static void test_matrix(void)
{
	setup_tmp();
	char r1[128], r2[128], out[128], msg[512], p[192];
	snprintf(r1, sizeof(r1), "%s", write_run("m1", "abc", "PFP", 1, "1.0", 0, 0, NULL));
	snprintf(r2, sizeof(r2), "%s", write_run("m2", "bcd", "PPS", 1, "2.0", 0, 0, NULL));
	snprintf(out, sizeof(out), "%s/matrix", tmpdir);
	char *runs[2] = { r1, r2 };
	CU_ASSERT_EQUAL(kr_matrix(runs, 2, out, msg, sizeof(msg)), 0);
	snprintf(p, sizeof(p), "%s/matrix.json", out);
	json_error_t je;
	json_t *root = json_load_file(p, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	json_t *cs = json_object_get(root, "cases");
	CU_ASSERT_EQUAL(json_array_size(cs), 4);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(json_object_get(root, "runs"), 1), "label")), "sut 2.0");
	json_t *b = json_object_get(json_array_get(cs, 1), "results");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(b, 0), "outcome")), "FAIL");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(b, 0), "link")), "../m1/index.html#case-b/1");
	CU_ASSERT_TRUE(json_is_null(json_array_get(json_object_get(json_array_get(cs, 0), "results"), 1)));
	json_decref(root);
	snprintf(p, sizeof(p), "%s/matrix.html", out);
	char *h = slurp(p);
	CU_ASSERT_PTR_NOT_NULL(h && strstr(h, "href=\"../m2/index.html#case-d/1\""));
	free(h);
	char *bad[1] = { "/nonexistent" };
	CU_ASSERT_EQUAL(kr_matrix(bad, 1, out, msg, sizeof(msg)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "/nonexistent"));
}

static void test_html(void)
{
	setup_tmp();
	struct kr_run_doc *d = load(write_run("h", "abfgc", "PFSNC", 1, "1", 0, 0, NULL));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	CU_ASSERT_EQUAL(kr_report_html(f, &d->rr, d->dir), 0);
	fclose(f);
	kr_run_doc_free(d);
	size_t svgs = 0;
	for (const char *p = s; (p = strstr(p, "<svg ")); p++)
		svgs++;
	CU_ASSERT_EQUAL(svgs, 5);
	/* The crash comes first, with its session drops and log tail. */
	const char *cs = strstr(s, "id=\"case-c/1\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cs);
	CU_ASSERT(strstr(cs, "SUT crash:</b> the SUT was killed") && strstr(cs, "SUT crash:</b>") < strstr(cs, "<dt>expected</dt>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cs, "&lt;abort&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cs, "<g class=\"crash\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "class=\"badge o-not-judged\">NOT-JUDGED"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "id=\"case-b/1\" open>"));    /* failing: open */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "class=\"xf\""));             /* the broken expectation */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "FAIL at +2.002 s"));          /* where it was decided */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "case f &lt;&amp;&gt;"));      /* escaped */
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-kr-ready"));
	/* Failing cases come first in the details. */
	CU_ASSERT(strstr(s, "id=\"case-b/1\"") < strstr(s, "id=\"case-a/1\""));
	/* Nothing from the network: the only URL is the SVG namespace. */
	for (const char *p = s; (p = strstr(p, "http")); p++)
		CU_ASSERT(!strncmp(p, "http://www.w3.org/2000/svg", 26));
	free(s);
}

KR_TESTS("report-runs",
	 { "timeline text parsers (deadlines, steps)", test_parsers },
	 { "shard membership is pinned and covers every shard", test_shard },
	 { "results.json read back and written again: same bytes", test_roundtrip },
	 { "results.json reader: a clear error for each bad input", test_read_errors },
	 { "diff: every kind of change, regressions, printers", test_diff },
	 { "merge: joined run, and each refusal", test_merge },
	 { "matrix: cases by run, relative links", test_matrix },
	 { "html: one timeline per case, failing first, no network", test_html });
