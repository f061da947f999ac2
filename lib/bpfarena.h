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

#endif
