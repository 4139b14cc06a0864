/*
 * commands.c -- the small commands: folio pin (a claim's current pin) and
 * folio new (a page scaffolded with every section of the format).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "no page ID", with the closest page id of the site as a hint. */
static void no_such_page(const struct site_opts *o, const char *id,
    struct diags *d)
{
	struct site s = {.opts = o};
	struct diags scratch = {0};
	site_load(&s, &scratch);
	const char **ids = site_page_ids(&s);
	const char *hint = closest_word(id, ids);
	diags_add(d, DIAG_ERROR, NULL, 0, 0, "pin", "no page `%s` (no "
	    "content/%s.md)%s%s%s", id, id, hint ? "; did you mean `" : "",
	    hint ? hint : "", hint ? "`?" : "");
	free(ids);
	site_free(&s);
	diags_free(&scratch);
}

int site_pin(const struct site_opts *o, const char *ref, struct diags *d)
{
	const char *hash = strchr(ref, '#');
	if (!hash || hash == ref || !hash[1]) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "pin",
		    "`%s` is not ID#CLAIM (like generative-models/"
		    "normalizing-flows#exact-density)", ref);
		return 2;
	}
	if (o->dir && chdir(o->dir) != 0) {
		diags_add(d, DIAG_ERROR, o->dir, 0, 0, "pin",
		    "cannot enter the site folder: %s", strerror(errno));
		return 2;
	}
	char *id = xstrndup(ref, (size_t)(hash - ref));
	char *path = xasprintf("content/%s.md", id);
	if (!page_id_valid(id) || !path_exists(path)) {
		no_such_page(o, id, d);
		free(path);
		free(id);
		return 1;
	}
	struct page *p = page_load(path, id, d);
	int status = 1;
	if (p) {
		const struct page_claim *c = NULL;
		const char **ids = xcalloc(p->meta.nclaims + 1, sizeof *ids);
		for (size_t i = 0; i < p->meta.nclaims; i++) {
			ids[i] = p->meta.claims[i].id.s;
			if (!strcmp(p->meta.claims[i].id.s, hash + 1))
				c = &p->meta.claims[i];
		}
		if (c) {
			char pin[13];
			page_claim_pin(c, pin);
			printf("%s\n", pin);
			status = 0;
		} else {
			const char *hint = closest_word(hash + 1, ids);
			diags_add(d, DIAG_ERROR, path, 0, 0, "pin",
			    "no claim `%s` on this page%s%s%s", hash + 1,
			    hint ? "; did you mean `" : "", hint ? hint : "",
			    hint ? "`?" : "");
		}
		free(ids);
	}
	page_free(p);
	free(path);
	free(id);
	return status;
}

/* A title from the id's last part: "normalizing-flows" -> "Normalizing
 * flows". */
static char *title_from_id(const char *id)
{
	const char *slash = strrchr(id, '/');
	char *t = xstrdup(slash ? slash + 1 : id);
	for (char *s = t; *s; s++)
		if (*s == '-')
			*s = ' ';
	if (*t >= 'a' && *t <= 'z')
		*t = (char)(*t - 'a' + 'A');
	return t;
}

static const char scaffold[] =
    "---\n"
    "title: \"%s\"\n"
    "domain: %s\n"
    "summary: One or two sentences on what this concept is and why it "
    "matters.\n"
    "status: draft\n"
    "importance: supplementary\n"
    "difficulty: 3\n"
    "math: undergraduate\n"
    "# hero: {image: picture.svg, alt: \"What the picture shows\"}\n"
    "prerequisites: []\n"
    "next: []\n"
    "related: []\n"
    "bridge:\n"
    "  carry_in: What the reader brings from the prerequisites.\n"
    "  work_here: What this page builds.\n"
    "  carry_out: What the next concept will use.\n"
    "sources: []\n"
    "claims: []\n"
    "reviews: []\n"
    "misconceptions:\n"
    "  - id: first-misconception\n"
    "    text: A plausible wrong idea.\n"
    "    correction: Why it is wrong, and what holds instead.\n"
    "practice:\n"
    "  predict: Before touching the demo, predict one visible change.\n"
    "  hints: [First nudge., Second nudge., Third nudge.]\n"
    "research:\n"
    "  question: What is the smallest example that makes this concept "
    "click?\n"
    "  evidence: [The equation or code witness that makes it "
    "operational.]\n"
    "  resolves: [The reader can state the mechanism in their own "
    "words.]\n"
    "---\n"
    "\n"
    "## Intuition\n"
    "\n"
    "The picture first: what moves, and why.\n"
    "\n"
    "## Math\n"
    "\n"
    "The objects in symbols, such as $f: \\mathbb{R}^d \\to "
    "\\mathbb{R}^d$.\n"
    "\n"
    "```math id=main\n"
    "p_x(x) = p_z(z) \\left\\lvert \\det \\frac{\\partial z}{\\partial "
    "x} \\right\\rvert\n"
    "```\n"
    "\n"
    "## Code\n"
    "\n"
    "A program whose output is checked at every build:\n"
    "\n"
    "```c witness=hello\n"
    "#include <stdio.h>\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "\tprintf(\"%%d\\n\", 6 * 7);\n"
    "\treturn 0;\n"
    "}\n"
    "```\n"
    "\n"
    "```output\n"
    "42\n"
    "```\n"
    "\n"
    "## Interactive Demo\n"
    "\n"
    "What to manipulate, and what to predict before you do.\n";

int site_new_page(const struct site_opts *o, const char *id, struct diags *d)
{
	if (o->dir && chdir(o->dir) != 0) {
		diags_add(d, DIAG_ERROR, o->dir, 0, 0, "new",
		    "cannot enter the site folder: %s", strerror(errno));
		return 2;
	}
	if (!page_id_valid(id) || !strchr(id, '/')) {
		diags_add(d, DIAG_ERROR, NULL, 0, 0, "new",
		    "`%s` is not a page id: use lowercase letters, digits and "
		    "'-', as domain/concept", id);
		return 2;
	}
	char *path = xasprintf("content/%s.md", id);
	if (path_exists(path)) {
		diags_add(d, DIAG_ERROR, path, 0, 0, "new",
		    "already exists; not overwritten");
		free(path);
		return 2;
	}
	char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	char *title = title_from_id(id);
	char *domain = xstrndup(id, (size_t)(strchr(id, '/') - id));
	char *dom_title = title_from_id(domain);
	char *text = xasprintf(scaffold, title, dom_title);
	int r = dir_make(dir) == 0 ? file_write(path, text, strlen(text), d,
	    "new") : -1;
	if (r == 0)
		printf("%s\n", path);
	else if (!diags_count(d, DIAG_ERROR))
		diags_add(d, DIAG_ERROR, dir, 0, 0, "new",
		    "cannot create folder: %s", strerror(errno));
	free(text);
	free(dom_title);
	free(domain);
	free(title);
	free(dir);
	free(path);
	return r == 0 ? 0 : 2;
}
