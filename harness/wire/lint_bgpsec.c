/* Wire lint of BGPsec UPDATEs (lint.h; RFC 8205 §2.2, §3, §4.1-4.3): where
 * BGPsec_PATH may go, the one-prefix form, the attribute's syntax, the
 * sender's own Secure_Path Segment, and its signature under the router key
 * published when it was sent. Only the newest segment is the sender's:
 * older ones were forwarded as received. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/bgpsec_ctx.h"
#include "wire/lint.h"

enum { AS4_PATH = 17 };

static size_t off_of(const uint8_t *m, const void *p)
{
	return (size_t)((const uint8_t *)p - m);
}

/* Where the BGPsec_PATH may go and what else the UPDATE may carry. */
static size_t lint_form(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	const struct kr_attr *a = &u->attrs[u->i_bgpsec];
	size_t at = off_of(m, a->val) - ((a->flags & KR_AF_EXTLEN) ? 4 : 3), n = 0;
	const struct kr_lint_sess *s = c->sess;
	uint16_t afi = u->i_mp_reach >= 0 ? u->mp_reach.afi : KR_AFI_IPV4;
	if (s && s->known && (afi == KR_AFI_IPV4 || afi == KR_AFI_IPV6) && !s->bgpsec[afi])
		n += kr_lint_report(c, KR_L_BGPSEC_NEG, at,
				    "BGPsec_PATH for AFI %u to AS %u, which did not negotiate receiving it", afi,
				    s->receiver_as);
	if (u->i_mp_reach < 0)
		n += kr_lint_report(c, KR_L_BGPSEC_PREFIX, at, "BGPsec UPDATE without MP_REACH_NLRI");
	else if (u->mp_reach.nprefixes != 1)
		n += kr_lint_report(c, KR_L_BGPSEC_PREFIX, off_of(m, u->mp_reach.nlri),
				    "%zu prefixes in MP_REACH_NLRI", u->mp_reach.nprefixes);
	if (u->nnlri)
		n += kr_lint_report(c, KR_L_BGPSEC_PREFIX, off_of(m, u->nlri),
				    "%zu prefixes in the IPv4 NLRI field of a BGPsec UPDATE", u->nnlri);
	for (size_t i = 0; i < u->nattrs; i++)
		if (u->attrs[i].type == KR_ATTR_AS_PATH || u->attrs[i].type == AS4_PATH) {
			const struct kr_attr *x = &u->attrs[i];
			n += kr_lint_report(c, KR_L_BGPSEC_AS_PATH,
					    off_of(m, x->val) - ((x->flags & KR_AF_EXTLEN) ? 4 : 3),
					    "%s beside BGPsec_PATH", x->type == AS4_PATH ? "AS4_PATH" : "AS_PATH");
		}
	return n;
}

/* Lengths, segment counts, suites: what a receiver's check 1 and 3 see. */
static size_t lint_syntax(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	if (u->bgpsec_malformed)
		return u->bgpsec_err.code == KR_WE_ATTR_FLAGS ? 0 /* reported as attr-flags */
			: kr_lint_report(c, KR_L_BGPSEC_SYNTAX, u->bgpsec_err.offset, "%s", u->bgpsec_err.msg);
	size_t vo = off_of(m, u->attrs[u->i_bgpsec].val), n = 0;
	if (bp->nhops == 0)
		return kr_lint_report(c, KR_L_BGPSEC_SYNTAX, vo, "no Secure_Path Segment");
	for (size_t b = 0; b < bp->nblocks; b++) {
		const struct kr_sig_block *k = &bp->blocks[b];
		/* block header: Length (2), Suite (1), then the segments */
		size_t bo = k->nsegs ? off_of(m, k->segs[0].ski) - 3 : vo;
		if (kr_suite_reserved(k->suite))
			n += kr_lint_report(c, KR_L_BGPSEC_SYNTAX, bo + 2, "Signature_Block %zu: reserved suite 0x%02X",
					    b + 1, k->suite);
		else if (k->nsegs != bp->nhops)
			n += kr_lint_report(c, KR_L_BGPSEC_SYNTAX, bo,
					    "Signature_Block %zu: %zu Signature Segments for %zu Secure_Path Segments",
					    b + 1, k->nsegs, bp->nhops);
	}
	if (bp->nblocks == 2 && bp->blocks[0].suite == bp->blocks[1].suite)
		n += kr_lint_report(c, KR_L_BGPSEC_SYNTAX, vo, "two Signature_Blocks of suite %u",
				    bp->blocks[0].suite);
	return n;
}

/* The sender's Secure_Path Segment (wire index 0). */
static size_t lint_own_segment(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	const struct kr_lint_sess *s = c->sess;
	size_t so = off_of(m, u->attrs[u->i_bgpsec].val) + 2, n = 0;
	const struct kr_sp_seg *sg = &bp->sp[0];
	if (s && s->known && sg->asn != s->sender_as)
		n += kr_lint_report(c, KR_L_OWN_AS, so + 2, "newest Secure_Path Segment has AS %u, the sender is AS %u",
				    sg->asn, s->sender_as);
	if (sg->pcount == 0)
		n += kr_lint_report(c, KR_L_PCOUNT, so, "the sender's segment has pCount 0");
	if (sg->flags & 0x7f)
		n += kr_lint_report(c, KR_L_BGPSEC_FLAGS, so + 1, "unassigned Secure_Path flag bits 0x%02x set",
				    sg->flags & 0x7f);
	else if ((sg->flags & KR_BGPSEC_CONFED) && s && s->known && s->sender_as != s->receiver_as)
		n += kr_lint_report(c, KR_L_BGPSEC_FLAGS, so + 1, "Confed_Segment set towards external AS %u",
				    s->receiver_as);
	return n;
}

bool kr_lint_sampled(const struct kr_prefix *p, uint32_t mod)
{
	if (mod <= 1)
		return true;
	/* FNV-1a over family, length, address, from another start than
	 * the observers' hash */
	uint32_t h = 2166136261u ^ 0x6c696e74u;
	uint8_t k[2] = { (uint8_t)p->afi, p->len };
	for (size_t i = 0; i < 2; i++)
		h = (h ^ k[i]) * 16777619u;
	for (size_t i = 0; i < (p->len + 7u) / 8 && i < sizeof p->addr; i++)
		h = (h ^ p->addr[i]) * 16777619u;
	return h % mod == 0;
}

/* 1 verifies, 0 does not; c->cc may remember results (kr_crypto_ctx_memo). */
static int verify(const struct kr_lint_ctx *c, EVP_PKEY *pk, const uint8_t dg[32], const uint8_t *sig,
		  size_t sig_len)
{
	uint64_t hits = kr_crypto_ctx_memo_hits(c->cc);
	int ok = kr_ecdsa_verify_digest(c->cc, pk, dg, sig, sig_len) == 1;
	if (c->stats && kr_crypto_ctx_memo_hits(c->cc) != hits)
		c->stats->cached++;
	return ok;
}

/* ---- a quick look -------------------------------------------------------- */

int kr_lint_peek_bgpsec(const uint8_t *m, size_t len, uint8_t bgpsec_type, size_t *nsigs)
{
	uint8_t bt = bgpsec_type ? bgpsec_type : KR_ATTR_BGPSEC_PATH;
	*nsigs = 0;
	if (len < KR_BGP_HDR_LEN + 4 || m[18] != KR_BGP_UPDATE)
		return -1;
	size_t wl = (size_t)m[19] << 8 | m[20], o = KR_BGP_HDR_LEN + 2 + wl;
	if (o + 2 > len)
		return -1;
	size_t end = o + 2 + ((size_t)m[o] << 8 | m[o + 1]);
	if (end > len)
		return -1;
	for (o += 2; o < end;) {
		if (o + 3 > end)
			return -1;
		uint8_t flags = m[o], type = m[o + 1];
		size_t hl = flags & KR_AF_EXTLEN ? 4 : 3;
		if (o + hl > end)
			return -1;
		size_t al = hl == 4 ? (size_t)m[o + 2] << 8 | m[o + 3] : m[o + 2];
		if (o + hl + al > end)
			return -1;
		if (type == bt) {
			/* Secure_Path (its length counts itself), then the blocks */
			const uint8_t *v = m + o + hl;
			if (al < 2)
				return -1;
			size_t p = (size_t)v[0] << 8 | v[1];
			while (p + 2 <= al) {
				size_t bl = (size_t)v[p] << 8 | v[p + 1];
				if (bl < 3)
					return -1;
				(*nsigs)++;
				p += bl;
			}
			return 1;
		}
		o += hl + al;
	}
	return 0;
}

/* The sender's signature in every supported block, under the keys of its
 * AS published now (RFC 8205 §4.2 hash input for the receiver's AS). */
static size_t lint_signatures(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	const struct kr_lint_sess *s = c->sess;
	struct kr_prefix p;
	struct kr_nlri_iter it;
	if (!s || !s->known || u->i_mp_reach < 0 || u->mp_reach.nprefixes != 1)
		return 0; /* no target AS or no single prefix: nothing to verify against */
	kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	if (!kr_nlri_next(&it, &p))
		return 0;
	if (!c->keys || !c->cc) {
		if (c->stats)
			c->stats->unkeyed++;
		return 0;
	}
	size_t n = 0;
	uint32_t asn = bp->sp[0].asn;
	for (size_t b = 0; b < bp->nblocks; b++) {
		const struct kr_sig_block *k = &bp->blocks[b];
		if (!kr_suite_supported(k->suite) || k->nsegs != bp->nhops)
			continue;
		const struct kr_sig_seg *sg = &k->segs[0];
		char ski[2 * KR_SKI_LEN + 1];
		kr_hex_encode(ski, sizeof ski, sg->ski, KR_SKI_LEN);
		EVP_PKEY *keys[8];
		size_t nk = kr_keytab_lookup(c->keys, asn, sg->ski, keys, 8);
		if (nk == 0) {
			n += kr_lint_report(c, KR_L_SKI, off_of(m, sg->ski),
					    "SKI %s is no router key of AS %u published at that time", ski, asn);
			continue;
		}
		if (!kr_lint_sampled(&p, c->sig_sample_mod)) {
			if (c->stats)
				c->stats->unsampled++;
			continue;
		}
		uint8_t *buf = kr_crypto_ctx_buf(c->cc), dg[32];
		struct kr_wr w = kr_wr_init(buf, KR_HASH_INPUT_MAX);
		if (kr_bgpsec_hash_input(bp, b, bp->nhops, s->receiver_as, u->mp_reach.afi, u->mp_reach.safi, &p,
					 &w) < 0 ||
		    kr_sha256(c->cc, buf, w.off, dg) < 0)
			continue; /* the syntax rules say what is wrong */
		bool ok = false;
		for (size_t i = 0; i < nk && i < 8 && !ok; i++)
			ok = verify(c, keys[i], dg, sg->sig, sg->sig_len) == 1;
		if (c->stats)
			c->stats->signatures++;
		if (!ok)
			n += kr_lint_report(c, KR_L_SIGNATURE, off_of(m, sg->sig),
					    "signature of AS %u (SKI %.8s...) for target AS %u does not verify",
					    asn, ski, s->receiver_as);
	}
	return n;
}

size_t kr_lint_bgpsec(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	size_t n = lint_form(c, m, u);
	size_t syn = lint_syntax(c, m, u);
	n += syn;
	if (u->bgpsec_malformed || u->bgpsec.nhops == 0)
		return n;
	n += lint_own_segment(c, m, u);
	return n + lint_signatures(c, m, u);
}
