/* Internals of the judge (judge.c: reading and following the captures;
 * judge_routes.c: the routes in and out of the router and their checks;
 * judge_out.c: the verdicts as results). Not for other callers. */
#ifndef KR_JUDGE_INT_H
#define KR_JUDGE_INT_H

#include "net/capread.h"
#include "run/judge.h"
#include "wire/bgpsec_crypto.h"
#include "wire/lint.h"
#include "wire/rtr_follow.h"

enum { V_NOTVALID, V_GONE, V_TWILIGHT, V_REPLAY, V_LINT, V_SESSIONS };

struct jfind {                  /* one finding of one verdict */
	int64_t t;
	char *text;
};

struct jverdict {
	struct jfind *f;
	size_t n, cap;
	char *skip;             /* not judged: why (SKIP) */
	struct jfind *ev;       /* events worth a timeline line (not failures) */
	size_t nev, capev;
	double metric[4];
};

struct jconn {
	unsigned file, conn, gid;
	enum kr_sproto proto;
	struct kr_bytes open[2];
	int spk[2];             /* speaker (index) sending in direction d, -1 */
	struct kr_lint_sess sess[2];
	bool known;             /* both OPENs */
	int router_dir;         /* BGP: the direction the router sends in, -1: not its session */
	int rtr_router_dir;     /* RTR: the direction the router sends in, -1 unknown */
	char link[64];
	bool down;
};

struct jspeaker {
	uint32_t as, id;
	unsigned sessions;
};

/* A route in or out of the router, as the UPDATE carried it. */
struct jroute {
	struct jroute *next;
	unsigned gid;           /* its session */
	struct kr_prefix pfx;   /* canonical */
	int64_t t;
	uint64_t frame;
	unsigned file;
	uint8_t *msg;
	size_t len;
	bool bgpsec, replayed;
	unsigned reported;      /* out: 1 gone-key finding made, 2 twilight finding made */
	uint8_t own_ski[KR_SKI_LEN]; /* out: the router's SKI */
	int klass;              /* out: 1 originated, 2 forwarded */
};

#define JR_BUCKETS 4096
struct jtable {
	struct jroute *b[JR_BUCKETS];
};

struct jswitch {                /* the router started signing with a new key */
	int klass;
	uint8_t from[KR_SKI_LEN], to[KR_SKI_LEN];
	int64_t t;
	uint64_t frame;
	unsigned file;
};

struct jcheck {                 /* something to look at once its deadline came */
	int64_t t;
	int kind;               /* 0: a key span ended (idx into spans), 1: a switch (idx) */
	size_t idx;
};

struct jseen {                  /* BGPsec_PATH octets received before (replays) */
	struct kr_prefix pfx;
	uint64_t h;
	uint64_t frame;
	unsigned file;
	int64_t t;
};

struct judge {
	const struct kr_judge_opts *o;
	struct kr_capread cr;
	struct jconn *c;
	size_t nc;
	struct jspeaker *sp;
	size_t nsp;
	uint32_t router_as;
	struct kr_rkey_span *spans;
	size_t nspans;
	bool have_keys;         /* from RTR (or the JSON): the key verdicts apply */
	bool keys_from_rtr;
	struct kr_keytab *kt;   /* keys at kt_t with kt_grace */
	int64_t kt_t, kt_next, kt_grace;
	bool kt_valid;
	struct kr_crypto_ctx *cc;
	struct kr_update *u, *u2;
	struct jtable in, out;
	struct jswitch *sw;
	size_t nsw;
	uint8_t cur_ski[3][KR_SKI_LEN];
	bool have_cur[3];
	struct jcheck *chk;
	size_t nchk, capchk;
	bool spans_scheduled;
	struct jseen *seen;
	size_t nseen;
	struct jverdict v[KR_JUDGE_NVERDICTS];
	int64_t t0, t_end;
	uint64_t updates_out, updates_in, replays, forwards;
};

/* judge.c */
void kr_jfind(struct judge *J, int v, int64_t t, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void kr_jevent(struct judge *J, int v, int64_t t, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
const struct kr_keytab *kr_jkeys(struct judge *J, int64_t t, int64_t grace);
const char *kr_jwhere(const struct judge *J, unsigned file, uint64_t frame, char *buf, size_t sz);
const char *kr_jpeer(const struct judge *J, unsigned gid, char *buf, size_t sz);

/* judge_routes.c */
void kr_jroutes_update(struct judge *J, struct jconn *c, const struct kr_cmsg *m);
void kr_jroutes_drop(struct judge *J, unsigned gid);
void kr_jroutes_checks(struct judge *J, int64_t upto, bool end);
void kr_jroutes_free(struct judge *J);

/* judge_out.c */
void kr_jout_results(struct judge *J, struct kr_result *res);

#endif
