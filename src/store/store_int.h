/*
 * store_int.h -- private to src/store/: the handle and the helpers that the
 * store's files share.
 */
#ifndef FOLIO_STORE_INT_H
#define FOLIO_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

/* Prepared statements, compiled on first use and kept until store_close. */
enum stmt {
	ST_PAGE, ST_LINK, ST_PAGE_SOURCE, ST_CLAIM, ST_CLAIM_SOURCE,
	ST_CLAIM_WITNESS, ST_CLAIM_SUPPORT, ST_REVIEW, ST_SOURCE, ST_OBJECT,
	ST_MATH_GET, ST_MATH_PUT, ST_MATH_FORGET, ST_RUN_FORGET, ST_RUN_GET, ST_RUN_PASSED, ST_RUN_PUT,
	ST_RECORD_GET, ST_RECORD_PUT, ST_RECORD_DELETE,
	/* Deleting one page's rows (records.c), one statement per table,
	 * in this order, and one source's row. */
	ST_FORGET_PAGE_FIRST, ST_FORGET_PAGE_LAST = ST_FORGET_PAGE_FIRST + 8,
	ST_FORGET_SOURCE,
	ST_COUNT
};

struct store {
	sqlite3 *db;
	char *path;                   /* for diagnostics */
	sqlite3_stmt *stmts[ST_COUNT];
};

/* Appends "path: error: store: what: <sqlite message>" and returns -1. */
int store_fail(struct store *s, const char *what, struct diags *d);
/* Runs sql (no results); on failure reports what and returns -1. */
int store_sql(struct store *s, const char *sql, const char *what,
    struct diags *d);
/* The prepared statement which, reset and with bindings cleared, or NULL
 * with a diagnostic. */
sqlite3_stmt *store_stmt(struct store *s, enum stmt which, struct diags *d);
/* Binds text s (not copied: it must live until the step), or NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Steps st once, expecting no row; resets it.  On failure reports what
 * and returns -1. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
    struct diags *d);
/* The key a source's row is recorded under (content.c): the SHA-256 of
 * the values of its row. */
void store_source_key(const struct source *src, char hex[65]);
/* Applies the migrations (schema.c). */
int store_migrate(struct store *s, struct diags *d);

#endif
