/*
 * internal.h -- what the files of src/witness/ share; not for other stages.
 */
#ifndef FOLIO_WITNESS_INTERNAL_H
#define FOLIO_WITNESS_INTERNAL_H

#include "witness/witness.h"

/* One function or object a witness may link against. */
struct witness_symbol {
	const char *name;        /* as the prelude or flow.h declares it */
	const void *addr;        /* what tcc_add_symbol binds it to */
};
/* The table, in symbols.c; ends with {NULL, NULL}. */
extern const struct witness_symbol witness_symbols[];

/* Sets the child's resource limits and installs its system-call filter
 * (sandbox.c).  Called in the forked child just before it calls main: from
 * then on it may write to its open descriptors, allocate memory and exit,
 * nothing else. Returns 0, or -1 with errno set. */
int witness_sandbox_limits(const struct witness_opts *o);
int witness_sandbox_filter(void);

/* Cuts text into normalised lines (compare.c): "\r" and trailing blanks
 * dropped, trailing empty lines dropped.  *lines is an array of fresh
 * strings; witness_lines_free frees it. */
size_t witness_lines_split(const char *text, char ***lines);
void witness_lines_free(char **lines, size_t n);

/* What a finished child left behind (run.c), for witness_verdict. */
enum witness_kill {
	WITNESS_KILL_NONE,
	WITNESS_KILL_TIMEOUT,        /* past timeout_ms */
	WITNESS_KILL_OUTPUT,         /* past output_kb */
};
struct witness_run {
	int wstatus;                 /* from waitpid */
	enum witness_kill killed;    /* why the parent killed it, if it did */
	const char *ctl;             /* the control channel: "" (died before
	                                compiling ended), "C" + compiler
	                                messages each ending in NUL, "R" (ran),
	                                "F" + message (sandbox failed) */
	size_t ctl_len;
};

/* Sets it->status and it->exit_code from r and it->stdout_text, and
 * appends the diagnostics (verdict.c).  o has its defaults filled in. */
void witness_verdict(const struct witness_opts *o, struct witness_item *it,
    const struct witness_run *r, struct diags *d);

/* In a witness's child: the .md line of its first code line, less one,
 * so that a failed assert names the page's line (symbols.c). */
extern int witness_line_offset;

#endif
