/*
 * paths.c -- where each file of a site ends up in the output, and the
 * names there that are folio's own.
 *
 * A page content/<id>.md is written to <id>/index.html, a file to copy,
 * content/<rel>, to <rel>, and folio writes its own pages and files beside
 * them.  Two writers of one path would leave whichever came last, so every
 * name folio writes at the top of the output is reserved below, and a page
 * or file that would land where another writer writes is an error naming
 * both.  Names become URLs, so they are checked here too.
 *
 * Divisions: the reserved names, the names of files, the collisions.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- the reserved names */

/* Every name at the top of the output that folio writes itself: a file,
 * or a folder (the name ends in '/') that is all folio's.  A new site-wide
 * page or file gets a line here, or content/ could replace it.  (The
 * output's mark, .folio-site, needs none: names starting with '.' are
 * never read from content/.) */
static const struct reserved {
	const char *name;
	const char *what;       /* what folio writes there */
} reserved[] = {
	{"index.html", "the catalogue"},
	{"404.html", "the not-found page"},
	{"sitemap.xml", "the sitemap"},
	{"robots.txt", "robots.txt"},
	{"feed.xml", "the Atom feed"},
	{"claims/", "the claims dashboard"},
	{"graph/", "the concept graph"},
	{"search/", "the search page and its index"},
	{"sources/", "the source pages"},
	{"static/", "the theme's files and KaTeX"},
};

/* The reserved name output path out (relative) falls on or in, or NULL;
 * a file named like a reserved folder falls on it too. */
static const struct reserved *reserved_for(const char *out)
{
	for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++) {
		const char *name = reserved[i].name;
		size_t n = strlen(name);
		if (name[n - 1] != '/' ? !strcmp(out, name)
		    : !strncmp(out, name, n - 1) &&
		    (out[n - 1] == '/' || !out[n - 1]))
			return &reserved[i];
	}
	return NULL;
}

/* ---- the names of files */

int site_media_name_valid(const char *rel)
{
	for (const char *s = rel; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-' || *s == '/'))
			return 0;
	return 1;
}

/* ---- the collisions */

static void clash(struct diags *d, const char *path, const char *out,
    const struct reserved *r)
{
	size_t n = strlen(r->name);
	diags_add(d, DIAG_ERROR, path, 0, 0, "site", "would be written to "
	    "%s, where folio writes %s: `%.*s` is folio's own name", out,
	    r->what, (int)(r->name[n - 1] == '/' ? n - 1 : n), r->name);
}

size_t site_check_paths(const struct site *s, struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];
		char *out = xasprintf("%s/index.html", p->id);
		const struct reserved *r = reserved_for(out);
		if (r) {
			clash(d, p->path, out, r);
			errors++;
		}
		free(out);
	}
	for (size_t i = 0; i < s->nmedia; i++) {
		const char *out = s->media[i];
		char *path = path_join("content", out);
		const struct reserved *r = reserved_for(out);
		size_t n = strlen(out);
		char *id = str_ends(out, "/index.html")
		    ? xstrndup(out, n - strlen("/index.html")) : NULL;
		const struct page *p;
		if (r) {
			clash(d, path, out, r);
			errors++;
		} else if (id && (p = site_find_page(s, id))) {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site", "would be "
			    "written to %s, where the page %s is written",
			    out, p->path);
			errors++;
		} else if ((p = site_find_page(s, out))) {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site", "would be "
			    "written to %s, the folder of the page %s", out,
			    p->path);
			errors++;
		}
		free(id);
		free(path);
	}
	return errors;
}
