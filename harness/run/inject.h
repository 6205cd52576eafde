/* Injection from files: UPDATEs of vector files (vectors/README.md) sent
 * byte for byte through a harness speaker, and their keys loaded into the
 * key table an observer validates against. */
#ifndef KR_INJECT_H
#define KR_INJECT_H

#include <stddef.h>

#include "wire/bgpsec_crypto.h"
#include "run/speaker.h"
#include "vectors/vecfile.h"

/* Read and parse a vector file (errors name FILE:LINE). 0 or -1. */
int kr_vecfile_load(struct kr_vecfile *f, const char *path, struct kr_err *err);
/* Index of vector `name`, or -1. */
long kr_vecfile_find(const struct kr_vecfile *f, const char *name);
/* Add the public key of every key block that builds to t; returns how
 * many, -1 on error. */
int kr_vecfile_keys_to_keytab(const struct kr_vecfile *f, struct kr_keytab *t, struct kr_err *err);
/* Send the UPDATE of vector `name` verbatim. 0 or -1 (err: unknown name,
 * session down). */
int kr_inject_vector(struct kr_speaker *sp, const struct kr_vecfile *f, const char *name,
		     struct kr_err *err);

#endif
