// SPDX-License-Identifier: MIT
/* The arena reader's /proc/PID/maps line matcher on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "bpfarena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t a, b;

	if (kt_arena_maps_line((const char *)data, size, &a, &b) && b <= a)
		__builtin_trap();	/* a match is always a non-empty range */
	return 0;
}
