/* keyroll matrix RUN... --out DIR: cases by SUT (report/runs.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/runs.h"

const char kr_cmd_matrix_help[] =
	"RUN... --out DIR  -- cases as rows, runs (SUT name and version) as columns: DIR/matrix.html and "
	"DIR/matrix.json";

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: keyroll matrix RUN... --out DIR\n"
		"RUN: a run folder or its results.json, one per SUT (and version). Writes DIR/matrix.html\n"
		"and DIR/matrix.json: one row per case, one column per run, each cell the outcome linking\n"
		"to the case in that run's index.html (links relative to DIR).\n");
	return rc;
}

int kr_cmd_matrix(int argc, char **argv)
{
	const char *out = NULL;
	char *runs[1024];
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, KR_EXIT_OK);
		else if (argv[i][0] == '-' || n == sizeof(runs) / sizeof(runs[0]))
			return usage(stderr, KR_EXIT_ERROR);
		else
			runs[n++] = argv[i];
	}
	if (!out || !n)
		return usage(stderr, KR_EXIT_ERROR);
	char msg[1024];
	if (kr_matrix(runs, n, out, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "keyroll matrix: %s\n", msg);
		return KR_EXIT_ERROR;
	}
	printf("%s/matrix.html %s/matrix.json: %zu run%s\n", out, out, n, n == 1 ? "" : "s");
	return KR_EXIT_OK;
}
