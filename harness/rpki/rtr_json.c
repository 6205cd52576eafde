/* rpki-client JSON (roas, bgpsec_keys) parser and writer on jansson; see
 * rtr_json.h. */
#include "rpki/rtr_json.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int get_asn(json_t *v, uint32_t *asn)
{
	json_int_t n;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strncasecmp(s, "AS", 2))
			s += 2;
		char *end;
		if (!*s)
			return -1;
		unsigned long long u = strtoull(s, &end, 10);
		if (*end || u > UINT32_MAX)
			return -1;
		n = (json_int_t)u;
	} else {
		return -1;
	}
	if (n < 0 || n > (json_int_t)UINT32_MAX)
		return -1;
	*asn = (uint32_t)n;
	return 0;
}

static int parse_roa(json_t *e, struct kr_rtr_vrp *v, const char **what)
{
	if (!json_is_object(e))
		return *what = "not an object", -1;
	if (get_asn(json_object_get(e, "asn"), &v->asn))
		return *what = "asn: missing or not a 32-bit AS number", -1;
	json_t *p = json_object_get(e, "prefix");
	if (!json_is_string(p) || kr_rtr_parse_prefix(json_string_value(p), v))
		return *what = "prefix: missing or not an IPv4/IPv6 network", -1;
	json_t *m = json_object_get(e, "maxLength");
	if (!m) {
		v->max_len = v->prefix_len;
	} else {
		json_int_t ml = json_is_integer(m) ? json_integer_value(m) : -1;
		if (ml < v->prefix_len || ml > (v->afi == 4 ? 32 : 128))
			return *what = "maxLength: not between the prefix length and the address size", -1;
		v->max_len = (uint8_t)ml;
	}
	return 0;
}

static int parse_ski(const char *s, uint8_t ski[KR_RTR_SKI_LEN])
{
	char hex[2 * KR_RTR_SKI_LEN + 1];
	size_t k = 0;
	for (; *s; s++) {
		if (*s == ':')
			continue;
		if (k == sizeof hex - 1)
			return -1;
		hex[k++] = *s;
	}
	return kr_hex_decode(ski, KR_RTR_SKI_LEN, hex, k) == KR_RTR_SKI_LEN ? 0 : -1;
}

/* Base64 (RFC 4648, padded) to DER; -1 on bad input. */
static long b64_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);
	if (n == 0 || n % 4 || n / 4 * 3 > cap)
		return -1;
	int len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (len < 0)
		return -1;
	/* EVP_DecodeBlock counts padding as zero octets. */
	if (s[n - 1] == '=')
		len--;
	if (s[n - 2] == '=')
		len--;
	return len;
}

static int parse_key(json_t *e, struct kr_rtr_set *out, const char **what)
{
	uint32_t asn;
	uint8_t ski[KR_RTR_SKI_LEN];
	uint8_t der[KR_RTR_SPKI_MAX];
	if (!json_is_object(e))
		return *what = "not an object", -1;
	if (get_asn(json_object_get(e, "asn"), &asn))
		return *what = "asn: missing or not a 32-bit AS number", -1;
	json_t *s = json_object_get(e, "ski");
	if (!json_is_string(s) || parse_ski(json_string_value(s), ski))
		return *what = "ski: missing or not 20 octets of hex", -1;
	json_t *pk = json_object_get(e, "pubkey");
	long n = json_is_string(pk) ? b64_decode(json_string_value(pk), der, sizeof der) : -1;
	if (n <= 0)
		return *what = "pubkey: missing or not base64", -1;
	/* The SPKI must be one complete DER SubjectPublicKeyInfo. */
	const unsigned char *p = der;
	EVP_PKEY *key = d2i_PUBKEY(NULL, &p, n);
	bool ok = key && p == der + n;
	EVP_PKEY_free(key);
	if (!ok)
		return *what = "pubkey: not a DER SubjectPublicKeyInfo", -1;
	if (kr_rtr_set_add_key(out, asn, ski, der, (size_t)n))
		return *what = "out of memory", -1;
	return 0;
}

int kr_rtr_json_parse(const char *buf, size_t len, const char *name, struct kr_rtr_set *out, struct kr_err *err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		kr_err_set(err, 1, (size_t)je.line, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		return -1;
	}
	int rc = -1;
	if (!json_is_object(root)) {
		kr_err_set(err, 1, 0, "%s: top level is not an object", name);
		goto out;
	}
	static const char *const lists[] = { "roas", "bgpsec_keys" };
	for (int l = 0; l < 2; l++) {
		json_t *a = json_object_get(root, lists[l]);
		if (!a)
			continue;
		if (!json_is_array(a)) {
			kr_err_set(err, 1, 0, "%s: \"%s\" is not an array", name, lists[l]);
			goto out;
		}
		size_t i;
		json_t *e;
		json_array_foreach(a, i, e) {
			const char *what = NULL;
			struct kr_rtr_vrp v;
			int bad = l == 0 ? (parse_roa(e, &v, &what) || kr_rtr_set_add_vrp(out, &v))
					 : parse_key(e, out, &what);
			if (bad) {
				kr_err_set(err, 1, i, "%s: %s[%zu]: %s", name, lists[l], i,
					   what ? what : "out of memory");
				goto out;
			}
		}
	}
	if (!json_object_get(root, "roas") && !json_object_get(root, "bgpsec_keys")) {
		kr_err_set(err, 1, 0, "%s: neither \"roas\" nor \"bgpsec_keys\" present", name);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc)
		kr_rtr_set_free(out);
	return rc;
}

int kr_rtr_json_write(const struct kr_rtr_set *s, struct kr_bytes *out)
{
	json_t *root = json_object();
	json_t *roas = json_array(), *keys = json_array();
	json_object_set_new(root, "metadata", json_pack("{s:s}", "generated_by", "keyroll"));
	for (size_t i = 0; i < s->nvrps; i++) {
		const struct kr_rtr_vrp *v = &s->vrps[i];
		char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 8];
		inet_ntop(v->afi == 4 ? AF_INET : AF_INET6, v->addr, a, sizeof a);
		snprintf(p, sizeof p, "%s/%u", a, v->prefix_len);
		json_array_append_new(roas, json_pack("{s:I,s:s,s:i,s:s,s:I}", "asn", (json_int_t)v->asn, "prefix",
						      p, "maxLength", v->max_len, "ta", "keyroll", "expires",
						      (json_int_t)4102444800LL));
	}
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct kr_rtr_rkey *k = &s->keys[i];
		char ski[2 * KR_RTR_SKI_LEN + 1];
		kr_hex_encode(ski, sizeof ski, k->ski, KR_RTR_SKI_LEN);
		char *b64 = malloc(4 * ((k->spki_len + 2) / 3) + 1);
		if (!b64)
			break;
		EVP_EncodeBlock((unsigned char *)b64, k->spki, (int)k->spki_len);
		json_array_append_new(keys, json_pack("{s:I,s:s,s:s,s:s,s:I}", "asn", (json_int_t)k->asn, "ski", ski,
						      "pubkey", b64, "ta", "keyroll", "expires",
						      (json_int_t)4102444800LL));
		free(b64);
	}
	json_object_set_new(root, "roas", roas);
	json_object_set_new(root, "bgpsec_keys", keys);
	char *txt = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (!txt)
		return -1;
	int rc = kr_bytes_append(out, txt, strlen(txt));
	if (!rc)
		rc = kr_bytes_append(out, "\n", 1);
	free(txt);
	return rc;
}
