/* `keyroll record --scenario rollover [--fault NAME]`: a pcap fixture of
 * the reference speaker (or a fault variant of it) in the standard
 * topology through one short story of everything `keyroll judge` judges,
 * recorded on every SUT link and merged into one pcap, with its sidecars
 * (record_scenario.h). The story runs as a case does (kr_run_case): the
 * world is built, used through world.h alone and torn down on every path. */
#include "run/record_scenario.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/capread.h"
#include "net/pcap_decode.h"
#include "rpki/keys_json.h"
#include "net/evloop.h"
#include "net/fsutil.h"
#include "net/pcap_merge.h"
#include "rpki/rtr_json.h"
#include "run/runner.h"
#include "run/world.h"
#include "wire/rtr_follow.h"

/* Prefixes of the story (documentation ranges, RFC 5737 / RFC 3849). */
#define P1 "198.51.100.0/24" /* up1, re-signed by up1 at its own roll, replayed at the end */
#define P2 "192.0.2.0/24"    /* up2 */
#define P3 "203.0.113.0/25"  /* up2, signed with a key never published */
#define P4 "198.51.100.128/25" /* up1, left signed with the key that is withdrawn */
#define P6 "2001:db8:c0::/48" /* up2, IPv6 */

static int story(struct kr_ctx *ctx)
{
	struct kr_world_cfg cfg = { .exa = true, .sut_prefixes = 1 };
	if (kr_world_up(ctx, &cfg) < 0)
		return -1;
	struct kr_world *w = ctx->w;
	struct kr_wkey *k0 = kr_w_key(w, KR_UP1, 0), *k1 = kr_w_key(w, KR_UP1, 1), *q0 = kr_w_key(w, KR_UP2, 0),
		       *qx = kr_w_key(w, KR_UP2, 7), *s0 = kr_w_sut_key(w, "shared", 0),
		       *s1 = kr_w_sut_key(w, "shared", 1);
	if (!k0 || !k1 || !q0 || !qx || !s0 || !s1)
		return -1;
	const unsigned all = KR_ALL_DOWN;
	/* Waits only pace the story: a fault may make one time out, and the
	 * judge is to say so from the capture. */
	kr_log(ctx, "story 1: routes from up1 and up2 (IPv4, IPv6)");
	if (kr_w_announce(w, KR_UP1, P1, k0) < 0 || kr_w_announce(w, KR_UP1, P4, k0) < 0 ||
	    kr_w_announce(w, KR_UP2, P2, q0) < 0 || kr_w_announce(w, KR_UP2, P6, q0) < 0)
		return -1;
	kr_w_wait_present(w, all, P1, NULL, NULL, 0, kr_w_deadline(w, KR_W_ANNOUNCE));
	kr_w_wait_present(w, all, P6, NULL, NULL, 0, kr_w_deadline(w, KR_W_ANNOUNCE));
	kr_log(ctx, "story 2: up2 sends %s signed with a key never published", P3);
	if (kr_w_announce(w, KR_UP2, P3, qx) < 0 || kr_w_sentinel(w, KR_DOWNSTREAM) < 0)
		return -1;
	kr_log(ctx, "story 3: the SUT rolls its own key (pre-publish, stage, switch, twilight)");
	if (kr_w_publish(w, s1) < 0 || kr_w_pass_time(w, 86400, 0.05) < 0)
		return -1;
	int64_t t = kr_now_ns();
	if (kr_w_sut_rekey(w, "shared", s1, 0) < 0)
		return -1;
	kr_w_wait_present(w, KR_DOWNSTREAM, P2, kr_wkey_ski(s1), NULL, t, kr_w_deadline(w, KR_W_ANNOUNCE));
	kr_w_wait_present(w, KR_DOWNSTREAM, kr_w_sut_prefix(w, 0), kr_wkey_ski(s1), NULL, t,
			  kr_w_deadline(w, KR_W_ANNOUNCE));
	/* the twilight's deadline passes inside the capture */
	if (kr_w_pass_time(w, 0, kr_w_deadline_s(w, KR_W_ANNOUNCE) + 0.2) < 0)
		return -1;
	kr_log(ctx, "story 4: up1 rolls its key for %s only; then the cache withdraws up1's old key", P1);
	struct kr_bytes old = { 0 };
	if (kr_w_captured_update(w, KR_UP1, P1, &old) < 0 || kr_w_publish(w, k1) < 0 ||
	    kr_w_announce(w, KR_UP1, P1, k1) < 0) {
		kr_bytes_free(&old);
		return -1;
	}
	kr_w_wait_present(w, KR_DOWNSTREAM, P1, NULL, kr_wkey_ski(k1), 0, kr_w_deadline(w, KR_W_ANNOUNCE));
	int rc = kr_w_unpublish(w, k0);
	if (rc == 0) {
		kr_w_wait_absent(w, all, P4, kr_w_deadline(w, KR_W_RTR));
		/* past the withdrawal's deadline (and the judge's grace) */
		rc = kr_w_pass_time(w, 0, kr_w_deadline_s(w, KR_W_RTR) + 0.3);
	}
	if (rc == 0) {
		kr_log(ctx, "story 5: up1 replays its first UPDATE for %s (signed with the withdrawn key)", P1);
		rc = kr_w_send_raw(w, KR_UP1, old.p, old.len);
	}
	kr_bytes_free(&old);
	if (rc < 0 || kr_w_sentinel(w, KR_DOWNSTREAM) < 0)
		return -1;
	return kr_w_pass_time(w, 0, 0.2);
}

static const struct kr_case story_case = {
	.id = "record/scenario/rollover", .level = KR_MUST, .spec = "(fixture)",
	.title = "the judge's fixture story", .req = "-", .run = story,
};
static const struct kr_suite story_suite = { "record", "fixtures", &story_case, 1 };

/* Every router key the RTR stream of the capture announced. */
static int keys_json(const char *pcap, const char *path, struct kr_err *err)
{
	const char *paths[] = { pcap };
	struct kr_reasm_cfg cfg = { .rtr_ports = { 3323, 323 } };
	struct kr_capread cr;
	if (kr_capread(paths, 1, &cfg, &cr, err) < 0)
		return -1;
	struct kr_rtr_follow *f = kr_rtr_follow_new(false, false);
	for (size_t i = 0; f && i < cr.n; i++)
		if (cr.m[i].proto == KR_SP_RTR)
			kr_rtr_follow_pdu(f, cr.m[i].msg, cr.m[i].len, cr.m[i].dir == 0, cr.m[i].ts, 0);
	struct kr_rtr_set set = { 0 };
	const struct kr_rkey_span *s;
	size_t n = f ? kr_rtr_follow_spans(f, &s) : 0;
	for (size_t i = 0; i < n; i++)
		kr_rtr_set_add_key(&set, s[i].asn, s[i].ski, s[i].spki, s[i].spki_len); /* duplicates: one entry */
	int rc = kr_rtr_json_save(path, &set, err);
	kr_rtr_set_free(&set);
	kr_rtr_follow_free(f);
	kr_capread_free(&cr);
	return rc;
}

/* "- not valid: PREFIX" for every BGPsec UPDATE `keyroll pcap decode`
 * finds Not Valid with the fixture's keys (the harness's deliberate ones:
 * a never-published key, a replay after the withdrawal). */
static void not_valid_lines(FILE *f, const char *pcap, const char *keys)
{
	struct kr_err err = { 0 };
	struct kr_keytab *kt = kr_keys_json_read(keys, &err);
	const char *paths[] = { pcap };
	struct kr_reasm_cfg cfg = { .rtr_ports = { 3323, 323 } };
	struct kr_capread cr;
	if (!kt || kr_capread(paths, 1, &cfg, &cr, &err) < 0) {
		kr_keytab_free(kt);
		return;
	}
	struct kr_pdec *d = kr_pdec_new(kt);
	for (size_t i = 0; d && i < cr.n; i++) {
		char line[4096];
		struct kr_smsg m = { .ts_ns = cr.m[i].ts, .pkt_no = cr.m[i].pkt_no, .src = cr.m[i].src,
				     .dst = cr.m[i].dst, .conn = cr.m[i].conn, .dir = cr.m[i].dir,
				     .proto = cr.m[i].proto, .msg = cr.m[i].msg, .len = cr.m[i].len };
		kr_pdec_format(d, &m, line, sizeof line);
		const struct kr_pdec_update *l = kr_pdec_last(d);
		if (l->is_update && l->bgpsec && l->validated && l->res.verdict != KR_VALID)
			fprintf(f, "- not valid: %s -- %s\n", l->prefix, kr_reason_name(l->res.reason));
	}
	kr_pdec_free(d);
	kr_capread_free(&cr);
	kr_keytab_free(kt);
}

static int write_md(const char *path, const char *full, const char *pcap, const char *keys, const char *fault,
		    const char *expect, long packets)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"# %s\n\n"
		"The reference speaker%s%s%s as the router under test in the standard topology\n"
		"(netns/rollover.topo), every one of its links captured and merged into this\n"
		"one pcap (%ld packets), for `keyroll judge`. Regenerate with `make pcaps`\n"
		"(tools/mkpcaps.sh -> `keyroll record --scenario rollover%s%s`); keys are\n"
		"generated per recording (public keys in the .keys.json, as the RTR stream\n"
		"in the capture announced them).\n\n"
		"- topology: SUT AS %u; up1 AS %u and up2 AS %u (BGPsec upstreams), dn1 AS\n"
		"  %u and dn2 AS %u (BGPsec downstreams), exa AS %u (plain BGP), the RTR\n"
		"  cache on port 3323; addresses from 198.18.0.0/15\n"
		"- story: up1 announces %s and %s, up2 %s and %s (IPv6); up2 sends %s\n"
		"  signed with a key never published; the SUT rolls its own key\n"
		"  (pre-published, staged, switched, twilight); up1 rolls its key for %s\n"
		"  only, then the cache withdraws up1's old key (%s still rests on it);\n"
		"  past the deadline up1 replays its first UPDATE for %s; sentinels\n",
		pcap, fault ? " with fault `" : "", fault ? fault : "", fault ? "`" : "", packets,
		fault ? " --fault " : "", fault ? fault : "", kr_sut_asn(), kr_peer_asn(KR_UP1), kr_peer_asn(KR_UP2),
		kr_peer_asn(KR_DN1), kr_peer_asn(KR_DN2), kr_peer_asn(KR_EXA), P1, P4, P2, P6, P3, P1, P4, P1);
	fprintf(f, "- judge (`keyroll judge %s --keys %.*s.keys.json`): %s\n", pcap,
		(int)(strlen(pcap) - 5), pcap, expect && *expect ? "these verdicts fail, every other passes" : "no violation");
	char buf[512];
	snprintf(buf, sizeof buf, "%s", expect ? expect : "");
	for (char *save = NULL, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save))
		fprintf(f, "  - fails: `%s`\n", id);
	/* the harness's peers send bad UPDATEs on purpose: the lint judges
	 * the router's messages */
	fprintf(f, "- lint: `keyroll pcap lint %s --as %u --any-port`\n", pcap, kr_sut_asn());
	if (fault && !strcmp(fault, "no-next-hop"))
		fprintf(f, "  - lint fails: `4271-5.1.3/next-hop-missing`\n");
	not_valid_lines(f, full, keys);
	return fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int kr_record_scenario(const char *out, const char *fault, const char *expect, char *msg, size_t msgsz)
{
	char opt[96], tmp[] = "/tmp/kr-record-XXXXXX", cdir[64];
	char *opts[] = { opt };
	snprintf(opt, sizeof opt, "fault=%s", fault ? fault : "");
	struct kr_sut_info sut;
	if (kr_sut_info_load(&sut, NULL, opts, fault ? 1 : 0, msg, msgsz) < 0)
		return -1;
	if (!mkdtemp(tmp)) {
		snprintf(msg, msgsz, "mkdtemp: %s", strerror(errno));
		kr_sut_info_free(&sut);
		return -1;
	}
	snprintf(cdir, sizeof cdir, "%s/case", tmp);
	struct kr_result r;
	kr_result_init(&r, &story_suite, &story_case);
	struct kr_loop *loop = kr_loop_new();
	struct kr_run_opts ro = { .time_scale = KR_DEFAULT_TIME_SCALE };
	struct kr_ctx ctx = { .c = &story_case, .r = &r, .loop = loop, .time_scale = ro.time_scale, .dir = cdir,
			      .run_dir = tmp, .sut = &sut, .opts = &ro };
	int rc = -1;
	if (!loop || kr_mkdirs(cdir) < 0) {
		snprintf(msg, msgsz, "cannot set up %s", cdir);
	} else {
		kr_run_case(&ctx, NULL, false);
		/* a fault may fail the case (the lint, a crash): only a harness
		 * error spoils the recording */
		if (r.outcome == KR_ERROR || r.outcome == KR_SKIP)
			snprintf(msg, msgsz, "the story did not run: %s (evidence kept in %s)",
				 r.reason ? r.reason : "?", cdir);
		else
			rc = 0;
	}
	const char *in[16];
	char paths[16][PATH_MAX + 16];
	size_t n = 0;
	static const char *const links[] = { "rtr", "up1", "up2", "dn1", "dn2", "exa" };
	for (size_t i = 0; rc == 0 && i < sizeof links / sizeof links[0]; i++) {
		snprintf(paths[n], sizeof paths[n], "%s/sut-%s.pcap", cdir, links[i]);
		if (access(paths[n], R_OK) == 0) {
			in[n] = paths[n];
			n++;
		}
	}
	struct kr_err err = { 0 };
	long packets = 0;
	char side[PATH_MAX];
	int stem = (int)(strlen(out) - (strstr(out, ".pcap") ? 5 : 0));
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	if (rc == 0 && (packets = kr_pcap_merge(in, n, out, &err)) < 0) {
		snprintf(msg, msgsz, "%s", err.msg);
		rc = -1;
	}
	if (rc == 0) {
		snprintf(side, sizeof side, "%.*s.keys.json", stem, out);
		if (keys_json(out, side, &err) < 0) {
			snprintf(msg, msgsz, "%s", err.msg);
			rc = -1;
		}
	}
	if (rc == 0) {
		char keys[PATH_MAX + 16];
		snprintf(keys, sizeof keys, "%s", side);
		snprintf(side, sizeof side, "%.*s.md", stem, out);
		if (write_md(side, out, base, keys, fault, expect, packets) < 0) {
			snprintf(msg, msgsz, "%s: %s", side, strerror(errno));
			rc = -1;
		}
	}
	if (rc == 0)
		printf("%s: %ld packets from %zu links (story: %s)\n", out, packets, n,
		       kr_outcome_name(r.outcome));
	kr_result_free(&r);
	kr_loop_free(loop);
	kr_sut_info_free(&sut);
	if (rc == 0 && nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "keyroll record: could not remove %s\n", tmp);
	return rc;
}
