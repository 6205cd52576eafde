/* Writing BGP messages into a pcap file as one synthetic TCP flow
 * (Ethernet / IPv4 / TCP, port 179), for tools such as tshark to decode.
 * The flow has no handshake; each call adds one segment with correct
 * sequence numbers and checksums. Timestamps are synthetic (1 ms apart) so
 * the output is deterministic. */
#ifndef KR_PCAP_WRITE_H
#define KR_PCAP_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/kr_util.h"

struct kr_pcapw;

/* a_ip/b_ip: IPv4 addresses in host order; a is the TCP client (a_port),
 * b the server (b_port, normally 179). */
struct kr_pcapw *kr_pcapw_open(const char *path, uint32_t a_ip, uint16_t a_port, uint32_t b_ip,
			       uint16_t b_port, struct kr_err *err);
/* from_b: false = a -> b, true = b -> a. Returns 0 or -1 (err set). */
int kr_pcapw_tcp(struct kr_pcapw *w, bool from_b, const uint8_t *payload, size_t len,
		 struct kr_err *err);
/* Flushes and closes; returns 0 or -1 when the file could not be written. */
int kr_pcapw_close(struct kr_pcapw *w);

#endif
