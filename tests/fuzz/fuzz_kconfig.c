// SPDX-License-Identifier: MIT
/*
 * CONFIG_TASK_XACCT scan.  First byte picks the mode: even = text, where
 * the streamed verdict must not depend on how the input is split into
 * chunks; odd = gzip image (corrupt, truncated, anything).
 */
#include <stdint.h>
#include <stdlib.h>

#include "hostctx.h"

static enum hc_xacct chunked(const char *s, size_t n, size_t step)
{
	struct hc_kconfig_scan k;
	enum hc_xacct r;

	hc_kconfig_init(&k);
	for (size_t i = 0; i < n; i += step) {
		r = hc_kconfig_feed(&k, s + i, n - i < step ? n - i : step);
		if (r != HC_XA_ABSENT)
			return r;
	}
	return hc_kconfig_finish(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	enum hc_xacct r;

	if (!size)
		return 0;
	if (data[0] & 1) {
		r = hc_kconfig_gz(s, size - 1);
		if (r != HC_XA_ON && r != HC_XA_OFF && r != HC_XA_UNKNOWN)
			abort();
		return 0;
	}
	r = hc_kconfig_text(s, size - 1);
	if (r == HC_XA_ABSENT || chunked(s, size - 1, 1) != r ||
	    chunked(s, size - 1, 1 + data[0] / 2) != r)
		abort();
	return 0;
}
