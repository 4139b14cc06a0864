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
#include "context.h"

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

/* What the index and the page's list both say of page p: id, title,
 * summary, domain, status and url (relative to /search/, returned for
 * the caller to free). */
static json_t *page_fields(const struct page *p, char **url)
{
	json_t *o = json_object();
	*url = xasprintf("../%s/", p->id);
	set_text(o, "id", p->id);
	set_text(o, "title", p->meta.title);
	set_text(o, "summary", p->meta.summary);
	set_text(o, "domain", p->meta.domain);
	set_text(o, "status", page_status_name(p->meta.status));
	set_text(o, "url", *url);
	return o;
}

/* The index entry of page p, whose parsed body is doc (NULL: no
 * headings). */
static json_t *entry(const struct page *p, const struct md_doc *doc)
{
	json_t *heads = json_array(), *claims = json_array();
	char *url;
	json_t *o = page_fields(p, &url);
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
		char *url;
		json_t *o = page_fields(p, &url);
		free(url);
		json_array_append_new(list, o);
	}
	free(v);
	json_object_set_new(index, "version", json_integer(1));
	json_object_set_new(index, "pages", entries);
	char *json = site_json_inert(index, JSON_COMPACT);
	char *text = xasprintf("%s\n", json);
	free(json);
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
