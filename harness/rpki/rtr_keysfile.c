/* Keys file I/O around the pure JSON parser/writer (rtr_json.c). */
#include "rpki/rtr_json.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* rpki-client output for the whole RPKI is some hundred MB at most. */
#define KEYS_FILE_MAX (1024L * 1024 * 1024)

int kr_rtr_json_load(const char *path, struct kr_rtr_set *out, struct kr_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct kr_bytes b = { 0 };
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > (size_t)KEYS_FILE_MAX || kr_bytes_append(&b, chunk, n)) {
			kr_err_set(err, EFBIG, 0, "%s: too large or out of memory", path);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		kr_err_set(err, errno, 0, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	if (!rc)
		rc = kr_rtr_json_parse(b.len ? (const char *)b.p : "", b.len, path, out, err);
	kr_bytes_free(&b);
	return rc;
}

int kr_rtr_json_save(const char *path, const struct kr_rtr_set *s, struct kr_err *err)
{
	struct kr_bytes b = { 0 };
	if (kr_rtr_json_write(s, &b)) {
		kr_err_set(err, ENOMEM, 0, "%s: cannot serialise", path);
		kr_bytes_free(&b);
		return -1;
	}
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	if (!tmp) {
		kr_bytes_free(&b);
		kr_err_set(err, ENOMEM, 0, "out of memory");
		return -1;
	}
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp);
	int rc = -1;
	if (fd < 0) {
		kr_err_set(err, errno, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	size_t off = 0;
	while (off < b.len) {
		ssize_t w = write(fd, b.p + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			kr_err_set(err, errno, 0, "%s: write: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		kr_err_set(err, errno, 0, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	kr_bytes_free(&b);
	return rc;
}
