/* Reading pcap / pcapng files (libpcap offline) and turning them into BGP
 * and RTR messages with tcp_reasm.h. This is the I/O side; everything it
 * reads goes through the pure frame decoder and reassembler. */
#ifndef KR_PCAP_READ_H
#define KR_PCAP_READ_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "wire/kr_util.h"
#include "net/tcp_reasm.h"

struct kr_pkt {
	uint64_t no;       /* from 1 */
	int64_t ts_ns;     /* capture timestamp, ns since the epoch */
	int linktype;      /* DLT_* */
	const uint8_t *data;
	size_t caplen, wirelen;
	long offset;       /* file offset of the record (-1 when unknown) */
};
/* Return 0 to go on, non-zero to stop reading (returned by kr_pcap_read). */
typedef int (*kr_pkt_cb)(const struct kr_pkt *p, void *arg);

/* Call cb for every packet. Returns 0 at the end of the file, cb's non-zero
 * value, or -1 with err naming the file, the packet number and its offset
 * (truncated or malformed file). */
int kr_pcap_read(const char *path, kr_pkt_cb cb, void *arg, struct kr_err *err);
/* The same on an open stream (closed when done); path names it in errors. */
int kr_pcap_read_fp(FILE *fp, const char *path, kr_pkt_cb cb, void *arg, struct kr_err *err);

/* Pulling packets one at a time (what a merge of several captures in
 * time order needs). open: NULL with err set (fp is closed). next: 1 (k
 * filled; its data valid until the next call), 0 at the end, -1 with err
 * as kr_pcap_read. */
struct kr_pcap_rd;
struct kr_pcap_rd *kr_pcap_rd_open(const char *path, struct kr_err *err);
struct kr_pcap_rd *kr_pcap_rd_fopen(FILE *fp, const char *path, struct kr_err *err);
int kr_pcap_rd_next(struct kr_pcap_rd *r, struct kr_pkt *k, struct kr_err *err);
void kr_pcap_rd_close(struct kr_pcap_rd *r);

/* Read a file through the reassembler: on_msg for every message, on_err
 * for every stream problem. Returns 0, or -1 when the file itself is bad
 * (err set; messages before the damage have been delivered). */
int kr_pcap_messages(const char *path, const struct kr_reasm_cfg *cfg, kr_smsg_cb on_msg,
		     kr_serr_cb on_err, void *arg, struct kr_err *err);
int kr_pcap_messages_fp(FILE *fp, const char *path, const struct kr_reasm_cfg *cfg,
			kr_smsg_cb on_msg, kr_serr_cb on_err, void *arg, struct kr_err *err);

#endif
