/* Vector file parser and checker; validation of a decoded UPDATE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "vectors/vecfile.h"

static int parse(struct kr_vecfile *f, const char *text, struct kr_err *e)
{
	return kr_vecfile_parse(f, text, strlen(text), "t.vec", e);
}

static void t_parse_ok(void)
{
	const char *t = "# c\n\nkey: a\nasn: 64496\nski: AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC154\n"
			"spki: 30 59\n  3013\r\n\nname: v1\nspec: RFC 8205 §5.2\nupdate: ff\n"
			"my-as: 65537\npeer-as: 65536\nbgpsec-type: 30\nkeys: a\n"
			"options: allow-pcount0 in-confed\nexpect: not-valid bad-signature\n"
			"hash-input.2: 0102\ndigest.2: 03\nsignature.1: 04\n"
			"nonce-k: A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60\n"
			"name: v2\nspec: s\nupdate: 00\nmy-as: 1\nexpect: decode-error";
	struct kr_vecfile f;
	struct kr_err e = { 0 };
	CU_ASSERT_FATAL(parse(&f, t, &e) == 0);
	CU_ASSERT_EQUAL(f.nkeys, 1);
	CU_ASSERT_EQUAL(f.nvecs, 2);
	CU_ASSERT_EQUAL(f.keys[0].asn, 64496);
	CU_ASSERT(f.keys[0].has_ski && !f.keys[0].has_d);
	CU_ASSERT_EQUAL(f.keys[0].spki.len, 4);
	CU_ASSERT(f.keys[0].spki.p[3] == 0x13);
	const struct kr_vector *v = &f.vecs[0];
	CU_ASSERT_STRING_EQUAL(v->name, "v1");
	CU_ASSERT_EQUAL(v->line, 9);
	CU_ASSERT_EQUAL(v->expect, KR_VEC_NOT_VALID);
	CU_ASSERT_EQUAL(v->reason, KR_R_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(v->bgpsec_type, 30);
	CU_ASSERT(v->opts.my_as == 65537 && v->opts.peer_as == 65536);
	CU_ASSERT(v->opts.allow_pcount0 && v->opts.in_confed && !v->opts.accept_multi_prefix);
	CU_ASSERT(v->has_keys && v->nkeyrefs == 1 && v->keyref[0] == 0);
	CU_ASSERT(v->has_k && v->k[0] == 0xA6);
	CU_ASSERT_EQUAL(v->ngolden, 2);
	CU_ASSERT(v->golden[0].hop == 2 && v->golden[0].hash_input.len == 2 &&
		  v->golden[0].digest.len == 1);
	CU_ASSERT(v->golden[1].hop == 1 && v->golden[1].signature.p[0] == 4);
	CU_ASSERT_EQUAL(f.vecs[1].expect, KR_VEC_DECODE_ERROR);
	CU_ASSERT_EQUAL(f.vecs[1].bgpsec_type, KR_ATTR_BGPSEC_PATH);
	kr_vecfile_free(&f);
}

static void expect_err(const char *text, size_t line, const char *what)
{
	struct kr_vecfile f;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(parse(&f, text, &e), -1);
	CU_ASSERT_EQUAL(e.offset, line);
	char want[32];
	snprintf(want, sizeof want, "t.vec:%zu: ", line);
	CU_ASSERT(strncmp(e.msg, want, strlen(want)) == 0);
	CU_ASSERT(strstr(e.msg, what) != NULL);
	if (!strstr(e.msg, what) || e.offset != line)
		fprintf(stderr, "got '%s'\n", e.msg);
	CU_ASSERT_EQUAL(f.nkeys + f.nvecs, 0);
}

#define V "name: v\nspec: s\nupdate: 00\nmy-as: 1\nexpect: valid\n"

static void t_parse_errors(void)
{
	expect_err("", 1, "no 'key:' or 'name:' block");
	expect_err("asn: 1\n", 1, "before the first");
	expect_err("key: a\nasn: x1\n", 2, "not a decimal");
	expect_err("key: a\nasn: 4294967296\n", 2, "out of range");
	expect_err("key: a\nasn: 1\n", 1, "needs private-d, spki or cert");
	expect_err("key: a\nspki: 00\n", 1, "has no asn");
	expect_err("key: a\nasn: 1\nspki: 0\n", 3, "odd number");
	expect_err("key: a\nasn: 1\nspki: 0g\n", 3, "not a hex digit");
	expect_err("key: a\nasn: 1\nprivate-d: 00\n", 3, "32 octets");
	expect_err("key: a\nasn: 1\nasn: 2\n", 3, "twice");
	expect_err("key: a\nasn: 1\nspki: 00\nkey: a\n", 4, "already defined");
	expect_err("key: a b\n", 1, "white space");
	expect_err("  00\n", 1, "continues no hex field");
	expect_err("key: a\nasn: 1\nspki: 00\nfoo\n", 4, "expected 'field: value'");
	expect_err(V "keys: nope\n", 1, "unknown key 'nope'");
	expect_err(V "frob: 1\n", 6, "unknown vector field");
	expect_err(V "options: bogus\n", 6, "unknown option");
	expect_err("name: v\nspec: s\nupdate: 00\nmy-as: 1\nexpect: maybe\n", 5, "expect:");
	expect_err("name: v\nspec: s\nupdate: 00\nmy-as: 1\nexpect: not-valid nope\n", 5, "reason");
	expect_err("name: v\nspec: s\nupdate: 00\nmy-as: 1\n", 1, "has no expect");
	expect_err("name: v\nupdate: 00\nmy-as: 1\nexpect: valid\n", 1, "has no spec");
	expect_err("name: v\nspec: s\nmy-as: 1\nexpect: valid\n", 1, "has no update");
	expect_err("name: v\nspec: s\nupdate: 00\nexpect: valid\n", 1, "has no my-as");
	expect_err(V "hash-input.0: 00\n", 6, "out of range");
	expect_err(V "hash-input.x: 00\n", 6, "hop number");
	expect_err(V "digest.1: 00\ndigest.1: 01\n", 7, "twice");
	expect_err(V "bgpsec-type: 256\n", 6, "type code");
	struct kr_vecfile f;
	struct kr_err e = { 0 };
	static const char nul[] = "key: a\nasn: 1\nspki: 00\x00\n";
	CU_ASSERT(kr_vecfile_parse(&f, nul, sizeof nul - 1, "t.vec", &e) == -1);
	CU_ASSERT(strstr(e.msg, "t.vec:3: NUL") != NULL);
	expect_err("key: a\nasn: 1\nspki: 00\n" V V, 9, "already defined");
}

/* The checker on an in-memory App. A file, correct and with faults. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CU_ASSERT_FATAL(f != NULL);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static int check_text(const char *text, size_t len, char *why, size_t wn, int *nfail)
{
	struct kr_vecfile f;
	struct kr_err e = { 0 };
	if (kr_vecfile_parse(&f, text, len, "x", &e) < 0)
		return -1;
	struct kr_key *keys = calloc(f.nkeys, sizeof *keys);
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	*nfail = 0;
	for (size_t i = 0; i < f.nkeys; i++)
		if (kr_vec_key_build(&f.keys[i], &keys[i], why, wn) < 0)
			(*nfail)++;
	for (size_t i = 0; i < f.nvecs; i++)
		if (!kr_vec_check(c, &f, keys, i, why, wn))
			(*nfail)++;
	for (size_t i = 0; i < f.nkeys; i++)
		kr_key_free(&keys[i]);
	free(keys);
	kr_crypto_ctx_free(c);
	int n = (int)f.nvecs;
	kr_vecfile_free(&f);
	return n;
}

static void t_check_appendix_a(void)
{
	size_t len;
	char *t = read_all("vectors/rfc8208-appendix-a.vec", &len);
	char why[512];
	int nfail;
	CU_ASSERT_EQUAL(check_text(t, len, why, sizeof why, &nfail), 3);
	CU_ASSERT_EQUAL(nfail, 0);
	/* Each published value, altered, must make its vector fail. */
	static const char *const edits[][2] = {
		{ "digest.1: 2133E5CA", "digest.1: 2133E5CB" },
		{ "hash-input.1: 0001000001", "hash-input.1: 0001000002" },
		{ "nonce-k: A6E3", "nonce-k: A6E4" },
		{ "ski: AB4D910F", "ski: AB4D910E" },
		{ "private-d: D8AA", "private-d: D8AB" },
		{ "my-as: 65537", "my-as: 65538" },
		{ "rewrite-33: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF010302", "rewrite-33: FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF010303" },
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char *c = malloc(len + 1);
		memcpy(c, t, len);
		c[len] = 0;
		char *p = strstr(c, edits[i][0]);
		CU_ASSERT_FATAL(p != NULL);
		CU_ASSERT_FATAL(strlen(edits[i][0]) == strlen(edits[i][1]));
		memcpy(p, edits[i][1], strlen(edits[i][1]));
		CU_ASSERT(check_text(c, len, why, sizeof why, &nfail) == 3);
		CU_ASSERT(nfail >= 1);
		if (nfail < 1)
			fprintf(stderr, "edit %zu not detected\n", i);
		free(c);
	}
	free(t);
}

/* Every committed vector file passes (also under ASan/UBSan). */
static void t_all_committed(void)
{
	static const char *const files[] = { "vectors/rfc8208-appendix-a.vec",
					     "vectors/bgpsec-negative.vec",
					     "vectors/interop-bgpsrx.vec" };
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *t = read_all(files[i], &len);
		char why[512];
		int nfail;
		CU_ASSERT(check_text(t, len, why, sizeof why, &nfail) > 0);
		CU_ASSERT_EQUAL(nfail, 0);
		if (nfail)
			fprintf(stderr, "%s: %s\n", files[i], why);
		free(t);
	}
}

/* Validator directly: App. A IPv4 image with type 30. */
static void t_validate_api(void)
{
	size_t len;
	char *t = read_all("vectors/rfc8208-appendix-a.vec", &len);
	struct kr_vecfile f;
	CU_ASSERT_FATAL(kr_vecfile_parse(&f, t, len, "a", NULL) == 0);
	free(t);
	const struct kr_vector *v = &f.vecs[0];
	static struct kr_update u;
	CU_ASSERT_FATAL(kr_update_decode(&u, v->update.p, v->update.len, 30, NULL) == 0);
	struct kr_keytab *kt = kr_keytab_new();
	struct kr_key k[2];
	char why[256];
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_FATAL(kr_vec_key_build(&f.keys[i], &k[i], why, sizeof why) == 0);
	}
	struct kr_val_opts o = { .my_as = 65537, .peer_as = 65536 };
	struct kr_val_result r;
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.verdict == KR_NOT_VALID && r.reason == KR_R_UNKNOWN_SKI && r.bad_hop == 0 &&
		  r.bad_asn == 65536);
	CU_ASSERT(memcmp(r.bad_ski, k[1].ski, 20) == 0);
	kr_keytab_add_key(kt, &k[1], NULL);
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.reason == KR_R_UNKNOWN_SKI && r.bad_hop == 1 && r.bad_asn == 64496);
	kr_keytab_add_key(kt, &k[0], NULL);
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.verdict == KR_VALID && r.reason == KR_R_OK);
	o.my_as = 65538; /* the newest signature targets AS 65537 */
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.reason == KR_R_BAD_SIGNATURE && r.bad_hop == 0);
	o.my_as = 64496; /* own AS in the path */
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.reason == KR_R_LOOP && kr_reason_is_malformed(r.reason));
	o.my_as = 65537;
	o.peer_as = 1;
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.reason == KR_R_WRONG_PEER_AS);
	/* the same bytes read with type 33: no BGPsec_PATH, attribute 30 unknown */
	CU_ASSERT_FATAL(kr_update_decode(&u, v->update.p, v->update.len, 33, NULL) == 0);
	o.peer_as = 0;
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &r) == 0);
	CU_ASSERT(r.reason == KR_R_NO_BGPSEC_PATH);
	kr_keytab_free(kt);
	kr_key_free(&k[0]);
	kr_key_free(&k[1]);
	kr_vecfile_free(&f);
}

/* Sign a 5-hop IPv6 path hop by hop, encode, decode, validate. */
static void t_sign_chain_roundtrip(void)
{
	struct kr_key k[5];
	struct kr_keytab *kt = kr_keytab_new();
	for (int i = 0; i < 5; i++) {
		CU_ASSERT_FATAL(kr_key_generate(&k[i], 65540 + (uint32_t)i, NULL) == 0);
		kr_keytab_add_key(kt, &k[i], NULL);
	}
	struct kr_prefix p;
	CU_ASSERT_FATAL(kr_prefix_parse(&p, "2001:db8:1::/48") == 0);
	static struct kr_bgpsec_path path;
	static struct kr_sigstore st;
	for (int i = 0; i < 5; i++)
		CU_ASSERT_FATAL(kr_bgpsec_sign(&k[i], i < 4 ? 65541 + (uint32_t)i : 65537,
					       i == 2 ? 3 : 1, 0, i ? &path : NULL, KR_AFI_IPV6,
					       KR_SAFI_UNICAST, &p, NULL, &path, &st, NULL) == 0);
	CU_ASSERT_EQUAL(path.nhops, 5);
	CU_ASSERT_EQUAL(path.sp[0].asn, 65544);
	CU_ASSERT_EQUAL(path.sp[2].pcount, 3);
	static const uint8_t nh[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct kr_route_out r = { .prefix = p, .next_hop = nh, .next_hop_len = 16, .bgpsec = &path };
	static uint8_t msg[4096];
	size_t len;
	CU_ASSERT_FATAL(kr_update_build(&r, KR_BGP_MAX_LEN, msg, sizeof msg, &len, NULL) == 0);
	static struct kr_update u;
	CU_ASSERT_FATAL(kr_update_decode(&u, msg, len, KR_ATTR_BGPSEC_PATH, NULL) == 0);
	struct kr_val_opts o = { .my_as = 65537, .peer_as = 65544 };
	struct kr_val_result res;
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &res) == 0);
	CU_ASSERT_EQUAL(res.verdict, KR_VALID);
	/* the middle hop's signature covers the older ones in Fig. 8 order:
	 * swapping two older Secure_Path ASes breaks it */
	uint32_t a = u.bgpsec.sp[3].asn;
	u.bgpsec.sp[3].asn = u.bgpsec.sp[4].asn;
	u.bgpsec.sp[4].asn = a;
	CU_ASSERT(kr_bgpsec_validate(kt, &u, &o, &res) == 0);
	CU_ASSERT(res.reason == KR_R_UNKNOWN_SKI || res.reason == KR_R_BAD_SIGNATURE);
	for (int i = 0; i < 5; i++)
		kr_key_free(&k[i]);
	kr_keytab_free(kt);
}

KR_TESTS("vecfile",
	 { "sign: 5-hop IPv6 chain encodes, decodes and validates", t_sign_chain_roundtrip },
	 { "parse: every field", t_parse_ok },
	 { "parse: errors name file:line", t_parse_errors },
	 { "check: App. A passes, each altered value fails", t_check_appendix_a },
	 { "check: every committed vector file passes", t_all_committed },
	 { "validate: reasons on the App. A UPDATE", t_validate_api });
