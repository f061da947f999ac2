// SPDX-License-Identifier: MIT
/* Unit tests for lib/kallsyms: parsing, sizes, %pS resolution, lookups. */
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "tap.h"

/* Address of the first symbol NAME: 0, or -1 when there is none. */
static int addr_of(const struct kt_ksyms *t, const char *name, uint64_t *addr)
{
	struct kt_ksym s;

	if (!kt_ksyms_lookup(t, name, &s, 1))
		return -1;
	*addr = s.addr;
	return 0;
}

static struct kt_ksyms *load_fixture(const char *name)
{
	const char *top = getenv("TOP");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/fixtures/kallsyms/%s", top ? top : ".", name);
	return kt_ksyms_load(path);
}

static const char *fmt(const struct kt_ksyms *t, uint64_t addr)
{
	static char buf[KT_KSYMS_FMT_MAX];

	kt_ksyms_format(t, addr, buf, sizeof(buf));
	return buf;
}

static void test_mixed_stats(const struct kt_ksyms *t)
{
	const struct kt_ksyms_stats *st = kt_ksyms_stats(t);

	is_int(st->lines, 25, "mixed: lines");
	is_int(st->malformed, 3, "mixed: malformed lines counted");
	is_int(st->symbols, 22, "mixed: symbols");
	is_int(st->vmlinux_symbols, 11, "mixed: vmlinux symbols");
	is_int(st->bpf_symbols, 2, "mixed: bpf symbols");
	is_int(st->module_symbols, 9, "mixed: module symbols");
	is_int(st->modules, 3, "mixed: modules (mymod, __builtin__ftrace, armmod)");
	is_int(st->duplicate_names, 1, "mixed: one duplicated name");
	is_int(st->names, 20, "mixed: distinct names");
	is_int(st->types['t'], 12, "mixed: 't' count");
	is_int(st->types['A'], 2, "mixed: 'A' count");
	is_int(st->addr_digits, 16, "mixed: 64-bit addresses");
	ok(!st->hidden, "mixed: not hidden");
	ok(st->mem_bytes > 0, "mixed: memory accounted");
	is_str(kt_ksyms_module_name(t, 1), "mymod", "first module name");
	ok(kt_ksyms_module_name(t, 0) == NULL, "module 0 is vmlinux (NULL)");
}

static void test_mixed_resolve(const struct kt_ksyms *t)
{
	is_str(fmt(t, 0xffffffff81000000), "_stext+0x0/0x10", "first alias wins, +0x0");
	is_str(fmt(t, 0xffffffff81000015), "alias_b+0x5/0xf0", "first listed alias wins");
	is_str(fmt(t, 0xffffffff81000110), "schedule+0x10/0x90", "offset and size");
	is_str(fmt(t, 0xffffffff8100018f), "schedule+0x8f/0x90", "last byte of a symbol");
	is_str(fmt(t, 0xffffffff81000190), "dup_static+0x0/0x170", "duplicate name, own size");
	is_str(fmt(t, 0xffffffff81000401), "some_data+0x1/0xc00", "data symbol");
	is_str(fmt(t, 0xffffffff81001000), "__bss_stop+0x0", "last vmlinux symbol: no size");
	is_str(fmt(t, 0xffffffff81001001), "0xffffffff81001001", "past the image: unresolved");
	is_str(fmt(t, 0xffffffffbfffffff), "0xffffffffbfffffff", "gap before modules");
	is_str(fmt(t, 0x500), "fixed_percpu_data+0x500/0x1000", "percpu symbol");
	is_str(fmt(t, 0x1010), "cpu_number+0x10", "4 GiB gap is not a size");
	is_str(fmt(t, 0x1000 + KT_KSYMS_MAX_UNSIZED), "0x101000", "unsized offset cap");
	is_str(fmt(t, 0xffffffffc0000004), "mod_fn_a+0x4/0x40 [mymod]", "module symbol");
	is_str(fmt(t, 0xffffffffc0000041), "dup_static+0x1/0x40 [mymod]",
	       "module symbols listed out of order");
	is_str(fmt(t, 0xffffffffc0000090), "mod_fn_b+0x10 [mymod]",
	       "last module text symbol: size unknown (data is another region)");
	is_str(fmt(t, 0xffffffffc0001010), "bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x10",
	       "bpf: no module suffix, no size (the gap to the next program is only a bound)");
	is_str(fmt(t, 0xffffffffc00011f0), "bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x1f0",
	       "bpf: the gap still bounds the lookup");
	is_str(fmt(t, 0xffffffffc0001220), "bpf_prog_0123456789abcdef_other+0x20",
	       "last bpf symbol: size unknown");
	is_str(fmt(t, 0xffffffffc0002008), "mod_data+0x8 [mymod]", "module data");
	is_str(fmt(t, 0xffffffffc0003000), "ftrace_trampoline+0x0 [__builtin__ftrace]",
	       "pseudo module keeps its suffix");
	is_str(fmt(t, 0xffffffffc0004010), "arm_fn+0x10/0x200 [armmod]",
	       "mapping symbols never win and never bound a size");
	is_str(fmt(t, 0xffffffffc0004110), "arm_fn+0x110/0x200 [armmod]",
	       "mapping symbol inside a function is skipped");
}

static void test_backtrace(const struct kt_ksyms *t)
{
	char buf[KT_KSYMS_FMT_MAX];
	struct kt_buf b = {0};

	kt_ksyms_format_bt(t, 0xffffffff81000190, buf, sizeof(buf));
	is_str(buf, "schedule+0x90/0x90", "%%pB: return address at a function's end");
	kt_ksyms_format_bt(t, 0xffffffff81000111, buf, sizeof(buf));
	is_str(buf, "schedule+0x11/0x90", "%%pB: inside");
	kt_ksyms_format_bt(t, 0, buf, sizeof(buf));
	is_str(buf, "0x0", "%%pB: zero");
	kt_ksyms_symbolize_bt(t, "[<ffffffff81000190>]", 20, &b);
	is_str(b.p, "[<ffffffff81000190>] schedule+0x90/0x90", "symbolize_bt");
	kt_buf_free(&b);
}

static void test_mixed_lookup(const struct kt_ksyms *t)
{
	struct kt_ksym m[4];
	struct kt_ksym_res r;
	uint64_t a = 0;
	size_t n;

	n = kt_ksyms_lookup(t, "dup_static", m, 4);
	is_int(n, 3, "lookup: all duplicates");
	ok(n == 3 && m[0].addr == 0xffffffff81000190 && m[1].addr == 0xffffffff81000300 &&
		   m[2].addr == 0xffffffffc0000040,
	   "lookup: address order");
	ok(n == 3 && !m[0].module && !strcmp(m[2].module, "mymod"), "lookup: modules");
	ok(n == 3 && m[0].type == 't' && m[0].size == 0x170, "lookup: type and size");
	is_int(kt_ksyms_lookup(t, "dup_static", NULL, 0), 3, "lookup: count only");
	is_int(kt_ksyms_lookup(t, "nope", m, 4), 0, "lookup: missing name");
	is_int(kt_ksyms_lookup(t, "dup_stati", m, 4), 0, "lookup: no prefix match");
	n = kt_ksyms_lookup(t, "bpf_prog_615c6e385c3ea84d_rustland_dispatch", m, 4);
	ok(n == 1 && m[0].bpf && !strcmp(m[0].module, "bpf"), "lookup: bpf symbol");
	ok(!addr_of(t, "schedule", &a) && a == 0xffffffff81000100, "addr_of");
	ok(addr_of(t, "bad_type", &a), "malformed line not indexed");
	ok(!kt_ksyms_resolve(t, a + 3, &r) && r.off == 3 && !strcmp(r.sym.name, "schedule"),
	   "round trip name -> addr -> name");
}

static void test_sorted_order(const struct kt_ksyms *t)
{
	struct kt_ksym a, b;
	size_t i, bad = 0;

	for (i = 1; i < kt_ksyms_count(t); i++) {
		kt_ksyms_get(t, i - 1, &a);
		kt_ksyms_get(t, i, &b);
		bad += a.addr > b.addr;
	}
	is_int(bad, 0, "table sorted by address");
	ok(kt_ksyms_get(t, kt_ksyms_count(t), &a), "get past the end fails");
}

static void test_hidden(void)
{
	struct kt_ksyms *t = load_fixture("hidden.txt");
	struct kt_ksym_res r;
	struct kt_ksym m;

	ok(t && kt_ksyms_hidden(t), "hidden: all-zero table detected");
	if (!t)
		return;
	ok(kt_ksyms_resolve(t, 0, &r), "hidden: nothing resolves");
	is_str(fmt(t, 0), "0x0", "hidden: format is raw");
	ok(kt_ksyms_lookup(t, "schedule", &m, 1) == 1 && m.addr == 0, "hidden: names still listed");
	kt_ksyms_free(t);
}

static void test_ranges(void)
{
	struct kt_ksyms *t = load_fixture("text_ranges.txt");

	ok(t != NULL, "text ranges: loads");
	if (t) {
		is_str(fmt(t, 0xffffffff81000110), "schedule+0x10/0x100", "text: inside");
		is_str(fmt(t, 0xffffffff810001ff), "schedule+0xff/0x100", "text: last byte");
		is_str(fmt(t, 0xffffffff81000200), "0xffffffff81000200", "text: _etext excluded");
		is_str(fmt(t, 0xffffffff81000310), "0xffffffff81000310",
		       "text: rodata is not looked up without KALLSYMS_ALL");
		is_str(fmt(t, 0xffffffff81001010), "start_kernel+0x10/0x100", "inittext: inside");
		is_str(fmt(t, 0xffffffff81001100), "0xffffffff81001100",
		       "inittext: _einittext excluded");
		is_str(fmt(t, 0x10), "0x10", "text: percpu offsets are not symbols");
		kt_ksyms_free(t);
	}
	t = load_fixture("kallsyms_all.txt");
	ok(t != NULL, "KALLSYMS_ALL: loads");
	if (!t)
		return;
	is_str(fmt(t, 0xffffffff81000310), "some_rodata+0x10/0xd00", "all: rodata resolves");
	is_str(fmt(t, 0xffffffff81001150), "_einittext+0x50/0x100", "all: up to _end");
	is_str(fmt(t, 0xffffffff81001200), "0xffffffff81001200", "all: _end excluded");
	is_str(fmt(t, 0x10), "0x10", "all: percpu offsets are not symbols");
	kt_ksyms_free(t);
}

static void test_32bit_crlf(void)
{
	struct kt_ksyms *t = load_fixture("x86_32.txt");

	ok(t != NULL, "32-bit: loads");
	if (!t)
		return;
	is_int(kt_ksyms_stats(t)->addr_digits, 8, "32-bit: 8-digit addresses");
	is_int(kt_ksyms_stats(t)->malformed, 0, "32-bit: CRLF accepted");
	is_str(fmt(t, 0xc1000104), "start_kernel+0x4/0x80", "32-bit: resolve");
	is_str(fmt(t, 0xc1000fff), "tiny+0xe7f/0xe80", "32-bit: size to next");
	kt_ksyms_free(t);
}

static void test_edge_inputs(void)
{
	static const char nul[] = "ffffffff81000000 T a\0b\nffffffff81000010 T ok";
	static const char *bad[] = {
		"",
		"\n\n\n",
		"ffffffff81000000",
		"ffffffff81000000 T",
		"ffffffff81000000 T ",
		"ffffffff81000000 T name\t[",
		"ffffffff81000000 T name\t[]",
		"ffffffff81000000 T name\t[mod] extra",
		"10000000000000000 T too_wide",
		" ffffffff81000000 T lead",
		"ffffffff81000000 1 digit_type",
	};
	struct kt_ksyms *t;
	struct kt_ksym s;
	size_t i, ok_all = 1;
	char buf[600];

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		t = kt_ksyms_parse(bad[i], strlen(bad[i]));
		if (!t || kt_ksyms_count(t) != 0)
			ok_all = 0;
		kt_ksyms_free(t);
	}
	ok(ok_all, "malformed inputs give empty tables");
	t = kt_ksyms_parse(nul, sizeof(nul) - 1);
	ok(t && kt_ksyms_count(t) == 1 && kt_ksyms_stats(t)->malformed == 1,
	   "NUL inside a line is malformed; unterminated last line parses");
	kt_ksyms_free(t);
	t = kt_ksyms_parse("ffffffff81000000 T x\t[m]  \n", 26);
	ok(t && kt_ksyms_count(t) == 1, "trailing blanks after module");
	kt_ksyms_free(t);
	memset(buf, 'n', sizeof(buf));
	memcpy(buf, "ffffffff81000000 t ", 19);
	t = kt_ksyms_parse(buf, 19 + KT_KSYMS_NAME_MAX);
	ok(t && kt_ksyms_count(t) == 1 && !kt_ksyms_get(t, 0, &s) &&
		   strlen(s.name) == KT_KSYMS_NAME_MAX,
	   "longest name (KSYM_NAME_LEN - 1) kept whole");
	kt_ksyms_free(t);
	t = kt_ksyms_parse(buf, 19 + KT_KSYMS_NAME_MAX + 1);
	ok(t && kt_ksyms_count(t) == 0 && kt_ksyms_stats(t)->malformed == 1,
	   "longer names are malformed");
	kt_ksyms_free(t);
}

static void test_unsorted_large(void)
{
	struct kt_buf b = {0};
	struct kt_ksyms *t;
	char want[64];
	int i, good = 0;

	/* descending addresses, every other one duplicated as an alias */
	for (i = 1000; i > 0; i--) {
		kt_buf_printf(&b, "%016llx t f%d\n", 0xffffffff80000000ULL + (unsigned)i * 16, i);
		if (i % 2)
			kt_buf_printf(&b, "%016llx t g%d\n",
				      0xffffffff80000000ULL + (unsigned)i * 16, i);
	}
	t = kt_ksyms_parse(b.p, b.len);
	ok(t && kt_ksyms_count(t) == 1500, "unsorted: all parsed");
	for (i = 1; t && i < 1000; i++) {
		snprintf(want, sizeof(want), "f%d+0x3/0x10", i);
		good += !strcmp(fmt(t, 0xffffffff80000000ULL + (unsigned)i * 16 + 3), want);
	}
	is_int(good, 999, "unsorted: stable sort keeps first alias");
	kt_ksyms_free(t);
	kt_buf_free(&b);
}

static void test_symbolize(const struct kt_ksyms *t)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{" [<ffffffff81000110>] x", " [<ffffffff81000110>] schedule+0x10/0x90 x"},
		{"RIP: 0xffffffff81000110 at", "RIP: 0xffffffff81000110 schedule+0x10/0x90 at"},
		{"pc ffffffff81000110,", "pc ffffffff81000110 schedule+0x10/0x90,"},
		{"[<ffffffff81000110>] schedule+0x10/0x90",
		 "[<ffffffff81000110>] schedule+0x10/0x90"},
		{"[<ffffffff81000110>] ? schedule+0x10/0x90",
		 "[<ffffffff81000110>] ? schedule+0x10/0x90"},
		{"no addr 81000110 ffffffff8100011", "no addr 81000110 ffffffff8100011"},
		{"past ffffffffbfffffff end", "past ffffffffbfffffff end"},
		{"two ffffffff81000000 ffffffffc0001010",
		 "two ffffffff81000000 _stext+0x0/0x10 ffffffffc0001010 "
		 "bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x10"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct kt_buf b = {0};

		kt_ksyms_symbolize(t, cases[i].in, strlen(cases[i].in), &b);
		is_str(b.p ? b.p : "", cases[i].out, "symbolize: %s", cases[i].in);
		kt_buf_free(&b);
	}
}

/* exact sizes from bpf() prog info (kt_ksyms_bpf_sizes feeds this) */
static void test_bpf_exact_size(void)
{
	struct kt_ksyms *t = load_fixture("mixed.txt");
	struct kt_ksym s;

	if (!ok(t != NULL, "fixture for exact bpf sizes"))
		return;
	is_int(kt_ksyms_set_bpf_size(t, 0xffffffffc0001000, 0x1df), 1, "set one bpf size");
	is_int(kt_ksyms_set_bpf_size(t, 0xffffffffc0000000, 0x10), 0,
	       "a module symbol is not a bpf program: untouched");
	is_int(kt_ksyms_set_bpf_size(t, 0xffffffffc0001001, 0x10), 0, "no symbol at that address");
	is_str(fmt(t, 0xffffffffc0001010), "bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x10/0x1df",
	       "exact size printed as the kernel does");
	is_str(fmt(t, 0xffffffffc00011df), "0xffffffffc00011df",
	       "past the end of the JITed program: unresolved");
	is_str(fmt(t, 0xffffffffc0000004), "mod_fn_a+0x4/0x40 [mymod]", "modules unaffected");
	ok(kt_ksyms_lookup(t, "bpf_prog_615c6e385c3ea84d_rustland_dispatch", &s, 1) == 1 &&
		   s.size == 0x1df,
	   "lookup reports the exact size");
	kt_ksyms_free(t);
}

int main(void)
{
	struct kt_ksyms *t = load_fixture("mixed.txt");

	ok(t != NULL, "mixed fixture loads");
	if (t) {
		test_mixed_stats(t);
		test_mixed_resolve(t);
		test_mixed_lookup(t);
		test_backtrace(t);
		test_sorted_order(t);
		test_symbolize(t);
		kt_ksyms_free(t);
	}
	test_hidden();
	test_ranges();
	test_32bit_crlf();
	test_edge_inputs();
	test_unsorted_large();
	test_bpf_exact_size();
	ok(kt_ksyms_load("/nonexistent/kallsyms") == NULL, "missing file: NULL");
	return tap_done();
}
