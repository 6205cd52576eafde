/* Folder helpers (fsutil.h). */
#include "net/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kr_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int kr_dir_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 1 : errno == ENOTDIR ? 0 : -1;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

static int fail(char *msg, size_t msgsz, const char *what, const char *path)
{
	snprintf(msg, msgsz, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

static int copy_file(const char *src, const char *dst, mode_t mode, char *msg, size_t msgsz)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return fail(msg, msgsz, "cannot read", src);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
	if (out < 0) {
		close(in);
		return fail(msg, msgsz, "cannot create", dst);
	}
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				rc = fail(msg, msgsz, "cannot write", dst);
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	if (n < 0 && !rc)
		rc = fail(msg, msgsz, "cannot read", src);
	close(in);
	if (close(out) < 0 && !rc)
		rc = fail(msg, msgsz, "cannot write", dst);
	return rc;
}

static int copy(const char *src, const char *dst, int depth, char *msg, size_t msgsz)
{
	struct stat st;
	if (lstat(src, &st) < 0)
		return fail(msg, msgsz, "cannot read", src);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return fail(msg, msgsz, "cannot read", src);
		target[n] = 0;
		unlink(dst);
		return symlink(target, dst) < 0 ? fail(msg, msgsz, "cannot create", dst) : 0;
	}
	if (S_ISREG(st.st_mode)) {
		/* Evidence is written once: a hard link is as good as a copy
		 * and costs nothing for large captures. */
		unlink(dst);
		if (link(src, dst) == 0)
			return 0;
		return copy_file(src, dst, st.st_mode, msg, msgsz);
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* sockets, fifos: nothing a report links to */
	if (depth > 32) {
		snprintf(msg, msgsz, "%s: folders nested too deep", src);
		return -1;
	}
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return fail(msg, msgsz, "cannot create", dst);
	DIR *d = opendir(src);
	if (!d)
		return fail(msg, msgsz, "cannot read", src);
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char s[PATH_MAX], t[PATH_MAX];
		if (snprintf(s, sizeof(s), "%s/%s", src, e->d_name) >= (int)sizeof(s) ||
		    snprintf(t, sizeof(t), "%s/%s", dst, e->d_name) >= (int)sizeof(t)) {
			errno = ENAMETOOLONG;
			rc = fail(msg, msgsz, "cannot copy", src);
			break;
		}
		rc = copy(s, t, depth + 1, msg, msgsz);
	}
	closedir(d);
	return rc;
}

int kr_copy_tree(const char *src, const char *dst, char *msg, size_t msgsz)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dst);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (kr_mkdirs(parent) < 0)
			return fail(msg, msgsz, "cannot create", parent);
	}
	return copy(src, dst, 0, msg, msgsz);
}
