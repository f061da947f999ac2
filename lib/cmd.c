// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"

static const struct kt_cmd *find_cmd(const struct kt_cmdset *set, const char *name)
{
	for (const struct kt_cmd *c = set->cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const struct kt_cmd *default_cmd(const struct kt_cmdset *set)
{
	for (const struct kt_cmd *c = set->cmds; c->name; c++)
		if (c->flags & KT_CMD_DEFAULT)
			return c;
	return NULL;
}

/* The option row named by long name N (len L) or short key K in any row. */
static const struct kt_option *any_opt(const struct kt_cmdset *set, const char *n, size_t l, int k)
{
	for (const struct kt_cmd *c = set->cmds; c->name; c++)
		for (const struct kt_option *o = c->opts; o && (o->name || o->key); o++)
			if (n ? o->name && strlen(o->name) == l && !memcmp(o->name, n, l)
			      : o->key == k)
				return o;
	return NULL;
}

/* Does option token S ("-xyz", "--name") consume the next argument? */
static bool takes_next(const struct kt_cmdset *set, const char *s)
{
	const struct kt_option *o;

	if (s[1] == '-')
		return !strchr(s, '=') && (o = any_opt(set, s + 2, strlen(s + 2), 0)) && o->has_arg;
	for (s++; *s; s++) {
		o = any_opt(set, NULL, 0, (unsigned char)*s);
		if (o && o->has_arg)
			return !s[1]; /* "-oFILE" carries its value */
	}
	return false;
}

/*
 * Index of the first operand of argv[1..argc) (the sub-command name), or
 * 0.  Options are skipped with their arguments, as any row would take them.
 */
static int find_operand(const struct kt_cmdset *set, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			return i + 1 < argc ? i + 1 : 0;
		if (a[0] != '-' || !a[1])
			return i;
		if (takes_next(set, a))
			i++;
	}
	return 0;
}

static void synopsis(FILE *fp, const struct kt_cmdset *set, const struct kt_cmd *c,
		     const char *lead)
{
	bool has_opts = c->opts && c->opts[0].key != 'h';

	fprintf(fp, "%s%s", lead, set->applet);
	if (!(c->flags & KT_CMD_DEFAULT) || !strcmp(lead, ""))
		fprintf(fp, " %s", c->name);
	if (c->args && *c->args)
		fprintf(fp, " %s", c->args);
	fprintf(fp, "%s\n", has_opts ? " [OPTIONS]" : "");
}

int kt_cmd_help(const struct kt_cmdset *set, const struct kt_cmd *cmd)
{
	const struct kt_cmd *c, *def = default_cmd(set);
	const char *lead = "usage: ";
	size_t w = 4;

	if (cmd && !(cmd->flags & KT_CMD_DEFAULT)) {
		synopsis(stdout, set, cmd, lead);
		if (cmd->help)
			printf("\n%s", cmd->help);
		else
			printf("\n%s.\n", cmd->summary);
		return KT_EXIT_OK;
	}
	for (c = set->cmds; c->name; c++) {
		synopsis(stdout, set, c, lead);
		lead = "       ";
		if (strlen(c->name) > w)
			w = strlen(c->name);
	}
	printf("       %s help [COMMAND]\n\n%s", set->applet, set->intro);
	printf("\nCommands:\n");
	for (c = set->cmds; c->name; c++)
		printf("  %-*s  %s%s\n", (int)w, c->name, c->summary,
		       c->flags & KT_CMD_DEFAULT ? " (the default)" : "");
	printf("  %-*s  this help, or a command's\n", (int)w, "help");
	if (def && def->help)
		printf("\nOptions of %s %s:\n%s", set->applet, def->name, def->help);
	printf("\nRun '%s COMMAND --help' for a command's options.\n", set->applet);
	if (set->footer)
		printf("\n%s", set->footer);
	return KT_EXIT_OK;
}

static char hint[128];

int kt_cmd_usage(const struct kt_cmdline *cl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cl->cmd->flags & KT_CMD_DEFAULT)
		return kt_usage_err("%s", msg);
	return kt_usage_err("%s: %s", cl->cmd->name, msg);
}

static int check_operands(struct kt_cmdline *cl)
{
	const struct kt_cmd *c = cl->cmd;

	cl->ops = kt_operands(&cl->g);
	cl->nops = kt_noperands(&cl->g);
	if (cl->nops < c->min_ops)
		return kt_cmd_usage(cl,
				    cl->nops ? "too few operands (expected %s)"
					     : "missing operand (expected %s)",
				    c->args ? c->args : "more");
	if (c->max_ops >= 0 && cl->nops > c->max_ops) {
		if (!c->max_ops)
			return kt_cmd_usage(cl, "unexpected argument '%s'", cl->ops[0]);
		return kt_cmd_usage(cl, "too many operands (expected %s)", c->args);
	}
	return 0;
}

int kt_cmd_getopt(struct kt_cmdline *cl)
{
	for (;;) {
		int k = kt_getopt(&cl->g, cl->cmd->opts);

		switch (k) {
		case -1:
			cl->rc = check_operands(cl);
			return cl->rc ? '?' : -1;
		case '?':
			cl->rc = KT_EXIT_USAGE;
			return '?';
		case 'h':
			cl->rc = kt_cmd_help(cl->set, cl->cmd);
			return '?';
		case 'j':
			cl->out.json = true;
			break;
		case KT_OPT_PRETTY:
			cl->out.json = cl->out.pretty = true;
			break;
		case 'o':
			if (!*cl->g.arg) {
				cl->rc =
					kt_cmd_usage(cl, "option '%s': empty file name", cl->g.opt);
				return '?';
			}
			cl->out.path = strcmp(cl->g.arg, "-") ? cl->g.arg : NULL;
			break;
		default:
			return k;
		}
	}
}

static int run(const struct kt_cmdset *set, const struct kt_cmd *c, int argc, char **argv)
{
	struct kt_cmdline cl = {.set = set, .cmd = c};

	if (!(c->flags & KT_CMD_DEFAULT)) {
		snprintf(hint, sizeof(hint), "%s %s", set->applet, c->name);
		kt_help_hint = hint;
	}
	kt_getopt_init(&cl.g, argc, argv);
	return c->fn(&cl);
}

static int help_cmd(const struct kt_cmdset *set, int argc, char **argv)
{
	const struct kt_cmd *c;

	if (argc < 2)
		return kt_cmd_help(set, NULL);
	if (argc > 2)
		return kt_usage_err("help: too many operands");
	c = find_cmd(set, argv[1]);
	if (!c)
		return kt_usage_err("help: unknown command '%s'", argv[1]);
	return kt_cmd_help(set, c);
}

static void list_cmds(const struct kt_cmdset *set)
{
	const char *sep = "";

	fprintf(stderr, "%s: commands:", kt_prog);
	for (const struct kt_cmd *c = set->cmds; c->name; c++) {
		fprintf(stderr, "%s %s", sep, c->name);
		sep = ",";
	}
	fputc('\n', stderr);
}

int kt_cmd_main(const struct kt_cmdset *set, int argc, char **argv)
{
	const struct kt_cmd *c, *def = default_cmd(set);
	int i = find_operand(set, argc, argv);

	if (!i) {
		if (def)
			return run(set, def, argc, argv);
		if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
			return kt_cmd_help(set, NULL);
		kt_usage_err("missing command");
		list_cmds(set);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return help_cmd(set, argc - i, argv + i);
	c = find_cmd(set, argv[i]);
	if (!c) {
		if (def && def->max_ops) /* the default takes operands */
			return run(set, def, argc, argv);
		kt_usage_err("unknown command '%s'", argv[i]);
		list_cmds(set);
		return KT_EXIT_USAGE;
	}
	/* drop the name: the row sees its options and operands only */
	memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof(*argv));
	argv[argc - 1] = NULL;
	return run(set, c, argc - 1, argv);
}
