/* RTR faults during a rollover (RFC 8210 §5.1, §5.3, §6, §8): after a
 * Cache Reset or a new session id, a key the cache does not announce again
 * is gone, and routes that depend on it must go too. */
#include "steps.h"

static int reset_drops(struct kr_ctx *ctx, bool new_session)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!k0 || !q0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_DOWNSTREAM) < 0 ||
	    st_announce_seen(ctx, KR_UP2, P2, q0, KR_DOWNSTREAM) < 0)
		return -1;
	size_t b2[KR_NPEERS];
	st_withdrawals(ctx->w, P2, b2);
	kr_log(ctx, "%s: the cache's data no longer has %s", new_session ? "new session id" : "Cache Reset",
	       kr_wkey_name(k0));
	struct kr_wkey *keep[] = { q0 };
	if (kr_w_rtr_reset_keep(ctx->w, keep, 1, new_session) < 0)
		return -1;
	if (st_absent(ctx, KR_DOWNSTREAM, P1, KR_W_RTR, "route signed with a key not re-announced after the reset") < 0)
		return -1;
	return st_stayed(ctx, KR_DOWNSTREAM, P2, b2, "route signed with a key the cache announced again");
}

static int cache_reset(struct kr_ctx *ctx)
{
	return reset_drops(ctx, false);
}

static int new_session(struct kr_ctx *ctx)
{
	return reset_drops(ctx, true);
}

static const struct kr_case cases[] = {
	{ .id = "rtr/8210-5.3/1", .level = KR_MUST, .spec = "RFC 8210 §5.3, §5.8; RFC 8205 §5",
	  .title = "after a Cache Reset, keys the cache does not announce again are gone and their routes withdrawn",
	  .req = "on Cache Reset the router replaces its data with the cache's complete new set",
	  .needs = KR_NEED_BGPSEC, .run = cache_reset },
	{ .id = "rtr/8210-5.1/1", .level = KR_MUST, .spec = "RFC 8210 §5.1; RFC 8205 §5",
	  .title = "after a new session id, keys not announced again are gone and their routes withdrawn",
	  .req = "when the Session ID changes the router flushes its data from that cache and reloads it",
	  .needs = KR_NEED_BGPSEC, .run = new_session },
};

KR_SUITE(rtr_faults, "RTR faults during a rollover (RFC 8210)", cases)
