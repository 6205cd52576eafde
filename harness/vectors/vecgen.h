/* Generator of the negative vector corpus (vectors/bgpsec-negative.vec):
 * real keys, real signatures, one defect per vector. The committed file is
 * judged by `keyroll vectors check`, never by this generator. */
#ifndef KR_VECGEN_H
#define KR_VECGEN_H

#include "wire/kr_util.h"

/* Appends the whole vector file text to out. */
int kr_vecgen_negative(struct kr_bytes *out, struct kr_err *err);

#endif
