/* rpki-client JSON router keys -> key table (see keys_json.h). */
#include "keys_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

/* "65000" or "AS65000" (both spellings occur in RPKI tool output). */
static int get_asn(json_t *v, uint32_t *asn)
{
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < 0 || x > UINT32_MAX)
			return -1;
		*asn = (uint32_t)x;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	const char *s = json_string_value(v);
	if (!strncasecmp(s, "AS", 2))
		s += 2;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (!*s || *end || errno || x > UINT32_MAX)
		return -1;
	*asn = (uint32_t)x;
	return 0;
}

static long b64_decode(const char *in, uint8_t *out, size_t cap)
{
	size_t n = strlen(in);
	if (n == 0 || n % 4 || n / 4 * 3 > cap || n > INT32_MAX)
		return -1;
	int l = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (l < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero octets */
	if (in[n - 1] == '=')
		l--;
	if (in[n - 2] == '=')
		l--;
	return l;
}

int kr_keys_json_load(struct kr_keytab *t, const char *buf, size_t len, struct kr_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, 0, &je);
	if (!root) {
		kr_err_set(err, EINVAL, (size_t)je.line, "line %d column %d: %s", je.line, je.column,
			   je.text);
		return -1;
	}
	int n = -1;
	json_t *arr = json_object_get(root, "bgpsec_keys");
	if (!json_is_array(arr)) {
		kr_err_set(err, EINVAL, 0, "no \"bgpsec_keys\" array");
		goto out;
	}
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		uint32_t asn;
		uint8_t ski[KR_SKI_LEN], spki[256];
		const char *hs = json_string_value(json_object_get(e, "ski"));
		const char *pk = json_string_value(json_object_get(e, "pubkey"));
		long sl;
		struct kr_key k;
		if (get_asn(json_object_get(e, "asn"), &asn) < 0) {
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu]: bad or missing \"asn\"", i);
			goto out;
		}
		if (!hs || strlen(hs) != 2 * KR_SKI_LEN ||
		    kr_hex_decode(ski, sizeof ski, hs, strlen(hs)) != KR_SKI_LEN) {
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu]: \"ski\" is not 40 hex digits", i);
			goto out;
		}
		if (!pk || (sl = b64_decode(pk, spki, sizeof spki)) < 0) {
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu]: \"pubkey\" is not base64", i);
			goto out;
		}
		if (kr_key_from_spki(&k, asn, spki, (size_t)sl, err) < 0) {
			char m[128];
			snprintf(m, sizeof m, "%.100s", err ? err->msg : "");
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu]: \"pubkey\": %s", i, m);
			goto out;
		}
		bool same = !memcmp(k.ski, ski, KR_SKI_LEN);
		kr_key_free(&k);
		if (!same) {
			kr_err_set(err, EINVAL, i, "bgpsec_keys[%zu]: ski %s is not SHA-1 of the key", i,
				   hs);
			goto out;
		}
		if (kr_keytab_add(t, asn, ski, spki, (size_t)sl, err) < 0)
			goto out;
	}
	n = (int)json_array_size(arr);
out:
	json_decref(root);
	return n;
}
