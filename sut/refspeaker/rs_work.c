/* Ordered job pipeline on worker threads; see rs_work.h. */
#include "rs_work.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define WINDOW 8192
#define REAP_SLICE 2048 /* done() calls per turn of the event loop */
/* Finished jobs that make it worth waking the loop thread while workers
 * still have jobs queued: each wake-up preempts a worker (on 2 cores the
 * loop thread and the workers share them), so waking per job cost more
 * than the sending it triggers. With nothing left to run, any finished
 * head wakes it at once, so a single UPDATE is not delayed. */
#define WAKE_BATCH 256
#define MAX_THREADS 64

enum { J_QUEUED = 0, J_RUNNING = 1, J_FINISHED = 2 };

struct rs_work {
	struct kr_loop *loop;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* workers: a job to run */
	pthread_cond_t done_cv; /* drain: a job finished */
	struct rs_job *head, *tail, *runq;
	size_t pending;
	size_t nfinished; /* finished, not yet reaped */
	bool stop;
	pthread_t th[MAX_THREADS];
	struct rs_wctx wc[MAX_THREADS + 1]; /* the last one is the loop thread's */
	unsigned nth, idle; /* workers, and how many wait for a job */
	int efd;
	atomic_bool signalled;
	void (*on_progress)(void *);
	void *arg;
};

static int wctx_init(struct rs_wctx *c)
{
	c->cc = kr_crypto_ctx_new();
	c->u = malloc(sizeof *c->u);
	c->bp = malloc(sizeof *c->bp);
	c->store = malloc(sizeof *c->store);
	return c->cc && c->u && c->bp && c->store ? 0 : -1;
}

static void wctx_free(struct rs_wctx *c)
{
	kr_crypto_ctx_free(c->cc);
	free(c->u);
	free(c->bp);
	free(c->store);
}

/* Wake the loop thread (once until it has reaped). */
static void signal_loop(struct rs_work *w)
{
	if (!atomic_exchange(&w->signalled, true)) {
		uint64_t one = 1;
		ssize_t r = write(w->efd, &one, sizeof one);
		(void)r;
	}
}

static void advance_runq(struct rs_work *w)
{
	while (w->runq && w->runq->state != J_QUEUED)
		w->runq = w->runq->next;
}

/* Take the next job to run, with mu held; NULL when none. */
static struct rs_job *take(struct rs_work *w)
{
	advance_runq(w);
	struct rs_job *j = w->runq;
	if (!j)
		return NULL;
	j->state = J_RUNNING;
	w->runq = j->next;
	advance_runq(w);
	return j;
}

static void finish(struct rs_work *w, struct rs_job *j)
{
	pthread_mutex_lock(&w->mu);
	j->state = J_FINISHED;
	w->nfinished++;
	/* runq is NULL or a queued job: take() moves it past what it takes */
	bool wake = w->head && w->head->state == J_FINISHED && (w->nfinished >= WAKE_BATCH || !w->runq);
	pthread_cond_broadcast(&w->done_cv);
	pthread_mutex_unlock(&w->mu);
	if (wake)
		signal_loop(w);
}

struct targ {
	struct rs_work *w;
	unsigned i;
};

static void *worker(void *arg)
{
	struct targ *ta = arg;
	struct rs_work *w = ta->w;
	struct rs_wctx *wc = &w->wc[ta->i];
	free(ta);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct rs_job *j = NULL;
		while (!w->stop && !(j = take(w))) {
			w->idle++;
			pthread_cond_wait(&w->cv, &w->mu);
			w->idle--;
		}
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->mu);
		j->run(j, wc);
		finish(w, j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Hand finished jobs at the head to done(), in order, at most max (the
 * workers keep finishing: without a bound the loop would never get back
 * to sessions and keepalives). */
static size_t reap(struct rs_work *w, size_t max)
{
	size_t n = 0;
	while (n < max) {
		pthread_mutex_lock(&w->mu);
		struct rs_job *first = w->head, *last = NULL;
		size_t k = 0, ran = 0;
		for (struct rs_job *j = w->head; j && j->state == J_FINISHED && n + k < max; j = j->next) {
			last = j;
			k++;
			ran += j->run != NULL; /* the ones finish() counted */
		}
		if (!last) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		w->pending -= k;
		w->nfinished -= ran;
		pthread_mutex_unlock(&w->mu);
		for (struct rs_job *j = first, *nx; j; j = nx) {
			nx = j->next;
			j->done(j); /* may submit more; frees j */
		}
		n += k;
	}
	return n;
}

static void on_event(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct rs_work *w = arg;
	uint64_t v;
	ssize_t r = read(fd, &v, sizeof v);
	(void)r;
	atomic_store(&w->signalled, false);
	reap(w, REAP_SLICE);
	/* more finished already: come back after the loop had its turn */
	pthread_mutex_lock(&w->mu);
	bool more = w->head && w->head->state == J_FINISHED;
	pthread_mutex_unlock(&w->mu);
	if (more)
		signal_loop(w);
	if (w->on_progress)
		w->on_progress(w->arg);
}

struct rs_work *rs_work_new(struct kr_loop *l, unsigned threads, void (*on_progress)(void *), void *arg)
{
	struct rs_work *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->loop = l;
	w->on_progress = on_progress;
	w->arg = arg;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->done_cv, NULL);
	long n = threads ? (long)threads : sysconf(_SC_NPROCESSORS_ONLN);
	w->nth = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0 || kr_loop_add_fd(l, w->efd, KR_EV_READ, on_event, w) < 0 ||
	    wctx_init(&w->wc[MAX_THREADS]) < 0)
		goto fail;
	for (unsigned i = 0; i < w->nth; i++) {
		struct targ *ta = malloc(sizeof *ta);
		if (!ta || wctx_init(&w->wc[i]) < 0) {
			free(ta);
			w->nth = i;
			goto fail;
		}
		ta->w = w;
		ta->i = i;
		if (pthread_create(&w->th[i], NULL, worker, ta) != 0) {
			free(ta);
			wctx_free(&w->wc[i]);
			w->nth = i;
			goto fail;
		}
	}
	return w;
fail:
	rs_work_free(w);
	return NULL;
}

void rs_work_free(struct rs_work *w)
{
	if (!w)
		return;
	rs_work_drain(w);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->nth; i++) {
		pthread_join(w->th[i], NULL);
		wctx_free(&w->wc[i]);
	}
	wctx_free(&w->wc[MAX_THREADS]);
	if (w->efd >= 0) {
		kr_loop_del_fd(w->loop, w->efd);
		close(w->efd);
	}
	pthread_cond_destroy(&w->done_cv);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

void rs_work_submit(struct rs_work *w, struct rs_job *j)
{
	j->next = NULL;
	j->state = j->run ? J_QUEUED : J_FINISHED;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->pending++;
	bool head_done = j == w->head && j->state == J_FINISHED;
	if (j->state == J_QUEUED) {
		if (!w->runq)
			w->runq = j;
		if (w->idle) /* a busy worker takes it anyway: no wake-up needed */
			pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	if (head_done)
		signal_loop(w);
}

size_t rs_work_pending(const struct rs_work *w) { return w->pending; }
bool rs_work_busy(const struct rs_work *w) { return w->pending >= WINDOW; }
unsigned rs_work_threads(const struct rs_work *w) { return w->nth; }

void rs_work_drain(struct rs_work *w)
{
	for (;;) {
		reap(w, SIZE_MAX);
		pthread_mutex_lock(&w->mu);
		if (!w->pending) {
			pthread_mutex_unlock(&w->mu);
			return;
		}
		struct rs_job *j = take(w);
		if (j) {
			pthread_mutex_unlock(&w->mu);
			j->run(j, &w->wc[MAX_THREADS]); /* work along */
			finish(w, j);
			continue;
		}
		if (!(w->head && w->head->state == J_FINISHED))
			pthread_cond_wait(&w->done_cv, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
}
