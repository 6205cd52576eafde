#!/bin/sh
# keyroll ca end to end with the openssl CLI as the independent checker:
# TA -> subordinate CA -> router certificates (from a key and from an
# openssl-made PKCS#10 request); `openssl verify -crl_check` accepts a
# valid certificate and rejects a revoked one; private keys are 0600;
# `keyroll ca keys` yields the rpki-client JSON the RTR cache reads.
set -u
tmp=$(mktemp -d /tmp/kr-it-ca.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
KR=$(pwd)/build/keyroll
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp" || exit 2

"$KR" ca init ta --name keyroll-TA --as 64496-64511,65536-65551 >/dev/null || fail "ca init"
"$KR" ca sub ca1 --parent ta --name keyroll-CA1 --as 65536-65540 >/dev/null || fail "ca sub"
"$KR" ca sub bad --parent ta --name wide --as 1-70000 2>err.txt && fail "sub CA outside the parent's resources accepted"
grep -q "not inside the issuer" err.txt || fail "no reason for refusing the wide sub CA"
[ "$(stat -c %a ta/ca.key)" = 600 ] || fail "CA key mode"

"$KR" ca keygen --out r1.key --pub r1.pub || fail "keygen"
[ "$(stat -c %a r1.key)" = 600 ] || fail "router key mode $(stat -c %a r1.key)"
"$KR" ca issue ca1 --key r1.key --as 65537 --router-id 198.18.0.1 --days 30 --out r1.cer >/dev/null || fail "issue"
# Router-driven keying: the router makes the key and request (RFC 8635 §6.1).
openssl ecparam -name prime256v1 -genkey -noout -out r2.key 2>/dev/null
openssl req -new -key r2.key -subj "/CN=router2" -out r2.csr 2>/dev/null || fail "openssl req"
"$KR" ca issue ca1 --csr r2.csr --as 65538 --router-id C6120002 --days 30 --out r2.cer --der >/dev/null || fail "issue from CSR"

openssl x509 -in r1.cer -noout -subject | grep -q "CN = ROUTER-00010001, serialNumber = C6120001" ||
	fail "subject: $(openssl x509 -in r1.cer -noout -subject)"
openssl x509 -in r1.cer -noout -text >r1.txt
grep -A1 "Extended Key Usage" r1.txt | grep -q "BGPsec Router" || fail "EKU"
grep -q "sbgp-autonomousSysNum: critical" r1.txt || fail "AS resources critical"
grep -A2 "Autonomous System Numbers" r1.txt | grep -q "65537" || fail "AS 65537"
grep -A1 "Certificate Policies: critical" r1.txt | grep -q "Policy: ipAddr-asNumber" || fail "policy"
grep -q "Basic Constraints" r1.txt && fail "Basic Constraints present"
grep -q "Subject Information Access" r1.txt && fail "SIA present"
openssl x509 -in r2.cer -inform DER -noout -pubkey | openssl pkey -pubin -outform DER >r2.spki
openssl pkey -in r2.key -pubout -outform DER | cmp -s - r2.spki || fail "CSR key not certified"

"$KR" ca crl ta --out ta.crl || fail "ta crl"
"$KR" ca crl ca1 --out ca1.crl --hours 2 || fail "crl"
openssl crl -in ca1.crl -noout -text | grep -q "CRL Number" || fail "CRL number"
openssl verify -crl_check_all -CAfile ta/ca.pem -untrusted ca1/ca.pem -CRLfile ta.crl -CRLfile ca1.crl r1.cer >v1.txt 2>&1 ||
	fail "valid certificate rejected: $(cat v1.txt)"
openssl x509 -in r2.cer -inform DER -out r2.pem
openssl verify -crl_check -CAfile ta/ca.pem -untrusted ca1/ca.pem -CRLfile ca1.crl r2.pem >/dev/null 2>&1 ||
	fail "CSR certificate rejected"

"$KR" ca revoke ca1 --cert r1.cer || fail "revoke"
"$KR" ca crl ca1 --out ca1.crl || fail "crl after revoke"
openssl crl -in ca1.crl -noout -text | grep -q "Serial Number: 01" || fail "revoked serial not on the CRL"
if openssl verify -crl_check -CAfile ta/ca.pem -untrusted ca1/ca.pem -CRLfile ca1.crl r1.cer >v2.txt 2>&1; then
	fail "revoked certificate accepted"
fi
grep -q "certificate revoked" v2.txt || fail "wrong rejection: $(cat v2.txt)"
openssl verify -crl_check -CAfile ta/ca.pem -untrusted ca1/ca.pem -CRLfile ca1.crl r2.pem >/dev/null 2>&1 ||
	fail "the other certificate was hit by the revocation"

"$KR" ca keys --out keys.json r1.cer r2.cer || fail "keys"
ski=$(openssl x509 -in r2.pem -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :' | tr a-f A-F)
grep -q "\"ski\": \"$ski\"" keys.json || fail "keys.json lacks $ski"
grep -q '"asn": 65538' keys.json || fail "keys.json lacks AS 65538"
"$KR" ca issue ca1 --key r1.key --as 65001 --out x.cer 2>err.txt && fail "AS outside the CA accepted"
grep -q "AS resources" err.txt || fail "no reason for the AS refusal"
echo ok
