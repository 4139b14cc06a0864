/*
 * content.c -- writing the content tables (pages and everything on them,
 * sources, objects) and dumping them.  Every value written derives from
 * the text files: no times, no random ids, no rowids exposed, so that two
 * builds of the same input give the same rows.
 *
 * Divisions: names of enum values; clear; pages; sources; objects; dump.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words stored for enum values are the authoring format's own
 * (page_status_name and friends), fixed by DESIGN.md. */

/* ---- clear */

static const char *const content_tables[] = {
	"pages", "page_links", "page_sources", "sources", "claims",
	"claim_sources", "claim_witnesses", "claim_support", "reviews",
	"witnesses", "record_keys", NULL,
};

int store_clear(struct store *s, struct diags *d)
{
	for (size_t i = 0; content_tables[i]; i++) {
		char *sql = xasprintf("DELETE FROM %s", content_tables[i]);
		int rc = store_sql(s, sql, "clear content", d);
		free(sql);
		if (rc)
			return -1;
	}
	return 0;
}

/* ---- pages */

static int put_links(struct store *s, const char *page, const char *kind,
    const struct located_list *l, struct diags *d)
{
	for (size_t i = 0; i < l->nitems; i++) {
		sqlite3_stmt *st = store_stmt(s, ST_LINK, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, page);
		store_bind_text(st, 2, kind);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		store_bind_text(st, 4, l->items[i].s);
		sqlite3_bind_int(st, 7, l->items[i].line);
		if (store_step_done(s, st, "record page link", d))
			return -1;
	}
	return 0;
}

static int put_related(struct store *s, const struct page *p,
    struct diags *d)
{
	for (size_t i = 0; i < p->meta.nrelated; i++) {
		const struct page_related *r = &p->meta.related[i];
		sqlite3_stmt *st = store_stmt(s, ST_LINK, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, p->id);
		store_bind_text(st, 2, "related");
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		store_bind_text(st, 4, r->page);
		store_bind_text(st, 5, r->url);
		store_bind_text(st, 6, r->title);
		sqlite3_bind_int(st, 7, r->line);
		if (store_step_done(s, st, "record page link", d))
			return -1;
	}
	return 0;
}

static int put_page_sources(struct store *s, const struct page *p,
    struct diags *d)
{
	for (size_t i = 0; i < p->meta.nsources; i++) {
		const struct page_source_use *u = &p->meta.sources[i];
		sqlite3_stmt *st = store_stmt(s, ST_PAGE_SOURCE, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, p->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		store_bind_text(st, 3, u->id.s);
		store_bind_text(st, 4, u->grounds);
		sqlite3_bind_int(st, 5, u->id.line);
		if (store_step_done(s, st, "record page source", d))
			return -1;
	}
	return 0;
}

/* Writes the ids of l as rows (page, claim, ord, id) of statement which. */
static int put_claim_ids(struct store *s, enum stmt which, const char *page,
    const char *claim, const struct located_list *l, struct diags *d)
{
	for (size_t i = 0; i < l->nitems; i++) {
		sqlite3_stmt *st = store_stmt(s, which, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, page);
		store_bind_text(st, 2, claim);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		store_bind_text(st, 4, l->items[i].s);
		if (store_step_done(s, st, "record claim", d))
			return -1;
	}
	return 0;
}

static int put_claim(struct store *s, const struct page *p, size_t ord,
    struct diags *d)
{
	const struct page_claim *c = &p->meta.claims[ord];
	char pin[13];
	page_claim_pin(c, pin);
	sqlite3_stmt *st = store_stmt(s, ST_CLAIM, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, p->id);
	store_bind_text(st, 2, c->id.s);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)ord);
	store_bind_text(st, 4, c->text.s ? c->text.s : "");
	store_bind_text(st, 5, c->scope);
	store_bind_text(st, 6, pin);
	sqlite3_bind_int(st, 7, c->id.line);
	if (store_step_done(s, st, "record claim", d) ||
	    put_claim_ids(s, ST_CLAIM_SOURCE, p->id, c->id.s, &c->sources, d) ||
	    put_claim_ids(s, ST_CLAIM_WITNESS, p->id, c->id.s, &c->witnesses,
	    d))
		return -1;
	for (size_t i = 0; i < c->nsupport; i++) {
		const struct page_support *u = &c->support[i];
		st = store_stmt(s, ST_CLAIM_SUPPORT, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, p->id);
		store_bind_text(st, 2, c->id.s);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
		store_bind_text(st, 4, u->source.s);
		store_bind_text(st, 5, u->quote.s ? u->quote.s : "");
		store_bind_text(st, 6, u->locator);
		sqlite3_bind_int(st, 7, u->quote.line);
		if (store_step_done(s, st, "record support quote", d))
			return -1;
	}
	return 0;
}

static int put_reviews(struct store *s, const struct page *p,
    struct diags *d)
{
	for (size_t i = 0; i < p->meta.nreviews; i++) {
		const struct page_review *r = &p->meta.reviews[i];
		sqlite3_stmt *st = store_stmt(s, ST_REVIEW, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, p->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		store_bind_text(st, 3, r->claim.s ? r->claim.s : "");
		store_bind_text(st, 4, review_level_name(r->level));
		store_bind_text(st, 5, r->reviewer);
		store_bind_text(st, 6, r->date);
		store_bind_text(st, 7, r->summary);
		store_bind_text(st, 8, r->pin.s ? r->pin.s : "");
		sqlite3_bind_int(st, 9, r->line);
		if (store_step_done(s, st, "record review", d))
			return -1;
	}
	return 0;
}

static int seen_before(const struct page *p, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(p->meta.claims[j].id.s, p->meta.claims[i].id.s) == 0)
			return 1;
	return 0;
}

int store_page_put(struct store *s, const struct page *p, struct diags *d)
{
	const struct page_meta *m = &p->meta;
	sqlite3_stmt *st = store_stmt(s, ST_PAGE, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, p->id);
	store_bind_text(st, 2, p->path);
	store_bind_text(st, 3, m->title ? m->title : "");
	store_bind_text(st, 4, m->domain ? m->domain : "");
	store_bind_text(st, 5, m->summary ? m->summary : "");
	store_bind_text(st, 6, page_status_name(m->status));
	store_bind_text(st, 7, page_importance_name(m->importance));
	sqlite3_bind_int(st, 8, m->difficulty);
	store_bind_text(st, 9, page_math_name(m->math));
	store_bind_text(st, 10, m->hero_image);
	store_bind_text(st, 11, m->hero_alt);
	store_bind_text(st, 12, p->source_sha256[0] ? p->source_sha256 : NULL);
	char *what = xasprintf("record page %s", p->id);
	int rc = store_step_done(s, st, what, d);
	free(what);
	if (rc ||
	    put_links(s, p->id, "prerequisite", &m->prerequisites, d) ||
	    put_links(s, p->id, "next", &m->next, d) ||
	    put_related(s, p, d) || put_page_sources(s, p, d) ||
	    put_reviews(s, p, d))
		return -1;
	for (size_t i = 0; i < m->nclaims; i++)
		if (!seen_before(p, i) && put_claim(s, p, i, d))
			return -1;
	return 0;
}

/* ---- sources */

/* The values of a source's row that are not plain fields: its authors
 * joined by "; " (NULL when none) and its snapshot's SHA-256 (NULL when it
 * has none). */
struct source_extras {
	struct buf authors;
	char hash[65];
};

static void source_extras(const struct source *src, struct source_extras *x)
{
	memset(x, 0, sizeof *x);
	for (size_t i = 0; i < src->nauthors; i++) {
		if (i)
			buf_puts(&x->authors, "; ");
		buf_puts(&x->authors, src->authors[i]);
	}
	if (src->snapshot)
		sha256_hex(src->snapshot, strlen(src->snapshot), x->hash);
}

int store_source_put(struct store *s, const struct source *src,
    struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, ST_SOURCE, d);
	if (!st)
		return -1;
	struct source_extras x;
	source_extras(src, &x);
	store_bind_text(st, 1, src->id);
	store_bind_text(st, 2, src->path);
	store_bind_text(st, 3, src->kind);
	store_bind_text(st, 4, src->title);
	store_bind_text(st, 5, src->nauthors ? x.authors.data : NULL);
	if (src->year)
		sqlite3_bind_int(st, 6, src->year);
	store_bind_text(st, 7, src->venue);
	store_bind_text(st, 8, src->url);
	store_bind_text(st, 9, src->doi);
	store_bind_text(st, 10, src->snapshot ? x.hash : NULL);
	char *what = xasprintf("record source %s", src->id);
	int rc = store_step_done(s, st, what, d);
	free(what);
	buf_free(&x.authors);
	return rc;
}

void store_source_key(const struct source *src, char hex[65])
{
	struct source_extras x;
	source_extras(src, &x);
	struct buf b = {0};
	char year[16];
	snprintf(year, sizeof year, "%d", src->year);
	buf_put_field(&b, "key", "folio-source-record-1");
	buf_put_field(&b, "version", FOLIO_VERSION);
	buf_put_field(&b, "id", src->id);
	buf_put_field(&b, "path", src->path);
	buf_put_field(&b, "kind", src->kind);
	buf_put_field(&b, "title", src->title);
	buf_put_field(&b, "authors", x.authors.data);
	buf_put_field(&b, "year", year);
	buf_put_field(&b, "venue", src->venue);
	buf_put_field(&b, "url", src->url);
	buf_put_field(&b, "doi", src->doi);
	buf_put_field(&b, "snapshot", src->snapshot ? x.hash : NULL);
	sha256_hex(b.data, b.len, hex);
	buf_free(&b);
	buf_free(&x.authors);
}

/* ---- objects */

int store_objects_put(struct store *s, const char *page_id,
    const struct store_object *objs, size_t nobjs, struct diags *d)
{
	for (size_t i = 0; i < nobjs; i++) {
		const char *id = objs[i].id;
		const char *colon = strchr(id, ':');
		char *kind = colon ? xstrndup(id, (size_t)(colon - id)) :
		    xstrdup("");
		sqlite3_stmt *st = store_stmt(s, ST_OBJECT, d);
		if (!st) {
			free(kind);
			return -1;
		}
		store_bind_text(st, 1, page_id);
		store_bind_text(st, 2, id);
		store_bind_text(st, 3, kind);
		store_bind_text(st, 4, colon ? colon + 1 : id);
		sqlite3_bind_int(st, 5, objs[i].line);
		store_bind_text(st, 6, objs[i].run_key);
		int rc = store_step_done(s, st, "record object", d);
		free(kind);
		if (rc)
			return -1;
	}
	return 0;
}

/* ---- dump */

/* Each content table with the order that makes its dump canonical. */
static const char *const dump_sql[] = {
	"SELECT 'pages', * FROM pages ORDER BY id",
	"SELECT 'page_links', * FROM page_links ORDER BY page, kind, ord",
	"SELECT 'page_sources', * FROM page_sources ORDER BY page, ord",
	"SELECT 'sources', * FROM sources ORDER BY id",
	"SELECT 'claims', * FROM claims ORDER BY page, id",
	"SELECT 'claim_sources', * FROM claim_sources "
	    "ORDER BY page, claim, ord",
	"SELECT 'claim_witnesses', * FROM claim_witnesses "
	    "ORDER BY page, claim, ord",
	"SELECT 'claim_support', * FROM claim_support "
	    "ORDER BY page, claim, ord",
	"SELECT 'reviews', * FROM reviews ORDER BY page, ord",
	"SELECT 'witnesses', * FROM witnesses ORDER BY page, id",
	NULL,
};

int store_content_dump(struct store *s, struct buf *out, struct diags *d)
{
	for (size_t t = 0; dump_sql[t]; t++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db, dump_sql[t], -1, &st, NULL))
			return store_fail(s, "dump", d);
		int rc, n = sqlite3_column_count(st);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < n; i++) {
				const unsigned char *v =
				    sqlite3_column_text(st, i);
				if (i)
					buf_putc(out, '\t');
				buf_puts(out, v ? (const char *)v : "\\N");
			}
			buf_putc(out, '\n');
		}
		if (rc != SQLITE_DONE)
			store_fail(s, "dump", d);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
	}
	return 0;
}
