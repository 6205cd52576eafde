/* Wire lint: rule checks on the BGP messages and RTR PDUs one speaker sends
 * (RFC 4271 §4-5, RFC 4760, RFC 6793, RFC 7606, RFC 8205 §2-4, RFC 8210
 * §5-8, RFC 8654, RFC 2918).
 *
 * Pure functions (docs/design.md rule 3): a message, what the sender knows
 * of its session (both OPENs, digested into struct kr_lint_sess), the
 * router keys published at the moment it was sent and the routes it holds;
 * every broken rule is handed to a callback with the byte offset in the
 * message. Who reads the captures and builds that context is
 * net/lint_pcap.h. The rules are MUST-level unless the table says
 * SHOULD: those are advice, reported but never a failure. */
#ifndef KR_LINT_H
#define KR_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "wire/bgpsec_crypto.h"

enum kr_lint_rule_id {
	/* every message */
	KR_L_HEADER,         /* RFC 4271 §4.1, RFC 8654 §4: marker, length, type */
	/* OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH */
	KR_L_OPEN,           /* RFC 4271 §4.2: version, hold time, BGP id, parameters */
	KR_L_AS_TRANS,       /* RFC 6793 §4.1: My AS vs the 4-octet AS capability */
	KR_L_BGPSEC_CAP,     /* RFC 8205 §2.1-2.2: capability form and prerequisites */
	KR_L_NOTIFICATION,   /* RFC 4271 §4.5: error code */
	KR_L_ROUTE_REFRESH,  /* RFC 2918 §4: only to a peer that advertised it */
	/* UPDATE formation */
	KR_L_UPDATE,         /* RFC 4271 §4.3, RFC 7606 §3-4: lengths, NLRI, MP attributes */
	KR_L_ATTR_FLAGS,     /* RFC 4271 §4.3, §5; RFC 7606 §3 c */
	KR_L_ATTR_LEN,       /* RFC 4271 §5, RFC 7606 §7: length for the type */
	KR_L_ATTR_VALUE,     /* RFC 4271 §5.1.1, §5.1.2: ORIGIN value, AS_PATH segments */
	KR_L_ATTR_DUP,       /* RFC 4271 §5, RFC 7606 §3 g: an attribute twice */
	KR_L_ORIGIN_MISSING, /* RFC 4271 §5.1.1, RFC 7606 §3 d */
	KR_L_AS_PATH_MISSING,/* RFC 4271 §5.1.2 (plain UPDATEs) */
	KR_L_NEXT_HOP_MISSING,/* RFC 4271 §5.1.3, RFC 4760 §3: IPv4 NLRI needs NEXT_HOP */
	KR_L_AS_PATH_FIRST,  /* RFC 4271 §5.1.2: to an external peer, own AS leftmost in an AS_SEQUENCE */
	KR_L_NEXT_HOP_VALUE, /* RFC 4271 §5.1.3: not the receiver's address, not 0 / multicast */
	KR_L_LOCAL_PREF,     /* RFC 4271 §5.1.5: never to an external peer */
	KR_L_MP_REACH,       /* RFC 4760 §3: next hop length, reserved octet */
	KR_L_MP_FIRST,       /* RFC 7606 §5.1: MP_REACH/MP_UNREACH the first attribute (advisory) */
	KR_L_ONE_KIND,       /* RFC 7606 §5.1: one of Withdrawn, NLRI, MP_REACH, MP_UNREACH */
	KR_L_AFI,            /* RFC 4760 §6, RFC 4271 §4.3: only families the receiver advertised */
	/* BGPsec (RFC 8205) */
	KR_L_BGPSEC_NEG,     /* §2.2: BGPsec_PATH only where negotiated for the AFI */
	KR_L_BGPSEC_PREFIX,  /* §4.1: exactly one prefix, in MP_REACH_NLRI */
	KR_L_BGPSEC_AS_PATH, /* §3, §4.1: no AS_PATH / AS4_PATH beside BGPsec_PATH */
	KR_L_BGPSEC_SYNTAX,  /* §3, RFC 8608 §2.1: lengths, one Signature Segment per hop, suites */
	KR_L_BGPSEC_FLAGS,   /* §3.1, §4.2: the sender's segment: Confed 0 to an external peer, unassigned bits 0 */
	KR_L_PCOUNT,         /* §4.2, RFC 8207 §7: the sender's pCount is not 0 */
	KR_L_OWN_AS,         /* §4.2: the newest segment is the sender's AS */
	KR_L_SKI,            /* §4.2, RFC 8209: the sender's SKI names a key of its AS published then */
	KR_L_SIGNATURE,      /* §4.2: the sender's signature verifies under that key */
	KR_L_PLAIN_AS_PATH,  /* §4.4: AS_PATH to a plain peer = own AS + the rebuilt BGPsec path */
	/* RTR PDUs a router sends (RFC 8210) */
	KR_L_RTR_PDU,        /* §5: only Serial Query, Reset Query, Error Report, well formed */
	KR_L_RTR_VERSION,    /* §7: the negotiated version, 0 or 1 */
	KR_L_RTR_SERIAL,     /* §5.3, §8.3: Serial Query names the last End of Data; none after Cache Reset */
	KR_L_COUNT
};

enum kr_lint_sev { KR_LINT_MUST = 0, KR_LINT_SHOULD = 1 };

struct kr_lint_rule {
	const char *id;      /* stable short name, e.g. "4271-5.1.3/next-hop-missing" */
	const char *spec;    /* "RFC 4271 §5.1.3; RFC 4760 §3" */
	const char *what;    /* the requirement in a few words */
	enum kr_lint_sev sev;
};
const struct kr_lint_rule *kr_lint_rule(enum kr_lint_rule_id r);
/* Rule by id ("4271-5.1.3/next-hop-missing"); KR_L_COUNT when unknown. */
enum kr_lint_rule_id kr_lint_rule_find(const char *id);

/* One broken rule in one message. */
struct kr_lint_viol {
	enum kr_lint_rule_id rule;
	size_t offset;       /* byte offset in the message (header included) */
	char text[240];
};
typedef void (*kr_lint_cb)(const struct kr_lint_viol *v, void *arg);

/* What the sender knows of its session, from both OPENs. */
struct kr_lint_sess {
	bool known;          /* both OPENs seen: the session checks apply */
	uint32_t sender_as, receiver_as;
	bool as4;            /* both advertised 4-octet AS (RFC 6793) */
	bool afi[3];         /* the receiver takes unicast of this AFI (RFC 4760 §6) */
	bool bgpsec[3];      /* the sender may send BGPsec_PATH for the AFI (RFC 8205 §2.2) */
	bool ext_msg;        /* both advertised Extended Message (RFC 8654) */
	bool route_refresh;  /* the receiver advertised Route Refresh (RFC 2918) */
	int recv_family;     /* AF_INET / AF_INET6 of recv_addr; 0: unknown */
	uint8_t recv_addr[16];
};
/* Digest two decoded OPENs (sender's and receiver's). */
void kr_lint_sess_init(struct kr_lint_sess *s, const struct kr_open *sender,
		       const struct kr_open *receiver);

/* Routes the sender holds for a prefix (what it received), for the
 * RFC 8205 §4.4 check of what it sends to a plain peer. */
struct kr_lint_held {
	bool any_plain;      /* an unsigned route is among them: no expectation */
	size_t n;            /* BGPsec routes: their Secure_Paths flattened to ASes */
	const uint32_t *const *path; /* path[i][0..len[i]) newest first, pCount expanded */
	const size_t *len;
};

struct kr_lint_stats {
	uint64_t messages, updates, signatures; /* linted; signatures verified */
	uint64_t unkeyed;    /* BGPsec UPDATEs whose SKI / signature could not be checked (no keys) */
	uint64_t unsampled;  /* signatures outside the sample (sig_sample_mod): SKI checked only */
	uint64_t cached;     /* of the verified ones: answered by the cache (byte-identical before) */
};

/* Results of ECDSA verifications by (key, digest, signature), so a
 * signature sent again byte for byte is not verified again. Fixed size,
 * a new entry replaces an old one; one per thread. */

/* Is p among the signatures verified 1 in mod (0, 1: every one)? A
 * deterministic sample by a hash of the prefix, salted so that it is not
 * the observers' sample (run/observer.h): together they cover more. */
bool kr_lint_sampled(const struct kr_prefix *p, uint32_t mod);

/* A quick look at an UPDATE (whole message): 1 when it carries a
 * BGPsec_PATH (attribute type bgpsec_type, 0: KR_ATTR_BGPSEC_PATH), with
 * *nsigs its Signature_Blocks (each one signature of the sender), 0 when
 * not, -1 when the message cannot tell (malformed: decode it). */
int kr_lint_peek_bgpsec(const uint8_t *msg, size_t len, uint8_t bgpsec_type, size_t *nsigs);

struct kr_lint_ctx {
	const struct kr_lint_sess *sess;
	/* router keys published when the message was sent; NULL: unknown
	 * (the SKI and signature checks are skipped and counted as unkeyed) */
	const struct kr_keytab *keys;
	struct kr_crypto_ctx *cc;    /* required when keys != NULL */
	/* NULL: RFC 8205 §4.4 not checked */
	const struct kr_lint_held *(*held)(void *arg, const struct kr_prefix *p);
	void *held_arg;
	uint8_t bgpsec_type;         /* 0: KR_ATTR_BGPSEC_PATH */
	kr_lint_cb cb;
	void *cb_arg;
	struct kr_update *scratch;   /* NULL: allocated per UPDATE */
	struct kr_lint_stats *stats; /* may be NULL */
	/* Full tables: the sender's ECDSA signature is verified for 1 prefix
	 * in sig_sample_mod (kr_lint_sampled; 0 or 1: every one); the SKI
	 * is checked on every message. */
	uint32_t sig_sample_mod;
};

/* Lint one whole BGP message (header included) the sender sent. Returns
 * the number of rules it broke (each reported through c->cb). */
size_t kr_lint_bgp(const struct kr_lint_ctx *c, const uint8_t *msg, size_t len);

/* The RTR session of one router with one cache, as the router sees it. */
struct kr_lint_rtr {
	int version;         /* the cache's version once it answered (-1 before) */
	bool have_eod;       /* an End of Data seen: session and serial below */
	uint16_t session;
	uint32_t serial;
	bool after_reset;    /* a Cache Reset came and no Reset Query yet */
};
void kr_lint_rtr_init(struct kr_lint_rtr *s);
/* What the cache sent (updates the state; never a violation). */
void kr_lint_rtr_cache(struct kr_lint_rtr *s, const uint8_t *pdu, size_t len);
/* Lint one PDU the router sent; returns the number of broken rules. */
size_t kr_lint_rtr_router(struct kr_lint_rtr *s, const uint8_t *pdu, size_t len, kr_lint_cb cb,
			  void *arg);

/* internal to lint_*.c: report one violation, returns 1 */
size_t kr_lint_report(const struct kr_lint_ctx *c, enum kr_lint_rule_id r, size_t off,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
size_t kr_lint_bgpsec(const struct kr_lint_ctx *c, const uint8_t *msg, const struct kr_update *u);

#endif
