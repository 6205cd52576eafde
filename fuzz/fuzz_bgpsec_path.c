/* libFuzzer target: the BGPsec_PATH value parser (RFC 8205 §3). A
 * successful decode must re-encode to the same octets; the AS_PATH
 * conversion must stay in bounds. */
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"

static struct kr_bgpsec_path bp;
static uint8_t out[KR_BGP_EXT_MAX_LEN * 64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_err e;
	if (kr_bgpsec_path_decode(&bp, data, size, &e) < 0) {
		if (e.code == 0 || e.offset > size)
			abort();
		return 0;
	}
	struct kr_wr w = kr_wr_init(out, sizeof out);
	if (kr_bgpsec_path_encode(&bp, &w) < 0 || w.off != size || memcmp(out, data, size) ||
	    kr_bgpsec_path_len(&bp) != size)
		abort();
	w = kr_wr_init(out, sizeof out);
	if (kr_bgpsec_to_as_path(&bp, &w) < 0)
		abort();
	/* a small output buffer must fail cleanly, not overflow */
	w = kr_wr_init(out, size % 64);
	(void)kr_bgpsec_to_as_path(&bp, &w);
	return 0;
}
