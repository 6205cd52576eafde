/* Conformance cases and their results (suites/README.md;
 * docs/design.md rules 4 and 7).
 *
 * A case is plain data plus a run function, grouped per suite file under a
 * stable id that cites the spec section (never an array position). Running
 * a case fills one struct kr_result; JUnit, JSON and the terminal are only
 * printers of that record (report/report.h). */
#ifndef KR_CASE_H
#define KR_CASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kr_level { KR_MUST = 0, KR_SHOULD = 1 };

/* Outcomes (principle 7). XFAIL/XPASS come from the SUT profile's
 * expected-failure list: a listed case that fails is XFAIL (not counted),
 * one that passes is XPASS (counted as a failure so the list cannot rot).
 * NOT-JUDGED: a precondition of the case did not hold (a route that must
 * be there first never arrived, a barrier was not passed), so its own
 * requirement was never evaluated; not a FAIL of that requirement, not a
 * pass either (kr_outcome_fails; JUnit <error type="NOT-JUDGED">). */
enum kr_outcome {
	KR_PASS = 0,
	KR_FAIL,  /* the SUT broke a MUST (or a SHOULD under --strict) */
	KR_WARN,  /* the SUT broke a SHOULD */
	KR_SKIP,  /* the SUT profile lacks a capability the case needs */
	KR_ERROR, /* the harness or the environment failed */
	KR_XFAIL,
	KR_XPASS,
	KR_NOT_JUDGED, /* a precondition was unmet: the requirement was not judged */
	KR_OUTCOME_COUNT
};
const char *kr_outcome_name(enum kr_outcome o);
const char *kr_level_name(enum kr_level l);

/* Capabilities a case needs from the SUT (mapped from its profile). */
enum {
	KR_NEED_BGPSEC = 1u << 0,       /* validates BGPsec_PATH from peers */
	KR_NEED_SIGN = 1u << 1,         /* signs its own BGPsec_PATH */
	KR_NEED_REKEY = 1u << 2,        /* the harness can trigger its key switch */
	KR_NEED_STAGGER = 1u << 3,      /* per-peer staggered twilight */
	KR_NEED_ORIGIN_KEY = 1u << 4,   /* separate origin and transit keys */
	KR_NEED_PLAIN_PEER = 1u << 5,   /* a plain-BGP peer can be configured */
	KR_NEED_IPV6 = 1u << 6,
	KR_NEED_ORIGINATE = 1u << 7,    /* originates prefixes of its own */
	KR_NEED_RESTART = 1u << 8,      /* the harness may stop and start it mid-case */
};
/* The profile's [capabilities] key of one bit ("can_rekey", ...), NULL
 * when unknown. */
const char *kr_need_name(unsigned bit);

struct kr_ctx;

struct kr_case {
	const char *id;      /* "rollover/3.1-5/1": cites the section */
	enum kr_level level;
	const char *spec;    /* "draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 5" */
	const char *title;
	const char *req;     /* the requirement, in the spec's words or close */
	unsigned needs;      /* KR_NEED_* */
	int (*run)(struct kr_ctx *ctx);
	const void *arg;     /* case parameters for table-driven cases */
	/* The requirement is not family-specific: the registry also runs the
	 * case for IPv6 as "<id>/v6" (title "... (IPv6)", needs KR_NEED_IPV6,
	 * so a profile with ipv6 = no SKIPs it); the table's entry is the
	 * IPv4 run (suites/README.md, "Both address families"). */
	bool per_family;
	uint8_t family;      /* set by the registry: 6 on the IPv6 copy, else 0 */
	/* The case needs a SUT of its own (it restarts or crashes it, or
	 * configures it in a way the profile cannot apply at run time): with
	 * one SUT for the run (lifetime = run) it gets a freshly started one. */
	bool own_sut;
	bool opt_in;         /* runs only when a filter names it (the
			      * scale/ cases) */
};
/* The address family a case runs for: 6 for the IPv6 copy of a per-family
 * case, 4 otherwise. */
int kr_case_family(const struct kr_case *c);
/* "IPv4" / "IPv6". */
const char *kr_family_name(int family);

struct kr_suite {
	const char *name;    /* the suite file's name, e.g. "peer_rolls" */
	const char *title;
	const struct kr_case *cases;
	size_t ncases;
};

/* Register a suite from a file in suites/ (a constructor, so new files need
 * no central list). Cases are sorted by id when listed and run. */
void kr_suite_register(const struct kr_suite *s);
#define KR_SUITE(sym, title_, cases_)                                        \
	static const struct kr_suite kr_suite_##sym = {                      \
		#sym, title_, cases_, sizeof(cases_) / sizeof((cases_)[0]) }; \
	__attribute__((constructor)) static void kr_suite_reg_##sym(void)    \
	{                                                                    \
		kr_suite_register(&kr_suite_##sym);                          \
	}

/* Registered cases, flattened and sorted by id. */
struct kr_case_ref {
	const struct kr_suite *suite;
	const struct kr_case *c;
};
size_t kr_cases(const struct kr_case_ref **out);
/* FILTER semantics: no filters match everything; otherwise the id must
 * start with one of them, or equal one that ends in '$' (without it). */
bool kr_case_match(const struct kr_case *c, char *const *filters, size_t nfilters);
/* Shard k of n (1 <= k <= n) that case id belongs to, from a hash of the
 * id alone, so adding a case never moves the others. */
unsigned kr_case_shard(const char *id, unsigned n);
/* Ids are checked once at start-up: unique, non-empty, no spaces. Returns
 * 0, or -1 with a message naming the offending id. */
int kr_cases_check(char *msg, size_t msgsz);

/* ---- result record ---------------------------------------------------- */

struct kr_metric {
	char *name;
	double value;
	char *unit;
};

/* What a timeline entry is, so printers (the HTML timeline) need not parse
 * text: kr_expect() writes EXPECT, kr_fail/kr_skip/kr_error VERDICT,
 * kr_metric METRIC, everything else NOTE. */
enum kr_tl_kind { KR_TL_NOTE = 0, KR_TL_EXPECT, KR_TL_VERDICT, KR_TL_METRIC, KR_TL_KIND_COUNT };
const char *kr_tl_kind_name(enum kr_tl_kind k);

struct kr_tl_entry {
	int64_t t_ns;        /* since the case started (monotonic clock) */
	char *text;
	enum kr_tl_kind kind;
};

/* The SUT broke down during a case: its process ended or was killed, it
 * stopped answering its profile's ready check, or a BGP session to it
 * dropped without the case asking for it. Every printer shows it first;
 * the case is FAIL whatever it was waiting for (results.json "sut_crash"). */
struct kr_sut_drop {
	char *peer;          /* "dn1" */
	char *text;          /* "received NOTIFICATION 3/1 (UPDATE Message Error/...)" */
	double t_s;          /* since the case started */
};
struct kr_log_tail {
	char *file;          /* relative to the case folder: "sut.log" */
	char **lines;
	size_t nlines;
};
struct kr_sut_crash {
	char *kind;          /* "killed", "exited", "unresponsive", "session-down" */
	char *status;        /* "killed by SIGABRT (core dumped)", "exited with code 3",
			      * "no answer to its ready check (...)", "session dropped" */
	int signal;          /* killed: the signal number, else 0 */
	char *signal_name;   /* killed: "SIGABRT", else NULL */
	int exit_code;       /* exited: the code, else -1 */
	double t_s;          /* when it was seen, since the case started */
	char *after;         /* the last step of the case's timeline before it */
	double after_s;      /* when that step was logged */
	char *waiting_for;   /* what the case expected at that moment, or NULL */
	struct kr_sut_drop *drops; /* sessions that went down with it */
	size_t ndrops;
	struct kr_log_tail logs[2]; /* last lines of the SUT's log files */
	size_t nlogs;
	char *summary;       /* one line, e.g. "the SUT was killed by SIGABRT at +0.41 s, ..." */
};
void kr_sut_crash_free(struct kr_sut_crash *c);

struct kr_result {
	const struct kr_suite *suite;
	const struct kr_case *c;
	enum kr_outcome outcome;
	char *expected, *actual; /* FAIL/WARN/XFAIL/XPASS; NOT-JUDGED: the unmet
				  * precondition and what was observed */
	char *reason;            /* SKIP/ERROR text, XFAIL/XPASS list reason,
				  * NOT-JUDGED "not judged: precondition unmet: ..." */
	struct kr_sut_crash *sut_crash; /* the SUT broke down (FAIL), or NULL */
	struct kr_metric *metrics;
	size_t nmetrics;
	char **artifacts;        /* paths relative to the run folder */
	size_t nartifacts;
	struct kr_tl_entry *tl;
	size_t ntl;
	int64_t start_ns;        /* monotonic */
	int64_t start_wall_ns;   /* the same instant on CLOCK_REALTIME: maps capture
				  * timestamps (pcap) to case time */
	double duration_s;
	bool decided;            /* fail/skip/error already recorded */
	bool must;               /* the FAIL breaks a MUST whatever the case's level
				  * (wire lint): never turned into WARN */
};

void kr_result_init(struct kr_result *r, const struct kr_suite *s, const struct kr_case *c);
void kr_result_free(struct kr_result *r);
void kr_result_metric(struct kr_result *r, const char *name, double value, const char *unit);
void kr_result_artifact(struct kr_result *r, const char *path);
void kr_result_log(struct kr_result *r, int64_t now_ns, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kr_result_vlog(struct kr_result *r, int64_t now_ns, const char *fmt, va_list ap);
/* Records the first verdict only; later calls are kept in the timeline. */
void kr_result_set(struct kr_result *r, enum kr_outcome o, const char *expected,
		   const char *actual, const char *reason);
/* The SUT broke down: FAIL with that reason, replacing any verdict
 * recorded so far (kept in the timeline). Takes ownership of c; a second
 * crash report is freed (the first one stands). */
void kr_result_crash(struct kr_result *r, struct kr_sut_crash *c);
/* Final mapping: SHOULD failures become WARN unless strict; an entry in the
 * expected-failure list turns FAIL/WARN into XFAIL and PASS into XPASS,
 * and NOT-JUDGED into XFAIL whose reason keeps saying so ("not judged:
 * precondition unmet: ...; listed: <list reason>": a known defect of the
 * SUT that breaks the precondition, e.g. no IPv6 BGPsec). A SUT crash
 * stays FAIL whatever the level or the list says; ERROR is never listed.
 * A reason starting KR_INTERMITTENT_PREFIX leaves a PASS a PASS. */
void kr_result_finish(struct kr_result *r, bool strict, const char *xfail_reason);
#define KR_UNJUDGED_PREFIX "not judged: "
/* A list reason starting so names a defect that shows only in some runs
 * (a race inside the SUT): such a case that passes stays PASS, not XPASS. */
#define KR_INTERMITTENT_PREFIX "intermittent: "
/* The case's requirement was not judged: NOT-JUDGED, or its listed XFAIL
 * (r->expected then holds the unmet precondition). */
bool kr_result_unjudged(const struct kr_result *r);
/* Whether the outcome makes `keyroll run` exit 1. */
bool kr_outcome_fails(enum kr_outcome o);

/* A whole run: what the printers of the report layer render. */
struct kr_run_report {
	const char *run_id;
	const char *sut_name, *sut_version, *sut_profile;
	const char *started;       /* ISO 8601 UTC wall-clock time */
	const char *hostname;
	double time_s;
	double time_scale;
	bool strict;
	const char *const *sut_opts; /* "K=V" strings */
	size_t nsut_opts;
	const struct kr_result *results;
	size_t nresults;
	/* What was selected and by whom, so `keyroll merge` can tell shards of
	 * one run from others: --shard K/N (shard_n 0: not sharded), the id
	 * filters, the number of cases they selected before sharding and the
	 * SHA-256 of those ids (sorted, one per line); the profile's SHA-256. */
	unsigned shard_k, shard_n;
	const char *const *filters;
	size_t nfilters;
	size_t nselected;
	const char *selection_sha256;
	const char *sut_profile_sha256;
};

/* ---- the context a run function gets ---------------------------------- */

struct kr_world;     /* the case's topology and roles (world.h) */
struct kr_world_run; /* what outlives a case when one SUT serves the run */
struct kr_loop;
struct kr_run_opts;

/* What the run knows about the SUT (from its profile). */
struct kr_sut_info {
	const char *name, *version, *profile_path;
	unsigned caps;                   /* KR_NEED_* the SUT has */
	const char *missing[32];         /* per capability bit: why it is missing
					  * (e.g. "manual: ..."), or NULL */
	const void *profile;             /* struct kr_sut_profile *, or NULL */
	char *const *opts;               /* --sut-opt K=V */
	size_t nopts;
};

struct kr_ctx_defer {
	void (*fn)(void *arg);
	void *arg;
};

struct kr_ctx {
	const struct kr_case *c;
	struct kr_result *r;
	struct kr_world *w;    /* NULL for cases that build nothing */
	struct kr_world_run *wrun; /* one SUT for the run (lifetime = run), else NULL */
	struct kr_loop *loop;
	double time_scale;     /* multiplies every protocol interval */
	const char *dir;       /* evidence folder of this case */
	const char *run_dir;   /* the run folder (artifact paths are relative to it) */
	const char *expect;    /* set by kr_expect(), used by kr_fail() */
	char *expect_buf;
	bool judging;          /* kr_judge() was called: a kr_fail() now fails the
				* requirement; before, it is an unmet precondition */
	const char *judge;     /* what kr_judge() said is judged now */
	char *judge_buf;
	const struct kr_sut_info *sut;
	const struct kr_run_opts *opts;
	bool keep;             /* --keep-on-fail hit: leave the topology up */
	struct kr_ctx_defer *defers; /* run last-first when the case ends */
	size_t ndefers;
};

/* Run fn(arg) when the case ends, on every path (last registered first). */
void kr_defer(struct kr_ctx *ctx, void (*fn)(void *arg), void *arg);
/* Run every deferred action now (the runner does this after run()). */
void kr_ctx_cleanup(struct kr_ctx *ctx);

/* Timeline entry at the current time. */
void kr_log(struct kr_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What the next check expects; kr_fail() reports it with the observation. */
void kr_expect(struct kr_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Preconditions and requirement (suites/README.md, "Preconditions"): a
 * case starts in its preconditions; a kr_fail() there gives NOT-JUDGED
 * ("not judged: precondition unmet: <expectation>"), not a FAIL. The case
 * calls kr_judge() where its own requirement starts being checked; every
 * kr_fail() after it is FAIL (WARN for a SHOULD). A case whose first step
 * is already the requirement calls kr_judge() before it. */
void kr_judge(struct kr_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Back to preconditions (a later step prepares another check). */
void kr_precondition(struct kr_ctx *ctx);
/* A precondition of whatever comes next failed, even while judging (the
 * RTR barrier, a sentinel that never arrived): NOT-JUDGED. Returns -1. */
int kr_fail_pre(struct kr_ctx *ctx, const char *actual_fmt, ...) __attribute__((format(printf, 2, 3)));
/* Verdicts. Each returns -1 so a run function can `return kr_fail(...)`. */
int kr_fail(struct kr_ctx *ctx, const char *actual_fmt, ...) __attribute__((format(printf, 2, 3)));
int kr_skip(struct kr_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kr_error(struct kr_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kr_metric(struct kr_ctx *ctx, const char *name, double value, const char *unit);
/* Record an evidence file by absolute path or path inside the case folder. */
void kr_artifact(struct kr_ctx *ctx, const char *path);
/* Seconds of protocol time to nanoseconds of wall time under --time-scale. */
int64_t kr_scaled_ns(const struct kr_ctx *ctx, double seconds);
/* Seconds since the case started. */
double kr_elapsed_s(const struct kr_ctx *ctx);

#endif
