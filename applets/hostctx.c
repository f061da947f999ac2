// SPDX-License-Identifier: MIT
/* hostctx: not implemented yet. */
#include "applets.h"
#include "err.h"

int hostctx_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return kt_errx("not implemented yet");
}
