/* BGPsec signing and validation, algorithm suite 1 (SHA-256 + ECDSA P-256,
 * RFC 8208 / RFC 8608 §2.2.1) on OpenSSL 3 EVP, per RFC 8205 §4.2 and §5.2.
 *
 * Owner: issue 2 (crypto). Other subsystems build on this header; add, do
 * not break. */
#ifndef KR_BGPSEC_CRYPTO_H
#define KR_BGPSEC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgp_msg.h"
#include "wire/kr_util.h"

#define KR_SUITE_P256 0x01
#define KR_SIG_MAX 72   /* DER ECDSA P-256 upper bound */
#define KR_SPKI_P256_LEN 91

typedef struct evp_pkey_st EVP_PKEY;

/* A router key: private (signing) or public only (validation). */
struct kr_key {
	EVP_PKEY *pkey;
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
	bool has_private;
};

int kr_key_generate(struct kr_key *k, uint32_t asn, struct kr_err *err);
int kr_key_load_file(struct kr_key *k, uint32_t asn, const char *path, struct kr_err *err); /* PEM or DER, private or public */
int kr_key_from_der(struct kr_key *k, uint32_t asn, const uint8_t *der, size_t len, struct kr_err *err);
int kr_key_from_spki(struct kr_key *k, uint32_t asn, const uint8_t *spki, size_t len, struct kr_err *err);
int kr_key_from_raw_d(struct kr_key *k, uint32_t asn, const uint8_t d[32], struct kr_err *err); /* vectors */
int kr_key_save_pem(const struct kr_key *k, const char *path, bool private_part, struct kr_err *err); /* private: mode 0600 */
int kr_key_spki_der(const struct kr_key *k, uint8_t *out, size_t cap, size_t *len);
void kr_key_free(struct kr_key *k);
/* SKI = SHA-1 of the subjectPublicKey BIT STRING contents (RFC 6487 §4.8.2). */
int kr_ski_from_pkey(EVP_PKEY *pk, uint8_t ski[KR_SKI_LEN]);

/* Validation key table keyed by (ASN, SKI); several keys per AS, and
 * several SPKIs under one (ASN, SKI) are kept (RFC 8210 §5.10 collisions).
 * Lookups may run from several threads at once while nobody modifies the
 * table. Adding a present (ASN, SKI, SPKI) again is a no-op. */
struct kr_keytab;
struct kr_keytab *kr_keytab_new(void);
void kr_keytab_free(struct kr_keytab *t);
int kr_keytab_add(struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		  const uint8_t *spki, size_t spki_len, struct kr_err *err);
int kr_keytab_del(struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		  const uint8_t *spki, size_t spki_len); /* spki NULL: every key of (asn, ski); returns count */
void kr_keytab_clear(struct kr_keytab *t);
size_t kr_keytab_count(const struct kr_keytab *t);
bool kr_keytab_has(const struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN]);
/* Every key stored under (asn, ski), parsed once at add time (validation
 * never re-parses an SPKI). Writes up to max pointers, returns the total.
 * The pointers stay valid until that entry is deleted or the table freed. */
size_t kr_keytab_lookup(const struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
			EVP_PKEY **out, size_t max);
/* Add a key object (public part is what is stored). */
int kr_keytab_add_key(struct kr_keytab *t, const struct kr_key *k, struct kr_err *err);

/* Exact octets hashed for hop `hop` (1 = origin .. nhops; wire index
 * nhops-hop) of block `blk` (RFC 8205 §4.2 Fig. 8, §5.2 Fig. 9). */
int kr_bgpsec_hash_input(const struct kr_bgpsec_path *bp, size_t blk, size_t hop,
			 uint32_t target_as, uint16_t afi, uint8_t safi,
			 const struct kr_prefix *pfx, struct kr_wr *w);

/* Sign: prepend a Secure_Path segment (pcount, flags, signer->asn) and a
 * Signature Segment to every block of `in` (NULL at the origin: a new path
 * with one block of suite 1). Signature bytes go into `sigstore`, which
 * must outlive `out`; the signature of hop h (1 = origin) of block b lives
 * in sig[b][h-1], so one store can carry a path signed hop by hop. `in` may
 * equal `out` (extend in place; on error `out` is then undefined). Every
 * block of `in` must have a supported suite and nhops segments. k: NULL for
 * random nonces; a 32-octet fixed nonce only for golden vectors (RFC 8208
 * App. A; TEST-ONLY, see kr_ecdsa_sign_digest). */
struct kr_sigstore {
	uint8_t sig[2][KR_MAX_HOPS][KR_SIG_MAX];
	uint8_t ski[2][KR_MAX_HOPS][KR_SKI_LEN];
};
/* Per-thread scratch for the hot paths: a reusable digest context and a
 * small cache of EVP_PKEY_CTX per key, so that signing and verifying do not
 * fetch algorithms or parse keys per call. Not shareable between threads;
 * the plain kr_bgpsec_sign / kr_bgpsec_validate make a temporary one. */
struct kr_crypto_ctx;
struct kr_crypto_ctx *kr_crypto_ctx_new(void);
void kr_crypto_ctx_free(struct kr_crypto_ctx *c);
/* Remember the results of up to slots (a power of two) verifications, by
 * key, digest and signature, so the same triple is not verified again: an
 * observer sees the forwarded segments of a path once per UPDATE, at a
 * twilight only the newest one changes, and the wire lint meets the same
 * signature on every link. The result depends on nothing else; whether
 * the key is published is still looked up each time. 0 or -1. */
int kr_crypto_ctx_memo(struct kr_crypto_ctx *c, size_t slots);
/* Verifications the memo answered; the memory it holds. */
uint64_t kr_crypto_ctx_memo_hits(const struct kr_crypto_ctx *c);
size_t kr_crypto_ctx_memo_bytes(const struct kr_crypto_ctx *c);

/* SHA-256 of data (suite 1 hash). */
int kr_sha256(struct kr_crypto_ctx *c, const uint8_t *data, size_t len, uint8_t out[32]);
/* ECDSA P-256 over a SHA-256 digest; DER signature. fixed_k (32 octets) is
 * TEST-ONLY (golden vectors): it bypasses OpenSSL's nonce generation. */
int kr_ecdsa_sign_digest(struct kr_crypto_ctx *c, EVP_PKEY *pk, const uint8_t digest[32],
			 const uint8_t *fixed_k, uint8_t sig[KR_SIG_MAX], size_t *sig_len,
			 struct kr_err *err);
/* 1 valid, 0 invalid (including undecodable DER), -1 internal error. */
int kr_ecdsa_verify_digest(struct kr_crypto_ctx *c, EVP_PKEY *pk, const uint8_t digest[32],
			   const uint8_t *sig, size_t sig_len);

int kr_bgpsec_sign_ctx(struct kr_crypto_ctx *c, const struct kr_key *signer, uint32_t target_as,
		       uint8_t pcount, uint8_t flags, const struct kr_bgpsec_path *in, uint16_t afi,
		       uint8_t safi, const struct kr_prefix *pfx, const uint8_t *fixed_k,
		       struct kr_bgpsec_path *out, struct kr_sigstore *store, struct kr_err *err);
int kr_bgpsec_sign(const struct kr_key *signer, uint32_t target_as, uint8_t pcount, uint8_t flags,
		   const struct kr_bgpsec_path *in, uint16_t afi, uint8_t safi,
		   const struct kr_prefix *pfx, const uint8_t *fixed_k,
		   struct kr_bgpsec_path *out, struct kr_sigstore *store, struct kr_err *err);

/* Verdicts (RFC 8205 §5.1: exactly Valid or Not Valid) with the reason. */
enum kr_verdict { KR_VALID = 0, KR_NOT_VALID = 1 };
enum kr_reason {
	KR_R_OK = 0,
	KR_R_MALFORMED,        /* §5.2 check 1 syntax, or suite 0x00/0xFF (RFC 8608 §2.1) */
	KR_R_WRONG_PEER_AS,    /* §5.2 check 2 */
	KR_R_SIG_COUNT,        /* §5.2 check 3 */
	KR_R_AS_PATH_PRESENT,  /* §5.2 check 4 */
	KR_R_CONFED,           /* §5.2 checks 5/6 */
	KR_R_PCOUNT_ZERO,      /* §5.2 check 7 */
	KR_R_LOOP,             /* §5.2 check 8 */
	KR_R_MULTI_PREFIX,     /* §4.1: more than one prefix in a signed UPDATE */
	KR_R_NO_MP_REACH,      /* §4.1: prefix not in MP_REACH_NLRI */
	KR_R_UNSUPPORTED_SUITE,/* §5.2: no supported block (treated as unsigned) */
	KR_R_UNKNOWN_SKI,      /* §5.2: no key for (AS, SKI) */
	KR_R_BAD_SIGNATURE,    /* §5.2: verify failed */
	KR_R_NO_BGPSEC_PATH,
};
const char *kr_reason_name(enum kr_reason r);
/* True for reasons that RFC 8205 §5.2 handles as treat-as-withdraw. */
bool kr_reason_is_malformed(enum kr_reason r);

struct kr_val_opts {
	uint32_t my_as;        /* target AS of the newest hop */
	uint32_t peer_as;      /* 0: skip check 2 (e.g. offline vectors) */
	bool allow_pcount0;
	bool in_confed;
	bool accept_multi_prefix;
	/* Form checks and a key for every (AS, SKI) only, no ECDSA: for
	 * observers of full tables that verify a sample (run/observer.h). */
	bool skip_signatures;
};
struct kr_val_result {
	enum kr_verdict verdict;
	enum kr_reason reason;
	size_t bad_hop;        /* wire index of the failing segment, when any */
	uint32_t bad_asn;
	uint8_t bad_ski[KR_SKI_LEN];
	char detail[160];
};
/* Validate a decoded UPDATE (well-formedness checks, then signatures).
 * Returns 0 with res filled (any verdict), -1 only on an internal error
 * (allocation, OpenSSL failure; res->detail says which). */
int kr_bgpsec_validate(const struct kr_keytab *t, const struct kr_update *u,
		       const struct kr_val_opts *o, struct kr_val_result *res);
int kr_bgpsec_validate_ctx(struct kr_crypto_ctx *c, const struct kr_keytab *t,
			   const struct kr_update *u, const struct kr_val_opts *o,
			   struct kr_val_result *res);
/* Reason from its short name as used in vector files ("bad-signature"). */
int kr_reason_from_name(const char *name, enum kr_reason *r);
/* Suite handling of RFC 8608 §2.1: 0x00/0xFF malformed, 0x01 supported. */
static inline bool kr_suite_reserved(uint8_t s) { return s == 0x00 || s == 0xFF; }
static inline bool kr_suite_supported(uint8_t s) { return s == KR_SUITE_P256; }

#endif
