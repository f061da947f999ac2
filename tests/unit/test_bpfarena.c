// SPDX-License-Identifier: MIT
/* The /proc/PID/maps line matcher behind the arena reader; where the globals are. */
#include <string.h>

#include "bpfarena.h"
#include "tap.h"

#define L(s) s, sizeof(s) - 1

/* an ld_imm64 of V at I (two instruction slots) */
static void ldimm(unsigned char *p, size_t i, uint64_t v)
{
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

	memset(p + 8 * i, 0, 16);
	p[8 * i] = 0x18;
	p[8 * i + 1] = 0x02;
	memcpy(p + 8 * i + 4, &lo, 4);
	memcpy(p + 8 * i + 12, &hi, 4);
}

static void test_globals(void)
{
	const uint64_t A = 16 * 4096, S = 40, base = 0x7f0000000000ull;
	unsigned char ins[8 * 8] = {0};
	uint64_t o[4], start[] = {0, 8, 24}, end[] = {61440, 61448}, mixed[] = {8, 61448};

	is_int((int)kt_arena_globals_end(A, S, 4096), 61440, "end: the last page for 40 bytes");
	is_int((int)kt_arena_globals_end(A, 4097, 4096), 57344, "end: two pages for 4097 bytes");
	is_int((int)kt_arena_globals_end(A, A, 4096), 0, "end: a full arena: offset 0");
	is_int((int)kt_arena_globals_end(4096, 8192, 4096), 0, "end: does not fit: 0");
	is_int(kt_arena_globals_place(A, S, 4096, start, 3), KT_ARENA_G_START,
	       "place: loads within [0, size): the start");
	is_int(kt_arena_globals_place(A, S, 4096, end, 2), KT_ARENA_G_END,
	       "place: loads within [end, end + size): the end");
	is_int(kt_arena_globals_place(A, S, 4096, mixed, 2), KT_ARENA_G_UNKNOWN,
	       "place: loads fitting neither: unknown");
	is_int(kt_arena_globals_place(A, S, 4096, NULL, 0), KT_ARENA_G_UNKNOWN,
	       "place: no loads: unknown");
	is_int(kt_arena_globals_place(4096, S, 4096, NULL, 0), KT_ARENA_G_START,
	       "place: a one-page arena: start and end agree");
	/* overlapping: 3 pages, 5000 bytes; end at 4096: a load at 4100 fits both */
	is_int(kt_arena_globals_place(3 * 4096, 5000, 4096, (uint64_t[]){4100}, 1),
	       KT_ARENA_G_UNKNOWN, "place: a load both placements explain: unknown");
	is_int(kt_arena_globals_place(3 * 4096, 5000, 4096, (uint64_t[]){4100, 10}, 2),
	       KT_ARENA_G_START, "place: ... and one only the start explains: the start");

	ldimm(ins, 0, base + 61440);
	ins[16] = 0xb7;		 /* mov: not an ld_imm64 */
	ldimm(ins, 3, base + A); /* one past the arena */
	ldimm(ins, 5, base + 61448);
	is_int((int)kt_arena_insn_offsets(ins, 8, base, A, o, 4), 2,
	       "insns: two ld_imm64 inside the arena");
	ok(o[0] == 61440 && o[1] == 61448, "insns: their arena offsets");
	is_int((int)kt_arena_insn_offsets(ins, 8, base, A, o, 1), 2,
	       "insns: counted beyond MAX, stored up to it");
	is_int((int)kt_arena_insn_offsets(ins, 8, 0, A, o, 4), 0,
	       "insns: user_vm_start unknown (0): nothing");
	is_int((int)kt_arena_insn_offsets(ins, 6, base, A, o, 4), 1,
	       "insns: an ld_imm64 cut at the end is not read");
}

int main(void)
{
	uint64_t a = 0, b = 0;

	ok(kt_arena_maps_line(L("7f536dc74000-7f536dc84000 rw-s 00000000 00:0f 1066 "
				"                     anon_inode:bpf-map"),
			      &a, &b) &&
		   a == 0x7f536dc74000 && b == 0x7f536dc84000,
	   "a bpf-map mapping: start and end");
	ok(kt_arena_maps_line(L("1000-2000 r--s 00000000 00:0f 1 anon_inode:bpf-map\n"), &a, &b),
	   "trailing newline");
	ok(!kt_arena_maps_line(L("1000-2000 rw-p 00000000 00:00 0 [heap]"), &a, &b),
	   "another mapping");
	ok(!kt_arena_maps_line(L("1000-2000 rw-p 00000000 08:01 5 /tmp/anon_inode:bpf-map.x"), &a,
			       &b),
	   "a file whose name merely contains the tag");
	ok(!kt_arena_maps_line(L("1000-2000 rw-p 00000000 08:01 5 /tmp/xanon_inode:bpf-map"), &a,
			       &b),
	   "a file name ending in the tag");
	ok(!kt_arena_maps_line(L("2000-1000 rw-s 0 0 0 anon_inode:bpf-map"), &a, &b),
	   "end before start");
	ok(!kt_arena_maps_line(L("zz-1000 rw-s 0 0 0 anon_inode:bpf-map"), &a, &b), "not hex");
	ok(!kt_arena_maps_line(L(""), &a, &b), "empty line");
	ok(!kt_arena_maps_line(L("11111111111111111-2 anon_inode:bpf-map"), &a, &b),
	   "more than 16 digits");
	test_globals();
	return tap_done();
}
