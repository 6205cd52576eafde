/* Topology file parser; see topo.h. */
#include "net/topo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
	[KR_ROLE_SUT] = "sut",          [KR_ROLE_RTR] = "rtr",
	[KR_ROLE_UPSTREAM] = "upstream", [KR_ROLE_DOWNSTREAM] = "downstream",
	[KR_ROLE_PLAIN] = "plain",      [KR_ROLE_HOST] = "host",
};

const char *kr_role_name(enum kr_role r)
{
	return (unsigned)r < sizeof role_names / sizeof *role_names ? role_names[r] : "?";
}

int kr_ifaddr_parse(struct kr_ifaddr *a, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	if (!slash || (size_t)(slash - text) >= sizeof buf)
		return -1;
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = 0;
	char *end;
	errno = 0;
	long plen = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || errno)
		return -1;
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, buf, a->addr) == 1) {
		a->family = AF_INET;
		if (plen < 1 || plen > 32)
			return -1;
	} else if (inet_pton(AF_INET6, buf, a->addr) == 1) {
		a->family = AF_INET6;
		if (plen < 1 || plen > 128)
			return -1;
	} else {
		return -1;
	}
	a->plen = (uint8_t)plen;
	return 0;
}

const char *kr_ifaddr_str(const struct kr_ifaddr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, a->addr, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

socklen_t kr_ifaddr_sockaddr(const struct kr_ifaddr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, a->addr, 4);
		return sizeof *s;
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	memcpy(&s->sin6_addr, a->addr, 16);
	return sizeof *s;
}

int kr_topo_node(const struct kr_topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (!strcmp(t->nodes[i].name, name))
			return (int)i;
	return -1;
}

int kr_topo_link(const struct kr_topo *t, unsigned a, unsigned b)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct kr_topo_link *l = &t->links[i];
		if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
			return (int)i;
	}
	return -1;
}

int kr_topo_find_role(const struct kr_topo *t, enum kr_role r)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->nodes[i].role == r)
			return (int)i;
	return -1;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > KR_NODE_NAME_MAX || !strcmp(s, "lo") || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Only the documentation / benchmarking ranges are allowed on links. */
static int in_allowed_range(const struct kr_ifaddr *a)
{
	if (a->family == AF_INET)
		return a->addr[0] == 198 && (a->addr[1] & 0xfe) == 18;
	static const uint8_t p6[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	return !memcmp(a->addr, p6, 4);
}

static void auto_addrs(struct kr_topo_link *l, size_t i)
{
	memset(&l->a4, 0, sizeof l->a4);
	l->a4.family = AF_INET;
	l->a4.plen = 30;
	l->a4.addr[0] = 198;
	l->a4.addr[1] = 18;
	l->a4.addr[2] = (uint8_t)(i / 64);
	l->a4.addr[3] = (uint8_t)(4 * (i % 64) + 1);
	l->b4 = l->a4;
	l->b4.addr[3]++;
	memset(&l->a6, 0, sizeof l->a6);
	l->a6.family = AF_INET6;
	l->a6.plen = 64;
	static const uint8_t p6[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	memcpy(l->a6.addr, p6, 4);
	l->a6.addr[6] = (uint8_t)((i + 1) >> 8);
	l->a6.addr[7] = (uint8_t)(i + 1);
	l->a6.addr[15] = 1;
	l->b6 = l->a6;
	l->b6.addr[15] = 2;
}

#define MAX_TOK 12

static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *save = NULL;
	for (char *p = strtok_r(line, " \t\r", &save); p; p = strtok_r(NULL, " \t\r", &save)) {
		if (n == MAX_TOK)
			return -1;
		tok[n++] = p;
	}
	return n;
}

static int parse_node(struct kr_topo *t, char **tok, int n, const char *fname, unsigned ln,
		      struct kr_err *err)
{
	if (n != 3) {
		kr_err_set(err, EINVAL, ln, "%s:%u: expected 'node NAME ROLE'", fname, ln);
		return -1;
	}
	if (!valid_name(tok[1])) {
		kr_err_set(err, EINVAL, ln,
			   "%s:%u: bad node name '%s' (1-15 chars a-z 0-9 _, starting with a letter, not lo)",
			   fname, ln, tok[1]);
		return -1;
	}
	if (kr_topo_node(t, tok[1]) >= 0) {
		kr_err_set(err, EINVAL, ln, "%s:%u: node '%s' defined twice", fname, ln, tok[1]);
		return -1;
	}
	if (t->nnodes == KR_TOPO_MAX_NODES) {
		kr_err_set(err, E2BIG, ln, "%s:%u: more than %d nodes", fname, ln, KR_TOPO_MAX_NODES);
		return -1;
	}
	int role = -1;
	for (size_t r = 0; r < sizeof role_names / sizeof *role_names; r++)
		if (!strcmp(tok[2], role_names[r]))
			role = (int)r;
	if (role < 0) {
		kr_err_set(err, EINVAL, ln,
			   "%s:%u: unknown role '%s' (sut, rtr, upstream, downstream, plain, host)",
			   fname, ln, tok[2]);
		return -1;
	}
	if (role == KR_ROLE_SUT && kr_topo_find_role(t, KR_ROLE_SUT) >= 0) {
		kr_err_set(err, EINVAL, ln, "%s:%u: a second sut node", fname, ln);
		return -1;
	}
	struct kr_topo_node *nd = &t->nodes[t->nnodes++];
	snprintf(nd->name, sizeof nd->name, "%s", tok[1]);
	nd->role = (enum kr_role)role;
	nd->line = ln;
	return 0;
}

static int parse_link(struct kr_topo *t, char **tok, int n, const char *fname, unsigned ln,
		      struct kr_err *err)
{
	if (n < 3 || (n - 3) % 2 || n > 7) {
		kr_err_set(err, EINVAL, ln,
			   "%s:%u: expected 'link A B [ADDR_A/LEN ADDR_B/LEN]...' (one pair per family)",
			   fname, ln);
		return -1;
	}
	int a = kr_topo_node(t, tok[1]), b = kr_topo_node(t, tok[2]);
	if (a < 0 || b < 0) {
		kr_err_set(err, EINVAL, ln, "%s:%u: unknown node '%s' (declare nodes before links)",
			   fname, ln, a < 0 ? tok[1] : tok[2]);
		return -1;
	}
	if (a == b) {
		kr_err_set(err, EINVAL, ln, "%s:%u: link from '%s' to itself", fname, ln, tok[1]);
		return -1;
	}
	if (kr_topo_link(t, (unsigned)a, (unsigned)b) >= 0) {
		kr_err_set(err, EINVAL, ln, "%s:%u: second link between '%s' and '%s'", fname, ln,
			   tok[1], tok[2]);
		return -1;
	}
	if (t->nlinks == KR_TOPO_MAX_LINKS) {
		kr_err_set(err, E2BIG, ln, "%s:%u: more than %d links", fname, ln, KR_TOPO_MAX_LINKS);
		return -1;
	}
	struct kr_topo_link *l = &t->links[t->nlinks];
	memset(l, 0, sizeof *l);
	l->a = (unsigned)a;
	l->b = (unsigned)b;
	l->line = ln;
	auto_addrs(l, t->nlinks);
	int seen4 = 0, seen6 = 0;
	for (int i = 3; i < n; i += 2) {
		struct kr_ifaddr x, y;
		for (int k = 0; k < 2; k++) {
			struct kr_ifaddr *o = k ? &y : &x;
			if (kr_ifaddr_parse(o, tok[i + k]) < 0) {
				kr_err_set(err, EINVAL, ln, "%s:%u: bad address '%s' (want ADDR/LEN)",
					   fname, ln, tok[i + k]);
				return -1;
			}
			if (!in_allowed_range(o)) {
				kr_err_set(err, EINVAL, ln,
					   "%s:%u: address '%s' outside 198.18.0.0/15 and 2001:db8::/32",
					   fname, ln, tok[i + k]);
				return -1;
			}
		}
		if (x.family != y.family || (x.family == AF_INET ? seen4 : seen6)) {
			kr_err_set(err, EINVAL, ln,
				   "%s:%u: addresses must come as one A/B pair per family", fname, ln);
			return -1;
		}
		if (x.plen != y.plen || !memcmp(x.addr, y.addr, 16)) {
			kr_err_set(err, EINVAL, ln,
				   "%s:%u: the two ends need distinct addresses with one prefix length",
				   fname, ln);
			return -1;
		}
		if (x.family == AF_INET) {
			l->a4 = x, l->b4 = y, seen4 = 1;
		} else {
			l->a6 = x, l->b6 = y, seen6 = 1;
		}
	}
	t->nlinks++;
	return 0;
}

/* Every address in the topology must be unique (auto and explicit mixed). */
static int check_unique(const struct kr_topo *t, const char *fname, struct kr_err *err)
{
	for (size_t i = 0; i < t->nlinks; i++) {
		const struct kr_ifaddr *ai[4] = { &t->links[i].a4, &t->links[i].b4,
						  &t->links[i].a6, &t->links[i].b6 };
		for (size_t j = i + 1; j < t->nlinks; j++) {
			const struct kr_ifaddr *aj[4] = { &t->links[j].a4, &t->links[j].b4,
							  &t->links[j].a6, &t->links[j].b6 };
			for (int x = 0; x < 4; x++)
				for (int y = 0; y < 4; y++)
					if (ai[x]->family == aj[y]->family &&
					    !memcmp(ai[x]->addr, aj[y]->addr, 16)) {
						char s[64];
						kr_err_set(err, EINVAL, t->links[j].line,
							   "%s:%u: address %s also used on line %u",
							   fname, t->links[j].line,
							   kr_ifaddr_str(aj[y], s, sizeof s),
							   t->links[i].line);
						return -1;
					}
		}
	}
	return 0;
}

int kr_topo_parse(struct kr_topo *t, const char *text, size_t len, const char *fname,
		  struct kr_err *err)
{
	memset(t, 0, sizeof *t);
	if (!fname)
		fname = "<topology>";
	unsigned ln = 0;
	size_t pos = 0;
	while (pos < len) {
		ln++;
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		char line[512];
		if (e - pos >= sizeof line) {
			kr_err_set(err, EINVAL, ln, "%s:%u: line too long", fname, ln);
			return -1;
		}
		if (memchr(text + pos, 0, e - pos)) {
			kr_err_set(err, EINVAL, ln, "%s:%u: NUL byte in line", fname, ln);
			return -1;
		}
		memcpy(line, text + pos, e - pos);
		line[e - pos] = 0;
		pos = e + 1;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *tok[MAX_TOK];
		int n = tokenize(line, tok);
		if (n < 0) {
			kr_err_set(err, EINVAL, ln, "%s:%u: too many words", fname, ln);
			return -1;
		}
		if (n == 0)
			continue;
		int rc;
		if (!strcmp(tok[0], "node"))
			rc = parse_node(t, tok, n, fname, ln, err);
		else if (!strcmp(tok[0], "link"))
			rc = parse_link(t, tok, n, fname, ln, err);
		else {
			kr_err_set(err, EINVAL, ln, "%s:%u: unknown statement '%s' (node, link)",
				   fname, ln, tok[0]);
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	if (t->nnodes == 0) {
		kr_err_set(err, EINVAL, ln, "%s: no nodes", fname);
		return -1;
	}
	return check_unique(t, fname, err);
}

int kr_topo_load(struct kr_topo *t, const char *path, struct kr_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf, f);
	int rd_err = ferror(f), too_big = n == sizeof buf;
	fclose(f);
	if (rd_err || too_big) {
		kr_err_set(err, EIO, 0, "%s: %s", path, rd_err ? "read error" : "file too large");
		return -1;
	}
	return kr_topo_parse(t, buf, n, path, err);
}
