/*
 * run.c -- walks a compiled template against a JSON context.
 *
 * Divisions:
 *   values       name lookup on the context stack, truthiness, value text
 *   output       text and values into the buffer, with the indentation of
 *                standalone partials, parents and blocks
 *   nodes        one function per kind of node
 *   entry        render_run
 *
 * Nothing here writes to the set or its templates: every piece of state of
 * one rendering lives in a struct run on the caller's stack, and the
 * context stack, the indentation stack and the chain of parent arguments
 * are linked lists of stack frames.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/tmpl.h"

struct frame {                  /* the context stack, top first */
	const json_t *v;
	const struct frame *up;
};

struct indent {                 /* indentation, innermost first */
	const char *s;
	size_t n;
	const struct indent *up;
};

struct scope {                  /* parents being expanded, innermost first */
	const struct node *parent;
	const struct scope *up;
};

struct run {
	const struct render_limits *lim;
	const struct render_set *set;
	struct buf *out;
	size_t out0;                /* out->len when the run began */
	struct diags *d;
	const struct indent *ind;   /* indentation of the current expansion */
	int pending;                /* output is at a line start: indentation
	                               is owed before the next byte */
	int depth;                  /* nested sections and expansions */
	unsigned long steps;        /* nodes visited */
};

static int nodes_run(struct run *r, const struct node *kids, size_t n,
    const struct frame *f, const struct scope *sc);

/* ---- values */

/* The spec's name resolution: "." is the top of the stack; otherwise the
 * first part is looked up from the top of the stack down, and each further
 * part in the value found so far only. */
static const json_t *lookup(const struct frame *f, const struct node *n)
{
	if (!n->parts)
		return f ? f->v : NULL;
	const json_t *v = NULL;
	for (; f; f = f->up)
		if (json_is_object(f->v) &&
		    (v = json_object_get(f->v, n->parts[0])) != NULL)
			break;
	for (size_t i = 1; v && i < n->nparts; i++)
		v = json_is_object(v) ? json_object_get(v, n->parts[i]) : NULL;
	return v;
}

static int truthy(const json_t *v)
{
	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return 1;
	}
}

/* The text of a scalar: a pointer to it (in v or in tmp) and its length. */
static const char *value_text(const json_t *v, char tmp[40], size_t *len)
{
	*len = 0;
	if (!v)
		return "";
	switch (json_typeof(v)) {
	case JSON_STRING:
		*len = json_string_length(v);
		return json_string_value(v);
	case JSON_INTEGER:
		*len = (size_t)snprintf(tmp, 40, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return tmp;
	case JSON_REAL: {
		/* the shortest form that reads back as the same double */
		double x = json_real_value(v);
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(tmp, 40, "%.*g", prec, x);
			if (strtod(tmp, NULL) == x)
				break;
		}
		*len = strlen(tmp);
		return tmp;
	}
	case JSON_TRUE:
		*len = 4;
		return "true";
	case JSON_FALSE:
		*len = 5;
		return "false";
	default:
		return "";
	}
}

/* ---- output */

static void put_indent(struct buf *b, const struct indent *i)
{
	if (!i)
		return;
	put_indent(b, i->up);
	buf_put(b, i->s, i->n);
}

/* Template text: each line that starts here gets the indentation. */
static void put_text(struct run *r, const char *s, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t k = nl ? (size_t)(nl - s) + 1 : n;
		if (r->pending && r->ind)
			put_indent(r->out, r->ind);
		buf_put(r->out, s, k);
		r->pending = nl != NULL;
		s += k;
		n -= k;
	}
}

/* Data: indented where it starts a line, its own line breaks are not. */
static void put_value(struct run *r, const char *s, size_t n, int escape)
{
	if (n == 0)
		return;
	if (r->pending && r->ind)
		put_indent(r->out, r->ind);
	r->pending = 0;
	if (escape)
		html_escape(r->out, s, n);
	else
		buf_put(r->out, s, n);
}

static int fail(struct run *r, const struct node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends an error located at node n; returns -1. */
static int fail(struct run *r, const struct node *n, const char *fmt, ...)
{
	struct buf m = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	diags_add(r->d, DIAG_ERROR, n->owner->path, n->line, n->col, "render",
	    "%s", m.data ? m.data : "");
	buf_free(&m);
	return -1;
}

/* Counts a level of nesting for node n; -1 with an error past the limit. */
static int enter(struct run *r, const struct node *n, const char *what)
{
	if (r->depth >= r->lim->max_depth)
		return fail(r, n, "%s '%s' nested deeper than %d levels "
		    "(endless recursion?)", what, n->key, r->lim->max_depth);
	r->depth++;
	return 0;
}

/* ---- nodes */

static int section_run(struct run *r, const struct node *n,
    const struct frame *f, const struct scope *sc)
{
	const json_t *v = lookup(f, n);
	if (!truthy(v))
		return 0;
	if (enter(r, n, "section") < 0)
		return -1;
	int rc = 0;
	if (json_is_array(v)) {
		size_t i, len = json_array_size(v);
		for (i = 0; i < len && rc == 0; i++) {
			struct frame top = {json_array_get(v, i), f};
			rc = nodes_run(r, n->kids, n->nkids, &top, sc);
		}
	} else {
		struct frame top = {v, f};
		rc = nodes_run(r, n->kids, n->nkids, &top, sc);
	}
	r->depth--;
	return rc;
}

/* {{>name}} and {{<name}}...{{/name}}: the named template in place, with
 * the tag's indentation when it stood alone on its line, and (parents) the
 * tag's argument blocks in scope. */
static int expand(struct run *r, const struct node *n, const struct frame *f,
    const struct scope *sc)
{
	const struct tmpl *t = render_set_find(r->set, n->key);
	if (!t)
		return 0;
	if (enter(r, n, n->kind == N_PARENT ? "parent" : "partial") < 0)
		return -1;
	const struct indent *saved = r->ind;
	struct indent ind = {n->indent, n->nindent, saved};
	struct scope inner = {n, sc};
	r->ind = n->standalone ? &ind : NULL;
	r->pending = n->standalone;
	int rc = nodes_run(r, t->root.kids, t->root.nkids, f,
	    n->kind == N_PARENT ? &inner : sc);
	r->ind = saved;
	r->pending = n->standalone;
	r->depth--;
	return rc;
}

/* {{$name}}: the argument of that name given by the outermost parent
 * being expanded, else the block's own content. */
static int block_run(struct run *r, const struct node *n,
    const struct frame *f, const struct scope *sc)
{
	const struct node *body = n;
	for (const struct scope *s = sc; s; s = s->up)
		for (size_t i = 0; i < s->parent->nkids; i++)
			if (strcmp(s->parent->kids[i].key, n->key) == 0) {
				body = &s->parent->kids[i];
				break;
			}
	if (enter(r, n, "block") < 0)
		return -1;
	const struct indent *saved = r->ind;
	struct indent ind = {n->indent, n->nindent, saved};
	if (n->mode != BLOCK_INLINE)
		r->ind = &ind;
	if (n->mode == BLOCK_EOL)
		r->pending = 1;
	int rc = nodes_run(r, body->kids, body->nkids, f, sc);
	r->ind = saved;
	if (body != n)
		r->pending = n->bol_after;
	r->depth--;
	return rc;
}

static int nodes_run(struct run *r, const struct node *kids, size_t nkids,
    const struct frame *f, const struct scope *sc)
{
	char tmp[40];
	size_t len;
	for (size_t i = 0; i < nkids; i++) {
		const struct node *n = &kids[i];
		if (++r->steps > r->lim->max_steps)
			return fail(r, n, "rendering takes more than %lu steps "
			    "(a runaway template?)", r->lim->max_steps);
		int rc = 0;
		switch (n->kind) {
		case N_TEXT:
			put_text(r, n->text, n->len);
			break;
		case N_VAR:
		case N_RAW: {
			const char *s = value_text(lookup(f, n), tmp, &len);
			put_value(r, s, len, n->kind == N_VAR);
			break;
		}
		case N_SECTION:
			rc = section_run(r, n, f, sc);
			break;
		case N_INVERTED:
			if (!truthy(lookup(f, n))) {
				if ((rc = enter(r, n, "section")) < 0)
					break;
				rc = nodes_run(r, n->kids, n->nkids, f, sc);
				r->depth--;
			}
			break;
		case N_PARTIAL:
		case N_PARENT:
			rc = expand(r, n, f, sc);
			break;
		case N_BLOCK:
			rc = block_run(r, n, f, sc);
			break;
		}
		if (rc < 0)
			return -1;
		if (r->out->len - r->out0 > r->lim->max_output)
			return fail(r, n, "output larger than %zu bytes "
			    "(a runaway template?)", r->lim->max_output);
	}
	return 0;
}

/* ---- entry */

int render_run(const struct render_set *s, const char *name,
    const json_t *ctx, struct buf *out, struct diags *d)
{
	const struct tmpl *t = render_set_find(s, name);
	if (!t) {
		const char *near = render_set_closest(s, name);
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "render",
		    "no template named '%s'%s%s%s", name,
		    near ? " (did you mean '" : "", near ? near : "",
		    near ? "'?)" : "");
		return -1;
	}
	struct run r = {0};
	r.lim = render_set_get_limits(s);
	r.set = s;
	r.out = out;
	r.out0 = out->len;
	r.d = d;
	r.pending = 1;
	struct frame root = {ctx, NULL};
	if (nodes_run(&r, t->root.kids, t->root.nkids, &root, NULL) < 0) {
		out->len = r.out0;
		if (out->cap)
			out->data[out->len] = 0;
		return -1;
	}
	if (!out->data) {
		/* keep the buf contract: a rendered buffer has a string */
		buf_put(out, "", 0);
	}
	return 0;
}
