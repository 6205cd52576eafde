#!/bin/sh
# The conformance suite end to end against the clean reference speaker:
# every case passes (keyroll run exits 0), junit.xml validates against the
# JUnit schema, results.json agrees, every case has its evidence, bad usage
# exits 2, SIGINT tears a run down with partial reports, and nothing is
# left behind (namespaces, processes). Prints the wall time of the suite.
set -u
K=build/keyroll
XSD=harness/report/junit.xsd
out=$(mktemp -d /tmp/kr-it-suite-XXXXXX)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

# Leftovers of one run: its namespaces are tagged kr<pid>n<seq>, its SUT
# and ExaBGP processes have their files under $out.
left() { # pid
	ip netns list | grep -q "^kr$1n" && { echo "namespaces of run $1: $(ip netns list | grep "^kr$1n")"; return 0; }
	pgrep -f "$out" >/dev/null && { echo "processes: $(pgrep -af "$out")"; return 0; }
	return 1
}

# Bad usage: exit 2, nothing run.
$K run --out "$out/x" no/such/case >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown filter did not exit 2"
$K run --sut-opt nosuch=1 --out "$out/x" >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown --sut-opt did not exit 2"
$K run --time-scale -1 >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --time-scale did not exit 2"
$K list | grep -q '^rollover/3.1-5/1 ' || fail "keyroll list lacks rollover/3.1-5/1"

# The full suite.
t0=$(date +%s.%N)
$K run --out "$out/run" --junit "$out/copy.xml" >"$out/log" 2>&1 &
pid=$!
wait $pid
rc=$?
t1=$(date +%s.%N)
left $pid && fail "the run left things behind"
if [ $rc -ne 0 ]; then
	cat "$out/log"
	fail "keyroll run against the clean reference speaker exited $rc"
fi
xmllint --noout --schema $XSD "$out/run/junit.xml" "$out/copy.xml" ||
	fail "junit.xml does not validate"
# A real JUnit consumer reads the same counts and outcomes as results.json,
# and notices a count changed by hand (the schema alone would accept it).
tools/junit-check.py "$out/run/junit.xml" "$out/run/results.json" || fail "junitparser disagrees"
sed '0,/<testsuite name="peer_rolls" tests="[0-9]*" failures="0"/s//&X/; s/failures="0"X/failures="1"/' \
	"$out/run/junit.xml" >"$out/tampered.xml"
cmp -s "$out/run/junit.xml" "$out/tampered.xml" && fail "tampering changed nothing"
xmllint --noout --schema $XSD "$out/tampered.xml" 2>/dev/null || fail "the tampered copy should still validate"
tools/junit-check.py "$out/tampered.xml" "$out/run/results.json" >"$out/tampered.log" 2>&1 &&
	fail "junit-check accepted a tampered count"
grep -q 'testsuite peer_rolls: failures="1" but its testcases say 0' "$out/tampered.log" ||
	fail "junit-check did not name the tampered count: $(cat "$out/tampered.log")"
python3 - "$out/run" <<'PY' || fail "results.json check"
import json, os, sys
d = sys.argv[1]
evidence = ["timeline.txt", "sut.log", "rtr-transcript.txt", "sut-dn1.pcap", "sut-up1.pcap"]
r = json.load(open(os.path.join(d, "results.json")))
cases = r["cases"]
# the pipeline/ cases run only under --rpki pipeline (tests/it_suite_pipeline.sh)
def pipeline_only(c):
    return c["id"].startswith("pipeline/") and c["outcome"] == "SKIP" and "--rpki pipeline" in (c.get("reason") or "")
bad = [c["id"] + " " + c["outcome"] for c in cases if c["outcome"] != "PASS" and not pipeline_only(c)]
if bad:
    sys.exit("not PASS: " + ", ".join(bad))
cases = [c for c in cases if not pipeline_only(c)]
for c in cases:
    cd = os.path.join(d, c["id"])
    for f in evidence:
        if not os.path.exists(os.path.join(cd, f)):
            sys.exit("%s: no %s" % (c["id"], f))
    if not c["timeline"]:
        sys.exit(c["id"] + ": empty timeline")
    # One Serial Notify per change: never the same serial twice to a
    # client that has not queried since (RFC 8210 §8.2 spacing).
    last = {}
    for ln in open(os.path.join(cd, "rtr-transcript.txt")):
        w = ln.split()
        if len(w) > 5 and w[2] == ">" and w[4:6] == ["Serial", "Notify"]:
            if last.get(w[1]) == w[6:]:
                sys.exit("%s: Serial Notify repeated to %s: %s" % (c["id"], w[1], ln.strip()))
            last[w[1]] = w[6:]
        elif len(w) > 2 and w[2] == "<":
            last.pop(w[1], None)
print("%d cases passed" % len(cases))
PY
echo "suite wall time: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s "
grep 'cases in' "$out/log"

# A SUT that crashes is a FAIL that names the signal, not a harness error.
sed -e "s|^config = .*|config = $PWD/sut/profiles/refspeaker.conf.in|" \
    -e "s|^start = .*|start = /usr/bin/python3 -c __import__('os').kill(__import__('os').getpid(),11)|" \
    -e "/^ready = /d" sut/profiles/refspeaker.profile >"$out/crash.profile"
$K run --sut "$out/crash.profile" --out "$out/crash" rollover/3.1-1/1 >"$out/crashlog" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$out/crashlog"; fail "crashing SUT: exit $rc, not 1"; }
python3 - "$out/crash/results.json" <<'PY' || fail "crashing SUT: not a FAIL naming SIGSEGV"
import json, sys
for c in json.load(open(sys.argv[1]))["cases"]:
    cr = c["sut_crash"]
    assert c["outcome"] == "FAIL" and cr and cr["signal_name"] == "SIGSEGV", c
    assert c["actual"].startswith("the SUT was killed by SIGSEGV"), c["actual"]
PY
tools/junit-check.py "$out/crash/junit.xml" "$out/crash/results.json" || fail "crash run: junitparser disagrees"

# SIGINT in the middle of a run: torn down, partial reports written.
$K run --out "$out/int" >"$out/intlog" 2>&1 &
pid=$!
i=0
until grep -q '^\[1/' "$out/intlog" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 3000 ] && fail "no case finished within 30 s"
	sleep 0.01
done
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || fail "SIGINT run exited $rc, not 130"
[ -s "$out/int/junit.xml" ] || fail "no partial junit.xml after SIGINT"
xmllint --noout --schema $XSD "$out/int/junit.xml" || fail "partial junit.xml invalid"
tools/junit-check.py "$out/int/junit.xml" "$out/int/results.json" || fail "partial junit.xml: junitparser disagrees"

left $pid && fail "the interrupted run left things behind"
echo "ok"
