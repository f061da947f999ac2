// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "loop.h"
#include "opt.h"
#include "scxtrig.h"

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

		if (t->armed && other) {
			/* an exit and a new enable between two looks */
			exit = fire(t, now_ns);
			t->armed = true;
			t->armed_id = id;
		} else if (!t->armed &&
			   (!t->fires || t->dead_seen ||
			    (id && t->armed_id ? other : seq && seq != t->fired_seq))) {
			t->armed = true;
			t->armed_id = id;
		} else if (t->armed && !t->armed_id) {
			t->armed_id = id;
		}
	} else {
		exit = fire(t, now_ns);
		t->dead_seen = true;
	}
	t->state = state;
	if (seq)
		t->enable_seq = seq;
	t->root_id = id;
	return exit;
}

bool kt_scxtrig_step(struct kt_scxtrig *t, enum kt_scx_state state, uint64_t seq, uint64_t now_ns)
{
	return kt_scxtrig_step_id(t, state, seq, 0, now_ns);
}

int kt_scxtrig_init(struct kt_scxtrig *t, const char *root)
{
	char p[4096];

	memset(t, 0, sizeof(*t));
	t->root = root ? root : "";
	t->state_fd = -1;
	t->timer = -1;
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

int kt_scxtrig_poll(struct kt_scxtrig *t)
{
	char b[32];
	ssize_t n;
	enum kt_scx_state s;
	uint64_t seq, id;

	if (t->state_fd < 0)
		return 0;
	n = pread(t->state_fd, b, sizeof(b), 0);
	if (n < 0)
		return 0;
	s = kt_scx_state_parse(b, (size_t)n);
	seq = read_seq(t);
	id = read_root_id(t);
	if (live(s) && (!t->armed || seq != t->enable_seq || id != t->root_id))
		read_name(t);
	return kt_scxtrig_step_id(t, s, seq, id, kt_mono_ns());
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
	t->timer = kt_loop_add_timer(l, interval_ns, interval_ns, on_timer, t);
	return t->timer < 0 ? -1 : 0;
}
