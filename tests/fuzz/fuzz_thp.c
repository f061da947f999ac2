// SPDX-License-Identifier: MIT
/* THP bracket scan: the token lies between the first '[' and the next ']'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	const char *t;
	size_t n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	t = hc_thp_active(s, &n);
	if (t && (t[-1] != '[' || t[n] != ']' || memchr(t, ']', n) ||
		  strchr(s, '[') != t - 1))
		abort();
	if (!t && strchr(s, '[') && strchr(strchr(s, '['), ']'))
		abort();
	free(s);
	return 0;
}
