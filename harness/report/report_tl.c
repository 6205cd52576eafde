/* A case's timeline from its record and its captures (timeline.h).
 *
 * Capture timestamps are CLOCK_REALTIME; the record holds the case start
 * on that clock too (start_wall_ns), so a packet's case time is its
 * timestamp minus that. Which end of a link is the SUT comes from the
 * OPENs: the SUT's AS is the one every BGP link shares. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_read.h"
#include "report/timeline.h"
#include "wire/bgp_msg.h"
#include "wire/rtr_pdu.h"

#define MAX_CONNS 64

double kr_tv_within_s(const char *text)
{
	/* kr_expect texts state deadlines as "within %.2f s" (suites/steps.c). */
	for (const char *p = text ? strstr(text, "within ") : NULL; p; p = strstr(p + 1, "within ")) {
		char *end;
		double s = strtod(p + 7, &end);
		if (end != p + 7 && !strncmp(end, " s", 2) && (end[2] == 0 || end[2] == ' ' ||
							   end[2] == ',' || end[2] == ')' || end[2] == ';'))
			return s >= 0 ? s : -1;
	}
	return -1;
}

void kr_tv_step_label(const char *text, char *out, size_t outsz)
{
	out[0] = 0;
	size_t skip = !strncmp(text, "steps ", 6) ? 6 : !strncmp(text, "step ", 5) ? 5 : 0;
	if (!skip || text[skip] < '0' || text[skip] > '9')
		return;
	size_t n = strspn(text + skip, "0123456789-.");
	if (text[skip + n] != ':')
		return;
	snprintf(out, outsz, "%.*s", (int)(skip + n), text);
}

/* ---- keys ------------------------------------------------------------- */

static int key_by_hex8(struct kr_tview *v, const char *hex8)
{
	for (size_t i = 0; i < v->nkeys; i++)
		if (!strcmp(v->keys[i].hex8, hex8))
			return (int)i;
	return -1;
}

/* The key of a SKI seen on the wire: the one the timeline named (by its
 * first 4 octets) or a new, unnamed one. -1 when the table is full. */
static int key_of(struct kr_tview *v, const uint8_t *ski, uint32_t asn)
{
	static const uint8_t zero[20];
	char hex8[9];
	kr_hex_encode(hex8, sizeof(hex8), ski, 4);
	for (size_t i = 0; i < v->nkeys; i++) {
		struct kr_tv_key *k = &v->keys[i];
		if (!memcmp(k->ski, ski, 20))
			return (int)i;
		if (!memcmp(k->ski, zero, 20) && !strcmp(k->hex8, hex8)) {
			memcpy(k->ski, ski, 20);
			if (!k->asn)
				k->asn = asn;
			return (int)i;
		}
	}
	if (v->nkeys == KR_TV_MAX_KEYS)
		return -1;
	struct kr_tv_key *k = &v->keys[v->nkeys];
	memcpy(k->ski, ski, 20);
	snprintf(k->hex8, sizeof(k->hex8), "%s", hex8);
	k->asn = asn;
	return (int)v->nkeys++;
}

/* "key up1#1 (SKI 2617DEBE) generated (AS 65536)" (run/world_keys.c):
 * names keys before their SKIs appear on the wire. */
static void key_note(struct kr_tview *v, const char *text)
{
	char name[40], hex8[9];
	unsigned asn = 0;
	if (sscanf(text, "key %39s (SKI %8[0-9A-F]) generated (AS %u)", name, hex8, &asn) < 2 ||
	    strlen(hex8) != 8 || key_by_hex8(v, hex8) >= 0 || v->nkeys == KR_TV_MAX_KEYS)
		return;
	struct kr_tv_key *k = &v->keys[v->nkeys++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->hex8, sizeof(k->hex8), "%s", hex8);
	k->asn = asn;
}

static const char *key_name(const struct kr_tview *v, int k)
{
	if (k < 0)
		return "?";
	return v->keys[k].name[0] ? v->keys[k].name : v->keys[k].hex8;
}

/* ---- captures --------------------------------------------------------- */

struct rd {
	struct kr_tview *v;
	const struct kr_result *r;
	unsigned lane, conn;
	struct kr_update *u;
	uint32_t open_as[MAX_CONNS][2]; /* AS in each direction's OPEN */
	size_t cap_ev;
	size_t errors;
	/* RTR: keys of the full snapshot being received after a Reset Query */
	bool reset_pending, in_snapshot;
	bool snap[KR_TV_MAX_KEYS];
};

static void span_add(struct kr_tview *v, enum kr_tv_span_kind kind, int key, int64_t t0, int64_t t1)
{
	struct kr_tv_span *s = realloc(v->spans, (v->nspans + 1) * sizeof(*s));
	if (!s)
		return;
	v->spans = s;
	s[v->nspans++] = (struct kr_tv_span){ kind, key, t0, t1 };
}

/* The newest span of this kind and key, or NULL. */
static struct kr_tv_span *last_span(struct kr_tview *v, enum kr_tv_span_kind kind, int key)
{
	for (size_t i = v->nspans; i-- > 0;)
		if (v->spans[i].kind == kind && v->spans[i].key == key)
			return &v->spans[i];
	return NULL;
}

static struct kr_tv_ev *ev_add(struct rd *d, int64_t t, unsigned dir, enum kr_tv_ev_kind kind)
{
	struct kr_tview *v = d->v;
	struct kr_tv_lane *l = &v->lanes[d->lane];
	if (l->count[0] + l->count[1] >= KR_TV_LANE_EVENTS) {
		l->dropped++;
		return NULL;
	}
	if (v->nev == d->cap_ev) {
		size_t cap = d->cap_ev ? 2 * d->cap_ev : 256;
		struct kr_tv_ev *e = realloc(v->ev, cap * sizeof(*e));
		if (!e)
			return NULL;
		v->ev = e;
		d->cap_ev = cap;
	}
	l->count[dir & 1]++;
	struct kr_tv_ev *e = &v->ev[v->nev++];
	memset(e, 0, sizeof(*e));
	*e = (struct kr_tv_ev){ .t_ns = t, .lane = d->lane, .dir = dir & 1, .conn = d->conn, .kind = kind,
				.key = -1, .origin = -1 };
	return e;
}

static void put_prefixes(char *out, size_t outsz, uint16_t afi, const uint8_t *p, size_t len, size_t *n)
{
	struct kr_nlri_iter it;
	struct kr_prefix pf;
	kr_nlri_iter_init(&it, afi, p, len);
	while (kr_nlri_next(&it, &pf)) {
		if (!(*n)++)
			kr_prefix_format(&pf, out, outsz);
	}
}

static void on_update(struct rd *d, const struct kr_smsg *m, int64_t t)
{
	struct kr_update *u = d->u;
	struct kr_err err = { 0 };
	if (kr_update_decode(u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &err) < 0) {
		struct kr_tv_ev *e = ev_add(d, t, m->dir, KR_TV_BAD);
		if (e)
			snprintf(e->detail, sizeof(e->detail), "UPDATE not decodable: %.200s", err.msg);
		return;
	}
	char ann[48] = "", wd[48] = "";
	size_t nann = 0, nwd = 0;
	put_prefixes(ann, sizeof(ann), KR_AFI_IPV4, u->nlri, u->nlri_len, &nann);
	if (u->i_mp_reach >= 0)
		put_prefixes(ann, sizeof(ann), u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len, &nann);
	put_prefixes(wd, sizeof(wd), KR_AFI_IPV4, u->withdrawn, u->withdrawn_len, &nwd);
	if (u->i_mp_unreach >= 0)
		put_prefixes(wd, sizeof(wd), u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len, &nwd);
	enum kr_tv_ev_kind kind = nann ? KR_TV_ANNOUNCE : nwd ? KR_TV_WITHDRAW : KR_TV_EOR;
	struct kr_tv_ev *e = ev_add(d, t, m->dir, kind);
	if (!e)
		return;
	const char *what = nann ? ann : wd;
	size_t n = nann ? nann : nwd;
	if (kind == KR_TV_EOR)
		snprintf(e->label, sizeof(e->label), "End-of-RIB");
	else if (n > 1)
		snprintf(e->label, sizeof(e->label), "%.30s +%u", what, (unsigned)(n - 1 > 99999 ? 99999 : n - 1));
	else
		snprintf(e->label, sizeof(e->label), "%.44s", what);
	int off = snprintf(e->detail, sizeof(e->detail), "%s %s%s", kind == KR_TV_WITHDRAW ? "withdraws" :
			   kind == KR_TV_EOR ? "End-of-RIB" : "announces", e->label,
			   nann && nwd ? " and withdraws" : "");
	if (nann && nwd)
		off += snprintf(e->detail + off, sizeof(e->detail) - (size_t)off, " %s%s", wd, nwd > 1 ? " ..." : "");
	if (u->i_bgpsec < 0) {
		if (nann)
			snprintf(e->detail + off, sizeof(e->detail) - (size_t)off, ", no BGPsec_PATH (AS_PATH only)");
		return;
	}
	if (u->bgpsec_malformed || u->bgpsec.nblocks == 0 || u->bgpsec.blocks[0].nsegs == 0) {
		snprintf(e->detail + off, sizeof(e->detail) - (size_t)off, ", BGPsec_PATH malformed");
		return;
	}
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	const struct kr_sig_block *b = &bp->blocks[0];
	e->key = key_of(d->v, b->segs[0].ski, bp->nhops ? bp->sp[0].asn : 0);
	if (b->nsegs > 1) {
		size_t last = b->nsegs - 1;
		e->origin = key_of(d->v, b->segs[last].ski, last < bp->nhops ? bp->sp[last].asn : 0);
	}
	off += snprintf(e->detail + off, sizeof(e->detail) - (size_t)off, ", signed by");
	for (size_t s = 0; s < b->nsegs && off < (int)sizeof(e->detail); s++) {
		int k = key_of(d->v, b->segs[s].ski, s < bp->nhops ? bp->sp[s].asn : 0);
		off += snprintf(e->detail + off, sizeof(e->detail) - (size_t)off, "%s %s (AS %u, SKI %s)",
				s ? " <-" : "", key_name(d->v, k), s < bp->nhops ? bp->sp[s].asn : 0,
				k >= 0 ? d->v->keys[k].hex8 : "?");
	}
}

static void on_open(struct rd *d, const struct kr_smsg *m, int64_t t)
{
	struct kr_open op;
	struct kr_err err = { 0 };
	struct kr_tv_ev *e = ev_add(d, t, m->dir, KR_TV_OPEN);
	if (kr_open_decode(&op, m->msg, m->len, &err) < 0) {
		if (e)
			snprintf(e->detail, sizeof(e->detail), "OPEN not decodable: %.200s", err.msg);
		return;
	}
	uint32_t as = kr_open_peer_as(&op);
	if (m->conn < MAX_CONNS)
		d->open_as[m->conn][m->dir & 1] = as;
	if (e) {
		snprintf(e->label, sizeof(e->label), "OPEN AS %u", as);
		snprintf(e->detail, sizeof(e->detail), "OPEN from AS %u, hold time %u", as, op.hold_time);
	}
}

static void on_bgp(struct rd *d, const struct kr_smsg *m, int64_t t)
{
	if (m->len < KR_BGP_HDR_LEN)
		return;
	switch (m->msg[18]) {
	case KR_BGP_OPEN:
		on_open(d, m, t);
		break;
	case KR_BGP_UPDATE:
		on_update(d, m, t);
		break;
	case KR_BGP_NOTIFICATION: {
		struct kr_notification n;
		struct kr_err err = { 0 };
		struct kr_tv_ev *e = ev_add(d, t, m->dir, KR_TV_NOTIFICATION);
		if (!e)
			break;
		snprintf(e->label, sizeof(e->label), "NOTIFICATION");
		bool ok = kr_notification_decode(&n, m->msg, m->len, &err) == 0;
		if (ok && n.code == 6) { /* RFC 4486: Cease, as every case ends */
			e->kind = KR_TV_CEASE;
			e->label[0] = 0;
		}
		if (!ok)
			snprintf(e->detail, sizeof(e->detail), "NOTIFICATION not decodable: %.200s", err.msg);
		else
			snprintf(e->detail, sizeof(e->detail), "NOTIFICATION %u/%u %s / %s", n.code, n.subcode,
				 kr_notification_code_name(n.code), kr_notification_subcode_name(n.code, n.subcode));
		break;
	}
	default:
		break; /* KEEPALIVEs say nothing a reader needs */
	}
}

static bool is_rtr_port(uint16_t p)
{
	return p == 323 || p == 3323 || p == 8282;
}

static void rtr_key(struct rd *d, const struct kr_rtr_pdu *p, int64_t t, unsigned dir)
{
	struct kr_tview *v = d->v;
	bool add = p->flags & KR_RTR_FLAG_ANNOUNCE;
	struct kr_tv_ev *e = ev_add(d, t, dir, add ? KR_TV_KEY_ADD : KR_TV_KEY_DEL);
	int k = key_of(v, p->ski, p->asn);
	if (e) {
		e->key = k;
		snprintf(e->label, sizeof(e->label), "%s%s", add ? "+" : "-", key_name(v, k));
		snprintf(e->detail, sizeof(e->detail), "Router Key %s: %s, AS %u, SKI %s",
			 add ? "announce" : "withdraw", key_name(v, k), p->asn, k >= 0 ? v->keys[k].hex8 : "?");
	}
	if (k < 0)
		return;
	if (d->in_snapshot)
		d->snap[k] = true;
	struct kr_tv_span *s = last_span(v, KR_TV_IN_CACHE, k);
	bool open = s && s->t1 < 0;
	if (add && !open)
		span_add(v, KR_TV_IN_CACHE, k, t, -1);
	else if (!add && open)
		s->t1 = t;
}

static void on_rtr(struct rd *d, const struct kr_smsg *m, int64_t t)
{
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	unsigned dir = is_rtr_port(m->src.port) ? 0 : 1; /* 0: from the cache to the SUT */
	if (kr_rtr_decode(m->msg, m->len, &p, &err) < 0) {
		struct kr_tv_ev *e = ev_add(d, t, dir, KR_TV_BAD);
		if (e)
			snprintf(e->detail, sizeof(e->detail), "RTR PDU not decodable: %.200s", err.msg);
		return;
	}
	struct kr_tview *v = d->v;
	switch (p.type) {
	case KR_RTR_ROUTER_KEY:
		rtr_key(d, &p, t, dir);
		return;
	case KR_RTR_RESET_QUERY:
		d->reset_pending = true;
		break;
	case KR_RTR_CACHE_RESPONSE:
		if (d->reset_pending) {
			d->in_snapshot = true;
			memset(d->snap, 0, sizeof(d->snap));
		}
		d->reset_pending = false;
		break;
	case KR_RTR_END_OF_DATA:
		/* A full snapshot replaces what the SUT had: keys not in it are gone. */
		for (size_t i = 0; d->in_snapshot && i < v->nspans; i++)
			if (v->spans[i].kind == KR_TV_IN_CACHE && v->spans[i].t1 < 0 && !d->snap[v->spans[i].key])
				v->spans[i].t1 = t;
		d->in_snapshot = false;
		break;
	default:
		break;
	}
	enum kr_tv_ev_kind kind = p.type == KR_RTR_CACHE_RESET ? KR_TV_RTR_RESET :
				  p.type == KR_RTR_ERROR_REPORT ? KR_TV_RTR_ERROR : KR_TV_RTR_OTHER;
	struct kr_tv_ev *e = ev_add(d, t, dir, kind);
	if (!e)
		return;
	char f[200];
	kr_rtr_format(&p, f, sizeof(f));
	snprintf(e->detail, sizeof(e->detail), "%s", f);
	if (kind == KR_TV_RTR_RESET)
		snprintf(e->label, sizeof(e->label), "Cache Reset");
	else if (kind == KR_TV_RTR_ERROR)
		snprintf(e->label, sizeof(e->label), "Error Report");
	else if (p.type == KR_RTR_END_OF_DATA)
		snprintf(e->label, sizeof(e->label), "serial %u", p.serial);
}

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct rd *d = arg;
	int64_t t = m->ts_ns - d->r->start_wall_ns;
	d->conn = m->conn;
	/* A full lane (a table of a million routes) only counts what it does
	 * not draw; OPENs are still read for the link's direction. */
	struct kr_tv_lane *l = &d->v->lanes[d->lane];
	if (l->count[0] + l->count[1] >= KR_TV_LANE_EVENTS && m->proto == KR_SP_BGP &&
	    m->len > KR_BGP_HDR_LEN && m->msg[18] != KR_BGP_OPEN) {
		l->dropped += m->msg[18] != KR_BGP_KEEPALIVE;
		return;
	}
	if (m->proto == KR_SP_BGP)
		on_bgp(d, m, t);
	else if (m->proto == KR_SP_RTR)
		on_rtr(d, m, t);
}

static void on_err(const struct kr_serr *e, void *arg)
{
	struct rd *d = arg;
	d->errors++;
	(void)e;
}

/* ---- putting it together ---------------------------------------------- */

static int lane_rank(const char *name)
{
	return !strncmp(name, "rtr", 3) ? 0 : !strncmp(name, "up", 2) ? 1 : !strncmp(name, "dn", 2) ? 2 : 3;
}

static void find_lanes(struct kr_tview *v, const struct kr_result *r)
{
	for (size_t i = 0; i < r->nartifacts && v->nlanes < KR_TV_MAX_LANES; i++) {
		const char *a = r->artifacts[i];
		const char *base = strrchr(a, '/') ? strrchr(a, '/') + 1 : a;
		size_t n = strlen(base);
		if (strncmp(base, "sut-", 4) || n < 10 || strcmp(base + n - 5, ".pcap") ||
		    n - 9 >= sizeof(v->lanes[0].name) || strlen(a) >= sizeof(v->lanes[0].pcap))
			continue;
		struct kr_tv_lane *l = &v->lanes[v->nlanes++];
		memset(l, 0, sizeof(*l));
		snprintf(l->name, sizeof(l->name), "%.*s", (int)(n - 9), base + 4);
		snprintf(l->pcap, sizeof(l->pcap), "%s", a);
		l->kind = !strncmp(l->name, "rtr", 3) ? KR_TV_RTR : KR_TV_BGP;
	}
	/* rtr, up*, dn*, the rest; by name within each group */
	for (size_t i = 1; i < v->nlanes; i++)
		for (size_t j = i; j > 0; j--) {
			struct kr_tv_lane *a = &v->lanes[j - 1], *b = &v->lanes[j];
			int ra = lane_rank(a->name), rb = lane_rank(b->name);
			if (ra < rb || (ra == rb && strcmp(a->name, b->name) <= 0))
				break;
			struct kr_tv_lane t = *a;
			*a = *b;
			*b = t;
		}
}

/* The SUT's AS: the AS of an OPEN on every BGP link (the peers differ). */
static uint32_t sut_as(uint32_t (*as)[MAX_CONNS][2], size_t nlanes)
{
	uint32_t best = 0;
	size_t best_n = 0;
	for (size_t l = 0; l < nlanes; l++)
		for (size_t c = 0; c < MAX_CONNS; c++)
			for (int dir = 0; dir < 2; dir++) {
				uint32_t cand = as[l][c][dir];
				size_t n = 0;
				if (!cand || cand == best)
					continue;
				for (size_t l2 = 0; l2 < nlanes; l2++) {
					bool has = false;
					for (size_t c2 = 0; c2 < MAX_CONNS && !has; c2++)
						has = as[l2][c2][0] == cand || as[l2][c2][1] == cand;
					n += has;
				}
				if (n > best_n) {
					best = cand;
					best_n = n;
				}
			}
	return best;
}

static void read_captures(struct kr_tview *v, const struct kr_result *r, const char *run_dir)
{
	struct kr_update *u = malloc(sizeof(*u));
	uint32_t (*as)[MAX_CONNS][2] = calloc(KR_TV_MAX_LANES, sizeof(*as));
	if (!u || !as) {
		free(u);
		free(as);
		snprintf(v->problem, sizeof(v->problem), "out of memory reading the captures");
		return;
	}
	struct kr_reasm_cfg cfg = { .bgp_ports = { 179 }, .rtr_ports = { 323, 3323, 8282 } };
	struct rd d = { .v = v, .r = r, .u = u };
	size_t errors = 0;
	for (size_t l = 0; l < v->nlanes; l++) {
		char path[PATH_MAX];
		struct kr_err err = { 0 };
		snprintf(path, sizeof(path), "%s/%s", run_dir, v->lanes[l].pcap);
		d.lane = (unsigned)l;
		d.errors = 0;
		d.reset_pending = d.in_snapshot = false;
		memset(d.open_as, 0, sizeof(d.open_as));
		if (kr_pcap_messages(path, &cfg, on_msg, on_err, &d, &err) < 0 && !v->problem[0])
			snprintf(v->problem, sizeof(v->problem), "%s", err.msg);
		errors += d.errors;
		memcpy(as[l], d.open_as, sizeof(d.open_as));
	}
	/* BGP events hold the TCP direction until the SUT's AS is known. */
	v->sut_as = sut_as(as, v->nlanes);
	for (size_t l = 0; l < v->nlanes; l++)
		v->lanes[l].count[0] = v->lanes[l].count[1] = 0;
	for (size_t i = 0; i < v->nev; i++) {
		struct kr_tv_ev *e = &v->ev[i];
		struct kr_tv_lane *ln = &v->lanes[e->lane];
		if (ln->kind == KR_TV_BGP) {
			uint32_t from = e->conn < MAX_CONNS ? as[e->lane][e->conn][e->dir] : 0;
			/* Fallback without OPENs: the SUT signed the newest segment. */
			if (from)
				e->dir = v->sut_as && from == v->sut_as;
			else
				e->dir = e->key >= 0 && v->sut_as && v->keys[e->key].asn == v->sut_as;
		}
		ln->count[e->dir]++;
		if (ln->kind == KR_TV_BGP && e->dir == 1 && e->kind == KR_TV_ANNOUNCE && e->key >= 0) {
			/* From the first to the last UPDATE the SUT signed with it. */
			struct kr_tv_span *s = last_span(v, KR_TV_SUT_SIGNS, e->key);
			if (s)
				s->t1 = e->t_ns;
			else
				span_add(v, KR_TV_SUT_SIGNS, e->key, e->t_ns, e->t_ns);
		}
	}
	if (errors && !v->problem[0])
		snprintf(v->problem, sizeof(v->problem), "%zu stream problem%s in the captures (lost or cut packets)",
			 errors, errors == 1 ? "" : "s");
	free(u);
	free(as);
}

static void harness_marks(struct kr_tview *v, const struct kr_result *r)
{
	v->expects = calloc(r->ntl ? r->ntl : 1, sizeof(*v->expects));
	v->notes = calloc(r->ntl ? r->ntl : 1, sizeof(*v->notes));
	if (!v->expects || !v->notes)
		return;
	long failed = -1;
	for (size_t i = 0; i < r->ntl; i++) {
		const struct kr_tl_entry *e = &r->tl[i];
		switch (e->kind) {
		case KR_TL_EXPECT: {
			double w = kr_tv_within_s(e->text);
			int64_t t1 = w >= 0 ? e->t_ns + (int64_t)(w * 1e9) : e->t_ns;
			const char *text = !strncmp(e->text, "expect: ", 8) ? e->text + 8 : e->text;
			int64_t done = i + 1 < r->ntl ? r->tl[i + 1].t_ns : e->t_ns;
			v->expects[v->nexpects++] = (struct kr_tv_expect){ e->t_ns, t1, done, text, false };
			break;
		}
		case KR_TL_VERDICT:
			if (v->verdict_t < 0) {
				v->verdict_t = e->t_ns;
				if (r->outcome != KR_SKIP && v->nexpects)
					failed = (long)v->nexpects - 1;
			}
			break;
		case KR_TL_METRIC:
			break;
		default: {
			struct kr_tv_note *n = &v->notes[v->nnotes++];
			n->t = e->t_ns;
			n->text = e->text;
			kr_tv_step_label(e->text, n->label, sizeof(n->label));
			key_note(v, e->text);
			break;
		}
		}
	}
	if (failed >= 0 && r->outcome != KR_PASS && r->outcome != KR_XPASS)
		v->expects[failed].failed = true;
	/* No verdict entry: a pass is decided by its last check, anything else
	 * (a crash seen at teardown, an error) at the end. */
	if (v->verdict_t < 0) {
		v->verdict_t = v->end_ns;
		for (size_t i = r->ntl; r->outcome == KR_PASS && i-- > 0;)
			if (r->tl[i].kind != KR_TL_METRIC) {
				v->verdict_t = r->tl[i].t_ns;
				break;
			}
	}
}

void kr_tview_build(struct kr_tview *v, const struct kr_result *r, const char *run_dir)
{
	memset(v, 0, sizeof(*v));
	v->verdict_t = -1;
	v->crash_t = r->sut_crash ? (int64_t)(r->sut_crash->t_s * 1e9) : -1;
	v->end_ns = (int64_t)(r->duration_s * 1e9);
	for (size_t i = 0; i < r->ntl; i++)
		if (r->tl[i].t_ns > v->end_ns)
			v->end_ns = r->tl[i].t_ns;
	harness_marks(v, r);
	find_lanes(v, r);
	if (!r->start_wall_ns) {
		if (v->nlanes)
			snprintf(v->problem, sizeof(v->problem),
				 "captures not placed: the record has no wall-clock start (older results.json)");
		return;
	}
	v->placed = true;
	read_captures(v, r, run_dir);
}

void kr_tview_free(struct kr_tview *v)
{
	free(v->ev);
	free(v->spans);
	free(v->expects);
	free(v->notes);
	memset(v, 0, sizeof(*v));
}
