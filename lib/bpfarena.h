/* SPDX-License-Identifier: MIT */
/*
 * Reading a BPF arena without changing it.
 *
 * A user-space fault on an arena page the BPF side never allocated makes
 * the kernel allocate it (kernel/bpf/arena.c, arena_vm_fault), and once
 * user_vm_start is set a second mmap must use exactly that address and
 * length: a naive mmap-and-read changes the scheduler's state or fails.
 * So the arena is read through a process that already has it mapped and
 * holds an fd of it (fdinfo map_id; a scheduler's loader keeps its map
 * fds): its VMA is the anon_inode:bpf-map mapping of the arena's size in
 * /proc/PID/maps, at map_extra when the arena has a fixed address (the
 * kernel tells no map id for a mapping: /proc/PID/map_files refuses to
 * open anon inodes, ENXIO),
 * /proc/PID/pagemap says which pages are present in that process, and
 * only those are copied with process_vm_readv, which never faults a page
 * in.
 *
 * What this view cannot show: pages the BPF side allocated that the
 * mapping process has never touched (they are not in its page tables),
 * arenas no process maps, and mappings whose process closed its map fd.
 */
#ifndef KT_BPFARENA_H
#define KT_BPFARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where an arena is mapped. */
struct kt_arena_where {
	int pid;
	uint64_t start, len; /* the VMA (user_vm_start, its size) */
	int candidates;	     /* processes holding it with a mapping of its size */
	bool confirmed;	     /* a fixed address, or one mapping of the size */
};

/*
 * Parse one /proc/PID/maps line: true with *START and *END when it is an
 * anon_inode:bpf-map mapping.
 */
bool kt_arena_maps_line(const char *s, size_t n, uint64_t *start, uint64_t *end);

/*
 * Find a process that maps arena MAP_ID of LEN bytes (max_entries pages;
 * MAP_EXTRA, when not 0, is its fixed user address).  0, or -errno
 * (-ENOENT: no process maps it).
 */
int kt_arena_find(uint32_t map_id, uint64_t len, uint64_t map_extra, struct kt_arena_where *w);

/*
 * PAGE (index from the start) of the arena at W is present in W->pid's
 * page tables: CB gets its index and bytes.  Stops at BUDGET bytes
 * (*TRUNCATED set).  Returns the number of present pages copied, or
 * -errno (pagemap or process_vm_readv refused: EPERM without
 * CAP_SYS_PTRACE).
 */
typedef int (*kt_arena_page_fn)(void *arg, uint64_t page, const unsigned char *bytes, size_t len);
long kt_arena_read(const struct kt_arena_where *w, uint64_t budget, kt_arena_page_fn cb, void *arg,
		   bool *truncated);

/*
 * Where an arena's __arena globals (the .addr_space.1 DATASEC) sit.  The
 * loader decides: libbpf <= 1.6 copies them to the arena's start; libbpf
 * >= 1.7 (commits 9dd6fda5 and 429aaef6) puts them at the end, at the
 * arena's size less the DATASEC's size rounded up to whole pages, but
 * only on kernels whose verifier takes ld_imm64 map value offsets of the
 * full range (12a1fe6e12db); elsewhere at the start too.  The kernel does
 * not record the loader's version, so the rule is, in order:
 *   1. the programs' own instructions: each global access is an ld_imm64
 *      the kernel resolved to user_vm_start + base + the variable's
 *      offset (arena_map_direct_value_addr; root reads it back raw in the
 *      xlated dump).  The placement under which every such offset lies
 *      within [base, base + size) is the one; both (or neither): unknown;
 *   2. a kernel without full-range offsets: the start, whatever libbpf;
 *   3. otherwise unknown: the start is assumed and said so, and the end
 *      placement is shown beside it.
 * When the DATASEC fills the arena's last pages from page 0, the two
 * coincide (the start).
 */
enum kt_arena_gplace { KT_ARENA_G_UNKNOWN, KT_ARENA_G_START, KT_ARENA_G_END };

/* libbpf >= 1.7's offset: ARENA_LEN - roundup(SIZE, PAGE) (0 when it does not fit). */
uint64_t kt_arena_globals_end(uint64_t arena_len, uint64_t size, uint64_t page);
/* Rule 1 over OFFS (N arena offsets the programs load; N 0: unknown). */
enum kt_arena_gplace kt_arena_globals_place(uint64_t arena_len, uint64_t size, uint64_t page,
					    const uint64_t *offs, size_t n);
/*
 * The arena offsets INSNS (N eight-byte BPF instructions, a program's
 * xlated dump) load: every ld_imm64 whose 64-bit value is in [START,
 * START + LEN), START not 0.  Up to MAX of them into OUT; returns how many
 * there are.
 */
size_t kt_arena_insn_offsets(const unsigned char *insns, size_t n, uint64_t start, uint64_t len,
			     uint64_t *out, size_t max);
/*
 * Rule 2's question, asked as libbpf asks it (a socket filter loading an
 * array map's value at offset 1 GiB must fail with "invalid access to map
 * value pointer", not "direct value offset of"): 1 full range, 0 not,
 * -errno when the answer is not known.
 */
int kt_arena_probe_full_range(void);

#endif
