/* Building UPDATEs: one announced route (RFC 8205 §4.1 for BGPsec), a
 * withdrawal, and End-of-RIB (RFC 4724 §2). */
#include <string.h>

#include "wire/bgp_priv.h"

/* Attribute assembly area: values are written to vbuf, headers later. */
struct abuild {
	uint8_t vbuf[KR_BGP_EXT_MAX_LEN];
	struct kr_attr a[KR_MAX_ATTRS];
	size_t n;
	struct kr_wr vw;
};

static void ab_add(struct abuild *b, uint8_t flags, uint8_t type, size_t start)
{
	if (b->vw.bad || b->n == KR_MAX_ATTRS || b->vw.off - start > 0xffff) {
		b->vw.bad = true;
		return;
	}
	size_t l = b->vw.off - start;
	if (l > 255)
		flags |= KR_AF_EXTLEN;
	b->a[b->n++] = (struct kr_attr){ flags, type, (uint16_t)l, b->vbuf + start };
}

static void put_as_seq(struct kr_wr *w, const uint32_t *as, size_t n)
{
	/* RFC 4271 §4.3: at most 255 ASes per segment */
	for (size_t i = 0; i < n; i += 255) {
		size_t c = n - i < 255 ? n - i : 255;
		kr_wr_u8(w, 2);
		kr_wr_u8(w, (uint8_t)c);
		for (size_t k = 0; k < c; k++)
			kr_wr_u32(w, as[i + k]);
	}
}

static int finish(struct abuild *b, const uint8_t *wd, size_t wdl, const uint8_t *nlri,
		  size_t nlril, size_t max_len, uint8_t *out, size_t cap, size_t *len,
		  struct kr_err *err)
{
	if (b->vw.bad)
		return kr_wire_fail(err, KR_WE_LIMIT, 0, "attributes too long or too many");
	struct kr_update u;
	memset(&u, 0, offsetof(struct kr_update, i_origin));
	memcpy(u.attrs, b->a, b->n * sizeof b->a[0]);
	u.nattrs = b->n;
	u.withdrawn = wd;
	u.withdrawn_len = wdl;
	u.nlri = nlri;
	u.nlri_len = nlril;
	if (kr_update_encode(&u, out, cap, len, err) < 0)
		return -1;
	if (*len > max_len)
		return kr_wire_fail(err, KR_WE_MSG_LEN, 16, "UPDATE of %zu octets exceeds %zu",
				    *len, max_len);
	return 0;
}

int kr_update_build(const struct kr_route_out *r, size_t max_len, uint8_t *out, size_t cap,
		    size_t *len, struct kr_err *err)
{
	static _Thread_local struct abuild b;
	uint16_t afi = r->prefix.afi;
	if (!kr_afi_bits(afi) || r->prefix.len > kr_afi_bits(afi))
		return kr_wire_fail(err, KR_WE_INVALID, 0, "prefix AFI %u length %u", afi,
				    r->prefix.len);
	if (!r->next_hop || !(r->next_hop_len == 4 || r->next_hop_len == 16 ||
			      r->next_hop_len == 32))
		return kr_wire_fail(err, KR_WE_INVALID, 0, "next hop of %u octets",
				    r->next_hop_len);
	/* BGPsec: always MP_REACH_NLRI, also for IPv4 (RFC 8205 §4.1). */
	bool mp = r->bgpsec || afi != KR_AFI_IPV4;
	if (!mp && r->next_hop_len != 4)
		return kr_wire_fail(err, KR_WE_INVALID, 0, "IPv4 NEXT_HOP must be 4 octets");
	b.n = 0;
	b.vw = kr_wr_init(b.vbuf, sizeof b.vbuf);
	size_t s;
	uint8_t nlri[17];
	struct kr_wr nw = kr_wr_init(nlri, sizeof nlri);
	kr_nlri_put(&nw, &r->prefix);

	if (mp) { /* first, per RFC 7606 §5.1 */
		s = b.vw.off;
		kr_wr_u16(&b.vw, afi);
		kr_wr_u8(&b.vw, KR_SAFI_UNICAST);
		kr_wr_u8(&b.vw, r->next_hop_len);
		kr_wr_bytes(&b.vw, r->next_hop, r->next_hop_len);
		kr_wr_u8(&b.vw, 0);
		kr_wr_bytes(&b.vw, nlri, nw.off);
		ab_add(&b, KR_AF_OPTIONAL, KR_ATTR_MP_REACH, s);
	}
	s = b.vw.off;
	kr_wr_u8(&b.vw, r->origin);
	ab_add(&b, KR_AF_TRANSITIVE, KR_ATTR_ORIGIN, s);
	if (!r->bgpsec || r->force_as_path) {
		s = b.vw.off;
		if (r->as_path || !r->bgpsec)
			put_as_seq(&b.vw, r->as_path, r->as_path_len);
		else
			kr_bgpsec_to_as_path(r->bgpsec, &b.vw);
		ab_add(&b, KR_AF_TRANSITIVE, KR_ATTR_AS_PATH, s);
	}
	if (!mp && !r->omit_next_hop) {
		s = b.vw.off;
		kr_wr_bytes(&b.vw, r->next_hop, 4);
		ab_add(&b, KR_AF_TRANSITIVE, KR_ATTR_NEXT_HOP, s);
	}
	if (r->bgpsec) {
		s = b.vw.off;
		if (kr_bgpsec_path_encode(r->bgpsec, &b.vw) < 0)
			return kr_wire_fail(err, KR_WE_INVALID, 0, "cannot encode BGPsec_PATH");
		ab_add(&b, KR_AF_OPTIONAL, KR_ATTR_BGPSEC_PATH, s);
	}
	for (size_t i = 0; i < r->nextra && !b.vw.bad; i++) {
		if (b.n == KR_MAX_ATTRS)
			b.vw.bad = true;
		else
			b.a[b.n++] = r->extra[i];
	}
	return finish(&b, NULL, 0, mp ? NULL : nlri, mp ? 0 : nw.off, max_len, out, cap, len,
		      err);
}

int kr_update_build_withdraw(const struct kr_prefix *p, size_t n, size_t max_len, uint8_t *out,
			     size_t cap, size_t *len, struct kr_err *err)
{
	static _Thread_local struct abuild b;
	static _Thread_local uint8_t wd[KR_BGP_EXT_MAX_LEN];
	struct kr_wr ww = kr_wr_init(wd, sizeof wd);
	b.n = 0;
	b.vw = kr_wr_init(b.vbuf, sizeof b.vbuf);
	kr_wr_u16(&b.vw, KR_AFI_IPV6);
	kr_wr_u8(&b.vw, KR_SAFI_UNICAST);
	size_t n6 = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i].len > kr_afi_bits(p[i].afi) || !kr_afi_bits(p[i].afi))
			return kr_wire_fail(err, KR_WE_INVALID, 0, "prefix %zu: AFI %u length %u",
					    i, p[i].afi, p[i].len);
		if (p[i].afi == KR_AFI_IPV4) {
			kr_nlri_put(&ww, &p[i]);
		} else {
			kr_nlri_put(&b.vw, &p[i]);
			n6++;
		}
	}
	if (n6)
		ab_add(&b, KR_AF_OPTIONAL, KR_ATTR_MP_UNREACH, 0);
	if (ww.bad)
		return kr_wire_fail(err, KR_WE_LIMIT, 0, "withdrawn routes too long");
	return finish(&b, wd, ww.off, NULL, 0, max_len, out, cap, len, err);
}

int kr_update_build_eor(uint16_t afi, uint8_t *out, size_t cap, size_t *len)
{
	/* IPv4 unicast: an UPDATE with nothing in it; other AFIs: an empty
	 * MP_UNREACH_NLRI for the AFI/SAFI (RFC 4724 §2). */
	struct kr_wr w = kr_wr_init(out, cap);
	if (afi == KR_AFI_IPV4) {
		kr_bgp_put_header(&w, KR_BGP_UPDATE, 4);
		kr_wr_u16(&w, 0);
		kr_wr_u16(&w, 0);
	} else {
		uint8_t v[3] = { (uint8_t)(afi >> 8), (uint8_t)afi, KR_SAFI_UNICAST };
		kr_bgp_put_header(&w, KR_BGP_UPDATE, 4 + 3 + 3);
		kr_wr_u16(&w, 0);
		kr_wr_u16(&w, 6);
		kr_attr_put(&w, KR_AF_OPTIONAL, KR_ATTR_MP_UNREACH, v, 3);
	}
	if (w.bad)
		return -1;
	*len = w.off;
	return 0;
}
