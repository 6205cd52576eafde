/* RPKI-to-Router PDU codec, version 1 (RFC 8210 §5) and version 0
 * (RFC 6810 §5). Pure: buffers in, values or typed errors (with the byte
 * offset and the Error Report code a peer should get) out; no I/O. */
#ifndef KR_RTR_PDU_H
#define KR_RTR_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"

#define KR_RTR_HDR_LEN 8
#define KR_RTR_SKI_LEN 20
#define KR_RTR_SPKI_MAX 1024   /* larger than any key an RP emits */
/* Largest PDU this codec accepts: a Router Key with the biggest SPKI or an
 * Error Report quoting such a PDU plus text. */
#define KR_RTR_PDU_MAX 8192

enum kr_rtr_type {
	KR_RTR_SERIAL_NOTIFY = 0,
	KR_RTR_SERIAL_QUERY = 1,
	KR_RTR_RESET_QUERY = 2,
	KR_RTR_CACHE_RESPONSE = 3,
	KR_RTR_IPV4_PREFIX = 4,
	KR_RTR_IPV6_PREFIX = 6,
	KR_RTR_END_OF_DATA = 7,
	KR_RTR_CACHE_RESET = 8,
	KR_RTR_ROUTER_KEY = 9,     /* version 1 only */
	KR_RTR_ERROR_REPORT = 10,
};

/* Error Report codes (RFC 8210 §12). */
enum kr_rtr_ecode {
	KR_RTR_E_CORRUPT = 0,
	KR_RTR_E_INTERNAL = 1,
	KR_RTR_E_NO_DATA = 2,
	KR_RTR_E_INVALID_REQUEST = 3,
	KR_RTR_E_UNSUPPORTED_VERSION = 4,
	KR_RTR_E_UNSUPPORTED_PDU = 5,
	KR_RTR_E_WITHDRAW_UNKNOWN = 6,
	KR_RTR_E_DUPLICATE = 7,
	KR_RTR_E_UNEXPECTED_VERSION = 8, /* version 1 only */
};

#define KR_RTR_FLAG_ANNOUNCE 0x01

/* One decoded PDU. Fields not used by `type` are zero. Pointers are views
 * into the decoded buffer (valid while it is). */
struct kr_rtr_pdu {
	uint8_t version;
	uint8_t type;
	uint16_t session_id;  /* Serial Notify/Query, Cache Response, End of Data */
	uint16_t error_code;  /* Error Report */
	uint32_t length;      /* from the header (decode) or computed (encode) */
	uint32_t serial;      /* Serial Notify/Query, End of Data */
	uint32_t refresh, retry, expire; /* End of Data, version 1 */
	uint8_t flags;        /* Prefix, Router Key */
	uint8_t prefix_len, max_len;
	uint8_t addr[16];     /* IPv4 in the first 4 octets */
	uint32_t asn;         /* Prefix, Router Key */
	uint8_t ski[KR_RTR_SKI_LEN];
	const uint8_t *spki;  /* Router Key */
	size_t spki_len;
	const uint8_t *encap; /* Error Report: erroneous PDU copy */
	size_t encap_len;
	const uint8_t *text;  /* Error Report: UTF-8 text, not NUL-terminated */
	size_t text_len;
};

/* Header peek for stream framing: returns 1 and the PDU length when at
 * least 8 octets are present, 0 when more are needed. */
int kr_rtr_peek(const uint8_t *buf, size_t len, uint8_t *version, uint8_t *type, uint32_t *pdu_len);

/* Decode exactly one PDU from buf[0..len) (len must equal the header's
 * length). Returns 0, or -1 with err->code = the RTR error code the sender
 * deserves (enum kr_rtr_ecode) and err->offset = offending octet. */
int kr_rtr_decode(const uint8_t *buf, size_t len, struct kr_rtr_pdu *p, struct kr_err *err);

/* Encode p (length computed here). Fails (-1, nothing usable written) when
 * the writer overflows or the PDU cannot exist in p->version (Router Key in
 * version 0). */
int kr_rtr_encode(const struct kr_rtr_pdu *p, struct kr_wr *w);
size_t kr_rtr_encoded_len(const struct kr_rtr_pdu *p);

/* Constructors for the common cases. */
struct kr_rtr_pdu kr_rtr_pdu_make(uint8_t version, uint8_t type, uint16_t session_id, uint32_t serial);
struct kr_rtr_pdu kr_rtr_pdu_error(uint8_t version, uint16_t code, const uint8_t *encap, size_t encap_len,
				   const char *text);

const char *kr_rtr_type_name(unsigned type);
const char *kr_rtr_ecode_name(unsigned code);
/* One-line human form ("v1 Router Key flags=1 asn=65001 ski=..."). */
void kr_rtr_format(const struct kr_rtr_pdu *p, char *out, size_t outsz);

/* RFC 1982 serial arithmetic, SERIAL_BITS = 32; the undefined distance
 * 2^31 compares "not less" both ways (permitted by RFC 1982 §3.2). */
static inline bool kr_rtr_serial_lt(uint32_t a, uint32_t b) { return (int32_t)(b - a) > 0; }

#endif
