/* RTR PDU codec; see rtr_pdu.h. Layouts: RFC 8210 §5.2-§5.11, RFC 6810 §5. */
#include "wire/rtr_pdu.h"

#include <stdio.h>
#include <string.h>

int kr_rtr_peek(const uint8_t *buf, size_t len, uint8_t *version, uint8_t *type, uint32_t *pdu_len)
{
	if (len < KR_RTR_HDR_LEN)
		return 0;
	struct kr_rd r = kr_rd_init(buf, len);
	uint8_t v = kr_rd_u8(&r), t = kr_rd_u8(&r);
	kr_rd_u16(&r);
	uint32_t l = kr_rd_u32(&r);
	if (version)
		*version = v;
	if (type)
		*type = t;
	if (pdu_len)
		*pdu_len = l;
	return 1;
}

/* Fixed total length of a type in a version, 0 for variable, -1 unknown. */
static long fixed_len(uint8_t version, uint8_t type)
{
	switch (type) {
	case KR_RTR_SERIAL_NOTIFY:
	case KR_RTR_SERIAL_QUERY:
		return 12;
	case KR_RTR_RESET_QUERY:
	case KR_RTR_CACHE_RESPONSE:
	case KR_RTR_CACHE_RESET:
		return 8;
	case KR_RTR_IPV4_PREFIX:
		return 20;
	case KR_RTR_IPV6_PREFIX:
		return 32;
	case KR_RTR_END_OF_DATA:
		return version == 0 ? 12 : 24;
	case KR_RTR_ROUTER_KEY:
		return version == 0 ? -1 : 0;
	case KR_RTR_ERROR_REPORT:
		return 0;
	default:
		return -1;
	}
}

static bool has_session(uint8_t type)
{
	return type == KR_RTR_SERIAL_NOTIFY || type == KR_RTR_SERIAL_QUERY ||
	       type == KR_RTR_CACHE_RESPONSE || type == KR_RTR_END_OF_DATA;
}

/* A minimal DER check of the SPKI: one SEQUENCE filling the field exactly. */
static bool der_seq_exact(const uint8_t *p, size_t n)
{
	if (n < 2 || p[0] != 0x30)
		return false;
	size_t hl = 2, l = p[1];
	if (l & 0x80) {
		size_t k = l & 0x7f;
		if (k == 0 || k > 2 || n < 2 + k)
			return false;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = l << 8 | p[2 + i];
		hl += k;
	}
	return hl + l == n;
}

int kr_rtr_decode(const uint8_t *buf, size_t len, struct kr_rtr_pdu *p, struct kr_err *err)
{
	memset(p, 0, sizeof *p);
	if (len < KR_RTR_HDR_LEN) {
		kr_err_set(err, KR_RTR_E_CORRUPT, len, "truncated header: %zu of 8 octets", len);
		return -1;
	}
	struct kr_rd r = kr_rd_init(buf, len);
	p->version = kr_rd_u8(&r);
	p->type = kr_rd_u8(&r);
	uint16_t f23 = kr_rd_u16(&r);
	p->length = kr_rd_u32(&r);
	if (p->version > 1) {
		kr_err_set(err, KR_RTR_E_UNSUPPORTED_VERSION, 0, "unsupported protocol version %u", p->version);
		return -1;
	}
	long fl = fixed_len(p->version, p->type);
	if (fl < 0) {
		kr_err_set(err, KR_RTR_E_UNSUPPORTED_PDU, 1, "unsupported PDU type %u in version %u", p->type,
			   p->version);
		return -1;
	}
	if (p->length != len) {
		kr_err_set(err, KR_RTR_E_CORRUPT, 4, "length field %u but PDU has %zu octets", p->length, len);
		return -1;
	}
	if (fl > 0 && p->length != (uint32_t)fl) {
		kr_err_set(err, KR_RTR_E_CORRUPT, 4, "%s length %u, expected %ld", kr_rtr_type_name(p->type),
			   p->length, fl);
		return -1;
	}
	if (has_session(p->type))
		p->session_id = f23;
	switch (p->type) {
	case KR_RTR_SERIAL_NOTIFY:
	case KR_RTR_SERIAL_QUERY:
		p->serial = kr_rd_u32(&r);
		break;
	case KR_RTR_END_OF_DATA:
		p->serial = kr_rd_u32(&r);
		if (p->version >= 1) {
			p->refresh = kr_rd_u32(&r);
			p->retry = kr_rd_u32(&r);
			p->expire = kr_rd_u32(&r);
		}
		break;
	case KR_RTR_IPV4_PREFIX:
	case KR_RTR_IPV6_PREFIX: {
		unsigned maxbits = p->type == KR_RTR_IPV4_PREFIX ? 32 : 128;
		p->flags = kr_rd_u8(&r);
		p->prefix_len = kr_rd_u8(&r);
		p->max_len = kr_rd_u8(&r);
		kr_rd_u8(&r);
		memcpy(p->addr, kr_rd_bytes(&r, maxbits / 8), maxbits / 8);
		p->asn = kr_rd_u32(&r);
		if (p->prefix_len > maxbits) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 9, "prefix length %u > %u", p->prefix_len, maxbits);
			return -1;
		}
		if (p->max_len > maxbits || p->max_len < p->prefix_len) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 10, "max length %u outside %u..%u", p->max_len,
				   p->prefix_len, maxbits);
			return -1;
		}
		break;
	}
	case KR_RTR_ROUTER_KEY:
		p->flags = (uint8_t)(f23 >> 8);
		if (len < 32 + 2) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 4, "Router Key length %zu leaves no SPKI", len);
			return -1;
		}
		memcpy(p->ski, kr_rd_bytes(&r, KR_RTR_SKI_LEN), KR_RTR_SKI_LEN);
		p->asn = kr_rd_u32(&r);
		p->spki_len = len - 32;
		p->spki = kr_rd_bytes(&r, p->spki_len);
		if (p->spki_len > KR_RTR_SPKI_MAX || !der_seq_exact(p->spki, p->spki_len)) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 32, "SPKI (%zu octets) is not one DER SEQUENCE",
				   p->spki_len);
			return -1;
		}
		break;
	case KR_RTR_ERROR_REPORT: {
		p->error_code = f23;
		if (len < 16) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 4, "Error Report length %zu < 16", len);
			return -1;
		}
		uint32_t el = kr_rd_u32(&r);
		if (el > len - 16) {
			kr_err_set(err, KR_RTR_E_CORRUPT, 8, "encapsulated PDU length %u exceeds PDU", el);
			return -1;
		}
		p->encap_len = el;
		p->encap = el ? kr_rd_bytes(&r, el) : NULL;
		size_t toff = r.off;
		uint32_t tl = kr_rd_u32(&r);
		if (tl != len - 16 - el) {
			kr_err_set(err, KR_RTR_E_CORRUPT, toff, "error text length %u, %zu octets remain", tl,
				   len - 16 - el);
			return -1;
		}
		p->text_len = tl;
		p->text = tl ? kr_rd_bytes(&r, tl) : NULL;
		break;
	}
	default:
		break;
	}
	if (!kr_rd_ok(&r)) { /* unreachable with the length checks above */
		kr_err_set(err, KR_RTR_E_CORRUPT, len, "truncated %s", kr_rtr_type_name(p->type));
		return -1;
	}
	return 0;
}

size_t kr_rtr_encoded_len(const struct kr_rtr_pdu *p)
{
	long fl = fixed_len(p->version, p->type);
	if (fl < 0)
		return 0;
	if (fl > 0)
		return (size_t)fl;
	if (p->type == KR_RTR_ROUTER_KEY)
		return 32 + p->spki_len;
	if (p->type == KR_RTR_ERROR_REPORT)
		return 16 + p->encap_len + p->text_len;
	return 0;
}

int kr_rtr_encode(const struct kr_rtr_pdu *p, struct kr_wr *w)
{
	size_t len = kr_rtr_encoded_len(p);
	if (len == 0 || len > UINT32_MAX)
		return -1;
	size_t start = w->off;
	kr_wr_u8(w, p->version);
	kr_wr_u8(w, p->type);
	if (has_session(p->type))
		kr_wr_u16(w, p->session_id);
	else if (p->type == KR_RTR_ERROR_REPORT)
		kr_wr_u16(w, p->error_code);
	else if (p->type == KR_RTR_ROUTER_KEY)
		kr_wr_u16(w, (uint16_t)(p->flags << 8));
	else
		kr_wr_u16(w, 0);
	kr_wr_u32(w, (uint32_t)len);
	switch (p->type) {
	case KR_RTR_SERIAL_NOTIFY:
	case KR_RTR_SERIAL_QUERY:
		kr_wr_u32(w, p->serial);
		break;
	case KR_RTR_END_OF_DATA:
		kr_wr_u32(w, p->serial);
		if (p->version >= 1) {
			kr_wr_u32(w, p->refresh);
			kr_wr_u32(w, p->retry);
			kr_wr_u32(w, p->expire);
		}
		break;
	case KR_RTR_IPV4_PREFIX:
	case KR_RTR_IPV6_PREFIX:
		kr_wr_u8(w, p->flags);
		kr_wr_u8(w, p->prefix_len);
		kr_wr_u8(w, p->max_len);
		kr_wr_u8(w, 0);
		kr_wr_bytes(w, p->addr, p->type == KR_RTR_IPV4_PREFIX ? 4 : 16);
		kr_wr_u32(w, p->asn);
		break;
	case KR_RTR_ROUTER_KEY:
		kr_wr_bytes(w, p->ski, KR_RTR_SKI_LEN);
		kr_wr_u32(w, p->asn);
		kr_wr_bytes(w, p->spki, p->spki_len);
		break;
	case KR_RTR_ERROR_REPORT:
		kr_wr_u32(w, (uint32_t)p->encap_len);
		kr_wr_bytes(w, p->encap, p->encap_len);
		kr_wr_u32(w, (uint32_t)p->text_len);
		kr_wr_bytes(w, p->text, p->text_len);
		break;
	default:
		break;
	}
	if (w->bad || w->off - start != len)
		return -1;
	return 0;
}

struct kr_rtr_pdu kr_rtr_pdu_make(uint8_t version, uint8_t type, uint16_t session_id, uint32_t serial)
{
	struct kr_rtr_pdu p;
	memset(&p, 0, sizeof p);
	p.version = version;
	p.type = type;
	p.session_id = session_id;
	p.serial = serial;
	return p;
}

struct kr_rtr_pdu kr_rtr_pdu_error(uint8_t version, uint16_t code, const uint8_t *encap, size_t encap_len,
				   const char *text)
{
	struct kr_rtr_pdu p = kr_rtr_pdu_make(version, KR_RTR_ERROR_REPORT, 0, 0);
	p.error_code = code;
	p.encap = encap;
	p.encap_len = encap ? encap_len : 0;
	p.text = (const uint8_t *)text;
	p.text_len = text ? strlen(text) : 0;
	return p;
}

const char *kr_rtr_type_name(unsigned type)
{
	static const char *const n[] = {
		[0] = "Serial Notify", [1] = "Serial Query", [2] = "Reset Query",
		[3] = "Cache Response", [4] = "IPv4 Prefix", [6] = "IPv6 Prefix",
		[7] = "End of Data", [8] = "Cache Reset", [9] = "Router Key",
		[10] = "Error Report",
	};
	return type < sizeof n / sizeof n[0] && n[type] ? n[type] : "unknown PDU";
}

const char *kr_rtr_ecode_name(unsigned code)
{
	static const char *const n[] = {
		"Corrupt Data", "Internal Error", "No Data Available", "Invalid Request",
		"Unsupported Protocol Version", "Unsupported PDU Type", "Withdrawal of Unknown Record",
		"Duplicate Announcement Received", "Unexpected Protocol Version",
	};
	return code < sizeof n / sizeof n[0] ? n[code] : "unknown error code";
}

void kr_rtr_format(const struct kr_rtr_pdu *p, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "v%u %s", p->version, kr_rtr_type_name(p->type));
	if (n < 0 || (size_t)n >= outsz)
		return;
	char *o = out + n;
	size_t left = outsz - (size_t)n;
	char hex[2 * KR_RTR_SKI_LEN + 1];
	char a[64];
	switch (p->type) {
	case KR_RTR_SERIAL_NOTIFY:
	case KR_RTR_SERIAL_QUERY:
		snprintf(o, left, " session=%u serial=%u", p->session_id, p->serial);
		break;
	case KR_RTR_CACHE_RESPONSE:
		snprintf(o, left, " session=%u", p->session_id);
		break;
	case KR_RTR_END_OF_DATA:
		if (p->version >= 1)
			snprintf(o, left, " session=%u serial=%u refresh=%u retry=%u expire=%u", p->session_id,
				 p->serial, p->refresh, p->retry, p->expire);
		else
			snprintf(o, left, " session=%u serial=%u", p->session_id, p->serial);
		break;
	case KR_RTR_IPV4_PREFIX:
		snprintf(a, sizeof a, "%u.%u.%u.%u", p->addr[0], p->addr[1], p->addr[2], p->addr[3]);
		snprintf(o, left, " flags=%u %s/%u-%u asn=%u", p->flags, a, p->prefix_len, p->max_len, p->asn);
		break;
	case KR_RTR_IPV6_PREFIX: {
		size_t k = 0;
		for (int i = 0; i < 16; i += 2)
			k += (size_t)snprintf(a + k, sizeof a - k, "%s%x", i ? ":" : "",
					      (unsigned)(p->addr[i] << 8 | p->addr[i + 1]));
		snprintf(o, left, " flags=%u %s/%u-%u asn=%u", p->flags, a, p->prefix_len, p->max_len, p->asn);
		break;
	}
	case KR_RTR_ROUTER_KEY:
		kr_hex_encode(hex, sizeof hex, p->ski, KR_RTR_SKI_LEN);
		snprintf(o, left, " flags=%u asn=%u ski=%s spki_len=%zu", p->flags, p->asn, hex, p->spki_len);
		break;
	case KR_RTR_ERROR_REPORT: {
		/* The text comes from the peer: keep only printable ASCII. */
		char t[121];
		size_t k = 0;
		for (size_t i = 0; i < p->text_len && k < sizeof t - 1; i++)
			t[k++] = p->text[i] >= 0x20 && p->text[i] < 0x7f && p->text[i] != '"' ? (char)p->text[i] : '?';
		t[k] = 0;
		snprintf(o, left, " code=%u (%s) pdu_len=%zu text=\"%s\"", p->error_code,
			 kr_rtr_ecode_name(p->error_code), p->encap_len, t);
		break;
	}
	default:
		break;
	}
}
