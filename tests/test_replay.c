/* Replay selection (pure): by prefix, index, time, direction, BGPsec only. */
#include <string.h>

#include "wire/bgpsec_crypto.h"
#include "cu.h"
#include "run/replay.h"

static struct kr_key key;
static uint8_t msgs[6][512];
static size_t lens[6];

/* 0..3: signed announcements of P0, P1, P0, P1 (times 0..3 s); 4: plain
 * announcement of P0; 5: withdrawal of P0. */
static void build(void)
{
	struct kr_err e;
	CU_ASSERT_FATAL(kr_key_generate(&key, 65536, &e) == 0);
	static const uint8_t nh[4] = { 198, 18, 0, 1 };
	static const uint32_t path[] = { 65536 };
	for (int i = 0; i < 5; i++) {
		struct kr_route_out r = { .next_hop = nh, .next_hop_len = 4, .as_path = path, .as_path_len = 1 };
		kr_prefix_parse(&r.prefix, i % 2 ? "198.51.100.0/24" : "192.0.2.0/24");
		static struct kr_bgpsec_path bp;
		static struct kr_sigstore st;
		if (i < 4) {
			CU_ASSERT_FATAL(kr_bgpsec_sign(&key, 65537, 1, 0, NULL, 1, 1, &r.prefix, NULL, &bp, &st, &e) == 0);
			r.bgpsec = &bp;
		}
		if (i == 4)
			kr_prefix_parse(&r.prefix, "192.0.2.0/24");
		CU_ASSERT_FATAL(kr_update_build(&r, 4096, msgs[i], 512, &lens[i], &e) == 0);
	}
	struct kr_prefix w;
	kr_prefix_parse(&w, "192.0.2.0/24");
	CU_ASSERT_FATAL(kr_update_build_withdraw(&w, 1, 4096, msgs[5], 512, &lens[5], &e) == 0);
}

static size_t run(const struct kr_replay_sel *sel, struct kr_replay_set *s)
{
	kr_replay_set_init(s);
	for (int i = 0; i < 6; i++) {
		struct kr_smsg m = { .ts_ns = (int64_t)i * 1000000000LL, .pkt_no = (uint64_t)i + 1,
				     .proto = KR_SP_BGP, .msg = msgs[i], .len = lens[i], .dir = 0 };
		CU_ASSERT(kr_replay_add(s, sel, &m) >= 0);
	}
	return s->n;
}

static void t_select(void)
{
	build();
	struct kr_replay_sel sel;
	struct kr_replay_set s;
	kr_replay_sel_init(&sel);
	CU_ASSERT_EQUAL(run(&sel, &s), 6);
	kr_replay_set_free(&s);

	struct kr_prefix p0;
	kr_prefix_parse(&p0, "192.0.2.0/24");
	sel.prefix = &p0;
	CU_ASSERT_EQUAL(run(&sel, &s), 3); /* 0, 2, 4 */
	kr_replay_set_free(&s);
	sel.with_withdrawals = true;
	CU_ASSERT_EQUAL(run(&sel, &s), 4);
	kr_replay_set_free(&s);
	sel.with_withdrawals = false;
	sel.bgpsec_only = true;
	CU_ASSERT_EQUAL(run(&sel, &s), 2);
	kr_replay_set_free(&s);
	sel.first = sel.last = 1; /* the second signed announcement of P0 */
	CU_ASSERT_EQUAL_FATAL(run(&sel, &s), 1);
	CU_ASSERT_EQUAL(s.m[0].pkt_no, 3);
	CU_ASSERT(s.m[0].len == lens[2] && memcmp(s.data.p + s.m[0].off, msgs[2], lens[2]) == 0);
	kr_replay_set_free(&s);

	kr_replay_sel_init(&sel);
	sel.t_from = 1.5;
	sel.t_to = 3.5;
	CU_ASSERT_EQUAL(run(&sel, &s), 2); /* 2, 3 */
	kr_replay_set_free(&s);
	sel.dir = 1;
	CU_ASSERT_EQUAL(run(&sel, &s), 0);
	kr_replay_set_free(&s);
	kr_key_free(&key);
}

KR_TESTS("replay", { "selection by prefix, index, time, direction", t_select });
