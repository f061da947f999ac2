// SPDX-License-Identifier: MIT
/* Stack-trace tokens: %pS symbols and raw kernel addresses in a line. */
#include <string.h>

#include "stacksym.h"
#include "text.h"

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* [A-Za-z0-9_.$]: a symbol's bytes, tested once per byte of every frame */
static const uint8_t name_tab[256] = {
	['$'] = 1, ['.'] = 1, ['_'] = 1, ['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
};

static bool is_name_char(unsigned char c)
{
	return name_tab[c];
}

static bool is_mod_char(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.';
}

/* "0x" then 1..16 hex digits at *p; advances *p. */
static bool parse_0x(const char *s, size_t len, size_t *p, uint64_t *v)
{
	size_t i = *p, n = 0;
	uint64_t x = 0;
	int d;

	if (i + 2 > len || s[i] != '0' || (s[i + 1] | 0x20) != 'x')
		return false;
	for (i += 2; i < len && (d = kt_hexval((unsigned char)s[i])) >= 0; i++, n++) {
		if (n == 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	if (!n)
		return false;
	*p = i;
	*v = x;
	return true;
}

/* " [MOD]" or " [MOD BUILDID]" at p; fills the module, returns its end. */
static size_t parse_module(const char *s, size_t len, size_t p, struct kt_stacksym *sym)
{
	size_t i = p + 2, m;

	if (p + 2 >= len || s[p] != ' ' || s[p + 1] != '[')
		return p;
	for (m = i; m < len && is_mod_char((unsigned char)s[m]); m++)
		;
	if (m == i || m >= len)
		return p;
	if (s[m] == ' ') {
		size_t b = m + 1;

		while (b < len && kt_hexval((unsigned char)s[b]) >= 0)
			b++;
		if (b == m + 1 || b >= len || s[b] != ']')
			return p;
		sym->module = s + i;
		sym->module_len = m - i;
		return b + 1;
	}
	if (s[m] != ']')
		return p;
	sym->module = s + i;
	sym->module_len = m - i;
	return m + 1;
}

/* A token whose "+0x" is at PLUS and whose name starts at or after LO;
 * false if the text around it is not one. */
static bool token_at(const char *s, size_t len, size_t lo, size_t plus, struct kt_stacksym *sym)
{
	size_t b = plus, p = plus + 1;

	while (b > lo && is_name_char((unsigned char)s[b - 1]))
		b--;
	if (b == plus)
		return false;
	if (!parse_0x(s, len, &p, &sym->off))
		return false;
	if (p >= len || s[p] != '/')
		return false;
	p++;
	if (!parse_0x(s, len, &p, &sym->size))
		return false;
	if (p < len && is_name_char((unsigned char)s[p]))
		return false;
	sym->name = s + b;
	sym->name_len = plus - b;
	sym->module = NULL;
	sym->module_len = 0;
	sym->start = b;
	sym->unreliable = b >= 2 && s[b - 1] == ' ' && s[b - 2] == '?';
	sym->end = parse_module(s, len, p, sym);
	return true;
}

bool kt_stacksym_next(const char *line, size_t len, size_t *pos, struct kt_stacksym *sym)
{
	const size_t lo = *pos;
	size_t i = lo;

	while (i + 3 <= len) {
		const char *q = kt_memchr2(line + i, len - i, '+', '+');

		if (!q)
			break;
		i = (size_t)(q - line);
		if (token_at(line, len, lo, i, sym)) {
			*pos = sym->end;
			return true;
		}
		i++;
	}
	*pos = len;
	return false;
}

size_t kt_stacksym_extract(const char *line, size_t len, struct kt_stacksym *out, size_t max)
{
	struct kt_stacksym sym;
	size_t pos = 0, n = 0;

	while (kt_stacksym_next(line, len, &pos, &sym)) {
		if (n < max)
			out[n] = sym;
		n++;
	}
	return n;
}

bool kt_stacksym_bpf_prog(const char *name, size_t len, const char **tag, const char **prog,
			  size_t *prog_len)
{
	static const char pfx[] = "bpf_prog_";
	size_t pl = sizeof(pfx) - 1, i;

	if (len < pl + 16 + 1 || memcmp(name, pfx, pl))
		return false;
	for (i = pl; i < pl + 16; i++)
		if (kt_hexval((unsigned char)name[i]) < 0)
			return false;
	if (len > pl + 16 && name[pl + 16] != '_')
		return false;
	*tag = name + pl;
	*prog = name + pl + 17;
	*prog_len = len - pl - 17;
	return true;
}

/* Hex run at I: its end and value; false unless 8..16 digits and delimited. */
static bool hex_run(const char *s, size_t len, size_t i, int min, size_t *end, uint64_t *v)
{
	size_t j = i;
	uint64_t x = 0;
	int d;

	while (j < len && (d = kt_hexval((unsigned char)s[j])) >= 0) {
		if (j - i == 16)
			return false;
		x = x << 4 | (uint64_t)d;
		j++;
	}
	if ((int)(j - i) < min || (j < len && (is_alnum((unsigned char)s[j]) || s[j] == '_')))
		return false;
	*end = j;
	*v = x;
	return true;
}

/* An address token starting at I (a token boundary); fills *tok. */
static bool addr_at(const char *s, size_t len, size_t i, struct kt_addrtok *tok)
{
	size_t h = i, end;
	bool br = false;

	if (i + 2 < len && s[i] == '[' && s[i + 1] == '<') {
		h = i + 2;
		br = true;
	}
	if (h + 2 < len && s[h] == '0' && (s[h + 1] | 0x20) == 'x')
		h += 2;
	else if (!br && i + 2 < len && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
		h += 2;
	if (!hex_run(s, len, h, 8, &end, &tok->addr))
		return false;
	if (br) {
		if (end + 1 >= len || s[end] != '>' || s[end + 1] != ']')
			return false;
		end += 2;
	}
	tok->start = i;
	tok->end = end;
	tok->digits = 0;
	while (h < len && kt_hexval((unsigned char)s[h]) >= 0 && tok->digits < 16) {
		tok->digits++;
		h++;
	}
	return true;
}

bool kt_addrtok_next(const char *line, size_t len, size_t *pos, struct kt_addrtok *tok)
{
	size_t i;

	for (i = *pos; i < len; i++) {
		unsigned char prev = i ? (unsigned char)line[i - 1] : ' ';

		if (is_alnum(prev) || prev == '_' || prev == '+' || prev == '/' || prev == '.')
			continue;
		if (addr_at(line, len, i, tok)) {
			*pos = tok->end;
			return true;
		}
	}
	*pos = len;
	return false;
}

bool kt_addrtok_at(const char *line, size_t len, size_t i, struct kt_addrtok *tok)
{
	return i < len && addr_at(line, len, i, tok);
}
