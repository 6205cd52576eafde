/* RTR payload sets; see rtr_set.h. */
#include "rpki/rtr_set.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

int kr_rtr_set_add_vrp(struct kr_rtr_set *s, const struct kr_rtr_vrp *v)
{
	if (grow((void **)&s->vrps, &s->capvrps, s->nvrps, sizeof *s->vrps))
		return -1;
	s->vrps[s->nvrps++] = *v;
	return 0;
}

int kr_rtr_set_add_key(struct kr_rtr_set *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
		       const uint8_t *spki, size_t spki_len)
{
	if (grow((void **)&s->keys, &s->capkeys, s->nkeys, sizeof *s->keys))
		return -1;
	uint8_t *copy = malloc(spki_len ? spki_len : 1);
	if (!copy)
		return -1;
	memcpy(copy, spki, spki_len);
	struct kr_rtr_rkey *k = &s->keys[s->nkeys++];
	k->asn = asn;
	memcpy(k->ski, ski, KR_RTR_SKI_LEN);
	k->spki = copy;
	k->spki_len = spki_len;
	return 0;
}

void kr_rtr_set_free(struct kr_rtr_set *s)
{
	for (size_t i = 0; i < s->nkeys; i++)
		free(s->keys[i].spki);
	free(s->keys);
	free(s->vrps);
	memset(s, 0, sizeof *s);
}

int kr_rtr_parse_prefix(const char *s, struct kr_rtr_vrp *v)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof buf)
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	char *end;
	unsigned long pl = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end)
		return -1;
	memset(v->addr, 0, sizeof v->addr);
	unsigned maxbits;
	if (inet_pton(AF_INET, buf, v->addr) == 1) {
		v->afi = 4;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, buf, v->addr) == 1) {
		v->afi = 6;
		maxbits = 128;
	} else {
		return -1;
	}
	if (pl > maxbits)
		return -1;
	for (unsigned b = (unsigned)pl; b < maxbits; b++)
		if (v->addr[b / 8] & (0x80 >> (b % 8)))
			return -1;
	v->prefix_len = (uint8_t)pl;
	return 0;
}
