/* SPDX-License-Identifier: MIT */
/*
 * Host context snapshot, compatible with ktstr's HostContext and
 * HostHeapState (serde JSON shape, format_human, diff).
 *
 * Strings are NUL-terminated, valid UTF-8 (a source that is not valid
 * UTF-8 makes the field absent, like Rust's read_to_string), NULL when
 * absent.  Numeric fields carry a presence bit in ->has.
 *
 * Where this differs from ktstr, on purpose:
 * - a source holding a NUL byte is treated like invalid UTF-8 (Rust would
 *   keep the NUL; a C string cannot);
 * - /proc/cpuinfo is read only up to the first empty line, so bytes that
 *   are not UTF-8 after the first processor block go unnoticed;
 * - /proc/config.gz is streamed and the scan stops at the "=y" line: a
 *   corrupt tail after it still yields "on" (ktstr inflates it all);
 * - online_cpus counts the listed CPUs whose cpuN directory exists.
 */
#ifndef KT_HOSTCTX_H
#define KT_HOSTCTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "text.h"

#include "buf.h"
#include "json.h"

enum hc_delayacct {
	HC_DA_ABSENT = 0,
	HC_DA_CONFIG_OFF,
	HC_DA_RUNTIME_OFF,
	HC_DA_ON,
};

enum hc_xacct {
	HC_XA_ABSENT = 0,
	HC_XA_ON,
	HC_XA_OFF,
	HC_XA_UNKNOWN,
};

/* presence bits of struct hc_heap */
enum {
	HC_HEAP_ACTIVE = 1 << 0,
	HC_HEAP_ALLOCATED = 1 << 1,
	HC_HEAP_RESIDENT = 1 << 2,
	HC_HEAP_MAPPED = 1 << 3,
	HC_HEAP_NARENAS = 1 << 4,
};

struct hc_heap {
	unsigned has;
	uint64_t active_bytes;
	uint64_t allocated_bytes;
	uint64_t resident_bytes;
	uint64_t mapped_bytes;
	uint64_t narenas;
};

/* presence bits of the numeric fields of struct hostctx */
enum {
	HC_TOTAL_MEMORY = 1 << 0,
	HC_HP_TOTAL = 1 << 1,
	HC_HP_FREE = 1 << 2,
	HC_HP_SIZE = 1 << 3,
	HC_ONLINE_CPUS = 1 << 4,
	HC_NUMA_NODES = 1 << 5,
	HC_TUNABLES = 1 << 6, /* sched_tunables map present (may be empty) */
	HC_HEAP = 1 << 7,     /* heap_state present */
};

struct hc_kv {
	char *key;
	char *val;
};

struct hc_gov {
	uint64_t cpu;
	char *gov;
};

/* Field order = ktstr's struct declaration order = JSON key order. */
struct hostctx {
	unsigned has;
	char *cpu_model;
	char *cpu_vendor;
	uint64_t total_memory_kib;
	uint64_t hugepages_total;
	uint64_t hugepages_free;
	uint64_t hugepages_size_kib;
	char *thp_enabled;
	char *thp_defrag;
	struct hc_kv *tunables; /* sorted by key (strcmp) */
	size_t ntunables;
	uint64_t online_cpus;
	uint64_t numa_nodes;
	struct hc_gov *gov; /* sorted by cpu; empty = omitted */
	size_t ngov;
	char *kernel_name;
	char *kernel_release;
	char *arch;
	char *kernel_cmdline;
	enum hc_delayacct task_delayacct;
	enum hc_xacct config_task_xacct;
	struct hc_heap heap;
};

/* (lib/hostctx_collect.c) */
void hc_free(struct hostctx *c);
int hc_copy(struct hostctx *dst, const struct hostctx *src);
/* No field present at all (e.g. a pair file read as one snapshot). */
bool hc_is_empty(const struct hostctx *c);

/* ---- pure parsers (lib/hostctx_parse.c) --------------------------------- */

/* Rust's u64::from_str: ASCII digits with an optional leading '+', no
 * whitespace, overflow rejected.  0 on success, -1 otherwise. */
int hc_parse_u64(const char *s, size_t n, uint64_t *out);
/* Strict UTF-8 (no overlongs, surrogates or > U+10FFFF) without NUL
 * bytes: text holding NUL cannot be a C string, so such a source is
 * treated like one that is not UTF-8 (the field is absent). */
bool hc_utf8_valid(const char *s, size_t n);
/* Rust's str::trim (Unicode White_Space) over valid UTF-8: returns the
 * start and stores the trimmed length. */
const char *hc_trim(const char *s, size_t n, size_t *outn);
/* Trimmed copy of valid UTF-8 text; NULL when invalid, empty or OOM. */
char *hc_trimmed_dup(const char *s, size_t n);

/* First processor block of /proc/cpuinfo (up to the first empty line):
 * the first non-empty "model name" and "vendor_id"; malloc'd or NULL. */
void hc_parse_cpuinfo(const char *s, size_t n, char **model, char **vendor);
/* True when S holds a complete empty line (end of the first block). */
bool hc_cpuinfo_block_done(const char *s, size_t n);

struct hc_meminfo {
	unsigned has; /* HC_TOTAL_MEMORY | HC_HP_* bits */
	uint64_t mem_total_kib;
	uint64_t hugepages_total;
	uint64_t hugepages_free;
	uint64_t hugepages_size_kib;
};
void hc_parse_meminfo(const char *s, size_t n, struct hc_meminfo *m);

/* "0-3,5,8-11" (surrounding whitespace allowed): sorted, deduplicated CPU
 * ids in a malloc'd vector.  0, or -1 on malformed, empty or huge input. */
#define HC_MAX_CPUS 65536
int hc_parse_cpulist(const char *s, size_t n, uint64_t **cpus, size_t *ncpus);

/* THP menu: the text between the first '[' and the next ']', or NULL. */
const char *hc_thp_active(const char *s, size_t *len);

/* Content of task_delayacct (NULL: absent/unreadable/empty). */
enum hc_delayacct hc_delayacct_from(const char *trimmed);

/* ---- kernel config probe (lib/hostctx_kconfig.c) ----------------------- */

/* Streaming CONFIG_TASK_XACCT scan over decompressed kconfig text. */
struct hc_kconfig_scan {
	char line[128];
	size_t len;
	bool lead;     /* still skipping leading whitespace */
	bool overflow; /* line too long to be a match */
	bool seen_off;
	bool bad_utf8;
	struct kt_u8 u8;
};
void hc_kconfig_init(struct hc_kconfig_scan *k);
/* Feed bytes; returns HC_XA_ON as soon as the answer is certain,
 * HC_XA_UNKNOWN on invalid UTF-8, HC_XA_ABSENT to ask for more. */
enum hc_xacct hc_kconfig_feed(struct hc_kconfig_scan *k, const char *s, size_t n);
/* End of text: the verdict. */
enum hc_xacct hc_kconfig_finish(struct hc_kconfig_scan *k);
/* Whole-buffer helpers: plain text, and a gzip image (streamed). */
enum hc_xacct hc_kconfig_text(const char *s, size_t n);
enum hc_xacct hc_kconfig_gz(const void *gz, size_t n);
/* CONFIG_TASK_XACCT of ROOT/PATH (a config.gz, streamed through zlib). */
enum hc_xacct hc_read_xacct(const char *root, const char *path);

/* ---- collection (lib/hostctx_collect.c) --------------------------------- */

/* jemalloc's state via mallctl: "epoch" advanced once, then the five
 * reads, each of which may fail alone.  mallctl is a weak symbol: without
 * jemalloc (or when the epoch advance fails) every field is absent, and
 * heap_state is then an empty object, as ktstr's HostHeapState::default(). */
void hc_heap_collect(struct hc_heap *h);
/* The collapse rule: false (heap_state absent) only when allocated and
 * active are both present and both 0 ("jemalloc linked but unused"). */
bool hc_heap_kept(const struct hc_heap *h);

/*
 * One collector per process (or per fixture tree): static fields are read
 * on the first hc_collect() and reused; dynamic ones every call.
 */
struct hc_collector {
	const char *root;	    /* NULL or "/" = the live host */
	bool use_heap;		    /* read jemalloc state (default true) */
	bool primed;		    /* static part read */
	struct hostctx st;	    /* the static part */
	unsigned long static_reads; /* times the static part was read */
};

void hc_collector_init(struct hc_collector *c, const char *root);
void hc_collector_free(struct hc_collector *c);
/* Always succeeds (failed reads drop fields); -1 only on OOM. */
int hc_collect(struct hc_collector *c, struct hostctx *out);

/* sched_* tunables below ROOT/proc/sys/kernel (or DIR itself). */
int hc_read_tunables(const char *root, const char *dir, struct hc_kv **kv, size_t *n);

/* ---- output (lib/hostctx_fmt.c) ------------------------------------------ */

void hc_json(struct jw *w, const struct hostctx *c);
void hc_json_pair(struct jw *w, const struct hostctx *pre, const struct hostctx *post);
void hc_human(struct kt_buf *b, const struct hostctx *c);
void hc_heap_human(struct kt_buf *b, const struct hc_heap *h);
/* Appends the diff lines; returns true when anything differs. */
bool hc_diff(struct kt_buf *b, const struct hostctx *a, const struct hostctx *x);
bool hc_heap_diff(struct kt_buf *b, const struct hc_heap *a, const struct hc_heap *x);
const char *hc_delayacct_str(enum hc_delayacct d);  /* Display: config-off */
const char *hc_delayacct_json(enum hc_delayacct d); /* serde: config_off */
const char *hc_xacct_str(enum hc_xacct x);

/* ---- input (lib/hostctx_load.c) ------------------------------------------ */

struct jr_err;
/* Parse one HostContext JSON document (serde rules: unknown keys ignored,
 * null = absent for optional fields, types checked). */
int hc_from_json(const char *s, size_t n, struct hostctx *c, struct jr_err *err);
/* Parse a {"pre":…,"post":…} pair. */
int hc_pair_from_json(const char *s, size_t n, struct hostctx *pre, struct hostctx *post,
		      struct jr_err *err);

#endif
