/*
 * load.c -- reading a site folder: content/site.yaml, every page under
 * content/ (in id order, so output never depends on the file system's),
 * every record under sources/, and the media files to copy.
 */
#include "internal.h"

#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct names {
	char **items;
	size_t nitems, cap;
};

static void names_add(struct names *n, char *s)
{
	if (n->nitems == n->cap) {
		n->cap = n->cap ? 2 * n->cap : 64;
		n->items = xrealloc(n->items, n->cap * sizeof *n->items);
	}
	n->items[n->nitems++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the files under dir (relative paths below rel), skipping names
 * that start with '.'.  Returns -1 with a diagnostic when dir can't be
 * read. */
static int walk(const char *dir, const char *rel, struct names *out,
    struct diags *d)
{
	DIR *dh = opendir(dir);
	if (!dh) {
		diags_add(d, DIAG_ERROR, dir, 0, 0, "site",
		    "cannot open folder: %s", strerror(errno));
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char *path = path_join(dir, e->d_name);
		char *relpath = *rel ? path_join(rel, e->d_name)
				     : xstrdup(e->d_name);
		if (path_is_dir(path)) {
			r = walk(path, relpath, out, d);
			free(relpath);
		} else {
			names_add(out, relpath);
		}
		free(path);
	}
	closedir(dh);
	return r;
}

static int cmp_page(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	return strcmp(x->id, y->id);
}

static int cmp_source(const void *a, const void *b)
{
	const struct source *x = *(struct source *const *)a;
	const struct source *y = *(struct source *const *)b;
	return strcmp(x->id, y->id);
}

static size_t load_pages(struct site *s, struct diags *d)
{
	struct names files = {0};
	size_t errors = 0;
	if (!path_is_dir("content")) {
		diags_add(d, DIAG_ERROR, "content", 0, 0, "site",
		    "no content/ folder here; run folio in a site folder or "
		    "pass -C DIR");
		return 1;
	}
	if (walk("content", "", &files, d) != 0)
		return 1;
	if (files.nitems)
		qsort(files.items, files.nitems, sizeof *files.items, cmp_str);
	s->pages = xcalloc(files.nitems, sizeof *s->pages);
	struct names media = {0};
	for (size_t i = 0; i < files.nitems; i++) {
		char *rel = files.items[i];
		if (!str_ends(rel, ".md")) {
			if (strcmp(rel, "site.yaml"))
				names_add(&media, rel);
			else
				free(rel);
			continue;
		}
		char *path = path_join("content", rel);
		char *id = xstrndup(rel, strlen(rel) - 3);
		size_t before = diags_count(d, DIAG_ERROR);
		struct page *p = page_load(path, id, d);
		if (p)
			s->pages[s->npages++] = p;
		errors += diags_count(d, DIAG_ERROR) - before;
		free(id);
		free(path);
		free(rel);
	}
	free(files.items);
	s->media = media.items;
	s->nmedia = media.nitems;
	qsort(s->pages, s->npages, sizeof *s->pages, cmp_page);
	return errors;
}

static size_t load_sources(struct site *s, struct diags *d)
{
	struct names files = {0};
	if (!path_is_dir("sources"))
		return 0;
	if (walk("sources", "", &files, d) != 0)
		return 1;
	size_t errors = 0;
	s->sources = xcalloc(files.nitems, sizeof *s->sources);
	for (size_t i = 0; i < files.nitems; i++) {
		char *rel = files.items[i];
		if (str_ends(rel, ".yaml") && !strchr(rel, '/')) {
			char *path = path_join("sources", rel);
			char *id = xstrndup(rel, strlen(rel) - 5);
			size_t before = diags_count(d, DIAG_ERROR);
			struct source *src = source_load(path, id, d);
			if (src)
				s->sources[s->nsources++] = src;
			errors += diags_count(d, DIAG_ERROR) - before;
			free(id);
			free(path);
		}
		free(rel);
	}
	free(files.items);
	qsort(s->sources, s->nsources, sizeof *s->sources, cmp_source);
	return errors;
}

size_t site_load(struct site *s, struct diags *d)
{
	size_t before = diags_count(d, DIAG_ERROR);
	s->config = site_config_load("content/site.yaml", d);
	load_pages(s, d);
	load_sources(s, d);
	s->docs = xcalloc(s->npages ? s->npages : 1, sizeof *s->docs);
	for (size_t i = 0; i < s->npages; i++)
		s->docs[i] = md_parse(s->pages[i], d);
	return diags_count(d, DIAG_ERROR) - before;
}

void site_free(struct site *s)
{
	for (size_t i = 0; i < s->npages; i++) {
		md_free(s->docs[i]);
		page_free(s->pages[i]);
	}
	free(s->docs);
	free(s->pages);
	for (size_t i = 0; i < s->nsources; i++)
		source_free(s->sources[i]);
	free(s->sources);
	for (size_t i = 0; i < s->nmedia; i++)
		free(s->media[i]);
	free(s->media);
	site_config_free(s->config);
	store_close(s->store);
	check_result_free(&s->claims);
	report_free(&s->report);
	free(s->share);
	free(s->templates);
}

size_t site_page_index(const struct site *s, const char *id)
{
	size_t lo = 0, hi = s->npages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->pages[mid]->id, id);
		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)-1;
}

struct page *site_find_page(const struct site *s, const char *id)
{
	size_t i = site_page_index(s, id);
	return i == (size_t)-1 ? NULL : s->pages[i];
}

struct source *site_find_source(const struct site *s, const char *id)
{
	for (size_t i = 0; i < s->nsources; i++)
		if (!strcmp(s->sources[i]->id, id))
			return s->sources[i];
	return NULL;
}

const char **site_page_ids(const struct site *s)
{
	const char **ids = xcalloc(s->npages + 1, sizeof *ids);
	for (size_t i = 0; i < s->npages; i++)
		ids[i] = s->pages[i]->id;
	return ids;
}
