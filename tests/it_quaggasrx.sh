#!/bin/sh
# NIST QuaggaSRx (sut/profiles/quaggasrx) as the SUT, end to end: the whole
# suite runs unattended, every case is decided (no ERROR), every FAIL and
# NOT-JUDGED case is one the profile lists under [expected-failures]
# (checked by hand on the pcaps: XFAIL, "not judged: ..." for the latter),
# and nothing is left behind (srx_server, bgpd, namespaces). Then a
# crash of bgpd during a case is the SUT's crash (FAIL "killed by SIG..."),
# and SIGINT in the middle of a case tears everything down.
# Needs the BGP-SRx build of tools/build-quaggasrx.sh; exits 77 (SKIP) when
# it is absent (CI machines have no copy of the source).
set -u
K=build/keyroll
P=sut/profiles/quaggasrx/quaggasrx.profile
prefix=build-srx/prefix
if [ ! -x $prefix/sbin/bgpd ] || [ ! -x $prefix/bin/srx_server ]; then
	echo "no BGP-SRx build in $prefix (tools/build-quaggasrx.sh [SOURCE-DIR] makes one)"
	exit 77
fi
out=$(mktemp -d /tmp/kr-it-qsrx-XXXXXX)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

# Leftovers of one run: namespaces tagged kr<pid>n<seq>; the SUT's
# processes have their files under $out.
left() { # pid
	ip netns list | grep -q "^kr$1n" && { echo "namespaces: $(ip netns list | grep "^kr$1n")"; return 0; }
	pgrep -f "$out" >/dev/null && { echo "processes: $(pgrep -af "$out")"; return 0; }
	return 1
}
Q=sut/profiles/quaggasrx/qsrx
# Until the SUT of the case in DIR has its BGP sessions up (the timeline is
# written when the case ends; bgpd's console tells it now).
sessions_up() { # DIR
	i=0
	while :; do
		ns=$(awk '{print $4}' "$1/sut-command.txt" 2>/dev/null)
		[ -n "$ns" ] && [ "$(ip netns exec "$ns" $Q vty 'show ip bgp summary' 2>/dev/null |
			grep -cE '^198\.18\.[0-9.]+ .* [0-9]+$')" -ge 4 ] && return 0
		i=$((i + 1)); [ $i -gt 300 ] && return 1
		sleep 0.1
	done
}
outcomes() { # results.json -> "ID OUTCOME" lines
	python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]: print(c["id"], c["outcome"])' "$1"
}

# 1. The whole suite.
t0=$(date +%s)
$K run --sut $P --out "$out/run" >"$out/log" 2>&1 &
pid=$!
wait $pid
rc=$?
echo "suite against QuaggaSRx: $(( $(date +%s) - t0 )) s, exit $rc"
left $pid && fail "the run left things behind"
[ -f "$out/run/results.json" ] || { cat "$out/log"; fail "no results.json"; }
outcomes "$out/run/results.json" >"$out/outcomes"
cat "$out/outcomes"
grep -q " ERROR$" "$out/outcomes" && { cat "$out/log"; fail "cases in ERROR"; }
grep -q " FAIL$" "$out/outcomes" && { cat "$out/log"; fail "FAILs not listed as expected in $P"; }
grep -q " NOT-JUDGED$" "$out/outcomes" && { cat "$out/log"; fail "NOT-JUDGED cases not listed in $P"; }
grep -q " XPASS$" "$out/outcomes" && fail "expected failures that pass: update $P"
[ $rc -eq 0 ] || { cat "$out/log"; fail "keyroll run exited $rc (want 0)"; }
[ "$(grep -c " PASS$" "$out/outcomes")" -ge 10 ] || fail "fewer than 10 cases passed"
# The IPv6 defect is reported as one: every /v6 case is an expected
# failure, not judged, whose observation says the key got through on IPv4
# (the RTR barrier's diagnosis), not that the SUT ignores RTR; where exa
# is in the case, the wire lint's finding on that IPv4 route (no
# NEXT_HOP) may be the outcome instead.
python3 -c 'import json,sys
cs = [c for c in json.load(open(sys.argv[1]))["cases"] if c["id"].endswith("/v6") and c["outcome"] != "SKIP"]
ipv6 = lambda c: c["outcome"] == "XFAIL" and c["reason"].startswith("not judged:") and \
	"does not pass on IPv6 BGPsec routes" in (c["actual"] or "")
lint = lambda c: c["outcome"] == "XFAIL" and (c["actual"] or "").startswith("wire lint:")
bad = [c["id"] for c in cs if not ipv6(c) and not lint(c)]
print("\n".join(bad)); sys.exit(1 if bad or sum(map(ipv6, cs)) < 30 else 0)' "$out/run/results.json" ||
	fail "/v6 cases above not reported as the IPv6 defect"

# 2. bgpd crashes during a case: the start wrapper stops srx_server and
# dies of the same signal, the harness reports the SUT's crash.
$K run --sut $P --out "$out/crash" plain/ >"$out/crash.log" 2>&1 &
pid=$!
sessions_up "$out/crash/plain/8205-4.4/1" || fail "crash run: sessions never up"
bgpd=$(cat "$out/crash/plain/8205-4.4/1/sut/bgpd.pid" 2>/dev/null)
[ -n "$bgpd" ] && kill -0 "$bgpd" || fail "no bgpd of the crash run"
kill -SEGV "$bgpd"
wait $pid
rc=$?
left $pid && fail "the crash run left things behind"
[ $rc -eq 1 ] || { cat "$out/crash.log"; fail "crash run exited $rc (want 1)"; }
# bgpd's SIGSEGV handler logs and aborts: it may die of SIGABRT.
sig=$(sed -n 's/^qsrx: bgpd ended (signal \(SIG[A-Z]*\)); stopping the rest$/\1/p' \
	"$out/crash/plain/8205-4.4/1/sut.out")
[ -n "$sig" ] || fail "the wrapper did not report bgpd's crash"
grep -q "killed by $sig" "$out/crash/results.json" || { cat "$out/crash.log"; fail "crash not reported as $sig"; }

# 3. SIGINT in the middle of a case: exit 130, nothing left.
$K run --sut $P --out "$out/int" plain/ >"$out/int.log" 2>&1 &
pid=$!
sessions_up "$out/int/plain/8205-4.4/1" || fail "interrupt run: sessions never up"
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "interrupted run exited $rc (want 130)"
left $pid && fail "the interrupted run left things behind"
echo "ok"
