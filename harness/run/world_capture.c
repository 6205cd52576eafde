/* Packet capture on every SUT-facing link, started before the SUT and
 * stopped (drained, flushed) at teardown; the pcaps are case evidence. */
#include "run/world_int.h"

#include <stdlib.h>
#include <string.h>

#include "net/capture.h"
#include "net/evloop.h"
#include "net/pcap_read.h"

int kr_w_capture_start(struct kr_world *w)
{
	struct kr_err err = { 0 };
	w->caps = kr_capture_sut_links(w->net, w->ctx->dir, &err);
	if (!w->caps)
		return kr_error(w->ctx, "capture: %s", err.msg);
	return 0;
}

void kr_w_capture_stop(struct kr_world *w)
{
	if (!w->caps)
		return;
	size_t n = kr_capset_count(w->caps), nl = 0;
	const char **paths = calloc(n ? n : 1, sizeof *paths);
	kr_capset_stop(w->caps); /* drained and flushed: complete files */
	bool whole = true;
	for (size_t i = 0; i < n; i++) {
		const struct kr_capture *c = kr_capset_get(w->caps, i);
		const char *p = kr_capture_path(c);
		kr_artifact(w->ctx, p);
		/* a gap in the evidence is the harness's: the lint would read
		 * it as the SUT's stream breaking off */
		if (kr_capture_error(c) || kr_capture_drops(c)) {
			kr_log(w->ctx, "capture %s incomplete (%s; %llu packets dropped by the kernel): the wire lint is "
				       "not run", p, kr_capture_error(c) ? kr_capture_error(c) : "written whole",
			       (unsigned long long)kr_capture_drops(c));
			whole = false;
		}
		/* the per-link captures; a device's whole-wire capture
		 * (wire-IF.pcap) holds the same messages again */
		const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		if (paths && !strncmp(base, "sut-", 4))
			paths[nl++] = p;
	}
	if (paths && whole)
		kr_w_lint(w, paths, nl);
	free(paths);
	kr_capset_free(w->caps);
	w->caps = NULL;
}

struct find_arg {
	uint32_t asn;
	struct kr_prefix pfx;
	struct kr_update *u;
	struct kr_bytes *out;
	bool found;
};

static bool announces(const struct kr_update *u, const struct kr_prefix *p)
{
	if (u->i_mp_reach < 0)
		return false;
	struct kr_nlri_iter it;
	struct kr_prefix q;
	kr_nlri_iter_init(&it, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
	while (kr_nlri_next(&it, &q))
		if (kr_prefix_eq(&q, p))
			return true;
	return false;
}

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct find_arg *a = arg;
	struct kr_err err = { 0 };
	if (a->found || m->proto != KR_SP_BGP || m->len < KR_BGP_HDR_LEN || m->msg[18] != KR_BGP_UPDATE)
		return;
	if (kr_update_decode(a->u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &err) < 0)
		return;
	/* Sent by the injector: its AS signed the newest segment. */
	if (a->u->i_bgpsec < 0 || a->u->bgpsec_malformed || a->u->bgpsec.nhops == 0 ||
	    a->u->bgpsec.sp[0].asn != a->asn || !announces(a->u, &a->pfx))
		return;
	if (kr_bytes_append(a->out, m->msg, m->len) == 0)
		a->found = true;
}

static void on_err(const struct kr_serr *e, void *arg)
{
	(void)e;
	(void)arg; /* the capture is still being written: its tail may be partial */
}

int kr_w_captured_update(struct kr_world *w, enum kr_peer up, const char *prefix, struct kr_bytes *out)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/sut-%s.pcap", w->ctx->dir, kr_peer_name(up));
	struct find_arg a = { .asn = kr_peer_asn(up), .out = out };
	if (kr_prefix_parse(&a.pfx, prefix) < 0)
		return kr_error(w->ctx, "bad prefix '%s'", prefix);
	a.u = malloc(sizeof(*a.u));
	if (!a.u)
		return kr_error(w->ctx, "out of memory");
	struct kr_reasm_cfg cfg = { 0 };
	struct kr_err err = { 0 };
	int rc;
	/* The capture thread writes what the kernel hands it in batches: the
	 * packet can trail the route it carried by a moment. */
	int64_t deadline = kr_now_ns() + 2000000000LL;
	for (;;) {
		out->len = 0;
		rc = kr_pcap_messages(path, &cfg, on_msg, on_err, &a, &err);
		if (a.found || kr_now_ns() > deadline)
			break;
		kr_loop_run_until(w->ctx->loop, NULL, NULL, kr_now_ns() + 20000000);
	}
	free(a.u);
	if (!a.found)
		return kr_error(w->ctx, "no UPDATE for %s from %s in %s%s%s", prefix, kr_peer_name(up), path,
				rc < 0 ? ": " : "", rc < 0 ? err.msg : "");
	kr_log(w->ctx, "took the first UPDATE for %s from %s out of %s (%zu octets)", prefix,
	       kr_peer_name(up), path, out->len);
	return 0;
}

/* ---- Router Key PDUs in the capture of the rtr link -------------------------- */

struct pdu_arg {
	const uint8_t *ski;
	uint32_t asn;
	bool announce;
	int64_t after;
	int64_t t;
};

static void on_rtr(const struct kr_smsg *m, void *arg)
{
	struct pdu_arg *a = arg;
	/* RFC 8210 §5.10: version, type 9, flags (bit 0: announce), zero,
	 * length, SKI, ASN, SPKI */
	if (a->t || m->proto != KR_SP_RTR || m->len < 32 || m->msg[1] != 9)
		return;
	uint32_t asn = (uint32_t)m->msg[28] << 24 | (uint32_t)m->msg[29] << 16 | (uint32_t)m->msg[30] << 8 |
		       m->msg[31];
	if (((m->msg[2] & 1) != 0) != a->announce || asn != a->asn || memcmp(m->msg + 8, a->ski, KR_SKI_LEN))
		return;
	int64_t t = kr_wall_to_mono_ns(m->ts_ns);
	if (t >= a->after)
		a->t = t;
}

int kr_w_rtr_key_pdu_time(struct kr_world *w, const struct kr_wkey *k, bool announce, int64_t after, int64_t *t_ns)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/sut-rtr.pcap", w->ctx->dir);
	struct pdu_arg a = { k->k.ski, k->k.asn, announce, after, 0 };
	struct kr_reasm_cfg cfg = { .rtr_ports = { KR_W_RTR_PORT } };
	struct kr_err err = { 0 };
	/* the capture thread writes a moment after the kernel saw it */
	int64_t deadline = kr_now_ns() + 2000000000LL;
	while (!a.t && kr_now_ns() < deadline) {
		kr_pcap_messages(path, &cfg, on_rtr, on_err, &a, &err);
		if (!a.t)
			kr_loop_run_until(w->ctx->loop, NULL, NULL, kr_now_ns() + 20000000);
	}
	if (!a.t)
		return kr_error(w->ctx, "no Router Key PDU %s %s in %s", announce ? "announcing" : "withdrawing",
				k->name, path);
	*t_ns = a.t;
	return 0;
}
