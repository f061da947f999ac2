// SPDX-License-Identifier: MIT
/*
 * Test helper for tests/host/bpfdump.t: creates one map of every kind
 * bpfdump dumps, with BTF (tests/unit/btf_fixture.h) and known values,
 * plus a socket-filter program (raw instructions, no clang) that uses
 * maps and writes two records into the ring buffer.  Prints "NAME ID"
 * per map ("prog ID" for the program, "pin PATH"), then "ready", and
 * holds everything until stdin closes.
 *
 *   bpfmaps_helper [PINDIR]          the fixture set
 *   bpfmaps_helper --big N VSIZE     one hash of N entries (bench)
 *   bpfmaps_helper --array N TYPE    array/percpu_array of N u64 (bench)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* The kernel's insn macros (include/linux/filter.h is not UAPI). */
#define INSN(c, d, s_, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s_), .off = (o), .imm = (i) })
#define BPF_LD_IMM64(d, v) INSN(BPF_LD | BPF_DW | BPF_IMM, d, 0, 0, (int)(uint32_t)(v)), \
	INSN(0, 0, 0, 0, (int)(uint32_t)((uint64_t)(v) >> 32))
#define BPF_LD_MAP_FD(d, fd) INSN(BPF_LD | BPF_DW | BPF_IMM, d, BPF_PSEUDO_MAP_FD, 0, fd), \
	INSN(0, 0, 0, 0, 0)
#define BPF_STX_MEM(sz, d, s_, o) INSN(BPF_STX | BPF_SIZE(sz) | BPF_MEM, d, s_, o, 0)
#define BPF_ST_MEM(sz, d, o, i) INSN(BPF_ST | BPF_SIZE(sz) | BPF_MEM, d, 0, o, i)
#define BPF_MOV64_REG(d, s_) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s_, 0, 0)
#define BPF_MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define BPF_ALU64_IMM(op, d, i) INSN(BPF_ALU64 | BPF_OP(op) | BPF_K, d, 0, 0, i)
#define BPF_EMIT_CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define BPF_EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

#include "btf_fixture.h"

static struct fx_ids id;
static int btf_fd = -1;
static int ncpus;

static int mk(enum bpf_map_type t, const char *name, uint32_t ks, uint32_t vs, uint32_t max,
	      int ktype, int vtype, int inner_fd, uint32_t flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);
	int fd;

	if (btf_fd >= 0 && vtype) {
		o.btf_fd = btf_fd;
		o.btf_key_type_id = ktype;
		o.btf_value_type_id = vtype;
	}
	if (inner_fd >= 0)
		o.inner_map_fd = inner_fd;
	fd = bpf_map_create(t, name, ks, vs, max, &o);
	if (fd < 0) {
		fprintf(stderr, "bpfmaps_helper: create %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return fd;
}

static uint32_t id_of(int fd)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);

	bpf_map_get_info_by_fd(fd, &info, &len);
	return info.id;
}

static void upd(int fd, const void *k, const void *v)
{
	if (bpf_map_update_elem(fd, k, v, 0)) {
		fprintf(stderr, "bpfmaps_helper: update: %s\n", strerror(errno));
		exit(1);
	}
}

static void show(const char *name, int fd)
{
	printf("%s %u\n", name, id_of(fd));
}

/* r1 = map; r2 = fp-16; r3 = 16; r4 = 0; call bpf_ringbuf_output, twice. */
static int ringbuf_prog(int rb_fd, int arr_fd)
{
	struct bpf_insn insns[] = {
		/* 16 bytes "record-one......" at fp-16 */
		BPF_LD_IMM64(BPF_REG_1, 0x656e6f2d64726f63ull),	/* "cord-one" */
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8),
		BPF_LD_IMM64(BPF_REG_1, 0x2d64726f63657221ull),	/* "!record-" */
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -16),
		BPF_LD_MAP_FD(BPF_REG_1, rb_fd),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -16),
		BPF_MOV64_IMM(BPF_REG_3, 16),
		BPF_MOV64_IMM(BPF_REG_4, 0),
		BPF_EMIT_CALL(BPF_FUNC_ringbuf_output),
		BPF_LD_MAP_FD(BPF_REG_1, rb_fd),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -16),
		BPF_MOV64_IMM(BPF_REG_3, 5),
		BPF_MOV64_IMM(BPF_REG_4, 0),
		BPF_EMIT_CALL(BPF_FUNC_ringbuf_output),
		/* reference the array map too (lookup of key 0) */
		BPF_ST_MEM(BPF_W, BPF_REG_10, -20, 0),
		BPF_LD_MAP_FD(BPF_REG_1, arr_fd),
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -20),
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	char log[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, po, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	LIBBPF_OPTS(bpf_test_run_opts, to);
	unsigned char pkt[64] = { 0 };
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kt_rbprog", "GPL", insns,
			       sizeof(insns) / sizeof(insns[0]), &po);

	if (fd < 0) {
		fprintf(stderr, "bpfmaps_helper: prog load: %s\n%s\n", strerror(errno), log);
		exit(1);
	}
	to.data_in = pkt;
	to.data_size_in = sizeof(pkt);
	if (bpf_prog_test_run_opts(fd, &to)) {
		fprintf(stderr, "bpfmaps_helper: test run: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static void fixture(const char *pindir)
{
	struct btf *b = fx_btf_new(&id);
	struct fx_val v;
	uint32_t k;
	uint64_t u;
	int fd, inner, inner2, rb, arr, prog;
	struct bpf_prog_info pi = { 0 };
	uint32_t pl = sizeof(pi);

	if (!b || btf__load_into_kernel(b)) {
		fprintf(stderr, "bpfmaps_helper: BTF load: %s\n", strerror(errno));
		exit(1);
	}
	btf_fd = btf__fd(b);

	arr = mk(BPF_MAP_TYPE_ARRAY, "kt_arr", 4, sizeof(v), 2, id.u32, id.val_t, -1, 0);
	for (k = 0; k < 2; k++) {
		fx_val_fill(&v, (int)k);
		upd(arr, &k, &v);
	}
	show("kt_arr", arr);

	fd = mk(BPF_MAP_TYPE_HASH, "kt_hash", 4, sizeof(v), 8, id.u32, id.val_t, -1, 0);
	for (k = 10; k <= 11; k++) {
		fx_val_fill(&v, (int)(k - 10));
		upd(fd, &k, &v);
	}
	show("kt_hash", fd);
	if (pindir) {
		char p[512];

		snprintf(p, sizeof(p), "%s/kt_hash", pindir);
		if (bpf_obj_pin(fd, p)) {
			fprintf(stderr, "bpfmaps_helper: pin %s: %s\n", p, strerror(errno));
			exit(1);
		}
		printf("pin %s\n", p);
	}

	fd = mk(BPF_MAP_TYPE_LRU_HASH, "kt_lru", 4, 8, 64, id.u32, id.u64, -1, 0);
	for (k = 1; k <= 3; k++) {
		u = k * 1000000000000ull;
		upd(fd, &k, &u);
	}
	show("kt_lru", fd);

	/* per-CPU: value_size 12 (stride 16) and 8; CPU c holds key*100 + c */
	{
		size_t stride = 16;
		unsigned char *pv = calloc((size_t)ncpus, stride);
		int pa = mk(BPF_MAP_TYPE_PERCPU_ARRAY, "kt_pcarr", 4, 12, 2, id.u32, id.triple, -1, 0);
		int ph = mk(BPF_MAP_TYPE_PERCPU_HASH, "kt_pchash", 4, 12, 8, id.u32, id.triple, -1, 0);
		int lp = mk(BPF_MAP_TYPE_LRU_PERCPU_HASH, "kt_lrupc", 4, 8, 64, id.u32, id.u64, -1, 0);

		for (k = 0; k < 2; k++) {
			for (int c = 0; c < ncpus; c++) {
				struct fx_triple t = { k * 100 + (uint32_t)c, (uint32_t)c, 7 };

				memcpy(pv + (size_t)c * stride, &t, sizeof(t));
			}
			upd(pa, &k, pv);
			upd(ph, &k, pv);
		}
		for (k = 5; k < 6; k++) {
			for (int c = 0; c < ncpus; c++) {
				uint64_t x = k * 100 + (uint64_t)c;

				memcpy(pv + (size_t)c * 8, &x, 8);
			}
			upd(lp, &k, pv);
		}
		free(pv);
		show("kt_pcarr", pa);
		show("kt_pchash", ph);
		show("kt_lrupc", lp);
	}

	/* maps of maps */
	inner = mk(BPF_MAP_TYPE_ARRAY, "kt_inner", 4, 8, 2, id.u32, id.u64, -1, 0);
	k = 1;
	u = 4242;
	upd(inner, &k, &u);
	inner2 = mk(BPF_MAP_TYPE_ARRAY, "kt_inner2", 4, 8, 2, id.u32, id.u64, -1, 0);
	show("kt_inner", inner);
	show("kt_inner2", inner2);
	fd = mk(BPF_MAP_TYPE_ARRAY_OF_MAPS, "kt_aom", 4, 4, 4, 0, 0, inner, 0);
	k = 0;
	upd(fd, &k, &inner);
	k = 2;
	upd(fd, &k, &inner2);
	show("kt_aom", fd);
	fd = mk(BPF_MAP_TYPE_HASH_OF_MAPS, "kt_hom", 4, 4, 4, 0, 0, inner, 0);
	k = 77;
	upd(fd, &k, &inner);
	show("kt_hom", fd);

	/* a .data section map: ARRAY of one value typed by its DATASEC */
	{
		struct fx_data d = { 42, "hi" };
		int dm = mk(BPF_MAP_TYPE_ARRAY, "kt.data", 4, sizeof(d), 1, 0, id.data_sec, -1, 0);

		k = 0;
		upd(dm, &k, &d);
		bpf_map_freeze(dm);
		show("kt.data", dm);
	}

	/* the ring buffer and the program writing to it */
	rb = mk(BPF_MAP_TYPE_RINGBUF, "kt_ringbuf", 0, 0, 4096, 0, 0, -1, 0);
	show("kt_ringbuf", rb);
	prog = ringbuf_prog(rb, arr);
	bpf_prog_get_info_by_fd(prog, &pi, &pl);
	printf("prog %u\n", pi.id);

	/* not dumpable, and a name shared by two maps */
	show("kt_queue", mk(BPF_MAP_TYPE_QUEUE, "kt_queue", 0, 8, 4, 0, 0, -1, 0));
	show("kt_dup", mk(BPF_MAP_TYPE_ARRAY, "kt_dup", 4, 4, 1, 0, 0, -1, 0));
	show("kt_dup", mk(BPF_MAP_TYPE_ARRAY, "kt_dup", 4, 4, 1, 0, 0, -1, 0));
}

static void big_hash(uint32_t n, uint32_t vs)
{
	uint32_t chunk = 8192;
	uint32_t *keys = malloc(chunk * 4);
	unsigned char *vals = calloc(chunk, vs);
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0), vt;
	int fd;

	if (vs == 8) {
		vt = btf__add_int(b, "unsigned long long", 8, 0);
	} else {
		int u64 = btf__add_int(b, "unsigned long long", 8, 0);

		vt = btf__add_struct(b, "big", vs);
		for (uint32_t i = 0; i < vs / 8; i++) {
			char nm[16];

			snprintf(nm, sizeof(nm), "f%u", i);
			btf__add_field(b, nm, u64, i * 64, 0);
		}
	}
	if (btf__load_into_kernel(b))
		exit(1);
	btf_fd = btf__fd(b);
	fd = mk(BPF_MAP_TYPE_HASH, "kt_big", 4, vs, n, u32, vt, -1, BPF_F_NO_PREALLOC);
	for (uint32_t base = 0; base < n; base += chunk) {
		uint32_t cnt = n - base < chunk ? n - base : chunk;
		LIBBPF_OPTS(bpf_map_batch_opts, bo);

		for (uint32_t i = 0; i < cnt; i++) {
			uint64_t x = (uint64_t)(base + i) * 2654435761u;

			keys[i] = base + i;
			memcpy(vals + (size_t)i * vs, &x, 8);
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, &bo)) {
			fprintf(stderr, "bpfmaps_helper: update_batch: %s\n", strerror(errno));
			exit(1);
		}
	}
	show("kt_big", fd);
}

static void big_array(uint32_t n, int percpu)
{
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int u64 = btf__add_int(b, "unsigned long long", 8, 0);
	size_t vb = percpu ? 8 * (size_t)ncpus : 8;
	unsigned char *v = calloc(1, vb);
	int fd;

	if (btf__load_into_kernel(b))
		exit(1);
	btf_fd = btf__fd(b);
	fd = mk(percpu ? BPF_MAP_TYPE_PERCPU_ARRAY : BPF_MAP_TYPE_ARRAY, "kt_bigarr", 4, 8, n, u32,
		u64, -1, 0);
	for (uint32_t k = 0; k < n; k++) {
		uint64_t x = k * 3ull;

		for (size_t c = 0; c < vb / 8; c++)
			memcpy(v + c * 8, &x, 8);
		upd(fd, &k, v);
	}
	show("kt_bigarr", fd);
}

int main(int argc, char **argv)
{
	char c;

	ncpus = libbpf_num_possible_cpus();
	if (argc == 4 && !strcmp(argv[1], "--big"))
		big_hash((uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "--array"))
		big_array((uint32_t)atoi(argv[2]), !strcmp(argv[3], "percpu_array"));
	else
		fixture(argc > 1 ? argv[1] : NULL);
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
