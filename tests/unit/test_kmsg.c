// SPDX-License-Identifier: MIT
/* kmsg line parsers: records, dmesg, journal, raw; unescaping; splitter. */
#include <stdint.h>
#include <stdlib.h>

#include "kmsg.h"
#include "tap.h"

static struct kmsg_line L;
static char text[70000];

/* Parse S (copied) and return the text as a C string. */
static const char *parse(struct kmsg_ctx *ctx, const char *s)
{
	static char buf[70000];
	size_t n = strlen(s);
	int r;

	memcpy(buf, s, n + 1);
	r = kmsg_parse_line(ctx, buf, n, &L);
	if (!r)
		return NULL;
	memcpy(text, L.text, L.len);
	text[L.len] = '\0';
	return text;
}

static void test_records(void)
{
	struct kmsg_ctx ctx = {0};

	is_str(parse(&ctx, "6,1001,12345678,-;sched_ext: x"), "sched_ext: x", "record text");
	is_int(L.fmt, KMSG_FMT_RECORD, "record format");
	is_int(L.level, 6, "record level");
	is_int(L.facility, 0, "record facility");
	is_int(L.seq, 1001, "record seq");
	is_int(L.ts_usec, 12345678, "record ts");
	ok(L.has_seq && L.has_ts && !L.cont, "record flags");
	ok(parse(&ctx, " SUBSYSTEM=cpu") == NULL, "dictionary line skipped");
	ok(parse(&ctx, " DEVICE=+cpu:cpu0") == NULL, "second dictionary line skipped");
	is_str(parse(&ctx, "4,2,3,c;   kthread+0xd2/0x100"), "   kthread+0xd2/0x100",
	       "frame record keeps indent");
	ok(L.cont, "cont flag");
	is_str(parse(&ctx, "3,5,6,-,caller=T311;a\\x5cb\\x0ac\\x09"), "a\\b\nc",
	       "caller field, unescape, trailing tab trimmed");
	is_int(L.level, 3, "level 3 with caller");
	is_str(parse(&ctx, "14,7,8,-,caller=C1,future=1;user"), "user", "unknown fields ignored");
	is_int(L.facility, 1, "LOG_USER facility");
	is_int(L.level, 6, "user level");
	ctx.after_record = false;
	is_str(parse(&ctx, "   kthread+0xd2/0x100"), "   kthread+0xd2/0x100",
	       "indented raw line outside records is text");
	ok(parse(&ctx, "6,1,2,x;bad flag") && L.fmt == KMSG_FMT_RAW, "bad flag: raw");
	ok(parse(&ctx, "6,1,2;no flag") && L.fmt == KMSG_FMT_RAW, "missing field: raw");
	ok(parse(&ctx, "6,1,2,-,caller=T1 no semicolon") && L.fmt == KMSG_FMT_RAW, "no ';': raw");
	ok(parse(&ctx, "99999999999999999999,1,2,-;x") && L.fmt == KMSG_FMT_RAW,
	   "overflowing number: raw");
}

static void test_unescape(void)
{
	char b[32];
	size_t n;

	strcpy(b, "\\x41\\x5c\\x5cz\\x4");
	n = kmsg_unescape(b, strlen(b));
	b[n] = '\0';
	is_str(b, "A\\\\z\\x4", "unescape, cut escape kept");
	strcpy(b, "\\xzz\\");
	n = kmsg_unescape(b, strlen(b));
	b[n] = '\0';
	is_str(b, "\\xzz\\", "invalid escapes kept");
}

static void test_dmesg(void)
{
	is_str(parse(NULL, "[   51.127238] sched_ext: a"), "sched_ext: a", "dmesg text");
	is_int(L.fmt, KMSG_FMT_DMESG, "dmesg format");
	is_int(L.ts_usec, 51127238, "dmesg ts");
	is_int(L.level, -1, "dmesg no level");
	is_str(parse(NULL, "[   51.127245]    kthread+0xd2/0x100"), "   kthread+0xd2/0x100",
	       "frame indent kept after [ts]");
	is_str(parse(NULL, "<3>[   13.000000] x"), "x", "<N> prefix");
	is_int(L.level, 3, "<N> level");
	is_str(parse(NULL, "<14>[1.5] y"), "y", "<N> with facility, short fraction");
	is_int(L.level, 6, "<14> level");
	is_int(L.ts_usec, 1500000, "short fraction scaled");
	is_str(parse(NULL, "kern  :err   : [   21.000000] z"), "z", "dmesg -x columns");
	is_int(L.level, 3, "columns level");
	is_int(L.facility, 0, "columns facility");
	is_str(parse(NULL, "[  199.245639][  T630] c"), "c", "PRINTK_CALLER task");
	is_int(L.ts_usec, 199245639, "caller ts");
	is_str(parse(NULL, "[2427581.529156][    C3] d"), "d", "7-digit seconds, cpu caller");
	is_int(L.ts_usec, 2427581529156ULL, "7-digit ts");
	is_str(parse(NULL, "[Wed Jan  1 12:00:00 2025] t"), "t", "dmesg -T");
	ok(!L.has_ts, "dmesg -T has no monotonic ts");
	is_str(parse(NULL, "[ts] not a prefix"), "[ts] not a prefix", "bad [..] kept");
	is_str(parse(NULL, "[ 12.34 x"), "[ 12.34 x", "unclosed [ kept");
	is_str(parse(NULL, "foo:bar : baz"), "foo:bar : baz", "columns look-alike kept");
	is_str(parse(NULL, "[   1.000000]"), "", "prefix only");
}

static void test_journal(void)
{
	is_str(parse(NULL, "Jan  5 09:00:00 host kernel: sched_ext: x"), "sched_ext: x",
	       "syslog prefix");
	is_int(L.fmt, KMSG_FMT_JOURNAL, "journal format");
	is_int(L.src, KMSG_SRC_KERNEL, "kernel ident");
	is_str(parse(NULL, "paź 14 10:05:01 desk kernel:    kthread+0xd2/0x100"),
	       "   kthread+0xd2/0x100", "localized month, frame indent kept");
	is_str(parse(NULL, "Ogos 3 08:00:00 h kernel: a"), "a", "4-letter month");
	is_str(parse(NULL, "dic. 02 08:00:00.123456 h kernel: a"), "a", "month with dot, usec");
	is_str(parse(NULL, "paź 14 10:05:01 desk scx_lavd[1234]: DEBUG DUMP"), "DEBUG DUMP",
	       "process ident");
	is_int(L.src, KMSG_SRC_USER, "user ident");
	is_str(parse(NULL, "2025-01-17T22:24:05+0300 host kernel: k"), "k", "short-iso");
	is_str(parse(NULL, "2025-01-17T22:24:05.123Z host bash[5]: u"), "u", "iso with Z");
	is_str(parse(NULL, "22:30:00 kernel: t"), "t", "trimmed time + kernel");
	is_str(parse(NULL, "Fri 2025-01-17 22:24:05 CET host kernel: f"), "f", "short-full");
	is_str(parse(NULL, "Fri 2025-01-17 22:24:05.5 +03 host scx[9]: g"), "g",
	       "short-full, numeric zone");
	is_str(parse(NULL, "1737141845.123456 host kernel: u"), "u", "short-unix");
	is_str(parse(NULL, "1737141845.123456 is a number"), "1737141845.123456 is a number",
	       "short-unix look-alike kept");
	is_str(parse(NULL, "host kernel: h"), "h", "host + kernel");
	is_str(parse(NULL, "kernel: only"), "only", "kernel: alone");
	is_str(parse(NULL, "Jan  5 09:00:00 host kernel: [  123.456789] kl"), "kl",
	       "kern.log: journal then [ts]");
	ok(L.has_ts && L.ts_usec == 123456789, "kern.log ts");
	is_str(parse(NULL, "[  123.456789] host kernel: mono"), "mono", "short-monotonic");
	is_int(L.src, KMSG_SRC_KERNEL, "short-monotonic ident");
	is_str(parse(NULL, "Jan  5 09:00:00 host systemd: s"), "s", "timed ident without pid");
	/* look-alikes that are message text, not prefixes */
	is_str(parse(NULL, "sched_ext: BPF scheduler \"x\" enabled"),
	       "sched_ext: BPF scheduler \"x\" enabled", "sched_ext line is raw");
	is_int(L.fmt, KMSG_FMT_RAW, "raw format");
	is_str(parse(NULL, "Error: EXIT: runtime error (x)"), "Error: EXIT: runtime error (x)",
	       "Error: EXIT raw");
	is_str(parse(NULL, "Backtrace:"), "Backtrace:", "Backtrace: raw");
	is_str(parse(NULL, "bpfland: root"), "bpfland: root", "NAME: root raw");
	is_str(parse(NULL, "  runtime error (x)"), "  runtime error (x)", "indented raw");
	is_str(parse(NULL, "CPU 0   : nr_run=2"), "CPU 0   : nr_run=2", "CPU states raw");
	is_str(parse(NULL, "host sched_ext: x"), "host sched_ext: x", "non-kernel ident untimed");
	is_str(parse(NULL, "10:05:00 [INFO] stats"), "10:05:00 [INFO] stats", "log time kept");
	is_str(parse(NULL, "10:05:00 [ERROR] EXIT: runtime error"),
	       "10:05:00 [ERROR] EXIT: runtime error", "log level is not a host");
}

static char *got[16];
static size_t gotlen[16];
static int ngot;

static void collect(char *line, size_t len, void *arg)
{
	(void)arg;
	if (ngot < 16) {
		got[ngot] = malloc(len + 1);
		memcpy(got[ngot], line, len + 1);
		gotlen[ngot++] = len;
	}
}

static void reset_got(void)
{
	for (int i = 0; i < ngot; i++)
		free(got[i]);
	ngot = 0;
}

static void test_splitter(void)
{
	struct kmsg_splitter sp;
	static const char in[] = "a\r\nb\0c\n\nlong-line-here\nlast";

	ok(!kmsg_split_init(&sp, 8, collect, NULL), "splitter init");
	for (size_t i = 0; i < sizeof(in) - 1; i++)
		kmsg_split_feed(&sp, in + i, 1); /* byte by byte */
	kmsg_split_finish(&sp);
	is_int(ngot, 5, "five lines");
	is_str(got[0], "a", "CR dropped");
	is_str(got[1], "bc", "NUL dropped");
	is_str(got[2], "", "empty line");
	is_str(got[3], "long-lin", "long line capped");
	is_str(got[4], "last", "final line without newline");
	is_int(sp.truncated, 1, "one truncated line");
	reset_got();
	kmsg_split_feed(&sp, "x\n", 2);
	kmsg_split_finish(&sp);
	kmsg_split_finish(&sp);
	is_int(ngot, 1, "finish twice: no empty line");
	reset_got();
	{
		char in2[] = "ab\r\nlong-line-here\nc\0d\npart";

		kmsg_split_feed_inplace(&sp, in2, sizeof(in2) - 1);
		kmsg_split_feed_inplace(&sp, (char[]){'i', 'a', 'l', '\n'}, 4);
		is_int(ngot, 4, "in place: four lines");
		is_str(got[0], "ab", "in place: CR dropped");
		is_str(got[1], "long-lin", "in place: long line capped");
		is_str(got[2], "cd", "in place: NUL dropped");
		is_str(got[3], "partial", "in place: line across chunks");
		reset_got();
	}
	kmsg_split_free(&sp);
}

static void test_joined(void)
{
	static const char s[] = "disabled (runtime error)[   51.127240] sched_ext: m";

	is_int(kmsg_joined_split(s, strlen(s)), 24, "joined record split offset");
	is_int(kmsg_joined_split("a [x] b", 7), 7, "no ts: no split");
	is_int(kmsg_joined_split("[ 1.000000] x", 13), 13, "leading ts is not a join");
	is_int(kmsg_joined_split("a[1.0", 5), 5, "cut ts");
}

static void test_levels(void)
{
	is_int(kmsg_level_from_name("err", 3), 3, "err");
	is_int(kmsg_level_from_name("debug", 5), 7, "debug");
	is_int(kmsg_level_from_name("error", 5), -1, "unknown level name");
}

int main(void)
{
	test_records();
	test_unescape();
	test_dmesg();
	test_journal();
	test_splitter();
	test_joined();
	test_levels();
	return tap_done();
}
