/* keyroll record OUT.pcap: make a pcap fixture from a recorded harness run
 * (`make pcaps` calls it through tools/mkpcaps.sh).
 *
 * Two harness speakers in the two-node topology netns/pair.topo: `a`
 * (AS 65536, the signer) opens a BGPsec session to `b` (AS 65537), and the
 * link is captured on b's side. The run is a small rollover: routes
 * signed with the old key, the same routes re-advertised with the new key,
 * one withdrawn, Cease. Keys are derived from fixed seeds, so a regenerated
 * fixture keeps its keys (signatures differ: ECDSA nonces are random).
 * Beside OUT.pcap it writes OUT.keys.json (rpki-client format, for
 * `keyroll pcap decode --keys`) and OUT.md (what, who, how made). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "net/capture.h"
#include "net/proc.h"
#include "cli/cli.h"
#include "net/netns.h"
#include "run/obs_wait.h"
#include "run/record_scenario.h"
#include "run/speaker.h"
#include "net/topo.h"

const char kr_cmd_record_help[] =
	"[--refspeaker [--bin DIR] | --scenario rollover [--fault NAME] [--expect IDS]] OUT.pcap"
	"  -- record a BGPsec session (or a whole router's links) into a pcap fixture (+ .keys.json, .md)";

#define NS 1000000000LL
#define SIGNER_AS 65536
#define PEER_AS 65537

static const char *const prefixes[] = { "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
					"2001:db8:f00::/48" };
#define NPFX (sizeof prefixes / sizeof prefixes[0])

static int seed_key(struct kr_key *k, uint32_t asn, const char *name, struct kr_err *err)
{
	uint8_t d[32];
	char seed[64];
	snprintf(seed, sizeof seed, "keyroll pcap fixture key %s", name);
	SHA256((const uint8_t *)seed, strlen(seed), d);
	return kr_key_from_raw_d(k, asn, d, err);
}

static int write_keys_json(const char *path, const struct kr_key *const *keys, size_t n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\"metadata\":{\"generated\":\"keyroll record\"},\"roas\":[],\"bgpsec_keys\":[\n");
	for (size_t i = 0; i < n; i++) {
		uint8_t spki[128];
		size_t sl;
		char ski[41], b64[200];
		kr_key_spki_der(keys[i], spki, sizeof spki, &sl);
		kr_hex_encode(ski, sizeof ski, keys[i]->ski, KR_SKI_LEN);
		EVP_EncodeBlock((unsigned char *)b64, spki, (int)sl);
		fprintf(f, "  {\"asn\":%u,\"ski\":\"%s\",\"pubkey\":\"%s\"}%s\n", keys[i]->asn, ski, b64,
			i + 1 < n ? "," : "");
	}
	fprintf(f, "]}\n");
	return fclose(f);
}

static int write_md(const char *path, const char *pcap, const struct kr_key *old, const struct kr_key *new_)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	char so[41], sn[41];
	kr_hex_encode(so, sizeof so, old->ski, KR_SKI_LEN);
	kr_hex_encode(sn, sizeof sn, new_->ski, KR_SKI_LEN);
	fprintf(f,
		"# %s\n\n"
		"A BGPsec session between two keyroll harness speakers, captured on one\n"
		"link. Regenerate with `make pcaps` (tools/mkpcaps.sh -> `keyroll record`).\n\n"
		"- topology: netns/pair.topo; `a` 198.18.255.1 / 2001:db8:ff::1 -> `b`\n"
		"  198.18.255.2, TCP port 179, captured on b's end of the link\n"
		"- `a`: AS %u, the signer (BGPsec send, IPv4 and IPv6)\n"
		"- `b`: AS %u, receiver (BGPsec receive); every signature targets AS %u\n"
		"- keys (AS %u, derived from fixed seeds; public keys in the .keys.json):\n"
		"  - old: SKI %s\n"
		"  - new: SKI %s\n"
		"- sequence: OPENs; UPDATEs for", pcap, SIGNER_AS, PEER_AS, PEER_AS, SIGNER_AS, so, sn);
	for (size_t i = 0; i < NPFX; i++)
		fprintf(f, " %s", prefixes[i]);
	fprintf(f,
		" signed with the old key (index 0-%zu);\n"
		"  the same prefixes re-advertised signed with the new key (index %zu-%zu);\n"
		"  withdrawal of %s; NOTIFICATION Cease.\n"
		"- replay use: the old-key UPDATEs are the replayed announcements of\n"
		"  draft-rogaglia-sidr-bgpsec-rollover §4 once the old key is withdrawn.\n",
		NPFX - 1, NPFX, 2 * NPFX - 1, prefixes[0]);
	return fclose(f);
}

typedef int (*md_fn)(const char *path, const char *pcap, const struct kr_key *old,
		     const struct kr_key *new_);

/* OUT.keys.json and OUT.md beside OUT.pcap. */
static int sidecars(const char *out, const struct kr_key *const keys[2], md_fn md, struct kr_err *err)
{
	char side[512];
	int stem = (int)(strlen(out) - (strstr(out, ".pcap") ? 5 : 0));
	snprintf(side, sizeof side, "%.*s.keys.json", stem, out);
	if (write_keys_json(side, keys, 2) != 0) {
		kr_err_set(err, errno, 0, "%s: %s", side, strerror(errno));
		return -1;
	}
	snprintf(side, sizeof side, "%.*s.md", stem, out);
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	if (md(side, base, keys[0], keys[1]) != 0) {
		kr_err_set(err, errno, 0, "%s: %s", side, strerror(errno));
		return -1;
	}
	return 0;
}

struct done {
	struct kr_speaker *b;
	size_t want;
};

static bool all_in(void *arg)
{
	struct done *d = arg;
	return kr_speaker_updates_received(d->b) >= d->want;
}

static int record(const char *out, struct kr_err *err)
{
	int rc = -1;
	struct kr_topo t;
	struct kr_net *n = NULL;
	struct kr_capture *cap = NULL;
	struct kr_speaker *a = NULL, *b = NULL;
	struct kr_loop *l = kr_loop_new();
	struct kr_key ko = { 0 }, kn = { 0 };
	if (!l || kr_net_preflight(err) < 0 || kr_topo_load(&t, "netns/pair.topo", err) < 0)
		goto out;
	if (seed_key(&ko, SIGNER_AS, "old", err) < 0 || seed_key(&kn, SIGNER_AS, "new", err) < 0)
		goto out;
	if (!(n = kr_net_up(&t, NULL, false, err)))
		goto out;
	if (!(cap = kr_capture_start(n, "b", "a", out, err)))
		goto out;
	struct kr_ns_sock nsa = { n, "a" }, nsb = { n, "b" };
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = "b";
	c.asn = PEER_AS;
	c.bgp_id = 0xC612FF02;
	c.peer_as = SIGNER_AS;
	c.passive = true;
	c.local_ip = "198.18.255.2";
	c.socket_fn = kr_ns_socket_fn;
	c.socket_arg = &nsb;
	c.bgpsec_recv[1] = c.bgpsec_recv[2] = true;
	if (!(b = kr_speaker_new(l, &c, err)) || kr_speaker_start(b, err) < 0)
		goto out;
	kr_speaker_cfg_init(&c);
	c.name = "a";
	c.asn = SIGNER_AS;
	c.bgp_id = 0xC612FF01;
	c.peer_as = PEER_AS;
	c.peer_ip = "198.18.255.2";
	c.local_ip = "198.18.255.1";
	c.nh6 = "2001:db8:ff::1";
	c.socket_fn = kr_ns_socket_fn;
	c.socket_arg = &nsa;
	c.bgpsec_send[1] = c.bgpsec_send[2] = true;
	if (!(a = kr_speaker_new(l, &c, err)) || kr_speaker_start(a, err) < 0)
		goto out;
	struct kr_speaker *both[] = { a, b };
	if (kr_speakers_wait_established(both, 2, kr_now_ns() + 10 * NS) != 1) {
		kr_err_set(err, ETIMEDOUT, 0, "sessions did not come up: %s",
			   kr_bgp_session_last_down(kr_speaker_session(a))->text);
		goto out;
	}
	const struct kr_key *keys[] = { &ko, &kn };
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < NPFX; i++) {
			struct kr_announce an = { .keys = &keys[k], .nkeys = 1 };
			kr_prefix_parse(&an.prefix, prefixes[i]);
			if (kr_speaker_announce(a, &an, err) < 0)
				goto out;
		}
	struct kr_prefix w;
	kr_prefix_parse(&w, prefixes[0]);
	if (kr_speaker_withdraw(a, &w, 1, err) < 0)
		goto out;
	struct done d = { b, 2 * NPFX + 1 };
	if (kr_loop_run_until(l, all_in, &d, kr_now_ns() + 10 * NS) != 1) {
		kr_err_set(err, ETIMEDOUT, 0, "the receiver got %zu of %zu UPDATEs",
			   kr_speaker_updates_received(b), d.want);
		goto out;
	}
	kr_speaker_stop(a);
	kr_loop_run_until(l, NULL, NULL, kr_now_ns() + NS / 10); /* Cease and FIN onto the wire */
	kr_capture_stop(cap);
	if (sidecars(out, keys, write_md, err) < 0)
		goto out;
	printf("%s: %llu packets\n", out, (unsigned long long)kr_capture_packets(cap));
	rc = 0;
out:
	kr_capture_free(cap);
	kr_speaker_free(a);
	kr_speaker_free(b);
	kr_net_free(n);
	kr_loop_free(l);
	kr_key_free(&ko);
	kr_key_free(&kn);
	return rc;
}

/* ---- the reference speaker's session ------------------------------------- */

#define RS_AS 65537
#define OBS_AS 65538
static const char *const rs_prefixes[] = { "192.0.2.0/24", "203.0.113.0/24" };
#define NRS (sizeof rs_prefixes / sizeof rs_prefixes[0])

static int rs_md(const char *path, const char *pcap, const struct kr_key *old, const struct kr_key *new_)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	char so[41], sn[41];
	kr_hex_encode(so, sizeof so, old->ski, KR_SKI_LEN);
	kr_hex_encode(sn, sizeof sn, new_->ski, KR_SKI_LEN);
	fprintf(f,
		"# %s\n\n"
		"The reference BGPsec speaker (build/refspeaker) rolling its origin key,\n"
		"seen by a keyroll harness observer. Regenerate with `make pcaps`\n"
		"(tools/mkpcaps.sh -> `keyroll record --refspeaker`).\n\n"
		"- topology: netns/pair.topo; `a` = refspeaker 198.18.255.1, `b` = harness\n"
		"  observer 198.18.255.2, TCP port 179, captured on b's end of the link\n"
		"- refspeaker: AS %u, originates %s and %s (BGPsec send and receive,\n"
		"  IPv4 and IPv6); observer: AS %u, every signature targets AS %u\n"
		"- keys (origin keys of AS %u, derived from fixed seeds; public keys in the\n"
		"  .keys.json):\n"
		"  - old: SKI %s\n"
		"  - new: SKI %s\n"
		"- sequence: OPENs; both prefixes signed with the old key; `refspeaker ctl\n"
		"  rekey origin` to the new key; both re-advertised signed with the new key;\n"
		"  the refspeaker is stopped (SIGTERM).\n",
		pcap, RS_AS, rs_prefixes[0], rs_prefixes[1], OBS_AS, OBS_AS, RS_AS, so, sn);
	return fclose(f);
}

static int run_wait(const char *const *argv, struct kr_err *err)
{
	struct kr_proc_opts o = { .argv = argv };
	struct kr_proc *p = kr_proc_start(NULL, &o, err);
	if (!p)
		return -1;
	kr_proc_wait_exit(p, kr_now_ns() + 10 * NS);
	struct kr_proc_status st = kr_proc_status(p);
	char b[64];
	int rc = st.state == KR_PROC_EXITED && st.code == 0 ? 0 : -1;
	if (rc < 0)
		kr_err_set(err, ECHILD, 0, "%s %s: %s", argv[0], argv[1], kr_proc_status_str(p, b, sizeof b));
	kr_proc_free(p);
	return rc;
}

static int record_refspeaker(const char *out, const char *bin, struct kr_err *err)
{
	int rc = -1;
	struct kr_topo t;
	struct kr_net *n = NULL;
	struct kr_capture *cap = NULL;
	struct kr_speaker *b = NULL;
	struct kr_proc *rs = NULL;
	struct kr_loop *l = kr_loop_new();
	struct kr_key ko = { 0 }, kn = { 0 };
	char dir[] = "/tmp/kr-record-XXXXXX", path[3][300], rsbin[300];
	if (!mkdtemp(dir)) {
		kr_err_set(err, errno, 0, "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(rsbin, sizeof rsbin, "%s/refspeaker", bin);
	snprintf(path[0], sizeof path[0], "%s/old.pem", dir);
	snprintf(path[1], sizeof path[1], "%s/new.pem", dir);
	snprintf(path[2], sizeof path[2], "%s/refspeaker.conf", dir);
	if (!l || kr_net_preflight(err) < 0 || kr_topo_load(&t, "netns/pair.topo", err) < 0 ||
	    seed_key(&ko, RS_AS, "refspeaker-old", err) < 0 || seed_key(&kn, RS_AS, "refspeaker-new", err) < 0 ||
	    kr_key_save_pem(&ko, path[0], true, err) < 0 || kr_key_save_pem(&kn, path[1], true, err) < 0)
		goto out;
	FILE *f = fopen(path[2], "w");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path[2], strerror(errno));
		goto out;
	}
	fprintf(f, "asn %u\nrouter-id 198.18.255.1\nctl %s/ctl.sock\nkey origin %s\nkey transit %s\n", RS_AS, dir,
		path[0], path[0]);
	for (size_t i = 0; i < NRS; i++)
		fprintf(f, "prefix %s\n", rs_prefixes[i]);
	fprintf(f,
		"peer 198.18.255.2 {\n\tasn %u\n\tlocal-address 198.18.255.1\n\tactive\n"
		"\tfamily ipv4 ipv6\n\tbgpsec all send receive\n}\n",
		OBS_AS);
	fclose(f);
	if (!(n = kr_net_up(&t, NULL, false, err)))
		goto out;
	if (!(cap = kr_capture_start(n, "b", "a", out, err)))
		goto out;
	struct kr_ns_sock nsb = { n, "b" };
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = "b";
	c.asn = OBS_AS;
	c.bgp_id = 0xC612FF02;
	c.peer_as = RS_AS;
	c.passive = true;
	c.local_ip = "198.18.255.2";
	c.socket_fn = kr_ns_socket_fn;
	c.socket_arg = &nsb;
	c.observe = true;
	c.bgpsec_send[1] = c.bgpsec_send[2] = c.bgpsec_recv[1] = c.bgpsec_recv[2] = true;
	if (!(b = kr_speaker_new(l, &c, err)) || kr_speaker_start(b, err) < 0)
		goto out;
	char logp[300];
	snprintf(logp, sizeof logp, "%s/refspeaker.log", dir);
	const char *argv[] = { rsbin, "-c", path[2], NULL };
	struct kr_proc_opts po = { .node = "a", .argv = argv, .log = logp };
	if (!(rs = kr_proc_start(n, &po, err)))
		goto out;
	if (kr_speaker_wait_established(b, kr_now_ns() + 10 * NS) != 1) {
		kr_err_set(err, ETIMEDOUT, 0, "refspeaker session did not come up (log %s)", logp);
		goto out;
	}
	struct kr_prefix ps[NRS];
	for (size_t i = 0; i < NRS; i++)
		kr_prefix_parse(&ps[i], rs_prefixes[i]);
	struct kr_expect x;
	if (kr_wait_all_signed(l, kr_speaker_obs(b), ps, NRS, ko.ski, 0, kr_now_ns() + 10 * NS, &x) != 1) {
		kr_err_set(err, ETIMEDOUT, 0, "expected %s; observed %s", x.expected, x.observed);
		goto out;
	}
	int64_t t1 = kr_now_ns();
	char sock[300];
	snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
	const char *rk[] = { rsbin, "ctl", sock, "rekey", "origin", path[1], NULL };
	if (run_wait(rk, err) < 0)
		goto out;
	if (kr_wait_all_signed(l, kr_speaker_obs(b), ps, NRS, kn.ski, t1, kr_now_ns() + 10 * NS, &x) != 1) {
		kr_err_set(err, ETIMEDOUT, 0, "expected %s; observed %s", x.expected, x.observed);
		goto out;
	}
	kr_proc_stop(rs, NS);
	kr_loop_run_until(l, NULL, NULL, kr_now_ns() + NS / 10);
	kr_capture_stop(cap);
	const struct kr_key *keys[] = { &ko, &kn };
	if (sidecars(out, keys, rs_md, err) < 0)
		goto out;
	printf("%s: %llu packets\n", out, (unsigned long long)kr_capture_packets(cap));
	rc = 0;
out:
	kr_proc_free(rs);
	kr_capture_free(cap);
	kr_speaker_free(b);
	kr_net_free(n);
	kr_loop_free(l);
	kr_key_free(&ko);
	kr_key_free(&kn);
	char cmd[64];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (rc == 0 && system(cmd) != 0) /* kept on failure: the log is evidence */
		fprintf(stderr, "keyroll record: could not remove %s\n", dir);
	return rc;
}

int kr_cmd_record(int argc, char **argv)
{
	const char *out = NULL, *bin = "build", *scenario = NULL, *fault = NULL, *expect = NULL;
	bool refspeaker = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--refspeaker"))
			refspeaker = true;
		else if (!strcmp(argv[i], "--bin") && i + 1 < argc)
			bin = argv[++i];
		else if (!strcmp(argv[i], "--scenario") && i + 1 < argc)
			scenario = argv[++i];
		else if (!strcmp(argv[i], "--fault") && i + 1 < argc)
			fault = argv[++i];
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (argv[i][0] != '-' && !out)
			out = argv[i];
		else
			out = NULL, argc = 0;
	}
	if (!out || (scenario && (refspeaker || strcmp(scenario, "rollover"))) || ((fault || expect) && !scenario)) {
		fprintf(stderr, "usage: keyroll record [--refspeaker [--bin DIR] | --scenario rollover [--fault NAME] "
				"[--expect IDS]] OUT.pcap\n");
		return KR_EXIT_ERROR;
	}
	struct kr_err err;
	kr_err_clear(&err);
	if (scenario) {
		char msg[512];
		if (kr_record_scenario(out, fault, expect, msg, sizeof msg) < 0) {
			fprintf(stderr, "keyroll record: %s\n", msg);
			return KR_EXIT_ERROR;
		}
		return KR_EXIT_OK;
	}
	if ((refspeaker ? record_refspeaker(out, bin, &err) : record(out, &err)) < 0) {
		fprintf(stderr, "keyroll record: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	return KR_EXIT_OK;
}
