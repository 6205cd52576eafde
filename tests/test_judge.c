/* keyroll judge on the recorded fixtures (pcaps/judge-*.pcap, made by
 * `keyroll record --scenario rollover`): the clean reference speaker gets
 * no failing verdict, each fault variant exactly the verdicts its .md
 * lists, every finding cites frames; without an RTR stream the key
 * verdicts are not judged unless keys are given; bad input is an error. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/judge.h"
#include "run/runner.h"
#include "run/world.h"
#include "cu.h"

static struct kr_judge_opts opts(const char *const *paths, size_t n, const char *keys)
{
	static struct kr_sut_info sut;
	static bool loaded;
	char msg[256];
	if (!loaded) {
		CU_ASSERT_FATAL(kr_sut_info_load(&sut, NULL, NULL, 0, msg, sizeof msg) == 0);
		loaded = true;
	}
	struct kr_judge_opts o = { .paths = paths, .npaths = n, .keys_json = keys, .bgp_ports = { 179 },
				   .rtr_ports = { 323 } };
	o.withdraw_s = o.grace_s = kr_profile_deadline_s(sut.profile, KR_W_RTR);
	o.twilight_s = kr_profile_deadline_s(sut.profile, KR_W_ANNOUNCE);
	return o;
}

/* The ids the fixture's .md says fail. */
static size_t expected(const char *pcap, char ids[8][64])
{
	char md[512];
	snprintf(md, sizeof md, "%.*s.md", (int)(strlen(pcap) - 5), pcap);
	FILE *f = fopen(md, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[512];
	size_t n = 0;
	while (fgets(line, sizeof line, f) && n < 8)
		if (sscanf(line, "  - fails: `%63[^`]`", ids[n]) == 1)
			n++;
	fclose(f);
	return n;
}

static void t_fixtures(void)
{
	glob_t g;
	CU_ASSERT_FATAL(glob("pcaps/judge-*.pcap", 0, NULL, &g) == 0);
	CU_ASSERT(g.gl_pathc >= 6);
	bool clean_seen = false;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		char keys[512], ids[8][64];
		snprintf(keys, sizeof keys, "%.*s.keys.json", (int)(strlen(p) - 5), p);
		size_t nexp = expected(p, ids);
		clean_seen |= strstr(p, "judge-clean") != NULL;
		CU_ASSERT(strstr(p, "judge-clean") ? nexp == 0 : nexp > 0);
		const char *paths[] = { p };
		struct kr_judge_opts o = opts(paths, 1, keys);
		struct kr_result res[KR_JUDGE_NVERDICTS];
		struct kr_err err = { 0 };
		CU_ASSERT_FATAL(kr_judge_captures(&o, res, &err) == 0);
		for (size_t v = 0; v < KR_JUDGE_NVERDICTS; v++) {
			bool want = false;
			for (size_t k = 0; k < nexp; k++)
				want |= !strcmp(ids[k], res[v].c->id);
			bool failed = res[v].outcome == KR_FAIL;
			if (want != failed)
				fprintf(stderr, "%s: %s is %s\n", p, res[v].c->id, kr_outcome_name(res[v].outcome));
			CU_ASSERT_EQUAL(want, failed);
			CU_ASSERT(failed || res[v].outcome == KR_PASS || res[v].outcome == KR_SKIP);
			if (failed)
				CU_ASSERT(res[v].actual && strstr(res[v].actual, " frame "));
			kr_result_free(&res[v]);
		}
	}
	CU_ASSERT(clean_seen);
	globfree(&g);
}

/* Without an RTR stream the key verdicts are SKIP, with keys (rpki-client
 * JSON) they are judged; the router's own key switch needs no keys. (A
 * pcap per link is exercised on live runs in tests/it_judge.sh.) */
static void t_no_rtr(void)
{
	const char *paths[] = { "pcaps/refspeaker-rekey.pcap" };
	struct kr_judge_opts o = opts(paths, 1, NULL);
	o.router_as = 65537;
	struct kr_result res[KR_JUDGE_NVERDICTS];
	struct kr_err err = { 0 };
	CU_ASSERT_FATAL(kr_judge_captures(&o, res, &err) == 0);
	for (size_t v = 0; v < KR_JUDGE_NVERDICTS; v++) {
		if (!strcmp(res[v].c->id, "judge/8205-5/not-valid") || !strcmp(res[v].c->id, "judge/rollover-4/replay"))
			CU_ASSERT_EQUAL(res[v].outcome, KR_SKIP);
		/* the rekey: one switch of the origin key, every route re-signed */
		if (!strcmp(res[v].c->id, "judge/8634-3.1-3/own-key-switch"))
			CU_ASSERT_EQUAL(res[v].outcome, KR_PASS);
		CU_ASSERT(res[v].outcome != KR_FAIL);
		kr_result_free(&res[v]);
	}
	o.keys_json = "pcaps/refspeaker-rekey.keys.json";
	CU_ASSERT_FATAL(kr_judge_captures(&o, res, &err) == 0);
	for (size_t v = 0; v < KR_JUDGE_NVERDICTS; v++) {
		CU_ASSERT(res[v].outcome == KR_PASS);
		kr_result_free(&res[v]);
	}
}

static void t_bad_input(void)
{
	const char *missing[] = { "pcaps/no-such.pcap" };
	struct kr_judge_opts o = opts(missing, 1, NULL);
	struct kr_result res[KR_JUDGE_NVERDICTS];
	struct kr_err err = { 0 };
	CU_ASSERT_EQUAL(kr_judge_captures(&o, res, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pcaps/no-such.pcap"));
	/* no session of the AS asked for */
	const char *paths[] = { "pcaps/harness-pair.pcap" };
	o = opts(paths, 1, NULL);
	o.router_as = 4200000000u;
	CU_ASSERT_EQUAL(kr_judge_captures(&o, res, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no BGP session"));
	/* a cut capture names the file and the offset */
	FILE *in = fopen("pcaps/judge-clean.pcap", "rb"), *out = fopen("/tmp/kr-test-judge-cut.pcap", "wb");
	CU_ASSERT_FATAL(in && out);
	char buf[3000];
	size_t n = fread(buf, 1, sizeof buf, in);
	fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	const char *cut[] = { "/tmp/kr-test-judge-cut.pcap" };
	o = opts(cut, 1, NULL);
	CU_ASSERT_EQUAL(kr_judge_captures(&o, res, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "kr-test-judge-cut.pcap: packet"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "at offset"));
	remove("/tmp/kr-test-judge-cut.pcap");
}

KR_TESTS("judge", { "recorded fixtures: clean passes, each fault fails as listed", t_fixtures },
	 { "no RTR stream: keys from JSON or not judged", t_no_rtr }, { "bad input", t_bad_input });
