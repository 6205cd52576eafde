/* Terminal printer: progress as cases run, then a summary that repeats
 * expected vs observed for every case that did not pass. */
#include <string.h>

#include "report/report.h"

static const char *colour(enum kr_outcome o)
{
	switch (o) {
	case KR_PASS: return "\033[32m";
	case KR_FAIL: case KR_XPASS: return "\033[31;1m";
	case KR_ERROR: return "\033[35;1m";
	case KR_WARN: return "\033[33m";
	case KR_NOT_JUDGED: return "\033[35m";
	default: return "\033[36m";
	}
}

static void tag(FILE *f, enum kr_outcome o, bool color)
{
	if (color)
		fprintf(f, "%s%-5s\033[0m", colour(o), kr_outcome_name(o));
	else
		fprintf(f, "%-5s", kr_outcome_name(o));
}

void kr_term_start(FILE *f, size_t idx, size_t total, const struct kr_case *c)
{
	fprintf(f, "[%zu/%zu] %-5s %s  %s\n", idx + 1, total, "RUN", c->id, c->title);
	fflush(f);
}

/* The SUT broke down: said first, before anything the case observed. */
static void crash(FILE *f, const struct kr_sut_crash *c, const char *indent)
{
	fprintf(f, "%sSUT CRASH: %s\n", indent, c->summary ? c->summary : c->status);
	if (c->waiting_for)
		fprintf(f, "%s  while the case waited for: %s\n", indent, c->waiting_for);
	for (size_t i = 0; i < c->ndrops; i++)
		fprintf(f, "%s  session %s-sut dropped at +%.3f s: %s\n", indent, c->drops[i].peer,
			c->drops[i].t_s, c->drops[i].text);
	for (size_t i = 0; i < c->nlogs; i++) {
		fprintf(f, "%s  last lines of %s:\n", indent, c->logs[i].file);
		for (size_t j = 0; j < c->logs[i].nlines; j++)
			fprintf(f, "%s    | %s\n", indent, c->logs[i].lines[j]);
	}
}

static void detail(FILE *f, const struct kr_result *r, const char *indent)
{
	if (r->sut_crash) {
		crash(f, r->sut_crash, indent);
		fprintf(f, "%sspec: %s (%s)\n", indent, r->c->spec, kr_level_name(r->c->level));
		return;
	}
	switch (r->outcome) {
	case KR_NOT_JUDGED:
		fprintf(f, "%s%s\n%sobserved: %s\n", indent, r->reason ? r->reason : "not judged", indent,
			r->actual ? r->actual : "");
		break;
	case KR_FAIL:
	case KR_WARN:
	case KR_XFAIL:
		fprintf(f, "%s%s: %s\n%sobserved: %s\n", indent,
			kr_result_unjudged(r) ? "precondition unmet" : "expected", r->expected ? r->expected : "",
			indent, r->actual ? r->actual : "");
		fprintf(f, "%sspec: %s (%s)\n", indent, r->c->spec, kr_level_name(r->c->level));
		if (r->outcome == KR_XFAIL)
			fprintf(f, "%sexpected failure: %s\n", indent, r->reason ? r->reason : "");
		break;
	case KR_XPASS:
		fprintf(f, "%slisted as an expected failure (%s) but passed\n", indent,
			r->reason ? r->reason : "");
		break;
	case KR_SKIP:
	case KR_ERROR:
		fprintf(f, "%s%s\n", indent, r->reason ? r->reason : "");
		break;
	default:
		break;
	}
}

void kr_term_result(FILE *f, size_t idx, size_t total, const struct kr_result *r, bool color)
{
	fprintf(f, "[%zu/%zu] ", idx + 1, total);
	tag(f, r->outcome, color);
	fprintf(f, " %s  (%.2f s)\n", r->c->id, r->duration_s);
	detail(f, r, "        ");
	fflush(f);
}

void kr_term_summary(FILE *f, const struct kr_run_report *rr, const char *run_dir, bool color)
{
	size_t counts[KR_OUTCOME_COUNT];
	kr_report_count(rr, counts);
	bool any = false;
	for (size_t i = 0; i < rr->nresults; i++) {
		const struct kr_result *r = &rr->results[i];
		if (r->outcome == KR_PASS)
			continue;
		if (!any)
			fprintf(f, "\nNot passed:\n");
		any = true;
		fputs("  ", f);
		tag(f, r->outcome, color);
		fprintf(f, " %s  %s\n", r->c->id, r->c->title);
		detail(f, r, "        ");
		if (run_dir && (r->outcome == KR_FAIL || r->outcome == KR_ERROR || r->outcome == KR_WARN ||
				r->outcome == KR_NOT_JUDGED))
			fprintf(f, "        evidence: %s/%s/\n", run_dir, r->c->id);
	}
	fprintf(f, "\nSUT %s [%s]: %zu cases in %.1f s:", rr->sut_name ? rr->sut_name : "?",
		rr->sut_version ? rr->sut_version : "version unknown", rr->nresults, rr->time_s);
	for (int o = 0; o < KR_OUTCOME_COUNT; o++)
		if (counts[o] || o == KR_PASS || o == KR_FAIL)
			fprintf(f, " %zu %s", counts[o], kr_outcome_name(o));
	fputc('\n', f);
	if (run_dir)
		fprintf(f, "reports: %s/junit.xml %s/results.json %s/index.html\n", run_dir, run_dir, run_dir);
	fflush(f);
}
