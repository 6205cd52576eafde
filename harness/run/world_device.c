/* kind = device (sut/README.md): the SUT is a box at the end of a host
 * interface. The profile's [device] plan replaces the addresses of the
 * topology's links to the sut node (harness ends and router ends), the
 * net layer moves the interface in (netns.h, kr_net_up_dev), and the
 * profile's templates get the plan as variables. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/world_int.h"

bool kr_w_is_device(const struct kr_world *w)
{
	return w->prof->kind && !strcmp(w->prof->kind, "device");
}

/* "B" with the prefix length of "A/LEN". */
static int router_addr(const char *a, const char *b, struct kr_ifaddr *out)
{
	struct kr_ifaddr x;
	char t[96];
	if (kr_ifaddr_parse(&x, a) < 0 || snprintf(t, sizeof(t), "%s/%u", b, x.plen) >= (int)sizeof(t))
		return -1;
	return kr_ifaddr_parse(out, t);
}

int kr_w_dev_plan(struct kr_world *w, struct kr_net_dev *d)
{
	struct kr_topo *t = &w->topo;
	int sut = kr_topo_node(t, KR_W_SUT_NODE);
	memset(d, 0, sizeof(*d));
	d->ifname = w->prof->interface;
	d->netns = w->prof->netns;
	if (sut < 0)
		return kr_error(w->ctx, "topology has no sut node");
	for (int r = 0; r < KR_SUT_DEV_NROLES; r++) {
		const struct kr_sut_devlink *dl = &w->prof->dev[r];
		int node = kr_topo_node(t, kr_sut_dev_roles[r]);
		int k = node < 0 ? -1 : kr_topo_link(t, (unsigned)sut, (unsigned)node);
		if (k < 0)
			return kr_error(w->ctx, "topology has no sut-%s link", kr_sut_dev_roles[r]);
		if (!dl->set)
			continue;
		struct kr_topo_link *l = &t->links[k];
		bool sut_a = (int)l->a == sut;
		d->vlan[node] = (uint16_t)dl->vlan;
		struct kr_ifaddr h, rt;
		if (dl->addr4[0]) {
			if (kr_ifaddr_parse(&h, dl->addr4) < 0 || router_addr(dl->addr4, dl->router4, &rt) < 0)
				return kr_error(w->ctx, "%s: bad addresses for %s", w->prof->file, kr_sut_dev_roles[r]);
			*(sut_a ? &l->b4 : &l->a4) = h;
			*(sut_a ? &l->a4 : &l->b4) = rt;
		}
		if (dl->addr6[0]) {
			if (kr_ifaddr_parse(&h, dl->addr6) < 0 || router_addr(dl->addr6, dl->router6, &rt) < 0)
				return kr_error(w->ctx, "%s: bad addresses for %s", w->prof->file, kr_sut_dev_roles[r]);
			*(sut_a ? &l->b6 : &l->a6) = h;
			*(sut_a ? &l->a6 : &l->b6) = rt;
		}
	}
	return 0;
}

/* Dotted IPv4 netmask of a prefix length. */
static const char *mask4(unsigned plen, char *buf, size_t sz)
{
	uint32_t m = plen ? 0xffffffffu << (32 - plen) : 0;
	snprintf(buf, sz, "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
	return buf;
}

int kr_w_prefix_vars(struct kr_sut_vars *item, const char *prefix)
{
	char net[64], m[20];
	const char *slash = strchr(prefix, '/');
	if (!slash || (size_t)(slash - prefix) >= sizeof(net))
		return -1;
	memcpy(net, prefix, (size_t)(slash - prefix));
	net[slash - prefix] = 0;
	unsigned plen = (unsigned)atoi(slash + 1);
	bool v6 = strchr(net, ':') != NULL;
	if (kr_sut_vars_set(item, "net", net) || kr_sut_vars_setf(item, "plen", "%u", plen) ||
	    kr_sut_vars_set(item, "ipv6", v6 ? "yes" : "") ||
	    kr_sut_vars_set(item, "mask", v6 ? "" : mask4(plen > 32 ? 32 : plen, m, sizeof(m))))
		return -1;
	return 0;
}

/* The link of one role as template variables (item of the `links` and
 * `peers` lists): both ends in both families, prefix lengths, VLAN id, so
 * a router configuration can set up its interfaces. */
int kr_w_link_vars(struct kr_world *w, struct kr_sut_vars *item, const char *role)
{
	unsigned vlan = 0;
	for (int i = 0; i < KR_SUT_DEV_NROLES; i++)
		if (!strcmp(kr_sut_dev_roles[i], role))
			vlan = w->prof->dev[i].vlan;
	struct kr_ifaddr a4, a6, r4, r6;
	char s[64];
	if (kr_net_addr(w->net, role, KR_W_SUT_NODE, AF_INET, &a4) < 0 ||
	    kr_net_addr(w->net, role, KR_W_SUT_NODE, AF_INET6, &a6) < 0 ||
	    kr_net_addr(w->net, KR_W_SUT_NODE, role, AF_INET, &r4) < 0 ||
	    kr_net_addr(w->net, KR_W_SUT_NODE, role, AF_INET6, &r6) < 0)
		return kr_error(w->ctx, "topology has no sut-%s link", role);
	if (kr_sut_vars_set(item, "role", role) || kr_sut_vars_setf(item, "vlan", "%u", vlan) ||
	    kr_sut_vars_set(item, "addr", kr_ifaddr_str(&a4, s, sizeof(s))) ||
	    kr_sut_vars_set(item, "local_addr", kr_ifaddr_str(&r4, s, sizeof(s))) ||
	    kr_sut_vars_setf(item, "plen", "%u", a4.plen) ||
	    kr_sut_vars_set(item, "mask", mask4(a4.plen, s, sizeof(s))) ||
	    kr_sut_vars_set(item, "addr6", kr_ifaddr_str(&a6, s, sizeof(s))) ||
	    kr_sut_vars_set(item, "local_addr6", kr_ifaddr_str(&r6, s, sizeof(s))) ||
	    kr_sut_vars_setf(item, "plen6", "%u", a6.plen))
		return kr_error(w->ctx, "out of memory");
	return 0;
}
