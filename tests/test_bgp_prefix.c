/* Prefix text, canonical form and NLRI encoding. */
#include <string.h>

#include "wire/bgp_msg.h"
#include "cu.h"

static void t_parse_format(void)
{
	struct kr_prefix p;
	char s[64];
	CU_ASSERT_EQUAL_FATAL(kr_prefix_parse(&p, "192.0.2.0/24"), 0);
	CU_ASSERT(p.afi == KR_AFI_IPV4 && p.len == 24);
	CU_ASSERT(p.addr[0] == 192 && p.addr[1] == 0 && p.addr[2] == 2 && p.addr[3] == 0);
	kr_prefix_format(&p, s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "192.0.2.0/24");
	CU_ASSERT_EQUAL_FATAL(kr_prefix_parse(&p, "2001:db8::/32"), 0);
	CU_ASSERT(p.afi == KR_AFI_IPV6 && p.len == 32);
	kr_prefix_format(&p, s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "2001:db8::/32");
	/* host bits dropped from text */
	CU_ASSERT_EQUAL(kr_prefix_parse(&p, "198.18.7.200/25"), 0);
	CU_ASSERT_EQUAL(p.addr[3], 128);
	CU_ASSERT_EQUAL(kr_prefix_parse(&p, "0.0.0.0/0"), 0);
	CU_ASSERT_EQUAL(kr_prefix_parse(&p, "2001:db8::1/128"), 0);
	CU_ASSERT_EQUAL(p.addr[15], 1);
	const char *bad[] = { "192.0.2.0", "192.0.2.0/33", "2001:db8::/129", "x/8", "192.0.2.0/",
			      "192.0.2.0/-1", "192.0.2.0/24x", "/24", "",
			      "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/8" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CU_ASSERT_EQUAL(kr_prefix_parse(&p, bad[i]), -1);
	memset(&p, 0, sizeof p);
	p.afi = 7;
	kr_prefix_format(&p, s, sizeof s);
	CU_ASSERT_STRING_EQUAL(s, "afi7?/0");
}

static void t_canon_eq(void)
{
	struct kr_prefix a = { KR_AFI_IPV4, 23, { 192, 0, 3, 0xff } }, b;
	CU_ASSERT_EQUAL(kr_prefix_parse(&b, "192.0.2.0/23"), 0);
	CU_ASSERT(kr_prefix_eq(&a, &b)); /* trailing bits ignored */
	kr_prefix_canon(&a);
	CU_ASSERT(a.addr[2] == 2 && a.addr[3] == 0);
	b.len = 24;
	CU_ASSERT(!kr_prefix_eq(&a, &b));
	struct kr_prefix c = { KR_AFI_IPV6, 128, { 0x20, 1, 0xd, 0xb8 } };
	c.addr[15] = 9;
	kr_prefix_canon(&c);
	CU_ASSERT_EQUAL(c.addr[15], 9);
	c.len = 127;
	kr_prefix_canon(&c);
	CU_ASSERT_EQUAL(c.addr[15], 8);
	struct kr_prefix d = c;
	d.afi = KR_AFI_IPV4;
	CU_ASSERT(!kr_prefix_eq(&c, &d));
}

static void t_nlri(void)
{
	uint8_t buf[64];
	struct kr_wr w = kr_wr_init(buf, sizeof buf);
	struct kr_prefix p[3], q;
	kr_prefix_parse(&p[0], "192.0.2.0/24");
	kr_prefix_parse(&p[1], "0.0.0.0/0");
	kr_prefix_parse(&p[2], "198.18.0.1/32");
	for (int i = 0; i < 3; i++)
		kr_nlri_put(&w, &p[i]);
	CU_ASSERT(!w.bad);
	CU_ASSERT_EQUAL(w.off, 4 + 1 + 5);
	const uint8_t want[] = { 24, 192, 0, 2, 0, 32, 198, 18, 0, 1 };
	CU_ASSERT(memcmp(buf, want, sizeof want) == 0);
	struct kr_nlri_iter it;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, buf, w.off);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(kr_nlri_next(&it, &q));
		CU_ASSERT(kr_prefix_eq(&q, &p[i]));
	}
	CU_ASSERT(!kr_nlri_next(&it, &q));
	/* bad length and truncated fields stop the iteration */
	const uint8_t bad1[] = { 33, 1, 2, 3, 4, 5 };
	kr_nlri_iter_init(&it, KR_AFI_IPV4, bad1, sizeof bad1);
	CU_ASSERT(!kr_nlri_next(&it, &q));
	const uint8_t bad2[] = { 24, 1, 2 };
	kr_nlri_iter_init(&it, KR_AFI_IPV4, bad2, sizeof bad2);
	CU_ASSERT(!kr_nlri_next(&it, &q));
	const uint8_t v6[] = { 128, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	kr_nlri_iter_init(&it, KR_AFI_IPV6, v6, sizeof v6);
	CU_ASSERT(kr_nlri_next(&it, &q));
	CU_ASSERT(q.len == 128 && q.addr[15] == 1 && q.afi == KR_AFI_IPV6);
	/* trailing bits kept as received (byte-exact re-encode) */
	const uint8_t tb[] = { 23, 192, 0, 3 };
	kr_nlri_iter_init(&it, KR_AFI_IPV4, tb, sizeof tb);
	CU_ASSERT(kr_nlri_next(&it, &q));
	CU_ASSERT_EQUAL(q.addr[2], 3);
	w = kr_wr_init(buf, sizeof buf);
	kr_nlri_put(&w, &q);
	CU_ASSERT(w.off == 4 && memcmp(buf, tb, 4) == 0);
	/* writer overflow, impossible length */
	w = kr_wr_init(buf, 2);
	kr_nlri_put(&w, &p[0]);
	CU_ASSERT(w.bad);
	q.len = 200;
	w = kr_wr_init(buf, sizeof buf);
	kr_nlri_put(&w, &q);
	CU_ASSERT(w.bad);
}

KR_TESTS("bgp_prefix",
	 { "parse and format", t_parse_format },
	 { "canon and eq", t_canon_eq },
	 { "NLRI put and iterate", t_nlri });
