// SPDX-License-Identifier: MIT
/*
 * dmesg / journal / raw line prefixes: every input is one physical line;
 * the text must stay inside it, the time stamp be sane, and a joined
 * record split land inside the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_line l;
	char *buf = malloc(size + 1);
	size_t j;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (kmsg_parse_line(NULL, buf, size, &l)) {
		if (l.text < buf || l.text + l.len > buf + size)
			abort();
		if (l.level < -1 || l.level > 7 || l.src < KMSG_SRC_UNKNOWN ||
		    l.src > KMSG_SRC_USER)
			abort();
		j = kmsg_joined_split(l.text, l.len);
		if (j > l.len || (j < l.len && l.text[j] != '['))
			abort();
	}
	free(buf);
	return 0;
}
