// SPDX-License-Identifier: MIT
/* kmsgscx: not implemented yet. */
#include "applets.h"
#include "err.h"

int kmsgscx_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kt_errx("not implemented yet");
}
