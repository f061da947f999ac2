// SPDX-License-Identifier: MIT
/*
 * sched_ext exit extractor over the fixtures in tests/fixtures/kmsg:
 * every format kmsgscx documents, event order, kinds, messages, backtraces,
 * origins, look-alikes, and the pinned JSON of representative events.
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "file.h"
#include "json.h"
#include "scxexit.h"
#include "tap.h"

#define MAXEV 64
#define LITERAL_ARGS(s) s, sizeof(s) - 1

struct evrec {
	char json[16384];
	int type, origin, kind;
	char sched[160], reason[160], msg[512];
	size_t nbt, nraw;
	char bt0[160], btlast[160];
	bool has_stall;
	long long cpu;
	char comm[64];
	long long pid;
	unsigned long long msec;
	bool json_trunc;       /* "truncated":true in the whole JSON */
	bool human_ctrl;       /* a control byte other than \n in human output */
	char human_tail[2048]; /* the end of the human output */
	char human_head[256];  /* its first line */
};

static struct evrec E[MAXEV];
static int N;

static void cp(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s ? s : "");
}

static void frame_text(char *dst, size_t size, const struct scx_frame *f)
{
	if (f->has_offset)
		snprintf(dst, size, "%s+%#llx/%#llx%s%s", f->symbol, (unsigned long long)f->offset,
			 (unsigned long long)f->size, f->module ? " " : "",
			 f->module ? f->module : "");
	else
		cp(dst, size, f->symbol);
}

static void on_ev(const struct scx_event *ev, void *arg)
{
	struct evrec *r;
	struct kt_buf b = {0};
	struct jw w;

	(void)arg;
	if (N >= MAXEV)
		return;
	r = &E[N++];
	memset(r, 0, sizeof(*r));
	jw_init_buf(&w, &b, 0);
	scx_event_json(&w, ev);
	cp(r->json, sizeof(r->json), b.p);
	r->json_trunc = b.p && strstr(b.p, "\"truncated\":true");
	kt_buf_free(&b);
	{
		char *h = NULL;
		size_t hl = 0;
		FILE *fp = open_memstream(&h, &hl);

		scx_event_human(fp, ev);
		fclose(fp);
		for (size_t i = 0; i < hl; i++)
			if ((unsigned char)h[i] < 0x20 && h[i] != '\n')
				r->human_ctrl = true;
		cp(r->human_head, sizeof(r->human_head), h);
		if (strchr(r->human_head, '\n'))
			*strchr(r->human_head, '\n') = '\0';
		cp(r->human_tail, sizeof(r->human_tail),
		   hl >= sizeof(r->human_tail) ? h + hl - sizeof(r->human_tail) + 1 : h);
		free(h);
	}
	r->type = ev->type;
	r->origin = ev->origin;
	r->kind = ev->kind;
	cp(r->sched, sizeof(r->sched), ev->scheduler);
	cp(r->reason, sizeof(r->reason), ev->reason);
	cp(r->msg, sizeof(r->msg), ev->message);
	r->nbt = ev->nbt;
	r->nraw = ev->nraw;
	if (ev->nbt) {
		frame_text(r->bt0, sizeof(r->bt0), &ev->bt[0]);
		frame_text(r->btlast, sizeof(r->btlast), &ev->bt[ev->nbt - 1]);
	}
	r->has_stall = ev->has_stall;
	r->cpu = ev->cpu;
	cp(r->comm, sizeof(r->comm), ev->stall_comm);
	r->pid = ev->stall_pid;
	r->msec = ev->stall_msec;
}

static long run_buf(const char *buf, size_t len)
{
	N = 0;
	return scx_parse_window(buf, len, 0, on_ev, NULL);
}

static long run(const char *name)
{
	char path[512];
	const char *top = getenv("TOP");
	size_t len = 0;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/kmsg/%s", top ? top : ".", name);
	buf = kt_read_file(NULL, path, 64 << 20, &len);
	if (!ok(buf != NULL, "read fixture %s", name)) {
		N = 0;
		return -1;
	}
	n = run_buf(buf, len);
	free(buf);
	return n;
}

#define EXIT_IS(i, origin_, sched_, kind_, reason_)                          \
	do {                                                                 \
		ok(E[i].type == SCX_EV_EXIT && E[i].origin == (origin_),     \
		   "event %d: exit of origin %d", i, origin_);               \
		is_str(E[i].sched, sched_, "event %d scheduler", i);         \
		is_str(scx_kind_name(E[i].kind), kind_, "event %d kind", i); \
		is_str(E[i].reason, reason_, "event %d reason", i);          \
	} while (0)

#define ENABLE_IS(i, sched_)                                                       \
	do {                                                                       \
		ok(E[i].type == SCX_EV_ENABLE && E[i].origin == SCX_ORIGIN_KERNEL, \
		   "event %d: kernel enable", i);                                  \
		is_str(E[i].sched, sched_, "event %d scheduler", i);               \
	} while (0)

#define K SCX_ORIGIN_KERNEL
#define S SCX_ORIGIN_SCHEDULER

static void test_dmesg_612(void)
{
	is_int(run("dmesg_612.txt"), 14, "6.12 dmesg: 14 events");
	ENABLE_IS(0, "rusty");
	EXIT_IS(1, K, "rusty", "error_stall", "runnable task stall");
	is_str(E[1].msg, "kworker/31:1[311] failed to run for 13.736s", "stall message");
	ok(E[1].has_stall, "stall parsed");
	is_str(E[1].comm, "kworker/31:1", "stall comm");
	is_int(E[1].pid, 311, "stall pid");
	is_int(E[1].msec, 13736, "stall duration");
	is_int(E[1].nbt, 6, "6 frames, unrelated line ends them");
	is_str(E[1].bt0, "scx_watchdog_workfn+0x154/0x1e0", "first frame");
	is_str(E[1].btlast, "ret_from_fork_asm+0x1a/0x30", "last frame");
	is_int(E[1].nraw, 8, "raw: disabled + message + 6 frames");
	ENABLE_IS(2, "lavd_1.0.20_g85f140fd_x86_64_unknown_linux_gnu");
	EXIT_IS(3, K, "lavd_1.0.20_g85f140fd_x86_64_unknown_linux_gnu", "unreg",
		"unregistered from user space");
	is_int(E[3].nbt, 0, "unreg: no backtrace");
	EXIT_IS(5, K, "bpfland", "error_bpf", "scx_bpf_error");
	is_str(E[5].msg, "main.bpf.c:412: invalid CPU -1 (dispatch)", "bpf error message");
	is_int(E[5].nbt, 6, "bpf error frames");
	EXIT_IS(7, K, "simple", "unreg_bpf", "unregistered from BPF");
	EXIT_IS(9, K, "simple", "unreg_kern", "unregistered from the main kernel");
	EXIT_IS(11, K, "simple", "sysrq", "disabled by sysrq-S");
	EXIT_IS(13, K, "simple", "error", "runtime error");
	ok(!E[13].has_stall, "runtime error: no stall");
	is_int(E[13].nbt, 3, "module and raw-address frames");
	is_str(E[13].btlast, "0xffffffffc0a1b2c3", "raw address frame kept");
	is_str(E[1].json,
	       "{\"event\":\"exit\",\"origin\":\"kernel\",\"scheduler\":\"rusty\","
	       "\"kind\":\"error_stall\",\"reason\":\"runnable task stall\","
	       "\"message\":\"kworker/31:1[311] failed to run for 13.736s\","
	       "\"timestamp\":51.127238,\"stall\":{\"comm\":\"kworker/31:1\","
	       "\"pid\":311,\"seconds\":13.736},\"backtrace\":["
	       "{\"symbol\":\"scx_watchdog_workfn\",\"offset\":340,\"size\":480},"
	       "{\"symbol\":\"process_one_work\",\"offset\":398,\"size\":848},"
	       "{\"symbol\":\"worker_thread\",\"offset\":762,\"size\":1168},"
	       "{\"symbol\":\"kthread\",\"offset\":210,\"size\":256},"
	       "{\"symbol\":\"ret_from_fork\",\"offset\":52,\"size\":80},"
	       "{\"symbol\":\"ret_from_fork_asm\",\"offset\":26,\"size\":48}],"
	       "\"raw\":[\"[   51.127238] sched_ext: BPF scheduler \\\"rusty\\\" disabled "
	       "(runnable task stall)\","
	       "\"[   51.127240] sched_ext: rusty: kworker/31:1[311] failed to run for 13.736s\","
	       "\"[   51.127245]    scx_watchdog_workfn+0x154/0x1e0\","
	       "\"[   51.127247]    process_one_work+0x18e/0x350\","
	       "\"[   51.127249]    worker_thread+0x2fa/0x490\","
	       "\"[   51.127250]    kthread+0xd2/0x100\","
	       "\"[   51.127251]    ret_from_fork+0x34/0x50\","
	       "\"[   51.127252]    ret_from_fork_asm+0x1a/0x30\"]}",
	       "pinned JSON of a stall exit");
	ok(strstr(E[13].json, "{\"symbol\":\"scx_dsq_move\",\"offset\":673,\"size\":768,"
			      "\"module\":\"some_mod\"}") != NULL,
	   "module frame JSON");
	ok(strstr(E[13].json, "{\"symbol\":\"0xffffffffc0a1b2c3\"}") != NULL,
	   "raw address frame JSON has no offset");
	is_str(E[0].json,
	       "{\"event\":\"enable\",\"origin\":\"kernel\",\"scheduler\":\"rusty\","
	       "\"timestamp\":12.345678,\"raw\":[\"[   12.345678] sched_ext: BPF scheduler "
	       "\\\"rusty\\\" enabled\"]}",
	       "pinned JSON of an enable");
}

static void test_records(void)
{
	is_int(run("kmsg_records.txt"), 4, "kmsg records: 4 events");
	EXIT_IS(1, K, "rusty", "error_stall", "runnable task stall");
	is_str(E[1].comm, "Isolated Web Co", "comm with spaces");
	is_int(E[1].pid, 4156, "pid");
	is_int(E[1].nbt, 3, "frames across caller= and cont records");
	ok(strstr(E[1].json, "\"seq\":1003,\"level\":3") != NULL, "seq and level");
	ok(E[2].type == SCX_EV_ENABLE && E[2].origin == SCX_ORIGIN_USER,
	   "LOG_USER record: enable of origin user (written to /dev/kmsg, not the kernel's)");
	is_str(E[2].sched, "fromuser", "event 2 scheduler");
	ok(strstr(E[2].json, "\"origin\":\"user\"") != NULL, "JSON origin user");
	ok(strstr(E[2].json, "\"level\":6") != NULL, "LOG_USER record: level from pri");
	EXIT_IS(3, SCX_ORIGIN_USER, "fromuser", "error_bpf", "scx_bpf_error");
	is_str(E[3].msg, "msg with \\ backslash", "\\x5c unescaped");
}

static void test_levels(void)
{
	is_int(run("dmesg_levels.txt"), 4, "dmesg -r / -x: 4 events");
	EXIT_IS(1, K, "a", "error", "runtime error");
	is_str(E[1].msg, "ops.init() failed (-22)", "message with parens");
	ok(strstr(E[1].json, "\"level\":3") != NULL, "<3> level");
	EXIT_IS(3, K, "b", "error_bpf", "scx_bpf_error");
	is_int(E[3].nbt, 1, "frame under -x columns");
}

static void test_caller(void)
{
	is_int(run("printk_caller.txt"), 2, "PRINTK_CALLER: 2 events");
	EXIT_IS(1, K, "rustland", "error_bpf", "scx_bpf_error");
	ok(strstr(E[1].json, "\"timestamp\":2427581.529156") != NULL, "7-digit seconds");
	is_int(E[1].nbt, 2, "BPF prog frames");
	is_str(E[1].bt0, "bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x184/0x1df",
	       "bpf_prog frame, no module");
}

static void test_journal(void)
{
	is_int(run("journal_localized.txt"), 6, "journal: 6 events");
	ENABLE_IS(0, "lavd");
	EXIT_IS(1, K, "lavd", "error_stall", "runnable task stall");
	is_int(E[1].nbt, 3, "kernel frames continue across user-space lines");
	is_str(E[1].btlast, "kthread+0xd2/0x100", "kernel's last frame");
	is_str(E[1].comm, "gnome-shel:cs0", "comm with colon");
	EXIT_IS(2, S, "", "error_stall", "runnable task stall");
	is_int(E[2].nbt, 3, "dump backtrace only, not per-task stacks");
	is_str(E[2].btlast, "kthread+0xd2/0x100", "dump's last exit frame");
	ok(E[2].has_stall && E[2].pid == 3415, "scheduler event stall");
	ok(strstr(E[2].json, "Error: EXIT") != NULL, "EXIT line in raw");
	ok(strstr(E[2].json, "CPU states") == NULL, "CPU states not in raw");
	EXIT_IS(4, K, "lavd", "sysrq", "disabled by sysrq-S");
	ENABLE_IS(5, "klog");
	ok(strstr(E[5].json, "\"timestamp\":123.456789") != NULL, "kern.log [ts]");
	is_int(run("journal_iso.txt"), 4, "short-iso and trimmed: 4 events");
	EXIT_IS(1, K, "cosmos", "error_bpf", "scx_bpf_error");
	is_int(E[1].nbt, 1, "iso frame");
	EXIT_IS(3, K, "cosmos", "unreg", "unregistered from user space");
}

static void test_oot(void)
{
	is_int(run("oot.txt"), 3, "pre-6.12: 3 events, init_task look-alike ignored");
	EXIT_IS(0, K, "rusty", "error_stall", "runnable task stall");
	is_str(E[0].msg, "kworker/31:1[311] failed to run for 13.736s", "OOT message");
	is_int(E[0].pid, 311, "OOT stall pid");
	is_int(E[0].nbt, 2, "OOT frames");
	EXIT_IS(1, K, "lavd", "error", "runtime error");
	is_str(E[1].msg, "", "OOT reason without message");
	is_int(E[1].nbt, 1, "frame right after reason line");
	EXIT_IS(2, K, "x", "error_bpf", "scx_bpf_error");
	is_str(E[2].msg, "main.bpf.c:5: oops (nested (parens)) here", "message to last ')'");
}

static void test_sub(void)
{
	is_int(run("sub_sched.txt"), 5, "sub-scheduler: 5 events");
	ENABLE_IS(1, "child");
	EXIT_IS(2, K, "child", "error_bpf", "scx_bpf_error");
	is_str(E[2].msg, "child.bpf.c:9: error in sub", "sub message");
	EXIT_IS(3, K, "child2", "other", "parent exiting");
	EXIT_IS(4, K, "root_sched", "other", "reenqueue limit");
	is_str(E[4].msg, "reenqueue limit hit", "other kind keeps its message");
	/* failed before: the flag was in neither output */
	ok(strstr(E[1].json, "\"sub\":true") != NULL, "sub-scheduler enable: \"sub\":true");
	ok(strstr(E[2].json, "\"sub\":true") != NULL, "sub-scheduler exit: \"sub\":true");
	ok(strstr(E[0].json, "\"sub\"") == NULL && strstr(E[4].json, "\"sub\"") == NULL,
	   "root scheduler: no sub key");
	ok(strstr(E[2].human_head, "(kernel, sub-scheduler)") != NULL, "human: sub-scheduler");
	ok(strstr(E[4].human_head, "sub-scheduler") == NULL, "human: root is not");
}

static void test_partial_crlf(void)
{
	is_int(run("partial_crlf.txt"), 2, "partial/CRLF/padded: 2 events");
	ENABLE_IS(0, "flash");
	ok(strstr(E[0].json, "\"partial\":true") != NULL, "enabled (partial): \"partial\":true");
	ok(strstr(E[1].json, "\"partial\"") == NULL, "the exit is not partial");
	EXIT_IS(1, K, "flash", "error", "runtime error");
	is_str(E[1].msg, "watchdog failed to check in for 2.500s", "padding trimmed");
	ok(!E[1].has_stall, "watchdog check-in is not a task stall");
	is_int(E[1].nbt, 2, "2-space frames");
	is_str(E[1].bt0, "scx_tick+0x7e/0xa0", "padded frame");
	ok(strstr(E[1].json, "\\r") == NULL && strstr(E[1].json, "   \"") == NULL,
	   "no CR or padding in raw");
}

static void test_joined(void)
{
	is_int(run("joined.txt"), 3, "joined records: 3 events");
	EXIT_IS(0, K, "rusty", "error", "runtime error");
	is_str(E[0].msg, "oops", "message from the joined half");
	is_int(E[0].nbt, 2, "joined frames");
	is_int(E[0].nraw, 4, "each record its own raw line");
	ENABLE_IS(1, "b");
	EXIT_IS(2, K, "b", "unreg", "unregistered from user space");
}

static void test_parens(void)
{
	is_int(run("nested_parens.txt"), 2, "nested parens: kernel + scheduler");
	is_str(E[0].msg, "main.bpf.c:101: bad [x] (a (b) c): d", "kernel message whole line");
	EXIT_IS(1, S, "", "error_bpf", "scx_bpf_error");
	is_str(E[1].msg, "main.bpf.c:101: bad [x] (a (b) c): d", "EXIT message to last ')'");
	ok(strstr(E[1].json, "\"scheduler\":") == NULL, "unknown scheduler omitted");
}

static void test_lookalikes(void)
{
	is_int(run("lookalikes.txt"), 0, "look-alikes: no events");
}

static void test_cut(void)
{
	is_int(run("cut.txt"), 2, "cut lines: 2 events");
	EXIT_IS(0, K, "cutme", "other", "runnable task st");
	is_str(E[0].msg, "kworker/0:1[12] failed to ru", "cut message kept");
	ok(!E[0].has_stall, "cut stall not parsed");
	is_int(E[0].nbt, 1, "cut frame is not a frame");
	EXIT_IS(1, K, "ok", "error_stall", "runnable task stall");
	ok(E[1].has_stall && E[1].msec == 1000, "last line without newline");
}

static void test_dump(void)
{
	is_int(run("sched_dump.txt"), 3, "scheduler output: 3 events");
	EXIT_IS(0, S, "bpfland_1.0.20_g1fc73cdb_x86_64_unknown_linux_gnu", "error_bpf",
		"scx_bpf_error");
	is_str(E[0].msg, "main.bpf.c:412: invalid CPU -1 (from dispatch)", "dump message");
	is_int(E[0].cpu, 3, "\"exit kind 1025 on CPU 3:\": cpu 3");
	ok(strstr(E[0].json, ",\"cpu\":3,") != NULL, "JSON \"cpu\":3");
	ok(strstr(E[0].human_tail, "\n  cpu: 3\n") != NULL, "human \"cpu: 3\"");
	is_int(E[1].cpu, -1, "an EXIT: line alone: no cpu");
	ok(strstr(E[1].json, "\"cpu\"") == NULL, "... and no \"cpu\" key");
	is_int(E[0].nbt, 3, "exit backtrace only");
	is_str(E[0].btlast, "bpf__sched_ext_ops_dispatch+0x4b/0xaf", "no per-task frames");
	ok(strstr(E[0].json, "do_syscall_64") == NULL, "4-space task stack excluded");
	ok(strstr(E[0].json, "\"Error: EXIT: scx_bpf_error") != NULL, "Error: EXIT in raw");
	EXIT_IS(1, S, "", "unreg", "unregistered from user space");
	is_int(E[1].nraw, 1, "^CEXIT line");
	EXIT_IS(2, S, "", "unreg_kern", "Scheduler unregistered from the main kernel");
	is_str(E[2].msg, "expected hotplug seq 3 did not match actual 4", "6.11 EXIT message");
}

static void test_both(void)
{
	is_int(run("both_origins.txt"), 2, "kernel + scheduler output: exactly 2 events");
	EXIT_IS(0, K, "ktbox_test", "error_bpf", "scx_bpf_error");
	EXIT_IS(1, S, "ktbox_test", "error_bpf", "scx_bpf_error");
	is_int(E[1].cpu, -1, "\"exit kind 1025:\" (a kernel without \"on CPU\"): no cpu");
	ok(strstr(E[1].json, "\"cpu\"") == NULL, "... and no \"cpu\" key");
	is_int(E[0].cpu, -1, "the kernel's log lines name no cpu");
	is_int(E[0].nbt, 4, "kernel backtrace not doubled");
	is_int(E[1].nbt, 4, "scheduler backtrace not doubled");
	is_str(E[0].msg, "ktbox_test.bpf.c:42: failing on command (code 7)", "kernel msg");
	is_str(E[1].msg, "ktbox_test.bpf.c:42: failing on command (code 7)", "sched msg");
}

static void test_console(void)
{
	is_int(run("console_interleaved.txt"), 3, "console: enable + one exit of each origin");
	ENABLE_IS(0, "ktbox_test");
	EXIT_IS(1, S, "", "error_bpf", "scx_bpf_error");
	is_str(E[1].msg, "ktbox_test: forced error after 100 dispatches (cpu 1)",
	       "scheduler message despite kernel lines inside the dump");
	is_int(E[1].nbt, 2, "dump backtrace: 2-space frames only");
	EXIT_IS(2, K, "ktbox_test", "error_bpf", "scx_bpf_error");
	is_str(E[2].msg, "ktbox_test: forced error after 100 dispatches (cpu 1)",
	       "kernel message inside the dump");
	is_int(E[2].nbt, 3, "kernel frames across unprefixed scheduler lines");
	is_str(E[2].btlast, "balance_one+0x9c/0x2b0", "kernel's last frame");
}

static void test_nul_huge(void)
{
	is_int(run("nul_huge.txt"), 2, "NUL bytes and huge lines: 2 events");
	EXIT_IS(0, K, "nul", "error", "runtime error");
	is_str(E[0].msg, "bad byte", "NUL dropped from message");
	is_str(E[0].bt0, "kthread+0xd2/0x100", "NUL inside a frame dropped");
	EXIT_IS(1, K, "huge", "error_bpf", "scx_bpf_error");
	is_int(strlen(E[1].msg), 511, "100 KB message kept (test buffer caps)");
	is_int(E[1].nbt, 1, "frame after huge line");
}

/* The dump header's "on CPU C" (newer kernels) and what is not one. */
static void test_cpu(void)
{
	static const char *const hdr[] = {
		"a[1] triggered exit kind 1025 on CPU 12:",
		"a[1] triggered exit kind 1025:",
		"a[1] triggered exit kind 1025 on CPU x:",
		"a[1] triggered exit kind 1025 on CPU 7",
		"a[1] triggered exit kind 1025 on CPU :",
		"a[1] triggered exit kind 1025 on cpu 4:",
	};
	static const long long want[] = {12, -1, -1, -1, -1, -1};

	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		char buf[512];
		int n = snprintf(buf, sizeof(buf),
				 "%s\n  scx_bpf_error (m)\n\nBacktrace:\n  f+0x1/0x2\n", hdr[i]);

		is_int(run_buf(buf, (size_t)n), 1, "'%s': one event", hdr[i]);
		is_int(N ? E[0].cpu : -2, want[i], "'%s': cpu", hdr[i]);
	}
}

/* The counters of a dump's "Event counters" section and root/events. */
static void test_counters(void)
{
	struct scx_counter k[SCX_MAX_COUNTERS], one;
	char path[512];
	size_t n = 0, got;
	char *buf;
	static const char sysrq[] = "a[1] triggered exit kind 0:\n  SysRq-D ()\n\nEvent counters\n"
				    "--------------\n   SCX_EV_X:   5\n"
				    "b[2] triggered exit kind 1024 on CPU 1:\n  runtime error (m)\n"
				    "Event counters\n--------------\n   SCX_EV_X:   7\n"
				    "   SCX_EV_Y_2:   -3\n====\n   SCX_EV_Z:   1\n";
	static const char before[] = "Event counters\n--------------\n   SCX_EV_X:   5\n";
	static const char norule[] = "b[2] triggered exit kind 1024:\n  runtime error (m)\n"
				     "Event counters\n   SCX_EV_X:   7\n";

	snprintf(path, sizeof(path), "%s/tests/fixtures/kmsg/sched_dump_72.txt",
		 getenv("TOP") ? getenv("TOP") : ".");
	buf = kt_read_file(NULL, path, 1 << 20, &n);
	if (ok(buf != NULL, "read %s", path)) {
		got = scx_dump_counters(buf, n, k, SCX_MAX_COUNTERS);
		is_int(got, 13, "the 7.2 guest's dump: 13 counters");
		is_str(got ? k[0].name : "", "select_cpu_fallback", "first: its root/events key");
		is_str(got > 2 ? k[2].name : "", "dispatch_keep_last", "third's key");
		is_int(got > 2 ? k[2].value : -1, 34, "third's value");
		is_int(got > 8 ? k[8].value : -1, 49628746, "bypass_duration's value");
		is_int(scx_dump_counters(buf, n, k, 4), 4, "at most MAX");
	}
	free(buf);
	got = scx_dump_counters(sysrq, sizeof(sysrq) - 1, k, SCX_MAX_COUNTERS);
	is_int(got, 2, "a SysRq-D dump (kind 0) skipped, the exit's section up to its end");
	is_str(got ? k[0].name : "", "x", "... its first");
	is_int(got ? k[0].value : 0, 7, "... the exit's value, not SysRq-D's");
	is_int(got > 1 ? k[1].value : 0, -3, "... a negative value");
	is_int(scx_dump_counters(before, sizeof(before) - 1, k, SCX_MAX_COUNTERS), 0,
	       "a section before any exit header: none");
	is_int(scx_dump_counters(norule, sizeof(norule) - 1, k, SCX_MAX_COUNTERS), 0,
	       "no ---- rule under the heading: none");
	ok(scx_counter_line(LITERAL_ARGS("SCX_EV_BYPASS_DURATION 123"), &one) &&
		   !strcmp(one.name, "bypass_duration") && one.value == 123,
	   "root/events line");
	ok(!scx_counter_line(LITERAL_ARGS("SCX_EV_A 12x"), &one), "trailing junk: not a line");
	ok(!scx_counter_line(LITERAL_ARGS("SCX_EV_ 1"), &one), "no name: not a line");
	ok(!scx_counter_line(LITERAL_ARGS("SCX_EV_A: 99999999999999999999"), &one),
	   "over 19 digits: not a line");
}

static void test_helpers(void)
{
	const char *c;
	size_t cl;
	int64_t pid;
	uint64_t ms;
	struct scx_frame f;

	is_int(scx_kind_from_reason(LITERAL_ARGS("runtime error")), SCX_KIND_ERROR, "kind error");
	is_int(scx_kind_from_reason(LITERAL_ARGS("runtime errors")), SCX_KIND_OTHER,
	       "no keyword guessing");
	is_int(scx_kind_from_reason(LITERAL_ARGS("BPF scheduler unregistered")), SCX_KIND_UNREG,
	       "oldest OOT unreg");
	is_int(scx_kind_from_reason(LITERAL_ARGS("Scheduler unregistered from BPF")),
	       SCX_KIND_UNREG_BPF, "6.11 unreg_bpf");
	is_int(scx_kind_from_code(1026), SCX_KIND_ERROR_STALL, "code 1026");
	is_int(scx_kind_from_code(68), SCX_KIND_OTHER, "code 68 (parent)");
	ok(scx_parse_stall(LITERAL_ARGS("a [b][7] failed to run for 0.010s"), &c, &cl, &pid, &ms) &&
		   cl == 5 && !memcmp(c, "a [b]", 5) && pid == 7 && ms == 10,
	   "stall: comm with brackets");
	ok(!scx_parse_stall(LITERAL_ARGS("x[] failed to run for 1.000s"), &c, &cl, &pid, &ms),
	   "stall: empty pid");
	ok(!scx_parse_stall(LITERAL_ARGS("x[1] failed to run for 1.0s"), &c, &cl, &pid, &ms),
	   "stall: needs 3 decimals");
	ok(scx_parse_frame(LITERAL_ARGS("   foo.part.0+0x0/0xe0 [mod 0123abcd] (f.c:1)"), 2, 3,
			   &f) &&
		   f.offset == 0 && f.size == 0xe0 && !strcmp(f.module, "mod"),
	   "frame with build id, lineinfo");
	scx_frame_clear(&f);
	ok(!scx_parse_frame(LITERAL_ARGS(" foo+0x1/0x2"), 2, 3, &f), "1-space frame rejected");
	ok(!scx_parse_frame(LITERAL_ARGS("    foo+0x1/0x2"), 2, 3, &f), "4-space frame rejected");
	ok(!scx_parse_frame(LITERAL_ARGS("   ? foo+0x1/0x2"), 2, 3, &f),
	   "unreliable frame rejected");
	ok(!scx_parse_frame(LITERAL_ARGS("   foo+0x1/0x2x"), 2, 3, &f), "run-on token rejected");
	ok(!scx_parse_frame(LITERAL_ARGS("   text foo+0x1/0x2"), 2, 3, &f), "text before token");
}

static void test_interleave(void)
{
	static const char a[] = "sched_ext: BPF scheduler \"s\" disabled (runtime error)\n"
				"usb 1-1: unrelated\n"
				"sched_ext: s: late message\n"
				"   kthread+0xd2/0x100\n";
	static const char b[] = "sched_ext: BPF scheduler \"s\" disabled (runtime error)\n"
				"usb 1-1: unrelated\n"
				"   other_stack+0x1/0x2\n";

	is_int(run_buf(a, sizeof(a) - 1), 1, "interleaved line before the message");
	is_str(E[0].msg, "late message", "message found past an unrelated line");
	is_int(E[0].nbt, 1, "frames after that message");
	is_int(run_buf(b, sizeof(b) - 1), 1, "no message, unrelated line, frame");
	is_int(E[0].nbt, 0, "a frame after unrelated lines is not the exit's");
}

static void test_stream(void)
{
	struct scx_parser p;
	char l1[] = "sched_ext: BPF scheduler \"s\" disabled (runtime error)";
	char l2[] = "   kthread+0xd2/0x100";

	N = 0;
	scx_parser_init(&p, on_ev, NULL);
	scx_parser_feed(&p, l1, strlen(l1));
	ok(scx_parser_pending(&p) && N == 0, "error exit stays open for its tail");
	scx_parser_feed(&p, l2, strlen(l2));
	ok(N == 0, "frame extends it");
	scx_parser_flush(&p);
	ok(N == 1 && E[0].nbt == 1 && !scx_parser_pending(&p), "flush emits it");
	scx_parser_free(&p);
}

/* The idle fast path (skipping lines that cannot open an event) gives
 * exactly what parsing every line gives. */
static void collect_json(const struct scx_event *ev, void *arg)
{
	struct jw w;

	jw_init_buf(&w, arg, 0);
	scx_event_json(&w, ev);
	kt_buf_putc(arg, '\n');
}

static void scx_parser_feed_line_cb(char *line, size_t len, void *arg)
{
	scx_parser_feed(arg, line, len);
}

static size_t skip_cb(void *arg, const char *data, size_t n)
{
	return scx_parser_skip(arg, data, n, NULL);
}

/* VARIANT 0: fast path, whole buffer; 1: every line parsed; 2..: fast path
 * fed in chunks of 1, 13 and 4096 bytes (chunk edges inside lines). */
static void window_run(struct kt_buf *out, int variant, const char *buf, size_t len)
{
	static const size_t chunk[] = {0, 0, 1, 13, 4096};
	struct scx_parser p;
	struct kmsg_splitter sp;
	char *copy = malloc(len + 1);
	size_t step = chunk[variant] ? chunk[variant] : len;

	memcpy(copy, buf, len);
	scx_parser_init(&p, collect_json, out);
	p.parse_all = variant == 1;
	kmsg_split_init(&sp, 0, scx_parser_feed_line_cb, &p);
	if (variant != 1)
		sp.skip = skip_cb;
	for (size_t i = 0; i < len; i += step)
		kmsg_split_feed_inplace(&sp, copy + i, len - i < step ? len - i : step);
	kmsg_split_finish(&sp);
	scx_parser_flush(&p);
	kt_buf_printf(out, "lines %llu\n", (unsigned long long)p.nline);
	scx_parser_free(&p);
	kmsg_split_free(&sp);
	free(copy);
}

static void window_both(const char *name, char *buf, size_t len)
{
	struct kt_buf full = {0};

	window_run(&full, 1, buf, len);
	for (int v = 0; v < 5; v++) {
		struct kt_buf fast = {0};

		if (v == 1)
			continue;
		window_run(&fast, v, buf, len);
		is_str(fast.p ? fast.p : "", full.p ? full.p : "",
		       "%s: fast path (variant %d) == full parse, line count too", name, v);
		kt_buf_free(&fast);
	}
	kt_buf_free(&full);
}

static void test_fastpath(void)
{
	static const char *const names[] = {
		"dmesg_612.txt",
		"kmsg_records.txt",
		"dmesg_levels.txt",
		"printk_caller.txt",
		"journal_localized.txt",
		"journal_iso.txt",
		"oot.txt",
		"sub_sched.txt",
		"partial_crlf.txt",
		"joined.txt",
		"nested_parens.txt",
		"lookalikes.txt",
		"cut.txt",
		"sched_dump.txt",
		"both_origins.txt",
		"nul_huge.txt",
		"console_interleaved.txt",
		"mangled_indent.txt",
		"mangled_prefix.txt",
		"mangled_nobanner.txt",
		"mangled_prompt.txt",
		"mangled_negative.txt",
		"mangled_future.txt",
	};
	const char *top = getenv("TOP");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		size_t len = 0;
		char *buf;

		snprintf(path, sizeof(path), "%s/tests/fixtures/kmsg/%s", top ? top : ".",
			 names[i]);
		buf = kt_read_file(NULL, path, 64 << 20, &len);
		if (!ok(buf != NULL, "read %s", names[i]))
			continue;
		window_both(names[i], buf, len);
		free(buf);
	}
}

/* Logs as people paste them (issue 13, section 4): each of these failed
 * before the content-keyed reader (frames only at 2-3 spaces, prefixes
 * only of known shapes, dumps only from their banner). */
static void test_mangled(void)
{
	is_int(run("mangled_indent.txt"), 4, "quoted / re-indented: 4 events");
	EXIT_IS(0, K, "bpfland", "error_stall", "runnable task stall");
	is_int(E[0].nbt, 5, "frames at 0, 1, 3 and 6 spaces after '>' quoting");
	ok(strstr(E[0].json, "\"timestamp\":31456.56") != NULL,
	   "dmesg time stamp read behind the quoting");
	ENABLE_IS(1, "bpfland");
	EXIT_IS(2, K, "rusty", "error_stall", "runnable task stall");
	is_int(E[2].nbt, 3, "OOT frames at any indentation under indented journal lines");
	EXIT_IS(3, S, "", "error_stall", "runnable task stall");
	is_int(E[3].nbt, 3, "re-indented dump: backtrace frames only");
	is_str(E[3].msg, "yes[1632] failed to run for 5.314s", "dump message");

	is_int(run("mangled_prefix.txt"), 4, "ad-hoc time prefixes: 4 events");
	ENABLE_IS(0, "bpfland");
	EXIT_IS(1, K, "bpfland", "error_stall", "runnable task stall");
	is_int(E[1].nbt, 3, "frames under a '2025-… | ' prefix, unrelated line ends them");
	EXIT_IS(2, K, "lavd", "error_bpf", "scx_bpf_error");
	is_str(E[2].msg, "task_ctx_stor first lookup failed", "message under a 'T+N.Ns' prefix");
	is_int(E[2].nbt, 2, "frames under a prefix whose digits grow");
	EXIT_IS(3, S, "", "error_bpf", "scx_bpf_error");
	is_int(E[3].nbt, 2, "dump frames under a '<HH:MM:SS.f> ' prefix");

	is_int(run("mangled_nobanner.txt"), 2, "dumps without banner: 2 events");
	EXIT_IS(0, S, "", "error_stall", "runnable task stall");
	is_int(E[0].nbt, 3, "banner-less dump backtrace");
	is_int(E[0].pid, 105, "banner-less dump stall pid");
	EXIT_IS(1, S, "", "error", "runtime error");
	is_str(E[1].msg, "RCU CPU stall detected!", "'… on CPU N:' header, comm with spaces");
	is_int(E[1].cpu, 3, "banner-less '… on CPU 3:' header: cpu 3");
	is_int(E[0].cpu, -1, "banner-less header without 'on CPU': no cpu");
	is_int(E[1].nbt, 2, "banner-less dump frames under [ts]");

	is_int(run("mangled_prompt.txt"), 4, "terminal noise in front: 4 events");
	EXIT_IS(0, S, "", "unreg", "unregistered from user space");
	EXIT_IS(1, K, "rusty", "error", "runtime error");
	is_str(E[1].msg, "ops.init() failed (-22)", "kernel line after a shell prompt");
	is_int(E[1].nbt, 1, "its frame");
	EXIT_IS(2, S, "", "unreg_bpf", "unregistered from BPF");
	EXIT_IS(3, S, "", "error_stall", "runnable task stall");
	is_str(E[3].msg, "watchdog failed to check in for 30.001s", "EXIT inside HTML");

	is_int(run("mangled_negative.txt"), 0, "mangled look-alikes: no event");

	/* failed before: both names unknown, the sub-scheduler's dump lost */
	is_int(run("mangled_gaps.txt"), 3, "name line before a banner-less header: 3 events");
	EXIT_IS(0, S, "scx_layered", "error_stall", "runnable task stall");
	is_int(E[0].nbt, 2, "its frames");
	EXIT_IS(1, S, "scx_child", "error", "runtime error");
	ok(strstr(E[1].json, "\"[12.5] scx_child: sub3-4242 /workload.slice\"") != NULL,
	   "the name line is the event's first raw line");
	is_int(E[1].nbt, 1, "frame under [ts]");
	is_int(E[1].cpu, 2, "'… on CPU 2:' under a time stamp: cpu 2");
	EXIT_IS(2, S, "", "error_bpf", "scx_bpf_error");
	is_str(E[2].msg, "no name for this one", "a name line two lines up names nothing");

	/* failed before: no time stamp on events behind a prompt */
	is_int(run("mangled_prompt_ts.txt"), 5, "time stamps behind a prompt: 5 events");
	EXIT_IS(0, K, "rusty", "error", "runtime error");
	ok(strstr(E[0].json, "\"timestamp\":51.127238") != NULL, "[ts] after '# ' read");
	ENABLE_IS(1, "lavd");
	ok(strstr(E[1].json, "\"timestamp\":60.5") != NULL, "[ts] after '$ ' read");
	for (int i = 2; i < 5; i++)
		ok(!strstr(E[i].json, "\"timestamp\""), "look-alike stamp %d not read", i);
}

/* Reasons no table knows (a newer kernel's): failed before, the bare EXIT
 * lines gave no event and a prefixed dump kept its prefix in the reason
 * (and lost its backtrace). */
static void test_future(void)
{
	is_int(run("mangled_future.txt"), 6, "unknown reasons: 6 events, look-alikes none");
	EXIT_IS(0, S, "", "other", "a future reason");
	is_str(E[0].msg, "why", "bare EXIT: message");
	EXIT_IS(1, S, "", "other", "another new-kind of exit");
	ok(strstr(E[1].json, "\"message\"") == NULL, "no message, no key");
	EXIT_IS(2, S, "", "other", "rescue budget gone");
	is_str(E[2].msg, "cpu 3: 12 tasks starved", "Error: EXIT: message with ':'");
	EXIT_IS(3, S, "", "other", "a future reason");
	is_str(E[3].msg, "why (nested)", "dump: nested parentheses");
	is_int(E[3].nbt, 2, "banner-less dump under 'T+N.Ns': its frames");
	EXIT_IS(4, S, "", "other", "yet another reason");
	is_int(E[4].nbt, 1, "under a syslog prefix: its frame");
	EXIT_IS(5, S, "", "other", "one more reason");
	is_str(E[5].msg, "a msg", "prefix with a double blank: message");
	is_int(E[5].nbt, 2, "prefix with a double blank: frames");
	for (int i = 0; i < N; i++)
		ok(!strstr(E[i].reason, "T+") && !strstr(E[i].reason, "vm7") &&
			   !strstr(E[i].reason, "|"),
		   "event %d: no prefix in the reason", i);
}

/* Bounds say what they cut (issue 13 §3): failed before, no marker. */
static void test_limits(void)
{
	struct kt_buf b = {0};

	kt_buf_puts(&b, "[ 1.0] sched_ext: BPF scheduler \"deep\" disabled (runtime error)\n"
			"[ 1.0] sched_ext: deep: recursion\n");
	for (int i = 0; i < 200; i++)
		kt_buf_printf(&b, "[ 1.0]    f%d+0x1/0x10\n", i);
	kt_buf_puts(&b, "[ 1.1] sched_ext: BPF scheduler \"long\" disabled (runtime error)\n"
			"[ 1.1] sched_ext: long: ");
	for (int i = 0; i < 70000; i++)
		kt_buf_putc(&b, 'x');
	kt_buf_puts(&b, "\n[ 1.2] sched_ext: BPF scheduler \"fine\" disabled (runtime error)\n"
			"[ 1.2] sched_ext: fine: ok\n[ 1.2]    kthread+0xd2/0x100\n");
	is_int(run_buf(b.p, b.len), 3, "limits: 3 events");
	is_int(E[0].nbt, SCX_MAX_FRAMES, "frames capped");
	ok(E[0].json_trunc, "capped frames: \"truncated\": true");
	ok(strstr(E[0].human_tail, "truncated: more than 128 frames") != NULL,
	   "capped frames: human marker");
	ok(E[1].json_trunc, "line over the cap: \"truncated\": true");
	ok(strstr(E[1].human_tail, "line over the line cap (message cut)") != NULL,
	   "line over the cap: human marker");
	ok(!E[2].json_trunc && !strstr(E[2].human_tail, "truncated"), "whole event: no marker");
	kt_buf_free(&b);
}

/* Control bytes from the input never reach human output raw (failed before:
 * a message holding \x0aFAKE: printed a forged line). */
static void test_escape(void)
{
	static const char log[] =
		"3,1,2,-;sched_ext: BPF scheduler \"esc\" disabled (runtime error)\n"
		"3,2,3,-;sched_ext: esc: boom\\x0a  reason: forged\\x1b[31m\\x07\n";

	is_int(run_buf(LITERAL_ARGS(log)), 1, "escape: 1 event");
	is_str(E[0].msg, "boom\n  reason: forged\x1b[31m\a", "message keeps the bytes");
	ok(!E[0].human_ctrl, "human output has no raw control byte");
	ok(strstr(E[0].human_tail, "boom\\x0a  reason: forged\\x1b[31m\\x07") != NULL,
	   "control bytes as \\xNN");
	ok(strstr(E[0].json, "boom\\n  reason: forged\\u001b[31m\\u0007") != NULL,
	   "JSON escapes them as before");
}

/* jw_udec_g writes what jw_double writes, inside its fast range and out */
static void test_json_dec(void)
{
	static const uint64_t edge[] = {0,
					1,
					9,
					99,
					100,
					101,
					1000,
					999999,
					1000000,
					1024600,
					5000000,
					123456789012ULL,
					999999999999ULL,
					1000000000000ULL,
					1000000000001ULL,
					UINT64_MAX / 3};
	unsigned bad = 0, n = 0;
	uint64_t x = 88172645463325252ULL;

	for (unsigned frac = 0; frac <= 6; frac += 3) {
		for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]) + 20000; i++) {
			struct kt_buf a = {0}, b = {0};
			struct jw wa, wb;
			uint64_t v, scale = frac == 6 ? 1000000 : frac == 3 ? 1000 : 1;

			if (i < sizeof(edge) / sizeof(edge[0])) {
				v = edge[i];
			} else {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v = x % (1ULL << (x % 44 + 1)); /* all magnitudes */
			}
			jw_init_buf(&wa, &a, 0);
			jw_init_buf(&wb, &b, 0);
			jw_obj_open(&wa);
			jw_obj_open(&wb);
			jw_kudec_g(&wa, "t", v, frac);
			jw_kdouble(&wb, "t", (double)v / (double)scale);
			jw_obj_close(&wa);
			jw_obj_close(&wb);
			n++;
			if (a.len != b.len || memcmp(a.p, b.p, a.len)) {
				if (bad++ < 3)
					printf("# v=%llu frac=%u: %s vs %s\n",
					       (unsigned long long)v, frac, a.p, b.p);
			}
			kt_buf_free(&a);
			kt_buf_free(&b);
		}
	}
	ok(!bad, "jw_udec_g == jw_double on %u values (%u differ)", n, bad);
}

int main(void)
{
	test_json_dec();
	test_dmesg_612();
	test_records();
	test_levels();
	test_caller();
	test_journal();
	test_oot();
	test_sub();
	test_partial_crlf();
	test_joined();
	test_parens();
	test_lookalikes();
	test_cut();
	test_dump();
	test_both();
	test_console();
	test_nul_huge();
	test_helpers();
	test_cpu();
	test_counters();
	test_interleave();
	test_stream();
	test_mangled();
	test_future();
	test_limits();
	test_escape();
	test_fastpath();
	return tap_done();
}
