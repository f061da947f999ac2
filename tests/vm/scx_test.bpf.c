// SPDX-License-Identifier: GPL-2.0
/*
 * ktbox_test: a minimal sched_ext scheduler that fails on command.
 *
 * A global FIFO (one shared DSQ, consumed by every CPU), plus three ways
 * to end, chosen by the loader (tests/vm/scx_test.c) through .rodata:
 *
 *   MODE_NORMAL  run until user space unregisters (clean exit, UNREG)
 *   MODE_ERROR   scx_bpf_error() with a known message after N dispatches
 *                (exit kind ERROR_BPF)
 *   MODE_STALL   never dispatch one task (stall_pid): the watchdog fires
 *                after timeout_ms (exit kind ERROR_STALL); the struct_ops
 *                map ktbox_stall_ops carries the short timeout
 *   MODE_EXIT    scx_bpf_exit() after N dispatches: the scheduler leaves
 *                on its own (exit kind UNREG_BPF, exit code 42)
 *
 * With the loader's -g, the N dispatches of ERROR and EXIT count from the
 * moment the loader gets SIGUSR1 (see gate below).
 *
 * ops.exit() copies the exit info (kind, code, reason, message, debug dump)
 * into .bss, where the loader reads it and prints it like the scx
 * schedulers do (UEI_REPORT).  Test-only; not shipped in ktbox.
 *
 * Maps for bpfdump's checks (they never change how tasks are scheduled):
 *   ktbox_tasks      HASH pid -> struct ktbox_task (comm, nested counters,
 *                    runs per CPU, state enum, bool, signed ints), updated
 *                    in enqueue, running and stopping
 *   ktbox_cpus       PERCPU_ARRAY, one struct ktbox_cpu per CPU, updated on
 *                    each CPU's dispatch
 *   ktbox_arena      ARENA of 16 pages; init allocates 3 and writes a
 *                    struct ktbox_arena_page at the start of each; dispatch
 *                    counts in page 0.  clang 14 has no __arena (address
 *                    space casts came with LLVM 18), so the one cast the
 *                    verifier needs is written as raw instruction bytes
 *                    (arena_kptr below).
 *
 * No scx common headers: only the kernel's vmlinux.h (Debian linux-bpf-dev,
 * which also declares the kfuncs) and libbpf's bpf_helpers.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ	0
#define STALL_DSQ	1	/* nobody ever consumes it */

enum { MODE_NORMAL, MODE_ERROR, MODE_STALL, MODE_EXIT };

const volatile u32 mode = MODE_NORMAL;
const volatile u64 error_after = 100;	/* dispatches before scx_bpf_error/exit() */

/* written by the loader after the program is loaded */
volatile s32 stall_pid;

u64 nr_dispatched, nr_enqueued, nr_stalled;

/* user exit info, read by the loader once kind != 0 */
#define KT_EXIT_DUMP_LEN 32768
s32 uei_kind;
s64 uei_exit_code;
char uei_reason[128];
char uei_msg[1024];
char uei_dump[KT_EXIT_DUMP_LEN];

/* after uei_*: check_capture_counters reads .bss at fixed offsets */
u64 error_ns;		/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) at the forced error/exit */
u64 exit_ns;		/* ... at ops.exit() */
u64 arena_uaddr;	/* user address of the arena's first allocated page */
u32 arena_pages;	/* pages allocated by init */

/*
 * scx_test -g: the loader holds the forced error/exit (GATE_CLOSED) until
 * it gets SIGUSR1, then sets gate_base = nr_dispatched and opens the gate:
 * the error/exit comes error_after dispatches later.  0: no gate (the
 * N-th dispatch, as without -g).
 */
enum { GATE_NONE, GATE_CLOSED, GATE_OPEN };
volatile u32 gate;
volatile u64 gate_base;
u32 gate_fired;

#define KTBOX_NCPU_SLOTS 8

enum ktbox_task_state {
	KTBOX_TASK_QUEUED = 1,
	KTBOX_TASK_RUNNING = 2,
};

struct ktbox_task_counts {
	u64 enqueued;
	u64 running;
};

struct ktbox_task {
	char comm[16];
	struct ktbox_task_counts counts;
	u32 runs_on[KTBOX_NCPU_SLOTS];	/* ops.running calls per CPU (cpu & 7) */
	enum ktbox_task_state state;
	bool ran;
	s32 last_cpu;			/* -1 until it ran */
	s32 nice;			/* static_prio - 120 */
	s64 queued_minus_ran;		/* counts.enqueued - counts.running */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, s32);
	__type(value, struct ktbox_task);
} ktbox_tasks SEC(".maps");

struct ktbox_cpu {
	u64 dispatches;
	u64 last_ns;	/* bpf_ktime_get_ns() of the last dispatch */
	s32 cpu;	/* the CPU that wrote it */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ktbox_cpu);
} ktbox_cpus SEC(".maps");

#define KTBOX_ARENA_PAGES 16
#define KTBOX_ARENA_ALLOC 3

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, KTBOX_ARENA_PAGES);
} ktbox_arena SEC(".maps");

/* at the start of each allocated arena page */
struct ktbox_arena_page {
	char tag[16];		/* "ktbox-arena-N" */
	u64 index;
	u64 dispatches;		/* page 0 only */
};

/*
 * rX = addr_space_cast(rX, 0, 1): a user arena address (address space 1,
 * what bpf_arena_alloc_pages returns) to one the program may load and store
 * through (the verifier's PTR_TO_ARENA).  BPF_ALU64 | BPF_MOV | BPF_X with
 * off 1 and imm 1, on r1; clang 18+ emits it for __arena casts.  The
 * verifier allows it only in a program that uses the arena map: the empty
 * asm takes the map's address so that every caller does.
 */
static __always_inline struct ktbox_arena_page *arena_kptr(u64 uaddr)
{
	struct ktbox_arena_page *r;

	asm volatile("" : : "r"(&ktbox_arena));
	asm volatile("r1 = %[in]\n\t"
		     ".byte 0xbf, 0x11, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00\n\t"
		     "%[out] = r1"
		     : [out] "=r"(r)
		     : [in] "r"(uaddr)
		     : "r1");
	return r;
}

/* scx_bpf_error(fmt, args...) and scx_bpf_exit() as scx's common.bpf.h has them */
#define scx_bpf_bstr_preamble(fmt, args...)					\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")

#define scx_bpf_error(fmt, args...)						\
({										\
	scx_bpf_bstr_preamble(fmt, args)					\
	scx_bpf_error_bstr(___fmt, ___param, sizeof(___param));			\
})

#define scx_bpf_exit(code, fmt, args...)					\
({										\
	scx_bpf_bstr_preamble(fmt, args)					\
	scx_bpf_exit_bstr(code, ___fmt, ___param, sizeof(___param));		\
})

/*
 * Kernels before 6.13 name the two kfuncs scx_bpf_dispatch() and
 * scx_bpf_consume(); 6.13+ (and this vmlinux.h) scx_bpf_dsq_insert() and
 * scx_bpf_dsq_move_to_local().  Weak declarations of the old names and a
 * bpf_ksym_exists() test keep one object loadable on both (CO-RE): the
 * branch for the missing kfunc is dead code the verifier drops.
 */
void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_consume(u64 dsq_id) __ksym __weak;

static void dsq_insert(struct task_struct *p, u64 dsq_id, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert))
		scx_bpf_dsq_insert(p, dsq_id, SCX_SLICE_DFL, enq_flags);
	else
		scx_bpf_dispatch(p, dsq_id, SCX_SLICE_DFL, enq_flags);
}

static void dsq_move_to_local(u64 dsq_id)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local))
		scx_bpf_dsq_move_to_local(dsq_id);
	else
		scx_bpf_consume(dsq_id);
}

/* The stats entry of P, created on first sight (NULL when the map is full). */
static struct ktbox_task *task_stat(struct task_struct *p)
{
	s32 pid = p->pid;
	struct ktbox_task *t = bpf_map_lookup_elem(&ktbox_tasks, &pid);
	struct ktbox_task init = {.last_cpu = -1};

	if (t)
		return t;
	init.nice = p->static_prio - 120;
	bpf_probe_read_kernel_str(init.comm, sizeof(init.comm), p->comm);
	bpf_map_update_elem(&ktbox_tasks, &pid, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&ktbox_tasks, &pid);
}

static void task_refresh(struct ktbox_task *t, struct task_struct *p)
{
	t->nice = p->static_prio - 120;
	bpf_probe_read_kernel_str(t->comm, sizeof(t->comm), p->comm);
}

static void task_enqueued(struct task_struct *p)
{
	struct ktbox_task *t = task_stat(p);

	if (!t)
		return;
	__sync_fetch_and_add(&t->counts.enqueued, 1);
	t->state = KTBOX_TASK_QUEUED;
	t->queued_minus_ran = (s64)t->counts.enqueued - (s64)t->counts.running;
}

static void cpu_dispatched(s32 cpu)
{
	u32 zero = 0;
	struct ktbox_cpu *c = bpf_map_lookup_elem(&ktbox_cpus, &zero);

	if (c) {
		c->dispatches++;
		c->last_ns = bpf_ktime_get_ns();
		c->cpu = cpu;
	}
	/* plain (racy) add: atomics on arena memory need a newer JIT */
	if (arena_uaddr)
		arena_kptr(arena_uaddr)->dispatches++;
}

/* The N-th dispatch (N-th since the gate opened, once): time to fail. */
static bool end_due(u64 n)
{
	if (gate == GATE_NONE)
		return n == error_after;
	if (gate != GATE_OPEN || n < gate_base + error_after)
		return false;
	return __sync_val_compare_and_swap(&gate_fired, 0, 1) == 0;
}

/* Pick a CPU but never dispatch directly: every task goes through enqueue. */
SEC("struct_ops/ktbox_select_cpu")
s32 BPF_PROG(ktbox_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

SEC("struct_ops/ktbox_enqueue")
void BPF_PROG(ktbox_enqueue, struct task_struct *p, u64 enq_flags)
{
	if (mode == MODE_STALL && stall_pid && p->pid == stall_pid) {
		__sync_fetch_and_add(&nr_stalled, 1);
		dsq_insert(p, STALL_DSQ, enq_flags);
		return;
	}
	__sync_fetch_and_add(&nr_enqueued, 1);
	task_enqueued(p);
	dsq_insert(p, SHARED_DSQ, enq_flags);
}

SEC("struct_ops/ktbox_running")
void BPF_PROG(ktbox_running, struct task_struct *p)
{
	struct ktbox_task *t = task_stat(p);
	u32 cpu = bpf_get_smp_processor_id();

	if (!t)
		return;
	__sync_fetch_and_add(&t->counts.running, 1);
	__sync_fetch_and_add(&t->runs_on[cpu & (KTBOX_NCPU_SLOTS - 1)], 1);
	t->last_cpu = (s32)cpu;
	t->ran = true;
	t->state = KTBOX_TASK_RUNNING;
	t->queued_minus_ran = (s64)t->counts.enqueued - (s64)t->counts.running;
	task_refresh(t, p);
}

/* A task that stops running may have exec'd or changed its nice meanwhile. */
SEC("struct_ops/ktbox_stopping")
void BPF_PROG(ktbox_stopping, struct task_struct *p, bool runnable)
{
	struct ktbox_task *t = task_stat(p);

	if (t)
		task_refresh(t, p);
}

SEC("struct_ops/ktbox_dispatch")
void BPF_PROG(ktbox_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 n = __sync_fetch_and_add(&nr_dispatched, 1) + 1;

	cpu_dispatched(cpu);
	if ((mode == MODE_ERROR || mode == MODE_EXIT) && end_due(n)) {
		error_ns = bpf_ktime_get_ns();
		if (mode == MODE_ERROR)
			scx_bpf_error("ktbox_test: forced error after %llu dispatches (cpu %d)",
				      n, cpu);
		else
			scx_bpf_exit(42, "ktbox_test: leaving after %llu dispatches", n);
	}
	dsq_move_to_local(SHARED_DSQ);
}

/* Three arena pages, each tagged; a failure leaves arena_uaddr 0 (no arena). */
static void arena_init(void)
{
	void __attribute__((address_space(1))) *p;
	u64 base;

	p = bpf_arena_alloc_pages(&ktbox_arena, NULL, KTBOX_ARENA_ALLOC, -1, 0);
	if (!p)
		return;
	base = (u64)p;
	for (u32 i = 0; i < KTBOX_ARENA_ALLOC; i++) {
		struct ktbox_arena_page *pg = arena_kptr(base + i * 4096ull);

		__builtin_memcpy(pg->tag, "ktbox-arena-", 12);
		pg->tag[12] = '0' + i;
		pg->index = i;
	}
	arena_pages = KTBOX_ARENA_ALLOC;
	arena_uaddr = base;
}

SEC("struct_ops.s/ktbox_init")
s32 BPF_PROG(ktbox_init)
{
	s32 ret = scx_bpf_create_dsq(SHARED_DSQ, -1);

	if (ret)
		return ret;
	ret = scx_bpf_create_dsq(STALL_DSQ, -1);
	if (ret)
		return ret;
	arena_init();
	return 0;
}

SEC("struct_ops/ktbox_exit")
void BPF_PROG(ktbox_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(uei_reason, sizeof(uei_reason), ei->reason);
	bpf_probe_read_kernel_str(uei_msg, sizeof(uei_msg), ei->msg);
	bpf_probe_read_kernel_str(uei_dump, sizeof(uei_dump), ei->dump);
	uei_exit_code = ei->exit_code;
	exit_ns = bpf_ktime_get_ns();
	/* last: the loader polls for it */
	asm volatile("" ::: "memory");
	uei_kind = ei->kind;
}

/* Both maps are the same scheduler; only the watchdog timeout differs. */
#define KTBOX_OPS(timeout)						\
	{								\
		.select_cpu	= (void *)ktbox_select_cpu,		\
		.enqueue	= (void *)ktbox_enqueue,		\
		.dispatch	= (void *)ktbox_dispatch,		\
		.running	= (void *)ktbox_running,		\
		.stopping	= (void *)ktbox_stopping,		\
		.init		= (void *)ktbox_init,			\
		.exit		= (void *)ktbox_exit,			\
		.exit_dump_len	= KT_EXIT_DUMP_LEN,			\
		.timeout_ms	= (timeout),				\
		.name		= "ktbox_test",				\
	}

/* timeout_ms 0: the kernel's default watchdog (30 s) */
SEC(".struct_ops.link")
struct sched_ext_ops ktbox_ops = KTBOX_OPS(0);

/* A short watchdog, for MODE_STALL. */
SEC(".struct_ops.link")
struct sched_ext_ops ktbox_stall_ops = KTBOX_OPS(1000);
