/*
 * store.c -- the store handle: opening and migrating, transactions,
 * prepared statements, the two caches, and the queries.  Writing the
 * content tables is in content.c.
 *
 * Divisions: helpers; open and close; transactions; caches; queries.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- helpers */

int store_fail(struct store *s, const char *what, struct diags *d)
{
	diags_add(d, DIAG_ERROR, s->path, 0, 0, "store", "%s: %s", what,
	    sqlite3_errmsg(s->db));
	return -1;
}

int store_sql(struct store *s, const char *sql, const char *what,
    struct diags *d)
{
	char *err = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	diags_add(d, DIAG_ERROR, s->path, 0, 0, "store", "%s: %s", what,
	    err ? err : sqlite3_errmsg(s->db));
	sqlite3_free(err);
	return -1;
}

int store_exec(struct store *s, const char *sql, struct diags *d)
{
	return store_sql(s, sql, "exec", d);
}

/* The SQL of each prepared statement (enum stmt). */
static const char *const stmt_sql[ST_COUNT] = {
	[ST_PAGE] = "INSERT INTO pages (id, path, title, domain, summary, "
	    "status, importance, difficulty, math, hero_image, hero_alt, "
	    "source_sha256) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_LINK] = "INSERT INTO page_links (page, kind, ord, target, url, "
	    "title, line) VALUES (?,?,?,?,?,?,?)",
	[ST_PAGE_SOURCE] = "INSERT INTO page_sources (page, ord, source, "
	    "grounds, line) VALUES (?,?,?,?,?)",
	[ST_CLAIM] = "INSERT INTO claims (page, id, ord, text, scope, pin, "
	    "line) VALUES (?,?,?,?,?,?,?)",
	[ST_CLAIM_SOURCE] = "INSERT INTO claim_sources (page, claim, ord, "
	    "source) VALUES (?,?,?,?)",
	[ST_CLAIM_WITNESS] = "INSERT INTO claim_witnesses (page, claim, ord, "
	    "witness) VALUES (?,?,?,?)",
	[ST_CLAIM_SUPPORT] = "INSERT INTO claim_support (page, claim, ord, "
	    "source, quote, locator, line) VALUES (?,?,?,?,?,?,?)",
	[ST_REVIEW] = "INSERT INTO reviews (page, ord, claim, level, "
	    "reviewer, date, summary, pin, line) VALUES (?,?,?,?,?,?,?,?,?)",
	[ST_SOURCE] = "INSERT INTO sources (id, path, kind, title, authors, "
	    "year, venue, url, doi, snapshot_sha256) "
	    "VALUES (?,?,?,?,?,?,?,?,?,?)",
	[ST_OBJECT] = "INSERT OR IGNORE INTO witnesses (page, id, kind, name, "
	    "line, run_key) VALUES (?,?,?,?,?,?)",
	[ST_MATH_GET] = "SELECT html FROM math_cache WHERE key = ?",
	[ST_MATH_PUT] = "INSERT OR REPLACE INTO math_cache (key, html) "
	    "VALUES (?,?)",
	[ST_MATH_FORGET] = "DELETE FROM math_cache WHERE key = ?",
	[ST_RUN_FORGET] = "DELETE FROM witness_runs WHERE key = ?",
	[ST_RUN_GET] = "SELECT status, stdout, ms, ran_at FROM witness_runs "
	    "WHERE key = ?",
	[ST_RUN_PASSED] = "SELECT ms FROM witness_runs WHERE key = ? AND "
	    "status = 'pass'",
	[ST_RUN_PUT] = "INSERT OR REPLACE INTO witness_runs (key, status, "
	    "stdout, ms, ran_at) VALUES (?,?,?,?,"
	    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	[ST_RECORD_GET] = "SELECT key FROM record_keys WHERE kind = ? AND "
	    "id = ?",
	[ST_RECORD_PUT] = "INSERT OR REPLACE INTO record_keys (kind, id, key) "
	    "VALUES (?,?,?)",
	[ST_RECORD_DELETE] = "DELETE FROM record_keys WHERE kind = ? AND "
	    "id = ?",
	[ST_FORGET_PAGE_FIRST] = "DELETE FROM pages WHERE id = ?",
	[ST_FORGET_PAGE_FIRST + 1] = "DELETE FROM page_links WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 2] = "DELETE FROM page_sources WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 3] = "DELETE FROM claims WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 4] = "DELETE FROM claim_sources WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 5] = "DELETE FROM claim_witnesses "
	    "WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 6] = "DELETE FROM claim_support WHERE page = ?",
	[ST_FORGET_PAGE_FIRST + 7] = "DELETE FROM reviews WHERE page = ?",
	[ST_FORGET_PAGE_LAST] = "DELETE FROM witnesses WHERE page = ?",
	[ST_FORGET_SOURCE] = "DELETE FROM sources WHERE id = ?",
};

sqlite3_stmt *store_stmt(struct store *s, enum stmt which, struct diags *d)
{
	if (!s->stmts[which] &&
	    sqlite3_prepare_v3(s->db, stmt_sql[which], -1,
	    SQLITE_PREPARE_PERSISTENT, &s->stmts[which], NULL) != SQLITE_OK) {
		store_fail(s, "prepare", d);
		return NULL;
	}
	sqlite3_reset(s->stmts[which]);
	sqlite3_clear_bindings(s->stmts[which]);
	return s->stmts[which];
}

/* Binds s, or NULL, as text parameter i. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
    struct diags *d)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		store_fail(s, what, d);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

/* ---- open and close */

/* Whether the kernel gives transparent huge pages to memory that asks. */
static int huge_pages_available(void)
{
	char mode[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (!f)
		return 0;
	if (!fgets(mode, sizeof mode, f))
		mode[0] = '\0';
	fclose(f);
	return strstr(mode, "[always]") || strstr(mode, "[madvise]");
}

/* SQLite's page cache lives in one transparent huge page (2 MiB, the
 * default cache's size), not in memory malloc'd page by page.  On this
 * kind of virtual machine a page fault is dear: by hand, touching 2 MiB
 * page by page took 8.5-9.0 ms, and 0.15-0.23 ms as one huge page.  A
 * warm build's first read of the math cache's keys loads about 420 pages
 * of its index: on the 2,000-page bench site, the warm math step took
 * 13.2-14.8 ms against 22.4-25.3 ms (twelve builds each, alternating, by
 * hand), and a warm check of 500 witnesses no longer.  SQLite writes into
 * every slot of the buffer when it is handed over, so without huge pages
 * the buffer is not used (every run would fault in 2 MiB at once: a warm
 * check of 500 witnesses took 7.6 ms longer that way).  Pages that do not
 * fit a slot (a database with pages over 4 KiB) and pages beyond the
 * buffer come from malloc, as before. */
static void page_cache_on_huge_page(void)
{
	const size_t huge = (size_t)2 << 20;
	int header = 0;
	if (!huge_pages_available() ||
	    sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK)
		return;
	size_t slot = ((size_t)4096 + (size_t)header + 7) & ~(size_t)7;
	char *map = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return;
	char *at = (char *)(((uintptr_t)map + huge - 1) &
	    ~(uintptr_t)(huge - 1));
	if (at > map)
		munmap(map, (size_t)(at - map));
	munmap(at + huge, (size_t)(map + 2 * huge - (at + huge)));
	if (madvise(at, huge, MADV_HUGEPAGE) != 0 ||
	    sqlite3_config(SQLITE_CONFIG_PAGECACHE, at, (int)slot,
	    (int)(huge / slot)) != SQLITE_OK)
		munmap(at, huge);      /* SQLite was already initialised */
}

struct store *store_open(const char *path, struct diags *d)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, page_cache_on_huge_page);
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	int rc = sqlite3_open_v2(path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		if (s->db)
			store_fail(s, "cannot open database", d);
		else
			diags_add(d, DIAG_ERROR, path, 0, 0, "store",
			    "cannot open database: out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* journal_mode returns a row, so sqlite3_exec is the simple way;
	 * this is also the first read, which fails on a file that is not a
	 * database. */
	if (store_sql(s, "PRAGMA journal_mode = WAL", "cannot open database",
	    d) ||
	    store_sql(s, "PRAGMA synchronous = NORMAL", "cannot open database",
	    d) ||
	    store_migrate(s, d)) {
		store_close(s);
		return NULL;
	}
	return s;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	if (s->db) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(s->db);
	}
	free(s->path);
	free(s);
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- transactions */

int store_begin(struct store *s, struct diags *d)
{
	return store_sql(s, "BEGIN IMMEDIATE", "begin transaction", d);
}

int store_commit(struct store *s, struct diags *d)
{
	return store_sql(s, "COMMIT", "commit transaction", d);
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- caches */

int store_math_get(struct store *s, const char *key, char **html,
    struct diags *d)
{
	*html = NULL;
	sqlite3_stmt *st = store_stmt(s, ST_MATH_GET, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*html = column_dup(st, 0);
		if (!*html)
			*html = xstrdup("");
		sqlite3_reset(st);
		return 1;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	store_fail(s, "read math cache", d);
	sqlite3_reset(st);
	return -1;
}

int store_cache_keys(struct store *s, enum store_cache c, char **keys,
    size_t *nkeys, struct diags *d)
{
	const char *what = c == STORE_MATH_CACHE ? "read math cache" :
	    "read witness runs";
	*keys = NULL;
	*nkeys = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, c == STORE_MATH_CACHE ?
	    "SELECT key FROM math_cache ORDER BY key" :
	    "SELECT key FROM witness_runs ORDER BY key",
	    -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, what, d);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (!k || strlen(k) != STORE_KEY_LEN)
			continue;  /* not a key folio wrote */
		if (*nkeys == cap) {
			cap = cap ? 2 * cap : 4096;
			*keys = xrealloc(*keys, cap * (STORE_KEY_LEN + 1));
		}
		memcpy(*keys + *nkeys * (STORE_KEY_LEN + 1), k,
		    STORE_KEY_LEN + 1);
		(*nkeys)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*keys);
		*keys = NULL;
		*nkeys = 0;
		return store_fail(s, what, d);
	}
	return 0;
}

int store_math_put(struct store *s, const char *key, const char *html,
    struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, ST_MATH_PUT, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, html ? html : "");
	return store_step_done(s, st, "write math cache", d);
}

int store_cache_count(struct store *s, enum store_cache c, size_t *n,
    struct diags *d)
{
	sqlite3_stmt *st;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, c == STORE_MATH_CACHE ?
	    "SELECT count(*) FROM math_cache" :
	    "SELECT count(*) FROM witness_runs", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "count cache rows", d);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "count cache rows", d);
}

int store_cache_forget(struct store *s, enum store_cache c, const char *key,
    struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, c == STORE_MATH_CACHE ?
	    ST_MATH_FORGET : ST_RUN_FORGET, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	return store_step_done(s, st, c == STORE_MATH_CACHE ?
	    "prune math cache" : "prune witness runs", d);
}

int store_run_get(struct store *s, const char *key, struct store_run *run,
    struct diags *d)
{
	memset(run, 0, sizeof *run);
	sqlite3_stmt *st = store_stmt(s, ST_RUN_GET, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		run->status = column_dup(st, 0);
		run->output = column_dup(st, 1);
		run->ms = sqlite3_column_double(st, 2);
		run->ran_at = column_dup(st, 3);
		if (!run->status)
			run->status = xstrdup("");
		if (!run->output)
			run->output = xstrdup("");
		sqlite3_reset(st);
		return 1;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	store_fail(s, "read witness cache", d);
	sqlite3_reset(st);
	return -1;
}

int store_run_passed(struct store *s, const char *key, double *ms,
    struct diags *d)
{
	*ms = 0;
	sqlite3_stmt *st = store_stmt(s, ST_RUN_PASSED, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ms = sqlite3_column_double(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return store_fail(s, "read witness cache", d);
}

int store_run_put(struct store *s, const char *key,
    const struct store_run *run, struct diags *d)
{
	sqlite3_stmt *st = store_stmt(s, ST_RUN_PUT, d);
	if (!st)
		return -1;
	store_bind_text(st, 1, key);
	store_bind_text(st, 2, run->status ? run->status : "");
	store_bind_text(st, 3, run->output ? run->output : "");
	sqlite3_bind_double(st, 4, run->ms);
	return store_step_done(s, st, "write witness cache", d);
}

void store_run_clear(struct store_run *run)
{
	if (!run)
		return;
	free(run->status);
	free(run->output);
	free(run->ran_at);
	memset(run, 0, sizeof *run);
}

/* ---- queries */

int store_claims_list(struct store *s, const char *source,
    struct store_claim_row **rows, size_t *nrows, struct diags *d)
{
	static const char all[] =
	    "SELECT page, claim, text, pin, status, level, reviewer, date, "
	    "review_pin FROM claim_status ORDER BY page, ord";
	static const char by_source[] =
	    "SELECT page, claim, text, pin, status, level, reviewer, date, "
	    "review_pin FROM claim_status cs WHERE EXISTS (SELECT 1 FROM "
	    "claim_sources x WHERE x.page = cs.page AND x.claim = cs.claim "
	    "AND x.source = ?) ORDER BY page, ord";
	sqlite3_stmt *st;
	*rows = NULL;
	*nrows = 0;
	if (sqlite3_prepare_v2(s->db, source ? by_source : all, -1, &st,
	    NULL) != SQLITE_OK)
		return store_fail(s, "list claims", d);
	if (source)
		store_bind_text(st, 1, source);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*nrows == cap) {
			cap = cap ? 2 * cap : 16;
			*rows = xrealloc(*rows, cap * sizeof **rows);
		}
		struct store_claim_row *r = &(*rows)[(*nrows)++];
		r->page = column_dup(st, 0);
		r->claim = column_dup(st, 1);
		r->text = column_dup(st, 2);
		r->pin = column_dup(st, 3);
		r->status = column_dup(st, 4);
		r->level = column_dup(st, 5);
		r->reviewer = column_dup(st, 6);
		r->date = column_dup(st, 7);
		r->review_pin = column_dup(st, 8);
	}
	if (rc != SQLITE_DONE) {
		store_fail(s, "list claims", d);
		sqlite3_finalize(st);
		store_claim_rows_free(*rows, *nrows);
		*rows = NULL;
		*nrows = 0;
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

void store_claim_rows_free(struct store_claim_row *rows, size_t nrows)
{
	if (!rows)
		return;
	for (size_t i = 0; i < nrows; i++) {
		struct store_claim_row *r = &rows[i];
		free(r->page);
		free(r->claim);
		free(r->text);
		free(r->pin);
		free(r->status);
		free(r->level);
		free(r->reviewer);
		free(r->date);
		free(r->review_pin);
	}
	free(rows);
}
