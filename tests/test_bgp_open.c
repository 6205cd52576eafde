/* OPEN build/decode/encode and capabilities (RFC 5492, RFC 8205 §2.1). */
#include <string.h>

#include "wire/bgp_msg.h"
#include "cu.h"

static struct kr_open o;
static uint8_t m[4096], m2[4096];

/* Finds capability triple (code, len, val...) in the decoded list. */
static int has_cap(const uint8_t *t, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < o.ncaps; i++)
		if (o.caps[i].code == t[0] && o.caps[i].len == t[1] && n == 2u + t[1] &&
		    memcmp(o.caps[i].val, t + 2, t[1]) == 0)
			c++;
	return c;
}

static void t_build_decode(void)
{
	const uint8_t gr[] = { 0x40, 0x02 }; /* unknown to us: kept raw */
	struct kr_cap extra[] = { { 64, 2, gr } };
	struct kr_open_cfg c = { .asn = 65536, .hold_time = 90, .bgp_id = 0xC6120001,
				 .mp = { false, true, true }, .route_refresh = true,
				 .ext_msg = true, .bgpsec_send = { false, true, true },
				 .bgpsec_recv = { false, true, true }, .extra = extra, .nextra = 1 };
	size_t l, l2;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(kr_open_build(&c, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL_FATAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT_EQUAL(o.version, 4);
	CU_ASSERT_EQUAL(o.my_as, 23456); /* AS_TRANS */
	CU_ASSERT_EQUAL(o.hold_time, 90);
	CU_ASSERT_EQUAL(o.bgp_id, 0xC6120001);
	CU_ASSERT(o.has_as4 && o.as4 == 65536);
	CU_ASSERT_EQUAL(kr_open_peer_as(&o), 65536);
	CU_ASSERT(o.mp[1] && o.mp[2] && o.route_refresh && o.ext_msg);
	CU_ASSERT(o.bgpsec_send[1] && o.bgpsec_send[2] && o.bgpsec_recv[1] && o.bgpsec_recv[2]);
	CU_ASSERT(!o.bgpsec_other_version);
	CU_ASSERT_EQUAL(o.nparams, 1);
	CU_ASSERT_EQUAL(o.ncaps, 2 + 1 + 1 + 4 + 1 + 1);
	/* exact octets (RFC 8205 §2.1, RFC 6793 §3) */
	const uint8_t s4[] = { 7, 3, 8, 0, 1 }, r4[] = { 7, 3, 0, 0, 1 };
	const uint8_t s6[] = { 7, 3, 8, 0, 2 }, r6[] = { 7, 3, 0, 0, 2 };
	const uint8_t mp4[] = { 1, 4, 0, 1, 0, 1 }, mp6[] = { 1, 4, 0, 2, 0, 1 };
	const uint8_t as4[] = { 65, 4, 0, 1, 0, 0 }, g[] = { 64, 2, 0x40, 2 };
	CU_ASSERT(has_cap(s4, 5) == 1 && has_cap(r4, 5) == 1);
	CU_ASSERT(has_cap(s6, 5) == 1 && has_cap(r6, 5) == 1);
	CU_ASSERT(has_cap(mp4, 6) == 1 && has_cap(mp6, 6) == 1);
	CU_ASSERT(has_cap(as4, 6) == 1 && has_cap(g, 4) == 1);
	/* decode then encode: byte-exact */
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, sizeof m2, &l2, &e), 0);
	CU_ASSERT(l2 == l && memcmp(m, m2, l) == 0);
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, l - 1, &l2, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_NOSPACE);
	CU_ASSERT_EQUAL(kr_open_build(&c, m2, 40, &l2, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_NOSPACE);

	/* 2-octet AS, no AS4, receive only for IPv4 */
	struct kr_open_cfg c2 = { .asn = 64496, .hold_time = 3, .no_as4 = true,
				  .mp = { false, true }, .bgpsec_recv = { false, true } };
	CU_ASSERT_EQUAL(kr_open_build(&c2, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(!o.has_as4 && o.my_as == 64496 && kr_open_peer_as(&o) == 64496);
	CU_ASSERT(o.bgpsec_recv[1] && !o.bgpsec_send[1] && !o.bgpsec_recv[2] && !o.mp[2]);
	/* no capabilities at all */
	struct kr_open_cfg c3 = { .asn = 1, .no_as4 = true };
	CU_ASSERT_EQUAL(kr_open_build(&c3, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(l, 29);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(o.nparams == 0 && o.ncaps == 0);
}

static void t_many_caps(void)
{
	/* more than 255 octets of capabilities: split into several
	 * parameters, all preserved */
	static uint8_t vals[60][4];
	struct kr_cap extra[60];
	for (int i = 0; i < 60; i++) {
		memset(vals[i], i, 4);
		extra[i] = (struct kr_cap){ 200, 4, vals[i] };
	}
	struct kr_open_cfg c = { .asn = 65001, .no_as4 = true, .extra = extra, .nextra = 60 };
	size_t l, l2;
	struct kr_err e;
	CU_ASSERT_EQUAL(kr_open_build(&c, m, sizeof m, &l, &e), -1); /* 360 > 255 opt params */
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
	c.nextra = 42; /* 252 octets: one parameter */
	CU_ASSERT_EQUAL_FATAL(kr_open_build(&c, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(o.nparams == 1 && o.ncaps == 42);
	c.nextra = 41;
	c.no_as4 = false; /* 246 + 6 = 252 */
	CU_ASSERT_EQUAL(kr_open_build(&c, m, sizeof m, &l, &e), 0);
	c.nextra = 42; /* 258 octets of caps: two parameters, 262 > 255 */
	CU_ASSERT_EQUAL(kr_open_build(&c, m, sizeof m, &l, &e), -1);
	/* a capability too long for any parameter */
	static uint8_t huge[254];
	struct kr_cap hc = { 201, 254, huge };
	struct kr_open_cfg c5 = { .asn = 65001, .no_as4 = true, .extra = &hc, .nextra = 1 };
	CU_ASSERT_EQUAL(kr_open_build(&c5, m, sizeof m, &l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
	hc.len = 251; /* fills the 255 octets of optional parameters */
	CU_ASSERT_EQUAL_FATAL(kr_open_build(&c5, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(o.nparams == 1 && o.params[0].len == 253 && o.ncaps == 1 && o.caps[0].len == 251);
	hc.len = 252;
	CU_ASSERT_EQUAL(kr_open_build(&c5, m, sizeof m, &l, &e), -1);
	/* many small caps across parameters, decoded in order */
	struct kr_cap rr[70];
	for (int i = 0; i < 70; i++)
		rr[i] = (struct kr_cap){ 128, 0, NULL };
	struct kr_open_cfg c4 = { .asn = 65001, .no_as4 = true, .extra = rr, .nextra = 70 };
	CU_ASSERT_EQUAL(kr_open_build(&c4, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1); /* 70 > KR_MAX_CAPS */
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
	c4.nextra = 60;
	CU_ASSERT_EQUAL(kr_open_build(&c4, m, sizeof m, &l, &e), 0);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT_EQUAL(o.ncaps, 60);
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, sizeof m2, &l2, &e), 0);
	CU_ASSERT(l2 == l && memcmp(m, m2, l) == 0);
}

/* A hand-made OPEN: header + fixed part + params. */
static size_t mk(const uint8_t *params, size_t pl)
{
	memset(m, 0xff, 16);
	m[16] = (uint8_t)((29 + pl) >> 8);
	m[17] = (uint8_t)(29 + pl);
	m[18] = 1;
	const uint8_t fixed[] = { 4, 0xfd, 0xe9, 0, 90, 198, 18, 0, 1 };
	memcpy(m + 19, fixed, 9);
	m[28] = (uint8_t)pl;
	memcpy(m + 29, params, pl);
	return 29 + pl;
}

static void t_errors(void)
{
	struct kr_err e;
	size_t l2;
	/* unknown optional parameter type kept raw; round trip */
	const uint8_t p1[] = { 9, 2, 0xab, 0xcd, 2, 5, 7, 3, 0x0f, 0, 1 };
	size_t l = mk(p1, sizeof p1);
	CU_ASSERT_EQUAL_FATAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(o.nparams == 2 && o.params[0].type == 9 && o.ncaps == 1);
	CU_ASSERT(o.bgpsec_send[1]); /* unassigned bits 5-7 ignored */
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, sizeof m2, &l2, &e), 0);
	CU_ASSERT(l2 == l && memcmp(m, m2, l) == 0);
	/* another BGPsec version, unknown AFI */
	const uint8_t p2[] = { 2, 10, 7, 3, 0x18, 0, 1, 7, 3, 0x00, 0, 3 };
	l = mk(p2, sizeof p2);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), 0);
	CU_ASSERT(o.bgpsec_other_version && !o.bgpsec_send[1] && !o.bgpsec_recv[1]);
	/* BGPsec cap of length 4 (RFC 8205 §2.1 MUST be 3) */
	const uint8_t p3[] = { 2, 6, 7, 4, 8, 0, 1, 0 };
	l = mk(p3, sizeof p3);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_CAPABILITY);
	CU_ASSERT_EQUAL(e.offset, 31);
	/* MP cap of length 3; AS4 of length 2; route refresh with a value */
	const uint8_t p4[] = { 2, 5, 1, 3, 0, 1, 0 };
	l = mk(p4, sizeof p4);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	const uint8_t p5[] = { 2, 4, 65, 2, 0, 1 };
	l = mk(p5, sizeof p5);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	const uint8_t p6[] = { 2, 3, 2, 1, 0 };
	l = mk(p6, sizeof p6);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	/* capability overruns its parameter; header truncated */
	const uint8_t p7[] = { 2, 4, 65, 4, 0, 1 };
	l = mk(p7, sizeof p7);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_CAPABILITY);
	CU_ASSERT_EQUAL(e.offset, 31);
	const uint8_t p8[] = { 2, 1, 65 };
	l = mk(p8, sizeof p8);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_CAPABILITY);
	/* parameter overruns the message; parameter header truncated */
	const uint8_t p9[] = { 2, 9, 65, 4, 0, 1, 0, 0 };
	l = mk(p9, sizeof p9);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_OPEN);
	CU_ASSERT_EQUAL(e.offset, 29);
	const uint8_t p10[] = { 2 };
	l = mk(p10, sizeof p10);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_OPEN);
	/* opt param length disagrees with the message length */
	l = mk(p1, sizeof p1);
	m[28] = 3;
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_OPEN);
	CU_ASSERT_EQUAL(e.offset, 28);
	/* too many parameters */
	uint8_t many[2 * 40];
	for (int i = 0; i < 40; i++)
		many[2 * i] = 9, many[2 * i + 1] = 0;
	l = mk(many, sizeof many);
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_LIMIT);
	/* not an OPEN */
	l = mk(p1, sizeof p1);
	m[18] = 2;
	CU_ASSERT_EQUAL(kr_open_decode(&o, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_TYPE);
	/* every truncation fails */
	l = mk(p1, sizeof p1);
	for (size_t i = 0; i < l; i++)
		CU_ASSERT_EQUAL(kr_open_decode(&o, m, i, &e), -1);
	/* encode refuses more than 255 octets of parameters */
	kr_open_decode(&o, m, l, &e);
	o.nparams = 30;
	for (size_t i = 0; i < 30; i++)
		o.params[i] = (struct kr_open_param){ 9, 10, m };
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, sizeof m2, &l2, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_INVALID);
	o.nparams = 99;
	CU_ASSERT_EQUAL(kr_open_encode(&o, m2, sizeof m2, &l2, &e), -1);
}

KR_TESTS("bgp_open",
	 { "build, decode, encode", t_build_decode },
	 { "many capabilities", t_many_caps },
	 { "malformed OPENs", t_errors });
