/* keyroll rtr serve: the RTR cache as a standalone server fed from an
 * rpki-client JSON file; SIGHUP rereads it, sends the delta as a new
 * serial and notifies the routers. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/cli.h"
#include "net/proc.h"
#include "rpki/rtr_cache.h"
#include "rpki/rtr_json.h"
#include "rpki/stayrtr.h"

const char kr_cmd_rtr_help[] =
	"serve --listen ADDR:PORT --keys FILE [--refresh S --retry S --expire S --session N --version 0|1 "
	"--transcript FILE --notify-interval S (60)] | stayrtr --listen ADDR:PORT --metrics ADDR:PORT --keys FILE [--refresh S --retry S "
	"--expire S]  -- RTR cache (RFC 8210, built in or StayRTR) serving an rpki-client JSON file; SIGHUP reloads it";

struct serve {
	struct kr_loop *loop;
	struct kr_rtr_cache *cache;
	struct kr_stayrtr *stay;
	const char *keys;
	int sfd;
	bool child_died;
};

static int reload_stayrtr(struct serve *s, bool first)
{
	struct kr_rtr_set set = { 0 };
	struct kr_err err = { 0 };
	if (kr_rtr_json_load(s->keys, &set, &err)) {
		fprintf(stderr, "keyroll rtr: %s%s\n", err.msg, first ? "" : "; keeping the last good set");
		return -1;
	}
	int rc = 0;
	if (!first && kr_stayrtr_replace(s->stay, &set, &err)) {
		fprintf(stderr, "keyroll rtr: %s; keeping the last good set\n", err.msg);
		rc = -1;
	} else if (!first) {
		fprintf(stderr, "keyroll rtr: reloaded %s: %zu keys, %zu prefixes handed to StayRTR\n", s->keys,
			set.nkeys, set.nvrps);
	}
	kr_rtr_set_free(&set);
	return rc;
}

static int reload(struct serve *s, bool first)
{
	struct kr_rtr_set set = { 0 };
	struct kr_err err = { 0 };
	if (kr_rtr_json_load(s->keys, &set, &err)) {
		if (first)
			fprintf(stderr, "keyroll rtr: %s\n", err.msg);
		else
			fprintf(stderr, "keyroll rtr: %s; keeping the last good set (serial %u, %zu keys, %zu prefixes)\n",
				err.msg, kr_rtr_serial(s->cache), kr_rtr_key_count(s->cache), kr_rtr_vrp_count(s->cache));
		return -1;
	}
	long n = kr_rtr_replace(s->cache, &set);
	kr_rtr_set_free(&set);
	if (n < 0) {
		fprintf(stderr, "keyroll rtr: %s: out of memory; keeping the last good set\n", s->keys);
		return -1;
	}
	fprintf(stderr, "keyroll rtr: %s %s: %ld changes, serial %u, %zu keys, %zu prefixes\n",
		first ? "loaded" : "reloaded", s->keys, n, kr_rtr_serial(s->cache), kr_rtr_key_count(s->cache),
		kr_rtr_vrp_count(s->cache));
	return 0;
}

static void on_signal(struct kr_loop *l, int fd, unsigned ev, void *arg)
{
	struct serve *s = arg;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP && s->stay)
			reload_stayrtr(s, false);
		else if (si.ssi_signo == SIGHUP)
			reload(s, false);
		else
			kr_loop_stop(l);
	}
}

static unsigned long num(const char *opt, const char *v, unsigned long max, bool *bad)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n > max) {
		fprintf(stderr, "keyroll rtr: %s: '%s' is not a number up to %lu\n", opt, v, max);
		*bad = true;
	}
	return n;
}

static int usage(int rc)
{
	fprintf(rc ? stderr : stdout, "usage: keyroll rtr %s\n", kr_cmd_rtr_help);
	return rc;
}

static int serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, 0, 'l' }, { "keys", required_argument, 0, 'k' },
		{ "refresh", required_argument, 0, 'r' }, { "retry", required_argument, 0, 't' },
		{ "expire", required_argument, 0, 'e' }, { "session", required_argument, 0, 's' },
		{ "version", required_argument, 0, 'v' }, { "transcript", required_argument, 0, 'x' },
		{ "notify-interval", required_argument, 0, 'n' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	/* Standalone default: at most one Serial Notify per minute (RFC 8210 §8.2). */
	struct kr_rtr_cache_cfg cfg = { .max_version = 1, .notify_interval_ms = 60000 };
	const char *listen_at = NULL, *keys = NULL, *tx = NULL;
	bool bad = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l': listen_at = optarg; break;
		case 'k': keys = optarg; break;
		case 'r': cfg.refresh = (uint32_t)num("--refresh", optarg, 86400, &bad); break;
		case 't': cfg.retry = (uint32_t)num("--retry", optarg, 7200, &bad); break;
		case 'e': cfg.expire = (uint32_t)num("--expire", optarg, 172800, &bad); break;
		case 's': cfg.session_id = (uint16_t)num("--session", optarg, 65535, &bad); break;
		case 'v': cfg.max_version = (uint8_t)num("--version", optarg, 1, &bad); break;
		case 'x': tx = optarg; break;
		case 'n': cfg.notify_interval_ms = (unsigned)num("--notify-interval", optarg, 3600, &bad) * 1000; break;
		case 'h': return usage(KR_EXIT_OK);
		default: return usage(KR_EXIT_ERROR);
		}
	}
	if (bad || !listen_at || !keys || optind != argc)
		return usage(KR_EXIT_ERROR);
	FILE *txf = NULL;
	if (tx && !(txf = fopen(tx, "w"))) {
		fprintf(stderr, "keyroll rtr: %s: %s\n", tx, strerror(errno));
		return KR_EXIT_ERROR;
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	struct serve s = { .keys = keys, .sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC) };
	s.loop = kr_loop_new();
	s.cache = s.loop ? kr_rtr_cache_new(s.loop, &cfg) : NULL;
	int rc = KR_EXIT_ERROR;
	struct kr_err err = { 0 };
	if (!s.cache || s.sfd < 0) {
		fprintf(stderr, "keyroll rtr: cannot set up the event loop\n");
		goto out;
	}
	if (txf)
		kr_rtr_transcript_enable(s.cache, false, txf);
	if (reload(&s, true))
		goto out;
	if (kr_rtr_cache_listen(s.cache, listen_at, &err)) {
		fprintf(stderr, "keyroll rtr: %s\n", err.msg);
		goto out;
	}
	kr_loop_add_fd(s.loop, s.sfd, KR_EV_READ, on_signal, &s);
	fprintf(stderr, "keyroll rtr: serving %s on %s (session %u)\n", keys, listen_at, kr_rtr_session(s.cache));
	kr_loop_run_until(s.loop, NULL, NULL, INT64_MAX);
	rc = KR_EXIT_OK;
out:
	if (s.sfd >= 0) {
		if (s.loop)
			kr_loop_del_fd(s.loop, s.sfd);
		close(s.sfd);
	}
	kr_rtr_cache_free(s.cache);
	kr_loop_free(s.loop);
	if (txf)
		fclose(txf);
	return rc;
}

static void on_child_end(struct kr_proc *p, void *arg)
{
	struct serve *s = arg;
	char b[96];
	fprintf(stderr, "keyroll rtr: stayrtr %s (log: %s)\n", kr_proc_status_str(p, b, sizeof b),
		kr_stayrtr_log_path(s->stay));
	s->child_died = true;
	kr_loop_stop(s->loop);
}

static int stayrtr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, 0, 'l' }, { "metrics", required_argument, 0, 'm' },
		{ "keys", required_argument, 0, 'k' },	 { "refresh", required_argument, 0, 'r' },
		{ "retry", required_argument, 0, 't' },	 { "expire", required_argument, 0, 'e' },
		{ "help", no_argument, 0, 'h' },	 { 0, 0, 0, 0 },
	};
	struct kr_stayrtr_opts so = { 0 };
	const char *keys = NULL;
	bool bad = false;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l': so.listen = optarg; break;
		case 'm': so.metrics = optarg; break;
		case 'k': keys = optarg; break;
		case 'r': so.rtr_refresh = (unsigned)num("--refresh", optarg, 86400, &bad); break;
		case 't': so.rtr_retry = (unsigned)num("--retry", optarg, 7200, &bad); break;
		case 'e': so.rtr_expire = (unsigned)num("--expire", optarg, 172800, &bad); break;
		case 'h': return usage(KR_EXIT_OK);
		default: return usage(KR_EXIT_ERROR);
		}
	}
	if (bad || !so.listen || !so.metrics || !keys || optind != argc)
		return usage(KR_EXIT_ERROR);
	char dir[] = "/tmp/keyroll-stayrtr.XXXXXX";
	if (!mkdtemp(dir)) {
		fprintf(stderr, "keyroll rtr: mkdtemp: %s\n", strerror(errno));
		return KR_EXIT_ERROR;
	}
	so.dir = dir;
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	struct serve s = { .keys = keys, .sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC) };
	s.loop = kr_loop_new();
	struct kr_rtr_set set = { 0 };
	struct kr_err err = { 0 };
	int rc = KR_EXIT_ERROR;
	if (!s.loop || s.sfd < 0) {
		fprintf(stderr, "keyroll rtr: cannot set up the event loop\n");
		goto out;
	}
	if (kr_rtr_json_load(keys, &set, &err)) {
		fprintf(stderr, "keyroll rtr: %s\n", err.msg);
		goto out;
	}
	s.stay = kr_stayrtr_start(&so, &set, kr_now_ns() + 10000000000LL, &err);
	kr_rtr_set_free(&set);
	if (!s.stay) {
		fprintf(stderr, "keyroll rtr: stayrtr: %s\n", err.msg);
		goto out;
	}
	kr_loop_add_fd(s.loop, s.sfd, KR_EV_READ, on_signal, &s);
	kr_proc_watch(s.loop, kr_stayrtr_proc(s.stay), on_child_end, &s);
	fprintf(stderr, "keyroll rtr: stayrtr serving %s on %s (metrics %s)\n", keys, so.listen, so.metrics);
	kr_loop_run_until(s.loop, NULL, NULL, INT64_MAX);
	rc = s.child_died ? KR_EXIT_ERROR : KR_EXIT_OK;
out:
	kr_stayrtr_stop(s.stay);
	if (s.sfd >= 0) {
		if (s.loop)
			kr_loop_del_fd(s.loop, s.sfd);
		close(s.sfd);
	}
	kr_loop_free(s.loop);
	char p[600];
	snprintf(p, sizeof p, "%s/stayrtr-cache.json", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/stayrtr.log", dir);
	unlink(p);
	rmdir(dir);
	return rc;
}

int kr_cmd_rtr(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "stayrtr"))
		return stayrtr(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(KR_EXIT_OK);
	return usage(KR_EXIT_ERROR);
}
