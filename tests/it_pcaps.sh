#!/bin/sh
# Every pcap fixture in pcaps/: `keyroll pcap decode` finds at least the
# BGPsec UPDATEs that tshark finds, and with the fixture's keys every one
# of them is Valid except those the sidecar lists as "- not valid: PREFIX".
set -u
K=build/keyroll
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0
for f in pcaps/*.pcap; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	ours=$($K pcap decode "$f" | grep -c "BGPsec_PATH")
	theirs=$(tshark -r "$f" -T fields -e bgp.update.path_attribute.bgpsec.sp.length \
		-E occurrence=a 2>/dev/null | tr ',' '\n' | grep -c .)
	[ "$theirs" -gt 0 ] || fail "$f: tshark finds no BGPsec UPDATE"
	[ "$ours" -ge "$theirs" ] || fail "$f: keyroll finds $ours BGPsec UPDATEs, tshark $theirs"
	keys="${f%.pcap}.keys.json"
	[ -f "$keys" ] || fail "$f: no sidecar $keys"
	[ -f "${f%.pcap}.md" ] || fail "$f: no sidecar ${f%.pcap}.md"
	$K pcap decode "$f" --keys "$keys" | grep "BGPsec_PATH" >"$tmp"
	valid=$(grep -c -- "-> Valid$" "$tmp")
	want_nv=$(sed -n 's/^- not valid: \([^ ]*\).*/\1/p' "${f%.pcap}.md" | sort)
	got_nv=$(grep -- "-> Not Valid" "$tmp" | sed 's/.* nlri \([^ ]*\) .*/\1/' | sort)
	[ "$got_nv" = "$want_nv" ] || fail "$f: Not Valid [$got_nv], sidecar lists [$want_nv]"
	nnv=$(echo "$want_nv" | grep -c .)
	[ $((valid + nnv)) -eq "$ours" ] || fail "$f: $valid Valid + $nnv Not Valid of $ours with $keys"
	echo "$f: $ours BGPsec UPDATEs (tshark $theirs), $valid Valid, $nnv Not Valid as listed"
done
[ "$n" -gt 0 ] || fail "no pcap fixture"

# Replay selection from the command line (the live path is tested in
# tests/test_ns_speakers.c): the fixture announces 198.51.100.0/24 twice,
# old key then new key.
f=pcaps/harness-pair.pcap
c=$($K replay "$f" --list --prefix 198.51.100.0/24 --bgpsec-only | grep -c "^#")
[ "$c" -eq 2 ] || fail "replay --prefix selected $c UPDATEs, expected 2"
c=$($K replay "$f" --list --index 0-2 | grep -c "^#")
[ "$c" -eq 3 ] || fail "replay --index 0-2 selected $c UPDATEs, expected 3"
$K replay "$f" --list --prefix 192.0.2.0/25 >/dev/null 2>&1 && fail "replay of no match must fail"
$K replay pcaps/README.md --list >/dev/null 2>&1 && fail "replay of a non-pcap must fail"
echo "replay selection OK"
