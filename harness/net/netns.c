/* Namespace topology builder (libnl-route-3) and leftover cleaning; see
 * netns.h. */
#include "net/netns.h"
#include "net/netns_int.h"
#include "net/teardown.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <linux/if_addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The namespace the harness runs in, captured once. */
static int home_fd = -1;
static pthread_mutex_t home_lock = PTHREAD_MUTEX_INITIALIZER;

static int home_ns(void)
{
	pthread_mutex_lock(&home_lock);
	if (home_fd < 0)
		home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	pthread_mutex_unlock(&home_lock);
	return home_fd;
}

int kr_net_home_fd(void) { return home_ns(); }
int kr_netns_home(void) { return home_ns(); }

void kr_netns_setns_or_die(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "keyroll: setns back failed: %s\n", strerror(errno));
		abort();
	}
}

bool kr_net_tag_valid(const char *tag)
{
	size_t n = strlen(tag);
	if (n < 3 || n > KR_TAG_MAX || strncmp(tag, "kr", 2))
		return false;
	for (size_t i = 2; i < n; i++)
		if (!((tag[i] >= 'a' && tag[i] <= 'z') || (tag[i] >= '0' && tag[i] <= '9')))
			return false;
	return true;
}

/* ---- process liveness (owner of a state file) ------------------------- */

/* Start time of a process in clock ticks (field 22 of /proc/PID/stat), 0
 * when it does not exist. Together with the pid it names a process even
 * after pid reuse. */
static unsigned long long proc_start(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* comm may hold spaces */
	if (!p)
		return 0;
	/* after ") " comes field 3; we want field 22 */
	int field = 2;
	for (; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	return strtoull(p, NULL, 10);
}

/* ---- state file --------------------------------------------------------- */

static int state_path(char *buf, size_t len, const char *tag)
{
	return snprintf(buf, len, KR_STATE_DIR "/%s.state", tag) >= (int)len ? -1 : 0;
}

int kr_netns_state_line(int fd, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof line)
		return -1;
	return write(fd, line, (size_t)n) == n ? 0 : -1;
}

/* ---- namespace primitives ---------------------------------------------- */

/* /run/netns must be a shared mount so namespace mounts propagate like
 * those of `ip netns add`; do what iproute2 does, once, under a lock. */
static int prepare_netns_dir(struct kr_err *err)
{
	if (mkdir(KR_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		goto fail;
	if (mkdir(KR_STATE_DIR, 0755) < 0 && errno != EEXIST)
		goto fail;
	int lk = open(KR_STATE_DIR "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0)
		goto fail;
	flock(lk, LOCK_EX);
	int rc = mount("", KR_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
	if (rc < 0 && errno == EINVAL) {
		rc = mount(KR_NETNS_DIR, KR_NETNS_DIR, "none", MS_BIND | MS_REC, NULL);
		if (rc == 0)
			rc = mount("", KR_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
	}
	int e = errno;
	close(lk);
	if (rc < 0) {
		errno = e;
		goto fail;
	}
	return 0;
fail:
	kr_err_set(err, errno, 0, "preparing %s: %s", KR_NETNS_DIR, strerror(errno));
	return -1;
}

int kr_netns_write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

struct nl_sock *kr_netns_nl_open(struct kr_err *err, const char *where)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "%s: netlink: %s", where, nl_geterror(rc));
		if (sk)
			nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

int kr_netns_link_up(struct nl_sock *sk, const char *ifname, int *ifindex, struct kr_err *err,
		   const char *ns)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, 0, ifname, &l);
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "%s: no link %s: %s", ns, ifname, nl_geterror(rc));
		return -1;
	}
	struct rtnl_link *ch = rtnl_link_alloc();
	if (!ch) {
		rtnl_link_put(l);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	rtnl_link_set_flags(ch, IFF_UP);
	rc = rtnl_link_change(sk, l, ch, 0);
	if (ifindex)
		*ifindex = rtnl_link_get_ifindex(l);
	rtnl_link_put(ch);
	rtnl_link_put(l);
	if (rc < 0) {
		kr_err_set(err, EIO, 0, "%s: setting %s up: %s", ns, ifname, nl_geterror(rc));
		return -1;
	}
	return 0;
}

int kr_netns_add_addr(struct nl_sock *sk, int ifindex, const struct kr_ifaddr *a,
		    struct kr_err *err, const char *ns, const char *ifname)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local =
		nl_addr_build(a->family, a->addr, a->family == AF_INET ? 4 : 16);
	int rc = -NLE_NOMEM;
	if (ra && local) {
		nl_addr_set_prefixlen(local, a->plen);
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_local(ra, local);
		if (a->family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD); /* usable at once */
		rc = rtnl_addr_add(sk, ra, 0);
	}
	if (local)
		nl_addr_put(local);
	if (ra)
		rtnl_addr_put(ra);
	if (rc < 0) {
		char s[64];
		kr_err_set(err, EIO, 0, "%s: address %s/%u on %s: %s", ns,
			   kr_ifaddr_str(a, s, sizeof s), a->plen, ifname, nl_geterror(rc));
		return -1;
	}
	return 0;
}

/* Create namespace `name` with this thread, bind-mount it, set DAD off and
 * lo up inside, and come back. Returns an O_CLOEXEC fd of it or -1. */
static int make_ns(const char *name, struct kr_err *err)
{
	char path[128];
	snprintf(path, sizeof path, KR_NETNS_DIR "/%s", name);
	int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (f < 0) {
		kr_err_set(err, errno, 0, "creating %s: %s", path, strerror(errno));
		return -1;
	}
	close(f);
	int home = home_ns();
	if (home < 0 || unshare(CLONE_NEWNET) < 0) {
		kr_err_set(err, errno, 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
		unlink(path);
		return -1;
	}
	int fd = -1;
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		kr_err_set(err, errno, 0, "bind mount of %s: %s", path, strerror(errno));
		goto back;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kr_err_set(err, errno, 0, "open %s: %s", path, strerror(errno));
		goto back;
	}
	/* DAD off for every interface made later (default) and existing (all). */
	if (kr_netns_write_sysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0") < 0 ||
	    kr_netns_write_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0") < 0 ||
	    kr_netns_write_sysctl("/proc/sys/net/ipv6/conf/default/dad_transmits", "0") < 0) {
		kr_err_set(err, errno, 0, "%s: IPv6 sysctls: %s", name, strerror(errno));
		goto fail;
	}
	/* No router solicitations: less noise in the captures (best effort). */
	kr_netns_write_sysctl("/proc/sys/net/ipv6/conf/default/router_solicitations", "0");
	struct nl_sock *sk = kr_netns_nl_open(err, name);
	if (!sk)
		goto fail;
	int rc = kr_netns_link_up(sk, "lo", NULL, err, name);
	nl_socket_free(sk);
	if (rc < 0)
		goto fail;
	goto back;
fail:
	close(fd);
	fd = -1;
back:
	if (setns(home, CLONE_NEWNET) < 0) {
		/* Cannot return to the harness namespace: nothing after this
		 * would be trustworthy. */
		fprintf(stderr, "keyroll: setns back home failed: %s\n", strerror(errno));
		abort();
	}
	if (fd < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	return fd;
}

static void remove_ns(const char *name)
{
	char path[128];
	snprintf(path, sizeof path, KR_NETNS_DIR "/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		kr_net_kill_ns_procs(fd);
		close(fd);
	}
	umount2(path, MNT_DETACH);
	unlink(path);
}

static bool same_ns(const struct stat *a, pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == a->st_ino && st.st_dev == a->st_dev;
}

int kr_net_kill_ns_procs(int nsfd)
{
	struct stat ns;
	if (fstat(nsfd, &ns) < 0)
		return 0;
	/* Guard: never kill inside the namespace the harness itself runs in. */
	struct stat self;
	if (stat("/proc/self/ns/net", &self) == 0 && self.st_ino == ns.st_ino &&
	    self.st_dev == ns.st_dev)
		return 0;
	int killed = 0;
	int64_t deadline = kr_now_ns() + 3000000000LL;
	for (;;) {
		int found = 0;
		DIR *d = opendir("/proc");
		if (!d)
			return killed;
		struct dirent *de;
		while ((de = readdir(d))) {
			char *end;
			long pid = strtol(de->d_name, &end, 10);
			if (*end || pid <= 1 || pid == getpid())
				continue;
			if (same_ns(&ns, (pid_t)pid)) {
				kill((pid_t)pid, SIGKILL);
				found++;
				killed++;
			}
		}
		closedir(d);
		if (!found || kr_now_ns() > deadline)
			break;
		/* Killed processes leave the scan once they are zombies (a
		 * zombie has no namespace); their parents reap them. */
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
	}
	return killed;
}

/* ---- build and teardown ------------------------------------------------ */

static void net_teardown(void *arg)
{
	struct kr_net *n = arg;
	if (n->down)
		return;
	n->down = true;
	/* The lab interface goes home before its namespace goes away (a
	 * physical one would land in the initial namespace, a veth die). */
	kr_netdev_restore(n);
	for (size_t i = 0; i < n->topo.nnodes; i++) {
		/* A signal can arrive while make_ns() is creating node i: its
		 * mount may exist before fd[i] is set, so go by name. */
		if (!n->ns[i][0])
			continue;
		if (n->fd[i] >= 0) {
			kr_net_kill_ns_procs(n->fd[i]);
			close(n->fd[i]);
			n->fd[i] = -1;
		}
		char path[128];
		snprintf(path, sizeof path, KR_NETNS_DIR "/%s", n->ns[i]);
		umount2(path, MNT_DETACH);
		unlink(path);
	}
	if (n->statefd >= 0) {
		close(n->statefd);
		n->statefd = -1;
		char sp[128];
		if (state_path(sp, sizeof sp, n->tag) == 0)
			unlink(sp);
	}
}

/* Segmentation and receive offloads off: TCP segments then have wire
 * sizes, as a real link shows them, and a capture's ring holds MTU-sized
 * frames instead of 256 KiB ones (libpcap sizes frames by the offloads). */
static void offloads_off(const char *ifname)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	static const uint32_t cmds[] = { ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO };
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
		struct ethtool_value v = { cmds[i], 0 };
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
		ifr.ifr_data = (void *)&v;
		ioctl(s, SIOCETHTOOL, &ifr); /* best effort: a capture still works */
	}
	close(s);
}

static int config_node(struct kr_net *n, size_t i, struct kr_err *err)
{
	if (setns(n->fd[i], CLONE_NEWNET) < 0) {
		kr_err_set(err, errno, 0, "setns %s: %s", n->ns[i], strerror(errno));
		return -1;
	}
	int rc = 0;
	struct nl_sock *sk = kr_netns_nl_open(err, n->ns[i]);
	if (!sk)
		rc = -1;
	for (size_t k = 0; rc == 0 && k < n->topo.nlinks; k++) {
		const struct kr_topo_link *l = &n->topo.links[k];
		if (l->a != i && l->b != i)
			continue;
		bool is_a = l->a == i;
		const char *ifname = n->topo.nodes[is_a ? l->b : l->a].name;
		int idx = 0;
		offloads_off(ifname);
		rc = kr_netns_link_up(sk, ifname, &idx, err, n->ns[i]);
		if (rc == 0)
			rc = kr_netns_add_addr(sk, idx, is_a ? &l->a4 : &l->b4, err, n->ns[i], ifname);
		if (rc == 0)
			rc = kr_netns_add_addr(sk, idx, is_a ? &l->a6 : &l->b6, err, n->ns[i], ifname);
	}
	if (sk)
		nl_socket_free(sk);
	if (setns(home_ns(), CLONE_NEWNET) < 0) {
		fprintf(stderr, "keyroll: setns back home failed: %s\n", strerror(errno));
		abort();
	}
	return rc;
}

static int make_veth(struct nl_sock *sk, struct kr_net *n, const struct kr_topo_link *l,
		     struct kr_err *err)
{
	struct rtnl_link *a = rtnl_link_veth_alloc();
	if (!a) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	struct rtnl_link *b = rtnl_link_veth_get_peer(a);
	/* The end in A is named after B and vice versa. */
	rtnl_link_set_name(a, n->topo.nodes[l->b].name);
	rtnl_link_set_ns_fd(a, n->fd[l->a]);
	rtnl_link_set_name(b, n->topo.nodes[l->a].name);
	rtnl_link_set_ns_fd(b, n->fd[l->b]);
	int rc = rtnl_link_add(sk, a, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(b);
	rtnl_link_put(a);
	if (rc < 0) {
		kr_err_set(err, EIO, l->line, "veth %s-%s: %s", n->topo.nodes[l->a].name,
			   n->topo.nodes[l->b].name, nl_geterror(rc));
		return -1;
	}
	return 0;
}

static int open_state(struct kr_net *n, const char *tag, struct kr_err *err)
{
	static unsigned seq;
	for (int tries = 0; tries < 1000; tries++) {
		if (tag)
			snprintf(n->tag, sizeof n->tag, "%s", tag);
		else
			snprintf(n->tag, sizeof n->tag, "kr%dn%u", (int)getpid(), seq++);
		char sp[128];
		state_path(sp, sizeof sp, n->tag);
		n->statefd = open(sp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
		if (n->statefd >= 0)
			return kr_netns_state_line(n->statefd, "keyroll-state 1\nowner %d %llu\n",
					  (int)getpid(), proc_start(getpid()));
		if (errno != EEXIST || tag) {
			kr_err_set(err, errno, 0, "%s: %s%s", sp, strerror(errno),
				   errno == EEXIST ? " (tag in use; `keyroll clean TAG` removes a dead run)" : "");
			return -1;
		}
	}
	kr_err_set(err, EEXIST, 0, "no free run tag");
	return -1;
}

static struct kr_net *net_up(const struct kr_topo *t, const char *tag, bool persistent,
			     const struct kr_net_dev *dev, struct kr_err *err)
{
	if (tag && !kr_net_tag_valid(tag)) {
		kr_err_set(err, EINVAL, 0, "bad tag '%s' (want kr + up to %d of [a-z0-9])", tag,
			   KR_TAG_MAX - 2);
		return NULL;
	}
	int ext = dev ? kr_topo_find_role(t, KR_ROLE_SUT) : -1;
	if (dev && ext < 0) {
		kr_err_set(err, EINVAL, 0, "a device run needs a node of role sut");
		return NULL;
	}
	if (kr_net_preflight(err) < 0 || prepare_netns_dir(err) < 0)
		return NULL;
	struct kr_net *n = calloc(1, sizeof *n);
	if (!n) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	n->topo = *t;
	n->statefd = -1;
	n->ext = ext;
	for (size_t i = 0; i < KR_TOPO_MAX_NODES; i++)
		n->fd[i] = -1;
	if (open_state(n, tag, err) < 0) {
		free(n);
		return NULL;
	}
	n->td_id = kr_teardown_add(net_teardown, n);
	if (persistent && kr_netns_state_line(n->statefd, "persistent\n") < 0)
		goto fail_io;
	for (size_t i = 0; i < t->nnodes; i++) {
		snprintf(n->ns[i], sizeof n->ns[i], "%s-%s", n->tag, t->nodes[i].name);
		/* Record before creating: a SIGKILL in between leaves a record
		 * of something that may not exist, never the reverse. */
		if (kr_netns_state_line(n->statefd, "ns %s\n", n->ns[i]) < 0)
			goto fail_io;
		n->fd[i] = make_ns(n->ns[i], err);
		if (n->fd[i] < 0)
			goto fail;
	}
	struct nl_sock *sk = kr_netns_nl_open(err, "host");
	if (!sk)
		goto fail;
	for (size_t k = 0; k < t->nlinks; k++) {
		if ((int)t->links[k].a == ext || (int)t->links[k].b == ext)
			continue; /* a child of the lab interface instead */
		if (make_veth(sk, n, &t->links[k], err) < 0) {
			nl_socket_free(sk);
			goto fail;
		}
	}
	nl_socket_free(sk);
	if (dev && kr_netdev_attach(n, dev, err) < 0)
		goto fail;
	for (size_t i = 0; i < t->nnodes; i++)
		if ((int)i != ext && config_node(n, i, err) < 0)
			goto fail;
	return n;
fail_io:
	kr_err_set(err, errno, 0, "writing state file: %s", strerror(errno));
fail:
	kr_net_free(n);
	return NULL;
}

struct kr_net *kr_net_up(const struct kr_topo *t, const char *tag, bool persistent,
			 struct kr_err *err)
{
	return net_up(t, tag, persistent, NULL, err);
}

struct kr_net *kr_net_up_dev(const struct kr_topo *t, const char *tag, const struct kr_net_dev *dev,
			     struct kr_err *err)
{
	return net_up(t, tag, false, dev, err);
}

const char *kr_net_external(const struct kr_net *n, const char **ifname)
{
	if (n->ext < 0)
		return NULL;
	if (ifname)
		*ifname = kr_netdev_ifname(n);
	return n->topo.nodes[n->ext].name;
}

void kr_net_down(struct kr_net *n)
{
	if (!n)
		return;
	if (n->td_id) {
		kr_teardown_run(n->td_id); /* serialised with a signal teardown */
		n->td_id = 0;
	}
	net_teardown(n);
}

void kr_net_free(struct kr_net *n)
{
	if (!n)
		return;
	kr_net_down(n);
	free(n);
}

void kr_net_release(struct kr_net *n)
{
	if (!n)
		return;
	kr_teardown_forget(n->td_id);
	for (size_t i = 0; i < n->topo.nnodes; i++)
		if (n->fd[i] >= 0)
			close(n->fd[i]);
	if (n->statefd >= 0)
		close(n->statefd);
	free(n);
}

const char *kr_net_tag(const struct kr_net *n) { return n->tag; }
const struct kr_topo *kr_net_topo(const struct kr_net *n) { return &n->topo; }

const char *kr_net_ns_name(const struct kr_net *n, const char *node)
{
	int i = kr_topo_node(&n->topo, node);
	return i < 0 ? NULL : n->ns[i];
}

int kr_net_node_fd(const struct kr_net *n, const char *node)
{
	int i = kr_topo_node(&n->topo, node);
	return i < 0 || n->down ? -1 : n->fd[i];
}

int kr_net_addr(const struct kr_net *n, const char *node, const char *peer, int family,
		struct kr_ifaddr *out)
{
	int a = kr_topo_node(&n->topo, node), b = kr_topo_node(&n->topo, peer);
	int k = a < 0 || b < 0 ? -1 : kr_topo_link(&n->topo, (unsigned)a, (unsigned)b);
	if (k < 0 || (family != AF_INET && family != AF_INET6))
		return -1;
	const struct kr_topo_link *l = &n->topo.links[k];
	bool is_a = l->a == (unsigned)a;
	if (family == AF_INET)
		*out = is_a ? l->a4 : l->b4;
	else
		*out = is_a ? l->a6 : l->b6;
	return 0;
}

int kr_net_enter(const struct kr_net *n, const char *node)
{
	int fd = kr_net_node_fd(n, node);
	if (fd < 0 || home_ns() < 0) {
		errno = ENOENT;
		return -1;
	}
	return setns(fd, CLONE_NEWNET);
}

int kr_net_leave(void)
{
	int h = home_ns();
	return h < 0 ? -1 : setns(h, CLONE_NEWNET);
}

int kr_net_socket(const struct kr_net *n, const char *node, int domain, int type, int proto)
{
	if (kr_net_enter(n, node) < 0)
		return -1;
	int s = socket(domain, type | SOCK_CLOEXEC, proto);
	int e = errno;
	if (kr_net_leave() < 0) {
		fprintf(stderr, "keyroll: setns back home failed: %s\n", strerror(errno));
		abort();
	}
	errno = e;
	return s;
}

int kr_net_preflight(struct kr_err *err)
{
	if (geteuid() != 0) {
		kr_err_set(err, EPERM, 0,
			   "network namespaces need root (CAP_SYS_ADMIN); run as root or via sudo");
		return -1;
	}
	if (access("/proc/self/ns/net", R_OK) < 0) {
		kr_err_set(err, ENOSYS, 0,
			   "network namespaces unavailable: /proc/self/ns/net: %s (kernel without CONFIG_NET_NS, or /proc not mounted)",
			   strerror(errno));
		return -1;
	}
	/* Try it in a throwaway child: the real test, without side effects. */
	pid_t pid = fork();
	if (pid < 0) {
		kr_err_set(err, errno, 0, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) < 0 ? (errno & 0x7f) + 1 : 0);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		int e = WIFEXITED(st) ? WEXITSTATUS(st) - 1 : EIO;
		kr_err_set(err, e, 0,
			   "cannot create a network namespace: unshare(CLONE_NEWNET): %s (in a container? needs privileges)",
			   strerror(e));
		return -1;
	}
	return 0;
}

/* ---- leftovers --------------------------------------------------------- */

struct state_info {
	pid_t owner;
	unsigned long long start;
	bool persistent;
};

/* Read a state file, removing what it records if `remove`: a lab
 * interface first goes back home (kr_netdev_clean); when that fails, the
 * namespace holding it and the state file stay, so nothing is lost and a
 * later clean can retry. Returns the number of namespaces removed (or
 * found), -1 if unreadable; *kept names the namespace kept, if any. */
static int state_scan(const char *tag, struct state_info *si, bool remove, char *kept, size_t keptsz,
		      struct kr_err *err)
{
	char sp[128];
	if (kept)
		kept[0] = 0;
	if (state_path(sp, sizeof sp, tag) < 0)
		return -1;
	FILE *f = fopen(sp, "re");
	if (!f)
		return -1;
	memset(si, 0, sizeof *si);
	char *lines[512];
	size_t nl = 0;
	char line[256];
	while (nl < sizeof lines / sizeof *lines && fgets(line, sizeof line, f)) {
		int pid;
		unsigned long long st;
		if (sscanf(line, "owner %d %llu", &pid, &st) == 2) {
			si->owner = pid;
			si->start = st;
		} else if (!strncmp(line, "persistent", 10)) {
			si->persistent = true;
		}
		if (!(lines[nl] = strdup(line)))
			break;
		nl++;
	}
	fclose(f);
	int nns = 0;
	bool keep = false;
	if (remove) {
		char held[128] = "";
		for (size_t i = 0; i < nl; i++)
			if (!strncmp(lines[i], "dev ", 4) && sscanf(lines[i], "dev %*s %127s", held) == 1)
				break;
		if (held[0] && kr_netdev_clean(tag, lines, nl, err) < 0) {
			keep = true;
			if (kept)
				snprintf(kept, keptsz, "%s", held);
		}
		for (size_t i = 0; i < nl; i++) {
			char name[128];
			if (sscanf(lines[i], "ns %127s", name) != 1)
				continue;
			/* Only names of this tag, whatever the file says. */
			size_t tl = strlen(tag);
			if (strncmp(name, tag, tl) || name[tl] != '-' || strchr(name, '/'))
				continue;
			if (keep && !strcmp(name, held))
				continue;
			char path[160];
			snprintf(path, sizeof path, KR_NETNS_DIR "/%s", name);
			if (access(path, F_OK) == 0)
				nns++;
			remove_ns(name);
		}
		if (!keep)
			unlink(sp);
	}
	for (size_t i = 0; i < nl; i++)
		free(lines[i]);
	return nns;
}

int kr_net_clean_tag(const char *tag, struct kr_err *err)
{
	if (!kr_net_tag_valid(tag)) {
		kr_err_set(err, EINVAL, 0, "bad tag '%s'", tag);
		return -1;
	}
	struct state_info si;
	char kept[128];
	struct kr_err derr = { 0 };
	int n = state_scan(tag, &si, true, kept, sizeof kept, &derr);
	if (n < 0)
		n = 0;
	/* Namespaces of the tag without a record (state file lost). */
	DIR *d = opendir(KR_NETNS_DIR);
	if (d) {
		struct dirent *de;
		size_t tl = strlen(tag);
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, tag, tl) && de->d_name[tl] == '-' && strcmp(de->d_name, kept)) {
				remove_ns(de->d_name);
				n++;
			}
		closedir(d);
	}
	if (kept[0]) {
		kr_err_set(err, derr.code ? derr.code : EIO, 0,
			   "lab interface not given back (%s); namespace %s and the state file kept", derr.msg, kept);
		return -1;
	}
	return n;
}

int kr_net_clean(enum kr_clean_scope scope, void (*report)(const char *tag, int nns),
		 struct kr_err *err)
{
	DIR *d = opendir(KR_STATE_DIR);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		kr_err_set(err, errno, 0, "%s: %s", KR_STATE_DIR, strerror(errno));
		return -1;
	}
	int runs = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 7 || strcmp(de->d_name + l - 6, ".state"))
			continue;
		char tag[KR_TAG_MAX + 1];
		if (l - 6 > KR_TAG_MAX)
			continue;
		memcpy(tag, de->d_name, l - 6);
		tag[l - 6] = 0;
		if (!kr_net_tag_valid(tag))
			continue;
		struct state_info si;
		if (state_scan(tag, &si, false, NULL, 0, err) < 0)
			continue;
		bool alive = si.owner > 0 && proc_start(si.owner) == si.start && si.start != 0;
		if (alive && !si.persistent)
			continue;
		if (si.persistent ? scope == KR_CLEAN_DEAD : scope == KR_CLEAN_PERSISTENT)
			continue;
		struct kr_err terr = { 0 };
		int nns = kr_net_clean_tag(tag, &terr);
		if (nns < 0) {
			fprintf(stderr, "keyroll: %s: %s\n", tag, terr.msg);
			continue;
		}
		runs++;
		if (report)
			report(tag, nns);
	}
	closedir(d);
	return runs;
}
