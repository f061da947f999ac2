/* SPDX-License-Identifier: MIT */
/*
 * The recorder's merge: the BPF side stages each CPU's records and hands
 * them to the ring buffer in batches (bpf/timeline.bpf.c), so the ring holds
 * each CPU's records in its time order, but CPUs' batches far apart: an
 * idle CPU's few records come out at the next flush, after a busy CPU's
 * newer thousands.  The merge holds the records per CPU and gives them
 * back in time order, up to a time before which every CPU's records are
 * known to be in (the recorder flushes every CPU's stage, then drains):
 * what reaches the capture file and the flight window is in time order
 * across CPUs, the way the readers want it (tl_sorted's window is small).
 * Pure code over buffers.
 */
#ifndef KT_TIMELINE_MERGE_H
#define KT_TIMELINE_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* Where the merge's records go: N records at RECS; non-zero stops it. */
typedef int (*tl_merge_fn)(void *arg, const void *recs, size_t n);

struct tl_merge {
	uint32_t nq; /* one queue per CPU, and the last for TL_CPU_NONE and others */
	struct tl_mq {
		unsigned char *buf;
		size_t head, len, cap; /* bytes */
	} * q;
	uint32_t *heap; /* queue numbers by their first record's time */
	uint64_t held;	/* records held */
};

/* A merge for CPUs 0..NCPUS-1 (any other cpu value shares one queue); 0 or
 * -1 (ENOMEM). */
int tl_merge_init(struct tl_merge *m, uint32_t ncpus);
void tl_merge_free(struct tl_merge *m);
/*
 * Hold NREC records (a drained sample: text continuations after their
 * header, as the ring gives them).  When memory runs out, everything held
 * and then RECS go to FN unmerged (nothing is dropped); returns FN's
 * non-zero, else 0.
 */
int tl_merge_push(struct tl_merge *m, const void *recs, size_t nrec, tl_merge_fn fn, void *arg);
/*
 * Give FN, in time order (ties: by CPU queue, each CPU's own order kept),
 * every held record older than BEFORE (UINT64_MAX: all), in runs of one
 * CPU's consecutive records.  A CPU's records are taken in the order they
 * came; one out of time order among them comes out where it stands.
 * Returns FN's non-zero (its run stays held), else 0.
 */
int tl_merge_emit(struct tl_merge *m, uint64_t before, tl_merge_fn fn, void *arg);

#endif
