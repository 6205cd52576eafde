/* Router keys of a case, the RTR cache that publishes them, and the
 * certificate side of a rollover (world.h). The cache's data is the truth
 * the SUT must follow; the observers validate against the same set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <time.h>

#include "rpki/ca.h"
#include "vectors/table.h"
#include "vectors/table_sign.h"
#include "net/evloop.h"
#include "run/runner.h"
#include "run/world_int.h"

uint32_t kr_far_asn(unsigned hop)
{
	/* documentation range (RFC 5398), inside the test CA's resources */
	return 64500u + hop;
}

static uint32_t key_asn(enum kr_peer owner, const char *role)
{
	if (owner == KR_W_FAR_OWNER)
		return kr_far_asn((unsigned)atoi(role + 3)); /* "hopN" */
	return kr_peer_asn(owner);
}

static struct kr_wkey *new_key_as(struct kr_world *w, enum kr_peer owner, uint32_t asn, const char *role,
				  unsigned gen, bool seeded)
{
	if (w->nkeys >= KR_W_MAX_KEYS) {
		kr_error(w->ctx, "too many keys in one case");
		return NULL;
	}
	struct kr_wkey *k = calloc(1, sizeof(*k));
	if (!k) {
		kr_error(w->ctx, "out of memory");
		return NULL;
	}
	struct kr_err err = { 0 };
	/* The run's SUT signs with what it was given earlier in the run. */
	int ri = owner == KR_NPEERS && gen == 0 && w->run && role ? kr_w_sut_role(role) : -1;
	const char *carried = ri >= 0 && w->run->key_pem[ri][0] ? w->run->key_pem[ri] : NULL;
	/* Keys that sign a cached full table come from fixed seeds
	 * (vectors/table_sign.h); every other key is fresh. */
	int krc = carried  ? kr_key_load_file(&k->k, asn, carried, &err)
		  : seeded ? kr_table_key(&k->k, asn, gen, &err)
			   : kr_key_generate(&k->k, asn, &err);
	if (krc < 0) {
		free(k);
		kr_error(w->ctx, "key %s: %s", carried ? "loading" : "generation", err.msg);
		return NULL;
	}
	k->owner = owner;
	k->gen = gen;
	snprintf(k->role, sizeof(k->role), "%s", role ? role : "");
	char hex[2 * KR_SKI_LEN + 1];
	kr_hex_encode(hex, sizeof(hex), k->k.ski, KR_SKI_LEN);
	if (owner == KR_NPEERS)
		snprintf(k->name, sizeof(k->name), "sut-%s#%u (SKI %.8s)", k->role, gen, hex);
	else if (owner == KR_W_FAR_OWNER || owner == KR_W_TABLE_OWNER)
		snprintf(k->name, sizeof(k->name), "AS%u#%u (SKI %.8s)", asn, gen, hex);
	else
		snprintf(k->name, sizeof(k->name), "%s#%u (SKI %.8s)", kr_peer_name(owner), gen, hex);
	char who[32];
	if (owner == KR_W_TABLE_OWNER)
		snprintf(who, sizeof(who), "as%u", asn);
	else
		snprintf(who, sizeof(who), "%s", owner == KR_NPEERS ? "sut" : owner == KR_W_FAR_OWNER ? "far"
										 : kr_peer_name(owner));
	if (carried) {
		snprintf(k->pem, sizeof(k->pem), "%s", carried);
	} else if (snprintf(k->pem, sizeof(k->pem), "%s/keys/%s-%s%u.pem", w->ctx->dir, who, k->role, gen) >=
			   (int)sizeof(k->pem) ||
		   kr_key_save_pem(&k->k, k->pem, true, &err) < 0) {
		kr_key_free(&k->k);
		free(k);
		kr_error(w->ctx, "saving key: %s", err.msg);
		return NULL;
	}
	if (kr_key_spki_der(&k->k, k->spki, sizeof(k->spki), &k->spki_len) < 0) {
		kr_key_free(&k->k);
		free(k);
		kr_error(w->ctx, "key SPKI encoding failed");
		return NULL;
	}
	w->keys[w->nkeys++] = k;
	kr_log(w->ctx, "key %s %s (AS %u)", k->name, carried ? "carried over from the run's SUT" : "generated", asn);
	return k;
}

static struct kr_wkey *new_key(struct kr_world *w, enum kr_peer owner, const char *role, unsigned gen)
{
	bool seeded = w->cfg.scale && (owner == KR_UP1 || owner == KR_UP2) && gen < 2;
	return new_key_as(w, owner, key_asn(owner, role), role, gen, seeded);
}

static struct kr_wkey *find_key(struct kr_world *w, enum kr_peer owner, const char *role, unsigned gen)
{
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		if (!k->forged && k->owner == owner && k->gen == gen && !strcmp(k->role, role ? role : ""))
			return k;
	}
	return NULL;
}

struct kr_wkey *kr_w_key(struct kr_world *w, enum kr_peer p, unsigned gen)
{
	if (p >= KR_NPEERS) {
		kr_error(w->ctx, "kr_w_key: use kr_w_sut_key for the SUT");
		return NULL;
	}
	struct kr_wkey *k = find_key(w, p, "", gen);
	return k ? k : new_key(w, p, "", gen);
}

struct kr_wkey *kr_w_sut_key(struct kr_world *w, const char *role, unsigned gen)
{
	bool shared = !w->cfg.split_keys;
	if (shared ? strcmp(role, "shared") : strcmp(role, "origin") && strcmp(role, "transit")) {
		kr_error(w->ctx, "the case asked for the SUT's %s key but configured %s keys", role,
			 shared ? "one shared" : "split origin/transit");
		return NULL;
	}
	struct kr_wkey *k = find_key(w, KR_NPEERS, role, gen);
	return k ? k : new_key(w, KR_NPEERS, role, gen);
}

struct kr_wkey *kr_w_far_key(struct kr_world *w, unsigned hop, unsigned gen)
{
	if (hop < 1 || hop > KR_W_MAX_FAR) {
		kr_error(w->ctx, "kr_w_far_key: hop %u outside 1..%u", hop, KR_W_MAX_FAR);
		return NULL;
	}
	char role[12];
	snprintf(role, sizeof(role), "hop%u", hop);
	struct kr_wkey *k = find_key(w, KR_W_FAR_OWNER, role, gen);
	return k ? k : new_key(w, KR_W_FAR_OWNER, role, gen);
}

struct kr_wkey *kr_w_forged_key(struct kr_world *w, struct kr_wkey *like)
{
	struct kr_wkey *k = new_key(w, like->owner, like->role, 1000 + like->gen);
	if (!k)
		return NULL;
	memcpy(k->k.ski, like->k.ski, KR_SKI_LEN);
	k->forged = true;
	if (snprintf(k->name, sizeof(k->name), "forged key under %s", like->name) >= (int)sizeof(k->name))
		k->name[sizeof(k->name) - 1] = 0;
	return k;
}

const uint8_t *kr_wkey_ski(const struct kr_wkey *k)
{
	return k->k.ski;
}

const char *kr_wkey_name(const struct kr_wkey *k)
{
	return k->name;
}

void kr_w_keys_free(struct kr_world *w)
{
	for (size_t i = 0; i < w->nkeys; i++) {
		X509_free(w->keys[i]->x509);
		kr_key_free(&w->keys[i]->k);
		free(w->keys[i]);
	}
	w->nkeys = 0;
	kr_keytab_free(w->keytab);
	w->keytab = NULL;
}

/* ---- certificates ---------------------------------------------------------- */

/* One trust anchor per run: creating an RSA-2048 key takes up to a second,
 * and a CA holds no SUT state, so cases share it; their certificates are
 * their own. */
static struct kr_ca *run_ca;

static void ca_free(void)
{
	kr_ca_free(run_ca);
	run_ca = NULL;
}

static struct kr_ca *ca(struct kr_world *w)
{
	if (run_ca)
		return run_ca;
	static const struct kr_as_range as[] = { { 64496, 64511 }, { 65536, 65551 } };
	struct kr_ca_opts o = { .name = "keyroll test TA", .as = as, .nas = 2 };
	struct kr_err err = { 0 };
	run_ca = kr_ca_new_ta(&o, &err);
	if (!run_ca) {
		kr_error(w->ctx, "CA: %s", err.msg);
		return NULL;
	}
	atexit(ca_free);
	return run_ca;
}

/* Step 1: the CA issues the key's router certificate (RFC 8209); what the
 * cache announces is read back from the certificate, as a relying party
 * would (RFC 8209 §3.3 output). */
int kr_w_certify(struct kr_world *w, struct kr_wkey *k)
{
	if (k->x509)
		return 0;
	struct kr_ca *c = w->pipe ? kr_w_pipe_issuer(w, k) : ca(w);
	if (!c)
		return w->pipe ? kr_error(w->ctx, "CA: no CA for %s", k->name) : -1;
	struct kr_err err = { 0 };
	struct kr_router_req rq = { .asns = &k->k.asn, .nasns = 1, .no_router_id = true,
				    .not_after = k->not_after };
	k->x509 = kr_ca_issue_router(c, k->k.pkey, &rq, &err);
	if (!k->x509)
		return kr_error(w->ctx, "CA: router certificate for %s: %s", k->name, err.msg);
	snprintf(k->cert, sizeof(k->cert), "%.*s.cer", (int)(strlen(k->pem) - 4), k->pem);
	if (kr_x509_save(k->x509, k->cert, true, &err) < 0)
		return kr_error(w->ctx, "CA: %s", err.msg);
	struct kr_rtr_set set = { 0 };
	int rc = 0;
	if (kr_router_cert_keys(k->x509, &set, &err) < 0 || set.nkeys != 1)
		rc = kr_error(w->ctx, "CA: no router key in the certificate of %s: %s", k->name, err.msg);
	else if (set.keys[0].asn != k->k.asn || memcmp(set.keys[0].ski, k->k.ski, KR_SKI_LEN) ||
		 set.keys[0].spki_len != k->spki_len || memcmp(set.keys[0].spki, k->spki, k->spki_len))
		rc = kr_error(w->ctx, "CA: the certificate of %s names another key", k->name);
	kr_rtr_set_free(&set);
	if (rc == 0)
		kr_log(w->ctx, "CA: router certificate serial %llu for %s", (unsigned long long)kr_x509_serial(k->x509),
		       k->name);
	return rc;
}

/* ---- RTR cache ------------------------------------------------------------ */

static int rtr_add(struct kr_world *w, struct kr_wkey *k)
{
	struct kr_err err = { 0 };
	if (kr_w_certify(w, k) < 0)
		return -1;
	if (kr_keytab_add(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0)
		return kr_error(w->ctx, "key table: %s", err.msg);
	if (w->srtr ? kr_stayrtr_announce_key(w->srtr, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0
		    : kr_rtr_announce_key(w->rtr, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0)
		return kr_error(w->ctx, "RTR cache refused to announce %s%s%s", k->name, err.msg[0] ? ": " : "",
				err.msg);
	k->published = true;
	return 0;
}

int kr_w_rtr_add(struct kr_world *w, struct kr_wkey *k)
{
	return rtr_add(w, k);
}

int kr_w_rtr_builtin_only(struct kr_world *w, const char *verb)
{
	return kr_skip(w->ctx, "needs the built-in RTR cache (%s): StayRTR cannot", verb);
}

/* StayRTR in the rtr node, serving the gen-0 keys from the start. */
static int stayrtr_start(struct kr_world *w)
{
	struct kr_err err = { 0 };
	struct kr_rtr_set set = { 0 };
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		if (k->gen != 0)
			continue;
		if (kr_w_certify(w, k) < 0 ||
		    kr_keytab_add(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0 ||
		    kr_rtr_set_add_key(&set, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0) {
			kr_rtr_set_free(&set);
			return kr_error(w->ctx, "RTR data for %s%s%s", k->name, err.msg[0] ? ": " : "", err.msg);
		}
		k->published = true;
	}
	char listen[96], metrics[96];
	snprintf(listen, sizeof(listen), "%s:%u", w->rtr_addr, KR_W_RTR_PORT);
	snprintf(metrics, sizeof(metrics), "%s:%u", w->rtr_addr, KR_W_STAYRTR_METRICS_PORT);
	struct kr_stayrtr_opts o = {
		.net = w->net, .node = "rtr", .listen = listen, .metrics = metrics, .dir = w->ctx->dir,
		.refresh = KR_W_STAYRTR_REFRESH_S, .rtr_refresh = kr_w_stayrtr_rtr_refresh(w), .rtr_retry = 5,
		.rtr_expire = 600,
	};
	w->srtr = kr_stayrtr_start(&o, &set, kr_now_ns() + 15 * (int64_t)1000000000, &err);
	kr_rtr_set_free(&set);
	if (!w->srtr)
		return kr_error(w->ctx, "StayRTR: %s", err.msg);
	kr_artifact(w->ctx, kr_stayrtr_log_path(w->srtr));
	kr_log(w->ctx, "RTR cache: StayRTR on %s (metrics %s, file refresh %u s, RTR Refresh %u s)", listen,
	       metrics, o.refresh, o.rtr_refresh);
	return 0;
}

int kr_w_keys_init(struct kr_world *w)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/keys", w->ctx->dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return kr_error(w->ctx, "cannot create %s: %s", dir, strerror(errno));
	w->keytab = kr_keytab_new();
	if (!w->keytab)
		return kr_error(w->ctx, "out of memory");
	if (!kr_w_key(w, KR_UP1, 0) || !kr_w_key(w, KR_UP2, 0))
		return -1;
	for (unsigned h = 1; h <= w->cfg.far_hops; h++)
		if (!kr_w_far_key(w, h, 0))
			return -1;
	if (w->cfg.scale) {
		/* the table's origin and transit ASes, published from the start */
		const uint32_t *as;
		size_t n = kr_table_ases(&as);
		for (size_t i = 0; i < n; i++)
			if (!new_key_as(w, KR_W_TABLE_OWNER, as[i], "table", 0, true))
				return -1;
	}
	if (w->cfg.split_keys)
		return kr_w_sut_key(w, "origin", 0) && kr_w_sut_key(w, "transit", 0) ? 0 : -1;
	return kr_w_sut_key(w, "shared", 0) ? 0 : -1;
}

int kr_w_rtr_start(struct kr_world *w)
{
	struct kr_err err = { 0 };
	if (w->ctx->opts && (w->ctx->opts->rtr_stayrtr || w->ctx->opts->rpki_pipeline)) {
		if (kr_w_addr(w, "rtr", KR_W_SUT_NODE, AF_INET, w->rtr_addr, sizeof(w->rtr_addr)) < 0)
			return kr_error(w->ctx, "topology has no rtr-sut link");
		return w->ctx->opts->rpki_pipeline ? kr_w_pipe_start(w) : stayrtr_start(w);
	}
	/* Long Refresh/Expire: the SUT hears of changes through Serial
	 * Notify; faults that need expiry set their own timers. */
	struct kr_rtr_cache_cfg cc = { .refresh = 3600, .retry = 600, .expire = 7200, .max_version = 1 };
	w->rtr = kr_rtr_cache_new(w->ctx->loop, &cc);
	if (!w->rtr)
		return kr_error(w->ctx, "cannot create the RTR cache");
	kr_rtr_transcript_enable(w->rtr, true, NULL);
	if (kr_w_addr(w, "rtr", KR_W_SUT_NODE, AF_INET, w->rtr_addr, sizeof(w->rtr_addr)) < 0)
		return kr_error(w->ctx, "topology has no rtr-sut link");
	int fd = kr_net_socket(w->net, "rtr", AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return kr_error(w->ctx, "RTR socket in node rtr: %s", strerror(errno));
	struct sockaddr_storage ss;
	struct kr_ifaddr ia;
	kr_net_addr(w->net, "rtr", KR_W_SUT_NODE, AF_INET, &ia);
	socklen_t sl = kr_ifaddr_sockaddr(&ia, KR_W_RTR_PORT, &ss);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		close(fd);
		return kr_error(w->ctx, "RTR bind %s:%u: %s", w->rtr_addr, KR_W_RTR_PORT, strerror(e));
	}
	if (kr_rtr_cache_listen_fd(w->rtr, fd, &err) < 0)
		return kr_error(w->ctx, "RTR listen: %s", err.msg);
	/* Generation 0 of every key is there before the SUT connects. */
	kr_rtr_batch_begin(w->rtr);
	for (size_t i = 0; i < w->nkeys; i++)
		if (w->keys[i]->gen == 0 && rtr_add(w, w->keys[i]) < 0)
			return -1;
	kr_rtr_batch_commit(w->rtr);
	kr_log(w->ctx, "RTR cache on %s:%u with %zu router keys", w->rtr_addr, KR_W_RTR_PORT,
	       kr_rtr_key_count(w->rtr));
	return 0;
}

int kr_w_rtr_wait_synced(struct kr_world *w)
{
	/* The pipeline watches the SUT's RTR link. StayRTR alone has no
	 * transcript to watch: a route signed with a freshly published key
	 * is the proof the SUT has the data. */
	if (w->pipe)
		return kr_w_pipe_wait_synced(w);
	if (w->srtr)
		return kr_w_rtr_barrier(w);
	int64_t t = kr_now_ns();
	int rc = kr_w_run_until(w, kr_rtr_all_synced, w->rtr, kr_w_deadline(w, KR_W_RTR));
	if (rc < 0)
		return -1;
	if (rc == 0) {
		kr_expect(w->ctx, "the SUT's RTR client synchronises to serial %u within %.2f s",
			  kr_rtr_serial(w->rtr), kr_w_deadline_s(w, KR_W_RTR));
		return kr_fail_pre(w->ctx, "it did not (%zu client%s connected)", kr_rtr_client_count(w->rtr),
				   kr_rtr_client_count(w->rtr) == 1 ? "" : "s");
	}
	kr_log(w->ctx, "RTR: the SUT has serial %u (%.3f s)", kr_rtr_serial(w->rtr),
	       kr_ns_to_s(kr_now_ns() - t));
	return 0;
}

int kr_w_publish(struct kr_world *w, struct kr_wkey *k)
{
	if (k->published)
		return 0;
	if (w->pipe)
		return kr_w_pipe_publish(w, k);
	kr_log(w->ctx, "RTR: announce %s", k->name);
	if (rtr_add(w, k) < 0)
		return -1;
	return w->sut ? kr_w_rtr_wait_synced(w) : 0; /* stopped: it fetches it when it starts */
}

int kr_w_publish_nowait(struct kr_world *w, struct kr_wkey *k)
{
	if (k->published)
		return 0;
	if (w->pipe)
		return kr_w_pipe_publish_nowait(w, k);
	kr_log(w->ctx, "RTR: announce %s (not waiting for the SUT)", k->name);
	return rtr_add(w, k);
}

int kr_w_publish_many(struct kr_world *w, struct kr_wkey *const *keys, size_t n)
{
	if (w->rtr)
		kr_rtr_batch_begin(w->rtr);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (keys[i]->published)
			continue;
		kr_log(w->ctx, "RTR: announce %s", keys[i]->name);
		rc = rtr_add(w, keys[i]);
	}
	if (w->rtr)
		kr_rtr_batch_commit(w->rtr);
	return rc < 0 ? -1 : kr_w_rtr_wait_synced(w);
}

int kr_w_rtr_withdraw(struct kr_world *w, struct kr_wkey *k)
{
	kr_log(w->ctx, "RTR: withdraw %s", k->name);
	kr_keytab_del(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len);
	struct kr_err err = { 0 };
	if (w->srtr ? kr_stayrtr_withdraw_key(w->srtr, k->k.asn, k->k.ski, &err) < 0
		    : kr_rtr_withdraw_key(w->rtr, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0)
		return kr_error(w->ctx, "RTR cache refused to withdraw %s%s%s", k->name, err.msg[0] ? ": " : "",
				err.msg);
	k->published = false;
	return w->srtr ? 0 : kr_w_rtr_wait_synced(w);
}

int kr_w_unpublish(struct kr_world *w, struct kr_wkey *k)
{
	if (w->pipe)
		return kr_w_pipe_unpublish(w, k);
	kr_log(w->ctx, "RTR: withdraw %s", k->name);
	kr_keytab_del(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len);
	struct kr_err err = { 0 };
	if (w->srtr ? kr_stayrtr_withdraw_key(w->srtr, k->k.asn, k->k.ski, &err) < 0
		    : kr_rtr_withdraw_key(w->rtr, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0)
		return kr_error(w->ctx, "RTR cache refused to withdraw %s%s%s", k->name, err.msg[0] ? ": " : "",
				err.msg);
	k->published = false;
	k->unpublished_ns = kr_now_ns();
	if (w->sut_halted)
		return 0; /* stopped: it fetches the change when it starts */
	if (!w->srtr && kr_w_rtr_wait_synced(w) < 0)
		return -1;
	return kr_w_rtr_barrier(w);
}

int kr_w_revoke(struct kr_world *w, struct kr_wkey *k)
{
	/* Step 4. The CRL reaches the SUT only through the cache: the key is
	 * withdrawn by kr_w_unpublish, as a relying party would after reading
	 * the CRL. The CRL itself is evidence. Under the pipeline a relying
	 * party reads it. */
	if (w->pipe)
		return kr_w_pipe_revoke(w, k);
	if (kr_w_certify(w, k) < 0)
		return -1;
	int64_t now = time(NULL);
	kr_ca_revoke_cert(run_ca, k->x509, now);
	struct kr_err err = { 0 };
	X509_CRL *crl = kr_ca_crl(run_ca, now, now + 86400, &err);
	if (!crl)
		return kr_error(w->ctx, "CA: CRL: %s", err.msg);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/keys/ca-%u.crl", w->ctx->dir, ++w->crls);
	int rc = kr_crl_save(crl, path, true, &err);
	X509_CRL_free(crl);
	if (rc < 0)
		return kr_error(w->ctx, "CA: %s", err.msg);
	kr_artifact(w->ctx, path);
	kr_log(w->ctx, "CA: certificate serial %llu of %s revoked; CRL published (%s)",
	       (unsigned long long)kr_x509_serial(k->x509), k->name, path);
	return 0;
}

int kr_w_rtr_reset_keep(struct kr_world *w, struct kr_wkey *const *keep, size_t n, bool new_session)
{
	if (w->srtr)
		return kr_w_rtr_builtin_only(w, new_session ? "new session id" : "cache reset");
	struct kr_rtr_set s = { 0 };
	/* The SUT's own keys stay: the case is about peers' keys. */
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		bool kept = k->owner == KR_NPEERS && k->published;
		for (size_t j = 0; j < n; j++)
			kept |= keep[j] == k;
		if (kept) {
			/* a key new to the cache arrives with the reset only */
			struct kr_err err = { 0 };
			if (!k->published &&
			    (kr_w_certify(w, k) < 0 ||
			     kr_keytab_add(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0)) {
				kr_rtr_set_free(&s);
				return err.msg[0] ? kr_error(w->ctx, "key table: %s", err.msg) : -1;
			}
			if (!k->published)
				kr_log(w->ctx, "RTR: %s added to the cache's data", k->name);
			k->published = true;
			if (kr_rtr_set_add_key(&s, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0) {
				kr_rtr_set_free(&s);
				return kr_error(w->ctx, "out of memory");
			}
		} else if (k->published) {
			kr_keytab_del(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len);
			k->published = false;
			k->unpublished_ns = kr_now_ns();
			kr_log(w->ctx, "RTR: %s dropped from the cache's data", k->name);
		}
	}
	/* Held notifications: the data change and the reset reach the SUT as
	 * one event, so it never learns the change incrementally. */
	kr_rtr_hold_notify(w->rtr, true);
	long changed = kr_rtr_replace(w->rtr, &s);
	kr_rtr_set_free(&s);
	if (changed < 0)
		return kr_error(w->ctx, "RTR cache refused the new data");
	if (new_session) {
		kr_rtr_new_session(w->rtr, 0);
		kr_log(w->ctx, "RTR: new session id %u", kr_rtr_session(w->rtr));
	} else {
		kr_rtr_cache_reset(w->rtr);
		kr_log(w->ctx, "RTR: Cache Reset (change log forgotten)");
	}
	/* One Serial Notify for the whole change (a new session id alone
	 * leaves none pending); releasing the hold then sends no second one. */
	kr_rtr_notify_now(w->rtr);
	kr_rtr_hold_notify(w->rtr, false);
	/* no barrier: whether the SUT applied the new data is what the
	 * cases judge (the flush, and the pick-up with kr_w_rtr_pickup) */
	return kr_w_rtr_wait_synced(w);
}

void kr_w_ski_story(struct kr_world *w, const uint8_t *ski, char *out, size_t outsz)
{
	struct kr_wkey *k = NULL;
	for (size_t i = 0; i < w->nkeys; i++)
		if (!memcmp(w->keys[i]->k.ski, ski, KR_SKI_LEN) && !w->keys[i]->forged)
			k = w->keys[i];
	if (!k) {
		char h[16];
		kr_hex_encode(h, sizeof(h), ski, 4);
		snprintf(out, outsz, "SKI %s (no key of the case)", h);
	} else if (k->published) {
		snprintf(out, outsz, "%s published", k->name);
	} else if (k->unpublished_ns) {
		snprintf(out, outsz, "%s withdrawn at +%.3f s", k->name,
			 kr_ns_to_s(k->unpublished_ns - w->ctx->r->start_ns));
	} else {
		snprintf(out, outsz, "%s never published", k->name);
	}
}

int kr_w_rtr_renew(struct kr_world *w, bool wait)
{
	struct kr_rtr_cache *c = w->rtr;
	/* Whatever the previous case did to the cache is undone. */
	kr_rtr_stop_answering(c, false);
	kr_rtr_defer_answers(c, false);
	w->rtr_deferred = false;
	kr_rtr_set_no_data(c, false);
	kr_rtr_set_max_version(c, 1);
	kr_rtr_set_timers(c, 3600, 600, 7200);
	struct kr_rtr_set set = { 0 };
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		if (k->gen != 0)
			continue;
		struct kr_err err = { 0 };
		if (kr_w_certify(w, k) < 0 ||
		    kr_keytab_add(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0 ||
		    kr_rtr_set_add_key(&set, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0) {
			kr_rtr_set_free(&set);
			return kr_error(w->ctx, "RTR data for %s%s%s", k->name, err.msg[0] ? ": " : "", err.msg);
		}
		k->published = true;
	}
	/* One event for the SUT: RFC 8210 §5.1, a new session id makes the
	 * router flush what it had from this cache and load the new data. */
	/* A client left waiting on a cache that did not answer may not listen
	 * to a notify: its connection is closed, it comes back (Reset Query)
	 * after its Retry. */
	if (w->run && w->run->rtr_cut) {
		kr_log(w->ctx, "RTR: the previous case cut the SUT's client off; its connection is closed");
		kr_rtr_drop_clients(c, 0);
		w->run->rtr_cut = false;
	}
	kr_rtr_hold_notify(c, true);
	long changed = kr_rtr_replace(c, &set);
	kr_rtr_set_free(&set);
	if (changed < 0)
		return kr_error(w->ctx, "RTR cache refused the new data");
	kr_rtr_new_session(c, 0);
	kr_rtr_hold_notify(c, false);
	kr_rtr_notify_now(c);
	kr_log(w->ctx, "RTR: the case's %zu router keys as new session id %u", kr_rtr_key_count(c), kr_rtr_session(c));
	if (!wait)
		return 0;
	int64_t t = kr_now_ns();
	int64_t dl = kr_w_deadline(w, KR_W_RTR) + (kr_sut_cap_int(w->prof, "rtr_retry_min_s", 1) + 1) * 1000000000LL;
	int rc = kr_loop_run_until(w->ctx->loop, kr_rtr_all_synced, c, dl);
	if (rc < 0)
		return kr_error(w->ctx, "interrupted");
	if (rc == 0)
		return kr_error(w->ctx, "the SUT's RTR client did not take the new session id within %.2f s",
				kr_ns_to_s(kr_now_ns() - t));
	return 0;
}
