// SPDX-License-Identifier: MIT
/* timeline: scheduler events from a BPF ring buffer (planned; the commands say so). */
#include "applets.h"
#include "cmd.h"
#include "err.h"

static const char intro[] =
"Scheduler events (switches, wakeups, migrations, sched_ext exits) from a\n"
"BPF ring buffer: record to a file, dump, report like perf sched\n"
"timehist, export for Perfetto, and a flight recorder written when the\n"
"scheduler exits.  Not implemented yet: every command says so and exits 1.\n";

static const struct kt_option opts[] = { KT_OPT_OUT, KT_OPT_END };

static int planned(struct kt_cmdline *cl)
{
	return kt_errx("%s: not implemented yet", cl->cmd->name);
}

static const struct kt_cmd cmds[] = {
	{ "record", planned, opts, "", "record events to a file (planned)", NULL, 0, -1, 0 },
	{ "dump", planned, opts, "FILE", "one event per line (planned)", NULL, 0, -1, 0 },
	{ "report", planned, opts, "FILE", "latency and run-time figures (planned)", NULL, 0, -1,
	  0 },
	{ "export", planned, opts, "FILE", "Chrome trace-event JSON (planned)", NULL, 0, -1, 0 },
	{ 0 },
};

static const struct kt_cmdset set = { "timeline", intro, cmds, NULL, };

int timeline_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
