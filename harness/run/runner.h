/* The case runner behind `keyroll run`: selects cases, gives each a fresh
 * context and evidence folder, runs it, tears everything down, maps the
 * outcome (SHOULD -> WARN, expected failures), prints progress and writes
 * junit.xml and results.json. */
#ifndef KR_RUNNER_H
#define KR_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "run/case.h"

/* How the runner shows progress and writes its reports. The report layer
 * provides one (kr_report_printer); the runner knows no printer itself. */
struct kr_run_report;
struct kr_run_printer {
	void (*result)(FILE *f, size_t idx, size_t total, const struct kr_result *r, bool color);
	/* reports into dir (and the extra JUnit copy): 0 or -1 */
	int (*write)(const struct kr_run_report *rr, const char *dir, const char *extra_junit);
	void (*summary)(FILE *f, const struct kr_run_report *rr, const char *dir, bool color);
};

struct kr_run_opts {
	const struct kr_run_printer *printer; /* required */
	const char *profile;     /* SUT profile path; NULL: the reference speaker */
	char *const *sut_opts;   /* "K=V" */
	size_t nsut_opts;
	const char *out_dir;     /* NULL: reports/<run-id> and reports/latest */
	const char *junit;       /* extra copy of junit.xml, or NULL */
	double time_scale;       /* wall seconds per nominal protocol second */
	bool strict;             /* SHOULD failures fail the run */
	bool keep_on_fail;       /* stop at the first FAIL, leave it up */
	bool rtr_stayrtr;        /* StayRTR is the RTR cache (--rtr stayrtr) */
	bool interactive;        /* an operator answers manual steps (--interactive or a tty) */
	int sut_lifetime;        /* 0: the profile's; 1: a SUT per case; 2: one for the run */
	bool rpki_pipeline;      /* CA repository -> rpki-client -> StayRTR (--rpki pipeline) */
	char *const *filters;    /* id prefixes */
	size_t nfilters;
	unsigned shard_k, shard_n; /* run only shard K of N (kr_case_shard); N 0: all */
	/* --routes N / --table dfz: IPv4 and IPv6 routes of the scale cases'
	 * table (0, 0: not given, KR_DEFAULT_ROUTES); the cases still run only
	 * when a filter names them */
	uint32_t routes4, routes6;
	/* --lint-sig-budget: ECDSA verifications of the wire lint per case
	 * (net/lint_pcap.h); 0: KR_LINT_SIG_BUDGET, UINT64_MAX: every one */
	uint64_t lint_sig_budget;
	FILE *term;              /* progress and summary (stdout) */
	bool color;
};

/* Default time scale: the 24 h stage period takes about 0.2 s. */
#define KR_DEFAULT_TIME_SCALE 2e-6
#define KR_DEFAULT_PROFILE "sut/profiles/refspeaker.profile"
/* Table size of the scale cases when no --routes / --table is given. */
#define KR_DEFAULT_ROUTES 20000u
/* Is case c part of this run (filters, opt-in cases, shard)? */
bool kr_run_selects(const struct kr_run_opts *o, const struct kr_case *c);

/* Runs the selected cases; returns the exit code of `keyroll run`:
 * 0 every case passed (or skipped / expected failure / warning),
 * 1 a case failed, 2 a harness error or bad usage. */
int kr_run(const struct kr_run_opts *o);

/* Runs one case in an existing context (used by kr_run and by tests):
 * checks needs against the SUT, calls run(), cleans up, finishes r. */
void kr_run_case(struct kr_ctx *ctx, const char *xfail_reason, bool strict);

/* The SUT description of a run: loads the profile (NULL path: the
 * default), applies nothing yet. 0, or -1 with msg. */
int kr_sut_info_load(struct kr_sut_info *si, const char *path, char *const *opts, size_t nopts,
		     char *msg, size_t msgsz);
void kr_sut_info_free(struct kr_sut_info *si);
/* Manual actions count as available when an operator answers them. */
void kr_sut_info_set_interactive(struct kr_sut_info *si, bool interactive);
const char *kr_sut_info_xfail(const struct kr_sut_info *si, const char *case_id);

/* SHA-256 (hex) of the ids the filters select, sorted, one per line, and
 * their number; 0 or -1. */
int kr_selection_sha256(char *const *filters, size_t nfilters, char out[65], size_t *nselected);
/* SHA-256 (hex) of ids (sorted by the caller with strcmp), one per line. */
int kr_ids_sha256(const char *const *ids, size_t n, char out[65]);
/* SHA-256 (hex) of a file's bytes; 0 or -1 (errno). */
int kr_file_sha256(const char *path, char out[65]);

#endif
