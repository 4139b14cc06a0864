/*
 * math.h -- typesetting TeX with KaTeX at build time.
 *
 * A math pool is a set of long-lived Node processes running
 * src/math/katex-worker.js.  math_pool_render hands them a batch of
 * formulas over pipes, several in flight per worker, and collects HTML
 * (KaTeX's 'htmlAndMathml' output) or KaTeX's parse error with the byte
 * offset it points at, read into memory the pool keeps and never copied
 * again.  Nothing falls back to client-side rendering: when
 * Node or KaTeX is missing, the pool is not created and the diagnostic says
 * what to run.
 *
 * Also here: the key of the math cache, and copying KaTeX's CSS and fonts
 * into the site.
 */
#ifndef FOLIO_MATH_H
#define FOLIO_MATH_H

#include <stddef.h>

#include "util/util.h"

struct math_opts {
	const char *node;        /* node executable (searched on PATH when it
	                            holds no '/'); NULL means "node" */
	const char *worker;      /* path of katex-worker.js */
	const char *katex_dir;   /* the node_modules/katex folder */
	const char *macros_json; /* site macros as a JSON object, or NULL */
	int workers;             /* processes to run, >= 1 (less means 1) */
};

/* A formula to render.  The html and error the pool gives are its own:
 * they stay valid until the next math_pool_render or math_pool_release on
 * the same pool, or math_pool_free. */
struct math_item {
	const char *tex;       /* in: the TeX, without delimiters */
	int display;           /* in: nonzero for display mode */
	const char *html;      /* out: the HTML on success, else NULL */
	const char *error;     /* out: KaTeX's message on failure, else NULL */
	size_t error_offset;   /* out: byte offset into tex that the error points at */
};

struct math_pool;

/* Starts o->workers KaTeX workers and waits until each has loaded KaTeX.
 * Returns NULL with one diagnostic (stage "math", no path) when node is
 * not found ("node not found; run `make deps`"), KaTeX is not installed in
 * o->katex_dir ("KaTeX not installed (DIR); run `npm ci`"), the worker
 * script is missing, the macros are not a JSON object, or a worker fails to
 * start.  The pool's renders are serialized by a lock, so threads may share
 * one pool, each keeping what it needs of its answers before the next
 * render.  Free with math_pool_free. */
struct math_pool *math_pool_new(const struct math_opts *o, struct diags *d);

/* Renders items[0..n) over the workers, pipelined: up to a window of
 * formulas is in flight per worker, and pipes are driven with poll and
 * non-blocking I/O so that a batch of any size cannot deadlock.  Every item
 * gets either html or error (a KaTeX error is the item's, not a failure of
 * the call, and adds no diagnostic: the caller knows the file and maps
 * error_offset to a line and column).  A worker that dies is restarted and
 * its formulas are sent again; when workers keep dying, or make no progress
 * for a minute, the call adds a system diagnostic and returns -1 (items not
 * done are left with html and error NULL).  Returns 0 otherwise. */
int math_pool_render(struct math_pool *p, struct math_item *items, size_t n,
    struct diags *d);

/* Tells pool p that the answers of its last render are no longer needed
 * (the items' html and error become invalid), so that it gives back their
 * memory but for a few megabytes, kept for the next render. */
void math_pool_release(struct math_pool *p);

/* Nonzero when pool p runs what o asks for (the same node, worker script,
 * KaTeX folder and macros; the number of workers may differ), so that a
 * caller that keeps a pool between builds (folio serve) may reuse it. */
int math_pool_fits(const struct math_pool *p, const struct math_opts *o);

/* KaTeX's version as reported by the running workers ("0.19.1"); owned by
 * the pool. */
const char *math_pool_katex_version(const struct math_pool *p);

/* Closes the workers' input, waits briefly for them to exit (then kills
 * them) and frees the pool.  NULL is fine. */
void math_pool_free(struct math_pool *p);

/* The math cache key: 64 hex digits of SHA-256 over the TeX, the display
 * flag, the macros (NULL is the same as "") and the KaTeX version, each
 * length-prefixed so that no two different tuples share a key. */
void math_cache_key(const char *tex, int display, const char *macros_json,
    const char *katex_version, char hex[65]);

/* Copies katex_dir/dist/katex.min.css to dest_dir/katex.min.css and
 * katex_dir/dist/fonts/ to dest_dir/fonts/ (the CSS refers to its fonts
 * as fonts/...), creating dest_dir.  Returns 0, or -1 with a diagnostic
 * ("KaTeX not installed (DIR); run `npm ci`" when the files are missing). */
int math_assets_copy(const char *katex_dir, const char *dest_dir,
    struct diags *d);

#endif
