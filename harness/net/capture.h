/* Live capture (libpcap) on interfaces inside a node's namespace, written
 * to pcap files with nanosecond kernel timestamps.
 *
 * The pcap handle is created after entering the namespace (a live capture
 * belongs to the namespace it was opened in), delivered in blocks at most about a millisecond old, so no
 * packet waits in a buffer. One thread per capture writes the file and
 * keeps it current (as soon as the link is quiet for 1 ms, and every
 * 200 ms while it is busy: capfile.h), also for a harness SIGKILLed; stopping
 * drains what the kernel still holds, flushes and closes. Every capture is
 * registered with teardown.h and stopped on every exit path; start captures
 * after kr_net_up and before the SUT, so teardown stops them first. */
#ifndef KR_CAPTURE_H
#define KR_CAPTURE_H

#include <stdint.h>

#include "wire/kr_util.h"
#include "net/netns.h"

struct kr_capture;

/* Capture interface ifname inside node (NULL node: the harness namespace)
 * into path. Returns NULL with err set. */
struct kr_capture *kr_capture_start(const struct kr_net *n, const char *node,
				    const char *ifname, const char *path, struct kr_err *err);
/* Packets written so far. */
uint64_t kr_capture_packets(const struct kr_capture *c);
const char *kr_capture_path(const struct kr_capture *c);
/* Packets the kernel dropped for this capture (known after stop); a
 * non-zero count makes the evidence incomplete. */
uint64_t kr_capture_drops(const struct kr_capture *c);
/* Why the file is incomplete (reading the link or writing the file
 * failed), known after stop; NULL when it is not. */
const char *kr_capture_error(const struct kr_capture *c);
/* Drain, flush, close (idempotent). Packets seen by the kernel before the
 * call are in the file afterwards. */
void kr_capture_stop(struct kr_capture *c);
/* Stop and free; NULL is fine. */
void kr_capture_free(struct kr_capture *c);

/* Every link of the topology's sut node: one capture per link, on the SUT's
 * end (on the peer's when the SUT is an external device, plus the whole
 * lab wire in DIR/wire-IFNAME.pcap), written to DIR/sut-PEER.pcap. Returns NULL with err set (captures
 * started before the failure are stopped again). */
struct kr_capset;
struct kr_capset *kr_capture_sut_links(const struct kr_net *n, const char *dir,
				       struct kr_err *err);
size_t kr_capset_count(const struct kr_capset *s);
struct kr_capture *kr_capset_get(const struct kr_capset *s, size_t i);
void kr_capset_stop(struct kr_capset *s);
void kr_capset_free(struct kr_capset *s);

/* Convert a capture timestamp (CLOCK_REALTIME ns, as in the pcap) to the
 * harness clock (kr_now_ns, CLOCK_MONOTONIC), using the current offset. */
int64_t kr_wall_to_mono_ns(int64_t wall_ns);

#endif
