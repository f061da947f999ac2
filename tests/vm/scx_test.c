// SPDX-License-Identifier: GPL-2.0
/*
 * scx_test: loader for the ktbox_test sched_ext scheduler (scx_test.bpf.c).
 * Static musl binary for the VM suite; not part of ktbox.
 *
 * Loads the scheduler, attaches it, waits for it to end and prints the
 * exit info the way the scx schedulers do (UEI_REPORT): the debug dump
 * between "DEBUG DUMP" banners, then "EXIT: REASON (MSG)" on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/libbpf.h>

/* the skeleton uses the kernel's type names */
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#include "scx_test.skel.h"

enum { MODE_NORMAL, MODE_ERROR, MODE_STALL, MODE_EXIT };	/* as in scx_test.bpf.c */
#define SCX_EXIT_ERROR 1024

enum { GATE_NONE, GATE_CLOSED, GATE_OPEN };			/* as in scx_test.bpf.c */

static volatile sig_atomic_t stop, open_gate;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		open_gate = 1;
	else
		stop = 1;
}

/* -g: SIGUSR1 came; the error/exit follows error_after dispatches from now */
static void gate_open(struct scx_test *skel, unsigned long long n)
{
	unsigned long long base = skel->bss->nr_dispatched;

	skel->bss->gate_base = base;
	__atomic_store_n(&skel->bss->gate, GATE_OPEN, __ATOMIC_RELEASE);
	printf("scx_test: gate opened at dispatch %llu: ending at dispatch %llu\n", base,
	       base + n);
}

static void usage(FILE *fp)
{
	fputs("Usage: scx_test [-m normal|error|stall|exit] [-n N] [-g] [-t SECONDS] [-w SECONDS] [-x CMD] [-v]\n"
	      "       scx_test -k [SEQ]\n"
	      "\n"
	      "Run the ktbox_test sched_ext scheduler (a global FIFO) until it ends.\n"
	      "  -m normal  run until SIGINT/SIGTERM or -t, then unregister (clean exit)\n"
	      "  -m error   scx_bpf_error(\"ktbox_test: forced error after N dispatches\n"
	      "             (cpu C)\") on the N-th dispatch (-n, default 100)\n"
	      "  -m stall   a child task 'ktbox_stall' is never dispatched: the watchdog\n"
	      "             (timeout_ms 1000) ends the scheduler with a runnable task stall\n"
	      "  -m exit    scx_bpf_exit(42, \"ktbox_test: leaving after N dispatches\") on\n"
	      "             the N-th dispatch: the scheduler unregisters itself\n"
	      "  -g         error and exit modes: count the N dispatches from SIGUSR1 on\n"
	      "             (the scheduler runs until then)\n"
	      "  -t SECONDS normal mode: unregister after SECONDS (default: on a signal)\n"
	      "  -w SECONDS give up waiting for the exit after SECONDS (default 60)\n"
	      "  -x CMD     run CMD (sh -c) after the exit, while the BPF programs are still\n"
	      "             loaded (their symbols are in /proc/kallsyms until we unload)\n"
	      "  -v         libbpf debug messages\n"
	      "  -k [SEQ]   print the /dev/kmsg records present now (from sequence number\n"
	      "             SEQ on), one per line as the kernel writes them, and exit\n"
	      "\n"
	      "Prints 'scx_test: attached ...' once the scheduler runs, the exit info\n"
	      "(DEBUG DUMP block and 'EXIT: REASON (MSG)') on stderr when it ends.\n"
	      "Exit status: 0 for a normal exit (unregistered), 1 for an error exit,\n"
	      "2 usage, 3 when the scheduler did not end in time, 4 load/attach failure.\n",
	      fp);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("SCX_TEST_VERBOSE") != NULL;
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Raw /dev/kmsg records with seq >= from, non-blocking: the tests' reference. */
static int dump_kmsg(unsigned long long from)
{
	char buf[8192];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "scx_test: /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		unsigned long long seq;

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: go on from the oldest */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf[n] = '\0';
		if (sscanf(buf, "%*u,%llu,", &seq) == 1 && seq < from)
			continue;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	return fflush(stdout) ? 1 : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The task the stall mode starves: wakes up every millisecond forever. */
static pid_t spawn_stall_task(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, "ktbox_stall");
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			usleep(1000);
	}
	return pid;
}

/*
 * ops.init allocated arena pages 0..arena_pages-1 and tagged them; fault in
 * the even ones here (reading a page the BPF side allocated maps it, never
 * allocates), so bpfdump sees exactly those in our page tables and must
 * say the odd ones are out of its view.
 */
static void touch_arena(struct scx_test *skel)
{
	volatile const char *base = (const char *)(uintptr_t)skel->bss->arena_uaddr;
	unsigned int n = skel->bss->arena_pages, untagged = 0;

	if (!base) {
		printf("scx_test: no arena pages (bpf_arena_alloc_pages failed in init)\n");
		return;
	}
	printf("scx_test: arena at %p, %u pages allocated, touched:", (const void *)base, n);
	for (unsigned int i = 0; i < n; i += 2) {
		untagged += base[(size_t)i * 4096] != 'k';
		printf(" %u", i);
	}
	printf("%s\n", untagged ? " (tags missing)" : "");
}

static void report(struct scx_test *skel)
{
	const char *bar = "================================================================================";

	if (skel->bss->uei_dump[0])
		fprintf(stderr, "\nDEBUG DUMP\n%s\n\n%s%s\n\n", bar, skel->bss->uei_dump, bar);
	fprintf(stderr, "EXIT: %s", skel->bss->uei_reason);
	if (skel->bss->uei_msg[0])
		fprintf(stderr, " (%s)", skel->bss->uei_msg);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	const char *mode_s = "normal", *after = NULL;
	double run_for = 0, wait_for = 60, t0;
	unsigned long long n = 100;
	struct bpf_map *ops, *other;
	struct bpf_link *link = NULL;
	struct scx_test *skel;
	pid_t stall = -1;
	int c, mode, rc = 0, gated = 0;

	if (argc >= 2 && !strcmp(argv[1], "-k"))
		return dump_kmsg(argc > 2 ? strtoull(argv[2], NULL, 10) : 0);
	while ((c = getopt(argc, argv, "m:n:gt:w:x:vh")) != -1) {
		switch (c) {
		case 'g': gated = 1; break;
		case 'm': mode_s = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 't': run_for = atof(optarg); break;
		case 'w': wait_for = atof(optarg); break;
		case 'x': after = optarg; break;
		case 'v': setenv("SCX_TEST_VERBOSE", "1", 1); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!strcmp(mode_s, "normal"))
		mode = MODE_NORMAL;
	else if (!strcmp(mode_s, "error"))
		mode = MODE_ERROR;
	else if (!strcmp(mode_s, "stall"))
		mode = MODE_STALL;
	else if (!strcmp(mode_s, "exit"))
		mode = MODE_EXIT;
	else {
		usage(stderr);
		return 2;
	}
	if (optind != argc || !n) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);

	skel = scx_test__open();
	if (!skel) {
		fprintf(stderr, "scx_test: open: %s\n", strerror(errno));
		return 4;
	}
	skel->rodata->mode = mode;
	skel->rodata->error_after = n;
	ops = bpf_object__find_map_by_name(skel->obj,
					   mode == MODE_STALL ? "ktbox_stall_ops" : "ktbox_ops");
	other = bpf_object__find_map_by_name(skel->obj,
					     mode == MODE_STALL ? "ktbox_ops" : "ktbox_stall_ops");
	if (!ops || !other) {
		fprintf(stderr, "scx_test: struct_ops maps missing from the object\n");
		rc = 4;
		goto out;
	}
	bpf_map__set_autocreate(other, false);
	if (scx_test__load(skel)) {
		fprintf(stderr, "scx_test: load: %s\n", strerror(errno));
		rc = 4;
		goto out;
	}
	if (mode == MODE_STALL) {
		stall = spawn_stall_task();
		if (stall < 0) {
			fprintf(stderr, "scx_test: fork: %s\n", strerror(errno));
			rc = 4;
			goto out;
		}
		skel->bss->stall_pid = stall;
	}
	if (gated && (mode == MODE_ERROR || mode == MODE_EXIT))
		skel->bss->gate = GATE_CLOSED;
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		fprintf(stderr, "scx_test: attach: %s\n", strerror(errno));
		rc = 4;
		goto out;
	}
	touch_arena(skel);
	printf("scx_test: attached ktbox_test mode=%s", mode_s);
	if (mode == MODE_ERROR || mode == MODE_EXIT)
		printf(" %s_after=%llu", mode == MODE_ERROR ? "error" : "exit", n);
	if (stall > 0)
		printf(" stall_pid=%d", (int)stall);
	if (skel->bss->gate == GATE_CLOSED)
		printf(" gated (SIGUSR1 opens)");
	printf("\n");

	t0 = now();
	while (!skel->bss->uei_kind) {
		double el = now() - t0;

		if (stop || (mode == MODE_NORMAL && run_for > 0 && el >= run_for))
			break;
		if (open_gate && skel->bss->gate == GATE_CLOSED)
			gate_open(skel, n);
		if (el >= wait_for) {
			fprintf(stderr, "scx_test: scheduler still running after %.0fs\n", wait_for);
			rc = 3;
			break;
		}
		usleep(20000);
	}
	/* unregistering runs ops.exit(): wait for its report */
	bpf_link__destroy(link);
	link = NULL;
	for (t0 = now(); !skel->bss->uei_kind && now() - t0 < 5;)
		usleep(10000);
	if (skel->bss->uei_kind) {
		report(skel);
		if (!rc)
			rc = skel->bss->uei_kind >= SCX_EXIT_ERROR;
	} else if (!rc) {
		fprintf(stderr, "scx_test: no exit info from the scheduler\n");
		rc = 3;
	}
	if (after) {
		fflush(stdout);
		fflush(stderr);
		if (system(after))
			fprintf(stderr, "scx_test: -x '%s' failed\n", after);
	}
	if (skel->bss->uei_kind)
		printf("scx_test: exit kind %d code %lld\n", skel->bss->uei_kind,
		       (long long)skel->bss->uei_exit_code);
	if (skel->bss->error_ns || skel->bss->exit_ns)
		printf("scx_test: error_ns=%llu exit_ns=%llu\n",
		       (unsigned long long)skel->bss->error_ns,
		       (unsigned long long)skel->bss->exit_ns);
	printf("scx_test: dispatched=%llu enqueued=%llu stalled=%llu\n",
	       (unsigned long long)skel->bss->nr_dispatched,
	       (unsigned long long)skel->bss->nr_enqueued,
	       (unsigned long long)skel->bss->nr_stalled);
out:
	bpf_link__destroy(link);
	if (stall > 0) {
		kill(stall, SIGKILL);
		waitpid(stall, NULL, 0);
	}
	scx_test__destroy(skel);
	return rc;
}
