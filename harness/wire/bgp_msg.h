/* BGP-4 / BGPsec wire codec (RFC 4271, 4760, 5492, 6793, 8205, 8654).
 *
 * Contract (docs/design.md rule 3): pure functions over bounds-checked
 * buffers, no I/O, typed errors with the byte offset. Decoded structures
 * hold *views* (pointers) into the caller's input buffer and stay valid only
 * while that buffer does. Decode-then-encode reproduces the input byte for
 * byte: every attribute, capability and optional parameter is kept raw, in
 * order, with its flags, next to the interpreted fields.
 *
 * Owner: issue 2 (wire codec). Other subsystems build on this header; add,
 * do not break. */
#ifndef KR_BGP_MSG_H
#define KR_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"

#define KR_BGP_HDR_LEN 19
#define KR_BGP_MAX_LEN 4096      /* RFC 4271 §4 */
#define KR_BGP_EXT_MAX_LEN 65535 /* RFC 8654 §3 */

enum kr_bgp_type {
	KR_BGP_OPEN = 1,
	KR_BGP_UPDATE = 2,
	KR_BGP_NOTIFICATION = 3,
	KR_BGP_KEEPALIVE = 4,
	KR_BGP_ROUTE_REFRESH = 5,
};

/* Path attribute type codes and flags (RFC 4271 §4.3, §5; RFC 8205 §3). */
enum {
	KR_ATTR_ORIGIN = 1,
	KR_ATTR_AS_PATH = 2,
	KR_ATTR_NEXT_HOP = 3,
	KR_ATTR_MED = 4,
	KR_ATTR_LOCAL_PREF = 5,
	KR_ATTR_MP_REACH = 14,
	KR_ATTR_MP_UNREACH = 15,
	KR_ATTR_BGPSEC_PATH = 33,
	KR_ATTR_BGPSEC_PATH_PREIANA = 30, /* RFC 8208 App. A captures */
};
enum {
	KR_AF_OPTIONAL = 0x80,
	KR_AF_TRANSITIVE = 0x40,
	KR_AF_PARTIAL = 0x20,
	KR_AF_EXTLEN = 0x10,
};

/* Capability codes (RFC 5492; RFC 4760 §8; RFC 2918; RFC 8654; RFC 6793;
 * RFC 8205 §2.1). */
enum {
	KR_CAP_MP = 1,
	KR_CAP_ROUTE_REFRESH = 2,
	KR_CAP_EXT_MSG = 6,
	KR_CAP_BGPSEC = 7,
	KR_CAP_AS4 = 65,
};
#define KR_BGPSEC_CAP_SEND 0x08 /* RFC 8205 §2.1: direction bit, 1 = send */

enum { KR_AFI_IPV4 = 1, KR_AFI_IPV6 = 2 };
enum { KR_SAFI_UNICAST = 1 };

/* Typed codec errors; kr_err.code carries one, kr_err.offset the byte
 * offset in the message where it was found. */
enum kr_wire_err {
	KR_WE_OK = 0,
	KR_WE_TRUNCATED,     /* a length field points past the end */
	KR_WE_MARKER,        /* header marker not all-ones */
	KR_WE_MSG_LEN,       /* header length < 19, > max, or inconsistent */
	KR_WE_MSG_TYPE,      /* unknown message type */
	KR_WE_OPEN,          /* OPEN body or optional parameter malformed */
	KR_WE_CAPABILITY,    /* capability TLV malformed */
	KR_WE_UPDATE_LEN,    /* withdrawn/attribute lengths inconsistent */
	KR_WE_ATTR_LEN,      /* attribute length wrong for its type */
	KR_WE_ATTR_FLAGS,    /* attribute flags wrong for its type */
	KR_WE_ATTR_DUP,      /* attribute present twice */
	KR_WE_NLRI,          /* prefix length > address bits, or truncated */
	KR_WE_AS_PATH,       /* AS_PATH segment malformed */
	KR_WE_MP,            /* MP_REACH / MP_UNREACH malformed */
	KR_WE_BGPSEC,        /* BGPsec_PATH syntax (RFC 8205 §5.2 check 1) */
	KR_WE_LIMIT,         /* exceeds a harness limit (hops, attributes...) */
	KR_WE_NOSPACE,       /* encoder: output buffer too small */
	KR_WE_INVALID,       /* encoder: caller gave an impossible value */
};
const char *kr_wire_strerror(int code);

/* ---- header and framing ------------------------------------------------ */

/* Frame one message from a byte stream. Returns 1 and sets *msg_len when a
 * whole message is at p, 0 when more bytes are needed, -1 (err set) when
 * the header is bad (marker, length < 19 or > max_len, type unknown). */
int kr_bgp_frame(const uint8_t *p, size_t len, size_t max_len, size_t *msg_len,
		 struct kr_err *err);

/* Writes the 19-octet header; body_len excludes the header. */
void kr_bgp_put_header(struct kr_wr *w, uint8_t type, size_t body_len);

/* ---- prefixes ---------------------------------------------------------- */

/* A prefix as on the wire: addr holds the ceil(len/8) octets exactly as
 * received (trailing bits preserved for byte-exact re-encoding), the rest
 * zero. kr_prefix_canon() zeroes the trailing bits (RFC 8205 §4.2 hashing). */
struct kr_prefix {
	uint16_t afi;
	uint8_t len;
	uint8_t addr[16];
};
int kr_prefix_parse(struct kr_prefix *p, const char *text); /* "192.0.2.0/24", "2001:db8::/32" */
void kr_prefix_format(const struct kr_prefix *p, char *out, size_t outsz);
void kr_prefix_canon(struct kr_prefix *p);
bool kr_prefix_eq(const struct kr_prefix *a, const struct kr_prefix *b); /* canonical compare */

/* Iterate an NLRI field (RFC 4271 §4.3 / RFC 4760 §5) that decode already
 * checked. */
struct kr_nlri_iter {
	struct kr_rd rd;
	uint16_t afi;
};
void kr_nlri_iter_init(struct kr_nlri_iter *it, uint16_t afi, const uint8_t *p, size_t len);
bool kr_nlri_next(struct kr_nlri_iter *it, struct kr_prefix *out);
void kr_nlri_put(struct kr_wr *w, const struct kr_prefix *p);

/* ---- OPEN -------------------------------------------------------------- */

#define KR_MAX_OPT_PARAMS 32
#define KR_MAX_CAPS 64

struct kr_cap {
	uint8_t code;
	uint8_t len;
	const uint8_t *val;
};

struct kr_open_param {
	uint8_t type;
	uint8_t len;
	const uint8_t *val;
};

struct kr_open {
	uint8_t version;
	uint16_t my_as;    /* 2-octet field (AS_TRANS when > 65535) */
	uint16_t hold_time;
	uint32_t bgp_id;
	size_t nparams;
	struct kr_open_param params[KR_MAX_OPT_PARAMS];
	size_t ncaps;      /* every capability of every type-2 parameter, in order */
	struct kr_cap caps[KR_MAX_CAPS];
	/* interpreted */
	bool has_as4;
	uint32_t as4;      /* from capability 65 */
	bool mp[3];        /* [afi] unicast advertised, afi 1..2 */
	bool route_refresh, ext_msg;
	bool bgpsec_send[3], bgpsec_recv[3]; /* version 0 only, [afi] */
	bool bgpsec_other_version;
};

/* What to advertise; used by kr_open_build. */
struct kr_open_cfg {
	uint32_t asn;      /* 4-octet AS; my_as becomes AS_TRANS (23456) when > 65535 */
	uint16_t hold_time;
	uint32_t bgp_id;
	bool mp[3];
	bool route_refresh, ext_msg;
	bool no_as4;       /* deliberately omit capability 65 */
	bool bgpsec_send[3], bgpsec_recv[3];
	const struct kr_cap *extra; /* appended raw capabilities */
	size_t nextra;
};

int kr_open_decode(struct kr_open *o, const uint8_t *msg, size_t len, struct kr_err *err);
int kr_open_encode(const struct kr_open *o, uint8_t *out, size_t cap, size_t *len, struct kr_err *err);
int kr_open_build(const struct kr_open_cfg *c, uint8_t *out, size_t cap, size_t *len, struct kr_err *err);
/* The peer's AS: as4 when present, else my_as. */
uint32_t kr_open_peer_as(const struct kr_open *o);

/* ---- BGPsec_PATH (RFC 8205 §3) ----------------------------------------- */

#define KR_MAX_HOPS 128
#define KR_SKI_LEN 20
#define KR_BGPSEC_CONFED 0x80

struct kr_sp_seg {          /* Secure_Path Segment, wire order: [0] newest */
	uint8_t pcount;
	uint8_t flags;
	uint32_t asn;
};
struct kr_sig_seg {         /* Signature Segment */
	const uint8_t *ski; /* KR_SKI_LEN octets */
	uint16_t sig_len;
	const uint8_t *sig;
};
struct kr_sig_block {
	uint16_t len;       /* Signature_Block Length as on the wire */
	uint8_t suite;
	size_t nsegs;
	struct kr_sig_seg segs[KR_MAX_HOPS];
};
struct kr_bgpsec_path {
	uint16_t sp_len;    /* Secure_Path Length as on the wire */
	size_t nhops;
	struct kr_sp_seg sp[KR_MAX_HOPS];
	size_t nblocks;     /* 1 or 2 */
	struct kr_sig_block blocks[2];
};

/* Parse an attribute value. Syntax only: a Signature_Block whose segment
 * count differs from nhops still parses (RFC 8205 §5.2 check 3 belongs to
 * the validator) as long as every length is consistent. */
int kr_bgpsec_path_decode(struct kr_bgpsec_path *bp, const uint8_t *val, size_t len,
			  struct kr_err *err);
/* Encode the attribute value (not the attribute header). The length
 * fields are recomputed from the content (sp_len and blocks[].len are not
 * read), so a path a signer prepended to encodes consistently; negative
 * tests that need wrong lengths patch the encoded octets. */
int kr_bgpsec_path_encode(const struct kr_bgpsec_path *bp, struct kr_wr *w);
size_t kr_bgpsec_path_len(const struct kr_bgpsec_path *bp);

/* ---- UPDATE ------------------------------------------------------------ */

#define KR_MAX_ATTRS 64
#define KR_MAX_AS_SEGS 64

struct kr_attr {
	uint8_t flags;
	uint8_t type;
	uint16_t len;
	const uint8_t *val;
};

struct kr_as_seg {          /* AS_PATH segment, 4-octet ASNs (RFC 6793) */
	uint8_t type;       /* 1 AS_SET, 2 AS_SEQUENCE, 3/4 confed */
	uint8_t count;
	const uint8_t *asns; /* count * 4 octets */
};

struct kr_mp_reach {
	uint16_t afi;
	uint8_t safi;
	uint8_t nh_len;
	const uint8_t *nh;
	uint8_t reserved;
	const uint8_t *nlri;
	size_t nlri_len;
	size_t nprefixes;
};
struct kr_mp_unreach {
	uint16_t afi;
	uint8_t safi;
	const uint8_t *nlri;
	size_t nlri_len;
	size_t nprefixes;
};

struct kr_update {
	const uint8_t *withdrawn;  /* IPv4 Withdrawn Routes field */
	size_t withdrawn_len, nwithdrawn;
	size_t nattrs;
	struct kr_attr attrs[KR_MAX_ATTRS]; /* every attribute, wire order */
	const uint8_t *nlri;       /* IPv4 NLRI field */
	size_t nlri_len, nnlri;
	/* interpreted views (index into attrs, -1 when absent) */
	int i_origin, i_as_path, i_next_hop, i_mp_reach, i_mp_unreach, i_bgpsec;
	uint8_t origin;
	size_t nas_segs;
	struct kr_as_seg as_segs[KR_MAX_AS_SEGS];
	uint32_t next_hop;
	struct kr_mp_reach mp_reach;
	struct kr_mp_unreach mp_unreach;
	struct kr_bgpsec_path bgpsec;
	/* the BGPsec_PATH attribute failed kr_bgpsec_path_decode; the rest of
	 * the UPDATE decoded (RFC 7606 treat-as-withdraw needs the NLRI). */
	bool bgpsec_malformed;
	struct kr_err bgpsec_err;
	/* a well-known attribute (ORIGIN, AS_PATH, NEXT_HOP) has a
	 * treat-as-withdraw error (RFC 7606 §7.1-7.3: bad length, value,
	 * flags, segment); first such error. */
	bool attr_malformed;
	struct kr_err attr_err;
};

/* Decode a whole UPDATE message (header included). Errors that make the
 * NLRI unparseable fail the decode; a malformed BGPsec_PATH does not (see
 * bgpsec_malformed). bgpsec_type is the attribute code to treat as
 * BGPsec_PATH (KR_ATTR_BGPSEC_PATH; the App. A vectors use 30).
 * Fails (RFC 7606 session-reset class): header, Withdrawn/Total Attribute
 * lengths, an attribute overrunning the attribute field (KR_WE_UPDATE_LEN),
 * MP_REACH/MP_UNREACH malformed or repeated (KR_WE_MP, KR_WE_ATTR_DUP),
 * any unparseable prefix (KR_WE_NLRI), harness limits (KR_WE_LIMIT).
 * Succeeds with a flag (treat-as-withdraw class): BGPsec_PATH syntax or
 * flags (bgpsec_malformed), ORIGIN/AS_PATH/NEXT_HOP errors
 * (attr_malformed). Other repeated attributes: the first is interpreted.
 * u->bgpsec is meaningful only when i_bgpsec >= 0 && !bgpsec_malformed.
 * MP NLRI is parsed for AFI 1/2 with SAFI 1/2; others stay raw. */
int kr_update_decode(struct kr_update *u, const uint8_t *msg, size_t len, uint8_t bgpsec_type,
		     struct kr_err *err);
/* Re-encode from the raw views (attrs[i].type may be edited first). */
int kr_update_encode(const struct kr_update *u, uint8_t *out, size_t cap, size_t *len,
		     struct kr_err *err);

/* Build a one-route UPDATE (RFC 8205 §4.1: one prefix, MP_REACH_NLRI first,
 * BGPsec_PATH instead of AS_PATH when bgpsec != NULL). For a plain route
 * IPv4 goes in the NLRI field with NEXT_HOP, IPv6 in MP_REACH_NLRI. */
struct kr_route_out {
	struct kr_prefix prefix;
	uint8_t origin;                 /* 0 IGP, 1 EGP, 2 INCOMPLETE */
	const uint8_t *next_hop;        /* 4 or 16 (or 32) octets */
	uint8_t next_hop_len;
	const struct kr_bgpsec_path *bgpsec;
	const uint32_t *as_path;        /* AS_SEQUENCE when bgpsec == NULL */
	size_t as_path_len;
	bool force_as_path;             /* also add AS_PATH beside BGPsec_PATH (negative tests):
					 * as_path when given, else the RFC 8205 §4.4 rebuild */
	bool omit_next_hop;             /* leave the IPv4 NEXT_HOP out (negative tests, the
					 * refspeaker's no-next-hop fault) */
	const struct kr_attr *extra;    /* raw attributes appended as given */
	size_t nextra;
};
/* Thread-safe (per-thread scratch). max_len: 4096, or 65535 after the
 * extended message capability (RFC 8654); longer fails KR_WE_MSG_LEN. */
int kr_update_build(const struct kr_route_out *r, size_t max_len, uint8_t *out, size_t cap,
		    size_t *len, struct kr_err *err);
/* Withdraw prefixes (IPv4 in Withdrawn Routes, IPv6 in MP_UNREACH_NLRI). */
int kr_update_build_withdraw(const struct kr_prefix *p, size_t n, size_t max_len, uint8_t *out,
			     size_t cap, size_t *len, struct kr_err *err);
/* The End-of-RIB marker for afi (RFC 4724 §2). */
int kr_update_build_eor(uint16_t afi, uint8_t *out, size_t cap, size_t *len);

/* AS_PATH from a Secure_Path per RFC 8205 §4.4 (pCount 0 skipped, confed
 * segments, 255-AS split). Writes the attribute value. */
int kr_bgpsec_to_as_path(const struct kr_bgpsec_path *bp, struct kr_wr *w);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---------------------------- */

struct kr_notification {
	uint8_t code, subcode;
	const uint8_t *data;
	size_t data_len;
};
int kr_notification_decode(struct kr_notification *n, const uint8_t *msg, size_t len,
			   struct kr_err *err);
int kr_notification_build(uint8_t code, uint8_t subcode, const uint8_t *data, size_t dlen,
			  uint8_t *out, size_t cap, size_t *len);
const char *kr_notification_code_name(uint8_t code);
const char *kr_notification_subcode_name(uint8_t code, uint8_t subcode);

int kr_keepalive_build(uint8_t *out, size_t cap, size_t *len);

struct kr_route_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};
int kr_route_refresh_decode(struct kr_route_refresh *r, const uint8_t *msg, size_t len,
			    struct kr_err *err);
int kr_route_refresh_build(const struct kr_route_refresh *r, uint8_t *out, size_t cap, size_t *len);

#endif
