/* OPEN (RFC 4271 §4.2) with Capabilities optional parameter (RFC 5492 §4):
 * multiprotocol (RFC 4760 §8), route refresh (RFC 2918), extended message
 * (RFC 8654), BGPsec (RFC 8205 §2.1), 4-octet AS (RFC 6793). Every
 * parameter is kept raw, so encode reproduces the input exactly. */
#include <string.h>

#include "wire/bgp_priv.h"

#define AS_TRANS 23456 /* RFC 6793 §9 */
#define OPT_CAPS 2     /* RFC 5492 §4 */

/* Interpret one capability; wrong lengths for the ones we know are errors
 * (RFC 8205 §2.1: BGPsec length MUST be 3). */
static int interpret_cap(struct kr_open *o, const struct kr_cap *c, size_t off,
			 struct kr_err *err)
{
	static const int want[256] = { [KR_CAP_MP] = 4 + 1, [KR_CAP_ROUTE_REFRESH] = 0 + 1,
				       [KR_CAP_EXT_MSG] = 0 + 1, [KR_CAP_BGPSEC] = 3 + 1,
				       [KR_CAP_AS4] = 4 + 1 };
	if (want[c->code] && c->len != want[c->code] - 1)
		return kr_wire_fail(err, KR_WE_CAPABILITY, off,
				    "capability %u has length %u, expected %d", c->code, c->len,
				    want[c->code] - 1);
	uint16_t afi;
	switch (c->code) {
	case KR_CAP_MP: /* AFI(2) Res(1) SAFI(1) */
		afi = (uint16_t)(c->val[0] << 8 | c->val[1]);
		if ((afi == KR_AFI_IPV4 || afi == KR_AFI_IPV6) && c->val[3] == KR_SAFI_UNICAST)
			o->mp[afi] = true;
		break;
	case KR_CAP_ROUTE_REFRESH: o->route_refresh = true; break;
	case KR_CAP_EXT_MSG: o->ext_msg = true; break;
	case KR_CAP_AS4:
		o->has_as4 = true;
		o->as4 = (uint32_t)c->val[0] << 24 | (uint32_t)c->val[1] << 16 |
			 (uint32_t)c->val[2] << 8 | c->val[3];
		break;
	case KR_CAP_BGPSEC: /* RFC 8205 §2.1: version(4 bits) dir(1) unassigned(3), AFI */
		afi = (uint16_t)(c->val[1] << 8 | c->val[2]);
		if (c->val[0] >> 4 != 0) {
			o->bgpsec_other_version = true;
			break;
		}
		if (afi == KR_AFI_IPV4 || afi == KR_AFI_IPV6) {
			if (c->val[0] & KR_BGPSEC_CAP_SEND)
				o->bgpsec_send[afi] = true;
			else
				o->bgpsec_recv[afi] = true;
		}
		break;
	}
	return 0;
}

static int parse_caps(struct kr_open *o, const uint8_t *v, size_t len, size_t base,
		      struct kr_err *err)
{
	size_t off = 0;
	while (off < len) {
		if (len - off < 2)
			return kr_wire_fail(err, KR_WE_CAPABILITY, base + off,
					    "capability header truncated");
		struct kr_cap c = { v[off], v[off + 1], v + off + 2 };
		if (len - off - 2 < c.len)
			return kr_wire_fail(err, KR_WE_CAPABILITY, base + off,
					    "capability %u length %u runs past its parameter",
					    c.code, c.len);
		if (o->ncaps == KR_MAX_CAPS)
			return kr_wire_fail(err, KR_WE_LIMIT, base + off,
					    "more than %d capabilities", KR_MAX_CAPS);
		if (interpret_cap(o, &c, base + off, err) < 0)
			return -1;
		o->caps[o->ncaps++] = c;
		off += 2u + c.len;
	}
	return 0;
}

int kr_open_decode(struct kr_open *o, const uint8_t *msg, size_t len, struct kr_err *err)
{
	memset(o, 0, sizeof *o);
	if (kr_msg_check(msg, len, KR_BGP_OPEN, err) < 0)
		return -1;
	struct kr_rd r = kr_rd_init(msg, len);
	r.off = KR_BGP_HDR_LEN;
	o->version = kr_rd_u8(&r);
	o->my_as = kr_rd_u16(&r);
	o->hold_time = kr_rd_u16(&r);
	o->bgp_id = kr_rd_u32(&r);
	size_t opt_len = kr_rd_u8(&r);
	/* 29 octets minimum was checked by kr_msg_check. The optional
	 * parameters must fill the message exactly (RFC 4271 §6.2). */
	if (opt_len != len - 29)
		return kr_wire_fail(err, KR_WE_OPEN, 28,
				    "optional parameters length %zu, message leaves %zu", opt_len,
				    len - 29);
	while (kr_rd_left(&r)) {
		size_t at = r.off;
		if (kr_rd_left(&r) < 2)
			return kr_wire_fail(err, KR_WE_OPEN, at, "optional parameter truncated");
		struct kr_open_param p;
		p.type = kr_rd_u8(&r);
		p.len = kr_rd_u8(&r);
		p.val = kr_rd_bytes(&r, p.len);
		if (!p.val)
			return kr_wire_fail(err, KR_WE_OPEN, at,
					    "optional parameter %u length %u runs past the message",
					    p.type, p.len);
		if (o->nparams == KR_MAX_OPT_PARAMS)
			return kr_wire_fail(err, KR_WE_LIMIT, at, "more than %d optional parameters",
					    KR_MAX_OPT_PARAMS);
		o->params[o->nparams++] = p;
		if (p.type == OPT_CAPS && parse_caps(o, p.val, p.len, at + 2, err) < 0)
			return -1;
	}
	return 0;
}

static int open_put(struct kr_wr *w, uint8_t version, uint16_t my_as, uint16_t hold,
		    uint32_t id, const struct kr_open_param *params, size_t n)
{
	size_t opt = 0;
	for (size_t i = 0; i < n; i++)
		opt += 2u + params[i].len;
	if (opt > 255)
		return -1;
	kr_bgp_put_header(w, KR_BGP_OPEN, 10 + opt);
	kr_wr_u8(w, version);
	kr_wr_u16(w, my_as);
	kr_wr_u16(w, hold);
	kr_wr_u32(w, id);
	kr_wr_u8(w, (uint8_t)opt);
	for (size_t i = 0; i < n; i++) {
		kr_wr_u8(w, params[i].type);
		kr_wr_u8(w, params[i].len);
		kr_wr_bytes(w, params[i].val, params[i].len);
	}
	return w->bad ? -1 : 0;
}

int kr_open_encode(const struct kr_open *o, uint8_t *out, size_t cap, size_t *len,
		   struct kr_err *err)
{
	struct kr_wr w = kr_wr_init(out, cap);
	if (o->nparams > KR_MAX_OPT_PARAMS)
		return kr_wire_fail(err, KR_WE_INVALID, 0, "too many optional parameters");
	if (open_put(&w, o->version, o->my_as, o->hold_time, o->bgp_id, o->params, o->nparams) < 0)
		return kr_wire_fail(err, w.bad ? KR_WE_NOSPACE : KR_WE_INVALID, w.off,
				    "cannot encode OPEN");
	*len = w.off;
	return 0;
}

/* Capabilities for kr_open_build, packed into as few type-2 parameters as
 * the one-octet parameter length allows. */
struct capbuf {
	uint8_t b[255 * 4];
	size_t off;
	struct kr_open_param p[KR_MAX_OPT_PARAMS];
	size_t np;
	bool bad;
};

static void cap_add(struct capbuf *cb, uint8_t code, const uint8_t *val, uint8_t len)
{
	size_t need = 2u + len;
	if (need > 255) { /* cannot fit one optional parameter */
		cb->bad = true;
		return;
	}
	if (cb->np == 0 || cb->p[cb->np - 1].len + need > 255) {
		if (cb->np == KR_MAX_OPT_PARAMS) {
			cb->bad = true;
			return;
		}
		cb->p[cb->np++] = (struct kr_open_param){ OPT_CAPS, 0, cb->b + cb->off };
	}
	if (cb->off + need > sizeof cb->b) {
		cb->bad = true;
		return;
	}
	cb->b[cb->off] = code;
	cb->b[cb->off + 1] = len;
	if (len)
		memcpy(cb->b + cb->off + 2, val, len);
	cb->off += need;
	cb->p[cb->np - 1].len = (uint8_t)(cb->p[cb->np - 1].len + need);
}

int kr_open_build(const struct kr_open_cfg *c, uint8_t *out, size_t cap, size_t *len,
		  struct kr_err *err)
{
	struct capbuf cb = { .off = 0 };
	for (uint16_t afi = 1; afi <= 2; afi++)
		if (c->mp[afi])
			cap_add(&cb, KR_CAP_MP, (const uint8_t[]){ 0, (uint8_t)afi, 0, KR_SAFI_UNICAST }, 4);
	if (c->route_refresh)
		cap_add(&cb, KR_CAP_ROUTE_REFRESH, NULL, 0);
	if (c->ext_msg)
		cap_add(&cb, KR_CAP_EXT_MSG, NULL, 0);
	/* RFC 8205 §2.2: one instance per direction and AFI, version 0. */
	for (uint16_t afi = 1; afi <= 2; afi++) {
		if (c->bgpsec_send[afi])
			cap_add(&cb, KR_CAP_BGPSEC, (const uint8_t[]){ KR_BGPSEC_CAP_SEND, 0, (uint8_t)afi }, 3);
		if (c->bgpsec_recv[afi])
			cap_add(&cb, KR_CAP_BGPSEC, (const uint8_t[]){ 0, 0, (uint8_t)afi }, 3);
	}
	if (!c->no_as4)
		cap_add(&cb, KR_CAP_AS4,
			(const uint8_t[]){ (uint8_t)(c->asn >> 24), (uint8_t)(c->asn >> 16),
					   (uint8_t)(c->asn >> 8), (uint8_t)c->asn },
			4);
	for (size_t i = 0; i < c->nextra; i++)
		cap_add(&cb, c->extra[i].code, c->extra[i].val, c->extra[i].len);
	if (cb.bad)
		return kr_wire_fail(err, KR_WE_LIMIT, 0, "too many capabilities for one OPEN");
	struct kr_wr w = kr_wr_init(out, cap);
	uint16_t my_as = c->asn > 0xffff ? AS_TRANS : (uint16_t)c->asn;
	if (open_put(&w, 4, my_as, c->hold_time, c->bgp_id, cb.p, cb.np) < 0)
		return kr_wire_fail(err, w.bad ? KR_WE_NOSPACE : KR_WE_LIMIT, w.off,
				    "cannot encode OPEN");
	*len = w.off;
	return 0;
}

uint32_t kr_open_peer_as(const struct kr_open *o)
{
	return o->has_as4 ? o->as4 : o->my_as;
}
