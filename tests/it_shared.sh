#!/bin/sh
# One SUT for the run (sut/README.md, "One SUT for the run"): the whole
# suite against the reference speaker with --sut-lifetime run passes case
# for case as with a SUT per case (tests/it_suite.sh), with the evidence of
# every case; the isolation between cases is checked, not assumed: a SUT
# that signs with another key than the one it was told to switch to, and
# one that keeps the routes of a closed session, are found, the SUT is
# started afresh, and the next case's outcome is the one it has with a SUT
# per case. Every fault of FAULTS.md in this mode: tests/it_suite_faults.sh
# (through the emulated device). Prints the suite's wall time.
set -u
K=build/keyroll
out=$(mktemp -d /tmp/kr-it-shared-XXXXXX)
fail=0
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
bad() { echo "FAIL: $*"; fail=1; }
outcomes() { # run dir -> "id outcome" lines (pipeline/ cases run only under --rpki pipeline)
	python3 -c '
import json, sys
for c in json.load(open(sys.argv[1] + "/results.json"))["cases"]:
    if not (c["id"].startswith("pipeline/") and c["outcome"] == "SKIP"):
        print(c["id"], c["outcome"])
' "$1" 2>/dev/null
}

# 1. The whole suite, one SUT for the run.
t0=$(date +%s.%N)
$K run --sut-lifetime run --out "$out/all" >"$out/all.log" 2>&1
rc=$?
t1=$(date +%s.%N)
[ $rc -eq 0 ] || { bad "keyroll run --sut-lifetime run exited $rc"; grep -A2 '^  [A-Z]' "$out/all.log" | head -n 30; }
n=$(outcomes "$out/all" | grep -vc ' PASS$')
[ "$n" -eq 0 ] && [ "$(outcomes "$out/all" | wc -l)" -gt 0 ] || bad "$n cases did not pass"
# started once, again for the split-key cases and back, and for each case
# that needs a SUT of its own (restart/*)
max=$(($($K list | grep -c '^restart/') + 3))
starts=$(sed -n 's/^one SUT for the run: started \([0-9]*\) time.*/\1/p' "$out/all.log")
[ -n "$starts" ] && [ "$starts" -le $max ] || bad "the run's SUT was started ${starts:-?} times (at most $max)"
python3 - "$out/all" <<'PY' || bad "evidence"
import json, os, sys
d = sys.argv[1]
for c in json.load(open(os.path.join(d, "results.json")))["cases"]:
    if c["id"].startswith("pipeline/") and c["outcome"] == "SKIP":
        continue
    for f in ["timeline.txt", "sut.log", "rtr-transcript.txt", "sut-dn1.pcap", "sut-up1.pcap"]:
        if not os.path.exists(os.path.join(d, c["id"], f)):
            sys.exit("%s: no %s" % (c["id"], f))
    tl = open(os.path.join(d, c["id"], "timeline.txt")).read()
    if "isolation: the SUT holds its own prefixes" not in tl:
        sys.exit("%s: no isolation check in the timeline" % c["id"])
PY
echo "suite wall time, one SUT for the run: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s, $(outcomes "$out/all" | wc -l) cases, SUT started $starts times"

# 2. A rekey the SUT did not carry out (keep-old-key): the next case finds
# its own prefixes signed with the old key, starts it afresh, and FAILs on
# its own account, as with a SUT per case.
$K run --strict --sut-lifetime run --sut-opt fault=keep-old-key --out "$out/ko" \
	'rollover/3.1-3/sut-1$' 'rollover/3.1-3/sut-2$' >"$out/ko.log" 2>&1
o=$(outcomes "$out/ko" | tr '\n' ' ')
[ "$o" = "rollover/3.1-3/sut-1 FAIL rollover/3.1-3/sut-2 FAIL " ] || bad "keep-old-key: $o"
tl="$out/ko/rollover/3.1-3/sut-2/timeline.txt"
grep -q "isolation: the SUT's own prefix .* is not signed with" "$tl" && grep -q "started again" "$tl" ||
	bad "keep-old-key: the second case did not find the old key and start the SUT afresh"

# 3. A SUT that keeps the routes of a closed session: the observers see
# them stay after the case (a leak named in its timeline); the next case
# runs on a fresh SUT, with the outcome it has with a SUT per case.
for m in case run; do
	$K run --strict --sut-lifetime $m --sut-opt fault=keep-routes-on-session-down --out "$out/kr-$m" \
		'stale/3.1-3/1$' 'stale/8205-5/1$' >"$out/kr-$m.log" 2>&1
done
o=$(outcomes "$out/kr-run" | tr '\n' ' ')
[ "$o" = "$(outcomes "$out/kr-case" | tr '\n' ' ')" ] && [ -n "$o" ] ||
	bad "keep-routes-on-session-down: one SUT: $o; a SUT per case: $(outcomes "$out/kr-case" | tr '\n' ' ')"
grep -q "isolation: .*the SUT had not withdrawn" "$out/kr-run/stale/3.1-3/1/timeline.txt" ||
	bad "keep-routes-on-session-down: the leak is not named"
grep -q "started again: after stale/3.1-3/1" "$out/kr-run/stale/8205-5/1/timeline.txt" ||
	bad "keep-routes-on-session-down: the next case did not get a fresh SUT"

[ $fail -eq 0 ] && echo "ok: one SUT for the run"
exit $fail
