/* Child processes inside a node's namespace (daemons, the SUT).
 *
 * kr_proc_start forks; the child enters the node's namespace, becomes the
 * leader of its own process group, asks to be SIGKILLed when the harness
 * thread that started it dies (PR_SET_PDEATHSIG; start processes from the
 * main thread), sends stdout and stderr to the log file, gets
 * KEYROLL_RUN_ID=<run tag> in its environment and execs. Exec failures are
 * reported by kr_proc_start itself, not as a mysterious exit code.
 *
 * Stopping sends SIGTERM to the whole group, then SIGKILL after the grace
 * period. The status says "exited with code N" or "killed by SIGSEGV"
 * (exact signal), and whether the harness asked for it: a SUT that dies by
 * a signal nobody sent has crashed.
 *
 * Every process is also registered with teardown.h (SIGKILL of its group),
 * so no exit path leaves it running. */
#ifndef KR_PROC_H
#define KR_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net/evloop.h"
#include "wire/kr_util.h"
#include "net/netns.h"

struct kr_proc;

struct kr_proc_opts {
	const char *node;             /* node to run in; NULL: the harness namespace */
	const char *const *argv;      /* argv[0] looked up in PATH */
	const char *const *env;       /* extra "NAME=VALUE" entries, NULL-terminated, or NULL */
	const char *log;              /* stdout+stderr go here (truncated); NULL: /dev/null */
	const char *cwd;              /* working directory, or NULL */
};

/* n may be NULL when opts->node is NULL. Returns NULL with err set. */
struct kr_proc *kr_proc_start(const struct kr_net *n, const struct kr_proc_opts *o,
			      struct kr_err *err);

pid_t kr_proc_pid(const struct kr_proc *p);
/* A pidfd that becomes readable when the process exits (for an event loop). */
int kr_proc_pidfd(const struct kr_proc *p);

enum kr_proc_state { KR_PROC_RUNNING, KR_PROC_EXITED, KR_PROC_SIGNALED };
struct kr_proc_status {
	enum kr_proc_state state;
	int code;     /* exit code (EXITED) */
	int sig;      /* signal number (SIGNALED) */
	bool core;    /* core dumped */
	bool stopped; /* the harness sent the stop signal first */
};

/* Reap without blocking; true once the process has ended. */
bool kr_proc_poll(struct kr_proc *p);
struct kr_proc_status kr_proc_status(struct kr_proc *p);
/* "running", "exited with code 3", "killed by SIGSEGV (core dumped)". */
const char *kr_proc_status_str(struct kr_proc *p, char *buf, size_t len);
/* Ended by a signal the harness did not send (a crash). */
bool kr_proc_crashed(struct kr_proc *p);

/* Readiness waits, blocking until the condition, the process's end or the
 * absolute deadline (kr_now_ns clock), whichever comes first.
 * Return 1 ready, 0 deadline, -1 the process ended (err says how). */
int kr_proc_wait_port(struct kr_proc *p, uint16_t port, int64_t deadline_ns, struct kr_err *err);
int kr_proc_wait_log(struct kr_proc *p, const char *needle, int64_t deadline_ns,
		     struct kr_err *err);
/* Wait for the end; 1 ended, 0 deadline. */
int kr_proc_wait_exit(struct kr_proc *p, int64_t deadline_ns);

/* Is a TCP socket listening on port in the namespace of this pid? */
bool kr_pid_listens(pid_t pid, uint16_t port);

/* CPU seconds (user + system) used by pid and every live descendant, plus
 * what their reaped children used (/proc; threads included). -1 when pid
 * is gone. For the harness's share of a run's CPU. */
double kr_pid_tree_cpu_s(pid_t pid);
/* Resident set size of pid in bytes (VmRSS), 0 when unknown. */
size_t kr_pid_rss(pid_t pid);

/* SIGTERM to the group, SIGKILL after grace_ns; reaps. Idempotent. */
void kr_proc_stop(struct kr_proc *p, int64_t grace_ns);
/* Stop (grace 0) if still running, and free. NULL is fine. */
void kr_proc_free(struct kr_proc *p);

/* Event-loop integration: cb runs once, after the process ended and was
 * reaped. 0 or -1. */
typedef void (*kr_proc_cb)(struct kr_proc *p, void *arg);
int kr_proc_watch(struct kr_loop *l, struct kr_proc *p, kr_proc_cb cb, void *arg);
/* Stop watching (the process outlives whoever watched it). NULL is fine. */
void kr_proc_unwatch(struct kr_proc *p);

#endif
