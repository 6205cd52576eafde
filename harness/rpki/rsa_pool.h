/* RSA-2048 key pairs made ahead of use. Every manifest needs a fresh
 * one-time key pair for its EE certificate (RFC 9286 §5.1, RFC 6487 §3),
 * and making one takes 0.1-0.5 s of CPU: a background thread keeps a few
 * ready, so a CA publishes in milliseconds and the time a publication
 * takes to reach a router is the relying party's, not the key
 * generation's. Without kr_rsa_pool_start, keys are made on the spot. */
#ifndef KR_RSA_POOL_H
#define KR_RSA_POOL_H

typedef struct evp_pkey_st EVP_PKEY;

/* Start the thread keeping `depth` keys ready (idempotent; stopped at
 * exit). 0 or -1. */
int kr_rsa_pool_start(unsigned depth);
/* A new key pair nobody else gets (the caller frees it), from the pool
 * when one is ready, else made now. NULL on failure. */
EVP_PKEY *kr_rsa_pool_take(void);

#endif
