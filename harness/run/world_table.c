/* Full tables in the standard world; see world_table.h. */
#include "run/world_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/evloop.h"
#include "net/proc.h"
#include "run/runner.h"
#include "run/sut_exec.h"
#include "run/world_int.h"
#include "vectors/table_sign.h"

struct kr_wtable {
	struct kr_table_spec spec;
	struct kr_table_route *routes;
	struct kr_signed_table v[2];
	struct kr_key inner[32], up[2][2];
	size_t ninner;
	double avg_hops;
};

static struct kr_wtable *run_table;

static void wt_free(struct kr_wtable *t)
{
	if (!t)
		return;
	free(t->routes);
	kr_signed_table_free(&t->v[0]);
	kr_signed_table_free(&t->v[1]);
	for (size_t i = 0; i < t->ninner; i++)
		kr_key_free(&t->inner[i]);
	for (int u = 0; u < 2; u++)
		for (int g = 0; g < 2; g++)
			kr_key_free(&t->up[u][g]);
	free(t);
}

static void wt_atexit(void)
{
	wt_free(run_table);
	run_table = NULL;
}

uint32_t kr_wt_count(const struct kr_wtable *t) { return kr_table_count(&t->spec); }
const struct kr_table_route *kr_wt_route(const struct kr_wtable *t, uint32_t i) { return &t->routes[i]; }
const uint8_t *kr_wt_up_ski(const struct kr_wtable *t, int up, unsigned gen) { return t->up[up & 1][gen & 1].ski; }

/* A progress line on stderr, only when it is a terminal. */
static void progress(const char *what, size_t done, size_t total)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (done >= total)
		fprintf(stderr, "\r\033[K");
	else
		fprintf(stderr, "\r\033[K  %s: %zu/%zu (%.0f %%)", what, done, total,
			total ? 100.0 * (double)done / (double)total : 0.0);
	fflush(stderr);
}

static void sign_progress(size_t done, size_t total, void *arg)
{
	progress((const char *)arg, done, total);
}

static int next_hops(struct kr_table_sign_cfg *c, struct kr_err *err)
{
	struct kr_topo topo;
	if (kr_topo_load(&topo, "netns/rollover.topo", err) < 0)
		return -1;
	int sut = kr_topo_node(&topo, KR_W_SUT_NODE);
	for (int up = 0; up < 2; up++) {
		int n = kr_topo_node(&topo, kr_peer_name(up ? KR_UP2 : KR_UP1));
		int l = n < 0 || sut < 0 ? -1 : kr_topo_link(&topo, (unsigned)n, (unsigned)sut);
		if (l < 0) {
			kr_err_set(err, EINVAL, 0, "netns/rollover.topo: no link between up%d and sut", up + 1);
			return -1;
		}
		const struct kr_topo_link *lk = &topo.links[l];
		const struct kr_ifaddr *a4 = lk->a == (unsigned)n ? &lk->a4 : &lk->b4;
		const struct kr_ifaddr *a6 = lk->a == (unsigned)n ? &lk->a6 : &lk->b6;
		memcpy(c->nh4[up], a4->addr, 4);
		memcpy(c->nh6[up], a6->addr, 16);
	}
	return 0;
}

static struct kr_wtable *wt_make(struct kr_ctx *ctx, const struct kr_table_spec *spec)
{
	struct kr_wtable *t = calloc(1, sizeof *t);
	if (!t) {
		kr_error(ctx, "out of memory");
		return NULL;
	}
	t->spec = *spec;
	struct kr_err err = { 0 };
	const uint32_t *as;
	t->ninner = kr_table_ases(&as);
	for (size_t i = 0; i < t->ninner; i++)
		if (kr_table_key(&t->inner[i], as[i], 0, &err) < 0)
			goto fail;
	for (int u = 0; u < 2; u++)
		for (unsigned g = 0; g < 2; g++)
			if (kr_table_key(&t->up[u][g], spec->up_as[u], g, &err) < 0)
				goto fail;
	if (kr_table_build(spec, &t->routes, &err) < 0)
		goto fail;
	uint64_t hops = 0;
	for (uint32_t i = 0; i < kr_table_count(spec); i++)
		hops += t->routes[i].nhops;
	t->avg_hops = (double)hops / kr_table_count(spec);
	char bin[PATH_MAX], cache[PATH_MAX + 16];
	struct kr_table_sign_cfg c = { .spec = &t->spec, .inner = t->inner, .ninner = t->ninner,
				       .up = { &t->up[0][0], &t->up[1][0] }, .target_as = kr_sut_asn(),
				       .progress = sign_progress, .arg = (void *)"signing the table" };
	if (kr_bin_dir(bin, sizeof bin) == 0) {
		snprintf(cache, sizeof cache, "%s/table-cache", bin);
		c.cache_dir = cache;
	}
	if (next_hops(&c, &err) < 0 || kr_table_sign(&c, t->routes, &t->v[0], &err) < 0)
		goto fail;
	c.up[0] = &t->up[0][1];
	c.up[1] = &t->up[1][1];
	c.arg = (void *)"signing the upstreams' next keys";
	if (kr_table_resign(&c, &t->v[0], &t->v[1], &err) < 0)
		goto fail;
	for (int v = 0; v < 2; v++)
		kr_log(ctx, "table variant %d (up1/up2 key generation %d): %s in %.1f s%s%s (%llu signatures, %u threads)",
		       v, v, t->v[v].cached ? "mapped from the cache" : "signed", t->v[v].seconds,
		       t->v[v].path[0] ? ", " : "", t->v[v].path, (unsigned long long)t->v[v].signatures,
		       t->v[v].threads);
	return t;
fail:
	kr_error(ctx, "table of %u routes: %s", kr_table_count(spec), err.msg);
	wt_free(t);
	return NULL;
}

const struct kr_wtable *kr_wt_get(struct kr_ctx *ctx)
{
	struct kr_table_spec spec = { .up_as = { kr_peer_asn(KR_UP1), kr_peer_asn(KR_UP2) } };
	if (ctx->opts && (ctx->opts->routes4 || ctx->opts->routes6)) {
		spec.n4 = ctx->opts->routes4;
		spec.n6 = ctx->opts->routes6;
	} else {
		kr_table_spec_routes(&spec, KR_DEFAULT_ROUTES);
	}
	const struct kr_sut_profile *prof = ctx->sut ? ctx->sut->profile : NULL;
	long cap = prof ? kr_sut_cap_int(prof, "max_routes", 0) : 0;
	if (cap > 0 && kr_table_count(&spec) > (unsigned long)cap) {
		kr_log(ctx, "the profile's max_routes caps the table at %ld routes (of %u)", cap,
		       kr_table_count(&spec));
		kr_table_spec_routes(&spec, (uint32_t)cap);
	}
	if (run_table && !memcmp(&run_table->spec, &spec, sizeof spec))
		return run_table;
	wt_free(run_table);
	run_table = NULL;
	static bool registered;
	if (!registered) {
		atexit(wt_atexit);
		registered = true;
	}
	kr_log(ctx, "building a table of %u routes (%u IPv4, %u IPv6)", kr_table_count(&spec), spec.n4, spec.n6);
	run_table = wt_make(ctx, &spec);
	return run_table;
}

/* ---- tagging and sending --------------------------------------------------- */

const struct kr_wtable *kr_w_table(struct kr_world *w) { return w->table; }
struct kr_obs *kr_w_observer(struct kr_world *w, enum kr_peer p) { return kr_w_obs(w, p); }

static const enum kr_peer observers[] = { KR_DN1, KR_DN2, KR_EXA };

int kr_w_table_tag(struct kr_world *w, kr_wt_tag_fn tag, void *arg)
{
	const struct kr_wtable *t = w->table;
	if (!t)
		return kr_error(w->ctx, "not a scale world");
	for (size_t k = 0; k < sizeof observers / sizeof observers[0]; k++) {
		struct kr_obs *o = kr_w_obs(w, observers[k]);
		if (!o)
			continue;
		for (uint32_t i = 0; i < kr_wt_count(t); i++) {
			uint8_t g = tag(&t->routes[i], i, arg);
			if (g && kr_obs_tag(o, &t->routes[i].pfx, g) < 0)
				return kr_error(w->ctx, "out of memory tagging the table");
		}
	}
	if (w->sut)
		w->sut_rss0 = kr_pid_rss(kr_proc_pid(w->sut));
	return 0;
}

struct cursor {
	size_t off;
};

static size_t msg_len(const uint8_t *m) { return (size_t)m[16] << 8 | m[17]; }

/* Push bytes on up's session, running the loop while its queue is full. */
static int push(struct kr_world *w, enum kr_peer up, const uint8_t *p, size_t n, int64_t deadline)
{
	struct kr_bgp_session *s = kr_speaker_session(w->sp[up]);
	while (!kr_bgp_can_send(s)) {
		if (kr_bgp_session_fd(s) < 0)
			return kr_error(w->ctx, "%s: session down while sending the table", kr_peer_name(up));
		if (kr_now_ns() > deadline)
			return kr_error(w->ctx, "%s: the SUT did not take the table in time (TCP window closed)",
					kr_peer_name(up));
		if (kr_loop_run_once(w->ctx->loop, 10000000) < 0)
			return kr_error(w->ctx, "interrupted");
	}
	if (kr_speaker_send_raw(w->sp[up], p, n) < 0)
		return kr_error(w->ctx, "%s: session down while sending the table", kr_peer_name(up));
	return 0;
}

int kr_w_table_send(struct kr_world *w, kr_wt_variant_fn variant, void *arg, int64_t deadline)
{
	const struct kr_wtable *t = w->table;
	if (!t)
		return kr_error(w->ctx, "not a scale world");
	size_t off[2][2] = { { 0 } }; /* [variant][up] */
	/* a run of consecutive messages of one variant and upstream */
	const uint8_t *run_p[2] = { NULL, NULL };
	size_t run_n[2] = { 0, 0 };
	int run_v[2] = { -1, -1 };
	size_t sent = 0, total = kr_wt_count(t);
	int64_t t0 = kr_now_ns(), shown = 0;
	for (uint32_t i = 0; i < total; i++) {
		const struct kr_table_route *r = &t->routes[i];
		int up = r->up;
		const uint8_t *m[2];
		size_t len[2];
		for (int v = 0; v < 2; v++) {
			m[v] = t->v[v].msgs[up] + off[v][up];
			len[v] = msg_len(m[v]);
			off[v][up] += len[v];
		}
		int v = variant(r, i, arg);
		bool flush = run_n[up] && (v != run_v[up] || run_n[up] >= (256u << 10));
		if (flush || v < 0) {
			if (run_n[up] && push(w, up ? KR_UP2 : KR_UP1, run_p[up], run_n[up], deadline) < 0)
				return -1;
			run_n[up] = 0;
		}
		if (v < 0)
			continue;
		if (!run_n[up]) {
			run_p[up] = m[v];
			run_v[up] = v;
		}
		run_n[up] += len[v];
		sent++;
		if (kr_now_ns() - shown > 200000000) {
			shown = kr_now_ns();
			progress("sending the table", i, total);
		}
	}
	for (int up = 0; up < 2; up++)
		if (run_n[up] && push(w, up ? KR_UP2 : KR_UP1, run_p[up], run_n[up], deadline) < 0)
			return -1;
	progress("sending the table", total, total);
	w->last_up = KR_UP2;
	w->have_last_up = true;
	kr_log(w->ctx, "up1 and up2 sent %zu UPDATEs of the table in %.3f s", sent, kr_ns_to_s(kr_now_ns() - t0));
	return 0;
}

/* ---- deadlines ------------------------------------------------------------- */

struct kr_wt_work kr_wt_work_load(const struct kr_wtable *t, uint32_t n)
{
	/* every signature verified once; signed once for each of the three
	 * other BGPsec peers (the other upstream, dn1, dn2); one UPDATE in
	 * and one out to each of the four other peers */
	struct kr_wt_work wk = { .verifies = n * t->avg_hops, .signs = 3.0 * n, .updates = 5.0 * n };
	return wk;
}

double kr_w_table_deadline_s(struct kr_world *w, const struct kr_wt_work *wk, char *why, size_t whysz)
{
	double vr = (double)kr_sut_cap_int(w->prof, "verify_per_s", 0);
	double sr = (double)kr_sut_cap_int(w->prof, "sign_per_s", 0);
	double ur = (double)kr_sut_cap_int(w->prof, "updates_per_s", 0);
	bool declared = vr > 0 && sr > 0 && ur > 0;
	if (!(vr > 0))
		vr = 1000;
	if (!(sr > 0))
		sr = 1000;
	if (!(ur > 0))
		ur = 1000;
	double work = wk->verifies / vr + wk->signs / sr + wk->updates / ur;
	double s = 5.0 + 3.0 * work + kr_w_deadline_s(w, KR_W_ANNOUNCE);
	if (why)
		snprintf(why, whysz,
			 "%.0f s: 5 s + 3 x (%.0f verifications at %.0f/s + %.0f signatures at %.0f/s + %.0f UPDATEs "
			 "at %.0f/s)%s + %.1f s announce allowance",
			 s, wk->verifies, vr, wk->signs, sr, wk->updates, ur,
			 declared ? " (the profile's rates)" : " (rates the profile does not declare: 1000/s)",
			 kr_w_deadline_s(w, KR_W_ANNOUNCE));
	return s;
}

/* ---- waiting --------------------------------------------------------------- */

const struct kr_obs_tagstat *kr_w_tagstat(struct kr_world *w, enum kr_peer p, uint8_t tag)
{
	struct kr_obs *o = kr_w_obs(w, p);
	return o ? kr_obs_tagstat(o, tag) : NULL;
}

void kr_w_table_match(struct kr_world *w, unsigned hop, const uint8_t (*skis)[KR_SKI_LEN], size_t n)
{
	for (size_t k = 0; k < sizeof observers / sizeof observers[0]; k++) {
		struct kr_obs *o = kr_w_obs(w, observers[k]);
		if (o)
			kr_obs_set_match(o, observers[k] == KR_EXA ? 0 : hop, skis,
					 observers[k] == KR_EXA ? 0 : n);
	}
}

void kr_w_table_mark(struct kr_world *w)
{
	for (size_t k = 0; k < sizeof observers / sizeof observers[0]; k++) {
		struct kr_obs *o = kr_w_obs(w, observers[k]);
		if (o)
			kr_obs_mark(o);
	}
}

struct wait_arg {
	struct kr_world *w;
	unsigned mask;
	uint8_t tag;
	enum kr_wt_goal goal;
	const char *what;
	int64_t shown;
	uint64_t bad0;   /* failed verifications when the wait began */
	bool bad;        /* more since: no point waiting on */
};

static uint64_t verify_failures(struct kr_world *w)
{
	uint64_t n = 0;
	for (int p = KR_DN1; p <= KR_DN2; p++) {
		struct kr_obs *o = kr_w_obs(w, (enum kr_peer)p);
		if (o)
			n += kr_obs_sigstat(o).verify_failed;
	}
	return n;
}

static bool reached(const struct kr_obs_tagstat *s, enum kr_wt_goal g)
{
	return g == KR_WT_MATCHED ? s->matched == s->tagged : s->present == 0;
}

static bool table_holds(void *arg)
{
	struct wait_arg *a = arg;
	/* a route whose signature does not verify never matches: stop now,
	 * the caller reports it (kr_w_sig_metrics) */
	if (a->goal == KR_WT_MATCHED && verify_failures(a->w) > a->bad0) {
		a->bad = true;
		return true;
	}
	bool all = true;
	size_t done = 0, total = 0;
	for (int p = 0; p < KR_NPEERS; p++) {
		if (!(a->mask & (1u << p)))
			continue;
		const struct kr_obs_tagstat *s = kr_w_tagstat(a->w, (enum kr_peer)p, a->tag);
		if (!s)
			return false;
		all &= reached(s, a->goal);
		total += s->tagged;
		done += a->goal == KR_WT_MATCHED ? s->matched : s->tagged - s->present;
	}
	int64_t now = kr_now_ns();
	if (now - a->shown > 250000000) {
		a->shown = now;
		progress(a->what, done, total);
	}
	return all;
}

int kr_w_table_wait(struct kr_world *w, unsigned mask, uint8_t tag, enum kr_wt_goal goal, int64_t deadline,
		    const char *what)
{
	struct wait_arg a = { w, mask, tag, goal, what, 0, verify_failures(w), false };
	int rc = kr_loop_run_until(w->ctx->loop, table_holds, &a, deadline);
	progress(what, 1, 1);
	if (rc < 0)
		return kr_error(w->ctx, "interrupted");
	return a.bad ? 0 : rc;
}

void kr_w_table_describe(struct kr_world *w, unsigned mask, uint8_t tag, char *out, size_t outsz)
{
	size_t off = 0;
	out[0] = 0;
	for (int p = 0; p < KR_NPEERS && off + 1 < outsz; p++) {
		if (!(mask & (1u << p)))
			continue;
		const struct kr_obs_tagstat *s = kr_w_tagstat(w, (enum kr_peer)p, tag);
		if (!s)
			continue;
		int n = snprintf(out + off, outsz - off,
				 "%s%s: %zu of %zu present, %zu as required, %zu withdrawn and %zu announced "
				 "twice or more since the mark",
				 off ? "; " : "", kr_peer_name(p), s->present, s->tagged, s->matched, s->withdrawn,
				 s->multi);
		if (n < 0 || (size_t)n >= outsz - off)
			break;
		off += (size_t)n;
	}
}

void kr_w_table_example(struct kr_world *w, enum kr_peer p, uint8_t tag,
			bool (*bad)(const struct kr_obs *o, const struct kr_obs_route *r, void *arg), void *arg,
			char *out, size_t outsz)
{
	out[0] = 0;
	struct kr_obs *o = kr_w_obs(w, p);
	if (!o)
		return;
	for (size_t i = 0; i < kr_obs_count(o); i++) {
		const struct kr_obs_route *r = kr_obs_at(o, i);
		if (r->tag != tag || !bad(o, r, arg))
			continue;
		char line[512];
		kr_obs_format_route(o, r, line, sizeof line);
		snprintf(out, outsz, "e.g. at %s: %s (%u announcements, %u withdrawals since the mark)",
			 kr_peer_name(p), line, kr_obs_ann_since_mark(o, r), kr_obs_wd_since_mark(o, r));
		return;
	}
}

/* ---- measurements ------------------------------------------------------------ */

static double self_cpu_s(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

void kr_w_cpu_mark(struct kr_world *w, struct kr_wt_cpu *m)
{
	m->t = kr_now_ns();
	m->harness_s = self_cpu_s();
	m->sut_s = w->sut ? kr_pid_tree_cpu_s(kr_proc_pid(w->sut)) : 0;
}

double kr_w_cpu_metrics(struct kr_world *w, const struct kr_wt_cpu *m, const char *name)
{
	struct kr_wt_cpu now;
	kr_w_cpu_mark(w, &now);
	double h = now.harness_s - m->harness_s, s = now.sut_s - m->sut_s;
	double share = h + s > 0 ? h / (h + s) : 0;
	char n[96];
	snprintf(n, sizeof n, "%s_harness_cpu_s", name);
	kr_metric(w->ctx, n, h, "s");
	snprintf(n, sizeof n, "%s_sut_cpu_s", name);
	kr_metric(w->ctx, n, s, "s");
	snprintf(n, sizeof n, "%s_harness_cpu_share", name);
	kr_metric(w->ctx, n, share, "ratio");
	kr_log(w->ctx, "%s: harness %.2f s CPU, SUT %.2f s CPU over %.2f s: harness share %.1f %%", name, h, s,
	       kr_ns_to_s(now.t - m->t), 100 * share);
	return share;
}

void kr_w_mem_metrics(struct kr_world *w, uint32_t n)
{
	for (size_t k = 0; k < sizeof observers / sizeof observers[0]; k++) {
		struct kr_obs *o = kr_w_obs(w, observers[k]);
		if (!o || !kr_obs_count(o))
			continue;
		char name[64];
		snprintf(name, sizeof name, "observer_%s_bytes_per_route", kr_peer_name(observers[k]));
		kr_metric(w->ctx, name, (double)kr_obs_mem(o, NULL) / (double)kr_obs_count(o), "B");
	}
	if (w->sut && n) {
		size_t rss = kr_pid_rss(kr_proc_pid(w->sut));
		kr_metric(w->ctx, "sut_rss", (double)rss, "B");
		kr_metric(w->ctx, "sut_bytes_per_route",
			  rss > w->sut_rss0 ? (double)(rss - w->sut_rss0) / (double)n : 0, "B");
	}
}

uint64_t kr_w_sig_metrics(struct kr_world *w, char *text, size_t textsz)
{
	struct kr_obs_sigstat t = { 0 };
	for (int p = KR_DN1; p <= KR_DN2; p++) {
		struct kr_obs *o = kr_w_obs(w, (enum kr_peer)p);
		if (!o)
			continue;
		struct kr_obs_sigstat s = kr_obs_sigstat(o);
		t.verified += s.verified;
		t.verify_failed += s.verify_failed;
		t.form_failed += s.form_failed;
		t.sample_mod = s.sample_mod;
	}
	kr_metric(w->ctx, "observer_sig_sample_1_in", t.sample_mod, "routes");
	kr_metric(w->ctx, "observer_routes_verified", (double)t.verified, "routes");
	kr_metric(w->ctx, "observer_routes_verify_failed", (double)t.verify_failed, "routes");
	kr_metric(w->ctx, "observer_routes_form_failed", (double)t.form_failed, "routes");
	snprintf(text, textsz,
		 "dn1 and dn2 check every route's BGPsec_PATH (RFC 8205 §5.2 form checks, a published key for "
		 "every (AS, SKI)) and verify every signature of 1 route in %u (deterministic sample by prefix "
		 "hash): %llu routes verified, %llu failed verification, %llu failed the form or key checks",
		 t.sample_mod, (unsigned long long)t.verified, (unsigned long long)t.verify_failed,
		 (unsigned long long)t.form_failed);
	return t.verify_failed;
}

unsigned kr_w_session_downs(struct kr_world *w, char *why, size_t whysz)
{
	unsigned n = 0;
	if (why && whysz)
		why[0] = 0;
	for (int p = 0; p < KR_NPEERS; p++) {
		if (!w->sp[p])
			continue;
		struct kr_bgp_session *s = kr_speaker_session(w->sp[p]);
		unsigned d = kr_bgp_session_downs(s);
		if (d && why)
			snprintf(why, whysz, "%s: %s", kr_peer_name(p), kr_bgp_session_last_down(s)->text);
		n += d;
	}
	return n;
}
