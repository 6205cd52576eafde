/* Router keys from rpki-client's JSON output (`bgpsec_keys`: asn, hex SKI,
 * base64 DER SubjectPublicKeyInfo) into a validation key table. Pure: the
 * caller reads the file. */
#ifndef KR_KEYS_JSON_H
#define KR_KEYS_JSON_H

#include <stddef.h>

#include "wire/bgpsec_crypto.h"

/* Adds every key of buf to t. Returns the number of keys, or -1 with err
 * naming the JSON line:column or the entry index and field. A key whose
 * SKI is not SHA-1 of its public key (RFC 6487 §4.8.2) is an error; keys
 * added before the faulty entry stay in t. */
int kr_keys_json_load(struct kr_keytab *t, const char *buf, size_t len, struct kr_err *err);

/* The same from a file (keys_file.c): a new table, or NULL with err
 * naming the file and where in it. */
struct kr_keytab *kr_keys_json_read(const char *path, struct kr_err *err);

#endif
