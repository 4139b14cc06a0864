/*
 * math_step.c -- the math step of a build: every formula of every page
 * typeset by KaTeX worker processes, each TeX error reported at its
 * file:line:col.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "math/math.h"

/* KaTeX and the worker script: in the source tree they sit at
 * node_modules/katex and src/math/katex-worker.js under the share
 * folder, and `make install` keeps that layout. */
static char *katex_dir(const struct site *s)
{
	return path_join(s->share, "node_modules/katex");
}

static int jobs_for(const struct site *s)
{
	if (s->opts->jobs > 0)
		return s->opts->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int site_render_math(struct site *s, struct diags *d)
{
	size_t total = 0;
	for (size_t i = 0; i < s->npages; i++)
		total += s->docs[i]->nmath;
	if (!total)
		return 0;
	struct math_item *items = xcalloc(total, sizeof *items);
	struct md_math **owners = xcalloc(total, sizeof *owners);
	size_t *pages = xcalloc(total, sizeof *pages);
	size_t n = 0;
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; k < s->docs[i]->nmath; k++) {
			struct md_math *m = &s->docs[i]->math[k];
			items[n].tex = m->tex;
			items[n].display = m->display;
			owners[n] = m;
			pages[n++] = i;
		}
	char *kdir = katex_dir(s);
	char *worker = path_join(s->share, "src/math/katex-worker.js");
	struct math_opts mo = {
		.node = "node",
		.worker = worker,
		.katex_dir = kdir,
		.macros_json = s->config->macros_json,
		.workers = jobs_for(s),
	};
	int r = -1;
	struct math_pool *pool = math_pool_new(&mo, d);
	if (pool && math_pool_render(pool, items, n, d) == 0) {
		r = 0;
		for (size_t i = 0; i < n; i++) {
			if (items[i].error) {
				int line, col;
				const struct md_doc *doc = s->docs[pages[i]];
				md_math_locate(doc, owners[i],
				    items[i].error_offset, &line, &col);
				diags_add(d, DIAG_ERROR, doc->page->path, line,
				    col, "math", "%s", items[i].error);
			}
			owners[i]->html = items[i].html;
			items[i].html = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(items[i].html);
		free(items[i].error);
	}
	math_pool_free(pool);
	free(worker);
	free(kdir);
	free(items);
	free(owners);
	free(pages);
	return r;
}

int site_copy_katex(const struct site *s, const char *dest, struct diags *d)
{
	char *kdir = katex_dir(s);
	int r = math_assets_copy(kdir, dest, d);
	free(kdir);
	return r;
}
