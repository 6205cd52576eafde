#!/bin/sh
# `keyroll run --rpki pipeline`: the CA's repository -> rpki-client ->
# StayRTR -> the SUT. The five steps of a peer rollover, one SUT rollover
# and the pipeline-only cases pass against the reference speaker; a case
# needing a cache-only verb SKIPs with the reason; the pipeline-only cases
# SKIP without the pipeline. From the evidence alone (tshark on the
# captures, openssl on the repository, rpki-client's log), in step 5 the
# CRL publication comes first, then the Router Key withdrawal on the SUT's
# RTR link, then the SUT's BGP withdrawal downstream. Faults of the
# reference speaker are caught in this mode too (a subset; the full matrix:
# RUN_OPTS="--rpki pipeline" sh tests/it_suite_faults.sh). Nothing is left
# behind.
set -u
K=build/keyroll
out=$(mktemp -d /tmp/kr-it-pipeline-XXXXXX)
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { rm -rf "$out"; }
trap cleanup EXIT
trap 'exit 2' INT TERM

$K run --rpki nosuch --out "$out/x" keys/8205-5.2/1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "bad --rpki did not exit 2"
$K run --rpki pipeline --rtr builtin --out "$out/x" keys/8205-5.2/1 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--rpki pipeline with --rtr builtin did not exit 2"
$K run --help | grep -q -- '--rpki MODE' || fail "--help does not mention --rpki"
$K run --out "$out/direct" pipeline/ >"$out/direct.log" 2>&1 || fail "pipeline cases without the pipeline exited $?"
[ "$(grep -c '] SKIP  pipeline/' "$out/direct.log")" -eq "$($K list pipeline/ | wc -l)" ] ||
	fail "pipeline cases did not SKIP without the pipeline"
grep -q "needs --rpki pipeline" "$out/direct.log" || fail "the SKIP does not say why"

# Faults, beside the clean run: each must make its cases FAIL.
faults() {
	for f in "ignore-rtr-withdraw rollover/3.1-5/1 pipeline/8634-3.1-4/1" \
		"over-withdraw pipeline/8634-3.1-4/1" "no-downstream-withdraw pipeline/6487-7.2/1"; do
		set -- $f
		n=$1
		shift
		$K run --rpki pipeline --sut-opt "fault=$n" --out "$out/f-$n" $(for c in "$@"; do printf '%s$ ' "$c"; done) \
			>"$out/f-$n.log" 2>&1
		echo "$n $? $*" >>"$out/faults"
	done
}
faults &
fpid=$!

# IPv4 runs only ("ID$": exact ids); the IPv6 copies run the same code.
steps="rollover/3.1-1/1 rollover/3.1-2/1 rollover/3.1-3/1 rollover/3.1-4/1 rollover/3.1-5/1"
pcases="pipeline/6487-4.6/1 pipeline/6487-7.2/1 pipeline/9286-6.5/1 pipeline/8634-3.1-4/1"
ids="$steps rollover/3.1-3/sut-1 $pcases rtr/8210-5.3/1"
$K run --rpki pipeline --out "$out/run" $(for c in $ids; do printf '%s$ ' "$c"; done) >"$out/log" 2>&1 &
pid=$!
wait $pid
rc=$?
wait $fpid
cat "$out/log"
ip netns list | grep -q "^kr${pid}n" && fail "namespaces of run $pid left: $(ip netns list | grep "^kr${pid}n")"
pgrep -f "$out" >/dev/null && fail "processes left: $(pgrep -af "$out")"
[ $rc -eq 0 ] || fail "keyroll run --rpki pipeline exited $rc"
for c in $steps rollover/3.1-3/sut-1 $pcases; do
	grep -q "PASS  $c " "$out/log" || fail "$c did not PASS under the pipeline"
	d=$out/run/$c
	for f in rpki/publications.txt rpki/rpki-client.log rpki/rp/out/json stayrtr.log sut-rtr.pcap; do
		[ -s "$d/$f" ] || fail "$c has no $f"
	done
	[ -d "$d/rpki/repository/rpki.keyroll.test/repo/keyroll-up1" ] || fail "$c has no repository"
	[ "$(stat -c %U "$d/rpki/rp/out/json")" = "$(id -un)" ] || fail "$c: rpki-client's files not given back"
done
grep -q "SKIP  rtr/8210-5.3/1 " "$out/log" || fail "rtr/8210-5.3/1 did not SKIP under the pipeline"
grep -q "needs the built-in RTR cache (cache reset)" "$out/log" || fail "the SKIP does not say why"

# Step 5 from the evidence: CRL publication, then the Router Key
# withdrawal of that key on the SUT's RTR link, then the SUT's BGP
# withdrawal of the route still signed with it (203.0.113.0/24) at dn1.
d=$out/run/rollover/3.1-5/1
ski=$(openssl x509 -inform DER -in "$d/keys/up1-0.cer" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :' |
	tr 'A-F' 'a-f')
serial=$(openssl x509 -inform DER -in "$d/keys/up1-0.cer" -noout -serial | sed 's/serial=//')
t_crl=$(awk '/CRL revokes router certificate/ { print $1; exit }' "$d/rpki/publications.txt")
[ -n "$t_crl" ] || fail "no CRL publication in publications.txt"
openssl crl -inform DER -in "$d/rpki/repository/rpki.keyroll.test/repo/keyroll-up1/keyroll-up1.crl" -noout -text |
	grep -q "Serial Number: $serial" || fail "the published CRL does not list serial $serial"
grep -q "keyroll-up1/up1-0.cer: certificate revoked" "$d/rpki/rpki-client.log" ||
	fail "rpki-client did not report the revocation"
t_w=$(tshark -r "$d/sut-rtr.pcap" -d tcp.port==3323,rpkirtr -Y "rpki-rtr.pdu_type==9 && rpki-rtr.flags==0" \
	-T fields -e frame.time_epoch -e rpki-rtr.subject_key_identifier 2>/dev/null | awk -v s="$ski" '$2 == s { print $1; exit }')
[ -n "$t_w" ] || fail "no Router Key withdrawal of $ski on the SUT's RTR link"
t_bgp=$(tshark -r "$d/sut-dn1.pcap" -Y 'bgp.type==2' -T fields -e frame.time_epoch -e bgp.withdrawn_prefix \
	-e bgp.mp_unreach_nlri_ipv4_prefix 2>/dev/null | awk '/203\.0\.113\.0/ && NF >= 2 { print $1; exit }')
[ -n "$t_bgp" ] || fail "no BGP withdrawal of 203.0.113.0/24 at dn1"
awk -v c="$t_crl" -v w="$t_w" -v b="$t_bgp" 'BEGIN { exit !(c < w && w < b) }' ||
	fail "order: CRL $t_crl, Router Key withdrawal $t_w, BGP withdrawal $t_bgp"
echo "step 5 from the captures: CRL published at $t_crl; Router Key withdrawal at the SUT" \
	"$(awk -v c="$t_crl" -v w="$t_w" 'BEGIN { printf "+%.3f s", w - c }'); BGP withdrawal at dn1" \
	"$(awk -v c="$t_crl" -v b="$t_bgp" 'BEGIN { printf "+%.3f s", b - c }')"

# Propagation metrics of every case.
python3 - "$out/run" <<'PY' || fail "metrics"
import json, sys
r = json.load(open(sys.argv[1] + "/results.json"))
seen = set()
for c in r["cases"]:
    m = {x["name"]: x["value"] for x in c.get("metrics", [])}
    seen.update(k for k in m if k.startswith("rpki_propagation_") or k.startswith("sut_reaction_"))
    if c["id"] == "rollover/3.1-5/1":
        for k in ("rpki_rp_revoke", "rpki_notify_revoke", "rpki_propagation_revoke", "sut_reaction_revoke"):
            if k not in m:
                sys.exit("rollover/3.1-5/1: no metric " + k)
        print("rollover/3.1-5/1: rpki-client done %.3f s, StayRTR notify %.3f s, Router Key PDU %.3f s after "
              "the CRL publication; SUT reaction %.3f s" % (m["rpki_rp_revoke"], m["rpki_notify_revoke"],
              m["rpki_propagation_revoke"], m["sut_reaction_revoke"]))
for k in ("rpki_propagation_publish", "rpki_propagation_revoke", "rpki_propagation_expire",
          "rpki_propagation_as_outside", "rpki_propagation_mft_hash", "sut_reaction_expire"):
    if k not in seen:
        sys.exit("no case recorded " + k)
PY

fok=1
while read -r n frc cases; do
	for c in $cases; do
		grep -q "FAIL  $c " "$out/f-$n.log" || { fok=0; echo "FAIL: fault $n: $c did not fail"; }
	done
	[ "$frc" -eq 1 ] || { fok=0; echo "FAIL: fault $n: exit $frc"; }
	[ $fok -eq 1 ] && echo "fault $n caught by $cases" || tail -n 20 "$out/f-$n.log"
done <"$out/faults"
[ $fok -eq 1 ] || exit 1
echo "ok: --rpki pipeline (5 peer steps, SUT rollover, 4 pipeline cases; faults caught)"
