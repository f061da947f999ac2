/* SPDX-License-Identifier: MIT */
/*
 * The output sink of every applet and of capture's bundle files.
 *
 * -o FILE replaces FILE atomically: the data goes to an unnamed O_TMPFILE
 * in FILE's directory (nothing can be left behind, even by SIGKILL), is
 * fsynced, linked under a short temporary name and renamed over FILE; the
 * directory is fsynced.  Where O_TMPFILE is unsupported a named temporary
 * (".NAME.XXXXXX", NAME shortened so the name fits NAME_MAX) is used and
 * removed on failure and on SIGINT, SIGTERM and SIGHUP.  Until the rename
 * FILE is untouched.
 *
 * What FILE is decides what happens:
 *  - a regular file: replaced; the new one keeps its mode, and its owner
 *    and group where the writer may set them;
 *  - missing: created with mode 0666 less the umask, as a shell would;
 *  - a symbolic link to a file (or dangling): the link itself is
 *    replaced, never written through (root writing into a world-writable
 *    directory must not follow a link planted there);
 *  - a device, FIFO or socket, also through a link (/dev/stdout): a
 *    stream, written directly, never replaced (a FIFO without a reader is
 *    an error, not a wait);
 *  - a directory, or "": an error.
 */
#ifndef KT_OUT_H
#define KT_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct kt_atomic {
	FILE *fp;     /* write here */
	int fd;	      /* fp's descriptor */
	int err;      /* first write error (errno), 0 if none */
	bool unnamed; /* O_TMPFILE: tmp is the link name to use */
	char *tmp;    /* temporary path */
	char *dst;    /* final path */
};

/* 0, or -1 with errno (nothing left behind). */
int kt_atomic_open(struct kt_atomic *a, const char *dst);
/* Flush, fsync, rename, fsync dir.  0, or -1 with errno (temp removed):
 * the errno of the first failed write (ENOSPC, EFBIG, ...) when one did. */
int kt_atomic_commit(struct kt_atomic *a);
/* Discard: close and remove the temporary. */
void kt_atomic_abort(struct kt_atomic *a);

/*
 * Applet output: stdout when PATH is NULL or "-", else FILE as above.
 * Either is fully buffered in 64 KiB (musl's default is 1 KiB, one write
 * per KiB) unless it is a terminal; stdout's buffer is set by the first
 * open, before anything is written to it, and kept.  Any number of sinks
 * may be opened and closed in one process (capture writes many files).
 * Flush explicitly where output must appear now (follow modes).
 *
 * kt_out_open reports its error ("cannot write 'FILE': why") and returns
 * KT_EXIT_FAIL.  kt_out_close(o, ok): commit when ok (returns 0 or
 * KT_EXIT_FAIL after reporting the error), abort otherwise (returns
 * KT_EXIT_FAIL).  Also reports write errors on stdout and on streams
 * (EPIPE, ENOSPC).
 */
struct kt_out {
	FILE *fp;
	const char *path;
	struct kt_atomic a;
	bool atomic; /* an atomic file (else stdout or a stream) */
	bool stream; /* a device or FIFO opened by path */
	char *buf;   /* the file's stdio buffer */
};
int kt_out_open(struct kt_out *o, const char *path);
int kt_out_close(struct kt_out *o, int ok);
/* Has writing failed already (a stream to stop early: EPIPE)? */
bool kt_out_failed(const struct kt_out *o);

#endif
