/*
 * load.c -- reading a site folder: content/site.yaml, every page under
 * content/ (in id order, so output never depends on the file system's),
 * every record under sources/, and the media files to copy.
 */
#include "internal.h"

#include "store/store.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pthread.h>
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

const struct dir_visit *dir_visit_loop(const struct dir_visit *up, dev_t dev,
    ino_t ino)
{
	for (; up; up = up->up)
		if (up->dev == dev && up->ino == ino)
			return up;
	return NULL;
}

/* Collects the files under dir (relative paths below rel), skipping names
 * that start with '.'; up are the folders dir is in.  Returns -1 with a
 * diagnostic when dir can't be read, or leads back to a folder it is in
 * (a symbolic link loop, which would otherwise be walked until the path
 * is too long).  With every_file_read (content/: each file is a page or
 * is copied), only regular files are collected (symbolic links followed)
 * and anything else is an error at its path, for folio check too (a fifo
 * would block the read forever, /dev/zero never end); the walk goes on.
 * Otherwise the reader of each file it uses refuses the others
 * (file_read). */
static int walk(const char *dir, const char *rel, const struct dir_visit *up,
    int every_file_read, struct names *out, struct diags *d)
{
	struct stat st;
	const struct dir_visit *loop;
	if (stat(dir, &st) != 0) {
		diags_add(d, DIAG_ERROR, dir, 0, 0, "site",
		    "cannot open folder: %s", strerror(errno));
		return -1;
	}
	if ((loop = dir_visit_loop(up, st.st_dev, st.st_ino))) {
		diags_add(d, DIAG_ERROR, dir, 0, 0, "site",
		    "this folder is %s, which holds it: a symbolic link loops "
		    "back", loop->path);
		return -1;
	}
	struct dir_visit here = {st.st_dev, st.st_ino, dir, up};
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
		struct stat est;
		if (!every_file_read && !path_is_dir(path)) {
			names_add(out, relpath);
		} else if (stat(path, &est) != 0) {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site",
			    "cannot open: %s", strerror(errno));
			free(relpath);
		} else if (S_ISDIR(est.st_mode)) {
			r = walk(path, relpath, &here, every_file_read, out,
			    d);
			free(relpath);
		} else if (S_ISREG(est.st_mode)) {
			names_add(out, relpath);
		} else {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site",
			    "not a regular file: folio reads only files (or "
			    "symbolic links to files) here");
			free(relpath);
		}
		free(path);
	}
	closedir(dh);
	return r;
}

static int cmp_source(const void *a, const void *b)
{
	const struct source *x = *(struct source *const *)a;
	const struct source *y = *(struct source *const *)b;
	return strcmp(x->id, y->id);
}

/* A page file being read by one of the loading threads. */
struct loading {
	char *rel;            /* path under content/ */
	struct page *page;    /* or NULL when it failed */
	struct md_doc *doc;
	struct diags d;       /* what reading it reported */
};

struct loader {
	const struct site *site;
	struct loading *items;
	size_t n;
	size_t next;          /* next item to take */
	size_t prefault;      /* bytes of heap each thread faults in first */
	pthread_mutex_t lock;
};

/* What loading a page leaves on the heap, about (a concept page of 20 KB
 * leaves its page, its objects and the allocator's slack). */
#define HEAP_PER_PAGE (40 << 10)
/* At most this much is faulted in ahead (it must stay below the
 * allocator's mmap threshold, 32 MiB, main.c, to come from the heap). */
#define PREFAULT_MAX (16 << 20)

/* Faults in bytes of this thread's heap with one system call, then frees
 * them for the allocator to hand out again (main.c keeps freed memory
 * instead of giving it back).  A page fault costs a trap each; on the
 * virtual machine folio is developed on, the warm check of 100 concept
 * pages took 1,358 of them, and 418 with this. */
static void prefault_heap(size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
	if (!bytes)
		return;
	char *p = malloc(bytes);
	if (!p)
		return;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(page - 1);
	/* Kernels before 5.14 refuse the advice: then the faults come one
	 * at a time, as without it. */
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	free(p);
#else
	(void)bytes;
#endif
}

/* Reads and parses pages (front matter and body) until none is left. */
static void *load_some(void *arg)
{
	struct loader *l = arg;
	prefault_heap(l->prefault);
	for (;;) {
		pthread_mutex_lock(&l->lock);
		size_t i = l->next++;
		pthread_mutex_unlock(&l->lock);
		if (i >= l->n)
			return NULL;
		struct loading *it = &l->items[i];
		char *path = path_join("content", it->rel);
		char *id = xstrndup(it->rel, strlen(it->rel) - 3);
		it->page = page_load(path, id, &it->d);
		if (it->page) {
			/* folio check needs the objects, not the HTML. */
			it->doc = l->site->render
			    ? md_parse(it->page, &it->d)
			    : md_scan(it->page, &it->d);
			site_math_keys(l->site, it->doc);
			site_witness_keys(l->site, it->doc);
		}
		free(id);
		free(path);
	}
}

static int cmp_loading(const void *a, const void *b)
{
	const struct loading *x = a, *y = b;
	return strcmp(x->page->id, y->page->id);
}

/* Reads every page under content/, on every core, into s->pages and
 * s->docs (sorted by id); other files become s->media. */
static void load_pages(struct site *s, struct diags *d)
{
	struct names files = {0};
	if (!path_is_dir("content")) {
		diags_add(d, DIAG_ERROR, "content", 0, 0, "site",
		    "no content/ folder here; run folio in a site folder or "
		    "pass -C DIR");
		return;
	}
	if (walk("content", "", NULL, 1, &files, d) != 0)
		return;
	struct loader l = {.site = s};
	l.items = xcalloc(files.nitems + 1, sizeof *l.items);
	struct names media = {0};
	for (size_t i = 0; i < files.nitems; i++) {
		char *rel = files.items[i];
		char *path = path_join("content", rel);
		/* site.yaml is the config's, which reports one that is not a
		 * file (and so what a folder of that name holds). */
		if (!strcmp(rel, "site.yaml") || str_starts(rel, "site.yaml/")) {
			free(rel);
		} else if (str_ends(rel, ".md")) {
			char *id = xstrndup(rel, strlen(rel) - 3);
			if (page_id_valid(id)) {
				l.items[l.n++].rel = rel;
			} else {
				diags_add(d, DIAG_ERROR, path, 0, 0, "site",
				    "`%s` is not a page id: the folder and "
				    "file names of a page (its URL) use "
				    "lowercase letters, digits and '-'", id);
				free(rel);
			}
			free(id);
		} else if (site_media_name_valid(rel)) {
			names_add(&media, rel);
		} else {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site", "a file "
			    "copied into the site is named (in its URL) with "
			    "letters, digits, '.', '_' and '-' only");
			free(rel);
		}
		free(path);
	}
	free(files.items);
	if (media.nitems)
		qsort(media.items, media.nitems, sizeof *media.items, cmp_str);
	s->media = media.items;
	s->nmedia = media.nitems;

	md_global_init();
	pthread_mutex_init(&l.lock, NULL);
	size_t nthreads = (size_t)site_jobs(s->opts);
	if (nthreads > l.n)
		nthreads = l.n ? l.n : 1;
	pthread_t *threads = xcalloc(nthreads, sizeof *threads);
	l.prefault = l.n / nthreads * HEAP_PER_PAGE;
	if (l.prefault > PREFAULT_MAX)
		l.prefault = PREFAULT_MAX;
	for (size_t t = 0; t < nthreads; t++)
		pthread_create(&threads[t], NULL, load_some, &l);
	for (size_t t = 0; t < nthreads; t++)
		pthread_join(threads[t], NULL);
	free(threads);
	pthread_mutex_destroy(&l.lock);

	/* Keep the pages that loaded, in id order, with their reports. */
	size_t ok = 0;
	for (size_t i = 0; i < l.n; i++) {
		diags_move(d, &l.items[i].d);
		free(l.items[i].rel);
		if (l.items[i].page)
			l.items[ok++] = l.items[i];
	}
	if (ok)
		qsort(l.items, ok, sizeof *l.items, cmp_loading);
	s->pages = xcalloc(ok + 1, sizeof *s->pages);
	s->docs = xcalloc(ok + 1, sizeof *s->docs);
	for (size_t i = 0; i < ok; i++) {
		s->pages[i] = l.items[i].page;
		s->docs[i] = l.items[i].doc;
	}
	s->npages = ok;
	free(l.items);
}

static size_t load_sources(struct site *s, struct diags *d)
{
	struct names files = {0};
	if (!path_is_dir("sources"))
		return 0;
	if (walk("sources", "", NULL, 0, &files, d) != 0)
		return 1;
	size_t errors = 0;
	s->sources = xcalloc(files.nitems, sizeof *s->sources);
	for (size_t i = 0; i < files.nitems; i++) {
		char *rel = files.items[i];
		if (str_ends(rel, ".yaml") && !strchr(rel, '/')) {
			char *path = path_join("sources", rel);
			char *id = xstrndup(rel, strlen(rel) - 5);
			size_t before = diags_count(d, DIAG_ERROR);
			if (!page_id_valid(id)) {
				diags_add(d, DIAG_ERROR, path, 0, 0, "site",
				    "`%s` is not a source id: the file name of "
				    "a source (its URL) uses lowercase "
				    "letters, digits and '-'", id);
				errors++;
				free(id);
				free(path);
				free(rel);
				continue;
			}
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

/* What the steps after loading allocate on the main thread (the store's
 * page cache, the witness and claim steps), about, for a site of npages. */
static size_t main_heap_for(size_t npages)
{
	size_t bytes = (1 << 20) + npages * (8 << 10);
	return bytes < PREFAULT_MAX ? bytes : PREFAULT_MAX;
}

size_t site_load(struct site *s, struct diags *d)
{
	size_t before = diags_count(d, DIAG_ERROR);
	s->config = site_config_load("content/site.yaml", d);
	site_math_prepare(s);
	load_pages(s, d);
	site_check_paths(s, d);
	prefault_heap(main_heap_for(s->npages));
	load_sources(s, d);
	site_check_links(s, d);
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
	free(s->katex_version);
	store_close(s->store);
	for (size_t i = 0; i < s->nwritten; i++)
		free(s->written[i]);
	free(s->written);
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
