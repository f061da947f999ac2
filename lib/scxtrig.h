/* SPDX-License-Identifier: MIT */
/*
 * The sched_ext exit trigger, shared by timeline's flight recorder,
 * bpfdump's snapshot ring and capture: fires once each time the running
 * sched_ext scheduler goes away.
 *
 * Sources, cheapest first:
 *  - /sys/kernel/sched_ext/state leaving "enabled" (read on a loop timer:
 *    one pread of a few bytes per poll).  A scheduler that exits and a new
 *    one that enables between two polls is caught by the root kobject
 *    (/sys/kernel/sched_ext/root, a new directory, so a new inode, for each
 *    scheduler) changing while the state reads "enabled" again; where that
 *    is unknown, by /sys/kernel/sched_ext/enable_seq moving.  enable_seq
 *    alone is not enough: the kernel bumps it after the state reads
 *    "enabled" (kernel/sched/ext.c, scx_root_enable_workfn: the ENABLED
 *    state, pr_info, the KOBJ_ADD uevent, then atomic_long_inc of
 *    scx_enable_seq), so a poll during enabling sees the previous count and
 *    the next poll sees the scheduler's own enable move it.
 *  - an exit seen elsewhere (the sched_ext_exit tracepoint in a BPF ring,
 *    the kernel log): kt_scxtrig_fire, so one exit fires once however many
 *    sources saw it.
 *
 *	struct kt_scxtrig t;
 *	kt_scxtrig_init(&t, NULL);
 *	kt_scxtrig_arm(&t, &loop, 50 * 1000000, on_exit, arg);  // poll every 50 ms
 *	... on_exit(arg, &t) runs from the loop; t.name, t.exit_ns say what and when
 */
#ifndef KT_SCXTRIG_H
#define KT_SCXTRIG_H

#include <stdbool.h>
#include <stdint.h>

struct kt_loop;
struct kt_scxtrig;

/* Return 0 to keep watching, non-zero to stop the loop with that value. */
typedef int (*kt_scxtrig_fn)(void *arg, struct kt_scxtrig *t);

enum kt_scx_state {
	KT_SCX_NONE, /* no sched_ext in this kernel (no sysfs directory) */
	KT_SCX_DISABLED,
	KT_SCX_ENABLING,
	KT_SCX_ENABLED,
	KT_SCX_DISABLING,
	KT_SCX_UNKNOWN, /* a state text this code does not know */
};

struct kt_scxtrig {
	const char *root; /* "" or a fixture tree */
	int state_fd;	  /* kept open: one pread per poll */
	enum kt_scx_state state;
	uint64_t enable_seq; /* last read; 0 when the file is missing */
	uint64_t root_id;    /* inode of sched_ext/root, last read; 0 when missing */
	uint64_t armed_id;   /* root_id of the scheduler armed on (or last fired), 0 unknown */
	bool armed;	     /* a live scheduler whose exit has not fired */
	bool dead_seen;	     /* not live since the last fire */
	uint64_t fired_seq;  /* enable_seq of the scheduler that last fired */
	uint64_t fires;	     /* exits seen */
	uint64_t exit_ns;    /* CLOCK_MONOTONIC of the last fire */
	char name[64];	     /* the scheduler's ops name, read while enabled */
	kt_scxtrig_fn fn;
	void *arg;
	int timer;
};

const char *kt_scx_state_name(enum kt_scx_state s);
/* The state named by the text of /sys/kernel/sched_ext/state. */
enum kt_scx_state kt_scx_state_parse(const char *s, size_t n);

/*
 * Pure transition: the trigger saw STATE with ENABLE_SEQ (0: unknown) and
 * the root kobject ROOT_ID (0: unknown) at NOW_NS.  Returns true when this
 * is an exit: the state left enabled (or enabling), or, while it reads
 * enabled, another scheduler is there (an exit and a new enable between two
 * looks): ROOT_ID changed when both looks know it, else enable_seq moved.
 */
bool kt_scxtrig_step_id(struct kt_scxtrig *t, enum kt_scx_state state, uint64_t enable_seq,
			uint64_t root_id, uint64_t now_ns);
/* The same without the root kobject (ROOT_ID unknown). */
bool kt_scxtrig_step(struct kt_scxtrig *t, enum kt_scx_state state, uint64_t enable_seq,
		     uint64_t now_ns);

/* 0, or -1 with errno.  ROOT NULL: the live /sys.  KT_SCX_NONE is not an
 * error (a kernel without sched_ext: the poll never fires). */
int kt_scxtrig_init(struct kt_scxtrig *t, const char *root);
void kt_scxtrig_free(struct kt_scxtrig *t);
/* Read the files once; 1 when an exit fired (FN is not called), else 0.
 * The first poll (from init) arms on a live scheduler, never fires. */
int kt_scxtrig_poll(struct kt_scxtrig *t);
/* An exit seen by another source at NOW_NS: 1 when it fires (first source). */
int kt_scxtrig_fire(struct kt_scxtrig *t, uint64_t now_ns);
/*
 * After an exit fired: wait while the kernel is still disabling the
 * scheduler, reading the state every millisecond, at most TIMEOUT_NS.  The
 * state leaves "enabled" before the scheduler's ops.exit() runs and reads
 * "disabled" after it, so a snapshot taken once this returns
 * KT_SCX_DISABLED holds what ops.exit() wrote (its exit info).  Returns the
 * state last read (KT_SCX_DISABLING: still disabling at the timeout).
 */
enum kt_scx_state kt_scxtrig_settle(struct kt_scxtrig *t, uint64_t timeout_ns);
/* Poll on a timer of L every INTERVAL_NS and call FN on an exit; 0 or -1. */
int kt_scxtrig_arm(struct kt_scxtrig *t, struct kt_loop *l, uint64_t interval_ns, kt_scxtrig_fn fn,
		   void *arg);

#endif
