/*
 * test_store.c -- build/folio.db: creation, schema version, migration from
 * a hand-written version-1 database, the claim_status view, determinism of
 * the content tables, rewriting only what changed, caches kept across
 * builds, rollback, errors, and the
 * example queries of the README.
 *
 * The test reads the database back with sqlite3 directly (the store's
 * callers never do), to check what a user of `sqlite3 build/folio.db` sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "page/page.h"
#include "store/store.h"

/* ---- a temporary folder per test */

static int setup(void **state)
{
	char *dir = xstrdup("/tmp/folio-test-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	dir_remove(*state);
	free(*state);
	return 0;
}

static char *db_path(void **state, const char *name)
{
	return path_join(*state, name);
}

/* ---- a page built by hand */

struct fixture {
	struct page page;
	struct located prereq[1], next[1];
	struct page_related related[2];
	struct page_source_use sources[2];
	struct page_claim claims[4];
	struct located c0_src[1], c0_wit[2], c1_src[1], c1_wit[1];
	struct located c2_src[2], c3_src[1];
	struct page_support c0_sup[1];
	struct page_review reviews[4];
	char pin0[13], pin2[13];
};

static struct located loc(const char *s, int line, int col)
{
	return (struct located){(char *)s, line, col};
}

/* Fills f with page field/flows: claim exact-density reviewed at its
 * current pin, cheap-jacobian reviewed at an old pin (stale), composition
 * reviewed twice (stale, then current: reviewed), and a claim listed twice
 * with id dup (recorded once). */
static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	struct page *p = &f->page;
	struct page_meta *m = &p->meta;
	p->path = "content/field/flows.md";
	p->id = "field/flows";
	{
		static const char text[] = "---\ntitle: Flows\n---\nbody\n";
		sha256_hex(text, strlen(text), p->source_sha256);
	}
	m->title = "Flows";
	m->domain = "Generative Models";
	m->summary = "Invertible maps.";
	m->status = PAGE_PUBLISHED;
	m->importance = IMPORTANCE_CORE;
	m->difficulty = 4;
	m->math = MATH_UNDERGRADUATE;
	m->hero_image = "warp.svg";
	m->hero_alt = "a warped grid";
	f->prereq[0] = loc("foundations/mle", 9, 17);
	m->prerequisites = (struct located_list){f->prereq, 1};
	f->next[0] = loc("field/diffusion", 10, 8);
	m->next = (struct located_list){f->next, 1};
	f->related[0] = (struct page_related){"A blog", "https://x.test/b",
	    NULL, 11, 12};
	f->related[1] = (struct page_related){NULL, NULL, "field/vae", 11, 40};
	m->related = f->related;
	m->nrelated = 2;
	f->sources[0] = (struct page_source_use){
	    loc("rezende-2015", 13, 10), "the density formula"};
	f->sources[1] = (struct page_source_use){
	    loc("papamakarios-2021", 14, 10), NULL};
	m->sources = f->sources;
	m->nsources = 2;

	struct page_claim *c = f->claims;
	c[0].id = loc("exact-density", 16, 9);
	c[0].text = loc("Flows give  exact\ndensities.", 17, 11);
	f->c0_src[0] = loc("rezende-2015", 18, 15);
	c[0].sources = (struct located_list){f->c0_src, 1};
	f->c0_wit[0] = loc("eq:cov", 19, 17);
	f->c0_wit[1] = loc("code:linear-flow", 19, 25);
	c[0].witnesses = (struct located_list){f->c0_wit, 2};
	c[0].scope = "Only for invertible maps.";
	f->c0_sup[0] = (struct page_support){loc("rezende-2015", 21, 20),
	    loc("exact likelihood", 21, 50), "Sec. 3"};
	c[0].support = f->c0_sup;
	c[0].nsupport = 1;
	c[1].id = loc("cheap-jacobian", 22, 9);
	c[1].text = loc("Triangular Jacobians are cheap.", 23, 11);
	f->c1_src[0] = loc("papamakarios-2021", 24, 15);
	c[1].sources = (struct located_list){f->c1_src, 1};
	f->c1_wit[0] = loc("code:linear-flow", 25, 17);
	c[1].witnesses = (struct located_list){f->c1_wit, 1};
	c[2].id = loc("composition", 26, 9);
	c[2].text = loc("Flows compose.", 27, 11);
	f->c2_src[0] = loc("rezende-2015", 28, 15);
	f->c2_src[1] = loc("papamakarios-2021", 28, 30);
	c[2].sources = (struct located_list){f->c2_src, 2};
	c[3].id = loc("exact-density", 29, 9);
	c[3].text = loc("A duplicate.", 30, 11);
	f->c3_src[0] = loc("nowhere", 31, 15);
	c[3].sources = (struct located_list){f->c3_src, 1};
	m->claims = c;
	m->nclaims = 4;

	page_claim_pin(&c[0], f->pin0);
	page_claim_pin(&c[2], f->pin2);
	struct page_review *r = f->reviews;
	r[0] = (struct page_review){loc("exact-density", 33, 12),
	    REVIEW_SUBSTANTIVE, "Ada", "2026-05-08", "Checked.",
	    loc(f->pin0, 37, 10), 33, 5};
	r[1] = (struct page_review){loc("cheap-jacobian", 38, 12),
	    REVIEW_SOURCE_CHECKED, "Bob", "2026-04-01", "Old.",
	    loc("0123456789ab", 42, 10), 38, 5};
	r[2] = (struct page_review){loc("composition", 43, 12),
	    REVIEW_METADATA, "Cy", "2026-03-01", NULL,
	    loc(f->pin2, 47, 10), 43, 5};
	r[3] = (struct page_review){loc("composition", 48, 12),
	    REVIEW_SUBSTANTIVE, "Dee", "2026-03-02", NULL,
	    loc("ffffffffffff", 52, 10), 48, 5};
	m->reviews = r;
	m->nreviews = 4;
}

static struct source source_fixture(const char *id, int snapshot)
{
	static char *authors[] = {"Danilo Rezende", "Shakir Mohamed"};
	struct source s = {0};
	s.id = (char *)id;
	s.path = xasprintf("sources/%s.yaml", id);
	s.kind = "paper";
	s.title = "A title";
	s.authors = authors;
	s.nauthors = 2;
	s.year = 2015;
	s.url = "https://arxiv.org/abs/1505.05770";
	s.snapshot = snapshot ? "the snapshot text" : NULL;
	return s;
}

/* Writes the fixture as one build: begin, clear, page, objects, sources,
 * commit. */
static void build_once(struct store *s)
{
	struct diags d = {0};
	struct fixture f;
	fixture_init(&f);
	struct source s1 = source_fixture("rezende-2015", 1);
	struct source s2 = source_fixture("papamakarios-2021", 0);
	struct store_object objs[] = {
		{"eq:cov", 30, NULL}, {"code:linear-flow", 40, "run-ok"},
		{"code:broken", 50, "run-bad"}, {"demo:grid-warp", 60, NULL},
	};
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_clear(s, &d), 0);
	assert_int_equal(store_page_put(s, &f.page, &d), 0);
	assert_int_equal(store_objects_put(s, f.page.id, objs, 4, &d), 0);
	/* Sources in a different order than a directory listing would give:
	 * the dump must not care. */
	assert_int_equal(store_source_put(s, &s2, &d), 0);
	assert_int_equal(store_source_put(s, &s1, &d), 0);
	assert_int_equal(store_commit(s, &d), 0);
	assert_int_equal(d.nitems, 0);
	free(s1.path);
	free(s2.path);
}

static char *dump(struct store *s)
{
	struct diags d = {0};
	struct buf b = {0};
	assert_int_equal(store_content_dump(s, &b, &d), 0);
	assert_int_equal(d.nitems, 0);
	return buf_detach(&b);
}

/* Runs a query with sqlite3 and returns its rows as "a|b\n" lines. */
static char *query(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct buf b = {0};
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			if (i)
				buf_putc(&b, '|');
			buf_puts(&b, v ? (const char *)v : "");
		}
		buf_putc(&b, '\n');
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf_detach(&b);
}

static void exec_raw(const char *path, const char *sql)
{
	sqlite3 *db;
	char *err = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(db);
}

#define assert_query(path, sql, expected) do { \
	char *got_ = query(path, sql); \
	assert_string_equal(got_, expected); \
	free(got_); \
} while (0)

/* ---- tests */

static void test_open_creates(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	assert_non_null(s);
	assert_int_equal(d.nitems, 0);
	assert_int_equal(store_schema_version(s), STORE_SCHEMA_VERSION);
	assert_int_equal(STORE_SCHEMA_VERSION, 3);
	store_close(s);
	assert_query(path, "PRAGMA journal_mode", "wal\n");
	assert_query(path, "SELECT type, name FROM sqlite_master WHERE "
	    "type IN ('table', 'view') ORDER BY name",
	    "table|claim_sources\n"
	    "view|claim_status\n"
	    "table|claim_support\n"
	    "table|claim_witnesses\n"
	    "table|claims\n"
	    "table|math_cache\n"
	    "table|page_links\n"
	    "table|page_sources\n"
	    "table|pages\n"
	    "table|record_keys\n"
	    "table|reviews\n"
	    "table|sources\n"
	    "table|witness_runs\n"
	    "table|witnesses\n");
	/* Opening again is a no-op. */
	s = store_open(path, &d);
	assert_non_null(s);
	assert_int_equal(store_schema_version(s), 3);
	store_close(s);
	assert_int_equal(d.nitems, 0);
	free(path);
}

/* The version-1 schema exactly as folio 0.1 wrote it (src/store/schema.c,
 * migrations[0]), with some rows in each cache and in a content table. */
static const char v1_db[] =
	"CREATE TABLE pages (id TEXT PRIMARY KEY, path TEXT NOT NULL,"
	" title TEXT NOT NULL, domain TEXT NOT NULL, summary TEXT NOT NULL,"
	" status TEXT NOT NULL, importance TEXT, difficulty INTEGER NOT NULL,"
	" math TEXT NOT NULL, hero_image TEXT, hero_alt TEXT,"
	" source_sha256 TEXT);"
	"CREATE TABLE page_links (page TEXT NOT NULL, kind TEXT NOT NULL"
	" CHECK (kind IN ('prerequisite', 'next', 'related')),"
	" ord INTEGER NOT NULL, target TEXT, url TEXT, title TEXT,"
	" line INTEGER NOT NULL, PRIMARY KEY (page, kind, ord));"
	"CREATE TABLE sources (id TEXT PRIMARY KEY, path TEXT NOT NULL,"
	" kind TEXT, title TEXT, authors TEXT, year INTEGER, venue TEXT,"
	" url TEXT, doi TEXT, snapshot_sha256 TEXT);"
	"CREATE TABLE page_sources (page TEXT NOT NULL, ord INTEGER NOT NULL,"
	" source TEXT NOT NULL, grounds TEXT, line INTEGER NOT NULL,"
	" PRIMARY KEY (page, ord));"
	"CREATE TABLE claims (page TEXT NOT NULL, id TEXT NOT NULL,"
	" ord INTEGER NOT NULL, text TEXT NOT NULL, scope TEXT,"
	" pin TEXT NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (page, id));"
	"CREATE TABLE claim_sources (page TEXT NOT NULL, claim TEXT NOT NULL,"
	" ord INTEGER NOT NULL, source TEXT NOT NULL,"
	" PRIMARY KEY (page, claim, ord));"
	"CREATE TABLE claim_witnesses (page TEXT NOT NULL,"
	" claim TEXT NOT NULL, ord INTEGER NOT NULL, witness TEXT NOT NULL,"
	" PRIMARY KEY (page, claim, ord));"
	"CREATE TABLE reviews (page TEXT NOT NULL, ord INTEGER NOT NULL,"
	" claim TEXT NOT NULL, level TEXT NOT NULL, reviewer TEXT, date TEXT,"
	" summary TEXT, pin TEXT NOT NULL, line INTEGER NOT NULL,"
	" PRIMARY KEY (page, ord));"
	"CREATE TABLE witnesses (page TEXT NOT NULL, id TEXT NOT NULL,"
	" kind TEXT NOT NULL, name TEXT NOT NULL, line INTEGER NOT NULL,"
	" PRIMARY KEY (page, id));"
	"CREATE TABLE witness_runs (key TEXT PRIMARY KEY,"
	" status TEXT NOT NULL, stdout TEXT NOT NULL, ran_at TEXT);"
	"CREATE TABLE math_cache (key TEXT PRIMARY KEY, html TEXT NOT NULL);"
	"INSERT INTO witness_runs VALUES ('k1', 'pass', 'hello\n',"
	" '2026-01-02T03:04:05Z');"
	"INSERT INTO math_cache VALUES ('m1', '<span>x</span>');"
	"INSERT INTO claims VALUES ('p', 'c', 0, 'text', NULL,"
	" 'aaaaaaaaaaaa', 3);"
	"INSERT INTO reviews VALUES ('p', 0, 'c', 'substantive', 'Ada',"
	" '2026-01-01', NULL, 'aaaaaaaaaaaa', 9);"
	"INSERT INTO witnesses VALUES ('p', 'code:w', 'code', 'w', 12);"
	"PRAGMA user_version = 1;";

static void test_migrate_from_v1(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "old.db");
	exec_raw(path, v1_db);
	assert_query(path, "PRAGMA user_version", "1\n");

	struct store *s = store_open(path, &d);
	assert_non_null(s);
	assert_int_equal(d.nitems, 0);
	assert_int_equal(store_schema_version(s), 3);

	/* The caches kept their rows; the new column has its default. */
	struct store_run run;
	assert_int_equal(store_run_get(s, "k1", &run, &d), 1);
	assert_string_equal(run.status, "pass");
	assert_string_equal(run.output, "hello\n");
	assert_true(run.ms == 0.0);
	assert_string_equal(run.ran_at, "2026-01-02T03:04:05Z");
	store_run_clear(&run);
	char *html;
	assert_int_equal(store_math_get(s, "m1", &html, &d), 1);
	assert_string_equal(html, "<span>x</span>");
	free(html);
	store_close(s);

	/* The content rows were dropped by version 3 (they have no record
	 * keys; the next build writes them again). */
	assert_query(path, "SELECT count(*) FROM claims", "0\n");
	assert_query(path, "SELECT count(*) FROM reviews", "0\n");
	assert_query(path, "SELECT count(*) FROM witnesses", "0\n");
	/* The view (new in version 2) sees rows written in the old shape;
	 * witnesses gained run_key. */
	exec_raw(path, "INSERT INTO claims VALUES ('p', 'c', 0, 'text', NULL,"
	    " 'aaaaaaaaaaaa', 3);"
	    "INSERT INTO reviews VALUES ('p', 0, 'c', 'substantive', 'Ada',"
	    " '2026-01-01', NULL, 'aaaaaaaaaaaa', 9);"
	    "INSERT INTO witnesses (page, id, kind, name, line) VALUES"
	    " ('p', 'code:w', 'code', 'w', 12);");
	assert_query(path, "SELECT page, claim, status, level, reviewer "
	    "FROM claim_status", "p|c|reviewed|substantive|Ada\n");
	assert_query(path, "SELECT id, line, run_key IS NULL FROM witnesses",
	    "code:w|12|1\n");
	assert_query(path, "SELECT count(*) FROM claim_support", "0\n");

	/* The migrated schema has the same columns as a fresh one. */
	static const char columns[] = "SELECT m.name, p.name, p.type, "
	    "p.\"notnull\", p.pk FROM sqlite_master m, "
	    "pragma_table_info(m.name) p ORDER BY m.name, p.cid";
	char *fresh = db_path(state, "fresh.db");
	s = store_open(fresh, &d);
	store_close(s);
	char *a = query(path, columns), *b = query(fresh, columns);
	assert_true(strlen(a) > 1000);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(fresh);
	free(path);
}

/* A migration that fails leaves the database at its old version. */
static void test_migration_failure_rolls_back(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "old.db");
	exec_raw(path, v1_db);
	exec_raw(path, "CREATE TABLE claim_support (x);");
	assert_null(store_open(path, &d));
	assert_int_equal(d.nitems, 1);
	char *msg = diag_format(&d.items[0]);
	char *want = xasprintf("%s: error: store: migrate schema to version "
	    "2: table claim_support already exists", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	assert_query(path, "PRAGMA user_version", "1\n");
	/* The ALTERs before the failing statement were undone. */
	assert_query(path, "SELECT count(*) FROM pragma_table_info("
	    "'witness_runs') WHERE name = 'ms'", "0\n");
	assert_query(path, "SELECT key FROM witness_runs", "k1\n");
	free(path);
}

static void test_open_newer_schema(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "new.db");
	exec_raw(path, "CREATE TABLE t (x); PRAGMA user_version = 99;");
	assert_null(store_open(path, &d));
	assert_int_equal(d.nitems, 1);
	char *msg = diag_format(&d.items[0]);
	char *want = xasprintf("%s: error: store: database schema version 99 "
	    "is newer than this folio supports (3); remove the file to "
	    "rebuild it", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	free(path);
}

static void test_open_not_a_database(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "junk.db");
	const char junk[] = "this is not an SQLite database, just some text "
	    "long enough to fill a header of one hundred bytes ..........";
	assert_int_equal(file_write(path, junk, sizeof junk - 1, &d, "t"), 0);
	assert_null(store_open(path, &d));
	assert_int_equal(d.nitems, 1);
	char *msg = diag_format(&d.items[0]);
	char *want = xasprintf("%s: error: store: cannot open database: "
	    "file is not a database", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);

	/* A folder that does not exist. */
	char *missing = db_path(state, "no/such/folder/folio.db");
	assert_null(store_open(missing, &d));
	assert_int_equal(d.nitems, 1);
	msg = diag_format(&d.items[0]);
	want = xasprintf("%s: error: store: cannot open database: unable to "
	    "open database file", missing);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	free(missing);
	free(path);
}

static void test_claim_status(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	assert_non_null(s);
	build_once(s);

	struct store_claim_row *rows;
	size_t n;
	assert_int_equal(store_claims_list(s, NULL, &rows, &n, &d), 0);
	assert_int_equal(n, 3);   /* the duplicate id is recorded once */
	struct fixture f;
	fixture_init(&f);
	assert_string_equal(rows[0].claim, "exact-density");
	assert_string_equal(rows[0].page, "field/flows");
	assert_string_equal(rows[0].text, "Flows give  exact\ndensities.");
	assert_string_equal(rows[0].status, "reviewed");
	assert_string_equal(rows[0].level, "substantive");
	assert_string_equal(rows[0].reviewer, "Ada");
	assert_string_equal(rows[0].date, "2026-05-08");
	assert_string_equal(rows[0].pin, f.pin0);
	assert_string_equal(rows[0].review_pin, f.pin0);
	assert_string_equal(rows[1].claim, "cheap-jacobian");
	assert_string_equal(rows[1].status, "stale");
	assert_string_equal(rows[1].level, "source-checked");
	assert_string_equal(rows[1].review_pin, "0123456789ab");
	assert_string_not_equal(rows[1].pin, "0123456789ab");
	/* Reviewed twice, the earlier review at the current pin: that one
	 * counts, even though a later one is stale. */
	assert_string_equal(rows[2].claim, "composition");
	assert_string_equal(rows[2].status, "reviewed");
	assert_string_equal(rows[2].reviewer, "Cy");
	store_claim_rows_free(rows, n);

	/* Claims citing a source, across pages. */
	assert_int_equal(store_claims_list(s, "papamakarios-2021", &rows, &n,
	    &d), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].claim, "cheap-jacobian");
	assert_string_equal(rows[1].claim, "composition");
	store_claim_rows_free(rows, n);
	assert_int_equal(store_claims_list(s, "nobody", &rows, &n, &d), 0);
	assert_int_equal(n, 0);
	assert_null(rows);

	/* An unreviewed claim: drop the reviews. */
	assert_int_equal(store_exec(s, "DELETE FROM reviews WHERE claim = "
	    "'cheap-jacobian'", &d), 0);
	assert_int_equal(store_claims_list(s, NULL, &rows, &n, &d), 0);
	assert_string_equal(rows[1].status, "unreviewed");
	assert_null(rows[1].level);
	assert_null(rows[1].reviewer);
	assert_null(rows[1].review_pin);
	store_claim_rows_free(rows, n);
	assert_int_equal(d.nitems, 0);
	store_close(s);
	free(path);
}

static void test_content_rows(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	build_once(s);
	store_close(s);
	char hash[65];
	const char *text = "---\ntitle: Flows\n---\nbody\n";
	sha256_hex(text, strlen(text), hash);
	char *want = xasprintf("field/flows|content/field/flows.md|Flows|"
	    "Generative Models|Invertible maps.|published|core|4|"
	    "undergraduate|warp.svg|a warped grid|%s\n", hash);
	char *got = query(path, "SELECT * FROM pages");
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_query(path, "SELECT * FROM page_links ORDER BY kind, ord",
	    "field/flows|next|0|field/diffusion|||10\n"
	    "field/flows|prerequisite|0|foundations/mle|||9\n"
	    "field/flows|related|0||https://x.test/b|A blog|11\n"
	    "field/flows|related|1|field/vae|||11\n");
	assert_query(path, "SELECT * FROM page_sources ORDER BY ord",
	    "field/flows|0|rezende-2015|the density formula|13\n"
	    "field/flows|1|papamakarios-2021||14\n");
	assert_query(path, "SELECT id, authors, year, snapshot_sha256 IS NULL "
	    "FROM sources ORDER BY id",
	    "papamakarios-2021|Danilo Rezende; Shakir Mohamed|2015|1\n"
	    "rezende-2015|Danilo Rezende; Shakir Mohamed|2015|0\n");
	assert_query(path, "SELECT claim, ord, witness FROM claim_witnesses "
	    "ORDER BY claim, ord",
	    "cheap-jacobian|0|code:linear-flow\n"
	    "exact-density|0|eq:cov\n"
	    "exact-density|1|code:linear-flow\n");
	/* The duplicate claim's source 'nowhere' was not recorded. */
	assert_query(path, "SELECT count(*) FROM claim_sources WHERE source = "
	    "'nowhere'", "0\n");
	assert_query(path, "SELECT * FROM claim_support",
	    "field/flows|exact-density|0|rezende-2015|exact likelihood|"
	    "Sec. 3|21\n");
	assert_query(path, "SELECT page, id, kind, name, line, run_key FROM "
	    "witnesses ORDER BY line",
	    "field/flows|eq:cov|eq|cov|30|\n"
	    "field/flows|code:linear-flow|code|linear-flow|40|run-ok\n"
	    "field/flows|code:broken|code|broken|50|run-bad\n"
	    "field/flows|demo:grid-warp|demo|grid-warp|60|\n");
	assert_query(path, "SELECT claim, level, pin FROM reviews WHERE ord "
	    "= 1", "cheap-jacobian|source-checked|0123456789ab\n");
	free(path);
}

static void test_determinism(void **state)
{
	struct diags d = {0};
	char *p1 = db_path(state, "one.db"), *p2 = db_path(state, "two.db");
	struct store *s1 = store_open(p1, &d), *s2 = store_open(p2, &d);
	/* Different caches in each: they must not show in the dump. */
	struct store_run run = {"pass", "1\n", 3.5, NULL};
	assert_int_equal(store_run_put(s2, "k", &run, &d), 0);
	build_once(s1);
	build_once(s2);
	char *a = dump(s1), *b = dump(s2);
	assert_true(strlen(a) > 500);
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "claims\tfield/flows\tcheap-jacobian\t1\t"
	    "Triangular Jacobians are cheap.\t\\N\t"));
	/* A second build into the same database rewrites, not appends. */
	build_once(s1);
	char *c = dump(s1);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
	store_close(s1);
	store_close(s2);
	assert_int_equal(d.nitems, 0);
	free(p1);
	free(p2);
}

/* Writes the fixture with store_page_sync and store_source_sync, pruning
 * to what it holds; asserts what each call returned. */
static void sync_once(struct store *s, const struct page *p,
    const struct store_object *objs, size_t nobjs, int page_written,
    int sources_written)
{
	struct diags d = {0};
	struct source s1 = source_fixture("rezende-2015", 1);
	struct source s2 = source_fixture("papamakarios-2021", 0);
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_page_sync(s, p, objs, nobjs, &d), page_written);
	assert_int_equal(store_source_sync(s, &s1, &d), sources_written);
	assert_int_equal(store_source_sync(s, &s2, &d), sources_written);
	const char *pages[] = {p->id};
	const char *sources[] = {"papamakarios-2021", "rezende-2015"};
	assert_int_equal(store_prune(s, pages, 1, sources, 2, &d), 0);
	assert_int_equal(store_commit(s, &d), 0);
	assert_int_equal(d.nitems, 0);
	free(s1.path);
	free(s2.path);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Only what changed is written again, the result is the same rows as a
 * full rewrite, and what is gone is removed. */
static void test_sync_and_prune(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	char *full_path = db_path(state, "full.db");
	char *wal = xasprintf("%s-wal", path);
	struct store *s = store_open(path, &d);
	struct store *full = store_open(full_path, &d);
	struct fixture f;
	fixture_init(&f);
	struct store_object objs[] = {
		{"eq:cov", 30, NULL}, {"code:linear-flow", 40, "run-ok"},
		{"code:broken", 50, "run-bad"}, {"demo:grid-warp", 60, NULL},
	};

	/* The first build writes everything: the same rows as build_once. */
	sync_once(s, &f.page, objs, 4, 1, 1);
	build_once(full);
	char *a = dump(s), *b = dump(full);
	assert_true(strlen(a) > 500);
	assert_string_equal(a, b);
	assert_query(path, "SELECT kind, id FROM record_keys ORDER BY kind, id",
	    "page|field/flows\n"
	    "source|papamakarios-2021\n"
	    "source|rezende-2015\n");

	/* Nothing changed: nothing is written, not even to the WAL. */
	long before = file_size(wal);
	assert_true(before > 0);
	sync_once(s, &f.page, objs, 4, 0, 0);
	assert_int_equal(file_size(wal), before);
	char *c = dump(s);
	assert_string_equal(a, c);

	/* A new run key rewrites the page's rows, without duplicates. */
	objs[1].run_key = "run-new";
	sync_once(s, &f.page, objs, 4, 1, 0);
	assert_query(path, "SELECT run_key FROM witnesses WHERE id = "
	    "'code:linear-flow'", "run-new\n");
	assert_query(path, "SELECT count(*) FROM claims", "3\n");
	assert_query(path, "SELECT count(*) FROM reviews", "4\n");

	/* A changed file: a claim fewer and a new title, and the rows
	 * follow. */
	f.page.meta.title = "Normalizing flows";
	f.page.meta.nclaims = 1;
	sha256_hex("changed", 7, f.page.source_sha256);
	sync_once(s, &f.page, objs, 4, 1, 0);
	assert_query(path, "SELECT title FROM pages", "Normalizing flows\n");
	assert_query(path, "SELECT id FROM claims", "exact-density\n");
	assert_query(path, "SELECT count(*) FROM claim_sources", "1\n");

	/* The page and one source are gone. */
	assert_int_equal(store_begin(s, &d), 0);
	const char *sources[] = {"rezende-2015"};
	assert_int_equal(store_prune(s, NULL, 0, sources, 1, &d), 2);
	assert_int_equal(store_commit(s, &d), 0);
	static const char *const tables[] = {"pages", "page_links",
	    "page_sources", "claims", "claim_sources", "claim_witnesses",
	    "claim_support", "reviews", "witnesses"};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char *sql = xasprintf("SELECT count(*) FROM %s", tables[i]);
		assert_query(path, sql, "0\n");
		free(sql);
	}
	assert_query(path, "SELECT id FROM sources", "rezende-2015\n");
	assert_query(path, "SELECT kind, id FROM record_keys",
	    "source|rezende-2015\n");
	assert_int_equal(d.nitems, 0);
	store_close(s);
	store_close(full);
	free(a);
	free(b);
	free(c);
	free(wal);
	free(full_path);
	free(path);
}

/* A key of 64 hex digits: prefix, then the digit fill. */
static void make_key(char key[65], const char *prefix, char fill)
{
	memset(key, fill, 64);
	memcpy(key, prefix, strlen(prefix));
	key[64] = '\0';
}

/* store_keyset_find finds every key of a list that store_cache_keys gave,
 * among keys whose first 8 characters (what the search compares first)
 * are the same, and nothing else: not a key that shares those 8
 * characters, nor one before the first or after the last, nor a string
 * that is not a key. */
static void test_keyset(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "keys.db");
	struct store *s = store_open(path, &d);
	assert_non_null(s);
	const char *prefixes[] = {"0000000a", "5555555501", "5555555502",
	    "5555555503", "55555556", "ffffffff"};
	char key[65];
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		make_key(key, prefixes[i], '7');
		assert_int_equal(store_math_put(s, key, "x", &d), 0);
	}
	char *keys = NULL;
	size_t nkeys = 0;
	assert_int_equal(store_cache_keys(s, STORE_MATH_CACHE, &keys, &nkeys,
	    &d), 0);
	assert_int_equal(nkeys, 6);
	struct store_keyset set;
	store_keyset_init(&set, keys, nkeys);
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
		make_key(key, prefixes[i], '7');
		assert_int_equal(store_keyset_find(&set, key), (ptrdiff_t)i);
	}
	const char *absent[] = {"5555555504", "5555555500", "55555555",
	    "00000000", "fffffffff", "0000000a0"};
	for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
		make_key(key, absent[i], '7');
		assert_int_equal(store_keyset_find(&set, key), -1);
	}
	make_key(key, "5555555502", '7');
	key[63] = '8';                   /* differs only in its last digit */
	assert_int_equal(store_keyset_find(&set, key), -1);
	assert_int_equal(store_keyset_find(&set, ""), -1);
	key[40] = '\0';                  /* a key's first 40 digits */
	assert_int_equal(store_keyset_find(&set, key), -1);
	store_keyset_free(&set);
	store_keyset_init(&set, NULL, 0);
	make_key(key, "0000000a", '7');
	assert_int_equal(store_keyset_find(&set, key), -1);
	store_keyset_free(&set);
	free(keys);
	store_close(s);
	assert_int_equal(d.nitems, 0);
	free(path);
}

static void test_caches_persist(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	char *html = (char *)"unset";
	assert_int_equal(store_math_get(s, "m", &html, &d), 0);
	assert_null(html);
	struct store_run run = {(char *)"unset", NULL, 1, NULL};
	assert_int_equal(store_run_get(s, "w", &run, &d), 0);
	assert_null(run.status);

	assert_int_equal(store_math_put(s, "m", "<b>x</b>", &d), 0);
	struct store_run put = {"fail", "got 2\n", 12.25, NULL};
	assert_int_equal(store_run_put(s, "w", &put, &d), 0);
	build_once(s);   /* a build clears content, not caches */
	build_once(s);
	store_close(s);

	s = store_open(path, &d);
	assert_int_equal(store_math_get(s, "m", &html, &d), 1);
	assert_string_equal(html, "<b>x</b>");
	free(html);
	assert_int_equal(store_run_get(s, "w", &run, &d), 1);
	assert_string_equal(run.status, "fail");
	assert_string_equal(run.output, "got 2\n");
	assert_true(run.ms == 12.25);
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	assert_int_equal(strlen(run.ran_at), 20);
	assert_int_equal(run.ran_at[10], 'T');
	assert_int_equal(run.ran_at[19], 'Z');
	/* A failed run is not a passing one; a passing one gives its time. */
	double ms = -1;
	assert_int_equal(store_run_passed(s, "w", &ms, &d), 0);
	assert_true(ms == 0);
	assert_int_equal(store_run_passed(s, "none", &ms, &d), 0);
	struct store_run pass = {"pass", "1\n", 3.5, NULL};
	assert_int_equal(store_run_put(s, "p", &pass, &d), 0);
	assert_int_equal(store_run_passed(s, "p", &ms, &d), 1);
	assert_true(ms == 3.5);

	/* The keys of the math cache come back sorted and packed; a key that
	 * is not 64 characters long ("m" above) is not one folio wrote. */
	char k1[65], k2[65];
	memset(k1, 'b', 64);
	memset(k2, 'a', 64);
	k1[64] = k2[64] = '\0';
	assert_int_equal(store_math_put(s, k1, "1", &d), 0);
	assert_int_equal(store_math_put(s, k2, "2", &d), 0);
	char *keys = NULL;
	size_t nkeys = 0;
	assert_int_equal(store_cache_keys(s, STORE_MATH_CACHE, &keys, &nkeys,
	    &d), 0);
	assert_int_equal(nkeys, 2);
	assert_string_equal(keys, k2);
	assert_string_equal(keys + STORE_KEY_LEN + 1, k1);
	free(keys);
	/* Forgetting a key removes its row from that cache only. */
	struct store_run kept = {"pass", "out", 1.0, NULL};
	assert_int_equal(store_run_put(s, k1, &kept, &d), 0);
	assert_int_equal(store_cache_forget(s, STORE_MATH_CACHE, k1, &d), 0);
	assert_int_equal(store_cache_forget(s, STORE_MATH_CACHE, k1, &d), 0);
	assert_int_equal(store_cache_keys(s, STORE_MATH_CACHE, &keys, &nkeys,
	    &d), 0);
	assert_int_equal(nkeys, 1);
	assert_string_equal(keys, k2);
	free(keys);
	assert_int_equal(store_cache_keys(s, STORE_WITNESS_RUNS, &keys, &nkeys,
	    &d), 0);
	assert_int_equal(nkeys, 1);
	assert_string_equal(keys, k1);
	free(keys);
	assert_int_equal(store_cache_forget(s, STORE_WITNESS_RUNS, k1, &d), 0);
	assert_int_equal(store_cache_keys(s, STORE_WITNESS_RUNS, &keys, &nkeys,
	    &d), 0);
	assert_int_equal(nkeys, 0);
	free(keys);
	store_run_clear(&run);
	store_run_clear(NULL);

	/* put replaces */
	struct store_run again = {"pass", "", 0.5, NULL};
	assert_int_equal(store_run_put(s, "w", &again, &d), 0);
	assert_int_equal(store_math_put(s, "m", "<i>y</i>", &d), 0);
	assert_int_equal(store_run_get(s, "w", &run, &d), 1);
	assert_string_equal(run.status, "pass");
	assert_string_equal(run.output, "");
	store_run_clear(&run);
	assert_int_equal(store_math_get(s, "m", &html, &d), 1);
	assert_string_equal(html, "<i>y</i>");
	free(html);
	store_close(s);
	assert_query(path, "SELECT count(*) FROM witness_runs", "2\n");
	assert_int_equal(d.nitems, 0);
	free(path);
}

static void test_rollback_keeps_previous_build(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	build_once(s);
	char *before = dump(s);
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_clear(s, &d), 0);
	char *empty = dump(s);
	assert_string_equal(empty, "");
	store_rollback(s);
	store_rollback(s);   /* no transaction: harmless */
	char *after = dump(s);
	assert_string_equal(before, after);

	/* Closing with a transaction open rolls it back too. */
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_clear(s, &d), 0);
	store_close(s);
	s = store_open(path, &d);
	char *reopened = dump(s);
	assert_string_equal(before, reopened);
	store_close(s);
	store_close(NULL);
	assert_int_equal(d.nitems, 0);
	free(before);
	free(empty);
	free(after);
	free(reopened);
	free(path);
}

static void test_errors(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	struct fixture f;
	fixture_init(&f);
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_page_put(s, &f.page, &d), 0);
	assert_int_equal(store_page_put(s, &f.page, &d), -1);
	assert_int_equal(d.nitems, 1);
	char *msg = diag_format(&d.items[0]);
	char *want = xasprintf("%s: error: store: record page field/flows: "
	    "UNIQUE constraint failed: pages.id", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	store_rollback(s);

	/* A second begin inside a transaction. */
	assert_int_equal(store_begin(s, &d), 0);
	assert_int_equal(store_begin(s, &d), -1);
	msg = diag_format(&d.items[0]);
	want = xasprintf("%s: error: store: begin transaction: cannot start "
	    "a transaction within a transaction", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	store_rollback(s);
	assert_int_equal(store_commit(s, &d), -1);
	msg = diag_format(&d.items[0]);
	want = xasprintf("%s: error: store: commit transaction: cannot "
	    "commit - no transaction is active", path);
	assert_string_equal(msg, want);
	free(msg);
	free(want);
	diags_free(&d);
	store_close(s);
	free(path);
}

/* The three example queries of the README, verbatim. */
static const char readme_needing_review[] =
	"SELECT p.path, p.status, c.claim, c.status, c.pin\n"
	"FROM claim_status c JOIN pages p ON p.id = c.page\n"
	"WHERE c.status <> 'reviewed'\n"
	"ORDER BY p.path, c.ord;";
static const char readme_citing[] =
	"SELECT ps.page, ps.grounds,\n"
	"       (SELECT group_concat(claim, ', ') FROM\n"
	"         (SELECT cs.claim FROM claim_sources cs\n"
	"          WHERE cs.page = ps.page AND cs.source = ps.source\n"
	"          ORDER BY cs.claim)) AS claims\n"
	"FROM page_sources ps\n"
	"WHERE ps.source = 'rezende-2015'\n"
	"ORDER BY ps.page;";
static const char readme_failing[] =
	"SELECT w.page, w.id, w.line, r.status, r.ms\n"
	"FROM witnesses w JOIN witness_runs r ON r.key = w.run_key\n"
	"WHERE r.status <> 'pass'\n"
	"ORDER BY w.page, w.line;";

static void test_readme_queries(void **state)
{
	struct diags d = {0};
	char *path = db_path(state, "folio.db");
	struct store *s = store_open(path, &d);
	build_once(s);
	struct store_run ok = {"pass", "1\n", 2, NULL};
	struct store_run bad = {"fail", "2\n", 4.5, NULL};
	assert_int_equal(store_run_put(s, "run-ok", &ok, &d), 0);
	assert_int_equal(store_run_put(s, "run-bad", &bad, &d), 0);
	store_close(s);
	struct fixture f;
	fixture_init(&f);
	char pin1[13];
	page_claim_pin(&f.claims[1], pin1);
	char *want = xasprintf(
	    "content/field/flows.md|published|cheap-jacobian|stale|%s\n",
	    pin1);
	char *got = query(path, readme_needing_review);
	assert_string_equal(got, want);
	free(got);
	free(want);
	assert_query(path, readme_citing,
	    "field/flows|the density formula|composition, exact-density\n");
	assert_query(path, readme_failing,
	    "field/flows|code:broken|50|fail|4.5\n");
	assert_int_equal(d.nitems, 0);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_migration_failure_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_schema, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_not_a_database,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_status, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_content_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_determinism, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sync_and_prune, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_caches_persist, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_rollback_keeps_previous_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readme_queries, setup,
		    teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
