// SPDX-License-Identifier: MIT
/* kallsyms: kernel symbol table: look up, resolve, symbolize, stats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "cmd.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "kallsyms.h"
#include "out.h"
#include "text.h"

static const char intro[] =
	"The kernel symbol table (/proc/kallsyms or a saved copy).  NAME or ADDR\n"
	"'-' alone reads them from standard input, one per line.\n";

#define HELP_FILE                                                               \
	"  -f, --file TABLE    symbol table to read (default /proc/kallsyms;\n" \
	"                      '-' for stdin)\n"
#define HELP_BT                                                                      \
	"  -b, --backtrace     the addresses are return addresses (stack traces):\n" \
	"                      resolve like the kernel's %pB, looking up ADDR-1\n"   \
	"                      (\"f+0x70/0x70\" for a call ending f)\n"

static const char lookup_help[] =
	"Prints address, type, size and module of every symbol NAME (static\n"
	"functions may have many).\n\n" HELP_FILE KT_HELP_OUT KT_HELP_HELP;

static const char addr_help[] =
	"Prints one line per address, in order: the address and its %pS form,\n"
	"name+0xOFF/0xSIZE [module] (ADDR is hex, with or without 0x, or\n"
	"[<...>]; unresolved ones print as 0x...).\n\n" HELP_FILE HELP_BT KT_HELP_OUT KT_HELP_HELP;

static const char symbolize_help[] =
	"Copies text (standard input or FILEs) annotating every kernel address\n"
	"([<ffffffff...>], 0xffff..., bare hex of the table's width) with its\n"
	"%pS form.  -j: JSON Lines, one per annotated line.  Lines longer than\n"
	"64 KiB are annotated in their first 64 KiB, the rest copied unchanged\n"
	"(said once on stderr).\n\n" HELP_FILE HELP_BT KT_HELP_OUT KT_HELP_HELP;

static const char stats_help[] =
	"Prints symbols, modules, BPF programs, types, and whether addresses are\n"
	"hidden.\n\n" HELP_FILE KT_HELP_OUT KT_HELP_HELP;

static const char footer[] =
	"Sizes are the distance to the next higher address of the same region\n"
	"(vmlinux; each module's text and data; [bpf]); the last symbol of a\n"
	"region has none.  BPF programs print without a module, as in the kernel.\n"
	"vmlinux addresses the kernel would not look up (outside _stext.._etext\n"
	"and the init text, or _stext.._end with CONFIG_KALLSYMS_ALL) print raw.\n"
	"\n"
	"A saved table with malformed lines (or over-long names) is used with a\n"
	"warning on stderr giving their count; a table over 64 MiB is refused.\n"
	"Control characters in human output are printed as \\xNN.\n"
	"\n"
	"Exit status: 0 ok; 1 runtime failure: unreadable or empty table, hidden\n"
	"addresses (every address zero: not CAP_SYSLOG, or kptr_restrict = 2) for\n"
	"lookup, addr and symbolize, or a NAME not found / ADDR not resolved (the\n"
	"rest is still printed); 2 usage error.\n";

#define OPT_ROW_FILE           \
	{                      \
		"file", 'f', 1 \
	}
#define OPT_ROW_BT                  \
	{                           \
		"backtrace", 'b', 0 \
	}
static const struct kt_option plain_opts[] = {OPT_ROW_FILE, KT_OPT_OUT, KT_OPT_END};
static const struct kt_option bt_opts[] = {OPT_ROW_FILE, OPT_ROW_BT, KT_OPT_OUT, KT_OPT_END};

struct ctx {
	struct kt_outopt out;
	const char *table;
	bool backtrace;
	char **ops; /* command operands */
	int nops;
	char *stdin_ops; /* buffer behind ops when read from stdin */
	char **stdin_vec;
	struct kt_ksyms *t;
	FILE *fp;
	struct jw w;
	int width; /* address digits */
};

static int lookup_one(struct ctx *c, const char *name)
{
	size_t n = kt_ksyms_lookup(c->t, name, NULL, 0), i;
	struct kt_ksym *m = calloc(n ? n : 1, sizeof(*m));

	if (!m)
		return -1;
	kt_ksyms_lookup(c->t, name, m, n);
	if (c->out.json) {
		jw_obj_open(&c->w);
		jw_kstr(&c->w, "query", name);
		jw_key(&c->w, "matches");
		jw_arr_open(&c->w);
		for (i = 0; i < n; i++) {
			jw_obj_open(&c->w);
			kt_ksym_json(&c->w, &m[i]);
			jw_obj_close(&c->w);
		}
		jw_arr_close(&c->w);
		jw_obj_close(&c->w);
	} else {
		for (i = 0; i < n; i++)
			kt_ksym_print(c->fp, &m[i], c->width);
	}
	if (!n)
		kt_errx("%s: no such symbol", name);
	free(m);
	return n ? 0 : 1;
}

static int run_lookup(struct ctx *c)
{
	int i, missing = 0, r;

	if (c->out.json)
		jw_arr_open(&c->w);
	for (i = 0; i < c->nops; i++) {
		r = lookup_one(c, c->ops[i]);
		if (r < 0)
			return kt_errx("out of memory");
		missing |= r;
	}
	if (c->out.json)
		jw_arr_close(&c->w);
	return missing;
}

static void addr_one(struct ctx *c, uint64_t addr, int *missing)
{
	char text[KT_KSYMS_FMT_MAX];
	struct kt_ksym_res r;
	int found;

	memset(&r, 0, sizeof(r));
	found = !(c->backtrace ? kt_ksyms_resolve_bt : kt_ksyms_resolve)(c->t, addr, &r);
	if (found)
		kt_ksym_res_format(&r, text, sizeof(text));
	else /* the lib owns the rule for unresolved addresses (%pB's with -b) */
		(c->backtrace ? kt_ksyms_format_bt : kt_ksyms_format)(c->t, addr, text,
								      sizeof(text));
	*missing |= !found;
	if (c->out.json) {
		kt_ksym_res_json(&c->w, addr, text, found ? &r : NULL);
		return;
	}
	kt_put_addr(c->fp, addr, c->width);
	putc(' ', c->fp);
	kt_fputs_esc(c->fp, text);
	putc('\n', c->fp);
}

static int run_addr(struct ctx *c)
{
	uint64_t *v = calloc((size_t)c->nops + 1, sizeof(*v));
	int i, missing = 0;

	if (!v)
		return kt_errx("out of memory");
	for (i = 0; i < c->nops; i++)
		if (kt_ksym_parse_addr(c->ops[i], &v[i])) {
			free(v);
			return kt_usage_err("invalid address '%s'", c->ops[i]);
		}
	if (c->out.json)
		jw_arr_open(&c->w);
	for (i = 0; i < c->nops; i++)
		addr_one(c, v[i], &missing);
	if (c->out.json)
		jw_arr_close(&c->w);
	free(v);
	return missing;
}

static void symbolize_json(struct ctx *c, unsigned long lineno, const struct kt_buf *b)
{
	struct jw w;

	jw_init_file(&w, c->fp, c->out.pretty);
	jw_obj_open(&w);
	jw_ku64(&w, "line", lineno);
	jw_key(&w, "text");
	jw_strn(&w, b->p, b->len);
	jw_obj_close(&w);
	jw_newline(&w);
}

/*
 * One line of IN into LINE (at most SYMBOLIZE_LINE_MAX bytes, newline
 * excluded): its length, -1 at the end.  *NL says whether it ended in a
 * newline, *CUT whether the cap cut it (the rest is still in IN).
 */
#define SYMBOLIZE_LINE_MAX (64 * 1024)

static ssize_t read_line(FILE *in, char *line, bool *nl, bool *cut)
{
	size_t n = 0;
	int ch;

	*nl = *cut = false;
	while (n < SYMBOLIZE_LINE_MAX && (ch = getc_unlocked(in)) != EOF) {
		if (ch == '\n') {
			*nl = true;
			return (ssize_t)n;
		}
		line[n++] = (char)ch;
	}
	if (n == SYMBOLIZE_LINE_MAX) {
		ch = getc_unlocked(in);
		if (ch == '\n')
			*nl = true;
		else if (ch != EOF)
			*cut = true, ungetc(ch, in);
		return (ssize_t)n;
	}
	return n ? (ssize_t)n : -1;
}

/* The rest of a cut line, copied through unchanged (not with -j). */
static void pass_rest(struct ctx *c, FILE *in)
{
	int ch;

	while ((ch = getc_unlocked(in)) != EOF) {
		if (!c->out.json)
			putc_unlocked(ch, c->fp);
		if (ch == '\n')
			break;
	}
}

static int symbolize_stream(struct ctx *c, FILE *in)
{
	struct kt_buf b = {0};
	unsigned long lineno = 0;
	char *line = malloc(SYMBOLIZE_LINE_MAX);
	static bool warned;
	bool nl, cut;
	ssize_t n;

	if (!line)
		return -1;
	while ((n = read_line(in, line, &nl, &cut)) >= 0) {
		size_t k;

		lineno++;
		kt_buf_reset(&b);
		k = (c->backtrace ? kt_ksyms_symbolize_bt : kt_ksyms_symbolize)(c->t, line,
										(size_t)n, &b);
		if (cut && !warned) {
			warned = true;
			kt_warn("line %lu is longer than %d KiB: the rest of such lines is passed "
				"through unsymbolized",
				lineno, SYMBOLIZE_LINE_MAX / 1024);
		}
		if (c->out.json) {
			if (k)
				symbolize_json(c, lineno, &b);
		} else {
			fwrite(b.p ? b.p : "", 1, b.len, c->fp);
		}
		if (cut)
			pass_rest(c, in);
		else if (nl && !c->out.json)
			fputc('\n', c->fp);
	}
	free(line);
	kt_buf_free(&b);
	return ferror(in) ? -1 : 0;
}

static int run_symbolize(struct ctx *c)
{
	int i, rc = 0;

	if (c->table && !strcmp(c->table, "-") &&
	    (!c->nops || (c->nops == 1 && !strcmp(c->ops[0], "-"))))
		return kt_usage_err("symbolize: stdin holds the table; give the text as FILE");
	if (!c->nops)
		return symbolize_stream(c, stdin) ? kt_err("read error on standard input") : 0;
	for (i = 0; i < c->nops; i++) {
		const char *p = c->ops[i];
		FILE *in = strcmp(p, "-") ? fopen(p, "r") : stdin;

		if (!in) {
			rc = kt_err("cannot open '%s'", p);
			continue;
		}
		if (symbolize_stream(c, in))
			rc = kt_err("read error on '%s'", p);
		if (in != stdin)
			fclose(in);
	}
	return rc;
}

static int run_stats(struct ctx *c)
{
	if (c->out.json)
		kt_ksyms_stats_json(&c->w, kt_ksyms_stats(c->t));
	else
		kt_ksyms_stats_human(c->fp, kt_ksyms_stats(c->t));
	return 0;
}

/* Commands that need real addresses refuse hidden or empty tables. */
static int check_usable(const struct ctx *c)
{
	const struct kt_ksyms_stats *st = kt_ksyms_stats(c->t);
	const char *src = c->table ? c->table : KT_KALLSYMS_PATH;

	if (!st->symbols)
		return kt_errx("%s: no symbols (%zu malformed lines)", src, st->malformed);
	if (st->hidden)
		return kt_errx("%s: addresses are hidden (all zero): the kernel shows them only "
			       "to CAP_SYSLOG (root) when kernel.kptr_restrict <= 1, or to anyone "
			       "when kptr_restrict = 0 and perf_event_paranoid <= 1",
			       src);
	return 0;
}

/* "-" as the only operand: operands are the lines of stdin. */
static int read_operands(struct ctx *c)
{
	size_t len, n = 0, cap = 0;
	char *p, *line, **v = NULL, **nv;

	if (c->table && !strcmp(c->table, "-"))
		return kt_usage_err("stdin cannot hold both the table and the operands");
	c->stdin_ops = kt_read_arg("-", KT_KSYMS_MAX_FILE, &len);
	if (!c->stdin_ops)
		return kt_err("cannot read standard input");
	for (p = c->stdin_ops; (line = strsep(&p, "\n"));) {
		line = kt_trim(line);
		if (!*line)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return kt_errx("out of memory");
			}
			v = nv;
		}
		v[n++] = line;
	}
	c->stdin_vec = v;
	c->ops = v;
	c->nops = (int)n;
	return 0;
}

/*
 * The shape of every sub-command: parse, load the table, open the sink,
 * run FN.  NEED_ADDR: refuse hidden or empty tables.  STDIN_OPS: "-"
 * alone reads the operands from standard input.
 */
static int run(struct kt_cmdline *cl, int (*fn)(struct ctx *), bool need_addr, bool stdin_ops,
	       bool json_lines)
{
	struct ctx c = {0};
	struct kt_out o;
	int rc, k;

	while ((k = kt_cmd_getopt(cl)) != -1) {
		switch (k) {
		case 'f':
			c.table = cl->g.arg;
			break;
		case 'b':
			c.backtrace = true;
			break;
		default:
			return cl->rc;
		}
	}
	c.out = cl->out;
	c.ops = cl->ops;
	c.nops = cl->nops;
	if (stdin_ops && c.nops == 1 && !strcmp(c.ops[0], "-") && (rc = read_operands(&c)))
		goto out;
	c.t = kt_ksyms_load(c.table);
	if (!c.t) {
		rc = kt_ksyms_load_err(c.table ? c.table : KT_KALLSYMS_PATH);
		goto out;
	}
	/* an empty table of a command that needs addresses fails below */
	if (!need_addr || kt_ksyms_stats(c.t)->symbols)
		kt_ksyms_warn_quality(c.t, c.table ? c.table : KT_KALLSYMS_PATH);
	c.width = kt_ksyms_stats(c.t)->addr_digits ? (int)kt_ksyms_stats(c.t)->addr_digits : 16;
	if (need_addr && (rc = check_usable(&c)))
		goto out;
	if (kt_out_open(&o, c.out.path)) {
		rc = KT_EXIT_FAIL;
		goto out;
	}
	c.fp = o.fp;
	jw_init_file(&c.w, o.fp, c.out.pretty);
	rc = fn(&c);
	if (c.out.json && !json_lines)
		jw_newline(&c.w);
	if (rc > KT_EXIT_FAIL)
		kt_out_close(&o, 0);
	else if (kt_out_close(&o, 1))
		rc = KT_EXIT_FAIL;
out:
	kt_ksyms_free(c.t);
	free(c.stdin_vec);
	free(c.stdin_ops);
	return rc;
}

static int do_lookup(struct kt_cmdline *cl)
{
	return run(cl, run_lookup, true, true, false);
}

static int do_addr(struct kt_cmdline *cl)
{
	return run(cl, run_addr, true, true, false);
}

static int do_symbolize(struct kt_cmdline *cl)
{
	return run(cl, run_symbolize, true, false, true);
}

static int do_stats(struct kt_cmdline *cl)
{
	return run(cl, run_stats, false, false, false);
}

static const struct kt_cmd cmds[] = {
	{"lookup", do_lookup, plain_opts, "NAME...", "every symbol of a name", lookup_help, 1, -1,
	 0},
	{"addr", do_addr, bt_opts, "ADDR...", "resolve addresses as %pS (or %pB) prints them",
	 addr_help, 1, -1, 0},
	{"symbolize", do_symbolize, bt_opts, "[FILE...]",
	 "annotate every kernel address in a text (stack dumps)", symbolize_help, 0, -1, 0},
	{"stats", do_stats, plain_opts, "", "symbols, modules, BPF programs, hidden or not",
	 stats_help, 0, 0, 0},
	{0},
};

static const struct kt_cmdset set = {"kallsyms", intro, cmds, footer};

int kallsyms_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
