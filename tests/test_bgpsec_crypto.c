/* Keys, SKI, key table, hash input and signing, against the RFC 8208
 * Appendix A data (AS 64496 -> AS 65536 -> AS 65537, 192.0.2.0/24). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wire/bgpsec_crypto.h"
#include "cu.h"

static const char D64496[] = "D8AA4DFBE2478F86E88A7451BF075565709C575AC1C136D081C540254CA440B9";
static const char D65536[] = "6CB2E931B112F24554BCDCAAFD9553A9519A9AF33C023B60846A21FC95583172";
static const char SKI64496[] = "AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC154";
static const char SKI65536[] = "47F23BF1AB2F8A9D26864EBBD8DF2711C74406EC";
static const char SPKI64496[] =
	"3059301306072A8648CE3D020106082A8648CE3D030107034200047391BABB92A0CB3BE10E59B19EBFFB214E04"
	"A91E0CBA1B139A7D38D90F77E55AA05B8E695678E0FA16904B55D9D4F5C0DFC58895EE50BC4F75D205A25BD36FF5";
static const char K[] = "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60";
static const char HIN1[] = "0001000001000000FBF00100010118C00002";
static const char SIG1[] =
	"3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF37160221008E21F60E44"
	"C6066C8B8A95A3C09D3AD4379585A2D728EEAD07A17ED7AA055ECA";
static const char HIN2[] =
	"00010001AB4D910F55CAE71A215EF3CAFE3ACC45B5EEC15400483046022100EFD48B2AACB6A8FD1140DD9CD45E"
	"81D69D2C877B56AAF991C34D0EA84EAF37160221008E21F60E44C6066C8B8A95A3C09D3AD4379585A2D728EEAD"
	"07A17ED7AA055ECA01000001000001000000FBF00100010118C00002";
static const char DG2[] = "014F24DAE2A52190B0805C605DB06354223E93BA411D3D82A3EC2636520C5F84";
static const char SIG2[] =
	"3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF371602210090F2C129AB"
	"B2F39B6A07963BD555A87AB2B7333B7B91F1668FD8618C83FAC3F1";

static size_t hx(uint8_t *out, size_t cap, const char *h)
{
	long n = kr_hex_decode(out, cap, h, strlen(h));
	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n;
}

static void key_of(struct kr_key *k, uint32_t asn, const char *dhex)
{
	uint8_t d[32];
	hx(d, sizeof d, dhex);
	CU_ASSERT_FATAL(kr_key_from_raw_d(k, asn, d, NULL) == 0);
}

static struct kr_prefix v4pfx(void)
{
	struct kr_prefix p = { .afi = KR_AFI_IPV4, .len = 24, .addr = { 192, 0, 2 } };
	return p;
}

static void t_key_ski_spki(void)
{
	struct kr_key k;
	uint8_t ski[20], spki[128], want[128];
	size_t len;
	key_of(&k, 64496, D64496);
	CU_ASSERT(k.has_private);
	hx(ski, sizeof ski, SKI64496);
	CU_ASSERT(memcmp(k.ski, ski, 20) == 0);
	CU_ASSERT_FATAL(kr_key_spki_der(&k, spki, sizeof spki, &len) == 0);
	CU_ASSERT_EQUAL(len, KR_SPKI_P256_LEN);
	CU_ASSERT(memcmp(spki, want, hx(want, sizeof want, SPKI64496)) == 0);
	struct kr_key pub;
	CU_ASSERT_FATAL(kr_key_from_spki(&pub, 64496, spki, len, NULL) == 0);
	CU_ASSERT(!pub.has_private);
	CU_ASSERT(memcmp(pub.ski, ski, 20) == 0);
	kr_key_free(&pub);
	struct kr_err e = { 0 };
	CU_ASSERT(kr_key_from_spki(&pub, 1, spki, len - 1, &e) < 0);
	CU_ASSERT(e.msg[0] != 0);
	uint8_t zero[32] = { 0 };
	CU_ASSERT(kr_key_from_raw_d(&pub, 1, zero, NULL) < 0);
	kr_key_free(&pub);
	kr_key_free(&k);
}

static void t_key_files(void)
{
	char dir[] = "/tmp/kr_keytest_XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	char priv[64], pub[64], der[64];
	snprintf(priv, sizeof priv, "%s/k.pem", dir);
	snprintf(pub, sizeof pub, "%s/k.pub.pem", dir);
	snprintf(der, sizeof der, "%s/k.der", dir);
	struct kr_key k, a, b, c;
	struct kr_err e = { 0 };
	CU_ASSERT_FATAL(kr_key_generate(&k, 65540, NULL) == 0);
	CU_ASSERT(kr_key_save_pem(&k, priv, true, NULL) == 0);
	CU_ASSERT(kr_key_save_pem(&k, pub, false, NULL) == 0);
	struct stat st;
	CU_ASSERT(stat(priv, &st) == 0 && (st.st_mode & 0777) == 0600);
	CU_ASSERT(kr_key_load_file(&a, 65540, priv, NULL) == 0);
	CU_ASSERT(a.has_private && memcmp(a.ski, k.ski, 20) == 0);
	CU_ASSERT(kr_key_load_file(&b, 65540, pub, NULL) == 0);
	CU_ASSERT(!b.has_private && memcmp(b.ski, k.ski, 20) == 0);
	uint8_t spki[128];
	size_t len;
	CU_ASSERT(kr_key_spki_der(&k, spki, sizeof spki, &len) == 0);
	FILE *f = fopen(der, "wb");
	CU_ASSERT_FATAL(f != NULL);
	fwrite(spki, 1, len, f);
	fclose(f);
	CU_ASSERT(kr_key_load_file(&c, 65540, der, NULL) == 0);
	CU_ASSERT(memcmp(c.ski, k.ski, 20) == 0);
	struct kr_key x;
	CU_ASSERT(kr_key_load_file(&x, 1, "/nonexistent/key.pem", &e) < 0);
	CU_ASSERT(strstr(e.msg, "/nonexistent/key.pem") != NULL);
	CU_ASSERT(kr_key_save_pem(&b, priv, true, NULL) < 0); /* public-only key */
	/* a router certificate (RFC 8208 §A.2, PEM as printed) gives its key */
	static const char cert[] =
		"-----BEGIN CERTIFICATE-----\n"
		"MIIBiDCCAS+gAwIBAgIEAk3WfDAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9ST1VU\n"
		"RVItMDAwMEZCRjAwHhcNMTcwMTAxMDUwMDAwWhcNMTgwNzAxMDUwMDAwWjAaMRgw\n"
		"FgYDVQQDDA9ST1VURVItMDAwMEZCRjAwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
		"AARzkbq7kqDLO+EOWbGev/shTgSpHgy6GxOafTjZD3flWqBbjmlWeOD6FpBLVdnU\n"
		"9cDfxYiV7lC8T3XSBaJb02/1o2MwYTALBgNVHQ8EBAMCB4AwHQYDVR0OBBYEFKtN\n"
		"kQ9VyucaIV7zyv46zEW17sFUMBMGA1UdJQQMMAoGCCsGAQUFBwMeMB4GCCsGAQUF\n"
		"BwEIAQH/BA8wDaAHMAUCAwD78KECBQAwCgYIKoZIzj0EAwIDRwAwRAIgB7e0al+k\n"
		"8cxoNjkDpIPsfIAC0vYInUay7Cp75pKzb7ECIACRBUqh9bAYnSck6LQi/dEc8D2x\n"
		"OCRdZCk1KI3uDDgp\n"
		"-----END CERTIFICATE-----\n";
	struct kr_key ck;
	uint8_t ski[20];
	CU_ASSERT_FATAL(kr_key_from_der(&ck, 64496, (const uint8_t *)cert, sizeof cert - 1, NULL) == 0);
	kr_hex_decode(ski, sizeof ski, SKI64496, 40);
	CU_ASSERT(!ck.has_private && memcmp(ck.ski, ski, 20) == 0);
	kr_key_free(&ck);
	CU_ASSERT(kr_key_from_der(&ck, 1, (const uint8_t *)"junk", 4, &e) < 0);
	kr_key_free(&a);
	kr_key_free(&b);
	kr_key_free(&c);
	kr_key_free(&k);
	unlink(priv);
	unlink(pub);
	unlink(der);
	rmdir(dir);
}

static void t_keytab(void)
{
	struct kr_keytab *t = kr_keytab_new();
	struct kr_key a, b, n;
	key_of(&a, 64496, D64496);
	key_of(&b, 65536, D65536);
	CU_ASSERT_FATAL(kr_key_generate(&n, 64496, NULL) == 0); /* rollover: 2nd key */
	CU_ASSERT(kr_keytab_add_key(t, &a, NULL) == 0);
	CU_ASSERT(kr_keytab_add_key(t, &a, NULL) == 0); /* idempotent */
	CU_ASSERT(kr_keytab_add_key(t, &b, NULL) == 0);
	CU_ASSERT(kr_keytab_add_key(t, &n, NULL) == 0);
	CU_ASSERT_EQUAL(kr_keytab_count(t), 3);
	CU_ASSERT(kr_keytab_has(t, 64496, a.ski));
	CU_ASSERT(kr_keytab_has(t, 64496, n.ski));
	CU_ASSERT(!kr_keytab_has(t, 65536, a.ski)); /* SKI under another AS */
	/* Collision: a second SPKI under the same (AS, SKI). */
	uint8_t spki[128];
	size_t len;
	CU_ASSERT(kr_key_spki_der(&b, spki, sizeof spki, &len) == 0);
	CU_ASSERT(kr_keytab_add(t, 64496, a.ski, spki, len, NULL) == 0);
	EVP_PKEY *pk[4];
	CU_ASSERT_EQUAL(kr_keytab_lookup(t, 64496, a.ski, pk, 4), 2);
	CU_ASSERT_EQUAL(kr_keytab_del(t, 64496, a.ski, spki, len), 1);
	CU_ASSERT_EQUAL(kr_keytab_lookup(t, 64496, a.ski, pk, 4), 1);
	CU_ASSERT_EQUAL(kr_keytab_del(t, 64496, a.ski, NULL, 0), 1);
	CU_ASSERT(!kr_keytab_has(t, 64496, a.ski));
	CU_ASSERT(kr_keytab_has(t, 64496, n.ski));
	struct kr_err e = { 0 };
	CU_ASSERT(kr_keytab_add(t, 1, a.ski, spki, 10, &e) < 0); /* bad SPKI */
	/* Growth: many ASes. */
	for (uint32_t as = 1; as <= 300; as++)
		CU_ASSERT(kr_keytab_add(t, as, b.ski, spki, len, NULL) == 0);
	CU_ASSERT_EQUAL(kr_keytab_count(t), 302);
	CU_ASSERT(kr_keytab_has(t, 299, b.ski));
	kr_keytab_clear(t);
	CU_ASSERT_EQUAL(kr_keytab_count(t), 0);
	kr_keytab_free(t);
	kr_key_free(&a);
	kr_key_free(&b);
	kr_key_free(&n);
}

/* The App. A path signed hop by hop with the published k reproduces the
 * published hash inputs and signatures byte for byte. */
static void t_appendix_a_sign(void)
{
	struct kr_key a, b;
	key_of(&a, 64496, D64496);
	key_of(&b, 65536, D65536);
	uint8_t k[32], want[256], buf[512], dg[32], ski[20];
	hx(ski, sizeof ski, SKI65536);
	CU_ASSERT(memcmp(b.ski, ski, 20) == 0);
	hx(k, sizeof k, K);
	struct kr_prefix p = v4pfx();
	static struct kr_bgpsec_path path;
	static struct kr_sigstore st;
	CU_ASSERT_FATAL(kr_bgpsec_sign(&a, 65536, 1, 0, NULL, 1, 1, &p, k, &path, &st, NULL) == 0);
	CU_ASSERT_EQUAL(path.nhops, 1);
	CU_ASSERT_FATAL(path.blocks[0].nsegs == 1);
	size_t n = hx(want, sizeof want, SIG1);
	CU_ASSERT(path.blocks[0].segs[0].sig_len == n &&
		  memcmp(path.blocks[0].segs[0].sig, want, n) == 0);
	struct kr_wr w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT(kr_bgpsec_hash_input(&path, 0, 1, 65536, 1, 1, &p, &w) == 0);
	n = hx(want, sizeof want, HIN1);
	CU_ASSERT(w.off == n && memcmp(buf, want, n) == 0);
	/* in == out: extend in place */
	CU_ASSERT_FATAL(kr_bgpsec_sign(&b, 65537, 1, 0, &path, 1, 1, &p, k, &path, &st, NULL) == 0);
	CU_ASSERT_EQUAL(path.nhops, 2);
	CU_ASSERT(path.sp[0].asn == 65536 && path.sp[1].asn == 64496);
	CU_ASSERT_EQUAL(path.sp_len, 14);
	CU_ASSERT_EQUAL(path.blocks[0].len, 191);
	n = hx(want, sizeof want, SIG2);
	CU_ASSERT(path.blocks[0].segs[0].sig_len == n &&
		  memcmp(path.blocks[0].segs[0].sig, want, n) == 0);
	n = hx(want, sizeof want, SIG1);
	CU_ASSERT(memcmp(path.blocks[0].segs[1].sig, want, n) == 0);
	w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT(kr_bgpsec_hash_input(&path, 0, 2, 65537, 1, 1, &p, &w) == 0);
	n = hx(want, sizeof want, HIN2);
	CU_ASSERT(w.off == n && memcmp(buf, want, n) == 0);
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	CU_ASSERT(kr_sha256(c, buf, w.off, dg) == 0);
	n = hx(want, sizeof want, DG2);
	CU_ASSERT(memcmp(dg, want, 32) == 0);
	/* verify with the public keys only */
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, b.pkey, dg, path.blocks[0].segs[0].sig,
					       path.blocks[0].segs[0].sig_len), 1);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, path.blocks[0].segs[0].sig,
					       path.blocks[0].segs[0].sig_len), 0);
	uint8_t bad[80];
	memcpy(bad, path.blocks[0].segs[0].sig, 72);
	bad[40] ^= 1;
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, b.pkey, dg, bad, 72), 0);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, b.pkey, dg, bad, 3), 0); /* bad DER */
	/* trailing prefix bits are zeroed in the hash input */
	struct kr_prefix q = p;
	q.len = 23;
	q.addr[2] = 3;
	w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT(kr_bgpsec_hash_input(&path, 0, 1, 65536, 1, 1, &q, &w) == 0);
	CU_ASSERT(buf[w.off - 1] == 2 && buf[w.off - 4] == 23);
	/* bad arguments */
	w = kr_wr_init(buf, sizeof buf);
	CU_ASSERT(kr_bgpsec_hash_input(&path, 1, 1, 1, 1, 1, &p, &w) < 0);
	CU_ASSERT(kr_bgpsec_hash_input(&path, 0, 3, 1, 1, 1, &p, &w) < 0);
	q.len = 33;
	CU_ASSERT(kr_bgpsec_hash_input(&path, 0, 1, 1, 1, 1, &q, &w) < 0);
	kr_crypto_ctx_free(c);
	kr_key_free(&a);
	kr_key_free(&b);
}

static void t_random_sign(void)
{
	struct kr_key a, pub;
	CU_ASSERT_FATAL(kr_key_generate(&a, 65541, NULL) == 0);
	uint8_t spki[128];
	size_t len;
	CU_ASSERT(kr_key_spki_der(&a, spki, sizeof spki, &len) == 0);
	CU_ASSERT_FATAL(kr_key_from_spki(&pub, 65541, spki, len, NULL) == 0);
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	uint8_t dg[32], sig[KR_SIG_MAX], sig2[KR_SIG_MAX];
	size_t sl, sl2;
	CU_ASSERT(kr_sha256(c, (const uint8_t *)"x", 1, dg) == 0);
	CU_ASSERT(kr_ecdsa_sign_digest(c, a.pkey, dg, NULL, sig, &sl, NULL) == 0);
	CU_ASSERT(kr_ecdsa_sign_digest(c, a.pkey, dg, NULL, sig2, &sl2, NULL) == 0);
	CU_ASSERT(sl != sl2 || memcmp(sig, sig2, sl) != 0); /* fresh nonce each time */
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, pub.pkey, dg, sig, sl), 1);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, pub.pkey, dg, sig2, sl2), 1);
	struct kr_err e = { 0 };
	struct kr_prefix p = v4pfx();
	static struct kr_bgpsec_path path;
	static struct kr_sigstore st;
	CU_ASSERT(kr_bgpsec_sign(&pub, 1, 1, 0, NULL, 1, 1, &p, NULL, &path, &st, &e) < 0);
	CU_ASSERT(strstr(e.msg, "private") != NULL);
	/* a path with an unsupported block cannot be extended */
	CU_ASSERT(kr_bgpsec_sign(&a, 2, 1, 0, NULL, 1, 1, &p, NULL, &path, &st, NULL) == 0);
	path.blocks[0].suite = 0xFB;
	CU_ASSERT(kr_bgpsec_sign(&a, 3, 1, 0, &path, 1, 1, &p, NULL, &path, &st, &e) < 0);
	kr_crypto_ctx_free(c);
	kr_key_free(&a);
	kr_key_free(&pub);
}

/* The memo answers only for the same key, digest and signature, with the
 * result they had. */
static void t_verify_memo(void)
{
	struct kr_key a, b;
	CU_ASSERT_FATAL(kr_key_generate(&a, 65542, NULL) == 0);
	CU_ASSERT_FATAL(kr_key_generate(&b, 65542, NULL) == 0);
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT(kr_crypto_ctx_memo(c, 3) < 0); /* not a power of two */
	CU_ASSERT_EQUAL(kr_crypto_ctx_memo_bytes(c), 0);
	CU_ASSERT_FATAL(kr_crypto_ctx_memo(c, 4) == 0);
	CU_ASSERT(kr_crypto_ctx_memo_bytes(c) > 0);
	uint8_t dg[32], dg2[32], sig[KR_SIG_MAX], bad[KR_SIG_MAX];
	size_t sl;
	CU_ASSERT(kr_sha256(c, (const uint8_t *)"m", 1, dg) == 0);
	CU_ASSERT(kr_sha256(c, (const uint8_t *)"n", 1, dg2) == 0);
	CU_ASSERT_FATAL(kr_ecdsa_sign_digest(c, a.pkey, dg, NULL, sig, &sl, NULL) == 0);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, sig, sl), 1);
	CU_ASSERT_EQUAL(kr_crypto_ctx_memo_hits(c), 0);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, sig, sl), 1);
	CU_ASSERT_EQUAL(kr_crypto_ctx_memo_hits(c), 1);
	/* another key, another digest, one bit of the signature: verified, and false */
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, b.pkey, dg, sig, sl), 0);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg2, sig, sl), 0);
	memcpy(bad, sig, sl);
	bad[sl - 1] ^= 1;
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, bad, sl), 0);
	CU_ASSERT_EQUAL(kr_crypto_ctx_memo_hits(c), 1);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, bad, sl), 0); /* remembered as bad */
	CU_ASSERT_EQUAL(kr_crypto_ctx_memo_hits(c), 2);
	CU_ASSERT_EQUAL(kr_ecdsa_verify_digest(c, a.pkey, dg, sig, sl), 1); /* the good one still good */
	/* the memo keeps its key alive: freeing the caller's copy is safe */
	kr_key_free(&a);
	kr_crypto_ctx_free(c);
	kr_key_free(&b);
}

static void t_reason_names(void)
{
	enum kr_reason r;
	for (int i = KR_R_OK; i <= KR_R_NO_BGPSEC_PATH; i++) {
		CU_ASSERT(kr_reason_from_name(kr_reason_name(i), &r) == 0);
		CU_ASSERT_EQUAL(r, i);
	}
	CU_ASSERT(kr_reason_from_name("nope", &r) < 0);
	CU_ASSERT(kr_reason_is_malformed(KR_R_SIG_COUNT));
	CU_ASSERT(!kr_reason_is_malformed(KR_R_BAD_SIGNATURE));
	CU_ASSERT(kr_suite_reserved(0) && kr_suite_reserved(0xFF) && !kr_suite_reserved(0xFB));
}

KR_TESTS("bgpsec_crypto",
	 { "key: SKI and SPKI of App. A key", t_key_ski_spki },
	 { "key: PEM/DER files, 0600 private", t_key_files },
	 { "keytab: several keys per AS, collisions, delete", t_keytab },
	 { "sign: App. A signatures reproduced with fixed k", t_appendix_a_sign },
	 { "sign: random nonce, verify, refusals", t_random_sign },
	 { "verify memo: same key, digest and signature only", t_verify_memo },
	 { "reason names round-trip", t_reason_names });
