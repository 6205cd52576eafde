/* The SUT restarts (profile capability `restart`: its `stop` action or
 * SIGTERM, then `start` from the same configuration). After its twilight
 * it must come back signing with the new key only (the old one is out of
 * use, draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3), and it must
 * validate everything anew from what the cache holds then (RFC 8205 §5),
 * also when routes come back before keys. */
#include "steps.h"

static int new_key_only(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	int64_t t;
	if (st_sut_twilight(ctx, 0, NULL, &k0, &k1, &t) < 0)
		return -1;
	kr_log(ctx, "the SUT restarts after its twilight");
	if (kr_w_sut_halt(ctx->w) < 0)
		return -1;
	int64_t tr = kr_now_ns();
	if (kr_w_sut_restart(ctx->w) < 0)
		return -1;
	kr_judge(ctx, "after the restart every route is signed with the new key, never with the old one");
	const char *all[ST_NOWN + 2];
	st_all_prefixes(ctx, all);
	if (st_all_resigned(ctx, all, ST_NOWN + 2, k1, tr, "after the restart every route is signed with the new key") < 0)
		return -1;
	kr_metric(ctx, "restart_to_routes", kr_ns_to_s(kr_now_ns() - tr), "s");
	return st_not_signed_since(ctx, KR_BGPSEC_PEERS, k0, tr, "after the restart, the old key");
}

static int revalidates_from_cache(struct kr_ctx *ctx)
{
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	struct kr_wkey *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!q0 || kr_w_publish(ctx->w, k1) < 0 || kr_w_rtr_barrier(ctx->w) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k1, KR_BGPSEC_PEERS) < 0 ||
	    st_announce_seen(ctx, KR_UP1, P2, k0, KR_BGPSEC_PEERS) < 0 ||
	    st_announce_seen(ctx, KR_UP2, P3, q0, KR_BGPSEC_PEERS) < 0)
		return -1;
	/* the cache will answer the restarted SUT late (and says so now, so
	 * that a cache without the verb SKIPs before the restart) */
	if (kr_w_rtr_defer(ctx->w, true) < 0 || kr_w_sut_halt(ctx->w) < 0)
		return -1;
	kr_log(ctx, "while the SUT is down the cache withdraws %s; once it is back the cache answers late",
	       kr_wkey_name(k0));
	if (kr_w_unpublish(ctx->w, k0) < 0)
		return -1;
	int64_t tr = kr_now_ns();
	if (kr_w_sut_restart(ctx->w) < 0)
		return -1;
	/* the SUT has taken the routes in, without keys, before the cache answers */
	for (int u = KR_UP1; u <= KR_UP2; u++) {
		int sr = kr_w_plain_sentinel(ctx->w, (enum kr_peer)u, KR_DOWNSTREAM);
		if (sr < 0)
			return -1;
		if (sr == 0) {
			kr_expect(ctx, "an unsigned route from %s reaches dn1 and dn2 within %.2f s after the restart",
				  kr_peer_name((enum kr_peer)u), kr_w_deadline_s(ctx->w, KR_W_ANNOUNCE));
			return kr_fail(ctx, "it did not arrive");
		}
	}
	if (kr_w_rtr_defer(ctx->w, false) < 0)
		return -1;
	int rc = kr_w_rtr_wait_reconnected(ctx->w, tr);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		kr_expect(ctx, "the restarted SUT's RTR client synchronises within %.2f s of the cache's answer",
			  kr_w_deadline_s(ctx->w, KR_W_RTR));
		return kr_fail(ctx, "no synchronised RTR connection from the SUT");
	}
	kr_judge(ctx, "after the restart the SUT validates with what the cache holds now");
	if (st_present(ctx, KR_BGPSEC_PEERS, P1, NULL, kr_wkey_ski(k1), tr, KR_W_RTR,
		       "a route that came before the keys is Valid once they are there") < 0 ||
	    st_present(ctx, KR_BGPSEC_PEERS, P3, NULL, kr_wkey_ski(q0), tr, KR_W_RTR,
		       "a route that came before the keys is Valid once they are there") < 0)
		return -1;
	return st_not_propagated(ctx, KR_BGPSEC_PEERS, P2, "a route signed with a key withdrawn while the SUT was down");
}

static const struct kr_case cases[] = {
	{ .id = "restart/3.1-3/1", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1; RFC 8205 §4.2",
	  .title = "restarted after its twilight, the SUT signs every route with the new key only",
	  .req = "the BGP speaker stops using the OLD key for signing; a restart must not bring it back",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_RESTART, .per_family = true,
	  .own_sut = true, .run = new_key_only },
	{ .id = "restart/8205-5/1", .level = KR_MUST, .spec = "RFC 8205 §5, §5.2; RFC 8210 §8.1",
	  .title = "restarted, the SUT validates everything anew from the cache: keys withdrawn while it was "
		   "down are gone, routes that came before the keys become Valid",
	  .req = "validation uses the router keys the SUT holds now; when RPKI data change, affected UPDATEs "
		 "are validated again",
	  .needs = KR_NEED_BGPSEC | KR_NEED_RESTART, .per_family = true,
	  .own_sut = true, .run = revalidates_from_cache },
};

KR_SUITE(restart, "The SUT restarts (draft §3.1 step 3, RFC 8205 §5)", cases)
