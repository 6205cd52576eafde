/* The capture file stream (net/capfile.h): what was written is in the
 * file after every sync, byte for byte, across chunk boundaries; nothing
 * of an unsynced tail reaches the file before it fills a whole chunk;
 * write errors come back from sync and close. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cu.h"
#include "net/capfile.h"


static size_t file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static int same_as_file(const char *p, const uint8_t *want, size_t n)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return 0;
	uint8_t *got = malloc(n + 1);
	size_t r = fread(got, 1, n + 1, f);
	fclose(f);
	int ok = r == n && memcmp(got, want, n) == 0;
	free(got);
	return ok;
}

/* in a folder of tmpl (on ext4 whole chunks go out with direct I/O; where
 * a file system refuses it, buffered) */
static void sync_and_chunks(char *tmpl)
{
	char *dir = tmpl;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/c.pcap", dir);
	struct kr_err e;
	FILE *f = NULL;
	struct kr_capfile *cf = kr_capfile_open(path, &f, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cf);
	/* 5 MB in writes of odd sizes, as pcap records come */
	size_t total = 5u << 20, off = 0;
	uint8_t *data = malloc(total);
	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 13));
	size_t step = 17, syncs = 0;
	while (off < total) {
		size_t k = step < total - off ? step : total - off;
		CU_ASSERT_EQUAL_FATAL(fwrite(data + off, 1, k, f), k);
		off += k;
		step = step * 7 % 70001 + 1;
		/* before a sync, the file never holds more than was written,
		 * and only whole megabytes of it */
		size_t sz = file_size(path);
		CU_ASSERT(sz <= off);
		if (syncs == 0 && sz != 0)
			CU_ASSERT_EQUAL(sz % (1u << 20), 0);
		if (off / 400000 != (off - k) / 400000) {
			CU_ASSERT_EQUAL(kr_capfile_sync(cf), 0);
			CU_ASSERT_EQUAL(kr_capfile_pending(cf), 0);
			CU_ASSERT(same_as_file(path, data, off));
			syncs++;
		}
	}
	CU_ASSERT(syncs >= 10);
	CU_ASSERT_EQUAL(fclose(f), 0); /* syncs the tail */
	CU_ASSERT(same_as_file(path, data, total));
	free(data);
	unlink(path);
	rmdir(dir);
}

static void t_sync_and_chunks(void)
{
	char d[] = "/tmp/kr-capfile-XXXXXX";
	sync_and_chunks(d);
}

static void t_sync_and_chunks_shm(void)
{
	char d[] = "/dev/shm/kr-capfile-XXXXXX";
	if (access("/dev/shm", W_OK) == 0)
		sync_and_chunks(d);
}

static void t_errors(void)
{
	struct kr_err e;
	FILE *f = NULL;
	CU_ASSERT_PTR_NULL(kr_capfile_open("/nonexistent-dir/x.pcap", &f, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent-dir/x.pcap"));
	if (access("/dev/full", W_OK) != 0)
		return;
	struct kr_capfile *cf = kr_capfile_open("/dev/full", &f, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cf);
	CU_ASSERT_EQUAL(fwrite("abc", 1, 3, f), 3); /* held in memory */
	errno = 0;
	CU_ASSERT_EQUAL(kr_capfile_sync(cf), -1);
	CU_ASSERT_EQUAL(errno, ENOSPC);
	CU_ASSERT_NOT_EQUAL(fclose(f), 0);
}

KR_TESTS("capfile",
	 { "sync and aligned chunks", t_sync_and_chunks },
	 { "sync and aligned chunks on tmpfs", t_sync_and_chunks_shm },
	 { "errors", t_errors });
