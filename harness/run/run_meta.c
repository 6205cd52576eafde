/* What a run records about its selection and SUT so that shards of one run
 * can be recognised later (`keyroll merge`): SHA-256 digests of the
 * selected case ids and of the SUT profile (runner.h). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/runner.h"

/* Ends the digest (freeing md) into hex; 0, or -1 when anything failed. */
static int finish(EVP_MD_CTX *md, int ok, char out[65])
{
	unsigned char d[32];
	unsigned int dl = 0;
	ok = ok && EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == 32;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return 0;
}

int kr_ids_sha256(const char *const *ids, size_t n, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(md, ids[i], strlen(ids[i])) == 1 && EVP_DigestUpdate(md, "\n", 1) == 1;
	return finish(md, ok, out);
}

int kr_selection_sha256(char *const *filters, size_t nfilters, char out[65], size_t *nselected)
{
	const struct kr_case_ref *refs;
	size_t n = kr_cases(&refs), nsel = 0;
	const char **ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return -1;
	/* kr_cases() is sorted by id, so the digest does not depend on the
	 * order suites registered in. */
	for (size_t i = 0; i < n; i++)
		if (kr_case_match(refs[i].c, filters, nfilters))
			ids[nsel++] = refs[i].c->id;
	int rc = kr_ids_sha256(ids, nsel, out);
	free(ids);
	if (rc == 0)
		*nselected = nsel;
	return rc;
}

int kr_file_sha256(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	char buf[4096];
	size_t k;
	while (ok && (k = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(md, buf, k) == 1;
	ok = ok && !ferror(f);
	fclose(f);
	return finish(md, ok, out);
}
