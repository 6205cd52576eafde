/* RTR cache over loopback TCP with raw clients on the same event loop:
 * v1 and v0 full loads, incremental Serial Query, Cache Reset, notify,
 * control verbs, transcript, and hostile clients (garbage, oversized
 * lengths, hang-up mid-PDU) while another client keeps being served. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cu.h"
#include "rpki/rtr_cache.h"

struct tcl {
	int fd;
	uint8_t buf[1 << 16];
	size_t len;
	bool eof;
	struct kr_rtr_pdu pdus[256];
	size_t npdus;
};

static struct kr_loop *L;
static struct kr_rtr_cache *C;

static uint8_t SPKI[91];
static const uint8_t SKI1[20] = { 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
static const uint8_t SKI2[20] = { 0x22, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };

static void setup(uint8_t max_version)
{
	SPKI[0] = 0x30;
	SPKI[1] = 89;
	for (int i = 2; i < 91; i++)
		SPKI[i] = (uint8_t)(i * 7);
	L = kr_loop_new();
	struct kr_rtr_cache_cfg cfg = { .session_id = 0x1234, .serial = 100, .refresh = 30, .retry = 5,
					.expire = 600, .max_version = max_version, .history = 4 };
	C = kr_rtr_cache_new(L, &cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(C);
	kr_rtr_transcript_enable(C, true, NULL);
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_rtr_cache_listen(C, "127.0.0.1:0", &e), 0);
	CU_ASSERT(kr_rtr_cache_port(C) != 0);
}

static void teardown(void)
{
	kr_rtr_cache_free(C);
	kr_loop_free(L);
	C = NULL;
	L = NULL;
}

static struct tcl *tcl_new(void)
{
	struct tcl *t = calloc(1, sizeof *t);
	t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(kr_rtr_cache_port(C)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = connect(t->fd, (struct sockaddr *)&a, sizeof a);
	CU_ASSERT(rc == 0 || errno == EINPROGRESS);
	return t;
}

static void tcl_free(struct tcl *t)
{
	close(t->fd);
	free(t);
}

/* Read what is there and split complete PDUs into t->pdus. */
static void tcl_pump(struct tcl *t)
{
	for (;;) {
		ssize_t n = read(t->fd, t->buf + t->len, sizeof t->buf - t->len);
		if (n > 0) {
			t->len += (size_t)n;
			continue;
		}
		if (n == 0)
			t->eof = true;
		break;
	}
	size_t off = 0;
	uint32_t pl;
	static uint8_t keep[64][1024]; /* decoded views must outlive the shift */
	while (kr_rtr_peek(t->buf + off, t->len - off, NULL, NULL, &pl) && pl >= 8 && t->len - off >= pl) {
		CU_ASSERT_FATAL(t->npdus < 256);
		uint8_t *copy = pl <= 1024 && t->npdus < 64 ? keep[t->npdus] : NULL;
		if (copy)
			memcpy(copy, t->buf + off, pl);
		struct kr_err e;
		int rc = kr_rtr_decode(copy ? copy : t->buf + off, pl, &t->pdus[t->npdus], &e);
		CU_ASSERT_EQUAL(rc, 0);
		t->npdus++;
		off += pl;
	}
	memmove(t->buf, t->buf + off, t->len - off);
	t->len -= off;
}

static void tcl_send(struct tcl *t, const void *p, size_t n)
{
	/* connect() may still be in progress right after tcl_new() */
	for (int i = 0; i < 200; i++) {
		ssize_t w = write(t->fd, p, n);
		if (w == (ssize_t)n)
			return;
		kr_loop_run_once(L, 5000000);
	}
	CU_FAIL("write to cache failed");
}

static void send_pdu(struct tcl *t, struct kr_rtr_pdu p)
{
	uint8_t b[128];
	struct kr_wr w = kr_wr_init(b, sizeof b);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&p, &w), 0);
	tcl_send(t, b, w.off);
}

struct want {
	struct tcl *t;
	int type;
	size_t count;
};
static bool have_type(void *arg)
{
	struct want *w = arg;
	tcl_pump(w->t);
	size_t n = 0;
	for (size_t i = 0; i < w->t->npdus; i++)
		if (w->type < 0 || w->t->pdus[i].type == w->type)
			n++;
	return n >= w->count || (w->type == -2 && w->t->eof);
}
static bool wait_for(struct tcl *t, int type, size_t count)
{
	/* The client socket is not on the loop: poll it between dispatches. */
	struct want w = { t, type, count };
	int64_t deadline = kr_now_ns() + 3000000000LL;
	while (kr_now_ns() < deadline) {
		if (have_type(&w))
			return true;
		kr_loop_run_once(L, 2000000);
	}
	fprintf(stderr, "wait for type %d x%zu timed out\n", type, count);
	return false;
}
static bool wait_eof(struct tcl *t) { return wait_for(t, -2, 1000000); }

static size_t count_type(struct tcl *t, int type)
{
	size_t n = 0;
	for (size_t i = 0; i < t->npdus; i++)
		n += t->pdus[i].type == type;
	return n;
}

static struct kr_rtr_pdu *last_of(struct tcl *t, int type)
{
	for (size_t i = t->npdus; i-- > 0;)
		if (t->pdus[i].type == type)
			return &t->pdus[i];
	return NULL;
}

static struct kr_rtr_vrp vrp4(uint32_t asn)
{
	struct kr_rtr_vrp v;
	CU_ASSERT_EQUAL(kr_rtr_parse_prefix("192.0.2.0/24", &v), 0);
	v.max_len = 24;
	v.asn = asn;
	return v;
}

static void t_v1_full_and_incremental(void)
{
	setup(1);
	struct kr_rtr_vrp v = vrp4(64496);
	CU_ASSERT_EQUAL(kr_rtr_announce_vrp(C, &v), 1);
	CU_ASSERT_EQUAL(kr_rtr_announce_key(C, 64496, SKI1, SPKI, sizeof SPKI), 1);
	CU_ASSERT_EQUAL(kr_rtr_announce_key(C, 64496, SKI1, SPKI, sizeof SPKI), 0); /* duplicate: no-op */
	CU_ASSERT_EQUAL(kr_rtr_serial(C), 102);
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(t->pdus[0].type, KR_RTR_CACHE_RESPONSE);
	CU_ASSERT_EQUAL(t->pdus[0].session_id, 0x1234);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_IPV4_PREFIX), 1);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ROUTER_KEY), 1);
	struct kr_rtr_pdu *eod = last_of(t, KR_RTR_END_OF_DATA);
	CU_ASSERT_EQUAL(eod->serial, 102);
	CU_ASSERT_EQUAL(eod->refresh, 30);
	CU_ASSERT_EQUAL(eod->retry, 5);
	CU_ASSERT_EQUAL(eod->expire, 600);
	CU_ASSERT(kr_rtr_all_synced(C));

	/* Key rollover: announce the new key, withdraw the old one; the client
	 * gets a Serial Notify for each change. */
	CU_ASSERT_EQUAL(kr_rtr_announce_key(C, 64496, SKI2, SPKI, sizeof SPKI), 1);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 1));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_SERIAL_NOTIFY)->serial, 103);
	CU_ASSERT_EQUAL(kr_rtr_withdraw_key(C, 64496, SKI1, SPKI, sizeof SPKI), 1);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 2));
	CU_ASSERT(!kr_rtr_all_synced(C));
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, 102));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(t->npdus, 4); /* response, withdraw SKI1, announce SKI2, EOD */
	CU_ASSERT_EQUAL(t->pdus[1].type, KR_RTR_ROUTER_KEY);
	CU_ASSERT_EQUAL(t->pdus[1].flags, 0);
	CU_ASSERT(memcmp(t->pdus[1].ski, SKI1, 20) == 0);
	CU_ASSERT_EQUAL(t->pdus[2].flags, 1);
	CU_ASSERT(memcmp(t->pdus[2].ski, SKI2, 20) == 0);
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_END_OF_DATA)->serial, 104);
	CU_ASSERT(kr_rtr_all_synced(C));

	/* Changes that cancel out give an empty (but complete) answer. */
	kr_rtr_withdraw_key(C, 64496, SKI2, NULL, 0);
	kr_rtr_announce_key(C, 64496, SKI2, SPKI, sizeof SPKI);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, 104));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ROUTER_KEY), 0);
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_END_OF_DATA)->serial, 106);

	/* Serial older than the history (4 serials): Cache Reset. */
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, 100));
	CU_ASSERT(wait_for(t, KR_RTR_CACHE_RESET, 1));
	/* A session this connection never saw, on a fresh connection (the
	 * router remembers an older cache instance): Cache Reset. */
	struct tcl *t2 = tcl_new();
	send_pdu(t2, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x9999, 106));
	CU_ASSERT(wait_for(t2, KR_RTR_CACHE_RESET, 1));
	tcl_free(t2);
	/* On a connection that was given 0x1234, another Session ID is a
	 * mismatch: Corrupt Data, connection closed (RFC 8210 §5.1). */
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x9999, 106));
	CU_ASSERT(wait_eof(t));
	struct kr_rtr_pdu *er = last_of(t, KR_RTR_ERROR_REPORT);
	CU_ASSERT_FATAL(er != NULL);
	CU_ASSERT_EQUAL(er->error_code, KR_RTR_E_CORRUPT);
	CU_ASSERT_EQUAL(er->encap_len, 12);
	CU_ASSERT(kr_rtr_transcript_count_pdus(C, KR_RTR_IN, KR_RTR_SERIAL_QUERY, 0) == 5);
	CU_ASSERT(kr_rtr_transcript_count_pdus(C, KR_RTR_OUT, KR_RTR_SERIAL_NOTIFY, 0) == 4);
	tcl_free(t);
	teardown();
}

static void t_v0_client_no_router_key(void)
{
	setup(1);
	struct kr_rtr_vrp v = vrp4(64496);
	kr_rtr_batch_begin(C);
	kr_rtr_announce_vrp(C, &v);
	kr_rtr_announce_key(C, 64496, SKI1, SPKI, sizeof SPKI);
	kr_rtr_batch_commit(C);
	CU_ASSERT_EQUAL(kr_rtr_serial(C), 101);
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(0, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	for (size_t i = 0; i < t->npdus; i++)
		CU_ASSERT_EQUAL(t->pdus[i].version, 0);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_IPV4_PREFIX), 1);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ROUTER_KEY), 0);
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_END_OF_DATA)->length, 12);
	/* A key change: notify (v0), and the incremental answer has no key. */
	kr_rtr_announce_key(C, 64496, SKI2, SPKI, sizeof SPKI);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 1));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_SERIAL_NOTIFY)->version, 0);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(0, KR_RTR_SERIAL_QUERY, 0x1234, 101));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(t->npdus, 2);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ROUTER_KEY), 0);
	/* A v1 PDU in the v0 session: error, close. */
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_eof(t));
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ERROR_REPORT), 1);
	tcl_free(t);
	teardown();
}

static void t_v0_only_cache(void)
{
	setup(0);
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_eof(t));
	struct kr_rtr_pdu *e = last_of(t, KR_RTR_ERROR_REPORT);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->error_code, KR_RTR_E_UNSUPPORTED_VERSION);
	CU_ASSERT_EQUAL(e->version, 0);
	CU_ASSERT_EQUAL(e->encap_len, 8);
	tcl_free(t);
	teardown();
}

static void t_hostile_clients(void)
{
	setup(1);
	kr_rtr_announce_key(C, 64496, SKI1, SPKI, sizeof SPKI);
	struct tcl *good = tcl_new();
	send_pdu(good, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(good, KR_RTR_END_OF_DATA, 1));

	/* Oversized length: Corrupt Data, closed. */
	struct tcl *big = tcl_new();
	const uint8_t hdr[8] = { 1, 2, 0, 0, 0x7f, 0xff, 0xff, 0xff };
	tcl_send(big, hdr, sizeof hdr);
	CU_ASSERT(wait_eof(big));
	CU_ASSERT_EQUAL_FATAL(count_type(big, KR_RTR_ERROR_REPORT), 1);
	CU_ASSERT_EQUAL(last_of(big, KR_RTR_ERROR_REPORT)->error_code, KR_RTR_E_CORRUPT);

	/* Unknown type: Unsupported PDU Type, quoting it. */
	struct tcl *unk = tcl_new();
	const uint8_t u[8] = { 1, 5, 0, 0, 0, 0, 0, 8 };
	tcl_send(unk, u, sizeof u);
	CU_ASSERT(wait_eof(unk));
	struct kr_rtr_pdu *e = last_of(unk, KR_RTR_ERROR_REPORT);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->error_code, KR_RTR_E_UNSUPPORTED_PDU);
	CU_ASSERT_EQUAL(e->encap_len, 8);

	/* A cache-side PDU from a router: Invalid Request. */
	struct tcl *inv = tcl_new();
	send_pdu(inv, kr_rtr_pdu_make(1, KR_RTR_CACHE_RESPONSE, 0x1234, 0));
	CU_ASSERT(wait_eof(inv));
	CU_ASSERT_EQUAL(last_of(inv, KR_RTR_ERROR_REPORT)->error_code, KR_RTR_E_INVALID_REQUEST);

	/* Random garbage. */
	struct tcl *junk = tcl_new();
	uint8_t g[300];
	for (size_t i = 0; i < sizeof g; i++)
		g[i] = (uint8_t)(i * 37 + 11);
	tcl_send(junk, g, sizeof g);
	CU_ASSERT(wait_eof(junk));

	/* Half a PDU, then silence: the cache keeps serving others... */
	struct tcl *half = tcl_new();
	const uint8_t h[5] = { 1, 1, 0x12, 0x34, 0 };
	tcl_send(half, h, sizeof h);
	kr_rtr_announce_key(C, 64496, SKI2, SPKI, sizeof SPKI);
	CU_ASSERT(wait_for(good, KR_RTR_SERIAL_NOTIFY, 1));
	good->npdus = 0;
	send_pdu(good, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, kr_rtr_serial(C) - 1));
	CU_ASSERT(wait_for(good, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(count_type(good, KR_RTR_ROUTER_KEY), 1);
	/* ...and a hang-up mid-PDU is noticed and cleaned up. */
	size_t before = kr_rtr_client_count(C);
	close(half->fd);
	half->fd = -1;
	free(half);
	for (int i = 0; i < 100 && kr_rtr_client_count(C) == before; i++)
		kr_loop_run_once(L, 10000000);
	CU_ASSERT_EQUAL(kr_rtr_client_count(C), before - 1);
	/* A router Error Report closes without a reply. */
	struct tcl *er = tcl_new();
	struct kr_rtr_pdu ep = kr_rtr_pdu_error(1, KR_RTR_E_DUPLICATE, NULL, 0, "dup");
	send_pdu(er, ep);
	CU_ASSERT(wait_eof(er));
	CU_ASSERT_EQUAL(er->npdus, 0);
	CU_ASSERT_EQUAL(kr_rtr_client_count(C), 1);
	tcl_free(big);
	tcl_free(unk);
	tcl_free(inv);
	tcl_free(junk);
	tcl_free(er);
	tcl_free(good);
	teardown();
}

static void t_control_verbs(void)
{
	setup(1);
	kr_rtr_announce_key(C, 65536, SKI1, SPKI, sizeof SPKI);
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	struct kr_rtr_client_info ci;
	CU_ASSERT(kr_rtr_client_get(C, 0, &ci));
	CU_ASSERT_EQUAL(ci.version, 1);
	CU_ASSERT(ci.synced);

	/* Hold: no notify on change; release: exactly one. */
	kr_rtr_hold_notify(C, true);
	kr_rtr_announce_key(C, 65536, SKI2, SPKI, sizeof SPKI);
	kr_rtr_withdraw_key(C, 65536, SKI1, NULL, 0);
	kr_loop_run_until(L, NULL, NULL, kr_now_ns() + 50000000);
	tcl_pump(t);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_SERIAL_NOTIFY), 0);
	kr_rtr_hold_notify(C, false);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 1));
	kr_rtr_notify_now(C);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 2));

	/* Cache reset: the next Serial Query, even current, gets Cache Reset. */
	kr_rtr_cache_reset(C);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, kr_rtr_serial(C)));
	CU_ASSERT(wait_for(t, KR_RTR_CACHE_RESET, 1));

	/* New session: Serial Query with the old id gets Cache Reset; the
	 * Reset Query answer carries the new id. */
	kr_rtr_new_session(C, 0x4321);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, kr_rtr_serial(C)));
	CU_ASSERT(wait_for(t, KR_RTR_CACHE_RESET, 1));
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_END_OF_DATA)->session_id, 0x4321);

	/* Stop answering: the query is logged, no answer comes. */
	kr_rtr_stop_answering(C, true);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	kr_loop_run_until(L, NULL, NULL, kr_now_ns() + 50000000);
	tcl_pump(t);
	CU_ASSERT_EQUAL(t->npdus, 0);
	kr_rtr_stop_answering(C, false);

	/* No data: Error Report code 2, the session stays. */
	kr_rtr_set_no_data(C, true);
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(t, KR_RTR_ERROR_REPORT, 1));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_ERROR_REPORT)->error_code, KR_RTR_E_NO_DATA);
	CU_ASSERT(!t->eof);
	kr_rtr_set_no_data(C, false);

	/* Deferred answers: the query waits, release answers it. */
	kr_rtr_defer_answers(C, true);
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	kr_loop_run_until(L, NULL, NULL, kr_now_ns() + 50000000);
	tcl_pump(t);
	CU_ASSERT_EQUAL(t->npdus, 0);
	kr_rtr_defer_answers(C, false);
	CU_ASSERT(wait_for(t, KR_RTR_END_OF_DATA, 1));

	/* Error for the next query only, No Data Available: the session stays. */
	kr_rtr_error_next_query(C, KR_RTR_E_NO_DATA, "loading");
	t->npdus = 0;
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(t, KR_RTR_ERROR_REPORT, 1));
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT(!t->eof);

	/* Send error (fatal) then close. */
	CU_ASSERT_EQUAL(kr_rtr_send_error(C, 0, KR_RTR_E_INTERNAL, "harness says so", true), 1);
	CU_ASSERT(wait_eof(t));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_ERROR_REPORT)->error_code, KR_RTR_E_INTERNAL);
	tcl_free(t);

	/* Drop: a new client is closed without a word. */
	struct tcl *t2 = tcl_new();
	send_pdu(t2, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT(wait_for(t2, KR_RTR_END_OF_DATA, 1));
	t2->npdus = 0;
	CU_ASSERT_EQUAL(kr_rtr_drop_clients(C, 0), 1);
	CU_ASSERT(wait_eof(t2));
	CU_ASSERT_EQUAL(t2->npdus, 0);
	tcl_free(t2);

	/* Transcript: timestamps monotonic, lines readable, file written. */
	struct kr_rtr_tx a, b;
	size_t n = kr_rtr_transcript_count(C);
	CU_ASSERT(n > 10);
	for (size_t i = 1; i < n; i++) {
		kr_rtr_transcript_get(C, i - 1, &a);
		kr_rtr_transcript_get(C, i, &b);
		CU_ASSERT(a.t_ns <= b.t_ns);
	}
	char line[512];
	bool saw_key = false;
	for (size_t i = 0; i < n; i++) {
		kr_rtr_transcript_get(C, i, &a);
		kr_rtr_transcript_line(&a, line, sizeof line);
		if (strstr(line, "> v1 Router Key flags=1 asn=65536 ski=2201"))
			saw_key = true;
	}
	CU_ASSERT(saw_key);
	char path[] = "/tmp/kr_rtr_tx_XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	CU_ASSERT_EQUAL(kr_rtr_transcript_write(C, path), 0);
	unlink(path);
	teardown();
}

static void t_replace_delta(void)
{
	setup(1);
	struct kr_rtr_set s = { 0 };
	struct kr_rtr_vrp v = vrp4(64496);
	kr_rtr_set_add_vrp(&s, &v);
	kr_rtr_set_add_vrp(&s, &v); /* duplicate collapses */
	kr_rtr_set_add_key(&s, 64496, SKI1, SPKI, sizeof SPKI);
	CU_ASSERT_EQUAL(kr_rtr_replace(C, &s), 2);
	CU_ASSERT_EQUAL(kr_rtr_replace(C, &s), 0);
	CU_ASSERT_EQUAL(kr_rtr_serial(C), 101);
	kr_rtr_set_free(&s);
	kr_rtr_set_add_key(&s, 64496, SKI2, SPKI, sizeof SPKI);
	CU_ASSERT_EQUAL(kr_rtr_replace(C, &s), 3); /* -vrp, -SKI1, +SKI2 */
	CU_ASSERT_EQUAL(kr_rtr_key_count(C), 1);
	CU_ASSERT_EQUAL(kr_rtr_vrp_count(C), 0);
	kr_rtr_set_free(&s);
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_SERIAL_QUERY, 0x1234, 101));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	CU_ASSERT_EQUAL(t->npdus, 5);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_ROUTER_KEY), 2);
	tcl_free(t);
	teardown();
}

static void t_notify_spacing(void)
{
	L = kr_loop_new();
	struct kr_rtr_cache_cfg cfg = { .session_id = 7, .max_version = 1, .notify_interval_ms = 200 };
	C = kr_rtr_cache_new(L, &cfg);
	kr_rtr_transcript_enable(C, true, NULL);
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL_FATAL(kr_rtr_cache_listen(C, "127.0.0.1:0", &e), 0);
	SPKI[0] = 0x30;
	SPKI[1] = 89;
	struct tcl *t = tcl_new();
	send_pdu(t, kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0));
	CU_ASSERT_FATAL(wait_for(t, KR_RTR_END_OF_DATA, 1));
	/* First change notifies at once, the next two share one deferred
	 * notify at least 200 ms after the first (RFC 8210 §8.2 spacing). */
	kr_rtr_announce_key(C, 64496, SKI1, SPKI, sizeof SPKI);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 1));
	kr_rtr_announce_key(C, 64496, SKI2, SPKI, sizeof SPKI);
	kr_rtr_withdraw_key(C, 64496, SKI1, NULL, 0);
	kr_loop_run_until(L, NULL, NULL, kr_now_ns() + 20000000);
	tcl_pump(t);
	CU_ASSERT_EQUAL(count_type(t, KR_RTR_SERIAL_NOTIFY), 1);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 2));
	CU_ASSERT_EQUAL(last_of(t, KR_RTR_SERIAL_NOTIFY)->serial, 3);
	int64_t at[2];
	size_t k = 0;
	struct kr_rtr_tx x;
	for (size_t i = 0; kr_rtr_transcript_get(C, i, &x); i++)
		if (x.dir == KR_RTR_OUT && x.type == KR_RTR_SERIAL_NOTIFY && k < 2)
			at[k++] = x.t_ns;
	CU_ASSERT_EQUAL_FATAL(k, 2);
	CU_ASSERT(at[1] - at[0] >= 200000000);
	/* The explicit verb is never delayed. */
	kr_rtr_notify_now(C);
	CU_ASSERT(wait_for(t, KR_RTR_SERIAL_NOTIFY, 3));
	tcl_free(t);
	teardown();
}

KR_TESTS("rtr_cache",
	 { "serial notify spacing", t_notify_spacing },
	 { "v1 full load and incremental serial query", t_v1_full_and_incremental },
	 { "v0 client: prefixes, no router key", t_v0_client_no_router_key },
	 { "v0-only cache refuses v1", t_v0_only_cache },
	 { "hostile clients never stall the cache", t_hostile_clients },
	 { "control verbs and transcript", t_control_verbs },
	 { "replace computes the delta", t_replace_delta });
