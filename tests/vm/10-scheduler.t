#!/bin/bash
# One boot (-smp 2): hostctx against the topology, and every failure mode of
# the ktbox_test sched_ext scheduler (scx_bpf_error, watchdog stall, clean
# unregister) checked in the raw /dev/kmsg, in the scheduler's own report,
# through kmsgscx (window and --follow) and kallsyms.  See guest/suite.sh.
. "$(dirname "$0")/boot.sh"
vm_boot scheduler /tests/suite.sh 2 1
