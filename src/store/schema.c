/*
 * schema.c -- the schema of build/folio.db and its migrations.
 *
 * migrations[i] takes a database from user_version i to i + 1; a new
 * database runs them all, so a fresh database and a migrated one are built
 * by the same statements.  To change the schema, append a migration and
 * bump STORE_SCHEMA_VERSION in store.h; never edit a released one (the
 * unit test writes a version-1 database by hand and migrates it).
 *
 * Divisions: the migrations; store_migrate.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- the migrations */

/* Version 1: the first schema. */
static const char v1[] =
	"CREATE TABLE pages ("
	"  id TEXT PRIMARY KEY,"          /* a/b for content/a/b.md */
	"  path TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  status TEXT NOT NULL,"         /* draft | review | published */
	"  importance TEXT,"              /* core | important | supplementary */
	"  difficulty INTEGER NOT NULL,"  /* 1..5 */
	"  math TEXT NOT NULL,"
	"  hero_image TEXT,"
	"  hero_alt TEXT,"
	"  source_sha256 TEXT"            /* SHA-256 of the .md file */
	");"
	"CREATE TABLE page_links ("
	"  page TEXT NOT NULL,"
	"  kind TEXT NOT NULL"
	"    CHECK (kind IN ('prerequisite', 'next', 'related')),"
	"  ord INTEGER NOT NULL,"         /* position in its list, from 0 */
	"  target TEXT,"                  /* page id, or NULL for a url */
	"  url TEXT,"
	"  title TEXT,"
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, kind, ord)"
	");"
	"CREATE TABLE sources ("
	"  id TEXT PRIMARY KEY,"
	"  path TEXT NOT NULL,"
	"  kind TEXT,"
	"  title TEXT,"
	"  authors TEXT,"                 /* joined by '; ' */
	"  year INTEGER,"
	"  venue TEXT,"
	"  url TEXT,"
	"  doi TEXT,"
	"  snapshot_sha256 TEXT"          /* NULL without sources/<id>.txt */
	");"
	"CREATE TABLE page_sources ("
	"  page TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  grounds TEXT,"
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, ord)"
	");"
	"CREATE TABLE claims ("
	"  page TEXT NOT NULL,"
	"  id TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  scope TEXT,"
	"  pin TEXT NOT NULL,"            /* the claim's current pin */
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, id)"
	");"
	"CREATE TABLE claim_sources ("
	"  page TEXT NOT NULL,"
	"  claim TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  PRIMARY KEY (page, claim, ord)"
	");"
	"CREATE TABLE claim_witnesses ("
	"  page TEXT NOT NULL,"
	"  claim TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  witness TEXT NOT NULL,"        /* eq:NAME, code:NAME, demo:NAME */
	"  PRIMARY KEY (page, claim, ord)"
	");"
	"CREATE TABLE reviews ("
	"  page TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  claim TEXT NOT NULL,"
	"  level TEXT NOT NULL,"
	"  reviewer TEXT,"
	"  date TEXT,"
	"  summary TEXT,"
	"  pin TEXT NOT NULL,"            /* the claim's pin when reviewed */
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, ord)"
	");"
	"CREATE TABLE witnesses ("
	"  page TEXT NOT NULL,"
	"  id TEXT NOT NULL,"             /* code:NAME */
	"  kind TEXT NOT NULL,"           /* code | eq | demo */
	"  name TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, id)"
	");"
	"CREATE TABLE witness_runs ("
	"  key TEXT PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  stdout TEXT NOT NULL,"
	"  ran_at TEXT"
	");"
	"CREATE TABLE math_cache ("
	"  key TEXT PRIMARY KEY,"
	"  html TEXT NOT NULL"
	");";

/* Version 2: run times, witnesses linked to their latest run, support
 * quotes, the claim_status view, and indexes for the reverse lookups. */
static const char v2[] =
	"ALTER TABLE witness_runs ADD COLUMN ms REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE witnesses ADD COLUMN run_key TEXT;"
	"CREATE TABLE claim_support ("
	"  page TEXT NOT NULL,"
	"  claim TEXT NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  quote TEXT NOT NULL,"
	"  locator TEXT,"
	"  line INTEGER NOT NULL,"
	"  PRIMARY KEY (page, claim, ord)"
	");"
	"CREATE INDEX claim_sources_by_source ON claim_sources (source);"
	"CREATE INDEX page_sources_by_source ON page_sources (source);"
	"CREATE INDEX reviews_by_claim ON reviews (page, claim);"
	/* The review that counts for a claim: the last one (in file order)
	 * whose pin is the claim's current pin, else the last one. */
	"CREATE VIEW claim_status AS"
	"  SELECT c.page AS page, c.id AS claim, c.ord AS ord,"
	"    c.text AS text, c.pin AS pin,"
	"    CASE WHEN r.ord IS NULL THEN 'unreviewed'"
	"         WHEN r.pin = c.pin THEN 'reviewed'"
	"         ELSE 'stale' END AS status,"
	"    r.level AS level, r.reviewer AS reviewer, r.date AS date,"
	"    r.pin AS review_pin"
	"  FROM claims c LEFT JOIN reviews r"
	"    ON r.page = c.page AND r.ord = coalesce("
	"      (SELECT max(r2.ord) FROM reviews r2 WHERE r2.page = c.page"
	"        AND r2.claim = c.id AND r2.pin = c.pin),"
	"      (SELECT max(r2.ord) FROM reviews r2 WHERE r2.page = c.page"
	"        AND r2.claim = c.id));";

/* Version 3: record_keys, the key each page's rows and each source's row
 * were written under (records.c), so that a build rewrites only what
 * changed.  The content tables are emptied: the next build writes them
 * again, with their keys. */
static const char v3[] =
	"CREATE TABLE record_keys ("
	"  kind TEXT NOT NULL CHECK (kind IN ('page', 'source')),"
	"  id TEXT NOT NULL,"
	"  key TEXT NOT NULL,"             /* SHA-256, hex */
	"  PRIMARY KEY (kind, id)"
	") WITHOUT ROWID;"
	"DELETE FROM pages; DELETE FROM page_links; DELETE FROM page_sources;"
	"DELETE FROM sources; DELETE FROM claims; DELETE FROM claim_sources;"
	"DELETE FROM claim_witnesses; DELETE FROM claim_support;"
	"DELETE FROM reviews; DELETE FROM witnesses;";

static const char *const migrations[] = {v1, v2, v3};

_Static_assert(sizeof migrations / sizeof migrations[0] ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

/* ---- store_migrate */

/* Reads PRAGMA user_version into *v; -1 when it cannot be read (any
 * value, -1 too, may be stored there). */
static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
	if (rc == 0)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* Brings the database to STORE_SCHEMA_VERSION, one migration per
 * transaction (each sets user_version in the same transaction, so a crash
 * leaves a consistent version).  BEGIN IMMEDIATE makes a second folio
 * opening the same file wait rather than migrate twice. */
int store_migrate(struct store *s, struct diags *d)
{
	for (;;) {
		int begun = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL,
		    NULL);
		if (begun == SQLITE_BUSY) {
			/* Waited for the busy timeout: another program (a
			 * sqlite3 shell?) holds a write transaction. */
			diags_add(d, DIAG_ERROR, s->path, 0, 0, "store",
			    "locked by another program, which holds a write "
			    "transaction on it; end it and run folio again");
			return -1;
		}
		if (begun != SQLITE_OK)
			return store_fail(s, "begin migration", d);
		int v;
		if (user_version(s->db, &v) != 0) {
			store_fail(s, "read schema version", d);
			store_rollback(s);
			return -1;
		}
		if (v < 0) {
			diags_add(d, DIAG_ERROR, s->path, 0, 0, "store",
			    "database schema version %d is not one folio "
			    "writes; remove the file to rebuild it", v);
			store_rollback(s);
			return -1;
		}
		if (v > STORE_SCHEMA_VERSION) {
			diags_add(d, DIAG_ERROR, s->path, 0, 0, "store",
			    "database schema version %d is newer than this "
			    "folio supports (%d); remove the file to rebuild it",
			    v, STORE_SCHEMA_VERSION);
			store_rollback(s);
			return -1;
		}
		if (v == STORE_SCHEMA_VERSION)
			return store_sql(s, "COMMIT", "commit", d);
		char *set = xasprintf("PRAGMA user_version = %d", v + 1);
		char *what = xasprintf("migrate schema to version %d", v + 1);
		int rc = store_sql(s, migrations[v], what, d);
		if (rc == 0)
			rc = store_sql(s, set, what, d);
		if (rc == 0)
			rc = store_sql(s, "COMMIT", what, d);
		free(set);
		free(what);
		if (rc) {
			store_rollback(s);
			return -1;
		}
	}
}
