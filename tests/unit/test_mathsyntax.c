/* test_mathsyntax.c -- $..$ / $$..$$ syntax, the $$-line prepass, and exact
 * source positions of offsets inside math. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cmark-gfm-core-extensions.h>

#include "markdown/mathsyntax.h"
#include "util/util.h"

/* A parsed document: the root, and the math nodes in document order. */
struct doc {
	cmark_syntax_extension *ext;
	cmark_parser *parser;
	cmark_node *root;
	char *text;       /* the text after the prepass */
	size_t len;
	cmark_node *math[16];
	size_t nmath;
	int emph;         /* emphasis or strong nodes seen */
};

static void doc_parse(struct doc *d, const char *md)
{
	static const char *names[] = {"table", "strikethrough", "autolink",
	    "tagfilter", "tasklist"};
	cmark_iter *it;
	cmark_event_type ev;

	memset(d, 0, sizeof *d);
	cmark_gfm_core_extensions_ensure_registered();
	d->ext = mathsyntax_extension_new();
	d->parser = cmark_parser_new(CMARK_OPT_FOOTNOTES);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		cmark_parser_attach_syntax_extension(d->parser,
		    cmark_find_syntax_extension(names[i]));
	cmark_parser_attach_syntax_extension(d->parser, d->ext);
	d->text = mathsyntax_prepass(md, strlen(md), &d->len);
	cmark_parser_feed(d->parser, d->text, d->len);
	d->root = cmark_parser_finish(d->parser);
	it = cmark_iter_new(d->root);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (mathsyntax_node_math(n) && d->nmath < 16)
			d->math[d->nmath++] = n;
		if (cmark_node_get_type(n) == CMARK_NODE_EMPH ||
		    cmark_node_get_type(n) == CMARK_NODE_STRONG)
			d->emph++;
	}
	cmark_iter_free(it);
}

static char *doc_html(struct doc *d)
{
	return cmark_render_html(d->root, CMARK_OPT_FOOTNOTES,
	    cmark_parser_get_syntax_extensions(d->parser));
}

static void doc_free(struct doc *d)
{
	cmark_node_free(d->root);
	cmark_parser_free(d->parser);
	mathsyntax_extension_free(d->ext);
	free(d->text);
}

/* ---- what is math and what is not */

struct syntax_case {
	const char *md;
	const char *math[3];   /* expected TeX of each math node, in order */
	int kind[3];           /* 1 inline, 2 display */
	const char *html;      /* expected HTML when given */
};

static const struct syntax_case syntax_cases[] = {
	{"$5 and $6", {0}, {0}, "<p>$5 and $6</p>\n"},
	{"costs \\$5, or $x$.", {"x"}, {1}, "<p>costs $5, or <code>x</code>.</p>\n"},
	{"$a\\$b$", {"a\\$b"}, {1}, NULL},
	{"$ x$", {0}, {0}, "<p>$ x$</p>\n"},
	{"$x $", {0}, {0}, "<p>$x $</p>\n"},
	{"$x$5", {0}, {0}, "<p>$x$5</p>\n"},
	{"$x$5 and $y$", {"y"}, {1}, NULL},
	{"$$a$$", {"a"}, {2}, NULL},
	{"see $$ a + b $$ here", {" a + b "}, {2}, NULL},
	{"$$ $$ and", {0}, {0}, "<p>$$ $$ and</p>\n"},
	{"$$x$ y", {0}, {0}, "<p>$$x$ y</p>\n"},
	{"$a*b*c_d_e_$", {"a*b*c_d_e_"}, {1}, NULL},
	{"*x $a*b$ y*", {"a*b"}, {1}, NULL},
	{"$\\frac{1}{2} < \\alpha \\\\$", {"\\frac{1}{2} < \\alpha \\\\"}, {1},
	    "<p><code>\\frac{1}{2} &lt; \\alpha \\\\</code></p>\n"},
	{"$<b>x</b>$", {"<b>x</b>"}, {1}, NULL},
	{"$[a](b)$ and `$c$`", {"[a](b)"}, {1}, NULL},
	{"two $a$ and $b$ and $$c$$", {"a", "b", "c"}, {1, 1, 2}, NULL},
	{"$x\ny$ over lines", {"x\ny"}, {1}, NULL},
	{"| a | b |\n|---|---|\n| $x^2$ | $\\|y\\|$ |\n", {"x^2", "|y|"}, {1, 1}, NULL},
	{"- $a_1$\n- b $$c$$\n", {"a_1", "c"}, {1, 2}, NULL},
	{"# The $x_i$ case\n", {"x_i"}, {1}, NULL},
	{"t[^1]\n\n[^1]: see $f(x)$\n", {"f(x)"}, {1}, NULL},
	{"[link $x$](http://e.org/$1$)", {"x"}, {1}, NULL},
};

static void test_syntax(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof syntax_cases / sizeof *syntax_cases; c++) {
		const struct syntax_case *sc = &syntax_cases[c];
		struct doc d;
		size_t want = 0;
		doc_parse(&d, sc->md);
		while (want < 3 && sc->math[want])
			want++;
		if (d.nmath != want)
			fail_msg("case %zu (%s): %zu math nodes, want %zu", c,
			    sc->md, d.nmath, want);
		for (size_t i = 0; i < want; i++) {
			const char *lit = cmark_node_get_literal(d.math[i]);
			if (strcmp(lit, sc->math[i]) != 0 ||
			    mathsyntax_node_math(d.math[i]) != sc->kind[i])
				fail_msg("case %zu (%s): math %zu is %s (%d), want %s (%d)",
				    c, sc->md, i, lit,
				    mathsyntax_node_math(d.math[i]),
				    sc->math[i], sc->kind[i]);
		}
		if (sc->html) {
			char *html = doc_html(&d);
			if (strcmp(html, sc->html) != 0)
				fail_msg("case %zu: html %s", c, html);
			free(html);
		}
		doc_free(&d);
	}
}

/* Inside math, Markdown emphasis does not happen. */
static void test_no_markdown_inside(void **state)
{
	struct doc d;
	(void)state;
	doc_parse(&d, "$a*b*c$ and $_x_$ and *real*");
	assert_int_equal(d.nmath, 2);
	assert_int_equal(d.emph, 1);
	doc_free(&d);
}

/* Math inside table cells, list items, headings and footnotes sits where
 * it was written. */
static void test_containers(void **state)
{
	struct doc d;
	(void)state;
	doc_parse(&d, "| h |\n|---|\n| $x$ |\n\n- $y$\n\n## $z$\n\nt[^1]\n\n[^1]: $w$\n");
	assert_int_equal(d.nmath, 4);
	assert_string_equal(cmark_node_get_type_string(
	    cmark_node_parent(d.math[0])), "table_cell");
	assert_int_equal(cmark_node_get_type(cmark_node_parent(
	    cmark_node_parent(d.math[1]))), CMARK_NODE_ITEM);
	assert_int_equal(cmark_node_get_type(cmark_node_parent(d.math[2])),
	    CMARK_NODE_HEADING);
	assert_int_equal(cmark_node_get_type(cmark_node_parent(
	    cmark_node_parent(d.math[3]))), CMARK_NODE_FOOTNOTE_DEFINITION);
	assert_string_equal(cmark_node_get_literal(d.math[3]), "w");
	doc_free(&d);
}

/* ---- prepass */

struct prepass_case {
	const char *in, *out;
};

static const struct prepass_case prepass_cases[] = {
	{"a\n\n$$\nx^2\n$$\n\nb\n", "a\n\n```math\nx^2\n```\n\nb\n"},
	{"$$  \n\\int\n\n f\n  $$\t\n", "```math\n\\int\n\n f\n  ```\n"},
	{"```\n$$\nno\n$$\n```\n", "```\n$$\nno\n$$\n```\n"},
	{"~~~~md\n$$\n~~~\n$$\n~~~~\n$$\nx\n$$", "~~~~md\n$$\n~~~\n$$\n~~~~\n```math\nx\n```"},
	{"only $$\nx\n$$ here\n", "only $$\nx\n$$ here\n"},
	{"$$\nunpaired\n", "$$\nunpaired\n"},
	{"    $$\ncode\n    $$\n", "    $$\ncode\n    $$\n"},
	{"> $$\n> x\n> $$\n", "> ```math\n> x\n> ```\n"},
	{"- item\n\n  $$\n  y\n  $$\n", "- item\n\n  ```math\n  y\n  ```\n"},
	{"$$\r\na\r\n$$\r\n", "```math\r\na\r\n```\r\n"},
	{"$$\n```\n$$\n", "````math\n```\n````\n"},
	{"$$\na\n$$\n$$\nb\n$$\n", "```math\na\n```\n```math\nb\n```\n"},
	/* code fences opened on a list-marker line, closed in the item */
	{"- ```\n  $$\n  c\n  $$\n  ```\n$$\nx\n$$\n",
	 "- ```\n  $$\n  c\n  $$\n  ```\n```math\nx\n```\n"},
	{"1. ~~~\n   $$\n   ~~~\n$$\nx\n$$\n",
	 "1. ~~~\n   $$\n   ~~~\n```math\nx\n```\n"},
	{"3) ```\n   $$\n   ```\n\n$$\nx\n$$\n",
	 "3) ```\n   $$\n   ```\n\n```math\nx\n```\n"},
	{"- a\n  - ```\n    $$\n    ```\n$$\nx\n$$\n",
	 "- a\n  - ```\n    $$\n    ```\n```math\nx\n```\n"},
	{"> - ```\n>   $$\n>   ```\n\n$$\nx\n$$\n",
	 "> - ```\n>   $$\n>   ```\n\n```math\nx\n```\n"},
	/* a fence in a list item ends with the item */
	{"- ```\n  $$\n\n$$\nx\n$$\n", "- ```\n  $$\n\n```math\nx\n```\n"},
	/* `$$` lines pair within one container only */
	{"> $$\n> a\n$$\n", "> $$\n> a\n$$\n"},
	{"- i\n  $$\n  a\n$$\n", "- i\n  $$\n  a\n$$\n"},
	{"- $$\n- $$\n", "- $$\n- $$\n"},
	{"> $$\n\n> $$\n", "> $$\n\n> $$\n"},
	{"- $$\n  a\n  $$\n", "- ```math\n  a\n  ```\n"},
	{"1. x\n\n   $$\n   a\n\n   $$\n", "1. x\n\n   ```math\n   a\n\n   ```\n"},
	{"> - $$\n>   a\n>   $$\n", "> - ```math\n>   a\n>   ```\n"},
	/* a `$$` right after a quote's paragraph is a lazy line of it */
	{"> q\n$$\na\n$$\n", "> q\n$$\na\n$$\n"},
	{"> q\n\n$$\na\n$$\n", "> q\n\n```math\na\n```\n"},
	/* an unpaired `$$` in a container leaves what follows alone */
	{"> $$\n> a\n\n$$\nb\n$$\n", "> $$\n> a\n\n```math\nb\n```\n"},
	/* "- - -" is a thematic break, not two list items */
	{"- - -\n$$\na\n$$\n", "- - -\n```math\na\n```\n"},
	/* nothing inside an HTML block is rewritten, and its `$$` lines
	 * pair with none outside it */
	{"<!--\n$$\n-->\n\nx\n\n$$\n\n## B\n", "<!--\n$$\n-->\n\nx\n\n$$\n\n## B\n"},
	{"<div>\n$$\n\nx\n$$\n", "<div>\n$$\n\nx\n$$\n"},
	{"<PRE class=x>\n$$\n\n$$\n</pre>\n$$\na\n$$\n",
	 "<PRE class=x>\n$$\n\n$$\n</pre>\n```math\na\n```\n"},
	{"<?php\n$$\n?>\n$$\na\n$$\n", "<?php\n$$\n?>\n```math\na\n```\n"},
	{"<!DOCTYPE x\n$$\n>\n$$\na\n$$\n", "<!DOCTYPE x\n$$\n>\n```math\na\n```\n"},
	{"<![CDATA[\n$$\n]]>\n$$\na\n$$\n", "<![CDATA[\n$$\n]]>\n```math\na\n```\n"},
	{"</table>\n$$\n\n$$\na\n$$\n", "</table>\n$$\n\n```math\na\n```\n"},
	{"<a href=\"u\" b = 'v' c>\n$$\na\n$$\n", "<a href=\"u\" b = 'v' c>\n$$\na\n$$\n"},
	/* ends on its first line */
	{"<!-- c -->\n$$\na\n$$\n", "<!-- c -->\n```math\na\n```\n"},
	{"<!-->\n$$\na\n$$\n", "<!-->\n```math\na\n```\n"},
	/* kinds 1-6 interrupt a paragraph, kind 7 does not */
	{"p\n<div>\n$$\na\n$$\n", "p\n<div>\n$$\na\n$$\n"},
	{"p\n<span>\n$$\na\n$$\n", "p\n<span>\n```math\na\n```\n"},
	/* (but in cmark it starts on a would-be lazy line) */
	{"> p\n<span>\n```\n\n$$\na\n$$\n",
	 "> p\n<span>\n```\n\n```math\na\n```\n"},
	/* not HTML blocks: an incomplete tag, a tag with text after it,
	 * indented code */
	{"<a href=\"u\n$$\na\n$$\n", "<a href=\"u\n```math\na\n```\n"},
	{"<span> t\n$$\na\n$$\n", "<span> t\n```math\na\n```\n"},
	{"    <div>\n$$\na\n$$\n", "    <div>\n```math\na\n```\n"},
	/* as cmark-gfm 0.29 reads them: <textarea> is kind 7, "<!" needs
	 * an upper-case letter */
	{"<textarea>\n$$\n\n$$\na\n$$\n", "<textarea>\n$$\n\n```math\na\n```\n"},
	{"<!doctype x\n$$\na\n$$\n", "<!doctype x\n```math\na\n```\n"},
	/* in containers; one ends with its container */
	{"- <!--\n  $$\n  -->\n  $$\n  a\n  $$\n",
	 "- <!--\n  $$\n  -->\n  ```math\n  a\n  ```\n"},
	{"- <div>\n  $$\n$$\na\n$$\n", "- <div>\n  $$\n```math\na\n```\n"},
	{"- <div>\n\n  $$\n  a\n  $$\n", "- <div>\n\n  ```math\n  a\n  ```\n"},
	{"> <!--\n> $$\n> -->\n> $$\n> a\n> $$\n",
	 "> <!--\n> $$\n> -->\n> ```math\n> a\n> ```\n"},
	{"> <div>\n> $$\n\n$$\na\n$$\n", "> <div>\n> $$\n\n```math\na\n```\n"},
	{"> - <pre>\n>   $$\n>   $$\n\n$$\na\n$$\n",
	 "> - <pre>\n>   $$\n>   $$\n\n```math\na\n```\n"},
};

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

static void test_prepass(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof prepass_cases / sizeof *prepass_cases; c++) {
		const struct prepass_case *pc = &prepass_cases[c];
		size_t n;
		char *out = mathsyntax_prepass(pc->in, strlen(pc->in), &n);
		if (strcmp(out, pc->out) != 0)
			fail_msg("prepass case %zu: got \"%s\"", c, out);
		assert_int_equal(n, strlen(out));
		assert_int_equal(count_lines(out, n),
		    count_lines(pc->in, strlen(pc->in)));
		free(out);
	}
}

/* The prepass turns a $$ block into a ```math code block whose literal is
 * the TeX, on the lines where it was written. */
static void test_prepass_block(void **state)
{
	struct doc d;
	cmark_node *cb;
	(void)state;
	doc_parse(&d, "Intro *text*.\n\n$$\n\\sum_i x_i*y_i\n$$\n\nAfter.\n");
	cb = cmark_node_next(cmark_node_first_child(d.root));
	assert_int_equal(cmark_node_get_type(cb), CMARK_NODE_CODE_BLOCK);
	assert_string_equal(cmark_node_get_fence_info(cb), "math");
	assert_string_equal(cmark_node_get_literal(cb), "\\sum_i x_i*y_i\n");
	assert_int_equal(cmark_node_get_start_line(cb), 3);
	assert_int_equal(cmark_node_get_end_line(cb), 5);
	assert_int_equal(cmark_node_get_start_line(cmark_node_next(cb)), 7);
	doc_free(&d);
}

/* ---- positions */

struct locate_case {
	const char *md;
	size_t which;   /* index of the math node */
	size_t off;     /* offset into its TeX */
	int line, col;
};

static const struct locate_case locate_cases[] = {
	{"Let $x^2$ be.", 0, 0, 1, 6},
	{"Let $x^2$ be.", 0, 2, 1, 8},
	{"Let $x^2$ be.", 0, 3, 1, 9},                  /* end: the closer */
	{"First line\n   then $a +\n   b^{2$ end", 0, 4, 3, 4},
	{"First line\n   then $a +\n   b^{2$ end", 0, 6, 3, 6},
	{"a `x\ny` b\nc $q$", 0, 0, 3, 4},              /* after a multi-line span */
	{"$p$ a `x\ny` b\nc $$r + s$$", 1, 2, 3, 7},
	{"| h | i |\n|---|---|\n| a $\\|x\\|^2$ | $yy$ |", 0, 3, 3, 11},
	{"| h | i |\n|---|---|\n| a $\\|x\\|^2$ | $yy$ |", 1, 1, 3, 19},
	{"- item\n\n  1. nested $a$ and\n     more $b + c$\n", 1, 2, 4, 14},
	{"intro\n\n## Title with $\\alpha$\n", 0, 1, 3, 17},
	{"Setext $h$\n---\n", 0, 0, 1, 9},
	{"Text[^n].\n\n[^n]: A note $e^{i\\pi}$\n    on two $z$ lines.\n", 1, 0, 4, 13},
	{"Text[^n].\n\n[^n]: A note $e^{i\\pi}$\n", 0, 3, 3, 18},
	{"\xc3\xa9 $ab$", 0, 1, 1, 5},
	{"> quote $a$\n> and $bc$\n", 1, 1, 2, 9},
	{"> quote\nlazy $a$\n", 0, 0, 2, 7},
	{"x $$\\frac{1}{2}$$ y", 0, 0, 1, 5},
	{"$$a\n  = b$$", 0, 4, 2, 5},
	{"$x$ and $x$", 1, 0, 1, 10},
	{"*em $k$* and **$l$**", 1, 0, 1, 17},
	{"- [ ] task $t\\$$ done\n", 0, 1, 1, 14},
	/* a table right under paragraph lines (cmark-gfm misplaces these) */
	{"Some $s$ text\nmore $m$\n| a $x$ | b |\n|---|---|\n| $y$ | d |\n", 2, 0, 3, 6},
	{"Some $s$ text\nmore $m$\n| a $x$ | b |\n|---|---|\n| $y$ | d |\n", 0, 0, 1, 7},
	{"Some $s$ text\nmore $m$\n| a $x$ | b |\n|---|---|\n| $y$ | d |\n", 1, 0, 2, 7},
	{"Some $s$ text\nmore $m$\n| a $x$ | b |\n|---|---|\n| $y$ | d |\n", 3, 0, 5, 4},
	{"# H\ntext $t$\n| a | $x$ |\n|---|---|\n", 0, 0, 2, 7},
	{"# H\ntext $t$\n| a | $x$ |\n|---|---|\n", 1, 0, 3, 8},
	{"a | $b$\n--|--\nc\\|d | $c$\n", 1, 0, 3, 9},
};

static void test_locate(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof locate_cases / sizeof *locate_cases; c++) {
		const struct locate_case *lc = &locate_cases[c];
		struct doc d;
		int line = -1, col = -1;
		doc_parse(&d, lc->md);
		if (lc->which >= d.nmath)
			fail_msg("locate case %zu: only %zu math nodes", c, d.nmath);
		mathsyntax_locate(lc->md, strlen(lc->md), d.math[lc->which],
		    lc->off, &line, &col);
		if (line != lc->line || col != lc->col)
			fail_msg("locate case %zu (%s): %d:%d, want %d:%d", c,
			    lc->md, line, col, lc->line, lc->col);
		doc_free(&d);
	}
}

static cmark_node *find_block(cmark_node *n)
{
	for (; n; n = cmark_node_next(n)) {
		cmark_node *c;
		if (cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK)
			return n;
		if ((c = find_block(cmark_node_first_child(n))))
			return c;
	}
	return NULL;
}

static void test_locate_block(void **state)
{
	static const struct locate_case cases[] = {
		{"text\n\n$$\n\\frac{a}{b\n$$\n", 0, 9, 4, 10},
		{"text\n\n$$\nx\n\\frac{a}{b\n$$\n", 0, 11, 5, 10},
		{"- item\n\n  ```math\n  x + y\n  ```\n", 0, 2, 4, 5},
		{"> ```math id=e\n> a\n>   b}\n> ```\n", 0, 4, 3, 5},
		{"```math\nx^\n```\n", 0, 2, 2, 3},        /* end of input */
	};
	(void)state;
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct doc d;
		int line = -1, col = -1;
		cmark_node *cb;
		doc_parse(&d, cases[c].md);
		cb = find_block(d.root);
		assert_non_null(cb);
		mathsyntax_locate_block(cases[c].md, strlen(cases[c].md), cb,
		    cases[c].off, &line, &col);
		if (line != cases[c].line || col != cases[c].col)
			fail_msg("block case %zu: %d:%d, want %d:%d", c, line,
			    col, cases[c].line, cases[c].col);
		doc_free(&d);
	}
}

/* A node that is not math is located at cmark's own position and is not
 * mistaken for math. */
static void test_not_math_node(void **state)
{
	struct doc d;
	int line, col;
	cmark_node *code;
	(void)state;
	doc_parse(&d, "a `code` b");
	code = cmark_node_next(cmark_node_first_child(
	    cmark_node_first_child(d.root)));
	assert_int_equal(cmark_node_get_type(code), CMARK_NODE_CODE);
	assert_int_equal(mathsyntax_node_math(code), 0);
	mathsyntax_locate("a `code` b", 10, code, 0, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, cmark_node_get_start_column(code));
	assert_int_equal(mathsyntax_node_math(NULL), 0);
	mathsyntax_extension_free(NULL);
	doc_free(&d);
}

/* Property test on random documents: for every math node and every
 * non-blank character of its TeX, mathsyntax_locate points at that very character in
 * the source (a table cell's "|" may be written "\\|").  The pieces are
 * ASCII, so a column is a byte offset plus one. */
static void test_locate_random(void **state)
{
	static const char *pieces[] = {"$", "$", "$$", "a", "b", " ", " ",
	    "\n", "\n", "\\", "\\$", "*", "_", "`", "x^2", "| ", " |",
	    "\\|", "- ", "> ", "# ", "1. ", "   ", "[^1]", "{",
	    "}", "\n|---|---|\n", "\n\n", "<b>", "~", "\t"};
	enum { NP = sizeof pieces / sizeof *pieces };
	uint32_t seed = (uint32_t)(getenv("SEED") ? atoi(getenv("SEED")) : 12345);
	size_t checked = 0;
	(void)state;
	for (int doc = 0; doc < 20000; doc++) {
		struct buf md = {0};
		struct doc d;
		int npieces = 1 + (int)(seed % 40);
		for (int k = 0; k < npieces; k++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&md, pieces[(seed >> 16) % NP]);
		}
		seed = seed * 1103515245u + 12345u;
		doc_parse(&d, md.data);
		for (size_t m = 0; m < d.nmath; m++) {
			const char *tex = cmark_node_get_literal(d.math[m]);
			for (size_t off = 0; tex[off]; off++) {
				int line, col;
				const char *p = md.data;
				/* Blanks are skipped: where a tab was half
				 * consumed by nested containers, which column
				 * a space stands for is moot. */
				if (tex[off] == '\n' || tex[off] == ' ' ||
				    tex[off] == '\t')
					continue;
				mathsyntax_locate(md.data, md.len, d.math[m], off,
				    &line, &col);
				for (int l = 1; l < line && p; l++) {
					p = strchr(p, '\n');
					p = p ? p + 1 : NULL;
				}
				if (!p || col < 1 || (size_t)(col - 1) >
				    strcspn(p, "\n"))
					fail_msg("doc %d: %d:%d out of range in \"%s\"",
					    doc, line, col, md.data);
				char got = p[col - 1];
				if (got != tex[off] && !(tex[off] == '|' &&
				    got == '\\' && p[col] == '|'))
					fail_msg("doc %d math %zu off %zu: '%c' at %d:%d, "
					    "want '%c' in \"%s\"", doc, m, off, got,
					    line, col, tex[off], md.data);
				checked++;
			}
		}
		doc_free(&d);
		buf_free(&md);
	}
	assert_true(checked > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_no_markdown_inside),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_prepass),
		cmocka_unit_test(test_prepass_block),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_locate_block),
		cmocka_unit_test(test_not_math_node),
		cmocka_unit_test(test_locate_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
