#!/bin/sh
# keyroll rtr serve against RTRlib's rtrclient (rtr-tools) in a private
# network namespace: the announced router key reaches rtrclient, a SIGHUP
# after the file changes withdraws it, a broken file is refused (file and
# entry named) while the last good set keeps being served, and tshark
# decodes our Router Key PDUs with the intended fields.
set -u
ns=kr-rtr-$$
tmp=$(mktemp -d /tmp/kr-it-rtr.XXXXXX)
. "$(dirname "$0")/lib_rtr_it.sh"

ip netns add "$ns" || fail "cannot create namespace"
ip -n "$ns" link set lo up

# dumpcap (tshark's capture engine) writes the pcap; tshark decodes it.
ip netns exec "$ns" dumpcap -q -i lo -f "tcp port $port" -w "$tmp/cap.pcapng" >"$tmp/dumpcap.log" 2>&1 &
cap=$!
pids="$pids $cap"
wait_for 20 grep -q "File:" "$tmp/dumpcap.log" || fail "dumpcap did not start"

ip netns exec "$ns" "$KR" rtr serve --listen 127.0.0.1:$port --keys "$tmp/keys.json" \
	--refresh 30 --retry 5 --expire 600 --transcript "$tmp/transcript.out" >"$tmp/serve.log" 2>&1 &
srv=$!
pids="$pids $srv"
wait_for 5 grep -q "serving" "$tmp/serve.log" || fail "keyroll rtr serve did not start"

ip netns exec "$ns" stdbuf -oL rtrclient -k -p -s tcp 127.0.0.1 $port >"$tmp/rtrclient.out" 2>"$tmp/rtrclient.err" &
pids="$pids $!"
# rtrclient prints "+ HOST: ..." then "ASN: ...", "SKI: aa:bb:..." lines.
has_key() { # SIGN SKI
	awk -v s="$1" -v k="$(colons "$2")" '$1 == s && $2 == "HOST:" { h = 1; next }
		h && /SKI:/ { if (tolower($2) == k) f = 1; h = 0 } END { exit !f }' "$tmp/rtrclient.out"
}
wait_for 10 has_key + "$ski1" || fail "rtrclient did not get key 1"
wait_for 5 has_key + "$ski2" || fail "rtrclient did not get key 2"
grep -q "192.0.2.0 *24 - *24 *64496" "$tmp/rtrclient.out" || fail "rtrclient did not get the ROA"

# Withdraw key 1 through the file and SIGHUP.
echo "{\"roas\":[$roa],\"bgpsec_keys\":[{\"asn\":65001,\"ski\":\"$ski2\",\"pubkey\":\"$b2\"}]}" > "$tmp/keys.json.new"
mv "$tmp/keys.json.new" "$tmp/keys.json"
kill -HUP "$srv"
wait_for 10 has_key - "$ski1" || fail "rtrclient did not see key 1 withdrawn"
has_key - "$ski2" && fail "key 2 was withdrawn too"

# A broken file: refused with file and entry named; the last set stays.
echo "{\"bgpsec_keys\":[{\"asn\":65001,\"ski\":\"$ski2\",\"pubkey\":\"$b2\"},{\"asn\":65001,\"ski\":\"XYZ\",\"pubkey\":\"$b1\"}]}" > "$tmp/keys.json"
kill -HUP "$srv"
wait_for 5 grep -q "keys.json: bgpsec_keys\[1\]: ski" "$tmp/serve.log" || fail "bad file not reported with entry"
grep -q "keeping the last good set" "$tmp/serve.log" || fail "no 'keeping' message"
ip netns exec "$ns" timeout 5 stdbuf -oL rtrclient -k -p -s tcp 127.0.0.1 $port >"$tmp/second.out" 2>/dev/null &
p2=$!
wait_for 5 grep -qi "$(colons "$ski2")" "$tmp/second.out" || fail "last good set not served after a bad reload"
kill "$p2" 2>/dev/null; wait "$p2" 2>/dev/null
kill -0 "$srv" || fail "server died"

# tshark: our Router Key PDUs decode as intended (version, flags, ASN,
# SKI, length). dumpcap stops without draining its buffer, so wait until
# the file holds the withdrawal before stopping it.
decode() {
	tshark -r "$tmp/cap.pcapng" -d tcp.port==$port,rpkirtr -O rpkirtr -V 2>/dev/null | awk '
		/^RPKI-Router Protocol/ { if (rk) print v, f, as, ski, len, crv; rk = /Router Key/; crv = "-" }
		rk && /^    Version:/ { v = $2 }
		rk && /^    Flags:/ { f = $2 }
		rk && /^    Length:/ { len = $2 }
		rk && /Subject Key Identifier:/ { ski = $4 }
		rk && /^    AS Number:/ { as = $3 }
		rk && /namedCurve: 1.2.840.10045.3.1.7/ { crv = "p256" }
		END { if (rk) print v, f, as, ski, len, crv }' >"$tmp/tshark.out"
	grep -qi "^1 0x00 65001 $ski1 123 p256$" "$tmp/tshark.out"
}
wait_for 20 decode || fail "tshark: no withdraw of key 1"
kill -INT "$cap"
wait "$cap" 2>/dev/null
grep -qi "^1 0x01 65001 $ski1 123 p256$" "$tmp/tshark.out" || fail "tshark: no announce of key 1"
tshark -r "$tmp/cap.pcapng" -d tcp.port==$port,rpkirtr -O rpkirtr -V 2>/dev/null |
	grep -A8 "RPKI-Router Protocol (End of Data)" | grep -q "Expire Interval: 600" || fail "tshark: End of Data timers"
grep -q "> v1 Router Key flags=0 asn=65001 ski=$(echo "$ski1" | tr a-f A-F)" "$tmp/transcript.out" ||
	fail "transcript lacks the withdrawal"
echo "ok"
