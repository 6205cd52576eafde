/* keyroll report RUN: write index.html again from a run's results.json
 * (after an upgrade of keyroll, or for a run folder copied from CI). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "report/runs.h"

const char kr_cmd_report_help[] =
	"RUN  -- write RUN/index.html again from RUN/results.json (RUN: a run folder or its results.json)";

int kr_cmd_report(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		bool help = argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
		fprintf(help ? stdout : stderr, "usage: keyroll report %s\n", kr_cmd_report_help);
		return help ? KR_EXIT_OK : KR_EXIT_ERROR;
	}
	char msg[512];
	struct kr_run_doc *d = kr_run_doc_load(argv[1], msg, sizeof(msg));
	if (!d) {
		fprintf(stderr, "keyroll report: %s\n", msg);
		return KR_EXIT_ERROR;
	}
	int rc = kr_report_write_html(&d->rr, d->dir);
	if (rc == 0)
		printf("%s/index.html\n", d->dir);
	kr_run_doc_free(d);
	return rc == 0 ? KR_EXIT_OK : KR_EXIT_ERROR;
}
