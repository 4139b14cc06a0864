/*
 * extras.c -- site-wide pages and files beyond the concept pages and the
 * catalogue: a page per source (/sources/<id>/) listing the claims that
 * cite it, the claims dashboard (/claims/), sitemap.xml (when base_url is
 * set; a sitemap needs absolute URLs) and robots.txt pointing at it.  The
 * concept graph (graph_page.c) and the Atom feed (feed.c) are written from
 * here too; search (search.c) is written before the pages.
 */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "render/render.h"

static const char *const state_badges[] = {"Reviewed", "Stale review",
	"Unreviewed"};

/* One claim of the dashboard or a source page, with its page. */
static json_t *claim_row(const struct site *s, const struct check_claim *cc,
    const char *root)
{
	json_t *o = json_object();
	const struct page *p = cc->page;
	char *url = xasprintf("%s%s/#claim-%s", root, p->id, cc->claim->id.s);
	char *purl = xasprintf("%s%s/", root, p->id);
	json_object_set_new(o, "id", json_string(cc->claim->id.s));
	json_object_set_new(o, "text", json_string(cc->claim->text.s));
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "page_title", json_string(p->meta.title));
	json_object_set_new(o, "page_url", json_string(purl));
	json_object_set_new(o, "page_status",
	    json_string(page_status_name(p->meta.status)));
	json_object_set_new(o, "status",
	    json_string(check_claim_state_name(cc->state)));
	json_object_set_new(o, "badge", json_string(state_badges[cc->state]));
	json_object_set_new(o, "pin", json_string(cc->pin));
	if (cc->review) {
		json_object_set_new(o, "level", json_string(
		    review_level_name(cc->review->level)));
		json_object_set_new(o, "reviewer",
		    json_string(cc->review->reviewer));
		json_object_set_new(o, "date", json_string(cc->review->date));
	}
	(void)s;
	free(url);
	free(purl);
	return o;
}

static int cites(const struct page_claim *c, const char *source)
{
	for (size_t i = 0; i < c->sources.nitems; i++)
		if (!strcmp(c->sources.items[i].s, source))
			return 1;
	return 0;
}

static int write_sources(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	if (!render_set_has(rs, "source"))
		return 0;
	const char *root = "../../";
	for (size_t i = 0; i < s->nsources; i++) {
		const struct source *src = s->sources[i];
		json_t *so = json_object(), *authors = json_array();
		json_object_set_new(so, "id", json_string(src->id));
		json_object_set_new(so, "kind", json_string(src->kind));
		json_object_set_new(so, "title", json_string(src->title));
		for (size_t k = 0; k < src->nauthors; k++)
			json_array_append_new(authors,
			    json_string(src->authors[k]));
		json_object_set_new(so, "authors", authors);
		json_object_set_new(so, "year", json_integer(src->year));
		if (src->venue)
			json_object_set_new(so, "venue", json_string(src->venue));
		if (src->url)
			json_object_set_new(so, "url", json_string(src->url));
		if (src->doi)
			json_object_set_new(so, "doi", json_string(src->doi));
		json_object_set_new(so, "snapshot",
		    json_boolean(src->snapshot != NULL));
		json_t *pages = json_array(), *claims = json_array();
		for (size_t p = 0; p < s->npages; p++) {
			const struct page_meta *m = &s->pages[p]->meta;
			for (size_t k = 0; k < m->nsources; k++) {
				if (strcmp(m->sources[k].id.s, src->id))
					continue;
				json_t *po = json_object();
				char *url = xasprintf("%s%s/", root,
				    s->pages[p]->id);
				json_object_set_new(po, "title",
				    json_string(m->title));
				json_object_set_new(po, "url", json_string(url));
				if (m->sources[k].grounds)
					json_object_set_new(po, "grounds",
					    json_string(m->sources[k].grounds));
				free(url);
				json_array_append_new(pages, po);
			}
		}
		for (size_t c = 0; c < s->claims.nclaims; c++)
			if (cites(s->claims.claims[c].claim, src->id))
				json_array_append_new(claims, claim_row(s,
				    &s->claims.claims[c], root));
		json_t *extra = json_object();
		json_object_set_new(extra, "source", so);
		json_object_set_new(extra, "pages", pages);
		json_object_set_new(extra, "claims", claims);
		char *rel = xasprintf("sources/%s", src->id);
		int r = site_write_template(s, rs, out, rel, NULL, "source",
		    src->title, extra, d);
		free(rel);
		if (r != 0)
			return -1;
	}
	return 0;
}

/* The claims dashboard: every claim, grouped by state (stale first: the
 * editor's to-do list), each group an anchor to filter by. */
static int write_claims(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	if (!render_set_has(rs, "claims"))
		return 0;
	static const enum claim_state order[] = {CLAIM_STALE,
		CLAIM_UNREVIEWED, CLAIM_REVIEWED};
	static const char *const titles[] = {"Stale reviews",
		"Unreviewed claims", "Reviewed claims"};
	json_t *groups = json_array();
	for (size_t g = 0; g < 3; g++) {
		json_t *items = json_array();
		for (size_t c = 0; c < s->claims.nclaims; c++)
			if (s->claims.claims[c].state == order[g])
				json_array_append_new(items, claim_row(s,
				    &s->claims.claims[c], "../"));
		json_t *go = json_object();
		json_object_set_new(go, "status",
		    json_string(check_claim_state_name(order[g])));
		json_object_set_new(go, "title", json_string(titles[g]));
		json_object_set_new(go, "count",
		    json_integer((json_int_t)json_array_size(items)));
		json_object_set_new(go, "items", items);
		json_array_append_new(groups, go);
	}
	json_t *extra = json_object();
	json_object_set_new(extra, "groups", groups);
	json_object_set_new(extra, "claim_count",
	    json_integer((json_int_t)s->claims.nclaims));
	return site_write_template(s, rs, out, "claims", NULL, "claims",
	    "Claims", extra, d);
}

static void xml_escape(struct buf *b, const char *s)
{
	html_escape(b, s, strlen(s));
}

/* The sitemap: the catalogue, the site-wide pages a reader may land on
 * (the concept graph and search, when the theme has them) and every page
 * that is not a draft. */
static int write_sitemap(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	static const char *const site_pages[] = {"graph", "search"};
	const char *base = s->config->base_url;
	if (!*base)
		return 0;
	struct buf b = {0};
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	buf_puts(&b, "<url><loc>");
	xml_escape(&b, base);
	buf_puts(&b, "/</loc></url>\n");
	for (size_t i = 0; i < sizeof site_pages / sizeof *site_pages; i++) {
		if (!render_set_has(rs, site_pages[i]))
			continue;
		buf_puts(&b, "<url><loc>");
		xml_escape(&b, base);
		buf_printf(&b, "/%s/</loc></url>\n", site_pages[i]);
	}
	for (size_t i = 0; i < s->npages; i++) {
		if (s->pages[i]->meta.status == PAGE_DRAFT)
			continue;
		buf_puts(&b, "<url><loc>");
		xml_escape(&b, base);
		buf_putc(&b, '/');
		xml_escape(&b, s->pages[i]->id);
		buf_puts(&b, "/</loc></url>\n");
	}
	buf_puts(&b, "</urlset>\n");
	int r = site_output(s, out, "sitemap.xml", b.data, b.len, d);
	buf_free(&b);
	if (r == 0) {
		char *robots = xasprintf("User-agent: *\nAllow: /\nSitemap: "
		    "%s/sitemap.xml\n", base);
		r = site_output(s, out, "robots.txt", robots, strlen(robots),
		    d);
		free(robots);
	}
	return r;
}

int site_write_extras(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	if (write_sources(s, rs, out, d) != 0 || write_claims(s, rs, out, d)
	    || site_write_graph(s, rs, out, d) != 0
	    || site_write_feed(s, out, d) != 0)
		return -1;
	return write_sitemap(s, rs, out, d);
}
