/* BGPsec_PATH attribute value (RFC 8205 §3, Figs. 3-7) and its conversion
 * to AS_PATH (RFC 8205 §4.4). */
#include <string.h>

#include "wire/bgp_priv.h"

#define SP_SEG_LEN 6          /* pCount(1) Flags(1) AS(4), RFC 8205 §3.1 */
#define SIG_SEG_HDR (KR_SKI_LEN + 2)

static int parse_block(struct kr_sig_block *b, struct kr_rd *r, struct kr_err *err)
{
	size_t at = r->off;
	if (kr_rd_left(r) < 3)
		return kr_wire_fail(err, KR_WE_BGPSEC, at, "Signature_Block header truncated");
	b->len = kr_rd_u16(r);
	b->suite = kr_rd_u8(r);
	b->nsegs = 0;
	/* The length counts itself and the suite octet (RFC 8205 §3.2). */
	if (b->len < 3 || b->len - 2u > kr_rd_left(r) + 1)
		return kr_wire_fail(err, KR_WE_BGPSEC, at,
				    "Signature_Block length %u does not fit the %zu octets left",
				    b->len, kr_rd_left(r) + 3);
	size_t end = at + b->len;
	while (r->off < end) {
		size_t s = r->off;
		if (end - s < SIG_SEG_HDR)
			return kr_wire_fail(err, KR_WE_BGPSEC, s,
					    "Signature Segment header runs past its block");
		if (b->nsegs == KR_MAX_HOPS)
			return kr_wire_fail(err, KR_WE_LIMIT, s, "more than %d Signature Segments",
					    KR_MAX_HOPS);
		struct kr_sig_seg *g = &b->segs[b->nsegs];
		g->ski = kr_rd_bytes(r, KR_SKI_LEN);
		g->sig_len = kr_rd_u16(r);
		if (g->sig_len > end - r->off)
			return kr_wire_fail(err, KR_WE_BGPSEC, s + KR_SKI_LEN,
					    "signature length %u runs past its block", g->sig_len);
		g->sig = kr_rd_bytes(r, g->sig_len);
		b->nsegs++;
	}
	return 0;
}

int kr_bgpsec_path_decode(struct kr_bgpsec_path *bp, const uint8_t *val, size_t len,
			  struct kr_err *err)
{
	struct kr_rd r = kr_rd_init(val, len);
	bp->nhops = bp->nblocks = 0;
	if (len < 2)
		return kr_wire_fail(err, KR_WE_BGPSEC, 0, "Secure_Path length truncated");
	bp->sp_len = kr_rd_u16(&r);
	/* Secure_Path Length = 2 + 6 * segments, at least one (RFC 8205 §3.1). */
	if (bp->sp_len < 2 + SP_SEG_LEN || (bp->sp_len - 2) % SP_SEG_LEN)
		return kr_wire_fail(err, KR_WE_BGPSEC, 0,
				    "Secure_Path length %u is not 2 + 6 * n with n >= 1", bp->sp_len);
	if (bp->sp_len > len)
		return kr_wire_fail(err, KR_WE_BGPSEC, 0,
				    "Secure_Path length %u exceeds the attribute (%zu)", bp->sp_len,
				    len);
	size_t n = (bp->sp_len - 2u) / SP_SEG_LEN;
	if (n > KR_MAX_HOPS)
		return kr_wire_fail(err, KR_WE_LIMIT, 0, "%zu Secure_Path segments, limit %d", n,
				    KR_MAX_HOPS);
	for (size_t i = 0; i < n; i++) {
		bp->sp[i].pcount = kr_rd_u8(&r);
		bp->sp[i].flags = kr_rd_u8(&r);
		bp->sp[i].asn = kr_rd_u32(&r);
	}
	bp->nhops = n;
	/* One or two Signature_Blocks fill the rest (RFC 8205 §3). */
	while (kr_rd_left(&r)) {
		if (bp->nblocks == 2)
			return kr_wire_fail(err, KR_WE_BGPSEC, r.off,
					    "%zu octets after the second Signature_Block",
					    kr_rd_left(&r));
		if (parse_block(&bp->blocks[bp->nblocks], &r, err) < 0)
			return -1;
		bp->nblocks++;
	}
	if (bp->nblocks == 0)
		return kr_wire_fail(err, KR_WE_BGPSEC, len, "no Signature_Block");
	return 0;
}

static size_t block_len(const struct kr_sig_block *b)
{
	size_t l = 3;
	for (size_t i = 0; i < b->nsegs && i < KR_MAX_HOPS; i++)
		l += SIG_SEG_HDR + b->segs[i].sig_len;
	return l;
}

size_t kr_bgpsec_path_len(const struct kr_bgpsec_path *bp)
{
	size_t l = 2 + SP_SEG_LEN * bp->nhops;
	for (size_t b = 0; b < bp->nblocks && b < 2; b++)
		l += block_len(&bp->blocks[b]);
	return l;
}

/* Length fields are recomputed from the content (sp_len and blocks[].len
 * are ignored), so a path edited by a signer encodes consistently. */
int kr_bgpsec_path_encode(const struct kr_bgpsec_path *bp, struct kr_wr *w)
{
	if (bp->nhops > KR_MAX_HOPS || bp->nblocks > 2 || 2 + SP_SEG_LEN * bp->nhops > 0xffff) {
		w->bad = true;
		return -1;
	}
	kr_wr_u16(w, (uint16_t)(2 + SP_SEG_LEN * bp->nhops));
	for (size_t i = 0; i < bp->nhops; i++) {
		kr_wr_u8(w, bp->sp[i].pcount);
		kr_wr_u8(w, bp->sp[i].flags);
		kr_wr_u32(w, bp->sp[i].asn);
	}
	for (size_t b = 0; b < bp->nblocks; b++) {
		const struct kr_sig_block *k = &bp->blocks[b];
		size_t bl = block_len(k);
		if (k->nsegs > KR_MAX_HOPS || bl > 0xffff) {
			w->bad = true;
			return -1;
		}
		kr_wr_u16(w, (uint16_t)bl);
		kr_wr_u8(w, k->suite);
		for (size_t i = 0; i < k->nsegs; i++) {
			kr_wr_bytes(w, k->segs[i].ski, KR_SKI_LEN);
			kr_wr_u16(w, k->segs[i].sig_len);
			kr_wr_bytes(w, k->segs[i].sig, k->segs[i].sig_len);
		}
	}
	return w->bad ? -1 : 0;
}

/* RFC 8205 §4.4: walking from the origin, each segment with pCount > 0
 * prepends pCount copies of its AS to the leftmost AS_PATH segment when the
 * type matches (AS_CONFED_SEQUENCE for Confed_Segment, else AS_SEQUENCE),
 * else opens a new one; a segment holds at most 255 ASes, so prepending
 * into a full one opens another. Read newest-first, that yields maximal
 * runs of equal type whose leftmost chunk takes the remainder (L mod 255)
 * and the others 255 each. */
int kr_bgpsec_to_as_path(const struct kr_bgpsec_path *bp, struct kr_wr *w)
{
	size_t n = bp->nhops < KR_MAX_HOPS ? bp->nhops : KR_MAX_HOPS;
	size_t i = 0;
	while (i < n) {
		if (bp->sp[i].pcount == 0) {
			i++;
			continue;
		}
		bool confed = bp->sp[i].flags & KR_BGPSEC_CONFED;
		size_t j = i, total = 0;
		for (; j < n; j++) {
			if (bp->sp[j].pcount == 0)
				continue;
			if (!!(bp->sp[j].flags & KR_BGPSEC_CONFED) != confed)
				break;
			total += bp->sp[j].pcount;
		}
		/* emit run [i, j): chunk sizes total%255 (if any), then 255s */
		size_t hop = i, used = 0;
		size_t chunk = total % 255 ? total % 255 : 255;
		while (total) {
			kr_wr_u8(w, confed ? 3 : 2);
			kr_wr_u8(w, (uint8_t)chunk);
			for (size_t k = 0; k < chunk; k++) {
				while (bp->sp[hop].pcount == 0 || used == bp->sp[hop].pcount) {
					hop++;
					used = 0;
				}
				kr_wr_u32(w, bp->sp[hop].asn);
				used++;
			}
			total -= chunk;
			chunk = 255;
		}
		i = j;
	}
	return w->bad ? -1 : 0;
}
