#!/bin/sh
# keyroll judge on a pcap per link: the captures of a live run of
# rollover/3.1-5/1 (an upstream's key withdrawn by the cache) against the
# clean reference speaker give no failing verdict; against the variant
# that ignores RTR withdrawals, the live case fails and so does the
# judge's withdrawn-key verdict, citing frames. Its reports validate like
# a run's; bad usage and unreadable input exit 2. (The one-pcap fixtures
# of pcaps/judge-*.pcap are judged in tests/test_judge.c.)
set -u
K=build/keyroll
XSD=harness/report/junit.xsd
out=$(mktemp -d /tmp/kr-it-judge-XXXXXX)
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
C='rollover/3.1-5/1$'
D=rollover/3.1-5/1

$K judge >/dev/null 2>&1; [ $? -eq 2 ] || fail "no capture: not exit 2"
$K judge "$out/none.pcap" >"$out/none.log" 2>&1; [ $? -eq 2 ] || fail "missing capture: not exit 2"
grep -q "none.pcap" "$out/none.log" || fail "missing capture not named"

for v in clean ignore-rtr-withdraw; do
	opt=; [ $v = clean ] || opt="--sut-opt fault=$v"
	$K run $opt --out "$out/run-$v" "$C" >"$out/run-$v.log" 2>&1
	live=$?
	# --deadline 1: the withdrawal's deadline falls inside the case's capture
	$K judge "$out/run-$v/$D"/sut-*.pcap --deadline 1 --out "$out/judge-$v" >"$out/judge-$v.log" 2>&1
	rc=$?
	xmllint --noout --schema $XSD "$out/judge-$v/junit.xml" 2>/dev/null || fail "$v: junit.xml does not validate"
	tools/junit-check.py "$out/judge-$v/junit.xml" "$out/judge-$v/results.json" >/dev/null ||
		fail "$v: junitparser reads other counts than results.json"
	failed=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(c["id"] for c in r["cases"] if c["outcome"] == "FAIL") or "-")
' "$out/judge-$v/results.json")
	echo "$v: live run exit $live, judge exit $rc, judge fails: $failed"
	if [ $v = clean ]; then
		[ $live -eq 0 ] && [ $rc -eq 0 ] && [ "$failed" = - ] || { cat "$out/judge-$v.log"; fail "clean: not all passed"; }
	else
		[ $live -eq 1 ] || fail "$v: the live case did not fail"
		[ $rc -eq 1 ] && [ "$failed" = judge/8634-3.1-5/withdrawn-key ] || { cat "$out/judge-$v.log"; fail "$v: judge did not report the withdrawn key"; }
		grep -q 'still advertised to AS .*(link sut-dn[12] frame [0-9]*' "$out/judge-$v.log" ||
			{ cat "$out/judge-$v.log"; fail "$v: no frame cited"; }
	fi
done
echo ok
