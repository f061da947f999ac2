/* SPDX-License-Identifier: MIT */
/*
 * The BTF value renderer: bytes of a BTF type as JSON (bpftool's
 * btf_dumper conventions, valid JSON where bpftool 7.1 is not) or as
 * readable nested text.  Pure: (btf, type id, bytes, len) -> lib/json
 * writer or lib/buf.  Types come from libbpf's btf__* accessors.
 *
 * JSON conventions (bpftool btf_dumper):
 *   ints: numbers (signed per encoding), bool true/false, 128-bit as
 *   "0x.." strings, BTF_INT_CHAR as a one-character string; enums by
 *   enumerator name (the number when none matches); structs and unions
 *   as objects by member (a union shows every member over its bytes);
 *   arrays as arrays, except arrays of char that hold a NUL-terminated
 *   printable string, which are strings; pointers as unsigned numbers;
 *   typedefs and modifiers followed; VAR as {name: value}; DATASEC as
 *   {section: [{var: value}, ...]}.
 * Where bpftool 7.1 prints invalid JSON: bitfields are numbers (signed
 * when their base type is), floats are numbers (NaN/inf: null).
 *
 * Data shorter than the type, unsupported kinds and nesting deeper than
 * KT_BTFD_MAX_DEPTH render as "<...>" strings and make the call return
 * -1; the output stays well-formed either way.
 */
#ifndef KT_BTFDUMP_H
#define KT_BTFDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

struct btf;

#define KT_BTFD_MAX_DEPTH 24

/* 0, or -1 when part of the value could not be rendered. */
int kt_btf_json(struct jw *w, const struct btf *btf, uint32_t id, const void *data, size_t len);
/*
 * Text: scalars inline, structs "{" + one "name: value" line per member at
 * INDENT+1 tab-free two-space levels + "}", arrays of scalars inline.
 */
int kt_btf_text(struct kt_buf *b, const struct btf *btf, uint32_t id, const void *data, size_t len,
		int indent);

/*
 * A precompiled JSON plan for one (btf, type id, value length): the BTF is
 * walked once into a flat list of ops (pre-escaped keys and brackets as
 * literals, fixed-offset integers), so each value is rendered without
 * walking the BTF.  What depends on the bytes (enum names, char arrays as
 * strings, bitfields, floats, truncation markers) runs the renderer above
 * for that piece.  Output is byte-identical to kt_btf_json's, compact or
 * pretty (pretty writers take kt_btf_json).  NULL when out of memory; the
 * plan keeps BTF pointers: free it before the btf.
 */
struct kt_btf_plan;
struct kt_btf_plan *kt_btf_plan_new(const struct btf *btf, uint32_t id, size_t len);
int kt_btf_plan_json(struct jw *w, struct kt_btf_plan *p, const void *data);
/* The same for kt_btf_text at INDENT (pointers and enums by the renderer). */
struct kt_btf_plan *kt_btf_plan_new_text(const struct btf *btf, uint32_t id, size_t len,
					 int indent);
int kt_btf_plan_text(struct kt_buf *b, struct kt_btf_plan *p, const void *data);
/* The plan's bytes (compact JSON, or the text of a text plan) appended to B
 * in place (kt_buf_room); as kt_btf_plan_json/_text, without a separator. */
int kt_btf_plan_put(struct kt_buf *b, struct kt_btf_plan *p, const void *data);
void kt_btf_plan_free(struct kt_btf_plan *p);

/* Signed decimal digits without printf (hot paths of map dumps; unsigned:
 * jw_fmt_u64). */
size_t kt_fmt_i64(char *out, int64_t v); /* out: >= 21 bytes */

#endif
