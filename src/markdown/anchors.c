/*
 * anchors.c -- the ids that the body's headings get, unique on the page.
 *
 * A concept page holds ids from several places: the objects of the body
 * (`eq-NAME` for a ```math id=NAME block, `code-NAME` for a witness), the
 * footnotes cmark-gfm writes (`fn-LABEL`, `fnref-LABEL`, `fnref-LABEL-2`,
 * ...), the page template's fixed ids (templates/CONTEXT.md, "Stable ids")
 * and the front matter's claims, sources and misconceptions (`claim-ID`,
 * `source-ID`, `misconception-ID`), and the headings.  Every id but a
 * heading's is fixed (claims and links cite it), so the headings yield:
 * a heading whose slug is taken gets slug-2, slug-3, ...  Level-2 headings
 * (the sections) come first, in order, so that a standard section keeps
 * the anchor the concept structure links to; each takes its anchor and
 * anchor-h (its <h2>'s id in the template).  Deeper headings at the top
 * level come next.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The concept template's own ids (templates/concept.mustache and
 * base.mustache). */
static const char *const template_ids[] = {
	"main", "site-search-q", "concept-structure", "concept-structure-h",
	"learning-map", "learning-map-h", "object-key", "object-key-h",
	"conceptual-bridge", "conceptual-bridge-h", "live-demo", "live-demo-h",
	"demo-checkpoint", "demo-prediction", "demo", "verified-code",
	"verified-code-h", "source-grounding", "source-grounding-h",
	"claim-review", "claim-review-h", "practice-loop", "practice-loop-h",
	"misconceptions", "misconceptions-h", "research-room",
	"research-room-h", "handoff", "research-draft",
	"research-draft-status", "research-picker", "research-object",
	"research-anchor", "research-next", "research-next-text",
	"practice-readiness", "practice-readiness-count",
	/* made by static/research.js */
	"handoff-copy", "handoff-copy-status",
};

/* Ids taken on the page, and prefixes P that take P and P-<digits> (a
 * footnote's references are fnref-LABEL, fnref-LABEL-2, -3, ...). */
struct taken {
	char **ids;
	size_t nids, cap;
	char **prefixes;
	size_t nprefixes, pcap;
};

static void take(struct taken *t, char *id)
{
	if (t->nids == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->ids = xrealloc(t->ids, t->cap * sizeof *t->ids);
	}
	t->ids[t->nids++] = id;
}

static void take_prefix(struct taken *t, char *prefix)
{
	if (t->nprefixes == t->pcap) {
		t->pcap = t->pcap ? 2 * t->pcap : 8;
		t->prefixes = xrealloc(t->prefixes,
		    t->pcap * sizeof *t->prefixes);
	}
	t->prefixes[t->nprefixes++] = prefix;
}

static int is_taken(const struct taken *t, const char *id)
{
	for (size_t i = 0; i < t->nids; i++)
		if (!strcmp(t->ids[i], id))
			return 1;
	for (size_t i = 0; i < t->nprefixes; i++) {
		size_t n = strlen(t->prefixes[i]);
		if (strncmp(t->prefixes[i], id, n))
			continue;
		if (!id[n])
			return 1;
		if (id[n] == '-' && id[n + 1] &&
		    strspn(id + n + 1, "0123456789") == strlen(id + n + 1))
			return 1;
	}
	return 0;
}

static void taken_free(struct taken *t)
{
	for (size_t i = 0; i < t->nids; i++)
		free(t->ids[i]);
	for (size_t i = 0; i < t->nprefixes; i++)
		free(t->prefixes[i]);
	free(t->ids);
	free(t->prefixes);
}

/* The label of footnote definition n ("x" for "[^x]: ..."), read from the
 * body since cmark-gfm gives it to no accessor; NULL if not found.  The
 * caller frees it. */
static char *footnote_label(const struct md_doc *doc, cmark_node *n)
{
	const struct page *p = doc->page;
	const char *s, *end = p->body + p->body_len, *eol, *close;
	s = md__line_start(doc, cmark_node_get_start_line(n));
	eol = memchr(s, '\n', (size_t)(end - s));
	if (!eol)
		eol = end;
	while (s + 1 < eol && !(s[0] == '[' && s[1] == '^'))
		s++;
	if (s + 1 >= eol)
		return NULL;
	s += 2;
	close = memchr(s, ']', (size_t)(eol - s));
	return close ? xstrndup(s, (size_t)(close - s)) : NULL;
}

/* The fixed ids of the page: objects, footnotes, template, front matter. */
static void take_fixed(struct taken *t, const struct md_doc *doc,
    cmark_node *root)
{
	const struct page_meta *m = &doc->page->meta;
	for (size_t i = 0; i < doc->nmath; i++)
		if (doc->math[i].id)
			take(t, xasprintf("eq-%s", doc->math[i].id));
	for (size_t i = 0; i < doc->nwitnesses; i++)
		take(t, xasprintf("code-%s", doc->witnesses[i].name));
	for (size_t i = 0; i < sizeof template_ids / sizeof *template_ids; i++)
		take(t, xstrdup(template_ids[i]));
	for (size_t i = 0; i < m->nclaims; i++)
		take(t, xasprintf("claim-%s", m->claims[i].id.s));
	for (size_t i = 0; i < m->nsources; i++)
		take(t, xasprintf("source-%s", m->sources[i].id.s));
	for (size_t i = 0; i < m->nmisconceptions; i++)
		take(t, xasprintf("misconception-%s", m->misconceptions[i].id));
	for (cmark_node *n = cmark_node_first_child(root); n;
	    n = cmark_node_next(n)) {
		char *label;
		if (cmark_node_get_type(n) != CMARK_NODE_FOOTNOTE_DEFINITION ||
		    !(label = footnote_label(doc, n)))
			continue;
		take(t, xasprintf("fn-%s", label));
		take_prefix(t, xasprintf("fnref-%s", label));
		free(label);
	}
}

static void take_into(struct md_doc *doc, char *id)
{
	doc->ids = xrealloc(doc->ids, (doc->nids + 1) * sizeof *doc->ids);
	doc->ids[doc->nids++] = id;
}

/* A free id for heading text: its slug, or slug-2, slug-3, ...; with_h:
 * the id followed by "-h" must be free too.  The caller frees it. */
static char *free_id(const struct taken *t, const char *text, int with_h)
{
	char *slug = md_slug(text), *id, *h;
	/* A slug in a family of ids (fnref-x: fnref-x, fnref-x-2, ...) has
	 * every slug-N taken: such a heading counts from slug-heading. */
	for (size_t i = 0; i < t->nprefixes; i++)
		if (!strcmp(t->prefixes[i], slug)) {
			id = xasprintf("%s-heading", slug);
			free(slug);
			slug = id;
			break;
		}
	id = xstrdup(slug);
	for (int k = 2;; k++) {
		h = xasprintf("%s-h", id);
		int ok = !is_taken(t, id) && !(with_h && is_taken(t, h));
		free(h);
		if (ok)
			break;
		free(id);
		id = xasprintf("%s-%d", slug, k);
	}
	free(slug);
	return id;
}

void md__assign_anchors(struct md_doc *doc, cmark_node *root)
{
	struct md_priv *priv = doc->priv;
	struct taken t = {0};
	size_t cap = 0;

	take_fixed(&t, doc, root);
	for (size_t i = 0; i < doc->nsections; i++) {
		struct md_section *s = &doc->sections[i];
		s->anchor = free_id(&t, s->name, 1);
		take(&t, xstrdup(s->anchor));
		take(&t, xasprintf("%s-h", s->anchor));
	}
	for (cmark_node *n = cmark_node_first_child(root); n;
	    n = cmark_node_next(n)) {
		if (cmark_node_get_type(n) != CMARK_NODE_HEADING ||
		    cmark_node_get_heading_level(n) <= 2)
			continue;
		char *text = md__heading_text(n);
		char *id = free_id(&t, text, 0);
		free(text);
		take(&t, xstrdup(id));
		if (priv->nheading_ids == cap) {
			cap = cap ? 2 * cap : 8;
			priv->heading_ids = xrealloc(priv->heading_ids,
			    cap * sizeof *priv->heading_ids);
		}
		priv->heading_ids[priv->nheading_ids++] = id;
	}
	/* The ids, for links to them (links.c); a footnote's references
	 * are known by their first id. */
	doc->ids = t.ids;
	doc->nids = t.nids;
	t.ids = NULL;
	t.nids = 0;
	for (size_t i = 0; i < t.nprefixes; i++) {
		take_into(doc, t.prefixes[i]);
		t.prefixes[i] = NULL;
	}
	taken_free(&t);
}
