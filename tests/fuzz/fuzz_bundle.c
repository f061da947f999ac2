// SPDX-License-Identifier: MIT
/*
 * capture report over damaged bundles: the first input byte picks a bundle
 * file, the rest becomes its content in an otherwise empty bundle (or the
 * whole .tar.gz); loading and the three renderers must never crash, and
 * must always end their output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_read.h"
#include "report.h"

static const char *const files[] = {
	KT_BUNDLE_MANIFEST,
	KT_BUNDLE_SUMMARY,
	KT_BUNDLE_HOSTCTX,
	KT_BUNDLE_EVENTS,
	KT_BUNDLE_KALLSYMS,
	KT_BUNDLE_SCHED_EXT,
	KT_BUNDLE_TIMELINE,
	KT_BUNDLE_KMSG,
	KT_BUNDLE_SCHED_ERR,
	KT_BUNDLE_MAPS "/manifest.json",
	KT_BUNDLE_MAPS "/map-1.jsonl",
	"bundle.tar.gz",
};

static char dir[64];

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return;
}

static void put(const char *name, const uint8_t *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/b/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fwrite(p, 1, n, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_report_opts o = {.width = 60, .md_limit = 4000};
	struct kt_bundle b;
	char path[256], cmd[128];
	unsigned k;
	FILE *null;

	if (!dir[0]) {
		strcpy(dir, "/tmp/fuzz_bundle.XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	if (!size)
		return 0;
	k = data[0] % (sizeof(files) / sizeof(files[0]));
	snprintf(cmd, sizeof(cmd), "rm -rf %s/b && mkdir -p %s/b/maps", dir, dir);
	if (system(cmd))
		abort();
	put(files[k], data + 1, size - 1);
	snprintf(path, sizeof(path), "%s/b%s", dir, k == 11 ? "/bundle.tar.gz" : "");
	null = fopen("/dev/null", "w");
	if (!kt_bundle_load(&b, path)) {
		if (kt_report_text(null, &b, &o) || kt_report_markdown(null, &b, &o) ||
		    kt_report_html(null, &b, &o))
			abort();
	}
	kt_bundle_free(&b);
	fclose(null);
	return 0;
}
