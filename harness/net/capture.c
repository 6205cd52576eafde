/* libpcap live capture inside namespaces; see capture.h. */
#include "net/capture.h"
#include "net/capfile.h"
#include "net/teardown.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define CAP_SYNC_NS 200000000LL /* 200 ms */
#define CAP_DRAIN_MS 12
#define CAP_DRAIN_MAX_NS 500000000LL /* 500 ms */

struct kr_capture {
	pcap_t *p;
	pcap_dumper_t *d;
	struct kr_capfile *cf; /* owned by d's stream */
	pthread_t thr;
	bool running;
	/* set-up, done by the thread itself so a set of captures opens side
	 * by side (each live handle takes tens of ms to set up) */
	const struct kr_net *net;
	const char *node, *ifname;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;               /* 0 opening, 1 capturing, -1 failed */
	struct kr_err open_err;
	int stopfd;
	_Atomic uint64_t packets;
	uint64_t drops;
	uint64_t td_id;
	char path[512];
	char err[PCAP_ERRBUF_SIZE];
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct kr_capture *c = (struct kr_capture *)user;
	pcap_dump((u_char *)c->d, h, data);
	atomic_fetch_add(&c->packets, 1);
}

/* Whatever was captured is in the file; a write error is kept for stop. */
static void sync_file(struct kr_capture *c)
{
	pcap_dump_flush(c->d);
	if (kr_capfile_sync(c->cf) < 0 && !c->err[0])
		snprintf(c->err, sizeof c->err, "writing the capture file: %s", strerror(errno));
}

static pcap_t *open_live(const char *ifname, char *eb, struct kr_err *err);

/* In the capture thread: enter the node (this thread only), open the
 * handle and the file. 0 or -1 with c->open_err. */
static int cap_open(struct kr_capture *c)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	if (c->node && kr_net_enter(c->net, c->node) < 0) {
		kr_err_set(&c->open_err, errno, 0, "capture: cannot enter node %s: %s", c->node,
			   strerror(errno));
		return -1;
	}
	c->p = open_live(c->ifname, eb, &c->open_err);
	if (!c->p)
		return -1;
	FILE *f;
	c->cf = kr_capfile_open(c->path, &f, &c->open_err);
	if (!c->cf)
		return -1;
	c->d = pcap_dump_fopen(c->p, f);
	if (!c->d) {
		kr_err_set(&c->open_err, EIO, 0, "capture file %s: %s", c->path, pcap_geterr(c->p));
		fclose(f);
		return -1;
	}
	sync_file(c); /* the header is there even if nothing arrives */
	return 0;
}

static void cap_opened(struct kr_capture *c, int state)
{
	pthread_mutex_lock(&c->mu);
	c->state = state;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void *cap_thread(void *arg)
{
	struct kr_capture *c = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals belong to the harness */
	if (cap_open(c) < 0) {
		cap_opened(c, -1);
		return NULL;
	}
	cap_opened(c, 1);
	struct pollfd pf[2] = { { pcap_get_selectable_fd(c->p), POLLIN, 0 },
				{ c->stopfd, POLLIN, 0 } };
	/* The file stays current (readers follow it while the case runs, and
	 * it survives a SIGKILL): written when the link goes quiet (1 ms
	 * without a packet), and at least every CAP_SYNC_NS while it is busy;
	 * a busy link meanwhile fills whole aligned chunks (capfile.h). */
	int64_t synced = kr_now_ns();
	for (;;) {
		int r = poll(pf, 2, kr_capfile_pending(c->cf) ? 1 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (r == 0 || kr_now_ns() - synced >= CAP_SYNC_NS) {
			sync_file(c);
			synced = kr_now_ns();
		}
		if (pf[0].revents) {
			int n = pcap_dispatch(c->p, -1, on_packet, (u_char *)c);
			if (n < 0) {
				snprintf(c->err, sizeof c->err, "%s", pcap_geterr(c->p));
				break;
			}
		}
		if (pf[1].revents)
			break;
	}
	/* Drain what the kernel already queued for us: a block still open is
	 * handed over when its timer retires it (a jiffy or two), so wait
	 * until the socket stays quiet for CAP_DRAIN_MS, and never longer
	 * than CAP_DRAIN_MAX_NS (a SUT that keeps sending cannot hold the
	 * teardown: what arrives after the stop is not the case's). */
	int64_t drain_end = kr_now_ns() + CAP_DRAIN_MAX_NS;
	while (kr_now_ns() < drain_end) {
		int r = poll(pf, 1, CAP_DRAIN_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || pcap_dispatch(c->p, -1, on_packet, (u_char *)c) < 0)
			break;
	}
	sync_file(c);
	struct pcap_stat st;
	if (pcap_stats(c->p, &st) == 0)
		c->drops = st.ps_drop + st.ps_ifdrop;
	/* Closed here, so the captures of a set close side by side: releasing
	 * a packet socket waits for the kernel (tens of ms each). */
	pcap_dump_close(c->d);
	c->d = NULL;
	c->cf = NULL;
	pcap_close(c->p);
	c->p = NULL;
	return NULL;
}

/* Ask the thread to finish without waiting for it. */
static void cap_signal(struct kr_capture *c)
{
	uint64_t one = 1;
	if (c->running && c->stopfd >= 0 && write(c->stopfd, &one, sizeof one) != sizeof one)
		pthread_cancel(c->thr); /* cannot happen with an eventfd */
}

static void cap_stop(void *arg)
{
	struct kr_capture *c = arg;
	if (c->running) {
		cap_signal(c);
		pthread_join(c->thr, NULL);
		c->running = false;
	}
	if (c->d) {
		pcap_dump_close(c->d);
		c->d = NULL;
	}
	if (c->p) {
		pcap_close(c->p);
		c->p = NULL;
	}
	if (c->stopfd >= 0) {
		close(c->stopfd);
		c->stopfd = -1;
	}
}

static void cap_destroy(struct kr_capture *c)
{
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

/* Create and activate the live handle in the current namespace. */
static pcap_t *open_live(const char *ifname, char *eb, struct kr_err *err)
{
	pcap_t *p = pcap_create(ifname, eb);
	if (!p) {
		kr_err_set(err, EIO, 0, "pcap_create %s: %s", ifname, eb);
		return NULL;
	}
	pcap_set_snaplen(p, 262144);
	/* Not immediate: the kernel hands packets over in blocks (TPACKET_V3),
	 * at the latest 1 ms after the first, so a busy link wakes the thread
	 * a few hundred times a second instead of once per packet (a full
	 * table is millions of packets) */
	pcap_set_timeout(p, 1);
	pcap_set_buffer_size(p, 8 << 20);
	/* Kernel timestamps at nanosecond resolution: HOST is the kernel's
	 * stamp on Linux; adapter stamps (when a NIC has them) live on
	 * another clock, so they are not asked for. */
	pcap_set_tstamp_type(p, PCAP_TSTAMP_HOST);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "capture on %s: %s", ifname,
			   rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc));
		pcap_close(p);
		return NULL;
	}
	if (pcap_setnonblock(p, 1, eb) < 0) {
		kr_err_set(err, EIO, 0, "capture on %s: %s", ifname, eb);
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* Starts the thread that opens and runs the capture; 0 or -1. */
static struct kr_capture *cap_begin(const struct kr_net *n, const char *node, const char *ifname,
				    const char *path, struct kr_err *err)
{
	struct kr_capture *c = calloc(1, sizeof *c);
	if (!c) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	c->stopfd = -1;
	c->net = n;
	c->node = node;
	c->ifname = ifname;
	snprintf(c->path, sizeof c->path, "%s", path);
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->stopfd = eventfd(0, EFD_CLOEXEC);
	if (c->stopfd < 0 || pthread_create(&c->thr, NULL, cap_thread, c) != 0) {
		kr_err_set(err, errno, 0, "capture thread: %s", strerror(errno));
		if (c->stopfd >= 0)
			close(c->stopfd);
		free(c);
		return NULL;
	}
	c->running = true;
	return c;
}

/* Waits until the thread has its handle open; on failure the capture is
 * freed and NULL returned with err. */
static struct kr_capture *cap_ready(struct kr_capture *c, struct kr_err *err)
{
	pthread_mutex_lock(&c->mu);
	while (c->state == 0)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	if (c->state < 0) {
		*err = c->open_err;
		cap_stop(c);
		cap_destroy(c);
		return NULL;
	}
	c->td_id = kr_teardown_add(cap_stop, c);
	return c;
}

struct kr_capture *kr_capture_start(const struct kr_net *n, const char *node,
				    const char *ifname, const char *path, struct kr_err *err)
{
	struct kr_capture *c = cap_begin(n, node, ifname, path, err);
	return c ? cap_ready(c, err) : NULL;
}

uint64_t kr_capture_packets(const struct kr_capture *c) { return atomic_load(&c->packets); }
uint64_t kr_capture_drops(const struct kr_capture *c) { return c->drops; }
const char *kr_capture_error(const struct kr_capture *c) { return c->err[0] ? c->err : NULL; }
const char *kr_capture_path(const struct kr_capture *c) { return c->path; }

void kr_capture_stop(struct kr_capture *c)
{
	if (!c)
		return;
	if (c->td_id) {
		kr_teardown_run(c->td_id); /* serialised with a signal teardown */
		c->td_id = 0;
	}
	cap_stop(c);
}

void kr_capture_free(struct kr_capture *c)
{
	if (!c)
		return;
	kr_capture_stop(c);
	cap_destroy(c);
}

struct kr_capset {
	size_t n;
	struct kr_capture *c[KR_TOPO_MAX_LINKS];
};

struct kr_capset *kr_capture_sut_links(const struct kr_net *n, const char *dir,
				       struct kr_err *err)
{
	const struct kr_topo *t = kr_net_topo(n);
	int sut = kr_topo_find_role(t, KR_ROLE_SUT);
	if (sut < 0) {
		kr_err_set(err, EINVAL, 0, "topology has no sut node");
		return NULL;
	}
	struct kr_capset *s = calloc(1, sizeof *s);
	if (!s) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	const char *sn = t->nodes[sut].name, *labif = NULL;
	/* A device is outside: its links are captured on the peers' ends,
	 * and the whole wire on the lab interface. */
	bool ext = kr_net_external(n, &labif) != NULL;
	size_t nwant = 0;
	for (size_t k = 0; k < t->nlinks; k++)
		nwant += t->links[k].a == (unsigned)sut || t->links[k].b == (unsigned)sut;
	for (size_t k = 0; k < t->nlinks; k++) {
		const struct kr_topo_link *l = &t->links[k];
		if (l->a != (unsigned)sut && l->b != (unsigned)sut)
			continue;
		const char *peer = t->nodes[l->a == (unsigned)sut ? l->b : l->a].name;
		char path[512];
		snprintf(path, sizeof path, "%s/%s-%s.pcap", dir, sn, peer);
		/* the SUT's end of the link is named after the peer, the
		 * peer's end after the SUT */
		s->c[s->n] = ext ? cap_begin(n, peer, sn, path, err) : cap_begin(n, sn, peer, path, err);
		if (!s->c[s->n])
			break;
		s->n++;
	}
	if (s->n == nwant && ext && s->n < KR_TOPO_MAX_LINKS) {
		char path[512];
		snprintf(path, sizeof path, "%s/wire-%s.pcap", dir, labif);
		if ((s->c[s->n] = cap_begin(n, sn, labif, path, err)))
			s->n++;
	}
	/* every thread opens its own handle; then each is waited for */
	bool ok = s->n == nwant + (ext ? 1 : 0);
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct kr_err e = { 0 };
		struct kr_capture *c = cap_ready(s->c[i], &e);
		if (!c && ok) {
			*err = e;
			ok = false;
		}
		if (c)
			s->c[kept++] = c;
	}
	s->n = kept;
	if (!ok) {
		kr_capset_free(s);
		return NULL;
	}
	return s;
}

size_t kr_capset_count(const struct kr_capset *s) { return s->n; }
struct kr_capture *kr_capset_get(const struct kr_capset *s, size_t i)
{
	return i < s->n ? s->c[i] : NULL;
}

void kr_capset_stop(struct kr_capset *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		cap_signal(s->c[i]); /* all finish at once, then each is joined */
	for (size_t i = 0; s && i < s->n; i++)
		kr_capture_stop(s->c[i]);
}

void kr_capset_free(struct kr_capset *s)
{
	if (!s)
		return;
	kr_capset_stop(s);
	for (size_t i = 0; i < s->n; i++)
		kr_capture_free(s->c[i]);
	free(s);
}

int64_t kr_wall_to_mono_ns(int64_t wall_ns)
{
	struct timespec r, m;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	int64_t off = ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
	return wall_ns - off;
}
