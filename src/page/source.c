/*
 * source.c -- a source record, sources/<id>.yaml, and its optional local
 * snapshot sources/<id>.txt.
 */
#include "page.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "yamlwalk.h"

static const char *const kind_names[] = {"paper", "book", "article", "docs",
	"code", "video", NULL};
static const char *const source_keys[] = {"kind", "title", "authors",
	"year", "venue", "url", "doi", NULL};

/* A DOI: "10." then a registrant code, "/", and a suffix without blanks. */
static int valid_doi(const char *s)
{
	if (!str_starts(s, "10."))
		return 0;
	const char *slash = strchr(s, '/');
	if (!slash || slash == s + 3 || !slash[1])
		return 0;
	for (const char *p = s + 3; p < slash; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return 0;
	for (const char *p = slash; *p; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return 1;
}

struct source *source_load(const char *yaml_path, const char *id,
    struct diags *d)
{
	char *text;
	size_t len;
	if (file_read(yaml_path, &text, &len, d, "source") != 0)
		return NULL;
	struct source *s = xcalloc(1, sizeof *s);
	s->id = xstrdup(id);
	s->path = xstrdup(yaml_path);
	struct yw w;
	int errors = 0;
	if (yw_load(&w, "source", yaml_path, text, len, 0, d) != 0) {
		errors = 1;
		goto out;
	}
	yaml_node_t *root = yw_root(&w);
	const char *what = "source";
	if (!root) {
		diags_add(d, DIAG_ERROR, yaml_path, 1, 1, "source",
		    "source record is empty: `kind`, `title`, `authors` and "
		    "`year` are required");
		errors = 1;
		goto out;
	}
	if (yw_check_map(&w, root, what, source_keys) != 0)
		goto done;
	int kind = 0;
	if (yw_enum(&w, yw_require(&w, root, "kind", what), "kind",
	    kind_names, &kind) == 0 && yw_get(&w, root, "kind"))
		s->kind = xstrdup(kind_names[kind]);
	yw_string(&w, yw_require(&w, root, "title", what), "title", &s->title);
	struct located_list authors = {0};
	yaml_node_t *an = yw_require(&w, root, "authors", what);
	if (yw_string_list(&w, an, "authors", &authors) == 0 && an) {
		if (!authors.nitems)
			yw_error(&w, an, "`authors` must name at least one "
			    "author");
		s->authors = xcalloc(authors.nitems, sizeof *s->authors);
		for (size_t i = 0; i < authors.nitems; i++) {
			s->authors[i] = authors.items[i].s;
			authors.items[i].s = NULL;
		}
		s->nauthors = authors.nitems;
	}
	located_list_free(&authors);
	yw_int(&w, yw_require(&w, root, "year", what), "year", 1000, 2100,
	    &s->year);
	yw_string(&w, yw_get(&w, root, "venue"), "venue", &s->venue);
	yaml_node_t *un = yw_get(&w, root, "url");
	if (yw_string(&w, un, "url", &s->url) == 0 && s->url &&
	    !yw_valid_url(s->url))
		yw_error(&w, un, "`%s` is not an http(s) URL", s->url);
	yaml_node_t *dn = yw_get(&w, root, "doi");
	if (yw_string(&w, dn, "doi", &s->doi) == 0 && s->doi &&
	    !valid_doi(s->doi))
		yw_error(&w, dn, "`%s` is not a DOI (like 10.1000/xyz)",
		    s->doi);
done:
	errors = w.errors;
out:
	yw_free(&w);
	free(text);
	if (errors) {
		source_free(s);
		return NULL;
	}
	/* The snapshot, when there is one, sits beside the record. */
	size_t plen = strlen(yaml_path);
	char *txt = xasprintf("%.*s.txt", (int)(plen - 5), yaml_path);
	if (str_ends(yaml_path, ".yaml") && path_exists(txt)) {
		if (file_read(txt, &s->snapshot, NULL, d, "source") != 0) {
			free(txt);
			source_free(s);
			return NULL;
		}
		s->snapshot_path = txt;
	} else {
		free(txt);
	}
	return s;
}

void source_free(struct source *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->path);
	free(s->kind);
	free(s->title);
	for (size_t i = 0; i < s->nauthors; i++)
		free(s->authors[i]);
	free(s->authors);
	free(s->venue);
	free(s->url);
	free(s->doi);
	free(s->snapshot);
	free(s->snapshot_path);
	free(s);
}

/* The family name is taken as the last word of each author's name. */
static const char *family(const char *name)
{
	const char *sp = strrchr(name, ' ');
	return sp ? sp + 1 : name;
}

char *source_authors_short(const struct source *s)
{
	if (s->nauthors == 0)
		return xstrdup("");
	if (s->nauthors == 1)
		return xstrdup(family(s->authors[0]));
	if (s->nauthors == 2)
		return xasprintf("%s and %s", family(s->authors[0]),
		    family(s->authors[1]));
	return xasprintf("%s et al.", family(s->authors[0]));
}
