/* Waits that cases use on observers: "until predicate or deadline" on the
 * event loop, never fixed sleeps (docs/design.md rule 5). Each fills a
 * kr_expect whose three strings go straight into a case's failure message:
 *   expected: withdrawal of 203.0.113.0/24 on dn1 within 2.00 s
 *   observed: still announced: 203.0.113.0/24 signed path 65536(SKI 47F2..)
 *   when:     deadline at +2.00 s after the reference time
 * Times are reported relative to `since` (the case's reference event, a
 * kr_now_ns value). Return values: 1 satisfied, 0 not satisfied (deadline
 * or contrary evidence), -1 inconclusive (the sentinel never arrived:
 * the harness cannot judge absence, which is an ERROR, not a FAIL). */
#ifndef KR_OBS_WAIT_H
#define KR_OBS_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/evloop.h"
#include "run/observer.h"

struct kr_expect {
	bool ok;
	int64_t t_done;     /* when satisfied (or the deadline), kr_now_ns */
	char expected[256];
	char observed[512];
	char when[128];
};

/* Present, announced after since, signed (ski NULL: by anyone; else some
 * signature segment carries ski), and if need_valid Valid against the
 * observer's keys. */
int kr_wait_signed(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p,
		   const uint8_t *ski, bool need_valid, int64_t since, int64_t deadline,
		   struct kr_expect *x);
/* Present (signed or not) and announced after since. */
int kr_wait_announced(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p, int64_t since,
		      int64_t deadline, struct kr_expect *x);
/* Withdrawn after since (a withdrawal event later than since, and not
 * present now). */
int kr_wait_withdrawn(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p, int64_t since,
		      int64_t deadline, struct kr_expect *x);
/* Every one of n prefixes re-advertised after since, signed with ski. */
int kr_wait_all_signed(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *ps, size_t n,
		       const uint8_t *ski, int64_t since, int64_t deadline, struct kr_expect *x);
/* Sentinel check (docs/design.md rule 5): wait until `sentinel` is
 * announced after since; then 1 if `p` had no announcement (whose newest
 * signature carries ski, when ski is given) between since and the
 * sentinel's arrival, 0 if it had, -1 if the sentinel never came. */
int kr_wait_never_before(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p,
			 const uint8_t *ski, const struct kr_prefix *sentinel, int64_t since,
			 int64_t deadline, struct kr_expect *x);

#endif
