/* keyroll run: the conformance suite against a SUT (runner.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "net/lint_pcap.h"
#include "net/netns.h"
#include "run/operator.h"
#include "run/runner.h"
#include "net/teardown.h"
#include "report/report.h"
#include "vectors/table.h"

const char kr_cmd_run_help[] =
	"[--sut PROFILE] [--sut-opt K=V]... [--out DIR] [--junit FILE] [--time-scale F] "
	"[--rtr builtin|stayrtr] [--rpki direct|pipeline] [--sut-lifetime case|run] [--interactive] [--routes N | --table dfz] [--lint-sig-budget N|all] [--strict] "
	"[--keep-on-fail] [--shard K/N] [FILTER...]  -- run the conformance suite";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyroll run [OPTIONS] [ID-PREFIX...]\n"
		"  --sut PROFILE     SUT profile (default %s)\n"
		"  --sut-opt K=V     option for the SUT profile, e.g. fault=keep-old-key (repeatable)\n"
		"  --out DIR         run folder (default reports/RUN-ID, with reports/latest)\n"
		"  --junit FILE      also write the JUnit XML report to FILE\n"
		"  --time-scale F    wall seconds per protocol second (default %g: the 24 h\n"
		"                    stage period takes 0.17 s; 1 = real time)\n"
		"  --rtr CACHE       RTR cache: builtin (default) or stayrtr (Debian StayRTR fed the\n"
		"                    keys as rpki-client JSON; cases needing cache-only verbs such\n"
		"                    as Cache Reset, timers or stop answering SKIP)\n"
		"  --sut-lifetime L  case: a fresh SUT for every case; run: one SUT for the whole run,\n"
		"                    brought back to a known state between cases through the wire\n"
		"                    (default: the profile's [sut] lifetime, else case)\n"
		"  --interactive     an operator answers the profile's manual: steps (default when\n"
		"                    stdin is a terminal); otherwise cases needing them SKIP\n"
		"  --routes N        the scale/ cases move a table of N routes (default %u; IPv4 and\n"
		"                    IPv6 as in the DFZ); scale/ cases run only when a filter names them\n"
		"  --table dfz       a full table: 1.04 M IPv4 + 0.22 M IPv6 routes\n"
		"  --lint-sig-budget N|all  the wire lint that ends every case checks every rule on\n"
		"                    every message the SUT sent; it verifies every signature the SUT\n"
		"                    made when they are at most N (default %u), else those of a\n"
		"                    deterministic sample of about N by prefix hash (all: every one)\n"
		"  --rpki MODE       how router keys reach the RTR cache: direct (default: the harness\n"
		"                    feeds the cache) or pipeline (the harness's CA publishes a real\n"
		"                    repository in the case folder, Debian's rpki-client validates it\n"
		"                    offline after every CA change, StayRTR serves rpki-client's output;\n"
		"                    key steps are CA actions: certificate published, CRL + manifest,\n"
		"                    and each waits until the SUT's RTR link shows the change; implies\n"
		"                    --rtr stayrtr; cases only the pipeline can express SKIP otherwise)\n"
		"  --strict          SHOULD violations fail the run (default: WARN)\n"
		"  --keep-on-fail    stop at the first failure and leave its namespaces and links up\n"
		"                    for post-mortem; processes (SUT, ExaBGP) end with the run, the\n"
		"                    harness's peers and RTR cache too; evidence is in the case\n"
		"                    folder, and sut-command.txt there restarts the SUT by hand;\n"
		"                    `keyroll clean` removes what was kept\n"
		"  --shard K/N       run only shard K of N (1 <= K <= N <= 1000) of the selected\n"
		"                    cases, chosen by a hash of the case id (stable when cases\n"
		"                    are added); `keyroll merge` joins the shards' folders\n"
		"ID-PREFIX: cases whose id starts with it; ID$: that case only (not its /v6 run)\n"
		"exit: 0 all passed, 1 a case failed or was not judged, 2 harness error or bad usage,\n"
		"      128+N interrupted by signal N (partial reports written, all torn down)\n",
		KR_DEFAULT_PROFILE, KR_DEFAULT_TIME_SCALE, KR_DEFAULT_ROUTES, KR_LINT_SIG_BUDGET);
}

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10);
	if (end == s || *end != '/' || !(end[1] >= '0' && end[1] <= '9'))
		return -1;
	unsigned long b = strtoul(end + 1, &end, 10);
	if (*end || a < 1 || b < 1 || a > b || b > 1000)
		return -1;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
}

int kr_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sut", required_argument, 0, 's' },
		{ "sut-opt", required_argument, 0, 'o' },
		{ "out", required_argument, 0, 'O' },
		{ "junit", required_argument, 0, 'j' },
		{ "time-scale", required_argument, 0, 't' },
		{ "rtr", required_argument, 0, 'r' },
		{ "routes", required_argument, 0, 'n' },
		{ "table", required_argument, 0, 'T' },
		{ "lint-sig-budget", required_argument, 0, 'B' },
		{ "rpki", required_argument, 0, 'R' },
		{ "strict", no_argument, 0, 'S' },
		{ "sut-lifetime", required_argument, 0, 'L' },
		{ "interactive", no_argument, 0, 'I' },
		{ "keep-on-fail", no_argument, 0, 'k' },
		{ "shard", required_argument, 0, 'H' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct kr_run_opts o = { .printer = &kr_report_printer, .time_scale = KR_DEFAULT_TIME_SCALE, .term = stdout };
	char **sut_opts = calloc((size_t)argc, sizeof(char *));
	if (!sut_opts)
		return KR_EXIT_ERROR;
	size_t nopts = 0;
	int c, rc = KR_EXIT_ERROR;
	bool interactive = false;
	bool rtr_builtin = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's': o.profile = optarg; break;
		case 'o':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "keyroll run: --sut-opt wants K=V, got '%s'\n", optarg);
				goto out;
			}
			sut_opts[nopts++] = optarg;
			break;
		case 'O': o.out_dir = optarg; break;
		case 'j': o.junit = optarg; break;
		case 't':
			o.time_scale = strtod(optarg, &end);
			if (*end || end == optarg || !(o.time_scale > 0) || o.time_scale > 10) {
				fprintf(stderr, "keyroll run: --time-scale wants a number in (0, 10], got '%s'\n", optarg);
				goto out;
			}
			break;
		case 'r':
			if (strcmp(optarg, "builtin") && strcmp(optarg, "stayrtr")) {
				fprintf(stderr, "keyroll run: --rtr wants builtin or stayrtr, got '%s'\n", optarg);
				goto out;
			}
			o.rtr_stayrtr = !strcmp(optarg, "stayrtr");
			rtr_builtin = !o.rtr_stayrtr;
			break;
		case 'R':
			if (strcmp(optarg, "direct") && strcmp(optarg, "pipeline")) {
				fprintf(stderr, "keyroll run: --rpki wants direct or pipeline, got '%s'\n", optarg);
				goto out;
			}
			o.rpki_pipeline = !strcmp(optarg, "pipeline");
			break;
		case 'n':
		case 'T': {
			struct kr_table_spec ts = { 0 };
			char m[160];
			if ((c == 'T' && strcmp(optarg, "dfz")) || kr_table_spec_parse(&ts, optarg, m, sizeof m) < 0) {
				fprintf(stderr, "keyroll run: --%s: %s\n", c == 'T' ? "table" : "routes",
					c == 'T' ? "the only preset is 'dfz'" : m);
				goto out;
			}
			o.routes4 = ts.n4;
			o.routes6 = ts.n6;
			break;
		}
		case 'B':
			if (kr_cli_sig_budget(optarg, &o.lint_sig_budget) < 0) {
				fprintf(stderr, "keyroll run: --lint-sig-budget wants a count >= 1 or 'all', got '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'S': o.strict = true; break;
		case 'I': interactive = true; break;
		case 'L':
			if (strcmp(optarg, "case") && strcmp(optarg, "run")) {
				fprintf(stderr, "keyroll run: --sut-lifetime wants case or run, got '%s'\n", optarg);
				goto out;
			}
			o.sut_lifetime = !strcmp(optarg, "run") ? 2 : 1;
			break;
		case 'k': o.keep_on_fail = true; break;
		case 'H':
			if (parse_shard(optarg, &o.shard_k, &o.shard_n) < 0) {
				fprintf(stderr, "keyroll run: --shard wants K/N with 1 <= K <= N <= 1000, got '%s'\n",
					optarg);
				goto out;
			}
			break;
		case 'h': usage(stdout); rc = KR_EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (o.rpki_pipeline && rtr_builtin) {
		fprintf(stderr, "keyroll run: --rpki pipeline serves rpki-client's output through StayRTR, "
				"not the built-in cache (--rtr builtin)\n");
		goto out;
	}
	o.rtr_stayrtr |= o.rpki_pipeline;
	o.sut_opts = sut_opts;
	o.nsut_opts = nopts;
	o.filters = argv + optind;
	o.nfilters = (size_t)(argc - optind);
	o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	o.interactive = kr_operator_interactive(interactive);
	struct kr_err err = { 0 };
	if (kr_net_preflight(&err) < 0) {
		fprintf(stderr, "keyroll run: %s\n", err.msg);
		goto out;
	}
	/* SIGINT/SIGTERM: partial reports, then every namespace, process and
	 * capture is torn down (teardown.h) and the exit status is 128+sig. */
	if (kr_teardown_init() < 0) {
		fprintf(stderr, "keyroll run: cannot install signal handling\n");
		goto out;
	}
	rc = kr_run(&o);
out:
	free(sut_opts);
	return rc;
}
