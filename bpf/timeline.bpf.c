// SPDX-License-Identifier: GPL-2.0
/*
 * timeline: scheduler events into a ring buffer of 40-byte records
 * (bpf/intf.h).  CO-RE against the pinned vmlinux.h; every program is a
 * tp_btf tracepoint the loader may leave out (--events, or missing on the
 * running kernel).
 *
 * Wake-ups: a record is submitted with BPF_RB_NO_WAKEUP until this CPU has
 * submitted wake_bytes since its last wake-up, then BPF_RB_FORCE_WAKEUP; the
 * consumer also polls on a timer.  Waking the consumer per record cost
 * +64-67 % on perf bench sched pipe here, this policy +11-15 %.  The count is
 * per CPU (in `cpust`, with the name cache: one map lookup per program run)
 * rather than bpf_ringbuf_query(BPF_RB_AVAIL_DATA), a helper call that reads
 * the shared producer and consumer positions on every submit.  Task fields
 * are read directly (tp_btf arguments are BTF pointers) rather than through
 * BPF_CORE_READ's bpf_probe_read_kernel calls.  Together, measured with
 * bpf_stats (tests/bench/timeline.sh): sched_switch 452 -> 417 ns per run,
 * sched_wakeup 572 -> 495; what remained was bpf_ktime_get_ns (~90 ns on this
 * kvm-clock guest) and the ring buffer reserve/submit (~290 ns: its lock and
 * the record's cold cache line), against ~100 ns for the count-only floor.
 *
 * Staging (kernels with bpf_local_irq_save, 6.14+; the loader sets
 * stage_on): a program writes its record into this CPU's stage (in
 * `cpust`, a hot cache line) and the stage goes to the ring buffer as one
 * sample of STAGE_RECS records when full: one reservation, one commit and
 * one copy into cold ring memory per 64 records instead of per record (a
 * sample of n * 40 bytes is n records to every reader, as text samples
 * already were).  Each CPU's stream stays in time order (stage_lock), CPUs'
 * batches come far apart: the recorder runs tl_flush on every CPU at each
 * drain, at a flight-recorder trigger and at the stop, and writes records
 * in time order across CPUs (lib/timeline_merge.c).  A failed batch counts
 * all its records lost.  Measured with bpf_stats on perf bench sched pipe
 * pinned on one CPU (tests/bench/timeline.sh; ns per run, medians, a 2-CPU
 * PVM guest at load 4-8): staging took sched_switch from ~370 to ~250 ns
 * with the 16 MiB ring; the same without the batch's bpf_ringbuf_output
 * ran 138: the copy into ring memory that is not in cache was the rest,
 * and the ring's size decides it (staged: 16 MiB ~300, 4 MiB ~220, 1 MiB
 * ~165).  Staged with 2 MiB: sched_switch 184 ns (before 363, count-only
 * floor 85), sched_wakeup 273 (471, floor 146).  One ring per CPU (rbs,
 * 512 KiB each by default) keeps each CPU's copies in its own cache
 * whatever the CPU count; against the shared 2 MiB ring, in the same
 * interleaved rounds: sched_switch 150.9 -> 146.7 ns, wake-ups level, and
 * perf bench sched pipe's overhead +7.4 % -> +5.2 % (perf sched record
 * +17.9 %); three runs of the bench on one day: +3.4 to +6.4 %, perf
 * sched record +13.8 to +17.9 %, the count-only floor +0.6 to +10.3 %
 * (this machine's figures move more between runs than these changes).  bpf_local_irq_save costs ~10-30 ns here (a PVM
 * paravirt call), so the programs that always run with interrupts off do
 * without it.
 *
 * Reservation failures are counted per CPU in `lost`: nothing is dropped
 * silently.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "intf.h"

char LICENSE[] SEC("license") = "GPL";

/* set by the loader before load */
const volatile __u64 cpumask[TL_CPUMASK_WORDS] = {};
const volatile bool filter_cpus = false;
const volatile __u32 filter_tgid = 0;
const volatile __u32 self_tgid = 0;
const volatile __u64 wake_bytes = 1 << 20;	/* per CPU */
/* stage records per CPU (the kernel has bpf_local_irq_save); else one
 * ring-buffer reservation per record */
const volatile bool stage_on = false;

/*
 * One ring buffer per CPU, each written only by its CPU: a CPU's copies go
 * into a ring small enough to stay in its cache (one ring shared by all
 * CPUs spreads every CPU's writes over all of it), and no CPU takes
 * another's ring lock.  The loader sizes the template and puts a ring at
 * each possible CPU's index.
 */
struct rb_cpu {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 << 10);	/* resized by the loader */
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);		/* resized by the loader: possible CPUs */
	__type(key, __u32);
	__array(values, struct rb_cpu);
} rbs SEC(".maps");

/* This CPU's ring buffer (NULL: the loader gave it none). */
static __always_inline void *cpu_rb(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&rbs, &cpu);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* pids whose name was written (LRU: a long recording forgets, and writes again) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

/*
 * Per-CPU state, one lookup per program run: bytes submitted since this
 * CPU last woke the consumer, a direct-mapped cache of pids whose name
 * was written (in front of `seen`: no hash lookup for hot pids), and the
 * stage: this CPU's records not yet in the ring buffer, in time order.
 */
#define SEEN_CACHE 256
#define STAGE_RECS 64
struct cpu_state {
	__u64 unwoken;
	__u32 n;	/* records staged */
	__u32 busy;	/* a program is updating the stage */
	__u32 pid[SEEN_CACHE];
	struct timeline_event rec[STAGE_RECS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpust SEC(".maps");

static __always_inline struct cpu_state *cpu_state(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&cpust, &k);
}

/* scratch for a text-carrying sample: header + continuations, and the string */
#define TEXT_RECS (TL_TEXT_MAX / TL_TEXT_CHUNK + 1)
struct text_scratch {
	struct timeline_event rec[1 + TEXT_RECS];
	char str[2048];		/* TL_TEXT_MAX + a chunk, as a power of two */
	__u64 dump_seq;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct text_scratch);
} scratch SEC(".maps");

static __always_inline void count_lost(__u64 n)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&lost, &k);

	if (v)
		*v += n;
}

/* The submit flag for BYTES more from this CPU (S NULL: never; the timer drains). */
static __always_inline __u64 wake_flag(struct cpu_state *s, __u64 bytes)
{
	if (!s)
		return BPF_RB_NO_WAKEUP;
	s->unwoken += bytes;
	if (s->unwoken < wake_bytes)
		return BPF_RB_NO_WAKEUP;
	s->unwoken = 0;
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline bool cpu_ok(__u32 cpu)
{
	if (!filter_cpus)
		return true;
	return cpumask[(cpu / 64) & (TL_CPUMASK_WORDS - 1)] >> (cpu % 64) & 1;
}

static __always_inline bool tgid_ok(__u32 tgid)
{
	return !filter_tgid || tgid == filter_tgid;
}

/*
 * The stage's records to the ring buffer as one sample (a whole batch
 * fails or fits: its records are counted lost together).  Interrupts are
 * off (stage_lock): no other program of this CPU is between its records.
 */
static __always_inline void stage_flush(struct cpu_state *s)
{
	__u32 n = s->n;
	void *rb;

	if (!n)
		return;
	if (n > STAGE_RECS)
		n = STAGE_RECS;
	rb = cpu_rb();
	if (!rb || bpf_ringbuf_output(rb, s->rec, (__u64)n * sizeof(struct timeline_event),
				      wake_flag(s, (__u64)n * sizeof(struct timeline_event))))
		count_lost(n);
	s->n = 0;
}

/*
 * A record to fill, then rec_end: the next stage slot, or (not staging) a
 * ring-buffer reservation; NULL (counted lost) when the ring is full.
 */
static __always_inline struct timeline_event *rec_begin(struct cpu_state *s)
{
	struct timeline_event *e = NULL;
	void *rb;

	if (stage_on)
		return &s->rec[s->n & (STAGE_RECS - 1)];
	rb = cpu_rb();
	if (rb)
		e = bpf_ringbuf_reserve(rb, sizeof(*e), 0);
	if (!e)
		count_lost(1);
	return e;
}

static __always_inline void rec_end(struct cpu_state *s, struct timeline_event *e)
{
	if (!stage_on) {
		bpf_ringbuf_submit(e, wake_flag(s, sizeof(*e)));
		return;
	}
	if (++s->n >= STAGE_RECS)
		stage_flush(s);
}

/*
 * Staging needs this CPU's programs not to interleave.  sched_switch,
 * sched_migrate_task and sched_wakeup_new run with interrupts off (under
 * the runqueue lock or p->pi_lock), and so do sched_wakeup and
 * sched_waking, except for a task waking itself (try_to_wake_up's
 * p == current path, preemption off only); the others (fork, exec, exit,
 * text, the flush) may run with interrupts on, and an interrupt's wake-up
 * would land in the middle of their stage update: those turn interrupts
 * off (IRQS_ON).  The time stamp is taken inside, so the stage stays in
 * time order.  Only an NMI can still come in between (contention_begin):
 * BUSY says so, and the nested event is counted lost.
 */
static __always_inline int stage_lock(struct cpu_state *s, unsigned long *flags, bool irqs_on)
{
	if (!stage_on)
		return 0;
	if (irqs_on)
		bpf_local_irq_save(flags);
	if (s->busy) {
		if (irqs_on)
			bpf_local_irq_restore(flags);
		count_lost(1);
		return -1;
	}
	s->busy = 1;
	return 0;
}

static __always_inline void stage_unlock(struct cpu_state *s, unsigned long *flags, bool irqs_on)
{
	if (!stage_on)
		return;
	s->busy = 0;
	if (irqs_on)
		bpf_local_irq_restore(flags);
}

static __always_inline void emit(struct cpu_state *s, __u32 type, __u32 cpu, __u64 ts, __u32 pp,
				 __u32 np, __u64 a, __u64 b)
{
	struct timeline_event *e = rec_begin(s);

	if (!e)
		return;
	e->type = type;
	e->cpu = cpu;
	e->ts = ts;
	e->prev_pid = pp;
	e->next_pid = np;
	e->a = a;
	e->b = b;
	rec_end(s, e);
}

static __always_inline void emit_comm(struct cpu_state *s, struct task_struct *p, __u32 cpu,
				      __u64 ts)
{
	struct timeline_event *e = rec_begin(s);

	if (!e)
		return;
	e->type = TL_EVT_COMM;
	e->cpu = cpu;
	e->ts = ts;
	e->prev_pid = p->pid;
	e->next_pid = p->tgid;
	e->a = 0;
	e->b = 0;
	bpf_probe_read_kernel_str(&e->a, 16, &p->comm);
	rec_end(s, e);
}

/* Write P's name the first time its pid is seen. */
static __always_inline void maybe_comm(struct cpu_state *s, struct task_struct *p, __u32 cpu,
				       __u64 ts)
{
	__u32 pid = p->pid;
	__u8 one = 1;

	if (!pid || s->pid[pid & (SEEN_CACHE - 1)] == pid)
		return;
	s->pid[pid & (SEEN_CACHE - 1)] = pid;
	if (bpf_map_lookup_elem(&seen, &pid))
		return;
	bpf_map_update_elem(&seen, &pid, &one, BPF_ANY);
	emit_comm(s, p, cpu, ts);
}

/*
 * A name changed (exec), or a child's is new (fork): write it now, with its
 * own time stamp.  Not staging, these programs run with interrupts on: an
 * interrupt's wakeup on this CPU between the caller's time stamp and this
 * record would otherwise put an older time after a newer one in the CPU's
 * stream.
 */
static __always_inline void renew_comm(struct cpu_state *s, struct task_struct *p, __u32 cpu)
{
	__u32 pid = p->pid;
	__u8 one = 1;

	s->pid[pid & (SEEN_CACHE - 1)] = pid;
	bpf_map_update_elem(&seen, &pid, &one, BPF_ANY);
	emit_comm(s, p, cpu, bpf_ktime_get_ns());
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tl_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct cpu_state *s;
	unsigned long flags;
	__u64 ts;

	if (!cpu_ok(cpu))
		return 0;
	if (filter_tgid && prev->tgid != filter_tgid && next->tgid != filter_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, false))
		return 0;
	ts = bpf_ktime_get_ns();
	maybe_comm(s, prev, cpu, ts);
	maybe_comm(s, next, cpu, ts);
	emit(s, TL_EVT_SWITCH, cpu, ts, prev->pid, next->pid, prev_state, preempt);
	stage_unlock(s, &flags, false);
	return 0;
}

/*
 * task_struct.on_cpu is an int on older kernels (6.18 here) and a u8 in
 * newer ones (the pinned 7.2 vmlinux.h, the VM guest's): a load of the
 * wrong width or sign fails CO-RE, so each width has its flavour and the
 * kernel's field size picks one (the other branch is dead at load).
 */
struct task_struct___oncpu_int {
	int on_cpu;
} __attribute__((preserve_access_index));
struct task_struct___oncpu_u8 {
	__u8 on_cpu;
} __attribute__((preserve_access_index));

/*
 * P may be the task running here (a superset: true also while P is being
 * switched out on this CPU, where interrupts are off anyway).  Loads of
 * P's fields instead of bpf_get_current_task_btf(): a helper call saved,
 * sched_wakeup 229 -> 211 ns per run (bpf_stats, 5 interleaved rounds).
 */
static __always_inline bool maybe_current(struct task_struct *p, __u32 cpu)
{
	int on;

	if (bpf_core_field_size(((struct task_struct___oncpu_int *)p)->on_cpu) == 1)
		on = ((struct task_struct___oncpu_u8 *)p)->on_cpu;
	else
		on = ((struct task_struct___oncpu_int *)p)->on_cpu;
	return on && p->thread_info.cpu == cpu;
}

static __always_inline int wake(__u32 type, struct task_struct *p)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = p->tgid;
	struct cpu_state *s;
	unsigned long flags;
	bool on;

	if (!cpu_ok(cpu) || !tgid_ok(tgid) || tgid == self_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	on = maybe_current(p, cpu);
	barrier_var(on); /* one 0/1 value for both branches (the verifier's pairing) */
	if (stage_lock(s, &flags, on))
		return 0;
	emit(s, type, cpu, bpf_ktime_get_ns(), p->pid, 0, p->wake_cpu, 0);
	stage_unlock(s, &flags, on);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(tl_wakeup, struct task_struct *p)
{
	return wake(TL_EVT_WAKEUP, p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(tl_wakeup_new, struct task_struct *p)
{
	return wake(TL_EVT_WAKEUP_NEW, p);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(tl_waking, struct task_struct *p)
{
	return wake(TL_EVT_WAKING, p);
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(tl_migrate, struct task_struct *p, int dest_cpu)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = p->tgid, orig = BPF_CORE_READ(p, thread_info.cpu);
	struct cpu_state *s;
	unsigned long flags;

	if (!cpu_ok(cpu) || !tgid_ok(tgid) || tgid == self_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, false))
		return 0;
	emit(s, TL_EVT_MIGRATE, cpu, bpf_ktime_get_ns(), p->pid, 0, (__u32)dest_cpu, orig);
	stage_unlock(s, &flags, false);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tl_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = parent->tgid;
	struct cpu_state *s;
	unsigned long flags;

	if (!cpu_ok(cpu) || !tgid_ok(tgid) || tgid == self_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, true))
		return 0;
	emit(s, TL_EVT_FORK, cpu, bpf_ktime_get_ns(), parent->pid, child->pid, tgid, child->tgid);
	renew_comm(s, child, cpu);
	stage_unlock(s, &flags, true);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tl_exit, struct task_struct *p)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = p->tgid, pid = p->pid;
	__u32 code = BPF_CORE_READ(p, exit_code);
	bool group_dead = false;
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	struct cpu_state *s;
	unsigned long flags;

	if (!cpu_ok(cpu) || !tgid_ok(tgid) || tgid == self_tgid)
		return 0;
	/* group_dead is the tracepoint's second argument only on newer kernels */
	if (sig)
		group_dead = BPF_CORE_READ(sig, live.counter) == 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, true))
		return 0;
	emit(s, TL_EVT_EXIT, cpu, bpf_ktime_get_ns(), pid, tgid, group_dead, code);
	stage_unlock(s, &flags, true);
	bpf_map_delete_elem(&seen, &pid);
	/* and from this CPU's cache (other CPUs' slots age out as pids move on) */
	if (s->pid[pid & (SEEN_CACHE - 1)] == pid)
		s->pid[pid & (SEEN_CACHE - 1)] = 0;
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tl_exec, struct task_struct *p, pid_t old_pid)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 tgid = p->tgid;
	struct cpu_state *s;
	unsigned long flags;

	if (!cpu_ok(cpu) || !tgid_ok(tgid) || tgid == self_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, true))
		return 0;
	emit(s, TL_EVT_EXEC, cpu, bpf_ktime_get_ns(), p->pid, old_pid, tgid, 0);
	renew_comm(s, p, cpu);
	stage_unlock(s, &flags, true);
	return 0;
}

/* Class id by priority band: 0 fair/ext (>= 100), 1 rt (0..99), 2 deadline (< 0). */
static __always_inline __u64 prio_word(int prio)
{
	__u32 cls = prio < 0 ? 2 : prio < 100 ? 1 : 0;

	return (__u64)(__u32)prio | (__u64)cls << 32;
}

SEC("tp_btf/sched_pi_setprio")
int BPF_PROG(tl_pi, struct task_struct *tsk, struct task_struct *pi_task)
{
	__u32 cpu = bpf_get_smp_processor_id();
	int newprio = tsk->normal_prio;
	struct cpu_state *s;
	unsigned long flags;

	if (!cpu_ok(cpu) || !tgid_ok(tsk->tgid))
		return 0;
	if (pi_task && pi_task->prio < newprio)
		newprio = pi_task->prio;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &flags, true))
		return 0;
	emit(s, TL_EVT_PI_BOOST, cpu, bpf_ktime_get_ns(), bpf_get_current_pid_tgid() & 0xffffffff,
	     tsk->pid, prio_word(tsk->prio), prio_word(newprio));
	stage_unlock(s, &flags, true);
	return 0;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(tl_lock, void *lock, unsigned int flags)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 id = bpf_get_current_pid_tgid();
	struct cpu_state *s;
	unsigned long irq;

	if (!cpu_ok(cpu) || !tgid_ok(id >> 32) || (id >> 32) == self_tgid)
		return 0;
	s = cpu_state();
	if (!s)
		return 0;
	if (stage_lock(s, &irq, true))
		return 0;
	emit(s, TL_EVT_LOCK_CONTEND, cpu, bpf_ktime_get_ns(), (__u32)id, 0, (__u64)lock, flags);
	stage_unlock(s, &irq, true);
	return 0;
}

/*
 * A header and its text as one sample: string S (kernel memory) is copied
 * into scratch, then scattered 24 bytes per continuation record.  The
 * stage goes out first: the CPU's older records stay before it.
 */
static __always_inline void emit_text(__u32 type, const char *s, __u64 a, __u64 b)
{
	__u32 k = 0, cpu = bpf_get_smp_processor_id();
	struct text_scratch *t = bpf_map_lookup_elem(&scratch, &k);
	struct cpu_state *cs = cpu_state();
	unsigned long flags;
	void *rb;
	long len;
	__u32 n, i;

	if (!t || !cs)
		return;
	if (stage_lock(cs, &flags, true))
		return;
	if (stage_on)
		stage_flush(cs);
	len = bpf_probe_read_kernel_str(t->str, TL_TEXT_MAX + 1, s);
	if (len < 1)
		len = 1;
	len--;			/* without the NUL */
	if (len > TL_TEXT_MAX)
		len = TL_TEXT_MAX;
	/* the last chunk's bytes after the text: zeros, not an older string */
	for (i = 0; i < TL_TEXT_CHUNK; i++)
		t->str[(len + i) & 2047] = 0;
	n = ((__u32)len + TL_TEXT_CHUNK - 1) / TL_TEXT_CHUNK;
	if (n > TEXT_RECS)
		n = TEXT_RECS;
	t->rec[0].type = type;
	t->rec[0].cpu = cpu;
	t->rec[0].ts = bpf_ktime_get_ns();
	t->rec[0].prev_pid = (__u32)bpf_get_current_pid_tgid();
	t->rec[0].next_pid = (__u32)len;
	t->rec[0].a = a;
	t->rec[0].b = b;
	for (i = 0; i < TEXT_RECS; i++) {
		struct timeline_event *r;

		if (i >= n)
			break;
		r = &t->rec[1 + i];
		r->type = TL_EVT_TEXT;
		r->cpu = cpu;
		r->ts = t->rec[0].ts;
		__builtin_memcpy(&r->prev_pid, t->str + i * TL_TEXT_CHUNK, TL_TEXT_CHUNK);
	}
	rb = cpu_rb();
	if (!rb || bpf_ringbuf_output(rb, t->rec, (__u64)(1 + n) * sizeof(struct timeline_event),
				      wake_flag(cs, (__u64)(1 + n) * sizeof(struct timeline_event))))
		count_lost(1 + n);
	stage_unlock(cs, &flags, true);
}

SEC("tp_btf/sched_ext_event")
int BPF_PROG(tl_scx_event, const char *name, __s64 delta)
{
	emit_text(TL_EVT_SCX_EVENT, name, (__u64)delta, 0);
	return 0;
}

SEC("tp_btf/sched_ext_dump")
int BPF_PROG(tl_scx_dump, const char *line)
{
	__u32 k = 0;
	struct text_scratch *t = bpf_map_lookup_elem(&scratch, &k);
	__u64 seq = 0;

	if (t)
		seq = t->dump_seq++;
	emit_text(TL_EVT_SCX_DUMP, line, seq, 0);
	return 0;
}

/*
 * The stage of the CPU it runs on, to the ring buffer: the recorder runs
 * it on each CPU in turn (BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU) at
 * each drain, at a flight-recorder trigger and at the stop, so staged
 * records never wait long and none is left behind.
 */
SEC("raw_tp")
int tl_flush(void *ctx)
{
	struct cpu_state *s = cpu_state();
	unsigned long flags;

	if (!s || !stage_on)
		return 0;
	if (stage_lock(s, &flags, true))
		return 0;
	stage_flush(s);
	stage_unlock(s, &flags, true);
	return 0;
}
