/* Reading captures into one time-ordered message list (capread.h). */
#include "net/capread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_read.h"

struct rd {
	struct kr_capread *out;
	size_t cap, capfe;
	unsigned file;
	uint64_t seq;
	const char *path;
	bool nomem;
};

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

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct rd *r = arg;
	struct kr_capread *o = r->out;
	if (r->nomem)
		return;
	if (o->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 256;
		struct kr_cmsg *nm = realloc(o->m, nc * sizeof *nm);
		if (!nm) {
			r->nomem = true;
			return;
		}
		o->m = nm;
		r->cap = nc;
	}
	struct kr_cmsg *l = &o->m[o->n];
	*l = (struct kr_cmsg){ m->ts_ns, r->seq++, r->file, m->conn, m->dir, m->proto, m->pkt_no, m->src, m->dst,
			       malloc(m->len ? m->len : 1), m->len, NULL, 0 };
	if (m->npieces)
		l->pieces = malloc(m->npieces * sizeof *l->pieces);
	if (!l->msg || (m->npieces && !l->pieces)) {
		free(l->msg);
		free(l->pieces);
		r->nomem = true;
		return;
	}
	memcpy(l->msg, m->msg, m->len);
	if (m->npieces) {
		memcpy(l->pieces, m->pieces, m->npieces * sizeof *l->pieces);
		l->npieces = m->npieces;
	}
	o->n++;
}

static void on_err(const struct kr_serr *e, void *arg)
{
	struct rd *r = arg;
	struct kr_capread *o = r->out;
	if (e->kind == KR_SE_FRAMING && e->has_conn) {
		if (o->nfe == r->capfe) {
			size_t nc = r->capfe ? 2 * r->capfe : 8;
			struct kr_cferr *nf = realloc(o->fe, nc * sizeof *nf);
			if (!nf)
				return;
			o->fe = nf;
			r->capfe = nc;
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
	struct rd r = { .out = out };
	int rc = 0;
	for (size_t i = 0; i < npaths && rc == 0; i++) {
		r.file = (unsigned)i;
		r.path = paths[i];
		rc = kr_pcap_messages(paths[i], cfg, on_msg, on_err, &r, err);
	}
	if (rc == 0 && r.nomem) {
		kr_err_set(err, ENOMEM, 0, "out of memory reading the captures");
		rc = -1;
	}
	if (rc < 0) {
		kr_capread_free(out);
		return -1;
	}
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
