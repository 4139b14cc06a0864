/*
 * markdown.h -- a page body through cmark-gfm: parsed once, inspected for
 * the objects later stages need (math, code witnesses, sections), then
 * rendered to HTML once those stages have filled in their results.
 *
 * The only stage that sees cmark_node.  Raw HTML written in Markdown never
 * reaches the output: it is dropped (tagfilter is on as well).
 *
 *   struct md_doc *doc = md_parse(page, &diags);
 *   ... fill doc->math[i].html, doc->witnesses[i].status ...
 *   md_render(doc, &out);
 *   md_free(doc);
 */
#ifndef FOLIO_MARKDOWN_H
#define FOLIO_MARKDOWN_H

#include <stddef.h>

#include "page/page.h"
#include "util/util.h"

/* One formula: $..$, $$..$$ or a ```math block. */
struct md_math {
	char *tex;       /* the TeX */
	int display;     /* 1 for $$..$$ and ```math */
	int block;       /* 1 for a ```math block (a div; otherwise a span) */
	char *id;        /* ```math id=NAME: the object eq:NAME; else NULL */
	int line;        /* file line of the TeX's first character */
	int col;         /* its column for a ```math block; 0 otherwise (ask
	                    md_math_locate, which finds it) */
	char *html;      /* in: KaTeX's HTML, set by the caller; owned */
	char key[65];    /* in: the caller's cache key for it, or "" */
	void *node;      /* private */
};

enum md_witness_status {
	MD_WITNESS_UNRUN,   /* not run (check failed before, or no runner) */
	MD_WITNESS_PASS,
	MD_WITNESS_FAIL,
};

/* One ```c witness=NAME block and the ```output block after it. */
struct md_witness {
	char *name;          /* the object code:NAME */
	char *code;          /* the C program */
	int line;            /* file line of the opening fence */
	int code_line;       /* file line of the program's first line */
	char *expected;      /* the output block's text */
	int expected_line;   /* file line of the output block's first line */
	double tol;          /* output tol=..., when has_tol */
	int has_tol;
	/* in: set by the caller after running */
	enum md_witness_status status;
	double ms;           /* run time */
	int cached;          /* result came from the cache */
	char hash[65];       /* cache key */
	void *node;          /* private */
	void *output_node;   /* private */
};

/* One level-2 section of the body. */
struct md_section {
	char *name;        /* heading text */
	char *anchor;      /* unique id on the page */
	int line;          /* file line of the heading */
	int standard;      /* 0..3 for Intuition, Math, Code, Interactive Demo; -1 */
	int has_content;   /* at least one block after the heading */
	char *html;        /* the section's HTML, heading excluded (complete
	                      after md_render) */
	char *name_html;   /* the heading's content as HTML (math typeset after
	                      md_render), without the <h2> tags */
};

/* A relative link or image of the body (links.c): read from the page's
 * source file, as GitHub reads it. */
enum md_link_kind {
	MD_LINK_FRAGMENT,  /* "#x": an element of this page */
	MD_LINK_PAGE,      /* "b.md", "../f/b.md#x": the page target */
	MD_LINK_FILE,      /* anything else: target, a path under content/
	                      ("t/warp.svg"; a folder ends in '/') */
	MD_LINK_OUTSIDE,   /* "../../x": climbs out of content/ */
};

struct md_link {
	enum md_link_kind kind;
	int image;         /* ![..](..) */
	char *dest;        /* the destination as written */
	char *target;      /* the page id or the path; NULL for the others */
	char *fragment;    /* after '#', or NULL */
	int line, col;     /* where the link starts in the file */
};

struct md_doc {
	const struct page *page;
	struct md_math *math;
	size_t nmath;
	struct md_witness *witnesses;
	size_t nwitnesses;
	struct md_section *sections;
	size_t nsections;
	size_t words;         /* words of prose, for reading time */
	char *intro_html;     /* text before the first section (complete after
	                         md_render) */
	char *footnotes_html; /* the footnotes, or "" (complete after md_render) */
	struct md_link *links;  /* relative links and images, in order */
	size_t nlinks, links_cap;
	char **ids;           /* every id the page will have that folio knows:
	                         headings, objects, footnotes, front matter's,
	                         the template's own (anchors.c) */
	size_t nids;
	void *priv;           /* private */
};

/* The four standard sections, in order. */
extern const char *const md_standard_sections[4];

/* Registers cmark-gfm's extensions.  md_parse does it too; call it once
 * before parsing from several threads, since the registry is global. */
void md_global_init(void);

/* Parses the body of p (which must outlive the doc) and renders it to HTML
 * with placeholders where formulas and witnesses go; no tree is kept.
 * Reports malformed
 * fences (a witness without an output block, an output block without a
 * witness, duplicate witness or equation names, unknown fence attributes)
 * as errors and still returns the doc; returns NULL only when p has no
 * body to parse (never, in practice).  Free with md_free. */
struct md_doc *md_parse(const struct page *p, struct diags *d);
/* md_parse without the HTML, for folio check, which needs the objects
 * only: the same doc and reports, with intro_html, the sections' html and
 * name_html and footnotes_html NULL until md_render (which parses the body
 * again to render it). */
struct md_doc *md_scan(const struct page *p, struct diags *d);
/* Completes the body's HTML in doc (intro_html, each section's html and
 * name_html, footnotes_html) with the formulas' html and the witnesses'
 * results.  A formula whose html is NULL is shown as escaped TeX.  Call it
 * once. */
void md_render(struct md_doc *doc);
void md_free(struct md_doc *doc);

/* Maps byte offset off within m->tex to the file line and column of that
 * character (for KaTeX errors, which give an offset into the TeX). */
void md_math_locate(const struct md_doc *doc, const struct md_math *m,
    size_t off, int *line, int *col);

/* 1 when the page of doc will have an element with this id. */
int md_has_id(const struct md_doc *doc, const char *id);

/* Turns heading text into an anchor: lowercase ASCII letters and digits,
 * other runs become '-'.  The caller frees. */
char *md_slug(const char *text);

#endif
