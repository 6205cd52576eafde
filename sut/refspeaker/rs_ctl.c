/* Control socket (unix stream): one request line, one reply, close.
 *   ping                         -> "ok"
 *   rekey origin|transit PATH MS -> "ok rekey ..." or "error ..."
 *   show                         -> state for humans (never used for verdicts)
 * The client is `refspeaker ctl SOCK ...`. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "rs_faults.h"
#include "rs_speaker.h"

struct rs_ctl {
	struct rs_speaker *sp;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path)
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

struct show_arg {
	struct kr_bytes *o;
	struct rs_speaker *sp;
};

static void outf(struct kr_bytes *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct kr_bytes *o, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n > 0)
		kr_bytes_append(o, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1);
}

static void show_dest(struct rs_dest *d, void *arg)
{
	struct show_arg *a = arg;
	char b[64];
	kr_prefix_format(&d->pfx, b, sizeof b);
	const struct rs_path *bp = rs_dest_best(d);
	outf(a->o, "  %-24s best=%s", b,
	     d->best == RS_BEST_LOCAL ? "local" : bp ? a->sp->peers[d->best].name : "none");
	if (bp)
		outf(a->o, " %s len=%u", rs_val_name(bp->val), bp->path_len);
	for (size_t i = 0; i < a->sp->cfg.npeers; i++) {
		const struct rs_path *p = d->paths[i];
		if (p && (int)i != d->best)
			outf(a->o, " | alt %s %s", a->sp->peers[i].name, rs_val_name(p->val));
	}
	outf(a->o, "\n");
}

static void show(struct rs_speaker *sp, struct kr_bytes *o)
{
	outf(o, "refspeaker AS %u, policy %s, faults: %s\n", sp->cfg.asn,
	     rs_policy_name(sp->cfg.policy), *rs_fault_active() ? rs_fault_active() : "none");
	for (int r = 0; r < 2; r++)
		if (sp->keys[r].has_cur) {
			char h[48];
			kr_hex_encode(h, sizeof h, sp->keys[r].cur.ski, KR_SKI_LEN);
			outf(o, "%s key: SKI %s (generation %u)\n", rs_role_name((enum rs_role)r), h,
			     sp->keys[r].gen);
		}
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		const struct rs_peer *p = &sp->peers[i];
		outf(o, "%s: %s\n", p->name, kr_bgp_state_name(kr_bgp_session_state(p->s)));
	}
	outf(o, "RTR: %s, %zu router key(s)\n", rs_rtr_status(sp->rtr), sp->nrkeys);
	for (size_t i = 0; i < sp->nrkeys; i++) {
		char h[48];
		kr_hex_encode(h, sizeof h, sp->rkeys[i].ski, KR_SKI_LEN);
		outf(o, "  AS %u SKI %s\n", sp->rkeys[i].asn, h);
	}
	outf(o, "routes: %zu prefixes\n", rs_rib_count(sp->rib));
	struct show_arg a = { o, sp };
	rs_rib_walk(sp->rib, show_dest, &a);
	const struct rs_stats *s = &sp->st;
	outf(o, "counters: updates in %llu, withdrawn in %llu, treat-as-withdraw %llu, updates out "
		"%llu, withdrawals out %llu, rtr +%llu -%llu, re-validated %llu, re-advertised %llu\n",
	     (unsigned long long)s->updates_in, (unsigned long long)s->withdrawn_in,
	     (unsigned long long)s->treat_as_withdraw, (unsigned long long)s->updates_out,
	     (unsigned long long)s->withdraws_out, (unsigned long long)s->rtr_announce,
	     (unsigned long long)s->rtr_withdraw, (unsigned long long)s->revalidated,
	     (unsigned long long)s->readvertised);
}

static void handle(struct rs_speaker *sp, char *line, struct kr_bytes *o)
{
	char *t[6];
	int n = 0;
	for (char *s = strtok(line, " \t\r\n"); s && n < 6; s = strtok(NULL, " \t\r\n"))
		t[n++] = s;
	if (n == 1 && !strcmp(t[0], "ping")) {
		outf(o, "ok\n");
	} else if (n == 1 && !strcmp(t[0], "show")) {
		show(sp, o);
	} else if ((n == 3 || n == 4) && !strcmp(t[0], "rekey") &&
		   (!strcmp(t[1], "origin") || !strcmp(t[1], "transit"))) {
		char *end = NULL;
		unsigned long ms = n == 4 ? strtoul(t[3], &end, 10) : 0;
		if (n == 4 && (*end || ms > 3600000)) {
			outf(o, "error bad stagger '%s'\n", t[3]);
			return;
		}
		char reply[300];
		rs_rekey(sp, !strcmp(t[1], "origin") ? RS_ROLE_ORIGIN : RS_ROLE_TRANSIT, t[2],
			 (unsigned)ms, reply, sizeof reply);
		outf(o, "%s\n", reply);
	} else {
		outf(o, "error unknown request (ping | show | rekey origin|transit PATH [MS])\n");
	}
}

static void on_conn(struct kr_loop *l, int fd, unsigned events, void *arg)
{
	struct rs_ctl *c = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	/* the client writes its line at once; a short timeout keeps a stuck
	 * client from stalling the loop */
	struct timeval tv = { 1, 0 };
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	char line[PATH_MAX + 64];
	size_t len = 0;
	while (len < sizeof line - 1) {
		ssize_t r = read(cfd, line + len, sizeof line - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (memchr(line, '\n', len))
			break;
	}
	line[len] = 0;
	struct kr_bytes o = { 0 };
	handle(c->sp, line, &o);
	for (size_t off = 0; off < o.len;) {
		ssize_t w = write(cfd, o.p + off, o.len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	kr_bytes_free(&o);
	close(cfd);
}

struct rs_ctl *rs_ctl_start(struct rs_speaker *sp, const char *path, struct kr_err *err)
{
	struct sockaddr_un a;
	if (unix_addr(&a, path) < 0) {
		kr_err_set(err, 1, 0, "ctl socket path too long: %s", path);
		return NULL;
	}
	struct rs_ctl *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->sp = sp;
	strcpy(c->path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path); /* a stale socket of a killed run */
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(c->fd, 8) < 0 ||
	    kr_loop_add_fd(sp->loop, c->fd, KR_EV_READ, on_conn, c) < 0) {
		kr_err_set(err, errno, 0, "ctl socket %s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

void rs_ctl_stop(struct rs_ctl *c)
{
	if (!c)
		return;
	kr_loop_del_fd(c->sp->loop, c->fd);
	close(c->fd);
	unlink(c->path);
	free(c);
}

static int usage(void)
{
	fprintf(stderr, "usage: refspeaker ctl SOCK ping | show | rekey origin|transit NEWKEY.pem "
			"[--stagger-ms N]\n");
	return 2;
}

int rs_ctl_client(int argc, char **argv)
{
	/* argv: ctl SOCK CMD ... */
	if (argc < 3)
		return usage();
	char req[PATH_MAX + 64];
	const char *cmd = argv[2];
	if ((!strcmp(cmd, "ping") || !strcmp(cmd, "show")) && argc == 3) {
		snprintf(req, sizeof req, "%s\n", cmd);
	} else if (!strcmp(cmd, "rekey") && (argc == 5 || argc == 7)) {
		unsigned long ms = 0;
		if (argc == 7) {
			char *end;
			if (strcmp(argv[5], "--stagger-ms"))
				return usage();
			ms = strtoul(argv[6], &end, 10);
			if (*end || !*argv[6])
				return usage();
		}
		char abs[PATH_MAX];
		if (!realpath(argv[4], abs)) {
			fprintf(stderr, "refspeaker ctl: %s: %s\n", argv[4], strerror(errno));
			return 2;
		}
		snprintf(req, sizeof req, "rekey %s %s %lu\n", argv[3], abs, ms);
	} else {
		return usage();
	}
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || unix_addr(&a, argv[1]) < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		fprintf(stderr, "refspeaker ctl: %s: %s\n", argv[1], strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "refspeaker ctl: write: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	shutdown(fd, SHUT_WR);
	char buf[4096];
	bool ok = false, first = true;
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		if (first)
			ok = r >= 2 && !memcmp(buf, "ok", 2);
		first = false;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	if (!strcmp(cmd, "show"))
		return first ? 1 : 0;
	return ok ? 0 : 1;
}
