/* The runner: exit codes, filters, skips for missing capabilities, harness
 * errors, deferred cleanup on every path, evidence folders and reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/case.h"
#include "cu.h"
#include "report/report.h"
#include "run/runner.h"

static int cleaned[8], ncleaned;

static void note_cleanup(void *arg)
{
	if (ncleaned < 8)
		cleaned[ncleaned++] = (int)(long)arg;
}

static int c_pass(struct kr_ctx *ctx)
{
	kr_defer(ctx, note_cleanup, (void *)1L);
	kr_defer(ctx, note_cleanup, (void *)2L);
	kr_log(ctx, "did a thing");
	kr_metric(ctx, "latency", 0.5, "s");
	return 0;
}

static int c_fail(struct kr_ctx *ctx)
{
	kr_defer(ctx, note_cleanup, (void *)3L);
	kr_judge(ctx, "the withdrawal");
	kr_expect(ctx, "withdrawal of %s on dn1", "192.0.2.0/24");
	return kr_fail(ctx, "none (sentinel at +%.2f s)", 0.31);
}

static int c_error(struct kr_ctx *ctx)
{
	return kr_error(ctx, "netns: boom");
}

static int c_noverdict(struct kr_ctx *ctx)
{
	(void)ctx;
	return -1;
}

static int c_should(struct kr_ctx *ctx)
{
	kr_judge(ctx, "staggering");
	kr_expect(ctx, "staggered");
	return kr_fail(ctx, "not staggered");
}

/* A precondition that does not hold: the requirement is never judged. */
static int c_notjudged(struct kr_ctx *ctx)
{
	kr_expect(ctx, "route %s at dn1 first", "198.51.100.0/24");
	if (kr_fail(ctx, "absent") < 0)
		return -1;
	kr_judge(ctx, "never reached");
	return 0;
}

static int c_family(struct kr_ctx *ctx)
{
	kr_log(ctx, "family %s", kr_family_name(kr_case_family(ctx->c)));
	kr_judge(ctx, "the family");
	kr_expect(ctx, "a route of the family");
	return kr_case_family(ctx->c) == 6 ? kr_fail(ctx, "none") : 0;
}

static const struct kr_case cases[] = {
	{ .id = "r/pass/1", .spec = "s", .title = "passes", .run = c_pass },
	{ .id = "r/fail/1", .spec = "s", .title = "fails", .run = c_fail },
	{ .id = "r/error/1", .spec = "s", .title = "harness error", .run = c_error },
	{ .id = "r/error/2", .spec = "s", .title = "no verdict", .run = c_noverdict },
	{ .id = "r/skip/1", .spec = "s", .title = "needs stagger", .needs = KR_NEED_STAGGER, .run = c_pass },
	{ .id = "r/xfail/1", .spec = "s", .title = "listed as expected failure", .run = c_should },
	{ .id = "r/should/1", .level = KR_SHOULD, .spec = "s", .title = "should", .run = c_should },
	{ .id = "r/pre/1", .level = KR_SHOULD, .spec = "s", .title = "precondition", .run = c_notjudged },
	{ .id = "r/prexfail/1", .spec = "s", .title = "precondition, listed", .run = c_notjudged },
	{ .id = "r/fam/1", .spec = "s", .title = "both families", .run = c_family, .per_family = true },
};
KR_SUITE(runner_test, "runner", cases)

static char profile[] = "/tmp/kr-prof-XXXXXX";
static char outdir[] = "/tmp/kr-out-XXXXXX";

static int run(char *filter, bool strict, unsigned bad_opt)
{
	char *filters[] = { filter };
	static char *opts[] = { "nosuch=1", "fault=x" };
	FILE *devnull = fopen("/dev/null", "w");
	struct kr_run_opts o = {
		.printer = &kr_report_printer, .profile = profile, .out_dir = outdir, .time_scale = 1e-5, .strict = strict,
		.filters = filters, .nfilters = filter ? 1 : 0, .term = devnull,
		.sut_opts = bad_opt ? opts : opts + 1, .nsut_opts = 1,
	};
	int rc = kr_run(&o);
	fclose(devnull);
	return rc;
}

static void setup(void)
{
	int fd = mkstemp(profile);
	CU_ASSERT_FATAL(fd >= 0);
	static const char prof[] = "[sut]\nname = testsut\nstart = /bin/true\nversion = /bin/echo testsut 1.0\n"
				   "[capabilities]\nbgpsec = yes\ncan_rekey = yes\n"
				   "[options]\nfault = --fault {value}\n"
				   "[expected-failures]\nr/xfail/1 = bug 17: known\n"
				   "r/prexfail/1 = bug 20: breaks the precondition\n";
	CU_ASSERT_EQUAL(write(fd, prof, sizeof(prof) - 1), (ssize_t)(sizeof(prof) - 1));
	close(fd);
	CU_ASSERT_PTR_NOT_NULL(mkdtemp(outdir));
}

static void test_exit_codes(void)
{
	setup();
	ncleaned = 0;
	CU_ASSERT_EQUAL(run("r/pass", false, 0), 0);
	/* deferred actions run last-first */
	CU_ASSERT_EQUAL(ncleaned, 2);
	CU_ASSERT_EQUAL(cleaned[0], 2);
	CU_ASSERT_EQUAL(cleaned[1], 1);
	CU_ASSERT_EQUAL(run("r/fail", false, 0), 1);
	CU_ASSERT_EQUAL(cleaned[2], 3);
	CU_ASSERT_EQUAL(run("r/error/1", false, 0), 2);
	CU_ASSERT_EQUAL(run("r/error/2", false, 0), 2);
	CU_ASSERT_EQUAL(run("r/should", false, 0), 0); /* WARN */
	CU_ASSERT_EQUAL(run("r/should", true, 0), 1);  /* --strict */
	CU_ASSERT_EQUAL(run("r/nothing", false, 0), 2); /* no case matches */
	CU_ASSERT_EQUAL(run("r/xfail", true, 0), 0);    /* profile lists it */
	CU_ASSERT_EQUAL(run("r/skip", false, 0), 0);    /* no can_stagger: skipped */
	CU_ASSERT_EQUAL(run("r/pass", false, 1), 2);    /* unknown --sut-opt */
	CU_ASSERT_EQUAL(run("r/pre", false, 0), 1);     /* NOT-JUDGED is no pass, even for a SHOULD */
	CU_ASSERT_EQUAL(run("r/prexfail", false, 0), 0); /* unless listed: XFAIL, still "not judged" */
	CU_ASSERT_EQUAL(run("r/fam/1/v6", false, 0), 0); /* the profile has no ipv6: SKIP */
	CU_ASSERT_EQUAL(run("r/fam/1", false, 0), 0);
	CU_ASSERT_EQUAL(run(NULL, false, 0), 2);        /* error wins over fail */
}

static void test_families(void)
{
	const struct kr_case_ref *refs;
	size_t n = kr_cases(&refs);
	const struct kr_case *v4 = NULL, *v6 = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(refs[i].c->id, "r/fam/1"))
			v4 = refs[i].c;
		if (!strcmp(refs[i].c->id, "r/fam/1/v6"))
			v6 = refs[i].c;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(v4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v6);
	CU_ASSERT_EQUAL(kr_case_family(v4), 4);
	CU_ASSERT_EQUAL(kr_case_family(v6), 6);
	CU_ASSERT_STRING_EQUAL(v6->title, "both families (IPv6)");
	CU_ASSERT_TRUE(v6->needs & KR_NEED_IPV6);
	CU_ASSERT_FALSE(v4->needs & KR_NEED_IPV6);
	char msg[256];
	CU_ASSERT_EQUAL(kr_cases_check(msg, sizeof(msg)), 0);

	/* the IPv6 run names IPv6 in what it expected */
	struct kr_sut_info si = { .name = "x", .caps = ~0u };
	struct kr_result r;
	kr_result_init(&r, NULL, v6);
	struct kr_ctx ctx = { .c = v6, .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, NULL, false);
	CU_ASSERT_EQUAL(r.outcome, KR_FAIL);
	CU_ASSERT_STRING_EQUAL(r.expected, "IPv6: a route of the family");
	kr_result_free(&r);

	/* an unmet precondition: NOT-JUDGED with the precondition named,
	 * never mapped to WARN (the case is a SHOULD) */
	kr_result_init(&r, NULL, &cases[7]);
	ctx = (struct kr_ctx){ .c = &cases[7], .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, NULL, false);
	CU_ASSERT_EQUAL(r.outcome, KR_NOT_JUDGED);
	CU_ASSERT_STRING_EQUAL(r.reason, "not judged: precondition unmet: route 198.51.100.0/24 at dn1 first");
	CU_ASSERT_STRING_EQUAL(r.actual, "absent");
	CU_ASSERT_TRUE(kr_outcome_fails(KR_NOT_JUDGED));
	kr_result_free(&r);
	/* listed: XFAIL, and its reason still says it was not judged */
	kr_result_init(&r, NULL, &cases[7]);
	ctx = (struct kr_ctx){ .c = &cases[7], .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, "listed", false);
	CU_ASSERT_EQUAL(r.outcome, KR_XFAIL);
	CU_ASSERT_STRING_EQUAL(r.reason, "not judged: precondition unmet: route 198.51.100.0/24 at dn1 first; "
					 "listed: listed");
	CU_ASSERT_TRUE(kr_result_unjudged(&r));
	kr_result_free(&r);
}

static void test_evidence(void)
{
	CU_ASSERT_EQUAL(run("r/", false, 0), 2);
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/junit.xml", outdir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>/dev/null", KR_JUNIT_XSD,
		 path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/results.json", outdir);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/r/fail/1/timeline.txt", outdir);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "expect: withdrawal of 192.0.2.0/24 on dn1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# observed: none (sentinel at +0.31 s)"));
	/* the skip names the missing capability */
	snprintf(path, sizeof(path), "%s/results.json", outdir);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static char js[1 << 16];
	n = fread(js, 1, sizeof(js) - 1, f);
	js[n] = 0;
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"id\": \"r/pass/1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"latency\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"version\": \"testsut 1.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"outcome\": \"XFAIL\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "lacks capability 'can_stagger'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"NOT-JUDGED\": 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"family\": \"IPv6\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "lacks capability 'ipv6'"));

	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", outdir, profile);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_skip(void)
{
	struct kr_sut_info si = { .name = "x", .caps = KR_NEED_BGPSEC };
	si.missing[3] = "manual: the operator rekeys the device";
	struct kr_result r;
	kr_result_init(&r, NULL, &cases[4]);
	struct kr_ctx ctx = { .c = &cases[4], .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, NULL, false);
	CU_ASSERT_EQUAL(r.outcome, KR_SKIP);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.reason, "lacks capability 'can_stagger': manual: the operator"));
	kr_result_free(&r);

	/* an expected failure that fails is XFAIL, one that passes XPASS */
	kr_result_init(&r, NULL, &cases[1]);
	ctx = (struct kr_ctx){ .c = &cases[1], .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, "known bug", false);
	CU_ASSERT_EQUAL(r.outcome, KR_XFAIL);
	kr_result_free(&r);
	si.caps = ~0u;
	kr_result_init(&r, NULL, &cases[0]);
	ctx = (struct kr_ctx){ .c = &cases[0], .r = &r, .sut = &si, .time_scale = 1 };
	kr_run_case(&ctx, "known bug", false);
	CU_ASSERT_EQUAL(r.outcome, KR_XPASS);
	kr_result_free(&r);
}

/* Opt-in cases (scale/) run only when a filter names them. */
static void test_opt_in(void)
{
	struct kr_case plain = { .id = "rollover/x" }, big = { .id = "scale/x", .opt_in = true };
	struct kr_run_opts o = { 0 };
	CU_ASSERT(kr_run_selects(&o, &plain));
	CU_ASSERT(!kr_run_selects(&o, &big));
	char *f[] = { "scale/" };
	o.filters = f;
	o.nfilters = 1;
	CU_ASSERT(kr_run_selects(&o, &big));
	CU_ASSERT(!kr_run_selects(&o, &plain));
	o.nfilters = 0;
	o.routes4 = 100; /* a table size alone does not select them */
	CU_ASSERT(!kr_run_selects(&o, &big));
	CU_ASSERT(kr_run_selects(&o, &plain));
}

KR_TESTS("runner",
	 { "opt-in cases", test_opt_in },
	 { "missing capability skips; xfail and xpass", test_skip },
	 { "exit codes, filters, strict, deferred cleanup", test_exit_codes },
	 { "evidence folder, junit and json written", test_evidence },
	 { "per-family copies, NOT-JUDGED preconditions", test_families });
