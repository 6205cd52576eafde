/* BGPsec hash input (RFC 8205 §4.2 Fig. 8 = §5.2 Fig. 9) and signing of a
 * new hop (RFC 8205 §4.2). */
#include "wire/bgpsec_crypto.h"

#include <errno.h>
#include <string.h>

#include "wire/bgpsec_ctx.h"

/* The octets hashed for one signature (RFC 8205 §4.2, Fig. 8): target AS,
 * then from the signer's hop N down: Signature Segment N-1 (this block),
 * Secure_Path Segment N, ..., Signature Segment 1, Secure_Path Segment 2,
 * then Secure_Path Segment 1, suite, AFI, SAFI and the prefix with its
 * trailing bits zeroed. sps holds N segments, sigs N-1, both in wire order
 * (newest first). */
static int hash_input(struct kr_wr *w, uint32_t target_as, const struct kr_sig_seg *sigs,
		      size_t nsigs, const struct kr_sp_seg *sps, size_t nsps, uint8_t suite,
		      uint16_t afi, uint8_t safi, const struct kr_prefix *pfx)
{
	unsigned maxbits = afi == KR_AFI_IPV4 ? 32 : afi == KR_AFI_IPV6 ? 128 : 0;
	if (!pfx || pfx->len > maxbits || nsps != nsigs + 1)
		return -1;
	kr_wr_u32(w, target_as);
	for (size_t i = 0; i < nsps; i++) {
		if (i < nsigs) {
			if (!sigs[i].ski || (!sigs[i].sig && sigs[i].sig_len))
				return -1;
			kr_wr_bytes(w, sigs[i].ski, KR_SKI_LEN);
			kr_wr_u16(w, sigs[i].sig_len);
			kr_wr_bytes(w, sigs[i].sig, sigs[i].sig_len);
		}
		kr_wr_u8(w, sps[i].pcount);
		kr_wr_u8(w, sps[i].flags);
		kr_wr_u32(w, sps[i].asn);
	}
	kr_wr_u8(w, suite);
	kr_wr_u16(w, afi);
	kr_wr_u8(w, safi);
	kr_wr_u8(w, pfx->len);
	size_t n = (pfx->len + 7u) / 8;
	uint8_t a[16];
	memcpy(a, pfx->addr, n);
	if (pfx->len % 8)
		a[n - 1] &= (uint8_t)(0xFF << (8 - pfx->len % 8));
	kr_wr_bytes(w, a, n);
	return w->bad ? -1 : 0;
}

int kr_bgpsec_hash_input(const struct kr_bgpsec_path *bp, size_t blk, size_t hop,
			 uint32_t target_as, uint16_t afi, uint8_t safi,
			 const struct kr_prefix *pfx, struct kr_wr *w)
{
	if (blk >= bp->nblocks || hop < 1 || hop > bp->nhops || bp->nhops > KR_MAX_HOPS)
		return -1;
	const struct kr_sig_block *b = &bp->blocks[blk];
	if (b->nsegs != bp->nhops)
		return -1; /* RFC 8205 §5.2 check 3: no well-defined input */
	size_t i = bp->nhops - hop;
	return hash_input(w, target_as, b->segs + i + 1, bp->nhops - i - 1, bp->sp + i,
			  bp->nhops - i, b->suite, afi, safi, pfx);
}

static size_t block_len(const struct kr_sig_block *b)
{
	size_t n = 3;
	for (size_t i = 0; i < b->nsegs; i++)
		n += KR_SKI_LEN + 2 + b->segs[i].sig_len;
	return n;
}

int kr_bgpsec_sign_ctx(struct kr_crypto_ctx *c, const struct kr_key *signer, uint32_t target_as,
		       uint8_t pcount, uint8_t flags, const struct kr_bgpsec_path *in, uint16_t afi,
		       uint8_t safi, const struct kr_prefix *pfx, const uint8_t *fixed_k,
		       struct kr_bgpsec_path *out, struct kr_sigstore *store, struct kr_err *err)
{
	if (!signer->pkey || !signer->has_private) {
		kr_err_set(err, EINVAL, 0, "signer of AS %u has no private key", signer->asn);
		return -1;
	}
	size_t oldhops = in ? in->nhops : 0, nblocks = in ? in->nblocks : 1;
	if (oldhops >= KR_MAX_HOPS || nblocks < 1 || nblocks > 2) {
		kr_err_set(err, EINVAL, 0, "cannot extend a path of %zu hops / %zu blocks", oldhops,
			   nblocks);
		return -1;
	}
	/* Build the new Secure_Path first: the hash covers the signer's own
	 * segment. `in` may alias `out`, so shift from the end. */
	struct kr_bgpsec_path *o = out;
	if (in != out) {
		if (in)
			*o = *in;
		else
			memset(o, 0, sizeof *o);
	}
	if (!in) {
		o->nblocks = 1;
		o->blocks[0].suite = KR_SUITE_P256;
		o->blocks[0].nsegs = 0;
	}
	memmove(o->sp + 1, o->sp, oldhops * sizeof o->sp[0]);
	o->sp[0].pcount = pcount;
	o->sp[0].flags = flags;
	o->sp[0].asn = signer->asn;
	o->nhops = oldhops + 1;
	o->sp_len = (uint16_t)(2 + 6 * o->nhops);
	size_t hop = o->nhops;
	uint8_t *buf = kr_crypto_ctx_buf(c);
	for (size_t bi = 0; bi < o->nblocks; bi++) {
		struct kr_sig_block *b = &o->blocks[bi];
		if (!kr_suite_supported(b->suite) || b->nsegs != oldhops) {
			kr_err_set(err, EINVAL, 0,
				   "block %zu: suite 0x%02X with %zu segments cannot be signed", bi,
				   b->suite, b->nsegs);
			return -1;
		}
		struct kr_wr w = kr_wr_init(buf, KR_HASH_INPUT_MAX);
		uint8_t dg[32];
		if (hash_input(&w, target_as, b->segs, b->nsegs, o->sp, o->nhops, b->suite, afi, safi,
			       pfx) < 0 ||
		    kr_sha256(c, buf, w.off, dg) < 0) {
			kr_err_set(err, EINVAL, 0, "cannot build the hash input (prefix or sizes)");
			return -1;
		}
		size_t slen;
		uint8_t *sig = store->sig[bi][hop - 1];
		if (kr_ecdsa_sign_digest(c, signer->pkey, dg, fixed_k, sig, &slen, err) < 0)
			return -1;
		memcpy(store->ski[bi][hop - 1], signer->ski, KR_SKI_LEN);
		memmove(b->segs + 1, b->segs, b->nsegs * sizeof b->segs[0]);
		b->segs[0].ski = store->ski[bi][hop - 1];
		b->segs[0].sig = sig;
		b->segs[0].sig_len = (uint16_t)slen;
		b->nsegs++;
		size_t bl = block_len(b);
		if (bl > UINT16_MAX) {
			kr_err_set(err, EINVAL, 0, "Signature_Block longer than 65535 octets");
			return -1;
		}
		b->len = (uint16_t)bl;
	}
	return 0;
}

int kr_bgpsec_sign(const struct kr_key *signer, uint32_t target_as, uint8_t pcount, uint8_t flags,
		   const struct kr_bgpsec_path *in, uint16_t afi, uint8_t safi,
		   const struct kr_prefix *pfx, const uint8_t *fixed_k,
		   struct kr_bgpsec_path *out, struct kr_sigstore *store, struct kr_err *err)
{
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	if (!c) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	int rc = kr_bgpsec_sign_ctx(c, signer, target_as, pcount, flags, in, afi, safi, pfx, fixed_k,
				    out, store, err);
	kr_crypto_ctx_free(c);
	return rc;
}
