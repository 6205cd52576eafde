/* Signing a synthetic table (table.h) as up1 and up2 send it: every route
 * becomes one BGPsec UPDATE (RFC 8205 §4.1: one prefix each) whose path
 * is signed hop by hop from the origin to the upstream, the upstream's
 * signature targeting the SUT (§4.2). Signing runs on every core; a
 * signed table is cached on disk, keyed by the table and every key and
 * address that goes into its octets, so later runs only map the file.
 *
 * The keys come from fixed seeds (kr_table_key), which is what makes the
 * cache reusable between runs; they are test keys of documentation ASes. */
#ifndef KR_TABLE_SIGN_H
#define KR_TABLE_SIGN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgpsec_crypto.h"
#include "vectors/table.h"

/* The router key of asn, generation gen, from a fixed seed. */
int kr_table_key(struct kr_key *k, uint32_t asn, unsigned gen, struct kr_err *err);

struct kr_table_sign_cfg {
	const struct kr_table_spec *spec;
	const struct kr_key *inner;   /* a key for every AS of kr_table_ases */
	size_t ninner;
	const struct kr_key *up[2];   /* what up1 and up2 sign with */
	uint32_t target_as;           /* the SUT */
	uint8_t nh4[2][4], nh6[2][16];/* next hops of up1 and up2 */
	const char *cache_dir;        /* NULL: never cached */
	unsigned threads;             /* 0: one per online core */
	/* Called from the calling thread while signing runs (about 5 times
	 * a second) and once at the end. */
	void (*progress)(size_t done, size_t total, void *arg);
	void *arg;
};

/* UPDATEs of each upstream back to back, in table order. */
struct kr_signed_table {
	uint32_t n;
	const uint8_t *msgs[2];
	size_t len[2];
	uint32_t count[2];
	bool cached;          /* mapped from the cache, not signed now */
	double seconds;       /* signing (or mapping) time */
	uint64_t signatures;  /* made now (0 when cached) */
	unsigned threads;
	char path[PATH_MAX];  /* the cache file, "" when none */
	uint8_t hash[32];     /* what the content is keyed by */
	/* owned storage */
	void *map;
	size_t maplen;
	uint8_t *heap[2];
};

/* Sign the whole table. 0, or -1 with err. */
int kr_table_sign(const struct kr_table_sign_cfg *c, const struct kr_table_route *routes,
		  struct kr_signed_table *out, struct kr_err *err);
/* The same table with only the upstreams' segments signed again with
 * c->up (another key generation): the inner signatures are reused. */
int kr_table_resign(const struct kr_table_sign_cfg *c, const struct kr_signed_table *base,
		    struct kr_signed_table *out, struct kr_err *err);
void kr_signed_table_free(struct kr_signed_table *t);

/* Walk the UPDATEs of one upstream: *off starts at 0; returns the length
 * of the next message (0 at the end). */
size_t kr_signed_table_next(const struct kr_signed_table *t, int up, size_t *off, const uint8_t **msg);

#endif
