/* The file a live capture is written to: an append-only stream whose
 * writes reach the file system in whole, aligned chunks.
 *
 * Why: on ext4 a write that starts or ends inside a new block makes the
 * kernel zero the rest of it first, so a capture flushed packet batch by
 * packet batch costs the harness several times the CPU of writing the
 * same bytes in aligned megabytes (measured: 2.3 s against 0.6 s of
 * system time per GB). The stream keeps the bytes past the last aligned
 * chunk in memory and writes what is new of them only when asked to
 * sync, which the capture does when its link goes quiet (writing them
 * again from the aligned start each time cost 3.5 s per GB with a sync
 * every 64 KB, against 0.35 s). Whole chunks go out with direct I/O
 * where the file system has it (capfile.c: put_chunk). */
#ifndef KR_CAPFILE_H
#define KR_CAPFILE_H

#include <stdio.h>

#include "wire/kr_util.h"

struct kr_capfile;

/* Create (truncate) path. *fp is a stdio stream writing into it (give it
 * to pcap_dump_fopen); closing that stream syncs and closes the file.
 * NULL with err set. */
struct kr_capfile *kr_capfile_open(const char *path, FILE **fp, struct kr_err *err);
/* Everything written so far is in the file. 0 or -1 (errno). */
int kr_capfile_sync(struct kr_capfile *cf);
/* Bytes written to the stream but not yet to the file. */
size_t kr_capfile_pending(const struct kr_capfile *cf);

#endif
