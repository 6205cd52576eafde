/* RIBs of the reference speaker: per prefix, the Adj-RIB-In path of each
 * peer, the decision result (Loc-RIB) and the Adj-RIB-Out state of each
 * peer. Pure data structure; no I/O and never a kernel FIB. */
#ifndef RS_RIB_H
#define RS_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "rs_config.h"

enum rs_val { RS_VALID = 0, RS_UNSIGNED = 1, RS_NOTVALID = 2 };
const char *rs_val_name(enum rs_val v);

struct rs_sigref {               /* one signature of a BGPsec path */
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
};

struct rs_path {
	uint64_t id;             /* unique per stored path; Adj-RIB-Out compares it */
	uint8_t *msg;            /* the UPDATE as received (owned) */
	size_t msg_len;
	bool bgpsec;             /* signed route (BGPsec_PATH accepted) */
	enum rs_val val;
	int reason;              /* enum kr_reason of the last validation */
	uint32_t path_len;       /* sum of pCount, or AS_PATH length */
	size_t nsigs;
	struct rs_sigref *sigs;  /* first signature block, newest first */
	size_t nasns;
	uint32_t *asns;          /* the path's ASes, newest first */
};

struct rs_out {                  /* Adj-RIB-Out entry: what the peer last got */
	bool sent;
	bool bgpsec;
	uint8_t role;            /* key role that signed it (rs_keys.h) */
	uint64_t path_id;        /* 0 for the local route */
	uint32_t key_gen;        /* generation of the key that signed it */
};

#define RS_BEST_NONE (-2)
#define RS_BEST_LOCAL (-1)

struct rs_dest {
	struct kr_prefix pfx;    /* canonical */
	bool local;              /* originated by this speaker */
	int best;                /* peer index, RS_BEST_LOCAL or RS_BEST_NONE */
	uint64_t best_id;        /* id of the best path (0: local or none) */
	struct rs_dest *next;    /* hash chain */
	size_t slot;             /* position in the walk order (rs_rib_slot) */
	struct rs_path **paths;  /* [npeers] Adj-RIB-In */
	struct rs_out *out;      /* [npeers] Adj-RIB-Out */
};

struct rs_rib;
/* addrs: the peers' addresses for the lowest-address tie break. */
struct rs_rib *rs_rib_new(size_t npeers, const struct rs_addr *addrs);
void rs_rib_free(struct rs_rib *r);
size_t rs_rib_count(const struct rs_rib *r);

struct rs_dest *rs_rib_get(struct rs_rib *r, const struct kr_prefix *p, bool create);
/* Store path for peer (takes ownership; frees any previous one). */
void rs_rib_set_path(struct rs_rib *r, struct rs_dest *d, size_t peer, struct rs_path *p);
void rs_rib_del_path(struct rs_dest *d, size_t peer);
/* A new path with the next id (msg copied), or NULL. */
struct rs_path *rs_path_new(struct rs_rib *r, const uint8_t *msg, size_t len);
void rs_path_free(struct rs_path *p);
bool rs_path_has_sig(const struct rs_path *p, uint32_t asn, const uint8_t ski[KR_SKI_LEN]);
bool rs_path_has_as(const struct rs_path *p, uint32_t asn);

/* Run the decision process for d: a local route wins; then Valid over
 * unsigned over Not Valid (Not Valid is ineligible under reject-notvalid);
 * then the shortest path; then the lowest peer address. Sets d->best and
 * returns true when it changed (peer index or that peer's path id). */
bool rs_rib_decide(struct rs_rib *r, struct rs_dest *d, enum rs_policy pol);
const struct rs_path *rs_dest_best(const struct rs_dest *d);

/* Iterate all destinations in insertion order; the callback may change
 * paths and insert or delete destinations (deleted ones are skipped,
 * inserted ones are not visited). */
void rs_rib_walk(struct rs_rib *r, void (*cb)(struct rs_dest *d, void *arg), void *arg);
/* Resumable walks (twilight, re-validation, table dumps run a slice at a
 * time between other events): slots 0..rs_rib_slots()-1, NULL for a
 * destination deleted since. While a walk is pinned, slots do not move. */
size_t rs_rib_slots(const struct rs_rib *r);
struct rs_dest *rs_rib_slot(const struct rs_rib *r, size_t i);
void rs_rib_pin(struct rs_rib *r);
void rs_rib_unpin(struct rs_rib *r);
/* Remove d when it holds nothing (no path, not local, nothing sent). */
void rs_rib_gc(struct rs_rib *r, struct rs_dest *d);

#endif
