/* CA persistence (DIR/ca.key, ca.pem, ca.cer, ca.json) and PEM/DER file
 * helpers for certificates, CRLs, requests and keys. See ca.h. */
#include "rpki/ca_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OBJ_FILE (1024 * 1024)

/* Open for writing; private material gets mode 0600 even if the file existed. */
static FILE *wopen(const char *path, bool private_part, struct kr_err *err)
{
	mode_t mode = private_part ? 0600 : 0644;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || fchmod(fd, mode) < 0) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

static int wclose(FILE *f, const char *path, int ok, struct kr_err *err)
{
	if (fclose(f) != 0 && ok) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!ok) {
		kr_ca_ssl_err(err, path);
		return -1;
	}
	return 0;
}

int kr_x509_save(X509 *c, const char *path, bool der, struct kr_err *err)
{
	FILE *f = wopen(path, false, err);
	if (!f)
		return -1;
	return wclose(f, path, der ? i2d_X509_fp(f, c) : PEM_write_X509(f, c), err);
}

int kr_crl_save(X509_CRL *c, const char *path, bool der, struct kr_err *err)
{
	FILE *f = wopen(path, false, err);
	if (!f)
		return -1;
	return wclose(f, path, der ? i2d_X509_CRL_fp(f, c) : PEM_write_X509_CRL(f, c), err);
}

int kr_pkey_save(EVP_PKEY *k, const char *path, bool private_part, struct kr_err *err)
{
	FILE *f = wopen(path, private_part, err);
	if (!f)
		return -1;
	int ok = private_part ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, k);
	return wclose(f, path, ok, err);
}

/* Whole file in memory (small objects only). */
static BIO *slurp(const char *path, bool *pem, struct kr_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(MAX_OBJ_FILE);
	size_t n = buf ? fread(buf, 1, MAX_OBJ_FILE, f) : 0;
	bool too_big = buf && n == MAX_OBJ_FILE;
	fclose(f);
	if (!buf || too_big || n == 0) {
		kr_err_set(err, EINVAL, 0, "%s: %s", path, !buf ? "out of memory" : n ? "file too large" : "empty file");
		free(buf);
		return NULL;
	}
	*pem = memmem(buf, n, "-----BEGIN", 10) != NULL;
	BIO *b = BIO_new(BIO_s_mem());
	if (b && BIO_write(b, buf, (int)n) != (int)n) {
		BIO_free(b);
		b = NULL;
	}
	free(buf);
	return b;
}

#define LOADER(fn, type, pemfn, derfn, what)                                             \
	type *fn(const char *path, struct kr_err *err)                                  \
	{                                                                                \
		bool pem;                                                                \
		BIO *b = slurp(path, &pem, err);                                         \
		if (!b)                                                                  \
			return NULL;                                                     \
		type *o = pem ? pemfn(b, NULL, NULL, NULL) : derfn(b, NULL);             \
		BIO_free(b);                                                             \
		if (!o) {                                                                \
			char w[300];                                                     \
			snprintf(w, sizeof w, "%s: not a %s %s", path, pem ? "PEM" : "DER", what); \
			kr_ca_ssl_err(err, w);                                           \
		}                                                                        \
		return o;                                                                \
	}

LOADER(kr_x509_load, X509, PEM_read_bio_X509, d2i_X509_bio, "certificate")
LOADER(kr_csr_load, X509_REQ, PEM_read_bio_X509_REQ, d2i_X509_REQ_bio, "PKCS#10 request")

EVP_PKEY *kr_pkey_load(const char *path, struct kr_err *err)
{
	bool pem;
	BIO *b = slurp(path, &pem, err);
	if (!b)
		return NULL;
	EVP_PKEY *k = pem ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : d2i_PrivateKey_bio(b, NULL);
	if (!k) {
		(void)BIO_reset(b);
		k = pem ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : d2i_PUBKEY_bio(b, NULL);
	}
	BIO_free(b);
	if (!k) {
		char w[300];
		snprintf(w, sizeof w, "%s: not a %s private or public key", path, pem ? "PEM" : "DER");
		kr_ca_ssl_err(err, w);
	}
	return k;
}

static void join(char *out, size_t sz, const char *dir, const char *file)
{
	snprintf(out, sz, "%s/%s", dir, file);
}

int kr_ca_save(const struct kr_ca *ca, const char *dir, struct kr_err *err)
{
	char p[4096];
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		kr_err_set(err, errno, 0, "%s: %s", dir, strerror(errno));
		return -1;
	}
	join(p, sizeof p, dir, "ca.key");
	if (kr_pkey_save(ca->key, p, true, err))
		return -1;
	join(p, sizeof p, dir, "ca.pem");
	if (kr_x509_save(ca->cert, p, false, err))
		return -1;
	join(p, sizeof p, dir, "ca.cer");
	if (kr_x509_save(ca->cert, p, true, err))
		return -1;
	json_t *rev = json_array();
	for (size_t i = 0; i < ca->nrevoked; i++)
		json_array_append_new(rev, json_pack("{s:I,s:I,s:I}", "serial", (json_int_t)ca->revoked[i].serial, "when",
						     (json_int_t)ca->revoked[i].when, "not_after",
						     (json_int_t)ca->revoked[i].not_after));
	json_t *st = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:o}", "name", ca->name, "repo", ca->repo, "cert_uri",
			       ca->cert_uri, "crl_uri", ca->crl_uri, "next_serial", (json_int_t)ca->next_serial,
			       "crl_number", (json_int_t)ca->crl_number, "mft_number", (json_int_t)ca->mft_number,
			       "revoked", rev);
	join(p, sizeof p, dir, "ca.json");
	int rc = st && json_dump_file(st, p, JSON_INDENT(1)) == 0 ? 0 : -1;
	if (rc)
		kr_err_set(err, EIO, 0, "%s: cannot write", p);
	json_decref(st);
	return rc;
}

struct kr_ca *kr_ca_load(const char *dir, struct kr_err *err)
{
	char p[4096];
	struct kr_ca *ca = calloc(1, sizeof *ca);
	if (!ca)
		return NULL;
	join(p, sizeof p, dir, "ca.key");
	if (!(ca->key = kr_pkey_load(p, err)))
		goto bad;
	join(p, sizeof p, dir, "ca.pem");
	if (!(ca->cert = kr_x509_load(p, err)))
		goto bad;
	join(p, sizeof p, dir, "ca.json");
	json_error_t je;
	json_t *st = json_load_file(p, 0, &je);
	if (!st) {
		kr_err_set(err, EINVAL, (size_t)je.line, "%s:%d: %s", p, je.line, je.text);
		goto bad;
	}
	const char *name, *repo, *cu, *cr;
	json_int_t ns, cn;
	json_t *rev;
	if (json_unpack(st, "{s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "name", &name, "repo", &repo, "cert_uri", &cu, "crl_uri",
			&cr, "next_serial", &ns, "crl_number", &cn, "revoked", &rev) ||
	    !json_is_array(rev) || ns < 1 || cn < 1) {
		kr_err_set(err, EINVAL, 0, "%s: missing or bad members", p);
		json_decref(st);
		goto bad;
	}
	snprintf(ca->name, sizeof ca->name, "%s", name);
	snprintf(ca->repo, sizeof ca->repo, "%s", repo);
	snprintf(ca->cert_uri, sizeof ca->cert_uri, "%s", cu);
	snprintf(ca->crl_uri, sizeof ca->crl_uri, "%s", cr);
	ca->next_serial = (uint64_t)ns;
	ca->crl_number = (uint64_t)cn;
	json_t *mn = json_object_get(st, "mft_number");
	ca->mft_number = json_is_integer(mn) && json_integer_value(mn) > 0 ? (uint64_t)json_integer_value(mn) : 1;
	size_t i;
	json_t *e;
	json_array_foreach(rev, i, e) {
		json_int_t s, w, na;
		if (json_unpack(e, "{s:I,s:I,s:I}", "serial", &s, "when", &w, "not_after", &na) ||
		    kr_ca_revoke(ca, (uint64_t)s, w, na) < 0) {
			kr_err_set(err, EINVAL, i, "%s: revoked[%zu] is bad", p, i);
			json_decref(st);
			goto bad;
		}
	}
	json_decref(st);
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		kr_err_set(err, EINVAL, 0, "%s: ca.key does not match ca.pem", dir);
		goto bad;
	}
	return ca;
bad:
	kr_ca_free(ca);
	return NULL;
}
