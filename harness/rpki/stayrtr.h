/* StayRTR as the RTR cache instead of the built-in one (`--rtr stayrtr`):
 * the harness writes the same rpki-client JSON the built-in cache reads,
 * replacing it atomically, and runs the Debian stayrtr binary on it with
 * the protocol version pinned to 1 and the metrics listener bound to the
 * node's own address (its default binds every interface).
 *
 * Only the verbs StayRTR can do through its input file exist here:
 * announce and withdraw keys and prefixes. Notify timing, holds, cache
 * reset, session changes, errors and stop-answering need the built-in
 * cache (rtr_cache.h); a case needing them skips under StayRTR. A change
 * reaches routers within `refresh` seconds (StayRTR polls the file). */
#ifndef KR_STAYRTR_H
#define KR_STAYRTR_H

#include <stdint.h>

#include "wire/kr_util.h"
#include "net/netns.h"
#include "rpki/rtr_set.h"

struct kr_stayrtr_opts {
	const struct kr_net *net;  /* NULL with node NULL: the harness namespace */
	const char *node;
	const char *listen;        /* "ADDR:PORT" on the node's address */
	const char *metrics;       /* "ADDR:PORT" on the node's address (required) */
	const char *dir;           /* existing directory for the JSON file and the log */
	unsigned refresh;          /* file poll interval, s (0: 1) */
	unsigned rtr_refresh, rtr_retry, rtr_expire; /* End of Data timers (0: 10/5/600) */
	const char *cache_file;    /* serve this file, written by another program
				    * (rpki-client's output); NULL: the harness's
				    * own file, changed by the data verbs below */
};

struct kr_stayrtr;

/* Write the initial data, start StayRTR and wait (until deadline_ns) for
 * its RTR port to listen. */
struct kr_stayrtr *kr_stayrtr_start(const struct kr_stayrtr_opts *o, const struct kr_rtr_set *initial,
				    int64_t deadline_ns, struct kr_err *err);
/* Data verbs: change the served set and republish the file. Return 1 when
 * the data changed, 0 when it already was so, -1 on error (always with a
 * cache_file: another program owns the data). */
int kr_stayrtr_announce_key(struct kr_stayrtr *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			    const uint8_t *spki, size_t spki_len, struct kr_err *err);
int kr_stayrtr_withdraw_key(struct kr_stayrtr *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			    struct kr_err *err);
int kr_stayrtr_announce_vrp(struct kr_stayrtr *s, const struct kr_rtr_vrp *v, struct kr_err *err);
int kr_stayrtr_withdraw_vrp(struct kr_stayrtr *s, const struct kr_rtr_vrp *v, struct kr_err *err);
/* Replace the whole set (copied). */
int kr_stayrtr_replace(struct kr_stayrtr *s, const struct kr_rtr_set *set, struct kr_err *err);

const char *kr_stayrtr_json_path(const struct kr_stayrtr *s);
const char *kr_stayrtr_log_path(const struct kr_stayrtr *s);
struct kr_proc *kr_stayrtr_proc(const struct kr_stayrtr *s);
/* Stop StayRTR (SIGTERM, then SIGKILL) and free; NULL is fine. */
void kr_stayrtr_stop(struct kr_stayrtr *s);

#endif
