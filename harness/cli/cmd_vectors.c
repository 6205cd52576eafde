/* keyroll vectors check FILE...: verify every vector of the files and print
 * one PASS/FAIL line each. Exit 0 all pass, 1 any fails, 2 when a file is
 * unreadable or malformed (file:line on stderr). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vectors/vecfile.h"
#include "vectors/vecgen.h"

const char kr_cmd_vectors_help[] = "check FILE...  -- verify BGPsec test vector files";

#define MAX_FILE (16 * 1024 * 1024)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "keyroll: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(MAX_FILE);
	size_t n = buf ? fread(buf, 1, MAX_FILE, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!buf || bad || n == MAX_FILE) {
		fprintf(stderr, "keyroll: %s: %s\n", path,
			!buf ? "out of memory" : bad ? "read error" : "larger than 16 MiB");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Returns the exit code for one file; *npass / *nfail accumulate. */
static int check_file(const char *path, struct kr_crypto_ctx *c, size_t *npass, size_t *nfail)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (!buf)
		return KR_EXIT_ERROR;
	struct kr_vecfile f;
	struct kr_err e = { 0 };
	int rc = kr_vecfile_parse(&f, buf, len, path, &e);
	free(buf);
	if (rc < 0) {
		fprintf(stderr, "keyroll: %s\n", e.msg);
		return KR_EXIT_ERROR;
	}
	int ex = KR_EXIT_OK;
	struct kr_key *keys = calloc(f.nkeys ? f.nkeys : 1, sizeof *keys);
	if (!keys) {
		kr_vecfile_free(&f);
		fprintf(stderr, "keyroll: out of memory\n");
		return KR_EXIT_ERROR;
	}
	char why[512];
	for (size_t i = 0; i < f.nkeys; i++)
		if (kr_vec_key_build(&f.keys[i], &keys[i], why, sizeof why) < 0) {
			printf("FAIL %s:%zu key %s: %s\n", path, f.keys[i].line, f.keys[i].name, why);
			(*nfail)++;
			ex = KR_EXIT_FAIL;
		}
	for (size_t i = 0; i < f.nvecs; i++) {
		int ok = kr_vec_check(c, &f, keys, i, why, sizeof why);
		printf("%s %s:%zu %s: %s\n", ok ? "PASS" : "FAIL", path, f.vecs[i].line,
		       f.vecs[i].name, why);
		if (ok) {
			(*npass)++;
		} else {
			(*nfail)++;
			ex = KR_EXIT_FAIL;
		}
	}
	for (size_t i = 0; i < f.nkeys; i++)
		kr_key_free(&keys[i]);
	free(keys);
	kr_vecfile_free(&f);
	return ex;
}

int kr_cmd_vectors(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "gen-negative")) {
		/* hidden: regenerates vectors/bgpsec-negative.vec on stdout */
		struct kr_bytes b = { 0 };
		struct kr_err e = { 0 };
		int rc = kr_vecgen_negative(&b, &e);
		if (rc < 0)
			fprintf(stderr, "keyroll: gen-negative: %s\n", e.msg);
		else
			fwrite(b.p, 1, b.len, stdout);
		kr_bytes_free(&b);
		return rc < 0 ? KR_EXIT_ERROR : KR_EXIT_OK;
	}
	if (argc < 3 || strcmp(argv[1], "check")) {
		fprintf(stderr, "usage: keyroll vectors %s\n", kr_cmd_vectors_help);
		return KR_EXIT_ERROR;
	}
	struct kr_crypto_ctx *c = kr_crypto_ctx_new();
	if (!c) {
		fprintf(stderr, "keyroll: out of memory\n");
		return KR_EXIT_ERROR;
	}
	int ex = KR_EXIT_OK;
	size_t npass = 0, nfail = 0;
	for (int i = 2; i < argc; i++) {
		int r = check_file(argv[i], c, &npass, &nfail);
		if (r > ex)
			ex = r;
	}
	kr_crypto_ctx_free(c);
	printf("%zu passed, %zu failed%s\n", npass, nfail,
	       ex == KR_EXIT_ERROR ? " (some files could not be read or parsed)" : "");
	return ex;
}
