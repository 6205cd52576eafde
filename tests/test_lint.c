/* Wire lint rules (wire/lint.h), each with a message that keeps it and
 * one that breaks it: BGP formation (RFC 4271, 4760, 6793, 7606, 8654,
 * 2918), BGPsec (RFC 8205 §2-4), RTR router PDUs (RFC 8210); plus the RTR
 * key follower and the received-routes table the lint builds on. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/bgpsec_crypto.h"
#include "wire/lint.h"
#include "wire/lint_rib.h"
#include "wire/rtr_follow.h"
#include "wire/rtr_pdu.h"
#include "cu.h"

#define SUT 65551u
#define PEER 65537u
#define UP 64500u

/* ---- harness ------------------------------------------------------------- */

static struct kr_lint_viol got[32];
static size_t ngot;

static void on_viol(const struct kr_lint_viol *v, void *arg)
{
	(void)arg;
	if (ngot < 32)
		got[ngot++] = *v;
}

static struct kr_lint_sess sess;
static struct kr_keytab *keys;
static struct kr_crypto_ctx *cc;
static struct kr_key kme, kup;
static const struct kr_lint_held *held_ret;

static const struct kr_lint_held *held_cb(void *arg, const struct kr_prefix *p)
{
	(void)arg;
	(void)p;
	return held_ret;
}

static void setup(void)
{
	memset(&sess, 0, sizeof sess);
	sess.known = true;
	sess.sender_as = SUT;
	sess.receiver_as = PEER;
	sess.as4 = true;
	sess.afi[1] = sess.afi[2] = true;
	sess.bgpsec[1] = sess.bgpsec[2] = true;
	sess.route_refresh = true;
	sess.recv_family = AF_INET;
	inet_pton(AF_INET, "198.18.0.2", sess.recv_addr);
	held_ret = NULL;
	if (!cc) {
		struct kr_err e;
		cc = kr_crypto_ctx_new();
		CU_ASSERT_FATAL(kr_key_generate(&kme, SUT, &e) == 0);
		CU_ASSERT_FATAL(kr_key_generate(&kup, UP, &e) == 0);
		keys = kr_keytab_new();
		CU_ASSERT_FATAL(kr_keytab_add_key(keys, &kme, &e) == 0);
		CU_ASSERT_FATAL(kr_keytab_add_key(keys, &kup, &e) == 0);
	}
}

static size_t lint(const uint8_t *m, size_t len)
{
	ngot = 0;
	struct kr_lint_ctx c = { .sess = &sess, .keys = keys, .cc = cc, .held = held_cb, .cb = on_viol };
	size_t n = kr_lint_bgp(&c, m, len);
	CU_ASSERT_EQUAL(n, ngot);
	return n;
}

static bool has(enum kr_lint_rule_id r)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].rule == r)
			return true;
	return false;
}

static size_t off_of(enum kr_lint_rule_id r)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].rule == r)
			return got[i].offset;
	return (size_t)-1;
}

#define CLEAN(m, l) CU_ASSERT_EQUAL(lint(m, l), 0)
#define BREAKS(m, l, r)                           \
	do {                                      \
		lint(m, l);                       \
		CU_ASSERT(has(r));                \
	} while (0)

static uint8_t msg[8192];
static size_t mlen;
static const uint8_t NH[4] = { 198, 18, 0, 1 };
static const uint8_t NH6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

/* A plain route from the SUT: AS_PATH [SUT, path...]. */
static void plain(const char *pfx, const uint32_t *path, size_t n, const struct kr_attr *extra, size_t nextra,
		  bool omit_nh)
{
	struct kr_route_out r = { .origin = 0, .next_hop = NH, .next_hop_len = 4 };
	CU_ASSERT_FATAL(kr_prefix_parse(&r.prefix, pfx) == 0);
	if (r.prefix.afi == KR_AFI_IPV6) {
		r.next_hop = NH6;
		r.next_hop_len = 16;
	}
	uint32_t as[8] = { SUT };
	for (size_t i = 0; i < n && i < 7; i++)
		as[i + 1] = path[i];
	r.as_path = as;
	r.as_path_len = 1 + n;
	r.extra = extra;
	r.nextra = nextra;
	r.omit_next_hop = omit_nh;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_build(&r, 65535, msg, sizeof msg, &mlen, &e) == 0);
}

/* A BGPsec route signed by the SUT for PEER over a path from UP. */
static struct kr_bgpsec_path bp_up, bp_out;
static struct kr_sigstore *store;

static void signed_route(const char *pfx, const struct kr_key *signer, uint32_t target, uint8_t pcount,
			 uint8_t flags, bool force_as_path)
{
	struct kr_prefix p;
	CU_ASSERT_FATAL(kr_prefix_parse(&p, pfx) == 0);
	if (!store)
		store = malloc(sizeof *store);
	struct kr_err e;
	CU_ASSERT_FATAL(kr_bgpsec_sign(&kup, SUT, 1, 0, NULL, p.afi, 1, &p, NULL, &bp_up, store, &e) == 0);
	CU_ASSERT_FATAL(kr_bgpsec_sign(signer, target, pcount, flags, &bp_up, p.afi, 1, &p, NULL, &bp_out, store,
				       &e) == 0);
	struct kr_route_out r = { .prefix = p, .next_hop = p.afi == 1 ? NH : NH6, .next_hop_len = p.afi == 1 ? 4 : 16,
				  .bgpsec = &bp_out, .force_as_path = force_as_path };
	CU_ASSERT_FATAL(kr_update_build(&r, 65535, msg, sizeof msg, &mlen, &e) == 0);
}

static struct kr_update u;

/* Re-encode msg after edit(u) on its decoded form. */
static void reencode(void (*edit)(struct kr_update *u))
{
	static uint8_t copy[8192];
	memcpy(copy, msg, mlen);
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_decode(&u, copy, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	edit(&u);
	CU_ASSERT_FATAL(kr_update_encode(&u, msg, sizeof msg, &mlen, &e) == 0);
}

static int attr_index(uint8_t type)
{
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	for (size_t i = 0; i < u.nattrs; i++)
		if (u.attrs[i].type == type)
			return (int)i;
	return -1;
}

static size_t attr_at(uint8_t type) /* offset of the attribute's flags octet */
{
	int i = attr_index(type);
	CU_ASSERT_FATAL(i >= 0);
	return (size_t)(u.attrs[i].val - msg) - ((u.attrs[i].flags & KR_AF_EXTLEN) ? 4 : 3);
}

static uint8_t drop_type;
static void drop_edit(struct kr_update *x)
{
	for (size_t i = 0; i < x->nattrs; i++)
		if (x->attrs[i].type == drop_type) {
			memmove(&x->attrs[i], &x->attrs[i + 1], (x->nattrs - i - 1) * sizeof x->attrs[0]);
			x->nattrs--;
			return;
		}
}

static void drop_attr(uint8_t type)
{
	drop_type = type;
	reencode(drop_edit);
}

/* Replace attribute `type` of msg with *a. */
static void replace_attr(uint8_t type, const struct kr_attr *a)
{
	static uint8_t copy[8192];
	int i = attr_index(type);
	CU_ASSERT_FATAL(i >= 0);
	u.attrs[i] = *a;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_encode(&u, copy, sizeof copy, &mlen, &e) == 0);
	memcpy(msg, copy, mlen);
}

/* ---- header, OPEN, NOTIFICATION, ROUTE-REFRESH ---------------------------- */

static void t_header(void)
{
	setup();
	size_t n;
	CU_ASSERT(kr_keepalive_build(msg, sizeof msg, &n) == 0);
	CLEAN(msg, n);
	msg[3] = 0;
	BREAKS(msg, n, KR_L_HEADER);
	CU_ASSERT_EQUAL(off_of(KR_L_HEADER), 0);
	CU_ASSERT(kr_keepalive_build(msg, sizeof msg, &n) == 0);
	msg[18] = 9;
	BREAKS(msg, n, KR_L_HEADER);
	/* an UPDATE over 4096 octets: only with Extended Message on both sides */
	uint8_t big[5000];
	struct kr_attr a = { KR_AF_OPTIONAL | KR_AF_TRANSITIVE | KR_AF_EXTLEN, 99, 4500, big };
	memset(big, 0, sizeof big);
	plain("192.0.2.0/24", NULL, 0, &a, 1, false);
	BREAKS(msg, mlen, KR_L_HEADER);
	CU_ASSERT_EQUAL(off_of(KR_L_HEADER), 16);
	sess.ext_msg = true;
	CLEAN(msg, mlen);
}

static size_t open_msg(const struct kr_open_cfg *c)
{
	size_t n;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_open_build(c, msg, sizeof msg, &n, &e) == 0);
	return n;
}

static void t_open(void)
{
	setup();
	struct kr_open_cfg c = { .asn = SUT, .hold_time = 90, .bgp_id = 0xc6120001, .mp = { 0, 1, 1 },
				 .bgpsec_send = { 0, 1, 1 }, .bgpsec_recv = { 0, 1, 1 } };
	size_t n = open_msg(&c);
	CLEAN(msg, n);
	msg[19] = 3; /* version */
	BREAKS(msg, n, KR_L_OPEN);
	CU_ASSERT_EQUAL(off_of(KR_L_OPEN), 19);
	c.hold_time = 2;
	n = open_msg(&c);
	BREAKS(msg, n, KR_L_OPEN);
	c.hold_time = 90;
	c.bgp_id = 0;
	n = open_msg(&c);
	BREAKS(msg, n, KR_L_OPEN);
	c.bgp_id = 1;
	n = open_msg(&c);
	msg[28] += 1; /* optional parameters length off by one */
	BREAKS(msg, n, KR_L_OPEN);
}

static void t_as_trans(void)
{
	setup();
	struct kr_open_cfg c = { .asn = SUT, .hold_time = 90, .bgp_id = 1 };
	size_t n = open_msg(&c);
	CLEAN(msg, n);
	msg[20] = 0xff; /* My AS 0xff?? instead of AS_TRANS */
	BREAKS(msg, n, KR_L_AS_TRANS);
	CU_ASSERT_EQUAL(off_of(KR_L_AS_TRANS), 20);
	c.asn = 64500; /* fits two octets: My AS is the AS itself */
	n = open_msg(&c);
	CLEAN(msg, n);
}

static void t_bgpsec_cap(void)
{
	setup();
	struct kr_open_cfg c = { .asn = SUT, .hold_time = 90, .bgp_id = 1, .mp = { 0, 1, 0 },
				 .bgpsec_send = { 0, 1, 0 } };
	size_t n = open_msg(&c);
	CLEAN(msg, n);
	c.bgpsec_send[2] = true; /* BGPsec for IPv6 without MP IPv6 */
	n = open_msg(&c);
	BREAKS(msg, n, KR_L_BGPSEC_CAP);
	c.bgpsec_send[2] = false;
	c.no_as4 = true; /* BGPsec without the 4-octet AS capability */
	c.asn = 64500;
	n = open_msg(&c);
	BREAKS(msg, n, KR_L_BGPSEC_CAP);
	c.no_as4 = false;
	n = open_msg(&c);
	struct kr_open o;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_open_decode(&o, msg, n, &e) == 0);
	for (size_t i = 0; i < o.ncaps; i++)
		if (o.caps[i].code == KR_CAP_BGPSEC)
			msg[o.caps[i].val - msg] |= 0x01; /* an unassigned bit */
	BREAKS(msg, n, KR_L_BGPSEC_CAP);
}

static void t_notification(void)
{
	setup();
	size_t n;
	CU_ASSERT(kr_notification_build(6, 2, NULL, 0, msg, sizeof msg, &n) == 0);
	CLEAN(msg, n);
	CU_ASSERT(kr_notification_build(9, 1, NULL, 0, msg, sizeof msg, &n) == 0);
	BREAKS(msg, n, KR_L_NOTIFICATION);
}

static void t_route_refresh(void)
{
	setup();
	struct kr_route_refresh r = { .afi = 1, .safi = 1 };
	size_t n;
	CU_ASSERT(kr_route_refresh_build(&r, msg, sizeof msg, &n) == 0);
	CLEAN(msg, n);
	sess.route_refresh = false;
	BREAKS(msg, n, KR_L_ROUTE_REFRESH);
	sess.route_refresh = true;
	sess.afi[1] = false;
	BREAKS(msg, n, KR_L_ROUTE_REFRESH);
}

/* ---- UPDATE formation ------------------------------------------------------- */

static void t_update_lengths(void)
{
	setup();
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	msg[20] = 200; /* Withdrawn Routes Length past the message */
	BREAKS(msg, mlen, KR_L_UPDATE);
	CU_ASSERT_EQUAL(off_of(KR_L_UPDATE), 19);
}

static void t_attr_flags(void)
{
	setup();
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	size_t at = attr_at(KR_ATTR_ORIGIN);
	msg[at] = 0xc0; /* ORIGIN optional */
	BREAKS(msg, mlen, KR_L_ATTR_FLAGS);
	CU_ASSERT_EQUAL(off_of(KR_L_ATTR_FLAGS), at);
	msg[at] = 0x60; /* Partial on a well-known attribute */
	BREAKS(msg, mlen, KR_L_ATTR_FLAGS);
	msg[at] = 0x41; /* unused low bits */
	BREAKS(msg, mlen, KR_L_ATTR_FLAGS);
	msg[at] = 0x40;
	CLEAN(msg, mlen);
	/* Partial on an optional transitive attribute is fine */
	uint8_t comm[4] = { 0, 1, 0, 2 };
	struct kr_attr a = { KR_AF_OPTIONAL | KR_AF_TRANSITIVE | KR_AF_PARTIAL, 8, 4, comm };
	plain("192.0.2.0/24", NULL, 0, &a, 1, false);
	CLEAN(msg, mlen);
}

static void t_attr_len(void)
{
	setup();
	uint8_t v[4] = { 0 };
	struct kr_attr med = { KR_AF_OPTIONAL, KR_ATTR_MED, 4, v };
	plain("192.0.2.0/24", NULL, 0, &med, 1, false);
	CLEAN(msg, mlen);
	med.len = 3;
	plain("192.0.2.0/24", NULL, 0, &med, 1, false);
	BREAKS(msg, mlen, KR_L_ATTR_LEN);
	struct kr_attr comm = { KR_AF_OPTIONAL | KR_AF_TRANSITIVE, 8, 3, v };
	plain("192.0.2.0/24", NULL, 0, &comm, 1, false);
	BREAKS(msg, mlen, KR_L_ATTR_LEN);
}

static void t_attr_value(void)
{
	setup();
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	int i = attr_index(KR_ATTR_ORIGIN);
	size_t vo = (size_t)(u.attrs[i].val - msg);
	msg[vo] = 3;
	BREAKS(msg, mlen, KR_L_ATTR_VALUE);
	CU_ASSERT_EQUAL(off_of(KR_L_ATTR_VALUE), vo);
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	i = attr_index(KR_ATTR_AS_PATH);
	vo = (size_t)(u.attrs[i].val - msg);
	msg[vo] = 7; /* segment type */
	BREAKS(msg, mlen, KR_L_ATTR_VALUE);
	/* 2-octet ASNs when 4-octet AS was not negotiated */
	sess.as4 = false;
	uint8_t ap[4] = { 2, 1, 0x5b, 0xa0 }; /* AS_SEQUENCE of AS_TRANS */
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	i = attr_index(KR_ATTR_AS_PATH);
	CU_ASSERT_EQUAL(u.attrs[i].len, 6);
	BREAKS(msg, mlen, KR_L_ATTR_VALUE); /* 4-octet path on a 2-octet session */
	struct kr_attr a = { KR_AF_TRANSITIVE, KR_ATTR_AS_PATH, 4, ap };
	sess.sender_as = 23456; /* AS_TRANS itself: the path above is right */
	replace_attr(KR_ATTR_AS_PATH, &a);
	CLEAN(msg, mlen);
}

static void t_attr_dup(void)
{
	setup();
	uint8_t o = 0;
	struct kr_attr a = { KR_AF_TRANSITIVE, KR_ATTR_ORIGIN, 1, &o };
	plain("192.0.2.0/24", NULL, 0, &a, 1, false);
	BREAKS(msg, mlen, KR_L_ATTR_DUP);
	plain("2001:db8:1::/48", NULL, 0, NULL, 0, false);
	int i = attr_index(KR_ATTR_MP_REACH);
	struct kr_attr mp = u.attrs[i];
	plain("2001:db8:1::/48", NULL, 0, &mp, 1, false); /* MP_REACH twice: the decode fails */
	BREAKS(msg, mlen, KR_L_ATTR_DUP);
}

static void t_mandatory(void)
{
	setup();
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	drop_attr(KR_ATTR_ORIGIN);
	BREAKS(msg, mlen, KR_L_ORIGIN_MISSING);
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	drop_attr(KR_ATTR_AS_PATH);
	BREAKS(msg, mlen, KR_L_AS_PATH_MISSING);
	plain("192.0.2.0/24", NULL, 0, NULL, 0, true);
	BREAKS(msg, mlen, KR_L_NEXT_HOP_MISSING);
	CU_ASSERT_EQUAL(off_of(KR_L_NEXT_HOP_MISSING), mlen - 4); /* the NLRI field: /24 = 4 octets */
	/* IPv6 in MP_REACH_NLRI needs no NEXT_HOP; a withdrawal needs nothing */
	plain("2001:db8:1::/48", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	struct kr_prefix p;
	kr_prefix_parse(&p, "192.0.2.0/24");
	struct kr_err e;
	CU_ASSERT(kr_update_build_withdraw(&p, 1, 4096, msg, sizeof msg, &mlen, &e) == 0);
	CLEAN(msg, mlen);
	CU_ASSERT(kr_update_build_eor(2, msg, sizeof msg, &mlen) == 0);
	CLEAN(msg, mlen);
}

static void t_as_path_first(void)
{
	setup();
	uint32_t path[] = { UP };
	plain("192.0.2.0/24", path, 1, NULL, 0, false);
	CLEAN(msg, mlen);
	sess.sender_as = 65000; /* the path does not start with the sender's AS */
	BREAKS(msg, mlen, KR_L_AS_PATH_FIRST);
	/* to an internal peer no prepending is due */
	sess.receiver_as = 65000;
	CLEAN(msg, mlen);
}

static void t_next_hop_value(void)
{
	setup();
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	int i = attr_index(KR_ATTR_NEXT_HOP);
	size_t vo = (size_t)(u.attrs[i].val - msg);
	memset(msg + vo, 0, 4);
	BREAKS(msg, mlen, KR_L_NEXT_HOP_VALUE);
	memcpy(msg + vo, sess.recv_addr, 4); /* the receiver's own address */
	BREAKS(msg, mlen, KR_L_NEXT_HOP_VALUE);
	msg[vo] = 239; /* multicast */
	BREAKS(msg, mlen, KR_L_NEXT_HOP_VALUE);
	memcpy(msg + vo, NH, 4);
	CLEAN(msg, mlen);
}

static void t_local_pref(void)
{
	setup();
	uint8_t v[4] = { 0, 0, 0, 100 };
	struct kr_attr a = { KR_AF_TRANSITIVE, KR_ATTR_LOCAL_PREF, 4, v };
	plain("192.0.2.0/24", NULL, 0, &a, 1, false);
	BREAKS(msg, mlen, KR_L_LOCAL_PREF);
	sess.receiver_as = SUT; /* iBGP */
	CLEAN(msg, mlen);
}

static void t_mp_reach(void)
{
	setup();
	struct kr_route_out r = { .origin = 0, .next_hop = NH, .next_hop_len = 4 };
	uint32_t as[] = { SUT };
	r.as_path = as;
	r.as_path_len = 1;
	kr_prefix_parse(&r.prefix, "2001:db8:1::/48"); /* IPv6 with a 4-octet next hop */
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_build(&r, 4096, msg, sizeof msg, &mlen, &e) == 0);
	BREAKS(msg, mlen, KR_L_MP_REACH);
	plain("2001:db8:1::/48", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	int i = attr_index(KR_ATTR_MP_REACH);
	size_t vo = (size_t)(u.attrs[i].val - msg);
	msg[vo + 4 + 16] = 1; /* Reserved */
	BREAKS(msg, mlen, KR_L_MP_REACH);
	CU_ASSERT_EQUAL(off_of(KR_L_MP_REACH), vo + 20);
}

static void move_mp_last(struct kr_update *x)
{
	struct kr_attr a = x->attrs[0];
	memmove(&x->attrs[0], &x->attrs[1], (x->nattrs - 1) * sizeof a);
	x->attrs[x->nattrs - 1] = a;
}

static void t_mp_first(void)
{
	setup();
	plain("2001:db8:1::/48", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	reencode(move_mp_last);
	BREAKS(msg, mlen, KR_L_MP_FIRST);
	CU_ASSERT_EQUAL(kr_lint_rule(KR_L_MP_FIRST)->sev, KR_LINT_SHOULD);
}

static void t_one_kind(void)
{
	setup();
	struct kr_prefix p[2];
	kr_prefix_parse(&p[0], "192.0.2.0/24");
	kr_prefix_parse(&p[1], "2001:db8:1::/48");
	struct kr_err e;
	CU_ASSERT(kr_update_build_withdraw(p, 2, 4096, msg, sizeof msg, &mlen, &e) == 0);
	BREAKS(msg, mlen, KR_L_ONE_KIND);
	CU_ASSERT(kr_update_build_withdraw(p, 1, 4096, msg, sizeof msg, &mlen, &e) == 0);
	CLEAN(msg, mlen);
}

static void t_family(void)
{
	setup();
	plain("2001:db8:1::/48", NULL, 0, NULL, 0, false);
	CLEAN(msg, mlen);
	sess.afi[2] = false;
	BREAKS(msg, mlen, KR_L_AFI);
	sess.afi[1] = false;
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	BREAKS(msg, mlen, KR_L_AFI);
}

/* ---- BGPsec ------------------------------------------------------------------ */

static void t_bgpsec_clean(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	CLEAN(msg, mlen);
	signed_route("2001:db8:1::/48", &kme, PEER, 2, 0, false); /* prepending: pCount 2 */
	CLEAN(msg, mlen);
}

static void t_bgpsec_neg(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	sess.bgpsec[1] = false;
	BREAKS(msg, mlen, KR_L_BGPSEC_NEG);
	CU_ASSERT_EQUAL(off_of(KR_L_BGPSEC_NEG), attr_at(KR_ATTR_BGPSEC_PATH));
}

/* The MP_REACH_NLRI of msg with a second prefix appended. */
static uint8_t mpv[64];
static void two_prefixes(struct kr_update *x)
{
	int i = x->i_mp_reach;
	CU_ASSERT_FATAL(i >= 0);
	memcpy(mpv, x->attrs[i].val, x->attrs[i].len);
	static const uint8_t more[] = { 24, 198, 51, 100 };
	memcpy(mpv + x->attrs[i].len, more, sizeof more);
	x->attrs[i].val = mpv;
	x->attrs[i].len = (uint16_t)(x->attrs[i].len + sizeof more);
}

static void t_bgpsec_prefix(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	reencode(two_prefixes);
	BREAKS(msg, mlen, KR_L_BGPSEC_PREFIX);
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	drop_attr(KR_ATTR_MP_REACH);
	BREAKS(msg, mlen, KR_L_BGPSEC_PREFIX);
}

static void t_bgpsec_as_path(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, true);
	BREAKS(msg, mlen, KR_L_BGPSEC_AS_PATH);
}

static void t_bgpsec_syntax(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	int i = attr_index(KR_ATTR_BGPSEC_PATH);
	size_t vo = (size_t)(u.attrs[i].val - msg);
	size_t suite = vo + u.bgpsec.sp_len + 2;
	CU_ASSERT_EQUAL(msg[suite], 1);
	msg[suite] = 0; /* reserved suite (RFC 8608 §2.1) */
	BREAKS(msg, mlen, KR_L_BGPSEC_SYNTAX);
	CU_ASSERT_EQUAL(off_of(KR_L_BGPSEC_SYNTAX), suite);
	msg[suite] = 1;
	msg[vo + 1] += 6; /* Secure_Path Length past the segments */
	BREAKS(msg, mlen, KR_L_BGPSEC_SYNTAX);
	/* one Signature Segment for two Secure_Path Segments */
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	static struct kr_bgpsec_path short_path;
	short_path = bp_out;
	short_path.blocks[0].nsegs = 1;
	struct kr_route_out r = { .next_hop = NH, .next_hop_len = 4, .bgpsec = &short_path };
	kr_prefix_parse(&r.prefix, "192.0.2.0/24");
	struct kr_err e;
	CU_ASSERT_FATAL(kr_update_build(&r, 4096, msg, sizeof msg, &mlen, &e) == 0);
	BREAKS(msg, mlen, KR_L_BGPSEC_SYNTAX);
}

static void t_bgpsec_flags(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0x01, false);
	BREAKS(msg, mlen, KR_L_BGPSEC_FLAGS);
	signed_route("192.0.2.0/24", &kme, PEER, 1, KR_BGPSEC_CONFED, false);
	BREAKS(msg, mlen, KR_L_BGPSEC_FLAGS);
}

static void t_pcount(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, PEER, 0, 0, false);
	BREAKS(msg, mlen, KR_L_PCOUNT);
}

static void t_own_as(void)
{
	setup();
	signed_route("192.0.2.0/24", &kup, PEER, 1, 0, false); /* the newest segment names UP */
	BREAKS(msg, mlen, KR_L_OWN_AS);
}

static void t_ski(void)
{
	setup();
	struct kr_key other;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_key_generate(&other, SUT, &e) == 0); /* never published */
	signed_route("192.0.2.0/24", &other, PEER, 1, 0, false);
	BREAKS(msg, mlen, KR_L_SKI);
	CU_ASSERT(!has(KR_L_SIGNATURE));
	/* keys unknown: neither checked, counted as unkeyed */
	struct kr_lint_stats st = { 0 };
	struct kr_lint_ctx c = { .sess = &sess, .cb = on_viol, .stats = &st };
	ngot = 0;
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 0);
	CU_ASSERT_EQUAL(st.unkeyed, 1);
	kr_key_free(&other);
}

static void t_signature(void)
{
	setup();
	signed_route("192.0.2.0/24", &kme, 1234, 1, 0, false); /* signed for another target AS */
	BREAKS(msg, mlen, KR_L_SIGNATURE);
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	int i = attr_index(KR_ATTR_BGPSEC_PATH);
	(void)i;
	size_t so = (size_t)(u.bgpsec.blocks[0].segs[0].sig - msg);
	msg[so + 10] ^= 0x55;
	BREAKS(msg, mlen, KR_L_SIGNATURE);
	CU_ASSERT_EQUAL(off_of(KR_L_SIGNATURE), so);
}

/* Signatures outside the sample get their SKI checked, not ECDSA; the
 * sample is deterministic and about 1 in mod. */
static void t_signature_sample(void)
{
	setup();
	struct kr_prefix p;
	CU_ASSERT(kr_prefix_parse(&p, "192.0.2.0/24") == 0);
	CU_ASSERT(kr_lint_sampled(&p, 0) && kr_lint_sampled(&p, 1));
	/* a prefix in the 1-in-50 sample and one outside it */
	char in[32] = "", out[32] = "";
	size_t hits = 0;
	for (unsigned i = 0; i < 5000; i++) {
		char t[32];
		snprintf(t, sizeof t, "10.%u.%u.0/24", i / 256, i % 256);
		CU_ASSERT_FATAL(kr_prefix_parse(&p, t) == 0);
		bool s1 = kr_lint_sampled(&p, 50);
		CU_ASSERT(s1 == kr_lint_sampled(&p, 50));
		hits += s1;
		if (s1 && !in[0])
			snprintf(in, sizeof in, "%s", t);
		if (!s1 && !out[0])
			snprintf(out, sizeof out, "%s", t);
	}
	CU_ASSERT(hits > 50 && hits < 150); /* 100 expected */
	CU_ASSERT_FATAL(in[0] && out[0]);
	struct kr_lint_stats st = { 0 };
	struct kr_lint_ctx c = { .sess = &sess, .keys = keys, .cc = cc, .cb = on_viol, .stats = &st,
				 .sig_sample_mod = 50 };
	/* a bad signature outside the sample passes; inside, it is found */
	signed_route(out, &kme, 1234, 1, 0, false);
	ngot = 0;
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 0);
	CU_ASSERT(st.unsampled == 1 && st.signatures == 0);
	signed_route(in, &kme, 1234, 1, 0, false);
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 1);
	CU_ASSERT(has(KR_L_SIGNATURE) && st.signatures == 1);
	/* an unpublished SKI is found outside the sample too */
	struct kr_key other;
	struct kr_err e;
	CU_ASSERT_FATAL(kr_key_generate(&other, SUT, &e) == 0);
	signed_route(out, &other, PEER, 1, 0, false);
	ngot = 0;
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 1);
	CU_ASSERT(has(KR_L_SKI));
	kr_key_free(&other);
}

/* The verification cache answers a byte-identical signature, and never a
 * changed one. */
static void t_signature_cache(void)
{
	setup();
	struct kr_crypto_ctx *mc = kr_crypto_ctx_new();
	CU_ASSERT_FATAL(mc != NULL && kr_crypto_ctx_memo(mc, 64) == 0);
	struct kr_lint_stats st = { 0 };
	struct kr_lint_ctx c = { .sess = &sess, .keys = keys, .cc = mc, .cb = on_viol, .stats = &st };
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	ngot = 0;
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 0);
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 0);
	CU_ASSERT(st.signatures == 2 && st.cached == 1);
	attr_index(KR_ATTR_BGPSEC_PATH);
	size_t so = (size_t)(u.bgpsec.blocks[0].segs[0].sig - msg);
	msg[so + 10] ^= 0x55; /* same key and digest, other signature */
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 1);
	CU_ASSERT(has(KR_L_SIGNATURE) && st.cached == 1);
	CU_ASSERT_EQUAL(kr_lint_bgp(&c, msg, mlen), 1); /* the bad result is cached as bad */
	CU_ASSERT(st.cached == 2);
	kr_crypto_ctx_free(mc);
}

/* The quick look counts the sender's signatures without decoding. */
static void t_peek_bgpsec(void)
{
	setup();
	size_t n = 99;
	signed_route("192.0.2.0/24", &kme, PEER, 1, 0, false);
	CU_ASSERT_EQUAL(kr_lint_peek_bgpsec(msg, mlen, 0, &n), 1);
	CU_ASSERT_EQUAL(n, 1);
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	CU_ASSERT_EQUAL(kr_lint_peek_bgpsec(msg, mlen, 0, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	msg[KR_BGP_HDR_LEN + 3] = 0xff; /* Total Path Attribute Length past the end */
	CU_ASSERT_EQUAL(kr_lint_peek_bgpsec(msg, mlen, 0, &n), -1);
	CU_ASSERT_EQUAL(kr_lint_peek_bgpsec(msg, 10, 0, &n), -1);
}

static void t_plain_as_path(void)
{
	setup();
	static const uint32_t p1[] = { UP, 64501 };
	static const uint32_t *const paths[] = { p1 };
	static const size_t lens[] = { 2 };
	struct kr_lint_held h = { .n = 1, .path = paths, .len = lens };
	held_ret = &h;
	uint32_t good[] = { UP, 64501 }, bad[] = { UP };
	plain("192.0.2.0/24", good, 2, NULL, 0, false);
	CLEAN(msg, mlen);
	plain("192.0.2.0/24", bad, 1, NULL, 0, false);
	BREAKS(msg, mlen, KR_L_PLAIN_AS_PATH);
	h.any_plain = true; /* an unsigned route is held too: no expectation */
	CLEAN(msg, mlen);
	/* 2-octet session: AS_TRANS stands for 4-octet ASes */
	h.any_plain = false;
	static const uint32_t p4[] = { 65536 };
	static const uint32_t *const paths4[] = { p4 };
	static const size_t lens4[] = { 1 };
	h.path = paths4;
	h.len = lens4;
	sess.as4 = false;
	sess.sender_as = 64999;
	uint8_t ap[8] = { 2, 2, 0xfd, 0xe7, 0x5b, 0xa0 }; /* 64999 23456 */
	struct kr_attr a = { KR_AF_TRANSITIVE, KR_ATTR_AS_PATH, 6, ap };
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	replace_attr(KR_ATTR_AS_PATH, &a);
	CLEAN(msg, mlen);
	int i = attr_index(KR_ATTR_AS_PATH);
	msg[u.attrs[i].val - msg + 5] = 0xa1; /* another 2-octet AS */
	BREAKS(msg, mlen, KR_L_PLAIN_AS_PATH);
}

/* ---- RTR ------------------------------------------------------------------- */

static size_t pdu(uint8_t *out, uint8_t version, uint8_t type, uint16_t session, uint32_t serial)
{
	struct kr_rtr_pdu p = kr_rtr_pdu_make(version, type, session, serial);
	struct kr_wr w = kr_wr_init(out, 64);
	CU_ASSERT_FATAL(kr_rtr_encode(&p, &w) == 0);
	return w.off;
}

static size_t rtr_router(struct kr_lint_rtr *s, const uint8_t *b, size_t n)
{
	ngot = 0;
	return kr_lint_rtr_router(s, b, n, on_viol, NULL);
}

static void t_rtr_pdu(void)
{
	struct kr_lint_rtr s;
	kr_lint_rtr_init(&s);
	uint8_t b[64];
	size_t n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 0);
	n = pdu(b, 1, KR_RTR_CACHE_RESPONSE, 7, 0);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 1);
	CU_ASSERT(has(KR_L_RTR_PDU));
	n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	b[7] = 9; /* length */
	CU_ASSERT(rtr_router(&s, b, n) >= 1);
	CU_ASSERT(has(KR_L_RTR_PDU));
}

static void t_rtr_version(void)
{
	struct kr_lint_rtr s;
	kr_lint_rtr_init(&s);
	uint8_t b[64];
	size_t n = pdu(b, 1, KR_RTR_CACHE_RESPONSE, 7, 0);
	kr_lint_rtr_cache(&s, b, n);
	n = pdu(b, 1, KR_RTR_END_OF_DATA, 7, 5);
	kr_lint_rtr_cache(&s, b, n);
	n = pdu(b, 1, KR_RTR_SERIAL_QUERY, 7, 5);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 0);
	n = pdu(b, 0, KR_RTR_SERIAL_QUERY, 7, 5);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 1);
	CU_ASSERT(has(KR_L_RTR_VERSION));
	/* before the cache answered, a router may try any version it has */
	kr_lint_rtr_init(&s);
	n = pdu(b, 0, KR_RTR_RESET_QUERY, 0, 0);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 0);
	n = pdu(b, 3, KR_RTR_RESET_QUERY, 0, 0);
	b[0] = 3;
	rtr_router(&s, b, n);
	CU_ASSERT(has(KR_L_RTR_VERSION) || has(KR_L_RTR_PDU));
}

static void t_rtr_serial(void)
{
	struct kr_lint_rtr s;
	kr_lint_rtr_init(&s);
	uint8_t b[64];
	size_t n = pdu(b, 1, KR_RTR_END_OF_DATA, 7, 5);
	kr_lint_rtr_cache(&s, b, n);
	n = pdu(b, 1, KR_RTR_SERIAL_QUERY, 7, 4);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 1);
	CU_ASSERT(has(KR_L_RTR_SERIAL));
	n = pdu(b, 1, KR_RTR_SERIAL_QUERY, 8, 5);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 1);
	n = pdu(b, 1, KR_RTR_CACHE_RESET, 0, 0);
	kr_lint_rtr_cache(&s, b, n);
	n = pdu(b, 1, KR_RTR_SERIAL_QUERY, 7, 5);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 1); /* a Reset Query is due */
	n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 0);
	n = pdu(b, 1, KR_RTR_SERIAL_QUERY, 7, 5);
	CU_ASSERT_EQUAL(rtr_router(&s, b, n), 0);
}

/* ---- rule table, key follower, received routes --------------------------- */

static void t_rules(void)
{
	for (int r = 0; r < KR_L_COUNT; r++) {
		const struct kr_lint_rule *x = kr_lint_rule(r);
		CU_ASSERT(x->id && strchr(x->id, '/') && x->spec && !strncmp(x->spec, "RFC ", 4) && x->what);
		CU_ASSERT_EQUAL(kr_lint_rule_find(x->id), r);
	}
	CU_ASSERT_EQUAL(kr_lint_rule_find("no/such"), KR_L_COUNT);
}

static size_t key_pdu(uint8_t *out, bool announce, const struct kr_key *k)
{
	struct kr_rtr_pdu p = kr_rtr_pdu_make(1, KR_RTR_ROUTER_KEY, 0, 0);
	static uint8_t spki[128];
	size_t sl;
	kr_key_spki_der(k, spki, sizeof spki, &sl);
	p.flags = announce ? 1 : 0;
	p.asn = k->asn;
	memcpy(p.ski, k->ski, 20);
	p.spki = spki;
	p.spki_len = sl;
	struct kr_wr w = kr_wr_init(out, 256);
	CU_ASSERT_FATAL(kr_rtr_encode(&p, &w) == 0);
	return w.off;
}

static void t_follow(void)
{
	setup();
	struct kr_rtr_follow *f = kr_rtr_follow_new(true, false);
	uint8_t b[256];
	size_t n;
	n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	kr_rtr_follow_pdu(f, b, n, true, 10, 1);
	n = key_pdu(b, true, &kme);
	kr_rtr_follow_pdu(f, b, n, false, 11, 2);
	n = key_pdu(b, true, &kup);
	kr_rtr_follow_pdu(f, b, n, false, 11, 3);
	struct kr_rtr_pdu e = kr_rtr_pdu_make(1, KR_RTR_END_OF_DATA, 7, 1);
	e.refresh = 1;
	e.retry = 1;
	e.expire = 600;
	struct kr_wr w = kr_wr_init(b, 64);
	kr_rtr_encode(&e, &w);
	kr_rtr_follow_pdu(f, b, w.off, false, 12, 4);
	/* a withdrawal takes effect at the End of Data */
	n = key_pdu(b, false, &kup);
	kr_rtr_follow_pdu(f, b, n, false, 20, 5);
	w = kr_wr_init(b, 64);
	kr_rtr_encode(&e, &w);
	kr_rtr_follow_pdu(f, b, w.off, false, 21, 6);
	const struct kr_rkey_span *s;
	CU_ASSERT_EQUAL_FATAL(kr_rtr_follow_spans(f, &s), 2);
	CU_ASSERT(s[0].asn == SUT && s[0].from == 11 && s[0].to == INT64_MAX);
	CU_ASSERT(s[1].asn == UP && s[1].from == 11 && s[1].to == 21 && s[1].to_ref == 6);
	/* a reload that leaves the SUT's key out ends it at its End of Data */
	n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	kr_rtr_follow_pdu(f, b, n, true, 30, 7);
	n = key_pdu(b, true, &kup);
	kr_rtr_follow_pdu(f, b, n, false, 31, 8);
	w = kr_wr_init(b, 64);
	kr_rtr_encode(&e, &w);
	kr_rtr_follow_pdu(f, b, w.off, false, 32, 9);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_follow_spans(f, &s), 3);
	CU_ASSERT(s[0].to == 32);
	CU_ASSERT(s[2].asn == UP && s[2].from == 31 && s[2].to == INT64_MAX);
	/* Expire: 600 s after the last End of Data without a newer one */
	kr_rtr_follow_end(f, 32 + 601000000000LL);
	kr_rtr_follow_spans(f, &s);
	CU_ASSERT_EQUAL(s[2].to, 32 + 600000000000LL);
	CU_ASSERT_EQUAL(kr_rtr_follow_eods(f), 3);
	kr_rtr_follow_free(f);
	/* backdated: the first complete response was published before */
	f = kr_rtr_follow_new(false, true);
	n = pdu(b, 1, KR_RTR_RESET_QUERY, 0, 0);
	kr_rtr_follow_pdu(f, b, n, true, 10, 1);
	n = key_pdu(b, true, &kme);
	kr_rtr_follow_pdu(f, b, n, false, 11, 2);
	w = kr_wr_init(b, 64);
	kr_rtr_encode(&e, &w);
	kr_rtr_follow_pdu(f, b, w.off, false, 12, 3);
	n = key_pdu(b, true, &kup);
	kr_rtr_follow_pdu(f, b, n, false, 20, 4);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_follow_spans(f, &s), 2);
	CU_ASSERT_EQUAL(s[0].from, INT64_MIN);
	CU_ASSERT_EQUAL(s[1].from, 20);
	kr_rtr_follow_free(f);
}

static void t_rib(void)
{
	setup();
	struct kr_lint_rib *r = kr_lint_rib_new();
	struct kr_prefix p;
	kr_prefix_parse(&p, "192.0.2.0/24");
	struct kr_err e;
	signed_route("192.0.2.0/24", &kme, PEER, 2, 0, false);
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	kr_lint_rib_update(r, 1, 10, &u);
	CU_ASSERT(kr_lint_rib_held(r, 0, &p) == NULL); /* held by speaker 1 only */
	const struct kr_lint_held *h = kr_lint_rib_held(r, 1, &p);
	CU_ASSERT_FATAL(h && h->n == 1 && !h->any_plain);
	CU_ASSERT(h->len[0] == 3 && h->path[0][0] == SUT && h->path[0][1] == SUT && h->path[0][2] == UP);
	plain("192.0.2.0/24", NULL, 0, NULL, 0, false);
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	kr_lint_rib_update(r, 1, 11, &u);
	h = kr_lint_rib_held(r, 1, &p);
	CU_ASSERT(h && h->n == 1 && h->any_plain);
	CU_ASSERT(kr_update_build_withdraw(&p, 1, 4096, msg, sizeof msg, &mlen, &e) == 0);
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	kr_lint_rib_update(r, 1, 11, &u);
	h = kr_lint_rib_held(r, 1, &p);
	CU_ASSERT(h && h->n == 1 && !h->any_plain);
	kr_lint_rib_drop_src(r, 10);
	CU_ASSERT(kr_lint_rib_held(r, 1, &p) == NULL);
	/* a full table's worth: the table grows, every path is stored once
	 * (the RIB stays near 32 octets a route), withdrawals and a session
	 * going down still find their entries */
	signed_route("192.0.2.0/24", &kme, PEER, 2, 0, false);
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	struct kr_bgpsec_path keep = u.bgpsec;
	enum { N = 60000 };
	for (unsigned i = 0; i < N; i++) {
		struct kr_prefix q = { .afi = KR_AFI_IPV4, .len = 24, .addr = { 10, (uint8_t)(i >> 8), (uint8_t)i } };
		if (i >= 256 * 256)
			break;
		/* the decoded UPDATE with another prefix in MP_REACH_NLRI */
		uint8_t nl[4] = { 24, q.addr[0], q.addr[1], q.addr[2] };
		u.mp_reach.nlri = nl;
		u.mp_reach.nlri_len = 4;
		u.mp_reach.nprefixes = 1;
		u.bgpsec = keep;
		kr_lint_rib_update(r, 2, 20 + i % 2, &u);
	}
	CU_ASSERT_EQUAL(kr_lint_rib_routes(r), N);
	CU_ASSERT(kr_lint_rib_bytes(r) < (size_t)N * 64);
	struct kr_prefix q = { .afi = KR_AFI_IPV4, .len = 24, .addr = { 10, 0x12, 0x34 } };
	h = kr_lint_rib_held(r, 2, &q);
	CU_ASSERT(h && h->n == 1 && h->len[0] == 3 && h->path[0][2] == UP);
	CU_ASSERT(kr_update_build_withdraw(&q, 1, 4096, msg, sizeof msg, &mlen, &e) == 0);
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, mlen, KR_ATTR_BGPSEC_PATH, &e) == 0);
	kr_lint_rib_update(r, 2, 20 + 0x1234 % 2, &u);
	CU_ASSERT(kr_lint_rib_held(r, 2, &q) == NULL);
	kr_lint_rib_drop_src(r, 20);
	CU_ASSERT_EQUAL(kr_lint_rib_routes(r), N / 2);
	kr_lint_rib_free(r);
	kr_keytab_free(keys);
	keys = NULL;
	kr_key_free(&kme);
	kr_key_free(&kup);
	kr_crypto_ctx_free(cc);
	cc = NULL;
	free(store);
	store = NULL;
}

KR_TESTS("wire lint",
	 { "header: marker, type, length vs Extended Message", t_header },
	 { "OPEN: version, hold time, identifier, parameters", t_open },
	 { "OPEN: My AS and AS_TRANS", t_as_trans },
	 { "OPEN: BGPsec capability and its prerequisites", t_bgpsec_cap },
	 { "NOTIFICATION error code", t_notification },
	 { "ROUTE-REFRESH only where advertised", t_route_refresh },
	 { "UPDATE lengths", t_update_lengths },
	 { "attribute flags", t_attr_flags },
	 { "attribute lengths", t_attr_len },
	 { "ORIGIN and AS_PATH values, 2-octet sessions", t_attr_value },
	 { "repeated attributes", t_attr_dup },
	 { "mandatory ORIGIN, AS_PATH, NEXT_HOP", t_mandatory },
	 { "own AS first towards external peers", t_as_path_first },
	 { "NEXT_HOP value", t_next_hop_value },
	 { "LOCAL_PREF never to external peers", t_local_pref },
	 { "MP_REACH_NLRI next hop and reserved octet", t_mp_reach },
	 { "MP attributes first (advice)", t_mp_first },
	 { "one kind of routes per UPDATE", t_one_kind },
	 { "families the receiver advertised", t_family },
	 { "BGPsec: clean UPDATEs pass every rule", t_bgpsec_clean },
	 { "BGPsec only where negotiated", t_bgpsec_neg },
	 { "BGPsec: one prefix in MP_REACH_NLRI", t_bgpsec_prefix },
	 { "BGPsec: no AS_PATH beside BGPsec_PATH", t_bgpsec_as_path },
	 { "BGPsec_PATH syntax", t_bgpsec_syntax },
	 { "the sender's segment flags", t_bgpsec_flags },
	 { "the sender's pCount", t_pcount },
	 { "the newest segment is the sender's AS", t_own_as },
	 { "the sender's SKI published then", t_ski },
	 { "the sender's signature verifies", t_signature },
	 { "AS_PATH to a plain peer rebuilt from the BGPsec path", t_plain_as_path },
	 { "RTR: router PDU types and form", t_rtr_pdu },
	 { "RTR: negotiated version", t_rtr_version },
	 { "RTR: Serial Query session and serial", t_rtr_serial },
	 { "rule table", t_rules },
	 { "RTR key follower: announce, withdraw, reload, expire", t_follow },
	 { "signatures of a sample", t_signature_sample },
	 { "verification cache", t_signature_cache },
	 { "quick look at BGPsec UPDATEs", t_peek_bgpsec },
	 { "received routes per speaker (frees the keys: last)", t_rib });
