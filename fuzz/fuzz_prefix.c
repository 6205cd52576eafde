/* libFuzzer target: prefix text parser and NLRI field parser (RFC 4271
 * §4.3, RFC 4760 §5). Text that parses must format and re-parse to the
 * same prefix; an NLRI field that checks must iterate to the same count
 * and re-encode to the same octets. */
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[96];
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
	memcpy(text, data, n);
	text[n] = 0;
	struct kr_prefix p, q;
	if (kr_prefix_parse(&p, text) == 0) {
		char out[64];
		kr_prefix_format(&p, out, sizeof out);
		if (kr_prefix_parse(&q, out) < 0 || !kr_prefix_eq(&p, &q) || p.len != q.len)
			abort();
	}
	if (size == 0)
		return 0;
	uint16_t afi = data[0] & 1 ? KR_AFI_IPV4 : KR_AFI_IPV6;
	const uint8_t *f = data + 1;
	size_t fl = size - 1, count;
	struct kr_err e;
	int ok = kr_nlri_check(afi, f, fl, 0, &count, &e);
	struct kr_nlri_iter it;
	static uint8_t again[1 << 16];
	struct kr_wr w = kr_wr_init(again, sizeof again);
	size_t c = 0;
	kr_nlri_iter_init(&it, afi, f, fl);
	while (kr_nlri_next(&it, &p)) {
		kr_nlri_put(&w, &p);
		c++;
	}
	if (ok == 0 && (c != count || w.bad || w.off != fl || memcmp(again, f, fl)))
		abort();
	if (ok < 0 && (e.code != KR_WE_NLRI || e.offset >= fl))
		abort();
	return 0;
}
