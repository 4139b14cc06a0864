/*
 * records.c -- writing only the content that changed.  Each page's rows
 * are recorded in record_keys under the SHA-256 of what they derive from,
 * each source's row under that of its values; a build compares keys and
 * rewrites a page's rows only when its key changed, then removes the rows
 * of pages and sources that are gone.  A check of an unchanged site thus
 * writes nothing, and its transaction commits without touching the file.
 *
 * The page key needs no field of the parsed page: page_load builds the
 * page from its file alone, so the file's SHA-256 (p->source_sha256)
 * stands for all of them.  A page without that hash is always rewritten.
 *
 * Divisions: keys, forgetting rows, sync, prune.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- keys */

static void page_key(const struct page *p, const struct store_object *objs,
    size_t nobjs, char hex[65])
{
	struct buf b = {0};
	char num[32];
	buf_put_field(&b, "key", "folio-page-record-1");
	buf_put_field(&b, "version", FOLIO_VERSION);
	snprintf(num, sizeof num, "%d", STORE_SCHEMA_VERSION);
	buf_put_field(&b, "schema", num);
	buf_put_field(&b, "id", p->id);
	buf_put_field(&b, "path", p->path);
	buf_put_field(&b, "file", p->source_sha256);
	for (size_t i = 0; i < nobjs; i++) {
		buf_put_field(&b, "object", objs[i].id);
		snprintf(num, sizeof num, "%d", objs[i].line);
		buf_put_field(&b, "line", num);
		buf_put_field(&b, "run", objs[i].run_key);
	}
	sha256_hex(b.data, b.len, hex);
	buf_free(&b);
}

/* Sets key to the key (kind, id) was recorded under.  Returns 1, 0 when
 * it has none, -1 with a diagnostic. */
static int record_get(struct store *s, const char *kind, const char *id,
    char key[65], struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, ST_RECORD_GET, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		snprintf(key, 65, "%s", v ? (const char *)v : "");
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "read record key", d);
	key[0] = '\0';
	return 0;
}

static int record_put(struct store *s, const char *kind, const char *id,
    const char *key, struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, ST_RECORD_PUT, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, id);
	store_bind_text(st, 3, key);
	return store_step_done(s, st, "write record key", d);
}

/* ---- forgetting rows */

/* Deletes the rows of (kind, id) and its record.  Statements first to
 * last, each bound to id alone. */
static int forget(struct store *s, const char *kind, const char *id,
    enum stmt first, enum stmt last, struct diags *d)
{
	for (int which = first; which <= (int)last; which++) {
		sqlite3_stmt *st = store_stmt(s, (enum stmt)which, d);
		if (!st)
			return -1;
		store_bind_text(st, 1, id);
		if (store_step_done(s, st, "remove old rows", d))
			return -1;
	}
	sqlite3_stmt *st = store_stmt(s, ST_RECORD_DELETE, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, id);
	return store_step_done(s, st, "remove record key", d);
}

static int forget_page(struct store *s, const char *id, struct diags *d)
{
	return forget(s, "page", id, ST_FORGET_PAGE_FIRST, ST_FORGET_PAGE_LAST,
	    d);
}

static int forget_source(struct store *s, const char *id, struct diags *d)
{
	return forget(s, "source", id, ST_FORGET_SOURCE, ST_FORGET_SOURCE, d);
}

/* ---- sync */

int store_page_sync(struct store *s, const struct page *p,
    const struct store_object *objs, size_t nobjs, struct diags *d)
{
	char key[65], old[65];
	page_key(p, objs, nobjs, key);
	int had = record_get(s, "page", p->id, old, d);
	if (had < 0)
		return -1;
	if (had && p->source_sha256[0] && !strcmp(old, key))
		return 0;
	/* A page without a record has no rows: nothing to forget. */
	if ((had && forget_page(s, p->id, d)) ||
	    store_page_put(s, p, d) ||
	    store_objects_put(s, p->id, objs, nobjs, d) ||
	    record_put(s, "page", p->id, key, d))
		return -1;
	return 1;
}

int store_source_sync(struct store *s, const struct source *src,
    struct diags *d)
{
	char key[65], old[65];
	store_source_key(src, key);
	int had = record_get(s, "source", src->id, old, d);
	if (had < 0)
		return -1;
	if (had && !strcmp(old, key))
		return 0;
	if ((had && forget_source(s, src->id, d)) ||
	    store_source_put(s, src, d) ||
	    record_put(s, "source", src->id, key, d))
		return -1;
	return 1;
}

/* ---- prune */

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int listed(const char *id, const char *const *ids, size_t n)
{
	return n && bsearch(id, ids, n, sizeof *ids, cmp_id) != NULL;
}

int store_prune(struct store *s, const char *const *page_ids, size_t npages,
    const char *const *source_ids, size_t nsources, struct diags *d)
{
	/* Collected first, deleted after: no deleting under a running
	 * SELECT of the same table. */
	struct gone {
		char *kind, *id;
	} *gone = NULL;
	size_t ngone = 0, cap = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT kind, id FROM record_keys", -1,
	    &st, NULL))
		return store_fail(s, "read record keys", d);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *id = (const char *)sqlite3_column_text(st, 1);
		if (!kind || !id)
			continue;
		int is_page = !strcmp(kind, "page");
		if (is_page ? listed(id, page_ids, npages)
			    : listed(id, source_ids, nsources))
			continue;
		if (ngone == cap) {
			cap = cap ? 2 * cap : 16;
			gone = xrealloc(gone, cap * sizeof *gone);
		}
		gone[ngone].kind = xstrdup(kind);
		gone[ngone].id = xstrdup(id);
		ngone++;
	}
	int r = rc == SQLITE_DONE ? 0 : store_fail(s, "read record keys", d);
	sqlite3_finalize(st);
	for (size_t i = 0; i < ngone; i++) {
		if (r == 0)
			r = !strcmp(gone[i].kind, "page")
			    ? forget_page(s, gone[i].id, d)
			    : forget_source(s, gone[i].id, d);
		free(gone[i].kind);
		free(gone[i].id);
	}
	free(gone);
	return r < 0 ? -1 : (int)ngone;
}
