/*
 * check.h -- the checks of claims, sources and reviews (`folio check`, and
 * the verification half of `folio build`), and the check report in the
 * formats of `folio check --format text|github|json|junit`.
 *
 * Divisions:
 *   checks  check_run: every claim, source and review check, each a
 *           located diagnostic (stage "check", with a machine-readable
 *           code), and the per-claim review state the renderer shows
 *   report  struct report: the "test cases" (witness runs and claims) and
 *           report_write, which prints diagnostics and cases in a format
 *
 * The diagnostics, each at the position of the offending text (the .md
 * file, or sources/<id>.yaml for an unused source), with their code:
 *
 *   error    unknown-source    page lists source 'X', but there is no
 *                              sources/X.yaml[; did you mean 'Y'?]
 *   error    unknown-source    claim 'C' cites source 'X', but there is no
 *                              sources/X.yaml[; did you mean 'Y'?]
 *   error    unlisted-source   claim 'C' cites source 'X', which the page
 *                              does not list under sources
 *   error    unknown-witness   claim 'C' names witness 'code:w', which is
 *                              not on this page[; did you mean 'code:v'?]
 *   error    bad-witness       claim 'C' names witness 'w'; a witness is
 *                              eq:NAME, code:NAME or demo:NAME[; did you
 *                              mean 'code:w'?]
 *   error    duplicate-claim   duplicate claim id 'C' (first at line N)
 *   error    unknown-claim     review of unknown claim 'X'[; did you mean
 *                              'Y'?]
 *   warning  stale-review      claim 'C' changed since it was reviewed
 *                              (review pin P, current pin Q); review it
 *                              again and set pin: Q
 *   warning  unreviewed-claim  claim 'C' on a published page has no review
 *   error    quote-not-found   quote for claim 'C' does not occur in
 *                              sources/X.txt
 *                              (detail: how much of the quote matches:
 *                              "    the snapshot has the quote's first N
 *                              of M characters, up to "..."")
 *   warning  no-snapshot       quote for claim 'C' cannot be checked:
 *                              source 'X' has no snapshot sources/X.txt
 *   warning  unused-source     source 'X' is not used by any page
 *
 * A support quote's source is checked like a claim's sources ("support
 * quote of claim 'C' cites source 'X', ..." with unknown-source and
 * unlisted-source).  With --strict every warning is an error, like the
 * rest of folio's warnings: stale-review, unreviewed-claim, unused-source
 * and no-snapshot (a quote nothing can check is a claim nobody verified).
 */
#ifndef FOLIO_CHECK_H
#define FOLIO_CHECK_H

#include <stdio.h>

#include "page/page.h"
#include "util/util.h"

/* ---- checks */

/* A page with the objects the markdown stage found in its body. */
struct check_page {
	const struct page *page;
	const char *const *objects; /* "eq:NAME", "code:NAME", "demo:NAME" */
	size_t nobjects;
};

struct check_opts {
	int strict;   /* --strict: the warnings listed above become errors */
};

enum claim_state { CLAIM_REVIEWED, CLAIM_STALE, CLAIM_UNREVIEWED };

/* A claim's review state, as the renderer shows it. */
struct check_claim {
	const struct page *page;
	const struct page_claim *claim;
	enum claim_state state;
	const struct page_review *review;  /* the review that counts, or NULL */
	char pin[13];                      /* the claim's current pin */
	int failed;   /* check_run reported its state as an error (strict) */
};

struct check_result {
	struct check_claim *claims;  /* every claim of every page, in order */
	size_t nclaims;
};

/* The review state of claim i of page p.  The review that counts is the
 * last one of the claim (in file order) whose pin is the claim's current
 * pin: the claim is reviewed.  Without one, the last review of the claim
 * makes it stale, and no review at all leaves it unreviewed.  (The
 * claim_status view of the store applies the same rule.) */
void check_claim_status(const struct page *p, size_t i,
    struct check_claim *out);
const char *check_claim_state_name(enum claim_state s);

/* Runs every check over the pages and the sources that loaded (a source
 * missing from the list counts as not existing).  Appends diagnostics to d
 * in page order, then the unused sources; fills res (free with
 * check_result_free) with every claim's state.  The pages and sources must
 * outlive res.  Returns 0 when no error was appended, -1 otherwise
 * (warnings alone return 0). */
int check_run(const struct check_page *pages, size_t npages,
    struct source *const *sources, size_t nsources,
    const struct check_opts *opts, struct check_result *res,
    struct diags *d);
void check_result_free(struct check_result *res);

/* Folds white space as the quote check does: every run of white space
 * (space, tab, newline, carriage return, form feed, vertical tab) becomes
 * one space, and the ends are trimmed.  The caller frees the result. */
char *check_fold_space(const char *s);

/* ---- report */

enum report_format { REPORT_TEXT, REPORT_GITHUB, REPORT_JSON, REPORT_JUNIT };

/* One "test case": a witness run or a claim.  Every string is copied. */
struct report_case {
	char *kind;     /* "witness" or "claim" */
	char *name;     /* "code:linear-flow"; a claim's id */
	char *page;     /* path of the page, content/a/b.md */
	int line;       /* line in the page, 0 when unknown */
	char *status;   /* witness: "pass", "fail", ...; claim: its state */
	double ms;      /* witness run time; 0 for a claim */
	int cached;     /* the witness result came from the cache */
	int failed;     /* counts as a failure (junit <failure>) */
	char *message;  /* why it failed (may hold newlines), or NULL */
};

struct report {
	struct report_case *items;
	size_t nitems;
	size_t cap;
};

/* Parses "text", "github", "json" or "junit".  Returns 0, or -1 for any
 * other name. */
int report_format_parse(const char *name, enum report_format *out);

/* Appends a witness case; status "pass" is a success and any other status
 * a failure.  message may be NULL. */
void report_add_witness(struct report *r, const char *name,
    const char *page, int line, const char *status, double ms, int cached,
    const char *message);
/* Appends one case per claim of res (status "reviewed", "stale" or
 * "unreviewed"; failed when check_run reported its state as an error). */
void report_add_claims(struct report *r, const struct check_result *res);
/* Accepts NULL. */
void report_free(struct report *r);

/* Writes the diagnostics d (in their order; sort them first) and the cases
 * of r to f in the format:
 *   text    the diagnostics as diags_print writes them, then the summary
 *           line (report_summary)
 *   github  one workflow command per diagnostic ("::error file=F,line=L,
 *           col=C,title=folio STAGE::MESSAGE", detail lines appended to
 *           the message), escaped per GitHub's rules, then the summary
 *   json    {"diagnostics": [...], "tests": [...], "counts": {...}}
 *   junit   <testsuites> with a suite of witnesses, one of claims and one
 *           of the remaining errors (one case per error diagnostic)
 * Returns 0, or -1 when writing failed (errno set). */
int report_write(FILE *f, enum report_format fmt, const struct diags *d,
    const struct report *r);
/* report_write into the file path (created or truncated).  Returns 0, or
 * -1 with a diagnostic. */
int report_write_file(const char *path, enum report_format fmt,
    const struct diags *d, const struct report *r, struct diags *out);
/* The one-line summary: "check: 1 error, 2 warnings; witnesses: 3 passed,
 * 1 failed (2 cached); claims: 4 reviewed, 1 stale, 0 unreviewed".  The
 * caller frees it. */
char *report_summary(const struct diags *d, const struct report *r);

#endif
