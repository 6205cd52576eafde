#!/bin/sh
# keyroll netns up/down, SIGINT/SIGTERM teardown of a foreground run, and
# `keyroll clean` after a SIGKILLed run: each leaves no namespace, link or
# process behind.
set -u
K=build/keyroll
tag=krit$$
out=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
	for t in $tag ${tag}i ${tag}t ${tag}k; do $K clean $t >/dev/null 2>&1; done
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

count() { ip netns list | grep -c "^$1-"; }
gone() { # pid: dead or zombie
	s=$(ps -o stat= -p "$1" 2>/dev/null)
	case "$s" in ""|Z*) return 0 ;; esac
	return 1
}
in_ns() { # pid ns: the process runs inside that namespace
	[ "$(ip netns identify "$1" 2>/dev/null)" = "$2" ]
}
until_true() { # deadline-bounded wait for a shell predicate (5 s)
	i=0
	while ! eval "$1"; do
		i=$((i + 1)); [ $i -gt 500 ] && return 1
		sleep 0.01
	done
}

# 1. up returns and leaves the topology up; down removes it.
$K netns up netns/rollover.topo --tag $tag >"$out/up" || fail "netns up: $(cat "$out/up")"
[ "$(count $tag)" -eq 7 ] || fail "expected 7 namespaces, got $(count $tag)"
ip -n $tag-sut -br addr | grep -q "198.18.0.6/30" || fail "sut lacks 198.18.0.6 on up1"
ip netns exec $tag-up1 sleep 60 &
sp=$!
until_true "in_ns $sp $tag-up1" || fail "no process in $tag-up1"
$K netns down $tag >/dev/null || fail "netns down"
[ "$(count $tag)" -eq 0 ] || fail "namespaces left after down"
until_true "gone $sp" || fail "process in a namespace survived down"
ip link | grep -q "$tag" && fail "links left in the host"

# 2. SIGINT and SIGTERM tear a foreground run down.
for sig in INT TERM; do
	t=$tag$(echo $sig | cut -c1 | tr A-Z a-z)
	$K netns up netns/rollover.topo --tag $t --wait >"$out/$sig" 2>&1 &
	pid=$!
	until_true "grep -qs Ctrl-C $out/$sig" || fail "foreground run did not come up"
	ip netns exec $t-sut sleep 60 &
	sp=$!
	until_true "in_ns $sp $t-sut" || fail "no process in $t-sut"
	kill -$sig $pid
	wait $pid
	rc=$?
	[ $rc -ge 128 ] || fail "SIG$sig: exit code $rc"
	[ "$(count $t)" -eq 0 ] || fail "SIG$sig left namespaces"
	until_true "gone $sp" || fail "SIG$sig left a process"
	[ -e /run/keyroll/$t.state ] && fail "SIG$sig left the state file"
done

# 3. A SIGKILLed run is removed by a tagless `keyroll clean`.
t=${tag}k
$K netns up netns/rollover.topo --tag $t --wait >"$out/kill" 2>&1 &
pid=$!
until_true "grep -qs Ctrl-C $out/kill" || fail "foreground run did not come up"
ip netns exec $t-dn1 sleep 60 &
sp=$!
until_true "in_ns $sp $t-dn1" || fail "no process in $t-dn1"
kill -KILL $pid
wait $pid
[ "$(count $t)" -eq 7 ] || fail "SIGKILL should leave the namespaces (got $(count $t))"
$K clean >"$out/clean" || fail "clean: $(cat "$out/clean")"
grep -q "removed $t (7 namespaces)" "$out/clean" || fail "clean output: $(cat "$out/clean")"
[ "$(count $t)" -eq 0 ] || fail "clean left namespaces"
until_true "gone $sp" || fail "clean left a process"
[ -e /run/keyroll/$t.state ] && fail "clean left the state file"

# 4. Bad input: clear errors, exit 2.
$K netns up /nonexistent.topo 2>"$out/err"; [ $? -eq 2 ] || fail "missing file: exit code"
grep -q "nonexistent.topo" "$out/err" || fail "missing file: message"
printf 'node a host\nlink a b\n' >"$out/bad.topo"
$K netns up "$out/bad.topo" 2>"$out/err"; [ $? -eq 2 ] || fail "bad file: exit code"
grep -q "bad.topo:2:" "$out/err" || fail "bad file: no file:line in $(cat "$out/err")"
echo ok
