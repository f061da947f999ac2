// SPDX-License-Identifier: MIT
/* /proc/cpuinfo identity parser: any bytes; values are trimmed, non-empty UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"

static void check(const char *v)
{
	size_t n;

	if (!v)
		return;
	if (!*v || !hc_utf8_valid(v, strlen(v)) || hc_trim(v, strlen(v), &n) != v ||
	    n != strlen(v))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *m, *v;

	hc_parse_cpuinfo((const char *)data, size, &m, &v);
	check(m);
	check(v);
	free(m);
	free(v);
	(void)hc_cpuinfo_block_done((const char *)data, size);
	return 0;
}
