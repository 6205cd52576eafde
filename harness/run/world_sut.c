/* The SUT of a case, driven only through its profile (sut/README.md):
 * variables, rendered configuration, start, readiness and rekey. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/evloop.h"
#include "run/operator.h"
#include "run/runner.h"
#include "run/sut_exec.h"
#include "run/world_int.h"

#define BGP_PORT 179

static const enum kr_peer sut_peers[] = { KR_UP1, KR_UP2, KR_DN1, KR_DN2, KR_EXA };

int kr_w_sut_vars(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	struct kr_sut_vars *v = w->vars = kr_sut_vars_new();
	char buf[PATH_MAX + 32], a4[64], a6[64];
	if (!v || kr_sut_base_vars(w->prof, v) < 0)
		return kr_error(ctx, "cannot find the build directory");
	kr_sut_vars_set(v, "workdir", w->workdir);
	snprintf(buf, sizeof(buf), "%s/sut.log", w->sut_dir);
	kr_sut_vars_set(v, "log", buf);
	kr_sut_vars_setf(v, "asn", "%u", kr_sut_asn());
	kr_sut_vars_set(v, "policy", "reject-notvalid");
	kr_sut_vars_set(v, "rtr_host", w->rtr_addr);
	kr_sut_vars_setf(v, "rtr_port", "%u", KR_W_RTR_PORT);
	if (w->cfg.split_keys) {
		kr_sut_vars_set(v, "origin_key", kr_w_sut_key(w, "origin", 0)->pem);
		kr_sut_vars_set(v, "transit_key", kr_w_sut_key(w, "transit", 0)->pem);
	} else {
		kr_sut_vars_set(v, "shared_key", kr_w_sut_key(w, "shared", 0)->pem);
	}
	kr_sut_vars_list(v, "prefixes");
	kr_sut_vars_list(v, "peers");
	kr_sut_vars_list(v, "listen");
	/* The run's SUT originates the own prefixes of both families: every
	 * case finds its own whatever its family (world_shared.c). */
	unsigned nown = w->run ? 2 * KR_W_SHARED_OWN : w->cfg.sut_prefixes;
	for (unsigned i = 0; i < nown; i++) {
		struct kr_sut_vars *it = kr_sut_vars_add_item(v, "prefixes");
		const char *pf = w->run ? kr_w_shared_own(i) : kr_w_sut_prefix(w, i);
		if (!it || kr_sut_vars_set(it, "prefix", pf) || kr_w_prefix_vars(it, pf) < 0)
			return kr_error(ctx, "out of memory");
	}
	/* One wildcard listener inside the SUT's namespace covers every link
	 * (the namespace has no other addresses); a box has its own. */
	struct kr_sut_vars *l = kr_sut_vars_add_item(v, "listen");
	if (!l)
		return kr_error(ctx, "out of memory");
	kr_sut_vars_set(l, "addr", "0.0.0.0");
	kr_sut_vars_set(v, "kind", w->prof->kind);
	kr_sut_vars_set(v, "interface", w->prof->interface ? w->prof->interface : "");
	kr_sut_vars_list(v, "links");
	for (int r = 0; r < KR_SUT_DEV_NROLES; r++) {
		struct kr_sut_vars *it = kr_sut_vars_add_item(v, "links");
		if (!it || kr_w_link_vars(w, it, kr_sut_dev_roles[r]) < 0)
			return it ? -1 : kr_error(ctx, "out of memory");
		if (!strcmp(kr_sut_dev_roles[r], "rtr")) {
			kr_w_addr(w, KR_W_SUT_NODE, "rtr", AF_INET, a4, sizeof(a4));
			kr_sut_vars_set(v, "rtr_local_addr", a4);
		}
	}
	bool have_id = false;
	for (size_t i = 0; i < sizeof(sut_peers) / sizeof(sut_peers[0]); i++) {
		enum kr_peer p = sut_peers[i];
		const char *name = kr_peer_name(p);
		if (kr_w_addr(w, KR_W_SUT_NODE, name, AF_INET, a4, sizeof(a4)) < 0 ||
		    kr_w_addr(w, KR_W_SUT_NODE, name, AF_INET6, a6, sizeof(a6)) < 0)
			return kr_error(ctx, "topology has no sut-%s link", name);
		if (!have_id) {
			kr_sut_vars_set(v, "router_id", a4);
			have_id = true;
		}
		/* The run's SUT has exa configured for the cases that start it. */
		if (p == KR_EXA && !(w->run ? (ctx->sut->caps & KR_NEED_PLAIN_PEER) != 0 : w->cfg.exa))
			continue;
		struct kr_sut_vars *it = kr_sut_vars_add_item(v, "peers");
		if (!it || kr_w_link_vars(w, it, name) < 0)
			return it ? -1 : kr_error(ctx, "out of memory");
		char peer4[64];
		kr_w_addr(w, name, KR_W_SUT_NODE, AF_INET, peer4, sizeof(peer4));
		kr_sut_vars_set(it, "addr", peer4);
		kr_sut_vars_setf(it, "asn", "%u", kr_peer_asn(p));
		kr_sut_vars_set(it, "local_addr", a4);
		kr_sut_vars_set(it, "ipv4", "yes");
		kr_sut_vars_set(it, "ipv6", "yes");
		const char *sec = p == KR_EXA ? "" : "send receive";
		kr_sut_vars_set(it, "bgpsec_ipv4", sec);
		kr_sut_vars_set(it, "bgpsec_ipv6", sec);
		kr_sut_vars_set(it, "passive", "yes");
		kr_sut_vars_set(it, "pcount0", "");
	}
	struct kr_err err = { 0 };
	if (kr_sut_apply_options(w->prof, ctx->sut->opts, ctx->sut->nopts, v, &err) < 0)
		return kr_error(ctx, "%s", err.msg);
	return 0;
}

static int render_config(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	const struct kr_sut_profile *p = w->prof;
	if (!p->config_template)
		return 0;
	/* The template path is relative to the profile file. */
	char tpath[PATH_MAX];
	const char *slash = strrchr(ctx->sut->profile_path, '/');
	int dl = slash ? (int)(slash - ctx->sut->profile_path) : 1;
	if (p->config_template[0] == '/')
		snprintf(tpath, sizeof(tpath), "%s", p->config_template);
	else
		snprintf(tpath, sizeof(tpath), "%.*s/%s", dl, slash ? ctx->sut->profile_path : ".",
			 p->config_template);
	size_t len;
	char *tmpl = kr_read_text_file(tpath, &len);
	if (!tmpl)
		return kr_error(ctx, "cannot read config template %s: %s", tpath, strerror(errno));
	struct kr_bytes out = { 0 }, path = { 0 };
	struct kr_err err = { 0 };
	int rc = -1;
	if (kr_sut_expand(tmpl, len, tpath, w->vars, &out, &err) < 0) {
		kr_error(ctx, "%s", err.msg);
		goto done;
	}
	const char *cf = p->config_file ? p->config_file : "{workdir}/sut.conf";
	if (kr_sut_expand(cf, strlen(cf), "config-file", w->vars, &path, &err) < 0) {
		kr_error(ctx, "%s", err.msg);
		goto done;
	}
	FILE *f = fopen((char *)path.p, "w");
	if (!f || fwrite(out.p, 1, out.len, f) != out.len) {
		kr_error(ctx, "cannot write %s: %s", (char *)path.p, strerror(errno));
		if (f)
			fclose(f);
		goto done;
	}
	fclose(f);
	kr_sut_vars_set(w->vars, "config", (char *)path.p);
	snprintf(w->config_path, sizeof(w->config_path), "%s", (char *)path.p);
	kr_artifact(ctx, (char *)path.p);
	rc = 0;
done:
	free(tmpl);
	kr_bytes_free(&out);
	kr_bytes_free(&path);
	return rc;
}

/* Where the profile's commands run: in the SUT's namespace for a daemon;
 * on the harness's own side for a device (ssh, NETCONF, a vendor API). */
const char *kr_w_action_node(const struct kr_world *w)
{
	return kr_w_is_device(w) ? NULL : KR_W_SUT_NODE;
}

/* The start command as a shell line in the case folder: after
 * --keep-on-fail the SUT can be started again by hand in the kept
 * namespace (processes never outlive the harness). */
static void write_command(struct kr_world *w, char *const *argv)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/sut-command.txt", w->ctx->dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	if (kr_w_action_node(w))
		fprintf(f, "ip netns exec %s-%s ", kr_net_tag(w->net), KR_W_SUT_NODE);
	for (size_t i = 0; argv[i]; i++) {
		bool plain = argv[i][0] != 0;
		for (const char *c = argv[i]; *c; c++)
			plain &= strchr("_./=:,@%+-", *c) || (*c >= '0' && *c <= '9') ||
				 ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z');
		fputs(i ? " " : "", f);
		if (plain) {
			fputs(argv[i], f);
			continue;
		}
		fputc('\'', f);
		for (const char *c = argv[i]; *c; c++)
			if (*c == '\'')
				fputs("'\\''", f);
			else
				fputc(*c, f);
		fputc('\'', f);
	}
	fputc('\n', f);
	if (fclose(f) == 0)
		kr_artifact(w->ctx, path);
}

int kr_w_manual(struct kr_world *w, enum kr_sut_action a, const char *paste_path)
{
	struct kr_ctx *ctx = w->ctx;
	const struct kr_sut_profile *p = w->prof;
	char tname[300];
	snprintf(tname, sizeof(tname), "%s [%s]", p->file, kr_sut_action_name(a));
	struct kr_bytes text = { 0 };
	struct kr_err err = { 0 };
	if (kr_sut_expand(p->action[a], strlen(p->action[a]), tname, w->vars, &text, &err) < 0)
		return kr_error(ctx, "%s", err.msg);
	if (!ctx->opts || !ctx->opts->interactive) {
		kr_skip(ctx, "manual step (%s) in a run that is not interactive: %s", kr_sut_action_name(a),
			(char *)text.p);
		kr_bytes_free(&text);
		return -1;
	}
	size_t plen = 0;
	char *paste = paste_path ? kr_read_text_file(paste_path, &plen) : NULL;
	int64_t t0 = kr_now_ns();
	struct kr_op_step st = {
		.case_id = ctx->c ? ctx->c->id : NULL, .action = kr_sut_action_name(a),
		.instruction = (char *)text.p, .paste = paste, .paste_path = paste_path,
		.deadline_ns = t0 + p->confirm_timeout_s * 1000000000LL,
	};
	kr_log(ctx, "operator step %s: %s", st.action, st.instruction);
	enum kr_op_answer ans = kr_operator_ask(ctx->loop, STDIN_FILENO, stderr, &st);
	free(paste);
	int rc = 0;
	switch (ans) {
	case KR_OP_DONE:
		kr_log(ctx, "operator confirmed %s after %.3f s", st.action, kr_ns_to_s(kr_now_ns() - t0));
		break;
	case KR_OP_SKIP:
		rc = kr_skip(ctx, "the operator skipped the manual step (%s): %s", st.action, st.instruction);
		break;
	case KR_OP_TIMEOUT:
	case KR_OP_EOF:
		rc = kr_skip(ctx, "no operator answer (%s) within %ld s to the manual step (%s): %s",
			     kr_op_answer_name(ans), p->confirm_timeout_s, st.action, st.instruction);
		break;
	case KR_OP_ERROR:
		rc = kr_error(ctx, "interrupted while waiting for the operator");
		break;
	}
	kr_bytes_free(&text);
	return rc;
}

/* Polls the ready action until it exits 0 or the deadline. */
static int wait_ready(struct kr_world *w, int64_t deadline)
{
	struct kr_ctx *ctx = w->ctx;
	struct kr_err err = { 0 };
	for (;;) {
		int ec = kr_sut_run_action(w->net, kr_w_action_node(w), w->prof, KR_SUT_READY, w->vars, NULL, ctx->loop,
					   deadline, &err);
		if (ec == 0)
			return 0;
		if (w->sut && !kr_w_is_device(w) && (kr_proc_poll(w->sut) || w->health.broken))
			return kr_w_sut_ended_at_start(w);
		if (kr_now_ns() > deadline)
			return kr_error(ctx, "the SUT's ready action never succeeded: %s",
					ec < 0 ? err.msg : "non-zero exit");
		kr_loop_run_until(ctx->loop, NULL, NULL, kr_now_ns() + 20000000);
	}
}

static bool proc_done(void *arg)
{
	return kr_proc_poll(arg);
}

/* A device's start may be a one-shot configuration command (done when it
 * exits 0) or keep running (a console session, an emulator): ready is
 * then the `ready` action, or at once without one. */
static int device_started(struct kr_world *w, int64_t deadline)
{
	struct kr_ctx *ctx = w->ctx;
	bool has_ready = w->prof->action[KR_SUT_READY] && !w->prof->manual[KR_SUT_READY];
	if (!has_ready) {
		/* Give a one-shot command the time to finish. */
		kr_loop_run_until(ctx->loop, proc_done, w->sut, kr_now_ns() + 200000000);
	} else if (wait_ready(w, deadline) < 0) {
		return -1;
	}
	if (!kr_proc_poll(w->sut))
		return 0;
	char why[128];
	struct kr_proc_status st = kr_proc_status(w->sut);
	if (st.state != KR_PROC_EXITED || st.code != 0)
		return kr_error(ctx, "the device's start action %s (see sut.out)",
				kr_proc_status_str(w->sut, why, sizeof(why)));
	kr_log(ctx, "start action done (exit 0)");
	kr_proc_free(w->sut);
	w->sut = NULL;
	return 0;
}

/* A SUT keeps state in its workdir across restarts (its keys after a
 * rekey); a case folder reused by an earlier run must not hand that on. */
static int empty_workdir(struct kr_world *w)
{
	DIR *d = opendir(w->workdir);
	if (!d)
		return kr_error(w->ctx, "cannot open %s: %s", w->workdir, strerror(errno));
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)))
		if (e->d_type != DT_DIR && unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			rc = kr_error(w->ctx, "cannot remove %s/%s: %s", w->workdir, e->d_name, strerror(errno));
	closedir(d);
	return rc;
}

static int launch(struct kr_world *w);

int kr_w_sut_start(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	if (mkdir(w->workdir, 0755) < 0 && errno != EEXIST)
		return kr_error(ctx, "cannot create %s: %s", w->workdir, strerror(errno));
	if (empty_workdir(w) < 0 || kr_w_sut_vars(w) < 0 || render_config(w) < 0)
		return -1;
	return launch(w);
}

/* Start the SUT from its rendered configuration and wait until it is
 * ready (first start, and restarts). */
static int launch(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	bool device = kr_w_is_device(w);
	int64_t t = kr_now_ns();
	int64_t deadline = t + kr_sut_cap_int(w->prof, "startup_ms", 5000) * 1000000LL + 1000000000LL;
	if (w->prof->manual[KR_SUT_START]) {
		/* The operator gets the rendered configuration to paste. */
		if (kr_w_manual(w, KR_SUT_START, w->config_path[0] ? w->config_path : NULL) < 0)
			return -1;
		kr_log(ctx, "SUT started by the operator");
		return 0;
	}
	char **argv;
	struct kr_err err = { 0 };
	if (kr_sut_argv(w->prof, KR_SUT_START, w->vars, &argv, &err) < 0)
		return kr_error(ctx, "%s", err.msg);
	char log[PATH_MAX + 16];
	if (w->sut_starts++)
		snprintf(log, sizeof(log), "%s/sut-%u.out", w->sut_dir, w->sut_starts);
	else
		snprintf(log, sizeof(log), "%s/sut.out", w->sut_dir);
	struct kr_proc_opts o = { .node = kr_w_action_node(w), .argv = (const char *const *)argv, .log = log };
	w->sut = kr_proc_start(w->net, &o, &err);
	kr_log(ctx, "SUT started: %s ...", argv[0]);
	if (w->sut_starts == 1)
		write_command(w, argv);
	free(argv);
	if (!w->sut)
		return kr_error(ctx, "starting the SUT: %s", err.msg);
	kr_artifact(ctx, log);
	/* A device's start command may well end (a one-shot configuration):
	 * only a daemon's end is a breakdown. */
	if (!device && kr_w_health_watch_sut(w) < 0)
		return -1;
	if (w->sut_starts == 1) {
		char sutlog[PATH_MAX + 16];
		snprintf(sutlog, sizeof(sutlog), "%s/sut.log", w->sut_dir);
		kr_artifact(ctx, sutlog);
	}
	if (device) {
		if (device_started(w, deadline) < 0)
			return -1;
	} else {
		kr_expect(ctx, "the SUT starts and accepts BGP sessions on TCP %u", BGP_PORT);
		int rc = kr_proc_wait_port(w->sut, BGP_PORT, deadline, &err);
		if (rc < 0)
			return kr_w_sut_ended_at_start(w);
		if (rc == 0)
			return kr_error(ctx, "the SUT does not listen on TCP %u: %s", BGP_PORT, err.msg);
		if (w->prof->action[KR_SUT_READY] && !w->prof->manual[KR_SUT_READY] && wait_ready(w, deadline) < 0)
			return -1;
	}
	kr_log(ctx, "SUT ready after %.3f s", kr_ns_to_s(kr_now_ns() - t));
	return 0;
}

int kr_w_sut_rekey(struct kr_world *w, const char *role, struct kr_wkey *key, unsigned stagger_ms)
{
	struct kr_ctx *ctx = w->ctx;
	if (!w->prof->action[KR_SUT_REKEY])
		return kr_skip(ctx, "the harness cannot rekey the SUT: profile %s has no 'rekey' action",
			       w->prof->name);
	/* One shared key serves both roles; profiles name the roles origin
	 * and transit only (sut/README.md). */
	char ski[2 * KR_SKI_LEN + 1];
	kr_hex_encode(ski, sizeof(ski), kr_wkey_ski(key), KR_SKI_LEN);
	kr_sut_vars_set(w->vars, "role", strcmp(role, "shared") ? role : "origin");
	kr_sut_vars_set(w->vars, "key", key->pem);
	kr_sut_vars_set(w->vars, "ski", ski);
	kr_sut_vars_setf(w->vars, "stagger_ms", "%u", stagger_ms);
	kr_log(ctx, "step 3: rekey the SUT's %s key to %s (stagger %u ms)", role, key->name, stagger_ms);
	if (w->prof->manual[KR_SUT_REKEY])
		return kr_w_manual(w, KR_SUT_REKEY, NULL) < 0 ? -1 : kr_w_sut_rekeyed(w, role, key);
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/sut-rekey.log", ctx->dir);
	struct kr_err err = { 0 };
	int ec = kr_sut_run_action(w->net, kr_w_action_node(w), w->prof, KR_SUT_REKEY, w->vars, log,
				   ctx->loop, kr_now_ns() + 10000000000LL, &err);
	kr_artifact(ctx, log);
	if (ec < 0)
		return kr_error(ctx, "rekey action: %s", err.msg);
	if (ec != 0)
		return kr_error(ctx, "rekey action exited with code %d (see %s)", ec, log);
	return kr_w_sut_rekeyed(w, role, key);
}

/* The profile's stop command, when it has one the harness can run:
 * 1 it ran (exit 0), 0 none, -1 it failed (logged). */
static int stop_action(struct kr_world *w)
{
	if (!w->vars || !w->prof->action[KR_SUT_STOP] || w->prof->manual[KR_SUT_STOP])
		return 0;
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/sut-stop.log", w->ctx->dir);
	struct kr_err err = { 0 };
	int ec = kr_sut_run_action(w->net, kr_w_action_node(w), w->prof, KR_SUT_STOP, w->vars, log, w->ctx->loop,
				   kr_now_ns() + 10000000000LL, &err);
	if (ec != 0)
		kr_log(w->ctx, "stop action: %s", ec < 0 ? err.msg : "non-zero exit");
	kr_artifact(w->ctx, log);
	return ec == 0 ? 1 : -1;
}

void kr_w_sut_stop(struct kr_world *w)
{
	stop_action(w);
	kr_proc_free(w->sut);
	w->sut = NULL;
}

/* ---- restarts ------------------------------------------------------------- */

static bool all_down(void *arg)
{
	struct kr_world *w = arg;
	for (int p = KR_UP1; p <= KR_DN2; p++)
		if (w->sp[p] && kr_bgp_session_established(kr_speaker_session(w->sp[p])))
			return false;
	return true;
}

int kr_w_sut_halt(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	/* A device restarts through its stop and start commands; one whose
	 * start ended (a one-shot configuration) needs a stop command. */
	bool device = kr_w_is_device(w);
	bool stop_cmd = w->prof->action[KR_SUT_STOP] && !w->prof->manual[KR_SUT_STOP];
	if (!kr_sut_cap_bool(w->prof, "restart", false) || w->prof->manual[KR_SUT_START] ||
	    (device && !w->sut && !stop_cmd))
		return kr_skip(ctx, "the harness cannot restart the SUT (profile capability restart)");
	char st[128] = "stopped";
	if (!device && (!w->sut || !kr_w_sut_alive(w, st, sizeof(st))))
		return kr_error(ctx, "the SUT is not running");
	/* Every session and the RTR connection go down with it. */
	kr_w_expect_down(w, (1u << KR_UP1) | (1u << KR_UP2) | KR_ALL_DOWN, true);
	int64_t t = kr_now_ns();
	/* its stop command, or SIGTERM; SIGKILL 5 s later */
	if (stop_action(w) == 1 && w->sut && kr_proc_wait_exit(w->sut, kr_now_ns() + 10000000000LL) != 1)
		kr_log(ctx, "the SUT still runs 10 s after its stop action");
	if (w->sut) {
		kr_proc_stop(w->sut, 5000000000LL);
		kr_proc_status_str(w->sut, st, sizeof(st));
		kr_proc_free(w->sut);
		w->sut = NULL;
	}
	w->sut_halted = true;
	kr_log(ctx, "SUT stopped in %.3f s (%s)", kr_ns_to_s(kr_now_ns() - t), st);
	/* the harness peers take note of the drops now, not after the restart */
	if (kr_w_run_until(w, all_down, w, kr_now_ns() + 2000000000LL) < 0)
		return -1;
	return 0;
}

static bool all_up(void *arg)
{
	struct kr_world *w = arg;
	for (int p = KR_UP1; p <= KR_DN2; p++)
		if (w->sp[p] && !kr_bgp_session_established(kr_speaker_session(w->sp[p])))
			return false;
	return true;
}

int kr_w_sut_restart(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	if (w->sut)
		return kr_error(ctx, "the SUT is still running");
	int64_t t = kr_now_ns();
	if (launch(w) < 0)
		return -1;
	w->sut_halted = false;
	/* The harness peers connect again (the SUT accepts sessions now). */
	struct kr_err err = { 0 };
	for (int p = KR_UP1; p <= KR_DN2; p++)
		if (w->sp[p] && kr_speaker_start(w->sp[p], &err) < 0)
			return kr_error(ctx, "%s: %s", kr_peer_name(p), err.msg);
	int64_t dl = kr_w_deadline(w, KR_W_ANNOUNCE) + 1000000000LL; /* + one connect retry */
	int rc = kr_w_run_until(w, all_up, w, dl);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		kr_expect(ctx, "the restarted SUT accepts every session again within %.2f s", kr_ns_to_s(dl - t));
		return kr_fail(ctx, "some session is not Established");
	}
	kr_w_expect_up(w);
	/* Its RTR client starts over: a new connection, synchronised. */
	if (w->rtr_deferred) {
		kr_log(ctx, "RTR: the cache's answers are deferred: routes come before keys");
	} else if (w->srtr) {
		if (kr_w_rtr_barrier(w) < 0)
			return -1;
	} else {
		rc = kr_w_rtr_wait_reconnected(w, t);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			kr_expect(ctx, "the restarted SUT's RTR client connects and synchronises within %.2f s",
				  kr_w_deadline_s(w, KR_W_RTR));
			return kr_fail(ctx, "no synchronised RTR connection from the SUT");
		}
	}
	kr_log(ctx, "SUT back after %.3f s: sessions up%s", kr_ns_to_s(kr_now_ns() - t),
	       w->rtr_deferred ? "" : ", RTR synchronised");
	if (kr_w_resend(w, KR_UP1) < 0 || kr_w_resend(w, KR_UP2) < 0)
		return -1;
	return 0;
}

int kr_w_sut_rekeyed(struct kr_world *w, const char *role, struct kr_wkey *key)
{
	/* The run's SUT carries this key into the next case. */
	int i = kr_w_sut_role(role);
	if (w->run && i >= 0)
		snprintf(w->run->key_pem[i], sizeof(w->run->key_pem[i]), "%s", key->pem);
	return 0;
}
