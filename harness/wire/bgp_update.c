/* UPDATE decode and encode (RFC 4271 §4.3; RFC 4760 §3-4 MP_REACH_NLRI /
 * MP_UNREACH_NLRI; RFC 6793 4-octet AS_PATH; RFC 8205 §3 BGPsec_PATH),
 * with error classes per RFC 7606: errors that leave the NLRI unparseable
 * fail the decode, treat-as-withdraw errors are recorded beside a
 * successful decode (attr_malformed, bgpsec_malformed). */
#include <string.h>

#include "wire/bgp_priv.h"

int kr_attr_put(struct kr_wr *w, uint8_t flags, uint8_t type, const uint8_t *val, size_t len)
{
	if (len > ((flags & KR_AF_EXTLEN) ? 0xffffu : 0xffu))
		return -1;
	kr_wr_u8(w, flags);
	kr_wr_u8(w, type);
	if (flags & KR_AF_EXTLEN)
		kr_wr_u16(w, (uint16_t)len);
	else
		kr_wr_u8(w, (uint8_t)len);
	kr_wr_bytes(w, val, len);
	return w->bad ? -1 : 0;
}

/* First treat-as-withdraw error wins; the decode goes on (RFC 7606 §2). */
static void taw(struct kr_update *u, int code, size_t off, const char *what)
{
	if (u->attr_malformed)
		return;
	u->attr_malformed = true;
	kr_wire_fail(&u->attr_err, code, off, "%s", what);
}

static int decode_mp_reach(struct kr_update *u, const struct kr_attr *a, size_t vo,
			   struct kr_err *err)
{
	struct kr_mp_reach *m = &u->mp_reach;
	struct kr_rd r = kr_rd_init(a->val, a->len);
	m->afi = kr_rd_u16(&r);
	m->safi = kr_rd_u8(&r);
	m->nh_len = kr_rd_u8(&r);
	m->nh = kr_rd_bytes(&r, m->nh_len);
	m->reserved = kr_rd_u8(&r);
	if (!kr_rd_ok(&r))
		return kr_wire_fail(err, KR_WE_MP, vo,
				    "MP_REACH_NLRI of %u octets too short for its next hop",
				    a->len);
	m->nlri = a->val + r.off;
	m->nlri_len = kr_rd_left(&r);
	m->nprefixes = 0;
	/* Only unicast/multicast prefixes have the plain <len, prefix> form. */
	if (kr_afi_bits(m->afi) && (m->safi == 1 || m->safi == 2))
		return kr_nlri_check(m->afi, m->nlri, m->nlri_len, vo + r.off, &m->nprefixes, err);
	return 0;
}

static int decode_mp_unreach(struct kr_update *u, const struct kr_attr *a, size_t vo,
			     struct kr_err *err)
{
	struct kr_mp_unreach *m = &u->mp_unreach;
	if (a->len < 3)
		return kr_wire_fail(err, KR_WE_MP, vo, "MP_UNREACH_NLRI of %u octets too short",
				    a->len);
	m->afi = (uint16_t)(a->val[0] << 8 | a->val[1]);
	m->safi = a->val[2];
	m->nlri = a->val + 3;
	m->nlri_len = a->len - 3u;
	m->nprefixes = 0;
	if (kr_afi_bits(m->afi) && (m->safi == 1 || m->safi == 2))
		return kr_nlri_check(m->afi, m->nlri, m->nlri_len, vo + 3, &m->nprefixes, err);
	return 0;
}

/* AS_PATH with 4-octet ASNs (RFC 4271 §4.3, RFC 6793 §3); malformed is
 * treat-as-withdraw (RFC 7606 §7.2). */
static int decode_as_path(struct kr_update *u, const struct kr_attr *a, size_t vo,
			  struct kr_err *err)
{
	struct kr_rd r = kr_rd_init(a->val, a->len);
	u->nas_segs = 0;
	while (kr_rd_left(&r)) {
		size_t at = vo + r.off;
		struct kr_as_seg s;
		s.type = kr_rd_u8(&r);
		s.count = kr_rd_u8(&r);
		s.asns = kr_rd_bytes(&r, 4u * s.count);
		if (!s.asns || s.count == 0 || s.type < 1 || s.type > 4) {
			u->nas_segs = 0;
			taw(u, KR_WE_AS_PATH, at, "malformed AS_PATH segment");
			return 0;
		}
		if (u->nas_segs == KR_MAX_AS_SEGS)
			return kr_wire_fail(err, KR_WE_LIMIT, at, "more than %d AS_PATH segments",
					    KR_MAX_AS_SEGS);
		u->as_segs[u->nas_segs++] = s;
	}
	return 0;
}

/* Required flag bits (Optional, Transitive) of recognised attributes
 * (RFC 4271 §5, RFC 4760 §3-4, RFC 8205 §3); -1 for unknown types. */
static int want_flags(uint8_t type, uint8_t bgpsec_type)
{
	if (type == bgpsec_type)
		return KR_AF_OPTIONAL;
	switch (type) {
	case KR_ATTR_ORIGIN: case KR_ATTR_AS_PATH: case KR_ATTR_NEXT_HOP:
	case KR_ATTR_LOCAL_PREF:
		return KR_AF_TRANSITIVE;
	case KR_ATTR_MED: case KR_ATTR_MP_REACH: case KR_ATTR_MP_UNREACH:
		return KR_AF_OPTIONAL;
	default:
		return -1;
	}
}

static int decode_attr(struct kr_update *u, int idx, size_t at, size_t vo, uint8_t bgpsec_type,
		       struct kr_err *err)
{
	const struct kr_attr *a = &u->attrs[idx];
	int *slot = NULL;
	switch (a->type) {
	case KR_ATTR_ORIGIN: slot = &u->i_origin; break;
	case KR_ATTR_AS_PATH: slot = &u->i_as_path; break;
	case KR_ATTR_NEXT_HOP: slot = &u->i_next_hop; break;
	case KR_ATTR_MP_REACH: slot = &u->i_mp_reach; break;
	case KR_ATTR_MP_UNREACH: slot = &u->i_mp_unreach; break;
	}
	if (a->type == bgpsec_type)
		slot = &u->i_bgpsec;
	if (!slot)
		return 0;
	if (*slot >= 0) {
		/* RFC 7606 §3 g: repeated MP attributes reset the session;
		 * other repeats are discarded (first one interpreted). */
		if (a->type == KR_ATTR_MP_REACH || a->type == KR_ATTR_MP_UNREACH)
			return kr_wire_fail(err, KR_WE_ATTR_DUP, at, "attribute %u repeated",
					    a->type);
		return 0;
	}
	*slot = idx;
	int wf = want_flags(a->type, bgpsec_type);
	bool flags_bad = wf >= 0 && (a->flags & (KR_AF_OPTIONAL | KR_AF_TRANSITIVE)) != wf;

	if (a->type == bgpsec_type) {
		if (flags_bad) {
			u->bgpsec_malformed = true;
			kr_wire_fail(&u->bgpsec_err, KR_WE_ATTR_FLAGS, at,
				     "BGPsec_PATH flags 0x%02x, must be optional non-transitive",
				     a->flags);
		} else if (kr_bgpsec_path_decode(&u->bgpsec, a->val, a->len, &u->bgpsec_err) < 0) {
			/* RFC 8205 §5.2: treat-as-withdraw, the rest still decodes */
			u->bgpsec_malformed = true;
			u->bgpsec_err.offset += vo;
			char m[sizeof u->bgpsec_err.msg];
			memcpy(m, u->bgpsec_err.msg, sizeof m);
			kr_wire_fail(&u->bgpsec_err, u->bgpsec_err.code, u->bgpsec_err.offset,
				     "BGPsec_PATH: %.180s", m);
		}
		return 0;
	}
	switch (a->type) {
	case KR_ATTR_MP_REACH:
		return decode_mp_reach(u, a, vo, err);
	case KR_ATTR_MP_UNREACH:
		return decode_mp_unreach(u, a, vo, err);
	}
	/* Well-known attributes: errors are treat-as-withdraw (RFC 7606 §7.1-7.3). */
	if (flags_bad)
		taw(u, KR_WE_ATTR_FLAGS, at, "attribute flags wrong for their type");
	switch (a->type) {
	case KR_ATTR_ORIGIN:
		if (a->len != 1)
			taw(u, KR_WE_ATTR_LEN, at, "ORIGIN length is not 1");
		else if ((u->origin = a->val[0]) > 2)
			taw(u, KR_WE_ATTR_LEN, vo, "ORIGIN value undefined");
		break;
	case KR_ATTR_NEXT_HOP:
		if (a->len != 4)
			taw(u, KR_WE_ATTR_LEN, at, "NEXT_HOP length is not 4");
		else
			u->next_hop = (uint32_t)a->val[0] << 24 | (uint32_t)a->val[1] << 16 |
				      (uint32_t)a->val[2] << 8 | a->val[3];
		break;
	case KR_ATTR_AS_PATH:
		return decode_as_path(u, a, vo, err);
	}
	return 0;
}

int kr_update_decode(struct kr_update *u, const uint8_t *msg, size_t len, uint8_t bgpsec_type,
		     struct kr_err *err)
{
	memset(u, 0, offsetof(struct kr_update, bgpsec));
	u->bgpsec.nhops = u->bgpsec.nblocks = 0;
	u->bgpsec_malformed = u->attr_malformed = false;
	kr_err_clear(&u->bgpsec_err);
	kr_err_clear(&u->attr_err);
	u->i_origin = u->i_as_path = u->i_next_hop = u->i_mp_reach = u->i_mp_unreach =
		u->i_bgpsec = -1;
	if (kr_msg_check(msg, len, KR_BGP_UPDATE, err) < 0)
		return -1;
	/* RFC 4271 §6.3 / RFC 7606 §3 b: the two length fields must fit. */
	size_t off = KR_BGP_HDR_LEN;
	size_t wl = (size_t)msg[off] << 8 | msg[off + 1];
	if (wl > len - 23)
		return kr_wire_fail(err, KR_WE_UPDATE_LEN, off,
				    "withdrawn routes length %zu exceeds the message", wl);
	u->withdrawn = msg + off + 2;
	u->withdrawn_len = wl;
	if (kr_nlri_check(KR_AFI_IPV4, u->withdrawn, wl, off + 2, &u->nwithdrawn, err) < 0)
		return -1;
	off += 2 + wl;
	size_t tal = (size_t)msg[off] << 8 | msg[off + 1];
	if (tal > len - off - 2)
		return kr_wire_fail(err, KR_WE_UPDATE_LEN, off,
				    "total path attribute length %zu exceeds the message", tal);
	off += 2;
	size_t aend = off + tal;
	while (off < aend) {
		size_t at = off;
		if (aend - off < 3)
			return kr_wire_fail(err, KR_WE_UPDATE_LEN, at,
					    "attribute header runs past the attributes");
		struct kr_attr a = { .flags = msg[off], .type = msg[off + 1] };
		size_t hl = (a.flags & KR_AF_EXTLEN) ? 4 : 3;
		if (aend - off < hl)
			return kr_wire_fail(err, KR_WE_UPDATE_LEN, at,
					    "attribute header runs past the attributes");
		a.len = hl == 4 ? (uint16_t)(msg[off + 2] << 8 | msg[off + 3]) : msg[off + 2];
		/* RFC 7606 §4: an attribute overrunning the attribute field
		 * makes the rest unparseable. */
		if (a.len > aend - off - hl)
			return kr_wire_fail(err, KR_WE_UPDATE_LEN, at,
					    "attribute %u length %u runs past the attributes",
					    a.type, a.len);
		a.val = msg + off + hl;
		if (u->nattrs == KR_MAX_ATTRS)
			return kr_wire_fail(err, KR_WE_LIMIT, at, "more than %d attributes",
					    KR_MAX_ATTRS);
		u->attrs[u->nattrs] = a;
		if (decode_attr(u, (int)u->nattrs, at, off + hl, bgpsec_type, err) < 0)
			return -1;
		u->nattrs++;
		off += hl + a.len;
	}
	u->nlri = msg + off;
	u->nlri_len = len - off;
	return kr_nlri_check(KR_AFI_IPV4, u->nlri, u->nlri_len, off, &u->nnlri, err);
}

int kr_update_encode(const struct kr_update *u, uint8_t *out, size_t cap, size_t *len,
		     struct kr_err *err)
{
	size_t tal = 0;
	if (u->nattrs > KR_MAX_ATTRS)
		return kr_wire_fail(err, KR_WE_INVALID, 0, "%zu attributes", u->nattrs);
	for (size_t i = 0; i < u->nattrs; i++) {
		const struct kr_attr *a = &u->attrs[i];
		if (!(a->flags & KR_AF_EXTLEN) && a->len > 255)
			return kr_wire_fail(err, KR_WE_INVALID, 0,
					    "attribute %zu (type %u) length %u without Extended Length",
					    i, a->type, a->len);
		tal += ((a->flags & KR_AF_EXTLEN) ? 4u : 3u) + a->len;
	}
	size_t body = 2 + u->withdrawn_len + 2 + tal + u->nlri_len;
	if (u->withdrawn_len > 0xffff || tal > 0xffff || body + KR_BGP_HDR_LEN > 0xffff)
		return kr_wire_fail(err, KR_WE_INVALID, 0, "UPDATE body of %zu octets too long",
				    body);
	struct kr_wr w = kr_wr_init(out, cap);
	kr_bgp_put_header(&w, KR_BGP_UPDATE, body);
	kr_wr_u16(&w, (uint16_t)u->withdrawn_len);
	kr_wr_bytes(&w, u->withdrawn, u->withdrawn_len);
	kr_wr_u16(&w, (uint16_t)tal);
	for (size_t i = 0; i < u->nattrs; i++)
		kr_attr_put(&w, u->attrs[i].flags, u->attrs[i].type, u->attrs[i].val,
			    u->attrs[i].len);
	kr_wr_bytes(&w, u->nlri, u->nlri_len);
	if (w.bad)
		return kr_wire_fail(err, KR_WE_NOSPACE, w.off, "UPDATE needs %zu octets, have %zu",
				    body + KR_BGP_HDR_LEN, cap);
	*len = w.off;
	return 0;
}
