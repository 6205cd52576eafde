/* One SUT for the whole run (world.h, sut/README.md "One SUT for the
 * run"). The topology (with a device's lab interface), the RTR cache and
 * the SUT outlive the cases; keys, peers, observers, ExaBGP and captures
 * are the case's own, as with a SUT per case.
 *
 * Between cases, through the wire only:
 *  - at the end of a case the upstreams up1/up2 close their sessions and
 *    the observers must then see the SUT withdraw every route but its own
 *    (RFC 4271 §9.1.3: routes of a closed session are gone); a route still
 *    there is a leak;
 *  - the next case's RTR data reach the SUT as a new session id on the
 *    same connection (RFC 8210 §5.1: the router flushes and reloads), with
 *    the SUT's own current key(s) carried over;
 *  - fresh peers establish, and the observers must then hold the SUT's own
 *    prefixes signed with the key it is known to use, and nothing else.
 * A leak, a crash, a case that needs its own SUT (kr_case.own_sut) or a key
 * configuration the running SUT does not have (split vs shared key) makes
 * the harness start the SUT afresh; for a `manual:` start the operator is
 * asked (once per such event, not per case). When the SUT cannot be
 * started again, the case is an ERROR naming what leaked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/capture.h"
#include "net/evloop.h"
#include "run/exabgp.h"
#include "run/observer.h"
#include "run/runner.h"
#include "run/world_int.h"

static const char *const sut_roles[KR_W_SUT_ROLES] = { "shared", "origin", "transit" };

int kr_w_sut_role(const char *role)
{
	for (int i = 0; i < KR_W_SUT_ROLES; i++)
		if (!strcmp(role, sut_roles[i]))
			return i;
	return -1;
}

struct kr_world_run *kr_world_run_new(struct kr_loop *loop, const char *run_dir)
{
	struct kr_world_run *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->loop = loop;
	snprintf(r->run_dir, sizeof(r->run_dir), "%s", run_dir);
	return r;
}

unsigned kr_world_run_starts(const struct kr_world_run *r)
{
	return r ? r->starts : 0;
}

static void run_sut_stop(struct kr_world_run *r)
{
	kr_proc_free(r->sut);
	r->sut = NULL;
	r->sut_up = false;
	for (int i = 0; i < KR_W_SUT_ROLES; i++)
		r->key_pem[i][0] = 0;
}

void kr_world_run_free(struct kr_world_run *r, bool keep)
{
	if (!r)
		return;
	run_sut_stop(r);
	kr_rtr_cache_free(r->rtr);
	kr_sut_vars_free(r->vars);
	if (r->net) {
		if (keep || r->keep)
			kr_net_release(r->net);
		else
			kr_net_free(r->net);
	}
	free(r);
}

/* ---- the SUT's own prefixes --------------------------------------------- */

static bool is_own(const struct kr_prefix *p)
{
	for (unsigned i = 0; i < 2 * KR_W_SHARED_OWN; i++) {
		struct kr_prefix q;
		if (kr_prefix_parse(&q, kr_w_shared_own(i)) == 0 && kr_prefix_eq(&q, p))
			return true;
	}
	return false;
}

const char *kr_w_shared_own(unsigned i)
{
	return kr_w_own_prefix(i < KR_W_SHARED_OWN ? 4 : 6, i % KR_W_SHARED_OWN);
}

/* "dn1: present, SUT SKI 1A2B3C4D; dn2: absent" for messages. */
static void describe(struct kr_world *w, const char *prefix, char *out, size_t outsz)
{
	size_t off = 0;
	out[0] = 0;
	for (int d = KR_DN1; d <= KR_DN2; d++) {
		struct kr_wroute rt;
		char ski[16] = "-";
		if (kr_w_route(w, (enum kr_peer)d, prefix, &rt) < 0)
			return;
		if (rt.bgpsec)
			kr_hex_encode(ski, sizeof(ski), rt.sut_ski, 4);
		int k = snprintf(out + off, outsz - off, "%s%s: %s%s%s", off ? "; " : "", kr_peer_name((enum kr_peer)d),
				 rt.present ? "present" : "absent", rt.present ? ", SUT SKI " : "", rt.present ? ski : "");
		if (k > 0 && (size_t)k < outsz - off)
			off += (size_t)k;
	}
}

static bool announced_before(const struct kr_obs_route *rt, int64_t t)
{
	for (size_t j = 0; j < rt->nhist; j++)
		if (rt->hist[j].kind == KR_OBS_ANNOUNCE && rt->hist[j].t < t)
			return true;
	return false;
}

/* Routes present at the observers that are not the SUT's own (with
 * before: only those announced before that time, i.e. in the SUT's
 * initial table to the case's fresh observers), as "P at dn1, ...". */
static size_t strays(struct kr_world *w, int64_t before, char *out, size_t outsz)
{
	size_t n = 0, off = 0;
	out[0] = 0;
	for (int d = KR_DN1; d < KR_NPEERS; d++) {
		struct kr_obs *o = kr_w_obs(w, (enum kr_peer)d);
		for (size_t i = 0; o && i < kr_obs_count(o); i++) {
			const struct kr_obs_route *rt = kr_obs_at(o, i);
			if (!rt->present || is_own(&rt->pfx) || (before && !announced_before(rt, before)))
				continue;
			char ps[64];
			kr_prefix_format(&rt->pfx, ps, sizeof(ps));
			n++;
			int k = snprintf(out + off, outsz - off, "%s%s at %s", off ? ", " : "", ps,
					 kr_peer_name((enum kr_peer)d));
			if (k > 0 && (size_t)k < outsz - off)
				off += (size_t)k;
		}
	}
	return n;
}

struct stray_wait {
	struct kr_world *w;
	char buf[512];
};

static bool no_strays(void *arg)
{
	struct stray_wait *s = arg;
	return strays(s->w, 0, s->buf, sizeof(s->buf)) == 0;
}

/* ---- end of a case ------------------------------------------------------ */

/* The part of the run's SUT log written during the case, as case evidence
 * (sut.log, as with a SUT per case). */
static void log_excerpt(struct kr_world *w)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	snprintf(from, sizeof(from), "%s/sut.log", w->run->workdir);
	snprintf(to, sizeof(to), "%s/sut.log", w->ctx->dir);
	FILE *in = fopen(from, "r");
	if (!in)
		return;
	FILE *out = fopen(to, "w");
	if (out && fseek(in, w->run->log_from, SEEK_SET) == 0) {
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && fwrite(buf, 1, n, out) == n)
			;
	}
	fclose(in);
	if (out && fclose(out) == 0)
		kr_artifact(w->ctx, to);
}

void kr_w_shared_detach(struct kr_world *w)
{
	struct kr_world_run *r = w->run;
	struct kr_ctx *ctx = w->ctx;
	r->leak[0] = r->leak_case[0] = 0;
	/* The case may have restarted the SUT (kr_w_sut_restart); the run
	 * keeps what runs now, watched by nobody until the next case. */
	r->sut = w->sut;
	if (!r->sut && !kr_w_is_device(w))
		r->sut_up = false;
	kr_proc_unwatch(r->sut);
	if (r->workdir[0])
		log_excerpt(w);
	if (ctx->keep) {
		r->keep = true;
		return;
	}
	char why[128];
	if (!r->sut_up || (r->sut && !kr_w_sut_alive(w, why, sizeof(why)))) {
		r->sut_up = false;
		return;
	}
	/* Upstreams leave: everything they gave the SUT must go. */
	for (int p = KR_UP1; p <= KR_UP2; p++)
		if (w->sp[p]) {
			kr_speaker_stop(w->sp[p]);
			kr_speaker_free(w->sp[p]);
			w->sp[p] = NULL;
		}
	struct stray_wait s = { .w = w };
	int64_t t = kr_now_ns();
	int rc = kr_loop_run_until(ctx->loop, no_strays, &s, kr_w_deadline(w, KR_W_WITHDRAW));
	if (rc == 1) {
		kr_result_log(ctx->r, kr_now_ns(), "isolation: up1 and up2 gone, the SUT withdrew every route "
						   "but its own within %.3f s", kr_ns_to_s(kr_now_ns() - t));
		return;
	}
	snprintf(r->leak, sizeof(r->leak), "%.2f s after up1 and up2 closed their sessions the SUT had not "
					   "withdrawn %s", kr_ns_to_s(kr_now_ns() - t), s.buf);
	snprintf(r->leak_case, sizeof(r->leak_case), "%s", ctx->c ? ctx->c->id : "?");
	kr_result_log(ctx->r, kr_now_ns(), "isolation: %s", r->leak);
	r->sut_up = false;
}

/* ---- start of a case ---------------------------------------------------- */

static bool can_restart(struct kr_world *w)
{
	return !w->prof->manual[KR_SUT_START] || (w->ctx->opts && w->ctx->opts->interactive);
}

/* The key the SUT signs its own prefixes with, as the case knows it. */
static struct kr_wkey *own_key(struct kr_world *w)
{
	return kr_w_sut_key(w, w->cfg.split_keys ? "origin" : "shared", 0);
}

/* Once the peers are up: the SUT's own prefixes at dn1 and dn2, signed
 * with the key it is known to use (before anything that needs the SUT's
 * signatures to validate, such as the RTR barrier). 1 as expected, 0 with
 * *what saying what is not, -1 harness fault. */
static int check_own(struct kr_world *w, char *what, size_t whatsz)
{
	struct kr_wkey *k = own_key(w);
	if (!k)
		return -1;
	bool sign = w->ctx->sut->caps & KR_NEED_SIGN;
	for (unsigned i = 0; i < 2 * KR_W_SHARED_OWN; i++) {
		const char *p = kr_w_shared_own(i);
		int rc = kr_w_wait_present(w, KR_DOWNSTREAM, p, sign ? kr_wkey_ski(k) : NULL, NULL, 0,
					   kr_w_deadline(w, KR_W_ANNOUNCE));
		if (rc < 0)
			return -1;
		if (rc == 0) {
			char state[512], ski[16];
			kr_hex_encode(ski, sizeof(ski), kr_wkey_ski(k), 4);
			describe(w, p, state, sizeof(state));
			snprintf(what, whatsz, "the SUT's own prefix %s is not signed with %s, the key it "
					       "was configured with or last switched to: %s", p, kr_wkey_name(k), state);
			return 0;
		}
	}
	return 1;
}

/* After the RTR barrier or sentinel sent at t0 (which came after the
 * SUT's initial table on the same sessions): that table held nothing but
 * the SUT's own prefixes. */
static int check_strays(struct kr_world *w, int64_t t0, char *what, size_t whatsz)
{
	char buf[512];
	if (!strays(w, t0, buf, sizeof(buf)))
		return 1;
	snprintf(what, whatsz, "routes of an earlier case still announced: %s", buf);
	return 0;
}

/* Peers, own prefixes, RTR, barrier, strays: 1 clean, 0 (what), -1. */
static int bring_up(struct kr_world *w, char *what, size_t whatsz)
{
	if (kr_w_peers_start(w) < 0)
		return -1;
	int rc = check_own(w, what, whatsz);
	if (rc != 1)
		return rc;
	if (kr_w_rtr_wait_synced(w) < 0)
		return -1;
	w->health.armed = true;
	int64_t t0 = kr_now_ns();
	/* Something sent after the SUT's initial table on the same sessions:
	 * the RTR barrier, or an unsigned route for a case that judges the
	 * RTR session itself (kr_world_cfg.no_rtr_barrier). */
	if (w->cfg.no_rtr_barrier) {
		rc = kr_w_plain_sentinel(w, KR_UP2, KR_DOWNSTREAM);
		if (rc <= 0)
			return rc < 0 ? -1 : kr_error(w->ctx, "an unsigned route from up2 never reached dn1 and dn2");
	} else if (kr_w_rtr_barrier(w) < 0) {
		return -1;
	}
	return check_strays(w, t0, what, whatsz);
}

static void free_case_peers(struct kr_world *w)
{
	for (int p = 0; p < KR_NPEERS; p++)
		if (w->sp[p]) {
			kr_speaker_stop(w->sp[p]);
			kr_speaker_free(w->sp[p]);
			w->sp[p] = NULL;
		}
	kr_w_exa_stop(w);
}

/* The old SUT goes (the profile's stop first, as at the end of a per-case
 * SUT); its keys no longer count: the case makes fresh ones. */
static void stop_old(struct kr_world *w)
{
	struct kr_world_run *r = w->run;
	if (r->sut || r->vars) {
		w->sut = r->sut;
		w->vars = r->vars;
		kr_w_sut_stop(w);
		r->sut = NULL;
	}
	w->vars = NULL;
	run_sut_stop(r);
}

/* A fresh SUT: new files, configuration, start. */
static int restart(struct kr_world *w, const char *why)
{
	struct kr_world_run *r = w->run;
	struct kr_ctx *ctx = w->ctx;
	if (r->starts)
		kr_log(ctx, "the run's SUT is started again: %s", why);
	r->starts++;
	if (snprintf(r->workdir, sizeof(r->workdir), "%s/sut/%u", r->run_dir, r->starts) >= (int)sizeof(r->workdir))
		return kr_error(ctx, "path too long");
	char parent[PATH_MAX + 8];
	snprintf(parent, sizeof(parent), "%s/sut", r->run_dir);
	mkdir(parent, 0755);
	snprintf(w->workdir, sizeof(w->workdir), "%s", r->workdir);
	snprintf(w->sut_dir, sizeof(w->sut_dir), "%s", r->workdir);
	kr_sut_vars_free(r->vars);
	r->vars = NULL;
	w->vars = NULL;
	w->config_path[0] = 0;
	r->split_keys = w->cfg.split_keys;
	/* Its keys are the case's generation 0 (kr_w_keys_init made them
	 * fresh: key_pem was cleared above). */
	for (int i = 0; i < KR_W_SUT_ROLES; i++) {
		bool used = w->cfg.split_keys ? i != 0 : i == 0;
		struct kr_wkey *k = used ? kr_w_sut_key(w, sut_roles[i], 0) : NULL;
		if (used && !k)
			return -1;
		if (k)
			snprintf(r->key_pem[i], sizeof(r->key_pem[i]), "%s", k->pem);
	}
	int rc = kr_w_sut_start(w);
	r->sut = w->sut;
	r->vars = w->vars;
	snprintf(r->config_path, sizeof(r->config_path), "%s", w->config_path);
	if (rc < 0)
		return -1;
	r->sut_up = true;
	r->log_from = 0;
	return 0;
}

/* The SUT could not be started again (an operator who skipped or did not
 * answer, a start command that failed): this case cannot run on a known
 * state, whatever the failed step recorded. */
static int not_restarted(struct kr_world *w, const char *why)
{
	struct kr_result *res = w->ctx->r;
	char *had = res->reason ? strdup(res->reason) : NULL;
	kr_result_log(res, kr_now_ns(), "isolation: the SUT was not started again (%s)", had ? had : "?");
	res->decided = false;
	free(res->reason);
	free(res->expected);
	free(res->actual);
	res->reason = res->expected = res->actual = NULL;
	kr_error(w->ctx, "isolation: %s; the SUT was not started again: %s", why, had ? had : "?");
	free(had);
	return -1;
}

/* The run's topology, built once (a device's lab interface stays in). */
static int net_once(struct kr_world *w)
{
	struct kr_world_run *r = w->run;
	if (!r->net) {
		if (kr_w_load_topo(w) < 0) {
			r->net = w->net;
			return -1;
		}
		r->net = w->net;
		r->topo = w->topo;
		return 0;
	}
	w->topo = r->topo;
	w->net = r->net;
	kr_log(w->ctx, "topology %s of the run", kr_net_tag(w->net));
	return kr_w_capture_start(w);
}

/* Where the case starts reading the SUT's log (its excerpt is evidence). */
static void log_mark(struct kr_world *w)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/sut.log", w->run->workdir);
	struct stat st;
	w->run->log_from = stat(path, &st) == 0 ? (long)st.st_size : 0;
}

int kr_w_shared_up(struct kr_world *w)
{
	struct kr_ctx *ctx = w->ctx;
	struct kr_world_run *r = w->run;
	if (ctx->opts && ctx->opts->rtr_stayrtr)
		return kr_error(ctx, "one SUT for the run needs the built-in RTR cache (new session ids)");
	if (net_once(w) < 0)
		return -1;
	snprintf(w->workdir, sizeof(w->workdir), "%s", r->workdir);
	snprintf(w->sut_dir, sizeof(w->sut_dir), "%s", r->workdir);
	char why[1200] = "";
	char alive[128] = "";
	w->sut = r->sut;
	if (!r->sut_up && r->leak[0])
		snprintf(why, sizeof(why), "after %s, %s", r->leak_case, r->leak);
	else if (r->starts && (!r->sut_up || (r->sut && !kr_w_sut_alive(w, alive, sizeof(alive)))))
		snprintf(why, sizeof(why), "it is not running%s%s", alive[0] ? ": " : "", alive);
	else if (ctx->c && ctx->c->own_sut)
		snprintf(why, sizeof(why), "case %s needs a SUT of its own", ctx->c->id);
	else if (r->starts && r->split_keys != w->cfg.split_keys)
		snprintf(why, sizeof(why), "the case needs %s keys, the SUT was configured with %s",
			 w->cfg.split_keys ? "split origin/transit" : "one shared", r->split_keys ? "split" : "one shared");
	bool fresh = !r->starts || why[0];
	if (fresh && r->starts && !can_restart(w))
		return kr_error(ctx, "isolation: %s; the harness cannot start the SUT again (manual start in a "
				     "run that is not interactive)", why);
	if (fresh)
		stop_old(w);
	if (r->leak[0]) {
		kr_log(ctx, "isolation: after %s, %s", r->leak_case, r->leak);
		r->leak[0] = 0;
	}
	if (kr_w_keys_init(w) < 0)
		return -1;
	if (!r->rtr) {
		if (kr_w_rtr_start(w) < 0)
			return -1;
		r->rtr = w->rtr;
		snprintf(r->rtr_addr, sizeof(r->rtr_addr), "%s", w->rtr_addr);
	} else {
		w->rtr = r->rtr;
		snprintf(w->rtr_addr, sizeof(w->rtr_addr), "%s", r->rtr_addr);
		r->tx_from = kr_rtr_transcript_count(r->rtr);
		/* a SUT about to start syncs on its own */
		if (kr_w_rtr_renew(w, !fresh) < 0)
			return -1;
	}
	if (fresh) {
		if (restart(w, why) < 0)
			return r->starts > 1 ? not_restarted(w, why) : -1;
	} else {
		w->sut = r->sut;
		w->vars = r->vars;
		w->sut_starts = 1;
		snprintf(w->config_path, sizeof(w->config_path), "%s", r->config_path);
		log_mark(w);
		if (w->sut && !kr_w_is_device(w) && kr_w_health_watch_sut(w) < 0)
			return -1;
		kr_log(ctx, "the run's SUT (start %u) serves this case", r->starts);
	}
	char what[1024];
	int rc = bring_up(w, what, sizeof(what));
	if (rc < 0)
		return -1;
	if (rc == 1) {
		kr_log(ctx, "isolation: the SUT holds its own prefixes, signed as expected, and nothing else");
		return 0;
	}
	kr_log(ctx, "isolation: %s", what);
	if (!can_restart(w))
		return kr_error(ctx, "isolation: %s; the harness cannot start the SUT again (manual start in a "
				     "run that is not interactive)", what);
	/* Once more from a fresh SUT; a second failure is the harness's. */
	w->health.armed = false;
	free_case_peers(w);
	stop_old(w);
	kr_w_keys_free(w);
	for (size_t i = 0; i < w->nsent; i++)
		kr_bytes_free(&w->sent[i].msg);
	w->nsent = 0;
	if (kr_w_keys_init(w) < 0 || kr_w_rtr_renew(w, false) < 0)
		return -1;
	if (restart(w, what) < 0)
		return not_restarted(w, what);
	rc = bring_up(w, what, sizeof(what));
	if (rc == 0)
		return kr_error(ctx, "isolation: even a freshly started SUT is not clean: %s", what);
	return rc < 0 ? -1 : 0;
}
