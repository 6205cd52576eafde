/* UPDATE codec against the RFC 8208 Appendix A images (A.3 IPv4, A.4
 * IPv6): decoded fields, byte-exact re-encode (as captured with type 30 and
 * rewritten to 33), truncation at every offset. */
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "bgp_testvec.h"
#include "cu.h"

static const uint8_t SKI_64496[20] = { 0xAB, 0x4D, 0x91, 0x0F, 0x55, 0xCA, 0xE7, 0x1A, 0x21, 0x5E,
				       0xF3, 0xCA, 0xFE, 0x3A, 0xCC, 0x45, 0xB5, 0xEE, 0xC1, 0x54 };
static const uint8_t SKI_65536[20] = { 0x47, 0xF2, 0x3B, 0xF1, 0xAB, 0x2F, 0x8A, 0x9D, 0x26, 0x86,
				       0x4E, 0xBB, 0xD8, 0xDF, 0x27, 0x11, 0xC7, 0x44, 0x06, 0xEC };

static struct kr_update u;
static uint8_t img[4096], out[4096];

static size_t load(const char *name)
{
	size_t n = kr_tv_update(name, img, sizeof img);
	CU_ASSERT_FATAL(n > 23);
	return n;
}

static void check_appx(size_t n, uint16_t afi, const char *pfx_text)
{
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, n, KR_ATTR_BGPSEC_PATH_PREIANA, &e), 0);
	CU_ASSERT(!u.bgpsec_malformed);
	CU_ASSERT(!u.attr_malformed);
	CU_ASSERT_EQUAL(u.nattrs, 4);
	CU_ASSERT(u.i_origin == 0 && u.origin == 2); /* INCOMPLETE in the captures */
	CU_ASSERT_EQUAL(u.attrs[1].type, KR_ATTR_MED);
	CU_ASSERT_EQUAL(u.i_mp_reach, 2);
	CU_ASSERT_EQUAL(u.i_bgpsec, 3);
	CU_ASSERT_EQUAL(u.i_as_path, -1);
	CU_ASSERT_EQUAL(u.attrs[3].flags, 0x90);
	CU_ASSERT_EQUAL(u.attrs[3].len, 205);
	CU_ASSERT_EQUAL(u.mp_reach.afi, afi);
	CU_ASSERT_EQUAL(u.mp_reach.safi, KR_SAFI_UNICAST);
	CU_ASSERT_EQUAL(u.mp_reach.nh_len, afi == KR_AFI_IPV4 ? 4 : 16);
	CU_ASSERT_EQUAL(u.mp_reach.nprefixes, 1);
	CU_ASSERT_EQUAL(u.nnlri, 0);
	CU_ASSERT_EQUAL(u.nwithdrawn, 0);
	struct kr_nlri_iter it;
	struct kr_prefix p, want;
	kr_nlri_iter_init(&it, u.mp_reach.afi, u.mp_reach.nlri, u.mp_reach.nlri_len);
	CU_ASSERT_FATAL(kr_nlri_next(&it, &p));
	CU_ASSERT_EQUAL(kr_prefix_parse(&want, pfx_text), 0);
	CU_ASSERT(kr_prefix_eq(&p, &want));
	CU_ASSERT(!kr_nlri_next(&it, &p));

	const struct kr_bgpsec_path *bp = &u.bgpsec;
	CU_ASSERT_EQUAL(bp->sp_len, 14);
	CU_ASSERT_EQUAL_FATAL(bp->nhops, 2);
	CU_ASSERT(bp->sp[0].asn == 65536 && bp->sp[0].pcount == 1 && bp->sp[0].flags == 0);
	CU_ASSERT(bp->sp[1].asn == 64496 && bp->sp[1].pcount == 1 && bp->sp[1].flags == 0);
	CU_ASSERT_EQUAL_FATAL(bp->nblocks, 1);
	CU_ASSERT_EQUAL(bp->blocks[0].len, 191);
	CU_ASSERT_EQUAL(bp->blocks[0].suite, 1);
	CU_ASSERT_EQUAL_FATAL(bp->blocks[0].nsegs, 2);
	CU_ASSERT(memcmp(bp->blocks[0].segs[0].ski, SKI_65536, 20) == 0);
	CU_ASSERT(memcmp(bp->blocks[0].segs[1].ski, SKI_64496, 20) == 0);
	CU_ASSERT_EQUAL(bp->blocks[0].segs[0].sig_len, 72);
	CU_ASSERT_EQUAL(bp->blocks[0].segs[1].sig_len, 72);
	CU_ASSERT_EQUAL(bp->blocks[0].segs[0].sig[0], 0x30);
	CU_ASSERT_EQUAL(kr_bgpsec_path_len(bp), 205);

	/* decode then encode: byte-exact */
	size_t ol = 0;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT_EQUAL(ol, n);
	CU_ASSERT(memcmp(out, img, n) == 0);

	/* type 30 -> 33: same bytes except that octet (RFC 8208 App. A note) */
	size_t at = (size_t)(u.attrs[3].val - img) - 3;
	CU_ASSERT_EQUAL(img[at], 30);
	u.attrs[3].type = KR_ATTR_BGPSEC_PATH;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT_EQUAL_FATAL(ol, n);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(out[i], i == at ? 33 : img[i]);
	/* and the rewritten image decodes with the IANA code */
	static uint8_t img33[4096];
	memcpy(img33, out, n);
	CU_ASSERT_EQUAL(kr_update_decode(&u, img33, n, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT_EQUAL(u.i_bgpsec, 3);
	CU_ASSERT_EQUAL(u.bgpsec.nhops, 2);
	/* BGPsec_PATH value re-encodes on its own */
	struct kr_wr w = kr_wr_init(out, sizeof out);
	CU_ASSERT_EQUAL(kr_bgpsec_path_encode(&u.bgpsec, &w), 0);
	CU_ASSERT_EQUAL(w.off, 205);
	CU_ASSERT(memcmp(out, u.attrs[3].val, 205) == 0);
	/* the AS_PATH equivalent (RFC 8205 §4.4) */
	w = kr_wr_init(out, sizeof out);
	CU_ASSERT_EQUAL(kr_bgpsec_to_as_path(&u.bgpsec, &w), 0);
	const uint8_t asp[] = { 2, 2, 0, 1, 0, 0, 0, 0, 0xFB, 0xF0 };
	CU_ASSERT_EQUAL(w.off, sizeof asp);
	CU_ASSERT(memcmp(out, asp, sizeof asp) == 0);
}

static void t_appx_ipv4(void) { check_appx(load("rfc8208-a3-ipv4"), 1, "192.0.2.0/24"); }
static void t_appx_ipv6(void)
{
	check_appx(load("rfc8208-a4-ipv6"), 2, "2001:db8::/32");
	check_appx(load("rfc8608-a4-ipv6"), 2, "2001:db8::/32");
}

/* Every proper prefix of a valid image must fail cleanly (no crash, no
 * out-of-bounds read: the copy is heap-sized exactly so ASan sees it). */
static void truncate_all(const char *name)
{
	size_t n = load(name);
	struct kr_err e;
	for (size_t l = 0; l < n; l++) {
		uint8_t *c = malloc(l ? l : 1);
		memcpy(c, img, l);
		kr_err_clear(&e);
		CU_ASSERT_EQUAL(kr_update_decode(&u, c, l, 30, &e), -1);
		CU_ASSERT(e.code != 0);
		/* with the header length patched to match, the body is short */
		if (l >= 19) {
			c[16] = (uint8_t)(l >> 8);
			c[17] = (uint8_t)l;
			kr_err_clear(&e);
			int rc = kr_update_decode(&u, c, l, 30, &e);
			CU_ASSERT(rc == -1 || u.bgpsec_malformed || l < 23);
			if (rc == 0)
				CU_ASSERT(u.bgpsec_malformed);
		}
		size_t ml;
		CU_ASSERT(kr_bgp_frame(c, l, 4096, &ml, &e) <= 0 || l >= 19);
		free(c);
	}
	/* BGPsec_PATH value truncated at every length: error, never crash */
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, n, 30, &e), 0);
	const uint8_t *v = u.attrs[u.i_bgpsec].val;
	size_t vl = u.attrs[u.i_bgpsec].len;
	static struct kr_bgpsec_path bp;
	for (size_t l = 0; l < vl; l++) {
		uint8_t *c = malloc(l ? l : 1);
		memcpy(c, v, l);
		CU_ASSERT_EQUAL(kr_bgpsec_path_decode(&bp, c, l, &e), -1);
		CU_ASSERT(e.offset <= l);
		free(c);
	}
}

static void t_truncations(void)
{
	truncate_all("rfc8208-a3-ipv4");
	truncate_all("rfc8208-a4-ipv6");
}


/* ---- building ---- */

static const uint8_t NH4[4] = { 198, 18, 0, 1 };
static const uint8_t NH6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static uint8_t fsig[KR_MAX_HOPS][72], fski[KR_MAX_HOPS][KR_SKI_LEN];

static void fake_path(struct kr_bgpsec_path *p, size_t n)
{
	memset(p, 0, sizeof *p);
	p->nhops = n;
	p->nblocks = 1;
	p->blocks[0].suite = 1;
	p->blocks[0].nsegs = n;
	for (size_t i = 0; i < n; i++) {
		p->sp[i] = (struct kr_sp_seg){ 1, 0, 65536u + (uint32_t)i };
		memset(fski[i], 0xA0 + (int)i, KR_SKI_LEN);
		memset(fsig[i], 0x30, 72);
		p->blocks[0].segs[i] = (struct kr_sig_seg){ fski[i], 72, fsig[i] };
	}
}

static void t_build_plain(void)
{
	struct kr_err e;
	size_t l, ol;
	uint32_t asp[] = { 65001, 4200000000u };
	struct kr_route_out r = { .origin = 0, .next_hop = NH4, .next_hop_len = 4,
				  .as_path = asp, .as_path_len = 2 };
	kr_prefix_parse(&r.prefix, "192.0.2.0/24");
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.nattrs == 3 && u.i_origin == 0 && u.i_as_path == 1 && u.i_next_hop == 2);
	CU_ASSERT(u.i_mp_reach == -1 && u.i_bgpsec == -1 && !u.attr_malformed);
	CU_ASSERT(u.attrs[0].flags == 0x40 && u.attrs[1].flags == 0x40 && u.attrs[2].flags == 0x40);
	CU_ASSERT(u.nas_segs == 1 && u.as_segs[0].type == 2 && u.as_segs[0].count == 2);
	CU_ASSERT(u.as_segs[0].asns[4] == 0xFA && u.as_segs[0].asns[7] == 0x00);
	CU_ASSERT_EQUAL(u.next_hop, 0xC6120001);
	CU_ASSERT(u.nnlri == 1 && u.nlri_len == 4 && u.nlri[0] == 24);
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
	/* IPv6: MP_REACH_NLRI first (RFC 7606 §5.1), 16-octet next hop */
	kr_prefix_parse(&r.prefix, "2001:db8:1::/48");
	r.next_hop = NH6;
	r.next_hop_len = 16;
	r.origin = 2;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.i_mp_reach == 0 && u.i_origin == 1 && u.i_as_path == 2 && u.nattrs == 3);
	CU_ASSERT(u.mp_reach.afi == 2 && u.mp_reach.safi == 1 && u.mp_reach.nh_len == 16);
	CU_ASSERT(u.mp_reach.nprefixes == 1 && u.nnlri == 0 && u.origin == 2);
	CU_ASSERT(memcmp(u.mp_reach.nh, NH6, 16) == 0);
	/* empty AS_PATH (iBGP origination), long AS_PATH split at 255 */
	static uint32_t longp[300];
	for (int i = 0; i < 300; i++)
		longp[i] = 65000 + (uint32_t)i;
	r.as_path = longp;
	r.as_path_len = 300;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.attrs[u.i_as_path].flags == (0x40 | KR_AF_EXTLEN));
	CU_ASSERT(u.nas_segs == 2 && u.as_segs[0].count == 255 && u.as_segs[1].count == 45);
	r.as_path_len = 0;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.i_as_path >= 0 && u.attrs[u.i_as_path].len == 0 && u.nas_segs == 0);
}

static void t_build_bgpsec(void)
{
	struct kr_err e;
	size_t l, ol;
	static struct kr_bgpsec_path bp;
	const uint8_t comm[] = { 0xFD, 0xE9, 0, 1 };
	struct kr_attr extra[] = { { 0xC0 | KR_AF_PARTIAL, 8, 4, comm } };
	for (size_t hops = 1; hops <= 3; hops += 2)
		for (int v6 = 0; v6 <= 1; v6++) {
			fake_path(&bp, hops);
			struct kr_route_out r = { .origin = 0, .next_hop = v6 ? NH6 : NH4,
						  .next_hop_len = v6 ? 16 : 4, .bgpsec = &bp,
						  .extra = extra, .nextra = 1 };
			kr_prefix_parse(&r.prefix, v6 ? "2001:db8::/32" : "192.0.2.0/24");
			CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
			CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
			/* RFC 8205 §4.1: MP_REACH_NLRI also for IPv4, no AS_PATH */
			CU_ASSERT(u.i_mp_reach == 0 && u.i_origin == 1 && u.i_bgpsec == 2);
			CU_ASSERT(u.i_as_path == -1 && u.i_next_hop == -1 && u.nnlri == 0);
			CU_ASSERT(u.nattrs == 4 && u.attrs[3].type == 8 && u.attrs[3].flags == 0xE0);
			CU_ASSERT_EQUAL(u.attrs[2].flags,
					KR_AF_OPTIONAL | (hops == 3 ? KR_AF_EXTLEN : 0));
			CU_ASSERT(!u.bgpsec_malformed && u.bgpsec.nhops == hops);
			CU_ASSERT(u.bgpsec.sp[hops - 1].asn == 65536 + hops - 1);
			CU_ASSERT(u.bgpsec.blocks[0].nsegs == hops);
			CU_ASSERT(memcmp(u.bgpsec.blocks[0].segs[0].ski, fski[0], 20) == 0);
			CU_ASSERT(u.mp_reach.afi == (v6 ? 2 : 1) && u.mp_reach.nprefixes == 1);
			CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
			CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
		}
	/* AS_PATH beside BGPsec_PATH for negative tests: given or rebuilt */
	fake_path(&bp, 2);
	struct kr_route_out r = { .next_hop = NH4, .next_hop_len = 4, .bgpsec = &bp,
				  .force_as_path = true };
	kr_prefix_parse(&r.prefix, "192.0.2.0/24");
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.i_as_path >= 0 && u.i_bgpsec >= 0 && u.nas_segs == 1);
	CU_ASSERT(u.as_segs[0].count == 2 && u.as_segs[0].asns[1] == 1);
	uint32_t one = 64511;
	r.as_path = &one;
	r.as_path_len = 1;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.nas_segs == 1 && u.as_segs[0].count == 1);
}

static void t_build_errors(void)
{
	struct kr_err e;
	size_t l;
	struct kr_route_out r = { .next_hop = NH4, .next_hop_len = 4 };
	kr_prefix_parse(&r.prefix, "192.0.2.0/24");
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_update_build(&r, l - 1, img, sizeof img, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, 30, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_NOSPACE);
	r.next_hop_len = 16; /* plain IPv4 needs a 4-octet NEXT_HOP */
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_INVALID);
	r.next_hop_len = 5;
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	r.next_hop_len = 4;
	r.next_hop = NULL;
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	r.next_hop = NH4;
	r.prefix.len = 33;
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	r.prefix.afi = 3;
	r.prefix.len = 8;
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	/* too many raw attributes */
	static struct kr_attr many[KR_MAX_ATTRS];
	for (int i = 0; i < KR_MAX_ATTRS; i++)
		many[i] = (struct kr_attr){ 0xC0, 99, 0, NULL };
	kr_prefix_parse(&r.prefix, "192.0.2.0/24");
	r.extra = many;
	r.nextra = KR_MAX_ATTRS;
	CU_ASSERT_EQUAL(kr_update_build(&r, 4096, img, sizeof img, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
}

static void t_withdraw_eor(void)
{
	struct kr_err e;
	size_t l, ol;
	struct kr_prefix p[3];
	kr_prefix_parse(&p[0], "192.0.2.0/24");
	kr_prefix_parse(&p[1], "2001:db8::/32");
	kr_prefix_parse(&p[2], "198.18.0.0/15");
	CU_ASSERT_EQUAL_FATAL(kr_update_build_withdraw(p, 3, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.nwithdrawn == 2 && u.withdrawn_len == 4 + 3);
	CU_ASSERT(u.nattrs == 1 && u.i_mp_unreach == 0 && u.mp_unreach.afi == 2);
	CU_ASSERT(u.mp_unreach.nprefixes == 1 && u.mp_unreach.safi == 1);
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_build_withdraw(p, 1, 4096, img, sizeof img, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.nwithdrawn == 1 && u.nattrs == 0 && l == 23 + 4);
	CU_ASSERT_EQUAL(kr_update_build_withdraw(p, 3, 24, img, sizeof img, &l, &e), -1);
	p[0].len = 40;
	CU_ASSERT_EQUAL(kr_update_build_withdraw(p, 1, 4096, img, sizeof img, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_INVALID);
	/* End-of-RIB (RFC 4724 §2) */
	CU_ASSERT_EQUAL_FATAL(kr_update_build_eor(KR_AFI_IPV4, img, sizeof img, &l), 0);
	CU_ASSERT_EQUAL(l, 23);
	CU_ASSERT_EQUAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.nattrs == 0 && u.nnlri == 0 && u.nwithdrawn == 0);
	CU_ASSERT_EQUAL_FATAL(kr_update_build_eor(KR_AFI_IPV6, img, sizeof img, &l), 0);
	CU_ASSERT_EQUAL(l, 29);
	CU_ASSERT_EQUAL(kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.i_mp_unreach == 0 && u.mp_unreach.afi == 2 && u.mp_unreach.nlri_len == 0);
	CU_ASSERT_EQUAL(kr_update_build_eor(KR_AFI_IPV6, img, 28, &l), -1);
}

/* ---- malformed UPDATEs (RFC 7606 classes) ---- */

/* UPDATE from raw withdrawn, attribute and NLRI octets. */
static size_t mk(const uint8_t *wd, size_t wl, const uint8_t *at, size_t al, const uint8_t *nl,
		 size_t nll)
{
	size_t l = 23 + wl + al + nll;
	memset(img, 0xff, 16);
	img[16] = (uint8_t)(l >> 8);
	img[17] = (uint8_t)l;
	img[18] = 2;
	img[19] = (uint8_t)(wl >> 8);
	img[20] = (uint8_t)wl;
	if (wl)
		memcpy(img + 21, wd, wl);
	img[21 + wl] = (uint8_t)(al >> 8);
	img[22 + wl] = (uint8_t)al;
	if (al)
		memcpy(img + 23 + wl, at, al);
	if (nll)
		memcpy(img + 23 + wl + al, nl, nll);
	return l;
}

static int dec(size_t l, struct kr_err *e)
{
	kr_err_clear(e);
	return kr_update_decode(&u, img, l, KR_ATTR_BGPSEC_PATH, e);
}

#define BASE 0x40, 1, 1, 0, 0x40, 3, 4, 198, 18, 0, 1
static const uint8_t NL[] = { 24, 192, 0, 2 };

static void t_fatal_errors(void)
{
	struct kr_err e;
	const uint8_t base[] = { BASE };
	size_t l = mk(NULL, 0, base, sizeof base, NL, 4);
	CU_ASSERT_EQUAL(dec(l, &e), 0);
	/* withdrawn length past the end */
	img[20] = 200;
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_UPDATE_LEN && e.offset == 19);
	/* total attribute length past the end, and one short */
	l = mk(NULL, 0, base, sizeof base, NL, 4);
	img[22] = sizeof base + 5;
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_UPDATE_LEN && e.offset == 21);
	img[22] = sizeof base - 1;
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_UPDATE_LEN && e.offset == 23 + 4);
	/* attribute length past the attributes; ext-length header cut */
	const uint8_t a1[] = { 0x40, 1, 1, 0, 0x40, 3, 5, 198, 18, 0, 1 };
	l = mk(NULL, 0, a1, sizeof a1, NL, 4);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_UPDATE_LEN && e.offset == 27);
	const uint8_t a2[] = { 0x40, 1, 1, 0, 0x50, 3, 0 };
	l = mk(NULL, 0, a2, sizeof a2, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_UPDATE_LEN && e.offset == 27);
	const uint8_t a3[] = { 0x40, 1 };
	l = mk(NULL, 0, a3, sizeof a3, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	/* bad NLRI / withdrawn prefixes (RFC 7606 §3 j) */
	const uint8_t bad_nl[] = { 33, 1, 2, 3, 4, 5 };
	l = mk(NULL, 0, base, sizeof base, bad_nl, sizeof bad_nl);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_NLRI && e.offset == 23 + sizeof base);
	const uint8_t cut_nl[] = { 24, 1, 2 };
	l = mk(cut_nl, sizeof cut_nl, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_NLRI && e.offset == 21);
	/* MP_REACH_NLRI: repeated, bad prefix, next hop past the end */
	const uint8_t mp2[] = { 0x80, 14, 9, 0, 2, 1, 4, 198, 18, 0, 1, 0,
				0x80, 14, 9, 0, 2, 1, 4, 198, 18, 0, 1, 0 };
	l = mk(NULL, 0, mp2, sizeof mp2, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_ATTR_DUP && e.offset == 23 + 12);
	const uint8_t mpb[] = { 0x80, 14, 11, 0, 2, 1, 4, 198, 18, 0, 1, 0, 129, 0x20 };
	l = mk(NULL, 0, mpb, sizeof mpb, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_NLRI && e.offset == 23 + 3 + 9);
	const uint8_t mpc[] = { 0x80, 14, 6, 0, 2, 1, 16, 0x20, 1 };
	l = mk(NULL, 0, mpc, sizeof mpc, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_MP && e.offset == 26);
	const uint8_t mpu[] = { 0x80, 15, 2, 0, 2 };
	l = mk(NULL, 0, mpu, sizeof mpu, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_MP);
	const uint8_t mpu2[] = { 0x80, 15, 3, 0, 2, 1, 0x80, 15, 3, 0, 2, 1 };
	l = mk(NULL, 0, mpu2, sizeof mpu2, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_ATTR_DUP);
	const uint8_t mpu3[] = { 0x80, 15, 5, 0, 1, 1, 25, 1 };
	l = mk(NULL, 0, mpu3, sizeof mpu3, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_NLRI);
	/* other SAFIs: NLRI kept raw, not interpreted */
	const uint8_t vpn[] = { 0x80, 14, 10, 0, 1, 128, 4, 198, 18, 0, 1, 0, 0xff };
	l = mk(NULL, 0, vpn, sizeof vpn, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), 0);
	CU_ASSERT(u.mp_reach.safi == 128 && u.mp_reach.nlri_len == 1 && u.mp_reach.nprefixes == 0);
	/* harness limits */
	static uint8_t many[3 * (KR_MAX_ATTRS + 1)];
	for (int i = 0; i <= KR_MAX_ATTRS; i++) {
		many[3 * i] = 0xC0;
		many[3 * i + 1] = 99;
		many[3 * i + 2] = 0;
	}
	l = mk(NULL, 0, many, sizeof many, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT(e.code == KR_WE_LIMIT && e.offset == 23 + 3 * KR_MAX_ATTRS);
	static uint8_t segs[4 + 6 * (KR_MAX_AS_SEGS + 1)];
	segs[0] = 0x50;
	segs[1] = 2;
	segs[2] = (uint8_t)((6 * (KR_MAX_AS_SEGS + 1)) >> 8);
	segs[3] = (uint8_t)(6 * (KR_MAX_AS_SEGS + 1));
	for (int i = 0; i <= KR_MAX_AS_SEGS; i++) {
		segs[4 + 6 * i] = 2;
		segs[5 + 6 * i] = 1;
	}
	l = mk(NULL, 0, segs, sizeof segs, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
	/* header problems */
	l = mk(NULL, 0, base, sizeof base, NL, 4);
	CU_ASSERT_EQUAL(kr_update_decode(&u, img, l + 1, 33, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
	img[18] = 4;
	CU_ASSERT_EQUAL(kr_update_decode(&u, img, l, 33, &e), -1);
}

static void t_taw_errors(void)
{
	struct kr_err e;
	size_t l;
	/* malformed BGPsec_PATH: decode succeeds, NLRI usable (RFC 8205 §5.2,
	 * RFC 7606 treat-as-withdraw) */
	const uint8_t bs[] = { 0x80, 14, 13, 0, 1, 1, 4, 198, 18, 0, 1, 0, 24, 192, 0, 2,
			       0x40, 1, 1, 0, 0x80, 33, 4, 0, 9, 0, 0 };
	l = mk(NULL, 0, bs, sizeof bs, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(dec(l, &e), 0);
	CU_ASSERT(u.bgpsec_malformed && u.bgpsec_err.code == KR_WE_BGPSEC);
	CU_ASSERT_EQUAL(u.bgpsec_err.offset, 23 + 20 + 3);
	CU_ASSERT(strstr(u.bgpsec_err.msg, "BGPsec_PATH") && strstr(u.bgpsec_err.msg, "offset 46"));
	CU_ASSERT(u.i_bgpsec == 2 && u.mp_reach.nprefixes == 1 && !u.attr_malformed);
	size_t ol;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
	/* BGPsec_PATH marked transitive */
	uint8_t bs2[sizeof bs];
	memcpy(bs2, bs, sizeof bs);
	bs2[20] = 0xC0;
	l = mk(NULL, 0, bs2, sizeof bs2, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), 0);
	CU_ASSERT(u.bgpsec_malformed && u.bgpsec_err.code == KR_WE_ATTR_FLAGS);
	/* the App. A image with the type-30 attribute read as unknown */
	size_t n = load("rfc8208-a3-ipv4");
	CU_ASSERT_EQUAL(kr_update_decode(&u, img, n, KR_ATTR_BGPSEC_PATH, &e), 0);
	CU_ASSERT(u.i_bgpsec == -1 && u.nattrs == 4 && u.attrs[3].type == 30);
	/* well-known attribute errors (RFC 7606 §7.1-7.3) */
	struct { uint8_t a[16]; size_t n; int code; } c[] = {
		{ { 0x40, 1, 2, 0, 0 }, 5, KR_WE_ATTR_LEN },
		{ { 0x40, 1, 1, 3 }, 4, KR_WE_ATTR_LEN },
		{ { 0xC0, 1, 1, 0 }, 4, KR_WE_ATTR_FLAGS },
		{ { 0x40, 3, 3, 1, 2, 3 }, 6, KR_WE_ATTR_LEN },
		{ { 0x40, 2, 2, 2, 0 }, 5, KR_WE_AS_PATH },
		{ { 0x40, 2, 6, 2, 2, 0, 0, 0, 1 }, 9, KR_WE_AS_PATH },
		{ { 0x40, 2, 6, 5, 1, 0, 0, 0, 1 }, 9, KR_WE_AS_PATH },
		{ { 0x40, 2, 1, 2 }, 4, KR_WE_AS_PATH },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		l = mk(NULL, 0, c[i].a, c[i].n, NL, 4);
		CU_ASSERT_EQUAL(dec(l, &e), 0);
		CU_ASSERT(u.attr_malformed && u.attr_err.code == c[i].code);
		CU_ASSERT(!u.bgpsec_malformed && u.nnlri == 1);
		CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
		CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
	}
	/* repeated ORIGIN: first one counts (RFC 7606 §3 g) */
	const uint8_t o2[] = { 0x40, 1, 1, 1, 0x40, 1, 1, 2 };
	l = mk(NULL, 0, o2, sizeof o2, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), 0);
	CU_ASSERT(u.i_origin == 0 && u.origin == 1 && u.nattrs == 2 && !u.attr_malformed);
	/* unknown attributes keep flags; extended length on a short one */
	const uint8_t un[] = { 0xF0, 200, 0, 1, 7, 0xE0, 8, 4, 1, 2, 3, 4 };
	l = mk(NULL, 0, un, sizeof un, NULL, 0);
	CU_ASSERT_EQUAL(dec(l, &e), 0);
	CU_ASSERT(u.nattrs == 2 && u.attrs[0].flags == 0xF0 && u.attrs[0].len == 1);
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), 0);
	CU_ASSERT(ol == l && memcmp(out, img, l) == 0);
	/* encode errors */
	u.attrs[0].flags = 0xE0;
	u.attrs[0].len = 300;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_INVALID);
	u.attrs[0].len = 1;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, 20, &ol, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_NOSPACE);
	u.nattrs = KR_MAX_ATTRS + 1;
	CU_ASSERT_EQUAL(kr_update_encode(&u, out, sizeof out, &ol, &e), -1);
}

KR_TESTS("bgp_update",
	 { "RFC 8208 A.3 IPv4 image", t_appx_ipv4 },
	 { "RFC 8208/8608 A.4 IPv6 images", t_appx_ipv6 },
	 { "truncation at every offset", t_truncations },
	 { "build plain routes", t_build_plain },
	 { "build BGPsec routes", t_build_bgpsec },
	 { "build errors", t_build_errors },
	 { "withdraw and End-of-RIB", t_withdraw_eor },
	 { "errors that fail the decode", t_fatal_errors },
	 { "treat-as-withdraw errors", t_taw_errors });
