/* Folder helpers for run folders: create a path, copy a tree (evidence
 * joined by `keyroll merge`). */
#ifndef KR_FSUTIL_H
#define KR_FSUTIL_H

#include <stddef.h>

/* mkdir -p; 0, or -1 with errno. */
int kr_mkdirs(const char *path);
/* Copy the tree at src (a file or a folder: files, folders, symbolic links
 * as links) to dst, creating dst's parents; an existing file is replaced.
 * Files are hard-linked where the file system allows, else copied.
 * 0, or -1 with msg naming the path that failed. */
int kr_copy_tree(const char *src, const char *dst, char *msg, size_t msgsz);
/* 1 when path is a folder with nothing in it or does not exist, 0 when it
 * has entries or is not a folder, -1 on another error (errno). */
int kr_dir_empty(const char *path);

#endif
