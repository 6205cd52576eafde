/* Full tables in the standard world (suites/scale.c, issue 14): the run's
 * table (--routes N / --table dfz, vectors/table.h) signed once per run as
 * up1 and up2 send it, in two variants: their segment signed with their
 * key generation 0 or 1 (vectors/table_sign.h, cached on disk). A case
 * builds its world with cfg.scale, tags the table's prefixes at the
 * observers, sends the table, and waits on per-tag counts the observers
 * keep (run/observer.h) instead of walking a million routes.
 *
 * The harness must never be the bottleneck: the table is signed before
 * any session exists, sending is plain memory to socket with the
 * session's backpressure, observers verify a deterministic sample of
 * signatures, and the harness's share of the CPU is reported per phase
 * (kr_w_cpu_*). */
#ifndef KR_WORLD_TABLE_H
#define KR_WORLD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/case.h"
#include "run/observer.h"
#include "run/world.h"
#include "vectors/table.h"

struct kr_wtable;

/* The run's table, built and signed (both variants) on first use in the
 * process; the profile's max_routes caps it. NULL with ERROR recorded. */
const struct kr_wtable *kr_wt_get(struct kr_ctx *ctx);
uint32_t kr_wt_count(const struct kr_wtable *t);
const struct kr_table_route *kr_wt_route(const struct kr_wtable *t, uint32_t i);
/* The SKIs of up1/up2 (0/1) key generation gen (0/1) the table is signed with. */
const uint8_t *kr_wt_up_ski(const struct kr_wtable *t, int up, unsigned gen);

/* The table of a scale world, and an observer's state (dn1, dn2, exa). */
const struct kr_wtable *kr_w_table(struct kr_world *w);
struct kr_obs *kr_w_observer(struct kr_world *w, enum kr_peer p);

/* Tag every route of the table at every observer (dn1, dn2, exa when
 * started): tag(route, i) in 1..KR_OBS_TAGS-1, or 0 to leave it out. */
typedef uint8_t (*kr_wt_tag_fn)(const struct kr_table_route *r, uint32_t i, void *arg);
int kr_w_table_tag(struct kr_world *w, kr_wt_tag_fn tag, void *arg);

/* up1 and up2 send the table: route i in the variant variant(route, i)
 * returns (0 or 1), or not at all (-1). Returns after the last octet was
 * handed to the kernel; 0, or -1 with ERROR recorded. */
typedef int (*kr_wt_variant_fn)(const struct kr_table_route *r, uint32_t i, void *arg);
int kr_w_table_send(struct kr_world *w, kr_wt_variant_fn variant, void *arg, int64_t deadline);

/* What a phase costs the SUT, for its deadline (kr_w_table_deadline_s). */
struct kr_wt_work {
	double verifies, signs, updates;
};
/* Work of the SUT to take in n table routes and pass them on to its
 * BGPsec peers (verify every signature, sign once per peer, UPDATEs in
 * and out). */
struct kr_wt_work kr_wt_work_load(const struct kr_wtable *t, uint32_t n);
/* Deadline of a phase from the profile's declared rates (verify_per_s,
 * sign_per_s, updates_per_s; 1000/s each when not declared): 5 s plus
 * three times the work at those rates, plus the profile's delays (docs/
 * design.md rule 9). why gets the statement for the report. */
double kr_w_table_deadline_s(struct kr_world *w, const struct kr_wt_work *wk, char *why, size_t whysz);

/* Counts of tag at observer p. */
const struct kr_obs_tagstat *kr_w_tagstat(struct kr_world *w, enum kr_peer p, uint8_t tag);
/* Match condition at every BGPsec observer (dn1, dn2): segment hop signed
 * with one of the skis (run/observer.h); the plain observer matches any
 * present route. */
void kr_w_table_match(struct kr_world *w, unsigned hop, const uint8_t (*skis)[KR_SKI_LEN], size_t n);
void kr_w_table_mark(struct kr_world *w);

enum kr_wt_goal {
	KR_WT_MATCHED,   /* matched == tagged */
	KR_WT_GONE,      /* present == 0 */
};
/* Wait until every observer in mask reaches goal for tag, or the
 * deadline, or (MATCHED) a signature fails verification at dn1 or dn2.
 * Shows progress on stderr when it is a terminal. 1, 0, -1. */
int kr_w_table_wait(struct kr_world *w, unsigned mask, uint8_t tag, enum kr_wt_goal goal,
		    int64_t deadline, const char *what);
/* "dn1 19874/20000 matched, 0 withdrawn; dn2 ..." for failure messages. */
void kr_w_table_describe(struct kr_world *w, unsigned mask, uint8_t tag, char *out, size_t outsz);
/* One route of tag at p that fails pred, formatted, for evidence ("" none). */
void kr_w_table_example(struct kr_world *w, enum kr_peer p, uint8_t tag,
			bool (*bad)(const struct kr_obs *o, const struct kr_obs_route *r, void *arg),
			void *arg, char *out, size_t outsz);

/* ---- measurements ------------------------------------------------------ */
struct kr_wt_cpu {
	int64_t t;
	double harness_s, sut_s;
};
void kr_w_cpu_mark(struct kr_world *w, struct kr_wt_cpu *m);
/* Metrics NAME_harness_cpu_s, NAME_sut_cpu_s and NAME_harness_cpu_share
 * (harness / (harness + SUT)) since m. Returns the share. */
double kr_w_cpu_metrics(struct kr_world *w, const struct kr_wt_cpu *m, const char *name);
/* Metrics of memory per route: each observer (compact state) and the SUT
 * (resident set over the routes it holds, n per peer). */
void kr_w_mem_metrics(struct kr_world *w, uint32_t n);
/* Signature checks of the observers so far (metric and text). Returns
 * the number of failed verifications. */
uint64_t kr_w_sig_metrics(struct kr_world *w, char *text, size_t textsz);
/* Sessions that went down since the world came up (downs of every
 * harness speaker), with the last reason. */
unsigned kr_w_session_downs(struct kr_world *w, char *why, size_t whysz);

#endif
