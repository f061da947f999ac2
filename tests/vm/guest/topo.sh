#!/bin/sh
# Boot 2 (another topology): ktbox --install and hostctx against -smp/-numa.
. /tests/lib.sh
. /tests/checks.sh

check_install
check_hostctx "$(kt_arg smp)" "$(kt_arg numa)" "$(kt_arg release)"
exit 0
