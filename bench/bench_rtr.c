/* RTR cache at the size of the real RPKI (about 500k VRPs plus router
 * keys), as ratios to a baseline measured in the same run: encoding the
 * same PDUs into a buffer with the bare codec.
 *
 *   full load:    Reset Query -> every record to a loopback client, over
 *                 the event loop (ratio > 1: the cost of the socket path)
 *   incremental:  Serial Query after one key rollover (announce + withdraw)
 *                 (ratio << 1: the change log at work)
 *   replace:      SIGHUP-style kr_rtr_replace of the whole set with one
 *                 key changed (delta computation)
 * Prints; never asserts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpki/rtr_cache.h"

#define NVRP 500000
#define NKEY 2000

static uint8_t spki[91] = { 0x30, 0x59 };

static void fill(struct kr_rtr_set *s, uint8_t key_tag)
{
	for (uint32_t i = 0; i < NVRP; i++) {
		struct kr_rtr_vrp v = { .afi = 4, .prefix_len = 24, .max_len = 24, .asn = 64496 + i % 1000 };
		v.addr[0] = (uint8_t)(10 + (i >> 16));
		v.addr[1] = (uint8_t)(i >> 8);
		v.addr[2] = (uint8_t)i;
		kr_rtr_set_add_vrp(s, &v);
	}
	for (uint32_t i = 0; i < NKEY; i++) {
		uint8_t ski[20] = { 0 };
		memcpy(ski, &i, sizeof i);
		ski[19] = i == 0 ? key_tag : 0;
		kr_rtr_set_add_key(s, 65536 + i, ski, spki, sizeof spki);
	}
}

static double encode_baseline(void)
{
	static uint8_t buf[64];
	int64_t t0 = kr_now_ns();
	size_t total = 0;
	for (uint32_t i = 0; i < NVRP + NKEY; i++) {
		struct kr_rtr_pdu p = kr_rtr_pdu_make(1, i < NVRP ? KR_RTR_IPV4_PREFIX : KR_RTR_ROUTER_KEY, 0, 0);
		p.prefix_len = p.max_len = 24;
		p.spki = spki;
		p.spki_len = sizeof spki;
		uint8_t big[256];
		struct kr_wr w = kr_wr_init(i < NVRP ? buf : big, i < NVRP ? sizeof buf : sizeof big);
		kr_rtr_encode(&p, &w);
		total += w.off;
	}
	if (!total)
		puts("?");
	return (double)(kr_now_ns() - t0);
}

struct rd {
	int fd;
	size_t got, want_eod;
	uint8_t tail[32];
	size_t tl;
	size_t eods;
};

/* Count End of Data PDUs in a byte stream without keeping it: track PDU
 * boundaries only. */
static size_t need_skip;
static bool drain(void *arg)
{
	struct rd *r = arg;
	static uint8_t buf[1 << 16];
	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof buf);
		if (n <= 0)
			break;
		size_t off = 0;
		while (off < (size_t)n) {
			if (need_skip) {
				size_t k = need_skip < (size_t)n - off ? need_skip : (size_t)n - off;
				need_skip -= k;
				off += k;
				continue;
			}
			/* header may straddle reads: collect 8 octets */
			while (r->tl < 8 && off < (size_t)n)
				r->tail[r->tl++] = buf[off++];
			if (r->tl < 8)
				break;
			uint32_t len = (uint32_t)r->tail[4] << 24 | r->tail[5] << 16 | r->tail[6] << 8 | r->tail[7];
			if (r->tail[1] == KR_RTR_END_OF_DATA)
				r->eods++;
			need_skip = len - 8;
			r->tl = 0;
		}
	}
	return r->eods >= r->want_eod;
}

static double query(struct kr_loop *l, struct rd *r, const uint8_t *q, size_t ql)
{
	r->want_eod = r->eods + 1;
	int64_t t0 = kr_now_ns();
	if (write(r->fd, q, ql) != (ssize_t)ql)
		return -1;
	while (!drain(r))
		kr_loop_run_once(l, 1000000);
	return (double)(kr_now_ns() - t0);
}

int main(void)
{
	struct kr_loop *l = kr_loop_new();
	struct kr_rtr_cache_cfg cfg = { .session_id = 1, .max_version = 1 };
	struct kr_rtr_cache *c = kr_rtr_cache_new(l, &cfg);
	struct kr_err e = { 0 };
	if (kr_rtr_cache_listen(c, "127.0.0.1:0", &e)) {
		fprintf(stderr, "bench_rtr: %s\n", e.msg);
		return 2;
	}
	struct kr_rtr_set a = { 0 }, b = { 0 };
	fill(&a, 0);
	fill(&b, 1); /* key 0 rolled: new SKI */
	int64_t t0 = kr_now_ns();
	kr_rtr_replace(c, &a);
	double load_ns = (double)(kr_now_ns() - t0);

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(kr_rtr_cache_port(c)) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(fd, (struct sockaddr *)&sa, sizeof sa);
	struct rd r = { .fd = fd };
	fcntl(fd, F_SETFL, O_NONBLOCK);
	const uint8_t reset[8] = { 1, 2, 0, 0, 0, 0, 0, 8 };
	double base = 1e18, full = 1e18;
	for (int i = 0; i < 3; i++) {
		double x = encode_baseline();
		base = x < base ? x : base;
		x = query(l, &r, reset, sizeof reset);
		full = x < full ? x : full;
	}
	t0 = kr_now_ns();
	long ch = kr_rtr_replace(c, &b);
	double repl = (double)(kr_now_ns() - t0);
	uint32_t s = kr_rtr_serial(c) - 1;
	uint8_t sq[12] = { 1, 1, 0, 1, 0, 0, 0, 12, (uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s };
	double inc = query(l, &r, sq, sizeof sq);
	printf("records: %d VRPs + %d router keys\n", NVRP, NKEY);
	printf("baseline: codec encode of every PDU        %8.1f ms\n", base / 1e6);
	printf("full load over loopback (Reset Query)      %8.1f ms  ratio %.2f\n", full / 1e6, full / base);
	printf("incremental after one rollover (%ld changes) %8.3f ms  ratio %.4f\n", ch, inc / 1e6, inc / base);
	printf("replace whole set, delta computation       %8.1f ms  ratio %.2f\n", repl / 1e6, repl / base);
	printf("initial load of the set                    %8.1f ms  ratio %.2f\n", load_ns / 1e6, load_ns / base);
	close(fd);
	kr_rtr_set_free(&a);
	kr_rtr_set_free(&b);
	kr_rtr_cache_free(c);
	kr_loop_free(l);
	return 0;
}
