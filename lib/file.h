/* SPDX-License-Identifier: MIT */
/*
 * Small file helpers.  Every path is resolved below an optional ROOT
 * (NULL, "" or "/" mean the real root), which is how fixture trees and
 * trees copied out of a guest are read.
 */
#ifndef KT_FILE_H
#define KT_FILE_H

#include <stddef.h>

/* ROOT + PATH into buf; returns buf, or NULL (ENAMETOOLONG). */
char *kt_path(char *buf, size_t size, const char *root, const char *path);

/*
 * Read a whole (pseudo-)file of at most CAP bytes, by read() until EOF, so
 * /proc files whose st_size is 0 work.  Returns a malloc'd NUL-terminated
 * buffer and its length in *len (may be NULL); NULL with errno set on
 * failure, EFBIG when the file holds more than CAP bytes.
 */
char *kt_read_file(const char *root, const char *path, size_t cap, size_t *len);

/* Read a small value (sysfs, procfs sysctl) and trim surrounding
 * whitespace.  NULL when unreadable or empty after trimming. */
char *kt_read_trim(const char *root, const char *path);

/* Trim leading and trailing ASCII whitespace in place. */
char *kt_trim(char *s);

/* A directory's entries, excluding "." and "..", sorted by strcmp.
 * Returns 0 and a malloc'd vector (free with kt_free_list), or -1/errno. */
int kt_list_dir(const char *root, const char *path, char ***names, size_t *n);
void kt_free_list(char **names, size_t n);

/* Counter of files opened by kt_read_file/kt_read_trim/kt_list_dir (for
 * tests of caching contracts). */
extern unsigned long kt_file_opens;

#endif
