/*
 * math.c -- the math cache key and KaTeX's assets.
 */
#include "math/math.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Appends "<length>:<bytes>" so that field boundaries are unambiguous. */
static void put_field(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	buf_printf(b, "%zu:", n);
	buf_put(b, s ? s : "", n);
}

void math_cache_key(const char *tex, int display, const char *macros_json,
    const char *katex_version, char hex[65])
{
	struct buf b = {0};
	/* The tag changes whenever katex-worker.js answers differently for
	 * the same TeX (2: formulas using commands that need KaTeX's trust
	 * became errors), so that older cached answers are not reused. */
	buf_puts(&b, "folio-math-2\n");
	put_field(&b, katex_version);
	put_field(&b, display ? "display" : "inline");
	put_field(&b, macros_json);
	put_field(&b, tex);
	sha256_hex(b.data, b.len, hex);
	buf_free(&b);
}

int math_assets_copy(const char *katex_dir, const char *dest_dir,
    struct diags *d)
{
	char *css = path_join(katex_dir, "dist/katex.min.css");
	char *fonts = path_join(katex_dir, "dist/fonts");
	char *to_css = path_join(dest_dir, "katex.min.css");
	char *to_fonts = path_join(dest_dir, "fonts");
	int rc = -1;

	if (!path_exists(css) || !path_is_dir(fonts)) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "math",
		    "KaTeX not installed (%s); run `npm ci`", katex_dir);
		goto out;
	}
	if (dir_make(dest_dir) != 0) {
		diags_add(d, DIAG_ERROR, dest_dir, 0, 0, "math",
		    "cannot create folder: %s", strerror(errno));
		goto out;
	}
	if (file_copy(css, to_css, d, "math") != 0 ||
	    dir_copy(fonts, to_fonts, d, "math") != 0)
		goto out;
	rc = 0;
out:
	free(css);
	free(fonts);
	free(to_css);
	free(to_fonts);
	return rc;
}
