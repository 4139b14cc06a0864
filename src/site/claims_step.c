/*
 * claims_step.c -- the claim, source and review checks of the check stage,
 * given the objects the markdown stage found on each page.
 */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

char *site_page_demo_id(const struct page *p)
{
	if (!p->meta.demo_json)
		return NULL;
	json_t *v = json_loads(p->meta.demo_json, 0, NULL);
	const char *id = json_string_value(json_object_get(v, "id"));
	char *r = id ? xstrdup(id) : NULL;
	json_decref(v);
	return r;
}

char **site_page_objects(const struct site *s, size_t i, size_t *n)
{
	const struct md_doc *doc = s->docs[i];
	char **ids = xcalloc(doc->nmath + doc->nwitnesses + 2, sizeof *ids);
	*n = 0;
	for (size_t k = 0; k < doc->nmath; k++)
		if (doc->math[k].id)
			ids[(*n)++] = xasprintf("eq:%s", doc->math[k].id);
	for (size_t k = 0; k < doc->nwitnesses; k++)
		ids[(*n)++] = xasprintf("code:%s", doc->witnesses[k].name);
	char *demo = site_page_demo_id(s->pages[i]);
	if (demo) {
		ids[(*n)++] = xasprintf("demo:%s", demo);
		free(demo);
	}
	return ids;
}

void site_check_claims(struct site *s, struct diags *d)
{
	struct check_page *pages = xcalloc(s->npages + 1, sizeof *pages);
	char ***objects = xcalloc(s->npages + 1, sizeof *objects);
	for (size_t i = 0; i < s->npages; i++) {
		size_t n;
		objects[i] = site_page_objects(s, i, &n);
		pages[i].page = s->pages[i];
		pages[i].objects = (const char *const *)objects[i];
		pages[i].nobjects = n;
	}
	struct check_opts co = {.strict = s->opts->strict};
	check_run(pages, s->npages, s->sources, s->nsources, &co, &s->claims,
	    d);
	report_add_claims(&s->report, &s->claims);
	for (size_t i = 0; i < s->npages; i++) {
		for (size_t k = 0; k < pages[i].nobjects; k++)
			free(objects[i][k]);
		free(objects[i]);
	}
	free(objects);
	free(pages);
}
