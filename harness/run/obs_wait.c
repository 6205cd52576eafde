/* Observer waits; see obs_wait.h. */
#include "run/obs_wait.h"

#include <stdio.h>
#include <string.h>

struct q {
	struct kr_obs *o;
	const struct kr_prefix *p;
	const struct kr_prefix *ps;
	size_t n;
	const uint8_t *ski;
	bool need_valid;
	int64_t since;
	size_t done;      /* all_signed: how many satisfied at the last check */
	int64_t t_last;   /* newest satisfying event */
};

static const struct kr_obs_ev *last_ev(const struct kr_obs_route *r, uint8_t kind)
{
	for (size_t i = r->nhist; i-- > 0;)
		if (r->hist[i].kind == kind)
			return &r->hist[i];
	return NULL;
}

static bool route_signed_ok(struct q *q, const struct kr_obs_route *r)
{
	if (!r || !r->present || !r->is_signed)
		return false;
	const struct kr_obs_ev *e = last_ev(r, KR_OBS_ANNOUNCE);
	if (!e || e->t < q->since)
		return false;
	if (q->ski && !kr_obs_signed_by(q->o, r, q->ski))
		return false;
	if (q->need_valid && r->verdict != KR_VALID)
		return false;
	if (e->t > q->t_last)
		q->t_last = e->t;
	return true;
}

static bool p_signed(void *arg)
{
	struct q *q = arg;
	return route_signed_ok(q, kr_obs_find(q->o, q->p));
}

static bool p_announced(void *arg)
{
	struct q *q = arg;
	const struct kr_obs_route *r = kr_obs_find(q->o, q->p);
	if (!r || !r->present)
		return false;
	const struct kr_obs_ev *e = last_ev(r, KR_OBS_ANNOUNCE);
	if (!e || e->t < q->since)
		return false;
	q->t_last = e->t;
	return true;
}

static bool p_withdrawn(void *arg)
{
	struct q *q = arg;
	const struct kr_obs_route *r = kr_obs_find(q->o, q->p);
	if (!r || r->present)
		return false;
	const struct kr_obs_ev *e = last_ev(r, KR_OBS_WITHDRAW);
	if (!e || e->t < q->since)
		return false;
	q->t_last = e->t;
	return true;
}

static bool p_all(void *arg)
{
	struct q *q = arg;
	/* Resume where the last check stopped: satisfied routes stay so
	 * (a later event only moves them forward in time). */
	while (q->done < q->n && route_signed_ok(q, kr_obs_find(q->o, &q->ps[q->done])))
		q->done++;
	return q->done == q->n;
}

static void rel(char *out, size_t sz, int64_t t, int64_t since)
{
	snprintf(out, sz, "+%.3f s", kr_ns_to_s(t - since));
}

static void ski_hex(const uint8_t *ski, char *out, size_t sz)
{
	if (!ski) {
		snprintf(out, sz, "any key");
		return;
	}
	char h[41];
	kr_hex_encode(h, sizeof h, ski, KR_SKI_LEN);
	snprintf(out, sz, "SKI %.8s..", h);
}

static void describe_now(struct kr_obs *o, const struct kr_prefix *p, char *out, size_t sz)
{
	const struct kr_obs_route *r = kr_obs_find(o, p);
	char pf[64];
	kr_prefix_format(p, pf, sizeof pf);
	if (!r) {
		snprintf(out, sz, "%s never seen on %s", pf, kr_obs_name(o));
		return;
	}
	kr_obs_format_route(o, r, out, sz);
}

static int finish(int rc, struct kr_expect *x, struct q *q, int64_t deadline)
{
	x->ok = rc == 1;
	x->t_done = rc == 1 ? q->t_last : deadline;
	if (rc == 1)
		rel(x->when, sizeof x->when, q->t_last, q->since);
	else
		snprintf(x->when, sizeof x->when, "deadline at +%.3f s", kr_ns_to_s(deadline - q->since));
	return rc < 0 ? 0 : rc;
}

int kr_wait_signed(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p,
		   const uint8_t *ski, bool need_valid, int64_t since, int64_t deadline,
		   struct kr_expect *x)
{
	struct q q = { .o = o, .p = p, .ski = ski, .need_valid = need_valid, .since = since };
	char pf[64], sk[48];
	kr_prefix_format(p, pf, sizeof pf);
	ski_hex(ski, sk, sizeof sk);
	snprintf(x->expected, sizeof x->expected, "%s on %s signed by %s%s within %.2f s", pf,
		 kr_obs_name(o), sk, need_valid ? " and Valid" : "", kr_ns_to_s(deadline - since));
	int rc = kr_loop_run_until(l, p_signed, &q, deadline);
	describe_now(o, p, x->observed, sizeof x->observed);
	return finish(rc, x, &q, deadline);
}

int kr_wait_announced(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p, int64_t since,
		      int64_t deadline, struct kr_expect *x)
{
	struct q q = { .o = o, .p = p, .since = since };
	char pf[64];
	kr_prefix_format(p, pf, sizeof pf);
	snprintf(x->expected, sizeof x->expected, "announcement of %s on %s within %.2f s", pf,
		 kr_obs_name(o), kr_ns_to_s(deadline - since));
	int rc = kr_loop_run_until(l, p_announced, &q, deadline);
	describe_now(o, p, x->observed, sizeof x->observed);
	return finish(rc, x, &q, deadline);
}

int kr_wait_withdrawn(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p, int64_t since,
		      int64_t deadline, struct kr_expect *x)
{
	struct q q = { .o = o, .p = p, .since = since };
	char pf[64];
	kr_prefix_format(p, pf, sizeof pf);
	snprintf(x->expected, sizeof x->expected, "withdrawal of %s on %s within %.2f s", pf,
		 kr_obs_name(o), kr_ns_to_s(deadline - since));
	int rc = kr_loop_run_until(l, p_withdrawn, &q, deadline);
	char now[400];
	describe_now(o, p, now, sizeof now);
	snprintf(x->observed, sizeof x->observed, "%s%s", rc == 1 ? "" : "still: ", now);
	return finish(rc, x, &q, deadline);
}

int kr_wait_all_signed(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *ps, size_t n,
		       const uint8_t *ski, int64_t since, int64_t deadline, struct kr_expect *x)
{
	struct q q = { .o = o, .ps = ps, .n = n, .ski = ski, .since = since };
	char sk[48];
	ski_hex(ski, sk, sizeof sk);
	snprintf(x->expected, sizeof x->expected, "all %zu routes re-advertised on %s signed by %s within %.2f s",
		 n, kr_obs_name(o), sk, kr_ns_to_s(deadline - since));
	int rc = kr_loop_run_until(l, p_all, &q, deadline);
	if (rc == 1) {
		snprintf(x->observed, sizeof x->observed, "all %zu re-advertised (last at %+.3f s)", n,
			 kr_ns_to_s(q.t_last - since));
	} else {
		size_t ok = 0;
		char first[400] = "";
		for (size_t i = 0; i < n; i++) {
			struct q one = q;
			if (route_signed_ok(&one, kr_obs_find(o, &ps[i])))
				ok++;
			else if (!first[0])
				describe_now(o, &ps[i], first, sizeof first);
		}
		snprintf(x->observed, sizeof x->observed, "%zu of %zu; first missing: %s", ok, n, first);
	}
	return finish(rc, x, &q, deadline);
}

int kr_wait_never_before(struct kr_loop *l, struct kr_obs *o, const struct kr_prefix *p,
			 const uint8_t *ski, const struct kr_prefix *sentinel, int64_t since,
			 int64_t deadline, struct kr_expect *x)
{
	struct q q = { .o = o, .p = sentinel, .since = since };
	char pf[64], sf[64], sk[48];
	kr_prefix_format(p, pf, sizeof pf);
	kr_prefix_format(sentinel, sf, sizeof sf);
	ski_hex(ski, sk, sizeof sk);
	snprintf(x->expected, sizeof x->expected, "no announcement of %s%s%s on %s before sentinel %s",
		 pf, ski ? " signed by " : "", ski ? sk : "", kr_obs_name(o), sf);
	int rc = kr_loop_run_until(l, p_announced, &q, deadline);
	if (rc != 1) {
		x->ok = false;
		x->t_done = deadline;
		snprintf(x->observed, sizeof x->observed,
			 "sentinel %s never arrived: absence cannot be judged", sf);
		snprintf(x->when, sizeof x->when, "deadline at +%.3f s", kr_ns_to_s(deadline - since));
		return -1;
	}
	int64_t ts = q.t_last;
	const struct kr_obs_route *r = kr_obs_find(o, p);
	uint32_t id = ski ? kr_obs_ski_id(o, ski) : 0;
	for (size_t i = 0; r && i < r->nhist; i++) {
		const struct kr_obs_ev *e = &r->hist[i];
		if (e->kind != KR_OBS_ANNOUNCE || e->t < since || e->t > ts)
			continue;
		if (ski && e->ski_id != id)
			continue;
		x->ok = false;
		x->t_done = e->t;
		char now[400];
		describe_now(o, p, now, sizeof now);
		snprintf(x->observed, sizeof x->observed, "announced at %+.3f s (%s), sentinel at %+.3f s",
			 kr_ns_to_s(e->t - since), now, kr_ns_to_s(ts - since));
		rel(x->when, sizeof x->when, e->t, since);
		return 0;
	}
	x->ok = true;
	x->t_done = ts;
	snprintf(x->observed, sizeof x->observed, "none; sentinel %s arrived at %+.3f s", sf,
		 kr_ns_to_s(ts - since));
	rel(x->when, sizeof x->when, ts, since);
	return 1;
}
