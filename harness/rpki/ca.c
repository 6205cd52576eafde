/* Test CA: trust anchor and subordinate CAs (RFC 6487 §4 CA profile,
 * RFC 7935 RSA-2048/SHA-256), shared certificate building. See ca.h. */
#include "rpki/ca_int.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEN_YEARS (10LL * 365 * 86400)

void kr_ca_ssl_err(struct kr_err *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160] = "no OpenSSL detail";
	if (e)
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	kr_err_set(err, EINVAL, 0, "%s: %s", what, buf);
}

int kr_ca_add_ext(X509 *subject_cert, X509 *issuer_cert, int nid, const char *value, struct kr_err *err)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer_cert, subject_cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext || !X509_add_ext(subject_cert, ext, -1)) {
		X509_EXTENSION_free(ext);
		char what[96];
		snprintf(what, sizeof what, "extension %s", OBJ_nid2sn(nid));
		kr_ca_ssl_err(err, what);
		return -1;
	}
	X509_EXTENSION_free(ext);
	return 0;
}

int kr_ca_add_policy(X509 *x, struct kr_err *err)
{
	/* Exactly one policy, id-cp-ipAddr-asNumber, critical (RFC 6487
	 * §4.8.9). Built by hand: the config-string form needs a database. */
	CERTIFICATEPOLICIES *cp = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();
	int ok = cp && pi && (pi->policyid = OBJ_txt2obj(KR_OID_RPKI_POLICY, 1)) && sk_POLICYINFO_push(cp, pi);
	if (!ok)
		POLICYINFO_free(pi);
	ok = ok && X509_add1_ext_i2d(x, NID_certificate_policies, cp, 1, X509V3_ADD_DEFAULT) == 1;
	CERTIFICATEPOLICIES_free(cp);
	if (!ok) {
		kr_ca_ssl_err(err, "certificate policies");
		return -1;
	}
	return 0;
}

int kr_ca_add_asid(X509 *x, const struct kr_as_range *as, size_t nas, X509 *issuer, struct kr_err *err)
{
	if (nas == 0) {
		kr_err_set(err, EINVAL, 0, "no AS resources given");
		return -1;
	}
	ASIdentifiers *asid = ASIdentifiers_new();
	int rc = -1;
	if (!asid)
		goto out;
	for (size_t i = 0; i < nas; i++) {
		if (as[i].min > as[i].max) {
			kr_err_set(err, EINVAL, i, "AS range %u-%u is reversed", as[i].min, as[i].max);
			goto out;
		}
		ASN1_INTEGER *mn = ASN1_INTEGER_new(), *mx = NULL;
		if (!mn || !ASN1_INTEGER_set_uint64(mn, as[i].min))
			goto oom;
		if (as[i].max != as[i].min) {
			mx = ASN1_INTEGER_new();
			if (!mx || !ASN1_INTEGER_set_uint64(mx, as[i].max)) {
				ASN1_INTEGER_free(mn);
				ASN1_INTEGER_free(mx);
				goto oom;
			}
		}
		if (!X509v3_asid_add_id_or_range(asid, V3_ASID_ASNUM, mn, mx)) {
			ASN1_INTEGER_free(mn);
			ASN1_INTEGER_free(mx);
			goto oom;
		}
	}
	/* Sorted, merged, no overlaps (RFC 3779 §3.2.3.4). */
	if (!X509v3_asid_canonize(asid)) {
		kr_err_set(err, EINVAL, 0, "AS resources overlap or cannot be put in canonical form");
		goto out;
	}
	if (issuer) {
		ASIdentifiers *pas = X509_get_ext_d2i(issuer, NID_sbgp_autonomousSysNum, NULL, NULL);
		int ok = pas && X509v3_asid_subset(asid, pas);
		ASIdentifiers_free(pas);
		if (!ok) {
			kr_err_set(err, EINVAL, 0, "AS resources not inside the issuer's");
			goto out;
		}
	}
	if (X509_add1_ext_i2d(x, NID_sbgp_autonomousSysNum, asid, 1, X509V3_ADD_DEFAULT) != 1)
		goto oom;
	rc = 0;
	goto out;
oom:
	kr_ca_ssl_err(err, "AS resources");
out:
	ASIdentifiers_free(asid);
	return rc;
}

int kr_ca_base(struct kr_ca *ca, X509 *x, EVP_PKEY *pub, int64_t nb, int64_t na, int64_t def_life,
	       struct kr_err *err)
{
	int64_t now = (int64_t)time(NULL);
	if (!nb)
		nb = now;
	if (!na)
		na = nb + def_life;
	if (na <= nb) {
		kr_err_set(err, EINVAL, 0, "notAfter is not after notBefore");
		return -1;
	}
	ASN1_INTEGER *ser = ASN1_INTEGER_new();
	int ok = ser && ASN1_INTEGER_set_uint64(ser, ca ? ca->next_serial : 1) && X509_set_version(x, X509_VERSION_3) &&
		 X509_set_serialNumber(x, ser) && ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) &&
		 ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) && X509_set_pubkey(x, pub);
	ASN1_INTEGER_free(ser);
	if (!ok) {
		kr_ca_ssl_err(err, "certificate fields");
		return -1;
	}
	if (ca) {
		ca->next_serial++;
		if (!X509_set_issuer_name(x, X509_get_subject_name(ca->cert))) {
			kr_ca_ssl_err(err, "issuer name");
			return -1;
		}
	}
	return 0;
}

int kr_ca_sign(struct kr_ca *ca, X509 *x, struct kr_err *err)
{
	/* RFC 7935 §2: sha256WithRSAEncryption (PKCS #1 v1.5). */
	if (!X509_sign(x, ca->key, EVP_sha256())) {
		kr_ca_ssl_err(err, "signing");
		return -1;
	}
	return 0;
}

static X509_NAME *cn_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();
	if (n && !X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_PRINTABLESTRING, (const unsigned char *)cn, -1,
					     -1, 0)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

static struct kr_ca *ca_make(struct kr_ca *parent, const struct kr_ca_opts *o, struct kr_err *err)
{
	if (!o->name || !*o->name || strlen(o->name) >= sizeof((struct kr_ca *)0)->name) {
		kr_err_set(err, EINVAL, 0, "CA name missing or too long");
		return NULL;
	}
	for (const char *p = o->name; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr(" '()+,-./:=?", *p))) {
			kr_err_set(err, EINVAL, 0, "CA name '%s' is not a PrintableString", o->name);
			return NULL;
		}
	struct kr_ca *ca = calloc(1, sizeof *ca);
	if (!ca)
		return NULL;
	snprintf(ca->name, sizeof ca->name, "%s", o->name);
	if (o->repo)
		snprintf(ca->repo, sizeof ca->repo, "%s", o->repo);
	else
		snprintf(ca->repo, sizeof ca->repo, "rsync://rpki.keyroll.test/repo/%s/", o->name);
	if (parent)
		snprintf(ca->cert_uri, sizeof ca->cert_uri, "%s%s.cer", parent->repo, o->name);
	else
		snprintf(ca->cert_uri, sizeof ca->cert_uri, "rsync://rpki.keyroll.test/ta/%s.cer", o->name);
	snprintf(ca->crl_uri, sizeof ca->crl_uri, "%s%s.crl", ca->repo, o->name);
	ca->next_serial = 1;
	ca->crl_number = 1;
	ca->mft_number = 1;
	char sia[700];
	X509_NAME *name = NULL;
	/* RFC 7935 §3: CA keys are RSA 2048 with exponent 65537. */
	if (o->key && EVP_PKEY_up_ref(o->key))
		ca->key = o->key;
	else if (!o->key)
		ca->key = EVP_RSA_gen(2048);
	ca->cert = X509_new();
	if (!ca->key || !ca->cert || !(name = cn_name(o->name))) {
		kr_ca_ssl_err(err, "CA key or name");
		goto bad;
	}
	if (kr_ca_base(parent, ca->cert, ca->key, o->not_before, o->not_after, TEN_YEARS, err))
		goto bad;
	if (!X509_set_subject_name(ca->cert, name) ||
	    (!parent && !X509_set_issuer_name(ca->cert, name))) {
		kr_ca_ssl_err(err, "CA name");
		goto bad;
	}
	X509 *issuer = parent ? parent->cert : ca->cert;
	snprintf(sia, sizeof sia, "caRepository;URI:%s,%s;URI:%s%s.mft", ca->repo, KR_OID_RPKI_MANIFEST, ca->repo,
		 o->name);
	/* RFC 6487 §4.8: CA profile. A TA carries no AKI, CRLDP or AIA. */
	if (kr_ca_add_ext(ca->cert, issuer, NID_basic_constraints, "critical,CA:TRUE", err) ||
	    kr_ca_add_ext(ca->cert, issuer, NID_subject_key_identifier, "hash", err) ||
	    (parent && kr_ca_add_ext(ca->cert, issuer, NID_authority_key_identifier, "keyid:always", err)) ||
	    kr_ca_add_ext(ca->cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign", err) ||
	    kr_ca_add_ext(ca->cert, issuer, NID_sinfo_access, sia, err) ||
	    kr_ca_add_policy(ca->cert, err))
		goto bad;
	if (parent) {
		char v[400];
		snprintf(v, sizeof v, "URI:%s", parent->crl_uri);
		if (kr_ca_add_ext(ca->cert, issuer, NID_crl_distribution_points, v, err))
			goto bad;
		snprintf(v, sizeof v, "caIssuers;URI:%s", parent->cert_uri);
		if (kr_ca_add_ext(ca->cert, issuer, NID_info_access, v, err))
			goto bad;
	}
	if (kr_ca_add_asid(ca->cert, o->as, o->nas, parent ? parent->cert : NULL, err))
		goto bad;
	if (kr_ca_sign(parent ? parent : ca, ca->cert, err))
		goto bad;
	X509_NAME_free(name);
	return ca;
bad:
	X509_NAME_free(name);
	kr_ca_free(ca);
	return NULL;
}

struct kr_ca *kr_ca_new_ta(const struct kr_ca_opts *o, struct kr_err *err) { return ca_make(NULL, o, err); }

struct kr_ca *kr_ca_new_sub(struct kr_ca *parent, const struct kr_ca_opts *o, struct kr_err *err)
{
	return ca_make(parent, o, err);
}

void kr_ca_free(struct kr_ca *ca)
{
	if (!ca)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca->revoked);
	free(ca);
}

X509 *kr_ca_cert(const struct kr_ca *ca) { return ca->cert; }
EVP_PKEY *kr_ca_key(const struct kr_ca *ca) { return ca->key; }
const char *kr_ca_crl_uri(const struct kr_ca *ca) { return ca->crl_uri; }
const char *kr_ca_cert_uri(const struct kr_ca *ca) { return ca->cert_uri; }
const char *kr_ca_repo_uri(const struct kr_ca *ca) { return ca->repo; }
const char *kr_ca_name(const struct kr_ca *ca) { return ca->name; }

uint64_t kr_x509_serial(X509 *cert)
{
	uint64_t v;
	if (!ASN1_INTEGER_get_uint64(&v, X509_get0_serialNumber(cert)))
		return 0;
	return v;
}
