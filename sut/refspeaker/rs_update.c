/* Received UPDATEs: RFC 7606 / RFC 8205 §5.2 error handling, BGPsec
 * validation (RFC 8205 §5) and re-validation when router keys change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rs_faults.h"
#include "rs_speaker.h"

/* What validation needs of a peer, copied for a worker thread. */
struct vpeer {
	uint32_t my_as, peer_as;
	bool pcount0;
};

static struct vpeer vpeer_of(const struct rs_speaker *sp, const struct rs_peer *p)
{
	struct vpeer v = { sp->cfg.asn, p->neg.peer_as, p->cfg->pcount0 };
	return v;
}

/* Validate a signed UPDATE from a peer (RFC 8205 §5.2); any thread, the
 * key table being stable meanwhile (rs_work.h). */
static enum kr_reason validate(struct kr_crypto_ctx *cc, const struct kr_keytab *kt, const struct vpeer *p,
			       const struct kr_update *u, enum rs_val *val, char *detail, size_t dsz)
{
	struct kr_val_opts o = { .my_as = p->my_as, .peer_as = p->peer_as, .allow_pcount0 = p->pcount0 };
	struct kr_val_result res;
	memset(&res, 0, sizeof res);
	if (kr_bgpsec_validate_ctx(cc, kt, u, &o, &res) < 0) {
		if (detail)
			snprintf(detail, dsz, "validation failed internally: %.120s", res.detail);
		*val = RS_NOTVALID;
		return KR_R_BAD_SIGNATURE;
	}
	if (detail)
		snprintf(detail, dsz, "%s", res.detail);
	*val = res.verdict == KR_VALID ? RS_VALID : RS_NOTVALID;
	if (res.reason == KR_R_UNSUPPORTED_SUITE)
		*val = RS_UNSIGNED; /* RFC 8205 §5.2: no supported suite = unsigned */
	if (res.reason == KR_R_UNKNOWN_SKI && rs_fault.accept_unknown_ski)
		*val = RS_VALID;
	if (res.reason == KR_R_BAD_SIGNATURE && rs_fault.skip_signature_check)
		*val = RS_VALID;
	return res.reason;
}

static uint32_t be32(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* Path facts used by the decision, loop checks and re-validation. */
static int describe(struct rs_path *path, const struct kr_update *u, bool signed_route)
{
	size_t n = 0;
	if (signed_route) {
		const struct kr_bgpsec_path *b = &u->bgpsec;
		size_t ns = b->nblocks ? b->blocks[0].nsegs : 0;
		if (ns > b->nhops)
			ns = b->nhops;
		path->sigs = calloc(ns ? ns : 1, sizeof *path->sigs);
		path->asns = calloc(b->nhops ? b->nhops : 1, sizeof *path->asns);
		if (!path->sigs || !path->asns)
			return -1;
		for (size_t i = 0; i < ns; i++) {
			path->sigs[i].asn = b->sp[i].asn;
			memcpy(path->sigs[i].ski, b->blocks[0].segs[i].ski, KR_SKI_LEN);
		}
		path->nsigs = ns;
		for (size_t i = 0; i < b->nhops; i++) {
			path->asns[i] = b->sp[i].asn;
			path->path_len += b->sp[i].pcount;
		}
		path->nasns = b->nhops;
		return 0;
	}
	for (size_t i = 0; i < u->nas_segs; i++)
		n += u->as_segs[i].count;
	path->asns = calloc(n ? n : 1, sizeof *path->asns);
	if (!path->asns)
		return -1;
	for (size_t i = 0; i < u->nas_segs; i++) {
		const struct kr_as_seg *s = &u->as_segs[i];
		for (size_t k = 0; k < s->count; k++)
			path->asns[path->nasns++] = be32(s->asns + 4 * k);
		/* RFC 4271 §9.1.2.2: an AS_SET counts as one; confed segments none */
		if (s->type == 2)
			path->path_len += s->count;
		else if (s->type == 1)
			path->path_len += 1;
	}
	return 0;
}

static void withdraw_prefix(struct rs_speaker *sp, struct rs_peer *p, const struct kr_prefix *pf)
{
	struct rs_dest *d = rs_rib_get(sp->rib, pf, false);
	if (!d || !d->paths[p->idx])
		return;
	rs_rib_del_path(d, p->idx);
	rs_decide_and_export(sp, d);
	rs_rib_gc(sp->rib, d);
}

struct pfx_list {
	struct kr_prefix p[64];
	size_t n;
	bool overflow;
};

static void collect(struct pfx_list *l, uint16_t afi, const uint8_t *nlri, size_t len)
{
	struct kr_nlri_iter it;
	kr_nlri_iter_init(&it, afi, nlri, len);
	struct kr_prefix pf;
	while (kr_nlri_next(&it, &pf)) {
		if (l->n == sizeof l->p / sizeof l->p[0]) {
			l->overflow = true;
			return;
		}
		kr_prefix_canon(&pf);
		l->p[l->n++] = pf;
	}
}

static void treat_as_withdraw(struct rs_speaker *sp, struct rs_peer *p, const struct pfx_list *l,
			      const char *why)
{
	char b[64] = "";
	if (l->n)
		kr_prefix_format(&l->p[0], b, sizeof b);
	rs_log("%s: treat-as-withdraw (%zu prefix%s, first %s): %s", p->name, l->n,
	       l->n == 1 ? "" : "es", b, why);
	sp->st.treat_as_withdraw++;
	for (size_t i = 0; i < l->n; i++)
		withdraw_prefix(sp, p, &l->p[i]);
}

/* Map a decode error to the NOTIFICATION subcode of RFC 4271 §6.3. */
static uint8_t update_subcode(int code)
{
	switch (code) {
	case KR_WE_ATTR_FLAGS: return 4;
	case KR_WE_ATTR_LEN: return 5;
	case KR_WE_NLRI: return 10;
	case KR_WE_AS_PATH: return 11;
	case KR_WE_MP: return 9;
	default: return 1; /* Malformed Attribute List */
	}
}

/* Validation done by a worker for a received UPDATE. */
struct preval {
	bool done;
	enum rs_val val;
	int reason;
	char detail[160];
};

static void apply(struct rs_speaker *sp, struct rs_peer *p, const uint8_t *msg, size_t len,
		  const struct kr_update *u, const struct kr_err *err, const struct preval *pv)
{
	sp->st.updates_in++;
	p->updates_in++;
	if (!u) {
		/* The NLRI could not be located (RFC 7606 §3 j) or the attribute
		 * list is broken (§3 a, b, g): session reset. */
		rs_log("%s: malformed UPDATE at offset %zu: %s; sending NOTIFICATION 3/%u",
		       p->name, err ? err->offset : 0, err ? err->msg : "?",
		       update_subcode(err ? err->code : 0));
		kr_bgp_send_notification(p->s, 3, update_subcode(err ? err->code : 0), NULL, 0);
		return;
	}
	/* withdrawals first */
	struct pfx_list wl = { .n = 0 };
	collect(&wl, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	if (u->i_mp_unreach >= 0 && u->mp_unreach.safi == KR_SAFI_UNICAST)
		collect(&wl, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
	for (size_t i = 0; i < wl.n; i++)
		withdraw_prefix(sp, p, &wl.p[i]);
	sp->st.withdrawn_in += wl.n;

	struct pfx_list al = { .n = 0 };
	collect(&al, KR_AFI_IPV4, u->nlri, u->nlri_len);
	bool mp = u->i_mp_reach >= 0 && u->mp_reach.safi == KR_SAFI_UNICAST;
	if (mp)
		collect(&al, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	if (!al.n)
		return;
	if (al.overflow) {
		kr_bgp_send_notification(p->s, 3, 1, NULL, 0);
		return;
	}
	if (u->attr_malformed) /* RFC 7606 §7.1-7.3 */
		return treat_as_withdraw(sp, p, &al, u->attr_err.msg);
	uint16_t afi = mp ? u->mp_reach.afi : KR_AFI_IPV4;
	bool has_sec = u->i_bgpsec >= 0;
	if (has_sec && afi == KR_AFI_IPV6 && rs_fault.abort_on_ipv6_bgpsec) {
		rs_log("fault abort-on-ipv6-bgpsec: aborting on an IPv6 BGPsec UPDATE from %s", p->name);
		/* no core file wherever the harness runs */
		setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
		abort(); /* fault: a crash on the first IPv6 BGPsec_PATH */
	}
	if (has_sec && afi == KR_AFI_IPV6 && rs_fault.notify_on_ipv6_bgpsec) {
		rs_log("fault notify-on-ipv6-bgpsec: %s: IPv6 BGPsec UPDATE treated as malformed, "
		       "sending NOTIFICATION 3/1", p->name);
		kr_bgp_send_notification(p->s, 3, 1, NULL, 0); /* fault: session reset */
		return;
	}
	bool signed_route = has_sec && afi <= 2 && p->neg.bgpsec_recv[afi];
	if (has_sec && !signed_route)
		rs_log("%s: BGPsec_PATH for AFI %u without negotiated BGPsec: attribute ignored",
		       p->name, afi);
	if (u->i_origin < 0)
		return treat_as_withdraw(sp, p, &al, "ORIGIN missing (RFC 7606 §3 d)");
	if (!signed_route && u->i_as_path < 0)
		return treat_as_withdraw(sp, p, &al, "AS_PATH missing (RFC 7606 §3 d)");
	if (u->nlri_len && u->i_next_hop < 0)
		return treat_as_withdraw(sp, p, &al, "NEXT_HOP missing (RFC 7606 §3 d)");

	enum rs_val val = RS_UNSIGNED;
	int reason = KR_R_OK;
	if (signed_route) {
		if (u->bgpsec_malformed)
			return treat_as_withdraw(sp, p, &al, u->bgpsec_err.msg);
		char detail[160] = "";
		/* a cached verdict (faults cache-*-verdicts) wins over the worker's */
		if (!rs_vcache_get(msg, len, &val, &reason)) {
			if (pv && pv->done) {
				val = pv->val;
				reason = pv->reason;
				snprintf(detail, sizeof detail, "%s", pv->detail);
			} else {
				struct vpeer vp = vpeer_of(sp, p);
				reason = validate(sp->cc, sp->keytab, &vp, u, &val, detail, sizeof detail);
			}
			rs_vcache_put(msg, len, u, val, reason);
		}
		if (kr_reason_is_malformed(reason)) {
			char why[220];
			snprintf(why, sizeof why, "RFC 8205 §5.2: %s %s", kr_reason_name(reason), detail);
			return treat_as_withdraw(sp, p, &al, why);
		}
	}
	for (size_t i = 0; i < al.n; i++) {
		struct rs_path *path = rs_path_new(sp->rib, msg, len);
		if (!path || describe(path, u, signed_route) < 0) {
			rs_path_free(path);
			rs_log("%s: out of memory, UPDATE dropped", p->name);
			return;
		}
		path->bgpsec = signed_route;
		path->val = val;
		path->reason = reason;
		if (!signed_route && rs_path_has_as(path, sp->cfg.asn)) {
			/* RFC 4271 §9.1.2: our own AS in the path, not accepted */
			rs_path_free(path);
			withdraw_prefix(sp, p, &al.p[i]);
			continue;
		}
		struct rs_dest *d = rs_rib_get(sp->rib, &al.p[i], true);
		if (!d) {
			rs_path_free(path);
			return;
		}
		if (rs_log_route(sp)) {
			char b[64];
			kr_prefix_format(&al.p[i], b, sizeof b);
			rs_log("%s: %s %s (%s)", p->name, b, rs_val_name(val),
			       signed_route ? kr_reason_name(reason) : "AS_PATH");
		}
		const struct rs_path *old = d->paths[p->idx];
		if (rs_fault.suppress_same_path && old && old->bgpsec && path->bgpsec && old->val == path->val &&
		    old->nasns == path->nasns && !memcmp(old->asns, path->asns, old->nasns * sizeof *old->asns))
			path->id = old->id; /* fault: same ASes, "nothing changed", not passed on */
		rs_rib_set_path(sp->rib, d, p->idx, path);
		rs_decide_and_export(sp, d);
	}
}

/* ---- received UPDATEs through the job pipeline ------------------------------ */

struct rx_job {
	struct rs_job j;
	struct rs_speaker *sp;
	size_t peer;
	uint32_t epoch;
	struct vpeer vp;
	const struct kr_keytab *kt;
	struct preval pv;
	size_t len;
	uint8_t msg[];
};

/* Worker: the RFC 8205 §5.2 validation of a signed UPDATE. */
static void rx_run(struct rs_job *jj, struct rs_wctx *w)
{
	struct rx_job *j = (struct rx_job *)jj;
	struct kr_err e;
	if (kr_update_decode(w->u, j->msg, j->len, KR_ATTR_BGPSEC_PATH, &e) < 0 || w->u->i_bgpsec < 0 ||
	    w->u->bgpsec_malformed)
		return; /* apply() sorts it out */
	j->pv.reason = validate(w->cc, j->kt, &j->vp, w->u, &j->pv.val, j->pv.detail, sizeof j->pv.detail);
	j->pv.done = true;
}

static void rx_done(struct rs_job *jj)
{
	struct rx_job *j = (struct rx_job *)jj;
	struct rs_speaker *sp = j->sp;
	struct rs_peer *p = &sp->peers[j->peer];
	if (p->up && p->epoch == j->epoch) {
		struct kr_err e;
		kr_err_clear(&e);
		int rc = kr_update_decode(sp->urx, j->msg, j->len, KR_ATTR_BGPSEC_PATH, &e);
		apply(sp, p, j->msg, j->len, rc == 0 ? sp->urx : NULL, &e, &j->pv);
	}
	free(j);
}

void rs_on_update(struct rs_speaker *sp, struct rs_peer *p, const uint8_t *msg, size_t len,
		  const struct kr_update *u, const struct kr_err *err)
{
	struct rx_job *j = malloc(sizeof *j + len);
	if (!j) {
		rs_log("%s: out of memory, UPDATE dropped", p->name);
		return;
	}
	memset(j, 0, sizeof *j);
	j->sp = sp;
	j->peer = p->idx;
	j->epoch = p->epoch;
	j->vp = vpeer_of(sp, p);
	j->kt = sp->keytab;
	j->len = len;
	memcpy(j->msg, msg, len);
	/* only signed UPDATEs from a peer that may send them need a worker */
	uint16_t afi = u && u->i_mp_reach >= 0 ? u->mp_reach.afi : KR_AFI_IPV4;
	bool verify = u && u->i_bgpsec >= 0 && !u->bgpsec_malformed && afi <= 2 && p->neg.bgpsec_recv[afi];
	j->j.run = verify ? rx_run : NULL;
	j->j.done = rx_done;
	rs_work_submit(sp->work, &j->j);
	if (rs_work_busy(sp->work) && !sp->reading_paused) {
		sp->reading_paused = true; /* TCP pushes back until the window drains */
		for (size_t i = 0; i < sp->cfg.npeers; i++)
			if (sp->peers[i].s)
				kr_bgp_session_pause_read(sp->peers[i].s, true);
	}
}

struct down_arg {
	struct rs_speaker *sp;
	size_t idx;
};

static void drop_peer(struct rs_dest *d, void *arg)
{
	struct down_arg *a = arg;
	memset(&d->out[a->idx], 0, sizeof d->out[a->idx]);
	/* fault keep-routes-on-session-down: kept as if Graceful Restart had
	 * been negotiated (it was not) */
	if (!d->paths[a->idx] || rs_fault.keep_routes_on_session_down)
		return;
	rs_rib_del_path(d, a->idx);
	rs_decide_and_export(a->sp, d);
}

void rs_peer_down_routes(struct rs_speaker *sp, struct rs_peer *p)
{
	struct down_arg a = { sp, p->idx };
	rs_rib_walk(sp->rib, drop_peer, &a);
}

/* ---- re-validation when router keys change (RFC 8205 §5) ---------------- */

static bool path_uses_as(const struct rs_path *p, uint32_t asn)
{
	for (size_t i = 0; i < p->nsigs; i++)
		if (p->sigs[i].asn == asn)
			return true;
	return false;
}

/* Does a signature of p carry the key (any segment, RFC 8205 §5)? */
static bool uses_key(const struct rs_path *p, uint32_t asn, const uint8_t *ski)
{
	if (!p->nsigs)
		return false;
	/* faults: only one segment is looked at (wire order, 0 = newest) */
	if (rs_fault.reval_origin_segment_only || rs_fault.reval_first_segment_only) {
		const struct rs_sigref *g = &p->sigs[rs_fault.reval_first_segment_only ? 0 : p->nsigs - 1];
		return g->asn == asn && !memcmp(g->ski, ski, KR_SKI_LEN);
	}
	return rs_path_has_sig(p, asn, ski);
}

/* The paths of one destination a key change concerns, validated again on
 * a worker and applied together (one decision, as before the change). */
struct reval_ent {
	size_t peer;
	uint64_t path_id;
	struct vpeer vp;
	enum rs_val val;
	int reason;
	size_t len;
	uint8_t *msg;
};
struct reval_job {
	struct rs_job j;
	struct rs_speaker *sp;
	struct rs_walk *w;   /* only while the walk lives: counts are kept in the speaker */
	const struct kr_keytab *kt;
	struct kr_prefix pfx;
	size_t n;
	struct reval_ent e[RS_MAX_PEERS];
};

static void reval_run(struct rs_job *jj, struct rs_wctx *w)
{
	struct reval_job *j = (struct reval_job *)jj;
	for (size_t i = 0; i < j->n; i++) {
		struct reval_ent *e = &j->e[i];
		struct kr_err err;
		e->val = RS_NOTVALID;
		e->reason = KR_R_MALFORMED;
		if (kr_update_decode(w->u, e->msg, e->len, KR_ATTR_BGPSEC_PATH, &err) == 0)
			e->reason = validate(w->cc, j->kt, &e->vp, w->u, &e->val, NULL, 0);
	}
}

static void reval_apply(struct rs_speaker *sp, struct rs_dest *d, size_t peer, enum rs_val nv, int reason,
			bool *changed)
{
	struct rs_path *p = d->paths[peer];
	p->reason = reason;
	sp->st.revalidated++;
	if (nv == p->val)
		return;
	if (rs_log_route(sp)) {
		char b[64];
		kr_prefix_format(&d->pfx, b, sizeof b);
		rs_log("re-validated %s from %s: %s -> %s", b, sp->peers[peer].name, rs_val_name(p->val),
		       rs_val_name(nv));
	}
	p->val = nv;
	*changed = true;
}

static void reval_done(struct rs_job *jj)
{
	struct reval_job *j = (struct reval_job *)jj;
	struct rs_speaker *sp = j->sp;
	struct rs_dest *d = rs_rib_get(sp->rib, &j->pfx, false);
	bool changed = false;
	for (size_t i = 0; i < j->n; i++) {
		struct reval_ent *e = &j->e[i];
		/* the path may have been replaced or withdrawn meanwhile */
		if (d && d->paths[e->peer] && d->paths[e->peer]->id == e->path_id)
			reval_apply(sp, d, e->peer, e->val, e->reason, &changed);
		free(e->msg);
	}
	if (changed) {
		sp->st.reval_changed++;
		rs_decide_and_export(sp, d);
	}
	free(j);
}

void rs_reval_step(struct rs_speaker *sp, struct rs_walk *w, struct rs_dest *d)
{
	bool changed = false;
	struct reval_job *j = NULL;
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		struct rs_path *p = d->paths[i];
		if (!p || !p->bgpsec)
			continue;
		if (w->rk == RS_REVAL_AS_GONE) {
			/* fault over-withdraw: every route of the AS is condemned */
			if (path_uses_as(p, w->asn))
				reval_apply(sp, d, i, RS_NOTVALID, KR_R_UNKNOWN_SKI, &changed);
			continue;
		}
		if (!uses_key(p, w->asn, w->ski))
			continue;
		/* a new key only helps routes that were Not Valid */
		if (w->rk == RS_REVAL_ANNOUNCED && p->val != RS_NOTVALID)
			continue;
		if (!j && !(j = calloc(1, sizeof *j)))
			break;
		struct reval_ent *e = &j->e[j->n];
		if (!(e->msg = malloc(p->msg_len)))
			break;
		memcpy(e->msg, p->msg, p->msg_len);
		e->len = p->msg_len;
		e->peer = i;
		e->path_id = p->id;
		e->vp = vpeer_of(sp, &sp->peers[i]);
		j->n++;
	}
	if (changed) {
		sp->st.reval_changed++;
		rs_decide_and_export(sp, d);
	}
	if (!j)
		return;
	if (!j->n) {
		free(j);
		return;
	}
	j->sp = sp;
	j->kt = sp->keytab;
	j->pfx = d->pfx;
	j->j.run = reval_run;
	j->j.done = reval_done;
	rs_work_submit(sp->work, &j->j);
}

void rs_reval_finish(struct rs_speaker *sp, struct rs_walk *w)
{
	/* the jobs of this walk may still be in flight: the count logged is
	 * what has been applied so far */
	rs_log("key change of AS %u: re-validation walk done (%llu prefixes changed so far)", w->asn,
	       (unsigned long long)sp->st.reval_changed);
}

/* Key change: wait for the jobs in flight (they read the key table), then
 * change it and walk the RIB for the routes concerned. */
static void revalidate(struct rs_speaker *sp, enum rs_reval_kind kind, uint32_t asn, const uint8_t *ski)
{
	struct rs_walk *w = calloc(1, sizeof *w);
	if (!w) {
		rs_log("out of memory: no re-validation after the key change of AS %u", asn);
		return;
	}
	w->kind = RS_WALK_REVAL;
	w->rk = kind;
	w->asn = asn;
	memcpy(w->ski, ski, KR_SKI_LEN);
	rs_walk_start(sp, w);
}

static void ski_hex(const uint8_t *ski, char *out, size_t sz) { kr_hex_encode(out, sz, ski, KR_SKI_LEN); }

static void rkey_del(struct rs_speaker *sp, size_t i)
{
	sp->rkeys[i] = sp->rkeys[--sp->nrkeys];
}

static bool rkey_same(const struct rs_rkey *k, uint32_t asn, const uint8_t *ski, const uint8_t *spki)
{
	return k->asn == asn && !memcmp(k->ski, ski, KR_SKI_LEN) &&
	       !memcmp(k->spki, spki, KR_SPKI_P256_LEN);
}

/* A Cache Reset or new session id happened (fault no-keys-after-reset). */
static bool reset_seen;

void rs_key_announced(struct rs_speaker *sp, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		      const uint8_t *spki, bool resetting)
{
	char h[48];
	ski_hex(ski, h, sizeof h);
	sp->st.rtr_announce++;
	rs_vcache_key_changed(asn, ski, resetting);
	rs_log("RTR: router key AS %u SKI %s announced", asn, h);
	rs_work_drain(sp->work); /* workers read the key table */
	if (rs_fault.one_key_per_as) {
		/* fault: the AS's other keys are dropped at once */
		for (size_t i = 0; i < sp->nrkeys;) {
			struct rs_rkey o = sp->rkeys[i];
			if (o.asn != asn || !memcmp(o.ski, ski, KR_SKI_LEN)) {
				i++;
				continue;
			}
			rkey_del(sp, i);
			kr_keytab_del(sp->keytab, o.asn, o.ski, o.spki, KR_SPKI_P256_LEN);
			rs_log("fault one-key-per-as: key AS %u replaced", asn);
			revalidate(sp, RS_REVAL_WITHDRAWN, o.asn, o.ski);
		}
	}
	for (size_t i = 0; i < sp->nrkeys; i++)
		if (rkey_same(&sp->rkeys[i], asn, ski, spki))
			return; /* already known (e.g. restored after an expiry) */
	if (rs_fault.no_keys_after_reset && reset_seen) {
		rs_log("fault no-keys-after-reset: key AS %u SKI %s ignored", asn, h);
		return; /* fault: the reload after a reset never happens */
	}
	struct kr_err e;
	kr_err_clear(&e);
	if (kr_keytab_add(sp->keytab, asn, ski, spki, KR_SPKI_P256_LEN, &e) < 0) {
		rs_log("RTR: key AS %u SKI %s not usable: %s", asn, h, e.msg);
		return;
	}
	struct rs_rkey *n = realloc(sp->rkeys, (sp->nrkeys + 1) * sizeof *n);
	if (n) {
		sp->rkeys = n;
		n[sp->nrkeys].asn = asn;
		memcpy(n[sp->nrkeys].ski, ski, KR_SKI_LEN);
		memcpy(n[sp->nrkeys].spki, spki, KR_SPKI_P256_LEN);
		sp->nrkeys++;
	}
	if (rs_fault.no_revalidate_on_announce) {
		rs_log("fault no-revalidate-on-announce: stored routes not re-validated");
		return;
	}
	revalidate(sp, RS_REVAL_ANNOUNCED, asn, ski);
}

void rs_key_withdrawn(struct rs_speaker *sp, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		      const uint8_t *spki, bool resetting)
{
	char h[48];
	ski_hex(ski, h, sizeof h);
	sp->st.rtr_withdraw++;
	rs_log("RTR: router key AS %u SKI %s withdrawn%s", asn, h,
	       resetting ? " (cache reset)" : "");
	if (rs_fault.ignore_rtr_withdraw) {
		rs_log("fault ignore-rtr-withdraw: key kept");
		return;
	}
	reset_seen |= resetting;
	if (resetting && rs_fault.stale_keys_after_reset) {
		rs_log("fault stale-keys-after-reset: key kept");
		return;
	}
	rs_work_drain(sp->work); /* workers read the key table */
	rs_vcache_key_changed(asn, ski, resetting);
	kr_keytab_del(sp->keytab, asn, ski, spki, KR_SPKI_P256_LEN);
	for (size_t i = 0; i < sp->nrkeys; i++)
		if (rkey_same(&sp->rkeys[i], asn, ski, spki)) {
			rkey_del(sp, i);
			break;
		}
	if (rs_fault.over_withdraw) {
		revalidate(sp, RS_REVAL_AS_GONE, asn, ski);
		return;
	}
	/* only the routes signed with that key (RFC 8205 §5, RFC 8634 §3.1 step 5) */
	revalidate(sp, RS_REVAL_WITHDRAWN, asn, ski);
}
