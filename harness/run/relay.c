/* Forwarding stand-in peer; see relay.h. */
#include "run/relay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct kr_relay {
	struct kr_loop *loop;
	struct kr_relay_cfg cfg;
	struct kr_speaker *sp[KR_RELAY_MAX_PEERS];
	bool leak[KR_RELAY_MAX_PEERS];
	uint64_t forwarded;
	struct kr_update *tmp;
	uint8_t *out;
};

static uint16_t route_afi(const struct kr_update *u)
{
	if (u->i_mp_reach >= 0)
		return u->mp_reach.afi;
	if (u->i_mp_unreach >= 0)
		return u->mp_unreach.afi;
	return KR_AFI_IPV4;
}

/* The UPDATE with its BGPsec_PATH replaced by AS_PATH (RFC 8205 §4.4,
 * then the relay's AS prepended). 0 or -1. */
static int to_plain(struct kr_relay *r, const struct kr_update *u, size_t *len)
{
	uint8_t asp[4096];
	struct kr_wr w = kr_wr_init(asp, sizeof asp);
	kr_wr_u8(&w, 2); /* AS_SEQUENCE holding the relay's AS */
	kr_wr_u8(&w, 1);
	kr_wr_u32(&w, r->cfg.asn);
	if (kr_bgpsec_to_as_path(&u->bgpsec, &w) < 0 || w.bad)
		return -1;
	memcpy(r->tmp, u, sizeof *u);
	struct kr_update *t = r->tmp;
	t->attrs[u->i_bgpsec] = (struct kr_attr){ KR_AF_TRANSITIVE | (w.off > 255 ? KR_AF_EXTLEN : 0),
						  KR_ATTR_AS_PATH, (uint16_t)w.off, asp };
	struct kr_err e;
	return kr_update_encode(t, r->out, KR_BGP_EXT_MAX_LEN, len, &e);
}

static void forward(struct kr_speaker *from, const uint8_t *msg, size_t len, const struct kr_update *u,
		    void *arg)
{
	struct kr_relay *r = arg;
	for (size_t i = 0; i < r->cfg.npeers; i++) {
		struct kr_speaker *to = r->sp[i];
		if (to == from || !kr_bgp_session_established(kr_speaker_session(to)))
			continue;
		/* never a family the peer did not negotiate (it would reset) */
		const struct kr_bgp_neg *ng = kr_bgp_session_neg(kr_speaker_session(to));
		if (u && route_afi(u) == KR_AFI_IPV6 && !ng->mp[KR_AFI_IPV6])
			continue;
		const uint8_t *m = msg;
		size_t ml = len;
		if (u && u->i_bgpsec >= 0 && !u->bgpsec_malformed && !r->leak[i] &&
		    !kr_bgp_session_neg(kr_speaker_session(to))->bgpsec_send[route_afi(u)]) {
			if (to_plain(r, u, &ml) < 0)
				continue;
			m = r->out;
		}
		if (kr_speaker_send_raw(to, m, ml) == 0)
			r->forwarded++;
	}
}

struct kr_relay *kr_relay_new(struct kr_loop *l, const struct kr_relay_cfg *c, struct kr_err *err)
{
	struct kr_relay *r = calloc(1, sizeof *r);
	if (!r) {
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return NULL;
	}
	r->loop = l;
	r->cfg = *c;
	r->tmp = malloc(sizeof *r->tmp);
	r->out = malloc(KR_BGP_EXT_MAX_LEN);
	if (!r->tmp || !r->out || c->npeers > KR_RELAY_MAX_PEERS) {
		kr_err_set(err, ENOMEM, 0, "out of memory or too many peers");
		goto fail;
	}
	for (size_t i = 0; i < c->npeers; i++) {
		const struct kr_relay_peer *p = &c->peers[i];
		struct kr_speaker_cfg sc;
		kr_speaker_cfg_init(&sc);
		sc.name = p->name;
		sc.asn = c->asn;
		sc.bgp_id = c->bgp_id;
		sc.peer_as = p->peer_as;
		sc.peer_ip = p->peer_ip;
		sc.local_ip = p->local_ip;
		if (p->port)
			sc.port = p->port;
		sc.socket_fn = c->socket_fn;
		sc.socket_arg = c->socket_arg;
		sc.record = false;
		sc.auto_restart = true;
		for (int a = 1; a <= 2; a++)
			sc.bgpsec_send[a] = sc.bgpsec_recv[a] = p->bgpsec;
		sc.on_update = forward;
		sc.hook_arg = r;
		r->leak[i] = p->leak;
		r->sp[i] = kr_speaker_new(l, &sc, err);
		if (!r->sp[i])
			goto fail;
	}
	return r;
fail:
	kr_relay_free(r);
	return NULL;
}

int kr_relay_start(struct kr_relay *r, struct kr_err *err)
{
	for (size_t i = 0; i < r->cfg.npeers; i++)
		if (kr_speaker_start(r->sp[i], err) < 0)
			return -1;
	return 0;
}

void kr_relay_free(struct kr_relay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cfg.npeers; i++)
		kr_speaker_free(r->sp[i]);
	free(r->tmp);
	free(r->out);
	free(r);
}

struct kr_speaker *kr_relay_peer(struct kr_relay *r, size_t i)
{
	return i < r->cfg.npeers ? r->sp[i] : NULL;
}

void kr_relay_set_leak(struct kr_relay *r, size_t i, bool leak)
{
	if (i < r->cfg.npeers)
		r->leak[i] = leak;
}

uint64_t kr_relay_forwarded(const struct kr_relay *r) { return r->forwarded; }
