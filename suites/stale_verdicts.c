/* Stale verdicts (RFC 8205 §5): a validation verdict holds only for the
 * router keys of its moment. The same UPDATE bytes arriving again, after
 * a BGP session reset, after their key went and came back, or after the
 * SUT's RTR session was reset, are judged on the keys the SUT has then; a
 * session reset in the middle of a twilight (the peer's or the SUT's own)
 * leaves nothing of what was learnt or signed before it. */
#include <string.h>

#include "steps.h"

#define RFC8205_5 "RFC 8205 §5, §5.2"

/* up resets its session; the SUT must withdraw what it had learnt on it
 * (RFC 4271 §8.2.2: the routes of a closed connection are deleted), which
 * also shows that the SUT has seen the reset. */
static int reset_seen(struct kr_ctx *ctx, enum kr_peer up, const char *const *gone, size_t n)
{
	if (kr_w_peer_down(ctx->w, up) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (st_absent(ctx, KR_DOWNSTREAM, gone[i], KR_W_WITHDRAW,
			      "routes learnt on the reset session are withdrawn") < 0)
			return -1;
	return 0;
}

/* (a) Not Valid, session reset, key published, the same bytes again. */
static int after_session_reset(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P2, k0, KR_DOWNSTREAM) < 0)
		return -1;
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0 ||
	    st_not_propagated(ctx, KR_DOWNSTREAM, P1, "route signed with a key not yet published") < 0)
		return -1;
	const char *gone[] = { P2 };
	if (reset_seen(ctx, KR_UP1, gone, 1) < 0)
		return -1;
	kr_log(ctx, "while the session is down the cache publishes %s", kr_wkey_name(k1));
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_rtr_barrier(ctx->w) < 0)
		return -1;
	int64_t t = kr_now_ns();
	if (kr_w_peer_up(ctx->w, KR_UP1, true) < 0)
		return -1;
	kr_judge(ctx, "the same UPDATE after the session reset is judged on the keys the SUT has now");
	return st_present(ctx, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k1), t, KR_W_ANNOUNCE,
			  "the same UPDATE after the reset, its key published meanwhile, is Valid");
}

/* (b) Valid, key withdrawn: the same bytes are Not Valid; key announced
 * again: the same bytes are Valid again. */
static int key_gone_and_back(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	/* k1 stays published: sentinels behind up1's UPDATEs need a key */
	if (kr_w_publish(ctx->w, k1) < 0 || st_announce_seen(ctx, KR_UP1, P1, k0, KR_DOWNSTREAM) < 0)
		return -1;
	struct kr_bytes msg = { 0 };
	int rc = -1;
	if (kr_w_sent_update(ctx->w, KR_UP1, P1, &msg) < 0)
		goto out;
	if (kr_w_withdraw(ctx->w, KR_UP1, P1) < 0 ||
	    st_absent(ctx, KR_DOWNSTREAM, P1, KR_W_WITHDRAW, "withdrawal by the origin") < 0)
		goto out;
	if (kr_w_unpublish(ctx->w, k0) < 0)
		goto out;
	kr_judge(ctx, "the same UPDATE is judged on the keys of the moment: Not Valid while its key is "
		      "withdrawn, Valid once it is back");
	if (kr_w_send_raw(ctx->w, KR_UP1, msg.p, msg.len) < 0)
		goto out;
	if (st_not_propagated(ctx, KR_DOWNSTREAM, P1, "the same UPDATE while its key is withdrawn is Not Valid") < 0)
		goto out;
	if (kr_w_withdraw(ctx->w, KR_UP1, P1) < 0)
		goto out;
	kr_log(ctx, "the cache announces %s again", kr_wkey_name(k0));
	if (kr_w_publish(ctx->w, k0) < 0 || kr_w_rtr_barrier(ctx->w) < 0)
		goto out;
	int64_t t = kr_now_ns();
	if (kr_w_send_raw(ctx->w, KR_UP1, msg.p, msg.len) < 0)
		goto out;
	rc = st_present(ctx, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k0), t, KR_W_ANNOUNCE,
			"the same UPDATE once its key is announced again is Valid");
out:
	kr_bytes_free(&msg);
	return rc;
}

/* (c) The SUT's RTR session is reset (Cache Reset) with data that add
 * one key and drop another: the same bytes are judged on the new data. */
static int after_rtr_reset(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	struct kr_wkey *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!q0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P2, k0, KR_DOWNSTREAM) < 0)
		return -1;
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0 ||
	    st_not_propagated(ctx, KR_DOWNSTREAM, P1, "route signed with a key not yet published") < 0)
		return -1;
	struct kr_bytes m1 = { 0 }, m2 = { 0 };
	int rc = -1;
	if (kr_w_sent_update(ctx->w, KR_UP1, P1, &m1) < 0 || kr_w_sent_update(ctx->w, KR_UP1, P2, &m2) < 0)
		goto out;
	if (kr_w_withdraw(ctx->w, KR_UP1, P1) < 0 || kr_w_withdraw(ctx->w, KR_UP1, P2) < 0 ||
	    st_absent(ctx, KR_DOWNSTREAM, P2, KR_W_WITHDRAW, "withdrawal by the origin") < 0)
		goto out;
	kr_log(ctx, "Cache Reset: the cache's data gain %s and lose %s", kr_wkey_name(k1), kr_wkey_name(k0));
	struct kr_wkey *keep[] = { q0, k1 };
	/* the reset applied by the SUT (barrier) before the replay */
	if (kr_w_rtr_reset_keep(ctx->w, keep, 2, false) < 0 || kr_w_rtr_barrier(ctx->w) < 0)
		goto out;
	kr_judge(ctx, "the same UPDATEs after the RTR reset are judged on the cache's new data");
	int64_t t = kr_now_ns();
	if (kr_w_send_raw(ctx->w, KR_UP1, m1.p, m1.len) < 0 || kr_w_send_raw(ctx->w, KR_UP1, m2.p, m2.len) < 0)
		goto out;
	if (st_present(ctx, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k1), t, KR_W_ANNOUNCE,
		       "the same UPDATE after the RTR reset brought its key is Valid") < 0)
		goto out;
	rc = st_not_propagated(ctx, KR_DOWNSTREAM, P2, "the same UPDATE after the RTR reset took its key away is Not Valid");
out:
	kr_bytes_free(&m1);
	kr_bytes_free(&m2);
	return rc;
}

/* The peer's twilight is cut by a session reset: what it learnt before
 * goes with the session; what comes after, re-signed, stays when the old
 * key is withdrawn. */
static int reset_in_peer_twilight(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, KR_DOWNSTREAM) < 0 ||
	    st_announce_seen(ctx, KR_UP1, P2, k0, KR_DOWNSTREAM) < 0)
		return -1;
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	int64_t t = kr_now_ns();
	kr_log(ctx, "step 3: up1 starts its twilight with %s", P1);
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0 ||
	    st_present(ctx, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k1), t, KR_W_ANNOUNCE,
		       "twilight re-advertisement") < 0)
		return -1;
	const char *gone[] = { P1, P2 };
	kr_judge(ctx, "a session reset in the middle of the peer's twilight leaves nothing of what was learnt "
		      "before it");
	if (reset_seen(ctx, KR_UP1, gone, 2) < 0)
		return -1;
	/* back: up1 sends its routes as they were (P2 still under the old
	 * key), then completes its twilight */
	int64_t tu = kr_now_ns();
	if (kr_w_peer_up(ctx->w, KR_UP1, true) < 0 || kr_w_announce(ctx->w, KR_UP1, P2, k1) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (st_present(ctx, KR_DOWNSTREAM, gone[i], NULL, kr_wkey_ski(k1), tu, KR_W_ANNOUNCE,
			       "after the reset the routes are back, signed with the new key") < 0)
			return -1;
	size_t b1[KR_NPEERS], b2[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P2, b2);
	kr_log(ctx, "step 5: the cache withdraws %s", kr_wkey_name(k0));
	if (kr_w_unpublish(ctx->w, k0) < 0)
		return -1;
	if (st_stayed(ctx, KR_DOWNSTREAM, P1, b1, "nothing signed with the old key survived the reset") < 0)
		return -1;
	return st_stayed(ctx, KR_DOWNSTREAM, P2, b2, "nothing signed with the old key survived the reset");
}

/* The SUT's staggered twilight is cut by dn2's session reset: dn2 comes
 * back to the new key only. */
static int reset_in_sut_twilight(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	int64_t t0;
	/* dn2's twilight (the last BGPsec peer's) is still pending when its
	 * session comes back */
	if (st_sut_twilight(ctx, st_stagger_ms(ctx, 0.3), NULL, &k0, &k1, &t0) < 0 || kr_w_peer_down(ctx->w, KR_DN2) < 0)
		return -1;
	int64_t t = kr_now_ns();
	if (kr_w_peer_up(ctx->w, KR_DN2, false) < 0)
		return -1;
	kr_judge(ctx, "dn2, back in the middle of the SUT's twilight, gets the new key only");
	const char *all[ST_NOWN + 2];
	st_all_prefixes(ctx, all);
	for (size_t i = 0; i < ST_NOWN + 2; i++)
		if (st_present(ctx, 1u << KR_DN2, all[i], kr_wkey_ski(k1), NULL, t, KR_W_ANNOUNCE,
			       "dn2, back in the middle of the twilight, gets the new key") < 0)
			return -1;
	return st_not_signed_since(ctx, 1u << KR_DN2, k0, t, "dn2 after its session came back, the old key");
}

static const struct kr_case cases[] = {
	{ .id = "stale/8205-5/1", .level = KR_MUST, .spec = RFC8205_5 "; RFC 4271 §8.2.2",
	  .title = "the same Not Valid UPDATE after a BGP session reset, its key published meanwhile, is Valid",
	  .req = "a verdict holds for the keys of its moment: an UPDATE is validated when it arrives, "
		 "against the router keys the SUT has then",
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = after_session_reset },
	{ .id = "stale/8205-5/2", .level = KR_MUST, .spec = RFC8205_5 "; RFC 8210 §5.10",
	  .title = "the same UPDATE is Not Valid while its key is withdrawn and Valid once the key is back",
	  .req = "a verdict holds for the keys of its moment, in both directions",
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = key_gone_and_back },
	{ .id = "stale/8210-5.3/1", .level = KR_MUST, .spec = RFC8205_5 "; RFC 8210 §5.3, §8.3",
	  .title = "the same UPDATEs after the SUT's RTR session was reset are judged on the cache's new data",
	  .req = "after a Cache Reset the router's data is what the cache sends again; verdicts follow it",
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = after_rtr_reset },
	{ .id = "stale/3.1-3/1", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 4271 §8.2.2; RFC 8205 §5",
	  .title = "a BGP session reset in the middle of the peer's twilight: its routes go with the session, "
		   "come back re-signed and stay when the old key is withdrawn",
	  .req = "the routes of a closed connection are deleted; what the peer sends again is validated anew",
	  .needs = KR_NEED_BGPSEC, .per_family = true, .run = reset_in_peer_twilight },
	{ .id = "stale/3.1-3/sut-1", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8205 §4.2",
	  .title = "a BGP session reset in the middle of the SUT's staggered twilight: the peer comes back to "
		   "the new key only",
	  .req = "after the switch the speaker stops using the OLD key; a session that starts later is "
		 "signed with the NEW key",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_STAGGER, .per_family = true,
	  .run = reset_in_sut_twilight },
};

KR_SUITE(stale_verdicts, "Stale verdicts and session resets (RFC 8205 §5)", cases)
