/* SUT profiles (format: sut/README.md): how the harness starts, configures
 * and rekeys a system under test, what it can do, and which cases are
 * expected to fail on it. Pure: parse a buffer, expand templates; the
 * caller reads files and runs commands.
 *
 * Errors carry the line number in kr_err.offset and "FILE:LINE: ..." in
 * kr_err.msg. */
#ifndef KR_SUT_PROFILE_H
#define KR_SUT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "wire/kr_util.h"

/* Actions the harness performs on a SUT. An action whose value starts with
 * "manual:" cannot be performed by the harness (an external device); the
 * text after the colon is the reason, used when skipping cases. */
enum kr_sut_action {
	KR_SUT_START = 0, /* long-running process; the harness keeps its pid */
	KR_SUT_STOP,      /* optional: default is SIGTERM to the start process */
	KR_SUT_REKEY,     /* switch to a new key, with twilight re-advertisement */
	KR_SUT_VERSION,   /* prints one line identifying the SUT */
	KR_SUT_READY,     /* optional: exits 0 once the SUT accepts sessions */
	KR_SUT_NACTIONS
};
const char *kr_sut_action_name(enum kr_sut_action a);

struct kr_sut_kv {
	char *key;
	char *val;
	size_t line;
};

/* [device] per role of the standard topology (sut/README.md):
 * ROLE = [vlan ID] [ADDR/LEN ROUTER-ADDR] [ADDR6/LEN ROUTER-ADDR6].
 * Empty strings: the topology's own addresses for that link. */
#define KR_SUT_DEV_NROLES 6
extern const char *const kr_sut_dev_roles[KR_SUT_DEV_NROLES]; /* rtr up1 up2 dn1 dn2 exa */
struct kr_sut_devlink {
	bool set;
	unsigned vlan;                    /* 802.1Q id; 0: untagged */
	char addr4[48], router4[48];      /* harness side "A/LEN", router side "B" */
	char addr6[64], router6[64];
	size_t line;
};

struct kr_sut_profile {
	char *file;                       /* for messages */
	char *name;
	char *kind;                       /* "daemon" (default) or "device" */
	char *action[KR_SUT_NACTIONS];    /* command templates, NULL when absent */
	bool manual[KR_SUT_NACTIONS];     /* action[] then holds the reason */
	char *config_template;            /* path, relative to the profile file */
	char *config_file;                /* where the rendered config goes (template) */
	char *interface;                  /* [device]: host interface moved into the topology */
	char *netns;                      /* [device]: namespace holding it (NULL: the harness's) */
	struct kr_sut_devlink dev[KR_SUT_DEV_NROLES]; /* [device] addressing plan, by role */
	bool lifetime_run;                /* [sut] lifetime = run: one SUT for the whole run */
	long confirm_timeout_s;           /* [sut] how long an operator step may take */
	struct kr_sut_kv *caps;           /* [capabilities] */
	size_t ncaps;
	struct kr_sut_kv *options;        /* [options]: name -> expansion of {value} */
	size_t noptions;
	struct kr_sut_kv *xfail;          /* [expected-failures]: case id -> reason */
	size_t nxfail;
};

/* One [device] key (sut_device.c): 0, or -1 with msg. */
int kr_sut_device_key(struct kr_sut_profile *p, const char *k, const char *v, size_t line, char *msg,
		      size_t msgsz);
/* Checks across the [device] plan once the file is read: 0 or -1 with msg. */
int kr_sut_device_check(const struct kr_sut_profile *p, char *msg, size_t msgsz, size_t *line);

/* Parse a profile held in text[0..len). fname only labels errors.
 * Returns 0, or -1 with err set (offset = line). On error p is freed. */
int kr_sut_profile_parse(struct kr_sut_profile *p, const char *text, size_t len,
			 const char *fname, struct kr_err *err);
void kr_sut_profile_free(struct kr_sut_profile *p);

/* Capabilities: booleans are yes/no/true/false/1/0, integers decimal.
 * Absent keys give dflt. A present but ill-typed value gives dflt too; the
 * parser already rejected it for the known keys (kr_sut_known_caps). */
bool kr_sut_cap_bool(const struct kr_sut_profile *p, const char *key, bool dflt);
long kr_sut_cap_int(const struct kr_sut_profile *p, const char *key, long dflt);
const char *kr_sut_cap_str(const struct kr_sut_profile *p, const char *key);

/* Expected-failure reason for a case id, or NULL. */
const char *kr_sut_xfail(const struct kr_sut_profile *p, const char *case_id);

/* Reason an action cannot run: "manual: REASON", "not in profile", or NULL
 * when the harness can run it. */
const char *kr_sut_action_unavailable(const struct kr_sut_profile *p, enum kr_sut_action a,
				      char *buf, size_t bufsz);

/* ---- template expansion -------------------------------------------------
 * {name}            the variable's value (error when unknown)
 * {?name}...{/name} the part when the variable is set, non-empty and not
 *                   "0"/"no"/"false"
 * {!name}...{/name} the opposite
 * {#list}...{/list} the part once per item of a list; inside, names
 *                   resolve in the item first, then outside
 * {{ and }}         literal braces
 */
struct kr_sut_vars;
struct kr_sut_vars *kr_sut_vars_new(void);
void kr_sut_vars_free(struct kr_sut_vars *v);
/* Set (replace) a variable; returns 0 or -1 (ENOMEM). */
int kr_sut_vars_set(struct kr_sut_vars *v, const char *name, const char *value);
int kr_sut_vars_setf(struct kr_sut_vars *v, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Declare list `name` (empty until items are added); 0 or -1. */
int kr_sut_vars_list(struct kr_sut_vars *v, const char *name);
/* Append an item to list `name` and return it (owned by v), NULL on ENOMEM. */
struct kr_sut_vars *kr_sut_vars_add_item(struct kr_sut_vars *v, const char *name);

/* Expand tmpl into out (NUL-terminated, out->len excludes the NUL).
 * Errors name the template line: "TNAME:LINE: unknown variable {x}". */
int kr_sut_expand(const char *tmpl, size_t len, const char *tname, const struct kr_sut_vars *v,
		  struct kr_bytes *out, struct kr_err *err);

/* For messages (an operator step shown where no values exist yet): like
 * kr_sut_expand, but an unknown {name} renders as <name>. v may be NULL.
 * Never fails: on error the template itself; caller frees (NULL: ENOMEM). */
char *kr_sut_expand_loose(const char *tmpl, const struct kr_sut_vars *v);

/* Options given as "K=V" (keyroll run --sut-opt): check each against the
 * profile's [options], and set variable "options" to the expansions joined
 * by spaces, plus "opt.K" = V for each. Returns 0 or -1 with err. */
int kr_sut_apply_options(const struct kr_sut_profile *p, char *const *kv, size_t n,
			 struct kr_sut_vars *v, struct kr_err *err);

#endif
