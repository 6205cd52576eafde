/* keyroll merge SHARD... --out DIR: shard folders into one run folder
 * (report/runs.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/runs.h"

const char kr_cmd_merge_help[] =
	"SHARD... --out DIR  -- join the folders of `keyroll run --shard K/N` into one run (junit.xml, "
	"results.json, index.html, evidence)";

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: keyroll merge SHARD-DIR... --out DIR\n"
		"Joins the run folders of `keyroll run --shard K/N` (every K of one N) into DIR (new or\n"
		"empty): junit.xml, results.json and index.html of the whole run, and every case's\n"
		"evidence. Refuses shards of different SUTs, versions, profiles, options or case\n"
		"selections, a shard given twice, a missing shard and a shard that did not finish.\n"
		"exit: 0 merged, 2 refused or bad usage (the reason is printed)\n");
	return rc;
}

int kr_cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	char *dirs[1024];
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, KR_EXIT_OK);
		else if (argv[i][0] == '-' || n == sizeof(dirs) / sizeof(dirs[0]))
			return usage(stderr, KR_EXIT_ERROR);
		else
			dirs[n++] = argv[i];
	}
	if (!out || !n)
		return usage(stderr, KR_EXIT_ERROR);
	char msg[1024];
	if (kr_merge(dirs, n, out, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "keyroll merge: %s\n", msg);
		return KR_EXIT_ERROR;
	}
	printf("merged %zu shard%s into %s: junit.xml results.json index.html\n", n, n == 1 ? "" : "s", out);
	return KR_EXIT_OK;
}
