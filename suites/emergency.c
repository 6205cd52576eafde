/* Emergency rollover (draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 2,
 * RFC 8634 §3.1): the peer switches to a key the caches do not have yet.
 * Its re-advertised routes are Not Valid until the key arrives; under a
 * reject-Not-Valid policy the SUT must withdraw them downstream (the old
 * route was implicitly replaced), then restore them once the key arrives. */
#include "steps.h"

static int emergency(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	int64_t t = kr_now_ns();
	kr_judge(ctx, "the route is withdrawn while its key is unknown and restored once it arrives");
	kr_log(ctx, "emergency: up1 re-signs %s with %s before any cache has it", P1, kr_wkey_name(k1));
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0)
		return -1;
	if (st_absent(ctx, KR_BGPSEC_PEERS, P1, KR_W_WITHDRAW,
		      "route replaced by a Not Valid one (unknown new key)") < 0)
		return -1;
	kr_log(ctx, "the cache announces %s", kr_wkey_name(k1));
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	if (st_present(ctx, KR_BGPSEC_PEERS, P1, NULL, kr_wkey_ski(k1), 0, KR_W_RTR,
		       "route restored by re-validation once the key arrives") < 0)
		return -1;
	kr_metric(ctx, "outage", kr_ns_to_s(kr_now_ns() - t), "s");
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "rollover/3.1-2/emergency-1", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 2; RFC 8634 §3.1; RFC 8205 §5",
	  .title = "an emergency rollover without stage period withdraws the peer's routes until its key arrives, then restores them",
	  .req = "without staging, receivers cannot verify the new signatures and routing is disrupted until the key propagates",
	  .needs = KR_NEED_BGPSEC, .run = emergency, .per_family = true },
};

KR_SUITE(emergency, "Emergency rollover (draft §3.1 step 2)", cases)
