// SPDX-License-Identifier: MIT
/*
 * Test helper for tests/host/bpfdump.t: a BPF arena of 16 pages mapped by
 * this process, with pages 2 and 5 written (so present in its page tables)
 * and the rest never touched.  Prints "arena ID ADDR", then "ready", and
 * holds it until stdin closes.  Exit 77 when the kernel has no arenas.
 * --unmapped: the arena is created and held by its fd only.
 * --globals: an arena with __arena globals as libbpf 1.5 lays them out (the
 * .addr_space.1 DATASEC's bytes copied to the arena's start) and a loaded
 * program that uses the arena and carries that DATASEC in its BTF.  The
 * BTF is built here (this host's clang 14 cannot compile address_space(1)
 * globals): u64 kt_counter = 42, u32 kt_ids[4] = {1,2,3,4},
 * char kt_name[16] = "ktbox-globals".  Prints "arena ID ADDR PROG_ID".
 * --globals-end: the same globals where libbpf >= 1.7 puts them (the last
 * page: the arena's size less the DATASEC's in whole pages), and the
 * program loads kt_counter's and kt_ids' addresses from there as a
 * compiled __arena access does (ld_imm64 BPF_PSEUDO_MAP_VALUE, the offset
 * in the second half), which the kernel resolves to user_vm_start + off.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#define PAGES 16
#define MAP_ARENA 33		/* BPF_MAP_TYPE_ARENA (6.9+) */
#define F_MMAPABLE (1U << 10)	/* BPF_F_MMAPABLE */

struct globals {
	unsigned long long counter;
	unsigned int ids[4];
	char name[16];
};

static int func_id;

/* The program's BTF: a FUNC for its one function and the arena DATASEC. */
static int globals_btf(void)
{
	struct btf *b = btf__new_empty();
	int u64, u32, ch, arr, carr, v1, v2, v3, proto, sec, fd;

	if (!b)
		return -1;
	u64 = btf__add_int(b, "unsigned long long", 8, 0);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	ch = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	arr = btf__add_array(b, u32, u32, 4);
	carr = btf__add_array(b, u32, ch, 16);
	proto = btf__add_func_proto(b, u32);
	func_id = btf__add_func(b, "kt_arena_prog", BTF_FUNC_STATIC, proto);
	v1 = btf__add_var(b, "kt_counter", BTF_VAR_GLOBAL_ALLOCATED, u64);
	v2 = btf__add_var(b, "kt_ids", BTF_VAR_GLOBAL_ALLOCATED, arr);
	v3 = btf__add_var(b, "kt_name", BTF_VAR_GLOBAL_ALLOCATED, carr);
	sec = btf__add_datasec(b, ".addr_space.1", sizeof(struct globals));
	if (func_id < 0 || u64 < 0 || u32 < 0 || ch < 0 || arr < 0 || carr < 0 || proto < 0 || v1 < 0 ||
	    v2 < 0 || v3 < 0 || sec < 0 || btf__add_datasec_var_info(b, v1, 0, 8) ||
	    btf__add_datasec_var_info(b, v2, 8, 16) || btf__add_datasec_var_info(b, v3, 24, 16) ||
	    btf__load_into_kernel(b)) {
		btf__free(b);
		return -1;
	}
	fd = dup(btf__fd(b));
	btf__free(b);
	return fd;
}

/*
 * A socket filter that loads the arena's address (and with BASE > 0 the
 * globals' addresses at arena offset BASE) and returns 0.
 */
static int globals_prog(int arena_fd, int btf_fd, unsigned int base)
{
	struct bpf_insn insn[] = {
		{.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD,
		 .imm = arena_fd},
		{0},
		{.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 2, .src_reg = BPF_PSEUDO_MAP_VALUE,
		 .imm = arena_fd},
		{.imm = (int)base},
		{.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 3, .src_reg = BPF_PSEUDO_MAP_VALUE,
		 .imm = arena_fd},
		{.imm = (int)base + 8},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct bpf_insn plain[] = {insn[0], insn[1], insn[6], insn[7]};
	struct bpf_func_info fi = {.insn_off = 0, .type_id = (__u32)func_id};
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_btf_fd = btf_fd, .func_info = &fi,
		    .func_info_cnt = 1, .func_info_rec_size = sizeof(fi), .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);
	int fd = base ? bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kt_arena_prog", "GPL", insn, 8,
				      &o)
		      : bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kt_arena_prog", "GPL", plain, 4,
				      &o);

	if (fd < 0)
		fprintf(stderr, "arena_helper: prog load: %s\n%s", strerror(errno), log);
	return fd;
}

static int globals(int fd, unsigned int base)
{
	struct globals g = {42, {1, 2, 3, 4}, "ktbox-globals"};
	struct bpf_prog_info pi;
	struct bpf_map_info info;
	__u32 len = sizeof(info), plen = sizeof(pi);
	unsigned char *p;
	char buf[16];
	int bfd, pfd;

	p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	/* libbpf 1.5: memcpy(map->mmaped, arena_data, sz); 1.7: at arena_data_off */
	memcpy(p + base, &g, sizeof(g));
	bfd = globals_btf();
	if (bfd < 0) {
		fprintf(stderr, "arena_helper: btf load: %s\n", strerror(errno));
		return 1;
	}
	pfd = globals_prog(fd, bfd, base);
	memset(&info, 0, sizeof(info));
	memset(&pi, 0, sizeof(pi));
	if (pfd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    bpf_obj_get_info_by_fd(pfd, &pi, &plen))
		return 1;
	printf("arena %u %lx %u\nready\n", info.id, (unsigned long)p, pi.id);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	int unmapped = argc > 1 && !strcmp(argv[1], "--unmapped");
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = F_MMAPABLE);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	unsigned char *p;
	char buf[16];
	int fd;

	fd = bpf_map_create(MAP_ARENA, "kt_arena", 0, 0, PAGES, &o);
	if (fd < 0) {
		fprintf(stderr, "arena_helper: create: %s\n", strerror(errno));
		return errno == EINVAL || errno == EOPNOTSUPP ? 77 : 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--globals"))
		return globals(fd, 0);
	if (argc > 1 && !strcmp(argv[1], "--globals-end"))
		return globals(fd, (PAGES - 1) * 4096);
	if (unmapped) {	/* nobody maps it: the fd keeps it */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return 1;
		printf("arena %u 0\nready\n", info.id);
		fflush(stdout);
		while (read(0, buf, sizeof(buf)) > 0)
			;
		return 0;
	}
	p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "arena_helper: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(p + 2 * 4096, 0xa5, 64);
	memcpy(p + 2 * 4096 + 100, "ktbox-arena-page-2", 18);
	memcpy(p + 5 * 4096, "ktbox-arena-page-5", 18);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 1;
	/* the fd stays open, as a scheduler's loader keeps its map fds */
	printf("arena %u %lx\nready\n", info.id, (unsigned long)p);
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
