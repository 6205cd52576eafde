/* build/refspeaker: the reference BGPsec speaker.
 *   refspeaker -c CONF [--log FILE] [--fault NAME]... [--policy P] [--check]
 *   refspeaker ctl SOCK ping | show | rekey origin|transit KEY.pem [--stagger-ms N]
 *   refspeaker --version | --list-faults */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "rs_faults.h"
#include "rs_speaker.h"

#define RS_VERSION "refspeaker 0.1 (keyroll reference BGPsec speaker)"

void rs_log(const char *fmt, ...)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char line[1024];
	int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld refspeaker: ", tm.tm_hour,
			 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: refspeaker -c CONF [--log FILE] [--fault NAME]... [--policy reject-notvalid|"
		"keep-lower-pref] [--check]\n"
		"       refspeaker ctl SOCK ping | show | rekey origin|transit KEY.pem [--stagger-ms N]\n"
		"       refspeaker --version | --list-faults\n");
	return 2;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 20;
	char *b = malloc(cap);
	*len = b ? fread(b, 1, cap, f) : 0;
	fclose(f);
	return b;
}

static void on_signal(struct kr_loop *l, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof si) == sizeof si)
		rs_log("signal %u: stopping", si.ssi_signo);
	kr_loop_stop(l);
}

bool rs_log_route(struct rs_speaker *sp)
{
	if (sp->st.route_log_lines == RS_ROUTE_LOG_LINES)
		rs_log("(one line per route stops after %d lines; `ctl show` has the counters)", RS_ROUTE_LOG_LINES);
	return sp->st.route_log_lines++ < RS_ROUTE_LOG_LINES;
}

static unsigned threads_opt;

static int run(struct rs_speaker *sp, const char *ctl_override)
{
	struct kr_err e;
	kr_err_clear(&e);
	int rc = 1, sfd = -1;
	sp->loop = kr_loop_new();
	struct rs_addr addrs[RS_MAX_PEERS];
	for (size_t i = 0; i < sp->cfg.npeers; i++)
		addrs[i] = sp->cfg.peers[i].addr;
	sp->rib = rs_rib_new(sp->cfg.npeers, addrs);
	sp->keytab = kr_keytab_new();
	sp->cc = kr_crypto_ctx_new();
	sp->u = malloc(sizeof *sp->u);
	sp->uv = malloc(sizeof *sp->uv);
	sp->bp = malloc(sizeof *sp->bp);
	sp->store = malloc(sizeof *sp->store);
	sp->urx = malloc(sizeof *sp->urx);
	if (!sp->loop || !sp->rib || !sp->keytab || !sp->cc || !sp->u || !sp->uv || !sp->bp ||
	    !sp->store || !sp->urx) {
		rs_log("out of memory");
		goto out;
	}
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	/* RTRlib's threads inherit this mask, so signals reach the signalfd */
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	/* after the mask: the workers inherit it, so no signal lands on them */
	sp->work = rs_work_new(sp->loop, threads_opt, rs_on_progress, sp);
	if (!sp->work) {
		rs_log("cannot start the crypto threads");
		goto out;
	}
	if (sfd < 0 || kr_loop_add_fd(sp->loop, sfd, KR_EV_READ, on_signal, NULL) < 0) {
		rs_log("signalfd: %s", strerror(errno));
		goto out;
	}
	if (rs_keys_load(sp, &e) < 0) {
		rs_log("keys: %s", e.msg);
		goto out;
	}
	for (size_t i = 0; i < sp->cfg.nprefixes; i++) {
		struct rs_dest *d = rs_rib_get(sp->rib, &sp->cfg.prefixes[i], true);
		if (!d)
			goto out;
		d->local = true;
		rs_rib_decide(sp->rib, d, sp->cfg.policy);
	}
	if (sp->cfg.has_rtr && !(sp->rtr = rs_rtr_start(sp, &e))) {
		rs_log("%s", e.msg);
		goto out;
	}
	if (rs_peers_start(sp, &e) < 0) {
		rs_log("%s", e.msg);
		goto out;
	}
	/* last: a successful `ctl ping` means sessions are accepted */
	const char *ctl = ctl_override ? ctl_override : sp->cfg.ctl;
	if (*ctl && !(sp->ctl = rs_ctl_start(sp, ctl, &e))) {
		rs_log("%s", e.msg);
		goto out;
	}
	rs_log("running: AS %u, %zu peer(s), %zu prefix(es), policy %s, %u crypto thread(s)%s%s", sp->cfg.asn,
	       sp->cfg.npeers, sp->cfg.nprefixes, rs_policy_name(sp->cfg.policy), rs_work_threads(sp->work),
	       *rs_fault_active() ? ", FAULT " : "", rs_fault_active());
	kr_loop_run_until(sp->loop, NULL, NULL, INT64_MAX);
	rc = 0;
out:
	rs_walks_free(sp);
	/* sessions first: what their ends queue is dropped by the drain */
	rs_peers_stop(sp);
	rs_work_free(sp->work);
	rs_out_pool_free(sp);
	sp->work = NULL;
	rs_rtr_stop(sp->rtr);
	rs_ctl_stop(sp->ctl);
	rs_keys_free(sp);
	rs_rib_free(sp->rib);
	kr_keytab_free(sp->keytab);
	kr_crypto_ctx_free(sp->cc);
	free(sp->rkeys);
	free(sp->u);
	free(sp->uv);
	free(sp->bp);
	free(sp->store);
	free(sp->urx);
	if (sfd >= 0) {
		kr_loop_del_fd(sp->loop, sfd);
		close(sfd);
	}
	kr_loop_free(sp->loop);
	rs_log("stopped");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ctl"))
		return rs_ctl_client(argc - 1, argv + 1);
	const char *conf = NULL, *logf = NULL, *policy = NULL, *ctl = NULL;
	bool check = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--version")) {
			printf("%s\n", RS_VERSION);
			return 0;
		} else if (!strcmp(a, "--list-faults")) {
			for (size_t k = 0; rs_fault_name(k); k++)
				printf("%s\n", rs_fault_name(k));
			return 0;
		} else if (!strcmp(a, "-c") && more) {
			conf = argv[++i];
		} else if (!strcmp(a, "--log") && more) {
			logf = argv[++i];
		} else if (!strcmp(a, "--ctl") && more) {
			ctl = argv[++i];
		} else if (!strcmp(a, "--policy") && more) {
			policy = argv[++i];
		} else if (!strcmp(a, "--fault") && more) {
			if (rs_fault_enable(argv[++i]) < 0) {
				fprintf(stderr, "refspeaker: unknown fault '%s' (see --list-faults)\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--threads") && more) {
			threads_opt = (unsigned)atoi(argv[++i]);
		} else if (!strcmp(a, "--check")) {
			check = true;
		} else {
			return usage();
		}
	}
	if (!conf)
		return usage();
	size_t len;
	char *text = slurp(conf, &len);
	if (!text) {
		fprintf(stderr, "refspeaker: %s: %s\n", conf, strerror(errno));
		return 2;
	}
	static struct rs_speaker sp;
	struct kr_err e;
	kr_err_clear(&e);
	int r = rs_config_parse(&sp.cfg, text, len, conf, &e);
	free(text);
	if (r < 0) {
		fprintf(stderr, "refspeaker: %s\n", e.msg);
		return 2;
	}
	if (policy && rs_policy_parse(policy, &sp.cfg.policy) < 0) {
		fprintf(stderr, "refspeaker: --policy: unknown policy '%s'\n", policy);
		return 2;
	}
	if (check)
		return 0;
	if (logf) {
		/* everything, RTRlib's chatter on stdout/stderr included, goes to the log */
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "refspeaker: %s: %s\n", logf, strerror(errno));
			return 2;
		}
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	return run(&sp, ctl) ? 1 : 0;
}
