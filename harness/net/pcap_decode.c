/* Message lines for captures; see pcap_decode.h. */
#include "net/pcap_decode.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "wire/rtr_pdu.h"

#define MAX_TRACKED 1024

struct kr_pdec {
	const struct kr_keytab *keys;
	struct kr_crypto_ctx *cc;
	/* AS announced in each direction's OPEN, per connection (0 unknown) */
	uint32_t as[MAX_TRACKED][2];
	struct kr_pdec_update last;
	struct kr_update u; /* large: kept here, not on the stack */
};

struct kr_pdec *kr_pdec_new(const struct kr_keytab *keys)
{
	struct kr_pdec *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->keys = keys;
	if (keys && !(d->cc = kr_crypto_ctx_new())) {
		free(d);
		return NULL;
	}
	return d;
}

void kr_pdec_free(struct kr_pdec *d)
{
	if (!d)
		return;
	kr_crypto_ctx_free(d->cc);
	free(d);
}

const struct kr_pdec_update *kr_pdec_last(const struct kr_pdec *d) { return &d->last; }

/* Appending writer that never overflows (truncates instead). */
struct out {
	char *p;
	size_t len, off;
};
static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	if (o->off + 1 >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->p + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->off = o->off + (size_t)n < o->len ? o->off + (size_t)n : o->len - 1;
}

static void put_prefixes(struct out *o, const char *label, uint16_t afi, const uint8_t *p,
			 size_t len, char *first, size_t firstlen)
{
	if (!len)
		return;
	struct kr_nlri_iter it;
	struct kr_prefix pf;
	kr_nlri_iter_init(&it, afi, p, len);
	put(o, " %s", label);
	char sep = ' ';
	while (kr_nlri_next(&it, &pf)) {
		char s[64];
		kr_prefix_format(&pf, s, sizeof s);
		put(o, "%c%s", sep, s);
		sep = ',';
		if (first && !first[0])
			snprintf(first, firstlen, "%s", s);
	}
}

static void put_open(struct kr_pdec *d, struct out *o, const struct kr_smsg *m)
{
	struct kr_open op;
	struct kr_err e = { 0 };
	if (kr_open_decode(&op, m->msg, m->len, &e) < 0) {
		put(o, " (undecodable: %s)", e.msg);
		return;
	}
	uint32_t as = kr_open_peer_as(&op);
	if (m->conn < MAX_TRACKED)
		d->as[m->conn][m->dir] = as;
	struct in_addr id = { htonl(op.bgp_id) };
	put(o, " as %u hold %u id %s", as, op.hold_time, inet_ntoa(id));
	static const char *const afn[3] = { "", "ipv4", "ipv6" };
	for (int a = 1; a <= 2; a++)
		if (op.bgpsec_send[a] || op.bgpsec_recv[a])
			put(o, " bgpsec-%s %s%s%s", afn[a], op.bgpsec_send[a] ? "send" : "",
			    op.bgpsec_send[a] && op.bgpsec_recv[a] ? "+" : "",
			    op.bgpsec_recv[a] ? "recv" : "");
}

static void put_update(struct kr_pdec *d, struct out *o, const struct kr_smsg *m)
{
	struct kr_update *u = &d->u;
	struct kr_err e = { 0 };
	struct kr_pdec_update *l = &d->last;
	l->is_update = true;
	if (kr_update_decode(u, m->msg, m->len, KR_ATTR_BGPSEC_PATH, &e) < 0) {
		put(o, " (undecodable: %s)", e.msg);
		return;
	}
	put_prefixes(o, "nlri", KR_AFI_IPV4, u->nlri, u->nlri_len, l->prefix, sizeof l->prefix);
	if (u->i_mp_reach >= 0)
		put_prefixes(o, "nlri", u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len,
			     l->prefix, sizeof l->prefix);
	put_prefixes(o, "withdrawn", KR_AFI_IPV4, u->withdrawn, u->withdrawn_len, NULL, 0);
	if (u->i_mp_unreach >= 0)
		put_prefixes(o, "withdrawn", u->mp_unreach.afi, u->mp_unreach.nlri,
			     u->mp_unreach.nlri_len, NULL, 0);
	if (!u->nlri_len && !u->withdrawn_len && u->i_mp_reach < 0 && u->nattrs <= 1)
		put(o, " end-of-rib");
	if (u->i_as_path >= 0) {
		put(o, " as-path");
		char sep = ' ';
		for (size_t s = 0; s < u->nas_segs; s++)
			for (size_t k = 0; k < u->as_segs[s].count; k++) {
				const uint8_t *a = u->as_segs[s].asns + 4 * k;
				put(o, "%c%u", sep, (unsigned)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
				sep = ',';
			}
	}
	if (u->i_bgpsec < 0)
		return;
	l->bgpsec = true;
	if (u->bgpsec_malformed) {
		put(o, " BGPsec_PATH malformed (%s)", u->bgpsec_err.msg);
	} else {
		const struct kr_bgpsec_path *bp = &u->bgpsec;
		put(o, " BGPsec_PATH");
		char sep = ' ';
		for (size_t h = 0; h < bp->nhops; h++) {
			put(o, "%c%u", sep, bp->sp[h].asn);
			sep = ',';
		}
		for (size_t b = 0; b < bp->nblocks; b++) {
			put(o, " suite %u ski", bp->blocks[b].suite);
			sep = ' ';
			for (size_t s = 0; s < bp->blocks[b].nsegs; s++) {
				char hex[2 * KR_SKI_LEN + 1];
				kr_hex_encode(hex, sizeof hex, bp->blocks[b].segs[s].ski, KR_SKI_LEN);
				put(o, "%c%s", sep, hex);
				sep = ',';
			}
		}
	}
	if (!d->keys)
		return;
	uint32_t me = m->conn < MAX_TRACKED ? d->as[m->conn][!m->dir] : 0;
	uint32_t peer = m->conn < MAX_TRACKED ? d->as[m->conn][m->dir] : 0;
	if (!me) {
		put(o, " -> no verdict (receiver's OPEN not in the capture)");
		return;
	}
	struct kr_val_opts vo = { .my_as = me, .peer_as = peer };
	if (kr_bgpsec_validate_ctx(d->cc, d->keys, u, &vo, &l->res) < 0) {
		put(o, " -> no verdict (validator error: %s)", l->res.detail);
		return;
	}
	l->validated = true;
	if (l->res.verdict == KR_VALID)
		put(o, " -> Valid");
	else
		put(o, " -> Not Valid (%s%s%s)", kr_reason_name(l->res.reason),
		    l->res.detail[0] ? ": " : "", l->res.detail);
}

static void put_bgp(struct kr_pdec *d, struct out *o, const struct kr_smsg *m)
{
	static const char *const names[] = { "?", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE",
					     "ROUTE-REFRESH" };
	uint8_t type = m->msg[18];
	put(o, " %s", type < 6 ? names[type] : "?");
	switch (type) {
	case KR_BGP_OPEN:
		put_open(d, o, m);
		break;
	case KR_BGP_UPDATE:
		put_update(d, o, m);
		break;
	case KR_BGP_NOTIFICATION: {
		struct kr_notification n;
		struct kr_err e = { 0 };
		if (kr_notification_decode(&n, m->msg, m->len, &e) < 0)
			put(o, " (undecodable: %s)", e.msg);
		else
			put(o, " %u/%u %s / %s", n.code, n.subcode, kr_notification_code_name(n.code),
			    kr_notification_subcode_name(n.code, n.subcode));
		break;
	}
	default:
		break;
	}
}

void kr_pdec_format(struct kr_pdec *d, const struct kr_smsg *m, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	buf[0] = 0;
	memset(&d->last, 0, sizeof d->last);
	char s[64], t[64];
	int64_t ts = m->ts_ns;
	put(&o, "%lld.%09lld c%u %s > %s %s", (long long)(ts / 1000000000),
	    (long long)(ts % 1000000000), m->conn, kr_endpoint_str(&m->src, s, sizeof s),
	    kr_endpoint_str(&m->dst, t, sizeof t), kr_sproto_name(m->proto));
	if (m->proto == KR_SP_BGP) {
		put_bgp(d, &o, m);
	} else {
		struct kr_rtr_pdu p;
		struct kr_err e = { 0 };
		char f[512];
		if (kr_rtr_decode(m->msg, m->len, &p, &e) < 0) {
			put(&o, " %s (undecodable: %s)", kr_rtr_type_name(m->msg[1]), e.msg);
		} else {
			kr_rtr_format(&p, f, sizeof f);
			put(&o, " %s", f);
		}
	}
}
