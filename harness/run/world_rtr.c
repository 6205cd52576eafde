/* RTR cache timers and outages during a case (RFC 8210 §6): the intervals
 * the cache advertises in End of Data, and a cache the SUT can no longer
 * reach (world.h). */
#include <string.h>

#include "net/evloop.h"
#include "run/world_int.h"

/* Nominal seconds under --time-scale, in whole seconds (the PDU field),
 * at least the profile's floor and 1. */
static unsigned scaled_s(struct kr_world *w, double nominal, const char *floor_cap)
{
	int64_t ns = kr_scaled_ns(w->ctx, nominal);
	int64_t s = (ns + 999999999) / 1000000000; /* rounded up */
	long fl = kr_sut_cap_int(w->prof, floor_cap, 1);
	if (s < fl)
		s = fl;
	if (s < 1)
		s = 1;
	return s > 172800 ? 172800 : (unsigned)s; /* RFC 8210 §6 maximum Expire */
}

struct eod_wait {
	struct kr_rtr_cache *c;
	size_t before;
};

static bool eod_since(void *arg)
{
	struct eod_wait *e = arg;
	return kr_rtr_transcript_count_pdus(e->c, KR_RTR_OUT, KR_RTR_END_OF_DATA, 0) > e->before;
}

int kr_w_rtr_timers(struct kr_world *w, double refresh, double retry, double expire,
		    unsigned min_expire, struct kr_rtr_timers *out)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "short RTR timers");
	struct kr_rtr_timers t = {
		.refresh = scaled_s(w, refresh, "rtr_refresh_min_s"),
		.retry = scaled_s(w, retry, "rtr_retry_min_s"),
		.expire = scaled_s(w, expire, "rtr_expire_min_s"),
	};
	/* RFC 8210 §6: Expire larger than both Refresh and Retry */
	if (t.expire <= t.refresh)
		t.expire = t.refresh + 1;
	if (t.expire <= t.retry)
		t.expire = t.retry + 1;
	if (t.expire < min_expire)
		t.expire = min_expire;
	kr_rtr_set_timers(w->rtr, t.refresh, t.retry, t.expire);
	w->rtr_retry_s = t.retry;
	kr_log(w->ctx, "RTR: the cache advertises Refresh %u s, Retry %u s, Expire %u s", t.refresh,
	       t.retry, t.expire);
	/* The timers travel in End of Data: make the SUT ask now. */
	struct eod_wait e = { w->rtr,
			      kr_rtr_transcript_count_pdus(w->rtr, KR_RTR_OUT, KR_RTR_END_OF_DATA, 0) };
	kr_rtr_notify_now(w->rtr);
	int rc = kr_w_run_until(w, eod_since, &e, kr_w_deadline(w, KR_W_RTR));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		kr_expect(w->ctx, "the SUT queries the RTR cache within %.2f s of a Serial Notify",
			  kr_w_deadline_s(w, KR_W_RTR));
		return kr_fail_pre(w->ctx, "no query");
	}
	if (out)
		*out = t;
	return 0;
}

int kr_w_rtr_unreachable(struct kr_world *w, int64_t *last_eod_ns)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "stop answering");
	kr_rtr_stop_answering(w->rtr, true);
	if (w->run)
		w->run->rtr_cut = true; /* the next case starts with a fresh connection */
	int64_t last = 0;
	for (size_t i = kr_rtr_transcript_count(w->rtr); i-- > 0;) {
		struct kr_rtr_tx t;
		if (kr_rtr_transcript_get(w->rtr, i, &t) && t.dir == KR_RTR_OUT &&
		    t.type == KR_RTR_END_OF_DATA) {
			last = t.t_ns;
			break;
		}
	}
	if (!last)
		return kr_error(w->ctx, "the RTR cache never sent End of Data");
	kr_log(w->ctx, "RTR: the cache stops answering (last End of Data %.3f s ago)",
	       kr_ns_to_s(kr_now_ns() - last));
	*last_eod_ns = last;
	return 0;
}

unsigned kr_w_stayrtr_rtr_refresh(const struct kr_world *w)
{
	/* Short, so a missed Serial Notify costs little; never below what the
	 * SUT honours. */
	long fl = kr_sut_cap_int(w->prof, "rtr_refresh_min_s", 1);
	return fl > 2 ? (unsigned)fl : 2;
}

/* ---- the SUT's RTR client (transcript of the built-in cache) ------------- */

int kr_w_rtr_versions(struct kr_world *w, unsigned out[3])
{
	if (w->pipe)
		return kr_w_wire_versions(w, out);
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "RTR transcript");
	out[0] = out[1] = out[2] = 0;
	for (size_t i = 0; i < kr_rtr_transcript_count(w->rtr); i++) {
		struct kr_rtr_tx t;
		if (!kr_rtr_transcript_get(w->rtr, i, &t) || t.dir != KR_RTR_IN || !t.len)
			continue;
		out[t.data[0] < 2 ? t.data[0] : 2]++;
	}
	return 0;
}

int64_t kr_w_rtr_pdu_time(struct kr_world *w, bool from_sut, int type, int64_t since_ns)
{
	if (w->pipe)
		return kr_w_wire_pdu_time(w, from_sut, type, since_ns);
	if (w->srtr)
		return 0;
	char dir = from_sut ? KR_RTR_IN : KR_RTR_OUT;
	for (size_t i = 0; i < kr_rtr_transcript_count(w->rtr); i++) {
		struct kr_rtr_tx t;
		if (kr_rtr_transcript_get(w->rtr, i, &t) && t.dir == dir && t.type == type &&
		    t.t_ns >= since_ns)
			return t.t_ns;
	}
	return 0;
}

struct pdu_wait {
	struct kr_world *w;
	int type;
	int64_t since;
};

static bool pdu_out_since(void *arg)
{
	struct pdu_wait *p = arg;
	return kr_w_rtr_pdu_time(p->w, false, p->type, p->since) != 0;
}

int kr_w_rtr_error_report(struct kr_world *w, uint16_t code, int64_t *t_sent)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "Error Report");
	struct pdu_wait p = { w, KR_RTR_ERROR_REPORT, kr_now_ns() };
	kr_rtr_error_next_query(w->rtr, code, "keyroll: error report asked by the case");
	kr_rtr_notify_now(w->rtr);
	int rc = kr_w_run_until(w, pdu_out_since, &p, kr_w_deadline(w, KR_W_RTR));
	if (rc < 0)
		return -1;
	if (rc == 0)
		return kr_error(w->ctx, "the SUT sent no query within %.2f s of a Serial Notify, so the "
				       "Error Report could not be sent", kr_w_deadline_s(w, KR_W_RTR));
	*t_sent = kr_w_rtr_pdu_time(w, false, KR_RTR_ERROR_REPORT, p.since);
	kr_log(w->ctx, "RTR: the cache answered the SUT's query with Error Report %u (%s)", code,
	       kr_rtr_ecode_name(code));
	return 0;
}

int kr_w_rtr_defer(struct kr_world *w, bool on)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "deferred answers");
	kr_log(w->ctx, on ? "RTR: the cache defers its answers" : "RTR: the cache answers what waited");
	w->rtr_deferred = on;
	kr_rtr_defer_answers(w->rtr, on);
	return 0;
}

/* Lowest id of a client that connected at or after t (0: none). */
static unsigned first_client_since(struct kr_rtr_cache *c, int64_t t)
{
	unsigned id = 0;
	for (size_t i = kr_rtr_transcript_count(c); i-- > 0;) {
		struct kr_rtr_tx x;
		if (!kr_rtr_transcript_get(c, i, &x))
			continue;
		if (x.t_ns < t)
			break;
		if (x.dir == KR_RTR_EVENT && x.len >= 9 && !memcmp(x.data, "connected", 9))
			id = x.client;
	}
	return id;
}

struct reconn {
	struct kr_rtr_cache *c;
	int64_t t;
};

static bool reconnected(void *arg)
{
	struct reconn *r = arg;
	unsigned floor = first_client_since(r->c, r->t);
	if (!floor)
		return false;
	struct kr_rtr_client_info ci;
	for (size_t i = 0; kr_rtr_client_get(r->c, i, &ci); i++)
		if (ci.id >= floor && ci.synced)
			return true;
	return false;
}

int kr_w_rtr_wait_reconnected(struct kr_world *w, int64_t t_ns)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, "RTR reconnection");
	struct reconn r = { w->rtr, t_ns };
	int64_t dl = kr_w_deadline(w, KR_W_RTR) + (int64_t)w->rtr_retry_s * 1000000000LL;
	int rc = kr_w_run_until(w, reconnected, &r, dl);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	kr_log(w->ctx, "RTR: the SUT reconnected and synchronised %.3f s after the mark",
	       kr_ns_to_s(kr_now_ns() - t_ns));
	/* ... and has applied what the new session brought */
	return kr_w_rtr_barrier(w) < 0 ? -1 : 1;
}
