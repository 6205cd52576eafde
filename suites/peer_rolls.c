/* The SUT validates while a peer (up1) rolls its router key, through the
 * five steps of draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 (RFC 8634
 * §3.1). up1 originates routes; dn1 and dn2 observe what the SUT makes of
 * them. */
#include "steps.h"

#define DRAFT "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1"

/* Step 1: publishing the next key must not disturb routes signed with the
 * current one, and the new key is usable at once. */
static int step1_prepublish(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	size_t before[KR_NPEERS];
	st_withdrawals(ctx->w, P1, before);
	kr_log(ctx, "step 1: pre-publish %s", kr_wkey_name(k1));
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	kr_judge(ctx, "a route signed with the pre-published key validates; the old-key route stays");
	if (st_announce_seen(ctx, KR_UP1, P2, k1, KR_BGPSEC_PEERS) < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P1, before, "route signed with the old key after pre-publication");
}

/* Step 2: during the stage period either key validates. */
static int step2_stage(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *k1 = kr_w_key(ctx->w, KR_UP1, 1);
	if (!k0 || !k1 || kr_w_publish(ctx->w, k1) < 0)
		return -1;
	kr_log(ctx, "step 2: stage period (24 h nominal)");
	if (kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	kr_judge(ctx, "during the stage period routes signed with the old and with the new key validate");
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	return st_announce_seen(ctx, KR_UP1, P2, k1, KR_BGPSEC_PEERS);
}

/* Step 3: the peer re-advertises with the new key; downstream the new
 * route replaces the old one without a withdrawal in between. */
static int step3_twilight(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0 ||
	    st_announce_seen(ctx, KR_UP1, P2, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	size_t b1[KR_NPEERS], b2[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P2, b2);
	int64_t t = kr_now_ns();
	kr_judge(ctx, "the re-signed routes replace the old ones downstream without a withdrawal");
	kr_log(ctx, "step 3: up1 re-advertises %s and %s with %s", P1, P2, kr_wkey_name(k1));
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0 || kr_w_announce(ctx->w, KR_UP1, P2, k1) < 0)
		return -1;
	if (st_present(ctx, KR_BGPSEC_PEERS, P1, NULL, kr_wkey_ski(k1), t, KR_W_ANNOUNCE,
		       "re-advertisement signed with the new key") < 0 ||
	    st_present(ctx, KR_BGPSEC_PEERS, P2, NULL, kr_wkey_ski(k1), t, KR_W_ANNOUNCE,
		       "re-advertisement signed with the new key") < 0)
		return -1;
	kr_metric(ctx, "twilight_propagation", kr_ns_to_s(kr_now_ns() - t), "s");
	if (st_stayed(ctx, KR_BGPSEC_PEERS, P1, b1, "no withdrawal gap at twilight") < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P2, b2, "no withdrawal gap at twilight");
}

/* Step 4: a CRL alone changes nothing the SUT can see: the cache still
 * has both keys, so routes signed with either stay. Under --rpki pipeline
 * a relying party reads the CRL, so the old key's RTR withdrawal (step 5)
 * follows by itself: routes signed with either key stay up to the CRL
 * publication, and new-key routes stay through the withdrawal it causes. */
static int step4_crl(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P2, k1, KR_BGPSEC_PEERS) < 0)
		return -1;
	size_t b1[KR_NPEERS], b2[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P2, b2);
	bool pipe = kr_w_pipeline(ctx->w);
	kr_judge(ctx, "%s", pipe ? "both routes stay up to the CRL publication, the new-key route through the RTR "
				    "withdrawal it causes" : "after the CRL alone both routes stay");
	if (pipe && st_stayed(ctx, KR_BGPSEC_PEERS, P1, b1, "old-key route up to the CRL publication") < 0)
		return -1;
	kr_log(ctx, "step 4: the CA revokes %s (CRL published; %s)", kr_wkey_name(k0),
	       pipe ? "the relying party reads it" : "the cache still has the key");
	if (kr_w_revoke(ctx->w, k0) < 0)
		return -1;
	if (pipe)
		return st_stayed(ctx, KR_BGPSEC_PEERS, P2, b2,
				 "new-key route after the CRL publication and the RTR withdrawal of the old key");
	if (st_stayed(ctx, KR_BGPSEC_PEERS, P1, b1, "old-key route while the cache still has the key") < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P2, b2, "new-key route after CRL publication");
}

/* Step 5 setup: up1 has P1 re-signed with k1 and P2 still signed with k0;
 * up2 has P3 with its own key. Then the cache withdraws k0. */
static int step5_setup(struct kr_ctx *ctx, bool exa, int64_t *t_withdraw)
{
	struct kr_world_cfg cfg = { .exa = exa };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	unsigned mask = exa ? KR_ALL_PEERS : KR_BGPSEC_PEERS;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *k1 = kr_w_key(ctx->w, KR_UP1, 1);
	struct kr_wkey *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!k0 || !k1 || !q0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, mask) < 0 ||
	    st_announce_seen(ctx, KR_UP1, P2, k0, mask) < 0 ||
	    st_announce_seen(ctx, KR_UP2, P3, q0, mask) < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k1, mask) < 0)
		return -1;
	if (kr_w_revoke(ctx->w, k0) < 0)
		return -1;
	kr_log(ctx, "step 5: the cache withdraws %s; %s is still signed with it", kr_wkey_name(k0), P2);
	*t_withdraw = kr_now_ns();
	if (kr_w_unpublish(ctx->w, k0) < 0)
		return -1;
	kr_judge(ctx, "the SUT's reaction to the RTR withdrawal of %s", kr_wkey_name(k0));
	return 0;
}

static int step5_withdraw(struct kr_ctx *ctx)
{
	int64_t t;
	if (step5_setup(ctx, false, &t) < 0)
		return -1;
	if (st_absent(ctx, KR_BGPSEC_PEERS, P2, KR_W_RTR, "route signed with the withdrawn key") < 0)
		return -1;
	kr_metric(ctx, "withdraw_latency", kr_ns_to_s(kr_now_ns() - t), "s");
	return 0;
}

static int step5_no_over_withdraw(struct kr_ctx *ctx)
{
	int64_t t;
	if (step5_setup(ctx, false, &t) < 0)
		return -1;
	size_t b1[KR_NPEERS], b3[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P3, b3);
	/* Wait for the reaction first (or its deadline) so "stayed" is judged
	 * after the SUT acted; whether P2 went is another case's verdict. */
	if (kr_w_wait_absent(ctx->w, KR_BGPSEC_PEERS, P2, kr_w_deadline(ctx->w, KR_W_RTR)) < 0)
		return -1;
	if (st_stayed(ctx, KR_BGPSEC_PEERS, P1, b1, "route re-signed with the new key of the same AS") < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P3, b3, "route of another AS");
}

static int step5_plain(struct kr_ctx *ctx)
{
	int64_t t;
	if (step5_setup(ctx, true, &t) < 0)
		return -1;
	if (st_absent(ctx, 1u << KR_EXA, P2, KR_W_RTR, "route signed with the withdrawn key, at the plain peer") < 0)
		return -1;
	kr_metric(ctx, "withdraw_latency_plain", kr_ns_to_s(kr_now_ns() - t), "s");
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "rollover/3.1-1/1", .level = KR_MUST,
	  .spec = DRAFT " step 1; RFC 8210 §5.10",
	  .title = "pre-publishing the peer's new key keeps old-key routes and validates new-key ones",
	  .req = "New Certificate Pre-Publication: the new key is published while the old one is still valid; "
		 "an AS may have several router keys at once",
	  .needs = KR_NEED_BGPSEC, .run = step1_prepublish, .per_family = true },
	{ .id = "rollover/3.1-2/1", .level = KR_MUST,
	  .spec = DRAFT " step 2; RFC 8205 §5.2",
	  .title = "during the stage period UPDATEs signed with either key validate",
	  .req = "Stage Period: both certificates are valid; a signature verifies with any key of the AS with that SKI",
	  .needs = KR_NEED_BGPSEC, .run = step2_stage, .per_family = true },
	{ .id = "rollover/3.1-3/1", .level = KR_MUST,
	  .spec = DRAFT " step 3; RFC 8634 §3.1",
	  .title = "the peer's twilight re-advertisement replaces its routes downstream without a withdrawal gap",
	  .req = "Twilight: the speaker stops using the old key and re-advertises, as in an outbound policy refresh; "
		 "the re-signed UPDATE implicitly replaces the old route",
	  .needs = KR_NEED_BGPSEC, .run = step3_twilight, .per_family = true },
	{ .id = "rollover/3.1-4/1", .level = KR_MUST,
	  .spec = DRAFT " step 4; RFC 8205 §5",
	  .title = "CRL publication alone removes nothing while the cache still has the key",
	  .req = "CRL Publication: the CA MAY put the old certificate on its CRL; routers learn keys only from the RPKI cache "
		 "(--rpki pipeline: a relying party reads the CRL and the old key's RTR withdrawal follows; routes signed "
		 "with the new key stay through it)",
	  .needs = KR_NEED_BGPSEC, .run = step4_crl, .per_family = true },
	{ .id = "rollover/3.1-5/1", .level = KR_MUST,
	  .spec = DRAFT " step 5; RFC 8634 §3.1 step 5; RFC 8205 §5",
	  .title = "after the RTR withdrawal, routes still signed with the old key are withdrawn downstream",
	  .req = "RPKI-Router Protocol Withdrawal: the router's reaction includes removing any RIB entry signed with that key "
		 "and generating the corresponding withdrawals",
	  .needs = KR_NEED_BGPSEC, .run = step5_withdraw, .per_family = true },
	{ .id = "rollover/3.1-5/2", .level = KR_MUST,
	  .spec = DRAFT " step 5; RFC 8205 §5",
	  .title = "the RTR withdrawal of one key keeps re-signed routes and other ASes' routes (no over-withdrawal)",
	  .req = "only routes whose signatures use the withdrawn key become Not Valid",
	  .needs = KR_NEED_BGPSEC, .run = step5_no_over_withdraw, .per_family = true },
	{ .id = "rollover/3.1-5/3", .level = KR_MUST,
	  .spec = DRAFT " step 5; RFC 8205 §4.4",
	  .title = "the withdrawal after the RTR withdrawal reaches the plain-BGP peer too",
	  .req = "the corresponding BGP withdrawals go to every peer the route was sent to, BGPsec or not",
	  .needs = KR_NEED_BGPSEC | KR_NEED_PLAIN_PEER, .run = step5_plain, .per_family = true },
};

KR_SUITE(peer_rolls, "The SUT validates while a peer rolls (draft §3.1)", cases)
