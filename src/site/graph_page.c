/*
 * graph_page.c -- the concept graph page, /graph/index.html: every page
 * and its prerequisite, next and related links to other pages, drawn at
 * build time as an SVG (no script) and given as nested lists (the same
 * graph for screen readers, text browsers and print).
 *
 * Layout: a page's level is the length of its longest chain of
 * prerequisites (0: none), and levels are columns, left to right, so every
 * prerequisite arrow points right.  Within a column pages are sorted by
 * domain, then title.  next arrows are dashed, related links dotted and
 * without a head.  The graph has no prerequisite cycle by the time pages
 * are written (graph.c fails the build on one), but the levels are
 * computed with a guard anyway.
 *
 * Divisions: levels, the SVG, the context.
 */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* Sizes in SVG user units (CSS pixels). */
#define NODE_W 220     /* a page's box */
#define NODE_H 62
#define COL_GAP 70     /* between columns: room for the arrows */
#define ROW_GAP 24     /* between rows: a channel for long links */
#define MARGIN 16
#define HEAD_H 44      /* the column headings, and a channel below them */
#define LINE_CHARS 30  /* characters per line of a title in its box */
#define LINE_H 16
#define MAX_LINES 3

/* ---- levels */

struct layout {
	const struct site *s;
	int *level;     /* per page; -1 not computed, -2 being computed */
	size_t *order;  /* page indices by level, then domain, then title */
	int *row;       /* per page: its row within its column */
	int nlevels;
	int nrows;      /* rows of the tallest column */
};

static int level_of(struct layout *l, size_t i)
{
	if (l->level[i] >= 0)
		return l->level[i];
	if (l->level[i] == -2)
		return 0;  /* a cycle: graph.c has reported it */
	l->level[i] = -2;
	int best = 0;
	const struct located_list *pre = &l->s->pages[i]->meta.prerequisites;
	for (size_t e = 0; e < pre->nitems; e++) {
		size_t j = site_page_index(l->s, pre->items[e].s);
		if (j != (size_t)-1 && level_of(l, j) + 1 > best)
			best = level_of(l, j) + 1;
	}
	return l->level[i] = best;
}

static int cmp_node(const void *a, const void *b, void *arg)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct layout *l = arg;
	if (l->level[x] != l->level[y])
		return l->level[x] - l->level[y];
	const struct page_meta *p = &l->s->pages[x]->meta,
	    *q = &l->s->pages[y]->meta;
	int c = strcmp(p->domain, q->domain);
	return c ? c : strcmp(p->title, q->title);
}

static void layout_init(struct layout *l, const struct site *s)
{
	size_t n = s->npages;
	l->s = s;
	l->level = xcalloc(n + 1, sizeof *l->level);
	l->order = xcalloc(n + 1, sizeof *l->order);
	l->row = xcalloc(n + 1, sizeof *l->row);
	for (size_t i = 0; i < n; i++)
		l->level[i] = -1;
	l->nlevels = l->nrows = 0;
	for (size_t i = 0; i < n; i++) {
		l->order[i] = i;
		if (level_of(l, i) + 1 > l->nlevels)
			l->nlevels = level_of(l, i) + 1;
	}
	qsort_r(l->order, n, sizeof *l->order, cmp_node, l);
	for (size_t k = 0, r = 0; k < n; k++) {
		size_t i = l->order[k];
		r = k > 0 && l->level[l->order[k - 1]] == l->level[i] ? r + 1 : 0;
		l->row[i] = (int)r;
		if ((int)r + 1 > l->nrows)
			l->nrows = (int)r + 1;
	}
}

static void layout_free(struct layout *l)
{
	free(l->level);
	free(l->order);
	free(l->row);
}

/* ---- the SVG */

static int node_x(const struct layout *l, size_t i)
{
	return MARGIN + l->level[i] * (NODE_W + COL_GAP);
}

static int node_y(const struct layout *l, size_t i)
{
	return MARGIN + HEAD_H + l->row[i] * (NODE_H + ROW_GAP);
}

/* Bytes of the first n characters of UTF-8 text s (or all of it). */
static size_t utf8_prefix(const char *s, size_t n)
{
	size_t b = 0;
	for (; s[b] && n > 0; n--)
		for (b++; ((unsigned char)s[b] & 0xc0) == 0x80; b++)
			;
	return b;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t b = 0; b < len; b++)
		n += ((unsigned char)s[b] & 0xc0) != 0x80;
	return n;
}

/* Breaks title into at most MAX_LINES lines of at most LINE_CHARS
 * characters, at spaces (a longer word is cut): start[k] and len[k] are
 * line k's bytes.  Returns the number of lines; *more is set when text is
 * left over (the last line then ends in an ellipsis). */
static int wrap_title(const char *title, size_t start[MAX_LINES],
    size_t len[MAX_LINES], int *more)
{
	const char *s = title;
	int n = 0;
	*more = 0;
	while (*s == ' ')
		s++;
	for (; *s && n < MAX_LINES; n++) {
		size_t left = strlen(s), fit = utf8_prefix(s, LINE_CHARS);
		if (fit < left) {
			size_t cut = fit;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			fit = cut > 0 ? cut : fit;
		}
		if (n == MAX_LINES - 1 && fit < left) {
			*more = 1;
			if (utf8_chars(s, fit) >= LINE_CHARS)
				fit = utf8_prefix(s, LINE_CHARS - 1);
		}
		start[n] = (size_t)(s - title);
		len[n] = fit;
		s += fit;
		while (*s == ' ')
			s++;
	}
	return n;
}

/* Appends title as <tspan> lines centred on the box whose left edge is x
 * and whose middle is ymid.  The box's <title> holds the title whole. */
static void put_title_lines(struct buf *b, const char *title, int x,
    int ymid)
{
	size_t start[MAX_LINES], len[MAX_LINES];
	int more, n = wrap_title(title, start, len, &more);
	int y = ymid + 4 - (n - 1) * LINE_H / 2;
	for (int k = 0; k < n; k++) {
		buf_printf(b, "<tspan x=\"%d\" y=\"%d\">", x, y + k * LINE_H);
		html_escape(b, title + start[k], len[k]);
		if (more && k == n - 1)
			buf_puts(b, "\xe2\x80\xa6");
		buf_puts(b, "</tspan>");
	}
}

/* ---- edges: one per pair of pages and direction */

enum edge_kind { EDGE_PREREQUISITE, EDGE_NEXT, EDGE_RELATED };
static const char *const edge_names[] = {"prerequisite", "next", "related"};

struct edge {
	size_t from, to;      /* page indices; related: from is drawn first */
	enum edge_kind kind;
};

struct edges {
	struct edge *items;
	size_t nitems, cap;
};

static void edge_add(struct edges *e, const struct layout *l, size_t from,
    size_t to, enum edge_kind kind)
{
	if (from == to || from == (size_t)-1 || to == (size_t)-1)
		return;
	/* A related link has no direction: draw it left to right. */
	if (kind == EDGE_RELATED && (l->level[from] > l->level[to] ||
	    (l->level[from] == l->level[to] && l->row[from] > l->row[to]))) {
		size_t t = from;
		from = to;
		to = t;
	}
	if (e->nitems == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 64;
		e->items = xrealloc(e->items, e->cap * sizeof *e->items);
	}
	e->items[e->nitems++] = (struct edge){from, to, kind};
}

/* The pair of pages an edge joins, smaller index first. */
static void edge_pair(const struct edge *e, size_t *lo, size_t *hi)
{
	*lo = e->from < e->to ? e->from : e->to;
	*hi = e->from < e->to ? e->to : e->from;
}

/* By pair, then kind (prerequisite first). */
static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	size_t xl, xh, yl, yh;
	edge_pair(x, &xl, &xh);
	edge_pair(y, &yl, &yh);
	if (xl != yl)
		return xl < yl ? -1 : 1;
	if (xh != yh)
		return xh < yh ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* Every link between pages, one per pair and direction: a prerequisite
 * a -> b and a next a -> b (the usual pair of declarations) are one
 * arrow, drawn as the prerequisite; a related link between pages already
 * joined is not drawn again. */
static void collect_edges(const struct layout *l, struct edges *e)
{
	const struct site *s = l->s;
	for (size_t i = 0; i < s->npages; i++) {
		const struct page_meta *m = &s->pages[i]->meta;
		for (size_t k = 0; k < m->prerequisites.nitems; k++)
			edge_add(e, l, site_page_index(s,
			    m->prerequisites.items[k].s), i, EDGE_PREREQUISITE);
		for (size_t k = 0; k < m->next.nitems; k++)
			edge_add(e, l, i, site_page_index(s,
			    m->next.items[k].s), EDGE_NEXT);
		for (size_t k = 0; k < m->nrelated; k++)
			if (m->related[k].page)
				edge_add(e, l, i, site_page_index(s,
				    m->related[k].page), EDGE_RELATED);
	}
	if (e->nitems == 0)
		return;  /* (qsort may not be given a null array) */
	qsort(e->items, e->nitems, sizeof *e->items, cmp_edge);
	/* The edges of one pair are now together, strongest first; keep
	 * each unless one kept before already joins the pair that way. */
	size_t n = 0, group = 0;
	for (size_t k = 0; k < e->nitems; k++) {
		struct edge x = e->items[k];
		size_t lo, hi, plo, phi;
		edge_pair(&x, &lo, &hi);
		if (n > 0) {
			edge_pair(&e->items[n - 1], &plo, &phi);
			if (plo != lo || phi != hi)
				group = n;
		}
		int keep = 1;
		for (size_t j = group; j < n; j++)
			if (x.kind == EDGE_RELATED || (x.from ==
			    e->items[j].from && x.to == e->items[j].to))
				keep = 0;
		if (keep)
			e->items[n++] = x;
	}
	e->nitems = n;
}

/* One link, from page i to page j.  Between neighbouring columns, a
 * curve from i's right side to j's left side (or left to right, going
 * back); within a column, a bracket in the gap on the right; across
 * columns, up into the channel between rows, along it, and down, so that
 * no link crosses a box it does not join. */
static void put_edge(struct buf *b, const struct layout *l,
    const struct edge *e)
{
	size_t i = e->from, j = e->to;
	int y1 = node_y(l, i) + NODE_H / 2, y2 = node_y(l, j) + NODE_H / 2;
	int span = l->level[j] - l->level[i];
	int back = span < 0, r = COL_GAP / 4;
	int x1 = node_x(l, i) + (back ? 0 : NODE_W);
	int x2 = node_x(l, j) + (back || span == 0 ? NODE_W : 0);
	int dir = back ? -1 : 1;
	buf_printf(b, "<path class=\"graph-edge graph-edge-%s\" d=\"",
	    edge_names[e->kind]);
	if (span == 0) {
		buf_printf(b, "M%d %d C%d %d %d %d %d %d", x1, y1,
		    x1 + COL_GAP / 2, y1, x2 + COL_GAP / 2, y2, x2, y2);
	} else if (span == 1 || span == -1) {
		int dx = abs(x2 - x1) / 2;
		buf_printf(b, "M%d %d C%d %d %d %d %d %d", x1, y1,
		    x1 + dir * dx, y1, x2 - dir * dx, y2, x2, y2);
	} else {
		int top = node_y(l, i) < node_y(l, j) ? node_y(l, i)
		    : node_y(l, j);
		int gy = top - ROW_GAP / 2;
		buf_printf(b, "M%d %d C%d %d %d %d %d %d L%d %d C%d %d %d %d "
		    "%d %d", x1, y1, x1 + dir * r, y1, x1 + dir * r, gy,
		    x1 + dir * 2 * r, gy, x2 - dir * 2 * r, gy, x2 - dir * r,
		    gy, x2 - dir * r, y2, x2, y2);
	}
	buf_printf(b, "\"%s/>\n", e->kind == EDGE_RELATED ? ""
	    : " marker-end=\"url(#graph-arrow)\"");
}

/* The graph as one <svg> element; returns a string the caller frees. */
static char *graph_svg(const struct layout *l)
{
	const struct site *s = l->s;
	int w = 2 * MARGIN + l->nlevels * NODE_W + (l->nlevels - 1) * COL_GAP;
	int h = 2 * MARGIN + HEAD_H + l->nrows * (NODE_H + ROW_GAP) - ROW_GAP;
	struct buf b = {0};
	buf_printf(&b, "<svg class=\"graph-svg\" xmlns=\"http://www.w3.org/"
	    "2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "aria-labelledby=\"graph-svg-title\">\n<title id=\"graph-svg-"
	    "title\">Concept graph: %zu pages in %d levels of prerequisites"
	    "</title>\n<defs><marker id=\"graph-arrow\" viewBox=\"0 0 10 10\" "
	    "refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
	    "orient=\"auto-start-reverse\"><path class=\"graph-arrowhead\" "
	    "d=\"M0 0L10 5L0 10z\"/></marker></defs>\n", w, h, w, h,
	    s->npages, l->nlevels);
	for (int k = 0; k < l->nlevels; k++)
		buf_printf(&b, "<text class=\"graph-level\" x=\"%d\" y=\"%d\">"
		    "Level %d%s</text>\n", MARGIN + k * (NODE_W + COL_GAP),
		    MARGIN + 14, k, k == 0 ? ": no prerequisites" : "");
	struct edges e = {0};
	collect_edges(l, &e);
	for (size_t k = 0; k < e.nitems; k++)
		put_edge(&b, l, &e.items[k]);
	free(e.items);
	for (size_t k = 0; k < s->npages; k++) {
		size_t i = l->order[k];
		const struct page *p = s->pages[i];
		int x = node_x(l, i), y = node_y(l, i);
		buf_puts(&b, "<a class=\"graph-node\" href=\"../");
		html_escape(&b, p->id, strlen(p->id));
		buf_puts(&b, "/\"><title>");
		html_escape(&b, p->meta.title, strlen(p->meta.title));
		buf_puts(&b, " (");
		html_escape(&b, p->meta.domain, strlen(p->meta.domain));
		buf_printf(&b, ", %s)</title>", page_status_name(p->meta.status));
		buf_printf(&b, "<rect class=\"graph-box graph-box-%s\" x=\"%d\" "
		    "y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\"/>",
		    page_status_name(p->meta.status), x, y, NODE_W, NODE_H);
		buf_puts(&b, "<text class=\"graph-label\">");
		put_title_lines(&b, p->meta.title, x + 10, y + NODE_H / 2);
		buf_puts(&b, "</text></a>\n");
	}
	buf_puts(&b, "</svg>");
	return buf_detach(&b);
}

/* ---- the context */

/* Appends {id, title, url} of page id to a, when it is a page (URLs
 * relative to /graph/). */
static void add_link(json_t *a, const struct site *s, const char *id)
{
	const struct page *q = id ? site_find_page(s, id) : NULL;
	if (!q)
		return;
	json_t *o = json_object();
	char *url = xasprintf("../%s/", q->id);
	json_object_set_new(o, "id", json_string(q->id));
	json_object_set_new(o, "title", json_string(q->meta.title));
	json_object_set_new(o, "url", json_string(url));
	free(url);
	json_array_append_new(a, o);
}

/* One page of the lists: its fields and its links to other pages
 * (related links to other sites are not part of the graph). */
static json_t *node(const struct site *s, const struct page *p)
{
	const struct page_meta *m = &p->meta;
	json_t *o = json_object(), *pre = json_array(), *next = json_array(),
	    *rel = json_array();
	char *url = xasprintf("../%s/", p->id);
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "title", json_string(m->title));
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "domain", json_string(m->domain));
	json_object_set_new(o, "status",
	    json_string(page_status_name(m->status)));
	free(url);
	for (size_t k = 0; k < m->prerequisites.nitems; k++)
		add_link(pre, s, m->prerequisites.items[k].s);
	for (size_t k = 0; k < m->next.nitems; k++)
		add_link(next, s, m->next.items[k].s);
	for (size_t k = 0; k < m->nrelated; k++)
		add_link(rel, s, m->related[k].page);
	/* links: the kinds this page has, for a template that lists them
	 * without a heading for an empty one (mustache cannot test a list's
	 * length). */
	static const char *const labels[] = {"Prerequisites", "Next",
		"Related"};
	json_t *kinds[] = {pre, next, rel}, *groups = json_array();
	for (int k = 0; k < 3; k++) {
		if (!json_array_size(kinds[k]))
			continue;
		json_t *g = json_object();
		json_object_set_new(g, "label", json_string(labels[k]));
		json_object_set(g, "pages", kinds[k]);
		json_array_append_new(groups, g);
	}
	json_object_set_new(o, "has_links",
	    json_boolean(json_array_size(groups) > 0));
	json_object_set_new(o, "links", groups);
	json_object_set_new(o, "prerequisites", pre);
	json_object_set_new(o, "next", next);
	json_object_set_new(o, "related", rel);
	return o;
}

int site_write_graph(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	if (!render_set_has(rs, "graph"))
		return 0;
	struct layout l;
	layout_init(&l, s);
	json_t *levels = json_array(), *pages = NULL;
	size_t edges = 0;
	for (size_t k = 0; k < s->npages; k++) {
		size_t i = l.order[k];
		if (k == 0 || l.level[l.order[k - 1]] != l.level[i]) {
			json_t *lv = json_object();
			char *label = l.level[i] == 0 ? xstrdup("Level 0: no "
			    "prerequisites") : xasprintf("Level %d", l.level[i]);
			pages = json_array();
			json_object_set_new(lv, "level", json_integer(l.level[i]));
			json_object_set_new(lv, "label", json_string(label));
			json_object_set_new(lv, "pages", pages);
			json_array_append_new(levels, lv);
			free(label);
		}
		json_t *n = node(s, s->pages[i]);
		edges += json_array_size(json_object_get(n, "prerequisites")) +
		    json_array_size(json_object_get(n, "next")) +
		    json_array_size(json_object_get(n, "related"));
		json_array_append_new(pages, n);
	}
	json_t *extra = json_object();
	if (s->npages) {
		char *svg = graph_svg(&l);
		json_object_set_new(extra, "graph_svg_html", json_string(svg));
		free(svg);
	}
	json_object_set_new(extra, "levels", levels);
	json_object_set_new(extra, "page_count",
	    json_integer((json_int_t)s->npages));
	json_object_set_new(extra, "link_count", json_integer((json_int_t)edges));
	layout_free(&l);
	return site_write_template(s, rs, out, "graph", NULL, "graph",
	    "Concept graph", extra, d);
}
