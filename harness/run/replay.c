/* Replay from pcap; see replay.h. */
#include "run/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_read.h"

void kr_replay_sel_init(struct kr_replay_sel *s)
{
	memset(s, 0, sizeof *s);
	s->first = s->last = -1;
	s->t_from = s->t_to = -1;
	s->conn = s->dir = -1;
}

void kr_replay_set_init(struct kr_replay_set *s) { memset(s, 0, sizeof *s); }

void kr_replay_set_free(struct kr_replay_set *s)
{
	kr_bytes_free(&s->data);
	free(s->m);
	free(s->u);
	memset(s, 0, sizeof *s);
}

static bool has_prefix(const struct kr_update *u, const struct kr_prefix *want, bool withdrawals)
{
	struct kr_nlri_iter it;
	struct kr_prefix p;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->nlri, u->nlri_len);
	while (kr_nlri_next(&it, &p))
		if (kr_prefix_eq(&p, want))
			return true;
	if (u->i_mp_reach >= 0) {
		kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
		while (kr_nlri_next(&it, &p))
			if (kr_prefix_eq(&p, want))
				return true;
	}
	if (!withdrawals)
		return false;
	kr_nlri_iter_init(&it, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	while (kr_nlri_next(&it, &p))
		if (kr_prefix_eq(&p, want))
			return true;
	if (u->i_mp_unreach >= 0) {
		kr_nlri_iter_init(&it, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
		while (kr_nlri_next(&it, &p))
			if (kr_prefix_eq(&p, want))
				return true;
	}
	return false;
}

int kr_replay_add(struct kr_replay_set *s, const struct kr_replay_sel *sel, const struct kr_smsg *m)
{
	if (!s->have_t0) {
		s->t0 = m->ts_ns;
		s->have_t0 = true;
	}
	if (m->proto != KR_SP_BGP || m->len < KR_BGP_HDR_LEN || m->msg[18] != KR_BGP_UPDATE)
		return 0;
	if ((sel->conn >= 0 && (unsigned)sel->conn != m->conn) || (sel->dir >= 0 && (unsigned)sel->dir != m->dir))
		return 0;
	double t = kr_ns_to_s(m->ts_ns - s->t0);
	if ((sel->t_from >= 0 && t < sel->t_from) || (sel->t_to >= 0 && t > sel->t_to))
		return 0;
	if (sel->prefix || sel->bgpsec_only) {
		if (!s->u && !(s->u = malloc(sizeof *s->u)))
			return -1;
		struct kr_err e;
		if (kr_update_decode(s->u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) < 0)
			return 0;
		if (sel->bgpsec_only && s->u->i_bgpsec < 0)
			return 0;
		if (sel->prefix && !has_prefix(s->u, sel->prefix, sel->with_withdrawals))
			return 0;
	}
	size_t idx = s->matched++;
	if ((sel->first >= 0 && (long)idx < sel->first) || (sel->last >= 0 && (long)idx > sel->last))
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		struct kr_replay_msg *nm = realloc(s->m, nc * sizeof *nm);
		if (!nm)
			return -1;
		s->m = nm;
		s->cap = nc;
	}
	size_t off = s->data.len;
	if (kr_bytes_append(&s->data, m->msg, m->len) < 0)
		return -1;
	s->m[s->n++] = (struct kr_replay_msg){ m->ts_ns, m->pkt_no, m->conn, m->dir, idx, off, m->len };
	return 1;
}

struct load {
	struct kr_replay_set *s;
	const struct kr_replay_sel *sel;
	bool nomem;
};

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct load *ld = arg;
	if (kr_replay_add(ld->s, ld->sel, m) < 0)
		ld->nomem = true;
}

static void on_err(const struct kr_serr *e, void *arg) { (void)e; (void)arg; }

int kr_replay_load(const char *pcap, const struct kr_replay_sel *sel, struct kr_replay_set *s,
		   struct kr_err *err)
{
	struct load ld = { s, sel, false };
	struct kr_reasm_cfg rc = { 0 };
	if (kr_pcap_messages(pcap, &rc, on_msg, on_err, &ld, err) < 0)
		return -1;
	if (ld.nomem) {
		kr_err_set(err, ENOMEM, 0, "%s: out of memory", pcap);
		return -1;
	}
	return 0;
}

int kr_replay_send(struct kr_speaker *sp, const struct kr_replay_set *s, int64_t deadline_ns)
{
	if (!s->n)
		return 0;
	size_t *lens = malloc(s->n * sizeof *lens);
	if (!lens)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		lens[i] = s->m[i].len;
	/* messages are stored back to back in capture order */
	int rc = kr_speaker_send_batch(sp, s->data.p, lens, s->n, deadline_ns);
	free(lens);
	return rc;
}
