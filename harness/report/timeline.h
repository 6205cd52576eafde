/* One case's timeline for the HTML report (report_html.c): what its
 * captures show on each SUT link (Router Key PDUs, UPDATEs, withdrawals,
 * each with the SKI that signed it) and what the harness recorded (steps,
 * expectations with their deadlines, the verdict), on one clock: ns since
 * the case started. Built from the result record and the case folder's
 * pcaps (report_tl.c), drawn by report_svg.c. Internal to report/. */
#ifndef KR_REPORT_TIMELINE_H
#define KR_REPORT_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "run/case.h"

#define KR_TV_MAX_LANES 16
#define KR_TV_MAX_KEYS 48
#define KR_TV_LANE_EVENTS 600 /* drawn per lane; the rest are counted */

enum kr_tv_lane_kind { KR_TV_RTR, KR_TV_BGP };

struct kr_tv_lane {
	char name[32];            /* the link's far end: "rtr", "up1", "dn2", "exa" */
	enum kr_tv_lane_kind kind;
	char pcap[256];           /* path relative to the run folder */
	size_t count[2];          /* events per direction (0: to the SUT, 1: from it) */
	size_t dropped;           /* events beyond KR_TV_LANE_EVENTS */
};

enum kr_tv_ev_kind {
	KR_TV_ANNOUNCE,   /* UPDATE with NLRI */
	KR_TV_WITHDRAW,   /* UPDATE withdrawing only */
	KR_TV_EOR,        /* End-of-RIB marker */
	KR_TV_OPEN,
	KR_TV_NOTIFICATION,
	KR_TV_CEASE,      /* NOTIFICATION Cease: a session closed on purpose */
	KR_TV_KEY_ADD,    /* Router Key PDU, announce */
	KR_TV_KEY_DEL,    /* Router Key PDU, withdraw */
	KR_TV_RTR_RESET,  /* Cache Reset */
	KR_TV_RTR_ERROR,  /* Error Report */
	KR_TV_RTR_OTHER,  /* queries, responses, End of Data, notifies */
	KR_TV_BAD,        /* undecodable message or broken stream */
};

struct kr_tv_ev {
	int64_t t_ns;
	unsigned lane, dir;       /* dir 1: sent by the SUT */
	unsigned conn;            /* TCP connection within the lane's capture */
	enum kr_tv_ev_kind kind;
	int key;                  /* the signer (newest signature) or the Router Key; -1 */
	int origin;               /* the origin's key (oldest signature) when other; -1 */
	char label[48];           /* prefix(es) or key name */
	char detail[240];         /* one line for the tooltip */
};

struct kr_tv_key {
	uint8_t ski[20];
	char hex8[9];             /* first 4 octets, as the timeline writes SKIs */
	char name[40];            /* "up1#1" from the timeline, or "" */
	uint32_t asn;
};

/* A key's time in a state: published by the cache (as the SUT was told),
 * or used by the SUT to sign. t1 < 0: still so at the end. */
enum kr_tv_span_kind { KR_TV_IN_CACHE, KR_TV_SUT_SIGNS };
struct kr_tv_span {
	enum kr_tv_span_kind kind;
	int key;
	int64_t t0, t1;
};

struct kr_tv_expect {
	int64_t t0, t1;           /* stated, deadline (t1 == t0: no deadline given) */
	int64_t done;             /* the next entry: met (or the verdict) */
	const char *text;         /* borrowed from the result */
	bool failed;              /* the expectation the verdict broke */
};

struct kr_tv_note {
	int64_t t;
	const char *text;         /* borrowed */
	char label[24];           /* "step 3" for rollover steps, else "" */
};

struct kr_tview {
	struct kr_tv_lane lanes[KR_TV_MAX_LANES];
	size_t nlanes;
	struct kr_tv_ev *ev;
	size_t nev;
	struct kr_tv_key keys[KR_TV_MAX_KEYS];
	size_t nkeys;
	struct kr_tv_span *spans;
	size_t nspans;
	struct kr_tv_expect *expects;
	size_t nexpects;
	struct kr_tv_note *notes;
	size_t nnotes;
	int64_t verdict_t;        /* where the verdict was decided; -1 unknown */
	int64_t crash_t;          /* when the SUT was seen broken down; -1: it was not */
	int64_t end_ns;           /* the case's duration */
	uint32_t sut_as;          /* 0: not known */
	bool placed;              /* captures mapped to case time */
	char problem[256];        /* what could not be read, "" when all was */
};

/* Build the view of r; captures are read from run_dir/ARTIFACT. Never
 * fails as a whole: what cannot be read is said in v->problem. */
void kr_tview_build(struct kr_tview *v, const struct kr_result *r, const char *run_dir);
void kr_tview_free(struct kr_tview *v);

/* Deadline of an expectation text ("... within 2.00 s ..."): seconds, or
 * -1 when it states none. */
double kr_tv_within_s(const char *text);
/* "step 5" / "steps 1-2" when text starts so ("step 5: ..."), else "". */
void kr_tv_step_label(const char *text, char *out, size_t outsz);

/* Draw v as one inline SVG element (report_svg.c). */
void kr_tview_svg(FILE *f, const struct kr_tview *v, const struct kr_result *r);

#endif
