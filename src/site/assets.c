/*
 * assets.c -- the files a site needs beside its pages: the hero images
 * and other media under content/, the theme's static/ folder, and KaTeX's
 * stylesheet and fonts (so that no page loads anything from another host),
 * and the flow library compiled to WebAssembly, which runs the live demos.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* content/<folder of the page>/<image> */
static char *hero_path(const struct page *p)
{
	const char *slash = strrchr(p->id, '/');
	if (!slash)
		return xasprintf("content/%s", p->meta.hero_image);
	return xasprintf("content/%.*s/%s", (int)(slash - p->id), p->id,
	    p->meta.hero_image);
}

size_t site_check_media(const struct site *s, struct diags *d)
{
	size_t errors = 0;
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];
		if (!p->meta.hero_image)
			continue;
		char *path = hero_path(p);
		if (strstr(p->meta.hero_image, "..") ||
		    p->meta.hero_image[0] == '/' || !path_exists(path)) {
			diags_add(d, DIAG_ERROR, p->path, p->meta.hero_line,
			    p->meta.hero_col, "page", "hero image `%s` not "
			    "found (looked for %s)", p->meta.hero_image, path);
			errors++;
		}
		free(path);
	}
	return errors;
}

/* Where flow.wasm is, or NULL (the caller frees the result): beside the
 * executable (build/flow.wasm next to build/folio, from `make wasm`), else
 * in the share folder (`make install` puts it there).  A site built
 * without it is still whole: the demo script says the file is missing and
 * the page keeps its fallback text.  The fixtures run before `make wasm`,
 * so its absence must never fail a build. */
static char *find_wasm(const struct site *s)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *p = path_join(exe, "flow.wasm");
			if (path_exists(p))
				return p;
			free(p);
		}
	}
	char *p = path_join(s->share, "flow.wasm");
	if (path_exists(p))
		return p;
	free(p);
	return NULL;
}

int site_copy_assets(struct site *s, const char *out, struct diags *d)
{
	for (size_t i = 0; i < s->nmedia; i++) {
		char *from = path_join("content", s->media[i]);
		char *data;
		size_t len;
		int r = file_read(from, &data, &len, d, "site");
		if (r == 0)
			r = site_output(s, out, s->media[i],
			    data, len, d);
		free(data);
		free(from);
		if (r != 0)
			return -1;
	}
	/* static/ is copied afresh: the sweep leaves it alone. */
	char *stat = path_join(s->templates, "static");
	char *dest = path_join(out, "static");
	dir_remove(dest);
	int r = path_is_dir(stat) ? dir_copy(stat, dest, d, "site") : 0;
	free(stat);
	if (r == 0) {
		char *kdir = path_join(dest, "katex");
		r = site_copy_katex(s, kdir, d);
		free(kdir);
	}
	char *wasm = r == 0 ? find_wasm(s) : NULL;
	if (wasm) {
		char *to = path_join(dest, "flow.wasm");
		r = file_copy(wasm, to, d, "site");
		free(to);
		free(wasm);
	}
	free(dest);
	return r;
}
