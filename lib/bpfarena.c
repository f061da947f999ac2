// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bpfarena.h"
#include "bpfmap.h"
#include "file.h"
#include "text.h"

#define PAGE 4096u
#define PM_PRESENT (1ull << 63)
/* pagemap entries read per pread */
#define PM_BATCH 512

static bool hexnum(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t j = *i;
	uint64_t x = 0;
	int d;

	while (j < n && j - *i < 16 && (d = kt_hexval((unsigned char)s[j])) >= 0) {
		x = x << 4 | (uint64_t)d;
		j++;
	}
	if (j == *i)
		return false;
	*i = j;
	*v = x;
	return true;
}

bool kt_arena_maps_line(const char *s, size_t n, uint64_t *start, uint64_t *end)
{
	static const char tag[] = "anon_inode:bpf-map";
	size_t i = 0, tl = sizeof(tag) - 1;

	if (!hexnum(s, n, &i, start) || i >= n || s[i++] != '-' || !hexnum(s, n, &i, end) ||
	    *end <= *start)
		return false;
	n = kt_rtrim_len(s, n);
	return n >= tl && !memcmp(s + n - tl, tag, tl) && (n == tl || s[n - tl - 1] == ' ');
}

/* Does PID hold an fd of map MAP_ID?  (fdinfo's map_id of its bpf-map fds) */
static bool holds(int pid, uint32_t map_id)
{
	char dp[48], lp[96], link[32];
	struct kt_dirent *e;
	struct kt_dir d;
	bool yes = false;

	snprintf(dp, sizeof(dp), "/proc/%d/fd", pid);
	if (kt_dir_open(&d, NULL, dp))
		return false;
	while (!yes && (e = kt_dir_next(&d))) {
		ssize_t l;
		uint64_t id;
		size_t n;
		char *s;

		snprintf(lp, sizeof(lp), "%s/%s", dp, e->name);
		l = readlink(lp, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		if (strcmp(link, "anon_inode:bpf-map"))
			continue;
		snprintf(lp, sizeof(lp), "/proc/%d/fdinfo/%s", pid, e->name);
		s = kt_read_small(NULL, lp, 4096, &n);
		if (s && !kt_fdinfo_u64(s, n, "map_id", &id) && id == map_id)
			yes = true;
		free(s);
	}
	kt_dir_close(&d);
	return yes;
}

/* The arena's VMA in PID, if it maps it. */
static int in_pid(int pid, uint64_t len, uint64_t extra, struct kt_arena_where *w)
{
	char p[64];
	size_t n;
	char *s, *line, *next;
	int found = 0;

	snprintf(p, sizeof(p), "/proc/%d/maps", pid);
	s = kt_read_file(NULL, p, 64u << 20, &n);
	if (!s)
		return 0;
	for (line = s; line < s + n; line = next + 1) {
		uint64_t a, b;

		next = memchr(line, '\n', (size_t)(s + n - line));
		if (!next)
			next = s + n;
		if (!kt_arena_maps_line(line, (size_t)(next - line), &a, &b) || b - a != len ||
		    (extra && a != extra))
			continue;
		if (!found++)
			*w = (struct kt_arena_where){
				.pid = pid, .start = a, .len = b - a, .confirmed = extra != 0};
	}
	free(s);
	return found;
}

int kt_arena_find(uint32_t map_id, uint64_t len, uint64_t map_extra, struct kt_arena_where *w)
{
	struct kt_arena_where first;
	struct kt_dir d;
	struct kt_dirent *e;
	int self = getpid(), found = 0;

	if (kt_dir_open(&d, NULL, "/proc"))
		return -errno;
	while ((e = kt_dir_next(&d))) {
		char *end;
		long pid = strtol(e->name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		/* the mapping says no map id: its process must hold the map too */
		if (holds((int)pid, map_id))
			found += in_pid((int)pid, len, map_extra, found ? &first : w);
		if (found && w->confirmed)
			break;
	}
	kt_dir_close(&d);
	if (!found)
		return -ENOENT;
	/* only a fixed address, or the only mapping of this size, is sure */
	w->candidates = found;
	if (found == 1)
		w->confirmed = true;
	return 0;
}

long kt_arena_read(const struct kt_arena_where *w, uint64_t budget, kt_arena_page_fn cb, void *arg,
		   bool *truncated)
{
	uint64_t pm[PM_BATCH], pages = w->len / PAGE, done = 0, copied = 0;
	unsigned char *buf = malloc(PAGE);
	char p[64];
	long r = 0;
	int fd;

	*truncated = false;
	if (!buf)
		return -ENOMEM;
	snprintf(p, sizeof(p), "/proc/%d/pagemap", w->pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (done < pages && r >= 0) {
		uint64_t k = pages - done < PM_BATCH ? pages - done : PM_BATCH;
		ssize_t got = pread(fd, pm, k * 8, (off_t)((w->start / PAGE + done) * 8));

		if (got <= 0) {
			r = got < 0 ? -errno : -EIO;
			break;
		}
		k = (uint64_t)got / 8;
		for (uint64_t i = 0; i < k && r >= 0; i++) {
			struct iovec lo = {buf, PAGE};
			struct iovec re = {(void *)(uintptr_t)(w->start + (done + i) * PAGE), PAGE};

			if (!(pm[i] & PM_PRESENT))
				continue; /* reading it would fault it in: never */
			if (copied + PAGE > budget) {
				*truncated = true;
				goto out;
			}
			if (process_vm_readv(w->pid, &lo, 1, &re, 1, 0) != (ssize_t)PAGE) {
				r = -errno;
				break;
			}
			copied += PAGE;
			r++;
			if (cb(arg, done + i, buf, PAGE))
				goto out;
		}
		done += k;
	}
out:
	close(fd);
	free(buf);
	return r;
}

/* ---- where the globals are (see bpfarena.h) ---------------------------- */

uint64_t kt_arena_globals_end(uint64_t arena_len, uint64_t size, uint64_t page)
{
	uint64_t r;

	if (!page || size > UINT64_MAX - page)
		return 0;
	r = (size + page - 1) / page * page;
	return r <= arena_len ? arena_len - r : 0;
}

static bool all_within(const uint64_t *offs, size_t n, uint64_t base, uint64_t size)
{
	for (size_t i = 0; i < n; i++)
		if (offs[i] < base || offs[i] - base >= size)
			return false;
	return true;
}

enum kt_arena_gplace kt_arena_globals_place(uint64_t arena_len, uint64_t size, uint64_t page,
					    const uint64_t *offs, size_t n)
{
	uint64_t end = kt_arena_globals_end(arena_len, size, page);
	bool s, e;

	if (!size || size > arena_len)
		return KT_ARENA_G_UNKNOWN;
	if (!end)
		return KT_ARENA_G_START; /* the same place either way */
	if (!n)
		return KT_ARENA_G_UNKNOWN;
	s = all_within(offs, n, 0, size);
	e = all_within(offs, n, end, size);
	if (s == e)
		return KT_ARENA_G_UNKNOWN;
	return s ? KT_ARENA_G_START : KT_ARENA_G_END;
}

size_t kt_arena_insn_offsets(const unsigned char *insns, size_t n, uint64_t start, uint64_t len,
			     uint64_t *out, size_t max)
{
	size_t found = 0;

	if (!start || len > UINT64_MAX - start)
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		const unsigned char *a = insns + 8 * i;
		uint32_t lo, hi;
		uint64_t v;

		if (a[0] != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		memcpy(&lo, a + 4, 4);
		memcpy(&hi, a + 12, 4);
		v = (uint64_t)hi << 32 | lo;
		i++; /* the second half */
		if (v < start || v - start >= len)
			continue;
		if (found < max)
			out[found] = v - start;
		found++;
	}
	return found;
}

int kt_arena_probe_full_range(void)
{
	static char log[1024];
	struct bpf_insn insn[] = {
		{.code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_VALUE},
		{.imm = 1 << 30},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	int map, prog, r;

	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "kt_probe", 4, 1, 1, NULL);
	if (map < 0)
		return -errno;
	insn[0].imm = map;
	log[0] = '\0';
	prog = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "kt_probe", "GPL", insn, 3, &o);
	r = prog < 0 ? -errno : 0;
	close(map);
	if (prog >= 0) {
		close(prog);
		return -EINVAL; /* loading must fail either way */
	}
	if (strstr(log, "direct value offset of"))
		return 0;
	if (strstr(log, "invalid access to map value pointer"))
		return 1;
	return r ? r : -EINVAL;
}
