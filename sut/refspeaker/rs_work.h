/* The speaker's crypto on every core: an ordered pipeline of jobs. A job's
 * run() (verify a received UPDATE, sign one for a peer) executes on a
 * worker thread; its done() executes on the event loop thread strictly in
 * submission order, so what the speaker sends keeps the order of the
 * synchronous design (per peer, per prefix) while signatures are made in
 * parallel. Jobs that need no crypto (a withdrawal, a plain UPDATE) go
 * through the same queue with run == NULL, to stay in order.
 *
 * Workers only read shared state that the loop thread does not change
 * while jobs are in flight: the router key table and the speaker's own
 * keys change only after rs_work_drain(). */
#ifndef RS_WORK_H
#define RS_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "wire/bgpsec_crypto.h"
#include "net/evloop.h"

/* Per-worker scratch (the loop thread has one too, for rs_work_drain). */
struct rs_wctx {
	struct kr_crypto_ctx *cc;
	struct kr_update *u;
	struct kr_bgpsec_path *bp;
	struct kr_sigstore *store;
};

struct rs_job {
	struct rs_job *next;
	void (*run)(struct rs_job *j, struct rs_wctx *w);   /* worker; NULL: none */
	void (*done)(struct rs_job *j);                     /* loop thread, in order; frees j */
	int state;                                          /* internal */
};

struct rs_work;
/* threads 0: one per online core. on_progress runs on the loop thread
 * after completed jobs were handed to done() (to resume paused work). */
struct rs_work *rs_work_new(struct kr_loop *l, unsigned threads, void (*on_progress)(void *arg), void *arg);
void rs_work_free(struct rs_work *w); /* drains first */
void rs_work_submit(struct rs_work *w, struct rs_job *j);
/* Jobs submitted and not yet done(). */
size_t rs_work_pending(const struct rs_work *w);
/* Above the window: producers pause (reading, walks) until on_progress. */
bool rs_work_busy(const struct rs_work *w);
/* Run until every job submitted so far (and what their done() submits)
 * is done; the loop thread works along. */
void rs_work_drain(struct rs_work *w);
unsigned rs_work_threads(const struct rs_work *w);

#endif
