/* Transit hops and longer paths: up1 forwards routes that went through
 * further ASes before it (3 to 5 signed hops; the harness signs the hops
 * behind up1 with keys of those ASes, published over RTR). An AS rolls its
 * key through the steps of draft-rogaglia-sidr-bgpsec-rollover-01 §3.1:
 * either a transit AS in the middle of a 5-hop path or the origin AS of a
 * 3-hop path behind up1. The SUT must treat every Signature Segment alike
 * (RFC 8205 §5.2): validate it and re-validate it when its key changes. */
#include <stdio.h>

#include "steps.h"

#define DRAFT "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1"

struct roll {
	unsigned hops;   /* signed hops the SUT receives, up1's included */
	unsigned rolled; /* the AS that rolls: kr_w_far_key hop */
	const char *who; /* for messages */
};
/* 5 hops: AS64504 > AS64503 > [AS64502] > AS64501 > up1 */
static const struct roll mid = { 5, 2, "the transit AS in the middle of the path" };
/* 3 hops: [AS64502] > AS64501 > up1 */
static const struct roll orig = { 3, 2, "the origin AS behind up1" };

static const struct roll *roll_of(struct kr_ctx *ctx)
{
	return ctx->c->arg;
}

static int up(struct kr_ctx *ctx, struct kr_wkey **k0, struct kr_wkey **k1)
{
	const struct roll *r = roll_of(ctx);
	struct kr_world_cfg cfg = { .far_hops = r->hops - 1 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	*k0 = kr_w_far_key(ctx->w, r->rolled, 0);
	*k1 = kr_w_far_key(ctx->w, r->rolled, 1);
	return *k0 && *k1 ? 0 : -1;
}

/* up1 forwards prefix along the case's path, the rolled AS signing with
 * k; with k NULL the rolled AS is left out (a path of other ASes). */
static int forward(struct kr_ctx *ctx, const char *prefix, struct kr_wkey *k)
{
	const struct roll *r = roll_of(ctx);
	struct kr_wkey *keys[KR_W_MAX_FAR + 1];
	size_t n = 0;
	for (unsigned h = r->hops - 1; h >= 1; h--) {
		struct kr_wkey *hk = h == r->rolled ? k : kr_w_far_key(ctx->w, h, 0);
		if (h == r->rolled && !k)
			continue;
		if (!hk)
			return -1;
		keys[n++] = hk;
	}
	if (!(keys[n++] = kr_w_key(ctx->w, KR_UP1, 0)))
		return -1;
	return kr_w_announce_path(ctx->w, KR_UP1, prefix, keys, n);
}

static int forward_seen(struct kr_ctx *ctx, const char *prefix, struct kr_wkey *k)
{
	if (forward(ctx, prefix, k) < 0)
		return -1;
	char why[160];
	snprintf(why, sizeof(why), "route through %s signed with %s", roll_of(ctx)->who, kr_wkey_name(k));
	return st_present_signed(ctx, KR_DOWNSTREAM, prefix, k, 0, KR_W_ANNOUNCE, why);
}

/* Step 1: before publication a signature by the new key does not verify;
 * publishing it keeps old-key routes, re-validates stored new-key routes
 * and validates new ones. */
static int step1(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (up(ctx, &k0, &k1) < 0 || forward_seen(ctx, P1, k0) < 0)
		return -1;
	kr_judge(ctx, "a hop signed with the AS's next key validates once the key is published, not before; "
		      "the old-key route stays");
	if (forward(ctx, P3, k1) < 0 ||
	    st_not_propagated(ctx, KR_DOWNSTREAM, P3, "a hop signed with a key not yet published is Not Valid") < 0)
		return -1;
	size_t before[KR_NPEERS];
	st_withdrawals(ctx->w, P1, before);
	kr_log(ctx, "step 1: pre-publish %s", kr_wkey_name(k1));
	if (kr_w_publish(ctx->w, k1) < 0)
		return -1;
	if (st_present_signed(ctx, KR_DOWNSTREAM, P3, k1, 0, KR_W_RTR,
			      "the stored route is re-validated once the key of its hop is published") < 0)
		return -1;
	if (forward_seen(ctx, P2, k1) < 0)
		return -1;
	return st_stayed(ctx, KR_DOWNSTREAM, P1, before, "route signed with the old key after pre-publication");
}

/* Step 2: during the stage period either key of the AS validates. */
static int step2(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (up(ctx, &k0, &k1) < 0 || kr_w_publish(ctx->w, k1) < 0)
		return -1;
	kr_log(ctx, "step 2: stage period (24 h nominal)");
	if (kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	kr_judge(ctx, "during the stage period paths with the old and with the new key of the AS validate");
	if (forward_seen(ctx, P1, k0) < 0)
		return -1;
	return forward_seen(ctx, P2, k1);
}

/* Step 3: the re-signed paths replace the old ones without a gap. */
static int step3(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (up(ctx, &k0, &k1) < 0 || forward_seen(ctx, P1, k0) < 0 || forward_seen(ctx, P2, k0) < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	size_t b1[KR_NPEERS], b2[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P2, b2);
	int64_t t = kr_now_ns();
	kr_judge(ctx, "the re-signed paths replace the old ones downstream without a withdrawal");
	kr_log(ctx, "step 3: twilight of %s: up1 forwards %s and %s re-signed with %s", roll_of(ctx)->who, P1,
	       P2, kr_wkey_name(k1));
	if (forward(ctx, P1, k1) < 0 || forward(ctx, P2, k1) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (st_present_signed(ctx, KR_DOWNSTREAM, i ? P2 : P1, k1, t, KR_W_ANNOUNCE,
				      "re-advertisement signed with the new key") < 0)
			return -1;
	kr_metric(ctx, "twilight_propagation", kr_ns_to_s(kr_now_ns() - t), "s");
	if (st_stayed(ctx, KR_DOWNSTREAM, P1, b1, "no withdrawal gap at twilight") < 0)
		return -1;
	return st_stayed(ctx, KR_DOWNSTREAM, P2, b2, "no withdrawal gap at twilight");
}

/* Step 5 set-up: P1 re-signed with k1, P2 still with k0, P3 on a path
 * without the rolling AS; then the cache withdraws k0. */
static int step5_setup(struct kr_ctx *ctx, int64_t *t_withdraw)
{
	struct kr_wkey *k0, *k1;
	if (up(ctx, &k0, &k1) < 0)
		return -1;
	if (forward_seen(ctx, P1, k0) < 0 || forward_seen(ctx, P2, k0) < 0)
		return -1;
	if (forward(ctx, P3, NULL) < 0 ||
	    st_present(ctx, KR_DOWNSTREAM, P3, NULL, NULL, 0, KR_W_ANNOUNCE, "route of other ASes") < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_rtr_barrier(ctx->w) < 0 || forward_seen(ctx, P1, k1) < 0)
		return -1;
	kr_log(ctx, "step 5: the cache withdraws %s; %s is still signed with it", kr_wkey_name(k0), P2);
	*t_withdraw = kr_now_ns();
	return kr_w_unpublish(ctx->w, k0);
}

static int step5_withdraw(struct kr_ctx *ctx)
{
	int64_t t;
	if (step5_setup(ctx, &t) < 0)
		return -1;
	kr_judge(ctx, "the path with a hop still signed by the withdrawn key is withdrawn downstream");
	if (st_absent(ctx, KR_DOWNSTREAM, P2, KR_W_RTR, "route with a hop signed by the withdrawn key") < 0)
		return -1;
	kr_metric(ctx, "withdraw_latency", kr_ns_to_s(kr_now_ns() - t), "s");
	return 0;
}

static int step5_no_over_withdraw(struct kr_ctx *ctx)
{
	int64_t t;
	if (step5_setup(ctx, &t) < 0)
		return -1;
	size_t b1[KR_NPEERS], b3[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P3, b3);
	/* judged once the SUT has reacted (or could have) to the withdrawal */
	if (kr_w_wait_absent(ctx->w, KR_DOWNSTREAM, P2, kr_w_deadline(ctx->w, KR_W_RTR)) < 0)
		return -1;
	kr_judge(ctx, "the re-signed path and the path of other ASes stay");
	if (st_stayed(ctx, KR_DOWNSTREAM, P1, b1, "route re-signed with the new key of the same AS") < 0)
		return -1;
	return st_stayed(ctx, KR_DOWNSTREAM, P3, b3, "route of other ASes");
}

#define TRANSIT_TITLE " (5-hop path, a transit AS in the middle rolls)"
#define ORIGIN_TITLE " (3-hop path, the origin AS behind up1 rolls)"
#define CASES(sfx, arg_, title_sfx)                                                                    \
	{ .id = "rollover/3.1-1/" sfx, .level = KR_MUST, .spec = DRAFT " step 1; RFC 8205 §5, §5.2",      \
	  .title = "a hop signed with the AS's next key validates only once it is published; "            \
		   "old-key routes stay" title_sfx,                                                        \
	  .req = "New Certificate Pre-Publication; every Signature Segment verifies with a published key "\
		 "of its AS, and stored UPDATEs are re-validated when keys change",                       \
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = step1, .arg = &arg_ },                                           \
	{ .id = "rollover/3.1-2/" sfx, .level = KR_MUST, .spec = DRAFT " step 2; RFC 8205 §5.2",         \
	  .title = "during the stage period paths with either key of the AS validate" title_sfx,          \
	  .req = "Stage Period: both certificates are valid for every hop of the AS",                     \
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = step2, .arg = &arg_ },                                           \
	{ .id = "rollover/3.1-3/" sfx, .level = KR_MUST, .spec = DRAFT " step 3; RFC 8634 §3.1",         \
	  .title = "re-signed paths replace the old ones downstream without a withdrawal gap" title_sfx,  \
	  .req = "Twilight: the re-signed UPDATE implicitly replaces the old route",                      \
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = step3, .arg = &arg_ },                                           \
	{ .id = "rollover/3.1-5/" sfx "-1", .level = KR_MUST,                                             \
	  .spec = DRAFT " step 5; RFC 8634 §3.1 step 5; RFC 8205 §5",                                     \
	  .title = "after the RTR withdrawal, paths with a hop still signed by the old key are withdrawn"  \
		   title_sfx,                                                                              \
	  .req = "the router re-assesses every UPDATE with a signature of the withdrawn key, whatever "    \
		 "the hop, and withdraws those that no longer validate",                                  \
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = step5_withdraw, .arg = &arg_ },                                  \
	{ .id = "rollover/3.1-5/" sfx "-2", .level = KR_MUST, .spec = DRAFT " step 5; RFC 8205 §5",       \
	  .title = "the RTR withdrawal keeps re-signed paths and paths of other ASes" title_sfx,           \
	  .req = "only routes whose signatures use the withdrawn key become Not Valid",                   \
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = step5_no_over_withdraw, .arg = &arg_ }

static const struct kr_case cases[] = {
	CASES("transit", mid, TRANSIT_TITLE),
	CASES("origin", orig, ORIGIN_TITLE),
};

KR_SUITE(transit, "Transit hops and longer paths (draft §3.1)", cases)
