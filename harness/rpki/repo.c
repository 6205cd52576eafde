/* The test repository on disk; see repo.h. */
#include "rpki/repo.h"

#include "net/fsutil.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <limits.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_POINTS 16
#define MAX_OBJECTS 96

struct object {
	char name[96];
	uint8_t *der;
	size_t len;
};

struct point {
	struct kr_ca *ca;
	char dir[PATH_MAX];   /* DIR/HOST/PATH of its rsync URI */
	char rel[512];        /* HOST/PATH */
	struct object obj[MAX_OBJECTS];
	size_t nobj;
};

struct kr_repo {
	char dir[PATH_MAX], log[PATH_MAX];
	char ta_file[PATH_MAX]; /* DIR/HOST/PATH of the TA certificate */
	struct point pt[MAX_POINTS]; /* 0: the trust anchor */
	size_t npt;
};

static int mkdirs(const char *path, struct kr_err *err)
{
	if (kr_mkdirs(path) == 0)
		return 0;
	kr_err_set(err, errno, 0, "cannot create %s: %s", path, strerror(errno));
	return -1;
}

/* rsync://HOST/PATH -> HOST/PATH */
static const char *uri_path(const char *uri)
{
	return strncmp(uri, "rsync://", 8) ? uri : uri + 8;
}

static int der_of(X509 *x, uint8_t **der, size_t *len, struct kr_err *err)
{
	unsigned char *p = NULL;
	int l = i2d_X509(x, &p);
	if (l <= 0) {
		kr_err_set(err, EINVAL, 0, "certificate encoding failed");
		return -1;
	}
	*der = p;
	*len = (size_t)l;
	return 0;
}

static void logf_line(struct kr_repo *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_line(struct kr_repo *r, const char *fmt, ...)
{
	if (!r->log[0])
		return;
	FILE *f = fopen(r->log, "a");
	if (!f)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(f, "%lld.%09ld ", (long long)ts.tv_sec, ts.tv_nsec);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static int add_point(struct kr_repo *r, struct kr_ca *ca, struct kr_err *err)
{
	if (r->npt >= MAX_POINTS) {
		kr_err_set(err, ENOSPC, 0, "too many CAs in one repository");
		kr_ca_free(ca);
		return -1;
	}
	struct point *p = &r->pt[r->npt];
	memset(p, 0, sizeof *p);
	p->ca = ca;
	snprintf(p->rel, sizeof p->rel, "%s", uri_path(kr_ca_repo_uri(ca)));
	size_t l = strlen(p->rel);
	if (l && p->rel[l - 1] == '/')
		p->rel[l - 1] = 0;
	char d[PATH_MAX];
	if (snprintf(d, sizeof d, "%s/%s", r->dir, p->rel) >= (int)sizeof d) {
		kr_err_set(err, ENAMETOOLONG, 0, "repository path too long");
		kr_ca_free(ca);
		return -1;
	}
	memcpy(p->dir, d, sizeof d);
	r->npt++;
	if (mkdirs(p->dir, err))
		return -1;
	return (int)r->npt - 1;
}

static void free_obj(struct object *o)
{
	OPENSSL_free(o->der);
	o->der = NULL;
}

void kr_repo_free(struct kr_repo *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npt; i++) {
		for (size_t j = 0; j < r->pt[i].nobj; j++)
			free_obj(&r->pt[i].obj[j]);
		kr_ca_free(r->pt[i].ca);
	}
	free(r);
}

struct kr_repo *kr_repo_new(const char *dir, const char *log, const char *ta_name, EVP_PKEY *ta_key,
			    const struct kr_as_range *as, size_t nas, struct kr_err *err)
{
	struct kr_repo *r = calloc(1, sizeof *r);
	if (!r) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	snprintf(r->dir, sizeof r->dir, "%s", dir);
	if (log)
		snprintf(r->log, sizeof r->log, "%s", log);
	struct kr_ca_opts o = { .name = ta_name, .as = as, .nas = nas, .key = ta_key };
	struct kr_ca *ta = kr_ca_new_ta(&o, err);
	if (!ta || mkdirs(r->dir, err) || add_point(r, ta, err) < 0)
		goto bad;
	if (snprintf(r->ta_file, sizeof r->ta_file, "%s/%s", r->dir, uri_path(kr_ca_cert_uri(ta))) >=
	    (int)sizeof r->ta_file) {
		kr_err_set(err, ENAMETOOLONG, 0, "repository path too long");
		goto bad;
	}
	char *slash = strrchr(r->ta_file, '/');
	*slash = 0;
	if (mkdirs(r->ta_file, err))
		goto bad;
	*slash = '/';
	if (kr_x509_save(kr_ca_cert(ta), r->ta_file, true, err))
		goto bad;
	return r;
bad:
	kr_repo_free(r);
	return NULL;
}

struct kr_ca *kr_repo_ca(struct kr_repo *r, int ca)
{
	return ca >= 0 && (size_t)ca < r->npt ? r->pt[ca].ca : NULL;
}

const char *kr_repo_point_uri(struct kr_repo *r, int ca)
{
	return kr_ca_repo_uri(r->pt[ca].ca);
}

int kr_repo_add_ca(struct kr_repo *r, const char *name, EVP_PKEY *key, const struct kr_as_range *as,
		   size_t nas, struct kr_err *err)
{
	struct kr_ca_opts o = { .name = name, .as = as, .nas = nas, .key = key };
	struct kr_ca *ca = kr_ca_new_sub(r->pt[0].ca, &o, err);
	if (!ca)
		return -1;
	char file[128];
	snprintf(file, sizeof file, "%s.cer", name);
	if (kr_repo_put(r, 0, file, kr_ca_cert(ca), err)) {
		kr_ca_free(ca);
		return -1;
	}
	return add_point(r, ca, err);
}

static struct object *find_obj(struct point *p, const char *name)
{
	for (size_t i = 0; i < p->nobj; i++)
		if (!strcmp(p->obj[i].name, name))
			return &p->obj[i];
	return NULL;
}

int kr_repo_put(struct kr_repo *r, int ca, const char *name, X509 *cert, struct kr_err *err)
{
	struct point *p = &r->pt[ca];
	struct object *o = find_obj(p, name);
	if (!o) {
		if (p->nobj >= MAX_OBJECTS || strlen(name) >= sizeof o->name) {
			kr_err_set(err, ENOSPC, 0, "publication point full or name too long: %s", name);
			return -1;
		}
		o = &p->obj[p->nobj++];
		snprintf(o->name, sizeof o->name, "%s", name);
	} else {
		free_obj(o);
	}
	if (der_of(cert, &o->der, &o->len, err)) {
		*o = p->obj[--p->nobj];
		return -1;
	}
	return 0;
}

int kr_repo_remove(struct kr_repo *r, int ca, const char *name)
{
	struct point *p = &r->pt[ca];
	struct object *o = find_obj(p, name);
	if (!o)
		return 1;
	free_obj(o);
	*o = p->obj[--p->nobj];
	return 0;
}

int kr_repo_publish(struct kr_repo *r, int ca, const char *bad_hash, const char *why, struct kr_pub_info *info,
		    struct kr_err *err)
{
	struct point *p = &r->pt[ca];
	struct kr_pub_file files[MAX_OBJECTS];
	for (size_t i = 0; i < p->nobj; i++)
		files[i] = (struct kr_pub_file){ p->obj[i].name, p->obj[i].der, p->obj[i].len };
	struct kr_pub_opts o = { .dir = p->dir, .files = files, .nfiles = p->nobj, .prune = true,
				 .bad_hash = bad_hash };
	struct kr_pub_info pi;
	if (kr_ca_publish(p->ca, &o, &pi, err))
		return -1;
	logf_line(r, "publish %s CRL #%llu manifest #%llu, %zu object%s%s%s: %s", kr_ca_repo_uri(p->ca),
		  (unsigned long long)pi.crl_number, (unsigned long long)pi.mft_number, p->nobj,
		  p->nobj == 1 ? "" : "s", bad_hash ? ", wrong manifest hash for " : "", bad_hash ? bad_hash : "",
		  why ? why : "");
	if (info)
		*info = pi;
	return 0;
}

int kr_repo_write_tal(struct kr_repo *r, const char *path, struct kr_err *err)
{
	return kr_ca_write_tal(r->pt[0].ca, path, err);
}

static int copy(const char *src, const char *dst, struct kr_err *err)
{
	char msg[256];
	if (kr_copy_tree(src, dst, msg, sizeof msg) == 0)
		return 0;
	kr_err_set(err, EIO, 0, "%s", msg);
	return -1;
}

static bool join(char *out, size_t sz, const char *dir, const char *name)
{
	return snprintf(out, sz, "%s/%s", dir, name) < (int)sz;
}

/* dst becomes a copy of src's files (a point has no subfolders): what
 * left the point leaves the cache too, as with rsync --delete. */
static int mirror(const char *src, const char *dst, struct kr_err *err)
{
	DIR *d = opendir(dst);
	struct dirent *e;
	char a[PATH_MAX * 2 + 2], b[PATH_MAX * 2 + 2];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && join(a, sizeof a, src, e->d_name) && join(b, sizeof b, dst, e->d_name) &&
		    access(a, F_OK) < 0)
			unlink(b);
	if (d)
		closedir(d);
	return copy(src, dst, err);
}

int kr_repo_sync(struct kr_repo *r, const char *cache, const char *tal_name, struct kr_err *err)
{
	char dst[PATH_MAX * 2];
	for (size_t i = 0; i < r->npt; i++) {
		if (snprintf(dst, sizeof dst, "%s/%s", cache, r->pt[i].rel) >= (int)sizeof dst) {
			kr_err_set(err, ENAMETOOLONG, 0, "cache path too long");
			return -1;
		}
		if (mirror(r->pt[i].dir, dst, err))
			return -1;
	}
	if (snprintf(dst, sizeof dst, "%s/ta/%s", cache, tal_name) >= (int)sizeof dst - 256 || mkdirs(dst, err))
		return -1;
	size_t l = strlen(dst);
	snprintf(dst + l, sizeof dst - l, "/%.200s", strrchr(r->ta_file, '/') + 1);
	return copy(r->ta_file, dst, err);
}
