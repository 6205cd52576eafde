/* keyroll replay: send UPDATEs selected from a capture, byte for byte, into
 * a live BGP session (the replay attack of draft-rogaglia-sidr-bgpsec-
 * rollover §4, by hand). Runs in the current network namespace; use
 * `ip netns exec` to run it inside a topology node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/replay.h"
#include "run/speaker.h"

const char kr_cmd_replay_help[] =
	"PCAP --peer IP --as N --peer-as N [--local IP] [--port N] [--prefix P] [--index A[-B]]"
	" [--time S[-S]] [--conn N] [--dir 0|1] [--bgpsec-only] [--list]  -- replay captured UPDATEs into a live session";

#define NS 1000000000LL

static int range(const char *s, double *a, double *b)
{
	char *end;
	*a = strtod(s, &end);
	if (end == s)
		return -1;
	*b = *a;
	if (*end == '-') {
		const char *q = end + 1;
		*b = strtod(q, &end);
		if (end == q)
			return -1;
	}
	return *end ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: keyroll replay %s\n", kr_cmd_replay_help);
	return KR_EXIT_ERROR;
}

int kr_cmd_replay(int argc, char **argv)
{
	const char *pcap = NULL, *peer = NULL, *local = NULL;
	unsigned long asn = 0, peer_as = 0, port = 179;
	bool list = false;
	struct kr_prefix pfx;
	struct kr_replay_sel sel;
	kr_replay_sel_init(&sel);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double x, y;
		if (!strcmp(a, "--bgpsec-only"))
			sel.bgpsec_only = true;
		else if (!strcmp(a, "--list"))
			list = true;
		else if (a[0] != '-' && !pcap)
			pcap = a;
		else if (!v)
			return usage();
		else if (!strcmp(a, "--peer"))
			peer = v, i++;
		else if (!strcmp(a, "--local"))
			local = v, i++;
		else if (!strcmp(a, "--as"))
			asn = strtoul(v, NULL, 10), i++;
		else if (!strcmp(a, "--peer-as"))
			peer_as = strtoul(v, NULL, 10), i++;
		else if (!strcmp(a, "--port"))
			port = strtoul(v, NULL, 10), i++;
		else if (!strcmp(a, "--conn"))
			sel.conn = atoi(v), i++;
		else if (!strcmp(a, "--dir"))
			sel.dir = atoi(v), i++;
		else if (!strcmp(a, "--prefix")) {
			if (kr_prefix_parse(&pfx, v) < 0) {
				fprintf(stderr, "keyroll replay: bad prefix '%s'\n", v);
				return KR_EXIT_ERROR;
			}
			sel.prefix = &pfx;
			i++;
		} else if (!strcmp(a, "--index") && range(v, &x, &y) == 0) {
			sel.first = (long)x;
			sel.last = (long)y;
			i++;
		} else if (!strcmp(a, "--time") && range(v, &x, &y) == 0) {
			sel.t_from = x;
			sel.t_to = y;
			i++;
		} else
			return usage();
	}
	if (!pcap || (!list && (!peer || !asn || !peer_as || port == 0 || port > 65535)))
		return usage();
	struct kr_err err;
	kr_err_clear(&err);
	struct kr_replay_set rs;
	kr_replay_set_init(&rs);
	if (kr_replay_load(pcap, &sel, &rs, &err) < 0) {
		fprintf(stderr, "keyroll replay: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	for (size_t i = 0; i < rs.n; i++)
		printf("#%zu packet %llu conn %u dir %u +%.6f s, %zu octets\n", rs.m[i].index,
		       (unsigned long long)rs.m[i].pkt_no, rs.m[i].conn, rs.m[i].dir,
		       kr_ns_to_s(rs.m[i].ts_ns - rs.t0), rs.m[i].len);
	if (list || !rs.n) {
		int r = rs.n ? KR_EXIT_OK : KR_EXIT_FAIL;
		if (!rs.n)
			fprintf(stderr, "keyroll replay: no UPDATE matches\n");
		kr_replay_set_free(&rs);
		return r;
	}
	struct kr_loop *l = kr_loop_new();
	struct kr_speaker_cfg c;
	kr_speaker_cfg_init(&c);
	c.name = "replay";
	c.asn = (uint32_t)asn;
	c.bgp_id = 0xC61200FD;
	c.peer_as = (uint32_t)peer_as;
	c.peer_ip = peer;
	c.local_ip = local;
	c.port = (uint16_t)port;
	c.record = false;
	for (int a = 1; a <= 2; a++)
		c.bgpsec_send[a] = c.bgpsec_recv[a] = true;
	int rc = KR_EXIT_ERROR;
	struct kr_speaker *sp = kr_speaker_new(l, &c, &err);
	if (!sp || kr_speaker_start(sp, &err) < 0) {
		fprintf(stderr, "keyroll replay: %s\n", err.msg);
		goto out;
	}
	if (kr_speaker_wait_established(sp, kr_now_ns() + 10 * NS) != 1) {
		fprintf(stderr, "keyroll replay: session with %s not established: %s\n", peer,
			kr_bgp_session_last_down(kr_speaker_session(sp))->text);
		goto out;
	}
	if (kr_replay_send(sp, &rs, kr_now_ns() + 30 * NS) < 0) {
		fprintf(stderr, "keyroll replay: session lost while sending\n");
		goto out;
	}
	int64_t dl = kr_now_ns() + 10 * NS;
	while (kr_bgp_out_pending(kr_speaker_session(sp)) &&
	       kr_bgp_session_established(kr_speaker_session(sp)) && kr_now_ns() < dl)
		kr_loop_run_once(l, NS / 10);
	printf("sent %zu UPDATEs to %s\n", rs.n, peer);
	kr_speaker_stop(sp);
	rc = KR_EXIT_OK;
out:
	kr_speaker_free(sp);
	kr_loop_free(l);
	kr_replay_set_free(&rs);
	return rc;
}
