/* Test CA: every router certificate checked field by field against the
 * RFC 8209 / RFC 6487 profile (RFC 8209 §3, RFC 6487 §4), CRLs
 * against RFC 6487 §5, PKCS#10 acceptance rules (RFC 8209 §3.2, §4), path
 * validation with CRL checking, persistence and the RP tuple. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rpki/ca.h"
#include "cu.h"

static const struct kr_as_range TA_AS[] = { { 64496, 64511 }, { 65536, 65551 } };

static struct kr_ca *make_ta(void)
{
	struct kr_ca_opts o = { .name = "keyroll-TA", .as = TA_AS, .nas = 2 };
	struct kr_err e = { 0 };
	struct kr_ca *ca = kr_ca_new_ta(&o, &e);
	if (!ca)
		fprintf(stderr, "TA: %s\n", e.msg);
	return ca;
}

static int ext_count(X509 *x, int nid, int *critical)
{
	int n = 0, at = -1;
	while ((at = X509_get_ext_by_NID(x, nid, at)) >= 0) {
		n++;
		if (critical)
			*critical = X509_EXTENSION_get_critical(X509_get_ext(x, at));
	}
	return n;
}

static bool name_is(X509_NAME *n, int nid, const char *want)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	if (i < 0)
		return false;
	ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	return ASN1_STRING_type(s) == V_ASN1_PRINTABLESTRING && (size_t)ASN1_STRING_length(s) == strlen(want) &&
	       !memcmp(ASN1_STRING_get0_data(s), want, strlen(want));
}

static time_t t_of(const ASN1_TIME *t)
{
	struct tm tm;
	return ASN1_TIME_to_tm(t, &tm) ? timegm(&tm) : 0;
}

/* The RFC 8209 §3.1 profile, one field at a time. */
static void check_router_cert(X509 *x, struct kr_ca *ca, const uint32_t *asns, size_t nasns, uint32_t rid,
			      time_t nb, time_t na)
{
	X509 *cac = kr_ca_cert(ca);
	CU_ASSERT_EQUAL(X509_get_version(x), X509_VERSION_3);
	const ASN1_INTEGER *ser = X509_get0_serialNumber(x);
	CU_ASSERT(ASN1_STRING_type(ser) == V_ASN1_INTEGER); /* positive */
	CU_ASSERT(kr_x509_serial(x) > 0);
	CU_ASSERT_EQUAL(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(cac)), 0);
	CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_get_issuer_name(x)), 1);
	CU_ASSERT(name_is(X509_get_issuer_name(x), NID_commonName, "keyroll-TA"));
	char cn[20], sn[12];
	snprintf(cn, sizeof cn, "ROUTER-%08X", asns[0]);
	snprintf(sn, sizeof sn, "%08X", rid);
	CU_ASSERT(name_is(X509_get_subject_name(x), NID_commonName, cn));
	CU_ASSERT(name_is(X509_get_subject_name(x), NID_serialNumber, sn));
	CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_get_subject_name(x)), 2);
	CU_ASSERT_EQUAL(t_of(X509_get0_notBefore(x)), nb);
	CU_ASSERT_EQUAL(t_of(X509_get0_notAfter(x)), na);
	/* SPKI: id-ecPublicKey, namedCurve secp256r1, uncompressed point. */
	X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
	ASN1_OBJECT *alg;
	const void *pval;
	int ptype;
	X509_ALGOR *a;
	const unsigned char *pk;
	int pklen;
	CU_ASSERT_FATAL(X509_PUBKEY_get0_param(&alg, &pk, &pklen, &a, xpk) == 1);
	CU_ASSERT_EQUAL(OBJ_obj2nid(alg), NID_X9_62_id_ecPublicKey);
	X509_ALGOR_get0(NULL, &ptype, &pval, a);
	CU_ASSERT_EQUAL(ptype, V_ASN1_OBJECT);
	CU_ASSERT_EQUAL(OBJ_obj2nid(pval), NID_X9_62_prime256v1);
	CU_ASSERT_EQUAL(pklen, 65);
	CU_ASSERT_EQUAL(pk[0], 0x04);
	int crit = -1;
	/* Basic Constraints, SIA, IP resources: absent. */
	CU_ASSERT_EQUAL(ext_count(x, NID_basic_constraints, NULL), 0);
	CU_ASSERT_EQUAL(ext_count(x, NID_sinfo_access, NULL), 0);
	CU_ASSERT_EQUAL(ext_count(x, NID_sbgp_ipAddrBlock, NULL), 0);
	/* SKI: non-critical, SHA-1 of the subjectPublicKey bits. */
	CU_ASSERT_EQUAL(ext_count(x, NID_subject_key_identifier, &crit), 1);
	CU_ASSERT_EQUAL(crit, 0);
	uint8_t h[20];
	SHA1(pk, (size_t)pklen, h);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
	CU_ASSERT_FATAL(ski != NULL);
	CU_ASSERT(ASN1_STRING_length(ski) == 20 && !memcmp(ASN1_STRING_get0_data(ski), h, 20));
	/* AKI: non-critical, keyIdentifier = issuer SKI, nothing else. */
	CU_ASSERT_EQUAL(ext_count(x, NID_authority_key_identifier, &crit), 1);
	CU_ASSERT_EQUAL(crit, 0);
	AUTHORITY_KEYID *aki = X509_get_ext_d2i(x, NID_authority_key_identifier, NULL, NULL);
	CU_ASSERT_FATAL(aki != NULL);
	CU_ASSERT(aki->keyid && !ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(cac)));
	CU_ASSERT(aki->issuer == NULL && aki->serial == NULL);
	AUTHORITY_KEYID_free(aki);
	/* Key Usage: critical, digitalSignature only. */
	CU_ASSERT_EQUAL(ext_count(x, NID_key_usage, &crit), 1);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_EQUAL(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	/* EKU: non-critical, exactly id-kp-bgpsec-router. */
	CU_ASSERT_EQUAL(ext_count(x, NID_ext_key_usage, &crit), 1);
	CU_ASSERT_EQUAL(crit, 0);
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	CU_ASSERT_FATAL(eku != NULL);
	CU_ASSERT_EQUAL(sk_ASN1_OBJECT_num(eku), 1);
	char oid[64];
	OBJ_obj2txt(oid, sizeof oid, sk_ASN1_OBJECT_value(eku, 0), 1);
	CU_ASSERT_STRING_EQUAL(oid, "1.3.6.1.5.5.7.3.30");
	EXTENDED_KEY_USAGE_free(eku);
	/* CRLDP: non-critical, one point, fullName with the CRL rsync URI. */
	CU_ASSERT_EQUAL(ext_count(x, NID_crl_distribution_points, &crit), 1);
	CU_ASSERT_EQUAL(crit, 0);
	CRL_DIST_POINTS *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	CU_ASSERT_FATAL(dps && sk_DIST_POINT_num(dps) == 1);
	DIST_POINT *dp = sk_DIST_POINT_value(dps, 0);
	CU_ASSERT(dp->reasons == NULL && dp->CRLissuer == NULL && dp->distpoint && dp->distpoint->type == 0);
	GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
	CU_ASSERT(gn->type == GEN_URI &&
		  !strcmp((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier), kr_ca_crl_uri(ca)));
	CU_ASSERT(!strncmp(kr_ca_crl_uri(ca), "rsync://", 8));
	CRL_DIST_POINTS_free(dps);
	/* AIA: non-critical, caIssuers rsync URI of the issuer certificate. */
	CU_ASSERT_EQUAL(ext_count(x, NID_info_access, &crit), 1);
	CU_ASSERT_EQUAL(crit, 0);
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
	CU_ASSERT_FATAL(aia && sk_ACCESS_DESCRIPTION_num(aia) == 1);
	ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, 0);
	CU_ASSERT_EQUAL(OBJ_obj2nid(ad->method), NID_ad_ca_issuers);
	CU_ASSERT(!strcmp((const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier),
			  kr_ca_cert_uri(ca)));
	AUTHORITY_INFO_ACCESS_free(aia);
	/* Certificate Policies: critical, exactly id-cp-ipAddr-asNumber. */
	CU_ASSERT_EQUAL(ext_count(x, NID_certificate_policies, &crit), 1);
	CU_ASSERT_EQUAL(crit, 1);
	CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	CU_ASSERT_FATAL(cp && sk_POLICYINFO_num(cp) == 1);
	OBJ_obj2txt(oid, sizeof oid, sk_POLICYINFO_value(cp, 0)->policyid, 1);
	CU_ASSERT_STRING_EQUAL(oid, "1.3.6.1.5.5.7.14.2");
	CERTIFICATEPOLICIES_free(cp);
	/* AS resources: critical, explicit ids, no inherit, no rdi. */
	CU_ASSERT_EQUAL(ext_count(x, NID_sbgp_autonomousSysNum, &crit), 1);
	CU_ASSERT_EQUAL(crit, 1);
	ASIdentifiers *asid = X509_get_ext_d2i(x, NID_sbgp_autonomousSysNum, NULL, NULL);
	CU_ASSERT_FATAL(asid && asid->asnum);
	CU_ASSERT(asid->rdi == NULL);
	CU_ASSERT_EQUAL(asid->asnum->type, ASIdentifierChoice_asIdsOrRanges);
	CU_ASSERT(!X509v3_asid_inherits(asid));
	ASIdOrRanges *l = asid->asnum->u.asIdsOrRanges;
	CU_ASSERT_EQUAL((size_t)sk_ASIdOrRange_num(l), nasns);
	for (int i = 0; i < sk_ASIdOrRange_num(l) && (size_t)i < nasns; i++) {
		ASIdOrRange *r = sk_ASIdOrRange_value(l, i);
		uint64_t v = 0;
		CU_ASSERT_EQUAL(r->type, ASIdOrRange_id);
		ASN1_INTEGER_get_uint64(&v, r->u.id);
		CU_ASSERT_EQUAL(v, asns[i]);
	}
	ASIdentifiers_free(asid);
	/* Nothing else: 8 extensions exactly (RFC 6487 §4). */
	CU_ASSERT_EQUAL(X509_get_ext_count(x), 8);
	CU_ASSERT_EQUAL(X509_verify(x, kr_ca_key(ca)), 1);
}

static void t_router_cert_profile(void)
{
	struct kr_ca *ca = make_ta();
	CU_ASSERT_FATAL(ca != NULL);
	/* TA: RFC 6487 CA profile essentials. */
	X509 *tac = kr_ca_cert(ca);
	CU_ASSERT_EQUAL(X509_get_signature_nid(tac), NID_sha256WithRSAEncryption);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(kr_ca_key(ca)), 2048);
	CU_ASSERT(X509_check_ca(tac) >= 1);
	CU_ASSERT_EQUAL(X509_get_key_usage(tac), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	CU_ASSERT_EQUAL(ext_count(tac, NID_sinfo_access, NULL), 1);
	CU_ASSERT_EQUAL(X509_verify(tac, kr_ca_key(ca)), 1);

	EVP_PKEY *rk = EVP_EC_gen("P-256");
	uint32_t asns[] = { 65536 };
	time_t nb = 1767225600, na = nb + 30 * 86400; /* 2026-01-01 + 30 days */
	struct kr_router_req r = { .asns = asns, .nasns = 1, .router_id = 0xC6120001, .not_before = nb, .not_after = na };
	struct kr_err e = { 0 };
	X509 *x = kr_ca_issue_router(ca, rk, &r, &e);
	CU_ASSERT_FATAL(x != NULL);
	check_router_cert(x, ca, asns, 1, 0xC6120001, nb, na);
	/* Several ASes, sorted in the extension. */
	uint32_t two[] = { 64500, 64496 };
	uint32_t two_sorted[] = { 64496, 64500 };
	struct kr_router_req r2 = { .asns = two, .nasns = 2, .router_id = 1, .not_before = nb, .not_after = na };
	X509 *y = kr_ca_issue_router(ca, rk, &r2, &e);
	CU_ASSERT_FATAL(y != NULL);
	CU_ASSERT(kr_x509_serial(y) != kr_x509_serial(x));
	/* CN names the first AS given; the extension is canonical. */
	CU_ASSERT(name_is(X509_get_subject_name(y), NID_commonName, "ROUTER-0000FBF4"));
	uint32_t cn_first[] = { 64500 };
	(void)cn_first;
	ASIdentifiers *asid = X509_get_ext_d2i(y, NID_sbgp_autonomousSysNum, NULL, NULL);
	uint64_t v0 = 0;
	ASN1_INTEGER_get_uint64(&v0, sk_ASIdOrRange_value(asid->asnum->u.asIdsOrRanges, 0)->u.id);
	CU_ASSERT_EQUAL(v0, two_sorted[0]);
	ASIdentifiers_free(asid);
	/* Refusals: AS outside the CA, non-P-256 key, reversed validity. */
	uint32_t outside[] = { 65001 };
	struct kr_router_req bad = { .asns = outside, .nasns = 1 };
	CU_ASSERT_PTR_NULL(kr_ca_issue_router(ca, rk, &bad, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "AS resources"));
	EVP_PKEY *p384 = EVP_EC_gen("P-384");
	CU_ASSERT_PTR_NULL(kr_ca_issue_router(ca, p384, &r, &e));
	struct kr_router_req rev = r;
	rev.not_after = nb - 1;
	CU_ASSERT_PTR_NULL(kr_ca_issue_router(ca, rk, &rev, &e));
	/* RP tuple. */
	struct kr_rtr_set s = { 0 };
	CU_ASSERT_EQUAL(kr_router_cert_keys(y, &s, &e), 0);
	CU_ASSERT_EQUAL(s.nkeys, 2);
	CU_ASSERT_EQUAL(s.keys[0].asn, 64496);
	CU_ASSERT_EQUAL(s.keys[0].spki_len, 91);
	CU_ASSERT(!memcmp(s.keys[0].ski, ASN1_STRING_get0_data(X509_get0_subject_key_id(y)), 20));
	kr_rtr_set_free(&s);
	CU_ASSERT_EQUAL(kr_router_cert_keys(tac, &s, &e), -1);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(rk);
	X509_free(x);
	X509_free(y);
	kr_ca_free(ca);
}

static X509_REQ *make_csr(EVP_PKEY *k, const char *ext_nid_value, int nid)
{
	X509_REQ *req = X509_REQ_new();
	X509_REQ_set_version(req, X509_REQ_VERSION_1);
	X509_REQ_set_pubkey(req, k);
	if (ext_nid_value) {
		STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
		sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(NULL, NULL, nid, ext_nid_value));
		X509_REQ_add_extensions(req, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	X509_REQ_sign(req, k, EVP_sha256());
	return req;
}

static void t_csr(void)
{
	struct kr_ca *ca = make_ta();
	CU_ASSERT_FATAL(ca != NULL);
	EVP_PKEY *k = EVP_EC_gen("P-256");
	uint32_t asns[] = { 64496 };
	time_t nb = time(NULL), na = nb + 86400;
	struct kr_router_req r = { .asns = asns, .nasns = 1, .router_id = 7, .not_before = nb, .not_after = na };
	struct kr_err e = { 0 };
	/* Plain request, EKU request, and cA=TRUE (not honoured: still EE). */
	X509_REQ *q = make_csr(k, NULL, 0);
	X509 *x = kr_ca_issue_csr(ca, q, &r, &e);
	CU_ASSERT_FATAL(x != NULL);
	check_router_cert(x, ca, asns, 1, 7, nb, na);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(x), k), 1);
	X509_free(x);
	X509_REQ_free(q);
	q = make_csr(k, "1.3.6.1.5.5.7.3.30", NID_ext_key_usage);
	x = kr_ca_issue_csr(ca, q, &r, &e);
	CU_ASSERT_PTR_NOT_NULL(x);
	X509_free(x);
	X509_REQ_free(q);
	q = make_csr(k, "critical,CA:TRUE", NID_basic_constraints);
	x = kr_ca_issue_csr(ca, q, &r, &e);
	CU_ASSERT_FATAL(x != NULL);
	CU_ASSERT_EQUAL(X509_check_ca(x), 0);
	CU_ASSERT_EQUAL(ext_count(x, NID_basic_constraints, NULL), 0);
	X509_free(x);
	X509_REQ_free(q);
	/* Refused: EKU without bgpsec-router, a disallowed extension, a bad
	 * signature, an RSA key. */
	q = make_csr(k, "serverAuth", NID_ext_key_usage);
	CU_ASSERT_PTR_NULL(kr_ca_issue_csr(ca, q, &r, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "id-kp-bgpsec-router"));
	X509_REQ_free(q);
	q = make_csr(k, "DNS:router.example", NID_subject_alt_name);
	CU_ASSERT_PTR_NULL(kr_ca_issue_csr(ca, q, &r, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "2.5.29.17"));
	X509_REQ_free(q);
	q = make_csr(k, NULL, 0);
	EVP_PKEY *other = EVP_EC_gen("P-256");
	X509_REQ_set_pubkey(q, other); /* signature no longer matches */
	CU_ASSERT_PTR_NULL(kr_ca_issue_csr(ca, q, &r, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "signature"));
	X509_REQ_free(q);
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	q = make_csr(rsa, NULL, 0);
	CU_ASSERT_PTR_NULL(kr_ca_issue_csr(ca, q, &r, &e));
	X509_REQ_free(q);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(other);
	EVP_PKEY_free(k);
	kr_ca_free(ca);
}

static int verify(X509 *leaf, X509 *root, X509 *inter, X509_CRL *crl1, X509_CRL *crl2)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_add_cert(st, root);
	if (crl1)
		X509_STORE_add_crl(st, crl1);
	if (crl2)
		X509_STORE_add_crl(st, crl2);
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | (crl2 ? X509_V_FLAG_CRL_CHECK_ALL : 0));
	STACK_OF(X509) *chain = sk_X509_new_null();
	if (inter)
		sk_X509_push(chain, inter);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, st, leaf, chain);
	int ok = X509_verify_cert(ctx);
	int err = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	sk_X509_free(chain);
	X509_STORE_free(st);
	return ok == 1 ? 0 : err;
}

static void t_crl_and_path(void)
{
	struct kr_ca *ta = make_ta();
	CU_ASSERT_FATAL(ta != NULL);
	static const struct kr_as_range sub_as[] = { { 65536, 65540 } };
	struct kr_ca_opts so = { .name = "keyroll-CA1", .as = sub_as, .nas = 1 };
	struct kr_err e = { 0 };
	struct kr_ca *sub = kr_ca_new_sub(ta, &so, &e);
	CU_ASSERT_FATAL(sub != NULL);
	CU_ASSERT_EQUAL(X509_verify(kr_ca_cert(sub), kr_ca_key(ta)), 1);
	static const struct kr_as_range wide[] = { { 1, 70000 } };
	struct kr_ca_opts wo = { .name = "too-wide", .as = wide, .nas = 1 };
	CU_ASSERT_PTR_NULL(kr_ca_new_sub(ta, &wo, &e));

	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256");
	uint32_t asn[] = { 65537 };
	struct kr_router_req r = { .asns = asn, .nasns = 1, .router_id = 1 };
	X509 *old = kr_ca_issue_router(sub, k1, &r, &e);
	X509 *nw = kr_ca_issue_router(sub, k2, &r, &e);
	CU_ASSERT_FATAL(old && nw);
	time_t now = time(NULL);
	X509_CRL *tacrl = kr_ca_crl(ta, now - 60, now + 3600, &e);
	X509_CRL *crl = kr_ca_crl(sub, now - 60, now + 3600, &e);
	CU_ASSERT_FATAL(crl && tacrl);
	CU_ASSERT_EQUAL(verify(old, kr_ca_cert(ta), kr_ca_cert(sub), crl, tacrl), 0);
	/* Revoke the old router certificate (RFC 8634 §3.1 step 4). */
	CU_ASSERT_EQUAL(kr_ca_revoke_cert(sub, old, now - 30), 0);
	CU_ASSERT_EQUAL(kr_ca_revoke_cert(sub, old, now - 30), 1);
	X509_CRL *crl2 = kr_ca_crl(sub, now - 10, now + 3600, &e);
	CU_ASSERT_FATAL(crl2 != NULL);
	CU_ASSERT_EQUAL(verify(old, kr_ca_cert(ta), kr_ca_cert(sub), crl2, tacrl), X509_V_ERR_CERT_REVOKED);
	CU_ASSERT_EQUAL(verify(nw, kr_ca_cert(ta), kr_ca_cert(sub), crl2, tacrl), 0);
	/* CRL profile (RFC 6487 §5). */
	CU_ASSERT_EQUAL(X509_CRL_get_version(crl2), X509_CRL_VERSION_2);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_CRL_get_issuer(crl2), X509_get_subject_name(kr_ca_cert(sub))), 0);
	CU_ASSERT_EQUAL(X509_CRL_get_signature_nid(crl2), NID_sha256WithRSAEncryption);
	CU_ASSERT_EQUAL(X509_CRL_get_ext_count(crl2), 2);
	CU_ASSERT(X509_CRL_get_ext_by_NID(crl2, NID_authority_key_identifier, -1) >= 0);
	ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl2, NID_crl_number, NULL, NULL);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(num), 2); /* the second CRL of this CA */
	ASN1_INTEGER_free(num);
	CU_ASSERT_EQUAL(t_of(X509_CRL_get0_lastUpdate(crl2)), now - 10);
	CU_ASSERT_EQUAL(t_of(X509_CRL_get0_nextUpdate(crl2)), now + 3600);
	STACK_OF(X509_REVOKED) *rv = X509_CRL_get_REVOKED(crl2);
	CU_ASSERT_FATAL(sk_X509_REVOKED_num(rv) == 1);
	X509_REVOKED *r0 = sk_X509_REVOKED_value(rv, 0);
	CU_ASSERT_EQUAL(ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(r0), X509_get0_serialNumber(old)), 0);
	CU_ASSERT_EQUAL(X509_REVOKED_get_ext_count(r0), 0);
	CU_ASSERT_EQUAL(t_of(X509_REVOKED_get0_revocationDate(r0)), now - 30);
	CU_ASSERT_EQUAL(X509_CRL_verify(crl2, kr_ca_key(sub)), 1);
	/* An expired revoked certificate leaves the CRL. */
	kr_ca_revoke(sub, 999, now - 100, now - 50);
	X509_CRL *crl3 = kr_ca_crl(sub, now, now + 60, &e);
	CU_ASSERT_EQUAL(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl3)), 1);
	CU_ASSERT_PTR_NULL(kr_ca_crl(sub, now, now - 1, &e));

	/* Persistence: save, load, the state carries on. */
	char dir[] = "/tmp/kr_ca_XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_EQUAL(kr_ca_save(sub, dir, &e), 0);
	char p[256];
	struct stat sb;
	snprintf(p, sizeof p, "%s/ca.key", dir);
	CU_ASSERT(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	struct kr_ca *ld = kr_ca_load(dir, &e);
	CU_ASSERT_FATAL(ld != NULL);
	CU_ASSERT(kr_ca_is_revoked(ld, kr_x509_serial(old)));
	X509 *third = kr_ca_issue_router(ld, k1, &r, &e);
	CU_ASSERT_FATAL(third != NULL);
	CU_ASSERT_EQUAL(kr_x509_serial(third), kr_x509_serial(nw) + 1);
	/* Key files: private 0600, loadable. */
	snprintf(p, sizeof p, "%s/r.key", dir);
	CU_ASSERT_EQUAL(kr_pkey_save(k1, p, true, &e), 0);
	CU_ASSERT(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	EVP_PKEY *lk = kr_pkey_load(p, &e);
	CU_ASSERT(lk && EVP_PKEY_eq(lk, k1) == 1);
	EVP_PKEY_free(lk);
	unlink(p);
	snprintf(p, sizeof p, "%s/r.cer", dir);
	CU_ASSERT_EQUAL(kr_x509_save(third, p, true, &e), 0);
	X509 *lc = kr_x509_load(p, &e);
	CU_ASSERT(lc && X509_cmp(lc, third) == 0);
	X509_free(lc);
	unlink(p);
	CU_ASSERT_PTR_NULL(kr_x509_load("/nonexistent/x.cer", &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent/x.cer"));
	const char *files[] = { "ca.key", "ca.pem", "ca.cer", "ca.json" };
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
	X509_free(third);
	kr_ca_free(ld);
	X509_CRL_free(crl);
	X509_CRL_free(crl2);
	X509_CRL_free(crl3);
	X509_CRL_free(tacrl);
	X509_free(old);
	X509_free(nw);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	kr_ca_free(sub);
	kr_ca_free(ta);
}

static void t_faults(void)
{
	struct kr_ca *ca = make_ta();
	CU_ASSERT_FATAL(ca != NULL);
	EVP_PKEY *k = EVP_EC_gen("P-256");
	uint32_t in[] = { 64496 }, out[] = { 65001 };
	struct kr_err e = { 0 };
	for (unsigned bit = 1; bit <= KR_CERT_FAULT_AS_OUTSIDE; bit <<= 1) {
		const char *name = kr_cert_fault_name(bit);
		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_EQUAL(kr_cert_fault_parse(name), bit);
		struct kr_router_req r = { .asns = bit == KR_CERT_FAULT_AS_OUTSIDE ? out : in, .nasns = 1, .faults = bit };
		X509 *x = kr_ca_issue_router(ca, k, &r, &e);
		CU_ASSERT_FATAL(x != NULL);
		int crit = -1;
		EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
		switch (bit) {
		case KR_CERT_FAULT_NO_EKU: CU_ASSERT_PTR_NULL(eku); break;
		case KR_CERT_FAULT_ANY_EKU: CU_ASSERT(eku && OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, 0)) == NID_anyExtendedKeyUsage); break;
		case KR_CERT_FAULT_EKU_CRITICAL: CU_ASSERT_EQUAL(crit, 1); break;
		case KR_CERT_FAULT_SIA: CU_ASSERT_EQUAL(ext_count(x, NID_sinfo_access, NULL), 1); break;
		case KR_CERT_FAULT_IP_RES: CU_ASSERT_EQUAL(ext_count(x, NID_sbgp_ipAddrBlock, NULL), 1); break;
		case KR_CERT_FAULT_KU_EXTRA: CU_ASSERT(X509_get_key_usage(x) != KU_DIGITAL_SIGNATURE); break;
		case KR_CERT_FAULT_BC: CU_ASSERT_EQUAL(ext_count(x, NID_basic_constraints, NULL), 1); break;
		default: break;
		}
		EXTENDED_KEY_USAGE_free(eku);
		struct kr_rtr_set s = { 0 };
		if (bit == KR_CERT_FAULT_AS_INHERIT || bit == KR_CERT_FAULT_NO_EKU || bit == KR_CERT_FAULT_ANY_EKU)
			CU_ASSERT_EQUAL(kr_router_cert_keys(x, &s, &e), -1);
		kr_rtr_set_free(&s);
		X509_free(x);
	}
	CU_ASSERT_EQUAL(kr_cert_fault_parse("nonsense"), 0);
	EVP_PKEY_free(k);
	kr_ca_free(ca);
}

KR_TESTS("ca",
	 { "deliberately broken certificates", t_faults },
	 { "router certificate profile, field by field", t_router_cert_profile },
	 { "PKCS#10 requests", t_csr },
	 { "CRLs and path validation with revocation", t_crl_and_path });
