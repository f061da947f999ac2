// SPDX-License-Identifier: MIT
/*
 * Kernel log line parsers: /dev/kmsg records, dmesg, journal/syslog and
 * raw lines (see kmsg.h).  Every parser takes (pointer, length) and never
 * reads past it; nothing here allocates except the line splitter.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "text.h"

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

int kmsg_level_from_name(const char *s, size_t n)
{
	for (int i = 0; i < 8; i++)
		if (strlen(level_names[i]) == n && !memcmp(s, level_names[i], n))
			return i;
	return -1;
}

static const char *const facility_names[] = {
	"kern",	  "user",   "mail",	"daemon", "auth",   "syslog", "lpr",	"news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "res0",   "res1",   "res2",	"res3",
	"local0", "local1", "local2",	"local3", "local4", "local5", "local6", "local7",
};

static int facility_from_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(facility_names) / sizeof(facility_names[0]); i++)
		if (strlen(facility_names[i]) == n && !memcmp(s, facility_names[i], n))
			return (int)i;
	return -1;
}

size_t kmsg_unescape(char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		int hi, lo;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = kt_hexval((unsigned char)s[i + 2])) >= 0 &&
		    (lo = kt_hexval((unsigned char)s[i + 3])) >= 0) {
			s[o++] = (char)(hi << 4 | lo);
			i += 4;
			continue;
		}
		s[o++] = s[i++];
	}
	return o;
}

long kmsg_parse_record_header(const char *s, size_t n, struct kmsg_line *l)
{
	size_t i = 0;
	uint64_t pri, seq, ts;

	if (!kt_scan_dec(s, n, &i, &pri) || i >= n || s[i++] != ',')
		return -1;
	if (!kt_scan_dec(s, n, &i, &seq) || i >= n || s[i++] != ',')
		return -1;
	if (!kt_scan_dec(s, n, &i, &ts) || i >= n || s[i++] != ',')
		return -1;
	if (i >= n || (s[i] != '-' && s[i] != 'c'))
		return -1;
	l->cont = s[i++] == 'c';
	/* future extensions: ",caller=T1", anything up to ';' */
	if (i < n && s[i] == ',') {
		const char *semi = memchr(s + i, ';', n - i);

		if (!semi)
			return -1;
		i = (size_t)(semi - s);
	}
	if (i >= n || s[i] != ';' || pri > 0xffffff)
		return -1;
	l->level = (int)(pri & 7);
	l->facility = (int)(pri >> 3);
	l->seq = seq;
	l->has_seq = true;
	l->ts_usec = ts;
	l->has_ts = true;
	return (long)i + 1;
}

/* "<N>" at the start; returns the offset after it, or 0. */
static size_t level_prefix(const char *s, size_t n, struct kmsg_line *l)
{
	size_t i = 1;
	uint64_t v;

	if (n < 3 || s[0] != '<' || !kt_scan_dec(s, n, &i, &v) || i >= n || s[i] != '>' || v > 1023)
		return 0;
	l->level = (int)(v & 7);
	l->facility = (int)(v >> 3);
	return i + 1;
}

/* dmesg -x columns "kern  :err   : "; returns the offset after, or 0. */
static size_t facility_columns(const char *s, size_t n, size_t i, struct kmsg_line *l)
{
	size_t a = i, b, c, d;
	int fac, lvl;

	while (i < n && (is_alpha(s[i]) || kt_is_digit(s[i])))
		i++;
	b = i;
	i = skip_spaces(s, n, i);
	if (b == a || i >= n || s[i++] != ':')
		return 0;
	c = i;
	while (i < n && is_alpha(s[i]))
		i++;
	d = i;
	i = skip_spaces(s, n, i);
	if (i >= n || s[i++] != ':')
		return 0;
	fac = facility_from_name(s + a, b - a);
	lvl = kmsg_level_from_name(s + c, d - c);
	if (fac < 0 || lvl < 0)
		return 0;
	l->facility = fac;
	l->level = lvl;
	return i < n && s[i] == ' ' ? i + 1 : i;
}

/* "[  123.456789]" at s[i]: offset after ']', or 0; ts in *usec. */
static size_t dmesg_ts(const char *s, size_t n, size_t i, uint64_t *usec)
{
	uint64_t sec, frac = 0;
	size_t f;

	if (i >= n || s[i] != '[')
		return 0;
	i = skip_spaces(s, n, i + 1);
	if (!kt_scan_dec(s, n, &i, &sec) || i >= n || s[i++] != '.')
		return 0;
	f = i;
	/* the kernel's own form, six digits and ']', without the loop */
	if (i + 7 <= n && s[i + 6] == ']' && kt_is_digit(s[i]) && kt_is_digit(s[i + 1]) &&
	    kt_is_digit(s[i + 2]) && kt_is_digit(s[i + 3]) && kt_is_digit(s[i + 4]) &&
	    kt_is_digit(s[i + 5])) {
		for (size_t k = 0; k < 6; k++)
			frac = frac * 10 + (uint64_t)(s[i + k] - '0');
		i += 6;
	} else {
		while (i < n && kt_is_digit(s[i])) {
			if (i - f < 6)
				frac = frac * 10 + (uint64_t)(s[i] - '0');
			i++;
		}
	}
	if (i == f || i >= n || s[i] != ']' || sec > 100000000000ULL)
		return 0;
	for (size_t k = i - f; k < 6; k++)
		frac *= 10;
	*usec = sec * 1000000 + frac;
	return i + 1;
}

size_t kmsg_dmesg_ts(const char *s, size_t n, size_t i, uint64_t *usec)
{
	return dmesg_ts(s, n, i, usec);
}

/* CONFIG_PRINTK_CALLER "[  T630]" / "[    C2]": offset after, or 0. */
static size_t caller_field(const char *s, size_t n, size_t i)
{
	uint64_t v;

	if (i >= n || s[i] != '[')
		return 0;
	i = skip_spaces(s, n, i + 1);
	if (i >= n || (s[i] != 'T' && s[i] != 'C'))
		return 0;
	i++;
	if (!kt_scan_dec(s, n, &i, &v))
		return 0;
	/* proposed "T123:C4" form */
	if (i < n && s[i] == ':' && i + 1 < n && s[i + 1] == 'C') {
		i += 2;
		if (!kt_scan_dec(s, n, &i, &v))
			return 0;
	}
	return i < n && s[i] == ']' ? i + 1 : 0;
}

/* dmesg -T "[Wed Jan  1 12:00:00 2025]": offset after, or 0. */
static size_t dmesg_ctime(const char *s, size_t n, size_t i)
{
	size_t j, end = i + 40 < n ? i + 40 : n;

	if (i + 2 >= n || s[i] != '[' || !is_alpha(s[i + 1]))
		return 0;
	for (j = i + 1; j < end && s[j] != ']'; j++)
		;
	if (j >= end || j - i < 20 || !memchr(s + i, ':', j - i) || !kt_is_digit(s[j - 1]))
		return 0;
	return j + 1;
}

/* "HH:MM:SS[.frac]" at s[i]: offset after, or 0. */
static size_t clock_time(const char *s, size_t n, size_t i)
{
	static const char pat[] = "dd:dd:dd";

	if (i + 8 > n)
		return 0;
	for (int k = 0; k < 8; k++)
		if (pat[k] == 'd' ? !kt_is_digit(s[i + k]) : s[i + k] != ':')
			return 0;
	i += 8;
	if (i < n && s[i] == '.') {
		size_t f = ++i;

		while (i < n && kt_is_digit(s[i]))
			i++;
		if (i == f)
			return 0;
	}
	return i;
}

/* short-iso "2025-01-17T22:24:05[.frac][+0300|Z]": offset after, or 0. */
static size_t iso_time(const char *s, size_t n, size_t i)
{
	static const char pat[] = "dddd-dd-ddT";

	if (i + 11 > n)
		return 0;
	for (int k = 0; k < 11; k++)
		if (pat[k] == 'd' ? !kt_is_digit(s[i + k]) : s[i + k] != pat[k])
			return 0;
	i = clock_time(s, n, i + 11);
	if (!i)
		return 0;
	if (i < n && s[i] == 'Z')
		return i + 1;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t z = ++i;

		while (i < n && (kt_is_digit(s[i]) || s[i] == ':'))
			i++;
		if (i == z)
			return 0;
	}
	return i;
}

/*
 * "Mon DD HH:MM:SS": the month is any short word (journald localises
 * it: "paź", "Ogos", "dic."), so it is only required not to hold digits,
 * blanks, ':' or brackets.
 */
static size_t syslog_time(const char *s, size_t n, size_t i)
{
	size_t m = i, d;

	while (i < n && s[i] != ' ' && !kt_is_digit(s[i]) && s[i] != ':' && s[i] != '[' &&
	       s[i] != ']' && i - m <= 12)
		i++;
	if (i - m < 2 || i - m > 12 || i >= n || s[i] != ' ')
		return 0;
	i = skip_spaces(s, n, i);
	d = i;
	while (i < n && kt_is_digit(s[i]))
		i++;
	if (i == d || i - d > 2 || i >= n || s[i] != ' ')
		return 0;
	return clock_time(s, n, skip_spaces(s, n, i));
}

/* short-unix "1737141845.123456": offset after, or 0. */
static size_t unix_time(const char *s, size_t n, size_t i)
{
	size_t a = i, f;

	while (i < n && kt_is_digit(s[i]))
		i++;
	if (i - a < 9 || i - a > 12 || i >= n || s[i] != '.')
		return 0;
	f = ++i;
	while (i < n && kt_is_digit(s[i]))
		i++;
	return i > f ? i : 0;
}

/* short-full "Fri 2025-01-17 22:24:05 CET": offset after, or 0. */
static size_t full_time(const char *s, size_t n, size_t i)
{
	static const char pat[] = "dddd-dd-dd ";
	size_t z;

	if (i + 4 + 11 > n || !is_alpha(s[i]) || !is_alpha(s[i + 1]) || !is_alpha(s[i + 2]) ||
	    s[i + 3] != ' ')
		return 0;
	i += 4;
	for (int k = 0; k < 11; k++)
		if (pat[k] == 'd' ? !kt_is_digit(s[i + k]) : s[i + k] != pat[k])
			return 0;
	i = clock_time(s, n, i + 11);
	if (!i || i >= n || s[i] != ' ')
		return 0;
	z = ++i; /* time zone: letters, digits, + - */
	while (i < n && s[i] != ' ')
		i++;
	return i > z ? i : 0;
}

static size_t token_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

/* "kernel:" */
static bool ident_kernel(const char *s, size_t len)
{
	return len == 7 && !memcmp(s, "kernel:", 7);
}

/* "NAME[PID]:" */
static bool ident_pid(const char *s, size_t len)
{
	size_t i;

	if (len < 5 || s[len - 1] != ':' || s[len - 2] != ']')
		return false;
	i = len - 3;
	if (!kt_is_digit(s[i]))
		return false;
	while (i > 0 && kt_is_digit(s[i]))
		i--;
	return s[i] == '[' && i > 0;
}

/*
 * Journal/syslog prefix at s[0]: the text offset, or 0.  Accepts
 * [TIME] [HOST] IDENT: where TIME is syslog (short, short-precise),
 * short-iso, short-full, short-unix or bare clock time; without a time the ident must be "kernel:" or "NAME[PID]:".
 */
static size_t journal_prefix(const char *s, size_t n, int *src)
{
	size_t i = 0, t, a, b, c, d;
	bool timed;

	if (!n || s[0] == ' ')
		return 0;
	t = syslog_time(s, n, 0);
	if (!t)
		t = iso_time(s, n, 0);
	if (!t)
		t = full_time(s, n, 0);
	if (!t)
		t = unix_time(s, n, 0);
	if (!t)
		t = clock_time(s, n, 0);
	timed = t != 0;
	if (timed) {
		if (t >= n || s[t] != ' ')
			return 0;
		i = skip_spaces(s, n, t);
	}
	a = i;
	b = token_end(s, n, a);
	if (b > a && (ident_kernel(s + a, b - a) || ident_pid(s + a, b - a))) {
		c = a;
		d = b;
	} else {
		if (b >= n || b == a)
			return 0;
		c = b + 1;
		d = token_end(s, n, c);
		/* the ident first: most text has no "HOST IDENT:" shape, and a
		 * host name holds no brackets ("12:00:00 [INFO] x: y" is text) */
		if (d - c < 2 || s[d - 1] != ':' || memchr(s + a, '[', b - a) ||
		    memchr(s + a, ']', b - a))
			return 0;
		if (!ident_kernel(s + c, d - c) && !ident_pid(s + c, d - c)) {
			if (!timed || memchr(s + c, '[', d - c))
				return 0;
		}
	}
	*src = ident_kernel(s + c, d - c) ? KMSG_SRC_KERNEL : KMSG_SRC_USER;
	return d < n && s[d] == ' ' ? d + 1 : d;
}

/* [ts][caller] and dmesg -T forms at s[i]; offset after or 0. */
static size_t dmesg_prefix(const char *s, size_t n, size_t i, struct kmsg_line *l)
{
	uint64_t us;
	size_t j = dmesg_ts(s, n, i, &us), k;

	if (j) {
		l->ts_usec = us;
		l->has_ts = true;
	} else {
		j = dmesg_ctime(s, n, i);
		if (!j)
			return 0;
	}
	k = caller_field(s, n, j);
	if (k)
		j = k;
	return j < n && s[j] == ' ' ? j + 1 : j;
}

static void line_reset(struct kmsg_line *l)
{
	memset(l, 0, sizeof(*l));
	l->level = -1;
	l->facility = -1;
}

/* Strip the text prefixes (every format but records). */
static size_t text_prefixes(const char *s, size_t n, struct kmsg_line *l)
{
	size_t i = 0, j;
	int src = KMSG_SRC_UNKNOWN;
	bool journal = false;

	i = level_prefix(s, n, l);
	j = facility_columns(s, n, i, l);
	if (j)
		i = j;
	for (int pass = 0; pass < 3; pass++) {
		j = dmesg_prefix(s, n, i, l);
		if (j) {
			if (l->fmt == KMSG_FMT_RAW)
				l->fmt = KMSG_FMT_DMESG;
			i = j;
			continue;
		}
		if (journal)
			break;
		j = journal_prefix(s + i, n - i, &src);
		if (!j)
			break;
		if (l->fmt == KMSG_FMT_RAW)
			l->fmt = KMSG_FMT_JOURNAL;
		l->src = src;
		journal = true;
		i += j;
	}
	return i;
}

/* Blanks, tabs and mail quoting ('>') in front of a copied line. */
static size_t quote_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '>'))
		i++;
	return i;
}

int kmsg_parse_line(struct kmsg_ctx *ctx, char *s, size_t n, struct kmsg_line *l)
{
	long off;
	size_t i;

	line_reset(l);
	n = kt_rtrim_len(s, n);
	if (ctx && ctx->after_record && n && s[0] == ' ')
		return 0; /* dictionary line: " SUBSYSTEM=…" */
	off = kmsg_parse_record_header(s, n, l);
	if (off >= 0) {
		if (ctx)
			ctx->after_record = true;
		l->fmt = KMSG_FMT_RECORD;
		l->text = s + off;
		l->len = kt_rtrim_len(s + off, kmsg_unescape(s + off, n - (size_t)off));
		return 1;
	}
	line_reset(l);
	if (ctx)
		ctx->after_record = false;
	i = text_prefixes(s, n, l);
	if (!i) {
		/* quoted or re-indented: "> [ts] …", "    Jan 01 … kernel: …" */
		size_t q = quote_prefix(s, n), j;

		if (q && q < n) {
			j = text_prefixes(s + q, n - q, l);
			if (j)
				i = q + j;
			else
				line_reset(l);
		}
	}
	l->text = s + i;
	l->len = n - i;
	return 1;
}

size_t kmsg_joined_split(const char *s, size_t n)
{
	for (size_t i = 1; i + 3 < n; i++) {
		uint64_t us;
		const char *p = kt_memchr2(s + i, n - i, '[', '[');

		if (!p)
			break;
		i = (size_t)(p - s);
		if (dmesg_ts(s, n, i, &us))
			return i;
	}
	return n;
}

int kmsg_split_init(struct kmsg_splitter *sp, size_t max, kmsg_line_fn fn, void *arg)
{
	memset(sp, 0, sizeof(*sp));
	sp->max = max ? max : 65536;
	sp->buf = malloc(sp->max + 1);
	if (!sp->buf) {
		errno = ENOMEM;
		return -1;
	}
	sp->fn = fn;
	sp->arg = arg;
	return 0;
}

static void split_emit(struct kmsg_splitter *sp)
{
	size_t n = sp->len;

	if (n && sp->buf[n - 1] == '\r')
		n--;
	sp->buf[n] = '\0';
	if (sp->overlong)
		sp->truncated++;
	sp->fn(sp->buf, n, sp->arg);
	sp->len = 0;
	sp->overlong = false;
}

/* Append S[0..n) without newlines, dropping NULs, capped at max. */
static void split_append(struct kmsg_splitter *sp, const char *s, size_t n)
{
	while (n) {
		const char *z = memchr(s, '\0', n);
		size_t k = z ? (size_t)(z - s) : n, room = sp->max - sp->len;

		if (k > room) {
			k = room;
			sp->overlong = true;
		}
		memcpy(sp->buf + sp->len, s, k);
		sp->len += k;
		if (sp->overlong || !z)
			return;
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
}

/* WR: the same bytes as DATA, writable (lines are then passed in place), or NULL. */
static void split_feed(struct kmsg_splitter *sp, const char *data, size_t n, char *wr)
{
	while (n) {
		const char *nl;
		bool clean = false; /* DATA[0..k) holds no NUL */
		size_t k;

		if (sp->skip && !sp->len && !sp->overlong) {
			k = sp->skip(sp->arg, data, n);
			data += k;
			if (wr)
				wr += k;
			n -= k;
			if (!n)
				return;
		}
		/* the line's end, or a NUL before it (then the copying path) */
		nl = kt_memchr2(data, n, '\n', '\0');
		if (nl && !*nl)
			nl = memchr(nl, '\n', n - (size_t)(nl - data));
		else if (nl)
			clean = true;
		k = nl ? (size_t)(nl - data) : n;

		/* a whole line, clean and short enough: hand it over as is */
		if (wr && clean && !sp->len && !sp->overlong && k <= sp->max) {
			size_t m = k && data[k - 1] == '\r' ? k - 1 : k;

			wr[m] = '\0';
			sp->fn(wr, m, sp->arg);
		} else {
			split_append(sp, data, k);
			if (!nl)
				return;
			split_emit(sp);
		}
		data += k + 1;
		if (wr)
			wr += k + 1;
		n -= k + 1;
	}
}

void kmsg_split_feed(struct kmsg_splitter *sp, const char *data, size_t n)
{
	split_feed(sp, data, n, NULL);
}

void kmsg_split_feed_inplace(struct kmsg_splitter *sp, char *data, size_t n)
{
	split_feed(sp, data, n, data);
}

void kmsg_split_finish(struct kmsg_splitter *sp)
{
	if (sp->len || sp->overlong)
		split_emit(sp);
}

void kmsg_split_free(struct kmsg_splitter *sp)
{
	free(sp->buf);
	sp->buf = NULL;
}
