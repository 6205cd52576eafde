/* TCP reassembly into BGP / RTR messages; see tcp_reasm.h. */
#include "net/tcp_reasm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/bgp_msg.h"
#include "wire/rtr_pdu.h"

/* ---- frames ------------------------------------------------------------- */

const char *kr_sproto_name(enum kr_sproto p)
{
	return p == KR_SP_BGP ? "BGP" : p == KR_SP_RTR ? "RTR" : "-";
}

const char *kr_endpoint_str(const struct kr_endpoint *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET, e->addr, a, sizeof a);
	snprintf(buf, len, e->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, e->port);
	return buf;
}

static int bad(struct kr_err *err, size_t off, const char *what)
{
	kr_err_set(err, EINVAL, off, "%s at offset %zu", what, off);
	return -1;
}

static int tcp_decode(struct kr_rd *r, size_t base, struct kr_tcpseg *s, struct kr_err *err)
{
	size_t start = r->off;
	s->src.port = kr_rd_u16(r);
	s->dst.port = kr_rd_u16(r);
	s->seq = kr_rd_u32(r);
	kr_rd_u32(r); /* ack */
	uint8_t doff = kr_rd_u8(r) >> 4;
	s->flags = kr_rd_u8(r);
	if (!kr_rd_ok(r))
		return bad(err, base + start, "TCP header truncated");
	size_t hl = (size_t)doff * 4;
	if (hl < 20 || hl > r->len - start)
		return bad(err, base + start + 12, "bad TCP data offset");
	s->payload = r->p + start + hl;
	s->len = r->len - start - hl;
	s->payload_off = base + start + hl;
	return 1;
}

static int ip_decode(const uint8_t *p, size_t caplen, size_t base, struct kr_tcpseg *s,
		     struct kr_err *err)
{
	if (caplen < 1)
		return bad(err, base, "IP header truncated");
	unsigned ver = p[0] >> 4;
	memset(&s->src, 0, sizeof s->src);
	memset(&s->dst, 0, sizeof s->dst);
	if (ver == 4) {
		if (caplen < 20)
			return bad(err, base, "IPv4 header truncated");
		size_t ihl = (size_t)(p[0] & 15) * 4;
		size_t tot = (size_t)p[2] << 8 | p[3];
		if (ihl < 20 || tot < ihl)
			return bad(err, base, "bad IPv4 header length");
		if (tot > caplen)
			return bad(err, base + 2, "IPv4 packet cut short (snap length?)");
		if (((p[6] & 0x3f) << 8 | p[7]) != 0)
			return 0; /* fragment: not reassembled here */
		if (p[9] != 6)
			return 0;
		s->src.family = s->dst.family = AF_INET;
		memcpy(s->src.addr, p + 12, 4);
		memcpy(s->dst.addr, p + 16, 4);
		struct kr_rd r = kr_rd_init(p, tot);
		r.off = ihl;
		return tcp_decode(&r, base, s, err);
	}
	if (ver == 6) {
		if (caplen < 40)
			return bad(err, base, "IPv6 header truncated");
		size_t plen = (size_t)p[4] << 8 | p[5];
		if (plen == 0)
			return 0; /* jumbogram: not for BGP */
		if (40 + plen > caplen)
			return bad(err, base + 4, "IPv6 packet cut short (snap length?)");
		s->src.family = s->dst.family = AF_INET6;
		memcpy(s->src.addr, p + 8, 16);
		memcpy(s->dst.addr, p + 24, 16);
		struct kr_rd r = kr_rd_init(p, 40 + plen);
		r.off = 40;
		uint8_t nh = p[6];
		for (int i = 0; i < 8; i++) {
			if (nh == 6)
				return tcp_decode(&r, base, s, err);
			if (nh != 0 && nh != 43 && nh != 60)
				return 0; /* fragment (44), other protocols */
			size_t at = r.off;
			nh = kr_rd_u8(&r);
			size_t el = ((size_t)kr_rd_u8(&r) + 1) * 8;
			if (!kr_rd_ok(&r) || el > r.len - at)
				return bad(err, base + at, "IPv6 extension header truncated");
			r.off = at + el;
		}
		return 0;
	}
	return 0;
}

int kr_frame_decode(int linktype, const uint8_t *frame, size_t caplen, size_t wirelen,
		    struct kr_tcpseg *seg, struct kr_err *err)
{
	size_t off = 0;
	uint16_t et = 0;
	switch (linktype) {
	case KR_DLT_EN10MB:
		if (caplen < 14)
			return bad(err, 0, "Ethernet header truncated");
		et = (uint16_t)(frame[12] << 8 | frame[13]);
		off = 14;
		for (int i = 0; i < 2 && (et == 0x8100 || et == 0x88a8); i++) {
			if (caplen < off + 4)
				return bad(err, off, "VLAN tag truncated");
			et = (uint16_t)(frame[off + 2] << 8 | frame[off + 3]);
			off += 4;
		}
		break;
	case KR_DLT_LINUX_SLL:
		if (caplen < 16)
			return bad(err, 0, "Linux cooked header truncated");
		et = (uint16_t)(frame[14] << 8 | frame[15]);
		off = 16;
		break;
	case KR_DLT_LINUX_SLL2:
		if (caplen < 20)
			return bad(err, 0, "Linux cooked v2 header truncated");
		et = (uint16_t)(frame[0] << 8 | frame[1]);
		off = 20;
		break;
	case KR_DLT_NULL:
	case KR_DLT_LOOP:
		if (caplen < 4)
			return bad(err, 0, "loopback header truncated");
		off = 4;
		et = 0xffff; /* IP version decides */
		break;
	case KR_DLT_RAW:
	case KR_DLT_IPV4:
	case KR_DLT_IPV6:
		et = 0xffff;
		break;
	default:
		kr_err_set(err, EINVAL, 0, "unsupported link type %d", linktype);
		return -1;
	}
	if (et != 0x0800 && et != 0x86dd && et != 0xffff)
		return 0;
	(void)wirelen; /* the IP length against caplen tells truncation */
	return ip_decode(frame + off, caplen - off, off, seg, err);
}

/* ---- streams ------------------------------------------------------------ */

#define MAX_HELD_SEGS 4096

struct held {
	uint32_t seq;
	size_t len;
	uint64_t pkt;
	size_t foff;
	struct held *next;
	uint8_t data[];
};

struct half {
	bool started, synced, syn, broken;
	uint32_t isn, next;
	struct held *held;
	size_t held_bytes, held_segs;
	struct kr_bytes buf;
	size_t off;
	uint64_t hole_pkt; /* first packet held behind a hole */
	/* where the bytes of buf came from (pos: index into buf) */
	struct piece { size_t pos; uint64_t pkt; size_t foff, len; } *pcs;
	size_t npcs, cappcs;
};

struct conn {
	struct kr_endpoint a, b; /* a: initiator */
	unsigned idx;
	bool retired;
	bool pending, ignored; /* cfg.detect: protocol not known yet / neither */
	enum kr_sproto proto;
	struct half h[2];
};

struct kr_reasm {
	struct kr_reasm_cfg cfg;
	kr_smsg_cb on_msg;
	kr_serr_cb on_err;
	void *arg;
	struct kr_spiece *mp; /* pieces of the message being delivered */
	size_t mpcap;
	struct conn **conns;
	unsigned nconns, cap;
	bool limit_reported;
};

struct kr_reasm *kr_reasm_new(const struct kr_reasm_cfg *cfg, kr_smsg_cb on_msg,
			      kr_serr_cb on_err, void *arg)
{
	struct kr_reasm *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	if (cfg)
		r->cfg = *cfg;
	if (!r->cfg.bgp_ports[0])
		r->cfg.bgp_ports[0] = 179;
	if (!r->cfg.rtr_ports[0])
		r->cfg.rtr_ports[0] = 323;
	if (!r->cfg.max_held)
		r->cfg.max_held = 4u << 20;
	if (!r->cfg.max_conns)
		r->cfg.max_conns = 1024;
	r->on_msg = on_msg;
	r->on_err = on_err;
	r->arg = arg;
	return r;
}

/* Frame and frame offset of byte pos of h->buf (0 / 0 when unknown). */
static void locate(const struct half *h, size_t pos, uint64_t *pkt, size_t *foff)
{
	*pkt = 0;
	*foff = 0;
	for (size_t i = 0; i < h->npcs; i++) {
		const struct piece *q = &h->pcs[i];
		if (pos >= q->pos && pos < q->pos + q->len) {
			*pkt = q->pkt;
			*foff = q->foff ? q->foff + (pos - q->pos) : 0;
			return;
		}
	}
}

static void vreport(struct kr_reasm *r, enum kr_serr_kind k, uint64_t pkt, const struct conn *c,
		    unsigned dir, const struct half *h, const char *fmt, va_list ap)
{
	if (!r->on_err)
		return;
	struct kr_serr e = { .kind = k, .pkt_no = pkt, .has_conn = c != NULL };
	if (c) {
		e.conn = c->idx;
		e.dir = dir;
		e.src = dir ? c->b : c->a;
		e.dst = dir ? c->a : c->b;
	}
	if (h)
		locate(h, h->off, &e.at_pkt, &e.at_frame_off);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	r->on_err(&e, r->arg);
}

static void report(struct kr_reasm *r, enum kr_serr_kind k, uint64_t pkt, const struct conn *c,
		   unsigned dir, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report(struct kr_reasm *r, enum kr_serr_kind k, uint64_t pkt, const struct conn *c,
		   unsigned dir, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(r, k, pkt, c, dir, NULL, fmt, ap);
	va_end(ap);
}

/* A framing error, located at the start of the bad bytes (h->off). */
static void report_at(struct kr_reasm *r, uint64_t pkt, const struct conn *c, unsigned dir,
		      const struct half *h, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void report_at(struct kr_reasm *r, uint64_t pkt, const struct conn *c, unsigned dir,
		      const struct half *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(r, KR_SE_FRAMING, pkt, c, dir, h, fmt, ap);
	va_end(ap);
}

bool kr_smsg_locate(const struct kr_smsg *m, size_t off, uint64_t *pkt_no, size_t *frame_off)
{
	for (size_t i = 0; i < m->npieces; i++) {
		const struct kr_spiece *q = &m->pieces[i];
		if (off >= q->msg_off && off < q->msg_off + q->len) {
			*pkt_no = q->pkt_no;
			*frame_off = q->frame_off ? q->frame_off + (off - q->msg_off) : 0;
			return true;
		}
	}
	return false;
}

static bool port_in(const uint16_t *ports, uint16_t p)
{
	for (int i = 0; i < 4 && ports[i]; i++)
		if (ports[i] == p)
			return true;
	return false;
}

static enum kr_sproto classify(const struct kr_reasm *r, const struct kr_tcpseg *s)
{
	if (port_in(r->cfg.bgp_ports, s->dst.port) || port_in(r->cfg.bgp_ports, s->src.port))
		return KR_SP_BGP;
	if (port_in(r->cfg.rtr_ports, s->dst.port) || port_in(r->cfg.rtr_ports, s->src.port))
		return KR_SP_RTR;
	return KR_SP_NONE;
}

/* cfg.detect: what the first payload of a connection looks like. */
static enum kr_sproto sniff(const uint8_t *p, size_t n)
{
	static const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (n >= 19 && memmem(p, n, ones, sizeof ones))
		return KR_SP_BGP;
	uint8_t v, t;
	uint32_t l;
	if (!kr_rtr_peek(p, n, &v, &t, &l) || v > 2)
		return KR_SP_NONE;
	/* RFC 8210 §5: fixed lengths, or a lower bound */
	static const uint32_t fixed[11] = { 12, 12, 8, 8, 20, 0, 32, 0, 8, 0, 0 };
	bool ok = t <= 10 && t != 5 &&
		  (fixed[t] ? l == fixed[t]
			    : t == 7 ? l == 12 || l == 24 : t == 9 ? l >= 32 && l <= 8192 : l >= 16 && l <= 8192);
	if (!ok)
		return KR_SP_NONE;
	if (n >= l) {
		struct kr_rtr_pdu pdu;
		struct kr_err e = { 0 };
		if (kr_rtr_decode(p, l, &pdu, &e) < 0)
			return KR_SP_NONE;
	}
	return KR_SP_RTR;
}

static bool ep_eq(const struct kr_endpoint *x, const struct kr_endpoint *y)
{
	return x->family == y->family && x->port == y->port && !memcmp(x->addr, y->addr, 16);
}

static void free_half(struct half *h)
{
	for (struct held *s = h->held, *n; s; s = n) {
		n = s->next;
		free(s);
	}
	h->held = NULL;
	h->held_bytes = h->held_segs = 0;
	kr_bytes_free(&h->buf);
	h->off = 0;
	free(h->pcs);
	h->pcs = NULL;
	h->npcs = h->cappcs = 0;
}

static void finish_conn(struct kr_reasm *r, struct conn *c)
{
	if (c->retired)
		return;
	c->retired = true;
	for (unsigned d = 0; d < 2; d++) {
		struct half *h = &c->h[d];
		if (!h->broken && h->held)
			report(r, KR_SE_GAP, h->hole_pkt, c, d,
			       "%zu bytes held behind a hole that never filled (segments missing from the capture)",
			       h->held_bytes);
		else if (!h->broken && h->buf.len > h->off)
			report(r, KR_SE_PARTIAL, 0, c, d,
			       "capture ends %zu bytes into a message", h->buf.len - h->off);
		free_half(h);
	}
}

/* The pieces of the message at h->off (mlen octets) into r->mp; count. */
static size_t msg_pieces(struct kr_reasm *r, const struct half *h, size_t mlen)
{
	size_t n = 0, lo = h->off, hi = h->off + mlen;
	for (size_t i = 0; i < h->npcs; i++) {
		const struct piece *q = &h->pcs[i];
		size_t a = q->pos > lo ? q->pos : lo, b = q->pos + q->len < hi ? q->pos + q->len : hi;
		if (a >= b)
			continue;
		if (n == r->mpcap) {
			size_t nc = r->mpcap ? 2 * r->mpcap : 16;
			struct kr_spiece *np = realloc(r->mp, nc * sizeof *np);
			if (!np)
				break; /* locations are a courtesy: deliver without the rest */
			r->mp = np;
			r->mpcap = nc;
		}
		r->mp[n++] = (struct kr_spiece){ q->pkt, q->foff ? q->foff + (a - q->pos) : 0, a - lo, b - a };
	}
	return n;
}

/* The first `off` octets of buf were dropped: forget their pieces. */
static void drop_pieces(struct half *h, size_t off)
{
	size_t k = 0;
	for (size_t i = 0; i < h->npcs; i++) {
		struct piece q = h->pcs[i];
		if (q.pos + q.len <= off)
			continue;
		if (q.pos < off) {
			size_t cut = off - q.pos;
			q.foff = q.foff ? q.foff + cut : 0;
			q.len -= cut;
			q.pos = 0;
		} else {
			q.pos -= off;
		}
		h->pcs[k++] = q;
	}
	h->npcs = k;
}

/* Frame whole messages out of h->buf and hand them on. */
static void frame(struct kr_reasm *r, struct conn *c, unsigned d, int64_t ts, uint64_t pkt)
{
	struct half *h = &c->h[d];
	while (!h->broken) {
		const uint8_t *p = h->buf.p + h->off;
		size_t avail = h->buf.len - h->off, mlen = 0;
		if (c->proto == KR_SP_BGP) {
			if (!h->synced) {
				/* Capture began mid-stream: resynchronise on a marker. */
				size_t i = 0, run = 0;
				for (; i < avail && run < 16; i++)
					run = p[i] == 0xff ? run + 1 : 0;
				if (run < 16) {
					h->off += avail > 15 ? avail - 15 : 0;
					break;
				}
				h->off += i - 16;
				h->synced = true;
				continue;
			}
			struct kr_err e = { 0 };
			int rc = kr_bgp_frame(p, avail, 65535, &mlen, &e);
			if (rc == 0)
				break;
			if (rc < 0) {
				report_at(r, pkt, c, d, h, "not a BGP message at stream offset %zu: %s",
					  h->off, e.msg);
				h->broken = true;
				break;
			}
		} else {
			uint8_t ver, type;
			uint32_t l;
			if (!kr_rtr_peek(p, avail, &ver, &type, &l))
				break;
			if (ver > 2 || l < 8 || l > 65536) {
				report_at(r, pkt, c, d, h,
					  "not an RTR PDU at stream offset %zu (version %u, length %u)",
					  h->off, ver, l);
				h->broken = true;
				break;
			}
			if (avail < l)
				break;
			mlen = l;
		}
		bool fwd = d == 0;
		size_t np = msg_pieces(r, h, mlen); /* may move r->mp */
		struct kr_smsg m = { ts, pkt, fwd ? c->a : c->b, fwd ? c->b : c->a,
				     c->idx, d, c->proto, p, mlen, r->mp, np };
		h->off += mlen;
		if (r->on_msg)
			r->on_msg(&m, r->arg);
	}
	/* Keep the buffer small: drop what was consumed. */
	if (h->off && (h->off == h->buf.len || h->off > 65536)) {
		memmove(h->buf.p, h->buf.p + h->off, h->buf.len - h->off);
		h->buf.len -= h->off;
		drop_pieces(h, h->off);
		h->off = 0;
	}
	if (h->broken)
		free_half(h);
}

static bool add_piece(struct half *h, uint64_t pkt, size_t foff, size_t n)
{
	size_t pos = h->buf.len;
	if (h->npcs) {
		struct piece *q = &h->pcs[h->npcs - 1];
		if (q->pkt == pkt && q->pos + q->len == pos && q->foff && q->foff + q->len == foff) {
			q->len += n;
			return true;
		}
	}
	if (h->npcs == h->cappcs) {
		size_t nc = h->cappcs ? 2 * h->cappcs : 16;
		struct piece *np = realloc(h->pcs, nc * sizeof *np);
		if (!np)
			return false;
		h->pcs = np;
		h->cappcs = nc;
	}
	h->pcs[h->npcs++] = (struct piece){ pos, pkt, foff, n };
	return true;
}

static bool append(struct kr_reasm *r, struct conn *c, unsigned d, const uint8_t *p, size_t n,
		   uint64_t pkt, size_t foff)
{
	struct half *h = &c->h[d];
	if (!add_piece(h, pkt, foff, n) || kr_bytes_append(&h->buf, p, n) < 0) {
		report(r, KR_SE_LIMIT, pkt, c, d, "out of memory");
		h->broken = true;
		free_half(h);
		return false;
	}
	h->next += (uint32_t)n;
	return true;
}

/* Take held segments that now continue the stream. */
static void drain_held(struct kr_reasm *r, struct conn *c, unsigned d, uint64_t pkt)
{
	struct half *h = &c->h[d];
	bool progress = true;
	while (progress && !h->broken) {
		progress = false;
		for (struct held **pp = &h->held; *pp;) {
			struct held *s = *pp;
			int32_t rel = (int32_t)(s->seq - h->next);
			if (rel > 0) {
				pp = &s->next;
				continue;
			}
			*pp = s->next;
			h->held_bytes -= s->len;
			h->held_segs--;
			if ((int64_t)rel + (int64_t)s->len > 0) {
				size_t skip = (size_t)-(int64_t)rel;
				if (!append(r, c, d, s->data + skip, s->len - skip, s->pkt,
					    s->foff ? s->foff + skip : 0)) {
					free(s);
					return;
				}
				progress = true;
			}
			free(s);
		}
	}
}

static void put_data(struct kr_reasm *r, struct conn *c, unsigned d, int64_t ts, uint64_t pkt,
		     uint32_t seq, const uint8_t *p, size_t n, size_t foff)
{
	struct half *h = &c->h[d];
	if (h->broken || n == 0)
		return;
	int32_t rel = (int32_t)(seq - h->next);
	if ((int64_t)rel + (int64_t)n <= 0)
		return; /* retransmission of bytes we have */
	if (rel < 0) {
		p += -(int64_t)rel;
		n -= (size_t)-(int64_t)rel;
		foff = foff ? foff + (size_t)-(int64_t)rel : 0;
		seq = h->next;
		rel = 0;
	}
	if (rel > 0) {
		/* Out of order: hold a copy until the hole is filled. */
		if (h->held_bytes + n > r->cfg.max_held || h->held_segs >= MAX_HELD_SEGS) {
			report(r, KR_SE_GAP, pkt, c, d,
			       "more than %zu bytes / %d segments after a hole at relative seq %u (segments missing from the capture)",
			       r->cfg.max_held, MAX_HELD_SEGS, h->next - h->isn);
			h->broken = true;
			free_half(h);
			return;
		}
		struct held *s = malloc(sizeof *s + n);
		if (!s) {
			report(r, KR_SE_LIMIT, pkt, c, d, "out of memory");
			h->broken = true;
			free_half(h);
			return;
		}
		s->seq = seq;
		s->len = n;
		s->pkt = pkt;
		s->foff = foff;
		memcpy(s->data, p, n);
		s->next = h->held;
		if (!h->held)
			h->hole_pkt = pkt;
		h->held = s;
		h->held_bytes += n;
		h->held_segs++;
		return;
	}
	if (!append(r, c, d, p, n, pkt, foff))
		return;
	drain_held(r, c, d, pkt);
	frame(r, c, d, ts, pkt);
}

static struct conn *new_conn(struct kr_reasm *r, const struct kr_tcpseg *s, enum kr_sproto proto,
			     uint64_t pkt)
{
	/* Retired connections count too: their index stays meaningful. */
	if (r->nconns >= r->cfg.max_conns) {
		if (!r->limit_reported)
			report(r, KR_SE_LIMIT, pkt, NULL, 0, "more than %u connections; further ones ignored",
			       r->cfg.max_conns);
		r->limit_reported = true;
		return NULL;
	}
	if (r->nconns == r->cap) {
		unsigned n = r->cap ? 2 * r->cap : 16;
		struct conn **nc = realloc(r->conns, n * sizeof *nc);
		if (!nc)
			return NULL;
		r->conns = nc;
		r->cap = n;
	}
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->idx = r->nconns;
	c->proto = proto;
	/* A SYN+ACK comes from the responder: the initiator is its target. */
	bool synack = (s->flags & (KR_TCP_SYN | KR_TCP_ACK)) == (KR_TCP_SYN | KR_TCP_ACK);
	c->a = synack ? s->dst : s->src;
	c->b = synack ? s->src : s->dst;
	r->conns[r->nconns++] = c;
	return c;
}

static struct conn *find_conn(struct kr_reasm *r, const struct kr_tcpseg *s, unsigned *dir)
{
	/* newest first: a reused 4-tuple belongs to the latest connection */
	for (unsigned i = r->nconns; i-- > 0;) {
		struct conn *c = r->conns[i];
		if (c->retired)
			continue;
		if (ep_eq(&c->a, &s->src) && ep_eq(&c->b, &s->dst)) {
			*dir = 0;
			return c;
		}
		if (ep_eq(&c->b, &s->src) && ep_eq(&c->a, &s->dst)) {
			*dir = 1;
			return c;
		}
	}
	return NULL;
}

void kr_reasm_segment(struct kr_reasm *r, int64_t ts_ns, uint64_t pkt_no,
		      const struct kr_tcpseg *s)
{
	enum kr_sproto proto = classify(r, s);
	unsigned d = 0;
	struct conn *c = find_conn(r, s, &d);
	bool syn = s->flags & KR_TCP_SYN;
	if (proto == KR_SP_NONE) {
		if (!r->cfg.detect || (c && c->ignored))
			return;
		if (c && c->pending && s->len) {
			c->proto = sniff(s->payload, s->len);
			c->pending = false;
			c->ignored = c->proto == KR_SP_NONE;
			if (c->ignored)
				return;
		}
		if (!c) {
			proto = s->len ? sniff(s->payload, s->len) : KR_SP_NONE;
			if (proto == KR_SP_NONE && !(syn && !s->len))
				return;
		}
	}
	if (c && syn) {
		struct half *h = &c->h[d];
		if (h->syn && h->isn == s->seq)
			return; /* retransmitted SYN */
		if (h->started) {
			/* A new connection on the same addresses and ports. */
			finish_conn(r, c);
			c = NULL;
		}
	}
	if (!c) {
		c = new_conn(r, s, proto, pkt_no);
		if (!c)
			return;
		c->pending = proto == KR_SP_NONE; /* cfg.detect: its first data decides */
		find_conn(r, s, &d);
	}
	struct half *h = &c->h[d];
	uint32_t seq = s->seq;
	if (syn) {
		h->syn = h->started = h->synced = true;
		h->isn = s->seq;
		h->next = s->seq + 1;
		seq = s->seq + 1; /* data in a SYN follows the SYN's sequence number */
	} else if (!h->started && s->len) {
		h->started = true;
		h->isn = s->seq;
		h->next = s->seq;
		h->synced = c->proto == KR_SP_RTR; /* BGP resyncs on a marker */
	}
	if (s->len && !c->pending)
		put_data(r, c, d, ts_ns, pkt_no, seq, s->payload, s->len, s->payload_off);
}

int kr_reasm_frame(struct kr_reasm *r, int linktype, int64_t ts_ns, uint64_t pkt_no,
		   const uint8_t *frame_, size_t caplen, size_t wirelen)
{
	struct kr_tcpseg s;
	struct kr_err e = { 0 };
	int rc = kr_frame_decode(linktype, frame_, caplen, wirelen, &s, &e);
	if (rc < 0) {
		report(r, KR_SE_PACKET, pkt_no, NULL, 0, "%s", e.msg);
		return -1;
	}
	if (rc > 0)
		kr_reasm_segment(r, ts_ns, pkt_no, &s);
	return 0;
}

void kr_reasm_finish(struct kr_reasm *r)
{
	for (unsigned i = 0; i < r->nconns; i++)
		finish_conn(r, r->conns[i]);
}

void kr_reasm_free(struct kr_reasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nconns; i++) {
		free_half(&r->conns[i]->h[0]);
		free_half(&r->conns[i]->h[1]);
		free(r->conns[i]);
	}
	free(r->conns);
	free(r->mp);
	free(r);
}

unsigned kr_reasm_conns(const struct kr_reasm *r) { return r->nconns; }
