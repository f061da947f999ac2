// SPDX-License-Identifier: MIT
/*
 * /dev/kmsg record parser: header fields, \xNN unescaping in place and
 * dictionary lines.  The input is split into lines and fed in order, as
 * records followed by their " KEY=value" lines arrive from the device.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

static void check_line(struct kmsg_ctx *ctx, char *s, size_t n)
{
	struct kmsg_line l;
	long off = kmsg_parse_record_header(s, n, &l);

	if (off > (long)n)
		abort();
	if (off >= 0 && (l.level < 0 || l.level > 7 || !l.has_seq || !l.has_ts))
		abort();
	if (!kmsg_parse_line(ctx, s, n, &l))
		return;
	if (l.text < s || l.text + l.len > s + n)
		abort();
	if (l.len && (l.text[l.len - 1] == ' ' || l.text[l.len - 1] == '\r'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_ctx ctx = {0};
	char *buf = malloc(size + 1);
	size_t i = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	while (i <= size) {
		char *nl = memchr(buf + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - buf) - i : size - i;

		check_line(&ctx, buf + i, n);
		i += n + 1;
	}
	/* unescaping alone never grows the text */
	memcpy(buf, data, size);
	if (kmsg_unescape(buf, size) > size)
		abort();
	free(buf);
	return 0;
}
