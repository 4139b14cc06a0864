/*
 * set.c -- the named templates of a render_set.
 *
 * Divisions:
 *   set        new, limits, free; templates kept sorted by name so that a
 *              partial is found by binary search without a lock
 *   adding     render_set_add (parse, then insert or replace)
 *   folders    render_set_load_dir
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "render/tmpl.h"

struct render_set {
	struct tmpl **items;          /* sorted by name */
	size_t nitems, cap;
	struct render_limits limits;  /* defaults filled in */
};

static const struct render_limits defaults = {
	.max_depth = 200,
	.max_output = (size_t)256 << 20,
	.max_steps = 100000000UL,
};

/* ---- set */

struct render_set *render_set_new(void)
{
	struct render_set *s = xcalloc(1, sizeof *s);
	s->limits = defaults;
	return s;
}

void render_set_limits(struct render_set *s, const struct render_limits *l)
{
	s->limits.max_depth = l->max_depth > 0 ? l->max_depth :
	    defaults.max_depth;
	s->limits.max_output = l->max_output ? l->max_output :
	    defaults.max_output;
	s->limits.max_steps = l->max_steps ? l->max_steps : defaults.max_steps;
}

const struct render_limits *render_set_get_limits(const struct render_set *s)
{
	return &s->limits;
}

static void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	tmpl_nodes_free(&t->root);
	free(t->name);
	free(t->path);
	free(t->src);
	free(t);
}

void render_set_free(struct render_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nitems; i++)
		tmpl_free(s->items[i]);
	free(s->items);
	free(s);
}

/* Index of the template named name, or of where it would go (*found 0). */
static size_t slot(const struct render_set *s, const char *name, int *found)
{
	size_t lo = 0, hi = s->nitems;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->items[mid]->name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

const struct tmpl *render_set_find(const struct render_set *s,
    const char *name)
{
	int found;
	size_t i = slot(s, name, &found);
	return found ? s->items[i] : NULL;
}

const char *render_set_closest(const struct render_set *s, const char *name)
{
	const char **names = xcalloc(s->nitems + 1, sizeof *names);
	for (size_t i = 0; i < s->nitems; i++)
		names[i] = s->items[i]->name;
	const char *best = closest_word(name, names);
	free(names);
	return best;
}

int render_set_has(const struct render_set *s, const char *name)
{
	return render_set_find(s, name) != NULL;
}

/* ---- adding */

int render_set_add(struct render_set *s, const char *name, const char *path,
    const char *text, size_t len, struct diags *d)
{
	struct tmpl *t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	t->path = xstrdup(path ? path : name);
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, text, len);
	t->src[len] = 0;
	t->len = len;
	if (tmpl_parse(t, d) < 0) {
		tmpl_free(t);
		return -1;
	}
	int found;
	size_t i = slot(s, name, &found);
	if (found) {
		tmpl_free(s->items[i]);
		s->items[i] = t;
		return 0;
	}
	if (s->nitems == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->items = xrealloc(s->items, s->cap * sizeof *s->items);
	}
	memmove(s->items + i + 1, s->items + i,
	    (s->nitems - i) * sizeof *s->items);
	s->items[i] = t;
	s->nitems++;
	return 0;
}

/* ---- folders */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The template name of a file name, or NULL when it is not a template. */
static char *template_name(const char *file)
{
	static const char *const exts[] = {".mustache", ".html"};
	size_t n = strlen(file);
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && strcmp(file + n - e, exts[i]) == 0 &&
		    file[0] != '.')
			return xstrndup(file, n - e);
	}
	return NULL;
}

int render_set_load_dir(struct render_set *s, const char *dir,
    struct diags *d)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		diags_add(d, DIAG_ERROR, dir, 0, 0, "render",
		    "cannot open template folder: %s", strerror(errno));
		return -1;
	}
	char **files = NULL;
	size_t nfiles = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		char *name = template_name(e->d_name);
		if (!name)
			continue;
		free(name);
		char *path = path_join(dir, e->d_name);
		if (path_is_dir(path)) {
			free(path);
			continue;
		}
		if (nfiles == cap) {
			cap = cap ? 2 * cap : 16;
			files = xrealloc(files, cap * sizeof *files);
		}
		files[nfiles++] = path;
	}
	closedir(dp);
	if (nfiles > 1)
		qsort(files, nfiles, sizeof *files, cmp_str);

	int rc = 0;
	char **names = xcalloc(nfiles + 1, sizeof *names);
	for (size_t i = 0; i < nfiles; i++) {
		const char *base = strrchr(files[i], '/');
		base = base ? base + 1 : files[i];
		names[i] = template_name(base);
		for (size_t j = 0; j < i; j++)
			if (names[j] && strcmp(names[j], names[i]) == 0) {
				diags_add(d, DIAG_ERROR, files[i], 0, 0, "render",
				    "template '%s' is also defined by %s",
				    names[i], files[j]);
				rc = -1;
				free(names[i]);
				names[i] = NULL;
				break;
			}
		if (!names[i])
			continue;
		char *text;
		size_t len;
		if (file_read(files[i], &text, &len, d, "render") < 0) {
			rc = -1;
			continue;
		}
		if (render_set_add(s, names[i], files[i], text, len, d) < 0)
			rc = -1;
		free(text);
	}
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i]);
		free(names[i]);
	}
	free(files);
	free(names);
	return rc;
}
