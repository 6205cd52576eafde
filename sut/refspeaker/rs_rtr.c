/* Router keys from an RTR v1 cache (RFC 8210 §5.10) through RTRlib. Its
 * SPKI callback runs on RTRlib's own thread: it only writes a fixed-size
 * record into a pipe, and the event loop applies the change (RFC 8210 §5.4
 * of the project spec: key table update, then re-validation). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rtrlib/rtrlib.h>

#include "rs_faults.h"

#include "rs_speaker.h"

struct rtr_event {
	uint32_t asn;
	uint8_t ski[SKI_SIZE];
	uint8_t spki[SPKI_SIZE];
	uint8_t added;
	uint8_t resetting;
};
/* added: 1 announce, 0 withdraw, EV_DROP_ALL the fault below */
#define EV_DROP_ALL 2
_Static_assert(sizeof(struct rtr_event) <= 512, "pipe writes must stay atomic (PIPE_BUF)");
_Static_assert(SKI_SIZE == KR_SKI_LEN && SPKI_SIZE == KR_SPKI_P256_LEN, "RTRlib sizes");

struct rs_rtr {
	struct rs_speaker *sp;
	struct rtr_mgr_config *conf;
	struct rtr_mgr_group group[1];
	struct rtr_socket *socks[1];
	struct rtr_socket rsock;
	struct tr_socket tr;
	struct tr_tcp_config tcp;
	int pipe_rd;
	uint8_t buf[sizeof(struct rtr_event) * 32];
	size_t blen;
	uint64_t expiry_timer;
	bool expired;            /* keys dropped by our Expire check */
	time_t expired_at;       /* RTRlib's last_update when we dropped them */
	struct rs_rkey *dropped; /* what we dropped, to restore after a refresh */
	size_t ndropped;
	bool fault_logged;
};

#define EXPIRY_CHECK_NS (200 * 1000000LL)

/* RTRlib's SPKI callback carries no user pointer; one RTR client per process. */
static int pipe_wr = -1;
static _Atomic int mgr_status = RTR_MGR_CLOSED;

static void spki_cb(struct spki_table *t, const struct spki_record rec, const bool added)
{
	struct rtr_event ev;
	memset(&ev, 0, sizeof ev);
	ev.asn = rec.asn;
	memcpy(ev.ski, rec.ski, SKI_SIZE);
	memcpy(ev.spki, rec.spki, SPKI_SIZE);
	ev.added = added;
	/* a removal that is part of a Cache Reset / new session id */
	ev.resetting = rec.socket && rec.socket->is_resetting;
	ssize_t w;
	do
		w = write(pipe_wr, &ev, sizeof ev);
	while (w < 0 && errno == EINTR);
}

static void status_cb(const struct rtr_mgr_group *g, enum rtr_mgr_status st,
		      const struct rtr_socket *s, void *arg)
{
	atomic_store(&mgr_status, (int)st);
	rs_log("RTR: %s (socket %s)", rtr_mgr_status_to_str(st),
	       s ? rtr_state_to_str(s->state) : "-");
	/* fault drop-keys-on-error-report: a fatal error (an Error Report
	 * from the cache) is taken for the cache's end; RTRlib itself keeps
	 * the data until Expire (RFC 8210 §6) */
	if (rs_fault.drop_keys_on_error_report && s && s->state == RTR_ERROR_FATAL) {
		struct rtr_event ev;
		memset(&ev, 0, sizeof ev);
		ev.added = EV_DROP_ALL;
		ssize_t w;
		do
			w = write(pipe_wr, &ev, sizeof ev);
		while (w < 0 && errno == EINTR);
	}
}

const char *rs_rtr_status(const struct rs_rtr *r)
{
	return r ? rtr_mgr_status_to_str((enum rtr_mgr_status)atomic_load(&mgr_status)) : "none";
}

static void drop_all(struct rs_rtr *r, time_t lu);

static void on_pipe(struct kr_loop *l, int fd, unsigned events, void *arg)
{
	struct rs_rtr *r = arg;
	for (;;) {
		ssize_t n = read(fd, r->buf + r->blen, sizeof r->buf - r->blen);
		if (n <= 0)
			break;
		r->blen += (size_t)n;
		size_t off = 0;
		while (r->blen - off >= sizeof(struct rtr_event)) {
			struct rtr_event ev;
			memcpy(&ev, r->buf + off, sizeof ev);
			off += sizeof ev;
			if (ev.added == EV_DROP_ALL) {
				if (!r->expired) {
					rs_log("fault drop-keys-on-error-report: every router key dropped");
					drop_all(r, __atomic_load_n(&r->rsock.last_update, __ATOMIC_RELAXED));
				}
			} else if (ev.added)
				rs_key_announced(r->sp, ev.asn, ev.ski, ev.spki, ev.resetting);
			else
				rs_key_withdrawn(r->sp, ev.asn, ev.ski, ev.spki, ev.resetting);
		}
		memmove(r->buf, r->buf + off, r->blen - off);
		r->blen -= off;
	}
}

/* RTRlib removes expired data (RFC 8210 §6) without calling the SPKI
 * callback, and only once it reconnects; so the speaker checks Expire
 * itself: no successful refresh within the cache's Expire Interval drops
 * every router key (and re-validates). RTRlib's socket fields are read
 * atomically; its thread writes them. */
static time_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void drop_all(struct rs_rtr *r, time_t lu)
{
	struct rs_speaker *sp = r->sp;
	free(r->dropped);
	r->dropped = NULL;
	r->ndropped = 0;
	if (sp->nrkeys) {
		r->dropped = malloc(sp->nrkeys * sizeof *r->dropped);
		if (r->dropped) {
			memcpy(r->dropped, sp->rkeys, sp->nrkeys * sizeof *r->dropped);
			r->ndropped = sp->nrkeys;
		}
	}
	rs_log("RTR: no refresh within the Expire Interval: dropping %zu router key(s)",
	       sp->nrkeys);
	while (sp->nrkeys) {
		struct rs_rkey k = sp->rkeys[sp->nrkeys - 1];
		rs_key_withdrawn(sp, k.asn, k.ski, k.spki, false);
		if (sp->nrkeys && !memcmp(&sp->rkeys[sp->nrkeys - 1], &k, sizeof k))
			sp->nrkeys--; /* kept by a fault: still gone from the mirror */
	}
	r->expired = true;
	r->expired_at = lu;
}

/* After a refresh that RTRlib answered incrementally, the keys it still
 * holds are valid again. */
static void restore(struct rs_rtr *r)
{
	for (size_t i = 0; i < r->ndropped; i++) {
		struct spki_record *res = NULL;
		unsigned int n = 0;
		if (rtr_mgr_get_spki(r->conf, r->dropped[i].asn, r->dropped[i].ski, &res, &n) != 0)
			continue;
		for (unsigned k = 0; k < n; k++)
			if (!memcmp(res[k].spki, r->dropped[i].spki, SPKI_SIZE))
				rs_key_announced(r->sp, res[k].asn, res[k].ski, res[k].spki, false);
		free(res);
	}
	free(r->dropped);
	r->dropped = NULL;
	r->ndropped = 0;
}

static void on_expiry_check(struct kr_loop *l, void *arg)
{
	struct rs_rtr *r = arg;
	r->expiry_timer = kr_loop_timer(l, EXPIRY_CHECK_NS, on_expiry_check, r);
	time_t lu = __atomic_load_n(&r->rsock.last_update, __ATOMIC_RELAXED);
	unsigned exp = __atomic_load_n(&r->rsock.expire_interval, __ATOMIC_RELAXED);
	if (exp < 2)
		exp = 2; /* RTRlib refreshes at most once a second, in whole seconds */
	if (rs_fault.early_expire)
		exp = exp / 4 ? exp / 4 : 1; /* fault: gives up on the cache too soon */
	if (!r->expired) {
		/* last_update 0 after a sync: RTRlib purged its table */
		if (r->sp->nrkeys && (lu == 0 || mono_s() > lu + (time_t)exp)) {
			if (rs_fault.keys_outlive_expire) {
				if (!r->fault_logged)
					rs_log("fault keys-outlive-expire: expired router keys kept");
				r->fault_logged = true;
				return;
			}
			drop_all(r, lu);
		}
		return;
	}
	if (lu != 0 && lu != r->expired_at) {
		rs_log("RTR: data refreshed after expiry");
		r->expired = false;
		restore(r);
	}
}

struct rs_rtr *rs_rtr_start(struct rs_speaker *sp, struct kr_err *err)
{
	const struct rs_config *c = &sp->cfg;
	struct rs_rtr *r = calloc(1, sizeof *r);
	if (!r) {
		kr_err_set(err, 1, 0, "rtr: out of memory");
		return NULL;
	}
	r->sp = sp;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		kr_err_set(err, errno, 0, "rtr: pipe: %s", strerror(errno));
		free(r);
		return NULL;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r->pipe_rd = p[0];
	pipe_wr = p[1];
	if (kr_loop_add_fd(sp->loop, r->pipe_rd, KR_EV_READ, on_pipe, r) < 0) {
		kr_err_set(err, 1, 0, "rtr: event loop registration failed");
		goto fail;
	}
	r->tcp.host = (char *)c->rtr_host;
	r->tcp.port = (char *)c->rtr_port;
	r->tcp.connect_timeout = 2;
	if (tr_tcp_init(&r->tcp, &r->tr) != TR_SUCCESS) {
		kr_err_set(err, 1, 0, "rtr: tr_tcp_init failed");
		goto fail_loop;
	}
	r->rsock.tr_socket = &r->tr;
	r->socks[0] = &r->rsock;
	r->group[0].sockets = r->socks;
	r->group[0].sockets_len = 1;
	r->group[0].preference = 1;
	/* RFC 8210 §6 ranges; RTRlib refuses values outside them */
	unsigned expire = c->rtr_expire < 600 ? 600 : c->rtr_expire;
	unsigned refresh = c->rtr_refresh ? c->rtr_refresh : 1;
	unsigned retry = c->rtr_retry ? c->rtr_retry : 1;
	/* GCC at -O1 misreads RTRlib's groups[] parameter as an overflow */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
	int irc = rtr_mgr_init(&r->conf, r->group, 1, refresh, expire, retry, NULL, spki_cb,
			       status_cb, NULL);
#pragma GCC diagnostic pop
	if (irc != RTR_SUCCESS) {
		kr_err_set(err, 1, 0, "rtr: rtr_mgr_init failed (refresh %u, expire %u, retry %u)",
			   refresh, expire, retry);
		if (r->tr.free_fp)
			r->tr.free_fp(&r->tr);
		goto fail_loop;
	}
	/* take the intervals the cache sends as they are: compressed-time runs
	 * use Expire values below RFC 8210 §6's 600 s */
	rtr_set_interval_mode(&r->rsock, RTR_INTERVAL_MODE_ACCEPT_ANY);
	if (rs_fault.rtr_v0) {
		/* fault: an RFC 6810 client, which can receive no router keys */
		r->rsock.version = 0;
		rs_log("fault rtr-v0: the RTR client speaks version 0");
	}
	if (rtr_mgr_start(r->conf) != RTR_SUCCESS) {
		kr_err_set(err, 1, 0, "rtr: rtr_mgr_start failed");
		rtr_mgr_free(r->conf); /* frees the transport socket too */
		goto fail_loop;
	}
	r->expiry_timer = kr_loop_timer(sp->loop, EXPIRY_CHECK_NS, on_expiry_check, r);
	rs_log("RTR: cache %s port %s (refresh %u s, retry %u s, expire %u s)", c->rtr_host,
	       c->rtr_port, refresh, retry, expire);
	return r;
fail_loop:
	kr_loop_del_fd(sp->loop, r->pipe_rd);
fail:
	close(p[0]);
	close(p[1]);
	pipe_wr = -1;
	free(r);
	return NULL;
}

void rs_rtr_stop(struct rs_rtr *r)
{
	if (!r)
		return;
	rtr_mgr_stop(r->conf);
	rtr_mgr_free(r->conf); /* frees the transport socket too */
	if (r->expiry_timer)
		kr_loop_cancel(r->sp->loop, r->expiry_timer);
	free(r->dropped);
	kr_loop_del_fd(r->sp->loop, r->pipe_rd);
	close(r->pipe_rd);
	close(pipe_wr);
	pipe_wr = -1;
	free(r);
}
