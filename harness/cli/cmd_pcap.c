/* keyroll pcap decode FILE [--keys FILE] [--bgp-port N] [--rtr-port N]:
 * one line per BGP / RTR message of a capture.
 * keyroll pcap lint FILE... [--keys FILE] [--as N] [--any-port] ...: the
 * wire lint of net/lint_pcap.h; exit 1 on violations, 2 on bad input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "cli/cli.h"
#include "rpki/keys_json.h"
#include "net/lint_pcap.h"
#include "net/pcap_decode.h"
#include "net/pcap_read.h"
#include "wire/rtr_pdu.h"

const char kr_cmd_pcap_help[] =
	"decode FILE [--keys JSON] [--bgp-port N] [--rtr-port N] -- print the BGP and RTR messages of a capture;\n"
	"       lint FILE... [--keys JSON] [--as N] [--grace S] [--any-port] [--bgp-port N] [--rtr-port N] [--max N] [--sig-budget N|all] [--threads N]"
	" -- check every message against the RFCs (exit 1: violations)";

struct ctx {
	struct kr_pdec *dec;
	const char *file;
	int errors;
};

static void on_msg(const struct kr_smsg *m, void *arg)
{
	struct ctx *c = arg;
	char line[4096];
	kr_pdec_format(c->dec, m, line, sizeof line);
	puts(line);
}

static void on_err(const struct kr_serr *e, void *arg)
{
	struct ctx *c = arg;
	char where[64] = "";
	if (e->has_conn)
		snprintf(where, sizeof where, "c%u dir %u: ", e->conn, e->dir);
	if (e->kind == KR_SE_PARTIAL) {
		fprintf(stderr, "keyroll pcap: %s: warning: %s%s\n", c->file, where, e->msg);
		return;
	}
	c->errors++;
	fprintf(stderr, "keyroll pcap: %s: packet %llu: %s%s\n", c->file,
		(unsigned long long)e->pkt_no, where, e->msg);
}

static int usage(void)
{
	fprintf(stderr, "usage: keyroll pcap %s\n", kr_cmd_pcap_help);
	return KR_EXIT_ERROR;
}


static int lint(int argc, char **argv)
{
	const char *files[64], *keys = NULL;
	size_t nfiles = 0;
	struct kr_lint_opts o = { .bgp_ports = { 179 }, .rtr_ports = { 323 }, .grace_ns = 0,
				  .sig_budget = KR_LINT_SIG_BUDGET };
	char *end;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--keys") && v) {
			keys = argv[++i];
		} else if (!strcmp(a, "--as") && v) {
			unsigned long x = strtoul(argv[++i], &end, 10);
			if (*end || !x || x > 0xffffffffUL)
				return usage();
			o.sender_as = (uint32_t)x;
		} else if (!strcmp(a, "--grace") && v) {
			double g = strtod(argv[++i], &end);
			if (*end || g < 0 || g > 86400)
				return usage();
			o.grace_ns = (int64_t)(g * 1e9);
		} else if (!strcmp(a, "--max") && v) {
			unsigned long x = strtoul(argv[++i], &end, 10);
			if (*end || !x)
				return usage();
			o.max_findings = x;
		} else if (!strcmp(a, "--sig-budget") && v) {
			uint64_t b;
			if (kr_cli_sig_budget(argv[++i], &b) < 0)
				return usage();
			o.sig_budget = b == UINT64_MAX ? 0 : b;
		} else if (!strcmp(a, "--threads") && v) {
			unsigned long x = strtoul(argv[++i], &end, 10);
			if (*end || !x || x > 64)
				return usage();
			o.threads = (unsigned)x;
		} else if (!strcmp(a, "--any-port")) {
			o.detect = true;
		} else if (!strcmp(a, "--bgp-port") && v) {
			if (kr_cli_add_port(o.bgp_ports, argv[++i]) < 0)
				return usage();
		} else if (!strcmp(a, "--rtr-port") && v) {
			if (kr_cli_add_port(o.rtr_ports, argv[++i]) < 0)
				return usage();
		} else if (a[0] != '-' && nfiles < sizeof files / sizeof files[0]) {
			files[nfiles++] = a;
		} else {
			return usage();
		}
	}
	if (!nfiles)
		return usage();
	struct kr_err err = { 0 };
	struct kr_keytab *kt = NULL;
	if (keys && !(kt = kr_keys_json_read(keys, &err))) {
		fprintf(stderr, "keyroll pcap: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	o.keys = kt;
	struct kr_lint_out out;
	int rc = kr_lint_pcaps(files, nfiles, &o, &out, &err);
	kr_keytab_free(kt);
	if (rc < 0) {
		fprintf(stderr, "keyroll pcap: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	char line[1024];
	for (size_t i = 0; i < out.n; i++) {
		kr_lint_finding_str(&out.f[i], line, sizeof line);
		printf("%s: %s\n", kr_lint_finding_must(&out.f[i]) ? "violation" : "advice", line);
	}
	if (out.total + out.advice > out.n)
		printf("... %zu more findings not listed (--max)\n", out.total + out.advice - out.n);
	for (size_t i = 0; i < out.nnotes; i++)
		printf("note: %s\n", out.notes[i]);
	if (out.sig_sample_mod > 1)
		printf("signatures: the linted speakers made %llu, over the budget of %llu (--sig-budget): every SKI "
		       "checked, ECDSA verified for 1 prefix in %u (deterministic sample by prefix hash)\n",
		       (unsigned long long)out.sigs_made, (unsigned long long)o.sig_budget, out.sig_sample_mod);
	printf("%llu BGP messages linted (%llu UPDATEs, %llu signatures verified%s%s), %zu RTR PDUs of routers; "
	       "keys %s; %zu violation%s, %zu advice (SHOULD)\n",
	       (unsigned long long)out.stats.messages, (unsigned long long)out.stats.updates,
	       (unsigned long long)out.stats.signatures, out.sig_sample_mod > 1 ? " of a sample" : "",
	       out.stats.unkeyed ? ", some BGPsec UPDATEs not checked against keys" : "", out.rtr_pdus,
	       out.keys_from_rtr ? "from the RTR streams" : kt ? "from --keys" : "unknown (no RTR stream, no --keys)",
	       out.total, out.total == 1 ? "" : "s", out.advice);
	for (int r = 0; r < KR_L_COUNT; r++)
		if (out.per_rule[r])
			printf("  %-32s %zu\n", kr_lint_rule(r)->id, out.per_rule[r]);
	printf("cost: %llu messages read (twice: keys and sample size first), %u checking thread%s, the lint's "
	       "state at most %.1f MB (%zu routes held)\n",
	       (unsigned long long)out.msgs_read, out.threads, out.threads == 1 ? "" : "s",
	       (double)out.peak_bytes / 1e6, out.routes_held);
	size_t total = out.total;
	kr_lint_out_free(&out);
	fflush(stdout);
	return total ? KR_EXIT_FAIL : KR_EXIT_OK;
}

int kr_cmd_pcap(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "lint"))
		return lint(argc, argv);
	if (argc < 3 || strcmp(argv[1], "decode"))
		return usage();
	const char *file = NULL, *keys = NULL;
	struct kr_reasm_cfg cfg = { .bgp_ports = { 179 }, .rtr_ports = { 323 } };
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keys = argv[++i];
		else if (!strcmp(argv[i], "--bgp-port") && i + 1 < argc) {
			if (kr_cli_add_port(cfg.bgp_ports, argv[++i]) < 0)
				return usage();
		} else if (!strcmp(argv[i], "--rtr-port") && i + 1 < argc) {
			if (kr_cli_add_port(cfg.rtr_ports, argv[++i]) < 0)
				return usage();
		} else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else
			return usage();
	}
	if (!file)
		return usage();
	struct kr_err err = { 0 };
	struct ctx c = { .file = file };
	struct kr_keytab *kt = NULL;
	if (keys && !(kt = kr_keys_json_read(keys, &err))) {
		fprintf(stderr, "keyroll pcap: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	c.dec = kr_pdec_new(kt);
	if (!c.dec) {
		kr_keytab_free(kt);
		fprintf(stderr, "keyroll pcap: out of memory\n");
		return KR_EXIT_ERROR;
	}
	int rc = kr_pcap_messages(file, &cfg, on_msg, on_err, &c, &err);
	kr_pdec_free(c.dec);
	kr_keytab_free(kt);
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "keyroll pcap: %s\n", err.msg);
		return KR_EXIT_ERROR;
	}
	return c.errors ? KR_EXIT_ERROR : KR_EXIT_OK;
}
