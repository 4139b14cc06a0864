/*
 * pin.c -- a claim's pin (DESIGN.md, "Authoring format"): the first 12 hex
 * digits of SHA-256 over the UTF-8 text T "\n" S "\n" W, where
 *   T  the claim text, every run of white space turned into one space and
 *      the ends trimmed (white space: space, tab, newline, carriage return,
 *      form feed, vertical tab; other bytes, including non-ASCII spaces,
 *      are kept as they are),
 *   S  the source ids sorted in byte order and joined by ",",
 *   W  the witness ids sorted in byte order and joined by ",".
 * Ids are used as given (duplicates are kept), so that the pin changes
 * whenever anything a reviewer looked at changes.
 */
#include "page/page.h"

#include <stdlib.h>
#include <string.h>

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* Appends text to b with white space folded and the ends trimmed. */
static void put_folded(struct buf *b, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	int pending = 0, any = 0;
	for (; *s; s++) {
		if (is_space(*s)) {
			pending = any;
			continue;
		}
		if (pending)
			buf_putc(b, ' ');
		buf_putc(b, (char)*s);
		pending = 0;
		any = 1;
	}
}

static int cmp_str(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: byte order. */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void put_sorted(struct buf *b, char *const *ids, size_t n)
{
	if (n == 0)
		return;
	char **v = xmalloc(n * sizeof *v);
	memcpy(v, ids, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, v[i]);
	}
	free(v);
}

void page_pin_compute(const char *text, char *const *sources, size_t nsources,
    char *const *witnesses, size_t nwitnesses, char pin[13])
{
	struct buf b = {0};
	put_folded(&b, text ? text : "");
	buf_putc(&b, '\n');
	put_sorted(&b, sources, nsources);
	buf_putc(&b, '\n');
	put_sorted(&b, witnesses, nwitnesses);
	char hex[65];
	sha256_hex(b.data, b.len, hex);
	buf_free(&b);
	memcpy(pin, hex, 12);
	pin[12] = '\0';
}

static char **located_strings(const struct located_list *l)
{
	char **v = xmalloc((l->nitems ? l->nitems : 1) * sizeof *v);
	for (size_t i = 0; i < l->nitems; i++)
		v[i] = l->items[i].s;
	return v;
}

void page_claim_pin(const struct page_claim *c, char pin[13])
{
	char **s = located_strings(&c->sources);
	char **w = located_strings(&c->witnesses);
	page_pin_compute(c->text.s, s, c->sources.nitems, w,
	    c->witnesses.nitems, pin);
	free(s);
	free(w);
}
