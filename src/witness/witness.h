/*
 * witness.h -- code witnesses: compile a page's ```c witness=NAME blocks in
 * memory with libtcc against the flow library, run each in a sandboxed
 * child, and compare what it prints with the ```output block after it.
 *
 * Divisions:
 *   options and items   what the caller fills in, what comes back
 *   running             witness_run_all (fork, libtcc, limits, parallel jobs)
 *   comparing           witness_compare (exact, tol=, "..." lines, diff)
 *   cache key           witness_cache_key
 *
 * A witness sees only folio's prelude (stdio, stdlib, string, math,
 * stdint, stdbool, stddef, stdarg, limits, float, inttypes, ctype, assert)
 * and flow.h, found in opts->include_dir and opts->flow_dir, never the
 * system headers; only the functions those headers declare are linked in.
 */
#ifndef FOLIO_WITNESS_H
#define FOLIO_WITNESS_H

#include <stddef.h>

#include "util/util.h"

/* ---- options and items */

/* Defaults used for a zero field of struct witness_opts. */
#define WITNESS_DEFAULT_TIMEOUT_MS 2000
#define WITNESS_DEFAULT_CPU_S 2
#define WITNESS_DEFAULT_MEMORY_MB 256
#define WITNESS_DEFAULT_OUTPUT_KB 64
/* Where Debian's tcc package keeps libtcc1.a, tcc's own runtime helpers
 * (64-bit conversions, va_arg, alloca). */
#define WITNESS_DEFAULT_TCC_LIB "/usr/lib/x86_64-linux-gnu/tcc/libtcc1.a"

struct witness_opts {
	const char *include_dir; /* the prelude: src/witness/include in the
	                            build tree, $(PREFIX)/share/folio/witness/
	                            include when installed; required */
	const char *flow_dir;    /* folder holding flow.h, or NULL when
	                            include_dir has it (the installed layout) */
	const char *tcc_lib;     /* libtcc1.a, or NULL for the default */
	int timeout_ms;          /* wall clock per witness, compile included */
	int cpu_s;               /* RLIMIT_CPU per witness */
	int memory_mb;           /* address space a witness may add */
	int output_kb;           /* cap on stdout plus stderr */
	int jobs;                /* witnesses run at once; 0 means 1 */
	int filter_per_runner;   /* 1: each runner installs its own
	                            system-call filter even where one for all
	                            would do (host/sandbox.c); for tests */
};

enum witness_status {
	WITNESS_PENDING,         /* not run (yet) */
	WITNESS_PASS,            /* ran, exit status 0, output matched */
	WITNESS_COMPILE_ERROR,   /* libtcc rejected it (or a symbol is missing) */
	WITNESS_RUNTIME_ERROR,   /* non-zero exit status or killed by a signal */
	WITNESS_TIMEOUT,         /* over the wall-clock or CPU limit */
	WITNESS_OUTPUT_LIMIT,    /* printed more than output_kb */
	WITNESS_MISMATCH,        /* ran fine, printed something else */
	WITNESS_SYSTEM_ERROR,    /* pipe or fork failed: not the witness's fault */
};

struct witness_item {
	/* in: borrowed, must outlive the call */
	const char *path;        /* the .md file, for diagnostics */
	const char *name;        /* NAME of ```c witness=NAME */
	const char *code;        /* the program text */
	int code_line;           /* .md line of the first code line */
	const char *expected;    /* the ```output block's text */
	int expected_line;       /* .md line of its first line */
	double tol;              /* output tol=X, when has_tol */
	int has_tol;
	/* out: owned by the item, freed by witness_item_clear */
	int status;              /* enum witness_status */
	int exit_code;           /* exit status, or 128 + signal */
	char *stdout_text;       /* what it printed (NULL if it did not run) */
	int stdout_nul;          /* what it printed holds a NUL byte, which
	                            would end the text where it stands */
	char *stderr_text;
	double ms;               /* its compile, then its run: from its image
	                            going to a runner until the runner has
	                            closed its output */
};

/* Frees the out fields of it and sets status back to WITNESS_PENDING.
 * Accepts NULL. */
void witness_item_clear(struct witness_item *it);

/* ---- running */

/* Runs the n items, up to o->jobs at a time, each compiled by a compile
 * server and run in its own forked child under the limits of o (run.c
 * tells how), and fills in their out fields.  Every
 * failure appends one error to d, located in the .md file:
 *   compile error   at the offending line of the code ("does not compile:")
 *   runtime error   at the first code line ("timed out after 2000 ms",
 *                   "was killed by signal 11 (Segmentation fault)",
 *                   "exited with status 3", "output exceeds 64 KiB"),
 *                   its stderr as the diagnostic's detail
 *   mismatch        at the first differing line of the output block, with
 *                   a unified diff (expected vs actual) as detail
 * Compiler warnings become warnings.  Returns 0 when every item passed, -1
 * otherwise.  Flushes stdio before forking.  Not reentrant. */
int witness_run_all(const struct witness_opts *o, struct witness_item *items,
    size_t n, struct diags *d);

/* ---- comparing */

/* Compares a witness's actual output with its expected output:
 *   - lines end at "\n"; a "\r" before it and trailing blanks (spaces, tabs)
 *     of each line are dropped, and so are empty lines at the end;
 *   - a line that is exactly "..." in expected matches any number (zero or
 *     more) of actual lines;
 *   - without has_tol, other lines must be equal; with has_tol, each line is
 *     cut into numbers ([+-]digits[.digits][e[+-]digits], "nan", "inf") and
 *     the text between them: the text must be equal, and numbers a, b match
 *     when |a-b| <= tol or |a-b| <= tol * max(|a|,|b|).
 * Returns 1 when they match.  Returns 0 when they differ: *bad_line (if not
 * NULL) gets the 0-based index of the first expected line that differs (the
 * number of expected lines when actual goes on past its end), and *diff (if
 * not NULL) a fresh unified diff "--- expected" / "+++ actual" that the
 * caller frees. */
int witness_compare(const char *expected, const char *actual, double tol,
    int has_tol, size_t *bad_line, char **diff);

/* ---- cache key */

/* Writes to hex the SHA-256 (64 lowercase hex digits and a NUL) of
 * everything a witness's verdict depends on: its code, its expected output,
 * its comparison options, the flow library's source hash, the prelude's
 * hash, folio's version, and (when o is not NULL) the limits timeout_ms,
 * cpu_s, memory_mb and output_kb, since a tighter limit may fail a witness
 * that passed. */
void witness_cache_key(const struct witness_opts *o,
    const struct witness_item *it, char hex[65]);
/* The SHA-256 of the flow library's sources (src/flow, .c and .h) at
 * build time. */
const char *witness_flow_hash(void);

/* ---- symbols */

/* Returns 1 when name is a function or object a witness may link against
 * (the prelude's and flow.h's), 0 otherwise.  For tests and tools. */
int witness_symbol_known(const char *name);

#endif
