// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "out.h"

#define KT_OUT_BUF (1 << 16)
/* a temporary's name keeps this much of the target's (NAME_MAX is 255) */
#define TMP_BASE_MAX 200
#define MAX_TEMPS 16

/* ---- named temporaries removed on fatal signals ------------------------- */

static char *volatile temps[MAX_TEMPS];

static void on_fatal(int sig)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			unlink(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Handlers only where the signal still has its default action: a caller
 * that handles signals itself (the event loop) closes its sinks. */
static void track(char *path)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	static bool installed;

	if (!installed) {
		for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
			struct sigaction sa, old;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_fatal;
			if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_DFL)
				sigaction(sigs[i], &sa, NULL);
		}
		installed = true;
	}
	for (int i = 0; i < MAX_TEMPS; i++)
		if (!temps[i]) {
			temps[i] = path;
			return;
		}
}

static void untrack(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == path)
			temps[i] = NULL;
}

/* ---- a FILE that remembers why a write failed -------------------------- */

static ssize_t ck_write(void *c, const char *buf, size_t n)
{
	struct kt_atomic *a = c;
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(a->fd, buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!a->err)
				a->err = r < 0 ? errno : EIO;
			errno = a->err;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)n;
}

static int ck_close(void *c)
{
	(void)c;
	return 0; /* the descriptor is closed by its owner */
}

static FILE *ck_open(struct kt_atomic *a)
{
	cookie_io_functions_t io = {.write = ck_write, .close = ck_close};

	return fopencookie(a, "w", io);
}

/* ---- atomic files ------------------------------------------------------- */

static unsigned long next_rand(void)
{
	static unsigned long seed;

	if (!seed)
		seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16) ^
		       (unsigned long)&seed;
	seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	return (seed >> 40) & 0xffffff;
}

/* DIR/.BASE.XXXXXX into a->tmp (BASE cut to fit NAME_MAX). */
static void tmp_name(struct kt_atomic *a, const char *dst, size_t dlen, const char *base)
{
	sprintf(a->tmp, "%.*s.%.*s.%06lx", (int)dlen, dst, TMP_BASE_MAX, base, next_rand());
}

static int open_tmp(struct kt_atomic *a, const char *dst, size_t dlen, const char *base,
		    mode_t mode)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(dlen ? dlen : 1), dlen ? dst : ".");
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd >= 0) {
		a->unnamed = true;
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1;
	for (int tries = 0; tries < 100; tries++) {
		tmp_name(a, dst, dlen, base);
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0) {
			track(a->tmp);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int kt_atomic_open(struct kt_atomic *a, const char *dst)
{
	const char *base = strrchr(dst, '/');
	size_t dlen = base ? (size_t)(base - dst) + 1 : 0;
	struct stat st;
	bool keep = false;
	int e;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	base = base ? base + 1 : dst;
	if (!*base) {
		errno = *dst ? EISDIR : ENOENT;
		return -1;
	}
	/* a regular file keeps its mode and owner; a link is replaced */
	if (!lstat(dst, &st) && S_ISREG(st.st_mode))
		keep = true;
	a->dst = strdup(dst);
	a->tmp = malloc(dlen + TMP_BASE_MAX + 16);
	if (!a->dst || !a->tmp)
		goto fail;
	a->fd = open_tmp(a, dst, dlen, base, keep ? (st.st_mode & 07777) : 0666);
	if (a->fd < 0)
		goto fail;
	if (keep) {
		fchmod(a->fd, st.st_mode & 07777); /* the umask applied to open's */
		/* may fail (not ours to give away): the writer's ids stay */
		(void)!fchown(a->fd, st.st_uid, st.st_gid);
	}
	a->fp = ck_open(a);
	if (!a->fp)
		goto fail;
	return 0;
fail:
	e = errno;
	kt_atomic_abort(a);
	errno = e;
	return -1;
}

void kt_atomic_abort(struct kt_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp && !a->unnamed) {
		unlink(a->tmp);
		untrack(a->tmp);
	}
	free(a->tmp);
	free(a->dst);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

/* Give the unnamed file a temporary name next to its target. */
static int link_unnamed(struct kt_atomic *a)
{
	const char *base = strrchr(a->dst, '/');
	size_t dlen = base ? (size_t)(base - a->dst) + 1 : 0;
	char proc[64];

	base = base ? base + 1 : a->dst;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", a->fd);
	for (int tries = 0; tries < 100; tries++) {
		tmp_name(a, a->dst, dlen, base);
		track(a->tmp);
		if (!linkat(AT_FDCWD, proc, AT_FDCWD, a->tmp, AT_SYMLINK_FOLLOW))
			goto linked;
		/* no /proc (early initramfs): root may link the fd itself */
		if (errno == ENOENT && !linkat(a->fd, "", AT_FDCWD, a->tmp, AT_EMPTY_PATH))
			goto linked;
		untrack(a->tmp);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
linked:
	a->unnamed = false; /* from here on, a name to remove on failure */
	return 0;
}

static void sync_dir(const char *dst)
{
	const char *slash = strrchr(dst, '/');
	char dir[PATH_MAX];
	int dfd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == dst ? 1 : (int)(slash - dst), dst);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* best effort: some filesystems refuse */
		close(dfd);
	}
}

int kt_atomic_commit(struct kt_atomic *a)
{
	int e;

	errno = 0;
	if (fflush(a->fp) || ferror(a->fp) || a->err)
		goto fail;
	fclose(a->fp);
	a->fp = NULL;
	if (fsync(a->fd))
		goto fail;
	if (a->unnamed && link_unnamed(a))
		goto fail;
	if (rename(a->tmp, a->dst))
		goto fail;
	untrack(a->tmp);
	close(a->fd);
	sync_dir(a->dst);
	free(a->tmp);
	free(a->dst);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	return 0;
fail:
	e = a->err ? a->err : errno ? errno : EIO;
	kt_atomic_abort(a);
	errno = e;
	return -1;
}

/* ---- sinks ---------------------------------------------------------------- */

static void buffer(struct kt_out *o)
{
	o->buf = malloc(KT_OUT_BUF);
	if (o->buf) /* without it, stdio's own small buffer does */
		setvbuf(o->fp, o->buf, _IOFBF, KT_OUT_BUF);
}

/* A device, FIFO or socket: written directly, never replaced. */
static int open_stream(struct kt_out *o, const char *path)
{
	int fl;

	/* O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of waiting */
	o->a.fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (o->a.fd < 0) {
		if (errno == ENXIO)
			return kt_errx("cannot write '%s': no process reads it", path);
		return kt_err("cannot write '%s'", path);
	}
	fl = fcntl(o->a.fd, F_GETFL);
	if (fl >= 0)
		fcntl(o->a.fd, F_SETFL, fl & ~O_NONBLOCK);
	o->fp = ck_open(&o->a);
	if (!o->fp) {
		close(o->a.fd);
		return kt_err("cannot write '%s'", path);
	}
	o->stream = true;
	if (!isatty(o->a.fd))
		buffer(o);
	return 0;
}

int kt_out_open(struct kt_out *o, const char *path)
{
	static char stdout_buf[KT_OUT_BUF];
	static bool stdout_set;
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->a.fd = -1;
	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		/* setvbuf is valid only before the first I/O on the stream */
		if (!stdout_set && !isatty(STDOUT_FILENO))
			setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
		stdout_set = true;
		return 0;
	}
	if (!*path)
		return kt_errx("cannot write '': empty file name");
	/* streams, also through a link (/dev/stdout); links to files are replaced */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			return kt_errx("cannot write '%s': Is a directory", path);
		return open_stream(o, path);
	}
	if (kt_atomic_open(&o->a, path))
		return kt_err("cannot write '%s'", path);
	o->atomic = true;
	o->fp = o->a.fp;
	buffer(o);
	return 0;
}

bool kt_out_failed(const struct kt_out *o)
{
	return ferror(o->fp) || o->a.err;
}

static int close_stream(struct kt_out *o, int ok)
{
	int bad = fflush(o->fp) || ferror(o->fp) || o->a.err;
	int e = o->a.err ? o->a.err : errno;

	fclose(o->fp);
	close(o->a.fd);
	free(o->buf);
	if (bad) {
		errno = e;
		return kt_err("write error on '%s'", o->path);
	}
	return ok ? 0 : KT_EXIT_FAIL;
}

int kt_out_close(struct kt_out *o, int ok)
{
	int rc;

	if (o->stream)
		return close_stream(o, ok);
	if (!o->atomic) {
		if (fflush(stdout) || ferror(stdout)) {
			kt_err("write error on standard output");
			clearerr(stdout); /* reported: the dispatcher need not */
			return KT_EXIT_FAIL;
		}
		return ok ? 0 : KT_EXIT_FAIL;
	}
	if (!ok) {
		kt_atomic_abort(&o->a);
		free(o->buf);
		return KT_EXIT_FAIL;
	}
	rc = kt_atomic_commit(&o->a); /* closes the stream: the buffer is free */
	free(o->buf);
	if (rc)
		return kt_err("cannot write '%s' (left unchanged)", o->path);
	return 0;
}
