/* Vector file parser: line-oriented `field: value` blocks, see
 * vectors/README.md. Pure: works on a caller buffer, allocates only. */
#include "vectors/vecfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 100000

struct pstate {
	struct kr_vecfile *f;
	const char *fname;
	struct kr_err *err;
	size_t line;
	enum { B_NONE, B_KEY, B_VEC } in;
	/* the hex field being continued on indented lines, or NULL */
	struct kr_vec_bytes *cont;
	/* `keys:` names resolved after the whole file is read */
	char (*refs)[KR_VEC_NAME_MAX];
	size_t nrefs, caprefs;
	size_t *ref_vec;
	unsigned seen;  /* bit set of fields seen in the current block */
};

__attribute__((format(printf, 2, 3))) static int fail(struct pstate *s, const char *fmt, ...)
{
	char m[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	kr_err_set(s->err, EINVAL, s->line, "%s:%zu: %s", s->fname, s->line, m);
	return -1;
}

/* Append hex digits (spaces and tabs ignored) to b. */
static int add_hex(struct pstate *s, struct kr_vec_bytes *b, const char *v, size_t n)
{
	size_t nd = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t')
			continue;
		if (!isxdigit((unsigned char)v[i]))
			return fail(s, "'%c' is not a hex digit", v[i]);
		nd++;
	}
	if (nd % 2)
		return fail(s, "odd number of hex digits (%zu) on this line", nd);
	uint8_t *np = realloc(b->p, b->len + nd / 2 + 1);
	if (!np)
		return fail(s, "out of memory");
	b->p = np;
	int hi = -1;
	for (size_t i = 0; i < n; i++) {
		char c = v[i];
		if (c == ' ' || c == '\t')
			continue;
		int x = isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
		if (hi < 0) {
			hi = x;
		} else {
			b->p[b->len++] = (uint8_t)(hi << 4 | x);
			hi = -1;
		}
	}
	return 0;
}

static int set_hex(struct pstate *s, struct kr_vec_bytes *b, const char *v, size_t n)
{
	b->line = s->line;
	b->len = 0;
	if (add_hex(s, b, v, n) < 0)
		return -1;
	if (!b->p && !(b->p = malloc(1)))
		return fail(s, "out of memory");
	s->cont = b;
	return 0;
}

static int fixed_hex(struct pstate *s, uint8_t *out, size_t want, const char *v, size_t n,
		     const char *what)
{
	struct kr_vec_bytes b = { 0 };
	int rc = add_hex(s, &b, v, n);
	if (rc == 0 && b.len != want)
		rc = fail(s, "%s must be %zu octets, got %zu", what, want, b.len);
	if (rc == 0)
		memcpy(out, b.p, want);
	free(b.p);
	return rc;
}

static int parse_u32(struct pstate *s, const char *v, size_t n, uint32_t *out, const char *what)
{
	char t[16];
	if (n == 0 || n >= sizeof t)
		return fail(s, "%s: expected a decimal number", what);
	memcpy(t, v, n);
	t[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)t[i]))
			return fail(s, "%s: '%s' is not a decimal number", what, t);
	errno = 0;
	unsigned long long x = strtoull(t, NULL, 10);
	if (errno || x > UINT32_MAX)
		return fail(s, "%s: %s out of range", what, t);
	*out = (uint32_t)x;
	return 0;
}

static int copy_text(struct pstate *s, char *dst, size_t cap, const char *v, size_t n,
		     const char *what)
{
	if (n == 0)
		return fail(s, "%s is empty", what);
	if (n >= cap)
		return fail(s, "%s longer than %zu characters", what, cap - 1);
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

static bool field_is(const char *k, size_t kn, const char *name)
{
	return strlen(name) == kn && !memcmp(k, name, kn);
}

/* Each field once per block: bit index per field name. */
static int once(struct pstate *s, unsigned bit, const char *k, size_t kn)
{
	if (s->seen & 1u << bit)
		return fail(s, "field '%.*s' given twice in this block", (int)kn, k);
	s->seen |= 1u << bit;
	return 0;
}

static int new_block(struct pstate *s, bool key, const char *v, size_t n)
{
	struct kr_vecfile *f = s->f;
	if (f->nkeys + f->nvecs >= MAX_ITEMS)
		return fail(s, "more than %d blocks", MAX_ITEMS);
	char name[KR_VEC_NAME_MAX];
	if (copy_text(s, name, sizeof name, v, n, key ? "key name" : "vector name") < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)name[i]))
			return fail(s, "name '%s' contains white space", name);
	if (key) {
		for (size_t i = 0; i < f->nkeys; i++)
			if (!strcmp(f->keys[i].name, name))
				return fail(s, "key '%s' already defined on line %zu", name,
					    f->keys[i].line);
		struct kr_vec_key *nk = realloc(f->keys, (f->nkeys + 1) * sizeof *nk);
		if (!nk)
			return fail(s, "out of memory");
		f->keys = nk;
		struct kr_vec_key *k = &f->keys[f->nkeys++];
		memset(k, 0, sizeof *k);
		memcpy(k->name, name, sizeof name);
		k->line = s->line;
		s->in = B_KEY;
	} else {
		for (size_t i = 0; i < f->nvecs; i++)
			if (!strcmp(f->vecs[i].name, name))
				return fail(s, "vector '%s' already defined on line %zu", name,
					    f->vecs[i].line);
		struct kr_vector *nv = realloc(f->vecs, (f->nvecs + 1) * sizeof *nv);
		if (!nv)
			return fail(s, "out of memory");
		f->vecs = nv;
		struct kr_vector *x = &f->vecs[f->nvecs++];
		memset(x, 0, sizeof *x);
		memcpy(x->name, name, sizeof name);
		x->line = s->line;
		x->bgpsec_type = KR_ATTR_BGPSEC_PATH;
		s->in = B_VEC;
	}
	s->seen = 0;
	return 0;
}

static int key_field(struct pstate *s, const char *k, size_t kn, const char *v, size_t n)
{
	struct kr_vec_key *key = &s->f->keys[s->f->nkeys - 1];
	if (field_is(k, kn, "asn")) {
		return once(s, 0, k, kn) ? -1 : parse_u32(s, v, n, &key->asn, "asn");
	} else if (field_is(k, kn, "private-d")) {
		key->has_d = true;
		return once(s, 1, k, kn) ? -1 : fixed_hex(s, key->d, 32, v, n, "private-d");
	} else if (field_is(k, kn, "ski")) {
		key->has_ski = true;
		return once(s, 2, k, kn) ? -1 : fixed_hex(s, key->ski, KR_SKI_LEN, v, n, "ski");
	} else if (field_is(k, kn, "spki")) {
		return once(s, 3, k, kn) ? -1 : set_hex(s, &key->spki, v, n);
	} else if (field_is(k, kn, "cert")) {
		return once(s, 4, k, kn) ? -1 : set_hex(s, &key->cert, v, n);
	}
	return fail(s, "unknown key field '%.*s'", (int)kn, k);
}

static int golden_field(struct pstate *s, struct kr_vector *x, const char *k, size_t kn,
			const char *v, size_t n)
{
	/* hash-input.N / digest.N / signature.N, N = hop (1 = origin) */
	const char *dot = memchr(k, '.', kn);
	size_t base = (size_t)(dot - k);
	uint32_t hop;
	if (parse_u32(s, dot + 1, kn - base - 1, &hop, "hop number") < 0)
		return -1;
	if (hop < 1 || hop > KR_MAX_HOPS)
		return fail(s, "hop %u out of range 1..%d", hop, KR_MAX_HOPS);
	struct kr_vec_golden *g = NULL;
	for (size_t i = 0; i < x->ngolden; i++)
		if (x->golden[i].hop == hop)
			g = &x->golden[i];
	if (!g) {
		if (x->ngolden == KR_VEC_MAX_GOLDEN)
			return fail(s, "more than %d hops with published values", KR_VEC_MAX_GOLDEN);
		g = &x->golden[x->ngolden++];
		g->hop = hop;
	}
	struct kr_vec_bytes *b = field_is(k, base, "hash-input") ? &g->hash_input
				 : field_is(k, base, "digest")     ? &g->digest
				 : field_is(k, base, "signature")  ? &g->signature
								   : NULL;
	if (!b)
		return fail(s, "unknown vector field '%.*s'", (int)kn, k);
	if (b->p)
		return fail(s, "field '%.*s' given twice in this block", (int)kn, k);
	return set_hex(s, b, v, n);
}

static int keys_field(struct pstate *s, struct kr_vector *x, const char *v, size_t n)
{
	x->has_keys = true;
	size_t i = 0;
	while (i < n) {
		while (i < n && isspace((unsigned char)v[i]))
			i++;
		size_t j = i;
		while (j < n && !isspace((unsigned char)v[j]))
			j++;
		if (j == i)
			break;
		if (x->nkeyrefs == KR_VEC_MAX_KEYREFS)
			return fail(s, "more than %d keys", KR_VEC_MAX_KEYREFS);
		if (s->nrefs == s->caprefs) {
			size_t nc = s->caprefs ? 2 * s->caprefs : 16;
			void *a = realloc(s->refs, nc * sizeof *s->refs);
			if (!a)
				return fail(s, "out of memory");
			s->refs = a;
			void *b = realloc(s->ref_vec, nc * sizeof *s->ref_vec);
			if (!b)
				return fail(s, "out of memory");
			s->ref_vec = b;
			s->caprefs = nc;
		}
		if (copy_text(s, s->refs[s->nrefs], KR_VEC_NAME_MAX, v + i, j - i, "key name") < 0)
			return -1;
		s->ref_vec[s->nrefs++] = s->f->nvecs - 1;
		x->keyref[x->nkeyrefs++] = SIZE_MAX; /* resolved at the end */
		i = j;
	}
	if (!x->nkeyrefs)
		return fail(s, "keys: needs at least one key name");
	return 0;
}

static int vec_field(struct pstate *s, const char *k, size_t kn, const char *v, size_t n)
{
	struct kr_vector *x = &s->f->vecs[s->f->nvecs - 1];
	if (field_is(k, kn, "spec"))
		return once(s, 0, k, kn) ? -1 : copy_text(s, x->spec, sizeof x->spec, v, n, "spec");
	if (field_is(k, kn, "update"))
		return once(s, 1, k, kn) ? -1 : set_hex(s, &x->update, v, n);
	if (field_is(k, kn, "rewrite-33"))
		return once(s, 2, k, kn) ? -1 : set_hex(s, &x->rewrite33, v, n);
	if (field_is(k, kn, "my-as"))
		return once(s, 3, k, kn) ? -1 : parse_u32(s, v, n, &x->opts.my_as, "my-as");
	if (field_is(k, kn, "peer-as"))
		return once(s, 4, k, kn) ? -1 : parse_u32(s, v, n, &x->opts.peer_as, "peer-as");
	if (field_is(k, kn, "bgpsec-type")) {
		uint32_t t;
		if (once(s, 5, k, kn) || parse_u32(s, v, n, &t, "bgpsec-type"))
			return -1;
		if (t == 0 || t > 255)
			return fail(s, "bgpsec-type %u is not an attribute type code", t);
		x->bgpsec_type = (uint8_t)t;
		return 0;
	}
	if (field_is(k, kn, "nonce-k")) {
		x->has_k = true;
		return once(s, 6, k, kn) ? -1 : fixed_hex(s, x->k, 32, v, n, "nonce-k");
	}
	if (field_is(k, kn, "keys"))
		return once(s, 7, k, kn) ? -1 : keys_field(s, x, v, n);
	if (field_is(k, kn, "options")) {
		if (once(s, 8, k, kn))
			return -1;
		size_t i = 0;
		while (i < n) {
			while (i < n && isspace((unsigned char)v[i]))
				i++;
			size_t j = i;
			while (j < n && !isspace((unsigned char)v[j]))
				j++;
			if (j == i)
				break;
			if (field_is(v + i, j - i, "allow-pcount0"))
				x->opts.allow_pcount0 = true;
			else if (field_is(v + i, j - i, "in-confed"))
				x->opts.in_confed = true;
			else if (field_is(v + i, j - i, "accept-multi-prefix"))
				x->opts.accept_multi_prefix = true;
			else
				return fail(s, "unknown option '%.*s'", (int)(j - i), v + i);
			i = j;
		}
		return 0;
	}
	if (field_is(k, kn, "expect")) {
		if (once(s, 9, k, kn))
			return -1;
		char t[64];
		if (copy_text(s, t, sizeof t, v, n, "expect") < 0)
			return -1;
		char *sp = strchr(t, ' ');
		if (!strcmp(t, "valid")) {
			x->expect = KR_VEC_VALID;
		} else if (!strcmp(t, "decode-error")) {
			x->expect = KR_VEC_DECODE_ERROR;
		} else if (sp && sp - t == 9 && !memcmp(t, "not-valid", 9)) {
			while (*sp == ' ')
				sp++;
			if (kr_reason_from_name(sp, &x->reason) < 0 || x->reason == KR_R_OK)
				return fail(s, "expect: unknown reason '%s'", sp);
			x->expect = KR_VEC_NOT_VALID;
		} else {
			return fail(s, "expect: want 'valid', 'not-valid REASON' or 'decode-error', "
				       "got '%s'", t);
		}
		return 0;
	}
	if (memchr(k, '.', kn))
		return golden_field(s, x, k, kn, v, n);
	return fail(s, "unknown vector field '%.*s'", (int)kn, k);
}

static int check_block_done(struct pstate *s);

/* Errors about a whole block name the line the block starts on. */
static int finish_block(struct pstate *s)
{
	size_t line = s->line;
	int rc = check_block_done(s);
	if (rc == 0)
		s->line = line;
	return rc;
}

static int check_block_done(struct pstate *s)
{
	if (s->in == B_KEY) {
		struct kr_vec_key *k = &s->f->keys[s->f->nkeys - 1];
		s->line = k->line;
		if (!(s->seen & 1))
			return fail(s, "key '%s' has no asn", k->name);
		if (!k->has_d && !k->spki.p && !k->cert.p)
			return fail(s, "key '%s' needs private-d, spki or cert", k->name);
	} else if (s->in == B_VEC) {
		struct kr_vector *x = &s->f->vecs[s->f->nvecs - 1];
		s->line = x->line;
		if (!x->spec[0])
			return fail(s, "vector '%s' has no spec", x->name);
		if (!x->update.p)
			return fail(s, "vector '%s' has no update", x->name);
		if (!(s->seen & 1u << 9))
			return fail(s, "vector '%s' has no expect", x->name);
		if (!(s->seen & 1u << 3))
			return fail(s, "vector '%s' has no my-as", x->name);
	}
	return 0;
}

static int parse_line(struct pstate *s, const char *l, size_t n)
{
	/* strip trailing white space and CR */
	while (n && isspace((unsigned char)l[n - 1]))
		n--;
	if (n == 0) {
		s->cont = NULL;
		return 0;
	}
	if (l[0] == '#')
		return 0;
	if (l[0] == ' ' || l[0] == '\t') {
		if (!s->cont)
			return fail(s, "indented line continues no hex field");
		return add_hex(s, s->cont, l, n);
	}
	s->cont = NULL;
	const char *colon = memchr(l, ':', n);
	if (!colon)
		return fail(s, "expected 'field: value'");
	size_t kn = (size_t)(colon - l);
	const char *v = colon + 1;
	size_t vn = n - kn - 1;
	while (vn && (*v == ' ' || *v == '\t'))
		v++, vn--;
	if (field_is(l, kn, "key") || field_is(l, kn, "name")) {
		if (finish_block(s) < 0)
			return -1;
		return new_block(s, l[0] == 'k', v, vn);
	}
	if (s->in == B_NONE)
		return fail(s, "field '%.*s' before the first 'key:' or 'name:' line", (int)kn, l);
	return s->in == B_KEY ? key_field(s, l, kn, v, vn) : vec_field(s, l, kn, v, vn);
}

static int resolve_refs(struct pstate *s)
{
	for (size_t r = 0; r < s->nrefs; r++) {
		struct kr_vector *x = &s->f->vecs[s->ref_vec[r]];
		size_t found = SIZE_MAX;
		for (size_t i = 0; i < s->f->nkeys; i++)
			if (!strcmp(s->f->keys[i].name, s->refs[r]))
				found = i;
		if (found == SIZE_MAX) {
			s->line = x->line;
			return fail(s, "vector '%s' names unknown key '%s'", x->name, s->refs[r]);
		}
		for (size_t i = 0; i < x->nkeyrefs; i++)
			if (x->keyref[i] == SIZE_MAX) {
				x->keyref[i] = found;
				break;
			}
	}
	return 0;
}

int kr_vecfile_parse(struct kr_vecfile *f, const char *buf, size_t len, const char *fname,
		     struct kr_err *err)
{
	memset(f, 0, sizeof *f);
	struct pstate s = { .f = f, .fname = fname ? fname : "-", .err = err };
	size_t off = 0;
	int rc = 0;
	while (off < len && rc == 0) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		s.line++;
		if (memchr(buf + off, 0, n))
			rc = fail(&s, "NUL byte in a text file");
		else
			rc = parse_line(&s, buf + off, n);
		off += n + (nl ? 1 : 0);
	}
	if (rc == 0)
		rc = finish_block(&s);
	if (rc == 0 && f->nkeys + f->nvecs == 0) {
		s.line = 1;
		rc = fail(&s, "no 'key:' or 'name:' block in the file");
	}
	if (rc == 0)
		rc = resolve_refs(&s);
	free(s.refs);
	free(s.ref_vec);
	if (rc < 0)
		kr_vecfile_free(f);
	return rc;
}

void kr_vecfile_free(struct kr_vecfile *f)
{
	for (size_t i = 0; i < f->nkeys; i++) {
		free(f->keys[i].spki.p);
		free(f->keys[i].cert.p);
	}
	for (size_t i = 0; i < f->nvecs; i++) {
		struct kr_vector *x = &f->vecs[i];
		free(x->update.p);
		free(x->rewrite33.p);
		for (size_t g = 0; g < x->ngolden; g++) {
			free(x->golden[g].hash_input.p);
			free(x->golden[g].digest.p);
			free(x->golden[g].signature.p);
		}
	}
	free(f->keys);
	free(f->vecs);
	memset(f, 0, sizeof *f);
}
