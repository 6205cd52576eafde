/* Interop of the harness speakers with BIRD 2, FRR bgpd, GoBGP and OpenBGPD
 * (plain BGP, Debian packages), each in its own namespace (needs root;
 * skipped otherwise). Topology netns/interop.topo: harness nodes h1 and h2
 * both peer with every daemon. Judged on the wire: h1's route and its
 * withdrawal come out of each daemon towards h2, and each daemon's own
 * route reaches both. The daemons die with the topology on every path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu.h"
#include "net/netns.h"
#include "run/obs_wait.h"
#include "net/proc.h"
#include "run/speaker.h"

#define S(x) ((int64_t)((x) * 1e9))
#define H1_AS 65536 /* 4-octet AS on one side */
#define H2_AS 64496

struct daemon {
	const char *node;
	uint32_t asn;
	const char *own; /* prefix the daemon originates */
	struct kr_proc *proc;
	struct kr_speaker *h1, *h2;
	struct kr_ns_sock ns1, ns2;
	char ip1[64], ip2[64], my1[64], my2[64]; /* daemon / harness ends */
};

static struct daemon dms[] = {
	{ .node = "bird", .asn = 64501, .own = "198.19.1.0/24" },
	{ .node = "frr", .asn = 64502, .own = "198.19.2.0/24" },
	{ .node = "gobgp", .asn = 64503, .own = "198.19.3.0/24" },
	{ .node = "obgpd", .asn = 64504, .own = "198.19.4.0/24" },
};
#define ND (sizeof dms / sizeof dms[0])

static char dir[64];

static void wfile(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static struct kr_proc *start(const struct kr_net *n, const char *node, const char *const *argv,
			     const char *log)
{
	char lp[256];
	snprintf(lp, sizeof lp, "%s/%s", dir, log);
	struct kr_proc_opts o = { .node = node, .argv = argv, .log = strdup(lp), .cwd = dir };
	struct kr_err e;
	struct kr_proc *p = kr_proc_start(n, &o, &e);
	if (!p)
		fprintf(stderr, "%s: %s\n", node, e.msg);
	free((void *)o.log);
	return p;
}

static void start_bird(const struct kr_net *n, struct daemon *d)
{
	char c[2048], p[3][256];
	snprintf(c, sizeof c,
		 "router id %s;\n"
		 "log stderr all;\n"
		 "protocol device {}\n"
		 "protocol static { ipv4; route %s blackhole; }\n"
		 "protocol bgp h1 { local %s as %u; neighbor %s as %u; connect retry time 1;\n"
		 "  ipv4 { import all; export all; }; }\n"
		 "protocol bgp h2 { local %s as %u; neighbor %s as %u; connect retry time 1;\n"
		 "  ipv4 { import all; export all; }; }\n",
		 d->ip1, d->own, d->ip1, d->asn, d->my1, H1_AS, d->ip2, d->asn, d->my2, H2_AS);
	wfile("bird.conf", c);
	snprintf(p[0], sizeof p[0], "%s/bird.conf", dir);
	snprintf(p[1], sizeof p[1], "%s/bird.ctl", dir);
	snprintf(p[2], sizeof p[2], "%s/bird.pid", dir);
	const char *argv[] = { "bird", "-f", "-c", p[0], "-s", p[1], "-P", p[2], NULL };
	d->proc = start(n, d->node, argv, "bird.log");
}

static void start_frr(const struct kr_net *n, struct daemon *d)
{
	char c[2048], p[3][256];
	snprintf(c, sizeof c,
		 "frr defaults traditional\n"
		 "hostname frr\n"
		 "log stdout\n"
		 "router bgp %u\n"
		 " bgp router-id %s\n"
		 " no bgp ebgp-requires-policy\n"
		 " no bgp network import-check\n"
		 " neighbor %s remote-as %u\n"
		 " neighbor %s timers connect 1\n"
		 " neighbor %s advertisement-interval 0\n"
		 " neighbor %s remote-as %u\n"
		 " neighbor %s timers connect 1\n"
		 " neighbor %s advertisement-interval 0\n"
		 " address-family ipv4 unicast\n"
		 "  network %s\n"
		 " exit-address-family\n",
		 d->asn, d->ip1, d->my1, H1_AS, d->my1, d->my1, d->my2, H2_AS, d->my2, d->my2, d->own);
	wfile("frr.conf", c);
	snprintf(p[0], sizeof p[0], "%s/frr.conf", dir);
	snprintf(p[1], sizeof p[1], "%s", dir);
	snprintf(p[2], sizeof p[2], "%s/frr.pid", dir);
	const char *argv[] = { "/usr/lib/frr/bgpd", "-f", p[0], "-Z", "-S", "-P", "0", "--vty_socket", p[1],
			       "-i", p[2], "--log", "stdout", "-u", "root", "-g", "root", NULL };
	d->proc = start(n, d->node, argv, "frr.log");
}

static void start_gobgp(const struct kr_net *n, struct daemon *d)
{
	char c[2048], p[256];
	snprintf(c, sizeof c,
		 "[global.config]\n"
		 "  as = %u\n"
		 "  router-id = \"%s\"\n"
		 "[[neighbors]]\n"
		 "  [neighbors.config]\n"
		 "    neighbor-address = \"%s\"\n"
		 "    peer-as = %u\n"
		 "  [neighbors.timers.config]\n"
		 "    connect-retry = 1\n"
		 "[[neighbors]]\n"
		 "  [neighbors.config]\n"
		 "    neighbor-address = \"%s\"\n"
		 "    peer-as = %u\n"
		 "  [neighbors.timers.config]\n"
		 "    connect-retry = 1\n",
		 d->asn, d->ip1, d->my1, H1_AS, d->my2, H2_AS);
	wfile("gobgp.toml", c);
	snprintf(p, sizeof p, "%s/gobgp.toml", dir);
	const char *argv[] = { "gobgpd", "-f", p, "--api-hosts=127.0.0.1:50051", "--pprof-disable", NULL };
	d->proc = start(n, d->node, argv, "gobgp.log");
}

static void start_obgpd(const struct kr_net *n, struct daemon *d)
{
	char c[2048], p[256];
	snprintf(c, sizeof c,
		 "AS %u\n"
		 "router-id %s\n"
		 "fib-update no\n"
		 "socket \"%s/obgpd.sock\"\n"
		 "listen on %s\n"
		 "listen on %s\n"
		 "network %s\n"
		 "neighbor %s { remote-as %u }\n"
		 "neighbor %s { remote-as %u }\n"
		 "allow from any\n"
		 "allow to any\n",
		 d->asn, d->ip1, dir, d->ip1, d->ip2, d->own, d->my1, H1_AS, d->my2, H2_AS);
	wfile("obgpd.conf", c);
	/* bgpd chroots its unprivileged processes to _openbgpd's home, which
	 * systemd would create as RuntimeDirectory; outside systemd it may be
	 * missing. */
	mkdir("/run/openbgpd", 0755);
	snprintf(p, sizeof p, "%s/obgpd.conf", dir);
	const char *argv[] = { "bgpd", "-d", "-f", p, NULL };
	d->proc = start(n, d->node, argv, "obgpd.log");
}

static struct kr_speaker *harness(struct kr_loop *l, struct kr_ns_sock *ns, const char *name,
				  uint32_t asn, const char *local, const char *peer, uint32_t peer_as)
{
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = name;
	c.asn = asn;
	c.bgp_id = asn == H1_AS ? 0xC6120101 : 0xC6120102;
	c.peer_as = peer_as;
	c.peer_ip = peer;
	c.local_ip = local;
	c.socket_fn = kr_ns_socket_fn;
	c.socket_arg = ns;
	c.afi[KR_AFI_IPV6] = false;
	c.observe = true;
	c.auto_restart = true;
	struct kr_err e;
	struct kr_speaker *sp = kr_speaker_new(l, &c, &e);
	CU_ASSERT_FATAL(sp != NULL);
	CU_ASSERT_FATAL(kr_speaker_start(sp, &e) == 0);
	return sp;
}

static void show_log(const char *name)
{
	char p[256], line[300];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return;
	int n = 0;
	while (fgets(line, sizeof line, f) && n++ < 40)
		fprintf(stderr, "  %s: %s", name, line);
	fclose(f);
}

static void t_four_daemons(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: not root, interop test skipped\n");
		return;
	}
	struct kr_err e;
	struct kr_topo t;
	CU_ASSERT_FATAL(kr_topo_load(&t, "netns/interop.topo", &e) == 0);
	struct kr_net *n = kr_net_up(&t, NULL, false, &e);
	CU_ASSERT_FATAL(n != NULL);
	snprintf(dir, sizeof dir, "/tmp/kr-interop-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	struct kr_loop *l = kr_loop_new();
	for (size_t i = 0; i < ND; i++) {
		struct daemon *d = &dms[i];
		struct kr_ifaddr a;
		kr_net_addr(n, d->node, "h1", AF_INET, &a);
		kr_ifaddr_str(&a, d->ip1, sizeof d->ip1);
		kr_net_addr(n, d->node, "h2", AF_INET, &a);
		kr_ifaddr_str(&a, d->ip2, sizeof d->ip2);
		kr_net_addr(n, "h1", d->node, AF_INET, &a);
		kr_ifaddr_str(&a, d->my1, sizeof d->my1);
		kr_net_addr(n, "h2", d->node, AF_INET, &a);
		kr_ifaddr_str(&a, d->my2, sizeof d->my2);
	}
	start_bird(n, &dms[0]);
	start_frr(n, &dms[1]);
	start_gobgp(n, &dms[2]);
	start_obgpd(n, &dms[3]);
	for (size_t i = 0; i < ND; i++) {
		struct daemon *d = &dms[i];
		CU_ASSERT_FATAL(d->proc != NULL);
		d->ns1 = (struct kr_ns_sock){ n, "h1" };
		d->ns2 = (struct kr_ns_sock){ n, "h2" };
		char nm[32];
		snprintf(nm, sizeof nm, "h1-%s", d->node);
		d->h1 = harness(l, &d->ns1, nm, H1_AS, d->my1, d->ip1, d->asn);
		snprintf(nm, sizeof nm, "h2-%s", d->node);
		d->h2 = harness(l, &d->ns2, nm, H2_AS, d->my2, d->ip2, d->asn);
	}
	/* GoBGP originates through its API once it runs. */
	const char *gargv[] = { "gobgp", "-u", "127.0.0.1", "-p", "50051", "global", "rib", "add", "-a",
				"ipv4", dms[2].own, NULL };
	struct kr_speaker *all[2 * ND];
	for (size_t i = 0; i < ND; i++) {
		all[2 * i] = dms[i].h1;
		all[2 * i + 1] = dms[i].h2;
	}
	int up = kr_speakers_wait_established(all, 2 * ND, kr_now_ns() + S(20));
	CU_ASSERT(up == 1);
	for (size_t i = 0; i < 2 * ND && up != 1; i++)
		fprintf(stderr, "%s: %s; last: %s\n", kr_speaker_name(all[i]),
			kr_bgp_state_name(kr_bgp_session_state(kr_speaker_session(all[i]))),
			kr_bgp_session_last_down(kr_speaker_session(all[i]))->text);
	for (int tries = 0; tries < 20; tries++) {
		struct kr_proc *g = start(n, "gobgp", gargv, "gobgp-cli.log");
		if (!g)
			break;
		kr_proc_wait_exit(g, kr_now_ns() + S(5));
		struct kr_proc_status st = kr_proc_status(g);
		kr_proc_free(g);
		if (st.state == KR_PROC_EXITED && st.code == 0)
			break;
		kr_loop_run_until(l, NULL, NULL, kr_now_ns() + S(0.2)); /* API not up yet */
	}

	struct kr_prefix hp;
	kr_prefix_parse(&hp, "203.0.113.0/24");
	int64_t t0 = kr_now_ns();
	for (size_t i = 0; i < ND && up == 1; i++) {
		struct kr_announce a = { .prefix = hp };
		CU_ASSERT(kr_speaker_announce(dms[i].h1, &a, &e) == 0);
	}
	for (size_t i = 0; i < ND && up == 1; i++) {
		struct daemon *d = &dms[i];
		struct kr_expect x;
		struct kr_prefix own;
		kr_prefix_parse(&own, d->own);
		int ok = kr_wait_announced(l, kr_speaker_obs(d->h2), &hp, t0, t0 + S(15), &x);
		CU_ASSERT(ok == 1);
		if (ok != 1)
			fprintf(stderr, "%s: %s / %s / %s\n", d->node, x.expected, x.observed, x.when);
		const struct kr_obs_route *r = kr_obs_find(kr_speaker_obs(d->h2), &hp);
		CU_ASSERT(r && r->nhops == 2 && kr_obs_hop_asn(r, 0) == d->asn &&
			  kr_obs_hop_asn(r, 1) == H1_AS);
		ok = kr_wait_announced(l, kr_speaker_obs(d->h1), &own, 0, t0 + S(15), &x);
		CU_ASSERT(ok == 1);
		if (ok != 1)
			fprintf(stderr, "%s: %s / %s / %s\n", d->node, x.expected, x.observed, x.when);
	}
	int64_t t1 = kr_now_ns();
	for (size_t i = 0; i < ND && up == 1; i++)
		CU_ASSERT(kr_speaker_withdraw(dms[i].h1, &hp, 1, &e) == 0);
	for (size_t i = 0; i < ND && up == 1; i++) {
		struct kr_expect x;
		int ok = kr_wait_withdrawn(l, kr_speaker_obs(dms[i].h2), &hp, t1, t1 + S(15), &x);
		CU_ASSERT(ok == 1);
		if (ok != 1)
			fprintf(stderr, "%s: %s / %s / %s\n", dms[i].node, x.expected, x.observed, x.when);
	}
	if (CU_get_number_of_failures()) {
		const char *logs[] = { "bird.log", "frr.log", "gobgp.log", "obgpd.log", "gobgp-cli.log" };
		for (size_t i = 0; i < 5; i++)
			show_log(logs[i]);
	}
	for (size_t i = 0; i < ND; i++) {
		kr_speaker_free(dms[i].h1);
		kr_speaker_free(dms[i].h2);
		kr_proc_free(dms[i].proc); /* SIGKILL if still running */
	}
	kr_net_free(n);
	kr_loop_free(l);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

KR_TESTS("interop", { "BIRD 2, FRR, GoBGP, OpenBGPD: establish, routes, withdrawals", t_four_daemons });
