/*
 * yamlbounds.c -- the bounds every YAML document folio reads must keep:
 * how deep it nests, and how much its aliases add to it.
 *
 * libyaml loads an alias as a second reference to the node it names, so
 * loading is cheap whatever the aliases do; it is the readers that expand
 * them (a page's demo: becomes JSON, site.yaml's macros go to KaTeX).  Ten
 * lines of aliases, each naming a list of ten of the one before, expand
 * to 10^10 nodes (the "billion laughs").  And the readers recurse, so a
 * document nested a million levels deep would overflow the stack.
 *
 * Divisions: the limits, measuring the loaded document (fast, no
 * positions), locating the fault from libyaml's events (only when the
 * measure failed: the document keeps no position of an alias).
 */
#include "yamlwalk.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the limits */

/* The deepest a node may sit: the root is at depth 0.  Nothing folio
 * reads is more than a few levels deep; 64 leaves a demo configuration
 * room and keeps the recursive readers' stacks small. */
#define YW_MAX_DEPTH 64

/* What aliases may add to a document, in bytes: every node they repeat
 * counts its text plus one (so that empty values and lists count too).
 * Aliases are for reusing a value a few times; a document that needs more
 * than a mebibyte of repeats is not one a person wrote.  The limit is on
 * what aliases add, not on the document, so a long document written out
 * in full is never refused, and the work and output of every reader stay
 * within the size of the text plus 1 MiB. */
#define YW_ALIAS_BUDGET ((uint64_t)1 << 20)

/* A node's own weight: its text plus one. */
static uint64_t own_weight(size_t text_len)
{
	return (uint64_t)text_len + 1;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- measuring the loaded document */

enum { UNSEEN, OPEN, DONE };

/* A node of the document, measured with its aliases expanded. */
struct measure {
	uint64_t weight;     /* own weight plus its children's */
	int height;          /* levels below it: 0 for a scalar or empty */
	unsigned char state; /* UNSEEN, OPEN (being measured), DONE */
};

/* Measures node i (1-based) met at depth, and what is below it.  A node
 * met again is one an alias names: its measure is reused.  Returns -1 when
 * a node sits deeper than YW_MAX_DEPTH, or an alias names a node it is in
 * (its expansion never ends).  Recursion stops at YW_MAX_DEPTH. */
static int measure(yaml_document_t *doc, struct measure *m, int i, int depth)
{
	struct measure *z = &m[i - 1];
	if (z->state == DONE)
		return depth + z->height > YW_MAX_DEPTH ? -1 : 0;
	if (z->state == OPEN || depth > YW_MAX_DEPTH)
		return -1;
	z->state = OPEN;
	yaml_node_t *n = yaml_document_get_node(doc, i);
	uint64_t weight = own_weight(n->type == YAML_SCALAR_NODE
	    ? n->data.scalar.length : 0);
	int height = 0;
	size_t nkids = n->type == YAML_SEQUENCE_NODE
	    ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
	    : n->type == YAML_MAPPING_NODE
	    ? 2 * (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start) : 0;
	for (size_t k = 0; k < nkids; k++) {
		/* A mapping's children are its keys and values in turn. */
		int c = n->type == YAML_SEQUENCE_NODE
		    ? n->data.sequence.items.start[k]
		    : k % 2 ? n->data.mapping.pairs.start[k / 2].value
		    : n->data.mapping.pairs.start[k / 2].key;
		if (measure(doc, m, c, depth + 1) != 0)
			return -1;
		weight = add_sat(weight, m[c - 1].weight);
		if (m[c - 1].height + 1 > height)
			height = m[c - 1].height + 1;
	}
	z->weight = weight;
	z->height = height;
	z->state = DONE;
	return 0;
}

/* ---- locating the fault */

struct anchor {
	char *name;
	uint64_t weight;     /* with its aliases expanded */
	int height;
	int open;            /* its node has not ended yet */
};

/* A collection not ended yet. */
struct level {
	size_t anchor;          /* 1 + index of the anchor it defines, or 0
	                           (an index: the anchors array moves) */
	uint64_t start;         /* the expanded weight before it */
	int height;             /* so far */
};

static void report_at(struct yw *w, yaml_mark_t m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports an error at mark m of the text w holds, and counts it. */
static void report_at(struct yw *w, yaml_mark_t m, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diags_add(w->d, DIAG_ERROR, w->path, (int)m.line + 1 + w->line_offset,
	    (int)m.column + 1, w->stage, "%s", b.data);
	buf_free(&b);
	w->errors++;
}

/* The anchor named name, or NULL (libyaml refuses a name given twice). */
static struct anchor *find_anchor(struct anchor *a, size_t n,
    const char *name)
{
	while (n--)
		if (!strcmp(a[n].name, name))
			return &a[n];
	return NULL;
}

/* Parses text again, event by event, measuring as measure() does but with
 * the position of every node and alias at hand, and reports the first
 * node too deep or alias over the limits.  Returns 0 when it reported. */
static int locate(struct yw *w, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	struct level stack[YW_MAX_DEPTH + 1];
	struct anchor *anchors = NULL;
	size_t nanchors = 0, cap = 0;
	uint64_t expanded = 0, written = 0;
	int depth = 0, found = 0, done = 0;
	while (!done) {
		yaml_event_t e;
		if (!yaml_parser_parse(&p, &e))
			break;
		const char *name = NULL;
		int height = -1;       /* of a node complete at this event */
		switch (e.type) {
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			if (depth > YW_MAX_DEPTH) {
				report_at(w, e.start_mark, "YAML nested deeper "
				    "than %d levels", YW_MAX_DEPTH);
				found = done = 1;
				break;
			}
			name = (const char *)(e.type == YAML_SCALAR_EVENT
			    ? e.data.scalar.anchor
			    : e.type == YAML_SEQUENCE_START_EVENT
			    ? e.data.sequence_start.anchor
			    : e.data.mapping_start.anchor);
			uint64_t own = own_weight(e.type == YAML_SCALAR_EVENT
			    ? e.data.scalar.length : 0);
			expanded = add_sat(expanded, own);
			written += own;
			size_t a = 0;
			if (name) {
				if (nanchors == cap) {
					cap = cap ? 2 * cap : 16;
					anchors = xrealloc(anchors,
					    cap * sizeof *anchors);
				}
				anchors[nanchors++] = (struct anchor){
				    xstrdup(name), own, 0,
				    e.type != YAML_SCALAR_EVENT};
				a = nanchors;
			}
			if (e.type == YAML_SCALAR_EVENT)
				height = 0;
			else
				stack[depth++] = (struct level){a,
				    expanded - own, 0};
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct level *l = &stack[--depth];
			height = l->height;
			if (l->anchor) {
				struct anchor *a = &anchors[l->anchor - 1];
				a->weight = expanded - l->start;
				a->height = height;
				a->open = 0;
			}
			break;
		}
		case YAML_ALIAS_EVENT: {
			name = (const char *)e.data.alias.anchor;
			struct anchor *a = find_anchor(anchors, nanchors, name);
			if (!a)
				break;
			if (a->open) {
				report_at(w, e.start_mark, "alias `*%s` is "
				    "inside the node it names: its expansion "
				    "would never end", name);
				found = done = 1;
			} else if (depth + a->height > YW_MAX_DEPTH) {
				report_at(w, e.start_mark, "alias `*%s` nests "
				    "YAML deeper than %d levels", name,
				    YW_MAX_DEPTH);
				found = done = 1;
			} else {
				expanded = add_sat(expanded, a->weight);
				height = a->height;
				if (expanded - written > YW_ALIAS_BUDGET) {
					report_at(w, e.start_mark, "alias `*%s`"
					    " expands this YAML by more than "
					    "1 MiB, the most aliases may add",
					    name);
					found = done = 1;
				}
			}
			break;
		}
		case YAML_DOCUMENT_END_EVENT:
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		if (height >= 0 && depth > 0 &&
		    stack[depth - 1].height < height + 1)
			stack[depth - 1].height = height + 1;
		yaml_event_delete(&e);
	}
	for (size_t i = 0; i < nanchors; i++)
		free(anchors[i].name);
	free(anchors);
	yaml_parser_delete(&p);
	return found ? 0 : -1;
}

int yw_check_bounds(struct yw *w, const char *text, size_t len)
{
	yaml_document_t *doc = &w->doc;
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	if (!n)
		return 0;
	struct measure *m = xcalloc(n, sizeof *m);
	uint64_t written = 0;
	for (yaml_node_t *node = doc->nodes.start; node < doc->nodes.top;
	    node++)
		written += own_weight(node->type == YAML_SCALAR_NODE
		    ? node->data.scalar.length : 0);
	int r = measure(doc, m, 1, 0);
	if (r == 0 && m[0].weight - written > YW_ALIAS_BUDGET)
		r = -1;
	free(m);
	if (r == 0)
		return 0;
	if (locate(w, text, len) != 0) {
		/* Not expected: the two measures agree.  Still an error. */
		diags_add(w->d, DIAG_ERROR, w->path, 1 + w->line_offset, 1,
		    w->stage, "YAML nested deeper than %d levels or expanded "
		    "too far by its aliases", YW_MAX_DEPTH);
		w->errors++;
	}
	return -1;
}
