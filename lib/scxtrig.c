// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "file.h"
#include "loop.h"
#include "opt.h"
#include "scxtrig.h"
#include "text.h"

#define SCX_DIR "/sys/kernel/sched_ext"

static const char *const names[] = {
	[KT_SCX_NONE] = "none",		  [KT_SCX_DISABLED] = "disabled",
	[KT_SCX_ENABLING] = "enabling",	  [KT_SCX_ENABLED] = "enabled",
	[KT_SCX_DISABLING] = "disabling", [KT_SCX_UNKNOWN] = "unknown",
};

const char *kt_scx_state_name(enum kt_scx_state s)
{
	return (unsigned)s <= KT_SCX_UNKNOWN ? names[s] : "unknown";
}

enum kt_scx_state kt_scx_state_parse(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	for (int i = KT_SCX_DISABLED; i <= KT_SCX_DISABLING; i++)
		if (strlen(names[i]) == n && !memcmp(s, names[i], n))
			return (enum kt_scx_state)i;
	return KT_SCX_UNKNOWN;
}

static bool live(enum kt_scx_state s)
{
	return s == KT_SCX_ENABLED || s == KT_SCX_ENABLING;
}

/* Record an exit of the armed scheduler; it stays unarmed until a new one. */
static bool fire(struct kt_scxtrig *t, uint64_t now_ns)
{
	if (!t->armed)
		return false;
	t->armed = false;
	t->add_seen = false;
	t->dead_seen = false;
	t->fired_seq = t->enable_seq;
	t->fires++;
	t->exit_ns = now_ns;
	return true;
}

/*
 * While the state reads live: is it another scheduler than the one armed
 * on?  The root kobject says so when both looks know it (its own
 * enable_seq bump, after the state reads enabled, is then not an exit);
 * else enable_seq moving does.
 */
static bool other_sched(const struct kt_scxtrig *t, uint64_t seq, uint64_t id)
{
	if (id && t->armed_id)
		return id != t->armed_id;
	return seq && t->enable_seq && seq != t->enable_seq;
}

bool kt_scxtrig_step_id(struct kt_scxtrig *t, enum kt_scx_state state, uint64_t seq, uint64_t id,
			uint64_t now_ns)
{
	bool exit = false;

	if (live(state)) {
		bool other = other_sched(t, seq, id);

		/* armed by an add before the kernel bumped enable_seq (and
		 * the root inode not known yet): that bump is its own */
		if (t->seq_pending && other && !(id && t->armed_id) && seq == t->enable_seq + 1) {
			other = false;
			t->seq_pending = false;
		}
		if (t->armed && other) {
			/* an exit and a new enable between two looks */
			exit = fire(t, now_ns);
			t->armed = true;
			t->armed_id = id;
			t->enabled_ns = now_ns;
		} else if (!t->armed &&
			   (!t->fires || t->dead_seen ||
			    (id && t->armed_id ? other : seq && seq != t->fired_seq))) {
			t->armed = true;
			t->armed_id = id;
			t->enabled_ns = now_ns;
		} else if (t->armed && !t->armed_id) {
			t->armed_id = id;
		}
	} else {
		exit = fire(t, now_ns);
		t->dead_seen = true;
	}
	t->state = state;
	if (seq) {
		if (t->seq_pending && seq != t->enable_seq)
			t->seq_pending = false;
		t->enable_seq = seq;
	}
	t->root_id = id;
	return exit;
}

bool kt_scxtrig_step(struct kt_scxtrig *t, enum kt_scx_state state, uint64_t seq, uint64_t now_ns)
{
	return kt_scxtrig_step_id(t, state, seq, 0, now_ns);
}

/* ---- the kernel log's clock ---- */

/* "NAME   : MS.NNNNNN" (kernel/sched/debug.c PN()) -> ns */
static int sched_debug_ns(const char *s, size_t n, const char *name, uint64_t *ns)
{
	size_t k = strlen(name), i = 0;

	while (i < n) {
		const char *line = s + i, *nl = memchr(line, '\n', n - i);
		size_t len = nl ? (size_t)(nl - line) : n - i;
		uint64_t ms = 0, frac = 0;
		size_t j = k, d = 0;

		i += len + 1;
		if (!nl || len <= k || memcmp(line, name, k) || (line[k] != ' ' && line[k] != ':'))
			continue;
		while (j < len && line[j] == ' ')
			j++;
		if (j >= len || line[j++] != ':')
			return -1;
		while (j < len && line[j] == ' ')
			j++;
		if (j >= len || !kt_is_digit(line[j]))
			return -1;
		for (; j < len && kt_is_digit(line[j]) && d < 15; j++, d++)
			ms = ms * 10 + (uint64_t)(line[j] - '0');
		if (j >= len || line[j++] != '.')
			return -1;
		for (d = 0; j < len && kt_is_digit(line[j]); j++, d++)
			frac = frac * 10 + (uint64_t)(line[j] - '0');
		if (d != 6 || j != len)
			return -1;
		*ns = ms * 1000000 + frac;
		return 0;
	}
	return -1;
}

int kt_logclock_parse(const char *s, size_t n, int64_t *off)
{
	uint64_t kt, cpu;

	if (sched_debug_ns(s, n, "ktime", &kt) || sched_debug_ns(s, n, "cpu_clk", &cpu))
		return -1;
	*off = (int64_t)(cpu - kt);
	return 0;
}

/* ---- uevents ---- */

static void uev_copy(char *dst, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

int kt_uevent_parse(const char *buf, size_t len, struct kt_uevent *u)
{
	const char *end = buf + len, *p = buf, *at;
	size_t n;

	memset(u, 0, sizeof(*u));
	n = strnlen(p, len);
	at = memchr(p, '@', n);
	if (!n || !at || at == p || at + 1 == p + n)
		return -1;
	if ((size_t)(at - p) == 3 && !memcmp(p, "add", 3))
		u->action = KT_UEV_ADD;
	else if ((size_t)(at - p) == 6 && !memcmp(p, "remove", 6))
		u->action = KT_UEV_REMOVE;
	uev_copy(u->devpath, sizeof(u->devpath), at + 1, (size_t)(p + n - at - 1));
	for (p += n + 1; p < end; p += n + 1) {
		const char *eq;

		n = strnlen(p, (size_t)(end - p));
		eq = memchr(p, '=', n);
		if (!eq)
			continue;
#define UEV_KEY(k) ((size_t)(eq - p) == sizeof(k) - 1 && !memcmp(p, k, sizeof(k) - 1))
		if (UEV_KEY("SUBSYSTEM"))
			uev_copy(u->subsystem, sizeof(u->subsystem), eq + 1,
				 (size_t)(p + n - eq - 1));
		else if (UEV_KEY("SCXOPS"))
			uev_copy(u->scxops, sizeof(u->scxops), eq + 1, (size_t)(p + n - eq - 1));
		else if (UEV_KEY("SEQNUM")) {
			char num[24];
			unsigned long long v;

			uev_copy(num, sizeof(num), eq + 1, (size_t)(p + n - eq - 1));
			if (!kt_parse_u64(num, &v))
				u->seqnum = v;
		}
#undef UEV_KEY
	}
	return 0;
}

bool kt_uevent_is_scx_root(const struct kt_uevent *u)
{
	return !strcmp(u->devpath, "/kernel/sched_ext/root");
}

int kt_scxtrig_uevent_step(struct kt_scxtrig *t, const struct kt_uevent *u, enum kt_scx_state state,
			   uint64_t seq, uint64_t now_ns)
{
	int r = 0;

	if (!kt_uevent_is_scx_root(u) || u->action == KT_UEV_OTHER)
		return 0;
	t->uevents++;
	if (u->action == KT_UEV_REMOVE) {
		if (fire(t, now_ns))
			r |= KT_SCXTRIG_EXIT;
		t->dead_seen = true;
		t->state = state;
		if (seq && !live(state))
			t->enable_seq = seq;
		return r;
	}
	/* add: a new scheduler is enabled.  Armed with its add already
	 * seen: the previous one's remove was missed. */
	if (t->armed && t->add_seen && fire(t, now_ns))
		r |= KT_SCXTRIG_EXIT;
	if (!t->armed) {
		uint64_t prev = t->enable_seq;

		t->armed = true;
		t->armed_id = 0; /* its root inode: kt_scxtrig_uevents, or the next poll */
		t->enabled_ns = now_ns;
		t->seq_pending = seq && seq == prev;
		if (seq && seq != prev)
			t->enable_seq = seq;
	} else if (seq && seq == t->enable_seq) {
		/* armed by the poll a moment ago, before the bump */
		t->seq_pending = true;
	} else if (seq) {
		t->enable_seq = seq;
	}
	t->add_seen = true;
	t->dead_seen = false;
	t->state = state;
	if (u->scxops[0])
		snprintf(t->name, sizeof(t->name), "%s", u->scxops);
	return r | KT_SCXTRIG_ENABLE;
}

int kt_scxtrig_init(struct kt_scxtrig *t, const char *root)
{
	char p[4096];

	memset(t, 0, sizeof(*t));
	t->root = root ? root : "";
	t->state_fd = -1;
	t->timer = -1;
	t->uev_fd = -1;
	if (!kt_path(p, sizeof(p), t->root, SCX_DIR "/state")) {
		errno = ENAMETOOLONG;
		return -1;
	}
	t->state_fd = open(p, O_RDONLY | O_CLOEXEC);
	if (t->state_fd < 0 && errno != ENOENT)
		return -1;
	t->state = t->state_fd < 0 ? KT_SCX_NONE : KT_SCX_UNKNOWN;
	kt_scxtrig_poll(t);
	return 0;
}

void kt_scxtrig_free(struct kt_scxtrig *t)
{
	if (t->state_fd >= 0)
		close(t->state_fd);
	t->state_fd = -1;
	if (t->uev_fd >= 0)
		close(t->uev_fd);
	t->uev_fd = -1;
}

static uint64_t read_seq(const struct kt_scxtrig *t)
{
	char *s = kt_read_trim(t->root, SCX_DIR "/enable_seq");
	unsigned long long v = 0;

	if (s && kt_parse_u64(s, &v))
		v = 0;
	free(s);
	return v;
}

/* The root kobject's inode: a new directory for each scheduler; 0 when absent. */
static uint64_t read_root_id(const struct kt_scxtrig *t)
{
	char p[4096];
	struct stat st;

	if (!kt_path(p, sizeof(p), t->root, SCX_DIR "/root") || stat(p, &st))
		return 0;
	return (uint64_t)st.st_ino;
}

static void read_name(struct kt_scxtrig *t)
{
	char *s = kt_read_trim(t->root, SCX_DIR "/root/ops");

	if (s) {
		strncpy(t->name, s, sizeof(t->name) - 1);
		t->name[sizeof(t->name) - 1] = '\0';
	}
	free(s);
}

static int read_state(const struct kt_scxtrig *t, enum kt_scx_state *s, uint64_t *seq)
{
	char b[32];
	ssize_t n;

	if (t->state_fd < 0)
		return -1;
	n = pread(t->state_fd, b, sizeof(b), 0);
	if (n < 0)
		return -1;
	*s = kt_scx_state_parse(b, (size_t)n);
	*seq = read_seq(t);
	return 0;
}

int kt_scxtrig_poll(struct kt_scxtrig *t)
{
	enum kt_scx_state s;
	uint64_t seq, id;

	if (read_state(t, &s, &seq))
		return 0;
	id = read_root_id(t);
	if (live(s) && (!t->armed || seq != t->enable_seq || id != t->root_id))
		read_name(t);
	return kt_scxtrig_step_id(t, s, seq, id, kt_mono_ns());
}

enum kt_scx_state kt_scxtrig_peek(const struct kt_scxtrig *t)
{
	char b[32];
	ssize_t n;

	if (t->state_fd < 0 || (n = pread(t->state_fd, b, sizeof(b), 0)) < 0)
		return KT_SCX_NONE;
	return kt_scx_state_parse(b, (size_t)n);
}

int kt_scxtrig_fire(struct kt_scxtrig *t, uint64_t now_ns)
{
	return fire(t, now_ns);
}

enum kt_scx_state kt_scxtrig_settle(struct kt_scxtrig *t, uint64_t timeout_ns)
{
	uint64_t t0 = kt_mono_ns();
	enum kt_scx_state s = KT_SCX_NONE;
	char b[32];

	while (t->state_fd >= 0) {
		ssize_t n = pread(t->state_fd, b, sizeof(b), 0);

		if (n < 0)
			return KT_SCX_UNKNOWN;
		s = kt_scx_state_parse(b, (size_t)n);
		if (s != KT_SCX_DISABLING || kt_mono_ns() - t0 >= timeout_ns)
			break;
		kt_sleep(0.001);
	}
	return s;
}

/* the kernel's broadcast group of NETLINK_KOBJECT_UEVENT */
#define UEV_GROUP 1u

int kt_scxtrig_listen(struct kt_scxtrig *t)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = UEV_GROUP};
	int fd, sz = 1 << 20;

	if (t->uev_fd >= 0)
		return 0;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	/* a burst of device events must not push sched_ext's out */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	t->uev_fd = fd;
	return 0;
}

int kt_scxtrig_uevents(struct kt_scxtrig *t)
{
	char buf[8192];
	int r = 0;

	while (t->uev_fd >= 0) {
		struct sockaddr_nl src;
		struct iovec iov = {buf, sizeof(buf)};
		struct msghdr m = {.msg_name = &src,
				   .msg_namelen = sizeof(src),
				   .msg_iov = &iov,
				   .msg_iovlen = 1};
		struct kt_uevent u;
		enum kt_scx_state s;
		uint64_t seq;
		ssize_t n = recvmsg(t->uev_fd, &m, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* overrun: one may have been sched_ext's; look */
			t->uev_lost++;
			if (kt_scxtrig_poll(t))
				r |= KT_SCXTRIG_EXIT;
			if (t->armed)
				r |= KT_SCXTRIG_ENABLE;
			continue;
		}
		if (n <= 0)
			break;
		/* the kernel's own (port 0), not a process's */
		if (src.nl_pid || kt_uevent_parse(buf, (size_t)n, &u) || !kt_uevent_is_scx_root(&u))
			continue;
		if (read_state(t, &s, &seq)) {
			s = u.action == KT_UEV_ADD ? KT_SCX_ENABLED : KT_SCX_DISABLED;
			seq = 0;
		}
		r |= kt_scxtrig_uevent_step(t, &u, s, seq, kt_mono_ns());
		if (t->armed && !t->armed_id && u.action == KT_UEV_ADD)
			t->root_id = t->armed_id = read_root_id(t);
	}
	return r;
}

static int on_uevent(void *arg, uint32_t events)
{
	struct kt_scxtrig *t = arg;
	int r;

	(void)events;
	r = kt_scxtrig_uevents(t);
	if (r & KT_SCXTRIG_ENABLE && t->on_enable) {
		int rc = t->on_enable(t->arg, t);

		if (rc)
			return rc;
	}
	if (r & KT_SCXTRIG_EXIT && t->fn)
		return t->fn(t->arg, t);
	return 0;
}

static int on_timer(void *arg, uint32_t events)
{
	struct kt_scxtrig *t = arg;

	(void)events;
	if (kt_scxtrig_poll(t) && t->fn)
		return t->fn(t->arg, t);
	return 0;
}

int kt_scxtrig_arm(struct kt_scxtrig *t, struct kt_loop *l, uint64_t interval_ns, kt_scxtrig_fn fn,
		   void *arg)
{
	t->fn = fn;
	t->arg = arg;
	/* the live kernel's uevents: not for a fixture tree */
	if (t->state_fd >= 0 && !t->root[0] && !kt_scxtrig_listen(t) &&
	    kt_loop_add_fd(l, t->uev_fd, EPOLLIN, on_uevent, t)) {
		close(t->uev_fd);
		t->uev_fd = -1;
	}
	t->timer = kt_loop_add_timer(l, interval_ns, interval_ns, on_timer, t);
	return t->timer < 0 ? -1 : 0;
}
