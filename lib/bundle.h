/* SPDX-License-Identifier: MIT */
/*
 * The failure bundle written by `capture` and read by `capture report`:
 * the file names, the schema number and the statuses of the manifest's
 * parts.  README "The failure bundle" documents each file.
 *
 * OUT is a directory, or FILE.tar.gz holding the same files under one
 * top directory (the archive's name without .tar.gz).  The directory is
 * written as OUT.tmp-PID and renamed to OUT when complete; a bundle whose
 * manifest says "complete": false was interrupted while being written
 * (never seen under the final name unless the rename raced a crash).
 *
 *	OUT/
 *	  manifest.json        KT_BUNDLE_MANIFEST
 *	  summary.txt          KT_BUNDLE_SUMMARY: line 1 the one-line account
 *	  hostctx.json         {"pre":HOSTCTX,"post":HOSTCTX} (ktstr pair)
 *	  hostctx.diff         text diff pre -> post (hostctx diff)
 *	  kmsg.txt             raw /dev/kmsg records from arming to the end
 *	  events.json          kmsgscx -j array: enable/exit events (kernel
 *	                       and, in run mode, scheduler origin), resolved
 *	  backtrace.txt        the exit's backtrace resolved against
 *	                       kallsyms.txt ("SYM+0xOFF/0xSIZE [MOD]")
 *	  sched_ext.json       {"pre":SYSFS,"post":SYSFS,"samples":[...]}
 *	  kallsyms.txt         /proc/kallsyms as read while the scheduler was
 *	                       loaded ([bpf] lines followed by their exact
 *	                       JIT size from bpf(): "ADDR t NAME [bpf] SIZE")
 *	  maps/                bpfdump watch ring (manifest.json, map-ID.jsonl,
 *	                       map-ID.btf); the last snapshot has "final": true
 *	  timeline.ktl         timeline capture file (the flight ring)
 *	  timeline.trace.json  its Chrome trace export
 *	  scheduler.stdout     run mode: the scheduler's standard output
 *	  scheduler.stderr     run mode: its standard error
 *	  dump.txt             now --dump: the debug dump SysRq-D produced, one
 *	                       sched_ext_dump line per line, in full (from the
 *	                       timeline's BPF side: SysRq-D writes only there)
 */
#ifndef KT_BUNDLE_H
#define KT_BUNDLE_H

/* Bumped on any incompatible change of a file's name or shape. */
#define KT_BUNDLE_SCHEMA 1
#define KT_BUNDLE_SCHEMA_TAG "ktbox-bundle"

#define KT_BUNDLE_MANIFEST "manifest.json"
#define KT_BUNDLE_SUMMARY "summary.txt"
#define KT_BUNDLE_HOSTCTX "hostctx.json"
#define KT_BUNDLE_HOSTCTX_DIFF "hostctx.diff"
#define KT_BUNDLE_KMSG "kmsg.txt"
#define KT_BUNDLE_EVENTS "events.json"
#define KT_BUNDLE_BACKTRACE "backtrace.txt"
#define KT_BUNDLE_SCHED_EXT "sched_ext.json"
#define KT_BUNDLE_KALLSYMS "kallsyms.txt"
#define KT_BUNDLE_MAPS "maps" /* a directory */
#define KT_BUNDLE_TIMELINE "timeline.ktl"
#define KT_BUNDLE_TRACE "timeline.trace.json"
#define KT_BUNDLE_SCHED_OUT "scheduler.stdout"
#define KT_BUNDLE_SCHED_ERR "scheduler.stderr"
#define KT_BUNDLE_DUMP "dump.txt"

/*
 * The manifest's parts, in manifest and summary order.  Each is
 * {"name","status","reason"?,"files":[...],"bytes"} in "parts".
 */
enum kt_bundle_part {
	KT_PART_HOSTCTX,   /* hostctx.json, hostctx.diff */
	KT_PART_KMSG,	   /* kmsg.txt */
	KT_PART_EVENTS,	   /* events.json, backtrace.txt */
	KT_PART_SCHED_EXT, /* sched_ext.json */
	KT_PART_KALLSYMS,  /* kallsyms.txt */
	KT_PART_MAPS,	   /* maps/ */
	KT_PART_TIMELINE,  /* timeline.ktl, timeline.trace.json */
	KT_PART_SCHEDULER, /* scheduler.stdout, scheduler.stderr (run) */
	KT_PART_DUMP,	   /* dump.txt (now --dump) */
	KT_PART_NR,
};

#define KT_BUNDLE_PART_NAMES                                                              \
	{                                                                                 \
		"hostctx", "kmsg", "events", "sched_ext", "kallsyms", "maps", "timeline", \
			"scheduler", "dump"                                               \
	}

/* A part's status: "ok", "partial" (some of it, "reason" says what is
 * missing), "unavailable" (none of it, "reason" says why). */
enum kt_part_status {
	KT_PART_UNSET, /* not attempted: never written */
	KT_PART_OK,
	KT_PART_PARTIAL,
	KT_PART_UNAVAILABLE,
};

#define KT_BUNDLE_STATUS_NAMES                          \
	{                                               \
		"unset", "ok", "partial", "unavailable" \
	}

/* The manifest's "mode" and "end" (what ended the capture). */
#define KT_BUNDLE_MODES             \
	{                           \
		"now", "arm", "run" \
	}
#define KT_BUNDLE_ENDS                                                  \
	{                                                               \
		"now", "exit", "process_exit", "timeout", "interrupted" \
	}

#endif
