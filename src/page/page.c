/*
 * page.c -- a concept page: the front matter split from the body, and the
 * front matter read into struct page_meta with every authoring rule of
 * DESIGN.md checked and located.
 *
 * Divisions: names of enumerations, splitting the file, the readers of each
 * part of the front matter (in the order of the authoring guide), loading
 * and freeing.
 */
#include "page.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "yamlwalk.h"

/* ---- names of enumerations */

static const char *const status_names[] = {"draft", "review", "published",
	NULL};
static const char *const importance_names[] = {"core", "important",
	"supplementary", NULL};
static const char *const math_names[] = {"none", "high-school",
	"undergraduate", "graduate", NULL};
static const char *const level_names[] = {"substantive", "source-checked",
	"metadata", NULL};

const char *page_status_name(enum page_status s)
{
	return status_names[s];
}

const char *page_importance_name(enum page_importance i)
{
	return i == IMPORTANCE_UNSET ? NULL : importance_names[i - 1];
}

const char *page_math_name(enum page_math m)
{
	return math_names[m];
}

const char *review_level_name(enum review_level l)
{
	return level_names[l];
}

/* ---- splitting the file */

/* Length of the line at s (without its line ending), and in *next the
 * start of the following line. */
static size_t line_len(const char *s, const char *end, const char **next)
{
	const char *e = memchr(s, '\n', (size_t)(end - s));
	if (!e) {
		*next = end;
		e = end;
	} else {
		*next = e + 1;
	}
	if (e > s && e[-1] == '\r')
		e--;
	return (size_t)(e - s);
}

/* A front matter delimiter line: exactly `---` (or `...` to close),
 * trailing blanks allowed. */
static int is_delim(const char *s, size_t n, int closing)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == 3 && (!memcmp(s, "---", 3) ||
	    (closing && !memcmp(s, "...", 3)));
}

/* Finds the front matter in text.  On success sets *yaml, *yaml_len, the
 * body, and the body's first line number; returns 0.  Otherwise reports
 * the error and returns -1. */
static int split(const char *path, const char *text, size_t len,
    const char **yaml, size_t *yaml_len, const char **body, int *body_line,
    struct diags *d)
{
	const char *end = text + len, *next;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		text += 3;
	size_t n = line_len(text, end, &next);
	if (!is_delim(text, n, 0)) {
		diags_add(d, DIAG_ERROR, path, 1, 1, "page",
		    "missing front matter: a page starts with a `---` line");
		return -1;
	}
	*yaml = next;
	int line = 2;
	for (const char *s = next; s < end; s = next, line++) {
		n = line_len(s, end, &next);
		if (is_delim(s, n, 1)) {
			*yaml_len = (size_t)(s - *yaml);
			*body = next;
			*body_line = line + 1;
			return 0;
		}
	}
	diags_add(d, DIAG_ERROR, path, 1, 1, "page",
	    "front matter is not closed: add a `---` line after it");
	return -1;
}

/* ---- readers of the front matter parts */

int page_id_valid(const char *s)
{
	int part = 0, parts = 0;
	for (; *s; s++) {
		if (*s == '/') {
			if (!part)
				return 0;
			part = 0;
			continue;
		}
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    (*s == '-' && part)))
			return 0;
		if (!part++)
			parts++;
	}
	return part > 0 && parts >= 1;
}

static void read_page_ids(struct yw *w, yaml_node_t *n, const char *key,
    struct located_list *out)
{
	if (yw_string_list(w, n, key, out) != 0)
		return;
	for (size_t i = 0; i < out->nitems; i++) {
		struct located *l = &out->items[i];
		if (!page_id_valid(l->s))
			diags_add(w->d, DIAG_ERROR, w->path, l->line, l->col,
			    "page", "`%s` is not a page id (like "
			    "`domain/concept`)", l->s);
		if (!page_id_valid(l->s))
			w->errors++;
	}
}

static void read_hero(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"image", "alt", NULL};
	if (!n || yw_check_map(w, n, "hero", keys) != 0)
		return;
	m->hero_line = yw_line(w, n);
	m->hero_col = yw_col(w, n);
	yw_string(w, yw_get(w, n, "image"), "image", &m->hero_image);
	yw_string(w, yw_get(w, n, "alt"), "alt", &m->hero_alt);
	if (m->hero_image && (!m->hero_alt || !*m->hero_alt))
		yw_warning(w, n, "hero image `%s` has no alt text",
		    m->hero_image);
	if (!m->hero_image && m->hero_alt)
		yw_error(w, n, "hero has alt text but no `image`");
}

static void read_related(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"title", "url", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`related` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	m->related = xcalloc(count, sizeof *m->related);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		struct page_related *r = &m->related[m->nrelated++];
		r->line = yw_line(w, it);
		r->col = yw_col(w, it);
		if (yw_is_scalar(it)) {
			yw_string(w, it, "related", &r->page);
			if (r->page && !page_id_valid(r->page))
				yw_error(w, it, "`%s` is not a page id; an "
				    "external link is {title: ..., url: ...}",
				    r->page);
			continue;
		}
		if (yw_check_map(w, it, "related link", keys) != 0)
			continue;
		yw_string(w, yw_require(w, it, "title", "related link"),
		    "title", &r->title);
		yaml_node_t *u = yw_require(w, it, "url", "related link");
		if (yw_string(w, u, "url", &r->url) == 0 && r->url &&
		    !yw_valid_url(r->url))
			yw_error(w, u, "`%s` is not an http(s) URL", r->url);
	}
}

static void read_bridge(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"carry_in", "work_here",
		"carry_out", NULL};
	if (!n || yw_check_map(w, n, "bridge", keys) != 0)
		return;
	yw_string(w, yw_get(w, n, "carry_in"), "carry_in", &m->carry_in);
	yw_string(w, yw_get(w, n, "work_here"), "work_here", &m->work_here);
	yw_string(w, yw_get(w, n, "carry_out"), "carry_out", &m->carry_out);
}

static void read_sources(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"id", "grounds", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`sources` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	m->sources = xcalloc(count, sizeof *m->sources);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		if (yw_check_map(w, it, "source entry", keys) != 0)
			continue;
		struct page_source_use *s = &m->sources[m->nsources];
		if (yw_located(w, yw_require(w, it, "id", "source entry"),
		    "id", &s->id) != 0 || !s->id.s)
			continue;
		yw_string(w, yw_get(w, it, "grounds"), "grounds", &s->grounds);
		m->nsources++;
	}
}

static void read_support(struct yw *w, yaml_node_t *n, struct page_claim *c)
{
	static const char *const keys[] = {"source", "quote", "locator", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`support` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	c->support = xcalloc(count, sizeof *c->support);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		if (yw_check_map(w, it, "support entry", keys) != 0)
			continue;
		struct page_support *s = &c->support[c->nsupport];
		int bad = yw_located(w, yw_require(w, it, "source",
		    "support entry"), "source", &s->source);
		bad |= yw_located(w, yw_require(w, it, "quote",
		    "support entry"), "quote", &s->quote);
		yw_string(w, yw_get(w, it, "locator"), "locator", &s->locator);
		if (bad || !s->source.s || !s->quote.s) {
			free(s->source.s);
			free(s->quote.s);
			free(s->locator);
			memset(s, 0, sizeof *s);
			continue;
		}
		c->nsupport++;
	}
}

static void read_claims(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"id", "text", "sources",
		"witnesses", "scope", "support", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`claims` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	m->claims = xcalloc(count, sizeof *m->claims);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		if (yw_check_map(w, it, "claim", keys) != 0)
			continue;
		struct page_claim *c = &m->claims[m->nclaims];
		yw_located(w, yw_require(w, it, "id", "claim"), "id", &c->id);
		yw_located(w, yw_require(w, it, "text", "claim"), "text",
		    &c->text);
		yw_string_list(w, yw_get(w, it, "sources"), "sources",
		    &c->sources);
		yw_string_list(w, yw_get(w, it, "witnesses"), "witnesses",
		    &c->witnesses);
		for (size_t j = 0; j < c->witnesses.nitems; j++) {
			struct located *l = &c->witnesses.items[j];
			if (str_starts(l->s, "eq:") ||
			    str_starts(l->s, "code:") ||
			    str_starts(l->s, "demo:"))
				continue;
			diags_add(w->d, DIAG_ERROR, w->path, l->line, l->col,
			    "page", "witness `%s` must be `eq:NAME`, "
			    "`code:NAME` or `demo:NAME`", l->s);
			w->errors++;
		}
		yw_string(w, yw_get(w, it, "scope"), "scope", &c->scope);
		read_support(w, yw_get(w, it, "support"), c);
		if (!c->id.s || !c->text.s) {
			/* Already reported; keep the struct consistent. */
			free(c->id.s);
			free(c->text.s);
			c->id.s = c->text.s = NULL;
		}
		m->nclaims++;
	}
}

/* YYYY-MM-DD with a real month and day. */
static int valid_date(const char *s)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	int month = atoi(s + 5), day = atoi(s + 8);
	return month >= 1 && month <= 12 && day >= 1 &&
	    day <= days[month - 1];
}

static void read_reviews(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"claim", "level", "reviewer",
		"date", "summary", "pin", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`reviews` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	m->reviews = xcalloc(count, sizeof *m->reviews);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		if (yw_check_map(w, it, "review", keys) != 0)
			continue;
		struct page_review *r = &m->reviews[m->nreviews];
		r->line = yw_line(w, it);
		r->col = yw_col(w, it);
		int level = 0;
		int bad = yw_located(w, yw_require(w, it, "claim", "review"),
		    "claim", &r->claim);
		bad |= yw_enum(w, yw_require(w, it, "level", "review"),
		    "level", level_names, &level);
		r->level = (enum review_level)level;
		bad |= yw_string(w, yw_require(w, it, "reviewer", "review"),
		    "reviewer", &r->reviewer);
		yaml_node_t *dn = yw_require(w, it, "date", "review");
		if (yw_string(w, dn, "date", &r->date) == 0 && r->date &&
		    !valid_date(r->date)) {
			yw_error(w, dn, "`date` must be a date like "
			    "2026-05-08, not `%s`", r->date);
			bad = -1;
		}
		bad |= yw_string(w, yw_require(w, it, "summary", "review"),
		    "summary", &r->summary);
		yaml_node_t *pn = yw_require(w, it, "pin", "review");
		if (yw_located(w, pn, "pin", &r->pin) == 0 && r->pin.s) {
			size_t len = strlen(r->pin.s);
			size_t hex = strspn(r->pin.s, "0123456789abcdef");
			if (len != 12 || hex != 12) {
				yw_error(w, pn, "`pin` must be 12 lowercase "
				    "hex digits (`folio pin ID#CLAIM` prints "
				    "it)");
				bad = -1;
			}
		}
		(void)bad;
		m->nreviews++;
	}
}

/* A misconception's id names it on the page (the HTML id
 * misconception-ID, the research room's key misconception:ID), so it is
 * a name like an equation's and not used twice on a page. */
static void check_misconception_id(struct yw *w, yaml_node_t *idn,
    const struct page_meta *m, const struct page_misconception *mc)
{
	if (!idn || !mc->id)
		return;
	int ok = mc->id[0] != '\0';
	for (const char *c = mc->id; *c; c++)
		ok &= isalnum((unsigned char)*c) || strchr("-_.", *c) != NULL;
	if (!ok) {
		yw_error(w, idn, "misconception id `%s` must be letters, "
		    "digits, '-', '_' or '.'", mc->id);
		return;
	}
	for (const struct page_misconception *e = m->misconceptions; e < mc;
	    e++)
		if (e->id && !strcmp(e->id, mc->id)) {
			yw_error(w, idn, "misconception id `%s` is used twice "
			    "(first at line %d)", mc->id, e->line);
			return;
		}
}

static void read_misconceptions(struct yw *w, yaml_node_t *n,
    struct page_meta *m)
{
	static const char *const keys[] = {"id", "text", "correction", NULL};
	if (!n)
		return;
	if (!yw_is_seq(n)) {
		yw_error(w, n, "`misconceptions` must be a list");
		return;
	}
	size_t count = yw_seq_len(w, n);
	m->misconceptions = xcalloc(count, sizeof *m->misconceptions);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *it = yw_seq_item(w, n, i);
		if (yw_check_map(w, it, "misconception", keys) != 0)
			continue;
		struct page_misconception *mc =
		    &m->misconceptions[m->nmisconceptions++];
		mc->line = yw_line(w, it);
		mc->col = yw_col(w, it);
		yaml_node_t *idn = yw_require(w, it, "id", "misconception");
		yw_string(w, idn, "id", &mc->id);
		check_misconception_id(w, idn, m, mc);
		yw_string(w, yw_require(w, it, "text", "misconception"),
		    "text", &mc->text);
		yw_string(w, yw_require(w, it, "correction", "misconception"),
		    "correction", &mc->correction);
	}
}

static void read_practice(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"predict", "hints", NULL};
	if (!n || yw_check_map(w, n, "practice", keys) != 0)
		return;
	yw_string(w, yw_get(w, n, "predict"), "predict", &m->predict);
	yw_string_list(w, yw_get(w, n, "hints"), "hints", &m->hints);
}

static void read_research(struct yw *w, yaml_node_t *n, struct page_meta *m)
{
	static const char *const keys[] = {"question", "evidence", "resolves",
		NULL};
	if (!n || yw_check_map(w, n, "research", keys) != 0)
		return;
	yw_string(w, yw_get(w, n, "question"), "question", &m->question);
	yw_string_list(w, yw_get(w, n, "evidence"), "evidence", &m->evidence);
	yw_string_list(w, yw_get(w, n, "resolves"), "resolves", &m->resolves);
}

static const char *const front_keys[] = {"title", "domain", "summary",
	"status", "importance", "difficulty", "math", "hero", "prerequisites",
	"next", "related", "bridge", "sources", "claims", "reviews",
	"misconceptions", "practice", "research", "demo", NULL};

/* Reads the whole front matter; returns the number of errors. */
static int read_meta(struct yw *w, yaml_node_t *root, struct page_meta *m)
{
	const char *what = "front matter";
	if (!root) {
		diags_add(w->d, DIAG_ERROR, w->path, 2, 1, "page",
		    "front matter is empty: `title`, `domain`, `summary`, "
		    "`status`, `difficulty` and `math` are required");
		return 1;
	}
	if (yw_check_map(w, root, what, front_keys) != 0)
		return w->errors;
	int v = 0;
	yw_string(w, yw_require(w, root, "title", what), "title", &m->title);
	yw_string(w, yw_require(w, root, "domain", what), "domain",
	    &m->domain);
	yw_string(w, yw_require(w, root, "summary", what), "summary",
	    &m->summary);
	if (yw_enum(w, yw_require(w, root, "status", what), "status",
	    status_names, &v) == 0)
		m->status = (enum page_status)v;
	v = -1;
	if (yw_enum(w, yw_get(w, root, "importance"), "importance",
	    importance_names, &v) == 0 && v >= 0)
		m->importance = (enum page_importance)(v + 1);
	yw_int(w, yw_require(w, root, "difficulty", what), "difficulty", 1, 5,
	    &m->difficulty);
	v = 0;
	if (yw_enum(w, yw_require(w, root, "math", what), "math", math_names,
	    &v) == 0)
		m->math = (enum page_math)v;
	read_hero(w, yw_get(w, root, "hero"), m);
	read_page_ids(w, yw_get(w, root, "prerequisites"), "prerequisites",
	    &m->prerequisites);
	read_page_ids(w, yw_get(w, root, "next"), "next", &m->next);
	read_related(w, yw_get(w, root, "related"), m);
	read_bridge(w, yw_get(w, root, "bridge"), m);
	read_sources(w, yw_get(w, root, "sources"), m);
	read_claims(w, yw_get(w, root, "claims"), m);
	read_reviews(w, yw_get(w, root, "reviews"), m);
	read_misconceptions(w, yw_get(w, root, "misconceptions"), m);
	read_practice(w, yw_get(w, root, "practice"), m);
	read_research(w, yw_get(w, root, "research"), m);
	yaml_node_t *demo = yw_get(w, root, "demo");
	if (demo) {
		if (!yw_is_map(demo)) {
			yw_error(w, demo, "`demo` must be a mapping");
		} else {
			m->demo_json = yw_to_json(w, demo);
			m->demo_line = yw_line(w, demo);
			m->demo_col = yw_col(w, demo);
		}
	}
	return w->errors;
}

/* ---- loading and freeing */

struct page *page_parse(const char *path, const char *id, const char *text,
    size_t len, struct diags *d)
{
	const char *yaml, *body;
	size_t yaml_len;
	int body_line;
	if (memchr(text, '\0', len)) {
		diags_add(d, DIAG_ERROR, path, 1, 1, "page",
		    "file contains a NUL byte; pages are UTF-8 text");
		return NULL;
	}
	if (split(path, text, len, &yaml, &yaml_len, &body, &body_line,
	    d) != 0)
		return NULL;
	struct page *p = xcalloc(1, sizeof *p);
	p->path = xstrdup(path);
	p->id = xstrdup(id);
	sha256_hex(text, len, p->source_sha256);
	p->body_len = len - (size_t)(body - text);
	p->body = xstrndup(body, p->body_len);
	p->body_line = body_line;
	struct yw w;
	int errors;
	if (yw_load(&w, "page", path, yaml, yaml_len, 1, d) != 0) {
		errors = 1;
	} else {
		errors = read_meta(&w, yw_root(&w), &p->meta);
	}
	yw_free(&w);
	if (errors) {
		page_free(p);
		return NULL;
	}
	return p;
}

struct page *page_load(const char *path, const char *id, struct diags *d)
{
	char *text;
	size_t len;
	if (file_read(path, &text, &len, d, "page") != 0)
		return NULL;
	struct page *p = page_parse(path, id, text, len, d);
	free(text);
	return p;
}

static void claim_free(struct page_claim *c)
{
	free(c->id.s);
	free(c->text.s);
	located_list_free(&c->sources);
	located_list_free(&c->witnesses);
	free(c->scope);
	for (size_t i = 0; i < c->nsupport; i++) {
		free(c->support[i].source.s);
		free(c->support[i].quote.s);
		free(c->support[i].locator);
	}
	free(c->support);
}

void page_free(struct page *p)
{
	if (!p)
		return;
	struct page_meta *m = &p->meta;
	free(m->title);
	free(m->domain);
	free(m->summary);
	free(m->hero_image);
	free(m->hero_alt);
	located_list_free(&m->prerequisites);
	located_list_free(&m->next);
	for (size_t i = 0; i < m->nrelated; i++) {
		free(m->related[i].title);
		free(m->related[i].url);
		free(m->related[i].page);
	}
	free(m->related);
	free(m->carry_in);
	free(m->work_here);
	free(m->carry_out);
	for (size_t i = 0; i < m->nsources; i++) {
		free(m->sources[i].id.s);
		free(m->sources[i].grounds);
	}
	free(m->sources);
	for (size_t i = 0; i < m->nclaims; i++)
		claim_free(&m->claims[i]);
	free(m->claims);
	for (size_t i = 0; i < m->nreviews; i++) {
		struct page_review *r = &m->reviews[i];
		free(r->claim.s);
		free(r->reviewer);
		free(r->date);
		free(r->summary);
		free(r->pin.s);
	}
	free(m->reviews);
	for (size_t i = 0; i < m->nmisconceptions; i++) {
		free(m->misconceptions[i].id);
		free(m->misconceptions[i].text);
		free(m->misconceptions[i].correction);
	}
	free(m->misconceptions);
	free(m->predict);
	located_list_free(&m->hints);
	free(m->question);
	located_list_free(&m->evidence);
	located_list_free(&m->resolves);
	free(m->demo_json);
	free(p->path);
	free(p->id);
	free(p->body);
	free(p);
}
