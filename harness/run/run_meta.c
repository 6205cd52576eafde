/* What a run records about its selection and SUT so that shards of one run
 * can be recognised later (`keyroll merge`): SHA-256 digests of the
 * selected case ids and of the SUT profile (runner.h). */
#include <openssl/evp.h>
#include <stdio.h>
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

int kr_selection_sha256(char *const *filters, size_t nfilters, char out[65], size_t *nselected)
{
	const struct kr_case_ref *refs;
	size_t n = kr_cases(&refs), nsel = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	/* kr_cases() is sorted by id, so the digest does not depend on the
	 * order suites registered in. */
	for (size_t i = 0; ok && i < n; i++) {
		if (!kr_case_match(refs[i].c, filters, nfilters))
			continue;
		nsel++;
		ok = EVP_DigestUpdate(md, refs[i].c->id, strlen(refs[i].c->id)) == 1 &&
		     EVP_DigestUpdate(md, "\n", 1) == 1;
	}
	if (finish(md, ok, out) < 0)
		return -1;
	*nselected = nsel;
	return 0;
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
