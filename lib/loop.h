/* SPDX-License-Identifier: MIT */
/*
 * The one event loop: epoll over file descriptors, timerfds for intervals
 * and deadlines, a signalfd for signals, so one process can wait on
 * /dev/kmsg, ring buffers and periodic snapshots together.
 *
 * A callback returns 0 to go on; any other value stops the loop and is
 * what kt_loop_run returns (use positive values; the negative ones below
 * are the loop's own).  Callbacks may add and remove sources, stop the
 * loop, or rearm timers.
 */
#ifndef KT_LOOP_H
#define KT_LOOP_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define KT_LOOP_MAX_SRC 32

enum {
	KT_LOOP_TIMEOUT = -ETIMEDOUT, /* kt_loop_run's deadline passed */
};

/* EVENTS are epoll's (EPOLLIN ...); for timers, the expiration count. */
typedef int (*kt_loop_fn)(void *arg, uint32_t events);
/* SIGNO is the signal that arrived. */
typedef int (*kt_loop_sig_fn)(void *arg, int signo);

enum kt_loop_kind { KT_SRC_FREE, KT_SRC_FD, KT_SRC_TIMER, KT_SRC_SIGNAL };

struct kt_loop_src {
	int fd;
	enum kt_loop_kind kind;
	bool owned; /* the loop closes fd */
	kt_loop_fn fn;
	kt_loop_sig_fn sig;
	void *arg;
};

struct kt_loop {
	int epfd;
	int nsrc;
	struct kt_loop_src src[KT_LOOP_MAX_SRC];
	sigset_t blocked, saved; /* signals taken over, and the old mask */
	bool have_sig;
	bool stopped;
	int rc;
};

/* 0, or -1 with errno. */
int kt_loop_init(struct kt_loop *l);
/* Close every source the loop owns; restore the signal mask. */
void kt_loop_free(struct kt_loop *l);

/* Watch FD (not closed by the loop); 0 or -1 with errno (EPERM: a regular
 * file, which epoll cannot watch: poll it with a timer instead). */
int kt_loop_add_fd(struct kt_loop *l, int fd, uint32_t events, kt_loop_fn fn, void *arg);
/* Stop watching FD; 0 or -1 (ENOENT). */
int kt_loop_del_fd(struct kt_loop *l, int fd);

/*
 * A CLOCK_MONOTONIC timer: first expiry after FIRST_NS (0: disarmed),
 * then every INTERVAL_NS (0: once).  Returns the timer's id (>= 0) for
 * kt_loop_timer_set, or -1 with errno.
 */
int kt_loop_add_timer(struct kt_loop *l, uint64_t first_ns, uint64_t interval_ns, kt_loop_fn fn,
		      void *arg);
/* Rearm (or disarm with FIRST_NS 0) timer ID; 0 or -1 with errno. */
int kt_loop_timer_set(struct kt_loop *l, int id, uint64_t first_ns, uint64_t interval_ns);

/*
 * Deliver the signals of the 0-terminated list SIGS to FN instead of their
 * handlers (they are blocked and read from a signalfd while the loop
 * lives).  One call per loop.  0, or -1 with errno.
 */
int kt_loop_add_signals(struct kt_loop *l, const int *sigs, kt_loop_sig_fn fn, void *arg);

/*
 * Dispatch until a callback returns non-zero or kt_loop_stop is called
 * (returns that value), TIMEOUT_MS passes (KT_LOOP_TIMEOUT; < 0: no
 * deadline), or epoll fails (-errno).  EINTR is retried.
 */
int kt_loop_run(struct kt_loop *l, int64_t timeout_ms);
/* Make kt_loop_run return RC once the current callback returns. */
void kt_loop_stop(struct kt_loop *l, int rc);

/* CLOCK_MONOTONIC and CLOCK_REALTIME now, in nanoseconds. */
uint64_t kt_mono_ns(void);
uint64_t kt_real_ns(void);
/* Sleep SEC seconds (EINTR resumed). */
void kt_sleep(double sec);

#endif
