/* SPDX-License-Identifier: MIT */
/*
 * The applet table: name and one-line summary.  Each applet lives in
 * applets/NAME.c and defines int NAME_main(int argc, char **argv), where
 * argv[0] is the applet name.
 */
#ifndef KT_APPLETS_H
#define KT_APPLETS_H

#define KT_APPLETS(X)                                                                \
	X(bpfdump, "live BPF maps: list, dump, snapshot ring on scheduler exit")     \
	X(capture, "the failure bundle of a sched_ext scheduler: now, arm, run")     \
	X(hostctx, "host context snapshot (ktstr-compatible JSON), pairs and diffs") \
	X(kallsyms, "kernel symbol table: look up, resolve, symbolize")              \
	X(kmsgscx, "sched_ext enable/exit events from /dev/kmsg or log text")        \
	X(timeline, "scheduler events from a BPF ring buffer: record, report, export")

#define KT_DECLARE(name, summary) int name##_main(int argc, char **argv);
KT_APPLETS(KT_DECLARE)
#undef KT_DECLARE

#endif
