/* The speaker's own router keys: an origin key for its own prefixes and a
 * transit key for routes it forwards (draft-rogaglia-sidr-bgpsec-rollover-01
 * §4.2), or one key for both; rekey with twilight re-advertisement
 * (§3.1 step 3), optionally staggered per peer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rs_faults.h"
#include "rs_speaker.h"

static int load(struct rs_speaker *sp, struct rs_ownkey *k, const char *path, struct kr_err *err)
{
	if (kr_key_load_file(&k->cur, sp->cfg.asn, path, err) < 0)
		return -1;
	if (!k->cur.has_private) {
		kr_key_free(&k->cur);
		kr_err_set(err, 1, 0, "%s: not a private key", path);
		return -1;
	}
	k->has_cur = true;
	k->gen = 1;
	snprintf(k->path, sizeof k->path, "%.255s", path);
	return 0;
}

/* The key state file (`key-state`): one "origin PATH" and one "transit
 * PATH" line, written after every rekey, so that a restart comes back
 * with the keys the operator switched to, not those of the configuration
 * (draft-rogaglia-sidr-bgpsec-rollover-01 §3.1 step 3: the old key is no
 * longer used). */
static void read_state(struct rs_speaker *sp, char paths[2][RS_PATH_MAX])
{
	if (!sp->cfg.key_state[0])
		return;
	FILE *f = fopen(sp->cfg.key_state, "r");
	if (!f)
		return; /* no rekey yet */
	if (rs_fault.restart_old_key) {
		fclose(f);
		rs_log("fault restart-old-key: key state %s ignored", sp->cfg.key_state);
		return;
	}
	char line[RS_PATH_MAX + 16], role[16], path[RS_PATH_MAX];
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%15s %255s", role, path) == 2) {
			int r = !strcmp(role, "origin") ? RS_ROLE_ORIGIN : !strcmp(role, "transit") ? RS_ROLE_TRANSIT : -1;
			if (r >= 0 && paths[r][0]) {
				snprintf(paths[r], RS_PATH_MAX, "%s", path);
				rs_log("%s key from the key state %s: %s", rs_role_name((enum rs_role)r),
				       sp->cfg.key_state, path);
			}
		}
	fclose(f);
}

static void write_state(struct rs_speaker *sp)
{
	if (!sp->cfg.key_state[0])
		return;
	char tmp[RS_PATH_MAX + 8];
	snprintf(tmp, sizeof tmp, "%s.new", sp->cfg.key_state);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		rs_log("key state %s: %s", tmp, strerror(errno));
		return;
	}
	for (int r = 0; r < 2; r++)
		if (sp->keys[r].has_cur)
			fprintf(f, "%s %s\n", rs_role_name((enum rs_role)r), sp->keys[r].path);
	if (fclose(f) != 0 || rename(tmp, sp->cfg.key_state) < 0)
		rs_log("key state %s: %s", sp->cfg.key_state, strerror(errno));
}

int rs_keys_load(struct rs_speaker *sp, struct kr_err *err)
{
	char paths[2][RS_PATH_MAX];
	snprintf(paths[RS_ROLE_ORIGIN], RS_PATH_MAX, "%s", sp->cfg.origin_key);
	snprintf(paths[RS_ROLE_TRANSIT], RS_PATH_MAX, "%s", sp->cfg.transit_key);
	read_state(sp, paths);
	for (int r = 0; r < 2; r++)
		if (paths[r][0] && load(sp, &sp->keys[r], paths[r], err) < 0)
			return -1;
	for (int r = 0; r < 2; r++)
		if (sp->keys[r].has_cur) {
			char h[48];
			kr_hex_encode(h, sizeof h, sp->keys[r].cur.ski, KR_SKI_LEN);
			rs_log("%s key SKI %s", rs_role_name((enum rs_role)r), h);
		}
	return 0;
}

void rs_keys_free(struct rs_speaker *sp)
{
	for (int r = 0; r < 2; r++) {
		if (sp->keys[r].has_cur)
			kr_key_free(&sp->keys[r].cur);
		if (sp->keys[r].has_prev)
			kr_key_free(&sp->keys[r].prev);
		memset(&sp->keys[r], 0, sizeof sp->keys[r]);
	}
}

const struct kr_key *rs_key_for(struct rs_speaker *sp, enum rs_role role, const struct rs_peer *q)
{
	if (role == RS_ROLE_TRANSIT && rs_fault.transit_with_origin_key)
		role = RS_ROLE_ORIGIN; /* fault: the origin key signs transit routes */
	struct rs_ownkey *k = &sp->keys[role];
	if (!k->has_cur)
		return NULL;
	/* before this peer's twilight moment it still gets the old key */
	if (q && q->key_gen[role] != k->gen && k->has_prev)
		return &k->prev;
	return &k->cur;
}

void rs_keys_peer_up(struct rs_speaker *sp, struct rs_peer *q)
{
	for (int r = 0; r < 2; r++) {
		/* fault twilight-lost-on-reset: the generation is only set at
		 * the first session; a peer that comes back keeps the old one */
		if (!(rs_fault.twilight_lost_on_reset && q->key_gen[r]))
			q->key_gen[r] = sp->keys[r].gen;
		q->twilight_pending[r] = false;
	}
}

void rs_keys_peer_down(struct rs_speaker *sp, struct rs_peer *q)
{
	if (q->twilight_timer)
		kr_loop_cancel(sp->loop, q->twilight_timer);
	q->twilight_timer = 0;
	/* a pending twilight is moot: the session comes back with the
	 * current keys (draft §3.1 step 3) */
	rs_keys_peer_up(sp, q);
}

void rs_twilight_step(struct rs_speaker *sp, struct rs_walk *w, struct rs_dest *d)
{
	if (rs_fault.twilight_stops_10k && w->sent >= 10000) {
		w->pos = w->end; /* fault: the twilight ends here */
		return;
	}
	const struct rs_out *o = &d->out[w->q->idx];
	bool rolled = w->roles[o->role], role = rolled;
	/* fault readvertise-transit-on-origin-roll: transit routes go along */
	if (rs_fault.readvertise_transit_on_origin_roll && w->roles[RS_ROLE_ORIGIN])
		role = true;
	if (!o->sent || !o->bgpsec || !role)
		return;
	/* Already signed with the current key (exported since the switch):
	 * once per peer is enough. keep-old-key never switches. */
	if (rolled && !rs_fault.keep_old_key && !rs_fault.twilight_twice && o->key_gen == w->q->key_gen[o->role])
		return;
	/* fault partial-readvertise: every second route is skipped */
	if (rs_fault.partial_readvertise && w->seen++ % 2)
		return;
	size_t n = (size_t)rs_export(sp, d, w->q, true);
	if (rs_fault.twilight_twice)
		n += (size_t)rs_export(sp, d, w->q, true); /* fault: sent again */
	w->sent += n;
}

void rs_twilight_finish(struct rs_speaker *sp, struct rs_walk *w)
{
	sp->st.readvertised += w->sent;
	rs_log("twilight towards %s: %zu route%s re-advertised%s", w->q->name, w->sent, w->sent == 1 ? "" : "s",
	       rs_fault.twilight_stops_10k && w->sent >= 10000 ? " (fault twilight-stops-10k: stopped)" : "");
}

/* Twilight towards q: switch it to the current keys of the roles and send
 * it again every route signed with them (draft §3.1 step 3), as a walk. */
static void twilight(struct rs_speaker *sp, struct rs_peer *q, const bool roles[2], bool readvertise)
{
	for (int r = 0; r < 2; r++)
		if (roles[r]) {
			q->key_gen[r] = sp->keys[r].gen;
			q->twilight_pending[r] = false;
		}
	if (!readvertise || !q->up)
		return;
	struct rs_walk *w = calloc(1, sizeof *w);
	if (!w) {
		rs_log("%s: out of memory, no twilight", q->name);
		return;
	}
	w->kind = RS_WALK_TWILIGHT;
	w->q = q;
	w->roles[0] = roles[0];
	w->roles[1] = roles[1];
	rs_walk_start(sp, w);
}

static void on_twilight_timer(struct kr_loop *l, void *arg)
{
	struct rs_peer *q = arg;
	q->twilight_timer = 0;
	bool roles[2] = { q->twilight_pending[0], q->twilight_pending[1] }; /* twilight clears them */
	rs_work_drain(q->sp->work);
	twilight(q->sp, q, roles, true);
}

static bool sends_bgpsec(const struct rs_peer *q)
{
	return q->up && (q->neg.bgpsec_send[KR_AFI_IPV4] || q->neg.bgpsec_send[KR_AFI_IPV6]);
}

int rs_rekey(struct rs_speaker *sp, enum rs_role role, const char *path, unsigned stagger_ms,
	     char *reply, size_t replysz)
{
	bool roles[2] = { false, false };
	roles[role] = true;
	if (sp->cfg.shared_key)
		roles[0] = roles[1] = true; /* one key for both roles */
	struct kr_key nk[2];
	struct kr_err e;
	kr_err_clear(&e);
	for (int r = 0; r < 2; r++) {
		if (!roles[r])
			continue;
		if (kr_key_load_file(&nk[r], sp->cfg.asn, path, &e) < 0 || !nk[r].has_private) {
			if (!e.code)
				snprintf(e.msg, sizeof e.msg, "%s: not a private key", path);
			snprintf(reply, replysz, "error %s", e.msg);
			if (r == 1 && roles[0])
				kr_key_free(&nk[0]);
			return -1;
		}
	}
	char h[48];
	kr_hex_encode(h, sizeof h, nk[role].ski, KR_SKI_LEN);
	/* signing jobs in flight hold the current keys */
	rs_work_drain(sp->work);
	if (rs_fault.keep_old_key) {
		/* fault: accepted, but the old key goes on signing */
		for (int r = 0; r < 2; r++)
			if (roles[r])
				kr_key_free(&nk[r]);
		rs_log("fault keep-old-key: new key %s ignored", h);
	} else {
		for (int r = 0; r < 2; r++) {
			if (!roles[r])
				continue;
			struct rs_ownkey *k = &sp->keys[r];
			if (k->has_prev)
				kr_key_free(&k->prev);
			k->prev = k->cur;
			k->has_prev = k->has_cur;
			k->cur = nk[r];
			k->has_cur = true;
			k->gen++;
			snprintf(k->path, sizeof k->path, "%.255s", path);
		}
		write_state(sp);
	}
	rs_log("rekey %s%s: new SKI %s, stagger %u ms", rs_role_name(role),
	       sp->cfg.shared_key ? " (shared key)" : "", h, stagger_ms);
	size_t now = 0, later = 0, npeers = 0, nsec = 0;
	const struct rs_peer *upstream = NULL; /* the last BGPsec peer that sent us routes */
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		nsec += sends_bgpsec(&sp->peers[i]);
		if (sends_bgpsec(&sp->peers[i]) && sp->peers[i].updates_in)
			upstream = &sp->peers[i];
	}
	for (size_t i = 0; i < sp->cfg.npeers; i++) {
		struct rs_peer *q = &sp->peers[i];
		bool readv = !rs_fault.no_readvertise;
		if (rs_fault.rekey_resets_sessions && sends_bgpsec(q)) {
			/* fault: Cease / Administrative Reset (RFC 4486) instead of a
			 * twilight; the session comes back with the new key */
			rs_log("fault rekey-resets-sessions: resetting %s", q->name);
			kr_bgp_send_notification(q->s, 6, 4, NULL, 0);
			continue;
		}
		if (rs_fault.partial_readvertise && npeers > 0)
			readv = false; /* fault: only the first BGPsec peer */
		if (rs_fault.twilight_skips_upstream && q == upstream) {
			rs_log("fault twilight-skips-upstream: no twilight towards %s", q->name);
			readv = false; /* fault: only "downstream" peers get the re-signed routes */
		}
		if (rs_fault.stagger_forgets_last && stagger_ms && sends_bgpsec(q) && npeers + 1 == nsec) {
			rs_log("fault stagger-forgets-last: no twilight towards %s", q->name);
			readv = false; /* fault: the last peer's timer is never set */
		}
		if (!sends_bgpsec(q) || !readv || stagger_ms == 0 || npeers == 0) {
			if (sends_bgpsec(q))
				npeers++;
			twilight(sp, q, roles, sends_bgpsec(q) && readv);
			now += sends_bgpsec(q) && readv;
			continue;
		}
		/* staggered: the n-th BGPsec peer's twilight comes n * stagger later */
		for (int r = 0; r < 2; r++)
			q->twilight_pending[r] |= roles[r];
		if (q->twilight_timer)
			kr_loop_cancel(sp->loop, q->twilight_timer);
		q->twilight_timer = kr_loop_timer(sp->loop, (int64_t)npeers * stagger_ms * 1000000LL,
						  on_twilight_timer, q);
		npeers++;
		later++;
	}
	if (rs_fault.no_readvertise)
		rs_log("fault no-readvertise: key switched without re-advertisement");
	snprintf(reply, replysz, "ok rekey %s ski=%s twilight_peers=%zu staggered_peers=%zu",
		 rs_role_name(role), h, now, later);
	return 0;
}
