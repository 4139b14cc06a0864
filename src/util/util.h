/*
 * util.h -- the few things every stage of folio shares.
 *
 * Divisions:
 *   memory       xmalloc and friends: abort on out-of-memory, never NULL
 *   buffers      struct buf, a growable byte string that is always
 *                NUL-terminated
 *   diagnostics  struct diags, the list of located messages that every stage
 *                appends to ("path:line:col: error: stage: message")
 *   files        reading whole files, writing files, making folders
 *   hashing      SHA-256 as lowercase hex (OpenSSL's libcrypto)
 *   text         escaping and small string helpers
 */
#ifndef FOLIO_UTIL_H
#define FOLIO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define FOLIO_VERSION "0.1.0"

/* ---- memory: every allocator aborts with a message when out of memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- buffers: {NULL, 0, 0} is a valid empty buffer. */
struct buf {
	char *data;  /* NUL-terminated when cap > 0 */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
};
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends "name length\n" + value + "\n" (NULL counts as ""): text to hash
 * for a cache key, framed so that no two different sequences of fields
 * give the same bytes. */
void buf_put_field(struct buf *b, const char *name, const char *value);
/* Room for n more bytes at the end of b, for a read(2) straight into the
 * buffer; buf_grew(b, k) then counts the k bytes written there. */
char *buf_room(struct buf *b, size_t n);
void buf_grew(struct buf *b, size_t k);
/* Returns the buffer's string (never NULL; "" for an empty buffer) and
 * leaves b empty; the caller frees the string. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);

/* ---- diagnostics */
enum diag_level {
	DIAG_NOTE,
	DIAG_WARNING,
	DIAG_ERROR,
};

struct diag {
	enum diag_level level;
	char *path;     /* file the message is about, or NULL */
	int line;       /* 1-based; 0 when the message is about the whole file */
	int col;        /* 1-based; 0 when unknown */
	char *stage;    /* "page", "math", "witness", "check", ... */
	char *message;  /* one line, no trailing newline */
	char *detail;   /* optional further lines (a diff), or NULL */
	char *code;     /* optional machine-readable kind ("stale-review"), or NULL */
};

struct diags {
	struct diag *items;
	size_t nitems;
	size_t cap;
};

/* Appends a diagnostic; path and stage are copied.  Returns the new entry so
 * that a caller can attach detail or code (its strings are owned by the
 * list). */
struct diag *diags_add(struct diags *d, enum diag_level level,
    const char *path, int line, int col, const char *stage,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Moves every entry of src to the end of dst; src is left empty. */
void diags_move(struct diags *dst, struct diags *src);
size_t diags_count(const struct diags *d, enum diag_level level);
/* Sorts by path, line, column (stable), so output does not depend on the
 * order that parallel jobs finished in. */
void diags_sort(struct diags *d);
/* Writes each diagnostic as "path:line:col: level: stage: message", then its
 * detail, if any. */
void diags_print(FILE *f, const struct diags *d);
/* Formats one diagnostic's first line into a fresh string, its path and
 * message made safe to print (buf_put_terminal). */
char *diag_format(const struct diag *g);
/* The diagnostic's detail lines, made safe to print, or NULL. */
char *diag_detail_format(const struct diag *g);
const char *diag_level_name(enum diag_level level);
void diags_free(struct diags *d);

/* ---- files */
/* Reads a whole file into a fresh NUL-terminated string (*len gets its
 * length, when len is not NULL).  Only a regular file (symbolic links
 * followed) is read: anything else is an error, not a wait or an endless
 * read.  On failure appends a system diagnostic for
 * the stage and returns -1; returns 0 on success. */
int file_read(const char *path, char **out, size_t *len, struct diags *d,
    const char *stage);
/* Writes n bytes to path, creating or truncating it.  Returns 0, or -1 with
 * a diagnostic. */
int file_write(const char *path, const void *p, size_t n, struct diags *d,
    const char *stage);
/* mkdir -p.  Returns 0, or -1 with errno set. */
int dir_make(const char *path);
/* rm -rf.  Returns 0, or -1 with errno set (a missing path is not an
 * error). */
int dir_remove(const char *path);
/* Copies a file.  Returns 0, or -1 with a diagnostic. */
int file_copy(const char *from, const char *to, struct diags *d,
    const char *stage);
/* Copies a folder tree (files and folders only).  Returns 0, or -1 with a
 * diagnostic. */
int dir_copy(const char *from, const char *to, struct diags *d,
    const char *stage);
int path_exists(const char *path);
int path_is_dir(const char *path);
/* Joins two path parts with one '/'; the caller frees the result. */
char *path_join(const char *a, const char *b);
/* The absolute path of path with every symbolic link, "." and ".."
 * resolved, also when its last parts do not exist yet (they are taken by
 * name: "build/new/../out" is <cwd>/build/out).  The caller frees it. */
char *path_resolve(const char *path);
/* 1 when the resolved path is the resolved folder dir or inside it
 * ("/a/bc" is not inside "/a/b"), else 0. */
int path_within(const char *path, const char *dir);

/* ---- hashing */
/* Writes the 64 lowercase hex digits of SHA-256(p, n) and a NUL to hex. */
void sha256_hex(const void *p, size_t n, char hex[65]);

/* ---- text */
/* Appends s (n bytes) to b with &, <, >, ", ' escaped for HTML. */
void html_escape(struct buf *b, const char *s, size_t n);
/* Levenshtein distance, for "did you mean" hints. */
size_t edit_distance(const char *a, const char *b);
/* Among the NULL-terminated list of candidates, the one closest to word,
 * or NULL when none is close enough to be a plausible typo. */
const char *closest_word(const char *word, const char *const *candidates);
/* The length (1..4) of the valid UTF-8 sequence at s, or 0 when the bytes
 * there are not one (bad lead byte, truncated, overlong, surrogate, beyond
 * U+10FFFF).  s is NUL-terminated. */
int utf8_char_len(const char *s);
/* Appends s to b as it may be printed on a terminal or in a CI log:
 * control characters but TAB and LF shown as escapes, and bytes that are
 * not UTF-8 as U+FFFD. */
void buf_put_terminal(struct buf *b, const char *s);
/* Counts UTF-8 code points in the first n bytes of s (for columns). */
int utf8_columns(const char *s, size_t n);
int str_starts(const char *s, const char *prefix);
int str_ends(const char *s, const char *suffix);

#endif
