/* SUT profile parser and template expander; see sut_profile.h and
 * sut/README.md for the format. */
#include "run/sut_profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[KR_SUT_NACTIONS] = {
	"start", "stop", "rekey", "version", "ready",
};

const char *kr_sut_action_name(enum kr_sut_action a)
{
	return a < KR_SUT_NACTIONS ? action_names[a] : "?";
}

/* Capabilities the harness knows; a typo in a profile is an error rather
 * than a silently missing capability. */
enum cap_type { CAP_BOOL, CAP_INT, CAP_STR };
static const struct {
	const char *name;
	enum cap_type type;
} known_caps[] = {
	{ "bgpsec", CAP_BOOL },            /* validates BGPsec_PATH from peers */
	{ "sign", CAP_BOOL },              /* signs its own BGPsec_PATH */
	{ "originate", CAP_BOOL },         /* originates prefixes of its own */
	{ "ipv4", CAP_BOOL },
	{ "ipv6", CAP_BOOL },
	{ "rtr", CAP_BOOL },               /* takes router keys over RTR v1 */
	{ "can_rekey", CAP_BOOL },         /* rekey action works */
	{ "can_stagger", CAP_BOOL },       /* per-peer staggered twilight */
	{ "restart", CAP_BOOL },           /* may be stopped and started mid-case */
	{ "origin_transit_split", CAP_BOOL }, /* separate origin and transit keys */
	{ "shared_key", CAP_BOOL },        /* one key for origin and transit */
	{ "pcount0", CAP_BOOL },           /* pCount 0 allowance configurable */
	{ "plain_peers", CAP_BOOL },       /* sessions without BGPsec */
	{ "active", CAP_BOOL },            /* opens sessions itself */
	{ "passive", CAP_BOOL },           /* accepts sessions */
	{ "policy", CAP_STR },             /* reject-notvalid | keep-lower-pref */
	{ "mrai_ms", CAP_INT },            /* hold-back of announcements */
	{ "announce_delay_ms", CAP_INT },  /* extra processing delay, announcements */
	{ "withdraw_delay_ms", CAP_INT },  /* extra processing delay, withdrawals */
	{ "rtr_delay_ms", CAP_INT },       /* RTR change to reaction on the wire */
	{ "startup_ms", CAP_INT },         /* start to accepting sessions */
	{ "idle_hold_ms", CAP_INT },       /* session down to accepting it again */
	{ "rtr_refresh_min_s", CAP_INT },  /* smallest RTR intervals it accepts */
	{ "rtr_expire_min_s", CAP_INT },
	{ "rtr_retry_min_s", CAP_INT },
	/* full tables (suites/scale.c): the largest table the SUT takes (0: no
	 * limit) and the rates its deadlines are computed from */
	{ "max_routes", CAP_INT },
	{ "verify_per_s", CAP_INT },       /* BGPsec signatures verified per second */
	{ "sign_per_s", CAP_INT },         /* signatures made per second */
	{ "updates_per_s", CAP_INT },      /* UPDATEs taken in or sent per second */
};

static int cap_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof known_caps / sizeof known_caps[0]; i++)
		if (!strcmp(known_caps[i].name, name))
			return (int)i;
	return -1;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	return -1;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* ---- profile ------------------------------------------------------------ */

enum section { S_NONE, S_SUT, S_CAPS, S_OPTIONS, S_XFAIL, S_DEVICE };

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static int kv_add(struct kr_sut_kv **arr, size_t *n, const char *k, const char *v, size_t line)
{
	struct kr_sut_kv *a = realloc(*arr, (*n + 1) * sizeof **arr);
	if (!a)
		return -1;
	*arr = a;
	a[*n].key = strdup(k);
	a[*n].val = strdup(v);
	a[*n].line = line;
	if (!a[*n].key || !a[*n].val) {
		free(a[*n].key);
		free(a[*n].val);
		return -1;
	}
	(*n)++;
	return 0;
}

static const struct kr_sut_kv *kv_find(const struct kr_sut_kv *a, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(a[i].key, k))
			return &a[i];
	return NULL;
}

static void kv_free(struct kr_sut_kv *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].key);
		free(a[i].val);
	}
	free(a);
}

void kr_sut_profile_free(struct kr_sut_profile *p)
{
	if (!p)
		return;
	free(p->file);
	free(p->name);
	free(p->kind);
	for (int i = 0; i < KR_SUT_NACTIONS; i++)
		free(p->action[i]);
	free(p->config_template);
	free(p->config_file);
	free(p->interface);
	free(p->netns);
	kv_free(p->caps, p->ncaps);
	kv_free(p->options, p->noptions);
	kv_free(p->xfail, p->nxfail);
	memset(p, 0, sizeof *p);
}

#define PERR(...)                                                              \
	do {                                                                   \
		char m_[200];                                                  \
		snprintf(m_, sizeof m_, __VA_ARGS__);                          \
		kr_err_set(err, 1, lineno, "%s:%zu: %s", fname, lineno, m_);   \
		goto fail;                                                     \
	} while (0)

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -1;
}

/* A case id is "theme/section/number": printable, no spaces. */
static bool valid_case_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == '=')
			return false;
	return true;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static int sut_key(struct kr_sut_profile *p, const char *k, const char *v)
{
	for (int a = 0; a < KR_SUT_NACTIONS; a++) {
		if (strcmp(k, action_names[a]))
			continue;
		if (!strncmp(v, "manual:", 7)) {
			const char *r = v + 7;
			while (*r == ' ')
				r++;
			p->manual[a] = true;
			return set_str(&p->action[a], *r ? r : "manual action");
		}
		p->manual[a] = false;
		return set_str(&p->action[a], v);
	}
	if (!strcmp(k, "name"))
		return set_str(&p->name, v);
	if (!strcmp(k, "kind")) {
		if (strcmp(v, "daemon") && strcmp(v, "device"))
			return -2;
		return set_str(&p->kind, v);
	}
	if (!strcmp(k, "config"))
		return set_str(&p->config_template, v);
	if (!strcmp(k, "config-file"))
		return set_str(&p->config_file, v);
	if (!strcmp(k, "lifetime")) {
		if (strcmp(v, "case") && strcmp(v, "run"))
			return -4;
		p->lifetime_run = !strcmp(v, "run");
		return 0;
	}
	if (!strcmp(k, "confirm_timeout_s")) {
		long l;
		if (parse_long(v, &l) || l < 1 || l > 86400)
			return -5;
		p->confirm_timeout_s = l;
		return 0;
	}
	return -3;
}

int kr_sut_profile_parse(struct kr_sut_profile *p, const char *text, size_t len,
			 const char *fname, struct kr_err *err)
{
	memset(p, 0, sizeof *p);
	size_t lineno = 0;
	enum section sec = S_NONE;
	char *buf = NULL;
	if (!fname)
		fname = "profile";
	p->file = strdup(fname);
	if (!p->file)
		goto nomem;
	if (memchr(text, 0, len)) {
		lineno = 1;
		PERR("NUL byte in profile");
	}
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		free(buf);
		buf = malloc(ll + 1);
		if (!buf)
			goto nomem;
		memcpy(buf, text + pos, ll);
		buf[ll] = 0;
		pos += ll + (nl ? 1 : 0);
		char *s = trim(buf);
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || e[1])
				PERR("malformed section header '%s'", s);
			*e = 0;
			s = trim(s + 1);
			if (!strcmp(s, "sut")) sec = S_SUT;
			else if (!strcmp(s, "capabilities")) sec = S_CAPS;
			else if (!strcmp(s, "options")) sec = S_OPTIONS;
			else if (!strcmp(s, "expected-failures")) sec = S_XFAIL;
			else if (!strcmp(s, "device")) sec = S_DEVICE;
			else
				PERR("unknown section [%s] (known: sut, capabilities, options, "
				     "expected-failures, device)", s);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			PERR("expected 'key = value', got '%s'", s);
		*eq = 0;
		char *k = trim(s), *v = trim(eq + 1);
		if (!*k)
			PERR("empty key");
		switch (sec) {
		case S_NONE:
			PERR("'%s' outside any section (start with [sut])", k);
		case S_SUT: {
			if (!*v)
				PERR("empty value for '%s'", k);
			int r = sut_key(p, k, v);
			if (r == -1)
				goto nomem;
			if (r == -2)
				PERR("kind must be 'daemon' or 'device', not '%s'", v);
			if (r == -3)
				PERR("unknown key '%s' in [sut] (known: name, kind, config, config-file, "
				     "lifetime, confirm_timeout_s, start, stop, rekey, version, ready)", k);
			if (r == -4)
				PERR("lifetime must be 'case' or 'run', not '%s'", v);
			if (r == -5)
				PERR("confirm_timeout_s needs whole seconds 1-86400, not '%s'", v);
			break;
		}
		case S_CAPS: {
			int ci = cap_lookup(k);
			if (ci < 0)
				PERR("unknown capability '%s'", k);
			if (kv_find(p->caps, p->ncaps, k))
				PERR("capability '%s' given twice", k);
			bool b;
			long l;
			if (known_caps[ci].type == CAP_BOOL && parse_bool(v, &b))
				PERR("capability '%s' needs yes or no, not '%s'", k, v);
			if (known_caps[ci].type == CAP_INT && parse_long(v, &l))
				PERR("capability '%s' needs a non-negative integer, not '%s'", k, v);
			if (kv_add(&p->caps, &p->ncaps, k, v, lineno))
				goto nomem;
			break;
		}
		case S_OPTIONS:
			if (!valid_name(k))
				PERR("bad option name '%s'", k);
			if (kv_find(p->options, p->noptions, k))
				PERR("option '%s' given twice", k);
			if (kv_add(&p->options, &p->noptions, k, v, lineno))
				goto nomem;
			break;
		case S_XFAIL:
			if (!valid_case_id(k))
				PERR("bad case id '%s'", k);
			if (!*v)
				PERR("expected failure '%s' needs a reason", k);
			if (kv_find(p->xfail, p->nxfail, k))
				PERR("expected failure '%s' given twice", k);
			if (kv_add(&p->xfail, &p->nxfail, k, v, lineno))
				goto nomem;
			break;
		case S_DEVICE: {
			char m[200];
			if (!strcmp(k, "interface") || !strcmp(k, "netns")) {
				if (!valid_name(v) || strlen(v) > 15)
					PERR("bad %s name '%s'", k, v);
				if (set_str(!strcmp(k, "netns") ? &p->netns : &p->interface, v))
					goto nomem;
			} else if (kr_sut_device_key(p, k, v, lineno, m, sizeof m) < 0) {
				PERR("%s", m);
			}
			break;
		}
		}
	}
	free(buf);
	buf = NULL;
	lineno++;
	if (!p->name)
		PERR("missing 'name' in [sut]");
	if (!p->action[KR_SUT_START])
		PERR("missing 'start' in [sut] (use 'start = manual: REASON' for a device)");
	if (p->kind && !strcmp(p->kind, "device") && !p->interface)
		PERR("kind = device needs [device] interface = NAME");
	if (p->interface && (!p->kind || strcmp(p->kind, "device")))
		PERR("[device] interface given but kind is not 'device'");
	if (p->interface) {
		char m[200];
		size_t l = lineno;
		if (kr_sut_device_check(p, m, sizeof m, &l) < 0) {
			lineno = l;
			PERR("%s", m);
		}
	}
	if (!p->kind && set_str(&p->kind, "daemon"))
		goto nomem;
	if (!p->confirm_timeout_s)
		p->confirm_timeout_s = 600;
	return 0;
nomem:
	kr_err_set(err, 1, lineno, "%s:%zu: out of memory", fname, lineno);
fail:
	free(buf);
	kr_sut_profile_free(p);
	return -1;
}

const char *kr_sut_cap_str(const struct kr_sut_profile *p, const char *key)
{
	const struct kr_sut_kv *kv = kv_find(p->caps, p->ncaps, key);
	return kv ? kv->val : NULL;
}

bool kr_sut_cap_bool(const struct kr_sut_profile *p, const char *key, bool dflt)
{
	const char *s = kr_sut_cap_str(p, key);
	bool b;
	return s && !parse_bool(s, &b) ? b : dflt;
}

long kr_sut_cap_int(const struct kr_sut_profile *p, const char *key, long dflt)
{
	const char *s = kr_sut_cap_str(p, key);
	long l;
	return s && !parse_long(s, &l) ? l : dflt;
}

const char *kr_sut_xfail(const struct kr_sut_profile *p, const char *case_id)
{
	const struct kr_sut_kv *kv = kv_find(p->xfail, p->nxfail, case_id);
	return kv ? kv->val : NULL;
}

const char *kr_sut_action_unavailable(const struct kr_sut_profile *p, enum kr_sut_action a,
				      char *buf, size_t bufsz)
{
	if (a >= KR_SUT_NACTIONS || !p->action[a]) {
		snprintf(buf, bufsz, "profile %s has no '%s' action", p->name ? p->name : "?",
			 kr_sut_action_name(a));
		return buf;
	}
	if (p->manual[a]) {
		snprintf(buf, bufsz, "manual: %s", p->action[a]);
		return buf;
	}
	return NULL;
}

/* ---- variables ---------------------------------------------------------- */

struct var {
	char *name;
	char *value;                 /* scalar, or NULL for a list */
	struct kr_sut_vars **items;  /* list items */
	size_t nitems;
};

struct kr_sut_vars {
	struct var *v;
	size_t n;
};

struct kr_sut_vars *kr_sut_vars_new(void) { return calloc(1, sizeof(struct kr_sut_vars)); }

void kr_sut_vars_free(struct kr_sut_vars *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
		for (size_t j = 0; j < vs->v[i].nitems; j++)
			kr_sut_vars_free(vs->v[i].items[j]);
		free(vs->v[i].items);
	}
	free(vs->v);
	free(vs);
}

static struct var *var_get(struct kr_sut_vars *vs, const char *name, bool create)
{
	for (size_t i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	if (!create)
		return NULL;
	struct var *a = realloc(vs->v, (vs->n + 1) * sizeof *a);
	if (!a)
		return NULL;
	vs->v = a;
	struct var *nv = &a[vs->n];
	memset(nv, 0, sizeof *nv);
	nv->name = strdup(name);
	if (!nv->name)
		return NULL;
	vs->n++;
	return nv;
}

int kr_sut_vars_set(struct kr_sut_vars *vs, const char *name, const char *value)
{
	struct var *v = var_get(vs, name, true);
	if (!v)
		return -1;
	char *c = strdup(value);
	if (!c)
		return -1;
	free(v->value);
	v->value = c;
	return 0;
}

int kr_sut_vars_setf(struct kr_sut_vars *vs, const char *name, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -1;
	return kr_sut_vars_set(vs, name, tmp);
}

int kr_sut_vars_list(struct kr_sut_vars *vs, const char *name)
{
	return var_get(vs, name, true) ? 0 : -1;
}

struct kr_sut_vars *kr_sut_vars_add_item(struct kr_sut_vars *vs, const char *name)
{
	struct var *v = var_get(vs, name, true);
	if (!v)
		return NULL;
	struct kr_sut_vars **a = realloc(v->items, (v->nitems + 1) * sizeof *a);
	if (!a)
		return NULL;
	v->items = a;
	a[v->nitems] = kr_sut_vars_new();
	if (!a[v->nitems])
		return NULL;
	return a[v->nitems++];
}

/* ---- expansion ---------------------------------------------------------- */

#define MAX_SCOPES 8

struct xctx {
	const char *t;
	size_t len;
	const char *tname;
	const struct kr_sut_vars *scope[MAX_SCOPES];
	int nscope;
	struct kr_bytes *out;
	struct kr_err *err;
	bool loose; /* unknown {name} renders as <name> (messages, not commands) */
};

static size_t line_at(const struct xctx *x, size_t off)
{
	size_t l = 1;
	for (size_t i = 0; i < off && i < x->len; i++)
		l += x->t[i] == '\n';
	return l;
}

static int xerr(struct xctx *x, size_t off, const char *fmt, const char *arg)
{
	char m[200];
	snprintf(m, sizeof m, fmt, arg);
	size_t l = line_at(x, off);
	kr_err_set(x->err, 1, l, "%s:%zu: %s", x->tname, l, m);
	return -1;
}

static const struct var *lookup(const struct xctx *x, const char *name)
{
	for (int i = x->nscope - 1; i >= 0; i--) {
		const struct kr_sut_vars *vs = x->scope[i];
		for (size_t j = 0; j < vs->n; j++)
			if (!strcmp(vs->v[j].name, name))
				return &vs->v[j];
	}
	return NULL;
}

static bool truthy(const struct var *v)
{
	if (!v)
		return false;
	if (!v->value)
		return v->nitems > 0;
	return *v->value && strcmp(v->value, "0") && strcmp(v->value, "no") &&
	       strcmp(v->value, "false");
}

/* Find the {/name} closing the block whose body starts at `from`, skipping
 * nested blocks of the same name. Returns its offset or (size_t)-1. */
static size_t find_close(const struct xctx *x, size_t from, const char *name)
{
	int depth = 0;
	size_t nl = strlen(name);
	for (size_t i = from; i + 2 < x->len; i++) {
		if (x->t[i] != '{')
			continue;
		if (i + 1 < x->len && x->t[i + 1] == '{') {
			i++;
			continue;
		}
		char c = x->t[i + 1];
		if ((c == '#' || c == '?' || c == '!' || c == '/') && i + 2 + nl < x->len &&
		    !memcmp(x->t + i + 2, name, nl) && x->t[i + 2 + nl] == '}') {
			if (c != '/')
				depth++;
			else if (depth-- == 0)
				return i;
		}
	}
	return (size_t)-1;
}

static int expand_range(struct xctx *x, size_t a, size_t b);

static int expand_range(struct xctx *x, size_t a, size_t b)
{
	size_t i = a;
	while (i < b) {
		char c = x->t[i];
		if (c == '}') {
			if (i + 1 < b && x->t[i + 1] == '}') {
				if (kr_bytes_append(x->out, "}", 1))
					return xerr(x, i, "%s", "out of memory");
				i += 2;
				continue;
			}
			return xerr(x, i, "%s", "unmatched '}' (write }} for a literal brace)");
		}
		if (c != '{') {
			size_t j = i;
			while (j < b && x->t[j] != '{' && x->t[j] != '}')
				j++;
			if (kr_bytes_append(x->out, x->t + i, j - i))
				return xerr(x, i, "%s", "out of memory");
			i = j;
			continue;
		}
		if (i + 1 < b && x->t[i + 1] == '{') {
			if (kr_bytes_append(x->out, "{", 1))
				return xerr(x, i, "%s", "out of memory");
			i += 2;
			continue;
		}
		const char *cl = memchr(x->t + i, '}', b - i);
		if (!cl)
			return xerr(x, i, "%s", "unterminated '{'");
		size_t tl = (size_t)(cl - (x->t + i)) - 1;
		char tag[128];
		if (tl == 0 || tl >= sizeof tag)
			return xerr(x, i, "%s", "empty or overlong {tag}");
		memcpy(tag, x->t + i + 1, tl);
		tag[tl] = 0;
		size_t after = (size_t)(cl - x->t) + 1;
		char kind = tag[0];
		if (kind == '/')
			return xerr(x, i, "unexpected {%s} without an opening block", tag);
		if (kind == '#' || kind == '?' || kind == '!') {
			const char *name = tag + 1;
			size_t close = find_close(x, after, name);
			if (close == (size_t)-1 || close >= b)
				return xerr(x, i, "block {%s} is never closed", tag);
			const struct var *v = lookup(x, name);
			size_t next = close + 3 + strlen(name);
			if (kind == '#') {
				if (!v)
					return xerr(x, i, "unknown list {%s}", tag);
				if (v->value)
					return xerr(x, i, "{%s}: variable is not a list", tag);
				if (x->nscope >= MAX_SCOPES)
					return xerr(x, i, "{%s}: lists nested too deep", tag);
				for (size_t k = 0; k < v->nitems; k++) {
					x->scope[x->nscope++] = v->items[k];
					int r = expand_range(x, after, close);
					x->nscope--;
					if (r)
						return r;
				}
			} else if (truthy(v) == (kind == '?')) {
				if (expand_range(x, after, close))
					return -1;
			}
			i = next;
			continue;
		}
		const struct var *v = lookup(x, tag);
		if (!v && x->loose) {
			if (kr_bytes_append(x->out, "<", 1) || kr_bytes_append(x->out, tag, strlen(tag)) ||
			    kr_bytes_append(x->out, ">", 1))
				return xerr(x, i, "%s", "out of memory");
			i = after;
			continue;
		}
		if (!v)
			return xerr(x, i, "unknown variable {%s}", tag);
		if (!v->value)
			return xerr(x, i, "{%s} is a list; use a {#list}...{/list} block", tag);
		if (kr_bytes_append(x->out, v->value, strlen(v->value)))
			return xerr(x, i, "%s", "out of memory");
		i = after;
	}
	return 0;
}

int kr_sut_expand(const char *tmpl, size_t len, const char *tname, const struct kr_sut_vars *v,
		  struct kr_bytes *out, struct kr_err *err)
{
	struct xctx x = { .t = tmpl, .len = len, .tname = tname ? tname : "template",
			  .out = out, .err = err };
	x.scope[x.nscope++] = v;
	size_t start = out->len;
	if (expand_range(&x, 0, len) || kr_bytes_append(out, "", 1)) {
		if (out->len > start)
			out->len = start;
		if (!err || !err->code)
			kr_err_set(err, 1, 0, "%s: out of memory", x.tname);
		return -1;
	}
	out->len--; /* keep the NUL outside len */
	return 0;
}

char *kr_sut_expand_loose(const char *tmpl, const struct kr_sut_vars *v)
{
	struct kr_sut_vars *empty = v ? NULL : kr_sut_vars_new();
	struct kr_bytes out = { 0 };
	struct kr_err err = { 0 };
	struct xctx x = { .t = tmpl, .len = strlen(tmpl), .tname = "text", .out = &out, .err = &err,
			  .loose = true };
	x.scope[x.nscope++] = v ? v : empty;
	bool ok = (v || empty) && expand_range(&x, 0, x.len) == 0 && kr_bytes_append(&out, "", 1) == 0;
	kr_sut_vars_free(empty);
	if (!ok) {
		kr_bytes_free(&out);
		return strdup(tmpl);
	}
	return (char *)out.p;
}

int kr_sut_apply_options(const struct kr_sut_profile *p, char *const *kv, size_t n,
			 struct kr_sut_vars *v, struct kr_err *err)
{
	struct kr_bytes all = { 0 };
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		if (!eq || eq == kv[i]) {
			kr_err_set(err, 1, i, "--sut-opt '%s': expected KEY=VALUE", kv[i]);
			goto out;
		}
		char key[64];
		size_t kl = (size_t)(eq - kv[i]);
		if (kl >= sizeof key) {
			kr_err_set(err, 1, i, "--sut-opt '%s': key too long", kv[i]);
			goto out;
		}
		memcpy(key, kv[i], kl);
		key[kl] = 0;
		const struct kr_sut_kv *o = kv_find(p->options, p->noptions, key);
		if (!o) {
			char known[200] = "";
			for (size_t j = 0; j < p->noptions; j++) {
				strncat(known, j ? ", " : "", sizeof known - strlen(known) - 1);
				strncat(known, p->options[j].key, sizeof known - strlen(known) - 1);
			}
			kr_err_set(err, 1, i, "--sut-opt '%s': profile %s has no option '%s' (known: %s)",
				   kv[i], p->name, key, p->noptions ? known : "none");
			goto out;
		}
		const char *val = eq + 1;
		for (const char *c = val; *c; c++)
			if (!isgraph((unsigned char)*c) || strchr("'\"\\$`;&|<>(){}", *c)) {
				kr_err_set(err, 1, i, "--sut-opt '%s': value has a character that is "
					   "not allowed ('%c')", kv[i], *c);
				goto out;
			}
		char vname[80];
		snprintf(vname, sizeof vname, "opt.%s", key);
		struct kr_sut_vars *ov = kr_sut_vars_new();
		if (!ov || kr_sut_vars_set(v, vname, val) || kr_sut_vars_set(ov, "value", val)) {
			kr_sut_vars_free(ov);
			kr_err_set(err, 1, i, "out of memory");
			goto out;
		}
		char tname[120];
		snprintf(tname, sizeof tname, "%s:%zu", p->file, o->line);
		if (all.len && kr_bytes_append(&all, " ", 1)) {
			kr_sut_vars_free(ov);
			goto out;
		}
		int r = kr_sut_expand(o->val, strlen(o->val), tname, ov, &all, err);
		kr_sut_vars_free(ov);
		if (r)
			goto out;
	}
	if (kr_bytes_append(&all, "", 1) || kr_sut_vars_set(v, "options", (char *)all.p)) {
		kr_err_set(err, 1, 0, "out of memory");
		goto out;
	}
	rc = 0;
out:
	kr_bytes_free(&all);
	return rc;
}
