/* The judge's verdicts as results (judge_int.h): one "case" per verdict,
 * so the report layer prints them as it prints a run. */
#include "run/judge_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kr_case cases[KR_JUDGE_NVERDICTS] = {
	[V_NOTVALID] = { .id = "judge/8205-5/not-valid", .level = KR_MUST,
			 .spec = "RFC 8205 §5, §5.2; RFC 8634 §3.1",
			 .title = "no route propagated while Not Valid under the keys the router held",
			 .req = "a route whose signatures do not verify with the router keys the router holds is not "
				"propagated (judged when the router sends it, with the keys it had then)" },
	[V_GONE] = { .id = "judge/8634-3.1-5/withdrawn-key", .level = KR_MUST,
		     .spec = "RFC 8634 §3.1 step 5; draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 5; RFC 8210 §6",
		     .title = "routes signed with a key the cache withdrew are withdrawn downstream within the deadline",
		     .req = "when a router key is withdrawn (or expires), every route resting on it is withdrawn or "
			    "replaced at every peer, BGPsec and plain, within the deadline" },
	[V_TWILIGHT] = { .id = "judge/8634-3.1-3/own-key-switch", .level = KR_MUST,
			 .spec = "RFC 8634 §3.1 step 3; draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3",
			 .title = "after its own key switch the router re-advertises every route to every BGPsec peer "
				  "with the new key, and uses the old one no more",
			 .req = "Twilight: every UPDATE the AS had signed with the old key is re-signed with the new one; "
				"the old key stops signing" },
	[V_REPLAY] = { .id = "judge/rollover-4/replay", .level = KR_MUST,
		       .spec = "draft-rogaglia-sidr-bgpsec-rollover-01 §4; RFC 8205 §5.2",
		       .title = "a replayed UPDATE signed with a withdrawn key is not propagated",
		       .req = "octets received before, signed with a key withdrawn since, no longer validate and are "
			      "not propagated" },
	[V_LINT] = { .id = "judge/lint", .level = KR_MUST,
		     .spec = "RFC 4271 §4-5; RFC 4760; RFC 7606; RFC 8205 §2-4; RFC 8210",
		     .title = "every message the router sent is well-formed (wire lint)",
		     .req = "the rules of keyroll's wire lint (`keyroll pcap lint`) on every message of the router" },
	[V_SESSIONS] = { .id = "judge/4271-8/sessions", .level = KR_MUST,
			 .spec = "RFC 4271 §6, §8; RFC 7606 §2",
			 .title = "no BGP session of the router is lost",
			 .req = "no NOTIFICATION other than Cease on the router's sessions, and none established again" },
};

const struct kr_suite kr_judge_suite = { "judge", "verdicts from captures (keyroll judge)", cases,
					  KR_JUDGE_NVERDICTS };

static int cmp_find(const void *a, const void *b)
{
	const struct jfind *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

void kr_jout_results(struct judge *J, struct kr_result *res)
{
	size_t cite = J->o->max_cited ? J->o->max_cited : 20;
	double span = kr_ns_to_s(J->t_end - J->t0);
	for (int v = 0; v < KR_JUDGE_NVERDICTS; v++) {
		struct jverdict *jv = &J->v[v];
		struct kr_result *r = &res[v];
		kr_result_init(r, &kr_judge_suite, &cases[v]);
		r->start_ns = r->start_wall_ns = J->t0; /* capture time: timeline entries are offsets in it */
		if (jv->nev)
			qsort(jv->ev, jv->nev, sizeof *jv->ev, cmp_find);
		if (jv->n)
			qsort(jv->f, jv->n, sizeof *jv->f, cmp_find);
		for (size_t i = 0; i < jv->nev; i++)
			kr_result_log(r, jv->ev[i].t, "%s", jv->ev[i].text);
		for (size_t i = 0; i < jv->n && i < cite; i++)
			kr_result_log(r, jv->f[i].t, "finding: %s", jv->f[i].text);
		if (jv->n > cite)
			kr_result_log(r, J->t_end, "... %zu more findings", jv->n - cite);
		switch (v) {
		case V_NOTVALID: kr_result_metric(r, "forwards_judged", (double)J->forwards, "UPDATEs"); break;
		case V_TWILIGHT: kr_result_metric(r, "key_switches", (double)J->nsw, ""); break;
		case V_REPLAY: kr_result_metric(r, "replays_received", (double)J->replays, "UPDATEs"); break;
		case V_LINT: kr_result_metric(r, "messages_linted", jv->metric[0], "messages"); break;
		case V_GONE: kr_result_metric(r, "key_spans", (double)J->nspans, ""); break;
		}
		if (jv->skip) {
			kr_result_set(r, KR_SKIP, NULL, NULL, jv->skip);
		} else if (v == V_TWILIGHT && J->nsw == 0 && !jv->n) {
			kr_result_set(r, KR_SKIP, NULL, NULL, "no key switch of the router in the captures");
		} else if (jv->n) {
			char *actual = NULL;
			if (asprintf(&actual, "%zu finding%s; first: %s", jv->n, jv->n == 1 ? "" : "s", jv->f[0].text) < 0)
				actual = NULL;
			kr_result_set(r, KR_FAIL, cases[v].req, actual, NULL);
			free(actual);
		}
		r->duration_s = span > 0 ? span : 1e-9;
		kr_result_finish(r, false, NULL);
	}
}
