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
 * ops.exit() copies the exit info (kind, code, reason, message, debug dump)
 * into .bss, where the loader reads it and prints it like the scx
 * schedulers do (UEI_REPORT).  Test-only; not shipped in ktbox.
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
	dsq_insert(p, SHARED_DSQ, enq_flags);
}

SEC("struct_ops/ktbox_dispatch")
void BPF_PROG(ktbox_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 n = __sync_fetch_and_add(&nr_dispatched, 1) + 1;

	if (mode == MODE_ERROR && n == error_after)
		scx_bpf_error("ktbox_test: forced error after %llu dispatches (cpu %d)", n, cpu);
	if (mode == MODE_EXIT && n == error_after)
		scx_bpf_exit(42, "ktbox_test: leaving after %llu dispatches", n);
	dsq_move_to_local(SHARED_DSQ);
}

SEC("struct_ops.s/ktbox_init")
s32 BPF_PROG(ktbox_init)
{
	s32 ret = scx_bpf_create_dsq(SHARED_DSQ, -1);

	if (ret)
		return ret;
	return scx_bpf_create_dsq(STALL_DSQ, -1);
}

SEC("struct_ops/ktbox_exit")
void BPF_PROG(ktbox_exit, struct scx_exit_info *ei)
{
	bpf_probe_read_kernel_str(uei_reason, sizeof(uei_reason), ei->reason);
	bpf_probe_read_kernel_str(uei_msg, sizeof(uei_msg), ei->msg);
	bpf_probe_read_kernel_str(uei_dump, sizeof(uei_dump), ei->dump);
	uei_exit_code = ei->exit_code;
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
