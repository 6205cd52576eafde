/* Synthetic DFZ-like tables; see table.h. */
#include "vectors/table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prefix lengths of the real table, counts per 1.04 M IPv4 / 0.22 M IPv6
 * routes (CIDR Report / APNIC BGP tables, late 2025, rounded). The longest
 * length takes what is left. */
struct lenw {
	uint8_t len;
	uint32_t w;
};
static const struct lenw v4w[] = {
	{ 8, 16 },      { 9, 14 },      { 10, 38 },     { 11, 105 },    { 12, 310 },
	{ 13, 620 },    { 14, 1200 },   { 15, 2100 },   { 16, 13300 },  { 17, 8500 },
	{ 18, 14700 },  { 19, 26500 },  { 20, 44500 },  { 21, 57000 },  { 22, 127000 },
	{ 23, 118000 }, { 24, 626097 },
};
static const struct lenw v6w[] = {
	{ 20, 30 },    { 22, 30 },    { 23, 40 },   { 24, 50 },    { 26, 50 },   { 27, 100 },
	{ 28, 300 },   { 29, 5500 },  { 30, 600 },  { 31, 400 },   { 32, 27000 }, { 33, 1000 },
	{ 34, 1000 },  { 35, 1000 },  { 36, 7000 }, { 37, 1000 },  { 38, 2000 }, { 39, 1000 },
	{ 40, 13000 }, { 41, 1000 },  { 42, 3000 }, { 43, 1000 },  { 44, 22000 }, { 45, 2500 },
	{ 46, 5000 },  { 47, 4000 },  { 48, 120400 },
};
#define NV4 (sizeof v4w / sizeof v4w[0])
#define NV6 (sizeof v6w / sizeof v6w[0])

/* Signed hops as received from a transit provider (the upstream's own
 * segment included), per 100 routes: AS paths of 3-4 ASes dominate. */
static const uint8_t hopw[KR_TABLE_MAX_HOPS + 1] = { 0, 3, 20, 35, 25, 12, 5 };

/* Address pools, in order of preference (table.h). */
struct block {
	uint8_t addr[16];
	uint8_t len;
};
static const struct block v4pool[] = {
	{ { 198, 19 }, 16 }, { { 10 }, 8 },   { { 100, 64 }, 10 }, { { 172, 16 }, 12 },
	{ { 240 }, 8 },      { { 241 }, 8 },  { { 242 }, 8 },      { { 243 }, 8 },
	{ { 244 }, 8 },      { { 245 }, 8 },  { { 246 }, 8 },      { { 247 }, 8 },
	{ { 248 }, 8 },      { { 249 }, 8 },  { { 250 }, 8 },      { { 251 }, 8 },
	{ { 252 }, 8 },      { { 253 }, 8 },  { { 254 }, 8 },
};
static const struct block v6pool[] = {
	{ { 0x3f, 0xff, 0x00 }, 20 },
	{ { 0xfd }, 8 },
};

/* Origin ASes behind up1 and behind up2, and the transit ASes between
 * them and the upstream: documentation ASNs (RFC 5398) the standard
 * topology does not use (world.c), all covered by the test CA. */
static const uint32_t origins[2][6] = { { 64500, 64501, 64502, 64503, 64504, 64505 },
					{ 64506, 64507, 64508, 64509, 64510, 64511 } };
static const uint32_t transits[14] = { 64496, 65538, 65539, 65540, 65541, 65542, 65543,
				       65544, 65545, 65546, 65547, 65548, 65549, 65550 };

size_t kr_table_ases(const uint32_t **out)
{
	static uint32_t all[26];
	if (!all[0]) {
		memcpy(all, origins, sizeof origins);
		memcpy(all + 12, transits, sizeof transits);
	}
	*out = all;
	return 26;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void kr_table_spec_routes(struct kr_table_spec *s, uint32_t n)
{
	/* the DFZ's proportions */
	s->n6 = (uint32_t)((uint64_t)n * KR_TABLE_DFZ_V6 / (KR_TABLE_DFZ_V4 + KR_TABLE_DFZ_V6));
	s->n4 = n - s->n6;
}

int kr_table_spec_parse(struct kr_table_spec *s, const char *text, char *msg, size_t msgsz)
{
	if (!strcmp(text, "dfz")) {
		s->n4 = KR_TABLE_DFZ_V4;
		s->n6 = KR_TABLE_DFZ_V6;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > KR_TABLE_MAX_ROUTES) {
		snprintf(msg, msgsz, "a table is 'dfz' or a route count 1..%u, not '%s'",
			 KR_TABLE_MAX_ROUTES, text);
		return -1;
	}
	kr_table_spec_routes(s, (uint32_t)v);
	return 0;
}

static uint64_t capacity(const struct block *pool, size_t npool, uint8_t len)
{
	uint64_t c = 0;
	for (size_t i = 0; i < npool; i++)
		if (pool[i].len <= len && len - pool[i].len < 40)
			c += 1ULL << (len - pool[i].len);
	return c;
}

/* Per-length counts for n routes: largest remainder over the cumulative
 * weights, then capped at the pool's capacity (excess to the last entry,
 * the most common length). */
static void counts(const struct lenw *w, size_t nw, const struct block *pool, size_t npool,
		   uint32_t n, uint32_t *out)
{
	uint64_t total = 0, cum = 0, prev = 0;
	for (size_t i = 0; i < nw; i++)
		total += w[i].w;
	for (size_t i = 0; i < nw; i++) {
		cum += w[i].w;
		uint64_t upto = (cum * n + total / 2) / total;
		out[i] = (uint32_t)(upto - prev);
		prev = upto;
	}
	for (size_t i = 0; i + 1 < nw; i++) {
		uint64_t cap = capacity(pool, npool, w[i].len);
		if (out[i] > cap) {
			out[nw - 1] += out[i] - (uint32_t)cap;
			out[i] = (uint32_t)cap;
		}
	}
}

/* The k-th prefix of length len in the pool. */
static int nth_prefix(const struct block *pool, size_t npool, uint16_t afi, uint8_t len, uint64_t k,
		      struct kr_prefix *p)
{
	for (size_t i = 0; i < npool; i++) {
		const struct block *b = &pool[i];
		if (b->len > len)
			continue;
		uint64_t slots = 1ULL << (len - b->len);
		if (k >= slots) {
			k -= slots;
			continue;
		}
		memset(p, 0, sizeof *p);
		p->afi = afi;
		p->len = len;
		memcpy(p->addr, b->addr, 16);
		for (unsigned bit = 0; bit < 64 && (k >> bit); bit++)
			if ((k >> bit) & 1) {
				unsigned pos = len - 1u - bit; /* from the most significant bit */
				p->addr[pos / 8] |= (uint8_t)(0x80u >> (pos % 8));
			}
		return 0;
	}
	return -1;
}

/* Lengths for n routes of one family, shuffled (Fisher-Yates). */
static uint8_t *lengths(const struct lenw *w, size_t nw, const struct block *pool, size_t npool,
			uint32_t n, uint64_t seed)
{
	uint32_t c[32];
	counts(w, nw, pool, npool, n, c);
	uint8_t *l = malloc(n ? n : 1);
	if (!l)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < nw; i++)
		for (uint32_t j = 0; j < c[i]; j++)
			l[k++] = w[i].len;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(mix(seed ^ (i * 0x2545F4914F6CDD1DULL)) % i);
		uint8_t t = l[i - 1];
		l[i - 1] = l[j];
		l[j] = t;
	}
	return l;
}

static void path(const struct kr_table_spec *s, uint64_t h, struct kr_table_route *r)
{
	r->up = (uint8_t)(h & 1);
	unsigned draw = (unsigned)((h >> 1) % 100), acc = 0, hops = 1;
	for (unsigned i = 1; i <= KR_TABLE_MAX_HOPS; i++) {
		acc += hopw[i];
		if (draw < acc) {
			hops = i;
			break;
		}
	}
	r->nhops = (uint8_t)hops;
	r->as[0] = s->up_as[r->up];
	if (hops >= 2)
		r->as[hops - 1] = origins[r->up][(h >> 8) % 6];
	unsigned start = (unsigned)((h >> 16) % 14);
	for (unsigned j = 1; j + 1 < hops; j++)
		r->as[j] = transits[(start + j) % 14];
}

int kr_table_build(const struct kr_table_spec *s, struct kr_table_route **out, struct kr_err *err)
{
	uint32_t n = kr_table_count(s);
	if (n == 0 || n > KR_TABLE_MAX_ROUTES) {
		kr_err_set(err, EINVAL, 0, "table of %u routes (1..%u)", n, KR_TABLE_MAX_ROUTES);
		return -1;
	}
	struct kr_table_route *r = calloc(n, sizeof *r);
	uint8_t *l4 = lengths(v4w, NV4, v4pool, sizeof v4pool / sizeof v4pool[0], s->n4, s->seed * 2 + 1);
	uint8_t *l6 = lengths(v6w, NV6, v6pool, sizeof v6pool / sizeof v6pool[0], s->n6, s->seed * 2 + 2);
	uint64_t next4[33] = { 0 }, next6[129] = { 0 };
	if (!r || !l4 || !l6) {
		free(r);
		free(l4);
		free(l6);
		kr_err_set(err, ENOMEM, 0, "out of memory for a table of %u routes", n);
		return -1;
	}
	uint32_t i4 = 0, i6 = 0;
	bool bad = false;
	for (uint32_t i = 0; i < n && !bad; i++) {
		/* IPv6 where the running share of IPv6 steps up */
		bool v6 = (uint64_t)(i + 1) * s->n6 / n > (uint64_t)i * s->n6 / n;
		int rc;
		if (v6) {
			uint8_t len = l6[i6++];
			rc = nth_prefix(v6pool, sizeof v6pool / sizeof v6pool[0], KR_AFI_IPV6, len,
					next6[len]++, &r[i].pfx);
		} else {
			uint8_t len = l4[i4++];
			rc = nth_prefix(v4pool, sizeof v4pool / sizeof v4pool[0], KR_AFI_IPV4, len,
					next4[len]++, &r[i].pfx);
		}
		if (rc < 0) { /* counts() keeps every length within its pool */
			kr_err_set(err, EINVAL, i, "route %u: address pool exhausted", i);
			bad = true;
		}
		path(s, mix(((uint64_t)s->seed << 32) ^ i), &r[i]);
	}
	free(l4);
	free(l6);
	if (bad) {
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void kr_table_stats(const struct kr_table_route *r, size_t n, uint16_t afi, size_t counts_out[129],
		    size_t hops[KR_TABLE_MAX_HOPS + 1])
{
	memset(counts_out, 0, 129 * sizeof counts_out[0]);
	memset(hops, 0, (KR_TABLE_MAX_HOPS + 1) * sizeof hops[0]);
	for (size_t i = 0; i < n; i++) {
		if (r[i].pfx.afi != afi)
			continue;
		counts_out[r[i].pfx.len]++;
		hops[r[i].nhops]++;
	}
}
