/*
 * search.c -- site search without a server: /search/index.json, the index
 * (every page's title, summary, domain, status, section headings and claim
 * texts), and /search/index.html, a page that lists every page (what a
 * reader without JavaScript gets) and that the theme's static/search.js
 * turns into a filter as the reader types.
 *
 * The index lists the pages the catalogue lists, drafts included (with
 * their status), in the same order as the page's list: by title.  Its
 * URLs are relative to /search/, where the script runs.  It is written
 * before the page writers start, because they free each page's parsed body
 * (and with it the section headings) once the page is written.
 *
 * Divisions: the index, the page.
 */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"

/* ---- the index */

static void set_text(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_string(s ? s : ""));
}

static int cmp_title(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	int c = strcmp(x->meta.title, y->meta.title);
	return c ? c : strcmp(x->id, y->id);
}

/* The pages sorted by title, then id.  The caller frees the array. */
static const struct page **by_title(const struct site *s)
{
	const struct page **v = xcalloc(s->npages + 1, sizeof *v);
	if (s->npages) {
		memcpy(v, s->pages, s->npages * sizeof *v);
		qsort(v, s->npages, sizeof *v, cmp_title);
	}
	return v;
}

/* The index entry of page p, whose parsed body is doc (NULL: no
 * headings).  URLs are relative to /search/. */
static json_t *entry(const struct page *p, const struct md_doc *doc)
{
	json_t *o = json_object(), *heads = json_array(),
	    *claims = json_array();
	char *url = xasprintf("../%s/", p->id);
	set_text(o, "id", p->id);
	set_text(o, "title", p->meta.title);
	set_text(o, "summary", p->meta.summary);
	set_text(o, "domain", p->meta.domain);
	set_text(o, "status", page_status_name(p->meta.status));
	set_text(o, "url", url);
	for (size_t k = 0; doc && k < doc->nsections; k++) {
		json_t *h = json_object();
		char *hurl = xasprintf("%s#%s", url, doc->sections[k].anchor);
		set_text(h, "text", doc->sections[k].name);
		set_text(h, "url", hurl);
		free(hurl);
		json_array_append_new(heads, h);
	}
	for (size_t k = 0; k < p->meta.nclaims; k++)
		json_array_append_new(claims,
		    json_string(p->meta.claims[k].text.s ?
		    p->meta.claims[k].text.s : ""));
	json_object_set_new(o, "headings", heads);
	json_object_set_new(o, "claims", claims);
	free(url);
	return o;
}

/* Dumps v as UTF-8 JSON with '<', '>' and '&' as \u escapes (they occur
 * only inside strings, where the escapes mean the same): a page title
 * holding markup stays inert even if something serves the file as HTML. */
static char *inert_json(const json_t *v)
{
	char *raw = json_dumps(v, JSON_COMPACT);
	struct buf b = {0};
	for (const char *p = raw; *p; p++) {
		if (*p == '<')
			buf_puts(&b, "\\u003c");
		else if (*p == '>')
			buf_puts(&b, "\\u003e");
		else if (*p == '&')
			buf_puts(&b, "\\u0026");
		else
			buf_putc(&b, *p);
	}
	buf_putc(&b, '\n');
	free(raw);
	return buf_detach(&b);
}

/* ---- the page */

int site_write_search(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	const struct page **v = by_title(s);
	json_t *index = json_object(), *entries = json_array(),
	    *list = json_array();
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = v[i];
		size_t at = site_page_index(s, p->id);
		json_array_append_new(entries, entry(p,
		    at == (size_t)-1 ? NULL : s->docs[at]));
		/* The page's list: what a reader without JavaScript sees. */
		json_t *o = json_object();
		char *url = xasprintf("../%s/", p->id);
		set_text(o, "id", p->id);
		set_text(o, "title", p->meta.title);
		set_text(o, "summary", p->meta.summary);
		set_text(o, "domain", p->meta.domain);
		set_text(o, "status", page_status_name(p->meta.status));
		set_text(o, "url", url);
		free(url);
		json_array_append_new(list, o);
	}
	free(v);
	json_object_set_new(index, "version", json_integer(1));
	json_object_set_new(index, "pages", entries);
	char *text = inert_json(index);
	json_decref(index);
	int r = site_output(s, out, "search/index.json", text, strlen(text),
	    d);
	free(text);
	if (r != 0 || !render_set_has(rs, "search")) {
		json_decref(list);
		return r;
	}
	json_t *extra = json_object();
	json_object_set_new(extra, "pages", list);
	json_object_set_new(extra, "page_count",
	    json_integer((json_int_t)s->npages));
	json_object_set_new(extra, "index_url", json_string("index.json"));
	return site_write_template(s, rs, out, "search", NULL, "search",
	    "Search", extra, d);
}
