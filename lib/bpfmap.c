// SPDX-License-Identifier: MIT
/* Live BPF maps and programs: enumeration and description (bpf() I/O). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfmap.h"
#include "file.h"

#define MAX_IDS (1u << 20) /* more objects than any kernel holds: a loop */
#define PIN_MAX_DEPTH 8
#define PIN_MAX_FILES 65536

static int next_id(int kind, uint32_t start, uint32_t *next)
{
	switch (kind) {
	case KT_BPF_MAPS:
		return bpf_map_get_next_id(start, next);
	case KT_BPF_PROGS:
		return bpf_prog_get_next_id(start, next);
	default:
		return bpf_link_get_next_id(start, next);
	}
}

int kt_bpf_ids(int kind, uint32_t **ids, size_t *n)
{
	uint32_t id = 0, *v = NULL, *nv;
	size_t cnt = 0, cap = 0;

	*ids = NULL;
	*n = 0;
	for (;;) {
		if (next_id(kind, id, &id)) {
			if (errno == ENOENT)
				break;
			free(v);
			return -errno;
		}
		if (cnt == cap) {
			if (cap >= MAX_IDS) {
				free(v);
				return -E2BIG;
			}
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = id;
	}
	*ids = v;
	*n = cnt;
	return 0;
}

int kt_bpf_map_fd(uint32_t id)
{
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);
	int fd = bpf_map_get_fd_by_id_opts(id, &o);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == EPERM)
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	return fd >= 0 ? fd : -errno;
}

int kt_bpf_map_info(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* What an fd of this process or another is ("bpf-map", "bpf-prog", ...). */
static const char *anon_kind(const char *link)
{
	if (!strncmp(link, "anon_inode:bpf-", 15))
		return link + 11;
	return NULL;
}

static void fdinfo_of(int fd, int64_t *memlock, int *frozen)
{
	char p[64];
	size_t len;
	uint64_t v;
	char *s;

	*memlock = -1;
	*frozen = -1;
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	s = kt_read_small(NULL, p, 4096, &len);
	if (!s)
		return;
	if (!kt_fdinfo_u64(s, len, "memlock", &v))
		*memlock = (int64_t)v;
	if (!kt_fdinfo_u64(s, len, "frozen", &v))
		*frozen = (int)v;
	free(s);
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -1;
	(*n)++;
	return 0;
}

static int push_u32(uint32_t **v, size_t *n, uint32_t x)
{
	uint32_t *nv;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -1;
	*v = nv;
	nv[(*n)++] = x;
	return 0;
}

static int push_holder(struct kt_bpf_holder **v, size_t *n, int pid, const char *comm)
{
	struct kt_bpf_holder *nv;

	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].pid == pid)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -1;
	*v = nv;
	nv[*n].pid = pid;
	snprintf(nv[*n].comm, sizeof(nv[*n].comm), "%s", comm);
	(*n)++;
	return 0;
}

static struct kt_bpf_mapdesc *find_map(struct kt_bpf_inv *inv, uint32_t id)
{
	return (struct kt_bpf_mapdesc *)kt_bpf_inv_map(inv, id);
}

static struct kt_bpf_progdesc *find_prog(struct kt_bpf_inv *inv, uint32_t id)
{
	return (struct kt_bpf_progdesc *)kt_bpf_inv_prog(inv, id);
}

const struct kt_bpf_mapdesc *kt_bpf_inv_map(const struct kt_bpf_inv *inv, uint32_t id)
{
	size_t lo = 0, hi = inv->nmaps;

	while (lo < hi) { /* ids come in increasing order */
		size_t mid = (lo + hi) / 2;

		if (inv->maps[mid].info.id == id)
			return &inv->maps[mid];
		if (inv->maps[mid].info.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct kt_bpf_progdesc *kt_bpf_inv_prog(const struct kt_bpf_inv *inv, uint32_t id)
{
	size_t lo = 0, hi = inv->nprogs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (inv->progs[mid].info.id == id)
			return &inv->progs[mid];
		if (inv->progs[mid].info.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int load_maps(struct kt_bpf_inv *inv)
{
	uint32_t *ids;
	size_t n;
	int r = kt_bpf_ids(KT_BPF_MAPS, &ids, &n);

	if (r)
		return r;
	inv->maps = calloc(n ? n : 1, sizeof(*inv->maps));
	if (!inv->maps) {
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct kt_bpf_mapdesc *m = &inv->maps[inv->nmaps];
		int fd = kt_bpf_map_fd(ids[i]);

		if (fd == -ENOENT) {
			inv->vanished++;
			continue;
		}
		if (fd < 0) {
			free(ids);
			return fd;
		}
		r = kt_bpf_map_info(fd, &m->info);
		if (!r)
			fdinfo_of(fd, &m->memlock, &m->frozen);
		close(fd);
		if (r) {
			inv->vanished++;
			continue;
		}
		inv->nmaps++;
	}
	free(ids);
	return 0;
}

/* The name of type ID of the BTF object OBJ_ID (vmlinux or a module's). */
struct btf_cache {
	struct btf *vmlinux;
	uint32_t obj_id;
	struct btf *obj;
	bool tried_vmlinux;
};

static struct btf *btf_obj(struct btf_cache *c, uint32_t obj_id)
{
	struct bpf_btf_info bi;
	char name[64] = "";
	uint32_t len = sizeof(bi);
	int fd;

	if (c->obj_id == obj_id)
		return c->obj;
	if (!c->tried_vmlinux) {
		c->tried_vmlinux = true;
		c->vmlinux = btf__load_vmlinux_btf();
		if (!c->vmlinux)
			c->vmlinux = NULL;
	}
	btf__free(c->obj != c->vmlinux ? c->obj : NULL);
	c->obj = NULL;
	c->obj_id = obj_id;
	fd = bpf_btf_get_fd_by_id(obj_id);
	if (fd < 0)
		return NULL;
	memset(&bi, 0, sizeof(bi));
	bi.name = (uint64_t)(uintptr_t)name;
	bi.name_len = sizeof(name);
	if (bpf_obj_get_info_by_fd(fd, &bi, &len)) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (!strcmp(name, "vmlinux"))
		c->obj = c->vmlinux ? c->vmlinux : btf__load_from_kernel_by_id(obj_id);
	else if (c->vmlinux)
		c->obj = btf__load_from_kernel_by_id_split(obj_id, c->vmlinux);
	return c->obj;
}

static void btf_cache_free(struct btf_cache *c)
{
	if (c->obj != c->vmlinux)
		btf__free(c->obj);
	btf__free(c->vmlinux);
}

static void prog_attach(struct kt_bpf_progdesc *p, struct btf_cache *c)
{
	const struct btf_type *t;
	struct btf *b;

	if (!p->info.attach_btf_id || !p->info.attach_btf_obj_id)
		return;
	b = btf_obj(c, p->info.attach_btf_obj_id);
	if (!b)
		return;
	t = btf__type_by_id(b, p->info.attach_btf_id);
	if (!t)
		return;
	snprintf(p->attach, sizeof(p->attach), "%s", btf__name_by_offset(b, t->name_off));
}

static int prog_info(int fd, struct kt_bpf_progdesc *p)
{
	uint32_t len = sizeof(p->info), nmaps;

	memset(&p->info, 0, sizeof(p->info));
	if (bpf_obj_get_info_by_fd(fd, &p->info, &len))
		return -errno;
	nmaps = p->info.nr_map_ids;
	if (!nmaps)
		return 0;
	p->map_ids = calloc(nmaps, sizeof(uint32_t));
	if (!p->map_ids)
		return -ENOMEM;
	memset(&p->info, 0, sizeof(p->info));
	p->info.nr_map_ids = nmaps;
	p->info.map_ids = (uint64_t)(uintptr_t)p->map_ids;
	len = sizeof(p->info);
	if (bpf_obj_get_info_by_fd(fd, &p->info, &len))
		return -errno;
	/* the program cannot gain maps, but be safe against a short answer */
	p->nmaps = p->info.nr_map_ids < nmaps ? p->info.nr_map_ids : nmaps;
	p->info.map_ids = 0;
	return 0;
}

int kt_bpf_prog_map_ids(uint32_t prog_id, uint32_t **ids, size_t *n)
{
	struct kt_bpf_progdesc p = {0};
	int fd = bpf_prog_get_fd_by_id(prog_id), r;

	*ids = NULL;
	*n = 0;
	if (fd < 0)
		return -errno;
	r = prog_info(fd, &p);
	close(fd);
	if (r) {
		free(p.map_ids);
		return r;
	}
	*ids = p.map_ids;
	*n = p.nmaps;
	return 0;
}

static int load_progs(struct kt_bpf_inv *inv)
{
	struct btf_cache c = {0};
	uint32_t *ids;
	size_t n;
	int r = kt_bpf_ids(KT_BPF_PROGS, &ids, &n);

	if (r)
		return r;
	inv->progs = calloc(n ? n : 1, sizeof(*inv->progs));
	if (!inv->progs) {
		free(ids);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct kt_bpf_progdesc *p = &inv->progs[inv->nprogs];
		int fd = bpf_prog_get_fd_by_id(ids[i]);

		if (fd < 0 && errno == ENOENT) {
			inv->vanished++;
			continue;
		}
		if (fd < 0) {
			r = -errno;
			break;
		}
		r = prog_info(fd, p);
		close(fd);
		if (r) {
			free(p->map_ids);
			memset(p, 0, sizeof(*p));
			inv->vanished++;
			r = 0;
			continue;
		}
		p->struct_ops = p->info.type == KT_PROG_STRUCT_OPS;
		prog_attach(p, &c);
		p->scx = p->struct_ops && inv->scx_ops && !strcmp(p->attach, "sched_ext_ops");
		inv->nprogs++;
	}
	btf_cache_free(&c);
	free(ids);
	return r;
}

static const char *link_attach_type(const struct bpf_link_info *li)
{
	switch (li->type) {
	case BPF_LINK_TYPE_TRACING:
		return libbpf_bpf_attach_type_str(li->tracing.attach_type);
	case BPF_LINK_TYPE_CGROUP:
		return libbpf_bpf_attach_type_str(li->cgroup.attach_type);
	case BPF_LINK_TYPE_NETNS:
		return libbpf_bpf_attach_type_str(li->netns.attach_type);
	default:
		return libbpf_bpf_link_type_str(li->type);
	}
}

static void load_links(struct kt_bpf_inv *inv)
{
	uint32_t *ids;
	size_t n;

	if (kt_bpf_ids(KT_BPF_LINKS, &ids, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct bpf_link_info li;
		uint32_t len = sizeof(li);
		struct kt_bpf_progdesc *p;
		int fd = bpf_link_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&li, 0, sizeof(li));
		if (!bpf_obj_get_info_by_fd(fd, &li, &len)) {
			p = find_prog(inv, li.prog_id);
			if (p && !p->attach_type)
				p->attach_type = link_attach_type(&li);
		}
		close(fd);
	}
	free(ids);
}

/* Tie maps to the programs using them, and mark the scheduler's. */
static void link_users(struct kt_bpf_inv *inv)
{
	for (size_t i = 0; i < inv->nprogs; i++) {
		struct kt_bpf_progdesc *p = &inv->progs[i];

		for (size_t k = 0; k < p->nmaps; k++) {
			struct kt_bpf_mapdesc *m = find_map(inv, p->map_ids[k]);

			if (!m)
				continue;
			push_u32(&m->progs, &m->nprogs, p->info.id);
			if (p->scx)
				m->scx = true;
		}
	}
}

static void mark_scx_struct_ops(struct kt_bpf_inv *inv)
{
	struct btf *v;

	if (!inv->scx_ops)
		return;
	v = NULL;
	for (size_t i = 0; i < inv->nmaps; i++) {
		struct kt_bpf_mapdesc *m = &inv->maps[i];
		const struct btf_type *t;

		if (m->info.type != KT_MAP_STRUCT_OPS || !m->info.btf_vmlinux_value_type_id)
			continue;
		if (!v && !(v = btf__load_vmlinux_btf()))
			return;
		t = btf__type_by_id(v, m->info.btf_vmlinux_value_type_id);
		if (t &&
		    !strcmp(btf__name_by_offset(v, t->name_off), "bpf_struct_ops_sched_ext_ops"))
			m->scx = true;
	}
	btf__free(v);
}

/* Pinned objects under /sys/fs/bpf: the id of each file's object. */
struct pinwalk {
	struct kt_bpf_inv *inv;
	size_t files;
};

static void pin_file(struct pinwalk *w, const char *path)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);
	char lp[64], link[64];
	const char *kind;
	ssize_t l;
	int fd = bpf_obj_get_opts(path, &o);

	if (fd < 0)
		fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	snprintf(lp, sizeof(lp), "/proc/self/fd/%d", fd);
	l = readlink(lp, link, sizeof(link) - 1);
	link[l > 0 ? l : 0] = 0;
	kind = anon_kind(link);
	if (kind && !strcmp(kind, "bpf-map")) {
		struct bpf_map_info mi;
		struct kt_bpf_mapdesc *m;

		if (!kt_bpf_map_info(fd, &mi) && (m = find_map(w->inv, mi.id)))
			push_str(&m->pinned, &m->npinned, path);
	} else if (kind && !strcmp(kind, "bpf-prog")) {
		struct bpf_prog_info pi;
		uint32_t len = sizeof(pi);
		struct kt_bpf_progdesc *p;

		memset(&pi, 0, sizeof(pi));
		if (!bpf_obj_get_info_by_fd(fd, &pi, &len) && (p = find_prog(w->inv, pi.id)))
			push_str(&p->pinned, &p->npinned, path);
	}
	close(fd);
}

static void pin_walk(struct pinwalk *w, const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;

	if (depth > PIN_MAX_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) && w->files < PIN_MAX_FILES) {
		char p[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= sizeof(p))
			continue;
		if (lstat(p, &st))
			continue;
		w->files++;
		if (S_ISDIR(st.st_mode))
			pin_walk(w, p, depth + 1);
		else if (S_ISREG(st.st_mode))
			pin_file(w, p);
	}
	closedir(d);
}

/* Processes holding BPF fds: /proc/PID/fd links, then their fdinfo ids. */
static void pid_fd(struct kt_bpf_inv *inv, int pid, const char *fdname, const char *kind,
		   char *comm)
{
	char p[96];
	size_t len;
	uint64_t id;
	char *s;

	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%s", pid, fdname);
	s = kt_read_small(NULL, p, 4096, &len);
	if (!s)
		return;
	if (!strcmp(kind, "bpf-map") && !kt_fdinfo_u64(s, len, "map_id", &id)) {
		struct kt_bpf_mapdesc *m = find_map(inv, (uint32_t)id);

		if (m)
			push_holder(&m->pids, &m->npids, pid, comm);
	} else if (!strcmp(kind, "bpf-prog") && !kt_fdinfo_u64(s, len, "prog_id", &id)) {
		struct kt_bpf_progdesc *pr = find_prog(inv, (uint32_t)id);

		if (pr)
			push_holder(&pr->pids, &pr->npids, pid, comm);
	}
	free(s);
}

static void pid_scan(struct kt_bpf_inv *inv, int pid)
{
	char dp[64], comm[32] = "", *c;
	struct kt_dirent *e;
	struct kt_dir *d;

	snprintf(dp, sizeof(dp), "/proc/%d/comm", pid);
	c = kt_read_trim(NULL, dp);
	if (c) {
		snprintf(comm, sizeof(comm), "%s", c);
		free(c);
	}
	d = malloc(sizeof(*d));
	if (!d)
		return;
	snprintf(dp, sizeof(dp), "/proc/%d/fd", pid);
	if (kt_dir_open(d, NULL, dp)) {
		free(d);
		return;
	}
	while ((e = kt_dir_next(d))) {
		char lp[96], link[64];
		const char *kind;
		ssize_t l;

		snprintf(lp, sizeof(lp), "%s/%s", dp, e->name);
		l = readlink(lp, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		kind = anon_kind(link);
		if (kind)
			pid_fd(inv, pid, e->name, kind, comm);
	}
	kt_dir_close(d);
	free(d);
}

static void pids_walk(struct kt_bpf_inv *inv)
{
	struct kt_dirent *e;
	struct kt_dir *d = malloc(sizeof(*d));
	int self = getpid();

	if (!d)
		return;
	if (kt_dir_open(d, NULL, "/proc")) {
		free(d);
		return;
	}
	while ((e = kt_dir_next(d))) {
		char *end;
		long pid = strtol(e->name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		pid_scan(inv, (int)pid);
	}
	kt_dir_close(d);
	free(d);
}

int kt_bpf_inventory(struct kt_bpf_inv *inv, unsigned what)
{
	int r;

	memset(inv, 0, sizeof(*inv));
	inv->scx_state = kt_read_trim(NULL, "/sys/kernel/sched_ext/state");
	inv->scx_ops = kt_read_trim(NULL, "/sys/kernel/sched_ext/root/ops");
	if (what & KT_INV_MAPS) {
		r = load_maps(inv);
		if (r)
			goto fail;
	}
	/* maps need programs for their users; programs are cheap */
	r = load_progs(inv);
	if (r)
		goto fail;
	if (what & KT_INV_PROGS)
		load_links(inv);
	link_users(inv);
	mark_scx_struct_ops(inv);
	if (what & KT_INV_PINNED) {
		struct pinwalk w = {inv, 0};

		pin_walk(&w, "/sys/fs/bpf", 0);
	}
	if (what & KT_INV_PIDS)
		pids_walk(inv);
	return 0;
fail:
	kt_bpf_inv_free(inv);
	return r;
}

void kt_bpf_inv_free(struct kt_bpf_inv *inv)
{
	for (size_t i = 0; i < inv->nmaps; i++) {
		struct kt_bpf_mapdesc *m = &inv->maps[i];

		for (size_t k = 0; k < m->npinned; k++)
			free(m->pinned[k]);
		free(m->pinned);
		free(m->progs);
		free(m->pids);
	}
	for (size_t i = 0; i < inv->nprogs; i++) {
		struct kt_bpf_progdesc *p = &inv->progs[i];

		for (size_t k = 0; k < p->npinned; k++)
			free(p->pinned[k]);
		free(p->pinned);
		free(p->map_ids);
		free(p->pids);
	}
	free(inv->maps);
	free(inv->progs);
	free(inv->scx_ops);
	free(inv->scx_state);
	memset(inv, 0, sizeof(*inv));
}
