/* The routes each speaker of a capture received, per prefix and per
 * session they came from (its Adj-RIBs-In as seen on the wire), for the
 * RFC 8205 §4.4 check of what it sends to plain peers (lint.h) and for
 * the judge. Pure: decoded UPDATEs in, held routes out. */
#ifndef KR_LINT_RIB_H
#define KR_LINT_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "wire/lint.h"

/* p as a key: canonical (RFC 8205 §4.2 trailing bits zero), every
 * padding octet zero, so memcmp and hashing of keys agree. */
void kr_prefix_key(struct kr_prefix *out, const struct kr_prefix *p);

struct kr_lint_rib;
struct kr_lint_rib *kr_lint_rib_new(void);
void kr_lint_rib_free(struct kr_lint_rib *r);
/* An UPDATE `speaker` (at most 65535) received on session `src`: withdrawals remove,
 * announcements replace; a treat-as-withdraw UPDATE (RFC 7606, RFC 8205
 * §5.2 malformed BGPsec_PATH) withdraws what it announces. */
void kr_lint_rib_update(struct kr_lint_rib *r, unsigned speaker, unsigned src,
			const struct kr_update *u);
/* Session src went down: everything learnt on it is gone. */
void kr_lint_rib_drop_src(struct kr_lint_rib *r, unsigned src);
/* What speaker holds for p (valid until the next call on r); NULL when
 * nothing. */
const struct kr_lint_held *kr_lint_rib_held(struct kr_lint_rib *r, unsigned speaker,
					    const struct kr_prefix *p);
/* The paths a kr_lint_held points to stay valid until kr_lint_rib_free
 * (each distinct path is stored once, never moved). */
/* Routes held (all speakers) and the octets the RIB takes. */
size_t kr_lint_rib_routes(const struct kr_lint_rib *r);
size_t kr_lint_rib_bytes(const struct kr_lint_rib *r);

#endif
