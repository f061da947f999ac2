/* SPDX-License-Identifier: MIT */
/*
 * The one JSON reader: strict RFC 8259 (no trailing commas, comments,
 * NaN, leading zeros, raw control characters or invalid UTF-8; surrogate
 * escapes must pair; one document, whitespace around it only), into a
 * small tree.  Errors carry the byte offset.  Mapping a tree onto a C
 * struct is the caller's job (check types with jr_type_name in errors;
 * unknown keys are simply not looked up).
 *
 * Limits: nesting depth 128 (like serde_json); strings holding U+0000
 * are rejected (values become C strings).
 */
#ifndef KT_JSONR_H
#define KT_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jr_type {
	JR_NULL,
	JR_BOOL,
	JR_NUMBER,
	JR_STRING,
	JR_ARRAY,
	JR_OBJECT,
};

struct jr_member;

struct jr_val {
	enum jr_type type;
	size_t off; /* byte offset of the value */
	union {
		bool b;
		struct {
			bool is_u64; /* integer, no sign/fraction/exponent, fits */
			uint64_t u;
			double d;
		} num;
		struct {
			char *s; /* NUL-terminated, valid UTF-8 */
			size_t len;
		} str;
		struct {
			struct jr_val *v;
			size_t n;
		} arr;
		struct {
			struct jr_member *m; /* in document order */
			size_t n;
		} obj;
	};
};

struct jr_member {
	char *key;
	size_t key_off;
	struct jr_val val;
};

struct jr_err {
	size_t off;
	char msg[160];
};

/* 0, or -1 with *err filled (the tree is then empty). */
int jr_parse(const char *s, size_t n, struct jr_val *root, struct jr_err *err);
void jr_free(struct jr_val *v);

/* The member KEY of object OBJ (the last one if repeated), or NULL when
 * OBJ is not an object or has no such member. */
const struct jr_val *jr_get(const struct jr_val *obj, const char *key);
const char *jr_type_name(enum jr_type t);
/* Record an error at OFF; returns -1. */
int jr_fail(struct jr_err *err, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
