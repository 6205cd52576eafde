#!/bin/sh
# Reports for people and CI, end to end against the reference speaker, on
# a selection of cases that the fault below fails in part (the whole suite
# would cost minutes and show nothing more):
# - the suite split into 3 shards (`keyroll run --shard K/3`) and joined
#   by `keyroll merge` gives the same JUnit testcases and outcomes as the
#   unsplit run, and the very case records of the shards; merge refuses a
#   missing shard, a shard given twice and a run that is no shard;
# - `keyroll diff` of the clean run against a fault run (ignore-rtr-withdraw)
#   exits 1 and lists exactly the cases the fault fails; against the merged
#   (clean) run it exits 0; bad input exits 2 naming the file;
# - `keyroll matrix` of both runs: one column each, links that resolve;
# - headless Chromium renders index.html of the fault run without page
#   errors (the page's script ran and found every timeline), and a page
#   with an error is caught the same way; the screenshot is kept in
#   build/test-artifacts/report-fault.png.
set -u
K=build/keyroll
XSD=harness/report/junit.xsd
ART=build/test-artifacts
out=$(mktemp -d /tmp/kr-it-report-XXXXXX)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
mkdir -p "$ART"
PY=/usr/bin/python3
SEL="keys/ rollover/3.1-5/ rtr/8210-5."

# One run at a time: `keyroll diff` of two clean runs must not see the
# load of parallel runs as a regression of their timing metrics.
t0=$(date +%s)
for k in 1 2 3; do
	$K run --shard $k/3 --out "$out/s$k" $SEL >"$out/s$k.log" 2>&1 ||
		{ tail -n 20 "$out/s$k.log"; fail "shard $k/3 failed"; }
done
$K run --sut-opt fault=ignore-rtr-withdraw --out "$out/fault" $SEL >"$out/fault.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { tail -n 20 "$out/fault.log"; fail "fault run exited $rc, not 1"; }
$K run --out "$out/full" $SEL >"$out/full.log" 2>&1 || { tail -n 20 "$out/full.log"; fail "unsplit run failed"; }
echo "runs: $(( $(date +%s) - t0 )) s"

# ---- merge ----
$K merge "$out/s1" "$out/s2" "$out/s3" --out "$out/merged" >"$out/merge.log" 2>&1 ||
	fail "merge: $(cat "$out/merge.log")"
xmllint --noout --schema $XSD "$out/merged/junit.xml" 2>/dev/null || fail "merged junit.xml does not validate"
tools/junit-check.py "$out/merged/junit.xml" "$out/merged/results.json" >/dev/null ||
	fail "merged junit.xml: junitparser disagrees with results.json"
$PY - "$out" <<'PY' || fail "merged run differs from the unsplit one"
import json, os, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
def cases(path):
    out = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        kinds = [c.tag + ":" + c.get("type", "") for c in tc if c.tag in ("failure", "error", "skipped")]
        out[(tc.get("classname"), tc.get("name"))] = kinds
    return out
full, merged = cases(d + "/full/junit.xml"), cases(d + "/merged/junit.xml")
if full != merged:
    sys.exit("junit testcases differ: only unsplit %s, only merged %s, outcomes differ %s" % (
        sorted(set(full) - set(merged)), sorted(set(merged) - set(full)),
        sorted(k for k in full if k in merged and full[k] != merged[k])))
m = json.load(open(d + "/merged/results.json"))
shard = {}
for k in (1, 2, 3):
    s = json.load(open("%s/s%d/results.json" % (d, k)))
    for c in s["cases"]:
        shard[c["id"]] = c
ids = [c["id"] for c in m["cases"]]
if ids != sorted(ids) or ids != [c["id"] for c in json.load(open(d + "/full/results.json"))["cases"]]:
    sys.exit("merged case list is not the unsplit one in its order")
for c in m["cases"]:
    if c != shard[c["id"]]:
        sys.exit("%s: merged record differs from its shard's: the reader drops or changes a field: %s" % (
            c["id"], [k for k in set(c) | set(shard[c["id"]]) if c.get(k) != shard[c["id"]].get(k)]))
    for a in c["artifacts"]:
        if not os.path.exists(os.path.join(d, "merged", a)):
            sys.exit("merged run lacks evidence " + a)
if "shard" in m or m["selection"]["cases"] != len(ids):
    sys.exit("merged results.json still names a shard or another selection")
print("merged: %d cases, %d testcases as unsplit" % (len(ids), len(merged)))
PY
[ -s "$out/merged/index.html" ] || fail "merged run has no index.html"
$K merge "$out/s1" "$out/s2" --out "$out/m2" >"$out/m2.log" 2>&1 && fail "merge of 2 of 3 shards succeeded"
grep -q "shard 3/3 is missing" "$out/m2.log" || fail "missing shard not named: $(cat "$out/m2.log")"
$K merge "$out/s1" "$out/s2" "$out/s2" --out "$out/m2" >"$out/m2.log" 2>&1 && fail "merge of a shard twice succeeded"
grep -q "shard 2/3 given twice" "$out/m2.log" || fail "duplicate shard not named: $(cat "$out/m2.log")"
$K merge "$out/s1" "$out/full" --out "$out/m2" >"$out/m2.log" 2>&1 && fail "merge of a whole run succeeded"
grep -q "not a shard" "$out/m2.log" || fail "a run that is no shard not named: $(cat "$out/m2.log")"

# ---- diff ----
$K diff "$out/full" "$out/fault" --json >"$out/diff.json"
rc=$?
[ $rc -eq 1 ] || fail "diff clean -> fault exited $rc, not 1"
$PY - "$out" <<'PY' || fail "diff does not list exactly the cases the fault fails"
import json, sys
d = sys.argv[1]
df = json.load(open(d + "/diff.json"))
failed = sorted(c["id"] for c in json.load(open(d + "/fault/results.json"))["cases"] if c["outcome"] != "PASS")
listed = sorted(i["id"] for k in ("newly_failing", "changed") for i in df[k] if i["regression"])
if not failed or listed != failed:
    sys.exit("fault run fails %s, diff lists %s" % (failed, listed))
print("diff lists the %d failing cases: %s" % (len(listed), " ".join(listed)))
PY
$K diff "$out/full" "$out/fault" >"$out/diff.txt"
grep -q "^newly failing (" "$out/diff.txt" || fail "text diff lacks 'newly failing'"
$K diff "$out/full" "$out/fault" --markdown >"$out/diff.md"
grep -q '^### keyroll: :x: ' "$out/diff.md" || fail "markdown diff lacks its heading"
$K diff "$out/full" "$out/merged" >"$out/diff2.txt"
rc=$?
[ $rc -eq 0 ] || { cat "$out/diff2.txt"; fail "diff of two clean runs exited $rc, not 0"; }
$K diff "$out/full" "$out/nosuch" >/dev/null 2>"$out/diff3.err"
[ $? -eq 2 ] || fail "diff of a missing run did not exit 2"
grep -q "nosuch" "$out/diff3.err" || fail "diff error does not name the file"

# ---- matrix ----
$K matrix "$out/full" "$out/fault" --out "$out/matrix" >/dev/null || fail "matrix failed"
$PY - "$out/matrix" <<'PY' || fail "matrix.json"
import json, os, sys
d = sys.argv[1]
m = json.load(open(d + "/matrix.json"))
assert len(m["runs"]) == 2, m["runs"]
for c in m["cases"]:
    for cell in c["results"]:
        path = os.path.join(d, cell["link"].split("#")[0])
        if not os.path.exists(path):
            sys.exit("link does not resolve: " + cell["link"])
outs = [c["results"][1]["outcome"] for c in m["cases"]]
print("matrix: %d cases x 2 runs, %d FAIL in the fault column" % (len(m["cases"]), outs.count("FAIL")))
PY

# ---- the page in a real browser ----
chrome() { # URL, extra flags...
	url=$1; shift
	prof=$(mktemp -d "$out/chrome-XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$prof" --hide-scrollbars "$@" "$url"
}
page_errors() { grep -E 'CONSOLE|Uncaught' "$1"; }
ncases=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$out/fault/results.json")
chrome "file://$out/fault/index.html" --enable-logging=stderr --v=0 --dump-dom >"$out/dom.html" 2>"$out/chrome.log"
page_errors "$out/chrome.log" && fail "page errors in index.html"
grep -q "data-kr-ready=\"$ncases\"" "$out/dom.html" ||
	fail "the page's script did not run or did not find $ncases timelines: $(grep -o 'data-kr-ready="[^"]*"' "$out/dom.html")"
# The same check catches a page whose script fails.
sed 's|</body>|<script>noSuchFunction();</script></body>|' "$out/fault/index.html" >"$out/fault/broken.html"
chrome "file://$out/fault/broken.html" --enable-logging=stderr --v=0 --dump-dom >/dev/null 2>"$out/chrome2.log"
page_errors "$out/chrome2.log" >/dev/null || fail "a script error in the page went unnoticed"
chrome "file://$out/fault/index.html" --window-size=1400,2200 --screenshot="$PWD/$ART/report-fault.png" \
	>/dev/null 2>&1
[ -s "$ART/report-fault.png" ] || fail "no screenshot"
cp "$out/fault/index.html" "$ART/report-fault.html"
echo "screenshot: $ART/report-fault.png ($(wc -c <"$ART/report-fault.png") bytes)"
echo "ok"
