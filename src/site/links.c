/*
 * links.c -- every relative link and image of a page body leads somewhere
 * the site has, and a fragment names an element of its page.
 *
 * The markdown stage reads each destination from the page's source file
 * (src/markdown/links.c): a page's .md file, a file under content/, or a
 * fragment.  Here each is looked up in the loaded site: a page, a file to
 * copy, a folio page (the catalogue, claims/, graph/, search/, a source's
 * page), or a folder that holds one of them.  A fragment is checked
 * against the ids the page will have (md_has_id: headings, equations,
 * witnesses, footnotes, the front matter's objects and the template's own
 * panels).  Destinations with a scheme or a leading '/' are not checked.
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

/* The page a file destination names by its folder or its index.html
 * ("t/b/", "t/b", "t/b/index.html"), or (size_t)-1. */
static size_t page_at(const struct site *s, const char *target)
{
	size_t n = strlen(target);
	if (str_ends(target, "/index.html"))
		n -= strlen("/index.html");
	else if (n && target[n - 1] == '/')
		n--;
	char *id = xstrndup(target, n);
	size_t i = site_page_index(s, id);
	free(id);
	return i;
}

/* 1 when folio writes target itself: a reserved name, a source's page. */
static int is_folio_page(const struct site *s, const char *target)
{
	if (!*target || site_reserved_path(target))
		return 1;
	if (strncmp(target, "sources/", 8))
		return 0;
	size_t n = strcspn(target + 8, "/");
	char *id = xstrndup(target + 8, n);
	int found = site_find_source(s, id) != NULL;
	free(id);
	return found;
}

/* 1 when some page or file lies under the folder target ("t/"). */
static int is_folder(const struct site *s, const char *target)
{
	size_t n = strlen(target);
	if (!n || target[n - 1] != '/')
		return 0;
	for (size_t i = 0; i < s->npages; i++)
		if (!strncmp(s->pages[i]->id, target, n))
			return 1;
	for (size_t i = 0; i < s->nmedia; i++)
		if (!strncmp(s->media[i], target, n))
			return 1;
	return 0;
}

static void check_fragment(const struct site *s, const struct page *p,
    const struct md_link *l, size_t target, struct diags *d)
{
	if (!l->fragment || !*l->fragment ||
	    md_has_id(s->docs[target], l->fragment))
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
		if (target != (size_t)-1)
			check_fragment(s, p, l, target, d);
		else if (!is_folio_page(s, l->target) &&
		    !is_folder(s, l->target))
			diags_add(d, DIAG_ERROR, p->path, l->line, l->col,
			    "links", "link to '%s' leads nowhere: the site has "
			    "no page, file or folder %s", l->dest, l->target);
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
