/* StayRTR mode; see stayrtr.h. */
#include "rpki/stayrtr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/proc.h"
#include "rpki/rtr_json.h"

struct kr_stayrtr {
	struct kr_proc *proc;
	struct kr_rtr_set set;
	char json[512], log[512];
	bool external; /* json belongs to another program */
};

static int publish(struct kr_stayrtr *s, struct kr_err *err)
{
	if (s->external) {
		kr_err_set(err, EPERM, 0, "StayRTR serves %s, which the harness does not write", s->json);
		return -1;
	}
	return kr_rtr_json_save(s->json, &s->set, err);
}

static int port_of(const char *addr)
{
	const char *c = strrchr(addr, ':');
	long p = c ? strtol(c + 1, NULL, 10) : 0;
	return p > 0 && p < 65536 ? (int)p : -1;
}

static int copy_set(struct kr_rtr_set *dst, const struct kr_rtr_set *src)
{
	for (size_t i = 0; i < src->nvrps; i++)
		if (kr_rtr_set_add_vrp(dst, &src->vrps[i]))
			return -1;
	for (size_t i = 0; i < src->nkeys; i++)
		if (kr_rtr_set_add_key(dst, src->keys[i].asn, src->keys[i].ski, src->keys[i].spki, src->keys[i].spki_len))
			return -1;
	return 0;
}

struct kr_stayrtr *kr_stayrtr_start(const struct kr_stayrtr_opts *o, const struct kr_rtr_set *initial,
				    int64_t deadline_ns, struct kr_err *err)
{
	int port = o->listen ? port_of(o->listen) : -1;
	if (port < 0 || !o->metrics || port_of(o->metrics) < 0 || !o->dir) {
		kr_err_set(err, EINVAL, 0, "StayRTR needs listen ADDR:PORT, metrics ADDR:PORT and a directory");
		return NULL;
	}
	struct kr_stayrtr *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (o->cache_file)
		snprintf(s->json, sizeof s->json, "%s", o->cache_file);
	else
		snprintf(s->json, sizeof s->json, "%s/stayrtr-cache.json", o->dir);
	snprintf(s->log, sizeof s->log, "%s/stayrtr.log", o->dir);
	s->external = o->cache_file != NULL;
	if (!s->external && ((initial && copy_set(&s->set, initial)) || publish(s, err))) {
		if (!err || !err->msg[0])
			kr_err_set(err, ENOMEM, 0, "out of memory");
		kr_stayrtr_stop(s);
		return NULL;
	}
	char refresh[16], rr[16], rt[16], re[16];
	snprintf(refresh, sizeof refresh, "%u", o->refresh ? o->refresh : 1);
	snprintf(rr, sizeof rr, "%u", o->rtr_refresh ? o->rtr_refresh : 10);
	snprintf(rt, sizeof rt, "%u", o->rtr_retry ? o->rtr_retry : 5);
	snprintf(re, sizeof re, "%u", o->rtr_expire ? o->rtr_expire : 600);
	/* -checktime=false: our files carry no signed metadata timestamps. */
	const char *argv[] = { "stayrtr", "-bind", o->listen, "-metrics.addr", o->metrics, "-cache", s->json,
			       "-refresh", refresh, "-rtr.refresh", rr, "-rtr.retry", rt, "-rtr.expire", re,
			       "-checktime=false", "-protocol", "1", NULL };
	struct kr_proc_opts po = { .node = o->node, .argv = argv, .log = s->log };
	s->proc = kr_proc_start(o->net, &po, err);
	if (!s->proc) {
		kr_stayrtr_stop(s);
		return NULL;
	}
	if (kr_proc_wait_port(s->proc, (uint16_t)port, deadline_ns, err) != 1) {
		if (!err || !err->msg[0])
			kr_err_set(err, ETIMEDOUT, 0, "StayRTR did not listen on %s in time (log: %s)", o->listen,
				   s->log);
		kr_stayrtr_stop(s);
		return NULL;
	}
	return s;
}

int kr_stayrtr_announce_key(struct kr_stayrtr *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN],
			    const uint8_t *spki, size_t spki_len, struct kr_err *err)
{
	if (s->external)
		return publish(s, err);
	for (size_t i = 0; i < s->set.nkeys; i++) {
		const struct kr_rtr_rkey *k = &s->set.keys[i];
		if (k->asn == asn && !memcmp(k->ski, ski, KR_RTR_SKI_LEN) && k->spki_len == spki_len &&
		    !memcmp(k->spki, spki, spki_len))
			return 0;
	}
	if (kr_rtr_set_add_key(&s->set, asn, ski, spki, spki_len)) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	return publish(s, err) ? -1 : 1;
}

int kr_stayrtr_withdraw_key(struct kr_stayrtr *s, uint32_t asn, const uint8_t ski[KR_RTR_SKI_LEN], struct kr_err *err)
{
	if (s->external)
		return publish(s, err);
	size_t w = 0, before = s->set.nkeys;
	for (size_t i = 0; i < s->set.nkeys; i++) {
		struct kr_rtr_rkey *k = &s->set.keys[i];
		if (k->asn == asn && !memcmp(k->ski, ski, KR_RTR_SKI_LEN))
			free(k->spki);
		else
			s->set.keys[w++] = *k;
	}
	s->set.nkeys = w;
	if (w == before)
		return 0;
	return publish(s, err) ? -1 : 1;
}

static bool same_vrp(const struct kr_rtr_vrp *a, const struct kr_rtr_vrp *b)
{
	return a->afi == b->afi && a->prefix_len == b->prefix_len && a->max_len == b->max_len && a->asn == b->asn &&
	       !memcmp(a->addr, b->addr, sizeof a->addr);
}

int kr_stayrtr_announce_vrp(struct kr_stayrtr *s, const struct kr_rtr_vrp *v, struct kr_err *err)
{
	if (s->external)
		return publish(s, err);
	for (size_t i = 0; i < s->set.nvrps; i++)
		if (same_vrp(&s->set.vrps[i], v))
			return 0;
	if (kr_rtr_set_add_vrp(&s->set, v)) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	return publish(s, err) ? -1 : 1;
}

int kr_stayrtr_withdraw_vrp(struct kr_stayrtr *s, const struct kr_rtr_vrp *v, struct kr_err *err)
{
	if (s->external)
		return publish(s, err);
	size_t w = 0, before = s->set.nvrps;
	for (size_t i = 0; i < s->set.nvrps; i++)
		if (!same_vrp(&s->set.vrps[i], v))
			s->set.vrps[w++] = s->set.vrps[i];
	s->set.nvrps = w;
	if (w == before)
		return 0;
	return publish(s, err) ? -1 : 1;
}

int kr_stayrtr_replace(struct kr_stayrtr *s, const struct kr_rtr_set *set, struct kr_err *err)
{
	if (s->external)
		return publish(s, err);
	struct kr_rtr_set n = { 0 };
	if (copy_set(&n, set)) {
		kr_rtr_set_free(&n);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	kr_rtr_set_free(&s->set);
	s->set = n;
	return publish(s, err);
}

const char *kr_stayrtr_json_path(const struct kr_stayrtr *s) { return s->json; }
const char *kr_stayrtr_log_path(const struct kr_stayrtr *s) { return s->log; }
struct kr_proc *kr_stayrtr_proc(const struct kr_stayrtr *s) { return s->proc; }

void kr_stayrtr_stop(struct kr_stayrtr *s)
{
	if (!s)
		return;
	if (s->proc) {
		kr_proc_stop(s->proc, 2000000000LL);
		kr_proc_free(s->proc);
	}
	kr_rtr_set_free(&s->set);
	free(s);
}
