/* Origin key / transit key split (draft-rogaglia-sidr-bgpsec-rollover-01
 * §4.2, RFC 8634 §4.2): a transit AS that also originates signs its own
 * prefixes with an origin key, rolled often against replays, and transit
 * routes with a long-lived transit key, so that an origin rollover does not
 * re-advertise the transit table. */
#include "steps.h"

#define DRAFT42 "draft-rogaglia-sidr-bgpsec-rollover-01 §4.2; RFC 8634 §4.2"

static void own_list(struct kr_ctx *ctx, const char *out[ST_NOWN])
{
	for (unsigned i = 0; i < ST_NOWN; i++)
		out[i] = kr_w_sut_prefix(ctx->w, i);
}

static int keys_apart(struct kr_ctx *ctx)
{
	struct kr_wkey *o0, *o1;
	if (st_sut_setup(ctx, true, "origin", &o0, &o1) < 0)
		return -1;
	struct kr_wkey *t0 = kr_w_sut_key(ctx->w, "transit", 0);
	if (!t0)
		return -1;
	const char *own[ST_NOWN];
	own_list(ctx, own);
	kr_judge(ctx, "which key signs which route");
	const char *transit[] = { P1, P2 };
	if (st_all_resigned(ctx, own, ST_NOWN, o0, 0, "own prefix signed with the origin key") < 0)
		return -1;
	return st_all_resigned(ctx, transit, 2, t0, 0, "transit route signed with the transit key");
}

/* Announcements of the transit routes at up2, dn1 and dn2 so far. */
static size_t transit_announcements(struct kr_ctx *ctx)
{
	struct kr_world *w = ctx->w;
	const char *transit[] = { P1, P2 };
	size_t n = 0;
	for (int d = KR_UP2; d <= KR_DN2; d++) /* up1 is where they come from */
		for (size_t i = 0; i < 2; i++) {
			struct kr_wroute r;
			if (kr_w_route(w, (enum kr_peer)d, transit[i], &r) == 0)
				n += r.announcements;
		}
	return n;
}

/* The SUT rolls its origin key; its own prefixes re-advertised with the
 * new one (judged by 4.2/4, a precondition of 4.2/2). */
static int origin_rolled(struct kr_ctx *ctx, size_t *before, int64_t *t)
{
	struct kr_wkey *o0, *o1;
	if (st_sut_setup(ctx, true, "origin", &o0, &o1) < 0)
		return -1;
	*before = transit_announcements(ctx);
	*t = kr_now_ns();
	if (kr_w_sut_rekey(ctx->w, "origin", o1, 0) < 0)
		return -1;
	if (ctx->c->level == KR_MUST)
		kr_judge(ctx, "the SUT's own prefixes re-advertised with the new origin key");
	const char *own[ST_NOWN];
	own_list(ctx, own);
	return st_all_resigned(ctx, own, ST_NOWN, o1, *t, "own prefix re-advertised with the new origin key");
}

static int origin_roll_own(struct kr_ctx *ctx)
{
	size_t before;
	int64_t t;
	return origin_rolled(ctx, &before, &t);
}

static int origin_roll(struct kr_ctx *ctx)
{
	size_t before;
	int64_t t;
	if (origin_rolled(ctx, &before, &t) < 0)
		return -1;
	kr_judge(ctx, "an origin-key roll leaves the transit routes alone");
	size_t n = kr_w_updates_since(ctx->w, KR_DN1, t) + kr_w_updates_since(ctx->w, KR_DN2, t);
	if (st_sentinel(ctx, KR_BGPSEC_PEERS) < 0)
		return -1;
	kr_metric(ctx, "origin_roll_updates", (double)n, "UPDATEs");
	size_t after = transit_announcements(ctx);
	kr_expect(ctx, "no transit route re-advertised when only the origin key rolls (%zu own-prefix UPDATEs expected)",
		  (size_t)ST_NOWN * 2);
	if (after != before)
		return kr_fail(ctx, "%zu transit re-advertisements at up2, dn1 and dn2 (%zu UPDATEs in all)",
			       after - before, n);
	return 0;
}

static int transit_roll(struct kr_ctx *ctx)
{
	struct kr_wkey *t0, *t1;
	if (st_sut_setup(ctx, true, "transit", &t0, &t1) < 0)
		return -1;
	struct kr_wkey *o0 = kr_w_sut_key(ctx->w, "origin", 0);
	if (!o0)
		return -1;
	const char *transit[] = { P1, P2 };
	int64_t t = kr_now_ns();
	if (kr_w_sut_rekey(ctx->w, "transit", t1, 0) < 0)
		return -1;
	kr_judge(ctx, "what a transit-key roll re-advertises, and with which key");
	if (st_all_resigned(ctx, transit, 2, t1, t, "transit route re-advertised with the new transit key") < 0)
		return -1;
	kr_metric(ctx, "transit_roll_updates",
		  (double)(kr_w_updates_since(ctx->w, KR_DN1, t) + kr_w_updates_since(ctx->w, KR_DN2, t)),
		  "UPDATEs");
	if (st_sentinel(ctx, KR_BGPSEC_PEERS) < 0)
		return -1;
	const char *own[ST_NOWN];
	own_list(ctx, own);
	return st_all_resigned(ctx, own, ST_NOWN, o0, 0, "own prefix still signed with the origin key");
}

static const struct kr_case cases[] = {
	{ .id = "rollover/4.2/1", .level = KR_MUST, .spec = DRAFT42,
	  .title = "with split keys, own prefixes carry the origin key and transit routes the transit key",
	  .req = "one certificate to sign BGP UPDATEs in transit and a second one for prefixes originated in its AS",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_ORIGIN_KEY, .run = keys_apart, .per_family = true },
	{ .id = "rollover/4.2/2", .level = KR_SHOULD, .spec = DRAFT42,
	  .title = "rolling the origin key re-advertises only the SUT's own prefixes",
	  .req = "only the origin certificate should be frequently rolled over; a transit-wide rollover floods the DFZ",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_ORIGIN_KEY, .run = origin_roll, .per_family = true },
	{ .id = "rollover/4.2/4", .level = KR_MUST, .spec = DRAFT42 "; RFC 8634 §3.1 step 3",
	  .title = "rolling the origin key re-advertises every own prefix signed with the new origin key",
	  .req = "every UPDATE signed with the old (origin) key is re-signed with the new one",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_ORIGIN_KEY, .run = origin_roll_own,
	  .per_family = true },
	{ .id = "rollover/4.2/3", .level = KR_MUST, .spec = DRAFT42 "; RFC 8634 §3.1 step 3",
	  .title = "rolling the transit key re-advertises every transit route and keeps the origin key on own prefixes",
	  .req = "every UPDATE signed with the old (transit) key is re-signed with the new one",
	  .needs = KR_NEED_BGPSEC | KR_NEED_SIGN | KR_NEED_REKEY | KR_NEED_ORIGIN_KEY, .run = transit_roll, .per_family = true },
};

KR_SUITE(key_split, "Origin key and transit key (draft §4.2)", cases)
