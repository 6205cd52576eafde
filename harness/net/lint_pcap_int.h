/* Internal to lint_pcap*.c: findings kept per thread, and the workers
 * that run the pure rule checks on the messages the driver hands them.
 *
 * The driver (lint_pcap.c) reads the captures in time order on one
 * thread: it follows sessions, keys and what each speaker holds, which
 * depend on the order. Everything a message's check needs from that state
 * is copied into its job (session digest, the key table of that moment,
 * the routes held for the prefixes of a plain UPDATE), so the checks run
 * on any thread in any order; findings carry the message's place in the
 * stream and are put back in that order at the end. */
#ifndef KR_LINT_PCAP_INT_H
#define KR_LINT_PCAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/capread.h"
#include "net/lint_pcap.h"

#define LP_MAXH 16 /* held routes per prefix copied into a job */

struct lp_finding {
	uint64_t seq;        /* the message's place in the stream */
	struct kr_lint_finding f;
};

/* Findings of one thread: every one counted, the max earliest kept. */
struct lp_sink {
	struct lp_finding *f;
	size_t n, cap, max;
	size_t total, advice, per_rule[KR_L_COUNT];
};
/* A finding about byte off of m (at_pkt / at_foff: where, when the
 * stream already knows; what: NULL for the message's type). */
void kr_lp_sink_add(struct lp_sink *s, const char *const *paths, const struct kr_cmsg *m,
		 enum kr_lint_rule_id rule, size_t off, const char *text, uint64_t at_pkt, size_t at_foff,
		 const char *what);
/* Every sink's counts into out, and the first out-max findings of all in
 * stream order; the sinks are emptied. */
void kr_lp_sinks_merge(struct lp_sink *s, size_t n, struct kr_lint_out *out, size_t max);
void kr_lp_sink_free(struct lp_sink *s);

/* The routes the sender held for one prefix when it sent a plain UPDATE. */
struct lp_held {
	struct kr_prefix key;  /* kr_prefix_key */
	bool found;
	bool any_plain;
	size_t n;
	const uint32_t *path[LP_MAXH];
	size_t len[LP_MAXH];
};

/* One message to check, with what the checks need of its moment. */
struct lp_job {
	struct kr_cmsg m;      /* msg and pieces owned by the job */
	struct kr_lint_sess sess;
	const struct kr_keytab *keys;
	struct lp_held *held;  /* plain UPDATEs only */
	size_t nheld;
};

struct lp_env {
	const char *const *paths;
	uint32_t sig_sample_mod;
	size_t max_findings;
};

/* threads 0: as many as online CPUs; 1: the checks run on the calling
 * thread as jobs are handed over. NULL when out of memory. */
struct lp_pool *kr_lp_pool_new(unsigned threads, const struct lp_env *env);
/* Hand a job over (the pool frees it); may wait while the workers are
 * behind, so that memory stays bounded. */
void kr_lp_pool_submit(struct lp_pool *p, struct lp_job *j);
/* Wait for every job, then move findings and counts into out (its own
 * findings are in *extra, merged too). Returns the threads that checked. */
unsigned kr_lp_pool_finish(struct lp_pool *p, struct lp_sink *extra, struct kr_lint_out *out);
/* Octets of messages handed over and not yet checked. */
size_t kr_lp_pool_pending(struct lp_pool *p);
void kr_lp_pool_free(struct lp_pool *p);
void kr_lp_job_free(struct lp_job *j);

#endif
