/* The SUT as an RTR client (RFC 8210): it must speak version 1, the only
 * one with Router Key PDUs (§5.10, §7); how fast it follows a Serial
 * Notify is measured (§5.2 lets it query at once, it need not); an Error
 * Report from the cache ends the RTR session (§12) but not the data,
 * which the router keeps until its Expire Interval (§6). */
#include "wire/rtr_pdu.h"
#include "steps.h"

/* Serial Notify -> Serial Query -> the route it validates on the wire. */
static void notify_metrics(struct kr_ctx *ctx)
{
	struct kr_world *w = ctx->w;
	struct kr_wkey *k1 = kr_w_key(w, KR_UP1, 1);
	/* no verdict here (other cases judge these steps): without them the
	 * metrics are just not measured */
	struct kr_wroute r;
	if (!k1 || kr_w_announce(w, KR_UP1, P1, k1) < 0 || kr_w_sentinel(w, KR_DOWNSTREAM) != 1 ||
	    kr_w_route(w, KR_DN1, P1, &r) < 0 || r.present) {
		kr_log(ctx, "set-up for the Serial Notify metrics did not hold: not measured");
		return;
	}
	int64_t t0 = kr_now_ns();
	if (kr_w_publish_nowait(w, k1) < 0)
		return;
	int rc = kr_w_wait_present(w, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k1), 0,
				   kr_w_deadline(w, KR_W_RTR));
	int64_t tn = kr_w_rtr_pdu_time(w, false, KR_RTR_SERIAL_NOTIFY, t0);
	int64_t tq = tn ? kr_w_rtr_pdu_time(w, true, KR_RTR_SERIAL_QUERY, tn) : 0;
	int64_t tr = tn ? kr_w_rtr_pdu_time(w, true, KR_RTR_RESET_QUERY, tn) : 0;
	if (tr && (!tq || tr < tq))
		tq = tr;
	if (tn && tq)
		kr_metric(ctx, "notify_to_query", kr_ns_to_s(tq - tn), "s");
	else
		kr_log(ctx, "no query after the Serial Notify: notify_to_query not measured "
			    "(RFC 8210 §5.2: the router MAY query at once)");
	if (rc != 1 || !tn) {
		kr_log(ctx, "%s not valid downstream in time: notify_to_wire not measured", P1);
		return;
	}
	int64_t last = 0;
	for (int d = KR_DN1; d <= KR_DN2; d++) {
		if (kr_w_route(w, (enum kr_peer)d, P1, &r) == 0 && r.t_ns > last)
			last = r.t_ns;
	}
	kr_metric(ctx, "notify_to_wire", kr_ns_to_s(last - tn), "s");
}

static int speaks_v1(struct kr_ctx *ctx)
{
	/* judged before any key is needed: a version-0 client has none */
	struct kr_world_cfg cfg = { .no_rtr_barrier = true };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	unsigned v[3];
	if (kr_w_rtr_versions(ctx->w, v) < 0)
		return -1;
	kr_judge(ctx, "the RTR protocol version the SUT speaks");
	kr_expect(ctx, "every RTR PDU the SUT sends carries protocol version 1 (RFC 8210 §7): "
		       "only version 1 has Router Key PDUs (§5.10)");
	if (v[0] || v[2] || !v[1])
		return kr_fail(ctx, "%u PDU%s of version 0, %u of version 1, %u of another version%s", v[0],
			       v[0] == 1 ? "" : "s", v[1], v[2],
			       v[0] && !v[1] ? ": a version-0 (RFC 6810) router can receive no router keys, "
					       "so it can validate no BGPsec signature" : "");
	kr_log(ctx, "the SUT sent %u RTR PDUs, all of version 1", v[1]);
	/* the metrics start once the SUT has applied the keys */
	kr_precondition(ctx);
	if (kr_w_rtr_barrier(ctx->w) < 0)
		return -1;
	notify_metrics(ctx);
	return 0;
}

/* RFC 8210 §6 timers, nominal, compressed by --time-scale: a Retry of a
 * second at most, so the SUT reconnects soon after the error. */
#define NOM_REFRESH 3600.0
#define NOM_RETRY 600.0
#define NOM_EXPIRE 7200.0

static int error_report_keeps(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up_two_origins(ctx, &cfg, KR_BGPSEC_PEERS) < 0)
		return -1;
	/* Expire well beyond the reconnection: keys must outlive the error */
	struct kr_rtr_timers t;
	if (kr_w_rtr_timers(ctx->w, NOM_REFRESH, NOM_RETRY, NOM_EXPIRE, 4, &t) < 0)
		return -1;
	size_t b1[KR_NPEERS], b2[KR_NPEERS];
	st_withdrawals(ctx->w, P1, b1);
	st_withdrawals(ctx->w, P2, b2);
	int64_t te;
	if (kr_w_rtr_error_report(ctx->w, KR_RTR_E_INTERNAL, &te) < 0)
		return -1;
	kr_judge(ctx, "after the cache's Error Report the routes signed with its keys stay");
	int rc = kr_w_rtr_wait_reconnected(ctx->w, te);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		kr_metric(ctx, "reconnect_after_error", kr_ns_to_s(kr_now_ns() - te), "s");
	} else {
		kr_log(ctx, "the SUT did not reconnect within %u s (Retry): judged before Expire (%u s)",
		       t.retry, t.expire);
	}
	if (st_stayed(ctx, KR_BGPSEC_PEERS, P1, b1, "route signed with a key of the cache after its Error Report") < 0)
		return -1;
	return st_stayed(ctx, KR_BGPSEC_PEERS, P2, b2, "route signed with a key of the cache after its Error Report");
}

static const struct kr_case cases[] = {
	{ .id = "rtr/8210-7/1", .level = KR_MUST, .spec = "RFC 8210 §7, §5.10, §1.2; RFC 8205 §5.2",
	  .title = "the SUT's RTR client speaks version 1, the only version that carries router keys "
		   "(metrics: Serial Notify to query and to the reaction on the wire)",
	  .req = "a BGPsec router gets router keys from Router Key PDUs, which exist in RTR version 1 only; "
		 "the router's first query announces its version",
	  /* about the RTR client alone, no route family in it: one run */
	  .needs = KR_NEED_BGPSEC, .run = speaks_v1 },
	{ .id = "rtr/8210-5.11/1", .level = KR_SHOULD, .spec = "RFC 8210 §5.11, §12, §6, §10",
	  .title = "an Error Report from the cache ends the RTR session but keeps the keys: no route is withdrawn",
	  .req = "a fatal error drops the session (§12); the data may still be used until the Expire "
		 "Interval (§6), and the router keeps the old data until it has a complete new set (§10)",
	  .needs = KR_NEED_BGPSEC, .run = error_report_keeps, .per_family = true },
};

KR_SUITE(rtr_client, "The SUT as an RTR client (RFC 8210)", cases)
