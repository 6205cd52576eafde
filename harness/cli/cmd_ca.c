/* keyroll ca: a file-backed test CA (init, sub, keygen, issue, revoke,
 * crl, keys) on top of ca.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpki/ca.h"
#include "cli/cli.h"
#include "rpki/rtr_json.h"

const char kr_cmd_ca_help[] =
	"init|sub|keygen|issue|revoke|crl|keys|publish|tal ...  -- test RPKI CA: trust anchor, RFC 8209 router certificates, CRLs "
	"(keyroll ca help)";

static const char usage_text[] =
	"usage:\n"
	"  keyroll ca init DIR --name CN --as LIST [--days N]\n"
	"  keyroll ca sub DIR --parent PDIR --name CN --as LIST [--days N]\n"
	"  keyroll ca keygen --out KEY.pem [--pub PUB.pem]          (P-256 router key, mode 0600)\n"
	"  keyroll ca issue DIR (--key KEY | --csr REQ) --as LIST [--router-id ID]\n"
	"                   [--not-before UNIX] [--days N | --not-after UNIX] --out CERT [--der]\n"
	"                   [--fault F,...]  (deliberately broken: no-eku any-eku eku-critical sia ip-resources\n"
	"                                     as-inherit ku-extra basic-constraints as-outside)\n"
	"  keyroll ca revoke DIR (--serial N | --cert CERT)\n"
	"  keyroll ca crl DIR --out CRL [--hours H] [--der]\n"
	"  keyroll ca keys --out KEYS.json CERT...                  (rpki-client JSON bgpsec_keys)\n"
	"  keyroll ca publish DIR --out PUBDIR [--hours H] [CERT...] (new CRL, the certificates and a manifest)\n"
	"  keyroll ca tal DIR --out FILE.tal                        (trust anchor locator, RFC 8630)\n"
	"LIST: AS numbers and ranges, e.g. 64496-64511,65536. ID: 8 hex digits or A.B.C.D.\n";

struct args {
	const char *dir, *name, *as, *parent, *out, *pub, *key, *csr, *cert, *rid, *fault;
	long long days, hours, nb, na, serial;
	bool der;
	int first_extra; /* index of the first non-option argument after the verb */
};

static int die(const char *what, const struct kr_err *e)
{
	fprintf(stderr, "keyroll ca: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
	return KR_EXIT_ERROR;
}

static int parse_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* "64496-64511,65536" -> ranges (caller frees). */
static struct kr_as_range *parse_as(const char *s, size_t *n)
{
	struct kr_as_range *r = NULL;
	*n = 0;
	char *copy = strdup(s), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		long long a, b;
		char *dash = strchr(t, '-');
		if (dash)
			*dash = 0;
		if (parse_num(t, 0, UINT32_MAX, &a) || parse_num(dash ? dash + 1 : t, 0, UINT32_MAX, &b) || b < a)
			goto bad;
		struct kr_as_range *nr = realloc(r, (*n + 1) * sizeof *r);
		if (!nr)
			goto bad;
		r = nr;
		r[(*n)++] = (struct kr_as_range){ (uint32_t)a, (uint32_t)b };
	}
	free(copy);
	if (*n)
		return r;
	free(r);
	return NULL;
bad:
	free(copy);
	free(r);
	*n = 0;
	return NULL;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, 0, 'n' },	    { "as", required_argument, 0, 'a' },
		{ "parent", required_argument, 0, 'p' },    { "out", required_argument, 0, 'o' },
		{ "pub", required_argument, 0, 'P' },	    { "key", required_argument, 0, 'k' },
		{ "csr", required_argument, 0, 'c' },	    { "cert", required_argument, 0, 'C' },
		{ "router-id", required_argument, 0, 'r' }, { "days", required_argument, 0, 'd' },
		{ "hours", required_argument, 0, 'h' },	    { "not-before", required_argument, 0, 'b' },
		{ "not-after", required_argument, 0, 'e' }, { "serial", required_argument, 0, 's' },
		{ "der", no_argument, 0, 'D' },		    { "fault", required_argument, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	memset(a, 0, sizeof *a);
	optind = 1;
	int o;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long long *num = NULL, lo = 1, hi = 36500;
		switch (o) {
		case 'n': a->name = optarg; break;
		case 'a': a->as = optarg; break;
		case 'p': a->parent = optarg; break;
		case 'o': a->out = optarg; break;
		case 'P': a->pub = optarg; break;
		case 'k': a->key = optarg; break;
		case 'c': a->csr = optarg; break;
		case 'C': a->cert = optarg; break;
		case 'r': a->rid = optarg; break;
		case 'D': a->der = true; break;
		case 'F': a->fault = optarg; break;
		case 'd': num = &a->days; break;
		case 'h': num = &a->hours; hi = 24 * 36500; break;
		case 'b': num = &a->nb; lo = 0; hi = 253402300799LL; break;
		case 'e': num = &a->na; lo = 0; hi = 253402300799LL; break;
		case 's': num = &a->serial; hi = INT64_MAX; break;
		default: return -1;
		}
		if (num && parse_num(optarg, lo, hi, num)) {
			fprintf(stderr, "keyroll ca: bad number '%s'\n", optarg);
			return -1;
		}
	}
	a->first_extra = optind;
	return 0;
}

static int parse_rid(const char *s, uint32_t *out)
{
	struct in_addr ia;
	if (inet_pton(AF_INET, s, &ia) == 1) {
		*out = ntohl(ia.s_addr);
		return 0;
	}
	uint8_t b[4];
	if (strlen(s) != 8 || kr_hex_decode(b, 4, s, 8) != 4)
		return -1;
	*out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

static int make_ca(struct args *a, bool sub)
{
	struct kr_err e = { 0 };
	size_t nas;
	if (!a->dir || !a->name || !a->as || (sub && !a->parent))
		return die("missing DIR, --name, --as or --parent (see keyroll ca help)", NULL);
	struct kr_as_range *as = parse_as(a->as, &nas);
	if (!as)
		return die("bad --as list", NULL);
	struct kr_ca_opts o = { .name = a->name, .as = as, .nas = nas };
	if (a->days)
		o.not_after = (int64_t)time(NULL) + a->days * 86400;
	struct kr_ca *parent = sub ? kr_ca_load(a->parent, &e) : NULL;
	struct kr_ca *ca = (sub && !parent) ? NULL : sub ? kr_ca_new_sub(parent, &o, &e) : kr_ca_new_ta(&o, &e);
	free(as);
	int rc = KR_EXIT_OK;
	if (!ca || kr_ca_save(ca, a->dir, &e) || (parent && kr_ca_save(parent, a->parent, &e)))
		rc = die(sub ? "sub" : "init", &e);
	else
		printf("%s/ca.pem\n", a->dir);
	kr_ca_free(ca);
	kr_ca_free(parent);
	return rc;
}

static int keygen(struct args *a)
{
	struct kr_err e = { 0 };
	if (!a->out)
		return die("keygen needs --out", NULL);
	EVP_PKEY *k = EVP_EC_gen("P-256");
	int rc = KR_EXIT_OK;
	if (!k || kr_pkey_save(k, a->out, true, &e) || (a->pub && kr_pkey_save(k, a->pub, false, &e)))
		rc = die("keygen", &e);
	EVP_PKEY_free(k);
	return rc;
}

static int issue(struct args *a)
{
	struct kr_err e = { 0 };
	if (!a->dir || !a->as || !a->out || !a->key == !a->csr)
		return die("issue needs DIR, --as, --out and one of --key/--csr", NULL);
	size_t nas;
	struct kr_as_range *as = parse_as(a->as, &nas);
	uint32_t *asns = as ? calloc(nas, sizeof *asns) : NULL;
	for (size_t i = 0; asns && i < nas; i++) {
		if (as[i].min != as[i].max) {
			free(asns);
			asns = NULL;
		} else {
			asns[i] = as[i].min;
		}
	}
	free(as);
	if (!asns)
		return die("bad --as list (single AS numbers only for router certificates)", NULL);
	struct kr_router_req r = { .asns = asns, .nasns = nas, .not_before = a->nb, .not_after = a->na };
	if (a->rid && parse_rid(a->rid, &r.router_id)) {
		free(asns);
		return die("bad --router-id", NULL);
	}
	if (a->days && !a->na)
		r.not_after = (a->nb ? a->nb : (int64_t)time(NULL)) + a->days * 86400;
	if (a->fault) {
		char *copy = strdup(a->fault), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			unsigned bit = kr_cert_fault_parse(t);
			if (!bit) {
				fprintf(stderr, "keyroll ca: unknown fault '%s'\n", t);
				free(copy);
				free(asns);
				return KR_EXIT_ERROR;
			}
			r.faults |= bit;
		}
		free(copy);
	}
	struct kr_ca *ca = kr_ca_load(a->dir, &e);
	X509 *x = NULL;
	if (ca && a->key) {
		EVP_PKEY *k = kr_pkey_load(a->key, &e);
		x = k ? kr_ca_issue_router(ca, k, &r, &e) : NULL;
		EVP_PKEY_free(k);
	} else if (ca) {
		X509_REQ *q = kr_csr_load(a->csr, &e);
		x = q ? kr_ca_issue_csr(ca, q, &r, &e) : NULL;
		X509_REQ_free(q);
	}
	int rc = KR_EXIT_OK;
	if (!x || kr_x509_save(x, a->out, a->der, &e) || kr_ca_save(ca, a->dir, &e))
		rc = die("issue", &e);
	else
		printf("serial %llu\n", (unsigned long long)kr_x509_serial(x));
	X509_free(x);
	kr_ca_free(ca);
	free(asns);
	return rc;
}

static int revoke(struct args *a)
{
	struct kr_err e = { 0 };
	if (!a->dir || !a->serial == !a->cert)
		return die("revoke needs DIR and one of --serial/--cert", NULL);
	struct kr_ca *ca = kr_ca_load(a->dir, &e);
	if (!ca)
		return die("revoke", &e);
	int r;
	if (a->cert) {
		X509 *x = kr_x509_load(a->cert, &e);
		r = x ? kr_ca_revoke_cert(ca, x, 0) : -1;
		X509_free(x);
	} else {
		r = kr_ca_revoke(ca, (uint64_t)a->serial, 0, 0);
	}
	int rc = KR_EXIT_OK;
	if (r < 0 || kr_ca_save(ca, a->dir, &e))
		rc = die("revoke", &e);
	else if (r == 1)
		fprintf(stderr, "keyroll ca: already revoked\n");
	kr_ca_free(ca);
	return rc;
}

static int crl(struct args *a)
{
	struct kr_err e = { 0 };
	if (!a->dir || !a->out)
		return die("crl needs DIR and --out", NULL);
	struct kr_ca *ca = kr_ca_load(a->dir, &e);
	int64_t now = (int64_t)time(NULL);
	X509_CRL *c = ca ? kr_ca_crl(ca, now, now + (a->hours ? a->hours : 24) * 3600, &e) : NULL;
	int rc = KR_EXIT_OK;
	if (!c || kr_crl_save(c, a->out, a->der, &e) || kr_ca_save(ca, a->dir, &e))
		rc = die("crl", &e);
	X509_CRL_free(c);
	kr_ca_free(ca);
	return rc;
}

static int keys(struct args *a, int argc, char **argv)
{
	struct kr_err e = { 0 };
	if (!a->out || a->first_extra >= argc)
		return die("keys needs --out and at least one CERT", NULL);
	struct kr_rtr_set s = { 0 };
	int rc = KR_EXIT_OK;
	for (int i = a->first_extra; i < argc && rc == KR_EXIT_OK; i++) {
		X509 *x = kr_x509_load(argv[i], &e);
		if (!x || kr_router_cert_keys(x, &s, &e)) {
			char w[300];
			snprintf(w, sizeof w, "%s", argv[i]);
			rc = die(w, &e);
		}
		X509_free(x);
	}
	if (rc == KR_EXIT_OK && kr_rtr_json_save(a->out, &s, &e))
		rc = die("keys", &e);
	kr_rtr_set_free(&s);
	return rc;
}

/* A publication point: CRL, certificates and the manifest over them. */
static int publish(struct args *a, int argc, char **argv)
{
	struct kr_err e = { 0 };
	if (!a->dir || !a->out)
		return die("publish needs DIR and --out", NULL);
	size_t n = (size_t)(argc - a->first_extra);
	struct kr_pub_file *files = calloc(n + 1, sizeof *files);
	char **names = calloc(n + 1, sizeof *names);
	unsigned char **data = calloc(n + 1, sizeof *data);
	struct kr_ca *ca = kr_ca_load(a->dir, &e);
	int64_t now = (int64_t)time(NULL);
	int rc = KR_EXIT_ERROR;
	if (!files || !names || !data || !ca)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *path = argv[a->first_extra + (int)i];
		X509 *x = kr_x509_load(path, &e);
		int l = x ? i2d_X509(x, &data[i]) : -1;
		X509_free(x);
		if (l <= 0)
			goto out;
		/* published as BASENAME.cer, whatever the input's suffix */
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		names[i] = malloc(strlen(base) + 5);
		if (!names[i])
			goto out;
		strcpy(names[i], base);
		char *dot = strrchr(names[i], '.');
		strcpy(dot ? dot : names[i] + strlen(names[i]), ".cer");
		files[i] = (struct kr_pub_file){ names[i], data[i], (size_t)l };
	}
	struct kr_pub_opts po = { .dir = a->out, .files = files, .nfiles = n, .this_update = now,
				  .next_update = now + (a->hours ? a->hours : 24) * 3600 };
	if (kr_ca_publish(ca, &po, NULL, &e) == 0 && kr_ca_save(ca, a->dir, &e) == 0)
		rc = KR_EXIT_OK;
out:
	if (rc != KR_EXIT_OK)
		die("publish", &e);
	for (size_t i = 0; names && data && i < n; i++) {
		free(names[i]);
		OPENSSL_free(data[i]);
	}
	free(files);
	free(names);
	free(data);
	kr_ca_free(ca);
	return rc;
}

/* Trust anchor locator (RFC 8630). */
static int tal(struct args *a)
{
	struct kr_err e = { 0 };
	if (!a->dir || !a->out)
		return die("tal needs DIR and --out", NULL);
	struct kr_ca *ca = kr_ca_load(a->dir, &e);
	int rc = ca && kr_ca_write_tal(ca, a->out, &e) == 0 ? KR_EXIT_OK : die("tal", &e);
	kr_ca_free(ca);
	return rc;
}

int kr_cmd_ca(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? KR_EXIT_ERROR : KR_EXIT_OK;
	}
	const char *verb = argv[1];
	struct args a;
	if (parse_args(argc - 1, argv + 1, &a)) {
		fputs(usage_text, stderr);
		return KR_EXIT_ERROR;
	}
	int extra = a.first_extra + 1; /* index into argv */
	bool takes_dir = strcmp(verb, "keygen") && strcmp(verb, "keys");
	if (!strcmp(verb, "publish")) {
		/* publish DIR [CERT...]: DIR first, certificates after it */
		if (extra >= argc)
			return die("publish needs DIR", NULL);
		a.dir = argv[extra];
		a.first_extra = extra + 1;
		return publish(&a, argc, argv);
	}
	if (takes_dir) {
		if (extra != argc - 1) {
			fprintf(stderr, "keyroll ca %s: expected exactly one DIR\n", verb);
			return KR_EXIT_ERROR;
		}
		a.dir = argv[extra];
	}
	if (!strcmp(verb, "init"))
		return make_ca(&a, false);
	if (!strcmp(verb, "sub"))
		return make_ca(&a, true);
	if (!strcmp(verb, "keygen"))
		return keygen(&a);
	if (!strcmp(verb, "issue"))
		return issue(&a);
	if (!strcmp(verb, "revoke"))
		return revoke(&a);
	if (!strcmp(verb, "crl"))
		return crl(&a);
	if (!strcmp(verb, "tal"))
		return tal(&a);
	if (!strcmp(verb, "keys")) {
		a.first_extra = extra;
		return keys(&a, argc, argv);
	}
	fprintf(stderr, "keyroll ca: unknown verb '%s'\n", verb);
	fputs(usage_text, stderr);
	return KR_EXIT_ERROR;
}
