/* RTR key spans from a captured session (rtr_follow.h). */
#include "wire/rtr_follow.h"

#include <stdlib.h>
#include <string.h>

#include "wire/rtr_pdu.h"

struct kr_rtr_follow {
	bool expire, backdate;
	struct kr_rkey_span *s;
	size_t n, cap;
	/* open spans announced again in the current reload / withdrawn in the
	 * current response: index lists applied at End of Data */
	bool reloading;
	bool *seen;            /* per span: announced since the Reset Query */
	size_t *wd, nwd, capwd;
	int64_t last_eod;
	uint32_t expire_s;
	size_t eods;
};

struct kr_rtr_follow *kr_rtr_follow_new(bool expire, bool backdate)
{
	struct kr_rtr_follow *f = calloc(1, sizeof *f);
	if (f) {
		f->expire = expire;
		f->backdate = backdate;
	}
	return f;
}

void kr_rtr_follow_free(struct kr_rtr_follow *f)
{
	if (!f)
		return;
	free(f->s);
	free(f->seen);
	free(f->wd);
	free(f);
}

static bool same(const struct kr_rkey_span *s, const struct kr_rtr_pdu *p)
{
	return s->asn == p->asn && !memcmp(s->ski, p->ski, 20) && s->spki_len == p->spki_len &&
	       !memcmp(s->spki, p->spki, p->spki_len);
}

static long open_span(const struct kr_rtr_follow *f, const struct kr_rtr_pdu *p)
{
	for (size_t i = f->n; i-- > 0;)
		if (f->s[i].to == INT64_MAX && same(&f->s[i], p))
			return (long)i;
	return -1;
}

/* End an open span at t (never before it began: times out of order in a
 * damaged capture must not make a negative span). */
static void end_span(struct kr_rkey_span *s, int64_t t, uint64_t ref)
{
	if (s->to != INT64_MAX)
		return;
	s->to = t < s->from ? s->from : t;
	s->to_ref = ref;
}

static void end_all(struct kr_rtr_follow *f, int64_t t, uint64_t ref)
{
	for (size_t i = 0; i < f->n; i++)
		end_span(&f->s[i], t, ref);
}

static void announce(struct kr_rtr_follow *f, const struct kr_rtr_pdu *p, int64_t t, uint64_t ref)
{
	if (p->spki_len > KR_RKEY_SPKI_MAX)
		return;
	long i = open_span(f, p);
	if (i < 0) {
		if (f->n == f->cap) {
			size_t nc = f->cap ? 2 * f->cap : 16;
			struct kr_rkey_span *ns = realloc(f->s, nc * sizeof *ns);
			bool *nseen = realloc(f->seen, nc * sizeof *nseen);
			if (ns)
				f->s = ns;
			if (nseen)
				f->seen = nseen;
			if (!ns || !nseen)
				return;
			f->cap = nc;
		}
		i = (long)f->n++;
		struct kr_rkey_span *s = &f->s[i];
		memset(s, 0, sizeof *s);
		s->asn = p->asn;
		memcpy(s->ski, p->ski, 20);
		memcpy(s->spki, p->spki, p->spki_len);
		s->spki_len = p->spki_len;
		s->from = f->backdate && !f->eods ? INT64_MIN : t;
		s->to = INT64_MAX;
		s->from_ref = ref;
	}
	f->seen[i] = true;
}

static void withdraw(struct kr_rtr_follow *f, const struct kr_rtr_pdu *p)
{
	long i = open_span(f, p);
	if (i < 0)
		return;
	if (f->nwd == f->capwd) {
		size_t nc = f->capwd ? 2 * f->capwd : 16;
		size_t *nw = realloc(f->wd, nc * sizeof *nw);
		if (!nw)
			return;
		f->wd = nw;
		f->capwd = nc;
	}
	f->wd[f->nwd++] = (size_t)i;
}

static void end_of_data(struct kr_rtr_follow *f, const struct kr_rtr_pdu *p, int64_t t, uint64_t ref)
{
	for (size_t k = 0; k < f->nwd; k++)
		end_span(&f->s[f->wd[k]], t, ref);
	f->nwd = 0;
	if (f->reloading)
		for (size_t i = 0; i < f->n; i++)
			if (!f->seen[i])
				end_span(&f->s[i], t, ref);
	f->reloading = false;
	f->last_eod = t;
	f->eods++;
	/* version 0 has no timers: the RFC 8210 §6 default */
	f->expire_s = p->version >= 1 && p->expire ? p->expire : 7200;
}

static void check_expiry(struct kr_rtr_follow *f, int64_t t)
{
	if (!f->expire || !f->eods)
		return;
	int64_t dl = f->last_eod + (int64_t)f->expire_s * 1000000000LL;
	if (t > dl)
		end_all(f, dl, 0);
}

void kr_rtr_follow_pdu(struct kr_rtr_follow *f, const uint8_t *pdu, size_t len, bool from_router,
		       int64_t t, uint64_t ref)
{
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	if (kr_rtr_decode(pdu, len, &p, &err) < 0)
		return;
	check_expiry(f, t);
	if (from_router) {
		if (p.type == KR_RTR_RESET_QUERY) {
			f->reloading = true;
			f->nwd = 0;
			for (size_t i = 0; i < f->n; i++)
				f->seen[i] = false;
		}
		return;
	}
	switch (p.type) {
	case KR_RTR_ROUTER_KEY:
		if (p.flags & KR_RTR_FLAG_ANNOUNCE)
			announce(f, &p, t, ref);
		else
			withdraw(f, &p);
		break;
	case KR_RTR_END_OF_DATA:
		end_of_data(f, &p, t, ref);
		break;
	}
}

void kr_rtr_follow_end(struct kr_rtr_follow *f, int64_t t)
{
	check_expiry(f, t);
}

size_t kr_rtr_follow_spans(const struct kr_rtr_follow *f, const struct kr_rkey_span **out)
{
	*out = f->s;
	return f->n;
}

size_t kr_rtr_follow_eods(const struct kr_rtr_follow *f)
{
	return f->eods;
}

int64_t kr_rkey_spans_at(const struct kr_rkey_span *s, size_t n, int64_t t, int64_t grace,
			 struct kr_keytab *kt)
{
	int64_t next = INT64_MAX;
	kr_keytab_clear(kt);
	for (size_t k = 0; k < n; k++) {
		int64_t end = s[k].to == INT64_MAX || s[k].to > INT64_MAX - grace ? INT64_MAX : s[k].to + grace;
		if (s[k].from > t) {
			if (s[k].from < next)
				next = s[k].from;
			continue;
		}
		if (end <= t)
			continue;
		struct kr_err e = { 0 };
		kr_keytab_add(kt, s[k].asn, s[k].ski, s[k].spki, s[k].spki_len, &e);
		if (end < next)
			next = end;
	}
	return next;
}
