/*
 * markdown.c -- parsing a page body with cmark-gfm and its extensions, and
 * finding the objects in it (formulas, witnesses, sections).  Rendering to
 * HTML is in html.c.
 *
 * Divisions: the parser, fence info strings, finding objects (pass over
 * the tree), the tree's life, positions.
 */
#include "markdown.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "internal.h"
#include "mathsyntax.h"

const char *const md_standard_sections[4] = {"Intuition", "Math", "Code",
	"Interactive Demo"};

/* ---- the parser */

static const int parse_options = CMARK_OPT_FOOTNOTES |
	CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;

void md_global_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static cmark_parser *parser_new(cmark_syntax_extension *math)
{
	static const char *const exts[] = {"table", "strikethrough",
		"autolink", "tagfilter", "tasklist"};
	cmark_gfm_core_extensions_ensure_registered();
	cmark_parser *parser = cmark_parser_new(parse_options);
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
		if (e)
			cmark_parser_attach_syntax_extension(parser, e);
	}
	cmark_parser_attach_syntax_extension(parser, math);
	return parser;
}

/* ---- fence info strings: "LANG key=value key=value" */

struct info {
	char lang[32];
	char *keys[8];
	char *values[8];
	size_t offs[8];    /* where each key starts in the info string */
	size_t n;
};

static void info_parse(const char *s, struct info *in)
{
	memset(in, 0, sizeof *in);
	size_t i = 0;
	while (*s && !isspace((unsigned char)*s) && i + 1 < sizeof in->lang)
		in->lang[i++] = *s++;
	while (*s && !isspace((unsigned char)*s))
		s++;
	const char *info = s;
	while (*s && in->n < 8) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		const char *k = s;
		in->offs[in->n] = (size_t)(k - info);
		while (*s && *s != '=' && !isspace((unsigned char)*s))
			s++;
		in->keys[in->n] = xstrndup(k, (size_t)(s - k));
		if (*s == '=') {
			const char *v = ++s;
			while (*s && !isspace((unsigned char)*s))
				s++;
			in->values[in->n] = xstrndup(v, (size_t)(s - v));
		}
		in->n++;
	}
}

static void info_free(struct info *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->keys[i]);
		free(in->values[i]);
	}
}

/* The index of attribute key, or -1. */
static int info_find(const struct info *in, const char *key)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->keys[i], key))
			return (int)i;
	return -1;
}

static const char *info_get(const struct info *in, const char *key)
{
	int i = info_find(in, key);
	return i < 0 ? NULL : in->values[i] ? in->values[i] : "";
}

/* Object names: letters, digits, '-', '_' and '.', not empty. */
static int valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

/* ---- finding objects */

struct finder {
	struct md_doc *doc;
	struct diags *d;
	size_t cap_math, cap_witness, cap_section;
	/* The paragraph being walked, or NULL: its line breaks, and those
	 * passed so far, place its inline nodes (paragraph_line). */
	cmark_node *para;
	int para_breaks, para_passed;
};

static int is_break(cmark_node *n)
{
	cmark_node_type t = cmark_node_get_type(n);
	return t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK;
}

static int count_breaks(cmark_node *para)
{
	int breaks = 0;
	cmark_iter *it = cmark_iter_new(para);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		breaks += ev == CMARK_EVENT_ENTER &&
		    is_break(cmark_iter_get_node(it));
	cmark_iter_free(it);
	return breaks;
}

/* The body line where inline node n starts.  cmark places a paragraph's
 * inlines from its start line, which it leaves on link reference
 * definitions taken out of the paragraph, and places a link whose text
 * spans lines on its last line; the paragraph's end line is right.  So
 * in a paragraph the line is counted from its end: its lines are one more
 * than its line breaks, and n is below the breaks passed before it. */
static int inline_line(const struct finder *f, cmark_node *n)
{
	if (!f->para)
		return cmark_node_get_start_line(n);
	int line = cmark_node_get_end_line(f->para) - f->para_breaks +
	    f->para_passed;
	return line > 0 ? line : cmark_node_get_start_line(n);
}

const char *md__line_start(const struct md_doc *doc, int line)
{
	struct md_priv *priv = doc->priv;
	const struct page *p = doc->page;
	const char *end = p->body + p->body_len;
	if (!priv->lines) {
		size_t cap = 64;
		priv->lines = xmalloc(cap * sizeof *priv->lines);
		for (const char *s = p->body;;) {
			if (priv->nlines == cap) {
				cap *= 2;
				priv->lines = xrealloc(priv->lines,
				    cap * sizeof *priv->lines);
			}
			priv->lines[priv->nlines++] = s;
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			if (!nl)
				break;
			s = nl + 1;
		}
	}
	return line >= 1 && (size_t)line <= priv->nlines ?
	    priv->lines[line - 1] : end;
}

static int file_line(const struct md_doc *doc, int body_line)
{
	return doc->page->body_line + body_line - 1;
}

/* The column of attribute k of fence n's info string in the source: the
 * info string starts after the fence characters and the blanks after
 * them; cmark gives the fence's own column.  When the source spells the
 * info string differently (a backslash escape before the key), the key is
 * looked for from there on. */
static int attr_column(const struct finder *f, cmark_node *n,
    const struct info *in, size_t k)
{
	const struct page *p = f->doc->page;
	const char *s, *end = p->body + p->body_len, *eol, *at;
	size_t keylen = strlen(in->keys[k]);
	s = md__line_start(f->doc, cmark_node_get_start_line(n));
	eol = memchr(s, '\n', (size_t)(end - s));
	if (!eol)
		eol = end;
	at = s + cmark_node_get_start_column(n) - 1;
	if (at > eol)
		at = eol;
	while (at < eol && (*at == ' ' || *at == '\t' || *at == '>'))
		at++;
	while (at < eol && (*at == '`' || *at == '~'))
		at++;
	while (at < eol && (*at == ' ' || *at == '\t'))
		at++;
	if (at + in->offs[k] + keylen <= eol &&
	    !memcmp(at + in->offs[k], in->keys[k], keylen)) {
		at += in->offs[k];
	} else {
		const char *q = at;
		while (q + keylen <= eol && memcmp(q, in->keys[k], keylen))
			q++;
		if (q + keylen <= eol)
			at = q;
	}
	return utf8_columns(s, (size_t)(at - s)) + 1;
}

/* Reports an error about fence n at its line and column col (its own
 * column when col is 0). */
static void fence_error(struct finder *f, cmark_node *n, int col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fence_error(struct finder *f, cmark_node *n, int col,
    const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diags_add(f->d, DIAG_ERROR, f->doc->page->path,
	    file_line(f->doc, cmark_node_get_start_line(n)),
	    col ? col : cmark_node_get_start_column(n), "markdown", "%s",
	    b.data);
	buf_free(&b);
}

/* Reports attributes other than those allowed (NULL-terminated). */
static int check_attrs(struct finder *f, cmark_node *n, const struct info *in,
    const char *const *allowed)
{
	int bad = 0;
	for (size_t i = 0; i < in->n; i++) {
		int ok = 0;
		for (size_t j = 0; allowed[j]; j++)
			if (!strcmp(allowed[j], in->keys[i]))
				ok = 1;
		if (ok)
			continue;
		const char *hint = closest_word(in->keys[i], allowed);
		int col = attr_column(f, n, in, i);
		if (hint)
			fence_error(f, n, col, "unknown attribute `%s` on a ```%s "
			    "block; did you mean `%s`?", in->keys[i],
			    in->lang, hint);
		else
			fence_error(f, n, col, "unknown attribute `%s` on a ```%s "
			    "block", in->keys[i], in->lang);
		bad = 1;
	}
	return bad;
}

static struct md_math *add_math(struct finder *f)
{
	struct md_doc *doc = f->doc;
	if (doc->nmath == f->cap_math) {
		f->cap_math = f->cap_math ? 2 * f->cap_math : 16;
		doc->math = xrealloc(doc->math, f->cap_math * sizeof *doc->math);
	}
	struct md_math *m = &doc->math[doc->nmath++];
	memset(m, 0, sizeof *m);
	return m;
}

static void found_math_block(struct finder *f, cmark_node *n,
    const struct info *in)
{
	static const char *const allowed[] = {"id", NULL};
	check_attrs(f, n, in, allowed);
	const char *id = info_get(in, "id");
	int id_col = id ? attr_column(f, n, in, (size_t)info_find(in, "id"))
	    : 0;
	if (id && !valid_name(id)) {
		fence_error(f, n, id_col, "equation id `%s` must be letters, digits, "
		    "'-', '_' or '.'", id);
		id = NULL;
	}
	for (size_t i = 0; id && i < f->doc->nmath; i++)
		if (f->doc->math[i].id && !strcmp(f->doc->math[i].id, id)) {
			fence_error(f, n, id_col, "duplicate equation id `%s` (first "
			    "at line %d)", id, f->doc->math[i].line - 1);
			id = NULL;
		}
	struct md_math *m = add_math(f);
	m->tex = xstrdup(cmark_node_get_literal(n));
	m->display = 1;
	m->block = 1;
	m->id = id ? xstrdup(id) : NULL;
	m->node = n;
	md_math_locate(f->doc, m, 0, &m->line, &m->col);
}

static void found_math_inline(struct finder *f, cmark_node *n, int kind)
{
	struct md_math *m = add_math(f);
	const struct md_doc *doc = f->doc;
	m->tex = xstrdup(cmark_node_get_literal(n));
	m->display = kind == 2;
	m->node = n;
	/* The column is found when asked for (md_math_locate), for an
	 * error: finding it for every formula is quadratic in a line. */
	m->line = file_line(doc, mathsyntax_line(doc->page->body,
	    doc->page->body_len, n));
}

/* The block after n, skipping nothing: a witness's output block must come
 * right after it. */
static cmark_node *output_after(cmark_node *n)
{
	cmark_node *next = cmark_node_next(n);
	if (!next || cmark_node_get_type(next) != CMARK_NODE_CODE_BLOCK)
		return NULL;
	struct info in;
	info_parse(cmark_node_get_fence_info(next), &in);
	int ok = !strcmp(in.lang, "output");
	info_free(&in);
	return ok ? next : NULL;
}

static void found_witness(struct finder *f, cmark_node *n,
    const struct info *in)
{
	static const char *const allowed[] = {"witness", NULL};
	static const char *const out_allowed[] = {"tol", NULL};
	struct md_doc *doc = f->doc;
	const char *name = info_get(in, "witness");
	int name_col = attr_column(f, n, in,
	    (size_t)info_find(in, "witness"));
	check_attrs(f, n, in, allowed);
	if (!valid_name(name)) {
		fence_error(f, n, name_col, "witness name `%s` must be letters, digits, "
		    "'-', '_' or '.'", name);
		return;
	}
	for (size_t i = 0; i < doc->nwitnesses; i++)
		if (!strcmp(doc->witnesses[i].name, name)) {
			fence_error(f, n, name_col, "duplicate witness `%s` (first at "
			    "line %d)", name, doc->witnesses[i].line);
			return;
		}
	cmark_node *out = output_after(n);
	if (!out) {
		fence_error(f, n, 0, "witness `%s` has no ```output block right "
		    "after it", name);
		return;
	}
	struct info oi;
	info_parse(cmark_node_get_fence_info(out), &oi);
	int bad = check_attrs(f, out, &oi, out_allowed);
	const char *tol = info_get(&oi, "tol");
	double tolv = 0;
	if (tol) {
		char *end;
		tolv = strtod(tol, &end);
		if (!*tol || *end || !(tolv >= 0)) {
			fence_error(f, out, attr_column(f, out, &oi,
			    (size_t)info_find(&oi, "tol")), "`tol=%s` must be a non-negative "
			    "number like 1e-6", tol);
			bad = 1;
		}
	}
	info_free(&oi);
	if (bad)
		return;
	if (doc->nwitnesses == f->cap_witness) {
		f->cap_witness = f->cap_witness ? 2 * f->cap_witness : 8;
		doc->witnesses = xrealloc(doc->witnesses,
		    f->cap_witness * sizeof *doc->witnesses);
	}
	struct md_witness *w = &doc->witnesses[doc->nwitnesses++];
	memset(w, 0, sizeof *w);
	w->name = xstrdup(name);
	w->code = xstrdup(cmark_node_get_literal(n));
	w->line = file_line(doc, cmark_node_get_start_line(n));
	w->code_line = w->line + 1;
	w->expected = xstrdup(cmark_node_get_literal(out));
	w->expected_line = file_line(doc, cmark_node_get_start_line(out)) + 1;
	w->has_tol = tol != NULL;
	w->tol = tolv;
	w->node = n;
	w->output_node = out;
}

static void found_code_block(struct finder *f, cmark_node *n)
{
	struct info in;
	info_parse(cmark_node_get_fence_info(n), &in);
	if (!strcmp(in.lang, "math")) {
		found_math_block(f, n, &in);
	} else if (info_get(&in, "witness")) {
		if (strcmp(in.lang, "c"))
			fence_error(f, n, 0, "witnesses are C programs: write "
			    "```c witness=%s", info_get(&in, "witness"));
		else
			found_witness(f, n, &in);
	} else if (!strcmp(in.lang, "output")) {
		cmark_node *prev = cmark_node_previous(n);
		struct info pi = {0};
		if (prev && cmark_node_get_type(prev) == CMARK_NODE_CODE_BLOCK)
			info_parse(cmark_node_get_fence_info(prev), &pi);
		if (!info_get(&pi, "witness"))
			fence_error(f, n, 0, "```output block without a ```c "
			    "witness=NAME block before it");
		info_free(&pi);
	}
	info_free(&in);
}

char *md__heading_text(cmark_node *n)
{
	char *s = cmark_render_plaintext(n, 0, 0);
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	char *r = xstrdup(s);
	free(s);
	return r;
}

char *md_slug(const char *text)
{
	struct buf b = {0};
	int dash = 0;
	for (const char *s = text; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c)) {
			if (dash && b.len)
				buf_putc(&b, '-');
			dash = 0;
			buf_putc(&b, (char)tolower(c));
		} else if (c != '\'') {
			dash = 1;
		}
	}
	if (!b.len)
		buf_puts(&b, "section");
	return buf_detach(&b);
}

static void found_section(struct finder *f, cmark_node *n)
{
	struct md_doc *doc = f->doc;
	if (doc->nsections == f->cap_section) {
		f->cap_section = f->cap_section ? 2 * f->cap_section : 8;
		doc->sections = xrealloc(doc->sections,
		    f->cap_section * sizeof *doc->sections);
	}
	char *name = md__heading_text(n);
	struct md_section *s = &doc->sections[doc->nsections];
	memset(s, 0, sizeof *s);
	doc->nsections++;   /* its anchor: md__assign_anchors */
	s->name = name;
	s->line = file_line(doc, cmark_node_get_start_line(n));
	s->standard = -1;
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, md_standard_sections[i]))
			s->standard = i;
	cmark_node *next = cmark_node_next(n);
	s->has_content = next && !(cmark_node_get_type(next) ==
	    CMARK_NODE_HEADING && cmark_node_get_heading_level(next) <= 2);
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		int w = !isspace((unsigned char)*s);
		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

static void find_objects(struct finder *f, cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_EXIT && n == f->para)
			f->para = NULL;
		if (ev != CMARK_EVENT_ENTER)
			continue;
		int kind;
		if (is_break(n))
			f->para_passed++;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_PARAGRAPH:
			f->para = n;
			f->para_breaks = count_breaks(n);
			f->para_passed = 0;
			break;
		case CMARK_NODE_CODE_BLOCK:
			found_code_block(f, n);
			break;
		case CMARK_NODE_HEADING:
			if (cmark_node_get_heading_level(n) == 2 &&
			    cmark_node_parent(n) == root)
				found_section(f, n);
			break;
		case CMARK_NODE_CODE:
			kind = mathsyntax_node_math(n);
			if (kind)
				found_math_inline(f, n, kind);
			else
				f->doc->words +=
				    count_words(cmark_node_get_literal(n));
			break;
		case CMARK_NODE_TEXT:
			f->doc->words += count_words(cmark_node_get_literal(n));
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			md__found_link(f->doc, n, inline_line(f, n));
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* ---- the tree: parsed for md_parse, then released, and parsed again
 * only for the step that needs it (md_render, or locating a TeX error), so
 * that a site of thousands of pages never holds thousands of trees. */

/* cmark-gfm 0.29 keeps the table of inline special characters ('$' for
 * math, '~' for strikethrough, ...) in a global that every parse switches
 * on and off again (and the table extension does the same for each row),
 * so two parses at once could miss each other's special characters.
 * Parsing is therefore one at a time; everything else on a tree may run in
 * parallel. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static void tree_build(struct md_doc *doc)
{
	struct md_priv *priv = doc->priv;
	priv->math = mathsyntax_extension_new();
	priv->parser = parser_new(priv->math);
	/* The pre-pass is cheap; its text is not kept between parses. */
	size_t len;
	char *text = mathsyntax_prepass(doc->page->body, doc->page->body_len,
	    &len);
	pthread_mutex_lock(&parse_lock);
	cmark_parser_feed(priv->parser, text, len);
	priv->root = cmark_parser_finish(priv->parser);
	pthread_mutex_unlock(&parse_lock);
	free(text);
}

static void free_objects(struct md_doc *doc)
{
	md__free_links(doc);
	for (size_t i = 0; i < doc->nids; i++)
		free(doc->ids[i]);
	free(doc->ids);
	for (size_t i = 0; i < doc->nmath; i++) {
		free(doc->math[i].tex);
		free(doc->math[i].id);
		free(doc->math[i].html);
	}
	free(doc->math);
	for (size_t i = 0; i < doc->nwitnesses; i++) {
		free(doc->witnesses[i].name);
		free(doc->witnesses[i].code);
		free(doc->witnesses[i].expected);
	}
	free(doc->witnesses);
	for (size_t i = 0; i < doc->nsections; i++) {
		free(doc->sections[i].name);
		free(doc->sections[i].anchor);
		free(doc->sections[i].html);
		free(doc->sections[i].name_html);
	}
	free(doc->sections);
}

void md__tree_release(struct md_doc *doc)
{
	struct md_priv *priv = doc->priv;
	if (!priv->root)
		return;
	cmark_node_free(priv->root);
	cmark_parser_free(priv->parser);
	mathsyntax_extension_free(priv->math);
	priv->root = NULL;
	priv->parser = NULL;
	priv->math = NULL;
	for (size_t i = 0; i < doc->nmath; i++)
		doc->math[i].node = NULL;
	for (size_t i = 0; i < doc->nwitnesses; i++)
		doc->witnesses[i].node = doc->witnesses[i].output_node = NULL;
}

/* Parses the text again and points the objects at their new nodes: the
 * same text gives the same objects in the same order. */
void md__tree_restore(struct md_doc *doc)
{
	struct md_priv *priv = doc->priv;
	if (priv->root)
		return;
	tree_build(doc);
	struct md_doc again = {.page = doc->page, .priv = priv};
	struct diags scratch = {0};
	struct finder f = {.doc = &again, .d = &scratch};
	find_objects(&f, priv->root);
	for (size_t i = 0; i < doc->nmath && i < again.nmath; i++)
		doc->math[i].node = again.math[i].node;
	for (size_t i = 0; i < doc->nwitnesses && i < again.nwitnesses; i++) {
		doc->witnesses[i].node = again.witnesses[i].node;
		doc->witnesses[i].output_node = again.witnesses[i].output_node;
	}
	free_objects(&again);
	diags_free(&scratch);
}

/* Parses p's body and finds its objects; the tree is kept. */
static struct md_doc *parse(const struct page *p, struct diags *d)
{
	struct md_doc *doc = xcalloc(1, sizeof *doc);
	struct md_priv *priv = xcalloc(1, sizeof *priv);
	doc->page = p;
	doc->priv = priv;
	tree_build(doc);
	struct finder f = {.doc = doc, .d = d};
	find_objects(&f, priv->root);
	md__assign_anchors(doc, priv->root);
	return doc;
}

struct md_doc *md_parse(const struct page *p, struct diags *d)
{
	struct md_doc *doc = parse(p, d);
	md__prerender(doc);
	return doc;
}

struct md_doc *md_scan(const struct page *p, struct diags *d)
{
	struct md_doc *doc = parse(p, d);
	md__tree_release(doc);
	return doc;
}

/* ---- positions */

void md_math_locate(const struct md_doc *doc, const struct md_math *m,
    size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	*line = m->line;
	*col = m->col > 0 ? m->col : 1;
	if (!m->node) {
		/* The tree was released after parsing: parse it again (this
		 * happens for errors only). */
		struct md_doc *mut = (struct md_doc *)doc;
		size_t i = (size_t)(m - doc->math);
		md__tree_restore(mut);
		m = &doc->math[i];
		if (!m->node)
			return;
	}
	if (cmark_node_get_type(m->node) == CMARK_NODE_CODE_BLOCK)
		mathsyntax_locate_block(doc->page->body, doc->page->body_len,
		    m->node, off, &l, &c);
	else
		mathsyntax_locate(doc->page->body, doc->page->body_len,
		    m->node, off, &l, &c);
	*line = file_line(doc, l);
	*col = c;
}

void md_free(struct md_doc *doc)
{
	if (!doc)
		return;
	struct md_priv *priv = doc->priv;
	if (priv) {
		md__tree_release(doc);
		free(priv->lines);
		for (size_t i = 0; i < priv->nheading_ids; i++)
			free(priv->heading_ids[i]);
		free(priv->heading_ids);
		free(priv);
	}
	free_objects(doc);
	free(doc->intro_html);
	free(doc->footnotes_html);
	free(doc);
}
