/*
 * output.c -- writing the site's files into the staging folder, and
 * sweeping out of it what this build did not write.
 *
 * The staging folder is the output of the build before last (build/
 * site.prev), reused: a file that did not change is rewritten in place,
 * which on ext4 costs far less than creating thousands of new inodes while
 * the old ones are being deleted.  Every file written is recorded, and the
 * sweep removes the rest (pages that no longer exist), except static/,
 * which is copied afresh each time.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void record(struct site *s, const char *rel)
{
	pthread_mutex_lock(&s->written_lock);
	if (s->nwritten == s->written_cap) {
		s->written_cap = s->written_cap ? 2 * s->written_cap : 256;
		s->written = xrealloc(s->written,
		    s->written_cap * sizeof *s->written);
	}
	s->written[s->nwritten++] = xstrdup(rel);
	pthread_mutex_unlock(&s->written_lock);
}

int site_output(struct site *s, const char *out, const char *rel,
    const void *data, size_t len, struct diags *d)
{
	char *path = path_join(out, rel);
	char *slash = strrchr(path, '/');
	int r = 0;
	if (slash) {
		*slash = '\0';
		if (dir_make(path) != 0) {
			diags_add(d, DIAG_ERROR, path, 0, 0, "site",
			    "cannot create folder: %s", strerror(errno));
			r = -1;
		}
		*slash = '/';
	}
	if (r == 0)
		r = file_write(path, data, len, d, "site");
	if (r == 0)
		record(s, rel);
	free(path);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes under dir/rel every file not in the sorted list w (and folders
 * left empty).  Returns 1 when the folder is now empty. */
static int sweep(const char *dir, const char *rel, char **w, size_t n)
{
	char *path = *rel ? path_join(dir, rel) : xstrdup(dir);
	DIR *dh = opendir(path);
	if (!dh) {
		free(path);
		return 0;
	}
	int empty = 1;
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *child = *rel ? path_join(rel, e->d_name)
				   : xstrdup(e->d_name);
		char *full = path_join(dir, child);
		if (!strcmp(child, "static")) {
			empty = 0;
		} else if (path_is_dir(full)) {
			if (sweep(dir, child, w, n))
				rmdir(full);
			else
				empty = 0;
		} else if (bsearch(&child, w, n, sizeof *w, cmp_str)) {
			empty = 0;
		} else {
			unlink(full);
		}
		free(full);
		free(child);
	}
	closedir(dh);
	free(path);
	return empty;
}

size_t site_written_twice(struct site *s, struct diags *d)
{
	size_t errors = 0;
	if (s->nwritten)
		qsort(s->written, s->nwritten, sizeof *s->written, cmp_str);
	for (size_t i = 1; i < s->nwritten; i++)
		if (!strcmp(s->written[i - 1], s->written[i]) &&
		    (i < 2 || strcmp(s->written[i - 2], s->written[i]))) {
			diags_add(d, DIAG_ERROR, s->written[i], 0, 0, "site",
			    "written twice by one build: a name folio "
			    "writes is missing from its reserved names "
			    "(src/site/paths.c); please report it");
			errors++;
		}
	return errors;
}

void site_sweep(struct site *s, const char *out)
{
	if (s->nwritten)
		qsort(s->written, s->nwritten, sizeof *s->written, cmp_str);
	sweep(out, "", s->written, s->nwritten);
}
