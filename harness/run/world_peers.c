/* The harness peers of a case: injectors up1/up2, observers dn1/dn2 (all
 * speaker.h, one event loop) and ExaBGP as exa (exabgp.h), plus the
 * injection and observation calls of world.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/evloop.h"
#include "run/exabgp.h"
#include "run/observer.h"
#include "run/world_int.h"

struct ns_sock {
	struct kr_world *w;
	const char *node;
};
static struct ns_sock ns_socks[KR_NPEERS];

static int ns_socket(void *arg, int family, int type)
{
	struct ns_sock *s = arg;
	return kr_net_socket(s->w->net, s->node, family, type, 0);
}

static void on_down(struct kr_speaker *sp, const struct kr_bgp_down *why, void *arg)
{
	struct kr_world *w = arg;
	for (int p = KR_UP1; p <= KR_DN2; p++)
		if (w->sp[p] == sp)
			kr_w_health_on_down(w, (enum kr_peer)p, why);
}

static int start_speaker(struct kr_world *w, enum kr_peer p)
{
	const char *name = kr_peer_name(p);
	char me4[64], me6[64], sut4[64];
	if (kr_w_addr(w, name, KR_W_SUT_NODE, AF_INET, me4, sizeof(me4)) < 0 ||
	    kr_w_addr(w, name, KR_W_SUT_NODE, AF_INET6, me6, sizeof(me6)) < 0 ||
	    kr_w_addr(w, KR_W_SUT_NODE, name, AF_INET, sut4, sizeof(sut4)) < 0)
		return kr_error(w->ctx, "topology has no %s-sut link", name);
	struct in_addr id;
	inet_pton(AF_INET, me4, &id);
	ns_socks[p] = (struct ns_sock){ w, name };
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = name;
	c.asn = kr_peer_asn(p);
	c.bgp_id = ntohl(id.s_addr);
	c.peer_as = kr_sut_asn();
	c.local_ip = me4;
	c.peer_ip = sut4;
	c.socket_fn = ns_socket;
	c.socket_arg = &ns_socks[p];
	/* exa is only a harness speaker in a scale world: plain BGP */
	bool sec = p != KR_EXA;
	c.bgpsec_send[KR_AFI_IPV4] = c.bgpsec_recv[KR_AFI_IPV4] = sec;
	c.bgpsec_send[KR_AFI_IPV6] = c.bgpsec_recv[KR_AFI_IPV6] = sec;
	c.nh6 = me6;
	/* a full table is not recorded message by message */
	c.record = !w->cfg.scale;
	/* every BGPsec peer observes what the SUT sends it: upstreams get
	 * the SUT's own prefixes and the other upstream's routes too (with a
	 * full table, the downstream observers suffice) */
	c.observe = !w->cfg.scale || p == KR_DN1 || p == KR_DN2 || p == KR_EXA;
	c.obs_compact = w->cfg.scale;
	c.obs_sample_mod = w->sample_mod;
	/* after a reset the SUT may refuse a connection until it has closed
	 * the old one: try again soon */
	c.connect_retry_ms = 50;
	c.keys = w->keytab;
	c.on_down = on_down;
	c.hook_arg = w;
	struct kr_err err = { 0 };
	w->sp[p] = kr_speaker_new(w->ctx->loop, &c, &err);
	if (!w->sp[p] || kr_speaker_start(w->sp[p], &err) < 0)
		return kr_error(w->ctx, "%s: %s", name, err.msg);
	return 0;
}

static int start_exa(struct kr_world *w)
{
	char me4[64], sut4[64], dir[PATH_MAX];
	if (kr_w_addr(w, "exa", KR_W_SUT_NODE, AF_INET, me4, sizeof(me4)) < 0 ||
	    kr_w_addr(w, KR_W_SUT_NODE, "exa", AF_INET, sut4, sizeof(sut4)) < 0)
		return kr_error(w->ctx, "topology has no exa-sut link");
	snprintf(dir, sizeof(dir), "%s/exa", w->ctx->dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return kr_error(w->ctx, "cannot create %s: %s", dir, strerror(errno));
	struct kr_exa_cfg c = {
		.node = "exa", .workdir = dir, .local_ip = me4, .peer_ip = sut4,
		.local_as = kr_peer_asn(KR_EXA), .peer_as = kr_sut_asn(), .ipv6 = true, .keys = w->keytab,
	};
	struct kr_err err = { 0 };
	w->exa = kr_exa_start(w->ctx->loop, w->net, &c, &err);
	if (!w->exa)
		return kr_error(w->ctx, "ExaBGP: %s", err.msg);
	return 0;
}

void kr_w_exa_stop(struct kr_world *w)
{
	kr_exa_free(w->exa);
	w->exa = NULL;
}

int kr_w_peers_start(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	bool native_exa = w->cfg.exa && w->cfg.scale;
	if (w->cfg.exa && !native_exa && start_exa(w) < 0)
		return -1;
	int last = native_exa ? KR_EXA : KR_DN2;
	for (int p = KR_UP1; p <= last; p++)
		if (start_speaker(w, (enum kr_peer)p) < 0)
			return -1;
	int64_t t = kr_now_ns();
	int64_t deadline = t + 5000000000LL + kr_sut_cap_int(w->prof, "startup_ms", 0) * 1000000LL;
	/* a SUT kept for the run has just seen the previous case's peers go:
	 * it may stay Idle for its IdleHoldTime before taking the new ones */
	if (w->run)
		deadline += kr_sut_cap_int(w->prof, "idle_hold_ms", 0) * 1000000LL;
	struct kr_speaker *sps[5] = { w->sp[KR_UP1], w->sp[KR_UP2], w->sp[KR_DN1], w->sp[KR_DN2], w->sp[KR_EXA] };
	if (kr_speakers_wait_established(sps, (size_t)last + 1, deadline) != 1) {
		kr_expect(ctx, "the SUT establishes its BGP sessions with up1, up2, dn1 and dn2%s within %.2f s",
			  last == KR_EXA ? " and exa" : "", kr_ns_to_s(deadline - t));
		for (int p = KR_UP1; p <= last; p++) {
			struct kr_bgp_session *s = kr_speaker_session(w->sp[p]);
			if (!kr_bgp_session_established(s))
				return kr_fail_pre(ctx, "session %s-sut not established (%s%s%s)", kr_peer_name(p),
						kr_bgp_state_name(kr_bgp_session_state(s)),
						kr_bgp_session_downs(s) ? ": " : "",
						kr_bgp_session_downs(s) ? kr_bgp_session_last_down(s)->text : "");
		}
		return kr_error(ctx, "sessions not established");
	}
	if (w->exa) {
		struct kr_err err = { 0 };
		/* ExaBGP is a Python program: its start-up takes a while. */
		int rc = kr_exa_wait_up(w->exa, kr_now_ns() + 15000000000LL, &err);
		if (rc != 1)
			return kr_error(ctx, "ExaBGP session with the SUT not up: %s",
					rc < 0 ? err.msg : "deadline");
	}
	kr_log(ctx, "sessions established in %.3f s", kr_ns_to_s(kr_now_ns() - t));
	return 0;
}

/* ---- injection ------------------------------------------------------------ */

static int parse_prefix(struct kr_world *w, const char *text, struct kr_prefix *p)
{
	if (kr_prefix_parse(p, text) < 0)
		return kr_error(w->ctx, "bad prefix '%s' in the case", text);
	kr_prefix_canon(p);
	return 0;
}

static struct kr_wsent *sent_slot(struct kr_world *w, enum kr_peer up, const struct kr_prefix *p)
{
	for (size_t i = 0; i < w->nsent; i++)
		if (w->sent[i].up == up && kr_prefix_eq(&w->sent[i].pfx, p))
			return &w->sent[i];
	if (w->nsent == KR_W_MAX_SENT)
		return NULL;
	struct kr_wsent *s = &w->sent[w->nsent++];
	s->up = up;
	s->pfx = *p;
	return s;
}

static int check_up(struct kr_world *w, enum kr_peer up)
{
	if (up != KR_UP1 && up != KR_UP2)
		return kr_error(w->ctx, "%s is not an upstream injector", kr_peer_name(up));
	return 0;
}

/* Build the UPDATE for a into buf (KR_BGP_MAX_LEN) and send it on up's session. */
static int build_send(struct kr_world *w, enum kr_peer up, const struct kr_announce *a, const char *prefix,
		      uint8_t *buf, size_t *len)
{
	struct kr_err err = { 0 };
	if (kr_speaker_build(w->sp[up], a, buf, KR_BGP_MAX_LEN, len, &err) < 0)
		return kr_error(w->ctx, "%s: building UPDATE for %s: %s", kr_peer_name(up), prefix, err.msg);
	if (kr_speaker_send_raw(w->sp[up], buf, *len) < 0)
		return kr_error(w->ctx, "%s: session down while sending %s", kr_peer_name(up), prefix);
	return 0;
}

int kr_w_announce_path(struct kr_world *w, enum kr_peer up, const char *prefix,
		       struct kr_wkey *const *keys, size_t n)
{
	struct kr_prefix p;
	if (check_up(w, up) < 0 || parse_prefix(w, prefix, &p) < 0)
		return -1;
	if (n < 1 || n > KR_W_MAX_HOPS - 1)
		return kr_error(w->ctx, "a signed path of %zu hops (1..%d)", n, KR_W_MAX_HOPS - 1);
	const struct kr_key *ks[KR_W_MAX_HOPS];
	for (size_t i = 0; i < n; i++)
		ks[i] = &keys[i]->k;
	struct kr_announce a = { .prefix = p, .keys = ks, .nkeys = n };
	uint8_t buf[KR_BGP_MAX_LEN];
	size_t len;
	if (build_send(w, up, &a, prefix, buf, &len) < 0)
		return -1;
	struct kr_wsent *s = sent_slot(w, up, &p);
	if (s) {
		s->msg.len = 0;
		kr_bytes_append(&s->msg, buf, len);
		s->live = true;
	}
	w->last_up = up;
	w->have_last_up = true;
	if (n == 1) {
		kr_log(w->ctx, "%s announces %s signed with %s", kr_peer_name(up), prefix, keys[0]->name);
		return 0;
	}
	char path[512];
	size_t off = 0;
	for (size_t i = n; i-- > 0 && off < sizeof(path);) {
		int m = snprintf(path + off, sizeof(path) - off, "%s%s", i + 1 < n ? " <- " : "", keys[i]->name);
		if (m < 0)
			break;
		off += (size_t)m;
	}
	kr_log(w->ctx, "%s forwards %s along %zu signed hops: %s", kr_peer_name(up), prefix, n, path);
	return 0;
}

int kr_w_announce(struct kr_world *w, enum kr_peer up, const char *prefix, struct kr_wkey *key)
{
	return kr_w_announce_path(w, up, prefix, &key, 1);
}

int kr_w_withdraw(struct kr_world *w, enum kr_peer up, const char *prefix)
{
	struct kr_prefix p;
	struct kr_err err = { 0 };
	if (check_up(w, up) < 0 || parse_prefix(w, prefix, &p) < 0)
		return -1;
	if (kr_speaker_withdraw(w->sp[up], &p, 1, &err) < 0)
		return kr_error(w->ctx, "%s: withdrawing %s: %s", kr_peer_name(up), prefix, err.msg);
	for (size_t i = 0; i < w->nsent; i++)
		if (w->sent[i].up == up && kr_prefix_eq(&w->sent[i].pfx, &p))
			w->sent[i].live = false;
	w->last_up = up;
	w->have_last_up = true;
	kr_log(w->ctx, "%s withdraws %s", kr_peer_name(up), prefix);
	return 0;
}

unsigned kr_w_announcers(struct kr_world *w, const char *prefix)
{
	struct kr_prefix p;
	if (kr_prefix_parse(&p, prefix) < 0)
		return 0;
	kr_prefix_canon(&p);
	unsigned m = 0;
	for (size_t i = 0; i < w->nsent; i++)
		if (kr_prefix_eq(&w->sent[i].pfx, &p))
			m |= 1u << w->sent[i].up;
	return m;
}

int kr_w_sent_update(struct kr_world *w, enum kr_peer up, const char *prefix, struct kr_bytes *out)
{
	struct kr_prefix p;
	if (parse_prefix(w, prefix, &p) < 0)
		return -1;
	for (size_t i = 0; i < w->nsent; i++)
		if (w->sent[i].up == up && kr_prefix_eq(&w->sent[i].pfx, &p)) {
			out->len = 0;
			if (kr_bytes_append(out, w->sent[i].msg.p, w->sent[i].msg.len) < 0)
				return kr_error(w->ctx, "out of memory");
			return 0;
		}
	return kr_error(w->ctx, "%s never announced %s", kr_peer_name(up), prefix);
}

int kr_w_send_raw(struct kr_world *w, enum kr_peer up, const uint8_t *msg, size_t len)
{
	if (check_up(w, up) < 0)
		return -1;
	if (kr_speaker_send_raw(w->sp[up], msg, len) < 0)
		return kr_error(w->ctx, "%s: session down", kr_peer_name(up));
	w->last_up = up;
	w->have_last_up = true;
	kr_log(w->ctx, "%s sends %zu octets verbatim", kr_peer_name(up), len);
	return 0;
}

/* ---- session resets -------------------------------------------------------- */

static int check_peer(struct kr_world *w, enum kr_peer p)
{
	if (p > KR_DN2 || !w->sp[p])
		return kr_error(w->ctx, "%s is not a harness peer in this case", kr_peer_name(p));
	return 0;
}

int kr_w_peer_down(struct kr_world *w, enum kr_peer p)
{
	if (check_peer(w, p) < 0)
		return -1;
	struct kr_bgp_session *s = kr_speaker_session(w->sp[p]);
	if (!kr_bgp_session_established(s))
		return kr_error(w->ctx, "%s: the session is not up", kr_peer_name(p));
	/* the SUT may refuse the first reconnection while it closes the old
	 * session: not a breakdown */
	kr_w_expect_down(w, 1u << p, false);
	kr_log(w->ctx, "%s resets its session with the SUT (NOTIFICATION Cease)", kr_peer_name(p));
	kr_speaker_stop(w->sp[p]);
	return 0;
}

int kr_w_resend(struct kr_world *w, enum kr_peer up)
{
	size_t n = 0;
	for (size_t i = 0; i < w->nsent; i++) {
		struct kr_wsent *e = &w->sent[i];
		if (e->up != up || !e->live)
			continue;
		if (kr_speaker_send_raw(w->sp[up], e->msg.p, e->msg.len) < 0)
			return kr_error(w->ctx, "%s: session down while sending its routes again", kr_peer_name(up));
		n++;
	}
	if (n) {
		w->last_up = up;
		w->have_last_up = true;
	}
	kr_log(w->ctx, "%s sends its %zu route%s again, byte for byte", kr_peer_name(up), n, n == 1 ? "" : "s");
	return 0;
}

static bool established(void *sp)
{
	return kr_bgp_session_established(kr_speaker_session(sp));
}

int kr_w_peer_up(struct kr_world *w, enum kr_peer p, bool resend)
{
	if (check_peer(w, p) < 0)
		return -1;
	struct kr_err err = { 0 };
	int64_t t = kr_now_ns();
	if (kr_speaker_start(w->sp[p], &err) < 0)
		return kr_error(w->ctx, "%s: %s", kr_peer_name(p), err.msg);
	/* The peer retries its connection every ConnectRetry (RFC 4271 §8.2.2,
	 * Active state) for as long as the SUT refuses it: a speaker may stay
	 * Idle after a session went down (IdleHoldTime, §8.1.1; Quagga 5-15 s
	 * after a NOTIFICATION), declared as the profile's idle_hold_ms, on
	 * top of one retry (1 s) and the usual allowance. */
	int64_t dl = kr_w_deadline(w, KR_W_ANNOUNCE) + 1000000000LL +
		     kr_sut_cap_int(w->prof, "idle_hold_ms", 0) * 1000000LL;
	int rc = kr_w_run_until(w, established, w->sp[p], dl);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		struct kr_bgp_session *s = kr_speaker_session(w->sp[p]);
		kr_expect(w->ctx, "the SUT takes the session with %s back within %.2f s", kr_peer_name(p),
			  kr_ns_to_s(dl - t));
		return kr_fail(w->ctx, "%s%s%s", kr_bgp_state_name(kr_bgp_session_state(s)),
			       kr_bgp_session_downs(s) ? ": " : "",
			       kr_bgp_session_downs(s) ? kr_bgp_session_last_down(s)->text : "");
	}
	kr_w_expect_up(w);
	kr_log(w->ctx, "%s: session with the SUT up again after %.3f s", kr_peer_name(p),
	       kr_ns_to_s(kr_now_ns() - t));
	if (resend && (p == KR_UP1 || p == KR_UP2))
		return kr_w_resend(w, p);
	return 0;
}

/* ---- observation ---------------------------------------------------------- */

struct kr_obs *kr_w_obs(struct kr_world *w, enum kr_peer dn)
{
	if (dn == KR_EXA && w->exa)
		return kr_exa_obs(w->exa);
	if (dn <= KR_EXA && w->sp[dn])
		return kr_speaker_obs(w->sp[dn]);
	return NULL;
}

bool kr_w_observes(struct kr_world *w, enum kr_peer p)
{
	return kr_w_obs(w, p) != NULL;
}

/* now: also validate it under today's keys (a signature check: not in
 * wait predicates, which run after every event). */
static void fill(struct kr_obs *o, const struct kr_obs_route *r, struct kr_wroute *out, bool now)
{
	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	out->present = r->present;
	out->bgpsec = r->is_signed;
	out->valid = r->is_signed && r->verdict == KR_VALID;
	out->nhops = r->nhops;
	if (r->is_signed && r->nhops) {
		const uint8_t *s = kr_obs_hop_ski(o, r, 0), *g = kr_obs_hop_ski(o, r, r->nhops - 1u);
		if (s)
			memcpy(out->sut_ski, s, KR_SKI_LEN);
		if (g)
			memcpy(out->origin_ski, g, KR_SKI_LEN);
		for (size_t i = 0; i < r->nhops && i < KR_W_MAX_HOPS; i++) {
			const uint8_t *h = kr_obs_hop_ski(o, r, i);
			out->hop_asn[i] = kr_obs_hop_asn(r, i);
			if (h)
				memcpy(out->hop_ski[i], h, KR_SKI_LEN);
		}
	}
	uint8_t bad = 0xff;
	int vnow = now && r->present && r->is_signed ? kr_obs_verdict_now(o, r, &bad) : -1;
	out->valid_now = vnow == KR_VALID;
	if (vnow >= 0 && vnow != KR_VALID && bad != 0xff) {
		const uint8_t *s = kr_obs_hop_ski(o, r, bad);
		if (s)
			memcpy(out->bad_ski, s, KR_SKI_LEN);
	}
	out->announcements = r->n_ann;
	out->withdrawals = r->n_wd;
	for (size_t i = r->nhist; i-- > 0;)
		if (r->hist[i].kind == KR_OBS_ANNOUNCE) {
			out->t_ns = r->hist[i].t;
			break;
		}
	if (!r->nhist && r->present)
		out->t_ns = r->t_last; /* compact observers keep no history */
}

int kr_w_route(struct kr_world *w, enum kr_peer dn, const char *prefix, struct kr_wroute *out)
{
	struct kr_prefix p;
	if (parse_prefix(w, prefix, &p) < 0)
		return -1;
	struct kr_obs *o = kr_w_obs(w, dn);
	if (!o)
		return kr_error(w->ctx, "%s is not an observer in this case", kr_peer_name(dn));
	fill(o, kr_obs_find(o, &p), out, true);
	return 0;
}

struct wait_arg {
	struct kr_world *w;
	unsigned mask;
	struct kr_prefix p;
	const uint8_t *sut_ski, *origin_ski;
	int64_t since;
	bool absent;
	const uint8_t *any_ski;  /* a signature by it at some hop */
	bool any_form;           /* present is enough, signed or not */
};

static bool has_hop_ski(const struct kr_wroute *r, const uint8_t *ski)
{
	for (size_t i = 0; i < r->nhops && i < KR_W_MAX_HOPS; i++)
		if (!memcmp(r->hop_ski[i], ski, KR_SKI_LEN))
			return true;
	return false;
}

static bool holds(void *arg)
{
	struct wait_arg *a = arg;
	for (int d = 0; d < KR_NPEERS; d++) {
		if (!(a->mask & (1u << d)))
			continue;
		struct kr_obs *o = kr_w_obs(a->w, (enum kr_peer)d);
		struct kr_wroute r;
		fill(o, o ? kr_obs_find(o, &a->p) : NULL, &r, false);
		if (a->absent) {
			if (r.present)
				return false;
			continue;
		}
		if (!r.present || (a->since && r.t_ns < a->since))
			return false;
		if (d == KR_EXA || a->any_form)
			continue; /* plain peer: no signatures to judge */
		if (!r.bgpsec || !r.valid)
			return false;
		if (a->sut_ski && memcmp(r.sut_ski, a->sut_ski, KR_SKI_LEN))
			return false;
		if (a->origin_ski && memcmp(r.origin_ski, a->origin_ski, KR_SKI_LEN))
			return false;
		if (a->any_ski && !has_hop_ski(&r, a->any_ski))
			return false;
	}
	return true;
}

static int wait_for(struct kr_world *w, struct wait_arg *a, const char *prefix, int64_t deadline)
{
	if (parse_prefix(w, prefix, &a->p) < 0)
		return -1;
	for (int d = 0; d < KR_NPEERS; d++)
		if ((a->mask & (1u << d)) && !kr_w_obs(w, (enum kr_peer)d))
			return kr_error(w->ctx, "%s is not an observer in this case", kr_peer_name(d));
	return kr_w_run_until(w, holds, a, deadline);
}

int kr_w_wait_present(struct kr_world *w, unsigned mask, const char *prefix, const uint8_t *sut_ski,
		      const uint8_t *origin_ski, int64_t since_ns, int64_t deadline)
{
	struct wait_arg a = { w, mask, { 0 }, sut_ski, origin_ski, since_ns, false, NULL, false };
	return wait_for(w, &a, prefix, deadline);
}

int kr_w_wait_signed(struct kr_world *w, unsigned mask, const char *prefix, const uint8_t *ski,
		     int64_t since_ns, int64_t deadline)
{
	struct wait_arg a = { w, mask, { 0 }, NULL, NULL, since_ns, false, ski, false };
	return wait_for(w, &a, prefix, deadline);
}

int kr_w_wait_announced(struct kr_world *w, unsigned mask, const char *prefix, int64_t since_ns,
			int64_t deadline)
{
	struct wait_arg a = { w, mask, { 0 }, NULL, NULL, since_ns, false, NULL, true };
	return wait_for(w, &a, prefix, deadline);
}

int kr_w_route_refresh(struct kr_world *w, enum kr_peer p)
{
	struct kr_speaker *sp = p < KR_NPEERS ? w->sp[p] : NULL;
	if (!sp)
		return kr_error(w->ctx, "%s has no harness session", kr_peer_name(p));
	if (!kr_bgp_session_neg(kr_speaker_session(sp))->route_refresh) {
		kr_log(w->ctx, "%s: the SUT did not negotiate ROUTE-REFRESH; none sent", kr_peer_name(p));
		return 1;
	}
	/* RFC 2918 §3: header, AFI, reserved, SAFI */
	uint8_t m[23];
	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = 23;
	m[18] = KR_BGP_ROUTE_REFRESH;
	m[19] = 0;
	m[20] = kr_w_family(w) == 6 ? KR_AFI_IPV6 : KR_AFI_IPV4;
	m[21] = 0;
	m[22] = KR_SAFI_UNICAST;
	if (kr_speaker_send_raw(sp, m, sizeof(m)) < 0)
		return kr_error(w->ctx, "%s: session down while sending ROUTE-REFRESH", kr_peer_name(p));
	kr_log(w->ctx, "%s sends ROUTE-REFRESH (%s unicast)", kr_peer_name(p),
	       kr_family_name(kr_w_family(w)));
	return 0;
}

int kr_w_wait_absent(struct kr_world *w, unsigned mask, const char *prefix, int64_t deadline)
{
	struct wait_arg a = { w, mask, { 0 }, NULL, NULL, 0, true, NULL, false };
	return wait_for(w, &a, prefix, deadline);
}

/* Barrier re-sends: a route validated before the SUT applied the key is
 * Not Valid, and a SUT need not re-validate it for the barrier to hold.
 * Each re-send is freshly signed, so it replaces the route and is
 * validated anew; the gap between them doubles from RESEND_NS: a SUT that
 * validates asynchronously and advertises on a timer (QuaggaSRx: srx_server
 * answers, bgpd sends on a 1 s tick) never advertises a route replaced
 * every 100 ms, and gets a quiet spell longer than its timer this way. */
#define RESEND_NS 100000000LL

/* A fresh sentinel prefix of the case's family: a SUT may keep
 * per-family queues, and only the same session and family promise an
 * order. */
static void sentinel_prefix_of(struct kr_world *w, int family, char pfx[48])
{
	if (family == 6)
		snprintf(pfx, 48, "2001:db8:ffff:%x::/64", w->sentinels++ % 4096);
	else
		snprintf(pfx, 48, "192.0.2.%u/32", 128 + (w->sentinels++ % 128));
}

static void sentinel_prefix(struct kr_world *w, char pfx[48])
{
	sentinel_prefix_of(w, kr_w_family(w), pfx);
}

static int sentinel_with(struct kr_world *w, enum kr_peer up, struct kr_wkey *k, unsigned mask,
			 int64_t deadline, bool resend)
{
	char pfx[48];
	sentinel_prefix(w, pfx);
	int64_t t = kr_now_ns();
	if (kr_w_announce(w, up, pfx, k) < 0)
		return -1;
	kr_expect(w->ctx, "sentinel %s from %s, signed with %s, reaches every observer", pfx, kr_peer_name(up),
		  k->name);
	int rc;
	for (int64_t gap = RESEND_NS;; gap *= 2) {
		int64_t until = resend && deadline - kr_now_ns() > gap ? kr_now_ns() + gap : deadline;
		rc = kr_w_wait_present(w, mask, pfx, NULL, kr_wkey_ski(k), t, until);
		if (rc != 0 || until >= deadline)
			break;
		if (kr_w_announce(w, up, pfx, k) < 0)
			return -1;
	}
	if (rc == 1)
		kr_log(w->ctx, "sentinel %s from %s arrived after %.3f s", pfx, kr_peer_name(up),
		       kr_ns_to_s(kr_now_ns() - t));
	return rc;
}

int kr_w_plain_sentinel(struct kr_world *w, enum kr_peer up, unsigned mask)
{
	char pfx[48];
	sentinel_prefix(w, pfx);
	struct kr_prefix p;
	if (check_up(w, up) < 0 || parse_prefix(w, pfx, &p) < 0)
		return -1;
	struct kr_announce a = { .prefix = p };
	uint8_t buf[KR_BGP_MAX_LEN];
	size_t len;
	if (build_send(w, up, &a, pfx, buf, &len) < 0)
		return -1;
	int64_t t = kr_now_ns();
	kr_log(w->ctx, "%s announces %s unsigned (plain sentinel)", kr_peer_name(up), pfx);
	struct wait_arg wa = { w, mask, { 0 }, NULL, NULL, t, false, NULL, true };
	int rc = wait_for(w, &wa, pfx, kr_w_deadline(w, KR_W_ANNOUNCE));
	if (rc == 1)
		kr_log(w->ctx, "plain sentinel %s from %s arrived after %.3f s", pfx, kr_peer_name(up),
		       kr_ns_to_s(kr_now_ns() - t));
	return rc;
}

/* The newest published key of `up` (its current one after a rollover). */
static struct kr_wkey *newest_published(struct kr_world *w, enum kr_peer up)
{
	struct kr_wkey *best = NULL;
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		if (k->owner == up && k->published && !k->forged && (!best || k->gen > best->gen))
			best = k;
	}
	return best;
}

int kr_w_sentinel_on(struct kr_world *w, enum kr_peer up, unsigned mask, int64_t deadline)
{
	struct kr_wkey *k = newest_published(w, up);
	if (!k)
		return kr_error(w->ctx, "no published key of %s for a sentinel", kr_peer_name(up));
	return sentinel_with(w, up, k, mask, deadline, false);
}

int kr_w_sentinel(struct kr_world *w, unsigned mask)
{
	/* Absence is only meaningful when the sentinel travels behind the
	 * UPDATE under test on the same session: two upstream sessions are
	 * read by the SUT in no defined order. */
	if (w->have_last_up) {
		enum kr_peer up = w->last_up, other = up == KR_UP1 ? KR_UP2 : KR_UP1;
		struct kr_wkey *k = newest_published(w, up);
		if (k) {
			/* the sender never gets its own sentinel back: it gets
			 * one from the other upstream, sent after the first
			 * arrived everywhere else */
			int rc = 1;
			if (mask & ~(1u << up))
				rc = sentinel_with(w, up, k, mask & ~(1u << up), kr_w_deadline(w, KR_W_ANNOUNCE), false);
			if (rc != 1 || !(mask & (1u << up)))
				return rc;
			struct kr_wkey *k2 = newest_published(w, other);
			if (!k2)
				return kr_error(w->ctx, "no published key of %s for the sentinel to %s",
						kr_peer_name(other), kr_peer_name(up));
			rc = sentinel_with(w, other, k2, 1u << up, kr_w_deadline(w, KR_W_ANNOUNCE), false);
			w->last_up = up; /* still the session of the UPDATE under test */
			return rc;
		}
	}
	struct kr_wkey *k = kr_w_key(w, KR_UP2, 0);
	if (!k)
		return -1;
	if (!k->published)
		return kr_error(w->ctx, "the sentinel key %s is not published", k->name);
	return sentinel_with(w, KR_UP2, k, mask, kr_w_deadline(w, KR_W_ANNOUNCE), false);
}

/* An IPv6 barrier failed: is it the key or the family? The same key on
 * an IPv4 route tells (a SUT that cannot handle IPv6 BGPsec UPDATEs, as
 * QuaggaSRx's srx_server, otherwise reads as one that ignores RTR). On
 * arrival `what` says so; 0, or -1 on a harness error. */
static int ipv4_with_key(struct kr_world *w, struct kr_wkey *k, char *what, size_t n)
{
	char pfx[48];
	sentinel_prefix_of(w, 4, pfx);
	int64_t t = kr_now_ns();
	if (kr_w_announce(w, KR_UP2, pfx, k) < 0)
		return -1;
	kr_log(w->ctx, "diagnosis: is it IPv6? up2 announces IPv4 %s signed with the same key", pfx);
	int rc = kr_w_wait_present(w, KR_DOWNSTREAM, pfx, NULL, kr_wkey_ski(k), t, kr_w_deadline(w, KR_W_ANNOUNCE));
	if (rc < 0)
		return -1;
	if (rc == 1)
		snprintf(what, n, "the IPv4 route %s signed with the same key did, after %.3f s", pfx,
			 kr_ns_to_s(kr_now_ns() - t));
	kr_log(w->ctx, "diagnosis: IPv4 %s %s", pfx, rc == 1 ? "arrived" : "did not arrive either");
	return 0;
}

static int barrier(struct kr_world *w, bool judged)
{
	/* RTR data reach the SUT in serial order, so once a route signed with
	 * a key first published after the change validates downstream, the
	 * SUT has applied the change too. "Synchronised" on the cache side
	 * only says the End of Data went out. */
	struct kr_wkey *k = kr_w_key(w, KR_UP2, 100 + w->barriers++);
	/* (under the pipeline a CA publication, waited for on the wire) */
	if (!k || (w->srtr && !w->pipe ? kr_w_rtr_add(w, k) : kr_w_publish(w, k)) < 0)
		return -1;
	int rc = sentinel_with(w, KR_UP2, k, KR_DOWNSTREAM, kr_w_deadline(w, KR_W_RTR), true);
	if (rc == 0) {
		char v4[160] = "";
		if (kr_w_family(w) == 6 && ipv4_with_key(w, k, v4, sizeof(v4)) < 0)
			return -1;
		kr_expect(w->ctx, "a route signed with %s, published after the RTR change, valid at dn1 and dn2 "
				  "within %.2f s (RTR barrier)", k->name, kr_w_deadline_s(w, KR_W_RTR));
		if (v4[0])
			return (judged ? kr_fail : kr_fail_pre)(w->ctx, "it did not arrive, but %s: the SUT has the key "
								      "and does not pass on IPv6 BGPsec routes", v4);
		unsigned v[3] = { 0, 0, 0 };
		bool v0 = !w->srtr && kr_w_rtr_versions(w, v) == 0 && v[0] && !v[1];
		return (judged ? kr_fail : kr_fail_pre)(w->ctx, "it did not arrive: the SUT does not take up newly "
							      "published keys%s",
							v0 ? " (its RTR client speaks version 0, which has no "
							     "Router Key PDUs)" : "");
	}
	return rc < 0 ? -1 : 0;
}

int kr_w_rtr_barrier(struct kr_world *w)
{
	return barrier(w, false);
}

int kr_w_rtr_pickup(struct kr_world *w)
{
	return barrier(w, true);
}

/* Announcements since t: all (ski NULL), signed by ski in the SUT's
 * segment, or (other) signed by any other key there. *first: the prefix
 * and time of the earliest one counted. */
static size_t count_since(struct kr_world *w, enum kr_peer dn, const uint8_t *ski, bool other, int64_t t,
			  struct kr_wfirst *first)
{
	struct kr_obs *o = kr_w_obs(w, dn);
	if (first)
		memset(first, 0, sizeof(*first));
	if (!o)
		return 0;
	uint32_t id = ski ? kr_obs_ski_id(o, ski) : 0;
	if (ski && id == 0 && !other)
		return 0; /* never seen at all */
	size_t n = 0;
	for (size_t i = 0; i < kr_obs_count(o); i++) {
		const struct kr_obs_route *r = kr_obs_at(o, i);
		for (size_t j = 0; j < r->nhist; j++) {
			const struct kr_obs_ev *e = &r->hist[j];
			if (e->kind != KR_OBS_ANNOUNCE || e->t < t)
				continue;
			if (other ? !e->is_signed || e->ski_id == id : ski && e->ski_id != id)
				continue;
			n++;
			if (first && (!first->t_ns || e->t < first->t_ns)) {
				first->t_ns = e->t;
				kr_prefix_format(&r->pfx, first->prefix, sizeof(first->prefix));
				const uint8_t *s = kr_obs_ski(o, e->ski_id);
				if (s)
					memcpy(first->ski, s, KR_SKI_LEN);
			}
		}
	}
	return n;
}

size_t kr_w_updates_since(struct kr_world *w, enum kr_peer dn, int64_t t_ns)
{
	return count_since(w, dn, NULL, false, t_ns, NULL);
}

size_t kr_w_signed_since(struct kr_world *w, enum kr_peer dn, const uint8_t *ski, int64_t t_ns)
{
	return count_since(w, dn, ski, false, t_ns, NULL);
}

size_t kr_w_signed_other_since(struct kr_world *w, enum kr_peer dn, const uint8_t *ski, int64_t t_ns,
			       struct kr_wfirst *first)
{
	return count_since(w, dn, ski, true, t_ns, first);
}

bool kr_w_saw_bgpsec_path(struct kr_world *w, enum kr_peer dn)
{
	if (dn == KR_EXA)
		return w->exa && kr_exa_leaks(w->exa) > 0;
	struct kr_obs *o = kr_w_obs(w, dn);
	if (!o)
		return false;
	for (size_t i = 0; i < kr_obs_count(o); i++)
		if (kr_obs_at(o, i)->is_signed)
			return true;
	return false;
}
