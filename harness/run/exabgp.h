/* ExaBGP (Debian package) as the external plain-BGP peer in the `exa` node.
 *
 * The harness writes ExaBGP's config and a small API helper script (run by
 * /usr/bin/python3, as /usr/sbin/exabgp itself is), starts ExaBGP inside
 * the node with the process API (proc.h), and talks to the helper over a
 * unix socket on the event loop:
 *   - ExaBGP -> harness: JSON lines (parsed and raw packets). Every raw
 *     UPDATE (header + body hex) is decoded with the project's codec and
 *     fed to an observer (observer.h), so ExaBGP's view is queried with the
 *     same waits as dn1/dn2: AS_PATH, withdrawals, and a leaked BGPsec_PATH
 *     seen in the raw bytes (ExaBGP's parsed form drops it).
 *   - harness -> ExaBGP: API commands ("announce route ... attribute [ 0x21
 *     0x80 0xHEX ]", "withdraw route ...").
 * ExaBGP runs with exabgp.daemon.user=root, exabgp.daemon.drop=false,
 * exabgp.api.cli=false, and exabgp.tcp.bind when it must listen. */
#ifndef KR_EXABGP_H
#define KR_EXABGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/evloop.h"
#include "net/netns.h"
#include "run/observer.h"

struct kr_exa_cfg {
	const char *node;      /* topology node to run in (NULL: current netns) */
	const char *workdir;   /* config, helper script, socket and log go here */
	const char *local_ip, *peer_ip;
	uint32_t local_as, peer_as;
	const char *router_id; /* default local_ip when it is IPv4, else 198.18.0.254 */
	bool passive;          /* listen (exabgp.tcp.bind = local_ip) instead of connecting */
	bool ipv6;             /* also negotiate IPv6 unicast */
	uint16_t hold_time;    /* 0: ExaBGP's default */
	const struct kr_keytab *keys; /* observer validation of leaked paths (optional) */
};

struct kr_exa;
struct kr_exa *kr_exa_start(struct kr_loop *l, const struct kr_net *net, const struct kr_exa_cfg *c,
			    struct kr_err *err);
/* SIGTERM, then SIGKILL; safe on NULL. */
void kr_exa_free(struct kr_exa *x);

/* ExaBGP reported the session up (its "state up" message). */
bool kr_exa_established(const struct kr_exa *x);
/* Run the loop until up; 1 up, 0 deadline, -1 ExaBGP died (err says how,
 * with the tail of its log). */
int kr_exa_wait_up(struct kr_exa *x, int64_t deadline_ns, struct kr_err *err);

/* What ExaBGP received, as an observer: is_signed on a route means the
 * peer sent BGPsec_PATH to this plain peer (a leak). */
struct kr_obs *kr_exa_obs(struct kr_exa *x);
/* UPDATEs that carried a BGPsec_PATH (type 33, or 30 from old captures). */
uint64_t kr_exa_leaks(const struct kr_exa *x);
uint64_t kr_exa_updates(const struct kr_exa *x);
/* The peer's OPEN as ExaBGP received it (whole message), NULL before. */
const uint8_t *kr_exa_peer_open(const struct kr_exa *x, size_t *len);
/* Last NOTIFICATION ExaBGP reported (code 0 = none). */
void kr_exa_last_notification(const struct kr_exa *x, uint8_t *code, uint8_t *subcode);

/* One API command line, sent as is (no newline needed). 0 or -1 (helper
 * not connected). */
int kr_exa_command(struct kr_exa *x, const char *line);
/* "announce route P next-hop self as-path [ A B ]" plus, when attr_len is
 * given, "attribute [ 0xCODE 0xFLAGS 0xHEX ]" (raw attribute). */
int kr_exa_announce(struct kr_exa *x, const struct kr_prefix *p, const uint32_t *as_path, size_t n,
		    uint8_t attr_code, uint8_t attr_flags, const uint8_t *attr, size_t attr_len);
int kr_exa_withdraw(struct kr_exa *x, const struct kr_prefix *p);

/* Write the config and helper script into workdir (used by kr_exa_start;
 * exposed so tests can check them with `exabgp --validate`). */
int kr_exa_write_files(const struct kr_exa_cfg *c, const char *sock_path, char *conf_path,
		       size_t conf_len, struct kr_err *err);

#endif
