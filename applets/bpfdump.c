// SPDX-License-Identifier: MIT
/* bpfdump: not implemented yet. */
#include "applets.h"
#include "err.h"

int bpfdump_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kt_errx("not implemented yet");
}
