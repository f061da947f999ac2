// SPDX-License-Identifier: MIT
/* jemalloc is the allocator of the whole process (musl's malloc replaced). */
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"

extern int mallctl(const char *, void *, size_t *, void *, size_t) __attribute__((weak));

int main(void)
{
	size_t allocated = 0, sz = sizeof(allocated);
	uint64_t epoch = 1;
	void *p[64];

	if (!mallctl) {
		tap_skip("jemalloc not linked in this build (sanitizer build uses glibc malloc)");
		return tap_done();
	}
	for (int i = 0; i < 64; i++)
		p[i] = malloc(1000 + (size_t)i * 4096);
	ok(!mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch)), "epoch advances");
	ok(!mallctl("stats.allocated", &allocated, &sz, NULL, 0), "stats.allocated readable");
	ok(allocated >= 64 * 1000, "stats.allocated (%zu) counts our malloc()s", allocated);
	for (int i = 0; i < 64; i++)
		free(p[i]);
	const char *v;
	sz = sizeof(v);
	ok(!mallctl("version", &v, &sz, NULL, 0) && !strncmp(v, "5.3.0", 5), "jemalloc 5.3.0");
	return tap_done();
}
