/* keyroll pcap decode FILE [--keys FILE] [--bgp-port N] [--rtr-port N]:
 * one line per BGP / RTR message of a capture. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bgp_msg.h"
#include "cli/cli.h"
#include "rpki/keys_json.h"
#include "net/pcap_decode.h"
#include "net/pcap_read.h"
#include "wire/rtr_pdu.h"

const char kr_cmd_pcap_help[] =
	"decode FILE [--keys JSON] [--bgp-port N] [--rtr-port N] -- print the BGP and RTR messages of a capture";

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

/* Validation keys from an rpki-client JSON file ("bgpsec_keys"). */
static struct kr_keytab *load_keys(const char *path, struct kr_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct kr_bytes b = { 0 };
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (kr_bytes_append(&b, chunk, n) < 0)
			break;
	int bad = ferror(f);
	fclose(f);
	struct kr_keytab *t = bad ? NULL : kr_keytab_new();
	if (!t) {
		kr_err_set(err, EIO, 0, "%s: %s", path, bad ? "read error" : "out of memory");
		kr_bytes_free(&b);
		return NULL;
	}
	struct kr_err e = { 0 };
	if (kr_keys_json_load(t, (const char *)b.p, b.len, &e) < 0) {
		kr_err_set(err, e.code, e.offset, "%s: %s", path, e.msg);
		kr_keytab_free(t);
		t = NULL;
	}
	kr_bytes_free(&b);
	return t;
}

static int usage(void)
{
	fprintf(stderr, "usage: keyroll pcap %s\n", kr_cmd_pcap_help);
	return KR_EXIT_ERROR;
}

static int add_port(uint16_t *ports, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	for (int i = 0; i < 3; i++)
		if (!ports[i]) {
			ports[i] = (uint16_t)v;
			return 0;
		}
	return -1;
}

int kr_cmd_pcap(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "decode"))
		return usage();
	const char *file = NULL, *keys = NULL;
	struct kr_reasm_cfg cfg = { .bgp_ports = { 179 }, .rtr_ports = { 323 } };
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			keys = argv[++i];
		else if (!strcmp(argv[i], "--bgp-port") && i + 1 < argc) {
			if (add_port(cfg.bgp_ports, argv[++i]) < 0)
				return usage();
		} else if (!strcmp(argv[i], "--rtr-port") && i + 1 < argc) {
			if (add_port(cfg.rtr_ports, argv[++i]) < 0)
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
	if (keys && !(kt = load_keys(keys, &err))) {
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
