/* Building plus tearing down the standard topology (netns/rollover.topo),
 * as a ratio to the same seven namespaces without links or addresses,
 * measured in the same run. Needs root; prints, never asserts. Best of
 * several rounds: other load only ever slows a round down. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/netns.h"
#include "net/topo.h"

#define ROUNDS 15

/* Best up and down time (ns) over ROUNDS builds of t. */
static int measure(const struct kr_topo *t, int64_t *up, int64_t *down)
{
	*up = *down = INT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		struct kr_err e = { 0 };
		int64_t t0 = kr_now_ns();
		struct kr_net *n = kr_net_up(t, NULL, false, &e);
		int64_t t1 = kr_now_ns();
		if (!n) {
			fprintf(stderr, "bench_netns: %s\n", e.msg);
			return -1;
		}
		kr_net_free(n);
		int64_t t2 = kr_now_ns();
		if (t1 - t0 < *up)
			*up = t1 - t0;
		if (t2 - t1 < *down)
			*down = t2 - t1;
	}
	return 0;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("bench_netns: skipped (needs root)\n");
		return 0;
	}
	struct kr_topo full, bare;
	struct kr_err e = { 0 };
	if (kr_topo_load(&full, "netns/rollover.topo", &e) < 0) {
		fprintf(stderr, "bench_netns: %s\n", e.msg);
		return 1;
	}
	bare = full;
	bare.nlinks = 0;
	int64_t fu, fd, bu, bd;
	if (measure(&bare, &bu, &bd) < 0 || measure(&full, &fu, &fd) < 0)
		return 1;
	printf("standard topology (7 namespaces, 6 veth links, 24 addresses), best of %d:\n", ROUNDS);
	printf("  up %.1f ms, down %.1f ms, total %.1f ms\n", fu / 1e6, fd / 1e6, (fu + fd) / 1e6);
	printf("  baseline (7 bare namespaces): up %.1f ms, down %.1f ms\n", bu / 1e6, bd / 1e6);
	printf("  ratio full/bare: up %.2f, total %.2f\n", (double)fu / (double)bu,
	       (double)(fu + fd) / (double)(bu + bd));
	return 0;
}
