# Shared part of the RTR integration scripts (sourced, not run): process
# and namespace clean-up, failure output, polling, and router key files.
# The caller sets ns and tmp first.
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

