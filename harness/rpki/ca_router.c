/* BGPsec router certificates (RFC 8209 §3.1), from a key or a PKCS#10
 * request (RFC 8209 §3.2, §4; RFC 8635 §6-§7), and the relying-party
 * tuple (AS, SKI, SPKI). See ca.h. */
#include "rpki/ca_int.h"

#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE_YEAR (365LL * 86400)

static bool is_p256(EVP_PKEY *pk)
{
	char g[64];
	return pk && EVP_PKEY_is_a(pk, "EC") &&
	       EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, g, sizeof g, NULL) &&
	       (!strcmp(g, "prime256v1") || !strcmp(g, "P-256") || !strcmp(g, "secp256r1"));
}

X509 *kr_ca_issue_router(struct kr_ca *ca, EVP_PKEY *pub, const struct kr_router_req *r, struct kr_err *err)
{
	if (!is_p256(pub)) {
		kr_err_set(err, EINVAL, 0, "router key is not ECDSA P-256 (RFC 8208 §3.1)");
		return NULL;
	}
	if (!r->nasns) {
		kr_err_set(err, EINVAL, 0, "no AS number for the router certificate");
		return NULL;
	}
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	struct kr_as_range *as = calloc(r->nasns, sizeof *as);
	if (!x || !n || !as) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		goto bad;
	}
	/* RFC 8209 §3.1.1: CN "ROUTER-" + AS as 8 hex digits, serialNumber =
	 * BGP Identifier as 8 hex digits. */
	char cn[20], sn[12];
	snprintf(cn, sizeof cn, "ROUTER-%08X", r->asns[0]);
	snprintf(sn, sizeof sn, "%08X", r->router_id);
	if (!X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_PRINTABLESTRING, (unsigned char *)cn, -1, -1, 0) ||
	    (!r->no_router_id &&
	     !X509_NAME_add_entry_by_NID(n, NID_serialNumber, V_ASN1_PRINTABLESTRING, (unsigned char *)sn, -1, -1, 0)) ||
	    !X509_set_subject_name(x, n)) {
		kr_ca_ssl_err(err, "router subject name");
		goto bad;
	}
	if (kr_ca_base(ca, x, pub, r->not_before, r->not_after, ONE_YEAR, err))
		goto bad;
	char crldp[400], aia[400];
	snprintf(crldp, sizeof crldp, "URI:%s", ca->crl_uri);
	snprintf(aia, sizeof aia, "caIssuers;URI:%s", ca->cert_uri);
	/* No Basic Constraints, no SIA, no IP resources (RFC 8209 §3.1.3),
	 * unless a fault asks for a violation. */
	unsigned f = r->faults;
	const char *ku = f & KR_CERT_FAULT_KU_EXTRA ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature";
	const char *eku = f & KR_CERT_FAULT_ANY_EKU	 ? "anyExtendedKeyUsage"
			  : f & KR_CERT_FAULT_EKU_CRITICAL ? "critical," KR_OID_BGPSEC_ROUTER_EKU
							   : KR_OID_BGPSEC_ROUTER_EKU;
	char sia[400];
	snprintf(sia, sizeof sia, "caRepository;URI:%s", ca->repo);
	if (kr_ca_add_ext(x, ca->cert, NID_subject_key_identifier, "hash", err) ||
	    kr_ca_add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always", err) ||
	    ((f & KR_CERT_FAULT_BC) && kr_ca_add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE", err)) ||
	    kr_ca_add_ext(x, ca->cert, NID_key_usage, ku, err) ||
	    (!(f & KR_CERT_FAULT_NO_EKU) && kr_ca_add_ext(x, ca->cert, NID_ext_key_usage, eku, err)) ||
	    kr_ca_add_ext(x, ca->cert, NID_crl_distribution_points, crldp, err) ||
	    kr_ca_add_ext(x, ca->cert, NID_info_access, aia, err) ||
	    ((f & KR_CERT_FAULT_SIA) && kr_ca_add_ext(x, ca->cert, NID_sinfo_access, sia, err)) ||
	    kr_ca_add_policy(x, err))
		goto bad;
	if (f & KR_CERT_FAULT_IP_RES) {
		IPAddrBlocks *ip = sk_IPAddressFamily_new_null();
		static const unsigned char net[4] = { 198, 18, 0, 0 };
		bool ok = ip && X509v3_addr_add_prefix(ip, IANA_AFI_IPV4, NULL, (unsigned char *)net, 15) &&
			  X509v3_addr_canonize(ip) && X509_add1_ext_i2d(x, NID_sbgp_ipAddrBlock, ip, 1, 0) == 1;
		sk_IPAddressFamily_pop_free(ip, IPAddressFamily_free);
		if (!ok) {
			kr_ca_ssl_err(err, "IP resources");
			goto bad;
		}
	}
	if (f & KR_CERT_FAULT_AS_INHERIT) {
		ASIdentifiers *asid = ASIdentifiers_new();
		bool ok = asid && X509v3_asid_add_inherit(asid, V3_ASID_ASNUM) &&
			  X509_add1_ext_i2d(x, NID_sbgp_autonomousSysNum, asid, 1, 0) == 1;
		ASIdentifiers_free(asid);
		if (!ok) {
			kr_ca_ssl_err(err, "AS inherit");
			goto bad;
		}
	} else {
		for (size_t i = 0; i < r->nasns; i++)
			as[i].min = as[i].max = r->asns[i];
		if (kr_ca_add_asid(x, as, r->nasns, f & KR_CERT_FAULT_AS_OUTSIDE ? NULL : ca->cert, err))
			goto bad;
	}
	if (kr_ca_sign(ca, x, err))
		goto bad;
	free(as);
	X509_NAME_free(n);
	return x;
bad:
	free(as);
	X509_NAME_free(n);
	X509_free(x);
	return NULL;
}

static const char *const fault_names[] = {
	"no-eku", "any-eku", "eku-critical", "sia", "ip-resources", "as-inherit", "ku-extra", "basic-constraints",
	"as-outside",
};

unsigned kr_cert_fault_parse(const char *name)
{
	for (unsigned i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (!strcmp(name, fault_names[i]))
			return 1u << i;
	return 0;
}

const char *kr_cert_fault_name(unsigned bit)
{
	for (unsigned i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (bit == 1u << i)
			return fault_names[i];
	return NULL;
}

static bool eku_has_router(EXTENDED_KEY_USAGE *eku)
{
	ASN1_OBJECT *want = OBJ_txt2obj(KR_OID_BGPSEC_ROUTER_EKU, 1);
	bool found = false;
	for (int i = 0; want && i < sk_ASN1_OBJECT_num(eku); i++)
		if (!OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want))
			found = true;
	ASN1_OBJECT_free(want);
	return found;
}

X509 *kr_ca_issue_csr(struct kr_ca *ca, X509_REQ *req, const struct kr_router_req *r, struct kr_err *err)
{
	EVP_PKEY *pub = X509_REQ_get0_pubkey(req);
	if (!is_p256(pub)) {
		kr_err_set(err, EINVAL, 0, "request key is not ECDSA P-256 (RFC 8209 §3.2)");
		return NULL;
	}
	/* The signature proves possession of the private key (RFC 8635 §6.1). */
	if (X509_REQ_verify(req, pub) != 1) {
		kr_ca_ssl_err(err, "request signature does not verify");
		return NULL;
	}
	if (X509_REQ_get_version(req) != X509_REQ_VERSION_1) {
		kr_err_set(err, EINVAL, 0, "request version is not v1 (0) (RFC 2986 §4)");
		return NULL;
	}
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	X509 *out = NULL;
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(e));
		if (nid == NID_ext_key_usage) {
			EXTENDED_KEY_USAGE *eku = X509V3_EXT_d2i(e);
			bool ok = eku && eku_has_router(eku);
			EXTENDED_KEY_USAGE_free(eku);
			if (!ok) {
				kr_err_set(err, EINVAL, 0, "requested EKU lacks id-kp-bgpsec-router (RFC 8209 §3.2)");
				goto out;
			}
		} else if (nid != NID_basic_constraints && nid != NID_key_usage && nid != NID_sinfo_access) {
			/* Only BC, KU, EKU and SIA may be requested (RFC 6487 §6.3);
			 * BC cA=TRUE and SIA are simply not honoured (RFC 8209 §4). */
			char oid[80];
			OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(e), 1);
			kr_err_set(err, EINVAL, (size_t)i, "request asks for extension %s (%s), not allowed (RFC 6487 §6.3)",
				   oid, OBJ_nid2sn(nid));
			goto out;
		}
	}
	out = kr_ca_issue_router(ca, pub, r, err);
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return out;
}

int kr_router_cert_keys(X509 *cert, struct kr_rtr_set *out, struct kr_err *err)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	bool ok = eku && eku_has_router(eku);
	EXTENDED_KEY_USAGE_free(eku);
	if (!ok) {
		kr_err_set(err, EINVAL, 0, "not a BGPsec router certificate: EKU id-kp-bgpsec-router missing");
		return -1;
	}
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
	if (!is_p256(pk) || !ski || ASN1_STRING_length(ski) != KR_RTR_SKI_LEN) {
		kr_err_set(err, EINVAL, 0, "router certificate without a P-256 key or a 20-octet SKI");
		return -1;
	}
	unsigned char *spki = NULL;
	int sl = i2d_PUBKEY(pk, &spki);
	ASIdentifiers *asid = X509_get_ext_d2i(cert, NID_sbgp_autonomousSysNum, NULL, NULL);
	int rc = -1;
	if (sl <= 0 || !asid || !asid->asnum || asid->asnum->type != ASIdentifierChoice_asIdsOrRanges) {
		kr_err_set(err, EINVAL, 0, "router certificate without explicit AS resources (RFC 8209 §3.1.3.5)");
		goto out;
	}
	ASIdOrRanges *l = asid->asnum->u.asIdsOrRanges;
	for (int i = 0; i < sk_ASIdOrRange_num(l); i++) {
		ASIdOrRange *a = sk_ASIdOrRange_value(l, i);
		uint64_t lo, hi;
		if (a->type == ASIdOrRange_id) {
			if (!ASN1_INTEGER_get_uint64(&lo, a->u.id))
				goto bad_as;
			hi = lo;
		} else if (!ASN1_INTEGER_get_uint64(&lo, a->u.range->min) ||
			   !ASN1_INTEGER_get_uint64(&hi, a->u.range->max)) {
			goto bad_as;
		}
		if (hi > UINT32_MAX || hi - lo > 65535)
			goto bad_as;
		for (uint64_t as = lo; as <= hi; as++)
			if (kr_rtr_set_add_key(out, (uint32_t)as, ASN1_STRING_get0_data(ski), spki, (size_t)sl)) {
				kr_err_set(err, ENOMEM, 0, "out of memory");
				goto out;
			}
	}
	rc = 0;
	goto out;
bad_as:
	kr_err_set(err, EINVAL, 0, "AS resources out of range");
out:
	ASIdentifiers_free(asid);
	OPENSSL_free(spki);
	return rc;
}
