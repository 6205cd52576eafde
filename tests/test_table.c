/* Synthetic tables (vectors/table.h) and their signing (table_sign.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "vectors/table.h"
#include "vectors/table_sign.h"

static struct kr_table_spec spec(uint32_t n)
{
	struct kr_table_spec s = { .up_as = { 65536, 64497 } };
	kr_table_spec_routes(&s, n);
	return s;
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct kr_prefix *x = a, *y = b;
	if (x->afi != y->afi)
		return x->afi - y->afi;
	if (x->len != y->len)
		return x->len - y->len;
	return memcmp(x->addr, y->addr, 16);
}

static void t_spec(void)
{
	struct kr_table_spec s = { 0 };
	char msg[128];
	CU_ASSERT_EQUAL(kr_table_spec_parse(&s, "dfz", msg, sizeof msg), 0);
	CU_ASSERT_EQUAL(s.n4, 1040000u);
	CU_ASSERT_EQUAL(s.n6, 220000u);
	CU_ASSERT_EQUAL(kr_table_spec_parse(&s, "20000", msg, sizeof msg), 0);
	CU_ASSERT_EQUAL(kr_table_count(&s), 20000u);
	CU_ASSERT(s.n6 > 3400 && s.n6 < 3600); /* the DFZ's 0.22 / 1.26 */
	CU_ASSERT_EQUAL(kr_table_spec_parse(&s, "0", msg, sizeof msg), -1);
	CU_ASSERT_EQUAL(kr_table_spec_parse(&s, "-5", msg, sizeof msg), -1);
	CU_ASSERT_EQUAL(kr_table_spec_parse(&s, "12x", msg, sizeof msg), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "12x"));
}

/* Unique prefixes, DFZ-like lengths and hops, only from the pools. */
static void t_build_dfz_shape(void)
{
	struct kr_table_spec s = spec(200000);
	struct kr_table_route *r;
	struct kr_err e = { 0 };
	CU_ASSERT_FATAL(kr_table_build(&s, &r, &e) == 0);
	size_t n = kr_table_count(&s);
	struct kr_prefix *p = malloc(n * sizeof *p);
	size_t ups[2] = { 0 };
	for (size_t i = 0; i < n; i++) {
		p[i] = r[i].pfx;
		ups[r[i].up]++;
		CU_ASSERT(r[i].nhops >= 1 && r[i].nhops <= KR_TABLE_MAX_HOPS);
		CU_ASSERT_EQUAL(r[i].as[0], s.up_as[r[i].up]);
		for (size_t a = 0; a < r[i].nhops; a++)
			for (size_t b = a + 1; b < r[i].nhops; b++)
				CU_ASSERT(r[i].as[a] != r[i].as[b]); /* no loops */
		const uint8_t *a = r[i].pfx.addr;
		bool in_pool = r[i].pfx.afi == KR_AFI_IPV4
				       ? (a[0] == 198 && a[1] == 19) || a[0] == 10 || (a[0] == 100 && (a[1] & 0xc0) == 64) ||
					 (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] >= 240 && a[0] <= 254)
				       : (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0) || a[0] == 0xfd;
		CU_ASSERT(in_pool);
	}
	qsort(p, n, sizeof *p, pfx_cmp);
	size_t dups = 0;
	for (size_t i = 1; i < n; i++)
		dups += pfx_cmp(&p[i - 1], &p[i]) == 0;
	CU_ASSERT_EQUAL(dups, 0);
	CU_ASSERT(ups[0] > n * 45 / 100 && ups[1] > n * 45 / 100);
	size_t c4[129], h4[KR_TABLE_MAX_HOPS + 1], c6[129], h6[KR_TABLE_MAX_HOPS + 1];
	kr_table_stats(r, n, KR_AFI_IPV4, c4, h4);
	kr_table_stats(r, n, KR_AFI_IPV6, c6, h6);
	/* /24 about 60 % of IPv4, /48 about 55 % of IPv6, 3 hops most common */
	CU_ASSERT(c4[24] * 100 > s.n4 * 55 && c4[24] * 100 < s.n4 * 65);
	CU_ASSERT(c6[48] * 100 > s.n6 * 50 && c6[48] * 100 < s.n6 * 60);
	CU_ASSERT(h4[3] > h4[2] && h4[3] > h4[4] && h4[1] > 0 && h4[6] > 0);
	/* deterministic */
	struct kr_table_route *r2;
	CU_ASSERT_FATAL(kr_table_build(&s, &r2, &e) == 0);
	CU_ASSERT(memcmp(r, r2, n * sizeof *r) == 0);
	free(r2);
	free(r);
	free(p);
}

static void t_build_dfz_full(void)
{
	struct kr_table_spec s = { .n4 = KR_TABLE_DFZ_V4, .n6 = KR_TABLE_DFZ_V6, .up_as = { 1, 2 } };
	struct kr_table_route *r;
	struct kr_err e = { 0 };
	CU_ASSERT_FATAL(kr_table_build(&s, &r, &e) == 0);
	size_t c4[129], h[KR_TABLE_MAX_HOPS + 1];
	kr_table_stats(r, kr_table_count(&s), KR_AFI_IPV4, c4, h);
	size_t sum = 0;
	for (int l = 0; l <= 32; l++)
		sum += c4[l];
	CU_ASSERT_EQUAL(sum, KR_TABLE_DFZ_V4);
	CU_ASSERT(c4[8] > 0 && c4[16] > 4000 && c4[22] > 100000);
	free(r);
}

struct keys {
	struct kr_key inner[26], up[2][2];
};

static void keys_load(struct keys *k)
{
	const uint32_t *as;
	size_t n = kr_table_ases(&as);
	struct kr_err e = { 0 };
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_FATAL(kr_table_key(&k->inner[i], as[i], 0, &e) == 0);
	for (int u = 0; u < 2; u++)
		for (unsigned g = 0; g < 2; g++)
			CU_ASSERT_FATAL(kr_table_key(&k->up[u][g], u ? 64497 : 65536, g, &e) == 0);
}

static void keys_free(struct keys *k)
{
	for (size_t i = 0; i < 26; i++)
		kr_key_free(&k->inner[i]);
	for (int u = 0; u < 2; u++)
		for (int g = 0; g < 2; g++)
			kr_key_free(&k->up[u][g]);
}

/* Every message validates (RFC 8205 §5.2) with the published keys. */
static size_t validate_all(const struct kr_signed_table *t, struct kr_keytab *kt, const uint8_t *up_ski[2])
{
	struct kr_update *u = malloc(sizeof *u);
	size_t ok = 0;
	for (int up = 0; up < 2; up++) {
		size_t off = 0, len;
		const uint8_t *m;
		while ((len = kr_signed_table_next(t, up, &off, &m))) {
			struct kr_err e;
			struct kr_val_result vr;
			struct kr_val_opts o = { .my_as = 65551, .peer_as = up ? 64497 : 65536 };
			if (kr_update_decode(u, m, len, KR_ATTR_BGPSEC_PATH, &e) == 0 &&
			    kr_bgpsec_validate(kt, u, &o, &vr) == 0 && vr.verdict == KR_VALID &&
			    !memcmp(u->bgpsec.blocks[0].segs[0].ski, up_ski[up], KR_SKI_LEN))
				ok++;
		}
	}
	free(u);
	return ok;
}

static void t_sign_cache_resign(void)
{
	struct keys k;
	keys_load(&k);
	struct kr_keytab *kt = kr_keytab_new();
	struct kr_err e = { 0 };
	for (size_t i = 0; i < 26; i++)
		kr_keytab_add_key(kt, &k.inner[i], &e);
	for (int u = 0; u < 2; u++)
		for (int g = 0; g < 2; g++)
			kr_keytab_add_key(kt, &k.up[u][g], &e);
	char dir[] = "/tmp/kr-table-test-XXXXXX";
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	struct kr_table_spec s = spec(600);
	struct kr_table_route *r;
	CU_ASSERT_FATAL(kr_table_build(&s, &r, &e) == 0);
	struct kr_table_sign_cfg c = { .spec = &s, .inner = k.inner, .ninner = 26,
				       .up = { &k.up[0][0], &k.up[1][0] }, .target_as = 65551,
				       .nh4 = { { 198, 18, 0, 2 }, { 198, 18, 0, 6 } }, .cache_dir = dir, .threads = 2 };
	struct kr_signed_table t0, t0b, t1;
	CU_ASSERT_FATAL(kr_table_sign(&c, r, &t0, &e) == 0);
	CU_ASSERT(!t0.cached);
	CU_ASSERT_EQUAL(t0.count[0] + t0.count[1], 600);
	CU_ASSERT(t0.signatures > 600 * 2 && t0.signatures < 600 * 5);
	const uint8_t *ski0[2] = { k.up[0][0].ski, k.up[1][0].ski }, *ski1[2] = { k.up[0][1].ski, k.up[1][1].ski };
	CU_ASSERT_EQUAL(validate_all(&t0, kt, ski0), 600);
	/* the second time it comes from the cache, byte for byte */
	CU_ASSERT_FATAL(kr_table_sign(&c, r, &t0b, &e) == 0);
	CU_ASSERT(t0b.cached);
	CU_ASSERT(t0b.len[0] == t0.len[0] && !memcmp(t0b.msgs[0], t0.msgs[0], t0.len[0]));
	/* the upstreams' next generation: only their segments change */
	c.up[0] = &k.up[0][1];
	c.up[1] = &k.up[1][1];
	CU_ASSERT_FATAL(kr_table_resign(&c, &t0, &t1, &e) == 0);
	CU_ASSERT_EQUAL(t1.signatures, 600);
	CU_ASSERT_EQUAL(validate_all(&t1, kt, ski1), 600);
	/* a corrupted cache file is signed again, not trusted */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", t0b.path);
	kr_signed_table_free(&t0b);
	CU_ASSERT_FATAL(truncate(path, 1000) == 0);
	c.up[0] = &k.up[0][0];
	c.up[1] = &k.up[1][0];
	CU_ASSERT_FATAL(kr_table_sign(&c, r, &t0b, &e) == 0);
	CU_ASSERT(!t0b.cached);
	kr_signed_table_free(&t0);
	kr_signed_table_free(&t0b);
	kr_signed_table_free(&t1);
	kr_keytab_free(kt);
	keys_free(&k);
	free(r);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT(system(cmd) == 0);
}

KR_TESTS("table", { "spec", t_spec }, { "dfz shape", t_build_dfz_shape }, { "dfz full", t_build_dfz_full },
	 { "sign, cache, re-sign", t_sign_cache_resign });
