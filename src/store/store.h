/*
 * store.h -- build/folio.db, the SQLite database a build writes: the
 * content of the site (pages, links, sources, claims, reviews, witnesses)
 * as queryable tables, plus the caches that make the next build
 * incremental (witness runs, typeset math).  Only src/store/ includes
 * sqlite3.h.
 *
 * Two kinds of table:
 *   content  pages, page_links, page_sources, sources, claims,
 *            claim_sources, claim_witnesses, claim_support, reviews,
 *            witnesses.  The text files are the source of truth: a build
 *            writes, inside one transaction, the rows of every page and
 *            source that changed since the last build (record_keys holds
 *            the key each was written under) and removes those of pages
 *            and sources that are gone.  No timestamps or random ids, so
 *            two builds of the same input give the same rows.
 *   cache    witness_runs, math_cache.  Kept across builds; keyed by a
 *            content hash the caller computes.
 * and a view, claim_status, giving each claim's review state.
 *
 * The schema is versioned with PRAGMA user_version (STORE_SCHEMA_VERSION);
 * store_open applies the missing migrations in order, so a database of any
 * older version is brought up to date with its cached rows kept.
 *
 * Errors: every function that can fail appends a system diagnostic
 * ("path: error: store: ...", with sqlite3_errmsg) to the caller's list and
 * returns -1.  A store handle must be used by one thread at a time.
 *
 * Typical build:
 *   struct store *s = store_open("build/folio.db", d);
 *   store_begin(s, d);
 *   for each page: store_page_sync(s, p, objs, nobjs, d);
 *   for each source: store_source_sync(s, src, d);
 *   store_prune(s, page_ids, npages, source_ids, nsources, d);
 *   store_commit(s, d)   (or store_rollback(s) when the build fails)
 *   store_close(s);
 */
#ifndef FOLIO_STORE_H
#define FOLIO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "page/page.h"
#include "util/util.h"

/* The schema version this folio writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 3

struct store;

/* Opens the database at path, creating it (and no folders) when missing,
 * switches it to WAL mode, and migrates it to STORE_SCHEMA_VERSION.
 * Returns the handle (free with store_close), or NULL with a diagnostic
 * when the file cannot be opened, is not a database, or has a schema newer
 * than this folio knows. */
struct store *store_open(const char *path, struct diags *d);
/* Closes the database; a transaction still open is rolled back.  Accepts
 * NULL. */
void store_close(struct store *s);
/* The database's schema version (PRAGMA user_version), or -1. */
int store_schema_version(struct store *s);

/* ---- transactions.  A build's writes go between store_begin and
 * store_commit; store_rollback undoes them all.  Cache writes outside a
 * transaction commit on their own. */
int store_begin(struct store *s, struct diags *d);
int store_commit(struct store *s, struct diags *d);
/* Undoes the open transaction, if any.  Never fails. */
void store_rollback(struct store *s);

/* ---- content.  These require an open transaction (store_begin). */

/* Deletes every row of the content tables; the caches are kept. */
int store_clear(struct store *s, struct diags *d);

/* Records a page: its row in pages (with the SHA-256 of its source text),
 * its prerequisite / next / related links, the sources it lists, its claims
 * (with each claim's current pin, page_claim_pin), their sources, witnesses
 * and support quotes, and its reviews.  Positions (line numbers) are kept
 * so that queries can point into the file.  A claim id that repeats on the
 * page is recorded once, from its first occurrence (folio check reports
 * the duplicate).  Returns 0, or -1 with a diagnostic (a page id recorded
 * twice is an error). */
int store_page_put(struct store *s, const struct page *p, struct diags *d);

/* Records a source (sources/<id>.yaml): authors joined by "; ", and
 * whether it has a local snapshot with the snapshot's SHA-256.  Returns 0,
 * or -1 with a diagnostic. */
int store_source_put(struct store *s, const struct source *src,
    struct diags *d);

/* An object on a page that claims can cite as a witness. */
struct store_object {
	const char *id;      /* "code:NAME", "eq:NAME" or "demo:NAME" */
	int line;            /* line in the .md file, 0 when unknown */
	const char *run_key; /* witness_runs key of its latest run, or NULL */
};

/* Records the objects found on page page_id (kind and name are split at
 * the first ':'; an id without one is recorded with kind ""), replacing
 * none: call it once per page.  Returns 0, or -1 with a diagnostic. */
int store_objects_put(struct store *s, const char *page_id,
    const struct store_object *objs, size_t nobjs, struct diags *d);

/* ---- content, written only where it changed.  These require an open
 * transaction.  A page's rows are recorded under the SHA-256 of what they
 * derive from (folio's version, the page's id, path and file, and its
 * objects with their lines and run keys), a source's row under that of its
 * values; a build of an unchanged site therefore writes nothing. */

/* Writes page p's rows and its objects (as store_page_put and
 * store_objects_put do), replacing the rows it had, unless they were
 * written under the same key.  Returns 1 when it wrote them, 0 when they
 * were kept, -1 with a diagnostic. */
int store_page_sync(struct store *s, const struct page *p,
    const struct store_object *objs, size_t nobjs, struct diags *d);
/* The same for a source's row. */
int store_source_sync(struct store *s, const struct source *src,
    struct diags *d);
/* Deletes the rows of every recorded page whose id is not among page_ids
 * and of every source not among source_ids (both sorted in strcmp order).
 * Returns the number of pages and sources removed, or -1 with a
 * diagnostic. */
int store_prune(struct store *s, const char *const *page_ids, size_t npages,
    const char *const *source_ids, size_t nsources, struct diags *d);

/* ---- caches.  Keys are content hashes chosen by the caller (e.g.
 * SHA-256 of the snippet and the options that affect the result). */

/* Looks key up in math_cache.  Returns 1 and sets *html (caller frees),
 * 0 when absent (*html = NULL), or -1 with a diagnostic. */
int store_math_get(struct store *s, const char *key, char **html,
    struct diags *d);
/* The length of a cache key: 64 hex digits of SHA-256. */
#define STORE_KEY_LEN 64

/* Stores or replaces key's html.  Returns 0, or -1 with a diagnostic. */
int store_math_put(struct store *s, const char *key, const char *html,
    struct diags *d);

/* The two caches, for what both have. */
enum store_cache { STORE_MATH_CACHE, STORE_WITNESS_RUNS };

/* Every key of cache c, sorted (strcmp order), so that a build can tell
 * which formulas it must typeset with one query, and which cached rows no
 * page uses any more.  Sets *keys to *nkeys keys packed one after
 * another, each STORE_KEY_LEN characters and a NUL (the caller frees
 * *keys).  Returns 0, or -1 with a diagnostic. */
int store_cache_keys(struct store *s, enum store_cache c, char **keys,
    size_t *nkeys, struct diags *d);
/* Keys as store_cache_keys gives them (sorted, packed), indexed for
 * lookups (keyset.c). */
struct store_keyset {
	const char *keys;          /* not owned */
	size_t nkeys;
	uint64_t *prefix;          /* each key's first 8 bytes, big-endian */
};
void store_keyset_init(struct store_keyset *k, const char *keys,
    size_t nkeys);
/* The index of key (STORE_KEY_LEN characters and a NUL) among the keys,
 * or -1 when it is not there. */
ptrdiff_t store_keyset_find(const struct store_keyset *k, const char *key);
void store_keyset_free(struct store_keyset *k);

/* The number of rows in cache c, into *n.  Returns 0, or -1 with a
 * diagnostic. */
int store_cache_count(struct store *s, enum store_cache c, size_t *n,
    struct diags *d);
/* Removes key's row from cache c, if any (a formula or witness no page
 * has any more).  Returns 0, or -1 with a diagnostic. */
int store_cache_forget(struct store *s, enum store_cache c, const char *key,
    struct diags *d);

/* A cached witness run. */
struct store_run {
	char *status;  /* "pass", "fail", "error", "timeout" (caller's words) */
	char *output;  /* what the program printed */
	double ms;     /* run time in milliseconds */
	char *ran_at;  /* UTC time of the run, "YYYY-MM-DDTHH:MM:SSZ"; set by
	                  store_run_put, ignored on input */
};

/* Looks key up in witness_runs.  Returns 1 and fills *run (free its
 * strings with store_run_clear), 0 when absent (*run zeroed), or -1 with a
 * diagnostic. */
int store_run_get(struct store *s, const char *key, struct store_run *run,
    struct diags *d);
/* Whether key holds a run whose status is "pass", and its run time:
 * returns 1 and sets *ms, 0 when it holds none (or a failed one), -1 with
 * a diagnostic.  Copies nothing: the warm path of a build. */
int store_run_passed(struct store *s, const char *key, double *ms,
    struct diags *d);
/* Stores or replaces the run under key, stamping ran_at with the current
 * time.  Returns 0, or -1 with a diagnostic. */
int store_run_put(struct store *s, const char *key,
    const struct store_run *run, struct diags *d);
/* Frees the strings of a run filled by store_run_get; accepts NULL. */
void store_run_clear(struct store_run *run);

/* ---- queries */

/* One row of the claim_status view. */
struct store_claim_row {
	char *page;       /* page id */
	char *claim;      /* claim id */
	char *text;       /* claim text */
	char *pin;        /* current pin */
	char *status;     /* "reviewed", "stale" or "unreviewed" */
	char *level;      /* review level, or NULL when unreviewed */
	char *reviewer;   /* or NULL */
	char *date;       /* or NULL */
	char *review_pin; /* the pin the review names, or NULL */
};

/* Reads claim_status ordered by page and claim position.  With source
 * non-NULL, only the claims citing that source (across all pages).  Sets
 * *rows (free with store_claim_rows_free) and *nrows.  Returns 0, or -1
 * with a diagnostic. */
int store_claims_list(struct store *s, const char *source,
    struct store_claim_row **rows, size_t *nrows, struct diags *d);
void store_claim_rows_free(struct store_claim_row *rows, size_t nrows);

/* Appends every row of the content tables to out, one line per row:
 * "table<TAB>value<TAB>value...", NULL as "\N", tables in a fixed order and
 * rows by primary key.  Two builds of the same input give the same dump.
 * Returns 0, or -1 with a diagnostic. */
int store_content_dump(struct store *s, struct buf *out, struct diags *d);

/* Runs sql (one or more statements, no results) as is: for tests and
 * maintenance.  Returns 0, or -1 with a diagnostic. */
int store_exec(struct store *s, const char *sql, struct diags *d);

#endif
