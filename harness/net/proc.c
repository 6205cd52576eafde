/* Child processes in namespaces; see proc.h. */
#include "net/proc.h"
#include "net/teardown.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct kr_proc {
	pid_t pid;
	int pidfd;
	bool reaped, stopped;
	int wstatus;
	uint64_t td_id;
	char log[512];
	size_t log_off; /* wait_log: scanned up to here */
	struct kr_loop *loop;
	kr_proc_cb cb;
	void *cb_arg;
};

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void proc_kill_td(void *arg)
{
	struct kr_proc *p = arg;
	if (!p->reaped) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		p->stopped = true;
		while (waitpid(p->pid, &p->wstatus, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
	}
}

/* Child side: never returns. Reports failures through the pipe fd. */
static void child(const struct kr_proc_opts *o, int nsfd, const char *tag, int errfd,
		  pid_t parent)
{
	int stage = 0;
	kr_teardown_child_reset();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127); /* parent already gone: do not run orphaned */
	stage = 1;
	if (setpgid(0, 0) < 0)
		goto fail;
	stage = 2;
	/* Without a node the move home is best effort (an unprivileged
	 * harness cannot setns, and is home anyway). */
	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0 && o->node)
		goto fail;
	stage = 3;
	int lf = open(o->log ? o->log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (lf < 0)
		goto fail;
	int nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(lf, 1) < 0 || dup2(lf, 2) < 0)
		goto fail;
	stage = 4;
	if (o->cwd && chdir(o->cwd) < 0)
		goto fail;
	stage = 5;
	if (tag && setenv("KEYROLL_RUN_ID", tag, 1) < 0)
		goto fail;
	for (const char *const *e = o->env; e && *e; e++)
		if (putenv((char *)*e) < 0)
			goto fail;
	stage = 6;
	execvp(o->argv[0], (char *const *)o->argv);
fail:;
	int msg[2] = { stage, errno };
	if (write(errfd, msg, sizeof msg) < 0)
		_exit(127);
	_exit(127);
}

static const char *const stage_name[] = {
	"prctl", "setpgid", "setns", "log file", "chdir", "environment", "exec",
};

struct kr_proc *kr_proc_start(const struct kr_net *n, const struct kr_proc_opts *o,
			      struct kr_err *err)
{
	if (!o || !o->argv || !o->argv[0]) {
		kr_err_set(err, EINVAL, 0, "no command");
		return NULL;
	}
	/* No node: the harness namespace, even if the calling thread has
	 * entered a node for a moment. */
	int nsfd = o->node ? -1 : kr_net_home_fd();
	if (o->node) {
		nsfd = n ? kr_net_node_fd(n, o->node) : -1;
		if (nsfd < 0) {
			kr_err_set(err, ENOENT, 0, "%s: no such node", o->node);
			return NULL;
		}
	}
	struct kr_proc *p = calloc(1, sizeof *p);
	if (!p) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	p->pidfd = -1;
	snprintf(p->log, sizeof p->log, "%s", o->log ? o->log : "");
	int pp[2];
	if (pipe2(pp, O_CLOEXEC) < 0) {
		kr_err_set(err, errno, 0, "pipe: %s", strerror(errno));
		free(p);
		return NULL;
	}
	const char *tag = n ? kr_net_tag(n) : getenv("KEYROLL_RUN_ID");
	pid_t parent = getpid();
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		kr_err_set(err, errno, 0, "fork: %s", strerror(errno));
		close(pp[0]);
		close(pp[1]);
		free(p);
		return NULL;
	}
	if (p->pid == 0) {
		close(pp[0]);
		child(o, nsfd, tag, pp[1], parent);
	}
	close(pp[1]);
	setpgid(p->pid, p->pid); /* also here: no race with an early kill(-pid) */
	p->td_id = kr_teardown_add(proc_kill_td, p);
	int msg[2];
	ssize_t r;
	while ((r = read(pp[0], msg, sizeof msg)) < 0 && errno == EINTR)
		;
	close(pp[0]);
	if (r == (ssize_t)sizeof msg) {
		int st = msg[0] >= 0 && msg[0] < 7 ? msg[0] : 6;
		kr_err_set(err, msg[1], 0, "starting %s%s%s: %s: %s", o->argv[0],
			   o->node ? " in " : "", o->node ? o->node : "", stage_name[st],
			   strerror(msg[1]));
		kr_proc_free(p);
		return NULL;
	}
	p->pidfd = pidfd_open_(p->pid);
	return p;
}

pid_t kr_proc_pid(const struct kr_proc *p) { return p->pid; }
int kr_proc_pidfd(const struct kr_proc *p) { return p->pidfd; }

bool kr_proc_poll(struct kr_proc *p)
{
	if (p->reaped)
		return true;
	pid_t r = waitpid(p->pid, &p->wstatus, WNOHANG);
	if (r == p->pid || (r < 0 && errno == ECHILD)) {
		if (r < 0)
			p->wstatus = 0;
		p->reaped = true;
	}
	return p->reaped;
}

struct kr_proc_status kr_proc_status(struct kr_proc *p)
{
	struct kr_proc_status s = { KR_PROC_RUNNING, 0, 0, false, p->stopped };
	if (!kr_proc_poll(p))
		return s;
	if (WIFSIGNALED(p->wstatus)) {
		s.state = KR_PROC_SIGNALED;
		s.sig = WTERMSIG(p->wstatus);
		s.core = WCOREDUMP(p->wstatus);
	} else {
		s.state = KR_PROC_EXITED;
		s.code = WEXITSTATUS(p->wstatus);
	}
	return s;
}

const char *kr_proc_status_str(struct kr_proc *p, char *buf, size_t len)
{
	struct kr_proc_status s = kr_proc_status(p);
	if (s.state == KR_PROC_RUNNING)
		snprintf(buf, len, "running");
	else if (s.state == KR_PROC_EXITED)
		snprintf(buf, len, "exited with code %d", s.code);
	else
		snprintf(buf, len, "killed by SIG%s%s", sigabbrev_np(s.sig) ? sigabbrev_np(s.sig) : "?",
			 s.core ? " (core dumped)" : "");
	return buf;
}

bool kr_proc_crashed(struct kr_proc *p)
{
	struct kr_proc_status s = kr_proc_status(p);
	return s.state == KR_PROC_SIGNALED && !s.stopped;
}

/* Block until the process ends or timeout_ns passes (for predicate waits:
 * short slices keep the predicate fresh while an exit wakes us at once). */
static void wait_slice(struct kr_proc *p, int64_t timeout_ns)
{
	if (timeout_ns <= 0)
		return;
	int ms = (int)((timeout_ns + 999999) / 1000000);
	if (p->pidfd >= 0) {
		struct pollfd pf = { p->pidfd, POLLIN, 0 };
		poll(&pf, 1, ms);
	} else {
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
}

static int ended(struct kr_proc *p, struct kr_err *err, const char *waiting_for)
{
	char s[64];
	kr_err_set(err, ECHILD, 0, "process %d %s while waiting for %s", (int)p->pid,
		   kr_proc_status_str(p, s, sizeof s), waiting_for);
	return -1;
}

bool kr_pid_listens(pid_t pid, uint16_t port)
{
	static const char *const files[] = { "tcp", "tcp6" };
	for (int f = 0; f < 2; f++) {
		char path[64], line[512];
		snprintf(path, sizeof path, "/proc/%d/net/%s", (int)pid, files[f]);
		FILE *fp = fopen(path, "re");
		if (!fp)
			continue;
		bool found = false;
		while (!found && fgets(line, sizeof line, fp)) {
			char local[64];
			unsigned st;
			/* "  sl  local_address rem_address   st ..." */
			if (sscanf(line, " %*[0-9]: %63s %*s %x", local, &st) != 2)
				continue;
			char *colon = strrchr(local, ':');
			if (colon && st == 0x0A && strtoul(colon + 1, NULL, 16) == port)
				found = true;
		}
		fclose(fp);
		if (found)
			return true;
	}
	return false;
}

int kr_proc_wait_port(struct kr_proc *p, uint16_t port, int64_t deadline_ns, struct kr_err *err)
{
	for (;;) {
		if (kr_proc_poll(p)) {
			char what[32];
			snprintf(what, sizeof what, "TCP port %u", port);
			return ended(p, err, what);
		}
		if (kr_pid_listens(p->pid, port))
			return 1;
		int64_t left = deadline_ns - kr_now_ns();
		if (left <= 0) {
			kr_err_set(err, ETIMEDOUT, 0, "process %d: nothing listens on TCP port %u by the deadline",
				   (int)p->pid, port);
			return 0;
		}
		wait_slice(p, left < 5000000 ? left : 5000000);
	}
}

static bool log_has(struct kr_proc *p, const char *needle)
{
	int fd = open(p->log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t nl = strlen(needle);
	/* Re-read a little before the last end so a needle split across two
	 * checks is still found. */
	size_t from = p->log_off > nl ? p->log_off - nl : 0;
	char buf[8192 + 1];
	bool found = false;
	for (;;) {
		ssize_t r = pread(fd, buf, sizeof buf - 1, (off_t)from);
		if (r <= 0)
			break;
		buf[r] = 0;
		/* logs may hold NULs: search each NUL-separated piece */
		for (size_t i = 0; i < (size_t)r && !found; i += strlen(buf + i) + 1)
			found = strstr(buf + i, needle) != NULL;
		p->log_off = from + (size_t)r;
		if (found || (size_t)r < sizeof buf - 1)
			break;
		from = p->log_off > nl ? p->log_off - nl : 0;
	}
	close(fd);
	return found;
}

int kr_proc_wait_log(struct kr_proc *p, const char *needle, int64_t deadline_ns,
		     struct kr_err *err)
{
	if (!p->log[0]) {
		kr_err_set(err, EINVAL, 0, "process %d has no log file", (int)p->pid);
		return -1;
	}
	for (;;) {
		bool done = kr_proc_poll(p);
		if (log_has(p, needle)) /* also after the end: last words count */
			return 1;
		if (done)
			return ended(p, err, "a log line");
		int64_t left = deadline_ns - kr_now_ns();
		if (left <= 0) {
			kr_err_set(err, ETIMEDOUT, 0, "%s: no line with '%s' by the deadline", p->log,
				   needle);
			return 0;
		}
		wait_slice(p, left < 5000000 ? left : 5000000);
	}
}

int kr_proc_wait_exit(struct kr_proc *p, int64_t deadline_ns)
{
	for (;;) {
		if (kr_proc_poll(p))
			return 1;
		int64_t left = deadline_ns - kr_now_ns();
		if (left <= 0)
			return 0;
		wait_slice(p, left < 50000000 ? left : 50000000);
	}
}

void kr_proc_stop(struct kr_proc *p, int64_t grace_ns)
{
	if (kr_proc_poll(p))
		return;
	p->stopped = true;
	if (grace_ns > 0) {
		kill(-p->pid, SIGTERM);
		kill(p->pid, SIGTERM);
		if (kr_proc_wait_exit(p, kr_now_ns() + grace_ns))
			goto done;
	}
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	while (!p->reaped) {
		if (waitpid(p->pid, &p->wstatus, 0) == p->pid || errno == ECHILD)
			p->reaped = true;
	}
done:
	/* Whatever else is left in the group (daemon children) goes too. */
	kill(-p->pid, SIGKILL);
}

void kr_proc_free(struct kr_proc *p)
{
	if (!p)
		return;
	if (p->loop && p->pidfd >= 0)
		kr_loop_del_fd(p->loop, p->pidfd);
	kr_proc_stop(p, 0);
	kr_teardown_forget(p->td_id);
	if (p->pidfd >= 0)
		close(p->pidfd);
	free(p);
}

static void on_pidfd(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct kr_proc *p = arg;
	if (!kr_proc_poll(p))
		return;
	kr_loop_del_fd(l, fd);
	p->loop = NULL;
	if (p->cb)
		p->cb(p, p->cb_arg);
}

void kr_proc_unwatch(struct kr_proc *p)
{
	if (!p || !p->loop)
		return;
	if (p->pidfd >= 0)
		kr_loop_del_fd(p->loop, p->pidfd);
	p->loop = NULL;
	p->cb = NULL;
	p->cb_arg = NULL;
}

int kr_proc_watch(struct kr_loop *l, struct kr_proc *p, kr_proc_cb cb, void *arg)
{
	if (p->pidfd < 0)
		return -1;
	p->cb = cb;
	p->cb_arg = arg;
	if (kr_loop_add_fd(l, p->pidfd, KR_EV_READ, on_pidfd, p) < 0)
		return -1;
	p->loop = l;
	return 0;
}

/* ---- resource use of a process tree (/proc) ------------------------------ */

/* utime+stime+cutime+cstime in ticks and the parent, from /proc/PID/stat
 * (the command name may hold spaces and parentheses: parse after the last
 * ')'). 0 or -1. */
static int stat_cpu(pid_t pid, unsigned long long *ticks, pid_t *ppid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	int pp = 0;
	unsigned long long ut = 0, st = 0;
	long long cut = 0, cst = 0;
	/* fields 3.. after ") ": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld", &pp, &ut, &st,
		   &cut, &cst) != 5)
		return -1;
	*ticks = ut + st + (unsigned long long)(cut > 0 ? cut : 0) + (unsigned long long)(cst > 0 ? cst : 0);
	*ppid = pp;
	return 0;
}

double kr_pid_tree_cpu_s(pid_t root)
{
	unsigned long long total, t;
	pid_t pp;
	if (stat_cpu(root, &total, &pp) < 0)
		return -1;
	/* Descendants: repeat over /proc until no new pid joins the tree (a
	 * daemon's helpers are rarely more than two levels deep). */
	pid_t tree[256];
	size_t n = 1;
	tree[0] = root;
	for (bool grew = true; grew;) {
		grew = false;
		DIR *d = opendir("/proc");
		if (!d)
			break;
		struct dirent *e;
		while ((e = readdir(d)) && n < sizeof tree / sizeof tree[0]) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			if (*end || pid <= 0 || stat_cpu((pid_t)pid, &t, &pp) < 0)
				continue;
			bool known = false, parent = false;
			for (size_t i = 0; i < n; i++) {
				known |= tree[i] == pid;
				parent |= tree[i] == pp;
			}
			if (parent && !known) {
				tree[n++] = (pid_t)pid;
				total += t;
				grew = true;
			}
		}
		closedir(d);
	}
	return (double)total / (double)sysconf(_SC_CLK_TCK);
}

size_t kr_pid_rss(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t kb = 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}
