/* SPDX-License-Identifier: MIT */
/*
 * A deterministic tar.gz of a directory (capture's FILE.tar.gz bundles):
 * ustar members in byte order of their paths, directories first as their
 * own members, mtime 0, uid/gid 0, no user/group names, mode 0755 for
 * directories and 0644 for files, gzip through zlib with no name and
 * mtime 0 in its header.  The same files give the same bytes.
 */
#ifndef KT_TARGZ_H
#define KT_TARGZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A ustar header block for NAME (a '/' is appended to a directory's):
 * 0, or -1 when NAME does not fit the 100+155 byte fields. */
int kt_tar_header(unsigned char blk[512], const char *name, uint64_t size, int is_dir);
/* Write DIR's tree under the top directory TOP to FP, gzipped: 0, or -1
 * with errno. */
int kt_targz_dir(const char *dir, const char *top, FILE *fp);

#endif
