/* RTR PDU codec: example PDUs built from the RFC 8210 §5 layouts, round trips, and the
 * Error Report code and offset of each malformation. */
#include <string.h>

#include "cu.h"
#include "wire/rtr_pdu.h"

static size_t unhex(uint8_t *out, size_t cap, const char *s)
{
	char compact[4096];
	size_t k = 0;
	for (; *s && k < sizeof compact - 1; s++)
		if (*s != ' ')
			compact[k++] = *s;
	long n = kr_hex_decode(out, cap, compact, k);
	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n;
}

/* Decode, re-encode, compare octets. */
static void roundtrip(const char *hex, uint8_t type)
{
	uint8_t in[512], out[512];
	size_t n = unhex(in, sizeof in, hex);
	struct kr_rtr_pdu p;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_rtr_decode(in, n, &p, &e), 0);
	CU_ASSERT_EQUAL(p.type, type);
	struct kr_wr w = kr_wr_init(out, sizeof out);
	CU_ASSERT_EQUAL(kr_rtr_encode(&p, &w), 0);
	CU_ASSERT_EQUAL(w.off, n);
	CU_ASSERT(memcmp(in, out, n) == 0);
	CU_ASSERT_EQUAL(kr_rtr_encoded_len(&p), n);
}

static void t_spec_examples(void)
{
	roundtrip("01 00 12 34 00 00 00 0C 00 00 00 05", KR_RTR_SERIAL_NOTIFY);
	roundtrip("01 01 12 34 00 00 00 0C 00 00 00 05", KR_RTR_SERIAL_QUERY);
	roundtrip("01 02 00 00 00 00 00 08", KR_RTR_RESET_QUERY);
	roundtrip("01 03 12 34 00 00 00 08", KR_RTR_CACHE_RESPONSE);
	roundtrip("01 04 00 00 00 00 00 14 01 18 18 00 C0 00 02 00 00 00 FB F0", KR_RTR_IPV4_PREFIX);
	roundtrip("01 06 00 00 00 00 00 20 01 20 30 00 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 00 00 00 FB F0",
		  KR_RTR_IPV6_PREFIX);
	roundtrip("01 07 12 34 00 00 00 18 00 00 00 05 00 00 0E 10 00 00 02 58 00 00 1C 20", KR_RTR_END_OF_DATA);
	roundtrip("01 08 00 00 00 00 00 08", KR_RTR_CACHE_RESET);
	roundtrip("01 0A 00 04 00 00 00 1B 00 00 00 08 01 02 00 00 00 00 00 08 00 00 00 03 62 61 64",
		  KR_RTR_ERROR_REPORT);
	roundtrip("00 07 12 34 00 00 00 0C 00 00 00 05", KR_RTR_END_OF_DATA);
}

static void t_fields(void)
{
	uint8_t in[64];
	size_t n = unhex(in, sizeof in, "01 07 12 34 00 00 00 18 00 00 00 05 00 00 0E 10 00 00 02 58 00 00 1C 20");
	struct kr_rtr_pdu p;
	CU_ASSERT_EQUAL(kr_rtr_decode(in, n, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.session_id, 0x1234);
	CU_ASSERT_EQUAL(p.serial, 5);
	CU_ASSERT_EQUAL(p.refresh, 3600);
	CU_ASSERT_EQUAL(p.retry, 600);
	CU_ASSERT_EQUAL(p.expire, 7200);
	n = unhex(in, sizeof in, "01 04 00 00 00 00 00 14 01 18 18 00 C0 00 02 00 00 00 FB F0");
	CU_ASSERT_EQUAL(kr_rtr_decode(in, n, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.flags, 1);
	CU_ASSERT_EQUAL(p.prefix_len, 24);
	CU_ASSERT_EQUAL(p.asn, 64496);
	CU_ASSERT(p.addr[0] == 192 && p.addr[2] == 2);
	n = unhex(in, sizeof in, "01 0A 00 04 00 00 00 1B 00 00 00 08 01 02 00 00 00 00 00 08 00 00 00 03 62 61 64");
	CU_ASSERT_EQUAL(kr_rtr_decode(in, n, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.error_code, 4);
	CU_ASSERT_EQUAL(p.encap_len, 8);
	CU_ASSERT_EQUAL(p.text_len, 3);
	CU_ASSERT(memcmp(p.text, "bad", 3) == 0);
}

static void t_router_key(void)
{
	/* A P-256 SPKI shape: SEQUENCE of 89 octets (content is irrelevant to
	 * the codec beyond DER framing). */
	uint8_t spki[91] = { 0x30, 0x59 };
	for (int i = 2; i < 91; i++)
		spki[i] = (uint8_t)i;
	struct kr_rtr_pdu p = kr_rtr_pdu_make(1, KR_RTR_ROUTER_KEY, 0, 0);
	p.flags = 1;
	p.asn = 64496;
	memset(p.ski, 0xAB, sizeof p.ski);
	p.spki = spki;
	p.spki_len = sizeof spki;
	uint8_t out[256];
	struct kr_wr w = kr_wr_init(out, sizeof out);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&p, &w), 0);
	CU_ASSERT_EQUAL(w.off, 123);
	CU_ASSERT(out[0] == 1 && out[1] == 9 && out[2] == 1 && out[3] == 0 && out[7] == 0x7B);
	CU_ASSERT(out[28] == 0 && out[30] == 0xFB && out[31] == 0xF0);
	struct kr_rtr_pdu d;
	CU_ASSERT_EQUAL(kr_rtr_decode(out, w.off, &d, NULL), 0);
	CU_ASSERT_EQUAL(d.spki_len, 91);
	CU_ASSERT(memcmp(d.spki, spki, 91) == 0);
	CU_ASSERT(memcmp(d.ski, p.ski, 20) == 0);
	/* Version 0 has no Router Key: the encoder refuses, the decoder says
	 * Unsupported PDU Type at octet 1. */
	p.version = 0;
	w = kr_wr_init(out, sizeof out);
	CU_ASSERT_EQUAL(kr_rtr_encode(&p, &w), -1);
	out[0] = 0;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_rtr_decode(out, 123, &d, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_RTR_E_UNSUPPORTED_PDU);
	CU_ASSERT_EQUAL(e.offset, 1);
}

static void expect_err(const char *hex, int code, size_t off)
{
	uint8_t in[256];
	size_t n = unhex(in, sizeof in, hex);
	struct kr_rtr_pdu p;
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_rtr_decode(in, n, &p, &e), -1);
	CU_ASSERT_EQUAL(e.code, code);
	CU_ASSERT_EQUAL(e.offset, off);
	CU_ASSERT(e.msg[0] != 0);
}

static void t_errors(void)
{
	expect_err("02 02 00 00 00 00 00 08", KR_RTR_E_UNSUPPORTED_VERSION, 0);
	expect_err("01 05 00 00 00 00 00 08", KR_RTR_E_UNSUPPORTED_PDU, 1);
	expect_err("01 FF 00 00 00 00 00 08", KR_RTR_E_UNSUPPORTED_PDU, 1);
	expect_err("01 02 00 00 00 00 00 0C 00 00 00 00", KR_RTR_E_CORRUPT, 4);  /* Reset Query of 12 */
	expect_err("01 02 00 00 00 00 00 09", KR_RTR_E_CORRUPT, 4);              /* length != buffer */
	expect_err("01 02 00 00", KR_RTR_E_CORRUPT, 4);                          /* short header */
	expect_err("01 04 00 00 00 00 00 14 01 21 21 00 C0 00 02 00 00 00 FB F0", KR_RTR_E_CORRUPT, 9);
	expect_err("01 04 00 00 00 00 00 14 01 18 10 00 C0 00 02 00 00 00 FB F0", KR_RTR_E_CORRUPT, 10);
	expect_err("01 07 12 34 00 00 00 0C 00 00 00 05", KR_RTR_E_CORRUPT, 4); /* v0 EOD length in v1 */
	expect_err("01 0A 00 00 00 00 00 10 00 00 00 09 00 00 00 00", KR_RTR_E_CORRUPT, 8);
	expect_err("01 0A 00 00 00 00 00 11 00 00 00 00 00 00 00 02 41", KR_RTR_E_CORRUPT, 12);
	expect_err("01 09 01 00 00 00 00 24 " "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 0000FBF0 31 02 00 00",
		   KR_RTR_E_CORRUPT, 32);
}

static void t_peek_serial(void)
{
	uint8_t h[8] = { 1, 2, 0, 0, 0, 0, 0, 8 };
	uint32_t l = 0;
	uint8_t v, t;
	CU_ASSERT_EQUAL(kr_rtr_peek(h, 7, &v, &t, &l), 0);
	CU_ASSERT_EQUAL(kr_rtr_peek(h, 8, &v, &t, &l), 1);
	CU_ASSERT(v == 1 && t == 2 && l == 8);
	CU_ASSERT(kr_rtr_serial_lt(1, 2));
	CU_ASSERT(!kr_rtr_serial_lt(2, 1));
	CU_ASSERT(kr_rtr_serial_lt(0xFFFFFFFFu, 0));          /* wrap */
	CU_ASSERT(!kr_rtr_serial_lt(0, 0xFFFFFFFFu));
	CU_ASSERT(!kr_rtr_serial_lt(0, 0x80000000u));          /* undefined: "not less" */
	CU_ASSERT(!kr_rtr_serial_lt(0x80000000u, 0));
	char s[256];
	struct kr_rtr_pdu p = kr_rtr_pdu_error(1, 3, NULL, 0, "bad\n\"x");
	kr_rtr_format(&p, s, sizeof s);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "Invalid Request"));
	CU_ASSERT_PTR_NULL(strchr(s, '\n'));
}

KR_TESTS("rtr_pdu",
	 { "spec example PDUs round trip", t_spec_examples },
	 { "decoded fields", t_fields },
	 { "router key v1 only", t_router_key },
	 { "malformed PDUs: code and offset", t_errors },
	 { "peek and serial arithmetic", t_peek_serial });
