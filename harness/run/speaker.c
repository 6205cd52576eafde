/* Harness speaker; see speaker.h. */
#include "run/speaker.h"

#include "net/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec_ent {
	int64_t t;
	size_t off;
	uint32_t len;
	uint8_t type;
};

struct kr_speaker {
	struct kr_loop *loop;
	struct kr_speaker_cfg cfg;
	char name[32];
	struct kr_bgp_session *s;
	struct kr_bgp_listener *ls;
	struct kr_obs *obs;
	struct kr_bytes rec;
	struct rec_ent *ents;
	size_t nents, capents;
	size_t updates_in;
	uint8_t nh4[4], nh6[16];
	bool have_nh4, have_nh6;
	struct kr_sigstore *store;
	struct kr_bgpsec_path *path;
	struct kr_crypto_ctx *cc;
	uint8_t *buf;
	uint16_t port;
};

int kr_ns_socket_fn(void *arg, int family, int type)
{
	const struct kr_ns_sock *ns = arg;
	return kr_net_socket(ns->net, ns->node, family, type | SOCK_NONBLOCK, 0);
}

void kr_speaker_cfg_init(struct kr_speaker_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->port = 179;
	c->hold_time = 90;
	c->afi[KR_AFI_IPV4] = c->afi[KR_AFI_IPV6] = true;
	c->update_err = KR_UPD_ERR_DELIVER;
	c->record = true;
}

static void sp_msg(struct kr_bgp_session *s, uint8_t type, const uint8_t *m, size_t len, int64_t t,
		   void *arg)
{
	struct kr_speaker *sp = arg;
	if (!sp->cfg.record)
		return;
	if (sp->nents == sp->capents) {
		size_t nc = sp->capents ? sp->capents * 2 : 256;
		struct rec_ent *ne = realloc(sp->ents, nc * sizeof *ne);
		if (!ne)
			return;
		sp->ents = ne;
		sp->capents = nc;
	}
	size_t off = sp->rec.len;
	if (kr_bytes_append(&sp->rec, m, len) < 0)
		return;
	sp->ents[sp->nents++] = (struct rec_ent){ t, off, (uint32_t)len, type };
}

static void sp_update(struct kr_bgp_session *s, const uint8_t *m, size_t len, const struct kr_update *u,
		      const struct kr_err *e, void *arg)
{
	struct kr_speaker *sp = arg;
	sp->updates_in++;
	if (sp->obs)
		kr_obs_ingest(sp->obs, m, len, u, kr_now_ns());
	if (sp->cfg.on_update)
		sp->cfg.on_update(sp, m, len, u, sp->cfg.hook_arg);
}

static void sp_down(struct kr_bgp_session *s, const struct kr_bgp_down *why, void *arg)
{
	struct kr_speaker *sp = arg;
	if (sp->cfg.on_down)
		sp->cfg.on_down(sp, why, sp->cfg.hook_arg);
}

static void sp_established(struct kr_bgp_session *s, void *arg)
{
	struct kr_speaker *sp = arg;
	if (sp->obs)
		kr_obs_set_peer(sp->obs, sp->cfg.asn, kr_bgp_session_neg(s)->peer_as);
	/* Default next hops: our own end of the session. */
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(kr_bgp_session_fd(s), (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET && !sp->have_nh4) {
			memcpy(sp->nh4, &((struct sockaddr_in *)&ss)->sin_addr, 4);
			sp->have_nh4 = true;
		} else if (ss.ss_family == AF_INET6 && !sp->have_nh6) {
			memcpy(sp->nh6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
			sp->have_nh6 = true;
		}
	}
}

static void sp_accept(int fd, const struct sockaddr *peer, socklen_t pl, void *arg)
{
	struct kr_speaker *sp = arg;
	kr_bgp_session_accept(sp->s, fd); /* closes fd when busy */
}

struct kr_speaker *kr_speaker_new(struct kr_loop *l, const struct kr_speaker_cfg *c, struct kr_err *err)
{
	struct kr_speaker *sp = calloc(1, sizeof *sp);
	if (!sp) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	sp->loop = l;
	sp->cfg = *c;
	snprintf(sp->name, sizeof sp->name, "%s", c->name ? c->name : "speaker");
	sp->cfg.name = sp->name;
	sp->buf = malloc(KR_BGP_EXT_MAX_LEN);
	sp->store = malloc(sizeof *sp->store);
	sp->path = malloc(sizeof *sp->path);
	sp->cc = kr_crypto_ctx_new();
	if (!sp->buf || !sp->store || !sp->path || !sp->cc)
		goto nomem;
	if (c->nh4) {
		if (inet_pton(AF_INET, c->nh4, sp->nh4) != 1) {
			kr_err_set(err, EINVAL, 0, "%s: bad IPv4 next hop '%s'", sp->name, c->nh4);
			goto fail;
		}
		sp->have_nh4 = true;
	}
	if (c->nh6) {
		if (inet_pton(AF_INET6, c->nh6, sp->nh6) != 1) {
			kr_err_set(err, EINVAL, 0, "%s: bad IPv6 next hop '%s'", sp->name, c->nh6);
			goto fail;
		}
		sp->have_nh6 = true;
	}
	struct kr_bgp_cfg bc;
	kr_bgp_cfg_init(&bc);
	bc.name = sp->name;
	bc.open.asn = c->asn;
	bc.open.bgp_id = c->bgp_id;
	bc.open.hold_time = c->hold_time ? c->hold_time : 90;
	bc.open.no_as4 = c->no_as4;
	bc.open.ext_msg = c->ext_msg;
	bc.open.route_refresh = true;
	for (int a = 1; a <= 2; a++) {
		bc.open.mp[a] = c->afi[a];
		bc.open.bgpsec_send[a] = c->bgpsec_send[a];
		bc.open.bgpsec_recv[a] = c->bgpsec_recv[a];
	}
	bc.open_raw = c->open_raw;
	bc.open_raw_len = c->open_raw_len;
	bc.peer_as = c->peer_as;
	bc.passive = c->passive;
	bc.socket_fn = c->socket_fn;
	bc.socket_arg = c->socket_arg;
	bc.auto_restart = c->auto_restart;
	if (c->connect_retry_ms)
		bc.connect_retry_ns = (int64_t)c->connect_retry_ms * 1000000;
	bc.update_err = c->update_err;
	/* nobody looks at what it receives (a full table's upstream): no decode */
	bc.count_updates_only = !c->record && !c->observe && !c->on_update && c->update_err == KR_UPD_ERR_DELIVER;
	uint16_t port = c->port;
	if (!c->passive) {
		if (!c->peer_ip || kr_sockaddr_parse(c->peer_ip, port, &bc.remote, &bc.remote_len) < 0) {
			kr_err_set(err, EINVAL, 0, "%s: bad peer address '%s'", sp->name,
				   c->peer_ip ? c->peer_ip : "(none)");
			goto fail;
		}
		if (c->local_ip && kr_sockaddr_parse(c->local_ip, 0, &bc.local, &bc.local_len) < 0) {
			kr_err_set(err, EINVAL, 0, "%s: bad local address '%s'", sp->name, c->local_ip);
			goto fail;
		}
	}
	static const struct kr_bgp_cbs cbs = { .on_established = sp_established,
					       .on_update = sp_update,
					       .on_message = sp_msg,
					       .on_down = sp_down };
	sp->s = kr_bgp_session_new(l, &bc, &cbs, sp);
	if (!sp->s) {
		kr_err_set(err, EINVAL, 0, "%s: cannot create the session (bad OPEN config?)", sp->name);
		goto fail;
	}
	if (c->observe) {
		struct kr_obs_cfg oc;
		kr_obs_cfg_init(&oc);
		oc.keys = c->keys;
		oc.my_as = c->asn;
		oc.peer_as = c->peer_as;
		oc.name = sp->name;
		oc.compact = c->obs_compact;
		oc.keep_history = !c->obs_compact;
		oc.sample_mod = c->obs_sample_mod;
		sp->obs = kr_obs_new(&oc);
		if (!sp->obs)
			goto nomem;
	}
	return sp;
nomem:
	kr_err_set(err, ENOMEM, 0, "out of memory");
fail:
	kr_speaker_free(sp);
	return NULL;
}

void kr_speaker_free(struct kr_speaker *sp)
{
	if (!sp)
		return;
	kr_bgp_session_free(sp->s);
	kr_bgp_listener_free(sp->ls);
	kr_obs_free(sp->obs);
	kr_bytes_free(&sp->rec);
	free(sp->ents);
	free(sp->store);
	free(sp->path);
	kr_crypto_ctx_free(sp->cc);
	free(sp->buf);
	free(sp);
}

int kr_speaker_start(struct kr_speaker *sp, struct kr_err *err)
{
	if (sp->cfg.passive && !sp->ls) {
		struct sockaddr_storage ss;
		socklen_t sl;
		const char *ip = sp->cfg.local_ip ? sp->cfg.local_ip : "0.0.0.0";
		if (kr_sockaddr_parse(ip, sp->cfg.port, &ss, &sl) < 0) {
			kr_err_set(err, EINVAL, 0, "%s: bad listen address '%s'", sp->name, ip);
			return -1;
		}
		int fd = kr_bgp_listen_socket((struct sockaddr *)&ss, sl, sp->cfg.socket_fn,
					      sp->cfg.socket_arg, err);
		if (fd < 0)
			return -1;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			sp->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
							       : ((struct sockaddr_in6 *)&ss)->sin6_port);
		sp->ls = kr_bgp_listener_new(sp->loop, fd, sp_accept, sp);
		if (!sp->ls) {
			kr_err_set(err, ENOMEM, 0, "%s: listener", sp->name);
			return -1;
		}
	}
	return kr_bgp_session_start(sp->s);
}

void kr_speaker_stop(struct kr_speaker *sp) { kr_bgp_session_stop(sp->s); }

struct kr_bgp_session *kr_speaker_session(struct kr_speaker *sp) { return sp->s; }
uint16_t kr_speaker_listen_port(const struct kr_speaker *sp) { return sp->port; }
struct kr_obs *kr_speaker_obs(struct kr_speaker *sp) { return sp->obs; }
const char *kr_speaker_name(const struct kr_speaker *sp) { return sp->name; }
uint32_t kr_speaker_asn(const struct kr_speaker *sp) { return sp->cfg.asn; }
size_t kr_speaker_nrec(const struct kr_speaker *sp) { return sp->nents; }
size_t kr_speaker_updates_received(const struct kr_speaker *sp) { return sp->updates_in; }

struct kr_rec_msg kr_speaker_rec(const struct kr_speaker *sp, size_t i)
{
	struct kr_rec_msg m = { 0 };
	if (i < sp->nents) {
		m.t = sp->ents[i].t;
		m.type = sp->ents[i].type;
		m.len = sp->ents[i].len;
		m.bytes = sp->rec.p + sp->ents[i].off;
	}
	return m;
}

struct waitall {
	struct kr_speaker *const *sps;
	size_t n;
};

static bool all_up(void *arg)
{
	struct waitall *w = arg;
	for (size_t i = 0; i < w->n; i++)
		if (!kr_bgp_session_established(w->sps[i]->s))
			return false;
	return true;
}

int kr_speakers_wait_established(struct kr_speaker *const *sps, size_t n, int64_t deadline_ns)
{
	if (!n)
		return 1;
	struct waitall w = { sps, n };
	return kr_loop_run_until(sps[0]->loop, all_up, &w, deadline_ns);
}

int kr_speaker_wait_established(struct kr_speaker *sp, int64_t deadline_ns)
{
	return kr_speakers_wait_established(&sp, 1, deadline_ns);
}

/* ---- injection ---------------------------------------------------------- */

int kr_speaker_build(struct kr_speaker *sp, const struct kr_announce *a, uint8_t *out, size_t cap,
		     size_t *len, struct kr_err *err)
{
	const struct kr_bgp_neg *neg = kr_bgp_session_neg(sp->s);
	bool up = kr_bgp_session_established(sp->s);
	uint32_t peer_as = a->target_as ? a->target_as : up ? neg->peer_as : sp->cfg.peer_as;
	size_t max_len = up ? neg->max_len : KR_BGP_MAX_LEN;
	struct kr_route_out r = { 0 };
	r.prefix = a->prefix;
	if (a->prefix.afi == KR_AFI_IPV4 && sp->have_nh4) {
		r.next_hop = sp->nh4;
		r.next_hop_len = 4;
	} else if (a->prefix.afi == KR_AFI_IPV6 && sp->have_nh6) {
		r.next_hop = sp->nh6;
		r.next_hop_len = 16;
	} else {
		kr_err_set(err, KR_WE_INVALID, 0, "%s: no IPv%c next hop known (set nh%c)", sp->name,
			   a->prefix.afi == KR_AFI_IPV4 ? '4' : '6', a->prefix.afi == KR_AFI_IPV4 ? '4' : '6');
		return -1;
	}
	uint32_t own = sp->cfg.asn;
	r.as_path = a->as_path ? a->as_path : &own;
	r.as_path_len = a->as_path ? a->as_path_len : 1;
	r.force_as_path = a->force_as_path;
	r.extra = a->extra;
	r.nextra = a->nextra;
	if (a->nkeys) {
		if (!peer_as) {
			kr_err_set(err, KR_WE_INVALID, 0, "%s: target AS unknown (not Established, no peer_as)",
				   sp->name);
			return -1;
		}
		/* One path signed in place; the store is indexed by hop. */
		for (size_t i = 0; i < a->nkeys; i++) {
			uint32_t target = i + 1 < a->nkeys ? a->keys[i + 1]->asn : peer_as;
			if (kr_bgpsec_sign_ctx(sp->cc, a->keys[i], target, a->pcount ? a->pcount : 1, 0,
					       i ? sp->path : NULL, a->prefix.afi, KR_SAFI_UNICAST,
					       &a->prefix, NULL, sp->path, sp->store, err) < 0)
				return -1;
		}
		r.bgpsec = sp->path;
	}
	return kr_update_build(&r, max_len, out, cap, len, err);
}

int kr_speaker_announce(struct kr_speaker *sp, const struct kr_announce *a, struct kr_err *err)
{
	size_t len;
	if (!kr_bgp_session_established(sp->s)) {
		kr_err_set(err, KR_WE_INVALID, 0, "%s: session not Established", sp->name);
		return -1;
	}
	if (kr_speaker_build(sp, a, sp->buf, KR_BGP_EXT_MAX_LEN, &len, err) < 0)
		return -1;
	return kr_bgp_send_raw(sp->s, sp->buf, len);
}

int kr_speaker_withdraw(struct kr_speaker *sp, const struct kr_prefix *p, size_t n, struct kr_err *err)
{
	return kr_bgp_send_withdraw(sp->s, p, n, err);
}

int kr_speaker_send_raw(struct kr_speaker *sp, const uint8_t *bytes, size_t len)
{
	return kr_bgp_send_raw(sp->s, bytes, len);
}

int kr_speaker_send_batch(struct kr_speaker *sp, const uint8_t *msgs, const size_t *lens, size_t n,
			  int64_t deadline_ns)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		while (!kr_bgp_can_send(sp->s)) {
			if (kr_bgp_session_fd(sp->s) < 0 || kr_now_ns() > deadline_ns)
				return -1;
			kr_loop_run_once(sp->loop, 10000000);
		}
		/* Consecutive messages go to the queue in one append. */
		size_t j = i, bytes = 0;
		while (j < n && bytes < 65536)
			bytes += lens[j++];
		if (kr_bgp_send_raw(sp->s, msgs + off, bytes) < 0)
			return -1;
		off += bytes;
		i = j - 1;
	}
	return 0;
}
