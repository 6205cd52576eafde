/* The SUT's RTR link as captured (sut-rtr.pcap): the PDUs the cache sent,
 * replayed into the router keys the SUT holds after each End of Data
 * (RFC 8210 §5.3-§5.8: the PDUs between Cache Response and End of Data
 * are one update; after a Reset Query the data start empty). This is how
 * the pipeline mode knows, from the wire alone, that a key reached the
 * SUT or left it. */
#include <stdlib.h>
#include <string.h>

#include "net/capture.h"
#include "net/pcap_read.h"
#include "run/world_int.h"
#include "wire/rtr_pdu.h"

#define MAX_HELD (2 * KR_W_MAX_KEYS)

struct held {
	uint32_t asn;
	uint8_t ski[KR_RTR_SKI_LEN];
};

struct scan {
	const struct kr_rtr_set *target;
	struct held cur[MAX_HELD], pend[MAX_HELD];
	size_t ncur, npend;
	bool reset_next;          /* the SUT's last query was a Reset Query */
	bool in_update, eq;
	int64_t t_notify;
	uint32_t notify_serial;
	struct kr_wire_change ch[KR_W_WIRE_CHANGES];
	size_t nch;
	struct kr_wire_sync *out;
};

static int find(const struct held *h, size_t n, uint32_t asn, const uint8_t *ski)
{
	for (size_t i = 0; i < n; i++)
		if (h[i].asn == asn && !memcmp(h[i].ski, ski, KR_RTR_SKI_LEN))
			return (int)i;
	return -1;
}

static bool equals_target(const struct scan *s)
{
	if (s->ncur != s->target->nkeys)
		return false;
	for (size_t i = 0; i < s->target->nkeys; i++)
		if (find(s->cur, s->ncur, s->target->keys[i].asn, s->target->keys[i].ski) < 0)
			return false;
	return true;
}

static void router_key(struct scan *s, const struct kr_rtr_pdu *p, int64_t t)
{
	int i = find(s->pend, s->npend, p->asn, p->ski);
	bool ann = p->flags & KR_RTR_FLAG_ANNOUNCE;
	if (ann && i < 0 && s->npend < MAX_HELD) {
		s->pend[s->npend].asn = p->asn;
		memcpy(s->pend[s->npend++].ski, p->ski, KR_RTR_SKI_LEN);
	} else if (!ann && i >= 0) {
		s->pend[i] = s->pend[--s->npend];
	}
	if (s->nch < KR_W_WIRE_CHANGES) {
		struct kr_wire_change *c = &s->ch[s->nch++];
		c->t = t;
		c->announce = ann;
		c->asn = p->asn;
		memcpy(c->ski, p->ski, KR_RTR_SKI_LEN);
	}
}

static void end_of_data(struct scan *s, const struct kr_rtr_pdu *p, int64_t t)
{
	memcpy(s->cur, s->pend, s->npend * sizeof s->cur[0]);
	s->ncur = s->npend;
	s->in_update = false;
	bool eq = equals_target(s);
	struct kr_wire_sync *o = s->out;
	o->serial = p->serial;
	o->nheld = s->ncur;
	if (eq && !s->eq) {
		/* the update that brought the SUT to the target */
		o->t_eod = t;
		o->t_notify = s->t_notify;
		o->notify_serial = s->notify_serial;
		memcpy(o->ch, s->ch, s->nch * sizeof s->ch[0]);
		o->nch = s->nch;
	}
	s->eq = eq;
}

static void sync_pdu(const struct kr_rtr_pdu *pp, int64_t t, bool from_sut, void *arg)
{
	struct scan *s = arg;
	const struct kr_rtr_pdu p = *pp;
	if (from_sut) {
		if (p.type == KR_RTR_RESET_QUERY || p.type == KR_RTR_SERIAL_QUERY)
			s->reset_next = p.type == KR_RTR_RESET_QUERY;
		if (p.version < 2)
			s->out->sut_versions[p.version]++;
		return;
	}
	switch (p.type) {
	case KR_RTR_SERIAL_NOTIFY:
		s->t_notify = t;
		s->notify_serial = p.serial;
		if (kr_rtr_serial_lt(s->out->serial, p.serial))
			s->out->newer_notified = true;
		break;
	case KR_RTR_CACHE_RESPONSE:
		s->in_update = true;
		s->nch = 0;
		s->npend = 0;
		if (!s->reset_next) {
			memcpy(s->pend, s->cur, s->ncur * sizeof s->cur[0]);
			s->npend = s->ncur;
		}
		break;
	case KR_RTR_ROUTER_KEY:
		if (s->in_update)
			router_key(s, &p, t);
		break;
	case KR_RTR_END_OF_DATA:
		if (s->in_update) {
			s->out->newer_notified = false;
			s->out->eods++;
			end_of_data(s, &p, t);
		}
		break;
	case KR_RTR_CACHE_RESET:
		s->reset_next = true;
		break;
	default:
		break;
	}
}

struct each {
	kr_w_wire_fn fn;
	void *arg;
};

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct each *e = arg;
	struct kr_rtr_pdu p;
	struct kr_err err = { 0 };
	if (m->proto == KR_SP_RTR && kr_rtr_decode(m->msg, m->len, &p, &err) == 0)
		e->fn(&p, kr_wall_to_mono_ns(m->ts_ns), m->src.port != KR_W_RTR_PORT, e->arg);
}

static void on_err(const struct kr_serr *e, void *arg)
{
	(void)e;
	(void)arg; /* the capture is still being written: its tail may be partial */
}

int kr_w_wire_each(struct kr_world *w, kr_w_wire_fn fn, void *arg)
{
	const char *path = NULL;
	for (size_t i = 0; w->caps && i < kr_capset_count(w->caps) && !path; i++) {
		const char *p = kr_capture_path(kr_capset_get(w->caps, i));
		size_t l = strlen(p);
		if (l > 9 && !strcmp(p + l - 9, "-rtr.pcap"))
			path = p;
	}
	if (!path)
		return kr_error(w->ctx, "no capture of the SUT's RTR link");
	struct kr_reasm_cfg cfg = { .rtr_ports = { KR_W_RTR_PORT } };
	struct kr_err err = { 0 };
	struct each e = { fn, arg };
	kr_pcap_messages(path, &cfg, on_msg, on_err, &e, &err);
	return 0;
}

int kr_w_wire_scan(struct kr_world *w, const struct kr_rtr_set *target, struct kr_wire_sync *out)
{
	struct scan *s = calloc(1, sizeof *s);
	if (!s)
		return kr_error(w->ctx, "out of memory");
	memset(out, 0, sizeof *out);
	s->target = target;
	s->out = out;
	s->reset_next = true;
	int rc = kr_w_wire_each(w, sync_pdu, s);
	out->synced = s->eq;
	free(s);
	return rc;
}

/* ---- the SUT's RTR client, from the wire (the pipeline's answer to what
 * the built-in cache's transcript says; world_rtr.c) ---------------------- */

static void count_version(const struct kr_rtr_pdu *p, int64_t t, bool from_sut, void *arg)
{
	(void)t;
	unsigned *out = arg;
	if (from_sut)
		out[p->version < 2 ? p->version : 2]++;
}

int kr_w_wire_versions(struct kr_world *w, unsigned out[3])
{
	out[0] = out[1] = out[2] = 0;
	return kr_w_wire_each(w, count_version, out);
}

struct first {
	bool from_sut;
	int type;
	int64_t since, t;
};

static void first_pdu(const struct kr_rtr_pdu *p, int64_t t, bool from_sut, void *arg)
{
	struct first *f = arg;
	if (!f->t && from_sut == f->from_sut && p->type == f->type && t >= f->since)
		f->t = t;
}

int64_t kr_w_wire_pdu_time(struct kr_world *w, bool from_sut, int type, int64_t since_ns)
{
	struct first f = { from_sut, type, since_ns, 0 };
	return kr_w_wire_each(w, first_pdu, &f) < 0 ? 0 : f.t;
}
