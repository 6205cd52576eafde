/* rpki-client runs; see rpki_client.h. */
#include "rpki/rpki_client.h"

#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpki/rtr_json.h"

static uid_t tree_uid;
static gid_t tree_gid;

static int chown_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return lchown(path, tree_uid, tree_gid) < 0 && errno != ENOENT ? -1 : 0;
}

static int chown_tree(const char *path, uid_t uid, gid_t gid)
{
	tree_uid = uid;
	tree_gid = gid;
	return nftw(path, chown_one, 16, FTW_PHYS);
}

static int subdir(const char *dir, const char *name, char *out, size_t outsz, struct kr_err *err)
{
	if (snprintf(out, outsz, "%s/%s", dir, name) >= (int)outsz) {
		kr_err_set(err, ENAMETOOLONG, 0, "path too long: %s/%s", dir, name);
		return -1;
	}
	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		kr_err_set(err, errno, 0, "cannot create %s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

struct kr_proc *kr_rpki_client_start(const struct kr_rpki_client_opts *o, struct kr_err *err)
{
	struct passwd *pw = getpwnam(KR_RPKI_CLIENT_USER);
	if (!pw) {
		kr_err_set(err, ENOENT, 0, "no user %s (is rpki-client installed?)", KR_RPKI_CLIENT_USER);
		return NULL;
	}
	char cache[4096], out[4096];
	if (subdir(o->dir, "cache", cache, sizeof cache, err) || subdir(o->dir, "out", out, sizeof out, err))
		return NULL;
	/* It drops to its own user before it reads the cache or writes out/. */
	if (chmod(o->dir, 0755) < 0 || chown_tree(cache, pw->pw_uid, pw->pw_gid) ||
	    chown_tree(out, pw->pw_uid, pw->pw_gid)) {
		kr_err_set(err, errno, 0, "handing %s to %s: %s", o->dir, KR_RPKI_CLIENT_USER, strerror(errno));
		return NULL;
	}
	/* -n: offline, the cache is what an rsync fetch left; -j: JSON only;
	 * -v: every rejected object named in the log (the evidence). */
	const char *argv[] = { "rpki-client", "-v", "-n", "-j", "-d", "cache", "-t", o->tal, "out", NULL };
	struct kr_proc_opts po = { .node = o->node, .argv = argv, .log = o->log, .cwd = o->dir };
	return kr_proc_start(o->net, &po, err);
}

static void stats_line(const char *l, struct kr_rpki_client_stats *st)
{
	if (sscanf(l, "BGPsec Router Certificates: %d", &st->router_certs) == 1 ||
	    sscanf(l, "Certificates: %d (%d invalid)", &st->certs, &st->invalid_certs) == 2 ||
	    sscanf(l, "Manifests: %d (%d failed parse, %d stale)", &st->mfts, &st->failed_mfts, &st->stale_mfts) == 3)
		return;
	sscanf(l, "Certificate revocation lists: %d", &st->crls);
}

int kr_rpki_client_result(const struct kr_rpki_client_opts *o, struct kr_rtr_set *keys,
			  struct kr_rpki_client_stats *st, struct kr_err *err)
{
	memset(st, 0, sizeof *st);
	st->router_certs = st->certs = st->mfts = st->crls = -1;
	FILE *f = fopen(o->log, "r");
	char line[1024];
	while (f && fgets(line, sizeof line, f))
		stats_line(line, st);
	if (f)
		fclose(f);
	if (st->router_certs < 0) {
		kr_err_set(err, EINVAL, 0, "rpki-client did not finish its run (no statistics in %s)", o->log);
		return -1;
	}
	char json[4096];
	snprintf(json, sizeof json, "%s/out/json", o->dir);
	return kr_rtr_json_load(json, keys, err);
}

void kr_rpki_client_release(const char *dir)
{
	chown_tree(dir, geteuid(), getegid());
}
