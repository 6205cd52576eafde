#!/bin/sh
# Every deliberate fault of the reference speaker is caught: for each
# `## NAME` of sut/refspeaker/FAULTS.md, `keyroll run --sut-opt fault=NAME`
# on the cases FAULTS.md names must exit 1 with the first-named case
# failing. Prints the table fault -> catching cases.
set -u
K=build/keyroll
F=${FAULTS_MD:-sut/refspeaker/FAULTS.md}
out=$(mktemp -d /tmp/kr-it-faults-XXXXXX)
fail=0
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
[ -f "$F" ] || { echo "FAIL: no $F"; exit 1; }

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

printf '%-24s %-6s %s\n' "fault" "exit" "failing cases (first named must be among them)"
while read -r name primary rest; do
	[ -n "$primary" ] || { echo "FAIL: $name names no catching case"; fail=1; continue; }
	d="$out/$name"
	$K run --sut-opt "fault=$name" --out "$d" $primary $rest >"$d.log" 2>&1
	rc=$?
	failed=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
print(" ".join(c["id"] for c in r["cases"] if c["outcome"] in ("FAIL", "WARN")) or "-")
' "$d" 2>/dev/null || echo "?")
	printf '%-24s %-6s %s\n' "$name" "$rc" "$failed"
	case " $failed " in *" $primary "*) caught=1 ;; *) caught=0 ;; esac
	if [ $rc -ne 1 ] || [ $caught -ne 1 ]; then
		echo "FAIL: fault $name not caught by $primary (exit $rc); log:"
		sed 's/^/    /' "$d.log" | tail -n 30
		fail=1
	fi
done <"$out/faults"
[ $fail -eq 0 ] && echo "ok: every fault caught"
exit $fail
