/* keyroll judge (judge.h): read the captures, find the router, follow its
 * RTR session to the keys it held, walk every BGP message in time order
 * (routes: judge_routes.c), and add the wire lint. */
#include "run/judge_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/lint_pcap.h"
#include "rpki/rtr_json.h"
#include "wire/rtr_pdu.h"

/* ---- findings ------------------------------------------------------------ */

static void vadd(struct jfind **a, size_t *n, size_t *cap, int64_t t, const char *fmt, va_list ap)
{
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 16;
		struct jfind *na = realloc(*a, nc * sizeof *na);
		if (!na)
			return;
		*a = na;
		*cap = nc;
	}
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return;
	(*a)[(*n)++] = (struct jfind){ t, s };
}

void kr_jfind(struct judge *J, int v, int64_t t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vadd(&J->v[v].f, &J->v[v].n, &J->v[v].cap, t, fmt, ap);
	va_end(ap);
}

void kr_jevent(struct judge *J, int v, int64_t t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vadd(&J->v[v].ev, &J->v[v].nev, &J->v[v].capev, t, fmt, ap);
	va_end(ap);
}

const char *kr_jwhere(const struct judge *J, unsigned file, uint64_t frame, char *buf, size_t sz)
{
	char link[64];
	snprintf(buf, sz, "link %s frame %llu", kr_capread_link(J->o->paths[file], link, sizeof link),
		 (unsigned long long)frame);
	return buf;
}

const char *kr_jpeer(const struct judge *J, unsigned gid, char *buf, size_t sz)
{
	const struct jconn *c = gid < J->nc ? &J->c[gid] : NULL;
	int s = c && c->router_dir >= 0 ? c->spk[!c->router_dir] : -1;
	if (s >= 0)
		snprintf(buf, sz, "AS %u", J->sp[s].as);
	else
		snprintf(buf, sz, "session %u", gid);
	return buf;
}

/* ---- keys ------------------------------------------------------------------ */

const struct kr_keytab *kr_jkeys(struct judge *J, int64_t t, int64_t grace)
{
	if (!J->kt && !(J->kt = kr_keytab_new()))
		return NULL;
	if (J->kt_valid && grace == J->kt_grace && t >= J->kt_t && t < J->kt_next)
		return J->kt;
	J->kt_next = kr_rkey_spans_at(J->spans, J->nspans, t, grace, J->kt);
	J->kt_t = t;
	J->kt_grace = grace;
	J->kt_valid = true;
	return J->kt;
}

static void add_spans(struct judge *J, const struct kr_rkey_span *s, size_t n)
{
	struct kr_rkey_span *ns = realloc(J->spans, (J->nspans + n + 1) * sizeof *ns);
	if (!ns)
		return;
	J->spans = ns;
	memcpy(J->spans + J->nspans, s, n * sizeof *s);
	J->nspans += n;
}

/* The RTR sessions: who is the router, and the router keys it held. */
struct rpair {
	struct kr_endpoint router, cache;
	struct kr_rtr_follow *f;
};

static void follow_rtr(struct judge *J)
{
	struct rpair *pr = NULL;
	size_t npr = 0;
	for (size_t i = 0; i < J->cr.n; i++) {
		const struct kr_cmsg *m = &J->cr.m[i];
		if (m->proto != KR_SP_RTR || m->len < 2)
			continue;
		struct jconn *c = &J->c[0];
		for (size_t k = 0; k < J->nc; k++)
			if (J->c[k].file == m->file && J->c[k].conn == m->conn)
				c = &J->c[k];
		uint8_t t = m->msg[1];
		if (c->rtr_router_dir < 0) {
			if (t == KR_RTR_SERIAL_QUERY || t == KR_RTR_RESET_QUERY)
				c->rtr_router_dir = (int)m->dir;
			else if (t != KR_RTR_ERROR_REPORT)
				c->rtr_router_dir = !m->dir;
			else
				continue;
		}
		bool from_router = (int)m->dir == c->rtr_router_dir;
		const struct kr_endpoint *router = from_router ? &m->src : &m->dst, *cache = from_router ? &m->dst : &m->src;
		size_t k = 0;
		for (; k < npr; k++)
			if (pr[k].router.family == router->family && !memcmp(pr[k].router.addr, router->addr, 16) &&
			    !memcmp(pr[k].cache.addr, cache->addr, 16) && pr[k].cache.port == cache->port)
				break;
		if (k == npr) {
			struct rpair *np = realloc(pr, (npr + 1) * sizeof *np);
			if (!np)
				continue;
			pr = np;
			pr[npr] = (struct rpair){ *router, *cache, kr_rtr_follow_new(true, false) };
			if (!pr[npr].f)
				continue;
			npr++;
		}
		/* the ref names the frame and the file it is in */
		kr_rtr_follow_pdu(pr[k].f, m->msg, m->len, from_router, m->ts, (uint64_t)m->file << 40 | m->pkt_no);
	}
	for (size_t k = 0; k < npr; k++) {
		kr_rtr_follow_end(pr[k].f, J->t_end);
		if (kr_rtr_follow_eods(pr[k].f)) {
			const struct kr_rkey_span *s;
			size_t n = kr_rtr_follow_spans(pr[k].f, &s);
			add_spans(J, s, n);
			J->keys_from_rtr = true;
		}
		kr_rtr_follow_free(pr[k].f);
	}
	free(pr);
}

/* No RTR stream: the keys of the JSON held all along. */
static int keys_from_json(struct judge *J, struct kr_err *err)
{
	struct kr_rtr_set set = { 0 };
	if (kr_rtr_json_load(J->o->keys_json, &set, err) < 0)
		return -1;
	for (size_t i = 0; i < set.nkeys; i++) {
		struct kr_rkey_span s = { .asn = set.keys[i].asn, .from = INT64_MIN, .to = INT64_MAX };
		if (set.keys[i].spki_len > KR_RKEY_SPKI_MAX)
			continue;
		memcpy(s.ski, set.keys[i].ski, 20);
		memcpy(s.spki, set.keys[i].spki, set.keys[i].spki_len);
		s.spki_len = set.keys[i].spki_len;
		add_spans(J, &s, 1);
	}
	kr_rtr_set_free(&set);
	return 0;
}

/* ---- sessions ------------------------------------------------------------ */

static struct jconn *conn_of(struct judge *J, const struct kr_cmsg *m)
{
	for (size_t i = J->nc; i-- > 0;)
		if (J->c[i].file == m->file && J->c[i].conn == m->conn)
			return &J->c[i];
	struct jconn *n = realloc(J->c, (J->nc + 1) * sizeof *n);
	if (!n)
		return NULL;
	J->c = n;
	struct jconn *c = &J->c[J->nc];
	memset(c, 0, sizeof *c);
	c->file = m->file;
	c->conn = m->conn;
	c->gid = (unsigned)J->nc++;
	c->proto = m->proto;
	c->spk[0] = c->spk[1] = c->router_dir = c->rtr_router_dir = -1;
	kr_capread_link(J->o->paths[m->file], c->link, sizeof c->link);
	return c;
}

static int speaker_of(struct judge *J, uint32_t as, uint32_t id)
{
	for (size_t i = 0; i < J->nsp; i++)
		if (J->sp[i].as == as && J->sp[i].id == id)
			return (int)i;
	struct jspeaker *n = realloc(J->sp, (J->nsp + 1) * sizeof *n);
	if (!n)
		return -1;
	J->sp = n;
	J->sp[J->nsp] = (struct jspeaker){ as, id, 0 };
	return (int)J->nsp++;
}

/* The OPENs of every BGP session: its speakers, the router among them. */
static void sessions(struct judge *J)
{
	struct kr_open *o[2] = { malloc(sizeof(struct kr_open)), malloc(sizeof(struct kr_open)) };
	for (size_t i = 0; i < J->cr.n && o[0] && o[1]; i++) {
		const struct kr_cmsg *m = &J->cr.m[i];
		struct jconn *c = conn_of(J, m);
		if (!c || m->proto != KR_SP_BGP || m->len < 19 || m->msg[18] != KR_BGP_OPEN || c->open[m->dir].len)
			continue;
		struct kr_err e = { 0 };
		if (kr_bytes_append(&c->open[m->dir], m->msg, m->len) < 0 ||
		    kr_open_decode(o[m->dir], m->msg, m->len, &e) < 0)
			continue;
		c->spk[m->dir] = speaker_of(J, kr_open_peer_as(o[m->dir]), o[m->dir]->bgp_id);
		const struct kr_bytes *ob = &c->open[!m->dir];
		if (!ob->len || kr_open_decode(o[!m->dir], ob->p, ob->len, &e) < 0)
			continue;
		c->known = true;
		for (int d = 0; d < 2; d++) {
			kr_lint_sess_init(&c->sess[d], o[d], o[!d]);
			if (c->spk[d] >= 0)
				J->sp[c->spk[d]].sessions++;
		}
	}
	free(o[0]);
	free(o[1]);
	if (!J->router_as) {
		unsigned best = 0;
		for (size_t i = 0; i < J->nsp; i++)
			if (J->sp[i].sessions > best) {
				best = J->sp[i].sessions;
				J->router_as = J->sp[i].as;
			}
	}
	for (size_t i = 0; i < J->nc; i++) {
		struct jconn *c = &J->c[i];
		for (int d = 0; d < 2 && c->known; d++)
			if (c->spk[d] >= 0 && J->sp[c->spk[d]].as == J->router_as && c->router_dir < 0)
				c->router_dir = d;
	}
}

static void bgp_events(struct judge *J, struct jconn *c, const struct kr_cmsg *m)
{
	char w[96], p[32];
	if (m->msg[18] == KR_BGP_OPEN && c->known && (int)m->dir == c->router_dir) {
		/* the router opens a session again with a speaker it had one with */
		for (size_t i = 0; i < c->gid; i++) {
			struct jconn *x = &J->c[i];
			if (x->proto != KR_SP_BGP || x->router_dir < 0 || x->spk[!x->router_dir] != c->spk[!c->router_dir])
				continue;
			kr_jfind(J, V_SESSIONS, m->ts, "session with %s established again (%s): the one of %s was lost",
				 kr_jpeer(J, c->gid, p, sizeof p), kr_jwhere(J, m->file, m->pkt_no, w, sizeof w), x->link);
			kr_jroutes_drop(J, x->gid);
			break;
		}
	}
	if (m->msg[18] == KR_BGP_NOTIFICATION && m->len >= 21) {
		bool mine = (int)m->dir == c->router_dir;
		const char *what = kr_notification_subcode_name(m->msg[19], m->msg[20]);
		if (m->msg[19] == 6)
			kr_jevent(J, V_SESSIONS, m->ts, "Cease %u (%s) %s %s (%s)", m->msg[20], what ? what : "?",
				  mine ? "from the router to" : "to the router from", kr_jpeer(J, c->gid, p, sizeof p),
				  kr_jwhere(J, m->file, m->pkt_no, w, sizeof w));
		else
			kr_jfind(J, V_SESSIONS, m->ts, "NOTIFICATION %u/%u (%s) %s %s (%s): session lost", m->msg[19],
				 m->msg[20], what ? what : kr_notification_code_name(m->msg[19]),
				 mine ? "from the router to" : "to the router from", kr_jpeer(J, c->gid, p, sizeof p),
				 kr_jwhere(J, m->file, m->pkt_no, w, sizeof w));
		kr_jroutes_drop(J, c->gid);
		c->down = true;
	}
}

/* ---- the wire lint ----------------------------------------------------------- */

static void lint(struct judge *J)
{
	const struct kr_judge_opts *o = J->o;
	struct kr_lint_opts lo = { .sender_as = J->router_as, .detect = true, .grace_ns = (int64_t)(o->grace_s * 1e9),
				   .max_findings = 1000 };
	memcpy(lo.bgp_ports, o->bgp_ports, sizeof lo.bgp_ports);
	memcpy(lo.rtr_ports, o->rtr_ports, sizeof lo.rtr_ports);
	struct kr_keytab *kt = NULL;
	if (!J->keys_from_rtr && J->nspans && (kt = kr_keytab_new()))
		kr_rkey_spans_at(J->spans, J->nspans, 0, 0, kt);
	lo.keys = kt;
	struct kr_lint_out out;
	struct kr_err err = { 0 };
	if (kr_lint_pcaps(o->paths, o->npaths, &lo, &out, &err) < 0) {
		J->v[V_LINT].skip = strdup(err.msg);
		kr_keytab_free(kt);
		return;
	}
	char line[1024];
	for (size_t i = 0; i < out.n; i++) {
		kr_lint_finding_str(&out.f[i], line, sizeof line);
		if (kr_lint_finding_must(&out.f[i]))
			kr_jfind(J, V_LINT, out.f[i].ts_ns, "%s", line);
		else
			kr_jevent(J, V_LINT, out.f[i].ts_ns, "advice: %s", line);
	}
	if (out.total > out.n)
		kr_jfind(J, V_LINT, J->t_end, "%zu more violations", out.total - out.n);
	kr_jevent(J, V_LINT, J->t0, "%llu BGP messages of AS %u linted (%llu UPDATEs, %llu signatures verified), "
				    "%zu RTR PDUs; %zu violations, %zu advice",
		  (unsigned long long)out.stats.messages, J->router_as, (unsigned long long)out.stats.updates,
		  (unsigned long long)out.stats.signatures, out.rtr_pdus, out.total, out.advice);
	J->v[V_LINT].metric[0] = (double)out.stats.messages;
	kr_lint_out_free(&out);
	kr_keytab_free(kt);
}

/* ---- driver ------------------------------------------------------------------- */

static void free_judge(struct judge *J)
{
	kr_jroutes_free(J);
	kr_capread_free(&J->cr);
	for (size_t i = 0; i < J->nc; i++) {
		kr_bytes_free(&J->c[i].open[0]);
		kr_bytes_free(&J->c[i].open[1]);
	}
	free(J->c);
	free(J->sp);
	free(J->spans);
	kr_keytab_free(J->kt);
	kr_crypto_ctx_free(J->cc);
	free(J->u);
	free(J->u2);
	free(J->sw);
	free(J->chk);
	free(J->seen);
	for (int v = 0; v < KR_JUDGE_NVERDICTS; v++) {
		for (size_t i = 0; i < J->v[v].n; i++)
			free(J->v[v].f[i].text);
		for (size_t i = 0; i < J->v[v].nev; i++)
			free(J->v[v].ev[i].text);
		free(J->v[v].f);
		free(J->v[v].ev);
		free(J->v[v].skip);
	}
}

int kr_judge_captures(const struct kr_judge_opts *o, struct kr_result *res, struct kr_err *err)
{
	struct judge *J = calloc(1, sizeof *J);
	if (!J) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	J->o = o;
	J->router_as = o->router_as;
	struct kr_reasm_cfg cfg = { .detect = true };
	memcpy(cfg.bgp_ports, o->bgp_ports, sizeof cfg.bgp_ports);
	memcpy(cfg.rtr_ports, o->rtr_ports, sizeof cfg.rtr_ports);
	int rc = kr_capread(o->paths, o->npaths, &cfg, &J->cr, err);
	J->cc = kr_crypto_ctx_new();
	J->u = malloc(sizeof *J->u);
	J->u2 = malloc(sizeof *J->u2);
	if (rc == 0 && (!J->cc || !J->u || !J->u2)) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		rc = -1;
	}
	if (rc == 0 && J->cr.n == 0) {
		kr_err_set(err, EINVAL, 0, "%s: no BGP or RTR message in the capture%s", o->paths[0],
			   o->npaths > 1 ? "s" : "");
		rc = -1;
	}
	if (rc == 0) {
		J->t0 = J->cr.m[0].ts;
		J->t_end = J->cr.m[J->cr.n - 1].ts;
		sessions(J);
		size_t mine = 0;
		for (size_t i = 0; i < J->nc; i++)
			mine += J->c[i].router_dir >= 0;
		if (!J->router_as || !mine) {
			kr_err_set(err, EINVAL, 0, "no BGP session of %s%u with both OPENs in the captures",
				   J->router_as ? "AS " : "a router", J->router_as);
			rc = -1;
		}
	}
	if (rc == 0) {
		follow_rtr(J);
		if (!J->keys_from_rtr && o->keys_json && keys_from_json(J, err) < 0)
			rc = -1;
	}
	if (rc == 0) {
		J->have_keys = J->keys_from_rtr || J->nspans;
		for (size_t i = 0; i < J->nspans; i++) {
			const struct kr_rkey_span *s = &J->spans[i];
			char ski[41];
			kr_hex_encode(ski, sizeof ski, s->ski, 20);
			if (s->from != INT64_MIN)
				kr_jevent(J, V_GONE, s->from, "the router gets key AS %u SKI %.8s", s->asn, ski);
			if (s->to != INT64_MAX)
				kr_jevent(J, V_GONE, s->to, "the router loses key AS %u SKI %.8s (%s)", s->asn, ski,
					  s->to_ref ? "withdrawn by its cache" : "Expire Interval passed");
		}
		for (size_t i = 0; i < J->cr.n; i++) {
			const struct kr_cmsg *m = &J->cr.m[i];
			kr_jroutes_checks(J, m->ts, false);
			struct jconn *c = conn_of(J, m);
			if (!c || m->proto != KR_SP_BGP || c->router_dir < 0 || m->len < 19)
				continue;
			bgp_events(J, c, m);
			if (m->msg[18] == KR_BGP_UPDATE)
				kr_jroutes_update(J, c, m);
		}
		kr_jroutes_checks(J, J->t_end, true);
		lint(J);
		if (!J->have_keys) {
			const char *why = "no RTR stream with a complete response in the captures and no --keys: "
					  "which keys the router held is unknown";
			J->v[V_NOTVALID].skip = strdup(why);
			J->v[V_GONE].skip = strdup(why);
			J->v[V_REPLAY].skip = strdup(why);
		}
		kr_jout_results(J, res);
	}
	free_judge(J);
	free(J);
	return rc;
}
