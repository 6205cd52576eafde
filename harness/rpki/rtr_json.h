/* rpki-client JSON output (the file StayRTR reads): "roas" and
 * "bgpsec_keys" to and from a kr_rtr_set. Pure: buffers in and out; the
 * file helpers live in rtr_keysfile.c. */
#ifndef KR_RTR_JSON_H
#define KR_RTR_JSON_H

#include <stddef.h>

#include "wire/kr_util.h"
#include "rpki/rtr_set.h"

/* Parse `len` octets of JSON into `out` (must be empty). On error returns
 * -1 and err->msg names `name`, the entry ("bgpsec_keys[3].ski") or the
 * JSON line:column; err->offset is the entry index or the line. Accepted
 * per entry: roas {asn (number or "AS123"), prefix, maxLength},
 * bgpsec_keys {asn, ski (40 hex digits, ':' allowed), pubkey (base64 DER
 * SubjectPublicKeyInfo)}; other members (ta, expires, metadata) ignored. */
int kr_rtr_json_parse(const char *buf, size_t len, const char *name, struct kr_rtr_set *out, struct kr_err *err);

/* Serialise in the same format (with a small "metadata" object). */
int kr_rtr_json_write(const struct kr_rtr_set *s, struct kr_bytes *out);

/* File helpers (I/O). Load reads and parses `path`; save writes to a
 * temporary file in the same directory and renames it over `path`, so a
 * reader never sees half a file. */
int kr_rtr_json_load(const char *path, struct kr_rtr_set *out, struct kr_err *err);
int kr_rtr_json_save(const char *path, const struct kr_rtr_set *s, struct kr_err *err);

#endif
