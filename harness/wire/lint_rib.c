/* Routes received per speaker (lint_rib.h). At full-table size (1.26 M
 * prefixes from two upstreams) this is the lint's largest state, so it is
 * kept compact: a 32-octet entry per (speaker, session, prefix) in a pool
 * addressed by 32-bit indices, a bucket array that grows with the entries,
 * and every distinct Secure_Path stored once (interned) and named by its
 * index: the paths of a table repeat a few thousand AS sequences. */
#include "wire/lint_rib.h"

#include <stdlib.h>
#include <string.h>

#define MAX_HELD 16
#define CHUNK_BITS 16u
#define CHUNK (1u << CHUNK_BITS)
#define NO 0u /* index 0 is never used: the end of a chain */

struct entry {
	uint32_t next;   /* chain in its bucket, or the free list */
	uint32_t path;   /* interned path index; NO: an unsigned route */
	uint32_t src;
	uint16_t speaker;
	uint8_t afi, len;
	uint8_t addr[16]; /* canonical: bits past len zero */
};

struct path {
	uint32_t next, hash, len;
	uint32_t as[];    /* newest first, pCount expanded */
};

struct kr_lint_rib {
	struct entry **chunk;      /* CHUNK entries each */
	size_t nchunk;
	uint32_t used, free_head;  /* next never-used index; freed entries */
	uint32_t *b;               /* buckets (power of two) */
	size_t nb, count;
	struct path **path;        /* by index; path[0] unused */
	size_t npath, cappath;
	uint32_t *pb;              /* path buckets */
	size_t npb;
	size_t path_bytes;
	struct kr_lint_held h;
	const uint32_t *paths[MAX_HELD];
	size_t lens[MAX_HELD];
};

struct kr_lint_rib *kr_lint_rib_new(void)
{
	struct kr_lint_rib *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->nb = 1024;
	r->npb = 256;
	r->used = 1;
	r->npath = 1;
	r->b = calloc(r->nb, sizeof *r->b);
	r->pb = calloc(r->npb, sizeof *r->pb);
	if (!r->b || !r->pb) {
		kr_lint_rib_free(r);
		return NULL;
	}
	return r;
}

void kr_lint_rib_free(struct kr_lint_rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nchunk; i++)
		free(r->chunk[i]);
	free(r->chunk);
	for (size_t i = 1; i < r->npath; i++)
		free(r->path[i]);
	free(r->path);
	free(r->b);
	free(r->pb);
	free(r);
}

size_t kr_lint_rib_bytes(const struct kr_lint_rib *r)
{
	return sizeof *r + r->nchunk * (CHUNK * sizeof(struct entry) + sizeof *r->chunk) + r->nb * sizeof *r->b +
	       r->path_bytes + r->cappath * sizeof *r->path + r->npb * sizeof *r->pb;
}

size_t kr_lint_rib_routes(const struct kr_lint_rib *r) { return r->count; }

static struct entry *at(const struct kr_lint_rib *r, uint32_t i)
{
	return &r->chunk[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

static uint32_t fnv(uint32_t h, const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h;
}

static uint32_t pfx_hash(unsigned speaker, const struct kr_prefix *c)
{
	uint8_t k[4] = { (uint8_t)speaker, (uint8_t)(speaker >> 8), (uint8_t)c->afi, c->len };
	return fnv(fnv(2166136261u, k, 4), c->addr, (c->len + 7u) / 8);
}

void kr_prefix_key(struct kr_prefix *out, const struct kr_prefix *p)
{
	memset(out, 0, sizeof *out);
	out->afi = p->afi;
	out->len = p->len;
	memcpy(out->addr, p->addr, sizeof out->addr);
	kr_prefix_canon(out);
}

static bool same(const struct entry *e, unsigned speaker, const struct kr_prefix *c)
{
	return e->speaker == speaker && e->afi == c->afi && e->len == c->len && !memcmp(e->addr, c->addr, 16);
}

/* ---- interned paths -------------------------------------------------------- */

static int path_grow(struct kr_lint_rib *r)
{
	size_t nb = r->npb * 2;
	uint32_t *b = calloc(nb, sizeof *b);
	if (!b)
		return -1;
	for (size_t i = 1; i < r->npath; i++) {
		struct path *p = r->path[i];
		p->next = b[p->hash & (nb - 1)];
		b[p->hash & (nb - 1)] = (uint32_t)i;
	}
	free(r->pb);
	r->pb = b;
	r->npb = nb;
	return 0;
}

/* The index of the path as[0..n), stored once; NO when out of memory. */
static uint32_t intern(struct kr_lint_rib *r, const uint32_t *as, size_t n)
{
	uint32_t h = fnv(2166136261u, (const uint8_t *)as, n * sizeof *as);
	for (uint32_t i = r->pb[h & (r->npb - 1)]; i != NO; i = r->path[i]->next) {
		const struct path *p = r->path[i];
		if (p->hash == h && p->len == n && !memcmp(p->as, as, n * sizeof *as))
			return i;
	}
	if (r->npath >= UINT32_MAX || (r->npath >= r->npb && path_grow(r) < 0))
		return NO;
	if (r->npath >= r->cappath) {
		size_t nc = r->cappath ? 2 * r->cappath : 256;
		struct path **np = realloc(r->path, nc * sizeof *np);
		if (!np)
			return NO;
		r->path = np;
		r->cappath = nc;
	}
	struct path *p = malloc(sizeof *p + n * sizeof *as);
	if (!p)
		return NO;
	p->hash = h;
	p->len = (uint32_t)n;
	memcpy(p->as, as, n * sizeof *as);
	uint32_t i = (uint32_t)r->npath++;
	r->path[i] = p;
	p->next = r->pb[h & (r->npb - 1)];
	r->pb[h & (r->npb - 1)] = i;
	r->path_bytes += sizeof *p + n * sizeof *as;
	return i;
}

/* ---- entries --------------------------------------------------------------- */

static uint32_t ent_alloc(struct kr_lint_rib *r)
{
	if (r->free_head != NO) {
		uint32_t i = r->free_head;
		r->free_head = at(r, i)->next;
		return i;
	}
	if (r->used == UINT32_MAX)
		return NO;
	if ((r->used >> CHUNK_BITS) >= r->nchunk) {
		struct entry **nc = realloc(r->chunk, (r->nchunk + 1) * sizeof *nc);
		if (!nc)
			return NO;
		r->chunk = nc;
		if (!(nc[r->nchunk] = malloc(CHUNK * sizeof(struct entry))))
			return NO;
		r->nchunk++;
	}
	return r->used++;
}

static void ent_free(struct kr_lint_rib *r, uint32_t i)
{
	at(r, i)->next = r->free_head;
	r->free_head = i;
	r->count--;
}

static void grow(struct kr_lint_rib *r)
{
	size_t nb = r->nb * 2;
	uint32_t *b = calloc(nb, sizeof *b);
	if (!b)
		return; /* longer chains, still correct */
	for (size_t k = 0; k < r->nb; k++)
		for (uint32_t i = r->b[k], n; i != NO; i = n) {
			struct entry *e = at(r, i);
			struct kr_prefix c = { .afi = e->afi, .len = e->len };
			memcpy(c.addr, e->addr, 16);
			n = e->next;
			uint32_t *slot = &b[pfx_hash(e->speaker, &c) & (nb - 1)];
			e->next = *slot;
			*slot = i;
		}
	free(r->b);
	r->b = b;
	r->nb = nb;
}

static void remove_one(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_prefix *p)
{
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	for (uint32_t *pp = &r->b[pfx_hash(speaker, &c) & (r->nb - 1)]; *pp != NO; pp = &at(r, *pp)->next) {
		uint32_t i = *pp;
		struct entry *e = at(r, i);
		if (e->src == src && same(e, speaker, &c)) {
			*pp = e->next;
			ent_free(r, i);
			return;
		}
	}
}

static void put(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_prefix *p,
		const struct kr_update *u)
{
	remove_one(r, speaker, src, p);
	uint32_t path = NO;
	if (u->i_bgpsec >= 0) {
		uint32_t as[4096];
		size_t n = 0;
		for (size_t i = 0; i < u->bgpsec.nhops; i++)
			for (unsigned k = 0; k < u->bgpsec.sp[i].pcount && n < 4096; k++)
				as[n++] = u->bgpsec.sp[i].asn;
		if ((path = intern(r, as, n)) == NO)
			return;
	}
	if (r->count >= r->nb)
		grow(r);
	uint32_t i = ent_alloc(r);
	if (i == NO)
		return;
	struct entry *e = at(r, i);
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	*e = (struct entry){ .path = path, .src = src, .speaker = (uint16_t)speaker, .afi = (uint8_t)c.afi,
			     .len = c.len };
	memcpy(e->addr, c.addr, 16);
	uint32_t *slot = &r->b[pfx_hash(speaker, &c) & (r->nb - 1)];
	e->next = *slot;
	*slot = i;
	r->count++;
}

static void each_prefix(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_update *u,
			bool reach, bool withdraw)
{
	struct kr_nlri_iter it;
	struct kr_prefix p;
	if (reach) {
		kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
		while (kr_nlri_next(&it, &p))
			withdraw ? remove_one(r, speaker, src, &p) : put(r, speaker, src, &p, u);
		if (u->i_mp_reach >= 0 && u->mp_reach.nprefixes && u->mp_reach.safi == KR_SAFI_UNICAST) {
			kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
			while (kr_nlri_next(&it, &p))
				withdraw ? remove_one(r, speaker, src, &p) : put(r, speaker, src, &p, u);
		}
		return;
	}
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	while (kr_nlri_next(&it, &p))
		remove_one(r, speaker, src, &p);
	if (u->i_mp_unreach >= 0 && u->mp_unreach.nprefixes && u->mp_unreach.safi == KR_SAFI_UNICAST) {
		kr_nlri_iter_init(&it, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
		while (kr_nlri_next(&it, &p))
			remove_one(r, speaker, src, &p);
	}
}

void kr_lint_rib_update(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_update *u)
{
	if (speaker > UINT16_MAX)
		return;
	each_prefix(r, speaker, src, u, false, true);
	bool taw = u->attr_malformed || (u->i_bgpsec >= 0 && u->bgpsec_malformed);
	each_prefix(r, speaker, src, u, true, taw);
}

void kr_lint_rib_drop_src(struct kr_lint_rib *r, unsigned src)
{
	for (size_t k = 0; k < r->nb; k++)
		for (uint32_t *pp = &r->b[k]; *pp != NO;) {
			uint32_t i = *pp;
			struct entry *e = at(r, i);
			if (e->src == src) {
				*pp = e->next;
				ent_free(r, i);
			} else {
				pp = &e->next;
			}
		}
}

const struct kr_lint_held *kr_lint_rib_held(struct kr_lint_rib *r, unsigned speaker, const struct kr_prefix *p)
{
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	r->h = (struct kr_lint_held){ .path = r->paths, .len = r->lens };
	bool any = false;
	for (uint32_t i = r->b[pfx_hash(speaker, &c) & (r->nb - 1)]; i != NO; i = at(r, i)->next) {
		const struct entry *e = at(r, i);
		if (!same(e, speaker, &c))
			continue;
		any = true;
		if (e->path == NO) {
			r->h.any_plain = true;
		} else if (r->h.n < MAX_HELD) {
			r->paths[r->h.n] = r->path[e->path]->as;
			r->lens[r->h.n++] = r->path[e->path]->len;
		}
	}
	return any ? &r->h : NULL;
}
