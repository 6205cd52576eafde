/* The wire lint's workers and findings (lint_pcap_int.h): jobs go out in
 * batches to a thread per core, each with its own crypto context, decode
 * scratch, verification cache and findings. */
#include "net/lint_pcap_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/lint_rib.h"
#include "wire/rtr_pdu.h"

#define BATCH_JOBS 256
#define BATCHES_PER_THREAD 4 /* waiting batches per worker before the driver waits */
#define VCACHE_SLOTS 4096

/* ---- findings ------------------------------------------------------------ */

static void what_of(const struct kr_cmsg *m, char *buf, size_t sz)
{
	static const char *const bgp[] = { "?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH" };
	if (m->proto == KR_SP_BGP)
		snprintf(buf, sz, "BGP %s", m->len > 18 && m->msg[18] <= 5 ? bgp[m->msg[18]] : "?");
	else
		snprintf(buf, sz, "RTR %s", m->len > 1 ? kr_rtr_type_name(m->msg[1]) : "?");
}

static int cmp_seq(const void *a, const void *b)
{
	const struct lp_finding *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Keep the max earliest: a worker sees batches out of order, so the sink
 * grows to twice max and is cut back to the earliest max. */
static void sink_trim(struct lp_sink *s)
{
	if (s->n > 1)
		qsort(s->f, s->n, sizeof *s->f, cmp_seq);
	if (s->n > s->max)
		s->n = s->max;
}

void kr_lp_sink_add(struct lp_sink *s, const char *const *paths, const struct kr_cmsg *m,
		 enum kr_lint_rule_id rule, size_t off, const char *text, uint64_t at_pkt, size_t at_foff,
		 const char *what)
{
	if (kr_lint_rule(rule)->sev == KR_LINT_SHOULD)
		s->advice++;
	else
		s->total++;
	if (rule < KR_L_COUNT)
		s->per_rule[rule]++;
	if (!s->max)
		return;
	if (s->n >= 2 * s->max)
		sink_trim(s);
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 16;
		struct lp_finding *nf = realloc(s->f, nc * sizeof *nf);
		if (!nf)
			return;
		s->f = nf;
		s->cap = nc;
	}
	struct lp_finding *x = &s->f[s->n++];
	memset(x, 0, sizeof *x);
	x->seq = m->seq;
	struct kr_lint_finding *f = &x->f;
	f->rule = rule;
	kr_capread_link(paths[m->file], f->link, sizeof f->link);
	f->msg_frame = m->pkt_no;
	f->msg_off = off;
	f->ts_ns = m->ts;
	f->frame = at_pkt ? at_pkt : m->pkt_no;
	f->frame_off = at_foff;
	if (!at_pkt) {
		struct kr_smsg sm = { .pieces = m->pieces, .npieces = m->npieces };
		uint64_t pk;
		size_t fo;
		if (m->len && kr_smsg_locate(&sm, off < m->len ? off : m->len - 1, &pk, &fo)) {
			f->frame = pk;
			f->frame_off = fo;
		}
	}
	if (what)
		snprintf(f->what, sizeof f->what, "%s", what);
	else
		what_of(m, f->what, sizeof f->what);
	char a[64], b[64];
	snprintf(f->flow, sizeof f->flow, "%s > %s", kr_endpoint_str(&m->src, a, sizeof a),
		 kr_endpoint_str(&m->dst, b, sizeof b));
	snprintf(f->text, sizeof f->text, "%s", text);
}

void kr_lp_sinks_merge(struct lp_sink *s, size_t n, struct kr_lint_out *out, size_t max)
{
	struct lp_sink all = { .max = max };
	for (size_t i = 0; i < n; i++) {
		all.total += s[i].total;
		all.advice += s[i].advice;
		for (int r = 0; r < KR_L_COUNT; r++)
			all.per_rule[r] += s[i].per_rule[r];
		struct lp_finding *nf = s[i].n ? realloc(all.f, (all.n + s[i].n) * sizeof *nf) : NULL;
		if (nf) {
			all.f = nf;
			memcpy(all.f + all.n, s[i].f, s[i].n * sizeof *nf);
			all.n += s[i].n;
		}
		kr_lp_sink_free(&s[i]);
	}
	sink_trim(&all);
	out->total += all.total;
	out->advice += all.advice;
	for (int r = 0; r < KR_L_COUNT; r++)
		out->per_rule[r] += all.per_rule[r];
	out->f = all.n ? malloc(all.n * sizeof *out->f) : NULL;
	for (size_t i = 0; out->f && i < all.n; i++)
		out->f[out->n++] = all.f[i].f;
	free(all.f);
}

void kr_lp_sink_free(struct lp_sink *s)
{
	free(s->f);
	s->f = NULL;
	s->n = s->cap = 0;
}

/* ---- workers --------------------------------------------------------------- */

struct batch {
	struct lp_job *j[BATCH_JOBS];
	size_t n, bytes;
	struct batch *next;
};

struct worker {
	struct lp_pool *p;
	pthread_t th;
	bool started;
	struct kr_crypto_ctx *cc;
	struct kr_update *u;
	struct kr_lint_stats stats;
	struct lp_sink sink;
	const struct lp_job *cur;
	struct kr_lint_held view; /* job_held's answer */
};

struct lp_pool {
	struct lp_env env;
	pthread_mutex_t mu;
	pthread_cond_t work, space;
	struct batch *head, *tail, *filling;
	size_t queued, max_queued, pending;
	bool closing;
	unsigned nw;           /* threads; 0: checks run in kr_lp_pool_submit */
	struct worker w[];     /* nw, or 1 for the calling thread */
};

void kr_lp_job_free(struct lp_job *j)
{
	if (!j)
		return;
	kr_cmsg_free(&j->m);
	free(j->held);
	free(j);
}

static void on_viol(const struct kr_lint_viol *v, void *arg)
{
	struct worker *w = arg;
	kr_lp_sink_add(&w->sink, w->p->env.paths, &w->cur->m, v->rule, v->offset, v->text, 0, 0, NULL);
}

static const struct kr_lint_held *job_held(void *arg, const struct kr_prefix *p)
{
	struct worker *w = arg;
	struct kr_prefix k;
	kr_prefix_key(&k, p);
	for (size_t i = 0; i < w->cur->nheld; i++) {
		struct lp_held *h = &w->cur->held[i];
		if (memcmp(&h->key, &k, sizeof k) || !h->found)
			continue;
		w->view = (struct kr_lint_held){ .any_plain = h->any_plain, .n = h->n, .path = h->path, .len = h->len };
		return &w->view;
	}
	return NULL;
}

static void run_batch(struct worker *w, struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct lp_job *j = b->j[i];
		struct kr_lint_ctx x = {
			.sess = &j->sess, .keys = j->keys, .cc = w->cc, .held = job_held, .held_arg = w,
			.cb = on_viol, .cb_arg = w, .scratch = w->u, .stats = &w->stats,
			.sig_sample_mod = w->p->env.sig_sample_mod,
		};
		w->cur = j;
		kr_lint_bgp(&x, j->m.msg, j->m.len);
		kr_lp_job_free(j);
	}
	b->n = 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct lp_pool *p = w->p;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->head && !p->closing)
			pthread_cond_wait(&p->work, &p->mu);
		struct batch *b = p->head;
		if (b) {
			p->head = b->next;
			if (!p->head)
				p->tail = NULL;
		}
		pthread_mutex_unlock(&p->mu);
		if (!b)
			return NULL;
		run_batch(w, b);
		pthread_mutex_lock(&p->mu);
		p->queued--;
		p->pending -= b->bytes;
		pthread_cond_signal(&p->space);
		pthread_mutex_unlock(&p->mu);
		free(b);
	}
}

static int worker_init(struct worker *w, struct lp_pool *p)
{
	w->p = p;
	w->cc = kr_crypto_ctx_new();
	w->u = malloc(sizeof *w->u);
	w->sink.max = p->env.max_findings;
	/* a signature met again (the same path on another link) is answered */
	return w->cc && w->u && kr_crypto_ctx_memo(w->cc, VCACHE_SLOTS) == 0 ? 0 : -1;
}

static void worker_free(struct worker *w)
{
	kr_crypto_ctx_free(w->cc);
	free(w->u);
	kr_lp_sink_free(&w->sink);
}

struct lp_pool *kr_lp_pool_new(unsigned threads, const struct lp_env *env)
{
	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 64)
		threads = 64;
	unsigned nw = threads > 1 ? threads : 0;
	struct lp_pool *p = calloc(1, sizeof *p + (nw ? nw : 1) * sizeof p->w[0]);
	if (!p)
		return NULL;
	p->env = *env;
	p->nw = nw;
	p->max_queued = (size_t)BATCHES_PER_THREAD * (nw ? nw : 1);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->space, NULL);
	for (unsigned i = 0; i < (nw ? nw : 1); i++)
		if (worker_init(&p->w[i], p) < 0)
			goto fail;
	for (unsigned i = 0; i < nw; i++) {
		if (pthread_create(&p->w[i].th, NULL, work, &p->w[i]) != 0) {
			/* fewer threads than asked still check everything */
			p->nw = i;
			break;
		}
		p->w[i].started = true;
	}
	return p; /* no thread at all (nw 0): the caller's checks (w[0]) */
fail:
	kr_lp_pool_free(p);
	return NULL;
}

static void enqueue(struct lp_pool *p)
{
	struct batch *b = p->filling;
	p->filling = NULL;
	if (!b)
		return;
	if (!p->nw) {
		run_batch(&p->w[0], b);
		free(b);
		return;
	}
	pthread_mutex_lock(&p->mu);
	while (p->queued >= p->max_queued)
		pthread_cond_wait(&p->space, &p->mu);
	b->next = NULL;
	if (p->tail)
		p->tail->next = b;
	else
		p->head = b;
	p->tail = b;
	p->queued++;
	p->pending += b->bytes;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void kr_lp_pool_submit(struct lp_pool *p, struct lp_job *j)
{
	if (!p->filling && !(p->filling = calloc(1, sizeof *p->filling))) {
		kr_lp_job_free(j); /* out of memory: this message goes unchecked */
		return;
	}
	struct batch *b = p->filling;
	b->j[b->n++] = j;
	b->bytes += j->m.len + sizeof *j + j->nheld * sizeof *j->held;
	if (b->n == BATCH_JOBS)
		enqueue(p);
}

size_t kr_lp_pool_pending(struct lp_pool *p)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->pending + (p->filling ? p->filling->bytes : 0);
	pthread_mutex_unlock(&p->mu);
	return n;
}

static void stats_add(struct kr_lint_stats *a, const struct kr_lint_stats *b)
{
	a->messages += b->messages;
	a->updates += b->updates;
	a->signatures += b->signatures;
	a->unkeyed += b->unkeyed;
	a->unsampled += b->unsampled;
	a->cached += b->cached;
}

static void join(struct lp_pool *p)
{
	enqueue(p);
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->nw; i++)
		if (p->w[i].started) {
			pthread_join(p->w[i].th, NULL);
			p->w[i].started = false;
		}
}

unsigned kr_lp_pool_finish(struct lp_pool *p, struct lp_sink *extra, struct kr_lint_out *out)
{
	join(p);
	unsigned n = p->nw ? p->nw : 1;
	struct lp_sink *all = calloc(n + 1, sizeof *all);
	if (!all)
		return n;
	for (unsigned i = 0; i < n; i++) {
		stats_add(&out->stats, &p->w[i].stats);
		all[i] = p->w[i].sink;
		memset(&p->w[i].sink, 0, sizeof p->w[i].sink);
	}
	all[n] = *extra;
	memset(extra, 0, sizeof *extra);
	kr_lp_sinks_merge(all, n + 1, out, p->env.max_findings);
	free(all);
	return n;
}

void kr_lp_pool_free(struct lp_pool *p)
{
	if (!p)
		return;
	join(p);
	for (struct batch *b = p->head, *nb; b; b = nb) {
		nb = b->next;
		for (size_t i = 0; i < b->n; i++)
			kr_lp_job_free(b->j[i]);
		free(b);
	}
	for (unsigned i = 0; i < (p->nw ? p->nw : 1); i++)
		worker_free(&p->w[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->space);
	free(p);
}
