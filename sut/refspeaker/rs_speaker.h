/* The reference BGPsec speaker: shared state of its parts.
 *   rs_peer.c    sessions (harness/net/bgp_session.h), listeners, export
 *   rs_update.c  received UPDATEs, validation, re-validation on key changes
 *   rs_keys.c    own origin/transit keys, rekey and twilight
 *   rs_rtr.c     router keys from an RTR cache through RTRlib
 *   rs_ctl.c     control socket (rekey, show, ping)
 *   rs_work.c    verification and signing on every core (ordered jobs)
 *   rs_walk.c    RIB walks a slice at a time (twilight, dumps, re-validation)
 * Everything else runs on one event loop (harness/net/evloop.h). */
#ifndef RS_SPEAKER_H
#define RS_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "net/bgp_session.h"
#include "wire/bgpsec_crypto.h"
#include "net/evloop.h"
#include "rs_config.h"
#include "rs_rib.h"
#include "rs_work.h"

enum rs_role { RS_ROLE_ORIGIN = 0, RS_ROLE_TRANSIT = 1 };

struct rs_ownkey {
	struct kr_key cur, prev;
	bool has_cur, has_prev;
	uint32_t gen;            /* generation of cur, from 1 */
	char path[RS_PATH_MAX];  /* file cur was loaded from */
};

struct rs_speaker;

struct rs_peer {
	size_t idx;
	struct rs_speaker *sp;
	const struct rs_peer_cfg *cfg;
	struct kr_bgp_session *s;
	char name[64];
	bool up;
	struct kr_bgp_neg neg;
	bool peer_mp_any;        /* the peer advertised some MP capability */
	uint8_t nh4[4], nh6[16]; /* our next hops on this session */
	uint32_t key_gen[2];     /* own-key generation in use towards this peer */
	uint64_t twilight_timer;
	bool twilight_pending[2];
	uint64_t updates_in;     /* UPDATEs it sent us (an upstream, in effect) */
	uint32_t epoch;          /* +1 per session down: stale jobs are dropped */
};

/* RTR key record mirrored from RTRlib, for show and one-key-per-as. */
struct rs_rkey {
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
	uint8_t spki[KR_SPKI_P256_LEN];
};

struct rs_stats {
	uint64_t updates_in, withdrawn_in, treat_as_withdraw, updates_out, withdraws_out;
	uint64_t rtr_announce, rtr_withdraw, revalidated, readvertised;
	uint64_t route_log_lines, signed_out, reval_changed;
};

struct rs_speaker {
	struct kr_loop *loop;
	struct rs_config cfg;
	struct rs_rib *rib;
	struct kr_keytab *keytab;
	struct rs_rkey *rkeys;
	size_t nrkeys;
	struct rs_ownkey keys[2];
	struct rs_peer peers[RS_MAX_PEERS];
	struct kr_bgp_listener *listeners[RS_MAX_LISTEN];
	struct rs_rtr *rtr;
	struct rs_ctl *ctl;
	struct rs_stats st;
	/* scratch, heap: too big for the stack */
	struct kr_crypto_ctx *cc;
	struct kr_update *u;     /* export */
	struct kr_update *uv;    /* re-validation */
	struct kr_bgpsec_path *bp;
	struct kr_sigstore *store;
	struct kr_update *urx;   /* received UPDATEs, applied in order */
	struct rs_work *work;
	struct rs_walk *walks;   /* RIB walks in progress */
	bool reading_paused;     /* the job window is full: sessions not read */
	struct out_job *out_pool; /* rs_peer.c: jobs kept for reuse */
	size_t out_pooled;
	uint64_t pump_timer;
};

/* One line per route is logged for the first ones only: a full table
 * would otherwise write a million lines. */
#define RS_ROUTE_LOG_LINES 2000
bool rs_log_route(struct rs_speaker *sp);

/* rs_log: one timestamped line on stderr (the log file with --log). */
void rs_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* rs_walk.c: walks over the RIB, a slice at a time while the job window
 * and the peer's send queue have room. */
enum rs_walk_kind { RS_WALK_DUMP, RS_WALK_TWILIGHT, RS_WALK_REVAL };
enum rs_reval_kind { RS_REVAL_ANNOUNCED, RS_REVAL_WITHDRAWN, RS_REVAL_AS_GONE };
struct rs_walk {
	struct rs_walk *next;
	enum rs_walk_kind kind;
	size_t pos, end;
	struct rs_peer *q;       /* DUMP, TWILIGHT */
	bool force, eor;         /* DUMP: resend everything; End-of-RIB after */
	bool roles[2];           /* TWILIGHT */
	size_t seen, sent;
	enum rs_reval_kind rk;   /* REVAL */
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
	size_t changed;
};
/* Start w (heap; owned from now on) and run what fits. */
void rs_walk_start(struct rs_speaker *sp, struct rs_walk *w);
/* Continue every walk (called when jobs completed or a queue drained). */
void rs_walks_pump(struct rs_speaker *sp);
/* Drop the walks towards q (its session went down). */
void rs_walks_cancel(struct rs_speaker *sp, struct rs_peer *q);
void rs_walks_free(struct rs_speaker *sp);
/* The pipeline made progress: resume reading, continue walks. */
void rs_on_progress(void *arg);

/* rs_peer.c */
struct out_job;
void rs_out_pool_free(struct rs_speaker *sp);
int rs_peers_start(struct rs_speaker *sp, struct kr_err *err);
void rs_peers_stop(struct rs_speaker *sp);
/* Bring what peer q holds for d in line with d's best route. force: send
 * even when the Adj-RIB-Out says the peer has it (twilight, refresh).
 * Returns 1 when an UPDATE or withdrawal went out. */
int rs_export(struct rs_speaker *sp, struct rs_dest *d, struct rs_peer *q, bool force);
/* Run the decision for d and export to every peer when the best changed. */
void rs_decide_and_export(struct rs_speaker *sp, struct rs_dest *d);
/* Key role that signs d: origin for own prefixes, transit otherwise. */
enum rs_role rs_dest_role(const struct rs_dest *d);
const char *rs_role_name(enum rs_role r);

/* Put bytes on q's session in order with the signing jobs (a withdrawal,
 * a plain UPDATE, End-of-RIB). */
void rs_send_ordered(struct rs_speaker *sp, struct rs_peer *q, const uint8_t *msg, size_t len);

/* rs_update.c */
void rs_on_update(struct rs_speaker *sp, struct rs_peer *p, const uint8_t *msg, size_t len,
		  const struct kr_update *u, const struct kr_err *err);
void rs_peer_down_routes(struct rs_speaker *sp, struct rs_peer *p);
/* A router key appeared / went away (from RTR). resetting: the removal is
 * part of a cache reset or new session id (RTRlib's is_resetting). */
void rs_key_announced(struct rs_speaker *sp, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		      const uint8_t *spki, bool resetting);
void rs_key_withdrawn(struct rs_speaker *sp, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		      const uint8_t *spki, bool resetting);
/* One step of a re-validation walk: submit jobs for d's paths concerned. */
void rs_reval_step(struct rs_speaker *sp, struct rs_walk *w, struct rs_dest *d);
void rs_reval_finish(struct rs_speaker *sp, struct rs_walk *w);

/* rs_vcache.c: verdict caches of three faults (FAULTS.md); inert when clean */
bool rs_vcache_get(const uint8_t *msg, size_t len, enum rs_val *val, int *reason);
void rs_vcache_put(const uint8_t *msg, size_t len, const struct kr_update *u, enum rs_val val,
		   int reason);
void rs_vcache_key_changed(uint32_t asn, const uint8_t *ski, bool resetting);

/* rs_keys.c */
void rs_twilight_step(struct rs_speaker *sp, struct rs_walk *w, struct rs_dest *d);
void rs_twilight_finish(struct rs_speaker *sp, struct rs_walk *w);
int rs_keys_load(struct rs_speaker *sp, struct kr_err *err);
void rs_keys_free(struct rs_speaker *sp);
/* The key that signs role's routes towards q (per-peer twilight). */
const struct kr_key *rs_key_for(struct rs_speaker *sp, enum rs_role role, const struct rs_peer *q);
/* Load NEWKEY, switch role to it and re-advertise (draft §3.1 step 3).
 * Writes a one-line result to reply. 0 or -1. */
int rs_rekey(struct rs_speaker *sp, enum rs_role role, const char *path, unsigned stagger_ms,
	     char *reply, size_t replysz);
/* A session came up: it uses the current keys. */
void rs_keys_peer_up(struct rs_speaker *sp, struct rs_peer *q);
void rs_keys_peer_down(struct rs_speaker *sp, struct rs_peer *q);

/* rs_rtr.c */
struct rs_rtr;
struct rs_rtr *rs_rtr_start(struct rs_speaker *sp, struct kr_err *err);
void rs_rtr_stop(struct rs_rtr *r);
const char *rs_rtr_status(const struct rs_rtr *r);

/* rs_ctl.c */
struct rs_ctl;
struct rs_ctl *rs_ctl_start(struct rs_speaker *sp, const char *path, struct kr_err *err);
void rs_ctl_stop(struct rs_ctl *c);
/* Client side: `refspeaker ctl SOCK ...`; returns the exit code. */
int rs_ctl_client(int argc, char **argv);

#endif
