#!/bin/sh
# tools/fuzz.sh smoke|SECONDS FUZZER...  -- run libFuzzer targets briefly
# (smoke: a fixed number of runs each, inside `make test`) or for SECONDS each.
set -eu
mode=$1; shift
for f in "$@"; do
	name=$(basename "$f")
	corpus=build-fuzz/corpus/$name
	mkdir -p "$corpus"
	seeds=fuzz/seeds/${name#fuzz_}
	[ -d "$seeds" ] || seeds=
	if [ "$mode" = smoke ]; then
		"$f" -runs=20000 -max_len=4096 -rss_limit_mb=2048 "$corpus" $seeds
	else
		"$f" -max_total_time="$mode" -max_len=65535 "$corpus" $seeds
	fi
done
