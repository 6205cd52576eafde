/* Printers of the result record (docs/design.md rule 4): JUnit XML,
 * results.json and the terminal. None of them decides anything; they only
 * render what struct kr_result holds. */
#ifndef KR_REPORT_H
#define KR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "run/case.h"
#include "run/runner.h"


/* Counts per outcome over a report. */
void kr_report_count(const struct kr_run_report *rr, size_t counts[KR_OUTCOME_COUNT]);

/* JUnit XML (schema: junit.xsd beside the printer): one testsuite per suite file.
 * Returns 0, or -1 on a write error. */
int kr_report_junit(FILE *f, const struct kr_run_report *rr);
/* Append s to f with XML escaping; characters XML 1.0 forbids and
 * ill-formed UTF-8 become U+FFFD. */
void kr_xml_escape(FILE *f, const char *s);

/* results.json (jansson). Returns 0, or -1 with errno-style failure. */
int kr_report_json(const char *path, const struct kr_run_report *rr);
/* The same document, and one case's object in it (new references). */
struct json_t;
struct json_t *kr_report_json_doc(const struct kr_run_report *rr);
struct json_t *kr_report_case_json(const struct kr_result *r);

/* index.html: one self-contained page (no network): summary, every case
 * with its requirement, verdict, metrics and timeline picture (SVG drawn
 * from the record and the captures in dir), links to the evidence.
 * Returns 0, or -1 on a write error. */
int kr_report_html(FILE *f, const struct kr_run_report *rr, const char *dir);

/* Terminal: one line when a case starts and one when it ends, then a
 * summary with expected vs actual for every failure. color: ANSI colours. */
void kr_term_start(FILE *f, size_t idx, size_t total, const struct kr_case *c);
void kr_term_result(FILE *f, size_t idx, size_t total, const struct kr_result *r, bool color);
void kr_term_summary(FILE *f, const struct kr_run_report *rr, const char *run_dir, bool color);

/* Everything a run writes into its folder (junit.xml, results.json,
 * index.html) and the extra JUnit copy; the runner calls it at the end and on SIGINT. */
int kr_report_write_all(const struct kr_run_report *rr, const char *dir, const char *extra_junit);
/* dir/index.html alone (written aside, then renamed); 0 or -1. */
int kr_report_write_html(const struct kr_run_report *rr, const char *dir);
/* The printer the `keyroll run` command hands to the runner. */
extern const struct kr_run_printer kr_report_printer;

#endif
