/* Wire lint of BGP messages (lint.h): header, OPEN, NOTIFICATION,
 * ROUTE-REFRESH, and UPDATE formation per RFC 4271 §4-5, RFC 4760,
 * RFC 6793 and RFC 7606. BGPsec_PATH rules are in lint_bgpsec.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/lint.h"

#define AS_TRANS 23456u /* RFC 6793 §9 */
enum { ATOMIC_AGGREGATE = 6, AGGREGATOR = 7, COMMUNITIES = 8, ORIGINATOR_ID = 9,
       CLUSTER_LIST = 10, EXT_COMMUNITIES = 16, AS4_PATH = 17, AS4_AGGREGATOR = 18,
       LARGE_COMMUNITY = 32 };

/* ---- header ------------------------------------------------------------ */

static size_t lint_header(const struct kr_lint_ctx *c, const uint8_t *m, size_t len)
{
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (len < KR_BGP_HDR_LEN)
		return kr_lint_report(c, KR_L_HEADER, 0, "%zu octets, shorter than a BGP header", len);
	if (memcmp(m, ones, 16))
		return kr_lint_report(c, KR_L_HEADER, 0, "marker is not all ones");
	size_t l = (size_t)m[16] << 8 | m[17];
	if (l != len)
		return kr_lint_report(c, KR_L_HEADER, 16, "length field %zu, message of %zu octets", l, len);
	uint8_t t = m[18];
	static const size_t min[6] = { 0, 29, 23, 21, 19, 23 };
	if (t < 1 || t > 5)
		return kr_lint_report(c, KR_L_HEADER, 18, "unknown message type %u", t);
	/* RFC 8654 §4: beyond 4096 only with the capability on both sides,
	 * and never for OPEN and KEEPALIVE */
	bool ext = c->sess && c->sess->known && c->sess->ext_msg && t != KR_BGP_OPEN &&
		   t != KR_BGP_KEEPALIVE;
	size_t max = ext ? KR_BGP_EXT_MAX_LEN : KR_BGP_MAX_LEN;
	if (l < min[t] || l > max || (t == KR_BGP_KEEPALIVE && l != 19) ||
	    (t == KR_BGP_ROUTE_REFRESH && l != 23))
		return kr_lint_report(c, KR_L_HEADER, 16, "length %zu is not valid for message type %u%s", l, t,
				      l > KR_BGP_MAX_LEN && !ext ? " (over 4096 without Extended Message on both sides)" : "");
	return 0;
}

/* ---- OPEN ---------------------------------------------------------------- */

static size_t lint_open(const struct kr_lint_ctx *c, const uint8_t *m, size_t len)
{
	struct kr_open *o = malloc(sizeof *o);
	if (!o)
		return 0;
	struct kr_err err = { 0 };
	size_t n = 0;
	if (kr_open_decode(o, m, len, &err) < 0) {
		n = kr_lint_report(c, KR_L_OPEN, err.offset, "%s", err.msg);
		free(o);
		return n;
	}
	if (o->version != 4)
		n += kr_lint_report(c, KR_L_OPEN, 19, "version %u, not 4", o->version);
	if (o->hold_time == 1 || o->hold_time == 2)
		n += kr_lint_report(c, KR_L_OPEN, 22, "hold time %u (0 or at least 3)", o->hold_time);
	if (o->bgp_id == 0)
		n += kr_lint_report(c, KR_L_OPEN, 24, "BGP Identifier 0");
	if (o->has_as4) {
		uint32_t want = o->as4 > 0xffff ? AS_TRANS : o->as4;
		if (o->my_as != want)
			n += kr_lint_report(c, KR_L_AS_TRANS, 20, "My AS %u with 4-octet AS %u (want %u)",
					    o->my_as, o->as4, want);
	}
	for (size_t i = 0; i < o->ncaps; i++) {
		const struct kr_cap *cp = &o->caps[i];
		if (cp->code != KR_CAP_BGPSEC)
			continue;
		size_t at = (size_t)(cp->val - m) - 2;
		uint16_t afi = (uint16_t)(cp->val[1] << 8 | cp->val[2]);
		if (cp->val[0] >> 4)
			n += kr_lint_report(c, KR_L_BGPSEC_CAP, at + 2, "BGPsec version %u (only 0 is defined)",
					    cp->val[0] >> 4);
		else if (cp->val[0] & 0x07)
			n += kr_lint_report(c, KR_L_BGPSEC_CAP, at + 2, "unassigned bits 0x%02x set",
					    cp->val[0] & 0x07);
		else if (afi != KR_AFI_IPV4 && afi != KR_AFI_IPV6)
			n += kr_lint_report(c, KR_L_BGPSEC_CAP, at + 3, "AFI %u", afi);
		else if (!o->mp[afi])
			n += kr_lint_report(c, KR_L_BGPSEC_CAP, at,
					    "BGPsec for AFI %u without the multiprotocol capability for it", afi);
		else if (!o->has_as4)
			n += kr_lint_report(c, KR_L_BGPSEC_CAP, at,
					    "BGPsec without the 4-octet AS capability");
	}
	free(o);
	return n;
}

/* ---- NOTIFICATION, ROUTE-REFRESH ---------------------------------------- */

static size_t lint_notification(const struct kr_lint_ctx *c, const uint8_t *m, size_t len)
{
	if (m[19] < 1 || m[19] > 7)
		return kr_lint_report(c, KR_L_NOTIFICATION, 19, "error code %u", m[19]);
	return 0;
}

static size_t lint_refresh(const struct kr_lint_ctx *c, const uint8_t *m, size_t len)
{
	const struct kr_lint_sess *s = c->sess;
	if (!s || !s->known)
		return 0;
	if (!s->route_refresh)
		return kr_lint_report(c, KR_L_ROUTE_REFRESH, 18, "the peer did not advertise Route Refresh");
	uint16_t afi = (uint16_t)(m[19] << 8 | m[20]);
	if (m[22] == KR_SAFI_UNICAST && (afi == KR_AFI_IPV4 || afi == KR_AFI_IPV6) && !s->afi[afi])
		return kr_lint_report(c, KR_L_ROUTE_REFRESH, 19, "AFI %u not advertised by the peer", afi);
	return 0;
}

/* ---- UPDATE: attributes ------------------------------------------------- */

/* Flags (Optional, Transitive) of the attributes RFC 4271 §5 and others
 * define; -1 unknown. */
static int attr_class(uint8_t type, uint8_t bgpsec_type)
{
	if (type == bgpsec_type)
		return KR_AF_OPTIONAL;
	switch (type) {
	case KR_ATTR_ORIGIN: case KR_ATTR_AS_PATH: case KR_ATTR_NEXT_HOP:
	case KR_ATTR_LOCAL_PREF: case ATOMIC_AGGREGATE:
		return KR_AF_TRANSITIVE;
	case KR_ATTR_MED: case KR_ATTR_MP_REACH: case KR_ATTR_MP_UNREACH:
	case ORIGINATOR_ID: case CLUSTER_LIST:
		return KR_AF_OPTIONAL;
	case AGGREGATOR: case COMMUNITIES: case EXT_COMMUNITIES: case AS4_PATH:
	case AS4_AGGREGATOR: case LARGE_COMMUNITY:
		return KR_AF_OPTIONAL | KR_AF_TRANSITIVE;
	default:
		return -1;
	}
}

/* Length rule for a type: exact (>= 0), or -(multiple) for lists; 0x7fff none. */
static int attr_len_rule(uint8_t type, bool as4)
{
	switch (type) {
	case KR_ATTR_ORIGIN: return 1;
	case KR_ATTR_NEXT_HOP: case KR_ATTR_MED: case KR_ATTR_LOCAL_PREF: case ORIGINATOR_ID: return 4;
	case ATOMIC_AGGREGATE: return 0;
	case AGGREGATOR: return as4 ? 8 : 6;
	case AS4_AGGREGATOR: return 8;
	case COMMUNITIES: case CLUSTER_LIST: return -4;
	case EXT_COMMUNITIES: return -8;
	case LARGE_COMMUNITY: return -12;
	default: return 0x7fff;
	}
}

static size_t attr_off(const uint8_t *m, const struct kr_attr *a)
{
	return (size_t)(a->val - m) - ((a->flags & KR_AF_EXTLEN) ? 4 : 3);
}

/* AS_PATH of `width`-octet ASNs: segments well-formed (RFC 4271 §4.3,
 * RFC 7606 §7.2). Flattens AS_SEQUENCE members into out (cap), sets
 * *first_type, *has_set_or_confed. Returns 0, or the bad offset + 1. */
struct aspath {
	uint32_t as[512];
	size_t n;
	uint8_t first_type;
	bool other_segments; /* AS_SET or confederation segments */
	bool overflow;
};

static size_t parse_as_path(const struct kr_attr *a, unsigned width, size_t vo, struct aspath *p)
{
	struct kr_rd r = kr_rd_init(a->val, a->len);
	p->n = 0;
	p->first_type = 0;
	p->other_segments = p->overflow = false;
	while (kr_rd_left(&r)) {
		size_t at = r.off;
		uint8_t type = kr_rd_u8(&r), cnt = kr_rd_u8(&r);
		const uint8_t *v = kr_rd_bytes(&r, (size_t)width * cnt);
		if (!v || cnt == 0 || type < 1 || type > 4)
			return vo + at + 1;
		if (!p->first_type)
			p->first_type = type;
		if (type != 2) {
			p->other_segments = true;
			continue;
		}
		for (size_t i = 0; i < cnt; i++) {
			const uint8_t *q = v + i * width;
			uint32_t asn = width == 4 ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
							    (uint32_t)q[2] << 8 | q[3]
						  : (uint32_t)q[0] << 8 | q[1];
			if (p->n < sizeof p->as / sizeof p->as[0])
				p->as[p->n++] = asn;
			else
				p->overflow = true;
		}
	}
	return 0;
}

static bool is_ebgp(const struct kr_lint_sess *s)
{
	return s && s->known && s->sender_as != s->receiver_as;
}

static size_t check_next_hop(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_attr *a)
{
	const uint8_t *v = a->val;
	size_t at = (size_t)(v - m);
	if (!v[0] && !v[1] && !v[2] && !v[3])
		return kr_lint_report(c, KR_L_NEXT_HOP_VALUE, at, "NEXT_HOP 0.0.0.0");
	if (v[0] >= 224)
		return kr_lint_report(c, KR_L_NEXT_HOP_VALUE, at, "NEXT_HOP %u.%u.%u.%u is no unicast host address",
				      v[0], v[1], v[2], v[3]);
	const struct kr_lint_sess *s = c->sess;
	if (s && s->recv_family == AF_INET && !memcmp(s->recv_addr, v, 4))
		return kr_lint_report(c, KR_L_NEXT_HOP_VALUE, at,
				      "NEXT_HOP %u.%u.%u.%u is the receiver's own address", v[0], v[1], v[2], v[3]);
	return 0;
}

/* Every attribute on its own: repeats, flags, lengths, values. */
static size_t lint_attrs(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u,
			 uint8_t bgpsec_type, struct aspath *ap, bool *ap_ok)
{
	const struct kr_lint_sess *s = c->sess;
	bool as4 = !s || !s->known || s->as4;
	bool seen[256] = { false };
	bool non_mp_seen = false;
	size_t n = 0;
	*ap_ok = false;
	for (size_t i = 0; i < u->nattrs; i++) {
		const struct kr_attr *a = &u->attrs[i];
		size_t at = attr_off(m, a), vo = (size_t)(a->val - m);
		if (seen[a->type]) {
			n += kr_lint_report(c, KR_L_ATTR_DUP, at, "attribute type %u repeated", a->type);
			continue;
		}
		seen[a->type] = true;
		bool mp = a->type == KR_ATTR_MP_REACH || a->type == KR_ATTR_MP_UNREACH;
		if (mp && non_mp_seen)
			n += kr_lint_report(c, KR_L_MP_FIRST, at, "%s is attribute %zu, after other attributes",
					    a->type == KR_ATTR_MP_REACH ? "MP_REACH_NLRI" : "MP_UNREACH_NLRI", i + 1);
		non_mp_seen |= !mp;
		int cls = attr_class(a->type, bgpsec_type);
		uint8_t ot = a->flags & (KR_AF_OPTIONAL | KR_AF_TRANSITIVE);
		if (a->flags & 0x0f)
			n += kr_lint_report(c, KR_L_ATTR_FLAGS, at, "attribute %u: unused flag bits 0x%02x set",
					    a->type, a->flags & 0x0f);
		else if (cls >= 0 && ot != cls)
			n += kr_lint_report(c, KR_L_ATTR_FLAGS, at,
					    "attribute %u: flags 0x%02x, must be %s%s", a->type, a->flags,
					    cls & KR_AF_OPTIONAL ? "optional" : "well-known",
					    cls & KR_AF_TRANSITIVE ? " transitive" : " non-transitive");
		else if ((a->flags & KR_AF_PARTIAL) && ot != (KR_AF_OPTIONAL | KR_AF_TRANSITIVE))
			n += kr_lint_report(c, KR_L_ATTR_FLAGS, at,
					    "attribute %u: Partial set on a %s attribute", a->type,
					    ot & KR_AF_OPTIONAL ? "non-transitive" : "well-known");
		int lr = attr_len_rule(a->type, as4);
		if (lr != 0x7fff && (lr >= 0 ? a->len != lr : a->len % -lr != 0)) {
			n += kr_lint_report(c, KR_L_ATTR_LEN, at, "attribute %u of %u octets, %s %d", a->type,
					    a->len, lr >= 0 ? "must be" : "must be a multiple of", lr >= 0 ? lr : -lr);
			continue;
		}
		if (a->type == KR_ATTR_ORIGIN && a->val[0] > 2)
			n += kr_lint_report(c, KR_L_ATTR_VALUE, vo, "ORIGIN %u undefined", a->val[0]);
		if (a->type == KR_ATTR_AS_PATH) {
			size_t bad = parse_as_path(a, as4 ? 4 : 2, vo, ap);
			if (bad)
				n += kr_lint_report(c, KR_L_ATTR_VALUE, bad - 1, "malformed AS_PATH segment (%s-octet ASNs)",
						    as4 ? "4" : "2");
			else
				*ap_ok = true;
		}
		if (a->type == KR_ATTR_NEXT_HOP)
			n += check_next_hop(c, m, a);
		if (a->type == KR_ATTR_LOCAL_PREF && is_ebgp(s))
			n += kr_lint_report(c, KR_L_LOCAL_PREF, at, "LOCAL_PREF to external peer AS %u",
					    s->receiver_as);
	}
	return n;
}

/* ---- UPDATE: families, MP_REACH, mandatory attributes, AS_PATH ---------- */

static size_t lint_family(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	const struct kr_lint_sess *s = c->sess;
	size_t n = 0;
	if (s && s->known && !s->afi[KR_AFI_IPV4] && (u->nnlri || u->nwithdrawn))
		n += kr_lint_report(c, KR_L_AFI, (size_t)((u->nnlri ? u->nlri : u->withdrawn) - m),
				    "IPv4 unicast routes, the peer did not advertise IPv4 unicast");
	for (int k = 0; k < 2; k++) {
		int idx = k ? u->i_mp_unreach : u->i_mp_reach;
		if (idx < 0)
			continue;
		uint16_t afi = k ? u->mp_unreach.afi : u->mp_reach.afi;
		uint8_t safi = k ? u->mp_unreach.safi : u->mp_reach.safi;
		size_t vo = (size_t)(u->attrs[idx].val - m);
		if (s && s->known && safi == KR_SAFI_UNICAST && (afi == 1 || afi == 2) && !s->afi[afi])
			n += kr_lint_report(c, KR_L_AFI, vo, "%s for AFI %u, SAFI 1: not advertised by the peer",
					    k ? "MP_UNREACH_NLRI" : "MP_REACH_NLRI", afi);
	}
	if (u->i_mp_reach >= 0) {
		const struct kr_mp_reach *r = &u->mp_reach;
		size_t vo = (size_t)(u->attrs[u->i_mp_reach].val - m);
		bool nh_ok = r->afi == KR_AFI_IPV4 ? r->nh_len == 4 || r->nh_len == 16 || r->nh_len == 32
			   : r->afi == KR_AFI_IPV6 ? r->nh_len == 16 || r->nh_len == 32 : true;
		if (!nh_ok)
			n += kr_lint_report(c, KR_L_MP_REACH, vo + 3, "next hop of %u octets for AFI %u",
					    r->nh_len, r->afi);
		if (r->reserved)
			n += kr_lint_report(c, KR_L_MP_REACH, vo + 4u + r->nh_len, "Reserved octet %u, must be 0",
					    r->reserved);
	}
	return n;
}

/* RFC 7606 §5.1: at most one of the four places routes can be. */
static size_t lint_one_kind(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u)
{
	int kinds = (u->withdrawn_len > 0) + (u->nlri_len > 0) + (u->i_mp_reach >= 0) + (u->i_mp_unreach >= 0);
	if (kinds < 2)
		return 0;
	return kr_lint_report(c, KR_L_ONE_KIND, KR_BGP_HDR_LEN, "UPDATE with%s%s%s%s",
			      u->withdrawn_len ? " Withdrawn Routes" : "", u->nlri_len ? " NLRI" : "",
			      u->i_mp_reach >= 0 ? " MP_REACH_NLRI" : "", u->i_mp_unreach >= 0 ? " MP_UNREACH_NLRI" : "");
}

static bool announces(const struct kr_update *u)
{
	return u->nnlri || (u->i_mp_reach >= 0 && u->mp_reach.nprefixes);
}

static size_t lint_mandatory(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u,
			     const struct aspath *ap, bool ap_ok)
{
	if (!announces(u))
		return 0;
	size_t n = 0, attrs = KR_BGP_HDR_LEN + 2 + u->withdrawn_len; /* Total Path Attribute Length */
	if (u->i_origin < 0)
		n += kr_lint_report(c, KR_L_ORIGIN_MISSING, attrs, "UPDATE announcing routes without ORIGIN");
	if (u->i_bgpsec < 0 && u->i_as_path < 0)
		n += kr_lint_report(c, KR_L_AS_PATH_MISSING, attrs, "unsigned UPDATE announcing routes without AS_PATH");
	if (u->nnlri && u->i_next_hop < 0)
		n += kr_lint_report(c, KR_L_NEXT_HOP_MISSING, (size_t)(u->nlri - m),
				    "UPDATE with IPv4 NLRI (%zu prefix%s) without NEXT_HOP", u->nnlri,
				    u->nnlri == 1 ? "" : "es");
	const struct kr_lint_sess *s = c->sess;
	if (u->i_as_path >= 0 && u->i_bgpsec < 0 && ap_ok && is_ebgp(s)) {
		size_t at = attr_off(m, &u->attrs[u->i_as_path]);
		uint32_t me = s->as4 || s->sender_as <= 0xffff ? s->sender_as : AS_TRANS;
		if (ap->other_segments && ap->first_type != 2)
			n += kr_lint_report(c, KR_L_AS_PATH_FIRST, at, "AS_PATH to AS %u starts with a segment of type %u",
					    s->receiver_as, ap->first_type);
		else if (ap->other_segments)
			n += kr_lint_report(c, KR_L_AS_PATH_FIRST, at, "AS_PATH to AS %u holds confederation or AS_SET segments",
					    s->receiver_as);
		else if (ap->n == 0 || ap->as[0] != me)
			n += kr_lint_report(c, KR_L_AS_PATH_FIRST, at, "AS_PATH to AS %u does not start with AS %u",
					    s->receiver_as, me);
	}
	return n;
}

/* RFC 8205 §4.4: an unsigned announcement of a prefix the sender only
 * holds signed carries its AS and then the rebuilt Secure_Path. */
static size_t check_rebuilt(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u,
			    const struct kr_prefix *p, const struct aspath *ap)
{
	const struct kr_lint_held *h = c->held(c->held_arg, p);
	if (!h || h->any_plain || h->n == 0 || ap->overflow)
		return 0;
	const struct kr_lint_sess *s = c->sess;
	bool as4 = s->as4;
	for (size_t i = 0; i < h->n; i++) {
		if (ap->other_segments || ap->n != h->len[i] + 1)
			continue;
		bool eq = true;
		for (size_t k = 0; k < ap->n && eq; k++) {
			uint32_t want = k ? h->path[i][k - 1] : s->sender_as;
			if (!as4 && want > 0xffff)
				want = AS_TRANS;
			eq = ap->as[k] == want;
		}
		if (eq)
			return 0;
	}
	char pb[64], sent[160] = "", want[160] = "";
	kr_prefix_format(p, pb, sizeof pb);
	size_t o = 0;
	for (size_t k = 0; k < ap->n && o < sizeof sent - 12; k++)
		o += (size_t)snprintf(sent + o, sizeof sent - o, "%s%u", k ? " " : "", ap->as[k]);
	o = (size_t)snprintf(want, sizeof want, "%u", s->sender_as);
	for (size_t k = 0; k < h->len[0] && o < sizeof want - 12; k++)
		o += (size_t)snprintf(want + o, sizeof want - o, " %u", h->path[0][k]);
	return kr_lint_report(c, KR_L_PLAIN_AS_PATH, attr_off(m, &u->attrs[u->i_as_path]),
			      "AS_PATH [%s] for %s, the BGPsec path held gives [%s]%s", sent, pb, want,
			      h->n > 1 ? " (or another held one)" : "");
}

static size_t lint_plain_path(const struct kr_lint_ctx *c, const uint8_t *m, const struct kr_update *u,
			      const struct aspath *ap, bool ap_ok)
{
	if (!c->held || !c->sess || !c->sess->known || u->i_bgpsec >= 0 || u->i_as_path < 0 || !ap_ok)
		return 0;
	size_t n = 0;
	struct kr_nlri_iter it;
	struct kr_prefix p;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
	while (kr_nlri_next(&it, &p))
		n += check_rebuilt(c, m, u, &p, ap);
	if (u->i_mp_reach >= 0 && u->mp_reach.nprefixes && u->mp_reach.safi == KR_SAFI_UNICAST) {
		kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
		while (kr_nlri_next(&it, &p))
			n += check_rebuilt(c, m, u, &p, ap);
	}
	return n;
}

static size_t lint_update(const struct kr_lint_ctx *c, const uint8_t *m, size_t len)
{
	struct kr_update *u = c->scratch ? c->scratch : malloc(sizeof *u);
	struct aspath *ap = malloc(sizeof *ap);
	size_t n = 0;
	if (!u || !ap)
		goto out;
	uint8_t bt = c->bgpsec_type ? c->bgpsec_type : KR_ATTR_BGPSEC_PATH;
	struct kr_err err = { 0 };
	if (c->stats)
		c->stats->updates++;
	if (kr_update_decode(u, m, len, bt, &err) < 0) {
		n = kr_lint_report(c, err.code == KR_WE_ATTR_DUP ? KR_L_ATTR_DUP : KR_L_UPDATE, err.offset,
				   "%s", err.msg);
		goto out;
	}
	bool ap_ok;
	n += lint_attrs(c, m, u, bt, ap, &ap_ok);
	n += lint_family(c, m, u);
	n += lint_one_kind(c, m, u);
	n += lint_mandatory(c, m, u, ap, ap_ok);
	n += lint_plain_path(c, m, u, ap, ap_ok);
	if (u->i_bgpsec >= 0)
		n += kr_lint_bgpsec(c, m, u);
out:
	if (u != c->scratch)
		free(u);
	free(ap);
	return n;
}

size_t kr_lint_bgp(const struct kr_lint_ctx *c, const uint8_t *msg, size_t len)
{
	if (c->stats)
		c->stats->messages++;
	size_t n = lint_header(c, msg, len);
	if (n)
		return n;
	switch (msg[18]) {
	case KR_BGP_OPEN: return lint_open(c, msg, len);
	case KR_BGP_UPDATE: return lint_update(c, msg, len);
	case KR_BGP_NOTIFICATION: return lint_notification(c, msg, len);
	case KR_BGP_ROUTE_REFRESH: return lint_refresh(c, msg, len);
	}
	return 0;
}
