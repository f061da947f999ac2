// SPDX-License-Identifier: MIT
/* The /proc/PID/maps line matcher behind the arena reader. */
#include "bpfarena.h"
#include "tap.h"

#define L(s) s, sizeof(s) - 1

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
	return tap_done();
}
