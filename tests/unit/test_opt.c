// SPDX-License-Identifier: MIT
/* The option parser: bundles, attached/detached args, long forms, permutation. */
#include "err.h"
#include "opt.h"
#include "tap.h"

static const struct kt_option opts[] = {
	{"json", 'j', 0},  {"pretty", 'p', 0},	  {"output", 'o', 1},
	{"count", 'n', 1}, {"since-seq", 256, 1}, {NULL, 0, 0},
};

/* run the parser; record options as "j,p,o=F,…;operands" */
static const char *run(int argc, char **argv)
{
	static char res[256];
	struct kt_getopt g;
	int c;

	res[0] = '\0';
	kt_getopt_init(&g, argc, argv);
	while ((c = kt_getopt(&g, opts)) != -1) {
		char one[64];

		if (c == '?')
			return "ERR";
		snprintf(one, sizeof(one), c >= 256 ? "L%d" : "%c", c);
		strcat(res, one);
		if (g.arg) {
			strcat(res, "=");
			strcat(res, g.arg);
		}
		strcat(res, ",");
	}
	strcat(res, ";");
	for (int i = 0; i < kt_noperands(&g); i++) {
		strcat(res, kt_operands(&g)[i]);
		strcat(res, " ");
	}
	return res;
}

#define RUN(...)                                    \
	({                                          \
		char *v_[] = {"prog", __VA_ARGS__}; \
		run(sizeof(v_) / sizeof(*v_), v_);  \
	})

int main(void)
{
	unsigned long long u;
	double d;

	/* the parser's own usage errors are expected here: keep TAP output clean */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	is_str(RUN("-j"), "j,;", "short flag");
	is_str(RUN("-jp"), "j,p,;", "bundled flags");
	is_str(RUN("-jofile"), "j,o=file,;", "bundle ending in attached argument");
	is_str(RUN("-o", "f"), "o=f,;", "detached argument");
	is_str(RUN("--output=f"), "o=f,;", "--long=value");
	is_str(RUN("--output", "f"), "o=f,;", "--long value");
	is_str(RUN("--since-seq", "5"), "L256=5,;", "long-only option");
	is_str(RUN("a", "-j", "b"), "j,;a b ", "options after operands (permutation)");
	is_str(RUN("-j", "--", "-p", "x"), "j,;-p x ", "-- ends options");
	is_str(RUN("-"), ";- ", "lone - is an operand");
	is_str(RUN("-x"), "ERR", "unknown short option");
	is_str(RUN("--nope"), "ERR", "unknown long option");
	is_str(RUN("-o"), "ERR", "missing argument");
	is_str(RUN("--json=1"), "ERR", "argument to a flag");
	is_str(RUN("--jso"), "ERR", "no abbreviations");

	ok(!kt_parse_u64("42", &u) && u == 42, "u64 42");
	ok(!kt_parse_u64("0x10", &u) && u == 16, "u64 hex");
	ok(!kt_parse_u64("010", &u) && u == 10, "u64 010 is decimal ten, not octal");
	ok(!kt_parse_u64("08", &u) && u == 8, "u64 08 accepted as decimal");
	ok(kt_parse_u64("0x", &u), "u64 rejects bare 0x");
	ok(kt_parse_u64("0x-1", &u), "u64 rejects 0x-1");
	ok(kt_parse_u64("-1", &u), "u64 rejects minus");
	ok(kt_parse_u64(" 1", &u), "u64 rejects leading space");
	ok(kt_parse_u64("1x", &u), "u64 rejects trailing junk");
	ok(kt_parse_u64("99999999999999999999", &u), "u64 rejects overflow");
	ok(kt_parse_u64("", &u), "u64 rejects empty");
	ok(!kt_parse_double("0.5", &d) && d == 0.5, "double 0.5");
	ok(kt_parse_double("nan", &d), "double rejects nan");
	ok(kt_parse_double("-1", &d), "double rejects negative");
	ok(kt_parse_double("0x10", &d), "double rejects hex (strtod would read 16)");
	ok(!kt_parse_seconds("1.5", &d) && d == 1.5, "seconds: bare number");
	ok(!kt_parse_seconds("500ms", &d) && d == 0.5, "seconds: ms");
	ok(!kt_parse_seconds("2m", &d) && d == 120, "seconds: m");
	ok(!kt_parse_seconds("1h", &d) && d == 3600, "seconds: h");
	ok(!kt_parse_seconds("3s", &d) && d == 3, "seconds: s");
	ok(kt_parse_seconds("0x10", &d), "seconds: no hex");
	ok(kt_parse_seconds("ms", &d), "seconds: a unit alone");
	ok(kt_parse_seconds("1d", &d), "seconds: unknown unit");
	return tap_done();
}
