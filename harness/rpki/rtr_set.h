/* A set of RTR payload records: Validated ROA Payloads and BGPsec router
 * keys (AS, SKI, SPKI). Filled by the keys file parser (rtr_json.h) and by
 * the CA / relying-party step; served by the RTR cache (rtr_cache.h). */
#ifndef KR_RTR_SET_H
#define KR_RTR_SET_H

#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "wire/rtr_pdu.h"

struct kr_rtr_vrp {
	uint8_t afi;          /* 4 or 6 */
	uint8_t prefix_len, max_len;
	uint8_t addr[16];     /* network order; IPv4 in the first 4 octets */
	uint32_t asn;
};

struct kr_rtr_rkey {
	uint32_t asn;
	uint8_t ski[KR_RTR_SKI_LEN];
	uint8_t *spki;        /* owned by the set */
	size_t spki_len;
};

struct kr_rtr_set {
	struct kr_rtr_vrp *vrps;
	size_t nvrps, capvrps;
	struct kr_rtr_rkey *keys;
	size_t nkeys, capkeys;
};

/* 0, or -1 on allocation failure. The SPKI is copied. */
int kr_rtr_set_add_vrp(struct kr_rtr_set *s, const struct kr_rtr_vrp *v);
int kr_rtr_set_add_key(struct kr_rtr_set *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
		       const uint8_t *spki, size_t spki_len);
void kr_rtr_set_free(struct kr_rtr_set *s);

/* "192.0.2.0/24" or "2001:db8::/32" -> afi, addr, prefix_len; -1 if bad
 * (host bits set count as bad: RPKI prefixes are networks). */
int kr_rtr_parse_prefix(const char *s, struct kr_rtr_vrp *v);

#endif
