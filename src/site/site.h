/*
 * site.h -- the whole site: content/ and sources/ loaded, verified, and
 * rendered into the output folder.  The commands of main.c are thin
 * wrappers around these calls.
 *
 * Every call returns an exit status as DESIGN.md fixes it: 0 all verified,
 * 1 the content failed verification, 2 usage or system error; diagnostics
 * are appended to d for the caller to print.
 */
#ifndef FOLIO_SITE_H
#define FOLIO_SITE_H

#include "util/util.h"

struct math_pool;

enum site_format { SITE_FORMAT_TEXT, SITE_FORMAT_GITHUB, SITE_FORMAT_JSON,
	SITE_FORMAT_JUNIT };

struct site_opts {
	const char *dir;        /* the site folder (-C), "." by default */
	const char *out;        /* output folder; NULL: <dir>/build/site */
	const char *templates;  /* theme folder; NULL: <dir>/templates or the default */
	const char *share;      /* folio's own files (default templates, KaTeX); NULL: found beside the executable */
	int jobs;               /* parallel jobs; 0: the number of cores */
	int force;              /* ignore caches */
	int quiet;              /* no progress summary */
	int strict;             /* warnings are errors */
	int timings;            /* print each stage's wall time to stderr */
	enum site_format format;/* for check */
	const char *report;     /* check --output FILE, or NULL for stdout */
	struct math_pool **keep_math; /* serve: where the math step keeps its
	                            KaTeX workers from one build to the next;
	                            NULL: each build starts and stops its own */
};

/* folio build: verifies everything and writes the site.  The previous
 * output is replaced only when everything succeeded. */
int site_build(const struct site_opts *o, struct diags *d);
/* folio check: the same verification, no site written. */
int site_check(const struct site_opts *o, struct diags *d);
/* folio pin ID#CLAIM: prints the claim's current pin to stdout. */
int site_pin(const struct site_opts *o, const char *ref, struct diags *d);
/* folio new ID: writes content/<ID>.md with every section. */
int site_new_page(const struct site_opts *o, const char *id, struct diags *d);
/* folio serve: builds, serves the output on localhost:port and rebuilds
 * when content changes; pages reload themselves after a rebuild. */
int site_serve(const struct site_opts *o, int port, struct diags *d);

#endif
