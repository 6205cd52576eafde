/* The SUT description a run uses: name, version, capabilities and the
 * expected-failure list, taken from its profile (sut/README.md). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/runner.h"
#include "run/sut_exec.h"
#include "run/sut_profile.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct kr_bytes b = { 0 };
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (kr_bytes_append(&b, buf, n) < 0)
			break;
	bool bad = ferror(f);
	fclose(f);
	if (bad || kr_bytes_append(&b, "", 1) < 0) {
		kr_bytes_free(&b);
		return NULL;
	}
	*len = b.len - 1;
	return (char *)b.p;
}

char *kr_read_text_file(const char *path, size_t *len)
{
	return read_file(path, len);
}

/* Capability bits from the profile, by the profile's own keys
 * (kr_need_name); why a bit is missing goes to missing[]. `sign` and
 * `originate` default to what older profiles implied: sign with bgpsec,
 * originate always. */
static void map_caps(struct kr_sut_info *si, const struct kr_sut_profile *p, bool interactive)
{
	bool bgpsec = kr_sut_cap_bool(p, "bgpsec", false);
	si->caps = 0;
	for (unsigned b = 0; b < 32; b++) {
		const char *key = kr_need_name(1u << b);
		if (!key)
			continue;
		bool dflt = (1u << b) == KR_NEED_SIGN ? bgpsec : (1u << b) == KR_NEED_ORIGINATE;
		if (kr_sut_cap_bool(p, key, dflt))
			si->caps |= 1u << b;
		else
			si->missing[b] = kr_sut_cap_str(p, key) ? "profile says no" : "not in the profile";
	}
	/* A rekey nobody can perform is as good as none; a manual one is
	 * the operator's in an interactive run. */
	static char why[512];
	const char *na = kr_sut_action_unavailable(p, KR_SUT_REKEY, why, sizeof(why));
	if (na && p->manual[KR_SUT_REKEY]) {
		char *text = kr_sut_expand_loose(p->action[KR_SUT_REKEY], NULL);
		snprintf(why, sizeof(why), "manual step (rekey) in a run that is not interactive: %s",
			 text ? text : p->action[KR_SUT_REKEY]);
		free(text);
	}
	if (na && !(interactive && p->action[KR_SUT_REKEY])) {
		si->caps &= ~(KR_NEED_REKEY | KR_NEED_STAGGER);
		si->missing[__builtin_ctz(KR_NEED_REKEY)] = na;
		si->missing[__builtin_ctz(KR_NEED_STAGGER)] = na;
	}
	/* Restarts mid-case need a start the harness performs itself. */
	static char why_start[512];
	const char *ns = kr_sut_action_unavailable(p, KR_SUT_START, why_start, sizeof(why_start));
	if (ns && (si->caps & KR_NEED_RESTART)) {
		si->caps &= ~KR_NEED_RESTART;
		si->missing[__builtin_ctz(KR_NEED_RESTART)] = ns;
	}
}

int kr_sut_info_load(struct kr_sut_info *si, const char *path, char *const *opts, size_t nopts,
		     char *msg, size_t msgsz)
{
	memset(si, 0, sizeof(*si));
	if (!path)
		path = KR_DEFAULT_PROFILE;
	size_t len;
	char *text = read_file(path, &len);
	if (!text) {
		snprintf(msg, msgsz, "cannot read SUT profile %s: %s%s", path, strerror(errno),
			 path[0] != '/' ? " (run from the repository root)" : "");
		return -1;
	}
	struct kr_sut_profile *p = calloc(1, sizeof(*p));
	struct kr_err err = { 0 };
	if (!p || kr_sut_profile_parse(p, text, len, path, &err) < 0) {
		snprintf(msg, msgsz, "%s", p ? err.msg : "out of memory");
		free(p);
		free(text);
		return -1;
	}
	free(text);
	/* Bad --sut-opt is bad usage: refuse before anything runs. */
	struct kr_sut_vars *v = kr_sut_vars_new();
	if (!v || kr_sut_apply_options(p, opts, nopts, v, &err) < 0) {
		snprintf(msg, msgsz, "%s", v ? err.msg : "out of memory");
		kr_sut_vars_free(v);
		kr_sut_profile_free(p);
		free(p);
		return -1;
	}
	kr_sut_vars_free(v);
	si->profile = p;
	si->profile_path = strdup(path);
	si->name = strdup(p->name);
	si->opts = opts;
	si->nopts = nopts;
	map_caps(si, p, false);
	char line[256];
	si->version = kr_sut_version(p, opts, nopts, line, sizeof(line)) == 0 ? strdup(line) : strdup("unknown");
	return 0;
}

void kr_sut_info_set_interactive(struct kr_sut_info *si, bool interactive)
{
	if (si->profile) {
		memset(si->missing, 0, sizeof(si->missing));
		map_caps(si, si->profile, interactive);
	}
}

void kr_sut_info_free(struct kr_sut_info *si)
{
	if (si->profile) {
		kr_sut_profile_free((struct kr_sut_profile *)si->profile);
		free((void *)si->profile);
	}
	free((char *)si->profile_path);
	free((char *)si->name);
	free((char *)si->version);
	memset(si, 0, sizeof(*si));
}

const char *kr_sut_info_xfail(const struct kr_sut_info *si, const char *case_id)
{
	return si->profile ? kr_sut_xfail(si->profile, case_id) : NULL;
}
