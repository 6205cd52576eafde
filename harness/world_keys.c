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

#include "evloop.h"
#include "world_int.h"

static struct kr_wkey *new_key(struct kr_world *w, enum kr_peer owner, const char *role, unsigned gen)
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
	uint32_t asn = kr_peer_asn(owner);
	if (kr_key_generate(&k->k, asn, &err) < 0) {
		free(k);
		kr_error(w->ctx, "key generation: %s", err.msg);
		return NULL;
	}
	k->owner = owner;
	k->gen = gen;
	snprintf(k->role, sizeof(k->role), "%s", role ? role : "");
	char hex[2 * KR_SKI_LEN + 1];
	kr_hex_encode(hex, sizeof(hex), k->k.ski, KR_SKI_LEN);
	if (owner == KR_NPEERS)
		snprintf(k->name, sizeof(k->name), "sut-%s#%u (SKI %.8s)", k->role, gen, hex);
	else
		snprintf(k->name, sizeof(k->name), "%s#%u (SKI %.8s)", kr_peer_name(owner), gen, hex);
	if (snprintf(k->pem, sizeof(k->pem), "%s/keys/%s-%s%u.pem", w->ctx->dir,
		     owner == KR_NPEERS ? "sut" : kr_peer_name(owner), k->role, gen) >= (int)sizeof(k->pem) ||
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
	kr_log(w->ctx, "key %s generated (AS %u)", k->name, asn);
	return k;
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
		kr_key_free(&w->keys[i]->k);
		free(w->keys[i]);
	}
	w->nkeys = 0;
	kr_keytab_free(w->keytab);
	w->keytab = NULL;
}

/* ---- RTR cache ------------------------------------------------------------ */

static int rtr_add(struct kr_world *w, struct kr_wkey *k)
{
	struct kr_err err = { 0 };
	if (kr_keytab_add(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len, &err) < 0)
		return kr_error(w->ctx, "key table: %s", err.msg);
	if (kr_rtr_announce_key(w->rtr, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0)
		return kr_error(w->ctx, "RTR cache refused to announce %s", k->name);
	k->published = true;
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
	if (w->cfg.split_keys)
		return kr_w_sut_key(w, "origin", 0) && kr_w_sut_key(w, "transit", 0) ? 0 : -1;
	return kr_w_sut_key(w, "shared", 0) ? 0 : -1;
}

int kr_w_rtr_start(struct kr_world *w)
{
	struct kr_err err = { 0 };
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
	int64_t t = kr_now_ns();
	int rc = kr_loop_run_until(w->ctx->loop, kr_rtr_all_synced, w->rtr, kr_w_deadline(w, KR_W_RTR));
	if (rc < 0)
		return kr_error(w->ctx, "interrupted");
	if (rc == 0)
		return kr_error(w->ctx, "the SUT's RTR client did not synchronise to serial %u within %.2f s "
				       "(%zu client%s connected)",
				kr_rtr_serial(w->rtr), kr_w_deadline_s(w, KR_W_RTR), kr_rtr_client_count(w->rtr),
				kr_rtr_client_count(w->rtr) == 1 ? "" : "s");
	kr_log(w->ctx, "RTR: the SUT has serial %u (%.3f s)", kr_rtr_serial(w->rtr),
	       kr_ns_to_s(kr_now_ns() - t));
	return 0;
}

int kr_w_publish(struct kr_world *w, struct kr_wkey *k)
{
	if (k->published)
		return 0;
	kr_log(w->ctx, "RTR: announce %s", k->name);
	if (rtr_add(w, k) < 0)
		return -1;
	return kr_w_rtr_wait_synced(w);
}

int kr_w_unpublish(struct kr_world *w, struct kr_wkey *k)
{
	kr_log(w->ctx, "RTR: withdraw %s", k->name);
	kr_keytab_del(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len);
	if (kr_rtr_withdraw_key(w->rtr, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0)
		return kr_error(w->ctx, "RTR cache refused to withdraw %s", k->name);
	k->published = false;
	if (kr_w_rtr_wait_synced(w) < 0)
		return -1;
	return kr_w_rtr_barrier(w);
}

int kr_w_revoke(struct kr_world *w, struct kr_wkey *k)
{
	/* The harness feeds its cache directly (no relying party reads the
	 * CRL), so revocation changes nothing on the wire until the cache
	 * withdraws the key; it is logged as the rollover's step 4. */
	kr_log(w->ctx, "CA: revoke the certificate of %s (CRL published)", k->name);
	return 0;
}

int kr_w_rtr_reset_keep(struct kr_world *w, struct kr_wkey *const *keep, size_t n, bool new_session)
{
	struct kr_rtr_set s = { 0 };
	/* The SUT's own keys stay: the case is about peers' keys. */
	for (size_t i = 0; i < w->nkeys; i++) {
		struct kr_wkey *k = w->keys[i];
		bool kept = k->owner == KR_NPEERS && k->published;
		for (size_t j = 0; j < n; j++)
			kept |= keep[j] == k;
		if (kept) {
			if (kr_rtr_set_add_key(&s, k->k.asn, k->k.ski, k->spki, k->spki_len) < 0) {
				kr_rtr_set_free(&s);
				return kr_error(w->ctx, "out of memory");
			}
		} else if (k->published) {
			kr_keytab_del(w->keytab, k->k.asn, k->k.ski, k->spki, k->spki_len);
			k->published = false;
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
	kr_rtr_hold_notify(w->rtr, false);
	kr_rtr_notify_now(w->rtr);
	if (kr_w_rtr_wait_synced(w) < 0)
		return -1;
	return kr_w_rtr_barrier(w);
}
