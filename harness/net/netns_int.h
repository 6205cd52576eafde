/* Internals shared by netns.c and netns_dev.c (not for other files). */
#ifndef KR_NETNS_INT_H
#define KR_NETNS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "net/netns.h"

struct nl_sock;
struct kr_netdev;

struct kr_net {
	struct kr_topo topo;
	char tag[KR_TAG_MAX + 1];
	char ns[KR_TOPO_MAX_NODES][KR_TAG_MAX + KR_NODE_NAME_MAX + 2];
	int fd[KR_TOPO_MAX_NODES]; /* -1 when not created */
	int statefd;
	uint64_t td_id;
	bool down;
	struct kr_netdev *dev;     /* kind = device: the lab interface, or NULL */
	int ext;                   /* node behind the lab interface, or -1 */
};

/* The harness's own namespace (captured once), or -1. */
int kr_netns_home(void);
/* setns to fd; on failure to return to a namespace nothing is trustworthy
 * any more: abort. */
void kr_netns_setns_or_die(int fd);
struct nl_sock *kr_netns_nl_open(struct kr_err *err, const char *where);
int kr_netns_link_up(struct nl_sock *sk, const char *ifname, int *ifindex, struct kr_err *err,
		     const char *ns);
int kr_netns_add_addr(struct nl_sock *sk, int ifindex, const struct kr_ifaddr *a, struct kr_err *err,
		      const char *ns, const char *ifname);
int kr_netns_write_sysctl(const char *path, const char *val);
int kr_netns_state_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* netns_dev.c. Attach: record the interface in the state file, move it
 * into the external node's namespace and make one child per link of that
 * node (802.1Q or macvlan) straight into the peer's namespace. */
int kr_netdev_attach(struct kr_net *n, const struct kr_net_dev *d, struct kr_err *err);
/* Children deleted, the interface back home with its name, addresses and
 * up/down state. Idempotent; frees n->dev. */
void kr_netdev_restore(struct kr_net *n);
/* `keyroll clean`: redo the restore from the state file's dev lines.
 * Returns 0, or -1 (err says why) when the interface could not be put
 * back: the caller then keeps the namespace that holds it. */
const char *kr_netdev_ifname(const struct kr_net *n);
int kr_netdev_clean(const char *tag, char *const *lines, size_t nlines, struct kr_err *err);

#endif
