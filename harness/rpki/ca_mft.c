/* RPKI manifests (RFC 9286 / RFC 6486 content, RFC 6488 signed object):
 * a one-time EE certificate under the CA signs a CMS SignedData whose
 * content lists the publication point's files with SHA-256 hashes. Lets a
 * real relying party (rpki-client) validate the CA's output. See ca.h. */
#include "rpki/ca_int.h"
#include "rpki/rsa_pool.h"

#include <errno.h>
#include <openssl/cms.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OID_CT_MANIFEST "1.2.840.113549.1.9.16.1.26"
#define OID_AD_SIGNED_OBJECT "1.3.6.1.5.5.7.48.11"

/* DER helpers over kr_bytes: tag + definite length + content. */
static int der_tlv(struct kr_bytes *o, uint8_t tag, const uint8_t *v, size_t n)
{
	uint8_t h[6];
	size_t k = 0;
	h[k++] = tag;
	if (n < 0x80) {
		h[k++] = (uint8_t)n;
	} else if (n < 0x100) {
		h[k++] = 0x81;
		h[k++] = (uint8_t)n;
	} else if (n < 0x10000) {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	} else {
		h[k++] = 0x83;
		h[k++] = (uint8_t)(n >> 16);
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	}
	return kr_bytes_append(o, h, k) || kr_bytes_append(o, v, n);
}

static int der_uint(struct kr_bytes *o, uint64_t v)
{
	uint8_t b[9];
	size_t n = 0;
	for (int i = 7; i >= 0; i--) {
		uint8_t x = (uint8_t)(v >> (8 * i));
		if (n == 0 && x == 0 && i)
			continue;
		if (n == 0 && (x & 0x80))
			b[n++] = 0;
		b[n++] = x;
	}
	return der_tlv(o, 0x02, b, n);
}

static int der_gentime(struct kr_bytes *o, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y%m%d%H%M%SZ", &tm);
	return der_tlv(o, 0x18, (const uint8_t *)s, strlen(s));
}

/* Manifest eContent (RFC 9286 §4.2). */
static int mft_content(struct kr_bytes *out, uint64_t number, int64_t tu, int64_t nu, const char *const *names,
		       const uint8_t (*hashes)[32], size_t n)
{
	struct kr_bytes body = { 0 }, list = { 0 }, fh = { 0 };
	static const uint8_t sha256_oid[] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	int rc = der_uint(&body, number) || der_gentime(&body, tu) || der_gentime(&body, nu) ||
		 der_tlv(&body, 0x06, sha256_oid, sizeof sha256_oid);
	for (size_t i = 0; !rc && i < n; i++) {
		uint8_t bits[33];
		bits[0] = 0; /* no unused bits */
		memcpy(bits + 1, hashes[i], 32);
		fh.len = 0;
		rc = der_tlv(&fh, 0x16, (const uint8_t *)names[i], strlen(names[i])) || der_tlv(&fh, 0x03, bits, 33) ||
		     der_tlv(&list, 0x30, fh.p, fh.len);
	}
	rc = rc || der_tlv(&body, 0x30, list.p ? list.p : (const uint8_t *)"", list.len) ||
	     der_tlv(out, 0x30, body.p, body.len);
	kr_bytes_free(&body);
	kr_bytes_free(&list);
	kr_bytes_free(&fh);
	return rc ? -1 : 0;
}

/* One-time EE certificate for a signed object (RFC 6487 §4, RFC 6488 §2.1.4):
 * AS resources inherited from the CA, SIA signedObject = the object's URI. */
static X509 *signed_object_ee(struct kr_ca *ca, EVP_PKEY *k, const char *uri, int64_t nb, int64_t na,
			      struct kr_err *err)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	ASIdentifiers *asid = ASIdentifiers_new();
	char cn[128], v[600];
	snprintf(cn, sizeof cn, "%s-mft-%llu", ca->name, (unsigned long long)ca->next_serial);
	bool ok = x && n && asid &&
		  X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_PRINTABLESTRING, (unsigned char *)cn, -1, -1, 0) &&
		  X509_set_subject_name(x, n);
	if (!ok || kr_ca_base(ca, x, k, nb, na, 86400, err))
		goto bad;
	if (kr_ca_add_ext(x, ca->cert, NID_subject_key_identifier, "hash", err) ||
	    kr_ca_add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always", err) ||
	    kr_ca_add_ext(x, ca->cert, NID_key_usage, "critical,digitalSignature", err))
		goto bad;
	snprintf(v, sizeof v, "URI:%s", ca->crl_uri);
	if (kr_ca_add_ext(x, ca->cert, NID_crl_distribution_points, v, err))
		goto bad;
	snprintf(v, sizeof v, "caIssuers;URI:%s", ca->cert_uri);
	if (kr_ca_add_ext(x, ca->cert, NID_info_access, v, err))
		goto bad;
	snprintf(v, sizeof v, "%s;URI:%s", OID_AD_SIGNED_OBJECT, uri);
	if (kr_ca_add_ext(x, ca->cert, NID_sinfo_access, v, err) || kr_ca_add_policy(x, err))
		goto bad;
	/* rpki-client wants every RFC 3779 extension of an EE to inherit. */
	IPAddrBlocks *ip = sk_IPAddressFamily_new_null();
	bool ipok = ip && X509v3_addr_add_inherit(ip, IANA_AFI_IPV4, NULL) &&
		    X509v3_addr_add_inherit(ip, IANA_AFI_IPV6, NULL) && X509v3_addr_canonize(ip) &&
		    X509_add1_ext_i2d(x, NID_sbgp_ipAddrBlock, ip, 1, X509V3_ADD_DEFAULT) == 1;
	sk_IPAddressFamily_pop_free(ip, IPAddressFamily_free);
	if (!ipok || !X509v3_asid_add_inherit(asid, V3_ASID_ASNUM) ||
	    X509_add1_ext_i2d(x, NID_sbgp_autonomousSysNum, asid, 1, X509V3_ADD_DEFAULT) != 1) {
		kr_ca_ssl_err(err, "EE AS resources");
		goto bad;
	}
	if (kr_ca_sign(ca, x, err))
		goto bad;
	ASIdentifiers_free(asid);
	X509_NAME_free(n);
	return x;
bad:
	if (!err || !err->msg[0])
		kr_ca_ssl_err(err, "manifest EE certificate");
	ASIdentifiers_free(asid);
	X509_NAME_free(n);
	X509_free(x);
	return NULL;
}

int kr_ca_manifest(struct kr_ca *ca, const char *const *names, const uint8_t *const *data, const size_t *lens,
		   size_t n, int64_t this_update, int64_t next_update, struct kr_bytes *out, struct kr_err *err)
{
	if (!this_update)
		this_update = (int64_t)time(NULL);
	if (!next_update)
		next_update = this_update + 86400;
	uint8_t (*hashes)[32] = calloc(n ? n : 1, 32);
	struct kr_bytes content = { 0 };
	EVP_PKEY *k = kr_rsa_pool_take();
	X509 *ee = NULL;
	BIO *in = NULL, *bo = NULL;
	CMS_ContentInfo *cms = NULL;
	int rc = -1;
	if (!hashes || !k)
		goto ssl;
	for (size_t i = 0; i < n; i++)
		SHA256(data[i], lens[i], hashes[i]);
	if (mft_content(&content, ca->mft_number++, this_update, next_update, names, (const uint8_t(*)[32])hashes, n))
		goto ssl;
	char uri[400];
	snprintf(uri, sizeof uri, "%s%s.mft", ca->repo, ca->name);
	if (!(ee = signed_object_ee(ca, k, uri, this_update, next_update, err)))
		goto out;
	in = BIO_new_mem_buf(content.p, (int)content.len);
	/* RFC 6488 §2.1: SignedData v3, sid = SKI, SHA-256, signed attributes
	 * content-type and message-digest (and signing-time), no CRLs. */
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_NOCERTS);
	if (!cms || !in || !CMS_set1_eContentType(cms, OBJ_txt2obj(OID_CT_MANIFEST, 1)) ||
	    !CMS_add1_signer(cms, ee, k, EVP_sha256(), CMS_USE_KEYID | CMS_NOSMIMECAP | CMS_BINARY) ||
	    !CMS_final(cms, in, NULL, CMS_BINARY))
		goto ssl;
	unsigned char *der = NULL;
	int dl = i2d_CMS_ContentInfo(cms, &der);
	if (dl <= 0)
		goto ssl;
	rc = kr_bytes_append(out, der, (size_t)dl);
	OPENSSL_free(der);
	goto out;
ssl:
	kr_ca_ssl_err(err, "manifest");
out:
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(bo);
	X509_free(ee);
	EVP_PKEY_free(k);
	kr_bytes_free(&content);
	free(hashes);
	return rc;
}
