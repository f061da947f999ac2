// SPDX-License-Identifier: MIT
/*
 * The readers of mangled logs (issue 13): the idle fast path of the exit
 * extractor must give exactly what parsing every line gives, whatever the
 * text and wherever the read chunks end; and the prefix-shape matcher
 * stays inside its line.  Byte 0 picks the chunk size (1..64), bytes
 * 1..16 double as a prefix shape.  Each vector width of the scan is run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "kmsg.h"
#include "scxexit.h"

static void on_ev(const struct scx_event *ev, void *arg)
{
	struct jw w;

	jw_init_buf(&w, arg, 0);
	scx_event_json(&w, ev);
	kt_buf_putc(arg, '\n');
}

static void on_line(char *line, size_t len, void *arg)
{
	scx_parser_feed(arg, line, len);
}

static size_t on_skip(void *arg, const char *data, size_t n)
{
	return scx_parser_skip(arg, data, n, NULL);
}

/* Events (JSON) and the line count of TEXT, fed in chunks of STEP. */
static void run(struct kt_buf *out, const char *text, size_t len, size_t step, bool fast)
{
	struct scx_parser p;
	struct kmsg_splitter sp;
	char *copy = malloc(len + 1);

	if (!copy)
		abort();
	memcpy(copy, text, len);
	scx_parser_init(&p, on_ev, out);
	p.parse_all = !fast;
	if (kmsg_split_init(&sp, 256, on_line, &p))
		abort();
	if (fast)
		sp.skip = on_skip;
	for (size_t i = 0; i < len; i += step)
		kmsg_split_feed_inplace(&sp, copy + i, len - i < step ? len - i : step);
	kmsg_split_finish(&sp);
	scx_parser_flush(&p);
	kt_buf_printf(out, "lines %llu\n", (unsigned long long)p.nline);
	scx_parser_free(&p);
	kmsg_split_free(&sp);
	free(copy);
}

static int best = -1; /* the widest scan this CPU has */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_buf a = { 0 }, b = { 0 };
	const char *t = (const char *)data;
	size_t step, sl, r;

	if (size < 2 || size > 8192)
		return 0;
	step = (size_t)(data[0] & 63) + 1;
	sl = size - 1 < 16 ? size - 1 : 16;
	r = scx_shape_strip(t + 1, sl, t + 1, size - 1);
	if (r != (size_t)-1 && r > size - 1)
		abort();
	r = scx_shape_strip(t + 1, sl, t + 1 + sl, size - 1 - sl);
	if (r != (size_t)-1 && r > size - 1 - sl)
		abort();
	run(&a, t + 1, size - 1, size, false);
	/* every vector width of the idle scan the CPU has (bytewise, SSE2,
	 * AVX2, AVX-512 VBMI) gives the same */
	if (best < 0) {
		scx_simd = -1;
		scx_parser_skip(&(struct scx_parser){0}, "", 0, NULL);
		best = scx_simd;
	}
	for (int lvl = 0; lvl <= best; lvl++) {
		scx_simd = lvl;
		b.len = 0;
		run(&b, t + 1, size - 1, step, true);
		if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len))) {
			if (getenv("FUZZ_SCXFAST_SHOW"))
				fprintf(stderr,
					"full:\n%.*s\nfast (chunks of %zu, simd %d):\n%.*s\n",
					(int)a.len, a.p, step, lvl, (int)b.len, b.p);
			abort();
		}
	}
	kt_buf_free(&a);
	kt_buf_free(&b);
	return 0;
}
