/* Teardown registry: everything a run creates (namespaces, processes,
 * captures, files) registers a cleanup action here, so every exit path runs
 * it (docs/design.md rule 6):
 *   - normal return / exit(): an atexit handler runs all actions;
 *   - SIGINT, SIGTERM, SIGHUP: a dedicated signal thread runs all actions,
 *     prints what happened and exits with 128+signal;
 *   - explicit: kr_teardown_run(id) runs one action now (e.g. end of a case).
 * Actions run last-registered first, each at most once, serialised by a lock
 * so an interrupted run and a normal teardown never race.
 * Forked children never run the parent's actions. */
#ifndef KR_TEARDOWN_H
#define KR_TEARDOWN_H

#include <stdint.h>

typedef void (*kr_td_fn)(void *arg);

/* Block SIGINT/SIGTERM/SIGHUP in the calling thread and start the signal
 * thread; call early in main, before other threads exist (threads inherit
 * the mask). Idempotent; 0 or -1. Without it, actions still run at exit. */
int kr_teardown_init(void);

/* Register an action; returns an id > 0 (0 on allocation failure). */
uint64_t kr_teardown_add(kr_td_fn fn, void *arg);
/* Run one action now and drop it; unknown / already run ids are a no-op. */
void kr_teardown_run(uint64_t id);
/* Drop an action without running it. */
void kr_teardown_forget(uint64_t id);
/* Run every registered action (last first). */
void kr_teardown_all(void);

/* Called in the signal thread before the actions run (e.g. to note the
 * interruption in a report). Must not block for long. */
void kr_teardown_on_signal(void (*hook)(int sig));

/* Restore the default signal mask in a freshly forked child before exec. */
void kr_teardown_child_reset(void);

#endif
