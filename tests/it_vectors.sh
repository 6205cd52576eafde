#!/bin/sh
# `keyroll vectors check`: every committed vector file passes; a copy of the
# App. A file with one signature nibble changed fails (exit 1); malformed
# and unreadable files are errors (exit 2) that name file:line.
set -u
kr=./build/keyroll
tmp=$(mktemp -d /tmp/kr_itvec.$$.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

$kr vectors check vectors/*.vec >"$tmp/all.out" 2>&1
rc=$?
cat "$tmp/all.out"
[ $rc -eq 0 ] || fail "committed vectors: exit $rc"
grep -q '^FAIL' "$tmp/all.out" && fail "a committed vector failed"

# The negative corpus: at least 20 vectors expected Not Valid or undecodable.
n=$(grep -Ec '^expect: (not-valid|decode-error)' vectors/bgpsec-negative.vec)
[ "$n" -ge 20 ] || fail "only $n negative vectors"
[ "$(grep -c '^name:' vectors/bgpsec-negative.vec)" -eq "$(grep -c '^spec:' vectors/bgpsec-negative.vec)" ] ||
	fail "a negative vector lacks its spec reference"

# One nibble of the origin's signature inside the IPv4 UPDATE image (its
# last octet, ...055ECA -> ...055ECB): only that vector must fail.
awk '/^name: /{v=$2} /^[a-z]/{f=$1}
     v=="rfc8208-a3-ipv4" && f=="update:" && /055ECA$/ {sub(/055ECA$/, "055ECB")} {print}' \
	vectors/rfc8208-appendix-a.vec >"$tmp/nibble.vec"
[ "$(diff vectors/rfc8208-appendix-a.vec "$tmp/nibble.vec" | grep -c '^>')" -eq 1 ] ||
	fail "nibble edit must change exactly one line"
cmp -s vectors/rfc8208-appendix-a.vec "$tmp/nibble.vec" && fail "nibble edit did not apply"
$kr vectors check "$tmp/nibble.vec" >"$tmp/nibble.out" 2>&1
rc=$?
cat "$tmp/nibble.out"
[ $rc -eq 1 ] || fail "changed nibble: exit $rc, want 1"
grep -q "^FAIL $tmp/nibble.vec:[0-9]* rfc8208-a3-ipv4: .*bad-signature" "$tmp/nibble.out" ||
	fail "changed nibble: no FAIL line naming the vector"
[ "$(grep -c '^PASS' "$tmp/nibble.out")" -eq 2 ] || fail "the other App. A vectors must pass"

# Malformed: bad hex on line 4; unknown field; missing file.
printf 'key: k\nasn: 1\n# comment\nspki: 30X9\n' >"$tmp/bad.vec"
$kr vectors check "$tmp/bad.vec" >"$tmp/bad.out" 2>&1
rc=$?
cat "$tmp/bad.out"
[ $rc -eq 2 ] || fail "malformed file: exit $rc, want 2"
grep -q "$tmp/bad.vec:4:" "$tmp/bad.out" || fail "malformed file: no file:line"
printf 'name: v\nspec: s\nupdate: 00\nmy-as: 1\nexpect: valid\nfrobnicate: 1\n' >"$tmp/bad2.vec"
$kr vectors check "$tmp/bad2.vec" >"$tmp/bad2.out" 2>&1
[ $? -eq 2 ] || fail "unknown field: want exit 2"
grep -q "bad2.vec:6: unknown vector field 'frobnicate'" "$tmp/bad2.out" || fail "unknown field: message"
$kr vectors check "$tmp/missing.vec" >"$tmp/miss.out" 2>&1
[ $? -eq 2 ] || fail "missing file: want exit 2"
grep -q "missing.vec" "$tmp/miss.out" || fail "missing file: not named"
# Exit 2 wins over 1 when both happen.
$kr vectors check "$tmp/nibble.vec" "$tmp/bad.vec" >/dev/null 2>&1
[ $? -eq 2 ] || fail "fail + malformed: want exit 2"
echo "it_vectors: ok"
