// SPDX-License-Identifier: MIT
/* bpfdump: live BPF maps and programs: list, dump. */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "applets.h"
#include "bpfdump.h"
#include "bpfmap.h"
#include "bpfsnap.h"
#include "loop.h"
#include "scxtrig.h"
#include "cmd.h"
#include "err.h"
#include "json.h"
#include "opt.h"
#include "out.h"

enum {
	OPT_TYPE = KT_OPT_LONG,
	OPT_NAME,
	OPT_RAW,
	OPT_RECURSIVE,
	OPT_NO_BATCH,
	OPT_BATCH,
	OPT_INTERVAL,
	OPT_RING,
	OPT_BUDGET,
	OPT_TRIGGER,
};

static int enum_err(int r, const char *what)
{
	if (r == -EPERM || r == -EACCES)
		return kt_errx("cannot enumerate BPF %s: %s (" KT_BPF_EPERM_HINT ")", what,
			       strerror(-r));
	return kt_errn(-r, "cannot enumerate BPF %s", what);
}

/* ---- list, progs ------------------------------------------------------ */

static const struct kt_option list_opts[] = {
	{"type", OPT_TYPE, 1},
	{"name", OPT_NAME, 1},
	KT_OPT_OUT,
	KT_OPT_END,
};

static const char list_help[] =
	"      --type TYPE     only maps of TYPE (hash, percpu_array, ringbuf, ...)\n"
	"      --name GLOB     only maps whose name matches GLOB (fnmatch)\n" KT_HELP_OUT
		KT_HELP_HELP
	"\nPer map: id, type, name, flags, key/value size, max_entries, map_extra,\n"
	"memlock, frozen, BTF id and key/value type ids, pinned paths under\n"
	"/sys/fs/bpf, the programs using it and the processes holding it.  Types\n"
	"bpfdump cannot dump say why.  JSON keys follow bpftool map show -j.\n";

static int do_list(struct kt_cmdline *cl)
{
	const char *glob = NULL;
	struct kt_bpf_inv inv;
	struct kt_out o;
	struct kt_buf b = {0};
	struct jw w;
	int type = -1, c, r;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case OPT_TYPE:
			type = kt_bpf_map_type_parse(cl->g.arg);
			if (type < 0)
				return kt_cmd_usage(cl, "unknown map type '%s'", cl->g.arg);
			break;
		case OPT_NAME:
			glob = cl->g.arg;
			break;
		default:
			return cl->rc;
		}
	r = kt_bpf_inventory(&inv, KT_INV_MAPS | KT_INV_PINNED | KT_INV_PIDS);
	if (r)
		return enum_err(r, "maps");
	if (kt_out_open(&o, cl->out.path)) {
		kt_bpf_inv_free(&inv);
		return KT_EXIT_FAIL;
	}
	jw_init_file(&w, o.fp, cl->out.pretty);
	if (cl->out.json)
		jw_arr_open(&w);
	for (size_t i = 0; i < inv.nmaps; i++) {
		const struct kt_bpf_mapdesc *m = &inv.maps[i];
		char name[BPF_OBJ_NAME_LEN + 1];

		snprintf(name, sizeof(name), "%.*s", BPF_OBJ_NAME_LEN, m->info.name);
		if (type >= 0 && m->info.type != (uint32_t)type)
			continue;
		if (glob && fnmatch(glob, name, 0))
			continue;
		if (cl->out.json) {
			kt_bpf_map_json(&w, m);
		} else {
			kt_buf_reset(&b);
			kt_bpf_map_text(&b, m);
			fwrite(b.p, 1, b.len, o.fp);
		}
	}
	if (cl->out.json) {
		jw_arr_close(&w);
		jw_newline(&w);
	}
	kt_buf_free(&b);
	kt_bpf_inv_free(&inv);
	return kt_out_close(&o, 1);
}

static const struct kt_option progs_opts[] = {KT_OPT_OUT, KT_OPT_END};

static const char progs_help[] = KT_HELP_OUT KT_HELP_HELP
	"\nPer program: id, type, name, tag, attach target (the BTF type or function\n"
	"it attaches to) and attach type (from its link), map ids, run time and\n"
	"count (when /proc/sys/kernel/bpf_stats_enabled is 1), pinned paths,\n"
	"holders.  struct_ops programs are marked; those of a loaded sched_ext\n"
	"scheduler carry its name (/sys/kernel/sched_ext/root/ops).\n";

static int do_progs(struct kt_cmdline *cl)
{
	struct kt_bpf_inv inv;
	struct kt_out o;
	struct kt_buf b = {0};
	struct jw w;
	int c, r;

	while ((c = kt_cmd_getopt(cl)) != -1)
		return cl->rc;
	r = kt_bpf_inventory(&inv, KT_INV_PROGS | KT_INV_PINNED | KT_INV_PIDS);
	if (r)
		return enum_err(r, "programs");
	if (kt_out_open(&o, cl->out.path)) {
		kt_bpf_inv_free(&inv);
		return KT_EXIT_FAIL;
	}
	jw_init_file(&w, o.fp, cl->out.pretty);
	if (cl->out.json)
		jw_arr_open(&w);
	for (size_t i = 0; i < inv.nprogs; i++) {
		if (cl->out.json) {
			kt_bpf_prog_json(&w, &inv.progs[i], inv.scx_ops);
		} else {
			kt_buf_reset(&b);
			kt_bpf_prog_text(&b, &inv.progs[i], inv.scx_ops);
			fwrite(b.p, 1, b.len, o.fp);
		}
	}
	if (cl->out.json) {
		jw_arr_close(&w);
		jw_newline(&w);
	}
	kt_buf_free(&b);
	kt_bpf_inv_free(&inv);
	return kt_out_close(&o, 1);
}

/* ---- dump ------------------------------------------------------------- */

static const struct kt_option dump_opts[] = {
	{"raw", OPT_RAW, 0},
	{"recursive", 'r', 0},
	{"no-batch", OPT_NO_BATCH, 0},
	{"batch", OPT_BATCH, 1},
	{"budget", OPT_BUDGET, 1},
	KT_OPT_OUT,
	KT_OPT_END,
};

static const char dump_help[] =
	"TARGET: id N | name NAME | pinned PATH | prog ID (the maps a program uses)\n"
	"        | scx (the maps of the running sched_ext scheduler) | all\n\n"
	"      --raw           hex only (no BTF rendering)\n"
	"  -r, --recursive     maps of maps: dump the inner maps too\n"
	"      --no-batch      GET_NEXT_KEY + LOOKUP instead of BPF_MAP_LOOKUP_BATCH\n"
	"                      (also: " KT_ENV_NO_BATCH "=1)\n"
	"      --batch N       entries per batch lookup (default: 4 MiB worth)\n"
	"      --budget BYTES  arena bytes to copy at most (K/M/G; default 256M)\n" KT_HELP_OUT
		KT_HELP_HELP
	"\n-j prints what bpftool -j map dump prints: for one map an array of\n"
	"entries {key, value} (\"0x..\" byte strings; per-CPU maps values: [{cpu,\n"
	"value}]) plus formatted (the BTF rendering) when the map has BTF; for\n"
	"several maps an array of {id, type, name, flags, elements}.  Unlike\n"
	"bpftool 7.1, bitfields and floats are JSON numbers.  Ring buffers show\n"
	"their pending records (the consumer position is not moved); STRUCT_OPS\n"
	"values render with vmlinux BTF; .bss/.data/.rodata by their DATASEC.\n"
	"Arenas show the pages present in a process that maps them (read with\n"
	"process_vm_readv, never faulted in: a dump allocates nothing; pages only\n"
	"the BPF side touched are not visible); their __arena globals by name\n"
	"from the .addr_space.1 BTF of a program using the arena, at the start\n"
	"(libbpf <= 1.6) or the end (libbpf >= 1.7) as the programs' loads show;\n"
	"when nothing shows it, the start is assumed, said so, and the end shown.\n"
	"Types that cannot be read say \"not dumpable: TYPE (why)\".\n"
	"\nExit status: 0 ok; 1 runtime failure or a partial dump (said so).\n";

struct target {
	struct kt_idlist ids;
	int pinned_fd; /* pinned PATH: the fd itself */
	bool multi;
};

/* NAME as the kernel keeps it: at most BPF_OBJ_NAME_LEN - 1 characters. */
static bool name_match(const char *kname, const char *name)
{
	size_t kn = strnlen(kname, BPF_OBJ_NAME_LEN), n = strlen(name);

	if (n > kn && kn == BPF_OBJ_NAME_LEN - 1)
		n = kn;
	return n == kn && !memcmp(kname, name, n);
}

static int name_target(struct target *t, const char *name)
{
	struct kt_bpf_inv inv;
	size_t hits = 0;
	int r = kt_bpf_inventory(&inv, KT_INV_MAPS);

	if (r)
		return enum_err(r, "maps");
	for (size_t i = 0; i < inv.nmaps; i++)
		if (name_match(inv.maps[i].info.name, name))
			hits++;
	if (hits > 1) {
		kt_errx("name '%s' matches %zu maps; use 'id N':", name, hits);
		for (size_t i = 0; i < inv.nmaps; i++) {
			const struct bpf_map_info *m = &inv.maps[i].info;

			if (name_match(m->name, name))
				fprintf(stderr, "  id %u  %s  key %uB  value %uB  max_entries %u\n",
					m->id, kt_bpf_map_type_name(m->type) ?: "?", m->key_size,
					m->value_size, m->max_entries);
		}
		kt_bpf_inv_free(&inv);
		return KT_EXIT_FAIL;
	}
	for (size_t i = 0; i < inv.nmaps && hits; i++)
		if (name_match(inv.maps[i].info.name, name))
			kt_idlist_add(&t->ids, inv.maps[i].info.id);
	kt_bpf_inv_free(&inv);
	if (!hits)
		return kt_errx("no map named '%s'", name);
	return 0;
}

static int scx_target(struct target *t)
{
	struct kt_bpf_inv inv;
	int r = kt_bpf_inventory(&inv, KT_INV_MAPS);

	if (r)
		return enum_err(r, "maps");
	if (!inv.scx_ops) {
		r = kt_errx("no sched_ext scheduler is loaded (/sys/kernel/sched_ext/state: %s)",
			    inv.scx_state ? inv.scx_state : "absent");
		kt_bpf_inv_free(&inv);
		return r;
	}
	for (size_t i = 0; i < inv.nmaps; i++)
		if (inv.maps[i].scx)
			kt_idlist_add(&t->ids, inv.maps[i].info.id);
	if (!t->ids.n)
		r = kt_errx("sched_ext scheduler '%s' is loaded but none of its maps was found",
			    inv.scx_ops);
	kt_bpf_inv_free(&inv);
	return r;
}

static int parse_id(struct kt_cmdline *cl, const char *s, uint32_t *id)
{
	unsigned long long v;

	if (kt_parse_u64(s, &v) || !v || v > UINT32_MAX)
		return kt_cmd_usage(cl, "invalid id '%s'", s);
	*id = (uint32_t)v;
	return 0;
}

static int resolve(struct kt_cmdline *cl, struct target *t)
{
	const char *kind = cl->nops ? cl->ops[0] : "scx", *arg = cl->nops > 1 ? cl->ops[1] : NULL;
	bool one = !strcmp(kind, "all") || !strcmp(kind, "scx");
	uint32_t id;
	int r;

	if (one ? cl->nops > 1 : cl->nops != 2)
		return kt_cmd_usage(cl, "expected TARGET: id N | name NAME | pinned PATH | prog ID"
					" | scx | all");
	if (!strcmp(kind, "id")) {
		if ((r = parse_id(cl, arg, &id)))
			return r;
		kt_idlist_add(&t->ids, id);
		return 0;
	}
	if (!strcmp(kind, "name"))
		return name_target(t, arg);
	if (!strcmp(kind, "pinned")) {
		LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);

		t->pinned_fd = bpf_obj_get_opts(arg, &o);
		if (t->pinned_fd < 0)
			t->pinned_fd = bpf_obj_get(arg);
		if (t->pinned_fd < 0)
			return kt_err("cannot open pinned map '%s'", arg);
		return 0;
	}
	t->multi = true;
	if (!strcmp(kind, "prog")) {
		uint32_t *ids;
		size_t n;

		if ((r = parse_id(cl, arg, &id)))
			return r;
		r = kt_bpf_prog_map_ids(id, &ids, &n);
		if (r == -ENOENT)
			return kt_errx("no program with id %u", id);
		if (r == -EPERM)
			return kt_errx("program %u: %s (" KT_BPF_EPERM_HINT ")", id, strerror(-r));
		if (r)
			return kt_errn(-r, "program %u", id);
		for (size_t i = 0; i < n; i++)
			kt_idlist_add(&t->ids, ids[i]);
		free(ids);
		return 0;
	}
	if (!strcmp(kind, "scx"))
		return scx_target(t);
	if (!strcmp(kind, "all")) {
		uint32_t *ids;
		size_t n;

		r = kt_bpf_ids(KT_BPF_MAPS, &ids, &n);
		if (r)
			return enum_err(r, "maps");
		for (size_t i = 0; i < n; i++)
			kt_idlist_add(&t->ids, ids[i]);
		free(ids);
		return 0;
	}
	return kt_cmd_usage(cl, "unknown target '%s' (id, name, pinned, prog, scx, all)", kind);
}

static int dump_one(struct kt_dump *d, int fd, bool explicit, uint32_t id, struct kt_idlist *inner)
{
	struct bpf_map_info info;
	int r = kt_bpf_map_info(fd, &info);

	if (r)
		return kt_errn(-r, "map %u: cannot read its info", id);
	r = kt_dump_map(d, fd, &info, inner);
	if (r < 0 && (r == -EPIPE || d->err))
		return KT_EXIT_FAIL;
	if (r < 0)
		return kt_errn(-r, "map %u: dump failed", info.id);
	if (r > 0) {
		kt_warn("map %u: partial dump (see the output)", info.id);
		return KT_EXIT_FAIL;
	}
	(void)explicit;
	return 0;
}

static int do_dump(struct kt_cmdline *cl)
{
	struct kt_dump d = {0};
	struct target t = {.pinned_fd = -1};
	struct kt_idlist inner = {0};
	bool recursive = false;
	unsigned long long batch = 0, budget = KT_DUMP_BUDGET;
	struct kt_out o;
	int c, rc = 0, r;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case OPT_RAW:
			d.raw = true;
			break;
		case 'r':
			recursive = true;
			break;
		case OPT_NO_BATCH:
			d.no_batch = true;
			break;
		case OPT_BATCH:
			if (kt_opt_u64(&cl->g, 1, 1 << 20, &batch))
				return KT_EXIT_USAGE;
			break;
		case OPT_BUDGET:
			if (kt_opt_size(&cl->g, 4096, ~0ull, &budget))
				return KT_EXIT_USAGE;
			break;
		default:
			return cl->rc;
		}
	r = resolve(cl, &t);
	if (r)
		goto out_free;
	if (kt_out_open(&o, cl->out.path)) {
		r = KT_EXIT_FAIL;
		goto out_free;
	}
	d.fp = o.fp;
	d.json = cl->out.json;
	d.pretty = cl->out.pretty;
	d.multi = t.multi || recursive;
	d.batch = (size_t)batch;
	d.budget = budget;
	kt_dump_begin(&d);
	if (t.pinned_fd >= 0) {
		rc = dump_one(&d, t.pinned_fd, true, 0, recursive ? &inner : NULL);
		close(t.pinned_fd);
	}
	for (size_t i = 0; i < t.ids.n; i++) {
		uint32_t id = t.ids.v[i];
		int fd = kt_bpf_map_fd(id);

		if (fd == -ENOENT && t.multi && !recursive)
			continue; /* went away since it was listed */
		if (fd < 0) {
			if (fd == -EPERM) {
				rc = kt_errx("map %u: %s (" KT_BPF_EPERM_HINT ")", id,
					     strerror(EPERM));
				break;
			}
			rc = fd == -ENOENT ? kt_errx("map %u: no such map", id)
					   : kt_errn(-fd, "map %u", id);
			continue;
		}
		r = dump_one(&d, fd, !t.multi, id, recursive ? &inner : NULL);
		close(fd);
		if (r)
			rc = r;
		if (d.err)
			break;
	}
	/* inner maps of maps of maps, breadth first; each id once */
	for (size_t i = 0; recursive && i < inner.n && !d.err; i++) {
		bool seen = false;

		for (size_t k = 0; k < t.ids.n; k++)
			seen |= t.ids.v[k] == inner.v[i];
		if (seen)
			continue;
		int fd = kt_bpf_map_fd(inner.v[i]);

		if (fd < 0) {
			rc = kt_errn(-fd, "inner map %u", inner.v[i]);
			continue;
		}
		r = dump_one(&d, fd, false, inner.v[i], &inner);
		close(fd);
		if (r)
			rc = r;
	}
	r = kt_dump_end(&d);
	kt_dump_free(&d);
	r = kt_out_close(&o, !r);
	r = r ? r : rc;
out_free:
	free(t.ids.v);
	free(inner.v);
	return r;
}

/* ---- watch, show --------------------------------------------------------- */

static const struct kt_option watch_opts[] = {
	{"interval", 'i', 1},	     {"ring", OPT_RING, 1}, {"budget", OPT_BUDGET, 1},
	{"trigger", OPT_TRIGGER, 1}, {"output", 'o', 1},    KT_OPT_END,
};

static const char watch_help[] =
	"TARGET as for dump (default: scx, the running scheduler's maps).\n\n"
	"  -i, --interval SEC  seconds between snapshots (default 1)\n"
	"      --ring N        snapshots kept, oldest dropped first (default 60)\n"
	"      --budget BYTES  memory for the ring (K/M/G suffixes; default 256M):\n"
	"                      the oldest snapshots go first, and when even one\n"
	"                      does not fit, snapshots stop and the ring says so\n"
	"      --trigger T     scx-exit (default: /sys/kernel/sched_ext/state\n"
	"                      leaving enabled, polled every 10 ms), signal\n"
	"                      (SIGUSR1 only) or none (until SIGINT/SIGTERM)\n"
	"  -o, --output DIR    where the ring is written (required; atomically:\n"
	"                      DIR.tmp-PID renamed to DIR)\n" KT_HELP_HELP
	"\nThe map fds are opened once, at the first snapshot, and held, so the maps\n"
	"outlive the scheduler: on the trigger one final snapshot is taken (the\n"
	"state the scheduler died in) and the ring is written.  SIGUSR1 fires the\n"
	"trigger by hand; SIGINT/SIGTERM write what is held.  Every snapshot\n"
	"after the oldest stores what changed.  Read a ring with bpfdump show.\n";

struct watch {
	struct kt_snapring ring;
	struct kt_scxtrig trig;
	struct kt_loop loop;
	uint64_t trigger_ns;
	const char *why;
	bool budget_said;
};

static int on_tick(void *arg, uint32_t ev)
{
	struct watch *w = arg;
	int r = kt_snapring_take(&w->ring, false);

	(void)ev;
	if (r < 0)
		return kt_errn(-r, "snapshot failed"), 1;
	if (r == 1 && !w->budget_said) {
		w->budget_said = true;
		kt_warn("byte budget reached (%llu bytes): no more snapshots until the trigger",
			(unsigned long long)w->ring.bytes);
	}
	return 0;
}

static int on_signal(void *arg, int signo)
{
	struct watch *w = arg;

	w->trigger_ns = kt_mono_ns();
	w->why = signo == SIGUSR1 ? "signal" : signo == SIGINT ? "sigint" : "sigterm";
	return 2;
}

static int on_scx_exit(void *arg, struct kt_scxtrig *t)
{
	struct watch *w = arg;

	w->trigger_ns = t->exit_ns ? t->exit_ns : kt_mono_ns();
	w->why = "scx-exit";
	return 2;
}

static int do_watch(struct kt_cmdline *cl)
{
	static const int sigs[] = {SIGUSR1, SIGINT, SIGTERM, SIGHUP, 0};
	struct target t = {.pinned_fd = -1};
	struct watch w = {0};
	double interval = 1;
	unsigned long long depth = KT_SNAP_DEFAULT_DEPTH, budget = 256ull << 20;
	const char *trigger = "scx-exit";
	uint32_t errid = 0;
	int c, r;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case 'i':
			if (kt_opt_double(&cl->g, 0.001, 86400, &interval))
				return KT_EXIT_USAGE;
			break;
		case OPT_RING:
			if (kt_opt_u64(&cl->g, 1, 100000, &depth))
				return KT_EXIT_USAGE;
			break;
		case OPT_BUDGET:
			if (kt_opt_size(&cl->g, 1, ~0ull, &budget))
				return KT_EXIT_USAGE;
			break;
		case OPT_TRIGGER:
			trigger = cl->g.arg;
			if (strcmp(trigger, "scx-exit") && strcmp(trigger, "signal") &&
			    strcmp(trigger, "none"))
				return kt_cmd_usage(cl, "--trigger: scx-exit, signal or none");
			break;
		default:
			return cl->rc;
		}
	if (!cl->out.path)
		return kt_cmd_usage(cl, "-o DIR is required");
	if (!access(cl->out.path, F_OK)) /* say so now, not after the exit */
		return kt_errx("'%s' exists: the ring is written to a new directory", cl->out.path);
	r = resolve(cl, &t);
	if (r)
		goto out;
	if (t.pinned_fd >= 0) {
		struct bpf_map_info info;

		if (!kt_bpf_map_info(t.pinned_fd, &info))
			kt_idlist_add(&t.ids, info.id);
		close(t.pinned_fd);
	}
	r = kt_snapring_init(&w.ring, t.ids.v, t.ids.n, (size_t)depth, budget, &errid);
	if (r) {
		r = kt_errn(-r, "map %u", errid);
		goto out_ring;
	}
	r = kt_snapring_take(&w.ring, false);
	if (r < 0) {
		r = kt_errn(-r, "first snapshot");
		goto out_ring;
	}
	/* a shell starts background jobs with SIGINT ignored: an ignored signal
	 * is discarded even while blocked, so the loop would never see it */
	for (const int *s = sigs; *s; s++)
		signal(*s, SIG_DFL);
	if (kt_loop_init(&w.loop) ||
	    kt_loop_add_timer(&w.loop, (uint64_t)(interval * 1e9), (uint64_t)(interval * 1e9),
			      on_tick, &w) < 0 ||
	    kt_loop_add_signals(&w.loop, sigs, on_signal, &w)) {
		r = kt_err("event loop");
		goto out_loop;
	}
	if (!strcmp(trigger, "scx-exit")) {
		if (kt_scxtrig_init(&w.trig, NULL) ||
		    kt_scxtrig_arm(&w.trig, &w.loop, 10 * 1000000ull, on_scx_exit, &w)) {
			r = kt_err("sched_ext trigger");
			goto out_loop;
		}
		if (w.trig.state == KT_SCX_NONE)
			kt_warn("no sched_ext in this kernel: the scx-exit trigger cannot fire");
	}
	fprintf(stderr,
		"bpfdump: watching %zu map%s every %gs (ring %llu, budget %llu bytes), "
		"trigger %s; SIGUSR1 writes now\n",
		w.ring.nmaps, w.ring.nmaps == 1 ? "" : "s", interval, depth, budget, trigger);
	r = kt_loop_run(&w.loop, -1);
	if (r != 2) {
		r = r < 0 ? kt_errn(-r, "event loop") : KT_EXIT_FAIL;
		if (!w.why)
			w.why = "error";
	}
	{
		int e = kt_snapring_take(&w.ring, true);
		int64_t delay = (int64_t)(kt_mono_ns() - w.trigger_ns);

		if (e < 0)
			kt_warn("final snapshot failed: %s (the ring is written without it)",
				strerror(-e));
		e = kt_snapring_write(&w.ring, cl->out.path, w.why, w.trigger_ns ? delay : -1);
		if (e)
			r = kt_errn(-e, "cannot write '%s'", cl->out.path);
		else {
			fprintf(stderr,
				"bpfdump: %s: wrote %zu snapshots of %zu maps to %s "
				"(final %.3f ms after the trigger)\n",
				w.why, w.ring.nsnaps, w.ring.nmaps, cl->out.path,
				w.trigger_ns ? delay / 1e6 : 0.0);
			if (r == 2)
				r = 0;
		}
	}
out_loop:
	if (!strcmp(trigger, "scx-exit"))
		kt_scxtrig_free(&w.trig);
	kt_loop_free(&w.loop);
out_ring:
	kt_snapring_free(&w.ring);
out:
	free(t.ids.v);
	return r;
}

static const struct kt_option show_opts[] = {KT_OPT_OUT, KT_OPT_END};

static const char show_help[] = KT_HELP_OUT KT_HELP_HELP
	"\nPer map: every key that changed within the ring, its values over the\n"
	"snapshots (ms relative to the final one) and the entry count at the end.\n"
	"Values render by the BTF saved with the ring, as hex without one.\n";

static int do_show(struct kt_cmdline *cl)
{
	struct kt_buf b = {0};
	struct kt_out o;
	struct jw w;
	int c, r;

	while ((c = kt_cmd_getopt(cl)) != -1)
		return cl->rc;
	if (kt_out_open(&o, cl->out.path))
		return KT_EXIT_FAIL;
	jw_init_buf(&w, &b, cl->out.pretty);
	r = kt_snapring_show(cl->ops[0], &b, cl->out.json ? &w : NULL);
	if (!r)
		fwrite(b.p ? b.p : "", 1, b.len, o.fp);
	kt_buf_free(&b);
	return kt_out_close(&o, !r) ? KT_EXIT_FAIL : (r ? KT_EXIT_FAIL : 0);
}

static const struct kt_cmd cmds[] = {
	{"list", do_list, list_opts, "", "every map: type, sizes, BTF, pins, users, holders",
	 list_help, 0, 0, 0},
	{"progs", do_progs, progs_opts, "", "every program: type, tag, attach, maps, stats",
	 progs_help, 0, 0, 0},
	{"dump", do_dump, dump_opts, "TARGET", "map contents, BTF-typed (bpftool -j compatible)",
	 dump_help, 1, 2, 0},
	{"watch", do_watch, watch_opts, "[TARGET] -o DIR",
	 "snapshot ring written when the scheduler exits (or on a signal)", watch_help, 0, 2, 0},
	{"show", do_show, show_opts, "DIR", "a written ring: changed entries over time", show_help,
	 1, 1, 0},
	{0},
};

static const struct kt_cmdset set = {
	"bpfdump",
	"Live BPF maps and programs through the bpf() syscall (root: CAP_SYS_ADMIN).\n",
	cmds,
	"Exit status: 0 ok; 1 runtime failure (EPERM: not root); 2 usage error.\n",
};

int bpfdump_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
