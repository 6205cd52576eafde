/* Internal to the BGPsec crypto files: the per-thread scratch buffer. */
#ifndef KR_BGPSEC_CTX_H
#define KR_BGPSEC_CTX_H

#include <stdint.h>

struct kr_crypto_ctx;

/* A hash input holds at most one Signature_Block's segments (bounded by its
 * 16-bit length), KR_MAX_HOPS Secure_Path segments and the NLRI. */
#define KR_HASH_INPUT_MAX (4 + 65535 + 6 * 128 + 5 + 17)

uint8_t *kr_crypto_ctx_buf(struct kr_crypto_ctx *c);

#endif
