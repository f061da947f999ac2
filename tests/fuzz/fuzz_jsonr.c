// SPDX-License-Identifier: MIT
/*
 * Strict JSON reader and the HostContext loader: any bytes in; an accepted
 * HostContext re-serialises to JSON that loads back to the same JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"
#include "jsonr.h"

static char *to_json(const struct hostctx *c)
{
	struct kt_buf b = { 0 };
	struct jw w;

	jw_init_buf(&w, &b, 0);
	hc_json(&w, c);
	return b.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostctx c, d, pre, post;
	struct jr_err e;
	struct jr_val v;
	char *a, *b;

	if (!jr_parse((const char *)data, size, &v, &e))
		jr_free(&v);
	else if (e.off > size)
		abort();
	if (!hc_pair_from_json((const char *)data, size, &pre, &post, &e)) {
		hc_free(&pre);
		hc_free(&post);
	}
	if (hc_from_json((const char *)data, size, &c, &e))
		return 0;
	a = to_json(&c);
	if (!a || hc_from_json(a, strlen(a), &d, &e))
		abort();
	b = to_json(&d);
	if (!b || strcmp(a, b))
		abort();
	{
		struct kt_buf o = { 0 };

		if (hc_diff(&o, &c, &d))
			abort();
		kt_buf_free(&o);
	}
	free(a);
	free(b);
	hc_free(&c);
	hc_free(&d);
	return 0;
}
