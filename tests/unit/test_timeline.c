// SPDX-License-Identifier: MIT
/*
 * Timeline records: ktstr's layout byte by byte, every type, text joining,
 * truncated tails, the capture file (header errors, cut files), the report
 * figures on a crafted schedule, and the Chrome export's structure.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "jsonr.h"
#include "tap.h"
#include "timeline.h"

static unsigned char *rec(unsigned char *p, uint32_t type, uint32_t cpu, uint64_t ts, uint32_t pp,
			  uint32_t np, uint64_t a, uint64_t b)
{
	struct timeline_event e = {type, cpu, ts, pp, np, a, b};

	memcpy(p, &e, sizeof(e));
	return p + TL_RECORD_SIZE;
}

/* A header and its text continuations. */
static unsigned char *text_rec(unsigned char *p, uint32_t type, uint32_t cpu, uint64_t ts,
			       uint32_t tid, uint64_t a, uint64_t b, const char *s)
{
	size_t n = strlen(s);

	p = rec(p, type, cpu, ts, tid, (uint32_t)n, a, b);
	for (size_t off = 0; off < n; off += TL_TEXT_CHUNK) {
		memset(p, 0, TL_RECORD_SIZE);
		rec(p, TL_EVT_TEXT, cpu, ts, 0, 0, 0, 0);
		memcpy(p + 16, s + off, n - off < TL_TEXT_CHUNK ? n - off : TL_TEXT_CHUNK);
		p += TL_RECORD_SIZE;
	}
	return p;
}

static const char *json_of(const struct tl_event *ev)
{
	static struct kt_buf b;
	struct jw w;

	kt_buf_reset(&b);
	jw_init_buf(&w, &b, 0);
	tl_event_json(&w, ev);
	return b.p ? b.p : "";
}

static void test_layout(void)
{
	/* ktstr's layout, pinned byte by byte */
	static const unsigned char want[40] = {
		0x01, 0,    0,	  0,		 /* type 1 */
		0x03, 0,    0,	  0,		 /* cpu 3 */
		0x40, 0x42, 0x0f, 0, 0, 0, 0, 0, /* ts 1000000 */
		0x64, 0,    0,	  0,		 /* prev_pid 100 */
		0xc8, 0,    0,	  0,		 /* next_pid 200 */
		0x02, 0x04, 0,	  0, 0, 0, 0, 0, /* a 0x402 */
		0x01, 0,    0,	  0, 0, 0, 0, 0, /* b 1 */
	};
	unsigned char got[40];
	struct tl_event ev;

	is_int(sizeof(struct timeline_event), 40, "record is 40 bytes");
	is_int(offsetof(struct timeline_event, type), 0, "type at 0");
	is_int(offsetof(struct timeline_event, cpu), 4, "cpu at 4");
	is_int(offsetof(struct timeline_event, ts), 8, "ts at 8");
	is_int(offsetof(struct timeline_event, prev_pid), 16, "prev_pid at 16");
	is_int(offsetof(struct timeline_event, next_pid), 20, "next_pid at 20");
	is_int(offsetof(struct timeline_event, a), 24, "a at 24");
	is_int(offsetof(struct timeline_event, b), 32, "b at 32");
	rec(got, TL_EVT_SWITCH, 3, 1000000, 100, 200, 0x402, 1);
	ok(!memcmp(got, want, 40), "switch record bytes are ktstr's");
	ok(!parse_record(want, 40, &ev), "parse the pinned bytes");
	ok(ev.kind == TL_K_SWITCH && ev.raw.cpu == 3 && ev.raw.ts == 1000000 &&
		   ev.sw.prev_pid == 100 && ev.sw.next_pid == 200 && ev.sw.prev_state == 0x402 &&
		   ev.sw.preempt,
	   "switch fields");
	is_str(json_of(&ev),
	       "{\"kind\":\"Switch\",\"ts\":1000000,\"cpu\":3,\"prev_pid\":100,\"next_pid\":200,"
	       "\"prev_state\":1026,\"preempt\":true}",
	       "Switch JSON in ktstr's shape");
	errno = 0;
	ok(parse_record(want, 39, &ev) == -1 && errno == EINVAL, "39 bytes: error");
	ok(parse_record(want, 0, &ev) == -1, "0 bytes: error");
}

static void test_types(void)
{
	static const struct {
		uint32_t type, pp, np;
		uint64_t a, b;
		const char *json;
	} t[] = {
		{TL_EVT_MIGRATE, 555, 0, 7, 2,
		 "{\"kind\":\"Migrate\",\"ts\":5,\"cpu\":1,\"pid\":555,\"orig_cpu\":2,\"dest_cpu\":"
		 "7}"},
		{TL_EVT_WAKEUP, 777, 0, 4, 0,
		 "{\"kind\":\"Wakeup\",\"ts\":5,\"cpu\":1,\"pid\":777,\"target_cpu\":4}"},
		{TL_EVT_PI_BOOST, 10, 11, 120 | 2ull << 32, 98 | 1ull << 32,
		 "{\"kind\":\"PiBoost\",\"ts\":5,\"cpu\":1,\"prober_tid\":10,\"pid\":11,"
		 "\"old_prio\":120,\"old_class_id\":2,\"new_prio\":98,\"new_class_id\":1}"},
		{TL_EVT_LOCK_CONTEND, 99, 0, 0xffffffff80001000ull, 4,
		 "{\"kind\":\"LockContend\",\"ts\":5,\"cpu\":1,\"tid\":99,"
		 "\"lock_kva\":18446744071562072064,\"flags\":4}"},
		{TL_EVT_WAKEUP_NEW, 42, 0, 3, 0,
		 "{\"kind\":\"WakeupNew\",\"ts\":5,\"cpu\":1,\"pid\":42,\"target_cpu\":3}"},
		{TL_EVT_WAKING, 42, 0, 3, 0,
		 "{\"kind\":\"Waking\",\"ts\":5,\"cpu\":1,\"pid\":42,\"target_cpu\":3}"},
		{TL_EVT_FORK, 10, 20, 10, 10,
		 "{\"kind\":\"Fork\",\"ts\":5,\"cpu\":1,\"parent_pid\":10,\"child_pid\":20,"
		 "\"parent_tgid\":10,\"child_tgid\":10}"},
		{TL_EVT_EXIT, 20, 10, 0, 0xffffffffull,
		 "{\"kind\":\"Exit\",\"ts\":5,\"cpu\":1,\"pid\":20,\"tgid\":10,\"group_dead\":"
		 "false,"
		 "\"exit_code\":-1}"},
		{TL_EVT_EXEC, 20, 21, 20, 0,
		 "{\"kind\":\"Exec\",\"ts\":5,\"cpu\":1,\"pid\":20,\"old_pid\":21,\"tgid\":20}"},
		{6, 1, 2, 3, 4,
		 "{\"kind\":\"Unknown\",\"ts\":5,\"cpu\":1,\"type_\":6,\"prev_pid\":1,"
		 "\"next_pid\":2,\"a\":3,\"b\":4}"},
		{0xdeadbeef, 0xffffffff, 0, ~0ull, 0,
		 "{\"kind\":\"Unknown\",\"ts\":5,\"cpu\":1,\"type_\":3735928559,"
		 "\"prev_pid\":4294967295,\"next_pid\":0,\"a\":18446744073709551615,\"b\":0}"},
	};
	unsigned char b[40];
	struct tl_event ev;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rec(b, t[i].type, 1, 5, t[i].pp, t[i].np, t[i].a, t[i].b);
		parse_record(b, 40, &ev);
		is_str(json_of(&ev), t[i].json, "type %u", t[i].type);
	}
	/* comm: 16 bytes in a and b */
	memset(b, 0, 40);
	rec(b, TL_EVT_COMM, 0, 9, 123, 120, 0, 0);
	memcpy(b + 24, "ping-pong-helper", 16);
	parse_record(b, 40, &ev);
	is_str(json_of(&ev),
	       "{\"kind\":\"Comm\",\"ts\":9,\"cpu\":0,\"pid\":123,\"tgid\":120,"
	       "\"comm\":\"ping-pong-helper\"}",
	       "Comm with a full 16-byte name");
	rec(b, TL_EVT_COMM, TL_CPU_NONE, 9, 1, 1, 0, 0);
	memcpy(b + 24, "init", 4);
	parse_record(b, 40, &ev);
	is_str(json_of(&ev), "{\"kind\":\"Comm\",\"ts\":9,\"pid\":1,\"tgid\":1,\"comm\":\"init\"}",
	       "no CPU: the key is omitted");
	/* state letters */
	is_str(tl_state_str(0, false), "R", "state 0 R");
	is_str(tl_state_str(0, true), "R+", "preempted R+");
	is_str(tl_state_str(1, false), "S", "1 S");
	is_str(tl_state_str(2, false), "D", "2 D");
	is_str(tl_state_str(0x402, false), "I", "TASK_IDLE I");
	is_str(tl_state_str(0x4, false), "T", "stopped T");
	is_str(tl_state_str(0x8, false), "t", "traced t");
	is_str(tl_state_str(0x20, false), "Z", "zombie Z");
	is_str(tl_state_str(0x80, false), "I", "TASK_DEAD 0x80 prints I (TASK_REPORT_IDLE bit)");
	is_str(tl_state_str(0x101, false), "S", "wakekill|interruptible S");
}

static void test_buf(void)
{
	unsigned char b[40 * 16], *p = b;
	struct tl_events e;

	p = rec(p, TL_EVT_SWITCH, 0, 1, 1, 2, 1, 0);
	p = text_rec(p, TL_EVT_SCX_EVENT, 0, 2, 7, (uint64_t)-3, 0, "SCX_EV_SELECT_CPU_FALLBACK");
	p = text_rec(p, TL_EVT_SCX_DUMP, 1, 3, 8, 5, 0, "short");
	p = rec(p, 99, 2, 4, 1, 2, 3, 4);
	/* a header whose continuation is missing */
	p = rec(p, TL_EVT_SCX_EXIT, 1, 6, 1, 30, 1024, TL_SCX_EXIT_SRC_TP);
	p = rec(p, TL_EVT_WAKEUP, 1, 7, 5, 0, 1, 0);
	/* an orphan text record */
	memset(p, 0, 40);
	rec(p, TL_EVT_TEXT, 3, 8, 0, 0, 0, 0);
	memcpy(p + 16, "orphan", 6);
	p += 40;
	memcpy(p, b, 17); /* a torn record */
	ok(!parse_buf(b, (size_t)(p - b) + 17, &e), "parse_buf");
	is_int(e.n, 7, "7 events (text continuations joined)");
	is_int(e.tail, 17, "17-byte torn tail reported");
	ok(e.ev[1].kind == TL_K_SCX_EVENT && e.ev[1].text &&
		   !strcmp(e.ev[1].text, "SCX_EV_SELECT_CPU_FALLBACK") && !e.ev[1].text_cut &&
		   e.ev[1].scx_event.delta == -3,
	   "ScxEvent name over two text records");
	is_str(json_of(&e.ev[1]),
	       "{\"kind\":\"ScxEvent\",\"ts\":2,\"cpu\":0,\"tid\":7,"
	       "\"name\":\"SCX_EV_SELECT_CPU_FALLBACK\",\"delta\":-3}",
	       "ScxEvent JSON");
	is_str(json_of(&e.ev[2]),
	       "{\"kind\":\"ScxDump\",\"ts\":3,\"cpu\":1,\"tid\":8,\"seq\":5,"
	       "\"line\":\"short\"}",
	       "ScxDump JSON");
	ok(e.ev[3].kind == TL_K_UNKNOWN && e.ev[3].raw.type == 99, "unknown type kept");
	ok(e.ev[4].kind == TL_K_SCX_EXIT && e.ev[4].text_cut && e.ev[4].text_len == 0,
	   "exit with its text missing: cut");
	is_str(json_of(&e.ev[4]),
	       "{\"kind\":\"ScxExit\",\"ts\":6,\"cpu\":1,\"tid\":1,"
	       "\"exit_kind\":1024,\"source\":\"tracepoint\",\"reason\":\"\",\"truncated\":true}",
	       "cut exit JSON says so");
	ok(e.ev[5].kind == TL_K_WAKEUP, "the record after a cut text is still read");
	ok(e.ev[6].kind == TL_K_TEXT && !strcmp(e.ev[6].text, "orphan"), "orphan text kept");
	tl_events_free(&e);

	ok(!parse_buf(b, 39, &e) && e.n == 0 && e.tail == 39, "39 bytes: no event, tail 39");
	tl_events_free(&e);
	ok(!parse_buf(b, 0, &e) && e.n == 0 && e.tail == 0, "empty buffer");
	tl_events_free(&e);

	/* text longer than TL_TEXT_MAX is cut at it */
	{
		size_t n = TL_TEXT_MAX + 100, nrec = 1 + TL_TEXT_RECORDS(n);
		unsigned char *big = calloc(nrec, 40), *q = big;
		char *s = malloc(n + 1);

		memset(s, 'x', n);
		s[n] = '\0';
		text_rec(q, TL_EVT_SCX_DUMP, 0, 1, 1, 0, 0, s);
		ok(!parse_buf(big, nrec * 40, &e) && e.n == 1, "long dump line: one event");
		ok(e.n == 1 && e.ev[0].text_len == TL_TEXT_MAX && e.ev[0].text_cut,
		   "cut at TL_TEXT_MAX and flagged");
		tl_events_free(&e);
		free(s);
		free(big);
	}
}

static void test_sorted(void)
{
	unsigned char b[40 * 5], *p = b;
	struct tl_sorted s;
	struct tl_event ev;
	uint64_t want[] = {10, 11, 12, 13, 14}, got[5];
	size_t n = 0;

	p = rec(p, TL_EVT_WAKEUP, 0, 11, 1, 0, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 1, 10, 1, 0, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 0, 13, 1, 0, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 1, 12, 1, 0, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 0, 14, 1, 0, 0, 0);
	ok(!tl_sorted_init(&s, b, sizeof(b)), "sorted init");
	while (n < 5 && tl_sorted_next(&s, &ev))
		got[n++] = ev.raw.ts;
	ok(n == 5 && !memcmp(got, want, sizeof(want)), "events come out in time order");
	is_int(s.out_of_order, 0, "none out of order within the window");
	tl_sorted_free(&s);
}

/* ---- capture file ---- */

static char *write_file(size_t *len, bool trailer, uint64_t lost1)
{
	unsigned char r[80], *p = r;
	struct tl_file_header h;
	struct tl_writer w;
	uint64_t lost[2] = {0, lost1};
	char *mem = NULL;
	FILE *fp = open_memstream(&mem, len);

	p = rec(p, TL_EVT_SWITCH, 0, 100, 1, 2, 1, 0);
	rec(p, TL_EVT_WAKEUP, 1, 200, 1, 0, 0, 0);
	tl_header_init(&h, 2);
	h.attached = 1u << TL_AT_SWITCH | 1u << TL_AT_WAKEUP;
	tl_write_header(&w, fp, &h);
	tl_write_records(&w, r, 2);
	if (trailer)
		tl_write_trailer(&w, 300, 0, 7, lost, 2);
	fclose(fp);
	return mem;
}

static void test_file(void)
{
	struct tl_file f;
	size_t len;
	char *m = write_file(&len, true, 5);

	is_int(len, 512 + 80 + 64 + 16, "file size: header, 2 records, trailer for 2 CPUs");
	ok(!tl_file_parse(m, len, &f), "parse a whole file");
	ok(!f.cut && f.nrecords == 2 && f.end_ns == 300 && f.lost_ncpus == 2 && f.lost[1] == 5 &&
		   f.lost_total == 5,
	   "trailer: records, end, lost per CPU");
	ok(f.hdr.version == 2 && f.misses_known && f.recursion_misses == 7,
	   "version 2 trailer: recursion misses");
	{
		char *txt = NULL;
		size_t tn = 0;
		FILE *tf = open_memstream(&txt, &tn);
		struct kt_buf jb = {0};
		struct jw w;

		tl_file_info_text(tf, &f);
		fclose(tf);
		jw_init_buf(&w, &jb, 0);
		jw_obj_open(&w);
		tl_file_info_json(&w, &f);
		jw_obj_close(&w);
		ok(txt && strstr(txt, "recursion misses: 7 events not recorded") && jb.p &&
			   strstr(jb.p, "\"recursion_misses\":7"),
		   "info says the recursion misses (text and JSON)");
		free(txt);
		kt_buf_free(&jb);
	}
	tl_file_close(&f);

	/* the same file as version 1 wrote it: no recursion_misses field */
	{
		char *v1 = malloc(len);
		size_t n1 = len - 8, t = 512 + 80;
		uint64_t size1 = 56 + 16;

		memcpy(v1, m, len);
		v1[8] = 1;
		/* drop the misses (before the size and the end magic) */
		memmove(v1 + t + 40 + 16, v1 + t + 40 + 16 + 8, 16);
		memcpy(v1 + t + 40 + 16, &size1, 8);
		ok(!tl_file_parse(v1, n1, &f) && !f.cut && f.nrecords == 2 && f.lost_total == 5 &&
			   !f.misses_known && !f.recursion_misses,
		   "a version 1 file still reads (recursion misses unknown)");
		tl_file_close(&f);
		v1[8] = 2;
		ok(!tl_file_parse(v1, n1, &f) && f.cut,
		   "a version 1 trailer in a version 2 file: cut");
		free(v1);
	}
	ok(f.hdr.ncpus == 2 && f.hdr.clock == TL_CLOCK_MONOTONIC && f.hdr.release[0],
	   "header: cpus, clock, uname");
	ok(f.hdr.attached == (1u << TL_AT_SWITCH | 1u << TL_AT_WAKEUP), "attached mask");
	tl_file_close(&f);

	/* a crash: the trailer is missing, the last record torn */
	ok(!tl_file_parse(m, 512 + 60, &f), "no trailer: still read");
	ok(f.cut && f.nrecords == 1 && f.tail == 20, "cut file: 1 record, 20-byte tail");
	tl_file_close(&f);
	ok(!tl_file_parse(m, len - 1, &f) && f.cut, "trailer cut by a byte: cut");
	tl_file_close(&f);

	ok(tl_file_parse(m, 100, &f) == -1 && strstr(f.err, "short"), "short header: %s", f.err);
	tl_file_close(&f);
	m[0] = 'X';
	ok(tl_file_parse(m, len, &f) == -1 && strstr(f.err, "magic"), "bad magic: %s", f.err);
	tl_file_close(&f);
	m[0] = 'K';
	m[8] = 3;
	ok(tl_file_parse(m, len, &f) == -1 && strstr(f.err, "newer"), "newer version: %s", f.err);
	tl_file_close(&f);
	m[8] = 2;
	m[16] = 48;
	ok(tl_file_parse(m, len, &f) == -1 && strstr(f.err, "record size"), "record size 48: %s",
	   f.err);
	tl_file_close(&f);
	ok(tl_file_parse("", 0, &f) == -1, "empty file: %s", f.err);
	tl_file_close(&f);
	free(m);
}

/* A capture truncated while it is mapped: zeros past the cut, no SIGBUS,
 * and the file says it shrank. */
static void test_file_shrunk(void)
{
	char path[] = "/tmp/test_timeline_XXXXXX";
	unsigned char *buf = calloc(1, 512 + 4096 * TL_RECORD_SIZE);
	struct tl_file_header h;
	struct tl_writer w;
	struct tl_file f;
	uint64_t sum = 0, zeros = 0;
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w+") : NULL;

	if (!fp || !buf) {
		ok(0, "temporary file: %s", strerror(errno));
		free(buf);
		return;
	}
	tl_header_init(&h, 1);
	tl_write_header(&w, fp, &h);
	for (uint32_t i = 0; i < 4096; i++)
		rec(buf + i * TL_RECORD_SIZE, TL_EVT_WAKEUP, 0, 1000 + i, 7, 0, 0, 0);
	tl_write_records(&w, buf, 4096);
	tl_write_trailer(&w, 9999, 0, 0, NULL, 0);
	fflush(fp);
	ok(!tl_file_open(path, &f) && !f.cut && f.nrecords == 4096 && !tl_file_shrunk(&f),
	   "open a 4096-record capture");
	{
		struct tl_sorted so;
		struct tl_event ev;
		uint64_t n = 0, tsum = 0;

		ok(!tl_sorted_init(&so, f.records, f.nrecords * TL_RECORD_SIZE) && so.fd >= 0,
		   "a mapped capture is read through its file");
		while (tl_sorted_next(&so, &ev))
			if (ev.kind == TL_K_WAKEUP && ev.wake.pid == 7)
				n++, tsum += ev.raw.ts;
		tl_sorted_free(&so);
		ok(n == 4096 && tsum == 4096 * 1000 + 4095 * 4096 / 2,
		   "... every record, in order, as written");
	}
	ok(!ftruncate(fd, 512 + 100 * TL_RECORD_SIZE), "cut it to 100 records while mapped");
	for (uint64_t i = 0; i < f.nrecords; i++) {
		uint32_t type = tl_rd32(f.records + i * TL_RECORD_SIZE);

		sum += type;
		zeros += !type;
	}
	ok(tl_file_shrunk(&f) && sum >= 100 * TL_EVT_WAKEUP && zeros > 0,
	   "read past the cut: zeros, no SIGBUS, marked shrunk (%llu zero records)",
	   (unsigned long long)zeros);
	tl_file_close(&f);
	ok(!tl_file_open(path, &f) && f.cut && f.nrecords == 100 && !tl_file_shrunk(&f),
	   "reopened: a cut file of 100 records");
	tl_file_close(&f);
	fclose(fp);
	unlink(path);
	free(buf);
}

/* ---- report ---- */

static void test_report(void)
{
	/*
	 * cpu0: 1 (A) runs 0..100, sleeps; 0 idle; B wakes at 150 runs 200..300
	 * (delay 50), preempted by A woken at 250 (delay 50) running 300..400.
	 * cpu1: C runs 100..500, then idle.  C migrates once.
	 */
	unsigned char b[40 * 16], *p = b;
	struct tl_report_opts o = {.top = 3, .last_per_cpu = 2};
	struct tl_report *r;
	const struct tl_task_stats *a, *bb, *c;
	const struct tl_cpu_stats *c0;

	memset(b, 0, sizeof(b));
	p = rec(p, TL_EVT_SWITCH, 0, 0, 0, 10, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 1, 100, 0, 30, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 100, 10, 0, 1, 0);
	p = rec(p, TL_EVT_WAKEUP, 1, 150, 20, 0, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 200, 0, 20, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 1, 250, 10, 0, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 300, 20, 10, 0, 1);
	p = rec(p, TL_EVT_SWITCH, 0, 400, 10, 0, 1, 0);
	p = rec(p, TL_EVT_MIGRATE, 1, 450, 30, 0, 0, 1);
	p = rec(p, TL_EVT_SWITCH, 1, 500, 30, 0, 1, 0);
	p = rec(p, TL_EVT_COMM, 0, 1, 10, 10, 0, 0);
	memcpy(p - 16, "A", 1);
	p = text_rec(p, TL_EVT_SCX_EXIT, TL_CPU_NONE, 600, 0, 1024, TL_SCX_EXIT_SRC_STATE,
		     "disabled");
	r = tl_report_build(b, (size_t)(p - b), &o);
	ok(r != NULL, "report built");
	if (!r)
		return;
	a = tl_report_find(r, 10);
	bb = tl_report_find(r, 20);
	c = tl_report_find(r, 30);
	ok(a && bb && c, "three tasks");
	if (a) {
		is_int(a->run.count, 2, "A ran twice");
		is_int(a->run.sum, 200, "A run time 200");
		is_int(a->delay.count, 1, "A: one sched delay");
		is_int(a->delay.max, 50, "A delay 50 (wakeup 250 -> 300)");
		is_int(a->wait.sum, 200, "A wait 100..300");
		is_str(a->comm, "A", "A's name from its Comm record");
		is_int(a->states[1], 2, "A slept twice (S)");
	}
	if (bb) {
		is_int(bb->delay.max, 50, "B delay 50 (wakeup 150 -> 200)");
		is_int(bb->preempted, 1, "B preempted once");
		is_int(bb->states[9], 1, "B's switch-out state R+");
	}
	if (c) {
		is_int(c->run.sum, 400, "C ran 400");
		is_int(c->migrations, 1, "C migrated once");
	}
	c0 = tl_report_cpu(r, 0);
	ok(c0 && c0->cpu == 0 && c0->busy_ns == 300 && c0->idle_ns == 100 && c0->switches == 5 &&
		   c0->preemptions == 1,
	   "cpu0: busy 300, idle 100, 5 switches, 1 preemption");
	{
		char *out = NULL;
		size_t n;
		FILE *fp = open_memstream(&out, &n);
		struct jw w;
		struct jr_val v;
		struct jr_err err;

		tl_report_text(fp, r);
		fclose(fp);
		ok(out && strstr(out, "sched_ext exit") && strstr(out, "disabled"),
		   "text report shows the exit and its reason");
		ok(out && strstr(out, "cpu 0, last 2 events"), "last 2 events of cpu 0 before it");
		free(out);
		fp = open_memstream(&out, &n);
		jw_init_file(&w, fp, 0);
		tl_report_json(&w, r);
		fclose(fp);
		ok(!jr_parse(out, n, &v, &err), "JSON report parses");
		ok(jr_get(&v, "tasks") && jr_get(&v, "tasks")->arr.n == 3, "3 task rows");
		ok(jr_get(&v, "scx_exits") && jr_get(&v, "scx_exits")->arr.n == 1, "1 exit");
		jr_free(&v);
		free(out);
	}
	tl_report_free(r);

	/* filters: cpu 1 only, and a window */
	{
		uint64_t m = 2;

		o.f.cpus = &m;
		o.f.cpus_words = 1;
		r = tl_report_build(b, (size_t)(p - b), &o);
		ok(r && tl_report_ncpus(r) == 1 && tl_report_cpu(r, 0)->cpu == 1,
		   "--cpus 1: one CPU row");
		ok(r && !tl_report_find(r, 10), "--cpus 1: A never ran there");
		tl_report_free(r);
		o.f.cpus = NULL;
		o.f.t0 = 250;
		o.f.t1 = 1000;
		r = tl_report_build(b, (size_t)(p - b), &o);
		a = r ? tl_report_find(r, 10) : NULL;
		ok(a && a->run.count == 1 && a->run.sum == 100, "--time 250,: A's second run only");
		ok(r && tl_report_cpu(r, 0)->busy_ns == 150, "cpu0 busy clipped to 250..400");
		tl_report_free(r);
		o.f.t0 = o.f.t1 = 0;
		o.f.pid = 20;
		r = tl_report_build(b, (size_t)(p - b), &o);
		ok(r && tl_report_ntasks(r) == 1 && tl_report_task(r, 0)->pid == 20, "--pid 20");
		tl_report_free(r);
	}
}

/* ---- export ---- */

static void test_export(void)
{
	unsigned char b[40 * 16], *p = b;
	struct tl_export_stats st;
	struct tl_filter f = {0};
	char *out = NULL;
	size_t n;
	FILE *fp = open_memstream(&out, &n);
	struct jr_val v;
	struct jr_err err;
	const struct jr_val *evs;
	uint64_t end[2] = {0, 0};
	bool nested = true;
	size_t x = 0;

	memset(b, 0, sizeof(b));
	p = rec(p, TL_EVT_SWITCH, 0, 1000, 0, 10, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 1, 1500, 20, 0, 1, 0);
	p = rec(p, TL_EVT_SWITCH, 1, 1600, 0, 20, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 2000, 10, 0, 1, 0);
	p = rec(p, TL_EVT_SWITCH, 1, 2500, 20, 10, 0, 1);
	p = text_rec(p, TL_EVT_SCX_EVENT, 1, 2600, 0, 2, 0, "SCX_EV_BYPASS_DISPATCH");
	p = text_rec(p, TL_EVT_SCX_EXIT, TL_CPU_NONE, 2700, 0, 1024, 1, "unregistered");
	ok(!tl_export_chrome(fp, b, (size_t)(p - b), &f, &st), "export writes");
	fclose(fp);
	ok(!jr_parse(out, n, &v, &err), "export parses as JSON (%s)", err.msg);
	evs = jr_get(&v, "traceEvents");
	ok(evs && evs->type == JR_ARRAY, "traceEvents array");
	is_int(st.slices, 3, "3 slices: 10 on cpu0, 20 on cpu1, 10 on cpu1 (closed at the end)");
	is_int(st.counters, 1, "1 counter");
	is_int(st.instants, 2, "wakeup and exit instants");
	for (size_t i = 0; evs && i < evs->arr.n; i++) {
		const struct jr_val *e = &evs->arr.v[i];
		const struct jr_val *ph = jr_get(e, "ph"), *tid = jr_get(e, "tid");

		if (strcmp(ph->str.s, "X"))
			continue;
		x++;
		{
			double ts = jr_get(e, "ts")->num.d, dur = jr_get(e, "dur")->num.d;
			uint64_t t0 = (uint64_t)(ts * 1000 + 0.5),
				 t1 = t0 + (uint64_t)(dur * 1000 + 0.5);

			if (t0 < end[tid->num.u])
				nested = false;
			end[tid->num.u] = t1;
		}
	}
	ok(x == 3 && nested, "slices on each CPU track do not overlap");
	ok(strstr(out, "\"ts\":1.000") && strstr(out, "\"dur\":1.000"),
	   "times in us with ns decimals");
	ok(strstr(out, "\"s\":\"g\""), "the exit is a global instant");
	ok(strstr(out, "\"thread_name\"") && strstr(out, "\"CPU 1\""), "thread names");
	jr_free(&v);
	free(out);
}

/* A switch whose prev_pid is not the running task, then one at the same
 * time: every switch ends the open slice, none of no length is written, so
 * none nests under another (the trace engine nests a zero-length one). */
static void test_export_unmatched(void)
{
	unsigned char b[40 * 8], *p = b;
	struct tl_export_stats st;
	struct tl_filter f = {0};
	char *out = NULL;
	size_t n;
	FILE *fp = open_memstream(&out, &n);
	struct jr_val v;
	struct jr_err err;
	const struct jr_val *evs;
	uint64_t end = 0;
	bool apart = true, nonzero = true;
	size_t x = 0;

	memset(b, 0, sizeof(b));
	p = rec(p, TL_EVT_SWITCH, 0, 1000, 0, 10, 0, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 2000, 99, 20, 0, 0); /* 10 -> 20 went missing */
	p = rec(p, TL_EVT_SWITCH, 0, 2000, 20, 30, 1, 0); /* 20 ran for no time */
	p = rec(p, TL_EVT_SWITCH, 0, 3000, 30, 0, 1, 0);
	p = rec(p, TL_EVT_SWITCH, 0, 4000, 0, 40, 0, 0);
	p = rec(p, TL_EVT_WAKEUP, 0, 5000, 50, 0, 0, 0);
	ok(!tl_export_chrome(fp, b, (size_t)(p - b), &f, &st), "unmatched: export writes");
	fclose(fp);
	ok(!jr_parse(out, n, &v, &err), "unmatched: parses (%s)", err.msg);
	is_int(st.unmatched, 1, "one switch whose prev_pid was not the running task");
	is_int(st.empty, 1, "one slice of no length dropped");
	is_int(st.slices, 3, "10 (ended by the unmatched switch), 30, 40 (closed at the end)");
	evs = jr_get(&v, "traceEvents");
	for (size_t i = 0; evs && i < evs->arr.n; i++) {
		const struct jr_val *e = &evs->arr.v[i];
		uint64_t t0, t1;

		if (strcmp(jr_get(e, "ph")->str.s, "X"))
			continue;
		x++;
		t0 = (uint64_t)(jr_get(e, "ts")->num.d * 1000 + 0.5);
		t1 = t0 + (uint64_t)(jr_get(e, "dur")->num.d * 1000 + 0.5);
		if (t0 < end)
			apart = false;
		if (t1 == t0)
			nonzero = false;
		end = t1;
	}
	ok(x == 3 && apart && nonzero, "no slice overlaps or has no length");
	ok(strstr(out, "\"ts\":1.000,\"dur\":1.000") != NULL,
	   "10's slice ends at the unmatched switch");
	jr_free(&v);
	free(out);
}

static void test_flight(void)
{
	unsigned char b[40 * 12], *p = b;
	struct tl_flight f;
	struct tl_writer w;
	struct tl_file_header h;
	struct tl_file tf;
	struct tl_events e;
	char *mem = NULL;
	size_t len;
	FILE *fp;

	memset(b, 0, sizeof(b));
	p = rec(p, TL_EVT_COMM, 0, 1, 10, 10, 0, 0);
	memcpy(p - 16, "early", 5);
	for (int i = 0; i < 8; i++)
		p = rec(p, TL_EVT_SWITCH, 0, 100 + (uint64_t)i * 100, 10, 0, 1, 0);
	ok(tl_flight_init(&f, 39, 0) == -1, "budget below a record: error");
	ok(!tl_flight_init(&f, 4 * 40, 0), "flight ring of 4 records");
	tl_flight_push(&f, b, 3);
	tl_flight_push(&f, b + 3 * 40, 6);
	ok(f.n == 4 && f.dropped == 5, "4 kept, 5 dropped (budget)");
	fp = open_memstream(&mem, &len);
	tl_header_init(&h, 1);
	tl_write_header(&w, fp, &h);
	tl_flight_write(&f, &w);
	tl_write_trailer(&w, 0, f.dropped, 0, NULL, 0);
	fclose(fp);
	ok(!tl_file_parse(mem, len, &tf) && !tf.cut && tf.nrecords == 5 && tf.flight_dropped == 5,
	   "written: the name plus 4 records, drop count in the trailer");
	ok(!parse_buf(tf.records, tf.nrecords * 40, &e) && e.n == 5 && e.ev[0].kind == TL_K_COMM &&
		   !strcmp(e.ev[0].comm.comm, "early") && e.ev[0].raw.cpu == TL_CPU_NONE &&
		   e.ev[1].raw.ts == 500 && e.ev[4].raw.ts == 800,
	   "a name that aged out is re-written ahead of the last 4 records");
	tl_events_free(&e);
	tl_file_close(&tf);
	free(mem);
	tl_flight_free(&f);

	/* the time window; a text continuation never leads */
	ok(!tl_flight_init(&f, 1 << 16, 250), "flight ring with a 250 ns window");
	tl_flight_push(&f, b + 40, 8);
	ok(f.n == 3 && f.dropped == 5, "records older than the window dropped (%zu kept)", f.n);
	p = text_rec(b, TL_EVT_SCX_DUMP, 0, 900, 1, 0, 0, "a dump line long enough for two");
	p = rec(p, TL_EVT_SWITCH, 0, 1200, 1, 0, 0, 0);
	tl_flight_free(&f);
	ok(!tl_flight_init(&f, 3 * 40, 0), "3-record ring");
	tl_flight_push(&f, b, 4);
	ok(f.n == 1 && f.dropped == 3, "dropping the header drops its continuations (%zu kept)",
	   f.n);
	tl_flight_free(&f);
}

/* A file of more than a chunk (1 MiB) read in time order through the file
 * and from memory: the same events.  Records out of order by up to the
 * window, and some far ahead in time (they stay in the window across every
 * refill), make the window hold records of a chunk that is read again. */
static void test_sorted_chunks(void)
{
	enum { NREC = 60000 };
	unsigned char *buf = calloc(NREC, TL_RECORD_SIZE);
	char path[] = "/tmp/test_timeline_chunks_XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w+") : NULL;
	struct tl_file_header h;
	struct tl_writer w;
	struct tl_file f;
	struct tl_sorted a, b;
	struct tl_event ea, eb;
	uint64_t n = 0, diff = 0, x = 99, back = 0;
	size_t last_off = 0;

	if (!fp || !buf) {
		ok(0, "temporary file: %s", strerror(errno));
		free(buf);
		return;
	}
	for (uint32_t i = 0; i < NREC; i++) {
		uint64_t ts = 1000000 + (uint64_t)i * 100;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if (i % 7 == 0)
			ts -= (x >> 33) % (100 * 3000); /* back by up to 3000 records */
		if (i % 5000 == 17)
			ts += 1000000000; /* far ahead: held until the end */
		rec(buf + (size_t)i * TL_RECORD_SIZE, TL_EVT_WAKEUP, i % 4, ts, i, 0, i % 3, 0);
	}
	tl_header_init(&h, 4);
	tl_write_header(&w, fp, &h);
	tl_write_records(&w, buf, NREC);
	tl_write_trailer(&w, 0, 0, 0, NULL, 0);
	fflush(fp);
	ok(!tl_file_open(path, &f) && f.nrecords == NREC, "open a %d-record capture", NREC);
	ok(!tl_sorted_init(&a, f.records, f.nrecords * TL_RECORD_SIZE) && a.fd >= 0 &&
		   !tl_sorted_init(&b, buf, (size_t)NREC * TL_RECORD_SIZE) && b.fd < 0,
	   "one read through the file, one from memory");
	for (;;) {
		int ra = tl_sorted_next(&a, &ea), rb = tl_sorted_next(&b, &eb);

		if (ra != rb) {
			diff++;
			break;
		}
		if (!ra)
			break;
		n++;
		if (memcmp(&ea.raw, &eb.raw, sizeof(ea.raw)) || a.off != b.off)
			diff++;
		back += a.off < last_off;
		last_off = a.off;
	}
	ok(n == NREC && !diff && a.out_of_order == b.out_of_order && back > 1000,
	   "the same %llu events in the same order (%llu differ, %llu taken from earlier in "
	   "the file)",
	   (unsigned long long)n, (unsigned long long)diff, (unsigned long long)back);
	tl_sorted_free(&a);
	tl_sorted_free(&b);
	tl_file_close(&f);
	fclose(fp);
	unlink(path);
	free(buf);
}

/* The export's times and durations against printf, across 10 ms
 * boundaries (the digits above them are kept from the last time), below
 * 10 ms (no leading digits), and far above 2^32 microseconds. */
static void test_export_times(void)
{
	static const uint64_t ts[] = {
		999,	  1000,		9999999,      10000000,	    10000001,		19999999,
		20000000, 123456789012, 123456789999, 123460000000, 5000000000000001ull};
	enum { N = sizeof(ts) / sizeof(ts[0]) };
	unsigned char b[40 * 2 * N], *p = b;
	struct tl_export_stats st;
	struct tl_filter f = {0};
	char *out = NULL, want[64];
	size_t n, bad = 0;
	FILE *fp = open_memstream(&out, &n);

	/* on CPU 0 a task runs from each time to the next: a slice (ts, dur);
	 * a wakeup at each time on CPU 1 */
	for (size_t i = 0; i < N; i++) {
		p = rec(p, TL_EVT_SWITCH, 0, ts[i], i ? 10 : 0, 10, 0, 0);
		p = rec(p, TL_EVT_WAKEUP, 1, ts[i], 20, 0, 1, 0);
	}
	ok(!tl_export_chrome(fp, b, (size_t)(p - b), &f, &st), "export of times");
	fclose(fp);
	for (size_t i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "\"tid\":1,\"ts\":%llu.%03llu,",
			 (unsigned long long)(ts[i] / 1000), (unsigned long long)(ts[i] % 1000));
		if (!strstr(out, want)) {
			bad++;
			printf("# missing %s\n", want);
		}
		if (i + 1 < N) {
			uint64_t d = ts[i + 1] - ts[i];

			snprintf(want, sizeof(want), "\"ts\":%llu.%03llu,\"dur\":%llu.%03llu,",
				 (unsigned long long)(ts[i] / 1000),
				 (unsigned long long)(ts[i] % 1000), (unsigned long long)(d / 1000),
				 (unsigned long long)(d % 1000));
			if (!strstr(out, want)) {
				bad++;
				printf("# missing %s\n", want);
			}
		}
	}
	ok(!bad, "every time and duration as printf writes it (%zu wrong)", bad);
	free(out);
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentiles over many samples (the report's own sort) against qsort. */
static void percentiles(int N)
{
	unsigned char *b = calloc(3 * (size_t)N + 1, 40), *p = b;
	uint64_t *d = malloc((size_t)N * sizeof(*d)), ts = 1000, x = 12345;
	struct tl_report_opts o = {0};
	const struct tl_task_stats *t;
	struct tl_report *r;

	p = rec(p, TL_EVT_SWITCH, 0, ts, 0, 0, 0, 0);
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		/* many ties and a spread: values 0..4095 ns, some huge */
		d[i] = (x >> 40) % 4096 + (i % 1000 == 0 ? 1000000 : 0);
		p = rec(p, TL_EVT_WAKEUP, 1, ts, 42, 0, 0, 0);
		ts += d[i];
		p = rec(p, TL_EVT_SWITCH, 0, ts, 0, 42, 0, 0);
		ts += 10;
		p = rec(p, TL_EVT_SWITCH, 0, ts, 42, 0, 1, 0); /* sleeps again */
	}
	r = tl_report_build(b, (size_t)(p - b), &o);
	t = r ? tl_report_find(r, 42) : NULL;
	qsort(d, (size_t)N, sizeof(*d), cmp64);
	ok(t && t->delay.count == (uint64_t)N, "%d delays", N);
	if (t) {
		is_int(t->delay.p50, d[(N * 50 + 99) / 100 - 1], "p50 (nearest rank)");
		is_int(t->delay.p90, d[(N * 90 + 99) / 100 - 1], "p90");
		is_int(t->delay.p99, d[(N * 99 + 99) / 100 - 1], "p99");
		is_int(t->delay.max, d[N - 1], "max");
	}
	tl_report_free(r);
	free(d);
	free(b);
}

/* Samples spanning all 32 bits and past them (kept apart, sorted after):
 * every figure against a sort of the same samples, the deviation summed
 * in ascending order as the report does (its last bits depend on it). */
static void big_samples(void)
{
	enum { N = 5000 };
	unsigned char *b = calloc(3 * (size_t)N + 1, 40), *p = b;
	uint64_t *d = malloc((size_t)N * sizeof(*d)), ts = 1000, x = 777, sum = 0;
	struct tl_report_opts o = {0};
	const struct tl_task_stats *t;
	struct tl_report *r;
	double mean, sq = 0;

	p = rec(p, TL_EVT_SWITCH, 0, ts, 0, 0, 0, 0);
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		d[i] = (x >> 32) >> (x % 32) | (i % 97 == 0 ? (x >> 20) << 12 : 0);
		p = rec(p, TL_EVT_WAKEUP, 1, ts, 42, 0, 0, 0);
		ts += d[i];
		p = rec(p, TL_EVT_SWITCH, 0, ts, 0, 42, 0, 0);
		ts += 10;
		p = rec(p, TL_EVT_SWITCH, 0, ts, 42, 0, 1, 0);
	}
	r = tl_report_build(b, (size_t)(p - b), &o);
	t = r ? tl_report_find(r, 42) : NULL;
	qsort(d, N, sizeof(*d), cmp64);
	for (int i = 0; i < N; i++)
		sum += d[i];
	mean = (double)sum / N;
	for (int i = 0; i < N; i++)
		sq += ((double)d[i] - mean) * ((double)d[i] - mean);
	ok(t && d[N - 1] > UINT32_MAX && t->delay.count == N && t->delay.sum == sum &&
		   t->delay.max == d[N - 1] && t->delay.p50 == d[(N * 50 + 99) / 100 - 1] &&
		   t->delay.p90 == d[(N * 90 + 99) / 100 - 1] &&
		   t->delay.p99 == d[(N * 99 + 99) / 100 - 1] && t->delay.avg == mean &&
		   t->delay.stddev == sqrt(sq / N),
	   "samples past 32 bits: count, sum, max, p50/p90/p99, avg and stddev exact");
	tl_report_free(r);
	free(d);
	free(b);
}

static void test_percentiles(void)
{
	big_samples();
	percentiles(70001); /* radix sort, 16-bit digits */
	percentiles(20011); /* radix sort, 8-bit digits */
	percentiles(1500);
	percentiles(64);
	percentiles(63); /* shell sort */
	percentiles(7);
}

static void test_options(void)
{
	uint64_t m[2];
	uint64_t t0, t1;

	ok(!tl_parse_cpus("0-2,65", m, 2) && m[0] == 7 && m[1] == 2, "cpus 0-2,65");
	ok(tl_parse_cpus("0-200", m, 2) == -1, "cpus beyond the mask: error");
	ok(tl_parse_cpus("x", m, 2) == -1, "bad cpu list");
	ok(!tl_parse_time("1.5,2", 1000, &t0, &t1) && t0 == 1500001000 && t1 == 2000001000,
	   "time 1.5,2 relative to the base");
	ok(!tl_parse_time(",2", 0, &t0, &t1) && t0 == 0 && t1 == 2000000000, "open start");
	ok(!tl_parse_time("1,", 0, &t0, &t1) && t1 == 0, "open end");
	ok(tl_parse_time("2,1", 0, &t0, &t1) == -1, "end before start");
	ok(tl_parse_time("1", 0, &t0, &t1) == -1, "no comma");
}

/* The exit kind from an error dump's first line (no sched_ext_exit tracepoint). */
static void test_dump_exit_kind(void)
{
	unsigned char buf[64 * TL_RECORD_SIZE], *e;
	uint32_t kind = 0;

	e = text_rec(buf, TL_EVT_SCX_DUMP, 0, 1, 7, 0, 0,
		     "swapper/0[0] triggered exit kind 1025 on CPU 0:");
	ok(!tl_dump_exit_kind(buf, (size_t)(e - buf) / TL_RECORD_SIZE, &kind) && kind == 1025,
	   "dump exit kind: 1025 from the dump's first line");
	ok(tl_dump_exit_kind(buf, 1, &kind), "dump exit kind: continuations cut short: none");
	e = text_rec(buf, TL_EVT_SCX_DUMP, 0, 1, 7, 1, 0, "Debug dump triggered by SysRq-D");
	ok(tl_dump_exit_kind(buf, (size_t)(e - buf) / TL_RECORD_SIZE, &kind),
	   "dump exit kind: a SysRq-D dump names none");
	e = text_rec(buf, TL_EVT_SCX_EVENT, 0, 1, 7, 0, 0, "x triggered exit kind 3 on CPU 0:");
	ok(tl_dump_exit_kind(buf, (size_t)(e - buf) / TL_RECORD_SIZE, &kind),
	   "dump exit kind: only sched_ext_dump lines count");
	e = text_rec(buf, TL_EVT_SCX_DUMP, 0, 1, 7, 0, 0,
		     "x triggered exit kind 99999999999 on CPU 0:");
	ok(tl_dump_exit_kind(buf, (size_t)(e - buf) / TL_RECORD_SIZE, &kind),
	   "dump exit kind: out of range: none");
}

/* The exit kind from the kernel's "disabled (...)" log line (exits without a dump). */
static void test_kmsg_exit_kind(void)
{
	static const struct {
		const char *reason;
		uint32_t kind;
	} k[] = {
		{"unregistered from user space", 64},
		{"unregistered from BPF", 65},
		{"unregistered from the main kernel", 66},
		{"disabled by sysrq-S", 67},
		{"runtime error", 1024},
		{"scx_bpf_error", 1025},
		{"runnable task stall", 1026},
	};
	unsigned char buf[8 * TL_RECORD_SIZE], *e;
	struct tl_events ev;
	uint32_t kind;
	char line[128];
	const char *name;
	size_t nl;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(line, sizeof(line),
			 "sched_ext: BPF scheduler \"ktbox_test\" disabled (%s)", k[i].reason);
		kind = 0;
		ok(!tl_kmsg_exit_kind(line, strlen(line), &kind, &name, &nl) && kind == k[i].kind &&
			   nl == 10 && !memcmp(name, "ktbox_test", 10),
		   "kmsg exit kind: '%s' is %u, scheduler ktbox_test", k[i].reason, k[i].kind);
	}
	static const char *bad[] = {
		"sched_ext: BPF scheduler \"ktbox_test\" enabled",
		"sched_ext: BPF scheduler \"ktbox_test\" disabled (no such reason)",
		"sched_ext: BPF scheduler \"ktbox_test\" disabled (scx_bpf_error",
		"sched_ext: ktbox_test: forced error after 50 dispatches (cpu 1)",
		"sched_ext: BPF scheduler \"",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(tl_kmsg_exit_kind(bad[i], strlen(bad[i]), &kind, &name, &nl),
		   "kmsg exit kind: none in '%s'", bad[i]);
	/* an exit whose kind nobody named: no exit_kind key, and "unknown" */
	e = text_rec(buf, TL_EVT_SCX_EXIT, TL_CPU_NONE, 9, 0, 0, TL_SCX_EXIT_SRC_STATE,
		     "ktbox_test: disabling");
	ok(!parse_buf(buf, (size_t)(e - buf), &ev) && ev.n == 1, "unknown-kind exit parsed");
	is_str(json_of(&ev.ev[0]),
	       "{\"kind\":\"ScxExit\",\"ts\":9,\"tid\":0,\"source\":\"state\","
	       "\"reason\":\"ktbox_test: disabling\"}",
	       "unknown kind: exit_kind omitted, never 0");
	tl_events_free(&ev);
	e = text_rec(buf, TL_EVT_SCX_EXIT, TL_CPU_NONE, 9, 0, 64,
		     TL_SCX_EXIT_SRC_STATE | (uint64_t)TL_SCX_KIND_FROM_KMSG << 32,
		     "ktbox_test: disabling");
	ok(!parse_buf(buf, (size_t)(e - buf), &ev) && ev.n == 1, "kmsg-kind exit parsed");
	is_str(json_of(&ev.ev[0]),
	       "{\"kind\":\"ScxExit\",\"ts\":9,\"tid\":0,\"exit_kind\":64,\"kind_from\":"
	       "\"kmsg\",\"source\":\"state\",\"reason\":\"ktbox_test: disabling\"}",
	       "kind from the log line: exit_kind 64, kind_from kmsg");
	tl_events_free(&ev);
	/* capture run: the kind the scheduler's own EXIT line named */
	e = text_rec(buf, TL_EVT_SCX_EXIT, TL_CPU_NONE, 9, 0, 65,
		     TL_SCX_EXIT_SRC_STATE | (uint64_t)TL_SCX_KIND_FROM_SCHED << 32,
		     "ktbox_test: disabled");
	ok(!parse_buf(buf, (size_t)(e - buf), &ev) && ev.n == 1, "scheduler-kind exit parsed");
	is_str(json_of(&ev.ev[0]),
	       "{\"kind\":\"ScxExit\",\"ts\":9,\"tid\":0,\"exit_kind\":65,\"kind_from\":"
	       "\"scheduler\",\"source\":\"state\",\"reason\":\"ktbox_test: disabled\"}",
	       "kind from the scheduler's EXIT line: kind_from scheduler");
	tl_events_free(&ev);
	/* a source this reader does not know: the kind, without a source */
	e = text_rec(buf, TL_EVT_SCX_EXIT, TL_CPU_NONE, 9, 0, 65,
		     TL_SCX_EXIT_SRC_STATE | (uint64_t)77 << 32, "x");
	ok(!parse_buf(buf, (size_t)(e - buf), &ev) && ev.n == 1, "unknown kind source parsed");
	is_str(json_of(&ev.ev[0]),
	       "{\"kind\":\"ScxExit\",\"ts\":9,\"tid\":0,\"exit_kind\":65,"
	       "\"source\":\"state\",\"reason\":\"x\"}",
	       "an unknown kind_from is omitted");
	tl_events_free(&ev);
}

int main(void)
{
	test_layout();
	test_types();
	test_buf();
	test_sorted();
	test_sorted_chunks();
	test_file();
	test_file_shrunk();
	test_report();
	test_export();
	test_export_times();
	test_export_unmatched();
	test_flight();
	test_percentiles();
	test_options();
	test_dump_exit_kind();
	test_kmsg_exit_kind();
	return tap_done();
}
