/* TCP reassembler, frame decoder and pcap reader on synthetic packets:
 * segmentation, out-of-order delivery, overlapping retransmissions, both
 * directions, several flows, mid-stream starts and every error kind. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire/bgp_msg.h"
#include "cu.h"
#include "rpki/keys_json.h"
#include "net/pcap_decode.h"
#include "net/pcap_read.h"
#include "wire/rtr_pdu.h"
#include "net/tcp_reasm.h"

/* ---- frame building ---------------------------------------------------- */

struct ep {
	int v6;
	uint8_t addr[16];
	uint16_t port;
};

static struct ep ep4(const char *a, uint16_t port)
{
	struct ep e = { 0, { 0 }, port };
	inet_pton(AF_INET, a, e.addr);
	return e;
}

static struct ep ep6(const char *a, uint16_t port)
{
	struct ep e = { 1, { 0 }, port };
	inet_pton(AF_INET6, a, e.addr);
	return e;
}

/* Ethernet + IPv4/IPv6 + TCP (no checksums: the decoder does not need them). */
static size_t mk_frame(uint8_t *f, const struct ep *s, const struct ep *d, uint32_t seq,
		       uint8_t flags, const uint8_t *pl, size_t n)
{
	memset(f, 0, 14);
	f[12] = s->v6 ? 0x86 : 0x08;
	f[13] = s->v6 ? 0xdd : 0x00;
	uint8_t *ip = f + 14, *tcp;
	if (s->v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[4] = (uint8_t)((20 + n) >> 8);
		ip[5] = (uint8_t)(20 + n);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, s->addr, 16);
		memcpy(ip + 24, d->addr, 16);
		tcp = ip + 40;
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[2] = (uint8_t)((40 + n) >> 8);
		ip[3] = (uint8_t)(40 + n);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, s->addr, 4);
		memcpy(ip + 16, d->addr, 4);
		tcp = ip + 20;
	}
	memset(tcp, 0, 20);
	tcp[0] = (uint8_t)(s->port >> 8);
	tcp[1] = (uint8_t)s->port;
	tcp[2] = (uint8_t)(d->port >> 8);
	tcp[3] = (uint8_t)d->port;
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	if (n)
		memcpy(tcp + 20, pl, n);
	return (size_t)(tcp + 20 + n - f);
}

/* ---- collecting -------------------------------------------------------- */

#define MAXM 256
struct got {
	size_t n;
	struct {
		uint8_t b[4096];
		size_t len;
		unsigned conn, dir;
		int64_t ts;
		uint64_t pkt;
		enum kr_sproto proto;
		uint16_t sport;
	} m[MAXM];
	size_t nerr;
	struct kr_serr err[16];
};

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct got *g = arg;
	if (g->n == MAXM || m->len > sizeof g->m[0].b)
		return;
	memcpy(g->m[g->n].b, m->msg, m->len);
	g->m[g->n].len = m->len;
	g->m[g->n].conn = m->conn;
	g->m[g->n].dir = m->dir;
	g->m[g->n].ts = m->ts_ns;
	g->m[g->n].pkt = m->pkt_no;
	g->m[g->n].proto = m->proto;
	g->m[g->n].sport = m->src.port;
	g->n++;
}

static void on_err(const struct kr_serr *e, void *arg)
{
	struct got *g = arg;
	if (g->nerr < 16)
		g->err[g->nerr++] = *e;
}

/* A byte stream of BGP messages: OPEN, KEEPALIVE, End-of-RIB UPDATE,
 * KEEPALIVE; returns its length and the message boundaries. */
static size_t bgp_stream(uint8_t *out, size_t cap, uint32_t asn, size_t *ends, size_t *nends)
{
	size_t off = 0, len, k = 0;
	struct kr_open_cfg oc = { .asn = asn, .hold_time = 90, .bgp_id = 0xc6120001,
				  .mp = { false, true, false } };
	CU_ASSERT_EQUAL_FATAL(kr_open_build(&oc, out, cap, &len, NULL), 0);
	ends[k++] = off += len;
	kr_keepalive_build(out + off, cap - off, &len);
	ends[k++] = off += len;
	kr_update_build_eor(KR_AFI_IPV4, out + off, cap - off, &len);
	ends[k++] = off += len;
	kr_keepalive_build(out + off, cap - off, &len);
	ends[k++] = off += len;
	*nends = k;
	return off;
}

struct pkt {
	uint8_t f[2048];
	size_t len;
};

/* Cut stream into segments of sizes from a small PRNG (1..maxseg). */
static size_t segment(struct pkt *out, size_t maxp, const struct ep *s, const struct ep *d,
		      uint32_t isn, const uint8_t *data, size_t n, size_t maxseg, unsigned *rng)
{
	size_t k = 0, off = 0;
	out[k].len = mk_frame(out[k].f, s, d, isn, KR_TCP_SYN, NULL, 0);
	k++;
	while (off < n && k < maxp) {
		*rng = *rng * 1103515245u + 12345u;
		size_t l = 1 + (*rng >> 16) % maxseg;
		if (l > n - off)
			l = n - off;
		out[k].len = mk_frame(out[k].f, s, d, isn + 1 + (uint32_t)off, KR_TCP_ACK, data + off, l);
		k++;
		off += l;
	}
	return k;
}

static void feed(struct kr_reasm *r, const struct pkt *p, size_t n, uint64_t first_no)
{
	for (size_t i = 0; i < n; i++)
		kr_reasm_frame(r, KR_DLT_EN10MB, (int64_t)(first_no + i) * 1000, first_no + i, p[i].f,
			       p[i].len, p[i].len);
}

static void check_msgs(const struct got *g, unsigned conn, unsigned dir, const uint8_t *stream,
		       const size_t *ends, size_t nends)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (g->m[i].conn != conn || g->m[i].dir != dir)
			continue;
		CU_ASSERT_FATAL(k < nends);
		CU_ASSERT_EQUAL(g->m[i].len, ends[k] - start);
		CU_ASSERT(!memcmp(g->m[i].b, stream + start, ends[k] - start));
		start = ends[k++];
	}
	CU_ASSERT_EQUAL(k, nends);
}

static struct pkt P[2][1200];

/* ---- tests ------------------------------------------------------------- */

static void t_segmented_both_directions(void)
{
	uint8_t s0[1024], s1[1024];
	size_t e0[8], e1[8], n0, n1;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	size_t l1 = bgp_stream(s1, sizeof s1, 4200000001u, e1, &n1);
	struct ep a = ep4("198.18.0.1", 40000), b = ep4("198.18.0.2", 179);
	for (size_t maxseg = 1; maxseg <= 64; maxseg *= 4) {
		unsigned rng = (unsigned)maxseg;
		size_t k0 = segment(P[0], 1200, &a, &b, 0xfffffff0u /* wraps */, s0, l0, maxseg, &rng);
		size_t k1 = segment(P[1], 1200, &b, &a, 77, s1, l1, maxseg, &rng);
		P[1][0].len = mk_frame(P[1][0].f, &b, &a, 77, KR_TCP_SYN | KR_TCP_ACK, NULL, 0);
		struct got *g = calloc(1, sizeof *g);
		struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
		/* interleave the two directions packet by packet */
		uint64_t no = 1;
		for (size_t i = 0; i < k0 || i < k1; i++) {
			if (i < k0)
				feed(r, &P[0][i], 1, no++);
			if (i < k1)
				feed(r, &P[1][i], 1, no++);
		}
		kr_reasm_finish(r);
		CU_ASSERT_EQUAL(g->nerr, 0);
		CU_ASSERT_EQUAL(g->n, n0 + n1);
		check_msgs(g, 0, 0, s0, e0, n0);
		check_msgs(g, 0, 1, s1, e1, n1);
		CU_ASSERT_EQUAL(g->m[0].proto, KR_SP_BGP);
		CU_ASSERT_EQUAL(kr_reasm_conns(r), 1);
		kr_reasm_free(r);
		free(g);
	}
}

static void t_out_of_order_and_retransmissions(void)
{
	uint8_t s0[1024];
	size_t e0[8], n0;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	struct ep a = ep6("2001:db8::1", 179), b = ep6("2001:db8::2", 51000);
	for (unsigned trial = 0; trial < 50; trial++) {
		unsigned rng = trial + 1;
		size_t k = segment(P[0], 600, &a, &b, trial * 0x10000000u, s0, l0, 30, &rng);
		/* shuffle every data segment (the SYN stays first) */
		for (size_t i = k - 1; i > 1; i--) {
			rng = rng * 1103515245u + 12345u;
			size_t j = 1 + (rng >> 16) % i;
			struct pkt t = P[0][i];
			P[0][i] = P[0][j];
			P[0][j] = t;
		}
		/* add retransmissions that overlap segment edges */
		for (int x = 0; x < 5 && k < 600; x++) {
			rng = rng * 1103515245u + 12345u;
			size_t off = (rng >> 16) % l0, len = 1 + (rng >> 8) % 40;
			if (off + len > l0)
				len = l0 - off;
			P[0][k].len = mk_frame(P[0][k].f, &a, &b, trial * 0x10000000u + 1 + (uint32_t)off,
					       KR_TCP_ACK, s0 + off, len);
			k++;
		}
		struct got *g = calloc(1, sizeof *g);
		struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
		feed(r, P[0], k, 1);
		kr_reasm_finish(r);
		CU_ASSERT_EQUAL(g->nerr, 0);
		check_msgs(g, 0, 0, s0, e0, n0);
		/* the initiator is the SYN sender even though it uses port 179 */
		CU_ASSERT_EQUAL(g->m[0].sport, 179);
		/* timestamps never decrease: a message is stamped with the
		 * packet that completed it */
		for (size_t i = 1; i < g->n; i++)
			CU_ASSERT(g->m[i].ts >= g->m[i - 1].ts);
		kr_reasm_free(r);
		free(g);
	}
}

static void t_hole_filled_late_stamps_completion(void)
{
	uint8_t ka[19];
	size_t len;
	kr_keepalive_build(ka, sizeof ka, &len);
	struct ep a = ep4("198.18.0.5", 179), b = ep4("198.18.0.6", 33000);
	struct pkt p[3];
	p[0].len = mk_frame(p[0].f, &a, &b, 100, KR_TCP_SYN, NULL, 0);
	p[1].len = mk_frame(p[1].f, &a, &b, 111, KR_TCP_ACK, ka + 10, 9); /* second half first */
	p[2].len = mk_frame(p[2].f, &a, &b, 101, KR_TCP_ACK, ka, 10);
	struct got *g = calloc(1, sizeof *g);
	struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
	feed(r, p, 3, 1);
	CU_ASSERT_EQUAL(g->n, 1);
	CU_ASSERT_EQUAL(g->m[0].pkt, 3);
	CU_ASSERT_EQUAL(g->m[0].ts, 3000);
	kr_reasm_finish(r);
	kr_reasm_free(r);
	free(g);
}

static void t_several_flows_and_rtr(void)
{
	uint8_t s0[1024];
	size_t e0[8], n0;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	/* RTR: Reset Query from the router, Cache Response + End of Data back */
	uint8_t q[64], resp[128];
	struct kr_wr w = kr_wr_init(q, sizeof q);
	struct kr_rtr_pdu pq = kr_rtr_pdu_make(1, 2 /* Reset Query */, 0, 0);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&pq, &w), 0);
	size_t ql = w.off;
	w = kr_wr_init(resp, sizeof resp);
	struct kr_rtr_pdu cr = kr_rtr_pdu_make(1, 3 /* Cache Response */, 7, 0);
	struct kr_rtr_pdu eod = kr_rtr_pdu_make(1, 7 /* End of Data */, 7, 1);
	eod.refresh = 3600, eod.retry = 600, eod.expire = 7200;
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&cr, &w), 0);
	size_t crl = w.off;
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&eod, &w), 0);
	size_t rl = w.off;

	struct ep a = ep4("198.18.0.9", 41000), b = ep4("198.18.0.10", 179);
	struct ep c = ep4("198.18.0.9", 41001); /* second BGP flow, same hosts */
	struct ep rr = ep6("2001:db8:0:1::2", 52000), rc = ep6("2001:db8:0:1::1", 323);
	unsigned rng = 5;
	size_t ka = segment(P[0], 300, &a, &b, 1000, s0, l0, 7, &rng);
	size_t kc = segment(P[1], 300, &c, &b, 5000, s0, l0, 13, &rng);
	struct pkt rp[4];
	rp[0].len = mk_frame(rp[0].f, &rr, &rc, 9, KR_TCP_SYN, NULL, 0);
	rp[1].len = mk_frame(rp[1].f, &rr, &rc, 10, KR_TCP_ACK, q, ql);
	rp[2].len = mk_frame(rp[2].f, &rc, &rr, 500, KR_TCP_ACK, resp, 5); /* mid-stream */
	rp[3].len = mk_frame(rp[3].f, &rc, &rr, 505, KR_TCP_ACK, resp + 5, rl - 5);
	struct got *g = calloc(1, sizeof *g);
	struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
	uint64_t no = 1;
	for (size_t i = 0; i < ka || i < kc; i++) {
		if (i < ka)
			feed(r, &P[0][i], 1, no++);
		if (i < kc)
			feed(r, &P[1][i], 1, no++);
		if (i < 4)
			feed(r, &rp[i], 1, no++);
	}
	kr_reasm_finish(r);
	CU_ASSERT_EQUAL(g->nerr, 0);
	CU_ASSERT_EQUAL(kr_reasm_conns(r), 3);
	check_msgs(g, 0, 0, s0, e0, n0);
	check_msgs(g, 1, 0, s0, e0, n0);
	size_t rtr_ends0[1] = { ql }, rtr_ends1[2] = { crl, rl };
	check_msgs(g, 2, 0, q, rtr_ends0, 1);
	check_msgs(g, 2, 1, resp, rtr_ends1, 2);
	for (size_t i = 0; i < g->n; i++)
		CU_ASSERT_EQUAL(g->m[i].proto, g->m[i].conn == 2 ? KR_SP_RTR : KR_SP_BGP);
	kr_reasm_free(r);
	free(g);
}

static void t_midstream_resync(void)
{
	uint8_t s0[1024];
	size_t e0[8], n0;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	struct ep a = ep4("198.18.0.1", 179), b = ep4("198.18.0.2", 40000);
	/* capture starts 5 bytes into the OPEN, no SYN */
	struct pkt p[2];
	p[0].len = mk_frame(p[0].f, &a, &b, 1005, KR_TCP_ACK, s0 + 5, 30);
	p[1].len = mk_frame(p[1].f, &a, &b, 1035, KR_TCP_ACK, s0 + 35, l0 - 35);
	struct got *g = calloc(1, sizeof *g);
	struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
	feed(r, p, 2, 1);
	kr_reasm_finish(r);
	CU_ASSERT_EQUAL(g->nerr, 0);
	CU_ASSERT_EQUAL(g->n, n0 - 1); /* the OPEN is lost, the rest found */
	CU_ASSERT_EQUAL(g->n ? g->m[0].b[18] : 0, KR_BGP_KEEPALIVE);
	kr_reasm_free(r);
	free(g);
}

static void t_errors(void)
{
	struct ep a = ep4("198.18.0.1", 179), b = ep4("198.18.0.2", 40000);
	struct got *g = calloc(1, sizeof *g);
	struct kr_reasm *r = kr_reasm_new(NULL, on_msg, on_err, g);
	struct pkt p[6];
	uint8_t junk[40];
	memset(junk, 0x41, sizeof junk);
	/* framing error after a SYN (synchronised stream) */
	p[0].len = mk_frame(p[0].f, &a, &b, 0, KR_TCP_SYN, NULL, 0);
	p[1].len = mk_frame(p[1].f, &a, &b, 1, KR_TCP_ACK, junk, sizeof junk);
	/* other direction: a hole that never fills */
	uint8_t ka[19];
	size_t kl;
	kr_keepalive_build(ka, sizeof ka, &kl);
	p[2].len = mk_frame(p[2].f, &b, &a, 0, KR_TCP_SYN | KR_TCP_ACK, NULL, 0);
	p[3].len = mk_frame(p[3].f, &b, &a, 30, KR_TCP_ACK, ka, kl);
	feed(r, p, 4, 1);
	CU_ASSERT_EQUAL_FATAL(g->nerr, 1);
	CU_ASSERT_EQUAL(g->err[0].kind, KR_SE_FRAMING);
	CU_ASSERT_EQUAL(g->err[0].pkt_no, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(g->err[0].msg, "offset 0"));
	/* more data on the broken direction is ignored quietly */
	feed(r, &p[1], 1, 5);
	CU_ASSERT_EQUAL(g->nerr, 1);
	/* a malformed frame: IPv4 header length bigger than the packet */
	p[4].len = mk_frame(p[4].f, &a, &b, 100, KR_TCP_ACK, ka, kl);
	p[4].f[14 + 3] = 200;
	CU_ASSERT_EQUAL(kr_reasm_frame(r, KR_DLT_EN10MB, 0, 6, p[4].f, p[4].len, p[4].len), -1);
	CU_ASSERT_EQUAL(g->err[1].kind, KR_SE_PACKET);
	CU_ASSERT_EQUAL(g->err[1].pkt_no, 6);
	/* a second connection cut inside a message */
	struct ep c = ep4("198.18.0.1", 41000);
	p[5].len = mk_frame(p[5].f, &c, &a, 0, KR_TCP_ACK, ka, 10);
	feed(r, &p[5], 1, 7);
	kr_reasm_finish(r);
	CU_ASSERT_EQUAL_FATAL(g->nerr, 4);
	CU_ASSERT_EQUAL(g->err[2].kind, KR_SE_GAP);
	CU_ASSERT_EQUAL(g->err[2].pkt_no, 4);
	CU_ASSERT_EQUAL(g->err[2].dir, 1);
	CU_ASSERT_EQUAL(g->err[3].kind, KR_SE_PARTIAL);
	CU_ASSERT_EQUAL(g->n, 0);
	kr_reasm_free(r);
	free(g);

	/* frame decoder limits */
	struct kr_tcpseg s;
	struct kr_err e;
	uint8_t f[64] = { 0 };
	CU_ASSERT_EQUAL(kr_frame_decode(KR_DLT_EN10MB, f, 10, 10, &s, &e), -1);
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	CU_ASSERT_EQUAL(kr_frame_decode(KR_DLT_EN10MB, f, 60, 60, &s, &e), 0);
	CU_ASSERT_EQUAL(kr_frame_decode(999, f, 60, 60, &s, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "link type"));
	size_t n = mk_frame(f, &a, &b, 1, 0, NULL, 0);
	f[14 + 20 + 12] = 0xf0; /* TCP data offset 60 > segment */
	CU_ASSERT_EQUAL(kr_frame_decode(KR_DLT_EN10MB, f, n, n, &s, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "data offset"));
}

static void t_pcap_files(void)
{
	char path[] = "/tmp/kr-test-reasm-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	uint8_t s0[1024];
	size_t e0[8], n0;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	struct ep a = ep4("198.18.0.1", 40000), b = ep4("198.18.0.2", 179);
	unsigned rng = 3;
	size_t k = segment(P[0], 300, &a, &b, 1, s0, l0, 10, &rng);
	pcap_t *pd = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(pd, path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (size_t i = 0; i < k; i++) {
		struct pcap_pkthdr h = { { 1700000000, (long)i * 1000 + 7 }, (bpf_u_int32)P[0][i].len,
					 (bpf_u_int32)P[0][i].len };
		pcap_dump((u_char *)d, &h, P[0][i].f);
	}
	pcap_dump_close(d);
	pcap_close(pd);
	struct got *g = calloc(1, sizeof *g);
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_pcap_messages(path, NULL, on_msg, on_err, g, &e), 0);
	CU_ASSERT_EQUAL(g->nerr, 0);
	check_msgs(g, 0, 0, s0, e0, n0);
	/* nanosecond timestamps survive */
	CU_ASSERT_EQUAL(g->m[0].ts % 1000, 7);
	CU_ASSERT(g->m[0].ts / 1000000000 == 1700000000);
	/* truncate inside the last packet: error names packet and offset,
	 * messages before the damage were delivered */
	FILE *f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	CU_ASSERT_EQUAL(truncate(path, size - 3), 0);
	memset(g, 0, sizeof *g);
	CU_ASSERT_EQUAL(kr_pcap_messages(path, NULL, on_msg, on_err, g, &e), -1);
	char want[64];
	snprintf(want, sizeof want, "packet %zu at offset", k);
	if (!strstr(e.msg, want))
		fprintf(stderr, "message: %s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT(g->n >= n0 - 1);
	/* not a pcap at all */
	f = fopen(path, "w");
	fputs("hello, this is not a capture file\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(kr_pcap_messages(path, NULL, on_msg, on_err, g, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	CU_ASSERT_EQUAL(kr_pcap_messages("/nonexistent.pcap", NULL, on_msg, on_err, g, &e), -1);
	unlink(path);
	free(g);
}

/* The interop capture: 17 BGP messages, six BGPsec UPDATEs, judged as
 * pcaps/bgpsrx-interop.md says (QuaggaSRx agreed). */
struct interop {
	struct kr_pdec *d;
	int msgs, updates, bgpsec, valid, invalid;
	char invalid_prefix[64];
	enum kr_reason reason;
};
static void on_interop(const struct kr_smsg *m, void *arg)
{
	struct interop *x = arg;
	char line[4096];
	kr_pdec_format(x->d, m, line, sizeof line);
	x->msgs++;
	const struct kr_pdec_update *u = kr_pdec_last(x->d);
	x->updates += u->is_update;
	x->bgpsec += u->bgpsec;
	if (u->validated && u->res.verdict == KR_VALID)
		x->valid++;
	if (u->validated && u->res.verdict == KR_NOT_VALID) {
		x->invalid++;
		snprintf(x->invalid_prefix, sizeof x->invalid_prefix, "%s", u->prefix);
		x->reason = u->res.reason;
	}
}

static void t_interop_capture(void)
{
	const char *pcap = "pcaps/bgpsrx-interop.pcap";
	struct interop x = { .d = kr_pdec_new(NULL) };
	struct kr_err e = { 0 };
	CU_ASSERT_EQUAL(kr_pcap_messages(pcap, NULL, on_interop, NULL, &x, &e), 0);
	CU_ASSERT_EQUAL(x.msgs, 17);
	CU_ASSERT_EQUAL(x.updates, 6);
	CU_ASSERT_EQUAL(x.bgpsec, 6);
	CU_ASSERT_EQUAL(x.valid + x.invalid, 0); /* no keys, no verdicts */
	kr_pdec_free(x.d);

	FILE *f = fopen("pcaps/bgpsrx-interop.keys.json", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	struct kr_keytab *kt = kr_keytab_new();
	CU_ASSERT_FATAL(kr_keys_json_load(kt, buf, n, &e) > 0);
	memset(&x, 0, sizeof x);
	x.d = kr_pdec_new(kt);
	CU_ASSERT_EQUAL(kr_pcap_messages(pcap, NULL, on_interop, NULL, &x, &e), 0);
	CU_ASSERT_EQUAL(x.valid, 5);
	CU_ASSERT_EQUAL(x.invalid, 1);
	CU_ASSERT_STRING_EQUAL(x.invalid_prefix, "10.40.5.0/24");
	kr_pdec_free(x.d);
	kr_keytab_free(kt);
}

/* Lines for RTR PDUs and for BGP messages that do not decode. */
static void t_format_lines(void)
{
	uint8_t q[64];
	struct kr_wr w = kr_wr_init(q, sizeof q);
	struct kr_rtr_pdu pq = kr_rtr_pdu_make(1, 2 /* Reset Query */, 0, 0);
	CU_ASSERT_EQUAL_FATAL(kr_rtr_encode(&pq, &w), 0);
	struct kr_smsg m = { .ts_ns = 1700000000123456789LL, .conn = 3, .proto = KR_SP_RTR,
			     .msg = q, .len = w.off };
	m.src.family = m.dst.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", m.src.addr);
	inet_pton(AF_INET6, "2001:db8::2", m.dst.addr);
	m.src.port = 40000;
	m.dst.port = 323;
	struct kr_pdec *d = kr_pdec_new(NULL);
	char line[512];
	kr_pdec_format(d, &m, line, sizeof line);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "1700000000.123456789 c3 [2001:db8::1]:40000 > [2001:db8::2]:323 RTR"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "Reset Query"));
	/* an UPDATE whose lengths do not add up: named, not crashed on */
	uint8_t u[23 + 4];
	memset(u, 0xff, 16);
	u[16] = 0, u[17] = sizeof u, u[18] = KR_BGP_UPDATE;
	u[19] = 0, u[20] = 9; /* withdrawn length beyond the message */
	memset(u + 21, 0, 6);
	m.proto = KR_SP_BGP;
	m.msg = u;
	m.len = sizeof u;
	kr_pdec_format(d, &m, line, sizeof line);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "BGP UPDATE (undecodable:"));
	CU_ASSERT(kr_pdec_last(d)->is_update && !kr_pdec_last(d)->bgpsec);
	/* a tiny output buffer truncates, never overflows */
	char small[16];
	kr_pdec_format(d, &m, small, sizeof small);
	CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
	kr_pdec_free(d);
}

/* Every byte of a message maps back to the frame that carried it and its
 * offset there, also when segments came out of order and overlapped. */
struct locate_got {
	size_t n;
	bool ok;
	const uint8_t *frames[8];
	size_t flen[8];
};

static void on_locate(const struct kr_smsg *m, void *arg)
{
	struct locate_got *g = arg;
	g->n++;
	for (size_t off = 0; off < m->len; off++) {
		uint64_t pk;
		size_t fo;
		if (!kr_smsg_locate(m, off, &pk, &fo) || pk < 1 || pk > 8 || fo >= g->flen[pk - 1] ||
		    g->frames[pk - 1][fo] != m->msg[off])
			g->ok = false;
	}
	uint64_t pk;
	size_t fo;
	CU_ASSERT(!kr_smsg_locate(m, m->len, &pk, &fo));
}

static void t_locate(void)
{
	uint8_t ka[19], ka2[19];
	size_t len;
	kr_keepalive_build(ka, sizeof ka, &len);
	memcpy(ka2, ka, sizeof ka);
	struct ep a = ep4("198.18.0.5", 179), b = ep4("198.18.0.6", 33000);
	struct pkt p[5];
	uint8_t both[38];
	memcpy(both, ka, 19);
	memcpy(both + 19, ka2, 19);
	p[0].len = mk_frame(p[0].f, &a, &b, 100, KR_TCP_SYN, NULL, 0);
	p[1].len = mk_frame(p[1].f, &a, &b, 111, KR_TCP_ACK, both + 10, 15); /* out of order */
	p[2].len = mk_frame(p[2].f, &a, &b, 101, KR_TCP_ACK, both, 12);     /* overlaps p[1] */
	p[3].len = mk_frame(p[3].f, &a, &b, 126, KR_TCP_ACK, both + 25, 13);
	struct locate_got g = { .ok = true };
	for (int i = 0; i < 4; i++) {
		g.frames[i] = p[i].f;
		g.flen[i] = p[i].len;
	}
	struct kr_reasm *r = kr_reasm_new(NULL, on_locate, NULL, &g);
	feed(r, p, 4, 1);
	kr_reasm_finish(r);
	CU_ASSERT_EQUAL(g.n, 2);
	CU_ASSERT(g.ok);
	kr_reasm_free(r);
	/* a framing error names the frame and offset of the first bad octet */
	uint8_t bad[19];
	memcpy(bad, ka, sizeof bad);
	bad[5] = 0;
	p[1].len = mk_frame(p[1].f, &a, &b, 101, KR_TCP_ACK, ka, 19);
	p[2].len = mk_frame(p[2].f, &a, &b, 120, KR_TCP_ACK, bad, 19);
	struct got *gg = calloc(1, sizeof *gg);
	r = kr_reasm_new(NULL, on_msg, on_err, gg);
	feed(r, p, 3, 1);
	kr_reasm_finish(r);
	CU_ASSERT_EQUAL_FATAL(gg->nerr, 1);
	CU_ASSERT_EQUAL(gg->err[0].kind, KR_SE_FRAMING);
	CU_ASSERT_EQUAL(gg->err[0].at_pkt, 3);
	CU_ASSERT_EQUAL(gg->err[0].at_frame_off, 14 + 20 + 20); /* Ethernet, IPv4, TCP */
	CU_ASSERT_EQUAL(gg->err[0].src.port, 179);
	kr_reasm_free(r);
	free(gg);
}

/* cfg.detect: BGP and RTR recognised on ports the configuration does not
 * name; other TCP traffic is left alone. */
static void t_detect(void)
{
	uint8_t s0[1024];
	size_t e0[8], n0;
	size_t l0 = bgp_stream(s0, sizeof s0, 65001, e0, &n0);
	struct ep a = ep4("198.18.0.1", 40000), b = ep4("198.18.0.2", 1790);
	struct ep c = ep4("198.18.0.3", 40001), d = ep4("198.18.0.4", 8282);
	struct ep x = ep4("198.18.0.5", 40002), y = ep4("198.18.0.6", 22);
	uint8_t rq[8];
	struct kr_rtr_pdu q = kr_rtr_pdu_make(1, KR_RTR_RESET_QUERY, 0, 0);
	struct kr_wr w = kr_wr_init(rq, sizeof rq);
	kr_rtr_encode(&q, &w);
	static const uint8_t ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct pkt p[8];
	size_t k = 0;
	p[k].len = mk_frame(p[k].f, &a, &b, 1, KR_TCP_SYN, NULL, 0), k++;
	p[k].len = mk_frame(p[k].f, &a, &b, 2, KR_TCP_ACK, s0, l0), k++;
	p[k].len = mk_frame(p[k].f, &c, &d, 1, KR_TCP_SYN, NULL, 0), k++;
	p[k].len = mk_frame(p[k].f, &c, &d, 2, KR_TCP_ACK, rq, sizeof rq), k++;
	p[k].len = mk_frame(p[k].f, &x, &y, 1, KR_TCP_SYN, NULL, 0), k++;
	p[k].len = mk_frame(p[k].f, &x, &y, 2, KR_TCP_ACK, ssh, sizeof ssh - 1), k++;
	for (int detect = 0; detect < 2; detect++) {
		struct kr_reasm_cfg cfg = { .detect = detect };
		struct got *g = calloc(1, sizeof *g);
		struct kr_reasm *r = kr_reasm_new(&cfg, on_msg, on_err, g);
		feed(r, p, k, 1);
		kr_reasm_finish(r);
		CU_ASSERT_EQUAL(g->nerr, 0);
		if (!detect) {
			CU_ASSERT_EQUAL(g->n, 0);
		} else {
			CU_ASSERT_EQUAL_FATAL(g->n, n0 + 1);
			check_msgs(g, 0, 0, s0, e0, n0);
			CU_ASSERT_EQUAL(g->m[n0].proto, KR_SP_RTR);
			CU_ASSERT_EQUAL(g->m[0].proto, KR_SP_BGP);
		}
		kr_reasm_free(r);
		free(g);
	}
}

KR_TESTS("reasm",
	 { "frame and offset of every message byte", t_locate },
	 { "any port: BGP and RTR recognised by content", t_detect },
	 { "format lines", t_format_lines },
	 { "segmented, both directions, seq wrap", t_segmented_both_directions },
	 { "out of order and overlapping retransmissions", t_out_of_order_and_retransmissions },
	 { "hole filled late: completing packet stamps", t_hole_filled_late_stamps_completion },
	 { "several flows, IPv6, RTR", t_several_flows_and_rtr },
	 { "mid-stream start resyncs on the marker", t_midstream_resync },
	 { "errors: framing, gap, partial, packet", t_errors },
	 { "pcap files: round trip, truncation, garbage", t_pcap_files },
	 { "interop capture", t_interop_capture });
