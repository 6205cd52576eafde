/* The [device] addressing plan of a SUT profile (sut/README.md): per role
 * of the standard topology, an optional 802.1Q id and the addresses of
 * both ends of that role's link to the router. Pure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/topo.h"
#include "run/sut_profile.h"

const char *const kr_sut_dev_roles[KR_SUT_DEV_NROLES] = { "rtr", "up1", "up2", "dn1", "dn2", "exa" };

/* Documentation ranges only (docs/design.md), as on every topology link. */
static bool allowed(const struct kr_ifaddr *a)
{
	if (a->family == AF_INET)
		return a->addr[0] == 198 && (a->addr[1] & 0xfe) == 18;
	static const uint8_t p6[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	return !memcmp(a->addr, p6, 4);
}

static bool same_subnet(const struct kr_ifaddr *a, const struct kr_ifaddr *b)
{
	unsigned bits = a->plen;
	for (unsigned i = 0; i < 16 && bits; i++) {
		unsigned m = bits >= 8 ? 8 : bits;
		uint8_t mask = (uint8_t)(0xff << (8 - m));
		if ((a->addr[i] & mask) != (b->addr[i] & mask))
			return false;
		bits -= m;
	}
	return true;
}

/* "A/LEN" then "B": the harness end and the router's address on it. */
static int addr_pair(const char *a, const char *b, char *da, size_t dasz, char *db, size_t dbsz,
		     int *family, char *msg, size_t msgsz)
{
	struct kr_ifaddr x, y;
	char tmp[80];
	if (kr_ifaddr_parse(&x, a) < 0) {
		snprintf(msg, msgsz, "bad address '%s' (want ADDR/LEN for the harness end)", a);
		return -1;
	}
	if (strchr(b, '/') || snprintf(tmp, sizeof tmp, "%s/%u", b, x.plen) >= (int)sizeof tmp ||
	    kr_ifaddr_parse(&y, tmp) < 0 || y.family != x.family) {
		snprintf(msg, msgsz, "bad router address '%s' (want an address of the family of %s, no /LEN)", b, a);
		return -1;
	}
	if (!allowed(&x) || !allowed(&y)) {
		snprintf(msg, msgsz, "addresses %s %s: only 198.18.0.0/15 and 2001:db8::/32 are used", a, b);
		return -1;
	}
	if (!same_subnet(&x, &y) || !memcmp(x.addr, y.addr, 16)) {
		snprintf(msg, msgsz, "router address %s is not another address of %s's subnet", b, a);
		return -1;
	}
	if (strlen(a) >= dasz || strlen(b) >= dbsz) {
		snprintf(msg, msgsz, "address too long");
		return -1;
	}
	memcpy(da, a, strlen(a) + 1);
	memcpy(db, b, strlen(b) + 1);
	*family = x.family;
	return 0;
}

int kr_sut_device_key(struct kr_sut_profile *p, const char *k, const char *v, size_t line, char *msg,
		      size_t msgsz)
{
	int r = -1;
	for (int i = 0; i < KR_SUT_DEV_NROLES; i++)
		if (!strcmp(k, kr_sut_dev_roles[i]))
			r = i;
	if (r < 0) {
		snprintf(msg, msgsz, "unknown key '%s' in [device] (known: interface, netns, rtr, up1, up2, "
				     "dn1, dn2, exa)", k);
		return -1;
	}
	struct kr_sut_devlink *d = &p->dev[r];
	if (d->set) {
		snprintf(msg, msgsz, "role '%s' given twice", k);
		return -1;
	}
	memset(d, 0, sizeof *d);
	char buf[256], *tok[8];
	int n = 0;
	if (snprintf(buf, sizeof buf, "%s", v) >= (int)sizeof buf) {
		snprintf(msg, msgsz, "line too long");
		return -1;
	}
	for (char *s = strtok(buf, " \t"); s; s = strtok(NULL, " \t")) {
		if (n == 8) {
			snprintf(msg, msgsz, "too many words for role '%s'", k);
			return -1;
		}
		tok[n++] = s;
	}
	int i = 0;
	if (i < n && !strcmp(tok[i], "vlan")) {
		char *end;
		long id = i + 1 < n ? strtol(tok[i + 1], &end, 10) : 0;
		if (i + 1 >= n || *end || id < 1 || id > 4094) {
			snprintf(msg, msgsz, "vlan needs an id 1-4094");
			return -1;
		}
		d->vlan = (unsigned)id;
		i += 2;
	}
	bool have4 = false, have6 = false;
	while (i < n) {
		if (i + 1 >= n) {
			snprintf(msg, msgsz, "'%s' needs the router's address after it", tok[i]);
			return -1;
		}
		char a[80], b[80];
		int fam;
		if (addr_pair(tok[i], tok[i + 1], a, sizeof a, b, sizeof b, &fam, msg, msgsz) < 0)
			return -1;
		if (fam == AF_INET ? have4 : have6) {
			snprintf(msg, msgsz, "two IPv%c pairs for role '%s'", fam == AF_INET ? '4' : '6', k);
			return -1;
		}
		char *da = fam == AF_INET ? d->addr4 : d->addr6, *db = fam == AF_INET ? d->router4 : d->router6;
		size_t cap = fam == AF_INET ? sizeof d->addr4 : sizeof d->addr6;
		if (strlen(a) >= cap || strlen(b) >= cap) {
			snprintf(msg, msgsz, "address too long");
			return -1;
		}
		memcpy(da, a, strlen(a) + 1);
		memcpy(db, b, strlen(b) + 1);
		*(fam == AF_INET ? &have4 : &have6) = true;
		i += 2;
	}
	d->set = true;
	d->line = line;
	return 0;
}

static bool addr_eq(const char *a, const char *b)
{
	struct kr_ifaddr x, y;
	char t[80];
	snprintf(t, sizeof t, "%s/1", b);
	return *a && *b && kr_ifaddr_parse(&x, a) == 0 && kr_ifaddr_parse(&y, strchr(b, '/') ? b : t) == 0 &&
	       x.family == y.family && !memcmp(x.addr, y.addr, 16);
}

int kr_sut_device_check(const struct kr_sut_profile *p, char *msg, size_t msgsz, size_t *line)
{
	for (int i = 0; i < KR_SUT_DEV_NROLES; i++) {
		const struct kr_sut_devlink *a = &p->dev[i];
		for (int j = 0; a->set && j < i; j++) {
			const struct kr_sut_devlink *b = &p->dev[j];
			if (!b->set)
				continue;
			*line = a->line;
			if (a->vlan && a->vlan == b->vlan) {
				snprintf(msg, msgsz, "roles %s and %s share VLAN %u", kr_sut_dev_roles[j],
					 kr_sut_dev_roles[i], a->vlan);
				return -1;
			}
			if (addr_eq(a->addr4, b->addr4) || addr_eq(a->addr6, b->addr6)) {
				snprintf(msg, msgsz, "roles %s and %s share a harness address", kr_sut_dev_roles[j],
					 kr_sut_dev_roles[i]);
				return -1;
			}
		}
	}
	return 0;
}
