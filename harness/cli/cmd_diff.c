/* keyroll diff OLD NEW: what changed between two runs (report/runs.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/runs.h"

const char kr_cmd_diff_help[] =
	"OLD NEW [--json|--markdown] [--threshold PCT] [--min-change X]  -- compare two runs (folders or "
	"results.json); exit 1 when anything regressed";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyroll diff OLD NEW [OPTIONS]\n"
		"  OLD, NEW          run folders or their results.json\n"
		"  --json            JSON instead of text\n"
		"  --markdown        Markdown (a merge-request comment) instead of text\n"
		"  --threshold PCT   a metric moved when it changed by at least PCT %% (default %g)\n"
		"  --min-change X    ... and by at least X in its own unit (default %g)\n"
		"Lists newly failing and newly passing cases, other outcome changes (PASS -> WARN ...),\n"
		"added and removed cases, and metrics beyond the threshold.\n"
		"exit: 0 nothing regressed, 1 a regression (a case fails that did not, an outcome\n"
		"      got worse, an added case fails, a metric grew beyond the threshold), 2 bad input\n",
		KR_DIFF_THRESHOLD * 100, KR_DIFF_MIN_CHANGE);
}

static int number(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v >= 0) || v > 1e12) {
		fprintf(stderr, "keyroll diff: %s wants a number >= 0, got '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int kr_cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, 0, 'j' },
		{ "markdown", no_argument, 0, 'm' },
		{ "threshold", required_argument, 0, 't' },
		{ "min-change", required_argument, 0, 'c' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct kr_diff_opts o = { KR_DIFF_THRESHOLD, KR_DIFF_MIN_CHANGE };
	int fmt = 0, c;
	double pct;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': fmt = 1; break;
		case 'm': fmt = 2; break;
		case 't':
			if (number("--threshold", optarg, &pct) < 0)
				return KR_EXIT_ERROR;
			o.threshold = pct / 100;
			break;
		case 'c':
			if (number("--min-change", optarg, &o.min_change) < 0)
				return KR_EXIT_ERROR;
			break;
		case 'h': usage(stdout); return KR_EXIT_OK;
		default: usage(stderr); return KR_EXIT_ERROR;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return KR_EXIT_ERROR;
	}
	char msg[512];
	struct kr_run_doc *old = kr_run_doc_load(argv[optind], msg, sizeof(msg)), *new_ = NULL;
	if (old)
		new_ = kr_run_doc_load(argv[optind + 1], msg, sizeof(msg));
	if (!old || !new_) {
		fprintf(stderr, "keyroll diff: %s\n", msg);
		kr_run_doc_free(old);
		return KR_EXIT_ERROR;
	}
	struct kr_diff df;
	int rc = KR_EXIT_ERROR;
	if (kr_diff_compute(&df, old, new_, &o) < 0) {
		fprintf(stderr, "keyroll diff: out of memory\n");
	} else {
		if (fmt == 1)
			kr_diff_print_json(stdout, &df);
		else if (fmt == 2)
			kr_diff_print_markdown(stdout, &df);
		else
			kr_diff_print_text(stdout, &df, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
		rc = df.regressions ? KR_EXIT_FAIL : KR_EXIT_OK;
	}
	kr_diff_free(&df);
	kr_run_doc_free(old);
	kr_run_doc_free(new_);
	return rc;
}
