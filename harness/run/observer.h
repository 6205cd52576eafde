/* Wire observer: per-prefix state of what a peer (the SUT) announced on one
 * session, for the roles dn1/dn2 and for ExaBGP's view (docs/design.md
 * rule 1: verdicts come from the wire).
 *
 * For every prefix: present or withdrawn, the current path (Secure_Path
 * segments or AS_PATH ASNs), the SKIs that signed it, the verdict of RFC
 * 8205 §5.2 validation against the keys the harness publishes at that
 * moment (a kr_keytab the case updates; kr_obs_revalidate re-runs it), and
 * the announce/withdraw history with times. The current UPDATE is kept raw
 * (so it can be re-validated and shown as evidence).
 *
 * Memory is kept small (routes in one array, a hash of 32-bit indices, SKIs
 * interned): the benchmark measures it at 1 M routes. Ingest never does
 * I/O; the waits that cases use live in obs_wait.h. */
#ifndef KR_OBSERVER_H
#define KR_OBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "wire/bgpsec_crypto.h"

enum kr_obs_kind { KR_OBS_ANNOUNCE = 1, KR_OBS_WITHDRAW = 2 };

/* One history entry. */
struct kr_obs_ev {
	int64_t t;          /* kr_now_ns when the UPDATE was received */
	uint8_t kind;       /* enum kr_obs_kind */
	uint8_t is_signed;  /* announcement carried BGPsec_PATH */
	uint8_t verdict;    /* enum kr_verdict at that moment (signed only) */
	uint8_t reason;     /* enum kr_reason */
	uint32_t ski_id;    /* newest hop's SKI (kr_obs_ski), 0 when unsigned */
};

struct kr_obs_route {
	struct kr_prefix pfx;    /* canonical */
	uint8_t present;
	uint8_t is_signed;
	uint8_t verdict, reason; /* last validation of the current announcement */
	uint8_t bad_hop;         /* wire index of the failing segment, 0xff none */
	uint8_t nhops;           /* Secure_Path segments, or AS_PATH ASNs */
	uint16_t sig_bytes;      /* signature octets in the current message */
	uint16_t nhist, caphist;
	uint32_t msg_len;
	uint8_t *blob;           /* msg bytes, then nhops x { u32 asn, u32 ski_id } */
	struct kr_obs_ev *hist;
	/* kept in every mode (the history may be off) */
	uint32_t n_ann, n_wd;    /* announcements / withdrawals ever */
	int64_t t_last;          /* receipt time of the last one */
	uint8_t tag;             /* set by kr_obs_tag (0: none) */
	uint8_t matched;         /* counted in the tag's match count */
	uint16_t epoch;          /* kr_obs_mark generation of ann_e / wd_e */
	uint16_t ann_e, wd_e;    /* announcements / withdrawals since the mark */
};

struct kr_obs;

struct kr_obs_cfg {
	const struct kr_keytab *keys; /* validation keys; NULL: no validation */
	uint32_t my_as;               /* target AS of the newest hop (ours) */
	uint32_t peer_as;             /* checked as RFC 8205 §5.2 check 2; 0 skips */
	uint8_t bgpsec_type;          /* 33 (0 means 33) */
	bool keep_history;            /* default true via kr_obs_cfg_init */
	const char *name;             /* role for messages, e.g. "dn1" (copied) */
	/* Full tables (scale cases): no raw UPDATE and no history per route,
	 * only its path's ASes and SKIs and the counters; every signed
	 * announcement gets the RFC 8205 §5.2 form checks and a key for every
	 * (AS, SKI), and full ECDSA verification when its prefix falls in the
	 * deterministic 1-in-sample_mod sample (0 or 1: every one). The small
	 * cases keep the default: everything verified and kept. */
	bool compact;
	uint32_t sample_mod;
};
void kr_obs_cfg_init(struct kr_obs_cfg *c);

struct kr_obs *kr_obs_new(const struct kr_obs_cfg *c);
void kr_obs_free(struct kr_obs *o);
/* Point at another key table (the case published or withdrew keys). */
void kr_obs_set_keys(struct kr_obs *o, const struct kr_keytab *keys);
void kr_obs_set_peer(struct kr_obs *o, uint32_t my_as, uint32_t peer_as);

/* Take one UPDATE (whole message; u its decode, NULL when it did not
 * decode: counted as malformed and otherwise ignored). Returns 0, -1 on
 * ENOMEM. */
int kr_obs_ingest(struct kr_obs *o, const uint8_t *msg, size_t len, const struct kr_update *u,
		  int64_t when);

/* Re-validate every present signed route against the current keys (after
 * the case changed them); returns how many verdicts changed. */
size_t kr_obs_revalidate(struct kr_obs *o);
/* The verdict r's current announcement would get now, under the current
 * keys, without changing r (its stored verdict stays the one at
 * receipt): KR_VALID / KR_NOT_VALID, *bad_hop the failing hop (wire
 * order, 0xff none); -1 when r is absent, unsigned or does not decode. */
int kr_obs_verdict_now(struct kr_obs *o, const struct kr_obs_route *r, uint8_t *bad_hop);

const struct kr_obs_route *kr_obs_find(const struct kr_obs *o, const struct kr_prefix *p);
size_t kr_obs_count(const struct kr_obs *o);         /* prefixes ever seen */
size_t kr_obs_present(const struct kr_obs *o);       /* currently announced */
const struct kr_obs_route *kr_obs_at(const struct kr_obs *o, size_t i); /* 0..count-1 */
uint64_t kr_obs_updates(const struct kr_obs *o);     /* UPDATEs ingested */
uint64_t kr_obs_malformed(const struct kr_obs *o);   /* UPDATEs that did not decode */
uint64_t kr_obs_bgpsec_malformed(const struct kr_obs *o); /* BGPsec_PATH did not parse */
/* Bytes of memory held (allocations as requested, without allocator
 * overhead), and how many of them are signature octets. */
size_t kr_obs_mem(const struct kr_obs *o, size_t *sig_bytes);

/* Hop i (wire order, 0 = newest) of the current path. */
uint32_t kr_obs_hop_asn(const struct kr_obs_route *r, size_t i);
const uint8_t *kr_obs_hop_ski(const struct kr_obs *o, const struct kr_obs_route *r, size_t i); /* NULL unsigned */
/* Signature of hop i (wire order) of the current announcement, as last
 * validated: 1 verified, 0 failed (unknown SKI or bad signature), -1 not
 * checked (validation walks newest to oldest and stops at the first
 * failure; a path rejected by the §5.2 form checks has none checked). */
int kr_obs_sig_state(const struct kr_obs_route *r, size_t i);
/* Does any signature of the current announcement carry ski? */
bool kr_obs_signed_by(const struct kr_obs *o, const struct kr_obs_route *r, const uint8_t ski[KR_SKI_LEN]);
/* The current UPDATE as received. */
const uint8_t *kr_obs_msg(const struct kr_obs_route *r, size_t *len);

const char *kr_obs_name(const struct kr_obs *o);

/* ---- tagged populations (scale cases) -------------------------------------
 * A case tags the prefixes it injects (1..KR_OBS_TAGS-1) before they can
 * arrive; the observer then keeps, per tag, counts that waits read in O(1)
 * instead of walking a million routes. "Matched" means present and, when a
 * match SKI set is given, signed, Valid as checked and carrying one of the
 * SKIs in wire segment `hop` (0: the SUT's own, 1: the one before). */
#define KR_OBS_TAGS 8
struct kr_obs_tagstat {
	size_t tagged, present, matched;
	size_t multi;          /* routes announced twice or more since the mark */
	size_t withdrawn;      /* routes withdrawn at least once since the mark */
	size_t announced;      /* routes announced at least once since the mark */
	int64_t t_matched;     /* when the match count last grew */
	int64_t t_withdrawn;   /* the last withdrawal of a route with this tag */
};
int kr_obs_tag(struct kr_obs *o, const struct kr_prefix *p, uint8_t tag);
void kr_obs_set_match(struct kr_obs *o, unsigned hop, const uint8_t (*skis)[KR_SKI_LEN], size_t n);
/* Start counting announcements / withdrawals anew (per route and tag). */
void kr_obs_mark(struct kr_obs *o);
const struct kr_obs_tagstat *kr_obs_tagstat(const struct kr_obs *o, uint8_t tag);
/* Since the mark, per route (0 when the route saw nothing since). */
unsigned kr_obs_ann_since_mark(const struct kr_obs *o, const struct kr_obs_route *r);
unsigned kr_obs_wd_since_mark(const struct kr_obs *o, const struct kr_obs_route *r);
bool kr_obs_route_matches(const struct kr_obs *o, const struct kr_obs_route *r);
/* Signature checks in compact mode: routes whose every signature was
 * verified (the sample), of those failed, and announcements rejected by
 * the form checks or for want of a key (checked on every route). */
struct kr_obs_sigstat {
	uint64_t verified, verify_failed, form_failed;
	uint32_t sample_mod;
};
struct kr_obs_sigstat kr_obs_sigstat(const struct kr_obs *o);

/* SKI interning: id 0 is "none". */
uint32_t kr_obs_ski_id(const struct kr_obs *o, const uint8_t ski[KR_SKI_LEN]); /* 0 unknown */
const uint8_t *kr_obs_ski(const struct kr_obs *o, uint32_t id);

/* "AS 65536 (SKI 47F2..) <- AS 64496" style one-line path for messages. */
void kr_obs_format_route(const struct kr_obs *o, const struct kr_obs_route *r, char *out, size_t outsz);

#endif
