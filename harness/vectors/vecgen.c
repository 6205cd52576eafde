/* Negative vector corpus generator. Each vector is a real signed UPDATE
 * (App. A keys plus a few more, random nonces) with one defect applied by
 * signing something wrong or by editing octets afterwards; the expected
 * verdict names the RFC rule. Offsets come from decoding what the codec
 * built, and edits keep the enclosing BGP length fields consistent unless
 * the defect is a length field. */
#include "vectors/vecgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "wire/bgpsec_crypto.h"

#define MY_AS 65537

/* Private scalars: App. A keys (RFC 8208 §A.2) and three made for this
 * corpus. */
static const struct {
	const char *name, *d;
	uint32_t asn;
	const char *note;
} key_defs[] = {
	{ "as64496", "D8AA4DFBE2478F86E88A7451BF075565709C575AC1C136D081C540254CA440B9", 64496,
	  "RFC 8208 §A.2 key of AS 64496" },
	{ "as65536", "6CB2E931B112F24554BCDCAAFD9553A9519A9AF33C023B60846A21FC95583172", 65536,
	  "RFC 8208 §A.2 key of AS 65536" },
	{ "as65536-new", "48715C4D7FF7A54D19CE336042132D62B41E639F76984E477936AD2B2021C914", 65536,
	  "second key of AS 65536 (rollover: old and new side by side)" },
	{ "as65537", "4EF0A51D1DFEF641B0D9AB409782B85A33AE7C0D7516B1359EB83A64A211A678", 65537,
	  "key of the validating AS itself (loop vectors)" },
	{ "as65536-stray", "4A2E8225A521846D20A7D929DFD77636793C2445F47BB6AE4FA8729C49C2C3D8", 65536,
	  "a key of AS 65536 the validator never learns (unknown SKI)" },
};
enum { K64496, K65536, K65536N, K65537, KSTRAY, NKEYS };
#define KNOWN "as64496 as65536 as65536-new as65537"

struct img {
	uint8_t b[4096];
	size_t len;
};

struct gen {
	struct kr_bytes *out;
	struct kr_err *err;
	struct kr_key k[NKEYS];
	struct kr_bgpsec_path path;
	struct kr_sigstore store;
	struct kr_update u;
	int n;
	bool fail;
};

__attribute__((format(printf, 2, 3))) static void emit(struct gen *g, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line || kr_bytes_append(g->out, line, (size_t)n) < 0)
		g->fail = true;
}

static void emit_hex(struct gen *g, const char *field, const uint8_t *p, size_t n)
{
	char h[65];
	emit(g, "%s:", field);
	for (size_t i = 0; i < n; i += 32) {
		kr_hex_encode(h, sizeof h, p + i, n - i < 32 ? n - i : 32);
		emit(g, "%s%s\n", i ? "  " : " ", h);
	}
	if (n == 0)
		emit(g, "\n");
}

/* ---- byte surgery on an encoded UPDATE --------------------------------- */

struct attr_loc {
	size_t h, hl, v, vlen;
};

static bool find_attr(const struct img *m, uint8_t type, size_t containing, struct attr_loc *a)
{
	size_t wl = (size_t)m->b[19] << 8 | m->b[20];
	size_t off = 23 + wl, end = off + ((size_t)m->b[21 + wl] << 8 | m->b[22 + wl]);
	while (off + 3 <= end) {
		uint8_t fl = m->b[off], ty = m->b[off + 1];
		size_t hl = fl & KR_AF_EXTLEN ? 4 : 3;
		size_t vl = hl == 4 ? (size_t)m->b[off + 2] << 8 | m->b[off + 3] : m->b[off + 2];
		/* an edit at the very end of a value belongs to that attribute */
		if ((type && ty == type) ||
		    (!type && containing >= off + hl && containing <= off + hl + vl)) {
			*a = (struct attr_loc){ off, hl, off + hl, vl };
			return true;
		}
		off += hl + vl;
	}
	return false;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Replace del octets at `at` by ins, keeping the message length, the total
 * path attribute length and the enclosing attribute's length right. */
static bool splice(struct img *m, size_t at, size_t del, const uint8_t *ins, size_t nins)
{
	struct attr_loc a;
	if (at > m->len || del > m->len - at || m->len - del + nins > sizeof m->b ||
	    !find_attr(m, 0, at, &a))
		return false;
	memmove(m->b + at + nins, m->b + at + del, m->len - at - del);
	if (nins)
		memcpy(m->b + at, ins, nins);
	m->len = m->len - del + nins;
	size_t nv = a.vlen - del + nins;
	if (a.hl == 3 && nv > 255) {
		/* grow the header to the extended-length form (RFC 4271 §4.3) */
		if (m->len + 1 > sizeof m->b)
			return false;
		memmove(m->b + a.h + 4, m->b + a.h + 3, m->len - a.h - 3);
		m->b[a.h] |= KR_AF_EXTLEN;
		m->len++;
		a.hl = 4;
		nins++; /* counts in the total attribute length below */
	}
	if (a.hl == 4)
		put16(m->b + a.h + 2, nv);
	else
		m->b[a.h + 2] = (uint8_t)nv;
	size_t wl = (size_t)m->b[19] << 8 | m->b[20];
	size_t tal = (size_t)m->b[21 + wl] << 8 | m->b[22 + wl];
	put16(m->b + 21 + wl, tal - del + nins);
	put16(m->b + 16, m->len);
	return true;
}

/* Offsets inside the BGPsec_PATH value of m. */
static size_t bgpsec_val(const struct img *m)
{
	struct attr_loc a;
	return find_attr(m, KR_ATTR_BGPSEC_PATH, 0, &a) ? a.v : 0;
}
static size_t block_at(const struct img *m, int blk)
{
	size_t v = bgpsec_val(m);
	size_t o = v + ((size_t)m->b[v] << 8 | m->b[v + 1]);
	for (int i = 0; i < blk; i++)
		o += (size_t)m->b[o] << 8 | m->b[o + 1];
	return o;
}
/* Signature Segment j (0 = newest) of block blk. */
static size_t sigseg_at(const struct img *m, int blk, int j)
{
	size_t o = block_at(m, blk) + 3;
	for (int i = 0; i < j; i++)
		o += KR_SKI_LEN + 2 + ((size_t)m->b[o + KR_SKI_LEN] << 8 | m->b[o + KR_SKI_LEN + 1]);
	return o;
}
static size_t siglen_at(const struct img *m, size_t seg)
{
	return (size_t)m->b[seg + KR_SKI_LEN] << 8 | m->b[seg + KR_SKI_LEN + 1];
}

/* ---- building signed UPDATEs ------------------------------------------ */

struct hop {
	int key;
	uint8_t pcount, flags;
	uint32_t target;   /* 0: the next hop's AS, or MY_AS for the newest */
};

struct spec {
	const char *prefix;
	bool as_path;      /* AS_PATH beside BGPsec_PATH */
	bool no_bgpsec;    /* plain route */
};

static bool build(struct gen *g, struct img *m, const struct hop *h, size_t n, const struct spec *s)
{
	struct kr_route_out r = { .origin = 0 };
	if (kr_prefix_parse(&r.prefix, s->prefix) < 0)
		return false;
	static const uint8_t nh4[4] = { 198, 18, 0, 1 };
	static const uint8_t nh6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	r.next_hop = r.prefix.afi == KR_AFI_IPV4 ? nh4 : nh6;
	r.next_hop_len = r.prefix.afi == KR_AFI_IPV4 ? 4 : 16;
	uint32_t asp[8];
	if (s->no_bgpsec || s->as_path) {
		for (size_t i = 0; i < n; i++)
			asp[i] = g->k[h[n - 1 - i].key].asn;
		r.as_path = asp;
		r.as_path_len = n;
	}
	if (!s->no_bgpsec) {
		for (size_t i = 0; i < n; i++) {
			uint32_t t = h[i].target ? h[i].target
				     : i + 1 < n  ? g->k[h[i + 1].key].asn
						  : MY_AS;
			if (kr_bgpsec_sign(&g->k[h[i].key], t, h[i].pcount, h[i].flags,
					   i ? &g->path : NULL, r.prefix.afi, KR_SAFI_UNICAST,
					   &r.prefix, NULL, &g->path, &g->store, g->err) < 0)
				return false;
		}
		r.bgpsec = &g->path;
		r.force_as_path = s->as_path;
	}
	return kr_update_build(&r, KR_BGP_MAX_LEN, m->b, sizeof m->b, &m->len, g->err) == 0;
}

static const struct hop P1[] = { { K64496, 1, 0, 0 } };
static const struct hop P2[] = { { K64496, 1, 0, 0 }, { K65536, 1, 0, 0 } };
static const struct spec V4 = { "192.0.2.0/24", false, false };
static const struct spec V6 = { "2001:db8::/32", false, false };

static void vec(struct gen *g, const struct img *m, const char *name, const char *spec,
		uint32_t peer_as, const char *keys, const char *options, const char *expect,
		const char *what)
{
	if (g->fail)
		return;
	emit(g, "\n# %s\nname: %s\nspec: %s\n", what, name, spec);
	emit_hex(g, "update", m->b, m->len);
	emit(g, "my-as: %u\n", MY_AS);
	if (peer_as)
		emit(g, "peer-as: %u\n", peer_as);
	emit(g, "keys: %s\n", keys ? keys : KNOWN);
	if (options)
		emit(g, "options: %s\n", options);
	emit(g, "expect: %s\n", expect);
	g->n++;
}

#define BUILD(m, hops, spec) \
	do { if (!build(g, &(m), hops, sizeof hops / sizeof hops[0], &(spec))) return -1; } while (0)
#define SPLICE(m, at, del, ins, nins) \
	do { if (!splice(&(m), at, del, ins, nins)) { \
		kr_err_set(g->err, 1, 0, "splice failed at line %d", __LINE__); return -1; } } while (0)

static int valid_vectors(struct gen *g)
{
	struct img m;
	BUILD(m, P1, V4);
	vec(g, &m, "valid-1hop-ipv4", "RFC 8205 §4.2, §5.2", 64496, NULL, NULL, "valid",
	    "baseline: origin AS 64496 signs to us");
	BUILD(m, P2, V4);
	vec(g, &m, "valid-2hop-ipv4", "RFC 8205 §4.2, §5.2", 65536, NULL, NULL, "valid",
	    "baseline: two hops");
	BUILD(m, P2, V6);
	vec(g, &m, "valid-2hop-ipv6", "RFC 8205 §4.2, §5.2", 65536, NULL, NULL, "valid",
	    "baseline: two hops, IPv6");
	static const struct hop p4[] = { { K64496, 1, 0, 0 }, { K65536, 2, 0, 0 },
					 { K64496, 1, 0, 0 }, { K65536N, 1, 0, 0 } };
	BUILD(m, p4, V4);
	vec(g, &m, "valid-4hop-pcount2", "RFC 8205 §3.1 (pCount), §5.2", 65536, NULL, NULL, "valid",
	    "four hops, pCount 2, both keys of AS 65536 in use");
	static const struct hop pn[] = { { K64496, 1, 0, 0 }, { K65536N, 1, 0, 0 } };
	BUILD(m, pn, V4);
	vec(g, &m, "valid-rollover-new-key", "RFC 8634 §3 (stage period: old and new key valid); "
	    "RFC 8205 §5.2", 65536, NULL, NULL, "valid",
	    "AS 65536 signs with its new key while both keys are in the table");
	static const struct spec tb = { "192.0.2.0/23", false, false };
	BUILD(m, P2, tb);
	/* set a trailing bit in the prefix octets: the signature covers the
	 * prefix with trailing bits zeroed (RFC 8205 §4.2) */
	struct attr_loc a;
	if (!find_attr(&m, KR_ATTR_MP_REACH, 0, &a))
		return -1;
	m.b[a.v + a.vlen - 1] |= 1;
	vec(g, &m, "valid-prefix-trailing-bits", "RFC 8205 §4.2 (trailing bits zeroed for hashing); "
	    "RFC 4760 §5", 65536, NULL, NULL, "valid",
	    "192.0.2.0/23 sent with a trailing bit set in its last octet");
	return 0;
}

static int signature_vectors(struct gen *g)
{
	struct img m;
	BUILD(m, P2, V4);
	size_t s0 = sigseg_at(&m, 0, 0), s1 = sigseg_at(&m, 0, 1);
	struct img x = m;
	x.b[s0 + 22 + 10] ^= 0x01;
	vec(g, &x, "flipped-signature-byte-newest", "RFC 8205 §5.2 (signature verification)",
	    65536, NULL, NULL, "not-valid bad-signature", "one bit of r in AS 65536's signature");
	x = m;
	x.b[s1 + 22 + siglen_at(&m, s1) - 1] ^= 0x80;
	vec(g, &x, "flipped-signature-byte-origin", "RFC 8205 §5.2 (signature verification)",
	    65536, NULL, NULL, "not-valid bad-signature", "last octet of the origin's signature");
	x = m;
	memcpy(x.b + s0, g->k[KSTRAY].ski, KR_SKI_LEN);
	vec(g, &x, "wrong-ski-unknown", "RFC 8205 §5.2 (key lookup by AS and SKI)", 65536, NULL,
	    NULL, "not-valid unknown-ski", "newest segment's SKI replaced by one no key has");
	x = m;
	memcpy(x.b + s0, g->k[K64496].ski, KR_SKI_LEN);
	vec(g, &x, "wrong-ski-of-other-as", "RFC 8205 §5.2 (key lookup matches the segment's AS)",
	    65536, NULL, NULL, "not-valid unknown-ski",
	    "AS 65536's segment names AS 64496's SKI (a key of another AS)");
	x = m;
	memcpy(x.b + s0, g->k[K65536N].ski, KR_SKI_LEN);
	vec(g, &x, "wrong-ski-sibling-key", "RFC 8205 §5.2", 65536, NULL, NULL,
	    "not-valid bad-signature",
	    "signed with AS 65536's old key but naming its new key's SKI");
	static const struct hop ps[] = { { K64496, 1, 0, 0 }, { KSTRAY, 1, 0, 0 } };
	BUILD(x, ps, V4);
	vec(g, &x, "signed-with-unregistered-key", "RFC 8205 §5.2 (key lookup)", 65536, NULL, NULL,
	    "not-valid unknown-ski", "AS 65536 signs with a key the RPKI never published");
	vec(g, &m, "key-withdrawn-after-rollover", "RFC 8634 §3 step 5; RFC 8205 §5 (re-validation)",
	    65536, "as64496 as65536-new", NULL, "not-valid unknown-ski",
	    "signed with AS 65536's old key after the cache withdrew it");
	static const struct hop pt[] = { { K64496, 1, 0, 0 }, { K65536, 1, 0, 65538 } };
	BUILD(x, pt, V4);
	vec(g, &x, "wrong-target-as", "RFC 8205 §4.2 (Target AS), §5.2", 65536, NULL, NULL,
	    "not-valid bad-signature", "AS 65536 signed for AS 65538, sent to us (AS 65537)");
	static const struct hop po[] = { { K64496, 1, 0, 65539 }, { K65536, 1, 0, 0 } };
	BUILD(x, po, V4);
	vec(g, &x, "wrong-target-as-origin", "RFC 8205 §4.2 (Target AS), §5.2", 65536, NULL, NULL,
	    "not-valid bad-signature", "origin signed for AS 65539, but the next hop is AS 65536");
	/* the signatures cover the prefix: announce another prefix under them */
	x = m;
	struct attr_loc a;
	if (!find_attr(&x, KR_ATTR_MP_REACH, 0, &a))
		return -1;
	x.b[a.v + a.vlen - 1] ^= 0x01;
	vec(g, &x, "prefix-changed", "RFC 8205 §4.2 (NLRI is signed), §5.2", 65536, NULL, NULL,
	    "not-valid bad-signature", "192.0.3.0/24 announced with 192.0.2.0/24's signatures");
	return 0;
}

static int block_vectors(struct gen *g)
{
	struct img m, x;
	BUILD(m, P2, V4);
	size_t b0 = block_at(&m, 0);
	size_t blen = (size_t)m.b[b0] << 8 | m.b[b0 + 1];
	uint8_t blk[2048];
	memcpy(blk, m.b + b0, blen);
	static const struct {
		uint8_t suite;
		const char *name, *spec, *expect, *what;
	} suites[] = {
		{ 0xFB, "unsupported-suite-documentation", "RFC 8608 §2.1 (0xFB-0xFE); RFC 8205 §5.2",
		  "not-valid unsupported-suite", "only block has documentation suite 0xFB: unsigned" },
		{ 0x02, "unsupported-suite-unassigned", "RFC 8608 §2.1 (0x02-0xF6); RFC 8205 §5.2",
		  "not-valid unsupported-suite", "only block has unassigned suite 0x02: unsigned" },
		{ 0x00, "reserved-suite-0x00", "RFC 8608 §2.1 (0x00 reserved: malformed)",
		  "not-valid malformed", "suite 0x00" },
		{ 0xFF, "reserved-suite-0xFF", "RFC 8608 §2.1 (0xFF reserved: malformed)",
		  "not-valid malformed", "suite 0xFF" },
	};
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		x = m;
		x.b[b0 + 2] = suites[i].suite;
		vec(g, &x, suites[i].name, suites[i].spec, 65536, NULL, NULL, suites[i].expect,
		    suites[i].what);
	}
	/* two blocks: an unsupported one in front of the valid one */
	x = m;
	SPLICE(x, b0, 0, blk, blen);
	x.b[block_at(&x, 0) + 2] = 0xFB; /* the header may have grown */
	vec(g, &x, "two-blocks-unsupported-and-valid", "RFC 8205 §5.2 (ignore unsupported blocks)",
	    65536, NULL, NULL, "valid", "block 1 suite 0xFB, block 2 suite 1 and valid");
	/* two suite-1 blocks, the first with a bad signature */
	x = m;
	SPLICE(x, b0 + blen, 0, blk, blen);
	x.b[sigseg_at(&x, 0, 0) + 22 + 12] ^= 0x04;
	vec(g, &x, "two-blocks-one-valid", "RFC 8205 §5.2 (Valid if any block is Valid)", 65536,
	    NULL, NULL, "valid", "block 1 has a flipped signature bit, block 2 is intact");
	x.b[sigseg_at(&x, 1, 1) + 22 + 12] ^= 0x04;
	vec(g, &x, "two-blocks-both-bad", "RFC 8205 §5.2 (Not Valid if no block is Valid)", 65536,
	    NULL, NULL, "not-valid bad-signature", "both blocks have a flipped signature bit");
	x = m;
	SPLICE(x, b0 + blen, 0, blk, blen);
	SPLICE(x, b0 + 2 * blen, 0, blk, blen);
	vec(g, &x, "three-blocks", "RFC 8205 §3 (one or two Signature_Blocks); §5.2 check 1", 65536,
	    NULL, NULL, "not-valid malformed", "a third Signature_Block");
	return 0;
}

static int length_vectors(struct gen *g)
{
	struct img m, x;
	BUILD(m, P2, V4);
	size_t v = bgpsec_val(&m), b0 = block_at(&m, 0), s0 = sigseg_at(&m, 0, 0);
	size_t s1 = sigseg_at(&m, 0, 1);
	static const struct {
		const char *field;
		int which;
	} fields[] = { { "secure-path-length", 0 }, { "signature-block-length", 1 },
		       { "signature-length", 2 } };
	for (size_t f = 0; f < 3; f++)
		for (int d = -1; d <= 1; d += 2) {
			x = m;
			size_t at = fields[f].which == 0 ? v : fields[f].which == 1 ? b0 : s0 + 20;
			put16(x.b + at, (size_t)((int)((size_t)x.b[at] << 8 | x.b[at + 1]) + d));
			char name[80], what[120];
			snprintf(name, sizeof name, "%s-%s", fields[f].field, d < 0 ? "minus-1" : "plus-1");
			snprintf(what, sizeof what, "%s field %s by one, content unchanged",
				 fields[f].field, d < 0 ? "decreased" : "increased");
			vec(g, &x, name, "RFC 8205 §3, §5.2 check 1 (syntax)", 65536, NULL, NULL,
			    "not-valid malformed", what);
		}
	/* truncation: octets missing, BGP lengths consistent, BGPsec ones not */
	x = m;
	SPLICE(x, s1 + 22 + siglen_at(&m, s1) - 3, 3, NULL, 0);
	vec(g, &x, "truncated-signature", "RFC 8205 §3.2, §5.2 check 1", 65536, NULL, NULL,
	    "not-valid malformed", "the last 3 octets of the origin's signature cut off");
	x = m;
	SPLICE(x, v + 2 + 6 + 3, 3, NULL, 0);
	put16(x.b + v, 11);
	vec(g, &x, "truncated-secure-path-segment", "RFC 8205 §3.1, §5.2 check 1", 65536, NULL,
	    NULL, "not-valid malformed",
	    "origin Secure_Path Segment cut to 3 octets, Secure_Path Length 11");
	x = m;
	SPLICE(x, b0, (size_t)m.b[b0] << 8 | m.b[b0 + 1], NULL, 0);
	vec(g, &x, "no-signature-block", "RFC 8205 §3 (at least one Signature_Block), §5.2 check 1",
	    65536, NULL, NULL, "not-valid malformed", "Secure_Path only");
	x = m;
	static const uint8_t junk[2] = { 0, 0 };
	SPLICE(x, b0 + ((size_t)m.b[b0] << 8 | m.b[b0 + 1]), 0, junk, 2);
	vec(g, &x, "trailing-octets", "RFC 8205 §3, §5.2 check 1", 65536, NULL, NULL,
	    "not-valid malformed", "two zero octets after the Signature_Block");
	/* attribute length field off by one: the UPDATE framing breaks */
	struct attr_loc a;
	for (int d = -1; d <= 1; d += 2) {
		x = m;
		if (!find_attr(&x, KR_ATTR_BGPSEC_PATH, 0, &a))
			return -1;
		if (a.hl == 4)
			put16(x.b + a.h + 2, a.vlen + (size_t)d);
		else
			x.b[a.h + 2] = (uint8_t)(a.vlen + (size_t)d);
		vec(g, &x, d < 0 ? "attribute-length-minus-1" : "attribute-length-plus-1",
		    "RFC 4271 §6.3; RFC 7606 §4 (attribute length inconsistent)", 65536, NULL, NULL,
		    "decode-error", "BGPsec_PATH attribute length off by one, total length unchanged");
	}
	x = m;
	if (!find_attr(&x, KR_ATTR_BGPSEC_PATH, 0, &a))
		return -1;
	x.b[a.h] |= KR_AF_TRANSITIVE;
	vec(g, &x, "attribute-flags-transitive", "RFC 8205 §3 (optional non-transitive); "
	    "RFC 7606 §3 c", 65536, NULL, NULL, "not-valid malformed",
	    "BGPsec_PATH with the Transitive flag set");
	return 0;
}

static int protocol_vectors(struct gen *g)
{
	struct img m, x;
	BUILD(m, P2, V4);
	size_t v = bgpsec_val(&m), b0 = block_at(&m, 0);
	vec(g, &m, "wrong-peer-as", "RFC 8205 §5.2 check 2", 65550, NULL, NULL,
	    "not-valid wrong-peer-as", "newest segment is AS 65536, the session's peer AS 65550");
	/* check 3: one signature segment removed / one added */
	x = m;
	size_t s1 = sigseg_at(&m, 0, 1), l1 = KR_SKI_LEN + 2 + siglen_at(&m, s1);
	uint8_t seg[128];
	memcpy(seg, m.b + s1, l1);
	SPLICE(x, s1, l1, NULL, 0);
	put16(x.b + b0, ((size_t)m.b[b0] << 8 | m.b[b0 + 1]) - l1);
	vec(g, &x, "sig-count-fewer", "RFC 8205 §5.2 check 3", 65536, NULL, NULL,
	    "not-valid sig-count", "2 Secure_Path Segments, 1 Signature Segment");
	x = m;
	SPLICE(x, s1 + l1, 0, seg, l1);
	put16(x.b + block_at(&x, 0), ((size_t)m.b[b0] << 8 | m.b[b0 + 1]) + l1);
	vec(g, &x, "sig-count-more", "RFC 8205 §5.2 check 3", 65536, NULL, NULL,
	    "not-valid sig-count", "2 Secure_Path Segments, 3 Signature Segments");
	x = m;
	static const uint8_t extra_sp[6] = { 1, 0, 0, 0, 0xFB, 0xF1 };
	SPLICE(x, v + 2 + 12, 0, extra_sp, 6);
	put16(x.b + v, 20);
	vec(g, &x, "sig-count-extra-secure-path", "RFC 8205 §5.2 check 3", 65536, NULL, NULL,
	    "not-valid sig-count", "a third Secure_Path Segment (AS 64497) without a signature");
	static const struct spec ap = { "192.0.2.0/24", true, false };
	BUILD(x, P2, ap);
	vec(g, &x, "as-path-beside-bgpsec-path", "RFC 8205 §5.2 check 4", 65536, NULL, NULL,
	    "not-valid as-path-present", "AS_PATH 65536 64496 next to a valid BGPsec_PATH");
	static const struct hop pc[] = { { K64496, 1, 0, 0 }, { K65536, 1, KR_BGPSEC_CONFED, 0 } };
	BUILD(x, pc, V4);
	vec(g, &x, "confed-flag-from-external-peer", "RFC 8205 §4.3, §5.2 check 5", 65536, NULL,
	    NULL, "not-valid confed", "newest segment has Confed_Segment set, peer is external");
	static const struct hop pco[] = { { K64496, 1, KR_BGPSEC_CONFED, 0 }, { K65536, 1, 0, 0 } };
	BUILD(x, pco, V4);
	vec(g, &x, "confed-flag-on-older-segment", "RFC 8205 §5.2 check 5", 65536, NULL, NULL,
	    "not-valid confed", "origin segment has Confed_Segment set, peer is external");
	vec(g, &m, "confed-peer-without-flag", "RFC 8205 §5.2 check 6", 65536, NULL, "in-confed",
	    "not-valid confed", "peer inside our confederation, its segment lacks Confed_Segment");
	BUILD(x, pc, V4);
	vec(g, &x, "confed-peer-with-flag", "RFC 8205 §4.3, §5.2 check 6", 65536, NULL, "in-confed",
	    "valid", "peer inside our confederation sets Confed_Segment (signed)");
	static const struct hop p0[] = { { K64496, 1, 0, 0 }, { K65536, 0, 0, 0 } };
	BUILD(x, p0, V4);
	vec(g, &x, "pcount-zero-not-allowed", "RFC 8205 §5.2 check 7; RFC 8207 §7", 65536, NULL,
	    NULL, "not-valid pcount-zero", "newest segment pCount 0 from a peer not configured for it");
	vec(g, &x, "pcount-zero-allowed", "RFC 8205 §5.2 check 7 (route server peer)", 65536, NULL,
	    "allow-pcount0", "valid", "the same UPDATE from a peer configured for pCount 0");
	static const struct hop pl[] = { { K65537, 1, 0, 0 }, { K64496, 1, 0, 0 },
					 { K65536, 1, 0, 0 } };
	BUILD(x, pl, V4);
	vec(g, &x, "loop-own-as-in-path", "RFC 8205 §5.2 check 8", 65536, NULL, NULL,
	    "not-valid loop", "our own AS 65537 is the origin of a validly signed path");
	static const struct hop pl0[] = { { K64496, 1, 0, 0 }, { K65537, 0, 0, 0 },
					  { K65536, 1, 0, 0 } };
	BUILD(x, pl0, V4);
	vec(g, &x, "own-as-with-pcount-zero", "RFC 8205 §5.2 check 8 (AS path equivalent skips "
	    "pCount 0)", 65536, NULL, NULL, "valid",
	    "our AS appears only in a pCount 0 segment: not a loop");
	/* two prefixes in the signed UPDATE's MP_REACH_NLRI */
	x = m;
	struct attr_loc a;
	if (!find_attr(&x, KR_ATTR_MP_REACH, 0, &a))
		return -1;
	static const uint8_t p2[4] = { 24, 198, 51, 100 };
	SPLICE(x, a.v + a.vlen, 0, p2, 4);
	vec(g, &x, "two-prefixes", "RFC 8205 §4.1 (exactly one prefix per BGPsec UPDATE)", 65536,
	    NULL, NULL, "not-valid multi-prefix", "198.51.100.0/24 added after 192.0.2.0/24");
	static const struct spec plain = { "192.0.2.0/24", false, true };
	BUILD(x, P2, plain);
	vec(g, &x, "unsigned-route", "RFC 8205 §5.2 (BGPsec_PATH required from a BGPsec peer)",
	    65536, NULL, NULL, "not-valid no-bgpsec-path", "AS_PATH only, no BGPsec_PATH");
	return 0;
}

int kr_vecgen_negative(struct kr_bytes *out, struct kr_err *err)
{
	struct gen *g = calloc(1, sizeof *g);
	if (!g) {
		kr_err_set(err, 12, 0, "out of memory");
		return -1;
	}
	g->out = out;
	g->err = err;
	int rc = 0;
	for (int i = 0; i < NKEYS && rc == 0; i++) {
		uint8_t d[32];
		if (kr_hex_decode(d, sizeof d, key_defs[i].d, 64) != 32 ||
		    kr_key_from_raw_d(&g->k[i], key_defs[i].asn, d, err) < 0)
			rc = -1;
	}
	emit(g, "# Negative BGPsec corpus (vectors/README.md). Generated by `keyroll vectors "
		"gen-negative`,\n# judged by `keyroll vectors check`. Receiver: AS %u. Real keys "
		"and real signatures;\n# each vector carries one defect and the rule it exercises.\n",
	     MY_AS);
	for (int i = 0; i < NKEYS && rc == 0; i++) {
		uint8_t spki[128];
		size_t len;
		char h[2 * KR_SKI_LEN + 1];
		kr_key_spki_der(&g->k[i], spki, sizeof spki, &len);
		kr_hex_encode(h, sizeof h, g->k[i].ski, KR_SKI_LEN);
		emit(g, "\n# %s\nkey: %s\nasn: %u\nski: %s\nprivate-d: %s\n", key_defs[i].note,
		     key_defs[i].name, key_defs[i].asn, h, key_defs[i].d);
		emit_hex(g, "spki", spki, len);
	}
	if (rc == 0)
		rc = valid_vectors(g);
	if (rc == 0)
		rc = signature_vectors(g);
	if (rc == 0)
		rc = block_vectors(g);
	if (rc == 0)
		rc = length_vectors(g);
	if (rc == 0)
		rc = protocol_vectors(g);
	if (rc == 0 && g->fail) {
		kr_err_set(err, 12, 0, "output formatting failed");
		rc = -1;
	}
	for (int i = 0; i < NKEYS; i++)
		kr_key_free(&g->k[i]);
	free(g);
	return rc;
}
