/* SPDX-License-Identifier: MIT */
/*
 * The output sink of every applet and of capture's bundle files.
 *
 * Atomic output for -o FILE: write a temporary file in the target's
 * directory, fsync it, rename it over the target, fsync the directory.
 * Until commit succeeds the target is untouched; on any failure the
 * temporary is removed.
 */
#ifndef KT_OUT_H
#define KT_OUT_H

#include <stdio.h>

struct kt_atomic {
	FILE *fp;		/* write here */
	char *tmp;		/* temporary path */
	char *dst;		/* final path */
};

/* 0, or -1 with errno (nothing left behind). */
int kt_atomic_open(struct kt_atomic *a, const char *dst);
/* Flush, fsync, rename, fsync dir.  0, or -1 with errno (temp removed). */
int kt_atomic_commit(struct kt_atomic *a);
/* Discard: close and remove the temporary. */
void kt_atomic_abort(struct kt_atomic *a);

/*
 * Applet output: stdout when PATH is NULL or "-", an atomic file otherwise.
 * Either is fully buffered in 64 KiB (musl's default is 1 KiB, one write
 * per KiB) unless it is a terminal; stdout's buffer is set by the first
 * open, before anything is written to it, and kept.  Any number of sinks
 * may be opened and closed in one process (capture writes many files).  Flush explicitly where output must appear now (follow modes).
 * kt_out_close(o, ok): commit when ok (returns 0 or KT_EXIT_FAIL after
 * reporting the error), abort otherwise (returns KT_EXIT_FAIL).  Also
 * reports write errors on stdout (e.g. EPIPE, ENOSPC).
 */
struct kt_out {
	FILE *fp;
	const char *path;
	struct kt_atomic a;
	int atomic;
	char *buf;		/* the atomic file's stdio buffer */
};
int kt_out_open(struct kt_out *o, const char *path);
int kt_out_close(struct kt_out *o, int ok);

#endif
