/* SPDX-License-Identifier: MIT */
/*
 * The timeline wire format, shared by bpf/timeline.bpf.c and lib/timeline.
 *
 * Every record is one struct timeline_event: 40 bytes, native (little)
 * endian, the layout of ktstr's src/bpf/intf.h, so a buffer written by
 * either tool parses in both.  A ring-buffer drain, a capture file's record
 * section and the flight recorder's memory are all plain concatenations of
 * these records.
 *
 *	off size field
 *	  0    4 type       TL_EVT_*
 *	  4    4 cpu        CPU the probe ran on (TL_CPU_NONE: none, e.g. a
 *	                    record the recorder wrote itself)
 *	  8    8 ts         bpf_ktime_get_ns(): CLOCK_MONOTONIC, ns
 *	 16    4 prev_pid
 *	 20    4 next_pid
 *	 24    8 a
 *	 32    8 b
 *
 * Types 1..5 are ktstr's, with ktstr's meaning.  ktbox's extensions start
 * at TL_EVT_EXT (64), leaving ktstr room to grow without a collision; a
 * reader that does not know a type keeps it as an Unknown event with its
 * raw fields.
 *
 * Text (sched_ext event names, sched_ext dump lines, exit reasons) travels
 * in the same 40-byte records: a text-carrying header record gives the text
 * length in bytes (TL_TEXT_LEN of its next_pid field), and is followed
 * *immediately* by ceil(len / TL_TEXT_CHUNK) TL_EVT_TEXT records with the
 * header's cpu and ts, each holding TL_TEXT_CHUNK bytes of text in bytes
 * 16..39 (the last one NUL-padded).  The BPF side submits header and
 * continuations as one ring-buffer sample (bpf_ringbuf_output of n * 40
 * bytes), so no other CPU's record can come between them; the stream stays
 * a concatenation of 40-byte records that ktstr's parser walks (as Unknown
 * events).  A text record without its header, or a header whose
 * continuations are cut short, is reported as such, never misread.
 * This was chosen over a second ring buffer of variable-length records so
 * that there is one record size, one parser and one file section.
 *
 * Task names: TL_EVT_COMM carries a 16-byte comm (TASK_COMM_LEN, NUL-padded
 * when shorter) in a and b.  The BPF side writes one the first time it sees
 * a pid in a sched_switch (either side), for a fork's child, and after an
 * exec; the flight recorder re-writes the names it knows at the head of
 * what it saves, since the originals may have aged out of its window.
 */
#ifndef KT_BPF_INTF_H
#define KT_BPF_INTF_H

#ifdef __bpf__
/* vmlinux.h provides the fixed-width kernel types */
typedef __u32 tl_u32;
typedef __u64 tl_u64;
#else
#include <stddef.h>
#include <stdint.h>
typedef uint32_t tl_u32;
typedef uint64_t tl_u64;
#endif

struct timeline_event {
	tl_u32 type;
	tl_u32 cpu;
	tl_u64 ts;
	tl_u32 prev_pid;
	tl_u32 next_pid;
	tl_u64 a;
	tl_u64 b;
};

#define TL_RECORD_SIZE 40
#define TL_CPU_NONE 0xffffffffu

_Static_assert(sizeof(struct timeline_event) == TL_RECORD_SIZE, "timeline_event is 40 bytes");
_Static_assert(__builtin_offsetof(struct timeline_event, type) == 0, "type at 0");
_Static_assert(__builtin_offsetof(struct timeline_event, cpu) == 4, "cpu at 4");
_Static_assert(__builtin_offsetof(struct timeline_event, ts) == 8, "ts at 8");
_Static_assert(__builtin_offsetof(struct timeline_event, prev_pid) == 16, "prev_pid at 16");
_Static_assert(__builtin_offsetof(struct timeline_event, next_pid) == 20, "next_pid at 20");
_Static_assert(__builtin_offsetof(struct timeline_event, a) == 24, "a at 24");
_Static_assert(__builtin_offsetof(struct timeline_event, b) == 32, "b at 32");

enum tl_evt_type {
	/* ---- ktstr's types: values and fields fixed ---- */

	/* tp_btf/sched_switch: prev_pid, next_pid, a = prev task state (raw
	 * __state bits), b = preempt (0/1) */
	TL_EVT_SWITCH = 1,
	/* sched_migrate_task: prev_pid = pid, a = dest cpu, b = orig cpu */
	TL_EVT_MIGRATE = 2,
	/* sched_wakeup: prev_pid = pid, a = target cpu */
	TL_EVT_WAKEUP = 3,
	/* rt_mutex_setprio: prev_pid = current tid, next_pid = boosted pid,
	 * a = old prio | old class id << 32, b = new prio | new class id << 32 */
	TL_EVT_PI_BOOST = 4,
	/* tp_btf/contention_begin: prev_pid = tid, a = lock address, b = flags */
	TL_EVT_LOCK_CONTEND = 5,

	/* ---- ktbox extensions ---- */
	TL_EVT_EXT = 64,
	/* sched_wakeup_new: prev_pid = pid, a = target cpu */
	TL_EVT_WAKEUP_NEW = 64,
	/* sched_waking: prev_pid = pid, a = target cpu (task_cpu at the call) */
	TL_EVT_WAKING = 65,
	/* sched_process_fork: prev_pid = parent tid, next_pid = child tid,
	 * a = parent tgid, b = child tgid */
	TL_EVT_FORK = 66,
	/* sched_process_exit: prev_pid = tid, next_pid = tgid,
	 * a = group_dead (0/1), b = exit_code */
	TL_EVT_EXIT = 67,
	/* sched_process_exec: prev_pid = tid, next_pid = old pid (the tid
	 * before a non-leader thread's exec took the leader's), a = tgid;
	 * a TL_EVT_COMM with the new name follows */
	TL_EVT_EXEC = 68,
	/* task name: prev_pid = tid, next_pid = tgid, a..b = comm[16] */
	TL_EVT_COMM = 69,
	/* sched_ext scheduler exit: prev_pid = current tid, next_pid = text
	 * length (the exit reason, TL_EVT_TEXT records follow), a = exit kind
	 * (SCX_EXIT_*, 0 when unknown), b = source (TL_SCX_EXIT_SRC_*) | where
	 * the kind came from (TL_SCX_KIND_FROM_*) << 32.
	 * Kernels up to 7.2 have no sched_ext_exit tracepoint: the recorder
	 * writes this record itself (source state) with the kind named by the
	 * error dump's "... triggered exit kind N on CPU C:" line (error exits),
	 * else by the reason of the kernel's 'BPF scheduler "X" disabled (R)'
	 * log line (/dev/kmsg, read by the recorder); 0 when it could read
	 * neither (no /dev/kmsg permission, the line not logged in time). */
	TL_EVT_SCX_EXIT = 70,
	/* sched_ext_event(name, delta): prev_pid = current tid, next_pid =
	 * name length (TL_EVT_TEXT records follow), a = delta (s64) */
	TL_EVT_SCX_EVENT = 71,
	/* sched_ext_dump(line): prev_pid = current tid, next_pid = line
	 * length (TL_EVT_TEXT records follow), a = line sequence number on
	 * this CPU (detects lines lost in between) */
	TL_EVT_SCX_DUMP = 72,
	/* text continuation: cpu and ts of its header, bytes 16..39 = text */
	TL_EVT_TEXT = 73,
};

/* next_pid of a text-carrying header: its text length */
#define TL_TEXT_CHUNK 24
#define TL_TEXT_MAX 1024	/* longer texts are cut (BPF side) */
#define TL_TEXT_RECORDS(len) (((len) + TL_TEXT_CHUNK - 1) / TL_TEXT_CHUNK)

/* b of TL_EVT_SCX_EXIT: who saw the exit */
enum {
	TL_SCX_EXIT_SRC_TP = 0,		/* the sched_ext_exit tracepoint */
	TL_SCX_EXIT_SRC_STATE = 1,	/* the recorder: sched_ext state left "enabled" */
	TL_SCX_EXIT_SRC_FENTRY = 2,	/* fentry on the kernel's exit path */
};

/* b >> 32 of TL_EVT_SCX_EXIT: where its kind came from */
enum {
	TL_SCX_KIND_FROM_NONE = 0,	/* unknown (a = 0), or the tracepoint's own */
	TL_SCX_KIND_FROM_DUMP = 1,	/* the error dump's "triggered exit kind N" line */
	TL_SCX_KIND_FROM_KMSG = 2,	/* the reason of the kernel's "disabled (...)" line */
	TL_SCX_KIND_FROM_SCHED = 3,	/* the scheduler's own "EXIT: REASON" line (capture run) */
};

/* The attach points (bit i of the capture header's attached mask). */
enum tl_attach {
	TL_AT_SWITCH,
	TL_AT_MIGRATE,
	TL_AT_WAKEUP,
	TL_AT_WAKEUP_NEW,
	TL_AT_WAKING,
	TL_AT_FORK,
	TL_AT_EXIT,
	TL_AT_EXEC,
	TL_AT_PI,
	TL_AT_LOCK,
	TL_AT_SCX_EVENT,
	TL_AT_SCX_DUMP,
	TL_AT_SCX_EXIT,
	TL_AT_NR,
};

/*
 * BPF-side configuration (.rodata, set before load): CPU filter, tgid
 * filter, the recorder's own tgid, the wake-up threshold.
 */
#define TL_MAX_CPUS 1024
#define TL_CPUMASK_WORDS (TL_MAX_CPUS / 64)

#endif
