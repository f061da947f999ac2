// SPDX-License-Identifier: MIT
/*
 * mkinitramfs: build a guest initramfs around ktbox, reproducibly.
 *
 * Writes a gzip-compressed "newc" cpio archive holding /bin/ktbox, one
 * symlink per applet (/bin/NAME -> ktbox), the directories a kernel and
 * the applets need, a /dev/console node (so init has a console before
 * devtmpfs is mounted), an optional /init and any extra files.  Same
 * inputs give a byte-identical image: entries are sorted by path, inode
 * numbers are assigned in that order, owners are 0:0, every mtime is
 * $SOURCE_DATE_EPOCH (0 when unset), and the gzip header has no name and
 * no time stamp.  Needs neither root nor a cpio tool.
 *
 * With --gen-init-cpio it prints the same tree as a gen_init_cpio list
 * (the CONFIG_INITRAMFS_SOURCE format) instead, to bake ktbox into a
 * kernel build.
 *
 * Host tool: built with the host compiler against zlib.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

enum kind { K_DIR, K_FILE, K_LINK, K_NOD };

struct entry {
	char *path;		/* inside the image, no leading '/' */
	enum kind kind;
	unsigned int mode;	/* permission bits only */
	char *src;		/* K_FILE: host file; K_LINK: link target */
	unsigned int major, minor;	/* K_NOD (char device) */
};

static struct entry *ents;
static size_t nents, cap_ents;
static const char *prog = "mkinitramfs";
static char tmp_out[PATH_MAX];	/* removed when we fail half-way */

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (tmp_out[0])
		unlink(tmp_out);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xmalloc(strlen(s) + 1), s);
}

/* "/a//b/" -> "a/b"; rejects "." and ".." components. */
static char *norm_path(const char *in)
{
	char *out = xmalloc(strlen(in) + 1), *o = out;
	const char *p = in;

	while (*p) {
		const char *s;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - s);
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			die("'%s': '.' and '..' are not allowed in image paths", in);
		if (o != out)
			*o++ = '/';
		memcpy(o, s, n);
		o += n;
	}
	*o = '\0';
	if (!*out)
		die("'%s': empty image path", in);
	return out;
}

static struct entry *find(const char *path)
{
	for (size_t i = 0; i < nents; i++)
		if (!strcmp(ents[i].path, path))
			return &ents[i];
	return NULL;
}

static void add_dir(const char *path);

/* Add or replace an entry (a later --add wins over an earlier one). */
static struct entry *add(const char *path, enum kind kind, unsigned int mode)
{
	char *slash = strrchr(path, '/');
	struct entry *e;

	if (slash) {
		char *parent = xstrdup(path);

		parent[slash - path] = '\0';
		add_dir(parent);
		free(parent);
	}
	e = find(path);
	if (e && e->kind == K_DIR && kind == K_DIR)
		return e;
	if (e && (e->kind == K_DIR || kind == K_DIR))
		die("'/%s' is added both as a directory and as a file", path);
	if (!e) {
		if (nents == cap_ents) {
			cap_ents = cap_ents ? 2 * cap_ents : 64;
			ents = realloc(ents, cap_ents * sizeof(*ents));
			if (!ents)
				die("out of memory");
		}
		e = &ents[nents++];
		memset(e, 0, sizeof(*e));
		e->path = xstrdup(path);
	}
	e->kind = kind;
	e->mode = mode;
	return e;
}

static void add_dir(const char *path)
{
	add(path, K_DIR, 0755);
}

static void add_link(const char *path, const char *target)
{
	add(path, K_LINK, 0777)->src = xstrdup(target);
}

static void add_nod(const char *path, unsigned int mode, unsigned int ma, unsigned int mi)
{
	struct entry *e = add(path, K_NOD, mode);

	e->major = ma;
	e->minor = mi;
}

/* Executable bit kept, everything else normalised: 0755 or 0644. */
static void add_file(const char *path, const char *src, const struct stat *st)
{
	add(path, K_FILE, (st->st_mode & 0111) ? 0755 : 0644)->src = xstrdup(src);
}

/* A host file, symlink or directory tree (recursively) at image path DEST. */
static void add_tree(const char *src, const char *dest)
{
	struct stat st;

	if (lstat(src, &st))
		die("cannot stat '%s': %s", src, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(src, buf, sizeof(buf) - 1);

		if (n < 0)
			die("cannot read link '%s': %s", src, strerror(errno));
		buf[n] = '\0';
		add_link(dest, buf);
	} else if (S_ISREG(st.st_mode)) {
		add_file(dest, src, &st);
	} else if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(src);
		struct dirent *de;

		if (!d)
			die("cannot open '%s': %s", src, strerror(errno));
		add_dir(dest);
		while ((de = readdir(d))) {
			char s[PATH_MAX], t[PATH_MAX];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
			snprintf(t, sizeof(t), "%s/%s", dest, de->d_name);
			add_tree(s, t);
		}
		closedir(d);
	} else {
		die("'%s': only files, symlinks and directories can be added", src);
	}
}

/* Applet names: from --applets, else one per line from `KTBOX --list`. */
static void add_applets(const char *ktbox, const char *list)
{
	char line[256];
	FILE *fp;

	if (list) {
		char *dup = xstrdup(list), *save = NULL;

		for (char *a = strtok_r(dup, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
			snprintf(line, sizeof(line), "bin/%s", a);
			add_link(norm_path(line), "ktbox");
		}
		free(dup);
		return;
	}
	snprintf(line, sizeof(line), "'%s' --list", ktbox);
	if (strchr(ktbox, '\''))
		die("'%s': quote in path", ktbox);
	fp = popen(line, "r");
	if (!fp)
		die("cannot run '%s --list': %s", ktbox, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		char path[300];

		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (strchr(line, '/') || line[0] == '.')
			die("'%s --list' printed a bad applet name '%s'", ktbox, line);
		snprintf(path, sizeof(path), "bin/%s", line);
		add_link(path, "ktbox");
	}
	if (pclose(fp))
		die("'%s --list' failed", ktbox);
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* ---- output: newc cpio through gzip ------------------------------------ */

struct out {
	z_stream z;
	FILE *fp;
	int raw;		/* --no-compress */
	unsigned long long off;	/* uncompressed offset, for padding */
	unsigned char buf[1 << 16];
};

static void out_write(struct out *o, const void *p, size_t n)
{
	o->off += n;
	if (o->raw) {
		if (fwrite(p, 1, n, o->fp) != n)
			die("write: %s", strerror(errno));
		return;
	}
	o->z.next_in = (unsigned char *)p;
	o->z.avail_in = (uInt)n;
	while (o->z.avail_in) {
		o->z.next_out = o->buf;
		o->z.avail_out = sizeof(o->buf);
		if (deflate(&o->z, Z_NO_FLUSH) == Z_STREAM_ERROR)
			die("deflate failed");
		n = sizeof(o->buf) - o->z.avail_out;
		if (fwrite(o->buf, 1, n, o->fp) != n)
			die("write: %s", strerror(errno));
	}
}

static void out_pad(struct out *o)
{
	static const char zeros[4];

	if (o->off % 4)
		out_write(o, zeros, 4 - o->off % 4);
}

static void out_finish(struct out *o)
{
	int rc;

	if (o->raw)
		return;
	do {
		size_t n;

		o->z.next_out = o->buf;
		o->z.avail_out = sizeof(o->buf);
		rc = deflate(&o->z, Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			die("deflate failed");
		n = sizeof(o->buf) - o->z.avail_out;
		if (fwrite(o->buf, 1, n, o->fp) != n)
			die("write: %s", strerror(errno));
	} while (rc != Z_STREAM_END);
	deflateEnd(&o->z);
}

static void cpio_hdr(struct out *o, unsigned long ino, unsigned int mode, unsigned int nlink,
		     unsigned long mtime, unsigned long size, unsigned int rmaj, unsigned int rmin,
		     const char *name)
{
	char h[160];
	size_t nl = strlen(name) + 1;

	/* newc fields are 8 hex digits: nothing here may exceed 32 bits */
	if (size > 0xffffffffUL || ino > 0xffffffffUL)
		die("'%s': too large for a newc archive", name);
	snprintf(h, sizeof(h), "070701%08lX%08X%08X%08X%08X%08lX%08lX%08X%08X%08X%08X%08zX%08X",
		 ino, mode, 0u, 0u, nlink, mtime, size, 0u, 0u, rmaj, rmin, nl, 0u);
	out_write(o, h, 110);
	out_write(o, name, nl);
	out_pad(o);
}

static void write_entry(struct out *o, const struct entry *e, unsigned long ino,
			unsigned long mtime)
{
	switch (e->kind) {
	case K_DIR:
		cpio_hdr(o, ino, S_IFDIR | e->mode, 2, mtime, 0, 0, 0, e->path);
		break;
	case K_NOD:
		cpio_hdr(o, ino, S_IFCHR | e->mode, 1, mtime, 0, e->major, e->minor, e->path);
		break;
	case K_LINK:
		cpio_hdr(o, ino, S_IFLNK | e->mode, 1, mtime, strlen(e->src), 0, 0, e->path);
		out_write(o, e->src, strlen(e->src));
		out_pad(o);
		break;
	case K_FILE: {
		FILE *in = fopen(e->src, "rb");
		char buf[1 << 16];
		unsigned long size = 0;
		size_t n;
		struct stat st;

		if (!in || fstat(fileno(in), &st))
			die("cannot open '%s': %s", e->src, strerror(errno));
		cpio_hdr(o, ino, S_IFREG | e->mode, 1, mtime, (unsigned long)st.st_size, 0, 0,
			 e->path);
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
			out_write(o, buf, n);
			size += n;
		}
		if (ferror(in) || size != (unsigned long)st.st_size)
			die("'%s' changed or failed while reading", e->src);
		fclose(in);
		out_pad(o);
		break;
	}
	}
}

static void write_cpio(FILE *fp, int raw, unsigned long mtime)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o)
		die("out of memory");
	o->fp = fp;
	o->raw = raw;
	/* windowBits 16+15: gzip wrapper, zlib writes mtime 0 and no name */
	if (!raw && deflateInit2(&o->z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("deflateInit2 failed");
	for (size_t i = 0; i < nents; i++)
		write_entry(o, &ents[i], (unsigned long)i + 1, mtime);
	cpio_hdr(o, 0, 0, 1, 0, 0, 0, 0, "TRAILER!!!");
	/* pad the archive to 512 bytes like cpio(1) does */
	while (o->off % 512)
		out_write(o, "", 1);
	out_finish(o);
	free(o);
}

static void write_list(FILE *fp)
{
	for (size_t i = 0; i < nents; i++) {
		const struct entry *e = &ents[i];
		char abs[PATH_MAX];

		switch (e->kind) {
		case K_DIR:
			fprintf(fp, "dir /%s %04o 0 0\n", e->path, e->mode);
			break;
		case K_NOD:
			fprintf(fp, "nod /%s %04o 0 0 c %u %u\n", e->path, e->mode, e->major,
				e->minor);
			break;
		case K_LINK:
			fprintf(fp, "slink /%s %s %04o 0 0\n", e->path, e->src, e->mode);
			break;
		case K_FILE:
			if (!realpath(e->src, abs))
				die("cannot resolve '%s': %s", e->src, strerror(errno));
			fprintf(fp, "file /%s %s %04o 0 0\n", e->path, abs, e->mode);
			break;
		}
	}
}

static void usage(FILE *fp)
{
	fputs("Usage: mkinitramfs [OPTIONS] --ktbox PATH\n"
	      "\n"
	      "Build a reproducible gzip newc cpio initramfs holding /bin/ktbox and\n"
	      "a /bin/APPLET -> ktbox symlink per applet (names from `ktbox --list`).\n"
	      "\n"
	      "  -k, --ktbox PATH       the ktbox binary (required)\n"
	      "  -o, --output FILE      write the image to FILE (default: stdout)\n"
	      "  -a, --add SRC:DEST     add a host file, symlink or directory tree at DEST\n"
	      "                         (repeatable; a later --add replaces an earlier one)\n"
	      "  -i, --init SRC         add SRC as /init\n"
	      "  -d, --dir DIR          add an empty directory (repeatable)\n"
	      "      --applets A,B,...  link these applets instead of asking ktbox --list\n"
	      "      --no-compress      write the cpio uncompressed\n"
	      "      --gen-init-cpio    print a gen_init_cpio list (CONFIG_INITRAMFS_SOURCE)\n"
	      "                         instead of an image\n"
	      "  -h, --help             this text\n"
	      "\n"
	      "Always present: /bin /dev /dev/console (c 5 1) /proc /sys /sys/fs/bpf\n"
	      "/sys/kernel/tracing /tmp.  Entries are sorted, owned by 0:0, and dated\n"
	      "$SOURCE_DATE_EPOCH (0 when unset), so equal inputs give equal images.\n",
	      fp);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "ktbox", required_argument, 0, 'k' },
		{ "output", required_argument, 0, 'o' },
		{ "add", required_argument, 0, 'a' },
		{ "init", required_argument, 0, 'i' },
		{ "dir", required_argument, 0, 'd' },
		{ "applets", required_argument, 0, 'A' },
		{ "no-compress", no_argument, 0, 'N' },
		{ "gen-init-cpio", no_argument, 0, 'G' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	const char *ktbox = NULL, *output = NULL, *init = NULL, *applets = NULL;
	char **adds = NULL, **dirs = NULL;
	int nadds = 0, ndirs = 0, raw = 0, list = 0, c;
	unsigned long mtime = 0;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	static const char *const base_dirs[] = {
		"bin", "dev", "proc", "sys", "sys/fs/bpf", "sys/kernel/tracing", "tmp",
	};

	adds = xmalloc(sizeof(char *) * (size_t)argc);
	dirs = xmalloc(sizeof(char *) * (size_t)argc);
	while ((c = getopt_long(argc, argv, "k:o:a:i:d:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'k': ktbox = optarg; break;
		case 'o': output = optarg; break;
		case 'a': adds[nadds++] = optarg; break;
		case 'i': init = optarg; break;
		case 'd': dirs[ndirs++] = optarg; break;
		case 'A': applets = optarg; break;
		case 'N': raw = 1; break;
		case 'G': list = 1; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			return 2;
		}
	}
	if (optind != argc || !ktbox) {
		fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog,
			optind != argc ? "unexpected operand" : "--ktbox PATH is required", prog);
		return 2;
	}
	if (sde && *sde) {
		char *end;

		errno = 0;
		mtime = strtoul(sde, &end, 10);
		if (errno || *end || mtime > 0xffffffffUL)
			die("bad SOURCE_DATE_EPOCH '%s'", sde);
	}

	for (size_t i = 0; i < sizeof(base_dirs) / sizeof(base_dirs[0]); i++)
		add_dir(base_dirs[i]);
	add_nod("dev/console", 0600, 5, 1);
	{
		struct stat st;

		if (stat(ktbox, &st) || !S_ISREG(st.st_mode))
			die("'%s': not a file", ktbox);
		add_file("bin/ktbox", ktbox, &st);
	}
	add_applets(ktbox, applets);
	for (int i = 0; i < ndirs; i++)
		add_dir(norm_path(dirs[i]));
	if (init)
		add_tree(init, "init");
	for (int i = 0; i < nadds; i++) {
		char *sep = strrchr(adds[i], ':');

		if (!sep || sep == adds[i] || !sep[1])
			die("--add '%s': expected SRC:DEST", adds[i]);
		*sep = '\0';
		add_tree(adds[i], norm_path(sep + 1));
	}
	qsort(ents, nents, sizeof(*ents), cmp_ent);

	FILE *fp = stdout;

	if (output) {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s.tmp", output);
		fp = fopen(tmp, "wb");
		if (!fp)
			die("cannot create '%s': %s", tmp, strerror(errno));
		strcpy(tmp_out, tmp);
	} else if (!list && !raw && isatty(1)) {
		die("refusing to write a compressed image to a terminal (use -o FILE)");
	}
	if (list)
		write_list(fp);
	else
		write_cpio(fp, raw, mtime);
	if (fflush(fp) || ferror(fp))
		die("write: %s", strerror(errno));
	if (output) {
		if (fsync(fileno(fp)) || fclose(fp) || rename(tmp_out, output))
			die("cannot write '%s': %s", output, strerror(errno));
		tmp_out[0] = '\0';
	}
	return 0;
}
