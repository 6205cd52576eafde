/* BGPsec signing and validation throughput, as ratios to a raw OpenSSL EVP
 * ECDSA P-256 sign / verify loop measured in the same run (issue 2 §7).
 * Prints; never asserts. Goals: >= 0.90 of raw per core, >= 1.8x on two
 * cores.
 *
 *   generation:  sign one new hop + encode the UPDATE (origin, and a 4th
 *                hop added to a received 3-hop path): one ECDSA sign each,
 *                so the ratio is UPDATEs/s over raw signs/s.
 *   validation:  decode + RFC 8205 §5.2 checks + every signature of a 1-hop
 *                and a 4-hop UPDATE: ratio is signatures verified per second
 *                over raw verifies per second. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "wire/bgpsec_crypto.h"

/* Other load on the machine only ever slows a round down, so each figure
 * is the best of several short rounds, and every operation's rounds are
 * interleaved with its raw baseline's. */
#define RUN_NS 60000000LL
#define ROUNDS 7

static struct kr_key keys[4];
static struct kr_keytab *tab;
static uint8_t upd1[4096], upd4[4096];
static size_t upd1_len, upd4_len;
static struct kr_bgpsec_path path3; /* received 3-hop path, extended by hop 4 */
static struct kr_sigstore store3;
static struct kr_prefix pfx;
static uint8_t nh[4] = { 198, 18, 0, 1 };

enum op { RAW_SIGN, RAW_VERIFY, GEN1, GEN4, VAL1, VAL4, NOPS };
static const char *const op_name[NOPS] = {
	"raw EVP sign", "raw EVP verify", "generate 1-hop", "generate 4-hop", "validate 1-hop",
	"validate 4-hop",
};
static const int op_sigs[NOPS] = { 1, 1, 1, 1, 1, 4 }; /* signatures per operation */

struct worker {
	pthread_t th;
	enum op op;
	pthread_barrier_t *bar;
	long ops;
	int64_t ns, cpu_ns;
	int fail;
};

static int gen(struct kr_crypto_ctx *c, const struct kr_key *k, const struct kr_bgpsec_path *in,
	       struct kr_bgpsec_path *out, struct kr_sigstore *st, uint8_t *buf, size_t *len)
{
	if (kr_bgpsec_sign_ctx(c, k, 65537, 1, 0, in, KR_AFI_IPV4, KR_SAFI_UNICAST, &pfx, NULL, out,
			       st, NULL) < 0)
		return -1;
	struct kr_route_out r = { .prefix = pfx, .next_hop = nh, .next_hop_len = 4, .bgpsec = out };
	return kr_update_build(&r, KR_BGP_MAX_LEN, buf, 4096, len, NULL);
}

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	struct kr_bgpsec_path *out = malloc(sizeof *out);
	struct kr_sigstore *st = malloc(sizeof *st);
	struct kr_update *u = malloc(sizeof *u);
	uint8_t buf[4096], dg[32] = { 1, 2, 3 }, sig[KR_SIG_MAX];
	size_t len, sl = sizeof sig;
	/* raw loops: one EVP_PKEY_CTX set up once, as a tuned caller would */
	EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new_from_pkey(NULL, keys[0].pkey, NULL);
	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new_from_pkey(NULL, keys[0].pkey, NULL);
	if (!c || !out || !st || !u || !sctx || !vctx || EVP_PKEY_sign_init(sctx) != 1 ||
	    EVP_PKEY_verify_init(vctx) != 1 || EVP_PKEY_sign(sctx, sig, &sl, dg, 32) != 1)
		w->fail = 1;
	struct kr_val_opts o = { .my_as = 65537 };
	struct kr_val_result res;
	pthread_barrier_wait(w->bar);
	int64_t t0 = kr_now_ns(), t = t0, c0 = thread_cpu_ns();
	long n = 0;
	while (!w->fail && t - t0 < RUN_NS) {
		for (int i = 0; i < 16 && !w->fail; i++, n++) {
			size_t l = KR_SIG_MAX;
			switch (w->op) {
			case RAW_SIGN:
				w->fail = EVP_PKEY_sign(sctx, buf, &l, dg, 32) != 1;
				break;
			case RAW_VERIFY:
				w->fail = EVP_PKEY_verify(vctx, sig, sl, dg, 32) != 1;
				break;
			case GEN1:
				w->fail = gen(c, &keys[0], NULL, out, st, buf, &len) < 0;
				break;
			case GEN4:
				w->fail = gen(c, &keys[3], &path3, out, st, buf, &len) < 0;
				break;
			case VAL1:
			case VAL4:
				w->fail = kr_update_decode(u, w->op == VAL1 ? upd1 : upd4,
							   w->op == VAL1 ? upd1_len : upd4_len,
							   KR_ATTR_BGPSEC_PATH, NULL) < 0 ||
					  kr_bgpsec_validate_ctx(c, tab, u, &o, &res) < 0 ||
					  res.verdict != KR_VALID;
				break;
			default:
				break;
			}
		}
		t = kr_now_ns();
	}
	w->ops = n;
	w->ns = t - t0;
	w->cpu_ns = thread_cpu_ns() - c0;
	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(vctx);
	kr_crypto_ctx_free(c);
	free(out);
	free(st);
	free(u);
	return NULL;
}

/* Signatures per second over nthreads threads (sum of per-thread rates by
 * wall clock); *cpu_rate: the sum of each thread's rate per second of its
 * own CPU time, which time-sharing with other processes does not dilute. */
static double measure(enum op op, int nthreads, double *cpu_rate)
{
	struct worker w[64];
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, (unsigned)nthreads);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ .op = op, .bar = &bar };
		pthread_create(&w[i].th, NULL, run, &w[i]);
	}
	double rate = 0;
	int fail = 0;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(w[i].th, NULL);
		fail |= w[i].fail;
		rate += (double)w[i].ops * op_sigs[op] / kr_ns_to_s(w[i].ns);
		if (cpu_rate)
			*cpu_rate += (double)w[i].ops * op_sigs[op] / kr_ns_to_s(w[i].cpu_ns);
	}
	pthread_barrier_destroy(&bar);
	if (fail) {
		fprintf(stderr, "bench_bgpsec: %s failed\n", op_name[op]);
		exit(2);
	}
	return rate;
}

static int setup(void)
{
	tab = kr_keytab_new();
	static const uint32_t as[4] = { 64496, 65536, 65540, 65541 };
	for (int i = 0; i < 4; i++)
		if (kr_key_generate(&keys[i], as[i], NULL) < 0 ||
		    kr_keytab_add_key(tab, &keys[i], NULL) < 0)
			return -1;
	if (kr_prefix_parse(&pfx, "192.0.2.0/24") < 0)
		return -1;
	/* 3-hop path 64496 -> 65536 -> 65540, to be signed on by 65541 */
	static struct kr_sigstore st4;
	static struct kr_bgpsec_path p4;
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	int rc = -1;
	if (kr_bgpsec_sign_ctx(c, &keys[0], 65536, 1, 0, NULL, 1, 1, &pfx, NULL, &path3, &store3,
			       NULL) < 0 ||
	    kr_bgpsec_sign_ctx(c, &keys[1], 65540, 1, 0, &path3, 1, 1, &pfx, NULL, &path3, &store3,
			       NULL) < 0 ||
	    kr_bgpsec_sign_ctx(c, &keys[2], 65541, 1, 0, &path3, 1, 1, &pfx, NULL, &path3, &store3,
			       NULL) < 0)
		goto out;
	p4 = path3;
	st4 = store3;
	/* p4's segments point into store3, which stays unchanged */
	if (gen(c, &keys[3], &path3, &p4, &st4, upd4, &upd4_len) < 0)
		goto out;
	static struct kr_bgpsec_path p1;
	static struct kr_sigstore st1;
	if (gen(c, &keys[0], NULL, &p1, &st1, upd1, &upd1_len) < 0)
		goto out;
	rc = 0;
out:
	kr_crypto_ctx_free(c);
	return rc;
}

int main(void)
{
	if (setup() < 0) {
		fprintf(stderr, "bench_bgpsec: setup failed\n");
		return 2;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nt = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (int)ncpu;
	double r1[NOPS] = { 0 }, rn[NOPS] = { 0 }, rc[NOPS] = { 0 }, rcn[NOPS] = { 0 };
	for (int round = 0; round < ROUNDS; round++)
		for (int op = 0; op < NOPS; op++) {
			double c = 0, cn = 0;
			double a = measure(op, 1, &c), b = nt > 1 ? measure(op, nt, &cn) : a;
			cn = nt > 1 ? cn : c;
			r1[op] = a > r1[op] ? a : r1[op];
			rn[op] = b > rn[op] ? b : rn[op];
			rc[op] = c > rc[op] ? c : rc[op];
			rcn[op] = cn > rcn[op] ? cn : rcn[op];
		}
	double load[3] = { 0 };
	getloadavg(load, 3);
	printf("BGPsec suite 1 (ECDSA P-256, OpenSSL %s), %d cores, load average %.2f\n",
	       OpenSSL_version(OPENSSL_VERSION_STRING), nt, load[0]);
	printf("%-15s %10s %6s | %10s %6s | %10s %6s %7s | %8s\n", "", "sig/CPU-s", "vs raw",
	       "sig/s 1th", "vs raw", "sig/s all", "vs raw", "scaling", "CPU-scal");
	for (int op = 0; op < NOPS; op++) {
		int base = op == RAW_SIGN || op == GEN1 || op == GEN4 ? RAW_SIGN : RAW_VERIFY;
		printf("%-15s %10.0f %6.3f | %10.0f %6.3f | %10.0f %6.3f %6.2fx | %7.2fx\n",
		       op_name[op], rc[op], rc[op] / rc[base], r1[op], r1[op] / r1[base], rn[op],
		       rn[op] / rn[base], rn[op] / r1[op], rcn[op] / rc[op]);
	}
	printf("per core: signatures per second of CPU time (robust to other load) and of\n"
	       "wall time on one thread. all: %d threads by wall time; scaling = all / one\n"
	       "thread (bounded by idle cores: see the raw rows); CPU-scal = the same by CPU\n"
	       "time (what %d idle cores would give; < %d.0x means contention). Goals: >= 0.90\n"
	       "of raw per core; >= 1.8x scaling on 2 cores.\n", nt, nt, nt);
	for (int i = 0; i < 4; i++)
		kr_key_free(&keys[i]);
	kr_keytab_free(tab);
	return 0;
}
