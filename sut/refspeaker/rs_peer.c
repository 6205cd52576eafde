/* Sessions of the reference speaker and what it sends on them (Adj-RIB-Out).
 * The BGP transport is the harness session code (bgp_session.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_faults.h"
#include "rs_speaker.h"

const char *rs_role_name(enum rs_role r) { return r == RS_ROLE_ORIGIN ? "origin" : "transit"; }

enum rs_role rs_dest_role(const struct rs_dest *d)
{
	return d->best == RS_BEST_LOCAL ? RS_ROLE_ORIGIN : RS_ROLE_TRANSIT;
}

/* Our addresses on the session become the next hops we announce. */
static void learn_next_hops(struct rs_speaker *sp, struct rs_peer *p)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	uint32_t rid = htonl(sp->cfg.router_id);
	memcpy(p->nh4, &rid, 4);
	memset(p->nh6, 0, 16);
	int fd = kr_bgp_session_fd(p->s);
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			memcpy(p->nh4, &((struct sockaddr_in *)&ss)->sin_addr, 4);
			/* IPv6 routes over an IPv4 session: configured next hop, else
			 * the IPv4-mapped address (RFC 4291 §2.5.5.2) */
			if (sp->cfg.has_nh6) {
				memcpy(p->nh6, sp->cfg.nh6, 16);
			} else {
				p->nh6[10] = p->nh6[11] = 0xff;
				memcpy(p->nh6 + 12, p->nh4, 4);
			}
		} else if (ss.ss_family == AF_INET6) {
			memcpy(p->nh6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		}
	}
}

/* May q get routes of this address family? */
static bool family_ok(const struct rs_peer *q, uint16_t afi)
{
	if (!q->cfg->family[afi])
		return false;
	if (q->neg.mp[afi])
		return true;
	/* RFC 4760: without any MP capability, IPv4 unicast is implied */
	return afi == KR_AFI_IPV4 && !q->peer_mp_any;
}

/* ---- ordered output --------------------------------------------------------- */

/* Jobs are kept for reuse with their buffers: a twilight makes one per
 * route and peer, and a buffer the worker allocated but the loop thread
 * freed went back to the worker's arena under its lock. Only the loop
 * thread takes and returns jobs; a worker grows j->b.msg only for a message
 * larger than any before it. */
#define OUT_POOL_MAX 16384

/* A job's buffers, kept with it in the pool. */
struct out_bufs {
	uint8_t *msg;        /* what goes out (built by run() for a signed one) */
	uint8_t *in;         /* the stored UPDATE whose path is extended */
	size_t msg_cap, in_cap;
};

struct out_job {
	struct rs_job j;
	struct out_job *pool_next;
	struct out_bufs b;
	struct rs_speaker *sp;
	size_t peer;
	uint32_t epoch;
	size_t len;          /* of b.msg */
	/* signing (run != NULL) */
	struct kr_key key;   /* by value: rekeys drain the jobs first */
	uint32_t target;
	struct kr_prefix pfx;
	uint8_t origin, nh_len;
	uint8_t nh[16];
	size_t max_len;
	size_t in_len;       /* of b.in; 0: ours */
	bool failed, corrupt;
	char why[200];
};

/* Room for n octets in *buf; false when out of memory. */
static bool reserve(uint8_t **buf, size_t *cap, size_t n)
{
	if (n <= *cap)
		return true;
	size_t c = n < 512 ? 512 : n;
	uint8_t *b = realloc(*buf, c);
	if (!b)
		return false;
	*buf = b;
	*cap = c;
	return true;
}

static struct out_job *job_get(struct rs_speaker *sp)
{
	struct out_job *j = sp->out_pool;
	if (!j)
		return calloc(1, sizeof *j);
	sp->out_pool = j->pool_next;
	sp->out_pooled--;
	struct out_bufs b = j->b;
	memset(j, 0, sizeof *j);
	j->b = b;
	return j;
}

static void job_free(struct out_job *j)
{
	free(j->b.in);
	free(j->b.msg);
	free(j);
}

static void job_put(struct rs_speaker *sp, struct out_job *j)
{
	if (sp->out_pooled >= OUT_POOL_MAX) {
		job_free(j);
		return;
	}
	j->pool_next = sp->out_pool;
	sp->out_pool = j;
	sp->out_pooled++;
}

void rs_out_pool_free(struct rs_speaker *sp)
{
	while (sp->out_pool) {
		struct out_job *j = sp->out_pool;
		sp->out_pool = j->pool_next;
		job_free(j);
	}
	sp->out_pooled = 0;
}

static void out_done(struct rs_job *jj)
{
	struct out_job *j = (struct out_job *)jj;
	struct rs_speaker *sp = j->sp;
	struct rs_peer *q = &sp->peers[j->peer];
	if (j->failed)
		rs_log("%s: %s", q->name, j->why);
	else if (q->up && q->epoch == j->epoch && j->len && kr_bgp_send_raw(q->s, j->b.msg, j->len) == 0)
		sp->st.updates_out++;
	job_put(sp, j);
}

void rs_send_ordered(struct rs_speaker *sp, struct rs_peer *q, const uint8_t *msg, size_t len)
{
	if (!sp->work)
		return; /* shutting down */
	struct out_job *j = job_get(sp);
	if (!j || !reserve(&j->b.msg, &j->b.msg_cap, len)) {
		if (j)
			job_put(sp, j);
		rs_log("%s: out of memory, message dropped", q->name);
		return;
	}
	memcpy(j->b.msg, msg, len);
	j->sp = sp;
	j->peer = q->idx;
	j->epoch = q->epoch;
	j->len = len;
	j->j.done = out_done;
	rs_work_submit(sp->work, &j->j);
}

/* Worker: extend the stored path by our signature for the peer and build
 * the UPDATE (RFC 8205 §4.2). */
static void out_sign(struct rs_job *jj, struct rs_wctx *w)
{
	struct out_job *j = (struct out_job *)jj;
	struct kr_err e;
	kr_err_clear(&e);
	const struct kr_bgpsec_path *in = NULL;
	if (j->in_len) {
		if (kr_update_decode(w->u, j->b.in, j->in_len, KR_ATTR_BGPSEC_PATH, &e) < 0) {
			j->failed = true;
			snprintf(j->why, sizeof j->why, "internal: stored UPDATE does not decode: %.150s", e.msg);
			return;
		}
		in = &w->u->bgpsec;
		j->origin = w->u->i_origin >= 0 ? w->u->origin : 0;
	}
	if (kr_bgpsec_sign_ctx(w->cc, &j->key, j->target, 1, 0, in, j->pfx.afi, KR_SAFI_UNICAST, &j->pfx, NULL,
			       w->bp, w->store, &e) < 0) {
		j->failed = true;
		snprintf(j->why, sizeof j->why, "signing failed: %.150s", e.msg);
		return;
	}
	struct kr_route_out r;
	memset(&r, 0, sizeof r);
	r.prefix = j->pfx;
	r.origin = j->origin;
	r.next_hop = j->nh;
	r.next_hop_len = j->nh_len;
	r.bgpsec = w->bp;
	if (j->corrupt) /* fault: a byte of our ECDSA r value flipped */
		((uint8_t *)w->bp->blocks[0].segs[0].sig)[8] ^= 0x5a;
	uint8_t buf[KR_BGP_EXT_MAX_LEN];
	size_t len;
	if (kr_update_build(&r, j->max_len, buf, sizeof buf, &len, &e) < 0 || !reserve(&j->b.msg, &j->b.msg_cap, len)) {
		j->failed = true;
		snprintf(j->why, sizeof j->why, "UPDATE not built: %.150s", e.msg[0] ? e.msg : "out of memory");
		return;
	}
	memcpy(j->b.msg, buf, len);
	j->len = len;
}

static int send_withdraw(struct rs_speaker *sp, struct rs_dest *d, struct rs_peer *q)
{
	struct rs_out *o = &d->out[q->idx];
	o->sent = false;
	if (rs_fault.no_downstream_withdraw) {
		char b[64];
		kr_prefix_format(&d->pfx, b, sizeof b);
		rs_log("fault no-downstream-withdraw: %s not withdrawn towards %s", b, q->name);
		return 0;
	}
	struct kr_err e;
	kr_err_clear(&e);
	uint8_t m[128];
	size_t len;
	if (kr_update_build_withdraw(&d->pfx, 1, q->neg.max_len, m, sizeof m, &len, &e) < 0) {
		rs_log("%s: withdraw failed: %s", q->name, e.msg);
		return 0;
	}
	rs_send_ordered(sp, q, m, len);
	sp->st.withdraws_out++;
	return 1;
}

/* AS_PATH for a plain peer: our AS, then the route's path (RFC 8205 §4.4
 * rebuilt from the Secure_Path for signed routes). */
static size_t build_as_path(const struct rs_speaker *sp, const struct kr_update *u, bool from_bgpsec,
			    uint32_t *as, size_t cap)
{
	size_t n = 0;
	as[n++] = sp->cfg.asn;
	if (!u)
		return n;
	if (from_bgpsec) {
		for (size_t i = 0; i < u->bgpsec.nhops; i++) /* wire order: newest first */
			for (unsigned k = 0; k < u->bgpsec.sp[i].pcount && n < cap; k++)
				as[n++] = u->bgpsec.sp[i].asn;
		return n;
	}
	for (size_t i = 0; i < u->nas_segs; i++) {
		const struct kr_as_seg *s = &u->as_segs[i];
		/* an AS_SET counts as one hop; flatten its first member */
		size_t cnt = s->type == 1 ? (s->count ? 1 : 0) : s->count;
		for (size_t k = 0; k < cnt && n < cap; k++) {
			const uint8_t *a = s->asns + 4 * k;
			as[n++] = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		}
	}
	return n;
}

/* Queue a signing job for d towards q. 0 or -1. */
static int export_signed(struct rs_speaker *sp, struct rs_dest *d, struct rs_peer *q, const struct rs_path *bp,
			 enum rs_role role)
{
	const struct kr_key *key = rs_key_for(sp, role, q);
	if (!key) {
		rs_log("%s: no %s key to sign with", q->name, rs_role_name(role));
		return -1;
	}
	struct out_job *j = job_get(sp);
	if (!j || (bp && !reserve(&j->b.in, &j->b.in_cap, bp->msg_len))) {
		if (j)
			job_put(sp, j);
		rs_log("%s: out of memory, UPDATE dropped", q->name);
		return -1;
	}
	if (bp) {
		memcpy(j->b.in, bp->msg, bp->msg_len);
		j->in_len = bp->msg_len;
	}
	j->sp = sp;
	j->peer = q->idx;
	j->epoch = q->epoch;
	j->key = *key;
	j->target = q->neg.peer_as; /* signed for this peer's AS (RFC 8205 §4.1, §4.2) */
	j->pfx = d->pfx;
	j->nh_len = d->pfx.afi == KR_AFI_IPV4 ? 4 : 16;
	memcpy(j->nh, d->pfx.afi == KR_AFI_IPV4 ? q->nh4 : q->nh6, j->nh_len);
	j->max_len = q->neg.max_len;
	j->corrupt = rs_fault.corrupt_signatures_after_10k && sp->st.signed_out++ >= 10000;
	j->j.run = out_sign;
	j->j.done = out_done;
	rs_work_submit(sp->work, &j->j);
	return 0;
}

int rs_export(struct rs_speaker *sp, struct rs_dest *d, struct rs_peer *q, bool force)
{
	if (!q->up)
		return 0;
	struct rs_out *o = &d->out[q->idx];
	const struct rs_path *bp = rs_dest_best(d);
	bool have = d->best == RS_BEST_LOCAL || bp;
	if (d->best == (int)q->idx)
		have = false; /* never back to where it came from */
	if (bp && rs_path_has_as(bp, q->cfg->asn))
		have = false; /* the peer would drop it as a loop */
	if (!family_ok(q, d->pfx.afi))
		have = false;
	if (!have)
		return o->sent ? send_withdraw(sp, d, q) : 0;

	/* a path whose only signature block has an unsupported suite is
	 * unsigned: never propagated as BGPsec (RFC 8205 §4.2, §5.2) */
	bool signed_route = d->best == RS_BEST_LOCAL || (bp->bgpsec && bp->val != RS_UNSIGNED);
	bool as_bgpsec = signed_route && q->neg.bgpsec_send[d->pfx.afi];
	if (signed_route && !as_bgpsec && rs_fault.bgpsec_to_plain_peer)
		as_bgpsec = true; /* fault: ignores what the peer negotiated */
	enum rs_role role = rs_dest_role(d);
	uint64_t pid = bp ? bp->id : 0;
	if (!force && o->sent && o->path_id == pid && o->bgpsec == as_bgpsec)
		return 0;
	if (rs_fault.twilight_withdraw_gap && o->sent && o->path_id != pid && bp && bp->bgpsec) {
		if (rs_log_route(sp))
			rs_log("fault twilight-withdraw-gap: withdraw before the replacement");
		send_withdraw(sp, d, q); /* fault: no implicit replace */
	}

	const struct kr_update *u = NULL;
	struct kr_err e;
	kr_err_clear(&e);
	/* a signed export is decoded by its worker (out_sign) */
	if (bp && !as_bgpsec) {
		if (kr_update_decode(sp->u, bp->msg, bp->msg_len, KR_ATTR_BGPSEC_PATH, &e) < 0) {
			rs_log("internal: stored UPDATE does not decode: %.150s", e.msg);
			return 0;
		}
		u = sp->u;
	}
	if (as_bgpsec) {
		if (export_signed(sp, d, q, bp, role) < 0)
			return 0;
	} else {
		struct kr_route_out r;
		memset(&r, 0, sizeof r);
		r.prefix = d->pfx;
		r.origin = u && u->i_origin >= 0 ? u->origin : 0;
		r.next_hop = d->pfx.afi == KR_AFI_IPV4 ? q->nh4 : q->nh6;
		r.next_hop_len = d->pfx.afi == KR_AFI_IPV4 ? 4 : 16;
		uint32_t as[KR_MAX_HOPS * 4];
		r.as_path = as;
		r.as_path_len = build_as_path(sp, u, bp && bp->bgpsec, as, sizeof as / sizeof as[0]);
		r.omit_next_hop = rs_fault.no_next_hop; /* fault: ORIGIN and AS_PATH only */
		uint8_t m[KR_BGP_EXT_MAX_LEN];
		size_t len;
		if (kr_update_build(&r, q->neg.max_len, m, sizeof m, &len, &e) < 0) {
			rs_log("%s: UPDATE not sent: %s", q->name, e.msg);
			return 0;
		}
		rs_send_ordered(sp, q, m, len);
	}
	o->sent = true;
	o->bgpsec = as_bgpsec;
	o->role = (uint8_t)role;
	o->path_id = pid;
	o->key_gen = as_bgpsec ? q->key_gen[role] : 0;
	return 1;
}

void rs_decide_and_export(struct rs_speaker *sp, struct rs_dest *d)
{
	rs_rib_decide(sp->rib, d, sp->cfg.policy);
	for (size_t i = 0; i < sp->cfg.npeers; i++)
		rs_export(sp, d, &sp->peers[i], false);
}

/* The whole Adj-RIB-Out to q, a slice at a time; End-of-RIB after. */
static void dump(struct rs_speaker *sp, struct rs_peer *q, bool eor)
{
	struct rs_walk *w = calloc(1, sizeof *w);
	if (!w) {
		rs_log("%s: out of memory, routes not sent", q->name);
		return;
	}
	w->kind = RS_WALK_DUMP;
	w->q = q;
	w->force = true;
	w->eor = eor;
	rs_walk_start(sp, w);
}

static void on_established(struct kr_bgp_session *s, void *arg)
{
	struct rs_peer *p = arg;
	struct rs_speaker *sp = p->sp;
	p->neg = *kr_bgp_session_neg(s);
	const struct kr_open *po = kr_bgp_session_peer_open_decoded(s);
	p->peer_mp_any = po && (po->mp[KR_AFI_IPV4] || po->mp[KR_AFI_IPV6]);
	learn_next_hops(sp, p);
	p->up = true;
	rs_keys_peer_up(sp, p);
	rs_log("%s: Established (AS %u; BGPsec send v4 %d v6 %d, receive v4 %d v6 %d)", p->name,
	       p->neg.peer_as, p->neg.bgpsec_send[1], p->neg.bgpsec_send[2],
	       p->neg.bgpsec_recv[1], p->neg.bgpsec_recv[2]);
	if (p->neg.peer_as != p->cfg->asn)
		rs_log("%s: peer AS %u differs from the configured %u", p->name, p->neg.peer_as,
		       p->cfg->asn);
	dump(sp, p, true);
}

static void on_update(struct kr_bgp_session *s, const uint8_t *msg, size_t len,
		      const struct kr_update *u, const struct kr_err *err, void *arg)
{
	struct rs_peer *p = arg;
	rs_on_update(p->sp, p, msg, len, u, err);
}

static void on_message(struct kr_bgp_session *s, uint8_t type, const uint8_t *msg, size_t len,
		       int64_t when_ns, void *arg)
{
	struct rs_peer *p = arg;
	if (type != KR_BGP_ROUTE_REFRESH || !p->up)
		return;
	/* RFC 2918: send the Adj-RIB-Out again */
	rs_log("%s: ROUTE-REFRESH, re-sending routes", p->name);
	dump(p->sp, p, false);
}

static void on_down(struct kr_bgp_session *s, const struct kr_bgp_down *why, void *arg)
{
	struct rs_peer *p = arg;
	bool was_up = p->up;
	p->up = false;
	rs_log("%s: down: %s", p->name, why->text);
	p->epoch++; /* what is still queued for it is dropped */
	rs_walks_cancel(p->sp, p);
	if (was_up) {
		rs_keys_peer_down(p->sp, p);
		rs_peer_down_routes(p->sp, p);
	}
}

static void on_writable(struct kr_bgp_session *s, void *arg)
{
	struct rs_peer *p = arg;
	rs_walks_pump(p->sp);
}

static void on_accept(int fd, const struct sockaddr *peer, socklen_t plen, void *arg)
{
	struct rs_speaker *sp = arg;
	char b[80];
	kr_sockaddr_format(peer, b, sizeof b);
	struct rs_addr a;
	memset(&a, 0, sizeof a);
	if (peer->sa_family == AF_INET) {
		a.family = AF_INET;
		memcpy(a.raw, &((const struct sockaddr_in *)peer)->sin_addr, 4);
	} else if (peer->sa_family == AF_INET6) {
		a.family = AF_INET6;
		memcpy(a.raw, &((const struct sockaddr_in6 *)peer)->sin6_addr, 16);
	}
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		struct rs_peer *p = &sp->peers[i];
		if (!rs_addr_eq(&p->cfg->addr, &a))
			continue;
		if (!p->cfg->passive) {
			rs_log("connection from %s refused: peer is configured active", b);
			close(fd);
			return;
		}
		if (kr_bgp_session_accept(p->s, fd) < 0)
			rs_log("connection from %s refused: session busy (%s)", b,
			       kr_bgp_state_name(kr_bgp_session_state(p->s)));
		return;
	}
	rs_log("connection from %s refused: not a configured peer", b);
	close(fd);
}

int rs_peers_start(struct rs_speaker *sp, struct kr_err *err)
{
	const struct rs_config *c = &sp->cfg;
	static const struct kr_bgp_cbs cbs = { .on_established = on_established,
					       .on_update = on_update,
					       .on_message = on_message,
					       .on_down = on_down,
					       .on_writable = on_writable };
	for (size_t i = 0; i < c->nlisten; i++) {
		struct rs_addr la = c->listen[i];
		if (la.family == AF_INET)
			((struct sockaddr_in *)&la.ss)->sin_port = htons(c->listen_port);
		else
			((struct sockaddr_in6 *)&la.ss)->sin6_port = htons(c->listen_port);
		int fd = kr_bgp_listen_socket((struct sockaddr *)&la.ss, la.len, NULL, NULL, err);
		if (fd < 0)
			return -1;
		sp->listeners[i] = kr_bgp_listener_new(sp->loop, fd, on_accept, sp);
		if (!sp->listeners[i]) {
			close(fd);
			kr_err_set(err, 1, 0, "listener: out of memory");
			return -1;
		}
	}
	for (size_t i = 0; i < c->npeers; i++) {
		struct rs_peer *p = &sp->peers[i];
		const struct rs_peer_cfg *pc = &c->peers[i];
		p->idx = i;
		p->sp = sp;
		p->cfg = pc;
		char a[INET6_ADDRSTRLEN];
		rs_addr_format(&pc->addr, a, sizeof a);
		snprintf(p->name, sizeof p->name, "peer %s AS%u", a, pc->asn);
		struct kr_bgp_cfg bc;
		kr_bgp_cfg_init(&bc);
		bc.open.asn = c->asn;
		bc.open.bgp_id = c->router_id;
		bc.open.hold_time = c->hold_time;
		bc.open.route_refresh = true;
		for (int afi = 1; afi <= 2; afi++) {
			bc.open.mp[afi] = pc->family[afi];
			bc.open.bgpsec_send[afi] = pc->sec_send[afi];
			bc.open.bgpsec_recv[afi] = pc->sec_recv[afi];
		}
		bc.peer_as = pc->asn;
		bc.passive = pc->passive;
		memcpy(&bc.remote, &pc->addr.ss, pc->addr.len);
		bc.remote_len = pc->addr.len;
		if (pc->addr.family == AF_INET)
			((struct sockaddr_in *)&bc.remote)->sin_port = htons(pc->port);
		else
			((struct sockaddr_in6 *)&bc.remote)->sin6_port = htons(pc->port);
		if (pc->has_local) {
			memcpy(&bc.local, &pc->local.ss, pc->local.len);
			bc.local_len = pc->local.len;
		}
		bc.auto_restart = true;
		bc.update_err = KR_UPD_ERR_DELIVER; /* RFC 7606 decisions are ours */
		bc.bgpsec_type = KR_ATTR_BGPSEC_PATH;
		bc.name = p->name;
		p->s = kr_bgp_session_new(sp->loop, &bc, &cbs, p);
		if (!p->s) {
			kr_err_set(err, 1, 0, "%s: out of memory", p->name);
			return -1;
		}
		if (kr_bgp_session_start(p->s) < 0) {
			kr_err_set(err, 1, 0, "%s: cannot start session", p->name);
			return -1;
		}
	}
	return 0;
}

void rs_peers_stop(struct rs_speaker *sp)
{
	for (size_t i = 0; i < RS_MAX_LISTEN; i++)
		if (sp->listeners[i]) {
			kr_bgp_listener_free(sp->listeners[i]);
			sp->listeners[i] = NULL;
		}
	for (size_t i = 0; i < sp->cfg.npeers; i++)
		if (sp->peers[i].s) {
			kr_bgp_session_stop(sp->peers[i].s);
			/* the withdrawals its routes cause go out to the peers still
			 * up, before their own Cease (as one thread would) */
			if (sp->work)
				rs_work_drain(sp->work);
		}
	/* let the Cease NOTIFICATIONs leave */
	int64_t dl = kr_now_ns() + 200 * 1000000LL;
	for (size_t i = 0; i < sp->cfg.npeers; i++)
		while (sp->peers[i].s && kr_bgp_out_pending(sp->peers[i].s) &&
		       kr_now_ns() < dl && kr_bgp_flush(sp->peers[i].s))
			kr_loop_run_once(sp->loop, 10 * 1000000LL);
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		if (sp->peers[i].twilight_timer)
			kr_loop_cancel(sp->loop, sp->peers[i].twilight_timer);
		kr_bgp_session_free(sp->peers[i].s);
		sp->peers[i].s = NULL;
	}
}
