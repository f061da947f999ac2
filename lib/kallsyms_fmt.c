// SPDX-License-Identifier: MIT
/* Formatting of the symbol table's answers: %pS text, JSON, human lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "kallsyms.h"
#include "text.h"

/* snprintf-style appender: counts everything, stores what fits. */
struct sbuf {
	char *p;
	size_t size, len;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - 1 - b->len;

		memcpy(b->p + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

static void sb_hex(struct sbuf *b, const char *pfx, uint64_t v)
{
	char d[16];

	sb_put(b, pfx, strlen(pfx));
	sb_put(b, d, kt_hex(d, v, 1));
}

int kt_ksym_res_format(const struct kt_ksym_res *res, char *buf, size_t size)
{
	const struct kt_ksym *s = &res->sym;
	struct sbuf b = {buf, size, 0};

	sb_put(&b, s->name, strlen(s->name));
	sb_hex(&b, "+0x", res->off);
	if (s->size)
		sb_hex(&b, "/0x", s->size);
	if (s->module && !s->bpf) {
		sb_put(&b, " [", 2);
		sb_put(&b, s->module, strlen(s->module));
		sb_put(&b, "]", 1);
	}
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return (int)b.len;
}

typedef int (*resolve_fn)(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res);

static int format_with(const struct kt_ksyms *t, resolve_fn fn, uint64_t addr, char *buf,
		       size_t size)
{
	struct kt_ksym_res r;

	if (fn(t, addr, &r))
		return snprintf(buf, size, "0x%llx", (unsigned long long)addr);
	return kt_ksym_res_format(&r, buf, size);
}

int kt_ksyms_format(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size)
{
	return format_with(t, kt_ksyms_resolve, addr, buf, size);
}

int kt_ksyms_format_bt(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size)
{
	return format_with(t, kt_ksyms_resolve_bt, addr, buf, size);
}

int kt_ksym_parse_addr(const char *s, uint64_t *out)
{
	size_t n = strlen(s), i;
	uint64_t v = 0;

	if (n >= 4 && s[0] == '[' && s[1] == '<' && s[n - 2] == '>' && s[n - 1] == ']') {
		s += 2;
		n -= 4;
	}
	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		s += 2;
		n -= 2;
	}
	if (!n || n > 16) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		int d = kt_hexval((unsigned char)s[i]);

		if (d < 0) {
			errno = EINVAL;
			return -1;
		}
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

void kt_ksym_json(struct jw *w, const struct kt_ksym *s)
{
	char type[2] = {s->type, 0};

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

void kt_ksym_res_json(struct jw *w, uint64_t addr, const char *text, const struct kt_ksym_res *r)
{
	jw_obj_open(w);
	jw_khex(w, "address", addr);
	jw_kstr(w, "text", text);
	if (r) {
		jw_key(w, "symbol");
		jw_obj_open(w);
		kt_ksym_json(w, &r->sym);
		jw_obj_close(w);
		jw_ku64(w, "offset", r->off);
	}
	jw_obj_close(w);
}

void kt_put_addr(FILE *fp, uint64_t v, int width)
{
	char d[16];
	size_t n = kt_hex(d, v, width);

	fwrite(d, 1, n, fp);
}

void kt_ksym_print(FILE *fp, const struct kt_ksym *s, int width)
{
	kt_put_addr(fp, s->addr, width);
	putc(' ', fp);
	kt_fput_esc(fp, &s->type, 1);
	putc(' ', fp);
	kt_fputs_esc(fp, s->name);
	if (s->module) {
		fputs(" [", fp);
		kt_fputs_esc(fp, s->module);
		putc(']', fp);
	}
	if (s->size)
		fprintf(fp, " size 0x%llx", (unsigned long long)s->size);
	putc('\n', fp);
}

void kt_ksyms_stats_json(struct jw *w, const struct kt_ksyms_stats *st)
{
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
	for (int ch = 0; ch < 128; ch++)
		if (st->types[ch]) {
			char k[2] = {(char)ch, 0};

			jw_ku64(w, k, st->types[ch]);
		}
	jw_obj_close(w);
	jw_ku64(w, "text_bytes", st->text_bytes);
	jw_ku64(w, "memory_bytes", st->mem_bytes);
	jw_obj_close(w);
}

void kt_ksyms_stats_human(FILE *fp, const struct kt_ksyms_stats *st)
{
	fprintf(fp, "symbols:          %zu (vmlinux %zu, modules %zu, bpf %zu)\n", st->symbols,
		st->vmlinux_symbols, st->module_symbols, st->bpf_symbols);
	fprintf(fp, "lines:            %zu (%zu malformed)\n", st->lines, st->malformed);
	fprintf(fp, "modules:          %zu\n", st->modules);
	fprintf(fp, "names:            %zu distinct, %zu listed more than once\n", st->names,
		st->duplicate_names);
	fprintf(fp, "address bits:     %u\n", st->addr_digits * 4);
	fprintf(fp, "hidden:           %s\n",
		st->hidden ? "yes (every address is zero: kptr_restrict)" : "no");
	fprintf(fp, "types:           ");
	for (int ch = 0; ch < 128; ch++)
		if (st->types[ch])
			fprintf(fp, " %c=%zu", ch, st->types[ch]);
	fprintf(fp, "\ntable memory:     %zu bytes for %zu bytes of text\n", st->mem_bytes,
		st->text_bytes);
}

bool kt_ksyms_warn_quality(const struct kt_ksyms *t, const char *src)
{
	const struct kt_ksyms_stats *st = kt_ksyms_stats(t);

	if (!st->symbols) {
		kt_warn("'%s': no symbols (%zu lines, %zu malformed): not a kallsyms table", src,
			st->lines, st->malformed);
		return true;
	}
	if (st->malformed) {
		kt_warn("'%s': %zu of %zu lines malformed (not 'ADDR TYPE NAME [MODULE]', or a "
			"name over %d bytes) and skipped: sizes and results next to them may be "
			"wrong",
			src, st->malformed, st->lines, KT_KSYMS_NAME_MAX);
		return true;
	}
	return false;
}

int kt_ksyms_load_err(const char *src)
{
	if (errno == EFBIG)
		return kt_errx("'%s': larger than %llu MiB: not a kallsyms table (a real one is "
			       "well under that)",
			       src, KT_KSYMS_MAX_FILE >> 20);
	return kt_err("cannot read '%s'", src);
}
