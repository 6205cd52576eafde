/* keyroll list [FILTER...]: the registered cases, one per line. */
#include <stdio.h>
#include <string.h>

#include "run/case.h"
#include "cli/cli.h"

const char kr_cmd_list_help[] = "[FILTER...]  -- list conformance cases (id, level, spec, title)";

int kr_cmd_list(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "usage: keyroll list [ID-PREFIX...]\n");
			return strcmp(argv[i], "-h") && strcmp(argv[i], "--help") ? KR_EXIT_ERROR : KR_EXIT_OK;
		}
	char msg[512];
	if (kr_cases_check(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "keyroll: %s\n", msg);
		return KR_EXIT_ERROR;
	}
	const struct kr_case_ref *refs;
	size_t n = kr_cases(&refs), shown = 0;
	for (size_t i = 0; i < n; i++) {
		const struct kr_case *c = refs[i].c;
		/* listed also when a run would leave them out (opt-in) */
		if (argc > 1 && !kr_case_match(c, argv + 1, (size_t)(argc - 1)))
			continue;
		printf("%-28s %-6s %-48s %s\n", c->id, kr_level_name(c->level), c->spec, c->title);
		shown++;
	}
	if (shown == 0 && argc > 1) {
		fprintf(stderr, "keyroll: no case matches\n");
		return KR_EXIT_ERROR;
	}
	return KR_EXIT_OK;
}
