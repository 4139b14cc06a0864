/*
 * feed.c -- the Atom feed (RFC 4287), /feed.xml: one entry per page the
 * site publishes, that is every page that is not a draft (the pages the
 * sitemap lists).
 *
 * Like the sitemap, the feed is written only when site.yaml sets base_url:
 * an Atom id must be an absolute IRI that never changes, and the only
 * stable address folio knows for a page is its canonical URL.  Pages then
 * link to the feed from their head (feed_url in the base context).
 *
 * Builds are reproducible, so no date comes from the clock.  An entry is
 * updated on the latest date among its page's reviews (the day someone
 * last vouched for it); a page without reviews takes SOURCE_DATE_EPOCH
 * (the reproducible-builds convention) when it is set, else 1970-01-01.
 * The feed is updated on the latest of its entries.
 *
 * Divisions: XML text, dates, the feed.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- XML text */

/* Decodes one UTF-8 character at s (n bytes left) into *cp and returns its
 * length, or 0 for a malformed sequence (overlong, surrogate, truncated,
 * beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2
	    : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* XML 1.0's Char production: what may appear in a document at all, even
 * as a character reference. */
static int xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff)
	    || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Appends s as XML character data or attribute value: the five markup
 * characters as entities (so "]]>" cannot end anything either), and
 * every character XML forbids (control characters a YAML escape such as
 * "\x01" can put in a title, U+FFFE, malformed UTF-8) as U+FFFD, so that
 * the feed stays well-formed whatever the pages hold. */
static void xml_put(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n > 0) {
		uint32_t c;
		size_t len = utf8_decode(p, n, &c);
		if (len == 0 || !xml_char(c)) {
			buf_puts(b, "\xef\xbf\xbd");
			len = len ? len : 1;
		} else if (c == '&') {
			buf_puts(b, "&amp;");
		} else if (c == '<') {
			buf_puts(b, "&lt;");
		} else if (c == '>') {
			buf_puts(b, "&gt;");
		} else if (c == '"') {
			buf_puts(b, "&quot;");
		} else if (c == '\'') {
			buf_puts(b, "&apos;");
		} else {
			buf_put(b, p, len);
		}
		p += len;
		n -= len;
	}
}

/* <name>text</name> on a line of its own, indented by indent. */
static void xml_element(struct buf *b, const char *indent, const char *name,
    const char *text)
{
	buf_printf(b, "%s<%s>", indent, name);
	xml_put(b, text);
	buf_printf(b, "</%s>\n", name);
}

/* ---- dates */

/* The fallback date, as an RFC 3339 date-time: SOURCE_DATE_EPOCH when it
 * is set, else the epoch itself.  A value that is not a whole number of
 * seconds (up to year 9999) is an error, as reproducible-builds.org asks:
 * a date silently taken as 1970 would be wrong in every feed built. */
static int fallback_date(char out[21], struct diags *d)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	time_t t = 0;
	if (env && *env) {
		char *end;
		errno = 0;
		long long v = strtoll(env, &end, 10);
		if (*end || errno || v < 0 || v >= 253402300800LL ||
		    !isdigit((unsigned char)*env)) {
			diags_add(d, DIAG_ERROR, NULL, 0, 0, "site",
			    "SOURCE_DATE_EPOCH is '%s', not a number of "
			    "seconds since 1970-01-01 (before year 10000)",
			    env);
			return -1;
		}
		t = (time_t)v;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

/* The date-time an entry for p was last updated: its latest review date
 * (YYYY-MM-DD, checked by the page model) at midnight UTC, or fallback. */
static void page_updated(const struct page *p, const char *fallback,
    char out[21])
{
	const char *latest = NULL;
	for (size_t i = 0; i < p->meta.nreviews; i++) {
		const char *d = p->meta.reviews[i].date;
		if (d && strlen(d) == 10 && (!latest || strcmp(d, latest) > 0))
			latest = d;
	}
	if (latest)
		snprintf(out, 21, "%sT00:00:00Z", latest);
	else
		memcpy(out, fallback, 21);
}

/* ---- the feed */

struct entry {
	const struct page *page;
	char updated[21];
};

/* Newest first; pages updated the same day by id, so the order is stable. */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(y->updated, x->updated);
	return c ? c : strcmp(x->page->id, y->page->id);
}

int site_write_feed(struct site *s, const char *out, struct diags *d)
{
	const char *base = s->config->base_url;
	if (!*base)
		return 0;
	char fallback[21];
	if (fallback_date(fallback, d) != 0)
		return -1;
	struct entry *e = xcalloc(s->npages + 1, sizeof *e);
	size_t n = 0;
	for (size_t i = 0; i < s->npages; i++) {
		if (s->pages[i]->meta.status == PAGE_DRAFT)
			continue;
		e[n].page = s->pages[i];
		page_updated(s->pages[i], fallback, e[n].updated);
		n++;
	}
	qsort(e, n, sizeof *e, cmp_entry);

	struct buf b = {0};
	char *home = xasprintf("%s/", base);
	char *self = xasprintf("%s/feed.xml", base);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	xml_element(&b, "  ", "title", s->config->title);
	if (s->config->description)
		xml_element(&b, "  ", "subtitle", s->config->description);
	xml_element(&b, "  ", "id", home);
	buf_puts(&b, "  <link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"");
	xml_put(&b, self);
	buf_puts(&b, "\"/>\n  <link rel=\"alternate\" type=\"text/html\" "
	    "href=\"");
	xml_put(&b, home);
	buf_puts(&b, "\"/>\n");
	xml_element(&b, "  ", "updated", n ? e[0].updated : fallback);
	/* RFC 4287 wants an author on the feed or on every entry; the pages
	 * have reviewers, not authors, so the site speaks for them. */
	buf_puts(&b, "  <author>\n");
	xml_element(&b, "    ", "name", s->config->title);
	buf_puts(&b, "  </author>\n");
	buf_printf(&b, "  <generator version=\"%s\">folio</generator>\n",
	    FOLIO_VERSION);
	for (size_t i = 0; i < n; i++) {
		const struct page *p = e[i].page;
		char *url = xasprintf("%s/%s/", base, p->id);
		buf_puts(&b, "  <entry>\n");
		xml_element(&b, "    ", "title", p->meta.title);
		xml_element(&b, "    ", "id", url);
		buf_puts(&b, "    <link rel=\"alternate\" type=\"text/html\" "
		    "href=\"");
		xml_put(&b, url);
		buf_puts(&b, "\"/>\n");
		xml_element(&b, "    ", "updated", e[i].updated);
		buf_puts(&b, "    <category term=\"");
		xml_put(&b, p->meta.domain);
		buf_puts(&b, "\"/>\n");
		xml_element(&b, "    ", "summary", p->meta.summary);
		buf_puts(&b, "  </entry>\n");
		free(url);
	}
	buf_puts(&b, "</feed>\n");
	int r = site_output(s, out, "feed.xml", b.data, b.len, d);
	buf_free(&b);
	free(home);
	free(self);
	free(e);
	return r;
}
