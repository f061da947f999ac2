// SPDX-License-Identifier: MIT
/* bpfdump: live BPF maps and programs (planned; the commands say so). */
#include "applets.h"
#include "cmd.h"
#include "err.h"

static const char intro[] =
"Live BPF maps and programs through the bpf() syscall: list, typed dumps\n"
"(BTF), ring buffers and arenas read without side effects, and a snapshot\n"
"ring written when the sched_ext scheduler exits.  Not implemented yet:\n"
"every command says so and exits 1.\n";

static const struct kt_option opts[] = { KT_OPT_OUT, KT_OPT_END };

static int planned(struct kt_cmdline *cl)
{
	return kt_errx("%s: not implemented yet", cl->cmd->name);
}

static const struct kt_cmd cmds[] = {
	{ "list", planned, opts, "", "every map (planned)", NULL, 0, -1, 0 },
	{ "progs", planned, opts, "", "every program (planned)", NULL, 0, -1, 0 },
	{ "dump", planned, opts, "TARGET", "map contents, typed by BTF (planned)", NULL, 0, -1, 0 },
	{ "watch", planned, opts, "[TARGET]", "snapshot ring until the scheduler exits (planned)",
	  NULL, 0, -1, 0 },
	{ 0 },
};

static const struct kt_cmdset set = { "bpfdump", intro, cmds, NULL, };

int bpfdump_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
