#!/bin/sh
# keyroll pcap decode on the interop capture (verdicts as in
# pcaps/bgpsrx-interop.md), clear errors on damaged files, and captures
# of a foreground run flushed when it is interrupted.
set -u
K=build/keyroll
P=pcaps/bgpsrx-interop.pcap
J=pcaps/bgpsrx-interop.keys.json
tag=krpc$$
out=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { $K clean $tag >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
until_true() { i=0; while ! eval "$1"; do i=$((i + 1)); [ $i -gt 500 ] && return 1; sleep 0.01; done; }

# 1. the interop capture, with and without keys
$K pcap decode $P >"$out/plain" || fail "decode without keys"
[ "$(wc -l <"$out/plain")" -eq 17 ] || fail "expected 17 messages"
[ "$(grep -c 'UPDATE.*BGPsec_PATH.*ski' "$out/plain")" -eq 6 ] || fail "expected 6 BGPsec UPDATEs"
grep -q -- '->' "$out/plain" && fail "verdicts without keys"
$K pcap decode $P --keys $J >"$out/keys" || fail "decode with keys"
[ "$(grep -c -- '-> Valid$' "$out/keys")" -eq 5 ] || fail "expected 5 Valid: $(cat "$out/keys")"
grep -q 'nlri 10.40.5.0/24 .*-> Not Valid' "$out/keys" || fail "10.40.5.0/24 should be Not Valid"
[ "$(grep -c 'Not Valid' "$out/keys")" -eq 1 ] || fail "exactly one Not Valid"
# same message types as tshark, in the same order
tshark -r $P -Y bgp -T fields -e bgp.type -E occurrence=a 2>/dev/null | tr ',' '\n' >"$out/ts"
awk '{print $7}' "$out/plain" | sed 's/OPEN/1/;s/UPDATE/2/;s/NOTIFICATION/3/;s/KEEPALIVE/4/;s/ROUTE-REFRESH/5/' >"$out/kr"
cmp -s "$out/ts" "$out/kr" || fail "message types differ from tshark"

# 2. damaged input: clear errors, exit code 2, never a crash
head -c 3000 $P >"$out/cut.pcap"
$K pcap decode "$out/cut.pcap" >/dev/null 2>"$out/err"; rc=$?
[ $rc -eq 2 ] || fail "truncated file: exit $rc"
grep -q "cut.pcap: packet [0-9]* at offset [0-9]*: truncated" "$out/err" || fail "truncated: $(cat "$out/err")"
echo "not a pcap" >"$out/junk.pcap"
$K pcap decode "$out/junk.pcap" >/dev/null 2>"$out/err"; [ $? -eq 2 ] || fail "junk: exit code"
grep -q "junk.pcap" "$out/err" || fail "junk: message"
$K pcap decode $P --keys /nonexistent.json >/dev/null 2>"$out/err"; [ $? -eq 2 ] || fail "keys: exit code"
grep -q "nonexistent.json" "$out/err" || fail "keys: message"
echo '{"bgpsec_keys": [ {"asn": 1, "ski": "zz"} ]}' >"$out/bad.json"
$K pcap decode $P --keys "$out/bad.json" >/dev/null 2>"$out/err"; [ $? -eq 2 ] || fail "bad keys: exit code"
grep -q "bad.json" "$out/err" || fail "bad keys: message"

# 3. a foreground run captures every SUT link; SIGINT flushes the files
$K netns up netns/rollover.topo --tag $tag --wait --capture "$out" >"$out/up" 2>&1 &
pid=$!
until_true "grep -qs Ctrl-C $out/up" || fail "foreground run did not come up: $(cat "$out/up")"
[ "$(grep -c '^capture ' "$out/up")" -eq 6 ] || fail "expected 6 captures"
ip netns exec $tag-sut python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.6", 179)); s.listen(1); c, _ = s.accept()
c.sendall(b"\xff" * 16 + b"\x00\x13\x04"); c.recv(100)' &
srv=$!
until_true "ip netns exec $tag-sut ss -ltn 2>/dev/null | grep -q 198.18.0.6:179" || fail "listener"
ip netns exec $tag-up1 python3 -c '
import socket
s = socket.create_connection(("198.18.0.6", 179)); s.recv(19)
s.sendall(b"\xff" * 16 + b"\x00\x13\x04")' || fail "client"
wait $srv
kill -INT $pid
wait $pid
[ $? -ge 128 ] || fail "SIGINT exit code"
[ "$(ip netns list | grep -c "^$tag-")" -eq 0 ] || fail "namespaces left"
$K pcap decode "$out/sut-up1.pcap" >"$out/cap" || fail "decode capture"
[ "$(grep -c 'BGP KEEPALIVE' "$out/cap")" -eq 2 ] || fail "capture lacks the KEEPALIVEs: $(cat "$out/cap")"
echo ok
