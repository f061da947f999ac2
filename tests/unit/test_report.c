// SPDX-License-Identifier: MIT
/*
 * capture report: the bundle loader and the renderers.
 *
 *	test_report                     the TAP suite (run from the top dir)
 *	test_report render FMT BUNDLE [WIDTH [FULL]]
 *	                                FMT text|markdown|html to stdout (the
 *	                                driver behind the goldens and the
 *	                                browser test until capture's report
 *	                                row exists)
 *	test_report gen-timeline SCENARIO FILE
 *	                                the fixture bundles' timeline.ktl
 *	                                (error, stall)
 *
 * Goldens: tests/fixtures/bundle-NAME/report.{txt,md} are the text report
 * at width 100 and the Markdown report; `make report-golden` rewrites them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundle_read.h"
#include "file.h"
#include "report.h"
#include "report_int.h"
#include "tap.h"
#include "timeline.h"

#define FIX "tests/fixtures/"

/* ---- the fixture timelines ------------------------------------------------------- */

struct gen {
	struct tl_writer w;
	uint64_t ts;
	uint32_t seed;
};

static uint32_t rnd(struct gen *g)
{
	g->seed = g->seed * 1103515245u + 12345u;
	return g->seed >> 8;
}

static void rec(struct gen *g, uint32_t type, uint32_t cpu, uint64_t ts, uint32_t p, uint32_t n,
		uint64_t a, uint64_t b)
{
	struct timeline_event e = {type, cpu, ts, p, n, a, b};

	tl_write_records(&g->w, &e, 1);
}

static void comm(struct gen *g, uint32_t pid, uint32_t tgid, const char *name)
{
	struct timeline_event e = {TL_EVT_COMM, TL_CPU_NONE, g->ts, pid, tgid, 0, 0};

	memcpy((char *)&e + 24, name, strnlen(name, 16));
	tl_write_records(&g->w, &e, 1);
}

static void text_rec(struct gen *g, uint32_t type, uint32_t cpu, uint64_t ts, uint32_t tid,
		     uint64_t a, uint64_t b, const char *text)
{
	size_t n = strlen(text), k = TL_TEXT_RECORDS(n);

	rec(g, type, cpu, ts, tid, (uint32_t)n, a, b);
	for (size_t i = 0; i < k; i++) {
		struct timeline_event e = {TL_EVT_TEXT, cpu, ts, 0, 0, 0, 0};
		size_t c = n - i * TL_TEXT_CHUNK < TL_TEXT_CHUNK ? n - i * TL_TEXT_CHUNK
								 : TL_TEXT_CHUNK;

		memcpy((char *)&e + 16, text + i * TL_TEXT_CHUNK, c);
		tl_write_records(&g->w, &e, 1);
	}
}

/*
 * error: 4 CPUs, 2 s from 5.466 s - 2 s; six tasks hop between CPUs; the
 * scheduler errors (scx_bpf_error) on CPU 1 at 5.466 s.  stall: CPU 2 is
 * held by "hog" for the last 3 s while "stuck" waits on it; the exit
 * (error_stall) at 35.2 s.
 */
static int gen_timeline(const char *scenario, const char *path)
{
	static const char *const names[] = {"stress", "kworker/1:2", "ktbox_test",
					    "sshd",   "rcu_sched",   "systemd-journal"};
	static const uint32_t pids[] = {99, 48, 200, 310, 14, 160};
	bool stall = !strcmp(scenario, "stall");
	uint64_t exit_ts = stall ? 35200000000ull : 5466000000ull;
	uint64_t start = exit_ts - (stall ? 6000000000ull : 2000000000ull);
	uint32_t ncpu = 4, cur[4] = {0};
	struct tl_file_header h;
	struct gen g = {.seed = stall ? 7 : 3};
	FILE *fp = fopen(path, "w");
	uint64_t lost[4] = {0};

	if (!fp)
		return 1;
	tl_header_init(&h, ncpu);
	h.start_ns = start;
	h.realtime_offset_ns = 1700000000000000000ll;
	h.attached = h.requested = 1u << TL_AT_SWITCH | 1u << TL_AT_WAKEUP | 1u << TL_AT_MIGRATE;
	memset(h.nodename, 0, sizeof(h.nodename));
	strcpy(h.nodename, "guest");
	strcpy(h.release, "7.2.0-test");
	strcpy(h.version_str, "#1 SMP PREEMPT_DYNAMIC");
	strcpy(h.sysname, "Linux");
	strcpy(h.machine, "x86_64");
	tl_write_header(&g.w, fp, &h);
	g.ts = start;
	for (size_t i = 0; i < 6; i++)
		comm(&g, pids[i], pids[i], names[i]);
	if (stall) {
		comm(&g, 500, 500, "hog");
		comm(&g, 501, 501, "stuck");
	}
	while (g.ts < exit_ts - 1000000) {
		uint32_t cpu = rnd(&g) % ncpu, pid = pids[rnd(&g) % 6];
		bool preempt = rnd(&g) % 4 == 0;

		g.ts += 2000000 + rnd(&g) % 9000000;
		if (g.ts >= exit_ts - 1000000)
			break;
		if (stall && cpu == 2 && g.ts > exit_ts - 3000000000ull)
			continue; /* the hog holds CPU 2 */
		if (pid == cur[cpu])
			pid = 0;
		for (uint32_t c = 0; c < ncpu; c++)
			if (c != cpu && pid && cur[c] == pid)
				pid = 0; /* running elsewhere: the CPU goes idle */
		if (pid) {
			rec(&g, TL_EVT_WAKEUP, (cpu + 1) % ncpu, g.ts - 40000, pid, 0, cpu, 0);
			if (rnd(&g) % 9 == 0)
				rec(&g, TL_EVT_MIGRATE, cpu, g.ts - 20000, pid, 0, cpu,
				    (cpu + 2) % ncpu);
		}
		rec(&g, TL_EVT_SWITCH, cpu, g.ts, cur[cpu], pid, preempt ? 0 : 1, preempt);
		cur[cpu] = pid;
	}
	if (stall) {
		/* the last switch on CPU 2 put hog on it; stuck woke behind it */
		rec(&g, TL_EVT_SWITCH, 2, exit_ts - 3000000000ull, cur[2], 500, 0, 1);
		rec(&g, TL_EVT_WAKEUP, 0, exit_ts - 2900000000ull, 501, 0, 2, 0);
		text_rec(&g, TL_EVT_SCX_EXIT, 2, exit_ts, 500, 1026, 0,
			 "runnable task stall (stuck[501] failed to run for 2.900s)");
	} else {
		rec(&g, TL_EVT_WAKEUP, 0, exit_ts - 30000, 99, 0, 1, 0);
		text_rec(&g, TL_EVT_SCX_EXIT, 1, exit_ts, 99, 1025, 0, "scx_bpf_error");
		text_rec(&g, TL_EVT_SCX_DUMP, 1, exit_ts + 1000, 99, 0, 0, "ktbox_test: root");
	}
	tl_write_trailer(&g.w, exit_ts + 2000000, 0, 0, lost, ncpu);
	return fclose(fp) ? 1 : 0;
}

/* ---- the driver ----------------------------------------------------------------------- */

static int render(const char *fmt, const char *path, unsigned width, bool full, FILE *out)
{
	struct kt_bundle b;
	struct kt_report_opts o = {.width = width, .full = full};
	int r;

	if (kt_bundle_load(&b, path)) {
		fprintf(stderr, "render: %s\n", b.nnotes ? b.notes[0] : "cannot load");
		kt_bundle_free(&b);
		return 1;
	}
	if (!strcmp(fmt, "markdown"))
		r = kt_report_markdown(out, &b, &o);
	else if (!strcmp(fmt, "html"))
		r = kt_report_html(out, &b, &o);
	else
		r = kt_report_text(out, &b, &o);
	kt_bundle_free(&b);
	return r ? 1 : 0;
}

/* ---- the suite ------------------------------------------------------------------------ */

static char *rendered(const char *fmt, const char *path, unsigned width, bool full, size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *mf = open_memstream(&p, &n);

	if (!mf)
		return NULL;
	render(fmt, path, width, full, mf);
	fclose(mf);
	if (len)
		*len = n;
	return p;
}

static const char *const vm_modes[] = {"error", "stall", "exit", "normal"};

static void golden(const char *bundle, const char *fmt, const char *file)
{
	char path[256], gp[256];
	size_t n, gn;
	char *got, *want;

	snprintf(path, sizeof(path), FIX "%s", bundle);
	snprintf(gp, sizeof(gp), FIX "%s/%s", bundle, file);
	got = rendered(fmt, path, 100, false, &n);
	want = kt_read_file(NULL, gp, 1 << 24, &gn);
	if (!ok(got && want && n == gn && !memcmp(got, want, n), "%s: %s matches %s", bundle, fmt,
		gp)) {
		FILE *f = fopen("build/tests/report.diff.out", "w");

		if (f && got) {
			fwrite(got, 1, n, f);
			fclose(f);
			printf("#   got written to build/tests/report.diff.out (make report-golden "
			       "to "
			       "accept)\n");
		}
	}
	free(got);
	free(want);
}

static bool has(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

static int copy_tree(const char *src, const char *dst)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", dst, src, dst);
	return system(cmd);
}

static void truncate_file(const char *path, double frac)
{
	struct stat st;

	if (!stat(path, &st))
		truncate(path, (off_t)((double)st.st_size * frac));
}

static void test_loader(void)
{
	struct kt_bundle b;
	const struct scx_event *ev;

	ok(!kt_bundle_load(&b, FIX "bundle-error"), "error bundle loads");
	ok(b.has_manifest && b.schema_version == 1, "manifest schema 1");
	ok(b.nnotes == 0, "nothing missing (%zu notes%s%s)", b.nnotes, b.nnotes ? ": " : "",
	   b.nnotes ? b.notes[0] : "");
	ev = kt_bundle_exit(&b);
	ok(ev && ev->origin == SCX_ORIGIN_KERNEL && ev->kind == SCX_KIND_ERROR_BPF,
	   "the kernel's exit");
	ok(ev && ev->nbt == 4 && ev->bt[1].size == 0x90, "frames with sizes");
	ok(kt_bundle_sched_exit(&b) != NULL, "the scheduler's own report");
	ok(b.has_hc && b.has_sx && b.has_maps && b.has_tl && b.ksyms, "every part parsed");
	ok(b.ksyms_bpf_sized == 1, "the [bpf] size column read (%zu)", b.ksyms_bpf_sized);
	is_int(kt_bundle_exit_mono(&b), 5466000000ull, "exit time from the manifest");
	kt_bundle_free(&b);

	ok(kt_bundle_load(&b, FIX "no-such-bundle") == -1 && b.nnotes == 1, "a missing path fails");
	kt_bundle_free(&b);
}

static void test_malformed(void)
{
	const char *dst = "build/tests/bundle-bad";
	char *s;
	struct kt_bundle b;

	mkdir("build/tests", 0755);
	/* missing parts */
	copy_tree(FIX "bundle-error", dst);
	unlink("build/tests/bundle-bad/timeline.ktl");
	unlink("build/tests/bundle-bad/events.json");
	system("rm -rf build/tests/bundle-bad/maps");
	s = rendered("text", dst, 100, false, NULL);
	ok(has(s, "timeline.ktl: not in the bundle although part timeline says ok"),
	   "a missing file named with its part");
	ok(has(s, "events re-read") || has(s, "events.json: not in the bundle"),
	   "missing events.json said");
	ok(has(s, "ktbox_test.bpf.c:42"), "exit still found (kmsg.txt re-parsed)");
	ok(has(s, "no timeline in the bundle"), "no timeline said");
	free(s);
	/* truncated files */
	copy_tree(FIX "bundle-error", dst);
	truncate_file("build/tests/bundle-bad/manifest.json", 0.5);
	truncate_file("build/tests/bundle-bad/hostctx.json", 0.3);
	truncate_file("build/tests/bundle-bad/timeline.ktl", 0.6);
	truncate_file("build/tests/bundle-bad/maps/map-7.jsonl", 0.5);
	truncate_file("build/tests/bundle-bad/sched_ext.json", 0.5);
	s = rendered("text", dst, 100, false, NULL);
	ok(has(s, "manifest.json: unreadable at byte"), "truncated manifest said");
	ok(has(s, "hostctx.json: unreadable"), "truncated hostctx said");
	ok(has(s, "timeline.ktl: cut short"), "cut timeline said");
	ok(has(s, "maps/: not a readable bpfdump ring"), "truncated map ring said");
	ok(has(s, "sched_ext.json: unreadable"), "truncated sched_ext said");
	ok(has(s, "== last events before the exit"), "the timeline that is there is shown");
	free(s);
	s = rendered("html", dst, 100, false, NULL);
	ok(has(s, "</html>"), "html of a damaged bundle completes");
	free(s);
	s = rendered("markdown", dst, 100, false, NULL);
	ok(has(s, "</details>"), "markdown of a damaged bundle completes");
	free(s);
	/* wrong schema */
	copy_tree(FIX "bundle-error", dst);
	system("sed -i 's/\"schema_version\":1/\"schema_version\":99/' "
	       "build/tests/bundle-bad/manifest.json");
	s = rendered("text", dst, 100, false, NULL);
	ok(has(s, "schema version 99, this ktbox reads 1"), "wrong schema said");
	ok(has(s, "failing on command"), "and the rest read");
	free(s);
	/* garbage everywhere */
	copy_tree(FIX "bundle-error", dst);
	system("for f in build/tests/bundle-bad/*.json build/tests/bundle-bad/*.ktl "
	       "build/tests/bundle-bad/*.txt; do head -c 300 /dev/urandom > $f; done");
	ok(!kt_bundle_load(&b, dst), "random bytes in every file: loads");
	ok(b.nnotes >= 4, "with notes (%zu)", b.nnotes);
	kt_bundle_free(&b);
	s = rendered("html", dst, 100, false, NULL);
	ok(has(s, "</html>"), "and renders");
	free(s);
	/* a raw-address frame resolved against the bundle's kallsyms, with
	 * the [bpf] program's exact size */
	copy_tree(FIX "bundle-error", dst);
	system("sed -i "
	       "'s/"
	       "{\"symbol\":\"bpf_prog_0123456789abcdef_ktbox_test_enqueue\",\"offset\":48,"
	       "\"size\":144}/"
	       "{\"symbol\":\"ffffffffc0001030\"}/g' build/tests/bundle-bad/events.json");
	s = rendered("text", dst, 0, false, NULL);
	ok(has(s, "    bpf_prog_0123456789abcdef_ktbox_test_enqueue+0x30/0x90\n") &&
		   !has(s, "ffffffffc0001030"),
	   "a raw address frame symbolized with the exact JIT size");
	free(s);
	/* an empty directory */
	system("rm -rf build/tests/bundle-bad && mkdir -p build/tests/bundle-bad");
	s = rendered("text", dst, 100, false, NULL);
	ok(has(s, "manifest.json: missing") && has(s, "no sched_ext exit"), "empty directory");
	free(s);
}

/* The counters' closing line says which snapshots hold counters and, for
 * the post-exit ones, their source or why there are none. */
static void test_counter_points(void)
{
	const char *dst = "build/tests/bundle-ctr";
	char *s;

	mkdir("build/tests", 0755);
	copy_tree(FIX "bundle-error", dst);
	s = rendered("text", dst, 0, false, NULL);
	ok(has(s, "counters changed over 4 points: at arming, 2 of 2 samples, after the exit\n"),
	   "the points present, the post-exit one without a named source");
	free(s);
	system("sed -i 's/\"hotplug_seq\":0,\"events\":{\"SCX_EV_SELECT_CPU_FALLBACK\":37,/"
	       "\"hotplug_seq\":0,\"events_source\":\"the debug dump\",\"events\":{"
	       "\"SCX_EV_SELECT_CPU_FALLBACK\":37,/' build/tests/bundle-ctr/sched_ext.json");
	s = rendered("text", dst, 0, false, NULL);
	ok(has(s, "2 of 2 samples, after the exit (the debug dump)\n"), "its source named");
	free(s);
	system("sed -i 's|\"events_source\":\"the debug dump\",\"events\":{[^}]*}|"
	       "\"events_unavailable\":\"root/events was gone\"|' "
	       "build/tests/bundle-ctr/sched_ext.json");
	s = rendered("text", dst, 0, false, NULL);
	ok(has(s, "over 3 points: at arming, 2 of 2 samples; the post-exit counters are "
		  "unavailable: root/events was gone\n"),
	   "none after the exit: says so and why, not counted as a point");
	ok(!has(s, "after the exit"), "... and never says it is included");
	free(s);
	s = rendered("html", dst, 0, false, NULL);
	ok(has(s, "the post-exit counters are unavailable: root/events was gone; unchanged"),
	   "html: the same");
	free(s);
}

static void test_tar(void)
{
	char *s, *d;
	int r;

	r = system("cd tests/fixtures && tar --sort=name --owner=0 --group=0 --mtime=@0 -czf "
		   "../../build/tests/bundle-error.tar.gz bundle-error");
	if (r) {
		tap_skip("tar not available");
		return;
	}
	s = rendered("text", "build/tests/bundle-error.tar.gz", 100, false, NULL);
	d = rendered("text", FIX "bundle-error", 100, false, NULL);
	ok(s && d && strstr(s, "(.tar.gz)") &&
		   !strcmp(strstr(s, "\n== exit"), strstr(d, "\n== exit")),
	   ".tar.gz reads as the directory");
	free(s);
	free(d);
	system("head -c 2000 build/tests/bundle-error.tar.gz > build/tests/cut.tar.gz");
	s = rendered("text", "build/tests/cut.tar.gz", 100, false, NULL);
	ok(has(s, "cut short in the archive"), "a cut .tar.gz is said");
	free(s);
}

static void test_width(void)
{
	char *s = rendered("text", FIX "bundle-error", 40, false, NULL), *f;
	size_t longest = 0, cur = 0;

	for (char *p = s; p && *p; p++) {
		if (*p == '\n') {
			longest = cur > longest ? cur : longest;
			cur = 0;
		} else if ((*p & 0xc0) != 0x80) {
			cur++;
		}
	}
	ok(s && longest <= 40, "width 40: longest line %zu columns", longest);
	f = rendered("text", FIX "bundle-error", 40, true, NULL);
	ok(f && s && strlen(f) > strlen(s), "--full prints more");
	free(s);
	free(f);
}

static void test_markdown_limit(void)
{
	struct kt_bundle b;
	struct kt_report_opts o = {.md_limit = 3000};
	char *p = NULL;
	size_t n = 0;
	FILE *mf = open_memstream(&p, &n);

	kt_bundle_load(&b, FIX "bundle-error");
	kt_report_markdown(mf, &b, &o);
	fclose(mf);
	ok(n <= 3000, "markdown within a 3000-byte limit (%zu)", n);
	ok(has(p, "Cut to fit GitHub's 3000-character limit"), "the cut is said");
	ok(has(p, "*cut: "), "in the section cut");
	kt_bundle_free(&b);
	free(p);
}

static void test_html(void)
{
	char *s = rendered("html", FIX "bundle-error", 100, false, NULL);
	size_t lanes = 0;

	for (char *p = s; p && (p = strstr(p, "<g class=\"lane\"")); p++)
		lanes++;
	ok(lanes == 4 * 3, "a lane per CPU in each of the 3 zooms (%zu)", lanes);
	ok(has(s, "class=\"exit\" data-ts=\"5466000000\""), "the exit marked");
	ok(!has(s, "<script"), "no script");
	free(s);
	s = rendered("html", FIX "bundle-stall", 100, false, NULL);
	ok(has(s, "CPU 2: <b>stuck[501]</b> waiting 2900.000 ms"),
	   "stall: the stuck task named with its wait");
	ok(has(s, "hog[500] 3000.0 ms"), "stall: the hog leads the legend");
	ok(!has(s, "src=\"http") && !has(s, "@import") && !has(s, "url("), "nothing external");
	free(s);
}

/* A timeline cut while the report reads it (mapped): zeros, no SIGBUS,
 * and the bundle says so (capture report then fails rather than keep a
 * partial report). */
static void test_tl_shrunk(void)
{
	const char *dst = "build/tests/bundle-shrink";
	struct kt_bundle b;
	FILE *fp;

	copy_tree(FIX "vm/bundle-error", dst);
	ok(!kt_bundle_load(&b, dst) && b.has_tl && !kt_bundle_tl_shrunk(&b),
	   "vm error bundle loads, its timeline whole");
	truncate_file("build/tests/bundle-shrink/timeline.ktl", 0.2);
	fp = fopen("/dev/null", "w");
	ok(fp && !kt_report_text(fp, &b, &(struct kt_report_opts){.width = 100}),
	   "the report renders over the cut timeline");
	if (fp)
		fclose(fp);
	ok(kt_bundle_tl_shrunk(&b), "... and the bundle says its timeline shrank");
	kt_bundle_free(&b);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "render"))
		return render(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 100,
			      argc > 5 && !strcmp(argv[5], "full"), stdout);
	if (argc == 4 && !strcmp(argv[1], "gen-timeline"))
		return gen_timeline(argv[2], argv[3]);
	mkdir("build", 0755);
	mkdir("build/tests", 0755);
	test_loader();
	golden("bundle-error", "text", "report.txt");
	golden("bundle-error", "markdown", "report.md");
	golden("bundle-stall", "text", "report.txt");
	golden("bundle-stall", "markdown", "report.md");
	/* bundles a real guest wrote, one per failure mode of the test
	 * scheduler (tests/fixtures/vmbundles.sh, make report-golden-vm) */
	for (size_t i = 0; i < sizeof(vm_modes) / sizeof(vm_modes[0]); i++) {
		char b[64];

		snprintf(b, sizeof(b), "vm/bundle-%s", vm_modes[i]);
		golden(b, "text", "report.txt");
		golden(b, "markdown", "report.md");
	}
	test_malformed();
	test_counter_points();
	test_tar();
	test_width();
	test_markdown_limit();
	test_html();
	test_tl_shrunk();
	return tap_done();
}
