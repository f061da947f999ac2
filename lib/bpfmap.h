/* SPDX-License-Identifier: MIT */
/*
 * Live BPF maps and programs: enumeration and description through the
 * bpf() syscall (libbpf's low-level API), plus the pure pieces (type
 * names, dumpability, fdinfo fields, formatting) that capture and the
 * tests call directly.
 *
 * Enumeration follows the kernel's rules: GET_NEXT_ID until ENOENT; an id
 * that vanished between NEXT_ID and GET_FD_BY_ID is skipped; EPERM is
 * returned (as -EPERM) for the caller to report once.
 */
#ifndef KT_BPFMAP_H
#define KT_BPFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "buf.h"
#include "json.h"

/* Map types by number (the host's UAPI header may predate some). */
enum {
	KT_MAP_HASH = 1,
	KT_MAP_ARRAY = 2,
	KT_MAP_PROG_ARRAY = 3,
	KT_MAP_PERF_EVENT_ARRAY = 4,
	KT_MAP_PERCPU_HASH = 5,
	KT_MAP_PERCPU_ARRAY = 6,
	KT_MAP_STACK_TRACE = 7,
	KT_MAP_CGROUP_ARRAY = 8,
	KT_MAP_LRU_HASH = 9,
	KT_MAP_LRU_PERCPU_HASH = 10,
	KT_MAP_LPM_TRIE = 11,
	KT_MAP_ARRAY_OF_MAPS = 12,
	KT_MAP_HASH_OF_MAPS = 13,
	KT_MAP_DEVMAP = 14,
	KT_MAP_SOCKMAP = 15,
	KT_MAP_CPUMAP = 16,
	KT_MAP_XSKMAP = 17,
	KT_MAP_SOCKHASH = 18,
	KT_MAP_CGROUP_STORAGE = 19,
	KT_MAP_REUSEPORT_SOCKARRAY = 20,
	KT_MAP_PERCPU_CGROUP_STORAGE = 21,
	KT_MAP_QUEUE = 22,
	KT_MAP_STACK = 23,
	KT_MAP_SK_STORAGE = 24,
	KT_MAP_DEVMAP_HASH = 25,
	KT_MAP_STRUCT_OPS = 26,
	KT_MAP_RINGBUF = 27,
	KT_MAP_INODE_STORAGE = 28,
	KT_MAP_TASK_STORAGE = 29,
	KT_MAP_BLOOM_FILTER = 30,
	KT_MAP_USER_RINGBUF = 31,
	KT_MAP_CGRP_STORAGE = 32,
	KT_MAP_ARENA = 33,
};
enum { KT_PROG_STRUCT_OPS = 27 };

/* libbpf's name of map type T ("hash", "percpu_array", ...), or NULL. */
const char *kt_bpf_map_type_name(uint32_t t);
/* Map type by name (also accepts upper case and a BPF_MAP_TYPE_ prefix); -1. */
int kt_bpf_map_type_parse(const char *s);
const char *kt_bpf_prog_type_name(uint32_t t);

/* How a map's contents can be read. */
enum kt_dump_kind {
	KT_DUMP_WALK,	 /* keys and values by batch or GET_NEXT_KEY */
	KT_DUMP_RINGBUF, /* pending records, read-only mapping */
	KT_DUMP_ARENA,	 /* present pages of a process mapping it (bpfarena.h) */
	KT_DUMP_NONE,	 /* not dumpable: see kt_bpf_not_dumpable */
};
enum kt_dump_kind kt_bpf_dump_kind(uint32_t type);
/* Why a map of type T cannot be dumped (NULL when it can). */
const char *kt_bpf_not_dumpable(uint32_t type);
bool kt_bpf_map_percpu(uint32_t type);
bool kt_bpf_map_of_maps(uint32_t type);

/* Value of "KEY:\t123" in fdinfo text S (N bytes); 0, or -1 when absent. */
int kt_fdinfo_u64(const char *s, size_t n, const char *key, uint64_t *v);

/* Ids of every map (KT_BPF_MAPS), program or link; 0, or -errno (EPERM). */
enum { KT_BPF_MAPS, KT_BPF_PROGS, KT_BPF_LINKS };
int kt_bpf_ids(int kind, uint32_t **ids, size_t *n);

/* A read-only fd for map ID (read-write when the map refuses read-only
 * opens); -errno (ENOENT: it vanished). */
int kt_bpf_map_fd(uint32_t id);
/* Info of map FD; 0 or -errno. */
int kt_bpf_map_info(int fd, struct bpf_map_info *info);

/* A process holding a map or program fd. */
struct kt_bpf_holder {
	int pid;
	char comm[16];
};

struct kt_bpf_mapdesc {
	struct bpf_map_info info;
	int64_t memlock; /* -1: unknown */
	int frozen;	 /* -1: unknown */
	char **pinned;
	size_t npinned;
	uint32_t *progs; /* programs using the map */
	size_t nprogs;
	struct kt_bpf_holder *pids;
	size_t npids;
	bool scx; /* part of the running sched_ext scheduler */
};

struct kt_bpf_progdesc {
	struct bpf_prog_info info;
	uint32_t *map_ids;
	size_t nmaps;
	char attach[128];	 /* attach target ("sched_ext_ops", a function) or "" */
	const char *attach_type; /* from a link, or NULL */
	char **pinned;
	size_t npinned;
	struct kt_bpf_holder *pids;
	size_t npids;
	bool struct_ops;
	bool scx; /* a sched_ext_ops program while a scheduler is loaded */
};

/* Everything enumerated at one time. */
struct kt_bpf_inv {
	struct kt_bpf_mapdesc *maps;
	size_t nmaps;
	struct kt_bpf_progdesc *progs;
	size_t nprogs;
	char *scx_ops;	 /* /sys/kernel/sched_ext/root/ops, or NULL */
	char *scx_state; /* /sys/kernel/sched_ext/state, or NULL */
	size_t vanished; /* ids that went away while enumerating */
};

enum {
	KT_INV_MAPS = 1,
	KT_INV_PROGS = 2,
	KT_INV_PINNED = 4,
	KT_INV_PIDS = 8,
	KT_INV_ALL = 15,
};
/*
 * Enumerate (WHAT: KT_INV_* bits; maps always need programs for their
 * users).  0, or -errno (EPERM: not allowed; the inventory is empty).
 */
int kt_bpf_inventory(struct kt_bpf_inv *inv, unsigned what);
void kt_bpf_inv_free(struct kt_bpf_inv *inv);
const struct kt_bpf_mapdesc *kt_bpf_inv_map(const struct kt_bpf_inv *inv, uint32_t id);
const struct kt_bpf_progdesc *kt_bpf_inv_prog(const struct kt_bpf_inv *inv, uint32_t id);

/* The program's map ids alone (for dump prog ID); 0 or -errno. */
int kt_bpf_prog_map_ids(uint32_t prog_id, uint32_t **ids, size_t *n);

/* Pure formatting (lib/bpfmap_fmt.c). */
void kt_bpf_map_text(struct kt_buf *b, const struct kt_bpf_mapdesc *m);
void kt_bpf_map_json(struct jw *w, const struct kt_bpf_mapdesc *m);
void kt_bpf_prog_text(struct kt_buf *b, const struct kt_bpf_progdesc *p, const char *scx_ops);
void kt_bpf_prog_json(struct jw *w, const struct kt_bpf_progdesc *p, const char *scx_ops);
/* "12ab..." of an 8-byte program tag into OUT[17]. */
void kt_bpf_tag(char out[17], const unsigned char tag[8]);
/* The bpf map header of a dump: id, type, name, flags (bpftool's keys). */
void kt_bpf_map_header_json(struct jw *w, const struct bpf_map_info *info);

/* The message for an EPERM from enumeration or GET_FD_BY_ID. */
#define KT_BPF_EPERM_HINT "needs CAP_SYS_ADMIN: run as root"

#endif
