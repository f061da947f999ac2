/* SPDX-License-Identifier: MIT */
/*
 * The one option parser.  GNU-style: short options bundle (-jp), take
 * their argument attached or next (-oFILE, -o FILE), long options take
 * --name=VALUE or --name VALUE, "--" ends options, and options may come
 * after operands (they are permuted, like GNU getopt): operands are
 * compacted, in order, to the front of argv.
 */
#ifndef KT_OPT_H
#define KT_OPT_H

struct kt_option {
	const char *name; /* long name without "--", or NULL */
	int key;	  /* short option char, or >= 256 for long-only */
	int has_arg;	  /* 0: flag, 1: requires an argument */
};

struct kt_getopt {
	int argc;
	char **argv;	    /* argv[0] is the program name */
	int ind;	    /* next argv index to look at */
	int npos;	    /* operands found so far (at argv[1..npos]) */
	int done;	    /* saw "--" */
	const char *bundle; /* rest of a short-option bundle */
	const char *arg;    /* argument of the option just returned */
	const char *opt;    /* the option text just returned, for errors */
};

void kt_getopt_init(struct kt_getopt *g, int argc, char **argv);
/*
 * Next option key; -1 when done (operands are then g->argv[1..g->npos],
 * see kt_operands); '?' after printing a usage error for an unknown
 * option or a missing argument (the caller returns KT_EXIT_USAGE).
 */
int kt_getopt(struct kt_getopt *g, const struct kt_option *opts);
/* After -1: operand count and vector (not including argv[0]). */
static inline int kt_noperands(const struct kt_getopt *g)
{
	return g->npos;
}
static inline char **kt_operands(const struct kt_getopt *g)
{
	return g->argv + 1;
}

/* Strict number parsing for option values: whole string, no sign unless
 * allowed, range-checked; integers are decimal or 0x-prefixed hex (never
 * octal); reals are decimal only.  Return 0 on success, -1 (errno EINVAL/ERANGE). */
int kt_parse_u64(const char *s, unsigned long long *out);
int kt_parse_double(const char *s, double *out);
/* Same, printing "option 'NAME': invalid value 'S'" on failure.  */
int kt_opt_u64(const struct kt_getopt *g, unsigned long long min, unsigned long long max,
	       unsigned long long *out);
int kt_opt_double(const struct kt_getopt *g, double min, double max, double *out);
/*
 * Durations: a decimal number of seconds with an optional unit, "ms", "s",
 * "m" or "h" ("1.5", "500ms", "2m"); never hex.  Into seconds.
 */
int kt_parse_seconds(const char *s, double *out);
int kt_opt_seconds(const struct kt_getopt *g, double min, double max, double *out);
/* Sizes in bytes: an integer with an optional binary suffix, K/M/G or
 * KiB/MiB/GiB ("256M", "64KiB"). */
int kt_parse_size(const char *s, unsigned long long *out);
int kt_opt_size(const struct kt_getopt *g, unsigned long long min, unsigned long long max,
		unsigned long long *out);

#endif
