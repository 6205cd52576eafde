/* keyroll: entry point, dispatches to the subcommands in kr_cmds[]. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"

int kr_cli_add_port(uint16_t *ports, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < 1 || v > 65535)
		return -1;
	for (int i = 0; i < 3; i++)
		if (!ports[i]) {
			ports[i] = (uint16_t)v;
			return 0;
		}
	return -1;
}

int kr_cli_sig_budget(const char *s, uint64_t *out)
{
	if (!strcmp(s, "all")) {
		*out = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || errno || v < 1 || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: keyroll COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct kr_cmd *c = kr_cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KR_EXIT_ERROR : KR_EXIT_OK;
	}
	for (const struct kr_cmd *c = kr_cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "keyroll: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return KR_EXIT_ERROR;
}
