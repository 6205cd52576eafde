/* results.json printer (jansson). One object per run: run metadata, counts
 * per outcome, and one object per case with everything its record holds. */
#include <jansson.h>
#include <stdio.h>

#include "report/report.h"

static json_t *str_or_null(const char *s)
{
	/* Invalid UTF-8 (e.g. bytes copied from a SUT log) would make jansson
	 * refuse the string; keep the record and drop only that value. */
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	return j ? j : json_string("(not valid UTF-8)");
}

static json_t *crash_json(const struct kr_sut_crash *c)
{
	if (!c)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "summary", str_or_null(c->summary));
	json_object_set_new(o, "kind", str_or_null(c->kind));
	json_object_set_new(o, "status", str_or_null(c->status));
	json_object_set_new(o, "signal", c->signal ? json_integer(c->signal) : json_null());
	json_object_set_new(o, "signal_name", str_or_null(c->signal_name));
	json_object_set_new(o, "exit_code", c->exit_code >= 0 ? json_integer(c->exit_code) : json_null());
	json_object_set_new(o, "t", json_real(c->t_s));
	json_object_set_new(o, "after_step", str_or_null(c->after));
	json_object_set_new(o, "after_step_t", json_real(c->after_s));
	json_object_set_new(o, "waiting_for", str_or_null(c->waiting_for));
	json_t *d = json_array();
	for (size_t i = 0; i < c->ndrops; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "peer", str_or_null(c->drops[i].peer));
		json_object_set_new(e, "t", json_real(c->drops[i].t_s));
		json_object_set_new(e, "down", str_or_null(c->drops[i].text));
		json_array_append_new(d, e);
	}
	json_object_set_new(o, "sessions", d);
	json_t *l = json_array();
	for (size_t i = 0; i < c->nlogs; i++) {
		json_t *e = json_object(), *lines = json_array();
		json_object_set_new(e, "file", str_or_null(c->logs[i].file));
		for (size_t j = 0; j < c->logs[i].nlines; j++)
			json_array_append_new(lines, str_or_null(c->logs[i].lines[j]));
		json_object_set_new(e, "lines", lines);
		json_array_append_new(l, e);
	}
	json_object_set_new(o, "log_tail", l);
	return o;
}

json_t *kr_report_case_json(const struct kr_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->c->id));
	json_object_set_new(o, "suite", json_string(r->suite ? r->suite->name : ""));
	json_object_set_new(o, "title", str_or_null(r->c->title));
	json_object_set_new(o, "level", json_string(kr_level_name(r->c->level)));
	json_object_set_new(o, "family", json_string(kr_family_name(kr_case_family(r->c))));
	json_object_set_new(o, "spec", str_or_null(r->c->spec));
	json_object_set_new(o, "requirement", str_or_null(r->c->req));
	json_object_set_new(o, "outcome", json_string(kr_outcome_name(r->outcome)));
	json_object_set_new(o, "expected", str_or_null(r->expected));
	json_object_set_new(o, "actual", str_or_null(r->actual));
	json_object_set_new(o, "reason", str_or_null(r->reason));
	json_object_set_new(o, "sut_crash", crash_json(r->sut_crash));
	json_object_set_new(o, "duration_s", json_real(r->duration_s));
	json_object_set_new(o, "start_wall_ns", json_integer((json_int_t)r->start_wall_ns));

	json_t *m = json_array();
	for (size_t i = 0; i < r->nmetrics; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "name", str_or_null(r->metrics[i].name));
		json_object_set_new(e, "value", json_real(r->metrics[i].value));
		json_object_set_new(e, "unit", str_or_null(r->metrics[i].unit));
		json_array_append_new(m, e);
	}
	json_object_set_new(o, "metrics", m);

	json_t *a = json_array();
	for (size_t i = 0; i < r->nartifacts; i++)
		json_array_append_new(a, str_or_null(r->artifacts[i]));
	json_object_set_new(o, "artifacts", a);

	json_t *t = json_array();
	for (size_t i = 0; i < r->ntl; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "t", json_real(r->tl[i].t_ns / 1e9));
		json_object_set_new(e, "event", str_or_null(r->tl[i].text));
		json_object_set_new(e, "kind", json_string(kr_tl_kind_name(r->tl[i].kind)));
		json_array_append_new(t, e);
	}
	json_object_set_new(o, "timeline", t);
	return o;
}

json_t *kr_report_json_doc(const struct kr_run_report *rr)
{
	json_t *root = json_object();
	json_object_set_new(root, "tool", json_string("keyroll"));
	json_object_set_new(root, "run_id", str_or_null(rr->run_id));
	json_object_set_new(root, "started", str_or_null(rr->started));
	json_object_set_new(root, "hostname", str_or_null(rr->hostname));
	json_object_set_new(root, "time_s", json_real(rr->time_s));
	json_object_set_new(root, "time_scale", json_real(rr->time_scale));
	json_object_set_new(root, "strict", json_boolean(rr->strict));

	json_t *sut = json_object();
	json_object_set_new(sut, "name", str_or_null(rr->sut_name));
	json_object_set_new(sut, "version", str_or_null(rr->sut_version));
	json_object_set_new(sut, "profile", str_or_null(rr->sut_profile));
	json_t *opts = json_array();
	for (size_t i = 0; i < rr->nsut_opts; i++)
		json_array_append_new(opts, str_or_null(rr->sut_opts[i]));
	json_object_set_new(sut, "options", opts);
	json_object_set_new(sut, "profile_sha256", str_or_null(rr->sut_profile_sha256));
	json_object_set_new(root, "sut", sut);

	json_t *sel = json_object();
	json_t *fl = json_array();
	for (size_t i = 0; i < rr->nfilters; i++)
		json_array_append_new(fl, str_or_null(rr->filters[i]));
	json_object_set_new(sel, "filters", fl);
	json_object_set_new(sel, "cases", json_integer((json_int_t)rr->nselected));
	json_object_set_new(sel, "sha256", str_or_null(rr->selection_sha256));
	json_object_set_new(root, "selection", sel);
	if (rr->shard_n) {
		json_t *sh = json_object();
		json_object_set_new(sh, "index", json_integer(rr->shard_k));
		json_object_set_new(sh, "count", json_integer(rr->shard_n));
		json_object_set_new(root, "shard", sh);
	}

	size_t counts[KR_OUTCOME_COUNT];
	kr_report_count(rr, counts);
	json_t *c = json_object();
	for (int o = 0; o < KR_OUTCOME_COUNT; o++)
		json_object_set_new(c, kr_outcome_name(o), json_integer((json_int_t)counts[o]));
	json_object_set_new(root, "counts", c);

	json_t *cases = json_array();
	for (size_t i = 0; i < rr->nresults; i++)
		json_array_append_new(cases, kr_report_case_json(&rr->results[i]));
	json_object_set_new(root, "cases", cases);
	return root;
}

int kr_report_json(const char *path, const struct kr_run_report *rr)
{
	json_t *root = kr_report_json_doc(rr);
	int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return rc == 0 ? 0 : -1;
}
