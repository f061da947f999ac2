// SPDX-License-Identifier: MIT
/*
 * libFuzzer: the kallsyms parser plus every query, with invariants.  Kept
 * fast (was ~1,400 execs/s on 12 KB seeds): inputs are cut at 4 KiB (a
 * table's rules show in a few lines; size is the bench's business), the
 * per-symbol queries stop at 256 symbols and symbolize reads the first
 * 1 KiB, so an execution costs what the input holds, bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

#define check(c) do { if (!(c)) abort(); } while (0)
#define MAX_INPUT 4096
#define MAX_QUERIED 256
#define MAX_SYMBOLIZED 1024

static void query_all(const struct kt_ksyms *t, const uint8_t *data, size_t size)
{
	char buf[KT_KSYMS_FMT_MAX];
	struct kt_ksym s, prev = { 0 };
	struct kt_ksym_res r;
	size_t i, n = kt_ksyms_count(t);

	if (n > MAX_QUERIED)
		n = MAX_QUERIED;
	for (i = 0; i < n; i++) {
		check(!kt_ksyms_get(t, i, &s));
		check(!i || prev.addr <= s.addr);
		check(kt_ksyms_lookup(t, s.name, NULL, 0) >= 1);
		if (!kt_ksyms_resolve(t, s.addr, &r)) {
			check(r.sym.addr <= s.addr && s.addr - r.sym.addr == r.off);
			check(!r.sym.size || r.off < r.sym.size);
		}
		check(kt_ksyms_format(t, s.addr + 1, buf, sizeof(buf)) < (int)sizeof(buf));
		kt_ksyms_format_bt(t, s.addr, buf, sizeof(buf));
		prev = s;
	}
	for (i = 0; i + 8 <= size && i < 64 * 8; i += 8) {
		uint64_t a;

		memcpy(&a, data + i, 8);
		if (!kt_ksyms_resolve(t, a, &r))
			check(r.sym.addr <= a && a - r.sym.addr == r.off);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ksyms *t;
	const struct kt_ksyms_stats *st;
	struct kt_buf b = { 0 };
	size_t sn;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	t = kt_ksyms_parse((const char *)data, size);
	if (!t)
		return 0;
	st = kt_ksyms_stats(t);
	check(st->symbols + st->malformed == st->lines);
	check(st->vmlinux_symbols + st->module_symbols + st->bpf_symbols == st->symbols);
	query_all(t, data, size);
	sn = size < MAX_SYMBOLIZED ? size : MAX_SYMBOLIZED;
	kt_ksyms_symbolize(t, (const char *)data, sn, &b);
	kt_buf_reset(&b);
	kt_ksyms_symbolize_bt(t, (const char *)data, sn, &b);
	kt_buf_free(&b);
	kt_ksyms_free(t);
	return 0;
}
