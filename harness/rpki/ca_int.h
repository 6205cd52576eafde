/* Internals shared by the CA files (ca.c, ca_router.c, ca_crl.c, ca_file.c). */
#ifndef KR_CA_INT_H
#define KR_CA_INT_H

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "rpki/ca.h"

struct kr_ca_revoked {
	uint64_t serial;
	int64_t when, not_after;
};

struct kr_ca {
	EVP_PKEY *key;
	X509 *cert;
	char name[64];
	char repo[256];      /* own publication point */
	char cert_uri[320];  /* where the CA certificate is published */
	char crl_uri[320];
	uint64_t next_serial;
	uint64_t crl_number;
	uint64_t mft_number;
	struct kr_ca_revoked *revoked;
	size_t nrevoked;
};

/* Add extension `nid` from an OpenSSL config value ("critical,..."). */
int kr_ca_add_ext(X509 *subject_cert, X509 *issuer_cert, int nid, const char *value, struct kr_err *err);
int kr_ca_add_policy(X509 *x, struct kr_err *err);
/* AS resources extension (critical) from ranges; checks they are inside
 * the issuer's when `issuer` is given. */
int kr_ca_add_asid(X509 *x, const struct kr_as_range *as, size_t nas, X509 *issuer, struct kr_err *err);
/* Common certificate fields: v3, serial, issuer, validity, public key. */
int kr_ca_base(struct kr_ca *ca, X509 *x, EVP_PKEY *pub, int64_t nb, int64_t na, int64_t def_life,
	       struct kr_err *err);
int kr_ca_sign(struct kr_ca *ca, X509 *x, struct kr_err *err);
void kr_ca_ssl_err(struct kr_err *err, const char *what);

#endif
