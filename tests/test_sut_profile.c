/* SUT profile parser and template expansion, and the shipped profiles. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu.h"
#include "run/sut_exec.h"
#include "run/sut_profile.h"

static const char good[] =
	"# a profile\n"
	"[sut]\n"
	"name = demo\n"
	"start = {bin}/demo -c {config} {options}\n"
	"rekey = {bin}/demo rekey {role} {key}\n"
	"config = demo.conf.in\n"
	"\n"
	"[capabilities]\n"
	"can_rekey = yes\n"
	"mrai_ms = 30000\n"
	"ipv6 = no\n"
	"[options]\n"
	"fault = --fault {value}\n"
	"[expected-failures]\n"
	"rollover/3.1-5/1 = withdraws only after the next refresh\n";

static int parse(struct kr_sut_profile *p, const char *t, struct kr_err *e)
{
	kr_err_clear(e);
	return kr_sut_profile_parse(p, t, strlen(t), "x.profile", e);
}

static void t_parse_good(void)
{
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&p, good, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.name, "demo");
	CU_ASSERT_STRING_EQUAL(p.kind, "daemon");
	CU_ASSERT(kr_sut_cap_bool(&p, "can_rekey", false));
	CU_ASSERT(!kr_sut_cap_bool(&p, "ipv6", true));
	CU_ASSERT(kr_sut_cap_bool(&p, "can_stagger", true)); /* absent: default */
	CU_ASSERT_EQUAL(kr_sut_cap_int(&p, "mrai_ms", 0), 30000);
	CU_ASSERT_STRING_EQUAL(kr_sut_xfail(&p, "rollover/3.1-5/1"),
			       "withdraws only after the next refresh");
	CU_ASSERT_PTR_NULL(kr_sut_xfail(&p, "rollover/3.1-5/2"));
	char b[128];
	CU_ASSERT_PTR_NULL(kr_sut_action_unavailable(&p, KR_SUT_REKEY, b, sizeof b));
	CU_ASSERT_PTR_NOT_NULL(kr_sut_action_unavailable(&p, KR_SUT_STOP, b, sizeof b));
	kr_sut_profile_free(&p);
}

static void t_parse_errors(void)
{
	static const struct {
		const char *text;
		size_t line;
		const char *needle;
	} bad[] = {
		{ "name = x\n", 1, "outside any section" },
		{ "[sut]\nname = x\n[bogus]\n", 3, "unknown section" },
		{ "[sut]\nname = x\nstart = y\n[capabilities]\ncan_rekey = maybe\n", 5, "yes or no" },
		{ "[sut]\nname = x\nstart = y\n[capabilities]\nmrai_ms = -3\n", 5, "integer" },
		{ "[sut]\nname = x\nstart = y\n[capabilities]\ncan_rekee = yes\n", 5,
		  "unknown capability" },
		{ "[sut]\nname = x\n", 3, "missing 'start'" },
		{ "[sut]\nstart = y\n", 3, "missing 'name'" },
		{ "[sut]\nname = x\nstart = y\nfoo\n", 4, "key = value" },
		{ "[sut]\nname = x\nstart = y\n[expected-failures]\na/b/1 =\n", 5, "reason" },
		{ "[sut]\nname = x\nkind = device\nstart = manual: power it on\n", 5,
		  "interface" },
		{ "[sut]\nname = x\nstart = y\n[device]\ninterface = eth1\n", 6, "kind" },
		{ "[sut\n", 1, "section header" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kr_sut_profile p;
		struct kr_err e;
		CU_ASSERT_EQUAL(parse(&p, bad[i].text, &e), -1);
		CU_ASSERT_EQUAL(e.offset, bad[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].needle));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "x.profile:"));
		if (e.offset != bad[i].line || !strstr(e.msg, bad[i].needle))
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
	}
}

static void t_device_manual(void)
{
	const char *t = "[sut]\nname = box\nkind = device\nstart = manual: configure the router by hand\n"
			"rekey = manual: load the new key on the console\n[device]\ninterface = eth2\n";
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&p, t, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.interface, "eth2");
	char b[200];
	const char *why = kr_sut_action_unavailable(&p, KR_SUT_REKEY, b, sizeof b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	CU_ASSERT_STRING_EQUAL(why, "manual: load the new key on the console");
	CU_ASSERT(!p.lifetime_run);
	CU_ASSERT_EQUAL(p.confirm_timeout_s, 600);
	kr_sut_profile_free(&p);
}

/* The [device] addressing plan: VLAN ids and both ends per role; the
 * errors name the line. */
static void t_device_plan(void)
{
	const char *t = "[sut]\nname = box\nkind = device\nlifetime = run\nconfirm_timeout_s = 30\n"
			"start = manual: x\n[device]\ninterface = eth2\nnetns = lab\n"
			"rtr = vlan 100 198.18.10.2/24 198.18.10.1 2001:db8:10::2/64 2001:db8:10::1\n"
			"up1 = vlan 101\n"
			"dn1 = 198.18.11.2/30 198.18.11.1\n";
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&p, t, &e), 0);
	CU_ASSERT_STRING_EQUAL(p.netns, "lab");
	CU_ASSERT(p.lifetime_run);
	CU_ASSERT_EQUAL(p.confirm_timeout_s, 30);
	CU_ASSERT(p.dev[0].set);
	CU_ASSERT_EQUAL(p.dev[0].vlan, 100);
	CU_ASSERT_STRING_EQUAL(p.dev[0].addr4, "198.18.10.2/24");
	CU_ASSERT_STRING_EQUAL(p.dev[0].router4, "198.18.10.1");
	CU_ASSERT_STRING_EQUAL(p.dev[0].router6, "2001:db8:10::1");
	CU_ASSERT_EQUAL(p.dev[1].vlan, 101);
	CU_ASSERT_STRING_EQUAL(p.dev[1].addr4, "");
	CU_ASSERT(!p.dev[2].set);
	CU_ASSERT_STRING_EQUAL(p.dev[3].addr4, "198.18.11.2/30");
	kr_sut_profile_free(&p);

	static const struct {
		const char *body;
		const char *needle;
	} bad[] = {
		{ "up1 = vlan 0\n", "vlan needs an id" },
		{ "up1 = vlan 4095\n", "vlan needs an id" },
		{ "up1 = 198.18.1.2/24\n", "needs the router's address" },
		{ "up1 = 198.18.1.2/24 198.18.2.1\n", "not another address of" },
		{ "up1 = 198.18.1.2/24 198.18.1.2\n", "not another address of" },
		{ "up1 = 10.0.0.2/24 10.0.0.1\n", "only 198.18.0.0/15" },
		{ "up1 = 198.18.1.2/24 2001:db8::1\n", "bad router address" },
		{ "up1 = 198.18.1.2/24 198.18.1.1 198.18.1.3/24 198.18.1.1\n", "two IPv4 pairs" },
		{ "up9 = vlan 5\n", "unknown key 'up9'" },
		{ "up1 = vlan 5\nup2 = vlan 5\n", "share VLAN 5" },
		{ "up1 = 198.18.1.2/24 198.18.1.1\nup2 = 198.18.1.2/24 198.18.1.1\n", "share a harness address" },
		{ "up1 = vlan 5\nup1 = vlan 6\n", "given twice" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "[sut]\nname = x\nkind = device\nstart = manual: y\n[device]\n"
					    "interface = eth2\n%s", bad[i].body);
		CU_ASSERT_EQUAL(parse(&p, text, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].needle));
		CU_ASSERT(e.offset >= 7);
		if (!strstr(e.msg, bad[i].needle))
			fprintf(stderr, "%s -> %s\n", bad[i].body, e.msg);
	}
	CU_ASSERT_EQUAL(parse(&p, "[sut]\nname = x\nstart = y\nlifetime = forever\n", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "x.profile:4: lifetime must be"));
}

static void t_expand(void)
{
	struct kr_sut_vars *v = kr_sut_vars_new();
	kr_sut_vars_set(v, "asn", "64496");
	kr_sut_vars_set(v, "empty", "");
	struct kr_sut_vars *a = kr_sut_vars_add_item(v, "peers");
	kr_sut_vars_set(a, "addr", "198.18.0.2");
	kr_sut_vars_set(a, "bgpsec", "yes");
	struct kr_sut_vars *b = kr_sut_vars_add_item(v, "peers");
	kr_sut_vars_set(b, "addr", "198.18.0.6");
	kr_sut_vars_set(b, "bgpsec", "no");
	const char *t = "asn {asn}\n{#peers}peer {addr} as {asn}{?bgpsec} sec{/bgpsec}{!bgpsec} plain{/bgpsec}\n"
			"{/peers}{?empty}never{/empty}{{x}}\n";
	struct kr_bytes out = { 0 };
	struct kr_err e;
	kr_err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(kr_sut_expand(t, strlen(t), "t", v, &out, &e), 0);
	CU_ASSERT_STRING_EQUAL((char *)out.p, "asn 64496\npeer 198.18.0.2 as 64496 sec\n"
					      "peer 198.18.0.6 as 64496 plain\n{x}\n");
	CU_ASSERT_EQUAL(out.len, strlen((char *)out.p));
	kr_bytes_free(&out);

	static const struct {
		const char *t;
		size_t line;
		const char *needle;
	} bad[] = {
		{ "a\n{nope}", 2, "unknown variable {nope}" },
		{ "{#peers}x", 1, "never closed" },
		{ "a\nb\n{/peers}", 3, "without an opening" },
		{ "{asn", 1, "unterminated" },
		{ "}", 1, "unmatched" },
		{ "{peers}", 1, "is a list" },
		{ "{#asn}{/asn}", 1, "not a list" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kr_bytes o = { 0 };
		kr_err_clear(&e);
		CU_ASSERT_EQUAL(kr_sut_expand(bad[i].t, strlen(bad[i].t), "tpl", v, &o, &e), -1);
		CU_ASSERT_EQUAL(e.offset, bad[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bad[i].needle));
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "tpl:"));
		kr_bytes_free(&o);
	}
	kr_sut_vars_free(v);
}

static void t_options(void)
{
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse(&p, good, &e), 0);
	struct kr_sut_vars *v = kr_sut_vars_new();
	char *ok[] = { "fault=keep-old-key" };
	CU_ASSERT_EQUAL(kr_sut_apply_options(&p, ok, 1, v, &e), 0);
	kr_sut_vars_set(v, "bin", "build");
	kr_sut_vars_set(v, "config", "c.conf");
	struct kr_bytes out = { 0 };
	const char *s = p.action[KR_SUT_START];
	CU_ASSERT_EQUAL(kr_sut_expand(s, strlen(s), "start", v, &out, &e), 0);
	CU_ASSERT_STRING_EQUAL((char *)out.p, "build/demo -c c.conf --fault keep-old-key");
	kr_bytes_free(&out);
	char *unknown[] = { "speed=9" };
	CU_ASSERT_EQUAL(kr_sut_apply_options(&p, unknown, 1, v, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no option 'speed'"));
	char *evil[] = { "fault=x;rm" };
	CU_ASSERT_EQUAL(kr_sut_apply_options(&p, evil, 1, v, &e), -1);
	char *noeq[] = { "fault" };
	CU_ASSERT_EQUAL(kr_sut_apply_options(&p, noeq, 1, v, &e), -1);
	/* no options: {options} expands to nothing */
	CU_ASSERT_EQUAL(kr_sut_apply_options(&p, NULL, 0, v, &e), 0);
	CU_ASSERT_EQUAL(kr_sut_expand(s, strlen(s), "start", v, &out, &e), 0);
	CU_ASSERT_STRING_EQUAL((char *)out.p, "build/demo -c c.conf ");
	kr_bytes_free(&out);
	kr_sut_vars_free(v);
	kr_sut_profile_free(&p);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = malloc(1 << 16);
	*len = b ? fread(b, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	if (b)
		b[*len] = 0;
	return b;
}

/* Parse a profile file; 0, or -1 with the error printed. */
static int parse_file(const char *path, struct kr_sut_profile *p)
{
	size_t len;
	char *t = slurp(path, &len);
	if (!t)
		return -1;
	struct kr_err e;
	kr_err_clear(&e);
	int r = kr_sut_profile_parse(p, t, len, path, &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	free(t);
	return r;
}

/* The shipped profiles parse, and the reference speaker's template renders
 * with the variables sut/README.md documents. */
static void t_shipped_profiles(void)
{
	size_t len;
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse_file("sut/profiles/refspeaker.profile", &p), 0);
	CU_ASSERT(kr_sut_cap_bool(&p, "can_rekey", false));
	CU_ASSERT_EQUAL(kr_sut_cap_int(&p, "mrai_ms", -1), 0);
	char *t = slurp("sut/profiles/refspeaker.conf.in", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct kr_sut_vars *v = kr_sut_vars_new();
	const char *names[] = { "asn", "router_id", "workdir", "ctl", "rtr_host", "rtr_port",
				"origin_key", "transit_key", "policy" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		kr_sut_vars_set(v, names[i], "1");
	struct kr_sut_vars *pf = kr_sut_vars_add_item(v, "prefixes");
	kr_sut_vars_set(pf, "prefix", "192.0.2.0/24");
	struct kr_sut_vars *l = kr_sut_vars_add_item(v, "listen");
	kr_sut_vars_set(l, "addr", "198.18.0.1");
	struct kr_sut_vars *pe = kr_sut_vars_add_item(v, "peers");
	const char *pn[] = { "addr", "asn", "local_addr", "bgpsec_ipv4", "bgpsec_ipv6", "ipv4",
			     "ipv6", "passive", "pcount0" };
	for (size_t i = 0; i < sizeof pn / sizeof pn[0]; i++)
		kr_sut_vars_set(pe, pn[i], "1");
	struct kr_bytes out = { 0 };
	int r = kr_sut_expand(t, len, "refspeaker.conf.in", v, &out, &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL(r, 0);
	kr_bytes_free(&out);
	kr_sut_vars_free(v);
	free(t);
	kr_sut_profile_free(&p);
}

/* The lab router example: it parses, and its configuration and its manual
 * steps render with the variables the harness sets for a device. */
static void t_lab_router(void)
{
	size_t len;
	char *t = slurp("sut/profiles/lab-router.profile", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct kr_sut_profile p;
	struct kr_err e;
	kr_err_clear(&e);
	int r = kr_sut_profile_parse(&p, t, len, "lab-router.profile", &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	free(t);
	CU_ASSERT_STRING_EQUAL(p.kind, "device");
	CU_ASSERT(p.lifetime_run);
	CU_ASSERT(p.manual[KR_SUT_START] && p.manual[KR_SUT_REKEY]);
	CU_ASSERT_EQUAL(p.dev[1].vlan, 101);
	struct kr_sut_vars *v = kr_sut_vars_new();
	const char *names[] = { "asn", "router_id", "rtr_host", "rtr_port", "interface", "shared_key", "role",
				"key", "ski" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		kr_sut_vars_set(v, names[i], "X");
	kr_sut_vars_set(v, "stagger_ms", "0");
	struct kr_sut_vars *pf = kr_sut_vars_add_item(v, "prefixes");
	kr_sut_vars_set(pf, "prefix", "203.0.113.128/25");
	kr_sut_vars_set(pf, "net", "203.0.113.128");
	kr_sut_vars_set(pf, "mask", "255.255.255.128");
	kr_sut_vars_set(pf, "ipv6", "");
	const char *ln[] = { "role", "vlan", "addr", "local_addr", "plen", "mask", "addr6", "local_addr6", "plen6",
			     "asn", "bgpsec_ipv4" };
	for (int k = 0; k < 2; k++) {
		struct kr_sut_vars *it = kr_sut_vars_add_item(v, k ? "peers" : "links");
		for (size_t i = 0; i < sizeof ln / sizeof ln[0]; i++)
			kr_sut_vars_set(it, ln[i], "1");
	}
	t = slurp("sut/profiles/lab-router.conf.in", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct kr_bytes out = { 0 };
	r = kr_sut_expand(t, len, "lab-router.conf.in", v, &out, &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL(r, 0);
	CU_ASSERT_PTR_NOT_NULL(out.p && strstr((char *)out.p, "network 203.0.113.128 mask 255.255.255.128"));
	kr_bytes_free(&out);
	free(t);
	for (int a = KR_SUT_START; a <= KR_SUT_REKEY; a += KR_SUT_REKEY - KR_SUT_START) {
		r = kr_sut_expand(p.action[a], strlen(p.action[a]), "manual", v, &out, &e);
		if (r)
			fprintf(stderr, "%s\n", e.msg);
		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_PTR_NULL(out.p ? strchr((char *)out.p, '{') : "");
		kr_bytes_free(&out);
	}
	kr_sut_vars_free(v);
	kr_sut_profile_free(&p);
}

/* QuaggaSRx: the profile parses; bgpd.conf.in puts each prefix under its
 * address family (the per-prefix ipv6 variable) and names the
 * signing key's SKI through the start wrapper's token. */
static void t_quaggasrx_profile(void)
{
	size_t len;
	struct kr_sut_profile p;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(parse_file("sut/profiles/quaggasrx/quaggasrx.profile", &p), 0);
	CU_ASSERT_FALSE(kr_sut_cap_bool(&p, "origin_transit_split", true));
	char *t = slurp("sut/profiles/quaggasrx/bgpd.conf.in", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	struct kr_sut_vars *v = kr_sut_vars_new();
	kr_sut_vars_set(v, "asn", "65551");
	kr_sut_vars_set(v, "router_id", "198.18.0.6");
	kr_sut_vars_set(v, "shared_key", "/k/sut.pem");
	const char *pfx[][2] = { { "203.0.113.128/25", "" }, { "2001:db8:5e7::/48", "yes" } };
	for (size_t i = 0; i < 2; i++) {
		struct kr_sut_vars *it = kr_sut_vars_add_item(v, "prefixes");
		kr_sut_vars_set(it, "prefix", pfx[i][0]);
		kr_sut_vars_set(it, "ipv6", pfx[i][1]);
	}
	struct kr_sut_vars *pe = kr_sut_vars_add_item(v, "peers");
	kr_sut_vars_set(pe, "addr", "198.18.0.9");
	kr_sut_vars_set(pe, "asn", "65536");
	kr_sut_vars_set(pe, "ipv6", "yes");
	kr_sut_vars_set(pe, "passive", "yes");
	kr_sut_vars_set(pe, "bgpsec_ipv4", "send receive");
	struct kr_bytes out = { 0 };
	int r = kr_sut_expand(t, len, "bgpd.conf.in", v, &out, &e);
	if (r)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(r, 0);
	const char *c = (const char *)out.p;
	const char *af6 = strstr(c, "address-family ipv6");
	const char *n4 = strstr(c, " network 203.0.113.128/25\n");
	const char *n6 = strstr(c, "  network 2001:db8:5e7::/48\n");
	CU_ASSERT(af6 && n4 && n6 && n4 < af6 && n6 > af6);
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "srx bgpsec ski 0 1 @SKI:/k/sut.pem@"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "neighbor 198.18.0.9 remote-as 65536\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "neighbor 198.18.0.9 bgpsec both\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c, "  neighbor 198.18.0.9 activate\n"));
	kr_bytes_free(&out);
	kr_sut_vars_free(v);
	free(t);
	kr_sut_profile_free(&p);
}

/* {profile_dir} is the profile's absolute directory, whatever the working
 * directory; {bin} the build directory. */
static void t_base_vars(void)
{
	struct kr_sut_profile p;
	struct kr_err e;
	kr_err_clear(&e);
	const char txt[] = "[sut]\nname = x\nstart = {profile_dir}/run {bin}\n";
	CU_ASSERT_EQUAL_FATAL(kr_sut_profile_parse(&p, txt, sizeof txt - 1, "sut/profiles/refspeaker.profile", &e), 0);
	struct kr_sut_vars *v = kr_sut_vars_new();
	CU_ASSERT_EQUAL_FATAL(kr_sut_base_vars(&p, v), 0);
	char **argv = NULL, cwd[PATH_MAX], want[PATH_MAX + 32];
	CU_ASSERT_EQUAL_FATAL(kr_sut_argv(&p, KR_SUT_START, v, &argv, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(want, sizeof want, "%s/sut/profiles/run", cwd);
	CU_ASSERT_STRING_EQUAL(argv[0], want);
	CU_ASSERT(argv[1] && argv[1][0] == '/');
	free(argv);
	kr_sut_vars_free(v);
	kr_sut_profile_free(&p);
}

KR_TESTS("sut_profile", { "parse_good", t_parse_good }, { "parse_errors", t_parse_errors },
	 { "device_manual", t_device_manual }, { "device_plan", t_device_plan }, { "expand", t_expand }, { "options", t_options },
	 { "shipped_profiles", t_shipped_profiles }, { "lab_router", t_lab_router },
	 { "quaggasrx_profile", t_quaggasrx_profile }, { "base_vars", t_base_vars });
