// SPDX-License-Identifier: MIT
/* Kernel uevent datagrams  and the scheduler debug header
 * (the log clock): never read past the input, fields NUL-terminated,
 * a parsed add/remove names a path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scxtrig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);
	struct kt_uevent u;
	int64_t off;

	if (!s)
		return 0;
	memcpy(s, data, size);
	if (!kt_uevent_parse(s, size, &u)) {
		if (!u.devpath[0] || strnlen(u.devpath, sizeof(u.devpath)) == sizeof(u.devpath) ||
		    strnlen(u.scxops, sizeof(u.scxops)) == sizeof(u.scxops) ||
		    strnlen(u.subsystem, sizeof(u.subsystem)) == sizeof(u.subsystem))
			abort();
		if (kt_uevent_is_scx_root(&u) && strcmp(u.devpath, "/kernel/sched_ext/root"))
			abort();
	}
	(void)kt_logclock_parse(s, size, &off);
	free(s);
	return 0;
}
