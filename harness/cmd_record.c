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

#include "capture.h"
#include "cli.h"
#include "netns.h"
#include "obs_wait.h"
#include "speaker.h"
#include "topo.h"

const char kr_cmd_record_help[] = "OUT.pcap  -- record a harness BGPsec session into a pcap fixture (+ .keys.json, .md)";

#define NS 1000000000LL
#define SIGNER_AS 65536
#define PEER_AS 65537

static const char *const prefixes[] = { "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
					"2001:db8:f00::/48" };
#define NPFX (sizeof prefixes / sizeof prefixes[0])

static int seed_key(struct kr_key *k, const char *name, struct kr_err *err)
{
	uint8_t d[32];
	char seed[64];
	snprintf(seed, sizeof seed, "keyroll pcap fixture key %s", name);
	SHA256((const uint8_t *)seed, strlen(seed), d);
	return kr_key_from_raw_d(k, SIGNER_AS, d, err);
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
	if (seed_key(&ko, "old", err) < 0 || seed_key(&kn, "new", err) < 0)
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
	char side[512];
	snprintf(side, sizeof side, "%.*s.keys.json", (int)(strlen(out) - (strstr(out, ".pcap") ? 5 : 0)), out);
	if (write_keys_json(side, keys, 2) != 0) {
		kr_err_set(err, errno, 0, "%s: %s", side, strerror(errno));
		goto out;
	}
	snprintf(side, sizeof side, "%.*s.md", (int)(strlen(out) - (strstr(out, ".pcap") ? 5 : 0)), out);
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	if (write_md(side, base, &ko, &kn) != 0) {
		kr_err_set(err, errno, 0, "%s: %s", side, strerror(errno));
		goto out;
	}
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

int kr_cmd_record(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: keyroll record OUT.pcap\n");
		return KR_EXIT_ERROR;
	}
	struct kr_err err;
	kr_err_clear(&err);
	if (record(argv[1], &err) < 0) {
		fprintf(stderr, "keyroll record: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	return KR_EXIT_OK;
}
