/* libFuzzer target: the wire lint entry points (wire/lint.h) on arbitrary
 * messages and sessions. Input: octet 0 the session's flags, octet 1 what
 * to feed (BGP message, RTR PDU from the router or the cache), the rest
 * the message. Every violation must name a known rule and an offset
 * inside the message, and the count returned must be the count reported;
 * the received-routes table and the RTR key follower take the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "wire/lint.h"
#include "wire/lint_rib.h"
#include "wire/rtr_follow.h"

static struct kr_keytab *keys;
static struct kr_crypto_ctx *cc;
static struct kr_lint_rib *rib;
static struct kr_crypto_ctx *mc; /* with a verification memo */
static struct kr_rtr_follow *fol;
static struct kr_lint_rtr rtr;
static struct kr_update u;
static size_t len_now, reported;

static void on_viol(const struct kr_lint_viol *v, void *arg)
{
	(void)arg;
	if (v->rule >= KR_L_COUNT || v->offset > len_now || !memchr(v->text, 0, sizeof v->text))
		abort();
	reported++;
}

static const uint32_t p1[] = { 64500, 64501 };
static const uint32_t *const paths[] = { p1 };
static const size_t lens[] = { 2 };
static const struct kr_lint_held held_one = { .n = 1, .path = paths, .len = lens };

static const struct kr_lint_held *held(void *arg, const struct kr_prefix *p)
{
	(void)arg;
	return p->len & 1 ? &held_one : kr_lint_rib_held(rib, 0, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!keys) {
		uint8_t d[32] = { 1 };
		struct kr_key k;
		struct kr_err e;
		keys = kr_keytab_new();
		cc = kr_crypto_ctx_new();
		rib = kr_lint_rib_new();
		mc = kr_crypto_ctx_new();
		fol = kr_rtr_follow_new(true, size & 1);
		kr_lint_rtr_init(&rtr);
		if (!keys || !cc || !rib || !mc || kr_crypto_ctx_memo(mc, 16) < 0 || !fol || kr_key_from_raw_d(&k, 65551, d, &e) < 0 ||
		    kr_keytab_add_key(keys, &k, &e) < 0)
			abort();
		kr_key_free(&k);
	}
	if (size < 2)
		return 0;
	uint8_t f = data[0], mode = data[1];
	const uint8_t *m = data + 2;
	size_t n = size - 2;
	struct kr_lint_sess s = {
		.known = f & 1, .sender_as = f & 2 ? 65551 : 64500, .receiver_as = f & 4 ? 65537 : 65551,
		.as4 = f & 8, .afi = { 0, f & 16, f & 32 }, .bgpsec = { 0, f & 64, f & 128 },
		.ext_msg = f & 0x10, .route_refresh = f & 0x20, .recv_family = 2, .recv_addr = { 198, 18, 0, 2 },
	};
	len_now = n;
	reported = 0;
	size_t got;
	switch (mode % 3) {
	case 0: {
		struct kr_lint_stats st = { 0 };
		struct kr_lint_ctx c = { .sess = &s, .keys = mode & 4 ? keys : NULL, .cc = mode & 1 ? mc : cc, .held = held,
					 .cb = on_viol, .scratch = mode & 8 ? &u : NULL, .stats = &st,
					 .sig_sample_mod = mode & 2 ? 3 : 0 };
		got = kr_lint_bgp(&c, m, n);
		size_t nsigs;
		if (kr_lint_peek_bgpsec(m, n, 0, &nsigs) == 1 && nsigs > n)
			abort(); /* every Signature_Block takes octets */
		struct kr_err e;
		if (n > 18 && m[18] == KR_BGP_UPDATE && kr_update_decode(&u, m, n, KR_ATTR_BGPSEC_PATH, &e) == 0)
			kr_lint_rib_update(rib, mode & 16 ? 1 : 0, mode >> 5, &u);
		if (mode & 0x80)
			kr_lint_rib_drop_src(rib, 1);
		break;
	}
	case 1:
		got = kr_lint_rtr_router(&rtr, m, n, on_viol, NULL);
		kr_rtr_follow_pdu(fol, m, n, true, (int64_t)size * 1000000000LL, size);
		break;
	default:
		kr_lint_rtr_cache(&rtr, m, n);
		kr_rtr_follow_pdu(fol, m, n, false, (int64_t)size * 1000000000LL, size);
		got = 0;
		break;
	}
	if (got != reported)
		abort();
	const struct kr_rkey_span *sp;
	size_t ns = kr_rtr_follow_spans(fol, &sp);
	for (size_t i = 0; i < ns; i++)
		if (sp[i].to < sp[i].from || sp[i].spki_len > KR_RKEY_SPKI_MAX)
			abort();
	if (ns > 4096) { /* keep the state small across runs */
		kr_rtr_follow_free(fol);
		fol = kr_rtr_follow_new(true, size & 1);
	}
	return 0;
}
