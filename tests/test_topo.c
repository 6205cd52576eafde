/* Topology parser unit tests (pure, no namespaces). */
#include <arpa/inet.h>
#include <string.h>

#include "cu.h"
#include "net/topo.h"

static int parse(struct kr_topo *t, const char *s, struct kr_err *e)
{
	kr_err_clear(e);
	return kr_topo_parse(t, s, strlen(s), "t.topo", e);
}

static void t_standard_file(void)
{
	struct kr_topo t;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_topo_load(&t, "netns/rollover.topo", &e), 0);
	CU_ASSERT_EQUAL(t.nnodes, 7);
	CU_ASSERT_EQUAL(t.nlinks, 6);
	int sut = kr_topo_node(&t, "sut");
	CU_ASSERT_EQUAL(kr_topo_find_role(&t, KR_ROLE_SUT), sut);
	static const char *const peers[] = { "rtr", "up1", "up2", "dn1", "dn2", "exa" };
	for (size_t i = 0; i < 6; i++) {
		int p = kr_topo_node(&t, peers[i]);
		CU_ASSERT(p >= 0);
		CU_ASSERT(kr_topo_link(&t, (unsigned)p, (unsigned)sut) >= 0);
	}
	CU_ASSERT_EQUAL(t.nodes[kr_topo_node(&t, "exa")].role, KR_ROLE_PLAIN);
}

static void t_auto_addresses(void)
{
	struct kr_topo t;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&t, "node a host\nnode b host\nnode c host\n"
					"link a b\nlink c b  # comment\n", &e), 0);
	char s[64];
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[0].a4, s, sizeof s), "198.18.0.1");
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[0].b4, s, sizeof s), "198.18.0.2");
	CU_ASSERT_EQUAL(t.links[0].a4.plen, 30);
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[1].a4, s, sizeof s), "198.18.0.5");
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[1].b6, s, sizeof s), "2001:db8:0:2::2");
	CU_ASSERT_EQUAL(t.links[1].b6.plen, 64);
	CU_ASSERT_EQUAL(t.links[1].a, 2u);
	/* deterministic: same text, same addresses */
	struct kr_topo t2;
	parse(&t2, "node a host\nnode b host\nnode c host\nlink a b\nlink c b\n", &e);
	CU_ASSERT(!memcmp(&t.links, &t2.links, sizeof t.links[0] * 2) ||
		  t.links[1].line != t2.links[1].line);
}

static void t_explicit_addresses(void)
{
	struct kr_topo t;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&t, "node a host\nnode b host\n"
					"link a b 2001:db8:9::1/64 2001:db8:9::2/64 198.19.1.1/24 198.19.1.2/24\n",
				    &e), 0);
	char s[64];
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[0].b4, s, sizeof s), "198.19.1.2");
	CU_ASSERT_EQUAL(t.links[0].b4.plen, 24);
	CU_ASSERT_STRING_EQUAL(kr_ifaddr_str(&t.links[0].a6, s, sizeof s), "2001:db8:9::1");
	struct sockaddr_storage ss;
	CU_ASSERT_EQUAL(kr_ifaddr_sockaddr(&t.links[0].a4, 179, &ss), sizeof(struct sockaddr_in));
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&ss)->sin_port), 179);
}

/* Every error names file:line. */
static void expect_err(const char *text, unsigned line, const char *needle)
{
	struct kr_topo t;
	struct kr_err e;
	CU_ASSERT_EQUAL(parse(&t, text, &e), -1);
	CU_ASSERT_EQUAL(e.offset, line);
	char want[32];
	snprintf(want, sizeof want, "t.topo:%u:", line);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	if (!strstr(e.msg, needle))
		fprintf(stderr, "message '%s' lacks '%s'\n", e.msg, needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, needle));
}

static void t_errors(void)
{
	expect_err("node a host\nnode a host\n", 2, "twice");
	expect_err("node a hst\n", 1, "unknown role");
	expect_err("node A host\n", 1, "bad node name");
	expect_err("node lo host\n", 1, "bad node name");
	expect_err("node abcdefghijklmnop host\n", 1, "bad node name");
	expect_err("node a host\nlink a b\n", 2, "unknown node 'b'");
	expect_err("node a host\nlink a a\n", 2, "itself");
	expect_err("node a host\nnode b host\nlink a b\nlink b a\n", 4, "second link");
	expect_err("node a host\nnode b host\nlink a b 10.0.0.1/30 10.0.0.2/30\n", 3, "outside");
	expect_err("node a host\nnode b host\nlink a b 198.18.0.1/30\n", 3, "expected 'link");
	expect_err("node a host\nnode b host\nlink a b 198.18.9.1/30 2001:db8::2/64\n", 3, "pair");
	expect_err("node a host\nnode b host\nlink a b 198.18.9.1 198.18.9.2\n", 3, "bad address");
	expect_err("node a host\nnode b host\nlink a b 198.18.9.1/30 198.18.9.1/30\n", 3, "distinct");
	expect_err("node a host\nnode b host\nnode c host\nlink a b\nlink b c 198.18.0.1/30 198.18.0.9/30\n",
		   5, "also used on line 4");
	expect_err("node a sut\nnode b sut\n", 2, "second sut");
	expect_err("\n\nfrobnicate\n", 3, "unknown statement");
	expect_err("node a host extra\n", 1, "expected 'node");
	struct kr_topo t;
	struct kr_err e;
	CU_ASSERT_EQUAL(parse(&t, "# nothing\n", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no nodes"));
	const char nul[] = "node a host\nnode b\0 host\n";
	CU_ASSERT_EQUAL(kr_topo_parse(&t, nul, sizeof nul - 1, "t.topo", &e), -1);
	CU_ASSERT_EQUAL(e.offset, 2);
	CU_ASSERT_EQUAL(kr_topo_load(&t, "netns/does-not-exist.topo", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does-not-exist"));
}

static void t_limits(void)
{
	char buf[8192];
	size_t o = 0;
	for (int i = 0; i <= KR_TOPO_MAX_NODES; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "node n%d host\n", i);
	struct kr_topo t;
	struct kr_err e;
	CU_ASSERT_EQUAL(kr_topo_parse(&t, buf, o, "t.topo", &e), -1);
	CU_ASSERT_EQUAL(e.offset, KR_TOPO_MAX_NODES + 1);
	/* 64 links (all auto-addressed) still fit and stay unique */
	o = 0;
	for (int i = 0; i < 9; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "node n%d host\n", i);
	int links = 0;
	for (int i = 0; i < 9; i++)
		for (int j = i + 1; j < 9 && links < KR_TOPO_MAX_LINKS; j++, links++)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "link n%d n%d\n", i, j);
	CU_ASSERT_EQUAL(kr_topo_parse(&t, buf, o, "t.topo", &e), 0);
	CU_ASSERT_EQUAL(t.nlinks, (size_t)links);
}

KR_TESTS("topo",
	 { "standard rollover file", t_standard_file },
	 { "automatic addresses", t_auto_addresses },
	 { "explicit addresses", t_explicit_addresses },
	 { "errors name file:line", t_errors },
	 { "limits", t_limits });
