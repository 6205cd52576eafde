#!/bin/sh
# Verdicts say what happened (suites/README.md, "Preconditions", "The SUT
# breaking down"; sut/README.md, "When the SUT breaks down"): for each
# verdict path a run against a faulty reference speaker or a profile
# variant, and the texts the terminal, junit.xml and results.json must
# carry.
#  - a SUT that aborts on its first IPv6 BGPsec UPDATE: the IPv6 run FAILs
#    with SIGABRT first, the IPv4 run passes;
#  - the same through a multi-process start wrapper (sut/examples);
#  - a SUT that resets the session on IPv6 BGPsec_PATH: the dropped
#    session and its NOTIFICATION;
#  - a SUT that stops answering its ready check;
#  - a staggered twilight that forgets its last peer: FAIL without
#    --strict (a MUST), its SHOULD sibling NOT-JUDGED.
set -u
K=build/keyroll
XSD=harness/report/junit.xsd
out=$(mktemp -d /tmp/kr-it-verdicts-XXXXXX)
fail=0
cleanup() { $K clean >/dev/null 2>&1; [ -n "${KEEP:-}" ] || rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

bad() { echo "FAIL: $*"; fail=1; }
# has NAME FILE TEXT: FILE contains TEXT (fixed string)
has() { grep -qF -- "$3" "$2" || { bad "$1: '$3' not in $(basename "$2")"; sed 's/^/    /' "$2" | head -n 40; }; }

profile() { # NAME SED-EXPR...: a variant of the reference speaker's profile
	n=$1; shift
	sed -e "s|^config = .*|config = $PWD/sut/profiles/refspeaker.conf.in|" "$@" \
		sut/profiles/refspeaker.profile >"$out/$n.profile"
}

# run NAME EXPECTED-RC keyroll-run-args...
run() {
	n=$1 want=$2; shift 2
	$K run --out "$out/$n" "$@" >"$out/$n.log" 2>&1
	rc=$?
	[ "$rc" -eq "$want" ] || { bad "$n: keyroll run exited $rc, not $want"; tail -n 30 "$out/$n.log"; }
	xmllint --noout --schema $XSD "$out/$n/junit.xml" 2>/dev/null || bad "$n: junit.xml does not validate"
	tools/junit-check.py "$out/$n/junit.xml" "$out/$n/results.json" >/dev/null ||
		bad "$n: junitparser reads other outcomes than results.json"
}

# json NAME PYTHON-EXPR: the expression over r (results.json) and c (case
# by id: c["rollover/..."]) is true
json() {
	python3 - "$out/$1/results.json" "$2" <<'PY' || bad "$1: results.json: $2"
import json, sys
r = json.load(open(sys.argv[1]))
c = {x["id"]: x for x in r["cases"]}
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

# 1. SIGABRT on the first IPv6 BGPsec UPDATE.
run abort 1 --sut-opt fault=abort-on-ipv6-bgpsec rollover/3.1-2/1
has abort "$out/abort.log" "[1/2] PASS  rollover/3.1-2/1  "
has abort "$out/abort.log" "FAIL  rollover/3.1-2/1/v6"
has abort "$out/abort.log" "SUT CRASH: the SUT was killed by SIGABRT at +"
has abort "$out/abort.log" "sessions dropped: up1, up2, dn1, dn2"
has abort "$out/abort.log" "| "   # log lines follow
has abort "$out/abort.log" "fault abort-on-ipv6-bgpsec: aborting on an IPv6 BGPsec UPDATE"
has abort "$out/abort/junit.xml" '<failure type="SUT-CRASH" message="SUT crash: the SUT was killed by SIGABRT at +'
has abort "$out/abort/junit.xml" "last lines of sut.log:"
json abort 'c["rollover/3.1-2/1"]["outcome"] == "PASS" and c["rollover/3.1-2/1"]["sut_crash"] is None'
json abort 'c["rollover/3.1-2/1/v6"]["outcome"] == "FAIL"'
json abort 'c["rollover/3.1-2/1/v6"]["sut_crash"]["signal_name"] == "SIGABRT" and c["rollover/3.1-2/1/v6"]["sut_crash"]["signal"] == 6'
json abort 'c["rollover/3.1-2/1/v6"]["sut_crash"]["kind"] == "killed" and c["rollover/3.1-2/1/v6"]["sut_crash"]["exit_code"] is None'
json abort '"2001:db8:" in c["rollover/3.1-2/1/v6"]["sut_crash"]["after_step"] and c["rollover/3.1-2/1/v6"]["sut_crash"]["t"] >= c["rollover/3.1-2/1/v6"]["sut_crash"]["after_step_t"]'
json abort 'sorted(d["peer"] for d in c["rollover/3.1-2/1/v6"]["sut_crash"]["sessions"]) == ["dn1", "dn2", "up1", "up2"]'
json abort 'any("abort-on-ipv6-bgpsec" in l for t in c["rollover/3.1-2/1/v6"]["sut_crash"]["log_tail"] for l in t["lines"])'
json abort 'c["rollover/3.1-2/1/v6"]["actual"].startswith("the SUT was killed by SIGABRT")'

# 2. The same SUT behind a start wrapper of two processes: the wrapper
# re-raises its child's SIGABRT, the harness reports it.
printf '#!/bin/sh\nsleep 3600\n' >"$out/helper.sh"
chmod +x "$out/helper.sh"
profile multi -e "s|^start = |start = /usr/bin/env KR_HELPER=$out/helper.sh $PWD/sut/examples/multi-process-start.sh |"
run multi 1 --sut "$out/multi.profile" --sut-opt fault=abort-on-ipv6-bgpsec 'rollover/3.1-2/1/v6$'
has multi "$out/multi.log" "SUT CRASH: the SUT was killed by SIGABRT at +"
has multi "$out/multi.log" "multi-process-start: main (pid"
json multi 'c["rollover/3.1-2/1/v6"]["sut_crash"]["signal_name"] == "SIGABRT"'
pgrep -f "$out/helper.sh" >/dev/null && bad "multi: the wrapper's helper outlived the run"

# 3. A session reset with NOTIFICATION 3/1, the process still running.
run notify 1 --sut-opt fault=notify-on-ipv6-bgpsec 'rollover/3.1-2/1/v6$'
has notify "$out/notify.log" "SUT CRASH: session up2-sut dropped without the case asking (up2: received NOTIFICATION 3/1 (UPDATE Message Error/Malformed Attribute List)"
has notify "$out/notify.log" "the SUT's process still runs"
has notify "$out/notify/junit.xml" '<failure type="SUT-CRASH" message="SUT crash: session up2-sut dropped'
json notify 'c["rollover/3.1-2/1/v6"]["sut_crash"]["kind"] == "session-down" and c["rollover/3.1-2/1/v6"]["sut_crash"]["signal"] is None'
json notify '"NOTIFICATION 3/1" in c["rollover/3.1-2/1/v6"]["sut_crash"]["sessions"][0]["down"]'

# 4. A SUT that stops answering its ready check (it answers once, at
# start-up, then never again).
printf '#!/bin/sh\ntest ! -e "$1/answered" && touch "$1/answered"\n' >"$out/ready-once.sh"
chmod +x "$out/ready-once.sh"
profile deaf -e "s|^ready = .*|ready = $out/ready-once.sh {workdir}|"
run deaf 1 --sut "$out/deaf.profile" 'rollover/3.1-1/1$'
has deaf "$out/deaf.log" "SUT CRASH: the SUT no longer answers its ready check (ready action exited with code 1)"
json deaf 'c["rollover/3.1-1/1"]["sut_crash"]["kind"] == "unresponsive"'

# 5. A staggered twilight that forgets its last peer: a MUST broken, FAIL
# without --strict; the staggering SHOULD is not judged.
run stagger 1 --sut-opt fault=stagger-forgets-last 'rollover/3.1-3/sut-3$' 'rollover/3.1-3/sut-4$'
has stagger "$out/stagger.log" "FAIL  rollover/3.1-3/sut-3  "
has stagger "$out/stagger.log" "NOT-JUDGED rollover/3.1-3/sut-4  "
has stagger "$out/stagger.log" "not judged: precondition unmet: staggered twilight:"
has stagger "$out/stagger/junit.xml" '<failure type="MUST" message="expected: staggered twilight:'
has stagger "$out/stagger/junit.xml" '<error type="NOT-JUDGED" message="not judged: precondition unmet: staggered twilight:'
json stagger 'c["rollover/3.1-3/sut-3"]["outcome"] == "FAIL" and c["rollover/3.1-3/sut-3"]["level"] == "MUST"'
json stagger 'c["rollover/3.1-3/sut-4"]["outcome"] == "NOT-JUDGED" and r["counts"]["NOT-JUDGED"] == 1 and not r["strict"]'

# 6. A key switch without twilight that signs everything new with the new
# key: sut-1 (the twilight) FAILs, sut-2 (only the new key after the
# switch) PASSes; a speaker that keeps signing with the old key FAILs sut-2.
run notwilight 1 --sut-opt fault=no-readvertise 'rollover/3.1-3/sut-1$' 'rollover/3.1-3/sut-2$'
has notwilight "$out/notwilight.log" "FAIL  rollover/3.1-3/sut-1  "
has notwilight "$out/notwilight.log" "PASS  rollover/3.1-3/sut-2  "
json notwilight 'c["rollover/3.1-3/sut-1"]["outcome"] == "FAIL" and c["rollover/3.1-3/sut-2"]["outcome"] == "PASS"'
run oldkey 1 --sut-opt fault=keep-old-key 'rollover/3.1-3/sut-2$'
has oldkey "$out/oldkey.log" "UPDATEs signed with another key, the first"
has oldkey "$out/oldkey.log" "signed with the old key sut-shared#0"

# 7. Observations state their time: the verdict at receipt and the one now.
run stale 1 --sut-opt fault=ignore-rtr-withdraw 'rollover/3.1-5/1$'
has stale "$out/stale.log" "Valid when received at +"
has stale "$out/stale.log" "Not Valid now (up1#0 (SKI "
json stale '" withdrawn at +" in c["rollover/3.1-5/1"]["actual"]'

# 8. A profile without IPv6: every /v6 run SKIPs with the reason, the IPv4
# runs go on.
profile noipv6 -e "s|^ipv6 = yes|ipv6 = no|"
run noipv6 0 --sut "$out/noipv6.profile" rollover/3.1-1/1 rollover/3.1-3/sut-1
json noipv6 'all(c[i]["outcome"] == "PASS" for i in ("rollover/3.1-1/1", "rollover/3.1-3/sut-1"))'
json noipv6 'all(c[i]["outcome"] == "SKIP" and "ipv6" in c[i]["reason"] for i in ("rollover/3.1-1/1/v6", "rollover/3.1-3/sut-1/v6"))'

[ $fail -eq 0 ] && echo "ok: crash, wrapper, session drop, ready check, MUST/SHOULD split, sut-2, times, ipv6 = no"
exit $fail
