/* epoll event loop with a small binary heap of timers; see evloop.h. */
#include "net/evloop.h"
#include "wire/kr_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct fdent {
	kr_fd_cb cb;
	void *arg;
	unsigned events;
	bool used;
};

struct timer {
	int64_t when;
	uint64_t id;
	kr_timer_cb cb;
	void *arg;
};

struct kr_loop {
	int ep;
	struct fdent *fds;
	int nfds;
	struct timer *heap;
	size_t nheap, capheap;
	uint64_t next_id;
	bool stopped;
};

struct kr_loop *kr_loop_new(void)
{
	struct kr_loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		free(l);
		return NULL;
	}
	l->next_id = 1;
	return l;
}

void kr_loop_free(struct kr_loop *l)
{
	if (!l)
		return;
	close(l->ep);
	free(l->fds);
	free(l->heap);
	free(l);
}

static uint32_t to_epoll(unsigned ev)
{
	return (ev & KR_EV_READ ? EPOLLIN | EPOLLRDHUP : 0) | (ev & KR_EV_WRITE ? EPOLLOUT : 0);
}

int kr_loop_add_fd(struct kr_loop *l, int fd, unsigned events, kr_fd_cb cb, void *arg)
{
	if (fd < 0)
		return -1;
	if (fd >= l->nfds) {
		int n = l->nfds ? l->nfds : 64;
		while (n <= fd)
			n *= 2;
		struct fdent *nf = realloc(l->fds, (size_t)n * sizeof *nf);
		if (!nf)
			return -1;
		memset(nf + l->nfds, 0, (size_t)(n - l->nfds) * sizeof *nf);
		l->fds = nf;
		l->nfds = n;
	}
	struct epoll_event e = { .events = to_epoll(events), .data.fd = fd };
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &e) < 0)
		return -1;
	l->fds[fd] = (struct fdent){ cb, arg, events, true };
	return 0;
}

int kr_loop_mod_fd(struct kr_loop *l, int fd, unsigned events)
{
	if (fd < 0 || fd >= l->nfds || !l->fds[fd].used)
		return -1;
	if (l->fds[fd].events == events)
		return 0;
	struct epoll_event e = { .events = to_epoll(events), .data.fd = fd };
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &e) < 0)
		return -1;
	l->fds[fd].events = events;
	return 0;
}

void kr_loop_del_fd(struct kr_loop *l, int fd)
{
	if (fd < 0 || fd >= l->nfds || !l->fds[fd].used)
		return;
	epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd].used = false;
}

static void heap_swap(struct timer *a, struct timer *b)
{
	struct timer t = *a;
	*a = *b;
	*b = t;
}

static void heap_up(struct kr_loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (l->heap[p].when <= l->heap[i].when)
			break;
		heap_swap(&l->heap[p], &l->heap[i]);
		i = p;
	}
}

static void heap_down(struct kr_loop *l, size_t i)
{
	for (;;) {
		size_t a = 2 * i + 1, b = a + 1, m = i;
		if (a < l->nheap && l->heap[a].when < l->heap[m].when)
			m = a;
		if (b < l->nheap && l->heap[b].when < l->heap[m].when)
			m = b;
		if (m == i)
			return;
		heap_swap(&l->heap[m], &l->heap[i]);
		i = m;
	}
}

static void heap_remove(struct kr_loop *l, size_t i)
{
	l->heap[i] = l->heap[--l->nheap];
	if (i < l->nheap) {
		heap_up(l, i);
		heap_down(l, i);
	}
}

uint64_t kr_loop_timer(struct kr_loop *l, int64_t delay_ns, kr_timer_cb cb, void *arg)
{
	if (l->nheap == l->capheap) {
		size_t n = l->capheap ? 2 * l->capheap : 32;
		struct timer *nh = realloc(l->heap, n * sizeof *nh);
		if (!nh)
			return 0;
		l->heap = nh;
		l->capheap = n;
	}
	uint64_t id = l->next_id++;
	l->heap[l->nheap] = (struct timer){ kr_now_ns() + (delay_ns > 0 ? delay_ns : 0), id, cb, arg };
	heap_up(l, l->nheap++);
	return id;
}

void kr_loop_cancel(struct kr_loop *l, uint64_t id)
{
	for (size_t i = 0; i < l->nheap; i++)
		if (l->heap[i].id == id) {
			heap_remove(l, i);
			return;
		}
}

int kr_loop_run_once(struct kr_loop *l, int64_t max_wait_ns)
{
	int64_t now = kr_now_ns();
	int64_t wait = max_wait_ns;
	if (l->nheap) {
		int64_t t = l->heap[0].when - now;
		if (t < 0)
			t = 0;
		if (wait < 0 || t < wait)
			wait = t;
	}
	/* Round up so a timer due in 0.3 ms does not spin at timeout 0. */
	int ms = wait < 0 ? -1 : (int)((wait + 999999) / 1000000);
	struct epoll_event ev[64];
	int n = epoll_wait(l->ep, ev, 64, ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return -1;
	}
	int ran = 0;
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		/* An earlier callback in this batch may have removed this fd. */
		if (fd >= l->nfds || !l->fds[fd].used)
			continue;
		unsigned e = 0;
		if (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			e |= KR_EV_READ;
		if (ev[i].events & EPOLLOUT)
			e |= KR_EV_WRITE;
		if (ev[i].events & (EPOLLHUP | EPOLLERR))
			e |= KR_EV_ERROR;
		l->fds[fd].cb(l, fd, e, l->fds[fd].arg);
		ran++;
	}
	now = kr_now_ns();
	while (l->nheap && l->heap[0].when <= now) {
		struct timer t = l->heap[0];
		heap_remove(l, 0);
		t.cb(l, t.arg);
		ran++;
	}
	return ran;
}

int kr_loop_run_until(struct kr_loop *l, kr_pred pred, void *arg, int64_t deadline_ns)
{
	l->stopped = false;
	for (;;) {
		if (pred && pred(arg))
			return 1;
		if (l->stopped)
			return -1;
		int64_t left = deadline_ns - kr_now_ns();
		if (left <= 0)
			return 0;
		if (kr_loop_run_once(l, left) < 0)
			return -1;
	}
}

void kr_loop_stop(struct kr_loop *l) { l->stopped = true; }
