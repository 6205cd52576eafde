/* One event loop (epoll + monotonic timers) that serves every harness role:
 * BGP sessions, the RTR cache, captures and child processes (docs/design.md,
 * "The standard topology"). Waits are "until predicate or deadline", never fixed sleeps. */
#ifndef KR_EVLOOP_H
#define KR_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

enum { KR_EV_READ = 1, KR_EV_WRITE = 2, KR_EV_ERROR = 4 };

struct kr_loop;
typedef void (*kr_fd_cb)(struct kr_loop *l, int fd, unsigned events, void *arg);
typedef void (*kr_timer_cb)(struct kr_loop *l, void *arg);
typedef bool (*kr_pred)(void *arg);

struct kr_loop *kr_loop_new(void);
void kr_loop_free(struct kr_loop *l);

/* Watch fd for KR_EV_READ / KR_EV_WRITE; errors and hang-ups are reported
 * as KR_EV_ERROR together with KR_EV_READ. One registration per fd. */
int kr_loop_add_fd(struct kr_loop *l, int fd, unsigned events, kr_fd_cb cb, void *arg);
int kr_loop_mod_fd(struct kr_loop *l, int fd, unsigned events);
void kr_loop_del_fd(struct kr_loop *l, int fd); /* safe inside callbacks */

/* One-shot timer; returns an id > 0 for kr_loop_cancel (0 on failure). */
uint64_t kr_loop_timer(struct kr_loop *l, int64_t delay_ns, kr_timer_cb cb, void *arg);
void kr_loop_cancel(struct kr_loop *l, uint64_t id); /* unknown/fired id: no-op */

/* Dispatch ready fds and due timers, waiting at most max_wait_ns (<0: until
 * something happens). Returns number of callbacks run, -1 on epoll error. */
int kr_loop_run_once(struct kr_loop *l, int64_t max_wait_ns);

/* Run until pred(arg) is true (checked after every dispatch), kr_loop_stop()
 * or the absolute deadline (kr_now_ns() clock). Returns 1 if pred became
 * true, 0 on deadline, -1 when stopped or on error. pred may be NULL. */
int kr_loop_run_until(struct kr_loop *l, kr_pred pred, void *arg, int64_t deadline_ns);
void kr_loop_stop(struct kr_loop *l);

#endif
