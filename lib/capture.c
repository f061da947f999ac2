// SPDX-License-Identifier: MIT
/*
 * capture: the collectors on one loop.  At arming: host context, the
 * kernel log from now on, the sched_ext sysfs state, the timeline's flight
 * recorder.  When a scheduler is (or becomes) enabled: its map fds first,
 * then the symbol table with the [bpf] sizes.  At each interval: the
 * root/events counters and a map snapshot.  At the exit: the final map
 * snapshot from the held fds, a short grace for the log's backtrace, the
 * host context after, the bundle (capture_out.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpfmap.h"
#include "capture.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "kallsyms.h"
#include "opt.h"
#include "timeline.h"
#include "timeline_rec.h"

#define SCX_DIR "/sys/kernel/sched_ext"
#define POLL_NS (10 * 1000000ull)	   /* no uevents: enable/exit reaction time */
#define UEV_POLL_NS (250 * 1000000ull)	   /* uevents: the backstop (failed enables) */
#define GRACE_NS (300 * 1000000ull)	   /* after the exit: backtrace lines */
#define CHILD_GRACE_NS (2000 * 1000000ull) /* run: its own report after the exit */
#define CHILD_OUT_CAP (16u << 20)	   /* per stream */

enum { STOP_DONE = 1, STOP_FAIL, STOP_SIGNAL, STOP_CHILD };

int kt_cap_write(struct kt_capture *c);

void kt_cap_init(struct kt_capture *c, const struct kt_cap_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
	if (!c->o.ring)
		c->o.ring = 1;
	c->grace_timer = -1;
	c->poll_timer = -1;
	c->cfd[0] = c->cfd[1] = -1;
	c->k.fd = -1;
	c->trig.state_fd = -1;
	c->trig.uev_fd = -1;
}

/* ---- sched_ext sysfs ---- */

static void sysfs_str(struct jw *w, const char *key, const char *file)
{
	char *s = kt_read_trim(NULL, file);

	if (s)
		jw_kstr(w, key, s);
	free(s);
}

static void sysfs_u64(struct jw *w, const char *key, const char *file)
{
	char *s = kt_read_trim(NULL, file);
	unsigned long long v;

	if (s && !kt_parse_u64(s, &v))
		jw_ku64(w, key, v);
	free(s);
}

/* root/events: "SCX_EV_NAME VALUE" lines -> {"name": value} (lower case),
 * kept in GOT (when not NULL) */
static void sysfs_events(struct jw *w, struct kt_cap_counters *got)
{
	size_t n;
	char *s = kt_read_file(NULL, SCX_DIR "/root/events", 1 << 16, &n), *line, *save;
	struct kt_cap_counters k;

	if (!s)
		return;
	k.n = 0;
	for (line = strtok_r(s, "\n", &save); line && k.n < SCX_MAX_COUNTERS;
	     line = strtok_r(NULL, "\n", &save))
		k.n += scx_counter_line(line, strlen(line), &k.c[k.n]);
	k.mono_ns = kt_mono_ns();
	free(s);
	jw_key(w, "events");
	jw_obj_open(w);
	for (size_t i = 0; i < k.n; i++)
		jw_ki64(w, k.c[i].name, k.c[i].value);
	jw_obj_close(w);
	if (got && k.n)
		*got = k;
}

/* The sysfs state into B; the counters read (if any) into GOT: 0 when
 * there were none (root/ gone). */
static size_t scx_state(struct kt_buf *b, bool full, struct kt_cap_counters *got)
{
	struct jw w;

	got->n = 0;
	kt_buf_reset(b);
	jw_init_buf(&w, b, 0);
	jw_obj_open(&w);
	jw_ku64(&w, "mono_ns", kt_mono_ns());
	jw_ku64(&w, "real_ns", kt_real_ns());
	sysfs_str(&w, "state", SCX_DIR "/state");
	if (full) {
		sysfs_u64(&w, "enable_seq", SCX_DIR "/enable_seq");
		sysfs_u64(&w, "nr_rejected", SCX_DIR "/nr_rejected");
		sysfs_u64(&w, "switch_all", SCX_DIR "/switch_all");
		sysfs_u64(&w, "hotplug_seq", SCX_DIR "/hotplug_seq");
		sysfs_str(&w, "root_ops", SCX_DIR "/root/ops");
	}
	sysfs_events(&w, got);
	jw_obj_close(&w);
	return got->n;
}

/* A state read that keeps its counters as the latest (the base the
 * sched_ext_event deltas are added to). */
static void scx_read(struct kt_capture *c, struct kt_buf *b, bool full)
{
	struct kt_cap_counters k;

	if (scx_state(b, full, &k) && k.mono_ns >= c->last.mono_ns)
		c->last = k;
}

static void sample(struct kt_capture *c)
{
	size_t i;

	if (!c->have_scx || !c->samples)
		return;
	if (c->nsamples < c->o.ring) {
		i = (c->sample_head + c->nsamples++) % c->o.ring;
	} else {
		i = c->sample_head;
		c->sample_head = (c->sample_head + 1) % c->o.ring;
		c->samples_dropped++;
	}
	scx_read(c, &c->samples[i], false);
}

/* ---- the kernel log ---- */

static void on_event(const struct scx_event *ev, void *arg)
{
	struct kt_capture *c = arg;
	struct jw w;

	if (c->nevents)
		kt_buf_puts(&c->events, ",");
	kt_buf_puts(&c->events, "\n");
	jw_init_buf(&w, &c->events, 0);
	scx_event_json(&w, ev);
	c->nevents++;
	/* the kernel's "... enabled" of the scheduler captured (the first
	 * since arming; arm and run read the log from arming on): the
	 * reaction time is measured from it */
	if (ev->type == SCX_EV_ENABLE && ev->origin == SCX_ORIGIN_KERNEL && ev->has_ts &&
	    !c->have_enable_log && !ev->sub && c->o.mode != KT_CAP_NOW) {
		c->have_enable_log = true;
		c->enable_log_us = ev->ts_usec;
	}
	if (ev->type != SCX_EV_EXIT)
		return;
	/* lines user space wrote to /dev/kmsg are not the kernel's report */
	if (ev->origin == SCX_ORIGIN_USER)
		return;
	kt_cap_note_dump(c, ev);
	/* the kernel's report first, a scheduler's own if the kernel's is
	 * missing; armed: the first exit; now: the latest one */
	if (c->ex.have && !(c->ex.origin != SCX_ORIGIN_KERNEL && ev->origin == SCX_ORIGIN_KERNEL) &&
	    !(c->o.mode == KT_CAP_NOW && ev->origin == c->ex.origin))
		return;
	kt_cap_exit_from(&c->ex, ev);
	kt_buf_reset(&c->bt);
	for (size_t i = 0; i < ev->nbt; i++) {
		const struct scx_frame *f = &ev->bt[i];

		if (f->has_offset)
			kt_buf_printf(&c->bt, "%s+0x%llx/0x%llx", f->symbol,
				      (unsigned long long)f->offset, (unsigned long long)f->size);
		else
			kt_buf_puts(&c->bt, f->symbol ? f->symbol : "?");
		if (f->module)
			kt_buf_printf(&c->bt, " [%s]", f->module);
		kt_buf_putc(&c->bt, '\n');
	}
}

static bool on_record(void *arg, char *rec, size_t len, const struct kmsg_line *hdr)
{
	struct kt_capture *c = arg;

	(void)hdr;
	c->kmsg_records++;
	if (c->kmsg.len + len + 1 <= c->o.budget / 8) {
		kt_buf_put(&c->kmsg, rec, len);
		kt_buf_putc(&c->kmsg, '\n');
	} else {
		c->kmsg_dropped++;
	}
	scx_parser_feed(&c->p, rec, len);
	return false;
}

static void on_overrun(void *arg, uint64_t seq, uint64_t lost)
{
	struct kt_capture *c = arg;

	c->kmsg_lost += lost ? lost : 1;
	(void)seq;
}

static const struct kt_kmsg_ops kmsg_ops = {on_record, on_overrun};

static void kmsg_drain(struct kt_capture *c)
{
	if (c->have_k)
		kt_kmsg_drain(&c->k, &kmsg_ops, c);
}

static int on_kmsg(void *arg, uint32_t ev)
{
	kmsg_drain(arg);
	return 0;
}

static void kmsg_start(struct kt_capture *c)
{
	enum kt_kmsg_from from = c->o.mode == KT_CAP_NOW ? KT_KMSG_FROM_START : KT_KMSG_FROM_END;

	scx_parser_init(&c->p, on_event, c);
	c->p.ksyms = c->ksyms;
	if (kt_kmsg_open(&c->k, KT_KMSG_PATH, from, 0)) {
		kt_cap_part_set(c, KT_PART_KMSG, KT_PART_UNAVAILABLE, "cannot open %s: %s",
				KT_KMSG_PATH, strerror(errno));
		return;
	}
	c->have_k = true;
	kt_cap_part_set(c, KT_PART_KMSG, KT_PART_OK, NULL);
	if (c->loop_ok)
		kt_loop_add_fd(&c->loop, c->k.fd, EPOLLIN, on_kmsg, c);
}

/* The kernel prints a backtrace for the error kinds only (SCX_EXIT_ERROR
 * and up); an unregistered or sysrq exit has none and is not partial. */
static bool cap_exit_has_bt(const struct kt_cap_exit *ex)
{
	return !strncmp(ex->kind, "error", 5);
}

static void kmsg_finish(struct kt_capture *c)
{
	struct kt_cap_part *p = &c->part[KT_PART_KMSG];

	kmsg_drain(c);
	scx_parser_flush(&c->p);
	if (c->have_k && (c->kmsg_dropped || c->kmsg_lost))
		kt_cap_part_set(c, KT_PART_KMSG, KT_PART_PARTIAL,
				"%llu records over the budget (%llu bytes) not kept, %llu lost "
				"to an overrun",
				(unsigned long long)c->kmsg_dropped,
				(unsigned long long)(c->o.budget / 8),
				(unsigned long long)c->kmsg_lost);
	if (p->st == KT_PART_UNAVAILABLE && c->o.mode != KT_CAP_RUN)
		kt_cap_part_set(c, KT_PART_EVENTS, KT_PART_UNAVAILABLE, "no kernel log");
	else if (!c->ex.have)
		kt_cap_part_set(c, KT_PART_EVENTS, KT_PART_PARTIAL, "%zu events, no exit event",
				c->nevents);
	else if (!c->ex.frame[0] && !c->bt.len && cap_exit_has_bt(&c->ex))
		kt_cap_part_set(c, KT_PART_EVENTS, KT_PART_PARTIAL, "exit without backtrace");
	else
		kt_cap_part_set(c, KT_PART_EVENTS, KT_PART_OK, NULL);
}

/* ---- what is taken at enable: map fds, then symbols ---- */

static void maps_take(struct kt_capture *c, bool final)
{
	int r;

	if (!c->have_ring || c->ring_budget_hit || c->maps_final)
		return;
	c->maps_final = final;
	r = kt_snapring_take(&c->ring, final);
	if (r == 1)
		c->ring_budget_hit = true;
}

static void maps_start(struct kt_capture *c)
{
	struct kt_bpf_inv inv;
	uint32_t *ids = NULL, errid = 0;
	size_t n = 0;
	int r;

	if (c->o.maps == KT_CAP_MAPS_NONE) {
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE,
				"not asked for (--maps none)");
		return;
	}
	if (c->o.maps == KT_CAP_MAPS_ALL) {
		r = kt_bpf_ids(KT_BPF_MAPS, &ids, &n);
	} else {
		/* run: also the maps the scheduler process holds (while it is
		 * enabling, root/ops and the struct_ops link may not be there) */
		r = kt_bpf_inventory(&inv, KT_INV_MAPS | (c->child > 0 ? KT_INV_PIDS : 0));
		if (!r) {
			ids = calloc(inv.nmaps + 1, sizeof(*ids));
			for (size_t i = 0; ids && i < inv.nmaps; i++) {
				bool held = false;

				for (size_t j = 0; c->child > 0 && j < inv.maps[i].npids; j++)
					held |= inv.maps[i].pids[j].pid == c->child;
				if (inv.maps[i].scx || held)
					ids[n++] = inv.maps[i].info.id;
			}
			if (!inv.scx_ops && !n) {
				kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE,
						"no sched_ext scheduler loaded (state: %s)",
						inv.scx_state ? inv.scx_state
							      : "no sched_ext in this kernel");
				r = 1;
			}
			kt_bpf_inv_free(&inv);
		}
	}
	if (r < 0) {
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE, "cannot enumerate maps: %s",
				strerror(-r));
		goto out;
	}
	if (r)
		goto out;
	if (!n) {
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE, "no maps found");
		goto out;
	}
	r = kt_snapring_init(&c->ring, ids, n, c->o.ring, c->o.budget / 4, &errid);
	/* --maps all: a map that went away between the listing and the open */
	for (int tries = 0; r == -ENOENT && c->o.maps == KT_CAP_MAPS_ALL && tries < 16; tries++) {
		size_t j = 0;

		for (size_t i = 0; i < n; i++)
			if (ids[i] != errid)
				ids[j++] = ids[i];
		if (j == n || !(n = j))
			break;
		r = kt_snapring_init(&c->ring, ids, n, c->o.ring, c->o.budget / 4, &errid);
	}
	if (r) {
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE, "cannot open map %u: %s",
				errid, strerror(-r));
		goto out;
	}
	c->have_ring = true;
	kt_cap_part_set(c, KT_PART_MAPS, KT_PART_OK, NULL);
	maps_take(c, false);
out:
	free(ids);
}

static void maps_finish(struct kt_capture *c)
{
	bool partial = false;

	if (!c->have_ring)
		return;
	maps_take(c, true);
	for (size_t i = 0; i < c->ring.nsnaps; i++)
		partial |= c->ring.snaps[i].partial;
	if (c->ring.over_budget || c->ring_budget_hit)
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_PARTIAL, "budget reached (%llu bytes): %s",
				(unsigned long long)c->ring.budget,
				c->ring.nsnaps ? "snapshots stopped, no final one" : "no snapshot");
	else if (partial)
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_PARTIAL, "a map could not be read whole");
	else if (c->ring.dropped)
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_OK, "%llu oldest snapshots dropped (ring)",
				(unsigned long long)c->ring.dropped);
}

static void ksyms_take(struct kt_capture *c)
{
	int sized;

	if (c->ksyms)
		return;
	c->ksyms = kt_ksyms_load(NULL);
	if (!c->ksyms) {
		kt_cap_part_set(c, KT_PART_KALLSYMS, KT_PART_UNAVAILABLE, "cannot read %s: %s",
				KT_KALLSYMS_PATH, strerror(errno));
		return;
	}
	c->p.ksyms = c->ksyms;
	c->sp.ksyms = c->ksyms;
	if (kt_ksyms_hidden(c->ksyms)) {
		kt_cap_part_set(c, KT_PART_KALLSYMS, KT_PART_PARTIAL,
				"addresses hidden (kptr_restrict, or no CAP_SYSLOG)");
		return;
	}
	sized = kt_ksyms_stats(c->ksyms)->bpf_symbols ? kt_ksyms_bpf_sizes(c->ksyms) : 0;
	if (sized < 0)
		kt_cap_part_set(c, KT_PART_KALLSYMS, KT_PART_PARTIAL,
				"[bpf] sizes unknown: cannot enumerate programs: %s",
				strerror(errno));
	else
		kt_cap_part_set(c, KT_PART_KALLSYMS, KT_PART_OK, NULL);
}

/* Hold an fd of every BPF program: a program with an open fd stays loaded
 * and keeps its kallsyms entry, so the table read next (slow under TCG)
 * still lists the scheduler's programs after it died. */
static size_t progs_hold(struct kt_capture *c, uint32_t above)
{
	uint32_t *ids;
	size_t n, added = 0;
	int *nv;

	if (kt_bpf_ids(KT_BPF_PROGS, &ids, &n))
		return 0;
	nv = realloc(c->prog_fds, (c->nprog_fds + n + 1) * sizeof(*nv));
	if (nv)
		c->prog_fds = nv;
	for (size_t i = 0; nv && i < n; i++) {
		int fd;

		if (ids[i] <= above)
			continue;
		fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd >= 0) {
			c->prog_fds[c->nprog_fds++] = fd;
			added++;
		}
		if (ids[i] > c->prog_max)
			c->prog_max = ids[i];
	}
	free(ids);
	return added;
}

/* run: the scheduler's programs as soon as they are loaded, before it is
 * enabled (under TCG one can enable and die between two polls).  A held
 * program holds the maps it uses too; their fds are taken from it at the
 * enable (maps_fast), not here: the inventory takes seconds under TCG and
 * would keep the loop from seeing the enable. */
static void run_watch_bpf(struct kt_capture *c)
{
	if (c->child <= 0 || c->have_exited)
		return;
	progs_hold(c, c->prog_max);
}

static uint32_t prog_max_now(void)
{
	uint32_t *ids, m = 0;
	size_t n;

	if (kt_bpf_ids(KT_BPF_PROGS, &ids, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] > m)
			m = ids[i];
	free(ids);
	return m;
}

/* A struct_ops program among the fds held: the scheduler's programs (and
 * so their [bpf] symbols) were held before the symbol table was read. */
static bool held_struct_ops(const struct kt_capture *c)
{
	for (size_t i = 0; i < c->nprog_fds; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(c->prog_fds[i], &info, &len) &&
		    info.type == BPF_PROG_TYPE_STRUCT_OPS)
			return true;
	}
	return false;
}

/* The maps a struct_ops program uses, up to CAP; 0 for another type. */
static uint32_t struct_ops_maps(int fd, uint32_t *m, uint32_t cap)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), want;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_PROG_TYPE_STRUCT_OPS)
		return 0;
	want = info.nr_map_ids < cap ? info.nr_map_ids : cap;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = want;
	info.map_ids = (uint64_t)(uintptr_t)m;
	len = sizeof(info);
	if (!want || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.nr_map_ids < want ? info.nr_map_ids : want;
}

/*
 * Add the struct_ops maps (the scheduler's ops itself: no program names
 * it) to IDS (N of them): two system calls a map, no BTF.  Held in the
 * ring, the map keeps its trampolines and their [bpf] symbols
 * (bpf__sched_ext_ops_*, in every exit backtrace) until the table is read.
 * Returns the new count.
 */
static size_t struct_ops_map_ids(uint32_t **ids, size_t n)
{
	uint32_t *all, *nv;
	size_t na;

	if (kt_bpf_ids(KT_BPF_MAPS, &all, &na))
		return n;
	nv = realloc(*ids, (n + na) * sizeof(*nv));
	if (!nv) {
		free(all);
		return n;
	}
	*ids = nv;
	for (size_t i = 0; i < na; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		size_t j = 0;
		int fd;

		while (j < n && nv[j] != all[i])
			j++;
		if (j < n || (fd = bpf_map_get_fd_by_id(all[i])) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_MAP_TYPE_STRUCT_OPS)
			nv[n++] = all[i];
		close(fd);
	}
	free(all);
	return n;
}

/*
 * --maps scx at the enable, fast: the maps the held struct_ops programs use
 * (their map_ids: .bss/.data/.rodata and the scheduler's own maps) and
 * the struct_ops maps.  The inventory (maps_start) loads vmlinux BTF and
 * walks /proc: seconds under TCG, longer than a failing scheduler lives.
 * 0 when the ring was started.
 */
static int maps_fast(struct kt_capture *c)
{
	uint32_t *ids = NULL, errid = 0, m[64];
	size_t n = 0;
	int r = -1;

	if (c->o.maps != KT_CAP_MAPS_SCX)
		return -1;
	for (size_t i = 0; i < c->nprog_fds; i++) {
		uint32_t nm = struct_ops_maps(c->prog_fds[i], m, 64), *nv;

		if (!nm || !(nv = realloc(ids, (n + nm) * sizeof(*ids))))
			continue;
		ids = nv;
		for (uint32_t k = 0; k < nm; k++) {
			size_t j = 0;

			while (j < n && ids[j] != m[k])
				j++;
			if (j == n)
				ids[n++] = m[k];
		}
	}
	if (n)
		n = struct_ops_map_ids(&ids, n);
	if (n && !kt_snapring_init(&c->ring, ids, n, c->o.ring, c->o.budget / 4, &errid)) {
		c->have_ring = true;
		kt_cap_part_set(c, KT_PART_MAPS, KT_PART_OK, NULL);
		maps_take(c, false);
		r = 0;
	}
	free(ids);
	return r;
}

/* Real-time only to see the enable and hold the fds in time: everything
 * after (the symbol table, seconds under TCG; snapshots; drains) would
 * otherwise preempt the scheduler's own tasks on that CPU for as long. */
static void rt_drop(struct kt_capture *c)
{
	struct sched_param sp = {.sched_priority = 0};

	if (!c->rt || c->rt_dropped)
		return;
	c->rt_dropped = !syscall(SYS_sched_setscheduler, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp);
}

static void take_at_enable_by(struct kt_capture *c, const char *by)
{
	enum kt_scx_state st;

	if (c->taken)
		return;
	c->taken = true;
	c->have_enabled = true;
	c->seen_by = by;
	c->seen_ns =
		c->trig.enabled_ns && !strcmp(by, "uevent") ? c->trig.enabled_ns : kt_mono_ns();
	c->enabled.mono_ns = kt_mono_ns();
	c->enabled.real_ns = kt_real_ns();
	if (c->trig.name[0]) {
		snprintf(c->sched, sizeof(c->sched), "%s", c->trig.name);
	} else {
		char *ops = kt_read_trim(NULL, SCX_DIR "/root/ops");

		if (ops)
			snprintf(c->sched, sizeof(c->sched), "%s", ops);
		free(ops);
	}
	progs_hold(c, c->prog_max); /* its programs stay loaded, [bpf] symbols too */
	if (!c->have_ring && maps_fast(c))
		maps_start(c); /* map fds: they outlive the scheduler */
	c->fds_ns = kt_mono_ns();
	rt_drop(c);
	/* a few preads, while root/ is there; read again once enabled when
	 * taken while enabling (root/ may not be there yet) */
	c->en_full = kt_scxtrig_peek(&c->trig) == KT_SCX_ENABLED;
	scx_read(c, &c->scx_en, true);
	ksyms_take(c); /* seconds under TCG: the programs are held */
	c->syms_ns = kt_mono_ns();
	st = kt_scxtrig_peek(&c->trig);
	if (st != KT_SCX_ENABLED && st != KT_SCX_ENABLING) {
		/* gone by now: what was held before it went is still good */
		c->late = !held_struct_ops(c);
		if (c->part[KT_PART_MAPS].st != KT_PART_OK) {
			char why[sizeof(c->part[0].reason)];

			snprintf(why, sizeof(why), "%s", c->part[KT_PART_MAPS].reason);
			kt_cap_part_set(c, KT_PART_MAPS, KT_PART_UNAVAILABLE,
					"not taken in time: the scheduler was gone (%s)", why);
		}
		if (c->late && c->part[KT_PART_KALLSYMS].st == KT_PART_OK)
			kt_cap_part_set(c, KT_PART_KALLSYMS, KT_PART_PARTIAL,
					"not taken in time: read after the scheduler's programs "
					"were gone (its [bpf] symbols are missing)");
	}
}

static void take_at_enable(struct kt_capture *c)
{
	take_at_enable_by(c, "poll");
}

/* ---- the trigger ---- */

static int end_after_exit(struct kt_capture *c)
{
	if (kt_loop_timer_set(
		    &c->loop, c->grace_timer,
		    c->o.mode == KT_CAP_RUN && !c->child_exited ? CHILD_GRACE_NS : GRACE_NS, 0))
		return STOP_DONE;
	return 0;
}

static void note_exit(struct kt_capture *c)
{
	if (c->have_exited)
		return;
	c->have_exited = true;
	c->exited.mono_ns = c->trig.exit_ns ? c->trig.exit_ns : kt_mono_ns();
	c->exited.real_ns = kt_real_ns() - (kt_mono_ns() - c->exited.mono_ns);
	if (!c->sched[0])
		snprintf(c->sched, sizeof(c->sched), "%s", c->trig.name);
	c->end = KT_END_EXIT;
	/* root/ (its events: the counters at the exit) is gone once disabled */
	c->post_read = scx_state(&c->scx_post, true, &c->post_ev) > 0;
	/* the state leaves "enabled" before ops.exit() runs: wait (at most
	 * 2 s) for the disable to end, so the final snapshot holds what the
	 * scheduler wrote there (its exit info) */
	kt_scxtrig_settle(&c->trig, 2000000000ull);
	maps_take(c, true); /* from the fds held since enable */
}

/* After the trigger stepped (FIRED: an exit): take at the enable, end at
 * the exit.  BY names the source that saw it. */
static int stepped(struct kt_capture *c, int fired, const char *by)
{
	if (c->trig.armed && !c->taken)
		take_at_enable_by(c, by);
	else if (c->trig.armed && !c->have_ring && c->o.maps != KT_CAP_MAPS_NONE &&
		 (progs_hold(c, c->prog_max), maps_fast(c)))
		maps_start(c); /* enabling: its maps were not to be found yet */
	if (c->taken && !c->en_full && !c->have_exited && !fired &&
	    c->trig.state == KT_SCX_ENABLED) {
		c->en_full = true;
		scx_read(c, &c->scx_en, true);
	}
	/* taken: the uevents carry the rest, the poll is only the backstop */
	if (c->taken && c->uev && c->poll_ns != UEV_POLL_NS) {
		c->poll_ns = UEV_POLL_NS;
		kt_loop_timer_set(&c->loop, c->poll_timer, UEV_POLL_NS, UEV_POLL_NS);
	}
	if (fired) {
		if (!c->taken) /* enabled and gone between two looks */
			take_at_enable_by(c, by);
		if (!c->have_exited)
			c->exit_by = by;
		note_exit(c);
		kmsg_drain(c);
		return end_after_exit(c);
	}
	return 0;
}

static int on_poll(void *arg, uint32_t n)
{
	struct kt_capture *c = arg;

	run_watch_bpf(c);
	return stepped(c, kt_scxtrig_poll(&c->trig), "poll");
}

static int on_uevent(void *arg, uint32_t ev)
{
	struct kt_capture *c = arg;
	int r = kt_scxtrig_uevents(&c->trig);

	if (!r)
		return 0;
	return stepped(c, r & KT_SCXTRIG_EXIT, "uevent");
}

static int on_interval(void *arg, uint32_t n)
{
	struct kt_capture *c = arg;

	sample(c);
	if (c->taken && !c->have_exited)
		maps_take(c, false);
	return 0;
}

static int on_grace(void *arg, uint32_t n)
{
	return STOP_DONE;
}

static int on_signal(void *arg, int signo)
{
	struct kt_capture *c = arg;

	if (signo == SIGCHLD) {
		int st;

		if (c->child > 0 && waitpid(c->child, &st, WNOHANG) == c->child) {
			c->child_exited = true;
			c->child_status = st;
			return STOP_CHILD;
		}
		return 0;
	}
	if (c->child > 0 && !c->child_exited)
		kill(c->child, signo); /* run: the scheduler stops too */
	return STOP_SIGNAL;
}

/* ---- run: the scheduler as a child ---- */

static void on_cline(char *line, size_t len, void *arg)
{
	struct kt_capture *c = arg;

	scx_parser_feed(&c->sp, line, len);
}

static void child_read(struct kt_capture *c, int i)
{
	char buf[16384];

	while (c->cfd[i] >= 0) {
		ssize_t n = read(c->cfd[i], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				return;
			kt_loop_del_fd(&c->loop, c->cfd[i]);
			close(c->cfd[i]);
			c->cfd[i] = -1;
			return;
		}
		/* pass it on, keep it (bounded), parse it */
		if (write(i ? 2 : 1, buf, (size_t)n) < 0) {
		}
		if (c->cout[i].len + (size_t)n <= CHILD_OUT_CAP)
			kt_buf_put(&c->cout[i], buf, (size_t)n);
		else if (c->part[KT_PART_SCHEDULER].st == KT_PART_OK)
			kt_cap_part_set(c, KT_PART_SCHEDULER, KT_PART_PARTIAL,
					"output over %u bytes per stream not kept", CHILD_OUT_CAP);
		if (c->csplit_ok)
			kmsg_split_feed(&c->csplit, buf, (size_t)n);
	}
}

static int on_cout(void *arg, uint32_t ev)
{
	child_read(arg, 0);
	return 0;
}

static int on_cerr(void *arg, uint32_t ev)
{
	child_read(arg, 1);
	return 0;
}

static int child_start(struct kt_capture *c)
{
	int p[2][2];

	if (pipe2(p[0], O_CLOEXEC) || pipe2(p[1], O_CLOEXEC))
		return kt_err("cannot start '%s'", c->o.argv[0]);
	c->child = fork();
	if (c->child < 0)
		return kt_err("cannot start '%s'", c->o.argv[0]);
	if (!c->child) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(p[0][1], 1);
		dup2(p[1][1], 2);
		execvp(c->o.argv[0], c->o.argv);
		fprintf(stderr, "capture: cannot run '%s': %s\n", c->o.argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0][1]);
	close(p[1][1]);
	c->cfd[0] = p[0][0];
	c->cfd[1] = p[1][0];
	for (int i = 0; i < 2; i++)
		fcntl(c->cfd[i], F_SETFL, fcntl(c->cfd[i], F_GETFL) | O_NONBLOCK);
	scx_parser_init(&c->sp, on_event, c);
	c->csplit_ok = !kmsg_split_init(&c->csplit, 65536, on_cline, c);
	kt_cap_part_set(c, KT_PART_SCHEDULER, KT_PART_OK, NULL);
	if (kt_loop_add_fd(&c->loop, c->cfd[0], EPOLLIN, on_cout, c) ||
	    kt_loop_add_fd(&c->loop, c->cfd[1], EPOLLIN, on_cerr, c))
		return kt_err("cannot watch '%s'", c->o.argv[0]);
	return 0;
}

static void child_finish(struct kt_capture *c)
{
	if (c->child <= 0)
		return;
	for (int i = 0; i < 2; i++)
		child_read(c, i); /* what is in the pipes now */
	if (c->csplit_ok) {
		kmsg_split_finish(&c->csplit);
		kmsg_split_free(&c->csplit);
		c->csplit_ok = false;
	}
	scx_parser_flush(&c->sp);
	scx_parser_free(&c->sp);
}

/* ---- what the exit left: its CPU, the counters at the exit ---- */

struct tp_sum {
	struct kt_cap_counters k;
	uint64_t since;
	size_t n;
};

static void tp_add(const struct tl_event *ev, void *arg)
{
	struct tp_sum *t = arg;

	if (ev->raw.ts <= t->since || !ev->text || ev->text_cut)
		return;
	kt_cap_counters_add(&t->k, ev->text, ev->text_len, ev->scx_event.delta);
	t->n++;
}

static int enable_seq(uint64_t *v)
{
	char *s = kt_read_trim(NULL, SCX_DIR "/enable_seq");
	unsigned long long u;
	int r = s && !kt_parse_u64(s, &u) ? 0 : -1;

	free(s);
	if (!r)
		*v = u;
	return r;
}

/*
 * The latest root/events read plus every sched_ext_event delta after it:
 * the kernel traces each SCX_EV_* increment (scx_add_event).  Never read
 * (enabled and gone while the loop was busy): a scheduler's counters start
 * at 0, so with none loaded when the timeline was attached, exactly one
 * enabled since and no record dropped, the sum of every delta.
 */
static bool post_from_tp(struct kt_capture *c, const struct kt_cap_counters *names, char *why,
			 size_t n)
{
	struct tp_sum *t;
	uint64_t lost, oldest, seq;
	bool from0;

	if (!c->tl) {
		snprintf(why, n, "no timeline");
		return false;
	}
	if (!(tl_flightrec_attached(c->tl) >> TL_AT_SCX_EVENT & 1)) {
		snprintf(why, n, "tracepoint sched_ext_event missing on this kernel");
		return false;
	}
	from0 = !c->last.n && c->tl_idle && !tl_flightrec_dropped(c->tl) && !enable_seq(&seq) &&
		seq == c->tl_seq + 1;
	if (!c->last.n && !from0) {
		snprintf(why, n, "root/events never read before the exit, and the timeline %s",
			 !c->tl_idle ? "was attached with a scheduler loaded"
				     : "saw more than one scheduler or dropped records");
		return false;
	}
	lost = tl_flightrec_lost(c->tl);
	if (lost) {
		snprintf(why, n, "timeline events lost (%s)",
			 lost == UINT64_MAX ? "count unreadable" : "ring buffer full");
		return false;
	}
	t = malloc(sizeof(*t));
	if (!t) {
		snprintf(why, n, "out of memory");
		return false;
	}
	t->k = c->last;
	t->since = c->last.mono_ns;
	/* from 0: the counters that never moved are named by a dump, if any */
	for (size_t i = 0; from0 && i < names->n; i++)
		kt_cap_counters_add(&t->k, names->c[i].name, strlen(names->c[i].name), 0);
	t->n = 0;
	tl_flightrec_each(c->tl, TL_K_SCX_EVENT, tp_add, t, &oldest);
	if (tl_flightrec_dropped(c->tl) && oldest > t->since) {
		snprintf(why, n, "the flight window starts after the last root/events read");
		free(t);
		return false;
	}
	c->post_ev = t->k;
	if (from0)
		snprintf(c->post_src, sizeof(c->post_src),
			 "0 at the enable + the %zu sched_ext_event deltas since (root/events "
			 "never read)%s",
			 t->n, names->n ? "" : "; unmoved counters absent");
	else
		snprintf(c->post_src, sizeof(c->post_src),
			 "root/events read %.3f s %s the exit was seen + the %zu sched_ext_event "
			 "deltas after it",
			 (double)(c->exited.mono_ns > t->since ? c->exited.mono_ns - t->since
							       : t->since - c->exited.mono_ns) /
				 1e9,
			 c->exited.mono_ns > t->since ? "before" : "after", t->n);
	free(t);
	return true;
}

/* The first of the texts with a dump's Event counters: into K, its name. */
static const char *dump_counters(const struct kt_buf *const *b, const char *const *what,
				 struct kt_cap_counters *k)
{
	for (int i = 0; b[i]; i++) {
		k->n = b[i]->len ? scx_dump_counters(b[i]->p, b[i]->len, k->c, SCX_MAX_COUNTERS)
				 : 0;
		k->mono_ns = 0;
		if (k->n)
			return what[i];
	}
	return NULL;
}

static void on_dump_event(const struct scx_event *ev, void *arg)
{
	kt_cap_note_dump(arg, ev);
}

/*
 * root/ is gone once the scheduler is disabled: seen through the remove
 * uevent, its counters were never read at the exit.  The sources left, in
 * the order of how close they are to a read at the exit: the tracepoint's
 * deltas, the dump's section (error exits only; its time is the error).
 */
static void exit_extras(struct kt_capture *c)
{
	struct kt_buf td = {0};
	const struct kt_buf *texts[] = {&c->cout[1], &c->cout[0], &td, NULL};
	static const char *const what[] = {"the scheduler's standard error",
					   "the scheduler's standard output",
					   "the timeline's sched_ext_dump lines"};
	struct kt_cap_counters *dk = calloc(1, sizeof(*dk));
	char tp_why[192] = "";
	bool dumped = cap_exit_has_bt(&c->ex);
	const char *dsrc;

	if (!dk)
		return;
	if (c->tl && c->end != KT_END_NOW && tl_flightrec_dump_lines(c->tl, &td))
		scx_parse_window(td.p, td.len, 0, on_dump_event, c);
	dsrc = dump_counters(texts, what, dk);
	if (c->have_exited && c->post_read) {
		snprintf(c->post_src, sizeof(c->post_src), "root/events, read at the exit");
		if (c->part[KT_PART_SCHED_EXT].st == KT_PART_OK)
			kt_cap_part_set(c, KT_PART_SCHED_EXT, KT_PART_OK, "post-exit counters: %s",
					c->post_src);
	}
	if (c->have_exited && c->have_scx && !c->post_read) {
		if (!post_from_tp(c, dk, tp_why, sizeof(tp_why)) && dsrc) {
			c->post_ev = *dk;
			snprintf(c->post_src, sizeof(c->post_src),
				 "the debug dump's Event counters (%s), taken at the error", dsrc);
		}
		if (c->post_src[0])
			kt_cap_part_set(c, KT_PART_SCHED_EXT, KT_PART_OK, "post-exit counters: %s",
					c->post_src);
		else {
			snprintf(c->post_why, sizeof(c->post_why),
				 "root/events was gone when the exit was seen (%s); no "
				 "sched_ext_event deltas (%s); no debug dump with Event counters "
				 "(%s)",
				 c->exit_by ? c->exit_by : "?", tp_why,
				 !c->ex.have ? "no exit report"
				 : !dumped   ? "the kernel dumps for error exits only"
					     : "none in the scheduler's output or the timeline");
			kt_cap_part_set(c, KT_PART_SCHED_EXT, KT_PART_PARTIAL,
					"post-exit counters unavailable: %s", c->post_why);
		}
	}
	kt_buf_free(&td);
	free(dk);
}

/* ---- the run ---- */

static void timeline_status(struct kt_capture *c)
{
	uint64_t miss = tl_flightrec_missing(c->tl);
	char names[200] = "";
	size_t n = 0;

	for (unsigned i = 0; i < TL_AT_NR; i++)
		if (miss >> i & 1 && i != TL_AT_SCX_EXIT && n < sizeof(names))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      tl_attach_name(i));
	if (n)
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_PARTIAL,
				"tracepoints missing on this kernel: %s", names);
	else
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_OK, NULL);
}

/* The enable and the exit as they happen: the root kobject's uevents. */
static void uevents_start(struct kt_capture *c)
{
	if (c->o.mode == KT_CAP_NOW || !c->loop_ok)
		return;
	if (kt_scxtrig_listen(&c->trig)) {
		snprintf(c->uev_err, sizeof(c->uev_err),
			 "cannot listen to NETLINK_KOBJECT_UEVENT: %s", strerror(errno));
		return;
	}
	if (kt_loop_add_fd(&c->loop, c->trig.uev_fd, EPOLLIN, on_uevent, c)) {
		snprintf(c->uev_err, sizeof(c->uev_err), "cannot watch the uevent socket: %s",
			 strerror(errno));
		return;
	}
	c->uev = true;
}

/* The kernel log's clock (local_clock()) against CLOCK_MONOTONIC, from the
 * scheduler debug header (debugfs), so the reaction can be measured from
 * the kernel's own "enabled" record.  Absent without debugfs. */
#define SCHED_DEBUG "/sys/kernel/debug/sched/debug"

static bool sched_debug_header(const char *b, size_t n)
{
	const char *k = memmem(b, n, "cpu_clk", 7);

	return k && memchr(k, '\n', n - (size_t)(k - b));
}

static void log_clock(struct kt_capture *c)
{
	size_t n;
	char *s = kt_read_until(NULL, SCHED_DEBUG, 1 << 16, &n, sched_debug_header);

	if (s && !kt_logclock_parse(s, n, &c->logoff_ns))
		c->have_logoff = true;
	free(s);
}

static void arm_trigger(struct kt_capture *c)
{
	if (!kt_scxtrig_init(&c->trig, NULL) && c->trig.state != KT_SCX_NONE) {
		c->have_trig = true;
		c->have_scx = true;
		c->seq0 = c->trig.enable_seq;
		c->samples = calloc(c->o.ring, sizeof(*c->samples));
		scx_read(c, &c->scx_pre, true);
		kt_cap_part_set(c, KT_PART_SCHED_EXT, KT_PART_OK, NULL);
		uevents_start(c);
		log_clock(c);
		/* a running scheduler: its fds and symbols before anything slower */
		if (c->trig.armed && c->o.mode != KT_CAP_NOW)
			take_at_enable_by(c, "arming");
	} else {
		kt_cap_part_set(c, KT_PART_SCHED_EXT, KT_PART_UNAVAILABLE,
				"no sched_ext in this kernel (no %s)", SCX_DIR);
		if (c->o.mode != KT_CAP_NOW)
			kt_warn("no sched_ext in this kernel (no %s): no exit can be captured; "
				"the bundle is written at the end",
				SCX_DIR);
	}
}

static void arm_common(struct kt_capture *c)
{
	struct utsname u;
	char err[256];

	c->armed.mono_ns = kt_mono_ns();
	c->armed.real_ns = kt_real_ns();
	arm_trigger(c);
	if (!uname(&u)) {
		snprintf(c->host, sizeof(c->host), "%s", u.nodename);
		snprintf(c->release, sizeof(c->release), "%s", u.release);
	}
	hc_collector_init(&c->col, NULL);
	if (!hc_collect(&c->col, &c->pre)) {
		c->have_pre = true;
		kt_cap_part_set(c, KT_PART_HOSTCTX, KT_PART_OK, NULL);
	} else {
		kt_cap_part_set(c, KT_PART_HOSTCTX, KT_PART_UNAVAILABLE, "out of memory");
	}
	kmsg_start(c);
	if (!c->o.timeline) {
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_UNAVAILABLE,
				"not asked for (--no-timeline)");
	} else if (c->loop_ok) {
		size_t budget = c->o.budget / 2 < (64u << 20) ? c->o.budget / 2 : (64u << 20);

		c->tl = tl_flightrec_start(&c->loop, c->o.flight_ns, budget, err, sizeof(err));
		if (c->tl) {
			timeline_status(c);
			/* no scheduler now: the next one's every counter
			 * increment is traced from its start */
			c->tl_idle = c->have_trig && kt_scxtrig_peek(&c->trig) == KT_SCX_DISABLED &&
				     !enable_seq(&c->tl_seq);
		} else
			kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_UNAVAILABLE, "%s", err);
	}
}

static void finish_common(struct kt_capture *c)
{
	if (c->have_trig && c->have_scx && !c->scx_post.len)
		c->post_read = scx_state(&c->scx_post, true, &c->post_ev) > 0;
	if (!c->taken) {
		/* nothing enabled while armed: the state now (now mode, or no scheduler) */
		maps_start(c);
		ksyms_take(c);
		if (c->have_ring)
			maps_take(c, true);
	}
	maps_finish(c);
	child_finish(c);
	kmsg_finish(c);
	exit_extras(c);
	if (c->ex.have && c->ex.sched[0] && c->ex.origin == SCX_ORIGIN_KERNEL)
		snprintf(c->sched, sizeof(c->sched), "%s", c->ex.sched);
	if (c->have_pre && !hc_collect(&c->col, &c->post))
		c->have_post = true;
	if (c->tl && tl_flightrec_dropped(c->tl) && c->end != KT_END_NOW &&
	    c->part[KT_PART_TIMELINE].st == KT_PART_OK)
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_OK, "the last %.1f s (flight window)",
				(double)c->o.flight_ns / 1e9);
	if (c->end == KT_END_INTERRUPTED)
		for (int i = 0; i < KT_PART_NR; i++)
			if (c->part[i].st == KT_PART_OK && i != KT_PART_HOSTCTX &&
			    i != KT_PART_KALLSYMS)
				kt_cap_part_set(c, i, KT_PART_PARTIAL, "interrupted");
}

/*
 * now --dump: SysRq-D makes the kernel dump the running scheduler's state
 * (kernel/sched/ext.c sysrq_handle_sched_ext_dump: scx_dump_state with a
 * zero-length buffer) without stopping it.  Its lines go only to the
 * sched_ext_dump tracepoint, which the timeline's BPF side records; the
 * dump is done inside the write(), so they are in the ring when it returns.
 * /proc/sysrq-trigger ignores kernel.sysrq's mask (root only).
 */
#define SYSRQ_TRIGGER "/proc/sysrq-trigger"

static void sysrq_dump(struct kt_capture *c)
{
	int fd;

	if (!c->tl) {
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_UNAVAILABLE,
				"needs the timeline's BPF side (sched_ext_dump): %s",
				c->part[KT_PART_TIMELINE].reason);
		return;
	}
	if (!(tl_flightrec_attached(c->tl) >> TL_AT_SCX_DUMP & 1)) {
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_UNAVAILABLE,
				"tracepoint sched_ext_dump missing on this kernel");
		return;
	}
	if (!c->have_trig || c->trig.state != KT_SCX_ENABLED) {
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_UNAVAILABLE,
				"no sched_ext scheduler is enabled: the kernel dumps nothing");
		return;
	}
	fd = open(SYSRQ_TRIGGER, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "D", 1) != 1) {
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_UNAVAILABLE, "cannot write 'D' to %s: %s",
				SYSRQ_TRIGGER, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	c->dump_asked = true;
}

static void dump_finish(struct kt_capture *c)
{
	size_t n;

	if (!c->dump_asked)
		return;
	n = tl_flightrec_dump_lines(c->tl, &c->dump);
	if (n)
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_OK, "%zu lines (SysRq-D)", n);
	else
		kt_cap_part_set(c, KT_PART_DUMP, KT_PART_UNAVAILABLE,
				"SysRq-D written, but no sched_ext_dump line was recorded");
}

static int setup_loop(struct kt_capture *c)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, 0};

	if (kt_loop_init(&c->loop))
		return kt_err("cannot set up the event loop");
	c->loop_ok = true;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (kt_loop_add_signals(&c->loop, sigs, on_signal, c))
		return kt_err("cannot set up the event loop");
	c->grace_timer = kt_loop_add_timer(&c->loop, 0, 0, on_grace, c);
	if (c->grace_timer < 0)
		return kt_err("cannot set up the event loop");
	return 0;
}

static int wait_loop(struct kt_capture *c)
{
	int64_t deadline_ms = c->o.timeout >= 0 ? (int64_t)(c->o.timeout * 1000) : -1;
	uint64_t start = kt_mono_ns();

	if (c->o.mode == KT_CAP_NOW) {
		int r = kt_loop_run(&c->loop, (int64_t)(c->o.record_ns / 1000000));

		if (r == STOP_SIGNAL)
			c->end = KT_END_INTERRUPTED;
		return 0;
	}
	/* with uevents the poll is a slow backstop, except in run before the
	 * enable: the child's programs are held as soon as they are loaded (a
	 * scheduler that fails while enabling sends no uevent) */
	c->poll_ns = c->uev && (c->o.mode != KT_CAP_RUN || c->taken) ? UEV_POLL_NS : POLL_NS;
	if (c->have_trig &&
	    ((c->poll_timer = kt_loop_add_timer(&c->loop, c->poll_ns, c->poll_ns, on_poll, c)) <
		     0 ||
	     kt_loop_add_timer(&c->loop, c->o.interval_ns, c->o.interval_ns, on_interval, c) < 0))
		return kt_err("cannot set up the event loop");
	if (c->have_trig && c->trig.armed)
		take_at_enable_by(c, "arming"); /* the running scheduler */
	else if (c->have_trig)
		sample(c);
	for (;;) {
		int64_t left = -1;
		int r;

		if (deadline_ms >= 0) {
			left = deadline_ms - (int64_t)((kt_mono_ns() - start) / 1000000);
			if (left < 0)
				left = 0;
		}
		r = kt_loop_run(&c->loop, c->have_exited ? -1 : left);
		if (r == STOP_DONE)
			return 0;
		if (r == STOP_SIGNAL) {
			c->end = KT_END_INTERRUPTED;
			return 0;
		}
		if (r == KT_LOOP_TIMEOUT) {
			c->end = KT_END_TIMEOUT;
			return 0;
		}
		if (r == STOP_CHILD) {
			/* one more look: the kernel may have disabled it just now */
			if (!c->have_exited)
				c->exit_by = "scheduler process exit";
			if (c->have_trig && kt_scxtrig_poll(&c->trig))
				note_exit(c);
			/* enabled and gone between two polls, unseen */
			if (c->have_trig && !c->have_exited && c->trig.enable_seq != c->seq0) {
				take_at_enable(c);
				note_exit(c);
			}
			if (!c->have_exited)
				c->end = KT_END_PROCESS_EXIT;
			kmsg_drain(c);
			kt_loop_timer_set(&c->loop, c->grace_timer, GRACE_NS, 0);
			continue;
		}
		if (r < 0)
			return kt_errn(-r, "event loop");
	}
}

int kt_cap_run(struct kt_capture *c)
{
	int rc;

	if (setup_loop(c))
		return KT_EXIT_FAIL;
	/* arm, run: the poller is SCHED_FIFO (reset on fork: the scheduler
	 * under test is not): a sched_ext task itself, it would wait for the
	 * very scheduler that is failing and see it enabled too late */
	if (c->o.mode != KT_CAP_NOW) {
		struct sched_param sp = {.sched_priority = 1};

		/* musl's sched_setscheduler is ENOSYS by design: the system call */
		c->rt = !syscall(SYS_sched_setscheduler, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
		if (!c->rt)
			snprintf(c->rt_err, sizeof(c->rt_err), "%s", strerror(errno));
	}
	arm_common(c);
	/* run: the scheduler starts once everything is armed (loading the
	 * timeline takes seconds under TCG; a scheduler can die in 100 ms) */
	if (c->o.mode == KT_CAP_RUN) {
		const char *b = strrchr(c->o.argv[0], '/');

		snprintf(c->sched, sizeof(c->sched), "%s", b ? b + 1 : c->o.argv[0]);
		c->prog_max = prog_max_now();
		if (child_start(c))
			return KT_EXIT_FAIL;
	}
	if (c->o.mode == KT_CAP_NOW) {
		c->end = KT_END_NOW;
		if (c->have_trig && c->trig.armed)
			take_at_enable_by(c, "arming");
		if (c->o.sysrq_dump)
			sysrq_dump(c);
	}
	if (wait_loop(c))
		return KT_EXIT_FAIL;
	dump_finish(c);
	finish_common(c);
	rc = kt_cap_write(c);
	if (!rc)
		fprintf(stderr, "capture: bundle written to %s%s\n", c->o.out,
			c->have_exited ? "" : " (no exit captured)");
	if (c->o.mode == KT_CAP_RUN) {
		if (c->child > 0 && !c->child_exited && waitpid(c->child, &c->child_status, 0) > 0)
			c->child_exited = true;
		if (rc)
			return rc;
		if (WIFEXITED(c->child_status))
			return WEXITSTATUS(c->child_status);
		return 128 + WTERMSIG(c->child_status);
	}
	if (rc)
		return rc;
	if (c->o.mode == KT_CAP_ARM && !c->have_exited)
		return KT_CAP_EXIT_TIMEOUT;
	return 0;
}

void kt_cap_free(struct kt_capture *c)
{
	tl_flightrec_free(c->tl);
	c->tl = NULL;
	if (c->have_k)
		kt_kmsg_close(&c->k);
	scx_parser_free(&c->p);
	if (c->loop_ok)
		kt_loop_free(&c->loop);
	for (int i = 0; i < 2; i++) {
		if (c->cfd[i] >= 0)
			close(c->cfd[i]);
		kt_buf_free(&c->cout[i]);
	}
	if (c->have_ring)
		kt_snapring_free(&c->ring);
	for (size_t i = 0; i < c->nprog_fds; i++)
		close(c->prog_fds[i]);
	free(c->prog_fds);
	kt_ksyms_free(c->ksyms);
	if (c->have_trig)
		kt_scxtrig_free(&c->trig);
	for (size_t i = 0; c->samples && i < c->o.ring; i++)
		kt_buf_free(&c->samples[i]);
	free(c->samples);
	kt_buf_free(&c->scx_pre);
	kt_buf_free(&c->scx_en);
	kt_buf_free(&c->scx_post);
	kt_buf_free(&c->kmsg);
	kt_buf_free(&c->events);
	kt_buf_free(&c->bt);
	kt_buf_free(&c->dump);
	if (c->have_pre)
		hc_free(&c->pre);
	if (c->have_post)
		hc_free(&c->post);
	hc_collector_free(&c->col);
}
