// SPDX-License-Identifier: MIT
/* The pre-failure snapshot ring of BPF maps (see bpfsnap.h). */
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

#include "bpfdump.h"
#include "bpfmap.h"
#include "bpfsnap.h"
#include "json.h"
#include "loop.h"

#define DELETED UINT32_MAX

/* ---- the table ---------------------------------------------------------- */

static uint64_t hash(const unsigned char *k, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

int kt_kvtab_init(struct kt_kvtab *t, uint32_t ks, uint32_t vs)
{
	memset(t, 0, sizeof(*t));
	t->ks = ks;
	t->vs = vs;
	t->nslot = 64;
	t->slot = calloc(t->nslot, sizeof(*t->slot));
	return t->slot ? 0 : -ENOMEM;
}

void kt_kvtab_free(struct kt_kvtab *t)
{
	free(t->rec);
	free(t->gen);
	free(t->live);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static unsigned char *recp(const struct kt_kvtab *t, size_t i)
{
	return t->rec + i * ((size_t)t->ks + t->vs);
}

/* Slot of key K, or of the first free slot for it (*found false). */
static size_t find(const struct kt_kvtab *t, const unsigned char *k, bool *found)
{
	size_t mask = t->nslot - 1, i = (size_t)hash(k, t->ks) & mask, tomb = (size_t)-1;

	for (;; i = (i + 1) & mask) {
		uint32_t s = t->slot[i];

		if (!s) {
			*found = false;
			return tomb != (size_t)-1 ? tomb : i;
		}
		if (s == DELETED) {
			if (tomb == (size_t)-1)
				tomb = i;
			continue;
		}
		if (!memcmp(recp(t, s - 1), k, t->ks)) {
			*found = true;
			return i;
		}
	}
}

/* Rebuild the slots (and drop dead records) at twice the live count. */
static int rehash(struct kt_kvtab *t)
{
	size_t n = 64, w = 0, rs = (size_t)t->ks + t->vs;
	uint32_t *ns;

	while (n < 4 * (t->nlive + 1))
		n *= 2;
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrec; i++) {
		if (!t->live[i])
			continue;
		if (w != i) {
			memmove(recp(t, w), recp(t, i), rs);
			t->gen[w] = t->gen[i];
		}
		t->live[w++] = 1;
	}
	t->nrec = w;
	free(t->slot);
	t->slot = ns;
	t->nslot = n;
	t->used = 0;
	for (size_t i = 0; i < t->nrec; i++) {
		size_t mask = n - 1, j = (size_t)hash(recp(t, i), t->ks) & mask;

		while (ns[j])
			j = (j + 1) & mask;
		ns[j] = (uint32_t)i + 1;
		t->used++;
	}
	return 0;
}

static int grow_rec(struct kt_kvtab *t)
{
	size_t cap = t->caprec ? t->caprec * 2 : 64, rs = (size_t)t->ks + t->vs;
	unsigned char *r = realloc(t->rec, cap * rs);
	uint32_t *g;
	uint8_t *l;

	if (!r)
		return -ENOMEM;
	t->rec = r;
	g = realloc(t->gen, cap * sizeof(*g));
	if (!g)
		return -ENOMEM;
	t->gen = g;
	l = realloc(t->live, cap);
	if (!l)
		return -ENOMEM;
	t->live = l;
	t->caprec = cap;
	return 0;
}

int kt_kvtab_upsert(struct kt_kvtab *t, const unsigned char *k, const unsigned char *v,
		    uint32_t gen)
{
	bool found;
	size_t i;

	if (2 * (t->used + 1) > t->nslot && rehash(t))
		return -ENOMEM;
	i = find(t, k, &found);
	if (found) {
		unsigned char *r = recp(t, t->slot[i] - 1);

		t->gen[t->slot[i] - 1] = gen;
		if (!memcmp(r + t->ks, v, t->vs))
			return 0;
		memcpy(r + t->ks, v, t->vs);
		return 2;
	}
	if (t->nrec == t->caprec && grow_rec(t))
		return -ENOMEM;
	if (t->nrec >= UINT32_MAX - 1)
		return -E2BIG;
	memcpy(recp(t, t->nrec), k, t->ks);
	memcpy(recp(t, t->nrec) + t->ks, v, t->vs);
	t->gen[t->nrec] = gen;
	t->live[t->nrec] = 1;
	if (!t->slot[i])
		t->used++;
	t->slot[i] = (uint32_t)++t->nrec;
	t->nlive++;
	return 1;
}

unsigned char *kt_kvtab_get(const struct kt_kvtab *t, const unsigned char *k)
{
	bool found;
	size_t i = find(t, k, &found);

	return found ? recp(t, t->slot[i] - 1) + t->ks : NULL;
}

int kt_kvtab_del(struct kt_kvtab *t, const unsigned char *k)
{
	bool found;
	size_t i = find(t, k, &found);

	if (!found)
		return 0;
	t->live[t->slot[i] - 1] = 0;
	t->slot[i] = DELETED;
	t->nlive--;
	if (t->nrec > 64 && t->nlive < t->nrec / 2)
		return rehash(t) ? -ENOMEM : 1;
	return 1;
}

static size_t tab_bytes(const struct kt_kvtab *t)
{
	return t->caprec * ((size_t)t->ks + t->vs + 5) + t->nslot * 4;
}

static int tab_copy(struct kt_kvtab *d, const struct kt_kvtab *s)
{
	int r = kt_kvtab_init(d, s->ks, s->vs);

	for (size_t i = 0; !r && i < s->nrec; i++)
		if (s->live[i] && kt_kvtab_upsert(d, recp(s, i), recp(s, i) + s->ks, 0) < 0)
			r = -ENOMEM;
	return r;
}

/* ---- deltas --------------------------------------------------------------- */

static int delta_push(unsigned char **buf, size_t *n, size_t *cap, const void *p, size_t sz)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		unsigned char *nb = realloc(*buf, c * sz);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = c;
	}
	memcpy(*buf + *n * sz, p, sz);
	(*n)++;
	return 0;
}

struct walkctx {
	struct kt_snapmap *m;
	struct kt_delta *d; /* NULL for the base */
	size_t capset;
	uint32_t gen;
	int err;
};

static int snap_cb(void *arg, const unsigned char *keys, const unsigned char *vals, size_t n)
{
	struct walkctx *c = arg;
	struct kt_snapmap *m = c->m;
	size_t rs = (size_t)m->info.key_size + m->vbytes;
	unsigned char *tmp = NULL;

	for (size_t i = 0; i < n; i++) {
		const unsigned char *k = keys + i * m->info.key_size, *v = vals + i * m->vbytes;
		int r = kt_kvtab_upsert(&m->cur, k, v, c->gen);

		if (r < 0)
			return r;
		if (!r || !c->d)
			continue;
		if (!tmp && !(tmp = malloc(rs)))
			return -ENOMEM;
		memcpy(tmp, k, m->info.key_size);
		memcpy(tmp + m->info.key_size, v, m->vbytes);
		if (delta_push(&c->d->set, &c->d->nset, &c->capset, tmp, rs)) {
			free(tmp);
			return -ENOMEM;
		}
	}
	free(tmp);
	return 0;
}

/* Snapshot map M into its current table; D gets the changes. */
static int snap_map(struct kt_snapring *r, struct kt_snapmap *m, struct kt_delta *d, bool *partial)
{
	struct walkctx c = {.m = m, .d = d, .gen = r->gen};
	struct kt_walk w = {.fd = m->fd,
			    .info = &m->info,
			    .vbytes = m->vbytes,
			    .no_batch = r->no_batch,
			    .cb = snap_cb,
			    .arg = &c};
	size_t capdel = 0;
	int e = kt_map_walk(&w);

	if (e || w.truncated) {
		*partial = true; /* unseen keys are not deletions: keep them */
		return e == -ENOMEM ? e : 0;
	}
	for (size_t i = 0; d && i < m->cur.nrec; i++) {
		if (!m->cur.live[i] || m->cur.gen[i] == r->gen)
			continue;
		if (delta_push(&d->del, &d->ndel, &capdel, recp(&m->cur, i), m->info.key_size))
			return -ENOMEM;
	}
	for (size_t i = 0; d && i < d->ndel; i++)
		kt_kvtab_del(&m->cur, d->del + i * m->info.key_size);
	return 0;
}

static void delta_apply(struct kt_kvtab *t, const struct kt_delta *d)
{
	size_t rs = (size_t)t->ks + t->vs;

	for (size_t i = 0; i < d->nset; i++)
		kt_kvtab_upsert(t, d->set + i * rs, d->set + i * rs + t->ks, 0);
	for (size_t i = 0; i < d->ndel; i++)
		kt_kvtab_del(t, d->del + i * t->ks);
}

static void snap_free(struct kt_snapring *r, struct kt_snap *s)
{
	for (size_t i = 0; s->d && i < r->nmaps; i++) {
		free(s->d[i].set);
		free(s->d[i].del);
	}
	free(s->d);
	s->d = NULL;
}

/* Drop the oldest snapshot: its successor becomes the base. */
static void drop_oldest(struct kt_snapring *r)
{
	if (r->nsnaps < 2)
		return;
	for (size_t i = 0; i < r->nmaps; i++)
		if (r->snaps[1].d)
			delta_apply(&r->maps[i].base, &r->snaps[1].d[i]);
	snap_free(r, &r->snaps[0]);
	snap_free(r, &r->snaps[1]);
	memmove(r->snaps, r->snaps + 1, (r->nsnaps - 1) * sizeof(*r->snaps));
	r->nsnaps--;
	r->dropped++;
}

static uint64_t ring_bytes(const struct kt_snapring *r)
{
	uint64_t b = 0;

	for (size_t i = 0; i < r->nmaps; i++) {
		const struct kt_snapmap *m = &r->maps[i];
		size_t rs = (size_t)m->info.key_size + m->vbytes;

		b += tab_bytes(&m->base) + tab_bytes(&m->cur);
		for (size_t s = 0; s < r->nsnaps; s++)
			if (r->snaps[s].d)
				b += r->snaps[s].d[i].nset * rs +
				     r->snaps[s].d[i].ndel * m->info.key_size;
	}
	return b;
}

/* ---- the ring ------------------------------------------------------------- */

int kt_snapring_init(struct kt_snapring *r, const uint32_t *ids, size_t n, size_t depth,
		     uint64_t budget, uint32_t *errid)
{
	const uint32_t *cpus;
	size_t ncpus = kt_possible_cpus(&cpus);

	memset(r, 0, sizeof(*r));
	r->depth = depth < 1 ? 1 : depth;
	r->budget = budget;
	r->no_batch = getenv(KT_ENV_NO_BATCH) != NULL;
	r->maps = calloc(n ? n : 1, sizeof(*r->maps));
	r->snaps = calloc(r->depth + 1, sizeof(*r->snaps));
	if (!r->maps || !r->snaps)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct kt_snapmap *m = &r->maps[r->nmaps];
		int fd = kt_bpf_map_fd(ids[i]), e;

		if (fd < 0) {
			*errid = ids[i];
			return fd;
		}
		m->fd = fd;
		r->nmaps++;
		e = kt_bpf_map_info(fd, &m->info);
		if (e) {
			*errid = ids[i];
			return e;
		}
		m->vbytes = kt_map_value_bytes(&m->info, ncpus);
		if (kt_bpf_dump_kind(m->info.type) != KT_DUMP_WALK)
			m->skip =
				kt_bpf_not_dumpable(m->info.type)
					?: "ring buffers are read by bpfdump dump, not snapshotted";
		if (kt_kvtab_init(&m->base, m->info.key_size, (uint32_t)m->vbytes) ||
		    kt_kvtab_init(&m->cur, m->info.key_size, (uint32_t)m->vbytes))
			return -ENOMEM;
		if (m->info.btf_id && !m->info.btf_vmlinux_value_type_id) {
			struct btf *b = btf__load_from_kernel_by_id(m->info.btf_id);
			const void *raw;

			if (b && (raw = btf__raw_data(b, &m->btf_size)) &&
			    (m->btf_raw = malloc(m->btf_size)))
				memcpy(m->btf_raw, raw, m->btf_size);
			btf__free(b);
		}
	}
	return 0;
}

int kt_snapring_take(struct kt_snapring *r, bool final)
{
	struct kt_snap s = {.seq = r->next_seq, .final = final};
	bool first = r->nsnaps == 0;
	int e = 0;

	if (r->over_budget && !final)
		return 1;
	if (!first && r->nsnaps >= r->depth && !final)
		drop_oldest(r);
	if (!first && !(s.d = calloc(r->nmaps, sizeof(*s.d))))
		return -ENOMEM;
	r->gen++;
	s.real_ns = kt_real_ns();
	s.mono_ns = kt_mono_ns();
	for (size_t i = 0; i < r->nmaps && !e; i++) {
		if (r->maps[i].skip)
			continue;
		e = snap_map(r, &r->maps[i], s.d ? &s.d[i] : NULL, &s.partial);
		if (s.d)
			s.changes += s.d[i].nset + s.d[i].ndel;
	}
	if (e) {
		snap_free(r, &s);
		return e;
	}
	if (first)
		for (size_t i = 0; i < r->nmaps; i++) {
			kt_kvtab_free(&r->maps[i].base);
			if (tab_copy(&r->maps[i].base, &r->maps[i].cur))
				return -ENOMEM;
		}
	r->snaps[r->nsnaps++] = s;
	r->next_seq++;
	r->bytes = ring_bytes(r);
	while (r->budget && r->bytes > r->budget && r->nsnaps > 2 && !final) {
		drop_oldest(r);
		r->bytes = ring_bytes(r);
	}
	if (r->budget && r->bytes > r->budget && !final) {
		r->over_budget = true;
		return 1;
	}
	return 0;
}

void kt_snapring_free(struct kt_snapring *r)
{
	for (size_t s = 0; s < r->nsnaps; s++)
		snap_free(r, &r->snaps[s]);
	for (size_t i = 0; i < r->nmaps; i++) {
		kt_kvtab_free(&r->maps[i].base);
		kt_kvtab_free(&r->maps[i].cur);
		free(r->maps[i].btf_raw);
		if (r->maps[i].fd >= 0)
			close(r->maps[i].fd);
	}
	free(r->maps);
	free(r->snaps);
	memset(r, 0, sizeof(*r));
}

/* ---- writing -------------------------------------------------------------- */

static void hexstr(struct jw *w, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	char t[2 * 512 + 2];
	char *o;

	if (2 * n + 2 > sizeof(t)) {
		struct kt_buf b = {0};

		for (size_t i = 0; i < n; i++) {
			char c[2] = {hx[p[i] >> 4], hx[p[i] & 15]};

			kt_buf_put(&b, c, 2);
		}
		jw_strn(w, b.p ? b.p : "", b.len);
		kt_buf_free(&b);
		return;
	}
	o = t;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		*o++ = hx[p[i] >> 4];
		*o++ = hx[p[i] & 15];
	}
	*o++ = '"';
	jw_raw(w, t, (size_t)(o - t));
}

static int close_file(FILE *fp)
{
	int e = 0;

	if (fflush(fp) || fsync(fileno(fp)))
		e = -errno;
	if (fclose(fp) && !e)
		e = -errno;
	return e;
}

static int write_map(const struct kt_snapring *r, size_t mi, const char *dir)
{
	const struct kt_snapmap *m = &r->maps[mi];
	size_t rs = (size_t)m->info.key_size + m->vbytes;
	char p[4400];
	struct jw w;
	FILE *fp;

	if (m->btf_raw) {
		snprintf(p, sizeof(p), "%s/map-%u.btf", dir, m->info.id);
		fp = fopen(p, "w");
		if (!fp || fwrite(m->btf_raw, 1, m->btf_size, fp) != m->btf_size) {
			if (fp)
				fclose(fp);
			return -errno;
		}
		if (close_file(fp))
			return -errno;
	}
	snprintf(p, sizeof(p), "%s/map-%u.jsonl", dir, m->info.id);
	fp = fopen(p, "w");
	if (!fp)
		return -errno;
	jw_init_file(&w, fp, 0);
	for (size_t s = 0; s < r->nsnaps; s++) {
		const struct kt_snap *sn = &r->snaps[s];

		jw_obj_open(&w);
		jw_ku64(&w, "snap", sn->seq);
		if (!sn->d) {
			jw_key(&w, "base");
			jw_arr_open(&w);
			for (size_t i = 0; i < m->base.nrec; i++) {
				if (!m->base.live[i])
					continue;
				jw_arr_open(&w);
				hexstr(&w, recp(&m->base, i), m->info.key_size);
				hexstr(&w, recp(&m->base, i) + m->info.key_size, m->vbytes);
				jw_arr_close(&w);
			}
			jw_arr_close(&w);
		} else {
			const struct kt_delta *d = &sn->d[mi];

			jw_key(&w, "set");
			jw_arr_open(&w);
			for (size_t i = 0; i < d->nset; i++) {
				jw_arr_open(&w);
				hexstr(&w, d->set + i * rs, m->info.key_size);
				hexstr(&w, d->set + i * rs + m->info.key_size, m->vbytes);
				jw_arr_close(&w);
			}
			jw_arr_close(&w);
			jw_key(&w, "del");
			jw_arr_open(&w);
			for (size_t i = 0; i < d->ndel; i++)
				hexstr(&w, d->del + i * m->info.key_size, m->info.key_size);
			jw_arr_close(&w);
		}
		jw_obj_close(&w);
		jw_newline(&w);
	}
	return close_file(fp);
}

static int write_manifest(const struct kt_snapring *r, const char *dir, const char *trigger,
			  int64_t delay_ns)
{
	char p[4400];
	struct jw w;
	FILE *fp;
	const uint32_t *cpus;
	size_t ncpus = kt_possible_cpus(&cpus);

	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	fp = fopen(p, "w");
	if (!fp)
		return -errno;
	jw_init_file(&w, fp, 1);
	jw_obj_open(&w);
	jw_kstr(&w, "schema", "ktbox-bpfdump-ring/1");
	jw_kstr(&w, "trigger", trigger);
	if (delay_ns >= 0)
		jw_ki64(&w, "trigger_to_final_ns", delay_ns);
	jw_ku64(&w, "depth", r->depth);
	if (r->budget)
		jw_ku64(&w, "budget_bytes", r->budget);
	jw_ku64(&w, "bytes", r->bytes);
	jw_ku64(&w, "dropped", r->dropped);
	if (r->over_budget)
		jw_kstr(&w, "partial",
			"the byte budget was reached: later snapshots were not taken");
	jw_ku64(&w, "possible_cpus", ncpus);
	jw_key(&w, "maps");
	jw_arr_open(&w);
	for (size_t i = 0; i < r->nmaps; i++) {
		const struct kt_snapmap *m = &r->maps[i];

		jw_obj_open(&w);
		kt_bpf_map_header_json(&w, &m->info);
		jw_ku64(&w, "bytes_key", m->info.key_size);
		jw_ku64(&w, "bytes_value", m->info.value_size);
		jw_ku64(&w, "value_stride", m->vbytes);
		jw_ku64(&w, "max_entries", m->info.max_entries);
		if (m->info.btf_key_type_id)
			jw_ku64(&w, "btf_key_type_id", m->info.btf_key_type_id);
		if (m->info.btf_value_type_id)
			jw_ku64(&w, "btf_value_type_id", m->info.btf_value_type_id);
		if (m->btf_raw)
			jw_kbool(&w, "btf", true);
		if (m->skip)
			jw_kstr(&w, "not_snapshotted", m->skip);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "snapshots");
	jw_arr_open(&w);
	for (size_t s = 0; s < r->nsnaps; s++) {
		const struct kt_snap *sn = &r->snaps[s];

		jw_obj_open(&w);
		jw_ku64(&w, "seq", sn->seq);
		jw_ku64(&w, "real_ns", sn->real_ns);
		jw_ku64(&w, "mono_ns", sn->mono_ns);
		if (!sn->d)
			jw_kbool(&w, "base", true);
		else
			jw_ku64(&w, "changes", sn->changes);
		if (sn->partial)
			jw_kbool(&w, "partial", true);
		if (sn->final)
			jw_kbool(&w, "final", true);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_newline(&w);
	return close_file(fp);
}

/* The temporary holds only the files written here: unlink them, rmdir. */
static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4400];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

static void sync_parent(const char *path)
{
	char parent[4096];
	char *sl;
	int fd;

	snprintf(parent, sizeof(parent), "%s", path);
	sl = strrchr(parent, '/');
	if (!sl)
		snprintf(parent, sizeof(parent), ".");
	else if (sl == parent)
		parent[1] = 0;
	else
		*sl = 0;
	fd = open(parent, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int kt_snapring_write(const struct kt_snapring *r, const char *dir, const char *trigger,
		      int64_t delay_ns)
{
	char tmp[4000];
	int e = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%d", dir, (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if (mkdir(tmp, 0755))
		return -errno;
	for (size_t i = 0; i < r->nmaps && !e; i++)
		if (!r->maps[i].skip)
			e = write_map(r, i, tmp);
	if (!e)
		e = write_manifest(r, tmp, trigger, delay_ns);
	if (!e && rename(tmp, dir))
		e = -errno;
	if (e) {
		remove_tree(tmp);
		return e;
	}
	sync_parent(dir);
	return 0;
}
