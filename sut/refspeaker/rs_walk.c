/* RIB walks a slice at a time (rs_speaker.h): a twilight over a full
 * table, a dump to a new session or a re-validation after a key change
 * would otherwise hold the event loop for minutes, and with it keepalives
 * and every other peer. A walk advances while the job window has room and
 * its peer's send queue is below the high watermark; it resumes when jobs
 * complete (rs_on_progress) or the queue drains (on_writable). */
#include <stdlib.h>

#include "rs_speaker.h"

#define SLICE 4096 /* destinations per turn before the loop runs again */

static void on_pump_timer(struct kr_loop *l, void *arg)
{
	struct rs_speaker *sp = arg;
	sp->pump_timer = 0;
	rs_walks_pump(sp);
}

static void finish(struct rs_speaker *sp, struct rs_walk *w)
{
	switch (w->kind) {
	case RS_WALK_DUMP:
		if (w->eor && w->q->up) {
			for (uint16_t afi = 1; afi <= 2; afi++) {
				uint8_t m[64];
				size_t len;
				if ((w->q->neg.mp[afi] || (afi == KR_AFI_IPV4 && !w->q->peer_mp_any)) &&
				    w->q->cfg->family[afi] && kr_update_build_eor(afi, m, sizeof m, &len) == 0)
					rs_send_ordered(sp, w->q, m, len);
			}
		}
		break;
	case RS_WALK_TWILIGHT:
		rs_twilight_finish(sp, w);
		break;
	case RS_WALK_REVAL:
		rs_reval_finish(sp, w);
		break;
	}
}

/* Advance w; true when it is finished. */
static bool advance(struct rs_speaker *sp, struct rs_walk *w, size_t *budget)
{
	while (w->pos < w->end) {
		if (!*budget || rs_work_busy(sp->work))
			return false;
		if (w->q && (!w->q->up || !kr_bgp_can_send(w->q->s)))
			return !w->q->up; /* a walk towards a peer that went down ends */
		struct rs_dest *d = rs_rib_slot(sp->rib, w->pos++);
		(*budget)--;
		if (!d)
			continue;
		switch (w->kind) {
		case RS_WALK_DUMP:
			rs_export(sp, d, w->q, w->force);
			break;
		case RS_WALK_TWILIGHT:
			rs_twilight_step(sp, w, d);
			break;
		case RS_WALK_REVAL:
			rs_reval_step(sp, w, d);
			break;
		}
	}
	return true;
}

void rs_walks_pump(struct rs_speaker *sp)
{
	size_t budget = SLICE;
	for (struct rs_walk **pw = &sp->walks; *pw;) {
		struct rs_walk *w = *pw;
		if (!advance(sp, w, &budget)) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		if (w->pos >= w->end)
			finish(sp, w);
		rs_rib_unpin(sp->rib);
		free(w);
	}
	/* out of budget with room left: yield to the loop, then go on */
	if (!budget && sp->walks && !rs_work_busy(sp->work) && !sp->pump_timer)
		sp->pump_timer = kr_loop_timer(sp->loop, 0, on_pump_timer, sp);
}

void rs_walk_start(struct rs_speaker *sp, struct rs_walk *w)
{
	w->pos = 0;
	w->end = rs_rib_slots(sp->rib); /* what is added later is exported as it comes */
	rs_rib_pin(sp->rib);
	struct rs_walk **pw = &sp->walks;
	while (*pw)
		pw = &(*pw)->next;
	w->next = NULL;
	*pw = w;
	rs_walks_pump(sp);
}

void rs_walks_cancel(struct rs_speaker *sp, struct rs_peer *q)
{
	for (struct rs_walk **pw = &sp->walks; *pw;) {
		struct rs_walk *w = *pw;
		if (w->q != q) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		rs_rib_unpin(sp->rib);
		free(w);
	}
}

void rs_walks_free(struct rs_speaker *sp)
{
	while (sp->walks) {
		struct rs_walk *w = sp->walks;
		sp->walks = w->next;
		free(w);
	}
	if (sp->pump_timer)
		kr_loop_cancel(sp->loop, sp->pump_timer);
	sp->pump_timer = 0;
}

void rs_on_progress(void *arg)
{
	struct rs_speaker *sp = arg;
	/* resume reading once half the window is free */
	if (sp->reading_paused && rs_work_pending(sp->work) < 4096) {
		sp->reading_paused = false;
		for (size_t i = 0; i < sp->cfg.npeers; i++)
			if (sp->peers[i].s)
				kr_bgp_session_pause_read(sp->peers[i].s, false);
	}
	rs_walks_pump(sp);
}
