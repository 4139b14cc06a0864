/*
 * util.c -- memory, buffers, diagnostics and text helpers shared by every
 * stage.  Files and hashing live in files.c.
 */
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory */

static void oom(size_t n)
{
	fprintf(stderr, "folio: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

/* ---- buffers */

static void grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_put(struct buf *b, const void *p, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

char *buf_room(struct buf *b, size_t n)
{
	grow(b, n);
	return b->data + b->len;
}

void buf_grew(struct buf *b, size_t k)
{
	b->len += k;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_put_field(struct buf *b, const char *name, const char *value)
{
	if (!value)
		value = "";
	size_t n = strlen(value);
	/* The length in decimal, without printf (keys are made by the
	 * thousand). */
	char digits[24];
	size_t at = sizeof digits;
	do
		digits[--at] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	buf_puts(b, name);
	buf_putc(b, ' ');
	buf_put(b, digits + at, sizeof digits - at);
	buf_putc(b, '\n');
	buf_puts(b, value);
	buf_putc(b, '\n');
}

char *buf_detach(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void buf_free(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- diagnostics */

struct diag *diags_add(struct diags *d, enum diag_level level,
    const char *path, int line, int col, const char *stage,
    const char *fmt, ...)
{
	if (d->nitems == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof *d->items);
	}
	struct diag *g = &d->items[d->nitems++];
	memset(g, 0, sizeof *g);
	g->level = level;
	g->path = path ? xstrdup(path) : NULL;
	g->line = line;
	g->col = col;
	g->stage = xstrdup(stage ? stage : "folio");
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	g->message = buf_detach(&b);
	return g;
}

void diags_move(struct diags *dst, struct diags *src)
{
	for (size_t i = 0; i < src->nitems; i++) {
		if (dst->nitems == dst->cap) {
			dst->cap = dst->cap ? dst->cap * 2 : 16;
			dst->items = xrealloc(dst->items,
			    dst->cap * sizeof *dst->items);
		}
		dst->items[dst->nitems++] = src->items[i];
	}
	free(src->items);
	src->items = NULL;
	src->nitems = src->cap = 0;
}

size_t diags_count(const struct diags *d, enum diag_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < d->nitems; i++)
		if (d->items[i].level == level)
			n++;
	return n;
}

static int diag_cmp(const struct diag *a, const struct diag *b)
{
	int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return 0;
}

void diags_sort(struct diags *d)
{
	/* Insertion sort: stable, and lists are short. */
	for (size_t i = 1; i < d->nitems; i++) {
		struct diag g = d->items[i];
		size_t j = i;
		while (j > 0 && diag_cmp(&d->items[j - 1], &g) > 0) {
			d->items[j] = d->items[j - 1];
			j--;
		}
		d->items[j] = g;
	}
}

const char *diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_NOTE:
		return "note";
	case DIAG_WARNING:
		return "warning";
	default:
		return "error";
	}
}

char *diag_format(const struct diag *g)
{
	struct buf b = {0};
	if (g->path) {
		buf_put_terminal(&b, g->path);
		if (g->line > 0) {
			buf_printf(&b, ":%d", g->line);
			if (g->col > 0)
				buf_printf(&b, ":%d", g->col);
		}
		buf_puts(&b, ": ");
	} else {
		buf_puts(&b, "folio: ");
	}
	buf_printf(&b, "%s: %s: ", diag_level_name(g->level), g->stage);
	buf_put_terminal(&b, g->message);
	return buf_detach(&b);
}

char *diag_detail_format(const struct diag *g)
{
	struct buf b = {0};
	if (g->detail)
		buf_put_terminal(&b, g->detail);
	return buf_detach(&b);
}

void diags_print(FILE *f, const struct diags *d)
{
	for (size_t i = 0; i < d->nitems; i++) {
		char *s = diag_format(&d->items[i]);
		char *detail = diag_detail_format(&d->items[i]);
		fprintf(f, "%s\n%s", s, detail ? detail : "");
		free(s);
		free(detail);
	}
}

void diags_free(struct diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nitems; i++) {
		struct diag *g = &d->items[i];
		free(g->path);
		free(g->stage);
		free(g->message);
		free(g->detail);
		free(g->code);
	}
	free(d->items);
	d->items = NULL;
	d->nitems = d->cap = 0;
}

/* ---- text */

void html_escape(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* Control characters HTML does not allow in text
			 * (all but TAB, LF, FF and CR, and DEL) become
			 * U+FFFD, as an HTML parser would read them. */
			if (((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
			    s[i] != '\n' && s[i] != '\f' && s[i] != '\r') ||
			    s[i] == 0x7F) {
				rep = "\xEF\xBF\xBD";
				break;
			}
			continue;
		}
		buf_put(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}

/* Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of two neighbours each cost 1 ("titel" is one edit
 * from "title"). */
size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t w = lb + 1;
	size_t *d = xmalloc((la + 1) * w * sizeof *d);
	for (size_t i = 0; i <= la; i++)
		d[i * w] = i;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[(i - 1) * w + j - 1] + cost;
			if (d[(i - 1) * w + j] + 1 < best)
				best = d[(i - 1) * w + j] + 1;
			if (d[i * w + j - 1] + 1 < best)
				best = d[i * w + j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] &&
			    d[(i - 2) * w + j - 2] + 1 < best)
				best = d[(i - 2) * w + j - 2] + 1;
			d[i * w + j] = best;
		}
	}
	size_t r = d[la * w + lb];
	free(d);
	return r;
}

const char *closest_word(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; candidates[i]; i++) {
		size_t dist = edit_distance(word, candidates[i]);
		if (dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	/* A plausible typo: at most a third of the word changed, at least 1. */
	size_t limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	return best_d <= limit ? best : NULL;
}

int utf8_columns(const char *s, size_t n)
{
	int cols = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cols++;
	return cols;
}

int str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}
