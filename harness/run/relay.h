/* A small forwarding BGP peer: a stand-in SUT for tests of the harness
 * roles themselves (and for recording fixture captures) where the
 * reference speaker is not wanted. It is NOT a BGPsec speaker and never
 * judged: it holds one active session per configured peer and forwards
 * every UPDATE it receives to every other Established peer:
 *   - verbatim when the outgoing session negotiated BGPsec send for the
 *     route's AFI (signatures stay targeted at the relay's AS);
 *   - to a peer without BGPsec, a BGPsec_PATH is replaced by an AS_PATH
 *     rebuilt per RFC 8205 §4.4 with the relay's AS prepended, unless
 *     `leak` is set (then it is forwarded verbatim, to exercise leak
 *     detection);
 *   - plain UPDATEs verbatim. */
#ifndef KR_RELAY_H
#define KR_RELAY_H

#include "run/speaker.h"

#define KR_RELAY_MAX_PEERS 8

struct kr_relay_peer {
	const char *name;
	const char *peer_ip, *local_ip;
	uint32_t peer_as;
	uint16_t port;          /* 0: 179 */
	bool bgpsec;            /* advertise BGPsec send+receive for IPv4 and IPv6 */
	bool leak;              /* forward BGPsec_PATH even when not negotiated */
};

struct kr_relay_cfg {
	uint32_t asn, bgp_id;
	kr_bgp_socket_fn socket_fn; /* sockets in the relay's node */
	void *socket_arg;
	size_t npeers;
	struct kr_relay_peer peers[KR_RELAY_MAX_PEERS];
};

struct kr_relay;
struct kr_relay *kr_relay_new(struct kr_loop *l, const struct kr_relay_cfg *c, struct kr_err *err);
int kr_relay_start(struct kr_relay *r, struct kr_err *err);
void kr_relay_free(struct kr_relay *r);
struct kr_speaker *kr_relay_peer(struct kr_relay *r, size_t i);
void kr_relay_set_leak(struct kr_relay *r, size_t i, bool leak);
uint64_t kr_relay_forwarded(const struct kr_relay *r);

#endif
