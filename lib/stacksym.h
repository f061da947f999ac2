/* SPDX-License-Identifier: MIT */
/*
 * Stack-trace tokens in one line of kernel output.  Pure functions over a
 * (line, len) buffer that need not be NUL-terminated; no allocation.
 *
 * A symbol token is the kernel's %pS form:
 *     NAME+0xOFF/0xSIZE[ [MODULE]]    or    NAME+0xOFF/0xSIZE[ [MODULE BUILDID]]
 * NAME is [A-Za-z0-9_.$]+ (so "link_path_walk.part.0.constprop.0" is one
 * name; ':' ends it, so "RIP: 0010:foo+0x1/0x2" yields "foo"); OFF and SIZE
 * are 1..16 hex digits and the token must not run on into more name
 * characters.  The module is taken only from " [" right after SIZE up to
 * "]" (or to the space before a build id).  Trailing text (" (file:line)")
 * is ignored.  "? " just before the name marks an unreliable frame.  BPF
 * programs print as bpf_prog_<16 hex tag>_<name> with no module.
 *
 * An address token is a kernel address as stack dumps print it:
 * "[<ffffffff81234567>]", "0xffffffff81234567" or a bare run of hex
 * digits, 8 to 16 digits long, delimited by non-alphanumeric bytes.
 */
#ifndef KT_STACKSYM_H
#define KT_STACKSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_stacksym {
	const char *name; /* points into the line */
	size_t name_len;
	uint64_t off;
	uint64_t size;
	const char *module; /* NULL when there is no " [module]" */
	size_t module_len;
	size_t start, end; /* byte span of the whole token in the line */
	bool unreliable;   /* preceded by "? " */
};

/*
 * Find the next symbol token at or after *pos.  Returns true and fills
 * *sym, leaving *pos just past it; false when there is none.
 */
bool kt_stacksym_next(const char *line, size_t len, size_t *pos, struct kt_stacksym *sym);

/*
 * extract_stack_symbols: every token of a line, in order.  Fills up to MAX
 * entries and returns the total count.
 */
size_t kt_stacksym_extract(const char *line, size_t len, struct kt_stacksym *out, size_t max);

/*
 * Split a BPF program symbol "bpf_prog_<16 hex>_<name>": true with the
 * tag and program name (pointers into NAME), false for other names.
 */
bool kt_stacksym_bpf_prog(const char *name, size_t len, const char **tag, const char **prog,
			  size_t *prog_len);

struct kt_addrtok {
	uint64_t addr;
	size_t start, end; /* span of the whole token, brackets/0x included */
	int digits;	   /* hex digits in the address */
};

/* Next address token at or after *pos, as kt_stacksym_next(). */
bool kt_addrtok_next(const char *line, size_t len, size_t *pos, struct kt_addrtok *tok);
/* An address token starting exactly at I, which the caller knows to be a
 * token boundary (the line's start, or after a blank). */
bool kt_addrtok_at(const char *line, size_t len, size_t i, struct kt_addrtok *tok);

#endif
