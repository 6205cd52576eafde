/* Deliberate faults of the reference speaker (sut/refspeaker/FAULTS.md).
 * Each is one flag checked at one precise point of the otherwise clean
 * code, so the clean paths stay readable and every flag's effect is local. */
#ifndef RS_FAULTS_H
#define RS_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

struct rs_faults {
	bool ignore_rtr_withdraw;    /* RTR key withdrawals are ignored */
	bool keep_old_key;           /* rekey accepted, old key still signs */
	bool no_readvertise;         /* key switched without twilight UPDATEs */
	bool partial_readvertise;    /* twilight covers only some routes/peers */
	bool accept_unknown_ski;     /* no key for (AS, SKI) counts as valid */
	bool skip_signature_check;   /* failing signature counts as valid */
	bool over_withdraw;          /* losing one key of an AS drops all its routes */
	bool transit_with_origin_key;/* transit routes signed with the origin key */
	bool bgpsec_to_plain_peer;   /* BGPsec_PATH sent without negotiation */
	bool one_key_per_as;         /* a new key of an AS replaces the others */
	bool stale_keys_after_reset; /* keys survive an RTR cache reset */
	bool no_downstream_withdraw; /* routes dropped locally, no withdrawal sent */
	bool twilight_withdraw_gap;  /* a replaced forwarded route: withdraw, then announce */
	bool no_revalidate_on_announce; /* a new key leaves Not Valid routes as they are */
	bool readvertise_transit_on_origin_roll; /* origin rekey re-sends transit routes too */
	bool keys_outlive_expire;    /* router keys kept past the cache's Expire Interval */
	bool early_expire;           /* router keys dropped after a quarter of the Expire Interval */
	bool abort_on_ipv6_bgpsec;   /* the first IPv6 UPDATE with BGPsec_PATH aborts the process */
	bool notify_on_ipv6_bgpsec;  /* an IPv6 UPDATE with BGPsec_PATH gets NOTIFICATION 3/1 */
	bool stagger_forgets_last;   /* a staggered twilight never reaches the last BGPsec peer */
	bool no_next_hop;            /* plain IPv4 UPDATEs without NEXT_HOP */
	bool cache_valid_verdicts;   /* Valid verdicts cached by UPDATE bytes, never re-checked */
	bool cache_notvalid_verdicts;/* Not Valid verdicts cached by UPDATE bytes, never re-checked */
	bool verdict_cache_survives_rtr_reset; /* cache flushed by incremental RTR changes only */
	bool keep_routes_on_session_down; /* a lost session's routes stay (as if Graceful Restart) */
	bool twilight_lost_on_reset; /* a session reset during a pending twilight keeps the old key */
	bool reval_origin_segment_only; /* key changes re-check only the origin's segment */
	bool reval_first_segment_only;  /* key changes re-check only the newest segment */
	bool restart_old_key;        /* a restart loads the keys of the configuration */
	bool rtr_v0;                 /* the RTR client speaks version 0 only */
	bool drop_keys_on_error_report; /* an Error Report from the cache drops every key */
	bool no_keys_after_reset;    /* after a Cache Reset / new session id, new keys are ignored */
	bool twilight_skips_upstream; /* the own twilight skips the last peer that sent us routes */
	bool twilight_stops_10k;     /* a twilight ends after 10 000 routes per peer */
	bool twilight_twice;         /* a twilight re-advertises every route twice */
	bool rekey_resets_sessions;  /* a rekey resets every BGPsec session instead of a twilight */
	bool corrupt_signatures_after_10k; /* our signature is wrong from the 10 001st signed UPDATE on */
	bool suppress_same_path;     /* a replacement with the same ASes is not passed on */
};

extern struct rs_faults rs_fault;

/* Turn on fault `name`; -1 when unknown. */
int rs_fault_enable(const char *name);
/* Name of fault i (0-based), NULL past the end. */
const char *rs_fault_name(size_t i);
/* Comma-separated list of enabled faults, "" when clean. */
const char *rs_fault_active(void);

#endif
