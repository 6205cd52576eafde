#!/bin/sh
# The layering of harness/ (harness/README.md): the tree has no upward
# include, and the check notices one planted in a copy of the tree.
set -u
fail() { echo "FAIL: $*"; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sh tools/check-layers.sh || fail "upward includes in harness/"
cp -r harness "$out/"
# wire is the lowest layer: a codec that includes the runner goes upward
sed -i '0,/#include "wire\/bgp_priv.h"/s//#include "run\/runner.h"/' "$out/harness/wire/bgp_hdr.c"
grep -q '"run/runner.h"' "$out/harness/wire/bgp_hdr.c" || fail "could not plant the include"
sh tools/check-layers.sh "$out" >"$out/log" 2>&1 && fail "the check passed a wire -> run include"
grep -q 'harness/wire/bgp_hdr.c:[0-9]*: wire includes "run/runner.h" of the higher layer run' "$out/log" ||
	fail "the check did not name the include: $(cat "$out/log")"
# an include without its layer name is refused too
cp harness/wire/bgp_hdr.c "$out/harness/wire/bgp_hdr.c"
sed -i '0,/#include "wire\/bgp_priv.h"/s//#include "case.h"/' "$out/harness/wire/bgp_hdr.c"
sh tools/check-layers.sh "$out" >"$out/log" 2>&1 && fail "the check passed a bare include"
grep -q 'is not named by its layer' "$out/log" || fail "bare include: $(cat "$out/log")"
echo "ok"
