// SPDX-License-Identifier: MIT
/*
 * The timeline capture-file reader: any bytes give either an error with a
 * message or a file whose record section lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_file f;

	if (tl_file_parse(data, size, &f)) {
		if (!f.err[0])
			abort();
		tl_file_close(&f);
		return 0;
	}
	if (f.records < data || f.records + f.nrecords * TL_RECORD_SIZE + f.tail > data + size)
		abort();
	if (!f.cut && f.tail)
		abort();
	for (uint32_t i = 0; i < f.lost_ncpus; i++)
		(void)f.lost[i];
	if (strnlen(f.hdr.release, 65) > 64)
		abort();
	tl_file_close(&f);
	return 0;
}
