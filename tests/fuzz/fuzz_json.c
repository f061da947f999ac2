// SPDX-License-Identifier: MIT
/* JSON writer escaping: any bytes in, always valid UTF-8 JSON string out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* tiny validator: the escaped text must be valid UTF-8 with no raw
 * control characters, quote or backslash except as escapes */
static int valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == '"')
			return 0;
		if (s[i] == '\\') {
			if (++i >= n || !strchr("\"\\/bfnrtu", s[i]))
				return 0;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_buf b = { 0 };
	struct jw w;

	jw_escape(&b, (const char *)data, size);
	if (b.p && !valid((const unsigned char *)b.p, b.len))
		abort();
	kt_buf_reset(&b);
	jw_init_buf(&w, &b, size & 1);
	jw_obj_open(&w);
	jw_key(&w, "k");
	jw_strn(&w, (const char *)data, size);
	jw_obj_close(&w);
	kt_buf_free(&b);
	return 0;
}
