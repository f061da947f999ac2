/* SPDX-License-Identifier: MIT */
/*
 * timeline record: the BPF loader (lib/timeline_skel.c, the only file that
 * includes the skeleton) and the recorder around it (lib/timeline_rec.c:
 * the loop, the drain, the capture file, the flight recorder).
 */
#ifndef KT_TIMELINE_REC_H
#define KT_TIMELINE_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "intf.h"
#include "scxtrig.h"

/* ---- the loader ---- */

struct tl_bpf;
struct tl_bpf_opts {
	uint64_t cpus[TL_CPUMASK_WORDS];
	bool filter_cpus;
	uint32_t tgid;	     /* 0: every process */
	uint32_t self_tgid;  /* the recorder: its own events are not recorded */
	uint64_t wake_bytes; /* bytes a CPU submits between wake-ups of the consumer */
	uint32_t rb_bytes;   /* each CPU's ring buffer (power of two, >= page size) */
	uint64_t events;     /* TL_AT_* bits asked for */
};
/* Which of the asked-for attach points the running kernel has (vmlinux
 * BTF holds btf_trace_NAME); 0 when the BTF cannot be read. */
uint64_t tl_bpf_available(uint64_t events);
/*
 * Open, load and attach the programs of O->events that the kernel has.
 * Returns NULL with a message in ERR (and errno) on failure; *ATTACHED gets
 * the attach points that are live.
 */
struct tl_bpf *tl_bpf_open(const struct tl_bpf_opts *o, uint64_t *attached, char *err,
			   size_t errlen);
/* Whether the programs stage records per CPU (bpf/timeline.bpf.c): they
 * then reach the ring buffer in batches, or at tl_bpf_flush. */
bool tl_bpf_staged(const struct tl_bpf *b);
/* Every online CPU's staged records into the ring buffer, each CPU's in
 * its time order; 0, or -1 (errno) when a CPU could not be flushed. */
int tl_bpf_flush(const struct tl_bpf *b);
/* Every CPU's ring buffer, one consumer calling FN(CTX, ...) per sample
 * (libbpf's ring_buffer; one epoll fd for all); NULL (errno) on failure. */
struct ring_buffer;
struct ring_buffer *tl_bpf_ring(const struct tl_bpf *b,
				int (*fn)(void *ctx, void *data, size_t size), void *ctx);
/* Notes where each CPU's ring buffer's producer is now; 0, or -1 when the
 * positions cannot be read (tl_bpf_rb_behind then never says behind). */
int tl_bpf_rb_mark(struct tl_bpf *b);
/* Whether a ring buffer's consumer is still short of its mark: a record
 * there is still being written (or not yet consumed). */
bool tl_bpf_rb_behind(const struct tl_bpf *b);
/* Reservation failures per possible CPU into LOST[NCPUS]; 0 or -1. */
int tl_bpf_lost(const struct tl_bpf *b, uint64_t *lost, uint32_t ncpus);
/* Runs the kernel skipped because the same program was already active on
 * that CPU (bpf_prog_info.recursion_misses, summed): events not recorded
 * that no per-CPU lost counter sees. */
uint64_t tl_bpf_misses(const struct tl_bpf *b);
void tl_bpf_close(struct tl_bpf *b);

/* The count-only floor (bpf/tlcount.bpf.c): the same attach points, each
 * bumping a per-CPU counter.  NULL with ERR on failure. */
struct tl_count;
struct tl_count *tl_count_open(uint64_t events, uint64_t *attached, char *err, size_t errlen);
/* Totals over CPUs per attach point; 0 or -1. */
int tl_count_read(const struct tl_count *c, uint64_t counts[TL_AT_NR]);
void tl_count_close(struct tl_count *c);

/* ---- the recorder ---- */

enum tl_trigger {
	TL_TRIG_SCX_EXIT, /* the sched_ext scheduler exits (and SIGUSR1) */
	TL_TRIG_SIGNAL,	  /* SIGUSR1 only */
};

struct tl_rec_opts {
	const char *path;     /* NULL: standard output */
	uint64_t duration_ns; /* 0: until a signal */
	uint64_t cpus[TL_CPUMASK_WORDS];
	const char *cpus_str; /* NULL: every CPU */
	uint32_t tgid;
	unsigned buffer_mib; /* all CPUs' ring buffers; 0: tl_rec_cpu_rb's default */
	uint64_t events;     /* 0: the default set */
	uint64_t flight_ns;  /* 0: not a flight recorder */
	enum tl_trigger trigger;
	bool trigger_set;
	unsigned budget_mib;
	bool quiet;
	bool quiet_missing;   /* missing attach points not warned about */
	const char *scx_root; /* sched_ext sysfs below this (tests); NULL: / */
};

/* The default attach points: all but sched_waking (a second wakeup per
 * wakeup) and contention_begin (lock storms), which are asked for by name. */
uint64_t tl_rec_default_events(void);
/* The size of each CPU's ring buffer for NCPUS CPUs sharing TOTAL_MIB
 * (0: the default, 512 KiB a CPU): the largest power of two within the
 * share, at most 512 KiB by default and 64 MiB in all, at least 64 KiB. */
uint32_t tl_rec_cpu_rb(uint32_t ncpus, unsigned total_mib);
/* "switch,wakeup,..." into TL_AT_* bits: 0, or -1 for an unknown name. */
int tl_rec_parse_events(const char *s, uint64_t *mask);
/* Count events for DURATION_NS (0: until SIGINT/SIGTERM) into COUNTS;
 * returns the exit status (errors reported), *ATTACHED what was live. */
int tl_count_run(uint64_t events, uint64_t duration_ns, uint64_t counts[TL_AT_NR],
		 uint64_t *attached);
/* Run a recording; returns the exit status (errors reported). */
int tl_record(const struct tl_rec_opts *o);

/*
 * The flight recorder on a caller's loop L (capture): the default events,
 * every CPU, the last FLIGHT_NS in BUDGET bytes.  NULL with the reason in
 * ERR.  Write puts the capture file (flight flag set) to FP: 0 or -1.
 */
struct kt_loop;
struct tl_flightrec;
struct tl_flightrec *tl_flightrec_start(struct kt_loop *l, uint64_t flight_ns, size_t budget,
					char *err, size_t errlen);
int tl_flightrec_write(struct tl_flightrec *f, FILE *fp, uint64_t *nrec, uint64_t *lost);
/* Attach points asked for that the kernel lacks (TL_AT_* bits). */
uint64_t tl_flightrec_missing(const struct tl_flightrec *f);
/* TL_AT_* bits attached */
uint64_t tl_flightrec_attached(const struct tl_flightrec *f);
/*
 * The caller saw the sched_ext exit at MONO_NS (scheduler SCHED, sysfs
 * state ST after it): put the window's ScxExit record there, once.  Its
 * kind is the one the window's own error dump names, else CODE (SCX_EXIT_*,
 * 0 unknown) from FROM (TL_SCX_KIND_FROM_*).  Drains the ring first, so the
 * exit's own events are in the window before it.
 */
void tl_flightrec_note_exit(struct tl_flightrec *f, uint64_t mono_ns, const char *sched,
			    enum kt_scx_state st, uint32_t code, uint32_t from);
/* Append the sched_ext_dump lines held now to OUT, one per line; returns
 * how many (drains the ring first). */
struct kt_buf;
size_t tl_flightrec_dump_lines(struct tl_flightrec *f, struct kt_buf *out);
/* FN for every record of KIND (enum tl_kind) held now, oldest first (drains the ring
 * first); returns how many.  *OLDEST_NS: the time stamp of the oldest
 * record of any kind held (0: none), i.e. where the window starts. */
struct tl_event;
typedef void (*tl_flightrec_fn)(const struct tl_event *ev, void *arg);
size_t tl_flightrec_each(struct tl_flightrec *f, int kind, tl_flightrec_fn fn, void *arg,
			 uint64_t *oldest_ns);
/* Events the BPF side could not put in its ring since the start (all
 * CPUs); UINT64_MAX when the count cannot be read. */
uint64_t tl_flightrec_lost(struct tl_flightrec *f);
uint64_t tl_flightrec_dropped(const struct tl_flightrec *f);
void tl_flightrec_free(struct tl_flightrec *f);

#endif
