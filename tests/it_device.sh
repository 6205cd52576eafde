#!/bin/sh
# kind = device without hardware (sut/README.md, "[device]"): the reference
# speaker runs as an emulated box in its own namespace behind a veth pair;
# the veth's other end, in a namespace this test makes to play the host,
# is the lab NIC of tests/emu-device.profile.in. Checks:
#  - with a command for every action, one SUT for the run: every IPv4 case
#    PASSes, as with the daemon profile (tests/it_suite.sh, it_shared.sh);
#  - a SUT per case through the lab interface, moved in and out per case;
#  - interactive: the start and rekey steps are manual: ones, a scripted
#    operator on a terminal (tests/operator_bot.py) does them: every IPv4
#    case PASSes, the timeline records the confirmations, the operator is
#    asked to start the router once per run;
#  - not interactive: the manual steps SKIP with their instruction;
#  - an operator who cannot start the router again after a leak: ERROR
#    naming the leak;
#  - the lab interface is back in the host namespace with its name, its
#    addresses and its up/down state after every run: normal end, SIGINT,
#    SIGKILL + `keyroll clean`.
# Fault variants through the device: tests/it_shared.sh.
set -u
K=build/keyroll
out=$(mktemp -d /tmp/kr-it-device-XXXXXX)
H=kdev$$h
fail=0
. tests/lib_lab.sh
cleanup() {
	[ -n "${bgpid:-}" ] && kill -9 "$bgpid" 2>/dev/null
	lab_cleanup
	$K clean >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
bad() { echo "FAIL: $*"; fail=1; }
same_state() { lab_same "$@" || fail=1; }
outcomes() { # run dir -> "id outcome" lines (pipeline/ cases run only under --rpki pipeline)
	python3 -c '
import json, sys
for c in json.load(open(sys.argv[1] + "/results.json"))["cases"]:
    if not (c["id"].startswith("pipeline/") and c["outcome"] == "SKIP"):
        print(c["id"], c["outcome"])
' "$1" 2>/dev/null
}
all_pass() { # label run-dir rc
	[ "$3" -eq 0 ] || bad "$1: keyroll run exited $3"
	n=$(outcomes "$2" | grep -vc ' PASS$')
	[ "$n" -eq 0 ] || { bad "$1: $n cases did not pass"; outcomes "$2" | grep -v ' PASS$' | sed 's/^/    /'; }
	echo "$1: $(outcomes "$2" | grep -c ' PASS$') cases PASS"
}

ip netns add $H && mklab 1 && mklab 2 || { echo "FAIL: lab set-up"; exit 1; }
L1=$(lab_if 1) L2=$(lab_if 2)
grep -q "198.18.222.1/24" "$out/state.$L1" || { echo "FAIL: lab state unreadable: $(cat "$out/state.$L1")"; exit 1; }
# IPv4 runs of every case; the opt-in scale/ cases (a SUT of their own each,
# tables of 20 000 routes) are covered through the device by it_suite_faults.sh
V4=$($K list | awk '{print $1}' | grep -v '/v6$' | grep -v '^scale/' | sed 's/$/$/')

# 1. Commands for every action, one SUT for the run; at the same time, on
# the other lab, 3. below.
t0=$(date +%s)
# (restart/* need the harness to restart the SUT: with a manual start they
# SKIP, so the interactive run leaves them out)
NO_COLOR=1 python3 tests/operator_bot.py $(lab_box 2) "$out/op.log" -- \
	$K run --sut "$out/emu2-op.profile" --sut-lifetime run --out "$out/op" $(echo "$V4" | grep -v '^restart/') \
	>"$out/op.out" 2>&1 &
oppid=$!
$K run --sut "$out/emu1.profile" --sut-lifetime run --out "$out/cmd" $V4 </dev/null >"$out/cmd.log" 2>&1
all_pass "device, commands, one SUT" "$out/cmd" $?
same_state "after the commands run" 1
grep -q "one SUT for the run: started [1-9] time" "$out/cmd.log" || bad "the run's SUT was started too often: $(grep 'one SUT' "$out/cmd.log")"
c="$out/cmd/rollover/3.1-3/sut-1"
for f in sut-up1.pcap sut-dn1.pcap sut-rtr.pcap wire-$L1.pcap timeline.txt sut.log; do
	[ -s "$c/$f" ] || bad "no $f in $c"
done
# the wire capture holds the BGP of several roles and the RTR session
n=$($K pcap decode "$c/wire-$L1.pcap" 2>/dev/null | grep -c 'UPDATE')
[ "$n" -gt 0 ] || bad "no UPDATE in the capture of the lab wire"

# 2. A SUT per case: the interface moves in and out every case.
$K run --sut "$out/emu1.profile" --sut-lifetime case --out "$out/per" 'rollover/3.1-3/sut-1$' 'keys/8205-5.2/1$' \
	</dev/null >"$out/per.log" 2>&1
all_pass "device, commands, a SUT per case" "$out/per" $?
same_state "after the per-case run" 1

# 3. An operator on a terminal does the manual steps.
wait $oppid
all_pass "device, interactive, one SUT" "$out/op" $?
same_state "after the interactive run" 2
starts=$(grep -c '^step [0-9]* start: done' "$out/op.log")
rekeys=$(grep -c '^step [0-9]* rekey: done' "$out/op.log")
# once, and again when the key layout changes (split keys for
# rollover/4.2/*) and for the cases that need a SUT of their own
exp=3
[ "$starts" -ge 1 ] && [ "$starts" -le $exp ] || bad "the operator was asked to start the router $starts times"
[ "$rekeys" -ge 4 ] || bad "only $rekeys rekey steps"
grep -q "operator confirmed rekey after" "$out/op/rollover/3.1-3/sut-1/timeline.txt" ||
	bad "the timeline does not record the operator's confirmation"
grep -q "configuration to paste (also in " "$out/op.log" || bad "the start step showed no configuration"
echo "device, interactive: $starts start and $rekeys rekey steps (both runs $(($(date +%s) - t0)) s)"

# 4. No operator: manual steps SKIP with their instruction.
$K run --sut "$out/emu2-op.profile" --out "$out/noop" 'keys/8205-5.2/1$' 'rollover/3.1-3/sut-1$' </dev/null \
	>"$out/noop.log" 2>&1
[ "$(outcomes "$out/noop" | grep -c ' SKIP$')" -eq 2 ] || bad "manual steps without an operator: not SKIP"
for i in 'manual step (start) in a run that is not interactive: start the box: config <config>' \
	 'manual step (rekey) in a run that is not interactive: rekey <role> <key> stagger'; do
	grep -qF "$i" "$out/noop/results.json" || bad "the SKIP does not give the instruction '$i'"
done
same_state "after the run without operator" 2

# 5. A leak the operator cannot repair: the SUT keeps its old key after a
# rekey (fault keep-old-key), the next case finds its own prefixes signed
# with the wrong key; the operator skips the restart: ERROR naming it.
BOT_SKIP_START=2 NO_COLOR=1 python3 tests/operator_bot.py $(lab_box 2) "$out/leak.log" -- \
	$K run --sut "$out/emu2-op.profile" --sut-opt fault=keep-old-key --sut-lifetime run --out "$out/leak" \
	'rollover/3.1-3/sut-1$' 'rollover/3.1-3/sut-2$' >"$out/leak.out" 2>&1
o=$(outcomes "$out/leak" | tr '\n' ' ')
case "$o" in "rollover/3.1-3/sut-1 FAIL rollover/3.1-3/sut-2 ERROR ") ;; *) bad "leak run: $o" ;; esac
grep -q 'isolation: .*not signed with .*the SUT was not started again' "$out/leak/results.json" ||
	bad "the ERROR does not name the leak: $(grep -m1 '"reason": "isolation' "$out/leak/results.json")"
same_state "after the leak run" 2

# 6. SIGINT, then SIGKILL + keyroll clean, while the interface is in.
for sig in INT KILL; do
	$K run --sut "$out/emu1.profile" --sut-lifetime run --out "$out/sig$sig" 'rtr/8210-6/2$' </dev/null \
		>"$out/sig$sig.log" 2>&1 &
	bgpid=$!
	i=0
	while ip -n $H link show dev $L1 >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 1000 ] && { bad "$sig: the interface never left the host"; break; }
		sleep 0.01
	done
	kill -$sig $bgpid
	wait $bgpid
	rc=$?
	runpid=$bgpid bgpid=
	if [ $sig = INT ]; then
		[ $rc -eq 130 ] || bad "SIGINT: exit $rc, not 130"
	else
		ip -n $H link show dev $L1 >/dev/null 2>&1 && bad "SIGKILL: the interface is home without keyroll clean"
		$K clean >"$out/clean.log" 2>&1 || bad "keyroll clean failed: $(cat "$out/clean.log")"
	fi
	same_state "after SIG$sig" 1
	ip netns list | grep -q "^kr${runpid}n" && bad "SIG$sig: namespaces of the run left: $(ip netns list | grep "^kr${runpid}n")"
done

[ $fail -eq 0 ] && echo "ok: device runs pass, the lab interface always comes back"
exit $fail
