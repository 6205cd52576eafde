/* The RTR cache's data: the current record set (sorted) and the change log
 * by serial, from which the minimal net change set since any retained
 * serial is computed (RFC 8210 §5.3). Pure data structure, no I/O. */
#ifndef KR_RTR_STORE_H
#define KR_RTR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "rpki/rtr_set.h"

enum { KR_REC_V4 = 4, KR_REC_V6 = 6, KR_REC_KEY = 9 };

/* One payload record. Keys keep their SPKI in the store's arena. */
struct kr_rtr_rec {
	uint8_t kind;
	uint8_t prefix_len, max_len;
	uint16_t spki_len;
	uint32_t asn;
	uint32_t spki_off;
	uint8_t a[KR_RTR_SKI_LEN]; /* address (zero padded) or SKI */
};

struct kr_rtr_change {
	uint32_t serial;
	bool announce;
	struct kr_rtr_rec r;
};

struct kr_rtr_store {
	struct kr_rtr_rec *cur;
	size_t ncur, capcur;
	struct kr_rtr_change *log;
	size_t nlog, caplog;
	struct kr_bytes arena;
	uint32_t serial;   /* current */
	uint32_t log_base; /* oldest serial the log can bring up to date */
	unsigned history;  /* serials kept */
	size_t pending;    /* uncommitted changes (logged under serial + 1) */
	size_t nkeys;
};

void kr_rtr_store_init(struct kr_rtr_store *s, uint32_t serial, unsigned history);
void kr_rtr_store_free(struct kr_rtr_store *s);

int kr_rtr_rec_key(struct kr_rtr_store *s, struct kr_rtr_rec *r, uint32_t asn, const uint8_t *ski,
		   const uint8_t *spki, size_t spki_len);
int kr_rtr_rec_vrp(struct kr_rtr_rec *r, const struct kr_rtr_vrp *v);
const uint8_t *kr_rtr_rec_spki(const struct kr_rtr_store *s, const struct kr_rtr_rec *r);

/* Stage a change (1 applied, 0 no-op, -1 ENOMEM). */
int kr_rtr_store_change(struct kr_rtr_store *s, const struct kr_rtr_rec *r, bool announce);
/* Withdraw every key of (asn, ski); returns the count. */
int kr_rtr_store_withdraw_ski(struct kr_rtr_store *s, uint32_t asn, const uint8_t *ski);
/* Stage the changes that make the data equal to `set`; count or -1. */
long kr_rtr_store_replace(struct kr_rtr_store *s, const struct kr_rtr_set *set);
/* Bump the serial when changes are pending; true if it did. */
bool kr_rtr_store_commit(struct kr_rtr_store *s);
/* Net changes since `from` into a malloc'd array (caller frees).
 * Returns 0, 1 when `from` is outside the log (Cache Reset), -1 ENOMEM. */
int kr_rtr_store_delta(const struct kr_rtr_store *s, uint32_t from, struct kr_rtr_change **out, size_t *n);
/* Drop the change log (only a full reload can follow). */
void kr_rtr_store_forget(struct kr_rtr_store *s);

#endif
