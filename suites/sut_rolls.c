/* The SUT signs while it rolls its own key (draft §3.1 step 3, RFC 8634
 * §3.1): the harness pre-publishes the SUT's next key in RTR (steps 1-2)
 * and triggers the switch through the profile's rekey action; dn1 and dn2
 * check what the SUT re-advertises. The SUT originates two prefixes and
 * forwards two from up1. */
#include "steps.h"

static int twilight_all(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	int64_t t;
	if (st_sut_twilight(ctx, 0, "the twilight after the SUT's key switch", &k0, &k1, &t) < 0)
		return -1;
	kr_metric(ctx, "twilight_duration", kr_ns_to_s(kr_now_ns() - t), "s");
	kr_metric(ctx, "twilight_updates",
		  (double)(kr_w_updates_since(ctx->w, KR_DN1, t) + kr_w_updates_since(ctx->w, KR_DN2, t)),
		  "UPDATEs");
	return 0;
}

static int no_old_key_after(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	int64_t t;
	if (st_sut_twilight(ctx, 0, "the twilight after the SUT's key switch", &k0, &k1, &t) < 0)
		return -1;
	int64_t switched = kr_now_ns();
	/* A route learnt after the switch must be signed with the new key. */
	struct kr_wkey *u0 = kr_w_key(ctx->w, KR_UP1, 0);
	if (!u0 || kr_w_announce(ctx->w, KR_UP1, P3, u0) < 0)
		return -1;
	if (st_present(ctx, KR_DOWNSTREAM, P3, kr_wkey_ski(k1), NULL, switched, KR_W_ANNOUNCE,
		       "a route learnt after the switch, signed with the new key") < 0)
		return -1;
	return st_not_signed_since(ctx, KR_DOWNSTREAM, k0, switched, "after the twilight completed, the old key");
}

/* The SUT rolls with a staggered twilight; every route re-signed at
 * every BGPsec observer within the staggers. *ms: the stagger asked. */
static int stagger_roll(struct kr_ctx *ctx, unsigned *ms, const char *all[ST_NOWN + 2])
{
	struct kr_wkey *k0, *k1;
	if (st_sut_setup(ctx, false, "shared", &k0, &k1) < 0)
		return -1;
	/* A few minutes per peer in real time (draft §3.1 step 3); when the
	 * times are judged, at least 300 ms so they stand out from scheduling
	 * noise; for completeness alone any real stagger does. */
	*ms = st_stagger_ms(ctx, ctx->c->level == KR_MUST ? 0.1 : 0.3);
	int64_t t = kr_now_ns();
	if (kr_w_sut_rekey(ctx->w, "shared", k1, *ms) < 0)
		return -1;
	if (ctx->c->level == KR_MUST)
		kr_judge(ctx, "the staggered twilight reaches every BGPsec peer with every route");
	st_all_prefixes(ctx, all);
	/* The last of the 4 BGPsec peers may be 3 staggers behind the first:
	 * give the twilight that long before judging it. */
	int64_t until = kr_w_deadline(ctx->w, KR_W_ANNOUNCE) + 4 * (int64_t)*ms * 1000000;
	char a[16], state[1024];
	for (size_t i = 0; i < ST_NOWN + 2; i++) {
		kr_expect(ctx, "staggered twilight: %s at dn1,dn2 re-advertised with the new key %s within %.2f s",
			  all[i], st_ski(kr_wkey_ski(k1), a), kr_ns_to_s(until - t));
		int rc = kr_w_wait_present(ctx->w, KR_DOWNSTREAM, all[i], kr_wkey_ski(k1), NULL, t, until);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			st_describe(ctx->w, KR_DOWNSTREAM, all[i], state, sizeof(state));
			return kr_fail(ctx, "%s", state);
		}
	}
	return 0;
}

static int staggered_all(struct kr_ctx *ctx)
{
	unsigned ms;
	const char *all[ST_NOWN + 2];
	return stagger_roll(ctx, &ms, all);
}

static int staggered_apart(struct kr_ctx *ctx)
{
	unsigned ms;
	const char *all[ST_NOWN + 2];
	if (stagger_roll(ctx, &ms, all) < 0)
		return -1;
	kr_judge(ctx, "the peers' twilight moments are staggered");
	int64_t first[2] = { INT64_MAX, INT64_MAX };
	for (int d = 0; d < 2; d++)
		for (size_t i = 0; i < ST_NOWN + 2; i++) {
			struct kr_wroute r;
			if (kr_w_route(ctx->w, d ? KR_DN2 : KR_DN1, all[i], &r) < 0)
				return -1;
			if (r.t_ns < first[d])
				first[d] = r.t_ns;
		}
	double gap = kr_ns_to_s(first[1] > first[0] ? first[1] - first[0] : first[0] - first[1]);
	double stagger_s = ms / 1000.0;
	kr_metric(ctx, "stagger_gap", gap, "s");
	kr_expect(ctx, "the twilight reaches dn1 and dn2 at least %.2f s apart (stagger %u ms asked)",
		  stagger_s / 2, ms);
	if (gap < stagger_s / 2)
		return kr_fail(ctx, "%.3f s apart", gap);
	return 0;
}

static const struct kr_case cases[] = {
	{ .id = "rollover/3.1-3/sut-1", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1 step 3",
	  .title = "after its key switch the SUT re-advertises every route to every BGPsec peer signed with the new key",
	  .req = "Twilight: every UPDATE the AS had signed with the old key, originated or transit, is re-signed with the new one",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY, .run = twilight_all, .per_family = true },
	{ .id = "rollover/3.1-3/sut-2", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8205 §4.2",
	  .title = "nothing is signed with the SUT's old key after the switch",
	  .req = "the BGP speaker stops using the OLD key for signing and starts using the NEW key",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY, .run = no_old_key_after, .per_family = true },
	{ .id = "rollover/3.1-3/sut-3", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1 step 3",
	  .title = "a staggered twilight still re-advertises every route to every BGPsec peer with the new key",
	  .req = "Twilight: every UPDATE signed with the old key is re-signed with the new one (REQUIRED), "
		 "whatever moment each peer's twilight has",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_STAGGER, .run = staggered_all,
	  .per_family = true },
	{ .id = "rollover/3.1-3/sut-4", .level = KR_SHOULD,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1 step 3",
	  .title = "a staggered twilight reaches each BGPsec peer at its own time",
	  .req = "the Twilight moment may be different for every peer in order to distribute the system load",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_STAGGER, .run = staggered_apart,
	  .per_family = true },
};

KR_SUITE(sut_rolls, "The SUT signs while it rolls (draft §3.1 step 3)", cases)
