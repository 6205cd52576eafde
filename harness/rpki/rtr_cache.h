/* RTR cache (server), RFC 8210 version 1 and RFC 6810 version 0, on the
 * harness event loop. Many clients; non-blocking; a change log answers
 * Serial Queries with the minimal net change set (RFC 8210 §5.3) and
 * Cache Reset when the serial is too old; Serial Notify goes to every
 * synchronised client on each change. A version-0 client never gets a
 * Router Key PDU.
 *
 * The control verbs (kr_rtr_*) let conformance cases steer the cache
 * during a rollover, and the transcript records every PDU in and out with
 * a kr_now_ns() timestamp. */
#ifndef KR_RTR_CACHE_H
#define KR_RTR_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "net/evloop.h"
#include "wire/kr_util.h"
#include "wire/rtr_pdu.h"
#include "rpki/rtr_set.h"

struct kr_rtr_cache_cfg {
	uint16_t session_id;   /* 0: derived from the clock */
	uint32_t serial;       /* initial serial */
	uint32_t refresh, retry, expire; /* End of Data timers; 0: 3600/600/7200 */
	uint8_t max_version;   /* highest version spoken (1, or 0 for a v0-only cache) */
	unsigned history;      /* serials kept in the change log; 0: 64 */
	unsigned max_clients;  /* 0: 256 */
	/* Minimum spacing of automatic Serial Notifies; RFC 8210 §8.2 says at
	 * most one per minute (60000). 0 (compressed time): every change
	 * notifies at once. kr_rtr_notify_now() is never delayed. */
	unsigned notify_interval_ms;
};

struct kr_rtr_cache;

struct kr_rtr_cache *kr_rtr_cache_new(struct kr_loop *loop, const struct kr_rtr_cache_cfg *cfg);
void kr_rtr_cache_free(struct kr_rtr_cache *c); /* closes listeners and clients */

/* Serve on a socket made by the caller (e.g. inside a namespace); the
 * cache takes ownership, makes it non-blocking and calls listen(). */
int kr_rtr_cache_listen_fd(struct kr_rtr_cache *c, int fd, struct kr_err *err);
/* "ADDR:PORT" or "[V6ADDR]:PORT"; port 0 picks a free one. */
int kr_rtr_cache_listen(struct kr_rtr_cache *c, const char *addr_port, struct kr_err *err);
uint16_t kr_rtr_cache_port(const struct kr_rtr_cache *c); /* first listener */

/* ---- data ---- */
/* Each call is one new serial (and a Serial Notify) unless inside a batch.
 * Return 1 when the data changed, 0 when it was already so, -1 on error. */
int kr_rtr_announce_key(struct kr_rtr_cache *c, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			const uint8_t *spki, size_t spki_len);
/* spki NULL: every key of (asn, ski). */
int kr_rtr_withdraw_key(struct kr_rtr_cache *c, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			const uint8_t *spki, size_t spki_len);
int kr_rtr_announce_vrp(struct kr_rtr_cache *c, const struct kr_rtr_vrp *v);
int kr_rtr_withdraw_vrp(struct kr_rtr_cache *c, const struct kr_rtr_vrp *v);
/* Make the data equal to `s` (duplicates collapse) as one serial; returns
 * the number of records announced + withdrawn, -1 on error. */
long kr_rtr_replace(struct kr_rtr_cache *c, const struct kr_rtr_set *s);
/* Group several changes into one serial. */
void kr_rtr_batch_begin(struct kr_rtr_cache *c);
void kr_rtr_batch_commit(struct kr_rtr_cache *c);

uint32_t kr_rtr_serial(const struct kr_rtr_cache *c);
uint16_t kr_rtr_session(const struct kr_rtr_cache *c);
size_t kr_rtr_key_count(const struct kr_rtr_cache *c);
size_t kr_rtr_vrp_count(const struct kr_rtr_cache *c);

/* ---- control verbs (conformance cases) ---- */
/* Serial Notify to every synchronised client now (even when held or
 * inside the notify spacing). */
void kr_rtr_notify_now(struct kr_rtr_cache *c);
/* Hold: changes do not notify (a slow cache); release sends one notify if
 * anything changed meanwhile. */
void kr_rtr_hold_notify(struct kr_rtr_cache *c, bool hold);
/* Forget the change log: every client's next Serial Query gets Cache Reset;
 * clients are notified (unless held) so they ask soon. */
void kr_rtr_cache_reset(struct kr_rtr_cache *c);
/* New session id (0: next value); the change log is dropped, so Serial
 * Queries with the old session get Cache Reset. (A Serial Query naming a
 * session other than the one its connection was given is a mismatch:
 * Error Report Corrupt Data and close, RFC 8210 §5.1.) No notify is sent: call
 * kr_rtr_notify_now() to push the new id to the routers. */
void kr_rtr_new_session(struct kr_rtr_cache *c, uint16_t session_id);
/* Error Report with `code` and `text` to client `id` (0: every client);
 * closes the connection after sending when `close_after`. Returns the
 * number of clients reached. */
int kr_rtr_send_error(struct kr_rtr_cache *c, unsigned id, uint16_t code, const char *text, bool close_after);
/* Close client `id` (0: every client) without a word. */
int kr_rtr_drop_clients(struct kr_rtr_cache *c, unsigned id);
/* Stop answering: connections stay up and queries are read (and logged)
 * but get no reply and no notify is sent; new connections are accepted. */
void kr_rtr_stop_answering(struct kr_rtr_cache *c, bool stop);
/* Defer: queries are read but answered only when released (a cache
 * still loading that answers late, without an error); release answers
 * every query that waited. */
void kr_rtr_defer_answers(struct kr_rtr_cache *c, bool defer);
/* The next query, from any client, is answered with an Error Report of
 * `code` and `text` instead of data; the connection is closed after it
 * unless the code is No Data Available (RFC 8210 §12). One-shot. */
void kr_rtr_error_next_query(struct kr_rtr_cache *c, uint16_t code, const char *text);
/* No data yet: queries get Error Report "No Data Available" (code 2). */
void kr_rtr_set_no_data(struct kr_rtr_cache *c, bool no_data);
void kr_rtr_set_timers(struct kr_rtr_cache *c, uint32_t refresh, uint32_t retry, uint32_t expire);
/* Highest version spoken to new sessions (0 makes a v0-only cache that
 * refuses v1 with Error Report code 4, for downgrade cases). */
void kr_rtr_set_max_version(struct kr_rtr_cache *c, uint8_t max_version);

/* ---- clients ---- */
struct kr_rtr_client_info {
	unsigned id;           /* > 0, never reused within a cache */
	int version;           /* -1 before the first query */
	bool synced;           /* last End of Data carried the current serial and session */
	uint32_t serial;       /* serial of the last End of Data sent */
	unsigned queries;      /* queries answered */
	char peer[64];
};
size_t kr_rtr_client_count(const struct kr_rtr_cache *c);
/* i-th connected client (0-based); false past the end. */
bool kr_rtr_client_get(const struct kr_rtr_cache *c, size_t i, struct kr_rtr_client_info *out);
/* Predicate for kr_loop_run_until: at least one client and all synced. */
bool kr_rtr_all_synced(void *cache);

/* ---- transcript ---- */
enum kr_rtr_dir { KR_RTR_IN = '<', KR_RTR_OUT = '>', KR_RTR_EVENT = '*' };
struct kr_rtr_tx {
	int64_t t_ns;          /* kr_now_ns() */
	unsigned client;
	char dir;              /* enum kr_rtr_dir */
	int type;              /* PDU type, -1 for events and undecodable input */
	const uint8_t *data;   /* raw PDU octets, or event text (not NUL-terminated) */
	size_t len;
};
/* Recording is off by default (a full load of real rpki-client output is
 * large); `stream` (may be NULL) additionally gets one line per entry. */
void kr_rtr_transcript_enable(struct kr_rtr_cache *c, bool on, FILE *stream);
size_t kr_rtr_transcript_count(const struct kr_rtr_cache *c);
/* Entry i; pointers valid until the next call into the cache. */
bool kr_rtr_transcript_get(const struct kr_rtr_cache *c, size_t i, struct kr_rtr_tx *out);
/* Count entries of a direction and PDU type (-1: any) for client (0: any). */
size_t kr_rtr_transcript_count_pdus(const struct kr_rtr_cache *c, char dir, int type, unsigned client);
/* One line per entry: "SECONDS.NNNNNNNNN cID DIR TEXT". 0 or -1 (errno). */
int kr_rtr_transcript_write(const struct kr_rtr_cache *c, const char *path);
void kr_rtr_transcript_line(const struct kr_rtr_tx *t, char *out, size_t outsz);

#endif
