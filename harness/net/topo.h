/* Topology files (netns/NAME.topo): nodes with a role and links between them.
 *
 * Format, one statement per line, '#' starts a comment:
 *
 *   node NAME ROLE
 *   link A B [ADDR/LEN ADDR/LEN]...
 *
 * NAME: 1-15 chars [a-z0-9_], starting with a letter, not "lo" (it is also
 * the interface name of the link end inside the peer's namespace).
 * ROLE: sut | rtr | upstream | downstream | plain | host.
 * A link without addresses gets them automatically from its position among
 * the links (index i, counting from 0):
 *   IPv4  198.18.(i/64).(4*(i%64))/30: A = .+1, B = .+2
 *   IPv6  2001:db8:0:(i+1)::/64:        A = ::1, B = ::2
 * Explicit addresses come in pairs (A's then B's) per family and must lie in
 * 198.18.0.0/15 or 2001:db8::/32 (docs/design.md: documentation ranges only).
 *
 * The parser is pure; kr_topo_load() reads a file and calls it. */
#ifndef KR_TOPO_H
#define KR_TOPO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/kr_util.h"

#define KR_TOPO_MAX_NODES 32
#define KR_TOPO_MAX_LINKS 64
#define KR_NODE_NAME_MAX 15

enum kr_role {
	KR_ROLE_SUT,        /* the system under test */
	KR_ROLE_RTR,        /* RTR cache of the harness */
	KR_ROLE_UPSTREAM,   /* BGPsec peer feeding the SUT */
	KR_ROLE_DOWNSTREAM, /* BGPsec observer of the SUT */
	KR_ROLE_PLAIN,      /* plain BGP (ExaBGP) observer / legacy source */
	KR_ROLE_HOST,       /* anything else (tests) */
};
const char *kr_role_name(enum kr_role r);

/* An interface address: family AF_INET or AF_INET6 (0 = none). */
struct kr_ifaddr {
	int family;
	uint8_t addr[16];
	uint8_t plen;
};
/* "198.18.0.1/30" or "2001:db8::1/64"; 0 or -1. */
int kr_ifaddr_parse(struct kr_ifaddr *a, const char *text);
/* Address without prefix length; buf >= 46 bytes. */
const char *kr_ifaddr_str(const struct kr_ifaddr *a, char *buf, size_t len);
/* Fills a sockaddr_in/_in6 with the address and port; returns its length. */
socklen_t kr_ifaddr_sockaddr(const struct kr_ifaddr *a, uint16_t port,
			     struct sockaddr_storage *ss);

struct kr_topo_node {
	char name[KR_NODE_NAME_MAX + 1];
	enum kr_role role;
	unsigned line;
};

struct kr_topo_link {
	unsigned a, b;                  /* node indexes */
	struct kr_ifaddr a4, b4, a6, b6; /* always set after parsing */
	unsigned line;
};

struct kr_topo {
	size_t nnodes, nlinks;
	struct kr_topo_node nodes[KR_TOPO_MAX_NODES];
	struct kr_topo_link links[KR_TOPO_MAX_LINKS];
};

/* Parse text (not NUL-terminated necessarily). fname is used only in error
 * messages ("FILE:LINE: ..."; err->offset = line). 0 or -1. */
int kr_topo_parse(struct kr_topo *t, const char *text, size_t len, const char *fname,
		  struct kr_err *err);
/* Read and parse a file. 0 or -1. */
int kr_topo_load(struct kr_topo *t, const char *path, struct kr_err *err);

/* Index of the node called name, or -1. */
int kr_topo_node(const struct kr_topo *t, const char *name);
/* Index of the link between nodes a and b (either order), or -1. */
int kr_topo_link(const struct kr_topo *t, unsigned a, unsigned b);
/* Index of the first node with this role, or -1. */
int kr_topo_find_role(const struct kr_topo *t, enum kr_role r);

#endif
