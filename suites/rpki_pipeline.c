/* Cases only the RPKI pipeline can express (keyroll run --rpki pipeline):
 * a CA event or mistake that a relying party turns into an RTR
 * withdrawal. In each, up1 has published its next key k1 (step 1) and
 * signs P2 with it while P1 is still signed with k0 and P3 by up2; then
 * the CA side changes, rpki-client drops the key (every key of the
 * publication point, when it rejects the whole manifest), StayRTR
 * withdraws it, and the SUT must react as for any RTR withdrawal
 * (RFC 8205 §5, RFC 8634 §3.1 step 5): routes signed with a dropped key
 * are withdrawn downstream, routes signed with keys the relying party
 * kept stay. Outside the pipeline these cases SKIP. */
#include <stdio.h>

#include "steps.h"

enum cause { EXPIRY, AS_OUTSIDE, MFT_HASH, CRL_MISTAKE };

/* The stage period (24 h nominal) compressed by --time-scale, but never
 * shorter than the key needs to reach the SUT and carry a route: the
 * pipeline's measured latency plus the announcement deadline. */
static double stage_validity(struct kr_ctx *ctx)
{
	double nominal = kr_ns_to_s(kr_scaled_ns(ctx, 86400));
	double lat = kr_w_pipeline_latency(ctx->w), ann = kr_w_deadline_s(ctx->w, KR_W_ANNOUNCE);
	double v = lat + ann + 1.0;
	if (v < nominal)
		v = nominal;
	kr_log(ctx, "stage period: 24 h nominal is %.3f s at this time scale; k1's certificate is valid for %.1f s: "
		    "the pipeline's latency %.2f s (measured) + the announcement deadline %.2f s + 1 s",
	       nominal, v, lat, ann);
	return v;
}

static int drop_case(struct kr_ctx *ctx, enum cause cause)
{
	if (!kr_pipeline_mode(ctx))
		return kr_skip(ctx, "needs --rpki pipeline: only a relying party turns this CA event into an RTR "
				    "withdrawal");
	struct kr_wkey *k0, *k1;
	if (st_up_peer(ctx, &k0, &k1) < 0)
		return -1;
	struct kr_wkey *q0 = kr_w_key(ctx->w, KR_UP2, 0);
	if (!q0 || st_announce_seen(ctx, KR_UP1, P1, k0, KR_BGPSEC_PEERS) < 0 ||
	    st_announce_seen(ctx, KR_UP2, P3, q0, KR_BGPSEC_PEERS) < 0)
		return -1;
	kr_log(ctx, "step 1: the CA issues and publishes the certificate of %s", kr_wkey_name(k1));
	if ((cause == EXPIRY ? kr_w_publish_expiring(ctx->w, k1, stage_validity(ctx)) : kr_w_publish(ctx->w, k1)) < 0)
		return -1;
	if (st_announce_seen(ctx, KR_UP1, P2, k1, KR_BGPSEC_PEERS) < 0)
		return -1;
	const char *pfx[] = { P1, P2, P3 };
	struct kr_wkey *key[] = { k0, k1, q0 };
	size_t before[3][KR_NPEERS];
	for (int i = 0; i < 3; i++)
		st_withdrawals(ctx->w, pfx[i], before[i]);
	kr_judge(ctx, "the SUT withdraws the routes signed with the keys the relying party drops and keeps the others");
	int rc;
	switch (cause) {
	case EXPIRY:
		rc = kr_w_rp_drop(ctx->w, k1, KR_W_DROP_EXPIRY);
		break;
	case AS_OUTSIDE:
		rc = kr_w_rp_drop(ctx->w, k1, KR_W_DROP_AS_OUTSIDE);
		break;
	case MFT_HASH:
		rc = kr_w_rp_drop(ctx->w, k1, KR_W_DROP_MFT_HASH);
		break;
	default:
		kr_log(ctx, "step 4 gone wrong: the CA's CRL revokes the new key %s instead of %s", kr_wkey_name(k1),
		       kr_wkey_name(k0));
		rc = kr_w_revoke(ctx->w, k1);
		break;
	}
	if (rc < 0)
		return -1;
	char why[200];
	for (int i = 0; i < 3; i++) {
		if (kr_w_key_published(ctx->w, key[i]))
			continue;
		snprintf(why, sizeof(why), "route signed with %s, which the relying party dropped", kr_wkey_name(key[i]));
		if (st_absent(ctx, KR_BGPSEC_PEERS, pfx[i], KR_W_RTR, why) < 0)
			return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (!kr_w_key_published(ctx->w, key[i]))
			continue;
		snprintf(why, sizeof(why), "route signed with %s, which the relying party kept", kr_wkey_name(key[i]));
		if (st_stayed(ctx, KR_BGPSEC_PEERS, pfx[i], before[i], why) < 0)
			return -1;
	}
	return 0;
}

static int expiry(struct kr_ctx *ctx)
{
	return drop_case(ctx, EXPIRY);
}

static int as_outside(struct kr_ctx *ctx)
{
	return drop_case(ctx, AS_OUTSIDE);
}

static int mft_hash(struct kr_ctx *ctx)
{
	return drop_case(ctx, MFT_HASH);
}

static int crl_mistake(struct kr_ctx *ctx)
{
	return drop_case(ctx, CRL_MISTAKE);
}

#define REACT "; the SUT reacts as to an RTR withdrawal (RFC 8205 §5, RFC 8634 §3.1 step 5)"

static const struct kr_case cases[] = {
	{ .id = "pipeline/6487-4.6/1", .level = KR_MUST,
	  .spec = "RFC 6487 §4.6.2; RFC 8209 §3.1; RFC 8634 §3.1 step 2; RFC 8205 §5",
	  .title = "a router certificate that expires during the stage period: the relying party drops the key and the "
		   "SUT withdraws the routes signed with it",
	  .req = "a certificate past its notAfter is not valid; the relying party no longer outputs its key" REACT,
	  .needs = KR_NEED_BGPSEC, .run = expiry, .per_family = true },
	{ .id = "pipeline/6487-7.2/1", .level = KR_MUST,
	  .spec = "RFC 6487 §7.2; RFC 3779 §3.3; RFC 8209 §3.1.3.4; RFC 8205 §5",
	  .title = "a router certificate with AS resources outside its CA's: the relying party drops the key and the SUT "
		   "withdraws the routes signed with it",
	  .req = "a certificate's resources must be contained in its issuer's, or it is not valid" REACT,
	  .needs = KR_NEED_BGPSEC, .run = as_outside, .per_family = true },
	{ .id = "pipeline/9286-6.5/1", .level = KR_MUST,
	  .spec = "RFC 9286 §6.5, §6.6; RFC 8205 §5",
	  .title = "a manifest that lists the new router certificate with a wrong hash: the relying party drops what "
		   "it rejects and the SUT withdraws the routes signed with those keys",
	  .req = "an object whose hash does not match its manifest entry is not used (rpki-client rejects the whole "
		 "manifest, so every key of that CA goes)" REACT,
	  .needs = KR_NEED_BGPSEC, .run = mft_hash, .per_family = true },
	{ .id = "pipeline/8634-3.1-4/1", .level = KR_MUST,
	  .spec = "RFC 8634 §3.1 steps 4-5; RFC 6487 §5; RFC 8205 §5",
	  .title = "a CRL that revokes the new key by mistake: the relying party drops it and the SUT withdraws the "
		   "routes signed with it, keeping those signed with the old key",
	  .req = "a revoked certificate is not valid; the relying party no longer outputs its key" REACT,
	  .needs = KR_NEED_BGPSEC, .run = crl_mistake, .per_family = true },
};

KR_SUITE(rpki_pipeline, "CA events a relying party turns into RTR withdrawals (--rpki pipeline)", cases)
