/* What a run writes into its folder, and the printer the runner gets
 * (run/runner.h): the runner decides nothing about formats. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"

int kr_report_write_html(const struct kr_run_report *rr, const char *dir)
{
	/* Written aside and renamed: a reader never sees half a page. */
	char path[PATH_MAX], tmp[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/index.html", dir) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.index.html.tmp", dir) >= (int)sizeof(tmp))
		return -1;
	FILE *f = fopen(tmp, "w");
	int rc = f ? kr_report_html(f, rr, dir) : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "keyroll: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int kr_report_write_all(const struct kr_run_report *rr, const char *dir, const char *extra_junit)
{
	char path[PATH_MAX];
	int rc = 0;
	if (snprintf(path, sizeof(path), "%s/junit.xml", dir) >= (int)sizeof(path))
		return -1;
	const char *paths[2] = { path, extra_junit };
	for (int i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		FILE *f = fopen(paths[i], "w");
		if (!f || kr_report_junit(f, rr) < 0) {
			fprintf(stderr, "keyroll: cannot write %s: %s\n", paths[i], strerror(errno));
			rc = -1;
		}
		if (f && fclose(f) != 0)
			rc = -1;
	}
	if (snprintf(path, sizeof(path), "%s/results.json", dir) >= (int)sizeof(path))
		return -1;
	if (kr_report_json(path, rr) < 0) {
		fprintf(stderr, "keyroll: cannot write %s\n", path);
		rc = -1;
	}
	if (kr_report_write_html(rr, dir) < 0)
		rc = -1;
	return rc;
}

const struct kr_run_printer kr_report_printer = {
	.result = kr_term_result,
	.write = kr_report_write_all,
	.summary = kr_term_summary,
};
