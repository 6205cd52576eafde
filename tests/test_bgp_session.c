/* BGP session and FSM tests: two sessions on loopback, and raw sockets that
 * misbehave (partial writes, bad marker, messages in the wrong state,
 * silence until the hold timer fires). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/bgp_session.h"
#include "cu.h"

#define S(x) ((int64_t)(x) * 1000000000LL)

struct side {
	struct kr_bgp_session *s;
	int established, downs, updates, writable;
	struct kr_bgp_down down;
	uint8_t last[4096];
	size_t last_len;
	bool last_decoded;
};

static void on_est(struct kr_bgp_session *s, void *arg) { ((struct side *)arg)->established++; }
static void on_upd(struct kr_bgp_session *s, const uint8_t *m, size_t len, const struct kr_update *u,
		   const struct kr_err *e, void *arg)
{
	struct side *d = arg;
	d->updates++;
	if (len <= sizeof d->last) {
		memcpy(d->last, m, len);
		d->last_len = len;
	}
	d->last_decoded = u != NULL;
}
static void on_down(struct kr_bgp_session *s, const struct kr_bgp_down *w, void *arg)
{
	struct side *d = arg;
	d->downs++;
	d->down = *w;
}
static void on_wr(struct kr_bgp_session *s, void *arg) { ((struct side *)arg)->writable++; }

static const struct kr_bgp_cbs cbs = { .on_established = on_est, .on_update = on_upd,
				       .on_down = on_down, .on_writable = on_wr };

struct pair {
	struct kr_loop *l;
	struct kr_bgp_listener *ls;
	struct side a, p; /* active, passive */
	uint16_t port;
};

static void accept_cb(int fd, const struct sockaddr *sa, socklen_t sl, void *arg)
{
	struct pair *pr = arg;
	if (!pr->p.s || kr_bgp_session_accept(pr->p.s, fd) < 0)
		return; /* accept closed it */
}

static uint16_t listen_with(struct pair *pr, kr_bgp_accept_fn fn, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	kr_sockaddr_parse("127.0.0.1", 0, &ss, &sl);
	struct kr_err e;
	int fd = kr_bgp_listen_socket((struct sockaddr *)&ss, sl, NULL, NULL, &e);
	CU_ASSERT_FATAL(fd >= 0);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	pr->ls = kr_bgp_listener_new(pr->l, fd, fn, arg);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static uint16_t listen_any(struct pair *pr)
{
	return listen_with(pr, accept_cb, pr);
}

static void base_cfg(struct kr_bgp_cfg *c, uint32_t asn, uint32_t id)
{
	kr_bgp_cfg_init(c);
	c->open.asn = asn;
	c->open.bgp_id = id;
	c->open.mp[KR_AFI_IPV4] = c->open.mp[KR_AFI_IPV6] = true;
}

static void pair_start(struct pair *pr, struct kr_bgp_cfg *ca, struct kr_bgp_cfg *cp)
{
	pr->l = kr_loop_new();
	pr->port = listen_any(pr);
	cp->passive = true;
	cp->name = "passive";
	ca->name = "active";
	kr_sockaddr_parse("127.0.0.1", pr->port, &ca->remote, &ca->remote_len);
	pr->p.s = kr_bgp_session_new(pr->l, cp, &cbs, &pr->p);
	pr->a.s = kr_bgp_session_new(pr->l, ca, &cbs, &pr->a);
	CU_ASSERT_FATAL(pr->a.s && pr->p.s);
	kr_bgp_session_start(pr->p.s);
	kr_bgp_session_start(pr->a.s);
}

static bool both_up(void *arg)
{
	struct pair *pr = arg;
	return pr->a.established && pr->p.established;
}

static void pair_free(struct pair *pr)
{
	kr_bgp_session_free(pr->a.s);
	kr_bgp_session_free(pr->p.s);
	kr_bgp_listener_free(pr->ls);
	kr_loop_free(pr->l);
}

static void t_fsm_table(void)
{
	struct kr_bgp_transition t = kr_bgp_fsm_lookup(KR_BGP_ESTABLISHED, KR_BE_KEEPALIVE);
	CU_ASSERT(t.next == KR_BGP_ESTABLISHED && t.action == KR_BA_RESTART_HOLD);
	t = kr_bgp_fsm_lookup(KR_BGP_OPENCONFIRM, KR_BE_KEEPALIVE);
	CU_ASSERT(t.next == KR_BGP_ESTABLISHED && t.action == KR_BA_ESTABLISH);
	t = kr_bgp_fsm_lookup(KR_BGP_OPENSENT, KR_BE_UPDATE);
	CU_ASSERT(t.next == KR_BGP_IDLE && t.action == KR_BA_NOTIFY_FSM);
	t = kr_bgp_fsm_lookup(KR_BGP_IDLE, KR_BE_UPDATE);
	CU_ASSERT(t.next == KR_BGP_IDLE && t.action == KR_BA_NONE);
	t = kr_bgp_fsm_lookup(KR_BGP_ESTABLISHED, KR_BE_HOLD_EXPIRES);
	CU_ASSERT(t.next == KR_BGP_IDLE && t.action == KR_BA_NOTIFY_HOLD);
	CU_ASSERT_STRING_EQUAL(kr_bgp_state_name(KR_BGP_OPENCONFIRM), "OpenConfirm");
	CU_ASSERT_STRING_EQUAL(kr_bgp_event_name(KR_BE_UPDATE_ERR), "UpdateMsgErr");
}

/* RFC 8205 §2.2 on decoded OPENs, without sockets. */
static void neg_of(const struct kr_open_cfg *a, const struct kr_open_cfg *b, struct kr_bgp_neg *n)
{
	uint8_t ba[512], bb[512];
	size_t la, lb;
	struct kr_open oa, ob;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_open_build(a, ba, sizeof ba, &la, &e) == 0);
	CU_ASSERT_FATAL(kr_open_build(b, bb, sizeof bb, &lb, &e) == 0);
	CU_ASSERT_FATAL(kr_open_decode(&oa, ba, la, &e) == 0);
	CU_ASSERT_FATAL(kr_open_decode(&ob, bb, lb, &e) == 0);
	kr_bgp_negotiate(&oa, &ob, n);
}

static void t_negotiate(void)
{
	struct kr_open_cfg a = { .asn = 65536, .hold_time = 90, .bgp_id = 1 }, b = a;
	a.mp[1] = a.mp[2] = b.mp[1] = b.mp[2] = true;
	b.asn = 64496;
	b.hold_time = 30;
	a.bgpsec_send[1] = a.bgpsec_recv[1] = a.bgpsec_send[2] = a.bgpsec_recv[2] = true;
	b.bgpsec_send[1] = b.bgpsec_recv[1] = true;
	b.bgpsec_recv[2] = true; /* IPv6 receive only */
	struct kr_bgp_neg n;
	neg_of(&a, &b, &n);
	CU_ASSERT_EQUAL(n.peer_as, 64496);
	CU_ASSERT_EQUAL(n.hold_time, 30);
	CU_ASSERT(n.bgpsec_send[1] && n.bgpsec_recv[1]);
	CU_ASSERT(n.bgpsec_send[2] && !n.bgpsec_recv[2]);
	neg_of(&b, &a, &n);
	CU_ASSERT_EQUAL(n.peer_as, 65536);
	CU_ASSERT(!n.bgpsec_send[2] && n.bgpsec_recv[2]);
	/* no 4-octet AS capability on one side: no BGPsec at all */
	b.no_as4 = true;
	neg_of(&a, &b, &n);
	CU_ASSERT(!n.bgpsec_send[1] && !n.bgpsec_recv[1] && !n.bgpsec_send[2]);
	CU_ASSERT(!n.peer_as4 && n.peer_bgpsec_any);
	neg_of(&b, &a, &n);
	CU_ASSERT(!n.bgpsec_send[1] && !n.bgpsec_recv[1] && !n.local_as4 && n.peer_as4);
	/* extended messages only when both advertise */
	a.ext_msg = true;
	b.no_as4 = false;
	neg_of(&a, &b, &n);
	CU_ASSERT(!n.ext_msg && n.max_len == 4096);
	b.ext_msg = true;
	neg_of(&a, &b, &n);
	CU_ASSERT(n.ext_msg && n.max_len == 65535);
}

static size_t build_route(uint8_t *out, size_t cap, const char *pfx)
{
	struct kr_route_out r = { 0 };
	kr_prefix_parse(&r.prefix, pfx);
	static const uint8_t nh[4] = { 198, 18, 0, 1 };
	static const uint32_t path[] = { 65536 };
	r.next_hop = nh;
	r.next_hop_len = 4;
	r.as_path = path;
	r.as_path_len = 1;
	size_t len = 0;
	struct kr_err e;
	CU_ASSERT(kr_update_build(&r, 4096, out, cap, &len, &e) == 0);
	return len;
}

static bool got_updates(void *arg)
{
	struct side *d = arg;
	return d->updates >= 1;
}

static bool is_down(void *arg) { return ((struct side *)arg)->downs > 0; }

static void t_establish_exchange_stop(void)
{
	struct pair pr = { 0 };
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 0xC6120001);
	base_cfg(&cp, 64496, 0xC6120002);
	ca.peer_as = 64496;
	cp.peer_as = 65536;
	ca.open.bgpsec_send[1] = ca.open.bgpsec_recv[1] = true;
	cp.open.bgpsec_recv[1] = true;
	pair_start(&pr, &ca, &cp);
	CU_ASSERT_FATAL(kr_loop_run_until(pr.l, both_up, &pr, kr_now_ns() + S(5)) == 1);
	const struct kr_bgp_neg *na = kr_bgp_session_neg(pr.a.s), *np = kr_bgp_session_neg(pr.p.s);
	CU_ASSERT_EQUAL(na->peer_as, 64496);
	CU_ASSERT_EQUAL(np->peer_as, 65536);
	CU_ASSERT(na->bgpsec_send[1] && !na->bgpsec_recv[1] && !na->bgpsec_send[2]);
	CU_ASSERT(np->bgpsec_recv[1] && !np->bgpsec_send[1]);
	size_t olen;
	CU_ASSERT_PTR_NOT_NULL(kr_bgp_session_peer_open(pr.p.s, &olen));

	uint8_t m[4096];
	size_t len = build_route(m, sizeof m, "203.0.113.0/24");
	CU_ASSERT(kr_bgp_send_raw(pr.a.s, m, len) == 0);
	CU_ASSERT(kr_loop_run_until(pr.l, got_updates, &pr.p, kr_now_ns() + S(5)) == 1);
	CU_ASSERT_EQUAL(pr.p.last_len, len);
	CU_ASSERT(memcmp(pr.p.last, m, len) == 0);
	CU_ASSERT(pr.p.last_decoded);

	/* built UPDATE and withdraw through the session */
	struct kr_prefix p;
	kr_prefix_parse(&p, "2001:db8:1::/48");
	struct kr_err e;
	CU_ASSERT(kr_bgp_send_withdraw(pr.p.s, &p, 1, &e) == 0);
	CU_ASSERT(kr_loop_run_until(pr.l, got_updates, &pr.a, kr_now_ns() + S(5)) == 1);

	kr_bgp_session_stop(pr.a.s);
	CU_ASSERT(kr_loop_run_until(pr.l, is_down, &pr.p, kr_now_ns() + S(5)) == 1);
	CU_ASSERT_EQUAL(pr.p.down.reason, KR_DOWN_NOTIF_RCVD);
	CU_ASSERT(pr.p.down.code == 6 && pr.p.down.subcode == 2);
	CU_ASSERT_EQUAL(pr.a.down.reason, KR_DOWN_STOPPED);
	CU_ASSERT_EQUAL(kr_bgp_session_state(pr.a.s), KR_BGP_IDLE);
	pair_free(&pr);
}

static void t_bad_peer_as(void)
{
	struct pair pr = { 0 };
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 1);
	base_cfg(&cp, 64496, 2);
	cp.peer_as = 65537; /* wrong on purpose */
	pair_start(&pr, &ca, &cp);
	CU_ASSERT(kr_loop_run_until(pr.l, is_down, &pr.a, kr_now_ns() + S(5)) == 1);
	CU_ASSERT(pr.a.down.reason == KR_DOWN_NOTIF_RCVD && pr.a.down.code == 2 &&
		  pr.a.down.subcode == 2);
	CU_ASSERT(pr.p.down.reason == KR_DOWN_NOTIF_SENT && pr.p.down.code == 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(pr.p.down.text, "expected 65537"));
	pair_free(&pr);
}

static void t_require_bgpsec(void)
{
	struct pair pr = { 0 };
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 1);
	base_cfg(&cp, 64496, 2);
	ca.open.no_as4 = true;
	ca.open.bgpsec_send[1] = ca.open.bgpsec_recv[1] = true;
	cp.open.bgpsec_send[1] = cp.open.bgpsec_recv[1] = true;
	cp.require_bgpsec = true; /* peer omits AS4: BGPsec cannot be negotiated */
	pair_start(&pr, &ca, &cp);
	CU_ASSERT(kr_loop_run_until(pr.l, is_down, &pr.a, kr_now_ns() + S(5)) == 1);
	CU_ASSERT(pr.a.down.code == 2 && pr.a.down.subcode == 7);
	pair_free(&pr);
}

static void t_backpressure(void)
{
	struct pair pr = { 0 };
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 1);
	base_cfg(&cp, 64496, 2);
	ca.out_high_water = 64 * 1024;
	pair_start(&pr, &ca, &cp);
	CU_ASSERT_FATAL(kr_loop_run_until(pr.l, both_up, &pr, kr_now_ns() + S(5)) == 1);
	uint8_t m[4096];
	size_t len = build_route(m, sizeof m, "198.51.100.0/24");
	int sent = 0, blocked = 0;
	int64_t dl = kr_now_ns() + S(10);
	while (sent < 200000 && kr_now_ns() < dl) {
		if (!kr_bgp_can_send(pr.a.s)) {
			blocked++;
			kr_loop_run_once(pr.l, 100000000);
			continue;
		}
		kr_bgp_send_raw(pr.a.s, m, len);
		sent++;
	}
	CU_ASSERT_EQUAL(sent, 200000);
	CU_ASSERT(blocked > 0);
	while (pr.p.updates < sent && kr_now_ns() < dl)
		kr_loop_run_once(pr.l, 100000000);
	CU_ASSERT_EQUAL(pr.p.updates, sent);
	CU_ASSERT(pr.a.writable > 0);
	CU_ASSERT_EQUAL(kr_bgp_session_stats(pr.a.s)->updates_out, (uint64_t)sent);
	pair_free(&pr);
}

/* ---- raw peer against a passive session -------------------------------- */

struct rawt {
	struct pair pr;
	int fd;
	uint8_t buf[8192];
	size_t len;
};

static void raw_setup(struct rawt *t, uint16_t hold)
{
	memset(t, 0, sizeof *t);
	struct kr_bgp_cfg cp;
	base_cfg(&cp, 64496, 2);
	cp.passive = true;
	cp.name = "passive";
	cp.open.hold_time = hold;
	t->pr.l = kr_loop_new();
	t->pr.port = listen_any(&t->pr);
	t->pr.p.s = kr_bgp_session_new(t->pr.l, &cp, &cbs, &t->pr.p);
	kr_bgp_session_start(t->pr.p.s);
	struct sockaddr_storage ss;
	socklen_t sl;
	kr_sockaddr_parse("127.0.0.1", t->pr.port, &ss, &sl);
	t->fd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(connect(t->fd, (struct sockaddr *)&ss, sl) == 0);
}

static void raw_free(struct rawt *t)
{
	close(t->fd);
	kr_bgp_session_free(t->pr.p.s);
	kr_bgp_listener_free(t->pr.ls);
	kr_loop_free(t->pr.l);
}

/* Predicate: read what the session sent; true once a NOTIFICATION is in. */
static bool raw_got_notif(void *arg)
{
	struct rawt *t = arg;
	ssize_t n = recv(t->fd, t->buf + t->len, sizeof t->buf - t->len, MSG_DONTWAIT);
	if (n > 0)
		t->len += (size_t)n;
	for (size_t off = 0; off + 19 <= t->len;) {
		size_t ml = (size_t)(t->buf[off + 16] << 8 | t->buf[off + 17]);
		if (ml < 19 || off + ml > t->len)
			break;
		if (t->buf[off + 18] == KR_BGP_NOTIFICATION)
			return true;
		off += ml;
	}
	return false;
}

static const uint8_t *raw_notif(struct rawt *t)
{
	for (size_t off = 0; off + 19 <= t->len;) {
		size_t ml = (size_t)(t->buf[off + 16] << 8 | t->buf[off + 17]);
		if (t->buf[off + 18] == KR_BGP_NOTIFICATION)
			return t->buf + off + 19;
		off += ml;
	}
	return NULL;
}

static size_t raw_open(uint8_t *o, size_t cap, uint16_t hold)
{
	struct kr_open_cfg c = { .asn = 65540, .hold_time = hold, .bgp_id = 7 };
	c.mp[1] = true;
	size_t len;
	struct kr_err e;
	CU_ASSERT(kr_open_build(&c, o, cap, &len, &e) == 0);
	return len;
}

static bool st_is(void *arg)
{
	struct rawt *t = arg;
	return kr_bgp_session_state(t->pr.p.s) == KR_BGP_OPENCONFIRM;
}

static void t_partial_reads(void)
{
	struct rawt t;
	raw_setup(&t, 90);
	uint8_t o[512];
	size_t len = raw_open(o, sizeof o, 90);
	for (size_t i = 0; i < len; i++) {
		CU_ASSERT(write(t.fd, o + i, 1) == 1);
		kr_loop_run_once(t.pr.l, 1000000);
	}
	CU_ASSERT(kr_loop_run_until(t.pr.l, st_is, &t, kr_now_ns() + S(5)) == 1);
	uint8_t ka[19];
	size_t kl;
	kr_keepalive_build(ka, sizeof ka, &kl);
	CU_ASSERT(write(t.fd, ka, 10) == 10);
	kr_loop_run_once(t.pr.l, 1000000);
	CU_ASSERT(write(t.fd, ka + 10, 9) == 9);
	CU_ASSERT(kr_loop_run_until(t.pr.l, got_updates, &t.pr.p, kr_now_ns() + S(1)) == 0);
	CU_ASSERT(kr_bgp_session_established(t.pr.p.s));
	CU_ASSERT_EQUAL(kr_bgp_session_neg(t.pr.p.s)->peer_as, 65540);
	raw_free(&t);
}

static void t_bad_marker(void)
{
	struct rawt t;
	raw_setup(&t, 90);
	uint8_t o[512];
	size_t len = raw_open(o, sizeof o, 90);
	o[3] = 0;
	CU_ASSERT(write(t.fd, o, len) == (ssize_t)len);
	CU_ASSERT_FATAL(kr_loop_run_until(t.pr.l, raw_got_notif, &t, kr_now_ns() + S(5)) == 1);
	const uint8_t *n = raw_notif(&t);
	CU_ASSERT(n[0] == 1 && n[1] == 1);
	CU_ASSERT(t.pr.p.downs == 1 && t.pr.p.down.reason == KR_DOWN_NOTIF_SENT);
	raw_free(&t);
}

static void t_fsm_error(void)
{
	struct rawt t;
	raw_setup(&t, 90);
	uint8_t o[512], u[4096];
	size_t len = raw_open(o, sizeof o, 90);
	CU_ASSERT(write(t.fd, o, len) == (ssize_t)len);
	CU_ASSERT(kr_loop_run_until(t.pr.l, st_is, &t, kr_now_ns() + S(5)) == 1);
	/* an UPDATE before the first KEEPALIVE: FSM error in OpenConfirm */
	size_t ul = build_route(u, sizeof u, "203.0.113.0/24");
	CU_ASSERT(write(t.fd, u, ul) == (ssize_t)ul);
	CU_ASSERT_FATAL(kr_loop_run_until(t.pr.l, raw_got_notif, &t, kr_now_ns() + S(5)) == 1);
	const uint8_t *n = raw_notif(&t);
	CU_ASSERT(n[0] == 5 && n[1] == 2);
	CU_ASSERT_EQUAL(t.pr.p.updates, 0);
	raw_free(&t);
}

static void t_hold_expires(void)
{
	struct rawt t;
	raw_setup(&t, 3);
	uint8_t o[512], ka[19];
	size_t len = raw_open(o, sizeof o, 3), kl;
	kr_keepalive_build(ka, sizeof ka, &kl);
	CU_ASSERT(write(t.fd, o, len) == (ssize_t)len);
	CU_ASSERT(write(t.fd, ka, kl) == (ssize_t)kl);
	int64_t t0 = kr_now_ns();
	CU_ASSERT_FATAL(kr_loop_run_until(t.pr.l, raw_got_notif, &t, t0 + S(10)) == 1);
	double took = kr_ns_to_s(kr_now_ns() - t0);
	CU_ASSERT(took > 2.5 && took < 8.0); /* generous: CI machines are loaded */
	const uint8_t *n = raw_notif(&t);
	CU_ASSERT(n[0] == 4 && n[1] == 0);
	CU_ASSERT_EQUAL(t.pr.p.down.reason, KR_DOWN_HOLD_EXPIRED);
	/* keepalives went out meanwhile (hold 3 s -> every 1 s) */
	size_t kas = 0;
	for (size_t off = 0; off + 19 <= t.len; off += (size_t)(t.buf[off + 16] << 8 | t.buf[off + 17]))
		kas += t.buf[off + 18] == KR_BGP_KEEPALIVE;
	CU_ASSERT(kas >= 2);
	raw_free(&t);
}

static void t_connect_retry(void)
{
	/* the active side starts before anyone listens, and gets there */
	struct pair pr = { 0 };
	pr.l = kr_loop_new();
	struct sockaddr_storage ss;
	socklen_t sl;
	kr_sockaddr_parse("127.0.0.1", 0, &ss, &sl);
	struct kr_err e;
	int lfd = kr_bgp_listen_socket((struct sockaddr *)&ss, sl, NULL, NULL, &e);
	getsockname(lfd, (struct sockaddr *)&ss, &sl);
	uint16_t port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	close(lfd); /* nothing listens now */
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 1);
	base_cfg(&cp, 64496, 2);
	ca.connect_retry_ns = 100000000;
	ca.name = "active";
	kr_sockaddr_parse("127.0.0.1", port, &ca.remote, &ca.remote_len);
	pr.a.s = kr_bgp_session_new(pr.l, &ca, &cbs, &pr.a);
	kr_bgp_session_start(pr.a.s);
	kr_loop_run_until(pr.l, NULL, NULL, kr_now_ns() + 250000000);
	CU_ASSERT_EQUAL(kr_bgp_session_last_down(pr.a.s)->reason, KR_DOWN_TCP_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(kr_bgp_session_last_down(pr.a.s)->text, "refused"));
	lfd = kr_bgp_listen_socket((struct sockaddr *)&ss, sl, NULL, NULL, &e);
	CU_ASSERT_FATAL(lfd >= 0);
	pr.ls = kr_bgp_listener_new(pr.l, lfd, accept_cb, &pr);
	cp.passive = true;
	pr.p.s = kr_bgp_session_new(pr.l, &cp, &cbs, &pr.p);
	kr_bgp_session_start(pr.p.s);
	CU_ASSERT(kr_loop_run_until(pr.l, both_up, &pr, kr_now_ns() + S(5)) == 1);
	pair_free(&pr);
}

/* A listener that, like Quagga while a neighbor is Idle after a reset
 * (its start timer), accepts and at once closes the first `refuse`
 * connections, then hands the next one to the passive session. */
struct idle_pair {
	struct pair pr;
	int refuse, refused;
};

static void idle_accept_cb(int fd, const struct sockaddr *sa, socklen_t sl, void *arg)
{
	struct idle_pair *ip = arg;
	if (ip->refused < ip->refuse) {
		ip->refused++;
		close(fd);
		return;
	}
	kr_bgp_session_accept(ip->pr.p.s, fd);
}

static void t_retry_after_refusals(void)
{
	/* RFC 4271 §8.2.2: a connection lost in OpenSent sends the session
	 * back to Active, to try again at ConnectRetry: a SUT refusing a
	 * peer for a while after a reset is waited for, not given up on */
	struct idle_pair ip = { .refuse = 5 };
	struct pair *pr = &ip.pr;
	pr->l = kr_loop_new();
	uint16_t port = listen_with(pr, idle_accept_cb, &ip);
	struct kr_bgp_cfg ca, cp;
	base_cfg(&ca, 65536, 1);
	base_cfg(&cp, 64496, 2);
	ca.connect_retry_ns = 20000000;
	ca.name = "active";
	cp.passive = true;
	kr_sockaddr_parse("127.0.0.1", port, &ca.remote, &ca.remote_len);
	pr->p.s = kr_bgp_session_new(pr->l, &cp, &cbs, &pr->p);
	pr->a.s = kr_bgp_session_new(pr->l, &ca, &cbs, &pr->a);
	kr_bgp_session_start(pr->p.s);
	kr_bgp_session_start(pr->a.s);
	CU_ASSERT(kr_loop_run_until(pr->l, both_up, pr, kr_now_ns() + S(5)) == 1);
	CU_ASSERT_EQUAL(ip.refused, 5);
	/* each refusal was a lost connection of the active side, none fatal */
	CU_ASSERT(kr_bgp_session_downs(pr->a.s) >= 1);
	CU_ASSERT(pr->a.downs >= 1 && pr->a.down.reason == KR_DOWN_TCP_CLOSED);
	CU_ASSERT(kr_bgp_session_established(pr->a.s));
	pair_free(pr);
}

KR_TESTS("bgp_session",
	 { "fsm table", t_fsm_table },
	 { "negotiation rules (RFC 8205 2.2)", t_negotiate },
	 { "establish, exchange, stop", t_establish_exchange_stop },
	 { "bad peer AS -> OPEN 2/2", t_bad_peer_as },
	 { "require BGPsec without AS4 -> OPEN 2/7", t_require_bgpsec },
	 { "write queue backpressure", t_backpressure },
	 { "framing across 1-byte writes", t_partial_reads },
	 { "bad marker -> 1/1", t_bad_marker },
	 { "UPDATE in OpenConfirm -> 5/2", t_fsm_error },
	 { "hold timer expiry -> 4/0", t_hold_expires },
	 { "connect retry until the peer listens", t_connect_retry },
	 { "connect retry through refusals in OpenSent (peer Idle after a reset)", t_retry_after_refusals });
