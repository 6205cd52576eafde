/* libFuzzer target: arbitrary text as a reference speaker configuration
 * (sut/refspeaker/README.md). The parser lives with the speaker, outside
 * the harness library, so it is compiled in here. */
#include <stddef.h>
#include <stdint.h>

#include "../sut/refspeaker/rs_config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rs_config c;
	struct kr_err e;
	rs_config_parse(&c, (const char *)data, size, "fuzz.conf", &e);
	return 0;
}
