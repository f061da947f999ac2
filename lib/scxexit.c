// SPDX-License-Identifier: MIT
/*
 * sched_ext exit/enable event extractor (see scxexit.h).  Two small state
 * machines, one for the kernel's printk lines and one for a scheduler's
 * own report of the exit info, each holding at most one open event.
 * Every string match is against the kernel's (or scx's) exact format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kallsyms.h"
#include "scxexit.h"
#include "text.h"
#include "stacksym.h"

enum { K_IDLE, K_HEAD, K_OOT_REASON, K_AFTER_MSG, K_FRAMES };
enum { S_IDLE, S_BANNER, S_HEAD, S_REASON, S_BT, S_BODY, S_AFTER };

/* unrelated lines tolerated between a disabled line and its message */
#define KSKIP_MAX 8
/* non-blank lines tolerated between a dump's end and its EXIT line */
#define SSKIP_MAX 16
#define SCX_NAME_MAX 127 /* SCX_OPS_NAME_LEN - 1 */
/* dump body lines (CPU states, tasks) before a dump without its closing
 * rule or EXIT line is given up (a default 32 KiB dump is ~800 lines) */
#define SBODY_MAX 8192

#define LIT(s) s, sizeof(s) - 1

static const struct {
	const char *text;
	enum scx_kind kind;
} reasons[] = {
	{"runtime error", SCX_KIND_ERROR},
	{"scx_bpf_error", SCX_KIND_ERROR_BPF},
	{"runnable task stall", SCX_KIND_ERROR_STALL},
	{"unregistered from user space", SCX_KIND_UNREG},
	{"unregistered from BPF", SCX_KIND_UNREG_BPF},
	{"unregistered from the main kernel", SCX_KIND_UNREG_KERN},
	{"disabled by sysrq-S", SCX_KIND_SYSRQ},
	/* before 344576fa6a69 (for-6.12) and the oldest out-of-tree form */
	{"Scheduler unregistered from user space", SCX_KIND_UNREG},
	{"Scheduler unregistered from BPF", SCX_KIND_UNREG_BPF},
	{"Scheduler unregistered from the main kernel", SCX_KIND_UNREG_KERN},
	{"BPF scheduler unregistered", SCX_KIND_UNREG},
	/* known texts without a kind of their own */
	{"parent exiting", SCX_KIND_OTHER},
	{"killed by parent scheduler", SCX_KIND_OTHER},
	{"reenqueue limit", SCX_KIND_OTHER},
	{"rescue bandwidth overload", SCX_KIND_OTHER},
	{"<UNKNOWN>", SCX_KIND_OTHER},
};

static const char *const kind_names[] = {
	[SCX_KIND_NONE] = NULL,
	[SCX_KIND_ERROR] = "error",
	[SCX_KIND_ERROR_BPF] = "error_bpf",
	[SCX_KIND_ERROR_STALL] = "error_stall",
	[SCX_KIND_UNREG] = "unreg",
	[SCX_KIND_UNREG_BPF] = "unreg_bpf",
	[SCX_KIND_UNREG_KERN] = "unreg_kern",
	[SCX_KIND_SYSRQ] = "sysrq",
	[SCX_KIND_OTHER] = "other",
};

const char *scx_kind_name(enum scx_kind kind)
{
	if ((unsigned)kind > SCX_KIND_OTHER)
		return "other";
	return kind_names[kind];
}

const char *scx_event_name(enum scx_ev_type type)
{
	return type == SCX_EV_ENABLE ? "enable" : "exit";
}

const char *scx_origin_name(enum scx_origin origin)
{
	if (origin == SCX_ORIGIN_USER)
		return "user";
	return origin == SCX_ORIGIN_SCHEDULER ? "scheduler" : "kernel";
}

static bool is_error_kind(enum scx_kind kind)
{
	return kind == SCX_KIND_ERROR || kind == SCX_KIND_ERROR_BPF || kind == SCX_KIND_ERROR_STALL;
}

/* Index into reasons[] of the known reason S starts with, -1 if none;
 * it must be followed by the end or " (". */
static int reason_prefix(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		size_t k = strlen(reasons[i].text);

		if (n < k || memcmp(s, reasons[i].text, k))
			continue;
		if (n == k || (n >= k + 2 && s[k] == ' ' && s[k + 1] == '('))
			return (int)i;
	}
	return -1;
}

enum scx_kind scx_kind_from_reason(const char *s, size_t n)
{
	int r = reason_prefix(s, n);

	return r >= 0 && strlen(reasons[r].text) == n ? reasons[r].kind : SCX_KIND_OTHER;
}

enum scx_kind scx_kind_from_code(uint64_t code)
{
	switch (code) {
	case 64:
		return SCX_KIND_UNREG;
	case 65:
		return SCX_KIND_UNREG_BPF;
	case 66:
		return SCX_KIND_UNREG_KERN;
	case 67:
		return SCX_KIND_SYSRQ;
	case 1024:
		return SCX_KIND_ERROR;
	case 1025:
		return SCX_KIND_ERROR_BPF;
	case 1026:
		return SCX_KIND_ERROR_STALL;
	default:
		return SCX_KIND_OTHER;
	}
}

uint32_t scx_kind_code(enum scx_kind kind)
{
	static const uint32_t code[] = {
		[SCX_KIND_ERROR] = 1024, [SCX_KIND_ERROR_BPF] = 1025, [SCX_KIND_ERROR_STALL] = 1026,
		[SCX_KIND_UNREG] = 64,	 [SCX_KIND_UNREG_BPF] = 65,   [SCX_KIND_UNREG_KERN] = 66,
		[SCX_KIND_SYSRQ] = 67,
	};

	return (unsigned)kind < sizeof(code) / sizeof(code[0]) ? code[kind] : 0;
}

static bool has_prefix(const char *s, size_t n, const char *p, size_t pn)
{
	return n >= pn && !memcmp(s, p, pn);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_alpha(c) || kt_is_digit(c) || c == '_';
}

/* Offset of the first occurrence of LIT in T from FROM, or -1. */
static long find_lit(const char *t, size_t n, size_t from, const char *lit, size_t ln)
{
	size_t o = 0;

	/* scan for the first byte that is not a blank: blanks are everywhere */
	while (o + 1 < ln && lit[o] == ' ')
		o++;
	for (size_t i = from; i + ln <= n; i++) {
		const char *q = kt_memchr2(t + i + o, n - ln + 1 - i, lit[o], lit[o]);

		if (!q)
			break;
		i = (size_t)(q - t) - o;
		if (!memcmp(t + i, lit, ln))
			return (long)i;
	}
	return -1;
}

static bool line_cand(const char *s, size_t n);

/*
 * Text before a kernel string that makes it another subsystem's quote:
 * "WORD: " right before it (a pr_fmt tag such as "foo: sched_ext: …"),
 * WORD holding a letter and not being journal's "kernel".
 */
static bool tagged(const char *t, size_t i)
{
	size_t j, e;
	bool alpha = false;

	if (i < 3 || t[i - 1] != ' ' || t[i - 2] != ':')
		return false;
	e = j = i - 2;
	while (j > 0 && (is_word(t[j - 1]) || t[j - 1] == '-' || t[j - 1] == '.')) {
		alpha |= is_alpha(t[j - 1]);
		j--;
	}
	if (j == e || !alpha)
		return false;
	return !(e - j == 6 && !memcmp(t + j, "kernel", 6));
}

/*
 * Where a kernel or scheduler string starts inside a line, whatever is
 * glued in front (time stamps of any shape, a prompt, quoting): the
 * first occurrence not inside a word; KTAG also refuses a "WORD: " tag.
 */
static long anchor(const char *t, size_t n, const char *lit, size_t ln, bool ktag)
{
	long i = -1;

	while ((i = find_lit(t, n, (size_t)(i + 1), lit, ln)) >= 0) {
		if (i && is_word(t[i - 1]) && !(i >= 2 && t[i - 2] == '^' && t[i - 1] == 'C'))
			continue;
		if (ktag && tagged(t, (size_t)i))
			continue;
		return i;
	}
	return -1;
}

size_t scx_shape_strip(const char *shape, size_t sl, const char *t, size_t n)
{
	size_t i = 0, j = 0;

	while (i < sl) {
		char c = shape[i];

		if (kt_is_digit(c) || is_alpha(c)) {
			bool dig = kt_is_digit(c);

			if (j >= n || (dig ? !kt_is_digit(t[j]) : !is_alpha(t[j])))
				return (size_t)-1;
			while (i < sl && (dig ? kt_is_digit(shape[i]) : is_alpha(shape[i])))
				i++;
			while (j < n && (dig ? kt_is_digit(t[j]) : is_alpha(t[j])))
				j++;
		} else if (c == ' ' || c == '\t') {
			while (i < sl && (shape[i] == ' ' || shape[i] == '\t'))
				i++;
			while (j < n && (t[j] == ' ' || t[j] == '\t'))
				j++;
		} else {
			if (j >= n || t[j] != c)
				return (size_t)-1;
			i++;
			j++;
		}
	}
	return j;
}

static void shape_set(char *dst, size_t *dl, const char *t, size_t n)
{
	*dl = 0;
	if (n > SCX_SHAPE_MAX)
		return; /* too long to be a prefix: nothing is stripped */
	memcpy(dst, t, n);
	*dl = n;
}

/* T past a prefix of the open event's shape (if it has one) and blanks. */
static size_t shape_body(const char *shape, size_t sl, const char *t, size_t n)
{
	size_t i = scx_shape_strip(shape, sl, t, n);

	if (i == (size_t)-1)
		i = 0;
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	return i;
}

static const char *last_char(const char *s, size_t n, char c)
{
	while (n--)
		if (s[n] == c)
			return s + n;
	return NULL;
}

/* bpf_obj_name_cpy(): isalnum, '_' and '.' only */
static bool valid_name(const char *s, size_t n)
{
	if (!n || n > SCX_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || kt_is_digit(c) ||
		      c == '_' || c == '.'))
			return false;
	}
	return true;
}

/*
 * "REASON[ (MSG)]": a known reason splits exactly; otherwise, when
 * ANY is set, the reason ends at the first " (".  MSG runs to the last
 * ')' (or the end of a cut line).  False when nothing matches.
 */
struct reason_msg {
	const char *r, *m;
	size_t rl, ml;
	bool has_msg;
};

static bool split_reason(const char *s, size_t n, bool any, struct reason_msg *rm)
{
	int k = reason_prefix(s, n);
	const char *open, *close;

	memset(rm, 0, sizeof(*rm));
	if (k >= 0) {
		rm->rl = strlen(reasons[k].text);
	} else {
		if (!any || !n)
			return false;
		open = NULL;
		for (size_t i = 0; i + 1 < n; i++)
			if (s[i] == ' ' && s[i + 1] == '(') {
				open = s + i;
				break;
			}
		rm->rl = open ? (size_t)(open - s) : n;
	}
	rm->r = s;
	if (rm->rl + 2 > n)
		return true;
	rm->m = s + rm->rl + 2;
	close = last_char(rm->m, n - rm->rl - 2, ')');
	rm->ml = close ? (size_t)(close - rm->m) : n - rm->rl - 2;
	rm->has_msg = true;
	return true;
}

bool scx_parse_stall(const char *s, size_t n, const char **comm, size_t *comm_len, int64_t *pid,
		     uint64_t *msec)
{
	static const char key[] = " failed to run for ";
	const char *k = NULL, *lb;
	size_t i, j;
	uint64_t sec = 0, ms = 0, v = 0;

	for (i = 0; i + sizeof(key) - 1 <= n; i++)
		if (!memcmp(s + i, key, sizeof(key) - 1)) {
			k = s + i;
			break;
		}
	if (!k || k == s || k[-1] != ']')
		return false;
	lb = last_char(s, (size_t)(k - s) - 1, '[');
	if (!lb || lb == s || lb + 1 == k - 1)
		return false;
	i = (size_t)(lb + 1 - s);
	if (!kt_scan_dec(s, (size_t)(k - 1 - s), &i, &v) || i != (size_t)(k - 1 - s) ||
	    v > 100000000000ULL)
		return false;
	j = (size_t)(k - s) + sizeof(key) - 1;
	if (!kt_scan_dec(s, n, &j, &sec) || sec > 9999999999ULL || j >= n || s[j] != '.')
		return false;
	i = ++j;
	for (; j < n && kt_is_digit(s[j]) && j - i < 3; j++)
		ms = ms * 10 + (uint64_t)(s[j] - '0');
	if (j - i != 3 || j >= n || s[j] != 's')
		return false;
	*comm = s;
	*comm_len = (size_t)(lb - s);
	*pid = (int64_t)v;
	*msec = sec * 1000 + ms;
	return true;
}

/* ---- events ------------------------------------------------------------ */

static char *dupn(struct scx_parser *p, const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		p->oom++;
	return d;
}

void scx_frame_clear(struct scx_frame *f)
{
	free(f->symbol);
	free(f->module);
	memset(f, 0, sizeof(*f));
}

/*
 * An event and the arena its strings and arrays live in: one allocation
 * for a typical event (its lines, frames and fields fit the inline block),
 * freed as a whole; the parser keeps one spare for the next event.
 */
#define ARENA_INLINE 2048
#define ARENA_BLOCK 4096

struct ablk {
	struct ablk *next;
	size_t cap;
	_Alignas(8) char d[];
};

struct pev {
	struct scx_event ev; /* first: a struct scx_event * is a struct pev * */
	struct ablk *more;   /* overflow blocks */
	char *cur;	     /* free space of the current block */
	size_t left;
	_Alignas(8) char inl[ARENA_INLINE];
};

static struct pev *pev_of(struct scx_event *ev)
{
	return (struct pev *)ev;
}

/* N bytes, 8-aligned, from EV's arena (NULL and p->oom on ENOMEM). */
static void *aalloc(struct scx_parser *p, struct scx_event *ev, size_t n)
{
	struct pev *e = pev_of(ev);
	size_t pad = (size_t)(-(uintptr_t)e->cur & 7);
	void *r;

	if (pad + n > e->left) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct ablk *b = malloc(sizeof(*b) + cap);

		if (!b) {
			p->oom++;
			return NULL;
		}
		b->next = e->more;
		b->cap = cap;
		e->more = b;
		e->cur = b->d;
		e->left = cap;
		pad = 0;
	}
	r = e->cur + pad;
	e->cur += pad + n;
	e->left -= pad + n;
	return r;
}

/* S[0..N) as a string in EV's arena. */
static char *edup(struct scx_parser *p, struct scx_event *ev, const char *s, size_t n)
{
	char *d = aalloc(p, ev, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void event_free(struct scx_parser *p, struct scx_event *ev)
{
	struct pev *e;

	if (!ev)
		return;
	e = pev_of(ev);
	while (e->more) {
		struct ablk *b = e->more;

		e->more = b->next;
		free(b);
	}
	if (p->spare)
		free(e);
	else
		p->spare = e;
}

static void set_str(struct scx_parser *p, struct scx_event *ev, char **dst, const char *s, size_t n)
{
	*dst = edup(p, ev, s, n); /* the old value stays in the arena */
}

/* Room for element N of *V, whose capacity doubles from 8 up to MAX
 * (N < MAX), in EV's arena: false on ENOMEM. */
static bool grow(struct scx_parser *p, struct scx_event *ev, void **v, size_t n, size_t size,
		 size_t max)
{
	size_t cap;
	void *nv;

	if (n && (n < 8 || (n & (n - 1))))
		return true; /* not at a power of two: there is room */
	cap = n ? n * 2 : 8;
	if (cap > max)
		cap = max;
	nv = aalloc(p, ev, cap * size);
	if (!nv)
		return false;
	if (n)
		memcpy(nv, *v, n * size);
	*v = nv;
	return true;
}

static void add_raw(struct scx_parser *p, struct scx_event *ev, const char *s, size_t n)
{
	char *d;

	if (p->line_cut)
		ev->truncated |= SCX_TRUNC_LINE;
	if (ev->nraw >= SCX_MAX_RAW) {
		ev->truncated |= SCX_TRUNC_RAW;
		return;
	}
	if (!grow(p, ev, (void **)&ev->raw, ev->nraw, sizeof(*ev->raw), SCX_MAX_RAW))
		return;
	n = kt_rtrim_len(s, n);
	if (n > SCX_MAX_RAWLEN)
		ev->truncated |= SCX_TRUNC_RAW;
	d = edup(p, ev, s, n < SCX_MAX_RAWLEN ? n : SCX_MAX_RAWLEN);
	if (d)
		ev->raw[ev->nraw++] = d;
}

/* A backtrace frame as parsed, borrowing the line's text. */
struct ftok {
	const char *sym, *mod; /* mod NULL when none */
	size_t sym_len, mod_len;
	uint64_t off, size, addr;
	bool has_offset, is_addr;
};

static void add_frame(struct scx_parser *p, struct scx_event *ev, const struct ftok *t)
{
	struct scx_frame *f;

	if (ev->nbt >= SCX_MAX_FRAMES) {
		ev->truncated |= SCX_TRUNC_FRAMES;
		return;
	}
	if (!grow(p, ev, (void **)&ev->bt, ev->nbt, sizeof(*ev->bt), SCX_MAX_FRAMES))
		return;
	f = &ev->bt[ev->nbt];
	memset(f, 0, sizeof(*f));
	f->symbol = edup(p, ev, t->sym, t->sym_len);
	if (t->mod)
		f->module = edup(p, ev, t->mod, t->mod_len);
	if (!f->symbol || (t->mod && !f->module))
		return;
	f->offset = t->off;
	f->size = t->size;
	f->addr = t->addr;
	f->has_offset = t->has_offset;
	f->is_addr = t->is_addr;
	ev->nbt++;
}

static struct scx_event *event_new(struct scx_parser *p, int type, int origin,
				   const struct kmsg_line *l)
{
	struct pev *e = p->spare ? p->spare : malloc(sizeof(*e));
	struct scx_event *ev;

	if (!e) {
		p->oom++;
		return NULL;
	}
	p->spare = NULL;
	e->more = NULL;
	e->cur = e->inl;
	e->left = sizeof(e->inl);
	ev = &e->ev;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->origin = origin;
	ev->level = l->level;
	ev->has_ts = l->has_ts;
	ev->ts_usec = l->ts_usec;
	ev->has_seq = l->has_seq;
	ev->seq = l->seq;
	ev->line = p->nline;
	ev->cpu = -1;
	return ev;
}

static void event_resolve(struct scx_parser *p, struct scx_event *ev);

static void event_finalize(struct scx_parser *p, struct scx_event *ev)
{
	const char *c;
	size_t cl;

	if (ev->type == SCX_EV_EXIT && ev->kind == SCX_KIND_NONE)
		ev->kind = SCX_KIND_OTHER;
	if (ev->kind == SCX_KIND_ERROR_STALL && ev->message &&
	    scx_parse_stall(ev->message, strlen(ev->message), &c, &cl, &ev->stall_pid,
			    &ev->stall_msec)) {
		ev->stall_comm = edup(p, ev, c, cl);
		ev->has_stall = ev->stall_comm != NULL;
	}
	if (p->ksyms)
		event_resolve(p, ev);
}

static void emit_one(struct scx_parser *p, struct scx_event *ev)
{
	p->nevents++;
	if (p->emit)
		p->emit(ev, p->arg);
	event_free(p, ev);
}

/* Emit completed events that no open event precedes. */
static void drain(struct scx_parser *p, bool all)
{
	uint64_t first = UINT64_MAX;

	if (!all && p->kev)
		first = p->kev->line;
	if (!all && p->sev && p->sev->line < first)
		first = p->sev->line;
	while (p->ndone && (all || p->done[0]->line < first)) {
		struct scx_event *ev = p->done[0];

		memmove(p->done, p->done + 1, (size_t)(p->ndone - 1) * sizeof(p->done[0]));
		p->ndone--;
		emit_one(p, ev);
	}
}

static void complete(struct scx_parser *p, struct scx_event *ev)
{
	int i;

	if (!ev)
		return;
	event_finalize(p, ev);
	if (p->ndone == (int)(sizeof(p->done) / sizeof(p->done[0]))) {
		struct scx_event *old = p->done[0];

		memmove(p->done, p->done + 1, (size_t)(p->ndone - 1) * sizeof(p->done[0]));
		p->ndone--;
		emit_one(p, old);
	}
	for (i = p->ndone; i > 0 && p->done[i - 1]->line > ev->line; i--)
		p->done[i] = p->done[i - 1];
	p->done[i] = ev;
	p->ndone++;
	drain(p, false);
}

/* ---- frames ------------------------------------------------------------ */

static bool frame_tok(const char *s, size_t n, int min_indent, int max_indent, struct ftok *t)
{
	struct kt_stacksym sym;
	struct kt_addrtok tok;
	size_t i = 0, pos;

	memset(t, 0, sizeof(*t));
	n = kt_rtrim_len(s, n);
	while (i < n && s[i] == ' ')
		i++;
	if ((int)i < min_indent || (int)i > max_indent || i >= n)
		return false;
	pos = i;
	if (kt_stacksym_next(s, n, &pos, &sym) && sym.name == s + i && !sym.unreliable) {
		if (sym.end < n && s[sym.end] != ' ')
			return false;
		t->sym = sym.name;
		t->sym_len = sym.name_len;
		t->mod = sym.module;
		t->mod_len = sym.module_len;
		t->off = sym.off;
		t->size = sym.size;
		t->has_offset = true;
		return true;
	}
	/* the whole rest one address: tried at I only (after blanks, a
	 * boundary), not searched for along the line */
	if (kt_addrtok_at(s, n, i, &tok) && tok.end == n) {
		t->sym = s + i;
		t->sym_len = n - i;
		t->addr = tok.addr;
		t->is_addr = true;
		return true;
	}
	return false;
}

bool scx_parse_frame(const char *s, size_t n, int min_indent, int max_indent, struct scx_frame *f)
{
	struct ftok t;

	memset(f, 0, sizeof(*f));
	if (!frame_tok(s, n, min_indent, max_indent, &t))
		return false;
	f->symbol = strndup(t.sym, t.sym_len);
	if (t.mod)
		f->module = strndup(t.mod, t.mod_len);
	f->offset = t.off;
	f->size = t.size;
	f->addr = t.addr;
	f->has_offset = t.has_offset;
	f->is_addr = t.is_addr;
	if (!f->symbol || (t.mod && !f->module)) {
		scx_frame_clear(f);
		return false;
	}
	return true;
}

/* A raw-address frame F resolved through T: true with *RES set. */
static bool frame_resolves(const struct scx_frame *f, const struct kt_ksyms *t,
			   struct kt_ksym_res *res)
{
	return f->is_addr && !f->has_offset && !kt_ksyms_resolve(t, f->addr, res);
}

static void frame_set_res(struct scx_frame *f, char *name, char *mod, const struct kt_ksym_res *res)
{
	f->symbol = name;
	f->module = mod;
	f->offset = res->off;
	f->size = res->sym.size;
	f->has_offset = true;
}

void scx_event_resolve(struct scx_event *ev, const struct kt_ksyms *t)
{
	for (size_t i = 0; i < ev->nbt; i++) {
		struct scx_frame *f = &ev->bt[i];
		struct kt_ksym_res res;
		char *name, *mod = NULL;
		bool has_mod;

		if (!frame_resolves(f, t, &res))
			continue;
		has_mod = res.sym.module && !res.sym.bpf;
		name = strdup(res.sym.name);
		if (has_mod)
			mod = strdup(res.sym.module);
		if (!name || (has_mod && !mod)) {
			free(name);
			free(mod);
			continue;
		}
		free(f->symbol);
		free(f->module);
		frame_set_res(f, name, mod, &res);
	}
}

/* scx_event_resolve for the parser's own events (strings in the arena). */
static void event_resolve(struct scx_parser *p, struct scx_event *ev)
{
	for (size_t i = 0; i < ev->nbt; i++) {
		struct scx_frame *f = &ev->bt[i];
		struct kt_ksym_res res;
		char *name, *mod = NULL;
		bool has_mod;

		if (!frame_resolves(f, p->ksyms, &res))
			continue;
		has_mod = res.sym.module && !res.sym.bpf;
		name = edup(p, ev, res.sym.name, strlen(res.sym.name));
		if (has_mod)
			mod = edup(p, ev, res.sym.module, strlen(res.sym.module));
		if (!name || (has_mod && !mod))
			continue;
		frame_set_res(f, name, mod, &res);
	}
}

/* A backtrace frame of an open event: after the event's prefix shape (if
 * the line has it) and any indentation. */
static bool frame_line(const char *shape, size_t sl, const char *t, size_t n, struct ftok *f)
{
	size_t i = shape_body(shape, sl, t, n);

	return frame_tok(t + i, n - i, 0, 0, f);
}

/* ---- kernel printk lines ----------------------------------------------- */

enum { KL_NONE, KL_SCHED, KL_ENABLE, KL_DISABLED, KL_ERRORED };

struct kline {
	const char *name, *rest; /* rest: after "sched_ext: " or "disabled (" */
	size_t name_len, rest_len;
	size_t pre; /* bytes before "sched_ext: " */
	bool sub, partial;
};

/* 'sched_ext: BPF [sub-]scheduler "NAME" …' */
static int kclass_named(const char *t, size_t n, struct kline *k)
{
	const char *q;
	size_t i;

	if (has_prefix(t, n, LIT("BPF scheduler \"")))
		i = sizeof("BPF scheduler \"") - 1;
	else if (has_prefix(t, n, LIT("BPF sub-scheduler \"")))
		i = sizeof("BPF sub-scheduler \"") - 1, k->sub = true;
	else
		return KL_SCHED;
	q = memchr(t + i, '"', n - i);
	if (!q || !valid_name(t + i, (size_t)(q - t) - i))
		return KL_SCHED;
	k->name = t + i;
	k->name_len = (size_t)(q - t) - i;
	i = (size_t)(q - t) + 1;
	t += i;
	n -= i;
	if (n == 8 && !memcmp(t, " enabled", 8))
		return KL_ENABLE;
	if (n == 18 && !memcmp(t, " enabled (partial)", 18)) {
		k->partial = true;
		return KL_ENABLE;
	}
	if (has_prefix(t, n, LIT(" disabled ("))) {
		k->rest = t + 11;
		k->rest_len = n - 11;
		return KL_DISABLED;
	}
	if (!k->sub && n == 19 && !memcmp(t, " errored, disabling", 19))
		return KL_ERRORED;
	return KL_SCHED;
}

/* CAND: the line holds a candidate string (see line_cand); none, no event. */
static int kclassify(bool cand, const char *t, size_t n, struct kline *k)
{
	long a;

	memset(k, 0, sizeof(*k));
	if (!cand)
		return KL_NONE;
	a = has_prefix(t, n, LIT("sched_ext: ")) ? 0 : anchor(t, n, LIT("sched_ext: "), true);
	if (a < 0)
		return KL_NONE;
	k->pre = (size_t)a;
	k->rest = t + a + 11;
	k->rest_len = n - (size_t)a - 11;
	return kclass_named(k->rest, k->rest_len, k);
}

static void kfinish(struct scx_parser *p)
{
	struct scx_event *ev = p->kev;

	p->kev = NULL;
	p->kstate = K_IDLE;
	p->kskip = 0;
	complete(p, ev);
}

/* "sched_ext: NAME: MSG" of the open event */
static bool kmessage(struct scx_parser *p, const struct kline *k)
{
	const char *name = p->kev->scheduler;
	size_t nl = name ? strlen(name) : 0;

	if (!nl || k->rest_len < nl + 2 || memcmp(k->rest, name, nl) || k->rest[nl] != ':' ||
	    k->rest[nl + 1] != ' ')
		return false;
	set_str(p, p->kev, &p->kev->message, k->rest + nl + 2, k->rest_len - nl - 2);
	return true;
}

/* OOT "sched_ext: REASON[ (MSG)]" after "errored, disabling" */
static bool kootreason(struct scx_parser *p, const struct kline *k)
{
	struct reason_msg rm;

	if (!split_reason(k->rest, k->rest_len, false, &rm))
		return false;
	set_str(p, p->kev, &p->kev->reason, rm.r, rm.rl);
	p->kev->kind = scx_kind_from_reason(rm.r, rm.rl);
	if (rm.has_msg)
		set_str(p, p->kev, &p->kev->message, rm.m, rm.ml);
	return true;
}

/* An open kernel event takes the line: true when consumed. */
static bool kcontinue(struct scx_parser *p, const struct kmsg_line *l, int c, const struct kline *k,
		      const char *raw, size_t rawlen)
{
	struct ftok f;

	if (c >= KL_ENABLE)
		return false;
	if (p->kstate != K_AFTER_MSG && p->kstate != K_FRAMES && c == KL_SCHED &&
	    (p->kstate == K_HEAD ? kmessage(p, k) : kootreason(p, k))) {
		p->kstate = K_AFTER_MSG;
		add_raw(p, p->kev, raw, rawlen);
		return true;
	}
	/* frames follow the message, or the disabled line itself when the
	 * message is empty; not a frame after unrelated lines */
	if ((p->kstate >= K_AFTER_MSG || !p->kskip) &&
	    frame_line(p->kshape, p->kshape_len, l->text, l->len, &f)) {
		add_frame(p, p->kev, &f);
		add_raw(p, p->kev, raw, rawlen);
		p->kstate = K_FRAMES;
		return true;
	}
	if (p->kstate == K_AFTER_MSG || p->kstate == K_FRAMES)
		return false;
	return ++p->kskip <= KSKIP_MAX;
}

/*
 * A dmesg "[ts] " right before the kernel string, behind text that hid it
 * from the line parser (a shell prompt: "root@vm:~# [   51.127238] …"): the
 * '[' starts the text or follows a blank.  True with *USEC set.
 */
static bool ts_before(const char *t, size_t pre, uint64_t *usec)
{
	size_t e = pre, b;

	while (e > 0 && t[e - 1] == ' ')
		e--;
	if (!e || t[e - 1] != ']')
		return false;
	for (b = e - 1; b > 0 && t[b] != '['; b--)
		;
	if (t[b] != '[' || (b && t[b - 1] != ' '))
		return false;
	return kmsg_dmesg_ts(t, e, b, usec) == e;
}

static void kstart(struct scx_parser *p, const struct kmsg_line *l, int c, const struct kline *k,
		   const char *raw, size_t rawlen)
{
	struct scx_event *ev;
	const char *close;
	size_t rl;

	if (c < KL_ENABLE)
		return;
	ev = event_new(p, c == KL_ENABLE ? SCX_EV_ENABLE : SCX_EV_EXIT,
		       l->facility > 0 ? SCX_ORIGIN_USER : SCX_ORIGIN_KERNEL, l);
	if (!ev)
		return;
	if (!ev->has_ts && k->pre)
		ev->has_ts = ts_before(l->text, k->pre, &ev->ts_usec);
	ev->scheduler = edup(p, ev, k->name, k->name_len);
	ev->sub = k->sub;
	ev->partial = k->partial;
	add_raw(p, ev, raw, rawlen);
	if (c == KL_ENABLE) {
		complete(p, ev);
		return;
	}
	p->kfmt = l->fmt;
	shape_set(p->kshape, &p->kshape_len, l->text, k->pre);
	if (c == KL_ERRORED) {
		p->kev = ev;
		p->kstate = K_OOT_REASON;
		return;
	}
	close = last_char(k->rest, k->rest_len, ')');
	rl = close ? (size_t)(close - k->rest) : k->rest_len; /* cut line */
	ev->reason = edup(p, ev, k->rest, rl);
	ev->kind = close ? scx_kind_from_reason(k->rest, rl) : SCX_KIND_OTHER;
	if (is_error_kind(ev->kind) || (ev->kind == SCX_KIND_OTHER && l->level != 6)) {
		p->kev = ev;
		p->kstate = K_HEAD;
		return;
	}
	complete(p, ev);
}

/* An unprefixed line inside a prefixed kernel event is another writer's
 * (a scheduler printing to the same console): not the kernel's. */
static bool kforeign(const struct scx_parser *p, const struct kmsg_line *l)
{
	return p->kev && p->kfmt != KMSG_FMT_RAW && l->fmt == KMSG_FMT_RAW;
}

static void kfeed(struct scx_parser *p, const struct kmsg_line *l, const char *raw, size_t rawlen)
{
	struct kline k;
	int c = kclassify(p->lcand, l->text, l->len, &k);

	if (c < KL_ENABLE && kforeign(p, l))
		return;
	if (p->kev) {
		if (kcontinue(p, l, c, &k, raw, rawlen))
			return;
		kfinish(p);
	}
	kstart(p, l, c, &k, raw, rawlen);
}

/* ---- scheduler output (UEI report) ------------------------------------- */

static bool is_rule(const char *t, size_t n)
{
	if (n < 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] != '=')
			return false;
	return true;
}

/* "[…][^C][Error: ]EXIT: …": offset of the text after "EXIT: ", or 0. */
static size_t exit_line(const char *t, size_t n)
{
	long a = anchor(t, n, LIT("EXIT: "), false);

	return a < 0 ? 0 : (size_t)a + 6;
}

/* "…DEBUG DUMP" at the end of the line: the prefix length, or -1. */
static long dump_line(const char *t, size_t n)
{
	if (n < 10 || memcmp(t + n - 10, "DEBUG DUMP", 10))
		return -1;
	if (n > 10 && is_word(t[n - 11]))
		return -1;
	return (long)(n - 10);
}

static void sfinish(struct scx_parser *p)
{
	struct scx_event *ev = p->sev;

	p->sev = NULL;
	p->sstate = S_IDLE;
	p->sskip = 0;
	p->sexit_seen = false;
	p->stentative = false;
	p->sbody = 0;
	complete(p, ev);
}

/* A dump without banner whose header is not followed by a reason: not a dump. */
static void sdrop(struct scx_parser *p)
{
	event_free(p, p->sev);
	p->sev = NULL;
	p->sstate = S_IDLE;
	p->stentative = false;
	p->sbody = 0;
}

/* Reason and message from "  REASON (MSG)" or "EXIT: REASON (MSG)". */
static void sreason(struct scx_parser *p, const struct reason_msg *rm, bool is_exit)
{
	struct scx_event *ev = p->sev;
	int kind = scx_kind_from_reason(rm->r, rm->rl);

	if (!ev->reason || is_exit)
		set_str(p, ev, &ev->reason, rm->r, rm->rl);
	if (rm->has_msg && (!ev->message || is_exit))
		set_str(p, ev, &ev->message, rm->m, rm->ml);
	if (kind != SCX_KIND_OTHER || ev->kind == SCX_KIND_NONE)
		ev->kind = kind;
}

/*
 * The reason of an EXIT: line that no table here knows (a newer kernel's
 * SCX_EXIT_* text): two or more words of letters, digits, '_', '.', '-'
 * (a lower-case letter first, one blank between words, at most 64 bytes),
 * then the end of the line or " (MSG)" to its end.  Kept verbatim, kind
 * other.  Anything looser would take look-alike lines ("EXIT: 0").
 */
static bool future_reason(const char *s, size_t n, struct reason_msg *rm)
{
	size_t i, words = 1;

	if (!n || s[0] < 'a' || s[0] > 'z')
		return false;
	for (i = 0; i < n && i <= 64; i++) {
		char c = s[i];

		if (c == ' ') {
			if (i + 1 < n && s[i + 1] == '(')
				break;
			if (i + 1 >= n || s[i + 1] == ' ')
				return false;
			words++;
		} else if (!is_word(c) && c != '-' && c != '.') {
			return false;
		}
	}
	if (i > 64 || words < 2 || (i < n && s[n - 1] != ')'))
		return false;
	return split_reason(s, n, true, rm);
}

static bool sexit(struct scx_parser *p, const struct kmsg_line *l, size_t off, const char *raw,
		  size_t rawlen)
{
	struct reason_msg rm;
	const char *t = l->text + off;
	size_t n = l->len - off;

	if (!split_reason(t, n, p->sev != NULL, &rm) && !future_reason(t, n, &rm))
		return false;
	if (!p->sev) {
		p->sev = event_new(p, SCX_EV_EXIT, SCX_ORIGIN_SCHEDULER, l);
		if (!p->sev)
			return true;
	}
	add_raw(p, p->sev, raw, rawlen);
	sreason(p, &rm, true);
	sfinish(p);
	return true;
}

static bool sdump_start(struct scx_parser *p, const struct kmsg_line *l, size_t pre,
			const char *raw, size_t rawlen)
{
	if (p->sev)
		sfinish(p);
	shape_set(p->sshape, &p->sshape_len, l->text, pre);
	p->sev = event_new(p, SCX_EV_EXIT, SCX_ORIGIN_SCHEDULER, l);
	if (!p->sev)
		return true;
	add_raw(p, p->sev, raw, rawlen);
	p->sstate = S_BANNER;
	p->sfmt = l->fmt;
	return true;
}

/*
 * "COMM[PID] triggered exit kind N:" / "… exit kind N on CPU C:" (newer
 * kernels: C is the CPU scx_exit() ran on, ei->exit_cpu).  *CPU is -1
 * when the line does not say.
 */
static bool triggered(const char *t, size_t n, uint64_t *code, int64_t *cpu)
{
	static const char key[] = " triggered exit kind ", on[] = " on CPU ";
	size_t i, k = sizeof(key) - 1, j, c;
	uint64_t v, cv;
	long a = find_lit(t, n, 0, key, k);

	if (a < 2 || t[a - 1] != ']')
		return false;
	i = (size_t)a;
	for (j = i - 1; j > 0 && kt_is_digit(t[j - 1]); j--)
		;
	if (j == i - 1 || j < 2 || t[j - 1] != '[')
		return false;
	i += k;
	if (!kt_scan_dec(t, n, &i, &v) || i >= n || (t[i] != ':' && t[i] != ' '))
		return false;
	*code = v;
	*cpu = -1;
	c = i + sizeof(on) - 1;
	if (has_prefix(t + i, n - i, on, sizeof(on) - 1) && kt_scan_dec(t, n, &c, &cv) && c < n &&
	    t[c] == ':' && cv < 1000000000)
		*cpu = (int64_t)cv;
	return true;
}

/* Dump header lines before "Backtrace:". */
static void shead(struct scx_parser *p, const char *t, size_t n, const char *raw, size_t rawlen)
{
	struct scx_event *ev = p->sev;
	const char *colon;
	uint64_t code;
	int64_t cpu;

	if (triggered(t, n, &code, &cpu)) {
		ev->kind = scx_kind_from_code(code);
		ev->cpu = cpu;
		add_raw(p, ev, raw, rawlen);
		p->sstate = S_REASON;
		return;
	}
	colon = memchr(t, ':', n);
	if (!ev->scheduler && colon && valid_name(t, (size_t)(colon - t)) &&
	    (has_prefix(colon, n - (size_t)(colon - t), LIT(": root")) ||
	     has_prefix(colon, n - (size_t)(colon - t), LIT(": sub")))) {
		ev->scheduler = edup(p, ev, t, (size_t)(colon - t));
		ev->sub = colon[2] == 's';
		add_raw(p, ev, raw, rawlen);
	}
}

/* Where a known reason text starts in T, followed by " (" and T ending
 * in ')' (the dump's "  %s (%s)" line): the offset, or -1. */
static long reason_anywhere(const char *t, size_t n)
{
	if (!n || t[n - 1] != ')')
		return -1;
	for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++) {
		size_t k = strlen(reasons[r].text);
		long i = -1;

		while ((i = find_lit(t, n, (size_t)(i + 1), reasons[r].text, k)) >= 0) {
			if (i && is_word(t[i - 1]))
				continue;
			if ((size_t)i + k + 2 <= n && t[i + k] == ' ' && t[i + k + 1] == '(')
				return i;
		}
	}
	return -1;
}

/*
 * A banner-less dump's reason line "PREFIX  REASON (MSG)" whose reason no
 * table knows: where PREFIX ends, i.e. the first two-blank indent before a
 * non-blank whose PREFIX has the shape of the header line's start (the
 * header going on with its COMM, not a blank); -1 when none.
 */
static long indent_split(const struct scx_parser *p, const char *t, size_t n)
{
	for (size_t k = 0; k + 2 < n && k <= SCX_SHAPE_MAX; k++) {
		size_t j;

		if (t[k] != ' ' || t[k + 1] != ' ' || t[k + 2] == ' ')
			continue;
		j = scx_shape_strip(t, k, p->shdr, p->shdr_len);
		if (j != (size_t)-1 && j < p->shdr_len && p->shdr[j] != ' ' && p->shdr[j] != '\t')
			return (long)k;
	}
	return -1;
}

/*
 * The line after "COMM[PID] triggered exit kind N:" is the reason line
 * "  REASON (MSG)" (always with the parentheses).  A dump without its
 * banner stands or falls with it; one with a banner keeps going.
 */
static void sreason_line(struct scx_parser *p, const struct kmsg_line *l, const char *b, size_t bn,
			 const char *raw, size_t rawlen)
{
	struct reason_msg rm;
	long a = -1;

	if (!bn)
		return; /* a blank line added by a copy */
	if (p->stentative) {
		a = reason_anywhere(l->text, l->len);
		if (a > 0) {
			shape_set(p->sshape, &p->sshape_len, l->text, (size_t)a);
			b = l->text + a;
			bn = l->len - (size_t)a;
		} else if (a < 0) {
			long k = indent_split(p, l->text, l->len);

			if (k > 0) { /* an unknown reason behind a prefix */
				shape_set(p->sshape, &p->sshape_len, l->text, (size_t)k);
				b = l->text + k + 2;
				bn = l->len - (size_t)k - 2;
			}
		}
	}
	if ((a >= 0 || (bn && b[bn - 1] == ')')) && split_reason(b, bn, true, &rm) && rm.has_msg) {
		sreason(p, &rm, false);
		add_raw(p, p->sev, raw, rawlen);
		p->stentative = false;
		p->sstate = S_HEAD;
		return;
	}
	if (p->stentative) {
		sdrop(p);
		return;
	}
	p->sstate = S_HEAD;
	shead(p, b, bn, raw, rawlen);
}

/* A line inside a DEBUG DUMP block (always consumed). */
static void sdump_line(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
		       size_t rawlen)
{
	size_t i = shape_body(p->sshape, p->sshape_len, l->text, l->len);
	const char *t = l->text + i;
	size_t n = l->len - i;
	struct ftok f;

	if (p->sstate == S_REASON) {
		sreason_line(p, l, t, n, raw, rawlen);
		return;
	}
	if (is_rule(t, n)) {
		p->sstate = p->sstate == S_BANNER ? S_HEAD : S_AFTER;
		return;
	}
	switch (p->sstate) {
	case S_BANNER:
	case S_HEAD:
		p->sstate = S_HEAD;
		if (n == 10 && !memcmp(t, "Backtrace:", 10)) {
			add_raw(p, p->sev, raw, rawlen);
			p->sstate = S_BT;
			return;
		}
		shead(p, t, n, raw, rawlen);
		return;
	case S_BT:
		if (frame_line(NULL, 0, t, n, &f)) {
			add_frame(p, p->sev, &f);
			add_raw(p, p->sev, raw, rawlen);
			return;
		}
		p->sstate = S_BODY;
		return;
	default:
		/* CPU states, per-task stacks, counters: a dump that lost its
		 * closing rule and EXIT line ends some time */
		if (++p->sbody > SBODY_MAX)
			sfinish(p);
		return;
	}
}

/*
 * The sub-scheduler build's name line "NAME: root" or "NAME: subN-CGID
 * PATH" (the whole line): the length of NAME, or 0.
 */
static size_t name_line(const char *t, size_t n, bool *sub)
{
	const char *colon = memchr(t, ':', n);
	size_t c, rest;

	n = kt_rtrim_len(t, n);
	if (!colon || !valid_name(t, (size_t)(colon - t)))
		return 0;
	c = (size_t)(colon - t);
	rest = n - c;
	*sub = false;
	if (rest == 6 && !memcmp(colon, ": root", 6))
		return c;
	if (rest > 6 && !memcmp(colon, ": sub", 5) && kt_is_digit(colon[5])) {
		*sub = true;
		return c;
	}
	return 0;
}

static void pname_clear(struct scx_parser *p)
{
	free(p->pname);
	free(p->pname_raw);
	p->pname = p->pname_raw = NULL;
}

/* Idle: keep a name line for the banner-less header that may follow it. */
static void pname_note(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
		       size_t rawlen)
{
	bool sub;
	size_t k = name_line(l->text, l->len, &sub);

	if (!k)
		return;
	pname_clear(p);
	p->pname = dupn(p, l->text, k);
	p->pname_raw = dupn(p, raw, rawlen);
	p->pname_line = p->nline;
	p->pname_sub = sub;
}

/* A dump copied without its banner starts at its header line (or at the
 * name line right before it). */
static bool sheader_start(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
			  size_t rawlen)
{
	uint64_t code;
	int64_t cpu;

	if (!triggered(l->text, l->len, &code, &cpu)) {
		pname_note(p, l, raw, rawlen);
		return false;
	}
	p->sev = event_new(p, SCX_EV_EXIT, SCX_ORIGIN_SCHEDULER, l);
	if (!p->sev)
		return true;
	if (p->pname && p->pname_raw && p->pname_line + 1 == p->nline) {
		p->sev->scheduler = edup(p, p->sev, p->pname, strlen(p->pname));
		p->sev->sub = p->pname_sub;
		add_raw(p, p->sev, p->pname_raw, strlen(p->pname_raw));
	}
	pname_clear(p);
	p->sev->kind = scx_kind_from_code(code);
	p->sev->cpu = cpu;
	add_raw(p, p->sev, raw, rawlen);
	p->sstate = S_REASON;
	p->sfmt = l->fmt;
	p->sshape_len = 0;
	p->shdr_len = l->len < sizeof(p->shdr) ? l->len : sizeof(p->shdr);
	memcpy(p->shdr, l->text, p->shdr_len);
	p->stentative = true;
	return true;
}

static bool sfeed(struct scx_parser *p, const struct kmsg_line *l, const char *raw, size_t rawlen)
{
	const char *t = l->text;
	size_t n = l->len, off;
	struct kline k;
	long d;

	/* without a candidate string only an open dump takes the line */
	if (!p->lcand && p->sstate == S_IDLE)
		return false;
	d = p->lcand ? dump_line(t, n) : -1;
	if (d >= 0)
		return sdump_start(p, l, (size_t)d, raw, rawlen);
	off = p->lcand ? exit_line(t, n) : 0;
	if (off)
		return sexit(p, l, off, raw, rawlen);
	if (p->sstate == S_IDLE)
		return sheader_start(p, l, raw, rawlen);
	/* a console mixes kernel lines ([ts]) into the scheduler's output */
	if (l->fmt != p->sfmt)
		return false;
	if (p->sstate == S_AFTER) {
		if (n && ++p->sskip > SSKIP_MAX)
			sfinish(p);
		return false;
	}
	/* kernel event lines interleaved on a console stay the kernel's */
	if (kclassify(p->lcand, t, n, &k) >= KL_ENABLE)
		return false;
	sdump_line(p, l, raw, rawlen);
	return true;
}

/* ---- driver ------------------------------------------------------------ */

void scx_parser_init(struct scx_parser *p, scx_emit_fn emit, void *arg)
{
	memset(p, 0, sizeof(*p));
	p->emit = emit;
	p->arg = arg;
}

void scx_parser_feed_parsed(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
			    size_t rawlen)
{
	p->nline++;
	p->lcand = p->parse_all || line_cand(l->text, l->len);
	if (l->src != KMSG_SRC_KERNEL && sfeed(p, l, raw, rawlen)) {
		if (l->src == KMSG_SRC_UNKNOWN && p->kev && !kforeign(p, l))
			kfinish(p);
		return;
	}
	if (l->src != KMSG_SRC_USER)
		kfeed(p, l, raw, rawlen);
}

/* ": root" or ": subN" at S (a dump's name line, see name_line()) */
static bool name_at(const char *s, size_t n)
{
	return (n >= 6 && !memcmp(s, ": root", 6)) ||
	       (n >= 6 && !memcmp(s, ": sub", 5) && kt_is_digit(s[5]));
}

/*
 * Can this physical line open an event?  Only lines holding "sched_ext: "
 * (kernel), "EXIT: ", ": root"/": subN" (a dump's name line) or ending in
 * "DEBUG DUMP" (scheduler) can; while
 * nothing is open, every other line is skipped without being parsed.
 */
static bool may_open(const char *s, size_t n)
{
	size_t m = kt_rtrim_len(s, n);
	const char *c = s, *end = s + n;

	if (m >= 10 && !memcmp(s + m - 10, "DEBUG DUMP", 10))
		return true;
	if (find_lit(s, n, 0, LIT(" triggered exit kind ")) >= 0)
		return true;
	while ((c = kt_memchr2(c, (size_t)(end - c), ':', ':')) != NULL) {
		size_t i = (size_t)(c - s);

		if (i + 1 < n && c[1] == ' ' &&
		    ((i >= 9 && !memcmp(c - 9, "sched_ext", 9)) ||
		     (i >= 4 && !memcmp(c - 4, "EXIT", 4)) || name_at(c, n - i)))
			return true;
		c++;
	}
	return false;
}

/*
 * The idle scan: the offset of the first byte that may start one of the
 * strings may_open() looks for ("sched_ext", "EXIT", "DEBUG DUMP", "exit
 * kind", ": root", ": subN") or a NUL (the splitter drops NULs, which could join one), and
 * the newlines before it in *NL.  16, 32 or 64 bytes at a time (SSE2,
 * AVX2, AVX-512 VBMI, whichever the CPU has): a candidate needs its first
 * byte and two more at fixed distances, so ordinary text rarely stops
 * the scan.
 */
static bool cand_at(const char *s, size_t n)
{
	switch (s[0]) {
	case 's':
		return n >= 9 && !memcmp(s, "sched_ext", 9);
	case 'E':
		return n >= 4 && !memcmp(s, "EXIT", 4);
	case 'D':
		return n >= 10 && !memcmp(s, "DEBUG DUMP", 10);
	case 'e':
		return n >= 9 && !memcmp(s, "exit kind", 9);
	case ':':
		return name_at(s, n);
	case '\0':
		return true;
	default:
		return false;
	}
}

/*
 * Each needle is tested on three of its bytes in a block (offsets 0, 3
 * and 8, where it has them): "sched_ext" s..e....t, "EXIT" E..T,
 * "DEBUG DUMP" D..U....M, "exit kind" e..t....d, ": root"/": sub" :..o/u;
 * a NUL stops the scan too.  Ordinary text then rarely stops it.
 */
#ifdef __SSE2__
#include <emmintrin.h>

static inline __m128i eq(__m128i a, char c)
{
	return _mm_cmpeq_epi8(a, _mm_set1_epi8(c));
}

static inline __m128i cand_mask(__m128i x0, __m128i x3, __m128i x8)
{
	__m128i m = _mm_and_si128(_mm_and_si128(eq(x0, 's'), eq(x3, 'e')), eq(x8, 't'));

	m = _mm_or_si128(m, _mm_and_si128(eq(x0, 'E'), eq(x3, 'T')));
	m = _mm_or_si128(m, _mm_and_si128(_mm_and_si128(eq(x0, 'D'), eq(x3, 'U')), eq(x8, 'M')));
	m = _mm_or_si128(m, _mm_and_si128(_mm_and_si128(eq(x0, 'e'), eq(x3, 't')), eq(x8, 'd')));
	m = _mm_or_si128(m, _mm_and_si128(eq(x0, ':'), _mm_or_si128(eq(x3, 'o'), eq(x3, 'u'))));
	return _mm_or_si128(m, _mm_cmpeq_epi8(x0, _mm_setzero_si128()));
}

static inline uint64_t sum_bytes(__m128i acc)
{
	__m128i s = _mm_sad_epu8(acc, _mm_setzero_si128());

	return (uint64_t)_mm_cvtsi128_si64(s) +
	       (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s));
}

/*
 * The first 16-byte block from I (while 24 bytes are there) with a
 * candidate bit: its mask in *CM (0: none, I where it stopped); the
 * newlines before it into *C.  No call inside, so the needles stay in
 * registers.
 */
__attribute__((noinline)) static size_t sse2_blocks(const char *s, size_t n, size_t i, uint64_t *c,
						    uint64_t *cm, uint64_t *lm)
{
	const __m128i lf = _mm_set1_epi8('\n');

	while (i + 24 <= n) {
		__m128i acc = _mm_setzero_si128();
		unsigned rounds = 0;

		/* per-byte newline counts, folded before they can wrap */
		for (; i + 24 <= n && rounds < 255; i += 16, rounds++) {
			__m128i x0 = _mm_loadu_si128((const void *)(s + i));
			__m128i x3 = _mm_loadu_si128((const void *)(s + i + 3));
			__m128i x8 = _mm_loadu_si128((const void *)(s + i + 8));
			unsigned m = (unsigned)_mm_movemask_epi8(cand_mask(x0, x3, x8));

			if (m) {
				*c += sum_bytes(acc);
				*cm = m;
				*lm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x0, lf));
				return i;
			}
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x0, lf));
		}
		*c += sum_bytes(acc);
	}
	*cm = 0;
	return i;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCX_HAVE_AVX2 1

#define AVX2 __attribute__((target("avx2")))

/*
 * The same needles by class instead of one compare per needle byte: a
 * byte's class at each of the offsets 0, 3 and 8 is a bit per needle,
 * looked up by its low and its high nibble (two shuffles; a bit whose
 * byte is one character is set in both halves only for that character,
 * a needle that tests no byte at an offset has its bit everywhere there).
 * A candidate starts where the three classes share a bit: the same
 * starts as cand_mask(), in about half the instructions, and the tables
 * fit in registers where the 12 needle vectors did not.
 */
/*
 * Bits: 1 "sched_ext" (s, e, t), 2 "EXIT" (E, T), 4 "DEBUG DUMP" (D, U,
 * M), 8 "exit kind" (e, t, d), 16 ": root" (:, o), 32 ": sub" (:, u), 64
 * NUL.  [offset 0, 3, 8][low, high nibble]; checked against the compare
 * form for all 2^24 byte triples when written.
 */
static const uint8_t nib[3][2][16] __attribute__((aligned(16))) = {
	{{0x40, 0x00, 0x00, 0x01, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00,
	  0x00},
	 {0x40, 0x00, 0x00, 0x30, 0x06, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	  0x00}},
	{{0x40, 0x40, 0x40, 0x40, 0x4a, 0x65, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
	  0x50},
	 {0x40, 0x40, 0x40, 0x40, 0x40, 0x46, 0x51, 0x68, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
	  0x40}},
	{{0x72, 0x72, 0x72, 0x72, 0x7b, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72, 0x76, 0x72,
	  0x72},
	 {0x72, 0x72, 0x72, 0x72, 0x76, 0x72, 0x7a, 0x73, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72, 0x72,
	  0x72}},
};

#define OPAQUE32(v) __asm__("" : "+x"(v))

AVX2 static inline __m256i tab32(const uint8_t *t16)
{
	return _mm256_broadcastsi128_si256(_mm_loadu_si128((const void *)t16));
}

/* X's class bits at one offset */
AVX2 static inline __m256i class32(__m256i x, __m256i lo, __m256i hi, __m256i m15)
{
	__m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(x, m15));
	__m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), m15));

	return _mm256_and_si256(l, h);
}

AVX2 static inline uint64_t sum_bytes32(__m256i acc)
{
	__m256i s = _mm256_sad_epu8(acc, _mm256_setzero_si256());

	return (uint64_t)_mm256_extract_epi64(s, 0) + (uint64_t)_mm256_extract_epi64(s, 1) +
	       (uint64_t)_mm256_extract_epi64(s, 2) + (uint64_t)_mm256_extract_epi64(s, 3);
}

/* sse2_blocks 32 bytes a step (while 40 are there) */
AVX2 __attribute__((noinline)) static size_t avx2_blocks(const char *s, size_t n, size_t i,
							 uint64_t *c, uint64_t *cm, uint64_t *lm)
{
	__m256i lf = _mm256_set1_epi8('\n'), m15 = _mm256_set1_epi8(15), zero;
	__m256i lo0, hi0, lo3, hi3, lo8, hi8;

	lo0 = tab32(nib[0][0]);
	hi0 = tab32(nib[0][1]);
	lo3 = tab32(nib[1][0]);
	hi3 = tab32(nib[1][1]);
	lo8 = tab32(nib[2][0]);
	hi8 = tab32(nib[2][1]);
	zero = _mm256_setzero_si256();
	OPAQUE32(lf);
	OPAQUE32(m15);
	while (i + 40 <= n) {
		__m256i acc = _mm256_setzero_si256();
		unsigned rounds = 0;

		for (; i + 40 <= n && rounds < 255; i += 32, rounds++) {
			__m256i x0 = _mm256_loadu_si256((const void *)(s + i));
			__m256i x3 = _mm256_loadu_si256((const void *)(s + i + 3));
			__m256i x8 = _mm256_loadu_si256((const void *)(s + i + 8));
			__m256i k = _mm256_and_si256(_mm256_and_si256(class32(x0, lo0, hi0, m15),
								      class32(x3, lo3, hi3, m15)),
						     class32(x8, lo8, hi8, m15));

			if (!_mm256_testz_si256(k, k)) {
				*c += sum_bytes32(acc);
				*cm = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(k, zero));
				*lm = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, lf));
				return i;
			}
			acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(x0, lf));
		}
		*c += sum_bytes32(acc);
	}
	*cm = 0;
	return i;
}

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi")))

/*
 * The class tables of one offset for all 128 ASCII bytes, from its two
 * nibble tables: vpermi2b looks a byte's class up in one step by its low
 * seven bits, where the nibbles took two shuffles, two masks and a shift.
 */
AVX512 static inline void tab128(const uint8_t nb[2][16], __m512i *t0, __m512i *t1)
{
	__m512i lo = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)nb[0]));
	__m512i hi = _mm512_broadcast_i32x4(_mm_loadu_si128((const void *)nb[1]));
	__m512i idx = _mm512_set_epi64(0x3f3e3d3c3b3a3938, 0x3736353433323130, 0x2f2e2d2c2b2a2928,
				       0x2726252423222120, 0x1f1e1d1c1b1a1918, 0x1716151413121110,
				       0x0f0e0d0c0b0a0908, 0x0706050403020100);
	__m512i m15 = _mm512_set1_epi8(15), i64 = _mm512_add_epi8(idx, _mm512_set1_epi8(64));

	/* the shift crosses into the byte below: masked like the low nibble */
	*t0 = _mm512_and_si512(
		_mm512_shuffle_epi8(lo, _mm512_and_si512(idx, m15)),
		_mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(idx, 4), m15)));
	*t1 = _mm512_and_si512(
		_mm512_shuffle_epi8(lo, _mm512_and_si512(i64, m15)),
		_mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(i64, 4), m15)));
}

/* avx2_blocks 64 bytes a step (while 72 are there), for CPUs with
 * AVX-512 VBMI; a byte >= 0x80 at offset 0 has no class, as there */
AVX512 __attribute__((noinline)) static size_t
avx512_blocks(const char *s, size_t n, size_t i, uint64_t *c, uint64_t *cm, uint64_t *lm)
{
	__m512i a0, b0, a3, b3, a8, b8, lf = _mm512_set1_epi8('\n');
	uint64_t nl = 0;

	tab128(nib[0], &a0, &b0);
	tab128(nib[1], &a3, &b3);
	tab128(nib[2], &a8, &b8);
	for (; i + 72 <= n; i += 64) {
		__m512i x0 = _mm512_loadu_si512((const void *)(s + i));
		__m512i x3 = _mm512_loadu_si512((const void *)(s + i + 3));
		__m512i x8 = _mm512_loadu_si512((const void *)(s + i + 8));
		__m512i k0 = _mm512_maskz_permutex2var_epi8(~_mm512_movepi8_mask(x0), a0, x0, b0);
		__m512i k3 = _mm512_permutex2var_epi8(a3, x3, b3);
		__m512i k8 = _mm512_permutex2var_epi8(a8, x8, b8);
		/* 0x80: the AND of the three */
		__m512i k = _mm512_ternarylogic_epi32(k0, k3, k8, 0x80);
		__mmask64 m = _mm512_test_epi8_mask(k, k);

		if (m) {
			*c += nl;
			*cm = (uint64_t)m;
			*lm = (uint64_t)_mm512_cmpeq_epi8_mask(x0, lf);
			return i;
		}
		nl += (uint64_t)__builtin_popcountll((uint64_t)_mm512_cmpeq_epi8_mask(x0, lf));
	}
	*c += nl;
	*cm = 0;
	return i;
}
#endif

int scx_simd = -1;

static int simd_level(void)
{
	if (scx_simd < 0) {
		scx_simd = 0;
#ifdef __SSE2__
		scx_simd = 1;
#endif
#ifdef SCX_HAVE_AVX2
		if (__builtin_cpu_supports("avx2"))
			scx_simd = 2;
		if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi"))
			scx_simd = 3;
#endif
	}
	return scx_simd;
}

#if defined(__SSE2__) || defined(SCX_HAVE_AVX2)
typedef size_t (*blocks_fn)(const char *s, size_t n, size_t i, uint64_t *c, uint64_t *cm,
			    uint64_t *lm);

/*
 * Blocks of WIDTH bytes of B (BN bytes) through FN: the offset in B of
 * the first candidate that cand_at() confirms in S, of which B is the
 * part from OFF on (or a padded copy of it), else where FN stopped;
 * newlines into *C.
 */
static size_t scan_blocks(blocks_fn fn, unsigned width, const char *b, size_t bn, const char *s,
			  size_t n, size_t off, uint64_t *c)
{
	size_t i = 0;
	uint64_t cm, lm;

	for (;;) {
		i = fn(b, bn, i, c, &cm, &lm);
		if (!cm)
			return i;
		for (; cm; cm &= cm - 1) {
			unsigned j = (unsigned)__builtin_ctzll(cm);
			size_t at = off + i + j;

			if (at < n && cand_at(s + at, n - at)) {
				/* LM: the block's newlines; those before J */
				*c += (uint64_t)__builtin_popcountll(lm & ((1ull << j) - 1));
				return i + j;
			}
		}
		*c += (uint64_t)__builtin_popcountll(lm); /* none confirmed: on */
		i += width;
	}
}

/*
 * The first candidate in S from I on, or N.  What is left after the last
 * whole step (fewer bytes than a step reads: WIDTH, NEED with the
 * offsets 3 and 8), and a line shorter than one step and that, are
 * scanned in a copy padded with 0xff, which is no needle's first byte:
 * short lines (frames, messages) take one call and a block or two.
 */
static size_t scan_from(blocks_fn fn, unsigned width, unsigned need, const char *s, size_t n,
			size_t i, uint64_t *c)
{
	char pad[2 * 64 + 72];
	size_t k, left = n - i, bn;

	if (left >= width + need) {
		i += scan_blocks(fn, width, s + i, n - i, s, n, i, c);
		if (i + need <= n)
			return i;
		left = n - i;
	}
	if (!left)
		return n;
	/* LEFT < WIDTH + NEED: enough whole blocks to cover it */
	bn = (left + width - 1) / width * width + need - width;
	memset(pad, 0xff, bn);
	memcpy(pad, s + i, left);
	k = scan_blocks(fn, width, pad, bn, s, n, i, c);
	return k < left ? i + k : n;
}
#endif

static size_t scan_cand(const char *s, size_t n, uint64_t *nl)
{
	size_t i = 0;
	uint64_t c = 0;
	int lvl = simd_level();

	(void)lvl;
#ifdef SCX_HAVE_AVX2
	if (lvl >= 3) {
		i = scan_from(avx512_blocks, 64, 72, s, n, 0, &c);
		*nl += c;
		return i;
	}
	if (lvl >= 2) {
		i = scan_from(avx2_blocks, 32, 40, s, n, 0, &c);
		*nl += c;
		return i;
	}
#endif
#ifdef __SSE2__
	if (lvl >= 1) {
		i = scan_from(sse2_blocks, 16, 24, s, n, 0, &c);
		*nl += c;
		return i;
	}
#endif
	for (; i < n; i++) {
		char ch = s[i];

		/* cand_at's first bytes, tested here: most bytes are none */
		if ((ch == 's' || ch == 'E' || ch == 'D' || ch == 'e' || ch == ':' || !ch) &&
		    cand_at(s + i, n - i))
			break;
		c += ch == '\n';
	}
	*nl += c;
	return i;
}

/* Does S hold one of the strings an event line needs (or a NUL)?  A line
 * without any is classified as nothing without searching it. */
static bool line_cand(const char *s, size_t n)
{
	uint64_t nl = 0;

	return scan_cand(s, n, &nl) < n;
}

/* Keep the record/dictionary state right for a skipped line. */
static void skip_line(struct scx_parser *p, const char *s, size_t n)
{
	struct kmsg_line l;

	p->nline++;
	if (n && s[0] == ' ')
		return; /* dictionary line, or text: state unchanged */
	p->kctx.after_record =
		n && s[0] >= '0' && s[0] <= '9' && kmsg_parse_record_header(s, n, &l) >= 0;
}

size_t scx_parser_skip(struct scx_parser *p, const char *data, size_t n, uint64_t *lines)
{
	uint64_t nl = 0;
	size_t c, ls, e;

	if (p->parse_all || p->kev || p->sev || p->ndone)
		return 0;
	c = scan_cand(data, n, &nl);
	/* back to the start of the candidate's line (or of the last partial one) */
	for (ls = c; ls > 0 && data[ls - 1] != '\n'; ls--)
		;
	if (!ls)
		return 0;
	p->nline += nl;
	if (lines)
		*lines += nl;
	/* the last skipped line not starting with a blank decides whether a
	 * dictionary line may follow (skip_line's rule) */
	for (e = ls - 1;;) { /* data[e] is the '\n' ending line [b, e) */
		size_t b = e;

		while (b > 0 && data[b - 1] != '\n')
			b--;
		if (b == e || data[b] != ' ') {
			struct kmsg_line l;

			p->kctx.after_record = b < e && data[b] >= '0' && data[b] <= '9' &&
					       kmsg_parse_record_header(data + b, e - b, &l) >= 0;
			break;
		}
		if (!b)
			break;
		e = b - 1;
	}
	return ls;
}

void scx_parser_feed(struct scx_parser *p, char *line, size_t len)
{
	struct kmsg_line l;

	if (!p->parse_all && !p->kev && !p->sev && !p->ndone && !may_open(line, len)) {
		skip_line(p, line, len);
		return;
	}

	for (;;) {
		size_t j, cut;

		if (!kmsg_parse_line(&p->kctx, line, len, &l)) {
			p->nline++;
			return;
		}
		if (l.fmt == KMSG_FMT_RECORD) {
			/* text was unescaped in place: raw is header + text */
			len = (size_t)(l.text - line) + l.len;
			break;
		}
		if (!l.has_ts)
			break;
		j = kmsg_joined_split(l.text, l.len);
		if (j >= l.len)
			break;
		cut = (size_t)(l.text - line) + j;
		l.len = kt_rtrim_len(l.text, j);
		scx_parser_feed_parsed(p, &l, line, cut);
		p->nline--; /* the records joined on it share its line number */
		line += cut;
		len -= cut;
	}
	scx_parser_feed_parsed(p, &l, line, len);
}

bool scx_parser_pending(const struct scx_parser *p)
{
	return p->kev || p->sev || p->ndone;
}

void scx_parser_flush(struct scx_parser *p)
{
	if (p->kev)
		kfinish(p);
	if (p->sev)
		sfinish(p);
	drain(p, true);
}

void scx_parser_free(struct scx_parser *p)
{
	pname_clear(p);
	event_free(p, p->kev);
	event_free(p, p->sev);
	for (int i = 0; i < p->ndone; i++)
		event_free(p, p->done[i]);
	free(p->spare);
	p->spare = NULL;
	p->kev = p->sev = NULL;
	p->ndone = 0;
}

struct window {
	struct scx_parser p;
	struct kmsg_splitter sp;
};

static void window_line(char *line, size_t len, void *arg)
{
	struct window *w = arg;

	w->p.line_cut = w->sp.overlong;
	scx_parser_feed(&w->p, line, len);
}

static size_t window_skip(void *arg, const char *data, size_t n)
{
	struct window *w = arg;

	return scx_parser_skip(&w->p, data, n, NULL);
}

long scx_parse_window(const char *buf, size_t len, size_t maxline, scx_emit_fn emit, void *arg)
{
	struct window w;
	long n;

	scx_parser_init(&w.p, emit, arg);
	if (kmsg_split_init(&w.sp, maxline, window_line, &w))
		return -1;
	w.sp.skip = window_skip;
	kmsg_split_feed(&w.sp, buf, len);
	kmsg_split_finish(&w.sp);
	scx_parser_flush(&w.p);
	n = (long)w.p.nevents;
	scx_parser_free(&w.p);
	kmsg_split_free(&w.sp);
	return n;
}

/* ---- SCX_EV_* counters ---- */

bool scx_counter_key(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	if (has_prefix(s, n, LIT("SCX_EV_"))) {
		s += 7;
		n -= 7;
	}
	if (!n || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_word(s[i]))
			return false;
		out[o++] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	}
	out[o] = 0;
	return true;
}

bool scx_counter_line(const char *s, size_t n, struct scx_counter *c)
{
	size_t i = 0, a, k;
	uint64_t v;
	bool neg;

	n = kt_rtrim_len(s, n);
	while (i < n && s[i] == ' ')
		i++;
	a = i;
	while (i < n && (is_word(s[i])))
		i++;
	if (i == a)
		return false;
	k = i;
	if (i < n && s[i] == ':')
		i++;
	if (i == n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	neg = i < n && s[i] == '-';
	i += neg;
	if (!kt_scan_dec(s, n, &i, &v) || i != n || v > INT64_MAX)
		return false;
	if (!scx_counter_key(s + a, k - a, c->name, sizeof(c->name)))
		return false;
	c->value = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

size_t scx_dump_counters(const char *s, size_t n, struct scx_counter *out, size_t max)
{
	enum { SEEK_EXIT, SEEK_HEAD, SEEK_RULE, ROWS } st = SEEK_EXIT;
	size_t got = 0;

	for (size_t i = 0; i < n && got < max;) {
		const char *e = memchr(s + i, '\n', n - i), *t = s + i;
		size_t len = e ? (size_t)(e - t) : n - i, tl = kt_rtrim_len(t, len);
		uint64_t code;
		int64_t cpu;

		i += len + 1;
		switch (st) {
		case SEEK_EXIT:
			/* a SysRq-D dump (kind 0) is not an exit's */
			if (triggered(t, tl, &code, &cpu) && code)
				st = SEEK_HEAD;
			break;
		case SEEK_HEAD:
			if (tl == 14 && !memcmp(t, "Event counters", 14))
				st = SEEK_RULE;
			else if (triggered(t, tl, &code, &cpu))
				st = code ? SEEK_HEAD : SEEK_EXIT; /* the next dump */
			break;
		case SEEK_RULE:
			for (size_t j = 0; j < tl; j++)
				if (t[j] != '-')
					return 0;
			if (!tl)
				return 0;
			st = ROWS;
			break;
		case ROWS:
			if (!scx_counter_line(t, tl, &out[got]))
				return got;
			got++;
			break;
		}
	}
	return got;
}
