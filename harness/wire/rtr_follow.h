/* Following one router's RTR session with one cache from a capture
 * (RFC 8210 §5, §8): which router keys (AS, SKI, SPKI) the router held
 * from when to when. Pure: PDUs and their times in, key spans out.
 *
 * An announced key counts from the PDU's arrival; a withdrawn one until
 * the End of Data that closes the response (the earliest and the latest a
 * router may apply them); after a Reset Query the keys the new response
 * does not announce again end at its End of Data. With `expire`, every
 * key ends Expire Interval seconds after the last End of Data when no
 * newer one came (RFC 8210 §6): what the router may still use, as opposed
 * to what the cache publishes. With `backdate`, the keys of the first
 * complete response count from the start of time (from = INT64_MIN): the
 * cache held them before the router asked, so they were published then
 * even if the router had not fetched them yet (what the wire lint needs
 * for the router's own key; the judge asks what the router held). */
#ifndef KR_RTR_FOLLOW_H
#define KR_RTR_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgpsec_crypto.h"

#define KR_RKEY_SPKI_MAX 160

struct kr_rkey_span {
	uint32_t asn;
	uint8_t ski[20];
	uint8_t spki[KR_RKEY_SPKI_MAX];
	size_t spki_len;
	int64_t from, to;          /* ns; to = INT64_MAX while held */
	uint64_t from_ref, to_ref; /* the caller's tag of the PDUs (e.g. frame numbers) */
};

struct kr_rtr_follow;
struct kr_rtr_follow *kr_rtr_follow_new(bool expire, bool backdate);
void kr_rtr_follow_free(struct kr_rtr_follow *f);
/* One PDU of the session at time t_ns, sent by the router or the cache. */
void kr_rtr_follow_pdu(struct kr_rtr_follow *f, const uint8_t *pdu, size_t len, bool from_router,
		       int64_t t_ns, uint64_t ref);
/* The capture ends at t_ns (applies an Expire that passed). */
void kr_rtr_follow_end(struct kr_rtr_follow *f, int64_t t_ns);
/* Every span so far, in order of their start. */
size_t kr_rtr_follow_spans(const struct kr_rtr_follow *f, const struct kr_rkey_span **out);
/* The keys of spans that hold at t (from <= t < to + grace) into kt,
 * cleared first. Returns the next time after t at which that set changes
 * (INT64_MAX: never). */
int64_t kr_rkey_spans_at(const struct kr_rkey_span *s, size_t n, int64_t t, int64_t grace,
			 struct kr_keytab *kt);

/* End of Data PDUs seen (0: the capture shows no complete response). */
size_t kr_rtr_follow_eods(const struct kr_rtr_follow *f);

#endif
