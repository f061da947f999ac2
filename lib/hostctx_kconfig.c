// SPDX-License-Identifier: MIT
/*
 * CONFIG_TASK_XACCT from kconfig text, streamed: whole trimmed lines
 * "CONFIG_TASK_XACCT=y" (on, wins wherever it is) and
 * "# CONFIG_TASK_XACCT is not set" (off); neither -> unknown.  Input that
 * is not UTF-8 (or holds NUL, see hc_utf8_valid) is unknown.  The scan stops
 * at the "on" line; "off" needs the whole text, because an "on" line
 * later would win.  Memory is bounded: one short line buffer.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "file.h"
#include "hostctx.h"
#include "text.h"

static const char xa_on[] = "CONFIG_TASK_XACCT=y";
static const char xa_off[] = "# CONFIG_TASK_XACCT is not set";

void hc_kconfig_init(struct hc_kconfig_scan *k)
{
	memset(k, 0, sizeof(*k));
	k->lead = true;
}

/* End of one line: classify it and reset. */
static enum hc_xacct end_line(struct hc_kconfig_scan *k)
{
	enum hc_xacct r = HC_XA_ABSENT;
	const char *t;
	size_t tn;

	if (!k->overflow) {
		t = hc_trim(k->line, k->len, &tn);
		if (tn == sizeof(xa_on) - 1 && !memcmp(t, xa_on, tn))
			r = HC_XA_ON;
		else if (tn == sizeof(xa_off) - 1 && !memcmp(t, xa_off, tn))
			k->seen_off = true;
	}
	k->len = 0;
	k->lead = true;
	k->overflow = false;
	return r;
}

enum hc_xacct hc_kconfig_feed(struct hc_kconfig_scan *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!c || kt_u8_step(&k->u8, c) < 0) {
			k->bad_utf8 = true;
			return HC_XA_UNKNOWN;
		}
		if (c == '\n') {
			if (end_line(k) == HC_XA_ON)
				return HC_XA_ON;
			continue;
		}
		if (k->lead && kt_is_space(c))
			continue;
		k->lead = false;
		if (k->len < sizeof(k->line))
			k->line[k->len++] = (char)c;
		else if (!kt_is_space(c))
			k->overflow = true;
	}
	return HC_XA_ABSENT;
}

enum hc_xacct hc_kconfig_finish(struct hc_kconfig_scan *k)
{
	if (k->bad_utf8 || k->u8.need)
		return HC_XA_UNKNOWN;
	if (end_line(k) == HC_XA_ON)
		return HC_XA_ON;
	return k->seen_off ? HC_XA_OFF : HC_XA_UNKNOWN;
}

enum hc_xacct hc_kconfig_text(const char *s, size_t n)
{
	struct hc_kconfig_scan k;
	enum hc_xacct r;

	hc_kconfig_init(&k);
	r = hc_kconfig_feed(&k, s, n);
	return r != HC_XA_ABSENT ? r : hc_kconfig_finish(&k);
}

/* ---- gzip ---------------------------------------------------------------- */

/*
 * A real kernel config is well under 1 MiB of text (about 300 KiB with
 * every module): past this, a gzip bomb in a --root tree costs no more.
 */
#define KCONFIG_MAX_TEXT (8u << 20)

struct gz_scan {
	z_stream zs;
	struct hc_kconfig_scan k;
	unsigned char out[4096];
	bool ended; /* end of the first gzip member */
};

static int gz_begin(struct gz_scan *g)
{
	memset(&g->zs, 0, sizeof(g->zs));
	hc_kconfig_init(&g->k);
	g->ended = false;
	return inflateInit2(&g->zs, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
}

/* Inflate IN; HC_XA_ABSENT = need more input (or ended). */
static enum hc_xacct gz_feed(struct gz_scan *g, const void *in, size_t n)
{
	enum hc_xacct r;
	int z;

	g->zs.next_in = (unsigned char *)in;
	g->zs.avail_in = (uInt)n;
	do {
		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof(g->out);
		z = inflate(&g->zs, Z_NO_FLUSH);
		if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR)
			return HC_XA_UNKNOWN;
		r = hc_kconfig_feed(&g->k, (char *)g->out, sizeof(g->out) - g->zs.avail_out);
		if (r != HC_XA_ABSENT)
			return r;
		if (g->zs.total_out > KCONFIG_MAX_TEXT)
			return HC_XA_UNKNOWN;
		if (z == Z_STREAM_END) {
			g->ended = true;
			return HC_XA_ABSENT;
		}
		if (z == Z_BUF_ERROR)
			break;
	} while (g->zs.avail_in || !g->zs.avail_out);
	return HC_XA_ABSENT;
}

/* After the last input: truncated streams are unknown. */
static enum hc_xacct gz_end(struct gz_scan *g)
{
	return g->ended ? hc_kconfig_finish(&g->k) : HC_XA_UNKNOWN;
}

enum hc_xacct hc_kconfig_gz(const void *gz, size_t n)
{
	struct gz_scan g;
	enum hc_xacct r;

	if (gz_begin(&g))
		return HC_XA_UNKNOWN;
	r = gz_feed(&g, gz, n);
	if (r == HC_XA_ABSENT)
		r = gz_end(&g);
	inflateEnd(&g.zs);
	return r;
}

enum hc_xacct hc_read_xacct(const char *root, const char *path)
{
	unsigned char in[4096];
	enum hc_xacct r = HC_XA_UNKNOWN;
	struct gz_scan g;
	ssize_t got;
	int fd = kt_open_ro(root, path);

	if (fd < 0)
		return HC_XA_UNKNOWN;
	if (gz_begin(&g))
		goto out_close;
	for (;;) {
		got = read(fd, in, sizeof(in));
		if (got < 0) {
			r = HC_XA_UNKNOWN; /* EISDIR, EIO */
			goto out;
		}
		if (got == 0) {
			r = gz_end(&g);
			goto out;
		}
		r = gz_feed(&g, in, (size_t)got);
		if (r != HC_XA_ABSENT || g.ended)
			break;
	}
	if (r == HC_XA_ABSENT)
		r = gz_end(&g);
out:
	inflateEnd(&g.zs);
out_close:
	close(fd);
	return r;
}
