/*
 * context.c -- the JSON contexts the templates render (templates/
 * CONTEXT.md is their documentation; keep the two in step).
 *
 * Divisions: small builders, URLs, the parts of a concept page in the
 * order of the page, the catalogue.  Every string is plain text; only
 * fields named *_html hold markup, built here or by the markdown stage.
 */
#include "context.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small builders */

static json_t *str(const char *s)
{
	return json_string_nocheck(s ? s : "");
}

static void set_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new_nocheck(o, key, str(s));
}

static void set_int(json_t *o, const char *key, long v)
{
	json_object_set_new_nocheck(o, key, json_integer(v));
}

static void set_bool(json_t *o, const char *key, int v)
{
	json_object_set_new_nocheck(o, key, json_boolean(v));
}

static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v);
}

static json_t *str_list(const struct located_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->nitems; i++)
		json_array_append_new(a, str(l->items[i].s));
	return a;
}

/* ---- URLs: relative to the page being rendered */

char *site_root_for(const char *id)
{
	struct buf b = {0};
	if (!id)
		return buf_detach(&b);
	buf_puts(&b, "../");
	for (const char *s = id; *s; s++)
		if (*s == '/')
			buf_puts(&b, "../");
	return buf_detach(&b);
}

char *site_base_path(const char *base_url)
{
	const char *p = strstr(base_url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	if (!p)
		return xstrdup("/");
	size_t n = strcspn(p, "?#");
	while (n && p[n - 1] == '/')
		n--;
	return xasprintf("%.*s/", (int)n, p);
}

static char *page_url(const char *root, const char *id)
{
	return xasprintf("%s%s/", root, id);
}

/* {id, title, url} of another page, or of a missing one by id only. */
static json_t *page_link(const struct site *s, const char *root,
    const char *id)
{
	json_t *o = json_object();
	const struct page *q = site_find_page(s, id);
	char *url = page_url(root, id);
	set_str(o, "id", id);
	set_str(o, "title", q ? q->meta.title : id);
	set_str(o, "url", url);
	free(url);
	return o;
}

/* ---- the parts of a concept page */

static const char *const section_leads[4] = {
	"Start with the picture, metaphor, or geometric mechanism.",
	"Make the objects explicit and connect them with notation.",
	"Mirror the equations with runnable implementation details.",
	"Manipulate the mechanism and watch the idea respond.",
};

static const char *const section_prompts[4] = {
	"Build the mental picture first so the rest of the page has "
	"something to attach to.",
	"Translate the story into symbols, assumptions, and a derivation you "
	"can inspect.",
	"Keep the implementation aligned with the notation so the algorithm "
	"is legible.",
	"Use direct manipulation to connect the explanation to a moving "
	"system.",
};

static int ready_count(const struct md_doc *doc, int *ready)
{
	int n = 0;
	for (int k = 0; k < 4; k++) {
		ready[k] = 0;
		for (size_t i = 0; i < doc->nsections; i++)
			if (doc->sections[i].standard == k &&
			    doc->sections[i].has_content)
				ready[k] = 1;
		n += ready[k];
	}
	return n;
}

static void add_structure(json_t *pg, const struct md_doc *doc)
{
	int ready[4];
	int n = ready_count(doc, ready);
	json_t *a = json_array();
	for (int k = 0; k < 4; k++) {
		json_t *o = json_object();
		char num[16];
		snprintf(num, sizeof num, "%02d", k + 1);
		set_str(o, "number", num);
		set_str(o, "name", md_standard_sections[k]);
		const char *anchor = NULL;
		for (size_t i = 0; i < doc->nsections; i++)
			if (doc->sections[i].standard == k)
				anchor = doc->sections[i].anchor;
		char *slug = anchor ? NULL : md_slug(md_standard_sections[k]);
		set_str(o, "anchor", anchor ? anchor : slug);
		free(slug);
		/* Only a section on the page has an element to link to. */
		set_bool(o, "present", anchor != NULL);
		set_str(o, "lead", section_leads[k]);
		set_bool(o, "ready", ready[k]);
		json_array_append_new(a, o);
	}
	set(pg, "structure", a);
	set_int(pg, "ready_count", n);
	set_int(pg, "section_count", 4);
}

static void add_sections(json_t *pg, const struct md_doc *doc)
{
	json_t *a = json_array();
	for (size_t i = 0; i < doc->nsections; i++) {
		const struct md_section *sec = &doc->sections[i];
		json_t *o = json_object();
		set_str(o, "name", sec->name);
		set_str(o, "name_html", sec->name_html ? sec->name_html
		    : "");
		set_str(o, "anchor", sec->anchor);
		set_bool(o, "standard", sec->standard >= 0);
		if (sec->standard >= 0) {
			char num[16];
			snprintf(num, sizeof num, "%02d", sec->standard + 1);
			set_str(o, "number", num);
			set_str(o, "prompt", section_prompts[sec->standard]);
		}
		set_str(o, "html", sec->html);
		json_array_append_new(a, o);
	}
	set(pg, "sections", a);
	set_str(pg, "intro_html", doc->intro_html);
	set_str(pg, "footnotes_html", doc->footnotes_html);
}

static void add_links(json_t *pg, const struct site *s, const struct page *p,
    const char *root)
{
	const struct page_meta *m = &p->meta;
	json_t *pre = json_array(), *next = json_array(), *rel = json_array();
	for (size_t i = 0; i < m->prerequisites.nitems; i++)
		json_array_append_new(pre, page_link(s, root,
		    m->prerequisites.items[i].s));
	for (size_t i = 0; i < m->next.nitems; i++)
		json_array_append_new(next, page_link(s, root,
		    m->next.items[i].s));
	for (size_t i = 0; i < m->nrelated; i++) {
		const struct page_related *r = &m->related[i];
		json_t *o;
		if (r->page) {
			o = page_link(s, root, r->page);
			set_bool(o, "external", 0);
		} else {
			o = json_object();
			set_str(o, "title", r->title);
			set_str(o, "url", r->url);
			set_bool(o, "external", 1);
		}
		json_array_append_new(rel, o);
	}
	json_t *counts = json_object();
	set_int(counts, "prerequisites", (long)m->prerequisites.nitems);
	set_int(counts, "next", (long)m->next.nitems);
	set_int(counts, "related", (long)m->nrelated);
	set(pg, "counts", counts);
	set(pg, "prerequisites", pre);
	set(pg, "next", next);
	set(pg, "related", rel);
}

static const char *try_line(const struct page *p)
{
	return p->meta.predict ? p->meta.predict
	    : "Manipulate one control and predict the visible change.";
}

static void add_map_and_bridge(json_t *pg, const struct site *s,
    const struct page *p, const struct md_doc *doc)
{
	const struct page_meta *m = &p->meta;
	json_t *map = json_object();
	set(map, "before", json_deep_copy(json_object_get(pg,
	    "prerequisites")));
	set(map, "next", json_deep_copy(json_object_get(pg, "next")));
	json_t *now = json_object();
	int ready[4];
	char *label = xasprintf("%d/4 sections ready", ready_count(doc, ready));
	set_str(now, "title", m->title);
	set_str(now, "ready_label", label);
	free(label);
	set(map, "now", now);
	set_str(map, "try", try_line(p));
	set(pg, "learning_map", map);

	json_t *bridge = json_object();
	if (m->prerequisites.nitems || m->carry_in) {
		json_t *o = json_object();
		const struct page *q = m->prerequisites.nitems ? site_find_page(
		    s, m->prerequisites.items[0].s) : NULL;
		set_str(o, "title", q ? q->meta.title : "Where you start");
		set_str(o, "text", m->carry_in);
		set(bridge, "carry_in", o);
	}
	json_t *here = json_object();
	set_str(here, "title", m->title);
	set_str(here, "text", m->work_here ? m->work_here : m->summary);
	set(bridge, "work_here", here);
	if (m->next.nitems || m->carry_out) {
		json_t *o = json_object();
		const struct page *q = m->next.nitems ? site_find_page(s,
		    m->next.items[0].s) : NULL;
		set_str(o, "title", q ? q->meta.title : "Where this leads");
		set_str(o, "text", m->carry_out);
		set(bridge, "carry_out", o);
	}
	set_str(bridge, "test", try_line(p));
	/* After the test, the way on: the first next page, as the learning
	 * map links it. */
	json_t *next = json_array_get(json_object_get(pg, "next"), 0);
	if (next)
		set(bridge, "continue_to", json_deep_copy(next));
	set(pg, "bridge", bridge);
}

static void add_objects(json_t *pg, const struct md_doc *doc)
{
	json_t *w = json_array(), *e = json_array();
	static const char *const status[] = {"unrun", "passed", "failed"};
	for (size_t i = 0; i < doc->nwitnesses; i++) {
		const struct md_witness *x = &doc->witnesses[i];
		json_t *o = json_object();
		char *anchor = xasprintf("code-%s", x->name);
		set_str(o, "name", x->name);
		set_str(o, "anchor", anchor);
		set_str(o, "status", status[x->status]);
		json_object_set_new_nocheck(o, "ms", json_real(
		    round(x->ms * 10) / 10));
		set_bool(o, "cached", x->cached);
		set_str(o, "hash", x->hash);
		free(anchor);
		json_array_append_new(w, o);
	}
	for (size_t i = 0; i < doc->nmath; i++) {
		if (!doc->math[i].id)
			continue;
		json_t *o = json_object();
		char *anchor = xasprintf("eq-%s", doc->math[i].id);
		set_str(o, "name", doc->math[i].id);
		set_str(o, "anchor", anchor);
		free(anchor);
		json_array_append_new(e, o);
	}
	set(pg, "witnesses", w);
	set(pg, "equations", e);
}

static void add_sources(json_t *pg, const struct site *s, const struct page *p,
    const char *root)
{
	json_t *a = json_array();
	int all_snap = p->meta.nsources > 0;
	for (size_t i = 0; i < p->meta.nsources; i++) {
		const struct page_source_use *u = &p->meta.sources[i];
		const struct source *src = site_find_source(s, u->id.s);
		json_t *o = json_object();
		set_str(o, "id", u->id.s);
		set_str(o, "grounds", u->grounds);
		char *purl = xasprintf("%ssources/%s/", root, u->id.s);
		set_str(o, "page_url", purl);
		free(purl);
		if (src) {
			char *authors = source_authors_short(src);
			set_str(o, "kind", src->kind);
			set_int(o, "year", src->year);
			set_str(o, "title", src->title);
			set_str(o, "authors", authors);
			free(authors);
			if (src->url)
				set_str(o, "url", src->url);
			else if (src->doi) {
				char *u2 = xasprintf("https://doi.org/%s",
				    src->doi);
				set_str(o, "url", u2);
				free(u2);
			}
		}
		set_bool(o, "snapshot", src && src->snapshot);
		all_snap &= src && src->snapshot;
		json_array_append_new(a, o);
	}
	set(pg, "sources", a);
	set_int(pg, "source_count", (long)p->meta.nsources);
	set_bool(pg, "snapshot_ready", all_snap);
}

/* How a review level reads on a badge (and in JSON-LD's reviewRating). */
static const char *const badge_names[] = {"Substantively reviewed",
	"Source checked", "Metadata only"};
static const char *const badge_classes[] = {"substantive", "source-checked",
	"metadata"};

static json_t *claim_item(const struct site *s, const struct page *p,
    size_t index, const char *root, int *substantive)
{
	const struct page_claim *c = &p->meta.claims[index];
	struct check_claim cc;
	check_claim_status(p, index, &cc);
	const char *pin = cc.pin;
	json_t *o = json_object();
	char *anchor = xasprintf("claim-%s", c->id.s);
	set_str(o, "id", c->id.s);
	set_str(o, "anchor", anchor);
	free(anchor);
	set_str(o, "text", c->text.s);
	set_str(o, "scope", c->scope);
	set_str(o, "pin", pin);
	const struct page_review *r = cc.review;
	int stale = cc.state == CLAIM_STALE;
	if (!r) {
		set_str(o, "badge", "Unreviewed");
		set_str(o, "badge_class", "unreviewed");
	} else if (stale) {
		set_str(o, "badge", "Stale review");
		set_str(o, "badge_class", "stale");
	} else {
		set_str(o, "badge", badge_names[r->level]);
		set_str(o, "badge_class", badge_classes[r->level]);
		*substantive += r->level == REVIEW_SUBSTANTIVE;
	}
	set_bool(o, "stale", stale);
	if (r) {
		json_t *rv = json_object();
		set_str(rv, "level", review_level_name(r->level));
		set_str(rv, "summary", r->summary);
		set_str(rv, "reviewer", r->reviewer);
		set_str(rv, "date", r->date);
		set(o, "review", rv);
	}
	json_t *srcs = json_array();
	for (size_t k = 0; k < c->sources.nitems; k++) {
		const struct source *src = site_find_source(s,
		    c->sources.items[k].s);
		json_t *so = json_object();
		char *purl = xasprintf("%ssources/%s/", root,
		    c->sources.items[k].s);
		set_str(so, "id", c->sources.items[k].s);
		set_str(so, "title", src ? src->title : c->sources.items[k].s);
		set_str(so, "page_url", purl);
		free(purl);
		json_array_append_new(srcs, so);
	}
	set(o, "sources", srcs);
	json_t *wits = json_array();
	for (size_t k = 0; k < c->witnesses.nitems; k++) {
		const char *w = c->witnesses.items[k].s;
		const char *colon = strchr(w, ':');
		json_t *wo = json_object();
		/* The ids the page gives its objects: the markdown stage
		 * sets eq-NAME and code-NAME; a page has one demo, the
		 * panel live-demo (the check made sure NAME is its id). */
		char *url = str_starts(w, "demo:") ? xstrdup("#live-demo")
		    : xasprintf("#%.*s-%s", (int)(colon - w), w, colon + 1);
		set_str(wo, "id", w);
		set_str(wo, "url", url);
		free(url);
		json_array_append_new(wits, wo);
	}
	set(o, "witnesses", wits);
	return o;
}

static void add_claims(json_t *pg, const struct site *s, const struct page *p,
    const char *root)
{
	const struct page_meta *m = &p->meta;
	json_t *claims = json_object(), *items = json_array();
	int substantive = 0;
	size_t witnesses = 0;
	for (size_t i = 0; i < m->nclaims; i++) {
		json_array_append_new(items, claim_item(s, p, i, root,
		    &substantive));
		witnesses += m->claims[i].witnesses.nitems;
	}
	char *status = substantive == 1
	    ? xstrdup("1 substantive review recorded")
	    : xasprintf("%d substantive reviews recorded", substantive);
	set_str(claims, "status_line", status);
	free(status);
	set_str(claims, "note", "Claims without a substantive review badge "
	    "still need a review of their exact source support.");
	set_int(claims, "source_count", (long)m->nsources);
	set_int(claims, "witness_count", (long)witnesses);
	set(claims, "items", items);
	set(pg, "claims", claims);
}

static void add_practice(json_t *pg, const struct page *p)
{
	const struct page_meta *m = &p->meta;
	if (m->predict || m->hints.nitems) {
		json_t *o = json_object(), *hints = json_array();
		set_str(o, "predict", m->predict);
		for (size_t i = 0; i < m->hints.nitems; i++) {
			json_t *h = json_object();
			set_int(h, "number", (long)i + 1);
			set_str(h, "text", m->hints.items[i].s);
			json_array_append_new(hints, h);
		}
		set(o, "hints", hints);
		set_int(o, "hint_count", (long)m->hints.nitems);
		set(pg, "practice", o);
	}
	json_t *mis = json_array();
	for (size_t i = 0; i < m->nmisconceptions; i++) {
		json_t *o = json_object();
		set_str(o, "id", m->misconceptions[i].id);
		set_str(o, "text", m->misconceptions[i].text);
		set_str(o, "correction", m->misconceptions[i].correction);
		json_array_append_new(mis, o);
	}
	set(pg, "misconceptions", mis);
}

/* Whether page m's demo has controls a reader can move (the practice
 * loop's readiness counts a moved control only then). */
static int demo_has_controls(const struct page_meta *m)
{
	if (!m->demo_json)
		return 0;
	json_t *demo = json_loads(m->demo_json, 0, NULL);
	int r = json_array_size(json_object_get(demo, "controls")) > 0;
	json_decref(demo);
	return r;
}

/* ---- the research room: its objects and the hand-off */

/* Appends s to b as one line: each run of white space becomes one space,
 * none is left at either end (a title or a formula inside the hand-off's
 * first line, which the page's script swaps as a whole). */
static void put_oneline(struct buf *b, const char *s)
{
	int space = 0, any = 0;
	for (; *s; s++) {
		if (strchr(" \t\n\r\f\v", *s)) {
			space = any;
			continue;
		}
		if (space)
			buf_putc(b, ' ');
		buf_putc(b, *s);
		space = 0;
		any = 1;
	}
}

/* The hand-off's first line, naming one object of page p by its kind
 * ("concept", "equation", ...), key and title.  Any key but the concept's
 * is local to the page (eq:NAME), so the line names the page too.  The
 * caller frees. */
static char *object_line(const struct site *s, const struct page *p,
    const char *kind, const char *key, const char *title)
{
	struct buf b = {0};
	buf_printf(&b, "I am reading %s. Object: %s \"", s->config->title,
	    kind);
	put_oneline(&b, title);
	buf_printf(&b, "\" (key %s", key);
	if (strcmp(kind, "concept") != 0)
		buf_printf(&b, " on concept:%s", p->id);
	buf_printf(&b, ", domain %s).", p->meta.domain);
	return buf_detach(&b);
}

/* The text a reader copies to hand the question to a tutor or an
 * assistant, grounded in the page's own objects: line (object_line's)
 * and then the question, sources, evidence and test of an answer, which
 * are the same whatever the object.  The caller frees. */
static char *handoff_text(const struct page *p, const char *line)
{
	const struct page_meta *m = &p->meta;
	struct buf b = {0};
	buf_printf(&b, "%s\n", line);
	buf_printf(&b, "Question: %s\n", m->question);
	if (m->nsources) {
		buf_puts(&b, "Sources: ");
		for (size_t i = 0; i < m->nsources; i++)
			buf_printf(&b, "%s%s", i ? ", " : "",
			    m->sources[i].id.s);
		buf_putc(&b, '\n');
	}
	if (m->evidence.nitems) {
		buf_puts(&b, "Evidence to inspect:\n");
		for (size_t i = 0; i < m->evidence.nitems; i++)
			buf_printf(&b, "- %s\n", m->evidence.items[i].s);
	}
	if (m->resolves.nitems) {
		buf_puts(&b, "What would resolve it:\n");
		for (size_t i = 0; i < m->resolves.nitems; i++)
			buf_printf(&b, "- %s\n", m->resolves.items[i].s);
	}
	buf_puts(&b, "Please answer from the sources, keep what they verify "
	    "apart from what you assume, name the equations or code you "
	    "rely on, and end with one concrete next step.");
	return buf_detach(&b);
}

/* Appends to group's items one object the question can be anchored on:
 * {kind, key ("PREFIX:NAME"), title (on one line), anchor (its id on the
 * page), line (the hand-off's first line for it)}. */
static void add_object(json_t *group, const struct site *s,
    const struct page *p, const char *kind, const char *prefix,
    const char *name, const char *title, const char *anchor)
{
	json_t *o = json_object();
	struct buf one = {0};
	put_oneline(&one, title);
	char *key = xasprintf("%s:%s", prefix, name);
	char *oneline = buf_detach(&one);
	char *line = object_line(s, p, kind, key, oneline);
	set_str(o, "kind", kind);
	set_str(o, "key", key);
	set_str(o, "title", oneline);
	set_str(o, "anchor", anchor);
	set_str(o, "line", line);
	free(line);
	free(oneline);
	free(key);
	json_array_append_new(json_object_get(group, "items"), o);
}

/* A new group of objects, {label, items: []}. */
static json_t *object_group(const char *label)
{
	json_t *g = json_object();
	set_str(g, "label", label);
	set(g, "items", json_array());
	return g;
}

/* Appends group to groups when it holds an object, else drops it. */
static void keep_group(json_t *groups, json_t *group)
{
	if (json_array_size(json_object_get(group, "items")))
		json_array_append_new(groups, group);
	else
		json_decref(group);
}

/* Every object of the page a question can be anchored on, grouped by
 * kind in the order of the page's panels: the concept, its equations with
 * ids, code witnesses, claims, sources, misconceptions and demo. */
static json_t *research_objects(const struct site *s, const struct page *p,
    const struct md_doc *doc)
{
	const struct page_meta *m = &p->meta;
	json_t *groups = json_array(), *g;
	char *anchor;

	g = object_group("Concept");
	add_object(g, s, p, "concept", "concept", p->id, m->title,
	    "object-key");
	keep_group(groups, g);

	g = object_group("Equations");
	for (size_t i = 0; i < doc->nmath; i++) {
		if (!doc->math[i].id)
			continue;
		anchor = xasprintf("eq-%s", doc->math[i].id);
		add_object(g, s, p, "equation", "eq", doc->math[i].id,
		    doc->math[i].tex, anchor);
		free(anchor);
	}
	keep_group(groups, g);

	g = object_group("Code witnesses");
	for (size_t i = 0; i < doc->nwitnesses; i++) {
		const struct md_witness *w = &doc->witnesses[i];
		char *title = xasprintf("C program %s with its checked output",
		    w->name);
		anchor = xasprintf("code-%s", w->name);
		add_object(g, s, p, "code witness", "code", w->name, title,
		    anchor);
		free(anchor);
		free(title);
	}
	keep_group(groups, g);

	g = object_group("Claims");
	for (size_t i = 0; i < m->nclaims; i++) {
		anchor = xasprintf("claim-%s", m->claims[i].id.s);
		add_object(g, s, p, "claim", "claim", m->claims[i].id.s,
		    m->claims[i].text.s, anchor);
		free(anchor);
	}
	keep_group(groups, g);

	g = object_group("Sources");
	for (size_t i = 0; i < m->nsources; i++) {
		const char *id = m->sources[i].id.s;
		const struct source *src = site_find_source(s, id);
		char *authors = src ? source_authors_short(src) : NULL;
		char *title = !src ? xstrdup(id) : src->year ? xasprintf(
		    "%s (%s, %d)", src->title, authors, src->year)
		    : xasprintf("%s (%s)", src->title, authors);
		anchor = xasprintf("source-%s", id);
		add_object(g, s, p, "source", "source", id, title, anchor);
		free(anchor);
		free(title);
		free(authors);
	}
	keep_group(groups, g);

	g = object_group("Misconceptions");
	for (size_t i = 0; i < m->nmisconceptions; i++) {
		anchor = xasprintf("misconception-%s", m->misconceptions[i].id);
		add_object(g, s, p, "misconception", "misconception",
		    m->misconceptions[i].id, m->misconceptions[i].text, anchor);
		free(anchor);
	}
	keep_group(groups, g);

	char *demo = site_page_demo_id(p);
	g = object_group("Demo");
	if (demo) {
		char *title = xasprintf("live demo %s", demo);
		add_object(g, s, p, "demo", "demo", demo, title, "live-demo");
		free(title);
	}
	keep_group(groups, g);
	free(demo);
	return groups;
}

static void add_research(json_t *pg, const struct site *s,
    const struct page *p, const struct md_doc *doc)
{
	const struct page_meta *m = &p->meta;
	if (!m->question)
		return;
	json_t *o = json_object();
	set_str(o, "question", m->question);
	set(o, "evidence", str_list(&m->evidence));
	set(o, "resolves", str_list(&m->resolves));
	char *key = xasprintf("concept:%s", p->id);
	char *line = object_line(s, p, "concept", key, m->title);
	char *h = handoff_text(p, line);
	set_str(o, "handoff", h);
	free(h);
	free(line);
	free(key);
	set(o, "object_groups", research_objects(s, p, doc));
	set(pg, "research", o);
}

/* Reading time: 200 words a minute, formulas and code counted as a few
 * words each, at least one minute. */
static long read_minutes(const struct md_doc *doc)
{
	size_t words = doc->words + 8 * doc->nmath + 60 * doc->nwitnesses;
	long m = (long)((words + 199) / 200);
	return m < 1 ? 1 : m;
}

json_t *site_context_page(const struct site *s, size_t index,
    const char *root)
{
	const struct page *p = s->pages[index];
	const struct md_doc *doc = s->docs[index];
	const struct page_meta *m = &p->meta;
	json_t *pg = json_object();
	char *key = xasprintf("concept:%s", p->id);
	char *url = page_url(root, p->id);
	set_str(pg, "id", p->id);
	set_str(pg, "key", key);
	set_str(pg, "url", url);
	free(key);
	free(url);
	set_str(pg, "title", m->title);
	set_str(pg, "domain", m->domain);
	set_str(pg, "summary", m->summary);
	set_str(pg, "status", page_status_name(m->status));
	set_str(pg, "importance", page_importance_name(m->importance));
	set_int(pg, "difficulty", m->difficulty);
	set_str(pg, "math", m->math == MATH_HIGH_SCHOOL ? "high school"
	    : page_math_name(m->math));
	set_int(pg, "read_minutes", read_minutes(doc));
	set_bool(pg, "has_demo", m->demo_json != NULL);
	set_bool(pg, "demo_has_controls", demo_has_controls(m));
	if (m->hero_image) {
		json_t *h = json_object();
		const char *slash = strrchr(p->id, '/');
		char *img = slash ? xasprintf("%s%.*s/%s", root,
		    (int)(slash - p->id), p->id, m->hero_image)
				  : xasprintf("%s%s", root, m->hero_image);
		set_str(h, "image", img);
		set_str(h, "alt", m->hero_alt ? m->hero_alt : "");
		free(img);
		set(pg, "hero", h);
	}
	add_structure(pg, doc);
	add_links(pg, s, p, root);
	add_map_and_bridge(pg, s, p, doc);
	add_sections(pg, doc);
	add_objects(pg, doc);
	add_sources(pg, s, p, root);
	add_claims(pg, s, p, root);
	add_practice(pg, p);
	add_research(pg, s, p, doc);
	if (m->demo_json) {
		json_t *demo = json_object();
		set_str(demo, "config_json", m->demo_json);
		set(pg, "demo", demo);
	}
	return pg;
}

json_t *site_context_base(const struct site *s, const char *root,
    const char *title, const char *path)
{
	json_t *ctx = json_object(), *site = json_object(), *build =
	    json_object();
	set_str(site, "title", s->config->title);
	set_str(site, "base_url", s->config->base_url);
	set_str(site, "description", s->config->description);
	set(ctx, "site", site);
	set_str(ctx, "root", root);
	set_str(ctx, "page_title", title);
	if (path && *s->config->base_url) {
		char *c = xasprintf("%s/%s", s->config->base_url, path);
		set_str(ctx, "canonical", c);
		free(c);
	}
	if (*s->config->base_url) {
		/* feed.xml exists only with base_url (feed.c says why). */
		char *feed = xasprintf("%sfeed.xml", root);
		set_str(ctx, "feed_url", feed);
		free(feed);
	}
	set_str(build, "version", FOLIO_VERSION);
	set(ctx, "build", build);
	return ctx;
}

static int cmp_title(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a;
	const struct page *y = *(struct page *const *)b;
	int c = strcmp(x->meta.domain, y->meta.domain);
	return c ? c : strcmp(x->meta.title, y->meta.title);
}

json_t *site_context_index(const struct site *s, const char *root)
{
	struct page **sorted = xcalloc(s->npages + 1, sizeof *sorted);
	memcpy(sorted, s->pages, s->npages * sizeof *sorted);
	qsort(sorted, s->npages, sizeof *sorted, cmp_title);
	json_t *domains = json_array(), *cur = NULL, *pages = NULL;
	const char *last = NULL;
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = sorted[i];
		if (!last || strcmp(last, p->meta.domain)) {
			cur = json_object();
			pages = json_array();
			char *anchor = md_slug(p->meta.domain);
			set_str(cur, "name", p->meta.domain);
			set_str(cur, "anchor", anchor);
			free(anchor);
			set(cur, "pages", pages);
			json_array_append_new(domains, cur);
			last = p->meta.domain;
		}
		json_t *o = json_object();
		char *url = page_url(root, p->id);
		set_str(o, "id", p->id);
		set_str(o, "title", p->meta.title);
		set_str(o, "summary", p->meta.summary);
		set_str(o, "url", url);
		free(url);
		set_str(o, "status", page_status_name(p->meta.status));
		set_int(o, "difficulty", p->meta.difficulty);
		set_str(o, "math", page_math_name(p->meta.math));
		set_str(o, "importance",
		    page_importance_name(p->meta.importance));
		json_array_append_new(pages, o);
	}
	free(sorted);
	json_t *ctx = json_object();
	set(ctx, "domains", domains);
	set_int(ctx, "page_count", (long)s->npages);
	set_int(ctx, "domain_count", (long)json_array_size(domains));
	return ctx;
}

/* ---- JSON-LD */

char *site_json_inert(const json_t *v, size_t flags)
{
	char *raw = json_dumps(v, flags);
	struct buf b = {0};
	for (const char *p = raw; *p; p++) {
		if (*p == '<')
			buf_puts(&b, "\\u003c");
		else if (*p == '>')
			buf_puts(&b, "\\u003e");
		else if (*p == '&')
			buf_puts(&b, "\\u0026");
		else
			buf_putc(&b, *p);
	}
	free(raw);
	return buf_detach(&b);
}

void site_context_add_jsonld(const struct site *s, size_t index,
    json_t *ctx)
{
	const struct page *p = s->pages[index];
	const char *base = s->config->base_url;
	char *url = xasprintf("%s/%s/", base, p->id);
	json_t *graph = json_array();
	json_t *article = json_object();
	set_str(article, "@type", "LearningResource");
	set_str(article, "name", p->meta.title);
	set_str(article, "description", p->meta.summary);
	set_str(article, "about", p->meta.domain);
	set_str(article, "url", url);
	json_array_append_new(graph, article);
	for (size_t i = 0; i < p->meta.nclaims; i++) {
		const struct page_claim *c = &p->meta.claims[i];
		struct check_claim cc;
		check_claim_status(p, i, &cc);
		const struct page_review *r = cc.review;
		if (cc.state != CLAIM_REVIEWED)
			continue;  /* only current reviews are published */
		json_t *cr = json_object(), *rating = json_object(),
		    *author = json_object();
		char *curl = xasprintf("%s#claim-%s", url, c->id.s);
		set_str(cr, "@type", "ClaimReview");
		set_str(cr, "claimReviewed", c->text.s);
		set_str(cr, "url", curl);
		set_str(cr, "datePublished", r->date);
		set_str(author, "@type", "Person");
		set_str(author, "name", r->reviewer);
		set(cr, "author", author);
		set_str(rating, "@type", "Rating");
		set_str(rating, "alternateName", badge_names[r->level]);
		set(cr, "reviewRating", rating);
		set_str(cr, "reviewBody", r->summary);
		free(curl);
		json_array_append_new(graph, cr);
	}
	json_t *doc = json_object();
	set_str(doc, "@context", "https://schema.org");
	set(doc, "@graph", graph);
	char *js = site_json_inert(doc, JSON_COMPACT | JSON_ESCAPE_SLASH);
	char *html = xasprintf("<script type=\"application/ld+json\">%s"
	    "</script>", js);
	set_str(ctx, "jsonld_html", html);
	free(html);
	free(js);
	json_decref(doc);
	free(url);
}
