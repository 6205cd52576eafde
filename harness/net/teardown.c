/* Teardown registry and signal thread; see teardown.h. */
#include "net/teardown.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct action {
	uint64_t id;
	kr_td_fn fn;
	void *arg;
};

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct action *acts;
static size_t nacts, capacts;
static uint64_t next_id = 1;
static pid_t owner;
static int inited;
static void (*sig_hook)(int);

static atomic_int sig_exiting; /* the signal thread is tearing down */

static void at_exit(void)
{
	if (getpid() != owner)
		return;
	kr_teardown_all();
	/* A thread that exits while the signal thread tears down (its
	 * sessions and namespaces just vanished) must not win the race to
	 * the exit status: the run ends with 128+sig from there. */
	if (atomic_load(&sig_exiting))
		for (;;)
			pause();
}

static void ensure_owner(void)
{
	/* Caller holds the lock. */
	if (!owner) {
		owner = getpid();
		atexit(at_exit);
	}
}

static sigset_t handled(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	return s;
}

static void *sig_thread(void *unused)
{
	sigset_t s = handled();
	int sig = 0;
	while (sigwait(&s, &sig) != 0)
		;
	atomic_store(&sig_exiting, 1);
	fprintf(stderr, "keyroll: %s received, tearing down\n", strsignal(sig));
	if (sig_hook)
		sig_hook(sig);
	kr_teardown_all();
	_exit(128 + sig);
}

int kr_teardown_init(void)
{
	pthread_mutex_lock(&lock);
	ensure_owner();
	int rc = 0;
	if (!inited) {
		sigset_t s = handled();
		pthread_t t;
		if (pthread_sigmask(SIG_BLOCK, &s, NULL) != 0 ||
		    pthread_create(&t, NULL, sig_thread, NULL) != 0) {
			rc = -1;
		} else {
			pthread_detach(t);
			inited = 1;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

uint64_t kr_teardown_add(kr_td_fn fn, void *arg)
{
	uint64_t id = 0;
	pthread_mutex_lock(&lock);
	ensure_owner();
	if (nacts == capacts) {
		size_t n = capacts ? 2 * capacts : 16;
		struct action *na = realloc(acts, n * sizeof *na);
		if (!na)
			goto out;
		acts = na;
		capacts = n;
	}
	id = next_id++;
	acts[nacts++] = (struct action){ id, fn, arg };
out:
	pthread_mutex_unlock(&lock);
	return id;
}

/* Removes the action and returns it (fn NULL if absent). Caller locks. */
static struct action take(uint64_t id)
{
	struct action a = { 0, NULL, NULL };
	for (size_t i = 0; i < nacts; i++)
		if (acts[i].id == id) {
			a = acts[i];
			memmove(&acts[i], &acts[i + 1], (nacts - i - 1) * sizeof *acts);
			nacts--;
			break;
		}
	return a;
}

void kr_teardown_run(uint64_t id)
{
	pthread_mutex_lock(&lock);
	struct action a = take(id);
	if (a.fn)
		a.fn(a.arg);
	pthread_mutex_unlock(&lock);
}

void kr_teardown_forget(uint64_t id)
{
	pthread_mutex_lock(&lock);
	take(id);
	pthread_mutex_unlock(&lock);
}

void kr_teardown_all(void)
{
	pthread_mutex_lock(&lock);
	while (nacts) {
		struct action a = acts[--nacts];
		a.fn(a.arg);
	}
	free(acts);
	acts = NULL;
	capacts = 0;
	pthread_mutex_unlock(&lock);
}

void kr_teardown_on_signal(void (*hook)(int sig)) { sig_hook = hook; }

void kr_teardown_child_reset(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}
