/* SPDX-License-Identifier: MIT */
/*
 * Reading a failure bundle (lib/bundle.h) for `capture report`: a
 * directory, or its FILE.tar.gz (inflated through zlib into a private
 * temporary directory that kt_bundle_free removes).
 *
 * Tolerant by design: a missing part, a truncated or malformed file, a
 * schema this ktbox does not know, each becomes one note in ->notes
 * ("FILE: what is wrong") and the rest is read.  Every file is read with a
 * size cap, so a bundle never makes the reader use unbounded memory.  Each
 * part is parsed by the code of the applet that writes it: hostctx pair
 * (hc_pair_from_json), kmsgscx events JSON (mapped onto struct scx_event),
 * the symbol table (kt_ksyms_parse; the [bpf] lines' fifth column, the JIT
 * size, through kt_ksyms_set_bpf_size), the timeline capture file
 * (tl_file_parse), the bpfdump ring (kt_snapring_show).
 */
#ifndef KT_BUNDLE_READ_H
#define KT_BUNDLE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "bundle.h"
#include "hostctx.h"
#include "jsonr.h"
#include "scxexit.h"
#include "timeline.h"

struct kt_ksyms;

/* Caps on what one file may hold (a larger file is read up to the cap and
 * noted as cut, or refused where a prefix is useless). */
#define KT_BUNDLE_MAX_JSON (64u << 20)
#define KT_BUNDLE_MAX_TEXT (64u << 20)
#define KT_BUNDLE_MAX_TIMELINE (2ull << 30)
#define KT_BUNDLE_MAX_TAR (4ull << 30) /* inflated bytes of a .tar.gz */

struct kt_btime {
	bool has;
	uint64_t real_ns, mono_ns;
};

struct kt_bpart {
	bool listed; /* the manifest names the part */
	enum kt_part_status status;
	const char *reason; /* in the manifest tree, or NULL */
	uint64_t bytes;
};

struct kt_bundle {
	char *path;   /* as given */
	char *dir;    /* the directory read */
	char *tmpdir; /* the extraction directory of a .tar.gz (removed) */
	bool tar;
	/* manifest.json */
	bool has_manifest;
	struct jr_val man;
	char *man_text;
	uint64_t schema_version; /* 0: unknown */
	const char *ktbox_version, *mode, *end, *scheduler, *hostname, *release;
	bool interrupted;
	struct kt_btime armed, enabled, exit, written;
	bool has_exit_to_bundle;
	double exit_to_bundle_ms;
	struct kt_bpart parts[KT_PART_NR];
	/* summary.txt */
	char *summary; /* whole file; line 1 is the one-line account */
	/* hostctx.json / hostctx.diff */
	bool has_hc;
	struct hostctx hc_pre, hc_post;
	char *hc_diff; /* the saved diff text, when hostctx.json is unusable */
	/* events.json / backtrace.txt */
	struct scx_event *ev;
	size_t nev;
	char *backtrace;
	/* kmsg.txt (raw records) */
	char *kmsg;
	size_t kmsg_len;
	/* sched_ext.json */
	bool has_sx;
	struct jr_val sx;
	char *sx_text;
	/* kallsyms.txt */
	struct kt_ksyms *ksyms;
	size_t ksyms_bpf_sized;
	/* maps/: kt_snapring_show's text and JSON (parsed) */
	bool has_maps;
	struct kt_buf maps_text;
	struct jr_val maps;
	char *maps_json;
	/* timeline.ktl */
	bool has_tl;
	struct tl_file tl;
	bool has_trace; /* timeline.trace.json present */
	/* scheduler.stdout / scheduler.stderr */
	char *sched_out, *sched_err;
	char *sysrq_dump; /* dump.txt (now --dump), or NULL */
	/* what is missing or wrong, one line each */
	char **notes;
	size_t nnotes;
};

/*
 * Load PATH (a directory, or a .tar.gz).  0 with every readable part
 * loaded and the rest noted; -1 only when PATH itself cannot be read at
 * all (the error is in *B's first note and reported on stderr by the
 * caller).  Always call kt_bundle_free.
 */
int kt_bundle_load(struct kt_bundle *b, const char *path);
void kt_bundle_free(struct kt_bundle *b);
/* Whether the bundle's timeline file shrank while it was read (someone cut
 * it): what was rendered from it read zeros past the cut and is partial. */
bool kt_bundle_tl_shrunk(const struct kt_bundle *b);
/* Add a note (printf format). */
void kt_bundle_note(struct kt_bundle *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit event the report is about: the last exit, kernel origin
 * preferred over the scheduler's own report, never one user space wrote
 * into the kernel log (origin user); NULL when none. */
const struct scx_event *kt_bundle_exit(const struct kt_bundle *b);
/* The scheduler's exit report (origin scheduler), or NULL. */
const struct scx_event *kt_bundle_sched_exit(const struct kt_bundle *b);
/* The debug dump text: from the scheduler's output, the kernel log, or
 * the timeline's sched_ext_dump lines (in that order); into OUT with
 * *FROM naming the source.  false when there is none. */
bool kt_bundle_dump(const struct kt_bundle *b, struct kt_buf *out, const char **from);
/* The exit's monotonic time in ns from the manifest; 0 when it has none
 * (the timeline's own sched_ext exit record is then used, if any). */
uint64_t kt_bundle_exit_mono(const struct kt_bundle *b);
/* KEY of object O when it is a string, else NULL. */
const char *kt_bundle_jstr(const struct jr_val *o, const char *k);
/* " (part P STATUS: REASON)" when the manifest says why P is not ok, else "". */
void kt_bundle_why(const struct kt_bundle *b, unsigned part, struct kt_buf *out);
/* Part name ("hostctx", ...) and status name ("ok", ...). */
const char *kt_bundle_part_name(unsigned part);
const char *kt_bundle_status_name(enum kt_part_status s);

/* Read a .tar.gz image into DIR (pure over the compressed bytes: regular
 * files and directories only, names checked: no "..", no absolute paths;
 * at most KT_BUNDLE_MAX_TAR bytes inflated).  Returns the top directory
 * name's length in TOP (the archive's single top directory, or 0), 0 or
 * -1 with a reason in WHY. */
int kt_untar_gz(const void *gz, size_t n, const char *dir, char *top, size_t topsz, char *why,
		size_t whysz);

#endif
