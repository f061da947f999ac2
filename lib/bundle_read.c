// SPDX-License-Identifier: MIT
/*
 * Loading a failure bundle (see bundle_read.h): the manifest, then each
 * part by the code of the applet that wrote it.  Nothing here is fatal
 * but an unreadable PATH: every other problem is one note.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "bpfsnap.h"
#include "bundle_read.h"
#include "file.h"
#include "json.h"
#include "kallsyms.h"
#include "text.h"

static const char *const part_names[] = KT_BUNDLE_PART_NAMES;
static const char *const status_names[] = KT_BUNDLE_STATUS_NAMES;

const char *kt_bundle_part_name(unsigned part)
{
	return part < KT_PART_NR ? part_names[part] : "?";
}

const char *kt_bundle_status_name(enum kt_part_status s)
{
	return (unsigned)s <= KT_PART_UNAVAILABLE ? status_names[s] : "?";
}

void kt_bundle_why(const struct kt_bundle *b, unsigned part, struct kt_buf *out)
{
	const struct kt_bpart *p = part < KT_PART_NR ? &b->parts[part] : NULL;

	if (!p || !p->listed || p->status == KT_PART_OK)
		return;
	kt_buf_printf(out, " (part %s %s%s%s)", part_names[part], status_names[p->status],
		      p->reason ? ": " : "", p->reason ? p->reason : "");
}

void kt_bundle_note(struct kt_bundle *b, const char *fmt, ...)
{
	char **n;
	va_list ap;
	char *s;

	if (b->nnotes >= 1000)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	n = realloc(b->notes, (b->nnotes + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return;
	}
	b->notes = n;
	b->notes[b->nnotes++] = s;
}

/* ---- small readers ---------------------------------------------------- */

static char *bpath(const struct kt_bundle *b, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", b->dir, name) < 0)
		return NULL;
	return p;
}

static bool exists(const struct kt_bundle *b, const char *name)
{
	char *p = bpath(b, name);
	struct stat st;
	bool r = p && !stat(p, &st);

	free(p);
	return r;
}

/* The part a file belongs to, for "missing: part says why" notes. */
static int part_of(const char *name)
{
	static const struct {
		const char *f;
		int part;
	} map[] = {
		{KT_BUNDLE_HOSTCTX, KT_PART_HOSTCTX},	  {KT_BUNDLE_HOSTCTX_DIFF, KT_PART_HOSTCTX},
		{KT_BUNDLE_KMSG, KT_PART_KMSG},		  {KT_BUNDLE_EVENTS, KT_PART_EVENTS},
		{KT_BUNDLE_BACKTRACE, KT_PART_EVENTS},	  {KT_BUNDLE_SCHED_EXT, KT_PART_SCHED_EXT},
		{KT_BUNDLE_KALLSYMS, KT_PART_KALLSYMS},	  {KT_BUNDLE_MAPS "/", KT_PART_MAPS},
		{KT_BUNDLE_TIMELINE, KT_PART_TIMELINE},	  {KT_BUNDLE_TRACE, KT_PART_TIMELINE},
		{KT_BUNDLE_SCHED_OUT, KT_PART_SCHEDULER}, {KT_BUNDLE_SCHED_ERR, KT_PART_SCHEDULER},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].f, name))
			return map[i].part;
	return -1;
}

static void note_missing(struct kt_bundle *b, const char *name, int err)
{
	int part = part_of(name);
	const struct kt_bpart *p = part >= 0 ? &b->parts[part] : NULL;

	if (err != ENOENT) {
		kt_bundle_note(b, "%s: cannot read: %s", name, strerror(err));
		return;
	}
	if (p && p->listed && p->status != KT_PART_OK)
		kt_bundle_note(b, "%s: not in the bundle: part %s %s%s%s", name, part_names[part],
			       status_names[p->status], p->reason ? ": " : "",
			       p->reason ? p->reason : "");
	else if (p && p->listed)
		kt_bundle_note(b, "%s: not in the bundle although part %s says ok", name,
			       part_names[part]);
	else
		kt_bundle_note(b, "%s: not in the bundle%s", name,
			       b->has_manifest ? " (the manifest does not list its part)" : "");
}

/* A whole file of at most CAP bytes; a missing one is noted unless QUIET. */
static char *slurp(struct kt_bundle *b, const char *name, size_t cap, size_t *len, bool quiet)
{
	char *p = bpath(b, name), *s;
	size_t n = 0;

	if (!p)
		return NULL;
	s = kt_read_file(NULL, p, cap, &n);
	if (!s && errno == EFBIG) {
		kt_bundle_note(b, "%s: larger than %zu MiB: not read", name, cap >> 20);
	} else if (!s && !(quiet && errno == ENOENT)) {
		note_missing(b, name, errno);
	}
	free(p);
	if (len)
		*len = s ? n : 0;
	return s;
}

const char *kt_bundle_jstr(const struct jr_val *o, const char *k)
{
	const struct jr_val *v = jr_get(o, k);

	return v && v->type == JR_STRING ? v->str.s : NULL;
}

static bool jnum(const struct jr_val *o, const char *k, double *d, uint64_t *u)
{
	const struct jr_val *v = jr_get(o, k);

	if (!v || v->type != JR_NUMBER)
		return false;
	if (d)
		*d = v->num.d;
	if (u)
		*u = v->num.is_u64 ? v->num.u : (v->num.d > 0 ? (uint64_t)v->num.d : 0);
	return true;
}

/* ---- manifest ------------------------------------------------------------ */

static void load_time(const struct jr_val *times, const char *k, struct kt_btime *t)
{
	const struct jr_val *v = jr_get(times, k);

	if (!v || v->type != JR_OBJECT)
		return;
	t->has = jnum(v, "mono_ns", NULL, &t->mono_ns);
	jnum(v, "real_ns", NULL, &t->real_ns);
}

static void load_parts(struct kt_bundle *b, const struct jr_val *parts)
{
	if (!parts || parts->type != JR_ARRAY) {
		kt_bundle_note(b, "%s: no \"parts\" array: part statuses unknown",
			       KT_BUNDLE_MANIFEST);
		return;
	}
	for (size_t i = 0; i < parts->arr.n; i++) {
		const struct jr_val *p = &parts->arr.v[i];
		const char *name = kt_bundle_jstr(p, "name"), *st = kt_bundle_jstr(p, "status");
		unsigned k, s;

		for (k = 0; name && k < KT_PART_NR && strcmp(name, part_names[k]); k++)
			;
		if (!name || k == KT_PART_NR) {
			kt_bundle_note(b, "%s: part %zu: unknown name '%s': ignored",
				       KT_BUNDLE_MANIFEST, i, name ? name : "(none)");
			continue;
		}
		for (s = 1; st && s <= KT_PART_UNAVAILABLE && strcmp(st, status_names[s]); s++)
			;
		b->parts[k].listed = true;
		b->parts[k].status = st && s <= KT_PART_UNAVAILABLE ? s : KT_PART_UNSET;
		b->parts[k].reason = kt_bundle_jstr(p, "reason");
		jnum(p, "bytes", NULL, &b->parts[k].bytes);
		if (!b->parts[k].status)
			kt_bundle_note(b, "%s: part %s: unknown status '%s'", KT_BUNDLE_MANIFEST,
				       name, st ? st : "(none)");
	}
}

static void load_manifest(struct kt_bundle *b)
{
	struct jr_err err = {0};
	const struct jr_val *host, *times, *v;
	size_t len;
	const char *tag;

	b->man_text = slurp(b, KT_BUNDLE_MANIFEST, KT_BUNDLE_MAX_JSON, &len, true);
	if (!b->man_text) {
		if (errno == ENOENT)
			kt_bundle_note(b,
				       "%s: missing: not a complete bundle (interrupted, or not "
				       "written by capture); reading the files that are there",
				       KT_BUNDLE_MANIFEST);
		return;
	}
	if (jr_parse(b->man_text, len, &b->man, &err)) {
		kt_bundle_note(b, "%s: unreadable at byte %zu (%s): part statuses unknown",
			       KT_BUNDLE_MANIFEST, err.off, err.msg);
		return;
	}
	if (b->man.type != JR_OBJECT) {
		kt_bundle_note(b, "%s: not a JSON object", KT_BUNDLE_MANIFEST);
		return;
	}
	b->has_manifest = true;
	tag = kt_bundle_jstr(&b->man, "schema");
	jnum(&b->man, "schema_version", NULL, &b->schema_version);
	if (!tag || strcmp(tag, KT_BUNDLE_SCHEMA_TAG))
		kt_bundle_note(b, "%s: schema '%s', not '%s': read as schema %d where it matches",
			       KT_BUNDLE_MANIFEST, tag ? tag : "(none)", KT_BUNDLE_SCHEMA_TAG,
			       KT_BUNDLE_SCHEMA);
	else if (b->schema_version != KT_BUNDLE_SCHEMA)
		kt_bundle_note(
			b, "%s: schema version %llu, this ktbox reads %d: read where it matches",
			KT_BUNDLE_MANIFEST, (unsigned long long)b->schema_version,
			KT_BUNDLE_SCHEMA);
	b->ktbox_version = kt_bundle_jstr(&b->man, "ktbox_version");
	b->mode = kt_bundle_jstr(&b->man, "mode");
	b->end = kt_bundle_jstr(&b->man, "end");
	b->scheduler = kt_bundle_jstr(&b->man, "scheduler");
	v = jr_get(&b->man, "interrupted");
	b->interrupted = v && v->type == JR_BOOL && v->b;
	host = jr_get(&b->man, "host");
	if (host && host->type == JR_OBJECT) {
		b->hostname = kt_bundle_jstr(host, "hostname");
		b->release =
			kt_bundle_jstr(host, "kernel_release") ?: kt_bundle_jstr(host, "release");
	}
	times = jr_get(&b->man, "times");
	if (!times || times->type != JR_OBJECT)
		times = &b->man;
	load_time(times, "armed", &b->armed);
	load_time(times, "enabled", &b->enabled);
	load_time(times, "exit", &b->exit);
	load_time(times, "written", &b->written);
	b->has_exit_to_bundle = jnum(&b->man, "exit_to_bundle_ms", &b->exit_to_bundle_ms, NULL);
	load_parts(b, jr_get(&b->man, "parts"));
}

/* ---- hostctx -------------------------------------------------------------- */

static void load_hostctx(struct kt_bundle *b)
{
	struct jr_err err = {0};
	size_t len;
	char *s = slurp(b, KT_BUNDLE_HOSTCTX, KT_BUNDLE_MAX_JSON, &len, false);

	b->hc_diff = slurp(b, KT_BUNDLE_HOSTCTX_DIFF, KT_BUNDLE_MAX_TEXT, NULL, true);
	if (!s)
		return;
	if (hc_pair_from_json(s, len, &b->hc_pre, &b->hc_post, &err))
		kt_bundle_note(b, "%s: unreadable at byte %zu (%s)%s", KT_BUNDLE_HOSTCTX, err.off,
			       err.msg, b->hc_diff ? ": the saved diff is shown" : "");
	else
		b->has_hc = true;
	free(s);
}

/* ---- events --------------------------------------------------------------- */

static char *dupstr(const struct jr_val *o, const char *k)
{
	const char *s = kt_bundle_jstr(o, k);

	return s ? strdup(s) : NULL;
}

static void ev_clear(struct scx_event *e)
{
	free(e->scheduler);
	free(e->reason);
	free(e->message);
	free(e->stall_comm);
	for (size_t i = 0; i < e->nbt; i++)
		scx_frame_clear(&e->bt[i]);
	free(e->bt);
	for (size_t i = 0; i < e->nraw; i++)
		free(e->raw[i]);
	free(e->raw);
}

static int ev_frames(struct scx_event *e, const struct jr_val *bt)
{
	if (!bt || bt->type != JR_ARRAY || !bt->arr.n)
		return 0;
	e->bt = calloc(bt->arr.n, sizeof(*e->bt));
	if (!e->bt)
		return -1;
	for (size_t i = 0; i < bt->arr.n && i < SCX_MAX_FRAMES; i++) {
		const struct jr_val *f = &bt->arr.v[i];
		struct scx_frame *o = &e->bt[e->nbt];

		if (!kt_bundle_jstr(f, "symbol"))
			continue;
		o->symbol = dupstr(f, "symbol");
		o->module = dupstr(f, "module");
		o->has_offset = jnum(f, "offset", NULL, &o->offset);
		jnum(f, "size", NULL, &o->size);
		/* a raw-address frame keeps its address as the symbol text */
		if (!o->has_offset && !kt_ksym_parse_addr(o->symbol, &o->addr))
			o->is_addr = true;
		e->nbt++;
	}
	return 0;
}

static int ev_raw(struct scx_event *e, const struct jr_val *raw)
{
	if (!raw || raw->type != JR_ARRAY || !raw->arr.n)
		return 0;
	e->raw = calloc(raw->arr.n, sizeof(*e->raw));
	if (!e->raw)
		return -1;
	for (size_t i = 0; i < raw->arr.n; i++)
		if (raw->arr.v[i].type == JR_STRING)
			e->raw[e->nraw++] = strdup(raw->arr.v[i].str.s);
	return 0;
}

/* KEY of O is JSON true */
static bool jtrue(const struct jr_val *o, const char *key)
{
	const struct jr_val *v = jr_get(o, key);

	return v && v->type == JR_BOOL && v->b;
}

/* One kmsgscx event object onto struct scx_event (kmsgscx --help keys). */
static int ev_from(const struct jr_val *o, struct scx_event *e)
{
	const char *t = kt_bundle_jstr(o, "event"), *k = kt_bundle_jstr(o, "kind"),
		   *org = kt_bundle_jstr(o, "origin");
	const struct jr_val *st = jr_get(o, "stall"), *tr = jr_get(o, "truncated");
	double ts;
	uint64_t u;

	memset(e, 0, sizeof(*e));
	if (!t || (strcmp(t, "exit") && strcmp(t, "enable")))
		return 1; /* an overrun record or something newer: skipped */
	e->type = !strcmp(t, "exit") ? SCX_EV_EXIT : SCX_EV_ENABLE;
	e->origin = SCX_ORIGIN_KERNEL;
	if (org && !strcmp(org, "scheduler"))
		e->origin = SCX_ORIGIN_SCHEDULER;
	else if (org && !strcmp(org, "user"))
		e->origin = SCX_ORIGIN_USER;
	e->kind = e->type == SCX_EV_EXIT ? SCX_KIND_OTHER : SCX_KIND_NONE;
	for (int i = SCX_KIND_ERROR; k && i <= SCX_KIND_OTHER; i++)
		if (!strcmp(k, scx_kind_name(i)))
			e->kind = i;
	e->scheduler = dupstr(o, "scheduler");
	e->reason = dupstr(o, "reason");
	e->message = dupstr(o, "message");
	if ((e->has_ts = jnum(o, "timestamp", &ts, NULL)))
		e->ts_usec = ts > 0 ? (uint64_t)(ts * 1e6 + 0.5) : 0;
	e->has_seq = jnum(o, "seq", NULL, &e->seq);
	e->level = jnum(o, "level", NULL, &u) ? (int)u : -1;
	e->cpu = jnum(o, "cpu", NULL, &u) && u < 1000000000 ? (int64_t)u : -1;
	if (st && st->type == JR_OBJECT && kt_bundle_jstr(st, "comm")) {
		double sec = 0;

		e->has_stall = true;
		e->stall_comm = dupstr(st, "comm");
		e->stall_pid = jnum(st, "pid", NULL, &u) ? (int64_t)u : -1;
		jnum(st, "seconds", &sec, NULL);
		e->stall_msec = sec > 0 ? (uint64_t)(sec * 1e3 + 0.5) : 0;
	}
	e->sub = jtrue(o, "sub");
	e->partial = jtrue(o, "partial");
	e->truncated = tr && tr->type == JR_BOOL && tr->b ? SCX_TRUNC_FRAMES : 0;
	if (ev_frames(e, jr_get(o, "backtrace")) || ev_raw(e, jr_get(o, "raw")))
		return -1;
	return 0;
}

static void add_events(struct kt_bundle *b, const struct jr_val *arr)
{
	struct scx_event *n;

	if (!arr->arr.n)
		return;
	n = realloc(b->ev, (b->nev + arr->arr.n) * sizeof(*n));
	if (!n)
		return;
	b->ev = n;
	for (size_t i = 0; i < arr->arr.n; i++) {
		int r = ev_from(&arr->arr.v[i], &b->ev[b->nev]);

		if (r)
			ev_clear(&b->ev[b->nev]);
		else
			b->nev++;
	}
}

static void parsed_cb(const struct scx_event *ev, void *arg)
{
	struct kt_bundle *b = arg;
	struct kt_buf j = {0};
	struct jw w;
	struct jr_val v;
	struct jr_err err = {0};

	/* the same mapping as events.json: the event through its JSON form */
	jw_init_buf(&w, &j, 0);
	jw_arr_open(&w);
	scx_event_json(&w, ev);
	jw_arr_close(&w);
	if (!j.oom && !jr_parse(j.p, j.len, &v, &err)) {
		add_events(b, &v);
		jr_free(&v);
	}
	kt_buf_free(&j);
}

static void load_events(struct kt_bundle *b)
{
	struct jr_err err = {0};
	struct jr_val v;
	size_t len;
	char *s = slurp(b, KT_BUNDLE_EVENTS, KT_BUNDLE_MAX_JSON, &len, false);

	b->backtrace = slurp(b, KT_BUNDLE_BACKTRACE, KT_BUNDLE_MAX_TEXT, NULL, true);
	if (s && !jr_parse(s, len, &v, &err)) {
		if (v.type == JR_ARRAY)
			add_events(b, &v);
		else if (jr_get(&v, "events") && jr_get(&v, "events")->type == JR_ARRAY)
			add_events(b, jr_get(&v, "events"));
		else
			kt_bundle_note(b, "%s: not a kmsgscx event array", KT_BUNDLE_EVENTS);
		jr_free(&v);
		free(s);
		return;
	}
	if (s)
		kt_bundle_note(b, "%s: unreadable at byte %zu (%s)%s", KT_BUNDLE_EVENTS, err.off,
			       err.msg, b->kmsg ? ": events re-read from kmsg.txt" : "");
	free(s);
	/* no usable events.json: the kmsgscx parser over the raw log and the
	 * scheduler's output (unresolved raw addresses resolved below) */
	if (b->kmsg)
		scx_parse_window(b->kmsg, b->kmsg_len, 0, parsed_cb, b);
	if (b->sched_out)
		scx_parse_window(b->sched_out, strlen(b->sched_out), 0, parsed_cb, b);
	if (b->sched_err)
		scx_parse_window(b->sched_err, strlen(b->sched_err), 0, parsed_cb, b);
}

const struct scx_event *kt_bundle_exit(const struct kt_bundle *b)
{
	const struct scx_event *best = NULL;

	for (size_t i = 0; i < b->nev; i++) {
		const struct scx_event *e = &b->ev[i];

		/* kernel-form lines user space wrote to /dev/kmsg are not the
		 * kernel's report (capture ignores them too) */
		if (e->type != SCX_EV_EXIT || e->origin == SCX_ORIGIN_USER)
			continue;
		if (!best || e->origin == SCX_ORIGIN_KERNEL || best->origin != SCX_ORIGIN_KERNEL)
			best = e;
	}
	return best;
}

const struct scx_event *kt_bundle_sched_exit(const struct kt_bundle *b)
{
	const struct scx_event *best = NULL;

	for (size_t i = 0; i < b->nev; i++)
		if (b->ev[i].type == SCX_EV_EXIT && b->ev[i].origin == SCX_ORIGIN_SCHEDULER)
			best = &b->ev[i];
	return best;
}

/* ---- kallsyms: "ADDR t NAME [bpf] SIZE" lines carry the JIT size ------- */

static void load_kallsyms(struct kt_bundle *b)
{
	size_t len, o = 0, nsz = 0, capsz = 0;
	char *s = slurp(b, KT_BUNDLE_KALLSYMS, KT_KSYMS_MAX_FILE, &len, false);
	char *t;
	struct {
		uint64_t addr;
		uint32_t size;
	} *sz = NULL;

	if (!s)
		return;
	t = malloc(len + 1);
	if (!t)
		goto out;
	/*
	 * capture writes kt_ksym_print lines ("ADDR T NAME [MOD] size 0xN");
	 * README's form puts a bare fifth column after "[bpf]".  Either way the
	 * size goes: the table computes vmlinux and module sizes itself, and a
	 * [bpf] symbol's exact JIT size is set from it afterwards.
	 */
	for (char *p = s, *e; p < s + len; p = e + 1) {
		char *nl = memchr(p, '\n', (size_t)(s + len - p)), *sp, *end;
		size_t l;
		uint64_t size, a;

		e = nl ? nl : s + len;
		l = (size_t)(e - p);
		while (l && (p[l - 1] == '\r' || p[l - 1] == ' '))
			l--;
		sp = memrchr(p, ' ', l);
		if (sp && sp > p && (size = strtoull(sp + 1, &end, 0)) && end == p + l) {
			size_t keep = (size_t)(sp - p);
			bool bpf = false;

			if (keep >= 5 && !memcmp(sp - 5, " size", 5))
				keep -= 5;
			else if (!(keep >= 5 && !memcmp(sp - 5, "[bpf]", 5)))
				keep = l; /* a name that is a number: leave the line */
			bpf = keep != l && keep >= 5 && !memcmp(p + keep - 5, "[bpf]", 5);
			if (bpf && size < UINT32_MAX) {
				char ab[20];
				size_t al = strcspn(p, " ");

				if (al < sizeof(ab)) {
					memcpy(ab, p, al);
					ab[al] = '\0';
					if (!kt_ksym_parse_addr(ab, &a)) {
						if (nsz == capsz) {
							void *n2;

							capsz = capsz ? capsz * 2 : 64;
							n2 = realloc(sz, capsz * sizeof(*sz));
							if (!n2)
								goto out;
							sz = n2;
						}
						sz[nsz].addr = a;
						sz[nsz++].size = (uint32_t)size;
					}
				}
			}
			l = keep;
		}
		memcpy(t + o, p, l);
		o += l;
		t[o++] = '\n';
	}
	b->ksyms = kt_ksyms_parse(t, o);
	if (!b->ksyms) {
		kt_bundle_note(b, "%s: cannot parse: %s", KT_BUNDLE_KALLSYMS, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < nsz; i++)
		if (kt_ksyms_set_bpf_size(b->ksyms, sz[i].addr, sz[i].size) > 0)
			b->ksyms_bpf_sized++;
	if (kt_ksyms_stats(b->ksyms)->malformed)
		kt_bundle_note(b, "%s: %zu malformed lines skipped", KT_BUNDLE_KALLSYMS,
			       kt_ksyms_stats(b->ksyms)->malformed);
	if (!kt_ksyms_count(b->ksyms))
		kt_bundle_note(b, "%s: no symbols", KT_BUNDLE_KALLSYMS);
	else if (kt_ksyms_hidden(b->ksyms))
		kt_bundle_note(b, "%s: every address is zero (kptr_restrict): nothing resolves",
			       KT_BUNDLE_KALLSYMS);
out:
	free(sz);
	free(t);
	free(s);
}

/* ---- sched_ext, maps, timeline ------------------------------------------- */

static void load_sched_ext(struct kt_bundle *b)
{
	struct jr_err err = {0};
	size_t len;

	b->sx_text = slurp(b, KT_BUNDLE_SCHED_EXT, KT_BUNDLE_MAX_JSON, &len, false);
	if (!b->sx_text)
		return;
	if (jr_parse(b->sx_text, len, &b->sx, &err))
		kt_bundle_note(b, "%s: unreadable at byte %zu (%s)", KT_BUNDLE_SCHED_EXT, err.off,
			       err.msg);
	else if (b->sx.type != JR_OBJECT)
		kt_bundle_note(b, "%s: not a JSON object", KT_BUNDLE_SCHED_EXT);
	else
		b->has_sx = true;
}

static void load_maps(struct kt_bundle *b)
{
	char *p = bpath(b, KT_BUNDLE_MAPS);
	struct kt_buf j = {0};
	struct jw w;
	struct jr_err err = {0};
	int stderr_fd, null_fd;

	if (!p)
		return;
	if (!exists(b, KT_BUNDLE_MAPS)) {
		note_missing(b, KT_BUNDLE_MAPS "/", ENOENT);
		goto out;
	}
	/* kt_snapring_show says what failed on stderr: keep that out of the
	 * report's terminal and say it in a note instead */
	fflush(stderr);
	stderr_fd = dup(2);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd >= 0) {
		dup2(null_fd, 2);
		close(null_fd);
	}
	jw_init_buf(&w, &j, 0);
	if (kt_snapring_show(p, &b->maps_text, NULL) || kt_snapring_show(p, NULL, &w)) {
		kt_bundle_note(b,
			       "%s/: not a readable bpfdump ring (manifest or a map file "
			       "missing or malformed)%s",
			       KT_BUNDLE_MAPS, b->maps_text.len ? ": what was read is shown" : "");
	} else if (!jr_parse(j.p, j.len, &b->maps, &err)) {
		size_t pl = strlen(p);

		/* the ring's path as the bundle names it, not where it was read */
		if (b->maps_text.len > 5 + pl && !memcmp(b->maps_text.p + 5, p, pl)) {
			memmove(b->maps_text.p + 5 + 5, b->maps_text.p + 5 + pl,
				b->maps_text.len - 5 - pl + 1);
			memcpy(b->maps_text.p + 5, "maps/", 5);
			b->maps_text.len -= pl - 5;
		}
		b->has_maps = true;
		b->maps_json = j.p;
		j.p = NULL;
	}
	if (stderr_fd >= 0) {
		fflush(stderr);
		dup2(stderr_fd, 2);
		close(stderr_fd);
	}
	kt_buf_free(&j);
out:
	free(p);
}

static void load_timeline(struct kt_bundle *b)
{
	char *p = bpath(b, KT_BUNDLE_TIMELINE);

	b->has_trace = exists(b, KT_BUNDLE_TRACE);
	if (!p)
		return;
	if (!exists(b, KT_BUNDLE_TIMELINE)) {
		note_missing(b, KT_BUNDLE_TIMELINE, ENOENT);
	} else if (tl_file_open(p, &b->tl)) {
		kt_bundle_note(b, "%s: %s", KT_BUNDLE_TIMELINE,
			       b->tl.err[0] ? b->tl.err : "unreadable");
		tl_file_close(&b->tl);
	} else {
		b->has_tl = true;
		if (b->tl.cut)
			kt_bundle_note(
				b,
				"%s: cut short (no trailer; %llu records%s): the recorder did "
				"not finish",
				KT_BUNDLE_TIMELINE, (unsigned long long)b->tl.nrecords,
				b->tl.tail ? ", a torn last record" : "");
		if (b->tl.lost_total)
			kt_bundle_note(b, "%s: %llu events lost in the ring buffer",
				       KT_BUNDLE_TIMELINE, (unsigned long long)b->tl.lost_total);
	}
	free(p);
}

uint64_t kt_bundle_exit_mono(const struct kt_bundle *b)
{
	/* else the timeline's own sched_ext exit record (rp_timeline_build) */
	return b->exit.has ? b->exit.mono_ns : 0;
}

/* ---- the debug dump --------------------------------------------------------- */

/* The DEBUG DUMP block of TEXT: from its banner to the rule that closes it
 * (the second line of '='), or to the end. */
static bool dump_in(const char *text, struct kt_buf *out, bool kmsg)
{
	const char *p = text ? strstr(text, "DEBUG DUMP") : NULL;
	int rules = 0;

	if (!p)
		return false;
	while (p > text && p[-1] != '\n')
		p--;
	while (*p) {
		const char *e = strchr(p, '\n'), *t = p;
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (kmsg) { /* raw /dev/kmsg record: text after ';' */
			const char *semi = memchr(p, ';', l);

			if (semi && p[0] != ' ') {
				t = semi + 1;
			}
		}
		l -= (size_t)(t - p);
		kt_buf_put(out, t, l);
		kt_buf_putc(out, '\n');
		if (strspn(t, "=") >= 8 && ++rules == 2)
			break;
		if (!e)
			break;
		p = e + 1;
	}
	return out->len > 0;
}

bool kt_bundle_dump(const struct kt_bundle *b, struct kt_buf *out, const char **from)
{
	struct tl_iter it;
	struct tl_event ev;

	if (b->sysrq_dump && b->sysrq_dump[0]) { /* now --dump: asked for */
		kt_buf_puts(out, b->sysrq_dump);
		*from = KT_BUNDLE_DUMP " (SysRq-D)";
		return true;
	}
	if (dump_in(b->sched_err, out, false)) {
		*from = KT_BUNDLE_SCHED_ERR;
		return true;
	}
	if (dump_in(b->sched_out, out, false)) {
		*from = KT_BUNDLE_SCHED_OUT;
		return true;
	}
	if (dump_in(b->kmsg, out, true)) {
		*from = KT_BUNDLE_KMSG;
		return true;
	}
	if (!b->has_tl)
		return false;
	tl_iter_init(&it, b->tl.records, b->tl.nrecords * TL_RECORD_SIZE);
	while (tl_iter_next(&it, &ev))
		if (ev.kind == TL_K_SCX_DUMP) { /* an empty line has no text */
			if (ev.text)
				kt_buf_put(out, ev.text, ev.text_len);
			if (!ev.text_len || ev.text[ev.text_len - 1] != '\n')
				kt_buf_putc(out, '\n');
		}
	*from = KT_BUNDLE_TIMELINE " (sched_ext_dump lines)";
	return out->len > 0;
}

/* ---- .tar.gz -------------------------------------------------------------------- */

static uint64_t oct(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && p[i]; i++)
		if (p[i] >= '0' && p[i] <= '7')
			v = v << 3 | (uint64_t)(p[i] - '0');
	return v;
}

static bool name_ok(const char *n)
{
	if (!*n || *n == '/')
		return false;
	for (const char *p = n; *p;) {
		size_t l = strcspn(p, "/");

		if ((l == 2 && !strncmp(p, "..", 2)) || (l == 1 && *p == '.'))
			return false;
		p += l;
		if (*p)
			p++;
	}
	return true;
}

/* Inflate a gzip image whole, at most CAP bytes out. */
static unsigned char *gunzip(const void *gz, size_t n, size_t cap, size_t *out, char *why,
			     size_t whysz)
{
	z_stream z = {0};
	size_t len = 0, sz = n * 4 + 65536;
	unsigned char *buf = NULL;
	int r;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return snprintf(why, whysz, "zlib: cannot initialise"), NULL;
	z.next_in = (unsigned char *)gz;
	z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	if (sz > cap + 1)
		sz = cap + 1;
	buf = malloc(sz);
	if (!buf) {
		snprintf(why, whysz, "out of memory");
		goto fail;
	}
	do {
		if (len == sz) {
			unsigned char *nb;

			sz *= 2;
			if (sz > cap + 1)
				sz = cap + 1;
			nb = realloc(buf, sz);
			if (!nb) {
				snprintf(why, whysz, "out of memory");
				goto fail;
			}
			buf = nb;
		}
		z.next_out = buf + len;
		z.avail_out = (uInt)(sz - len);
		r = inflate(&z, Z_NO_FLUSH);
		len = sz - z.avail_out;
		if (len > cap) {
			snprintf(why, whysz, "more than %zu MiB inflated", cap >> 20);
			goto fail;
		}
	} while (r == Z_OK || (r == Z_BUF_ERROR && !z.avail_out && z.avail_in));
	if (r != Z_STREAM_END) {
		snprintf(why, whysz, "gzip data %s after %zu bytes",
			 r == Z_BUF_ERROR ? "cut short" : "corrupt", len);
		if (r != Z_BUF_ERROR || !len)
			goto fail;
	}
	inflateEnd(&z);
	*out = len;
	return buf;
fail:
	inflateEnd(&z);
	free(buf);
	return NULL;
}

static int put_file(const char *dir, const char *name, const unsigned char *p, size_t n)
{
	char path[4352];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

int kt_untar_gz(const void *gz, size_t n, const char *dir, char *top, size_t topsz, char *why,
		size_t whysz)
{
	size_t len, off = 0, tl = 0;
	unsigned char *t = gunzip(gz, n, KT_BUNDLE_MAX_TAR, &len, why, whysz);
	bool one_top = true;

	if (!t)
		return -1;
	top[0] = '\0';
	while (off + 512 <= len) {
		const unsigned char *h = t + off;
		char name[356];
		uint64_t size = oct(h + 124, 12);
		char type = (char)h[156];
		size_t pl = strnlen((const char *)h + 345, 155);

		if (!h[0])
			break; /* end of archive */
		if (pl && !memcmp(h + 257, "ustar", 5))
			snprintf(name, sizeof(name), "%.*s/%.100s", (int)pl, h + 345, h);
		else
			snprintf(name, sizeof(name), "%.100s", h);
		off += 512;
		if (size > len - off) {
			snprintf(why, whysz, "'%s' cut short in the archive", name);
			size = len - off;
		}
		while (strlen(name) && name[strlen(name) - 1] == '/')
			name[strlen(name) - 1] = '\0';
		if (name_ok(name) && (type == '0' || type == '\0' || type == '5')) {
			size_t l = strcspn(name, "/");

			if (!top[0] && l < topsz) {
				memcpy(top, name, l);
				top[l] = '\0';
				tl = l;
			} else if (tl != l || strncmp(top, name, l)) {
				one_top = false;
			}
			if (type != '5' && put_file(dir, name, t + off, size))
				snprintf(why, whysz, "cannot write '%s': %s", name,
					 strerror(errno));
			else if (type == '5') {
				char path[4352];

				snprintf(path, sizeof(path), "%s/%s", dir, name);
				mkdir(path, 0700);
			}
		}
		off += (size + 511) & ~(uint64_t)511;
	}
	if (!one_top)
		top[0] = '\0';
	free(t);
	return 0;
}

static int open_tar(struct kt_bundle *b)
{
	char tmpl[4096], top[256], why[256] = "";
	const char *td = getenv("TMPDIR");
	size_t n;
	char *gz = kt_read_file(NULL, b->path, KT_BUNDLE_MAX_TAR, &n);

	if (!gz) {
		kt_bundle_note(b, "%s: cannot read: %s", b->path, strerror(errno));
		return -1;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/ktbox-report.XXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(tmpl)) {
		kt_bundle_note(b, "%s: cannot make a directory to unpack into: %s", tmpl,
			       strerror(errno));
		free(gz);
		return -1;
	}
	b->tmpdir = strdup(tmpl);
	if (kt_untar_gz(gz, n, tmpl, top, sizeof(top), why, sizeof(why))) {
		kt_bundle_note(b, "%s: not a readable .tar.gz: %s", b->path, why);
		free(gz);
		return -1;
	}
	free(gz);
	if (why[0])
		kt_bundle_note(b, "%s: %s: reading what was unpacked", b->path, why);
	if (top[0] && asprintf(&b->dir, "%s/%s", tmpl, top) < 0)
		b->dir = NULL;
	if (!b->dir)
		b->dir = strdup(tmpl);
	return b->dir ? 0 : -1;
}

static void rm_tree(const char *path)
{
	char **names;
	size_t n;
	struct stat st;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && !kt_list_dir(NULL, path, &names, &n)) {
		for (size_t i = 0; i < n; i++) {
			char *p;

			if (asprintf(&p, "%s/%s", path, names[i]) >= 0) {
				rm_tree(p);
				free(p);
			}
		}
		kt_free_list(names, n);
		rmdir(path);
		return;
	}
	unlink(path);
}

/* ---- load / free ------------------------------------------------------------------ */

static bool is_tgz(const char *p)
{
	size_t l = strlen(p);

	return (l > 7 && !strcmp(p + l - 7, ".tar.gz")) || (l > 4 && !strcmp(p + l - 4, ".tgz"));
}

int kt_bundle_load(struct kt_bundle *b, const char *path)
{
	struct stat st;

	memset(b, 0, sizeof(*b));
	b->path = strdup(path);
	if (!b->path)
		return -1;
	if (stat(path, &st)) {
		kt_bundle_note(b, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		b->dir = strdup(path);
		if (!b->dir)
			return -1;
	} else if (is_tgz(path) || S_ISREG(st.st_mode)) {
		b->tar = true;
		if (open_tar(b))
			return -1;
	}
	load_manifest(b);
	b->summary = slurp(b, KT_BUNDLE_SUMMARY, KT_BUNDLE_MAX_TEXT, NULL, false);
	b->kmsg = slurp(b, KT_BUNDLE_KMSG, KT_BUNDLE_MAX_TEXT, &b->kmsg_len, false);
	b->sched_out = slurp(b, KT_BUNDLE_SCHED_OUT, KT_BUNDLE_MAX_TEXT, NULL,
			     !b->mode || strcmp(b->mode, "run"));
	b->sched_err = slurp(b, KT_BUNDLE_SCHED_ERR, KT_BUNDLE_MAX_TEXT, NULL,
			     !b->mode || strcmp(b->mode, "run"));
	b->sysrq_dump = slurp(b, KT_BUNDLE_DUMP, KT_BUNDLE_MAX_TEXT, NULL, true);
	load_hostctx(b);
	load_kallsyms(b);
	load_events(b);
	for (size_t i = 0; b->ksyms && i < b->nev; i++)
		scx_event_resolve(&b->ev[i], b->ksyms);
	load_sched_ext(b);
	load_maps(b);
	load_timeline(b);
	return 0;
}

bool kt_bundle_tl_shrunk(const struct kt_bundle *b)
{
	return b->has_tl && tl_file_shrunk(&b->tl);
}

void kt_bundle_free(struct kt_bundle *b)
{
	for (size_t i = 0; i < b->nev; i++)
		ev_clear(&b->ev[i]);
	free(b->ev);
	for (size_t i = 0; i < b->nnotes; i++)
		free(b->notes[i]);
	free(b->notes);
	if (b->has_manifest || b->man_text)
		jr_free(&b->man);
	free(b->man_text);
	free(b->summary);
	if (b->has_hc) {
		hc_free(&b->hc_pre);
		hc_free(&b->hc_post);
	}
	free(b->hc_diff);
	free(b->backtrace);
	free(b->kmsg);
	if (b->sx_text)
		jr_free(&b->sx);
	free(b->sx_text);
	kt_ksyms_free(b->ksyms);
	kt_buf_free(&b->maps_text);
	if (b->has_maps)
		jr_free(&b->maps);
	free(b->maps_json);
	if (b->has_tl)
		tl_file_close(&b->tl);
	free(b->sched_out);
	free(b->sched_err);
	free(b->sysrq_dump);
	if (b->tmpdir)
		rm_tree(b->tmpdir);
	free(b->tmpdir);
	free(b->dir);
	free(b->path);
	memset(b, 0, sizeof(*b));
}
