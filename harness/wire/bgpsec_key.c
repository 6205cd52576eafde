/* Router keys (ECDSA P-256, RFC 8208 §3 / RFC 8608 §3.1): load, generate,
 * save, SPKI DER and the RPKI Subject Key Identifier (RFC 6487 §4.8.2). */
#include "wire/bgpsec_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#define MAX_KEY_FILE (64 * 1024)

static bool is_p256(EVP_PKEY *pk)
{
	char name[64];
	if (!EVP_PKEY_is_a(pk, "EC"))
		return false;
	if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, NULL))
		return false;
	return !strcmp(name, "prime256v1") || !strcmp(name, "P-256") || !strcmp(name, "secp256r1");
}

int kr_ski_from_pkey(EVP_PKEY *pk, uint8_t ski[KR_SKI_LEN])
{
	/* The subjectPublicKey BIT STRING contents: for EC the encoded point
	 * 04||X||Y. Taken from the X509_PUBKEY so that the hashed octets are
	 * exactly those of the SPKI. */
	X509_PUBKEY *xp = NULL;
	const unsigned char *bits;
	int blen;
	int rc = -1;
	if (X509_PUBKEY_set(&xp, pk) == 1 &&
	    X509_PUBKEY_get0_param(NULL, &bits, &blen, NULL, xp) == 1 && blen > 0) {
		SHA1(bits, (size_t)blen, ski);
		rc = 0;
	}
	X509_PUBKEY_free(xp);
	return rc;
}

/* Takes ownership of pk. */
static int key_adopt(struct kr_key *k, uint32_t asn, EVP_PKEY *pk, struct kr_err *err)
{
	memset(k, 0, sizeof *k);
	if (!is_p256(pk)) {
		EVP_PKEY_free(pk);
		kr_err_set(err, EINVAL, 0, "not an ECDSA P-256 key (RFC 8608 §3.1 requires P-256)");
		return -1;
	}
	if (kr_ski_from_pkey(pk, k->ski) < 0) {
		EVP_PKEY_free(pk);
		kr_err_set(err, EINVAL, 0, "cannot encode public key");
		return -1;
	}
	BIGNUM *d = NULL;
	k->has_private = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
	BN_clear_free(d);
	k->pkey = pk;
	k->asn = asn;
	return 0;
}

static EVP_PKEY *decode_any(const uint8_t *buf, size_t len, const char *fmt)
{
	EVP_PKEY *pk = NULL;
	OSSL_DECODER_CTX *dc = OSSL_DECODER_CTX_new_for_pkey(&pk, fmt, NULL, NULL, 0, NULL, NULL);
	if (!dc)
		return NULL;
	const unsigned char *p = buf;
	size_t l = len;
	if (OSSL_DECODER_from_data(dc, &p, &l) != 1)
		pk = NULL;
	OSSL_DECODER_CTX_free(dc);
	return pk;
}

/* A certificate's key is accepted too (router certificates carry it). */
static EVP_PKEY *decode_cert(const uint8_t *buf, size_t len)
{
	X509 *x = NULL;
	if (len > 10 && !memcmp(buf, "-----BEGIN", 10)) {
		BIO *b = BIO_new_mem_buf(buf, (int)len);
		if (b)
			x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	} else {
		const unsigned char *p = buf;
		x = d2i_X509(NULL, &p, (long)len);
	}
	if (!x)
		return NULL;
	EVP_PKEY *pk = X509_get_pubkey(x);
	X509_free(x);
	return pk;
}

int kr_key_from_der(struct kr_key *k, uint32_t asn, const uint8_t *der, size_t len,
		    struct kr_err *err)
{
	/* Accepts PEM too: the decoder tries every input type. */
	EVP_PKEY *pk = decode_any(der, len, NULL);
	if (!pk)
		pk = decode_cert(der, len);
	if (!pk) {
		memset(k, 0, sizeof *k);
		kr_err_set(err, EINVAL, 0, "not a PEM/DER key or certificate");
		return -1;
	}
	return key_adopt(k, asn, pk, err);
}

int kr_key_from_spki(struct kr_key *k, uint32_t asn, const uint8_t *spki, size_t len,
		     struct kr_err *err)
{
	const unsigned char *p = spki;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);
	if (!pk || p != spki + len) {
		EVP_PKEY_free(pk);
		memset(k, 0, sizeof *k);
		kr_err_set(err, EINVAL, 0, "bad SubjectPublicKeyInfo DER (%zu octets)", len);
		return -1;
	}
	return key_adopt(k, asn, pk, err);
}

int kr_key_load_file(struct kr_key *k, uint32_t asn, const char *path, struct kr_err *err)
{
	memset(k, 0, sizeof *k);
	FILE *f = fopen(path, "rb");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	static const size_t cap = MAX_KEY_FILE;
	uint8_t *buf = OPENSSL_malloc(cap);
	size_t n = buf ? fread(buf, 1, cap, f) : 0;
	bool toolong = buf && n == cap;
	fclose(f);
	int rc = -1;
	if (!buf)
		kr_err_set(err, ENOMEM, 0, "%s: out of memory", path);
	else if (toolong)
		kr_err_set(err, EFBIG, 0, "%s: larger than %zu octets", path, cap);
	else if ((rc = kr_key_from_der(k, asn, buf, n, err)) < 0) {
		char m[sizeof err->msg];
		snprintf(m, sizeof m, "%s", err ? err->msg : "");
		kr_err_set(err, EINVAL, 0, "%s: %s", path, m);
	}
	OPENSSL_clear_free(buf, cap);
	return rc;
}

int kr_key_generate(struct kr_key *k, uint32_t asn, struct kr_err *err)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	if (!pk) {
		memset(k, 0, sizeof *k);
		kr_err_set(err, EIO, 0, "EC key generation failed");
		return -1;
	}
	return key_adopt(k, asn, pk, err);
}

int kr_key_from_raw_d(struct kr_key *k, uint32_t asn, const uint8_t d[32], struct kr_err *err)
{
	/* Vectors give only d; the public point Q = dG is computed here. */
	memset(k, 0, sizeof *k);
	EVP_PKEY *pk = NULL;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *bd = BN_bin2bn(d, 32, NULL);
	EC_POINT *q = g ? EC_POINT_new(g) : NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	uint8_t pub[65];
	if (!g || !bd || !q || !bld || !pc || BN_is_zero(bd) ||
	    BN_cmp(bd, EC_GROUP_get0_order(g)) >= 0)
		goto out;
	if (EC_POINT_mul(g, q, bd, NULL, NULL, NULL) != 1 ||
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, NULL) != 65)
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
		pk = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(pc);
	EC_POINT_free(q);
	BN_clear_free(bd);
	EC_GROUP_free(g);
	if (!pk) {
		kr_err_set(err, EINVAL, 0, "private scalar d not in [1, n-1] or OpenSSL failure");
		return -1;
	}
	return key_adopt(k, asn, pk, err);
}

int kr_key_save_pem(const struct kr_key *k, const char *path, bool private_part, struct kr_err *err)
{
	if (private_part && !k->has_private) {
		kr_err_set(err, EINVAL, 0, "%s: key has no private part", path);
		return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, private_part ? 0600 : 0644);
	if (fd < 0) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* An existing file keeps its mode on O_CREAT: force it for secrets. */
	if (private_part && fchmod(fd, 0600) < 0) {
		kr_err_set(err, errno, 0, "%s: chmod: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	int ok = private_part ? PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL)
			      : PEM_write_PUBKEY(f, k->pkey);
	if (fclose(f) != 0)
		ok = 0;
	if (ok != 1) {
		kr_err_set(err, EIO, 0, "%s: write failed", path);
		return -1;
	}
	return 0;
}

int kr_key_spki_der(const struct kr_key *k, uint8_t *out, size_t cap, size_t *len)
{
	int n = i2d_PUBKEY(k->pkey, NULL);
	if (n <= 0 || (size_t)n > cap)
		return -1;
	unsigned char *p = out;
	if (i2d_PUBKEY(k->pkey, &p) != n)
		return -1;
	*len = (size_t)n;
	return 0;
}

void kr_key_free(struct kr_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof *k);
}
