// SPDX-License-Identifier: MIT
/* kallsyms: not implemented yet. */
#include "applets.h"
#include "err.h"

int kallsyms_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kt_errx("not implemented yet");
}
