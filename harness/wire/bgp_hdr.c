/* BGP message header and framing (RFC 4271 §4.1, §6.1), KEEPALIVE (§4.4),
 * NOTIFICATION (§4.5) with code/subcode names, ROUTE-REFRESH (RFC 2918 §3,
 * RFC 7313 §3.2), and the codec error text. */
#include <stdio.h>
#include <string.h>

#include "wire/bgp_priv.h"

int kr_wire_fail(struct kr_err *err, int code, size_t off, const char *fmt, ...)
{
	if (!err)
		return -1;
	char tmp[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	kr_err_set(err, code, off, "%s at offset %zu", tmp, off);
	return -1;
}

const char *kr_wire_strerror(int code)
{
	static const char *const s[] = {
		[KR_WE_OK] = "no error",
		[KR_WE_TRUNCATED] = "message truncated",
		[KR_WE_MARKER] = "header marker not all ones",
		[KR_WE_MSG_LEN] = "bad message length",
		[KR_WE_MSG_TYPE] = "bad message type",
		[KR_WE_OPEN] = "malformed OPEN",
		[KR_WE_CAPABILITY] = "malformed capability",
		[KR_WE_UPDATE_LEN] = "UPDATE lengths inconsistent",
		[KR_WE_ATTR_LEN] = "attribute length error",
		[KR_WE_ATTR_FLAGS] = "attribute flags error",
		[KR_WE_ATTR_DUP] = "attribute repeated",
		[KR_WE_NLRI] = "invalid NLRI",
		[KR_WE_AS_PATH] = "malformed AS_PATH",
		[KR_WE_MP] = "malformed MP_REACH_NLRI/MP_UNREACH_NLRI",
		[KR_WE_BGPSEC] = "malformed BGPsec_PATH",
		[KR_WE_LIMIT] = "exceeds a harness limit",
		[KR_WE_NOSPACE] = "output buffer too small",
		[KR_WE_INVALID] = "invalid value to encode",
	};
	if (code < 0 || (size_t)code >= sizeof s / sizeof s[0] || !s[code])
		return "unknown codec error";
	return s[code];
}

/* Smallest (and for KEEPALIVE the only) legal length per type
 * (RFC 4271 §4.2-4.5, §6.1 "Bad Message Length"; RFC 2918 §3). */
static size_t min_len(uint8_t type)
{
	switch (type) {
	case KR_BGP_OPEN: return 29;
	case KR_BGP_UPDATE: return 23;
	case KR_BGP_NOTIFICATION: return 21;
	case KR_BGP_KEEPALIVE: return 19;
	case KR_BGP_ROUTE_REFRESH: return 23;
	default: return 0;
	}
}

static int check_header(const uint8_t *p, size_t max_len, size_t *mlen, struct kr_err *err)
{
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (memcmp(p, ones, 16) != 0)
		return kr_wire_fail(err, KR_WE_MARKER, 0, "marker is not all ones");
	size_t l = (size_t)p[16] << 8 | p[17];
	uint8_t t = p[18];
	if (!min_len(t))
		return kr_wire_fail(err, KR_WE_MSG_TYPE, 18, "unknown message type %u", t);
	if (l < min_len(t) || l > max_len || (t == KR_BGP_KEEPALIVE && l != 19))
		return kr_wire_fail(err, KR_WE_MSG_LEN, 16,
				    "length %zu invalid for message type %u (max %zu)", l, t,
				    max_len);
	*mlen = l;
	return 0;
}

int kr_bgp_frame(const uint8_t *p, size_t len, size_t max_len, size_t *msg_len,
		 struct kr_err *err)
{
	size_t l;
	if (len < KR_BGP_HDR_LEN)
		return 0;
	if (check_header(p, max_len, &l, err) < 0)
		return -1;
	if (len < l)
		return 0;
	*msg_len = l;
	return 1;
}

int kr_msg_check(const uint8_t *msg, size_t len, uint8_t type, struct kr_err *err)
{
	size_t l;
	if (len < KR_BGP_HDR_LEN)
		return kr_wire_fail(err, KR_WE_TRUNCATED, len, "%zu octets, shorter than a header",
				    len);
	if (check_header(msg, KR_BGP_EXT_MAX_LEN, &l, err) < 0)
		return -1;
	if (msg[18] != type)
		return kr_wire_fail(err, KR_WE_MSG_TYPE, 18, "message type %u, expected %u",
				    msg[18], type);
	if (l > len)
		return kr_wire_fail(err, KR_WE_TRUNCATED, len,
				    "header says %zu octets, only %zu present", l, len);
	if (l < len)
		return kr_wire_fail(err, KR_WE_MSG_LEN, 16,
				    "header says %zu octets, buffer holds %zu", l, len);
	return 0;
}

void kr_bgp_put_header(struct kr_wr *w, uint8_t type, size_t body_len)
{
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	kr_wr_bytes(w, ones, sizeof ones);
	if (body_len + KR_BGP_HDR_LEN > 0xffff)
		w->bad = true;
	kr_wr_u16(w, (uint16_t)(body_len + KR_BGP_HDR_LEN));
	kr_wr_u8(w, type);
}

static int finish(struct kr_wr *w, size_t *len)
{
	if (w->bad)
		return -1;
	*len = w->off;
	return 0;
}

int kr_keepalive_build(uint8_t *out, size_t cap, size_t *len)
{
	struct kr_wr w = kr_wr_init(out, cap);
	kr_bgp_put_header(&w, KR_BGP_KEEPALIVE, 0);
	return finish(&w, len);
}

/* ---- NOTIFICATION (RFC 4271 §4.5) ---- */

int kr_notification_decode(struct kr_notification *n, const uint8_t *msg, size_t len,
			   struct kr_err *err)
{
	if (kr_msg_check(msg, len, KR_BGP_NOTIFICATION, err) < 0)
		return -1;
	n->code = msg[19];
	n->subcode = msg[20];
	n->data = msg + 21;
	n->data_len = len - 21;
	return 0;
}

int kr_notification_build(uint8_t code, uint8_t subcode, const uint8_t *data, size_t dlen,
			  uint8_t *out, size_t cap, size_t *len)
{
	struct kr_wr w = kr_wr_init(out, cap);
	kr_bgp_put_header(&w, KR_BGP_NOTIFICATION, 2 + dlen);
	kr_wr_u8(&w, code);
	kr_wr_u8(&w, subcode);
	kr_wr_bytes(&w, data, dlen);
	return finish(&w, len);
}

const char *kr_notification_code_name(uint8_t code)
{
	switch (code) {
	case 1: return "Message Header Error";         /* RFC 4271 §4.5 */
	case 2: return "OPEN Message Error";
	case 3: return "UPDATE Message Error";
	case 4: return "Hold Timer Expired";
	case 5: return "Finite State Machine Error";
	case 6: return "Cease";
	case 7: return "ROUTE-REFRESH Message Error";  /* RFC 7313 §5 */
	default: return "unknown error code";
	}
}

const char *kr_notification_subcode_name(uint8_t code, uint8_t subcode)
{
	static const char *const hdr[] = { NULL, "Connection Not Synchronized",
					   "Bad Message Length", "Bad Message Type" };
	/* RFC 4271 §6.2, RFC 5492 §5 (7), RFC 9234 §4.2 (11) */
	static const char *const open[] = {
		NULL, "Unsupported Version Number", "Bad Peer AS", "Bad BGP Identifier",
		"Unsupported Optional Parameter", "Authentication Failure (deprecated)",
		"Unacceptable Hold Time", "Unsupported Capability", NULL, NULL, NULL,
		"Role Mismatch",
	};
	/* RFC 4271 §6.3 */
	static const char *const upd[] = {
		NULL, "Malformed Attribute List", "Unrecognized Well-known Attribute",
		"Missing Well-known Attribute", "Attribute Flags Error",
		"Attribute Length Error", "Invalid ORIGIN Attribute",
		"AS Routing Loop (deprecated)", "Invalid NEXT_HOP Attribute",
		"Optional Attribute Error", "Invalid Network Field", "Malformed AS_PATH",
	};
	/* RFC 6608 §3 */
	static const char *const fsm[] = { NULL, "Receive Unexpected Message in OpenSent State",
					   "Receive Unexpected Message in OpenConfirm State",
					   "Receive Unexpected Message in Established State" };
	/* RFC 4486 §4, RFC 8203 (2, 4 may carry a shutdown communication),
	 * RFC 8538 §5 (9), RFC 9384 (10) */
	static const char *const cease[] = {
		NULL, "Maximum Number of Prefixes Reached", "Administrative Shutdown",
		"Peer De-configured", "Administrative Reset", "Connection Rejected",
		"Other Configuration Change", "Connection Collision Resolution",
		"Out of Resources", "Hard Reset", "BFD Down",
	};
	static const char *const rr[] = { NULL, "Invalid Message Length" }; /* RFC 7313 §5 */
#define PICK(t)                                                                   \
	return subcode < sizeof t / sizeof t[0] && t[subcode] ? t[subcode] : "unknown subcode"
	if (subcode == 0)
		return "Unspecific";
	switch (code) {
	case 1: PICK(hdr);
	case 2: PICK(open);
	case 3: PICK(upd);
	case 5: PICK(fsm);
	case 6: PICK(cease);
	case 7: PICK(rr);
	default: return "unknown subcode";
	}
#undef PICK
}

/* ---- ROUTE-REFRESH (RFC 2918 §3; subtype RFC 7313 §3.2) ---- */

int kr_route_refresh_decode(struct kr_route_refresh *r, const uint8_t *msg, size_t len,
			    struct kr_err *err)
{
	if (kr_msg_check(msg, len, KR_BGP_ROUTE_REFRESH, err) < 0)
		return -1;
	/* Octets past the fixed 4 would be ORF entries (RFC 5291); ignored. */
	r->afi = (uint16_t)(msg[19] << 8 | msg[20]);
	r->subtype = msg[21];
	r->safi = msg[22];
	return 0;
}

int kr_route_refresh_build(const struct kr_route_refresh *r, uint8_t *out, size_t cap, size_t *len)
{
	struct kr_wr w = kr_wr_init(out, cap);
	kr_bgp_put_header(&w, KR_BGP_ROUTE_REFRESH, 4);
	kr_wr_u16(&w, r->afi);
	kr_wr_u8(&w, r->subtype);
	kr_wr_u8(&w, r->safi);
	return finish(&w, len);
}
