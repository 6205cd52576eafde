/* Internals shared by world*.c (not for cases: they use world.h). */
#ifndef KR_WORLD_INT_H
#define KR_WORLD_INT_H

#include <limits.h>

#include "wire/bgpsec_crypto.h"
#include "net/netns.h"
#include "net/proc.h"
#include "rpki/rtr_cache.h"
#include "run/speaker.h"
#include "rpki/stayrtr.h"
#include "run/sut_profile.h"
#include "net/topo.h"
#include "run/world.h"
#include "wire/rtr_pdu.h"

#define KR_W_MAX_KEYS 80
#define KR_W_MAX_SENT 32
#define KR_W_RTR_PORT 3323
#define KR_W_SUT_NODE "sut"
/* Owner of the router keys of a full table's origin and transit ASes. */
#define KR_W_TABLE_OWNER ((enum kr_peer)(KR_NPEERS + 2))
#define KR_W_STAYRTR_METRICS_PORT 9847
#define KR_W_STAYRTR_REFRESH_S 1u /* StayRTR polls its input file */

/* Owner of the keys of the ASes behind up1 (kr_w_far_key). */
#define KR_W_FAR_OWNER ((enum kr_peer)(KR_NPEERS + 1))

struct kr_wkey {
	struct kr_key k;
	enum kr_peer owner;       /* KR_NPEERS: the SUT; KR_W_FAR_OWNER: behind up1 */
	char role[12];            /* SUT keys: origin, transit, shared; far: hop1.. */
	unsigned gen;
	bool forged;              /* SKI copied from another key */
	bool published;
	int64_t unpublished_ns;   /* when the cache withdrew it, 0 never */
	uint8_t spki[KR_SPKI_P256_LEN + 16];
	size_t spki_len;
	char name[128];
	char pem[PATH_MAX];
	char cert[PATH_MAX];      /* router certificate, when the CA issued one */
	struct x509_st *x509;     /* that certificate (the RTR data come from it) */
	int64_t not_after;        /* its notAfter (Unix s) when set by the case; 0: default */
};

struct kr_wsent {
	enum kr_peer up;
	struct kr_prefix pfx;
	struct kr_bytes msg;
	bool live;                /* announced and not withdrawn since */
};

struct kr_exa;

/* What world_health.c saw of the SUT breaking down. */
struct kr_w_health {
	bool armed;             /* the world is up: session drops count */
	bool broken;            /* something broke: the current wait ends */
	bool reported;          /* the crash verdict is recorded */
	unsigned allow_down;    /* peers whose sessions may drop (kr_w_expect_down) */
	bool allow_exit;        /* the SUT's process may end */
	bool in_wait;           /* a kr_w_run_until is running */
	bool broke_in_wait;     /* the first breakdown came during one */
	int64_t exit_ns;        /* when its end was seen, 0 never */
	int64_t drop_ns[KR_NPEERS];
	char drop_text[KR_NPEERS][256];
};

/* What outlives a case when one SUT serves the run (world_shared.c). */
#define KR_W_SUT_ROLES 3 /* shared, origin, transit */
struct kr_world_run {
	struct kr_loop *loop;
	char run_dir[PATH_MAX];
	struct kr_topo topo;
	struct kr_net *net;
	struct kr_rtr_cache *rtr;
	struct kr_proc *sut;
	struct kr_sut_vars *vars;
	bool sut_up;                  /* started, and in a known state */
	bool split_keys;              /* the running SUT's key configuration */
	char key_pem[KR_W_SUT_ROLES][PATH_MAX]; /* the key it signs with, per role; "" none */
	char workdir[PATH_MAX];       /* run_dir/sut/N: the running SUT's files */
	char config_path[PATH_MAX];
	char rtr_addr[64];
	unsigned starts;
	char leak[1024];              /* isolation failure after the last case, "" none */
	char leak_case[128];          /* ... and that case's id */
	size_t tx_from;               /* RTR transcript entry where the case began */
	bool rtr_cut;                 /* a case stopped the cache answering */
	long log_from;                /* sut.log offset where the case began */
	bool keep;
};

struct kr_world {
	struct kr_ctx *ctx;
	struct kr_world_cfg cfg;
	const struct kr_sut_profile *prof;
	struct kr_topo topo;
	struct kr_net *net;
	struct kr_capset *caps;
	struct kr_rtr_cache *rtr;     /* the built-in cache, or NULL under StayRTR */
	struct kr_stayrtr *srtr;      /* StayRTR (--rtr stayrtr, --rpki pipeline), or NULL */
	struct kr_wpipe *pipe;        /* the RPKI pipeline (--rpki pipeline), or NULL */
	struct kr_keytab *keytab;     /* what the cache publishes, for observers */
	struct kr_proc *sut;
	struct kr_sut_vars *vars;
	struct kr_speaker *sp[KR_NPEERS]; /* up1, up2, dn1, dn2 (exa: below) */
	struct kr_exa *exa;
	struct kr_wkey *keys[KR_W_MAX_KEYS];
	size_t nkeys;
	struct kr_wsent sent[KR_W_MAX_SENT];
	size_t nsent;
	unsigned sentinels, barriers, crls;
	/* upstream that sent the latest UPDATE: sentinels follow it on the
	 * same session, the only order the SUT must keep (docs/design.md rule 5) */
	enum kr_peer last_up;
	bool have_last_up;
	long delay_ms[3];             /* profile delays per enum kr_wait_kind */
	struct kr_w_health health;
	unsigned sut_starts;          /* starts so far (logs of later ones: sut-N.out) */
	unsigned rtr_retry_s;         /* Retry the cache advertises when a case set it */
	bool rtr_deferred;            /* kr_w_rtr_defer: the cache answers later */
	const struct kr_wtable *table;/* full table of a scale world */
	uint32_t sample_mod;          /* its observers verify 1 in sample_mod routes */
	size_t sut_rss0;              /* the SUT's resident set before the table */
	char workdir[PATH_MAX];
	char config_path[PATH_MAX];   /* rendered configuration, "" without one */
	char sut_dir[PATH_MAX];       /* where sut.log and sut.out go */
	bool sut_halted;              /* kr_w_sut_halt: down until kr_w_sut_restart
				       * (a device may run with no process of ours) */
	struct kr_world_run *run;     /* one SUT for the run, or NULL */
	char rtr_addr[64];
};

/* world_capture.c: pcaps of every SUT link into the case folder; stop
 * also runs the wire lint over them */
int kr_w_capture_start(struct kr_world *w);
void kr_w_capture_stop(struct kr_world *w);
/* world_lint.c: wire lint of the SUT's messages in these captures */
void kr_w_lint(struct kr_world *w, const char *const *paths, size_t n);

/* world_keys.c */
int kr_w_keys_init(struct kr_world *w);
void kr_w_keys_free(struct kr_world *w);
int kr_w_rtr_start(struct kr_world *w);
int kr_w_rtr_wait_synced(struct kr_world *w);
/* Announce k (certificate, key table, cache) without waiting for the SUT. */
int kr_w_rtr_add(struct kr_world *w, struct kr_wkey *k);
/* Under StayRTR: record SKIP for a verb only the built-in cache has. */
int kr_w_rtr_builtin_only(struct kr_world *w, const char *verb);

/* world.c: the topology (a device's plan applied) and its captures. */
int kr_w_load_topo(struct kr_world *w);
/* world_keys.c: the cache's data become the case's generation-0 keys,
 * announced to the SUT as a new session id; the cache answers again with
 * the default timers (whatever the previous case did to it). wait: until
 * the SUT's client has them. */
int kr_w_rtr_renew(struct kr_world *w, bool wait);

/* world_shared.c: one SUT for the run */
/* kr_world_up for a case of a shared run. */
int kr_w_shared_up(struct kr_world *w);
/* The case's part of world_down: upstreams leave, the SUT must withdraw
 * their routes (recorded as a leak otherwise), observers leave; the run's
 * topology, cache and SUT stay. */
void kr_w_shared_detach(struct kr_world *w);
/* A shared SUT originates KR_W_SHARED_OWN own prefixes of each family
 * (those of kr_w_sut_prefix for both families), i-th of them. */
#define KR_W_SHARED_OWN 2
/* The SUT's own prefix i of a family (4 or 6). */
const char *kr_w_own_prefix(int family, unsigned i);
const char *kr_w_shared_own(unsigned i);
/* Role index of a SUT key role ("shared", "origin", "transit"), or -1. */
int kr_w_sut_role(const char *role);

/* world_device.c: kind = device */
bool kr_w_is_device(const struct kr_world *w);
/* Apply the profile's [device] plan to w->topo and describe the lab
 * interface for kr_net_up_dev. 0 or -1 (ERROR recorded). */
int kr_w_dev_plan(struct kr_world *w, struct kr_net_dev *d);
/* A prefix "A/LEN" as template variables net, plen, mask, ipv6. 0 or -1. */
int kr_w_prefix_vars(struct kr_sut_vars *item, const char *prefix);
/* One role's link as template variables into item. 0 or -1. */
int kr_w_link_vars(struct kr_world *w, struct kr_sut_vars *item, const char *role);

/* Issue k's router certificate (once): the run's TA, or under the
 * pipeline the CA of k's AS. */
int kr_w_certify(struct kr_world *w, struct kr_wkey *k);

/* world_pipeline.c: --rpki pipeline (the key verbs as CA actions) */
int kr_w_pipe_start(struct kr_world *w);
void kr_w_pipe_stop(struct kr_world *w);
struct kr_ca *kr_w_pipe_issuer(struct kr_world *w, const struct kr_wkey *k);
int kr_w_pipe_publish(struct kr_world *w, struct kr_wkey *k);
int kr_w_pipe_publish_nowait(struct kr_world *w, struct kr_wkey *k);
int kr_w_pipe_unpublish(struct kr_world *w, struct kr_wkey *k);
int kr_w_pipe_revoke(struct kr_world *w, struct kr_wkey *k);
int kr_w_pipe_wait_synced(struct kr_world *w);

/* world_rtrwire.c: what the SUT holds, from its RTR link's capture */
#define KR_W_WIRE_CHANGES 16
struct kr_wire_change {
	int64_t t;                /* capture time (kr_now_ns clock) */
	bool announce;
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
};
struct kr_wire_sync {
	bool synced;              /* after its last End of Data the SUT holds
				   * exactly the target keys */
	size_t nheld;             /* keys it holds */
	uint32_t serial;          /* of that End of Data */
	bool newer_notified;      /* a Serial Notify beyond it went unanswered */
	/* the update that brought it to the target: */
	int64_t t_eod, t_notify;  /* its End of Data, the Serial Notify before it (0: none) */
	uint32_t notify_serial;
	struct kr_wire_change ch[KR_W_WIRE_CHANGES]; /* its Router Key PDUs */
	size_t nch;
	size_t eods;              /* End of Data PDUs the SUT received */
	unsigned sut_versions[2]; /* its PDUs of version 0 and 1 */
};
int kr_w_wire_scan(struct kr_world *w, const struct kr_rtr_set *target, struct kr_wire_sync *out);
/* Every RTR PDU of the capture in order, with its time (kr_now_ns clock)
 * and whether the SUT sent it. 0, or -1 (ERROR: no such capture). */
typedef void (*kr_w_wire_fn)(const struct kr_rtr_pdu *p, int64_t t, bool from_sut, void *arg);
int kr_w_wire_each(struct kr_world *w, kr_w_wire_fn fn, void *arg);
/* kr_w_rtr_versions and kr_w_rtr_pdu_time from the wire. */
int kr_w_wire_versions(struct kr_world *w, unsigned out[3]);
int64_t kr_w_wire_pdu_time(struct kr_world *w, bool from_sut, int type, int64_t since_ns);

/* world_sut.c */
int kr_w_sut_start(struct kr_world *w);
/* Where profile actions run: the SUT's node, or NULL (host) for a device. */
const char *kr_w_action_node(const struct kr_world *w);
/* The template variables of the SUT's configuration (w->vars). */
int kr_w_sut_vars(struct kr_world *w);
/* The profile's stop command (if any), then the start process ends. */
void kr_w_sut_stop(struct kr_world *w);
/* A `manual:` action: asks the operator of an interactive run (with the
 * configuration at paste_path, if any, to paste); SKIP with the rendered
 * instruction otherwise. 0 when done, -1 with SKIP/ERROR recorded. */
int kr_w_manual(struct kr_world *w, enum kr_sut_action a, const char *paste_path);
/* The SUT now signs `role` with key (what a shared SUT carries over). */
int kr_w_sut_rekeyed(struct kr_world *w, const char *role, struct kr_wkey *key);
/* world_peers.c: an upstream sends again what it had announced */
int kr_w_resend(struct kr_world *w, enum kr_peer up);

/* world_health.c. Every wait of the world runs through kr_w_run_until:
 * like kr_loop_run_until, but when the SUT breaks down meanwhile it
 * records the crash verdict and returns -1 (and -1 with ERROR when the
 * loop was stopped otherwise). */
int kr_w_run_until(struct kr_world *w, bool (*pred)(void *), void *arg, int64_t deadline);
/* Watch the SUT's process (after each start). 0 or -1 (ERROR). */
int kr_w_health_watch_sut(struct kr_world *w);
/* A session of peer p went down (the speakers' on_down). */
void kr_w_health_on_down(struct kr_world *w, enum kr_peer p, const struct kr_bgp_down *why);
/* The process ended during start-up: the crash verdict, -1. */
int kr_w_sut_ended_at_start(struct kr_world *w);
/* Something broke: record the verdict (-1); 0 when nothing did. */
int kr_w_health_report(struct kr_world *w);
/* At teardown, before anything is stopped: process, sessions, then the
 * profile's ready check. */
void kr_w_health_final(struct kr_world *w);

/* world_rtr.c: Refresh StayRTR advertises (s) */
unsigned kr_w_stayrtr_rtr_refresh(const struct kr_world *w);

/* world_peers.c */
int kr_w_peers_start(struct kr_world *w);
struct kr_obs *kr_w_obs(struct kr_world *w, enum kr_peer dn);
void kr_w_exa_stop(struct kr_world *w);

/* Address of node on its link to the SUT (or the SUT's on its link to
 * peer when node is "sut"), as text; family AF_INET / AF_INET6. */
int kr_w_addr(struct kr_world *w, const char *node, const char *peer, int family, char *out,
	      size_t outsz);

#endif
