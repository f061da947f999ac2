// SPDX-License-Identifier: GPL-2.0
/*
 * The overhead floor: the attach points of timeline.bpf.c, each only
 * counting (a per-CPU counter, no record, no ring buffer).  What any BPF
 * recorder on these tracepoints costs at least.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "intf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TL_AT_NR);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline int inc(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		(*v)++;
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(c_switch) { return inc(TL_AT_SWITCH); }
SEC("tp_btf/sched_migrate_task")
int BPF_PROG(c_migrate) { return inc(TL_AT_MIGRATE); }
SEC("tp_btf/sched_wakeup")
int BPF_PROG(c_wakeup) { return inc(TL_AT_WAKEUP); }
SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(c_wakeup_new) { return inc(TL_AT_WAKEUP_NEW); }
SEC("tp_btf/sched_waking")
int BPF_PROG(c_waking) { return inc(TL_AT_WAKING); }
SEC("tp_btf/sched_process_fork")
int BPF_PROG(c_fork) { return inc(TL_AT_FORK); }
SEC("tp_btf/sched_process_exit")
int BPF_PROG(c_exit) { return inc(TL_AT_EXIT); }
SEC("tp_btf/sched_process_exec")
int BPF_PROG(c_exec) { return inc(TL_AT_EXEC); }
SEC("tp_btf/sched_pi_setprio")
int BPF_PROG(c_pi) { return inc(TL_AT_PI); }
SEC("tp_btf/contention_begin")
int BPF_PROG(c_lock) { return inc(TL_AT_LOCK); }
SEC("tp_btf/sched_ext_event")
int BPF_PROG(c_scx_event) { return inc(TL_AT_SCX_EVENT); }
SEC("tp_btf/sched_ext_dump")
int BPF_PROG(c_scx_dump) { return inc(TL_AT_SCX_DUMP); }
