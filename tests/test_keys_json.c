/* rpki-client JSON router keys, and the BGP-SRx interop UPDATEs judged
 * with keys loaded that way (pcaps/bgpsrx-interop.md table). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "rpki/keys_json.h"
#include "vectors/vecfile.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CU_ASSERT_FATAL(f != NULL);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static void t_interop_keys_and_verdicts(void)
{
	size_t len;
	char *j = read_all("pcaps/bgpsrx-interop.keys.json", &len);
	struct kr_keytab *t = kr_keytab_new();
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_keys_json_load(t, j, len, &e), 7);
	free(j);
	CU_ASSERT_EQUAL(kr_keytab_count(t), 7);
	char *v = read_all("vectors/interop-bgpsrx.vec", &len);
	struct kr_vecfile f;
	CU_ASSERT_FATAL(kr_vecfile_parse(&f, v, len, "interop-bgpsrx.vec", &e) == 0);
	free(v);
	CU_ASSERT_EQUAL_FATAL(f.nvecs, 6);
	static struct kr_update u;
	int valid = 0, notvalid = 0;
	for (size_t i = 0; i < f.nvecs; i++) {
		CU_ASSERT_FATAL(kr_update_decode(&u, f.vecs[i].update.p, f.vecs[i].update.len,
						 KR_ATTR_BGPSEC_PATH, &e) == 0);
		struct kr_val_opts o = { .my_as = 65000, .peer_as = 65005 };
		struct kr_val_result r;
		CU_ASSERT(kr_bgpsec_validate(t, &u, &o, &r) == 0);
		struct kr_nlri_iter it;
		struct kr_prefix p;
		char ps[64];
		kr_nlri_iter_init(&it, u.mp_reach.afi, u.mp_reach.nlri, u.mp_reach.nlri_len);
		CU_ASSERT_FATAL(kr_nlri_next(&it, &p));
		kr_prefix_format(&p, ps, sizeof ps);
		if (!strcmp(ps, "10.40.5.0/24")) {
			CU_ASSERT(r.verdict == KR_NOT_VALID && r.reason == KR_R_UNKNOWN_SKI &&
				  r.bad_asn == 65040);
			notvalid++;
		} else {
			CU_ASSERT(r.verdict == KR_VALID);
			valid += r.verdict == KR_VALID;
		}
	}
	CU_ASSERT_EQUAL(valid, 5);
	CU_ASSERT_EQUAL(notvalid, 1);
	kr_vecfile_free(&f);
	kr_keytab_free(t);
}

static void expect_bad(const char *json, const char *what)
{
	struct kr_keytab *t = kr_keytab_new();
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_keys_json_load(t, json, strlen(json), &e), -1);
	CU_ASSERT(strstr(e.msg, what) != NULL);
	if (!strstr(e.msg, what))
		fprintf(stderr, "got '%s'\n", e.msg);
	kr_keytab_free(t);
}

#define SPKI64496 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEc5G6u5KgyzvhDlmxnr/7IU4EqR4MuhsTmn042Q935VqgW45pVnjg+haQS1XZ1PXA38WIle5QvE910gWiW9Nv9Q=="

static void t_json_forms_and_errors(void)
{
	struct kr_keytab *t = kr_keytab_new();
	const char *ok = "{\"bgpsec_keys\":[{\"asn\":\"AS64496\",\"ski\":"
			 "\"ab4d910f55cae71a215ef3cafe3acc45b5eec154\",\"pubkey\":\"" SPKI64496 "\"}]}";
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_keys_json_load(t, ok, strlen(ok), &e), 1);
	uint8_t ski[20];
	kr_hex_decode(ski, 20, "AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC154", 40);
	CU_ASSERT(kr_keytab_has(t, 64496, ski));
	kr_keytab_free(t);
	expect_bad("{\"bgpsec_keys\": [", "keys:1:");
	expect_bad("{\"bgpsec_keys\":[{\"asn\":-1}]}", "bgpsec_keys[0]: asn");
	expect_bad("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"AB\"}]}", "bgpsec_keys[0]: ski");
	expect_bad("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC154\","
		   "\"pubkey\":\"!!!!\"}]}", "pubkey");
	expect_bad("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC155\","
		   "\"pubkey\":\"" SPKI64496 "\"}]}", "bgpsec_keys[0].ski is not SHA-1 of the key");
	expect_bad("{\"bgpsec_keys\":[{\"asn\":1,\"ski\":\"AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC154\","
		   "\"pubkey\":\"MFkw\"}]}", "pubkey");
	t = kr_keytab_new();
	CU_ASSERT_EQUAL(kr_keys_json_load(t, "{\"roas\": []}", 12, &e), 0);
	kr_keytab_free(t);
}

KR_TESTS("keys_json",
	 { "interop: JSON keys give the README verdicts", t_interop_keys_and_verdicts },
	 { "JSON forms and errors", t_json_forms_and_errors });
