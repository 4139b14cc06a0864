/*
 * tmpl.h -- private to src/render: the compiled form of a template.
 *
 * parse.c turns a template's text into a tree of nodes (tmpl_parse); run.c
 * walks that tree against a JSON context; set.c keeps the named templates.
 * Text nodes point into the template's own copy of its source, so a tree
 * lives exactly as long as its struct tmpl.
 */
#ifndef FOLIO_RENDER_TMPL_H
#define FOLIO_RENDER_TMPL_H

#include <stddef.h>

#include "render/render.h"

#define RENDER_MAX_NEST 100      /* sections nested inside one template */

enum node_kind {
	N_TEXT,       /* literal text */
	N_VAR,        /* {{name}}, HTML-escaped */
	N_RAW,        /* {{{name}}} or {{&name}} */
	N_SECTION,    /* {{#name}}...{{/name}} */
	N_INVERTED,   /* {{^name}}...{{/name}} */
	N_PARTIAL,    /* {{>name}} */
	N_PARENT,     /* {{<name}}...{{/name}}; kids are its argument blocks */
	N_BLOCK,      /* {{$name}}...{{/name}}; kids are its default content */
};

/* How a parameter block (a block that is not an argument of a parent)
 * indents the content it expands, after the spec's whitespace rules. */
enum block_mode {
	BLOCK_INLINE,   /* not standalone: content goes in as it is */
	BLOCK_EOL,      /* standalone, opening tag ends its line: each line of
	                   the content gets `indent` (the intrinsic indentation) */
	BLOCK_INDENT,   /* standalone pair, content on the opening tag's line:
	                   lines after the first get `indent` (the tag's leading
	                   white space, which stays in the text before it) */
};

struct tmpl;

struct node {
	enum node_kind kind;
	int line, col;             /* 1-based position of the tag or text */
	const struct tmpl *owner;  /* the template the node comes from */
	const char *text;          /* N_TEXT: the bytes (in owner->src) */
	size_t len;                /* N_TEXT: their length */
	char *key;                 /* tag name as written ("a.b", "header") */
	const char **parts;        /* N_VAR..N_INVERTED: key split at dots;
	                              NULL for the implicit iterator "." */
	size_t nparts;
	char *partbuf;             /* storage of parts */
	struct node *kids;         /* body (see enum node_kind) */
	size_t nkids;
	const char *indent;        /* N_PARTIAL, N_PARENT, N_BLOCK: indentation
	                              (in owner->src) */
	size_t nindent;
	int standalone;            /* N_PARTIAL, N_PARENT: the tag stood alone on
	                              its line, so indent applies */
	enum block_mode mode;      /* N_BLOCK */
	int bol_after;             /* N_BLOCK: the closing tag's line ending was
	                              consumed, so what follows starts a line */
};

struct tmpl {
	char *name;        /* the name partials and parents refer to */
	char *path;        /* file for diagnostics */
	char *src;         /* NUL-terminated copy of the text */
	size_t len;
	struct node root;  /* root.kids: the top-level nodes */
};

/* Parses t->src (t->name, t->path set) into t->root.  Returns 0, or -1
 * after appending the first syntax error, located, to d. */
int tmpl_parse(struct tmpl *t, struct diags *d);

/* Frees the nodes under t->root (not t itself). */
void tmpl_nodes_free(struct node *n);

/* The template of the set named name, or NULL. */
const struct tmpl *render_set_find(const struct render_set *s,
    const char *name);

/* The name of the set's template closest to name (a plausible typo), or
 * NULL. */
const char *render_set_closest(const struct render_set *s, const char *name);

/* The limits in force (defaults filled in). */
const struct render_limits *render_set_get_limits(const struct render_set *s);

#endif
