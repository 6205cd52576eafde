/* The SUT signs while it rolls its own key (draft §3.1 step 3, RFC 8634
 * §3.1): the harness pre-publishes the SUT's next key in RTR (steps 1-2)
 * and triggers the switch through the profile's rekey action; every BGPsec
 * peer (up1, up2, dn1, dn2) checks what the SUT re-advertises. The SUT
 * originates two prefixes and forwards two from up1. */
#include <stdio.h>
#include <string.h>

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

/* Judged on every UPDATE the SUT sends after the switch, whatever caused
 * it (the twilight, a route learnt after the switch, a ROUTE-REFRESH),
 * and independently of whether a twilight happened at all (that is
 * sut-1). */
static int only_new_key_after(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_sut_setup(ctx, false, "shared", &k0, &k1) < 0)
		return -1;
	int64_t t = kr_now_ns();
	if (kr_w_sut_rekey(ctx->w, "shared", k1, 0) < 0)
		return -1;
	kr_judge(ctx, "every UPDATE the SUT sends after its key switch carries only the new key's signature");
	/* UPDATEs the switch itself does not cause: a route learnt after it ... */
	struct kr_wkey *u0 = kr_w_key(ctx->w, KR_UP1, 0);
	if (!u0 || kr_w_announce(ctx->w, KR_UP1, P3, u0) < 0)
		return -1;
	char state[1024];
	unsigned to3 = kr_w_receivers(KR_UP1);
	kr_expect(ctx, "a route learnt after the switch (%s from up1) reaches up2,dn1,dn2 within %.2f s", P3,
		  kr_w_deadline_s(ctx->w, KR_W_ANNOUNCE));
	int rc = kr_w_wait_announced(ctx->w, to3, P3, t, kr_w_deadline(ctx->w, KR_W_ANNOUNCE));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		st_describe(ctx->w, to3, P3, state, sizeof(state));
		return kr_fail_pre(ctx, "%s", state);
	}
	/* ... and the whole table sent again on request (RFC 2918) */
	const char *all[ST_NOWN + 2];
	st_all_prefixes(ctx, all);
	int64_t tr = kr_now_ns();
	unsigned asked = 0;
	for (int d = KR_UP1; d <= KR_DN2; d++) {
		int q = kr_w_route_refresh(ctx->w, (enum kr_peer)d);
		if (q < 0)
			return -1;
		asked |= q == 0 ? 1u << d : 0;
	}
	for (size_t i = 0; asked && i < ST_NOWN + 2; i++)
		if (kr_w_wait_announced(ctx->w, asked & ~kr_w_announcers(ctx->w, all[i]), all[i], tr,
					kr_w_deadline(ctx->w, KR_W_ANNOUNCE)) == 0)
			kr_log(ctx, "%s not sent again after ROUTE-REFRESH (judged on what arrived)", all[i]);
	if (st_sentinel(ctx, KR_BGPSEC_PEERS) < 0)
		return -1;
	char a[16], b[16];
	kr_expect(ctx, "every UPDATE at up1,up2,dn1,dn2 since the switch at +%.3f s signed by the SUT with its new key %s "
		       "only, never another (old key %s)",
		  kr_w_case_s(ctx->w, t), st_ski(kr_wkey_ski(k1), a), st_ski(kr_wkey_ski(k0), b));
	char obs[1024] = "";
	size_t off = 0, bad = 0;
	for (int d = KR_UP1; d <= KR_DN2; d++) {
		struct kr_wfirst f;
		size_t n = kr_w_signed_other_since(ctx->w, (enum kr_peer)d, kr_wkey_ski(k1), t, &f);
		if (!n)
			continue;
		bad += n;
		char story[160];
		kr_w_ski_story(ctx->w, f.ski, story, sizeof(story));
		bool old = !memcmp(f.ski, kr_wkey_ski(k0), KR_SKI_LEN);
		int k = snprintf(obs + off, sizeof(obs) - off, "%s%s: %zu UPDATE%s signed with another key, the "
				 "first %s at +%.3f s signed with %s%s", off ? "; " : "", kr_peer_name(d), n,
				 n == 1 ? "" : "s", f.prefix, kr_w_case_s(ctx->w, f.t_ns),
				 old ? "the old key " : "", story);
		off += k > 0 && (size_t)k < sizeof(obs) - off ? (size_t)k : 0;
	}
	if (bad)
		return kr_fail(ctx, "%s", obs);
	size_t nup = 0;
	for (int d = KR_UP1; d <= KR_DN2; d++)
		nup += kr_w_updates_since(ctx->w, (enum kr_peer)d, t);
	kr_metric(ctx, "updates_after_switch", (double)nup, "UPDATEs");
	return 0;
}

/* The SUT rolls with a staggered twilight; every route re-signed at
 * every BGPsec observer within the staggers. *ms: the stagger asked. */
static int stagger_roll(struct kr_ctx *ctx, unsigned *ms, const char *all[ST_NOWN + 2], int64_t *t_done)
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
	*t_done = kr_now_ns();
	if (ctx->c->level == KR_MUST)
		kr_judge(ctx, "the staggered twilight reaches every BGPsec peer with every route");
	st_all_prefixes(ctx, all);
	/* The last of the 4 BGPsec peers may be 3 staggers behind the first:
	 * give the twilight that long before judging it. */
	int64_t until = kr_w_deadline(ctx->w, KR_W_ANNOUNCE) + 4 * (int64_t)*ms * 1000000;
	char a[16], state[1024];
	for (size_t i = 0; i < ST_NOWN + 2; i++) {
		unsigned to = KR_BGPSEC_PEERS & ~kr_w_announcers(ctx->w, all[i]);
		kr_expect(ctx, "staggered twilight: %s at every BGPsec peer that has it (%s) re-advertised with "
			       "the new key %s within %.2f s", all[i], to & (1u << KR_UP1) ? "up1,up2,dn1,dn2"
											: "up2,dn1,dn2",
			  st_ski(kr_wkey_ski(k1), a), kr_ns_to_s(until - t));
		int rc = kr_w_wait_present(ctx->w, to, all[i], kr_wkey_ski(k1), NULL, t, until);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			st_describe(ctx->w, to, all[i], state, sizeof(state));
			return kr_fail(ctx, "%s", state);
		}
	}
	return 0;
}

static int staggered_all(struct kr_ctx *ctx)
{
	unsigned ms;
	int64_t td;
	const char *all[ST_NOWN + 2];
	return stagger_roll(ctx, &ms, all, &td);
}

static int staggered_apart(struct kr_ctx *ctx)
{
	unsigned ms;
	int64_t td;
	const char *all[ST_NOWN + 2];
	if (stagger_roll(ctx, &ms, all, &td) < 0)
		return -1;
	kr_judge(ctx, "the peers' twilight moments are staggered");
	/* each peer's twilight moment: its first re-signed route */
	int64_t first[KR_EXA];
	for (int d = KR_UP1; d <= KR_DN2; d++) {
		first[d] = INT64_MAX;
		for (size_t i = 0; i < ST_NOWN + 2; i++) {
			struct kr_wroute r;
			if (kr_w_announcers(ctx->w, all[i]) & (1u << d))
				continue;
			if (kr_w_route(ctx->w, (enum kr_peer)d, all[i], &r) < 0)
				return -1;
			if (r.t_ns < first[d])
				first[d] = r.t_ns;
		}
	}
	/* A twilight that comes with the switch itself arrives while the
	 * harness is busy running the rekey action: its receipt time says
	 * nothing precise. The moments judged are those after the action
	 * returned; a SUT that does not stagger has at most one of them. */
	double stagger_s = ms / 1000.0, gap = 1e9;
	int ga = 0, gb = 0, nlater = 0;
	for (int d = KR_UP1; d <= KR_DN2; d++)
		nlater += first[d] >= td;
	kr_expect(ctx, "the twilight reaches the BGPsec peers at their own moments: after the rekey action "
		       "returned, at least two of up1, up2, dn1, dn2 re-advertised to, each at least %.2f s apart "
		       "(stagger %u ms asked)", stagger_s / 2, ms);
	if (nlater < 2) {
		char when[256];
		size_t off = 0;
		for (int d = KR_UP1; d <= KR_DN2 && off < sizeof(when); d++) {
			int k = snprintf(when + off, sizeof(when) - off, "%s%s at +%.3f s", off ? ", " : "",
					 kr_peer_name(d), kr_w_case_s(ctx->w, first[d]));
			off += k > 0 ? (size_t)k : 0;
		}
		return kr_fail(ctx, "%d of them after the action returned at +%.3f s (%s)", nlater,
			       kr_w_case_s(ctx->w, td), when);
	}
	for (int a = KR_UP1; a <= KR_DN2; a++)
		for (int b = a + 1; b <= KR_DN2; b++) {
			if (first[a] < td || first[b] < td)
				continue;
			double g = kr_ns_to_s(first[a] > first[b] ? first[a] - first[b] : first[b] - first[a]);
			if (g < gap) {
				gap = g;
				ga = a;
				gb = b;
			}
		}
	kr_metric(ctx, "stagger_gap", gap, "s");
	if (gap < stagger_s / 2)
		return kr_fail(ctx, "%s and %s only %.3f s apart (at +%.3f s and +%.3f s)", kr_peer_name(ga),
			       kr_peer_name(gb), gap, kr_w_case_s(ctx->w, first[ga]), kr_w_case_s(ctx->w, first[gb]));
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
	  .title = "every UPDATE the SUT sends after its key switch carries only the new key's signature",
	  .req = "the BGP speaker stops using the OLD key for signing and starts using the NEW key: every UPDATE "
		 "it sends afterwards (re-advertised, newly learnt, refreshed) is signed with the new key",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY, .run = only_new_key_after, .per_family = true },
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
