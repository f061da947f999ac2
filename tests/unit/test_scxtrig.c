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

#define UEV(s) s, sizeof(s) - 1

static void test_uevent_parse(void)
{
	struct kt_uevent u;

	ok(!kt_uevent_parse(UEV("add@/kernel/sched_ext/root\0ACTION=add\0DEVPATH=/kernel/sched_ext/"
				"root\0SUBSYSTEM=sched_ext\0SCXOPS=ktbox_test\0SEQNUM=1234\0"),
			    &u),
	   "add uevent parses");
	ok(u.action == KT_UEV_ADD && kt_uevent_is_scx_root(&u), "add of the sched_ext root");
	is_str(u.subsystem, "sched_ext", "subsystem");
	is_str(u.scxops, "ktbox_test", "SCXOPS");
	is_int(u.seqnum, 1234, "SEQNUM");
	ok(!kt_uevent_parse(UEV("remove@/kernel/sched_ext/root\0SCXOPS=x"), &u) &&
		   u.action == KT_UEV_REMOVE && !strcmp(u.scxops, "x"),
	   "remove, last variable without its NUL");
	ok(!kt_uevent_parse(UEV("change@/devices/virtual/net/lo\0"), &u) &&
		   u.action == KT_UEV_OTHER && !kt_uevent_is_scx_root(&u),
	   "another device's uevent: not sched_ext");
	ok(!kt_uevent_parse(UEV("add@/kernel/sched_ext/root/sub/x\0"), &u) &&
		   !kt_uevent_is_scx_root(&u),
	   "a sub-scheduler is not the root");
	ok(kt_uevent_parse(UEV("libudev\0\xfe\xed\xca\xfe"), &u), "libudev message rejected");
	ok(kt_uevent_parse(UEV("@/x\0"), &u) && kt_uevent_parse(UEV("add@\0"), &u) &&
		   kt_uevent_parse("", 0, &u),
	   "empty action, empty path, empty datagram rejected");
	ok(!kt_uevent_parse(UEV("add@/kernel/sched_ext/root\0SEQNUM=12x\0=\0junk\0"), &u) &&
		   u.seqnum == 0,
	   "bad SEQNUM and junk variables ignored");
}

static void test_uevent_steps(void)
{
	struct kt_scxtrig t = {0};
	struct kt_uevent add, rm;

	kt_uevent_parse(UEV("add@/kernel/sched_ext/root\0SCXOPS=first\0"), &add);
	kt_uevent_parse(UEV("remove@/kernel/sched_ext/root\0"), &rm);
	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 5, 1), "disabled at arming, enable_seq 5");
	is_int(kt_scxtrig_uevent_step(&t, &add, KT_SCX_ENABLED, 5, 2), KT_SCXTRIG_ENABLE,
	       "add before the kernel bumped enable_seq: armed");
	ok(t.armed && t.enabled_ns == 2 && !strcmp(t.name, "first"), "armed at 2, named by SCXOPS");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 6, 3), "the bump to 6 is its own, not an exit");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 6, 4), "still enabled");
	is_int(kt_scxtrig_uevent_step(&t, &rm, KT_SCX_DISABLED, 6, 5), KT_SCXTRIG_EXIT,
	       "remove fires");
	ok(t.exit_ns == 5 && !t.armed, "at 5, unarmed");
	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 6, 6), "the poll after it does not fire again");
	is_int(kt_scxtrig_uevent_step(&t, &rm, KT_SCX_DISABLED, 6, 7), 0, "nor a second remove");
	/* the bump already done when the state is read */
	is_int(kt_scxtrig_uevent_step(&t, &add, KT_SCX_ENABLED, 7, 8), KT_SCXTRIG_ENABLE,
	       "add after the bump: armed");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 7, 9), "no move: no fire");
	ok(kt_scxtrig_step(&t, KT_SCX_ENABLED, 8, 10), "a move after that is an exit + enable");
	/* the poll saw it enabled first, then its add arrives */
	t = (struct kt_scxtrig){0};
	ok(!kt_scxtrig_step(&t, KT_SCX_DISABLED, 5, 1) &&
		   !kt_scxtrig_step(&t, KT_SCX_ENABLED, 5, 2),
	   "poll arms before the add and the bump");
	is_int(kt_scxtrig_uevent_step(&t, &add, KT_SCX_ENABLED, 5, 3), KT_SCXTRIG_ENABLE,
	       "its add: the same scheduler, no exit");
	ok(t.enabled_ns == 2, "armed time kept from the poll");
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 6, 4), "then its bump is not an exit");
	/* a remove lost: the next add fires the old one first */
	is_int(kt_scxtrig_uevent_step(&t, &add, KT_SCX_ENABLED, 7, 5),
	       KT_SCXTRIG_EXIT | KT_SCXTRIG_ENABLE,
	       "a second add: the missed exit fires, re-armed");
	ok(t.armed && t.fires == 1, "armed, one exit");
	/* enabled and already gone when the state is read */
	t = (struct kt_scxtrig){0};
	is_int(kt_scxtrig_uevent_step(&t, &add, KT_SCX_DISABLED, 1, 1), KT_SCXTRIG_ENABLE,
	       "add read back as disabled still arms");
	is_int(kt_scxtrig_uevent_step(&t, &rm, KT_SCX_DISABLED, 1, 2), KT_SCXTRIG_EXIT,
	       "and its remove fires");
	is_int(kt_scxtrig_uevent_step(
		       &t, &(struct kt_uevent){.action = KT_UEV_ADD, .devpath = "/devices/x"},
		       KT_SCX_ENABLED, 2, 3),
	       0, "another kobject's add: nothing");
}

/*
 * The kernel bumps enable_seq after the state reads enabled (ext.c,
 * scx_root_enable_workfn): a poll during enabling sees the old count, the
 * next one the scheduler's own bump.  With the root kobject known, that is
 * no exit; another kobject is.
 */
static void test_own_bump(void)
{
	struct kt_scxtrig t = {0};

	ok(!kt_scxtrig_step_id(&t, KT_SCX_DISABLED, 5, 0, 1), "disabled, seq 5");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_ENABLING, 5, 100, 2) && t.armed, "enabling: armed");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_ENABLED, 5, 100, 3), "enabled, not counted yet");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_ENABLED, 6, 100, 4), "its own enable_seq bump: no exit");
	is_int(t.fires, 0, "nothing fired");
	ok(kt_scxtrig_step_id(&t, KT_SCX_ENABLED, 7, 101, 5) && t.exit_ns == 5,
	   "another root kobject while enabled: the exit between two looks");
	ok(t.armed && t.armed_id == 101, "armed on the new one");
	ok(kt_scxtrig_step_id(&t, KT_SCX_ENABLED, 7, 102, 6),
	   "a new kobject, enable_seq not bumped yet: still an exit");
	ok(kt_scxtrig_step_id(&t, KT_SCX_DISABLING, 8, 102, 7), "leaving enabled fires");
	is_int(t.fires, 3, "three exits");
	/* another source fired first: the own bump does not re-arm */
	ok(!kt_scxtrig_step_id(&t, KT_SCX_DISABLED, 8, 0, 8), "disabled");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_ENABLING, 8, 103, 9) && t.armed, "armed");
	ok(kt_scxtrig_fire(&t, 10), "tracepoint source fires");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_ENABLED, 9, 103, 11) && !t.armed,
	   "its own bump after that: not armed again");
	ok(!kt_scxtrig_step_id(&t, KT_SCX_DISABLED, 9, 0, 12), "nor fired again");
	/* without the kobject: enable_seq decides, as before */
	ok(!kt_scxtrig_step(&t, KT_SCX_ENABLED, 10, 13) && t.armed, "unknown kobject: armed");
	ok(kt_scxtrig_step(&t, KT_SCX_ENABLED, 11, 14), "and enable_seq moving fires");
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
	ok(t.root_id != 0, "the root kobject's inode is read");
	put(dir, "enable_seq", "8\n");
	ok(!kt_scxtrig_poll(&t), "enable_seq bumped, same root kobject: no fire");
	/* a new root directory (made before the old one goes: another inode) */
	snprintf(p, sizeof(p), "%s/sys/kernel/sched_ext/root.new", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p),
		 "rm -rf '%s/sys/kernel/sched_ext/root' && mv '%s/sys/kernel/sched_ext/root.new' "
		 "'%s/sys/kernel/sched_ext/root'",
		 dir, dir, dir);
	ok(system(p) == 0, "a new root kobject");
	put(dir, "root/ops", "scx_next\n");
	ok(kt_scxtrig_poll(&t) == 1, "another root kobject while enabled: fires");
	is_str(t.name, "scx_next", "the new scheduler's name");
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
	test_own_bump();
	test_uevent_parse();
	test_uevent_steps();
	test_fixture();
	return tap_done();
}
