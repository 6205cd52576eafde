/* BGP session: sockets, timers and message handling around the FSM tables
 * of bgp_fsm.c. See bgp_session.h for the contract. */
#include "net/bgp_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL
#define RBUF_CAP (4 * 65536)
#define FLUSH_NOW (64 * 1024)    /* queue size that triggers a write at once */
#define READS_PER_WAKE 16        /* bound work per callback: other fds get a turn */

struct kr_bgp_session {
	struct kr_loop *loop;
	struct kr_bgp_cfg cfg;
	struct kr_bgp_cbs cb;
	void *arg;
	char name[48];

	enum kr_bgp_state st;
	int fd;
	bool connecting;   /* non-blocking connect in progress */
	bool want_write;   /* EV_WRITE armed for the queue */
	bool read_paused;  /* the owner asked not to read (backpressure) */
	bool stopped;      /* ManualStop: no automatic restart */
	unsigned gen;      /* bumped per connection: stale work detects a reset */

	uint8_t *local_open;
	size_t local_open_len;
	struct kr_open local; /* views into local_open */

	uint8_t *peer_open;
	size_t peer_open_len;
	struct kr_open peer;  /* views into peer_open */
	bool have_peer_open;
	struct kr_bgp_neg neg;

	uint8_t *rbuf;
	size_t rlen;
	struct kr_bytes out;
	size_t out_head;
	bool above_hw;
	bool write_failed;

	uint64_t t_retry, t_hold, t_ka, t_restart;
	int64_t last_rx, last_tx, hold_ns, ka_ns;

	/* the NOTIFICATION a decoder prepared for NOTIFY_ERR */
	uint8_t err_code, err_sub, err_data[64];
	size_t err_dlen;
	char err_text[200];

	/* current message for DELIVER */
	const uint8_t *cur_msg;
	size_t cur_len;
	const struct kr_update *cur_u;
	const struct kr_err *cur_err;
	struct kr_update *upd;
	struct kr_err upd_err;
	uint8_t *scratch; /* KR_BGP_EXT_MAX_LEN, for built messages */

	struct kr_bgp_down last_down;
	unsigned downs;
	struct kr_bgp_stats stats;
};

static void fsm_event(struct kr_bgp_session *s, enum kr_bgp_event ev);
static void on_fd(struct kr_loop *l, int fd, unsigned events, void *arg);

void kr_bgp_cfg_init(struct kr_bgp_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->open.hold_time = 90;
	c->connect_retry_ns = NS_PER_S;
	c->open_hold_ns = 240 * NS_PER_S;
	c->update_err = KR_UPD_ERR_NOTIFY;
	c->bgpsec_type = KR_ATTR_BGPSEC_PATH;
	c->out_high_water = 4u << 20;
}

/* ---- negotiation (pure) ------------------------------------------------ */

void kr_bgp_negotiate(const struct kr_open *lo, const struct kr_open *po, struct kr_bgp_neg *n)
{
	memset(n, 0, sizeof *n);
	n->peer_as = kr_open_peer_as(po);
	n->peer_as4 = po->has_as4;
	n->local_as4 = lo->has_as4;
	n->peer_id = po->bgp_id;
	n->hold_time = lo->hold_time < po->hold_time ? lo->hold_time : po->hold_time;
	n->ext_msg = lo->ext_msg && po->ext_msg;
	n->max_len = n->ext_msg ? KR_BGP_EXT_MAX_LEN : KR_BGP_MAX_LEN;
	n->route_refresh = lo->route_refresh && po->route_refresh;
	bool as4 = lo->has_as4 && po->has_as4; /* RFC 8205 §2.2 */
	for (int afi = 1; afi <= 2; afi++) {
		n->mp[afi] = lo->mp[afi] && po->mp[afi];
		n->bgpsec_send[afi] = as4 && lo->bgpsec_send[afi] && po->bgpsec_recv[afi];
		n->bgpsec_recv[afi] = as4 && po->bgpsec_send[afi] && lo->bgpsec_recv[afi];
		if (po->bgpsec_send[afi] || po->bgpsec_recv[afi])
			n->peer_bgpsec_any = true;
	}
	if (po->bgpsec_other_version)
		n->peer_bgpsec_any = true;
}

/* ---- write queue ------------------------------------------------------- */

static size_t pending(const struct kr_bgp_session *s) { return s->out.len - s->out_head; }

static void arm_write(struct kr_bgp_session *s, bool on)
{
	if (s->fd < 0 || s->connecting || s->want_write == on)
		return;
	s->want_write = on;
	kr_loop_mod_fd(s->loop, s->fd, (s->read_paused ? 0 : KR_EV_READ) | (on ? KR_EV_WRITE : 0));
}

void kr_bgp_session_pause_read(struct kr_bgp_session *s, bool paused)
{
	if (s->read_paused == paused)
		return;
	s->read_paused = paused;
	if (s->fd >= 0 && !s->connecting)
		kr_loop_mod_fd(s->loop, s->fd, (paused ? 0 : KR_EV_READ) | (s->want_write ? KR_EV_WRITE : 0));
}

size_t kr_bgp_flush(struct kr_bgp_session *s)
{
	while (s->fd >= 0 && !s->connecting && !s->write_failed && pending(s)) {
		ssize_t n = send(s->fd, s->out.p + s->out_head, pending(s), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			s->out_head += (size_t)n;
			s->stats.bytes_out += (uint64_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* A broken connection shows up as an error on the read side,
		 * where the FSM handles it; stop writing until then. */
		s->write_failed = true;
		break;
	}
	if (s->out_head == s->out.len) {
		s->out_head = s->out.len = 0;
	} else if (s->out_head > (1u << 20) && s->out_head > s->out.len / 2) {
		memmove(s->out.p, s->out.p + s->out_head, pending(s));
		s->out.len -= s->out_head;
		s->out_head = 0;
	}
	arm_write(s, pending(s) > 0 && !s->write_failed);
	if (s->above_hw && pending(s) < s->cfg.out_high_water / 2) {
		s->above_hw = false;
		if (s->cb.on_writable)
			s->cb.on_writable(s, s->arg);
	}
	return pending(s);
}

static int queue(struct kr_bgp_session *s, const uint8_t *p, size_t n, uint64_t msgs)
{
	if (s->fd < 0 || s->connecting) {
		errno = EPIPE;
		return -1;
	}
	if (kr_bytes_append(&s->out, p, n) < 0)
		return -1;
	s->stats.msgs_out += msgs;
	s->last_tx = kr_now_ns();
	if (pending(s) >= s->cfg.out_high_water)
		s->above_hw = true;
	if (pending(s) >= FLUSH_NOW)
		kr_bgp_flush(s);
	else
		arm_write(s, true);
	return 0;
}

/* ---- connection handling ------------------------------------------------ */

static void cancel_timers(struct kr_bgp_session *s)
{
	uint64_t *t[] = { &s->t_retry, &s->t_hold, &s->t_ka };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (*t[i]) {
			kr_loop_cancel(s->loop, *t[i]);
			*t[i] = 0;
		}
}

/* Close the socket. With `linger`, first give queued bytes (the final
 * NOTIFICATION) a bounded chance to leave, so the peer learns why. */
static void close_conn(struct kr_bgp_session *s, bool linger)
{
	if (s->fd >= 0) {
		if (linger && !s->connecting && !s->write_failed && pending(s)) {
			int fl = fcntl(s->fd, F_GETFL);
			struct timeval tv = { 0, 500000 };
			setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
			fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
			while (pending(s)) {
				ssize_t n = send(s->fd, s->out.p + s->out_head, pending(s), MSG_NOSIGNAL);
				if (n <= 0)
					break;
				s->out_head += (size_t)n;
				s->stats.bytes_out += (uint64_t)n;
			}
		}
		if (linger)
			shutdown(s->fd, SHUT_WR);
		kr_loop_del_fd(s->loop, s->fd);
		close(s->fd);
		s->fd = -1;
	}
	s->gen++;
	s->connecting = s->want_write = s->write_failed = s->above_hw = s->read_paused = false;
	s->out.len = s->out_head = 0;
	s->rlen = 0;
	cancel_timers(s);
}

static void set_down(struct kr_bgp_session *s, enum kr_bgp_down_reason r, enum kr_bgp_state from,
		     uint8_t code, uint8_t sub, const uint8_t *data, size_t dlen, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
static void set_down(struct kr_bgp_session *s, enum kr_bgp_down_reason r, enum kr_bgp_state from,
		     uint8_t code, uint8_t sub, const uint8_t *data, size_t dlen, const char *fmt, ...)
{
	struct kr_bgp_down *d = &s->last_down;
	memset(d, 0, sizeof *d);
	d->reason = r;
	d->from = from;
	d->code = code;
	d->subcode = sub;
	d->data_len = dlen < sizeof d->data ? dlen : sizeof d->data;
	if (d->data_len)
		memcpy(d->data, data, d->data_len);
	d->when_ns = kr_now_ns();
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof d->text, fmt, ap);
	va_end(ap);
}

static void report_down(struct kr_bgp_session *s)
{
	s->downs++;
	if (s->cb.on_down)
		s->cb.on_down(s, &s->last_down, s->arg);
}

static void restart_cb(struct kr_loop *l, void *arg)
{
	struct kr_bgp_session *s = arg;
	s->t_restart = 0;
	if (s->st == KR_BGP_IDLE && !s->stopped)
		fsm_event(s, s->cfg.passive ? KR_BE_MANUAL_START_PASSIVE : KR_BE_MANUAL_START);
}

static void retry_cb(struct kr_loop *l, void *arg)
{
	struct kr_bgp_session *s = arg;
	s->t_retry = 0;
	fsm_event(s, KR_BE_CONNRETRY_EXPIRES);
}

static void arm_retry(struct kr_bgp_session *s)
{
	if (!s->cfg.passive && !s->t_retry)
		s->t_retry = kr_loop_timer(s->loop, s->cfg.connect_retry_ns, retry_cb, s);
}

static void start_connect(struct kr_bgp_session *s)
{
	if (s->cfg.passive)
		return; /* Active state: kr_bgp_session_accept brings the socket */
	const struct sockaddr *ra = (const struct sockaddr *)&s->cfg.remote;
	int fd = s->cfg.socket_fn ? s->cfg.socket_fn(s->cfg.socket_arg, ra->sa_family, SOCK_STREAM)
				  : socket(ra->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (s->cfg.local_len && bind(fd, (const struct sockaddr *)&s->cfg.local, s->cfg.local_len) < 0)
		goto fail_fd;
	if (connect(fd, ra, s->cfg.remote_len) < 0 && errno != EINPROGRESS)
		goto fail_fd;
	if (kr_loop_add_fd(s->loop, fd, KR_EV_WRITE, on_fd, s) < 0)
		goto fail_fd;
	s->fd = fd;
	s->connecting = true;
	arm_retry(s); /* a connect that hangs is abandoned at ConnectRetry */
	return;
fail_fd:;
	int e = errno;
	close(fd);
	errno = e;
fail:
	set_down(s, KR_DOWN_TCP_FAILED, s->st, 0, 0, NULL, 0, "%s: connect: %s", s->name,
		 strerror(errno));
	arm_retry(s);
}

static int64_t clamp_delay(int64_t d) { return d > 0 ? d : 0; }

static void hold_cb(struct kr_loop *l, void *arg)
{
	struct kr_bgp_session *s = arg;
	s->t_hold = 0;
	int64_t left = s->last_rx + s->hold_ns - kr_now_ns();
	if (left > 0) {
		s->t_hold = kr_loop_timer(l, left, hold_cb, s);
		return;
	}
	fsm_event(s, KR_BE_HOLD_EXPIRES);
}

static void ka_cb(struct kr_loop *l, void *arg)
{
	struct kr_bgp_session *s = arg;
	s->t_ka = 0;
	int64_t left = s->last_tx + s->ka_ns - kr_now_ns();
	if (left <= 0) {
		fsm_event(s, KR_BE_KEEPALIVE_EXPIRES);
		left = s->ka_ns;
	}
	if (s->fd >= 0 && s->ka_ns > 0 && !s->t_ka &&
	    (s->st == KR_BGP_OPENCONFIRM || s->st == KR_BGP_ESTABLISHED))
		s->t_ka = kr_loop_timer(l, clamp_delay(left), ka_cb, s);
}

static void arm_hold(struct kr_bgp_session *s, int64_t hold_ns)
{
	if (s->t_hold)
		kr_loop_cancel(s->loop, s->t_hold);
	s->t_hold = 0;
	s->hold_ns = hold_ns;
	s->last_rx = kr_now_ns();
	if (hold_ns > 0)
		s->t_hold = kr_loop_timer(s->loop, hold_ns, hold_cb, s);
}

static void send_notif(struct kr_bgp_session *s, uint8_t code, uint8_t sub, const uint8_t *d,
		       size_t dlen)
{
	size_t len;
	if (kr_notification_build(code, sub, d, dlen, s->scratch, KR_BGP_EXT_MAX_LEN, &len) == 0)
		queue(s, s->scratch, len, 1);
}

static void send_keepalive(struct kr_bgp_session *s)
{
	uint8_t ka[KR_BGP_HDR_LEN];
	size_t len;
	if (kr_keepalive_build(ka, sizeof ka, &len) == 0)
		queue(s, ka, len, 1);
}

/* Leave a connected state: send (optionally) a NOTIFICATION, close, report,
 * maybe restart. */
static void drop(struct kr_bgp_session *s, enum kr_bgp_state from, bool notify)
{
	if (notify)
		send_notif(s, s->last_down.code, s->last_down.subcode, s->last_down.data,
			   s->last_down.data_len);
	close_conn(s, notify);
	if (from >= KR_BGP_OPENSENT)
		report_down(s);
	if (s->cfg.auto_restart && !s->stopped && s->st == KR_BGP_IDLE && !s->t_restart)
		s->t_restart = kr_loop_timer(s->loop, s->cfg.passive ? 0 : s->cfg.connect_retry_ns,
					     restart_cb, s);
}

static void run_action(struct kr_bgp_session *s, enum kr_bgp_action a, enum kr_bgp_state prev,
		       enum kr_bgp_event ev)
{
	switch (a) {
	case KR_BA_NONE:
		break;
	case KR_BA_CONNECT:
		if (s->fd >= 0)
			close_conn(s, false);
		start_connect(s);
		break;
	case KR_BA_RETRY:
		close_conn(s, false);
		if (prev >= KR_BGP_OPENSENT)
			report_down(s);
		arm_retry(s);
		break;
	case KR_BA_SEND_OPEN:
		if (s->t_retry) {
			kr_loop_cancel(s->loop, s->t_retry);
			s->t_retry = 0;
		}
		s->have_peer_open = false;
		queue(s, s->local_open, s->local_open_len, 1);
		arm_hold(s, s->cfg.open_hold_ns);
		break;
	case KR_BA_OPEN_OK:
		send_keepalive(s);
		arm_hold(s, (int64_t)s->neg.hold_time * NS_PER_S);
		s->ka_ns = (int64_t)s->neg.hold_time * NS_PER_S / 3;
		if (s->ka_ns > 0 && !s->t_ka)
			s->t_ka = kr_loop_timer(s->loop, s->ka_ns, ka_cb, s);
		break;
	case KR_BA_ESTABLISH:
		s->stats.established_ns = kr_now_ns();
		if (s->cb.on_established)
			s->cb.on_established(s, s->arg);
		break;
	case KR_BA_RESTART_HOLD:
		break; /* last_rx is refreshed for every message */
	case KR_BA_DELIVER:
		if (ev == KR_BE_UPDATE && s->cb.on_update)
			s->cb.on_update(s, s->cur_msg, s->cur_len, s->cur_u, s->cur_err, s->arg);
		break;
	case KR_BA_SEND_KEEPALIVE:
		send_keepalive(s);
		break;
	case KR_BA_NOTIFY_ERR:
		set_down(s, KR_DOWN_NOTIF_SENT, prev, s->err_code, s->err_sub, s->err_data, s->err_dlen,
			 "%s: sent NOTIFICATION %u/%u (%s/%s): %s", s->name, s->err_code, s->err_sub,
			 kr_notification_code_name(s->err_code),
			 kr_notification_subcode_name(s->err_code, s->err_sub), s->err_text);
		drop(s, prev, true);
		break;
	case KR_BA_NOTIFY_FSM: {
		/* RFC 6608 §4: subcode names the state the error occurred in. */
		uint8_t sub = prev == KR_BGP_OPENSENT ? 1 : prev == KR_BGP_OPENCONFIRM ? 2 : 3;
		set_down(s, KR_DOWN_NOTIF_SENT, prev, 5, sub, NULL, 0,
			 "%s: sent NOTIFICATION 5/%u (FSM error): %s in %s", s->name, sub,
			 kr_bgp_event_name(ev), kr_bgp_state_name(prev));
		drop(s, prev, true);
		break;
	}
	case KR_BA_NOTIFY_HOLD:
		set_down(s, KR_DOWN_HOLD_EXPIRED, prev, 4, 0, NULL, 0,
			 "%s: hold timer expired in %s (%.1f s without a message)", s->name,
			 kr_bgp_state_name(prev), kr_ns_to_s(s->hold_ns));
		drop(s, prev, true);
		break;
	case KR_BA_NOTIFY_CEASE:
		set_down(s, KR_DOWN_STOPPED, prev, 6, 2, NULL, 0,
			 "%s: stopped (sent Cease/Administrative Shutdown)", s->name);
		drop(s, prev, true);
		break;
	case KR_BA_PEER_NOTIF:
	case KR_BA_DROP:
		/* last_down was filled where the event was raised */
		drop(s, prev, false);
		break;
	case KR_BA_STOP_QUIET:
		close_conn(s, false);
		break;
	}
}

static void fsm_event(struct kr_bgp_session *s, enum kr_bgp_event ev)
{
	struct kr_bgp_transition t = kr_bgp_fsm_lookup(s->st, ev);
	enum kr_bgp_state prev = s->st;
	/* The state changes before the action runs: an action calls back into
	 * the owner, who may raise a nested event (e.g. stop from on_update)
	 * that must not be overwritten afterwards. */
	s->st = t.next;
	run_action(s, t.action, prev, ev);
}

/* ---- receiving ----------------------------------------------------------- */

static void prep_err(struct kr_bgp_session *s, uint8_t code, uint8_t sub, const uint8_t *d,
		     size_t dlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void prep_err(struct kr_bgp_session *s, uint8_t code, uint8_t sub, const uint8_t *d,
		     size_t dlen, const char *fmt, ...)
{
	s->err_code = code;
	s->err_sub = sub;
	s->err_dlen = dlen < sizeof s->err_data ? dlen : sizeof s->err_data;
	if (s->err_dlen)
		memcpy(s->err_data, d, s->err_dlen);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err_text, sizeof s->err_text, fmt, ap);
	va_end(ap);
}

/* RFC 4271 §6.3 subcode for a codec error in an UPDATE. */
static uint8_t update_subcode(int we)
{
	switch (we) {
	case KR_WE_ATTR_FLAGS: return 4;
	case KR_WE_ATTR_LEN: return 5;
	case KR_WE_NLRI: return 10;
	case KR_WE_AS_PATH: return 11;
	case KR_WE_MP: return 9;
	default: return 1; /* Malformed Attribute List */
	}
}

static enum kr_bgp_event handle_open(struct kr_bgp_session *s, const uint8_t *m, size_t len)
{
	if (s->st != KR_BGP_OPENSENT)
		return KR_BE_OPEN; /* the table makes it an FSM error */
	memcpy(s->peer_open, m, len);
	s->peer_open_len = len;
	struct kr_err e;
	kr_err_clear(&e);
	if (kr_open_decode(&s->peer, s->peer_open, len, &e) < 0) {
		prep_err(s, 2, 0, NULL, 0, "bad OPEN at offset %zu: %s", e.offset, e.msg);
		return KR_BE_OPEN_ERR;
	}
	s->have_peer_open = true;
	if (s->peer.version != 4) {
		const uint8_t v[2] = { 0, 4 };
		prep_err(s, 2, 1, v, 2, "peer speaks BGP version %u", s->peer.version);
		return KR_BE_OPEN_ERR;
	}
	uint32_t pas = kr_open_peer_as(&s->peer);
	if (s->cfg.peer_as && pas != s->cfg.peer_as) {
		prep_err(s, 2, 2, NULL, 0, "peer AS %u, expected %u", pas, s->cfg.peer_as);
		return KR_BE_OPEN_ERR;
	}
	if (s->peer.hold_time == 1 || s->peer.hold_time == 2) {
		prep_err(s, 2, 6, NULL, 0, "hold time %u", s->peer.hold_time);
		return KR_BE_OPEN_ERR;
	}
	if (s->peer.bgp_id == 0) {
		prep_err(s, 2, 3, NULL, 0, "BGP identifier 0");
		return KR_BE_OPEN_ERR;
	}
	kr_bgp_negotiate(&s->local, &s->peer, &s->neg);
	if (s->cfg.require_bgpsec && !s->neg.bgpsec_send[1] && !s->neg.bgpsec_send[2] &&
	    !s->neg.bgpsec_recv[1] && !s->neg.bgpsec_recv[2]) {
		prep_err(s, 2, 7, NULL, 0, "BGPsec required but not negotiated");
		return KR_BE_OPEN_ERR;
	}
	return KR_BE_OPEN;
}

static enum kr_bgp_event handle_update(struct kr_bgp_session *s, const uint8_t *m, size_t len)
{
	s->stats.updates_in++;
	s->cur_msg = m;
	s->cur_len = len;
	s->cur_u = NULL;
	s->cur_err = NULL;
	if (s->st != KR_BGP_ESTABLISHED)
		return KR_BE_UPDATE;
	kr_err_clear(&s->upd_err);
	if (s->cfg.count_updates_only)
		return KR_BE_UPDATE; /* delivered undecoded (u == NULL, err == NULL) */
	if (kr_update_decode(s->upd, m, len, s->cfg.bgpsec_type, &s->upd_err) == 0) {
		s->cur_u = s->upd;
		return KR_BE_UPDATE;
	}
	if (s->cfg.update_err == KR_UPD_ERR_DELIVER) {
		s->cur_err = &s->upd_err;
		return KR_BE_UPDATE;
	}
	prep_err(s, 3, update_subcode(s->upd_err.code), NULL, 0, "bad UPDATE at offset %zu: %s",
		 s->upd_err.offset, s->upd_err.msg);
	return KR_BE_UPDATE_ERR;
}

static enum kr_bgp_event handle_notification(struct kr_bgp_session *s, const uint8_t *m, size_t len)
{
	struct kr_notification n;
	struct kr_err e;
	kr_err_clear(&e);
	if (kr_notification_decode(&n, m, len, &e) < 0) {
		set_down(s, KR_DOWN_NOTIF_RCVD, s->st, 0, 0, NULL, 0,
			 "%s: received a malformed NOTIFICATION (%s)", s->name, e.msg);
		return KR_BE_NOTIF;
	}
	set_down(s, KR_DOWN_NOTIF_RCVD, s->st, n.code, n.subcode, n.data, n.data_len,
		 "%s: received NOTIFICATION %u/%u (%s/%s) in %s", s->name, n.code, n.subcode,
		 kr_notification_code_name(n.code), kr_notification_subcode_name(n.code, n.subcode),
		 kr_bgp_state_name(s->st));
	return n.code == 2 && n.subcode == 1 ? KR_BE_NOTIF_VER_ERR : KR_BE_NOTIF;
}

static enum kr_bgp_event classify(struct kr_bgp_session *s, const uint8_t *m, size_t len)
{
	switch (m[18]) {
	case KR_BGP_OPEN:
		return handle_open(s, m, len);
	case KR_BGP_UPDATE:
		return handle_update(s, m, len);
	case KR_BGP_NOTIFICATION:
		return handle_notification(s, m, len);
	case KR_BGP_KEEPALIVE:
		if (len != KR_BGP_HDR_LEN) {
			uint8_t l[2] = { (uint8_t)(len >> 8), (uint8_t)len };
			prep_err(s, 1, 2, l, 2, "KEEPALIVE of length %zu", len);
			return KR_BE_HEADER_ERR;
		}
		return KR_BE_KEEPALIVE;
	default:
		return KR_BE_ROUTE_REFRESH;
	}
}

/* Frame and dispatch every whole message in rbuf. Returns false when the
 * connection went away meanwhile. */
static bool process_rbuf(struct kr_bgp_session *s)
{
	unsigned gen = s->gen;
	size_t off = 0;
	while (s->gen == gen && off < s->rlen) {
		size_t mlen;
		struct kr_err e;
		kr_err_clear(&e);
		size_t max = s->st == KR_BGP_ESTABLISHED ? s->neg.max_len : KR_BGP_MAX_LEN;
		int r = kr_bgp_frame(s->rbuf + off, s->rlen - off, max, &mlen, &e);
		if (r == 0)
			break;
		if (r < 0) {
			const uint8_t *h = s->rbuf + off;
			if (e.code == KR_WE_MARKER)
				prep_err(s, 1, 1, NULL, 0, "header marker not all ones at stream offset %zu",
					 (size_t)s->stats.bytes_in - (s->rlen - off));
			else if (e.code == KR_WE_MSG_TYPE)
				prep_err(s, 1, 3, h + 18, 1, "unknown message type %u", h[18]);
			else
				prep_err(s, 1, 2, h + 16, 2, "bad message length %u",
					 (unsigned)(h[16] << 8 | h[17]));
			fsm_event(s, KR_BE_HEADER_ERR);
			return false;
		}
		const uint8_t *m = s->rbuf + off;
		off += mlen;
		s->stats.msgs_in++;
		s->last_rx = kr_now_ns();
		if (s->cb.on_message) {
			s->cb.on_message(s, m[18], m, mlen, s->last_rx, s->arg);
			if (s->gen != gen)
				return false;
		}
		fsm_event(s, classify(s, m, mlen));
	}
	if (s->gen != gen)
		return false;
	if (off) {
		memmove(s->rbuf, s->rbuf + off, s->rlen - off);
		s->rlen -= off;
	}
	return true;
}

static void tcp_failed(struct kr_bgp_session *s, int err)
{
	enum kr_bgp_state from = s->st;
	if (s->connecting)
		set_down(s, KR_DOWN_TCP_FAILED, from, 0, 0, NULL, 0, "%s: connect: %s", s->name,
			 strerror(err));
	else
		set_down(s, KR_DOWN_TCP_CLOSED, from, 0, 0, NULL, 0, "%s: connection %s in %s", s->name,
			 err ? strerror(err) : "closed by peer", kr_bgp_state_name(from));
	fsm_event(s, KR_BE_TCP_FAILS);
}

static void on_fd(struct kr_loop *l, int fd, unsigned events, void *arg)
{
	struct kr_bgp_session *s = arg;
	if (s->connecting) {
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			tcp_failed(s, err);
			return;
		}
		s->connecting = false;
		kr_loop_mod_fd(l, fd, KR_EV_READ);
		fsm_event(s, KR_BE_TCP_CONNECTED);
		return;
	}
	unsigned gen = s->gen;
	if (events & KR_EV_WRITE) {
		kr_bgp_flush(s);
		if (s->gen != gen)
			return;
	}
	if (!(events & KR_EV_READ))
		return;
	for (int i = 0; i < READS_PER_WAKE && !s->read_paused; i++) {
		ssize_t n = recv(fd, s->rbuf + s->rlen, RBUF_CAP - s->rlen, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			int e = n < 0 ? errno : 0;
			/* Messages that arrived before the close still count
			 * (a NOTIFICATION right before FIN is the common case). */
			tcp_failed(s, e);
			return;
		}
		s->rlen += (size_t)n;
		s->stats.bytes_in += (uint64_t)n;
		if (!process_rbuf(s))
			return;
		if ((size_t)n < 65536)
			return; /* drained for now; level-triggered epoll calls again */
	}
}

/* ---- public ---------------------------------------------------------------- */

struct kr_bgp_session *kr_bgp_session_new(struct kr_loop *l, const struct kr_bgp_cfg *c,
					  const struct kr_bgp_cbs *cb, void *arg)
{
	struct kr_bgp_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loop = l;
	s->cfg = *c;
	if (cb)
		s->cb = *cb;
	s->arg = arg;
	s->fd = -1;
	snprintf(s->name, sizeof s->name, "%s", c->name ? c->name : "bgp");
	s->cfg.name = s->name;
	if (!s->cfg.connect_retry_ns)
		s->cfg.connect_retry_ns = NS_PER_S;
	if (!s->cfg.open_hold_ns)
		s->cfg.open_hold_ns = 240 * NS_PER_S;
	if (!s->cfg.out_high_water)
		s->cfg.out_high_water = 4u << 20;
	if (!s->cfg.bgpsec_type)
		s->cfg.bgpsec_type = KR_ATTR_BGPSEC_PATH;
	s->rbuf = malloc(RBUF_CAP);
	s->peer_open = malloc(KR_BGP_MAX_LEN);
	s->scratch = malloc(KR_BGP_EXT_MAX_LEN);
	s->upd = malloc(sizeof *s->upd);
	s->local_open = malloc(KR_BGP_MAX_LEN);
	if (!s->rbuf || !s->peer_open || !s->scratch || !s->upd || !s->local_open)
		goto fail;
	struct kr_err e;
	kr_err_clear(&e);
	if (c->open_raw) {
		if (c->open_raw_len > KR_BGP_MAX_LEN)
			goto fail;
		memcpy(s->local_open, c->open_raw, c->open_raw_len);
		s->local_open_len = c->open_raw_len;
		s->cfg.open_raw = s->local_open;
	} else if (kr_open_build(&c->open, s->local_open, KR_BGP_MAX_LEN, &s->local_open_len, &e) < 0) {
		goto fail;
	}
	/* Our own advertisement, decoded the same way as the peer's, is the
	 * local side of the negotiation (works for raw OPENs too). A raw OPEN
	 * that does not decode negotiates as "advertised nothing". */
	if (kr_open_decode(&s->local, s->local_open, s->local_open_len, &e) < 0)
		memset(&s->local, 0, sizeof s->local);
	return s;
fail:
	kr_bgp_session_free(s);
	return NULL;
}

void kr_bgp_session_free(struct kr_bgp_session *s)
{
	if (!s)
		return;
	close_conn(s, false);
	if (s->t_restart)
		kr_loop_cancel(s->loop, s->t_restart);
	free(s->rbuf);
	free(s->peer_open);
	free(s->scratch);
	free(s->upd);
	free(s->local_open);
	kr_bytes_free(&s->out);
	free(s);
}

int kr_bgp_session_start(struct kr_bgp_session *s)
{
	s->stopped = false;
	if (s->st != KR_BGP_IDLE)
		return 0;
	fsm_event(s, s->cfg.passive ? KR_BE_MANUAL_START_PASSIVE : KR_BE_MANUAL_START);
	return 0;
}

void kr_bgp_session_stop(struct kr_bgp_session *s)
{
	s->stopped = true;
	if (s->t_restart) {
		kr_loop_cancel(s->loop, s->t_restart);
		s->t_restart = 0;
	}
	fsm_event(s, KR_BE_MANUAL_STOP);
}

int kr_bgp_session_accept(struct kr_bgp_session *s, int fd)
{
	if (s->st != KR_BGP_ACTIVE || s->fd >= 0 || !s->cfg.passive) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (kr_loop_add_fd(s->loop, fd, KR_EV_READ, on_fd, s) < 0) {
		close(fd);
		return -1;
	}
	s->fd = fd;
	fsm_event(s, KR_BE_TCP_CONNECTED);
	return 0;
}

enum kr_bgp_state kr_bgp_session_state(const struct kr_bgp_session *s) { return s->st; }
bool kr_bgp_session_established(const struct kr_bgp_session *s) { return s->st == KR_BGP_ESTABLISHED; }
const struct kr_bgp_neg *kr_bgp_session_neg(const struct kr_bgp_session *s) { return &s->neg; }
const struct kr_bgp_down *kr_bgp_session_last_down(const struct kr_bgp_session *s) { return &s->last_down; }
unsigned kr_bgp_session_downs(const struct kr_bgp_session *s) { return s->downs; }
const struct kr_bgp_cfg *kr_bgp_session_cfg(const struct kr_bgp_session *s) { return &s->cfg; }
const char *kr_bgp_session_name(const struct kr_bgp_session *s) { return s->name; }
void kr_bgp_session_set_arg(struct kr_bgp_session *s, void *arg) { s->arg = arg; }
int kr_bgp_session_fd(const struct kr_bgp_session *s) { return s->fd; }
const struct kr_bgp_stats *kr_bgp_session_stats(const struct kr_bgp_session *s) { return &s->stats; }

const uint8_t *kr_bgp_session_peer_open(const struct kr_bgp_session *s, size_t *len)
{
	if (!s->have_peer_open)
		return NULL;
	if (len)
		*len = s->peer_open_len;
	return s->peer_open;
}

const struct kr_open *kr_bgp_session_peer_open_decoded(const struct kr_bgp_session *s)
{
	return s->have_peer_open ? &s->peer : NULL;
}

int kr_bgp_send_raw(struct kr_bgp_session *s, const uint8_t *bytes, size_t len)
{
	/* Count whole messages when the bytes frame cleanly (statistics only). */
	uint64_t n = 0;
	size_t off = 0, ml;
	struct kr_err e;
	while (off < len && kr_bgp_frame(bytes + off, len - off, KR_BGP_EXT_MAX_LEN, &ml, &e) == 1) {
		if (bytes[off + 18] == KR_BGP_UPDATE)
			s->stats.updates_out++;
		off += ml;
		n++;
	}
	return queue(s, bytes, len, n);
}

int kr_bgp_send_update(struct kr_bgp_session *s, const struct kr_route_out *r, struct kr_err *err)
{
	if (s->st != KR_BGP_ESTABLISHED) {
		kr_err_set(err, KR_WE_INVALID, 0, "%s: not Established (%s)", s->name,
			   kr_bgp_state_name(s->st));
		return -1;
	}
	size_t len;
	if (kr_update_build(r, s->neg.max_len, s->scratch, KR_BGP_EXT_MAX_LEN, &len, err) < 0)
		return -1;
	s->stats.updates_out++;
	return queue(s, s->scratch, len, 1);
}

int kr_bgp_send_withdraw(struct kr_bgp_session *s, const struct kr_prefix *p, size_t n,
			 struct kr_err *err)
{
	if (s->st != KR_BGP_ESTABLISHED) {
		kr_err_set(err, KR_WE_INVALID, 0, "%s: not Established (%s)", s->name,
			   kr_bgp_state_name(s->st));
		return -1;
	}
	size_t len;
	if (kr_update_build_withdraw(p, n, s->neg.max_len, s->scratch, KR_BGP_EXT_MAX_LEN, &len, err) < 0)
		return -1;
	s->stats.updates_out++;
	return queue(s, s->scratch, len, 1);
}

int kr_bgp_send_eor(struct kr_bgp_session *s, uint16_t afi)
{
	size_t len;
	if (s->st != KR_BGP_ESTABLISHED || kr_update_build_eor(afi, s->scratch, KR_BGP_EXT_MAX_LEN, &len) < 0)
		return -1;
	s->stats.updates_out++;
	return queue(s, s->scratch, len, 1);
}

int kr_bgp_send_notification(struct kr_bgp_session *s, uint8_t code, uint8_t subcode,
			     const uint8_t *data, size_t dlen)
{
	if (s->fd < 0 || s->connecting)
		return -1;
	enum kr_bgp_state prev = s->st;
	set_down(s, KR_DOWN_NOTIF_SENT, prev, code, subcode, data, dlen,
		 "%s: sent NOTIFICATION %u/%u (%s/%s) on request", s->name, code, subcode,
		 kr_notification_code_name(code), kr_notification_subcode_name(code, subcode));
	s->st = KR_BGP_IDLE;
	drop(s, prev, true);
	return 0;
}

bool kr_bgp_can_send(const struct kr_bgp_session *s)
{
	return s->fd >= 0 && !s->connecting && pending(s) < s->cfg.out_high_water;
}

size_t kr_bgp_out_pending(const struct kr_bgp_session *s) { return pending(s); }
