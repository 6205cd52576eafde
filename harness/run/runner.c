/* The case runner (runner.h). Each case gets a fresh context, loop and
 * evidence folder; whatever it builds it registers with kr_defer(), and
 * that runs on every path before the next case starts. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "net/evloop.h"
#include "net/fsutil.h"
#include "wire/kr_util.h"
#include "run/runner.h"
#include "run/sut_profile.h"
#include "run/world.h"
#include "net/teardown.h"

/* What a SIGINT/SIGTERM must still write: the cases finished so far. The
 * signal thread (teardown.h) calls on_signal before tearing down. */
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
static struct kr_run_report *live_rr;
static const char *live_dir, *live_junit;
static const struct kr_run_printer *live_printer;

static void on_signal(int sig)
{
	pthread_mutex_lock(&run_mu);
	if (live_rr) {
		fprintf(stderr, "keyroll: interrupted by %s after %zu case%s; partial reports in %s\n",
			strsignal(sig), live_rr->nresults, live_rr->nresults == 1 ? "" : "s", live_dir);
		live_printer->write(live_rr, live_dir, live_junit);
	}
	pthread_mutex_unlock(&run_mu);
}

bool kr_run_selects(const struct kr_run_opts *o, const struct kr_case *c)
{
	return kr_case_match(c, o->filters, o->nfilters) &&
	       (!o->shard_n || kr_case_shard(c->id, o->shard_n) == o->shard_k);
}

static void write_timeline(const struct kr_ctx *ctx)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/timeline.txt", ctx->dir) >= (int)sizeof(path))
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	const struct kr_result *r = ctx->r;
	fprintf(f, "# %s  %s\n# %s %s\n", r->c->id, r->c->title, kr_level_name(r->c->level),
		r->c->spec);
	for (size_t i = 0; i < r->ntl; i++)
		fprintf(f, "+%.6f %s\n", r->tl[i].t_ns / 1e9, r->tl[i].text);
	fprintf(f, "# outcome %s\n", kr_outcome_name(r->outcome));
	if (r->expected)
		fprintf(f, "# expected: %s\n", r->expected);
	if (r->actual)
		fprintf(f, "# observed: %s\n", r->actual);
	if (r->reason)
		fprintf(f, "# reason: %s\n", r->reason);
	fclose(f);
	kr_artifact((struct kr_ctx *)ctx, path);
}

static unsigned missing_needs(const struct kr_ctx *ctx, char *why, size_t whysz)
{
	unsigned miss = ctx->c->needs & ~ctx->sut->caps;
	if (!miss)
		return 0;
	size_t off = 0;
	why[0] = 0;
	for (unsigned b = 0; b < 32; b++) {
		if (!(miss & (1u << b)))
			continue;
		const char *name = kr_need_name(1u << b);
		const char *m = ctx->sut->missing[b];
		int n = snprintf(why + off, whysz - off, "%sthe SUT profile lacks capability '%s'%s%s",
				 off ? "; " : "", name ? name : "?", m ? ": " : "", m ? m : "");
		if (n < 0 || (size_t)n >= whysz - off)
			break;
		off += (size_t)n;
	}
	return miss;
}

void kr_run_case(struct kr_ctx *ctx, const char *xfail_reason, bool strict)
{
	char why[512];
	if (missing_needs(ctx, why, sizeof(why))) {
		kr_skip(ctx, "%s", why);
	} else {
		int rc = ctx->c->run(ctx);
		/* A run function that reports trouble without a verdict is a
		 * harness bug, not a pass. */
		if (rc != 0 && !ctx->r->decided)
			kr_error(ctx, "case returned %d without a verdict", rc);
	}
	ctx->keep = ctx->opts && ctx->opts->keep_on_fail && ctx->r->outcome == KR_FAIL;
	ctx->r->duration_s = kr_ns_to_s(kr_now_ns() - ctx->r->start_ns);
	kr_ctx_cleanup(ctx);
	kr_result_finish(ctx->r, strict, xfail_reason);
}

static void run_id(char *out, size_t sz, char *iso, size_t isosz)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out, sz, "%s-%ld", ts, (long)getpid());
	strftime(iso, isosz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int kr_run(const struct kr_run_opts *o)
{
	FILE *term = o->term ? o->term : stdout;
	char msg[512];
	if (!o->printer) {
		fprintf(stderr, "keyroll: no report printer\n");
		return 2;
	}
	if (kr_cases_check(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "keyroll: %s\n", msg);
		return 2;
	}
	const struct kr_case_ref *refs;
	size_t nall = kr_cases(&refs), nsel = 0, nfiltered = 0;
	char sel_sha[65], prof_sha[65];
	if (kr_selection_sha256(o->filters, o->nfilters, sel_sha, &nfiltered) < 0) {
		fprintf(stderr, "keyroll: cannot hash the case selection\n");
		return 2;
	}
	for (size_t i = 0; i < nall; i++)
		nsel += kr_run_selects(o, refs[i].c);
	if (nfiltered == 0) {
		fprintf(stderr, "keyroll: no case matches the filter (see `keyroll list`)\n");
		return 2;
	}
	/* An empty shard is a valid (empty) run: CI starts every shard. */

	struct kr_sut_info sut;
	if (kr_sut_info_load(&sut, o->profile, o->sut_opts, o->nsut_opts, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "keyroll: %s\n", msg);
		return 2;
	}
	if (!sut.profile_path || kr_file_sha256(sut.profile_path, prof_sha) < 0)
		snprintf(prof_sha, sizeof(prof_sha), "unknown");
	kr_sut_info_set_interactive(&sut, o->interactive);

	char id[64], iso[32], dir[PATH_MAX];
	run_id(id, sizeof(id), iso, sizeof(iso));
	if (o->out_dir)
		snprintf(dir, sizeof(dir), "%s", o->out_dir);
	else
		snprintf(dir, sizeof(dir), "reports/%s", id);
	if (kr_mkdirs(dir) < 0) {
		fprintf(stderr, "keyroll: cannot create %s: %s\n", dir, strerror(errno));
		kr_sut_info_free(&sut);
		return 2;
	}
	if (!o->out_dir) {
		/* reports/latest -> the newest run (relative, so it survives
		 * moving the tree). */
		unlink("reports/latest.tmp");
		if (symlink(id, "reports/latest.tmp") == 0)
			rename("reports/latest.tmp", "reports/latest");
	}

	/* Cases get absolute paths: the SUT, ExaBGP and helpers may run with
	 * another working directory. */
	char adir[PATH_MAX];
	if (!realpath(dir, adir)) {
		fprintf(stderr, "keyroll: %s: %s\n", dir, strerror(errno));
		kr_sut_info_free(&sut);
		return 2;
	}
	struct kr_result *res = calloc(nsel ? nsel : 1, sizeof(*res));
	if (!res) {
		kr_sut_info_free(&sut);
		return 2;
	}
	struct kr_run_report rr = {
		.run_id = id, .sut_name = sut.name, .sut_version = sut.version,
		.sut_profile = sut.profile_path, .started = iso, .time_scale = o->time_scale,
		.strict = o->strict, .sut_opts = (const char *const *)o->sut_opts,
		.nsut_opts = o->nsut_opts, .results = res, .nresults = 0,
		.shard_k = o->shard_n ? o->shard_k : 0, .shard_n = o->shard_n,
		.filters = (const char *const *)o->filters, .nfilters = o->nfilters,
		.nselected = nfiltered, .selection_sha256 = sel_sha, .sut_profile_sha256 = prof_sha,
	};
	pthread_mutex_lock(&run_mu);
	live_rr = &rr;
	live_dir = dir;
	live_junit = o->junit;
	live_printer = o->printer;
	pthread_mutex_unlock(&run_mu);
	kr_teardown_on_signal(on_signal);
	fprintf(term, "keyroll: %zu case%s against %s [%s] (profile %s), time scale %g", nsel,
		nsel == 1 ? "" : "s", sut.name, sut.version ? sut.version : "version unknown",
		sut.profile_path ? sut.profile_path : "-", o->time_scale);
	if (o->shard_n)
		fprintf(term, ", shard %u/%u of %zu", o->shard_k, o->shard_n, nfiltered);
	/* One SUT for the run: the world's run part and one event loop outlive
	 * the cases (world.h, kr_world_run_new). */
	const struct kr_sut_profile *prof = sut.profile;
	bool shared = o->sut_lifetime == 2 || (o->sut_lifetime == 0 && prof && prof->lifetime_run);
	struct kr_loop *run_loop = shared ? kr_loop_new() : NULL;
	struct kr_world_run *wrun = run_loop ? kr_world_run_new(run_loop, adir) : NULL;
	if (shared)
		fprintf(term, ", one SUT for the run");
	fputc('\n', term);
	int64_t t0 = kr_now_ns();
	size_t done = 0;
	bool stop = false, kept = false;
	for (size_t i = 0; i < nall && !stop; i++) {
		if (!kr_run_selects(o, refs[i].c))
			continue;
		struct kr_result *r = &res[done];
		kr_result_init(r, refs[i].suite, refs[i].c);
		char cdir[PATH_MAX];
		bool long_path = snprintf(cdir, sizeof(cdir), "%s/%s", adir, refs[i].c->id) >= (int)sizeof(cdir);
		struct kr_loop *loop = shared ? run_loop : kr_loop_new();
		struct kr_ctx ctx = {
			.c = refs[i].c, .r = r, .loop = loop, .time_scale = o->time_scale,
			.dir = cdir, .run_dir = adir, .sut = &sut, .opts = o, .wrun = wrun,
		};
		if (!loop || (shared && !wrun))
			kr_error(&ctx, "cannot create the event loop");
		else if (long_path)
			kr_error(&ctx, "evidence path too long under %s", adir);
		else if (kr_mkdirs(cdir) < 0)
			kr_error(&ctx, "cannot create %s: %s", cdir, strerror(errno));
		else
			kr_log(&ctx, "case %s starts (time scale %g)", refs[i].c->id, o->time_scale);
		if (!r->decided)
			kr_run_case(&ctx, kr_sut_info_xfail(&sut, refs[i].c->id), o->strict);
		else
			kr_result_finish(r, o->strict, NULL);
		if (loop)
			write_timeline(&ctx);
		if (!shared)
			kr_loop_free(loop);
		o->printer->result(term, done, nsel, r, o->color);
		pthread_mutex_lock(&run_mu);
		done++;
		rr.nresults = done;
		rr.time_s = kr_ns_to_s(kr_now_ns() - t0);
		pthread_mutex_unlock(&run_mu);
		if (ctx.keep) {
			fprintf(term, "--keep-on-fail: stopped after %s; its namespaces and links are left "
				      "up, its processes ended with the case (remove with `keyroll clean`)\n",
				refs[i].c->id);
			stop = kept = true;
		}
	}
	if (shared) {
		fprintf(term, "one SUT for the run: started %u time%s\n", kr_world_run_starts(wrun),
			kr_world_run_starts(wrun) == 1 ? "" : "s");
		kr_world_run_free(wrun, kept);
		kr_loop_free(run_loop);
	}

	pthread_mutex_lock(&run_mu);
	live_rr = NULL;
	pthread_mutex_unlock(&run_mu);
	rr.time_s = kr_ns_to_s(kr_now_ns() - t0);
	char host[256];
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = 0;
		rr.hostname = host;
	}
	int wrc = o->printer->write(&rr, dir, o->junit);
	o->printer->summary(term, &rr, dir, o->color);

	int rc = 0;
	for (size_t i = 0; i < done; i++) {
		if (res[i].outcome == KR_ERROR)
			rc = 2;
		else if (kr_outcome_fails(res[i].outcome) && rc == 0)
			rc = 1;
	}
	if (wrc < 0)
		rc = 2;
	for (size_t i = 0; i < done; i++)
		kr_result_free(&res[i]);
	free(res);
	kr_sut_info_free(&sut);
	return rc;
}
