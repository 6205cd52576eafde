/* Synthetic full routing tables for the scale cases (issue 14): N routes
 * whose prefix lengths and signed path lengths follow the real default-free
 * zone, learnt from the upstreams up1 and up2 with several origin ASes
 * behind each. Pure and deterministic: the same spec gives the same table
 * on every machine (so signed tables can be cached, table_sign.h).
 *
 * Where the prefixes come from (README.md, "Full tables"): IPv4 from
 * 198.19.0.0/16 (benchmarking, RFC 2544) first, then 10.0.0.0/8,
 * 100.64.0.0/10, 172.16.0.0/12 (RFC 1918, RFC 6598) and 240.0.0.0-
 * 254.255.255.255 (reserved, RFC 1112 §4); IPv6 from 3fff::/20
 * (documentation, RFC 9637) first, then fd00::/8 (ULA, RFC 4193). None
 * of them is routed on the Internet, and nothing installs them in a FIB:
 * they exist only as NLRI inside the run's namespaces. 198.18.0.0/16 and
 * 2001:db8::/32 stay free for links and the other cases' prefixes.
 * Lengths the pools cannot hold in the real proportion (IPv4 /16 and
 * shorter: 4.2 k slots against 13 k real /16s) are capped at the pool's
 * capacity and the rest become /24s. */
#ifndef KR_TABLE_H
#define KR_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"

/* The DFZ preset (late 2025): 1.04 M IPv4 and 0.22 M IPv6 prefixes. */
#define KR_TABLE_DFZ_V4 1040000u
#define KR_TABLE_DFZ_V6 220000u
#define KR_TABLE_MAX_HOPS 6 /* signed hops as received from up1/up2 */
#define KR_TABLE_MAX_ROUTES 4000000u

struct kr_table_spec {
	uint32_t n4, n6;
	uint32_t seed;        /* shuffles lengths and paths; 0 by default */
	uint32_t up_as[2];    /* the ASes of up1 and up2 (they sign last) */
};

/* "dfz" or a route count N (split 1.04 : 0.22 between IPv4 and IPv6).
 * 0, or -1 with a message. */
int kr_table_spec_parse(struct kr_table_spec *s, const char *text, char *msg, size_t msgsz);
void kr_table_spec_routes(struct kr_table_spec *s, uint32_t n);
static inline uint32_t kr_table_count(const struct kr_table_spec *s) { return s->n4 + s->n6; }

struct kr_table_route {
	struct kr_prefix pfx;
	uint8_t up;               /* 0: up1, 1: up2 */
	uint8_t nhops;            /* 1..KR_TABLE_MAX_HOPS */
	uint32_t as[KR_TABLE_MAX_HOPS]; /* wire order: [0] the upstream .. [nhops-1] the origin */
};

/* The whole table, in a stable order (IPv4 and IPv6 interleaved so that
 * every slice has the same mix). *out is malloc'd. 0, or -1 with err. */
int kr_table_build(const struct kr_table_spec *s, struct kr_table_route **out, struct kr_err *err);

/* Every AS that appears in a table besides up1 and up2 (origins and
 * transits; documentation ASNs, RFC 5398), for their router keys. */
size_t kr_table_ases(const uint32_t **out);

/* Share of each prefix length / hop count in a built table, for the
 * README and tests: counts[len] (0..128) and hops[1..6]. */
void kr_table_stats(const struct kr_table_route *r, size_t n, uint16_t afi, size_t counts[129],
		    size_t hops[KR_TABLE_MAX_HOPS + 1]);

#endif
