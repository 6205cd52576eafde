/* Namespaces, sockets-in-node and processes (needs root: skipped, with a
 * note, otherwise). Every test removes what it builds. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cu.h"
#include "net/evloop.h"
#include "net/netns.h"
#include "net/proc.h"
#include "net/topo.h"

static bool root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "SKIP: not root, namespace tests skipped\n");
	return false;
}

/* Names in /run/netns that start with tag-. */
static int count_ns(const char *tag)
{
	DIR *d = opendir(KR_NETNS_DIR);
	if (!d)
		return 0;
	int n = 0;
	size_t tl = strlen(tag);
	struct dirent *de;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, tag, tl) && de->d_name[tl] == '-')
			n++;
	closedir(d);
	return n;
}

static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { fd, ev, 0 };
	return poll(&p, 1, ms);
}

/* Listen in `srv`, connect from `cli` over their link, exchange a byte. */
static int link_carries_tcp(struct kr_net *n, const char *cli, const char *srv, int family)
{
	struct kr_ifaddr sa;
	if (kr_net_addr(n, srv, cli, family, &sa) < 0)
		return -1;
	int ls = kr_net_socket(n, srv, family, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_storage ss;
	socklen_t sl = kr_ifaddr_sockaddr(&sa, 17900, &ss);
	if (ls < 0 || bind(ls, (struct sockaddr *)&ss, sl) < 0 || listen(ls, 1) < 0)
		return -2;
	int cs = kr_net_socket(n, cli, family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (cs < 0)
		return -3;
	int rc = connect(cs, (struct sockaddr *)&ss, sl);
	if (rc < 0 && errno != EINPROGRESS)
		return -4;
	if (wait_fd(cs, POLLOUT, 2000) != 1)
		return -5;
	int as = accept(ls, NULL, NULL);
	if (as < 0)
		return -6;
	char c = 'x';
	rc = write(cs, &c, 1) == 1 && wait_fd(as, POLLIN, 2000) == 1 && read(as, &c, 1) == 1 ? 0 : -7;
	/* the peer's address is the client's address on the same link */
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	struct kr_ifaddr ca;
	kr_net_addr(n, cli, srv, family, &ca);
	if (rc == 0 && getpeername(as, (struct sockaddr *)&peer, &pl) == 0) {
		const void *pa = family == AF_INET ? (void *)&((struct sockaddr_in *)&peer)->sin_addr
						   : (void *)&((struct sockaddr_in6 *)&peer)->sin6_addr;
		if (memcmp(pa, ca.addr, family == AF_INET ? 4 : 16))
			rc = -8;
	}
	close(as);
	close(cs);
	close(ls);
	return rc;
}

static void t_standard_topology(void)
{
	if (!root())
		return;
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/rollover.topo", &e), 0);
	int64_t t0 = kr_now_ns();
	struct kr_net *n = kr_net_up(&t, NULL, false, &e);
	int64_t t1 = kr_now_ns();
	if (!n)
		fprintf(stderr, "kr_net_up: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	char tag[KR_TAG_MAX + 1];
	snprintf(tag, sizeof tag, "%s", kr_net_tag(n));
	CU_ASSERT_EQUAL(count_ns(tag), 7);
	char sp[128];
	snprintf(sp, sizeof sp, KR_STATE_DIR "/%s.state", tag);
	CU_ASSERT_EQUAL(access(sp, F_OK), 0);
	for (size_t k = 0; k < t.nlinks; k++) {
		const char *a = t.nodes[t.links[k].a].name, *b = t.nodes[t.links[k].b].name;
		int r4 = link_carries_tcp(n, a, b, AF_INET);
		int r6 = link_carries_tcp(n, b, a, AF_INET6);
		if (r4 || r6)
			fprintf(stderr, "link %s-%s: v4 %d v6 %d (errno %s)\n", a, b, r4, r6,
				strerror(errno));
		CU_ASSERT_EQUAL(r4, 0);
		CU_ASSERT_EQUAL(r6, 0);
	}
	/* isolation: up1 cannot reach up2's link address (no routes) */
	struct kr_ifaddr a;
	kr_net_addr(n, "up2", "sut", AF_INET, &a);
	int s = kr_net_socket(n, "up1", AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_storage ss;
	socklen_t sl = kr_ifaddr_sockaddr(&a, 17900, &ss);
	CU_ASSERT(connect(s, (struct sockaddr *)&ss, sl) < 0 && errno == ENETUNREACH);
	close(s);
	int64_t t2 = kr_now_ns();
	kr_net_free(n);
	int64_t t3 = kr_now_ns();
	fprintf(stderr, "standard topology: up %.1f ms, down %.1f ms\n", (t1 - t0) / 1e6,
		(t3 - t2) / 1e6);
	CU_ASSERT_EQUAL(count_ns(tag), 0);
	CU_ASSERT_NOT_EQUAL(access(sp, F_OK), 0);
}

static struct kr_net *pair_up(void)
{
	struct kr_topo t;
	struct kr_err e = { 0 };
	if (kr_topo_load(&t, "netns/pair.topo", &e) < 0)
		return NULL;
	struct kr_net *n = kr_net_up(&t, NULL, false, &e);
	if (!n)
		fprintf(stderr, "kr_net_up: %s\n", e.msg);
	return n;
}

static void t_proc_crash_and_exit(void)
{
	if (!root())
		return;
	struct kr_net *n = pair_up();
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	struct kr_err e = { 0 };
	char log[] = "/tmp/kr-test-proc-XXXXXX";
	int lf = mkstemp(log);
	CU_ASSERT_FATAL(lf >= 0);
	close(lf);
	/* a crashing child is reported with its signal */
	const char *crash[] = { "sh", "-c", "echo started $KEYROLL_RUN_ID; kill -SEGV $$", NULL };
	struct kr_proc_opts o = { .node = "a", .argv = crash, .log = log };
	struct kr_proc *p = kr_proc_start(n, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(kr_proc_wait_exit(p, kr_now_ns() + 5000000000LL), 1);
	char st[64];
	CU_ASSERT_STRING_EQUAL(kr_proc_status_str(p, st, sizeof st), "killed by SIGSEGV");
	CU_ASSERT(kr_proc_crashed(p));
	/* the log holds its output, with the run id in its environment */
	char want[64];
	snprintf(want, sizeof want, "started %s", kr_net_tag(n));
	CU_ASSERT_EQUAL(kr_proc_wait_log(p, want, kr_now_ns() + 1000000000LL, &e), 1);
	kr_proc_free(p);
	/* exit codes */
	const char *ex[] = { "sh", "-c", "exit 3", NULL };
	o.argv = ex;
	p = kr_proc_start(n, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	kr_proc_wait_exit(p, kr_now_ns() + 5000000000LL);
	CU_ASSERT_STRING_EQUAL(kr_proc_status_str(p, st, sizeof st), "exited with code 3");
	CU_ASSERT(!kr_proc_crashed(p));
	kr_proc_free(p);
	/* exec failure is an error of kr_proc_start, not an exit code */
	const char *bad[] = { "/nonexistent/keyroll-no-such-binary", NULL };
	o.argv = bad;
	CU_ASSERT_PTR_NULL(kr_proc_start(n, &o, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "exec"));
	o.node = "nosuchnode";
	o.argv = ex;
	CU_ASSERT_PTR_NULL(kr_proc_start(n, &o, &e));
	/* no node: the harness namespace, even when started from inside a node */
	char home[64] = "", want_ns[80];
	CU_ASSERT(readlink("/proc/self/ns/net", home, sizeof home - 1) > 0);
	snprintf(want_ns, sizeof want_ns, "ns=%s", home);
	const char *rl[] = { "sh", "-c", "echo ns=$(readlink /proc/self/ns/net)", NULL };
	o.node = NULL;
	o.argv = rl;
	o.log = log;
	CU_ASSERT_EQUAL(kr_net_enter(n, "a"), 0);
	p = kr_proc_start(n, &o, &e);
	CU_ASSERT_EQUAL(kr_net_leave(), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(kr_proc_wait_log(p, want_ns, kr_now_ns() + 5000000000LL, &e), 1);
	kr_proc_free(p);
	unlink(log);
	kr_net_free(n);
}

static bool got_exit;
static void on_exit_cb(struct kr_proc *p, void *arg) { got_exit = true; }
static bool exited(void *a) { return got_exit; }

static void t_proc_ready_and_stop(void)
{
	if (!root())
		return;
	struct kr_net *n = pair_up();
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	struct kr_err e = { 0 };
	/* a listener inside node b, ready when its port listens there */
	const char *srv[] = { "python3", "-c",
			      "import socket,time\n"
			      "s=socket.socket(socket.AF_INET6)\n"
			      "s.bind(('2001:db8:ff::2',18179));s.listen()\n"
			      "print('listening',flush=True)\n"
			      "time.sleep(60)\n",
			      NULL };
	struct kr_proc_opts o = { .node = "b", .argv = srv };
	struct kr_proc *p = kr_proc_start(n, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	int r = kr_proc_wait_port(p, 18179, kr_now_ns() + 10000000000LL, &e);
	if (r != 1)
		fprintf(stderr, "wait_port: %s\n", e.msg);
	CU_ASSERT_EQUAL(r, 1);
	/* the port is in b's namespace, not in a's or the harness's */
	CU_ASSERT(!kr_pid_listens(getpid(), 18179));
	/* deadline path */
	CU_ASSERT_EQUAL(kr_proc_wait_port(p, 18180, kr_now_ns() + 20000000, &e), 0);
	/* event-loop integration: pidfd fires after a stop */
	struct kr_loop *l = kr_loop_new();
	got_exit = false;
	CU_ASSERT_EQUAL(kr_proc_watch(l, p, on_exit_cb, NULL), 0);
	CU_ASSERT_EQUAL(kr_loop_run_until(l, exited, NULL, kr_now_ns() + 20000000), 0);
	int64_t t0 = kr_now_ns();
	kr_proc_stop(p, 2000000000LL);
	CU_ASSERT(kr_now_ns() - t0 < 1500000000LL); /* SIGTERM was enough */
	CU_ASSERT_EQUAL(kr_loop_run_until(l, exited, NULL, kr_now_ns() + 2000000000LL), 1);
	char st[64];
	CU_ASSERT_STRING_EQUAL(kr_proc_status_str(p, st, sizeof st), "killed by SIGTERM");
	CU_ASSERT(!kr_proc_crashed(p)); /* we sent it */
	kr_proc_free(p);
	kr_loop_free(l);
	/* a process that ignores SIGTERM is killed after the grace period */
	const char *stub[] = { "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done", NULL };
	char log[] = "/tmp/kr-test-proc-XXXXXX";
	close(mkstemp(log));
	o.argv = stub;
	o.log = log;
	p = kr_proc_start(n, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(kr_proc_wait_log(p, "ready", kr_now_ns() + 5000000000LL, &e), 1);
	kr_proc_stop(p, 100000000LL);
	CU_ASSERT_STRING_EQUAL(kr_proc_status_str(p, st, sizeof st), "killed by SIGKILL");
	kr_proc_free(p);
	unlink(log);
	/* teardown kills processes left in a namespace */
	const char *sl[] = { "sleep", "60", NULL };
	o.argv = sl;
	o.log = NULL;
	p = kr_proc_start(n, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	kr_net_down(n);
	CU_ASSERT_EQUAL(kr_proc_wait_exit(p, kr_now_ns() + 2000000000LL), 1);
	kr_proc_free(p);
	kr_net_free(n);
}

/* A harness killed by SIGKILL takes its children with it (PDEATHSIG). */
static void t_children_die_with_harness(void)
{
	int pp[2];
	CU_ASSERT_FATAL(pipe(pp) == 0);
	pid_t h = fork();
	CU_ASSERT_FATAL(h >= 0);
	if (h == 0) {
		const char *sl[] = { "sleep", "60", NULL };
		struct kr_proc_opts o = { .argv = sl };
		struct kr_err e;
		struct kr_proc *p = kr_proc_start(NULL, &o, &e);
		pid_t c = p ? kr_proc_pid(p) : -1;
		if (write(pp[1], &c, sizeof c) != sizeof c)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pp[1]);
	pid_t c = -1;
	CU_ASSERT_EQUAL(read(pp[0], &c, sizeof c), (ssize_t)sizeof c);
	close(pp[0]);
	CU_ASSERT_FATAL(c > 0);
	kill(h, SIGKILL);
	waitpid(h, NULL, 0);
	/* the orphan is reaped by init; wait until its pid is gone or a
	 * zombie (bounded) */
	bool gone = false;
	for (int64_t dl = kr_now_ns() + 3000000000LL; !gone && kr_now_ns() < dl;) {
		char path[64], st[256] = "";
		snprintf(path, sizeof path, "/proc/%d/stat", (int)c);
		FILE *f = fopen(path, "r");
		if (!f) {
			gone = true;
			break;
		}
		if (fgets(st, sizeof st, f)) {
			char *q = strrchr(st, ')');
			gone = q && q[2] == 'Z';
		}
		fclose(f);
		if (!gone)
			usleep(2000);
	}
	CU_ASSERT(gone);
	if (!gone)
		kill(c, SIGKILL);
}

static void t_tags(void)
{
	CU_ASSERT(kr_net_tag_valid("kr123n0"));
	CU_ASSERT(!kr_net_tag_valid("k123"));
	CU_ASSERT(!kr_net_tag_valid("kr"));
	CU_ASSERT(!kr_net_tag_valid("kr-1"));
	CU_ASSERT(!kr_net_tag_valid("kr/../x"));
	CU_ASSERT(!kr_net_tag_valid("kr012345678901234567890123"));
	if (!root())
		return;
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/pair.topo", &e), 0);
	CU_ASSERT_PTR_NULL(kr_net_up(&t, "bad-tag", false, &e));
	/* an explicit tag in use is refused, nothing of the first is harmed */
	char tag[32];
	snprintf(tag, sizeof tag, "krtest%d", (int)getpid());
	struct kr_net *n = kr_net_up(&t, tag, false, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_PTR_NULL(kr_net_up(&t, tag, false, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "in use"));
	CU_ASSERT_EQUAL(count_ns(tag), 2);
	/* a tagless clean never touches a live run */
	CU_ASSERT(kr_net_clean(KR_CLEAN_DEAD, NULL, &e) >= 0);
	CU_ASSERT_EQUAL(count_ns(tag), 2);
	kr_net_free(n);
	CU_ASSERT_EQUAL(count_ns(tag), 0);
}

KR_TESTS("netns",
	 { "standard topology up, TCP on every link, down", t_standard_topology },
	 { "process crash, exit code, exec failure", t_proc_crash_and_exit },
	 { "process readiness and stop", t_proc_ready_and_stop },
	 { "children die with the harness", t_children_die_with_harness },
	 { "tags", t_tags });
