#!/bin/sh
# Runs every test: CUnit binaries in the normal and the sanitizer build,
# libFuzzer smoke runs, then integration tests (tests/it_*.sh, root).
# Prints one line per test binary/script and a closing "N passed, N failed,
# N skipped". A test that cannot run here (e.g. it needs a build of a
# third-party router this machine does not have) exits 77 and prints the
# reason as its last line: it is reported SKIP with that reason, and counted
# apart (never as passed). ONLY=substring limits the run to matching names.
set -u
cd "$(dirname "$0")/.." || exit 2
logdir=build/test-logs
mkdir -p "$logdir"
pass=0 fail=0 skip=0 failed=""

run() { # name, command...
	name=$1; shift
	case "$name" in *"${ONLY:-}"*) ;; *) return ;; esac
	log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name ($(( $(date +%s) - start ))s)"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name ($(( $(date +%s) - start ))s) -- log: $log"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in build/tests/test_*; do [ -x "$t" ] && run "unit/$(basename "$t")" "$t"; done
for t in build-asan/tests/test_*; do [ -x "$t" ] && run "asan/$(basename "$t")" "$t"; done
if ls fuzz/fuzz_*.c >/dev/null 2>&1; then
	run "fuzz-smoke" make -s -j2 fuzz-smoke
fi
for t in tests/it_*.sh; do [ -f "$t" ] && run "it/$(basename "$t" .sh)" sh "$t"; done

echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
