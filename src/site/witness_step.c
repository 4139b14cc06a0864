/*
 * witness_step.c -- the witness step of a build: every ```c witness=NAME
 * block compiled and run by the witness stage, unless the cache holds a
 * passing run under the same key (code, expected output, options, flow
 * library, prelude, folio version, limits).  Only passing runs are cached:
 * a failure is run again next time, so its diagnostics are always fresh.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "witness/witness.h"

static const char *status_name(int status)
{
	static const char *const names[] = {"pending", "pass",
		"compile-error", "runtime-error", "timeout", "output-limit",
		"mismatch", "system-error"};
	return status >= 0 && status <= WITNESS_SYSTEM_ERROR ? names[status]
	    : "unknown";
}

/* The diagnostics of the witness it, for the report: those of its page
 * from its fence to the end of its output block.  NULL when none. */
static char *messages_about(const struct diags *d,
    const struct witness_item *it)
{
	int last = it->expected_line;
	for (const char *p = it->expected; *p; p++)
		last += *p == '\n';
	struct buf b = {0};
	for (size_t i = 0; i < d->nitems; i++) {
		const struct diag *g = &d->items[i];
		if (!g->path || strcmp(g->path, it->path) ||
		    g->line < it->code_line - 1 || g->line > last)
			continue;
		if (b.len)
			buf_putc(&b, '\n');
		buf_puts(&b, g->message);
		if (g->detail) {
			buf_putc(&b, '\n');
			buf_puts(&b, g->detail);
		}
	}
	return b.len ? buf_detach(&b) : NULL;
}

/* The prelude and flow.h: in the source tree under src/, once installed
 * together in share/folio/witness/include. */
static void find_includes(const struct site *s, char **include, char **flow)
{
	*include = path_join(s->share, "src/witness/include");
	*flow = path_join(s->share, "src/flow");
	if (!path_is_dir(*include)) {
		free(*include);
		free(*flow);
		*include = path_join(s->share, "witness/include");
		*flow = NULL;
	}
}

/* The limits every witness runs under (and that its cache key covers). */
static void witness_limits(const struct site *s, struct witness_opts *wo)
{
	wo->timeout_ms = s->config->witness_timeout_ms;
	wo->cpu_s = s->config->witness_cpu_s;
	wo->memory_mb = s->config->witness_memory_mb;
	wo->output_kb = s->config->witness_output_kb;
}

/* What witness w of page p is, for the witness stage. */
static struct witness_item witness_item_of(const struct page *p,
    const struct md_witness *w)
{
	return (struct witness_item){
		.path = p->path,
		.name = w->name,
		.code = w->code,
		.code_line = w->code_line,
		.expected = w->expected,
		.expected_line = w->expected_line,
		.tol = w->tol,
		.has_tol = w->has_tol,
	};
}

void site_witness_keys(const struct site *s, struct md_doc *doc)
{
	if (!s->config)
		return;  /* site.yaml is broken: the build stops after loading */
	struct witness_opts wo = {0};
	witness_limits(s, &wo);
	for (size_t k = 0; k < doc->nwitnesses; k++) {
		struct witness_item it = witness_item_of(doc->page,
		    &doc->witnesses[k]);
		witness_cache_key(&wo, &it, doc->witnesses[k].hash);
	}
}

static int cmp_hash(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs in the cache that no witness of the site has any more leave it
 * once they outnumber the site's (site_cache_prune).  The rows are
 * counted first, and the keys read and sorted only when there are more
 * than the floor: doing that every time made the witness step of a warm
 * check of 500 witnesses 0.35 ms slower (medians of 30, by hand), and
 * counting first leaves it about 0.1 ms slower. */
static void prune_runs(struct site *s, size_t total, struct diags *d)
{
	size_t nrows = 0;
	if (store_cache_count(s->store, STORE_WITNESS_RUNS, &nrows, d) != 0 ||
	    !site_cache_overgrown(nrows, 0))
		return;
	const char **mine = xcalloc(total, sizeof *mine);
	size_t n = 0, live = 0;
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; k < s->docs[i]->nwitnesses; k++)
			mine[n++] = s->docs[i]->witnesses[k].hash;
	qsort(mine, n, sizeof *mine, cmp_hash);
	for (size_t i = 0; i < n; i++)
		live += !i || strcmp(mine[i], mine[i - 1]);
	char *keys = NULL;
	size_t nkeys = 0;
	if (site_cache_overgrown(nrows, live) &&
	    store_cache_keys(s->store, STORE_WITNESS_RUNS, &keys, &nkeys,
	    d) == 0 && nkeys) {
		char *used = xcalloc(nkeys, 1);
		for (size_t i = 0; i < nkeys; i++) {
			const char *key = keys + i * (STORE_KEY_LEN + 1);
			used[i] = bsearch(&key, mine, n, sizeof *mine,
			    cmp_hash) != NULL;
		}
		site_cache_prune(s, STORE_WITNESS_RUNS, keys, used, nkeys,
		    live, d);
		free(used);
	}
	free(keys);
	free(mine);
}

int site_run_witnesses(struct site *s, struct diags *d)
{
	size_t total = 0;
	for (size_t i = 0; i < s->npages; i++)
		total += s->docs[i]->nwitnesses;
	if (!total)
		return 0;
	struct witness_opts wo = {0};
	char *include, *flow;
	find_includes(s, &include, &flow);
	wo.include_dir = include;
	wo.flow_dir = flow;
	witness_limits(s, &wo);
	wo.jobs = site_jobs(s->opts);

	struct witness_item *items = xcalloc(total, sizeof *items);
	struct md_witness **owners = xcalloc(total, sizeof *owners);
	size_t n = 0;
	int r = 0;
	for (size_t i = 0; i < s->npages; i++) {
		struct md_doc *doc = s->docs[i];
		for (size_t k = 0; k < doc->nwitnesses; k++) {
			struct md_witness *w = &doc->witnesses[k];
			struct witness_item it = witness_item_of(s->pages[i], w);
			if (!w->hash[0])  /* not keyed as its page loaded */
				witness_cache_key(&wo, &it, w->hash);
			double ms;
			int hit = !s->opts->force && s->store &&
			    store_run_passed(s->store, w->hash, &ms, d) == 1;
			if (hit) {
				w->status = MD_WITNESS_PASS;
				w->ms = ms;
				w->cached = 1;
			} else {
				items[n] = it;
				owners[n++] = w;
			}
		}
	}
	struct diags wd = {0};
	witness_run_all(&wo, items, n, &wd);
	for (size_t i = 0; i < n; i++) {
		struct md_witness *w = owners[i];
		w->status = items[i].status == WITNESS_PASS ? MD_WITNESS_PASS
		    : MD_WITNESS_FAIL;
		w->ms = items[i].ms;
		if (items[i].status == WITNESS_SYSTEM_ERROR)
			r = -1;
		if (items[i].status == WITNESS_PASS && s->store) {
			struct store_run run = {
				.status = "pass",
				.output = items[i].stdout_text,
				.ms = items[i].ms,
			};
			store_run_put(s->store, w->hash, &run, d);
		}
		char *name = xasprintf("code:%s", w->name);
		char *why = messages_about(&wd, &items[i]);
		report_add_witness(&s->report, name, items[i].path, w->line,
		    status_name(items[i].status), w->ms, 0, why);
		free(why);
		free(name);
		witness_item_clear(&items[i]);
	}
	diags_move(d, &wd);
	/* The cached ones, for the report. */
	for (size_t i = 0; i < s->npages; i++)
		for (size_t k = 0; k < s->docs[i]->nwitnesses; k++) {
			struct md_witness *w = &s->docs[i]->witnesses[k];
			if (!w->cached)
				continue;
			char *name = xasprintf("code:%s", w->name);
			report_add_witness(&s->report, name, s->pages[i]->path,
			    w->line, "pass", w->ms, 1, NULL);
			free(name);
		}
	if (r == 0 && s->store && !s->opts->force)
		prune_runs(s, total, d);
	free(items);
	free(owners);
	free(include);
	free(flow);
	return r;
}
