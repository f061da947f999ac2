// SPDX-License-Identifier: MIT
/* /proc/meminfo parser: any bytes, never a crash; presence bits only for
 * the four fields. */
#include <stdint.h>
#include <stdlib.h>

#include "hostctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_meminfo m;

	hc_parse_meminfo((const char *)data, size, &m);
	if (m.has & ~(unsigned)(HC_TOTAL_MEMORY | HC_HP_TOTAL | HC_HP_FREE | HC_HP_SIZE))
		abort();
	return 0;
}
