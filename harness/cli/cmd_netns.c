/* keyroll netns up FILE [--tag TAG] [--wait [--capture DIR]] | down [TAG] |
 * check FILE. `up` alone leaves the topology up and returns; with --wait it
 * stays in the foreground (optionally capturing every SUT link) until
 * SIGINT/SIGTERM, then tears everything down. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/capture.h"
#include "cli/cli.h"
#include "net/netns.h"
#include "net/teardown.h"
#include "net/topo.h"

const char kr_cmd_netns_help[] =
	"up FILE [--tag TAG] [--wait [--capture DIR]] | down [TAG] | check FILE -- build, remove or check a topology";

static void print_net(const struct kr_net *n)
{
	const struct kr_topo *t = kr_net_topo(n);
	printf("tag %s\n", kr_net_tag(n));
	for (size_t i = 0; i < t->nnodes; i++)
		printf("node %-6s %-10s netns %s\n", t->nodes[i].name,
		       kr_role_name(t->nodes[i].role), kr_net_ns_name(n, t->nodes[i].name));
	for (size_t k = 0; k < t->nlinks; k++) {
		const struct kr_topo_link *l = &t->links[k];
		char a4[64], b4[64], a6[64], b6[64];
		printf("link %s %s/%u %s/%u -- %s %s/%u %s/%u\n", t->nodes[l->a].name,
		       kr_ifaddr_str(&l->a4, a4, sizeof a4), l->a4.plen,
		       kr_ifaddr_str(&l->a6, a6, sizeof a6), l->a6.plen, t->nodes[l->b].name,
		       kr_ifaddr_str(&l->b4, b4, sizeof b4), l->b4.plen,
		       kr_ifaddr_str(&l->b6, b6, sizeof b6), l->b6.plen);
	}
	fflush(stdout);
}

static int up(int argc, char **argv)
{
	const char *file = NULL, *tag = NULL, *capdir = NULL;
	int wait = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tag") && i + 1 < argc)
			tag = argv[++i];
		else if (!strcmp(argv[i], "--wait"))
			wait = 1;
		else if (!strcmp(argv[i], "--capture") && i + 1 < argc)
			capdir = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: keyroll netns up FILE [--tag TAG] [--wait [--capture DIR]]\n");
			return KR_EXIT_ERROR;
		}
	}
	if (!file || (capdir && !wait)) {
		fprintf(stderr, "usage: keyroll netns up FILE [--tag TAG] [--wait [--capture DIR]]\n");
		return KR_EXIT_ERROR;
	}
	struct kr_err err = { 0 };
	struct kr_topo t;
	if (kr_topo_load(&t, file, &err) < 0) {
		fprintf(stderr, "keyroll netns: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	if (kr_teardown_init() < 0) {
		fprintf(stderr, "keyroll netns: cannot install signal handling\n");
		return KR_EXIT_ERROR;
	}
	struct kr_net *n = kr_net_up(&t, tag, !wait, &err);
	if (!n) {
		fprintf(stderr, "keyroll netns: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	print_net(n);
	if (!wait) {
		printf("up; remove with: keyroll netns down %s\n", kr_net_tag(n));
		kr_net_release(n);
		return KR_EXIT_OK;
	}
	if (capdir) {
		/* Captures register with the teardown after the topology, so
		 * an interrupt flushes them before the namespaces go. */
		struct kr_capset *cs = kr_capture_sut_links(n, capdir, &err);
		if (!cs) {
			fprintf(stderr, "keyroll netns: %s\n", err.msg);
			return KR_EXIT_ERROR;
		}
		for (size_t i = 0; i < kr_capset_count(cs); i++)
			printf("capture %s\n", kr_capture_path(kr_capset_get(cs, i)));
	}
	/* Foreground: SIGINT/SIGTERM tear down through the teardown thread. */
	printf("up; Ctrl-C tears down\n");
	fflush(stdout);
	for (;;)
		pause();
}

static void report(const char *tag, int nns)
{
	printf("removed %s (%d namespaces)\n", tag, nns);
}

static int down(int argc, char **argv)
{
	struct kr_err err = { 0 };
	if (argc > 2) {
		fprintf(stderr, "usage: keyroll netns down [TAG]\n");
		return KR_EXIT_ERROR;
	}
	if (kr_net_preflight(&err) < 0) {
		fprintf(stderr, "keyroll netns: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	if (argc == 2) {
		int n = kr_net_clean_tag(argv[1], &err);
		if (n < 0) {
			fprintf(stderr, "keyroll netns: %s\n", err.msg);
			return KR_EXIT_ERROR;
		}
		report(argv[1], n);
		return KR_EXIT_OK;
	}
	int runs = kr_net_clean(KR_CLEAN_PERSISTENT, report, &err);
	if (runs < 0) {
		fprintf(stderr, "keyroll netns: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	if (runs == 0)
		printf("nothing to remove\n");
	return KR_EXIT_OK;
}

int kr_cmd_netns(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "up"))
		return up(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "down"))
		return down(argc - 1, argv + 1);
	if (argc == 3 && !strcmp(argv[1], "check")) {
		struct kr_err err = { 0 };
		struct kr_topo t;
		if (kr_topo_load(&t, argv[2], &err) < 0) {
			fprintf(stderr, "keyroll netns: %s\n", err.msg);
			return KR_EXIT_ERROR;
		}
		printf("%s: %zu nodes, %zu links\n", argv[2], t.nnodes, t.nlinks);
		return KR_EXIT_OK;
	}
	fprintf(stderr, "usage: keyroll netns %s\n", kr_cmd_netns_help);
	return KR_EXIT_ERROR;
}
