/* libFuzzer target: frame one BGP message, decode it as every type, and
 * for every successful OPEN/UPDATE decode require that encode reproduces
 * the input byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"

static uint8_t out[KR_BGP_EXT_MAX_LEN];
static struct kr_update u;
static struct kr_open o;

static void check_update(const uint8_t *m, size_t n, uint8_t bgpsec_type)
{
	struct kr_err e;
	size_t ol;
	if (kr_update_decode(&u, m, n, bgpsec_type, &e) < 0) {
		if (e.code == 0 || e.offset > n)
			abort();
		return;
	}
	if (kr_update_encode(&u, out, sizeof out, &ol, &e) < 0 || ol != n || memcmp(out, m, n))
		abort();
	/* decoded counts agree with the iterators */
	struct kr_nlri_iter it;
	struct kr_prefix p;
	size_t c = 0;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u.nlri, u.nlri_len);
	while (kr_nlri_next(&it, &p))
		c++;
	if (c != u.nnlri)
		abort();
	if (u.i_mp_reach >= 0 && u.mp_reach.nprefixes) {
		c = 0;
		kr_nlri_iter_init(&it, u.mp_reach.afi, u.mp_reach.nlri, u.mp_reach.nlri_len);
		while (kr_nlri_next(&it, &p)) {
			char s[64];
			kr_prefix_format(&p, s, sizeof s);
			c++;
		}
		if (c != u.mp_reach.nprefixes)
			abort();
	}
	if (u.i_bgpsec >= 0 && !u.bgpsec_malformed) {
		struct kr_wr w = kr_wr_init(out, sizeof out);
		const struct kr_attr *a = &u.attrs[u.i_bgpsec];
		if (kr_bgpsec_path_encode(&u.bgpsec, &w) < 0 || w.off != a->len ||
		    memcmp(out, a->val, a->len))
			abort();
		w = kr_wr_init(out, sizeof out);
		kr_bgpsec_to_as_path(&u.bgpsec, &w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_err e;
	size_t ml, ol;
	int r = kr_bgp_frame(data, size, KR_BGP_EXT_MAX_LEN, &ml, &e);
	if (r == 1 && (ml > size || ml < KR_BGP_HDR_LEN))
		abort();
	/* Decoders check the header themselves: feed them the framed message
	 * and the raw input. */
	const uint8_t *m = data;
	size_t n = r == 1 ? ml : size;
	for (int pass = 0; pass < 2; pass++) {
		check_update(m, n, KR_ATTR_BGPSEC_PATH);
		check_update(m, n, KR_ATTR_BGPSEC_PATH_PREIANA);
		if (kr_open_decode(&o, m, n, &e) == 0) {
			if (kr_open_encode(&o, out, sizeof out, &ol, &e) < 0 || ol != n ||
			    memcmp(out, m, n))
				abort();
			(void)kr_open_peer_as(&o);
		}
		struct kr_notification nt;
		if (kr_notification_decode(&nt, m, n, &e) == 0) {
			(void)kr_notification_code_name(nt.code);
			(void)kr_notification_subcode_name(nt.code, nt.subcode);
			if (kr_notification_build(nt.code, nt.subcode, nt.data, nt.data_len, out,
						  sizeof out, &ol) < 0 || ol != n || memcmp(out, m, n))
				abort();
		}
		struct kr_route_refresh rr;
		(void)kr_route_refresh_decode(&rr, m, n, &e);
		n = size;
		if (r != 1)
			break;
	}
	return 0;
}
