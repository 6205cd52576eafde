/* libFuzzer target: arbitrary text as a SUT profile, and, when it parses,
 * its start command expanded as a template (sut/README.md). Errors are
 * fine; crashes, leaks and out-of-bounds reads are not. */
#include <stddef.h>
#include <stdint.h>

#include "run/sut_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_sut_profile p;
	struct kr_err e;
	struct kr_sut_vars *v = kr_sut_vars_new();
	kr_sut_vars_set(v, "bin", "build");
	struct kr_sut_vars *it = kr_sut_vars_add_item(v, "peers");
	kr_sut_vars_set(it, "addr", "198.18.0.2");
	struct kr_bytes out = { 0 };
	/* the input itself as a template */
	kr_sut_expand((const char *)data, size, "fuzz", v, &out, &e);
	kr_bytes_free(&out);
	if (kr_sut_profile_parse(&p, (const char *)data, size, "fuzz.profile", &e) == 0) {
		char *kv[] = { "fault=x" };
		kr_sut_apply_options(&p, kv, 1, v, &e);
		const char *s = p.action[KR_SUT_START];
		kr_sut_expand(s, __builtin_strlen(s), "start", v, &out, &e);
		kr_bytes_free(&out);
		kr_sut_profile_free(&p);
	}
	kr_sut_vars_free(v);
	return 0;
}
