/* SPDX-License-Identifier: MIT */
/*
 * Reading BPF maps: the walker (BPF_MAP_LOOKUP_BATCH first, GET_NEXT_KEY +
 * LOOKUP as the fallback, bounded), the ring buffer reader (read-only
 * mappings, the consumer position never moves), and the dump writer
 * (bpftool -j compatible JSON, or text) that streams entries with memory
 * bounded by the batch size.
 */
#ifndef KT_BPFDUMP_H
#define KT_BPFDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/bpf.h>

#include "buf.h"
#include "json.h"

struct btf;

/* Possible CPUs: ids parsed from TEXT (the cpulist of
 * /sys/devices/system/cpu/possible).  0, or -1 on malformed input. */
int kt_possible_cpus_parse(const char *text, size_t n, uint32_t **ids, size_t *count);
/* The live list (cached after the first call); count 0 on failure. */
size_t kt_possible_cpus(const uint32_t **ids);

/* Bytes one lookup returns for a value: per-CPU maps give one value per
 * possible CPU, each rounded up to 8 bytes. */
static inline size_t kt_percpu_stride(uint32_t value_size)
{
	return ((size_t)value_size + 7) & ~(size_t)7;
}
size_t kt_map_value_bytes(const struct bpf_map_info *info, size_t ncpus);

/* The environment knob that forces the GET_NEXT_KEY fallback. */
#define KT_ENV_NO_BATCH "KTBOX_BPF_NO_BATCH"

struct kt_walk {
	int fd;
	const struct bpf_map_info *info;
	size_t vbytes; /* kt_map_value_bytes */
	size_t batch;  /* entries per batch (0: automatic) */
	bool no_batch; /* use GET_NEXT_KEY + LOOKUP */
	/* Called with N entries: keys at stride key_size, values at vbytes.
	 * A non-zero return stops the walk and is returned. */
	int (*cb)(void *arg, const unsigned char *keys, const unsigned char *vals, size_t n);
	void *arg;
	/* results */
	size_t entries;
	size_t vanished; /* keys deleted between GET_NEXT_KEY and LOOKUP */
	bool batched;	 /* the batch path was used */
	bool truncated;	 /* stopped at the bound: the map changed while walked */
};
/* 0, the callback's value, or -errno. */
int kt_map_walk(struct kt_walk *w);

/* Ring buffer records between the consumer and producer positions. */
struct kt_rb_rec {
	uint64_t pos; /* position of the record header */
	uint32_t len; /* payload length */
	bool busy;    /* reserved, not committed: the walk stops here */
	bool discarded;
	const unsigned char *data; /* payload (len bytes), NULL when busy */
};
struct kt_rb_stats {
	uint64_t cons, prod;
	uint64_t pending; /* prod - cons */
	size_t records, discarded;
	bool corrupt; /* a header did not fit: the rest is not shown */
	bool busy;    /* stopped at an uncommitted record */
};
/*
 * Walk DATA (SIZE bytes, a power of two: the ring, single-mapped) from
 * CONS to PROD; payloads that wrap are copied into SCRATCH (SIZE bytes).
 * CB returns non-zero to stop.  Pure: for tests and fuzzing.
 */
int kt_ringbuf_walk(const unsigned char *data, size_t size, uint64_t cons, uint64_t prod,
		    unsigned char *scratch, int (*cb)(void *, const struct kt_rb_rec *), void *arg,
		    struct kt_rb_stats *st);
/* The live ring of map FD through read-only mappings. 0 or -errno. */
int kt_ringbuf_read(int fd, const struct bpf_map_info *info,
		    int (*cb)(void *, const struct kt_rb_rec *), void *arg, struct kt_rb_stats *st);

/* The dump writer. */
#define KT_DUMP_BUDGET (256ull << 20)

struct kt_dump {
	FILE *fp;
	bool json;
	bool pretty;
	bool raw;   /* no BTF: hex only */
	bool multi; /* JSON: an array of map objects with "elements" */
	bool no_batch;
	size_t batch;
	uint64_t budget; /* arena bytes at most (0: KT_DUMP_BUDGET) */
	/* state */
	struct kt_buf buf;
	struct kt_buf tmp; /* an arena page as hex */
	struct jw w;
	struct btf *vmlinux;
	bool vmlinux_tried;
	const uint32_t *cpus;
	size_t ncpus;
	size_t maps; /* maps written */
	int err;     /* first write error */
};
void kt_dump_begin(struct kt_dump *d);
/*
 * Dump map FD.  Returns 0 (a not-dumpable type included: it is said so in
 * the output), 1 when the dump is partial (said so), or -errno.  With
 * INNER non-NULL, the inner map ids of a map of maps are appended to it
 * (for --recursive).
 */
struct kt_idlist {
	uint32_t *v;
	size_t n, cap;
};
int kt_idlist_add(struct kt_idlist *l, uint32_t id);
int kt_dump_map(struct kt_dump *d, int fd, const struct bpf_map_info *info,
		struct kt_idlist *inner);
/* Close the JSON array, flush; 0 or -errno of a write error. */
int kt_dump_end(struct kt_dump *d);
void kt_dump_free(struct kt_dump *d);

/* One entry, formatted as bpftool -j map dump does (pure, for tests):
 * KEY/VAL as returned by a lookup (per-CPU: VAL holds NCPUS strides). */
void kt_dump_entry_json(struct jw *w, const struct bpf_map_info *info, const struct btf *btf,
			const unsigned char *key, const unsigned char *val, size_t ncpus,
			const uint32_t *cpus);
/*
 * The same JSON from a plan compiled once per map (compact writers): the
 * framing pieces (per CPU too) precomputed, the byte arrays from a table,
 * the formatted key and value by their BTF plans (kt_btf_plan_new; both
 * NULL without BTF), written in place into the writer's buffer with one
 * room check per piece of fixed size.  NULL when out of memory or when a
 * BTF plan is missing.  kt_entry_plan_json: 0, -1 out of memory or a value
 * partly rendered (as the renderer's markers say), 1 when W is not a
 * compact buffer writer (nothing written: use kt_dump_entry_json).
 */
struct kt_btf_plan;
struct kt_entry_plan;
struct kt_entry_plan *kt_entry_plan_new(const struct bpf_map_info *info, bool formatted,
					struct kt_btf_plan *kplan, struct kt_btf_plan *vplan,
					size_t ncpus);
int kt_entry_plan_json(struct jw *w, const struct kt_entry_plan *p, const unsigned char *key,
		       const unsigned char *val);
void kt_entry_plan_free(struct kt_entry_plan *p);
void kt_dump_entry_text(struct kt_buf *b, const struct bpf_map_info *info, const struct btf *btf,
			const unsigned char *key, const unsigned char *val, size_t ncpus,
			const uint32_t *cpus);

#endif
