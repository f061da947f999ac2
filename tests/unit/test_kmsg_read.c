// SPDX-License-Identifier: MIT
/* The kernel log readers: overrun accounting, record drains, log files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"
#include "tap.h"

struct seen {
	char text[1024];
	int records, overruns;
	uint64_t last_seq, lost;
	int stop_after;
};

static bool on_rec(void *arg, char *rec, size_t len, const struct kmsg_line *l)
{
	struct seen *s = arg;

	strncat(s->text, rec, len);
	strcat(s->text, "|");
	s->last_seq = l->seq;
	return ++s->records == s->stop_after;
}

static void on_gap(void *arg, uint64_t seq, uint64_t lost)
{
	struct seen *s = arg;

	s->overruns++;
	s->lost = lost;
	(void)seq;
}

static const struct kt_kmsg_ops ops = {on_rec, on_gap};

static void accounting(void)
{
	struct kt_kmsg_reader r = {.fd = -1, .from = KT_KMSG_FROM_START};
	uint64_t lost;
	bool gap;

	ok(kt_kmsg_account(&r, 5, &gap, &lost) && !gap, "first record from the start: no gap");
	ok(kt_kmsg_account(&r, 6, &gap, &lost) && !gap, "next in sequence: no gap");
	ok(kt_kmsg_account(&r, 10, &gap, &lost) && gap && lost == 3, "jump 6 -> 10: 3 lost");
	r.epipe = true;
	ok(kt_kmsg_account(&r, 11, &gap, &lost) && gap && lost == 0,
	   "EPIPE, next seq in order: a gap reported, none counted");
	r.epipe = true;
	ok(kt_kmsg_account(&r, 20, &gap, &lost) && gap && lost == 8, "EPIPE then 12 -> 20: 8 lost");

	r = (struct kt_kmsg_reader){.fd = -1, .from = KT_KMSG_FROM_END};
	r.epipe = true;
	ok(kt_kmsg_account(&r, 900, &gap, &lost) && gap && lost == 0,
	   "reader from the end, overrun before any record: count unknown");

	r = (struct kt_kmsg_reader){.fd = -1, .from = KT_KMSG_FROM_SEQ, .since = 100};
	ok(!kt_kmsg_account(&r, 99, &gap, &lost), "--since-seq: earlier record skipped");
	ok(kt_kmsg_account(&r, 100, &gap, &lost) && !gap, "--since-seq: the first wanted record");
	r = (struct kt_kmsg_reader){.fd = -1, .from = KT_KMSG_FROM_SEQ, .since = 100};
	ok(kt_kmsg_account(&r, 130, &gap, &lost) && gap && lost == 30,
	   "--since-seq an overwritten position: exact count");
}

static void drain(void)
{
	static const char *recs[] = {
		"6,1,100,-;first\n SUBSYSTEM=x\n",
		"6,2,200,-;second\n",
		"not a record\n",
		"6,5,300,-;fifth\n",
		"6,6,400,-;sixth\n",
	};
	struct kt_kmsg_reader r;
	struct seen s = {0};
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv)) {
		tap_skip("no SOCK_SEQPACKET socketpair");
		return;
	}
	for (size_t i = 0; i < sizeof(recs) / sizeof(*recs); i++)
		if (write(sv[1], recs[i], strlen(recs[i])) < 0)
			return;
	kt_kmsg_attach(&r, sv[0], KT_KMSG_FROM_START, 0);
	s.stop_after = 3;
	is_int(kt_kmsg_drain(&r, &ops, &s), KT_READ_STOP, "drain stops when the consumer says so");
	is_str(s.text, "6,1,100,-;first|6,2,200,-;second|6,5,300,-;fifth|",
	       "records' first lines, dictionary dropped, junk skipped");
	is_int(s.overruns, 1, "the jump 2 -> 5 is one overrun");
	is_int(s.lost, 2, "two records lost");
	is_int(kt_kmsg_drain(&r, &ops, &s), KT_READ_AGAIN, "then drains to EAGAIN");
	is_int(s.last_seq, 6, "the rest handed out");
	is_int(r.records, 4, "four records counted");
	kt_kmsg_close(&r);
	close(sv[1]);
}

static char lines[256];

static void on_line(char *line, size_t len, void *arg)
{
	(void)arg;
	strncat(lines, line, len);
	strcat(lines, "|");
}

static void logfile(void)
{
	char path[] = "/tmp/kt-logfile-XXXXXX";
	struct kt_logfile f;
	int fd = mkstemp(path), p[2];

	if (fd < 0 || write(fd, "a\nb\nc", 5) != 5)
		return;
	ok(!kt_logfile_open(&f, path, true, 0, on_line, NULL), "open a regular file to follow");
	is_int(kt_logfile_drain(&f, NULL), KT_READ_AGAIN, "followed file at its end: again");
	is_str(lines, "a|b|", "whole lines handed out");
	if (ftruncate(fd, 0) || pwrite(fd, "x\n", 2, 0) != 2)
		return;
	is_int(kt_logfile_drain(&f, NULL), KT_READ_AGAIN, "after truncation: again");
	is_int(f.truncations, 1, "truncation noticed");
	is_str(lines, "a|b|c|x|", "the cut line delivered, then the file from its start");
	kt_logfile_close(&f);
	close(fd);
	unlink(path);

	lines[0] = 0;
	if (pipe(p))
		return;
	if (write(p[1], "one\ntwo", 7) != 7)
		return;
	close(p[1]);
	/* standard input is the pipe */
	dup2(p[0], 0);
	close(p[0]);
	ok(!kt_logfile_open(&f, "-", false, 0, on_line, NULL), "'-' is fd 0");
	is_int(kt_logfile_drain(&f, NULL), KT_READ_EOF, "a pipe read to its end");
	kt_logfile_close(&f);
	is_str(lines, "one|two|", "last line without newline delivered at close");
	ok(kt_logfile_open(&f, "/", false, 0, on_line, NULL) && errno == EISDIR,
	   "a directory is refused");
}

int main(void)
{
	accounting();
	drain();
	logfile();
	return tap_done();
}
