/* Received UPDATEs: RFC 7606 / RFC 8205 §5.2 error handling, BGPsec
 * validation (RFC 8205 §5) and re-validation when router keys change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "rs_faults.h"
#include "rs_speaker.h"

/* Validate a signed UPDATE from peer p; sets path val/reason. */
static enum kr_reason validate(struct rs_speaker *sp, const struct rs_peer *p,
			       const struct kr_update *u, enum rs_val *val, char *detail, size_t dsz)
{
	struct kr_val_opts o = { .my_as = sp->cfg.asn, .peer_as = p->neg.peer_as,
				 .allow_pcount0 = p->cfg->pcount0 };
	struct kr_val_result res;
	memset(&res, 0, sizeof res);
	if (kr_bgpsec_validate_ctx(sp->cc, sp->keytab, u, &o, &res) < 0) {
		rs_log("%s: validation failed internally: %s", p->name, res.detail);
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

void rs_on_update(struct rs_speaker *sp, struct rs_peer *p, const uint8_t *msg, size_t len,
		  const struct kr_update *u, const struct kr_err *err)
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
		if (!rs_vcache_get(msg, len, &val, &reason)) {
			reason = validate(sp, p, u, &val, detail, sizeof detail);
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
		char b[64];
		kr_prefix_format(&al.p[i], b, sizeof b);
		rs_log("%s: %s %s (%s)", p->name, b, rs_val_name(val),
		       signed_route ? kr_reason_name(reason) : "AS_PATH");
		rs_rib_set_path(sp->rib, d, p->idx, path);
		rs_decide_and_export(sp, d);
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

enum reval_kind { REVAL_ANNOUNCED, REVAL_WITHDRAWN, REVAL_AS_GONE };

struct reval_arg {
	struct rs_speaker *sp;
	enum reval_kind kind;
	uint32_t asn;
	const uint8_t *ski;
	size_t changed;
};

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

static void reval_dest(struct rs_dest *d, void *arg)
{
	struct reval_arg *a = arg;
	struct rs_speaker *sp = a->sp;
	bool changed = false;
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		struct rs_path *p = d->paths[i];
		if (!p || !p->bgpsec)
			continue;
		enum rs_val nv;
		if (a->kind == REVAL_AS_GONE) {
			/* fault over-withdraw: every route of the AS is condemned */
			if (!path_uses_as(p, a->asn))
				continue;
			nv = RS_NOTVALID;
			p->reason = KR_R_UNKNOWN_SKI;
		} else {
			if (!uses_key(p, a->asn, a->ski))
				continue;
			/* a new key only helps routes that were Not Valid */
			if (a->kind == REVAL_ANNOUNCED && p->val != RS_NOTVALID)
				continue;
			struct kr_err e;
			if (kr_update_decode(sp->uv, p->msg, p->msg_len, KR_ATTR_BGPSEC_PATH, &e) < 0)
				continue;
			p->reason = validate(sp, &sp->peers[i], sp->uv, &nv, NULL, 0);
		}
		sp->st.revalidated++;
		if (nv != p->val) {
			char b[64];
			kr_prefix_format(&d->pfx, b, sizeof b);
			rs_log("re-validated %s from %s: %s -> %s", b, sp->peers[i].name,
			       rs_val_name(p->val), rs_val_name(nv));
			p->val = nv;
			changed = true;
		}
	}
	if (changed) {
		a->changed++;
		rs_decide_and_export(sp, d);
	}
}

static void revalidate(struct rs_speaker *sp, enum reval_kind kind, uint32_t asn,
		       const uint8_t *ski)
{
	struct reval_arg a = { sp, kind, asn, ski, 0 };
	rs_rib_walk(sp->rib, reval_dest, &a);
	if (a.changed)
		rs_log("key change of AS %u: %zu prefix%s changed", asn, a.changed,
		       a.changed == 1 ? "" : "es");
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
			revalidate(sp, REVAL_WITHDRAWN, o.asn, o.ski);
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
	revalidate(sp, REVAL_ANNOUNCED, asn, ski);
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
	rs_vcache_key_changed(asn, ski, resetting);
	kr_keytab_del(sp->keytab, asn, ski, spki, KR_SPKI_P256_LEN);
	for (size_t i = 0; i < sp->nrkeys; i++)
		if (rkey_same(&sp->rkeys[i], asn, ski, spki)) {
			rkey_del(sp, i);
			break;
		}
	if (rs_fault.over_withdraw) {
		revalidate(sp, REVAL_AS_GONE, asn, ski);
		return;
	}
	/* only the routes signed with that key (RFC 8205 §5, RFC 8634 §3.1 step 5) */
	revalidate(sp, REVAL_WITHDRAWN, asn, ski);
}
