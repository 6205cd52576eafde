/* Prefixes: text form, NLRI <length, prefix> encoding (RFC 4271 §4.3,
 * RFC 4760 §5) and the canonical form hashed by BGPsec (RFC 8205 §4.2:
 * trailing bits zero). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_priv.h"

int kr_prefix_parse(struct kr_prefix *p, const char *text)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof buf)
		return -1;
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = 0;
	char *end;
	if (slash[1] < '0' || slash[1] > '9')
		return -1;
	unsigned long l = strtoul(slash + 1, &end, 10);
	if (*end)
		return -1;
	memset(p, 0, sizeof *p);
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->afi = KR_AFI_IPV4;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->afi = KR_AFI_IPV6;
	else
		return -1;
	if (l > kr_afi_bits(p->afi))
		return -1;
	p->len = (uint8_t)l;
	kr_prefix_canon(p); /* text input means the network, not a host */
	return 0;
}

void kr_prefix_format(const struct kr_prefix *p, char *out, size_t outsz)
{
	char a[INET6_ADDRSTRLEN];
	int af = p->afi == KR_AFI_IPV4 ? AF_INET : p->afi == KR_AFI_IPV6 ? AF_INET6 : 0;
	if (!af || !inet_ntop(af, p->addr, a, sizeof a)) {
		snprintf(out, outsz, "afi%u?/%u", p->afi, p->len);
		return;
	}
	snprintf(out, outsz, "%s/%u", a, p->len);
}

void kr_prefix_canon(struct kr_prefix *p)
{
	size_t full = p->len / 8, rem = p->len % 8;
	if (full >= sizeof p->addr)
		return;
	if (rem)
		p->addr[full++] &= (uint8_t)(0xff << (8 - rem));
	memset(p->addr + full, 0, sizeof p->addr - full);
}

bool kr_prefix_eq(const struct kr_prefix *a, const struct kr_prefix *b)
{
	struct kr_prefix x = *a, y = *b;
	kr_prefix_canon(&x);
	kr_prefix_canon(&y);
	return x.afi == y.afi && x.len == y.len && memcmp(x.addr, y.addr, sizeof x.addr) == 0;
}

void kr_nlri_iter_init(struct kr_nlri_iter *it, uint16_t afi, const uint8_t *p, size_t len)
{
	it->rd = kr_rd_init(p, len);
	it->afi = afi;
}

bool kr_nlri_next(struct kr_nlri_iter *it, struct kr_prefix *out)
{
	if (kr_rd_left(&it->rd) == 0)
		return false;
	uint8_t l = kr_rd_u8(&it->rd);
	/* Decode already checked the field; re-check so a caller that skipped
	 * decode still cannot read out of bounds. */
	if (l > kr_afi_bits(it->afi)) {
		it->rd.bad = true;
		return false;
	}
	const uint8_t *b = kr_rd_bytes(&it->rd, (l + 7u) / 8);
	if (!b)
		return false;
	memset(out, 0, sizeof *out);
	out->afi = it->afi;
	out->len = l;
	memcpy(out->addr, b, (l + 7u) / 8);
	return true;
}

void kr_nlri_put(struct kr_wr *w, const struct kr_prefix *p)
{
	size_t n = (p->len + 7u) / 8;
	if (n > sizeof p->addr) {
		w->bad = true;
		return;
	}
	kr_wr_u8(w, p->len);
	kr_wr_bytes(w, p->addr, n);
}

int kr_nlri_check(uint16_t afi, const uint8_t *p, size_t len, size_t base, size_t *count,
		  struct kr_err *err)
{
	size_t off = 0, n = 0, bits = kr_afi_bits(afi);
	while (off < len) {
		uint8_t l = p[off];
		if (l > bits)
			return kr_wire_fail(err, KR_WE_NLRI, base + off,
					    "prefix length %u exceeds %zu bits", l, bits);
		if (len - off - 1 < (l + 7u) / 8)
			return kr_wire_fail(err, KR_WE_NLRI, base + off,
					    "prefix of length %u runs past the NLRI field", l);
		off += 1 + (l + 7u) / 8;
		n++;
	}
	*count = n;
	return 0;
}
