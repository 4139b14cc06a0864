/*
 * mathsyntax.c -- $..$ and $$..$$ for cmark-gfm, and
 * mapping offsets in TeX back to the Markdown source.
 *
 * Divisions (the `$$`-line prepass is in prepass.c):
 *   lines      reading the body line by line
 *   extension  the inline syntax extension and its match function
 *   locate     offsets in a math node's TeX -> line:col in the body
 */
#include "markdown/mathsyntax.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define MATH_MAGIC 0x6d617468u /* "math" */

/* The text of one line of a block, as cmark's inline parser saw it (from
 * the line's start to its end), shared by the math nodes that open on
 * that line: a line of N formulas is copied once, not N times. */
struct linetext {
	int refs;     /* math nodes holding it */
	size_t len;   /* bytes in text */
	char text[];  /* not NUL-terminated */
};

/* What the extension remembers about each math node (its user data). */
struct mathinfo {
	unsigned magic;          /* MATH_MAGIC */
	int kind;                /* 1 inline, 2 display */
	int pos;                 /* the opener's offset in the block's text */
	int line_start;          /* offset of the opener's line in it */
	int nl_before;           /* newlines in the block's text before pos */
	int nl_total;            /* newlines in the block's text, not
	                            counting those at its end */
	struct linetext *line;   /* the opener's line; lead = its first
	                            pos - line_start bytes */
};
/* ---- lines */

/* One physical line of the input: [start, end) without its line ending. */
struct line {
	const char *s;
	size_t n;      /* bytes before the line ending */
	size_t full;   /* bytes including the line ending */
};

static struct line line_at(const char *text, size_t len, size_t pos)
{
	struct line l = {text + pos, 0, 0};
	const char *nl = memchr(text + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - text) : len;
	l.n = end - pos;
	l.full = nl ? l.n + 1 : l.n;
	if (l.n > 0 && l.s[l.n - 1] == '\r')
		l.n--;
	return l;
}

/* ---- extension */

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static void info_free(cmark_mem *mem, void *p)
{
	struct mathinfo *mi = p;
	(void)mem;
	if (mi) {
		if (--mi->line->refs == 0)
			free(mi->line);
		free(mi);
	}
}

static struct mathinfo *info_of(cmark_node *node)
{
	struct mathinfo *mi;
	if (!node || cmark_node_get_type(node) != CMARK_NODE_CODE ||
	    !cmark_node_get_syntax_extension(node))
		return NULL;
	mi = cmark_node_get_user_data(node);
	return mi && mi->magic == MATH_MAGIC ? mi : NULL;
}

/* The last math node among n, its previous siblings and their
 * descendants (a formula in a link's text is inside the link node), or
 * NULL.  Called on the inline parser's latest node, it finds the formula
 * before the one being matched; each node between two formulas is passed
 * over once, so a block's formulas cost linear time in all. */
static struct mathinfo *last_math(cmark_node *n)
{
	for (; n; n = cmark_node_previous(n)) {
		struct mathinfo *mi = info_of(n);
		if (!mi && cmark_node_last_child(n))
			mi = last_math(cmark_node_last_child(n));
		if (mi)
			return mi;
	}
	return NULL;
}

/* Fills in where the opener at chunk offset pos is: its line and the
 * newlines before it, counted on from the formula before it in the same
 * block (prev, or NULL for the first), so that each byte of the block is
 * looked at a bounded number of times. */
static void info_place(struct mathinfo *mi, const struct mathinfo *prev,
    cmark_inline_parser *ip, int pos)
{
	int i = 0, end;
	unsigned char c;

	mi->pos = pos;
	if (prev) {
		i = prev->pos;
		mi->nl_before = prev->nl_before;
		mi->line_start = prev->line_start;
		mi->nl_total = prev->nl_total;
	} else {
		/* The text may end with its last line's newline. */
		int trailing = 0;
		for (int k = 0; (c = cmark_inline_parser_peek_at(ip, k)); k++)
			if (c == '\n')
				mi->nl_total++, trailing++;
			else if (!is_blank(c))
				trailing = 0;
		mi->nl_total -= trailing;
	}
	for (; i < pos; i++)
		if (cmark_inline_parser_peek_at(ip, i) == '\n') {
			mi->nl_before++;
			mi->line_start = i + 1;
		}
	if (prev && prev->line_start == mi->line_start) {
		mi->line = prev->line;
		mi->line->refs++;
		return;
	}
	for (end = mi->line_start; (c = cmark_inline_parser_peek_at(ip, end)) &&
	    c != '\n'; end++)
		;
	mi->line = xmalloc(sizeof *mi->line + (size_t)(end - mi->line_start));
	mi->line->refs = 1;
	mi->line->len = (size_t)(end - mi->line_start);
	for (i = mi->line_start; i < end; i++)
		mi->line->text[i - mi->line_start] =
		    (char)cmark_inline_parser_peek_at(ip, i);
}

/* Finds the end of the TeX that starts at chunk position from: the
 * position of the first unescaped delimiter of ndelim dollars.  Returns -1
 * when there is none. */
static int find_close(cmark_inline_parser *ip, int from, int ndelim)
{
	for (int i = from;; i++) {
		unsigned char c = cmark_inline_parser_peek_at(ip, i);
		if (c == 0)
			return -1;
		if (c == '\\') {
			if (cmark_inline_parser_peek_at(ip, i + 1) == 0)
				return -1;
			i++;
		} else if (c == '$') {
			if (ndelim == 1 ||
			    cmark_inline_parser_peek_at(ip, i + 1) == '$')
				return i;
		}
	}
}

static cmark_node *make_text(cmark_inline_parser *ip, int pos, int n)
{
	cmark_node *t = cmark_node_new(CMARK_NODE_TEXT);
	char lit[3] = "$$";
	lit[n] = 0;
	cmark_node_set_literal(t, lit);
	cmark_inline_parser_set_offset(ip, pos + n);
	return t;
}

static cmark_node *match(cmark_syntax_extension *ext, cmark_parser *parser,
    cmark_node *parent, unsigned char c, cmark_inline_parser *ip)
{
	int pos, ndelim, start, end, i;
	struct mathinfo *mi;
	cmark_node *node;
	char *tex;

	(void)parser;
	if (c != '$')
		return NULL;
	pos = cmark_inline_parser_get_offset(ip);
	ndelim = cmark_inline_parser_peek_at(ip, pos + 1) == '$' ? 2 : 1;
	start = pos + ndelim;
	if (ndelim == 1) {
		unsigned char first = cmark_inline_parser_peek_at(ip, start);
		unsigned char last, after;
		if (first == 0 || is_blank(first))
			return NULL;
		end = find_close(ip, start, 1);
		if (end < 0)
			return NULL;
		last = cmark_inline_parser_peek_at(ip, end - 1);
		after = cmark_inline_parser_peek_at(ip, end + 1);
		if (is_blank(last) || (after >= '0' && after <= '9'))
			return NULL;
	} else {
		int blank = 1;
		end = find_close(ip, start, 2);
		for (i = start; end >= 0 && i < end; i++)
			if (!is_blank(cmark_inline_parser_peek_at(ip, i)))
				blank = 0;
		/* "$$" that opens nothing is text, so that its second dollar
		 * does not open inline math. */
		if (end < 0 || blank)
			return make_text(ip, pos, 2);
	}

	tex = xmalloc((size_t)(end - start) + 1);
	for (i = start; i < end; i++)
		tex[i - start] = (char)cmark_inline_parser_peek_at(ip, i);
	tex[end - start] = 0;

	mi = xcalloc(1, sizeof *mi);
	mi->magic = MATH_MAGIC;
	mi->kind = ndelim;
	info_place(mi, last_math(cmark_node_last_child(parent)), ip, pos);

	node = cmark_node_new(CMARK_NODE_CODE);
	cmark_node_set_literal(node, tex);
	free(tex);
	cmark_node_set_syntax_extension(node, ext);
	cmark_node_set_user_data(node, mi);
	cmark_node_set_user_data_free_func(node, info_free);
	cmark_inline_parser_set_offset(ip, end + ndelim);
	return node;
}

cmark_syntax_extension *mathsyntax_extension_new(void)
{
	cmark_syntax_extension *ext = cmark_syntax_extension_new("math");
	cmark_mem *mem = cmark_get_default_mem_allocator();
	cmark_llist *special = cmark_llist_append(mem, NULL, (void *)'$');
	cmark_syntax_extension_set_match_inline_func(ext, match);
	cmark_syntax_extension_set_special_inline_chars(ext, special);
	return ext;
}

void mathsyntax_extension_free(cmark_syntax_extension *ext)
{
	if (ext)
		cmark_syntax_extension_free(cmark_get_default_mem_allocator(),
		    ext);
}

int mathsyntax_node_math(cmark_node *node)
{
	struct mathinfo *mi = info_of(node);
	return mi ? mi->kind : 0;
}

/* ---- locate */

/* The source line number `line` (1-based) of body, or an empty line. */
static struct line body_line(const char *body, size_t len, int line)
{
	size_t pos = 0;
	struct line none = {body + len, 0, 0};
	for (int k = 1; k < line; k++) {
		const char *nl = memchr(body + pos, '\n', len - pos);
		if (!nl)
			return none;
		pos = (size_t)(nl - body) + 1;
	}
	return line_at(body, len, pos);
}

/* Matches frag (as cmark saw it) against the source line from byte p on.
 * A table cell's "\|" is "|" to cmark, so the source may hold a backslash
 * before a pipe that frag lacks; spaces in frag may stand for a tab.  On success stores in *at the source byte
 * that frag[target] came from (or that follows the match, when target is
 * fraglen) and returns 1. */
static int frag_match(const struct line *l, size_t p, const char *frag,
    size_t fraglen, size_t target, size_t *at)
{
	size_t i = p, j = 0;
	for (;;) {
		if (j == target)
			*at = i;
		if (j == fraglen)
			return 1;
		if (i < l->n && l->s[i] == frag[j]) {
			i++, j++;
		} else if (frag[j] == ' ' && i < l->n && l->s[i] == '\t') {
			/* cmark turns the rest of a tab that container
			 * indentation half consumed into spaces */
			while (j + 1 < fraglen && frag[j + 1] == ' ' &&
			    j + 1 != target)
				j++;
			i++, j++;
		} else if (frag[j] == '|' && i + 1 < l->n && l->s[i] == '\\' &&
		    l->s[i + 1] == '|') {
			i++;
		} else {
			return 0;
		}
	}
}

/* Finds frag at the smallest position >= base in line l and gives the
 * 1-based column (code points) of frag[target]. */
static int frag_column(const struct line *l, size_t base, const char *frag,
    size_t fraglen, size_t target)
{
	size_t at = 0;
	for (size_t p = base; p <= l->n; p++)
		if (frag_match(l, p, frag, fraglen, target, &at))
			return utf8_columns(l->s, at) + 1;
	/* Not found (the body is not the parsed text): a best guess. */
	at = base + target < l->n ? base + target : l->n;
	return utf8_columns(l->s, at) + 1;
}

static cmark_node *enclosing_block(cmark_node *node)
{
	while (node && (cmark_node_get_type(node) & CMARK_NODE_TYPE_MASK) !=
	    CMARK_NODE_TYPE_BLOCK)
		node = cmark_node_parent(node);
	return node;
}

static int is_type(cmark_node *n, const char *name)
{
	return n && strcmp(cmark_node_get_type_string(n), name) == 0;
}

/* The line of a table's header row.  cmark-gfm 0.29.0.gfm.6 misplaces the
 * header (and the paragraph left above it, which gets line 0) when the
 * header row followed paragraph lines; the body rows and the table's end
 * are right, and header, delimiter row and first body row are consecutive
 * lines. */
static int header_line(cmark_node *table)
{
	for (cmark_node *c = cmark_node_first_child(table); c;
	    c = cmark_node_next(c))
		if (is_type(c, "table_row"))
			return cmark_node_get_start_line(c) - 2;
	return cmark_node_get_end_line(table) - 1;
}

static int line_blank(const char *body, size_t len, int line)
{
	struct line l = body_line(body, len, line);
	for (size_t i = 0; i < l.n; i++)
		if (l.s[i] != ' ' && l.s[i] != '\t' && l.s[i] != '>')
			return 0;
	return 1;
}

/* The first line in [from, to] that is a setext heading's underline
 * ("===" or "---" after its container prefix); to when there is none.
 * cmark gives a setext heading's end as the underline or the line after
 * it. */
static int setext_underline(const char *body, size_t len, int from, int to)
{
	for (int k = from; k < to; k++) {
		struct line l = body_line(body, len, k);
		size_t i = 0, j;
		while (i < l.n && (l.s[i] == ' ' || l.s[i] == '\t' ||
		    l.s[i] == '>'))
			i++;
		if (i == l.n || (l.s[i] != '=' && l.s[i] != '-'))
			continue;
		for (j = i; j < l.n && l.s[j] == l.s[i]; j++)
			;
		while (j < l.n && (l.s[j] == ' ' || l.s[j] == '\t'))
			j++;
		if (j == l.n)
			return k;
	}
	return to;
}

/* The first source line of the block whose text cmark's inline parser
 * saw (a paragraph, heading or table cell); nl_total is the number of
 * newlines in that text. */
static int block_line(const char *body, size_t len, cmark_node *block,
    int nl_total)
{
	cmark_node *row = cmark_node_parent(block), *next;
	int line, floor;

	if (is_type(block, "table_cell"))
		return is_type(row, "table_header") ?
		    header_line(cmark_node_parent(row)) :
		    cmark_node_get_start_line(row);
	line = cmark_node_get_start_line(block);
	next = cmark_node_next(block);
	if (line > 0 && cmark_node_get_type(block) == CMARK_NODE_PARAGRAPH &&
	    cmark_node_get_end_line(block) - nl_total > line)
		/* cmark keeps a paragraph's start line on the link reference
		 * definitions it took out of it; its last line is right. */
		return cmark_node_get_end_line(block) - nl_total;
	if (line > 0 && cmark_node_get_type(block) == CMARK_NODE_HEADING &&
	    cmark_node_get_end_line(block) > line)
		/* A setext heading: the same, but its last line is the line
		 * before its underline. */
		return setext_underline(body, len, line,
		    cmark_node_get_end_line(block)) - 1 - nl_total;
	if (line > 0 || !is_type(next, "table"))
		return line;
	/* The paragraph that a table's header row was taken from: it ends
	 * just above the header and starts after the blank line or block
	 * before it. */
	line = header_line(next) - 1;
	if (cmark_node_previous(block))
		floor = cmark_node_get_end_line(cmark_node_previous(block));
	else
		floor = cmark_node_get_start_line(cmark_node_parent(block)) - 1;
	while (line - 1 > floor && line - 1 >= 1 &&
	    !line_blank(body, len, line - 1))
		line--;
	return line;
}

/* The byte in line l where the text of block starts, or before it: for a
 * table cell, just after the pipe that opens it (cmark-gfm's cell columns
 * are wrong in a misplaced header row); otherwise cmark's column. */
static size_t block_base(const struct line *l, cmark_node *block)
{
	size_t i = 0;
	int k = 0, col;

	if (is_type(block, "table_cell")) {
		for (cmark_node *c = cmark_node_previous(block); c;
		    c = cmark_node_previous(c))
			k++;
		while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t' ||
		    l->s[i] == '>'))
			i++;
		if (i < l->n && l->s[i] == '|')
			i++;
		for (; k > 0 && i < l->n; i++) {
			if (l->s[i] == '\\')
				i++;
			else if (l->s[i] == '|')
				k--;
		}
		return i <= l->n ? i : l->n;
	}
	col = cmark_node_get_start_column(block);
	return col > 1 && (size_t)(col - 1) <= l->n ? (size_t)(col - 1) : 0;
}

int mathsyntax_line(const char *body, size_t body_len, cmark_node *node)
{
	struct mathinfo *mi = info_of(node);
	cmark_node *block = enclosing_block(node);
	if (!mi || !block)
		return cmark_node_get_start_line(node);
	return block_line(body, body_len, block, mi->nl_total) + mi->nl_before;
}

void mathsyntax_locate(const char *body, size_t body_len, cmark_node *node,
    size_t off, int *line, int *col)
{
	struct mathinfo *mi = info_of(node);
	cmark_node *block = enclosing_block(node);
	const char *tex;
	size_t texlen, k = 0, ls = 0, le, i;
	struct line l;
	struct buf frag = {0};

	if (!mi || !block) {
		*line = cmark_node_get_start_line(node);
		*col = cmark_node_get_start_column(node);
		return;
	}
	tex = cmark_node_get_literal(node);
	texlen = strlen(tex);
	if (off > texlen)
		off = texlen;
	for (i = 0; i < off; i++)
		if (tex[i] == '\n') {
			k++;
			ls = i + 1;
		}
	for (le = ls; le < texlen && tex[le] != '\n'; le++)
		;
	*line = block_line(body, body_len, block, mi->nl_total) +
	    mi->nl_before + (int)k;
	l = body_line(body, body_len, *line);

	/* The fragment of the block's text on that line that we can be sure
	 * of: the lead and opener (first line only), the TeX on the line,
	 * and the closer (last line only). */
	if (k == 0) {
		buf_put(&frag, mi->line->text,
		    (size_t)(mi->pos - mi->line_start));
		buf_put(&frag, "$$", (size_t)mi->kind);
	}
	size_t target = frag.len + (off - ls);
	buf_put(&frag, tex + ls, le - ls);
	if (le == texlen)
		buf_put(&frag, "$$", (size_t)mi->kind);
	size_t base = k == 0 && mi->nl_before == 0 ? block_base(&l, block) : 0;
	*col = frag_column(&l, base, frag.data, frag.len, target);
	buf_free(&frag);
}

void mathsyntax_locate_block(const char *body, size_t body_len,
    cmark_node *node, size_t off, int *line, int *col)
{
	const char *lit = cmark_node_get_literal(node);
	size_t len = lit ? strlen(lit) : 0, k = 0, ls = 0, le, i;
	struct line l;

	if (off >= len && len > 0 && lit[len - 1] == '\n')
		off = len - 1;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++)
		if (lit[i] == '\n') {
			k++;
			ls = i + 1;
		}
	for (le = ls; le < len && lit[le] != '\n'; le++)
		;
	*line = cmark_node_get_start_line(node) + 1 + (int)k;
	l = body_line(body, body_len, *line);
	*col = frag_column(&l, 0, lit + ls, le - ls, off - ls);
}
