/* index.html printer (report.h): one page, no external resource, that a CI
 * artifact browser or a file:// URL opens as is. Every case gets its
 * record (requirement, spec, verdict, metrics), its timeline picture
 * (report_svg.c) and links to its evidence. Fields of the record this
 * printer has no special place for (new outcome kinds, new fields) are
 * shown generically from the same JSON results.json holds. */
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "report/report.h"
#include "report/timeline.h"

static void esc(FILE *f, const char *s)
{
	kr_xml_escape(f, s ? s : "");
}

/* A relative link to a file in the run folder, percent-encoded. */
static void href(FILE *f, const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (isalnum(*p) || strchr("/._-~", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

static void oclass(FILE *f, enum kr_outcome o)
{
	fputs("o-", f);
	for (const char *p = kr_outcome_name(o); *p; p++)
		fputc(isalnum((unsigned char)*p) ? tolower((unsigned char)*p) : '-', f);
}

static void badge(FILE *f, enum kr_outcome o)
{
	fputs("<span class=\"badge ", f);
	oclass(f, o);
	fprintf(f, "\">%s</span>", kr_outcome_name(o));
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}"
	"header{background:#fff;border-bottom:1px solid #d0d7de;padding:14px 24px}"
	"h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 8px}"
	"main{padding:0 24px 40px}.meta{color:#57606a;margin:2px 0}"
	".counts{margin-top:8px}.counts .badge{font-size:13px;padding:3px 9px;margin-right:6px}"
	".badge{display:inline-block;border-radius:10px;padding:1px 8px;font-weight:600;font-size:12px;color:#fff;background:#6e7781;letter-spacing:.02em}"
	".o-pass{background:#1a7f37}.o-fail,.o-xpass{background:#cf222e}.o-error{background:#8250df}"
	".o-warn{background:#bf8700}.o-skip,.o-xfail{background:#6e7781}.o-not-judged{background:#1b7c83}"
	".crash{border:1px solid #cf222e;background:#fff5f5;border-radius:4px;padding:6px 10px;margin:6px 0}"
	".crash pre{background:#fff;margin:4px 0}svg.tl .crash line{stroke:#82071e;stroke-width:2;stroke-dasharray:6 3}"
	"svg.tl .crash text{font-size:10px;font-weight:700;fill:#82071e}"
	"table{border-collapse:collapse;background:#fff;border:1px solid #d0d7de}"
	"th,td{text-align:left;padding:2px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}"
	"#summary td{font-size:13px}#summary td:nth-child(2){white-space:nowrap}.num{white-space:nowrap;text-align:right}"
	".spec{color:#57606a;font-size:11px;margin-left:6px}"
	"th{background:#f6f8fa;font-weight:600}tr.bad td{background:#fff5f5}"
	"a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}"
	"details.case{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:0 14px}"
	"details.case>summary{cursor:pointer;padding:10px 0;font-weight:600;font-size:15px}"
	"details.case.bad{border-left:5px solid #cf222e}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:4px 0 10px}"
	"dt{color:#57606a}dd{margin:0}dd.obs{color:#a40e26;font-weight:600}"
	".svgwrap{overflow-x:auto;border:1px solid #eaeef2;border-radius:4px;margin:8px 0;background:#fff}"
	"pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px}"
	".evidence a{margin-right:12px;white-space:nowrap}.problem{color:#a40e26}"
	"svg.tl text{font-family:system-ui,sans-serif}"
	"svg.tl .h{font-size:14px;font-weight:700}svg.tl .cap{font-size:12px}svg.tl .k{font-weight:700}"
	"svg.tl .lane{font-size:11px;text-anchor:end;font-weight:600;fill:#24292f}"
	"svg.tl .sub{font-size:9px;text-anchor:end;fill:#57606a}"
	"svg.tl .row{fill:#f6f8fa}svg.tl .base{stroke:#d0d7de}"
	"svg.tl .ax{stroke:#8c959f}svg.tl .tick{stroke:#8c959f}svg.tl .tl{font-size:9px;text-anchor:middle;fill:#57606a}"
	"svg.tl .band{fill:#afb8c1;fill-opacity:.18;pointer-events:none}"
	"svg.tl .gap{font-size:9px;text-anchor:middle;fill:#57606a;pointer-events:none}"
	"svg.tl .lbl,svg.tl .lw,svg.tl .lbf,svg.tl .kn,svg.tl .lg{font-size:9px}"
	"svg.tl .lbl{fill:#24292f}svg.tl .lw{fill:#a40e26}svg.tl .lbf{fill:#a40e26;font-weight:700}"
	"svg.tl .kn{fill:#fff;font-weight:600}svg.tl .lg text{font-size:10px}"
	"svg.tl .ann{stroke:#24292f;stroke-width:.8}svg.tl .wd{stroke:#cf222e;stroke-width:2.4;fill:none}"
	"svg.tl .ka{stroke:#24292f;stroke-width:.6}svg.tl .kd{fill:#fff;stroke-width:2}"
	"svg.tl .alarm{fill:#cf222e}svg.tl .open{fill:none;stroke:#8c959f}svg.tl .minor{stroke:#8c959f}"
	"svg.tl .note{fill:#8c959f}"
	"svg.tl .cease{fill:#afb8c1}svg.tl .after{fill:#fff;fill-opacity:.6;pointer-events:none}svg.tl .xp rect.win,svg.tl .xf rect.win{fill:none;stroke-dasharray:3 2}"
	"svg.tl .xp rect,svg.tl .xpr{fill:#b6d4fe;stroke:#0969da;stroke-width:.6}svg.tl .xp line{stroke:#0969da}"
	"svg.tl .xp path{fill:#0969da}svg.tl .xf rect{fill:#ffb3b3;stroke:#cf222e;stroke-width:1.2}"
	"svg.tl .xf line{stroke:#cf222e;stroke-width:2}svg.tl .xf path{fill:#cf222e}"
	"svg.tl .step line{stroke:#6e7781;stroke-dasharray:4 3}svg.tl .step text{font-size:10px;font-weight:700;fill:#57606a}"
	"svg.tl .verdict line{stroke-width:2.5}svg.tl .verdict text{font-size:11px;font-weight:700;text-anchor:end}"
	"svg.tl .span{stroke:#24292f;stroke-width:.4}svg.tl .problem{font-size:11px;fill:#a40e26}";

static bool fails(const struct kr_result *r)
{
	return r->outcome != KR_PASS;
}

static void anchor(FILE *f, const struct kr_result *r)
{
	fputs("case-", f);
	esc(f, r->c->id);
}

/* Keys of a JSON object this page renders in a place of its own. */
static bool known_key(const char *k, const char *const *known)
{
	for (; *known; known++)
		if (!strcmp(k, *known))
			return true;
	return false;
}

/* Rows for every field not in known: new fields of the model show up. */
static void extra_fields(FILE *f, json_t *o, const char *const *known, const char *dt_class)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		if (known_key(k, known) || json_is_null(v))
			continue;
		fprintf(f, "<dt class=\"%s\">", dt_class);
		esc(f, k);
		fputs("</dt><dd>", f);
		if (json_is_string(v)) {
			esc(f, json_string_value(v));
		} else {
			char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			esc(f, s ? s : "?");
			free(s);
		}
		fputs("</dd>\n", f);
	}
}

static void header(FILE *f, const struct kr_run_report *rr, json_t *doc)
{
	size_t counts[KR_OUTCOME_COUNT];
	kr_report_count(rr, counts);
	fputs("<header><h1>keyroll report: ", f);
	esc(f, rr->sut_name);
	fputs(" <span class=\"meta\">", f);
	esc(f, rr->sut_version ? rr->sut_version : "version unknown");
	fputs("</span></h1>\n<p class=\"meta\">", f);
	fprintf(f, "%zu case%s in %.1f s", rr->nresults, rr->nresults == 1 ? "" : "s", rr->time_s);
	if (rr->run_id) {
		fputs(" &middot; run ", f);
		esc(f, rr->run_id);
	}
	if (rr->started) {
		fputs(" &middot; started ", f);
		esc(f, rr->started);
	}
	if (rr->hostname) {
		fputs(" on ", f);
		esc(f, rr->hostname);
	}
	fprintf(f, " &middot; time scale %g%s", rr->time_scale, rr->strict ? " &middot; --strict" : "");
	if (rr->shard_n)
		fprintf(f, " &middot; shard %u/%u of %zu selected cases", rr->shard_k, rr->shard_n, rr->nselected);
	fputs("</p>\n<p class=\"meta\">profile ", f);
	esc(f, rr->sut_profile ? rr->sut_profile : "-");
	for (size_t i = 0; i < rr->nsut_opts; i++) {
		fputs(" &middot; ", f);
		esc(f, rr->sut_opts[i]);
	}
	for (size_t i = 0; i < rr->nfilters; i++) {
		fputs(i ? " " : " &middot; cases ", f);
		esc(f, rr->filters[i]);
		fputs("*", f);
	}
	fputs("</p>\n", f);
	static const char *const known[] = { "tool", "run_id", "started", "hostname", "time_s", "time_scale",
					     "strict", "sut", "selection", "shard", "counts", "cases", NULL };
	fputs("<dl>", f);
	extra_fields(f, doc, known, "meta");
	fputs("</dl>\n<div class=\"counts\">", f);
	for (int o = 0; o < KR_OUTCOME_COUNT; o++) {
		if (!counts[o])
			continue;
		fputs("<span class=\"badge ", f);
		oclass(f, o);
		fprintf(f, "\">%zu %s</span>", counts[o], kr_outcome_name(o));
	}
	fputs("</div></header>\n", f);
}

static void summary(FILE *f, const struct kr_run_report *rr)
{
	fputs("<h2>Cases</h2>\n<table id=\"summary\"><tr><th>outcome</th><th>case</th><th>level</th>"
	      "<th>title <span class=\"spec\">spec</span></th><th>time</th></tr>\n", f);
	for (size_t i = 0; i < rr->nresults; i++) {
		const struct kr_result *r = &rr->results[i];
		fprintf(f, "<tr%s><td>", fails(r) ? " class=\"bad\"" : "");
		badge(f, r->outcome);
		fputs("</td><td><a href=\"#", f);
		anchor(f, r);
		fputs("\">", f);
		esc(f, r->c->id);
		fprintf(f, "</a></td><td>%s</td><td>", kr_level_name(r->c->level));
		esc(f, r->c->title);
		fputs(" <span class=\"spec\">", f);
		esc(f, r->c->spec);
		fprintf(f, "</span></td><td class=\"num\">%.2f s</td></tr>\n", r->duration_s);
	}
	fputs("</table>\n", f);
}

static void dd(FILE *f, const char *dt, const char *text, const char *cls)
{
	if (!text)
		return;
	fprintf(f, "<dt>%s</dt><dd%s%s%s>", dt, cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	esc(f, text);
	fputs("</dd>\n", f);
}

/* The SUT broke down: shown first, before what the case expected. */
static void crash(FILE *f, const struct kr_sut_crash *c)
{
	fputs("<div class=\"crash\"><b>SUT crash:</b> ", f);
	esc(f, c->summary ? c->summary : c->status);
	fputs("<dl>", f);
	dd(f, "status", c->status, NULL);
	if (c->after) {
		char t[64];
		snprintf(t, sizeof(t), " (at +%.3f s)", c->after_s);
		fputs("<dt>after</dt><dd>", f);
		esc(f, c->after);
		fprintf(f, "%s</dd>", t);
	}
	dd(f, "waiting for", c->waiting_for, NULL);
	for (size_t i = 0; i < c->ndrops; i++) {
		fprintf(f, "<dt>session %s</dt><dd>+%.3f s: ", c->drops[i].peer ? c->drops[i].peer : "?", c->drops[i].t_s);
		esc(f, c->drops[i].text);
		fputs("</dd>", f);
	}
	fputs("</dl>", f);
	for (size_t i = 0; i < c->nlogs; i++) {
		fputs("last lines of ", f);
		esc(f, c->logs[i].file);
		fputs(":<pre>", f);
		for (size_t j = 0; j < c->logs[i].nlines; j++) {
			esc(f, c->logs[i].lines[j]);
			fputc('\n', f);
		}
		fputs("</pre>", f);
	}
	fputs("</div>\n", f);
}

static void case_section(FILE *f, const struct kr_result *r, const char *dir)
{
	fprintf(f, "<details class=\"case%s\" id=\"", fails(r) ? " bad" : "");
	anchor(f, r);
	fprintf(f, "\"%s><summary>", fails(r) ? " open" : "");
	badge(f, r->outcome);
	fputs(" ", f);
	esc(f, r->c->id);
	fputs(" &mdash; ", f);
	esc(f, r->c->title);
	fputs("</summary>\n", f);
	if (r->sut_crash)
		crash(f, r->sut_crash);
	fputs("<dl>", f);
	dd(f, "requirement", r->c->req ? r->c->req : r->c->title, NULL);
	char spec[512];
	snprintf(spec, sizeof(spec), "%s (%s)", r->c->spec, kr_level_name(r->c->level));
	dd(f, "spec", spec, NULL);
	dd(f, "family", kr_family_name(kr_case_family(r->c)), NULL);
	dd(f, kr_result_unjudged(r) ? "precondition unmet" : "expected", r->expected, NULL);
	dd(f, "observed", r->actual, "obs");
	dd(f, r->outcome == KR_XFAIL || r->outcome == KR_XPASS ? "expected failure" : "reason", r->reason,
	   NULL);
	fprintf(f, "<dt>duration</dt><dd>%.3f s</dd>\n", r->duration_s);
	json_t *cj = kr_report_case_json(r);
	static const char *const known[] = { "id", "suite", "title", "level", "spec", "requirement",
					     "outcome", "expected", "actual", "reason", "duration_s", "family", "sut_crash",
					     "start_wall_ns", "metrics", "artifacts", "timeline", NULL };
	if (cj)
		extra_fields(f, cj, known, "");
	json_decref(cj);
	fputs("</dl>\n", f);
	if (r->nmetrics) {
		fputs("<table class=\"metrics\"><tr><th>metric</th><th>value</th></tr>", f);
		for (size_t i = 0; i < r->nmetrics; i++) {
			fputs("<tr><td>", f);
			esc(f, r->metrics[i].name);
			fprintf(f, "</td><td>%.6g ", r->metrics[i].value);
			esc(f, r->metrics[i].unit);
			fputs("</td></tr>", f);
		}
		fputs("</table>\n", f);
	}
	struct kr_tview v;
	kr_tview_build(&v, r, dir);
	fputs("<div class=\"svgwrap\">", f);
	kr_tview_svg(f, &v, r);
	fputs("</div>\n", f);
	kr_tview_free(&v);
	if (r->nartifacts) {
		fputs("<p class=\"evidence\">evidence: ", f);
		for (size_t i = 0; i < r->nartifacts; i++) {
			const char *a = r->artifacts[i];
			size_t n = strlen(r->c->id);
			const char *shown = !strncmp(a, r->c->id, n) && a[n] == '/' ? a + n + 1 : a;
			fputs("<a href=\"", f);
			href(f, a);
			fputs("\">", f);
			esc(f, shown);
			fputs("</a> ", f);
		}
		fputs("</p>\n", f);
	}
	fprintf(f, "<details><summary>timeline entries (%zu)</summary><pre>", r->ntl);
	for (size_t i = 0; i < r->ntl; i++) {
		fprintf(f, "+%.6f %-7s ", r->tl[i].t_ns / 1e9, kr_tl_kind_name(r->tl[i].kind));
		esc(f, r->tl[i].text);
		fputc('\n', f);
	}
	fputs("</pre></details>\n</details>\n", f);
}

int kr_report_html(FILE *f, const struct kr_run_report *rr, const char *dir)
{
	json_t *doc = kr_report_json_doc(rr);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>keyroll: ", f);
	esc(f, rr->sut_name);
	fputs(" ", f);
	esc(f, rr->sut_version);
	fputs("</title>\n<style>", f);
	fputs(css, f);
	fputs("</style></head><body>\n", f);
	header(f, rr, doc);
	json_decref(doc);
	fputs("<main>\n", f);
	summary(f, rr);
	fputs("<h2>Details</h2>\n", f);
	/* Cases that did not pass first: they are what a reader opens the page for. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < rr->nresults; i++)
			if (fails(&rr->results[i]) == (pass == 0))
				case_section(f, &rr->results[i], dir);
	/* Proof for tests that the page's script ran: how many timelines it found. */
	fputs("</main>\n<script>document.documentElement.setAttribute('data-kr-ready',"
	      "String(document.querySelectorAll('svg.tl').length));</script>\n</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
