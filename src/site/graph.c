/*
 * graph.c -- the concept graph: every prerequisite, next and related page
 * exists, and prerequisites never lead back to where they started.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static size_t check_refs(const struct site *s, const struct page *p,
    const struct located_list *l, const char *what, const char **ids,
    struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < l->nitems; i++) {
		const struct located *r = &l->items[i];
		if (site_find_page(s, r->s))
			continue;
		const char *hint = closest_word(r->s, ids);
		if (hint)
			diags_add(d, DIAG_ERROR, p->path, r->line, r->col,
			    "graph", "%s `%s` is not a page; did you mean "
			    "`%s`?", what, r->s, hint);
		else
			diags_add(d, DIAG_ERROR, p->path, r->line, r->col,
			    "graph", "%s `%s` is not a page (no content/%s.md)",
			    what, r->s, r->s);
		errors++;
	}
	return errors;
}

/* Depth-first search over prerequisite edges.  state: 0 unvisited,
 * 1 on the current path, 2 done.  stack holds the current path. */
struct dfs {
	const struct site *s;
	int *state;
	size_t *stack;
	size_t depth;
	struct diags *d;
	size_t errors;
};

static void report_cycle(struct dfs *g, size_t from, size_t edge,
    size_t target)
{
	/* The cycle is the path from target's place on the stack to from,
	 * closed by the edge from -> target. */
	size_t start = 0;
	while (g->stack[start] != target)
		start++;
	struct buf b = {0};
	for (size_t k = start; k < g->depth; k++)
		buf_printf(&b, "%s -> ", g->s->pages[g->stack[k]]->id);
	buf_puts(&b, g->s->pages[target]->id);
	const struct page *p = g->s->pages[from];
	const struct located *r = &p->meta.prerequisites.items[edge];
	diags_add(g->d, DIAG_ERROR, p->path, r->line, r->col, "graph",
	    "prerequisite cycle: %s", b.data);
	buf_free(&b);
	g->errors++;
}

static void visit(struct dfs *g, size_t i)
{
	g->state[i] = 1;
	g->stack[g->depth++] = i;
	const struct page *p = g->s->pages[i];
	for (size_t e = 0; e < p->meta.prerequisites.nitems; e++) {
		size_t j = site_page_index(g->s,
		    p->meta.prerequisites.items[e].s);
		if (j == (size_t)-1)
			continue;
		if (g->state[j] == 1)
			report_cycle(g, i, e, j);
		else if (g->state[j] == 0)
			visit(g, j);
	}
	g->depth--;
	g->state[i] = 2;
}

size_t site_check_graph(const struct site *s, struct diags *d)
{
	size_t errors = 0;
	const char **ids = site_page_ids(s);
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];
		errors += check_refs(s, p, &p->meta.prerequisites,
		    "prerequisite", ids, d);
		errors += check_refs(s, p, &p->meta.next, "next", ids, d);
		for (size_t k = 0; k < p->meta.nrelated; k++) {
			const struct page_related *r = &p->meta.related[k];
			if (!r->page || site_find_page(s, r->page))
				continue;
			const char *hint = closest_word(r->page, ids);
			diags_add(d, DIAG_ERROR, p->path, r->line, r->col,
			    "graph", "related `%s` is not a page%s%s%s",
			    r->page, hint ? "; did you mean `" : "",
			    hint ? hint : "", hint ? "`?" : "");
			errors++;
		}
	}
	free(ids);
	struct dfs g = {.s = s, .d = d};
	g.state = xcalloc(s->npages + 1, sizeof *g.state);
	g.stack = xcalloc(s->npages + 1, sizeof *g.stack);
	for (size_t i = 0; i < s->npages; i++)
		if (g.state[i] == 0)
			visit(&g, i);
	free(g.state);
	free(g.stack);
	return errors + g.errors;
}
