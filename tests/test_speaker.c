/* Harness speakers on loopback: an injector (up1) signs on the fly and
 * sends to an observer (dn1) that validates against a key table the test
 * changes; the waits of obs_wait.h must pass and fail as they should. */
#include <string.h>

#include "wire/bgpsec_crypto.h"
#include "cu.h"
#include "run/obs_wait.h"
#include "run/speaker.h"

#define S(x) ((int64_t)((x) * 1e9))

struct rig {
	struct kr_loop *l;
	struct kr_speaker *up, *dn;
	struct kr_key k1, k2;
	struct kr_keytab *keys;
};

static void rig_up(struct rig *r, bool up_bgpsec, bool dn_bgpsec)
{
	struct kr_err e;
	memset(r, 0, sizeof *r);
	r->l = kr_loop_new();
	CU_ASSERT_FATAL(kr_key_generate(&r->k1, 65536, &e) == 0);
	CU_ASSERT_FATAL(kr_key_generate(&r->k2, 65536, &e) == 0);
	r->keys = kr_keytab_new();
	CU_ASSERT_FATAL(kr_keytab_add_key(r->keys, &r->k1, &e) == 0);

	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = "dn1";
	c.asn = 64496;
	c.bgp_id = 0xC6120002;
	c.peer_as = 65536;
	c.passive = true;
	c.local_ip = "127.0.0.1";
	c.port = 0;
	c.observe = true;
	c.keys = r->keys;
	c.bgpsec_recv[1] = c.bgpsec_recv[2] = dn_bgpsec;
	r->dn = kr_speaker_new(r->l, &c, &e);
	CU_ASSERT_FATAL(r->dn != NULL);
	CU_ASSERT_FATAL(kr_speaker_start(r->dn, &e) == 0);

	kr_speaker_cfg_init(&c);
	c.name = "up1";
	c.asn = 65536;
	c.bgp_id = 0xC6120001;
	c.peer_as = 64496;
	c.peer_ip = "127.0.0.1";
	c.port = kr_speaker_listen_port(r->dn);
	c.nh6 = "2001:db8::1";
	c.bgpsec_send[1] = c.bgpsec_send[2] = up_bgpsec;
	r->up = kr_speaker_new(r->l, &c, &e);
	CU_ASSERT_FATAL(r->up != NULL);
	CU_ASSERT_FATAL(kr_speaker_start(r->up, &e) == 0);
	struct kr_speaker *both[] = { r->up, r->dn };
	CU_ASSERT_FATAL(kr_speakers_wait_established(both, 2, kr_now_ns() + S(5)) == 1);
}

static void rig_down(struct rig *r)
{
	kr_speaker_free(r->up);
	kr_speaker_free(r->dn);
	kr_keytab_free(r->keys);
	kr_key_free(&r->k1);
	kr_key_free(&r->k2);
	kr_loop_free(r->l);
}

static void announce(struct rig *r, const char *pfx, const struct kr_key *k)
{
	struct kr_announce a = { 0 };
	kr_prefix_parse(&a.prefix, pfx);
	const struct kr_key *ks[] = { k };
	a.keys = ks;
	a.nkeys = k ? 1 : 0;
	struct kr_err e;
	CU_ASSERT(kr_speaker_announce(r->up, &a, &e) == 0);
}

static void t_signed_valid_and_withdrawn(void)
{
	struct rig r;
	rig_up(&r, true, true);
	const struct kr_bgp_neg *n = kr_bgp_session_neg(kr_speaker_session(r.up));
	CU_ASSERT(n->bgpsec_send[1] && n->bgpsec_send[2]);
	struct kr_obs *o = kr_speaker_obs(r.dn);
	int64_t t0 = kr_now_ns();
	announce(&r, "203.0.113.0/24", &r.k1);
	announce(&r, "2001:db8:100::/48", &r.k1);
	struct kr_prefix p4, p6;
	kr_prefix_parse(&p4, "203.0.113.0/24");
	kr_prefix_parse(&p6, "2001:db8:100::/48");
	struct kr_expect x;
	CU_ASSERT(kr_wait_signed(r.l, o, &p4, r.k1.ski, true, t0, t0 + S(5), &x) == 1);
	CU_ASSERT(x.ok);
	CU_ASSERT(kr_wait_signed(r.l, o, &p6, r.k1.ski, true, t0, t0 + S(5), &x) == 1);
	const struct kr_obs_route *rt = kr_obs_find(o, &p4);
	CU_ASSERT_FATAL(rt != NULL);
	CU_ASSERT(rt->is_signed && rt->verdict == KR_VALID && rt->nhops == 1);
	CU_ASSERT_EQUAL(kr_obs_hop_asn(rt, 0), 65536);
	CU_ASSERT(memcmp(kr_obs_hop_ski(o, rt, 0), r.k1.ski, KR_SKI_LEN) == 0);

	/* wrong SKI asked for: not satisfied, and the message says why */
	CU_ASSERT(kr_wait_signed(r.l, o, &p4, r.k2.ski, false, t0, kr_now_ns() + S(0.2), &x) == 0);
	CU_ASSERT(!x.ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.expected, "203.0.113.0/24 on dn1 signed by SKI"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.observed, "Valid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.when, "deadline"));

	int64_t t1 = kr_now_ns();
	struct kr_err e;
	CU_ASSERT(kr_speaker_withdraw(r.up, &p4, 1, &e) == 0);
	CU_ASSERT(kr_wait_withdrawn(r.l, o, &p4, t1, t1 + S(5), &x) == 1);
	CU_ASSERT_EQUAL(kr_obs_present(o), 1);
	/* a withdrawal that never comes */
	int64_t t2 = kr_now_ns();
	CU_ASSERT(kr_wait_withdrawn(r.l, o, &p6, t2, t2 + S(0.2), &x) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.observed, "still"));

	/* the recorder kept everything, OPEN first */
	CU_ASSERT(kr_speaker_nrec(r.dn) >= 4);
	CU_ASSERT_EQUAL(kr_speaker_rec(r.dn, 0).type, KR_BGP_OPEN);
	CU_ASSERT_EQUAL(kr_speaker_updates_received(r.dn), 3);
	rig_down(&r);
}

static void t_unknown_key_then_published(void)
{
	struct rig r;
	rig_up(&r, true, true);
	struct kr_obs *o = kr_speaker_obs(r.dn);
	int64_t t0 = kr_now_ns();
	announce(&r, "198.51.100.0/24", &r.k2);
	struct kr_prefix p;
	kr_prefix_parse(&p, "198.51.100.0/24");
	struct kr_expect x;
	CU_ASSERT(kr_wait_signed(r.l, o, &p, r.k2.ski, false, t0, t0 + S(5), &x) == 1);
	const struct kr_obs_route *rt = kr_obs_find(o, &p);
	CU_ASSERT(rt->verdict == KR_NOT_VALID && rt->reason == KR_R_UNKNOWN_SKI);
	CU_ASSERT_EQUAL(kr_obs_sig_state(rt, 0), 0);
	CU_ASSERT(kr_wait_signed(r.l, o, &p, r.k2.ski, true, t0, kr_now_ns() + S(0.1), &x) == 0);
	struct kr_err e;
	CU_ASSERT(kr_keytab_add_key(r.keys, &r.k2, &e) == 0);
	/* the verdict now differs from the one at receipt, which stays */
	uint8_t bad = 0;
	CU_ASSERT_EQUAL(kr_obs_verdict_now(o, kr_obs_find(o, &p), &bad), KR_VALID);
	CU_ASSERT_EQUAL(bad, 0xff);
	CU_ASSERT(kr_obs_find(o, &p)->verdict == KR_NOT_VALID);
	CU_ASSERT_EQUAL(kr_obs_verdict_now(o, NULL, &bad), -1);
	CU_ASSERT_EQUAL(kr_obs_revalidate(o), 1);
	CU_ASSERT(kr_obs_find(o, &p)->verdict == KR_VALID);
	CU_ASSERT_EQUAL(kr_obs_sig_state(kr_obs_find(o, &p), 0), 1);
	rig_down(&r);
}

static void t_all_and_sentinel(void)
{
	struct rig r;
	rig_up(&r, true, true);
	struct kr_obs *o = kr_speaker_obs(r.dn);
	struct kr_prefix ps[20];
	int64_t t0 = kr_now_ns();
	for (int i = 0; i < 20; i++) {
		char b[32];
		snprintf(b, sizeof b, "198.18.%d.0/24", 100 + i);
		kr_prefix_parse(&ps[i], b);
		announce(&r, b, &r.k1);
	}
	struct kr_expect x;
	CU_ASSERT(kr_wait_all_signed(r.l, o, ps, 20, r.k1.ski, t0, t0 + S(5), &x) == 1);
	CU_ASSERT(kr_wait_all_signed(r.l, o, ps, 20, r.k2.ski, t0, kr_now_ns() + S(0.1), &x) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.observed, "0 of 20"));

	/* absence proven by a sentinel */
	struct kr_prefix px, pz;
	kr_prefix_parse(&px, "192.0.2.0/24");
	kr_prefix_parse(&pz, "192.0.2.128/25");
	int64_t t1 = kr_now_ns();
	announce(&r, "192.0.2.128/25", NULL);
	CU_ASSERT(kr_wait_never_before(r.l, o, &px, NULL, &pz, t1, t1 + S(5), &x) == 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.observed, "sentinel"));
	int64_t t2 = kr_now_ns();
	announce(&r, "192.0.2.0/24", &r.k1);
	announce(&r, "192.0.2.128/25", NULL);
	CU_ASSERT(kr_wait_never_before(r.l, o, &px, NULL, &pz, t2, t2 + S(5), &x) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.observed, "announced at"));
	/* a sentinel that never arrives is inconclusive, not a pass */
	int64_t t3 = kr_now_ns();
	CU_ASSERT(kr_wait_never_before(r.l, o, &px, NULL, &pz, t3, t3 + S(0.1), &x) == -1);
	rig_down(&r);
}

static void t_no_bgpsec_negotiated(void)
{
	struct rig r;
	rig_up(&r, true, false); /* the observer does not advertise receive */
	const struct kr_bgp_neg *n = kr_bgp_session_neg(kr_speaker_session(r.up));
	CU_ASSERT(!n->bgpsec_send[1] && !n->bgpsec_send[2]);
	/* the injector can still send one on purpose; the observer sees it */
	struct kr_obs *o = kr_speaker_obs(r.dn);
	int64_t t0 = kr_now_ns();
	announce(&r, "203.0.113.0/24", &r.k1);
	announce(&r, "198.51.100.0/24", NULL);
	struct kr_prefix p, q;
	kr_prefix_parse(&p, "203.0.113.0/24");
	kr_prefix_parse(&q, "198.51.100.0/24");
	struct kr_expect x;
	CU_ASSERT(kr_wait_signed(r.l, o, &p, NULL, false, t0, t0 + S(5), &x) == 1);
	CU_ASSERT(kr_wait_announced(r.l, o, &q, t0, t0 + S(5), &x) == 1);
	const struct kr_obs_route *rt = kr_obs_find(o, &q);
	CU_ASSERT(!rt->is_signed && rt->nhops == 1 && kr_obs_hop_asn(rt, 0) == 65536);
	rig_down(&r);
}

KR_TESTS("speaker",
	 { "signed route valid, withdrawn, recorded", t_signed_valid_and_withdrawn },
	 { "unknown SKI, then key published and revalidated", t_unknown_key_then_published },
	 { "all N re-advertised; sentinel absence", t_all_and_sentinel },
	 { "BGPsec not negotiated", t_no_bgpsec_negotiated });
