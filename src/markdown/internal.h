/*
 * internal.h -- private to the markdown stage: the parsed state of a doc
 * and the functions markdown.c (parsing, objects, the tree) and html.c
 * (rendering) share.
 */
#ifndef FOLIO_MARKDOWN_INTERNAL_H
#define FOLIO_MARKDOWN_INTERNAL_H

#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>

#include "markdown.h"

/* A doc's parser state; the tree lives only while a step needs it. */
struct md_priv {
	cmark_parser *parser;          /* with the extensions attached */
	cmark_syntax_extension *math;  /* ours, freed with the doc */
	cmark_node *root;              /* the tree, or NULL when released */
	char **heading_ids;            /* ids of the top-level headings of
	                                  level 3 and deeper, in order */
	size_t nheading_ids;
	const char **lines;            /* where each body line starts (from
	                                  line 1; made on first use), so that
	                                  finding one costs no walk */
	size_t nlines;
};

/* markdown.c: frees the doc's tree (its objects keep their data). */
void md__tree_release(struct md_doc *doc);
/* markdown.c: parses the body again after a release and points the
 * objects at their new nodes. */
void md__tree_restore(struct md_doc *doc);
/* markdown.c: where body line `line` (from 1) of doc's page starts, or
 * the body's end. */
const char *md__line_start(const struct md_doc *doc, int line);
/* markdown.c: a heading's text, without markup; the caller frees. */
char *md__heading_text(cmark_node *n);
/* anchors.c: gives the sections their anchors and the deeper top-level
 * headings their ids (priv->heading_ids), unique among every id of the
 * page; call once, after the objects are found. */
void md__assign_anchors(struct md_doc *doc, cmark_node *root);
/* html.c: renders the tree once, with placeholders where formulas and
 * witnesses go, into the doc's HTML fields; then releases the tree. */
void md__prerender(struct md_doc *doc);

/* links.c: records link or image n, which starts on body line
 * body_line, in doc->links when its destination is relative. */
void md__found_link(struct md_doc *doc, cmark_node *n, int body_line);
void md__free_links(struct md_doc *doc);
/* links.c: the href a relative destination gets on the published page
 * (see links.c), or NULL to leave it as written.  The caller frees. */
char *md__link_href(const struct md_doc *doc, const char *url);

#endif
