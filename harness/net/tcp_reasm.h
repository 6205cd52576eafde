/* TCP stream reassembly of captured packets into BGP and RTR messages.
 *
 * Pure: fed with link-layer frames (or already decoded TCP segments), it
 * yields whole messages through a callback, each with the timestamp and
 * number of the packet that completed it, the flow (source and destination
 * address:port), the connection index and the direction. It handles
 * segmentation, retransmissions (also partly overlapping), out-of-order
 * segments, both directions and many connections, and never trusts a
 * length: every problem (malformed packet, framing error, lost segments, a
 * message cut off by the end of the capture) is reported through the error
 * callback with the packet number, and reassembly of that direction stops
 * while the others go on. File reading lives in pcap_read.h. */
#ifndef KR_TCP_REASM_H
#define KR_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"

enum kr_sproto { KR_SP_NONE = 0, KR_SP_BGP, KR_SP_RTR };
const char *kr_sproto_name(enum kr_sproto p);

struct kr_endpoint {
	int family; /* AF_INET / AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};
/* "198.18.0.1:179" or "[2001:db8::1]:179"; buf >= 56 bytes. */
const char *kr_endpoint_str(const struct kr_endpoint *e, char *buf, size_t len);

/* One TCP segment, as decoded from a frame. */
enum { KR_TCP_FIN = 0x01, KR_TCP_SYN = 0x02, KR_TCP_RST = 0x04, KR_TCP_ACK = 0x10 };
struct kr_tcpseg {
	struct kr_endpoint src, dst;
	uint32_t seq;
	uint8_t flags;
	const uint8_t *payload;
	size_t len;
	size_t payload_off;     /* offset of the payload in its frame (0: unknown) */
};

/* libpcap link types understood by kr_frame_decode. */
enum {
	KR_DLT_NULL = 0, KR_DLT_EN10MB = 1, KR_DLT_RAW = 101, KR_DLT_LOOP = 108,
	KR_DLT_LINUX_SLL = 113, KR_DLT_IPV4 = 228, KR_DLT_IPV6 = 229, KR_DLT_LINUX_SLL2 = 276,
};
/* Decode a frame down to TCP. Returns 1 (seg filled, payload points into
 * frame), 0 when it is not a TCP segment (ARP, ICMP, UDP, fragments...),
 * -1 when malformed or cut short (err says what, offset = byte offset). */
int kr_frame_decode(int linktype, const uint8_t *frame, size_t caplen, size_t wirelen,
		    struct kr_tcpseg *seg, struct kr_err *err);

/* Where a byte range of a message came from: the frame (packet number)
 * and the offset of the range in that frame, so a finding about byte N of
 * a message names the frame and frame offset a capture viewer shows. */
struct kr_spiece {
	uint64_t pkt_no;
	size_t frame_off;       /* 0 when unknown (segments fed without a frame) */
	size_t msg_off, len;
};

/* A reassembled message. */
struct kr_smsg {
	int64_t ts_ns;          /* timestamp of the completing packet (pcap clock) */
	uint64_t pkt_no;        /* its number in the capture, from 1 */
	struct kr_endpoint src, dst;
	unsigned conn;          /* connection index, in order of appearance */
	unsigned dir;           /* 0: from the initiator (SYN sender; else first sender) */
	enum kr_sproto proto;
	const uint8_t *msg;     /* whole message, header included */
	size_t len;
	const struct kr_spiece *pieces; /* in message order, covering msg (valid in the callback) */
	size_t npieces;
};
/* Frame number and offset in that frame of byte `off` of m; false when the
 * message carries no pieces (built by hand) or off is past its end. */
bool kr_smsg_locate(const struct kr_smsg *m, size_t off, uint64_t *pkt_no, size_t *frame_off);

enum kr_serr_kind {
	KR_SE_PACKET,  /* malformed frame / IP / TCP header */
	KR_SE_FRAMING, /* bytes that are no BGP / RTR message */
	KR_SE_GAP,     /* segments missing from the capture */
	KR_SE_PARTIAL, /* capture ends inside a message (at kr_reasm_finish) */
	KR_SE_LIMIT,   /* too many connections / too much data held */
};
struct kr_serr {
	enum kr_serr_kind kind;
	uint64_t pkt_no;
	unsigned conn, dir;     /* when the error belongs to a stream */
	bool has_conn;
	struct kr_endpoint src, dst; /* the stream's sender and receiver (has_conn) */
	uint64_t at_pkt;        /* KR_SE_FRAMING: frame holding the first bad byte, */
	size_t at_frame_off;    /* and its offset there (0 / 0 when unknown) */
	char msg[200];
};

typedef void (*kr_smsg_cb)(const struct kr_smsg *m, void *arg);
typedef void (*kr_serr_cb)(const struct kr_serr *e, void *arg);

struct kr_reasm_cfg {
	uint16_t bgp_ports[4];  /* 0-terminated; all zero: 179 */
	uint16_t rtr_ports[4];  /* all zero: 323 */
	size_t max_held;        /* out-of-order bytes held per direction; 0: 4 MiB */
	unsigned max_conns;     /* 0: 1024 */
	/* also BGP and RTR on other ports, recognised by the first payload of
	 * a connection (a BGP marker, a well-formed RTR PDU); every TCP
	 * connection of the capture then counts against max_conns */
	bool detect;
};

struct kr_reasm;
struct kr_reasm *kr_reasm_new(const struct kr_reasm_cfg *cfg, kr_smsg_cb on_msg,
			      kr_serr_cb on_err, void *arg);
/* Feed one frame (decodes it; non-TCP frames and ports of neither protocol
 * are skipped). Returns 0, or -1 after reporting a KR_SE_PACKET error. */
int kr_reasm_frame(struct kr_reasm *r, int linktype, int64_t ts_ns, uint64_t pkt_no,
		   const uint8_t *frame, size_t caplen, size_t wirelen);
/* Feed one decoded segment. */
void kr_reasm_segment(struct kr_reasm *r, int64_t ts_ns, uint64_t pkt_no,
		      const struct kr_tcpseg *s);
/* End of capture: report what is left incomplete (KR_SE_PARTIAL/GAP). */
void kr_reasm_finish(struct kr_reasm *r);
void kr_reasm_free(struct kr_reasm *r);
/* Number of connections seen. */
unsigned kr_reasm_conns(const struct kr_reasm *r);

#endif
