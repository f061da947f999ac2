// SPDX-License-Identifier: MIT
/* kallsyms: kernel symbol table: look up, resolve, symbolize, stats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "out.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "kallsyms.h"
#include "opt.h"

static const char help[] =
"usage: kallsyms [-f TABLE] [-b] [-j [--pretty]] [-o FILE] COMMAND [ARG...]\n"
"\n"
"The kernel symbol table (/proc/kallsyms or a saved copy).\n"
"\n"
"  lookup NAME...      address, type, size and module of every symbol NAME\n"
"                      (static functions may have many)\n"
"  addr ADDR...        one line per address, in order: the address and its\n"
"                      %pS form, name+0xOFF/0xSIZE [module] (ADDR is hex,\n"
"                      with or without 0x; unresolved ones print as 0x...)\n"
"  symbolize [FILE...] copy text (stdin or FILEs) annotating every kernel\n"
"                      address ([<ffffffff...>], 0xffff..., bare hex of the\n"
"                      table's width) with its %pS form\n"
"  stats               symbols, modules, BPF programs, types, hidden or not\n"
"\n"
"  NAME or ADDR '-' alone reads them from stdin, one per line.\n"
"\n"
"  -f, --file TABLE    symbol table to read (default /proc/kallsyms;\n"
"                      '-' for stdin)\n"
"  -b, --backtrace     addr, symbolize: the addresses are return addresses\n"
"                      (stack traces): resolve like the kernel's %pB,\n"
"                      looking up ADDR-1 (\"f+0x70/0x70\" for a call ending f)\n"
"  -j, --json          JSON (symbolize: JSON Lines, one per annotated line)\n"
"      --pretty        indented JSON (implies -j)\n"
"  -o, --output FILE   write to FILE atomically\n"
"  -h, --help          this help\n"
"\n"
"Sizes are the distance to the next higher address of the same region\n"
"(vmlinux; each module's text and data; [bpf]); the last symbol of a\n"
"region has none.  BPF programs print without a module, as in the kernel.\n"
"vmlinux addresses the kernel would not look up (outside _stext.._etext\n"
"and the init text, or _stext.._end with CONFIG_KALLSYMS_ALL) print raw.\n"
"\n"
"Exit status: 0 ok; 1 runtime failure: unreadable or empty table, hidden\n"
"addresses (every address zero: not CAP_SYSLOG, or kptr_restrict = 2) for\n"
"lookup, addr and symbolize, or a NAME not found / ADDR not resolved (the rest is still\n"
"printed); 2 usage error.\n";

enum { OPT_PRETTY = 256 };

static const struct kt_option opts[] = {
	{ "file", 'f', 1 },
	{ "backtrace", 'b', 0 },
	{ "json", 'j', 0 },
	{ "pretty", OPT_PRETTY, 0 },
	{ "output", 'o', 1 },
	{ "help", 'h', 0 },
	{ 0 },
};

struct args {
	char *stdin_ops;	/* buffer behind ops when read from stdin */
	const char *table;
	const char *output;
	int json;
	int pretty;
	int backtrace;
	char **ops;		/* command arguments */
	int nops;
};

struct ctx {
	const struct args *a;
	struct kt_ksyms *t;
	FILE *fp;
	struct jw w;
	int width;		/* address digits */
};

static void jw_khex(struct jw *w, const char *k, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	jw_kstr(w, k, b);
}

static void json_sym(struct jw *w, const struct kt_ksym *s)
{
	char type[2] = { s->type, 0 };

	jw_kstr(w, "name", s->name);
	jw_khex(w, "address", s->addr);
	jw_kstr(w, "type", type);
	if (s->size)
		jw_ku64(w, "size", s->size);
	if (s->module)
		jw_kstr(w, "module", s->module);
	if (s->bpf)
		jw_kbool(w, "bpf", true);
}

/* V as at least WIDTH hex digits (stdio's printf is the cost of big outputs). */
static void put_addr(FILE *fp, uint64_t v, int width)
{
	char d[16];
	int i;

	while (width < 16 && v >> (4 * width))
		width++;
	for (i = 15; i >= 0; i--, v >>= 4)
		d[i] = "0123456789abcdef"[v & 15];
	fwrite(d + 16 - width, 1, (size_t)width, fp);
}

static void print_sym(struct ctx *c, const struct kt_ksym *s)
{
	put_addr(c->fp, s->addr, c->width);
	putc(' ', c->fp);
	putc(s->type, c->fp);
	putc(' ', c->fp);
	fputs(s->name, c->fp);
	if (s->module) {
		fputs(" [", c->fp);
		fputs(s->module, c->fp);
		putc(']', c->fp);
	}
	if (s->size)
		fprintf(c->fp, " size 0x%llx", (unsigned long long)s->size);
	putc('\n', c->fp);
}

static int lookup_one(struct ctx *c, const char *name)
{
	size_t n = kt_ksyms_lookup(c->t, name, NULL, 0), i;
	struct kt_ksym *m = calloc(n ? n : 1, sizeof(*m));

	if (!m)
		return -1;
	kt_ksyms_lookup(c->t, name, m, n);
	if (c->a->json) {
		jw_obj_open(&c->w);
		jw_kstr(&c->w, "query", name);
		jw_key(&c->w, "matches");
		jw_arr_open(&c->w);
		for (i = 0; i < n; i++) {
			jw_obj_open(&c->w);
			json_sym(&c->w, &m[i]);
			jw_obj_close(&c->w);
		}
		jw_arr_close(&c->w);
		jw_obj_close(&c->w);
	} else {
		for (i = 0; i < n; i++)
			print_sym(c, &m[i]);
	}
	if (!n)
		kt_errx("%s: no such symbol", name);
	free(m);
	return n ? 0 : 1;
}

static int cmd_lookup(struct ctx *c)
{
	int i, missing = 0, r;

	if (c->a->json)
		jw_arr_open(&c->w);
	for (i = 0; i < c->a->nops; i++) {
		r = lookup_one(c, c->a->ops[i]);
		if (r < 0)
			return kt_errx("out of memory");
		missing |= r;
	}
	if (c->a->json)
		jw_arr_close(&c->w);
	return missing;
}

/* Hex address, "0x" optional, "[<...>]" tolerated. */
static int parse_addr(const char *s, uint64_t *out)
{
	char buf[40], *e;
	size_t n = strlen(s);

	if (n >= 4 && s[0] == '[' && s[1] == '<' && s[n - 2] == '>' && s[n - 1] == ']') {
		if (n - 4 >= sizeof(buf))
			return -1;
		memcpy(buf, s + 2, n - 4);
		buf[n - 4] = '\0';
		s = buf;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s || strlen(s) > 16 || strspn(s, "0123456789abcdefABCDEF") != strlen(s))
		return -1;
	errno = 0;
	*out = strtoull(s, &e, 16);
	return errno || *e ? -1 : 0;
}

static void addr_one(struct ctx *c, uint64_t addr, int *missing)
{
	char text[KT_KSYMS_FMT_MAX];
	struct kt_ksym_res r;
	int found;

	memset(&r, 0, sizeof(r));
	found = !(c->a->backtrace ? kt_ksyms_resolve_bt : kt_ksyms_resolve)(c->t, addr, &r);

	if (found)
		kt_ksym_res_format(&r, text, sizeof(text));
	else	/* the lib owns the rule for unresolved addresses */
		kt_ksyms_format(c->t, addr, text, sizeof(text));
	*missing |= !found;
	if (!c->a->json) {
		put_addr(c->fp, addr, c->width);
		putc(' ', c->fp);
		fputs(text, c->fp);
		putc('\n', c->fp);
		return;
	}
	jw_obj_open(&c->w);
	jw_khex(&c->w, "address", addr);
	jw_kstr(&c->w, "text", text);
	if (found) {
		jw_key(&c->w, "symbol");
		jw_obj_open(&c->w);
		json_sym(&c->w, &r.sym);
		jw_obj_close(&c->w);
		jw_ku64(&c->w, "offset", r.off);
	}
	jw_obj_close(&c->w);
}

static int cmd_addr(struct ctx *c)
{
	uint64_t *v = calloc((size_t)c->a->nops + 1, sizeof(*v));
	int i, missing = 0;

	if (!v)
		return kt_errx("out of memory");
	for (i = 0; i < c->a->nops; i++)
		if (parse_addr(c->a->ops[i], &v[i])) {
			free(v);
			return kt_usage_err("invalid address '%s'", c->a->ops[i]);
		}
	if (c->a->json)
		jw_arr_open(&c->w);
	for (i = 0; i < c->a->nops; i++)
		addr_one(c, v[i], &missing);
	if (c->a->json)
		jw_arr_close(&c->w);
	free(v);
	return missing;
}

static void symbolize_json(struct ctx *c, unsigned long lineno, const struct kt_buf *b)
{
	struct jw w;

	jw_init_file(&w, c->fp, c->a->pretty);
	jw_obj_open(&w);
	jw_ku64(&w, "line", lineno);
	jw_key(&w, "text");
	jw_strn(&w, b->p, b->len);
	jw_obj_close(&w);
	jw_newline(&w);
}

static int symbolize_stream(struct ctx *c, FILE *in)
{
	struct kt_buf b = { 0 };
	unsigned long lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, in)) > 0) {
		size_t len = (size_t)n, k;
		int nl = line[len - 1] == '\n';

		lineno++;
		kt_buf_reset(&b);
		k = (c->a->backtrace ? kt_ksyms_symbolize_bt : kt_ksyms_symbolize)(
			c->t, line, len - (size_t)nl, &b);
		if (c->a->json) {
			if (k)
				symbolize_json(c, lineno, &b);
			continue;
		}
		fwrite(b.p ? b.p : "", 1, b.len, c->fp);
		if (nl)
			fputc('\n', c->fp);
	}
	free(line);
	kt_buf_free(&b);
	return ferror(in) ? -1 : 0;
}

static int cmd_symbolize(struct ctx *c)
{
	int i, rc = 0;

	if (!c->a->nops)
		return symbolize_stream(c, stdin) ? kt_err("read error on standard input") : 0;
	for (i = 0; i < c->a->nops; i++) {
		const char *p = c->a->ops[i];
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

static void stats_json(struct ctx *c, const struct kt_ksyms_stats *st)
{
	struct jw *w = &c->w;
	int ch;

	jw_obj_open(w);
	jw_ku64(w, "symbols", st->symbols);
	jw_ku64(w, "lines", st->lines);
	jw_ku64(w, "malformed", st->malformed);
	jw_ku64(w, "vmlinux_symbols", st->vmlinux_symbols);
	jw_ku64(w, "module_symbols", st->module_symbols);
	jw_ku64(w, "bpf_symbols", st->bpf_symbols);
	jw_ku64(w, "modules", st->modules);
	jw_ku64(w, "names", st->names);
	jw_ku64(w, "duplicate_names", st->duplicate_names);
	if (st->addr_digits)
		jw_ku64(w, "address_bits", st->addr_digits * 4);
	jw_kbool(w, "hidden", st->hidden);
	jw_key(w, "types");
	jw_obj_open(w);
	for (ch = 0; ch < 128; ch++)
		if (st->types[ch]) {
			char k[2] = { (char)ch, 0 };

			jw_ku64(w, k, st->types[ch]);
		}
	jw_obj_close(w);
	jw_ku64(w, "text_bytes", st->text_bytes);
	jw_ku64(w, "memory_bytes", st->mem_bytes);
	jw_obj_close(w);
}

static int cmd_stats(struct ctx *c)
{
	const struct kt_ksyms_stats *st = kt_ksyms_stats(c->t);
	FILE *fp = c->fp;
	int ch;

	if (c->a->json) {
		stats_json(c, st);
		return 0;
	}
	fprintf(fp, "symbols:          %zu (vmlinux %zu, modules %zu, bpf %zu)\n", st->symbols,
		st->vmlinux_symbols, st->module_symbols, st->bpf_symbols);
	fprintf(fp, "lines:            %zu (%zu malformed)\n", st->lines, st->malformed);
	fprintf(fp, "modules:          %zu\n", st->modules);
	fprintf(fp, "names:            %zu distinct, %zu listed more than once\n", st->names,
		st->duplicate_names);
	fprintf(fp, "address bits:     %u\n", st->addr_digits * 4);
	fprintf(fp, "hidden:           %s\n", st->hidden ?
		"yes (every address is zero: kptr_restrict)" : "no");
	fprintf(fp, "types:           ");
	for (ch = 0; ch < 128; ch++)
		if (st->types[ch])
			fprintf(fp, " %c=%zu", ch, st->types[ch]);
	fprintf(fp, "\ntable memory:     %zu bytes for %zu bytes of text\n", st->mem_bytes,
		st->text_bytes);
	return 0;
}

/* Commands that need real addresses refuse hidden or empty tables. */
static int check_usable(const struct ctx *c)
{
	const struct kt_ksyms_stats *st = kt_ksyms_stats(c->t);
	const char *src = c->a->table ? c->a->table : KT_KALLSYMS_PATH;

	if (!st->symbols)
		return kt_errx("%s: no symbols (%zu malformed lines)", src, st->malformed);
	if (st->hidden)
		return kt_errx("%s: addresses are hidden (all zero): the kernel shows them only "
			       "to CAP_SYSLOG (root) when kernel.kptr_restrict <= 1, or to anyone "
			       "when kptr_restrict = 0 and perf_event_paranoid <= 1", src);
	return 0;
}

static int run(struct ctx *c, int (*cmd)(struct ctx *c), int need_addr)
{
	struct kt_out o;
	int rc;

	if (need_addr && (rc = check_usable(c)))
		return rc;
	if (kt_out_open(&o, c->a->output))
		return KT_EXIT_FAIL;
	c->fp = o.fp;
	jw_init_file(&c->w, o.fp, c->a->pretty);
	rc = cmd(c);
	if (c->a->json && cmd != cmd_symbolize)
		jw_newline(&c->w);
	if (rc > KT_EXIT_FAIL) {
		kt_out_close(&o, 0);
		return rc;
	}
	return kt_out_close(&o, 1) ? KT_EXIT_FAIL : rc;
}

struct command {
	const char *name;
	int (*fn)(struct ctx *c);
	int min_ops, max_ops, need_addr;
};

static const struct command commands[] = {
	{ "lookup", cmd_lookup, 1, -1, 1 },
	{ "addr", cmd_addr, 1, -1, 1 },
	{ "symbolize", cmd_symbolize, 0, -1, 1 },
	{ "stats", cmd_stats, 0, 0, 0 },
};

static const struct command *find_command(const struct args *a)
{
	const char *name = a->ops[-1];
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(*commands); i++) {
		const struct command *k = &commands[i];

		if (strcmp(name, k->name))
			continue;
		if (a->nops < k->min_ops) {
			kt_usage_err("%s: missing operand", name);
			return NULL;
		}
		if (k->max_ops >= 0 && a->nops > k->max_ops) {
			kt_usage_err("%s: too many operands", name);
			return NULL;
		}
		return k;
	}
	kt_usage_err("unknown command '%s'", name);
	return NULL;
}

static int parse_args(struct args *a, int argc, char **argv)
{
	struct kt_getopt g;
	int ch;

	memset(a, 0, sizeof(*a));
	kt_getopt_init(&g, argc, argv);
	while ((ch = kt_getopt(&g, opts)) != -1) {
		switch (ch) {
		case 'f': a->table = g.arg; break;
		case 'b': a->backtrace = 1; break;
		case 'j': a->json = 1; break;
		case OPT_PRETTY: a->json = a->pretty = 1; break;
		case 'o': a->output = g.arg; break;
		case 'h': return -1;
		default: return KT_EXIT_USAGE;
		}
	}
	if (!kt_noperands(&g))
		return kt_usage_err("missing command (lookup, addr, symbolize, stats)");
	a->ops = kt_operands(&g) + 1;
	a->nops = kt_noperands(&g) - 1;
	return 0;
}

/* "-" as the only operand: operands are the lines of stdin. */
static int read_operands(struct args *a)
{
	size_t len, n = 0, cap = 0;
	char *p, *line, **v = NULL, **nv;

	a->stdin_ops = kt_read_file(NULL, "/dev/stdin", KT_KSYMS_MAX_FILE, &len);
	if (!a->stdin_ops)
		return kt_err("cannot read standard input");
	for (p = a->stdin_ops; (line = strsep(&p, "\n"));) {
		line = kt_trim(line);
		if (!*line)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, (cap + 1) * sizeof(*v));
			if (!nv) {
				free(v);
				return kt_errx("out of memory");
			}
			v = nv;
		}
		v[n++] = line;
	}
	/* ops[-1] is the command name: keep that layout */
	nv = realloc(v, (n + 2) * sizeof(*v));
	if (!nv) {
		free(v);
		return kt_errx("out of memory");
	}
	memmove(nv + 1, nv, n * sizeof(*nv));
	nv[0] = a->ops[-1];
	a->ops = nv + 1;
	a->nops = (int)n;
	return 0;
}

int kallsyms_main(int argc, char **argv)
{
	const struct command *cmd;
	struct args a;
	struct ctx c = { .a = &a };
	int rc;

	rc = parse_args(&a, argc, argv);
	if (rc < 0)
		return kt_help(help);
	if (rc)
		return rc;
	cmd = find_command(&a);
	if (!cmd)
		return KT_EXIT_USAGE;
	if (cmd->fn == cmd_symbolize && a.table && !strcmp(a.table, "-") &&
	    (!a.nops || (a.nops == 1 && !strcmp(a.ops[0], "-"))))
		return kt_usage_err("symbolize: stdin holds the table; give the text as FILE");
	if (cmd->min_ops && a.nops == 1 && !strcmp(a.ops[0], "-")) {
		if (a.table && !strcmp(a.table, "-"))
			return kt_usage_err("stdin cannot hold both the table and the operands");
		if ((rc = read_operands(&a)))
			return rc;
	}
	c.t = kt_ksyms_load(a.table);
	if (!c.t) {
		rc = kt_err("cannot read '%s'", a.table ? a.table : KT_KALLSYMS_PATH);
		goto out;
	}
	c.width = kt_ksyms_stats(c.t)->addr_digits ? (int)kt_ksyms_stats(c.t)->addr_digits : 16;
	rc = run(&c, cmd->fn, cmd->need_addr);
	kt_ksyms_free(c.t);
out:
	if (a.stdin_ops) {
		free(a.ops - 1);
		free(a.stdin_ops);
	}
	return rc;
}
