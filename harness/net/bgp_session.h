/* One BGP-4 session (RFC 4271 §8 finite state machine) on the single event
 * loop (evloop.h). Used by every harness speaker and by the reference
 * speaker, so all BGP transport behaviour lives here once.
 *
 * What it does
 *   - Explicit state and event tables (bgp_fsm.c, RFC 4271 §8.2.2): every
 *     (state, event) pair maps to one action and one next state; pairs the
 *     RFC calls an FSM error send NOTIFICATION 5 (RFC 6608 subcodes).
 *   - Active open (non-blocking connect, ConnectRetry timer) and passive open
 *     (an accepted socket handed in by the owner, see kr_bgp_listener).
 *   - OPEN exchange and capability negotiation, exposed as kr_bgp_neg:
 *     peer AS (4-octet when the peer sent capability 65), hold time,
 *     Extended Message (RFC 8654), and BGPsec per AFI and direction
 *     (RFC 8205 §2.2, including "no 4-octet AS capability on either side ->
 *     no BGPsec at all").
 *   - Hold timer and keepalives; NOTIFICATION on header, OPEN and UPDATE
 *     errors; framing across partial reads; a write queue with a high
 *     watermark for backpressure (nothing is ever dropped).
 *
 * What it does not do: RIBs, policy, validation. UPDATEs are handed to the
 * owner raw and decoded; the owner decides. Connection collision detection
 * (RFC 4271 §6.8) is not implemented: a passive session that already has a
 * connection refuses a second one (kr_bgp_session_accept returns -1).
 *
 * Usage (active side):
 *     struct kr_bgp_cfg c;
 *     kr_bgp_cfg_init(&c);                 // defaults: hold 90, retry 1 s
 *     c.open.asn = 65536; c.open.bgp_id = 0xC6120001;
 *     c.open.mp[KR_AFI_IPV4] = true;
 *     c.open.bgpsec_send[KR_AFI_IPV4] = c.open.bgpsec_recv[KR_AFI_IPV4] = true;
 *     c.peer_as = 64496;                   // 0: accept any
 *     memcpy(&c.remote, &sa, salen); c.remote_len = salen;
 *     struct kr_bgp_cbs cb = { .on_established = up, .on_update = upd,
 *                              .on_down = down };
 *     struct kr_bgp_session *s = kr_bgp_session_new(loop, &c, &cb, me);
 *     kr_bgp_session_start(s);             // ManualStart
 *     kr_loop_run_until(loop, is_up, s, kr_now_ns() + 5 * 1000000000LL);
 *     kr_bgp_send_raw(s, bytes, n);        // verbatim, e.g. from a vector
 *
 * Passive side: c.passive = true; kr_bgp_session_start(s) puts it in Active
 * state; the owner's listener calls kr_bgp_session_accept(s, fd).
 *
 * Callbacks run from inside the event loop. A callback may call any send
 * function and kr_bgp_session_stop(); it must not free the session (free it
 * after the loop returns; kr_bgp_session_free is safe on a down session).
 */
#ifndef KR_BGP_SESSION_H
#define KR_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/bgp_msg.h"
#include "net/evloop.h"
#include "wire/kr_util.h"

/* RFC 4271 §8.2.2 states. */
enum kr_bgp_state {
	KR_BGP_IDLE,
	KR_BGP_CONNECT,
	KR_BGP_ACTIVE,
	KR_BGP_OPENSENT,
	KR_BGP_OPENCONFIRM,
	KR_BGP_ESTABLISHED,
	KR_BGP_NSTATES
};
const char *kr_bgp_state_name(enum kr_bgp_state s);

/* RFC 4271 §8.1 events this implementation raises (RFC event number in the
 * comment; optional events it never raises are left out). */
enum kr_bgp_event {
	KR_BE_MANUAL_START,      /* 1 */
	KR_BE_MANUAL_START_PASSIVE, /* 4 ManualStart_with_PassiveTcpEstablishment */
	KR_BE_MANUAL_STOP,       /* 2 */
	KR_BE_CONNRETRY_EXPIRES, /* 9 */
	KR_BE_HOLD_EXPIRES,      /* 10 */
	KR_BE_KEEPALIVE_EXPIRES, /* 11 */
	KR_BE_TCP_CONNECTED,     /* 16 / 17 */
	KR_BE_TCP_FAILS,         /* 18 */
	KR_BE_OPEN,              /* 19 BGPOpen */
	KR_BE_HEADER_ERR,        /* 21 BGPHeaderErr */
	KR_BE_OPEN_ERR,          /* 22 BGPOpenMsgErr */
	KR_BE_NOTIF_VER_ERR,     /* 24 NotifMsgVerErr */
	KR_BE_NOTIF,             /* 25 NotifMsg */
	KR_BE_KEEPALIVE,         /* 26 KeepAliveMsg */
	KR_BE_UPDATE,            /* 27 UpdateMsg */
	KR_BE_UPDATE_ERR,        /* 28 UpdateMsgErr */
	KR_BE_ROUTE_REFRESH,     /* RFC 2918 message: handled like UpdateMsg */
	KR_BGP_NEVENTS
};
const char *kr_bgp_event_name(enum kr_bgp_event e);

/* How to react to an UPDATE that kr_update_decode rejects. */
enum kr_bgp_update_err_mode {
	KR_UPD_ERR_NOTIFY,  /* NOTIFICATION 3/x and drop the session (RFC 4271 §6.3) */
	KR_UPD_ERR_DELIVER, /* hand it to on_update with u == NULL and keep going:
			      * observers record what the SUT sent */
};

/* Creates a non-blocking, close-on-exec socket; lets the owner create it
 * inside a node's namespace. Returns fd or -1. */
typedef int (*kr_bgp_socket_fn)(void *arg, int family, int type);

struct kr_bgp_cfg {
	struct kr_open_cfg open;  /* what we advertise (kr_open_build) */
	const uint8_t *open_raw;  /* if set: send this OPEN verbatim instead;
				   * negotiation uses its decoded form */
	size_t open_raw_len;
	uint32_t peer_as;         /* expected peer AS, 0 = any (else OPEN 2/2) */
	bool passive;             /* wait for kr_bgp_session_accept */
	struct sockaddr_storage remote, local; /* active: connect to remote,
						* bind local when local_len */
	socklen_t remote_len, local_len;
	kr_bgp_socket_fn socket_fn; /* NULL: plain socket() in the current netns */
	void *socket_arg;
	int64_t connect_retry_ns; /* default 1 s (RFC: 120 s; harness wants speed) */
	int64_t open_hold_ns;     /* hold timer while waiting for OPEN, default 240 s */
	bool auto_restart;        /* after going down, start again after connect_retry */
	bool require_bgpsec;      /* refuse the session (OPEN 2/7) when BGPsec is
				   * not negotiated for any AFI (RFC 8205 §7.1) */
	enum kr_bgp_update_err_mode update_err;
	uint8_t bgpsec_type;      /* attribute code decoded as BGPsec_PATH (33) */
	bool count_updates_only;  /* KR_UPD_ERR_DELIVER only: UPDATEs reach on_update
				   * undecoded (u and err NULL), for a peer that only
				   * takes a full table in */
	size_t out_high_water;    /* kr_bgp_can_send false above this (4 MiB) */
	const char *name;         /* for messages, e.g. "up1" */
};
void kr_bgp_cfg_init(struct kr_bgp_cfg *c);

/* Result of the OPEN exchange; valid from OpenConfirm on. Index [afi]
 * with KR_AFI_IPV4 / KR_AFI_IPV6. */
struct kr_bgp_neg {
	uint32_t peer_as;        /* capability 65 value when present, else My AS */
	bool peer_as4;           /* the peer sent capability 65 */
	bool local_as4;          /* we sent capability 65 */
	uint32_t peer_id;
	uint16_t hold_time;      /* min(ours, theirs); 0 = no keepalives */
	bool ext_msg;            /* both sent capability 6 */
	size_t max_len;          /* 65535 with ext_msg, else 4096 */
	bool mp[3];              /* both advertised MP for afi/unicast */
	bool route_refresh;
	/* RFC 8205 §2.2: we may send BGPsec_PATH for afi when we advertised
	 * send and the peer advertised receive for afi (version 0), and both
	 * sent capability 65. bgpsec_recv: the mirror (peer may send to us). */
	bool bgpsec_send[3];
	bool bgpsec_recv[3];
	bool peer_bgpsec_any;    /* the peer advertised any BGPsec capability */
};

/* Why a session went down. */
enum kr_bgp_down_reason {
	KR_DOWN_STOPPED,       /* kr_bgp_session_stop (we sent Cease) */
	KR_DOWN_NOTIF_SENT,    /* we found an error and sent a NOTIFICATION */
	KR_DOWN_NOTIF_RCVD,    /* the peer sent a NOTIFICATION */
	KR_DOWN_HOLD_EXPIRED,  /* we sent 4/0 */
	KR_DOWN_TCP_CLOSED,    /* peer closed or reset without NOTIFICATION */
	KR_DOWN_TCP_FAILED,    /* connect failed */
};
struct kr_bgp_down {
	enum kr_bgp_down_reason reason;
	enum kr_bgp_state from;       /* state when it happened */
	uint8_t code, subcode;        /* the NOTIFICATION, when one was sent/received */
	uint8_t data[64];
	size_t data_len;              /* truncated copy of its data */
	int64_t when_ns;
	char text[256];               /* one line, e.g. "received NOTIFICATION 6/2
				       * (Cease/Administrative Shutdown)" */
};
const char *kr_bgp_down_reason_name(enum kr_bgp_down_reason r);

struct kr_bgp_session;

struct kr_bgp_cbs {
	/* Entered Established. */
	void (*on_established)(struct kr_bgp_session *s, void *arg);
	/* Every UPDATE in Established. msg/len: the whole message (header
	 * included), valid only during the call. u: decoded views into msg, or
	 * NULL when the decode failed (only in KR_UPD_ERR_DELIVER mode; err
	 * then says why and where). */
	void (*on_update)(struct kr_bgp_session *s, const uint8_t *msg, size_t len,
			  const struct kr_update *u, const struct kr_err *err, void *arg);
	/* Every message received, any type, before the FSM acts on it, with
	 * the receive time (kr_now_ns when it was framed). For recorders. */
	void (*on_message)(struct kr_bgp_session *s, uint8_t type, const uint8_t *msg,
			   size_t len, int64_t when_ns, void *arg);
	/* A connection that reached OpenSent was lost (any reason). Failed
	 * connects are only recorded in kr_bgp_session_last_down. */
	void (*on_down)(struct kr_bgp_session *s, const struct kr_bgp_down *why, void *arg);
	/* The write queue fell below the high watermark again. */
	void (*on_writable)(struct kr_bgp_session *s, void *arg);
};

/* The config is copied (open_raw is copied too). NULL on ENOMEM. */
struct kr_bgp_session *kr_bgp_session_new(struct kr_loop *l, const struct kr_bgp_cfg *c,
					  const struct kr_bgp_cbs *cb, void *arg);
/* Closes the socket without a NOTIFICATION (use stop first to be polite). */
void kr_bgp_session_free(struct kr_bgp_session *s);

/* ManualStart: active sessions connect; passive ones wait for accept. */
int kr_bgp_session_start(struct kr_bgp_session *s);
/* ManualStop: NOTIFICATION Cease/Administrative Shutdown (6/2) when a
 * connection is up, flush, close, Idle. No auto restart after this. */
void kr_bgp_session_stop(struct kr_bgp_session *s);
/* Hand an accepted, connected socket to a passive session (made
 * non-blocking here). Takes ownership of fd even on failure (closes it). */
int kr_bgp_session_accept(struct kr_bgp_session *s, int fd);

enum kr_bgp_state kr_bgp_session_state(const struct kr_bgp_session *s);
bool kr_bgp_session_established(const struct kr_bgp_session *s);
const struct kr_bgp_neg *kr_bgp_session_neg(const struct kr_bgp_session *s);
/* The peer's OPEN as received (message with header), and decoded. NULL
 * before one arrived. Valid until the next connection. */
const uint8_t *kr_bgp_session_peer_open(const struct kr_bgp_session *s, size_t *len);
const struct kr_open *kr_bgp_session_peer_open_decoded(const struct kr_bgp_session *s);
/* The last reason the session went down (reason is meaningful only when
 * kr_bgp_session_downs() > 0). */
const struct kr_bgp_down *kr_bgp_session_last_down(const struct kr_bgp_session *s);
unsigned kr_bgp_session_downs(const struct kr_bgp_session *s);
const struct kr_bgp_cfg *kr_bgp_session_cfg(const struct kr_bgp_session *s);
const char *kr_bgp_session_name(const struct kr_bgp_session *s);
void kr_bgp_session_set_arg(struct kr_bgp_session *s, void *arg);
int kr_bgp_session_fd(const struct kr_bgp_session *s); /* -1 when none */

/* Counters, for benches and evidence. */
struct kr_bgp_stats {
	uint64_t msgs_in, msgs_out, updates_in, updates_out, bytes_in, bytes_out;
	int64_t established_ns; /* kr_now_ns when it last came up, 0 never */
};
const struct kr_bgp_stats *kr_bgp_session_stats(const struct kr_bgp_session *s);

/* ---- sending -------------------------------------------------------------
 * All send functions queue and return 0, or -1 when there is no
 * connection (err text via errno EPIPE) or the message cannot be built.
 * The queue is flushed from the event loop (at once when it is large).
 * Nothing is dropped: check kr_bgp_can_send() and wait for on_writable (or
 * for kr_bgp_out_pending() to shrink) before pushing large batches. */

/* Bytes sent verbatim, not inspected: one message, several, or deliberately
 * malformed ones (replay from pcap and vectors). Allowed in any state with
 * a TCP connection. */
int kr_bgp_send_raw(struct kr_bgp_session *s, const uint8_t *bytes, size_t len);
/* Build (kr_update_build, using the negotiated max length) and send;
 * Established only. */
int kr_bgp_send_update(struct kr_bgp_session *s, const struct kr_route_out *r, struct kr_err *err);
int kr_bgp_send_withdraw(struct kr_bgp_session *s, const struct kr_prefix *p, size_t n,
			 struct kr_err *err);
int kr_bgp_send_eor(struct kr_bgp_session *s, uint16_t afi);
/* Send a NOTIFICATION and close (the session reports KR_DOWN_NOTIF_SENT). */
int kr_bgp_send_notification(struct kr_bgp_session *s, uint8_t code, uint8_t subcode,
			     const uint8_t *data, size_t dlen);
bool kr_bgp_can_send(const struct kr_bgp_session *s);
/* Stop (and resume) reading from the socket: a receiver whose own queue
 * is full pushes back through TCP. Errors and hang-ups still surface. */
void kr_bgp_session_pause_read(struct kr_bgp_session *s, bool paused);
size_t kr_bgp_out_pending(const struct kr_bgp_session *s);
/* Try to write the queue now; returns bytes still queued. */
size_t kr_bgp_flush(struct kr_bgp_session *s);

/* ---- passive open ------------------------------------------------------- */

/* Accepts on a listening socket the owner created (bound, listening, in the
 * right namespace); for each connection calls on_accept with the new
 * non-blocking fd and the peer address. The callback owns the fd (hand it
 * to kr_bgp_session_accept, or close it). */
typedef void (*kr_bgp_accept_fn)(int fd, const struct sockaddr *peer, socklen_t plen, void *arg);
struct kr_bgp_listener;
struct kr_bgp_listener *kr_bgp_listener_new(struct kr_loop *l, int listen_fd,
					    kr_bgp_accept_fn on_accept, void *arg);
void kr_bgp_listener_free(struct kr_bgp_listener *ls); /* closes listen_fd */

/* A listening TCP socket on addr (port in addr) made with socket_fn (NULL:
 * current netns), SO_REUSEADDR, non-blocking. Returns fd or -1 (err set). */
int kr_bgp_listen_socket(const struct sockaddr *addr, socklen_t alen, kr_bgp_socket_fn socket_fn,
			 void *socket_arg, struct kr_err *err);

/* "198.18.0.1" / "2001:db8::1" + port -> sockaddr. 0 or -1. */
int kr_sockaddr_parse(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);
void kr_sockaddr_format(const struct sockaddr *sa, char *out, size_t outsz);

/* The negotiation rules on their own (pure; used by the session, exposed
 * for tests): local and peer are decoded OPENs. */
void kr_bgp_negotiate(const struct kr_open *local, const struct kr_open *peer,
		      struct kr_bgp_neg *out);

/* ---- FSM tables (bgp_fsm.c), exposed for tests ---------------------------- */
enum kr_bgp_action {
	KR_BA_NONE,          /* ignore */
	KR_BA_CONNECT,       /* start TCP (active) or wait for accept (passive) */
	KR_BA_RETRY,         /* close, arm ConnectRetry, try again */
	KR_BA_SEND_OPEN,     /* TCP up: send OPEN, arm the large hold timer */
	KR_BA_OPEN_OK,       /* OPEN accepted: send KEEPALIVE, set negotiated timers */
	KR_BA_ESTABLISH,     /* KEEPALIVE in OpenConfirm: enter Established */
	KR_BA_RESTART_HOLD,  /* a KEEPALIVE in Established */
	KR_BA_DELIVER,       /* UPDATE / ROUTE-REFRESH to the owner, restart hold */
	KR_BA_SEND_KEEPALIVE,/* keepalive timer */
	KR_BA_NOTIFY_ERR,    /* send the NOTIFICATION the decoder prepared, drop */
	KR_BA_NOTIFY_FSM,    /* NOTIFICATION 5/x (RFC 6608), drop */
	KR_BA_NOTIFY_HOLD,   /* NOTIFICATION 4/0, drop */
	KR_BA_NOTIFY_CEASE,  /* NOTIFICATION 6/2, drop */
	KR_BA_PEER_NOTIF,    /* peer sent NOTIFICATION: drop */
	KR_BA_DROP,          /* close without NOTIFICATION */
	KR_BA_STOP_QUIET,    /* ManualStop before TCP is up: just close */
};
struct kr_bgp_transition {
	enum kr_bgp_state next;
	enum kr_bgp_action action;
};
/* The table entry for (s, e); never NULL. */
struct kr_bgp_transition kr_bgp_fsm_lookup(enum kr_bgp_state s, enum kr_bgp_event e);

#endif
