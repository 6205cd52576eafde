#!/bin/sh
# `make pcaps`: regenerate the pcap fixtures in pcaps/ from recorded harness
# runs (needs root: each run builds its own namespaces and removes them).
# Each fixture gets a sidecar NAME.md (keys, ASNs, topology, how it was
# made) and NAME.keys.json (public keys, rpki-client format).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "mkpcaps: needs root (network namespaces)" >&2
	exit 2
fi
build/keyroll record pcaps/harness-pair.pcap
build/keyroll record --refspeaker pcaps/refspeaker-rekey.pcap
# A whole router for `keyroll judge`: the clean reference speaker and fault
# variants (sut/refspeaker/FAULTS.md), each with the verdicts that must fail.
judge() { # fault|clean, expected failing verdicts
	if [ "$1" = clean ]; then
		build/keyroll record --scenario rollover pcaps/judge-clean.pcap
	else
		build/keyroll record --scenario rollover --fault "$1" --expect "$2" "pcaps/judge-$1.pcap"
	fi
}
judge clean ""
judge ignore-rtr-withdraw "judge/8634-3.1-5/withdrawn-key judge/rollover-4/replay"
judge accept-unknown-ski "judge/8205-5/not-valid judge/8634-3.1-5/withdrawn-key judge/rollover-4/replay"
judge partial-readvertise "judge/8634-3.1-3/own-key-switch"
judge no-next-hop "judge/lint"
judge notify-on-ipv6-bgpsec "judge/4271-8/sessions"
