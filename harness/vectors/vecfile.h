/* keyroll vector files (format: vectors/README.md). The parser is a pure
 * function over a buffer; reading files is the caller's business. */
#ifndef KR_VECFILE_H
#define KR_VECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/bgpsec_crypto.h"
#include "wire/kr_util.h"

#define KR_VEC_NAME_MAX 96
#define KR_VEC_SPEC_MAX 256
#define KR_VEC_MAX_GOLDEN 16   /* hops with hash-input/digest/signature lines */
#define KR_VEC_MAX_KEYREFS 32

/* A byte string from the file, with the line it started on. */
struct kr_vec_bytes {
	uint8_t *p;     /* NULL when absent */
	size_t len;
	size_t line;
};

struct kr_vec_key {
	char name[KR_VEC_NAME_MAX];
	size_t line;
	uint32_t asn;
	bool has_d, has_ski;
	uint8_t d[32];
	uint8_t ski[KR_SKI_LEN];
	struct kr_vec_bytes spki, cert;
};

enum kr_vec_expect { KR_VEC_VALID, KR_VEC_NOT_VALID, KR_VEC_DECODE_ERROR };

/* Published per-hop values (hop 1 = origin) of Signature_Block 1. */
struct kr_vec_golden {
	size_t hop;
	struct kr_vec_bytes hash_input, digest, signature;
};

struct kr_vector {
	char name[KR_VEC_NAME_MAX];
	size_t line;
	char spec[KR_VEC_SPEC_MAX];
	enum kr_vec_expect expect;
	enum kr_reason reason;          /* KR_VEC_NOT_VALID */
	struct kr_vec_bytes update;     /* whole UPDATE message */
	struct kr_vec_bytes rewrite33;  /* expected re-encoding with type 33 */
	uint8_t bgpsec_type;            /* default KR_ATTR_BGPSEC_PATH */
	struct kr_val_opts opts;        /* my-as, peer-as, options */
	bool has_keys;                  /* `keys:` given; else every key of the file */
	size_t nkeyrefs;
	size_t keyref[KR_VEC_MAX_KEYREFS]; /* indexes into kr_vecfile.keys */
	bool has_k;
	uint8_t k[32];
	size_t ngolden;
	struct kr_vec_golden golden[KR_VEC_MAX_GOLDEN];
};

struct kr_vecfile {
	struct kr_vec_key *keys;
	size_t nkeys;
	struct kr_vector *vecs;
	size_t nvecs;
};

/* Parse buf (len octets; need not be NUL-terminated). fname only labels
 * errors: err->msg is "fname:LINE: what", err->offset the line. On error
 * f is left empty. */
int kr_vecfile_parse(struct kr_vecfile *f, const char *buf, size_t len, const char *fname,
		     struct kr_err *err);
void kr_vecfile_free(struct kr_vecfile *f);

/* ---- checking (harness/vectors/vec_check.c) ------------------------------------ */

/* Build key block vk and cross-check what it states: private-d, spki and
 * cert must describe one key; ski and the certificate's SKI extension must
 * equal SHA-1 of the public key (RFC 6487 §4.8.2). 0, or -1 with why. */
int kr_vec_key_build(const struct kr_vec_key *vk, struct kr_key *k, char *why, size_t whysz);

/* Check vector i of f against its expectation and its published values.
 * keys[j] is the built key of f->keys[j] (pkey NULL when it failed).
 * Returns 1 pass, 0 fail; why gets one line either way. */
int kr_vec_check(struct kr_crypto_ctx *c, const struct kr_vecfile *f, const struct kr_key *keys,
		 size_t i, char *why, size_t whysz);

#endif
