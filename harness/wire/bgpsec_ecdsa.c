/* Suite 1 primitives (SHA-256, ECDSA P-256; RFC 8608 §2.2.1) on OpenSSL 3
 * EVP, with a per-thread context that keeps the digest context and one
 * EVP_PKEY_CTX per recently used key, so the hot paths neither fetch
 * algorithms nor set up contexts per signature. */
#include "wire/bgpsec_crypto.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "wire/bgpsec_ctx.h"

#define PK_CACHE 64

enum { OP_SIGN = 1, OP_VERIFY = 2 };

struct pk_slot {
	EVP_PKEY *pk;       /* identity only; ctx holds the reference */
	int op;
	EVP_PKEY_CTX *ctx;
};

/* A verification's result: the key (a reference is held, so its address
 * cannot be reused by another key while remembered) and SHA-256 of the
 * digest and the signature. */
struct memo_slot {
	EVP_PKEY *pk;
	uint8_t h[32];
	bool ok;
};

struct kr_crypto_ctx {
	EVP_MD *sha256;
	EVP_MD_CTX *md;
	struct pk_slot slot[PK_CACHE];
	uint8_t *buf;       /* hash-input scratch, KR_HASH_INPUT_MAX octets */
	struct memo_slot *memo; /* NULL: off */
	size_t memo_mask;
	uint64_t memo_hits;
};

struct kr_crypto_ctx *kr_crypto_ctx_new(void)
{
	struct kr_crypto_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	c->md = EVP_MD_CTX_new();
	c->buf = malloc(KR_HASH_INPUT_MAX);
	if (!c->sha256 || !c->md || !c->buf) {
		kr_crypto_ctx_free(c);
		return NULL;
	}
	return c;
}

void kr_crypto_ctx_free(struct kr_crypto_ctx *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < PK_CACHE; i++)
		EVP_PKEY_CTX_free(c->slot[i].ctx);
	if (c->memo)
		for (size_t i = 0; i <= c->memo_mask; i++)
			EVP_PKEY_free(c->memo[i].pk);
	free(c->memo);
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	free(c->buf);
	free(c);
}

uint8_t *kr_crypto_ctx_buf(struct kr_crypto_ctx *c) { return c->buf; }

int kr_crypto_ctx_memo(struct kr_crypto_ctx *c, size_t slots)
{
	if (c->memo || slots == 0 || (slots & (slots - 1)))
		return c->memo || slots == 0 ? 0 : (errno = EINVAL, -1);
	c->memo = calloc(slots, sizeof *c->memo);
	if (!c->memo)
		return -1;
	c->memo_mask = slots - 1;
	return 0;
}

uint64_t kr_crypto_ctx_memo_hits(const struct kr_crypto_ctx *c) { return c->memo_hits; }

size_t kr_crypto_ctx_memo_bytes(const struct kr_crypto_ctx *c)
{
	return c && c->memo ? (c->memo_mask + 1) * sizeof *c->memo : 0;
}

int kr_sha256(struct kr_crypto_ctx *c, const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	if (EVP_DigestInit_ex2(c->md, c->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(c->md, data, len) != 1 || EVP_DigestFinal_ex(c->md, out, &n) != 1 ||
	    n != 32)
		return -1;
	return 0;
}

static EVP_PKEY_CTX *pk_ctx(struct kr_crypto_ctx *c, EVP_PKEY *pk, int op)
{
	uintptr_t h = (uintptr_t)pk;
	h = (h >> 4 ^ h >> 12 ^ (uintptr_t)op) % PK_CACHE;
	struct pk_slot *s = &c->slot[h];
	if (s->ctx && s->pk == pk && s->op == op)
		return s->ctx;
	EVP_PKEY_CTX_free(s->ctx);
	s->ctx = NULL;
	/* The new context takes its own reference on pk, so the key stays
	 * alive (and its address unused) while cached here. */
	EVP_PKEY_CTX *x = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!x)
		return NULL;
	if ((op == OP_SIGN ? EVP_PKEY_sign_init(x) : EVP_PKEY_verify_init(x)) != 1) {
		EVP_PKEY_CTX_free(x);
		return NULL;
	}
	s->pk = pk;
	s->op = op;
	s->ctx = x;
	return x;
}

/* TEST-ONLY: ECDSA with a caller-chosen nonce, for reproducing published
 * golden vectors (RFC 8208 App. A reuses one k for every signature). A
 * reused or predictable k reveals the private key (RFC 8205 §7.8), and
 * OpenSSL's EVP interface rightly does not take one, so the textbook
 * formula is computed here with BIGNUM/EC_POINT arithmetic:
 *   r = x(kG) mod n,  s = k^-1 (e + r d) mod n. */
static int ecdsa_sign_fixed_k(EVP_PKEY *pk, const uint8_t digest[32], const uint8_t k32[32],
			      uint8_t *sig, size_t *sig_len)
{
	int rc = -1;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *d = NULL, *k = BN_bin2bn(k32, 32, NULL), *e = BN_bin2bn(digest, 32, NULL);
	BIGNUM *x = BN_new(), *r = BN_new(), *s = BN_new(), *kinv = BN_new();
	EC_POINT *R = g ? EC_POINT_new(g) : NULL;
	ECDSA_SIG *es = NULL;
	if (!g || !bc || !k || !e || !x || !r || !s || !kinv || !R ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1)
		goto out;
	const BIGNUM *n = EC_GROUP_get0_order(g);
	if (BN_is_zero(k) || BN_cmp(k, n) >= 0)
		goto out;
	/* e is the full 256-bit digest: P-256's order has 256 bits, so no
	 * truncation (FIPS 186-4 §6.4). */
	if (EC_POINT_mul(g, R, k, NULL, NULL, bc) != 1 ||
	    EC_POINT_get_affine_coordinates(g, R, x, NULL, bc) != 1 ||
	    BN_nnmod(r, x, n, bc) != 1 || BN_is_zero(r) ||
	    !BN_mod_inverse(kinv, k, n, bc) ||
	    BN_mod_mul(s, r, d, n, bc) != 1 || BN_mod_add(s, s, e, n, bc) != 1 ||
	    BN_mod_mul(s, s, kinv, n, bc) != 1 || BN_is_zero(s))
		goto out;
	es = ECDSA_SIG_new();
	if (!es || ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL; /* owned by es */
	int len = i2d_ECDSA_SIG(es, NULL);
	if (len <= 0 || len > KR_SIG_MAX)
		goto out;
	unsigned char *p = sig;
	if (i2d_ECDSA_SIG(es, &p) != len)
		goto out;
	*sig_len = (size_t)len;
	rc = 0;
out:
	ECDSA_SIG_free(es);
	EC_POINT_free(R);
	BN_clear_free(kinv);
	BN_free(r);
	BN_free(s);
	BN_free(x);
	BN_free(e);
	BN_clear_free(k);
	BN_clear_free(d);
	BN_CTX_free(bc);
	EC_GROUP_free(g);
	return rc;
}

int kr_ecdsa_sign_digest(struct kr_crypto_ctx *c, EVP_PKEY *pk, const uint8_t digest[32],
			 const uint8_t *fixed_k, uint8_t sig[KR_SIG_MAX], size_t *sig_len,
			 struct kr_err *err)
{
	if (fixed_k) {
		if (ecdsa_sign_fixed_k(pk, digest, fixed_k, sig, sig_len) < 0) {
			kr_err_set(err, EINVAL, 0, "fixed-k ECDSA failed (k out of range or no private key)");
			return -1;
		}
		return 0;
	}
	EVP_PKEY_CTX *x = pk_ctx(c, pk, OP_SIGN);
	size_t len = KR_SIG_MAX;
	if (!x || EVP_PKEY_sign(x, sig, &len, digest, 32) != 1) {
		kr_err_set(err, EIO, 0, "ECDSA signing failed");
		return -1;
	}
	*sig_len = len;
	return 0;
}

int kr_ecdsa_verify_digest(struct kr_crypto_ctx *c, EVP_PKEY *pk, const uint8_t digest[32],
			   const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *x = pk_ctx(c, pk, OP_VERIFY);
	if (!x)
		return -1;
	struct memo_slot *m = NULL;
	uint8_t h[32];
	if (c->memo) {
		/* the hash input scratch may hold the caller's data: hash in parts */
		unsigned int n = 0;
		if (EVP_DigestInit_ex2(c->md, c->sha256, NULL) != 1 || EVP_DigestUpdate(c->md, digest, 32) != 1 ||
		    EVP_DigestUpdate(c->md, sig, sig_len) != 1 || EVP_DigestFinal_ex(c->md, h, &n) != 1)
			return -1;
		m = &c->memo[(((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3]) & c->memo_mask];
		if (m->pk == pk && memcmp(m->h, h, sizeof h) == 0) {
			c->memo_hits++;
			return m->ok;
		}
	}
	/* OpenSSL returns 0 for a wrong signature and a negative value for
	 * undecodable DER: both mean "does not verify". */
	bool ok = EVP_PKEY_verify(x, sig, sig_len, digest, 32) == 1;
	if (m && EVP_PKEY_up_ref(pk) == 1) {
		EVP_PKEY_free(m->pk);
		m->pk = pk;
		memcpy(m->h, h, sizeof h);
		m->ok = ok;
	}
	return ok;
}
