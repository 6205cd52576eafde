/* Routes received per speaker (lint_rib.h): a chained hash on (speaker,
 * prefix), one entry per session a route came from. */
#include "wire/lint_rib.h"

#include <stdlib.h>
#include <string.h>

#define NBUCKETS 16384u
#define MAX_HELD 16

struct entry {
	struct entry *next;
	unsigned speaker, src;
	struct kr_prefix pfx;  /* canonical */
	bool plain;
	size_t n;
	uint32_t path[];       /* newest first, pCount expanded */
};

struct kr_lint_rib {
	struct entry *b[NBUCKETS];
	struct kr_lint_held h;
	const uint32_t *paths[MAX_HELD];
	size_t lens[MAX_HELD];
};

struct kr_lint_rib *kr_lint_rib_new(void)
{
	return calloc(1, sizeof(struct kr_lint_rib));
}

void kr_lint_rib_free(struct kr_lint_rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct entry *e = r->b[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	free(r);
}

static unsigned bucket(unsigned speaker, const struct kr_prefix *p)
{
	uint32_t h = 2166136261u ^ speaker;
	const uint8_t *k = (const uint8_t *)p;
	for (size_t i = 0; i < sizeof *p; i++)
		h = (h ^ k[i]) * 16777619u;
	return h % NBUCKETS;
}

void kr_prefix_key(struct kr_prefix *out, const struct kr_prefix *p)
{
	memset(out, 0, sizeof *out);
	out->afi = p->afi;
	out->len = p->len;
	memcpy(out->addr, p->addr, sizeof out->addr);
	kr_prefix_canon(out);
}

static void remove_one(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_prefix *p)
{
	struct kr_prefix c;
	kr_prefix_key(&c, p);
	for (struct entry **pp = &r->b[bucket(speaker, &c)]; *pp; pp = &(*pp)->next) {
		struct entry *e = *pp;
		if (e->speaker == speaker && e->src == src && !memcmp(&e->pfx, &c, sizeof c)) {
			*pp = e->next;
			free(e);
			return;
		}
	}
}

static void put(struct kr_lint_rib *r, unsigned speaker, unsigned src, const struct kr_prefix *p,
		const struct kr_update *u)
{
	remove_one(r, speaker, src, p);
	bool bgpsec = u->i_bgpsec >= 0;
	size_t n = 0;
	if (bgpsec)
		for (size_t i = 0; i < u->bgpsec.nhops; i++)
			n += u->bgpsec.sp[i].pcount;
	struct entry *e = malloc(sizeof *e + n * sizeof(uint32_t));
	if (!e)
		return;
	e->speaker = speaker;
	e->src = src;
	kr_prefix_key(&e->pfx, p);
	e->plain = !bgpsec;
	e->n = 0;
	if (bgpsec)
		for (size_t i = 0; i < u->bgpsec.nhops; i++)
			for (unsigned k = 0; k < u->bgpsec.sp[i].pcount; k++)
				e->path[e->n++] = u->bgpsec.sp[i].asn;
	unsigned b = bucket(speaker, &e->pfx);
	e->next = r->b[b];
	r->b[b] = e;
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
	each_prefix(r, speaker, src, u, false, true);
	bool taw = u->attr_malformed || (u->i_bgpsec >= 0 && u->bgpsec_malformed);
	each_prefix(r, speaker, src, u, true, taw);
}

void kr_lint_rib_drop_src(struct kr_lint_rib *r, unsigned src)
{
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct entry **pp = &r->b[i]; *pp;) {
			struct entry *e = *pp;
			if (e->src == src) {
				*pp = e->next;
				free(e);
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
	for (struct entry *e = r->b[bucket(speaker, &c)]; e; e = e->next) {
		if (e->speaker != speaker || memcmp(&e->pfx, &c, sizeof c))
			continue;
		any = true;
		if (e->plain) {
			r->h.any_plain = true;
		} else if (r->h.n < MAX_HELD) {
			r->paths[r->h.n] = e->path;
			r->lens[r->h.n++] = e->n;
		}
	}
	return any ? &r->h : NULL;
}
