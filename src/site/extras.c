/*
 * extras.c -- site-wide files beyond the concept pages and the catalogue:
 * sitemap.xml (when base_url is set; a sitemap needs absolute URLs) and
 * robots.txt pointing at it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static void xml_escape(struct buf *b, const char *s)
{
	html_escape(b, s, strlen(s));
}

int site_write_extras(struct site *s, const void *render_set,
    const char *out, struct diags *d)
{
	(void)render_set;
	const char *base = s->config->base_url;
	if (!*base)
		return 0;
	struct buf b = {0};
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	buf_puts(&b, "<url><loc>");
	xml_escape(&b, base);
	buf_puts(&b, "/</loc></url>\n");
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
	char *path = path_join(out, "sitemap.xml");
	int r = file_write(path, b.data, b.len, d, "site");
	free(path);
	buf_free(&b);
	if (r == 0) {
		char *robots = xasprintf("User-agent: *\nAllow: /\nSitemap: "
		    "%s/sitemap.xml\n", base);
		path = path_join(out, "robots.txt");
		r = file_write(path, robots, strlen(robots), d, "site");
		free(path);
		free(robots);
	}
	return r;
}
