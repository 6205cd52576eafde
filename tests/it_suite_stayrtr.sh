#!/bin/sh
# `keyroll run --rtr stayrtr`: StayRTR is the RTR cache of every case.
# Cases that only publish and withdraw keys pass against the reference
# speaker; a case needing a verb only the built-in cache has (Cache Reset)
# SKIPs and says why; nothing is left behind (namespaces, stayrtr, SUT).
set -u
K=build/keyroll
out=$(mktemp -d /tmp/kr-it-stayrun-XXXXXX)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

$K run --rtr nosuch --out "$out/x" keys/8205-5.2/1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --rtr did not exit 2"
$K run --help | grep -q -- '--rtr' || fail "--help does not mention --rtr"

$K run --rtr stayrtr --out "$out/run" rollover/3.1-5/1 keys/8205-5.2/1 rtr/8210-5.3/1 >"$out/log" 2>&1 &
pid=$!
wait $pid
rc=$?
cat "$out/log"
ip netns list | grep -q "^kr${pid}n" && fail "namespaces of run $pid left: $(ip netns list | grep "^kr${pid}n")"
pgrep -f "$out" >/dev/null && fail "processes left: $(pgrep -af "$out")"
[ $rc -eq 0 ] || fail "keyroll run --rtr stayrtr exited $rc"
for c in rollover/3.1-5/1 keys/8205-5.2/1; do
	grep -q "PASS  $c " "$out/log" || fail "$c did not PASS under StayRTR"
	grep -q "StayRTR on " "$out/run/$c/timeline.txt" || fail "$c did not run StayRTR"
	[ -s "$out/run/$c/stayrtr-cache.json" ] || fail "$c has no StayRTR input file"
done
grep -q "SKIP  rtr/8210-5.3/1 " "$out/log" || fail "rtr/8210-5.3/1 did not SKIP under StayRTR"
grep -q "needs the built-in RTR cache (cache reset): StayRTR cannot" "$out/log" ||
	fail "the SKIP does not say why"
echo "ok: --rtr stayrtr (2 PASS, 1 SKIP with reason)"
