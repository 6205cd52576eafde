/* The SUT breaking down during a case (world.h, "the SUT"): its process
 * ending, a BGP session to it dropping without the case asking, or its
 * profile's ready check failing at the end. Whatever the case waited for,
 * the verdict is a FAIL that says so first (struct kr_sut_crash). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/evloop.h"
#include "run/sut_exec.h"
#include "run/world_int.h"

#define TAIL_LINES 8
#define TAIL_LINE_MAX 300
/* How long a dropped session waits for the process end that may have
 * caused it, and a process end for the session drops it causes. */
#define SETTLE_NS 300000000LL

static void on_sut_exit(struct kr_proc *p, void *arg)
{
	struct kr_world *w = arg;
	if (w->health.allow_exit || w->health.exit_ns)
		return;
	w->health.exit_ns = kr_now_ns();
	if (!w->health.broken)
		w->health.broke_in_wait = w->health.in_wait;
	w->health.broken = true;
	kr_loop_stop(w->ctx->loop);
}

int kr_w_health_watch_sut(struct kr_world *w)
{
	w->health.exit_ns = 0;
	if (kr_proc_watch(w->ctx->loop, w->sut, on_sut_exit, w) < 0)
		return kr_error(w->ctx, "cannot watch the SUT's process");
	return 0;
}

void kr_w_health_on_down(struct kr_world *w, enum kr_peer p, const struct kr_bgp_down *why)
{
	struct kr_w_health *h = &w->health;
	if (!h->armed || (h->allow_down & (1u << p)) || why->reason == KR_DOWN_STOPPED ||
	    h->drop_ns[p])
		return;
	h->drop_ns[p] = why->when_ns ? why->when_ns : kr_now_ns();
	snprintf(h->drop_text[p], sizeof(h->drop_text[p]), "%s", why->text);
	if (!h->broken)
		h->broke_in_wait = h->in_wait;
	h->broken = true;
	kr_loop_stop(w->ctx->loop);
}

void kr_w_expect_down(struct kr_world *w, unsigned mask, bool sut_exit)
{
	w->health.allow_down |= mask;
	w->health.allow_exit |= sut_exit;
	kr_log(w->ctx, "the case expects session drops (mask 0x%x)%s", mask,
	       sut_exit ? " and the SUT's process to end" : "");
}

void kr_w_expect_up(struct kr_world *w)
{
	w->health.allow_down = 0;
	w->health.allow_exit = false;
}

/* ---- the record ---------------------------------------------------------- */

static double case_s(const struct kr_world *w, int64_t t)
{
	return kr_ns_to_s(t - w->ctx->r->start_ns);
}

static void tail_of(struct kr_sut_crash *c, const char *dir, const char *name)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return;
	size_t len = 0;
	char *text = kr_read_text_file(path, &len);
	if (!text)
		return;
	/* the last TAIL_LINES non-empty lines */
	const char *starts[TAIL_LINES];
	size_t lens[TAIL_LINES], n = 0;
	size_t end = len;
	while (end > 0 && n < TAIL_LINES) {
		while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r'))
			end--;
		if (end == 0)
			break;
		size_t b = end;
		while (b > 0 && text[b - 1] != '\n')
			b--;
		starts[n] = text + b;
		lens[n] = end - b;
		n++;
		end = b;
	}
	if (n) {
		struct kr_log_tail *t = &c->logs[c->nlogs];
		t->file = strdup(name);
		t->lines = calloc(n, sizeof(char *));
		for (size_t i = 0; t->lines && i < n; i++) {
			size_t k = n - 1 - i, l = lens[k] > TAIL_LINE_MAX ? TAIL_LINE_MAX : lens[k];
			t->lines[i] = strndup(starts[k], l);
		}
		t->nlines = t->lines ? n : 0;
		c->nlogs++;
	}
	free(text);
}

/* The last step the case logged before t (a note, not an expectation or
 * a verdict), and when. */
static void step_before(const struct kr_world *w, int64_t t, struct kr_sut_crash *c)
{
	const struct kr_result *r = w->ctx->r;
	int64_t rel = t - r->start_ns;
	for (size_t i = r->ntl; i-- > 0;) {
		if (r->tl[i].t_ns > rel || r->tl[i].kind != KR_TL_NOTE)
			continue;
		c->after = strdup(r->tl[i].text);
		c->after_s = r->tl[i].t_ns / 1e9;
		return;
	}
}

static void add_drops(struct kr_world *w, struct kr_sut_crash *c)
{
	struct kr_w_health *h = &w->health;
	size_t n = 0;
	for (int p = 0; p < KR_NPEERS; p++)
		n += h->drop_ns[p] != 0;
	if (!n || !(c->drops = calloc(n, sizeof(*c->drops))))
		return;
	for (int p = 0; p < KR_NPEERS; p++)
		if (h->drop_ns[p])
			c->drops[c->ndrops++] = (struct kr_sut_drop){
				strdup(kr_peer_name((enum kr_peer)p)), strdup(h->drop_text[p]),
				case_s(w, h->drop_ns[p]) };
}

static bool all_down(void *arg)
{
	struct kr_world *w = arg;
	for (int p = KR_UP1; p <= KR_DN2; p++)
		if (!w->health.drop_ns[p] && !(w->health.allow_down & (1u << p)))
			return false;
	return true;
}

/* Builds the record from what health saw; `unresponsive` is the failed
 * ready check's text when that is the finding. */
static struct kr_sut_crash *build(struct kr_world *w, int64_t t, const char *unresponsive)
{
	struct kr_sut_crash *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	struct kr_ctx *ctx = w->ctx;
	c->exit_code = -1;
	char status[256] = "", what[512];
	const char *still = "";
	if (w->health.exit_ns) {
		struct kr_proc_status st = kr_proc_status(w->sut);
		kr_proc_status_str(w->sut, status, sizeof(status));
		if (st.state == KR_PROC_SIGNALED) {
			c->kind = strdup("killed");
			c->signal = st.sig;
			const char *ab = sigabbrev_np(st.sig);
			char sn[32];
			snprintf(sn, sizeof(sn), "SIG%s", ab ? ab : "?");
			c->signal_name = strdup(sn);
		} else {
			c->kind = strdup("exited");
			c->exit_code = st.code;
		}
		snprintf(what, sizeof(what), "the SUT was %s", status);
		if (!strncmp(status, "exited", 6))
			snprintf(what, sizeof(what), "the SUT %s", status);
	} else if (unresponsive) {
		c->kind = strdup("unresponsive");
		snprintf(status, sizeof(status), "no answer to its ready check (%s)", unresponsive);
		snprintf(what, sizeof(what), "the SUT no longer answers its ready check (%s)", unresponsive);
		still = "; its process still runs";
	} else {
		c->kind = strdup("session-down");
		snprintf(status, sizeof(status), "session dropped");
		int first = -1;
		for (int p = 0; p < KR_NPEERS; p++)
			if (w->health.drop_ns[p] && (first < 0 || w->health.drop_ns[p] < w->health.drop_ns[first]))
				first = p;
		snprintf(what, sizeof(what), "session %s-sut dropped without the case asking (%s)",
			 first >= 0 ? kr_peer_name(first) : "?", first >= 0 ? w->health.drop_text[first] : "?");
		still = "; the SUT's process still runs";
	}
	c->status = strdup(status);
	c->t_s = case_s(w, t);
	step_before(w, t, c);
	if (ctx->expect && w->health.broke_in_wait)
		c->waiting_for = strdup(ctx->expect);
	add_drops(w, c);
	tail_of(c, ctx->dir, "sut.log");
	tail_of(c, ctx->dir, "sut.out");

	char drops[256] = "";
	size_t off = 0;
	for (size_t i = 0; i < c->ndrops && off < sizeof(drops); i++) {
		int k = snprintf(drops + off, sizeof(drops) - off, "%s%s", i ? ", " : "", c->drops[i].peer);
		off += k > 0 ? (size_t)k : 0;
	}
	const char *dl = c->ndrops && w->health.exit_ns ? "; sessions dropped: " : still;
	const char *dd = c->ndrops && w->health.exit_ns ? drops : "";
	char *sum = NULL;
	int rc = c->after ? asprintf(&sum, "%s at +%.3f s, %.3f s after '%s'%s%s", what, c->t_s,
				     c->t_s - c->after_s, c->after, dl, dd)
			  : asprintf(&sum, "%s at +%.3f s%s%s", what, c->t_s, dl, dd);
	if (rc < 0)
		sum = NULL;
	c->summary = sum;
	return c;
}

static void verdict(struct kr_world *w, int64_t t, const char *unresponsive)
{
	if (w->health.reported)
		return;
	w->health.reported = true;
	kr_result_crash(w->ctx->r, build(w, t, unresponsive));
}

/* After a drop: was it the process ending? After a process end: collect
 * the drops it causes. Both bounded by SETTLE_NS. */
static void settle(struct kr_world *w)
{
	struct kr_w_health *h = &w->health;
	if (!h->exit_ns && !h->allow_exit && w->sut && !kr_w_is_device(w) &&
	    kr_proc_wait_exit(w->sut, kr_now_ns() + SETTLE_NS) == 1)
		h->exit_ns = kr_now_ns();
	if (h->exit_ns && h->armed)
		kr_loop_run_until(w->ctx->loop, all_down, w, kr_now_ns() + SETTLE_NS);
}

static int64_t first_event(const struct kr_world *w)
{
	int64_t t = w->health.exit_ns;
	for (int p = 0; p < KR_NPEERS; p++)
		if (w->health.drop_ns[p] && (!t || w->health.drop_ns[p] < t))
			t = w->health.drop_ns[p];
	return t ? t : kr_now_ns();
}

int kr_w_health_report(struct kr_world *w)
{
	if (!w->health.broken)
		return 0;
	settle(w);
	verdict(w, first_event(w), NULL);
	return -1;
}

int kr_w_run_until(struct kr_world *w, bool (*pred)(void *), void *arg, int64_t deadline)
{
	w->health.in_wait = true;
	int rc = kr_loop_run_until(w->ctx->loop, pred, arg, deadline);
	w->health.in_wait = false;
	if (rc >= 0 && !w->health.broken)
		return rc;
	if (w->health.broken)
		return kr_w_health_report(w);
	return kr_error(w->ctx, "interrupted");
}

int kr_w_sut_ended_at_start(struct kr_world *w)
{
	w->health.exit_ns = kr_now_ns();
	w->health.broken = true;
	return kr_w_health_report(w);
}

void kr_w_health_final(struct kr_world *w)
{
	struct kr_w_health *h = &w->health;
	if (h->reported)
		return;
	if (w->sut && !kr_w_is_device(w) && !h->allow_exit && !h->exit_ns && kr_proc_poll(w->sut)) {
		h->exit_ns = kr_now_ns();
		h->broken = true;
	}
	if (h->broken) {
		kr_w_health_report(w);
		return;
	}
	/* Alive and every session up: does it still answer? Only once the
	 * world was up (start-up has its own checks). */
	const struct kr_sut_profile *p = w->prof;
	if (!h->armed || h->allow_exit || !w->vars || !p->action[KR_SUT_READY] || p->manual[KR_SUT_READY])
		return;
	struct kr_err err = { 0 };
	int64_t deadline = kr_now_ns() + 2000000000LL;
	int ec = kr_sut_run_action(w->net, kr_w_action_node(w), p, KR_SUT_READY, w->vars, NULL, w->ctx->loop,
				   deadline, &err);
	if (ec == 0)
		return;
	char why[300];
	if (ec < 0)
		snprintf(why, sizeof(why), "%s", err.msg);
	else
		snprintf(why, sizeof(why), "ready action exited with code %d", ec);
	if (h->broken) /* it died meanwhile */
		kr_w_health_report(w);
	else
		verdict(w, kr_now_ns(), why);
}
