/*
 * internal.h -- private to the site stage: the loaded site and the steps
 * of a build, one file each.
 */
#ifndef FOLIO_SITE_INTERNAL_H
#define FOLIO_SITE_INTERNAL_H

#include "markdown/markdown.h"
#include "page/page.h"
#include "site.h"

struct site {
	const struct site_opts *opts;
	struct site_config *config;
	struct page **pages;      /* sorted by id */
	struct md_doc **docs;     /* docs[i] belongs to pages[i] */
	size_t npages;
	struct source **sources;  /* sorted by id */
	size_t nsources;
	char **media;             /* other files under content/, relative */
	size_t nmedia;
	char *share;              /* folio's own files: templates/, katex/ */
	char *templates;          /* the theme folder in use */
};

/* load.c: reads site.yaml, every page and source; parses page bodies.
 * Returns the number of errors added. */
size_t site_load(struct site *s, struct diags *d);
void site_free(struct site *s);
struct page *site_find_page(const struct site *s, const char *id);
/* The index of page id in s->pages, or (size_t)-1. */
size_t site_page_index(const struct site *s, const char *id);
struct source *site_find_source(const struct site *s, const char *id);
/* The ids of all pages, NULL-terminated, for "did you mean" (caller frees
 * the array only). */
const char **site_page_ids(const struct site *s);

/* graph.c: prerequisites, next and related pages exist; no prerequisite
 * cycle.  Returns the number of errors added. */
size_t site_check_graph(const struct site *s, struct diags *d);

#endif
