/* libFuzzer target: the vector file parser on arbitrary bytes. Errors are
 * fine; crashes, leaks and out-of-bounds reads are not. A parsed file must
 * also survive the checker's key cross-checks. */
#include <stdint.h>
#include <stddef.h>

#include "vectors/vecfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_vecfile f;
	struct kr_err e;
	if (kr_vecfile_parse(&f, (const char *)data, size, "fuzz", &e) == 0) {
		for (size_t i = 0; i < f.nkeys; i++) {
			struct kr_key k;
			char why[256];
			if (kr_vec_key_build(&f.keys[i], &k, why, sizeof why) == 0)
				kr_key_free(&k);
		}
		kr_vecfile_free(&f);
	}
	return 0;
}
