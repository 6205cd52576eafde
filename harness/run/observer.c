/* Per-prefix observer state; see observer.h. */
#include "run/observer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Signatures a table observer remembers as verified: its sample (about
 * 2048 prefixes) with paths of up to 6 signed hops, and the twilight's
 * new newest segments beside them. */
#define OBS_MEMO_SLOTS (1u << 15)

struct kr_obs {
	struct kr_obs_cfg cfg;
	char name[32];
	struct kr_crypto_ctx *cc;
	struct kr_update *scratch; /* for re-validation */

	struct kr_obs_route *routes;
	size_t nroutes, caproutes;
	uint32_t *tab; /* index + 1, 0 empty */
	size_t tabcap;
	size_t npresent;

	uint8_t (*skis)[KR_SKI_LEN]; /* id - 1 */
	uint32_t nskis, capskis;
	uint32_t *skitab;
	size_t skitabcap;

	uint64_t updates, malformed, bgpsec_malformed;
	size_t blob_bytes, hist_bytes, sig_bytes;

	struct kr_obs_tagstat tags[KR_OBS_TAGS];
	uint16_t epoch;
	unsigned match_hop;
	uint8_t match_ski[4][KR_SKI_LEN];
	size_t match_n;
	struct kr_obs_sigstat sigs;
};

void kr_obs_cfg_init(struct kr_obs_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->bgpsec_type = KR_ATTR_BGPSEC_PATH;
	c->keep_history = true;
}

struct kr_obs *kr_obs_new(const struct kr_obs_cfg *c)
{
	struct kr_obs *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->cfg = *c;
	snprintf(o->name, sizeof o->name, "%s", c->name ? c->name : "observer");
	o->cfg.name = o->name;
	if (!o->cfg.bgpsec_type)
		o->cfg.bgpsec_type = KR_ATTR_BGPSEC_PATH;
	o->cc = kr_crypto_ctx_new();
	o->scratch = malloc(sizeof *o->scratch);
	/* compact (table) mode: the sample's forwarded segments verified once,
	 * not again with every UPDATE that carries them */
	if (!o->cc || !o->scratch || (o->cfg.compact && kr_crypto_ctx_memo(o->cc, OBS_MEMO_SLOTS) < 0)) {
		kr_obs_free(o);
		return NULL;
	}
	return o;
}

void kr_obs_free(struct kr_obs *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nroutes; i++) {
		free(o->routes[i].blob);
		free(o->routes[i].hist);
	}
	free(o->routes);
	free(o->tab);
	free(o->skis);
	free(o->skitab);
	free(o->scratch);
	kr_crypto_ctx_free(o->cc);
	free(o);
}

void kr_obs_set_keys(struct kr_obs *o, const struct kr_keytab *keys) { o->cfg.keys = keys; }
void kr_obs_set_peer(struct kr_obs *o, uint32_t my_as, uint32_t peer_as)
{
	o->cfg.my_as = my_as;
	o->cfg.peer_as = peer_as;
}

/* ---- hashing ------------------------------------------------------------- */

static uint32_t fnv(const uint8_t *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t pfx_hash(const struct kr_prefix *p)
{
	uint8_t k[3] = { (uint8_t)p->afi, p->len, 0 };
	return fnv(p->addr, (p->len + 7u) / 8, fnv(k, 2, 2166136261u));
}

static bool pfx_same(const struct kr_prefix *a, const struct kr_prefix *b)
{
	return a->afi == b->afi && a->len == b->len && memcmp(a->addr, b->addr, (a->len + 7u) / 8) == 0;
}

static int tab_grow(uint32_t **tab, size_t *cap, size_t n, const void *base, size_t stride,
		    uint32_t (*hash)(const void *))
{
	size_t nc = *cap ? *cap * 2 : 1024;
	uint32_t *nt = calloc(nc, sizeof *nt);
	if (!nt)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t h = hash((const uint8_t *)base + i * stride) & (nc - 1);
		while (nt[h])
			h = (h + 1) & (nc - 1);
		nt[h] = (uint32_t)i + 1;
	}
	free(*tab);
	*tab = nt;
	*cap = nc;
	return 0;
}

static uint32_t route_hash(const void *r) { return pfx_hash(&((const struct kr_obs_route *)r)->pfx); }
static uint32_t ski_hash(const void *s) { return fnv(s, KR_SKI_LEN, 2166136261u); }

static struct kr_obs_route *find_slot(const struct kr_obs *o, const struct kr_prefix *p, size_t *slot)
{
	if (!o->tabcap)
		return NULL;
	size_t h = pfx_hash(p) & (o->tabcap - 1);
	while (o->tab[h]) {
		struct kr_obs_route *r = &o->routes[o->tab[h] - 1];
		if (pfx_same(&r->pfx, p))
			return r;
		h = (h + 1) & (o->tabcap - 1);
	}
	if (slot)
		*slot = h;
	return NULL;
}

static struct kr_obs_route *get_route(struct kr_obs *o, const struct kr_prefix *in)
{
	struct kr_prefix p = *in;
	kr_prefix_canon(&p);
	struct kr_obs_route *r = find_slot(o, &p, NULL);
	if (r)
		return r;
	if ((o->nroutes + 1) * 2 > o->tabcap &&
	    tab_grow(&o->tab, &o->tabcap, o->nroutes, o->routes, sizeof *o->routes, route_hash) < 0)
		return NULL;
	if (o->nroutes == o->caproutes) {
		size_t nc = o->caproutes ? o->caproutes * 2 : 1024;
		struct kr_obs_route *nr = realloc(o->routes, nc * sizeof *nr);
		if (!nr)
			return NULL;
		o->routes = nr;
		o->caproutes = nc;
	}
	size_t slot;
	find_slot(o, &p, &slot);
	r = &o->routes[o->nroutes];
	memset(r, 0, sizeof *r);
	r->pfx = p;
	r->bad_hop = 0xff;
	o->tab[slot] = (uint32_t)++o->nroutes;
	return r;
}

const struct kr_obs_route *kr_obs_find(const struct kr_obs *o, const struct kr_prefix *in)
{
	struct kr_prefix p = *in;
	kr_prefix_canon(&p);
	return find_slot(o, &p, NULL);
}

uint32_t kr_obs_ski_id(const struct kr_obs *o, const uint8_t ski[KR_SKI_LEN])
{
	if (!o->skitabcap)
		return 0;
	size_t h = ski_hash(ski) & (o->skitabcap - 1);
	while (o->skitab[h]) {
		if (memcmp(o->skis[o->skitab[h] - 1], ski, KR_SKI_LEN) == 0)
			return o->skitab[h];
		h = (h + 1) & (o->skitabcap - 1);
	}
	return 0;
}

static uint32_t intern_ski(struct kr_obs *o, const uint8_t *ski)
{
	uint32_t id = kr_obs_ski_id(o, ski);
	if (id)
		return id;
	if ((o->nskis + 1) * 2 > o->skitabcap &&
	    tab_grow(&o->skitab, &o->skitabcap, o->nskis, o->skis, KR_SKI_LEN, ski_hash) < 0)
		return 0;
	if (o->nskis == o->capskis) {
		uint32_t nc = o->capskis ? o->capskis * 2 : 16;
		void *n = realloc(o->skis, nc * (size_t)KR_SKI_LEN);
		if (!n)
			return 0;
		o->skis = n;
		o->capskis = nc;
	}
	memcpy(o->skis[o->nskis], ski, KR_SKI_LEN);
	size_t h = ski_hash(ski) & (o->skitabcap - 1);
	while (o->skitab[h])
		h = (h + 1) & (o->skitabcap - 1);
	o->skitab[h] = ++o->nskis;
	return o->nskis;
}

const uint8_t *kr_obs_ski(const struct kr_obs *o, uint32_t id)
{
	return id && id <= o->nskis ? o->skis[id - 1] : NULL;
}

/* ---- ingest -------------------------------------------------------------- */

static int add_hist(struct kr_obs *o, struct kr_obs_route *r, const struct kr_obs_ev *ev)
{
	if (!o->cfg.keep_history)
		return 0;
	if (r->nhist == r->caphist) {
		if (r->caphist == UINT16_MAX) { /* keep the newest; drop the oldest */
			memmove(r->hist, r->hist + 1, (r->nhist - 1) * sizeof *r->hist);
			r->nhist--;
		} else {
			uint16_t nc = r->caphist ? (r->caphist > 16383 ? UINT16_MAX : r->caphist * 2) : 1;
			struct kr_obs_ev *nh = realloc(r->hist, nc * sizeof *nh);
			if (!nh)
				return -1;
			o->hist_bytes += (nc - r->caphist) * sizeof *nh;
			r->hist = nh;
			r->caphist = nc;
		}
	}
	r->hist[r->nhist++] = *ev;
	return 0;
}

/* ---- tags and counters ------------------------------------------------------ */

static uint32_t hop_ski_id(const struct kr_obs_route *r, size_t i);

bool kr_obs_route_matches(const struct kr_obs *o, const struct kr_obs_route *r)
{
	if (!r->present)
		return false;
	if (!o->match_n)
		return true;
	if (!r->is_signed || r->verdict != KR_VALID || o->match_hop >= r->nhops)
		return false;
	const uint8_t *ski = kr_obs_ski(o, hop_ski_id(r, o->match_hop));
	for (size_t i = 0; ski && i < o->match_n; i++)
		if (!memcmp(ski, o->match_ski[i], KR_SKI_LEN))
			return true;
	return false;
}

/* Take r out of its tag's counts before a change, put it back after. */
static void count_out(struct kr_obs *o, struct kr_obs_route *r)
{
	struct kr_obs_tagstat *t = &o->tags[r->tag];
	if (r->present)
		t->present--;
	if (r->matched)
		t->matched--;
	r->matched = 0;
}

static void count_in(struct kr_obs *o, struct kr_obs_route *r, int64_t when)
{
	struct kr_obs_tagstat *t = &o->tags[r->tag];
	if (r->present)
		t->present++;
	if (kr_obs_route_matches(o, r)) {
		r->matched = 1;
		t->matched++;
		t->t_matched = when;
	}
}

static void since_mark(struct kr_obs *o, struct kr_obs_route *r, bool ann, int64_t when)
{
	struct kr_obs_tagstat *t = &o->tags[r->tag];
	if (r->epoch != o->epoch) {
		r->epoch = o->epoch;
		r->ann_e = r->wd_e = 0;
	}
	r->t_last = when;
	if (ann) {
		r->n_ann++;
		if (r->ann_e < UINT16_MAX && ++r->ann_e == 2)
			t->multi++;
		if (r->ann_e == 1)
			t->announced++;
	} else {
		r->n_wd++;
		if (r->wd_e < UINT16_MAX && ++r->wd_e == 1)
			t->withdrawn++;
		t->t_withdrawn = when;
	}
}

int kr_obs_tag(struct kr_obs *o, const struct kr_prefix *p, uint8_t tag)
{
	if (tag >= KR_OBS_TAGS)
		return -1;
	struct kr_obs_route *r = get_route(o, p);
	if (!r)
		return -1;
	count_out(o, r);
	if (r->tag)
		o->tags[r->tag].tagged--;
	if (r->epoch == o->epoch) {
		o->tags[r->tag].multi -= r->ann_e >= 2;
		o->tags[r->tag].withdrawn -= r->wd_e >= 1;
		o->tags[r->tag].announced -= r->ann_e >= 1;
		o->tags[tag].multi += r->ann_e >= 2;
		o->tags[tag].withdrawn += r->wd_e >= 1;
		o->tags[tag].announced += r->ann_e >= 1;
	}
	r->tag = tag;
	if (tag)
		o->tags[tag].tagged++;
	count_in(o, r, r->t_last);
	return 0;
}

void kr_obs_set_match(struct kr_obs *o, unsigned hop, const uint8_t (*skis)[KR_SKI_LEN], size_t n)
{
	o->match_hop = hop;
	o->match_n = n > 4 ? 4 : n;
	for (size_t i = 0; i < o->match_n; i++)
		memcpy(o->match_ski[i], skis[i], KR_SKI_LEN);
	for (int t = 0; t < KR_OBS_TAGS; t++)
		o->tags[t].matched = 0;
	for (size_t i = 0; i < o->nroutes; i++) {
		struct kr_obs_route *r = &o->routes[i];
		r->matched = kr_obs_route_matches(o, r);
		o->tags[r->tag].matched += r->matched;
	}
}

void kr_obs_mark(struct kr_obs *o)
{
	o->epoch++;
	for (int t = 0; t < KR_OBS_TAGS; t++) {
		o->tags[t].multi = o->tags[t].withdrawn = o->tags[t].announced = 0;
		o->tags[t].t_withdrawn = 0;
	}
}

const struct kr_obs_tagstat *kr_obs_tagstat(const struct kr_obs *o, uint8_t tag)
{
	return tag < KR_OBS_TAGS ? &o->tags[tag] : NULL;
}

unsigned kr_obs_ann_since_mark(const struct kr_obs *o, const struct kr_obs_route *r)
{
	return r->epoch == o->epoch ? r->ann_e : 0;
}

unsigned kr_obs_wd_since_mark(const struct kr_obs *o, const struct kr_obs_route *r)
{
	return r->epoch == o->epoch ? r->wd_e : 0;
}

struct kr_obs_sigstat kr_obs_sigstat(const struct kr_obs *o)
{
	struct kr_obs_sigstat s = o->sigs;
	s.sample_mod = o->cfg.sample_mod ? o->cfg.sample_mod : 1;
	return s;
}

static void drop_blob(struct kr_obs *o, struct kr_obs_route *r)
{
	if (r->blob) {
		o->blob_bytes -= r->msg_len + (size_t)r->nhops * 8;
		o->sig_bytes -= r->sig_bytes;
		free(r->blob);
		r->blob = NULL;
	}
	r->msg_len = 0;
	r->nhops = 0;
}

static void withdraw(struct kr_obs *o, const struct kr_prefix *p, int64_t when)
{
	struct kr_obs_route *r = get_route(o, p);
	if (!r)
		return;
	count_out(o, r);
	if (r->present)
		o->npresent--;
	drop_blob(o, r);
	r->present = 0;
	since_mark(o, r, false, when);
	count_in(o, r, when);
	struct kr_obs_ev ev = { .t = when, .kind = KR_OBS_WITHDRAW };
	add_hist(o, r, &ev);
}

struct ann {
	bool is_signed;
	struct kr_val_result vr;
	size_t nhops;
	uint32_t asn[255];
	uint32_t ski[255];
	size_t sig_bytes;
};

static void announce(struct kr_obs *o, const struct kr_prefix *p, const uint8_t *msg, size_t len,
		     const struct ann *a, int64_t when)
{
	struct kr_obs_route *r = get_route(o, p);
	if (!r)
		return;
	count_out(o, r);
	drop_blob(o, r);
	if (o->cfg.compact)
		len = 0; /* the path's ASes and SKIs only */
	r->blob = malloc(len + a->nhops * 8 + (len + a->nhops ? 0 : 1));
	if (!r->blob) {
		count_in(o, r, when);
		return;
	}
	memcpy(r->blob, msg, len);
	uint8_t *h = r->blob + len;
	for (size_t i = 0; i < a->nhops; i++) {
		memcpy(h + 8 * i, &a->asn[i], 4);
		memcpy(h + 8 * i + 4, &a->ski[i], 4);
	}
	r->msg_len = (uint32_t)len;
	r->nhops = (uint8_t)a->nhops;
	o->blob_bytes += len + a->nhops * 8;
	r->sig_bytes = (uint16_t)(a->sig_bytes > UINT16_MAX ? UINT16_MAX : a->sig_bytes);
	o->sig_bytes += r->sig_bytes;
	if (!r->present)
		o->npresent++;
	r->present = 1;
	r->is_signed = a->is_signed;
	r->verdict = (uint8_t)a->vr.verdict;
	r->reason = (uint8_t)a->vr.reason;
	r->bad_hop = a->vr.verdict == KR_VALID ? 0xff : (uint8_t)a->vr.bad_hop;
	since_mark(o, r, true, when);
	count_in(o, r, when);
	struct kr_obs_ev ev = { .t = when, .kind = KR_OBS_ANNOUNCE, .is_signed = a->is_signed,
				.verdict = (uint8_t)a->vr.verdict, .reason = (uint8_t)a->vr.reason,
				.ski_id = a->nhops && a->is_signed ? a->ski[0] : 0 };
	add_hist(o, r, &ev);
}

static bool sampled(const struct kr_obs *o, const struct kr_update *u)
{
	if (!o->cfg.compact || o->cfg.sample_mod <= 1)
		return true;
	struct kr_nlri_iter it;
	struct kr_prefix p;
	if (u->i_mp_reach < 0)
		return true;
	kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	if (!kr_nlri_next(&it, &p))
		return true;
	kr_prefix_canon(&p);
	return pfx_hash(&p) % o->cfg.sample_mod == 0;
}

static void validate(struct kr_obs *o, const struct kr_update *u, struct kr_val_result *vr)
{
	memset(vr, 0, sizeof *vr);
	if (u->bgpsec_malformed) {
		vr->verdict = KR_NOT_VALID;
		vr->reason = KR_R_MALFORMED;
		snprintf(vr->detail, sizeof vr->detail, "%.150s", u->bgpsec_err.msg);
		return;
	}
	if (!o->cfg.keys) {
		vr->verdict = KR_NOT_VALID;
		vr->reason = KR_R_UNKNOWN_SKI;
		snprintf(vr->detail, sizeof vr->detail, "no keys published");
		return;
	}
	bool full = sampled(o, u);
	struct kr_val_opts vo = { .my_as = o->cfg.my_as, .peer_as = o->cfg.peer_as,
				  .skip_signatures = !full };
	if (kr_bgpsec_validate_ctx(o->cc, o->cfg.keys, u, &vo, vr) < 0) {
		vr->verdict = KR_NOT_VALID;
		vr->reason = KR_R_MALFORMED;
	}
	if (!o->cfg.compact)
		return;
	if (full && (vr->verdict == KR_VALID || vr->reason == KR_R_BAD_SIGNATURE))
		o->sigs.verified++;
	if (vr->reason == KR_R_BAD_SIGNATURE)
		o->sigs.verify_failed++;
	else if (vr->verdict != KR_VALID)
		o->sigs.form_failed++;
}

static void describe(struct kr_obs *o, const struct kr_update *u, struct ann *a)
{
	a->nhops = 0;
	a->sig_bytes = 0;
	a->is_signed = u->i_bgpsec >= 0;
	if (a->is_signed) {
		validate(o, u, &a->vr);
		if (!u->bgpsec_malformed) {
			const struct kr_bgpsec_path *bp = &u->bgpsec;
			for (size_t i = 0; i < bp->nhops && i < 255; i++) {
				a->asn[i] = bp->sp[i].asn;
				a->ski[i] = bp->nblocks && i < bp->blocks[0].nsegs
						    ? intern_ski(o, bp->blocks[0].segs[i].ski)
						    : 0;
				a->nhops++;
			}
			for (size_t b = 0; b < bp->nblocks; b++)
				for (size_t i = 0; i < bp->blocks[b].nsegs; i++)
					a->sig_bytes += bp->blocks[b].segs[i].sig_len;
		}
		return;
	}
	memset(&a->vr, 0, sizeof a->vr);
	a->vr.verdict = KR_NOT_VALID;
	a->vr.reason = KR_R_NO_BGPSEC_PATH;
	for (size_t s = 0; s < u->nas_segs; s++)
		for (size_t i = 0; i < u->as_segs[s].count && a->nhops < 255; i++) {
			const uint8_t *q = u->as_segs[s].asns + 4 * i;
			a->asn[a->nhops] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
			a->ski[a->nhops++] = 0;
		}
}

int kr_obs_ingest(struct kr_obs *o, const uint8_t *msg, size_t len, const struct kr_update *u,
		  int64_t when)
{
	o->updates++;
	if (!u) {
		o->malformed++;
		return 0;
	}
	if (u->bgpsec_malformed)
		o->bgpsec_malformed++;
	struct kr_nlri_iter it;
	struct kr_prefix p;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	while (kr_nlri_next(&it, &p))
		withdraw(o, &p, when);
	if (u->i_mp_unreach >= 0) {
		kr_nlri_iter_init(&it, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
		while (kr_nlri_next(&it, &p))
			withdraw(o, &p, when);
	}
	if (!u->nnlri && !(u->i_mp_reach >= 0 && u->mp_reach.nprefixes))
		return 0;
	static struct ann a; /* large; the observer runs on the one loop thread */
	describe(o, u, &a);
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
	while (kr_nlri_next(&it, &p))
		announce(o, &p, msg, len, &a, when);
	if (u->i_mp_reach >= 0) {
		kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
		while (kr_nlri_next(&it, &p))
			announce(o, &p, msg, len, &a, when);
	}
	return 0;
}

size_t kr_obs_revalidate(struct kr_obs *o)
{
	size_t changed = 0;
	for (size_t i = 0; i < o->nroutes; i++) {
		struct kr_obs_route *r = &o->routes[i];
		if (!r->present || !r->is_signed || !r->blob)
			continue;
		struct kr_err e;
		if (kr_update_decode(o->scratch, r->blob, r->msg_len, o->cfg.bgpsec_type, &e) < 0)
			continue;
		struct kr_val_result vr;
		validate(o, o->scratch, &vr);
		if (vr.verdict != r->verdict)
			changed++;
		r->verdict = (uint8_t)vr.verdict;
		r->reason = (uint8_t)vr.reason;
		r->bad_hop = vr.verdict == KR_VALID ? 0xff : (uint8_t)vr.bad_hop;
	}
	return changed;
}

int kr_obs_verdict_now(struct kr_obs *o, const struct kr_obs_route *r, uint8_t *bad_hop)
{
	if (!r || !r->present || !r->is_signed || !r->blob)
		return -1;
	struct kr_err e;
	if (kr_update_decode(o->scratch, r->blob, r->msg_len, o->cfg.bgpsec_type, &e) < 0)
		return -1;
	struct kr_val_result vr;
	validate(o, o->scratch, &vr);
	if (bad_hop)
		*bad_hop = vr.verdict == KR_VALID ? 0xff : (uint8_t)vr.bad_hop;
	return vr.verdict;
}

/* ---- queries ----------------------------------------------------------------- */

const char *kr_obs_name(const struct kr_obs *o) { return o->name; }
size_t kr_obs_count(const struct kr_obs *o) { return o->nroutes; }
size_t kr_obs_present(const struct kr_obs *o) { return o->npresent; }
const struct kr_obs_route *kr_obs_at(const struct kr_obs *o, size_t i)
{
	return i < o->nroutes ? &o->routes[i] : NULL;
}
uint64_t kr_obs_updates(const struct kr_obs *o) { return o->updates; }
uint64_t kr_obs_malformed(const struct kr_obs *o) { return o->malformed; }
uint64_t kr_obs_bgpsec_malformed(const struct kr_obs *o) { return o->bgpsec_malformed; }

size_t kr_obs_mem(const struct kr_obs *o, size_t *sig_bytes)
{
	if (sig_bytes)
		*sig_bytes = o->sig_bytes;
	return sizeof *o + kr_crypto_ctx_memo_bytes(o->cc) + o->caproutes * sizeof *o->routes +
	       o->tabcap * sizeof *o->tab +
	       o->blob_bytes + o->hist_bytes + (size_t)o->capskis * KR_SKI_LEN +
	       o->skitabcap * sizeof *o->skitab;
}

uint32_t kr_obs_hop_asn(const struct kr_obs_route *r, size_t i)
{
	uint32_t v = 0;
	if (r->blob && i < r->nhops)
		memcpy(&v, r->blob + r->msg_len + 8 * i, 4);
	return v;
}

static uint32_t hop_ski_id(const struct kr_obs_route *r, size_t i)
{
	uint32_t v = 0;
	if (r->blob && i < r->nhops)
		memcpy(&v, r->blob + r->msg_len + 8 * i + 4, 4);
	return v;
}

const uint8_t *kr_obs_hop_ski(const struct kr_obs *o, const struct kr_obs_route *r, size_t i)
{
	return kr_obs_ski(o, hop_ski_id(r, i));
}

int kr_obs_sig_state(const struct kr_obs_route *r, size_t i)
{
	if (!r->present || !r->is_signed || i >= r->nhops)
		return -1;
	if (r->verdict == KR_VALID)
		return 1;
	if (r->reason != KR_R_UNKNOWN_SKI && r->reason != KR_R_BAD_SIGNATURE)
		return -1;
	return i < r->bad_hop ? 1 : i == r->bad_hop ? 0 : -1;
}

bool kr_obs_signed_by(const struct kr_obs *o, const struct kr_obs_route *r, const uint8_t ski[KR_SKI_LEN])
{
	uint32_t id = kr_obs_ski_id(o, ski);
	if (!id || !r->present || !r->is_signed)
		return false;
	for (size_t i = 0; i < r->nhops; i++)
		if (hop_ski_id(r, i) == id)
			return true;
	return false;
}

const uint8_t *kr_obs_msg(const struct kr_obs_route *r, size_t *len)
{
	if (len)
		*len = r->msg_len;
	return r->blob;
}

void kr_obs_format_route(const struct kr_obs *o, const struct kr_obs_route *r, char *out, size_t outsz)
{
	char pf[64];
	kr_prefix_format(&r->pfx, pf, sizeof pf);
	if (!r->present) {
		snprintf(out, outsz, "%s withdrawn", pf);
		return;
	}
	size_t n = (size_t)snprintf(out, outsz, "%s %s path", pf, r->is_signed ? "signed" : "unsigned");
	for (size_t i = 0; i < r->nhops && n < outsz; i++) {
		const uint8_t *ski = kr_obs_hop_ski(o, r, i);
		char hex[41] = "";
		if (ski)
			kr_hex_encode(hex, sizeof hex, ski, 4);
		n += (size_t)snprintf(out + n, outsz - n, " %u%s%s%s", kr_obs_hop_asn(r, i),
				      ski ? "(SKI " : "", hex, ski ? "..)" : "");
	}
	if (r->is_signed && n < outsz)
		snprintf(out + n, outsz - n, ", %s (%s)", r->verdict == KR_VALID ? "Valid" : "Not Valid",
			 kr_reason_name((enum kr_reason)r->reason));
}
