/* RTR cache data verbs (announce, withdraw, replace, batches); each change
 * outside a batch is one serial. See rtr_cache.h. */
#include "rpki/rtr_cache_int.h"

int kr_rtr_announce_key(struct kr_rtr_cache *c, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			const uint8_t *spki, size_t spki_len)
{
	struct kr_rtr_rec r;
	size_t mark = c->st.arena.len;
	if (kr_rtr_rec_key(&c->st, &r, asn, ski, spki, spki_len))
		return -1;
	int rc = kr_rtr_store_change(&c->st, &r, true);
	if (rc == 0)
		c->st.arena.len = mark; /* already served: give the copy back */
	if (rc > 0)
		kr_rtr_changed(c);
	return rc;
}

int kr_rtr_withdraw_key(struct kr_rtr_cache *c, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			const uint8_t *spki, size_t spki_len)
{
	int rc;
	if (!spki) {
		rc = kr_rtr_store_withdraw_ski(&c->st, asn, ski);
	} else {
		struct kr_rtr_rec r;
		size_t mark = c->st.arena.len;
		if (kr_rtr_rec_key(&c->st, &r, asn, ski, spki, spki_len))
			return -1;
		rc = kr_rtr_store_change(&c->st, &r, false);
		c->st.arena.len = mark; /* the log keeps the served copy's bytes */
	}
	if (rc > 0)
		kr_rtr_changed(c);
	return rc > 0 ? 1 : rc;
}

int kr_rtr_announce_vrp(struct kr_rtr_cache *c, const struct kr_rtr_vrp *v)
{
	struct kr_rtr_rec r;
	if (kr_rtr_rec_vrp(&r, v))
		return -1;
	int rc = kr_rtr_store_change(&c->st, &r, true);
	if (rc > 0)
		kr_rtr_changed(c);
	return rc;
}

int kr_rtr_withdraw_vrp(struct kr_rtr_cache *c, const struct kr_rtr_vrp *v)
{
	struct kr_rtr_rec r;
	if (kr_rtr_rec_vrp(&r, v))
		return -1;
	int rc = kr_rtr_store_change(&c->st, &r, false);
	if (rc > 0)
		kr_rtr_changed(c);
	return rc;
}

long kr_rtr_replace(struct kr_rtr_cache *c, const struct kr_rtr_set *s)
{
	long n = kr_rtr_store_replace(&c->st, s);
	if (n > 0)
		kr_rtr_changed(c);
	return n;
}

void kr_rtr_batch_begin(struct kr_rtr_cache *c) { c->batch++; }

void kr_rtr_batch_commit(struct kr_rtr_cache *c)
{
	if (c->batch > 0)
		c->batch--;
	kr_rtr_changed(c);
}
