// SPDX-License-Identifier: MIT
/* The sched_ext exit trigger: transitions, enable_seq, sources, sysfs fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "scxtrig.h"
#include "tap.h"

static void test_parse(void)
{
	ok(kt_scx_state_parse("enabled\n", 8) == KT_SCX_ENABLED, "enabled");
	ok(kt_scx_state_parse("disabled", 8) == KT_SCX_DISABLED, "disabled");
	ok(kt_scx_state_parse("disabling\n", 10) == KT_SCX_DISABLING, "disabling");
	ok(kt_scx_state_parse("enabling", 8) == KT_SCX_ENABLING, "enabling");
	ok(kt_scx_state_parse("enable", 6) == KT_SCX_UNKNOWN, "a prefix is unknown");
}

static void test_steps(void)
{
	struct kt_scxtrig t = {0};

	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 0, 1), "disabled at start: nothing");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 1, 2), "enabled: armed");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 1, 3), "still enabled");
	ok(kt_scxtrig_step(&t, KT_SCX_DISABLING, 1, 4) && t.exit_ns == 4, "leaving enabled fires");
	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 1, 5), "fires once");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 2, 6), "a new scheduler arms");
	ok(kt_scxtrig_step(&t, KT_SCX_ENABLED, 3, 7), "exit and re-enable between looks fire");
	ok(kt_scxtrig_step(&t, KT_SCX_DISABLED, 3, 8), "the re-enabled one's exit fires too");
	is_int(t.fires, 3, "three exits");
	/* another source first: the poll does not fire again */
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 4, 9), "armed");
	ok(kt_scxtrig_fire(&t, 10), "tracepoint source fires");
	ok(!kt_scxtrig_fire(&t, 10), "a second source does not");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 4, 11),
	   "state still enabled (disabling soon): no re-arm");
	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 4, 12), "and its state change does not fire");
	is_int(t.fires, 4, "four exits");
}

static void put(const char *dir, const char *name, const char *s)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/sys/kernel/sched_ext/%s", dir, name);
	f = fopen(p, "w");
	fputs(s, f);
	fclose(f);
}

static void test_fixture(void)
{
	char dir[] = "/tmp/scxtrig.XXXXXX", p[512];
	struct kt_scxtrig t;

	if (!mkdtemp(dir)) {
		tap_skip("mkdtemp failed");
		return;
	}
	ok(!kt_scxtrig_init(&t, dir) && t.state == KT_SCX_NONE, "no sysfs dir: none, not an error");
	ok(!kt_scxtrig_poll(&t), "and never fires");
	kt_scxtrig_free(&t);
	snprintf(p, sizeof(p), "%s/sys/kernel/sched_ext/root", dir);
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
	put(dir, "state", "enabled\n");
	put(dir, "enable_seq", "7\n");
	put(dir, "root/ops", "scx_test\n");
	ok(!kt_scxtrig_init(&t, dir) && t.state == KT_SCX_ENABLED && t.armed,
	   "live: armed at init");
	is_str(t.name, "scx_test", "scheduler name");
	ok(!kt_scxtrig_poll(&t), "no change: no fire");
	put(dir, "state", "disabled\n");
	ok(kt_scxtrig_poll(&t) == 1, "state file says disabled: fires");
	ok(kt_scxtrig_settle(&t, 1000000000ull) == KT_SCX_DISABLED, "settle: disabled at once");
	put(dir, "state", "disabling\n");
	{
		uint64_t t0 = kt_mono_ns();

		ok(kt_scxtrig_settle(&t, 30000000ull) == KT_SCX_DISABLING &&
			   kt_mono_ns() - t0 >= 30000000ull,
		   "settle: still disabling at the timeout (30 ms)");
	}
	kt_scxtrig_free(&t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	ok(system(p) == 0, "fixture removed");
}

int main(void)
{
	test_parse();
	test_steps();
	test_fixture();
	return tap_done();
}
