/*
 * links.c -- the body's relative links and images: where they lead, and
 * the href each gets on the published page.
 *
 * An author writes a relative destination from the page's source file,
 * as GitHub and an editor's preview read it: from content/t/a.md,
 * `b.md` is the page t/b, `warp.svg` is content/t/warp.svg and
 * `../../claims/` is the claims dashboard.  The page itself is published
 * one folder deeper (content/t/a.md becomes t/a/index.html), so each such
 * destination is rewritten from the site's root: `../../t/b/`,
 * `../../t/warp.svg`, `../../claims/`.  A link to a page's .md file
 * becomes a link to the page.  Destinations with a scheme (https:,
 * mailto:), and those starting with '/', are the author's own and are
 * left as they are; so is a bare fragment (#eq-x), which is checked
 * against the page's ids.  The site stage checks that every relative
 * destination leads somewhere (src/site/links.c).
 *
 * Divisions: reading a destination; the links of a doc; the page's ids.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- reading a destination */

/* A destination split into its path, its query (from '?') and its
 * fragment (after '#'), the path resolved from the page's folder. */
struct dest {
	char *path;       /* resolved under content/, or NULL when it climbs
	                     out of it */
	const char *query, *fragment;   /* into the destination, or NULL */
	size_t path_len;  /* of the path as written */
};

/* 1 when url starts with a scheme ("https:", "mailto:") or '/'. */
static int is_absolute(const char *url)
{
	if (url[0] == '/')
		return 1;
	size_t i = 0;
	if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' &&
	    url[0] <= 'Z')))
		return 0;
	while (url[i] && (strchr("+-.", url[i]) || (url[i] >= 'a' &&
	    url[i] <= 'z') || (url[i] >= 'A' && url[i] <= 'Z') ||
	    (url[i] >= '0' && url[i] <= '9')))
		i++;
	return url[i] == ':';
}

static int hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Joins folder and the path p (n bytes, percent-escapes decoded) and
 * resolves "." and ".."; NULL when ".." climbs above the root.  A final
 * '/' is kept. */
static char *resolve(const char *folder, const char *p, size_t n)
{
	struct buf b = {0};
	if (*folder) {
		buf_puts(&b, folder);
		buf_putc(&b, '/');
	}
	for (size_t i = 0; i < n; i++) {
		int h, l;
		/* %2F stays as written: a browser does not read it as a
		 * slash either. */
		if (p[i] == '%' && i + 2 < n && (h = hex(p[i + 1])) >= 0 &&
		    (l = hex(p[i + 2])) >= 0 && (h || l) && h * 16 + l != '/') {
			buf_putc(&b, (char)(h * 16 + l));
			i += 2;
		} else {
			buf_putc(&b, p[i]);
		}
	}
	char *joined = buf_detach(&b);
	struct buf out = {0};
	int ok = 1;
	for (char *seg = joined, *end; ok && seg && *seg; seg = end) {
		end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);
		if (end)
			end++;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			if (out.len == 0) {
				ok = 0;
				break;
			}
			out.len--;                 /* the '/' after the last part */
			while (out.len && out.data[out.len - 1] != '/')
				out.len--;
			out.data[out.len] = '\0';
			continue;
		}
		buf_put(&out, seg, len);
		if (end)
			buf_putc(&out, '/');
	}
	/* A path ending in '/', "." or ".." names a folder. */
	size_t last = n;
	while (last > 0 && p[last - 1] != '/')
		last--;
	int dir = last == n || (n - last == 1 && p[last] == '.') ||
	    (n - last == 2 && p[last] == '.' && p[last + 1] == '.');
	if (ok && dir && out.len && out.data[out.len - 1] != '/')
		buf_putc(&out, '/');
	free(joined);
	if (!ok) {
		buf_free(&out);
		return NULL;
	}
	return out.data ? buf_detach(&out) : xstrdup("");
}

/* Reads url, written in page id's body; 0 when folio leaves it alone (a
 * scheme, '/', empty), else 1 with *d filled (the caller frees d->path). */
static int read_dest(const char *id, const char *url, struct dest *d)
{
	memset(d, 0, sizeof *d);
	if (!url[0] || is_absolute(url))
		return 0;
	size_t n = strcspn(url, "?#");
	d->query = url[n] == '?' ? url + n : NULL;
	const char *hash = strchr(url, '#');
	d->fragment = hash ? hash + 1 : NULL;
	d->path_len = n;
	if (n == 0)
		return 1;
	const char *slash = strrchr(id, '/');
	char *folder = slash ? xstrndup(id, (size_t)(slash - id)) :
	    xstrdup("");
	d->path = resolve(folder, url, n);
	free(folder);
	return 1;
}

/* ---- the links of a doc */

/* The byte column (from 1) of inline node n on its line s.  In a table
 * cell cmark counts from the cell's text with each "\|" unescaped, so
 * the escapes before n in the cell add one each. */
static int inline_column(cmark_node *n, const char *s, const char *end)
{
	int col = cmark_node_get_start_column(n);
	cmark_node *cell = n;
	while (cell && strcmp(cmark_node_get_type_string(cell), "table_cell"))
		cell = cmark_node_parent(cell);
	if (!cell || col < 1)
		return col;
	const char *eol = memchr(s, '\n', (size_t)(end - s));
	size_t n_line = eol ? (size_t)(eol - s) : (size_t)(end - s);
	size_t i = cmark_node_get_start_column(cell) > 0 ?
	    (size_t)cmark_node_get_start_column(cell) - 1 : 0;
	size_t at = (size_t)col - 1;
	for (; i < at && i + 1 < n_line; i++)
		if (s[i] == '\\' && s[i + 1] == '|') {
			at++;
			i++;
		}
	return (int)at + 1;
}

void md__found_link(struct md_doc *doc, cmark_node *n, int body_line)
{
	const char *url = cmark_node_get_url(n);
	struct dest d;
	if (!url || !read_dest(doc->page->id, url, &d))
		return;
	if (d.path_len == 0 && (!d.fragment || !*d.fragment))
		return;                                /* "#" or "?x" alone */
	if (doc->nlinks == doc->links_cap) {
		doc->links_cap = doc->links_cap ? 2 * doc->links_cap : 8;
		doc->links = xrealloc(doc->links,
		    doc->links_cap * sizeof *doc->links);
	}
	struct md_link *l = &doc->links[doc->nlinks++];
	memset(l, 0, sizeof *l);
	l->image = cmark_node_get_type(n) == CMARK_NODE_IMAGE;
	l->dest = xstrdup(url);
	l->fragment = d.fragment ? xstrdup(d.fragment) : NULL;
	l->line = doc->page->body_line + body_line - 1;
	/* cmark counts the column in bytes: count characters. */
	const char *end = doc->page->body + doc->page->body_len;
	const char *s = md__line_start(doc, body_line);
	int bytes = inline_column(n, s, end) - 1;
	if (bytes < 0 || bytes > end - s)
		bytes = 0;
	l->col = utf8_columns(s, (size_t)bytes) + 1;
	if (d.path_len == 0) {
		l->kind = MD_LINK_FRAGMENT;
	} else if (!d.path) {
		l->kind = MD_LINK_OUTSIDE;
	} else if (str_ends(d.path, ".md")) {
		l->kind = MD_LINK_PAGE;
		l->target = xstrndup(d.path, strlen(d.path) - 3);
		free(d.path);
	} else {
		l->kind = MD_LINK_FILE;
		l->target = d.path;
	}
}

void md__free_links(struct md_doc *doc)
{
	for (size_t i = 0; i < doc->nlinks; i++) {
		free(doc->links[i].dest);
		free(doc->links[i].target);
		free(doc->links[i].fragment);
	}
	free(doc->links);
	doc->links = NULL;
	doc->nlinks = doc->links_cap = 0;
}

char *md__link_href(const struct md_doc *doc, const char *url)
{
	struct dest d;
	if (!read_dest(doc->page->id, url, &d) || d.path_len == 0 ||
	    !d.path) {
		free(d.path);
		return NULL;
	}
	struct buf b = {0};
	for (const char *s = doc->page->id; *s; s++)
		if (*s == '/')
			buf_puts(&b, "../");
	buf_puts(&b, "../");
	if (str_ends(d.path, ".md")) {
		buf_put(&b, d.path, strlen(d.path) - 3);
		buf_putc(&b, '/');
	} else {
		/* Written back with the characters a URL path cannot hold as
		 * they are escaped again. */
		for (const unsigned char *p = (const unsigned char *)d.path;
		    *p; p++)
			if (*p <= ' ' || *p >= 0x7F || strchr("\"#%<>?\\^`{|}",
			    *p))
				buf_printf(&b, "%%%02X", *p);
			else
				buf_putc(&b, (char)*p);
	}
	free(d.path);
	if (d.query)
		buf_put(&b, d.query, strcspn(d.query, "#"));
	if (d.fragment) {
		buf_putc(&b, '#');
		buf_puts(&b, d.fragment);
	}
	return buf_detach(&b);
}

/* ---- the page's ids */

int md_has_id(const struct md_doc *doc, const char *id)
{
	for (size_t i = 0; i < doc->nids; i++)
		if (!strcmp(doc->ids[i], id))
			return 1;
	return 0;
}
