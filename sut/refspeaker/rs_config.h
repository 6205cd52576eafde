/* Reference speaker configuration: a pure parser over a text buffer
 * (format: sut/refspeaker/README.md). Errors name FILE:LINE. */
#ifndef RS_CONFIG_H
#define RS_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/bgp_msg.h"
#include "wire/kr_util.h"

#define RS_MAX_PEERS 32
#define RS_MAX_LISTEN 8
#define RS_MAX_PREFIXES 256
#define RS_PATH_MAX 256

enum rs_policy { RS_POLICY_REJECT = 0, RS_POLICY_KEEP_LOWER };

struct rs_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;              /* AF_INET or AF_INET6 */
	uint8_t raw[16];         /* 4 or 16 octets, network order */
};

struct rs_peer_cfg {
	struct rs_addr addr;
	uint16_t port;           /* remote port when active (179) */
	uint32_t asn;
	bool has_local;
	struct rs_addr local;    /* bind address when active */
	bool passive;            /* wait for the peer to connect */
	bool family[3];          /* [afi]: MP capability advertised */
	bool sec_send[3], sec_recv[3]; /* BGPsec capability advertised per AFI */
	bool pcount0;            /* accept pCount 0 from this peer (RFC 8205 §7.2) */
	size_t line;
};

struct rs_config {
	uint32_t asn;
	uint32_t router_id;
	uint16_t hold_time;
	size_t nlisten;
	struct rs_addr listen[RS_MAX_LISTEN];
	uint16_t listen_port;
	char ctl[RS_PATH_MAX];
	bool has_rtr;
	char rtr_host[64], rtr_port[8];
	unsigned rtr_refresh, rtr_retry, rtr_expire;
	/* own keys (draft-rogaglia §4.2): origin + transit, or one for both */
	char origin_key[RS_PATH_MAX], transit_key[RS_PATH_MAX];
	bool shared_key;
	/* where a rekey is recorded so that a restart keeps the new keys */
	char key_state[RS_PATH_MAX];
	size_t nprefixes;
	struct kr_prefix prefixes[RS_MAX_PREFIXES];
	enum rs_policy policy;
	bool has_nh6;
	uint8_t nh6[16];         /* IPv6 next hop on IPv4 sessions */
	size_t npeers;
	struct rs_peer_cfg peers[RS_MAX_PEERS];
};

/* Parse text[0..len); fname labels errors. 0, or -1 with err (offset =
 * line, msg "FNAME:LINE: ..."). */
int rs_config_parse(struct rs_config *c, const char *text, size_t len, const char *fname,
		    struct kr_err *err);

int rs_addr_parse(struct rs_addr *a, const char *s, uint16_t port);
void rs_addr_format(const struct rs_addr *a, char *out, size_t outsz);
bool rs_addr_eq(const struct rs_addr *a, const struct rs_addr *b); /* address only */
int rs_addr_cmp(const struct rs_addr *a, const struct rs_addr *b);

const char *rs_policy_name(enum rs_policy p);
int rs_policy_parse(const char *s, enum rs_policy *p);

#endif
