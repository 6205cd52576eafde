/* rpki-client JSON key files read from disk (keys_json.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rpki/keys_json.h"

struct kr_keytab *kr_keys_json_read(const char *path, struct kr_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct kr_bytes b = { 0 };
	char chunk[8192];
	size_t n;
	bool nomem = false;
	while (!nomem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		nomem = kr_bytes_append(&b, chunk, n) < 0;
	int bad = ferror(f);
	fclose(f);
	struct kr_keytab *t = bad || nomem ? NULL : kr_keytab_new();
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
