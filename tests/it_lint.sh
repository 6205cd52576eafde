#!/bin/sh
# The wire lint end to end: `keyroll pcap lint` finds nothing in the
# fixtures of pcaps/, names the rule, frame and offset of a damaged octet
# in a copy, exits 2 on a cut file; and in a run, a reference speaker that
# leaves NEXT_HOP out of plain UPDATEs (fault no-next-hop) fails several
# different cases, each with the lint's reason pointing at the NLRI of the
# offending UPDATE in sut-exa.pcap, while the clean speaker passes.
set -u
K=build/keyroll
out=$(mktemp -d /tmp/kr-it-lint-XXXXXX)
cleanup() { $K clean >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# The fixtures: no violation (advice allowed: see 7606-5.1/mp-first). A
# sidecar may say which speaker to lint ("- lint: `keyroll pcap lint F ARGS`":
# the judge's fixtures hold the harness's deliberate bad UPDATEs) and which
# rules the recorded fault breaks ("- lint fails: `RULE`").
for f in pcaps/*.pcap; do
	md="${f%.pcap}.md"
	args=$(sed -n 's/^- lint: `keyroll pcap lint [^ ]*\(.*\)`$/\1/p' "$md")
	want=$(sed -n 's/^ *- lint fails: `\(.*\)`$/\1/p' "$md" | sort | tr '\n' ' ')
	$K pcap lint "$f" --keys "${f%.pcap}.keys.json" $args >"$out/fx.log" 2>&1
	rc=$?
	got=$(sed -n 's/^  \([0-9a-z.-]*\/[a-z-]*\) .*/\1/p' "$out/fx.log" | grep -v '^7606-5.1/mp-first$' | sort | tr '\n' ' ')
	if [ -z "$want" ]; then
		[ $rc -eq 0 ] && grep -q ' 0 violations' "$out/fx.log" || { cat "$out/fx.log"; fail "$f: exit $rc, violations"; }
	else
		[ $rc -eq 1 ] && [ "$got" = "$want" ] || { cat "$out/fx.log"; fail "$f: exit $rc, rules [$got], sidecar lists [$want]"; }
	fi
	grep -q ' [1-9][0-9]* signatures verified' "$out/fx.log" || fail "$f: no signature checked"
	echo "ok: $f: $(grep "BGP messages linted" "$out/fx.log")${want:+ (fails as listed: $want)}"
done

# A damaged copy: the first ORIGIN attribute's flags 0x40 -> 0xC0. The
# frame and the offset in it come from reading the pcap records here.
python3 - pcaps/harness-pair.pcap "$out/damaged.pcap" >"$out/where" <<'PY' || fail "cannot damage the copy"
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
off, frame = 24, 0
end = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
while off + 16 <= len(b):
    frame += 1
    incl = struct.unpack(end + "I", b[off + 8:off + 12])[0]
    data = off + 16
    i = b.find(b"\x40\x01\x01\x00", data, data + incl)
    if i >= 0:
        b[i] = 0xC0
        open(sys.argv[2], "wb").write(b)
        print(frame, i - data)
        sys.exit(0)
    off = data + incl
sys.exit(1)
PY
read -r frame foff <"$out/where"
$K pcap lint "$out/damaged.pcap" --keys pcaps/harness-pair.keys.json >"$out/dmg.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$out/dmg.log"; fail "damaged copy: exit $rc, not 1"; }
grep -q "\[4271-5/attr-flags\].*link damaged, frame $frame, offset $foff " "$out/dmg.log" ||
	{ cat "$out/dmg.log"; fail "damaged copy: no attr-flags finding at frame $frame offset $foff"; }
echo "ok: damaged copy: attr-flags at frame $frame, offset $foff"

# A cut file is bad input: exit 2, naming the file and the offset.
head -c 300 pcaps/harness-pair.pcap >"$out/cut.pcap"
$K pcap lint "$out/cut.pcap" >"$out/cut.log" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "cut file: exit $rc, not 2"
grep -q "cut.pcap: packet [0-9]* at offset [0-9]*" "$out/cut.log" || { cat "$out/cut.log"; fail "cut file: no file and offset"; }
echo "ok: cut file: $(cat "$out/cut.log")"

# In a run: the clean speaker passes, with the lint's count in the timeline.
CASES="plain/8205-4.4/1 rollover/3.1-5/3 rtr/8210-6/2"
$K run --out "$out/clean" $CASES >"$out/clean.log" 2>&1 || { cat "$out/clean.log"; fail "clean run exited $?"; }
for c in $CASES; do
	grep -q 'wire lint: [1-9][0-9]* BGP messages of the SUT .* 0 violations' "$out/clean/$c/timeline.txt" ||
		fail "$c: no wire lint line in the timeline"
done
# ... and the faulty one fails every one of them with the lint's reason.
$K run --sut-opt fault=no-next-hop --out "$out/nh" $CASES >"$out/nh.log" 2>&1
rc=$?
[ $rc -eq 1 ] || { cat "$out/nh.log"; fail "no-next-hop run exited $rc, not 1"; }
python3 - "$out/nh" $CASES <<'PY' || fail "no-next-hop: the lint did not make every case fail"
import json, re, struct, sys
d, cases = sys.argv[1], sys.argv[2:]
r = {c["id"]: c for c in json.load(open(d + "/results.json"))["cases"]}
def frame_bytes(path, n):
    b = open(path, "rb").read()
    end = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, k = 24, 0
    while off + 16 <= len(b):
        k += 1
        incl = struct.unpack(end + "I", b[off + 8:off + 12])[0]
        if k == n:
            return b[off + 16:off + 16 + incl]
        off += 16 + incl
for c in cases:
    x = r[c]
    a = x.get("actual") or ""
    m = re.search(r"\[4271-5\.1\.3/next-hop-missing\].* link (sut-\w+), frame (\d+), offset (\d+)", a)
    if x["outcome"] != "FAIL" or not a.startswith("wire lint: ") or not m:
        sys.exit("%s: %s %s" % (c, x["outcome"], a))
    # the named octet is where the NLRI field of the UPDATE around it starts
    fb = frame_bytes("%s/%s/%s.pcap" % (d, c, m.group(1)), int(m.group(2)))
    off = int(m.group(3))
    s = fb.rfind(b"\xff" * 16, 0, off)
    wl = int.from_bytes(fb[s + 19:s + 21], "big")
    tal = int.from_bytes(fb[s + 21 + wl:s + 23 + wl], "big")
    if fb[s + 18] != 2 or off != s + 23 + wl + tal:
        sys.exit("%s: frame %s offset %d is not the NLRI of an UPDATE (that starts at %d)" % (c, m.group(2), off, s + 23 + wl + tal))
    print("ok: %s FAIL: %s" % (c, a[:150]))
PY
echo "ok"
