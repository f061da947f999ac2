// SPDX-License-Identifier: MIT
/* The arena reader's /proc/PID/maps line matcher, and the instruction scan
 * for the globals' placement, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bpfarena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t a, b, offs[8], start = 0x10000, len = 0x4000;
	size_t n;

	if (kt_arena_maps_line((const char *)data, size, &a, &b) && b <= a)
		__builtin_trap();	/* a match is always a non-empty range */
	n = kt_arena_insn_offsets(data, size / 8, start, len, offs, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		if (offs[i] >= len)
			__builtin_trap();	/* every offset is inside the arena */
	if (n > size / 16)
		__builtin_trap();	/* one per ld_imm64 at most */
	if (size >= 24) {
		memcpy(&a, data, 8);
		memcpy(&b, data + 8, 8);
		kt_arena_globals_place(a, b, 4096, offs, n < 8 ? n : 8);
		kt_arena_globals_end(a, b, 4096);
	}
	return 0;
}
