/* Fault flag table; see rs_faults.h. */
#include "rs_faults.h"

#include <stddef.h>
#include <string.h>

struct rs_faults rs_fault;

static const struct {
	const char *name;
	bool *flag;
} table[] = {
	{ "ignore-rtr-withdraw", &rs_fault.ignore_rtr_withdraw },
	{ "keep-old-key", &rs_fault.keep_old_key },
	{ "no-readvertise", &rs_fault.no_readvertise },
	{ "partial-readvertise", &rs_fault.partial_readvertise },
	{ "accept-unknown-ski", &rs_fault.accept_unknown_ski },
	{ "skip-signature-check", &rs_fault.skip_signature_check },
	{ "over-withdraw", &rs_fault.over_withdraw },
	{ "transit-with-origin-key", &rs_fault.transit_with_origin_key },
	{ "bgpsec-to-plain-peer", &rs_fault.bgpsec_to_plain_peer },
	{ "one-key-per-as", &rs_fault.one_key_per_as },
	{ "stale-keys-after-reset", &rs_fault.stale_keys_after_reset },
	{ "no-downstream-withdraw", &rs_fault.no_downstream_withdraw },
	{ "twilight-withdraw-gap", &rs_fault.twilight_withdraw_gap },
	{ "no-revalidate-on-announce", &rs_fault.no_revalidate_on_announce },
	{ "readvertise-transit-on-origin-roll", &rs_fault.readvertise_transit_on_origin_roll },
	{ "keys-outlive-expire", &rs_fault.keys_outlive_expire },
	{ "early-expire", &rs_fault.early_expire },
	{ "abort-on-ipv6-bgpsec", &rs_fault.abort_on_ipv6_bgpsec },
	{ "notify-on-ipv6-bgpsec", &rs_fault.notify_on_ipv6_bgpsec },
	{ "stagger-forgets-last", &rs_fault.stagger_forgets_last },
	{ "no-next-hop", &rs_fault.no_next_hop },
	{ "cache-valid-verdicts", &rs_fault.cache_valid_verdicts },
	{ "cache-notvalid-verdicts", &rs_fault.cache_notvalid_verdicts },
	{ "verdict-cache-survives-rtr-reset", &rs_fault.verdict_cache_survives_rtr_reset },
	{ "keep-routes-on-session-down", &rs_fault.keep_routes_on_session_down },
	{ "twilight-lost-on-reset", &rs_fault.twilight_lost_on_reset },
	{ "reval-origin-segment-only", &rs_fault.reval_origin_segment_only },
	{ "reval-first-segment-only", &rs_fault.reval_first_segment_only },
	{ "restart-old-key", &rs_fault.restart_old_key },
	{ "rtr-v0", &rs_fault.rtr_v0 },
	{ "drop-keys-on-error-report", &rs_fault.drop_keys_on_error_report },
	{ "no-keys-after-reset", &rs_fault.no_keys_after_reset },
	{ "twilight-skips-upstream", &rs_fault.twilight_skips_upstream },
	{ "twilight-stops-10k", &rs_fault.twilight_stops_10k },
	{ "twilight-twice", &rs_fault.twilight_twice },
	{ "rekey-resets-sessions", &rs_fault.rekey_resets_sessions },
	{ "corrupt-signatures-after-10k", &rs_fault.corrupt_signatures_after_10k },
	{ "suppress-same-path", &rs_fault.suppress_same_path },
};
#define NFAULTS (sizeof table / sizeof table[0])

const char *rs_fault_name(size_t i)
{
	return i < NFAULTS ? table[i].name : NULL;
}

int rs_fault_enable(const char *name)
{
	for (size_t i = 0; i < NFAULTS; i++)
		if (!strcmp(table[i].name, name)) {
			*table[i].flag = true;
			return 0;
		}
	return -1;
}

const char *rs_fault_active(void)
{
	static char buf[512];
	buf[0] = 0;
	for (size_t i = 0; i < NFAULTS; i++)
		if (*table[i].flag) {
			if (buf[0])
				strcat(buf, ",");
			strcat(buf, table[i].name);
		}
	return buf;
}
