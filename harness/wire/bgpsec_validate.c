/* BGPsec UPDATE validation (RFC 8205 §5.2): the well-formedness and
 * protocol checks 1-8 first (cheap, each with its own reason), then the
 * signatures of every supported Signature_Block, newest segment first. */
#include "wire/bgpsec_crypto.h"

#include <stdio.h>
#include <string.h>

#include "wire/bgpsec_ctx.h"

__attribute__((format(printf, 4, 5))) static int verdict(struct kr_val_result *res,
							  enum kr_reason r, size_t hop,
							  const char *fmt, ...)
{
	res->verdict = r == KR_R_OK ? KR_VALID : KR_NOT_VALID;
	res->reason = r;
	res->bad_hop = hop;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof res->detail, fmt, ap);
	va_end(ap);
	return 0;
}

/* RFC 8205 §5.2 checks 1-8 plus the one-prefix rule of §4.1. */
static int check_form(const struct kr_update *u, const struct kr_val_opts *o,
		      struct kr_val_result *res)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	if (u->i_bgpsec < 0)
		return verdict(res, KR_R_NO_BGPSEC_PATH, 0, "no BGPsec_PATH attribute"), 1;
	if (u->bgpsec_malformed)
		return verdict(res, KR_R_MALFORMED, 0, "check 1: %s", u->bgpsec_err.msg), 1;
	if (bp->nhops == 0 || bp->nhops > KR_MAX_HOPS || bp->nblocks == 0 || bp->nblocks > 2)
		return verdict(res, KR_R_MALFORMED, 0, "check 1: %zu Secure_Path Segments, %zu "
			       "Signature_Blocks", bp->nhops, bp->nblocks), 1;
	for (size_t b = 0; b < bp->nblocks; b++)
		if (kr_suite_reserved(bp->blocks[b].suite))
			return verdict(res, KR_R_MALFORMED, 0,
				       "reserved algorithm suite 0x%02X (RFC 8608 §2.1)",
				       bp->blocks[b].suite), 1;
	if (o->peer_as && bp->sp[0].asn != o->peer_as)
		return verdict(res, KR_R_WRONG_PEER_AS, 0,
			       "check 2: newest segment AS %u, peer AS %u", bp->sp[0].asn,
			       o->peer_as), 1;
	for (size_t b = 0; b < bp->nblocks; b++)
		if (bp->blocks[b].nsegs != bp->nhops)
			return verdict(res, KR_R_SIG_COUNT, 0,
				       "check 3: block %zu has %zu Signature Segments for %zu "
				       "Secure_Path Segments", b + 1, bp->blocks[b].nsegs, bp->nhops), 1;
	if (u->i_as_path >= 0)
		return verdict(res, KR_R_AS_PATH_PRESENT, 0, "check 4: AS_PATH beside BGPsec_PATH"), 1;
	if (!o->in_confed) {
		for (size_t i = 0; i < bp->nhops; i++)
			if (bp->sp[i].flags & KR_BGPSEC_CONFED)
				return verdict(res, KR_R_CONFED, i,
					       "check 5: Confed_Segment set on segment %zu (AS %u) "
					       "from outside the confederation", i, bp->sp[i].asn), 1;
	} else if (!(bp->sp[0].flags & KR_BGPSEC_CONFED)) {
		return verdict(res, KR_R_CONFED, 0,
			       "check 6: confederation peer's segment lacks Confed_Segment"), 1;
	}
	if (!o->allow_pcount0 && bp->sp[0].pcount == 0)
		return verdict(res, KR_R_PCOUNT_ZERO, 0, "check 7: newest segment has pCount 0"), 1;
	/* Check 8 on the AS_PATH equivalent (§4.4): pCount 0 segments add no AS. */
	for (size_t i = 0; i < bp->nhops; i++)
		if (bp->sp[i].pcount && bp->sp[i].asn == o->my_as)
			return verdict(res, KR_R_LOOP, i, "check 8: own AS %u in segment %zu",
				       o->my_as, i), 1;
	if (u->i_mp_reach < 0 || u->mp_reach.nprefixes == 0)
		return verdict(res, KR_R_NO_MP_REACH, 0, "§4.1: no prefix in MP_REACH_NLRI"), 1;
	if (!o->accept_multi_prefix && (u->mp_reach.nprefixes != 1 || u->nnlri))
		return verdict(res, KR_R_MULTI_PREFIX, 0,
			       "§4.1: %zu prefixes in MP_REACH_NLRI, %zu in NLRI; one allowed",
			       u->mp_reach.nprefixes, u->nnlri), 1;
	return 0;
}

/* Verify one block for one prefix; KR_R_OK or the reason it failed. */
static enum kr_reason check_block(struct kr_crypto_ctx *c, const struct kr_keytab *t,
				  const struct kr_bgpsec_path *bp, size_t blk, uint32_t my_as,
				  uint16_t afi, uint8_t safi, const struct kr_prefix *pfx,
				  bool keys_only, struct kr_val_result *res)
{
	const struct kr_sig_block *b = &bp->blocks[blk];
	uint8_t *buf = kr_crypto_ctx_buf(c);
	for (size_t i = 0; i < bp->nhops; i++) {
		const struct kr_sig_seg *s = &b->segs[i];
		uint32_t asn = bp->sp[i].asn;
		EVP_PKEY *keys[8];
		size_t nk = kr_keytab_lookup(t, asn, s->ski, keys, 8);
		res->bad_hop = i;
		res->bad_asn = asn;
		memcpy(res->bad_ski, s->ski, KR_SKI_LEN);
		if (nk == 0)
			return KR_R_UNKNOWN_SKI;
		if (keys_only)
			continue;
		uint32_t target = i == 0 ? my_as : bp->sp[i - 1].asn;
		struct kr_wr w = kr_wr_init(buf, KR_HASH_INPUT_MAX);
		uint8_t dg[32];
		if (kr_bgpsec_hash_input(bp, blk, bp->nhops - i, target, afi, safi, pfx, &w) < 0 ||
		    kr_sha256(c, buf, w.off, dg) < 0)
			return KR_R_MALFORMED;
		bool ok = false;
		for (size_t k = 0; k < nk && k < 8 && !ok; k++)
			ok = kr_ecdsa_verify_digest(c, keys[k], dg, s->sig, s->sig_len) == 1;
		if (!ok)
			return KR_R_BAD_SIGNATURE;
	}
	return KR_R_OK;
}

int kr_bgpsec_validate_ctx(struct kr_crypto_ctx *c, const struct kr_keytab *t,
			   const struct kr_update *u, const struct kr_val_opts *o,
			   struct kr_val_result *res)
{
	memset(res, 0, sizeof *res);
	if (check_form(u, o, res))
		return 0;
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	const struct kr_mp_reach *mp = &u->mp_reach;
	size_t nsupported = 0;
	enum kr_reason first_fail = KR_R_OK;
	struct kr_val_result fail = { 0 };
	for (size_t blk = 0; blk < bp->nblocks; blk++) {
		if (!kr_suite_supported(bp->blocks[blk].suite))
			continue; /* RFC 8205 §5.2: ignore unsupported suites */
		nsupported++;
		enum kr_reason r = KR_R_OK;
		struct kr_nlri_iter it;
		struct kr_prefix p;
		kr_nlri_iter_init(&it, mp->afi, mp->nlri, mp->nlri_len);
		while (r == KR_R_OK && kr_nlri_next(&it, &p))
			r = check_block(c, t, bp, blk, o->my_as, mp->afi, mp->safi, &p,
					o->skip_signatures, res);
		if (r == KR_R_OK)
			return verdict(res, KR_R_OK, 0, "block %zu: %zu signatures %s", blk + 1,
				       bp->nhops, o->skip_signatures ? "with known keys (not verified)"
								     : "verified");
		if (first_fail == KR_R_OK) {
			first_fail = r;
			fail = *res;
			char ski[2 * KR_SKI_LEN + 1];
			kr_hex_encode(ski, sizeof ski, fail.bad_ski, KR_SKI_LEN);
			snprintf(fail.detail, sizeof fail.detail,
				 "block %zu, segment %zu (AS %u, SKI %s): %s", blk + 1, fail.bad_hop,
				 fail.bad_asn, ski,
				 r == KR_R_UNKNOWN_SKI ? "no key for (AS, SKI)"
				 : r == KR_R_BAD_SIGNATURE ? "signature does not verify"
							   : "no hash input (prefix)");
		}
	}
	if (nsupported == 0)
		return verdict(res, KR_R_UNSUPPORTED_SUITE, 0,
			       "no Signature_Block with a supported suite: unsigned (RFC 8205 §5.2)");
	*res = fail;
	res->verdict = KR_NOT_VALID;
	res->reason = first_fail;
	return 0;
}

int kr_bgpsec_validate(const struct kr_keytab *t, const struct kr_update *u,
		       const struct kr_val_opts *o, struct kr_val_result *res)
{
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	if (!c) {
		memset(res, 0, sizeof *res);
		res->verdict = KR_NOT_VALID;
		snprintf(res->detail, sizeof res->detail, "out of memory");
		return -1;
	}
	int rc = kr_bgpsec_validate_ctx(c, t, u, o, res);
	kr_crypto_ctx_free(c);
	return rc;
}
