/* RIB storage and decision process; see rs_rib.h. */
#include "rs_rib.h"

#include <stdlib.h>
#include <string.h>

struct rs_rib {
	size_t npeers;
	struct rs_addr *addrs;
	size_t nbuckets, count;
	struct rs_dest **b;
	uint64_t next_id;
	struct rs_dest **slots;  /* insertion order; NULL where deleted */
	size_t nslots, capslots, holes;
	unsigned pins;
};

const char *rs_val_name(enum rs_val v)
{
	switch (v) {
	case RS_VALID: return "Valid";
	case RS_NOTVALID: return "Not Valid";
	default: return "unsigned";
	}
}

struct rs_rib *rs_rib_new(size_t npeers, const struct rs_addr *addrs)
{
	struct rs_rib *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->npeers = npeers;
	r->nbuckets = 1024;
	r->b = calloc(r->nbuckets, sizeof *r->b);
	r->addrs = calloc(npeers ? npeers : 1, sizeof *r->addrs);
	if (!r->b || !r->addrs) {
		free(r->b);
		free(r->addrs);
		free(r);
		return NULL;
	}
	if (npeers)
		memcpy(r->addrs, addrs, npeers * sizeof *addrs);
	r->next_id = 1;
	return r;
}

static void dest_free(struct rs_rib *r, struct rs_dest *d)
{
	for (size_t i = 0; i < r->npeers; i++)
		rs_path_free(d->paths[i]);
	free(d->paths);
	free(d->out);
	free(d);
}

void rs_rib_free(struct rs_rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nbuckets; i++)
		for (struct rs_dest *d = r->b[i], *n; d; d = n) {
			n = d->next;
			dest_free(r, d);
		}
	free(r->b);
	free(r->addrs);
	free(r->slots);
	free(r);
}

size_t rs_rib_count(const struct rs_rib *r) { return r->count; }

static size_t hash(const struct kr_prefix *p)
{
	uint64_t h = 1469598103934665603ULL ^ p->afi ^ ((uint64_t)p->len << 8);
	for (int i = 0; i < 16; i++)
		h = (h ^ p->addr[i]) * 1099511628211ULL;
	return (size_t)h;
}

static void grow(struct rs_rib *r)
{
	size_t nb = r->nbuckets * 2;
	struct rs_dest **b = calloc(nb, sizeof *b);
	if (!b)
		return; /* keep the old table: slower, still correct */
	for (size_t i = 0; i < r->nbuckets; i++)
		for (struct rs_dest *d = r->b[i], *n; d; d = n) {
			n = d->next;
			size_t h = hash(&d->pfx) % nb;
			d->next = b[h];
			b[h] = d;
		}
	free(r->b);
	r->b = b;
	r->nbuckets = nb;
}

struct rs_dest *rs_rib_get(struct rs_rib *r, const struct kr_prefix *p, bool create)
{
	struct kr_prefix c = *p;
	kr_prefix_canon(&c);
	size_t h = hash(&c) % r->nbuckets;
	for (struct rs_dest *d = r->b[h]; d; d = d->next)
		if (d->pfx.afi == c.afi && d->pfx.len == c.len && !memcmp(d->pfx.addr, c.addr, 16))
			return d;
	if (!create)
		return NULL;
	struct rs_dest *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->paths = calloc(r->npeers ? r->npeers : 1, sizeof *d->paths);
	d->out = calloc(r->npeers ? r->npeers : 1, sizeof *d->out);
	if (!d->paths || !d->out) {
		free(d->paths);
		free(d->out);
		free(d);
		return NULL;
	}
	if (r->nslots == r->capslots) {
		size_t nc = r->capslots ? r->capslots * 2 : 1024;
		struct rs_dest **ns = realloc(r->slots, nc * sizeof *ns);
		if (!ns) {
			free(d->paths);
			free(d->out);
			free(d);
			return NULL;
		}
		r->slots = ns;
		r->capslots = nc;
	}
	d->slot = r->nslots;
	r->slots[r->nslots++] = d;
	d->pfx = c;
	d->best = RS_BEST_NONE;
	d->next = r->b[h];
	r->b[h] = d;
	if (++r->count > r->nbuckets * 2)
		grow(r);
	return d;
}

struct rs_path *rs_path_new(struct rs_rib *r, const uint8_t *msg, size_t len)
{
	struct rs_path *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->msg = malloc(len ? len : 1);
	if (!p->msg) {
		free(p);
		return NULL;
	}
	memcpy(p->msg, msg, len);
	p->msg_len = len;
	p->id = r->next_id++;
	p->val = RS_UNSIGNED;
	return p;
}

void rs_path_free(struct rs_path *p)
{
	if (!p)
		return;
	free(p->msg);
	free(p->sigs);
	free(p->asns);
	free(p);
}

void rs_rib_set_path(struct rs_rib *r, struct rs_dest *d, size_t peer, struct rs_path *p)
{
	if (peer >= r->npeers)
		return;
	rs_path_free(d->paths[peer]);
	d->paths[peer] = p;
}

void rs_rib_del_path(struct rs_dest *d, size_t peer)
{
	rs_path_free(d->paths[peer]);
	d->paths[peer] = NULL;
}

bool rs_path_has_sig(const struct rs_path *p, uint32_t asn, const uint8_t ski[KR_SKI_LEN])
{
	for (size_t i = 0; i < p->nsigs; i++)
		if (p->sigs[i].asn == asn && !memcmp(p->sigs[i].ski, ski, KR_SKI_LEN))
			return true;
	return false;
}

bool rs_path_has_as(const struct rs_path *p, uint32_t asn)
{
	for (size_t i = 0; i < p->nasns; i++)
		if (p->asns[i] == asn)
			return true;
	return false;
}

/* <0 when path a (peer pa) is better than b (peer pb). */
static int better(const struct rs_rib *r, const struct rs_path *a, size_t pa,
		  const struct rs_path *b, size_t pb)
{
	if (a->val != b->val)
		return (int)a->val - (int)b->val;
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len ? -1 : 1;
	return rs_addr_cmp(&r->addrs[pa], &r->addrs[pb]);
}

bool rs_rib_decide(struct rs_rib *r, struct rs_dest *d, enum rs_policy pol)
{
	int best = RS_BEST_NONE;
	uint64_t id = 0;
	if (d->local) {
		best = RS_BEST_LOCAL;
	} else {
		for (size_t i = 0; i < r->npeers; i++) {
			const struct rs_path *p = d->paths[i];
			if (!p || (p->val == RS_NOTVALID && pol == RS_POLICY_REJECT))
				continue;
			if (best < 0 || better(r, p, i, d->paths[best], (size_t)best) < 0)
				best = (int)i;
		}
		if (best >= 0)
			id = d->paths[best]->id;
	}
	bool changed = best != d->best || id != d->best_id;
	d->best = best;
	d->best_id = id;
	return changed;
}

const struct rs_path *rs_dest_best(const struct rs_dest *d)
{
	return d->best >= 0 ? d->paths[d->best] : NULL;
}

size_t rs_rib_slots(const struct rs_rib *r) { return r->nslots; }
struct rs_dest *rs_rib_slot(const struct rs_rib *r, size_t i) { return i < r->nslots ? r->slots[i] : NULL; }
void rs_rib_pin(struct rs_rib *r) { r->pins++; }

/* Close the holes deleted destinations left, when no walk is pinned. */
static void compact(struct rs_rib *r)
{
	if (r->pins || r->holes < 1024 || r->holes * 2 < r->nslots)
		return;
	size_t k = 0;
	for (size_t i = 0; i < r->nslots; i++)
		if (r->slots[i]) {
			r->slots[i]->slot = k;
			r->slots[k++] = r->slots[i];
		}
	r->nslots = k;
	r->holes = 0;
}

void rs_rib_unpin(struct rs_rib *r)
{
	if (r->pins)
		r->pins--;
	compact(r);
}

void rs_rib_walk(struct rs_rib *r, void (*cb)(struct rs_dest *d, void *arg), void *arg)
{
	rs_rib_pin(r);
	for (size_t i = 0, n = r->nslots; i < n; i++)
		if (r->slots[i])
			cb(r->slots[i], arg);
	rs_rib_unpin(r);
}

void rs_rib_gc(struct rs_rib *r, struct rs_dest *d)
{
	if (d->local)
		return;
	for (size_t i = 0; i < r->npeers; i++)
		if (d->paths[i] || d->out[i].sent)
			return;
	size_t h = hash(&d->pfx) % r->nbuckets;
	for (struct rs_dest **pp = &r->b[h]; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			r->slots[d->slot] = NULL;
			r->holes++;
			dest_free(r, d);
			r->count--;
			compact(r);
			return;
		}
}
