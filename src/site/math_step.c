/*
 * math_step.c -- the math step of a build: every formula of every page
 * typeset by KaTeX worker processes, each TeX error reported at its
 * file:line:col.
 */
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "math/math.h"
#include "store/store.h"

/* KaTeX and the worker script: in the source tree they sit at
 * node_modules/katex and src/math/katex-worker.js under the share
 * folder, and `make install` keeps that layout. */
static char *katex_dir(const struct site *s)
{
	return path_join(s->share, "node_modules/katex");
}

/* KaTeX's version from its package.json, without starting Node (a warm
 * build needs it for the cache keys only).  The caller frees; NULL when
 * KaTeX is not installed. */
static char *katex_version(const char *kdir)
{
	char *path = path_join(kdir, "package.json");
	json_t *pkg = json_load_file(path, 0, NULL);
	free(path);
	const char *v = json_string_value(json_object_get(pkg, "version"));
	char *r = v ? xstrdup(v) : NULL;
	json_decref(pkg);
	return r;
}

/* One formula of the build that the cache does not hold. */
struct formula {
	struct md_math *m;
	size_t page;
};

static int cmp_formula(const void *a, const void *b)
{
	return strcmp(((const struct formula *)a)->m->key,
	    ((const struct formula *)b)->m->key);
}

/* The pool that typesets n formulas with the options mo.  A build on its
 * own starts one with no more workers than formulas.  Under folio serve
 * the pool is kept in *s->opts->keep_math from one build to the next, so
 * that an edited formula is typeset by workers already warm instead of
 * waiting for Node to load KaTeX (about a fifth of a second, by hand); it
 * is replaced when the macros in site.yaml, or the KaTeX version, change.
 * NULL with a diagnostic when no pool can start. */
static struct math_pool *math_pool_for(struct site *s, struct math_opts *mo,
    size_t n, struct diags *d)
{
	struct math_pool **keep = s->opts->keep_math;
	if (!keep) {
		if ((size_t)mo->workers > n)
			mo->workers = (int)n;
		return math_pool_new(mo, d);
	}
	if (*keep && (!math_pool_fits(*keep, mo) || !s->katex_version ||
	    strcmp(math_pool_katex_version(*keep), s->katex_version))) {
		math_pool_free(*keep);
		*keep = NULL;
	}
	if (!*keep)
		*keep = math_pool_new(mo, d);
	return *keep;
}

/* Typesets the formulas f[0..n) that the cache missed, each distinct one
 * once (sorted by key), and puts the results in the cache; the pages read
 * them back when they are written (site_fetch_math), so no build holds the
 * HTML of every formula at once.  Returns -1 when KaTeX could not run. */
static int typeset(struct site *s, struct formula *f, size_t n,
    const char *kdir, struct diags *d)
{
	qsort(f, n, sizeof *f, cmp_formula);
	struct math_item *items = xcalloc(n + 1, sizeof *items);
	size_t *first = xcalloc(n + 1, sizeof *first);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(f[i].m->key, f[i - 1].m->key)) {
			first[i] = first[i - 1];
			continue;
		}
		items[u].tex = f[i].m->tex;
		items[u].display = f[i].m->display;
		first[i] = u++;
	}
	char *worker = path_join(s->share, "src/math/katex-worker.js");
	struct math_opts mo = {
		.node = "node",
		.worker = worker,
		.katex_dir = kdir,
		.macros_json = s->config->macros_json,
		.workers = site_jobs(s->opts),
	};
	int r = -1;
	struct math_pool *pool = math_pool_for(s, &mo, u, d);
	if (pool && math_pool_render(pool, items, u, d) == 0) {
		r = 0;
		for (size_t i = 0; i < n; i++) {
			struct math_item *it = &items[first[i]];
			if (!it->error)
				continue;
			int line, col;
			const struct md_doc *doc = s->docs[f[i].page];
			md_math_locate(doc, f[i].m, it->error_offset, &line,
			    &col);
			diags_add(d, DIAG_ERROR, doc->page->path, line, col,
			    "math", "%s", it->error);
		}
		for (size_t i = 0; i < n; i++)
			if ((!i || first[i] != first[i - 1]) &&
			    items[first[i]].html && s->store)
				store_math_put(s->store, f[i].m->key,
				    items[first[i]].html, d);
	}
	if (!s->opts->keep_math)
		math_pool_free(pool);
	else if (pool)
		math_pool_release(pool);   /* the cache holds the answers now */
	free(worker);
	free(first);
	free(items);
	return r;
}

void site_math_keys(const struct site *s, struct md_doc *doc)
{
	if (!s->config)
		return;  /* site.yaml is broken: the build stops after loading */
	for (size_t k = 0; k < doc->nmath; k++) {
		struct md_math *m = &doc->math[k];
		math_cache_key(m->tex, m->display, s->config->macros_json,
		    s->katex_version ? s->katex_version : "", m->key);
	}
}

void site_math_prepare(struct site *s)
{
	if (!s->share)
		return;  /* a site loaded only to list its pages */
	char *kdir = katex_dir(s);
	s->katex_version = katex_version(kdir);
	free(kdir);
}

int site_render_math(struct site *s, struct diags *d)
{
	size_t total = 0;
	for (size_t i = 0; i < s->npages; i++)
		total += s->docs[i]->nmath;
	if (!total)
		return 0;
	char *kdir = katex_dir(s);
	const char *version = s->katex_version;
	/* What the cache holds, in one query (the formulas' keys were
	 * computed as their pages were parsed, site_math_keys). */
	char *keys = NULL;
	size_t nkeys = 0;
	if (version && !s->opts->force && s->store)
		store_cache_keys(s->store, STORE_MATH_CACHE, &keys, &nkeys, d);
	struct store_keyset cached;
	store_keyset_init(&cached, keys, nkeys);
	struct formula *miss = xcalloc(total, sizeof *miss);
	char *used = xcalloc(nkeys ? nkeys : 1, 1);   /* per cached key */
	size_t n = 0;
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; k < s->docs[i]->nmath; k++) {
			struct md_math *m = &s->docs[i]->math[k];
			ptrdiff_t hit = store_keyset_find(&cached, m->key);
			if (hit >= 0) {
				used[hit] = 1;
				continue;
			}
			miss[n++] = (struct formula){.m = m, .page = i};
		}
	store_keyset_free(&cached);
	int r = n ? typeset(s, miss, n, kdir, d) : 0;
	size_t live = 0;        /* typeset sorted the misses by key */
	for (size_t i = 0; i < n; i++)
		live += !i || strcmp(miss[i].m->key, miss[i - 1].m->key);
	for (size_t i = 0; i < nkeys; i++)
		live += used[i] != 0;
	if (r == 0)
		site_cache_prune(s, STORE_MATH_CACHE, keys, used, nkeys, live,
		    d);
	free(used);
	free(keys);
	free(miss);
	free(kdir);
	return r;
}

int site_fetch_math(struct site *s, struct md_doc *doc, struct diags *d)
{
	if (!s->store || !doc->nmath)
		return 0;
	int r = 0;
	pthread_mutex_lock(&s->store_lock);
	for (size_t k = 0; r == 0 && k < doc->nmath; k++) {
		struct md_math *m = &doc->math[k];
		if (m->html || !m->key[0])
			continue;
		int got = store_math_get(s->store, m->key, &m->html, d);
		if (got == 0) {
			int line, col;
			md_math_locate(doc, m, 0, &line, &col);
			diags_add(d, DIAG_ERROR, doc->page->path, line, col,
			    "math", "the typeset formula is missing from "
			    "build/folio.db; build again");
		}
		r = got == 1 ? 0 : -1;
	}
	pthread_mutex_unlock(&s->store_lock);
	return r;
}

int site_copy_katex(const struct site *s, const char *dest, struct diags *d)
{
	char *kdir = katex_dir(s);
	int r = math_assets_copy(kdir, dest, d);
	free(kdir);
	return r;
}
