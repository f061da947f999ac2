// SPDX-License-Identifier: MIT
/* timeline: not implemented yet. */
#include "applets.h"
#include "err.h"

int timeline_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kt_errx("not implemented yet");
}
