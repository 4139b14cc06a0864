/*
 * context.h -- private to the site stage: the JSON contexts of the
 * templates (jansson).  Each returns a new reference the caller releases
 * with json_decref.
 */
#ifndef FOLIO_SITE_CONTEXT_H
#define FOLIO_SITE_CONTEXT_H

#include <jansson.h>

#include "internal.h"

/* "../../" for the page a/b; "" for NULL (the site root). Caller frees. */
char *site_root_for(const char *id);
/* The path the site sits at on its server, from base_url ("https://x.org/
 * notes" gives "/notes/"), "/" when base_url is "" or has no path: the
 * root of root-relative links, for a page served at any address (404).
 * Caller frees. */
char *site_base_path(const char *base_url);
/* site, root, page_title, canonical (when base_url is set and path, the
 * page's path under it, is not NULL), feed_url (when base_url is set),
 * build. */
json_t *site_context_base(const struct site *s, const char *root,
    const char *title, const char *path);
/* The `page` object of concept.mustache for s->pages[index]. */
json_t *site_context_page(const struct site *s, size_t index,
    const char *root);
/* domains, page_count, domain_count of index.mustache. */
json_t *site_context_index(const struct site *s, const char *root);

/* Dumps v (json_dumps flags) with '<', '>' and '&' as \u escapes: they
 * occur only inside JSON strings, where the escapes mean the same, so the
 * text is inert inside a <script> element or a file served as HTML. */
char *site_json_inert(const json_t *v, size_t flags);

/* Sets jsonld_html in ctx: a <script type="application/ld+json"> with the
 * page as a LearningResource and a ClaimReview for each claim whose review
 * is current, escaped so that no text can close the element. */
void site_context_add_jsonld(const struct site *s, size_t index,
    json_t *ctx);

#endif
