/* The wire lint at the end of every case that built a world: every
 * message the SUT sent on every link, whatever the case tests
 * (net/lint_pcap.h over the case's sut-*.pcap). A broken MUST rule turns a
 * passing (or WARN, or NOT-JUDGED) case into a FAIL whose observation
 * starts with "wire lint:"; the findings are in the timeline and in
 * wire-lint.txt. */
#include "run/world_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/lint_pcap.h"
#include "run/runner.h"

#define TL_MAX 20 /* findings copied into the timeline */

static void write_file(struct kr_world *w, const struct kr_lint_out *o)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/wire-lint.txt", w->ctx->dir) >= (int)sizeof path)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	char line[1024];
	for (size_t i = 0; i < o->n; i++) {
		kr_lint_finding_str(&o->f[i], line, sizeof line);
		fprintf(f, "%s: %s\n", kr_lint_finding_must(&o->f[i]) ? "violation" : "advice", line);
	}
	if (o->total + o->advice > o->n)
		fprintf(f, "... %zu more not listed\n", o->total + o->advice - o->n);
	for (size_t i = 0; i < o->nnotes; i++)
		fprintf(f, "note: %s\n", o->notes[i]);
	if (o->sig_sample_mod > 1)
		fprintf(f, "note: the SUT made %llu signatures, over the lint's budget: every SKI checked, ECDSA "
			   "verified for 1 prefix in %u (deterministic sample by prefix hash)\n",
			(unsigned long long)o->sigs_made, o->sig_sample_mod);
	fclose(f);
	kr_artifact(w->ctx, path);
}

static void verdict(struct kr_world *w, const struct kr_lint_out *o)
{
	struct kr_result *r = w->ctx->r;
	const struct kr_lint_finding *first = NULL;
	for (size_t i = 0; i < o->n && !first; i++)
		if (kr_lint_finding_must(&o->f[i]))
			first = &o->f[i];
	char line[1024], rules[256] = "";
	size_t off = 0;
	for (int k = 0; k < KR_L_COUNT; k++)
		if (o->per_rule[k] && kr_lint_rule(k)->sev == KR_LINT_MUST && off < sizeof rules - 40)
			off += (size_t)snprintf(rules + off, sizeof rules - off, "%s%s x%zu", off ? ", " : "",
						kr_lint_rule(k)->id, o->per_rule[k]);
	if (first)
		kr_lint_finding_str(first, line, sizeof line);
	else
		snprintf(line, sizeof line, "(not kept)");
	char sample[80] = "";
	if (o->sig_sample_mod > 1 && o->per_rule[KR_L_SIGNATURE])
		snprintf(sample, sizeof sample, "; signatures verified for 1 prefix in %u", o->sig_sample_mod);
	char *actual = NULL;
	if (asprintf(&actual, "wire lint: %s%s%s%s%s", line, o->total > 1 ? "; all violations: " : "",
		     o->total > 1 ? rules : "", o->total > 1 ? " (wire-lint.txt)" : "", sample) < 0)
		actual = NULL;
	/* a MUST broken on the wire outweighs a pass, a SHOULD and an unmet
	 * precondition; a FAIL, a crash, SKIP and ERROR stand */
	if ((r->outcome == KR_PASS || r->outcome == KR_WARN || r->outcome == KR_NOT_JUDGED) && !r->sut_crash) {
		kr_result_log(r, kr_now_ns(), "wire lint replaces %s", kr_outcome_name(r->outcome));
		r->decided = false;
		free(r->expected);
		free(r->actual);
		free(r->reason);
		r->expected = r->actual = r->reason = NULL;
		kr_result_set(r, KR_FAIL, "every message the SUT sends is well-formed (wire lint, RFC 4271 §4-5, "
				       "RFC 4760, RFC 7606, RFC 8205 §2-4, RFC 8210)",
			      actual ? actual : "wire lint: violations (wire-lint.txt)", NULL);
		r->must = true; /* a MUST even in a SHOULD case */
	} else {
		kr_result_log(r, kr_now_ns(), "%s", actual ? actual : "wire lint: violations");
	}
	free(actual);
}

/* The signature budget of a case: --lint-sig-budget, else the default. */
static uint64_t sig_budget(const struct kr_world *w)
{
	uint64_t b = w->ctx->opts ? w->ctx->opts->lint_sig_budget : 0;
	return b == UINT64_MAX ? 0 : b ? b : KR_LINT_SIG_BUDGET;
}

void kr_w_lint(struct kr_world *w, const char *const *paths, size_t n)
{
	if (!n)
		return;
	struct kr_lint_opts o = {
		.sender_as = kr_sut_asn(),
		.bgp_ports = { 179 },
		.rtr_ports = { KR_W_RTR_PORT, 323 },
		/* a signature made just before the SUT learnt that its key was
		 * withdrawn still counts, for as long as the SUT may take to react */
		.grace_ns = (int64_t)(kr_w_deadline_s(w, KR_W_RTR) * 1e9),
		.sig_budget = sig_budget(w),
	};
	struct kr_lint_out out;
	struct kr_err err = { 0 };
	int64_t t0 = kr_now_ns();
	if (kr_lint_pcaps(paths, n, &o, &out, &err) < 0) {
		kr_log(w->ctx, "wire lint: captures unreadable: %s", err.msg);
		return; /* the case's own verdict stands; the evidence says why */
	}
	double dt = kr_ns_to_s(kr_now_ns() - t0);
	/* what the lint costs, so that users see it at full-table size */
	kr_metric(w->ctx, "lint_time_s", dt, "s");
	kr_metric(w->ctx, "lint_msgs", (double)out.stats.messages, "messages");
	kr_metric(w->ctx, "lint_mem_mb", (double)out.peak_bytes / 1e6, "MB");
	kr_metric(w->ctx, "lint_sigs_verified", (double)out.stats.signatures, "signatures");
	if (out.sig_sample_mod > 1) {
		kr_metric(w->ctx, "lint_sigs_made", (double)out.sigs_made, "signatures");
		kr_metric(w->ctx, "lint_sig_sample_1_in", out.sig_sample_mod, "prefixes");
	}
	char sample[300] = "";
	if (out.sig_sample_mod > 1)
		snprintf(sample, sizeof sample,
			 "; the SUT made %llu signatures, over the budget of %llu: every SKI checked, ECDSA verified "
			 "for 1 prefix in %u (deterministic sample by prefix hash, every signature of a sampled "
			 "prefix on every link)",
			 (unsigned long long)out.sigs_made, (unsigned long long)o.sig_budget, out.sig_sample_mod);
	kr_log(w->ctx, "wire lint: %llu BGP messages of the SUT (%llu UPDATEs, %llu signatures verified%s%s), "
		       "%zu RTR PDUs; %zu violation%s, %zu advice; %.1f s on %u thread%s, %.0f MB%s",
	       (unsigned long long)out.stats.messages, (unsigned long long)out.stats.updates,
	       (unsigned long long)out.stats.signatures, out.sig_sample_mod > 1 ? " of a sample" : "",
	       out.keys_from_rtr ? "" : ", no RTR keys seen", out.rtr_pdus, out.total, out.total == 1 ? "" : "s",
	       out.advice, dt, out.threads, out.threads == 1 ? "" : "s", (double)out.peak_bytes / 1e6, sample);
	char line[1024];
	for (size_t i = 0; i < out.n && i < TL_MAX; i++) {
		kr_lint_finding_str(&out.f[i], line, sizeof line);
		kr_log(w->ctx, "wire lint %s: %s", kr_lint_finding_must(&out.f[i]) ? "violation" : "advice", line);
	}
	for (size_t i = 0; i < out.nnotes; i++)
		kr_log(w->ctx, "wire lint note: %s", out.notes[i]);
	if (out.n || out.nnotes)
		write_file(w, &out);
	if (out.total)
		verdict(w, &out);
	kr_lint_out_free(&out);
}
