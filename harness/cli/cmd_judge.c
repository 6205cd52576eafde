/* keyroll judge CAPTURE...: verdicts on a router from captures of its
 * links alone (run/judge.h), printed as for a run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "net/fsutil.h"
#include "report/report.h"
#include "run/judge.h"
#include "run/runner.h"
#include "run/world.h"

const char kr_cmd_judge_help[] =
	"CAPTURE... [--keys JSON] [--as N] [--sut PROFILE] [--deadline S] [--twilight S] [--grace S] "
	"[--bgp-port N] [--rtr-port N] [--out DIR] [--junit FILE]  -- verdicts on a router from its captures alone";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyroll judge CAPTURE... [OPTIONS]\n"
		"  CAPTURE         pcaps of the router's links (one per link, or one with all), with\n"
		"                  the RTR stream from its cache (here or in its own pcap; any port)\n"
		"  --keys JSON     router keys (rpki-client JSON): held all along when the captures\n"
		"                  have no RTR stream; also for the wire lint's signature checks\n"
		"  --as N          the router's AS (default: the speaker on the most sessions)\n"
		"  --sut PROFILE   take the deadlines from this profile's declared delays, as a run\n"
		"                  does (default %s)\n"
		"  --deadline S    routes of a withdrawn key must be gone within S seconds\n"
		"  --twilight S    after the router's key switch, every route re-signed within S s\n"
		"  --grace S       a key withdrawn S seconds ago still counts for what is sent\n"
		"                  (default: the deadline)\n"
		"  --bgp-port N, --rtr-port N   ports besides 179 / 323 (any port is recognised anyway)\n"
		"  --out DIR       report folder (default reports/judge-TIME-PID): junit.xml, results.json\n"
		"  --junit FILE    also write the JUnit XML report to FILE\n"
		"exit: 0 no violation, 1 a verdict failed, 2 unreadable input or bad usage\n",
		KR_DEFAULT_PROFILE);
}

static int seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || end == s || v < 0 || v > 1e6)
		return -1;
	*out = v;
	return 0;
}

int kr_cmd_judge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keys", required_argument, 0, 'k' },	   { "as", required_argument, 0, 'a' },
		{ "sut", required_argument, 0, 's' },	   { "deadline", required_argument, 0, 'd' },
		{ "twilight", required_argument, 0, 't' }, { "grace", required_argument, 0, 'g' },
		{ "bgp-port", required_argument, 0, 'b' }, { "rtr-port", required_argument, 0, 'r' },
		{ "out", required_argument, 0, 'O' },	   { "junit", required_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },	   { 0, 0, 0, 0 }
	};
	struct kr_judge_opts o = { .bgp_ports = { 179 }, .rtr_ports = { 323 } };
	const char *profile = NULL, *out_dir = NULL, *junit = NULL;
	double deadline = -1, twilight = -1, grace = -1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		unsigned long v;
		switch (c) {
		case 'k': o.keys_json = optarg; break;
		case 'a':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > 0xffffffffUL) {
				usage(stderr);
				return KR_EXIT_ERROR;
			}
			o.router_as = (uint32_t)v;
			break;
		case 's': profile = optarg; break;
		case 'd': if (seconds(optarg, &deadline) < 0) { usage(stderr); return KR_EXIT_ERROR; } break;
		case 't': if (seconds(optarg, &twilight) < 0) { usage(stderr); return KR_EXIT_ERROR; } break;
		case 'g': if (seconds(optarg, &grace) < 0) { usage(stderr); return KR_EXIT_ERROR; } break;
		case 'b': if (kr_cli_add_port(o.bgp_ports, optarg) < 0) { usage(stderr); return KR_EXIT_ERROR; } break;
		case 'r': if (kr_cli_add_port(o.rtr_ports, optarg) < 0) { usage(stderr); return KR_EXIT_ERROR; } break;
		case 'O': out_dir = optarg; break;
		case 'j': junit = optarg; break;
		case 'h': usage(stdout); return KR_EXIT_OK;
		default: usage(stderr); return KR_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return KR_EXIT_ERROR;
	}
	o.paths = (const char *const *)argv + optind;
	o.npaths = (size_t)(argc - optind);

	/* deadlines as a run would set them for this SUT */
	struct kr_sut_info sut;
	char msg[512];
	if (kr_sut_info_load(&sut, profile, NULL, 0, msg, sizeof msg) < 0) {
		fprintf(stderr, "keyroll judge: %s\n", msg);
		return KR_EXIT_ERROR;
	}
	o.withdraw_s = deadline >= 0 ? deadline : kr_profile_deadline_s(sut.profile, KR_W_RTR);
	o.twilight_s = twilight >= 0 ? twilight : kr_profile_deadline_s(sut.profile, KR_W_ANNOUNCE);
	o.grace_s = grace >= 0 ? grace : o.withdraw_s;

	struct kr_result res[KR_JUDGE_NVERDICTS];
	struct kr_err err = { 0 };
	if (kr_judge_captures(&o, res, &err) < 0) {
		fprintf(stderr, "keyroll judge: %s\n", err.msg);
		kr_sut_info_free(&sut);
		return KR_EXIT_ERROR;
	}
	char id[64], iso[32], dir[512], who[600];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(id, sizeof id, "judge-%Y%m%dT%H%M%SZ", &tm);
	snprintf(id + strlen(id), sizeof id - strlen(id), "-%ld", (long)getpid());
	snprintf(dir, sizeof dir, "%s", out_dir ? out_dir : "reports/");
	if (!out_dir)
		snprintf(dir, sizeof dir, "reports/%s", id);
	snprintf(who, sizeof who, "router in %s%s", o.paths[0], o.npaths > 1 ? " and more captures" : "");
	int rc = KR_EXIT_OK;
	if (kr_mkdirs(dir) < 0) {
		fprintf(stderr, "keyroll judge: cannot create %s: %s\n", dir, strerror(errno));
		rc = KR_EXIT_ERROR;
	}
	printf("keyroll judge: %zu capture%s; deadlines: withdrawal %.2f s, twilight %.2f s, grace %.2f s\n",
	       o.npaths, o.npaths == 1 ? "" : "s", o.withdraw_s, o.twilight_s, o.grace_s);
	struct kr_run_report rr = { .run_id = id, .sut_name = who, .sut_version = "from captures",
				    .sut_profile = sut.profile_path, .started = iso, .time_scale = 1,
				    .results = res, .nresults = KR_JUDGE_NVERDICTS };
	bool color = isatty(STDOUT_FILENO);
	for (size_t i = 0; i < KR_JUDGE_NVERDICTS; i++) {
		kr_report_printer.result(stdout, i, KR_JUDGE_NVERDICTS, &res[i], color);
		if (kr_outcome_fails(res[i].outcome) && rc == KR_EXIT_OK)
			rc = KR_EXIT_FAIL;
	}
	if (rc != KR_EXIT_ERROR) {
		if (kr_report_printer.write(&rr, dir, junit) < 0)
			rc = KR_EXIT_ERROR;
		kr_report_printer.summary(stdout, &rr, dir, color);
	}
	for (size_t i = 0; i < KR_JUDGE_NVERDICTS; i++)
		kr_result_free(&res[i]);
	kr_sut_info_free(&sut);
	return rc;
}
