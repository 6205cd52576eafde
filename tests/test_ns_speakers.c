/* Harness roles in the standard rollover topology (needs root; skipped
 * otherwise): a forwarding stand-in SUT in `sut`, injectors up1 (IPv4) and
 * up2 (IPv6) sending vector UPDATEs byte for byte, observers dn1 (IPv4)
 * and dn2 (IPv6) validating them, and real ExaBGP in `exa` as the plain
 * peer: AS_PATH rebuilt, withdrawals, a leaked BGPsec_PATH detected from
 * the raw bytes, and plain routes injected through ExaBGP's API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "run/exabgp.h"
#include "run/inject.h"
#include "net/netns.h"
#include "run/obs_wait.h"
#include "rpki/keys_json.h"
#include "run/relay.h"
#include "run/replay.h"
#include "run/speaker.h"

#define S(x) ((int64_t)((x) * 1e9))
#define SUT_AS 65537 /* the vectors' my-as: their signatures target it */

static bool root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "SKIP: not root, namespace tests skipped\n");
	return false;
}

struct env {
	struct kr_loop *l;
	struct kr_net *net;
	struct kr_ns_sock ns[6];
	struct kr_speaker *up1, *up2, *dn1, *dn2;
	struct kr_relay *relay;
	struct kr_exa *exa;
	struct kr_keytab *keys;
	struct kr_vecfile vf;
	char dir[64];
};

static void addr(struct env *e, const char *node, const char *peer, int fam, char *out)
{
	struct kr_ifaddr a;
	CU_ASSERT_FATAL(kr_net_addr(e->net, node, peer, fam, &a) == 0);
	kr_ifaddr_str(&a, out, 64);
}

static struct kr_speaker *role(struct env *e, int slot, const char *node, uint32_t asn, int fam,
			       bool inj)
{
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	static char ip[6][64];
	addr(e, node, "sut", fam, ip[slot]);
	e->ns[slot] = (struct kr_ns_sock){ e->net, node };
	c.name = node;
	c.asn = asn;
	c.bgp_id = 0xC6120000u + (uint32_t)slot + 1;
	c.peer_as = SUT_AS;
	c.passive = true;
	c.local_ip = ip[slot];
	c.socket_fn = kr_ns_socket_fn;
	c.socket_arg = &e->ns[slot];
	c.observe = !inj;
	c.keys = e->keys;
	for (int a = 1; a <= 2; a++) {
		c.bgpsec_send[a] = inj;
		c.bgpsec_recv[a] = !inj;
	}
	struct kr_err err;
	struct kr_speaker *sp = kr_speaker_new(e->l, &c, &err);
	CU_ASSERT_FATAL(sp != NULL);
	CU_ASSERT_FATAL(kr_speaker_start(sp, &err) == 0);
	return sp;
}

static void relay_peer(struct env *e, struct kr_relay_cfg *rc, const char *node, uint32_t asn, int fam,
		       bool bgpsec)
{
	static char ips[8][2][64];
	size_t i = rc->npeers++;
	addr(e, node, "sut", fam, ips[i][0]);
	addr(e, "sut", node, fam, ips[i][1]);
	rc->peers[i] = (struct kr_relay_peer){ .name = node, .peer_ip = ips[i][0], .local_ip = ips[i][1],
					       .peer_as = asn, .bgpsec = bgpsec };
}

static void env_up(struct env *e)
{
	struct kr_err err;
	memset(e, 0, sizeof *e);
	e->l = kr_loop_new();
	struct kr_topo t;
	CU_ASSERT_FATAL(kr_topo_load(&t, "netns/rollover.topo", &err) == 0);
	e->net = kr_net_up(&t, NULL, false, &err);
	if (!e->net)
		fprintf(stderr, "net: %s\n", err.msg);
	CU_ASSERT_FATAL(e->net != NULL);
	CU_ASSERT_FATAL(kr_vecfile_load(&e->vf, "vectors/bgpsec-negative.vec", &err) == 0);
	e->keys = kr_keytab_new();
	CU_ASSERT_FATAL(kr_vecfile_keys_to_keytab(&e->vf, e->keys, &err) > 0);

	e->up1 = role(e, 0, "up1", 65536, AF_INET, true);
	e->up2 = role(e, 1, "up2", 64496, AF_INET6, true);
	e->dn1 = role(e, 2, "dn1", 64500, AF_INET, false);
	e->dn2 = role(e, 3, "dn2", 64501, AF_INET6, false);

	snprintf(e->dir, sizeof e->dir, "/tmp/kr-exa-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(e->dir) != NULL);
	char exa_ip[64], sut_ip[64];
	addr(e, "exa", "sut", AF_INET, exa_ip);
	addr(e, "sut", "exa", AF_INET, sut_ip);
	struct kr_exa_cfg xc = { .node = "exa", .workdir = e->dir, .local_ip = exa_ip, .peer_ip = sut_ip,
				 .local_as = 64499, .peer_as = SUT_AS, .passive = true };
	e->exa = kr_exa_start(e->l, e->net, &xc, &err);
	if (!e->exa)
		fprintf(stderr, "exa: %s\n", err.msg);
	CU_ASSERT_FATAL(e->exa != NULL);

	struct kr_relay_cfg rc = { .asn = SUT_AS, .bgp_id = 0xC61200FE };
	e->ns[5] = (struct kr_ns_sock){ e->net, "sut" };
	rc.socket_fn = kr_ns_socket_fn;
	rc.socket_arg = &e->ns[5];
	relay_peer(e, &rc, "up1", 65536, AF_INET, true);
	relay_peer(e, &rc, "up2", 64496, AF_INET6, true);
	relay_peer(e, &rc, "dn1", 64500, AF_INET, true);
	relay_peer(e, &rc, "dn2", 64501, AF_INET6, true);
	relay_peer(e, &rc, "exa", 64499, AF_INET, false);
	e->relay = kr_relay_new(e->l, &rc, &err);
	CU_ASSERT_FATAL(e->relay != NULL);
	CU_ASSERT_FATAL(kr_relay_start(e->relay, &err) == 0);

	struct kr_speaker *all[] = { e->up1, e->up2, e->dn1, e->dn2 };
	CU_ASSERT_FATAL(kr_speakers_wait_established(all, 4, kr_now_ns() + S(10)) == 1);
	int rcx = kr_exa_wait_up(e->exa, kr_now_ns() + S(20), &err);
	if (rcx != 1)
		fprintf(stderr, "exa: %s\n", err.msg);
	CU_ASSERT_FATAL(rcx == 1);
	/* The stand-in forwards verbatim: signatures target the SUT's AS and
	 * the newest hop is the injector's, so check 2 is off here. */
	kr_obs_set_peer(kr_speaker_obs(e->dn1), SUT_AS, 0);
	kr_obs_set_peer(kr_speaker_obs(e->dn2), SUT_AS, 0);
}

static void env_down(struct env *e)
{
	kr_exa_free(e->exa);
	kr_relay_free(e->relay);
	kr_speaker_free(e->up1);
	kr_speaker_free(e->up2);
	kr_speaker_free(e->dn1);
	kr_speaker_free(e->dn2);
	kr_net_free(e->net);
	kr_keytab_free(e->keys);
	kr_vecfile_free(&e->vf);
	kr_loop_free(e->l);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "%s %s", getenv("KR_KEEP") ? "echo kept" : "rm -rf", e->dir);
	CU_ASSERT(system(cmd) == 0);
}

/* The one prefix of a vector's UPDATE. */
static struct kr_prefix vec_prefix(struct env *e, const char *name)
{
	static struct kr_update u;
	struct kr_prefix p = { 0 };
	struct kr_err err;
	long i = kr_vecfile_find(&e->vf, name);
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_FATAL(kr_update_decode(&u, e->vf.vecs[i].update.p, e->vf.vecs[i].update.len,
					 KR_ATTR_BGPSEC_PATH, &err) == 0);
	struct kr_nlri_iter it;
	kr_nlri_iter_init(&it, u.mp_reach.afi, u.mp_reach.nlri, u.mp_reach.nlri_len);
	CU_ASSERT_FATAL(kr_nlri_next(&it, &p));
	return p;
}

static void t_roles_and_exabgp(void)
{
	if (!root())
		return;
	struct env e;
	env_up(&e);
	struct kr_err err;
	struct kr_expect x;
	struct kr_prefix p4 = vec_prefix(&e, "valid-2hop-ipv4"), p6 = vec_prefix(&e, "valid-2hop-ipv6");
	struct kr_prefix p1 = vec_prefix(&e, "valid-1hop-ipv4");
	int64_t t0 = kr_now_ns();
	CU_ASSERT(kr_inject_vector(e.up1, &e.vf, "valid-2hop-ipv4", &err) == 0);
	CU_ASSERT(kr_inject_vector(e.up1, &e.vf, "valid-2hop-ipv6", &err) == 0);
	struct kr_obs *o1 = kr_speaker_obs(e.dn1), *o2 = kr_speaker_obs(e.dn2);
	struct kr_obs *ox = kr_exa_obs(e.exa);
	CU_ASSERT(kr_wait_signed(e.l, o1, &p4, NULL, true, t0, t0 + S(5), &x) == 1);
	if (!x.ok)
		fprintf(stderr, "%s / %s / %s\n", x.expected, x.observed, x.when);
	CU_ASSERT(kr_wait_signed(e.l, o2, &p6, NULL, true, t0, t0 + S(5), &x) == 1);

	/* ExaBGP's view: AS_PATH rebuilt, nothing leaked */
	CU_ASSERT(kr_wait_announced(e.l, ox, &p4, t0, t0 + S(5), &x) == 1);
	if (!x.ok)
		fprintf(stderr, "%s / %s / %s\n", x.expected, x.observed, x.when);
	const struct kr_obs_route *r = kr_obs_find(ox, &p4);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(!r->is_signed && r->nhops == 3 && kr_obs_hop_asn(r, 0) == SUT_AS &&
		  kr_obs_hop_asn(r, 1) == 65536);
	CU_ASSERT_EQUAL(kr_exa_leaks(e.exa), 0);

	/* the same prefix from up2 over IPv6, one hop (the vectors share it) */
	int64_t t0b = kr_now_ns();
	CU_ASSERT(kr_inject_vector(e.up2, &e.vf, "valid-1hop-ipv4", &err) == 0);
	CU_ASSERT(kr_wait_signed(e.l, o2, &p1, NULL, true, t0b, t0b + S(5), &x) == 1);
	CU_ASSERT(kr_obs_find(o2, &p1)->nhops == 1);

	/* a leak: BGPsec_PATH forwarded to the plain peer */
	kr_relay_set_leak(e.relay, 4, true);
	int64_t t1 = kr_now_ns();
	CU_ASSERT(kr_inject_vector(e.up2, &e.vf, "valid-1hop-ipv4", &err) == 0);
	CU_ASSERT(kr_wait_signed(e.l, ox, &p1, NULL, false, t1, t1 + S(5), &x) == 1);
	CU_ASSERT(kr_exa_leaks(e.exa) >= 1);
	kr_relay_set_leak(e.relay, 4, false);

	/* withdrawals propagate to BGPsec and plain observers */
	int64_t t2 = kr_now_ns();
	CU_ASSERT(kr_speaker_withdraw(e.up1, &p4, 1, &err) == 0);
	CU_ASSERT(kr_wait_withdrawn(e.l, o1, &p4, t2, t2 + S(5), &x) == 1);
	CU_ASSERT(kr_wait_withdrawn(e.l, ox, &p4, t2, t2 + S(5), &x) == 1);

	/* plain route and a raw attribute injected through ExaBGP */
	struct kr_prefix px;
	kr_prefix_parse(&px, "198.51.100.0/24");
	const uint32_t path[] = { 64499 };
	const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef };
	int64_t t3 = kr_now_ns();
	CU_ASSERT(kr_exa_announce(e.exa, &px, path, 1, 0x21, 0x80, junk, sizeof junk) == 0);
	CU_ASSERT(kr_wait_announced(e.l, o1, &px, t3, t3 + S(10), &x) == 1);
	if (!x.ok)
		fprintf(stderr, "%s / %s / %s\n", x.expected, x.observed, x.when);
	r = kr_obs_find(o1, &px);
	CU_ASSERT(r && r->is_signed && r->verdict == KR_NOT_VALID); /* the raw 0x21 arrived */
	CU_ASSERT(kr_exa_withdraw(e.exa, &px) == 0);
	CU_ASSERT(kr_wait_withdrawn(e.l, o1, &px, t3, kr_now_ns() + S(10), &x) == 1);

	/* replay from the pcap fixture: the old-key announcement of one prefix,
	 * selected by prefix and index, sent verbatim by up1 (AS 65536, the
	 * fixture's signer; its signatures target AS 65537, the stand-in) */
	FILE *kf = fopen("pcaps/harness-pair.keys.json", "r");
	CU_ASSERT_FATAL(kf != NULL);
	char kj[4096];
	size_t kl = fread(kj, 1, sizeof kj, kf);
	fclose(kf);
	CU_ASSERT(kr_keys_json_load(e.keys, kj, kl, &err) == 2);
	struct kr_prefix pr;
	kr_prefix_parse(&pr, "198.51.100.0/24");
	struct kr_replay_sel sel;
	kr_replay_sel_init(&sel);
	sel.prefix = &pr;
	sel.bgpsec_only = true;
	sel.first = sel.last = 0; /* the first (old-key) announcement */
	struct kr_replay_set rs;
	kr_replay_set_init(&rs);
	CU_ASSERT_FATAL(kr_replay_load("pcaps/harness-pair.pcap", &sel, &rs, &err) == 0);
	CU_ASSERT_EQUAL_FATAL(rs.n, 1);
	CU_ASSERT_EQUAL(rs.matched, 2); /* old key, then new key */
	int64_t t4 = kr_now_ns();
	CU_ASSERT(kr_replay_send(e.up1, &rs, t4 + S(5)) == 0);
	CU_ASSERT(kr_wait_signed(e.l, o1, &pr, NULL, true, t4, t4 + S(5), &x) == 1);
	if (!x.ok)
		fprintf(stderr, "%s / %s / %s\n", x.expected, x.observed, x.when);
	size_t ml;
	const uint8_t *got = kr_obs_msg(kr_obs_find(o1, &pr), &ml);
	CU_ASSERT(got && ml == rs.m[0].len && memcmp(got, rs.data.p + rs.m[0].off, ml) == 0);
	kr_replay_set_free(&rs);
	env_down(&e);
}

KR_TESTS("ns_speakers", { "roles, vectors and ExaBGP in the rollover topology", t_roles_and_exabgp });
