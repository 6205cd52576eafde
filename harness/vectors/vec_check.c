/* Checking vectors: decode the UPDATE, validate it with the file's keys,
 * compare with the expectation, then every published value (hash inputs,
 * digests, signatures, fixed-k reproduction, type-33 re-encoding). */
#include "vectors/vecfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "wire/bgpsec_ctx.h"

__attribute__((format(printf, 3, 4))) static int say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return 0;
}

int kr_vec_key_build(const struct kr_vec_key *vk, struct kr_key *k, char *why, size_t whysz)
{
	struct kr_err e = { 0 };
	struct kr_key tmp;
	memset(k, 0, sizeof *k);
	if (vk->has_d && kr_key_from_raw_d(k, vk->asn, vk->d, &e) < 0)
		return say(why, whysz, "private-d: %s", e.msg), -1;
	if (vk->spki.p) {
		if (kr_key_from_spki(&tmp, vk->asn, vk->spki.p, vk->spki.len, &e) < 0) {
			kr_key_free(k);
			return say(why, whysz, "spki (line %zu): %s", vk->spki.line, e.msg), -1;
		}
		if (k->pkey && EVP_PKEY_eq(k->pkey, tmp.pkey) != 1) {
			kr_key_free(&tmp);
			kr_key_free(k);
			return say(why, whysz, "spki (line %zu) is not the key of private-d",
				   vk->spki.line), -1;
		}
		if (k->pkey)
			kr_key_free(&tmp);
		else
			*k = tmp;
	}
	if (vk->cert.p) {
		const unsigned char *p = vk->cert.p;
		X509 *x = d2i_X509(NULL, &p, (long)vk->cert.len);
		if (!x || p != vk->cert.p + vk->cert.len) {
			X509_free(x);
			kr_key_free(k);
			return say(why, whysz, "cert (line %zu): not one DER certificate",
				   vk->cert.line), -1;
		}
		EVP_PKEY *cpk = X509_get0_pubkey(x);
		const ASN1_OCTET_STRING *cski = X509_get0_subject_key_id(x);
		int rc = 0;
		if (!cpk) {
			rc = say(why, whysz, "cert (line %zu): no usable public key", vk->cert.line) - 1;
		} else if (k->pkey && EVP_PKEY_eq(k->pkey, cpk) != 1) {
			rc = say(why, whysz, "cert (line %zu) holds another key", vk->cert.line) - 1;
		} else if (!k->pkey) {
			/* adopt the certificate's key through its SPKI */
			unsigned char *der = NULL;
			int dl = i2d_PUBKEY(cpk, &der);
			if (dl <= 0 || kr_key_from_spki(k, vk->asn, der, (size_t)dl, &e) < 0)
				rc = say(why, whysz, "cert (line %zu): %s", vk->cert.line, e.msg) - 1;
			OPENSSL_free(der);
		}
		if (rc == 0 && (!cski || cski->length != KR_SKI_LEN ||
				memcmp(cski->data, k->ski, KR_SKI_LEN)))
			rc = say(why, whysz, "cert (line %zu): SKI extension is not SHA-1 of the key",
				 vk->cert.line) - 1;
		X509_free(x);
		if (rc < 0) {
			kr_key_free(k);
			return -1;
		}
	}
	if (vk->has_ski && memcmp(vk->ski, k->ski, KR_SKI_LEN)) {
		char h[2 * KR_SKI_LEN + 1];
		kr_hex_encode(h, sizeof h, k->ski, KR_SKI_LEN);
		kr_key_free(k);
		return say(why, whysz, "ski differs from SHA-1 of the public key (%s)", h), -1;
	}
	return say(why, whysz, "AS %u%s", vk->asn, k->has_private ? ", private" : "");
}

static const char *verdict_text(enum kr_vec_expect e, enum kr_reason r, char *buf, size_t n)
{
	if (e == KR_VEC_VALID)
		snprintf(buf, n, "valid");
	else if (e == KR_VEC_DECODE_ERROR)
		snprintf(buf, n, "decode-error");
	else
		snprintf(buf, n, "not-valid %s", kr_reason_name(r));
	return buf;
}

static bool bytes_eq(const struct kr_vec_bytes *b, const uint8_t *p, size_t n)
{
	return b->len == n && !memcmp(b->p, p, n);
}

/* Published per-hop values of block 1; returns checks done or -1. */
static int check_golden(struct kr_crypto_ctx *c, const struct kr_vecfile *f,
			const struct kr_key *keys, const struct kr_vector *x,
			const struct kr_update *u, const struct kr_keytab *t, int counts[4],
			char *why, size_t whysz)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	if (u->i_bgpsec < 0 || u->bgpsec_malformed || bp->nblocks == 0 || u->i_mp_reach < 0)
		return say(why, whysz, "published values given but no usable BGPsec_PATH"), -1;
	struct kr_nlri_iter it;
	struct kr_prefix pfx;
	kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	if (!kr_nlri_next(&it, &pfx))
		return say(why, whysz, "no prefix in MP_REACH_NLRI"), -1;
	uint8_t *buf = kr_crypto_ctx_buf(c);
	for (size_t gi = 0; gi < x->ngolden; gi++) {
		const struct kr_vec_golden *g = &x->golden[gi];
		if (g->hop > bp->nhops || bp->blocks[0].nsegs != bp->nhops)
			return say(why, whysz, "hop %zu: the path has %zu hops, block 1 %zu signatures",
				   g->hop, bp->nhops, bp->blocks[0].nsegs), -1;
		size_t wi = bp->nhops - g->hop;
		uint32_t target = wi == 0 ? x->opts.my_as : bp->sp[wi - 1].asn;
		struct kr_wr w = kr_wr_init(buf, KR_HASH_INPUT_MAX);
		uint8_t dg[32];
		if (kr_bgpsec_hash_input(bp, 0, g->hop, target, u->mp_reach.afi, u->mp_reach.safi,
					 &pfx, &w) < 0 ||
		    kr_sha256(c, buf, w.off, dg) < 0)
			return say(why, whysz, "hop %zu: cannot build the hash input", g->hop), -1;
		if (g->hash_input.p) {
			if (!bytes_eq(&g->hash_input, buf, w.off))
				return say(why, whysz, "hop %zu (line %zu): rebuilt hash input differs",
					   g->hop, g->hash_input.line), -1;
			counts[0]++;
		}
		if (g->digest.p) {
			if (!bytes_eq(&g->digest, dg, 32))
				return say(why, whysz, "hop %zu (line %zu): digest differs", g->hop,
					   g->digest.line), -1;
			counts[1]++;
		}
		const struct kr_sig_seg *s = &bp->blocks[0].segs[wi];
		uint32_t asn = bp->sp[wi].asn;
		if (g->signature.p) {
			if (!bytes_eq(&g->signature, s->sig, s->sig_len))
				return say(why, whysz, "hop %zu (line %zu): UPDATE carries another "
					   "signature", g->hop, g->signature.line), -1;
			EVP_PKEY *pk[8];
			size_t nk = kr_keytab_lookup(t, asn, s->ski, pk, 8);
			bool ok = false;
			for (size_t k = 0; k < nk && k < 8 && !ok; k++)
				ok = kr_ecdsa_verify_digest(c, pk[k], dg, s->sig, s->sig_len) == 1;
			if (!ok)
				return say(why, whysz, "hop %zu (line %zu): published signature does "
					   "not verify", g->hop, g->signature.line), -1;
			counts[2]++;
		}
		if (x->has_k) {
			const struct kr_key *signer = NULL;
			for (size_t k = 0; k < f->nkeys; k++)
				if (keys[k].pkey && keys[k].has_private && keys[k].asn == asn &&
				    !memcmp(keys[k].ski, s->ski, KR_SKI_LEN))
					signer = &keys[k];
			if (!signer)
				return say(why, whysz, "hop %zu: no private key of AS %u for nonce-k",
					   g->hop, asn), -1;
			uint8_t sig[KR_SIG_MAX];
			size_t sl;
			struct kr_err e = { 0 };
			if (kr_ecdsa_sign_digest(c, signer->pkey, dg, x->k, sig, &sl, &e) < 0)
				return say(why, whysz, "hop %zu: %s", g->hop, e.msg), -1;
			if (sl != s->sig_len || memcmp(sig, s->sig, sl))
				return say(why, whysz, "hop %zu: signature with nonce-k differs from "
					   "the UPDATE's", g->hop), -1;
			counts[3]++;
		}
	}
	return 0;
}

static int decode_validate(struct kr_crypto_ctx *c, const struct kr_keytab *t,
			   const struct kr_vector *x, const uint8_t *msg, size_t len, uint8_t type,
			   struct kr_update *u, struct kr_val_result *res, struct kr_err *e)
{
	if (kr_update_decode(u, msg, len, type, e) < 0)
		return -1;
	if (kr_bgpsec_validate_ctx(c, t, u, &x->opts, res) < 0) {
		snprintf(e->msg, sizeof e->msg, "validator: %s", res->detail);
		return -2;
	}
	return 0;
}

int kr_vec_check(struct kr_crypto_ctx *c, const struct kr_vecfile *f, const struct kr_key *keys,
		 size_t i, char *why, size_t whysz)
{
	const struct kr_vector *x = &f->vecs[i];
	char exp[64], got[64];
	verdict_text(x->expect, x->reason, exp, sizeof exp);
	struct kr_update *u = malloc(sizeof *u);
	struct kr_update *u2 = malloc(sizeof *u2);
	uint8_t *re = malloc(KR_BGP_EXT_MAX_LEN);
	struct kr_keytab *t = kr_keytab_new();
	int pass = 0;
	if (!u || !u2 || !re || !t) {
		say(why, whysz, "out of memory");
		goto out;
	}
	size_t nk = x->has_keys ? x->nkeyrefs : f->nkeys;
	for (size_t k = 0; k < nk; k++) {
		size_t ki = x->has_keys ? x->keyref[k] : k;
		struct kr_err e = { 0 };
		if (!keys[ki].pkey) {
			say(why, whysz, "key '%s' is unusable", f->keys[ki].name);
			goto out;
		}
		if (kr_keytab_add_key(t, &keys[ki], &e) < 0) {
			say(why, whysz, "key '%s': %s", f->keys[ki].name, e.msg);
			goto out;
		}
	}
	struct kr_err e = { 0 };
	struct kr_val_result res;
	int rc = decode_validate(c, t, x, x->update.p, x->update.len, x->bgpsec_type, u, &res, &e);
	if (rc == -2) {
		say(why, whysz, "%s", e.msg);
		goto out;
	}
	if (rc == -1) {
		if (x->expect == KR_VEC_DECODE_ERROR)
			pass = say(why, whysz, "decode-error as expected: %s (offset %zu)", e.msg,
				   e.offset) + 1;
		else
			say(why, whysz, "expected %s, got decode-error: %s (offset %zu)", exp, e.msg,
			    e.offset);
		goto out;
	}
	verdict_text(res.verdict == KR_VALID ? KR_VEC_VALID : KR_VEC_NOT_VALID, res.reason, got,
		     sizeof got);
	if (x->expect == KR_VEC_DECODE_ERROR ||
	    (x->expect == KR_VEC_VALID) != (res.verdict == KR_VALID) ||
	    (x->expect == KR_VEC_NOT_VALID && res.reason != x->reason)) {
		say(why, whysz, "expected %s, got %s: %s", exp, got, res.detail);
		goto out;
	}
	int counts[4] = { 0 };
	if (x->ngolden && check_golden(c, f, keys, x, u, t, counts, why, whysz) < 0)
		goto out;
	bool rewrote = false;
	if (x->rewrite33.p) {
		/* The type code is not signed (RFC 8205 §4.2): rewriting 30 to
		 * 33 must give the expected image, which validates the same. */
		size_t len;
		if (u->i_bgpsec < 0) {
			say(why, whysz, "rewrite-33: no BGPsec_PATH attribute");
			goto out;
		}
		*u2 = *u;
		u2->attrs[u2->i_bgpsec].type = KR_ATTR_BGPSEC_PATH;
		if (kr_update_encode(u2, re, KR_BGP_EXT_MAX_LEN, &len, &e) < 0) {
			say(why, whysz, "rewrite-33: encode failed: %s", e.msg);
			goto out;
		}
		if (!bytes_eq(&x->rewrite33, re, len)) {
			say(why, whysz, "rewrite-33 (line %zu): re-encoded UPDATE differs",
			    x->rewrite33.line);
			goto out;
		}
		struct kr_val_result r2;
		if (decode_validate(c, t, x, re, len, KR_ATTR_BGPSEC_PATH, u2, &r2, &e) < 0 ||
		    r2.verdict != res.verdict || r2.reason != res.reason) {
			say(why, whysz, "rewrite-33: the type-33 image does not validate the same");
			goto out;
		}
		rewrote = true;
	}
	char extra[200] = "";
	if (x->ngolden || rewrote)
		snprintf(extra, sizeof extra,
			 "; %d hash inputs, %d digests, %d signatures verified, %d reproduced "
			 "with nonce-k%s",
			 counts[0], counts[1], counts[2], counts[3],
			 rewrote ? ", re-encoded byte-exact as type 33" : "");
	pass = say(why, whysz, "%s%s%s%s", got, res.detail[0] ? " (" : "", res.detail,
		   res.detail[0] ? ")" : "") + 1;
	size_t l = strlen(why);
	snprintf(why + l, whysz - l, "%s", extra);
out:
	kr_keytab_free(t);
	free(re);
	free(u2);
	free(u);
	return pass;
}
