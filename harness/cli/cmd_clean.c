/* keyroll clean [TAG] [--all]: remove what killed runs left behind. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "net/netns.h"

const char kr_cmd_clean_help[] =
	"[TAG] [--all] -- remove namespaces and processes of dead runs, killed `netns up --wait` included (TAG: that run only; --all: also topologies left up on purpose by `netns up` without --wait)";

static void report(const char *tag, int nns)
{
	printf("removed %s (%d namespaces)\n", tag, nns);
}

int kr_cmd_clean(int argc, char **argv)
{
	const char *tag = NULL;
	int all = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (argv[i][0] != '-' && !tag)
			tag = argv[i];
		else {
			fprintf(stderr, "usage: keyroll clean %s\n", kr_cmd_clean_help);
			return KR_EXIT_ERROR;
		}
	}
	struct kr_err err = { 0 };
	if (kr_net_preflight(&err) < 0) {
		fprintf(stderr, "keyroll clean: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	if (tag) {
		int n = kr_net_clean_tag(tag, &err);
		if (n < 0) {
			fprintf(stderr, "keyroll clean: %s\n", err.msg);
			return KR_EXIT_ERROR;
		}
		report(tag, n);
		return KR_EXIT_OK;
	}
	/* Runs whose owner still lives are never touched: they may be other
	 * runs on this machine. */
	int runs = kr_net_clean(all ? KR_CLEAN_ALL_DEAD : KR_CLEAN_DEAD, report, &err);
	if (runs < 0) {
		fprintf(stderr, "keyroll clean: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	if (runs == 0)
		printf("nothing to clean\n");
	return KR_EXIT_OK;
}
