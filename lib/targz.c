// SPDX-License-Identifier: MIT
/* The deterministic tar.gz writer (see targz.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "targz.h"

static void octal(unsigned char *f, size_t w, uint64_t v)
{
	/* W-1 digits and a NUL */
	f[w - 1] = 0;
	for (size_t i = w - 1; i-- > 0;) {
		f[i] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

int kt_tar_header(unsigned char blk[512], const char *name, uint64_t size, int is_dir)
{
	char full[256 + 2];
	size_t n = (size_t)snprintf(full, sizeof(full), "%s%s", name, is_dir ? "/" : "");
	unsigned sum = 0;
	size_t split = 0;

	memset(blk, 0, 512);
	if (n >= sizeof(full) - 1 || size >= 1ull << 33)
		return -1;
	if (n > 100) { /* prefix/name at a '/' */
		for (size_t i = n - 1; i > 0; i--)
			if (full[i] == '/' && i <= 155 && n - i - 1 <= 100 && n - i - 1 > 0) {
				split = i;
				break;
			}
		if (!split)
			return -1;
		memcpy(blk + 345, full, split);
		memcpy(blk, full + split + 1, n - split - 1);
	} else {
		memcpy(blk, full, n);
	}
	octal(blk + 100, 8, is_dir ? 0755 : 0644);
	octal(blk + 108, 8, 0);
	octal(blk + 116, 8, 0);
	octal(blk + 124, 12, is_dir ? 0 : size);
	octal(blk + 136, 12, 0);
	blk[156] = is_dir ? '5' : '0';
	memcpy(blk + 257, "ustar", 6);
	memcpy(blk + 263, "00", 2);
	memset(blk + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += blk[i];
	octal(blk + 148, 7, sum);
	blk[155] = ' ';
	return 0;
}

struct gz {
	z_stream z;
	FILE *fp;
	unsigned char out[65536];
	int err;
};

static int gz_put(struct gz *g, const void *p, size_t n, int flush)
{
	g->z.next_in = (unsigned char *)p;
	g->z.avail_in = (uInt)n;
	do {
		int r;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		r = deflate(&g->z, flush);
		if (r == Z_STREAM_ERROR) {
			errno = EIO;
			return -1;
		}
		size_t have = sizeof(g->out) - g->z.avail_out;
		if (have && fwrite(g->out, 1, have, g->fp) != have)
			return -1;
		if (flush == Z_FINISH && r == Z_STREAM_END)
			break;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH));
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_tree(struct gz *g, const char *dir, const char *rel);

static int add_file(struct gz *g, const char *path, const char *rel, const struct stat *st)
{
	unsigned char blk[512], buf[65536];
	uint64_t left = (uint64_t)st->st_size;
	int fd, rc = -1;

	if (kt_tar_header(blk, rel, left, 0)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (gz_put(g, blk, 512, Z_NO_FLUSH))
		goto out;
	while (left) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n <= 0) {
			if (!n)
				errno = EIO; /* shrank while archived */
			goto out;
		}
		if (gz_put(g, buf, (size_t)n, Z_NO_FLUSH))
			goto out;
		left -= (uint64_t)n;
	}
	memset(blk, 0, sizeof(blk));
	if (st->st_size % 512 && gz_put(g, blk, 512 - (size_t)(st->st_size % 512), Z_NO_FLUSH))
		goto out;
	rc = 0;
out:
	close(fd);
	return rc;
}

static int add_tree(struct gz *g, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	unsigned char blk[512];
	int rc = -1;

	if (!d)
		return -1;
	if (kt_tar_header(blk, rel, 0, 1) || gz_put(g, blk, 512, Z_NO_FLUSH))
		goto out;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn)
				goto out;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto out;
		n++;
	}
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096], r2[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(r2, sizeof(r2), "%s/%s", rel, names[i]);
		if (lstat(path, &st))
			goto out;
		if (S_ISDIR(st.st_mode)	  ? add_tree(g, path, r2)
		    : S_ISREG(st.st_mode) ? add_file(g, path, r2, &st)
					  : 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int kt_targz_dir(const char *dir, const char *top, FILE *fp)
{
	struct gz *g = calloc(1, sizeof(*g));
	unsigned char zero[1024] = {0};
	int rc = -1;

	if (!g)
		return -1;
	g->fp = fp;
	/* windowBits 16+15: a gzip wrapper; zlib's header has mtime 0, no name */
	if (deflateInit2(&g->z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(g);
		errno = ENOMEM;
		return -1;
	}
	if (!add_tree(g, dir, top) && !gz_put(g, zero, sizeof(zero), Z_FINISH))
		rc = 0;
	deflateEnd(&g->z);
	free(g);
	return rc;
}
