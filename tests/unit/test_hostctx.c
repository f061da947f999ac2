// SPDX-License-Identifier: MIT
/* hostctx: pure parsers, collection on fixture trees, caching, output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "file.h"
#include "hostctx.h"
#include "tap.h"

extern int mallctl(const char *, void *, size_t *, void *, size_t) __attribute__((weak));

static char fixdir[1024];

static const char *fixture(const char *name)
{
	static char p[1100];

	snprintf(p, sizeof(p), "%s/%s", fixdir, name);
	return p;
}

static char *slurp(const char *path)
{
	return kt_read_file(NULL, path, 1 << 20, NULL);
}

/* ---- numbers, text ----------------------------------------------------- */

static void test_u64(void)
{
	static const struct {
		const char *s;
		int ok;
		uint64_t v;
	} t[] = {
		{"0", 1, 0},
		{"42", 1, 42},
		{"+7", 1, 7},
		{"18446744073709551615", 1, UINT64_MAX},
		{"18446744073709551616", 0, 0},
		{"99999999999999999999", 0, 0},
		{"-1", 0, 0},
		{"-0", 0, 0},
		{" 1", 0, 0},
		{"1 ", 0, 0},
		{"", 0, 0},
		{"+", 0, 0},
		{"++1", 0, 0},
		{"0x10", 0, 0},
		{"1e3", 0, 0},
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = hc_parse_u64(t[i].s, strlen(t[i].s), &v);

		ok(t[i].ok ? !r && v == t[i].v : r == -1, "u64 '%s' %s", t[i].s,
		   t[i].ok ? "parses" : "is rejected");
	}
}

static void test_trim(void)
{
	const char *s = "\xc2\xa0\t x y \xe3\x80\x80\r\n";
	char *d = hc_trimmed_dup(s, strlen(s));

	is_str(d, "x y", "trim strips Unicode White_Space (NBSP, ideographic space)");
	free(d);
	ok(!hc_trimmed_dup(" \n\t", 3), "all-whitespace trims to absent");
	ok(!hc_trimmed_dup("a\xff", 2), "invalid UTF-8 is absent (read_to_string fails)");
	ok(!hc_utf8_valid("\xed\xa0\x80", 3), "surrogate in UTF-8 rejected");
	ok(!hc_utf8_valid("\xc0\x80", 2), "overlong rejected");
	ok(hc_utf8_valid("\xf0\x9f\x98\x80", 4), "4-byte sequence accepted");
	ok(!hc_utf8_valid("a\0b", 3), "NUL byte: treated as not text");
}

/* ---- cpuinfo, meminfo ---------------------------------------------------- */

static void cpuinfo_case(const char *text, const char *model, const char *vendor, const char *what)
{
	char *m, *v;

	hc_parse_cpuinfo(text, strlen(text), &m, &v);
	is_str(m, model, "cpuinfo %s: model", what);
	is_str(v, vendor, "cpuinfo %s: vendor", what);
	free(m);
	free(v);
}

static void test_cpuinfo(void)
{
	cpuinfo_case("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\n\n"
		     "processor\t: 1\nvendor_id\t: Other\nmodel name\t: Other\n",
		     "Xeon", "GenuineIntel", "x86");
	cpuinfo_case("processor\t: 0\nCPU implementer\t: 0x41\n\nmodel name\t: late\n", NULL, NULL,
		     "ARM (stops at the first blank line)");
	cpuinfo_case("model name\t:\nmodel name\t: Second\nvendor_id: :odd: \n", "Second",
		     ":odd:", "empty value skipped, split at the first colon");
	cpuinfo_case("model name\t: A\nmodel name\t: B\n", "A", NULL, "first occurrence wins");
	cpuinfo_case("vendor_id\t: V\r\n\r\nmodel name\t: M\r\n", NULL, "V",
		     "CRLF blank line ends the block");
	cpuinfo_case("model name: \xff\n", NULL, NULL, "invalid UTF-8 in the block");
	cpuinfo_case("model name: ok\n\n\xff\n", "ok", NULL,
		     "invalid UTF-8 after the block is never read");
	cpuinfo_case("", NULL, NULL, "empty file");
	cpuinfo_case("vendor_id: V\n\r", NULL, "V", "a bare final \\r is not a line ending");
	{
		char *m, *v;

		hc_parse_cpuinfo("vendor_id: \0x\n", 14, &m, &v);
		ok(!m && !v, "cpuinfo: NUL byte in the block -> absent");
	}
	ok(hc_cpuinfo_block_done("a: b\n\n", 6), "block done at a complete empty line");
	ok(!hc_cpuinfo_block_done("a: b\n", 5), "block not done without one");
	ok(!hc_cpuinfo_block_done("a: b\n\r", 6), "a lone \\r may still become a line");
}

static void test_meminfo(void)
{
	const char *t = "MemTotal:  100 kB\nHugePages_Total:  -1\nHugePages_Free: +3\n"
			"Garbage line\nHugepagesize: 4 kB\nHugepagesize: 2048 kB\n"
			"MemFree: 18446744073709551616 kB\n: 5\nHugePages_Total:\n";
	struct hc_meminfo m;

	hc_parse_meminfo(t, strlen(t), &m);
	ok(m.has & HC_TOTAL_MEMORY && m.mem_total_kib == 100, "MemTotal");
	ok(!(m.has & HC_HP_TOTAL), "HugePages_Total '-1' and empty are skipped");
	ok(m.has & HC_HP_FREE && m.hugepages_free == 3, "'+3' parses like Rust");
	ok(m.has & HC_HP_SIZE && m.hugepages_size_kib == 2048, "last Hugepagesize wins");
	hc_parse_meminfo("MemTotal: 5 kB\n\xfe\n", 16, &m);
	ok(!m.has, "invalid UTF-8 anywhere: nothing parsed");
	hc_parse_meminfo("MemTotal:\xc2\xa0"
			 "77 kB",
			 13, &m);
	ok(m.has & HC_TOTAL_MEMORY && m.mem_total_kib == 77, "Unicode whitespace splits tokens");
}

/* ---- cpu lists, THP, delayacct --------------------------------------------- */

static void cpulist_case(const char *s, const char *want)
{
	char got[512] = "";
	uint64_t *v;
	size_t n;

	if (hc_parse_cpulist(s, strlen(s), &v, &n)) {
		snprintf(got, sizeof(got), "error");
	} else {
		for (size_t i = 0; i < n; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%llu",
				 i ? " " : "", (unsigned long long)v[i]);
		free(v);
	}
	char name[64];
	size_t k = 0;

	for (const char *q = s; *q && k + 3 < sizeof(name); q++)
		if (*q == '\n') {
			name[k++] = '\\';
			name[k++] = 'n';
		} else {
			name[k++] = *q;
		}
	name[k] = '\0';
	is_str(got, want, "cpulist '%s'", name);
}

static void test_cpulist(void)
{
	cpulist_case("0", "0");
	cpulist_case("0-3,5\n", "0 1 2 3 5");
	cpulist_case("8-11,0-3", "0 1 2 3 8 9 10 11");
	cpulist_case("0,0-1,1", "0 1");
	cpulist_case("3-0", "error");
	cpulist_case("", "error");
	cpulist_case(" \n", "error");
	cpulist_case("0,,1", "error");
	cpulist_case("0,", "error");
	cpulist_case("1-", "error");
	cpulist_case("-1", "error");
	cpulist_case("a-b", "error");
	cpulist_case("0 - 3", "error");
	cpulist_case("0-3-5", "error");
	cpulist_case("0-99999999", "error");
	cpulist_case("18446744073709551616", "error");
}

static void thp_case(const char *s, const char *want)
{
	size_t n;
	const char *t = hc_thp_active(s, &n);
	char got[128] = "(none)";

	if (t)
		snprintf(got, sizeof(got), "%.*s", (int)n, t);
	is_str(got, want, "THP active of '%s'", s ? s : "(null)");
}

static void test_thp_delayacct(void)
{
	thp_case("always [madvise] never", "madvise");
	thp_case("always defer defer+madvise [madvise] never", "madvise");
	thp_case("always madvise never", "(none)");
	thp_case("[always] madvise [never]", "always");
	thp_case("a ] b [c]", "c");
	thp_case("open [only", "(none)");
	thp_case("[]", "");
	thp_case(NULL, "(none)");
	ok(hc_delayacct_from(NULL) == HC_DA_CONFIG_OFF, "delayacct absent/empty: config_off");
	ok(hc_delayacct_from("1") == HC_DA_ON, "delayacct 1: on");
	ok(hc_delayacct_from("0") == HC_DA_RUNTIME_OFF, "delayacct 0: runtime_off");
	ok(hc_delayacct_from("2") == HC_DA_RUNTIME_OFF, "delayacct other: runtime_off");
}

/* ---- kconfig ---------------------------------------------------------------- */

static size_t gz(const char *text, size_t n, unsigned char *out, size_t cap)
{
	z_stream zs = {0};
	size_t len;

	deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (unsigned char *)text;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	len = cap - zs.avail_out;
	deflateEnd(&zs);
	return len;
}

static void test_kconfig(void)
{
	static const struct {
		const char *t;
		enum hc_xacct want;
		const char *what;
	} c[] = {
		{"CONFIG_A=y\nCONFIG_TASK_XACCT=y\n", HC_XA_ON, "=y"},
		{"# CONFIG_TASK_XACCT is not set\n", HC_XA_OFF, "is not set"},
		{"# CONFIG_TASK_XACCT is not set\nCONFIG_TASK_XACCT=y", HC_XA_ON,
		 "on wins over an earlier off"},
		{"CONFIG_TASK_XACCT=m\nCONFIG_TASK_XACCT_X=y\n", HC_XA_UNKNOWN,
		 "no whole-line match"},
		{"  CONFIG_TASK_XACCT=y \t\r\n", HC_XA_ON, "trimmed line"},
		{"\xc2\xa0"
		 "CONFIG_TASK_XACCT=y\xe3\x80\x80\n",
		 HC_XA_ON, "Unicode-trimmed line"},
		{"#CONFIG_TASK_XACCT is not set\n", HC_XA_UNKNOWN, "off needs the exact comment"},
		{"", HC_XA_UNKNOWN, "empty"},
		{"# CONFIG_TASK_XACCT is not set\n\xff\n", HC_XA_UNKNOWN, "not UTF-8"},
		{"# CONFIG_TASK_XACCT is not set\n\xe2\x82", HC_XA_UNKNOWN, "truncated UTF-8"},
	};
	unsigned char buf[4096], big[1 << 16];
	char text[1 << 15];
	size_t n;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ok(hc_kconfig_text(c[i].t, strlen(c[i].t)) == c[i].want, "kconfig text: %s",
		   c[i].what);
		n = gz(c[i].t, strlen(c[i].t), buf, sizeof(buf));
		ok(hc_kconfig_gz(buf, n) == c[i].want, "kconfig gz: %s", c[i].what);
	}
	/* a long line, and a config bigger than one inflate chunk */
	memset(text, 'x', sizeof(text));
	memcpy(text + sizeof(text) - 32, "\n# CONFIG_TASK_XACCT is not set\n", 32);
	n = gz(text, sizeof(text), big, sizeof(big));
	ok(hc_kconfig_gz(big, n) == HC_XA_OFF, "kconfig gz: off after a 32 KiB line");
	ok(hc_kconfig_gz(big, n / 2) == HC_XA_UNKNOWN, "kconfig gz: truncated stream is unknown");
	memcpy(big + 20, "\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
	ok(hc_kconfig_gz(big, n) == HC_XA_UNKNOWN, "kconfig gz: corrupt stream is unknown");
	ok(hc_kconfig_gz("CONFIG_TASK_XACCT=y\n", 20) == HC_XA_UNKNOWN,
	   "kconfig gz: plain text is not gzip");
	ok(hc_kconfig_gz("", 0) == HC_XA_UNKNOWN, "kconfig gz: empty file");
	/* streaming: the answer is known at the "on" line; the rest is never inflated */
	n = gz("CONFIG_TASK_XACCT=y\n", 20, buf, sizeof(buf));
	ok(hc_kconfig_gz(buf, n - 8) == HC_XA_ON,
	   "kconfig gz: stops at the on line (trailer never needed)");
	n = gz("# CONFIG_TASK_XACCT is not set\n", 31, buf, sizeof(buf));
	ok(hc_kconfig_gz(buf, n - 8) == HC_XA_UNKNOWN,
	   "kconfig gz: off needs the whole (valid) stream");
}

/* ---- collection on fixture trees ------------------------------------------ */

static void collect_root(const char *root, struct hostctx *c)
{
	struct hc_collector col;

	hc_collector_init(&col, root);
	col.use_heap = false;
	hc_collect(&col, c);
	hc_collector_free(&col);
}

static void golden(const char *name)
{
	char path[1200], *want;
	struct kt_buf b = {0};
	struct hostctx c;
	struct jw w;

	collect_root(fixture(name), &c);
	snprintf(path, sizeof(path), "%s.human", fixture(name));
	want = slurp(path);
	hc_human(&b, &c);
	is_str(b.p, want, "%s: format_human matches the golden file", name);
	free(want);
	kt_buf_reset(&b);
	snprintf(path, sizeof(path), "%s.json", fixture(name));
	want = slurp(path);
	jw_init_buf(&w, &b, 0);
	hc_json(&w, &c);
	jw_newline(&w);
	is_str(b.p, want, "%s: JSON matches the golden file", name);
	free(want);
	kt_buf_free(&b);
	hc_free(&c);
}

/* A gzip bomb: the answer after 64 MiB of padding is not looked for. */
static void test_kconfig_bomb(void)
{
	static const char tail[] = "CONFIG_TASK_XACCT=y\n";
	size_t pad = 64u << 20, cap = compressBound(pad) + 1024;
	unsigned char *gz = malloc(cap), *txt = malloc(pad + sizeof(tail));
	z_stream zs = {0};

	if (!gz || !txt ||
	    deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	memset(txt, '#', pad);
	for (size_t i = 79; i < pad; i += 80)
		txt[i] = '\n';
	memcpy(txt + pad, tail, sizeof(tail) - 1);
	zs.next_in = txt;
	zs.avail_in = (uInt)(pad + sizeof(tail) - 1);
	zs.next_out = gz;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	is_int(hc_kconfig_gz(gz, zs.total_out), HC_XA_UNKNOWN,
	       "config.gz inflating past the cap (%lu KiB -> 64 MiB): unknown, not read to the end",
	       zs.total_out >> 10);
	deflateEnd(&zs);
	memcpy(txt, tail, sizeof(tail) - 1);
	is_int(hc_kconfig_text((char *)txt, 4096), HC_XA_ON, "the answer near the start is found");
	free(gz);
	free(txt);
}

static void test_fixtures(void)
{
	struct hostctx c;

	golden("x86");
	golden("arm");
	collect_root(fixture("x86"), &c);
	ok(c.ntunables == 2 && !strcmp(c.tunables[0].key, "sched_latency_ns") &&
		   !strcmp(c.tunables[1].key, "sched_migration_cost_ns"),
	   "tunables: regular sched_* files only (no dir, symlink, empty, other names)");
	ok(c.online_cpus == 4 && c.numa_nodes == 2, "x86: 4 CPUs on 2 nodes");
	ok(c.ngov == 4 && !strcmp(c.gov[3].gov, "powersave"), "x86: per-CPU governors");
	hc_free(&c);
	collect_root(fixture("arm"), &c);
	ok(!c.cpu_vendor && !c.cpu_model, "arm: no vendor_id, empty model name skipped");
	ok(c.online_cpus == 4 && c.numa_nodes == 3, "arm: sparse node ids 4,4,0,9 -> 3 nodes");
	ok(c.ngov == 2 && c.gov[0].cpu == 1 && c.gov[1].cpu == 8,
	   "arm: governors of CPUs that have one, numeric order");
	ok(!c.kernel_cmdline, "arm: whitespace-only cmdline is absent");
	ok(c.config_task_xacct == HC_XA_UNKNOWN, "arm: no config.gz -> unknown");
	hc_free(&c);
}

/* ---- runtime trees: one failed read at a time ------------------------------ */

static char tmproot[256];

static void put(const char *rel, const char *content)
{
	char p[1024], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", tmproot, rel);
	for (s = p + strlen(tmproot) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static void rm_rf(const char *p)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	if (system(cmd))
		return;
}

static void make_tree(void)
{
	strcpy(tmproot, "/tmp/hostctx-test.XXXXXX");
	if (!mkdtemp(tmproot))
		abort();
	put("/proc/cpuinfo", "vendor_id: V\nmodel name: M\n\n");
	put("/proc/meminfo",
	    "MemTotal: 10 kB\nHugePages_Total: 2\nHugePages_Free: 1\nHugepagesize: 2048 kB\n");
	put("/proc/cmdline", "quiet\n");
	put("/proc/sys/kernel/ostype", "Linux\n");
	put("/proc/sys/kernel/osrelease", "6.0\n");
	put("/proc/sys/kernel/arch", "x86_64\n");
	put("/proc/sys/kernel/task_delayacct", "1\n");
	put("/proc/sys/kernel/sched_x", "1\n");
	put("/sys/kernel/mm/transparent_hugepage/enabled", "[always] never\n");
	put("/sys/kernel/mm/transparent_hugepage/defrag", "[never]\n");
	put("/sys/devices/system/cpu/online", "0-1\n");
	put("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
	put("/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n");
}

/* Replace REL by a directory (unreadable as a file, even for root). */
static void break_file(const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s%s", tmproot, rel);
	rm_rf(p);
	mkdir(p, 0755);
}

static int count_lines(const char *s)
{
	int n = 0;

	while (s && (s = strchr(s, '\n'))) {
		n++;
		s++;
	}
	return n;
}

static void test_failures(void)
{
	static const struct {
		const char *rel;
		const char *what;
		int lines;
	} f[] = {
		{"/proc/cpuinfo", "cpu", 2},
		{"/proc/meminfo", "mem", 4},
		{"/proc/cmdline", "cmdline", 1},
		{"/proc/sys/kernel/task_delayacct", "delayacct", 1},
		{"/sys/kernel/mm/transparent_hugepage/enabled", "thp_enabled", 1},
		{"/sys/kernel/mm/transparent_hugepage/defrag", "thp_defrag", 1},
		{"/sys/devices/system/cpu/online", "online", 4},
		{"/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "gov1", 1},
		{"/proc/sys/kernel/osrelease", "osrelease", 1},
		{"/proc/sys/kernel/sched_x", "sched_x", 1},
	};
	struct hostctx base, c;
	struct kt_buf b = {0};
	char p[1024];

	make_tree();
	collect_root(tmproot, &base);
	ok(base.cpu_model && base.has & HC_HP_TOTAL && base.kernel_cmdline && base.thp_enabled &&
		   base.ngov == 2 && base.task_delayacct == HC_DA_ON,
	   "runtime tree: full baseline");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rm_rf(tmproot);
		make_tree();
		break_file(f[i].rel);
		collect_root(tmproot, &c);
		kt_buf_reset(&b);
		hc_diff(&b, &base, &c);
		printf("# %s unreadable:\n", f[i].what);
		for (char *l = b.p, *e; l && *l; l = e + 1) {
			e = strchr(l, '\n');
			printf("#%.*s\n", (int)(e - l), l);
		}
		if (!strcmp(f[i].what, "cpu"))
			ok(!c.cpu_model && !c.cpu_vendor && c.has & HC_TOTAL_MEMORY,
			   "cpuinfo unreadable drops CPU identity only");
		else if (!strcmp(f[i].what, "mem"))
			ok(!(c.has & (HC_TOTAL_MEMORY | HC_HP_TOTAL | HC_HP_FREE | HC_HP_SIZE)) &&
				   c.cpu_model,
			   "meminfo unreadable drops the four meminfo fields only");
		else if (!strcmp(f[i].what, "delayacct"))
			ok(c.task_delayacct == HC_DA_ABSENT,
			   "task_delayacct unreadable: absent (cannot be known), not config_off");
		else if (!strcmp(f[i].what, "online"))
			ok(!(c.has & (HC_ONLINE_CPUS | HC_NUMA_NODES)) && !c.ngov && c.cpu_model,
			   "online unreadable drops online_cpus, numa_nodes, governors");
		else if (!strcmp(f[i].what, "gov1"))
			ok(c.ngov == 1 && c.gov[0].cpu == 0,
			   "one governor unreadable drops that CPU only");
		else if (!strcmp(f[i].what, "osrelease"))
			ok(!c.kernel_release && c.kernel_name && !strcmp(c.kernel_name, "Linux"),
			   "--root without osrelease: kernel_release absent, never this host's");
		is_int(count_lines(b.p), f[i].lines, "%s unreadable: only its fields change",
		       f[i].what);
		hc_free(&c);
	}
	/* a missing sysctl is the option not built in */
	rm_rf(tmproot);
	make_tree();
	snprintf(p, sizeof(p), "%s/proc/sys/kernel/task_delayacct", tmproot);
	unlink(p);
	collect_root(tmproot, &c);
	ok(c.task_delayacct == HC_DA_CONFIG_OFF, "task_delayacct missing: config_off");
	hc_free(&c);
	/* dangling symlink and directory as sched_ entries, unlistable kernel dir */
	rm_rf(tmproot);
	make_tree();
	snprintf(p, sizeof(p), "%s/proc/sys/kernel/sched_dangling", tmproot);
	ok(!symlink("/nonexistent/target", p), "dangling symlink created");
	collect_root(tmproot, &c);
	ok(c.has & HC_TUNABLES && c.ntunables == 1, "dangling sched_ symlink is skipped");
	hc_free(&c);
	/* online CPU without a cpuN directory is not counted */
	put("/sys/devices/system/cpu/online", "0-2\n");
	collect_root(tmproot, &c);
	ok(c.online_cpus == 3 && c.numa_nodes == 1,
	   "online CPU with no cpuN dir: counted from the online list; node floor 1");
	hc_free(&c);
	put("/sys/devices/system/cpu/online", "5\n");
	collect_root(tmproot, &c);
	ok(c.has & HC_ONLINE_CPUS && c.online_cpus == 1 && c.numa_nodes == 1,
	   "every listed CPU's directory missing: the list's 1 CPU, numa_nodes floor 1");
	hc_free(&c);
	put("/sys/devices/system/cpu/online", "garbage\n");
	collect_root(tmproot, &c);
	ok(!(c.has & (HC_ONLINE_CPUS | HC_NUMA_NODES)),
	   "garbage online list: probe fails, both absent");
	hc_free(&c);
	rm_rf(tmproot);
	kt_buf_free(&b);
	hc_free(&base);
}

static void test_nothing_readable(void)
{
	struct hostctx c;
	struct jw w;
	struct kt_buf b = {0};

	collect_root("/nonexistent-hostctx-root", &c);
	ok(!c.kernel_name && !c.kernel_release && !c.arch,
	   "every read fails: no uname fields (a tree's kernel is not this host's)");
	ok(!c.cpu_model && !c.has && !c.kernel_cmdline && !c.ngov,
	   "every read fails: all else absent");
	ok(c.task_delayacct == HC_DA_ABSENT && c.config_task_xacct == HC_XA_UNKNOWN,
	   "every read fails: delayacct absent (cannot be known), xacct unknown (always probed)");
	jw_init_buf(&w, &b, 0);
	hc_json(&w, &c);
	is_str(b.p, "{\"config_task_xacct\":\"unknown\"}",
	       "near-empty JSON: only the probed field");
	kt_buf_free(&b);
	hc_free(&c);
}

/* ---- caching --------------------------------------------------------------- */

static void test_caching(void)
{
	struct hc_collector col;
	struct hostctx c[3];
	unsigned long opens[4];

	make_tree();
	hc_collector_init(&col, tmproot);
	col.use_heap = false;
	for (int i = 0; i < 3; i++) {
		opens[i] = kt_file_opens;
		hc_collect(&col, &c[i]);
		if (i == 0) {
			/* between snapshots: static and dynamic sources change */
			put("/proc/meminfo", "MemTotal: 99 kB\nHugePages_Total: 7\nHugePages_Free: "
					     "6\nHugepagesize: 4 kB\n");
			put("/proc/cpuinfo", "model name: changed\n\n");
			put("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
			put("/proc/sys/kernel/sched_x", "2\n");
			put("/proc/cmdline", "changed\n");
		}
	}
	opens[3] = kt_file_opens;
	ok(col.static_reads == 1, "static part read once for 3 snapshots");
	is_int(opens[2] - opens[1], opens[3] - opens[2], "snapshots 2 and 3 open the same files");
	/* static: cpuinfo, online, cpu0, cpu1 dirs, 2 governors, 3 uname files */
	is_int((opens[1] - opens[0]) - (opens[2] - opens[1]), 9,
	       "first snapshot opens the 9 static files extra");
	/* dynamic: meminfo, 2 THP, kernel dir, sched_x, cmdline, delayacct, config.gz (missing) */
	is_int(opens[3] - opens[2], 7, "later snapshots open 7 dynamic files (config.gz missing)");
	is_str(c[2].cpu_model, "M", "cpu_model cached");
	ok(c[2].total_memory_kib == 10 && c[2].hugepages_size_kib == 2048,
	   "MemTotal/Hugepagesize cached");
	ok(c[2].hugepages_total == 7 && c[2].hugepages_free == 6, "hugepage counts re-read");
	is_str(c[2].gov[0].gov, "performance", "governors cached");
	is_str(c[2].tunables[0].val, "2", "sched tunables re-read");
	is_str(c[2].kernel_cmdline, "changed", "cmdline re-read");
	for (int i = 0; i < 3; i++)
		hc_free(&c[i]);
	hc_collector_free(&col);
	rm_rf(tmproot);
}

/* ---- heap -------------------------------------------------------------------- */

static void test_heap(void)
{
	struct hc_heap h;
	struct kt_buf b = {0};

	hc_heap_collect(&h);
	if (!mallctl) {
		ok(!h.has, "no jemalloc: every heap field absent");
	} else {
		ok(h.has == 0x1f, "jemalloc: all five heap fields present");
		ok(h.allocated_bytes > 0 && h.active_bytes >= h.allocated_bytes,
		   "allocated > 0, active >= allocated");
		ok(h.narenas > 0, "narenas > 0");
	}
	memset(&h, 0, sizeof(h));
	ok(hc_heap_kept(&h), "collapse: failed epoch (all absent) is kept, as {}");
	h.has = HC_HEAP_ALLOCATED | HC_HEAP_ACTIVE | HC_HEAP_NARENAS;
	h.narenas = 8;
	ok(!hc_heap_kept(&h), "collapse: allocated 0 and active 0 -> heap_state absent");
	h.active_bytes = 4096;
	ok(hc_heap_kept(&h), "collapse: active > 0 is kept");
	h.active_bytes = 0;
	h.has = HC_HEAP_ALLOCATED;
	ok(hc_heap_kept(&h), "collapse: active absent is kept");
	memset(&h, 0, sizeof(h));
	hc_heap_human(&b, &h);
	is_str(b.p,
	       "allocated_bytes: (unknown)\nactive_bytes: (unknown)\nresident_bytes: (unknown)\n"
	       "mapped_bytes: (unknown)\nnarenas: (unknown)\n",
	       "heap format_human order and (unknown)");
	kt_buf_free(&b);
}

int main(void)
{
	const char *top = getenv("TOP");

	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/hostctx", top ? top : ".");
	test_u64();
	test_trim();
	test_cpuinfo();
	test_meminfo();
	test_cpulist();
	test_thp_delayacct();
	test_kconfig();
	test_kconfig_bomb();
	test_fixtures();
	test_failures();
	test_nothing_readable();
	test_caching();
	test_heap();
	return tap_done();
}
