/* Revocation and version 2 CRLs per RFC 6487 §5: issuer = the CA, exactly
 * the AKI and CRL Number extensions, entries with serial and date only,
 * expired certificates left out. See ca.h. */
#include "rpki/ca_int.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

bool kr_ca_is_revoked(const struct kr_ca *ca, uint64_t serial)
{
	for (size_t i = 0; i < ca->nrevoked; i++)
		if (ca->revoked[i].serial == serial)
			return true;
	return false;
}

int kr_ca_revoke(struct kr_ca *ca, uint64_t serial, int64_t when, int64_t not_after)
{
	if (kr_ca_is_revoked(ca, serial))
		return 1;
	struct kr_ca_revoked *n = realloc(ca->revoked, (ca->nrevoked + 1) * sizeof *n);
	if (!n)
		return -1;
	ca->revoked = n;
	ca->revoked[ca->nrevoked++] = (struct kr_ca_revoked){ serial, when ? when : (int64_t)time(NULL), not_after };
	return 0;
}

int kr_ca_revoke_cert(struct kr_ca *ca, X509 *cert, int64_t when)
{
	struct tm tm;
	int64_t na = 0;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		na = (int64_t)timegm(&tm);
	uint64_t s = kr_x509_serial(cert);
	return s ? kr_ca_revoke(ca, s, when, na) : -1;
}

X509_CRL *kr_ca_crl(struct kr_ca *ca, int64_t this_update, int64_t next_update, struct kr_err *err)
{
	if (!this_update)
		this_update = (int64_t)time(NULL);
	if (!next_update)
		next_update = this_update + 86400;
	if (next_update <= this_update) {
		kr_err_set(err, EINVAL, 0, "nextUpdate is not after thisUpdate");
		return NULL;
	}
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *tu = ASN1_TIME_set(NULL, (time_t)this_update);
	ASN1_TIME *nu = ASN1_TIME_set(NULL, (time_t)next_update);
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	bool ok = crl && tu && nu && num && X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
		  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) && X509_CRL_set1_lastUpdate(crl, tu) &&
		  X509_CRL_set1_nextUpdate(crl, nu) && ASN1_INTEGER_set_uint64(num, ca->crl_number);
	for (size_t i = 0; ok && i < ca->nrevoked; i++) {
		const struct kr_ca_revoked *r = &ca->revoked[i];
		if (r->not_after && r->not_after < this_update)
			continue; /* expired: no longer listed (RFC 6487 §5) */
		X509_REVOKED *rv = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)r->when);
		ok = rv && s && t && ASN1_INTEGER_set_uint64(s, r->serial) && X509_REVOKED_set_serialNumber(rv, s) &&
		     X509_REVOKED_set_revocationDate(rv, t) && X509_CRL_add0_revoked(crl, rv);
		if (!ok)
			X509_REVOKED_free(rv);
		ASN1_INTEGER_free(s);
		ASN1_TIME_free(t);
	}
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	X509_EXTENSION *aki = ok ? X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always") : NULL;
	ok = ok && aki && X509_CRL_add_ext(crl, aki, -1) && X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
	     X509_CRL_sort(crl) && X509_CRL_sign(crl, ca->key, EVP_sha256());
	X509_EXTENSION_free(aki);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	ASN1_INTEGER_free(num);
	if (!ok) {
		kr_ca_ssl_err(err, "CRL");
		X509_CRL_free(crl);
		return NULL;
	}
	ca->crl_number++;
	return crl;
}
