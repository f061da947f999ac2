/* SPDX-License-Identifier: MIT */
/*
 * The one sub-command mechanism (bpftool's cmd_select over { "show",
 * do_show } rows).  An applet is a table of rows; each row names its
 * handler, its own option table, its operand bounds and its help.
 *
 *	static const struct kt_option diff_opts[] = { KT_OPT_OUT, KT_OPT_END };
 *	static const struct kt_cmd cmds[] = {
 *		{ "diff", do_diff, diff_opts, "A.json [B.json]", "what differs",
 *		  diff_help, 1, 2 },
 *		{ 0 },
 *	};
 *	static const struct kt_cmdset set = { "hostctx", intro, cmds, footer };
 *	int hostctx_main(int argc, char **argv) { return kt_cmd_main(&set, argc, argv); }
 *
 *	static int do_diff(struct kt_cmdline *cl)
 *	{
 *		int c;
 *		while ((c = kt_cmd_getopt(cl)) != -1)
 *			switch (c) {
 *			case 'x': ...; break;
 *			default: return cl->rc;	// usage error (2) or --help done (0)
 *			}
 *		... cl->ops[0 .. cl->nops), cl->out.json, cl->out.path ...
 *	}
 *
 * The sub-command is the first operand (options may come before it, as in
 * "kallsyms -f T addr X": they are parsed with the chosen row's table, so an
 * option a sub-command does not take is a usage error wherever it stands).
 * "APPLET", "APPLET --help" and "APPLET help" print the applet help (the
 * rows' synopses and summaries); "APPLET help SUBCMD" and "APPLET SUBCMD
 * --help" print the row's help.  A row flagged KT_CMD_DEFAULT runs when no
 * sub-command is named (hostctx's snapshot, kmsgscx's scan).
 */
#ifndef KT_CMD_H
#define KT_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "opt.h"

/*
 * Keys of the options kt_cmd_getopt handles itself.  Applets' own
 * long-only keys are in [KT_OPT_LONG, KT_OPT_SHARED).
 */
enum {
	KT_OPT_LONG = 256,
	KT_OPT_SHARED = 0x4000,
	KT_OPT_PRETTY = KT_OPT_SHARED,
};

/* The output option rows (-j, --pretty, -o) and the terminator with --help. */
#define KT_OPT_OUT                                      \
	{"json", 'j', 0}, {"pretty", KT_OPT_PRETTY, 0}, \
	{                                               \
		"output", 'o', 1                        \
	}
#define KT_OPT_END         \
	{"help", 'h', 0},  \
	{                  \
		NULL, 0, 0 \
	}

/* The help fragment for KT_OPT_OUT, for every row that takes them. */
#define KT_HELP_OUT                                                           \
	"  -j, --json          JSON (one document; JSON Lines for streams)\n" \
	"      --pretty        indented JSON (implies -j)\n"                  \
	"  -o, --output FILE   write to FILE atomically ('-': standard output)\n"
#define KT_HELP_HELP "  -h, --help          this help\n"

/* Values of the output options; pretty implies json. */
struct kt_outopt {
	bool json;
	bool pretty;
	const char *path; /* NULL: standard output */
};

struct kt_cmdline;

enum {
	KT_CMD_DEFAULT = 1 << 0, /* runs when no sub-command is named */
};

struct kt_cmd {
	const char *name;
	int (*fn)(struct kt_cmdline *cl);
	const struct kt_option *opts; /* ends with KT_OPT_END */
	const char *args;	      /* operand synopsis ("A.json [B.json]") */
	const char *summary;	      /* one line, for the applet help */
	const char *help;	      /* option lines and details, or NULL */
	int min_ops, max_ops;	      /* max_ops < 0: no limit */
	unsigned flags;
};

struct kt_cmdset {
	const char *applet;
	const char *intro;	   /* what the applet is, before the rows */
	const struct kt_cmd *cmds; /* ends with a row whose name is NULL */
	const char *footer;	   /* exit status and notes, after the rows */
};

struct kt_cmdline {
	const struct kt_cmdset *set;
	const struct kt_cmd *cmd;
	struct kt_getopt g;
	struct kt_outopt out;
	char **ops; /* operands after the sub-command name */
	int nops;
	int rc; /* what to return after kt_cmd_getopt's '?' */
};

/*
 * Select the row and run it; returns its exit status.  Unknown
 * sub-commands and a missing one (when no row is the default) are usage
 * errors that list the sub-commands.
 */
int kt_cmd_main(const struct kt_cmdset *set, int argc, char **argv);

/*
 * Next option of the row's table, as kt_getopt; the output options and
 * --help are handled here and not returned.  Returns -1 when done, with
 * the operand count checked against the row's bounds and cl->ops/nops
 * set; '?' when the handler must return cl->rc at once (KT_EXIT_USAGE
 * after a usage error, KT_EXIT_OK after --help was printed).
 */
int kt_cmd_getopt(struct kt_cmdline *cl);

/* Print the applet help (every listed row) or one row's help to stdout. */
int kt_cmd_help(const struct kt_cmdset *set, const struct kt_cmd *cmd);

/*
 * For handlers that finished their own checks: a usage error naming the
 * sub-command ("APPLET: SUBCMD: MSG" + "Try ..."); returns KT_EXIT_USAGE.
 */
int kt_cmd_usage(const struct kt_cmdline *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
