/* Rollover at Internet scale (RFC 8634 §3.1 on its cost; issue 14): the
 * table of the run (--routes N, --table dfz; run/world_table.h) comes in
 * from up1 and up2 and the rollover events act on all of it at once.
 * Deadlines follow the profile's declared rates (verify_per_s, sign_per_s,
 * updates_per_s) and its max_routes caps the table. These cases are opt-in:
 * they run when a filter names them; each gets a SUT of its own (a table
 * left in a run-long SUT would change what the next case measures).
 *
 * dn1 and dn2 check every route's BGPsec_PATH form and keys and verify
 * every signature of a deterministic sample (run/observer.h, compact
 * mode); exa is a harness speaker without BGPsec (a plain peer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/world_table.h"
#include "steps.h"

#define OBS (KR_DOWNSTREAM | (1u << KR_EXA))
enum { T_ALL = 1, T_GONE = 1, T_STAY = 2 };

static uint8_t tag_all(const struct kr_table_route *r, uint32_t i, void *arg) { return T_ALL; }
static int gen0(const struct kr_table_route *r, uint32_t i, void *arg) { return 0; }
static int gen1(const struct kr_table_route *r, uint32_t i, void *arg) { return 1; }

struct phase {
	const char *name;   /* metric prefix */
	struct kr_wt_cpu cpu;
	int64_t t0;
	double deadline_s;
	char why[400];
};

static void phase_start(struct kr_ctx *ctx, struct phase *ph, const char *name, const struct kr_wt_work *wk)
{
	ph->name = name;
	ph->deadline_s = kr_w_table_deadline_s(ctx->w, wk, ph->why, sizeof ph->why);
	kr_w_cpu_mark(ctx->w, &ph->cpu);
	ph->t0 = kr_now_ns();
}

static int64_t phase_deadline(const struct phase *ph) { return ph->t0 + (int64_t)(ph->deadline_s * 1e9); }

/* For the sentinels after a wave: a SUT that sends the wave again (a
 * defect the case judges once they are through) gets as long again from
 * now, so the verdict is about what it sent, not a missed precondition. */
static int64_t sentinel_deadline(const struct phase *ph) { return kr_now_ns() + (int64_t)(ph->deadline_s * 1e9); }

/* Latest time the match count grew at the observers of mask. */
static int64_t last_matched(struct kr_world *w, unsigned mask, uint8_t tag)
{
	int64_t t = 0;
	for (int p = 0; p < KR_NPEERS; p++)
		if (mask & (1u << p)) {
			const struct kr_obs_tagstat *s = kr_w_tagstat(w, (enum kr_peer)p, tag);
			if (s && s->t_matched > t)
				t = s->t_matched;
		}
	return t;
}

/* FAIL with the counts, and the signature checks when some failed. */
static int fail_state(struct kr_ctx *ctx, const struct phase *ph, unsigned mask, uint8_t tag, const char *ex)
{
	char state[1024], sig[600];
	kr_w_table_describe(ctx->w, mask, tag, state, sizeof state);
	uint64_t bad = kr_w_sig_metrics(ctx->w, sig, sizeof sig);
	if (bad) /* whenever it happens, a signature that fails is the SUT's failure */
		kr_judge(ctx, "every signature the SUT sends verifies (RFC 8205 §4.2)");
	return kr_fail(ctx, "after %.1f s: %s%s%s%s%s", kr_ns_to_s(kr_now_ns() - ph->t0), state, ex[0] ? "; " : "",
		       ex, bad ? "; " : "", bad ? sig : "");
}

/* Wait for a goal; on the deadline, FAIL with the counts. */
static int wait_goal(struct kr_ctx *ctx, const struct phase *ph, unsigned mask, uint8_t tag,
		     enum kr_wt_goal goal, const char *what)
{
	int rc = kr_w_table_wait(ctx->w, mask, tag, goal, phase_deadline(ph), what);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return fail_state(ctx, ph, mask, tag, "");
	return 0;
}

/* Every sampled signature verified, and every session still up. */
static int check_health(struct kr_ctx *ctx)
{
	char text[600], why[300];
	uint64_t bad = kr_w_sig_metrics(ctx->w, text, sizeof text);
	kr_log(ctx, "%s", text);
	kr_judge(ctx, "every signature the SUT sent verifies; its sessions stayed up");
	kr_expect(ctx, "every signature the SUT sends verifies (%s)", text);
	if (bad)
		return kr_fail(ctx, "%llu routes with a signature that does not verify",
			       (unsigned long long)bad);
	unsigned downs = kr_w_session_downs(ctx->w, why, sizeof why);
	kr_metric(ctx, "session_downs", downs, "sessions");
	kr_expect(ctx, "every BGP session stays up (no hold-timer expiry, no NOTIFICATION)");
	if (downs)
		return kr_fail(ctx, "%u session%s went down; last %s", downs, downs == 1 ? "" : "s", why);
	return 0;
}

/* World up with the table tagged; the SUT's key is shared. */
static int scale_up(struct kr_ctx *ctx, kr_wt_tag_fn tag, void *arg)
{
	struct kr_world_cfg cfg = { .scale = true, .exa = true };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	kr_metric(ctx, "routes", kr_wt_count(kr_w_table(ctx->w)), "routes");
	return kr_w_table_tag(ctx->w, tag, arg);
}

/* up1 and up2 send the table (variant per route) and it must reach every
 * observer, each route through up1 or up2 with the key generation sent. */
static int load(struct kr_ctx *ctx, kr_wt_variant_fn variant, void *arg, uint32_t n)
{
	struct kr_world *w = ctx->w;
	const struct kr_wtable *t = kr_w_table(w);
	uint8_t skis[4][KR_SKI_LEN];
	for (int up = 0; up < 2; up++)
		for (unsigned g = 0; g < 2; g++)
			memcpy(skis[up * 2 + g], kr_wt_up_ski(t, up, g), KR_SKI_LEN);
	kr_w_table_match(w, 1, (const uint8_t(*)[KR_SKI_LEN])skis, 4);
	struct kr_wt_work wk = kr_wt_work_load(t, n);
	struct phase ph;
	phase_start(ctx, &ph, "load", &wk);
	kr_expect(ctx, "the table (%u routes) from up1 and up2 at dn1 and dn2 (valid, signed by the SUT) and at "
		       "exa within %s", n, ph.why);
	if (kr_w_table_send(w, variant, arg, phase_deadline(&ph)) < 0)
		return -1;
	for (uint8_t g = 1; g < KR_OBS_TAGS; g++) /* every population the case tagged */
		if (kr_w_tagstat(w, KR_DN1, g)->tagged &&
		    wait_goal(ctx, &ph, OBS, g, KR_WT_MATCHED, "table reaching dn1, dn2, exa") < 0)
			return -1;
	int64_t last = 0;
	for (uint8_t g = 1; g < KR_OBS_TAGS; g++)
		if (last_matched(w, OBS, g) > last)
			last = last_matched(w, OBS, g);
	double s = kr_ns_to_s(last - ph.t0);
	kr_metric(ctx, "load_time", s, "s");
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		char name[48];
		snprintf(name, sizeof name, "load_time_%s", kr_peer_name(p));
		kr_metric(ctx, name, kr_ns_to_s(kr_w_tagstat(w, (enum kr_peer)p, 1)->t_matched - ph.t0), "s");
	}
	kr_metric(ctx, "load_updates_per_s_per_peer", s > 0 ? n / s : 0, "UPDATEs/s");
	kr_w_cpu_metrics(w, &ph.cpu, "load");
	kr_log(ctx, "the table is in place at dn1, dn2 and exa after %.2f s", s);
	return 0;
}

/* ---- a peer's twilight ------------------------------------------------------ */

static bool withdrawn_since(const struct kr_obs *o, const struct kr_obs_route *r, void *arg)
{
	return kr_obs_wd_since_mark(o, r) > 0;
}

static bool not_matched(const struct kr_obs *o, const struct kr_obs_route *r, void *arg)
{
	return !kr_obs_route_matches(o, r);
}

static bool twice(const struct kr_obs *o, const struct kr_obs_route *r, void *arg)
{
	return kr_obs_ann_since_mark(o, r) > 1;
}

/* No route of tag was withdrawn at any observer since the mark. */
static int no_gap(struct kr_ctx *ctx, uint8_t tag, const char *why)
{
	kr_expect(ctx, "%s: no route withdrawn at dn1, dn2 or exa (implicit replacement, RFC 4271 §3.1)", why);
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		const struct kr_obs_tagstat *s = kr_w_tagstat(ctx->w, (enum kr_peer)p, tag);
		if (s && s->withdrawn) {
			char ex[700];
			kr_w_table_example(ctx->w, (enum kr_peer)p, tag, withdrawn_since, NULL, ex, sizeof ex);
			return kr_fail(ctx, "%zu routes withdrawn at %s; %s", s->withdrawn, kr_peer_name(p), ex);
		}
	}
	return 0;
}

static int peer_twilight(struct kr_ctx *ctx)
{
	if (scale_up(ctx, tag_all, NULL) < 0)
		return -1;
	struct kr_world *w = ctx->w;
	const struct kr_wtable *t = kr_w_table(w);
	uint32_t n = kr_wt_count(t);
	struct kr_wkey *nk[2] = { kr_w_key(w, KR_UP1, 1), kr_w_key(w, KR_UP2, 1) };
	if (!nk[0] || !nk[1] || load(ctx, gen0, NULL, n) < 0)
		return -1;
	kr_log(ctx, "steps 1-2: up1 and up2 pre-publish their next keys");
	/* The stage period ends only when the SUT applied the keys: a SUT
	 * that reads its BGP sockets before its RTR one would otherwise see
	 * new-key signatures first and rightly withdraw (RFC 8634 §3.1 step 2) */
	if (kr_w_publish_many(w, nk, 2) < 0 || kr_w_rtr_barrier(w) < 0)
		return -1;
	kr_w_table_mark(w);
	const uint8_t skis[2][KR_SKI_LEN];
	memcpy((void *)skis[0], kr_wt_up_ski(t, 0, 1), KR_SKI_LEN);
	memcpy((void *)skis[1], kr_wt_up_ski(t, 1, 1), KR_SKI_LEN);
	kr_w_table_match(w, 1, skis, 2);
	struct kr_wt_work wk = kr_wt_work_load(t, n);
	struct phase ph;
	phase_start(ctx, &ph, "twilight", &wk);
	kr_judge(ctx, "the new-key versions replace the whole table downstream, with no withdrawal");
	kr_log(ctx, "step 3: up1 and up2 re-send all %u routes signed with their new keys", n);
	kr_expect(ctx, "every one of the %u routes at dn1 and dn2 replaced by its version signed with the new "
		       "keys of up1 and up2, within %s", n, ph.why);
	if (kr_w_table_send(w, gen1, NULL, phase_deadline(&ph)) < 0)
		return -1;
	int rc = kr_w_table_wait(w, KR_DOWNSTREAM, T_ALL, KR_WT_MATCHED, phase_deadline(&ph),
				 "new-key versions reaching dn1, dn2");
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char ex[700];
		kr_w_table_example(w, KR_DN1, T_ALL, not_matched, NULL, ex, sizeof ex);
		return fail_state(ctx, &ph, OBS, T_ALL, ex);
	}
	double s = kr_ns_to_s(last_matched(w, KR_DOWNSTREAM, T_ALL) - ph.t0);
	kr_metric(ctx, "twilight_converge_time", s, "s");
	kr_metric(ctx, "twilight_updates_per_s_per_peer", s > 0 ? n / s : 0, "UPDATEs/s");
	kr_w_cpu_metrics(w, &ph.cpu, "twilight");
	kr_w_mem_metrics(w, n);
	if (no_gap(ctx, T_ALL, "the peers' twilight") < 0)
		return -1;
	return check_health(ctx);
}

/* ---- the SUT's own twilight --------------------------------------------------- */

static int sut_twilight(struct kr_ctx *ctx)
{
	if (scale_up(ctx, tag_all, NULL) < 0)
		return -1;
	struct kr_world *w = ctx->w;
	uint32_t n = kr_wt_count(kr_w_table(w));
	struct kr_wkey *k0 = kr_w_sut_key(w, "shared", 0), *k1 = kr_w_sut_key(w, "shared", 1);
	if (!k0 || !k1 || load(ctx, gen0, NULL, n) < 0)
		return -1;
	kr_log(ctx, "steps 1-2: pre-publish the SUT's next key %s", kr_wkey_name(k1));
	if (kr_w_publish_many(w, &k1, 1) < 0 || kr_w_pass_time(w, 86400, 0.05) < 0)
		return -1;
	kr_w_table_mark(w);
	const uint8_t skis[1][KR_SKI_LEN];
	memcpy((void *)skis[0], kr_wkey_ski(k1), KR_SKI_LEN);
	kr_w_table_match(w, 0, skis, 1);
	/* the SUT signs every route again for each of its three other BGPsec
	 * peers (up1 gets up2's routes and the other way round) */
	struct kr_wt_work wk = { .signs = 3.0 * n, .updates = 3.0 * n };
	struct phase ph;
	phase_start(ctx, &ph, "twilight", &wk);
	kr_expect(ctx, "every one of the %u transit routes at dn1 and dn2 re-signed with the SUT's new key %s "
		       "within %s", n, kr_wkey_name(k1), ph.why);
	kr_judge(ctx, "the twilight re-signs every route once per peer, and nothing else changes");
	if (kr_w_sut_rekey(w, "shared", k1, 0) < 0)
		return -1;
	int rc = kr_w_table_wait(w, KR_DOWNSTREAM, T_ALL, KR_WT_MATCHED, phase_deadline(&ph),
				 "twilight reaching dn1, dn2");
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char ex[700];
		kr_w_table_example(w, KR_DN1, T_ALL, not_matched, NULL, ex, sizeof ex);
		return fail_state(ctx, &ph, KR_DOWNSTREAM, T_ALL, ex);
	}
	double s = kr_ns_to_s(last_matched(w, KR_DOWNSTREAM, T_ALL) - ph.t0);
	kr_metric(ctx, "twilight_time", s, "s");
	kr_metric(ctx, "twilight_signatures", 3.0 * n, "signatures");
	for (int p = KR_DN1; p <= KR_DN2; p++) {
		const struct kr_obs_tagstat *st = kr_w_tagstat(w, (enum kr_peer)p, T_ALL);
		char name[64];
		snprintf(name, sizeof name, "twilight_updates_per_s_%s", kr_peer_name(p));
		double sp = kr_ns_to_s(st->t_matched - ph.t0);
		kr_metric(ctx, name, sp > 0 ? st->announced / sp : 0, "UPDATEs/s");
	}
	kr_w_cpu_metrics(w, &ph.cpu, "twilight");
	kr_w_mem_metrics(w, n);
	/* Whatever the SUT re-sends after the wave has arrived once the
	 * sentinels on both sessions are through (docs/design.md rule 5). */
	for (int up = KR_UP1; up <= KR_UP2; up++)
		if (kr_w_sentinel_on(w, (enum kr_peer)up, KR_DOWNSTREAM, sentinel_deadline(&ph)) != 1)
			return kr_fail_pre(ctx, "the sentinel through %s did not reach dn1 and dn2", kr_peer_name(up));
	kr_expect(ctx, "each route re-signed exactly once per BGPsec peer: one announcement of each of the %u "
		       "routes at dn1 and at dn2 since the switch, none left with the old key %s", n,
		  kr_wkey_name(k0));
	for (int p = KR_DN1; p <= KR_DN2; p++) {
		const struct kr_obs_tagstat *st = kr_w_tagstat(w, (enum kr_peer)p, T_ALL);
		char ex[700];
		if (st->multi) {
			kr_w_table_example(w, (enum kr_peer)p, T_ALL, twice, NULL, ex, sizeof ex);
			return kr_fail(ctx, "%zu routes announced more than once at %s; %s", st->multi,
				       kr_peer_name(p), ex);
		}
		if (st->matched != st->tagged) {
			kr_w_table_example(w, (enum kr_peer)p, T_ALL, not_matched, NULL, ex, sizeof ex);
			return kr_fail(ctx, "%zu routes at %s not signed with the new key; %s",
				       st->tagged - st->matched, kr_peer_name(p), ex);
		}
	}
	if (no_gap(ctx, T_ALL, "the SUT's twilight") < 0)
		return -1;
	return check_health(ctx);
}

/* ---- RTR withdrawal of a key that signed N routes ------------------------------ */

/* up1's routes are signed with up1#0, except every 16th (up1#1: the same
 * AS, another key) which must stay, as must everything from up2. */
static bool control(const struct kr_table_route *r, uint32_t i) { return r->up == 0 && i % 16 == 15; }
static uint8_t tag_rtr(const struct kr_table_route *r, uint32_t i, void *arg)
{
	return r->up == 0 && !control(r, i) ? T_GONE : T_STAY;
}
static int variant_rtr(const struct kr_table_route *r, uint32_t i, void *arg) { return control(r, i); }

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Latencies from t_pdu to the withdrawal of every T_GONE route at every
 * observer: p50, p99, max. */
static int latencies(struct kr_ctx *ctx, int64_t t_pdu)
{
	size_t cap = 0, n = 0;
	int64_t *lat = NULL;
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		struct kr_obs *o = kr_w_observer(ctx->w, (enum kr_peer)p);
		const struct kr_obs_tagstat *s = o ? kr_obs_tagstat(o, T_GONE) : NULL;
		if (!s)
			continue;
		cap += s->tagged;
	}
	lat = malloc((cap ? cap : 1) * sizeof *lat);
	if (!lat)
		return kr_error(ctx, "out of memory");
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		struct kr_obs *o = kr_w_observer(ctx->w, (enum kr_peer)p);
		for (size_t i = 0; o && i < kr_obs_count(o) && n < cap; i++) {
			const struct kr_obs_route *r = kr_obs_at(o, i);
			if (r->tag == T_GONE && !r->present)
				lat[n++] = r->t_last - t_pdu;
		}
	}
	qsort(lat, n, sizeof *lat, cmp_i64);
	if (n) {
		kr_metric(ctx, "withdraw_latency_p50", kr_ns_to_s(lat[n / 2]), "s");
		kr_metric(ctx, "withdraw_latency_p99", kr_ns_to_s(lat[(n * 99) / 100]), "s");
		kr_metric(ctx, "withdraw_latency_max", kr_ns_to_s(lat[n - 1]), "s");
		kr_log(ctx, "withdrawal latency from the Router Key PDU over %zu withdrawals: p50 %.3f s, p99 %.3f s, "
			    "max %.3f s", n, kr_ns_to_s(lat[n / 2]), kr_ns_to_s(lat[(n * 99) / 100]),
		       kr_ns_to_s(lat[n - 1]));
	}
	free(lat);
	return 0;
}

static int rtr_withdraw(struct kr_ctx *ctx)
{
	if (scale_up(ctx, tag_rtr, NULL) < 0)
		return -1;
	struct kr_world *w = ctx->w;
	uint32_t n = kr_wt_count(kr_w_table(w));
	struct kr_wkey *old = kr_w_key(w, KR_UP1, 0), *ctl = kr_w_key(w, KR_UP1, 1);
	if (!old || !ctl || kr_w_publish_many(w, &ctl, 1) < 0 || kr_w_rtr_barrier(w) < 0 ||
	    load(ctx, variant_rtr, NULL, n) < 0)
		return -1;
	const struct kr_obs_tagstat *g = kr_w_tagstat(w, KR_DN1, T_GONE), *s = kr_w_tagstat(w, KR_DN1, T_STAY);
	/* the routes that stay are in place too */
	if (g->tagged == 0 || s->matched != s->tagged)
		return kr_fail(ctx, "%zu of the %zu routes that stay are at dn1", s->matched, s->tagged);
	uint32_t ngone = (uint32_t)g->tagged;
	kr_metric(ctx, "routes_signed_by_key", ngone, "routes");
	kr_w_table_mark(w);
	/* re-validation of what that key signed, and a withdrawal to each of
	 * the three observers */
	struct kr_wt_work wk = { .verifies = (double)ngone, .updates = 3.0 * ngone };
	struct phase ph;
	phase_start(ctx, &ph, "withdraw", &wk);
	kr_judge(ctx, "what the withdrawn key signed is withdrawn everywhere, nothing else");
	kr_log(ctx, "step 5: the cache withdraws %s, which signed %u of the %u routes", kr_wkey_name(old), ngone, n);
	kr_expect(ctx, "the %u routes signed with %s withdrawn at dn1, dn2 and exa within %s", ngone,
		  kr_wkey_name(old), ph.why);
	if (kr_w_rtr_withdraw(w, old) < 0 || wait_goal(ctx, &ph, OBS, T_GONE, KR_WT_GONE, "withdrawals") < 0)
		return -1;
	int64_t t_pdu;
	if (kr_w_rtr_key_pdu_time(w, old, false, ph.t0 - 1000000000LL, &t_pdu) < 0 || latencies(ctx, t_pdu) < 0)
		return -1;
	kr_w_cpu_metrics(w, &ph.cpu, "withdraw");
	kr_w_mem_metrics(w, n);
	for (int up = KR_UP1; up <= KR_UP2; up++)
		if (kr_w_sentinel_on(w, (enum kr_peer)up, OBS, sentinel_deadline(&ph)) != 1)
			return kr_fail_pre(ctx, "the sentinel through %s did not reach dn1, dn2 and exa", kr_peer_name(up));
	kr_expect(ctx, "none of the %zu other routes (up2's, and up1's signed with %s) withdrawn (RFC 8205 §5: "
		       "only routes signed with the withdrawn key lose their validity)", s->tagged, kr_wkey_name(ctl));
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		const struct kr_obs_tagstat *st = kr_w_tagstat(w, (enum kr_peer)p, T_STAY);
		if (st->withdrawn || st->present != st->tagged) {
			char ex[700];
			kr_w_table_example(w, (enum kr_peer)p, T_STAY, withdrawn_since, NULL, ex, sizeof ex);
			return kr_fail(ctx, "%zu of them withdrawn at %s (%zu of %zu present); %s", st->withdrawn,
				       kr_peer_name(p), st->present, st->tagged, ex);
		}
	}
	return check_health(ctx);
}

/* ---- pre-publication ---------------------------------------------------------- */

static int prepublish(struct kr_ctx *ctx)
{
	if (scale_up(ctx, tag_all, NULL) < 0)
		return -1;
	struct kr_world *w = ctx->w;
	const struct kr_wtable *t = kr_w_table(w);
	uint32_t n = kr_wt_count(t);
	struct kr_wkey *nk[2] = { kr_w_key(w, KR_UP1, 1), kr_w_key(w, KR_UP2, 1) };
	if (!nk[0] || !nk[1])
		return -1;
	/* Not Valid (unknown SKI at the newest segment): no verification and
	 * nothing sent on, but every UPDATE is read. */
	struct kr_wt_work wk0 = { .updates = (double)n };
	struct phase ph0;
	phase_start(ctx, &ph0, "notvalid", &wk0);
	kr_log(ctx, "up1 and up2 send all %u routes signed with keys not yet published", n);
	if (kr_w_table_send(w, gen1, NULL, phase_deadline(&ph0)) < 0)
		return -1;
	for (int up = KR_UP1; up <= KR_UP2; up++)
		if (kr_w_sentinel_on(w, (enum kr_peer)up, OBS, sentinel_deadline(&ph0)) != 1) {
			kr_expect(ctx, "a sentinel through %s reaches dn1, dn2 and exa within %s", kr_peer_name(up),
				  ph0.why);
			return kr_fail(ctx, "it did not arrive");
		}
	kr_expect(ctx, "none of the %u Not Valid routes (RFC 8205 §5.2: no key for the SKI) propagated", n);
	for (int p = KR_DN1; p <= KR_EXA; p++) {
		const struct kr_obs_tagstat *st = kr_w_tagstat(w, (enum kr_peer)p, T_ALL);
		if (st->present)
			return kr_fail(ctx, "%zu of them at %s", st->present, kr_peer_name(p));
	}
	kr_w_table_mark(w);
	uint8_t skis[2][KR_SKI_LEN];
	memcpy(skis[0], kr_wt_up_ski(t, 0, 1), KR_SKI_LEN);
	memcpy(skis[1], kr_wt_up_ski(t, 1, 1), KR_SKI_LEN);
	kr_w_table_match(w, 1, (const uint8_t(*)[KR_SKI_LEN])skis, 2);
	struct kr_wt_work wk = kr_wt_work_load(t, n);
	struct phase ph;
	phase_start(ctx, &ph, "prepublish", &wk);
	kr_judge(ctx, "the stored Not Valid routes become Valid and are propagated when their keys arrive");
	kr_log(ctx, "the cache publishes %s and %s", kr_wkey_name(nk[0]), kr_wkey_name(nk[1]));
	kr_expect(ctx, "all %u routes valid at dn1 and dn2 and present at exa within %s of the keys' publication "
		       "(RFC 8205 §5: stored routes re-validated when a key arrives)", n, ph.why);
	if (kr_w_publish_many(w, nk, 2) < 0 ||
	    wait_goal(ctx, &ph, OBS, T_ALL, KR_WT_MATCHED, "routes becoming valid") < 0)
		return -1;
	int64_t t_pdu;
	if (kr_w_rtr_key_pdu_time(w, nk[0], true, ph.t0 - 1000000000LL, &t_pdu) < 0)
		return -1;
	double s = kr_ns_to_s(last_matched(w, OBS, T_ALL) - t_pdu);
	kr_metric(ctx, "prepublish_last_route_time", s, "s");
	kr_metric(ctx, "prepublish_routes_per_s", s > 0 ? n / s : 0, "routes/s");
	kr_w_cpu_metrics(w, &ph.cpu, "prepublish");
	kr_w_mem_metrics(w, n);
	return check_health(ctx);
}

#define SCALE_NEEDS (KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_PLAIN_PEER | KR_NEED_IPV6)

static const struct kr_case cases[] = {
	{ .id = "scale/3.1-3/peer-twilight", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1; RFC 4271 §3.1",
	  .title = "a full table re-signed by the upstreams reaches the downstream peers in its new-key version, "
		   "with no withdrawal in between",
	  .req = "When a peer re-advertises every route signed with its new key, each one replaces the old "
		 "version at every downstream peer (implicit replacement, no withdrawal gap), for the whole table",
	  .needs = SCALE_NEEDS, .run = peer_twilight, .opt_in = true, .own_sut = true },
	{ .id = "scale/3.1-3/sut-twilight", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3; RFC 8634 §3.1 step 3; RFC 4271 §6.5",
	  .title = "the SUT's twilight re-signs a full table: every route exactly once per BGPsec peer, "
		   "sessions stay up",
	  .req = "Twilight: every route the SUT had signed with the old key is re-advertised signed with the new "
		 "key, once to each BGPsec peer; none stays signed with the old key; no session fails "
		 "(hold timer, NOTIFICATION) while it happens",
	  .needs = SCALE_NEEDS | KR_NEED_REKEY, .run = sut_twilight, .opt_in = true, .own_sut = true },
	{ .id = "scale/3.1-5/rtr-withdraw", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 5; RFC 8210 §5.10; RFC 8205 §5",
	  .title = "withdrawing a router key by RTR withdraws every route it signed, to every peer, and "
		   "nothing else",
	  .req = "When the cache withdraws a router key, every route whose signature needs it becomes Not "
		 "Valid and is withdrawn from BGPsec and plain peers; routes signed with other keys, of the "
		 "same AS too, stay",
	  .needs = SCALE_NEEDS, .run = rtr_withdraw, .opt_in = true, .own_sut = true },
	{ .id = "scale/3.1-2/prepublish", .level = KR_MUST,
	  .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 steps 1-2; RFC 8205 §5; RFC 8210 §5.10",
	  .title = "a full table signed with unpublished keys becomes Valid and is propagated when the keys "
		   "arrive",
	  .req = "Routes that are Not Valid for want of a key are re-validated when the key is published, and "
		 "then propagated; the time until the last one is reported",
	  .needs = SCALE_NEEDS, .run = prepublish, .opt_in = true, .own_sut = true },
};

KR_SUITE(scale, "Rollover at Internet scale: full tables (RFC 8634 §3.1)", cases)
