/* Key rollover as the defence against replays
 * (draft-rogaglia-sidr-bgpsec-rollover-01 §4, RFC 8634 §4, RFC 8205 §8.4).
 * up1 announces P1 signed with its key k0; the harness keeps that UPDATE
 * exactly as it went on the wire; up1 rolls to k1 and then withdraws P1
 * (the topology changed); the old UPDATE is replayed into the SUT. */
#include <string.h>

#include "steps.h"

#define DRAFT4 "draft-rogaglia-sidr-bgpsec-rollover-01 §4.2; RFC 8634 §4"

/* Up to the replay: returns the captured UPDATE in *old. *t_twilight:
 * when up1 switched to k1. */
static int setup(struct kr_ctx *ctx, struct kr_bytes *old, struct kr_wkey **k0, int64_t *t_twilight)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	*k0 = kr_w_key(ctx->w, KR_UP1, 0);
	struct kr_wkey *k1 = kr_w_key(ctx->w, KR_UP1, 1);
	if (!*k0 || !k1)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, *k0, KR_BGPSEC_PEERS) < 0)
		return -1;
	if (kr_w_captured_update(ctx->w, KR_UP1, P1, old) < 0)
		return -1;
	/* Only one UPDATE for P1 went out so far: the capture must hold
	 * exactly its bytes, or the replay would prove nothing. */
	struct kr_bytes sent = { 0 };
	int same = kr_w_sent_update(ctx->w, KR_UP1, P1, &sent) == 0 && sent.len == old->len &&
		   !memcmp(sent.p, old->p, old->len);
	kr_bytes_free(&sent);
	if (!same)
		return kr_error(ctx, "the capture of the up1 link disagrees with what up1 sent");
	kr_log(ctx, "captured the %zu-octet UPDATE for %s signed with %s", old->len, P1, kr_wkey_name(*k0));
	if (kr_w_publish(ctx->w, k1) < 0 || kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	*t_twilight = kr_now_ns();
	if (kr_w_announce(ctx->w, KR_UP1, P1, k1) < 0)
		return -1;
	if (st_present(ctx, KR_BGPSEC_PEERS, P1, NULL, kr_wkey_ski(k1), *t_twilight, KR_W_ANNOUNCE,
		       "twilight re-advertisement") < 0)
		return -1;
	kr_log(ctx, "up1 withdraws %s (topology change)", P1);
	if (kr_w_withdraw(ctx->w, KR_UP1, P1) < 0)
		return -1;
	return st_absent(ctx, KR_BGPSEC_PEERS, P1, KR_W_WITHDRAW, "withdrawal by the origin");
}

static int replay_after_withdrawal(struct kr_ctx *ctx)
{
	struct kr_bytes old = { 0 };
	struct kr_wkey *k0;
	int64_t tt;
	int rc = -1;
	if (setup(ctx, &old, &k0, &tt) < 0)
		goto out;
	if (kr_w_revoke(ctx->w, k0) < 0 || kr_w_unpublish(ctx->w, k0) < 0)
		goto out;
	kr_judge(ctx, "the SUT's verdict on the replayed UPDATE");
	kr_log(ctx, "replaying the captured UPDATE after the RTR withdrawal of %s", kr_wkey_name(k0));
	if (kr_w_send_raw(ctx->w, KR_UP1, old.p, old.len) < 0)
		goto out;
	rc = st_not_propagated(ctx, KR_BGPSEC_PEERS, P1, "replayed UPDATE signed with the withdrawn key");
out:
	kr_bytes_free(&old);
	return rc;
}

static int replay_in_window(struct kr_ctx *ctx)
{
	struct kr_bytes old = { 0 };
	struct kr_wkey *k0;
	int64_t tt;
	int rc = -1;
	if (setup(ctx, &old, &k0, &tt) < 0)
		goto out;
	kr_log(ctx, "replaying the captured UPDATE while %s is still published", kr_wkey_name(k0));
	if (kr_w_send_raw(ctx->w, KR_UP1, old.p, old.len) < 0)
		goto out;
	int acc = kr_w_wait_present(ctx->w, kr_w_receivers(KR_UP1), P1, NULL, kr_wkey_ski(k0), 0,
				    kr_w_deadline(ctx->w, KR_W_ANNOUNCE));
	if (acc < 0)
		goto out;
	/* Inside the window nothing in the protocol can tell the replay from
	 * the original: acceptance is the documented exposure, reported as
	 * a metric, not a failure. */
	kr_metric(ctx, "replay_accepted_in_window", acc ? 1 : 0, "");
	if (!acc) {
		kr_log(ctx, "the SUT did not accept the replay inside the window");
		rc = 0;
		goto out;
	}
	int64_t tw = kr_now_ns();
	kr_judge(ctx, "the replayed route goes once the cache withdraws the old key");
	if (kr_w_revoke(ctx->w, k0) < 0 || kr_w_unpublish(ctx->w, k0) < 0)
		goto out;
	if (st_absent(ctx, KR_BGPSEC_PEERS, P1, KR_W_RTR, "replayed route once the cache withdrew the old key") < 0)
		goto out;
	int64_t closed = kr_now_ns();
	kr_metric(ctx, "replay_window_close", kr_ns_to_s(closed - tw), "s");
	kr_metric(ctx, "replay_window", kr_ns_to_s(closed - tt), "s");
	rc = 0;
out:
	kr_bytes_free(&old);
	return rc;
}

static const struct kr_case cases[] = {
	{ .id = "replay/4/1", .level = KR_MUST, .spec = DRAFT4 "; RFC 8205 §8.4",
	  .title = "an UPDATE captured before the rollover and replayed after the RTR withdrawal does not validate",
	  .req = "re-keying lets the certificate validity act as the timestamp against replays: "
		 "UPDATEs signed with the old key become invalid",
	  .needs = KR_NEED_BGPSEC, .run = replay_after_withdrawal, .per_family = true },
	{ .id = "replay/4/2", .level = KR_MUST, .spec = DRAFT4,
	  .title = "a replay inside the window is accepted and reported, and withdrawn once the cache withdraws the old key",
	  .req = "the replay window is bounded by the RPKI withdrawal of the old key (replay_window metric)",
	  .needs = KR_NEED_BGPSEC, .run = replay_in_window, .per_family = true },
};

KR_SUITE(replay, "Replay protection by rollover (draft §4)", cases)
