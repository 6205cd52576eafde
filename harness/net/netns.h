/* Network namespaces built from a topology with libnl-route-3.
 *
 * Every node becomes a namespace named TAG-NODE, bind-mounted on
 * /run/netns/TAG-NODE (so `ip netns` lists it). TAG is the run tag:
 * "kr" followed by [a-z0-9] (default "kr<pid>n<seq>"). Every link becomes a
 * veth pair created straight into its two namespaces, so nothing ever
 * appears in the host's link table; the end inside node A that leads to
 * node B is named B. Each namespace gets lo up, IPv6 DAD off (addresses are
 * usable at once) and its link addresses; no routes are added anywhere and
 * no namespace is ever routed to the host.
 *
 * Every namespace is recorded in /run/keyroll/TAG.state before it is made,
 * so `keyroll clean` finds what a SIGKILLed run left behind. Teardown kills
 * every process living in the namespaces, unmounts and removes them, then
 * the state file; it is registered with teardown.h, so it also runs at exit
 * and on SIGINT/SIGTERM. */
#ifndef KR_NETNS_H
#define KR_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/kr_util.h"
#include "net/topo.h"

#define KR_NETNS_DIR "/run/netns"
#define KR_STATE_DIR "/run/keyroll"
#define KR_TAG_MAX 24

struct kr_net;

/* Root, /proc/self/ns/net and unshare(CLONE_NEWNET) usable? 0, or -1 with
 * a message that says what is missing. */
int kr_net_preflight(struct kr_err *err);

/* Build the topology. tag NULL: a fresh default tag. persistent: mark the
 * state as deliberately left up (`keyroll netns up`), so a tagless
 * `keyroll clean` keeps it. Returns NULL with err set; anything half-built
 * has been removed again by then. */
struct kr_net *kr_net_up(const struct kr_topo *t, const char *tag, bool persistent,
			 struct kr_err *err);
/* kind = device (sut/README.md): the node of role sut is an external box
 * at the end of a host interface. That interface is recorded in the state
 * file, moved into the sut node's namespace (name kept), and each link of
 * the sut node becomes a child of it created straight into the peer's
 * namespace under the usual name (the end in A leading to B is named B):
 * an 802.1Q subinterface when the link has a VLAN id, else a macvlan
 * (bridge mode) with its own MAC on the untagged wire. Only the peers' ends
 * get addresses; the box's are its own. Teardown (and `keyroll clean`
 * after a SIGKILL) deletes the children and puts the interface back in its
 * namespace with its name, addresses and up/down state. Refused: lo, an
 * interface that is missing, and one carrying routes the harness could
 * not give back (anything but the kernel's routes of its addresses). */
struct kr_net_dev {
	const char *ifname;
	const char *netns;                /* /run/netns/NAME holding it; NULL: the harness's */
	uint16_t vlan[KR_TOPO_MAX_NODES]; /* per node: VLAN id of its link to the box, 0 none */
};
struct kr_net *kr_net_up_dev(const struct kr_topo *t, const char *tag, const struct kr_net_dev *dev,
			     struct kr_err *err);
/* Name of the external node of a device run, else NULL; *ifname (may be
 * NULL) gets the lab interface's name. */
const char *kr_net_external(const struct kr_net *n, const char **ifname);

/* Tear down (idempotent; the object stays valid for queries of tag/names). */
void kr_net_down(struct kr_net *n);
/* kr_net_down + free. NULL is fine. */
void kr_net_free(struct kr_net *n);
/* Leave everything up and forget it (the process is about to exit; used by
 * `keyroll netns up`). Frees n. */
void kr_net_release(struct kr_net *n);

const char *kr_net_tag(const struct kr_net *n);
const struct kr_topo *kr_net_topo(const struct kr_net *n);
/* Namespace name of a node ("TAG-NODE") or NULL when unknown. */
const char *kr_net_ns_name(const struct kr_net *n, const char *node);
/* Open namespace fd of a node (owned by n), or -1. */
int kr_net_node_fd(const struct kr_net *n, const char *node);
/* Address of `node` on its link to `peer` (family AF_INET or AF_INET6).
 * 0, or -1 when there is no such link. */
int kr_net_addr(const struct kr_net *n, const char *node, const char *peer, int family,
		struct kr_ifaddr *out);

/* A socket created inside node's namespace (the calling thread enters it
 * and returns). type may carry SOCK_NONBLOCK; SOCK_CLOEXEC is always set.
 * Returns the fd or -1 (errno set). */
int kr_net_socket(const struct kr_net *n, const char *node, int domain, int type, int proto);

/* Move the calling thread into node's namespace / back to the namespace it
 * was in when the first kr_net was built. Sockets, pcap handles and netlink
 * sockets created in between belong to the node. 0 or -1. */
int kr_net_enter(const struct kr_net *n, const char *node);
int kr_net_leave(void);
/* fd of that home namespace (owned by the library), or -1. */
int kr_net_home_fd(void);

/* ---- leftovers (keyroll clean / keyroll netns down) ------------------- */

/* Remove the run with this tag: kill its processes, delete its namespaces
 * and state file, whether or not its owner still lives. Returns the number
 * of namespaces removed, -1 on error (err set). */
int kr_net_clean_tag(const char *tag, struct kr_err *err);

/* Which runs a tagless clean removes. */
enum kr_clean_scope {
	KR_CLEAN_DEAD,       /* owner gone and not persistent (killed runs) */
	KR_CLEAN_PERSISTENT, /* persistent ones (`keyroll netns down`) */
	KR_CLEAN_ALL_DEAD,   /* both of the above */
};
/* Remove every matching run; calls report(tag, nns) for each. Returns the
 * number of runs removed, -1 on error. Runs with a live owner are never
 * touched, so concurrent runs are safe. */
int kr_net_clean(enum kr_clean_scope scope, void (*report)(const char *tag, int nns),
		 struct kr_err *err);

/* Kill (SIGKILL) every process whose network namespace is the one at
 * nsfd, and wait (bounded) until they are gone. Returns the number killed. */
int kr_net_kill_ns_procs(int nsfd);

/* Valid run tag? ("kr" + 1..KR_TAG_MAX-2 chars [a-z0-9]) */
bool kr_net_tag_valid(const char *tag);

#endif
