// SPDX-License-Identifier: MIT
/* File helpers: root prefix, size caps, /proc files with st_size 0, trim, dir listing. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "text.h"
#include "tap.h"

static char dir[] = "/tmp/kt-file-XXXXXX";

static void put(const char *rel, const char *s)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s%s", dir, rel);
	fp = fopen(p, "w");
	fputs(s, fp);
	fclose(fp);
}

int main(void)
{
	char p[64], **names;
	size_t n, len;
	char *s;

	if (!mkdtemp(dir))
		return 1;
	is_str(kt_path(p, sizeof(p), NULL, "/proc/x"), "/proc/x", "no root");
	is_str(kt_path(p, sizeof(p), "/", "/proc/x"), "/proc/x", "root /");
	is_str(kt_path(p, sizeof(p), "/r", "/proc/x"), "/r/proc/x", "root prefix");
	ok(!kt_path(p, 8, "/rootdir", "/proc/x") && errno == ENAMETOOLONG, "too long");

	mkdir(strcat(strcpy(p, dir), "/d"), 0755);
	put("/d/b", "  two \n");
	put("/d/a", "one");
	put("/d/empty", " \n\t");
	s = kt_read_trim(dir, "/d/b");
	is_str(s, "two", "read_trim trims");
	free(s);
	ok(!kt_read_trim(dir, "/d/empty"), "read_trim: blank -> absent");
	ok(!kt_read_trim(dir, "/d/missing") && errno == ENOENT, "read_trim: missing -> ENOENT");
	ok(!kt_read_file(dir, "/d", 100, NULL), "reading a directory fails");

	s = kt_read_file(dir, "/d/b", 7, &len);
	ok(s && len == 7, "file exactly at cap reads");
	free(s);
	ok(!kt_read_file(dir, "/d/b", 6, &len) && errno == EFBIG, "file over cap -> EFBIG");

	s = kt_read_file(NULL, "/proc/self/status", 1 << 20, &len);
	ok(s && len > 100 && strstr(s, "Name:"), "procfs file with st_size 0 reads whole");
	free(s);

	ok(!kt_list_dir(dir, "/d", &names, &n) && n == 3, "list_dir count");
	ok(n == 3 && !strcmp(names[0], "a") && !strcmp(names[1], "b") && !strcmp(names[2], "empty"),
	   "list_dir sorted, no dot entries");
	kt_free_list(names, n);
	ok(kt_list_dir(dir, "/nope", &names, &n) && !names && !n, "list_dir missing fails cleanly");

	char t1[] = "\t x y \r\n";
	is_str(kt_trim(t1), "x y", "trim both ends");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return tap_done();
}
