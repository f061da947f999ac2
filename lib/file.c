// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

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

char *kt_read_file(const char *root, const char *path, size_t cap, size_t *len)
{
	char p[4096];
	size_t cap_alloc = 4096, n = 0;
	char *buf = NULL, *nb;
	int fd, e;

	if (!kt_path(p, sizeof(p), root, path))
		return NULL;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	kt_file_opens++;
	if (cap_alloc > cap + 1)
		cap_alloc = cap + 1;
	for (;;) {
		ssize_t r;

		if (!buf || n + 1 >= cap_alloc) {
			if (buf)
				cap_alloc = cap_alloc * 2 > cap + 1 ? cap + 1 : cap_alloc * 2;
			nb = realloc(buf, cap_alloc);
			if (!nb)
				goto fail;
			buf = nb;
		}
		if (n >= cap) {
			/* at the cap: one more byte means too big */
			char c;

			r = read(fd, &c, 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				goto fail;
			if (r > 0) {
				errno = EFBIG;
				goto fail;
			}
			break;
		}
		r = read(fd, buf + n, cap_alloc - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *kt_trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

char *kt_read_trim(const char *root, const char *path)
{
	char *raw = kt_read_file(root, path, 1 << 16, NULL);
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

int kt_list_dir(const char *root, const char *path, char ***names, size_t *n)
{
	char p[4096];
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, cap = 0;
	int e;

	*names = NULL;
	*n = 0;
	if (!kt_path(p, sizeof(p), root, path))
		return -1;
	d = opendir(p);
	if (!d)
		return -1;
	kt_file_opens++;
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt])
			goto fail;
		cnt++;
		errno = 0;
	}
	if (errno)
		goto fail;
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
fail:
	e = errno ? errno : ENOMEM;
	kt_free_list(v, cnt);
	closedir(d);
	errno = e;
	return -1;
}

void kt_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
