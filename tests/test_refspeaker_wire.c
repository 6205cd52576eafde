/* The reference speaker on the wire (needs root: skipped otherwise).
 *
 * Topology (namespaces):  up -- r1 -- r2 -- dn
 *                                |     |
 *                               rtr   +-- px
 * up, dn and px are harness speakers on this process's event loop: up
 * (AS 64496) originates signed routes, dn (AS 64498, BGPsec) and px
 * (AS 64499, plain BGP) observe. r1 (AS 65536, split origin/transit keys,
 * originates 203.0.113.0/24 and 2001:db8:f00::/48) and r2 (AS 65537, one
 * key for both) are build/refspeaker processes. The RTR cache runs in the
 * rtr node, also on this loop. Each fault of FAULTS.md gets a test that
 * shows its documented difference on the wire; the same scenarios run
 * clean first. Absence is only judged after a sentinel route arrived. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/bgp_session.h"
#include "wire/bgpsec_crypto.h"
#include "cu.h"
#include "net/netns.h"
#include "net/proc.h"
#include "rpki/rtr_cache.h"

#define MS 1000000LL
#define AS_UP 64496u
#define AS_R1 65536u
#define AS_R2 65537u
#define AS_DN 64498u
#define AS_PX 64499u
#define RTR_PORT 8323

#ifdef __SANITIZE_ADDRESS__
#define BIN "build-asan/refspeaker"
#else
#define BIN "build/refspeaker"
#endif

static const char topo_text[] = "node rtr rtr\n"
				"node up host\n"
				"node r1 sut\n"
				"node r2 host\n"
				"node dn host\n"
				"node px host\n"
				"link rtr r1\n"
				"link rtr r2\n"
				"link up r1\n"
				"link r1 r2\n"
				"link r2 dn\n"
				"link r2 px\n";

struct seen {
	struct kr_prefix pfx;
	bool present, bgpsec, as_path, next_hop, valid;
	size_t nhops;
	uint32_t asn[8];
	uint8_t ski[8][KR_SKI_LEN];
	uint32_t path[8];
	size_t npath;
	unsigned announces, withdraws;
};

struct obs {
	const char *name;
	uint32_t my_as, peer_as;
	struct seen s[32];
	size_t n;
	struct world *w;
};

struct world {
	char dir[64];
	struct kr_loop *loop;
	struct kr_net *net;
	struct kr_rtr_cache *cache;
	struct kr_keytab *tab;
	struct kr_key kup, kup2, kr1o, kr1t, kr2, knew, kunknown;
	struct kr_proc *r1, *r2;
	struct kr_bgp_session *up, *dn, *px;
	struct obs odn, opx, oup;
	const char *fault;           /* --fault for both speakers */
	bool r1_two_prefixes;
};

static int have_root = -1; /* -1: not checked yet */
static void check_root(void);

/* ---- observers ---------------------------------------------------------- */

static struct seen *seen_get(struct obs *o, const struct kr_prefix *p, bool create)
{
	for (size_t i = 0; i < o->n; i++)
		if (kr_prefix_eq(&o->s[i].pfx, p))
			return &o->s[i];
	if (!create || o->n == sizeof o->s / sizeof o->s[0])
		return NULL;
	struct seen *s = &o->s[o->n++];
	memset(s, 0, sizeof *s);
	s->pfx = *p;
	kr_prefix_canon(&s->pfx);
	return s;
}

static struct seen *seen_str(struct obs *o, const char *p)
{
	struct kr_prefix pf;
	kr_prefix_parse(&pf, p);
	return seen_get(o, &pf, false);
}

static void note_withdrawn(struct obs *o, uint16_t afi, const uint8_t *nlri, size_t len)
{
	struct kr_nlri_iter it;
	kr_nlri_iter_init(&it, afi, nlri, len);
	struct kr_prefix p;
	while (kr_nlri_next(&it, &p)) {
		struct seen *s = seen_get(o, &p, true);
		if (s) {
			s->present = false;
			s->withdraws++;
		}
	}
}

static void note_announced(struct obs *o, const struct kr_update *u, uint16_t afi,
			   const uint8_t *nlri, size_t len)
{
	struct kr_nlri_iter it;
	kr_nlri_iter_init(&it, afi, nlri, len);
	struct kr_prefix p;
	while (kr_nlri_next(&it, &p)) {
		struct seen *s = seen_get(o, &p, true);
		if (!s)
			continue;
		s->present = true;
		s->announces++;
		s->bgpsec = u->i_bgpsec >= 0;
		s->as_path = u->i_as_path >= 0;
		s->next_hop = u->i_next_hop >= 0;
		s->nhops = 0;
		s->valid = false;
		if (s->bgpsec && !u->bgpsec_malformed) {
			for (size_t i = 0; i < u->bgpsec.nhops && i < 8; i++) {
				s->asn[i] = u->bgpsec.sp[i].asn;
				if (u->bgpsec.nblocks && i < u->bgpsec.blocks[0].nsegs)
					memcpy(s->ski[i], u->bgpsec.blocks[0].segs[i].ski, KR_SKI_LEN);
				s->nhops++;
			}
			struct kr_val_opts vo = { .my_as = o->my_as, .peer_as = o->peer_as };
			struct kr_val_result r;
			s->valid = kr_bgpsec_validate(o->w->tab, u, &vo, &r) == 0 && r.verdict == KR_VALID;
		}
		s->npath = 0;
		for (size_t i = 0; i < u->nas_segs; i++)
			for (size_t k = 0; k < u->as_segs[i].count && s->npath < 8; k++) {
				const uint8_t *a = u->as_segs[i].asns + 4 * k;
				s->path[s->npath++] = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
						      (uint32_t)a[2] << 8 | a[3];
			}
	}
}

static void obs_update(struct kr_bgp_session *s, const uint8_t *msg, size_t len,
		       const struct kr_update *u, const struct kr_err *err, void *arg)
{
	struct obs *o = arg;
	if (!u)
		return;
	note_withdrawn(o, KR_AFI_IPV4, u->withdrawn, u->withdrawn_len);
	if (u->i_mp_unreach >= 0)
		note_withdrawn(o, u->mp_unreach.afi, u->mp_unreach.nlri, u->mp_unreach.nlri_len);
	note_announced(o, u, KR_AFI_IPV4, u->nlri, u->nlri_len);
	if (u->i_mp_reach >= 0)
		note_announced(o, u, u->mp_reach.afi, u->mp_reach.nlri, u->mp_reach.nlri_len);
}

/* ---- world -------------------------------------------------------------- */

struct sockarg {
	struct world *w;
	const char *node;
};

static int node_socket(void *arg, int family, int type)
{
	struct sockarg *a = arg;
	return kr_net_socket(a->w->net, a->node, family, type, 0);
}

static void addr_of_af(struct world *w, const char *node, const char *peer, int af, char *out,
		       size_t sz)
{
	struct kr_ifaddr a;
	kr_net_addr(w->net, node, peer, af, &a);
	kr_ifaddr_str(&a, out, sz);
}

static void addr_of(struct world *w, const char *node, const char *peer, char *out, size_t sz)
{
	addr_of_af(w, node, peer, AF_INET, out, sz);
}

static struct kr_bgp_session *harness_peer(struct world *w, const char *node, const char *sut,
					   uint32_t my_as, uint32_t sut_as, bool bgpsec,
					   struct obs *o, struct sockarg *sa, int af)
{
	struct kr_bgp_cfg c;
	kr_bgp_cfg_init(&c);
	c.open.asn = my_as;
	c.open.bgp_id = 0xC6120000 | my_as % 256;
	for (int afi = 1; afi <= 2; afi++) {
		c.open.mp[afi] = true;
		c.open.bgpsec_send[afi] = c.open.bgpsec_recv[afi] = bgpsec;
	}
	c.peer_as = sut_as;
	struct kr_ifaddr a;
	kr_net_addr(w->net, sut, node, af, &a);
	c.remote_len = kr_ifaddr_sockaddr(&a, 179, &c.remote);
	c.connect_retry_ns = 100 * MS;
	c.auto_restart = true;
	c.update_err = KR_UPD_ERR_DELIVER;
	c.bgpsec_type = KR_ATTR_BGPSEC_PATH;
	sa->w = w;
	sa->node = node;
	c.socket_fn = node_socket;
	c.socket_arg = sa;
	c.name = node;
	struct kr_bgp_cbs cb = { .on_update = o ? obs_update : NULL };
	struct kr_bgp_session *s = kr_bgp_session_new(w->loop, &c, &cb, o);
	kr_bgp_session_start(s);
	return s;
}

static void announce_key(struct world *w, const struct kr_key *k)
{
	uint8_t spki[128];
	size_t n;
	kr_key_spki_der(k, spki, sizeof spki, &n);
	kr_rtr_announce_key(w->cache, k->asn, k->ski, spki, n);
	kr_keytab_add(w->tab, k->asn, k->ski, spki, n, NULL);
}

static void withdraw_key(struct world *w, const struct kr_key *k, bool from_harness_tab)
{
	uint8_t spki[128];
	size_t n;
	kr_key_spki_der(k, spki, sizeof spki, &n);
	kr_rtr_withdraw_key(w->cache, k->asn, k->ski, spki, n);
	if (from_harness_tab)
		kr_keytab_del(w->tab, k->asn, k->ski, spki, n);
}

static void save_key(struct world *w, const struct kr_key *k, const char *name)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s.pem", w->dir, name);
	kr_key_save_pem(k, p, true, NULL);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static struct kr_proc *start_speaker(struct world *w, const char *node, const char *conf_text,
				     const char *fault, bool keep_lower)
{
	char conf[128], log[128];
	snprintf(conf, sizeof conf, "%s/%s.conf", w->dir, node);
	snprintf(log, sizeof log, "%s/%s.log", w->dir, node);
	write_file(conf, conf_text);
	const char *argv[8] = { BIN, "-c", conf };
	int n = 3;
	if (keep_lower) {
		argv[n++] = "--policy";
		argv[n++] = "keep-lower-pref";
	}
	if (fault) {
		argv[n++] = "--fault";
		argv[n++] = fault;
	}
	struct kr_proc_opts o = { .node = node, .argv = argv, .log = log };
	struct kr_err e;
	kr_err_clear(&e);
	struct kr_proc *p = kr_proc_start(w->net, &o, &e);
	if (!p) {
		fprintf(stderr, "start %s: %s\n", node, e.msg);
		return NULL;
	}
	if (kr_proc_wait_port(p, 179, kr_now_ns() + 5000 * MS, &e) != 1)
		fprintf(stderr, "%s not listening: %s\n", node, e.msg);
	return p;
}

static bool all_up(void *arg)
{
	struct world *w = arg;
	return kr_bgp_session_established(w->up) && kr_bgp_session_established(w->dn) &&
	       kr_bgp_session_established(w->px) && kr_rtr_client_count(w->cache) == 2 &&
	       kr_rtr_all_synced(w->cache);
}

static void world_free(struct world *w);
static void rtr_applied(struct world *w, const struct kr_key *k, const char *what);

/* A fault is given to both speakers: r2 validates too, and a clean r2
 * would hide r1's validation faults from dn. */
enum { W_TWO_PREFIXES = 1, W_R1_SHARED = 2, W_KEEP_LOWER = 4, W_DN_V6 = 8 };

static struct world *world_new(const char *fault, unsigned flags)
{
	bool two_prefixes = flags & W_TWO_PREFIXES, r1_shared = flags & W_R1_SHARED;
	bool dn_v6 = flags & W_DN_V6; /* dn's session with r2 over IPv6 */
	struct world *w = calloc(1, sizeof *w);
	struct kr_err e;
	kr_err_clear(&e);
	w->fault = fault;
	w->r1_two_prefixes = two_prefixes;
	snprintf(w->dir, sizeof w->dir, "/tmp/kr-rswire-XXXXXX");
	if (!mkdtemp(w->dir))
		goto fail;
	w->loop = kr_loop_new();
	w->tab = kr_keytab_new();
	struct kr_topo t;
	if (kr_topo_parse(&t, topo_text, strlen(topo_text), "wire.topo", &e) < 0 ||
	    !(w->net = kr_net_up(&t, NULL, false, &e))) {
		fprintf(stderr, "topology: %s\n", e.msg);
		goto fail;
	}
	kr_key_generate(&w->kup, AS_UP, NULL);
	kr_key_generate(&w->kup2, AS_UP, NULL);
	kr_key_generate(&w->kunknown, AS_UP, NULL);
	kr_key_generate(&w->kr1o, AS_R1, NULL);
	kr_key_generate(&w->kr1t, AS_R1, NULL);
	kr_key_generate(&w->knew, AS_R1, NULL);
	kr_key_generate(&w->kr2, AS_R2, NULL);
	save_key(w, &w->kr1o, "r1o");
	save_key(w, &w->kr1t, "r1t");
	save_key(w, &w->knew, "new");
	save_key(w, &w->kr2, "r2");

	struct kr_rtr_cache_cfg cc = { .refresh = 1, .retry = 1, .expire = 600, .max_version = 1 };
	w->cache = kr_rtr_cache_new(w->loop, &cc);
	int fd = kr_net_socket(w->net, "rtr", AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_port = htons(RTR_PORT) };
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&any, sizeof any) < 0 ||
	    kr_rtr_cache_listen_fd(w->cache, fd, &e) < 0) {
		fprintf(stderr, "rtr cache: %s\n", e.msg);
		goto fail;
	}
	announce_key(w, &w->kup);
	if (!r1_shared)
		announce_key(w, &w->kr1o);
	announce_key(w, &w->kr1t);
	announce_key(w, &w->kr2);

	char a_rtr1[48], a_rtr2[48], a_r2[48], a_up[48], a_dn[48], a_px[48];
	addr_of(w, "rtr", "r1", a_rtr1, sizeof a_rtr1);
	addr_of(w, "rtr", "r2", a_rtr2, sizeof a_rtr2);
	addr_of(w, "r2", "r1", a_r2, sizeof a_r2);
	addr_of(w, "up", "r1", a_up, sizeof a_up);
	addr_of_af(w, "dn", "r2", dn_v6 ? AF_INET6 : AF_INET, a_dn, sizeof a_dn);
	addr_of(w, "px", "r2", a_px, sizeof a_px);
	char conf[2048];
	snprintf(conf, sizeof conf,
		 "asn %u\nrouter-id 198.18.255.1\nlisten 0.0.0.0\nctl %s/r1.sock\n"
		 "rtr %s port %d refresh 1 retry 1\nkey %s %s/%s.pem\nkey transit %s/r1t.pem\n"
		 "key-state %s/r1.state\n"
		 "prefix 203.0.113.0/24\nprefix 2001:db8:f00::/48\n%s"
		 "peer %s {\n asn %u\n passive\n bgpsec all\n}\n"
		 "peer %s {\n asn %u\n bgpsec all\n}\n",
		 AS_R1, w->dir, a_rtr1, RTR_PORT, r1_shared ? "both" : "origin", w->dir,
		 r1_shared ? "r1t" : "r1o", w->dir, w->dir,
		 w->r1_two_prefixes ? "prefix 203.0.113.128/25\n" : "", a_up, AS_UP, a_r2, AS_R2);
	/* r1 is started after r2 listens, so it connects at once */
	char conf2[2048], r1addr[48];
	addr_of(w, "r1", "r2", r1addr, sizeof r1addr);
	snprintf(conf2, sizeof conf2,
		 "asn %u\nrouter-id 198.18.255.2\nlisten 0.0.0.0\nlisten ::\nctl %s/r2.sock\n"
		 "rtr %s port %d refresh 1 retry 1\nkey both %s/r2.pem\n"
		 "peer %s {\n asn %u\n passive\n bgpsec all\n}\n"
		 "peer %s {\n asn %u\n passive\n bgpsec all\n}\n"
		 "peer %s {\n asn %u\n passive\n}\n",
		 AS_R2, w->dir, a_rtr2, RTR_PORT, w->dir, r1addr, AS_R1, a_dn, AS_DN, a_px,
		 AS_PX);
	bool kl = flags & W_KEEP_LOWER;
	if (!(w->r2 = start_speaker(w, "r2", conf2, fault, kl)) ||
	    !(w->r1 = start_speaker(w, "r1", conf, fault, kl)))
		goto fail;
	static struct sockarg sa[3];
	w->odn = (struct obs){ .name = "dn", .my_as = AS_DN, .peer_as = AS_R2, .w = w };
	w->opx = (struct obs){ .name = "px", .my_as = AS_PX, .peer_as = AS_R2, .w = w };
	w->oup = (struct obs){ .name = "up", .my_as = AS_UP, .peer_as = AS_R1, .w = w };
	w->up = harness_peer(w, "up", "r1", AS_UP, AS_R1, true, &w->oup, &sa[0], AF_INET);
	w->dn = harness_peer(w, "dn", "r2", AS_DN, AS_R2, true, &w->odn, &sa[1],
			     dn_v6 ? AF_INET6 : AF_INET);
	w->px = harness_peer(w, "px", "r2", AS_PX, AS_R2, false, &w->opx, &sa[2], AF_INET);
	if (kr_loop_run_until(w->loop, all_up, w, kr_now_ns() + 8000 * MS) != 1) {
		fprintf(stderr, "world not up: up %s dn %s px %s, rtr clients %zu\n",
			kr_bgp_state_name(kr_bgp_session_state(w->up)),
			kr_bgp_state_name(kr_bgp_session_state(w->dn)),
			kr_bgp_state_name(kr_bgp_session_state(w->px)),
			kr_rtr_client_count(w->cache));
		goto fail;
	}
	/* the speakers have applied the initial keys (not just been sent them) */
	const struct kr_key *initial[] = { &w->kup, &w->kr1t, &w->kr2, r1_shared ? NULL : &w->kr1o };
	for (int i = 0; i < 4; i++)
		if (initial[i])
			rtr_applied(w, initial[i], "announced");
	return w;
fail:
	world_free(w);
	return NULL;
}

static void dump_log(struct world *w, const char *node)
{
	char p[128], line[512];
	snprintf(p, sizeof p, "%s/%s.log", w->dir, node);
	FILE *f = fopen(p, "r");
	if (!f)
		return;
	fprintf(stderr, "---- %s log\n", node);
	while (fgets(line, sizeof line, f))
		if (!strstr(line, "RTR") || strstr(line, "router key"))
			fputs(line, stderr);
	fclose(f);
}

static void world_free(struct world *w)
{
	if (!w)
		return;
	if (getenv("KR_RSWIRE_LOGS") && w->net) {
		dump_log(w, "r1");
		dump_log(w, "r2");
	}
	struct kr_bgp_session *ss[] = { w->up, w->dn, w->px };
	for (int i = 0; i < 3; i++)
		if (ss[i]) {
			kr_bgp_session_stop(ss[i]);
			kr_bgp_session_free(ss[i]);
		}
	struct kr_proc *ps[] = { w->r1, w->r2 };
	for (int i = 0; i < 2; i++)
		if (ps[i]) {
			kr_proc_stop(ps[i], 2000 * MS);
			/* a clean exit, never a crash or a sanitizer report */
			struct kr_proc_status st = kr_proc_status(ps[i]);
			CU_ASSERT(!kr_proc_crashed(ps[i]));
			CU_ASSERT(st.state != KR_PROC_EXITED || st.code == 0);
			kr_proc_free(ps[i]);
		}
	if (w->cache)
		kr_rtr_cache_free(w->cache);
	kr_net_free(w->net);
	struct kr_key *ks[] = { &w->kup, &w->kup2, &w->kr1o, &w->kr1t, &w->kr2, &w->knew,
				&w->kunknown };
	for (int i = 0; i < 7; i++)
		kr_key_free(ks[i]);
	kr_keytab_free(w->tab);
	if (w->loop)
		kr_loop_free(w->loop);
	if (w->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", w->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", w->dir);
	}
	free(w);
}

/* ---- helpers for scenarios ------------------------------------------------ */

struct waitp {
	struct obs *o;
	const char *pfx;
	bool present;
	const uint8_t *ski; /* when set: present with this SKI at hop `hop` */
	size_t hop;
	unsigned min_announces;
};

static bool wait_pred(void *arg)
{
	struct waitp *p = arg;
	struct seen *s = seen_str(p->o, p->pfx);
	if (!p->present)
		return s && !s->present;
	if (!s || !s->present || s->announces < p->min_announces)
		return false;
	return !p->ski || (p->hop < s->nhops && !memcmp(s->ski[p->hop], p->ski, KR_SKI_LEN));
}

static bool wait_seen(struct world *w, struct obs *o, const char *pfx, bool present,
		      const uint8_t *ski, size_t hop, unsigned min_announces, int ms)
{
	struct waitp p = { o, pfx, present, ski, hop, min_announces };
	return kr_loop_run_until(w->loop, wait_pred, &p, kr_now_ns() + ms * MS) == 1;
}

/* Wait until a speaker's log has a line with needle, running the loop
 * (the RTR cache the speaker talks to lives on it). */
static bool wait_log(struct world *w, const char *node, const char *needle, int ms)
{
	char p[128], line[512];
	snprintf(p, sizeof p, "%s/%s.log", w->dir, node);
	int64_t dl = kr_now_ns() + ms * MS;
	while (kr_now_ns() < dl) {
		FILE *f = fopen(p, "r");
		bool found = false;
		while (f && !found && fgets(line, sizeof line, f))
			found = strstr(line, needle) != NULL;
		if (f)
			fclose(f);
		if (found)
			return true;
		kr_loop_run_once(w->loop, 5 * MS);
	}
	fprintf(stderr, "%s: no '%s' in its log\n", node, needle);
	return false;
}

/* Both speakers have processed the RTR change of key k ("announced" or
 * "withdrawn"); a sentinel sent after this is ordered after its effects. */
static void rtr_applied(struct world *w, const struct kr_key *k, const char *what)
{
	char h[48], needle[96];
	kr_hex_encode(h, sizeof h, k->ski, KR_SKI_LEN);
	snprintf(needle, sizeof needle, "SKI %s %s", h, what);
	CU_ASSERT(wait_log(w, "r1", needle, 3000));
	CU_ASSERT(wait_log(w, "r2", needle, 3000));
}

/* up originates pfx signed with key k (NULL: kup); corrupt: flip a byte
 * of the signature. */
static void up_announce_pc(struct world *w, const char *pfx, const struct kr_key *k, bool corrupt,
			   uint8_t pcount)
{
	struct kr_prefix p;
	kr_prefix_parse(&p, pfx);
	static struct kr_bgpsec_path bp;
	static struct kr_sigstore st;
	struct kr_err e;
	kr_err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(kr_bgpsec_sign(k ? k : &w->kup, AS_R1, pcount, 0, NULL, p.afi,
					     KR_SAFI_UNICAST, &p, NULL, &bp, &st, &e), 0);
	if (corrupt)
		st.sig[0][0][10] ^= 0x55;
	uint8_t nh4[4] = { 198, 18, 0, 9 }, nh6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	struct kr_route_out r = { .prefix = p, .bgpsec = &bp,
				  .next_hop = p.afi == KR_AFI_IPV4 ? nh4 : nh6,
				  .next_hop_len = p.afi == KR_AFI_IPV4 ? 4 : 16 };
	CU_ASSERT_EQUAL(kr_bgp_send_update(w->up, &r, &e), 0);
}

static void up_announce(struct world *w, const char *pfx, const struct kr_key *k, bool corrupt)
{
	up_announce_pc(w, pfx, k, corrupt, 1);
}

/* Sentinel (docs/design.md rule 5): a fresh route through the chain; once
 * it reached dn and px, everything sent before it has arrived too. */
static void sentinel(struct world *w, const char *pfx, const struct kr_key *k)
{
	up_announce(w, pfx, k, false);
	CU_ASSERT(wait_seen(w, &w->odn, pfx, true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->opx, pfx, true, NULL, 0, 1, 3000));
}

static int ctl(struct world *w, const char *node, const char *a1, const char *a2, const char *a3)
{
	char sock[128];
	snprintf(sock, sizeof sock, "%s/%s.sock", w->dir, node);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s ctl %s %s %s %s >/dev/null", BIN, sock, a1, a2 ? a2 : "",
		 a3 ? a3 : "");
	return system(cmd);
}

static bool ski_eq(const struct seen *s, size_t hop, const struct kr_key *k)
{
	return s && hop < s->nhops && !memcmp(s->ski[hop], k->ski, KR_SKI_LEN);
}

#define SKIP_UNLESS_ROOT()                                                      \
	do {                                                                    \
		check_root();                                                   \
		if (!have_root) {                                               \
			fprintf(stderr, "SKIP: not root\n");                    \
			return;                                                 \
		}                                                               \
	} while (0)

#define WORLD(f)                                                                \
	SKIP_UNLESS_ROOT();                                                     \
	struct world *w = world_new(f, 0);                                      \
	CU_ASSERT_PTR_NOT_NULL_FATAL(w)

/* ---- clean behaviour ---------------------------------------------------- */

/* 3-hop chain up -> r1 -> r2 -> dn validates end to end; r1's own prefixes
 * carry its origin key, transit routes its transit key; px gets AS_PATHs. */
static void t_chain(void)
{
	WORLD(NULL);
	up_announce(w, "192.0.2.0/24", NULL, false);
	up_announce(w, "2001:db8:100::/48", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "2001:db8:100::/48", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "2001:db8:f00::/48", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->opx, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	struct seen *s = seen_str(&w->odn, "192.0.2.0/24");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->bgpsec && !s->as_path && s->valid);
	CU_ASSERT_EQUAL(s->nhops, 3);
	CU_ASSERT(s->asn[0] == AS_R2 && s->asn[1] == AS_R1 && s->asn[2] == AS_UP);
	CU_ASSERT(ski_eq(s, 0, &w->kr2) && ski_eq(s, 1, &w->kr1t) && ski_eq(s, 2, &w->kup));
	s = seen_str(&w->odn, "2001:db8:100::/48");
	CU_ASSERT(s && s->valid && s->nhops == 3);
	s = seen_str(&w->odn, "203.0.113.0/24");
	CU_ASSERT(s && s->valid && s->nhops == 2 && ski_eq(s, 1, &w->kr1o));
	s = seen_str(&w->opx, "192.0.2.0/24");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(!s->bgpsec && s->as_path);
	CU_ASSERT(s->npath == 3 && s->path[0] == AS_R2 && s->path[1] == AS_R1 &&
		  s->path[2] == AS_UP);
	CU_ASSERT_EQUAL(ctl(w, "r2", "show", NULL, NULL), 0);
	CU_ASSERT_EQUAL(ctl(w, "r1", "ping", NULL, NULL), 0);
	/* a withdrawal travels the chain to both observers */
	struct kr_prefix p;
	kr_prefix_parse(&p, "192.0.2.0/24");
	kr_bgp_send_withdraw(w->up, &p, 1, NULL);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", false, NULL, 0, 0, 3000));
	CU_ASSERT(wait_seen(w, &w->opx, "192.0.2.0/24", false, NULL, 0, 0, 3000));
	world_free(w);
}

/* Routes that must not validate at r1 are not propagated. */
static void unknown_and_bad(const char *fault)
{
	WORLD(fault);
	up_announce(w, "192.0.2.0/24", &w->kunknown, false);
	up_announce(w, "198.51.100.0/24", NULL, true);
	sentinel(w, "192.0.2.128/25", NULL);
	struct seen *unk = seen_str(&w->odn, "192.0.2.0/24");
	struct seen *bad = seen_str(&w->odn, "198.51.100.0/24");
	bool want_unk = fault && !strcmp(fault, "accept-unknown-ski");
	bool want_bad = fault && !strcmp(fault, "skip-signature-check");
	CU_ASSERT_EQUAL(unk && unk->present, want_unk);
	CU_ASSERT_EQUAL(bad && bad->present, want_bad);
	/* the key arriving later makes the first route Valid (RFC 8205 §5) */
	if (!fault) {
		announce_key(w, &w->kunknown);
		CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	} else if (!strcmp(fault, "no-revalidate-on-announce")) {
		announce_key(w, &w->kunknown);
		rtr_applied(w, &w->kunknown, "announced");
		sentinel(w, "192.0.2.192/26", NULL);
		unk = seen_str(&w->odn, "192.0.2.0/24");
		CU_ASSERT(!(unk && unk->present)); /* not re-validated */
	}
	world_free(w);
}
static void t_unknown_and_bad(void) { unknown_and_bad(NULL); }
static void t_fault_accept_unknown_ski(void) { unknown_and_bad("accept-unknown-ski"); }
static void t_fault_skip_signature_check(void) { unknown_and_bad("skip-signature-check"); }
static void t_fault_no_revalidate_on_announce(void) { unknown_and_bad("no-revalidate-on-announce"); }

/* Stage period, twilight and RTR withdrawal of up's key. */
static void key_withdrawal(const char *fault)
{
	SKIP_UNLESS_ROOT();
	/* one-key-per-as would also drop one of r1's own two keys */
	struct world *w = world_new(fault, fault && !strcmp(fault, "one-key-per-as") ? W_R1_SHARED : 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	up_announce(w, "192.0.2.0/24", NULL, false);           /* old key */
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	/* stage: up's second key is published; nothing may change */
	announce_key(w, &w->kup2);
	rtr_applied(w, &w->kup2, "announced");
	up_announce(w, "198.51.100.0/24", &w->kup2, false);     /* re-signed route */
	sentinel(w, "192.0.2.128/25", &w->kup2);
	struct seen *old = seen_str(&w->odn, "192.0.2.0/24");
	bool one_key = fault && !strcmp(fault, "one-key-per-as");
	CU_ASSERT_EQUAL(old && old->present, !one_key);
	CU_ASSERT(seen_str(&w->odn, "198.51.100.0/24") &&
		  seen_str(&w->odn, "198.51.100.0/24")->present);
	/* twilight: up re-signs an old-key route; downstream it is replaced
	 * without a withdrawal (implicit replace); one-key-per-as has
	 * already lost the old key */
	if (!one_key) {
		up_announce(w, "203.0.113.128/25", NULL, false);
		CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.128/25", true, NULL, 0, 1, 3000));
		up_announce(w, "203.0.113.128/25", &w->kup2, false);
		sentinel(w, "192.0.2.160/27", &w->kup2);
		struct seen *tw = seen_str(&w->odn, "203.0.113.128/25");
		bool gap = fault && !strcmp(fault, "twilight-withdraw-gap");
		CU_ASSERT(tw && tw->present && tw->announces == 2);
		CU_ASSERT_EQUAL(tw ? tw->withdraws : 9u, gap ? 1u : 0u);
	}
	/* RTR withdrawal of the old key: old-key routes go, re-signed stay */
	withdraw_key(w, &w->kup, true);
	rtr_applied(w, &w->kup, "withdrawn");
	sentinel(w, "192.0.2.192/26", &w->kup2);
	old = seen_str(&w->odn, "192.0.2.0/24");
	struct seen *oldpx = seen_str(&w->opx, "192.0.2.0/24");
	struct seen *resigned = seen_str(&w->odn, "198.51.100.0/24");
	bool keeps = fault && (!strcmp(fault, "ignore-rtr-withdraw") ||
			       !strcmp(fault, "no-downstream-withdraw"));
	CU_ASSERT_EQUAL(old && old->present, keeps);
	CU_ASSERT_EQUAL(oldpx && oldpx->present, keeps);
	bool over = fault && !strcmp(fault, "over-withdraw");
	CU_ASSERT_EQUAL(resigned && resigned->present, !over);
	world_free(w);
}
static void t_key_withdrawal(void) { key_withdrawal(NULL); }
static void t_fault_ignore_rtr_withdraw(void) { key_withdrawal("ignore-rtr-withdraw"); }
static void t_fault_no_downstream_withdraw(void) { key_withdrawal("no-downstream-withdraw"); }
static void t_fault_over_withdraw(void) { key_withdrawal("over-withdraw"); }
static void t_fault_one_key_per_as(void) { key_withdrawal("one-key-per-as"); }
static void t_fault_twilight_withdraw_gap(void) { key_withdrawal("twilight-withdraw-gap"); }

/* r1 rolls its origin key: twilight re-advertises its own prefixes with the
 * new SKI; transit routes keep the transit key. */
static void rekey(const char *fault, bool two)
{
	SKIP_UNLESS_ROOT();
	struct world *w = world_new(fault, two ? W_TWO_PREFIXES : 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "2001:db8:f00::/48", true, NULL, 0, 1, 3000));
	struct seen *t = seen_str(&w->odn, "192.0.2.0/24");
	bool split_broken = fault && !strcmp(fault, "transit-with-origin-key");
	CU_ASSERT_EQUAL(ski_eq(t, 1, &w->kr1o), split_broken);
	CU_ASSERT_EQUAL(ski_eq(t, 1, &w->kr1t), !split_broken);
	unsigned before4 = seen_str(&w->odn, "203.0.113.0/24")->announces;
	unsigned before6 = seen_str(&w->odn, "2001:db8:f00::/48")->announces;
	unsigned before_t = t->announces;
	announce_key(w, &w->knew); /* pre-published, and known to r2 before use */
	rtr_applied(w, &w->knew, "announced");
	char key[128];
	snprintf(key, sizeof key, "%s/new.pem", w->dir);
	CU_ASSERT_EQUAL(ctl(w, "r1", "rekey", "origin", key), 0);
	sentinel(w, "192.0.2.128/25", NULL);
	struct seen *a = seen_str(&w->odn, "203.0.113.0/24");
	struct seen *b = seen_str(&w->odn, "2001:db8:f00::/48");
	bool keep_old = fault && !strcmp(fault, "keep-old-key");
	bool none = fault && !strcmp(fault, "no-readvertise");
	bool partial = fault && !strcmp(fault, "partial-readvertise");
	unsigned ra = a->announces - before4, rb = b->announces - before6;
	if (none) {
		CU_ASSERT(ra == 0 && rb == 0);
	} else if (partial) {
		/* only the first BGPsec peer (up), every second route */
		CU_ASSERT(ra + rb < 2);
	} else {
		unsigned once = fault && !strcmp(fault, "twilight-twice") ? 2 : 1;
		CU_ASSERT(ra == once && rb == once);
		CU_ASSERT_EQUAL(ski_eq(a, 1, &w->knew), !keep_old);
		CU_ASSERT_EQUAL(ski_eq(b, 1, &w->knew), !keep_old);
		CU_ASSERT_EQUAL(ski_eq(a, 1, &w->kr1o), keep_old);
		CU_ASSERT(a->valid && b->valid);
	}
	/* the origin rollover leaves transit routes alone (draft §4.2) */
	bool transit_too = fault && !strcmp(fault, "readvertise-transit-on-origin-roll");
	CU_ASSERT_EQUAL(t->announces - before_t, transit_too ? 1u : 0u);
	world_free(w);
}
static void t_rekey(void) { rekey(NULL, false); }
static void t_fault_readvertise_transit_on_origin_roll(void)
{
	rekey("readvertise-transit-on-origin-roll", false);
}
static void t_fault_keep_old_key(void) { rekey("keep-old-key", false); }
static void t_fault_twilight_twice(void) { rekey("twilight-twice", false); }
static void t_fault_no_readvertise(void) { rekey("no-readvertise", false); }
static void t_fault_partial_readvertise(void) { rekey("partial-readvertise", false); }
static void t_fault_transit_with_origin_key(void) { rekey("transit-with-origin-key", false); }

/* r1 rekeys its origin key, then is stopped and started again from the
 * same configuration: it comes back signing its own prefix with the new
 * key (the key state file), or with the old one (restart-old-key). */
static void restart(const char *fault)
{
	WORLD(fault);
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, w->kr1o.ski, 1, 1, 3000));
	announce_key(w, &w->knew);
	rtr_applied(w, &w->knew, "announced");
	char key[128], conf[128];
	snprintf(key, sizeof key, "%s/new.pem", w->dir);
	CU_ASSERT_EQUAL(ctl(w, "r1", "rekey", "origin", key), 0);
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, w->knew.ski, 1, 2, 3000));
	unsigned before = seen_str(&w->odn, "203.0.113.0/24")->announces;
	kr_proc_stop(w->r1, 2000 * MS);
	CU_ASSERT(!kr_proc_crashed(w->r1));
	kr_proc_free(w->r1);
	snprintf(conf, sizeof conf, "%s/r1.conf", w->dir);
	static char text[4096];
	FILE *f = fopen(conf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	text[fread(text, 1, sizeof text - 1, f)] = 0;
	fclose(f);
	w->r1 = start_speaker(w, "r1", text, fault, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w->r1);
	bool old = fault && !strcmp(fault, "restart-old-key");
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, NULL, 0, before + 1, 5000));
	struct seen *s = seen_str(&w->odn, "203.0.113.0/24");
	CU_ASSERT_EQUAL(ski_eq(s, 1, &w->knew), !old);
	CU_ASSERT_EQUAL(ski_eq(s, 1, &w->kr1o), old);
	world_free(w);
}
static void t_restart(void) { restart(NULL); }
static void t_fault_restart_old_key(void) { restart("restart-old-key"); }

/* px never negotiated BGPsec: it must get AS_PATH (and, with IPv4 NLRI,
 * NEXT_HOP), never BGPsec_PATH. */
static void plain_peer(const char *fault)
{
	WORLD(fault);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->opx, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	struct seen *s = seen_str(&w->opx, "192.0.2.0/24");
	bool leak = fault && !strcmp(fault, "bgpsec-to-plain-peer");
	bool nonh = fault && !strcmp(fault, "no-next-hop");
	CU_ASSERT_EQUAL(s->bgpsec, leak);
	CU_ASSERT_EQUAL(s->as_path, !leak);
	CU_ASSERT_EQUAL(s->next_hop, !leak && !nonh);
	world_free(w);
}
static void t_fault_bgpsec_to_plain_peer(void) { plain_peer("bgpsec-to-plain-peer"); }
static void t_fault_no_next_hop(void) { plain_peer("no-next-hop"); }

/* Cache Reset after the cache dropped up's key from its data without an
 * incremental withdrawal: the key must be gone after the reset. */
static void cache_reset(const char *fault, bool new_session)
{
	WORLD(fault);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	announce_key(w, &w->kup2); /* signs the sentinel */
	rtr_applied(w, &w->kup2, "announced");
	kr_rtr_hold_notify(w->cache, true);
	withdraw_key(w, &w->kup, false);
	if (new_session)
		kr_rtr_new_session(w->cache, 0);
	else
		kr_rtr_cache_reset(w->cache);
	kr_rtr_hold_notify(w->cache, false);
	kr_rtr_notify_now(w->cache);
	rtr_applied(w, &w->kup, "withdrawn");
	sentinel(w, "192.0.2.128/25", &w->kup2);
	struct seen *s = seen_str(&w->odn, "192.0.2.0/24");
	bool stale = fault && !strcmp(fault, "stale-keys-after-reset");
	CU_ASSERT_EQUAL(s && s->present, stale);
	world_free(w);
}
/* Staggered twilight: r1's first BGPsec peer (up) gets the new key at
 * once, r2 (and so dn) only after the stagger. */
static void t_rekey_stagger(void)
{
	WORLD(NULL);
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->oup, "203.0.113.0/24", true, NULL, 0, 1, 3000));
	announce_key(w, &w->knew);
	rtr_applied(w, &w->knew, "announced");
	char key[128];
	snprintf(key, sizeof key, "%s/new.pem --stagger-ms 600", w->dir);
	CU_ASSERT_EQUAL(ctl(w, "r1", "rekey", "origin", key), 0);
	CU_ASSERT(wait_seen(w, &w->oup, "203.0.113.0/24", true, w->knew.ski, 0, 2, 3000));
	/* at that moment r2 has not had its twilight yet */
	CU_ASSERT(ski_eq(seen_str(&w->odn, "203.0.113.0/24"), 1, &w->kr1o));
	CU_ASSERT(wait_seen(w, &w->odn, "203.0.113.0/24", true, w->knew.ski, 1, 2, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "2001:db8:f00::/48", true, w->knew.ski, 1, 2, 3000));
	world_free(w);
}

/* RFC 8205 §5.2 check 7 (pCount 0 from a peer without the allowance):
 * treat-as-withdraw, the session stays up. */
static void t_treat_as_withdraw(void)
{
	WORLD(NULL);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	up_announce_pc(w, "192.0.2.0/24", NULL, false, 0);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", false, NULL, 0, 0, 3000));
	sentinel(w, "192.0.2.128/25", NULL);
	CU_ASSERT(kr_bgp_session_established(w->up));
	CU_ASSERT_EQUAL(kr_bgp_session_downs(w->up), 0);
	world_free(w);
}

/* A plain UPDATE from up with an undefined ORIGIN value (RFC 7606 §7.1):
 * treat-as-withdraw of its prefix, no session reset. */
static void t_bad_origin(void)
{
	WORLD(NULL);
	struct kr_prefix p;
	kr_prefix_parse(&p, "192.0.2.0/24");
	uint8_t nh[4] = { 198, 18, 0, 9 };
	uint32_t path[1] = { AS_UP };
	struct kr_route_out r = { .prefix = p, .next_hop = nh, .next_hop_len = 4, .as_path = path,
				  .as_path_len = 1 };
	uint8_t msg[256];
	size_t len;
	struct kr_err e;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, msg, sizeof msg, &len, &e), 0);
	CU_ASSERT_EQUAL(kr_bgp_send_raw(w->up, msg, len), 0);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(!seen_str(&w->odn, "192.0.2.0/24")->bgpsec); /* unsigned stays unsigned */
	bool patched = false;
	for (size_t i = 23; i + 3 < len; i++)
		if (msg[i] == KR_AF_TRANSITIVE && msg[i + 1] == KR_ATTR_ORIGIN && msg[i + 2] == 1) {
			msg[i + 3] = 7;
			patched = true;
			break;
		}
	CU_ASSERT_FATAL(patched);
	CU_ASSERT_EQUAL(kr_bgp_send_raw(w->up, msg, len), 0);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", false, NULL, 0, 0, 3000));
	sentinel(w, "192.0.2.128/25", NULL);
	CU_ASSERT_EQUAL(kr_bgp_session_downs(w->up), 0);
	world_free(w);
}

/* Command line: a bad configuration is exit 2 with FILE:LINE; the fault
 * list matches FAULTS.md's headings (checked in test_refspeaker). */
static void t_cli(void)
{
	if (access(BIN, X_OK)) {
		fprintf(stderr, "SKIP: %s missing\n", BIN);
		return;
	}
	char dir[] = "/tmp/kr-rscli-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char conf[64], out[64], cmd[256], line[256] = "";
	snprintf(conf, sizeof conf, "%s/bad.conf", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	write_file(conf, "asn 65536\nrouter-id 198.18.0.1\npeer 198.18.0.2 {\n asn 7\n bgpsec ipv9\n}\n");
	snprintf(cmd, sizeof cmd, "%s -c %s --check 2>%s", BIN, conf, out);
	int st = system(cmd);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	FILE *f = fopen(out, "r");
	if (f) {
		if (!fgets(line, sizeof line, f))
			line[0] = 0;
		fclose(f);
	}
	char want[96];
	snprintf(want, sizeof want, "%s:5: ", conf);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
	snprintf(cmd, sizeof cmd, "%s -c %s --fault no-such-fault 2>/dev/null", BIN, conf);
	st = system(cmd);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	snprintf(cmd, sizeof cmd, "%s ctl %s/none.sock ping 2>/dev/null", BIN, dir);
	st = system(cmd);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* Policy keep-lower-pref: a route whose key was withdrawn stays, Not
 * Valid, and is still forwarded signed (RFC 8205 §5.1: local policy). */
static void t_keep_lower_pref(void)
{
	SKIP_UNLESS_ROOT();
	struct world *w = world_new(NULL, W_KEEP_LOWER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	announce_key(w, &w->kup2);
	rtr_applied(w, &w->kup2, "announced");
	withdraw_key(w, &w->kup, true);
	rtr_applied(w, &w->kup, "withdrawn");
	sentinel(w, "192.0.2.128/25", &w->kup2);
	/* kept, and nothing to re-send: the best path did not change */
	struct seen *s = seen_str(&w->odn, "192.0.2.0/24");
	CU_ASSERT(s && s->present && s->bgpsec && s->withdraws == 0);
	world_free(w);
}

/* Garbled BGPsec_PATHs (random octets flipped inside the attribute) from
 * up: r1 must neither crash nor stop working (RFC 8205 §5.2 / RFC 7606:
 * treat-as-withdraw). Fixed seed, so a failure is reproducible. */
static void t_garbled(void)
{
	WORLD(NULL);
	struct kr_prefix p;
	kr_prefix_parse(&p, "192.0.2.0/24");
	static struct kr_bgpsec_path bp;
	static struct kr_sigstore st;
	CU_ASSERT_EQUAL_FATAL(kr_bgpsec_sign(&w->kup, AS_R1, 1, 0, NULL, p.afi, KR_SAFI_UNICAST, &p,
					     NULL, &bp, &st, NULL), 0);
	uint8_t nh[4] = { 198, 18, 0, 9 };
	struct kr_route_out r = { .prefix = p, .bgpsec = &bp, .next_hop = nh, .next_hop_len = 4 };
	uint8_t msg[512], m2[512];
	size_t len;
	CU_ASSERT_EQUAL_FATAL(kr_update_build(&r, 4096, msg, sizeof msg, &len, NULL), 0);
	size_t at = 0; /* start of the BGPsec_PATH value: after flags, type 33, length */
	for (size_t i = 23; i + 3 < len; i++)
		if ((msg[i] & 0xC0) == KR_AF_OPTIONAL && msg[i + 1] == KR_ATTR_BGPSEC_PATH) {
			at = i + ((msg[i] & KR_AF_EXTLEN) ? 4 : 3);
			break;
		}
	CU_ASSERT_FATAL(at > 0);
	unsigned seed = 7;
	for (int k = 0; k < 300; k++) {
		memcpy(m2, msg, len);
		int flips = 1 + rand_r(&seed) % 3;
		for (int f = 0; f < flips; f++)
			m2[at + (size_t)rand_r(&seed) % (len - at)] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		kr_bgp_send_raw(w->up, m2, len);
		if (k % 50 == 49)
			kr_loop_run_once(w->loop, 1 * MS);
	}
	kr_bgp_send_raw(w->up, msg, len); /* the intact one last */
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	sentinel(w, "192.0.2.128/25", NULL);
	CU_ASSERT(!kr_proc_poll(w->r1));
	CU_ASSERT_EQUAL(kr_bgp_session_downs(w->up), 0);
	world_free(w);
}

/* dn talks to r2 over IPv6: both families cross it, IPv6 with r2's own
 * session address as next hop. */
static void t_ipv6_session(void)
{
	SKIP_UNLESS_ROOT();
	struct world *w = world_new(NULL, W_DN_V6);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	up_announce(w, "192.0.2.0/24", NULL, false);
	up_announce(w, "2001:db8:100::/48", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	CU_ASSERT(wait_seen(w, &w->odn, "2001:db8:100::/48", true, NULL, 0, 1, 3000));
	struct seen *s = seen_str(&w->odn, "2001:db8:100::/48");
	CU_ASSERT(s && s->valid && s->nhops == 3);
	s = seen_str(&w->odn, "192.0.2.0/24");
	CU_ASSERT(s && s->valid && s->nhops == 3);
	world_free(w);
}

/* The cache stops answering: after its Expire Interval (2 s here) the
 * keys are gone and routes withdrawn (RFC 8210 §6); once it answers again
 * the routes come back. */
static void rtr_expire(const char *fault)
{
	WORLD(fault);
	up_announce(w, "192.0.2.0/24", NULL, false);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 1, 3000));
	kr_rtr_set_timers(w->cache, 1, 1, 2);
	announce_key(w, &w->kunknown); /* a new serial carries the new timers */
	rtr_applied(w, &w->kunknown, "announced");
	kr_rtr_stop_answering(w->cache, true);
	if (fault) { /* keys-outlive-expire: still there well past Expire */
		CU_ASSERT(!wait_seen(w, &w->odn, "192.0.2.0/24", false, NULL, 0, 0, 4500));
		CU_ASSERT(wait_log(w, "r1", "fault keys-outlive-expire", 1000));
		world_free(w);
		return;
	}
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", false, NULL, 0, 0, 10000));
	/* back: RTRlib, still waiting for its unanswered query, reconnects */
	kr_rtr_stop_answering(w->cache, false);
	kr_rtr_drop_clients(w->cache, 0);
	CU_ASSERT(wait_seen(w, &w->odn, "192.0.2.0/24", true, NULL, 0, 2, 10000));
	world_free(w);
}

static void t_rtr_expire(void) { rtr_expire(NULL); }
static void t_fault_keys_outlive_expire(void) { rtr_expire("keys-outlive-expire"); }
static void t_cache_reset(void) { cache_reset(NULL, false); }
static void t_new_session(void) { cache_reset(NULL, true); }
static void t_fault_stale_keys_after_reset(void)
{
	cache_reset("stale-keys-after-reset", false);
	cache_reset("stale-keys-after-reset", true);
}

static void check_root(void)
{
	if (have_root >= 0)
		return;
	struct kr_err e;
	have_root = kr_net_preflight(&e) == 0 && access(BIN, X_OK) == 0;
	if (!have_root)
		fprintf(stderr, "SKIP: %s\n", access(BIN, X_OK) ? BIN " missing" : e.msg);
}

KR_TESTS("refspeaker_wire", { "cli", t_cli }, { "chain", t_chain },
	 { "unknown_and_bad", t_unknown_and_bad }, { "key_withdrawal", t_key_withdrawal },
	 { "rekey", t_rekey }, { "cache_reset", t_cache_reset },
	 { "new_session", t_new_session }, { "rtr_expire", t_rtr_expire }, { "rekey_stagger", t_rekey_stagger },
	 { "treat_as_withdraw", t_treat_as_withdraw }, { "keep_lower_pref", t_keep_lower_pref },
	 { "garbled", t_garbled }, { "ipv6_session", t_ipv6_session }, { "bad_origin", t_bad_origin },
	 { "fault_ignore_rtr_withdraw", t_fault_ignore_rtr_withdraw },
	 { "fault_keep_old_key", t_fault_keep_old_key },
	 { "fault_no_readvertise", t_fault_no_readvertise },
	 { "fault_partial_readvertise", t_fault_partial_readvertise },
	 { "fault_accept_unknown_ski", t_fault_accept_unknown_ski },
	 { "fault_skip_signature_check", t_fault_skip_signature_check },
	 { "fault_over_withdraw", t_fault_over_withdraw },
	 { "fault_transit_with_origin_key", t_fault_transit_with_origin_key },
	 { "fault_bgpsec_to_plain_peer", t_fault_bgpsec_to_plain_peer },
	 { "fault_one_key_per_as", t_fault_one_key_per_as },
	 { "fault_stale_keys_after_reset", t_fault_stale_keys_after_reset },
	 { "fault_no_downstream_withdraw", t_fault_no_downstream_withdraw },
	 { "fault_no_revalidate_on_announce", t_fault_no_revalidate_on_announce },
	 { "fault_keys_outlive_expire", t_fault_keys_outlive_expire },
	 { "fault_twilight_withdraw_gap", t_fault_twilight_withdraw_gap },
	 { "restart", t_restart }, { "fault_restart_old_key", t_fault_restart_old_key },
	 { "fault_readvertise_transit_on_origin_roll", t_fault_readvertise_transit_on_origin_roll },
	 { "fault_no_next_hop", t_fault_no_next_hop },
	 { "fault_twilight_twice", t_fault_twilight_twice });
