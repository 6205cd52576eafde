/* kind = device networking (netns.h, kr_net_up_dev): a veth plays the lab
 * NIC, its far end in a "box" namespace plays the router. The roles reach
 * the box's addresses over macvlan or 802.1Q children; the interface comes
 * back with its name, addresses and state after kr_net_free and after a
 * SIGKILL + kr_net_clean_tag; interfaces the harness could not give back
 * are refused. Needs root (skipped otherwise). The fake host and box
 * namespaces are this test's own, never the real host's. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu.h"
#include "net/netns.h"
#include "net/topo.h"

static char home[32], box[32];

static bool root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "SKIP: not root, device tests skipped\n");
	return false;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* First line of a command's output, trimmed. */
static void out1(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out1(char *buf, size_t sz, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	buf[0] = 0;
	FILE *p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(buf, (int)sz, p))
		buf[0] = 0;
	pclose(p);
	buf[strcspn(buf, "\n")] = 0;
}

/* The lab: home namespace with lab0 (up, 198.18.200.1/24, 2001:db8:c8::1/64)
 * and the box holding the veth's other end. vlan: the box speaks 802.1Q,
 * one subinterface per role, else untagged with every router address. */
static int lab_up(const struct kr_topo *t, bool vlan, bool lab_up_state)
{
	snprintf(home, sizeof home, "kdt%dh", (int)getpid());
	snprintf(box, sizeof box, "kdt%db", (int)getpid());
	if (sh("ip netns add %s && ip netns add %s && "
	       "ip -n %s link add lab0 type veth peer name box0 netns %s && "
	       "ip -n %s addr add 198.18.200.1/24 dev lab0 && ip -n %s addr add 2001:db8:c8::1/64 nodad dev lab0 && "
	       "ip -n %s link set box0 up && ip -n %s link set lo up",
	       home, box, home, box, home, home, box, box))
		return -1;
	if (lab_up_state && sh("ip -n %s link set lab0 up", home))
		return -1;
	int sut = kr_topo_find_role(t, KR_ROLE_SUT);
	for (size_t k = 0; k < t->nlinks; k++) {
		const struct kr_topo_link *l = &t->links[k];
		const struct kr_ifaddr *r4 = (int)l->a == sut ? &l->a4 : &l->b4;
		const struct kr_ifaddr *r6 = (int)l->a == sut ? &l->a6 : &l->b6;
		char a4[64], a6[64], dev[32] = "box0";
		if (vlan) {
			snprintf(dev, sizeof dev, "box0.%zu", 100 + k);
			if (sh("ip -n %s link add link box0 name %s type vlan id %zu && ip -n %s link set %s up", box,
			       dev, 100 + k, box, dev))
				return -1;
		}
		if (sh("ip -n %s addr add %s/%u dev %s && ip -n %s addr add %s/%u nodad dev %s", box,
		       kr_ifaddr_str(r4, a4, sizeof a4), r4->plen, dev, box, kr_ifaddr_str(r6, a6, sizeof a6),
		       r6->plen, dev))
			return -1;
	}
	return 0;
}

static void lab_down(void)
{
	sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", home, box);
}

/* "UP 198.18.200.1/24 2001:db8:c8::1/64" style summary of lab0 at home. */
static void lab_state(char *buf, size_t sz)
{
	out1(buf, sz, "ip -n %s -br addr show dev lab0 2>&1 | awk '{printf \"%%s\", $2; for (i = 3; i <= NF; i++) "
		      "if ($i !~ /^fe80/) printf \" %%s\", $i}'", home);
}

/* TCP from node `role` (over its child of lab0) to a listener in the box. */
static int reaches_box(struct kr_net *n, const char *role, int family)
{
	struct kr_ifaddr ra;
	if (kr_net_addr(n, "sut", role, family, &ra) < 0)
		return -1;
	char path[64];
	snprintf(path, sizeof path, "/run/netns/%s", box);
	int bfd = open(path, O_RDONLY | O_CLOEXEC), me = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (bfd < 0 || me < 0 || setns(bfd, CLONE_NEWNET) < 0)
		return -2;
	int ls = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (setns(me, CLONE_NEWNET) < 0)
		abort();
	close(bfd);
	close(me);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_storage ss;
	socklen_t sl = kr_ifaddr_sockaddr(&ra, 17901, &ss);
	if (ls < 0 || bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 1) < 0)
		return -3;
	int cs = kr_net_socket(n, role, family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int rc = connect(cs, (struct sockaddr *)&ss, sl);
	struct pollfd p = { ls, POLLIN, 0 };
	rc = (rc == 0 || errno == EINPROGRESS) && poll(&p, 1, 3000) == 1 ? 0 : -4;
	/* the box sees the role's own address on its link */
	struct kr_ifaddr ca;
	kr_net_addr(n, role, "sut", family, &ca);
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	int as = rc == 0 ? accept(ls, (struct sockaddr *)&peer, &pl) : -1;
	if (as < 0)
		rc = rc ? rc : -5;
	else if (memcmp(family == AF_INET ? (void *)&((struct sockaddr_in *)&peer)->sin_addr
					  : (void *)&((struct sockaddr_in6 *)&peer)->sin6_addr,
			ca.addr, family == AF_INET ? 4 : 16))
		rc = -6;
	if (as >= 0)
		close(as);
	close(cs);
	close(ls);
	return rc;
}

static void run_lab(bool vlan)
{
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/rollover.topo", &e), 0);
	if (lab_up(&t, vlan, true) < 0) {
		CU_FAIL("lab set-up");
		lab_down();
		return;
	}
	char before[256], during[256], after[256];
	lab_state(before, sizeof before);
	CU_ASSERT_PTR_NOT_NULL(strstr(before, "198.18.200.1/24"));
	struct kr_net_dev d = { .ifname = "lab0", .netns = home };
	int sut = kr_topo_find_role(&t, KR_ROLE_SUT);
	for (size_t k = 0; vlan && k < t.nlinks; k++)
		d.vlan[(int)t.links[k].a == sut ? t.links[k].b : t.links[k].a] = (uint16_t)(100 + k);
	struct kr_net *n = kr_net_up_dev(&t, NULL, &d, &e);
	if (!n)
		fprintf(stderr, "kr_net_up_dev: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	const char *ifn = NULL;
	CU_ASSERT_STRING_EQUAL(kr_net_external(n, &ifn), "sut");
	CU_ASSERT_STRING_EQUAL(ifn, "lab0");
	lab_state(during, sizeof during);
	CU_ASSERT_PTR_NOT_NULL(strstr(during, "does not exist"));
	for (size_t k = 0; k < t.nlinks; k++) {
		const char *role = t.nodes[(int)t.links[k].a == sut ? t.links[k].b : t.links[k].a].name;
		int r4 = reaches_box(n, role, AF_INET), r6 = reaches_box(n, role, AF_INET6);
		if (r4 || r6)
			fprintf(stderr, "%s %s: v4 %d v6 %d (%s)\n", vlan ? "vlan" : "macvlan", role, r4, r6,
				strerror(errno));
		CU_ASSERT_EQUAL(r4, 0);
		CU_ASSERT_EQUAL(r6, 0);
	}
	kr_net_free(n);
	lab_state(after, sizeof after);
	CU_ASSERT_STRING_EQUAL(after, before);
	lab_down();
}

static void t_macvlan(void)
{
	if (root())
		run_lab(false);
}

static void t_vlan(void)
{
	if (!root())
		return;
	/* Kernels without 802.1Q (some containers) cannot run this one. */
	char ns[32];
	snprintf(ns, sizeof ns, "kdt%dv", (int)getpid());
	int ok = sh("(ip netns add %s && ip -n %s link add v0 type dummy && "
		    "ip -n %s link add link v0 name v0.5 type vlan id 5) 2>/dev/null", ns, ns, ns);
	sh("ip netns del %s", ns);
	if (ok != 0) {
		fprintf(stderr, "SKIP: no 802.1Q in this kernel, VLAN lab not tested\n");
		return;
	}
	run_lab(true);
}

/* A SIGKILLed run leaves lab0 in its namespace; clean gives it back. */
static void t_sigkill_clean(void)
{
	if (!root())
		return;
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/rollover.topo", &e), 0);
	/* down at home: it must come back down */
	if (lab_up(&t, false, false) < 0) {
		CU_FAIL("lab set-up");
		lab_down();
		return;
	}
	char before[256], after[256];
	lab_state(before, sizeof before);
	if (strncmp(before, "DOWN", 4))
		fprintf(stderr, "lab0 before: %s\n", before);
	CU_ASSERT_EQUAL(strncmp(before, "DOWN", 4), 0);
	int pfd[2];
	CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct kr_net_dev d = { .ifname = "lab0", .netns = home };
		struct kr_net *n = kr_net_up_dev(&t, NULL, &d, &e);
		char tag[KR_TAG_MAX + 2] = "";
		if (n)
			snprintf(tag, sizeof tag, "%s", kr_net_tag(n));
		if (write(pfd[1], tag, sizeof tag) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	char tag[KR_TAG_MAX + 2] = "";
	CU_ASSERT_EQUAL(read(pfd[0], tag, sizeof tag), (ssize_t)sizeof tag);
	close(pfd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CU_ASSERT_FATAL(tag[0] != 0);
	char mid[256];
	lab_state(mid, sizeof mid);
	CU_ASSERT_PTR_NOT_NULL(strstr(mid, "does not exist"));
	int nns = kr_net_clean_tag(tag, &e);
	if (nns < 0)
		fprintf(stderr, "clean: %s\n", e.msg);
	CU_ASSERT_EQUAL(nns, 7);
	lab_state(after, sizeof after);
	CU_ASSERT_STRING_EQUAL(after, before);
	char left[64];
	out1(left, sizeof left, "ip netns list | grep -c '^%s-'", tag);
	CU_ASSERT_STRING_EQUAL(left, "0");
	lab_down();
}

/* Refused before anything moves: a missing interface, one with a route
 * the harness could not give back. */
static void t_refused(void)
{
	if (!root())
		return;
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/rollover.topo", &e), 0);
	if (lab_up(&t, false, true) < 0) {
		CU_FAIL("lab set-up");
		lab_down();
		return;
	}
	struct kr_net_dev d = { .ifname = "nosuch0", .netns = home };
	CU_ASSERT_PTR_NULL(kr_net_up_dev(&t, NULL, &d, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "nosuch0 not found"));
	CU_ASSERT_EQUAL(sh("ip -n %s route add 198.18.201.0/24 via 198.18.200.9 dev lab0", home), 0);
	d.ifname = "lab0";
	memset(&e, 0, sizeof e);
	CU_ASSERT_PTR_NULL(kr_net_up_dev(&t, NULL, &d, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "198.18.201.0/24"));
	char st[256];
	lab_state(st, sizeof st);
	CU_ASSERT_PTR_NOT_NULL(strstr(st, "198.18.200.1/24"));
	lab_down();
}

KR_TESTS("device networking",
	 { "untagged lab wire (macvlan per role), given back", t_macvlan },
	 { "802.1Q lab wire (VLAN per role), given back", t_vlan },
	 { "SIGKILLed run: keyroll clean gives the interface back", t_sigkill_clean },
	 { "interfaces that could not be given back are refused", t_refused });
