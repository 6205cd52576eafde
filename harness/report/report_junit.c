/* JUnit XML printer. Shape per the project's schema beside this file
 * (junit.xsd): testsuites > testsuite (one per suite file) > testcase.
 * Metrics go to the testsuite's properties named "CASE-ID:metric" (the
 * place every CI consumer reads) and to the testcase's system-out. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "report/report.h"

/* Length of a well-formed UTF-8 sequence at s (1..4), 0 when ill-formed. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, U+FFFE/U+FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

static void esc(FILE *f, const char *str, bool in_attr)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		unsigned c = *s;
		switch (c) {
		case '&': fputs("&amp;", f); s++; continue;
		case '<': fputs("&lt;", f); s++; continue;
		case '>': fputs("&gt;", f); s++; continue;
		case '"': fputs("&quot;", f); s++; continue;
		case '\'': fputs("&apos;", f); s++; continue;
		case '\t': case '\n': case '\r':
			/* Literal in text; attribute values would normalise them
			 * to spaces (and \r everywhere), so use references. */
			if (in_attr || c == '\r')
				fprintf(f, "&#%u;", c);
			else
				fputc((int)c, f);
			s++;
			continue;
		}
		if (c < 0x20 || c == 0x7F) {
			fputs("\xEF\xBF\xBD", f);
			s++;
			continue;
		}
		size_t n = utf8_len(s);
		if (n == 0) {
			fputs("\xEF\xBF\xBD", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
}

void kr_xml_escape(FILE *f, const char *s)
{
	esc(f, s, true);
}

/* Text content: newlines kept readable. */
static void text(FILE *f, const char *s)
{
	esc(f, s, false);
}

static void attr(FILE *f, const char *name, const char *val)
{
	fprintf(f, " %s=\"", name);
	kr_xml_escape(f, val);
	fputc('"', f);
}

static void prop(FILE *f, const char *name, const char *val)
{
	fputs("      <property", f);
	attr(f, "name", name);
	attr(f, "value", val ? val : "");
	fputs("/>\n", f);
}

static void verdict_text(FILE *f, const struct kr_result *r)
{
	fputs(kr_result_unjudged(r) ? "precondition unmet (requirement not judged): " : "expected: ", f);
	text(f, r->expected ? r->expected : "");
	fputs("\nobserved: ", f);
	text(f, r->actual ? r->actual : "");
	fputs("\nrequirement (", f);
	text(f, kr_level_name(r->c->level));
	fputs(", ", f);
	text(f, r->c->spec);
	fputs("): ", f);
	text(f, r->c->req ? r->c->req : r->c->title);
	fputc('\n', f);
}

/* The SUT's crash, in full (the failure's content). */
static void crash_text(FILE *f, const struct kr_sut_crash *c)
{
	char line[512];
	fputs("SUT crash: ", f);
	text(f, c->summary ? c->summary : c->status);
	fputc('\n', f);
	if (c->waiting_for) {
		fputs("while the case waited for: ", f);
		text(f, c->waiting_for);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->ndrops; i++) {
		snprintf(line, sizeof(line), "session %s-sut dropped at +%.3f s: ", c->drops[i].peer,
			 c->drops[i].t_s);
		text(f, line);
		text(f, c->drops[i].text);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->nlogs; i++) {
		fputs("last lines of ", f);
		text(f, c->logs[i].file);
		fputs(":\n", f);
		for (size_t j = 0; j < c->logs[i].nlines; j++) {
			fputs("  | ", f);
			text(f, c->logs[i].lines[j]);
			fputc('\n', f);
		}
	}
}

static void element(FILE *f, const char *tag, const char *type, const char *msg,
		    const struct kr_result *r, bool with_verdict)
{
	fprintf(f, "      <%s", tag);
	attr(f, "type", type);
	attr(f, "message", msg);
	fputs(">", f);
	if (r->sut_crash)
		crash_text(f, r->sut_crash);
	if (with_verdict)
		verdict_text(f, r);
	else
		text(f, msg);
	fprintf(f, "</%s>\n", tag);
}

static void outcome_elements(FILE *f, const struct kr_result *r)
{
	char msg[2048];
	if (r->sut_crash) {
		snprintf(msg, sizeof(msg), "SUT crash: %s",
			 r->sut_crash->summary ? r->sut_crash->summary : r->sut_crash->status);
		element(f, "failure", "SUT-CRASH", msg, r, true);
		return;
	}
	switch (r->outcome) {
	case KR_NOT_JUDGED:
		/* Neither a pass nor a failure of this case's requirement:
		 * JUnit's <error> (a test that could not complete), typed so
		 * it is not read as a harness error. */
		snprintf(msg, sizeof(msg), "%s; observed: %s", r->reason ? r->reason : "not judged",
			 r->actual ? r->actual : "");
		element(f, "error", "NOT-JUDGED", msg, r, true);
		break;
	case KR_PASS:
	case KR_WARN:
		break; /* WARN: a passing testcase; its system-out says why */
	case KR_FAIL:
		snprintf(msg, sizeof(msg), "expected: %s; observed: %s", r->expected ? r->expected : "",
			 r->actual ? r->actual : "");
		element(f, "failure", kr_level_name(r->c->level), msg, r, true);
		break;
	case KR_XPASS:
		snprintf(msg, sizeof(msg), "listed as an expected failure (%s) but passed",
			 r->reason ? r->reason : "");
		element(f, "failure", "XPASS", msg, r, false);
		break;
	case KR_SKIP:
		element(f, "skipped", "SKIP", r->reason ? r->reason : "", r, false);
		break;
	case KR_XFAIL:
		snprintf(msg, sizeof(msg), "expected failure: %s", r->reason ? r->reason : "");
		element(f, "skipped", "XFAIL", msg, r, false);
		break;
	case KR_ERROR:
	default:
		element(f, "error", "harness", r->reason ? r->reason : "harness error", r, false);
		break;
	}
}

static void system_out(FILE *f, const struct kr_result *r)
{
	fputs("      <system-out>", f);
	char line[512];
	snprintf(line, sizeof(line), "%s %s [%s] %s\n", kr_outcome_name(r->outcome), r->c->id,
		 kr_level_name(r->c->level), r->c->spec);
	text(f, line);
	if (r->outcome == KR_WARN || r->outcome == KR_XFAIL) {
		text(f, "SHOULD/expected failure detail:\n");
		verdict_text(f, r);
	}
	if (r->nmetrics) {
		text(f, "metrics:\n");
		for (size_t i = 0; i < r->nmetrics; i++) {
			snprintf(line, sizeof(line), "  %s = %.6g %s\n", r->metrics[i].name,
				 r->metrics[i].value, r->metrics[i].unit);
			text(f, line);
		}
	}
	if (r->nartifacts) {
		text(f, "artifacts:\n");
		for (size_t i = 0; i < r->nartifacts; i++) {
			text(f, "  ");
			text(f, r->artifacts[i]);
			text(f, "\n");
		}
	}
	if (r->ntl) {
		text(f, "timeline:\n");
		for (size_t i = 0; i < r->ntl; i++) {
			snprintf(line, sizeof(line), "  +%.6f ", r->tl[i].t_ns / 1e9);
			text(f, line);
			text(f, r->tl[i].text);
			text(f, "\n");
		}
	}
	fputs("</system-out>\n", f);
}

void kr_report_count(const struct kr_run_report *rr, size_t counts[KR_OUTCOME_COUNT])
{
	memset(counts, 0, KR_OUTCOME_COUNT * sizeof(counts[0]));
	for (size_t i = 0; i < rr->nresults; i++)
		counts[rr->results[i].outcome]++;
}

struct tally {
	size_t tests, failures, errors, skipped;
	double time;
};

static void tally_add(struct tally *t, const struct kr_result *r)
{
	t->tests++;
	t->time += r->duration_s;
	if (r->outcome == KR_FAIL || r->outcome == KR_XPASS)
		t->failures++;
	else if (r->outcome == KR_ERROR || r->outcome == KR_NOT_JUDGED)
		t->errors++;
	else if (r->outcome == KR_SKIP || r->outcome == KR_XFAIL)
		t->skipped++;
}

static void suite_props(FILE *f, const struct kr_run_report *rr, const struct kr_suite *s)
{
	fputs("    <properties>\n", f);
	prop(f, "sut.name", rr->sut_name);
	prop(f, "sut.version", rr->sut_version);
	if (rr->sut_profile)
		prop(f, "sut.profile", rr->sut_profile);
	for (size_t i = 0; i < rr->nsut_opts; i++)
		prop(f, "sut.opt", rr->sut_opts[i]);
	if (rr->run_id)
		prop(f, "run.id", rr->run_id);
	char buf[512];
	snprintf(buf, sizeof(buf), "%g", rr->time_scale);
	prop(f, "run.time_scale", buf);
	prop(f, "run.strict", rr->strict ? "true" : "false");
	for (size_t i = 0; i < rr->nresults; i++) {
		const struct kr_result *r = &rr->results[i];
		if (r->suite != s)
			continue;
		for (size_t m = 0; m < r->nmetrics; m++) {
			char name[512];
			snprintf(name, sizeof(name), "%s:%s", r->c->id, r->metrics[m].name);
			snprintf(buf, sizeof(buf), "%.6g%s%s", r->metrics[m].value,
				 *r->metrics[m].unit ? " " : "", r->metrics[m].unit);
			prop(f, name, buf);
		}
	}
	fputs("    </properties>\n", f);
}

int kr_report_junit(FILE *f, const struct kr_run_report *rr)
{
	struct tally all = { 0 };
	for (size_t i = 0; i < rr->nresults; i++)
		tally_add(&all, &rr->results[i]);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"keyroll\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		all.tests, all.failures, all.errors, all.skipped, rr->time_s);
	/* Results are grouped by suite in first-seen order. */
	for (size_t i = 0; i < rr->nresults; i++) {
		const struct kr_suite *s = rr->results[i].suite;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = rr->results[j].suite == s;
		if (seen)
			continue;
		struct tally t = { 0 };
		for (size_t j = i; j < rr->nresults; j++)
			if (rr->results[j].suite == s)
				tally_add(&t, &rr->results[j]);
		fputs("  <testsuite", f);
		attr(f, "name", s->name);
		fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
			t.tests, t.failures, t.errors, t.skipped, t.time);
		if (rr->started)
			attr(f, "timestamp", rr->started);
		if (rr->hostname)
			attr(f, "hostname", rr->hostname);
		fputs(">\n", f);
		suite_props(f, rr, s);
		for (size_t j = i; j < rr->nresults; j++) {
			const struct kr_result *r = &rr->results[j];
			if (r->suite != s)
				continue;
			char name[1024], cls[256];
			snprintf(name, sizeof(name), "%s %s", r->c->id, r->c->title);
			snprintf(cls, sizeof(cls), "keyroll.%s", s->name);
			fputs("    <testcase", f);
			attr(f, "name", name);
			attr(f, "classname", cls);
			fprintf(f, " time=\"%.3f\">\n", r->duration_s);
			outcome_elements(f, r);
			system_out(f, r);
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
