/* Harness speaker: one role around the SUT (injectors up1/up2, observers
 * dn1/dn2) = one BGP session (bgp_session.h) + a recorder of every message
 * received + optionally an observer (observer.h) + injection helpers that
 * sign on the fly or send bytes verbatim.
 *
 * A case configures the capabilities per role, including the deliberate
 * deviations (BGPsec not advertised, only one direction, no 4-octet AS
 * capability), and every wait runs on the one event loop. */
#ifndef KR_SPEAKER_H
#define KR_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/bgp_session.h"
#include "wire/bgpsec_crypto.h"
#include "run/observer.h"

struct kr_speaker;

struct kr_speaker_cfg {
	const char *name;              /* role, e.g. "up1" */
	uint32_t asn, bgp_id, peer_as; /* peer_as 0: accept any */
	const char *local_ip;          /* bind address (active) / listen address (passive) */
	const char *peer_ip;           /* active: connect here */
	uint16_t port;                 /* kr_speaker_cfg_init sets 179; passive 0 = any free port */
	bool passive;                  /* listen instead of connecting */
	kr_bgp_socket_fn socket_fn;    /* NULL: current netns (see kr_speaker_ns_socket) */
	void *socket_arg;
	bool afi[3];                   /* MP unicast advertised per AFI */
	bool bgpsec_send[3], bgpsec_recv[3];
	bool no_as4, ext_msg;
	uint16_t hold_time;            /* 0 means 90 */
	bool record;                   /* keep every received message */
	bool observe;                  /* keep per-prefix state */
	bool obs_compact;              /* ... compactly, sampling signatures (observer.h) */
	uint32_t obs_sample_mod;
	bool auto_restart;             /* come back after the SUT drops the session */
	unsigned connect_retry_ms;     /* 0: the session default (1 s) */
	const struct kr_keytab *keys;  /* observer validation keys */
	const char *nh4, *nh6;         /* next hops; default: the session's own address */
	enum kr_bgp_update_err_mode update_err; /* default KR_UPD_ERR_DELIVER: record, keep going */
	const uint8_t *open_raw;       /* send this OPEN verbatim (negative cases) */
	size_t open_raw_len;
	/* Called for every UPDATE after recording/observing (u NULL when it
	 * did not decode). */
	void (*on_update)(struct kr_speaker *sp, const uint8_t *msg, size_t len,
			  const struct kr_update *u, void *arg);
	/* Called when a connection that reached OpenSent is lost (why: as
	 * bgp_session.h reports it). */
	void (*on_down)(struct kr_speaker *sp, const struct kr_bgp_down *why, void *arg);
	void *hook_arg;
};
void kr_speaker_cfg_init(struct kr_speaker_cfg *c);

/* A socket_fn that creates sockets inside a topology node (netns.h):
 * socket_arg points at a struct kr_ns_sock that outlives the speaker. */
struct kr_net;
struct kr_ns_sock {
	const struct kr_net *net;
	const char *node;
};
int kr_ns_socket_fn(void *arg, int family, int type);

/* One received message. */
struct kr_rec_msg {
	int64_t t;
	uint8_t type;
	uint32_t len;
	const uint8_t *bytes;
};

struct kr_speaker *kr_speaker_new(struct kr_loop *l, const struct kr_speaker_cfg *c, struct kr_err *err);
void kr_speaker_free(struct kr_speaker *sp);
int kr_speaker_start(struct kr_speaker *sp, struct kr_err *err);
void kr_speaker_stop(struct kr_speaker *sp);

struct kr_bgp_session *kr_speaker_session(struct kr_speaker *sp);
/* Passive: the port actually listened on (cfg.port may be 0 = any). */
uint16_t kr_speaker_listen_port(const struct kr_speaker *sp);
struct kr_obs *kr_speaker_obs(struct kr_speaker *sp); /* NULL unless observe */
const char *kr_speaker_name(const struct kr_speaker *sp);
uint32_t kr_speaker_asn(const struct kr_speaker *sp);
/* Run the loop until Established, the deadline (0) or a failure. */
int kr_speaker_wait_established(struct kr_speaker *sp, int64_t deadline_ns);
/* Several speakers at once (all Established). */
int kr_speakers_wait_established(struct kr_speaker *const *sps, size_t n, int64_t deadline_ns);

/* Received messages, in order. */
size_t kr_speaker_nrec(const struct kr_speaker *sp);
struct kr_rec_msg kr_speaker_rec(const struct kr_speaker *sp, size_t i);
size_t kr_speaker_updates_received(const struct kr_speaker *sp);

/* ---- injection ---------------------------------------------------------- */

struct kr_announce {
	struct kr_prefix prefix;
	/* Signed path: keys[0] originates, each next key signs the hop after
	 * it, the last one signs towards the peer (its AS should be this
	 * speaker's, RFC 8205 §5.2 check 2). nkeys 0: unsigned AS_PATH route. */
	const struct kr_key *const *keys;
	size_t nkeys;
	uint8_t pcount;                /* 0 means 1 */
	const uint32_t *as_path;       /* unsigned: AS_SEQUENCE; NULL: { own AS } */
	size_t as_path_len;
	bool force_as_path;            /* AS_PATH beside BGPsec_PATH (negative) */
	const struct kr_attr *extra;
	size_t nextra;
	uint32_t target_as;            /* signature target; 0: the peer's AS */
};

/* Build the UPDATE (signing as needed) into out without sending. Usable
 * before Established when cfg.peer_as is set (pre-signed batches). */
int kr_speaker_build(struct kr_speaker *sp, const struct kr_announce *a, uint8_t *out, size_t cap,
		     size_t *len, struct kr_err *err);
int kr_speaker_announce(struct kr_speaker *sp, const struct kr_announce *a, struct kr_err *err);
int kr_speaker_withdraw(struct kr_speaker *sp, const struct kr_prefix *p, size_t n, struct kr_err *err);
/* Bytes verbatim (vectors, pcap replay). */
int kr_speaker_send_raw(struct kr_speaker *sp, const uint8_t *bytes, size_t len);
/* Push many messages with backpressure: runs the loop while the session
 * queue is above its high watermark. msgs holds n whole messages back to
 * back (lens[i] each). Returns 0, or -1 if the session went down or the
 * deadline passed. */
int kr_speaker_send_batch(struct kr_speaker *sp, const uint8_t *msgs, const size_t *lens, size_t n,
			  int64_t deadline_ns);

#endif
