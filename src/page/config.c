/*
 * config.c -- content/site.yaml: the site's title and base URL, KaTeX
 * macros, and the limits of code witnesses.
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>

#include "yamlwalk.h"

static const char *const config_keys[] = {"title", "base_url", "description",
	"katex", "witness", NULL};
static const char *const katex_keys[] = {"macros", NULL};
static const char *const witness_keys[] = {"timeout_ms", "cpu_s",
	"memory_mb", "output_kb", NULL};

static void read_witness(struct yw *w, yaml_node_t *n, struct site_config *c)
{
	if (!n || yw_check_map(w, n, "witness", witness_keys) != 0)
		return;
	yw_int(w, yw_get(w, n, "timeout_ms"), "timeout_ms", 10, 600000,
	    &c->witness_timeout_ms);
	yw_int(w, yw_get(w, n, "cpu_s"), "cpu_s", 1, 600, &c->witness_cpu_s);
	yw_int(w, yw_get(w, n, "memory_mb"), "memory_mb", 16, 65536,
	    &c->witness_memory_mb);
	yw_int(w, yw_get(w, n, "output_kb"), "output_kb", 1, 65536,
	    &c->witness_output_kb);
}

/* 1 when the TeX text's braces pair up (\{, \} and \\ aside).  KaTeX
 * would report an unbalanced definition at the end of each formula that
 * uses the macro, as if the formula were wrong. */
static int braces_balanced(const char *tex)
{
	long depth = 0;
	for (const char *s = tex; *s && depth >= 0; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '{')
			depth++;
		else if (*s == '}')
			depth--;
	}
	return depth == 0;
}

static void read_katex(struct yw *w, yaml_node_t *n, struct site_config *c)
{
	if (!n || yw_check_map(w, n, "katex", katex_keys) != 0)
		return;
	yaml_node_t *m = yw_get(w, n, "macros");
	if (!m)
		return;
	if (!yw_is_map(m)) {
		yw_error(w, m, "`macros` must be a mapping of macro to "
		    "definition");
		return;
	}
	/* KaTeX would take the last of two definitions silently. */
	yw_check_unique(w, m, "macros");
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	    p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&w->doc, p->value);
		if (!yw_is_scalar(k) || yw_scalar(k)[0] != '\\')
			yw_error(w, k, "a KaTeX macro name starts with a "
			    "backslash, like \"\\\\R\"");
		else if (!yw_is_scalar(v))
			yw_error(w, v, "the definition of `%s` must be a "
			    "string", yw_scalar(k));
		else if (!braces_balanced(yw_scalar(v)))
			yw_error(w, v, "the braces of the definition of `%s` "
			    "do not pair up (\\{ and \\} are literal braces)",
			    yw_scalar(k));
	}
	/* A definition is TeX, whatever YAML would make of it: `5` and
	 * `true` are text (as numbers, they broke KaTeX itself). */
	c->macros_json = yw_to_json_text(w, m);
}

struct site_config *site_config_load(const char *path, struct diags *d)
{
	struct site_config *c = xcalloc(1, sizeof *c);
	c->witness_timeout_ms = 2000;
	c->witness_cpu_s = 2;
	c->witness_memory_mb = 256;
	c->witness_output_kb = 64;
	if (!path_exists(path)) {
		c->title = xstrdup("folio");
		c->base_url = xstrdup("");
		return c;
	}
	char *text;
	size_t len;
	if (file_read(path, &text, &len, d, "config") != 0) {
		site_config_free(c);
		return NULL;
	}
	struct yw w;
	int errors = 1;
	if (yw_load(&w, "config", path, text, len, 0, d) == 0) {
		yaml_node_t *root = yw_root(&w);
		if (root && yw_check_map(&w, root, "site.yaml",
		    config_keys) == 0) {
			yw_string(&w, yw_get(&w, root, "title"), "title",
			    &c->title);
			yaml_node_t *u = yw_get(&w, root, "base_url");
			yw_string(&w, u, "base_url", &c->base_url);
			if (c->base_url && *c->base_url &&
			    !yw_valid_url(c->base_url))
				yw_error(&w, u, "`base_url` must be an "
				    "http(s) URL or \"\"");
			else if (c->base_url && strpbrk(c->base_url, "?#"))
				yw_error(&w, u, "`base_url` is where the site "
				    "is published: no query (?) or fragment "
				    "(#)");
			yw_string(&w, yw_get(&w, root, "description"),
			    "description", &c->description);
			read_katex(&w, yw_get(&w, root, "katex"), c);
			read_witness(&w, yw_get(&w, root, "witness"), c);
		}
		errors = w.errors;
		yw_free(&w);
	}
	free(text);
	if (errors) {
		site_config_free(c);
		return NULL;
	}
	if (!c->title)
		c->title = xstrdup("folio");
	if (!c->base_url)
		c->base_url = xstrdup("");
	size_t n = strlen(c->base_url);
	while (n && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	return c;
}

void site_config_free(struct site_config *c)
{
	if (!c)
		return;
	free(c->title);
	free(c->base_url);
	free(c->description);
	free(c->macros_json);
	free(c);
}
