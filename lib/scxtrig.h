/* SPDX-License-Identifier: MIT */
/*
 * The sched_ext exit trigger, shared by timeline's flight recorder,
 * bpfdump's snapshot ring and capture: fires once each time the running
 * sched_ext scheduler goes away.
 *
 * Sources, promptest first:
 *  - the sched_ext root kobject's uevents over NETLINK_KOBJECT_UEVENT
 *    (kt_scxtrig_listen): kernel/sched/ext.c sends KOBJ_ADD for
 *    /kernel/sched_ext/root right after it prints "BPF scheduler ...
 *    enabled" (SCXOPS=NAME comes with it), and kobject_del() on the
 *    disable path sends KOBJ_REMOVE.  No uevent is sent for a scheduler
 *    that fails while enabling (the add was never sent): the poll below
 *    sees that one.
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
#include <stddef.h>
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
	/* uevents */
	int uev_fd;		 /* NETLINK_KOBJECT_UEVENT, -1 when not listening */
	bool seq_pending;	 /* armed by an add: enable_seq moves once more */
	bool add_seen;		 /* the armed scheduler's add arrived */
	uint64_t uevents;	 /* sched_ext uevents seen */
	uint64_t uev_lost;	 /* receive-buffer overruns (ENOBUFS) */
	uint64_t enabled_ns;	 /* CLOCK_MONOTONIC of the last arming */
	kt_scxtrig_fn on_enable; /* kt_scxtrig_arm: called when an add arms */
};

/* A kernel uevent datagram, "ACTION@DEVPATH\0KEY=VALUE\0...". */
enum kt_uevent_action { KT_UEV_OTHER, KT_UEV_ADD, KT_UEV_REMOVE };
struct kt_uevent {
	enum kt_uevent_action action;
	char devpath[128];
	char subsystem[32];
	char scxops[64]; /* SCXOPS=, sched_ext's own variable */
	uint64_t seqnum;
};
/* Pure: 0, or -1 when BUF is not a kernel uevent (no "@" header, e.g.
 * libudev's "libudev\0" messages).  Values too long are cut. */
int kt_uevent_parse(const char *buf, size_t len, struct kt_uevent *u);
/* The sched_ext root scheduler's uevent? */
bool kt_uevent_is_scx_root(const struct kt_uevent *u);

/* The kernel log clock's (local_clock()) offset from CLOCK_MONOTONIC,
 * cpu_clk - ktime in ns, from the header of /sys/kernel/debug/sched/debug
 * (kernel/sched/debug.c: both read with interrupts off); 0, or -1 when
 * the header is not there whole. */
int kt_logclock_parse(const char *s, size_t n, int64_t *off);

/* What a uevent read did (kt_scxtrig_uevent_step, kt_scxtrig_uevents). */
enum { KT_SCXTRIG_EXIT = 1, KT_SCXTRIG_ENABLE = 2 };

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

/*
 * Pure transition for a sched_ext root uevent U, with STATE and ENABLE_SEQ
 * read right after it, at NOW_NS.  An add arms (a missed remove fires
 * first); the kernel bumps enable_seq after the add is sent, so one move
 * of enable_seq after an add is that scheduler's own, not an exit.  A
 * remove fires.  Returns KT_SCXTRIG_EXIT and/or KT_SCXTRIG_ENABLE bits.
 */
int kt_scxtrig_uevent_step(struct kt_scxtrig *t, const struct kt_uevent *u, enum kt_scx_state state,
			   uint64_t enable_seq, uint64_t now_ns);

/* 0, or -1 with errno.  ROOT NULL: the live /sys.  KT_SCX_NONE is not an
 * error (a kernel without sched_ext: the poll never fires). */
int kt_scxtrig_init(struct kt_scxtrig *t, const char *root);
void kt_scxtrig_free(struct kt_scxtrig *t);
/* Read the files once; 1 when an exit fired (FN is not called), else 0.
 * The first poll (from init) arms on a live scheduler, never fires. */
int kt_scxtrig_poll(struct kt_scxtrig *t);
/* The state now, without stepping the trigger (KT_SCX_NONE: unreadable). */
enum kt_scx_state kt_scxtrig_peek(const struct kt_scxtrig *t);
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
/* Open the uevent socket (t->uev_fd, non-blocking); 0, or -1 with errno
 * (no netlink: the poll stays the only source). */
int kt_scxtrig_listen(struct kt_scxtrig *t);
/* Read every pending uevent, stepping the trigger on sched_ext's (the
 * state files are read after each); KT_SCXTRIG_* bits.  An overrun polls. */
int kt_scxtrig_uevents(struct kt_scxtrig *t);
/* Poll on a timer of L every INTERVAL_NS and call FN on an exit; the
 * uevents too when the socket opens (exits then fire at once); 0 or -1. */
int kt_scxtrig_arm(struct kt_scxtrig *t, struct kt_loop *l, uint64_t interval_ns, kt_scxtrig_fn fn,
		   void *arg);

#endif
