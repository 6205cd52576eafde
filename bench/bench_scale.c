/* Full-table benchmark (issue 14 §5). Prints; never asserts.
 *
 *   twilight: the reference speaker's own twilight over a full table
 *             (`keyroll run --table dfz scale/3.1-3/sut-twilight`), against
 *             the raw-crypto floor measured in the same run: the
 *             signatures the twilight needs (one per route and BGPsec
 *             peer it is sent to) divided by the raw EVP ECDSA P-256 sign
 *             rate on the same cores. Target <= 1.5.
 *   harness:  the harness's share of the CPU during that twilight (its
 *             getrusage against the SUT's process tree). Target <= 10 %.
 *   memory:   bytes per route in the observers (compact state) and in the
 *             speaker (resident set growth over the routes it holds).
 *
 * BENCH_TABLE=N runs a table of N routes instead of the DFZ. Needs root
 * (namespaces) and build/keyroll; without them it says so and skips. The
 * machine's load average is printed with the numbers: measure when it is
 * low. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wire/bgpsec_crypto.h"

#define NS 1000000000LL

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

struct signer {
	struct kr_key *key;
	int64_t until;
	uint64_t n;
};

static void *sign_loop(void *arg)
{
	struct signer *s = arg;
	struct kr_crypto_ctx *cc = kr_crypto_ctx_new();
	uint8_t dg[32] = { 1 }, sig[KR_SIG_MAX];
	size_t len;
	struct kr_err e;
	while (now_ns() < s->until) {
		for (int i = 0; i < 64; i++) {
			dg[0] = (uint8_t)s->n;
			if (kr_ecdsa_sign_digest(cc, s->key->pkey, dg, NULL, sig, &len, &e) == 0)
				s->n++;
		}
	}
	kr_crypto_ctx_free(cc);
	return NULL;
}

/* Raw signatures per second on every online core for `seconds`. */
static double raw_sign_rate(struct kr_key *key, double seconds)
{
	long nc = sysconf(_SC_NPROCESSORS_ONLN);
	if (nc < 1)
		nc = 1;
	struct signer s[64];
	pthread_t th[64];
	int64_t t0 = now_ns(), until = t0 + (int64_t)(seconds * NS);
	for (long i = 0; i < nc && i < 64; i++) {
		s[i] = (struct signer){ key, until, 0 };
		pthread_create(&th[i], NULL, sign_loop, &s[i]);
	}
	uint64_t n = 0;
	for (long i = 0; i < nc && i < 64; i++) {
		pthread_join(th[i], NULL);
		n += s[i].n;
	}
	return (double)n / ((double)(now_ns() - t0) / NS);
}

static double metric(json_t *c, const char *name)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(c, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")), name))
			return json_number_value(json_object_get(m, "value"));
	return -1;
}

static void load_avg(const char *when)
{
	double l[3];
	if (getloadavg(l, 3) == 3)
		printf("  load average %s: %.2f %.2f %.2f\n", when, l[0], l[1], l[2]);
}

int main(void)
{
	if (geteuid() != 0 || access("build/keyroll", X_OK) != 0) {
		printf("scale: skipped (needs root for namespaces and build/keyroll)\n");
		return 0;
	}
	struct kr_key key;
	struct kr_err e;
	if (kr_key_generate(&key, 65551, &e) < 0) {
		fprintf(stderr, "key: %s\n", e.msg);
		return 2;
	}
	const char *table = getenv("BENCH_TABLE");
	char cmd[512], dir[] = "/tmp/kr-bench-scale-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	load_avg("before");
	double rate0 = raw_sign_rate(&key, 3.0);
	printf("  raw ECDSA P-256 signatures on %ld cores: %.0f/s\n", sysconf(_SC_NPROCESSORS_ONLN), rate0);
	snprintf(cmd, sizeof cmd, "build/keyroll run %s%s --out %s/run scale/3.1-3/sut-twilight >%s/run.log 2>&1",
		 table ? "--routes " : "--table dfz", table ? table : "", dir, dir);
	printf("  %s\n", cmd);
	fflush(stdout);
	int64_t t0 = now_ns();
	int rc = system(cmd);
	double wall = (double)(now_ns() - t0) / NS;
	double rate1 = raw_sign_rate(&key, 3.0);
	double rate = (rate0 + rate1) / 2;
	load_avg("after");
	printf("  raw sign rate after the run: %.0f/s (mean %.0f/s used for the floor)\n", rate1, rate);
	char path[600];
	snprintf(path, sizeof path, "%s/run/results.json", dir);
	json_error_t je;
	json_t *r = json_load_file(path, 0, &je);
	json_t *c = r ? json_array_get(json_object_get(r, "cases"), 0) : NULL;
	const char *outcome = c ? json_string_value(json_object_get(c, "outcome")) : NULL;
	if (!c || !outcome || strcmp(outcome, "PASS")) {
		printf("scale: the case did not pass (exit %d, outcome %s); see %s/run.log\n", rc, outcome ? outcome : "?",
		       dir);
		json_decref(r);
		kr_key_free(&key);
		return 1;
	}
	double n = metric(c, "routes"), t = metric(c, "twilight_time"), sigs = metric(c, "twilight_signatures");
	double share = metric(c, "twilight_harness_cpu_share"), load_t = metric(c, "load_time");
	double floor = sigs / rate;
	printf("scale: %.0f routes (case %.0f s, table load %.1f s)\n", n, wall, load_t);
	printf("  twilight through the reference speaker: %.1f s for %.0f signatures (%.0f/s)\n", t, sigs, sigs / t);
	printf("  raw-crypto floor: %.0f signatures / %.0f per s = %.1f s\n", sigs, rate, floor);
	printf("  twilight / floor: %.2f (target <= 1.5: %s)\n", t / floor, t / floor <= 1.5 ? "met" : "MISSED");
	printf("  harness CPU share during the twilight: %.1f %% (target <= 10 %%: %s)\n", 100 * share,
	       share <= 0.10 ? "met" : "MISSED");
	printf("  memory per route: observer dn1 %.0f B, dn2 %.0f B, exa %.0f B; reference speaker %.0f B "
	       "(resident %.0f MB)\n",
	       metric(c, "observer_dn1_bytes_per_route"), metric(c, "observer_dn2_bytes_per_route"),
	       metric(c, "observer_exa_bytes_per_route"), metric(c, "sut_bytes_per_route"),
	       metric(c, "sut_rss") / 1048576);
	printf("  UPDATEs/s per peer during the twilight: dn1 %.0f, dn2 %.0f\n", metric(c, "twilight_updates_per_s_dn1"),
	       metric(c, "twilight_updates_per_s_dn2"));
	json_decref(r);
	kr_key_free(&key);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
