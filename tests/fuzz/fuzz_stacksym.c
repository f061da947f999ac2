// SPDX-License-Identifier: MIT
/* libFuzzer: %pS token and address token extraction, with invariants. */
#include <stdlib.h>

#include "stacksym.h"

#define check(c) do { if (!(c)) abort(); } while (0)

static void symbols(const char *s, size_t len)
{
	struct kt_stacksym sym;
	size_t pos = 0, last = 0;

	while (kt_stacksym_next(s, len, &pos, &sym)) {
		const char *tag, *prog;
		size_t pl;

		check(sym.start >= last && sym.start < sym.end && sym.end <= len && pos == sym.end);
		check(sym.name == s + sym.start && sym.name_len > 0);
		check(!sym.module || (sym.module > sym.name && sym.module + sym.module_len <= s + len));
		if (kt_stacksym_bpf_prog(sym.name, sym.name_len, &tag, &prog, &pl))
			check(prog + pl == sym.name + sym.name_len);
		last = sym.end;
	}
	check(pos == len);
}

static void addresses(const char *s, size_t len)
{
	struct kt_addrtok tok;
	size_t pos = 0, last = 0;

	while (kt_addrtok_next(s, len, &pos, &tok)) {
		check(tok.start >= last && tok.start < tok.end && tok.end <= len);
		check(tok.digits >= 8 && tok.digits <= 16 && pos == tok.end);
		last = tok.end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_stacksym out[4];
	size_t n = kt_stacksym_extract((const char *)data, size, out, 4);

	(void)n;
	symbols((const char *)data, size);
	addresses((const char *)data, size);
	return 0;
}
