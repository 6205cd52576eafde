/* The world a conformance case runs in: the standard rollover topology
 * (netns/rollover.topo) with a fresh SUT started from its profile, the
 * harness RTR cache, upstream injectors up1/up2, downstream observers
 * dn1/dn2 and, when asked, ExaBGP as the plain peer exa (docs/design.md,
 * "The standard topology"). Everything is built by kr_world_up()
 * and torn down through kr_defer() when the case ends, on every path.
 *
 * Functions that can meet a harness fault record it with kr_error() and
 * return -1, so a case simply does `if (...) return -1;`. Waits return 1
 * when the condition held, 0 at the deadline. Verdicts are taken from what
 * the observers received on the wire only (principle 1). */
#ifndef KR_WORLD_H
#define KR_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "run/case.h"

enum kr_peer { KR_UP1, KR_UP2, KR_DN1, KR_DN2, KR_EXA, KR_NPEERS };
#define KR_DOWNSTREAM ((1u << KR_DN1) | (1u << KR_DN2))
#define KR_ALL_DOWN (KR_DOWNSTREAM | (1u << KR_EXA))
/* Every BGPsec peer of the SUT (all of them observe what it sends). */
#define KR_BGPSEC_PEERS ((1u << KR_UP1) | (1u << KR_UP2) | KR_DOWNSTREAM)
#define KR_ALL_PEERS (KR_BGPSEC_PEERS | (1u << KR_EXA))
/* The BGPsec peers that should receive a route learnt from `from` (never
 * the peer it came from; from = KR_NPEERS: the SUT's own prefixes, all). */
static inline unsigned kr_w_receivers(enum kr_peer from)
{
	return from < KR_NPEERS ? KR_BGPSEC_PEERS & ~(1u << from) : KR_BGPSEC_PEERS;
}
const char *kr_peer_name(enum kr_peer p);
uint32_t kr_peer_asn(enum kr_peer p);
uint32_t kr_sut_asn(void);

struct kr_world_cfg {
	bool exa;             /* start ExaBGP as the plain peer exa */
	bool split_keys;      /* the SUT signs its own prefixes with an origin
			       * key and transit routes with a transit key */
	unsigned sut_prefixes; /* prefixes the SUT originates (sut_prefix(i)) */
	unsigned far_hops;    /* ASes behind up1 whose first keys are published
			       * from the start (kr_w_far_key), 0..KR_W_MAX_FAR */
	bool no_rtr_barrier;  /* up without proving that the SUT applied the
			       * keys (cases that judge the RTR session itself) */
	/* A full table (run/world_table.h): the run's table signed before
	 * anything starts, fixed-seed keys for up1/up2 (generations 0 and 1)
	 * and the table's ASes, compact sampling observers, no message
	 * recording, and a harness speaker without BGPsec as exa (ExaBGP
	 * cannot take a million routes). */
	bool scale;
};

struct kr_world;
struct kr_wkey;

/* Build everything and wait until every session is Established and the
 * SUT's RTR client has synchronised. 0, or -1 with ERROR/SKIP recorded. */
int kr_world_up(struct kr_ctx *ctx, const struct kr_world_cfg *cfg);

/* One SUT for the whole run (sut/README.md, "One SUT for the run"): the
 * topology, the RTR cache and the SUT outlive the cases; between cases the
 * harness brings the SUT back to a known state through the wire and checks
 * that it is there (world_shared.c). The runner makes one per run and
 * hands it to every case (ctx->wrun), with one event loop for the run. */
struct kr_world_run *kr_world_run_new(struct kr_loop *loop, const char *run_dir);
/* Stops the SUT and removes the topology (keep: namespaces left up, as
 * for --keep-on-fail). NULL is fine. */
void kr_world_run_free(struct kr_world_run *r, bool keep);
/* How many times the run's SUT was started (1 when it served every case). */
unsigned kr_world_run_starts(const struct kr_world_run *r);

/* ---- time ------------------------------------------------------------ */
enum kr_wait_kind { KR_W_ANNOUNCE, KR_W_WITHDRAW, KR_W_RTR };
/* Absolute deadline for a reaction of the SUT of this kind, from now: a
 * base allowance plus the delays its profile declares (principle 9). */
int64_t kr_w_deadline(const struct kr_world *w, enum kr_wait_kind k);
/* Deadline as seconds from now, for messages. */
double kr_w_deadline_s(const struct kr_world *w, enum kr_wait_kind k);
/* A kr_now_ns time as seconds since the case started ("+0.512 s"). */
double kr_w_case_s(const struct kr_world *w, int64_t t_ns);
/* The same allowance from a SUT profile alone (what `keyroll judge` uses
 * for captures it did not make): base + the profile's declared delays. */
struct kr_sut_profile;
long kr_profile_delay_ms(const struct kr_sut_profile *p, enum kr_wait_kind k);
double kr_profile_deadline_s(const struct kr_sut_profile *p, enum kr_wait_kind k);
/* Let protocol time pass (a stage period): runs the loop for
 * nominal_s * time scale, with a floor of min_s. Never a verdict. */
int kr_w_pass_time(struct kr_world *w, double nominal_s, double min_s);

/* ---- keys (one AS each; PEM files in the case folder) ---------------- */
/* Key number gen (0 = the one published at start) of an upstream, or of
 * the SUT (p = KR_NPEERS; role "origin", "transit" or "shared"). Created on
 * first use; not published unless gen 0. */
struct kr_wkey *kr_w_key(struct kr_world *w, enum kr_peer p, unsigned gen);
struct kr_wkey *kr_w_sut_key(struct kr_world *w, const char *role, unsigned gen);
/* Longer paths: the AS `hop` hops behind up1 (1 = the AS up1 learnt a
 * route from, up to KR_W_MAX_FAR), and its key number gen. Its gen 0 is
 * published from the start when cfg.far_hops >= hop. */
#define KR_W_MAX_FAR 4
uint32_t kr_far_asn(unsigned hop);
struct kr_wkey *kr_w_far_key(struct kr_world *w, unsigned hop, unsigned gen);
/* A key of p's AS whose SKI is that of `like` but whose private key is
 * different (a forged signature under a published SKI). */
struct kr_wkey *kr_w_forged_key(struct kr_world *w, struct kr_wkey *like);
const uint8_t *kr_wkey_ski(const struct kr_wkey *k);
const char *kr_wkey_name(const struct kr_wkey *k); /* "up1#1 SKI 47F2AB12..." */
/* RTR cache announce / withdraw, then wait until the SUT fetched it; a
 * withdrawal also waits until the SUT has applied it (a route signed with
 * a key published after it validates downstream). */
int kr_w_publish(struct kr_world *w, struct kr_wkey *k);
int kr_w_unpublish(struct kr_world *w, struct kr_wkey *k);
/* Full tables: announce several keys in one serial / withdraw one, and
 * wait only until the SUT fetched the change (End of Data), not until it
 * applied it (it may have a million routes to re-validate first). */
int kr_w_publish_many(struct kr_world *w, struct kr_wkey *const *keys, size_t n);
int kr_w_rtr_withdraw(struct kr_world *w, struct kr_wkey *k);
/* When the cache sent the Router Key PDU announcing (or withdrawing) k
 * after `after`, from the capture of the rtr link (kernel timestamp on the
 * kr_now_ns clock). 0, or -1 with ERROR recorded. */
int kr_w_rtr_key_pdu_time(struct kr_world *w, const struct kr_wkey *k, bool announce, int64_t after,
		      int64_t *t_ns);
/* Step 4: the CA puts k's certificate on its CRL (written to evidence). */
int kr_w_revoke(struct kr_world *w, struct kr_wkey *k);
/* RTR faults: Cache Reset / new session id after the data changed to
 * `keep` only (every other key dropped), then wait until the SUT fetched
 * the new data (cache side: End of Data sent; whether it applied it is
 * for the case to judge). */
int kr_w_rtr_reset_keep(struct kr_world *w, struct kr_wkey *const *keep, size_t n, bool new_session);
/* The SUT takes up a key published now: a route signed with it validates
 * at dn1 and dn2 in time (the RTR barrier of kr_w_publish/unpublish, as
 * a judged check: FAIL, not NOT-JUDGED, when it does not). */
int kr_w_rtr_pickup(struct kr_world *w);
/* RTR timers (RFC 8210 §6) the cache advertises from now on: nominal
 * seconds under --time-scale, in whole seconds, raised to the smallest the
 * SUT's profile honours (rtr_*_min_s), Expire above Refresh and Retry and
 * at least min_expire. Waits until the SUT fetched them (End of Data). */
struct kr_rtr_timers {
	unsigned refresh, retry, expire;
};
int kr_w_rtr_timers(struct kr_world *w, double refresh, double retry, double expire,
		    unsigned min_expire, struct kr_rtr_timers *out);
/* The cache stops answering (connections stay, queries get no reply).
 * *last_eod_ns: when it last sent End of Data, where the SUT's Expire
 * timer starts (kr_now_ns clock). */
int kr_w_rtr_unreachable(struct kr_world *w, int64_t *last_eod_ns);

/* RTR client behaviour (built-in cache only; SKIP under StayRTR). */
/* PDUs the SUT's RTR client sent so far, by protocol version: out[0]
 * version 0, out[1] version 1, out[2] any other. 0 or -1. */
int kr_w_rtr_versions(struct kr_world *w, unsigned out[3]);
/* When the first PDU of `type` (RFC 8210 §5) at or after since_ns went
 * from the cache to the SUT (from_sut false) or came from the SUT; 0 if
 * none yet. */
int64_t kr_w_rtr_pdu_time(struct kr_world *w, bool from_sut, int type, int64_t since_ns);
/* Announce k in the cache (Serial Notify follows) without waiting for
 * the SUT. 0 or -1. */
int kr_w_publish_nowait(struct kr_world *w, struct kr_wkey *k);
/* The cache answers the SUT's next query with an Error Report of `code`
 * (closing the connection when the code is fatal, RFC 8210 §12) and
 * prompts that query with a Serial Notify; waits until the report went
 * out (*t_sent). 0 or -1. */
int kr_w_rtr_error_report(struct kr_world *w, uint16_t code, int64_t *t_sent);
/* Prove that the SUT has applied every RTR change so far: a route signed
 * with a key published now validates downstream (kr_w_publish only waits
 * until the SUT fetched a key). A precondition (NOT-JUDGED) when not. */
int kr_w_rtr_barrier(struct kr_world *w);
/* While on, the cache reads the SUT's queries but answers them only when
 * it is turned off again (a cache that is slow to answer, e.g. after the
 * SUT restarted: routes then arrive before keys). 0 or -1. */
int kr_w_rtr_defer(struct kr_world *w, bool on);
/* Wait until a connection of the SUT's RTR client opened after t_ns is
 * synchronised (reconnect after an error, restart) and the SUT applied
 * its data (RTR barrier); 1, 0 at the deadline (allowing the Retry
 * interval the cache advertised through kr_w_rtr_timers), or -1. */
int kr_w_rtr_wait_reconnected(struct kr_world *w, int64_t t_ns);

/* ---- the RPKI pipeline (--rpki pipeline) --------------------------------
 * The CA's repository -> rpki-client -> StayRTR -> the SUT. The key verbs
 * above are CA actions then: kr_w_publish issues and publishes the router
 * certificate (step 1), kr_w_revoke publishes a CRL and manifest revoking
 * it (step 4) and the relying party's dropping it is the RTR withdrawal
 * (step 5), kr_w_unpublish takes it out of the publication point (or, after
 * a revocation, only checks the withdrawal reached the SUT). Each returns
 * once the SUT's RTR link capture shows the SUT holds exactly what
 * rpki-client output (Router Key PDUs, End of Data). "Published" means "in
 * rpki-client's output". */
bool kr_w_pipeline(const struct kr_world *w);
/* The same before the world is up (the run's options). */
bool kr_pipeline_mode(const struct kr_ctx *ctx);
/* Largest publication -> End of Data at the SUT measured so far in the
 * case, or a prior bound (StayRTR's file poll + the last rpki-client run)
 * before the first one; seconds. Cases stretch compressed periods by it. */
double kr_w_pipeline_latency(const struct kr_world *w);
/* Is k in the relying party's output (under the pipeline), or published
 * by the cache (otherwise)? */
bool kr_w_key_published(const struct kr_world *w, const struct kr_wkey *k);
/* What makes the relying party drop a published key (pipeline only; the
 * case SKIPs otherwise). Returns once the drop reached the SUT. */
enum kr_w_drop {
	KR_W_DROP_EXPIRY,     /* its certificate passes notAfter (kr_w_publish_expiring) */
	KR_W_DROP_AS_OUTSIDE, /* the CA renews it listing an AS the CA does not hold */
	KR_W_DROP_MFT_HASH,   /* the CA's next manifest lists it with a wrong hash */
};
int kr_w_rp_drop(struct kr_world *w, struct kr_wkey *k, enum kr_w_drop why);
/* kr_w_publish with a certificate valid for valid_s seconds from now. */
int kr_w_publish_expiring(struct kr_world *w, struct kr_wkey *k, double valid_s);
/* When the latest change a verb waited for reached the SUT (its last
 * Router Key PDU, kr_now_ns clock) and the verb ("publish", "revoke", ...),
 * once per change, for the SUT's reaction time; false outside the
 * pipeline. */
bool kr_w_rtr_change_time(struct kr_world *w, int64_t *t, const char **action);

/* ---- upstream injection ---------------------------------------------- */
/* up originates prefix ("198.51.100.0/24") signed with key (its AS). */
int kr_w_announce(struct kr_world *w, enum kr_peer up, const char *prefix, struct kr_wkey *key);
/* up forwards prefix along a signed path of n hops (RFC 8205 §4.2):
 * keys[0] signs the origin's hop, each next key the hop after it, and
 * keys[n-1] is up's own (kr_w_far_key for the ASes behind up). */
int kr_w_announce_path(struct kr_world *w, enum kr_peer up, const char *prefix,
		       struct kr_wkey *const *keys, size_t n);
int kr_w_withdraw(struct kr_world *w, enum kr_peer up, const char *prefix);
/* Copy of the last UPDATE up sent for prefix, exactly as on the wire
 * (for replay). 0 or -1. */
int kr_w_sent_update(struct kr_world *w, enum kr_peer up, const char *prefix,
		     struct kr_bytes *out);
/* The first UPDATE for prefix that up sent, read back from the capture of
 * the up-SUT link (the replay attack of draft §4 uses recorded bytes).
 * 0 or -1. */
int kr_w_captured_update(struct kr_world *w, enum kr_peer up, const char *prefix,
			 struct kr_bytes *out);
/* Send bytes verbatim on up's session (replay). */
int kr_w_send_raw(struct kr_world *w, enum kr_peer up, const uint8_t *msg, size_t len);

/* ---- peer sessions ------------------------------------------------------ */
/* Harness peer p (up1, up2, dn1, dn2) closes its session with the SUT
 * (NOTIFICATION Cease), as in an administrative reset. The drop is asked
 * for: never a SUT failure by itself. 0 or -1. */
int kr_w_peer_down(struct kr_world *w, enum kr_peer p);
/* p connects again and waits until Established (a FAIL when the SUT does
 * not take the session back within the announce deadline). An upstream
 * with resend then sends again, verbatim, every UPDATE it had announced
 * and not withdrawn (its Adj-RIB-Out, RFC 4271 §9.2). 0 or -1. */
int kr_w_peer_up(struct kr_world *w, enum kr_peer p, bool resend);

/* ---- downstream observation ------------------------------------------ */
#define KR_W_MAX_HOPS 8
struct kr_wroute {
	bool present;
	bool bgpsec;           /* carried BGPsec_PATH */
	bool valid;            /* every signature verifies with the keys the
				* harness publishes at the time of receipt */
	uint8_t sut_ski[20];   /* SKI of the newest Signature Segment (the SUT's) */
	uint8_t origin_ski[20]; /* SKI of the oldest one (the origin's) */
	size_t nhops;
	/* Secure_Path, wire order (0 = the SUT's hop), up to KR_W_MAX_HOPS */
	uint32_t hop_asn[KR_W_MAX_HOPS];
	uint8_t hop_ski[KR_W_MAX_HOPS][20];
	int64_t t_ns;          /* receipt time of the current announcement */
	bool valid_now;        /* it would still validate under the keys published now */
	uint8_t bad_ski[20];   /* !valid_now: SKI of the signature that fails now */
	size_t announcements;  /* UPDATEs announcing it so far */
	size_t withdrawals;    /* withdrawals so far */
};
/* What became of the key with this SKI, for messages: "up1#0 (SKI 47F2AB12)
 * withdrawn at +0.700 s", "... published", "... never published", or the
 * SKI alone when no key of the case has it. */
void kr_w_ski_story(struct kr_world *w, const uint8_t *ski, char *out, size_t outsz);
/* The upstreams (enum kr_peer bits) that announced prefix in this case:
 * the SUT never sends it back to them. 0 for the SUT's own prefixes. */
unsigned kr_w_announcers(struct kr_world *w, const char *prefix);
/* Is p an observer in this case (up1, up2, dn1, dn2, and exa when
 * started)? */
bool kr_w_observes(struct kr_world *w, enum kr_peer p);
/* Current state of prefix at an observer (dn1, dn2, exa). 0 or -1. */
int kr_w_route(struct kr_world *w, enum kr_peer dn, const char *prefix, struct kr_wroute *out);
/* Wait until prefix is present at every observer in mask and, at the
 * BGPsec observers, valid with the SUT's segment signed by sut_ski and the
 * origin's by origin_ski (NULL: any), announced at or after since_ns
 * (0: any time). 1, 0 or -1. */
int kr_w_wait_present(struct kr_world *w, unsigned mask, const char *prefix, const uint8_t *sut_ski,
		      const uint8_t *origin_ski, int64_t since_ns, int64_t deadline);
/* Like kr_w_wait_present, but the key is looked for at any hop: some
 * Signature Segment of the current path at the BGPsec observers is by ski. */
int kr_w_wait_signed(struct kr_world *w, unsigned mask, const char *prefix, const uint8_t *ski,
		     int64_t since_ns, int64_t deadline);
/* Wait until prefix is absent at every observer in mask. 1, 0 or -1. */
int kr_w_wait_absent(struct kr_world *w, unsigned mask, const char *prefix, int64_t deadline);
/* Sentinel (principle 5): up2 announces a fresh prefix signed with its
 * first key (cases keep that key published) and waits until every
 * observer in mask has it. After it returns 1, anything
 * the SUT would have sent before is known to have arrived. */
int kr_w_sentinel(struct kr_world *w, unsigned mask);
/* A sentinel that needs no key: up announces a fresh prefix without
 * BGPsec_PATH (an unsigned route, RFC 8205 §4.4) and waits until every
 * observer in mask has it in any form. After it returns 1, the SUT has
 * handled everything up sent before, even while it holds no router keys.
 * 1, 0 or -1. */
int kr_w_plain_sentinel(struct kr_world *w, enum kr_peer up, unsigned mask);
/* The same on a given upstream, signed with its newest published key. */
int kr_w_sentinel_on(struct kr_world *w, enum kr_peer up, unsigned mask, int64_t deadline);
/* Announcement UPDATEs the observer received since t_ns (kr_now_ns clock). */
size_t kr_w_updates_since(struct kr_world *w, enum kr_peer dn, int64_t t_ns);
/* UPDATEs the observer received since t_ns carrying a signature by ski
 * in the SUT's segment. */
size_t kr_w_signed_since(struct kr_world *w, enum kr_peer dn, const uint8_t *ski, int64_t t_ns);
/* Signed announcements the observer received since t_ns whose SUT
 * segment is signed by another key than ski; *first (may be NULL): the
 * earliest of them. */
struct kr_wfirst {
	int64_t t_ns;          /* 0: none */
	char prefix[64];
	uint8_t ski[20];
};
size_t kr_w_signed_other_since(struct kr_world *w, enum kr_peer dn, const uint8_t *ski, int64_t t_ns,
			       struct kr_wfirst *first);
/* Wait until prefix is present at every observer in mask, announced at
 * or after since_ns, signed or not, valid or not. 1, 0 or -1. */
int kr_w_wait_announced(struct kr_world *w, unsigned mask, const char *prefix, int64_t since_ns,
			int64_t deadline);
/* p sends the SUT a ROUTE-REFRESH for the case's family (RFC 2918): the
 * SUT sends its routes to p again. 0 sent, 1 the SUT did not negotiate
 * it (nothing sent), -1 (ERROR). */
int kr_w_route_refresh(struct kr_world *w, enum kr_peer p);
/* Any UPDATE with a BGPsec_PATH attribute ever received by dn. */
bool kr_w_saw_bgpsec_path(struct kr_world *w, enum kr_peer dn);

/* ---- address family --------------------------------------------------- */
/* The case's family (kr_case_family: 6 for the "/v6" run of a per-family
 * case, else 4). Every prefix the world picks is of that family: the
 * SUT's own prefixes, the upstream prefixes P1-P3 (kr_w_prefix), the
 * sentinels and RTR barriers, so the IPv6 run never depends on IPv4. */
int kr_w_family(const struct kr_world *w);
/* Upstream prefix n (1..3) of the case's family: 198.51.100.0/24,
 * 203.0.113.0/24, 192.0.2.0/25 or 2001:db8:100::/48, :200::/48, :300::/48. */
const char *kr_w_prefix(const struct kr_world *w, unsigned n);

/* ---- the SUT ------------------------------------------------------------ */
/* Its own prefix i (0-based, two per family) of the case's family. */
const char *kr_w_sut_prefix(const struct kr_world *w, unsigned i);
/* Run the profile's rekey action: switch `role` to key, staggered per peer
 * by stagger_ms. 0, or -1 (SKIP when the action is manual). */
int kr_w_sut_rekey(struct kr_world *w, const char *role, struct kr_wkey *key, unsigned stagger_ms);
/* Restart (profile capability `restart`): stop the SUT (its `stop`
 * action, or SIGTERM) and wait until it has ended; every session and its
 * RTR connection drop, expected (kr_w_expect_down). 0 or -1 (SKIP when it
 * cannot restart). */
int kr_w_sut_halt(struct kr_world *w);
/* Start it again from the same configuration and wait until every
 * session is Established and its RTR client has synchronised again (a
 * FAIL when it does not come back; not waited for while kr_w_rtr_defer
 * is on); up1 and up2 then send again what they had announced
 * (kr_w_peer_up). Keys published or withdrawn while the SUT was stopped
 * reach it when it starts. 0 or -1. */
int kr_w_sut_restart(struct kr_world *w);
/* The SUT still runs. */
bool kr_w_sut_alive(struct kr_world *w, char *why, size_t whysz);
/* The SUT breaking down is watched during the whole case (its process
 * ending, a session of up1/up2/dn1/dn2 dropping, its ready check failing
 * at the end): any wait of the world then returns -1 and the case is a
 * FAIL that reports it first (results.json "sut_crash"). A case that
 * stops the SUT or resets sessions on purpose announces it: drops of the
 * peers in mask (enum kr_peer bits) and, when sut_exit, the end of the
 * SUT's process are expected until kr_w_expect_up(). */
void kr_w_expect_down(struct kr_world *w, unsigned mask, bool sut_exit);
void kr_w_expect_up(struct kr_world *w);

#endif
