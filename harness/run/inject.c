/* Vector-file injection; see inject.h. */
#include "run/inject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kr_vecfile_load(struct kr_vecfile *f, const char *path, struct kr_err *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct kr_bytes b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		if (kr_bytes_append(&b, chunk, n) < 0) {
			fclose(fp);
			kr_bytes_free(&b);
			kr_err_set(err, ENOMEM, 0, "%s: out of memory", path);
			return -1;
		}
	fclose(fp);
	int rc = kr_vecfile_parse(f, (const char *)b.p, b.len, path, err);
	kr_bytes_free(&b);
	return rc;
}

long kr_vecfile_find(const struct kr_vecfile *f, const char *name)
{
	for (size_t i = 0; i < f->nvecs; i++)
		if (!strcmp(f->vecs[i].name, name))
			return (long)i;
	return -1;
}

int kr_vecfile_keys_to_keytab(const struct kr_vecfile *f, struct kr_keytab *t, struct kr_err *err)
{
	int n = 0;
	for (size_t i = 0; i < f->nkeys; i++) {
		struct kr_key k;
		char why[200];
		if (kr_vec_key_build(&f->keys[i], &k, why, sizeof why) < 0)
			continue; /* a key the file marks broken on purpose */
		int rc = kr_keytab_add_key(t, &k, err);
		kr_key_free(&k);
		if (rc < 0)
			return -1;
		n++;
	}
	return n;
}

int kr_inject_vector(struct kr_speaker *sp, const struct kr_vecfile *f, const char *name,
		     struct kr_err *err)
{
	long i = kr_vecfile_find(f, name);
	if (i < 0) {
		kr_err_set(err, ENOENT, 0, "no vector named '%s'", name);
		return -1;
	}
	const struct kr_vec_bytes *u = &f->vecs[i].update;
	if (kr_speaker_send_raw(sp, u->p, u->len) < 0) {
		kr_err_set(err, EPIPE, 0, "%s: cannot send vector '%s' (session down)",
			   kr_speaker_name(sp), name);
		return -1;
	}
	return 0;
}
