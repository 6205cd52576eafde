/* ExaBGP as the plain-BGP peer; see exabgp.h. */
#include "run/exabgp.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/proc.h"

/* The API helper: copies ExaBGP's stdin (JSON) to the harness socket and
 * the harness's command lines to ExaBGP's stdin (its stdout). Must run
 * under /usr/bin/python3 (Debian's ExaBGP environment). */
static const char helper_py[] =
	"import os, select, socket, sys\n"
	"s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"s.connect(sys.argv[1])\n"
	"inp = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, 'raw') else sys.stdin.buffer\n"
	"buf = b''\n"
	"while True:\n"
	"    r, _, _ = select.select([inp, s], [], [])\n"
	"    if inp in r:\n"
	"        d = os.read(inp.fileno(), 65536)\n"
	"        if not d:\n"
	"            break\n"
	"        s.sendall(d)\n"
	"    if s in r:\n"
	"        d = s.recv(65536)\n"
	"        if not d:\n"
	"            break\n"
	"        buf += d\n"
	"        while b'\\n' in buf:\n"
	"            line, buf = buf.split(b'\\n', 1)\n"
	"            sys.stdout.write(line.decode() + '\\n')\n"
	"            sys.stdout.flush()\n";

struct kr_exa {
	struct kr_loop *loop;
	struct kr_exa_cfg cfg;
	struct kr_proc *proc;
	int lfd, cfd;
	char sock_path[256];
	char log_path[256];
	struct kr_bytes in;
	struct kr_obs *obs;
	struct kr_update *upd;
	bool up;
	uint64_t leaks, updates;
	uint8_t open[4096];
	size_t open_len;
	uint8_t ncode, nsub;
	FILE *trace; /* every line ExaBGP sent, as evidence */
};

int kr_exa_write_files(const struct kr_exa_cfg *c, const char *sock_path, char *conf_path,
		       size_t conf_len, struct kr_err *err)
{
	char py[512];
	snprintf(py, sizeof py, "%s/exa-api.py", c->workdir);
	FILE *f = fopen(py, "w");
	if (!f || fputs(helper_py, f) < 0) {
		kr_err_set(err, errno, 0, "%s: %s", py, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	snprintf(conf_path, conf_len, "%s/exabgp.conf", c->workdir);
	f = fopen(conf_path, "w");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", conf_path, strerror(errno));
		return -1;
	}
	const char *rid = c->router_id ? c->router_id : strchr(c->local_ip, ':') ? "198.18.0.254" : c->local_ip;
	fprintf(f,
		"process keyroll {\n"
		"  run /usr/bin/python3 %s %s;\n"
		"  encoder json;\n"
		"}\n"
		"neighbor %s {\n"
		"  router-id %s;\n"
		"  local-address %s;\n"
		"  local-as %u;\n"
		"  peer-as %u;\n",
		py, sock_path, c->peer_ip, rid, c->local_ip, c->local_as, c->peer_as);
	if (c->hold_time)
		fprintf(f, "  hold-time %u;\n", c->hold_time);
	if (c->passive)
		fprintf(f, "  passive true;\n");
	fprintf(f, "  family {\n    ipv4 unicast;\n%s  }\n", c->ipv6 ? "    ipv6 unicast;\n" : "");
	fprintf(f,
		"  api {\n"
		"    processes [ keyroll ];\n"
		"    neighbor-changes;\n"
		"    receive { parsed; packets; update; open; notification; }\n"
		"  }\n"
		"}\n");
	if (fclose(f) != 0) {
		kr_err_set(err, errno, 0, "%s: %s", conf_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- JSON lines (pure) --------------------------------------------------- */

/* "0xFFFF..." -> bytes; returns length or -1. */
static long hexfield(json_t *o, const char *key, uint8_t *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(o, key));
	if (!s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	return kr_hex_decode(out, cap, s, strlen(s));
}

static void handle_line(struct kr_exa *x, const char *line)
{
	if (x->trace)
		fprintf(x->trace, "%s\n", line);
	json_error_t je;
	json_t *j = json_loads(line, 0, &je);
	if (!j)
		return; /* "done"/"error" acknowledgements and anything else */
	const char *type = json_string_value(json_object_get(j, "type"));
	json_t *nb = json_object_get(j, "neighbor");
	json_t *msg = json_object_get(nb, "message");
	if (type && !strcmp(type, "state")) {
		const char *st = json_string_value(json_object_get(nb, "state"));
		if (st)
			x->up = !strcmp(st, "up");
	} else if (msg && json_object_get(msg, "header") && json_object_get(msg, "body")) {
		/* raw packet: header + body */
		static uint8_t m[KR_BGP_EXT_MAX_LEN];
		long hl = hexfield(msg, "header", m, sizeof m);
		long bl = hl == KR_BGP_HDR_LEN ? hexfield(msg, "body", m + hl, sizeof m - (size_t)hl) : -1;
		if (bl >= 0) {
			size_t len = (size_t)(hl + bl);
			if (m[18] == KR_BGP_UPDATE) {
				struct kr_err e;
				x->updates++;
				int rc = kr_update_decode(x->upd, m, len, KR_ATTR_BGPSEC_PATH, &e);
				bool leak = rc == 0 && x->upd->i_bgpsec >= 0;
				if (rc == 0 && !leak) {
					/* pre-IANA code point from old captures */
					for (size_t i = 0; i < x->upd->nattrs; i++)
						if (x->upd->attrs[i].type == KR_ATTR_BGPSEC_PATH_PREIANA)
							leak = true;
				}
				if (leak)
					x->leaks++;
				kr_obs_ingest(x->obs, m, len, rc == 0 ? x->upd : NULL, kr_now_ns());
			} else if (m[18] == KR_BGP_OPEN && len <= sizeof x->open) {
				memcpy(x->open, m, len);
				x->open_len = len;
			} else if (m[18] == KR_BGP_NOTIFICATION && len >= 21) {
				x->ncode = m[19];
				x->nsub = m[20];
			}
		}
	} else if (type && !strcmp(type, "notification")) {
		json_t *n = json_object_get(nb, "notification");
		x->ncode = (uint8_t)json_integer_value(json_object_get(n, "code"));
		x->nsub = (uint8_t)json_integer_value(json_object_get(n, "subcode"));
	}
	json_decref(j);
}

/* ---- I/O ------------------------------------------------------------------ */

static void on_conn(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct kr_exa *x = arg;
	char b[65536];
	for (;;) {
		ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			kr_loop_del_fd(l, fd);
			close(fd);
			x->cfd = -1;
			x->up = false;
			return;
		}
		kr_bytes_append(&x->in, b, (size_t)n);
	}
	size_t off = 0;
	for (;;) {
		uint8_t *nl = memchr(x->in.p + off, '\n', x->in.len - off);
		if (!nl)
			break;
		*nl = 0;
		handle_line(x, (const char *)x->in.p + off);
		off = (size_t)(nl - x->in.p) + 1;
	}
	memmove(x->in.p, x->in.p + off, x->in.len - off);
	x->in.len -= off;
}

static void on_listen(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct kr_exa *x = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	if (x->cfd >= 0) {
		kr_loop_del_fd(l, x->cfd);
		close(x->cfd);
	}
	x->cfd = c;
	kr_loop_add_fd(l, c, KR_EV_READ, on_conn, x);
}

struct kr_exa *kr_exa_start(struct kr_loop *l, const struct kr_net *net, const struct kr_exa_cfg *c,
			    struct kr_err *err)
{
	struct kr_exa *x = calloc(1, sizeof *x);
	if (!x) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	x->loop = l;
	x->cfg = *c;
	x->lfd = x->cfd = -1;
	struct kr_obs_cfg oc;
	kr_obs_cfg_init(&oc);
	oc.name = "exa";
	oc.keys = c->keys;
	oc.my_as = c->local_as;
	x->obs = kr_obs_new(&oc);
	x->upd = malloc(sizeof *x->upd);
	if (!x->obs || !x->upd) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		goto fail;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sl = snprintf(x->sock_path, sizeof x->sock_path, "%s/exa-api.sock", c->workdir);
	if (sl < 0 || (size_t)sl >= sizeof sa.sun_path) {
		kr_err_set(err, ENAMETOOLONG, 0, "workdir too long for a unix socket: %s", c->workdir);
		goto fail;
	}
	memcpy(sa.sun_path, x->sock_path, (size_t)sl + 1);
	unlink(x->sock_path);
	x->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->lfd < 0 || bind(x->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(x->lfd, 2) < 0 ||
	    kr_loop_add_fd(l, x->lfd, KR_EV_READ, on_listen, x) < 0) {
		kr_err_set(err, errno, 0, "api socket %s: %s", x->sock_path, strerror(errno));
		goto fail;
	}
	char conf[512];
	if (kr_exa_write_files(c, x->sock_path, conf, sizeof conf, err) < 0)
		goto fail;
	snprintf(x->log_path, sizeof x->log_path, "%s/exabgp.log", c->workdir);
	char tp[300];
	snprintf(tp, sizeof tp, "%s/exabgp-received.jsonl", c->workdir);
	x->trace = fopen(tp, "w");
	char bind[80];
	snprintf(bind, sizeof bind, "exabgp.tcp.bind=%s", c->passive ? c->local_ip : "");
	const char *env[] = { "exabgp.daemon.user=root", "exabgp.daemon.drop=false",
			      "exabgp.api.cli=false", "exabgp.log.destination=stdout",
			      c->passive ? bind : NULL, NULL };
	const char *argv[] = { "/usr/sbin/exabgp", conf, NULL };
	struct kr_proc_opts po = { .node = c->node, .argv = argv, .env = env, .log = x->log_path,
				   .cwd = c->workdir };
	x->proc = kr_proc_start(net, &po, err);
	if (!x->proc)
		goto fail;
	return x;
fail:
	kr_exa_free(x);
	return NULL;
}

void kr_exa_free(struct kr_exa *x)
{
	if (!x)
		return;
	if (x->proc)
		kr_proc_stop(x->proc, 2000000000LL);
	kr_proc_free(x->proc);
	if (x->cfd >= 0) {
		kr_loop_del_fd(x->loop, x->cfd);
		close(x->cfd);
	}
	if (x->lfd >= 0) {
		kr_loop_del_fd(x->loop, x->lfd);
		close(x->lfd);
		unlink(x->sock_path);
	}
	kr_bytes_free(&x->in);
	if (x->trace)
		fclose(x->trace);
	kr_obs_free(x->obs);
	free(x->upd);
	free(x);
}

bool kr_exa_established(const struct kr_exa *x) { return x->up; }

static bool up_or_dead(void *arg)
{
	struct kr_exa *x = arg;
	return x->up || kr_proc_poll(x->proc);
}

static void log_tail(const char *path, char *out, size_t sz)
{
	out[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f))
		if (strstr(line, "rror") || strstr(line, "failed") || strstr(line, "problem"))
			snprintf(out, sz, "%.190s", line);
	fclose(f);
	out[strcspn(out, "\n")] = 0;
}

int kr_exa_wait_up(struct kr_exa *x, int64_t deadline_ns, struct kr_err *err)
{
	kr_loop_run_until(x->loop, up_or_dead, x, deadline_ns);
	if (x->up)
		return 1;
	char st[64], tail[200];
	log_tail(x->log_path, tail, sizeof tail);
	if (kr_proc_poll(x->proc)) {
		kr_err_set(err, ECHILD, 0, "exabgp %s (log %s: %s)",
			   kr_proc_status_str(x->proc, st, sizeof st), x->log_path, tail);
		return -1;
	}
	kr_err_set(err, ETIMEDOUT, 0, "exabgp session not up (helper %s; log %s: %s)",
		   x->cfd >= 0 ? "connected" : "not connected", x->log_path, tail);
	return 0;
}

struct kr_obs *kr_exa_obs(struct kr_exa *x) { return x->obs; }
uint64_t kr_exa_leaks(const struct kr_exa *x) { return x->leaks; }
uint64_t kr_exa_updates(const struct kr_exa *x) { return x->updates; }

const uint8_t *kr_exa_peer_open(const struct kr_exa *x, size_t *len)
{
	if (!x->open_len)
		return NULL;
	*len = x->open_len;
	return x->open;
}

void kr_exa_last_notification(const struct kr_exa *x, uint8_t *code, uint8_t *subcode)
{
	*code = x->ncode;
	*subcode = x->nsub;
}

int kr_exa_command(struct kr_exa *x, const char *line)
{
	if (x->cfd < 0)
		return -1;
	size_t n = strlen(line);
	/* Commands are short; a blocking-free send of a line either fits the
	 * socket buffer or the helper is hopelessly stuck. */
	if (send(x->cfd, line, n, MSG_NOSIGNAL) != (ssize_t)n || send(x->cfd, "\n", 1, MSG_NOSIGNAL) != 1)
		return -1;
	return 0;
}

int kr_exa_announce(struct kr_exa *x, const struct kr_prefix *p, const uint32_t *as_path, size_t n,
		    uint8_t attr_code, uint8_t attr_flags, const uint8_t *attr, size_t attr_len)
{
	size_t cap = 256 + 12 * n + 2 * attr_len;
	char *b = malloc(cap);
	if (!b)
		return -1;
	char pf[64];
	kr_prefix_format(p, pf, sizeof pf);
	size_t o = (size_t)snprintf(b, cap, "announce route %s next-hop self as-path [", pf);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(b + o, cap - o, " %u", as_path[i]);
	o += (size_t)snprintf(b + o, cap - o, " ]");
	if (attr_len) {
		o += (size_t)snprintf(b + o, cap - o, " attribute [ 0x%02x 0x%02x 0x", attr_code, attr_flags);
		kr_hex_encode(b + o, cap - o, attr, attr_len);
		o += 2 * attr_len;
		snprintf(b + o, cap - o, " ]");
	}
	int rc = kr_exa_command(x, b);
	free(b);
	return rc;
}

int kr_exa_withdraw(struct kr_exa *x, const struct kr_prefix *p)
{
	char pf[64], b[128];
	kr_prefix_format(p, pf, sizeof pf);
	snprintf(b, sizeof b, "withdraw route %s next-hop self", pf);
	return kr_exa_command(x, b);
}
