#!/bin/sh
# Boot 1: hostctx against the topology, then every way the ktbox_test
# scheduler ends (scx_bpf_error, watchdog stall, unregister from user space,
# scx_bpf_exit) checked in the raw /dev/kmsg, in the loader's report,
# and through kmsgscx (window and --follow) and kallsyms.
. /tests/lib.sh
. /tests/checks.sh

check_hostctx "$(kt_arg smp)" "$(kt_arg numa)" "$(kt_arg release)"

scx_mode error "-m error -n 50" 1 error_bpf 3 scx_bpf_error \
	'ktbox_test: forced error after 50 dispatches (cpu [0-9]*)'
kt_check "error: scx_bpf_error_bstr in the kmsg backtrace" \
	grep -q '^scx_bpf_error_bstr+0x' /tmp/kt/error/frames
check_kallsyms_frames /tmp/kt/error/frames /tmp/kt/error/kallsyms "scx_bpf_error exit"
check_kallsyms_live "scx_bpf_error exit"
check_bpf_sizes /tmp/kt/error "scx_bpf_error exit"
kt_check "error: the BPF dispatch program is in the backtrace" \
	grep -q '^bpf_prog_[0-9a-f]*_ktbox_dispatch+0x' /tmp/kt/error/frames

scx_mode stall "-m stall" 1 error_stall 3 "runnable task stall" \
	'ktbox_stall\[[0-9]*\] failed to run for [0-9]*\.[0-9][0-9][0-9]s'
pid=$(sed -n 's/.* stall_pid=\([0-9]*\).*/\1/p' /tmp/kt/stall/out)
kt_check "stall: the stalled task is the loader's child ktbox_stall[$pid]" \
	grep -q "sched_ext: ktbox_test: ktbox_stall\[$pid\] failed to run for" /tmp/kt/stall/kmsg
if kt_ready kmsgscx; then
	kt_has /tmp/kt/stall/window.json "\"stall\":{\"comm\":\"ktbox_stall\",\"pid\":$pid," \
		"stall: kmsgscx names the stalled task ktbox_stall[$pid]"
else
	kt_skip "stall: kmsgscx names the stalled task" "applet not implemented yet"
fi
kt_check "stall: scx_watchdog_workfn in the kmsg backtrace" \
	grep -q '^scx_watchdog_workfn+0x' /tmp/kt/stall/frames
check_kallsyms_frames /tmp/kt/stall/frames /tmp/kt/stall/kallsyms "watchdog exit"

scx_mode normal "-m normal -t 1" 0 unreg 6 "unregistered from user space" ""

scx_mode exit "-m exit -n 40" 0 unreg_bpf 6 "unregistered from BPF" "" \
	"ktbox_test: leaving after 40 dispatches"
kt_check "exit: the scheduler saw exit code 42 (kernel logs none)" \
	grep -qx "scx_test: exit kind 65 code 42" /tmp/kt/exit/out
kt_check "sched_ext state is disabled after all runs" \
	grep -qx disabled /sys/kernel/sched_ext/state

check_bpfdump
check_timeline
check_timeline_kind
check_capture error "-m error -n 50" 1 error_bpf
check_capture stall "-m stall" 1 error_stall
check_capture exit "-m exit -n 40" 0 unreg_bpf
check_capture normal "-m normal -t 1" 0 unreg
check_capture_now_dump

# last: it wipes the guest's kernel log
check_kmsg_overrun
exit 0
