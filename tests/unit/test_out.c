// SPDX-License-Identifier: MIT
/* Atomic writer: success path, and the target untouched on every failure. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "file.h"
#include "tap.h"

static char dir[] = "/tmp/kt-atomic-XXXXXX";

static char *slurp(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return kt_read_file(NULL, p, 1 << 24, NULL);
}

static int count_entries(void)
{
	char **names;
	size_t n;

	if (kt_list_dir(NULL, dir, &names, &n))
		return -1;
	kt_free_list(names, n);
	return (int)n;
}

int main(void)
{
	struct kt_atomic a;
	char path[256];
	char *s;
	struct stat st;
	mode_t old;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/out.json", dir);

	old = umask(022);
	ok(!kt_atomic_open(&a, path), "open");
	fputs("first", a.fp);
	ok(!kt_atomic_commit(&a), "commit");
	s = slurp("out.json");
	is_str(s, "first", "content written");
	free(s);
	ok(!stat(path, &st) && (st.st_mode & 0777) == 0644, "mode 0644 minus umask 022");
	is_int(count_entries(), 1, "no temporary left behind");

	/* abort leaves the old content */
	ok(!kt_atomic_open(&a, path), "open again");
	fputs("second", a.fp);
	kt_atomic_abort(&a);
	s = slurp("out.json");
	is_str(s, "first", "abort: target unchanged");
	free(s);
	is_int(count_entries(), 1, "abort: temporary removed");

	/* a write that fails midway (file size limit -> EFBIG, like ENOSPC) */
	struct rlimit rl, lim = { 4096, 4096 };
	getrlimit(RLIMIT_FSIZE, &rl);
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	ok(!kt_atomic_open(&a, path), "open under a 4 KiB file size limit");
	for (int i = 0; i < 2000; i++)
		fputs("0123456789", a.fp);
	errno = 0;
	ok(kt_atomic_commit(&a) == -1 && errno == EFBIG, "commit reports the failed write (EFBIG)");
	lim.rlim_cur = lim.rlim_max = rl.rlim_max;
	setrlimit(RLIMIT_FSIZE, &rl);
	s = slurp("out.json");
	is_str(s, "first", "failed write: target unchanged");
	free(s);
	is_int(count_entries(), 1, "failed write: temporary removed");

	/* directory we cannot create in: /proc/self is not writable even by root */
	ok(kt_atomic_open(&a, "/proc/self/kt-out") == -1, "unwritable directory fails at open");
	ok(kt_atomic_open(&a, "/nonexistent-dir/x") == -1 && errno == ENOENT, "missing directory");
	snprintf(path, sizeof(path), "%s/", dir);
	ok(kt_atomic_open(&a, path) == -1 && errno == EISDIR, "path ending in / refused");

	/* a symlink at the target is replaced, not followed */
	char link[256], victim[256];
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	FILE *fp = fopen(victim, "w");
	fputs("keep", fp);
	fclose(fp);
	if (symlink(victim, link))
		return 1;
	ok(!kt_atomic_open(&a, link), "open over a symlink");
	fputs("new", a.fp);
	ok(!kt_atomic_commit(&a), "commit over a symlink");
	s = slurp("victim");
	is_str(s, "keep", "symlink target not written through");
	free(s);
	umask(old);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
