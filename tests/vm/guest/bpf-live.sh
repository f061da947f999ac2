#!/bin/sh
# Run by scx_test -x while the scheduler's BPF programs are still loaded:
# look every JITed program up in the live table, where kallsyms takes the
# exact program lengths from bpf().   bpf-live.sh DIR  ->  DIR/bpf-live
names=$(sed -n 's/^[0-9a-f]* [tT] \(bpf_prog_[0-9a-f]*_[^ 	]*\).*/\1/p' /proc/kallsyms)
# shellcheck disable=SC2086
[ -n "$names" ] && kallsyms lookup $names >"$1/bpf-live" 2>&1
exit 0
