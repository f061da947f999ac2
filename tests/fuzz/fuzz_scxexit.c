// SPDX-License-Identifier: MIT
/*
 * The exit extractor over arbitrary log text (small line cap so the
 * truncation path runs), with every event rendered as JSON and as
 * human text.  Events must be well formed: exits have a kind, frames a
 * symbol, no more frames or raw lines than the bounds.  The same text
 * through the dump's counter section reader: bounded, keys terminated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "scxexit.h"

static FILE *devnull;

static void on_ev(const struct scx_event *ev, void *arg)
{
	struct kt_buf b = {0};
	struct jw w;

	(void)arg;
	if (ev->type != SCX_EV_ENABLE && ev->type != SCX_EV_EXIT)
		abort();
	if (ev->type == SCX_EV_EXIT && !scx_kind_name(ev->kind))
		abort();
	if (ev->nbt > SCX_MAX_FRAMES || ev->nraw > SCX_MAX_RAW || !ev->nraw)
		abort();
	for (size_t i = 0; i < ev->nbt; i++)
		if (!ev->bt[i].symbol)
			abort();
	jw_init_buf(&w, &b, 0);
	scx_event_json(&w, ev);
	if (!b.p || b.p[0] != '{' || b.p[b.len - 1] != '}')
		abort();
	kt_buf_free(&b);
	scx_event_human(devnull, ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scx_counter k[4];
	size_t n;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (scx_parse_window((const char *)data, size, 512, on_ev, NULL) < 0)
		abort();
	n = scx_dump_counters((const char *)data, size, k, 4);
	if (n > 4)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!memchr(k[i].name, 0, sizeof(k[i].name)) || !k[i].name[0])
			abort();
	return 0;
}
