/* SPDX-License-Identifier: MIT */
/*
 * The kernel symbol table (/proc/kallsyms or a saved copy).
 *
 * Input lines are "ADDR TYPE NAME" with an optional "\t[MODULE]"; ADDR is
 * 1..16 hex digits (16 on 64-bit kernels, 8 on 32-bit), TYPE one letter
 * (or '?'), NAME any run of non-blank bytes up to KT_KSYMS_NAME_MAX (the
 * kernel's KSYM_NAME_LEN - 1), MODULE up to KT_KSYMS_MODULE_MAX.  CRLF line ends are
 * accepted.  Anything else is a malformed line: counted, skipped, never
 * fatal.  Module "[bpf]" marks JITed BPF programs, trampolines and
 * dispatchers.
 *
 * The table is sorted by address (stably: among aliases at one address
 * the first one listed wins, as in the kernel's own lookup) and indexed by
 * name (hash of distinct names, duplicates chained in address order).
 * Names live in one compact string pool; per symbol there are a 16-byte
 * entry, a 4-byte size, a 4-byte chain link and ~6 bytes of hash table,
 * so a table costs about 1.2x its text.
 *
 * vmlinux addresses resolve only where the kernel's is_ksym_addr() would
 * look them up, when the table has the section markers: [_stext, _end)
 * if it lists _end (CONFIG_KALLSYMS_ALL), else [_stext, _etext) and
 * [_sinittext, _einittext).  Without markers there is no such limit.
 *
 * Symbol sizes (the "/0xSIZE" of %pS) are the distance to the next higher
 * address in the symbol's region:
 *  - vmlinux: one region, every type (the kernel's get_symbol_pos()).  The
 *    last vmlinux symbol marks the end of the image (_end or similar): it
 *    has no size and addresses beyond it resolve to nothing.
 *  - each module (and pseudo-module such as __builtin__ftrace, which is
 *    resolved like a module although the kernel may print a raw address):
 *    two regions, text (types t T w W) and everything else, because the
 *    kernel bounds a module symbol by its own memory area
 *    (find_kallsyms_symbol()).  Mapping symbols ($x, $d, .L*, L0*) are
 *    listed but never resolved to.
 *  - [bpf]: one region.  The true end of a JITed program is not in
 *    /proc/kallsyms and images are padded, so the distance to the next
 *    symbol only bounds lookups: [bpf] symbols report no size (%pS text
 *    "name+0xOFF") unless an exact one was set with kt_ksyms_set_bpf_size()
 *    (kt_ksyms_bpf_sizes() takes them from the bpf() syscall on a live
 *    system); then addresses past the end resolve to nothing.
 * The last symbol of a module or [bpf] region has no known size: it
 * resolves with an offset only ("name+0xOFF [mod]"), and only for offsets
 * below KT_KSYMS_MAX_UNSIZED.  A gap of 4 GiB or more is not a size.
 *
 * Formatting follows the kernel's %pS (__sprint_symbol): "name+0xOFF/0xSIZE"
 * with %#lx numbers ("+0x0" at offset zero), then " [module]" for modules;
 * BPF symbols get no module suffix (bpf_address_lookup() reports none).
 * An address with no symbol prints as "0x%lx".
 *
 * Hidden tables (kptr_restrict, not root: every address zero) parse fine
 * and report hidden; they resolve nothing and lookups return address 0.
 */
#ifndef KT_KALLSYMS_H
#define KT_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

#define KT_KALLSYMS_PATH "/proc/kallsyms"
/* Largest file kt_ksyms_load() reads: a real /proc/kallsyms, modules and
 * BPF programs included, is well under this (10-30 MiB); past it the
 * load fails with EFBIG instead of growing toward the input's size. */
#define KT_KSYMS_MAX_FILE (64ULL << 20)
/* Offsets at or past this are not attributed to a symbol of unknown size. */
#define KT_KSYMS_MAX_UNSIZED 0x100000ULL
#define KT_KSYMS_NAME_MAX 511
#define KT_KSYMS_MODULE_MAX 255
/* Room for any kt_ksyms_format() result: longest name and module. */
#define KT_KSYMS_FMT_MAX 1024

struct kt_ksyms;

/* One symbol as the table reports it (pointers live as long as the table). */
struct kt_ksym {
	uint64_t addr;
	uint64_t size; /* 0: unknown */
	const char *name;
	const char *module; /* NULL for vmlinux; "bpf" for [bpf] */
	char type;	    /* the type letter as listed */
	bool bpf;	    /* listed as [bpf]: no module in %pS */
};

/* A resolved address: the symbol and the offset into it. */
struct kt_ksym_res {
	struct kt_ksym sym;
	uint64_t off;
};

struct kt_ksyms_stats {
	size_t lines;	  /* non-empty lines seen */
	size_t symbols;	  /* parsed symbols */
	size_t malformed; /* lines skipped */
	size_t vmlinux_symbols;
	size_t module_symbols; /* in real and pseudo modules, not [bpf] */
	size_t bpf_symbols;
	size_t modules;		/* distinct modules, not counting [bpf] */
	size_t names;		/* distinct names */
	size_t duplicate_names; /* names listed more than once */
	size_t types[128];	/* symbols per type letter (ASCII) */
	unsigned addr_digits;	/* widest address seen: 16 or 8 (0 if none) */
	bool hidden;		/* symbols present, every address zero */
	size_t text_bytes;	/* input size */
	size_t mem_bytes;	/* memory the table holds */
};

/*
 * Parse a table from text.  The buffer is copied from; it need not be
 * NUL-terminated.  NULL with errno on failure (ENOMEM, EFBIG when
 * len >= 4 GiB).  Empty or fully malformed input gives an empty table.
 */
struct kt_ksyms *kt_ksyms_parse(const char *buf, size_t len);
/*
 * Read and parse a file: PATH NULL or "live" means /proc/kallsyms, "-"
 * standard input.  NULL with errno on failure.  The live table also gets
 * the exact sizes of JITed BPF programs (kt_ksyms_bpf_sizes), when bpf()
 * allows it.
 */
struct kt_ksyms *kt_ksyms_load(const char *path);
void kt_ksyms_free(struct kt_ksyms *t);

const struct kt_ksyms_stats *kt_ksyms_stats(const struct kt_ksyms *t);
bool kt_ksyms_hidden(const struct kt_ksyms *t);
/* Number of symbols; kt_ksyms_get(t, i) is the i-th by address. */
size_t kt_ksyms_count(const struct kt_ksyms *t);
int kt_ksyms_get(const struct kt_ksyms *t, size_t i, struct kt_ksym *out);
/* Name of module N (1..stats->modules), or NULL. */
const char *kt_ksyms_module_name(const struct kt_ksyms *t, size_t n);

/*
 * Every symbol called NAME, in address order (aliases in listing order).
 * Fills up to MAX entries of OUT (OUT may be NULL when MAX is 0) and
 * returns the total number of matches.
 */
size_t kt_ksyms_lookup(const struct kt_ksyms *t, const char *name, struct kt_ksym *out, size_t max);

/* The symbol containing ADDR (see the rules above): 0, or -1 if none. */
int kt_ksyms_resolve(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res);

/*
 * Exact size of the [bpf] symbol(s) at ADDR (a JITed program's length).
 * Returns how many symbols were updated (aliases at ADDR), 0 if none.
 */
int kt_ksyms_set_bpf_size(struct kt_ksyms *t, uint64_t addr, uint32_t size);
/*
 * Set the exact size of every [bpf] program symbol from the running
 * kernel (bpf(BPF_OBJ_GET_INFO_BY_FD): jited_ksyms and jited_func_lens of
 * each loaded program).  Needs CAP_SYS_ADMIN (or CAP_BPF+CAP_PERFMON) and
 * raw kernel addresses; returns the number of symbols sized, or -1 with
 * errno when programs cannot be enumerated.  Only meaningful for a table
 * read from this kernel's /proc/kallsyms.
 */
int kt_ksyms_bpf_sizes(struct kt_ksyms *t);
/*
 * The same for a return address, as the kernel's %pB (stack traces,
 * /proc/PID/stack): ADDR - 1 is looked up and the offset reported one
 * higher, so a call at the very end of a function names that function
 * ("f+0x70/0x70"), not the next one.
 */
int kt_ksyms_resolve_bt(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res);

/*
 * An address as users and logs write it: hex, "0x" optional, "[<...>]"
 * tolerated, at most 16 digits.  0, or -1 (EINVAL).
 */
int kt_ksym_parse_addr(const char *s, uint64_t *out);

/* ---- formatting (kallsyms_fmt.c) ---- */

/*
 * %pS text for a resolved address / for ADDR ("0x%lx" when unresolved).
 * snprintf semantics: returns the length the full text needs.
 */
int kt_ksym_res_format(const struct kt_ksym_res *res, char *buf, size_t size);
int kt_ksyms_format(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size);
/* %pB text for a return address. */
int kt_ksyms_format_bt(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size);

struct jw;
/* The members of a symbol object: name, address, type, size, module, bpf. */
void kt_ksym_json(struct jw *w, const struct kt_ksym *s);
/* {"address","text","symbol":{..},"offset"}: R NULL when unresolved. */
void kt_ksym_res_json(struct jw *w, uint64_t addr, const char *text, const struct kt_ksym_res *r);
/* V as at least WIDTH hex digits, no prefix (stdio's printf is the cost of
 * big outputs). */
void kt_put_addr(FILE *fp, uint64_t v, int width);
/* "ADDR T NAME [module] size 0xN" and a newline. */
void kt_ksym_print(FILE *fp, const struct kt_ksym *s, int width);
/* The table's statistics as one JSON object / as human lines. */
void kt_ksyms_stats_json(struct jw *w, const struct kt_ksyms_stats *st);
void kt_ksyms_stats_human(FILE *fp, const struct kt_ksyms_stats *st);

/* ---- symbolizing text (kallsyms.c) ---- */

/*
 * Annotate a line of text: after every kernel-address token (see
 * kt_addrtok_next() in stacksym.h) that resolves, insert " " and its %pS
 * text, unless a func+0xoff/0xsz token already follows it.  Appends the
 * result (without adding a newline) to OUT; returns how many addresses
 * were annotated.
 */
size_t kt_ksyms_symbolize(const struct kt_ksyms *t, const char *line, size_t len,
			  struct kt_buf *out);
/* The same with %pB (return-address) semantics. */
size_t kt_ksyms_symbolize_bt(const struct kt_ksyms *t, const char *line, size_t len,
			     struct kt_buf *out);

/*
 * Warn once on stderr (through kt_warn) when the table SRC is not fit to
 * trust as is: no symbols at all, or malformed lines skipped (over-long
 * names, garbage), which shift sizes and resolution.  Returns true when
 * it warned.
 */
bool kt_ksyms_warn_quality(const struct kt_ksyms *t, const char *src);
/* The load error for SRC (errno from kt_ksyms_load), through kt_err. */
int kt_ksyms_load_err(const char *src);

#endif
