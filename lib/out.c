// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "err.h"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int kt_atomic_open(struct kt_atomic *a, const char *dst)
{
	const char *base = strrchr(dst, '/');
	size_t dlen = base ? (size_t)(base - dst) + 1 : 0;
	unsigned long seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	int fd = -1, e;

	memset(a, 0, sizeof(*a));
	base = base ? base + 1 : dst;
	if (!*base) {
		errno = EISDIR;
		return -1;
	}
	a->dst = strdup(dst);
	a->tmp = malloc(dlen + strlen(base) + 16);
	if (!a->dst || !a->tmp)
		goto fail;
	for (int tries = 0; tries < 100; tries++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		sprintf(a->tmp, "%.*s.%s.%06lx", (int)dlen, dst, base, (seed >> 40) & 0xffffff);
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		goto fail;
	a->fp = fdopen(fd, "w");
	if (!a->fp) {
		e = errno;
		close(fd);
		unlink(a->tmp);
		errno = e;
		goto fail;
	}
	return 0;
fail:
	e = errno;
	free(a->dst);
	free(a->tmp);
	memset(a, 0, sizeof(*a));
	errno = e;
	return -1;
}

void kt_atomic_abort(struct kt_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->dst);
	memset(a, 0, sizeof(*a));
}

int kt_atomic_commit(struct kt_atomic *a)
{
	char *dir;
	int dfd, e;

	if (fflush(a->fp) || ferror(a->fp) || fsync(fileno(a->fp)))
		goto fail;
	if (fclose(a->fp)) {
		a->fp = NULL;
		goto fail;
	}
	a->fp = NULL;
	if (rename(a->tmp, a->dst))
		goto fail;
	dir = dir_of(a->dst);
	if (dir) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);	/* best effort: some filesystems refuse */
			close(dfd);
		}
		free(dir);
	}
	free(a->tmp);
	free(a->dst);
	memset(a, 0, sizeof(*a));
	return 0;
fail:
	e = errno ? errno : EIO;
	kt_atomic_abort(a);
	errno = e;
	return -1;
}

#define KT_OUT_BUF (1 << 16)

int kt_out_open(struct kt_out *o, const char *path)
{
	static char stdout_buf[KT_OUT_BUF];
	static bool stdout_set;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		/* setvbuf is valid only before the first I/O on the stream */
		if (!stdout_set && !isatty(STDOUT_FILENO))
			setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
		stdout_set = true;
		return 0;
	}
	if (kt_atomic_open(&o->a, path))
		return kt_err("cannot write '%s'", path);
	o->atomic = 1;
	o->fp = o->a.fp;
	o->buf = malloc(KT_OUT_BUF);
	if (o->buf)	/* without it, stdio's own small buffer does */
		setvbuf(o->fp, o->buf, _IOFBF, KT_OUT_BUF);
	return 0;
}

int kt_out_close(struct kt_out *o, int ok)
{
	int rc;

	if (!o->atomic) {
		if (fflush(stdout) || ferror(stdout))
			return kt_err("write error on standard output");
		return ok ? 0 : KT_EXIT_FAIL;
	}
	if (!ok) {
		kt_atomic_abort(&o->a);
		free(o->buf);
		return KT_EXIT_FAIL;
	}
	errno = 0;
	rc = kt_atomic_commit(&o->a);	/* closes the stream: the buffer is free */
	free(o->buf);
	if (rc)
		return kt_err("cannot write '%s' (left unchanged)", o->path);
	return 0;
}
