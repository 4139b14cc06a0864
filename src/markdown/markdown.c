/*
 * markdown.c -- parsing a page body with cmark-gfm and its extensions,
 * finding the objects in it, and rendering it to HTML by sections.
 *
 * Divisions: the parser, fence info strings, finding objects (pass over
 * the tree), rendering (nodes replaced by our HTML, then split at section
 * markers), positions.
 */
#include "markdown.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "mathsyntax.h"

const char *const md_standard_sections[4] = {"Intuition", "Math", "Code",
	"Interactive Demo"};

struct md_priv {
	cmark_parser *parser;
	cmark_syntax_extension *math;  /* ours, freed with the doc */
	cmark_node *root;
};

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
	int lines[8];
	size_t n;
};

static void info_parse(const char *s, struct info *in)
{
	memset(in, 0, sizeof *in);
	while (*s == ' ' || *s == '\t')
		s++;
	size_t i = 0;
	while (*s && !isspace((unsigned char)*s) && i + 1 < sizeof in->lang)
		in->lang[i++] = *s++;
	while (*s && !isspace((unsigned char)*s))
		s++;
	while (*s && in->n < 8) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		const char *k = s;
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

static const char *info_get(const struct info *in, const char *key)
{
	for (size_t i = 0; i < in->n; i++)
		if (!strcmp(in->keys[i], key))
			return in->values[i] ? in->values[i] : "";
	return NULL;
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
};

static int file_line(const struct md_doc *doc, int body_line)
{
	return doc->page->body_line + body_line - 1;
}

static void fence_error(struct finder *f, cmark_node *n, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void fence_error(struct finder *f, cmark_node *n, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diags_add(f->d, DIAG_ERROR, f->doc->page->path,
	    file_line(f->doc, cmark_node_get_start_line(n)),
	    cmark_node_get_start_column(n), "markdown", "%s", b.data);
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
		if (hint)
			fence_error(f, n, "unknown attribute `%s` on a ```%s "
			    "block; did you mean `%s`?", in->keys[i],
			    in->lang, hint);
		else
			fence_error(f, n, "unknown attribute `%s` on a ```%s "
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
	if (id && !valid_name(id)) {
		fence_error(f, n, "equation id `%s` must be letters, digits, "
		    "'-', '_' or '.'", id);
		id = NULL;
	}
	for (size_t i = 0; id && i < f->doc->nmath; i++)
		if (f->doc->math[i].id && !strcmp(f->doc->math[i].id, id)) {
			fence_error(f, n, "duplicate equation id `%s` (first "
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
	md_math_locate(doc, m, 0, &m->line, &m->col);
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
	check_attrs(f, n, in, allowed);
	if (!valid_name(name)) {
		fence_error(f, n, "witness name `%s` must be letters, digits, "
		    "'-', '_' or '.'", name);
		return;
	}
	for (size_t i = 0; i < doc->nwitnesses; i++)
		if (!strcmp(doc->witnesses[i].name, name)) {
			fence_error(f, n, "duplicate witness `%s` (first at "
			    "line %d)", name, doc->witnesses[i].line);
			return;
		}
	cmark_node *out = output_after(n);
	if (!out) {
		fence_error(f, n, "witness `%s` has no ```output block right "
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
			fence_error(f, out, "`tol=%s` must be a non-negative "
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
			fence_error(f, n, "witnesses are C programs: write "
			    "```c witness=%s", info_get(&in, "witness"));
		else
			found_witness(f, n, &in);
	} else if (!strcmp(in.lang, "output")) {
		cmark_node *prev = cmark_node_previous(n);
		struct info pi = {0};
		if (prev && cmark_node_get_type(prev) == CMARK_NODE_CODE_BLOCK)
			info_parse(cmark_node_get_fence_info(prev), &pi);
		if (!info_get(&pi, "witness"))
			fence_error(f, n, "```output block without a ```c "
			    "witness=NAME block before it");
		info_free(&pi);
	}
	info_free(&in);
}

static char *heading_text(cmark_node *n)
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

/* An anchor not yet used on the page: slug, slug-2, slug-3, ... */
static char *unique_anchor(struct md_doc *doc, const char *text)
{
	char *slug = md_slug(text);
	char *a = xstrdup(slug);
	for (int k = 2;; k++) {
		int used = 0;
		for (size_t i = 0; i < doc->nsections; i++)
			if (!strcmp(doc->sections[i].anchor, a))
				used = 1;
		if (!used)
			break;
		free(a);
		a = xasprintf("%s-%d", slug, k);
	}
	free(slug);
	return a;
}

static void found_section(struct finder *f, cmark_node *n)
{
	struct md_doc *doc = f->doc;
	if (doc->nsections == f->cap_section) {
		f->cap_section = f->cap_section ? 2 * f->cap_section : 8;
		doc->sections = xrealloc(doc->sections,
		    f->cap_section * sizeof *doc->sections);
	}
	char *name = heading_text(n);
	struct md_section *s = &doc->sections[doc->nsections];
	memset(s, 0, sizeof *s);
	s->anchor = unique_anchor(doc, name);
	doc->nsections++;
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
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node *n = cmark_iter_get_node(it);
		int kind;
		switch (cmark_node_get_type(n)) {
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

static void tree_release(struct md_doc *doc)
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
static void tree_restore(struct md_doc *doc)
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

static void prerender(struct md_doc *doc);

struct md_doc *md_parse(const struct page *p, struct diags *d)
{
	struct md_doc *doc = xcalloc(1, sizeof *doc);
	struct md_priv *priv = xcalloc(1, sizeof *priv);
	doc->page = p;
	doc->priv = priv;
	tree_build(doc);
	struct finder f = {.doc = doc, .d = d};
	find_objects(&f, priv->root);
	prerender(doc);
	return doc;
}

/* ---- rendering */

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

static void place_math(size_t k, struct md_math *m)
{
	char mark[48];
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

static void neutralise_links(cmark_node *root)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_LINK ||
		    t == CMARK_NODE_IMAGE) && cmark_node_get_url(n) &&
		    dangerous_url(cmark_node_get_url(n)))
			cmark_node_set_url(n, "");
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
 * that the output pass folds into the tag. */
static void mark_headings(struct md_doc *doc, cmark_node *root)
{
	size_t section = 0;
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
			} else if (level > 2) {
				char *text = heading_text(n);
				char *slug = md_slug(text);
				char *mark = xasprintf(ID_MARK "%s-->\n", slug);
				cmark_node_insert_before(n, html_node(
				    CMARK_NODE_HTML_BLOCK, mark));
				free(mark);
				free(slug);
				free(text);
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
static void prerender(struct md_doc *doc)
{
	struct md_priv *priv = doc->priv;
	drop_raw_html(priv->root);
	neutralise_links(priv->root);
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
	tree_release(doc);
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
	fill(doc, &doc->intro_html);
	fill(doc, &doc->footnotes_html);
	for (size_t i = 0; i < doc->nsections; i++) {
		fill(doc, &doc->sections[i].html);
		fill(doc, &doc->sections[i].name_html);
	}
}

/* ---- positions */

void md_math_locate(const struct md_doc *doc, const struct md_math *m,
    size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	*line = m->line;
	*col = m->col;
	if (!m->node) {
		/* The tree was released after parsing: parse it again (this
		 * happens for errors only). */
		struct md_doc *mut = (struct md_doc *)doc;
		size_t i = (size_t)(m - doc->math);
		tree_restore(mut);
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
		tree_release(doc);
		free(priv);
	}
	free_objects(doc);
	free(doc->intro_html);
	free(doc->footnotes_html);
	free(doc);
}
