/* Aligned-chunk capture files; see capfile.h. */
#include "net/capfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)

struct kr_capfile {
	int fd;
	int dfd;      /* the same file opened O_DIRECT, for whole chunks; -1: none */
	off_t base;   /* file offset of buf[0], a multiple of CHUNK */
	size_t len;   /* bytes in buf */
	size_t synced; /* of them, already in the file */
	int err;      /* first write error, reported on sync and close */
	uint8_t *buf; /* 2 * CHUNK, page aligned (O_DIRECT) */
};

/* buf[from, n) to the file through fd */
static int put_fd(struct kr_capfile *cf, int fd, size_t from, size_t n)
{
	size_t done = from;
	while (done < n) {
		ssize_t w = pwrite(fd, cf->buf + done, n - done, cf->base + (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cf->err = w < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

static int put(struct kr_capfile *cf, size_t from, size_t n) { return put_fd(cf, cf->fd, from, n); }

/* The first chunk-full of buf. Direct I/O leaves the page cache out: a
 * buffered write copies every byte into freshly allocated pages, which
 * cost 2.9 s of CPU per GB on a virtual machine touching them for the
 * first time, against 0.06 s direct. The chunk is written whole from its
 * aligned start (what a sync already put there through the page cache is
 * replaced by the same bytes). A file system without direct I/O gets
 * buffered writes. */
static int put_chunk(struct kr_capfile *cf)
{
	if (cf->dfd >= 0) {
		if (put_fd(cf, cf->dfd, 0, CHUNK) == 0)
			return 0;
		if (cf->err != EINVAL)
			return -1;
		cf->err = 0;
		close(cf->dfd);
		cf->dfd = -1;
	}
	return put(cf, cf->synced, CHUNK);
}

static ssize_t cf_write(void *cookie, const char *data, size_t n)
{
	struct kr_capfile *cf = cookie;
	size_t left = n;
	while (left) {
		size_t k = 2 * CHUNK - cf->len < left ? 2 * CHUNK - cf->len : left;
		memcpy(cf->buf + cf->len, data, k);
		cf->len += k;
		data += k;
		left -= k;
		if (cf->len >= CHUNK) {
			/* one whole aligned chunk out; the rest moves to the front */
			if (put_chunk(cf) < 0)
				return -1;
			memmove(cf->buf, cf->buf + CHUNK, cf->len - CHUNK);
			cf->len -= CHUNK;
			cf->base += CHUNK;
			cf->synced = 0;
		}
	}
	return (ssize_t)n;
}

int kr_capfile_sync(struct kr_capfile *cf)
{
	if (cf->err) {
		errno = cf->err;
		return -1;
	}
	if (cf->synced == cf->len)
		return 0;
	/* only what is new: the block where the last sync ended is in the
	 * page cache already, so continuing it costs no zeroing, while
	 * writing the chunk again from its start would copy it once per sync */
	if (put(cf, cf->synced, cf->len) < 0) {
		errno = cf->err;
		return -1;
	}
	cf->synced = cf->len;
	return 0;
}

size_t kr_capfile_pending(const struct kr_capfile *cf)
{
	return cf->len - cf->synced;
}

static int cf_close(void *cookie)
{
	struct kr_capfile *cf = cookie;
	int rc = kr_capfile_sync(cf);
	if (close(cf->fd) < 0)
		rc = -1;
	if (cf->dfd >= 0)
		close(cf->dfd);
	free(cf->buf);
	free(cf);
	return rc;
}

struct kr_capfile *kr_capfile_open(const char *path, FILE **fp, struct kr_err *err)
{
	struct kr_capfile *cf = calloc(1, sizeof *cf);
	void *buf = NULL;
	if (!cf || posix_memalign(&buf, 4096, 2 * CHUNK) != 0) {
		kr_err_set(err, ENOMEM, 0, "capture file %s: out of memory", path);
		free(cf);
		return NULL;
	}
	cf->buf = buf;
	cf->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (cf->fd < 0) {
		kr_err_set(err, errno, 0, "capture file %s: %s", path, strerror(errno));
		free(cf->buf);
		free(cf);
		return NULL;
	}
	cf->dfd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	cookie_io_functions_t io = { .write = cf_write, .close = cf_close };
	*fp = fopencookie(cf, "w", io);
	if (!*fp) {
		kr_err_set(err, errno, 0, "capture file %s: %s", path, strerror(errno));
		close(cf->fd);
		if (cf->dfd >= 0)
			close(cf->dfd);
		free(cf->buf);
		free(cf);
		return NULL;
	}
	/* the records go straight into the chunk buffer */
	setvbuf(*fp, NULL, _IONBF, 0);
	return cf;
}
