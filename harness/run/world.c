/* Building and tearing down a case's world (world.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/evloop.h"
#include "net/teardown.h"
#include "run/runner.h"
#include "run/world_int.h"
#include "run/world_table.h"

static const char *const peer_names[KR_NPEERS] = { "up1", "up2", "dn1", "dn2", "exa" };
/* 4-octet ASNs on the SUT, up1 and dn1 (RFC 6793 must be exercised);
 * documentation ranges only (RFC 5398). */
static const uint32_t peer_asns[KR_NPEERS] = { 65536, 64497, 65537, 64498, 64499 };
#define SUT_ASN 65551u

const char *kr_peer_name(enum kr_peer p)
{
	return (unsigned)p < KR_NPEERS ? peer_names[p] : "sut";
}

uint32_t kr_peer_asn(enum kr_peer p)
{
	return (unsigned)p < KR_NPEERS ? peer_asns[p] : SUT_ASN;
}

uint32_t kr_sut_asn(void)
{
	return SUT_ASN;
}

int kr_w_family(const struct kr_world *w)
{
	return kr_case_family(w->ctx->c);
}

const char *kr_w_own_prefix(int family, unsigned i)
{
	static const char *const own[2][2] = { { "203.0.113.128/25", "192.0.2.64/26" },
					       { "2001:db8:5e7::/48", "2001:db8:5e8::/48" } };
	return own[family == 6][i % 2];
}

const char *kr_w_sut_prefix(const struct kr_world *w, unsigned i)
{
	return kr_w_own_prefix(kr_w_family(w), i);
}

const char *kr_w_prefix(const struct kr_world *w, unsigned n)
{
	static const char *const up[2][3] = {
		{ "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/25" },
		{ "2001:db8:100::/48", "2001:db8:200::/48", "2001:db8:300::/48" },
	};
	return up[kr_w_family(w) == 6][(n ? n - 1 : 0) % 3];
}

int kr_w_addr(struct kr_world *w, const char *node, const char *peer, int family, char *out,
	      size_t outsz)
{
	struct kr_ifaddr a;
	if (kr_net_addr(w->net, node, peer, family, &a) < 0)
		return -1;
	return kr_ifaddr_str(&a, out, outsz) ? 0 : -1;
}

/* ---- time ----------------------------------------------------------------- */

/* Base allowances before the profile's own delays: generous against
 * scheduling noise on a loaded CI machine, and only ever spent in full
 * when the SUT is wrong. */
static const double base_s[3] = { 1.5, 1.5, 2.0 };

long kr_profile_delay_ms(const struct kr_sut_profile *p, enum kr_wait_kind k)
{
	static const char *const delay_caps[3][2] = {
		{ "mrai_ms", "announce_delay_ms" }, { "withdraw_delay_ms", NULL }, { "rtr_delay_ms", NULL },
	};
	long ms = 0;
	for (int j = 0; j < 2; j++)
		if (delay_caps[k][j])
			ms += kr_sut_cap_int(p, delay_caps[k][j], 0);
	/* An RTR-driven reaction may also need a fresh announcement. */
	if (k == KR_W_RTR)
		ms += kr_profile_delay_ms(p, KR_W_ANNOUNCE);
	return ms;
}

double kr_profile_deadline_s(const struct kr_sut_profile *p, enum kr_wait_kind k)
{
	return base_s[k] + kr_profile_delay_ms(p, k) / 1000.0;
}

double kr_w_deadline_s(const struct kr_world *w, enum kr_wait_kind k)
{
	return base_s[k] + w->delay_ms[k] / 1000.0;
}

int64_t kr_w_deadline(const struct kr_world *w, enum kr_wait_kind k)
{
	return kr_now_ns() + (int64_t)(kr_w_deadline_s(w, k) * 1e9);
}

double kr_w_case_s(const struct kr_world *w, int64_t t_ns)
{
	return kr_ns_to_s(t_ns - w->ctx->r->start_ns);
}

int kr_w_pass_time(struct kr_world *w, double nominal_s, double min_s)
{
	int64_t ns = kr_scaled_ns(w->ctx, nominal_s);
	if (ns < (int64_t)(min_s * 1e9))
		ns = (int64_t)(min_s * 1e9);
	/* A SUT may put RTR data to use some time after fetching it (its
	 * profile's rtr_delay_ms: QuaggaSRx's srx_server registers keys after
	 * End of Data); a protocol period longer than that contains it in
	 * reality, so compressed it still does. */
	double rtr_s = kr_sut_cap_int(w->prof, "rtr_delay_ms", 0) / 1000.0;
	if (nominal_s >= rtr_s && ns < (int64_t)(rtr_s * 1e9))
		ns = (int64_t)(rtr_s * 1e9);
	kr_log(w->ctx, "letting %.0f s of protocol time pass (%.3f s)", nominal_s, kr_ns_to_s(ns));
	return kr_w_run_until(w, NULL, NULL, kr_now_ns() + ns) < 0 ? -1 : 0;
}

/* ---- teardown ------------------------------------------------------------- */

static void write_transcript(struct kr_world *w)
{
	if (!w->rtr)
		return;
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/rtr-transcript.txt", w->ctx->dir) >= (int)sizeof(path))
		return;
	if (!w->run) {
		if (kr_rtr_transcript_write(w->rtr, path) == 0)
			kr_artifact(w->ctx, path);
		return;
	}
	/* The run's cache: this case's part of its transcript. */
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	for (size_t i = w->run->tx_from; i < kr_rtr_transcript_count(w->rtr); i++) {
		struct kr_rtr_tx t;
		char line[1024];
		if (!kr_rtr_transcript_get(w->rtr, i, &t))
			break;
		kr_rtr_transcript_line(&t, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (fclose(f) == 0)
		kr_artifact(w->ctx, path);
}

static void world_down(void *arg)
{
	struct kr_world *w = arg;
	struct kr_ctx *ctx = w->ctx;
	/* A SUT that broke down is the case's finding whatever the case
	 * concluded (a harness ERROR from lost sessions included): checked
	 * before anything is stopped. */
	kr_w_health_final(w);
	w->health.armed = false;
	w->health.allow_exit = true; /* the stop below */
	if (w->run)
		kr_w_shared_detach(w);
	for (int p = 0; p < KR_NPEERS; p++)
		if (w->sp[p])
			kr_speaker_stop(w->sp[p]);
	kr_w_exa_stop(w);
	if (w->sut) {
		char why[128];
		if (!kr_w_sut_alive(w, why, sizeof(why)))
			kr_log(ctx, "SUT: %s", why);
	}
	if (!w->run)
		kr_w_sut_stop(w);
	for (int p = 0; p < KR_NPEERS; p++)
		kr_speaker_free(w->sp[p]);
	write_transcript(w);
	if (!w->run)
		kr_rtr_cache_free(w->rtr);
	kr_stayrtr_stop(w->srtr);
	w->srtr = NULL;
	kr_w_pipe_stop(w);
	kr_w_capture_stop(w);
	if (w->net && !w->run) {
		if (ctx->keep) {
			/* Processes end with the harness (they would otherwise
			 * outlive every exit path); namespaces and links stay. */
			fprintf(stderr, "keyroll: --keep-on-fail: namespaces %s-* and their links left up, "
					"without processes (e.g. `ip netns exec %s-sut ip addr`); the SUT "
					"can be started again there with %s/sut-command.txt; remove them "
					"with `keyroll clean`\n",
				kr_net_tag(w->net), kr_net_tag(w->net), ctx->dir);
			kr_net_release(w->net);
		} else {
			kr_net_free(w->net);
		}
	}
	kr_w_keys_free(w);
	if (!w->run)
		kr_sut_vars_free(w->vars);
	for (size_t i = 0; i < w->nsent; i++)
		kr_bytes_free(&w->sent[i].msg);
	free(w);
	ctx->w = NULL;
}

/* ---- bring-up ------------------------------------------------------------- */

int kr_w_load_topo(struct kr_world *w)
{
	struct kr_err err = { 0 };
	if (kr_topo_load(&w->topo, "netns/rollover.topo", &err) < 0)
		return kr_error(w->ctx, "%s", err.msg);
	if (kr_net_preflight(&err) < 0)
		return kr_error(w->ctx, "%s", err.msg);
	int64_t t = kr_now_ns();
	if (kr_w_is_device(w)) {
		struct kr_net_dev d;
		if (kr_w_dev_plan(w, &d) < 0)
			return -1;
		w->net = kr_net_up_dev(&w->topo, NULL, &d, &err);
		if (w->net)
			kr_log(w->ctx, "lab interface %s%s%s moved into %s-%s", d.ifname, d.netns ? " of netns " : "",
			       d.netns ? d.netns : "", kr_net_tag(w->net), KR_W_SUT_NODE);
	} else {
		w->net = kr_net_up(&w->topo, NULL, false, &err);
	}
	if (!w->net)
		return kr_error(w->ctx, "topology: %s", err.msg);
	kr_log(w->ctx, "topology %s up in %.3f s", kr_net_tag(w->net), kr_ns_to_s(kr_now_ns() - t));
	/* Captures start before any process or session exists. */
	return kr_w_capture_start(w);
}

int kr_world_up(struct kr_ctx *ctx, const struct kr_world_cfg *cfg)
{
	if (ctx->w)
		return kr_error(ctx, "world already up");
	if (!ctx->sut || !ctx->sut->profile)
		return kr_error(ctx, "no SUT profile loaded");
	struct kr_world *w = calloc(1, sizeof(*w));
	if (!w)
		return kr_error(ctx, "out of memory");
	w->ctx = ctx;
	w->cfg = *cfg;
	w->prof = ctx->sut->profile;
	ctx->w = w;
	kr_defer(ctx, world_down, w);
	for (int k = 0; k < 3; k++)
		w->delay_ms[k] = kr_profile_delay_ms(w->prof, (enum kr_wait_kind)k);
	/* StayRTR sees a change at its next file poll and sends Serial
	 * Notify; the SUT's Refresh covers a lost notify. */
	if (ctx->opts && (ctx->opts->rtr_stayrtr || ctx->opts->rpki_pipeline))
		w->delay_ms[KR_W_RTR] += 1000L * (KR_W_STAYRTR_REFRESH_S + kr_w_stayrtr_rtr_refresh(w));
	if (snprintf(w->workdir, sizeof(w->workdir), "%s/sut", ctx->dir) >= (int)sizeof(w->workdir))
		return kr_error(ctx, "path too long");
	if (cfg->exa && !(ctx->sut->caps & KR_NEED_PLAIN_PEER))
		return kr_skip(ctx, "the SUT profile has no plain-BGP peers");

	/* Without an operator, a manual start ends the case before the lab
	 * interface is touched (unless the run's SUT is already up). */
	if (w->prof->manual[KR_SUT_START] && !(ctx->opts && ctx->opts->interactive) &&
	    !(ctx->wrun && ctx->wrun->sut_up)) {
		char *text = kr_sut_expand_loose(w->prof->action[KR_SUT_START], NULL);
		kr_skip(ctx, "manual step (start) in a run that is not interactive: %s",
			text ? text : w->prof->action[KR_SUT_START]);
		free(text);
		return -1;
	}
	if (cfg->scale) {
		/* Signed before anything starts: no session waits on it. */
		w->table = kr_wt_get(ctx);
		if (!w->table)
			return -1;
		/* about 2048 routes per observer get every signature verified */
		uint32_t n = kr_wt_count(w->table);
		w->sample_mod = n > 2048 ? (n + 2047) / 2048 : 1;
	}
	int64_t t0 = kr_now_ns();
	if (ctx->wrun) {
		w->run = ctx->wrun;
		if (kr_w_shared_up(w) < 0)
			return -1;
		kr_metric(ctx, "setup_time", kr_ns_to_s(kr_now_ns() - t0), "s");
		kr_log(ctx, "world up (the run's SUT): sessions established, RTR synchronised");
		return 0;
	}
	snprintf(w->sut_dir, sizeof(w->sut_dir), "%s", ctx->dir);
	if (kr_w_load_topo(w) < 0 || kr_w_keys_init(w) < 0 || kr_w_rtr_start(w) < 0 ||
	    kr_w_sut_start(w) < 0 || kr_w_peers_start(w) < 0 || kr_w_rtr_wait_synced(w) < 0)
		return -1;
	/* The cache's End of Data says nothing about when the SUT applied
	 * the keys (RTR clients may apply them on another thread): a route
	 * signed with a key published now proves it (under StayRTR the sync
	 * above was already such a barrier). */
	w->health.armed = true;
	if (!w->srtr && !cfg->no_rtr_barrier && kr_w_rtr_barrier(w) < 0)
		return -1;
	kr_metric(ctx, "setup_time", kr_ns_to_s(kr_now_ns() - t0), "s");
	kr_log(ctx, "world up: SUT AS %u, sessions established, RTR synchronised", SUT_ASN);
	return 0;
}

bool kr_pipeline_mode(const struct kr_ctx *ctx)
{
	return ctx->opts && ctx->opts->rpki_pipeline;
}

bool kr_w_sut_alive(struct kr_world *w, char *why, size_t whysz)
{
	if (!w->sut)
		return false;
	if (!kr_proc_poll(w->sut))
		return true;
	kr_proc_status_str(w->sut, why, whysz);
	return false;
}
