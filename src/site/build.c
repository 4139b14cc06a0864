/*
 * build.c -- folio build and folio check: load, verify, render, and swap
 * the new output in only when everything succeeded.
 *
 * Divisions: finding folio's own files, verification (the steps in
 * order), writing pages in parallel, the output swap, the commands.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "render/render.h"

/* Every output folder carries this file, so that folio never replaces or
 * sweeps a folder it did not write (a --out pointed at the wrong place). */
#define OUTPUT_MARK ".folio-site"

/* ---- finding folio's own files */

/* folio's share folder holds templates/ (the default theme), KaTeX and
 * the witness prelude.  In the source tree the executable is build/folio
 * (or build/<variant>/folio) and the share folder is the tree itself, a
 * few folders up; once installed it is $(PREFIX)/share/folio. */
static char *find_share(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			char *probe = xasprintf("%s/../templates/concept.mustache",
			    exe);
			int ok = path_exists(probe);
			free(probe);
			if (ok) {
				char *tree = xasprintf("%s/..", exe);
				char *real = realpath(tree, NULL);
				free(tree);
				if (real)
					return real;
			}
		}
	}
#ifdef FOLIO_SHARE
	return xstrdup(FOLIO_SHARE);
#else
	return xstrdup("/usr/local/share/folio");
#endif
}

static char *absolute(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return xstrdup(path);
	return path_join(cwd, path);
}

/* ---- timings */

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Ends step k: adds the time since the last mark to it. */
static void step_done(struct site *s, enum step k)
{
	double t = now_ms();
	s->stage_ms[k] += t - s->mark;
	s->mark = t;
}

static void print_timings(const struct site *s)
{
	static const char *const names[STEP_COUNT] = {"load", "graph",
		"math", "witnesses", "checks", "store", "write"};
	if (!s->opts->timings)
		return;
	double total = 0;
	fprintf(stderr, "folio: timings:");
	for (int k = 0; k < STEP_COUNT; k++) {
		fprintf(stderr, " %s %.1f ms%s", names[k], s->stage_ms[k],
		    k + 1 < STEP_COUNT ? "," : "");
		total += s->stage_ms[k];
	}
	fprintf(stderr, "; total %.1f ms\n", total);
}

/* ---- verification */

/* Counts the errors, and with --strict the warnings, that fail a build. */
static size_t failures(const struct site_opts *o, const struct diags *d)
{
	return diags_count(d, DIAG_ERROR) +
	    (o->strict ? diags_count(d, DIAG_WARNING) : 0);
}

/* Runs every verification step.  Returns 0 when they all ran (the
 * diagnostics say whether the content passed), 1 when the content is too
 * broken to go on, 2 when a tool folio needs could not run. */
static int verify(struct site *s, struct diags *d)
{
	s->mark = now_ms();
	size_t broken = site_load(s, d);
	step_done(s, STEP_LOAD);
	if (broken || !s->config)
		return 1;
	site_check_graph(s, d);
	site_check_media(s, d);
	step_done(s, STEP_GRAPH);
	if (site_store_open(s, d) != 0)
		return 2;
	step_done(s, STEP_STORE);
	int r = 0;
	if (site_render_math(s, d) != 0)
		r = 2;
	step_done(s, STEP_MATH);
	if (site_run_witnesses(s, d) != 0)
		r = 2;
	step_done(s, STEP_WITNESS);
	site_check_claims(s, d);
	step_done(s, STEP_CHECK);
	if (site_store_commit(s, d) != 0)
		r = 2;
	step_done(s, STEP_STORE);
	return r;
}

/* ---- writing pages in parallel */

struct writer {
	struct site *s;
	const struct render_set *rs;
	const char *out;
	size_t next;              /* next page index to take */
	pthread_mutex_t lock;
	struct diags d;           /* merged from the threads */
	int failed;
};

int site_write_template(struct site *s, const struct render_set *rs,
    const char *out, const char *rel, const char *file, const char *name,
    const char *title, json_t *extra, struct diags *d)
{
	char *root = site_root_for(rel);
	char *canon = rel ? xasprintf("%s/", rel) : xstrdup("");
	json_t *ctx = site_context_base(s, root, title, canon);
	json_object_update(ctx, extra);
	json_decref(extra);
	struct buf html = {0};
	int r = render_run(rs, name, ctx, &html, d);
	if (r == 0) {
		char *target = file ? xstrdup(file) : rel
		    ? xasprintf("%s/index.html", rel) : xstrdup("index.html");
		r = site_output(s, out, target, html.data, html.len, d);
		free(target);
	}
	buf_free(&html);
	json_decref(ctx);
	free(canon);
	free(root);
	return r;
}

/* 404.html: a server shows it at whatever address was missing
 * (/a/b/nope), so relative links would resolve against that address: its
 * links are root-relative, from the site's path on its server.  It has no
 * canonical address.  Returns 0 or -1 with a diagnostic. */
static int write_not_found(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	char *root = site_base_path(s->config->base_url);
	json_t *ctx = site_context_base(s, root, "Not found", NULL);
	struct buf html = {0};
	int r = render_run(rs, "404", ctx, &html, d);
	if (r == 0)
		r = site_output(s, out, "404.html", html.data, html.len, d);
	buf_free(&html);
	json_decref(ctx);
	free(root);
	return r;
}

static void *write_pages(void *arg)
{
	struct writer *w = arg;
	struct diags d = {0};
	for (;;) {
		pthread_mutex_lock(&w->lock);
		size_t i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->s->npages)
			break;
		struct page *p = w->s->pages[i];
		if (site_fetch_math(w->s, w->s->docs[i], &d) != 0)
			break;
		md_render(w->s->docs[i]);
		char *root = site_root_for(p->id);
		json_t *extra = json_object();
		json_object_set_new(extra, "page",
		    site_context_page(w->s, i, root));
		site_context_add_jsonld(w->s, i, extra);
		free(root);
		int r = site_write_template(w->s, w->rs, w->out, p->id, NULL,
		    "concept", p->meta.title, extra, &d);
		/* Nothing reads a page's body after its page is written. */
		md_free(w->s->docs[i]);
		w->s->docs[i] = NULL;
		if (r != 0)
			break;
	}
	pthread_mutex_lock(&w->lock);
	if (diags_count(&d, DIAG_ERROR))
		w->failed = 1;
	diags_move(&w->d, &d);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int site_jobs(const struct site_opts *o)
{
	if (o && o->jobs > 0)
		return o->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int write_site(struct site *s, const struct render_set *rs,
    const char *out, struct diags *d)
{
	/* First: the search index needs the bodies the writers free. */
	if (site_write_search(s, rs, out, d) != 0)
		return -1;
	struct writer w = {.s = s, .rs = rs, .out = out};
	pthread_mutex_init(&w.lock, NULL);
	int jobs = site_jobs(s->opts);
	if ((size_t)jobs > s->npages)
		jobs = s->npages ? (int)s->npages : 1;
	pthread_t *threads = xcalloc((size_t)jobs, sizeof *threads);
	for (int i = 0; i < jobs; i++)
		pthread_create(&threads[i], NULL, write_pages, &w);
	for (int i = 0; i < jobs; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	pthread_mutex_destroy(&w.lock);
	diags_move(d, &w.d);
	if (w.failed)
		return -1;
	if (site_write_template(s, rs, out, NULL, NULL, "index", s->config->title,
	    site_context_index(s, ""), d) != 0)
		return -1;
	if (render_set_has(rs, "404") && write_not_found(s, rs, out, d) != 0)
		return -1;
	if (site_write_extras(s, rs, out, d) != 0 ||
	    site_output(s, out, OUTPUT_MARK, "folio\n", 6, d) != 0)
		return -1;
	return site_copy_assets(s, out, d);
}

/* ---- the output swap */

/* 1 when dir may be replaced: missing, empty, or marked as folio's. */
static int replaceable(const char *dir)
{
	if (!path_exists(dir))
		return 1;
	char *mark = path_join(dir, OUTPUT_MARK);
	int ok = path_exists(mark);
	free(mark);
	if (ok)
		return 1;
	DIR *dh = opendir(dir);
	if (!dh)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(dh)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = 0;
	closedir(dh);
	return empty;
}

/* Refuses an output folder that is, or lies inside, a folder the build
 * reads: content/ (whose files are copied into the site, so each build
 * would copy the last one's output into itself, one level deeper each
 * time), sources/ or the theme folder in use.  out is absolute; given is
 * --out as the user wrote it, for the diagnostic.  Run in the site folder.
 * Returns 0, or -1 with a diagnostic. */
static int out_outside_inputs(const struct site *s, const char *out,
    const char *given, struct diags *d)
{
	const char *const inputs[] = {"content", "sources", s->templates};
	char *where = path_resolve(out);
	int r = 0;
	for (size_t i = 0; i < 3 && r == 0; i++) {
		char *real = realpath(inputs[i], NULL);
		if (real && path_within(where, real)) {
			/* The theme is the site's own templates/ or one
			 * outside it (folio's default theme). */
			char *own = realpath("templates", NULL);
			char *name = i < 2 || (own && !strcmp(own, real))
			    ? xasprintf("%s/", i < 2 ? inputs[i] : "templates")
			    : xasprintf("the theme folder %s/", inputs[i]);
			free(own);
			diags_add(d, DIAG_ERROR, given, 0, 0, "site",
			    "--out %s %s, which the build reads; choose a "
			    "folder outside content/, sources/ and templates/",
			    strcmp(where, real) ? "is inside" : "is", name);
			free(name);
			r = -1;
		}
		free(real);
	}
	free(where);
	return r;
}

/* Moves the finished staging folder into place as out.  The previous out
 * becomes the next build's staging folder (out.prev), so a build rewrites
 * files in place instead of creating every one anew.  Each step is a
 * rename, and a failure at any step leaves the old site or the new one
 * whole at out. */
static int swap_in(const char *staged, const char *out, struct diags *d)
{
	char *old = xasprintf("%s.old-%ld", out, (long)getpid());
	int had = path_exists(out);
	int r = 0;
	if (had && rename(out, old) != 0) {
		diags_add(d, DIAG_ERROR, out, 0, 0, "site",
		    "cannot move the previous site aside: %s", strerror(errno));
		r = -1;
	} else if (rename(staged, out) != 0) {
		diags_add(d, DIAG_ERROR, out, 0, 0, "site",
		    "cannot move the new site into place: %s", strerror(errno));
		if (had)
			rename(old, out);
		r = -1;
	} else if (had && rename(old, staged) != 0) {
		dir_remove(old);
	}
	free(old);
	return r;
}

/* ---- the commands */

/* Resolves the paths of o (before leaving the current folder) and enters
 * the site folder, which must hold content/.  On failure reports why,
 * releases what it set up and returns -1. */
static int enter(const struct site_opts *o, struct site *s, char **out,
    struct diags *d)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->store_lock, NULL);
	pthread_mutex_init(&s->written_lock, NULL);
	s->opts = o;
	s->share = o->share ? absolute(o->share) : find_share();
	*out = o->out ? absolute(o->out) : NULL;
	char *theme = o->templates ? absolute(o->templates) : NULL;
	if (o->dir && chdir(o->dir) != 0) {
		diags_add(d, DIAG_ERROR, o->dir, 0, 0, "site",
		    "cannot enter the site folder: %s", strerror(errno));
		free(theme);
		site_free(s);
		free(*out);
		return -1;
	}
	/* Without content/ this is not a site folder: a usage error, like
	 * a -C folder that does not exist. */
	if (!path_is_dir("content")) {
		char *where = path_join(o->dir ? o->dir : ".", "content");
		diags_add(d, DIAG_ERROR, where, 0, 0, "site", "no such "
		    "folder: a site folder holds content/ (run folio in one, "
		    "or pass -C DIR)");
		free(where);
		free(theme);
		site_free(s);
		free(*out);
		return -1;
	}
	if (!*out)
		*out = absolute("build/site");
	if (!theme)
		theme = path_is_dir("templates") ? absolute("templates")
		    : path_join(s->share, "templates");
	s->templates = theme;
	return 0;
}

static int finish(const struct site_opts *o, struct diags *d, int system)
{
	if (o->strict)
		for (size_t i = 0; i < d->nitems; i++)
			if (d->items[i].level == DIAG_WARNING)
				d->items[i].level = DIAG_ERROR;
	if (system)
		return 2;
	return diags_count(d, DIAG_ERROR) ? 1 : 0;
}

int site_build(const struct site_opts *o, struct diags *d)
{
	struct site s;
	char *out = NULL;
	if (enter(o, &s, &out, d) != 0)
		return 2;
	int lock = -1;
	if (out_outside_inputs(&s, out, o->out ? o->out : out, d) != 0 ||
	    (lock = site_lock(d)) < 0) {
		site_free(&s);
		free(out);
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int system = 0;
	struct render_set *rs = render_set_new();
	s.render = 1;
	int v = verify(&s, d);
	system = v == 2;
	if (v != 0 || failures(o, d))
		goto done;
	if (render_set_load_dir(rs, s.templates, d) != 0)
		goto done;
	char *staged = xasprintf("%s.prev", out);
	const char *foreign = !replaceable(out) ? out
	    : !replaceable(staged) ? staged : NULL;
	if (!foreign && !path_is_dir(staged))
		dir_remove(staged);
	if (foreign) {
		diags_add(d, DIAG_ERROR, foreign, 0, 0, "site",
		    "holds files folio did not write; remove it or choose "
		    "another --out");
		system = 1;
	} else if (dir_make(staged) != 0) {
		diags_add(d, DIAG_ERROR, staged, 0, 0, "site",
		    "cannot create the output folder: %s", strerror(errno));
		system = 1;
	} else if (write_site(&s, rs, staged, d) != 0) {
		system = 1;
	} else if (site_written_twice(&s, d)) {
		/* The previous site stays. */
	} else {
		site_sweep(&s, staged);
		if (swap_in(staged, out, d) != 0)
			system = 1;
	}
	free(staged);
	step_done(&s, STEP_WRITE);
	print_timings(&s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!o->quiet && !diags_count(d, DIAG_ERROR))
		printf("folio: built %zu pages into %s in %.0f ms\n",
		    s.npages, out, (t1.tv_sec - t0.tv_sec) * 1e3 +
		    (t1.tv_nsec - t0.tv_nsec) / 1e6);
done:
	site_unlock(lock);
	render_set_free(rs);
	site_free(&s);
	free(out);
	return finish(o, d, system);
}

int site_check(const struct site_opts *o, struct diags *d)
{
	struct site s;
	char *out = NULL;
	if (enter(o, &s, &out, d) != 0) {
		/* No report without a site: say why as main does for the
		 * other commands (this printed nothing). */
		diags_print(stderr, d);
		return 2;
	}
	int lock = site_lock(d);
	if (lock < 0) {
		diags_print(stderr, d);
		site_free(&s);
		free(out);
		return 2;
	}
	int v = verify(&s, d);
	site_unlock(lock);
	print_timings(&s);
	int status = finish(o, d, v == 2);
	diags_sort(d);
	struct diags errors = {0};
	if (site_report(&s, d, &errors) != 0) {
		diags_print(stderr, &errors);
		status = 2;
	}
	diags_free(&errors);
	site_free(&s);
	free(out);
	return status;
}
