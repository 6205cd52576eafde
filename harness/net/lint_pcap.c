/* Wire lint of captures (lint_pcap.h): read, order by time, follow the
 * sessions, feed the pure checks of wire/lint.h. */
#include "net/lint_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/capread.h"
#include "wire/lint_rib.h"
#include "wire/rtr_follow.h"
#include "wire/rtr_pdu.h"

/* ---- state --------------------------------------------------------------- */

struct speaker {
	uint32_t as, id;
};

struct lconn {
	unsigned file, conn;
	enum kr_sproto proto;
	struct kr_bytes open[2];     /* OPEN sent in direction d */
	struct kr_lint_sess sess[2]; /* for the sender of direction d */
	int spk[2];                  /* speaker index of the sender of direction d, -1 */
	int router_dir;              /* RTR: direction the router sends in, -1 unknown */
	int pair;                    /* RTR: index into pairs */
	unsigned gid;                /* global connection number (RIB source) */
};

struct rpair {                       /* one router with one cache */
	struct kr_endpoint router, cache;
	struct kr_lint_rtr lint;
	struct kr_rtr_follow *fol;
};

struct lint {
	const struct kr_lint_opts *o;
	struct kr_lint_out *out;
	const char *const *paths;
	struct lconn *c;
	size_t nc;
	struct speaker *sp;
	size_t nsp;
	struct rpair *pr;
	size_t npr;
	struct kr_lint_rib *rib;
	struct kr_update *u;
	struct kr_crypto_ctx *cc;
	/* keys at the current time, rebuilt when a span starts or ends */
	struct kr_keytab *kt;
	int64_t kt_next, kt_built;
	struct kr_rkey_span *spans; /* of every RTR session */
	size_t nspans;
	bool rtr_keys;
	/* the message being linted */
	const struct kr_cmsg *cur;
	int cur_spk;
};

static struct lconn *conn_of(struct lint *L, const struct kr_cmsg *m)
{
	for (size_t i = L->nc; i-- > 0;)
		if (L->c[i].file == m->file && L->c[i].conn == m->conn)
			return &L->c[i];
	struct lconn *n = realloc(L->c, (L->nc + 1) * sizeof *n);
	if (!n)
		return NULL;
	L->c = n;
	struct lconn *c = &L->c[L->nc];
	memset(c, 0, sizeof *c);
	c->file = m->file;
	c->conn = m->conn;
	c->proto = m->proto;
	c->spk[0] = c->spk[1] = -1;
	c->router_dir = -1;
	c->pair = -1;
	c->gid = (unsigned)L->nc++;
	return c;
}

static int speaker_of(struct lint *L, uint32_t as, uint32_t id)
{
	for (size_t i = 0; i < L->nsp; i++)
		if (L->sp[i].as == as && L->sp[i].id == id)
			return (int)i;
	struct speaker *n = realloc(L->sp, (L->nsp + 1) * sizeof *n);
	if (!n)
		return -1;
	L->sp = n;
	L->sp[L->nsp] = (struct speaker){ as, id };
	return (int)L->nsp++;
}

/* ---- findings ------------------------------------------------------------ */

static void what_of(const struct kr_cmsg *m, char *buf, size_t sz)
{
	static const char *const bgp[] = { "?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH" };
	if (m->proto == KR_SP_BGP)
		snprintf(buf, sz, "BGP %s", m->len > 18 && m->msg[18] <= 5 ? bgp[m->msg[18]] : "?");
	else
		snprintf(buf, sz, "RTR %s", m->len > 1 ? kr_rtr_type_name(m->msg[1]) : "?");
}

static void add_finding(struct lint *L, const struct kr_cmsg *m, enum kr_lint_rule_id rule, size_t off,
			const char *text, uint64_t at_pkt, size_t at_foff, const char *what)
{
	struct kr_lint_out *o = L->out;
	if (kr_lint_rule(rule)->sev == KR_LINT_SHOULD)
		o->advice++;
	else
		o->total++;
	if (rule < KR_L_COUNT)
		o->per_rule[rule]++;
	size_t max = L->o->max_findings ? L->o->max_findings : 200;
	if (o->n >= max)
		return;
	struct kr_lint_finding *nf = realloc(o->f, (o->n + 1) * sizeof *nf);
	if (!nf)
		return;
	o->f = nf;
	struct kr_lint_finding *f = &o->f[o->n++];
	memset(f, 0, sizeof *f);
	f->rule = rule;
	kr_capread_link(L->paths[m->file], f->link, sizeof f->link);
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

static void on_viol(const struct kr_lint_viol *v, void *arg)
{
	struct lint *L = arg;
	add_finding(L, L->cur, v->rule, v->offset, v->text, 0, 0, NULL);
}

bool kr_lint_finding_must(const struct kr_lint_finding *f)
{
	return kr_lint_rule(f->rule)->sev == KR_LINT_MUST;
}

void kr_lint_finding_str(const struct kr_lint_finding *f, char *out, size_t sz)
{
	const struct kr_lint_rule *r = kr_lint_rule(f->rule);
	if (f->frame_off)
		snprintf(out, sz, "%s [%s]: %s; link %s, frame %llu, offset %zu (%s %s, message offset %zu)",
			 r->spec, r->id, f->text, f->link, (unsigned long long)f->frame, f->frame_off, f->what,
			 f->flow, f->msg_off);
	else
		snprintf(out, sz, "%s [%s]: %s; link %s, frame %llu (%s %s, message offset %zu)", r->spec, r->id,
			 f->text, f->link, (unsigned long long)f->frame, f->what, f->flow, f->msg_off);
}

/* ---- keys at a time -------------------------------------------------------- */

/* Rebuild the key table when a span started or ended (+ grace) since the
 * last build. The spans are complete (the RTR streams were read first). */
static void keys_at(struct lint *L, int64_t t)
{
	if (L->kt && t < L->kt_next && t >= L->kt_built)
		return;
	if (!L->kt && !(L->kt = kr_keytab_new()))
		return;
	L->kt_built = t;
	L->kt_next = kr_rkey_spans_at(L->spans, L->nspans, t, L->o->grace_ns, L->kt);
}

/* ---- BGP ------------------------------------------------------------------- */

static void open_seen(struct lint *L, struct lconn *c, const struct kr_cmsg *m)
{
	struct kr_bytes *b = &c->open[m->dir];
	b->len = 0;
	if (kr_bytes_append(b, m->msg, m->len) < 0)
		return;
	struct kr_open *o[2] = { malloc(sizeof(struct kr_open)), malloc(sizeof(struct kr_open)) };
	struct kr_err e = { 0 };
	if (o[0] && o[1] && kr_open_decode(o[m->dir], b->p, b->len, &e) == 0) {
		c->spk[m->dir] = speaker_of(L, kr_open_peer_as(o[m->dir]), o[m->dir]->bgp_id);
		struct kr_bytes *ob = &c->open[!m->dir];
		if (ob->len && kr_open_decode(o[!m->dir], ob->p, ob->len, &e) == 0) {
			/* a new session between the same two speakers: what
			 * either had sent on an older one is gone */
			for (size_t i = 0; i < L->nc; i++) {
				struct lconn *x = &L->c[i];
				if (x != c && x->proto == KR_SP_BGP &&
				    ((x->spk[0] == c->spk[0] && x->spk[1] == c->spk[1]) ||
				     (x->spk[0] == c->spk[1] && x->spk[1] == c->spk[0])))
					kr_lint_rib_drop_src(L->rib, x->gid);
			}
			for (int d = 0; d < 2; d++) {
				kr_lint_sess_init(&c->sess[d], o[d], o[!d]);
				const struct kr_endpoint *rcv = d == (int)m->dir ? &m->dst : &m->src;
				c->sess[d].recv_family = rcv->family;
				memcpy(c->sess[d].recv_addr, rcv->addr, 16);
			}
		}
	}
	free(o[0]);
	free(o[1]);
}

static const struct kr_lint_held *held(void *arg, const struct kr_prefix *p)
{
	struct lint *L = arg;
	return L->cur_spk >= 0 ? kr_lint_rib_held(L->rib, (unsigned)L->cur_spk, p) : NULL;
}

static bool linted(const struct lint *L, const struct lconn *c, unsigned dir)
{
	if (!L->o->sender_as)
		return true;
	int s = c->spk[dir];
	return s >= 0 && L->sp[s].as == L->o->sender_as;
}

static void bgp_msg(struct lint *L, struct lconn *c, const struct kr_cmsg *m)
{
	uint8_t type = m->len > 18 ? m->msg[18] : 0;
	if (type == KR_BGP_OPEN)
		open_seen(L, c, m);
	if (linted(L, c, m->dir)) {
		if (L->rtr_keys)
			keys_at(L, m->ts);
		struct kr_lint_ctx x = {
			.sess = &c->sess[m->dir], .keys = L->rtr_keys ? L->kt : L->o->keys, .cc = L->cc,
			.held = held, .held_arg = L, .cb = on_viol, .cb_arg = L, .scratch = L->u,
			.stats = &L->out->stats, .sig_sample_mod = L->o->sig_sample_mod,
		};
		L->cur = m;
		L->cur_spk = c->spk[m->dir];
		kr_lint_bgp(&x, m->msg, m->len);
	}
	/* what the receiver now holds */
	int rcv = c->spk[!m->dir];
	struct kr_err e = { 0 };
	if (type == KR_BGP_UPDATE && rcv >= 0 && kr_update_decode(L->u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) == 0)
		kr_lint_rib_update(L->rib, (unsigned)rcv, c->gid, L->u);
	if (type == KR_BGP_NOTIFICATION)
		kr_lint_rib_drop_src(L->rib, c->gid);
}

/* ---- RTR ------------------------------------------------------------------- */

static bool ep_eq(const struct kr_endpoint *a, const struct kr_endpoint *b, bool port)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16) && (!port || a->port == b->port);
}

static int pair_of(struct lint *L, const struct kr_endpoint *router, const struct kr_endpoint *cache)
{
	for (size_t i = 0; i < L->npr; i++)
		if (ep_eq(&L->pr[i].router, router, false) && ep_eq(&L->pr[i].cache, cache, true))
			return (int)i;
	struct rpair *n = realloc(L->pr, (L->npr + 1) * sizeof *n);
	if (!n)
		return -1;
	L->pr = n;
	struct rpair *p = &L->pr[L->npr];
	p->router = *router;
	p->cache = *cache;
	kr_lint_rtr_init(&p->lint);
	p->fol = kr_rtr_follow_new(false, true);
	if (!p->fol)
		return -1;
	return (int)L->npr++;
}

static void rtr_msg(struct lint *L, struct lconn *c, const struct kr_cmsg *m)
{
	if (m->len < 2)
		return;
	uint8_t t = m->msg[1];
	if (c->router_dir < 0) {
		/* who is the router: the side that queries */
		if (t == KR_RTR_SERIAL_QUERY || t == KR_RTR_RESET_QUERY)
			c->router_dir = (int)m->dir;
		else if (t != KR_RTR_ERROR_REPORT)
			c->router_dir = !m->dir;
		else
			return;
		const struct kr_endpoint *router = c->router_dir == (int)m->dir ? &m->src : &m->dst;
		const struct kr_endpoint *cache = c->router_dir == (int)m->dir ? &m->dst : &m->src;
		c->pair = pair_of(L, router, cache);
		if (c->pair >= 0)
			L->pr[c->pair].lint.version = -1; /* a new connection negotiates again */
	}
	if (c->pair < 0)
		return;
	struct rpair *p = &L->pr[c->pair];
	bool from_router = (int)m->dir == c->router_dir;
	kr_rtr_follow_pdu(p->fol, m->msg, m->len, from_router, m->ts, m->pkt_no);
	if (!from_router) {
		kr_lint_rtr_cache(&p->lint, m->msg, m->len);
		return;
	}
	L->out->rtr_pdus++;
	L->cur = m;
	kr_lint_rtr_router(&p->lint, m->msg, m->len, on_viol, L);
}

/* ---- driver ---------------------------------------------------------------- */

static void framing_errors(struct lint *L, struct kr_capread *cr)
{
	for (size_t i = 0; i < cr->nfe; i++) {
		const struct kr_cferr *fe = &cr->fe[i];
		struct kr_cmsg m = { .file = fe->file, .conn = fe->e.conn, .dir = fe->e.dir, .pkt_no = fe->e.pkt_no,
				  .src = fe->e.src, .dst = fe->e.dst, .proto = KR_SP_NONE };
		struct lconn *c = NULL;
		for (size_t k = 0; k < L->nc; k++)
			if (L->c[k].file == fe->file && L->c[k].conn == fe->e.conn)
				c = &L->c[k];
		m.proto = c ? c->proto : KR_SP_BGP;
		bool mine = c && (c->proto == KR_SP_RTR ? c->router_dir == (int)fe->e.dir : linted(L, c, fe->e.dir));
		if (!mine && L->o->sender_as) {
			char link[64];
			kr_capread_note(cr, "%s: packet %llu: %s (not a linted sender)",
					kr_capread_link(L->paths[fe->file], link, sizeof link),
					(unsigned long long)fe->e.pkt_no, fe->e.msg);
			continue;
		}
		add_finding(L, &m, m.proto == KR_SP_RTR ? KR_L_RTR_PDU : KR_L_HEADER, 0, fe->e.msg, fe->e.at_pkt,
			    fe->e.at_frame_off, m.proto == KR_SP_RTR ? "RTR stream" : "BGP stream");
	}
}

int kr_lint_pcaps(const char *const *paths, size_t npaths, const struct kr_lint_opts *o,
		  struct kr_lint_out *out, struct kr_err *err)
{
	memset(out, 0, sizeof *out);
	struct kr_reasm_cfg cfg = { 0 };
	memcpy(cfg.bgp_ports, o->bgp_ports, sizeof cfg.bgp_ports);
	memcpy(cfg.rtr_ports, o->rtr_ports, sizeof cfg.rtr_ports);
	cfg.detect = o->detect;
	struct kr_capread cr;
	if (kr_capread(paths, npaths, &cfg, &cr, err) < 0)
		return -1;
	struct lint L = { .o = o, .out = out, .paths = paths, .cur_spk = -1 };
	int rc = 0;
	L.rib = kr_lint_rib_new();
	L.u = malloc(sizeof *L.u);
	L.cc = kr_crypto_ctx_new();
	if (!L.rib || !L.u || !L.cc) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		rc = -1;
	}
	if (rc == 0) {
		/* keys come from RTR when a stream in the captures completed a
		 * response: the RTR streams are read first, in time order */
		for (size_t i = 0; i < cr.n; i++) {
			struct lconn *c = conn_of(&L, &cr.m[i]);
			if (c && c->proto == KR_SP_RTR)
				rtr_msg(&L, c, &cr.m[i]);
		}
		for (size_t i = 0; i < L.npr; i++)
			L.rtr_keys |= kr_rtr_follow_eods(L.pr[i].fol) > 0;
		for (size_t i = 0; i < L.npr; i++) {
			const struct kr_rkey_span *s;
			size_t n = kr_rtr_follow_spans(L.pr[i].fol, &s);
			struct kr_rkey_span *ns = realloc(L.spans, (L.nspans + n + 1) * sizeof *ns);
			if (!ns)
				continue;
			L.spans = ns;
			memcpy(L.spans + L.nspans, s, n * sizeof *s);
			L.nspans += n;
		}
		out->key_spans = L.nspans;
		out->keys_from_rtr = L.rtr_keys;
		for (size_t i = 0; i < cr.n; i++) {
			struct lconn *c = conn_of(&L, &cr.m[i]);
			if (c && c->proto == KR_SP_BGP)
				bgp_msg(&L, c, &cr.m[i]);
		}
		framing_errors(&L, &cr);
		out->notes = cr.notes; /* handed over */
		out->nnotes = cr.nnotes;
		cr.notes = NULL;
		cr.nnotes = 0;
	}
	kr_capread_free(&cr);
	for (size_t i = 0; i < L.nc; i++) {
		kr_bytes_free(&L.c[i].open[0]);
		kr_bytes_free(&L.c[i].open[1]);
	}
	free(L.c);
	free(L.sp);
	for (size_t i = 0; i < L.npr; i++)
		kr_rtr_follow_free(L.pr[i].fol);
	free(L.pr);
	kr_lint_rib_free(L.rib);
	free(L.u);
	kr_crypto_ctx_free(L.cc);
	kr_keytab_free(L.kt);
	free(L.spans);
	if (rc < 0)
		kr_lint_out_free(out);
	return rc;
}

void kr_lint_out_free(struct kr_lint_out *out)
{
	free(out->f);
	for (size_t i = 0; i < out->nnotes; i++)
		free(out->notes[i]);
	free(out->notes);
	memset(out, 0, sizeof *out);
}
