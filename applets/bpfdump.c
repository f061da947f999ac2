// SPDX-License-Identifier: MIT
/* bpfdump: live BPF maps and programs: list, dump. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "applets.h"
#include "bpfdump.h"
#include "bpfmap.h"
#include "cmd.h"
#include "err.h"
#include "json.h"
#include "opt.h"
#include "out.h"

enum {
	OPT_TYPE = KT_OPT_LONG, OPT_NAME, OPT_RAW, OPT_RECURSIVE, OPT_NO_BATCH, OPT_BATCH,
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
	{ "type", OPT_TYPE, 1 }, { "name", OPT_NAME, 1 }, KT_OPT_OUT, KT_OPT_END,
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
	struct kt_buf b = { 0 };
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

static const struct kt_option progs_opts[] = { KT_OPT_OUT, KT_OPT_END };

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
	struct kt_buf b = { 0 };
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
	{ "raw", OPT_RAW, 0 }, { "recursive", 'r', 0 }, { "no-batch", OPT_NO_BATCH, 0 },
	{ "batch", OPT_BATCH, 1 }, KT_OPT_OUT, KT_OPT_END,
};

static const char dump_help[] =
	"TARGET: id N | name NAME | pinned PATH | prog ID (the maps a program uses)\n"
	"        | scx (the maps of the running sched_ext scheduler) | all\n\n"
	"      --raw           hex only (no BTF rendering)\n"
	"  -r, --recursive     maps of maps: dump the inner maps too\n"
	"      --no-batch      GET_NEXT_KEY + LOOKUP instead of BPF_MAP_LOOKUP_BATCH\n"
	"                      (also: " KT_ENV_NO_BATCH "=1)\n"
	"      --batch N       entries per batch lookup (default: 4 MiB worth)\n" KT_HELP_OUT
		KT_HELP_HELP
	"\n-j prints what bpftool -j map dump prints: for one map an array of\n"
	"entries {key, value} (\"0x..\" byte strings; per-CPU maps values: [{cpu,\n"
	"value}]) plus formatted (the BTF rendering) when the map has BTF; for\n"
	"several maps an array of {id, type, name, flags, elements}.  Unlike\n"
	"bpftool 7.1, bitfields and floats are JSON numbers.  Ring buffers show\n"
	"their pending records (the consumer position is not moved); STRUCT_OPS\n"
	"values render with vmlinux BTF; .bss/.data/.rodata by their DATASEC.\n"
	"Types that cannot be read say \"not dumpable: TYPE (why)\".\n"
	"\nExit status: 0 ok; 1 runtime failure or a partial dump (said so).\n";

struct target {
	struct kt_idlist ids;
	int pinned_fd;		/* pinned PATH: the fd itself */
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
	const char *kind = cl->ops[0], *arg = cl->nops > 1 ? cl->ops[1] : NULL;
	bool one = !strcmp(kind, "all") || !strcmp(kind, "scx");
	uint32_t id;
	int r;

	if (one ? cl->nops != 1 : cl->nops != 2)
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
	struct kt_dump d = { 0 };
	struct target t = { .pinned_fd = -1 };
	struct kt_idlist inner = { 0 };
	bool recursive = false;
	unsigned long long batch = 0;
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
	kt_dump_begin(&d);
	if (t.pinned_fd >= 0) {
		rc = dump_one(&d, t.pinned_fd, true, 0, recursive ? &inner : NULL);
		close(t.pinned_fd);
	}
	for (size_t i = 0; i < t.ids.n; i++) {
		uint32_t id = t.ids.v[i];
		int fd = kt_bpf_map_fd(id);

		if (fd == -ENOENT && t.multi && !recursive)
			continue;	/* went away since it was listed */
		if (fd < 0) {
			if (fd == -EPERM) {
				rc = kt_errx("map %u: %s (" KT_BPF_EPERM_HINT ")", id, strerror(EPERM));
				break;
			}
			rc = fd == -ENOENT ? kt_errx("map %u: no such map", id) :
					     kt_errn(-fd, "map %u", id);
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

static const struct kt_cmd cmds[] = {
	{ "list", do_list, list_opts, "", "every map: type, sizes, BTF, pins, users, holders",
	  list_help, 0, 0, 0 },
	{ "progs", do_progs, progs_opts, "", "every program: type, tag, attach, maps, stats",
	  progs_help, 0, 0, 0 },
	{ "dump", do_dump, dump_opts, "TARGET", "map contents, BTF-typed (bpftool -j compatible)",
	  dump_help, 1, 2, 0 },
	{ 0 },
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
