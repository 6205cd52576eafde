/* Reference speaker configuration parser; see rs_config.h. */
#include "rs_config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rs_addr_parse(struct rs_addr *a, const char *s, uint16_t port)
{
	memset(a, 0, sizeof *a);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
	if (inet_pton(AF_INET, s, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		a->len = sizeof *s4;
		a->family = AF_INET;
		memcpy(a->raw, &s4->sin_addr, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		a->len = sizeof *s6;
		a->family = AF_INET6;
		memcpy(a->raw, &s6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

void rs_addr_format(const struct rs_addr *a, char *out, size_t outsz)
{
	if (!inet_ntop(a->family, a->raw, out, (socklen_t)outsz))
		snprintf(out, outsz, "?");
}

bool rs_addr_eq(const struct rs_addr *a, const struct rs_addr *b)
{
	return a->family == b->family && !memcmp(a->raw, b->raw, a->family == AF_INET ? 4 : 16);
}

/* IPv4 before IPv6, then numerically: the "lowest peer address" tie break. */
int rs_addr_cmp(const struct rs_addr *a, const struct rs_addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->raw, b->raw, a->family == AF_INET ? 4 : 16);
}

const char *rs_policy_name(enum rs_policy p)
{
	return p == RS_POLICY_KEEP_LOWER ? "keep-lower-pref" : "reject-notvalid";
}

int rs_policy_parse(const char *s, enum rs_policy *p)
{
	if (!strcmp(s, "reject-notvalid"))
		*p = RS_POLICY_REJECT;
	else if (!strcmp(s, "keep-lower-pref"))
		*p = RS_POLICY_KEEP_LOWER;
	else
		return -1;
	return 0;
}

#define MAXTOK 16

struct pctx {
	const char *fname;
	size_t line;
	struct kr_err *err;
};

#define CERR(...)                                                               \
	do {                                                                    \
		char m_[200];                                                   \
		snprintf(m_, sizeof m_, __VA_ARGS__);                           \
		kr_err_set(x->err, 1, x->line, "%s:%zu: %s", x->fname, x->line, m_); \
		return -1;                                                      \
	} while (0)

static int num(struct pctx *x, const char *s, unsigned long max, unsigned long *out, const char *what)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		CERR("%s: '%s' is not a number", what, s);
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		CERR("%s: '%s' is not a number in 0..%lu", what, s, max);
	*out = v;
	return 0;
}

static int asn(struct pctx *x, const char *s, uint32_t *out)
{
	unsigned long v;
	if (num(x, s, 0xffffffffUL, &v, "AS number"))
		return -1;
	if (v == 0 || v == 23456)
		CERR("AS number %lu is reserved", v);
	*out = (uint32_t)v;
	return 0;
}

static int path(struct pctx *x, char *dst, const char *s, const char *what)
{
	if (strlen(s) >= RS_PATH_MAX)
		CERR("%s path too long", what);
	strcpy(dst, s);
	return 0;
}

static int afi_of(struct pctx *x, const char *s, bool out[3])
{
	if (!strcmp(s, "ipv4"))
		out[KR_AFI_IPV4] = true;
	else if (!strcmp(s, "ipv6"))
		out[KR_AFI_IPV6] = true;
	else if (!strcmp(s, "all"))
		out[KR_AFI_IPV4] = out[KR_AFI_IPV6] = true;
	else
		CERR("address family must be ipv4, ipv6 or all, not '%s'", s);
	return 0;
}

static int peer_stmt(struct pctx *x, struct rs_peer_cfg *p, char **t, int n)
{
	if (!strcmp(t[0], "asn") && n == 2)
		return asn(x, t[1], &p->asn);
	if (!strcmp(t[0], "local-address") && n == 2) {
		if (rs_addr_parse(&p->local, t[1], 0))
			CERR("bad local-address '%s'", t[1]);
		p->has_local = true;
		return 0;
	}
	if (!strcmp(t[0], "port") && n == 2) {
		unsigned long v;
		if (num(x, t[1], 65535, &v, "port") || v == 0)
			CERR("bad port '%s'", t[1]);
		p->port = (uint16_t)v;
		return 0;
	}
	if (!strcmp(t[0], "passive") && n == 1) {
		p->passive = true;
		return 0;
	}
	if (!strcmp(t[0], "active") && n == 1) {
		p->passive = false;
		return 0;
	}
	if (!strcmp(t[0], "pcount0") && n == 1) {
		p->pcount0 = true;
		return 0;
	}
	if (!strcmp(t[0], "family") && n >= 2) {
		p->family[1] = p->family[2] = false;
		for (int i = 1; i < n; i++)
			if (afi_of(x, t[i], p->family))
				return -1;
		return 0;
	}
	if (!strcmp(t[0], "bgpsec") && n >= 2) {
		bool afis[3] = { false };
		if (afi_of(x, t[1], afis))
			return -1;
		bool snd = n == 2, rcv = n == 2;
		for (int i = 2; i < n; i++) {
			if (!strcmp(t[i], "send"))
				snd = true;
			else if (!strcmp(t[i], "receive"))
				rcv = true;
			else
				CERR("bgpsec direction must be send or receive, not '%s'", t[i]);
		}
		for (int a = 1; a <= 2; a++)
			if (afis[a]) {
				p->sec_send[a] = snd;
				p->sec_recv[a] = rcv;
			}
		return 0;
	}
	CERR("unknown peer statement '%s' with %d argument(s)", t[0], n - 1);
}

static int top_stmt(struct pctx *x, struct rs_config *c, char **t, int n)
{
	unsigned long v;
	if (!strcmp(t[0], "asn") && n == 2)
		return asn(x, t[1], &c->asn);
	if (!strcmp(t[0], "router-id") && n == 2) {
		struct in_addr ia;
		if (inet_pton(AF_INET, t[1], &ia) != 1 || ia.s_addr == 0)
			CERR("router-id must be a non-zero IPv4 address, not '%s'", t[1]);
		c->router_id = ntohl(ia.s_addr);
		return 0;
	}
	if (!strcmp(t[0], "hold-time") && n == 2) {
		if (num(x, t[1], 65535, &v, "hold-time") || (v > 0 && v < 3))
			CERR("hold-time must be 0 or 3..65535");
		c->hold_time = (uint16_t)v;
		return 0;
	}
	if (!strcmp(t[0], "listen") && (n == 2 || (n == 4 && !strcmp(t[2], "port")))) {
		if (c->nlisten == RS_MAX_LISTEN)
			CERR("more than %d listen addresses", RS_MAX_LISTEN);
		if (n == 4) {
			if (num(x, t[3], 65535, &v, "port") || v == 0)
				CERR("bad port '%s'", t[3]);
			c->listen_port = (uint16_t)v;
		}
		if (rs_addr_parse(&c->listen[c->nlisten], t[1], 0))
			CERR("bad listen address '%s'", t[1]);
		c->nlisten++;
		return 0;
	}
	if (!strcmp(t[0], "ctl") && n == 2)
		return path(x, c->ctl, t[1], "ctl socket");
	if (!strcmp(t[0], "key-state") && n == 2)
		return path(x, c->key_state, t[1], "key-state file");
	if (!strcmp(t[0], "rtr") && n >= 2 && n % 2 == 0) {
		if (strlen(t[1]) >= sizeof c->rtr_host)
			CERR("rtr host too long");
		strcpy(c->rtr_host, t[1]);
		c->has_rtr = true;
		for (int i = 2; i < n; i += 2) {
			if (!strcmp(t[i], "port")) {
				if (num(x, t[i + 1], 65535, &v, "rtr port") || v == 0)
					CERR("bad rtr port '%s'", t[i + 1]);
				snprintf(c->rtr_port, sizeof c->rtr_port, "%u", (unsigned)(v & 0xffff));
			} else if (!strcmp(t[i], "refresh")) {
				if (num(x, t[i + 1], 86400, &v, "rtr refresh"))
					return -1;
				c->rtr_refresh = (unsigned)v;
			} else if (!strcmp(t[i], "retry")) {
				if (num(x, t[i + 1], 7200, &v, "rtr retry"))
					return -1;
				c->rtr_retry = (unsigned)v;
			} else if (!strcmp(t[i], "expire")) {
				if (num(x, t[i + 1], 172800, &v, "rtr expire"))
					return -1;
				c->rtr_expire = (unsigned)v;
			} else {
				CERR("unknown rtr option '%s' (port, refresh, retry, expire)", t[i]);
			}
		}
		return 0;
	}
	if (!strcmp(t[0], "key") && n == 3) {
		if (!strcmp(t[1], "origin"))
			return path(x, c->origin_key, t[2], "key");
		if (!strcmp(t[1], "transit"))
			return path(x, c->transit_key, t[2], "key");
		if (!strcmp(t[1], "both")) {
			c->shared_key = true;
			if (path(x, c->origin_key, t[2], "key"))
				return -1;
			return path(x, c->transit_key, t[2], "key");
		}
		CERR("key role must be origin, transit or both, not '%s'", t[1]);
	}
	if (!strcmp(t[0], "prefix") && n == 2) {
		if (c->nprefixes == RS_MAX_PREFIXES)
			CERR("more than %d prefixes", RS_MAX_PREFIXES);
		struct kr_prefix *p = &c->prefixes[c->nprefixes];
		if (kr_prefix_parse(p, t[1]))
			CERR("bad prefix '%s'", t[1]);
		kr_prefix_canon(p);
		for (size_t i = 0; i < c->nprefixes; i++)
			if (kr_prefix_eq(&c->prefixes[i], p))
				CERR("prefix %s given twice", t[1]);
		c->nprefixes++;
		return 0;
	}
	if (!strcmp(t[0], "policy") && n == 2) {
		if (rs_policy_parse(t[1], &c->policy))
			CERR("policy must be reject-notvalid or keep-lower-pref, not '%s'", t[1]);
		return 0;
	}
	if (!strcmp(t[0], "nexthop-ipv6") && n == 2) {
		if (inet_pton(AF_INET6, t[1], c->nh6) != 1)
			CERR("bad nexthop-ipv6 '%s'", t[1]);
		c->has_nh6 = true;
		return 0;
	}
	CERR("unknown statement '%s' with %d argument(s)", t[0], n - 1);
}

static int finish_peer(struct pctx *x, struct rs_config *c, struct rs_peer_cfg *p)
{
	x->line = p->line;
	if (!p->asn)
		CERR("peer without 'asn'");
	if (c->asn && p->asn == c->asn)
		CERR("peer AS %u equals the local AS: iBGP is not supported", p->asn);
	for (int a = 1; a <= 2; a++)
		if ((p->sec_send[a] || p->sec_recv[a]) && !p->family[a])
			CERR("bgpsec for %s needs that family enabled (RFC 8205 §2.2)",
			     a == 1 ? "ipv4" : "ipv6");
	for (size_t i = 0; i + 1 < c->npeers; i++)
		if (rs_addr_eq(&c->peers[i].addr, &p->addr))
			CERR("peer address given twice (first at line %zu)", c->peers[i].line);
	if (p->has_local && p->local.family != p->addr.family)
		CERR("local-address and peer address families differ");
	return 0;
}

int rs_config_parse(struct rs_config *c, const char *text, size_t len, const char *fname,
		    struct kr_err *err)
{
	memset(c, 0, sizeof *c);
	c->hold_time = 90;
	c->listen_port = 179;
	c->rtr_refresh = 30;
	c->rtr_retry = 5;
	c->rtr_expire = 600;
	strcpy(c->rtr_port, "323");
	struct pctx xx = { fname ? fname : "config", 0, err }, *x = &xx;
	struct rs_peer_cfg *cur = NULL;
	size_t pos = 0;
	char line[1024];
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		x->line++;
		if (ll >= sizeof line)
			CERR("line longer than %zu characters", sizeof line - 1);
		memcpy(line, text + pos, ll);
		line[ll] = 0;
		pos += ll + (nl ? 1 : 0);
		if (memchr(line, 0, ll))
			CERR("NUL byte");
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *t[MAXTOK];
		int n = 0;
		for (char *s = strtok(line, " \t\r"); s; s = strtok(NULL, " \t\r")) {
			if (n == MAXTOK)
				CERR("too many words");
			t[n++] = s;
		}
		if (!n)
			continue;
		if (!strcmp(t[0], "}") && n == 1) {
			if (!cur)
				CERR("'}' without an open peer block");
			size_t l = x->line;
			if (finish_peer(x, c, cur))
				return -1;
			x->line = l;
			cur = NULL;
			continue;
		}
		if (cur) {
			if (peer_stmt(x, cur, t, n))
				return -1;
			continue;
		}
		if (!strcmp(t[0], "peer")) {
			if (n != 3 || strcmp(t[2], "{"))
				CERR("expected 'peer ADDRESS {'");
			if (c->npeers == RS_MAX_PEERS)
				CERR("more than %d peers", RS_MAX_PEERS);
			cur = &c->peers[c->npeers++];
			cur->line = x->line;
			cur->port = 179;
			cur->family[KR_AFI_IPV4] = cur->family[KR_AFI_IPV6] = true;
			if (rs_addr_parse(&cur->addr, t[1], 179))
				CERR("bad peer address '%s'", t[1]);
			continue;
		}
		if (top_stmt(x, c, t, n))
			return -1;
	}
	x->line++;
	if (cur)
		CERR("peer block opened at line %zu is not closed", cur->line);
	if (!c->asn)
		CERR("missing 'asn'");
	if (!c->router_id)
		CERR("missing 'router-id'");
	if (!c->nlisten && c->npeers) {
		bool any_passive = false;
		for (size_t i = 0; i < c->npeers; i++)
			any_passive |= c->peers[i].passive;
		if (any_passive)
			CERR("passive peers need a 'listen' address");
	}
	bool any_sec = false;
	for (size_t i = 0; i < c->npeers; i++) {
		if (c->peers[i].asn == c->asn) {
			x->line = c->peers[i].line;
			CERR("peer AS %u equals the local AS: iBGP is not supported", c->asn);
		}
		for (int a = 1; a <= 2; a++)
			any_sec |= c->peers[i].sec_send[a];
	}
	if (any_sec && (!c->origin_key[0] || !c->transit_key[0]))
		CERR("BGPsec send configured but keys missing: give 'key origin' and "
		     "'key transit', or 'key both'");
	return 0;
}
