/* Test RPKI certification authority on OpenSSL 3: an RSA-2048 trust
 * anchor with RFC 3779 AS resources (RFC 6487, RFC 7935), subordinate CAs,
 * BGPsec router certificates per RFC 8209 (from a public key or from a
 * router's PKCS#10 request, RFC 8635), revocation and version 2 CRLs
 * (RFC 6487 §5). The field-by-field profile: RFC 8209 §3 (router
 * certificates) on top of RFC 6487 §4 (resource certificates). */
#ifndef KR_CA_H
#define KR_CA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "rpki/rtr_set.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct x509_st X509;
typedef struct X509_req_st X509_REQ;
typedef struct X509_crl_st X509_CRL;

#define KR_OID_BGPSEC_ROUTER_EKU "1.3.6.1.5.5.7.3.30"
#define KR_OID_RPKI_POLICY "1.3.6.1.5.5.7.14.2"
#define KR_OID_RPKI_MANIFEST "1.3.6.1.5.5.7.48.10"

struct kr_as_range {
	uint32_t min, max;
};

struct kr_ca_opts {
	const char *name;                 /* CommonName (PrintableString) */
	const struct kr_as_range *as;     /* AS resources, at least one range */
	size_t nas;
	int64_t not_before, not_after;    /* Unix seconds; 0: now, now + 10 years */
	const char *repo;                 /* rsync publication point ending in '/';
					     NULL: rsync://rpki.keyroll.test/repo/NAME/ */
	EVP_PKEY *key;                    /* RSA-2048 key pair to use (shared, not
					     consumed); NULL: a new one */
};

struct kr_ca;

/* Self-signed trust anchor. */
struct kr_ca *kr_ca_new_ta(const struct kr_ca_opts *o, struct kr_err *err);
/* Subordinate CA certified by `parent` (its AS resources must be inside
 * the parent's). */
struct kr_ca *kr_ca_new_sub(struct kr_ca *parent, const struct kr_ca_opts *o, struct kr_err *err);
void kr_ca_free(struct kr_ca *ca);

X509 *kr_ca_cert(const struct kr_ca *ca);     /* borrowed */
EVP_PKEY *kr_ca_key(const struct kr_ca *ca);  /* borrowed */
const char *kr_ca_crl_uri(const struct kr_ca *ca);
const char *kr_ca_cert_uri(const struct kr_ca *ca);

/* Deliberate profile violations, for negative cases (RFC 8209 §3 and RFC 6487 §4, each rule broken once):
 * each one must make a relying party drop the key. */
enum kr_cert_fault {
	KR_CERT_FAULT_NO_EKU = 1 << 0,       /* EKU absent */
	KR_CERT_FAULT_ANY_EKU = 1 << 1,      /* only anyExtendedKeyUsage */
	KR_CERT_FAULT_EKU_CRITICAL = 1 << 2, /* EKU marked critical */
	KR_CERT_FAULT_SIA = 1 << 3,          /* SIA present */
	KR_CERT_FAULT_IP_RES = 1 << 4,       /* IP resources present */
	KR_CERT_FAULT_AS_INHERIT = 1 << 5,   /* AS resources "inherit" */
	KR_CERT_FAULT_KU_EXTRA = 1 << 6,     /* Key Usage beyond digitalSignature */
	KR_CERT_FAULT_BC = 1 << 7,           /* Basic Constraints present (cA FALSE) */
	KR_CERT_FAULT_AS_OUTSIDE = 1 << 8,   /* AS not covered by the issuer */
};
/* "no-eku" ... "as-outside" <-> bit; 0 for an unknown name. */
unsigned kr_cert_fault_parse(const char *name);
const char *kr_cert_fault_name(unsigned bit);

struct kr_router_req {
	const uint32_t *asns;             /* at least one; the first names the CN */
	size_t nasns;
	uint32_t router_id;               /* BGP Identifier for the serialNumber attribute */
	bool no_router_id;                /* omit the serialNumber attribute */
	int64_t not_before, not_after;    /* Unix seconds; 0: now, now + 1 year */
	unsigned faults;                  /* enum kr_cert_fault bits; 0 for a correct certificate */
};

/* Router certificate for a P-256 public key (RFC 8209 §3.1). The caller
 * owns the result (X509_free). NULL with err on refusal: key not P-256,
 * an AS outside the CA's resources, bad validity. */
X509 *kr_ca_issue_router(struct kr_ca *ca, EVP_PKEY *pub, const struct kr_router_req *r, struct kr_err *err);
/* Router certificate from a PKCS#10 request (RFC 8209 §3.2, §4; RFC 8635
 * §6): the request signature must verify (proof of possession) with an
 * ECDSA P-256 key; a requested EKU must contain id-kp-bgpsec-router;
 * extensions other than Basic Constraints, Key Usage, EKU and SIA refuse
 * the request; a requested cA = TRUE or SIA is not honoured (the result is
 * always the RFC 8209 EE profile). AS and router id come from `r`. */
X509 *kr_ca_issue_csr(struct kr_ca *ca, X509_REQ *req, const struct kr_router_req *r, struct kr_err *err);

/* Revoke by serial; `not_after` (0: unknown) lets expired entries leave
 * the CRL. Returns 0, 1 if already revoked. */
int kr_ca_revoke(struct kr_ca *ca, uint64_t serial, int64_t when, int64_t not_after);
int kr_ca_revoke_cert(struct kr_ca *ca, X509 *cert, int64_t when);
bool kr_ca_is_revoked(const struct kr_ca *ca, uint64_t serial);
/* Version 2 CRL with exactly AKI and CRL Number, listing unexpired
 * revoked certificates; each call takes the next CRL Number. */
X509_CRL *kr_ca_crl(struct kr_ca *ca, int64_t this_update, int64_t next_update, struct kr_err *err);

uint64_t kr_x509_serial(X509 *cert); /* 0 if it does not fit */

/* Manifest (RFC 9286) for the CA's publication point listing `n` files
 * (names without directory, contents hashed with SHA-256), signed through
 * a one-time EE certificate; DER CMS appended to `out`. The manifest
 * number is the CRL Number of the CRL most recently issued. */
int kr_ca_manifest(struct kr_ca *ca, const char *const *names, const uint8_t *const *data, const size_t *lens,
		   size_t n, int64_t this_update, int64_t next_update, struct kr_bytes *out, struct kr_err *err);
/* A publication point on disk (RFC 6481 §2): a new CRL (NAME.crl), the
 * objects, and a manifest (NAME.mft) over all of them, each file written
 * atomically. */
struct kr_pub_file {
	const char *name;                 /* file name, no directory */
	const uint8_t *data;              /* DER */
	size_t len;
};
struct kr_pub_opts {
	const char *dir;                  /* existing directory */
	const struct kr_pub_file *files;
	size_t nfiles;
	int64_t this_update, next_update; /* CRL and manifest; 0: now, now + 24 h */
	bool prune;                       /* remove every other file of dir (what
					     the CA no longer publishes) */
	const char *bad_hash;             /* fault: the manifest lists this file
					     with a wrong hash; NULL: none */
};
struct kr_pub_info {
	uint64_t crl_number, mft_number;
	int64_t this_update;
};
int kr_ca_publish(struct kr_ca *ca, const struct kr_pub_opts *o, struct kr_pub_info *info, struct kr_err *err);
/* Trust anchor locator (RFC 8630) for a trust anchor. */
int kr_ca_write_tal(const struct kr_ca *ca, const char *path, struct kr_err *err);

/* Publication point layout: the CA's repository URI (ends in '/'), and
 * the file names of its CRL and manifest there. */
const char *kr_ca_repo_uri(const struct kr_ca *ca);
const char *kr_ca_name(const struct kr_ca *ca);

/* Persistent CA for `keyroll ca`: DIR/ca.key (PEM, mode 0600), ca.pem,
 * ca.cer (DER) and ca.json (serial counter, CRL number, revocations). */
int kr_ca_save(const struct kr_ca *ca, const char *dir, struct kr_err *err);
struct kr_ca *kr_ca_load(const char *dir, struct kr_err *err);

/* Files. Certificates and CRLs PEM or DER; keys PEM (private: mode 0600). */
int kr_x509_save(X509 *c, const char *path, bool der, struct kr_err *err);
X509 *kr_x509_load(const char *path, struct kr_err *err);
int kr_crl_save(X509_CRL *c, const char *path, bool der, struct kr_err *err);
X509_REQ *kr_csr_load(const char *path, struct kr_err *err);
int kr_pkey_save(EVP_PKEY *k, const char *path, bool private_part, struct kr_err *err);
EVP_PKEY *kr_pkey_load(const char *path, struct kr_err *err); /* private or public, PEM or DER */

/* Relying-party output for a router certificate: one (AS, SKI, SPKI) per
 * AS it lists (RFC 8209 §3.3 output, RFC 8210 §5.10). Checks only what
 * the tuple needs (EKU present, AS resources explicit, P-256 key). */
int kr_router_cert_keys(X509 *cert, struct kr_rtr_set *out, struct kr_err *err);

#endif
