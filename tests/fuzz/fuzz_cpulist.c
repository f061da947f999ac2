// SPDX-License-Identifier: MIT
/* CPU list parser: on success the ids are strictly ascending and bounded. */
#include <stdint.h>
#include <stdlib.h>

#include "hostctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t *v;
	size_t n;

	if (hc_parse_cpulist((const char *)data, size, &v, &n))
		return 0;
	if (!n || n > HC_MAX_CPUS)
		abort();
	for (size_t i = 0; i < n; i++)
		if (v[i] >= HC_MAX_CPUS || (i && v[i] <= v[i - 1]))
			abort();
	free(v);
	return 0;
}
