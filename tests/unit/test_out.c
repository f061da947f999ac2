// SPDX-License-Identifier: MIT
/* Atomic writer: success path, and the target untouched on every failure. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"

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

static bool mode_is(const char *p, mode_t want)
{
	struct stat st;

	return !lstat(p, &st) && (st.st_mode & 07777) == want;
}

/* The sink: streams written directly, modes kept, nothing left behind. */
static void sinks(void)
{
	char p[512], q[512], name[256];
	struct kt_out o;
	struct stat st;
	pid_t pid;
	int status, base;

	snprintf(p, sizeof(p), "%s/keep", dir);
	FILE *fp = fopen(p, "w");
	fputs("old", fp);
	fclose(fp);
	chmod(p, 0600);
	base = count_entries();
	ok(!kt_out_open(&o, p), "sink over a 0600 file");
	is_int(count_entries(), base, "while writing: no named temporary (O_TMPFILE)");
	fputs("new", o.fp);
	ok(!kt_out_close(&o, 1), "commit");
	ok(mode_is(p, 0600), "the replaced file keeps its mode 0600");
	is_int(count_entries(), base, "nothing left behind");

	memset(name, 'n', 250);
	name[250] = 0;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ok(!kt_out_open(&o, p), "a 250-byte name (the temporary's must still fit)");
	fputs("x", o.fp);
	ok(!kt_out_close(&o, 1) && !access(p, F_OK), "... written");
	unlink(p);

	ok(kt_out_open(&o, "") == KT_EXIT_FAIL, "an empty name is refused");
	ok(kt_out_open(&o, dir) == KT_EXIT_FAIL, "a directory is refused");

	ok(!kt_out_open(&o, "/dev/full"), "/dev/full opens as a stream");
	for (int i = 0; i < 10000; i++)
		fputs("0123456789", o.fp);
	ok(kt_out_close(&o, 1) == KT_EXIT_FAIL, "... and its ENOSPC is an error");
	ok(!stat("/dev/full", &st) && S_ISCHR(st.st_mode), "/dev/full is still a device");

	snprintf(p, sizeof(p), "%s/null", dir);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3))) {
		tap_skip("mknod needs root");
	} else {
		ok(!kt_out_open(&o, p) && !kt_out_close(&o, 1), "a device node is written");
		ok(!lstat(p, &st) && S_ISCHR(st.st_mode), "... and not replaced by a file");
		snprintf(q, sizeof(q), "%s/tonull", dir);
		if (!symlink(p, q)) {
			ok(!kt_out_open(&o, q) && !kt_out_close(&o, 1), "a link to a device");
			ok(!lstat(q, &st) && S_ISLNK(st.st_mode), "... is written through, kept");
			unlink(q);
		}
		unlink(p);
	}

	snprintf(p, sizeof(p), "%s/fifo", dir);
	if (mkfifo(p, 0600))
		return;
	ok(kt_out_open(&o, p) == KT_EXIT_FAIL, "a FIFO with no reader: an error, not a wait");
	int rd = open(p, O_RDONLY | O_NONBLOCK);
	ok(rd >= 0 && !kt_out_open(&o, p), "a FIFO with a reader opens");
	fputs("via fifo", o.fp);
	ok(!kt_out_close(&o, 1), "... is written");
	char b[16] = {0};
	ok(read(rd, b, sizeof(b) - 1) == 8 && !strcmp(b, "via fifo"), "... the reader gets it");
	ok(!lstat(p, &st) && S_ISFIFO(st.st_mode), "... and stays a FIFO");
	close(rd);
	unlink(p);

	/* SIGKILL mid-write leaves nothing */
	snprintf(p, sizeof(p), "%s/killed", dir);
	pid = fork();
	if (!pid) {
		if (kt_out_open(&o, p))
			_exit(1);
		fputs("partial", o.fp);
		fflush(o.fp);
		raise(SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && access(p, F_OK), "killed mid-write: no target created");
	is_int(count_entries(), base, "killed mid-write: no temporary left");
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
	struct rlimit rl, lim = {4096, 4096};
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

	sinks();

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
