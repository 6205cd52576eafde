#!/bin/sh
# Interop with an independent signer: NIST BGPsec-IO (BGP-SRx 6.3.3) signs
# BGPsec UPDATEs (IPv4 and IPv6, one to three hops) into the reference
# speaker over a real session, in a private namespace. Router keys reach
# the reference speaker over RTR (keyroll rtr serve). Two judges must agree
# with what each UPDATE is (RFC 8205 §5.2):
#   - the reference speaker (its routes, `refspeaker ctl show`);
#   - the harness's validator on the captured wire (`keyroll pcap decode
#     --keys`), the code the suite's observers use.
# Valid: every signer's key is published. Not Valid: AS 65030's key is in
# BGPsec-IO's key store but never published; AS 65040 has no key at all
# (BGPsec-IO then writes a made-up SKI and signature).
# Needs the build of tools/build-quaggasrx.sh; exits 77 (SKIP) without it.
set -u
P=$(pwd)/build-srx/prefix
if [ ! -x "$P/bin/bgpsecio" ]; then
	echo "no BGPsec-IO build in build-srx/prefix (tools/build-quaggasrx.sh [SOURCE-DIR] makes one)"
	exit 77
fi
ns=kr-bio-$$
tmp=$(mktemp -d /tmp/kr-it-bio.XXXXXX)
. "$(dirname "$0")/lib_rtr_it.sh"
RS=$(pwd)/build/refspeaker

ip netns add "$ns" || fail "cannot create namespace"
ip -n "$ns" link set lo up
ip -n "$ns" addr add 127.0.0.2/8 dev lo 2>/dev/null

# Keys: PEM for the reference speaker, SEC1 DER in BGPsec-IO's key store
# (STORE/SKI[0:2]/SKI[2:6]/SKI[6:].der), SPKI for the RTR data.
store() { # NAME -> prints SKI
	openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.pem" 2>/dev/null &&
	openssl ec -in "$tmp/$1.pem" -pubout -outform DER -out "$tmp/$1.spki" 2>/dev/null || return 1
	s=$(tail -c 65 "$tmp/$1.spki" | sha1sum | cut -c1-40 | tr a-f A-F)
	mkdir -p "$tmp/store/$(echo "$s" | cut -c1-2)/$(echo "$s" | cut -c3-6)"
	openssl ec -in "$tmp/$1.pem" -outform DER \
		-out "$tmp/store/$(echo "$s" | cut -c1-2)/$(echo "$s" | cut -c3-6)/$(echo "$s" | cut -c7-).der" 2>/dev/null &&
	echo "$s"
}
s5=$(store as65005) && s15=$(store as65015) && s30=$(store as65030) && s0=$(store as65000) ||
	fail "key generation"
printf '65005-SKI: %s\n65015-SKI: %s\n65030-SKI: %s\n' "$s5" "$s15" "$s30" >"$tmp/ski-list.txt"
entry() { echo "{\"asn\":$1,\"ski\":\"$2\",\"pubkey\":\"$(base64 -w0 "$tmp/$3.spki")\"}"; }
echo "{\"roas\":[],\"bgpsec_keys\":[$(entry 65005 "$s5" as65005),$(entry 65015 "$s15" as65015),$(entry 65000 "$s0" as65000)]}" \
	>"$tmp/keys.json"

cat >"$tmp/rs.conf" <<EOF
asn 65000
router-id 127.0.0.1
listen 127.0.0.1
ctl $tmp/ctl.sock
rtr 127.0.0.1 port $port refresh 1 retry 1
key both $tmp/as65000.pem
policy reject-notvalid
peer 127.0.0.2 {
	asn 65005
	passive
	family ipv4 ipv6
	bgpsec all
}
EOF
cat >"$tmp/bio.cfg" <<EOF
ski_file = "$tmp/ski-list.txt";
ski_key_loc = "$tmp/store/";
preload_eckey = false;
mode = "BGP";
max = 0;
only_extended_length = true;
session = ( {
	asn = 65005; bgp_ident = "127.0.0.2"; local_addr = "127.0.0.2"; hold_timer = 180;
	peer_asn = 65000; peer_ip = "127.0.0.1"; peer_port = 179; disconnect = 0;
	convergence = false; ext_msg_cap = false; ext_msg_liberal = false;
	bgpsec_v4_snd = true; bgpsec_v4_rcv = true; bgpsec_v6_snd = true; bgpsec_v6_rcv = true;
	update = ( "10.5.0.0/20", "10.15.0.0/20, 65015", "2001:db8:5::/48", "2001:db8:15::/48, 65015",
		   "10.30.0.0/23, 65015 65030", "10.40.5.0/24, 65040" );
	incl_global_updates = true; prefixPacking = false; algo_id = 1;
	signature_generation = "BIO";
	null_signature_mode = "FAKE";
	fake_signature = "1BADBEEFDEADFEED" "2BADBEEFDEADFEED" "3BADBEEFDEADFEED" "4BADBEEFDEADFEED"
			 "5BADBEEFDEADFEED" "6BADBEEFDEADFEED" "7BADBEEFDEADFEED" "8BADBEEFDEADFEED" "ABADBEEFFACE";
	fake_ski = "0102030405060708" "090A0B0C0D0E0F10" "11121314";
	printOnSend = { update = true; }; printOnReceive = false; printSimple = true; printPollLoop = false;
} );
update = ( );
EOF

ip netns exec "$ns" dumpcap -q -i lo -f "tcp port 179" -w "$tmp/cap.pcapng" >"$tmp/dumpcap.log" 2>&1 &
cap=$!
pids="$pids $cap"
wait_for 20 grep -q "File:" "$tmp/dumpcap.log" || fail "dumpcap did not start"
ip netns exec "$ns" "$KR" rtr serve --listen 127.0.0.1:$port --keys "$tmp/keys.json" >"$tmp/rtr.log" 2>&1 &
pids="$pids $!"
wait_for 5 grep -q "serving" "$tmp/rtr.log" || fail "keyroll rtr serve did not start"
ip netns exec "$ns" "$RS" -c "$tmp/rs.conf" --log "$tmp/refspeaker.log" &
pids="$pids $!"
show() { ip netns exec "$ns" "$RS" ctl "$tmp/ctl.sock" show >"$tmp/show.out" 2>&1 && grep -q "$@" "$tmp/show.out"; }
wait_for 10 show "RTR:.*3 router key" || fail "the reference speaker did not get the 3 router keys"
ip netns exec "$ns" env LD_LIBRARY_PATH="$P/lib64/srx:$P/lib64" "$P/bin/bgpsecio" -f "$tmp/bio.cfg" \
	--suppress-warning >"$tmp/bgpsecio.out" 2>&1 &
pids="$pids $!"
wait_for 20 show "routes: 6 prefixes" || fail "the reference speaker did not get BGPsec-IO's 6 routes"

# 1. The reference speaker's verdicts.
route() { # PREFIX VERDICT
	grep -Eq "^  $1 +best=peer 127.0.0.2 AS65005 $2 " "$tmp/show.out" ||
	{ [ "$2" = "Not Valid" ] && grep -Eq "^  $1 +best=none \| alt peer 127.0.0.2 AS65005 Not Valid" "$tmp/show.out"; }
}
for p in 10.5.0.0/20 10.15.0.0/20 2001:db8:5::/48 2001:db8:15::/48; do
	route "$p" Valid || { cat "$tmp/show.out"; fail "reference speaker: $p should be Valid"; }
done
for p in 10.30.0.0/23 10.40.5.0/24; do
	route "$p" "Not Valid" || { cat "$tmp/show.out"; fail "reference speaker: $p should be Not Valid"; }
done

# 2. The harness's validator on the wire (dumpcap flushes lazily: wait
# until the capture holds all six UPDATEs).
decode() {
	"$KR" pcap decode "$tmp/cap.pcapng" --keys "$tmp/keys.json" >"$tmp/decode.out" 2>&1 &&
	[ "$(grep -c '127.0.0.2:[0-9]* > 127.0.0.1:179 BGP UPDATE nlri .*BGPsec_PATH' "$tmp/decode.out")" -eq 6 ]
}
wait_for 20 decode || { cat "$tmp/decode.out"; fail "the capture lacks BGPsec-IO's 6 UPDATEs"; }
verdict() { # PREFIX PATH VERDICT-REGEX
	grep -q "BGP UPDATE nlri $1 BGPsec_PATH $2 suite 1 ski .* -> $3" "$tmp/decode.out" ||
	{ cat "$tmp/decode.out"; fail "harness: $1 should be $3"; }
}
verdict 10.5.0.0/20 65005 'Valid$'
verdict 10.15.0.0/20 65005,65015 'Valid$'
verdict 2001:db8:5::/48 65005 'Valid$'
verdict 2001:db8:15::/48 65005,65015 'Valid$'
verdict 10.30.0.0/23 65005,65015,65030 "Not Valid (unknown-ski: .*AS 65030, SKI $s30"
verdict 10.40.5.0/24 65005,65040 'Not Valid (unknown-ski: .*AS 65040, SKI 0102030405060708090A0B0C0D0E0F1011121314'
echo "ok"
