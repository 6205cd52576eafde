#!/bin/sh
# StayRTR mode (`keyroll rtr stayrtr`, harness/rpki/stayrtr.c) in a private
# network namespace: the harness writes the rpki-client JSON and runs
# StayRTR on it (protocol pinned to 1, metrics on the node address only);
# a router key reaches RTRlib's rtrclient through StayRTR and is withdrawn
# after the keys file changes and SIGHUP.
set -u
ns=kr-stay-$$
tmp=$(mktemp -d /tmp/kr-it-stay.XXXXXX)
. "$(dirname "$0")/lib_rtr_it.sh"

ip netns add "$ns" || fail "cannot create namespace"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 198.18.0.1/32 dev lo

ip netns exec "$ns" "$KR" rtr stayrtr --listen 198.18.0.1:$port --metrics 198.18.0.1:9847 \
	--keys "$tmp/keys.json" --refresh 30 --retry 5 --expire 600 >"$tmp/serve.log" 2>&1 &
srv=$!
pids="$pids $srv"
wait_for 15 grep -q "stayrtr serving" "$tmp/serve.log" || fail "keyroll rtr stayrtr did not start"
ns_cmds() { for p in $(ip netns pids "$ns"); do tr '\0' ' ' </proc/$p/cmdline 2>/dev/null; echo; done; }
ns_cmds | grep -q "^stayrtr .*-protocol 1 " || fail "StayRTR protocol version not pinned"
ip netns exec "$ns" ss -ltnH | grep -q "198.18.0.1:9847" || fail "metrics not on the node address"
ip netns exec "$ns" ss -ltnH | grep -q -E "(\*|0\.0\.0\.0|\[::\]):9847" && fail "metrics on every interface"

ip netns exec "$ns" stdbuf -oL rtrclient -k -p -s tcp 198.18.0.1 $port >"$tmp/rtrclient.out" 2>"$tmp/rtrclient.err" &
pids="$pids $!"
has_key() { # SIGN SKI
	awk -v s="$1" -v k="$(colons "$2")" '$1 == s && $2 == "HOST:" { h = 1; next }
		h && /SKI:/ { if (tolower($2) == k) f = 1; h = 0 } END { exit !f }' "$tmp/rtrclient.out"
}
wait_for 10 has_key + "$ski1" || fail "rtrclient did not get key 1 through StayRTR"
wait_for 5 has_key + "$ski2" || fail "rtrclient did not get key 2 through StayRTR"

echo "{\"roas\":[$roa],\"bgpsec_keys\":[{\"asn\":65001,\"ski\":\"$ski2\",\"pubkey\":\"$b2\"}]}" > "$tmp/keys.json.new"
mv "$tmp/keys.json.new" "$tmp/keys.json"
kill -HUP "$srv"
wait_for 15 has_key - "$ski1" || fail "rtrclient did not see key 1 withdrawn through StayRTR"
has_key - "$ski2" && fail "key 2 was withdrawn too"
kill -TERM "$srv"
wait "$srv" 2>/dev/null
ns_cmds | grep -q "^stayrtr " && fail "stayrtr left running"
echo "ok"
