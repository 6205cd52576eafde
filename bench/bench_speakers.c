/* Harness speaker benchmarks (issue 5 §6). Prints; never asserts.
 *
 *   replay:   pre-signed UPDATEs pushed verbatim through a harness speaker
 *             into a live BGP session on loopback (the receiving session
 *             runs its own event loop in a second thread, as a SUT would
 *             be another process). Goal >= 300k UPDATEs/s.
 *   ingest:   observer ingest with full RFC 8205 validation of 1-hop
 *             signed UPDATEs (decode, checks, hash input, SHA-256, ECDSA
 *             verify, per-prefix state), as a ratio to a raw EVP verify
 *             loop over the same signatures in the same run. Goal >= 0.90.
 *   memory:   observer state per route at 1 M routes, beyond the signature
 *             octets it keeps (the current UPDATE is stored raw for
 *             re-validation and evidence). Goal <= 600 bytes. */
#include <arpa/inet.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "net/bgp_session.h"
#include "wire/bgpsec_crypto.h"
#include "run/observer.h"
#include "run/speaker.h"

#define NS 1000000000LL

static struct kr_key key;
static const uint8_t nh4[4] = { 198, 18, 0, 1 };
static const uint8_t nh6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

/* One signed 1-hop UPDATE for prefix p, origin AS 65536, target 65537. */
static size_t signed_update(const struct kr_prefix *p, uint8_t *out, size_t cap)
{
	static struct kr_bgpsec_path bp;
	static struct kr_sigstore st;
	struct kr_err e;
	if (kr_bgpsec_sign(&key, 65537, 1, 0, NULL, p->afi, KR_SAFI_UNICAST, p, NULL, &bp, &st, &e) < 0) {
		fprintf(stderr, "sign: %s\n", e.msg);
		exit(2);
	}
	struct kr_route_out r = { .prefix = *p, .bgpsec = &bp };
	r.next_hop = p->afi == KR_AFI_IPV4 ? nh4 : nh6;
	r.next_hop_len = p->afi == KR_AFI_IPV4 ? 4 : 16;
	size_t len;
	if (kr_update_build(&r, 4096, out, cap, &len, &e) < 0) {
		fprintf(stderr, "build: %s\n", e.msg);
		exit(2);
	}
	return len;
}

static void v4_prefix(struct kr_prefix *p, uint32_t i)
{
	/* /32s in 198.18.0.0/15 */
	memset(p, 0, sizeof *p);
	p->afi = KR_AFI_IPV4;
	p->len = 32;
	uint32_t a = (198u << 24 | 18u << 16) + (i & 0x1ffff);
	p->addr[0] = (uint8_t)(a >> 24);
	p->addr[1] = (uint8_t)(a >> 16);
	p->addr[2] = (uint8_t)(a >> 8);
	p->addr[3] = (uint8_t)a;
}

static void v6_prefix(struct kr_prefix *p, uint32_t i)
{
	/* /56s in 2001:db8::/32 */
	memset(p, 0, sizeof *p);
	p->afi = KR_AFI_IPV6;
	p->len = 56;
	const uint8_t pre[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	memcpy(p->addr, pre, 4);
	p->addr[4] = (uint8_t)(i >> 16);
	p->addr[5] = (uint8_t)(i >> 8);
	p->addr[6] = (uint8_t)i;
}

/* ---- replay ---------------------------------------------------------------- */

struct rx {
	struct kr_loop *l;
	struct kr_bgp_session *s;
	uint64_t want;
	volatile int ready;
	uint16_t port;
	int64_t t_done;
};

static bool rx_done(void *arg)
{
	struct rx *r = arg;
	return kr_bgp_session_stats(r->s)->updates_in >= r->want;
}

static void rx_accept(int fd, const struct sockaddr *sa, socklen_t sl, void *arg)
{
	struct rx *r = arg;
	kr_bgp_session_accept(r->s, fd);
}

static void *rx_thread(void *arg)
{
	struct rx *r = arg;
	r->l = kr_loop_new();
	struct kr_bgp_cfg c;
	kr_bgp_cfg_init(&c);
	c.open.asn = 65537;
	c.open.bgp_id = 2;
	c.open.mp[1] = c.open.mp[2] = true;
	c.open.bgpsec_recv[1] = true;
	c.passive = true;
	c.name = "sut";
	r->s = kr_bgp_session_new(r->l, &c, NULL, NULL);
	struct sockaddr_storage ss;
	socklen_t sl;
	kr_sockaddr_parse("127.0.0.1", 0, &ss, &sl);
	struct kr_err e;
	int fd = kr_bgp_listen_socket((struct sockaddr *)&ss, sl, NULL, NULL, &e);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	r->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	struct kr_bgp_listener *ls = kr_bgp_listener_new(r->l, fd, rx_accept, r);
	kr_bgp_session_start(r->s);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	kr_loop_run_until(r->l, rx_done, r, kr_now_ns() + 120 * NS);
	r->t_done = kr_now_ns();
	/* stay up until the sender is done with its side */
	kr_loop_run_until(r->l, NULL, NULL, kr_now_ns() + NS / 5);
	kr_bgp_listener_free(ls);
	kr_bgp_session_free(r->s);
	kr_loop_free(r->l);
	return NULL;
}

static void bench_replay(void)
{
	enum { DISTINCT = 8192, ROUNDS = 64 };
	uint8_t *buf = malloc((size_t)DISTINCT * 256);
	size_t *lens = malloc(DISTINCT * sizeof *lens), off = 0;
	for (uint32_t i = 0; i < DISTINCT; i++) {
		struct kr_prefix p;
		v4_prefix(&p, i);
		lens[i] = signed_update(&p, buf + off, 256);
		off += lens[i];
	}
	struct rx r = { .want = (uint64_t)DISTINCT * ROUNDS };
	pthread_t th;
	pthread_create(&th, NULL, rx_thread, &r);
	while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
		;
	struct kr_loop *l = kr_loop_new();
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = "up1";
	c.asn = 65536;
	c.bgp_id = 1;
	c.peer_as = 65537;
	c.peer_ip = "127.0.0.1";
	c.port = r.port;
	c.bgpsec_send[1] = true;
	c.record = false;
	struct kr_err e;
	struct kr_speaker *sp = kr_speaker_new(l, &c, &e);
	kr_speaker_start(sp, &e);
	if (kr_speaker_wait_established(sp, kr_now_ns() + 5 * NS) != 1) {
		printf("replay: session did not come up\n");
		exit(1);
	}
	int64_t t0 = kr_now_ns();
	for (int k = 0; k < ROUNDS; k++)
		if (kr_speaker_send_batch(sp, buf, lens, DISTINCT, t0 + 60 * NS) < 0)
			break;
	while (kr_bgp_out_pending(kr_speaker_session(sp)) && kr_now_ns() < t0 + 60 * NS)
		kr_loop_run_once(l, NS / 100);
	int64_t t_sent = kr_now_ns();
	pthread_join(th, NULL);
	double secs = kr_ns_to_s(r.t_done - t0);
	printf("replay: %u pre-signed UPDATEs (%zu octets avg) into a live session on loopback\n",
	       DISTINCT * ROUNDS, off / DISTINCT);
	printf("  sent in %.3f s, all received by the peer session in %.3f s: %.0f UPDATEs/s (goal >= 300000)\n",
	       kr_ns_to_s(t_sent - t0), secs, DISTINCT * ROUNDS / secs);
	kr_speaker_free(sp);
	kr_loop_free(l);
	free(buf);
	free(lens);
}

/* Thread CPU time: robust to other load on the machine. */
static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* ---- ingest vs raw verify ------------------------------------------------------ */

static void bench_ingest(void)
{
	enum { N = 1000, ROUNDS = 12 };
	uint8_t (*msgs)[256] = malloc((size_t)N * 256);
	size_t *lens = malloc(N * sizeof *lens);
	for (uint32_t i = 0; i < N; i++) {
		struct kr_prefix p;
		v4_prefix(&p, i);
		lens[i] = signed_update(&p, msgs[i], 256);
	}
	struct kr_keytab *t = kr_keytab_new();
	struct kr_err e;
	kr_keytab_add_key(t, &key, &e);
	struct kr_update *u = malloc(sizeof *u);
	/* digests and signatures for the raw loop, taken from the same UPDATEs */
	uint8_t (*dg)[32] = malloc((size_t)N * 32);
	const uint8_t **sig = malloc(N * sizeof *sig);
	size_t *slen = malloc(N * sizeof *slen);
	struct kr_crypto_ctx *cc = kr_crypto_ctx_new();
	static uint8_t hin[4096];
	for (uint32_t i = 0; i < N; i++) {
		kr_update_decode(u, msgs[i], lens[i], KR_ATTR_BGPSEC_PATH, &e);
		struct kr_prefix p;
		v4_prefix(&p, i);
		struct kr_wr w = kr_wr_init(hin, sizeof hin);
		kr_bgpsec_hash_input(&u->bgpsec, 0, 1, 65537, KR_AFI_IPV4, KR_SAFI_UNICAST, &p, &w);
		kr_sha256(cc, hin, w.off, dg[i]);
		sig[i] = u->bgpsec.blocks[0].segs[0].sig; /* a view into msgs[i] */
		slen[i] = u->bgpsec.blocks[0].segs[0].sig_len;
	}
	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(key.pkey, NULL);
	EVP_PKEY_verify_init(vctx);
	double best_raw = 0, best_obs = 0;
	size_t bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int64_t t0 = cpu_ns();
		for (uint32_t i = 0; i < N; i++)
			if (EVP_PKEY_verify(vctx, sig[i], slen[i], dg[i], 32) != 1)
				bad++;
		double raw = N / kr_ns_to_s(cpu_ns() - t0);
		struct kr_obs_cfg oc;
		kr_obs_cfg_init(&oc);
		oc.keys = t;
		oc.my_as = 65537;
		oc.peer_as = 65536;
		struct kr_obs *o = kr_obs_new(&oc);
		int64_t t1 = cpu_ns();
		for (uint32_t i = 0; i < N; i++) {
			kr_update_decode(u, msgs[i], lens[i], KR_ATTR_BGPSEC_PATH, &e);
			kr_obs_ingest(o, msgs[i], lens[i], u, t1);
		}
		double obs = N / kr_ns_to_s(cpu_ns() - t1);
		for (uint32_t i = 0; i < N; i++) {
			struct kr_prefix p;
			v4_prefix(&p, i);
			const struct kr_obs_route *rt = kr_obs_find(o, &p);
			if (!rt || rt->verdict != KR_VALID)
				bad++;
		}
		kr_obs_free(o);
		if (raw > best_raw)
			best_raw = raw;
		if (obs > best_obs)
			best_obs = obs;
	}
	printf("ingest: %u signed 1-hop UPDATEs, best of %d interleaved rounds, per second of thread CPU time%s\n", N, ROUNDS,
	       bad ? " (SOME DID NOT VALIDATE)" : "");
	printf("  raw EVP verify %.0f/s; observer ingest with full validation %.0f UPDATEs/s: ratio %.3f (goal >= 0.90)\n",
	       best_raw, best_obs, best_obs / best_raw);
	EVP_PKEY_CTX_free(vctx);
	kr_crypto_ctx_free(cc);
	kr_keytab_free(t);
	free(u);
	free(msgs);
	free(lens);
	free(dg);
	free(sig);
	free(slen);
}

/* ---- memory --------------------------------------------------------------------- */

static void bench_memory(void)
{
	enum { N = 1000000 };
	/* One real signature replicated: memory does not depend on its
	 * validity, and signing a million UPDATEs would dominate the run. */
	uint8_t tmpl[256];
	struct kr_prefix p;
	v6_prefix(&p, 0);
	size_t len = signed_update(&p, tmpl, sizeof tmpl);
	struct kr_update *u = malloc(sizeof *u);
	struct kr_err e;
	kr_update_decode(u, tmpl, len, KR_ATTR_BGPSEC_PATH, &e);
	size_t nlri_off = (size_t)(u->mp_reach.nlri - tmpl);
	struct kr_obs_cfg oc;
	kr_obs_cfg_init(&oc); /* no keys: this measures state, not crypto */
	oc.my_as = 65537;
	struct mallinfo2 m0 = mallinfo2();
	struct kr_obs *o = kr_obs_new(&oc);
	int64_t t0 = kr_now_ns();
	for (uint32_t i = 0; i < N; i++) {
		v6_prefix(&p, i);
		memcpy(tmpl + nlri_off + 1, p.addr, 7); /* /56: 7 octets */
		kr_update_decode(u, tmpl, len, KR_ATTR_BGPSEC_PATH, &e);
		kr_obs_ingest(o, tmpl, len, u, t0);
	}
	double secs = kr_ns_to_s(kr_now_ns() - t0);
	struct mallinfo2 m1 = mallinfo2();
	size_t sigb;
	size_t mem = kr_obs_mem(o, &sigb);
	size_t heap = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd);
	printf("memory: %u observed routes (signed, %zu-octet UPDATEs, history kept), ingested in %.2f s\n",
	       kr_obs_count(o) == N ? N : 0, len, secs);
	printf("  requested %.1f B/route, of which signatures %.1f: %.1f B/route beyond signatures (goal <= 600)\n",
	       (double)mem / N, (double)sigb / N, (double)(mem - sigb) / N);
	printf("  heap incl. allocator overhead %.1f B/route: %.1f B/route beyond signatures\n",
	       (double)heap / N, (double)(heap - sigb) / N);
	kr_obs_free(o);
	free(u);
}

int main(void)
{
	struct kr_err e;
	if (kr_key_generate(&key, 65536, &e) < 0) {
		fprintf(stderr, "key: %s\n", e.msg);
		return 2;
	}
	bench_replay();
	bench_ingest();
	bench_memory();
	kr_key_free(&key);
	return 0;
}
