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
enum { S_IDLE, S_BANNER, S_HEAD, S_BT, S_BODY, S_AFTER };

/* unrelated lines tolerated between a disabled line and its message */
#define KSKIP_MAX 8
/* non-blank lines tolerated between a dump's end and its EXIT line */
#define SSKIP_MAX 16
#define SCX_NAME_MAX 127 /* SCX_OPS_NAME_LEN - 1 */

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

static bool has_prefix(const char *s, size_t n, const char *p, size_t pn)
{
	return n >= pn && !memcmp(s, p, pn);
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

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || kt_is_digit(c) || c == '_' ||
		      c == '.'))
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

static void event_free(struct scx_event *ev)
{
	if (!ev)
		return;
	free(ev->scheduler);
	free(ev->reason);
	free(ev->message);
	free(ev->stall_comm);
	for (size_t i = 0; i < ev->nbt; i++)
		scx_frame_clear(&ev->bt[i]);
	free(ev->bt);
	for (size_t i = 0; i < ev->nraw; i++)
		free(ev->raw[i]);
	free(ev->raw);
	free(ev);
}

static void set_str(struct scx_parser *p, char **dst, const char *s, size_t n)
{
	free(*dst);
	*dst = dupn(p, s, n);
}

static void add_raw(struct scx_parser *p, struct scx_event *ev, const char *s, size_t n)
{
	char *d;

	if (ev->nraw >= SCX_MAX_RAW)
		return;
	if (!ev->raw) {
		ev->raw = calloc(SCX_MAX_RAW, sizeof(*ev->raw));
		if (!ev->raw) {
			p->oom++;
			return;
		}
	}
	n = kt_rtrim_len(s, n);
	d = dupn(p, s, n < SCX_MAX_RAWLEN ? n : SCX_MAX_RAWLEN);
	if (d)
		ev->raw[ev->nraw++] = d;
}

/* Takes ownership of F's strings. */
static void add_frame(struct scx_parser *p, struct scx_event *ev, struct scx_frame *f)
{
	if (ev->nbt >= SCX_MAX_FRAMES)
		goto drop;
	if (!ev->bt) {
		ev->bt = calloc(SCX_MAX_FRAMES, sizeof(*ev->bt));
		if (!ev->bt) {
			p->oom++;
			goto drop;
		}
	}
	ev->bt[ev->nbt++] = *f;
	return;
drop:
	scx_frame_clear(f);
}

static struct scx_event *event_new(struct scx_parser *p, int type, int origin,
				   const struct kmsg_line *l)
{
	struct scx_event *ev = calloc(1, sizeof(*ev));

	if (!ev) {
		p->oom++;
		return NULL;
	}
	ev->type = type;
	ev->origin = origin;
	ev->level = l->level;
	ev->has_ts = l->has_ts;
	ev->ts_usec = l->ts_usec;
	ev->has_seq = l->has_seq;
	ev->seq = l->seq;
	ev->line = p->nline;
	return ev;
}

static void event_finalize(struct scx_parser *p, struct scx_event *ev)
{
	const char *c;
	size_t cl;

	if (ev->type == SCX_EV_EXIT && ev->kind == SCX_KIND_NONE)
		ev->kind = SCX_KIND_OTHER;
	if (ev->kind == SCX_KIND_ERROR_STALL && ev->message &&
	    scx_parse_stall(ev->message, strlen(ev->message), &c, &cl, &ev->stall_pid,
			    &ev->stall_msec)) {
		ev->stall_comm = dupn(p, c, cl);
		ev->has_stall = ev->stall_comm != NULL;
	}
	if (p->ksyms)
		scx_event_resolve(ev, p->ksyms);
}

static void emit_one(struct scx_parser *p, struct scx_event *ev)
{
	p->nevents++;
	if (p->emit)
		p->emit(ev, p->arg);
	event_free(ev);
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

bool scx_parse_frame(const char *s, size_t n, int min_indent, int max_indent, struct scx_frame *f)
{
	struct kt_stacksym sym;
	struct kt_addrtok tok;
	size_t i = 0, pos;

	memset(f, 0, sizeof(*f));
	n = kt_rtrim_len(s, n);
	while (i < n && s[i] == ' ')
		i++;
	if ((int)i < min_indent || (int)i > max_indent || i >= n)
		return false;
	pos = i;
	if (kt_stacksym_next(s, n, &pos, &sym) && sym.name == s + i && !sym.unreliable) {
		if (sym.end < n && s[sym.end] != ' ')
			return false;
		f->symbol = strndup(sym.name, sym.name_len);
		if (sym.module)
			f->module = strndup(sym.module, sym.module_len);
		f->offset = sym.off;
		f->size = sym.size;
		f->has_offset = true;
		if (!f->symbol || (sym.module && !f->module)) {
			scx_frame_clear(f);
			return false;
		}
		return true;
	}
	pos = i;
	if (kt_addrtok_next(s, n, &pos, &tok) && tok.start == i && tok.end == n) {
		f->symbol = strndup(s + i, n - i);
		f->addr = tok.addr;
		f->is_addr = true;
		return f->symbol != NULL;
	}
	return false;
}

void scx_event_resolve(struct scx_event *ev, const struct kt_ksyms *t)
{
	for (size_t i = 0; i < ev->nbt; i++) {
		struct scx_frame *f = &ev->bt[i];
		struct kt_ksym_res res;
		char *name, *mod = NULL;

		if (!f->is_addr || f->has_offset || kt_ksyms_resolve(t, f->addr, &res))
			continue;
		name = strdup(res.sym.name);
		if (res.sym.module && !res.sym.bpf)
			mod = strdup(res.sym.module);
		if (!name || (res.sym.module && !res.sym.bpf && !mod)) {
			free(name);
			free(mod);
			continue;
		}
		free(f->symbol);
		free(f->module);
		f->symbol = name;
		f->module = mod;
		f->offset = res.off;
		f->size = res.sym.size;
		f->has_offset = true;
	}
}

/* ---- kernel printk lines ----------------------------------------------- */

enum { KL_NONE, KL_SCHED, KL_ENABLE, KL_DISABLED, KL_ERRORED };

struct kline {
	const char *name, *rest; /* rest: after "sched_ext: " or "disabled (" */
	size_t name_len, rest_len;
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

static int kclassify(const char *t, size_t n, struct kline *k)
{
	memset(k, 0, sizeof(*k));
	if (!has_prefix(t, n, LIT("sched_ext: ")))
		return KL_NONE;
	k->rest = t + 11;
	k->rest_len = n - 11;
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
	set_str(p, &p->kev->message, k->rest + nl + 2, k->rest_len - nl - 2);
	return true;
}

/* OOT "sched_ext: REASON[ (MSG)]" after "errored, disabling" */
static bool kootreason(struct scx_parser *p, const struct kline *k)
{
	struct reason_msg rm;

	if (!split_reason(k->rest, k->rest_len, false, &rm))
		return false;
	set_str(p, &p->kev->reason, rm.r, rm.rl);
	p->kev->kind = scx_kind_from_reason(rm.r, rm.rl);
	if (rm.has_msg)
		set_str(p, &p->kev->message, rm.m, rm.ml);
	return true;
}

/* An open kernel event takes the line: true when consumed. */
static bool kcontinue(struct scx_parser *p, const struct kmsg_line *l, int c, const struct kline *k,
		      const char *raw, size_t rawlen)
{
	struct scx_frame f;

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
	if ((p->kstate >= K_AFTER_MSG || !p->kskip) && scx_parse_frame(l->text, l->len, 2, 3, &f)) {
		add_frame(p, p->kev, &f);
		add_raw(p, p->kev, raw, rawlen);
		p->kstate = K_FRAMES;
		return true;
	}
	if (p->kstate == K_AFTER_MSG || p->kstate == K_FRAMES)
		return false;
	return ++p->kskip <= KSKIP_MAX;
}

static void kstart(struct scx_parser *p, const struct kmsg_line *l, int c, const struct kline *k,
		   const char *raw, size_t rawlen)
{
	struct scx_event *ev;
	const char *close;
	size_t rl;

	if (c < KL_ENABLE)
		return;
	ev = event_new(p, c == KL_ENABLE ? SCX_EV_ENABLE : SCX_EV_EXIT, SCX_ORIGIN_KERNEL, l);
	if (!ev)
		return;
	ev->scheduler = dupn(p, k->name, k->name_len);
	ev->sub = k->sub;
	ev->partial = k->partial;
	add_raw(p, ev, raw, rawlen);
	if (c == KL_ENABLE) {
		complete(p, ev);
		return;
	}
	p->kfmt = l->fmt;
	if (c == KL_ERRORED) {
		p->kev = ev;
		p->kstate = K_OOT_REASON;
		return;
	}
	close = last_char(k->rest, k->rest_len, ')');
	rl = close ? (size_t)(close - k->rest) : k->rest_len; /* cut line */
	ev->reason = dupn(p, k->rest, rl);
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
	int c = kclassify(l->text, l->len, &k);

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

/* "[^C][Error: ]EXIT: …": offset of the text after "EXIT: ", or 0. */
static size_t exit_line(const char *t, size_t n)
{
	size_t i = 0;

	if (has_prefix(t, n, LIT("^C")))
		i = 2;
	if (has_prefix(t + i, n - i, LIT("Error: ")))
		i += 7;
	if (!has_prefix(t + i, n - i, LIT("EXIT: ")))
		return 0;
	return i + 6;
}

static void sfinish(struct scx_parser *p)
{
	struct scx_event *ev = p->sev;

	p->sev = NULL;
	p->sstate = S_IDLE;
	p->sskip = 0;
	p->sexit_seen = false;
	complete(p, ev);
}

/* Reason and message from "  REASON (MSG)" or "EXIT: REASON (MSG)". */
static void sreason(struct scx_parser *p, const struct reason_msg *rm, bool is_exit)
{
	struct scx_event *ev = p->sev;
	int kind = scx_kind_from_reason(rm->r, rm->rl);

	if (!ev->reason || is_exit)
		set_str(p, &ev->reason, rm->r, rm->rl);
	if (rm->has_msg && (!ev->message || is_exit))
		set_str(p, &ev->message, rm->m, rm->ml);
	if (kind != SCX_KIND_OTHER || ev->kind == SCX_KIND_NONE)
		ev->kind = kind;
}

static bool sexit(struct scx_parser *p, const struct kmsg_line *l, size_t off, const char *raw,
		  size_t rawlen)
{
	struct reason_msg rm;

	if (!split_reason(l->text + off, l->len - off, p->sev != NULL, &rm))
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

static bool sdump_start(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
			size_t rawlen)
{
	if (p->sev)
		sfinish(p);
	p->sev = event_new(p, SCX_EV_EXIT, SCX_ORIGIN_SCHEDULER, l);
	if (!p->sev)
		return true;
	add_raw(p, p->sev, raw, rawlen);
	p->sstate = S_BANNER;
	p->sfmt = l->fmt;
	return true;
}

/* "COMM[PID] triggered exit kind N:" / "… exit kind N on CPU C:" */
static bool triggered(const char *t, size_t n, uint64_t *code)
{
	static const char key[] = " triggered exit kind ";
	size_t i, k = sizeof(key) - 1;
	uint64_t v = 0;

	for (i = 0; i + k <= n; i++)
		if (!memcmp(t + i, key, k))
			break;
	if (i + k > n || !i || t[i - 1] != ']')
		return false;
	i += k;
	if (i >= n || !kt_is_digit(t[i]))
		return false;
	while (i < n && kt_is_digit(t[i]) && v < 1000000000)
		v = v * 10 + (uint64_t)(t[i++] - '0');
	if (i >= n || (t[i] != ':' && t[i] != ' '))
		return false;
	*code = v;
	return true;
}

/* Dump header lines before "Backtrace:". */
static void shead(struct scx_parser *p, const char *t, size_t n, const char *raw, size_t rawlen)
{
	struct scx_event *ev = p->sev;
	struct reason_msg rm;
	const char *colon;
	uint64_t code;

	if (triggered(t, n, &code)) {
		ev->kind = scx_kind_from_code(code);
		add_raw(p, ev, raw, rawlen);
		return;
	}
	if (n > 2 && t[0] == ' ' && t[1] == ' ' && t[2] != ' ' && !ev->reason &&
	    split_reason(t + 2, n - 2, true, &rm)) {
		sreason(p, &rm, false);
		add_raw(p, ev, raw, rawlen);
		return;
	}
	colon = memchr(t, ':', n);
	if (!ev->scheduler && colon && valid_name(t, (size_t)(colon - t)) &&
	    (has_prefix(colon, n - (size_t)(colon - t), LIT(": root")) ||
	     has_prefix(colon, n - (size_t)(colon - t), LIT(": sub")))) {
		ev->scheduler = dupn(p, t, (size_t)(colon - t));
		ev->sub = colon[2] == 's';
		add_raw(p, ev, raw, rawlen);
	}
}

/* A line inside a DEBUG DUMP block (always consumed). */
static void sdump_line(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
		       size_t rawlen)
{
	const char *t = l->text;
	size_t n = l->len;
	struct scx_frame f;

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
		if (scx_parse_frame(t, n, 2, 2, &f)) {
			add_frame(p, p->sev, &f);
			add_raw(p, p->sev, raw, rawlen);
			return;
		}
		p->sstate = S_BODY;
		return;
	default:
		return; /* CPU states, per-task stacks, counters */
	}
}

static bool sfeed(struct scx_parser *p, const struct kmsg_line *l, const char *raw, size_t rawlen)
{
	const char *t = l->text;
	size_t n = l->len, off;
	struct kline k;

	if (n == 10 && !memcmp(t, "DEBUG DUMP", 10))
		return sdump_start(p, l, raw, rawlen);
	off = exit_line(t, n);
	if (off)
		return sexit(p, l, off, raw, rawlen);
	if (p->sstate == S_IDLE)
		return false;
	/* a console mixes kernel lines ([ts]) into the scheduler's output */
	if (l->fmt != p->sfmt)
		return false;
	if (p->sstate == S_AFTER) {
		if (n && ++p->sskip > SSKIP_MAX)
			sfinish(p);
		return false;
	}
	/* kernel event lines interleaved on a console stay the kernel's */
	if (kclassify(t, n, &k) >= KL_ENABLE)
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
	if (l->src != KMSG_SRC_KERNEL && sfeed(p, l, raw, rawlen)) {
		if (l->src == KMSG_SRC_UNKNOWN && p->kev && !kforeign(p, l))
			kfinish(p);
		return;
	}
	if (l->src != KMSG_SRC_USER)
		kfeed(p, l, raw, rawlen);
}

/*
 * Can this physical line open an event?  Only lines holding "sched_ext: "
 * (kernel), "EXIT: " or ending in "DEBUG DUMP" (scheduler) can; while
 * nothing is open, every other line is skipped without being parsed.
 */
static bool may_open(const char *s, size_t n)
{
	size_t m = kt_rtrim_len(s, n);
	const char *c = s, *end = s + n;

	if (m >= 10 && !memcmp(s + m - 10, "DEBUG DUMP", 10))
		return true;
	while ((c = memchr(c, ':', (size_t)(end - c))) != NULL) {
		size_t i = (size_t)(c - s);

		if (i + 1 < n && c[1] == ' ' &&
		    ((i >= 9 && !memcmp(c - 9, "sched_ext", 9)) ||
		     (i >= 4 && !memcmp(c - 4, "EXIT", 4))))
			return true;
		c++;
	}
	return false;
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
	event_free(p->kev);
	event_free(p->sev);
	for (int i = 0; i < p->ndone; i++)
		event_free(p->done[i]);
	p->kev = p->sev = NULL;
	p->ndone = 0;
}

static void window_line(char *line, size_t len, void *arg)
{
	scx_parser_feed(arg, line, len);
}

long scx_parse_window(const char *buf, size_t len, size_t maxline, scx_emit_fn emit, void *arg)
{
	struct scx_parser p;
	struct kmsg_splitter sp;
	long n;

	scx_parser_init(&p, emit, arg);
	if (kmsg_split_init(&sp, maxline, window_line, &p))
		return -1;
	kmsg_split_feed(&sp, buf, len);
	kmsg_split_finish(&sp);
	scx_parser_flush(&p);
	n = (long)p.nevents;
	scx_parser_free(&p);
	kmsg_split_free(&sp);
	return n;
}
