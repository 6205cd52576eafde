#!/bin/sh
# StayRTR mode (`keyroll rtr stayrtr`, harness/stayrtr.c) in a private
# network namespace: the harness writes the rpki-client JSON and runs
# StayRTR on it (protocol pinned to 1, metrics on the node address only);
# a router key reaches RTRlib's rtrclient through StayRTR and is withdrawn
# after the keys file changes and SIGHUP.
set -u
ns=kr-stay-$$
tmp=$(mktemp -d /tmp/kr-it-stay.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		alive=""
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $alive; do kill -KILL "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log "$tmp"/*.out; do [ -f "$f" ] && { echo "== $f"; tail -n 20 "$f"; }; done; exit 1; }
# wait_for SECONDS CMD...: poll until CMD succeeds or time runs out
wait_for() {
	end=$(( $(date +%s) + $1 )); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}
KR=$(pwd)/build/keyroll
port=3323

genkey() { # NAME -> $tmp/NAME.der, prints "SKI B64"
	openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.pem" 2>/dev/null &&
	openssl pkey -in "$tmp/$1.pem" -pubout -outform DER -out "$tmp/$1.der" &&
	echo "$(tail -c 65 "$tmp/$1.der" | sha1sum | cut -c1-40) $(base64 -w0 "$tmp/$1.der")"
}
set -- $(genkey k1); ski1=$1 b1=$2
set -- $(genkey k2); ski2=$1 b2=$2
colons() { echo "$1" | sed 's/../&:/g; s/:$//'; }
roa='{"asn":64496,"prefix":"192.0.2.0/24","maxLength":24}'
echo "{\"roas\":[$roa],\"bgpsec_keys\":[{\"asn\":65001,\"ski\":\"$ski1\",\"pubkey\":\"$b1\"},{\"asn\":65001,\"ski\":\"$ski2\",\"pubkey\":\"$b2\"}]}" > "$tmp/keys.json"

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
