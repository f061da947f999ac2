/* SPDX-License-Identifier: MIT */
/*
 * Small file helpers.  Every path is resolved below an optional ROOT
 * (NULL, "" or "/" mean the real root), which is how fixture trees and
 * trees copied out of a guest are read.
 */
#ifndef KT_FILE_H
#define KT_FILE_H

#include <stdbool.h>
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

/*
 * The same for a file named by the user: "-" is standard input (fd 0, read
 * directly: no /dev/stdin needed, as in an initramfs without /dev); a pipe
 * or FIFO is read to its end (opening it never waits for a writer).
 */
char *kt_read_arg(const char *path, size_t cap, size_t *len);

/*
 * open(2) read-only, close-on-exec, below ROOT, as one openat syscall (musl's
 * open() adds an fcntl for O_CLOEXEC), non-blocking so that a FIFO never
 * waits for a writer (a FIFO in a tree reads as empty or EAGAIN: the field
 * is dropped, nothing hangs).  Counts kt_file_opens.  fd or -1.
 */
int kt_open_ro(const char *root, const char *path);

/*
 * Read a single-record pseudo-file (sysfs attribute, sysctl, /proc/meminfo,
 * /proc/cmdline) of at most CAP bytes.  These hand out their whole content
 * in one read() when the buffer is large enough, so a short read ends the
 * file and the extra read() for EOF is saved.  Not for multi-record seq
 * files such as /proc/kallsyms (use kt_read_file).  Same return contract
 * as kt_read_file.
 */
char *kt_read_small(const char *root, const char *path, size_t cap, size_t *len);

/*
 * Read only as much of a file as needed: stop at EOF or as soon as
 * ENOUGH(buf, n) is true for the prefix read so far (e.g. the first block
 * of /proc/cpuinfo).  Same return contract as kt_read_file; the result may
 * hold more than the needed prefix (whatever the last read() returned).
 */
char *kt_read_until(const char *root, const char *path, size_t cap, size_t *len,
		    bool (*enough)(const char *buf, size_t n));

/* Read a small value (sysfs, procfs sysctl) and trim surrounding
 * whitespace.  NULL when unreadable or empty after trimming. */
char *kt_read_trim(const char *root, const char *path);

/* Directory iteration with getdents64 into one buffer (no per-entry
 * allocation).  kt_dir_next skips "." and ".."; NULL at the end/on error. */
struct kt_dirent {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type; /* DT_* (DT_UNKNOWN on some filesystems) */
	char name[];
};
struct kt_dir {
	int fd;
	size_t pos, len;
	char buf[16384] __attribute__((aligned(8)));
};
int kt_dir_open(struct kt_dir *d, const char *root, const char *path);
struct kt_dirent *kt_dir_next(struct kt_dir *d);
void kt_dir_close(struct kt_dir *d);

/* A directory's entries, excluding "." and "..", sorted by strcmp.
 * Returns 0 and a malloc'd vector (free with kt_free_list), or -1/errno. */
int kt_list_dir(const char *root, const char *path, char ***names, size_t *n);
void kt_free_list(char **names, size_t n);

/* Counter of files opened by kt_read_file/kt_read_trim/kt_list_dir (for
 * tests of caching contracts). */
extern unsigned long kt_file_opens;

#endif
