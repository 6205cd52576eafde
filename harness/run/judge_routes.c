/* The routes in and out of the judged router (judge_int.h), and the
 * checks on them: what it forwards must be Valid under the keys it holds
 * (RFC 8205 §5; a replay is the case where the bytes came before), what
 * depended on a withdrawn key must be gone within the deadline (RFC 8634
 * §3.1 step 5), and after its own key switch every route to every BGPsec
 * peer must be signed anew within the twilight (RFC 8634 §3.1 step 3). */
#include "run/judge_int.h"
#include "wire/lint_rib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000LL

/* ---- tables ----------------------------------------------------------------- */

static unsigned bucket(const struct kr_prefix *p)
{
	uint32_t h = 2166136261u;
	const uint8_t *k = (const uint8_t *)p;
	for (size_t i = 0; i < sizeof *p; i++)
		h = (h ^ k[i]) * 16777619u;
	return h % JR_BUCKETS;
}

static void del(struct jtable *t, unsigned gid, const struct kr_prefix *p)
{
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	for (struct jroute **pp = &t->b[bucket(&c)]; *pp; pp = &(*pp)->next)
		if ((*pp)->gid == gid && !memcmp(&(*pp)->pfx, &c, sizeof c)) {
			struct jroute *r = *pp;
			*pp = r->next;
			free(r->msg);
			free(r);
			return;
		}
}

static struct jroute *put(struct jtable *t, unsigned gid, const struct kr_prefix *p, const struct kr_cmsg *m)
{
	del(t, gid, p);
	struct jroute *r = calloc(1, sizeof *r);
	if (!r || !(r->msg = malloc(m->len))) {
		free(r);
		return NULL;
	}
	r->gid = gid;
	kr_prefix_key(&r->pfx, p);
	r->t = m->ts;
	r->frame = m->pkt_no;
	r->file = m->file;
	memcpy(r->msg, m->msg, m->len);
	r->len = m->len;
	unsigned b = bucket(&r->pfx);
	r->next = t->b[b];
	t->b[b] = r;
	return r;
}

static void drop_gid(struct jtable *t, unsigned gid)
{
	for (size_t i = 0; i < JR_BUCKETS; i++)
		for (struct jroute **pp = &t->b[i]; *pp;) {
			struct jroute *r = *pp;
			if (r->gid == gid) {
				*pp = r->next;
				free(r->msg);
				free(r);
			} else {
				pp = &r->next;
			}
		}
}

void kr_jroutes_drop(struct judge *J, unsigned gid)
{
	drop_gid(&J->in, gid);
	drop_gid(&J->out, gid);
}

void kr_jroutes_free(struct judge *J)
{
	for (int k = 0; k < 2; k++) {
		struct jtable *t = k ? &J->out : &J->in;
		for (size_t i = 0; i < JR_BUCKETS; i++)
			for (struct jroute *r = t->b[i], *n; r; r = n) {
				n = r->next;
				free(r->msg);
				free(r);
			}
	}
}

/* ---- validity ---------------------------------------------------------------- */

static uint32_t peer_as(const struct judge *J, unsigned gid)
{
	const struct jconn *c = &J->c[gid];
	int s = c->router_dir >= 0 ? c->spk[!c->router_dir] : -1;
	return s >= 0 ? J->sp[s].as : 0;
}

static const char *ski_hex(const uint8_t *ski, char buf[41])
{
	kr_hex_encode(buf, 41, ski, KR_SKI_LEN);
	return buf;
}

/* 1 Valid, 0 Not Valid (res says why), -1 unsigned or undecodable. */
static int validate(struct judge *J, struct kr_update *u, uint32_t my_as, uint32_t from_as, int64_t t,
		    int64_t grace, struct kr_val_result *res)
{
	if (u->i_bgpsec < 0)
		return -1;
	struct kr_val_opts vo = { .my_as = my_as, .peer_as = from_as };
	const struct kr_keytab *kt = kr_jkeys(J, t, grace);
	if (!kt || kr_bgpsec_validate_ctx(J->cc, kt, u, &vo, res) < 0)
		return -1;
	return res->verdict == KR_VALID;
}

/* A route the router received, judged at t. */
static int valid_in(struct judge *J, const struct jroute *r, int64_t t, int64_t grace, struct kr_val_result *res)
{
	struct kr_err e = { 0 };
	if (kr_update_decode(J->u2, r->msg, r->len, KR_ATTR_BGPSEC_PATH, &e) < 0)
		return -1;
	return validate(J, J->u2, J->router_as, peer_as(J, r->gid), t, grace, res);
}

/* The path under the router's own segment of a BGPsec UPDATE it sent (u
 * is changed): exactly the path it received, hash inputs included. */
static int valid_forward(struct judge *J, struct kr_update *u, int64_t t, int64_t grace, struct kr_val_result *res)
{
	struct kr_bgpsec_path *bp = &u->bgpsec;
	if (bp->nhops < 2)
		return -1;
	memmove(&bp->sp[0], &bp->sp[1], (bp->nhops - 1) * sizeof bp->sp[0]);
	for (size_t b = 0; b < bp->nblocks; b++) {
		struct kr_sig_block *k = &bp->blocks[b];
		if (k->nsegs) {
			memmove(&k->segs[0], &k->segs[1], (k->nsegs - 1) * sizeof k->segs[0]);
			k->nsegs--;
		}
	}
	bp->nhops--;
	return validate(J, u, J->router_as, bp->sp[0].asn, t, grace, res);
}

/* Does the route the router sent rest on one it holds that is Valid?
 * 1 yes (or an unsigned one), 0 no (*bad: the newest Not Valid one), -1
 * it holds nothing for the prefix (its own). */
static int supported(struct judge *J, const struct kr_prefix *p, int64_t t, int64_t grace, struct jroute **bad,
		     struct kr_val_result *why)
{
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	int found = -1;
	*bad = NULL;
	for (struct jroute *r = J->in.b[bucket(&c)]; r; r = r->next) {
		if (memcmp(&r->pfx, &c, sizeof c))
			continue;
		struct kr_val_result res;
		int v = valid_in(J, r, t, grace, &res);
		if (v != 0)
			return 1;
		found = 0;
		if (!*bad || r->t > (*bad)->t) {
			*bad = r;
			*why = res;
		}
	}
	return found;
}

static bool path_has_key(const struct kr_update *u, uint32_t asn, const uint8_t *ski)
{
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	for (size_t b = 0; b < bp->nblocks; b++)
		for (size_t i = 0; i < bp->blocks[b].nsegs && i < bp->nhops; i++)
			if (bp->sp[i].asn == asn && !memcmp(bp->blocks[b].segs[i].ski, ski, KR_SKI_LEN))
				return true;
	return false;
}

/* ---- checks at deadlines ------------------------------------------------------ */

static void schedule(struct judge *J, int64_t t, int kind, size_t idx)
{
	if (J->nchk == J->capchk) {
		size_t nc = J->capchk ? 2 * J->capchk : 16;
		struct jcheck *n = realloc(J->chk, nc * sizeof *n);
		if (!n)
			return;
		J->chk = n;
		J->capchk = nc;
	}
	J->chk[J->nchk++] = (struct jcheck){ t, kind, idx };
}

static void where_ref(const struct judge *J, uint64_t ref, char *buf, size_t sz)
{
	if (!ref)
		snprintf(buf, sz, "its Expire Interval");
	else
		kr_jwhere(J, (unsigned)(ref >> 40), ref & ((1ULL << 40) - 1), buf, sz);
}

/* A key the router held ended at s->to: what rested on it must be gone.
 * dry: the capture ends before T: count what is still there, find nothing. */
static size_t check_gone(struct judge *J, const struct kr_rkey_span *s, int64_t T, bool dry)
{
	const struct kr_keytab *kt = kr_jkeys(J, dry ? J->t_end : T, 0);
	if (kt && kr_keytab_has(kt, s->asn, s->ski))
		return 0; /* announced again in time */
	char ski[41], w[96], wr[96], pb[64], peer[32];
	ski_hex(s->ski, ski);
	where_ref(J, s->to_ref, wr, sizeof wr);
	size_t n = 0;
	for (size_t i = 0; i < JR_BUCKETS; i++)
		for (struct jroute *e = J->out.b[i]; e; e = e->next) {
			if ((e->reported & 1) || e->t > s->to)
				continue;
			struct kr_err err = { 0 };
			struct kr_val_result res;
			bool stale = false;
			if (e->bgpsec) {
				if (kr_update_decode(J->u2, e->msg, e->len, KR_ATTR_BGPSEC_PATH, &err) < 0 ||
				    !path_has_key(J->u2, s->asn, s->ski))
					continue;
				stale = validate(J, J->u2, peer_as(J, e->gid), J->router_as, dry ? J->t_end : T, 0, &res) == 0;
			} else {
				struct jroute *bad;
				stale = supported(J, &e->pfx, dry ? J->t_end : T, 0, &bad, &res) == 0 && bad &&
					kr_update_decode(J->u2, bad->msg, bad->len, KR_ATTR_BGPSEC_PATH, &err) == 0 &&
					path_has_key(J->u2, s->asn, s->ski);
			}
			if (!stale)
				continue;
			n++;
			if (dry)
				continue;
			e->reported |= 1;
			kr_prefix_format(&e->pfx, pb, sizeof pb);
			kr_jfind(J, V_GONE, T,
				 "%s still advertised to %s (%s%s, %s) %.2f s after the router lost key AS %u SKI %.8s (%s); "
				 "deadline %.2f s",
				 pb, kr_jpeer(J, e->gid, peer, sizeof peer), kr_jwhere(J, e->file, e->frame, w, sizeof w),
				 e->bgpsec ? ", signed over it" : ", unsigned copy of a route signed with it",
				 kr_reason_name(res.reason), kr_ns_to_s(T - s->to), s->asn, ski, wr, J->o->withdraw_s);
		}
	if (!dry)
		kr_jevent(J, V_GONE, T, "deadline for key AS %u SKI %.8s (lost at %s): %zu route%s still advertised",
			  s->asn, ski, wr, n, n == 1 ? "" : "s");
	return n;
}

/* The router's own key switch: after the twilight, nothing to a BGPsec
 * peer still carries its old key. */
static size_t check_twilight(struct judge *J, const struct jswitch *sw, int64_t T, bool dry)
{
	char from[41], to[41], w[96], ws[96], pb[64], peer[32];
	ski_hex(sw->from, from);
	ski_hex(sw->to, to);
	kr_jwhere(J, sw->file, sw->frame, ws, sizeof ws);
	size_t stale = 0, fresh = 0;
	for (size_t i = 0; i < JR_BUCKETS; i++)
		for (struct jroute *e = J->out.b[i]; e; e = e->next) {
			if (!e->bgpsec || e->klass != sw->klass)
				continue;
			if (!memcmp(e->own_ski, sw->to, KR_SKI_LEN)) {
				fresh++;
				continue;
			}
			if (memcmp(e->own_ski, sw->from, KR_SKI_LEN) || (e->reported & 2))
				continue;
			stale++;
			if (dry)
				continue;
			e->reported |= 2;
			kr_prefix_format(&e->pfx, pb, sizeof pb);
			kr_jfind(J, V_TWILIGHT, T,
				 "%s at %s still signed with the old %s key SKI %.8s (%s) %.2f s after the switch to "
				 "SKI %.8s (%s)",
				 pb, kr_jpeer(J, e->gid, peer, sizeof peer), sw->klass == 1 ? "origin" : "transit", from,
				 kr_jwhere(J, e->file, e->frame, w, sizeof w), J->o->twilight_s, to, ws);
		}
	if (!dry)
		kr_jevent(J, V_TWILIGHT, T, "twilight of the switch at %s over: %zu routes signed with the new key, %zu "
					    "still with the old one",
			  ws, fresh, stale);
	return stale;
}

void kr_jroutes_checks(struct judge *J, int64_t upto, bool end)
{
	if (!J->spans_scheduled) {
		J->spans_scheduled = true;
		for (size_t k = 0; k < J->nspans && J->keys_from_rtr; k++)
			if (J->spans[k].to != INT64_MAX)
				schedule(J, J->spans[k].to + (int64_t)(J->o->withdraw_s * NS), 0, k);
	}
	for (;;) {
		size_t best = J->nchk;
		for (size_t i = 0; i < J->nchk; i++)
			if (J->chk[i].t <= upto && (best == J->nchk || J->chk[i].t < J->chk[best].t))
				best = i;
		if (best == J->nchk)
			break;
		struct jcheck c = J->chk[best];
		J->chk[best].t = INT64_MAX; /* done */
		if (c.kind == 0)
			check_gone(J, &J->spans[c.idx], c.t, false);
		else
			check_twilight(J, &J->sw[c.idx], c.t, false);
	}
	/* deadlines after the end: met already, or not judged */
	for (size_t i = 0; end && i < J->nchk; i++) {
		struct jcheck *c = &J->chk[i];
		if (c->t == INT64_MAX)
			continue;
		size_t left = c->kind == 0 ? check_gone(J, &J->spans[c->idx], c->t, true)
					   : check_twilight(J, &J->sw[c->idx], c->t, true);
		if (left)
			kr_jevent(J, c->kind ? V_TWILIGHT : V_GONE, J->t_end,
				  "not judged: the capture ends %.2f s before a deadline, %zu route%s still to change",
				  kr_ns_to_s(c->t - J->t_end), left, left == 1 ? "" : "s");
		c->t = INT64_MAX;
	}
}

/* ---- what the router receives and sends ---------------------------------------- */

static uint64_t fnv64(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static void received(struct judge *J, struct jconn *c, const struct kr_cmsg *m, const struct kr_prefix *p)
{
	const struct kr_update *u = J->u;
	bool replay = false;
	if (u->i_bgpsec >= 0) {
		const struct kr_attr *a = &u->attrs[u->i_bgpsec];
		uint64_t h = fnv64(a->val, a->len);
		struct kr_prefix cp;
		kr_prefix_key(&cp, p);
		const struct jseen *first = NULL;
		for (size_t i = 0; i < J->nseen && !first; i++)
			if (J->seen[i].h == h && !memcmp(&J->seen[i].pfx, &cp, sizeof cp))
				first = &J->seen[i];
		if (first) {
			/* the same octets again after the route had changed or gone */
			struct jroute *cur = NULL;
			for (struct jroute *r = J->in.b[bucket(&cp)]; r; r = r->next)
				if (r->gid == c->gid && !memcmp(&r->pfx, &cp, sizeof cp))
					cur = r;
			struct kr_update *v = J->u2;
			struct kr_err e = { 0 };
			replay = !cur || kr_update_decode(v, cur->msg, cur->len, KR_ATTR_BGPSEC_PATH, &e) < 0 ||
				 v->i_bgpsec < 0 || fnv64(v->attrs[v->i_bgpsec].val, v->attrs[v->i_bgpsec].len) != h;
			if (replay) {
				char w[96], w1[96], pb[64];
				kr_prefix_format(p, pb, sizeof pb);
				J->replays++;
				kr_jevent(J, V_REPLAY, m->ts, "replay: %s received again (%s) with the octets of %s", pb,
					  kr_jwhere(J, m->file, m->pkt_no, w, sizeof w),
					  kr_jwhere(J, first->file, first->frame, w1, sizeof w1));
			}
		} else {
			struct jseen *ns = realloc(J->seen, (J->nseen + 1) * sizeof *ns);
			if (ns) {
				J->seen = ns;
				J->seen[J->nseen++] = (struct jseen){ cp, h, m->pkt_no, m->file, m->ts };
			}
		}
	}
	struct jroute *r = put(&J->in, c->gid, p, m);
	if (r) {
		r->bgpsec = u->i_bgpsec >= 0;
		r->replayed = replay;
	}
}

/* Its own key: a SKI never used before in this class starts a switch. */
static void own_key(struct judge *J, int klass, const uint8_t *ski, const struct kr_cmsg *m, const char *pfx,
		    const char *peer)
{
	for (size_t i = 0; i < J->nsw; i++) {
		const struct jswitch *sw = &J->sw[i];
		if (sw->klass != klass || memcmp(sw->from, ski, KR_SKI_LEN))
			continue;
		int64_t end = sw->t + (int64_t)(J->o->twilight_s * NS);
		if (m->ts > end) {
			char s[41], w[96], ws[96];
			kr_jfind(J, V_TWILIGHT, m->ts, "%s sent to %s signed with the old key SKI %.8s (%s) %.2f s after the switch (%s)",
				 pfx, peer, ski_hex(ski, s), kr_jwhere(J, m->file, m->pkt_no, w, sizeof w),
				 kr_ns_to_s(m->ts - sw->t), kr_jwhere(J, sw->file, sw->frame, ws, sizeof ws));
		}
		return;
	}
	if (!J->have_cur[klass]) {
		memcpy(J->cur_ski[klass], ski, KR_SKI_LEN);
		J->have_cur[klass] = true;
		return;
	}
	if (!memcmp(J->cur_ski[klass], ski, KR_SKI_LEN))
		return;
	struct jswitch *n = realloc(J->sw, (J->nsw + 1) * sizeof *n);
	if (!n)
		return;
	J->sw = n;
	struct jswitch *sw = &J->sw[J->nsw];
	memset(sw, 0, sizeof *sw);
	sw->klass = klass;
	memcpy(sw->from, J->cur_ski[klass], KR_SKI_LEN);
	memcpy(sw->to, ski, KR_SKI_LEN);
	sw->t = m->ts;
	sw->frame = m->pkt_no;
	sw->file = m->file;
	memcpy(J->cur_ski[klass], ski, KR_SKI_LEN);
	schedule(J, m->ts + (int64_t)(J->o->twilight_s * NS), 1, J->nsw);
	char a[41], b[41], w[96];
	kr_jevent(J, V_TWILIGHT, m->ts, "the router switches its %s key from SKI %.8s to SKI %.8s (%s)",
		  klass == 1 ? "origin" : "transit", ski_hex(sw->from, a), ski_hex(ski, b),
		  kr_jwhere(J, m->file, m->pkt_no, w, sizeof w));
	J->nsw++;
}

static void sent(struct judge *J, struct jconn *c, const struct kr_cmsg *m, const struct kr_prefix *p)
{
	const struct kr_update *u = J->u;
	const struct kr_bgpsec_path *bp = &u->bgpsec;
	bool bgpsec = u->i_bgpsec >= 0 && !u->bgpsec_malformed && bp->nhops && bp->nblocks && bp->blocks[0].nsegs;
	char pb[64], peer[32], w[96], w2[96];
	kr_prefix_format(p, pb, sizeof pb);
	kr_jpeer(J, c->gid, peer, sizeof peer);
	kr_jwhere(J, m->file, m->pkt_no, w, sizeof w);
	J->updates_out++;
	int64_t grace = (int64_t)(J->o->grace_s * NS);
	struct kr_val_result res;
	struct jroute *src = NULL;
	int verdict = -1;
	if (bgpsec && bp->nhops >= 2) {
		uint32_t up = bp->sp[1].asn;
		memcpy(J->u2, u, sizeof *J->u2);
		verdict = J->have_keys ? valid_forward(J, J->u2, m->ts, grace, &res) : -1;
		struct kr_prefix cp;
		kr_prefix_key(&cp, p);
		for (struct jroute *r = J->in.b[bucket(&cp)]; r; r = r->next)
			if (!memcmp(&r->pfx, &cp, sizeof cp) && peer_as(J, r->gid) == up && (!src || r->t > src->t))
				src = r;
	} else if (!bgpsec && J->have_keys) {
		verdict = supported(J, p, m->ts, grace, &src, &res);
	}
	if (verdict >= 0)
		J->forwards++;
	if (verdict == 0) {
		bool replay = src && src->replayed;
		kr_jfind(J, replay ? V_REPLAY : V_NOTVALID, m->ts,
			 "%s propagated to %s (%s%s) although Not Valid under the keys the router held: %s%s%s%s",
			 pb, peer, w, bgpsec ? "" : ", unsigned", kr_reason_name(res.reason),
			 src ? "; received at " : "", src ? kr_jwhere(J, src->file, src->frame, w2, sizeof w2) : "",
			 replay ? " (a replay)" : "");
	}
	int klass = bgpsec ? (bp->nhops == 1 ? 1 : 2) : 0;
	if (bgpsec)
		own_key(J, klass, bp->blocks[0].segs[0].ski, m, pb, peer);
	struct jroute *r = put(&J->out, c->gid, p, m);
	if (r) {
		r->bgpsec = bgpsec;
		r->klass = klass;
		if (bgpsec)
			memcpy(r->own_ski, bp->blocks[0].segs[0].ski, KR_SKI_LEN);
	}
}

void kr_jroutes_update(struct judge *J, struct jconn *c, const struct kr_cmsg *m)
{
	struct kr_err e = { 0 };
	struct kr_update *u = J->u;
	if (kr_update_decode(u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) < 0)
		return; /* the lint says why */
	bool out = (int)m->dir == c->router_dir;
	struct jtable *t = out ? &J->out : &J->in;
	if (!out)
		J->updates_in++;
	struct kr_nlri_iter it;
	struct kr_prefix p;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	while (kr_nlri_next(&it, &p))
		del(t, c->gid, &p);
	if (u->i_mp_unreach >= 0 && u->mp_unreach.safi == KR_SAFI_UNICAST) {
		kr_nlri_iter_init(&it, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
		while (kr_nlri_next(&it, &p))
			del(t, c->gid, &p);
	}
	/* RFC 7606 / RFC 8205 §5.2: a malformed UPDATE withdraws what it announces */
	bool taw = !out && (u->attr_malformed || (u->i_bgpsec >= 0 && u->bgpsec_malformed));
	for (int k = 0; k < 2; k++) {
		if (k == 0)
			kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
		else if (u->i_mp_reach >= 0 && u->mp_reach.safi == KR_SAFI_UNICAST)
			kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
		else
			break;
		while (kr_nlri_next(&it, &p)) {
			if (taw)
				del(t, c->gid, &p);
			else if (out)
				sent(J, c, m, &p);
			else
				received(J, c, m, &p);
		}
	}
}
