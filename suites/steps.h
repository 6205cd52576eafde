/* Steps shared by the conformance cases: each waits for one thing on the
 * wire and, when it does not happen, records a FAIL that says what was
 * expected, what each observer holds, and when (suites/README.md,
 * "Writing a case"). All return 0 when the step held, -1 when a verdict (FAIL or
 * ERROR) has been recorded. */
#ifndef KR_SUITES_STEPS_H
#define KR_SUITES_STEPS_H

#include "run/case.h"
#include "run/world.h"

/* Upstream prefixes used by the cases (documentation ranges), of the
 * case's address family (kr_w_prefix; they need `ctx` with its world in
 * scope): 198.51.100.0/24, 203.0.113.0/24, 192.0.2.0/25 for IPv4,
 * 2001:db8:100::/48, 2001:db8:200::/48, 2001:db8:300::/48 for IPv6. */
#define P1 kr_w_prefix(ctx->w, 1)
#define P2 kr_w_prefix(ctx->w, 2)
#define P3 kr_w_prefix(ctx->w, 3)

/* Short form of a SKI for messages ("47F2AB12"). */
const char *st_ski(const uint8_t *ski, char buf[16]);
/* "dn1: present (origin SKI .., SUT SKI .., valid, 1 withdrawal); dn2: absent" */
void st_describe(struct kr_world *w, unsigned mask, const char *prefix, char *out, size_t outsz);

int st_up(struct kr_ctx *ctx, const struct kr_world_cfg *cfg);
/* The default world, and up1's current (*k0) and next (*k1) key: the
 * start of every case where a peer rolls. */
int st_up_peer(struct kr_ctx *ctx, struct kr_wkey **k0, struct kr_wkey **k1);
/* The world of cfg with P1 from up1 and P2 from up2, each signed with
 * its AS's first key, at every observer in mask (a precondition). */
int st_up_two_origins(struct kr_ctx *ctx, const struct kr_world_cfg *cfg, unsigned mask);
/* Announce and require it downstream (valid, signed as given) in time. */
int st_announce_seen(struct kr_ctx *ctx, enum kr_peer up, const char *prefix, struct kr_wkey *key,
		     unsigned mask);
int st_present(struct kr_ctx *ctx, unsigned mask, const char *prefix, const uint8_t *sut_ski,
	       const uint8_t *origin_ski, int64_t since, enum kr_wait_kind kind, const char *why);
/* Like st_present, with a signature by k at any hop (longer paths). */
int st_present_signed(struct kr_ctx *ctx, unsigned mask, const char *prefix, const struct kr_wkey *k,
		      int64_t since, enum kr_wait_kind kind, const char *why);
int st_absent(struct kr_ctx *ctx, unsigned mask, const char *prefix, enum kr_wait_kind kind,
	      const char *why);
/* A sentinel through up2 reaches every observer in mask. */
int st_sentinel(struct kr_ctx *ctx, unsigned mask);
/* Sentinel first, then prefix must be absent at every observer in mask. */
int st_not_propagated(struct kr_ctx *ctx, unsigned mask, const char *prefix, const char *why);
/* Sentinel first, then prefix must still be present with no withdrawal
 * since the counts in before[] (indexed by enum kr_peer). */
int st_stayed(struct kr_ctx *ctx, unsigned mask, const char *prefix, const size_t before[KR_NPEERS],
	      const char *why);
/* Withdrawal counts of prefix per observer now. */
void st_withdrawals(struct kr_world *w, const char *prefix, size_t out[KR_NPEERS]);

/* The SUT rolls: it originates ST_NOWN prefixes and forwards P1 and P2
 * from up1; set-up puts them in place at dn1/dn2, pre-publishes the SUT's
 * next key for role and lets the stage period pass. */
#define ST_NOWN 2
int st_sut_setup(struct kr_ctx *ctx, bool split, const char *role, struct kr_wkey **k0,
		 struct kr_wkey **k1);
/* Every prefix of list at dn1 and dn2, announced since t, SUT-signed with k. */
int st_all_resigned(struct kr_ctx *ctx, const char *const *list, size_t n, struct kr_wkey *k,
		    int64_t t, const char *why);
/* The SUT's own prefixes, then P1, P2. */
void st_all_prefixes(struct kr_ctx *ctx, const char *out[ST_NOWN + 2]);
/* Set-up with one shared key, then the SUT's twilight (rekey with
 * stagger_ms; kr_judge(judge) after it unless NULL); with stagger 0,
 * every prefix re-signed at dn1 and dn2. *t: when the rekey started. */
int st_sut_twilight(struct kr_ctx *ctx, unsigned stagger_ms, const char *judge, struct kr_wkey **k0,
		    struct kr_wkey **k1, int64_t *t);
/* A per-peer stagger of a few minutes of protocol time (draft §3.1 step
 * 3), at least floor_s so that it stands out from scheduling noise. */
unsigned st_stagger_ms(struct kr_ctx *ctx, double floor_s);
/* Sentinel first, then no UPDATE at the observers in mask signed by the
 * SUT with k since t. */
int st_not_signed_since(struct kr_ctx *ctx, unsigned mask, const struct kr_wkey *k, int64_t t,
			const char *why);

#endif
