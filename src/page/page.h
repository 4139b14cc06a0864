/*
 * page.h -- the page model: a concept page's front matter, parsed with
 * libyaml into typed, validated structs, and its Markdown body kept as text
 * for the markdown stage.  Also the source records of sources/<id>.yaml.
 *
 * Every value that a later check may complain about carries its position
 * (1-based line and column in the .md or .yaml file, front matter lines
 * counted), so that diagnostics point at the offending text.
 *
 * Ownership: page_load returns a struct page that owns every string below
 * it; page_free releases it all.
 */
#ifndef FOLIO_PAGE_H
#define FOLIO_PAGE_H

#include <stddef.h>

#include "util/util.h"

enum page_status { PAGE_DRAFT, PAGE_REVIEW, PAGE_PUBLISHED };
enum page_importance {
	IMPORTANCE_UNSET, IMPORTANCE_CORE, IMPORTANCE_IMPORTANT,
	IMPORTANCE_SUPPLEMENTARY,
};
enum page_math {
	MATH_NONE, MATH_HIGH_SCHOOL, MATH_UNDERGRADUATE, MATH_GRADUATE,
};
enum review_level {
	REVIEW_SUBSTANTIVE, REVIEW_SOURCE_CHECKED, REVIEW_METADATA,
};

/* A string with the position of its value in the file. */
struct located {
	char *s;    /* the value, never NULL once parsed */
	int line;   /* 1-based */
	int col;    /* 1-based, in characters */
};

struct located_list {
	struct located *items;
	size_t nitems;
};

/* related: either a page id (page set) or an external link (url set). */
struct page_related {
	char *title;    /* display title; NULL for a page id until resolved */
	char *url;      /* external address, or NULL */
	char *page;     /* page id, or NULL */
	int line, col;  /* position of the entry */
};

struct page_source_use {
	struct located id;  /* source id (sources/<id>.yaml) */
	char *grounds;      /* what the source grounds on this page, or NULL */
};

struct page_support {
	struct located source;  /* source id the quote comes from */
	struct located quote;   /* must occur in sources/<id>.txt */
	char *locator;          /* "Sec. 3", or NULL */
};

struct page_claim {
	struct located id;             /* unique within the page */
	struct located text;           /* the claim itself */
	struct located_list sources;   /* source ids (must be in page sources) */
	struct located_list witnesses; /* eq:NAME, code:NAME, demo:NAME */
	char *scope;                   /* what the sources do not justify, or NULL */
	struct page_support *support;
	size_t nsupport;
};

struct page_review {
	struct located claim;     /* the reviewed claim's id */
	enum review_level level;
	char *reviewer;
	char *date;               /* YYYY-MM-DD */
	char *summary;
	struct located pin;       /* 12 hex digits */
	int line, col;            /* position of the review entry */
};

struct page_misconception {
	char *id;
	char *text;
	char *correction;
	int line, col;
};

struct page_meta {
	char *title;
	char *domain;
	char *summary;
	enum page_status status;
	enum page_importance importance;
	int difficulty;              /* 1..5 */
	enum page_math math;
	char *hero_image;            /* or NULL */
	char *hero_alt;              /* or NULL */
	int hero_line, hero_col;     /* position of hero:, for warnings */
	struct located_list prerequisites;  /* page ids */
	struct located_list next;           /* page ids */
	struct page_related *related;
	size_t nrelated;
	char *carry_in, *work_here, *carry_out;   /* bridge, each or NULL */
	struct page_source_use *sources;
	size_t nsources;
	struct page_claim *claims;
	size_t nclaims;
	struct page_review *reviews;
	size_t nreviews;
	struct page_misconception *misconceptions;
	size_t nmisconceptions;
	char *predict;               /* practice.predict, or NULL */
	struct located_list hints;   /* practice.hints */
	char *question;              /* research.question, or NULL */
	struct located_list evidence;  /* research.evidence */
	struct located_list resolves;  /* research.resolves */
	char *demo_json;             /* demo: as compact JSON text, or NULL */
	int demo_line, demo_col;
};

struct page {
	char *path;        /* as given to page_load, e.g. content/a/b.md */
	char *id;          /* a/b */
	struct page_meta meta;
	char *body;        /* the Markdown after the front matter */
	size_t body_len;
	int body_line;     /* line of the file where body line 1 is */
	char source_sha256[65]; /* SHA-256 of the whole file, hex; "" if unknown */
};

/* A page id: parts of lowercase ASCII letters, digits and '-' (not
 * first), joined by single '/' ("generative-models/normalizing-flows").
 * The one rule for the ids a page cites, the files pages are read from
 * (their path under content/ is their id, and their URL), and folio new.
 * A source id (sources/<id>.yaml) is one such part. */
int page_id_valid(const char *id);

/* Reads and parses the page file at path, whose id is id.  On success
 * returns a new page (free with page_free) and may have appended warnings;
 * on failure appends errors ("path:line:col: error: page: ...") and returns
 * NULL.  All errors in the front matter are reported, not only the first. */
struct page *page_load(const char *path, const char *id, struct diags *d);
/* Same, from text in memory (for tests and fuzzing). */
struct page *page_parse(const char *path, const char *id, const char *text,
    size_t len, struct diags *d);
void page_free(struct page *p);

const char *page_status_name(enum page_status s);
const char *page_importance_name(enum page_importance i);
const char *page_math_name(enum page_math m);
const char *review_level_name(enum review_level l);

/* A claim's pin (DESIGN.md): the first 12 hex digits of SHA-256 of
 * T "\n" S "\n" W.  Writes 12 hex digits and a NUL to pin. */
void page_claim_pin(const struct page_claim *c, char pin[13]);
/* The same, from the parts (text, sorted-or-not source and witness ids). */
void page_pin_compute(const char *text, char *const *sources, size_t nsources,
    char *const *witnesses, size_t nwitnesses, char pin[13]);

/* ---- sources/<id>.yaml */

struct source {
	char *id;
	char *path;          /* sources/<id>.yaml */
	char *kind;          /* paper | book | article | docs | code | video */
	char *title;
	char **authors;
	size_t nauthors;
	int year;
	char *venue;         /* or NULL */
	char *url;           /* or NULL */
	char *doi;           /* or NULL */
	char *snapshot;      /* sources/<id>.txt contents, or NULL */
	char *snapshot_path; /* or NULL */
};

/* Loads sources/<id>.yaml (and <id>.txt beside it, when present).  Returns
 * NULL with errors appended when the record is malformed. */
struct source *source_load(const char *yaml_path, const char *id,
    struct diags *d);
void source_free(struct source *s);
/* "Rezende and Mohamed", "Smith et al.": the short author line. */
char *source_authors_short(const struct source *s);


/* ---- content/site.yaml */

struct site_config {
	char *title;          /* site title; "folio" when unset */
	char *base_url;       /* absolute base URL without a trailing '/', or "" */
	char *description;    /* or NULL */
	char *macros_json;    /* katex.macros as a JSON object, or NULL */
	int witness_timeout_ms;  /* witness.timeout_ms, default 2000 */
	int witness_cpu_s;       /* witness.cpu_s, default 2 */
	int witness_memory_mb;   /* witness.memory_mb, default 256 */
	int witness_output_kb;   /* witness.output_kb, default 64 */
};

/* Reads content/site.yaml at path; a missing file gives the defaults.
 * Returns NULL with errors appended when the file is malformed. */
struct site_config *site_config_load(const char *path, struct diags *d);
void site_config_free(struct site_config *c);

#endif
