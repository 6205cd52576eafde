/* BGPsec_PATH value codec (RFC 8205 §3) and AS_PATH reconstruction
 * (RFC 8205 §4.4). */
#include <string.h>

#include "wire/bgp_msg.h"
#include "cu.h"

static struct kr_bgpsec_path bp, bp2;
static uint8_t ski[KR_MAX_HOPS][KR_SKI_LEN], sig[KR_MAX_HOPS][72];
static uint8_t buf[65536];

/* n hops, newest first: AS 65000+i, pCount 1, signatures of 70+i%3
 * octets; nblocks blocks (suite 1, then 0xFB). */
static void mkpath(struct kr_bgpsec_path *p, size_t n, size_t nblocks)
{
	memset(p, 0, sizeof *p);
	p->nhops = n;
	p->nblocks = nblocks;
	for (size_t i = 0; i < n; i++) {
		p->sp[i] = (struct kr_sp_seg){ 1, 0, 65000u + (uint32_t)i };
		memset(ski[i], (int)i + 1, KR_SKI_LEN);
		memset(sig[i], 0x30 + (int)i, sizeof sig[i]);
		for (size_t b = 0; b < nblocks; b++)
			p->blocks[b].segs[i] = (struct kr_sig_seg){ ski[i], (uint16_t)(70 + i % 3), sig[i] };
	}
	for (size_t b = 0; b < nblocks; b++) {
		p->blocks[b].nsegs = n;
		p->blocks[b].suite = b ? 0xFB : 1;
	}
}

static size_t enc(const struct kr_bgpsec_path *p)
{
	struct kr_wr w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT_EQUAL(kr_bgpsec_path_encode(p, &w), 0);
	CU_ASSERT_EQUAL(w.off, kr_bgpsec_path_len(p));
	return w.off;
}

static void t_roundtrip(void)
{
	struct kr_err e;
	static uint8_t again[65536];
	for (size_t nb = 1; nb <= 2; nb++)
		for (size_t n = 1; n <= 5; n++) {
			mkpath(&bp, n, nb);
			bp.sp[0].flags = KR_BGPSEC_CONFED | 0x01; /* unassigned bit kept */
			size_t l = enc(&bp);
			CU_ASSERT_EQUAL_FATAL(kr_bgpsec_path_decode(&bp2, buf, l, &e), 0);
			CU_ASSERT_EQUAL(bp2.nhops, n);
			CU_ASSERT_EQUAL(bp2.nblocks, nb);
			CU_ASSERT_EQUAL(bp2.sp_len, 2 + 6 * n);
			CU_ASSERT_EQUAL(bp2.sp[0].flags, 0x81);
			CU_ASSERT_EQUAL(bp2.sp[n - 1].asn, 65000 + n - 1);
			CU_ASSERT_EQUAL(bp2.blocks[nb - 1].suite, nb == 2 ? 0xFB : 1);
			CU_ASSERT_EQUAL(bp2.blocks[0].nsegs, n);
			CU_ASSERT_EQUAL(bp2.blocks[0].segs[n - 1].sig_len, 70 + (n - 1) % 3);
			CU_ASSERT(memcmp(bp2.blocks[0].segs[0].ski, ski[0], KR_SKI_LEN) == 0);
			struct kr_wr w = kr_wr_init(again, sizeof again);
			CU_ASSERT_EQUAL(kr_bgpsec_path_encode(&bp2, &w), 0);
			CU_ASSERT(w.off == l && memcmp(again, buf, l) == 0);
		}
	/* count mismatch between Secure_Path and a block still parses
	 * (RFC 8205 §5.2 check 3 belongs to the validator) */
	mkpath(&bp, 3, 1);
	bp.blocks[0].nsegs = 2;
	size_t l = enc(&bp);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, l, &e), 0);
	CU_ASSERT(bp2.nhops == 3 && bp2.blocks[0].nsegs == 2);
	/* an empty block and a zero-length signature are syntactically fine */
	bp.blocks[0].nsegs = 0;
	l = enc(&bp);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, l, &e), 0);
	mkpath(&bp, 1, 1);
	bp.blocks[0].segs[0].sig_len = 0;
	l = enc(&bp);
	CU_ASSERT_EQUAL(l, 2 + 6 + 3 + 22);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, l, &e), 0);
	/* encode ignores stale length fields */
	mkpath(&bp, 2, 1);
	bp.sp_len = 99;
	bp.blocks[0].len = 7;
	l = enc(&bp);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, l, &e), 0);
	CU_ASSERT_EQUAL(bp2.sp_len, 14);
	/* writer too small; impossible counts */
	struct kr_wr w = kr_wr_init(buf, 10);
	CU_ASSERT_EQUAL(kr_bgpsec_path_encode(&bp, &w), -1);
	bp.nblocks = 3;
	w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT_EQUAL(kr_bgpsec_path_encode(&bp, &w), -1);
	bp.nblocks = 1;
	bp.nhops = KR_MAX_HOPS + 1;
	w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT_EQUAL(kr_bgpsec_path_encode(&bp, &w), -1);
}

static void expect_err(const uint8_t *v, size_t l, int code, size_t off)
{
	struct kr_err e;
	kr_err_clear(&e);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, v, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, code);
	CU_ASSERT_EQUAL(e.offset, off);
	if (e.code != code || e.offset != off)
		fprintf(stderr, "got code %d offset %zu: %s\n", e.code, e.offset, e.msg);
}

static void t_malformed(void)
{
	mkpath(&bp, 2, 1);
	size_t l = enc(&bp); /* 14 + 3 + 92 + 93 */
	static uint8_t v[1024];
	memcpy(v, buf, l);
	/* Secure_Path length: not 2 + 6n, too small, too large, off by one */
	v[1] = 13;
	expect_err(v, l, KR_WE_BGPSEC, 0);
	v[1] = 15;
	expect_err(v, l, KR_WE_BGPSEC, 0);
	v[1] = 2;
	expect_err(v, l, KR_WE_BGPSEC, 0);
	v[1] = 8; /* one segment: the rest no longer parses as blocks */
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, v, l, NULL), -1);
	v[0] = 0x10;
	v[1] = 14;
	expect_err(v, l, KR_WE_BGPSEC, 0);
	v[0] = 0;
	/* Signature_Block length off by one either way */
	v[15]++;
	expect_err(v, l, KR_WE_BGPSEC, 14);
	v[15] -= 2;
	expect_err(v, l, KR_WE_BGPSEC, 14 + 3 + 92 + 20);
	v[15]++;
	/* block length < 3 */
	memcpy(v, buf, l);
	v[14] = 0;
	v[15] = 2;
	expect_err(v, l, KR_WE_BGPSEC, 14);
	/* signature length off by one either way */
	memcpy(v, buf, l);
	v[14 + 3 + 21]++; /* the next segment starts one octet late */
	expect_err(v, l, KR_WE_BGPSEC, 14 + 3 + 93 + 20);
	memcpy(v, buf, l);
	v[14 + 3 + 92 + 21]++;
	expect_err(v, l, KR_WE_BGPSEC, 14 + 3 + 92 + 20);
	memcpy(v, buf, l);
	v[14 + 3 + 21]--;
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, v, l, NULL), -1);
	/* block header truncated; trailing octet; no block at all */
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, 16, NULL), -1);
	expect_err(buf, 14, KR_WE_BGPSEC, 14);
	expect_err(buf, 0, KR_WE_BGPSEC, 0);
	expect_err(buf, 1, KR_WE_BGPSEC, 0);
	memcpy(v, buf, l);
	v[l] = 0;
	expect_err(v, l + 1, KR_WE_BGPSEC, l);
	/* a third Signature_Block */
	mkpath(&bp, 1, 2);
	l = enc(&bp);
	memcpy(v, buf, l);
	memcpy(v + l, buf + 8, 3 + 22 + 70);
	expect_err(v, l + 95, KR_WE_BGPSEC, l);
	/* Signature Segment header cut inside the block */
	mkpath(&bp, 1, 1);
	l = enc(&bp);
	memcpy(v, buf, l);
	v[8] = 0;
	v[9] = 3 + 10;
	expect_err(v, 8 + 13, KR_WE_BGPSEC, 11);
	/* harness limits: hops and signature segments */
	mkpath(&bp, KR_MAX_HOPS, 1);
	l = enc(&bp);
	CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp2, buf, l, NULL), 0);
	uint8_t big[2 + 6 * (KR_MAX_HOPS + 1) + 3];
	memset(big, 0, sizeof big);
	big[0] = (uint8_t)((2 + 6 * (KR_MAX_HOPS + 1)) >> 8);
	big[1] = (uint8_t)(2 + 6 * (KR_MAX_HOPS + 1));
	big[sizeof big - 2] = 3;
	expect_err(big, sizeof big, KR_WE_LIMIT, 0);
	static uint8_t many[8 + 3 + 22 * (KR_MAX_HOPS + 1)];
	memset(many, 0, sizeof many);
	many[1] = 8;
	many[8] = (uint8_t)((3 + 22 * (KR_MAX_HOPS + 1)) >> 8);
	many[9] = (uint8_t)(3 + 22 * (KR_MAX_HOPS + 1));
	expect_err(many, sizeof many, KR_WE_LIMIT, 11 + 22 * KR_MAX_HOPS);
}

static size_t aspath(const struct kr_bgpsec_path *p)
{
	struct kr_wr w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT_EQUAL(kr_bgpsec_to_as_path(p, &w), 0);
	return w.off;
}

static uint32_t as_at(size_t off)
{
	return (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
	       (uint32_t)buf[off + 2] << 8 | buf[off + 3];
}

static void t_as_path(void)
{
	/* newest first: 65000 (pCount 2), 65001 (pCount 0), 65002 (1) */
	mkpath(&bp, 3, 1);
	bp.sp[0].pcount = 2;
	bp.sp[1].pcount = 0;
	size_t l = aspath(&bp);
	CU_ASSERT_EQUAL_FATAL(l, 2 + 12);
	CU_ASSERT(buf[0] == 2 && buf[1] == 3);
	CU_ASSERT(as_at(2) == 65000 && as_at(6) == 65000 && as_at(10) == 65002);
	/* confederation segments: newest two confed, origin plain */
	mkpath(&bp, 3, 1);
	bp.sp[0].flags = bp.sp[1].flags = KR_BGPSEC_CONFED;
	l = aspath(&bp);
	CU_ASSERT_EQUAL_FATAL(l, 2 + 8 + 2 + 4);
	CU_ASSERT(buf[0] == 3 && buf[1] == 2 && as_at(2) == 65000 && as_at(6) == 65001);
	CU_ASSERT(buf[10] == 2 && buf[11] == 1 && as_at(12) == 65002);
	/* a pCount 0 confed segment between two plain ones does not split */
	mkpath(&bp, 3, 1);
	bp.sp[1].flags = KR_BGPSEC_CONFED;
	bp.sp[1].pcount = 0;
	l = aspath(&bp);
	CU_ASSERT(l == 10 && buf[0] == 2 && buf[1] == 2);
	/* all pCount 0: empty AS_PATH */
	bp.sp[0].pcount = bp.sp[2].pcount = 0;
	CU_ASSERT_EQUAL(aspath(&bp), 0);
	/* 255 split: origin pCount 255, next pCount 10 -> the origin side
	 * segment is full (255), the newest holds the remaining 10 */
	mkpath(&bp, 2, 1);
	bp.sp[0].pcount = 10;
	bp.sp[1].pcount = 255;
	l = aspath(&bp);
	CU_ASSERT_EQUAL_FATAL(l, 2 + 40 + 2 + 1020);
	CU_ASSERT(buf[0] == 2 && buf[1] == 10 && as_at(2) == 65000 && as_at(38) == 65000);
	CU_ASSERT(buf[42] == 2 && buf[43] == 255 && as_at(44) == 65001);
	CU_ASSERT_EQUAL(as_at(l - 4), 65001);
	/* exactly 255: one segment */
	bp.sp[0].pcount = 200;
	bp.sp[1].pcount = 55;
	l = aspath(&bp);
	CU_ASSERT(l == 2 + 1020 && buf[1] == 255 && as_at(2 + 199 * 4) == 65000 &&
		  as_at(2 + 200 * 4) == 65001);
	/* 600 confed: 90 + 255 + 255 */
	mkpath(&bp, 3, 1);
	for (int i = 0; i < 3; i++) {
		bp.sp[i].pcount = 200;
		bp.sp[i].flags = KR_BGPSEC_CONFED;
	}
	l = aspath(&bp);
	CU_ASSERT_EQUAL_FATAL(l, 3 * 2 + 600 * 4);
	CU_ASSERT(buf[0] == 3 && buf[1] == 90 && buf[2 + 360] == 3 && buf[3 + 360] == 255);
	/* output overflow */
	struct kr_wr w = kr_wr_init(buf, 5);
	CU_ASSERT_EQUAL(kr_bgpsec_to_as_path(&bp, &w), -1);
}

KR_TESTS("bgpsec_path",
	 { "encode/decode round trip", t_roundtrip },
	 { "malformed values", t_malformed },
	 { "AS_PATH reconstruction", t_as_path });
