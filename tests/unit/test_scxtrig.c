// SPDX-License-Identifier: MIT
/* The sched_ext exit trigger: transitions, enable_seq, sources, sysfs fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	kt_scxtrig_free(&t);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	ok(system(p) == 0, "fixture removed");
}

int main(void)
{
	test_parse();
	test_steps();
	test_uevent_parse();
	test_uevent_steps();
	test_fixture();
	return tap_done();
}
