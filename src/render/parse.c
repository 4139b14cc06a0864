/*
 * parse.c -- mustache text to a tree of nodes, once per template.
 *
 * Divisions:
 *   positions    byte offset to line:col, quoting tags in messages
 *   lexer        text and tags, under the delimiters in force; pairs open
 *                and close tags and checks names
 *   whitespace   the spec's standalone rules: which white space and line
 *                endings belong to tags, indentation of partials, parents
 *                and blocks, and the removal of blocks' intrinsic
 *                indentation
 *   tree         tokens to nodes
 *
 * The grammar, with {{ and }} standing for the delimiters in force:
 *
 *   template := ( text | tag )*
 *   tag      := "{{" ( "{" name "}" | "&" name | "#" name | "^" name
 *                    | "/" name | ">" name | "<" name | "$" name
 *                    | "!" any | "=" delims "=" | name ) "}}"
 *   name     := ws* ( "." | part ( "." part )* ) ws*   (variables, sections)
 *             | ws* non-ws+ ws*                        (partials, parents,
 *                                                        blocks, closes)
 *   delims   := ws* open ws+ close ws*   (each non-empty, no ws, no "=")
 *
 * Sections, inverted sections, parents and blocks are closed by {{/name}}
 * with the same name; only blocks count inside a parent (the rest of a
 * parent's content is parsed, then ignored).
 *
 * Whitespace rules (the spec's ~inheritance whitespace notes): a
 * non-interpolation tag alone on its line except for white space is
 * standalone: its line's white space and line ending vanish.  Inside a
 * parent, the side of a tag that faces the parent's (ignored) content does
 * not count: an argument block's opening tag is standalone when it ends its
 * line, its closing tag when it starts its line.  A parent pair is
 * standalone when its opening tag starts its line and its closing tag ends
 * one.  A block whose opening tag ends its line (an argument, or a
 * standalone parameter block) has an intrinsic indentation, the white space
 * that starts the next line; that indentation is removed from each line of
 * its content, outer blocks first.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "render/tmpl.h"

enum tok_kind {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL,
	T_PARENT, T_BLOCK, T_COMMENT, T_DELIM,
};

struct tok {
	enum tok_kind kind;
	size_t start, end;   /* the text, or the whole tag with delimiters */
	size_t key, nkey;    /* tags: the trimmed name */
	int match;           /* open tags: their close; closes: their open */
	int up;              /* innermost open tag enclosing this one, or -1 */
	int removed;         /* text dropped by a standalone tag */
	int standalone;      /* partials: standalone; parents: standalone pair */
	enum block_mode mode;/* parameter blocks */
	size_t indent, nindent; /* partials, parents, blocks: indentation */
	int bol_after;       /* blocks: the closing tag's line ending went */
};

struct parser {
	struct tmpl *t;
	const char *src;
	size_t len;
	struct diags *d;
	struct tok *toks;
	size_t ntoks, cap;
	size_t *lines;       /* offset where each line starts */
	size_t nlines;
	size_t *strip;       /* per line: leading bytes removed as indentation */
};

/* ---- positions */

static size_t line_of(const struct parser *p, size_t off)
{
	size_t lo = 0, hi = p->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void pos_of(const struct parser *p, size_t off, int *line, int *col)
{
	size_t l = line_of(p, off);
	*line = (int)l + 1;
	*col = utf8_columns(p->src + p->lines[l], off - p->lines[l]) + 1;
}

/* The source bytes [a, b) as a one-line quotation of at most 48 bytes:
 * line breaks and tabs become spaces; the caller frees it. */
static char *quote(const struct parser *p, size_t a, size_t b)
{
	struct buf q = {0};
	size_t n = b - a, max = 48;
	int cut = 0;
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)p->src[a + n] & 0xC0) == 0x80)
			n--;
		cut = 1;
	}
	for (size_t i = 0; i < n; i++) {
		char c = p->src[a + i];
		buf_putc(&q, c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
	}
	if (cut)
		buf_puts(&q, "...");
	return buf_detach(&q);
}

static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends an error located at byte off; returns -1. */
static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
	int line, col;
	struct buf m = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	pos_of(p, off, &line, &col);
	diags_add(p->d, DIAG_ERROR, p->t->path, line, col, "render", "%s",
	    m.data ? m.data : "");
	buf_free(&m);
	return -1;
}

/* ---- lexer */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static struct tok *tok_push(struct parser *p, enum tok_kind kind, size_t start,
    size_t end)
{
	if (p->ntoks == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->toks = xrealloc(p->toks, p->cap * sizeof *p->toks);
	}
	struct tok *k = &p->toks[p->ntoks++];
	memset(k, 0, sizeof *k);
	k->kind = kind;
	k->start = start;
	k->end = end;
	k->match = -1;
	k->up = -1;
	return k;
}

/* Text [a, b), cut after each line ending so that a text token holds at
 * most one, at its end. */
static void lex_text(struct parser *p, size_t a, size_t b, int up)
{
	while (a < b) {
		const char *nl = memchr(p->src + a, '\n', b - a);
		size_t e = nl ? (size_t)(nl - p->src) + 1 : b;
		tok_push(p, T_TEXT, a, e)->up = up;
		a = e;
	}
}

/* The first place at or after `from` where close occurs preceded by the
 * byte `before` (0: by anything), or (size_t)-1. */
static size_t find_close(const struct parser *p, size_t from, const char *close,
    size_t nclose, char before)
{
	size_t at = from;
	for (;;) {
		if (at >= p->len)
			return (size_t)-1;
		const char *hit = memmem(p->src + at, p->len - at, close, nclose);
		if (!hit)
			return (size_t)-1;
		size_t h = (size_t)(hit - p->src);
		if (!before || (h > from && p->src[h - 1] == before))
			return h;
		at = h + 1;
	}
}

/* Checks a variable or section name: "." or dot-separated non-empty parts
 * without white space. */
static int name_ok(const char *s, size_t n, int dotted)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (is_ws(s[i]))
			return 0;
	if (!dotted || (n == 1 && s[0] == '.'))
		return 1;
	if (s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 0;
	return 1;
}

/* Parses the content [a, b) of a set-delimiter tag into *o and *c. */
static int delims_parse(const struct parser *p, size_t a, size_t b,
    size_t *o, size_t *no, size_t *c, size_t *nc)
{
	const char *s = p->src;
	while (a < b && is_ws(s[a]))
		a++;
	while (b > a && is_ws(s[b - 1]))
		b--;
	size_t i = a;
	while (i < b && !is_ws(s[i]))
		i++;
	*o = a;
	*no = i - a;
	while (i < b && is_ws(s[i]))
		i++;
	*c = i;
	while (i < b && !is_ws(s[i]))
		i++;
	*nc = i - *c;
	if (*no == 0 || *nc == 0 || i != b)
		return -1;
	if (memchr(s + *o, '=', *no) || memchr(s + *c, '=', *nc))
		return -1;
	return 0;
}

static int lex(struct parser *p)
{
	const char *src = p->src;
	size_t notag = 2, nctag = 2;
	const char *ostr = "{{", *cstr = "}}";
	int *stack = xmalloc((RENDER_MAX_NEST + 1) * sizeof *stack);
	int depth = 0, rc = -1;
	size_t pos = 0;

	while (pos < p->len) {
		const char *hit = memmem(src + pos, p->len - pos, ostr, notag);
		size_t ts = hit ? (size_t)(hit - src) : p->len;
		int up = depth ? stack[depth - 1] : -1;
		lex_text(p, pos, ts, up);
		if (!hit)
			break;
		size_t q = ts + notag;
		char sigil = q < p->len ? src[q] : 0;
		enum tok_kind kind;
		char before = 0;
		switch (sigil) {
		case '{': kind = T_RAW; before = '}'; break;
		case '&': kind = T_RAW; break;
		case '#': kind = T_SECTION; break;
		case '^': kind = T_INVERTED; break;
		case '/': kind = T_CLOSE; break;
		case '>': kind = T_PARTIAL; break;
		case '<': kind = T_PARENT; break;
		case '$': kind = T_BLOCK; break;
		case '!': kind = T_COMMENT; break;
		case '=': kind = T_DELIM; before = '='; break;
		default: kind = T_VAR; sigil = 0; break;
		}
		if (sigil)
			q++;
		size_t ce = find_close(p, q, cstr, nctag, before);
		if (ce == (size_t)-1) {
			char *open = quote(p, ts, q);
			fail_at(p, ts, "unclosed tag: '%s' without '%s%.*s'", open,
			    before == '}' ? "}" : before == '=' ? "=" : "",
			    (int)nctag, cstr);
			free(open);
			goto out;
		}
		size_t cend = before ? ce - 1 : ce;   /* end of the content */
		size_t end = ce + nctag;
		struct tok *k = tok_push(p, kind, ts, end);
		k->up = up;
		size_t a = q, b = cend;
		while (a < b && is_ws(src[a]))
			a++;
		while (b > a && is_ws(src[b - 1]))
			b--;
		k->key = a;
		k->nkey = b - a;
		int ti = (int)(p->ntoks - 1);
		if (kind == T_DELIM) {
			size_t o, no, c, nc;
			if (delims_parse(p, q, cend, &o, &no, &c, &nc) < 0) {
				char *tag = quote(p, ts, end);
				fail_at(p, ts, "bad set-delimiter tag '%s': expected "
				    "two delimiters separated by white space, "
				    "without '='", tag);
				free(tag);
				goto out;
			}
			ostr = src + o;
			notag = no;
			cstr = src + c;
			nctag = nc;
		} else if (kind != T_COMMENT) {
			int dotted = kind == T_VAR || kind == T_RAW ||
			    kind == T_SECTION || kind == T_INVERTED;
			if (!name_ok(src + a, b - a, dotted)) {
				char *tag = quote(p, ts, end);
				if (b == a)
					fail_at(p, ts, "empty name in tag '%s'", tag);
				else
					fail_at(p, ts, "bad name in tag '%s': %s", tag,
					    dotted ? "expected '.' or names joined "
					    "by single dots, without white space" :
					    "white space inside the name");
				free(tag);
				goto out;
			}
		}
		if (kind == T_SECTION || kind == T_INVERTED || kind == T_PARENT ||
		    kind == T_BLOCK) {
			if (depth == RENDER_MAX_NEST) {
				char *tag = quote(p, ts, end);
				fail_at(p, ts, "'%s' nests sections deeper than "
				    "%d levels", tag, RENDER_MAX_NEST);
				free(tag);
				goto out;
			}
			stack[depth++] = ti;
		} else if (kind == T_CLOSE) {
			if (depth == 0) {
				char *tag = quote(p, ts, end);
				fail_at(p, ts, "'%s' closes nothing: no section is "
				    "open", tag);
				free(tag);
				goto out;
			}
			struct tok *o = &p->toks[stack[depth - 1]];
			if (o->nkey != k->nkey ||
			    memcmp(src + o->key, src + k->key, k->nkey) != 0) {
				char *tag = quote(p, ts, end);
				char *open = quote(p, o->start, o->end);
				int line, col;
				pos_of(p, o->start, &line, &col);
				fail_at(p, ts, "'%s' does not close '%s' opened at "
				    "%d:%d", tag, open, line, col);
				free(tag);
				free(open);
				goto out;
			}
			o->match = ti;
			k->match = stack[depth - 1];
			depth--;
			k->up = depth ? stack[depth - 1] : -1;
		}
		pos = end;
	}
	if (depth > 0) {
		struct tok *o = &p->toks[stack[depth - 1]];
		char *tag = quote(p, o->start, o->end);
		fail_at(p, o->start, "'%s' is never closed: no '%.*s/%.*s%.*s' "
		    "follows", tag, (int)notag, ostr, (int)o->nkey, src + o->key,
		    (int)nctag, cstr);
		free(tag);
		goto out;
	}
	rc = 0;
out:
	free(stack);
	return rc;
}

/* ---- whitespace */

static int ends_nl(const struct parser *p, const struct tok *k)
{
	return k->end > k->start && p->src[k->end - 1] == '\n';
}

/* A text token of spaces and tabs, with at most a final "\n" or "\r\n". */
static int blank(const struct parser *p, const struct tok *k)
{
	size_t e = k->end;
	if (e > k->start && p->src[e - 1] == '\n') {
		e--;
		if (e > k->start && p->src[e - 1] == '\r')
			e--;
	}
	for (size_t i = k->start; i < e; i++)
		if (p->src[i] != ' ' && p->src[i] != '\t')
			return 0;
	return 1;
}

/* Nothing but white space between the start of token i's line and i. */
static int left_clear(const struct parser *p, int i)
{
	for (int j = i - 1; j >= 0; j--) {
		const struct tok *k = &p->toks[j];
		if (k->kind != T_TEXT)
			return 0;
		if (ends_nl(p, k))
			return 1;
		if (!blank(p, k))
			return 0;
	}
	return 1;
}

/* Nothing but white space between token i and the end of its line. */
static int right_clear(const struct parser *p, int i)
{
	for (size_t j = (size_t)i + 1; j < p->ntoks; j++) {
		const struct tok *k = &p->toks[j];
		if (k->kind != T_TEXT || !blank(p, k))
			return 0;
		if (ends_nl(p, k))
			return 1;
	}
	return 1;
}

static void drop_left(struct parser *p, int i)
{
	for (int j = i - 1; j >= 0; j--) {
		struct tok *k = &p->toks[j];
		if (k->kind != T_TEXT || ends_nl(p, k))
			return;
		k->removed = 1;
	}
}

static void drop_right(struct parser *p, int i)
{
	for (size_t j = (size_t)i + 1; j < p->ntoks; j++) {
		struct tok *k = &p->toks[j];
		if (k->kind != T_TEXT)
			return;
		k->removed = 1;
		if (ends_nl(p, k))
			return;
	}
}

/* The white space before token i on its line, less the line's stripped
 * indentation. */
static void leading_ws(const struct parser *p, struct tok *k)
{
	size_t l = line_of(p, k->start);
	size_t a = p->lines[l] + p->strip[l];
	if (a > k->start)
		a = k->start;
	k->indent = a;
	k->nindent = k->start - a;
}

/* Block i's opening tag ends its line: its intrinsic indentation is the
 * white space starting the next line (after outer blocks' stripping); it
 * is removed from each line of the block's content. */
static void intrinsic(struct parser *p, int i)
{
	struct tok *k = &p->toks[i];
	size_t close = p->toks[k->match].start;
	size_t l = line_of(p, k->end) + 1;
	k->indent = k->end;
	k->nindent = 0;
	if (l >= p->nlines)
		return;
	size_t a = p->lines[l] + p->strip[l], e = a;
	while (e < p->len && (p->src[e] == ' ' || p->src[e] == '\t'))
		e++;
	k->indent = a;
	k->nindent = e - a;
	if (e == a)
		return;
	for (; l < p->nlines && p->lines[l] <= close; l++) {
		size_t s = p->lines[l] + p->strip[l];
		if (s + k->nindent <= p->len &&
		    memcmp(p->src + s, p->src + a, k->nindent) == 0)
			p->strip[l] += k->nindent;
	}
}

static int in_parent(const struct parser *p, const struct tok *k)
{
	return k->up >= 0 && p->toks[k->up].kind == T_PARENT;
}

/* Marks white space that belongs to standalone tags and works out the
 * indentation of partials, parents and blocks; tokens in source order, so
 * that outer blocks strip their indentation before inner ones measure
 * theirs. */
static void whitespace(struct parser *p)
{
	for (int i = 0; i < (int)p->ntoks; i++) {
		struct tok *k = &p->toks[i];
		switch (k->kind) {
		case T_TEXT:
		case T_VAR:
		case T_RAW:
			break;
		case T_SECTION:
		case T_INVERTED:
		case T_COMMENT:
		case T_DELIM:
		case T_PARTIAL:
			if (left_clear(p, i) && right_clear(p, i)) {
				if (k->kind == T_PARTIAL) {
					k->standalone = 1;
					leading_ws(p, k);
				}
				drop_left(p, i);
				drop_right(p, i);
			}
			break;
		case T_PARENT:
			if (left_clear(p, i) && right_clear(p, k->match)) {
				k->standalone = 1;
				leading_ws(p, k);
				drop_left(p, i);
				drop_right(p, k->match);
			}
			break;
		case T_BLOCK:
			if (in_parent(p, k)) {
				if (right_clear(p, i)) {
					drop_right(p, i);
					intrinsic(p, i);
				}
			} else {
				int lc = left_clear(p, i), rc = right_clear(p, i);
				if (lc && rc) {
					drop_left(p, i);
					drop_right(p, i);
				}
				if (lc && right_clear(p, k->match)) {
					k->mode = rc ? BLOCK_EOL : BLOCK_INDENT;
					if (rc)
						intrinsic(p, i);
					else
						leading_ws(p, k);
				}
			}
			break;
		case T_CLOSE: {
			struct tok *o = &p->toks[k->match];
			if (o->kind == T_PARENT)
				break;
			if (o->kind == T_BLOCK && in_parent(p, o)) {
				if (left_clear(p, i))
					drop_left(p, i);
				break;
			}
			if (left_clear(p, i) && right_clear(p, i)) {
				drop_left(p, i);
				drop_right(p, i);
				o->bol_after = 1;
			}
			break;
		}
		}
	}
}

/* ---- tree */

struct vec {
	struct node *items;
	size_t n, cap;
};

static struct node *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 8;
		v->items = xrealloc(v->items, v->cap * sizeof *v->items);
	}
	struct node *n = &v->items[v->n++];
	memset(n, 0, sizeof *n);
	return n;
}

static void node_init(struct parser *p, struct node *n, enum node_kind kind,
    const struct tok *k)
{
	n->kind = kind;
	n->owner = p->t;
	pos_of(p, k->start, &n->line, &n->col);
	if (k->kind == T_TEXT)
		return;
	n->key = xstrndup(p->src + k->key, k->nkey);
	if (kind == N_VAR || kind == N_RAW || kind == N_SECTION ||
	    kind == N_INVERTED) {
		if (strcmp(n->key, ".") == 0)
			return;
		n->partbuf = xstrdup(n->key);
		n->nparts = 1;
		for (char *c = n->partbuf; *c; c++)
			n->nparts += *c == '.';
		n->parts = xmalloc(n->nparts * sizeof *n->parts);
		size_t j = 0;
		n->parts[j++] = n->partbuf;
		for (char *c = n->partbuf; *c; c++)
			if (*c == '.') {
				*c = 0;
				n->parts[j++] = c + 1;
			}
	}
	n->indent = p->src + k->indent;
	n->nindent = k->nindent;
	n->standalone = k->standalone;
	n->mode = k->mode;
	n->bol_after = k->bol_after;
}

static void build(struct parser *p)
{
	struct vec *stack = xcalloc(RENDER_MAX_NEST + 2, sizeof *stack);
	int *open = xcalloc(RENDER_MAX_NEST + 2, sizeof *open);
	int depth = 0;
	for (size_t i = 0; i < p->ntoks; i++) {
		struct tok *k = &p->toks[i];
		struct vec *v = &stack[depth];
		struct node *n;
		switch (k->kind) {
		case T_TEXT: {
			if (k->removed)
				break;
			size_t a = k->start;
			if (a == 0 || p->src[a - 1] == '\n') {
				size_t s = p->strip[line_of(p, a)];
				a += s < k->end - a ? s : k->end - a;
			}
			if (a == k->end)
				break;
			n = v->n ? &v->items[v->n - 1] : NULL;
			if (n && n->kind == N_TEXT && n->text + n->len ==
			    p->src + a) {
				n->len += k->end - a;
				break;
			}
			n = vec_push(v);
			node_init(p, n, N_TEXT, k);
			n->text = p->src + a;
			n->len = k->end - a;
			break;
		}
		case T_VAR:
		case T_RAW:
			node_init(p, vec_push(v), k->kind == T_VAR ? N_VAR : N_RAW,
			    k);
			break;
		case T_PARTIAL:
			node_init(p, vec_push(v), N_PARTIAL, k);
			break;
		case T_SECTION:
		case T_INVERTED:
		case T_PARENT:
		case T_BLOCK:
			open[++depth] = (int)i;
			memset(&stack[depth], 0, sizeof stack[depth]);
			break;
		case T_CLOSE: {
			struct vec body = stack[depth];
			struct tok *o = &p->toks[open[depth]];
			depth--;
			enum node_kind kind = o->kind == T_SECTION ? N_SECTION :
			    o->kind == T_INVERTED ? N_INVERTED :
			    o->kind == T_PARENT ? N_PARENT : N_BLOCK;
			if (kind == N_PARENT) {
				/* only the argument blocks of a parent count */
				size_t m = 0;
				for (size_t j = 0; j < body.n; j++) {
					if (body.items[j].kind == N_BLOCK)
						body.items[m++] = body.items[j];
					else
						tmpl_nodes_free(&body.items[j]);
				}
				body.n = m;
			}
			n = vec_push(&stack[depth]);
			node_init(p, n, kind, o);
			n->kids = body.items;
			n->nkids = body.n;
			break;
		}
		case T_COMMENT:
		case T_DELIM:
			break;
		}
	}
	p->t->root.kids = stack[0].items;
	p->t->root.nkids = stack[0].n;
	free(stack);
	free(open);
}

void tmpl_nodes_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		tmpl_nodes_free(&n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->parts);
	free(n->partbuf);
	n->kids = NULL;
	n->nkids = 0;
	n->key = NULL;
	n->parts = NULL;
	n->partbuf = NULL;
}

int tmpl_parse(struct tmpl *t, struct diags *d)
{
	struct parser p = {0};
	p.t = t;
	p.src = t->src;
	p.len = t->len;
	p.d = d;
	size_t cap = 16;
	p.lines = xmalloc(cap * sizeof *p.lines);
	p.lines[p.nlines++] = 0;
	for (size_t i = 0; i < t->len; i++)
		if (t->src[i] == '\n' && i + 1 <= t->len) {
			if (p.nlines == cap) {
				cap *= 2;
				p.lines = xrealloc(p.lines, cap * sizeof *p.lines);
			}
			p.lines[p.nlines++] = i + 1;
		}
	p.strip = xcalloc(p.nlines, sizeof *p.strip);
	int rc = lex(&p);
	if (rc == 0) {
		whitespace(&p);
		build(&p);
	}
	free(p.toks);
	free(p.lines);
	free(p.strip);
	return rc;
}
