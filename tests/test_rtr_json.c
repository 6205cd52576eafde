/* rpki-client JSON keys file: parse, errors naming the entry, write and
 * parse back. */
#include <string.h>

#include "cu.h"
#include "rpki/rtr_json.h"

/* A real P-256 SPKI (RFC 8208 App. A key for AS 64496 would do too). */
static const char B64[] = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqZto2hRzn+wQhOB68JRik/QEa8i3KE0EhWxz63yJqs7lCPZctgLliaWEIbvIKAuLg7PAOLYoJaWqs2Kr9S5Zxg==";
static const char SKI[] = "03a878a8ab8b98562144499737f4f0a7d639b694";

static int parse(const char *fmt, struct kr_rtr_set *s, struct kr_err *e)
{
	char buf[2048];
	snprintf(buf, sizeof buf, fmt, SKI, B64);
	memset(s, 0, sizeof *s);
	kr_err_clear(e);
	return kr_rtr_json_parse(buf, strlen(buf), "keys.json", s, e);
}

static void t_good(void)
{
	struct kr_rtr_set s;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse("{\"metadata\":{\"buildtime\":\"x\"},\"roas\":[{\"asn\":64496,\"prefix\":\"192.0.2.0/24\","
				    "\"maxLength\":24,\"ta\":\"t\"},{\"asn\":\"AS65536\",\"prefix\":\"2001:db8::/32\","
				    "\"maxLength\":48}],\"bgpsec_keys\":[{\"asn\":65001,\"ski\":\"%s\",\"pubkey\":\"%s\"}]}",
				    &s, &e), 0);
	CU_ASSERT_EQUAL(s.nvrps, 2);
	CU_ASSERT_EQUAL(s.vrps[1].asn, 65536);
	CU_ASSERT_EQUAL(s.vrps[1].afi, 6);
	CU_ASSERT_EQUAL(s.vrps[1].max_len, 48);
	CU_ASSERT_EQUAL(s.nkeys, 1);
	CU_ASSERT_EQUAL(s.keys[0].asn, 65001);
	CU_ASSERT_EQUAL(s.keys[0].spki_len, 91);
	CU_ASSERT_EQUAL(s.keys[0].ski[0], 0x03);
	/* Write and read back: same content. */
	struct kr_bytes b = { 0 };
	CU_ASSERT_EQUAL(kr_rtr_json_write(&s, &b), 0);
	struct kr_rtr_set s2 = { 0 };
	CU_ASSERT_EQUAL(kr_rtr_json_parse((const char *)b.p, b.len, "out", &s2, &e), 0);
	CU_ASSERT_EQUAL(s2.nvrps, 2);
	CU_ASSERT_EQUAL(s2.nkeys, 1);
	CU_ASSERT(memcmp(s2.keys[0].spki, s.keys[0].spki, 91) == 0);
	CU_ASSERT(memcmp(s2.vrps[1].addr, s.vrps[1].addr, 16) == 0);
	CU_ASSERT_EQUAL(s2.vrps[1].prefix_len, 32);
	CU_ASSERT_EQUAL(s2.vrps[1].max_len, 48);
	CU_ASSERT_EQUAL(s2.vrps[1].asn, 65536);
	kr_bytes_free(&b);
	kr_rtr_set_free(&s2);
	kr_rtr_set_free(&s);
}

static void expect(const char *fmt, const char *needle, size_t off)
{
	struct kr_rtr_set s;
	struct kr_err e;
	CU_ASSERT_EQUAL(parse(fmt, &s, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, needle));
	if (!strstr(e.msg, needle))
		fprintf(stderr, "got: %s\n", e.msg);
	CU_ASSERT_EQUAL(e.offset, off);
	CU_ASSERT_EQUAL(s.nkeys + s.nvrps, 0);
}

static void t_errors(void)
{
	expect("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"%s\",\"pubkey\":\"%s\"},{\"asn\":1,\"ski\":\"zz\",\"pubkey\":\"QUJD\"}]}",
	       "keys.json: bgpsec_keys[1]: ski", 1);
	expect("{\"bgpsec_keys\":[{\"asn\":-1,\"ski\":\"%s\",\"pubkey\":\"%s\"}]}", "bgpsec_keys[0]: asn", 0);
	expect("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"%s\",\"pubkey\":\"AAAA%s\"}]}", "bgpsec_keys[0]: pubkey", 0);
	expect("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"%s\",\"pubkey\":\"QUJD\"}]}", "not a DER SubjectPublicKeyInfo", 0);
	expect("{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.1/24\"}]}", "roas[0]: prefix", 0);
	expect("{\"roas\":[{\"asn\":1,\"prefix\":\"192.0.2.0/24\"},{\"asn\":1,\"prefix\":\"192.0.2.0/24\",\"maxLength\":33}]}",
	       "roas[1]: maxLength", 1);
	expect("{\"roas\":[{\"asn\":1,\n\"prefix\" \"x\"}]}", "keys.json:2:", 2);
	expect("[]", "top level", 0);
	expect("{\"x\":1}", "neither", 0);
	expect("{\"roas\":{}}", "not an array", 0);
}

KR_TESTS("rtr_json",
	 { "parse and write back", t_good },
	 { "errors name file and entry", t_errors });
