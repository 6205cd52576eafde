#!/bin/bash
# Start wrapper for a SUT made of two processes (sut/README.md, "A SUT of
# several processes"): a main daemon (this script's arguments) and a helper
# daemon ($KR_HELPER, e.g. a validation server; default: a stand-in that
# just waits). The harness sees only this wrapper, so it ends the way the
# first child ends: a child killed by a signal stops the other and the
# wrapper re-raises that signal on itself; a child that exits makes the
# wrapper exit with its code. A stop by the harness (SIGTERM to the
# process group) reaches both children directly.
set -u
helper=${KR_HELPER:-"sleep infinity"}

"$@" &
main=$!
$helper &
aux=$!

# the first child to end, and how (bash >= 5.1)
wait -n -p who "$main" "$aux"
status=$?
[ "$who" = "$main" ] && name=main || name=helper
echo "multi-process-start: $name (pid $who) ended with status $status; stopping the other" >&2
kill "$main" "$aux" 2>/dev/null
wait

if [ "$status" -gt 128 ]; then
	sig=$((status - 128))
	trap - "$sig"
	kill -s "$sig" $$          # the harness reports this signal as the SUT's crash
	exit "$status"             # only when the signal does not end a shell
fi
exit "$status"
