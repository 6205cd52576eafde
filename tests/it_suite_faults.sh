#!/bin/sh
# Every verdict of the suite can come out the other way. For each `## NAME`
# of sut/refspeaker/FAULTS.md, `keyroll run --sut-opt fault=NAME` on the
# cases FAULTS.md names (plus the cases this suite adds below) must exit 1,
# with the first-named case failing and every added case failing too.
# Verdict paths no fault reaches get a profile variant of their own. Prints
# the table fault -> catching cases. Then every fault once more through the
# emulated lab device with one SUT for the run: its first-named case must
# come out as with the daemon profile and a SUT per case. RUN_OPTS (e.g.
# "--rpki pipeline") runs the whole matrix in another mode: a case that
# SKIPs there (a verb the mode cannot express) is exempt, and a fault all
# of whose catchers SKIP is listed as not expressible; every other fault
# must still be caught.
set -u
RUN_OPTS=${RUN_OPTS:-}
K=build/keyroll
XSD=harness/report/junit.xsd
F=${FAULTS_MD:-sut/refspeaker/FAULTS.md}
out=$(mktemp -d /tmp/kr-it-faults-XXXXXX)
fail=0
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
[ -f "$F" ] || { echo "FAIL: no $F"; exit 1; }

# More cases each fault must fail, beyond the catchers FAULTS.md names.
extra() {
	case $1 in
	one-key-per-as) echo "rollover/3.1-4/1 rollover/3.1-2/transit" ;;
	accept-unknown-ski) echo "rollover/3.1-2/emergency-1 keys/8634-3.1-4/1 restart/8205-5/1" ;;
	ignore-rtr-withdraw) echo "replay/4/2 keys/8634-3.1-4/1" ;;
	no-downstream-withdraw) echo "stale/3.1-3/1" ;;
	over-withdraw) echo "rollover/3.1-5/transit-2 rollover/3.1-5/origin-2" ;;
	twilight-withdraw-gap) echo "rollover/3.1-3/transit" ;;
	no-revalidate-on-announce) echo "restart/8205-5/1" ;;
	esac
	# the cases only the RPKI pipeline runs
	case "$RUN_OPTS" in *pipeline*)
		case $1 in
		ignore-rtr-withdraw | over-withdraw) echo "pipeline/8634-3.1-4/1" ;;
		no-downstream-withdraw) echo "pipeline/6487-7.2/1 pipeline/9286-6.5/1" ;;
		esac ;;
	esac
}

# Cases a fault must leave NOT-JUDGED: the backticked ids of its "Not
# judged:" item (their precondition is another case's requirement, which
# the fault breaks; suites/README.md, "Preconditions").
notjudged() {
	awk -v f="$1" '
/^## / { on = ($2 == f); grab = 0; next }
on && /^- Not judged:/ { grab = 1 }
on && /^- / && !/^- Not judged:/ { grab = 0 }
grab { s = $0; while (match(s, /`[^`]+`/)) { printf "%s ", substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) } }
' "$F"
}

# "NAME case case ..." per fault: the backticked ids of its "Caught by:"
# item (which may wrap over several lines).
awk '
/^## / { if (name != "") print name, ids; name = $2; ids = ""; grab = 0; next }
/^- Caught by:/ { grab = 1 }
/^- / && !/^- Caught by:/ { grab = 0 }
grab { s = $0; while (match(s, /`[^`]+`/)) { ids = ids " " substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) } }
END { if (name != "") print name, ids }
' "$F" >"$out/faults"
[ -s "$out/faults" ] || { echo "FAIL: no fault found in $F"; exit 1; }

failed_cases() { # run dir [outcomes] -> ids with that outcome (default FAIL, or WARN for SHOULD cases)
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
want = sys.argv[2].split(",")
print(" ".join(c["id"] for c in r["cases"] if c["outcome"] in want) or "-")
' "$1" "${2:-FAIL,WARN}" 2>/dev/null || echo "?"
}

# check NAME RC FAILED MUST...: every MUST id among FAILED, and RC 1.
# Under RUN_OPTS an id that SKIPped is exempt (and RC 0 is right when all did).
check() {
	name=$1 rc=$2 failed=$3; shift 3
	ok=1 judged=0
	skipped=$([ -n "$RUN_OPTS" ] && failed_cases "$out/$name" SKIP)
	for id in "$@"; do
		case " ${skipped:-} " in *" $id "*) continue ;; esac
		judged=1
		case " $failed " in *" $id "*) ;; *) ok=0; echo "FAIL: $name: $id did not fail" ;; esac
	done
	[ $judged -eq 1 ] || { echo "$name: every catcher SKIPs in this mode ($RUN_OPTS): not expressible"; return; }
	[ "$rc" -eq 1 ] || { ok=0; echo "FAIL: $name: keyroll run exited $rc, not 1"; }
	[ $ok -eq 1 ] || { sed 's/^/    /' "$out/$name.log" | tail -n 30; fail=1; }
}

# Four variants at a time (lanes below): failing cases mostly wait out
# deadlines, and every run has its own namespaces. --strict: a fault caught by a SHOULD
# case (WARN) must still make the run exit 1.
run_one() { # name cases... (each exactly: an IPv6 run is named as such)
	n=$1; shift
	ids=""
	for id in "$@"; do ids="$ids $id\$"; done
	# --routes: the scale/ cases' table, small; faults that appear after
	# 10 000 routes need a little more
	routes=3000
	case $n in *-10k) routes=12000 ;; esac
	t=$(date +%s.%N)
	$K run $RUN_OPTS --strict --routes $routes --sut-opt "fault=$n" --out "$out/$n" $ids >"$out/$n.log" 2>&1
	echo $? >"$out/$n.rc"
	awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t}" >"$out/$n.time"
}
# lanes LANES CMD: LANES background lanes take the faults in file order,
# each claiming the next one free (mkdir is atomic), so one slow run never
# holds the others back. CMD LANE NAME PRIMARY REST... runs one fault.
lanes() {
	nl=$1 cmd=$2 k=1
	while [ $k -le "$nl" ]; do
		(while read -r name primary rest; do
			[ -n "$primary" ] || continue
			mkdir "$out/claim-$cmd-$name" 2>/dev/null || continue
			$cmd $k "$name" $primary $rest
		done <"$out/faults") &
		k=$((k + 1))
	done
	wait
}
daemon_run() { # lane name primary rest...
	n=$2; shift 2
	run_one "$n" "$@" $(extra "$n") $(notjudged "$n")
}
lanes 4 daemon_run

printf '%-24s %-5s %s\n' "fault" "exit" "failing cases${RUN_OPTS:+ [SKIPped in $RUN_OPTS]}"
while read -r name primary rest; do
	[ -n "$primary" ] || { echo "FAIL: $name names no catching case"; fail=1; continue; }
	rc=$(cat "$out/$name.rc" 2>/dev/null || echo 2)
	failed=$(failed_cases "$out/$name")
	sk=$([ -n "$RUN_OPTS" ] && failed_cases "$out/$name" SKIP | sed 's/^-$//')
	printf '%-24s %-5s %5ss %s%s\n' "$name" "$rc" "$(cat "$out/$name.time" 2>/dev/null)" "$failed" "${sk:+ [$sk]}"
	check "$name" "$rc" "$failed" $primary $(extra "$name")
	nj=$(notjudged "$name")
	if [ -n "$nj" ]; then
		got=$(failed_cases "$out/$name" NOT-JUDGED)
		for id in $nj; do
			case " $got " in *" $id "*) ;; *) echo "FAIL: $name: $id is not NOT-JUDGED (got: $got)"; fail=1 ;; esac
		done
	fi
	xmllint --noout --schema $XSD "$out/$name/junit.xml" 2>/dev/null ||
		{ echo "FAIL: $name: junit.xml of a failing run does not validate"; fail=1; }
	tools/junit-check.py "$out/$name/junit.xml" "$out/$name/results.json" >/dev/null ||
		{ echo "FAIL: $name: junitparser reads other counts than results.json"; fail=1; }
done <"$out/faults"

# No staggering although asked: the stagger verdict of rollover/3.1-3/sut-4
# (a SHOULD, so --strict makes it fail the run).
sed -e "s|^config = .*|config = $PWD/sut/profiles/refspeaker.conf.in|" \
    -e "s|--stagger-ms {stagger_ms}|--stagger-ms 0|" sut/profiles/refspeaker.profile >"$out/nostagger.profile"
$K run $RUN_OPTS --strict --sut "$out/nostagger.profile" --out "$out/nostagger" 'rollover/3.1-3/sut-4$' >"$out/nostagger.log" 2>&1
rc=$?
failed=$(failed_cases "$out/nostagger")
printf '%-24s %-5s %s\n' "(profile: no stagger)" "$rc" "$failed"
check nostagger $rc "$failed" rollover/3.1-3/sut-4

# --keep-on-fail: stops at the failure, leaves its namespaces without any
# process in them, and the SUT's command line in the case folder.
$K run $RUN_OPTS --keep-on-fail --sut-opt fault=twilight-withdraw-gap --out "$out/keep" \
	rollover/3.1-3/1 rollover/3.1-3/sut-1 >"$out/keep.log" 2>&1
rc=$?
tag=$(sed -n 's/.*--keep-on-fail: namespaces \([a-z0-9]*\)-\*.*/\1/p' "$out/keep.log" | head -n 1)
kok=1
[ "$rc" -eq 1 ] || { kok=0; echo "FAIL: --keep-on-fail run exited $rc, not 1"; }
[ -n "$tag" ] && ip netns list | grep -q "^$tag-sut" || { kok=0; echo "FAIL: --keep-on-fail left no namespace"; }
[ -n "$tag" ] && [ -z "$(ip netns pids "$tag-sut" 2>/dev/null)" ] || { kok=0; echo "FAIL: processes left in $tag-sut"; }
grep -q "^ip netns exec $tag-sut " "$out/keep/rollover/3.1-3/1/sut-command.txt" 2>/dev/null ||
	{ kok=0; echo "FAIL: no sut-command.txt naming $tag-sut"; }
[ -d "$out/keep/rollover/3.1-3/sut-1" ] && { kok=0; echo "FAIL: --keep-on-fail did not stop at the failure"; }
[ -n "$tag" ] && $K clean "$tag" >/dev/null 2>&1
[ -n "$tag" ] && ip netns list | grep -q "^$tag-" && { kok=0; echo "FAIL: keyroll clean left $tag-*"; }
[ $kok -eq 1 ] && echo "ok: --keep-on-fail keeps namespaces $tag-* without processes" ||
	{ sed 's/^/    /' "$out/keep.log" | tail -n 20; fail=1; }

# Every fault through the emulated device (tests/lib_lab.sh: the reference
# speaker in a namespace of its own behind a veth, sut/README.md "[device]")
# with one SUT for the run ("One SUT for the run"): the first-named case
# comes out as it did above with the daemon profile and a SUT per case.
# Three labs, one lane each; each lab interface comes back as it was.
# (Not under RUN_OPTS: the comparison is with the default mode.)
if [ -n "$RUN_OPTS" ]; then
	[ $fail -eq 0 ] && echo "ok: every fault caught (${RUN_OPTS}; device pass not run)"
	exit $fail
fi
H=kdev$$h
. tests/lib_lab.sh
trap 'lab_cleanup; cleanup' EXIT
outcome_of() { # run dir, case id -> its outcome
	python3 -c '
import json, sys
print(next((c["outcome"] for c in json.load(open(sys.argv[1] + "/results.json"))["cases"] if c["id"] == sys.argv[2]), "-"))
' "$1" "$2" 2>/dev/null || echo "?"
}
if ip netns add $H && mklab 1 && mklab 2 && mklab 3; then
	t0=$(date +%s)
	device_run() { # lab name primary rest...
		routes=3000
		case $2 in *-10k) routes=12000 ;; esac
		$K run --strict --sut "$out/emu$1.profile" --sut-lifetime run --sut-opt "fault=$2" \
			--routes $routes --out "$out/dev-$2" "$3\$" </dev/null >"$out/dev-$2.log" 2>&1
	}
	lanes 3 device_run
	printf '%-36s %-28s %-11s %s\n' "fault" "case" "daemon" "device, one SUT"
	while read -r name primary rest; do
		[ -n "$primary" ] || continue
		a=$(outcome_of "$out/$name" "$primary") b=$(outcome_of "$out/dev-$name" "$primary")
		printf '%-36s %-28s %-11s %s\n' "$name" "$primary" "$a" "$b"
		[ "$a" = "$b" ] && [ "$a" != "-" ] && [ "$a" != "?" ] ||
			{ echo "FAIL: $name: $primary is $a with the daemon, $b through the device"; fail=1;
			  tail -n 15 "$out/dev-$name.log" | sed 's/^/    /'; }
	done <"$out/faults"
	for n in 1 2 3; do lab_same "device fault runs" $n || fail=1; done
	echo "device pass: $(($(date +%s) - t0)) s"
else
	echo "FAIL: lab set-up for the device runs"; fail=1
fi

[ $fail -eq 0 ] && echo "ok: every fault caught"
exit $fail
