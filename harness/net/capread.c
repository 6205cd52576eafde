/* Reading captures as one time-ordered message stream (capread.h). */
#include "net/capread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_read.h"

void kr_capread_note(struct kr_capread *r, const char *fmt, ...)
{
	if (r->nnotes >= 100)
		return;
	char **n = realloc(r->notes, (r->nnotes + 1) * sizeof *n);
	if (!n)
		return;
	r->notes = n;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&n[r->nnotes], fmt, ap) >= 0)
		r->nnotes++;
	va_end(ap);
}

const char *kr_capread_link(const char *path, char *buf, size_t sz)
{
	const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t l = strlen(b);
	if (l > 5 && !strcmp(b + l - 5, ".pcap"))
		l -= 5;
	snprintf(buf, sz, "%.*s", (int)l, b);
	return buf;
}

/* ---- the merge --------------------------------------------------------- */

struct src {
	struct kr_capstream *s;
	unsigned file;
	const char *path;
	struct kr_pcap_rd *rd;
	struct kr_reasm *ra;
	struct kr_cmsg *q;     /* waiting messages: q[head..n) */
	size_t head, n, cap;
	bool eof;
};

struct kr_capstream {
	struct src *src;
	size_t nsrc;
	struct kr_capread pr;  /* framing errors and notes */
	size_t capfe;
	uint64_t seq;
	size_t queued;
	bool nomem;
};

void kr_cmsg_free(struct kr_cmsg *m)
{
	free(m->msg);
	free(m->pieces);
	m->msg = NULL;
	m->pieces = NULL;
}

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct src *r = arg;
	if (r->s->nomem)
		return;
	if (r->head && r->head == r->n)
		r->head = r->n = 0;
	if (r->n == r->cap) {
		if (r->head > r->cap / 2) {
			memmove(r->q, r->q + r->head, (r->n - r->head) * sizeof *r->q);
			r->n -= r->head;
			r->head = 0;
		} else {
			size_t nc = r->cap ? 2 * r->cap : 64;
			struct kr_cmsg *nq = realloc(r->q, nc * sizeof *nq);
			if (!nq) {
				r->s->nomem = true;
				return;
			}
			r->q = nq;
			r->cap = nc;
		}
	}
	struct kr_cmsg *l = &r->q[r->n];
	*l = (struct kr_cmsg){ m->ts_ns, 0, r->file, m->conn, m->dir, m->proto, m->pkt_no, m->src, m->dst,
			       malloc(m->len ? m->len : 1), m->len, NULL, 0 };
	if (m->npieces)
		l->pieces = malloc(m->npieces * sizeof *l->pieces);
	if (!l->msg || (m->npieces && !l->pieces)) {
		kr_cmsg_free(l);
		r->s->nomem = true;
		return;
	}
	memcpy(l->msg, m->msg, m->len);
	if (m->npieces) {
		memcpy(l->pieces, m->pieces, m->npieces * sizeof *l->pieces);
		l->npieces = m->npieces;
	}
	r->n++;
	r->s->queued += m->len;
}

static void on_err(const struct kr_serr *e, void *arg)
{
	struct src *r = arg;
	struct kr_capread *o = &r->s->pr;
	if (e->kind == KR_SE_FRAMING && e->has_conn) {
		if (o->nfe == r->s->capfe) {
			size_t nc = r->s->capfe ? 2 * r->s->capfe : 8;
			struct kr_cferr *nf = realloc(o->fe, nc * sizeof *nf);
			if (!nf)
				return;
			o->fe = nf;
			r->s->capfe = nc;
		}
		o->fe[o->nfe++] = (struct kr_cferr){ r->file, *e };
		return;
	}
	if (e->kind == KR_SE_PARTIAL)
		return; /* the capture stopped in the middle of a message: nothing to judge */
	char link[64];
	kr_capread_note(o, "%s: packet %llu: %s", kr_capread_link(r->path, link, sizeof link),
			(unsigned long long)e->pkt_no, e->msg);
}

void kr_capstream_close(struct kr_capstream *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nsrc; i++) {
		struct src *r = &s->src[i];
		for (size_t k = r->head; k < r->n; k++)
			kr_cmsg_free(&r->q[k]);
		free(r->q);
		kr_reasm_free(r->ra);
		kr_pcap_rd_close(r->rd);
	}
	free(s->src);
	kr_capread_free(&s->pr);
	free(s);
}

struct kr_capstream *kr_capstream_open(const char *const *paths, size_t npaths, const struct kr_reasm_cfg *cfg,
				       struct kr_err *err)
{
	struct kr_capstream *s = calloc(1, sizeof *s);
	if (!s || !(s->src = calloc(npaths ? npaths : 1, sizeof *s->src))) {
		free(s);
		kr_err_set(err, ENOMEM, 0, "out of memory reading the captures");
		return NULL;
	}
	for (size_t i = 0; i < npaths; i++) {
		struct src *r = &s->src[i];
		*r = (struct src){ .s = s, .file = (unsigned)i, .path = paths[i] };
		s->nsrc = i + 1;
		if (!(r->rd = kr_pcap_rd_open(paths[i], err)))
			goto fail;
		if (!(r->ra = kr_reasm_new(cfg, on_msg, on_err, r))) {
			kr_err_set(err, ENOMEM, 0, "out of memory reading the captures");
			goto fail;
		}
	}
	return s;
fail:
	kr_capstream_close(s);
	return NULL;
}

/* Read r until a message waits or the capture ends. */
static int fill(struct src *r, struct kr_err *err)
{
	while (r->head == r->n && !r->eof) {
		struct kr_pkt k;
		int rc = kr_pcap_rd_next(r->rd, &k, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			kr_reasm_finish(r->ra);
			r->eof = true;
		} else {
			kr_reasm_frame(r->ra, k.linktype, k.ts_ns, k.no, k.data, k.caplen, k.wirelen);
		}
		if (r->s->nomem) {
			kr_err_set(err, ENOMEM, 0, "out of memory reading the captures");
			return -1;
		}
	}
	return 0;
}

int kr_capstream_next(struct kr_capstream *s, struct kr_cmsg *m, struct kr_err *err)
{
	struct src *best = NULL;
	for (size_t i = 0; i < s->nsrc; i++) {
		struct src *r = &s->src[i];
		if (fill(r, err) < 0)
			return -1;
		if (r->head < r->n && (!best || r->q[r->head].ts < best->q[best->head].ts))
			best = r;
	}
	if (!best)
		return 0;
	*m = best->q[best->head++];
	m->seq = s->seq++;
	s->queued -= m->len;
	return 1;
}

struct kr_capread *kr_capstream_problems(struct kr_capstream *s) { return &s->pr; }
size_t kr_capstream_queued(const struct kr_capstream *s) { return s->queued; }

/* ---- everything held ------------------------------------------------------- */

static int cmp_msg(const void *a, const void *b)
{
	const struct kr_cmsg *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int kr_capread(const char *const *paths, size_t npaths, const struct kr_reasm_cfg *cfg,
	       struct kr_capread *out, struct kr_err *err)
{
	memset(out, 0, sizeof *out);
	struct kr_capstream *s = kr_capstream_open(paths, npaths, cfg, err);
	if (!s)
		return -1;
	size_t cap = 0;
	struct kr_cmsg m;
	int rc;
	while ((rc = kr_capstream_next(s, &m, err)) == 1) {
		if (out->n == cap) {
			size_t nc = cap ? 2 * cap : 256;
			struct kr_cmsg *nm = realloc(out->m, nc * sizeof *nm);
			if (!nm) {
				kr_cmsg_free(&m);
				kr_err_set(err, ENOMEM, 0, "out of memory reading the captures");
				rc = -1;
				break;
			}
			out->m = nm;
			cap = nc;
		}
		out->m[out->n++] = m;
	}
	/* the problems are handed over */
	out->fe = s->pr.fe;
	out->nfe = s->pr.nfe;
	out->notes = s->pr.notes;
	out->nnotes = s->pr.nnotes;
	memset(&s->pr, 0, sizeof s->pr);
	kr_capstream_close(s);
	if (rc < 0) {
		kr_capread_free(out);
		return -1;
	}
	/* a capture whose own times go backwards still comes out in time order */
	if (out->n)
		qsort(out->m, out->n, sizeof *out->m, cmp_msg);
	return 0;
}

void kr_capread_free(struct kr_capread *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->m[i].msg);
		free(r->m[i].pieces);
	}
	free(r->m);
	free(r->fe);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	memset(r, 0, sizeof *r);
}
