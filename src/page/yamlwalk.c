/*
 * yamlwalk.c -- reading a libyaml document into typed fields, with every
 * error located at the offending node.
 *
 * Divisions: loading, positions and messages, mappings, scalar readers,
 * sequences, conversion to JSON.
 */
#include "yamlwalk.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- loading */

/* The mark (0-based line and column) of byte offset in text.  libyaml's
 * reader errors (bad UTF-8, control characters) give a byte offset, not a
 * mark; this counts as libyaml's scanner counts its marks, so that these
 * errors are located like every other: a line ends at LF, CR, CR LF, NEL,
 * LS or PS, and a column counts characters, not bytes.  A leading byte
 * order mark is not a character of the first line.  The reader gives the
 * offset of a bad trailing octet itself; the mark is that of the
 * character it was to end, whose leading octet is then moved back to.
 * The text before that is valid UTF-8 (the reader got that far), so a
 * character is any byte but a continuation byte. */
static yaml_mark_t mark_at(const char *text, size_t len, size_t offset)
{
	const unsigned char *s = (const unsigned char *)text;
	yaml_mark_t m = {0};
	size_t i = len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if (offset > len)
		offset = len;
	for (size_t k = 1; k <= 3 && k <= offset; k++) {
		unsigned char c = s[offset - k];
		if ((c & 0xC0) == 0x80)
			continue;
		size_t width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2
		    : 1;
		if (width > k)
			offset -= k;
		break;
	}
	while (i < offset) {
		size_t brk = s[i] == '\r' && i + 1 < offset && s[i + 1] == '\n'
		    ? 2 : s[i] == '\r' || s[i] == '\n' ? 1
		    : i + 1 < offset && s[i] == 0xC2 && s[i + 1] == 0x85 ? 2
		    : i + 2 < offset && s[i] == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9) ? 3 : 0;
		if (brk) {
			m.line++;
			m.column = 0;
			i += brk;
			continue;
		}
		if ((s[i] & 0xC0) != 0x80)
			m.column++;
		i++;
	}
	m.index = offset;
	return m;
}

int yw_load(struct yw *w, const char *stage, const char *path,
    const char *text, size_t len, int line_offset, struct diags *d)
{
	memset(w, 0, sizeof *w);
	w->stage = stage;
	w->path = path;
	w->line_offset = line_offset;
	w->d = d;
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	if (!yaml_parser_load(&parser, &w->doc)) {
		const char *ctx = parser.context;
		yaml_mark_t m = parser.problem_mark, cm = parser.context_mark;
		struct buf b = {0};
		buf_printf(&b, "YAML: %s", parser.problem ? parser.problem
		    : "syntax error");
		if (parser.error == YAML_READER_ERROR)
			m = mark_at(text, len, parser.problem_offset);
		if (ctx)
			buf_printf(&b, " %s started at line %d, column %d", ctx,
			    (int)cm.line + 1 + line_offset, (int)cm.column + 1);
		diags_add(d, DIAG_ERROR, path, (int)m.line + 1 + line_offset,
		    (int)m.column + 1, stage, "%s", b.data);
		buf_free(&b);
		yaml_parser_delete(&parser);
		w->errors++;
		return -1;
	}
	yaml_parser_delete(&parser);
	w->loaded = 1;
	if (yw_check_bounds(w, text, len) != 0) {
		yw_free(w);
		return -1;
	}
	return 0;
}

void yw_free(struct yw *w)
{
	if (w->loaded)
		yaml_document_delete(&w->doc);
	w->loaded = 0;
}

yaml_node_t *yw_root(struct yw *w)
{
	return yaml_document_get_root_node(&w->doc);
}

/* ---- positions and messages */

int yw_line(const struct yw *w, const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1 + w->line_offset;
}

int yw_col(const struct yw *w, const yaml_node_t *n)
{
	(void)w;
	return (int)n->start_mark.column + 1;
}

static void report(struct yw *w, enum diag_level level, const yaml_node_t *n,
    const char *fmt, va_list ap)
{
	struct buf b = {0};
	buf_vprintf(&b, fmt, ap);
	diags_add(w->d, level, w->path, n ? yw_line(w, n) : w->line_offset,
	    n ? yw_col(w, n) : 1, w->stage, "%s", b.data);
	buf_free(&b);
	if (level == DIAG_ERROR)
		w->errors++;
}

void yw_error(struct yw *w, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(w, DIAG_ERROR, n, fmt, ap);
	va_end(ap);
}

void yw_warning(struct yw *w, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(w, DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

/* ---- mappings */

int yw_is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

int yw_is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

int yw_is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

const char *yw_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static void duplicate(struct yw *w, yaml_node_pair_t *first,
    yaml_node_pair_t *p, const char *what);

int yw_check_map(struct yw *w, yaml_node_t *n, const char *what,
    const char *const *allowed)
{
	if (!yw_is_map(n)) {
		yw_error(w, n, "%s must be a mapping, not %s", what,
		    type_name(n));
		return -1;
	}
	yaml_node_pair_t *first = n->data.mapping.pairs.start;
	yaml_node_pair_t *top = n->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = first; p < top; p++) {
		yaml_node_t *k = yaml_document_get_node(&w->doc, p->key);
		if (!yw_is_scalar(k)) {
			yw_error(w, k, "%s keys must be plain names", what);
			continue;
		}
		const char *key = yw_scalar(k);
		int known = 0;
		for (size_t i = 0; allowed[i]; i++)
			if (!strcmp(allowed[i], key))
				known = 1;
		if (!known) {
			const char *hint = closest_word(key, allowed);
			if (hint)
				yw_error(w, k, "unknown key `%s` in %s; "
				    "did you mean `%s`?", key, what, hint);
			else
				yw_error(w, k, "unknown key `%s` in %s",
				    key, what);
			continue;
		}
		duplicate(w, first, p, what);
	}
	return 0;
}

/* Reports the key of pair p of a mapping whose pairs start at first when
 * an earlier pair has the same scalar key. */
static void duplicate(struct yw *w, yaml_node_pair_t *first,
    yaml_node_pair_t *p, const char *what)
{
	yaml_node_t *k = yaml_document_get_node(&w->doc, p->key);
	if (!yw_is_scalar(k))
		return;
	for (yaml_node_pair_t *q = first; q < p; q++) {
		yaml_node_t *k2 = yaml_document_get_node(&w->doc, q->key);
		if (yw_is_scalar(k2) && !strcmp(yw_scalar(k2), yw_scalar(k))) {
			yw_error(w, k, "duplicate key `%s` in %s (first at "
			    "line %d)", yw_scalar(k), what, yw_line(w, k2));
			return;
		}
	}
}

void yw_check_unique(struct yw *w, yaml_node_t *n, const char *what)
{
	if (!yw_is_map(n))
		return;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++)
		duplicate(w, n->data.mapping.pairs.start, p, what);
}

/* The pair of mapping n whose key is the scalar key, or NULL. */
static yaml_node_pair_t *find_pair(struct yw *w, yaml_node_t *n,
    const char *key)
{
	if (!yw_is_map(n))
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&w->doc, p->key);
		if (yw_is_scalar(k) && !strcmp(yw_scalar(k), key))
			return p;
	}
	return NULL;
}

yaml_node_t *yw_get_key(struct yw *w, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p = find_pair(w, n, key);
	return p ? yaml_document_get_node(&w->doc, p->key) : NULL;
}

yaml_node_t *yw_get(struct yw *w, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p = find_pair(w, n, key);
	return p ? yaml_document_get_node(&w->doc, p->value) : NULL;
}

yaml_node_t *yw_require(struct yw *w, yaml_node_t *map, const char *key,
    const char *what)
{
	yaml_node_t *v = yw_get(w, map, key);
	if (!v && yw_is_map(map))
		yw_error(w, map, "missing required key `%s` in %s", key, what);
	return v;
}

/* ---- scalar readers */

/* A plain (unquoted) empty scalar or "~"/"null" is YAML's null. */
static int is_null(const yaml_node_t *n)
{
	if (!yw_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = yw_scalar(n);
	return !*s || !strcmp(s, "~") || !strcmp(s, "null");
}

int yw_string(struct yw *w, yaml_node_t *n, const char *key, char **out)
{
	if (!n)
		return 0;
	if (!yw_is_scalar(n) || is_null(n)) {
		yw_error(w, n, "`%s` must be a string, not %s", key,
		    is_null(n) ? "empty" : type_name(n));
		return -1;
	}
	free(*out);
	*out = xstrdup(yw_scalar(n));
	return 0;
}

int yw_located(struct yw *w, yaml_node_t *n, const char *key,
    struct located *out)
{
	if (!n)
		return 0;
	if (yw_string(w, n, key, &out->s) != 0)
		return -1;
	out->line = yw_line(w, n);
	out->col = yw_col(w, n);
	/* A quoted or block scalar's text starts after its indicator. */
	if (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
		out->col++;
	return 0;
}

int yw_int(struct yw *w, yaml_node_t *n, const char *key, long min,
    long max, int *out)
{
	if (!n)
		return 0;
	if (!yw_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		yw_error(w, n, "`%s` must be a whole number", key);
		return -1;
	}
	const char *s = yw_scalar(n);
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno) {
		yw_error(w, n, "`%s` must be a whole number, not `%s`", key, s);
		return -1;
	}
	if (v < min || v > max) {
		yw_error(w, n, "`%s` must be between %ld and %ld, not %ld",
		    key, min, max, v);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int yw_enum(struct yw *w, yaml_node_t *n, const char *key,
    const char *const *names, int *out)
{
	if (!n)
		return 0;
	if (!yw_is_scalar(n) || is_null(n)) {
		yw_error(w, n, "`%s` must be one of the names listed in the "
		    "authoring guide", key);
		return -1;
	}
	const char *s = yw_scalar(n);
	struct buf all = {0};
	for (int i = 0; names[i]; i++) {
		if (!strcmp(names[i], s)) {
			*out = i;
			buf_free(&all);
			return 0;
		}
		buf_printf(&all, "%s%s", i ? ", " : "", names[i]);
	}
	const char *hint = closest_word(s, names);
	if (hint)
		yw_error(w, n, "`%s` must be one of %s, not `%s`; did you "
		    "mean `%s`?", key, all.data, s, hint);
	else
		yw_error(w, n, "`%s` must be one of %s, not `%s`", key,
		    all.data, s);
	buf_free(&all);
	return -1;
}

/* ---- sequences */

size_t yw_seq_len(struct yw *w, yaml_node_t *n)
{
	(void)w;
	if (!yw_is_seq(n))
		return 0;
	return (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
}

yaml_node_t *yw_seq_item(struct yw *w, yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&w->doc,
	    n->data.sequence.items.start[i]);
}

int yw_string_list(struct yw *w, yaml_node_t *n, const char *key,
    struct located_list *out)
{
	if (!n)
		return 0;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`%s` must be a list, not %s", key,
		    type_name(n));
		return -1;
	}
	size_t count = yw_seq_len(w, n);
	out->items = xcalloc(count, sizeof *out->items);
	out->nitems = 0;
	int r = 0;
	for (size_t i = 0; i < count; i++) {
		struct located l = {0};
		if (yw_located(w, yw_seq_item(w, n, i), key, &l) != 0) {
			r = -1;
			continue;
		}
		out->items[out->nitems++] = l;
	}
	return r;
}

void located_list_free(struct located_list *l)
{
	for (size_t i = 0; i < l->nitems; i++)
		free(l->items[i].s);
	free(l->items);
	l->items = NULL;
	l->nitems = 0;
}

/* ---- conversion to JSON */

static void json_string(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '<')
			buf_puts(b, "\\u003c"); /* safe inside <script> */
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* A plain scalar that is a JSON number:
 *   -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?  */
static int looks_numeric(const char *s)
{
	const char *p = s;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* text: every scalar becomes a JSON string (see yw_to_json_text).  The
 * recursion is as deep as the document, which yw_load bounded, and so is
 * the output (with aliases expanded). */
static void to_json(struct yw *w, yaml_node_t *n, struct buf *b, int text)
{
	if (!n) {
		buf_puts(b, "null");
		return;
	}
	if (n->type == YAML_MAPPING_NODE) {
		buf_putc(b, '{');
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(&w->doc,
			    p->key);
			if (p != n->data.mapping.pairs.start)
				buf_putc(b, ',');
			json_string(b, yw_is_scalar(k) ? yw_scalar(k) : "?");
			buf_putc(b, ':');
			to_json(w, yaml_document_get_node(&w->doc, p->value),
			    b, text);
		}
		buf_putc(b, '}');
	} else if (n->type == YAML_SEQUENCE_NODE) {
		buf_putc(b, '[');
		for (size_t i = 0; i < yw_seq_len(w, n); i++) {
			if (i)
				buf_putc(b, ',');
			to_json(w, yw_seq_item(w, n, i), b, text);
		}
		buf_putc(b, ']');
	} else {
		const char *s = yw_scalar(n);
		int plain = !text &&
		    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (plain && (!strcmp(s, "true") || !strcmp(s, "false")))
			buf_puts(b, s);
		else if (plain && is_null(n))
			buf_puts(b, "null");
		else if (plain && looks_numeric(s))
			buf_puts(b, s);
		else
			json_string(b, s);
	}
}

char *yw_to_json(struct yw *w, yaml_node_t *n)
{
	struct buf b = {0};
	to_json(w, n, &b, 0);
	return buf_detach(&b);
}

char *yw_to_json_text(struct yw *w, yaml_node_t *n)
{
	struct buf b = {0};
	to_json(w, n, &b, 1);
	return buf_detach(&b);
}

int yw_valid_url(const char *s)
{
	if (strncasecmp(s, "https://", 8) && strncasecmp(s, "http://", 7))
		return 0;
	const char *host = strstr(s, "//") + 2;
	if (!*host || *host == '/')
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || *s == '"' || *s == '<' ||
		    *s == '>')
			return 0;
	return 1;
}
