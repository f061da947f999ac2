// SPDX-License-Identifier: MIT
/*
 * capture's pure parts: the summary line from parsed exit events (the
 * dmesg fixture: a stall, a scx_bpf_error with a BPF frame), the first
 * frame rule, the manifest's statuses, and the tar.gz writer's
 * determinism (same files, other mtimes: same bytes).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <zlib.h>

#include "buf.h"
#include "capture.h"
#include "file.h"
#include "json.h"
#include "scxexit.h"
#include "tap.h"
#include "targz.h"

static char lines[8][1024];
static int nlines;

static void on_ev(const struct scx_event *ev, void *arg)
{
	struct kt_capture *c = arg;
	struct kt_buf b = {0};

	if (ev->type != SCX_EV_EXIT || nlines >= 8)
		return;
	kt_cap_exit_from(&c->ex, ev);
	kt_cap_summary_line(&b, c);
	snprintf(lines[nlines++], sizeof(lines[0]), "%s", b.p ? b.p : "");
	kt_buf_free(&b);
}

static void test_summary(void)
{
	struct kt_capture c;
	struct kt_cap_opts o = {.mode = KT_CAP_ARM, .ring = 1};
	char path[4096];
	size_t n;
	char *s;

	snprintf(path, sizeof(path), "%s/tests/fixtures/kmsg/dmesg_612.txt",
		 getenv("TOP") ? getenv("TOP") : ".");
	s = kt_read_file(NULL, path, 1 << 20, &n);
	if (!ok(s != NULL, "read %s", path))
		return;
	kt_cap_init(&c, &o);
	scx_parse_window(s, n, 65536, on_ev, &c);
	free(s);
	ok(nlines >= 2, "fixture: %d exits", nlines);
	is_str(lines[0],
	       "rusty: error_stall at 51.127 s: kworker/31:1[311] stuck for 13.736 s in "
	       "scx_watchdog_workfn+0x154",
	       "stall: task, how long, first frame");
	for (int i = 0; i < nlines; i++)
		if (strstr(lines[i], "bpfland"))
			is_str(lines[i],
			       "bpfland: error_bpf at 90.100 s: \"main.bpf.c:412: invalid CPU "
			       "-1 (dispatch)\" in bpfland_dispatch+0x184",
			       "scx_bpf_error: message, first frame past scx_bpf_error_bstr, "
			       "bpf_prog_TAG_ dropped");
	for (int i = 0; i < nlines; i++)
		if (strstr(lines[i], "lavd"))
			ok(!strstr(lines[i], " in "), "unregister: no frame (%s)", lines[i]);
}

static void on_ev_any(const struct scx_event *ev, void *arg)
{
	if (ev->type == SCX_EV_EXIT)
		kt_cap_exit_from(&((struct kt_capture *)arg)->ex, ev);
}

static void on_ev_cpu(const struct scx_event *ev, void *arg)
{
	struct kt_capture *c = arg;

	if (ev->type != SCX_EV_EXIT)
		return;
	if (ev->origin == SCX_ORIGIN_KERNEL)
		kt_cap_exit_from(&c->ex, ev);
	kt_cap_note_dump(c, ev);
}

static void line_of(struct kt_capture *c, const char *text, char *out, size_t n)
{
	struct kt_buf b = {0};

	scx_parse_window(text, strlen(text), 0, on_ev_cpu, c);
	kt_cap_summary_line(&b, c);
	snprintf(out, n, "%s", b.p ? b.p : "");
	kt_buf_free(&b);
}

/* The summary line's CPU (the event's, or a dump's of the same kind) and
 * the reason when it says more than the kind. */
static void test_summary_cpu(void)
{
	static const char kern[] = "sched_ext: BPF scheduler \"q\" disabled (scx_bpf_error)\n"
				   "sched_ext: q: boom\n   q_dispatch+0x91/0x100\n";
	static const char dump[] =
		"q: root\na[1] triggered exit kind 1025 on CPU 1:\n"
		"  scx_bpf_error (boom)\n\nBacktrace:\n  q_dispatch+0x91/0x100\n";
	static const char dump_stall[] = "a[1] triggered exit kind 1026 on CPU 1:\n"
					 "  runnable task stall (x)\n\nBacktrace:\n  f+0x1/0x2\n";
	static const char other[] = "a[1] triggered exit kind 1040 on CPU 3:\n"
				    "  a newer kernel's reason (what)\n\nBacktrace:\n  f+0x1/0x2\n";
	static const char nocpu[] =
		"a[1] triggered exit kind 1025:\n"
		"  scx_bpf_error (boom)\n\nBacktrace:\n  q_dispatch+0x91/0x100\n";
	/* texts parsed one after the other (as capture: scheduler output, log) */
	const struct {
		const char *first, *then, *want, *what;
	} t[] = {
		{NULL, kern, "q: error_bpf: \"boom\" in q_dispatch+0x91",
		 "the kernel's log alone: no CPU (none guessed)"},
		{kern, dump, "q: error_bpf on CPU 1: \"boom\" in q_dispatch+0x91",
		 "the kernel's report, the CPU from the dump's header"},
		{dump, kern, "q: error_bpf on CPU 1: \"boom\" in q_dispatch+0x91",
		 "... the dump seen first"},
		{kern, dump_stall, "q: error_bpf: \"boom\" in q_dispatch+0x91",
		 "a dump of another kind: its CPU is not this exit's"},
		{kern, nocpu, "q: error_bpf: \"boom\" in q_dispatch+0x91",
		 "a dump without \"on CPU\" (older kernels): no CPU"},
	};
	struct kt_capture c;
	struct kt_cap_opts o = {.mode = KT_CAP_ARM, .ring = 1};
	char line[512];
	struct kt_buf b = {0};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		kt_cap_init(&c, &o);
		if (t[i].first)
			scx_parse_window(t[i].first, strlen(t[i].first), 0, on_ev_cpu, &c);
		line_of(&c, t[i].then, line, sizeof(line));
		is_str(line, t[i].want, "%s", t[i].what);
	}
	kt_cap_init(&c, &o);
	scx_parse_window(other, sizeof(other) - 1, 0, on_ev_any, &c);
	kt_buf_reset(&b);
	kt_cap_summary_line(&b, &c);
	is_str(b.p, "?: other (a newer kernel's reason) on CPU 3: \"what\" in f+0x1",
	       "kind other: the reason beside the message, the event's own CPU");
	kt_buf_free(&b);
}

static void test_no_exit(void)
{
	struct kt_capture c;
	struct kt_cap_opts o = {.mode = KT_CAP_ARM, .ring = 1};
	struct kt_buf b = {0};

	kt_cap_init(&c, &o);
	c.end = KT_END_TIMEOUT;
	kt_cap_summary_line(&b, &c);
	is_str(b.p, "no sched_ext exit captured (timeout)", "no exit: says why");
	kt_buf_reset(&b);
	c.have_exited = true;
	snprintf(c.sched, sizeof(c.sched), "qmap");
	kt_cap_summary_line(&b, &c);
	is_str(b.p, "qmap: exited (state left enabled) with no exit report in the kernel log",
	       "exit without a log report");
	kt_buf_free(&b);
	/* control bytes in a message cannot forge lines */
	kt_cap_init(&c, &o);
	c.ex.have = true;
	snprintf(c.ex.sched, sizeof(c.ex.sched), "x");
	snprintf(c.ex.kind, sizeof(c.ex.kind), "error");
	snprintf(c.ex.message, sizeof(c.ex.message), "a\nb");
	kt_cap_summary_line(&b, &c);
	is_str(b.p, "x: error: \"a\\x0ab\"", "message escaped");
	kt_buf_free(&b);
}

static void test_manifest(void)
{
	struct kt_capture c;
	struct kt_cap_opts o = {.mode = KT_CAP_RUN, .ring = 60, .budget = 4096};
	struct kt_buf b = {0}, s = {0};
	struct jw w;

	kt_cap_init(&c, &o);
	c.end = KT_END_INTERRUPTED;
	kt_cap_part_set(&c, KT_PART_HOSTCTX, KT_PART_OK, NULL);
	c.part[KT_PART_HOSTCTX].bytes = 10;
	kt_cap_part_set(&c, KT_PART_MAPS, KT_PART_PARTIAL, "budget reached (%d bytes)", 1024);
	kt_cap_part_set(&c, KT_PART_TIMELINE, KT_PART_UNAVAILABLE, "no BTF");
	jw_init_buf(&w, &b, 0);
	kt_cap_manifest(&w, &c);
	ok(b.p && strstr(b.p, "\"schema\":\"ktbox-bundle\",\"schema_version\":1"), "schema");
	ok(b.p && strstr(b.p, "\"mode\":\"run\",\"end\":\"interrupted\",\"interrupted\":true"),
	   "mode, end, interrupted");
	ok(b.p && strstr(b.p, "{\"name\":\"hostctx\",\"status\":\"ok\",\"files\":[\"hostctx.json\","
			      "\"hostctx.diff\"],\"bytes\":10}"),
	   "ok part: files and bytes");
	ok(b.p && strstr(b.p, "{\"name\":\"maps\",\"status\":\"partial\",\"reason\":\"budget "
			      "reached (1024 bytes)\",\"files\":[\"maps/\"]"),
	   "partial part: reason");
	ok(b.p && strstr(b.p, "{\"name\":\"timeline\",\"status\":\"unavailable\",\"reason\":\"no "
			      "BTF\"}"),
	   "unavailable part: reason, no files");
	ok(b.p && !strstr(b.p, "\"kmsg\""), "parts not attempted are absent");
	ok(b.p && !strstr(b.p, "exit_to_bundle_ms") && !strstr(b.p, "\"exit\":{"),
	   "no exit: no exit time");
	kt_cap_summary(&s, &c);
	ok(s.p && strstr(s.p, "\nhostctx: ok\nmaps: partial (budget reached (1024 bytes))\n"
			      "timeline: unavailable (no BTF)\n"),
	   "summary: one line per part");
	kt_buf_free(&b);
	kt_buf_free(&s);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fp = fopen(p, "w");
	if (fp) {
		fputs(text, fp);
		fclose(fp);
	}
}

static unsigned char *targz(const char *dir, size_t *n)
{
	char *p = NULL;
	FILE *fp = open_memstream(&p, n);

	if (!fp || kt_targz_dir(dir, "top", fp)) {
		if (fp)
			fclose(fp);
		free(p);
		return NULL;
	}
	fclose(fp);
	return (unsigned char *)p;
}

static void test_targz(void)
{
	char dir[] = "/tmp/kt-targz-XXXXXX", sub[64], big[300];
	unsigned char *a, *b, blk[512], out[8192];
	size_t na, nb;
	struct utimbuf ut = {12345, 12345};
	z_stream z = {0};

	ok(kt_tar_header(blk, "a/b", 5, 0) == 0, "header");
	is_str((char *)blk + 257, "ustar", "ustar magic");
	is_str((char *)blk + 124, "00000000005", "size field");
	is_str((char *)blk + 136, "00000000000", "mtime 0");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ok(kt_tar_header(blk, big, 0, 0) == -1, "a name over 255 bytes is refused");
	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	snprintf(sub, sizeof(sub), "%s/maps", dir);
	mkdir(sub, 0700);
	put(dir, "z.txt", "last\n");
	put(dir, "a.txt", "first\n");
	put(dir, "maps/m.jsonl", "{}\n");
	a = targz(dir, &na);
	snprintf(big, sizeof(big), "%s/a.txt", dir);
	utime(big, &ut);
	chmod(big, 0600);
	b = targz(dir, &nb);
	ok(a && b && na == nb && !memcmp(a, b, na), "same files, other mtime and mode: same bytes");
	ok(a && na > 10 && a[0] == 0x1f && a[1] == 0x8b && !a[4] && !a[5] && !a[6] && !a[7],
	   "gzip with mtime 0");
	if (a && !inflateInit2(&z, 16 + 15)) {
		z.next_in = a;
		z.avail_in = (uInt)na;
		z.next_out = out;
		z.avail_out = sizeof(out);
		inflate(&z, Z_FINISH);
		is_str((char *)out, "top/", "first member: the top directory");
		is_str((char *)out + 512, "top/a.txt", "then the files in name order");
		is_str((char *)out + 1536, "top/maps/", "then the sub-directory");
		ok(z.total_out == 512 * 8 + 1024, "ends with two zero blocks (%lu bytes)",
		   (unsigned long)z.total_out);
		inflateEnd(&z);
	}
	free(a);
	free(b);
	put(dir, "maps/m.jsonl", "");
	snprintf(big, sizeof(big), "rm -rf '%s'", dir);
	if (system(big)) {
	}
}

static void test_logoff(void)
{
	static const char hdr[] = "Sched Debug Version: v0.11, 7.2.13+deb14-amd64 #1\n"
				  "ktime                                   : 5123.456789\n"
				  "sched_clk                               : 5200.000001\n"
				  "cpu_clk                                 : 5124.000000\n"
				  "jiffies                                 : 4296180000\n";
	int64_t off = 0;

	ok(!kt_logclock_parse(hdr, sizeof(hdr) - 1, &off), "sched debug header parses");
	is_int(off, 543211, "offset: cpu_clk - ktime in ns");
	ok(kt_logclock_parse(hdr, 100, &off), "cut before cpu_clk: no offset");
	ok(kt_logclock_parse("ktime : 1.5\ncpu_clk : 2.000000\n", 30, &off),
	   "a fraction that is not 6 digits is refused");
	ok(kt_logclock_parse("ktime_x : 1.000000\ncpu_clk : 2.000000\n", 38, &off),
	   "a longer name is not ktime");
}

/* The counters at the exit from another source, in sched_ext.json's post. */
static void test_post_counters(void)
{
	static struct kt_capture c;
	struct kt_cap_opts o = {.mode = KT_CAP_ARM, .ring = 1};
	struct kt_buf post = {0}, out = {0};

	kt_cap_init(&c, &o);
	kt_buf_puts(&post, "{\"mono_ns\":5,\"state\":\"disabled\"}");
	kt_cap_post_json(&out, &post, &c);
	is_str(out.p, "{\"mono_ns\":5,\"state\":\"disabled\"}", "no other source: as read");
	c.post_ev.n = 1;
	snprintf(c.post_ev.c[0].name, sizeof(c.post_ev.c[0].name), "a");
	c.post_ev.c[0].value = 10;
	kt_cap_counters_add(&c.post_ev, "SCX_EV_A", 8, 2);
	kt_cap_counters_add(&c.post_ev, "SCX_EV_NEW", 10, 1);
	kt_cap_counters_add(&c.post_ev, "SCX_EV_A", 8, -1);
	kt_cap_counters_add(&c.post_ev, "SCX EV", 6, 1);
	is_int(c.post_ev.n, 2, "deltas: a known counter added to, a new one appended, junk not");
	snprintf(c.post_src, sizeof(c.post_src), "src");
	kt_buf_reset(&out);
	kt_cap_post_json(&out, &post, &c);
	is_str(out.p,
	       "{\"mono_ns\":5,\"state\":\"disabled\",\"events\":{\"a\":11,\"new\":1},"
	       "\"events_source\":\"src\"}",
	       "the counters and their source added to post");
	c.post_read = true;
	kt_buf_reset(&out);
	kt_cap_post_json(&out, &post, &c);
	is_str(out.p, "{\"mono_ns\":5,\"state\":\"disabled\",\"events_source\":\"src\"}",
	       "read at the exit: only the source added");
	c.post_read = false;
	c.post_src[0] = 0;
	snprintf(c.post_why, sizeof(c.post_why), "gone");
	kt_buf_reset(&out);
	kt_cap_post_json(&out, &post, &c);
	is_str(out.p, "{\"mono_ns\":5,\"state\":\"disabled\",\"events_unavailable\":\"gone\"}",
	       "none: why, not zeros");
	kt_buf_free(&post);
	kt_buf_free(&out);
}

int main(void)
{
	test_summary();
	test_summary_cpu();
	test_post_counters();
	test_no_exit();
	test_manifest();
	test_targz();
	test_logoff();
	return tap_done();
}
