// SPDX-License-Identifier: MIT
/* Pure pieces of lib/bpfmap: names, dumpability, fdinfo, formatting. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "bpfmap.h"

static const char *const map_types[] = {
	"unspec",
	"hash",
	"array",
	"prog_array",
	"perf_event_array",
	"percpu_hash",
	"percpu_array",
	"stack_trace",
	"cgroup_array",
	"lru_hash",
	"lru_percpu_hash",
	"lpm_trie",
	"array_of_maps",
	"hash_of_maps",
	"devmap",
	"sockmap",
	"cpumap",
	"xskmap",
	"sockhash",
	"cgroup_storage",
	"reuseport_sockarray",
	"percpu_cgroup_storage",
	"queue",
	"stack",
	"sk_storage",
	"devmap_hash",
	"struct_ops",
	"ringbuf",
	"inode_storage",
	"task_storage",
	"bloom_filter",
	"user_ringbuf",
	"cgrp_storage",
	"arena",
};
#define NTYPES (sizeof(map_types) / sizeof(map_types[0]))

const char *kt_bpf_map_type_name(uint32_t t)
{
	return t < NTYPES ? map_types[t] : NULL;
}

int kt_bpf_map_type_parse(const char *s)
{
	char low[40];
	size_t i;

	if (!strncasecmp(s, "BPF_MAP_TYPE_", 13))
		s += 13;
	for (i = 0; s[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = 0;
	for (i = 1; i < NTYPES; i++)
		if (!strcmp(map_types[i], low))
			return (int)i;
	return -1;
}

const char *kt_bpf_prog_type_name(uint32_t t)
{
	return libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
}

bool kt_bpf_map_percpu(uint32_t type)
{
	return type == KT_MAP_PERCPU_HASH || type == KT_MAP_PERCPU_ARRAY ||
	       type == KT_MAP_LRU_PERCPU_HASH || type == KT_MAP_PERCPU_CGROUP_STORAGE;
}

bool kt_bpf_map_of_maps(uint32_t type)
{
	return type == KT_MAP_ARRAY_OF_MAPS || type == KT_MAP_HASH_OF_MAPS;
}

const char *kt_bpf_not_dumpable(uint32_t type)
{
	switch (type) {
	case KT_MAP_PERF_EVENT_ARRAY:
		return "holds perf event fds; the events are read with perf, not through the map";
	case KT_MAP_CGROUP_ARRAY:
		return "holds cgroup references, no data";
	case KT_MAP_SOCKMAP:
	case KT_MAP_SOCKHASH:
	case KT_MAP_XSKMAP:
	case KT_MAP_REUSEPORT_SOCKARRAY:
		return "holds socket references, no data";
	case KT_MAP_QUEUE:
	case KT_MAP_STACK:
		return "reading consumes: only the head can be peeked, the rest not without "
		       "popping";
	case KT_MAP_SK_STORAGE:
	case KT_MAP_INODE_STORAGE:
	case KT_MAP_TASK_STORAGE:
	case KT_MAP_CGRP_STORAGE:
		return "local storage attached to kernel objects: not enumerable from user space"
		       " without a BPF iterator program";
	case KT_MAP_BLOOM_FILTER:
		return "no keys: a bloom filter answers membership only";
	case KT_MAP_USER_RINGBUF:
		return "written by user space and consumed by BPF: nothing to read back";
	case 0:
		return "unspecified map type";
	}
	if (type >= NTYPES)
		return "map type unknown to this bpfdump";
	return NULL;
}

enum kt_dump_kind kt_bpf_dump_kind(uint32_t type)
{
	if (kt_bpf_not_dumpable(type))
		return KT_DUMP_NONE;
	if (type == KT_MAP_RINGBUF)
		return KT_DUMP_RINGBUF;
	if (type == KT_MAP_ARENA)
		return KT_DUMP_ARENA;
	return KT_DUMP_WALK;
}

int kt_fdinfo_u64(const char *s, size_t n, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	const char *end = s + n, *p = s;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == ':') {
			const char *q = p + kl + 1;
			uint64_t x = 0;
			int digits = 0;

			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			for (; q < le && *q >= '0' && *q <= '9'; q++, digits++)
				x = x * 10 + (uint64_t)(*q - '0');
			if (!digits)
				return -1;
			*v = x;
			return 0;
		}
		p = le + 1;
	}
	return -1;
}

void kt_bpf_tag(char out[17], const unsigned char tag[8])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[tag[i] >> 4];
		out[2 * i + 1] = hex[tag[i] & 15];
	}
	out[16] = 0;
}

static void type_text(struct kt_buf *b, uint32_t t)
{
	const char *n = kt_bpf_map_type_name(t);

	if (n)
		kt_buf_puts(b, n);
	else
		kt_buf_printf(b, "type %u", t);
}

static void holders_text(struct kt_buf *b, const struct kt_bpf_holder *h, size_t n)
{
	if (!n)
		return;
	kt_buf_puts(b, "\n\tpids ");
	for (size_t i = 0; i < n; i++)
		kt_buf_printf(b, "%s%s(%d)", i ? ", " : "", h[i].comm, h[i].pid);
}

static void ids_text(struct kt_buf *b, const char *what, const uint32_t *ids, size_t n)
{
	if (!n)
		return;
	kt_buf_printf(b, "\n\t%s ", what);
	for (size_t i = 0; i < n; i++)
		kt_buf_printf(b, "%s%u", i ? "," : "", ids[i]);
}

void kt_bpf_map_text(struct kt_buf *b, const struct kt_bpf_mapdesc *m)
{
	const struct bpf_map_info *i = &m->info;
	const char *why = kt_bpf_not_dumpable(i->type);

	kt_buf_printf(b, "%u: ", i->id);
	type_text(b, i->type);
	if (i->name[0])
		kt_buf_printf(b, "  name %.*s", (int)sizeof(i->name), i->name);
	kt_buf_printf(b, "  flags 0x%x", i->map_flags);
	if (m->scx)
		kt_buf_puts(b, "  [sched_ext]");
	kt_buf_printf(b, "\n\tkey %uB  value %uB  max_entries %u", i->key_size, i->value_size,
		      i->max_entries);
	if (m->memlock >= 0)
		kt_buf_printf(b, "  memlock %lldB", (long long)m->memlock);
	if (i->map_extra)
		kt_buf_printf(b, "  map_extra 0x%llx", (unsigned long long)i->map_extra);
	if (i->btf_id || m->frozen > 0)
		kt_buf_puts(b, "\n\t");
	if (i->btf_id) {
		kt_buf_printf(b, "btf_id %u", i->btf_id);
		if (i->btf_key_type_id || i->btf_value_type_id)
			kt_buf_printf(b, "  key_type %u  value_type %u", i->btf_key_type_id,
				      i->btf_value_type_id);
		if (i->btf_vmlinux_value_type_id)
			kt_buf_printf(b, "  vmlinux_value_type %u", i->btf_vmlinux_value_type_id);
	}
	if (m->frozen > 0)
		kt_buf_printf(b, "%sfrozen", i->btf_id ? "  " : "");
	for (size_t k = 0; k < m->npinned; k++)
		kt_buf_printf(b, "\n\tpinned %s", m->pinned[k]);
	ids_text(b, "progs", m->progs, m->nprogs);
	holders_text(b, m->pids, m->npids);
	if (why)
		kt_buf_printf(b, "\n\tnot dumpable: %s", why);
	kt_buf_putc(b, '\n');
}

static void holders_json(struct jw *w, const struct kt_bpf_holder *h, size_t n)
{
	if (!n)
		return;
	jw_key(w, "pids");
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj_open(w);
		jw_ki64(w, "pid", h[i].pid);
		jw_kstr(w, "comm", h[i].comm);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

static void ids_json(struct jw *w, const char *k, const uint32_t *ids, size_t n)
{
	if (!n)
		return;
	jw_key(w, k);
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jw_u64(w, ids[i]);
	jw_arr_close(w);
}

void kt_bpf_map_header_json(struct jw *w, const struct bpf_map_info *i)
{
	const char *t = kt_bpf_map_type_name(i->type);

	jw_ku64(w, "id", i->id);
	if (t)
		jw_kstr(w, "type", t);
	else
		jw_ku64(w, "type", i->type);
	if (i->name[0]) {
		jw_key(w, "name");
		jw_strn(w, i->name, strnlen(i->name, sizeof(i->name)));
	}
	jw_ku64(w, "flags", i->map_flags);
}

void kt_bpf_map_json(struct jw *w, const struct kt_bpf_mapdesc *m)
{
	const struct bpf_map_info *i = &m->info;
	const char *why = kt_bpf_not_dumpable(i->type);

	jw_obj_open(w);
	kt_bpf_map_header_json(w, i);
	jw_ku64(w, "bytes_key", i->key_size);
	jw_ku64(w, "bytes_value", i->value_size);
	jw_ku64(w, "max_entries", i->max_entries);
	if (i->map_extra)
		jw_ku64(w, "map_extra", i->map_extra);
	if (m->memlock >= 0)
		jw_ki64(w, "bytes_memlock", m->memlock);
	if (m->frozen >= 0)
		jw_ki64(w, "frozen", m->frozen);
	if (i->btf_id) {
		jw_ku64(w, "btf_id", i->btf_id);
		if (i->btf_key_type_id)
			jw_ku64(w, "btf_key_type_id", i->btf_key_type_id);
		if (i->btf_value_type_id)
			jw_ku64(w, "btf_value_type_id", i->btf_value_type_id);
	}
	if (i->btf_vmlinux_value_type_id)
		jw_ku64(w, "btf_vmlinux_value_type_id", i->btf_vmlinux_value_type_id);
	if (m->npinned) {
		jw_key(w, "pinned");
		jw_arr_open(w);
		for (size_t k = 0; k < m->npinned; k++)
			jw_str(w, m->pinned[k]);
		jw_arr_close(w);
	}
	ids_json(w, "prog_ids", m->progs, m->nprogs);
	holders_json(w, m->pids, m->npids);
	if (m->scx)
		jw_kbool(w, "sched_ext", true);
	if (why)
		jw_kstr(w, "not_dumpable", why);
	jw_obj_close(w);
}

static void prog_type_text(struct kt_buf *b, uint32_t t)
{
	const char *n = kt_bpf_prog_type_name(t);

	if (n)
		kt_buf_puts(b, n);
	else
		kt_buf_printf(b, "type %u", t);
}

void kt_bpf_prog_text(struct kt_buf *b, const struct kt_bpf_progdesc *p, const char *scx_ops)
{
	const struct bpf_prog_info *i = &p->info;
	char tag[17];

	kt_bpf_tag(tag, i->tag);
	kt_buf_printf(b, "%u: ", i->id);
	prog_type_text(b, i->type);
	if (i->name[0])
		kt_buf_printf(b, "  name %.*s", (int)sizeof(i->name), i->name);
	kt_buf_printf(b, "  tag %s", tag);
	if (p->scx)
		kt_buf_printf(b, "  [sched_ext %s]", scx_ops ? scx_ops : "");
	else if (p->struct_ops)
		kt_buf_puts(b, "  [struct_ops]");
	if (p->attach[0] || p->attach_type) {
		kt_buf_puts(b, "\n\t");
		if (p->attach[0])
			kt_buf_printf(b, "attach %s", p->attach);
		if (p->attach_type)
			kt_buf_printf(b, "%sattach_type %s", p->attach[0] ? "  " : "",
				      p->attach_type);
	}
	if (i->run_cnt || i->run_time_ns)
		kt_buf_printf(b, "\n\trun_time_ns %llu  run_cnt %llu",
			      (unsigned long long)i->run_time_ns, (unsigned long long)i->run_cnt);
	if (i->recursion_misses)
		kt_buf_printf(b, "  recursion_misses %llu",
			      (unsigned long long)i->recursion_misses);
	if (i->btf_id)
		kt_buf_printf(b, "\n\tbtf_id %u", i->btf_id);
	ids_text(b, "map_ids", p->map_ids, p->nmaps);
	for (size_t k = 0; k < p->npinned; k++)
		kt_buf_printf(b, "\n\tpinned %s", p->pinned[k]);
	holders_text(b, p->pids, p->npids);
	kt_buf_putc(b, '\n');
}

void kt_bpf_prog_json(struct jw *w, const struct kt_bpf_progdesc *p, const char *scx_ops)
{
	const struct bpf_prog_info *i = &p->info;
	const char *t = kt_bpf_prog_type_name(i->type);
	char tag[17];

	kt_bpf_tag(tag, i->tag);
	jw_obj_open(w);
	jw_ku64(w, "id", i->id);
	if (t)
		jw_kstr(w, "type", t);
	else
		jw_ku64(w, "type", i->type);
	if (i->name[0]) {
		jw_key(w, "name");
		jw_strn(w, i->name, strnlen(i->name, sizeof(i->name)));
	}
	jw_kstr(w, "tag", tag);
	if (p->attach[0])
		jw_kstr(w, "attach", p->attach);
	if (p->attach_type)
		jw_kstr(w, "attach_type", p->attach_type);
	if (p->struct_ops)
		jw_kbool(w, "struct_ops", true);
	if (p->scx && scx_ops)
		jw_kstr(w, "sched_ext", scx_ops);
	if (i->run_cnt || i->run_time_ns) {
		jw_ku64(w, "run_time_ns", i->run_time_ns);
		jw_ku64(w, "run_cnt", i->run_cnt);
	}
	if (i->recursion_misses)
		jw_ku64(w, "recursion_misses", i->recursion_misses);
	if (i->btf_id)
		jw_ku64(w, "btf_id", i->btf_id);
	ids_json(w, "map_ids", p->map_ids, p->nmaps);
	if (p->npinned) {
		jw_key(w, "pinned");
		jw_arr_open(w);
		for (size_t k = 0; k < p->npinned; k++)
			jw_str(w, p->pinned[k]);
		jw_arr_close(w);
	}
	holders_json(w, p->pids, p->npids);
	jw_obj_close(w);
}
