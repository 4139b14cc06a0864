/*
 * html.c -- a page body to HTML: rendered once after parsing, with
 * placeholders where formulas and witnesses go (md__prerender), and
 * completed when their results are known (md_render).  Raw HTML the author
 * wrote is dropped and dangerous link schemes are removed here.
 *
 * Divisions: node helpers, formulas and witnesses, raw HTML and links,
 * headings and sections, placeholders.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"


static cmark_node *html_node(cmark_node_type type, const char *html)
{
	cmark_node *n = cmark_node_new(type);
	cmark_node_set_literal(n, html);
	return n;
}

static void replace_node(cmark_node *old, cmark_node_type type,
    const char *html)
{
	cmark_node_replace(old, html_node(type, html));
	cmark_node_free(old);
}

/* The final HTML of formula m: KaTeX's output (or the escaped TeX when
 * there is none) in a span, or a div for a ```math block. */
static void math_html(const struct md_math *m, struct buf *b)
{
	const char *tag = m->block ? "div" : "span";
	if (m->id)
		buf_printf(b, "<div class=\"math display\" id=\"eq-%s\">",
		    m->id);
	else
		buf_printf(b, "<%s class=\"math %s\">", tag,
		    m->display ? "display" : "inline");
	if (m->html) {
		buf_puts(b, m->html);
	} else {
		buf_puts(b, "<code class=\"math-source\">");
		html_escape(b, m->tex, strlen(m->tex));
		buf_puts(b, "</code>");
	}
	buf_printf(b, "</%s>", m->id ? "div" : tag);
}

/* The final HTML of witness w: its code, its checked output and the
 * record of its run. */
static void witness_html(const struct md_witness *w, struct buf *b)
{
	static const char *const labels[] = {"not run", "checked at build time",
		"did not match"};
	static const char *const classes[] = {"unrun", "checked", "failed"};
	buf_printf(b, "<figure class=\"witness\" id=\"code-%s\">\n", w->name);
	buf_printf(b, "<figcaption>Code witness <code>code:%s</code>"
	    "</figcaption>\n", w->name);
	buf_puts(b, "<pre><code class=\"language-c\">");
	html_escape(b, w->code, strlen(w->code));
	buf_puts(b, "</code></pre>\n");
	buf_printf(b, "<div class=\"witness-output %s\">\n",
	    classes[w->status]);
	buf_printf(b, "<p class=\"witness-label\">Output, %s%s</p>\n",
	    labels[w->status], w->has_tol ? " (numbers within tolerance)" : "");
	buf_puts(b, "<pre><samp>");
	html_escape(b, w->expected, strlen(w->expected));
	buf_puts(b, "</samp></pre>\n");
	if (w->status != MD_WITNESS_UNRUN)
		buf_printf(b, "<p class=\"witness-record\">ran in %.1f ms"
		    " &middot; %s &middot; <span title=\"%s\">sha256 "
		    "%.12s</span></p>\n", w->ms,
		    w->cached ? "cached result" : "run in this build",
		    w->hash, w->hash);
	buf_puts(b, "</div>\n</figure>");
}

/* Placeholders stand where formulas and witnesses go until md_render
 * knows their HTML.  No author text can forge one: raw HTML is dropped
 * and every other text is escaped. */
#define PLACEHOLDER "<!--folio:"

static int inside_image(cmark_node *n)
{
	for (n = cmark_node_parent(n); n; n = cmark_node_parent(n))
		if (cmark_node_get_type(n) == CMARK_NODE_IMAGE)
			return 1;
	return 0;
}

static void place_math(size_t k, struct md_math *m)
{
	char mark[48];
	/* In an image's description, which becomes its alt text, a formula
	 * is its TeX: an attribute holds no markup. */
	if (inside_image(m->node)) {
		cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(text, m->tex);
		cmark_node_replace(m->node, text);
		cmark_node_free(m->node);
		m->node = NULL;
		return;
	}
	snprintf(mark, sizeof mark, PLACEHOLDER "m:%zu-->%s", k,
	    m->block ? "\n" : "");
	replace_node(m->node, m->block ? CMARK_NODE_HTML_BLOCK :
	    CMARK_NODE_HTML_INLINE, mark);
	m->node = NULL;
}

static void place_witness(size_t k, struct md_witness *w)
{
	char mark[48];
	snprintf(mark, sizeof mark, PLACEHOLDER "w:%zu-->\n", k);
	cmark_node_free(w->output_node);
	w->output_node = NULL;
	replace_node(w->node, CMARK_NODE_HTML_BLOCK, mark);
	w->node = NULL;
}

/* Drops every raw HTML node the author wrote (collected first: the tree
 * changes under the iterator otherwise). */
static void drop_raw_html(cmark_node *root)
{
	cmark_node **list = NULL;
	size_t n = 0, cap = 0;
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(node);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_HTML_BLOCK &&
		    t != CMARK_NODE_HTML_INLINE))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			list = xrealloc(list, cap * sizeof *list);
		}
		list[n++] = node;
	}
	cmark_iter_free(it);
	for (size_t i = 0; i < n; i++) {
		cmark_node_unlink(list[i]);
		cmark_node_free(list[i]);
	}
	free(list);
}

/* The link schemes cmark's safe mode refuses (it is off here so that our
 * own HTML nodes pass): javascript:, vbscript:, file:, and data: other
 * than common raster images.  Case-insensitive. */
static int dangerous_url(const char *url)
{
	static const char *const bad[] = {"javascript:", "vbscript:", "file:",
		"data:"};
	static const char *const images[] = {"data:image/png",
		"data:image/gif", "data:image/jpeg", "data:image/webp"};
	while (*url == ' ' || *url == '\t')
		url++;
	for (size_t i = 0; i < 4; i++) {
		if (strncasecmp(url, bad[i], strlen(bad[i])))
			continue;
		for (size_t j = 0; i == 3 && j < 4; j++)
			if (!strncasecmp(url, images[j], strlen(images[j])))
				return 0;
		return 1;
	}
	return 0;
}

/* Empties dangerous destinations, and gives relative ones their href on
 * the published page (links.c). */
static void rewrite_links(const struct md_doc *doc, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		const char *url = cmark_node_get_url(n);
		if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK &&
		    t != CMARK_NODE_IMAGE) || !url)
			continue;
		char *href = NULL;
		if (dangerous_url(url))
			cmark_node_set_url(n, "");
		else if ((href = md__link_href(doc, url)))
			cmark_node_set_url(n, href);
		free(href);
	}
	cmark_iter_free(it);
}

#define SECTION_MARK "<!--folio:section-->"
#define ID_MARK "<!--folio:id:"

/* The content of heading n as HTML, without its tags: "<h2>x</h2>\n"
 * gives "x". */
static char *heading_html(const struct md_doc *doc, cmark_node *n)
{
	struct md_priv *priv = doc->priv;
	char *h = cmark_render_html(n, CMARK_OPT_UNSAFE,
	    cmark_parser_get_syntax_extensions(priv->parser));
	char *open = strchr(h, '>');
	char *close = strrchr(h, '<');
	char *r = open && close && close > open
	    ? xstrndup(open + 1, (size_t)(close - open - 1)) : xstrdup("");
	free(h);
	return r;
}

/* Level-2 headings become section markers; deeper ones get an id marker
 * that the output pass folds into the tag (their ids are from
 * md__assign_anchors, in the same order). */
static void mark_headings(struct md_doc *doc, cmark_node *root)
{
	struct md_priv *priv = doc->priv;
	size_t section = 0, deeper = 0;
	cmark_node *n = cmark_node_first_child(root);
	while (n) {
		cmark_node *next = cmark_node_next(n);
		if (cmark_node_get_type(n) == CMARK_NODE_HEADING) {
			int level = cmark_node_get_heading_level(n);
			if (level == 2 && section < doc->nsections) {
				doc->sections[section].name_html =
				    heading_html(doc, n);
				replace_node(n, CMARK_NODE_HTML_BLOCK,
				    SECTION_MARK "\n");
				section++;
			} else if (level > 2 && deeper < priv->nheading_ids) {
				char *mark = xasprintf(ID_MARK "%s-->\n",
				    priv->heading_ids[deeper++]);
				cmark_node_insert_before(n, html_node(
				    CMARK_NODE_HTML_BLOCK, mark));
				free(mark);
			}
		}
		n = next;
	}
}

/* "<!--folio:id:X-->\n<hN>" becomes "<hN id="X">". */
static char *fold_ids(const char *html)
{
	struct buf b = {0};
	const char *s = html, *m;
	while ((m = strstr(s, ID_MARK))) {
		buf_put(&b, s, (size_t)(m - s));
		const char *id = m + strlen(ID_MARK);
		const char *end = strstr(id, "-->");
		const char *tag = end + 4;
		if (tag[0] == '<' && tag[1] == 'h' && isdigit((unsigned char)tag[2])) {
			buf_put(&b, tag, 3);
			buf_puts(&b, " id=\"");
			buf_put(&b, id, (size_t)(end - id));
			buf_putc(&b, '"');
			s = tag + 3;
		} else {
			s = end + 4;
		}
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

/* Renders the tree once, right after parsing, with placeholders for the
 * formulas and witnesses, and splits the HTML into the intro, the sections
 * and the footnotes; the tree is then released. */
void md__prerender(struct md_doc *doc)
{
	struct md_priv *priv = doc->priv;
	drop_raw_html(priv->root);
	rewrite_links(doc, priv->root);
	for (size_t i = 0; i < doc->nmath; i++)
		if (doc->math[i].node)
			place_math(i, &doc->math[i]);
	for (size_t i = 0; i < doc->nwitnesses; i++)
		if (doc->witnesses[i].node)
			place_witness(i, &doc->witnesses[i]);
	mark_headings(doc, priv->root);
	char *raw = cmark_render_html(priv->root, CMARK_OPT_UNSAFE |
	    CMARK_OPT_FOOTNOTES, cmark_parser_get_syntax_extensions(
	    priv->parser));
	char *html = fold_ids(raw);
	free(raw);
	/* Footnotes come last; they are given to the template apart. */
	char *foot = strstr(html, "<section class=\"footnotes\"");
	doc->footnotes_html = xstrdup(foot ? foot : "");
	if (foot)
		*foot = '\0';
	char *s = html;
	for (size_t i = 0; i <= doc->nsections; i++) {
		char *next = strstr(s, SECTION_MARK);
		size_t len = next ? (size_t)(next - s) : strlen(s);
		char *part = xstrndup(s, len);
		if (i == 0)
			doc->intro_html = part;
		else
			doc->sections[i - 1].html = part;
		if (!next)
			break;
		s = next + strlen(SECTION_MARK) + 1;
	}
	for (size_t i = 0; i < doc->nsections; i++) {
		if (!doc->sections[i].html)
			doc->sections[i].html = xstrdup("");
		if (!doc->sections[i].name_html)
			doc->sections[i].name_html = xstrdup("");
	}
	free(html);
	md__tree_release(doc);
}

/* Replaces the placeholders of *html with the formulas' and witnesses'
 * HTML. */
static void fill(const struct md_doc *doc, char **html)
{
	if (!strstr(*html, PLACEHOLDER))
		return;
	struct buf b = {0};
	const char *s = *html, *p;
	while ((p = strstr(s, PLACEHOLDER))) {
		buf_put(&b, s, (size_t)(p - s));
		const char *q = p + strlen(PLACEHOLDER);
		char kind = *q;
		char *end;
		size_t k = strtoul(q + 2, &end, 10);
		if (kind == 'm' && k < doc->nmath)
			math_html(&doc->math[k], &b);
		else if (kind == 'w' && k < doc->nwitnesses)
			witness_html(&doc->witnesses[k], &b);
		s = strstr(end, "-->") + 3;
	}
	buf_puts(&b, s);
	free(*html);
	*html = buf_detach(&b);
}

void md_render(struct md_doc *doc)
{
	if (!doc->intro_html) {
		/* Scanned only (md_scan): render the tree now. */
		md__tree_restore(doc);
		md__prerender(doc);
	}
	fill(doc, &doc->intro_html);
	fill(doc, &doc->footnotes_html);
	for (size_t i = 0; i < doc->nsections; i++) {
		fill(doc, &doc->sections[i].html);
		fill(doc, &doc->sections[i].name_html);
	}
}

