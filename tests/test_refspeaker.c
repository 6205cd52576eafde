/* Reference speaker: configuration parser, RIB decision process, fault
 * table (the parts without I/O). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "rs_config.h"
#include "rs_faults.h"
#include "rs_rib.h"

static const char good[] =
	"# comment\n"
	"asn 65536\n"
	"router-id 198.18.0.1\n"
	"listen 198.18.0.1\n"
	"listen 2001:db8::1 port 1179\n"
	"ctl /tmp/x.sock\n"
	"rtr 198.18.9.1 port 8323 refresh 1 retry 2 expire 700\n"
	"key origin o.pem\n"
	"key transit t.pem\n"
	"key-state /tmp/ks\n"
	"prefix 192.0.2.0/24\n"
	"prefix 2001:db8:100::/48\n"
	"policy keep-lower-pref\n"
	"peer 198.18.0.2 {\n"
	"  asn 64496   # up1\n"
	"  passive\n"
	"  bgpsec ipv4 send receive\n"
	"  bgpsec ipv6 receive\n"
	"  pcount0\n"
	"}\n"
	"peer 2001:db8::2 {\n"
	"  asn 64497\n"
	"  local-address 2001:db8::1\n"
	"  family ipv6\n"
	"  bgpsec ipv6\n"
	"}\n";

static int parse(struct rs_config *c, const char *t, struct kr_err *e)
{
	kr_err_clear(e);
	return rs_config_parse(c, t, strlen(t), "rs.conf", e);
}

static void t_config_good(void)
{
	static struct rs_config c;
	struct kr_err e;
	int r = parse(&c, good, &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_EQUAL(c.asn, 65536);
	CU_ASSERT_EQUAL(c.router_id, 0xC6120001);
	CU_ASSERT_EQUAL(c.nlisten, 2);
	CU_ASSERT_EQUAL(c.listen_port, 1179);
	CU_ASSERT_STRING_EQUAL(c.rtr_host, "198.18.9.1");
	CU_ASSERT_STRING_EQUAL(c.rtr_port, "8323");
	CU_ASSERT_EQUAL(c.rtr_refresh, 1);
	CU_ASSERT_EQUAL(c.rtr_expire, 700);
	CU_ASSERT_STRING_EQUAL(c.origin_key, "o.pem");
	CU_ASSERT(!c.shared_key);
	CU_ASSERT_STRING_EQUAL(c.key_state, "/tmp/ks");
	CU_ASSERT_EQUAL(c.nprefixes, 2);
	CU_ASSERT_EQUAL(c.policy, RS_POLICY_KEEP_LOWER);
	CU_ASSERT_EQUAL_FATAL(c.npeers, 2);
	const struct rs_peer_cfg *p = &c.peers[0];
	CU_ASSERT_EQUAL(p->asn, 64496);
	CU_ASSERT(p->passive && p->pcount0);
	CU_ASSERT(p->sec_send[1] && p->sec_recv[1] && !p->sec_send[2] && p->sec_recv[2]);
	CU_ASSERT(p->family[1] && p->family[2]);
	p = &c.peers[1];
	CU_ASSERT(!p->passive && p->has_local && !p->family[1] && p->family[2]);
	CU_ASSERT(p->sec_send[2] && p->sec_recv[2]);
	CU_ASSERT_EQUAL(p->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(p->line, 21);
}

static void t_config_errors(void)
{
	static const struct {
		const char *text;
		size_t line;
		const char *needle;
	} bad[] = {
		{ "asn 1\nrouter-id 1.2.3.4\nbogus 3\n", 3, "unknown statement 'bogus'" },
		{ "asn x\n", 1, "not a number" },
		{ "asn 23456\n", 1, "reserved" },
		{ "router-id 1.2.3.4\n", 2, "missing 'asn'" },
		{ "asn 1\n", 2, "missing 'router-id'" },
		{ "asn 1\nrouter-id 1.2.3.4\nprefix 10.0.0.0/33\n", 3, "bad prefix" },
		{ "asn 1\nrouter-id 1.2.3.4\nprefix 10.0.0.0/8\nprefix 10.0.0.0/8\n", 4, "twice" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n", 5, "not closed" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n passive\n}\n", 3, "without 'asn'" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 1\n}\n", 3, "iBGP" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n bgpsec ipv5\n}\n", 5,
		  "address family" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n family ipv6\n bgpsec ipv4\n}\n",
		  3, "needs that family" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n bgpsec ipv4 send\n}\n", 7,
		  "keys missing" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n passive\n}\n", 7,
		  "listen" },
		{ "asn 1\nrouter-id 1.2.3.4\npolicy maybe\n", 3, "policy" },
		{ "asn 1\nrouter-id 1.2.3.4\n}\n", 3, "without an open peer" },
		{ "asn 1\nrouter-id 1.2.3.4\nrtr h port 99999\n", 3, "rtr port" },
		{ "asn 1\nrouter-id 1.2.3.4\npeer 198.18.0.2 {\n asn 2\n}\npeer 198.18.0.2 {\n"
		  " asn 3\n}\n",
		  6, "twice" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static struct rs_config c;
		struct kr_err e;
		CU_ASSERT_EQUAL(parse(&c, bad[i].text, &e), -1);
		bool ok = e.offset == bad[i].line && strstr(e.msg, bad[i].needle) &&
			  strstr(e.msg, "rs.conf:");
		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "case %zu: line %zu: %s\n", i, e.offset, e.msg);
	}
}

static struct rs_path *mkpath(struct rs_rib *r, enum rs_val v, uint32_t len)
{
	uint8_t m[1] = { 0 };
	struct rs_path *p = rs_path_new(r, m, 1);
	p->val = v;
	p->bgpsec = v != RS_UNSIGNED;
	p->path_len = len;
	return p;
}

static void t_rib_decision(void)
{
	struct rs_addr a[3];
	rs_addr_parse(&a[0], "198.18.0.9", 0);
	rs_addr_parse(&a[1], "198.18.0.2", 0);
	rs_addr_parse(&a[2], "2001:db8::1", 0);
	struct rs_rib *r = rs_rib_new(3, a);
	struct kr_prefix pf;
	kr_prefix_parse(&pf, "192.0.2.0/24");
	struct rs_dest *d = rs_rib_get(r, &pf, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_EQUAL(rs_rib_get(r, &pf, false), d);
	CU_ASSERT_EQUAL(rs_rib_count(r), 1);

	/* Valid beats a shorter unsigned path */
	rs_rib_set_path(r, d, 0, mkpath(r, RS_VALID, 3));
	rs_rib_set_path(r, d, 1, mkpath(r, RS_UNSIGNED, 1));
	CU_ASSERT(rs_rib_decide(r, d, RS_POLICY_REJECT));
	CU_ASSERT_EQUAL(d->best, 0);
	CU_ASSERT(!rs_rib_decide(r, d, RS_POLICY_REJECT)); /* unchanged */
	/* same validity: shortest path */
	rs_rib_set_path(r, d, 1, mkpath(r, RS_VALID, 2));
	CU_ASSERT(rs_rib_decide(r, d, RS_POLICY_REJECT));
	CU_ASSERT_EQUAL(d->best, 1);
	/* same length: lowest address (198.18.0.2 < 198.18.0.9 < IPv6) */
	rs_rib_set_path(r, d, 0, mkpath(r, RS_VALID, 2));
	rs_rib_set_path(r, d, 2, mkpath(r, RS_VALID, 2));
	rs_rib_decide(r, d, RS_POLICY_REJECT);
	CU_ASSERT_EQUAL(d->best, 1);
	/* a new path object from the same peer counts as a change */
	rs_rib_set_path(r, d, 1, mkpath(r, RS_VALID, 2));
	CU_ASSERT(rs_rib_decide(r, d, RS_POLICY_REJECT));
	/* Not Valid: ineligible under reject, lowest preference under keep */
	rs_rib_del_path(d, 0);
	rs_rib_del_path(d, 2);
	rs_rib_set_path(r, d, 1, mkpath(r, RS_NOTVALID, 1));
	rs_rib_decide(r, d, RS_POLICY_REJECT);
	CU_ASSERT_EQUAL(d->best, RS_BEST_NONE);
	CU_ASSERT_PTR_NULL(rs_dest_best(d));
	rs_rib_decide(r, d, RS_POLICY_KEEP_LOWER);
	CU_ASSERT_EQUAL(d->best, 1);
	rs_rib_set_path(r, d, 2, mkpath(r, RS_UNSIGNED, 5));
	rs_rib_decide(r, d, RS_POLICY_KEEP_LOWER);
	CU_ASSERT_EQUAL(d->best, 2);
	/* local origination wins */
	d->local = true;
	rs_rib_decide(r, d, RS_POLICY_KEEP_LOWER);
	CU_ASSERT_EQUAL(d->best, RS_BEST_LOCAL);
	d->local = false;
	/* gc keeps a dest with paths, drops an empty one */
	rs_rib_gc(r, d);
	CU_ASSERT_EQUAL(rs_rib_count(r), 1);
	rs_rib_del_path(d, 1);
	rs_rib_del_path(d, 2);
	rs_rib_gc(r, d);
	CU_ASSERT_EQUAL(rs_rib_count(r), 0);
	rs_rib_free(r);
}

static void t_rib_many(void)
{
	struct rs_addr a;
	rs_addr_parse(&a, "198.18.0.2", 0);
	struct rs_rib *r = rs_rib_new(1, &a);
	for (unsigned i = 0; i < 5000; i++) {
		char b[40];
		snprintf(b, sizeof b, "10.%u.%u.0/24", i / 256, i % 256);
		struct kr_prefix pf;
		CU_ASSERT_EQUAL_FATAL(kr_prefix_parse(&pf, b), 0);
		struct rs_dest *d = rs_rib_get(r, &pf, true);
		rs_rib_set_path(r, d, 0, mkpath(r, RS_VALID, 1));
	}
	CU_ASSERT_EQUAL(rs_rib_count(r), 5000);
	struct kr_prefix pf;
	kr_prefix_parse(&pf, "10.7.7.0/24");
	CU_ASSERT_PTR_NOT_NULL(rs_rib_get(r, &pf, false));
	kr_prefix_parse(&pf, "10.7.7.0/25");
	CU_ASSERT_PTR_NULL(rs_rib_get(r, &pf, false));
	rs_rib_free(r);
}

static void t_path_refs(void)
{
	struct rs_addr a;
	rs_addr_parse(&a, "198.18.0.2", 0);
	struct rs_rib *r = rs_rib_new(1, &a);
	struct rs_path *p = mkpath(r, RS_VALID, 2);
	p->sigs = calloc(2, sizeof *p->sigs);
	p->nsigs = 2;
	p->sigs[0].asn = 64496;
	p->sigs[0].ski[0] = 0xAA;
	p->sigs[1].asn = 65536;
	p->asns = calloc(2, sizeof *p->asns);
	p->nasns = 2;
	p->asns[0] = 64496;
	p->asns[1] = 65536;
	uint8_t ski[KR_SKI_LEN] = { 0xAA };
	CU_ASSERT(rs_path_has_sig(p, 64496, ski));
	CU_ASSERT(!rs_path_has_sig(p, 65536, ski));
	CU_ASSERT(rs_path_has_as(p, 65536));
	CU_ASSERT(!rs_path_has_as(p, 1));
	rs_path_free(p);
	rs_rib_free(r);
}

static void t_faults(void)
{
	size_t n = 0;
	while (rs_fault_name(n))
		n++;
	CU_ASSERT(n >= 12);
	CU_ASSERT_EQUAL(rs_fault_enable("no-such-fault"), -1);
	CU_ASSERT_STRING_EQUAL(rs_fault_active(), "");
	CU_ASSERT_EQUAL(rs_fault_enable("keep-old-key"), 0);
	CU_ASSERT(rs_fault.keep_old_key);
	CU_ASSERT_STRING_EQUAL(rs_fault_active(), "keep-old-key");
	memset(&rs_fault, 0, sizeof rs_fault);
	/* every fault has a FAULTS.md heading */
	FILE *f = fopen("sut/refspeaker/FAULTS.md", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static char doc[1 << 16];
	size_t len = fread(doc, 1, sizeof doc - 1, f);
	doc[len] = 0;
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		char h[80];
		snprintf(h, sizeof h, "\n## %s\n", rs_fault_name(i));
		CU_ASSERT_PTR_NOT_NULL(strstr(doc, h));
		if (!strstr(doc, h))
			fprintf(stderr, "FAULTS.md lacks '## %s'\n", rs_fault_name(i));
	}
}

KR_TESTS("refspeaker", { "config_good", t_config_good }, { "config_errors", t_config_errors },
	 { "rib_decision", t_rib_decision }, { "rib_many", t_rib_many },
	 { "path_refs", t_path_refs }, { "faults", t_faults });
