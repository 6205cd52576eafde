/* Header framing, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH, error text. */
#include <string.h>

#include "wire/bgp_msg.h"
#include "cu.h"

static void t_frame(void)
{
	uint8_t m[64], two[64];
	size_t l, ml;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(kr_keepalive_build(m, sizeof m, &l), 0);
	CU_ASSERT_EQUAL(l, 19);
	for (size_t i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(m[i], 0xff);
	CU_ASSERT(m[16] == 0 && m[17] == 19 && m[18] == KR_BGP_KEEPALIVE);
	/* need more bytes for every proper prefix */
	for (size_t i = 0; i < l; i++)
		CU_ASSERT_EQUAL(kr_bgp_frame(m, i, 4096, &ml, &e), 0);
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), 1);
	CU_ASSERT_EQUAL(ml, 19);
	/* two messages back to back: frames the first */
	memcpy(two, m, 19);
	memcpy(two + 19, m, 19);
	CU_ASSERT_EQUAL(kr_bgp_frame(two, 38, 4096, &ml, &e), 1);
	CU_ASSERT_EQUAL(ml, 19);
	/* bad marker */
	m[3] = 0;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MARKER);
	CU_ASSERT_EQUAL(e.offset, 0);
	m[3] = 0xff;
	/* unknown type */
	m[18] = 9;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_TYPE);
	CU_ASSERT_EQUAL(e.offset, 18);
	CU_ASSERT(strstr(e.msg, "offset 18") != NULL);
	m[18] = KR_BGP_KEEPALIVE;
	/* KEEPALIVE must be exactly 19; OPEN at least 29; length > max */
	m[17] = 20;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
	CU_ASSERT_EQUAL(e.offset, 16);
	m[18] = KR_BGP_OPEN;
	m[17] = 28;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
	m[17] = 29;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), 0); /* needs 29 */
	m[16] = 0x10;
	m[17] = 0x01; /* 4097 */
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, KR_BGP_EXT_MAX_LEN, &ml, &e), 0);
	m[16] = 0;
	m[17] = 18;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), -1);
}

static void t_put_header(void)
{
	uint8_t b[32];
	struct kr_wr w = kr_wr_init(b, sizeof b);
	kr_bgp_put_header(&w, KR_BGP_UPDATE, 4);
	CU_ASSERT(!w.bad);
	CU_ASSERT_EQUAL(w.off, 19);
	CU_ASSERT(b[16] == 0 && b[17] == 23 && b[18] == 2);
	w = kr_wr_init(b, sizeof b);
	kr_bgp_put_header(&w, KR_BGP_UPDATE, 70000);
	CU_ASSERT(w.bad);
	w = kr_wr_init(b, 10);
	kr_bgp_put_header(&w, KR_BGP_UPDATE, 4);
	CU_ASSERT(w.bad);
	uint8_t k[18];
	size_t l;
	CU_ASSERT_EQUAL(kr_keepalive_build(k, sizeof k, &l), -1);
}

static void t_notification(void)
{
	uint8_t m[64];
	size_t l;
	struct kr_err e;
	struct kr_notification n;
	const uint8_t data[] = { 3, 'b', 'y', 'e' };
	CU_ASSERT_EQUAL_FATAL(kr_notification_build(6, 2, data, sizeof data, m, sizeof m, &l), 0);
	CU_ASSERT_EQUAL(l, 25);
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, l, &e), 0);
	CU_ASSERT(n.code == 6 && n.subcode == 2 && n.data_len == 4);
	CU_ASSERT(memcmp(n.data, data, 4) == 0);
	CU_ASSERT_EQUAL(kr_notification_build(6, 2, data, sizeof data, m, 20, &l), -1);
	/* wrong type, short buffer, length mismatch */
	CU_ASSERT_EQUAL(kr_notification_build(3, 1, NULL, 0, m, sizeof m, &l), 0);
	CU_ASSERT_EQUAL(l, 21);
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, l, &e), 0);
	CU_ASSERT(n.code == 3 && n.subcode == 1 && n.data_len == 0);
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, 20, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_TRUNCATED);
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, 10, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_TRUNCATED);
	m[21] = 0;
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, 22, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
	CU_ASSERT_EQUAL(kr_keepalive_build(m, sizeof m, &l), 0);
	CU_ASSERT_EQUAL(kr_notification_decode(&n, m, l, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_TYPE);
}

static void t_names(void)
{
	CU_ASSERT_STRING_EQUAL(kr_notification_code_name(1), "Message Header Error");
	CU_ASSERT_STRING_EQUAL(kr_notification_code_name(6), "Cease");
	CU_ASSERT_STRING_EQUAL(kr_notification_code_name(7), "ROUTE-REFRESH Message Error");
	CU_ASSERT_STRING_EQUAL(kr_notification_code_name(0), "unknown error code");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(1, 2), "Bad Message Length");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(2, 2), "Bad Peer AS");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(2, 7), "Unsupported Capability");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(2, 8), "unknown subcode");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(3, 1), "Malformed Attribute List");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(3, 11), "Malformed AS_PATH");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(3, 12), "unknown subcode");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(4, 0), "Unspecific");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(4, 1), "unknown subcode");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(5, 3),
			       "Receive Unexpected Message in Established State");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(6, 2), "Administrative Shutdown");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(6, 4), "Administrative Reset");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(6, 9), "Hard Reset");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(7, 1), "Invalid Message Length");
	CU_ASSERT_STRING_EQUAL(kr_notification_subcode_name(9, 1), "unknown subcode");
	for (int c = 0; c <= KR_WE_INVALID; c++)
		CU_ASSERT(strcmp(kr_wire_strerror(c), "unknown codec error") != 0);
	CU_ASSERT_STRING_EQUAL(kr_wire_strerror(KR_WE_BGPSEC), "malformed BGPsec_PATH");
	CU_ASSERT_STRING_EQUAL(kr_wire_strerror(-1), "unknown codec error");
	CU_ASSERT_STRING_EQUAL(kr_wire_strerror(999), "unknown codec error");
}

static void t_route_refresh(void)
{
	uint8_t m[32];
	size_t l;
	struct kr_err e;
	struct kr_route_refresh r = { KR_AFI_IPV6, 1, KR_SAFI_UNICAST }, d;
	CU_ASSERT_EQUAL_FATAL(kr_route_refresh_build(&r, m, sizeof m, &l), 0);
	CU_ASSERT_EQUAL(l, 23);
	const uint8_t body[] = { 0, 2, 1, 1 };
	CU_ASSERT(memcmp(m + 19, body, 4) == 0);
	CU_ASSERT_EQUAL(kr_route_refresh_decode(&d, m, l, &e), 0);
	CU_ASSERT(d.afi == 2 && d.subtype == 1 && d.safi == 1);
	size_t ml;
	CU_ASSERT_EQUAL(kr_bgp_frame(m, l, 4096, &ml, &e), 1);
	CU_ASSERT_EQUAL(kr_route_refresh_build(&r, m, 22, &l), -1);
	m[17] = 22;
	CU_ASSERT_EQUAL(kr_route_refresh_decode(&d, m, 22, &e), -1);
	CU_ASSERT_EQUAL(e.code, KR_WE_MSG_LEN);
}

KR_TESTS("bgp_hdr",
	 { "framing", t_frame },
	 { "put header", t_put_header },
	 { "notification", t_notification },
	 { "code names and strerror", t_names },
	 { "route refresh", t_route_refresh });
