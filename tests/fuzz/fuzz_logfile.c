// SPDX-License-Identifier: MIT
/*
 * The log-file reader (lib/kmsg_read.c) over real fds: a regular file
 * (memfd) read once or followed while it grows and is truncated, or a pipe
 * followed while it is written in bursts.  The input is a script of
 * operations; the lines the reader hands out must be exactly those a
 * splitter fed the same bytes in one piece would give (tail -F's rule for
 * a followed file: once it is shorter than what was read, it is read again
 * from its start), whatever the read sizes and chunk boundaries were.
 *
 * Script: byte 0 = mode (bits 0-1: 0 regular followed, 1 regular read to
 * its end at each drain, 2 pipe followed) and line cap (bits 2-7: 0 the
 * default, else that many * 5 bytes); then operations of one byte op, two
 * bytes N (little-endian), and for op 0 N bytes of data:
 *   0 append the N bytes   1 append N copies of the next byte
 *   2 truncate to N         3 drain
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "kmsg.h"

#define MAX_FILE (256u << 10)

struct side {
	struct kt_buf lines;
	size_t max;
};

static void on_line(char *line, size_t len, void *arg)
{
	struct side *s = arg;

	if (len > s->max || memchr(line, '\n', len) || memchr(line, '\0', len) || line[len] != '\0')
		abort();
	kt_buf_put(&s->lines, &len, sizeof(len));
	kt_buf_put(&s->lines, line, len);
}

struct model {
	struct kt_buf c; /* the file's bytes (regular), or the bytes written (pipe) */
	size_t pos;	 /* what the reader must have read */
	struct kmsg_splitter ref;
};

static void model_drain(struct model *m, bool restart_on_shrink)
{
	if (restart_on_shrink && m->c.len < m->pos) {
		kmsg_split_finish(&m->ref);
		m->pos = 0;
	}
	if (m->c.len > m->pos) {
		kmsg_split_feed(&m->ref, m->c.p + m->pos, m->c.len - m->pos);
		m->pos = m->c.len;
	}
}

/* The file's length becomes TO (zeros past its end, as ftruncate gives). */
static void resize(struct model *m, size_t to)
{
	char *p;

	if (to <= m->c.len) {
		if (m->c.p)
			kt_buf_done(&m->c, m->c.p + to);
		return;
	}
	p = kt_buf_room(&m->c, to - m->c.len);
	if (!p)
		abort();
	memset(p, 0, to - m->c.len);
	kt_buf_done(&m->c, p + (to - m->c.len));
}

static void drain(struct kt_logfile *f, struct model *m, int mode)
{
	enum kt_read_result r = kt_logfile_drain(f, NULL);

	if (r == KT_READ_ERROR || r == KT_READ_STOP)
		abort();
	/* read to its end, a regular file says EOF; followed, AGAIN */
	if ((mode == 1) != (r == KT_READ_EOF))
		abort();
	model_drain(m, mode == 0);
}

/* Append N bytes at the end: to the file, or into the pipe (draining the
 * reader whenever the pipe is full). */
static bool append(struct kt_logfile *f, struct model *m, int mode, int wfd, const char *s,
		   size_t n)
{
	if (m->c.len + n > MAX_FILE)
		return false;
	if (mode != 2) {
		if (pwrite(wfd, s, n, (off_t)m->c.len) != (ssize_t)n)
			abort();
		kt_buf_put(&m->c, s, n);
		return true;
	}
	while (n) {
		ssize_t w = write(wfd, s, n);

		if (w < 0 && errno == EAGAIN) {
			drain(f, m, mode);
			continue;
		}
		if (w <= 0)
			abort();
		kt_buf_put(&m->c, s, (size_t)w);
		s += w;
		n -= (size_t)w;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct side got = {0}, want = {0};
	struct model m = {0};
	struct kt_logfile f;
	int mode, rfd, wfd, pfd[2] = {-1, -1};
	size_t maxline, i = 1;
	char path[64], rep[4096];

	if (size < 1 || (data[0] & 3) == 3)
		return 0;
	mode = data[0] & 3;
	maxline = (size_t)(data[0] >> 2) * 5;
	got.max = want.max = maxline ? maxline : 65536;
	if (mode == 2) {
		if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC))
			return 0;
		rfd = pfd[0];
		wfd = pfd[1];
	} else {
		rfd = wfd = memfd_create("fuzz_logfile", MFD_CLOEXEC);
		if (wfd < 0)
			return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rfd);
	if (kt_logfile_open(&f, path, mode != 1, maxline, on_line, &got))
		abort();
	if (f.regular != (mode != 2) || kmsg_split_init(&m.ref, maxline, on_line, &want))
		abort();
	while (i + 3 <= size) {
		int op = data[i] & 3;
		size_t n = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;

		i += 3;
		if (op == 0) {
			if (n > size - i)
				n = size - i;
			if (!append(&f, &m, mode, wfd, (const char *)data + i, n))
				break;
			i += n;
		} else if (op == 1) {
			size_t total = n;

			memset(rep, i < size ? data[i++] : 'x', sizeof(rep));
			while (total) {
				size_t k = total < sizeof(rep) ? total : sizeof(rep);

				if (!append(&f, &m, mode, wfd, rep, k))
					break;
				total -= k;
			}
		} else if (op == 2 && mode != 2) {
			size_t to = n;

			if (to > MAX_FILE || ftruncate(wfd, (off_t)to))
				abort();
			resize(&m, to);
		} else if (op == 3) {
			drain(&f, &m, mode);
		}
	}
	drain(&f, &m, mode);
	kt_logfile_close(&f);
	kmsg_split_finish(&m.ref);
	if (got.lines.len != want.lines.len ||
	    (got.lines.len && memcmp(got.lines.p, want.lines.p, got.lines.len)))
		abort();
	kmsg_split_free(&m.ref);
	kt_buf_free(&got.lines);
	kt_buf_free(&want.lines);
	kt_buf_free(&m.c);
	close(wfd);
	if (pfd[0] >= 0)
		close(pfd[0]);
	return 0;
}
