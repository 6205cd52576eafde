/* rpki-client JSON router keys -> validation key table (see keys_json.h).
 * The JSON itself is read by the RTR keys-file parser (rtr_json.h). */
#include "rpki/keys_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpki/rtr_json.h"

int kr_keys_json_load(struct kr_keytab *t, const char *buf, size_t len, struct kr_err *err)
{
	struct kr_rtr_set s = { 0 };
	if (kr_rtr_json_parse(buf, len, "keys", &s, err) < 0)
		return -1;
	int n = -1;
	for (size_t i = 0; i < s.nkeys; i++) {
		const struct kr_rtr_rkey *r = &s.keys[i];
		struct kr_key k;
		if (kr_key_from_spki(&k, r->asn, r->spki, r->spki_len, err) < 0) {
			char m[128];
			snprintf(m, sizeof m, "%.100s", err ? err->msg : "");
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu].pubkey: %s", i, m);
			goto out;
		}
		bool same = !memcmp(k.ski, r->ski, KR_SKI_LEN);
		kr_key_free(&k);
		if (!same) {
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu].ski is not SHA-1 of the key", i);
			goto out;
		}
		if (kr_keytab_add(t, r->asn, r->ski, r->spki, r->spki_len, err) < 0)
			goto out;
	}
	n = (int)s.nkeys;
out:
	kr_rtr_set_free(&s);
	return n;
}
