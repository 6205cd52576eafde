/* Internal helpers shared by the BGP codec files (bgp_*.c, bgpsec_path.c).
 * Not part of the public contract in bgp_msg.h. */
#ifndef KR_BGP_PRIV_H
#define KR_BGP_PRIV_H

#include "wire/bgp_msg.h"

/* Sets err (code, offset) with " at offset N" appended to the text and
 * returns -1, so every codec error names where in the message it is. */
int kr_wire_fail(struct kr_err *err, int code, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Checks the 19-octet header of a whole message of `len` octets: marker,
 * length field equal to len, and type. Returns 0 or -1 (err set). */
int kr_msg_check(const uint8_t *msg, size_t len, uint8_t type, struct kr_err *err);

/* Validates an NLRI field of `afi` (RFC 4271 §4.3, RFC 4760 §5): every
 * prefix length fits the address family and the field ends exactly on a
 * prefix boundary. `base` is the field's offset in the message (for
 * errors). Sets *count. Returns 0 or -1 (KR_WE_NLRI). */
int kr_nlri_check(uint16_t afi, const uint8_t *p, size_t len, size_t base, size_t *count,
		  struct kr_err *err);

/* Writes one attribute (flags, type, 1- or 2-octet length per the
 * Extended Length flag, value). Returns -1 when the value does not fit the
 * length field. */
int kr_attr_put(struct kr_wr *w, uint8_t flags, uint8_t type, const uint8_t *val, size_t len);

static inline size_t kr_afi_bits(uint16_t afi)
{
	return afi == KR_AFI_IPV4 ? 32 : afi == KR_AFI_IPV6 ? 128 : 0;
}

#endif
