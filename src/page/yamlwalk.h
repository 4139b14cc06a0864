/*
 * yamlwalk.h -- private to the page stage: a libyaml document with the
 * helpers that read it into typed fields while reporting located errors.
 * The only includer of yaml.h is yamlwalk.c (and this header).
 */
#ifndef FOLIO_PAGE_YAMLWALK_H
#define FOLIO_PAGE_YAMLWALK_H

#include <yaml.h>

#include "page.h"

/* One parsed YAML text and where its line 1 sits in the file. */
struct yw {
	yaml_document_t doc;
	int loaded;          /* doc must be deleted */
	const char *path;    /* for diagnostics */
	const char *stage;   /* their stage: "page", "source", "config" */
	int line_offset;     /* added to libyaml's 0-based line + 1 */
	struct diags *d;
	int errors;          /* errors reported so far */
};

/* Parses text; on a syntax error reports it and returns -1.  Diagnostics
 * about this text name the stage given. */
int yw_load(struct yw *w, const char *stage, const char *path,
    const char *text, size_t len, int line_offset, struct diags *d);
void yw_free(struct yw *w);
/* yamlbounds.c: checks that the document w loaded from text nests at most
 * 64 levels deep and that its aliases add at most 1 MiB to it (the limits
 * and why are there); otherwise reports the node or alias at fault and
 * returns -1.  yw_load calls it: the readers may rely on both. */
int yw_check_bounds(struct yw *w, const char *text, size_t len);
yaml_node_t *yw_root(struct yw *w);

int yw_line(const struct yw *w, const yaml_node_t *n);
int yw_col(const struct yw *w, const yaml_node_t *n);
/* Reports an error at node n and counts it. */
void yw_error(struct yw *w, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void yw_warning(struct yw *w, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks that n is a mapping whose keys are all in allowed (NULL-
 * terminated) and appear once; reports an unknown key with a "did you
 * mean" hint and a duplicate key.  what names the mapping in messages
 * ("front matter", "claim").  Returns 0 when n is a mapping (even with bad
 * keys), -1 when it is not one. */
int yw_check_map(struct yw *w, yaml_node_t *n, const char *what,
    const char *const *allowed);
/* Reports every key of mapping n (when it is one) that an earlier key
 * repeats, as yw_check_map does, for a mapping whose keys are free. */
void yw_check_unique(struct yw *w, yaml_node_t *n, const char *what);
/* The value of key in mapping n, or NULL. */
yaml_node_t *yw_get(struct yw *w, yaml_node_t *n, const char *key);
/* The key node of key in mapping n, for positions, or NULL. */
yaml_node_t *yw_get_key(struct yw *w, yaml_node_t *n, const char *key);
/* The value of a required key; reports "missing required key" at the
 * mapping when absent. */
yaml_node_t *yw_require(struct yw *w, yaml_node_t *map, const char *key,
    const char *what);

/* Readers: each reports a type error at n and returns -1 when n is not of
 * the type; on success stores a fresh copy and returns 0.  A NULL n leaves
 * the destination alone and returns 0. */
int yw_string(struct yw *w, yaml_node_t *n, const char *key, char **out);
int yw_located(struct yw *w, yaml_node_t *n, const char *key,
    struct located *out);
int yw_int(struct yw *w, yaml_node_t *n, const char *key, long min,
    long max, int *out);
/* A list of strings (a single string is not accepted). */
int yw_string_list(struct yw *w, yaml_node_t *n, const char *key,
    struct located_list *out);
/* One of the NULL-terminated names; stores its index. */
int yw_enum(struct yw *w, yaml_node_t *n, const char *key,
    const char *const *names, int *out);

/* Number of items of a sequence node (0 for NULL), and item i. */
size_t yw_seq_len(struct yw *w, yaml_node_t *n);
yaml_node_t *yw_seq_item(struct yw *w, yaml_node_t *n, size_t i);
int yw_is_seq(const yaml_node_t *n);
int yw_is_map(const yaml_node_t *n);
int yw_is_scalar(const yaml_node_t *n);
const char *yw_scalar(const yaml_node_t *n);

/* Converts node n to compact JSON text (mappings, sequences, scalars as
 * strings, numbers and booleans where plain scalars look like them); the
 * caller frees. */
char *yw_to_json(struct yw *w, yaml_node_t *n);
/* The same with every scalar a JSON string, its text as written: for
 * values that are text whatever they look like (a KaTeX macro `5` is the
 * TeX "5", not a number). */
char *yw_to_json_text(struct yw *w, yaml_node_t *n);

void located_list_free(struct located_list *l);

/* An absolute http(s) URL with a host and no blanks, quotes or angle
 * brackets. */
int yw_valid_url(const char *s);

#endif
