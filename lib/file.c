// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "text.h"

unsigned long kt_file_opens;

char *kt_path(char *buf, size_t size, const char *root, const char *path)
{
	int n;

	if (!root || !*root || !strcmp(root, "/"))
		root = "";
	n = snprintf(buf, size, "%s%s", root, path);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

int kt_open_ro(const char *root, const char *path)
{
	char p[4096];
	int fd;

	if (!kt_path(p, sizeof(p), root, path))
		return -1;
	/* O_NONBLOCK: a FIFO in a tree must not wait for a writer (it reads as
	 * empty); no effect on /proc, /sys and regular files */
	fd = (int)syscall(SYS_openat, AT_FDCWD, p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		kt_file_opens++;
	return fd;
}

/*
 * Read FD (closed after, unless KEEP) to EOF into a NUL-terminated buffer of at most CAP bytes (EFBIG
 * beyond: the buffer grows to CAP + 1 to tell).  SHORT_ENDS: a short read
 * is the end (single-record pseudo-files), saving the read() of EOF.
 * ENOUGH (may be NULL): stop as soon as it says the prefix read suffices.
 */
static char *read_fd_keep(int fd, size_t cap, size_t *len, bool short_ends,
			  bool (*enough)(const char *buf, size_t n), bool keep)
{
	size_t n = 0, size = 0;
	char *buf = NULL, *nb;
	ssize_t r;
	int e;

	for (;;) {
		if (n == size) {
			size = size ? size * 2 : 4096;
			if (size > cap + 1)
				size = cap + 1;
			nb = realloc(buf, size + 1);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			errno = EFBIG;
			goto fail;
		}
		if ((short_ends && n < size) || (enough && enough(buf, n)))
			break;
	}
	if (!keep)
		close(fd);
	if (!buf && !(buf = malloc(1)))
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	e = errno;
	free(buf);
	if (!keep)
		close(fd);
	errno = e;
	return NULL;
}

static char *read_fd(int fd, size_t cap, size_t *len, bool short_ends,
		     bool (*enough)(const char *buf, size_t n))
{
	return read_fd_keep(fd, cap, len, short_ends, enough, false);
}

char *kt_read_small(const char *root, const char *path, size_t cap, size_t *len)
{
	int fd = kt_open_ro(root, path);

	return fd < 0 ? NULL : read_fd(fd, cap, len, true, NULL);
}

char *kt_read_file(const char *root, const char *path, size_t cap, size_t *len)
{
	int fd = kt_open_ro(root, path);

	return fd < 0 ? NULL : read_fd(fd, cap, len, false, NULL);
}

char *kt_read_arg(const char *path, size_t cap, size_t *len)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-"))
		return read_fd_keep(STDIN_FILENO, cap, len, false, NULL, true);
	fd = kt_open_ro(NULL, path);
	if (fd < 0)
		return NULL;
	/* a pipe or FIFO named by the user (<(cmd)) is read to its end, as
	 * cat would; the open did not wait for a writer */
	if (!fstat(fd, &st) && !S_ISREG(st.st_mode))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return read_fd(fd, cap, len, false, NULL);
}

char *kt_read_until(const char *root, const char *path, size_t cap, size_t *len,
		    bool (*enough)(const char *buf, size_t n))
{
	int fd = kt_open_ro(root, path);

	return fd < 0 ? NULL : read_fd(fd, cap, len, false, enough);
}

char *kt_read_trim(const char *root, const char *path)
{
	char *raw = kt_read_small(root, path, 1 << 16, NULL);
	char *t;
	size_t n;

	if (!raw)
		return NULL;
	t = kt_trim(raw);
	if (!*t) {
		free(raw);
		errno = ENODATA;
		return NULL;
	}
	n = strlen(t);
	memmove(raw, t, n + 1);
	return raw;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kt_dir_open(struct kt_dir *d, const char *root, const char *path)
{
	char p[4096];

	d->pos = d->len = 0;
	if (!kt_path(p, sizeof(p), root, path))
		return -1;
	d->fd = (int)syscall(SYS_openat, AT_FDCWD, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return -1;
	kt_file_opens++;
	return 0;
}

struct kt_dirent *kt_dir_next(struct kt_dir *d)
{
	struct kt_dirent *e;
	long r;

	for (;;) {
		if (d->pos >= d->len) {
			r = syscall(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
			if (r <= 0)
				return NULL;
			d->len = (size_t)r;
			d->pos = 0;
		}
		e = (struct kt_dirent *)(d->buf + d->pos);
		d->pos += e->reclen;
		if (strcmp(e->name, ".") && strcmp(e->name, ".."))
			return e;
	}
}

void kt_dir_close(struct kt_dir *d)
{
	close(d->fd);
	d->fd = -1;
}

int kt_list_dir(const char *root, const char *path, char ***names, size_t *n)
{
	struct kt_dir *d = malloc(sizeof(*d));
	struct kt_dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0;
	int e;

	*names = NULL;
	*n = 0;
	if (!d)
		return -1;
	if (kt_dir_open(d, root, path)) {
		e = errno;
		free(d);
		errno = e;
		return -1;
	}
	errno = 0;
	while ((de = kt_dir_next(d))) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		v[cnt] = strdup(de->name);
		if (!v[cnt])
			goto fail;
		cnt++;
		errno = 0;
	}
	if (errno)
		goto fail;
	kt_dir_close(d);
	free(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
fail:
	e = errno ? errno : ENOMEM;
	kt_free_list(v, cnt);
	kt_dir_close(d);
	free(d);
	errno = e;
	return -1;
}

void kt_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
