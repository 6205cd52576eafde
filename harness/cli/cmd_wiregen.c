/* keyroll wiregen OUT.pcap EXPECT.tsv -- independent cross-check of the
 * wire codec (issue 2 §5): encodes OPENs with BGPsec capabilities and
 * signed UPDATEs (IPv4/IPv6, 1 and 3 hops, real suite-1 signatures,
 * pCount 0 and Confed_Segment). Only one Signature_Block: tshark 4.0 reports
 * a second block (RFC 8205 §3, algorithm transition) as a malformed packet
 * after decoding the first, so two-block paths are covered by the unit
 * tests and the fuzzers only, writes
 * them to a pcap as one BGP/TCP flow, and writes what each frame is meant
 * to contain as tshark field values, so that tests/it_tshark_wire.sh can
 * compare tshark's decoding field by field. The expectations come from the
 * inputs given to the encoder, never from decoding our own output. */
#include <stdio.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "wire/bgpsec_crypto.h"
#include "cli/cli.h"
#include "net/pcap_write.h"

const char kr_cmd_wiregen_help[] =
	"OUT.pcap EXPECT.tsv -- write sample BGPsec OPENs/UPDATEs and their expected tshark fields";

/* tshark fields compared, in column order (tshark 4.0 names). */
static const char *const fields[] = {
	"bgp.type",
	"bgp.cap.4as",
	"bgp.cap.bgpsec.version",
	"bgp.cap.bgpsec.sendreceive",
	"bgp.cap.bgpsec.afi",
	"bgp.update.path_attribute.type_code",
	"bgp.update.path_attribute.mp_reach_nlri.afi",
	"bgp.mp_reach_nlri_ipv4_prefix",
	"bgp.mp_reach_nlri_ipv6_prefix",
	"bgp.prefix_length",
	"bgp.update.path_attribute.bgpsec.sp.length",
	"bgp.update.path_attribute.bgpsec.sps.pcount",
	"bgp.update.path_attribute.bgpsec.sps.flags",
	"bgp.update.path_attribute.bgpsec.sps.as",
	"bgp.update.path_attribute.bgpsec.sb.length",
	"bgp.update.path_attribute.bgpsec.sb.algo_id",
	"bgp.update.path_attribute.bgpsec.ss.ski",
	"bgp.update.path_attribute.bgpsec.ss.length",
	"bgp.update.path_attribute.bgpsec.ss.sig",
	"bgp.open.holdtime",
	"bgp.cap.mp.afi",
	"bgp.update.path_attribute.origin",
	"bgp.update.path_attribute.as_path_segment.as4",
	"bgp.update.path_attribute.next_hop",
	"bgp.nlri_prefix",
	"bgp.withdrawn_prefix",
	"bgp.mp_unreach_nlri_ipv6_prefix",
	"bgp.notify.major_error",
	"bgp.notify.minor_error_cease",
	"bgp.notify.communication",
	"bgp.route_refresh.afi",
	"bgp.route_refresh.safi",
};
enum { F_TYPE, F_AS4, F_VER, F_DIR, F_AFI, F_ATYPES, F_MPAFI, F_P4, F_P6, F_PLEN, F_SPLEN, F_PCOUNT,
       F_FLAGS, F_AS, F_SBLEN, F_ALGO, F_SKI, F_SSLEN, F_SIG, F_HOLD, F_MPCAP, F_ORIGIN,
       F_ASPATH, F_NH, F_NLRI, F_WD, F_UNREACH6, F_NOTIFY, F_CEASE, F_COMM, F_RRAFI, F_RRSAFI,
       NF };

/* One expectation row: a column accumulates comma-separated occurrences
 * (tshark -E occurrence=a -E aggregator=,). */
struct row {
	char col[NF][2048];
};

static void add(struct row *r, int f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct row *r, int f, const char *fmt, ...)
{
	size_t l = strlen(r->col[f]);
	if (l && l + 1 < sizeof r->col[f])
		r->col[f][l++] = ',';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->col[f] + l, sizeof r->col[f] - l, fmt, ap);
	va_end(ap);
}

/* tshark prints byte fields as lower-case hex pairs separated by spaces */
static void add_hex(struct row *r, int f, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char h[3 * KR_SIG_MAX + 1];
	size_t o = 0;
	for (size_t i = 0; i < n && o + 3 < sizeof h; i++) {
		if (i)
			h[o++] = ' ';
		h[o++] = d[b[i] >> 4];
		h[o++] = d[b[i] & 15];
	}
	h[o] = 0;
	add(r, f, "%s", h);
}

static void put_row(FILE *f, const struct row *r)
{
	for (int i = 0; i < NF; i++)
		fprintf(f, "%s%s", i ? "\t" : "", r->col[i]);
	fputc('\n', f);
}

struct gen {
	struct kr_pcapw *pw;
	FILE *exp;
	uint8_t msg[KR_BGP_MAX_LEN];
	struct kr_err err;
};

static int emit_open(struct gen *g, bool from_b, const struct kr_open_cfg *c)
{
	size_t l;
	if (kr_open_build(c, g->msg, sizeof g->msg, &l, &g->err) < 0 ||
	    kr_pcapw_tcp(g->pw, from_b, g->msg, l, &g->err) < 0)
		return -1;
	struct row r = { 0 };
	add(&r, F_TYPE, "1");
	add(&r, F_HOLD, "%u", c->hold_time);
	for (int afi = 1; afi <= 2; afi++)
		if (c->mp[afi])
			add(&r, F_MPCAP, "%d", afi);
	if (!c->no_as4)
		add(&r, F_AS4, "%u", c->asn);
	/* kr_open_build order: per AFI, send then receive (RFC 8205 §2.1) */
	for (int afi = 1; afi <= 2; afi++)
		for (int dir = 1; dir >= 0; dir--)
			if (dir ? c->bgpsec_send[afi] : c->bgpsec_recv[afi]) {
				add(&r, F_VER, "0");
				add(&r, F_DIR, "%d", dir);
				add(&r, F_AFI, "%d", afi);
			}
	put_row(g->exp, &r);
	return 0;
}

/* A signed route: hops[0] is the origin; hop i signs towards hops[i+1]
 * (the last one towards `target`). */
struct hop {
	uint32_t asn;
	uint8_t pcount, flags;
};

static int emit_update(struct gen *g, const char *pfx_text, const struct hop *hops, size_t n,
		       uint32_t target, struct kr_key *keys)
{
	static struct kr_bgpsec_path path[2];
	static struct kr_sigstore store;
	struct kr_prefix pfx;
	if (kr_prefix_parse(&pfx, pfx_text) < 0) {
		kr_err_set(&g->err, KR_WE_INVALID, 0, "bad prefix %s", pfx_text);
		return -1;
	}
	const struct kr_bgpsec_path *in = NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t to = i + 1 < n ? hops[i + 1].asn : target;
		struct kr_bgpsec_path *out = &path[i % 2];
		if (kr_bgpsec_sign(&keys[i], to, hops[i].pcount, hops[i].flags, in, pfx.afi, KR_SAFI_UNICAST,
				   &pfx, NULL, out, &store, &g->err) < 0)
			return -1;
		in = out;
	}
	const uint8_t nh4[4] = { 198, 18, 0, 1 };
	const uint8_t nh6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct kr_route_out ro = { .prefix = pfx, .origin = 0, .bgpsec = in };
	ro.next_hop = pfx.afi == KR_AFI_IPV4 ? nh4 : nh6;
	ro.next_hop_len = pfx.afi == KR_AFI_IPV4 ? 4 : 16;
	size_t l;
	if (kr_update_build(&ro, KR_BGP_MAX_LEN, g->msg, sizeof g->msg, &l, &g->err) < 0 ||
	    kr_pcapw_tcp(g->pw, false, g->msg, l, &g->err) < 0)
		return -1;

	struct row r = { 0 };
	add(&r, F_TYPE, "2");
	add(&r, F_ATYPES, "14,1,33"); /* MP_REACH first (RFC 7606 §5.1), ORIGIN, BGPsec_PATH */
	add(&r, F_MPAFI, "%u", pfx.afi);
	add(&r, F_ORIGIN, "%u", ro.origin);
	const char *slash = strchr(pfx_text, '/');
	add(&r, pfx.afi == KR_AFI_IPV4 ? F_P4 : F_P6, "%.*s", (int)(slash - pfx_text), pfx_text);
	add(&r, F_PLEN, "%s", slash + 1);
	add(&r, F_SPLEN, "%zu", 2 + 6 * n);
	for (size_t k = n; k-- > 0;) { /* wire order: newest first */
		add(&r, F_PCOUNT, "%u", hops[k].pcount);
		add(&r, F_FLAGS, "%u", hops[k].flags);
		add(&r, F_AS, "%u", hops[k].asn);
	}
	size_t sblen = 3;
	for (size_t k = n; k-- > 0;) {
		const struct kr_sig_seg *s = &in->blocks[0].segs[n - 1 - k];
		add_hex(&r, F_SKI, keys[k].ski, KR_SKI_LEN);
		add(&r, F_SSLEN, "%u", s->sig_len);
		add_hex(&r, F_SIG, s->sig, s->sig_len);
		sblen += 22u + s->sig_len;
	}
	add(&r, F_SBLEN, "%zu", sblen);
	add(&r, F_ALGO, "%u", KR_SUITE_P256);
	put_row(g->exp, &r);
	return 0;
}

/* A plain IPv4 route: ORIGIN, AS_PATH, NEXT_HOP, NLRI field. */
static int emit_plain(struct gen *g)
{
	const uint32_t asp[] = { 65536, 64496 };
	const uint8_t nh[4] = { 198, 18, 0, 1 };
	struct kr_route_out ro = { .origin = 1, .next_hop = nh, .next_hop_len = 4,
				   .as_path = asp, .as_path_len = 2 };
	size_t l;
	if (kr_prefix_parse(&ro.prefix, "198.18.32.0/20") < 0 ||
	    kr_update_build(&ro, KR_BGP_MAX_LEN, g->msg, sizeof g->msg, &l, &g->err) < 0 ||
	    kr_pcapw_tcp(g->pw, false, g->msg, l, &g->err) < 0)
		return -1;
	struct row r = { 0 };
	add(&r, F_TYPE, "2");
	add(&r, F_ATYPES, "1,2,3");
	add(&r, F_PLEN, "20");
	add(&r, F_ORIGIN, "1");
	add(&r, F_ASPATH, "65536,64496");
	add(&r, F_NH, "198.18.0.1");
	add(&r, F_NLRI, "198.18.32.0");
	put_row(g->exp, &r);
	return 0;
}

/* Withdrawal of one IPv4 (Withdrawn Routes) and one IPv6 (MP_UNREACH)
 * prefix, KEEPALIVE, ROUTE-REFRESH, NOTIFICATION Cease / Administrative
 * Shutdown with a shutdown communication (RFC 8203 §2). */
static int emit_misc(struct gen *g)
{
	struct kr_prefix p[2];
	size_t l;
	struct row r = { 0 };
	kr_prefix_parse(&p[0], "192.0.2.0/24");
	kr_prefix_parse(&p[1], "2001:db8::/32");
	if (kr_update_build_withdraw(p, 2, KR_BGP_MAX_LEN, g->msg, sizeof g->msg, &l, &g->err) < 0 ||
	    kr_pcapw_tcp(g->pw, false, g->msg, l, &g->err) < 0)
		return -1;
	add(&r, F_TYPE, "2");
	add(&r, F_ATYPES, "15");
	add(&r, F_PLEN, "24,32");
	add(&r, F_WD, "192.0.2.0");
	add(&r, F_UNREACH6, "2001:db8::");
	put_row(g->exp, &r);

	if (kr_keepalive_build(g->msg, sizeof g->msg, &l) < 0 ||
	    kr_pcapw_tcp(g->pw, true, g->msg, l, &g->err) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	add(&r, F_TYPE, "4");
	put_row(g->exp, &r);

	struct kr_route_refresh rr = { KR_AFI_IPV6, 0, KR_SAFI_UNICAST };
	if (kr_route_refresh_build(&rr, g->msg, sizeof g->msg, &l) < 0 ||
	    kr_pcapw_tcp(g->pw, true, g->msg, l, &g->err) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	add(&r, F_TYPE, "5");
	add(&r, F_RRAFI, "2");
	add(&r, F_RRSAFI, "1");
	put_row(g->exp, &r);

	const char text[] = "key rollover maintenance";
	uint8_t data[1 + sizeof text - 1];
	data[0] = sizeof text - 1;
	memcpy(data + 1, text, sizeof text - 1);
	if (kr_notification_build(6, 2, data, sizeof data, g->msg, sizeof g->msg, &l) < 0 ||
	    kr_pcapw_tcp(g->pw, true, g->msg, l, &g->err) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	add(&r, F_TYPE, "3");
	add(&r, F_NOTIFY, "6");
	add(&r, F_CEASE, "2");
	add(&r, F_COMM, "%s", text);
	put_row(g->exp, &r);
	return 0;
}

static int generate(struct gen *g, struct kr_key *keys)
{
	struct kr_open_cfg a = { .asn = 65536, .hold_time = 90, .bgp_id = 0xC6120001,
				 .mp = { false, true, true }, .route_refresh = true,
				 .bgpsec_send = { false, true, true },
				 .bgpsec_recv = { false, true, true } };
	struct kr_open_cfg b = { .asn = 64496, .hold_time = 90, .bgp_id = 0xC6120002,
				 .mp = { false, true, true }, .bgpsec_recv = { false, true, false },
				 .bgpsec_send = { false, false, true } };
	const struct hop one[] = { { 64496, 1, 0 } };
	const struct hop three[] = { { 64496, 1, 0 }, { 65536, 2, 0 }, { 65537, 1, 0 } };
	/* pCount 0 and Confed_Segment (RFC 8205 §3.1, §4.3) */
	const struct hop confed[] = { { 64496, 1, 0 }, { 65536, 0, KR_BGPSEC_CONFED } };
	if (emit_open(g, false, &a) < 0 || emit_open(g, true, &b) < 0 ||
	    emit_update(g, "192.0.2.0/24", one, 1, 65536, keys) < 0 ||
	    emit_update(g, "2001:db8::/32", one, 1, 65536, keys) < 0 ||
	    emit_update(g, "198.18.128.0/17", three, 3, 65538, keys) < 0 ||
	    emit_update(g, "2001:db8:ab00::/40", three, 3, 65538, keys) < 0 ||
	    emit_update(g, "198.18.4.0/22", confed, 2, 65537, keys) < 0 || emit_plain(g) < 0 ||
	    emit_misc(g) < 0)
		return -1;
	return 0;
}

int kr_cmd_wiregen(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: keyroll wiregen %s\n", kr_cmd_wiregen_help);
		return KR_EXIT_ERROR;
	}
	static struct gen g;
	struct kr_key keys[3];
	const uint32_t asns[3] = { 64496, 65536, 65537 };
	memset(keys, 0, sizeof keys);
	int rc = KR_EXIT_ERROR;
	size_t nk = 0;
	for (; nk < 3; nk++)
		if (kr_key_generate(&keys[nk], asns[nk], &g.err) < 0)
			goto out;
	g.exp = fopen(argv[2], "w");
	if (!g.exp) {
		kr_err_set(&g.err, 1, 0, "%s: cannot create", argv[2]);
		goto out;
	}
	g.pw = kr_pcapw_open(argv[1], 0xC6120001, 40179, 0xC6120002, 179, &g.err);
	if (!g.pw)
		goto out;
	fprintf(g.exp, "#fields");
	for (int i = 0; i < NF; i++)
		fprintf(g.exp, "\t%s", fields[i]);
	fputc('\n', g.exp);
	if (generate(&g, keys) == 0)
		rc = KR_EXIT_OK;
out:
	if (g.pw && kr_pcapw_close(g.pw) < 0 && rc == KR_EXIT_OK) {
		kr_err_set(&g.err, 1, 0, "%s: write failed", argv[1]);
		rc = KR_EXIT_ERROR;
	}
	if (g.exp && fclose(g.exp) != 0 && rc == KR_EXIT_OK) {
		kr_err_set(&g.err, 1, 0, "%s: write failed", argv[2]);
		rc = KR_EXIT_ERROR;
	}
	for (size_t i = 0; i < nk; i++)
		kr_key_free(&keys[i]);
	if (rc != KR_EXIT_OK)
		fprintf(stderr, "keyroll wiregen: %s\n", g.err.msg);
	return rc;
}
