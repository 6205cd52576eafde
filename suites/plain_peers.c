/* Plain-BGP peers (RFC 8205 §4.4): a peer that did not negotiate BGPsec
 * (ExaBGP, exa) gets an AS_PATH rebuilt from the Secure_Path and never a
 * BGPsec_PATH attribute. Withdrawals reaching it: rollover/3.1-5/3. */
#include "steps.h"

static int no_bgpsec_path(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { .exa = true, .sut_prefixes = 1 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0);
	if (!k0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	kr_judge(ctx, "what the plain peer receives");
	if (st_present(ctx, 1u << KR_EXA, P1, NULL, NULL, 0, KR_W_ANNOUNCE, "the route at the plain peer") < 0)
		return -1;
	if (st_present(ctx, 1u << KR_EXA, kr_w_sut_prefix(ctx->w, 0), NULL, NULL, 0, KR_W_ANNOUNCE,
		       "the SUT's own prefix at the plain peer") < 0)
		return -1;
	if (st_sentinel(ctx, KR_ALL_PEERS) < 0)
		return -1;
	kr_expect(ctx, "no UPDATE with a BGPsec_PATH attribute at the plain peer exa; AS_PATH only");
	if (kr_w_saw_bgpsec_path(ctx->w, KR_EXA))
		return kr_fail(ctx, "exa received BGPsec_PATH");
	struct kr_wroute r;
	if (kr_w_route(ctx->w, KR_EXA, P1, &r) < 0)
		return -1;
	if (r.bgpsec)
		return kr_fail(ctx, "%s at exa carries BGPsec_PATH", P1);
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "plain/8205-4.4/1", .level = KR_MUST, .spec = "RFC 8205 §4.4, §2.2",
	  .title = "a plain-BGP peer never receives BGPsec_PATH and gets the routes with an AS_PATH",
	  .req = "a BGPsec speaker sends BGPsec_PATH only to peers that negotiated receiving it; to others it "
		 "sends AS_PATH reconstructed from the Secure_Path",
	  .needs = KR_NEED_BGPSEC | KR_NEED_PLAIN_PEER, .run = no_bgpsec_path, .per_family = true },
};

KR_SUITE(plain_peers, "Plain-BGP peers (RFC 8205 §4.4)", cases)
