// SPDX-License-Identifier: MIT
/* The sub-command table: selection, per-row options, operand bounds, help. */
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "tap.h"

static char trace[256];

static int handler(struct kt_cmdline *cl)
{
	int c;

	while ((c = kt_cmd_getopt(cl)) != -1) {
		switch (c) {
		case 'x':
			strcat(trace, "x=");
			strcat(trace, cl->g.arg);
			strcat(trace, ",");
			break;
		case 'b':
			strcat(trace, "b,");
			break;
		default:
			return cl->rc;
		}
	}
	strcat(trace, cl->cmd->name);
	strcat(trace, cl->out.json ? ":json" : "");
	strcat(trace, cl->out.pretty ? ":pretty" : "");
	if (cl->out.path) {
		strcat(trace, ":o=");
		strcat(trace, cl->out.path);
	}
	for (int i = 0; i < cl->nops; i++) {
		strcat(trace, " ");
		strcat(trace, cl->ops[i]);
	}
	return 0;
}

static const struct kt_option one_opts[] = {{"extra", 'x', 1}, KT_OPT_OUT, KT_OPT_END};
static const struct kt_option two_opts[] = {{NULL, 'b', 0}, KT_OPT_END};

static const struct kt_cmd cmds[] = {
	{"one", handler, one_opts, "A [B]", "first", "help of one\n", 1, 2, 0},
	{"two", handler, two_opts, "", "second", NULL, 0, 0, 0},
	{0},
};
static const struct kt_cmdset set = {"app", "intro\n", cmds, NULL};

static const struct kt_cmd dcmds[] = {
	{"snap", handler, one_opts, "", "default", NULL, 0, 0, KT_CMD_DEFAULT},
	{"other", handler, two_opts, "", "other", NULL, 0, 0, 0},
	{0},
};
static const struct kt_cmdset dset = {"dapp", "intro\n", dcmds, NULL};

/* Run with stdout and stderr discarded; "rc;trace". */
static const char *run(const struct kt_cmdset *s, int argc, char **argv)
{
	static char res[300];
	int out = dup(1), rc;

	fflush(stdout);
	if (!freopen("/dev/null", "w", stdout))
		return "freopen";
	trace[0] = 0;
	rc = kt_cmd_main(s, argc, argv);
	fflush(stdout);
	dup2(out, 1);
	close(out);
	snprintf(res, sizeof(res), "%d;%s", rc, trace);
	return res;
}

#define RUN(s, ...)                                   \
	({                                            \
		char *v_[] = {"app", __VA_ARGS__};    \
		run(s, sizeof(v_) / sizeof(*v_), v_); \
	})

int main(void)
{
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	kt_prog = "app";
	is_str(RUN(&set, "one", "a"), "0;one a", "sub-command with one operand");
	is_str(RUN(&set, "one", "a", "b", "-j"), "0;one:json a b", "options after operands");
	is_str(RUN(&set, "-x", "v", "one", "a"), "0;x=v,one a",
	       "an option before the sub-command, its argument not taken for the name");
	is_str(RUN(&set, "-xv", "one", "a"), "0;x=v,one a", "attached argument before the name");
	is_str(RUN(&set, "--extra=two", "one", "a"), "0;x=two,one a",
	       "--opt=VALUE before the name");
	is_str(RUN(&set, "one", "--pretty", "-o", "f", "a"), "0;one:json:pretty:o=f a",
	       "--pretty implies -j; -o handled by the table");
	is_str(RUN(&set, "one", "-o", "-", "a"), "0;one a", "-o - is standard output");
	is_str(RUN(&set, "one", "-o", "", "a"), "2;", "-o '' is a usage error");
	is_str(RUN(&set, "one"), "2;", "too few operands");
	is_str(RUN(&set, "one", "a", "b", "c"), "2;", "too many operands");
	is_str(RUN(&set, "two", "-b"), "0;b,two", "the second row's own option");
	is_str(RUN(&set, "two", "-j"), "2;", "an option the row does not take: usage error");
	is_str(RUN(&set, "two", "x"), "2;", "an operand the row does not take: usage error");
	is_str(RUN(&set, "three"), "2;", "unknown sub-command");
	is_str(RUN(&set), "2;", "missing sub-command");
	is_str(RUN(&set, "--help"), "0;", "--help alone: the applet help");
	is_str(RUN(&set, "help"), "0;", "help: the applet help");
	is_str(RUN(&set, "help", "one"), "0;", "help COMMAND");
	is_str(RUN(&set, "help", "nope"), "2;", "help of an unknown command");
	is_str(RUN(&set, "one", "--help"), "0;", "COMMAND --help");
	is_str(RUN(&dset), "0;snap", "no sub-command: the default row");
	is_str(RUN(&dset, "-j"), "0;snap:json", "options only: the default row");
	is_str(RUN(&dset, "snap", "-j"), "0;snap:json", "the default row by name");
	is_str(RUN(&dset, "other", "-b"), "0;b,other", "another row next to a default");
	is_str(RUN(&dset, "bogus"), "2;", "an operand that names no row");
	is_str(RUN(&dset, "-b"), "2;", "an option of another row: usage error on the default");
	return tap_done();
}
