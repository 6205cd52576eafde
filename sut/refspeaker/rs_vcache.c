/* Verdict caches of the faults cache-valid-verdicts,
 * cache-notvalid-verdicts and verdict-cache-survives-rtr-reset
 * (FAULTS.md). The clean speaker has none: a verdict holds only for the
 * router keys of its moment (RFC 8205 §5), so every UPDATE is validated
 * when it arrives. These model speakers that save signature checks by
 * remembering the verdict of an UPDATE's exact bytes. */
#include <string.h>

#include "rs_faults.h"
#include "rs_speaker.h"

#define VC_MAX 1024
#define VC_SIGS 8

struct vc_entry {
	uint64_t h;
	uint32_t len;
	enum rs_val val;
	int reason;
	size_t nsigs;
	uint32_t asn[VC_SIGS];
	uint8_t ski[VC_SIGS][KR_SKI_LEN];
};

static struct vc_entry vc[VC_MAX];
static size_t nvc, next_slot;

static bool enabled(void)
{
	return rs_fault.cache_valid_verdicts || rs_fault.cache_notvalid_verdicts ||
	       rs_fault.verdict_cache_survives_rtr_reset;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static struct vc_entry *find(const uint8_t *msg, size_t len)
{
	uint64_t h = fnv(msg, len);
	for (size_t i = 0; i < nvc; i++)
		if (vc[i].h == h && vc[i].len == len)
			return &vc[i];
	return NULL;
}

bool rs_vcache_get(const uint8_t *msg, size_t len, enum rs_val *val, int *reason)
{
	if (!enabled())
		return false;
	const struct vc_entry *e = find(msg, len);
	if (!e)
		return false;
	bool use = rs_fault.verdict_cache_survives_rtr_reset ||
		   (e->val == RS_VALID && rs_fault.cache_valid_verdicts) ||
		   (e->val == RS_NOTVALID && rs_fault.cache_notvalid_verdicts);
	if (!use)
		return false;
	*val = e->val;
	*reason = e->reason;
	rs_log("fault verdict cache: %s from the cache, not validated", rs_val_name(e->val));
	return true;
}

void rs_vcache_put(const uint8_t *msg, size_t len, const struct kr_update *u, enum rs_val val, int reason)
{
	if (!enabled())
		return;
	struct vc_entry *e = find(msg, len);
	if (!e) {
		e = &vc[next_slot];
		next_slot = (next_slot + 1) % VC_MAX;
		if (nvc < VC_MAX)
			nvc++;
	}
	memset(e, 0, sizeof *e);
	e->h = fnv(msg, len);
	e->len = (uint32_t)len;
	e->val = val;
	e->reason = reason;
	const struct kr_bgpsec_path *b = &u->bgpsec;
	size_t ns = b->nblocks ? b->blocks[0].nsegs : 0;
	for (size_t i = 0; i < ns && i < b->nhops && i < VC_SIGS; i++) {
		e->asn[i] = b->sp[i].asn;
		memcpy(e->ski[i], b->blocks[0].segs[i].ski, KR_SKI_LEN);
		e->nsigs++;
	}
}

void rs_vcache_key_changed(uint32_t asn, const uint8_t *ski, bool resetting)
{
	/* fault verdict-cache-survives-rtr-reset: an incremental change drops
	 * the entries that carry the key; changes that arrive with a Cache
	 * Reset or a new session id are not looked at */
	if (!rs_fault.verdict_cache_survives_rtr_reset || resetting)
		return;
	for (size_t i = 0; i < nvc; i++)
		for (size_t k = 0; k < vc[i].nsigs; k++)
			if (vc[i].asn[k] == asn && !memcmp(vc[i].ski[k], ski, KR_SKI_LEN)) {
				vc[i].h = 0;
				vc[i].len = 0;
				break;
			}
}
