/* Wire lint of captures (`keyroll pcap lint`, and every case at its end):
 * reads one or more pcaps (one per link, or one with every link), puts
 * their BGP and RTR messages in time order, follows each BGP session's
 * OPENs, the router keys the RTR streams publish and the routes each
 * speaker receives, and runs the pure rule checks of wire/lint.h on every
 * message a linted speaker sends. A finding names the rule, the link (the
 * capture's file name), the frame in that capture and the byte offset in
 * that frame, as a capture viewer shows them.
 *
 * Cost at full-table size (1.26 M routes, millions of messages): the
 * captures are read twice, streamed (a first pass follows RTR and counts
 * the signatures the linted speakers made, the second checks), never
 * held; per prefix only what the §4.4 check needs is kept (lint_rib.h);
 * the checks run on every core. Every rule runs on every message. ECDSA
 * verification (about 70 us each) runs on every signature when the
 * linted speakers made at most sig_budget of them; beyond, on those of a
 * deterministic sample of prefixes sized to the budget (kr_lint_sampled:
 * 1 prefix in ceil(signatures / budget), every signature of a sampled
 * prefix on every link); the SKI of every signature is still checked. */
#ifndef KR_LINT_PCAP_H
#define KR_LINT_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgpsec_crypto.h"
#include "wire/kr_util.h"
#include "wire/lint.h"

struct kr_lint_finding {
	enum kr_lint_rule_id rule;
	char link[64];        /* capture file name without directory and ".pcap" */
	uint64_t frame;       /* frame holding the offending octet (msg_frame when unknown) */
	size_t frame_off;     /* offset of that octet in the frame (0: unknown) */
	uint64_t msg_frame;   /* frame that completed the message */
	size_t msg_off;       /* offset in the message, header included */
	int64_t ts_ns;        /* capture time (CLOCK_REALTIME) */
	char what[48];        /* "BGP UPDATE", "RTR Serial Query" ... */
	char flow[120];       /* "198.18.0.1:179 > 198.18.0.2:50000" */
	char text[240];
};

struct kr_lint_opts {
	uint32_t sender_as;            /* lint the BGP messages of this AS only; 0: every speaker */
	/* keys published all along, used when no RTR stream in the captures
	 * has an End of Data (borrowed; NULL: such captures are not keyed) */
	const struct kr_keytab *keys;
	int64_t grace_ns;              /* a key withdrawn over RTR still counts this long after */
	uint16_t bgp_ports[4];         /* 0-terminated; all zero: 179 */
	uint16_t rtr_ports[4];         /* all zero: 323 */
	bool detect;                   /* BGP and RTR on any port, recognised by their first octets */
	size_t max_findings;           /* kept in full (all are counted); 0: 200 */
	uint64_t sig_budget;           /* ECDSA verifications (see above); 0: every signature */
	unsigned threads;              /* checking threads; 0: one per online CPU */
};

/* The budget of `keyroll run` and `keyroll pcap lint` unless told. */
#define KR_LINT_SIG_BUDGET 100000u

struct kr_lint_out {
	struct kr_lint_finding *f;     /* the first max_findings (MUST and SHOULD), in time order */
	size_t n;
	size_t total;                  /* every violation of a MUST rule */
	size_t advice;                 /* every breach of a SHOULD rule (never a failure) */
	size_t per_rule[KR_L_COUNT];
	struct kr_lint_stats stats;    /* BGP messages linted ... */
	size_t rtr_pdus;               /* router PDUs linted */
	size_t key_spans;              /* router keys the RTR streams published */
	bool keys_from_rtr;            /* the key checks followed RTR (else opts.keys or none) */
	uint64_t msgs_read;            /* BGP messages and RTR PDUs in the captures, every sender */
	uint64_t sigs_made;            /* signatures the linted senders made (Signature_Blocks) */
	uint32_t sig_sample_mod;       /* 1: every one verified; else 1 prefix in this many */
	unsigned threads;              /* that checked */
	size_t peak_bytes;             /* the lint's own state at its largest (routes held, messages in flight) */
	size_t routes_held;            /* (speaker, session, prefix) entries at the largest */
	char **notes;                  /* capture problems (gaps, cut messages): not the sender's fault */
	size_t nnotes;
};

/* Lint the captures. Returns 0 (out filled; findings or not), or -1 with
 * err naming the file and the offset when a capture cannot be read. */
int kr_lint_pcaps(const char *const *paths, size_t npaths, const struct kr_lint_opts *o,
		  struct kr_lint_out *out, struct kr_err *err);
void kr_lint_out_free(struct kr_lint_out *out);
/* Whether a finding breaks a MUST (a failure) or a SHOULD (advice). */
bool kr_lint_finding_must(const struct kr_lint_finding *f);
/* "RFC 4271 §5.1.3 [4271-5.1.3/next-hop-missing]: TEXT; link sut-exa, frame 12, offset 66 (BGP UPDATE 198.18.0.1:179 > ..., message offset 23)" */
void kr_lint_finding_str(const struct kr_lint_finding *f, char *out, size_t sz);

#endif
