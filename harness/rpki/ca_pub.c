/* A CA's publication point on disk (RFC 6481 §2, RFC 9286 §4): every
 * publication writes a new CRL and the published objects, then a manifest
 * over all of them, so a relying party always finds a consistent point.
 * See ca.h. */
#include "rpki/ca_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written beside and renamed over the old file: a reader never sees half
 * an object. */
static int write_file(const char *dir, const char *name, const void *p, size_t n, struct kr_err *err)
{
	char path[4096], tmp[4200];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		kr_err_set(err, ENAMETOOLONG, 0, "path too long: %s/%s", dir, name);
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	FILE *f = fopen(tmp, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) || rename(tmp, path)) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		if (f)
			unlink(tmp);
		return -1;
	}
	return 0;
}

static bool listed(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Objects the CA no longer publishes leave the point. */
static int prune(const char *dir, const char *const *names, size_t n, struct kr_err *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		kr_err_set(err, errno, 0, "%s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && !listed(e->d_name, names, n)) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (unlink(path) < 0 && errno != ENOENT) {
				kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
				rc = -1;
			}
		}
	closedir(d);
	return rc;
}

int kr_ca_publish(struct kr_ca *ca, const struct kr_pub_opts *o, struct kr_pub_info *info, struct kr_err *err)
{
	size_t n = o->nfiles + 1;
	const char **names = calloc(n + 1, sizeof *names);
	const uint8_t **data = calloc(n, sizeof *data), **hashed = calloc(n, sizeof *hashed);
	size_t *lens = calloc(n, sizeof *lens);
	uint8_t *crl_der = NULL, *wrong = NULL;
	struct kr_bytes mft = { 0 };
	char crl_name[80], mft_name[80];
	int64_t now = o->this_update ? o->this_update : (int64_t)time(NULL);
	int64_t next = o->next_update ? o->next_update : now + 86400;
	int rc = -1;
	if (!names || !data || !hashed || !lens) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		goto out;
	}
	snprintf(crl_name, sizeof crl_name, "%s.crl", ca->name);
	snprintf(mft_name, sizeof mft_name, "%s.mft", ca->name);
	uint64_t crl_number = ca->crl_number;
	X509_CRL *crl = kr_ca_crl(ca, now, next, err);
	int l = crl ? i2d_X509_CRL(crl, &crl_der) : -1;
	X509_CRL_free(crl);
	if (l <= 0) {
		if (crl)
			kr_ca_ssl_err(err, "CRL encoding");
		goto out;
	}
	names[0] = crl_name;
	data[0] = hashed[0] = crl_der;
	lens[0] = (size_t)l;
	for (size_t i = 0; i < o->nfiles; i++) {
		names[i + 1] = o->files[i].name;
		data[i + 1] = hashed[i + 1] = o->files[i].data;
		lens[i + 1] = o->files[i].len;
		if (o->bad_hash && !strcmp(o->bad_hash, o->files[i].name)) {
			/* The manifest hashes other octets than the file holds:
			 * a relying party must reject the object (RFC 9286 §6.5). */
			wrong = malloc(lens[i + 1] ? lens[i + 1] : 1);
			if (!wrong) {
				kr_err_set(err, ENOMEM, 0, "out of memory");
				goto out;
			}
			memcpy(wrong, data[i + 1], lens[i + 1]);
			wrong[0] ^= 0xff;
			hashed[i + 1] = wrong;
		}
	}
	uint64_t mft_number = ca->mft_number;
	if (kr_ca_manifest(ca, names, hashed, lens, n, now, next, &mft, err))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (write_file(o->dir, names[i], data[i], lens[i], err))
			goto out;
	if (write_file(o->dir, mft_name, mft.p, mft.len, err))
		goto out;
	names[n] = mft_name;
	if (o->prune && prune(o->dir, names, n + 1, err))
		goto out;
	if (info) {
		info->crl_number = crl_number;
		info->mft_number = mft_number;
		info->this_update = now;
	}
	rc = 0;
out:
	OPENSSL_free(crl_der);
	free(wrong);
	kr_bytes_free(&mft);
	free(names);
	free(data);
	free(hashed);
	free(lens);
	return rc;
}

int kr_ca_write_tal(const struct kr_ca *ca, const char *path, struct kr_err *err)
{
	unsigned char *spki = NULL;
	int l = i2d_PUBKEY(ca->key, &spki);
	char *b64 = l > 0 ? malloc(4 * ((size_t)l + 2) / 3 + 4) : NULL;
	int rc = -1;
	if (b64) {
		EVP_EncodeBlock((unsigned char *)b64, spki, l);
		/* RFC 8630 §2.2: URI section, an empty line, base64 SPKI */
		FILE *f = fopen(path, "w");
		if (f && fprintf(f, "%s\n\n%s\n", ca->cert_uri, b64) > 0 && !fclose(f))
			rc = 0;
		else if (f)
			fclose(f);
		if (rc)
			kr_err_set(err, errno, 0, "cannot write %s", path);
	} else {
		kr_err_set(err, ENOMEM, 0, "TAL: cannot encode the TA key");
	}
	free(b64);
	OPENSSL_free(spki);
	return rc;
}
