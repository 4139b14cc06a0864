/*
 * render.h -- the mustache template engine of folio.
 *
 * A render_set holds named templates (pages, partials, layouts), each
 * parsed once into a tree when it is added; render_run then renders any of
 * them many times against a jansson JSON context.  The engine follows the
 * mustache specification (comments, delimiters, interpolation, inverted
 * sections, partials, sections and the optional ~inheritance module: parent
 * tags {{<parent}} and blocks {{$block}}); lambdas are not supported.
 *
 * Choices the specification leaves open:
 *   - {{x}} escapes & < > " and ' (as &#39;); {{{x}}} and {{&x}} do not.
 *   - false, null, a missing name, "", 0 and [] are falsy; {} is truthy.
 *   - numbers interpolate in their shortest round-trip form (1.21, 85),
 *     true and false as "true" and "false", null, objects and arrays as "".
 *   - a missing partial or parent renders as the empty string.
 *
 * Thread safety: a set is not modified by render_run, so any number of
 * threads may render from one set at once, as long as none of them adds
 * templates or changes limits meanwhile.
 */
#ifndef FOLIO_RENDER_H
#define FOLIO_RENDER_H

#include <stddef.h>

#include "util/util.h"

/* jansson's JSON value; declared here (C11 allows the repeated typedef) so
 * that callers need not include <jansson.h> unless they build contexts. */
typedef struct json_t json_t;

struct render_set;

/* Bounds on one render_run, so that a runaway template ends with a located
 * error instead of a stack overflow, a hang or an exhausted memory. */
struct render_limits {
	int max_depth;            /* nested sections, partials, parents and
	                             blocks; default 200 */
	size_t max_output;        /* bytes one render_run may append to out;
	                             default 256 MiB */
	unsigned long max_steps;  /* template nodes one render_run may visit;
	                             default 100 million */
};

/* A new empty set; render_set_free frees it. */
struct render_set *render_set_new(void);

/* Replaces the set's limits (see struct render_limits; a 0 field keeps the
 * default). */
void render_set_limits(struct render_set *s, const struct render_limits *l);

/* Parses len bytes of text as the template `name` (copied; the text need
 * not stay alive).  path is the file named in diagnostics (NULL: the name).
 * A template of the same name is replaced.  On a syntax error appends
 * "path:line:col: error: render: message" to d, leaves the set unchanged
 * and returns -1; returns 0 on success. */
int render_set_add(struct render_set *s, const char *name, const char *path,
    const char *text, size_t len, struct diags *d);

/* Adds every *.mustache and *.html file directly in folder dir, named by
 * its file name without the extension ("page.html" is the template
 * "page"), in file-name order.  Returns 0, or -1 after appending a
 * diagnostic for each file that could not be read or parsed (the others are
 * still added) or for two files that give the same name. */
int render_set_load_dir(struct render_set *s, const char *dir,
    struct diags *d);

/* 1 when the set holds a template of that name, else 0. */
int render_set_has(const struct render_set *s, const char *name);

/* Renders template `name` with ctx as the context stack's root and appends
 * the result to out.  Returns 0, or -1 with a diagnostic (no such template,
 * or a limit of render_limits exceeded, located at the tag that exceeded
 * it); on failure out is left as it was. */
int render_run(const struct render_set *s, const char *name,
    const json_t *ctx, struct buf *out, struct diags *d);

/* Frees the set and every template in it; NULL is accepted. */
void render_set_free(struct render_set *s);

#endif
