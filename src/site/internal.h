/*
 * internal.h -- private to the site stage: the loaded site and the steps
 * of a build, one file each.
 */
#ifndef FOLIO_SITE_INTERNAL_H
#define FOLIO_SITE_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include "check/check.h"
#include "markdown/markdown.h"
#include "page/page.h"
#include "site.h"
#include "store/store.h"

struct site {
	const struct site_opts *opts;
	struct site_config *config;
	struct page **pages;      /* sorted by id */
	struct md_doc **docs;     /* docs[i] belongs to pages[i] */
	int render;               /* pages will be written (folio build):
	                             their HTML is rendered as they load */
	size_t npages;
	struct source **sources;  /* sorted by id */
	size_t nsources;
	char **media;             /* other files under content/, relative */
	size_t nmedia;
	char *share;              /* folio's own files: templates/, katex/ */
	char *templates;          /* the theme folder in use */
	char *katex_version;      /* from KaTeX's package.json, or NULL */
	struct store *store;      /* build/folio.db, open during a build */
	pthread_mutex_t store_lock; /* page writers share the store */
	struct check_result claims; /* every claim's review state */
	struct report report;     /* witness and claim cases for check */
	char **written;           /* files this build wrote, relative */
	size_t nwritten, written_cap;
	pthread_mutex_t written_lock;
	double stage_ms[8];       /* wall time of each step (enum step) */
	double mark;              /* when the current step started, ms */
};

/* The steps of a build, for --timings. */
enum step { STEP_LOAD, STEP_GRAPH, STEP_MATH, STEP_WITNESS, STEP_CHECK,
	STEP_STORE, STEP_WRITE, STEP_COUNT };

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

/* A folder being walked, with the folders it is in: a walk that meets
 * one of them again (through a symbolic link back up) must stop there.
 * dir_visit_loop returns the visit of up (or above) that is the folder
 * dev:ino, or NULL. */
struct dir_visit {
	dev_t dev;
	ino_t ino;
	const char *path;
	const struct dir_visit *up;
};
const struct dir_visit *dir_visit_loop(const struct dir_visit *up, dev_t dev,
    ino_t ino);

/* paths.c: a file to copy from content/ (rel, its path there) has a name
 * fit for a URL: letters, digits, '.', '_', '-' and '/'. */
int site_media_name_valid(const char *rel);
/* paths.c: no page or file of content/ would be written where another
 * one, or folio itself, writes (the reserved names are listed there).
 * Returns the number of errors added. */
size_t site_check_paths(const struct site *s, struct diags *d);
/* links.c: every relative link and image of the page bodies leads to a
 * page, file or folio page of the site, and its fragment to an id of its
 * page.  Returns the number of errors added. */
size_t site_check_links(const struct site *s, struct diags *d);

/* graph.c: prerequisites, next and related pages exist; no prerequisite
 * cycle.  Returns the number of errors added. */
size_t site_check_graph(const struct site *s, struct diags *d);

/* assets.c: the hero images exist (errors); copies the theme's static/,
 * KaTeX's CSS and fonts, and the media files of content/ into out. */
size_t site_check_media(const struct site *s, struct diags *d);
int site_copy_assets(struct site *s, const char *out, struct diags *d);

/* math_step.c: every formula of every page typeset by KaTeX (from the
 * cache when it can); a TeX error is located in its page.  Returns -1 when
 * KaTeX could not run at all (a diagnostic says what to install). */
int site_render_math(struct site *s, struct diags *d);
/* site_math_prepare reads KaTeX's version (before the pages load);
 * site_math_keys sets the cache key of every formula of doc (as its page
 * is parsed, on the loading threads). */
void site_math_prepare(struct site *s);
void site_math_keys(const struct site *s, struct md_doc *doc);
/* Sets the cache key (hash) of every code witness of doc, on the loading
 * threads like site_math_keys. */
void site_witness_keys(const struct site *s, struct md_doc *doc);
/* Sets the html of every formula of doc from the math cache (the math step
 * put every formula there).  Safe to call from several page writers.
 * Returns 0, or -1 with a diagnostic. */
int site_fetch_math(struct site *s, struct md_doc *doc, struct diags *d);
/* Copies KaTeX's CSS and fonts into dest (math_step.c knows where KaTeX
 * is).  Returns 0 or -1. */
int site_copy_katex(const struct site *s, const char *dest, struct diags *d);

struct render_set;
typedef struct json_t json_t;

/* build.c: the number of parallel jobs: --jobs, or the number of cores. */
int site_jobs(const struct site_opts *o);

/* build.c: renders template `name` with the base context plus `extra`
 * merged in (extra is consumed), into out/<rel>/index.html (rel NULL: the
 * root); file, when not NULL, names the output file instead ("404.html").
 * Returns 0 or -1 with a diagnostic. */
int site_write_template(struct site *s, const struct render_set *rs,
    const char *out, const char *rel, const char *file, const char *name,
    const char *title, json_t *extra, struct diags *d);

/* output.c: writes out/rel (making its folders) and records it as
 * written; returns 0, or -1 with a diagnostic.  site_sweep removes from
 * out every file this build did not write (static/ excepted). */
int site_output(struct site *s, const char *out, const char *rel,
    const void *data, size_t len, struct diags *d);
void site_sweep(struct site *s, const char *out);
/* output.c: reports each file this build wrote more than once (the last
 * writer won; site_check_paths should have refused the site) and returns
 * their number.  It sorts s->written. */
size_t site_written_twice(struct site *s, struct diags *d);

/* lock.c: takes the site's build lock (build/folio.lock, exclusive
 * flock), waiting for another build or check of the site to let go of it
 * and saying so once on stderr.  Run in the site folder.  Returns the
 * lock's descriptor, which site_unlock releases, or -1 with a diagnostic. */
int site_lock(struct diags *d);
/* Releases the lock site_lock took; accepts -1. */
void site_unlock(int fd);

/* extras.c: the site-wide pages and files beyond the concept pages and
 * the catalogue: a page per source, the claims dashboard, the concept
 * graph, the Atom feed, sitemap.xml and robots.txt.  Returns 0 or -1. */
int site_write_extras(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d);

/* feed.c: feed.xml, the Atom feed of the pages that are not drafts, when
 * base_url is set (its ids are the pages' canonical URLs).  Returns 0 or
 * -1 with a diagnostic. */
int site_write_feed(struct site *s, const char *out, struct diags *d);

/* search.c: search/index.json and, when the theme has search.mustache,
 * search/index.html.  Call it before the page writers free the pages'
 * bodies: the index holds their section headings.  Returns 0 or -1. */
int site_write_search(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d);

/* graph_page.c: graph/index.html, the concept graph as an SVG and as
 * lists, when the theme has graph.mustache.  Returns 0 or -1. */
int site_write_graph(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d);

/* store_step.c: the caches keep the results of earlier builds (an older
 * version of a page, another branch) until those no page uses outnumber
 * both the site's own (live: the distinct keys this build uses) and
 * 1,000; then they are removed, in the build's transaction, so that a
 * cache holds at most about twice what the site needs.  keys are the
 * cache's nkeys keys (store_cache_keys); used[i] tells whether key i is
 * one of this build's.  site_cache_overgrown says whether a cache of
 * nrows rows may hold that many unused ones, to spare reading its keys. */
int site_cache_overgrown(size_t nrows, size_t live);
void site_cache_prune(struct site *s, enum store_cache c, const char *keys,
    const char *used, size_t nkeys, size_t live, struct diags *d);
/* store_step.c: opens build/folio.db and starts the build's transaction
 * (site_store_open); records the content tables and commits
 * (site_store_commit), leaving the store open for the page writers, which
 * read typeset math from it; site_free closes it.  Each returns 0, or -1
 * with a diagnostic. */
int site_store_open(struct site *s, struct diags *d);
int site_store_commit(struct site *s, struct diags *d);

/* witness_step.c: every code witness compiled, run and checked, or taken
 * from the cache.  Returns 0 when the runner could work (the diagnostics
 * say whether witnesses passed), -1 on a system error. */
int site_run_witnesses(struct site *s, struct diags *d);

/* claims_step.c: the claim, source and review checks (check_run) with the
 * objects each page has; fills s->claims. */
void site_check_claims(struct site *s, struct diags *d);
/* The objects of page i that claims may cite ("eq:x", "code:y",
 * "demo:z"); the caller frees the array and its strings. */
char **site_page_objects(const struct site *s, size_t i, size_t *n);
/* The id of page p's demo (the `id` of its demo: mapping), or NULL when it
 * has no demo or the demo no id; the caller frees. */
char *site_page_demo_id(const struct page *p);

/* report_step.c: folio check's report in the format of o (text goes to
 * stderr, the others to --output or stdout).  Returns 0 or -1. */
int site_report(const struct site *s, const struct diags *d,
    struct diags *errors);

/* watch.c: folio serve's watch on the inputs (content/, sources/,
 * templates/ under the current folder).  watch_open takes their
 * fingerprint; watch_wait returns as soon as it differs from the last one
 * taken (woken by inotify, with a look every few seconds besides, or
 * every 400 ms where inotify cannot watch), and takes it anew. */
struct watch;
struct watch *watch_open(void);
void watch_wait(struct watch *w);
void watch_close(struct watch *w);

#endif
