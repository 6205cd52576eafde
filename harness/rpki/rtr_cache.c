/* RTR cache server: sockets, clients, query answering, control verbs.
 * Data and change log live in rtr_store.c, the transcript in
 * rtr_transcript.c. See rtr_cache.h. */
#include "rpki/rtr_cache.h"
#include "rpki/rtr_cache_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A client that does not read its answers is dropped once this much
 * output is queued, so it cannot make the cache grow without bound. */
#define OUT_MAX (64u << 20)
#define ENCAP_MAX 256 /* octets of a bad PDU quoted in an Error Report */

static void client_close(struct kr_rtr_client *cl, const char *why);

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

struct kr_rtr_cache *kr_rtr_cache_new(struct kr_loop *loop, const struct kr_rtr_cache_cfg *cfg)
{
	struct kr_rtr_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	struct kr_rtr_cache_cfg d = { 0 };
	if (cfg)
		d = *cfg;
	c->loop = loop;
	c->session = d.session_id ? d.session_id : (uint16_t)(time(NULL) ^ getpid());
	c->refresh = d.refresh ? d.refresh : 3600;
	c->retry = d.retry ? d.retry : 600;
	c->expire = d.expire ? d.expire : 7200;
	c->max_version = d.max_version > 1 ? 1 : d.max_version;
	if (!cfg)
		c->max_version = 1;
	c->max_clients = d.max_clients ? d.max_clients : 256;
	c->notify_interval_ns = (int64_t)d.notify_interval_ms * 1000000;
	c->next_id = 1;
	kr_rtr_store_init(&c->st, d.serial, d.history);
	return c;
}

void kr_rtr_cache_free(struct kr_rtr_cache *c)
{
	if (!c)
		return;
	while (c->clients)
		client_close(c->clients, NULL);
	if (c->notify_timer)
		kr_loop_cancel(c->loop, c->notify_timer);
	for (int i = 0; i < c->nlisten; i++) {
		kr_loop_del_fd(c->loop, c->listen_fd[i]);
		close(c->listen_fd[i]);
	}
	kr_rtr_store_free(&c->st);
	kr_rtr_tx_free(c);
	free(c);
}

/* ---- output ---- */

static bool flush_out(struct kr_rtr_client *cl)
{
	while (cl->outoff < cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.p + cl->outoff, cl->out.len - cl->outoff, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_close(cl, "send failed");
			return false;
		}
		cl->outoff += (size_t)n;
	}
	if (cl->outoff == cl->out.len) {
		cl->out.len = cl->outoff = 0;
		if (cl->closing) {
			client_close(cl, NULL);
			return false;
		}
		kr_loop_mod_fd(cl->c->loop, cl->fd, KR_EV_READ);
	} else {
		kr_loop_mod_fd(cl->c->loop, cl->fd, KR_EV_READ | KR_EV_WRITE);
	}
	return true;
}

/* Queue one PDU (no flush). -1 when it cannot be encoded or the queue is
 * full (the client is then closed by the caller's flush/close). */
static int queue_pdu(struct kr_rtr_client *cl, const struct kr_rtr_pdu *p)
{
	uint8_t buf[KR_RTR_PDU_MAX];
	struct kr_wr w = kr_wr_init(buf, sizeof buf);
	if (kr_rtr_encode(p, &w))
		return -1;
	if (cl->out.len - cl->outoff + w.off > OUT_MAX) {
		cl->overflow = true;
		return -1;
	}
	if (kr_bytes_append(&cl->out, buf, w.off))
		return -1;
	kr_rtr_tx_pdu(cl->c, cl->id, KR_RTR_OUT, buf, w.off);
	return 0;
}

static void send_now(struct kr_rtr_client *cl)
{
	if (cl->overflow) {
		client_close(cl, "output queue overflow (client not reading)");
		return;
	}
	flush_out(cl);
}

static uint8_t cl_version(const struct kr_rtr_client *cl)
{
	return cl->version < 0 ? cl->c->max_version : (uint8_t)cl->version;
}

/* Error Report; the connection is closed once it is sent when fatal. */
static void send_error(struct kr_rtr_client *cl, uint16_t code, const uint8_t *encap, size_t encap_len,
		       const char *text, bool close_after)
{
	struct kr_rtr_pdu e = kr_rtr_pdu_error(cl_version(cl), code, encap,
					       encap_len > ENCAP_MAX ? ENCAP_MAX : encap_len, text);
	queue_pdu(cl, &e);
	if (close_after) {
		cl->closing = true;
		kr_rtr_tx_event(cl->c, cl->id, "closing after Error Report %u (%s): %s", code,
				kr_rtr_ecode_name(code), text ? text : "");
	}
	send_now(cl);
}

static void queue_rec(struct kr_rtr_client *cl, const struct kr_rtr_rec *r, bool announce)
{
	struct kr_rtr_cache *c = cl->c;
	struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, 0, 0, 0);
	p.flags = announce ? KR_RTR_FLAG_ANNOUNCE : 0;
	p.asn = r->asn;
	if (r->kind == KR_REC_KEY) {
		if (cl->version < 1) /* never a Router Key PDU in version 0 */
			return;
		p.type = KR_RTR_ROUTER_KEY;
		memcpy(p.ski, r->a, KR_RTR_SKI_LEN);
		p.spki = kr_rtr_rec_spki(&c->st, r);
		p.spki_len = r->spki_len;
	} else {
		p.type = r->kind == KR_REC_V4 ? KR_RTR_IPV4_PREFIX : KR_RTR_IPV6_PREFIX;
		p.prefix_len = r->prefix_len;
		p.max_len = r->max_len;
		memcpy(p.addr, r->a, 16);
	}
	queue_pdu(cl, &p);
}

static void queue_eod(struct kr_rtr_client *cl)
{
	struct kr_rtr_cache *c = cl->c;
	struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, KR_RTR_END_OF_DATA, c->session, c->st.serial);
	p.refresh = c->refresh;
	p.retry = c->retry;
	p.expire = c->expire;
	queue_pdu(cl, &p);
	cl->eod_serial = c->st.serial;
	cl->eod_session = c->session;
	cl->got_eod = true;
	cl->queries++;
}

static void answer_reset(struct kr_rtr_client *cl)
{
	struct kr_rtr_cache *c = cl->c;
	struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, KR_RTR_CACHE_RESPONSE, c->session, 0);
	queue_pdu(cl, &p);
	/* Records staged in an open batch are not sent before their serial. */
	for (size_t i = 0; i < c->st.ncur; i++)
		queue_rec(cl, &c->st.cur[i], true);
	queue_eod(cl);
	send_now(cl);
}

static void answer_cache_reset(struct kr_rtr_client *cl)
{
	struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, KR_RTR_CACHE_RESET, 0, 0);
	queue_pdu(cl, &p);
	send_now(cl);
}

static void answer_serial(struct kr_rtr_client *cl, const struct kr_rtr_pdu *q)
{
	struct kr_rtr_cache *c = cl->c;
	/* A Session ID other than the one this connection was given is a
	 * mismatch (RFC 8210 §5.1): Corrupt Data and close. A query naming a
	 * session this connection never saw (a fresh connection after a
	 * restart) or the one replaced by kr_rtr_new_session() cannot be
	 * served incrementally: Cache Reset. */
	if (cl->got_eod && q->session_id != cl->eod_session) {
		char t[96];
		snprintf(t, sizeof t, "Session ID %u, but this connection was given %u", q->session_id,
			 cl->eod_session);
		uint8_t raw[12];
		struct kr_wr w = kr_wr_init(raw, sizeof raw);
		kr_rtr_encode(q, &w);
		send_error(cl, KR_RTR_E_CORRUPT, raw, w.off, t, true);
		return;
	}
	if (q->session_id != c->session || cl->force_reset) {
		cl->force_reset = false;
		answer_cache_reset(cl);
		return;
	}
	struct kr_rtr_change *d;
	size_t n;
	int rc = kr_rtr_store_delta(&c->st, q->serial, &d, &n);
	if (rc == 1) {
		answer_cache_reset(cl);
		return;
	}
	if (rc < 0) {
		send_error(cl, KR_RTR_E_INTERNAL, NULL, 0, "out of memory", true);
		return;
	}
	struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, KR_RTR_CACHE_RESPONSE, c->session, 0);
	queue_pdu(cl, &p);
	for (size_t i = 0; i < n; i++)
		queue_rec(cl, &d[i].r, d[i].announce);
	free(d);
	queue_eod(cl);
	send_now(cl);
}

/* ---- input ---- */

static void handle_pdu(struct kr_rtr_client *cl, const uint8_t *buf, size_t len)
{
	struct kr_rtr_cache *c = cl->c;
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	int drc = kr_rtr_decode(buf, len, &p, &err);
	kr_rtr_tx_pdu(c, cl->id, KR_RTR_IN, buf, len);
	uint8_t ver = buf[0], type = buf[1];
	if (type == KR_RTR_ERROR_REPORT) {
		/* Never answer an Error Report with one (RFC 8210 §5.11). */
		if (drc == 0 && p.error_code == KR_RTR_E_NO_DATA)
			return;
		client_close(cl, drc ? "malformed Error Report from client" : "Error Report from client");
		return;
	}
	if (cl->version < 0) {
		/* Negotiation: the first query sets the version (RFC 8210 §7). */
		if (ver > c->max_version) {
			char t[80];
			snprintf(t, sizeof t, "version %u not supported; this cache speaks up to %u", ver,
				 c->max_version);
			send_error(cl, KR_RTR_E_UNSUPPORTED_VERSION, buf, len, t, true);
			return;
		}
		if (drc == 0 && (type == KR_RTR_SERIAL_QUERY || type == KR_RTR_RESET_QUERY))
			cl->version = ver;
	} else if (ver != cl->version) {
		char t[80];
		snprintf(t, sizeof t, "PDU version %u in a version %d session", ver, cl->version);
		send_error(cl, cl->version >= 1 ? KR_RTR_E_UNEXPECTED_VERSION : KR_RTR_E_UNSUPPORTED_VERSION, buf,
			   len, t, true);
		return;
	}
	if (drc) {
		send_error(cl, (uint16_t)err.code, buf, len, err.msg, true);
		return;
	}
	if (type != KR_RTR_SERIAL_QUERY && type != KR_RTR_RESET_QUERY) {
		char t[80];
		snprintf(t, sizeof t, "%s is not a query", kr_rtr_type_name(type));
		send_error(cl, KR_RTR_E_INVALID_REQUEST, buf, len, t, true);
		return;
	}
	if (c->stopped) {
		kr_rtr_tx_event(c, cl->id, "not answering (stopped)");
		return;
	}
	if (c->defer) {
		cl->deferred = true;
		cl->dq = p;
		kr_rtr_tx_event(c, cl->id, "answer deferred");
		return;
	}
	if (c->no_data) {
		send_error(cl, KR_RTR_E_NO_DATA, buf, len, "no data available yet", false);
		return;
	}
	if (c->fail_next) {
		/* a generic error carries no PDU copy (RFC 8210 §5.11); every
		 * code but No Data Available is fatal (§12) */
		c->fail_next = false;
		bool generic = c->fail_code == KR_RTR_E_INTERNAL || c->fail_code == KR_RTR_E_NO_DATA;
		send_error(cl, c->fail_code, generic ? NULL : buf, generic ? 0 : len, c->fail_text,
			   c->fail_code != KR_RTR_E_NO_DATA);
		return;
	}
	if (type == KR_RTR_RESET_QUERY)
		answer_reset(cl);
	else
		answer_serial(cl, &p);
}

static void on_client(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct kr_rtr_client *cl = arg;
	if (ev & KR_EV_WRITE) {
		if (!flush_out(cl))
			return;
	}
	if (!(ev & (KR_EV_READ | KR_EV_ERROR)))
		return;
	if (cl->closing) {
		/* Discard input while the final Error Report drains. */
		char junk[4096];
		ssize_t n = read(fd, junk, sizeof junk);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(cl, "peer closed");
		return;
	}
	ssize_t n = read(fd, cl->in + cl->inlen, sizeof cl->in - cl->inlen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_close(cl, "read failed");
		return;
	}
	if (n == 0) {
		if (cl->inlen)
			kr_rtr_tx_event(cl->c, cl->id, "hang-up inside a PDU (%zu octets buffered)", cl->inlen);
		client_close(cl, "peer closed");
		return;
	}
	cl->inlen += (size_t)n;
	unsigned id = cl->id;
	struct kr_rtr_cache *c = cl->c;
	while (kr_rtr_client_by_id(c, id) == cl && !cl->closing) {
		uint32_t plen;
		if (!kr_rtr_peek(cl->in, cl->inlen, NULL, NULL, &plen))
			break;
		if (plen < KR_RTR_HDR_LEN || plen > KR_RTR_PDU_MAX) {
			char t[80];
			snprintf(t, sizeof t, "PDU length %u outside 8..%u", plen, KR_RTR_PDU_MAX);
			kr_rtr_tx_pdu(c, id, KR_RTR_IN, cl->in, KR_RTR_HDR_LEN);
			if (cl->in[1] == KR_RTR_ERROR_REPORT)
				client_close(cl, t);
			else
				send_error(cl, KR_RTR_E_CORRUPT, cl->in, KR_RTR_HDR_LEN, t, true);
			break;
		}
		if (cl->inlen < plen)
			break;
		handle_pdu(cl, cl->in, plen);
		if (kr_rtr_client_by_id(c, id) != cl)
			break;
		memmove(cl->in, cl->in + plen, cl->inlen - plen);
		cl->inlen -= plen;
	}
}

static void on_accept(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct kr_rtr_cache *c = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (c->nclients >= c->max_clients) {
		kr_rtr_tx_event(c, 0, "refused a connection: %u clients already", c->nclients);
		close(cfd);
		return;
	}
	struct kr_rtr_client *cl = calloc(1, sizeof *cl);
	if (!cl) {
		close(cfd);
		return;
	}
	/* Notifies and answers are small: do not let Nagle delay them. */
	int one = 1;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	cl->c = c;
	cl->fd = cfd;
	cl->id = c->next_id++;
	cl->version = -1;
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		port = ntohs(s4->sin_port);
		snprintf(cl->peer, sizeof cl->peer, "%s:%u", a, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		port = ntohs(s6->sin6_port);
		snprintf(cl->peer, sizeof cl->peer, "[%s]:%u", a, port);
	}
	if (kr_loop_add_fd(c->loop, cfd, KR_EV_READ, on_client, cl)) {
		close(cfd);
		free(cl);
		return;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->nclients++;
	kr_rtr_tx_event(c, cl->id, "connected from %s", cl->peer);
}

static void client_close(struct kr_rtr_client *cl, const char *why)
{
	struct kr_rtr_cache *c = cl->c;
	if (why)
		kr_rtr_tx_event(c, cl->id, "closed: %s", why);
	else
		kr_rtr_tx_event(c, cl->id, "closed");
	kr_loop_del_fd(c->loop, cl->fd);
	close(cl->fd);
	for (struct kr_rtr_client **pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	c->nclients--;
	kr_bytes_free(&cl->out);
	free(cl);
}

struct kr_rtr_client *kr_rtr_client_by_id(const struct kr_rtr_cache *c, unsigned id)
{
	for (struct kr_rtr_client *cl = c->clients; cl; cl = cl->next)
		if (cl->id == id)
			return cl;
	return NULL;
}

/* ---- listening ---- */

int kr_rtr_cache_listen_fd(struct kr_rtr_cache *c, int fd, struct kr_err *err)
{
	if (c->nlisten >= KR_RTR_MAX_LISTEN) {
		kr_err_set(err, EMFILE, 0, "too many listening sockets");
		return -1;
	}
	set_nonblock(fd);
	if (listen(fd, 64) < 0) {
		kr_err_set(err, errno, 0, "listen: %s", strerror(errno));
		return -1;
	}
	if (kr_loop_add_fd(c->loop, fd, KR_EV_READ, on_accept, c)) {
		kr_err_set(err, errno, 0, "event loop refused the listening socket");
		return -1;
	}
	c->listen_fd[c->nlisten++] = fd;
	return 0;
}

int kr_rtr_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	const char *h = s;
	size_t hl;
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl >= sizeof host)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port > 65535)
		return -1;
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof *s6;
	} else {
		return -1;
	}
	return 0;
}

int kr_rtr_cache_listen(struct kr_rtr_cache *c, const char *addr_port, struct kr_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (kr_rtr_parse_addr(addr_port, &ss, &sl)) {
		kr_err_set(err, EINVAL, 0, "bad listen address '%s' (want ADDR:PORT or [V6ADDR]:PORT)", addr_port);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		kr_err_set(err, errno, 0, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		kr_err_set(err, errno, 0, "bind %s: %s", addr_port, strerror(errno));
		close(fd);
		return -1;
	}
	if (kr_rtr_cache_listen_fd(c, fd, err)) {
		close(fd);
		return -1;
	}
	return 0;
}

uint16_t kr_rtr_cache_port(const struct kr_rtr_cache *c)
{
	if (!c->nlisten)
		return 0;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(c->listen_fd[0], (struct sockaddr *)&ss, &sl) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* ---- notify and control ---- */

static int notify_all(struct kr_rtr_cache *c)
{
	int n = 0;
	for (struct kr_rtr_client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		/* Not before negotiation has finished (RFC 8210 §7). */
		if (!cl->got_eod || cl->closing)
			continue;
		struct kr_rtr_pdu p = kr_rtr_pdu_make((uint8_t)cl->version, KR_RTR_SERIAL_NOTIFY, c->session,
						      c->st.serial);
		queue_pdu(cl, &p);
		send_now(cl);
		n++;
	}
	return n;
}

static void notify_timer(struct kr_loop *l, void *arg);

/* A change wants a Serial Notify: held or stopped caches remember it; the
 * configured minimum spacing (RFC 8210 §8.2: at most one per minute;
 * 0 in compressed-time runs) defers it to a timer. */
static void auto_notify(struct kr_rtr_cache *c)
{
	c->notify_pending = true;
	if (c->hold || c->stopped || c->notify_timer)
		return;
	int64_t now = kr_now_ns(), due = c->last_notify_ns + c->notify_interval_ns;
	if (!c->notify_interval_ns || !c->last_notify_ns || now >= due) {
		kr_rtr_notify_now(c);
		return;
	}
	c->notify_timer = kr_loop_timer(c->loop, due - now, notify_timer, c);
}

static void notify_timer(struct kr_loop *l, void *arg)
{
	struct kr_rtr_cache *c = arg;
	c->notify_timer = 0;
	if (c->notify_pending)
		auto_notify(c);
}

void kr_rtr_changed(struct kr_rtr_cache *c)
{
	if (c->batch)
		return;
	if (!kr_rtr_store_commit(&c->st))
		return;
	kr_rtr_tx_event(c, 0, "serial %u (%zu keys, %zu prefixes)", c->st.serial, c->st.nkeys,
			c->st.ncur - c->st.nkeys);
	auto_notify(c);
}

void kr_rtr_notify_now(struct kr_rtr_cache *c)
{
	c->notify_pending = false;
	if (c->notify_timer) {
		kr_loop_cancel(c->loop, c->notify_timer);
		c->notify_timer = 0;
	}
	/* The spacing counts notifies that reached a client. */
	if (notify_all(c))
		c->last_notify_ns = kr_now_ns();
}

void kr_rtr_hold_notify(struct kr_rtr_cache *c, bool hold)
{
	c->hold = hold;
	kr_rtr_tx_event(c, 0, hold ? "notifications held" : "notifications released");
	if (!hold && c->notify_pending)
		auto_notify(c);
}

void kr_rtr_cache_reset(struct kr_rtr_cache *c)
{
	kr_rtr_store_forget(&c->st);
	for (struct kr_rtr_client *cl = c->clients; cl; cl = cl->next)
		cl->force_reset = true;
	kr_rtr_tx_event(c, 0, "cache reset: change log dropped");
	auto_notify(c);
}

void kr_rtr_new_session(struct kr_rtr_cache *c, uint16_t session_id)
{
	c->session = session_id ? session_id : (uint16_t)(c->session + 1);
	kr_rtr_store_forget(&c->st);
	kr_rtr_tx_event(c, 0, "new session id %u", c->session);
}

int kr_rtr_send_error(struct kr_rtr_cache *c, unsigned id, uint16_t code, const char *text, bool close_after)
{
	int n = 0;
	for (struct kr_rtr_client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		if ((id && cl->id != id) || cl->closing)
			continue;
		send_error(cl, code, NULL, 0, text, close_after);
		n++;
	}
	return n;
}

int kr_rtr_drop_clients(struct kr_rtr_cache *c, unsigned id)
{
	int n = 0;
	for (struct kr_rtr_client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		if (id && cl->id != id)
			continue;
		client_close(cl, "dropped by control");
		n++;
	}
	return n;
}

void kr_rtr_stop_answering(struct kr_rtr_cache *c, bool stop)
{
	c->stopped = stop;
	kr_rtr_tx_event(c, 0, stop ? "stopped answering" : "answering again");
	if (!stop && c->notify_pending)
		auto_notify(c);
}

void kr_rtr_set_no_data(struct kr_rtr_cache *c, bool no_data) { c->no_data = no_data; }

void kr_rtr_defer_answers(struct kr_rtr_cache *c, bool defer)
{
	c->defer = defer;
	kr_rtr_tx_event(c, 0, defer ? "answers deferred" : "deferred answers released");
	if (defer)
		return;
	for (struct kr_rtr_client *cl = c->clients, *next; cl; cl = next) {
		next = cl->next;
		if (!cl->deferred || cl->closing)
			continue;
		cl->deferred = false;
		if (cl->dq.type == KR_RTR_RESET_QUERY)
			answer_reset(cl);
		else
			answer_serial(cl, &cl->dq);
	}
}

void kr_rtr_error_next_query(struct kr_rtr_cache *c, uint16_t code, const char *text)
{
	c->fail_next = true;
	c->fail_code = code;
	snprintf(c->fail_text, sizeof c->fail_text, "%s", text ? text : "");
	kr_rtr_tx_event(c, 0, "the next query gets Error Report %u", code);
}

void kr_rtr_set_timers(struct kr_rtr_cache *c, uint32_t refresh, uint32_t retry, uint32_t expire)
{
	c->refresh = refresh;
	c->retry = retry;
	c->expire = expire;
}

void kr_rtr_set_max_version(struct kr_rtr_cache *c, uint8_t max_version)
{
	c->max_version = max_version > 1 ? 1 : max_version;
}

uint32_t kr_rtr_serial(const struct kr_rtr_cache *c) { return c->st.serial; }
uint16_t kr_rtr_session(const struct kr_rtr_cache *c) { return c->session; }
size_t kr_rtr_key_count(const struct kr_rtr_cache *c) { return c->st.nkeys; }
size_t kr_rtr_vrp_count(const struct kr_rtr_cache *c) { return c->st.ncur - c->st.nkeys; }
size_t kr_rtr_client_count(const struct kr_rtr_cache *c) { return c->nclients; }

static bool synced(const struct kr_rtr_cache *c, const struct kr_rtr_client *cl)
{
	return cl->got_eod && cl->eod_serial == c->st.serial && cl->eod_session == c->session;
}

bool kr_rtr_client_get(const struct kr_rtr_cache *c, size_t i, struct kr_rtr_client_info *out)
{
	/* Clients are kept newest first; report them oldest first. */
	size_t n = c->nclients;
	if (i >= n)
		return false;
	const struct kr_rtr_client *cl = c->clients;
	for (size_t k = 0; k < n - 1 - i; k++)
		cl = cl->next;
	memset(out, 0, sizeof *out);
	out->id = cl->id;
	out->version = cl->version;
	out->synced = synced(c, cl);
	out->serial = cl->eod_serial;
	out->queries = cl->queries;
	snprintf(out->peer, sizeof out->peer, "%s", cl->peer);
	return true;
}

bool kr_rtr_all_synced(void *cache)
{
	const struct kr_rtr_cache *c = cache;
	if (!c->clients)
		return false;
	for (const struct kr_rtr_client *cl = c->clients; cl; cl = cl->next)
		if (!synced(c, cl))
			return false;
	return true;
}
