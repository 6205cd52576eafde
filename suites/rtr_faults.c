/* RTR faults during a rollover (RFC 8210 §5.1, §5.3, §6, §8): after a
 * Cache Reset or a new session id, a key the cache does not announce again
 * is gone, and routes that depend on it must go too; a cache that stops
 * answering takes its keys with it once their Expire Interval has passed,
 * not before. */
#include "steps.h"

/* Routes from up1 (k0) and up2 (q0) everywhere; then a Cache Reset or a
 * new session id whose data no longer have k0. */
static int reset_setup(struct kr_ctx *ctx, bool new_session, size_t b2[KR_NPEERS])
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up_two_origins(ctx, &cfg, KR_BGPSEC_PEERS) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	st_withdrawals(ctx->w, P2, b2);
	kr_log(ctx, "%s: the cache's data no longer has %s", new_session ? "new session id" : "Cache Reset",
	       kr_wkey_name(k0));
	struct kr_wkey *keep[] = { q0 };
	return kr_w_rtr_reset_keep(ctx->w, keep, 1, new_session);
}

/* The flush itself, whether or not the SUT takes up the new data. */
static int reset_flushes(struct kr_ctx *ctx, bool new_session)
{
	size_t b2[KR_NPEERS];
	if (reset_setup(ctx, new_session, b2) < 0)
		return -1;
	kr_judge(ctx, "routes signed with keys not announced again are withdrawn");
	return st_absent(ctx, KR_BGPSEC_PEERS, P1, KR_W_RTR, "route signed with a key not re-announced after the reset");
}

/* The pick-up of the cache's data after the reset: a key published now
 * validates, and the key announced again keeps its route. */
static int reset_picks_up(struct kr_ctx *ctx, bool new_session)
{
	size_t b2[KR_NPEERS];
	if (reset_setup(ctx, new_session, b2) < 0)
		return -1;
	kr_judge(ctx, "the SUT works from the cache's new data: new keys are taken up, re-announced keys kept");
	if (kr_w_rtr_pickup(ctx->w) < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P2, b2, "route signed with a key the cache announced again");
}

static int cache_reset(struct kr_ctx *ctx)
{
	return reset_flushes(ctx, false);
}

static int new_session(struct kr_ctx *ctx)
{
	return reset_flushes(ctx, true);
}

static int cache_reset_pickup(struct kr_ctx *ctx)
{
	return reset_picks_up(ctx, false);
}

static int new_session_pickup(struct kr_ctx *ctx)
{
	return reset_picks_up(ctx, true);
}

/* RFC 8210 §6 timers, nominal (RFC defaults), compressed by --time-scale. */
#define NOM_REFRESH 3600.0
#define NOM_RETRY 600.0
#define NOM_EXPIRE 7200.0
/* A router may count Expire in whole seconds (the PDU's unit). */
#define EXPIRE_GRAIN_NS 1000000000LL
/* An early drop is judged this long before Expire, so that scheduling
 * noise between the SUT and the observers never counts against it. */
#define EARLY_MARGIN_NS 250000000LL

/* Routes from up1 and up2 everywhere (the plain peer too, when the SUT has
 * one), short timers advertised, then the cache stops answering. */
static int expire_setup(struct kr_ctx *ctx, unsigned min_expire, unsigned *mask,
			struct kr_rtr_timers *t, int64_t *t_eod)
{
	struct kr_world_cfg cfg = { .exa = (ctx->sut->caps & KR_NEED_PLAIN_PEER) != 0 };
	*mask = cfg.exa ? KR_ALL_PEERS : KR_BGPSEC_PEERS;
	if (st_up_two_origins(ctx, &cfg, *mask) < 0)
		return -1;
	if (kr_w_rtr_timers(ctx->w, NOM_REFRESH, NOM_RETRY, NOM_EXPIRE, min_expire, t) < 0)
		return -1;
	if (kr_w_rtr_unreachable(ctx->w, t_eod) < 0)
		return -1;
	kr_judge(ctx, "what the SUT does with the keys of a cache it cannot reach");
	return 0;
}

static int expire_drops(struct kr_ctx *ctx)
{
	unsigned mask;
	struct kr_rtr_timers t;
	int64_t eod;
	if (expire_setup(ctx, 0, &mask, &t, &eod) < 0)
		return -1;
	/* Expire runs from the last End of Data; whole-second timers may add
	 * up to one second; then the usual allowance for an RTR reaction. */
	int64_t react = kr_w_deadline(ctx->w, KR_W_RTR) - kr_now_ns();
	int64_t dl = eod + (int64_t)t.expire * 1000000000LL + EXPIRE_GRAIN_NS + react;
	const char *pf[] = { P1, P2 };
	for (size_t i = 0; i < 2; i++) {
		kr_expect(ctx, "keys of an unreachable cache dropped after its Expire Interval (%u s): "
			       "%s withdrawn at every observer within %.2f s of the last End of Data",
			  t.expire, pf[i], kr_ns_to_s(dl - eod));
		unsigned to = mask & ~kr_w_announcers(ctx->w, pf[i]);
		int rc = kr_w_wait_absent(ctx->w, to, pf[i], dl);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			char state[1024];
			st_describe(ctx->w, to, pf[i], state, sizeof(state));
			return kr_fail(ctx, "%.2f s after the last End of Data: %s",
				       kr_ns_to_s(kr_now_ns() - eod), state);
		}
		kr_log(ctx, "%s withdrawn everywhere %.3f s after the last End of Data", pf[i],
		       kr_ns_to_s(kr_now_ns() - eod));
	}
	kr_metric(ctx, "expire_drop_after", kr_ns_to_s(kr_now_ns() - eod), "s");
	return 0;
}

static int expire_keeps(struct kr_ctx *ctx)
{
	unsigned mask;
	struct kr_rtr_timers t;
	int64_t eod;
	/* Expire of at least 4 s: an early drop stands out from whole-second
	 * timer granularity. */
	if (expire_setup(ctx, 4, &mask, &t, &eod) < 0)
		return -1;
	size_t b1[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	int64_t until = eod + (int64_t)t.expire * 1000000000LL - EARLY_MARGIN_NS;
	kr_expect(ctx, "keys of an unreachable cache kept until its Expire Interval (%u s) has passed: "
		       "%s never withdrawn in the first %.2f s after the last End of Data",
		  t.expire, P1, kr_ns_to_s(until - eod));
	int rc = kr_w_wait_absent(ctx->w, 1u << KR_DN1, P1, until);
	if (rc < 0)
		return -1;
	for (int p = 0; p < KR_NPEERS; p++) {
		struct kr_wroute r;
		if (!(mask & kr_w_receivers(KR_UP1) & (1u << p)))
			continue;
		if (kr_w_route(ctx->w, (enum kr_peer)p, P1, &r) < 0)
			return -1;
		if (!r.present || r.withdrawals != b1[p]) {
			char state[1024];
			st_describe(ctx->w, mask & kr_w_receivers(KR_UP1), P1, state, sizeof(state));
			return kr_fail(ctx, "%.2f s after the last End of Data: %s",
				       kr_ns_to_s(kr_now_ns() - eod), state);
		}
	}
	kr_log(ctx, "%s kept at every observer until %.3f s after the last End of Data", P1,
	       kr_ns_to_s(kr_now_ns() - eod));
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "rtr/8210-5.3/1", .level = KR_MUST, .spec = "RFC 8210 §5.3, §5.8; RFC 8205 §5",
	  .title = "after a Cache Reset, keys the cache does not announce again are gone and their routes withdrawn",
	  .req = "on Cache Reset the router replaces its data with the cache's complete new set: what is not in it "
		 "is flushed",
	  .needs = KR_NEED_BGPSEC, .run = cache_reset, .per_family = true },
	{ .id = "rtr/8210-5.3/2", .level = KR_MUST, .spec = "RFC 8210 §5.3, §5.8; RFC 8205 §5",
	  .title = "after a Cache Reset, the SUT takes up newly published keys and keeps the routes of re-announced ones",
	  .req = "on Cache Reset the router replaces its data with the cache's complete new set and goes on with it",
	  .needs = KR_NEED_BGPSEC, .run = cache_reset_pickup, .per_family = true },
	{ .id = "rtr/8210-5.1/1", .level = KR_MUST, .spec = "RFC 8210 §5.1; RFC 8205 §5",
	  .title = "after a new session id, keys not announced again are gone and their routes withdrawn",
	  .req = "when the Session ID changes the router flushes its data from that cache",
	  .needs = KR_NEED_BGPSEC, .run = new_session, .per_family = true },
	{ .id = "rtr/8210-5.1/2", .level = KR_MUST, .spec = "RFC 8210 §5.1; RFC 8205 §5",
	  .title = "after a new session id, the SUT takes up newly published keys and keeps the routes of re-announced ones",
	  .req = "when the Session ID changes the router flushes its data from that cache and reloads it",
	  .needs = KR_NEED_BGPSEC, .run = new_session_pickup, .per_family = true },
	{ .id = "rtr/8210-6/1", .level = KR_MUST, .spec = "RFC 8210 §6; RFC 8205 §5.2; RFC 8634 §3.1 step 5",
	  .title = "a cache unreachable past its Expire Interval takes its keys along: their routes are withdrawn "
		   "downstream, to BGPsec and plain peers",
	  .req = "Expire Interval: how long the router may use the data without a successful refresh; "
		 "it MUST NOT keep it longer (timer from the last End of Data)",
	  .needs = KR_NEED_BGPSEC, .run = expire_drops, .per_family = true },
	{ .id = "rtr/8210-6/2", .level = KR_SHOULD, .spec = "RFC 8210 §6",
	  .title = "keys of an unreachable cache stay usable until its Expire Interval has passed (no early drop)",
	  .req = "Expire Interval: the number of seconds the router can retain the current data while unable "
		 "to perform a successful refresh",
	  .needs = KR_NEED_BGPSEC, .run = expire_keeps, .per_family = true },
};

KR_SUITE(rtr_faults, "RTR faults during a rollover (RFC 8210)", cases)
