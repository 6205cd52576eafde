/* Stale and unknown keys (RFC 8205 §5.2, RFC 8634 §3.1 steps 4-5): an
 * UPDATE whose signature needs a key the SUT does not have (never
 * published, revoked and withdrawn, withdrawn by RTR) is Not Valid and
 * must not be propagated; a key that arrives later makes a stored UPDATE
 * Valid without a new UPDATE (re-validation). */
#include "steps.h"

static int unknown_ski(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *kx = kr_w_key(ctx->w, KR_UP1, 7); /* never published */
	kr_judge(ctx, "a route signed with a never-published SKI is not propagated");
	if (!kx || kr_w_announce(ctx->w, KR_UP1, P1, kx) < 0)
		return -1;
	return st_not_propagated(ctx, KR_BGPSEC_PEERS, P1, "route signed with a never-published SKI");
}

static int bad_signature(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0);
	struct kr_wkey *forged = k0 ? kr_w_forged_key(ctx->w, k0) : NULL;
	kr_judge(ctx, "a route whose signature does not verify is not propagated");
	if (!forged || kr_w_announce(ctx->w, KR_UP1, P1, forged) < 0)
		return -1;
	return st_not_propagated(ctx, KR_BGPSEC_PEERS, P1,
				 "route whose signature does not verify with the published key of its SKI");
}

static int gone_key(struct kr_ctx *ctx, bool revoke)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *k1 = kr_w_key(ctx->w, KR_UP1, 1);
	if (!k0 || !k1 || kr_w_publish(ctx->w, k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P2, k1, KR_BGPSEC_PEERS) < 0)
		return -1;
	if (revoke && kr_w_revoke(ctx->w, k0) < 0)
		return -1;
	if (kr_w_unpublish(ctx->w, k0) < 0)
		return -1;
	kr_judge(ctx, "a route signed with a key that is gone is not propagated");
	if (kr_w_announce(ctx->w, KR_UP1, P1, k0) < 0)
		return -1;
	return st_not_propagated(ctx, KR_BGPSEC_PEERS, P1,
				 revoke ? "route signed with a revoked (and withdrawn) key"
					: "route signed with a key the cache withdrew");
}

static int revoked(struct kr_ctx *ctx)
{
	return gone_key(ctx, true);
}

static int rtr_withdrawn(struct kr_ctx *ctx)
{
	return gone_key(ctx, false);
}

static int late_key(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k1 = kr_w_key(ctx->w, KR_UP1, 1);
	if (!k1 || kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0)
		return -1;
	if (st_not_propagated(ctx, KR_BGPSEC_PEERS, P1, "route signed with a key not yet published") < 0)
		return -1;
	int64_t t = kr_now_ns();
	kr_log(ctx, "the cache announces %s after the UPDATE arrived", kr_wkey_name(k1));
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	kr_judge(ctx, "the stored UPDATE is re-validated once its key arrives");
	if (st_present(ctx, KR_BGPSEC_PEERS, P1, NULL, kr_wkey_ski(k1), 0, KR_W_RTR,
		       "re-validation once the key arrives, without a new UPDATE") < 0)
		return -1;
	kr_metric(ctx, "revalidation_latency", kr_ns_to_s(kr_now_ns() - t), "s");
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "keys/8205-5.2/1", .level = KR_MUST, .spec = "RFC 8205 §5.2",
	  .title = "an UPDATE signed with a never-published SKI is Not Valid and not propagated",
	  .req = "if no key is found for the AS and SKI of a Signature Segment, the UPDATE is Not Valid",
	  .needs = KR_NEED_BGPSEC, .run = unknown_ski, .per_family = true },
	{ .id = "keys/8205-5.2/2", .level = KR_MUST, .spec = "RFC 8205 §5.2",
	  .title = "an UPDATE whose signature fails under the published key of its SKI is not propagated",
	  .req = "the signature must verify with a public key of that AS and SKI; otherwise Not Valid",
	  .needs = KR_NEED_BGPSEC, .run = bad_signature, .per_family = true },
	{ .id = "keys/8634-3.1-4/1", .level = KR_MUST,
	  .spec = "RFC 8634 §3.1 steps 4-5; draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 4",
	  .title = "an UPDATE signed with a revoked key, withdrawn by the cache, is not propagated",
	  .req = "once the old certificate is revoked the cache withdraws its key and its signatures no longer validate",
	  .needs = KR_NEED_BGPSEC, .run = revoked, .per_family = true },
	{ .id = "keys/8634-3.1-5/1", .level = KR_MUST,
	  .spec = "RFC 8634 §3.1 step 5; RFC 8210 §5.10",
	  .title = "an UPDATE signed with a key the cache withdrew is not propagated",
	  .req = "a withdrawn Router Key is no longer usable for validation",
	  .needs = KR_NEED_BGPSEC, .run = rtr_withdrawn, .per_family = true },
	{ .id = "keys/8205-5/1", .level = KR_MUST, .spec = "RFC 8205 §5; RFC 8634 §3.1 step 2",
	  .title = "a key announced after the UPDATE arrived makes it Valid by re-validation",
	  .req = "when the RPKI cache announces a key, stored UPDATEs that depend on it are re-validated",
	  .needs = KR_NEED_BGPSEC, .run = late_key, .per_family = true },
};

KR_SUITE(stale_keys, "Stale and unknown keys (RFC 8205 §5.2)", cases)
