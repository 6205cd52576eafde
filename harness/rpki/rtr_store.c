/* RTR cache data and change log; see rtr_store.h. */
#include "rpki/rtr_store.h"

#include <stdlib.h>
#include <string.h>

/* Above this many log entries the oldest serials are dropped even inside
 * the history window, so full reloads of large sets cannot pile up. */
#define LOG_MAX_ENTRIES (1u << 21)

void kr_rtr_store_init(struct kr_rtr_store *s, uint32_t serial, unsigned history)
{
	memset(s, 0, sizeof *s);
	s->serial = s->log_base = serial;
	s->history = history ? history : 64;
}

void kr_rtr_store_free(struct kr_rtr_store *s)
{
	free(s->cur);
	free(s->log);
	kr_bytes_free(&s->arena);
	memset(s, 0, sizeof *s);
}

int kr_rtr_rec_key(struct kr_rtr_store *s, struct kr_rtr_rec *r, uint32_t asn, const uint8_t *ski,
		   const uint8_t *spki, size_t spki_len)
{
	if (spki_len == 0 || spki_len > KR_RTR_SPKI_MAX || s->arena.len > UINT32_MAX - spki_len)
		return -1;
	memset(r, 0, sizeof *r);
	r->kind = KR_REC_KEY;
	r->asn = asn;
	memcpy(r->a, ski, KR_RTR_SKI_LEN);
	r->spki_off = (uint32_t)s->arena.len;
	r->spki_len = (uint16_t)spki_len;
	return kr_bytes_append(&s->arena, spki, spki_len);
}

int kr_rtr_rec_vrp(struct kr_rtr_rec *r, const struct kr_rtr_vrp *v)
{
	unsigned maxbits = v->afi == 4 ? 32 : v->afi == 6 ? 128 : 0;
	if (!maxbits || v->prefix_len > maxbits || v->max_len > maxbits || v->max_len < v->prefix_len)
		return -1;
	memset(r, 0, sizeof *r);
	r->kind = v->afi == 4 ? KR_REC_V4 : KR_REC_V6;
	r->prefix_len = v->prefix_len;
	r->max_len = v->max_len;
	r->asn = v->asn;
	memcpy(r->a, v->addr, maxbits / 8);
	return 0;
}

const uint8_t *kr_rtr_rec_spki(const struct kr_rtr_store *s, const struct kr_rtr_rec *r)
{
	return r->kind == KR_REC_KEY ? s->arena.p + r->spki_off : NULL;
}

/* Total order over records; SPKI compared by content (RFC 8210 §5.10:
 * identity is {SKI, ASN, SPKI}). */
static int rec_cmp(const struct kr_rtr_store *s, const struct kr_rtr_rec *x, const struct kr_rtr_rec *y)
{
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	int c = memcmp(x->a, y->a, sizeof x->a);
	if (c)
		return c;
	if (x->prefix_len != y->prefix_len)
		return x->prefix_len < y->prefix_len ? -1 : 1;
	if (x->max_len != y->max_len)
		return x->max_len < y->max_len ? -1 : 1;
	if (x->kind != KR_REC_KEY)
		return 0;
	if (x->spki_len != y->spki_len)
		return x->spki_len < y->spki_len ? -1 : 1;
	return memcmp(s->arena.p + x->spki_off, s->arena.p + y->spki_off, x->spki_len);
}

/* Index of r in cur, or -(insertion point) - 1. */
static long find(const struct kr_rtr_store *s, const struct kr_rtr_rec *r)
{
	size_t lo = 0, hi = s->ncur;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rec_cmp(s, &s->cur[mid], r);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

static int log_push(struct kr_rtr_store *s, const struct kr_rtr_rec *r, bool announce)
{
	if (s->nlog == s->caplog) {
		size_t nc = s->caplog ? 2 * s->caplog : 64;
		struct kr_rtr_change *nl = realloc(s->log, nc * sizeof *nl);
		if (!nl)
			return -1;
		s->log = nl;
		s->caplog = nc;
	}
	s->log[s->nlog++] = (struct kr_rtr_change){ s->serial + 1, announce, *r };
	s->pending++;
	return 0;
}

int kr_rtr_store_change(struct kr_rtr_store *s, const struct kr_rtr_rec *r, bool announce)
{
	long i = find(s, r);
	if ((i >= 0) == announce)
		return 0;
	/* A withdrawal logs the served record, whose SPKI copy stays valid. */
	if (log_push(s, announce ? r : &s->cur[i], announce))
		return -1;
	if (announce) {
		if (s->ncur == s->capcur) {
			size_t nc = s->capcur ? 2 * s->capcur : 64;
			struct kr_rtr_rec *n = realloc(s->cur, nc * sizeof *n);
			if (!n) {
				s->nlog--;
				s->pending--;
				return -1;
			}
			s->cur = n;
			s->capcur = nc;
		}
		size_t at = (size_t)(-i - 1);
		memmove(&s->cur[at + 1], &s->cur[at], (s->ncur - at) * sizeof *s->cur);
		s->cur[at] = *r;
		s->ncur++;
		s->nkeys += r->kind == KR_REC_KEY;
	} else {
		memmove(&s->cur[i], &s->cur[i + 1], (s->ncur - (size_t)i - 1) * sizeof *s->cur);
		s->ncur--;
		s->nkeys -= r->kind == KR_REC_KEY;
	}
	return 1;
}

int kr_rtr_store_withdraw_ski(struct kr_rtr_store *s, uint32_t asn, const uint8_t *ski)
{
	int n = 0;
	for (size_t i = 0; i < s->ncur;) {
		struct kr_rtr_rec r = s->cur[i];
		if (r.kind == KR_REC_KEY && r.asn == asn && !memcmp(r.a, ski, KR_RTR_SKI_LEN)) {
			if (kr_rtr_store_change(s, &r, false) < 0)
				return -1;
			n++;
		} else {
			i++;
		}
	}
	return n;
}

static const struct kr_rtr_store *sort_ctx;
static int rec_qcmp(const void *a, const void *b) { return rec_cmp(sort_ctx, a, b); }

long kr_rtr_store_replace(struct kr_rtr_store *s, const struct kr_rtr_set *set)
{
	size_t n = set->nvrps + set->nkeys;
	struct kr_rtr_rec *nw = malloc((n ? n : 1) * sizeof *nw);
	if (!nw)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < set->nvrps; i++)
		if (kr_rtr_rec_vrp(&nw[k], &set->vrps[i]) == 0)
			k++;
	for (size_t i = 0; i < set->nkeys; i++) {
		const struct kr_rtr_rkey *key = &set->keys[i];
		/* Reuse the arena copy when the key is already served. */
		struct kr_rtr_rec probe;
		if (kr_rtr_rec_key(s, &probe, key->asn, key->ski, key->spki, key->spki_len)) {
			free(nw);
			return -1;
		}
		long at = find(s, &probe);
		if (at >= 0) {
			s->arena.len -= probe.spki_len;
			probe = s->cur[at];
		}
		nw[k++] = probe;
	}
	sort_ctx = s;
	qsort(nw, k, sizeof *nw, rec_qcmp);
	size_t u = 0; /* collapse duplicates (RFC 8210 §5.6, §5.10) */
	for (size_t i = 0; i < k; i++)
		if (u == 0 || rec_cmp(s, &nw[u - 1], &nw[i]))
			nw[u++] = nw[i];
	long changes = 0;
	size_t i = 0, j = 0, nkeys = 0;
	while (i < s->ncur || j < u) {
		int c = i == s->ncur ? 1 : j == u ? -1 : rec_cmp(s, &s->cur[i], &nw[j]);
		int rc = 0;
		if (c < 0)
			rc = log_push(s, &s->cur[i++], false);
		else if (c > 0)
			rc = log_push(s, &nw[j++], true);
		else
			i++, j++;
		if (rc) {
			free(nw);
			return -1;
		}
		changes += c != 0;
	}
	for (j = 0; j < u; j++)
		nkeys += nw[j].kind == KR_REC_KEY;
	free(s->cur);
	s->cur = nw;
	s->ncur = u;
	s->capcur = n ? n : 1;
	s->nkeys = nkeys;
	return changes;
}

static void trim(struct kr_rtr_store *s)
{
	while (s->log_base != s->serial &&
	       ((uint32_t)(s->serial - s->log_base) > s->history || s->nlog > LOG_MAX_ENTRIES)) {
		uint32_t drop = s->log_base + 1;
		size_t k = 0;
		while (k < s->nlog && s->log[k].serial == drop)
			k++;
		memmove(s->log, s->log + k, (s->nlog - k) * sizeof *s->log);
		s->nlog -= k;
		s->log_base = drop;
	}
}

bool kr_rtr_store_commit(struct kr_rtr_store *s)
{
	if (!s->pending)
		return false;
	s->serial++;
	s->pending = 0;
	trim(s);
	return true;
}

struct idx_change {
	struct kr_rtr_change c;
	size_t idx;
};
static int idx_qcmp(const void *a, const void *b)
{
	const struct idx_change *x = a, *y = b;
	int c = rec_cmp(sort_ctx, &x->c.r, &y->c.r);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int kr_rtr_store_delta(const struct kr_rtr_store *s, uint32_t from, struct kr_rtr_change **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (kr_rtr_serial_lt(from, s->log_base) || kr_rtr_serial_lt(s->serial, from))
		return 1;
	/* Log serials only grow: binary search for the first one after from. */
	size_t first = 0, hi = s->nlog;
	while (first < hi) {
		size_t mid = first + (hi - first) / 2;
		if (kr_rtr_serial_lt(from, s->log[mid].serial))
			hi = mid;
		else
			first = mid + 1;
	}
	/* Pending (uncommitted) changes are not part of any serial yet. */
	size_t last = s->nlog - s->pending;
	if (first >= last)
		return 0;
	size_t m = last - first;
	struct idx_change *v = malloc(m * sizeof *v);
	struct kr_rtr_change *o = malloc(m * sizeof *o);
	if (!v || !o) {
		free(v);
		free(o);
		return -1;
	}
	for (size_t i = 0; i < m; i++)
		v[i] = (struct idx_change){ s->log[first + i], i };
	sort_ctx = s;
	qsort(v, m, sizeof *v, idx_qcmp);
	size_t k = 0;
	for (size_t i = 0; i < m;) {
		size_t g = i;
		while (g < m && rec_cmp(s, &v[g].c.r, &v[i].c.r) == 0)
			g++;
		bool before = !v[i].c.announce; /* state at `from` */
		bool now = v[g - 1].c.announce;  /* state after the last change */
		if (before != now)
			o[k++] = (struct kr_rtr_change){ s->serial, now, v[i].c.r };
		i = g;
	}
	free(v);
	/* Withdrawals first, so a router never sees two keys for one record. */
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (!o[i].announce) {
			struct kr_rtr_change t = o[w];
			o[w++] = o[i];
			o[i] = t;
		}
	*out = o;
	*n = k;
	return 0;
}

void kr_rtr_store_forget(struct kr_rtr_store *s)
{
	/* Keep staged changes: they belong to the next serial. */
	if (s->pending)
		memmove(s->log, s->log + (s->nlog - s->pending), s->pending * sizeof *s->log);
	s->nlog = s->pending;
	s->log_base = s->serial;
}
