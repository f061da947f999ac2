// SPDX-License-Identifier: MIT
/* Readers of the kernel log: /dev/kmsg records and log text files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"

/* A record is at most 1 KiB of text plus its prefix and dictionary; the
 * kernel returns EINVAL for a buffer too small to hold one. */
#define KMSG_REC_MAX 8192
/*
 * Log files are read(), not mapped: on the paravirtualised (PVM) machine
 * the bench ran on, the first touch of each mapped 4 KiB page cost ~2.6 us
 * (300 MiB, a newline count: read() into this buffer 77-92 ms of CPU,
 * mmap 260-365 ms with MAP_POPULATE, MADV_SEQUENTIAL or 2 MiB windows).
 * The size: read() alone of the cached 300 MiB bench log, user + system,
 * median of 9 on a quiet machine: 16 KiB 54 ms, 64 KiB 33 ms, 128 KiB
 * 27 ms, 256 KiB 26 ms, 1 MiB 28 ms; kmsgscx -j on it 115 ms with 64 KiB,
 * 108 ms with 256 KiB (median of 15, interleaved), which still sits in a
 * 1 MiB L2 while it is parsed.  Measure again before mapping on other
 * hardware.
 */
#define LOG_CHUNK (1 << 18)

void kt_kmsg_attach(struct kt_kmsg_reader *r, int fd, enum kt_kmsg_from from, uint64_t since)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->from = from;
	r->since = since;
	if (from == KT_KMSG_FROM_END)
		lseek(fd, 0, SEEK_END);
}

int kt_kmsg_open(struct kt_kmsg_reader *r, const char *path, enum kt_kmsg_from from, uint64_t since)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	kt_kmsg_attach(r, fd, from, since);
	return 0;
}

void kt_kmsg_close(struct kt_kmsg_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

bool kt_kmsg_account(struct kt_kmsg_reader *r, uint64_t seq, bool *gap, uint64_t *lost)
{
	bool has_since = r->from == KT_KMSG_FROM_SEQ;

	*gap = false;
	*lost = 0;
	if (has_since && seq < r->since) {
		r->next = seq + 1;
		r->have_next = true;
		return false;
	}
	if (r->epipe || (r->have_next && seq > r->next) ||
	    (!r->have_next && has_since && seq > r->since)) {
		/* the count is known only from a known position: a record read
		 * before, or --since-seq (not a reader that started at the end) */
		bool known = r->have_next || has_since;
		uint64_t from = r->have_next ? r->next : r->since;

		*gap = true;
		*lost = known && seq > from ? seq - from : 0;
	}
	r->epipe = false;
	r->next = seq + 1;
	r->have_next = true;
	return true;
}

/* One record: true when the consumer asked to stop. */
static bool record(struct kt_kmsg_reader *r, char *rec, size_t n, const struct kt_kmsg_ops *ops,
		   void *arg)
{
	struct kmsg_line l;
	char *nl = memchr(rec, '\n', n);
	uint64_t lost;
	bool gap;

	if (nl) {
		n = (size_t)(nl - rec);
		rec[n] = '\0';
	}
	if (kmsg_parse_record_header(rec, n, &l) < 0)
		return false;
	if (!kt_kmsg_account(r, l.seq, &gap, &lost))
		return false;
	if (gap && ops->overrun)
		ops->overrun(arg, l.seq, lost);
	r->records++;
	return ops->record(arg, rec, n, &l);
}

enum kt_read_result kt_kmsg_drain(struct kt_kmsg_reader *r, const struct kt_kmsg_ops *ops,
				  void *arg)
{
	char rec[KMSG_REC_MAX + 1];

	for (;;) {
		ssize_t n = read(r->fd, rec, sizeof(rec) - 1);

		if (n > 0) {
			rec[n] = '\0';
			if (record(r, rec, (size_t)n, ops, arg))
				return KT_READ_STOP;
			continue;
		}
		if (n == 0 || errno == EAGAIN)
			return KT_READ_AGAIN;
		if (errno == EINTR || errno == EINVAL)
			continue; /* EINVAL: one oversized record, consumed */
		if (errno == EPIPE) {
			r->epipe = true;
			continue;
		}
		return KT_READ_ERROR;
	}
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int kt_logfile_open(struct kt_logfile *f, const char *path, bool follow, size_t maxline,
		    kmsg_line_fn fn, void *arg)
{
	struct stat st;
	int e;

	memset(f, 0, sizeof(*f));
	f->follow = follow;
	f->fd = STDIN_FILENO;
	if (strcmp(path, "-")) {
		/* O_NONBLOCK: opening a FIFO must not wait for a writer */
		f->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (f->fd < 0)
			return -1;
		f->own_fd = true;
	}
	if (fstat(f->fd, &st))
		goto fail;
	f->regular = S_ISREG(st.st_mode);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	/*
	 * A followed FIFO is waited on like tail -f does, writer or not:
	 * holding it open for writing too means no EOF (and no EPOLLHUP storm)
	 * between writers.
	 */
	if (follow && f->own_fd && S_ISFIFO(st.st_mode)) {
		int rw = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

		if (rw < 0)
			goto fail;
		close(f->fd);
		f->fd = rw;
	}
	/*
	 * A device such as /dev/kmsg itself is drained, never waited on; so
	 * is anything followed (the caller polls).  A pipe or FIFO read to
	 * its end waits for its writer, as cat does.
	 */
	if ((S_ISCHR(st.st_mode) && !isatty(f->fd)) || follow)
		set_nonblock(f->fd);
	else if (f->own_fd && !f->regular)
		fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
	f->buf = malloc(LOG_CHUNK);
	if (!f->buf || kmsg_split_init(&f->sp, maxline, fn, arg)) {
		errno = ENOMEM;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	free(f->buf);
	if (f->own_fd)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	errno = e;
	return -1;
}

/* A followed file that shrank was truncated (or replaced): start over. */
static void check_truncated(struct kt_logfile *f)
{
	struct stat st;

	if (fstat(f->fd, &st) || (uint64_t)st.st_size >= f->pos)
		return;
	if (lseek(f->fd, 0, SEEK_SET) == 0) {
		kmsg_split_finish(&f->sp);
		f->pos = 0;
		f->truncations++;
	}
}

enum kt_read_result kt_logfile_drain(struct kt_logfile *f, const bool *stop)
{
	if (f->regular && f->follow)
		check_truncated(f);
	for (;;) {
		ssize_t n = read(f->fd, f->buf, LOG_CHUNK);

		if (n > 0) {
			f->pos += (uint64_t)n;
			kmsg_split_feed_inplace(&f->sp, f->buf, (size_t)n);
			if (stop && *stop)
				return KT_READ_STOP;
			continue;
		}
		if (n == 0)
			return f->regular && f->follow ? KT_READ_AGAIN : KT_READ_EOF;
		if (errno == EAGAIN)
			return KT_READ_AGAIN;
		if (errno == EINTR || errno == EPIPE)
			continue; /* EPIPE: -f /dev/kmsg overrun */
		return KT_READ_ERROR;
	}
}

void kt_logfile_close(struct kt_logfile *f)
{
	if (f->fd < 0)
		return;
	kmsg_split_finish(&f->sp);
	kmsg_split_free(&f->sp);
	free(f->buf);
	if (f->own_fd)
		close(f->fd);
	f->fd = -1;
}
