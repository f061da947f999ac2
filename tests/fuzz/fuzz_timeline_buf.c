// SPDX-License-Identifier: MIT
/*
 * Timeline record buffers: parse_buf, the iterator's text joining, the
 * time-sorted walk, the dumps, the report and the export must read any
 * bytes without crashing, and agree on how many events there are.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tl_report_opts o = { .top = 5, .last_per_cpu = 3 };
	struct tl_export_stats st;
	struct tl_events e;
	struct tl_sorted s;
	struct tl_event ev;
	struct tl_report *r;
	FILE *null = fopen("/dev/null", "w");
	struct jw w;
	size_t n = 0;
	uint32_t kind;
	const char *name;
	size_t nl;

	if (!null)
		return 0;
	/* the same bytes as a kernel log line: a kind found is one ktbox knows */
	if (!tl_kmsg_exit_kind((const char *)data, size, &kind, &name, &nl) &&
	    (!kind || name < (const char *)data || name + nl > (const char *)data + size))
		abort();
	if (parse_buf(data, size, &e))
		abort();
	if (e.tail != size % TL_RECORD_SIZE || e.n > size / TL_RECORD_SIZE)
		abort();
	for (size_t i = 0; i < e.n; i++)
		if (e.ev[i].text && (e.ev[i].text_len > TL_TEXT_MAX ||
				     strlen(e.ev[i].text) != e.ev[i].text_len))
			abort();
	if (!tl_sorted_init(&s, data, size)) {
		while (tl_sorted_next(&s, &ev))
			n++;
		tl_sorted_free(&s);
		if (n != e.n)
			abort();
	}
	if (tl_dump(null, data, size, false) != e.n || tl_dump(null, data, size, true) != e.n)
		abort();
	r = tl_report_build(data, size, &o);
	if (r) {
		tl_report_text(null, r);
		jw_init_file(&w, null, 0);
		tl_report_json(&w, r);
		tl_report_free(r);
	}
	tl_export_chrome(null, data, size, &o.f, &st);
	tl_events_free(&e);
	fclose(null);
	return 0;
}
