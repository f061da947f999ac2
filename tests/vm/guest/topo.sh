#!/bin/sh
# Boot 2 (another topology): ktbox --install, hostctx against -smp/-numa,
# and the scx_bpf_error failure once more on a multi-node machine.
. /tests/lib.sh
. /tests/checks.sh

check_install
check_hostctx "$(kt_arg smp)" "$(kt_arg numa)" "$(kt_arg release)"
scx_mode numa-error "-m error -n 30" 1 error_bpf 3 scx_bpf_error \
	'ktbox_test: forced error after 30 dispatches (cpu [0-9]*)'
exit 0
