/* UPDATE codec against the RFC 8208 Appendix A images (A.3 IPv4, A.4
 * IPv6): decoded fields, byte-exact re-encode (as captured with type 30 and
 * rewritten to 33), truncation at every offset. */
#include <stdlib.h>
#include <string.h>

#include "bgp_msg.h"
#include "bgp_testvec.h"
#include "cu.h"

static const uint8_t SKI_64496[20] = { 0xAB, 0x4D, 0x91, 0x0F, 0x55, 0xCA, 0xE7, 0x1A, 0x21, 0x5E,
				       0xF3, 0xCA, 0xFE, 0x3A, 0xCC, 0x45, 0xB5, 0xEE, 0xC1, 0x54 };
static const uint8_t SKI_65536[20] = { 0x47, 0xF2, 0x3B, 0xF1, 0xAB, 0x2F, 0x8A, 0x9D, 0x26, 0x86,
				       0x4E, 0xBB, 0xD8, 0xDF, 0x27, 0x11, 0xC7, 0x44, 0x06, 0xEC };

static struct kr_update u;
static uint8_t img[4096], out[4096];

static size_t load(const char *group, const char *key)
{
	size_t n = kr_tv_hex(group, key, img, sizeof img);
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

static void t_appx_ipv4(void) { check_appx(load("update.ipv4", "update_wire"), 1, "192.0.2.0/24"); }
static void t_appx_ipv6(void)
{
	check_appx(load("update.ipv6", "update_wire_rfc8208"), 2, "2001:db8::/32");
	check_appx(load("update.ipv6", "update_wire_rfc8608"), 2, "2001:db8::/32");
}

/* Every proper prefix of a valid image must fail cleanly (no crash, no
 * out-of-bounds read: the copy is heap-sized exactly so ASan sees it). */
static void truncate_all(const char *group, const char *key)
{
	size_t n = load(group, key);
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
	truncate_all("update.ipv4", "update_wire");
	truncate_all("update.ipv6", "update_wire_rfc8208");
}

KR_TESTS("bgp_update",
	 { "RFC 8208 A.3 IPv4 image", t_appx_ipv4 },
	 { "RFC 8208/8608 A.4 IPv6 images", t_appx_ipv6 },
	 { "truncation at every offset", t_truncations });
