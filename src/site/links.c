/*
 * links.c -- every relative link and image of a page body leads somewhere
 * the site has, and a fragment names an element of its page.
 *
 * The markdown stage reads each destination from the page's source file
 * (src/markdown/links.c): a page's .md file, a file under content/, or a
 * fragment.  Here each is looked up in the loaded site: a page (by its
 * .md file, its folder with the final '/', or its index.html), a file to
 * copy, or one of folio's own pages and files (the catalogue, claims/,
 * graph/, search/, a source's page, the theme's static files; feed.xml,
 * sitemap.xml and robots.txt when base_url is set).  A folder is a
 * destination only when a page is written there.  A fragment of a concept
 * page is checked against the ids the page will have (md_has_id:
 * headings, equations, witnesses, footnotes, the front matter's objects
 * and the template's own panels); fragments of folio's other pages are
 * the theme's, and not checked.  Destinations with a scheme or a leading
 * '/' are the author's own and not checked either.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_media(const struct site *s, const char *rel)
{
	return s->nmedia && bsearch(&rel, s->media, s->nmedia,
	    sizeof *s->media, cmp_str) != NULL;
}

/* The page a destination names by its folder or its index.html ("t/b/",
 * "t/b/index.html"), or (size_t)-1. */
static size_t page_at(const struct site *s, const char *target)
{
	size_t n = strlen(target);
	if (str_ends(target, "/index.html"))
		n -= strlen("/index.html");
	else if (n && target[n - 1] == '/')
		n--;
	else
		return (size_t)-1;
	char *id = xstrndup(target, n);
	size_t i = site_page_index(s, id);
	free(id);
	return i;
}

/* 1 when folio writes target itself: its own pages and files, a source's
 * page, the theme's static files and KaTeX's. */
static int written_by_folio(const struct site *s, const char *target)
{
	static const char *const own[] = {"", "index.html", "404.html",
		"claims/", "claims/index.html", "graph/", "graph/index.html",
		"search/", "search/index.html", "search/index.json"};
	static const char *const with_base_url[] = {"feed.xml",
		"sitemap.xml", "robots.txt"};
	for (size_t i = 0; i < sizeof own / sizeof *own; i++)
		if (!strcmp(target, own[i]))
			return 1;
	for (size_t i = 0; *s->config->base_url &&
	    i < sizeof with_base_url / sizeof *with_base_url; i++)
		if (!strcmp(target, with_base_url[i]))
			return 1;
	if (!strncmp(target, "sources/", 8)) {
		const char *id = target + 8, *slash = strchr(id, '/');
		if (!slash || (slash[1] && strcmp(slash, "/index.html")))
			return 0;
		char *name = xstrndup(id, (size_t)(slash - id));
		int found = site_find_source(s, name) != NULL;
		free(name);
		return found;
	}
	if (!strncmp(target, "static/", 7)) {
		if (!strncmp(target + 7, "katex/", 6))
			return 1;          /* KaTeX's CSS and fonts, copied */
		char *dir = path_join(s->templates, "static");
		char *f = path_join(dir, target + 7);
		int found = path_exists(f) && !path_is_dir(f);
		free(f);
		free(dir);
		return found;
	}
	return 0;
}

/* 1 when some page or file lies under the folder target ("t/"). */
static int is_folder(const struct site *s, const char *target)
{
	size_t n = strlen(target);
	for (size_t i = 0; i < s->npages; i++)
		if (!strncmp(s->pages[i]->id, target, n) &&
		    s->pages[i]->id[n] == '/')
			return 1;
	for (size_t i = 0; i < s->nmedia; i++)
		if (!strncmp(s->media[i], target, n) && s->media[i][n] == '/')
			return 1;
	return 0;
}

/* The fragment with its percent-escapes decoded, as a browser matches
 * it.  The caller frees. */
static char *fragment_text(const char *f)
{
	struct buf b = {0};
	for (; *f; f++) {
		unsigned v;
		if (f[0] == '%' && sscanf(f + 1, "%2x", &v) == 1 &&
		    f[1] && f[2] && f[1] != ' ' && f[2] != ' ') {
			buf_putc(&b, (char)v);
			f += 2;
		} else {
			buf_putc(&b, *f);
		}
	}
	return b.data ? buf_detach(&b) : xstrdup("");
}

static void check_fragment(const struct site *s, const struct page *p,
    const struct md_link *l, size_t target, struct diags *d)
{
	if (!l->fragment || !*l->fragment)
		return;
	char *id = fragment_text(l->fragment);
	int found = md_has_id(s->docs[target], id);
	free(id);
	if (found)
		return;
	if (s->pages[target] == p)
		diags_add(d, DIAG_ERROR, p->path, l->line, l->col, "links",
		    "link to '%s': no element of this page has the id '%s'",
		    l->dest, l->fragment);
	else
		diags_add(d, DIAG_ERROR, p->path, l->line, l->col, "links",
		    "link to '%s': the page %s has no element with the id "
		    "'%s'", l->dest, s->pages[target]->id, l->fragment);
}

static void check_link(const struct site *s, size_t at,
    const struct md_link *l, struct diags *d)
{
	const struct page *p = s->pages[at];
	const char *what = l->image ? "image" : "link to";
	size_t target;
	switch (l->kind) {
	case MD_LINK_FRAGMENT:
		check_fragment(s, p, l, at, d);
		return;
	case MD_LINK_OUTSIDE:
		diags_add(d, DIAG_ERROR, p->path, l->line, l->col, "links",
		    "%s '%s' leads out of content/; a relative link is read "
		    "from the page's file", what, l->dest);
		return;
	case MD_LINK_PAGE:
		target = site_page_index(s, l->target);
		if (target == (size_t)-1)
			diags_add(d, DIAG_ERROR, p->path, l->line, l->col,
			    "links", "%s '%s' leads nowhere: there is no page "
			    "content/%s.md", what, l->dest, l->target);
		else
			check_fragment(s, p, l, target, d);
		return;
	case MD_LINK_FILE:
		if (is_media(s, l->target))
			return;
		if (l->image) {
			diags_add(d, DIAG_ERROR, p->path, l->line, l->col,
			    "links", "image '%s' is missing: there is no file "
			    "content/%s", l->dest, l->target);
			return;
		}
		target = page_at(s, l->target);
		if (target != (size_t)-1) {
			check_fragment(s, p, l, target, d);
		} else if (written_by_folio(s, l->target)) {
			/* its fragments are the theme's: not checked */
		} else if (site_page_index(s, l->target) != (size_t)-1) {
			diags_add(d, DIAG_ERROR, p->path, l->line, l->col,
			    "links", "link to '%s' names the folder of the page "
			    "%s without its final '/'; link its file (%.*s.md) "
			    "or its folder (%.*s/)", l->dest, l->target,
			    (int)strcspn(l->dest, "?#"), l->dest,
			    (int)strcspn(l->dest, "?#"), l->dest);
		} else {
			size_t n = strlen(l->target);
			char *dir = n && l->target[n - 1] == '/' ?
			    xstrndup(l->target, n - 1) : xstrdup(l->target);
			if (*dir && is_folder(s, dir))
				diags_add(d, DIAG_ERROR, p->path, l->line,
				    l->col, "links", "link to '%s' leads to the "
				    "folder %s/, which has no page (no index.html "
				    "is written there)", l->dest, dir);
			else
				diags_add(d, DIAG_ERROR, p->path, l->line,
				    l->col, "links", "link to '%s' leads "
				    "nowhere: the site has no page or file %s",
				    l->dest, l->target);
			free(dir);
		}
		return;
	}
}

size_t site_check_links(const struct site *s, struct diags *d)
{
	size_t before = diags_count(d, DIAG_ERROR);
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; s->docs[i] && k < s->docs[i]->nlinks; k++)
			check_link(s, i, &s->docs[i]->links[k], d);
	return diags_count(d, DIAG_ERROR) - before;
}
