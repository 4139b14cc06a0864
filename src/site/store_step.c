/*
 * store_step.c -- build/folio.db for a build: opened at the start (its
 * caches serve the math and witness steps), its content tables brought up
 * to date (only the pages and sources that changed are written again), and
 * committed in one transaction at the end.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int site_store_open(struct site *s, struct diags *d)
{
	if (dir_make("build") != 0) {
		diags_add(d, DIAG_ERROR, "build", 0, 0, "store",
		    "cannot create folder: %s", strerror(errno));
		return -1;
	}
	s->store = store_open("build/folio.db", d);
	if (!s->store)
		return -1;
	if (store_begin(s->store, d) != 0) {
		store_close(s->store);
		s->store = NULL;
		return -1;
	}
	return 0;
}

/* Records page i with its objects (when they changed since the last
 * build). */
static int sync_page(struct site *s, size_t i, struct diags *d)
{
	size_t n = 0;
	char **ids = site_page_objects(s, i, &n);
	struct store_object *objs = xcalloc(n + 1, sizeof *objs);
	const struct md_doc *doc = s->docs[i];
	for (size_t k = 0; k < n; k++) {
		objs[k].id = ids[k];
		for (size_t w = 0; w < doc->nwitnesses; w++)
			if (!strcmp(ids[k] + 5, doc->witnesses[w].name) &&
			    str_starts(ids[k], "code:")) {
				objs[k].line = doc->witnesses[w].line;
				objs[k].run_key = doc->witnesses[w].hash[0]
				    ? doc->witnesses[w].hash : NULL;
			}
		for (size_t m = 0; m < doc->nmath; m++)
			if (doc->math[m].id && str_starts(ids[k], "eq:") &&
			    !strcmp(ids[k] + 3, doc->math[m].id))
				objs[k].line = doc->math[m].line;
	}
	int r = store_page_sync(s->store, s->pages[i], objs, n, d);
	for (size_t k = 0; k < n; k++)
		free(ids[k]);
	free(ids);
	free(objs);
	return r < 0 ? -1 : 0;
}

/* Removes the rows of pages and sources that are gone.  s->pages and
 * s->sources are sorted by id. */
static int prune(struct site *s, struct diags *d)
{
	const char **pages = site_page_ids(s);
	const char **sources = xcalloc(s->nsources + 1, sizeof *sources);
	for (size_t i = 0; i < s->nsources; i++)
		sources[i] = s->sources[i]->id;
	int r = store_prune(s->store, pages, s->npages, sources, s->nsources,
	    d);
	free(pages);
	free(sources);
	return r < 0 ? -1 : 0;
}

int site_store_commit(struct site *s, struct diags *d)
{
	if (!s->store)
		return 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < s->npages; i++)
		r = sync_page(s, i, d);
	for (size_t i = 0; r == 0 && i < s->nsources; i++)
		r = store_source_sync(s->store, s->sources[i], d) < 0 ? -1 : 0;
	if (r == 0)
		r = prune(s, d);
	if (r == 0)
		r = store_commit(s->store, d);
	else
		store_rollback(s->store);
	return r;
}

/* A build that finds this many unused rows, and more than it uses,
 * removes them (see internal.h). */
#define PRUNE_FLOOR 1000

int site_cache_overgrown(size_t nrows, size_t live)
{
	return nrows > live + PRUNE_FLOOR && nrows > 2 * live;
}

void site_cache_prune(struct site *s, enum store_cache c, const char *keys,
    const char *used, size_t nkeys, size_t live, struct diags *d)
{
	size_t dead = 0;
	for (size_t i = 0; i < nkeys; i++)
		dead += !used[i];
	if (!s->store || dead <= PRUNE_FLOOR || dead <= live)
		return;
	for (size_t i = 0; i < nkeys; i++)
		if (!used[i] && store_cache_forget(s->store, c,
		    keys + i * (STORE_KEY_LEN + 1), d) != 0)
			return;
}
