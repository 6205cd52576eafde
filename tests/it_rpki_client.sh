#!/bin/sh
# The test CA's output validated by a real relying party: rpki-client
# (offline) walks TA -> subordinate CA -> router certificate through our
# TAL, CRLs and manifests and emits the key in `bgpsec_keys`; every
# deliberately broken router certificate (ca.h enum kr_cert_fault, plus
# expired and not yet valid) is rejected; after the CA revokes the good
# certificate and republishes, its key is gone. The JSON rpki-client
# writes is then loaded by `keyroll rtr serve`.
set -u
tmp=$(mktemp -d /tmp/kr-it-rp.XXXXXX)
ns=kr-rp-$$
srv=""
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
KR=$(pwd)/build/keyroll
fail() { echo "FAIL: $*"; [ -f "$tmp/rp.log" ] && tail -n 15 "$tmp/rp.log"; exit 1; }
chmod 755 "$tmp" # rpki-client drops to _rpki-client
cd "$tmp" || exit 2
host=rpki.keyroll.test
"$KR" ca init ta --name keyroll-TA --as 64496-64511,65536-65551 >/dev/null || fail "ca init"
"$KR" ca sub ca1 --parent ta --name keyroll-CA1 --as 65536-65540 >/dev/null || fail "ca sub"
"$KR" ca keygen --out r1.key || fail keygen
"$KR" ca issue ca1 --key r1.key --as 65537 --router-id 0A000001 --days 30 --out r1.cer >/dev/null || fail issue
"$KR" ca tal ta --out keyroll.tal || fail tal
# Broken certificates, each on its own key. ku-extra is left out of the
# checks: rpki-client 8.2 accepts a router certificate whose Key Usage has
# more than digitalSignature (RFC 6487 §4.8.4 forbids it).
bad="no-eku any-eku eku-critical sia ip-resources as-inherit basic-constraints as-outside expired future"
for f in $bad; do
	"$KR" ca keygen --out "bad-$f.key" || fail keygen
	case $f in
	as-outside) args="--as 65001 --fault $f" ;;
	expired) args="--as 65538 --not-before 1000000000 --not-after 1000086400" ;;
	future) args="--as 65538 --not-before 4000000000 --days 10" ;;
	*) args="--as 65538 --fault $f" ;;
	esac
	"$KR" ca issue ca1 --key "bad-$f.key" $args --out "bad-$f.cer" >/dev/null || fail "issue $f"
done
mkdir -p cache/ta/keyroll "cache/$host/repo/keyroll-TA" "cache/$host/repo/keyroll-CA1" out
cp ta/ca.cer cache/ta/keyroll/keyroll-TA.cer
cp ca1/ca.cer keyroll-CA1.cer
publish() {
	"$KR" ca publish ta --out "cache/$host/repo/keyroll-TA" keyroll-CA1.cer || fail "publish TA"
	"$KR" ca publish ca1 --out "cache/$host/repo/keyroll-CA1" "$@" || fail "publish CA1"
}
rp() {
	rm -rf out && mkdir out
	chown -R _rpki-client cache out
	timeout 60 rpki-client -v -n -j -d "$tmp/cache" -t "$tmp/keyroll.tal" "$tmp/out" >rp.log 2>&1 || fail "rpki-client"
}
publish r1.cer bad-*.cer
rp
for f in $bad; do
	grep -q "keyroll-CA1/bad-$f.cer: " rp.log || fail "rpki-client did not reject bad-$f.cer"
	bski=$(openssl x509 -in "bad-$f.cer" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :')
	grep -q "\"ski\": \"$bski\"" out/json && fail "key of bad-$f.cer output"
done
ski=$(openssl x509 -in r1.cer -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :')
grep -q "\"asn\": 65537, \"ski\": \"$ski\"" out/json || fail "rpki-client did not output the router key"
grep -q "BGPsec Router Certificates: 1" rp.log || fail "router certificate not counted"
grep -q "Certificates: 13 (10 invalid)" rp.log || fail "unexpected certificate counts: $(grep Certificates: rp.log)"

# rpki-client's own output feeds the built-in cache.
cp out/json keys.json
ip netns add "$ns" || fail "namespace"
ip -n "$ns" link set lo up
ip netns exec "$ns" "$KR" rtr serve --listen 127.0.0.1:3323 --keys keys.json >serve.log 2>&1 &
srv=$!
i=0
while ! grep -q serving serve.log 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q "1 keys" serve.log || fail "keyroll rtr serve did not load rpki-client output: $(cat serve.log)"

# Revocation (RFC 8634 §3.1 step 4): the key leaves the RP output.
"$KR" ca revoke ca1 --cert r1.cer || fail revoke
publish r1.cer bad-*.cer
rp
grep -q "\"ski\": \"$ski\"" out/json && fail "revoked router key still output"
grep -q "BGPsec Router Certificates: 0" rp.log || fail "revoked certificate still counted"
grep -q "Manifests: 2 (0 failed parse, 0 stale)" rp.log || fail "manifests not accepted after republishing"
grep -q "r1.cer: certificate revoked" rp.log || fail "rpki-client did not report the revocation: $(grep -i revok rp.log)"
echo ok
