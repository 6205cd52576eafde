/* libFuzzer target: the rpki-client JSON keys file parser. */
#include <stdint.h>
#include <stdlib.h>

#include "rtr_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_rtr_set s = { 0 };
	struct kr_err e;
	if (kr_rtr_json_parse((const char *)data, size, "fuzz", &s, &e) == 0) {
		struct kr_bytes b = { 0 };
		kr_rtr_json_write(&s, &b);
		kr_bytes_free(&b);
		kr_rtr_set_free(&s);
	}
	return 0;
}
