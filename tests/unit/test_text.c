// SPDX-License-Identifier: MIT
/* Text helpers: the terminal escape (buffer and stream give the same bytes). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"
#include "tap.h"

/* S (N bytes) through both escapes: the buffer's text, and whether the
 * stream wrote the same bytes */
static char *esc_both(const char *s, size_t n, bool *same)
{
	struct kt_buf b = {0};
	char *m = NULL;
	size_t ml = 0;
	FILE *fp = open_memstream(&m, &ml);

	kt_buf_put_esc(&b, s, n);
	kt_buf_putc(&b, 0);
	kt_fput_esc(fp, s, n);
	fclose(fp);
	*same = ml == b.len - 1 && !memcmp(m, b.p, ml);
	free(m);
	return b.p;
}

int main(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{"", 0, ""},
		{"plain text", 10, "plain text"},
		{"a\nFAKE: x", 9, "a\\x0aFAKE: x"},
		{"\x1b[2J", 4, "\\x1b[2J"},
		{"end\x7f", 4, "end\\x7f"},
		{"\x01\x02", 2, "\\x01\\x02"},
		{"nul\0in", 6, "nul\\x00in"},
		{"caf\xc3\xa9", 5, "caf\xc3\xa9"}, /* UTF-8 passes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool same;
		char *got = esc_both(cases[i].in, cases[i].n, &same);

		is_str(got, cases[i].out, "escape case %zu", i);
		ok(same, "case %zu: the stream writes the same bytes", i);
		free(got);
	}
	return tap_done();
}
