/* The lab interface of a device run (netns.h, kr_net_up_dev): recorded,
 * moved into the topology, split into one child per role, and given back
 * on every exit path; `keyroll clean` does the same from the state file. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/netns_int.h"

#define DEV_MAX_ADDRS 32

struct devaddr {
	int family;
	uint8_t addr[16];
	uint8_t plen;
	uint8_t scope;
	uint32_t flags;
	bool has_brd;
	uint8_t brd[4];
};

struct kr_netdev {
	char ifname[IFNAMSIZ];
	char home[160];       /* state-file form: "netns:NAME" or "ino:DEV:INO" */
	int home_fd;
	bool was_up;
	struct devaddr addrs[DEV_MAX_ADDRS];
	size_t naddrs;
	bool moved;           /* it sits in the external node's namespace */
	bool child[KR_TOPO_MAX_NODES]; /* per node: a child was made there */
};

const char *kr_netdev_ifname(const struct kr_net *n)
{
	return n->dev ? n->dev->ifname : NULL;
}

/* ---- the home namespace ------------------------------------------------- */

static int open_home(const char *netns, char *desc, size_t descsz, struct kr_err *err)
{
	if (netns) {
		char path[160];
		if (strchr(netns, '/') || snprintf(path, sizeof path, KR_NETNS_DIR "/%s", netns) >= (int)sizeof path) {
			kr_err_set(err, EINVAL, 0, "bad namespace name '%s'", netns);
			return -1;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kr_err_set(err, errno, 0, "device namespace %s: %s", path, strerror(errno));
			return -1;
		}
		snprintf(desc, descsz, "netns:%s", netns);
		return fd;
	}
	int fd = fcntl(kr_netns_home(), F_DUPFD_CLOEXEC, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		kr_err_set(err, errno, 0, "harness namespace: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(desc, descsz, "ino:%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return fd;
}

/* The namespace a state file's "home" names, seen from `keyroll clean`:
 * a named one, or (by identity) the cleaner's own or the initial one. */
static int reopen_home(const char *desc, struct kr_err *err)
{
	if (!strncmp(desc, "netns:", 6)) {
		char d2[160];
		return open_home(desc + 6, d2, sizeof d2, err);
	}
	unsigned long long dev, ino;
	if (sscanf(desc, "ino:%llu:%llu", &dev, &ino) != 2) {
		kr_err_set(err, EINVAL, 0, "bad home '%s' in the state file", desc);
		return -1;
	}
	static const char *const cand[] = { "/proc/self/ns/net", "/proc/1/ns/net" };
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		if (stat(cand[i], &st) == 0 && st.st_dev == dev && st.st_ino == ino)
			return open(cand[i], O_RDONLY | O_CLOEXEC);
	}
	kr_err_set(err, ENOENT, 0, "the namespace the interface came from is neither this one nor the "
				   "initial one; run `keyroll clean` from where the run started");
	return -1;
}

/* ---- snapshot and checks (in the home namespace) ------------------------ */

struct scan {
	int ifindex;
	struct kr_netdev *d;
	char bad[200];
};

static void addr_cb(struct nl_object *o, void *arg)
{
	struct scan *s = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)o;
	if (rtnl_addr_get_ifindex(a) != s->ifindex || s->d->naddrs == DEV_MAX_ADDRS)
		return;
	struct nl_addr *l = rtnl_addr_get_local(a);
	if (!l)
		return;
	struct devaddr *x = &s->d->addrs[s->d->naddrs];
	memset(x, 0, sizeof *x);
	x->family = rtnl_addr_get_family(a);
	size_t len = nl_addr_get_len(l);
	if ((x->family != AF_INET || len != 4) && (x->family != AF_INET6 || len != 16))
		return;
	memcpy(x->addr, nl_addr_get_binary_addr(l), len);
	x->plen = (uint8_t)rtnl_addr_get_prefixlen(a);
	x->scope = (uint8_t)rtnl_addr_get_scope(a);
	x->flags = (uint32_t)rtnl_addr_get_flags(a) & (IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_HOMEADDRESS);
	struct nl_addr *b = rtnl_addr_get_broadcast(a);
	if (x->family == AF_INET && b && nl_addr_get_len(b) == 4) {
		x->has_brd = true;
		memcpy(x->brd, nl_addr_get_binary_addr(b), 4);
	}
	s->d->naddrs++;
}

static void nh_cb(struct rtnl_nexthop *nh, void *arg)
{
	int *oif = arg;
	if (rtnl_route_nh_get_ifindex(nh) == oif[0])
		oif[1] = 1;
}

static void route_cb(struct nl_object *o, void *arg)
{
	struct scan *s = arg;
	struct rtnl_route *r = (struct rtnl_route *)o;
	if (s->bad[0] || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_protocol(r) == RTPROT_KERNEL)
		return;
	int oif[2] = { s->ifindex, 0 };
	rtnl_route_foreach_nexthop(r, nh_cb, oif);
	if (!oif[1])
		return;
	char dst[80] = "?";
	struct nl_addr *a = rtnl_route_get_dst(r);
	if (a)
		nl_addr2str(a, dst, sizeof dst);
	snprintf(s->bad, sizeof s->bad, "%s (protocol %u)", dst, rtnl_route_get_protocol(r));
}

/* Current state of ifname in the calling thread's namespace. */
static int snapshot(struct nl_sock *sk, struct kr_netdev *d, int *ifindex, struct kr_err *err)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, 0, d->ifname, &l);
	if (rc < 0) {
		kr_err_set(err, ENODEV, 0, "lab interface %s not found (%s); is another run using it?",
			   d->ifname, nl_geterror(rc));
		return -1;
	}
	*ifindex = rtnl_link_get_ifindex(l);
	unsigned flags = rtnl_link_get_flags(l);
	rtnl_link_put(l);
	if (flags & IFF_LOOPBACK) {
		kr_err_set(err, EINVAL, 0, "lab interface %s is a loopback", d->ifname);
		return -1;
	}
	d->was_up = flags & IFF_UP;
	struct scan s = { .ifindex = *ifindex, .d = d };
	struct nl_cache *c = NULL;
	if ((rc = rtnl_addr_alloc_cache(sk, &c)) < 0) {
		kr_err_set(err, EIO, 0, "addresses of %s: %s", d->ifname, nl_geterror(rc));
		return -1;
	}
	nl_cache_foreach(c, addr_cb, &s);
	nl_cache_free(c);
	if ((rc = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &c)) < 0) {
		kr_err_set(err, EIO, 0, "routes of %s: %s", d->ifname, nl_geterror(rc));
		return -1;
	}
	nl_cache_foreach(c, route_cb, &s);
	nl_cache_free(c);
	if (s.bad[0]) {
		kr_err_set(err, EBUSY, 0, "lab interface %s carries route %s that the harness could not give "
					  "back; use an interface dedicated to the lab", d->ifname, s.bad);
		return -1;
	}
	return 0;
}

static const char *addr_text(const struct devaddr *a, char *buf, size_t sz)
{
	if (!inet_ntop(a->family, a->addr, buf, (socklen_t)sz))
		snprintf(buf, sz, "?");
	return buf;
}

static int record(struct kr_net *n, struct kr_netdev *d)
{
	if (kr_netns_state_line(n->statefd, "dev %s %s %s %s\n", d->ifname, n->ns[n->ext], d->home,
				d->was_up ? "up" : "down") < 0)
		return -1;
	for (size_t i = 0; i < d->naddrs; i++) {
		const struct devaddr *a = &d->addrs[i];
		char t[64], b[64] = "-";
		if (a->has_brd)
			inet_ntop(AF_INET, a->brd, b, sizeof b);
		if (kr_netns_state_line(n->statefd, "devaddr %s %s %u %u %u %s\n", d->ifname,
					addr_text(a, t, sizeof t), a->plen, a->scope, a->flags, b) < 0)
			return -1;
	}
	return 0;
}

/* ---- moves and children ------------------------------------------------- */

/* Move link `name` of the calling thread's namespace into the namespace of
 * nsfd, keeping its name. */
static int move_link(struct nl_sock *sk, const char *name, int nsfd, struct kr_err *err)
{
	struct rtnl_link *l = NULL, *ch = rtnl_link_alloc();
	int rc = ch ? rtnl_link_get_kernel(sk, 0, name, &l) : -NLE_NOMEM;
	if (rc == 0) {
		rtnl_link_set_ns_fd(ch, nsfd);
		rc = rtnl_link_change(sk, l, ch, 0);
	}
	if (l)
		rtnl_link_put(l);
	if (ch)
		rtnl_link_put(ch);
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "moving %s: %s", name, nl_geterror(rc));
		return -1;
	}
	return 0;
}

/* A macvlan gets the same locally administered MAC in every run (per lab
 * interface and role): the router's ARP and neighbour caches stay right
 * from one case to the next, and a lab switch learns each role once. */
static struct nl_addr *stable_mac(const char *ifname, unsigned node)
{
	uint32_t h = 2166136261u;
	for (const char *c = ifname; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	uint8_t mac[6] = { 0x02, 0x6b, 0x72, (uint8_t)(h >> 8), (uint8_t)h, (uint8_t)node };
	return nl_addr_build(AF_LLC, mac, sizeof mac);
}

static int make_child(struct nl_sock *sk, int parent, uint16_t vid, int nsfd, const char *name,
		      struct nl_addr *mac, struct kr_err *err)
{
	struct rtnl_link *l = vid ? rtnl_link_vlan_alloc() : rtnl_link_macvlan_alloc();
	if (!l) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	if (!vid && mac)
		rtnl_link_set_addr(l, mac);
	rtnl_link_set_link(l, parent);
	rtnl_link_set_name(l, name);
	rtnl_link_set_ns_fd(l, nsfd);
	if (vid)
		rtnl_link_vlan_set_id(l, vid);
	else
		rtnl_link_macvlan_set_mode(l, MACVLAN_MODE_BRIDGE);
	int rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(l);
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "%s on the lab interface: %s", vid ? "VLAN subinterface" : "macvlan",
			   nl_geterror(rc));
		return -1;
	}
	return 0;
}

static void del_link(int nsfd, const char *name)
{
	kr_netns_setns_or_die(nsfd);
	struct kr_err err = { 0 };
	struct nl_sock *sk = kr_netns_nl_open(&err, "child");
	if (sk) {
		struct rtnl_link *l = rtnl_link_alloc();
		if (l) {
			rtnl_link_set_name(l, name);
			rtnl_link_delete(sk, l); /* gone already is fine */
			rtnl_link_put(l);
		}
		nl_socket_free(sk);
	}
	kr_netns_setns_or_die(kr_netns_home());
}

int kr_netdev_attach(struct kr_net *n, const struct kr_net_dev *dv, struct kr_err *err)
{
	if (!dv->ifname || !*dv->ifname || strlen(dv->ifname) >= IFNAMSIZ || !strcmp(dv->ifname, "lo")) {
		kr_err_set(err, EINVAL, 0, "bad lab interface name '%s'", dv->ifname ? dv->ifname : "");
		return -1;
	}
	struct kr_netdev *d = calloc(1, sizeof *d);
	if (!d) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	snprintf(d->ifname, sizeof d->ifname, "%s", dv->ifname);
	d->home_fd = open_home(dv->netns, d->home, sizeof d->home, err);
	if (d->home_fd < 0) {
		free(d);
		return -1;
	}
	n->dev = d;
	const char *ens = n->ns[n->ext];
	int extfd = n->fd[n->ext];
	/* In the home namespace: look, record, move. */
	kr_netns_setns_or_die(d->home_fd);
	int rc = -1, ifindex = 0;
	struct nl_sock *sk = kr_netns_nl_open(err, d->home);
	if (sk && snapshot(sk, d, &ifindex, err) == 0) {
		/* Recorded before the move: a SIGKILL in between leaves a
		 * record of an interface still at home, which clean handles. */
		if (record(n, d) < 0)
			kr_err_set(err, errno, 0, "writing state file: %s", strerror(errno));
		else if (move_link(sk, d->ifname, extfd, err) == 0)
			rc = 0;
	}
	if (sk)
		nl_socket_free(sk);
	kr_netns_setns_or_die(kr_netns_home());
	if (rc < 0)
		return -1;
	d->moved = true;
	/* In the external node's namespace: up, quiet, children. */
	kr_netns_setns_or_die(extfd);
	char path[96];
	sk = kr_netns_nl_open(err, ens);
	rc = sk ? kr_netns_link_up(sk, d->ifname, &ifindex, err, ens) : -1;
	/* The parent itself speaks no IPv6 (no RS, no ND of its own). */
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", d->ifname);
	kr_netns_write_sysctl(path, "1");
	const struct kr_topo *t = &n->topo;
	for (size_t k = 0; rc == 0 && k < t->nlinks; k++) {
		const struct kr_topo_link *l = &t->links[k];
		if ((int)l->a != n->ext && (int)l->b != n->ext)
			continue;
		unsigned peer = (int)l->a == n->ext ? l->b : l->a;
		uint16_t vid = dv->vlan[peer];
		if (kr_netns_state_line(n->statefd, "devchild %s %s\n", n->ns[peer], t->nodes[n->ext].name) < 0) {
			kr_err_set(err, errno, 0, "writing state file: %s", strerror(errno));
			rc = -1;
			break;
		}
		d->child[peer] = true;
		struct nl_addr *mac = stable_mac(d->ifname, peer);
		rc = make_child(sk, ifindex, vid, n->fd[peer], t->nodes[n->ext].name, mac, err);
		if (mac)
			nl_addr_put(mac);
	}
	if (sk)
		nl_socket_free(sk);
	kr_netns_setns_or_die(kr_netns_home());
	return rc;
}

/* ---- giving it back ----------------------------------------------------- */

static int add_back(struct nl_sock *sk, int ifindex, const struct devaddr *x)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(x->family, x->addr, x->family == AF_INET ? 4 : 16);
	struct nl_addr *brd = x->has_brd ? nl_addr_build(AF_INET, x->brd, 4) : NULL;
	int rc = -NLE_NOMEM;
	if (ra && local) {
		nl_addr_set_prefixlen(local, x->plen);
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_local(ra, local);
		rtnl_addr_set_scope(ra, x->scope);
		if (x->flags)
			rtnl_addr_set_flags(ra, x->flags);
		if (brd)
			rtnl_addr_set_broadcast(ra, brd);
		rc = rtnl_addr_add(sk, ra, 0);
		if (rc == -NLE_EXIST)
			rc = 0; /* e.g. the kernel's own link-local address */
	}
	if (brd)
		nl_addr_put(brd);
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	return rc;
}

/* In the home namespace (calling thread is there): addresses and state. */
static int reinstate(const struct kr_netdev *d, struct kr_err *err)
{
	struct nl_sock *sk = kr_netns_nl_open(err, d->home);
	if (!sk)
		return -1;
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, 0, d->ifname, &l);
	if (rc < 0) {
		kr_err_set(err, ENODEV, 0, "%s is not back home: %s", d->ifname, nl_geterror(rc));
		nl_socket_free(sk);
		return -1;
	}
	int ifindex = rtnl_link_get_ifindex(l);
	for (size_t i = 0; i < d->naddrs && rc == 0; i++) {
		rc = add_back(sk, ifindex, &d->addrs[i]);
		if (rc < 0) {
			char t[64];
			kr_err_set(err, EIO, 0, "%s: address %s/%u: %s", d->ifname,
				   addr_text(&d->addrs[i], t, sizeof t), d->addrs[i].plen, nl_geterror(rc));
		}
	}
	struct rtnl_link *ch = rtnl_link_alloc();
	if (ch) {
		if (d->was_up)
			rtnl_link_set_flags(ch, IFF_UP);
		else
			rtnl_link_unset_flags(ch, IFF_UP);
		int r2 = rtnl_link_change(sk, l, ch, 0);
		if (r2 < 0 && rc == 0) {
			rc = r2;
			kr_err_set(err, EIO, 0, "%s: setting it %s: %s", d->ifname, d->was_up ? "up" : "down",
				   nl_geterror(r2));
		}
		rtnl_link_put(ch);
	}
	rtnl_link_put(l);
	nl_socket_free(sk);
	return rc < 0 ? -1 : 0;
}

/* Move d->ifname from extfd's namespace home (if it is there) and reinstate. */
static int give_back(struct kr_netdev *d, int extfd, struct kr_err *err)
{
	int rc = 0;
	if (extfd >= 0) {
		kr_netns_setns_or_die(extfd);
		struct nl_sock *sk = kr_netns_nl_open(err, "lab");
		struct rtnl_link *l = NULL;
		if (!sk)
			rc = -1;
		else if (rtnl_link_get_kernel(sk, 0, d->ifname, &l) == 0) {
			rtnl_link_put(l);
			rc = move_link(sk, d->ifname, d->home_fd, err);
		}
		if (sk)
			nl_socket_free(sk);
		kr_netns_setns_or_die(kr_netns_home());
	}
	if (rc < 0)
		return -1;
	kr_netns_setns_or_die(d->home_fd);
	rc = reinstate(d, err);
	kr_netns_setns_or_die(kr_netns_home());
	return rc;
}

void kr_netdev_restore(struct kr_net *n)
{
	struct kr_netdev *d = n->dev;
	if (!d)
		return;
	n->dev = NULL;
	const char *child = n->ext >= 0 ? n->topo.nodes[n->ext].name : "";
	for (size_t i = 0; i < KR_TOPO_MAX_NODES; i++)
		if (d->child[i] && n->fd[i] >= 0)
			del_link(n->fd[i], child);
	struct kr_err err = { 0 };
	if (d->moved && give_back(d, n->fd[n->ext], &err) < 0)
		fprintf(stderr, "keyroll: lab interface %s: %s (state kept for `keyroll clean`)\n", d->ifname,
			err.msg);
	close(d->home_fd);
	free(d);
}

/* ---- keyroll clean ------------------------------------------------------ */

static int parse_devaddr(const char *line, const char *ifname, struct devaddr *x)
{
	char name[IFNAMSIZ + 1], a[64], b[64];
	unsigned plen, scope, flags;
	if (sscanf(line, "devaddr %16s %63s %u %u %u %63s", name, a, &plen, &scope, &flags, b) != 6 ||
	    strcmp(name, ifname))
		return -1;
	memset(x, 0, sizeof *x);
	x->family = strchr(a, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(x->family, a, x->addr) != 1 || plen > (x->family == AF_INET ? 32u : 128u))
		return -1;
	x->plen = (uint8_t)plen;
	x->scope = (uint8_t)scope;
	x->flags = flags;
	if (strcmp(b, "-") && inet_pton(AF_INET, b, x->brd) == 1)
		x->has_brd = true;
	return 0;
}

static int open_ns(const char *tag, const char *name)
{
	size_t tl = strlen(tag);
	if (strncmp(name, tag, tl) || name[tl] != '-' || strchr(name, '/'))
		return -1;
	char path[160];
	snprintf(path, sizeof path, KR_NETNS_DIR "/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int kr_netdev_clean(const char *tag, char *const *lines, size_t nlines, struct kr_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < nlines; i++) {
		char ifname[IFNAMSIZ + 1], ens[160], home[160], st[8];
		if (strncmp(lines[i], "dev ", 4) ||
		    sscanf(lines[i], "dev %16s %159s %159s %7s", ifname, ens, home, st) != 4 ||
		    strlen(ifname) >= IFNAMSIZ)
			continue;
		struct kr_netdev d = { .was_up = !strcmp(st, "up") };
		memcpy(d.ifname, ifname, strlen(ifname) + 1);
		memcpy(d.home, home, sizeof d.home);
		for (size_t j = 0; j < nlines && d.naddrs < DEV_MAX_ADDRS; j++)
			if (!strncmp(lines[j], "devaddr ", 8) && parse_devaddr(lines[j], ifname, &d.addrs[d.naddrs]) == 0)
				d.naddrs++;
		/* Children first, so nothing is left hanging off the interface. */
		for (size_t j = 0; j < nlines; j++) {
			char cns[160], cname[IFNAMSIZ + 1];
			if (strncmp(lines[j], "devchild ", 9) ||
			    sscanf(lines[j], "devchild %159s %16s", cns, cname) != 2)
				continue;
			int cfd = open_ns(tag, cns);
			if (cfd >= 0) {
				del_link(cfd, cname);
				close(cfd);
			}
		}
		d.home_fd = reopen_home(home, err);
		if (d.home_fd < 0) {
			rc = -1;
			continue;
		}
		int extfd = open_ns(tag, ens);
		struct kr_err e2 = { 0 };
		if (give_back(&d, extfd, &e2) < 0) {
			kr_err_set(err, e2.code, 0, "%s", e2.msg);
			rc = -1;
		}
		if (extfd >= 0)
			close(extfd);
		close(d.home_fd);
	}
	return rc;
}
