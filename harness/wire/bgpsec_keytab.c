/* Validation key table: (ASN, SKI) -> one or more public keys. Several keys
 * per AS live side by side during a rollover (RFC 8634 §3), and one (ASN,
 * SKI) may map to several SPKIs (RFC 8210 §5.10 SKI collisions). Keys are
 * parsed once here so that verification never re-parses DER. */
#include "wire/bgpsec_crypto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct kt_key {
	struct kt_key *next;
	EVP_PKEY *pkey;
	size_t spki_len;
	uint8_t spki[KR_SPKI_P256_LEN + 64];
};

struct kt_ent {
	struct kt_ent *next;
	uint32_t asn;
	uint8_t ski[KR_SKI_LEN];
	struct kt_key *keys;
};

struct kr_keytab {
	struct kt_ent **b;
	size_t nb;      /* power of two */
	size_t nents;
	size_t nkeys;
};

static size_t kt_hash(uint32_t asn, const uint8_t *ski)
{
	/* The SKI is already a SHA-1 output: its first octets spread well. */
	uint64_t h = (uint64_t)asn * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)ski[0] << 24 | (uint64_t)ski[1] << 16 | (uint64_t)ski[2] << 8 | ski[3];
	h ^= h >> 29;
	return (size_t)h;
}

struct kr_keytab *kr_keytab_new(void)
{
	struct kr_keytab *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->nb = 64;
	t->b = calloc(t->nb, sizeof *t->b);
	if (!t->b) {
		free(t);
		return NULL;
	}
	return t;
}

static void free_keys(struct kt_key *k)
{
	while (k) {
		struct kt_key *n = k->next;
		EVP_PKEY_free(k->pkey);
		free(k);
		k = n;
	}
}

void kr_keytab_clear(struct kr_keytab *t)
{
	for (size_t i = 0; i < t->nb; i++) {
		struct kt_ent *e = t->b[i];
		while (e) {
			struct kt_ent *n = e->next;
			free_keys(e->keys);
			free(e);
			e = n;
		}
		t->b[i] = NULL;
	}
	t->nents = t->nkeys = 0;
}

void kr_keytab_free(struct kr_keytab *t)
{
	if (!t)
		return;
	kr_keytab_clear(t);
	free(t->b);
	free(t);
}

static struct kt_ent *find(const struct kr_keytab *t, uint32_t asn, const uint8_t *ski)
{
	for (struct kt_ent *e = t->b[kt_hash(asn, ski) & (t->nb - 1)]; e; e = e->next)
		if (e->asn == asn && !memcmp(e->ski, ski, KR_SKI_LEN))
			return e;
	return NULL;
}

static void grow(struct kr_keytab *t)
{
	size_t nb = t->nb * 2;
	struct kt_ent **b = calloc(nb, sizeof *b);
	if (!b)
		return; /* keep working with longer chains */
	for (size_t i = 0; i < t->nb; i++) {
		struct kt_ent *e = t->b[i];
		while (e) {
			struct kt_ent *n = e->next;
			size_t h = kt_hash(e->asn, e->ski) & (nb - 1);
			e->next = b[h];
			b[h] = e;
			e = n;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
}

int kr_keytab_add(struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		  const uint8_t *spki, size_t spki_len, struct kr_err *err)
{
	struct kt_key *k;
	if (spki_len > sizeof k->spki) {
		kr_err_set(err, EINVAL, 0, "SPKI of %zu octets is too long for P-256", spki_len);
		return -1;
	}
	struct kt_ent *e = find(t, asn, ski);
	if (e)
		for (k = e->keys; k; k = k->next)
			if (k->spki_len == spki_len && !memcmp(k->spki, spki, spki_len))
				return 0; /* already present: idempotent */
	struct kr_key tmp;
	if (kr_key_from_spki(&tmp, asn, spki, spki_len, err) < 0)
		return -1;
	k = calloc(1, sizeof *k);
	if (!k) {
		kr_key_free(&tmp);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	k->pkey = tmp.pkey;
	k->spki_len = spki_len;
	memcpy(k->spki, spki, spki_len);
	if (!e) {
		e = calloc(1, sizeof *e);
		if (!e) {
			free_keys(k);
			kr_err_set(err, ENOMEM, 0, "out of memory");
			return -1;
		}
		e->asn = asn;
		memcpy(e->ski, ski, KR_SKI_LEN);
		size_t h = kt_hash(asn, ski) & (t->nb - 1);
		e->next = t->b[h];
		t->b[h] = e;
		if (++t->nents > t->nb)
			grow(t);
	}
	k->next = e->keys;
	e->keys = k;
	t->nkeys++;
	return 0;
}

int kr_keytab_add_key(struct kr_keytab *t, const struct kr_key *key, struct kr_err *err)
{
	uint8_t spki[KR_SPKI_P256_LEN + 64];
	size_t len;
	if (kr_key_spki_der(key, spki, sizeof spki, &len) < 0) {
		kr_err_set(err, EINVAL, 0, "cannot encode key of AS %u", key->asn);
		return -1;
	}
	return kr_keytab_add(t, key->asn, key->ski, spki, len, err);
}

int kr_keytab_del(struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
		  const uint8_t *spki, size_t spki_len)
{
	size_t h = kt_hash(asn, ski) & (t->nb - 1);
	struct kt_ent **pe = &t->b[h];
	while (*pe && !((*pe)->asn == asn && !memcmp((*pe)->ski, ski, KR_SKI_LEN)))
		pe = &(*pe)->next;
	struct kt_ent *e = *pe;
	if (!e)
		return 0;
	int n = 0;
	struct kt_key **pk = &e->keys;
	while (*pk) {
		struct kt_key *k = *pk;
		if (!spki || (k->spki_len == spki_len && !memcmp(k->spki, spki, spki_len))) {
			*pk = k->next;
			EVP_PKEY_free(k->pkey);
			free(k);
			n++;
		} else {
			pk = &k->next;
		}
	}
	t->nkeys -= (size_t)n;
	if (!e->keys) {
		*pe = e->next;
		free(e);
		t->nents--;
	}
	return n;
}

size_t kr_keytab_count(const struct kr_keytab *t) { return t->nkeys; }

bool kr_keytab_has(const struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN])
{
	return find(t, asn, ski) != NULL;
}

size_t kr_keytab_lookup(const struct kr_keytab *t, uint32_t asn, const uint8_t ski[KR_SKI_LEN],
			EVP_PKEY **out, size_t max)
{
	struct kt_ent *e = find(t, asn, ski);
	size_t n = 0;
	if (e)
		for (struct kt_key *k = e->keys; k; k = k->next, n++)
			if (n < max)
				out[n] = k->pkey;
	return n;
}
