// SPDX-License-Identifier: MIT
/*
 * ktbox: one static binary, many applets.  The applet is basename(argv[0])
 * (a symlink or hard link named after it) or the first argument.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <zlib.h>

#include "applets/applets.h"
#include "lib/err.h"
#include "lib/opt.h"
#include "kt_deps_versions.h"

#ifndef KTBOX_VERSION
#define KTBOX_VERSION "0.0.0-dev"
#endif

struct applet {
	const char *name;
	int (*main)(int, char **);
	const char *summary;
};

#define KT_ENTRY(name, summary) {#name, name##_main, summary},
static const struct applet applets[] = {KT_APPLETS(KT_ENTRY)};
#undef KT_ENTRY
#define NAPPLETS (sizeof(applets) / sizeof(applets[0]))

static const struct applet *find_applet(const char *name)
{
	for (size_t i = 0; i < NAPPLETS; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}

static void usage(FILE *fp)
{
	fputs("Usage: ktbox APPLET [ARGS...]   or   APPLET [ARGS...] (via a link named APPLET)\n"
	      "       ktbox --list | --version | --install [-s] [-f] DIR | --help\n"
	      "\n"
	      "Capture tools for sched_ext scheduler tests, in one static binary.\n"
	      "\n"
	      "Applets:\n",
	      fp);
	for (size_t i = 0; i < NAPPLETS; i++)
		fprintf(fp, "  %-9s %s\n", applets[i].name, applets[i].summary);
	fputs("\n"
	      "Options:\n"
	      "  --list               print applet names, one per line\n"
	      "  --install [-s] [-f] DIR\n"
	      "                       create a hard link (-s: symlink) to ktbox per applet\n"
	      "                       in DIR; -f replaces files that are not links to ktbox\n"
	      "  --version            print versions of ktbox and its libraries\n"
	      "  --help               this text\n"
	      "\n"
	      "Run 'ktbox APPLET --help' for an applet's options.  Exit status: 0 ok,\n"
	      "1 runtime failure, 2 usage error (applets document any others).\n",
	      fp);
}

static int version(void)
{
	printf("ktbox %s\n", KTBOX_VERSION);
	printf("  musl     %s\n", KT_MUSL_VERSION);
	printf("  zlib     %s\n", zlibVersion());
	printf("  libelf   %s\n", KT_LIBELF_VERSION);
	printf("  libbpf   %s (%s)\n", KT_LIBBPF_DEBVER, libbpf_version_string());
	printf("  jemalloc %s\n", KT_JEMALLOC_VERSION);
	printf("  built from Debian sources: %s\n", KT_DEPS_DEBIAN);
	return 0;
}

/* Our own executable, for --install. */
static int self_path(char *buf, size_t size, const char *argv0)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n > 0) {
		buf[n] = '\0';
		return 0;
	}
	/* no /proc (early initramfs): trust argv[0] if it names a file */
	if (strchr(argv0, '/') && realpath(argv0, buf))
		return 0;
	errno = ENOENT;
	return -1;
}

static int install(int argc, char **argv)
{
	static const struct kt_option opts[] = {
		{NULL, 's', 0},
		{NULL, 'f', 0},
		{NULL, 0, 0},
	};
	struct kt_getopt g;
	char self[PATH_MAX], dst[PATH_MAX];
	struct stat st_self, st;
	int symbolic = 0, force = 0, c, rc = 0;
	const char *dir;

	kt_getopt_init(&g, argc, argv);
	while ((c = kt_getopt(&g, opts)) != -1) {
		if (c == 's')
			symbolic = 1;
		else if (c == 'f')
			force = 1;
		else
			return KT_EXIT_USAGE;
	}
	if (kt_noperands(&g) != 1)
		return kt_usage_err("--install takes exactly one DIR");
	dir = kt_operands(&g)[0];
	if (self_path(self, sizeof(self), argv[0]) || stat(self, &st_self))
		return kt_err("cannot find the ktbox executable");
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return kt_err("cannot install into '%s'", dir);

	for (size_t i = 0; i < NAPPLETS; i++) {
		int n = snprintf(dst, sizeof(dst), "%s/%s", dir, applets[i].name);

		if (n < 0 || (size_t)n >= sizeof(dst)) {
			rc = kt_errx("%s/%s: path too long", dir, applets[i].name);
			continue;
		}
		if (!lstat(dst, &st)) {
			struct stat tgt;
			int ours = !stat(dst, &tgt) && tgt.st_dev == st_self.st_dev &&
				   tgt.st_ino == st_self.st_ino;

			if (!ours && !force) {
				rc = kt_errx(
					"refusing to replace '%s': not a link to ktbox (use -f)",
					dst);
				continue;
			}
			if (unlink(dst)) {
				rc = kt_err("cannot remove '%s'", dst);
				continue;
			}
		}
		if (symbolic ? symlink(self, dst) : link(self, dst))
			rc = kt_err("cannot create %s '%s'", symbolic ? "symlink" : "link", dst);
	}
	return rc;
}

/* Whatever went to stdout (help, --list, an applet's output) must have
 * reached it: a full disk or a closed pipe is a failure, as for any output. */
static int finish(int rc)
{
	if (fflush(stdout) || ferror(stdout)) {
		kt_err("write error on standard output");
		return rc ? rc : KT_EXIT_FAIL;
	}
	return rc;
}

static int run_applet(const struct applet *a, int argc, char **argv)
{
	kt_prog = a->name;
	return finish(a->main(argc, argv));
}

int main(int argc, char **argv)
{
	const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;

	base = base ? base + 1 : (argv[0] ? argv[0] : "ktbox");
	a = find_applet(base);
	if (a)
		return run_applet(a, argc, argv);

	kt_prog = "ktbox";
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return finish(0);
	}
	if (!strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < NAPPLETS; i++)
			puts(applets[i].name);
		return finish(0);
	}
	if (!strcmp(argv[1], "--version"))
		return finish(version());
	if (!strcmp(argv[1], "--install"))
		return install(argc - 1, argv + 1);
	a = find_applet(argv[1]);
	if (a)
		return run_applet(a, argc - 1, argv + 1);
	if (argv[1][0] == '-')
		kt_errx("unknown option '%s'", argv[1]);
	else
		kt_errx("unknown applet '%s'", argv[1]);
	usage(stderr);
	return KT_EXIT_USAGE;
}
