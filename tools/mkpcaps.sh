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
