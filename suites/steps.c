/* Shared case steps (steps.h). */
#include <stdio.h>
#include <string.h>

#include "wire/kr_util.h"
#include "steps.h"

const char *st_ski(const uint8_t *ski, char buf[16])
{
	if (!ski)
		return "any";
	kr_hex_encode(buf, 16, ski, 4);
	return buf;
}

static size_t describe_one(struct kr_world *w, enum kr_peer dn, const char *prefix, char *out,
			   size_t outsz)
{
	struct kr_wroute r;
	int n;
	if (kr_w_route(w, dn, prefix, &r) < 0)
		n = snprintf(out, outsz, "%s: ?", kr_peer_name(dn));
	else if (!r.present)
		n = snprintf(out, outsz, "%s: absent (%zu announcement%s, %zu withdrawal%s)",
			     kr_peer_name(dn), r.announcements, r.announcements == 1 ? "" : "s",
			     r.withdrawals, r.withdrawals == 1 ? "" : "s");
	else if (!r.bgpsec)
		n = snprintf(out, outsz, "%s: present (received at +%.3f s) without BGPsec_PATH (%zu withdrawal%s)",
			     kr_peer_name(dn), kr_w_case_s(w, r.t_ns), r.withdrawals,
			     r.withdrawals == 1 ? "" : "s");
	else {
		/* the verdict at receipt and the one now, each with its time,
		 * so a stale verdict never reads as the current one */
		char a[16], b[16], now[200], path[320];
		if (r.valid_now)
			snprintf(now, sizeof(now), "%s now", r.valid ? "and still Valid" : "but Valid");
		else {
			char story[160];
			kr_w_ski_story(w, r.bad_ski, story, sizeof(story));
			snprintf(now, sizeof(now), "%sNot Valid now (%s)", r.valid ? "" : "and ", story);
		}
		if (r.nhops <= 2) {
			snprintf(path, sizeof(path), "origin SKI %s, SUT SKI %s", st_ski(r.origin_ski, a),
				 st_ski(r.sut_ski, b));
		} else {
			/* longer paths: every hop, origin first */
			size_t off = (size_t)snprintf(path, sizeof(path), "path ");
			for (size_t i = r.nhops < KR_W_MAX_HOPS ? r.nhops : KR_W_MAX_HOPS;
			     i-- > 0 && off < sizeof(path);) {
				int m = snprintf(path + off, sizeof(path) - off, "%sAS%u/%s", off > 5 ? " > " : "",
						 r.hop_asn[i], st_ski(r.hop_ski[i], a));
				if (m < 0)
					break;
				off += (size_t)m;
			}
		}
		n = snprintf(out, outsz, "%s: present, %s, %s when received at +%.3f s, %s, %zu withdrawal%s",
			     kr_peer_name(dn), path, r.valid ? "Valid" : "Not Valid", kr_w_case_s(w, r.t_ns), now,
			     r.withdrawals, r.withdrawals == 1 ? "" : "s");
	}
	return n < 0 ? 0 : (size_t)n < outsz ? (size_t)n : outsz - 1;
}

void st_describe(struct kr_world *w, unsigned mask, const char *prefix, char *out, size_t outsz)
{
	size_t off = 0;
	out[0] = 0;
	for (int p = 0; p < KR_NPEERS && off + 4 < outsz; p++) {
		if (!(mask & (1u << p)))
			continue;
		if (off) {
			memcpy(out + off, "; ", 3);
			off += 2;
		}
		off += describe_one(w, (enum kr_peer)p, prefix, out + off, outsz - off);
	}
}

/* The peers of mask that can receive prefix: never the upstream that
 * announced it (the SUT does not send a route back where it came from), so
 * a case can ask for "every BGPsec peer" with KR_BGPSEC_PEERS. */
static unsigned receivers(struct kr_ctx *ctx, unsigned mask, const char *prefix)
{
	return mask & ~kr_w_announcers(ctx->w, prefix);
}

static const char *peers(unsigned mask, char *buf, size_t sz)
{
	size_t off = 0;
	buf[0] = 0;
	for (int p = 0; p < KR_NPEERS; p++)
		if (mask & (1u << p)) {
			int n = snprintf(buf + off, sz - off, "%s%s", off ? "," : "", kr_peer_name(p));
			if (n < 0 || (size_t)n >= sz - off)
				break;
			off += (size_t)n;
		}
	return buf;
}

/* Under --rpki pipeline: the SUT's reaction, counted from the Router Key
 * PDU that brought the change onto its RTR link. */
static void reaction(struct kr_ctx *ctx, enum kr_wait_kind kind)
{
	int64_t t;
	const char *action;
	if (kind != KR_W_RTR || !kr_w_rtr_change_time(ctx->w, &t, &action))
		return;
	char name[64];
	snprintf(name, sizeof(name), "sut_reaction_%s", action);
	kr_log(ctx, "the SUT reacted %.3f s after the Router Key PDU (%s) reached it", kr_ns_to_s(kr_now_ns() - t),
	       action);
	kr_metric(ctx, name, kr_ns_to_s(kr_now_ns() - t), "s");
}

int st_up(struct kr_ctx *ctx, const struct kr_world_cfg *cfg)
{
	return kr_world_up(ctx, cfg);
}

int st_up_peer(struct kr_ctx *ctx, struct kr_wkey **k0, struct kr_wkey **k1)
{
	struct kr_world_cfg cfg = { 0 };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	*k0 = kr_w_key(ctx->w, KR_UP1, 0);
	*k1 = kr_w_key(ctx->w, KR_UP1, 1);
	return *k0 && *k1 ? 0 : -1;
}

/* The verdict of a wait for a route that started at t0 (rc from it). */
static int arrived(struct kr_ctx *ctx, int rc, int64_t t0, unsigned mask, const char *prefix, const char *why,
		   enum kr_wait_kind kind)
{
	char pb[64], state[1024];
	if (rc < 0)
		return -1;
	if (rc == 0) {
		st_describe(ctx->w, mask, prefix, state, sizeof(state));
		return kr_fail(ctx, "after %.2f s: %s", kr_ns_to_s(kr_now_ns() - t0), state);
	}
	kr_log(ctx, "%s: %s seen at %s after %.3f s", why, prefix, peers(mask, pb, sizeof(pb)),
	       kr_ns_to_s(kr_now_ns() - t0));
	reaction(ctx, kind);
	return 0;
}

int st_up_two_origins(struct kr_ctx *ctx, const struct kr_world_cfg *cfg, unsigned mask)
{
	if (st_up(ctx, cfg) < 0)
		return -1;
	struct kr_wkey *k0 = kr_w_key(ctx->w, KR_UP1, 0), *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!k0 || !q0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, k0, mask) < 0 || st_announce_seen(ctx, KR_UP2, P2, q0, mask) < 0)
		return -1;
	return 0;
}

/* The peers of mask where prefix is not as st_present wants it. */
static unsigned lacking(struct kr_ctx *ctx, unsigned mask, const char *prefix, const uint8_t *sut_ski,
			const uint8_t *origin_ski, int64_t since)
{
	unsigned bad = 0;
	for (int p = 0; p < KR_NPEERS; p++) {
		struct kr_wroute r;
		if (!(mask & (1u << p)) || kr_w_route(ctx->w, (enum kr_peer)p, prefix, &r) < 0)
			continue;
		bool ok = r.present && (!since || r.t_ns >= since);
		if (p != KR_EXA)
			ok = ok && r.bgpsec && r.valid && (!sut_ski || !memcmp(r.sut_ski, sut_ski, KR_SKI_LEN)) &&
			     (!origin_ski || !memcmp(r.origin_ski, origin_ski, KR_SKI_LEN));
		bad |= ok ? 0 : 1u << p;
	}
	return bad;
}

int st_present(struct kr_ctx *ctx, unsigned mask, const char *prefix, const uint8_t *sut_ski,
	       const uint8_t *origin_ski, int64_t since, enum kr_wait_kind kind, const char *why)
{
	mask = receivers(ctx, mask, prefix);
	char pb[64], a[16], b[16];
	double in = kr_w_deadline_s(ctx->w, kind);
	kr_expect(ctx, "%s: %s at %s within %.2f s (origin SKI %s, SUT SKI %s%s)", why, prefix,
		  peers(mask, pb, sizeof(pb)), in, st_ski(origin_ski, a), st_ski(sut_ski, b),
		  since ? ", announced anew" : "");
	int64_t t0 = kr_now_ns();
	int rc = kr_w_wait_present(ctx->w, mask, prefix, sut_ski, origin_ski, since, kr_w_deadline(ctx->w, kind));
	if (rc == 0) {
		/* name the peers it is missing at before what each one holds */
		char lb[64], state[1024];
		unsigned bad = lacking(ctx, mask, prefix, sut_ski, origin_ski, since);
		st_describe(ctx->w, mask, prefix, state, sizeof(state));
		return kr_fail(ctx, "after %.2f s, not so at %s: %s", kr_ns_to_s(kr_now_ns() - t0),
			       peers(bad ? bad : mask, lb, sizeof(lb)), state);
	}
	return arrived(ctx, rc, t0, mask, prefix, why, kind);
}

int st_present_signed(struct kr_ctx *ctx, unsigned mask0, const char *prefix, const struct kr_wkey *k,
		      int64_t since, enum kr_wait_kind kind, const char *why)
{
	unsigned mask = receivers(ctx, mask0, prefix);
	char pb[64];
	double in = kr_w_deadline_s(ctx->w, kind);
	kr_expect(ctx, "%s: %s at %s within %.2f s, valid, with a signature by %s%s", why, prefix,
		  peers(mask, pb, sizeof(pb)), in, kr_wkey_name(k), since ? ", announced anew" : "");
	int64_t t0 = kr_now_ns();
	return arrived(ctx, kr_w_wait_signed(ctx->w, mask, prefix, kr_wkey_ski(k), since, kr_w_deadline(ctx->w, kind)),
		       t0, mask, prefix, why, kind);
}

int st_announce_seen(struct kr_ctx *ctx, enum kr_peer up, const char *prefix, struct kr_wkey *key,
		     unsigned mask)
{
	if (kr_w_announce(ctx->w, up, prefix, key) < 0)
		return -1;
	char why[160];
	snprintf(why, sizeof(why), "route from %s signed with %s", kr_peer_name(up), kr_wkey_name(key));
	return st_present(ctx, mask, prefix, NULL, kr_wkey_ski(key), 0, KR_W_ANNOUNCE, why);
}

int st_absent(struct kr_ctx *ctx, unsigned mask, const char *prefix, enum kr_wait_kind kind,
	      const char *why)
{
	mask = receivers(ctx, mask, prefix);
	char pb[64], state[1024];
	kr_expect(ctx, "%s: withdrawal of %s at %s within %.2f s", why, prefix,
		  peers(mask, pb, sizeof(pb)), kr_w_deadline_s(ctx->w, kind));
	int64_t t0 = kr_now_ns();
	int rc = kr_w_wait_absent(ctx->w, mask, prefix, kr_w_deadline(ctx->w, kind));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		st_describe(ctx->w, mask, prefix, state, sizeof(state));
		return kr_fail(ctx, "after %.2f s: %s", kr_ns_to_s(kr_now_ns() - t0), state);
	}
	kr_log(ctx, "%s: %s gone at %s after %.3f s", why, prefix, pb, kr_ns_to_s(kr_now_ns() - t0));
	reaction(ctx, kind);
	return 0;
}

int st_sentinel(struct kr_ctx *ctx, unsigned mask)
{
	int rc = kr_w_sentinel(ctx->w, mask);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		char pb[64];
		kr_expect(ctx, "a validly signed sentinel route reaches %s within %.2f s",
			  peers(mask, pb, sizeof(pb)), kr_w_deadline_s(ctx->w, KR_W_ANNOUNCE));
		return kr_fail_pre(ctx, "the sentinel never arrived");
	}
	return 0;
}

/* After the sentinel: every peer in mask has `prefix` absent (before ==
 * NULL) or present with no withdrawal since before[] was taken. */
static int check_at_sentinel(struct kr_ctx *ctx, unsigned mask, const char *prefix,
			     const size_t *before)
{
	for (int p = 0; p < KR_NPEERS; p++) {
		struct kr_wroute r;
		if (!(mask & (1u << p)))
			continue;
		if (kr_w_route(ctx->w, (enum kr_peer)p, prefix, &r) < 0)
			return -1;
		if (before ? !r.present || r.withdrawals != before[p] : r.present) {
			char state[1024];
			st_describe(ctx->w, mask, prefix, state, sizeof(state));
			return kr_fail(ctx, "%s", state);
		}
	}
	return 0;
}

int st_not_propagated(struct kr_ctx *ctx, unsigned mask, const char *prefix, const char *why)
{
	mask = receivers(ctx, mask, prefix);
	if (st_sentinel(ctx, mask) < 0)
		return -1;
	char pb[64];
	kr_expect(ctx, "%s: %s not at %s when the sentinel arrived", why, prefix,
		  peers(mask, pb, sizeof(pb)));
	if (check_at_sentinel(ctx, mask, prefix, NULL) < 0)
		return -1;
	kr_log(ctx, "%s: %s absent at %s after the sentinel", why, prefix, pb);
	return 0;
}

void st_withdrawals(struct kr_world *w, const char *prefix, size_t out[KR_NPEERS])
{
	for (int p = 0; p < KR_NPEERS; p++) {
		struct kr_wroute r;
		out[p] = kr_w_observes(w, (enum kr_peer)p) && kr_w_route(w, (enum kr_peer)p, prefix, &r) == 0
				 ? r.withdrawals : 0;
	}
}

int st_stayed(struct kr_ctx *ctx, unsigned mask, const char *prefix, const size_t before[KR_NPEERS],
	      const char *why)
{
	mask = receivers(ctx, mask, prefix);
	if (st_sentinel(ctx, mask) < 0)
		return -1;
	char pb[64];
	kr_expect(ctx, "%s: %s still at %s, never withdrawn, when the sentinel arrived", why, prefix,
		  peers(mask, pb, sizeof(pb)));
	if (check_at_sentinel(ctx, mask, prefix, before) < 0)
		return -1;
	kr_log(ctx, "%s: %s stayed at %s", why, prefix, pb);
	return 0;
}

/* ---- the SUT rolls its own key ---- */


/* Common set-up: routes in place, next key pre-published, stage passed.
 * *k0 / *k1: the SUT's current and next key for `role`. */
int st_sut_setup(struct kr_ctx *ctx, bool split, const char *role, struct kr_wkey **k0,
		 struct kr_wkey **k1)
{
	struct kr_world_cfg cfg = { .sut_prefixes = ST_NOWN, .split_keys = split };
	if (st_up(ctx, &cfg) < 0)
		return -1;
	struct kr_wkey *u0 = kr_w_key(ctx->w, KR_UP1, 0);
	*k0 = kr_w_sut_key(ctx->w, role, 0);
	*k1 = kr_w_sut_key(ctx->w, role, 1);
	if (!u0 || !*k0 || !*k1)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P1, u0, KR_BGPSEC_PEERS) < 0 ||
	    st_announce_seen(ctx, KR_UP1, P2, u0, KR_BGPSEC_PEERS) < 0)
		return -1;
	for (unsigned i = 0; i < ST_NOWN; i++)
		if (st_present(ctx, KR_BGPSEC_PEERS, kr_w_sut_prefix(ctx->w, i), NULL, NULL, 0, KR_W_ANNOUNCE,
			       "the SUT's own prefix") < 0)
			return -1;
	kr_log(ctx, "steps 1-2: pre-publish the SUT's next %s key %s", role, kr_wkey_name(*k1));
	if (kr_w_publish(ctx->w, *k1) < 0 || kr_w_pass_time(ctx->w, 86400, 0.05) < 0)
		return -1;
	return 0;
}

/* Every prefix in list at every BGPsec peer that should have it (all four
 * for the SUT's own prefixes, all but the announcing upstream for transit
 * routes), announced anew since t and signed by the SUT with k. */
int st_all_resigned(struct kr_ctx *ctx, const char *const *list, size_t n, struct kr_wkey *k,
			int64_t t, const char *why)
{
	for (size_t i = 0; i < n; i++)
		if (st_present(ctx, KR_BGPSEC_PEERS, list[i], kr_wkey_ski(k), NULL, t, KR_W_ANNOUNCE, why) < 0)
			return -1;
	return 0;
}

void st_all_prefixes(struct kr_ctx *ctx, const char *out[ST_NOWN + 2])
{
	for (unsigned i = 0; i < ST_NOWN; i++)
		out[i] = kr_w_sut_prefix(ctx->w, i);
	out[ST_NOWN] = P1;
	out[ST_NOWN + 1] = P2;
}


int st_sut_twilight(struct kr_ctx *ctx, unsigned stagger_ms, const char *judge, struct kr_wkey **k0,
		    struct kr_wkey **k1, int64_t *t)
{
	if (st_sut_setup(ctx, false, "shared", k0, k1) < 0)
		return -1;
	*t = kr_now_ns();
	if (kr_w_sut_rekey(ctx->w, "shared", *k1, stagger_ms) < 0)
		return -1;
	if (judge)
		kr_judge(ctx, "%s", judge);
	if (stagger_ms)
		return 0;
	const char *all[ST_NOWN + 2];
	st_all_prefixes(ctx, all);
	return st_all_resigned(ctx, all, ST_NOWN + 2, *k1, *t, "twilight re-advertisement with the new key");
}

unsigned st_stagger_ms(struct kr_ctx *ctx, double floor_s)
{
	double s = kr_ns_to_s(kr_scaled_ns(ctx, 180));
	return (unsigned)((s < floor_s ? floor_s : s) * 1000);
}

int st_not_signed_since(struct kr_ctx *ctx, unsigned mask, const struct kr_wkey *k, int64_t t,
			const char *why)
{
	if (st_sentinel(ctx, mask) < 0)
		return -1;
	char a[16], pb[64], got[256];
	kr_expect(ctx, "%s: no UPDATE signed by the SUT with %s at %s", why, st_ski(kr_wkey_ski(k), a),
		  peers(mask, pb, sizeof(pb)));
	size_t off = 0, total = 0;
	got[0] = 0;
	for (int p = 0; p < KR_NPEERS; p++) {
		if (!(mask & (1u << p)))
			continue;
		size_t n = kr_w_signed_since(ctx->w, (enum kr_peer)p, kr_wkey_ski(k), t);
		total += n;
		int m = snprintf(got + off, sizeof(got) - off, "%s%zu at %s", off ? ", " : "", n,
				 kr_peer_name((enum kr_peer)p));
		if (m > 0 && (size_t)m < sizeof(got) - off)
			off += (size_t)m;
	}
	if (total)
		return kr_fail(ctx, "%s signed with it", got);
	return 0;
}
