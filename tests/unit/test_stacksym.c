// SPDX-License-Identifier: MIT
/* Unit tests for lib/stacksym: %pS tokens and address tokens in a line. */
#include <string.h>

#include "stacksym.h"
#include "tap.h"

/* "name off size [module] ?" rendering of every token, for comparisons. */
static const char *render(const char *line)
{
	static char out[1024];
	struct kt_stacksym s[8];
	size_t n = kt_stacksym_extract(line, strlen(line), s, 8), i, o = 0;

	out[0] = '\0';
	for (i = 0; i < n && i < 8; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s%.*s %llx %llx%s%.*s%s",
				      i ? "|" : "", s[i].unreliable ? "? " : "", (int)s[i].name_len,
				      s[i].name, (unsigned long long)s[i].off,
				      (unsigned long long)s[i].size, s[i].module ? " " : "",
				      (int)s[i].module_len, s[i].module ? s[i].module : "", "");
	return out;
}

static void test_tokens(void)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{"  dump_stack_lvl+0x5d/0x80", "dump_stack_lvl 5d 80"},
		{"   scx_bpf_error_bstr+0x0/0xe0 [scx_mod]", "scx_bpf_error_bstr 0 e0 scx_mod"},
		{"  bpf_prog_615c6e385c3ea84d_rustland_dispatch+0x184/0x1df",
		 "bpf_prog_615c6e385c3ea84d_rustland_dispatch 184 1df"},
		{"RIP: 0010:link_path_walk.part.0.constprop.0+0x97/0x690",
		 "link_path_walk.part.0.constprop.0 97 690"},
		{" ? foo+0x1/0x2", "? foo 1 2"},
		{"foo+0x1/0x2 [mod 0123abcdef] rest", "foo 1 2 mod"},
		{"a+0x1/0x2 b+0x3/0x4 [m]", "a 1 2|b 3 4 m"},
		{"x (a+0x1/0x2) y", "a 1 2"},
		{"f+0x10/0x20 (kernel/sched/ext.c:123)", "f 10 20"},
		{"F+0XAB/0XCD", "F ab cd"},
		{"f+0x1/0x2 [unclosed", "f 1 2"},
		{"f+0x1/0x2 []", "f 1 2"},
		{"f+0x1/0x2\t[m]", "f 1 2"},
		{"foo+0x1", ""},
		{"foo+0x/0x2", ""},
		{"+0x1/0x2", ""},
		{"foo+0x1/0x2zz", ""},
		{"foo+0x1/0x", ""},
		{"foo+0x12345678901234567/0x2", ""},
		{"foo+0x1/0x12345678901234567", ""},
		{"foo+0xffffffffffffffff/0x1", "foo ffffffffffffffff 1"},
		{"++0x1/0x2 a+++0x1/0x2", ""},
		{"", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		is_str(render(cases[i].line), cases[i].want, "token: '%s'", cases[i].line);
}

static void test_spans(void)
{
	const char *l = "  x ? foo+0x1/0x2 [m] tail";
	struct kt_stacksym s;
	size_t pos = 0;

	ok(kt_stacksym_next(l, strlen(l), &pos, &s), "next finds a token");
	is_int(s.start, 6, "span start");
	is_int(s.end, 21, "span end includes the module");
	is_int(pos, 21, "pos after the token");
	ok(!kt_stacksym_next(l, strlen(l), &pos, &s), "no second token");
	is_int(kt_stacksym_extract(l, 8, &s, 1), 0, "length bound respected");
}

static void test_bpf_prog(void)
{
	const char *n = "bpf_prog_615c6e385c3ea84d_rustland_dispatch", *tag, *prog;
	size_t pl;

	ok(kt_stacksym_bpf_prog(n, strlen(n), &tag, &prog, &pl) &&
		   !strncmp(tag, "615c6e385c3ea84d", 16) && pl == 17 &&
		   !strncmp(prog, "rustland_dispatch", pl),
	   "bpf prog split");
	ok(!kt_stacksym_bpf_prog("bpf_prog_615c6e385c3ea8_x", 25, &tag, &prog, &pl),
	   "short tag rejected");
	ok(!kt_stacksym_bpf_prog("bpf__sched_ext_ops_select_cpu", 29, &tag, &prog, &pl),
	   "struct_ops trampoline is not a prog");
	n = "bpf_prog_zz5c6e385c3ea84d_x";
	ok(!kt_stacksym_bpf_prog(n, strlen(n), &tag, &prog, &pl), "non-hex tag rejected");
}

static const char *addrs(const char *line)
{
	static char out[512];
	struct kt_addrtok t;
	size_t pos = 0, o = 0;

	out[0] = '\0';
	while (kt_addrtok_next(line, strlen(line), &pos, &t))
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%llx@%zu-%zu/%d", o ? " " : "",
				      (unsigned long long)t.addr, t.start, t.end, t.digits);
	return out;
}

static void test_addr_tokens(void)
{
	is_str(addrs("[<ffffffff81000110>] foo"), "ffffffff81000110@0-20/16", "bracketed");
	is_str(addrs("ip 0xffffffff81000110,"), "ffffffff81000110@3-21/16", "0x form");
	is_str(addrs("x=ffffffff81000110 y"), "ffffffff81000110@2-18/16", "bare");
	is_str(addrs("c1000104"), "c1000104@0-8/8", "32-bit bare");
	is_str(addrs("[<0xffffffff81000110>]"), "ffffffff81000110@0-22/16", "bracketed 0x");
	is_str(addrs("gffffffff81000110 ffffffff81000110g 1234567"), "", "not delimited / short");
	is_str(addrs("12345678901234567"), "", "17 digits");
	is_str(addrs("[<ffffffff81000110"), "ffffffff81000110@2-18/16", "unclosed bracket: bare");
	is_str(addrs("f+0xffffffff81000110/0xffffffff"), "", "inside a pS token");
	is_str(addrs("a 00000000deadbeef b ffffffffc0001010"),
	       "deadbeef@2-18/16 ffffffffc0001010@21-37/16", "two addresses");
}

int main(void)
{
	test_tokens();
	test_spans();
	test_bpf_prog();
	test_addr_tokens();
	return tap_done();
}
