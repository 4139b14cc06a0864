/*
 * math_step.c -- the math step of a build: every formula of every page
 * typeset by KaTeX worker processes, each TeX error reported at its
 * file:line:col.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* One distinct formula of the build: its key, the first formula with that
 * key (rendered), and the others (given the same result). */
struct formula {
	char key[65];
	struct md_math *m;
	size_t page;
};

static int cmp_formula(const void *a, const void *b)
{
	return strcmp(((const struct formula *)a)->key,
	    ((const struct formula *)b)->key);
}

/* Renders the formulas of f[0..n) that the cache missed, sorted by key
 * so that each distinct one is typeset once.  Returns -1 when KaTeX could
 * not run. */
static int typeset(struct site *s, struct formula *f, size_t n,
    const char *kdir, struct diags *d)
{
	qsort(f, n, sizeof *f, cmp_formula);
	struct math_item *items = xcalloc(n + 1, sizeof *items);
	size_t *first = xcalloc(n + 1, sizeof *first);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(f[i].key, f[i - 1].key)) {
			first[i] = first[i - 1];
			continue;
		}
		items[u].tex = f[i].m->tex;
		items[u].display = f[i].m->display;
		first[i] = u++;
	}
	char *worker = path_join(s->share, "src/math/katex-worker.js");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct math_opts mo = {
		.node = "node",
		.worker = worker,
		.katex_dir = kdir,
		.macros_json = s->config->macros_json,
		.workers = s->opts->jobs > 0 ? s->opts->jobs
		    : cores > 0 ? (int)cores : 1,
	};
	if ((size_t)mo.workers > u)
		mo.workers = (int)u;
	int r = -1;
	struct math_pool *pool = math_pool_new(&mo, d);
	if (pool && math_pool_render(pool, items, u, d) == 0) {
		r = 0;
		for (size_t i = 0; i < n; i++) {
			struct math_item *it = &items[first[i]];
			if (it->error) {
				int line, col;
				const struct md_doc *doc = s->docs[f[i].page];
				md_math_locate(doc, f[i].m, it->error_offset,
				    &line, &col);
				diags_add(d, DIAG_ERROR, doc->page->path, line,
				    col, "math", "%s", it->error);
			} else if (it->html) {
				f[i].m->html = xstrdup(it->html);
			}
		}
		for (size_t k = 0; k < u && s->store; k++)
			if (items[k].html)
				for (size_t i = 0; i < n; i++)
					if (first[i] == k) {
						store_math_put(s->store, f[i].key,
						    items[k].html, d);
						break;
					}
	}
	for (size_t k = 0; k < u; k++) {
		free(items[k].html);
		free(items[k].error);
	}
	math_pool_free(pool);
	free(worker);
	free(first);
	free(items);
	return r;
}

int site_render_math(struct site *s, struct diags *d)
{
	size_t total = 0;
	for (size_t i = 0; i < s->npages; i++)
		total += s->docs[i]->nmath;
	if (!total)
		return 0;
	char *kdir = katex_dir(s);
	char *version = katex_version(kdir);
	struct formula *miss = xcalloc(total, sizeof *miss);
	size_t n = 0;
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; k < s->docs[i]->nmath; k++) {
			struct md_math *m = &s->docs[i]->math[k];
			struct formula f = {.m = m, .page = i};
			math_cache_key(m->tex, m->display,
			    s->config->macros_json, version ? version : "",
			    f.key);
			if (version && !s->opts->force && s->store &&
			    store_math_get(s->store, f.key, &m->html, d) == 1)
				continue;
			miss[n++] = f;
		}
	int r = n ? typeset(s, miss, n, kdir, d) : 0;
	free(miss);
	free(version);
	free(kdir);
	return r;
}

int site_copy_katex(const struct site *s, const char *dest, struct diags *d)
{
	char *kdir = katex_dir(s);
	int r = math_assets_copy(kdir, dest, d);
	free(kdir);
	return r;
}
