/*
 * prepass.c -- lines holding only `$$` become ```math fences before cmark
 * parses the body (mathsyntax_prepass, declared in mathsyntax.h).
 *
 * A `$$` line pairs only with a `$$` line of the same container (the same
 * block quote or list item, on the same level), and only while every line
 * between them continues that container, as the lines of a fence would
 * have to.  So the pre-pass follows CommonMark's containers line by line:
 * block quotes (`>`), list items (`-`, `+`, `*`, `1.`, `1)`) with the
 * indentation their content needs, lazy paragraph lines, and code fences
 * and HTML blocks, inside which nothing is rewritten.  It is a tracker, not
 * a parser: it knows of other blocks only what decides those questions
 * (blank lines, thematic breaks, headings, indented code).
 *
 * Divisions: reading lines, containers, HTML blocks, the line classifier,
 * the pass.
 */
#include "markdown/mathsyntax.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

/* ---- reading lines */

/* One physical line of the input and a cursor in it.  Columns follow
 * CommonMark: a tab advances to the next multiple of 4, and container
 * indentation may consume part of a tab (col > bcol, s[i] == '\t'). */
struct cursor {
	const char *s;  /* the line */
	size_t n;       /* bytes before its line ending */
	size_t full;    /* bytes including the line ending */
	size_t i;       /* next byte not consumed */
	int bcol;       /* column where byte i starts */
	int col;        /* columns consumed (bcol, or more inside a tab) */
};

static struct cursor line_at(const char *text, size_t len, size_t pos)
{
	struct cursor c = {text + pos, 0, 0, 0, 0, 0};
	const char *nl = memchr(text + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - text) : len;
	c.n = end - pos;
	c.full = nl ? c.n + 1 : c.n;
	if (c.n > 0 && c.s[c.n - 1] == '\r')
		c.n--;
	return c;
}

/* Columns of blank (spaces and tabs) ahead of the cursor; *first gets the
 * byte after them. */
static int blank_ahead(const struct cursor *c, size_t *first)
{
	size_t i = c->i;
	int bcol = c->bcol, w = 0;
	for (; i < c->n; i++) {
		if (c->s[i] == ' ') {
			bcol++;
		} else if (c->s[i] == '\t') {
			bcol = (bcol / 4 + 1) * 4;
		} else {
			break;
		}
	}
	w = bcol - c->col;
	if (first)
		*first = i;
	return w;
}

/* Consumes up to ncols columns of blank. */
static void skip_blank(struct cursor *c, int ncols)
{
	while (ncols > 0 && c->i < c->n) {
		if (c->s[c->i] == ' ') {
			c->i++, c->bcol++, c->col++, ncols--;
		} else if (c->s[c->i] == '\t') {
			int end = (c->bcol / 4 + 1) * 4;
			if (end - c->col <= ncols) {
				ncols -= end - c->col;
				c->i++, c->bcol = end, c->col = end;
			} else {
				c->col += ncols;
				ncols = 0;
			}
		} else {
			break;
		}
	}
}

/* Consumes the one (non-blank) byte at the cursor. */
static void skip_byte(struct cursor *c)
{
	c->i++, c->bcol++, c->col = c->bcol;
}

static int rest_blank(const struct cursor *c)
{
	size_t first;
	blank_ahead(c, &first);
	return first >= c->n;
}

/* ---- containers */

/* A block quote or a list item open at the current line. */
struct container {
	int quote;    /* 1 block quote, 0 list item */
	int indent;   /* list item: columns of indent its content lines need */
	unsigned id;  /* unique to this container in the document */
};

struct stack {
	struct container *items;
	size_t nitems, cap;
	unsigned next_id;  /* id for the next container opened */
};

static void push(struct stack *st, int quote, int indent)
{
	if (st->nitems == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 8;
		st->items = xrealloc(st->items, st->cap * sizeof *st->items);
	}
	st->items[st->nitems++] = (struct container){quote, indent,
		++st->next_id};
}

/* Consumes the prefixes of the first depth containers of items from the
 * line and returns how many of them the line continues (CommonMark's
 * first phase, without lazy lines). */
static size_t continues(const struct container *items, size_t depth,
    struct cursor *c)
{
	size_t k;
	for (k = 0; k < depth; k++) {
		size_t first;
		int w = blank_ahead(c, &first);
		if (items[k].quote) {
			if (w > 3 || first >= c->n || c->s[first] != '>')
				break;
			skip_blank(c, w);
			skip_byte(c);
			skip_blank(c, 1);
		} else if (first >= c->n) {
			skip_blank(c, w);  /* a blank line continues an item */
		} else if (w >= items[k].indent) {
			skip_blank(c, items[k].indent);
		} else {
			break;
		}
	}
	return k;
}

/* ---- HTML blocks */

/* CommonMark's HTML blocks (spec 0.30, 4.6) as the cmark-gfm 0.29 that
 * parses the result reads them, for the pre-pass must agree with it:
 *   1  <script, <pre or <style, then blank, '>' or the line's end;
 *      ends at a line holding </script>, </pre> or </style>
 *   2  <!--        ends at a line holding -->
 *   3  <?          ends at a line holding ?>
 *   4  <! and an upper-case letter; ends at a line holding >
 *   5  <![CDATA[   ends at a line holding ]]>
 *   6  < or </ and a name of block_tags, then blank, '>', "/>" or the
 *      line's end; ends before a blank line
 *   7  a complete open or close tag alone on the line; ends before a
 *      blank line, and cannot interrupt a paragraph (but, in cmark, may
 *      start on what would be a lazy line of one)
 * Names are matched ignoring case; kinds 1-5 may end on their first line.
 * (0.30 adds <textarea> to kind 1 and lower-case letters to kind 4;
 * cmark-gfm 0.29 does not.) */

static const char *const block_tags[] = {
	"address", "article", "aside", "base", "basefont", "blockquote",
	"body", "caption", "center", "col", "colgroup", "dd", "details",
	"dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
	"figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3",
	"h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend",
	"li", "link", "main", "menu", "menuitem", "nav", "noframes", "ol",
	"optgroup", "option", "p", "param", "section", "source", "summary",
	"table", "tbody", "td", "tfoot", "th", "thead", "title", "tr",
	"track", "ul",
};

static const char *const raw_tags[] = {"script", "pre", "style"};

/* Whether ch, not NUL, is one of set. */
static int in_set(char ch, const char *set)
{
	return ch && strchr(set, ch);
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_alnum(char ch)
{
	return is_alpha(ch) || (ch >= '0' && ch <= '9');
}

/* Whether s[i..n) starts with w, ignoring case. */
static int has_word(const char *s, size_t i, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n - i >= k && strncasecmp(s + i, w, k) == 0;
}

/* Whether s[i..n) holds w anywhere, ignoring case. */
static int holds(const char *s, size_t i, size_t n, const char *w)
{
	for (; i < n; i++)
		if (has_word(s, i, n, w))
			return 1;
	return 0;
}

/* Bytes of the tag name [A-Za-z][A-Za-z0-9-]* at s[i], 0 when none. */
static size_t tag_name(const char *s, size_t i, size_t n)
{
	size_t k = i;
	if (k >= n || !is_alpha(s[k]))
		return 0;
	while (k < n && (is_alnum(s[k]) || s[k] == '-'))
		k++;
	return k - i;
}

/* Whether s[i..n), just after the '<', is one complete tag and blank
 * (kind 7):
 *   open      = name attribute* blank* "/"? ">"
 *   attribute = blank+ [A-Za-z_:][A-Za-z0-9_.:-]* (blank* "=" blank* value)?
 *   value     = [^ \t"'=<>`]+ | "'" [^']* "'" | '"' [^"]* '"'
 *   close     = "/" name blank* ">" */
static int complete_tag(const char *s, size_t i, size_t n)
{
	size_t k;
	if (i < n && s[i] == '/') {
		if (!(k = tag_name(s, i + 1, n)))
			return 0;
		for (i += 1 + k; i < n && is_blank(s[i]); i++)
			;
	} else {
		if (!(k = tag_name(s, i, n)))
			return 0;
		for (i += k;;) {
			size_t a = i;
			while (a < n && is_blank(s[a]))
				a++;
			if (a == i || a >= n || !(is_alpha(s[a]) ||
			    s[a] == '_' || s[a] == ':'))
				break;
			while (a < n && (is_alnum(s[a]) || in_set(s[a],
			    "_.:-")))
				a++;
			i = a;  /* the attribute's name */
			while (a < n && is_blank(s[a]))
				a++;
			if (a >= n || s[a] != '=')
				continue;
			for (a++; a < n && is_blank(s[a]); a++)
				;
			if (a < n && (s[a] == '"' || s[a] == '\'')) {
				const char *q = memchr(s + a + 1, s[a],
				    n - a - 1);
				if (!q)
					return 0;
				i = (size_t)(q - s) + 1;
			} else {
				for (k = a; k < n && !is_blank(s[k]) &&
				    !in_set(s[k], "\"'=<>`"); k++)
					;
				if (k == a)
					return 0;
				i = k;
			}
		}
		while (i < n && is_blank(s[i]))
			i++;
		if (i < n && s[i] == '/')
			i++;
	}
	if (i >= n || s[i] != '>')
		return 0;
	for (i++; i < n && is_blank(s[i]); i++)
		;
	return i == n;
}

/* The kind (1-7) of the HTML block that starts at byte i of the line
 * (after at most 3 columns of blank), else 0.  in_paragraph: the line
 * would otherwise continue a paragraph in all its containers, which kind
 * 7 cannot interrupt. */
static int html_start(const struct cursor *c, size_t i, int in_paragraph)
{
	const char *s = c->s;
	size_t n = c->n, k;
	if (i >= n || s[i] != '<')
		return 0;
	for (k = 0; k < sizeof raw_tags / sizeof *raw_tags; k++) {
		size_t e = i + 1 + strlen(raw_tags[k]);
		if (has_word(s, i + 1, n, raw_tags[k]) && (e == n ||
		    is_blank(s[e]) || s[e] == '>'))
			return 1;
	}
	if (has_word(s, i, n, "<!--"))
		return 2;
	if (has_word(s, i, n, "<?"))
		return 3;
	if (i + 2 < n && s[i + 1] == '!' && s[i + 2] >= 'A' && s[i + 2] <= 'Z')
		return 4;
	if (has_word(s, i, n, "<![CDATA["))
		return 5;
	k = i + 1 + (i + 1 < n && s[i + 1] == '/');
	size_t len = tag_name(s, k, n), e = k + len;
	for (size_t t = 0; len && t < sizeof block_tags / sizeof *block_tags;
	    t++) {
		if (strlen(block_tags[t]) == len && has_word(s, k, n,
		    block_tags[t]) && (e == n || is_blank(s[e]) ||
		    s[e] == '>' || has_word(s, e, n, "/>")))
			return 6;
	}
	if (!in_paragraph && complete_tag(s, i + 1, n))
		return 7;
	return 0;
}

/* Whether s[i..n) ends an HTML block of kind 1-5 (holds its end). */
static int html_ends(int kind, const char *s, size_t i, size_t n)
{
	switch (kind) {
	case 1:
		return holds(s, i, n, "</script>") ||
		    holds(s, i, n, "</pre>") || holds(s, i, n, "</style>");
	case 2:
		return holds(s, i, n, "-->");
	case 3:
		return holds(s, i, n, "?>");
	case 4:
		return holds(s, i, n, ">");
	default:
		return holds(s, i, n, "]]>");
	}
}

/* ---- the line classifier */

/* A thematic break ("---", "* * *") from byte i on. */
static int thematic_break(const struct cursor *c, size_t i)
{
	char ch = i < c->n ? c->s[i] : 0;
	int k = 0;
	if (ch != '-' && ch != '*' && ch != '_')
		return 0;
	for (; i < c->n; i++) {
		if (c->s[i] == ch)
			k++;
		else if (c->s[i] != ' ' && c->s[i] != '\t')
			return 0;
	}
	return k >= 3;
}

/* When a list marker starts at byte i (after at most 3 columns of blank),
 * returns its width in bytes, else 0.  *ordered_start gets 1 when the
 * marker is ordered and its number is not 1. */
static size_t list_marker(const struct cursor *c, size_t i,
    int *ordered_other)
{
	size_t k = i;
	*ordered_other = 0;
	if (k < c->n && (c->s[k] == '-' || c->s[k] == '+' || c->s[k] == '*')) {
		k++;
	} else {
		while (k < c->n && k - i < 9 && c->s[k] >= '0' && c->s[k] <= '9')
			k++;
		if (k == i || k >= c->n || (c->s[k] != '.' && c->s[k] != ')'))
			return 0;
		*ordered_other = !(k - i == 1 && c->s[i] == '1');
		k++;
	}
	if (k < c->n && c->s[k] != ' ' && c->s[k] != '\t')
		return 0;
	return k - i;
}

/* Opens the block quotes and list items that start at the cursor, as
 * CommonMark's second phase does, and returns how many.  interrupting: the
 * line would otherwise continue a paragraph (an empty item, or an ordered
 * one not numbered 1, cannot interrupt one). */
static size_t open_new(struct stack *st, struct cursor *c, int interrupting)
{
	size_t opened = 0;
	for (;;) {
		size_t first, width;
		int w = blank_ahead(c, &first), other, base = c->col;
		if (w > 3 || first >= c->n)
			return opened;
		if (c->s[first] == '>') {
			skip_blank(c, w);
			skip_byte(c);
			skip_blank(c, 1);
			push(st, 1, 0);
			opened++;
			continue;
		}
		if (thematic_break(c, first))
			return opened;
		width = list_marker(c, first, &other);
		if (!width)
			return opened;
		if (interrupting && !opened) {
			struct cursor after = *c;
			skip_blank(&after, w);
			after.i += width, after.bcol += (int)width;
			after.col = after.bcol;
			if (other || rest_blank(&after))
				return opened;
		}
		skip_blank(c, w);
		for (size_t k = 0; k < width; k++)
			skip_byte(c);
		/* The content starts after 1-4 columns of blank; with 5 or
		 * more (indented code), or none (an empty first line), after
		 * one. */
		int gap = blank_ahead(c, &first);
		if (gap >= 5 || first >= c->n)
			gap = 1;
		skip_blank(c, gap);
		push(st, 0, c->col - base);
		opened++;
	}
}

enum leaf {
	LEAF_BLANK,
	LEAF_TEXT,      /* paragraph text: a lazy line may continue it */
	LEAF_OTHER,     /* heading, thematic break, indented code */
	LEAF_FENCE,     /* opens a ``` or ~~~ code fence */
	LEAF_HTML,      /* opens an HTML block */
	LEAF_DOLLARS,   /* only `$$` */
};

/* What the rest of the line is, its container prefixes consumed.  For a
 * fence, stores its character and length; for `$$`, *at gets the byte of
 * the first '$'; for an HTML block, *html gets its kind and *at the byte
 * of its '<'.  in_paragraph: 0 after no paragraph, 1 when the line could
 * only be a lazy line of one, 2 when it continues all its containers. */
static enum leaf classify(const struct cursor *c, int in_paragraph,
    char *fence_c, size_t *fence_n, size_t *at, int *html)
{
	size_t i, k;
	int w = blank_ahead(c, &i);
	if (i >= c->n)
		return LEAF_BLANK;
	if (w > 3)
		return in_paragraph ? LEAF_TEXT : LEAF_OTHER;
	if (c->s[i] == '`' || c->s[i] == '~') {
		for (k = i; k < c->n && c->s[k] == c->s[i]; k++)
			;
		if (k - i >= 3 && !(c->s[i] == '`' &&
		    memchr(c->s + k, '`', c->n - k))) {
			*fence_c = c->s[i];
			*fence_n = k - i;
			return LEAF_FENCE;
		}
	}
	if ((*html = html_start(c, i, in_paragraph == 2))) {
		*at = i;
		return LEAF_HTML;
	}
	if (i + 1 < c->n && c->s[i] == '$' && c->s[i + 1] == '$') {
		for (k = i + 2; k < c->n && (c->s[k] == ' ' || c->s[k] == '\t');
		    k++)
			;
		if (k == c->n) {
			*at = i;
			return LEAF_DOLLARS;
		}
	}
	if (thematic_break(c, i))
		return LEAF_OTHER;
	for (k = i; k < c->n && c->s[k] == '#' && k - i < 7; k++)
		;
	if (k > i && k - i <= 6 && (k == c->n || c->s[k] == ' ' ||
	    c->s[k] == '\t'))
		return LEAF_OTHER;
	if (in_paragraph && c->s[i] == '=') {  /* a setext underline */
		for (k = i; k < c->n && c->s[k] == '='; k++)
			;
		struct cursor rest = *c;
		rest.i = k;
		rest.bcol = rest.col = 0;
		if (rest_blank(&rest))
			return LEAF_OTHER;
	}
	return LEAF_TEXT;
}

/* Whether the cursor is at a line that closes a fence of n or more fence
 * characters c (blank around it, at most 3 columns before). */
static int closes_fence(const struct cursor *cur, char c, size_t n)
{
	size_t i, k;
	if (blank_ahead(cur, &i) > 3)
		return 0;
	for (k = i; k < cur->n && cur->s[k] == c; k++)
		;
	if (k - i < n)
		return 0;
	for (; k < cur->n; k++)
		if (cur->s[k] != ' ' && cur->s[k] != '\t')
			return 0;
	return 1;
}

/* ---- the pass */

/* Looks for the `$$` line that closes a display formula opened at the
 * line before pos in the container st->items[depth - 1] (or the document
 * when depth is 0): the lines after pos must continue those depth
 * containers, as a fence's lines would.  Returns the closer's position and
 * stores its `$$` byte in *close_at and the longest run of backticks that
 * starts a line between in *run; returns (size_t)-1 when the container
 * (or the text) ends first. */
static size_t find_closer(const char *text, size_t len, size_t pos,
    const struct stack *st, size_t depth, size_t *close_at, size_t *run)
{
	*run = 0;
	while (pos < len) {
		struct cursor c = line_at(text, len, pos);
		char fc;
		size_t fn, at = 0, i, k;
		int html;
		if (continues(st->items, depth, &c) < depth)
			return (size_t)-1;
		if (classify(&c, 0, &fc, &fn, &at, &html) == LEAF_DOLLARS) {
			*close_at = at;
			return pos;
		}
		if (blank_ahead(&c, &i) <= 3) {
			for (k = i; k < c.n && c.s[k] == '`'; k++)
				;
			if (k - i > *run)
				*run = k - i;
		}
		pos += c.full;
	}
	return (size_t)-1;
}

/* Writes line c with the `$$` at byte at replaced by n backticks and
 * info, keeping the prefix before it and the line ending. */
static void put_fence(struct buf *b, const struct cursor *c, size_t at,
    size_t n, const char *info)
{
	buf_put(b, c->s, at);
	for (size_t k = 0; k < n; k++)
		buf_putc(b, '`');
	buf_puts(b, info);
	buf_put(b, c->s + c->n, c->full - c->n);
}

char *mathsyntax_prepass(const char *text, size_t len, size_t *outlen)
{
	struct buf b = {0};
	struct stack st = {0};
	size_t pos = 0, fence_n = 0, fence_depth = 0;
	size_t html_depth = 0;
	char fence_c = 0;
	int html = 0;       /* kind of the open HTML block, 0 when none */
	int paragraph = 0;  /* the line before was paragraph text */

	buf_put(&b, "", 0);
	while (pos < len) {
		struct cursor c = line_at(text, len, pos);
		size_t matched = continues(st.items, st.nitems, &c), at = 0;
		size_t depth = st.nitems;
		char fc = 0;
		size_t fn = 0;

		if (fence_c && matched >= fence_depth) {
			/* Inside a code fence: nothing opens, nothing is
			 * rewritten. */
			if (closes_fence(&c, fence_c, fence_n))
				fence_c = 0;
			buf_put(&b, c.s, c.full);
			pos += c.full;
			continue;
		}
		fence_c = 0;
		if (html && matched >= html_depth &&
		    !(html > 5 && rest_blank(&c))) {
			/* Inside an HTML block, likewise, up to the line
			 * that ends it (kinds 6 and 7 end before a blank
			 * line, which is read below). */
			if (html <= 5 && html_ends(html, c.s, c.i, c.n))
				html = 0;
			buf_put(&b, c.s, c.full);
			pos += c.full;
			continue;
		}
		html = 0;
		size_t opened = open_new(&st, &c,
		    paragraph && matched == depth);
		int kind = 0;
		enum leaf leaf = classify(&c, paragraph && !opened ?
		    1 + (matched == depth) : 0, &fc, &fn, &at, &kind);
		if (!opened && matched < depth && paragraph &&
		    (leaf == LEAF_TEXT || leaf == LEAF_DOLLARS)) {
			/* A lazy line of the paragraph before, in its
			 * container: a `$$` here stays text there (and may
			 * close a $$..$$ in that paragraph) rather than open
			 * a formula outside it. */
			buf_put(&b, c.s, c.full);
			pos += c.full;
			continue;
		}
		/* Containers the line does not continue are closed, those it
		 * opens are kept: st.items[0..depth) are now the line's. */
		if (opened)
			memmove(st.items + matched, st.items + depth,
			    opened * sizeof *st.items);
		st.nitems = depth = matched + opened;
		paragraph = leaf == LEAF_TEXT;
		if (leaf == LEAF_FENCE) {
			fence_c = fc;
			fence_n = fn;
			fence_depth = depth;
		} else if (leaf == LEAF_HTML) {
			if (kind > 5 || !html_ends(kind, c.s, at, c.n))
				html = kind;
			html_depth = depth;
		} else if (leaf == LEAF_DOLLARS) {
			size_t close_at = 0, run = 0;
			size_t q = find_closer(text, len, pos + c.full, &st,
			    depth, &close_at, &run);
			if (q != (size_t)-1) {
				struct cursor m = line_at(text, len, q);
				size_t n = run >= 3 ? run + 1 : 3;
				put_fence(&b, &c, at, n, "math");
				buf_put(&b, text + pos + c.full,
				    q - pos - c.full);
				put_fence(&b, &m, close_at, n, "");
				pos = q + m.full;
				continue;
			}
			/* No partner: the `$$` stays text. */
			paragraph = 1;
		}
		buf_put(&b, c.s, c.full);
		pos += c.full;
	}
	free(st.items);
	if (outlen)
		*outlen = b.len;
	return buf_detach(&b);
}
