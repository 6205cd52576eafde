/* Wire lint of captures (lint_pcap.h): read in time order, follow the
 * sessions, keys and held routes, hand the messages to the pure checks of
 * wire/lint.h on the workers (lint_pcap_int.h). */
#include "net/lint_pcap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/capread.h"
#include "net/lint_pcap_int.h"
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
	size_t npaths;
	struct lconn *c;
	size_t nc;
	struct speaker *sp;
	size_t nsp;
	struct rpair *pr;
	size_t npr;
	struct kr_lint_rib *rib;   /* second pass: what the linted speakers received */
	struct kr_update *u;
	/* keys at the current time: a new table when a span starts or ends
	 * (jobs in flight keep theirs; all are freed at the end) */
	struct kr_keytab **kts;
	size_t nkts;
	int64_t kt_next, kt_built;
	struct kr_rkey_span *spans; /* of every RTR session */
	size_t nspans;
	bool rtr_keys;
	struct lp_sink sink;       /* RTR and stream findings (this thread's) */
	struct lp_pool *pool;
	uint64_t nmsgs;
	/* the RTR PDU being linted */
	const struct kr_cmsg *cur;
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

static void on_viol(const struct kr_lint_viol *v, void *arg)
{
	struct lint *L = arg;
	kr_lp_sink_add(&L->sink, L->paths, L->cur, v->rule, v->offset, v->text, 0, 0, NULL);
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

/* The key table at t: a new one when a span started or ended (+ grace)
 * since the last. The spans are complete (the first pass read RTR). */
static const struct kr_keytab *keys_at(struct lint *L, int64_t t)
{
	if (L->nkts && t < L->kt_next && t >= L->kt_built)
		return L->kts[L->nkts - 1];
	struct kr_keytab **n = realloc(L->kts, (L->nkts + 1) * sizeof *n);
	if (!n)
		return L->nkts ? L->kts[L->nkts - 1] : NULL;
	L->kts = n;
	if (!(n[L->nkts] = kr_keytab_new()))
		return L->nkts ? L->kts[L->nkts - 1] : NULL;
	L->kt_built = t;
	L->kt_next = kr_rkey_spans_at(L->spans, L->nspans, t, L->o->grace_ns, n[L->nkts]);
	return n[L->nkts++];
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
				     (x->spk[0] == c->spk[1] && x->spk[1] == c->spk[0])) && L->rib)
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

static bool linted(const struct lint *L, const struct lconn *c, unsigned dir)
{
	if (!L->o->sender_as)
		return true;
	int s = c->spk[dir];
	return s >= 0 && L->sp[s].as == L->o->sender_as;
}

/* First pass: the signatures a linted sender made, to size the sample. */
static void bgp_count(struct lint *L, struct lconn *c, const struct kr_cmsg *m)
{
	uint8_t type = m->len > 18 ? m->msg[18] : 0;
	if (type == KR_BGP_OPEN)
		open_seen(L, c, m);
	size_t ns;
	if (type == KR_BGP_UPDATE && linted(L, c, m->dir) && kr_lint_peek_bgpsec(m->msg, m->len, 0, &ns) == 1)
		L->out->sigs_made += ns;
}

/* The routes the sender holds for the prefixes of a plain UPDATE it
 * sends, copied into the job (RFC 8205 §4.4 is checked on a worker). */
static void snapshot_held(struct lint *L, struct lp_job *j, int spk)
{
	const struct kr_update *u = L->u;
	size_t n = u->nnlri + (u->i_mp_reach >= 0 && u->mp_reach.safi == KR_SAFI_UNICAST ? u->mp_reach.nprefixes : 0);
	if (!n || !(j->held = calloc(n, sizeof *j->held)))
		return;
	struct kr_nlri_iter it;
	struct kr_prefix p;
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
		else if (n > u->nnlri)
			kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
		else
			break;
		while (j->nheld < n && kr_nlri_next(&it, &p)) {
			struct lp_held *h = &j->held[j->nheld++];
			kr_prefix_key(&h->key, &p);
			const struct kr_lint_held *x = kr_lint_rib_held(L->rib, (unsigned)spk, &p);
			if (!x)
				continue;
			h->found = true;
			h->any_plain = x->any_plain;
			h->n = x->n < LP_MAXH ? x->n : LP_MAXH;
			memcpy(h->path, x->path, h->n * sizeof *h->path);
			memcpy(h->len, x->len, h->n * sizeof *h->len);
		}
	}
}

/* Second pass: a message of a linted sender becomes a job (takes m's
 * octets); what its receiver now holds goes into the RIB. */
static void bgp_msg(struct lint *L, struct lconn *c, struct kr_cmsg *m)
{
	uint8_t type = m->len > 18 ? m->msg[18] : 0;
	if (type == KR_BGP_OPEN)
		open_seen(L, c, m);
	/* what the receiver now holds: kept only for speakers that are
	 * linted (RFC 8205 §4.4 asks what the sender received) */
	int rcv = c->spk[!m->dir];
	struct kr_err e = { 0 };
	if (type == KR_BGP_UPDATE && rcv >= 0 && (!L->o->sender_as || L->sp[rcv].as == L->o->sender_as) &&
	    kr_update_decode(L->u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) == 0)
		kr_lint_rib_update(L->rib, (unsigned)rcv, c->gid, L->u);
	if (type == KR_BGP_NOTIFICATION)
		kr_lint_rib_drop_src(L->rib, c->gid);
	if (!linted(L, c, m->dir)) {
		kr_cmsg_free(m);
		return;
	}
	struct lp_job *j = calloc(1, sizeof *j);
	if (!j) {
		kr_cmsg_free(m);
		return;
	}
	j->sess = c->sess[m->dir];
	j->keys = L->rtr_keys ? keys_at(L, m->ts) : L->o->keys;
	size_t ns;
	int spk = c->spk[m->dir];
	if (type == KR_BGP_UPDATE && spk >= 0 && j->sess.known &&
	    kr_lint_peek_bgpsec(m->msg, m->len, 0, &ns) != 1 &&
	    kr_update_decode(L->u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) == 0 && L->u->i_bgpsec < 0 &&
	    L->u->i_as_path >= 0)
		snapshot_held(L, j, spk);
	j->m = *m;
	m->msg = NULL;
	m->pieces = NULL;
	kr_lp_pool_submit(L->pool, j);
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
		/* after every message: the stream stopped there */
		struct kr_cmsg m = { .file = fe->file, .conn = fe->e.conn, .dir = fe->e.dir, .pkt_no = fe->e.pkt_no,
				  .src = fe->e.src, .dst = fe->e.dst, .proto = KR_SP_NONE, .seq = L->nmsgs + i };
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
		kr_lp_sink_add(&L->sink, L->paths, &m, m.proto == KR_SP_RTR ? KR_L_RTR_PDU : KR_L_HEADER, 0, fe->e.msg,
			    fe->e.at_pkt, fe->e.at_frame_off, m.proto == KR_SP_RTR ? "RTR stream" : "BGP stream");
	}
}

static void note_peak(struct lint *L, struct kr_capstream *s)
{
	size_t b = kr_lint_rib_bytes(L->rib) + kr_capstream_queued(s) + kr_lp_pool_pending(L->pool);
	if (b > L->out->peak_bytes)
		L->out->peak_bytes = b;
	size_t r = kr_lint_rib_routes(L->rib);
	if (r > L->out->routes_held)
		L->out->routes_held = r;
}

/* One pass over the captures in time order. First: RTR (router PDUs
 * linted, keys followed) and the signatures the linted senders made.
 * Second: every BGP message; the linted senders' go to the workers. */
static int pass(struct lint *L, const struct kr_reasm_cfg *cfg, bool second, struct kr_err *err)
{
	struct kr_capstream *s = kr_capstream_open(L->paths, L->npaths, cfg, err);
	if (!s)
		return -1;
	struct kr_cmsg m;
	int rc;
	while ((rc = kr_capstream_next(s, &m, err)) == 1) {
		struct lconn *c = conn_of(L, &m);
		if (!second && c && c->proto == KR_SP_RTR)
			rtr_msg(L, c, &m);
		else if (c && c->proto == KR_SP_BGP)
			second ? bgp_msg(L, c, &m) : bgp_count(L, c, &m);
		kr_cmsg_free(&m);
		if (second && !(++L->nmsgs & 4095))
			note_peak(L, s);
	}
	if (second && rc == 0) {
		note_peak(L, s);
		L->out->msgs_read = L->nmsgs;
		struct kr_capread *pr = kr_capstream_problems(s);
		framing_errors(L, pr);
		L->out->notes = pr->notes; /* handed over */
		L->out->nnotes = pr->nnotes;
		pr->notes = NULL;
		pr->nnotes = 0;
	}
	kr_capstream_close(s);
	return rc;
}

/* After the first pass: every key span known; the BGP sessions are
 * followed again from their start. */
static void first_pass_done(struct lint *L)
{
	for (size_t i = 0; i < L->npr; i++)
		L->rtr_keys |= kr_rtr_follow_eods(L->pr[i].fol) > 0;
	for (size_t i = 0; i < L->npr; i++) {
		const struct kr_rkey_span *sp;
		size_t n = kr_rtr_follow_spans(L->pr[i].fol, &sp);
		struct kr_rkey_span *ns = realloc(L->spans, (L->nspans + n + 1) * sizeof *ns);
		if (!ns)
			continue;
		L->spans = ns;
		memcpy(L->spans + L->nspans, sp, n * sizeof *sp);
		L->nspans += n;
	}
	L->out->key_spans = L->nspans;
	L->out->keys_from_rtr = L->rtr_keys;
	for (size_t i = 0; i < L->nc; i++) {
		struct lconn *c = &L->c[i];
		if (c->proto != KR_SP_BGP)
			continue;
		c->open[0].len = c->open[1].len = 0;
		memset(c->sess, 0, sizeof c->sess);
		c->spk[0] = c->spk[1] = -1;
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
	size_t max = o->max_findings ? o->max_findings : 200;
	struct lint L = { .o = o, .out = out, .paths = paths, .npaths = npaths, .sink = { .max = max } };
	int rc = 0;
	L.rib = kr_lint_rib_new();
	L.u = malloc(sizeof *L.u);
	if (!L.rib || !L.u) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		rc = -1;
	}
	if (rc == 0 && (rc = pass(&L, &cfg, false, err)) == 0)
		first_pass_done(&L);
	if (rc == 0) {
		/* the sample: every signature up to the budget, then 1 prefix
		 * in ceil(made / budget) */
		uint64_t b = o->sig_budget, mod = 1;
		if (b && out->sigs_made > b)
			mod = (out->sigs_made + b - 1) / b;
		out->sig_sample_mod = mod > UINT32_MAX ? UINT32_MAX : (uint32_t)mod;
		struct lp_env env = { .paths = paths, .sig_sample_mod = out->sig_sample_mod, .max_findings = max };
		if (!(L.pool = kr_lp_pool_new(o->threads, &env))) {
			kr_err_set(err, ENOMEM, 0, "out of memory");
			rc = -1;
		}
	}
	if (rc == 0)
		rc = pass(&L, &cfg, true, err);
	if (L.pool)
		out->threads = kr_lp_pool_finish(L.pool, &L.sink, out);
	kr_lp_pool_free(L.pool);
	kr_lp_sink_free(&L.sink);
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
	for (size_t i = 0; i < L.nkts; i++)
		kr_keytab_free(L.kts[i]);
	free(L.kts);
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
