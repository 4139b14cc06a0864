/*
 * test_check.c -- every check of claims, sources and reviews, with its
 * exact diagnostic and position, in normal and --strict mode.
 *
 * Each test starts from one clean page (no diagnostic at all) and breaks
 * one thing.  The current pins of the fixture's claims were computed with
 * coreutils, independently of folio:
 *   printf 'Normalizing flows give exact densities.\nrezende-2015\n'\
 *          'code:linear,eq:cov' | sha256sum   -> d02189a7192d...
 *   printf 'Triangular Jacobians are cheap.\npapamakarios-2021\n'\
 *          'demo:grid' | sha256sum            -> dd82e786a426...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "page/page.h"

#define PIN0 "d02189a7192d"
#define PIN1 "dd82e786a426"

static struct located loc(const char *s, int line, int col)
{
	return (struct located){(char *)s, line, col};
}

struct fx {
	struct page page;
	struct page_source_use uses[3];
	struct page_claim claims[2];
	struct located c0_src[2], c0_wit[2], c1_src[1], c1_wit[1];
	struct page_support c0_sup[1];
	struct page_review reviews[3];
	const char *objects[3];
	struct check_page cp;
	struct source src[3];
	struct source *srcs[3];
	size_t nsrcs;
	struct check_opts opts;
	struct check_result res;
	struct diags d;
};

/* The clean page content/a/flows.md (published) and its two sources. */
static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof *f);
	struct page *p = &f->page;
	p->path = "content/a/flows.md";
	p->id = "a/flows";
	p->meta.title = "Flows";
	p->meta.status = PAGE_PUBLISHED;
	f->uses[0] = (struct page_source_use){loc("rezende-2015", 10, 10),
	    NULL};
	f->uses[1] = (struct page_source_use){loc("papamakarios-2021", 11, 10),
	    NULL};
	p->meta.sources = f->uses;
	p->meta.nsources = 2;

	struct page_claim *c = f->claims;
	c[0].id = loc("exact-density", 14, 9);
	c[0].text = loc("Normalizing flows give\n  exact densities.", 15, 11);
	f->c0_src[0] = loc("rezende-2015", 16, 15);
	c[0].sources = (struct located_list){f->c0_src, 1};
	f->c0_wit[0] = loc("eq:cov", 17, 17);
	f->c0_wit[1] = loc("code:linear", 17, 25);
	c[0].witnesses = (struct located_list){f->c0_wit, 2};
	f->c0_sup[0] = (struct page_support){loc("rezende-2015", 19, 20),
	    loc(" exact  likelihood\n evaluation ", 19, 40), "Sec. 3"};
	c[0].support = f->c0_sup;
	c[0].nsupport = 1;
	c[1].id = loc("cheap", 20, 9);
	c[1].text = loc("Triangular Jacobians are cheap.", 21, 11);
	f->c1_src[0] = loc("papamakarios-2021", 22, 15);
	c[1].sources = (struct located_list){f->c1_src, 1};
	f->c1_wit[0] = loc("demo:grid", 23, 17);
	c[1].witnesses = (struct located_list){f->c1_wit, 1};
	p->meta.claims = c;
	p->meta.nclaims = 2;

	struct page_review *r = f->reviews;
	r[0] = (struct page_review){loc("exact-density", 30, 12),
	    REVIEW_SUBSTANTIVE, "Ada", "2026-05-08", "ok", loc(PIN0, 34, 10),
	    30, 5};
	r[1] = (struct page_review){loc("cheap", 35, 12),
	    REVIEW_METADATA, "Bob", "2026-05-09", "ok", loc(PIN1, 39, 10),
	    35, 5};
	p->meta.reviews = r;
	p->meta.nreviews = 2;

	f->objects[0] = "eq:cov";
	f->objects[1] = "code:linear";
	f->objects[2] = "demo:grid";
	f->cp = (struct check_page){p, f->objects, 3};

	f->src[0].id = "rezende-2015";
	f->src[0].path = "sources/rezende-2015.yaml";
	f->src[0].snapshot = "Flows allow exact likelihood\n\tevaluation and "
	    "sampling.\n";
	f->src[0].snapshot_path = "sources/rezende-2015.txt";
	f->src[1].id = "papamakarios-2021";
	f->src[1].path = "sources/papamakarios-2021.yaml";
	f->src[2].id = "dinh-2017";
	f->src[2].path = "sources/dinh-2017.yaml";
	for (int i = 0; i < 3; i++)
		f->srcs[i] = &f->src[i];
	f->nsrcs = 2;
}

/* Runs the checks; returns check_run's result. */
static int fx_run(struct fx *f, int strict)
{
	f->opts.strict = strict;
	check_result_free(&f->res);
	diags_free(&f->d);
	return check_run(&f->cp, 1, f->srcs, f->nsrcs, &f->opts, &f->res,
	    &f->d);
}

static void fx_free(struct fx *f)
{
	check_result_free(&f->res);
	diags_free(&f->d);
}

/* The diagnostics as printed, one per line. */
static char *printed(const struct diags *d)
{
	struct buf b = {0};
	for (size_t i = 0; i < d->nitems; i++) {
		char *s = diag_format(&d->items[i]);
		buf_printf(&b, "%s\n", s);
		free(s);
	}
	return buf_detach(&b);
}

#define assert_diags(f, expected) do { \
	char *got_ = printed(&(f)->d); \
	assert_string_equal(got_, expected); \
	free(got_); \
} while (0)

/* ---- tests */

static void test_clean_page(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	assert_int_equal(fx_run(&f, 1), 0);
	assert_diags(&f, "");
	assert_int_equal(f.res.nclaims, 2);
	assert_int_equal(f.res.claims[0].state, CLAIM_REVIEWED);
	assert_string_equal(f.res.claims[0].pin, PIN0);
	assert_ptr_equal(f.res.claims[0].review, &f.reviews[0]);
	assert_ptr_equal(f.res.claims[0].claim, &f.claims[0]);
	assert_ptr_equal(f.res.claims[0].page, &f.page);
	assert_int_equal(f.res.claims[0].failed, 0);
	assert_int_equal(f.res.claims[1].state, CLAIM_REVIEWED);
	assert_string_equal(f.res.claims[1].pin, PIN1);
	fx_free(&f);
}

static void test_page_lists_unknown_source(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.uses[2] = (struct page_source_use){loc("papamakarios-2012", 12, 10),
	    NULL};
	f.page.meta.nsources = 3;
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:12:10: error: check: page lists "
	    "source 'papamakarios-2012', but there is no "
	    "sources/papamakarios-2012.yaml; did you mean "
	    "'papamakarios-2021'?\n");
	assert_string_equal(f.d.items[0].code, "unknown-source");
	assert_int_equal(f.d.items[0].level, DIAG_ERROR);
	fx_free(&f);
}

static void test_claim_cites_unknown_source(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* Not listed either; no plausible typo. */
	f.c0_src[1] = loc("nobody", 16, 30);
	f.claims[0].sources.nitems = 2;
	f.page.meta.status = PAGE_DRAFT;
	f.page.meta.nreviews = 0;
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:16:30: error: check: claim "
	    "'exact-density' cites source 'nobody', but there is no "
	    "sources/nobody.yaml\n");
	assert_string_equal(f.d.items[0].code, "unknown-source");

	/* A typo of a source that exists. */
	f.c0_src[1] = loc("rezende-2051", 16, 30);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:16:30: error: check: claim "
	    "'exact-density' cites source 'rezende-2051', but there is no "
	    "sources/rezende-2051.yaml; did you mean 'rezende-2015'?\n");
	fx_free(&f);
}

static void test_missing_listed_source_reported_once(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* rezende-2015 failed to load: the page's listing is the error; the
	 * claim and the quote citing it say nothing more. */
	f.srcs[0] = &f.src[1];
	f.nsrcs = 1;
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:10:10: error: check: page lists "
	    "source 'rezende-2015', but there is no "
	    "sources/rezende-2015.yaml\n");
	fx_free(&f);
}

static void test_claim_cites_unlisted_source(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.page.meta.nsources = 1;   /* drop papamakarios-2021 */
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:22:15: error: check: claim "
	    "'cheap' cites source 'papamakarios-2021', which the page does "
	    "not list under sources\n"
	    "sources/papamakarios-2021.yaml: warning: check: source "
	    "'papamakarios-2021' is not used by any page\n");
	assert_string_equal(f.d.items[0].code, "unlisted-source");
	assert_string_equal(f.d.items[1].code, "unused-source");
	fx_free(&f);
}

static void test_unknown_witness(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.c0_wit[0] = loc("eq:zzz", 17, 17);
	f.c0_wit[1] = loc("code:linaer", 17, 25);
	f.c1_wit[0] = loc("grid", 23, 17);
	f.page.meta.status = PAGE_DRAFT;
	f.page.meta.nreviews = 0;
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:17:17: error: check: claim "
	    "'exact-density' names witness 'eq:zzz', which is not on this "
	    "page\n"
	    "content/a/flows.md:17:25: error: check: claim 'exact-density' "
	    "names witness 'code:linaer', which is not on this page; did you "
	    "mean 'code:linear'?\n"
	    "content/a/flows.md:23:17: error: check: claim 'cheap' names "
	    "witness 'grid'; a witness is eq:NAME, code:NAME or demo:NAME; "
	    "did you mean 'demo:grid'?\n");
	assert_string_equal(f.d.items[0].code, "unknown-witness");
	assert_string_equal(f.d.items[2].code, "bad-witness");

	/* A page with no objects at all. */
	f.cp.nobjects = 0;
	f.c1_wit[0] = loc("demo:grid", 23, 17);
	f.claims[0].witnesses.nitems = 0;
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:23:17: error: check: claim "
	    "'cheap' names witness 'demo:grid', which is not on this page\n");
	fx_free(&f);
}

static void test_duplicate_claim(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.claims[1].id = loc("exact-density", 20, 9);
	f.reviews[1].claim.s = "exact-density";
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:20:9: error: check: duplicate "
	    "claim id 'exact-density' (first at line 14)\n");
	assert_string_equal(f.d.items[0].code, "duplicate-claim");
	fx_free(&f);
}

static void test_review_of_unknown_claim(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.reviews[1].claim = loc("cheep", 35, 12);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:35:12: error: check: review of "
	    "unknown claim 'cheep'; did you mean 'cheap'?\n"
	    "content/a/flows.md:20:9: warning: check: claim 'cheap' on a "
	    "published page has no review\n");
	assert_string_equal(f.d.items[0].code, "unknown-claim");
	assert_int_equal(f.res.claims[1].state, CLAIM_UNREVIEWED);
	assert_null(f.res.claims[1].review);
	fx_free(&f);
}

static void test_stale_review(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.reviews[0].pin = loc("0123456789ab", 34, 10);
	const char *msg = "content/a/flows.md:34:10: %s: check: claim "
	    "'exact-density' changed since it was reviewed (review pin "
	    "0123456789ab, current pin " PIN0 "); review it again and set "
	    "pin: " PIN0 "\n";
	char *warn = xasprintf(msg, "warning"), *err = xasprintf(msg, "error");
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, warn);
	assert_string_equal(f.d.items[0].code, "stale-review");
	assert_int_equal(f.res.claims[0].state, CLAIM_STALE);
	assert_ptr_equal(f.res.claims[0].review, &f.reviews[0]);
	assert_int_equal(f.res.claims[0].failed, 0);
	assert_int_equal(fx_run(&f, 1), -1);
	assert_diags(&f, err);
	assert_int_equal(f.res.claims[0].failed, 1);
	assert_int_equal(f.res.claims[1].failed, 0);

	/* On a draft page too: the review no longer says what it did. */
	f.page.meta.status = PAGE_DRAFT;
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, warn);

	/* Editing the claim text makes the review stale. */
	fx_free(&f);
	fx_init(&f);
	f.claims[1].text.s = "Triangular Jacobians are cheap to invert.";
	assert_int_equal(fx_run(&f, 0), 0);
	assert_int_equal(f.d.nitems, 1);
	assert_non_null(strstr(f.d.items[0].message, "claim 'cheap' changed "
	    "since it was reviewed (review pin " PIN1 ", current pin "));
	free(warn);
	free(err);
	fx_free(&f);
}

static void test_several_reviews(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct check_claim cc;
	/* An old review at an old pin, then one at the current pin. */
	f.reviews[2] = f.reviews[0];
	f.reviews[0].pin.s = "0123456789ab";
	f.page.meta.nreviews = 3;
	check_claim_status(&f.page, 0, &cc);
	assert_int_equal(cc.state, CLAIM_REVIEWED);
	assert_ptr_equal(cc.review, &f.reviews[2]);
	/* The current review first, a stale one after: still reviewed. */
	f.reviews[0].pin.s = PIN0;
	f.reviews[2].pin.s = "0123456789ab";
	check_claim_status(&f.page, 0, &cc);
	assert_int_equal(cc.state, CLAIM_REVIEWED);
	assert_ptr_equal(cc.review, &f.reviews[0]);
	/* Both stale: the last one counts. */
	f.reviews[0].pin.s = "aaaaaaaaaaaa";
	check_claim_status(&f.page, 0, &cc);
	assert_int_equal(cc.state, CLAIM_STALE);
	assert_ptr_equal(cc.review, &f.reviews[2]);
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, "content/a/flows.md:34:10: warning: check: claim "
	    "'exact-density' changed since it was reviewed (review pin "
	    "0123456789ab, current pin " PIN0 "); review it again and set "
	    "pin: " PIN0 "\n");
	assert_string_equal(check_claim_state_name(CLAIM_REVIEWED),
	    "reviewed");
	assert_string_equal(check_claim_state_name(CLAIM_STALE), "stale");
	assert_string_equal(check_claim_state_name(CLAIM_UNREVIEWED),
	    "unreviewed");
	fx_free(&f);
}

static void test_unreviewed_claims(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.page.meta.nreviews = 0;
	const char *msg = "content/a/flows.md:14:9: %1$s: check: claim "
	    "'exact-density' on a published page has no review\n"
	    "content/a/flows.md:20:9: %1$s: check: claim 'cheap' on a "
	    "published page has no review\n";
	char *warn = xasprintf(msg, "warning"), *err = xasprintf(msg, "error");
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, warn);
	assert_string_equal(f.d.items[0].code, "unreviewed-claim");
	assert_int_equal(f.res.claims[0].state, CLAIM_UNREVIEWED);
	assert_int_equal(fx_run(&f, 1), -1);
	assert_diags(&f, err);
	assert_int_equal(f.res.claims[0].failed, 1);
	assert_int_equal(f.res.claims[1].failed, 1);
	/* Pages not yet published may have unreviewed claims. */
	f.page.meta.status = PAGE_REVIEW;
	assert_int_equal(fx_run(&f, 1), 0);
	assert_diags(&f, "");
	assert_int_equal(f.res.claims[0].state, CLAIM_UNREVIEWED);
	assert_int_equal(f.res.claims[0].failed, 0);
	free(warn);
	free(err);
	fx_free(&f);
}

static void test_quotes(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* Quote text is not part of the pin, so reviews stay current. */
	f.c0_sup[0].quote = loc("inexact likelihood", 19, 40);
	assert_int_equal(fx_run(&f, 1), -1);
	assert_diags(&f, "content/a/flows.md:19:40: error: check: quote for "
	    "claim 'exact-density' does not occur in "
	    "sources/rezende-2015.txt\n");
	assert_string_equal(f.d.items[0].code, "quote-not-found");
	assert_string_equal(f.d.items[0].detail, "    the snapshot has the "
	    "quote's first 2 of 18 characters, up to \"in\"\n");

	/* The detail says where the quote departs from the snapshot. */
	f.c0_sup[0].quote = loc("exact likelihood\nevaluation or sampling",
	    19, 40);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_string_equal(f.d.items[0].detail, "    the snapshot has the "
	    "quote's first 28 of 39 characters, up to \"exact likelihood "
	    "evaluation \"\n");
	f.c0_sup[0].quote = loc("Flows allow exact likelihood evaluation "
	    "and sampling, always.", 19, 40);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_string_equal(f.d.items[0].detail, "    the snapshot has the "
	    "quote's first 52 of 61 characters, up to \"...exact likelihood "
	    "evaluation and sampling\"\n");
	f.src[0].snapshot = "Ein Caf\xc3\xa9 f\xc3\xbcr alle.";
	f.c0_sup[0].quote = loc("Caf\xc3\xa9 fur", 19, 40);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_string_equal(f.d.items[0].detail, "    the snapshot has the "
	    "quote's first 6 of 8 characters, up to \"Caf\xc3\xa9 f\"\n");
	f.c0_sup[0].quote = loc("zzz", 19, 40);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_null(f.d.items[0].detail);
	f.src[0].snapshot = "Flows allow exact likelihood\n\tevaluation "
	    "and sampling.\n";

	/* Folding happens on both sides; the match is case-sensitive. */
	f.c0_sup[0].quote = loc("likelihood evaluation and\nsampling.", 19,
	    40);
	assert_int_equal(fx_run(&f, 1), 0);
	assert_diags(&f, "");
	f.c0_sup[0].quote = loc("Likelihood evaluation", 19, 40);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_int_equal(f.d.nitems, 1);

	/* A source without a snapshot: a warning, an error with --strict. */
	f.c0_sup[0].source = loc("papamakarios-2021", 19, 20);
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, "content/a/flows.md:19:40: warning: check: quote for "
	    "claim 'exact-density' cannot be checked: source "
	    "'papamakarios-2021' has no snapshot "
	    "sources/papamakarios-2021.txt\n");
	assert_string_equal(f.d.items[0].code, "no-snapshot");
	assert_int_equal(fx_run(&f, 1), -1);
	assert_diags(&f, "content/a/flows.md:19:40: error: check: quote for "
	    "claim 'exact-density' cannot be checked: source "
	    "'papamakarios-2021' has no snapshot "
	    "sources/papamakarios-2021.txt\n");

	/* A quote from a source the page does not list, or that does not
	 * exist. */
	f.nsrcs = 3;
	f.c0_sup[0].source = loc("dinh-2017", 19, 20);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:19:20: error: check: support "
	    "quote of claim 'exact-density' cites source 'dinh-2017', which "
	    "the page does not list under sources\n"
	    "content/a/flows.md:19:40: warning: check: quote for claim "
	    "'exact-density' cannot be checked: source 'dinh-2017' has no "
	    "snapshot sources/dinh-2017.txt\n"
	    "sources/dinh-2017.yaml: warning: check: source 'dinh-2017' is "
	    "not used by any page\n");
	f.nsrcs = 2;
	f.c0_sup[0].source = loc("dinh-2071", 19, 20);
	assert_int_equal(fx_run(&f, 0), -1);
	assert_diags(&f, "content/a/flows.md:19:20: error: check: support "
	    "quote of claim 'exact-density' cites source 'dinh-2071', but "
	    "there is no sources/dinh-2071.yaml\n");
	fx_free(&f);
}

static void test_unused_source(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.nsrcs = 3;
	assert_int_equal(fx_run(&f, 0), 0);
	assert_diags(&f, "sources/dinh-2017.yaml: warning: check: source "
	    "'dinh-2017' is not used by any page\n");
	assert_int_equal(f.d.items[0].line, 0);
	assert_int_equal(fx_run(&f, 1), -1);
	assert_diags(&f, "sources/dinh-2017.yaml: error: check: source "
	    "'dinh-2017' is not used by any page\n");
	/* Listed on a page counts as used, even with no claim citing it. */
	f.uses[2] = (struct page_source_use){loc("dinh-2017", 12, 10),
	    "background"};
	f.page.meta.nsources = 3;
	assert_int_equal(fx_run(&f, 1), 0);
	assert_diags(&f, "");
	fx_free(&f);
}

static void test_several_pages(void **state)
{
	(void)state;
	struct fx a, b;
	fx_init(&a);
	fx_init(&b);
	b.page.path = "content/b/other.md";
	b.page.meta.nreviews = 0;
	b.page.meta.status = PAGE_DRAFT;
	b.claims[0].id.s = "other";
	b.c0_sup[0].quote.s = "not there";
	struct check_page pages[] = {a.cp, b.cp};
	struct check_opts opts = {1};
	struct check_result res = {0};
	struct diags d = {0};
	assert_int_equal(check_run(pages, 2, a.srcs, 2, &opts, &res, &d), -1);
	char *got = printed(&d);
	assert_string_equal(got, "content/b/other.md:19:40: error: check: "
	    "quote for claim 'other' does not occur in "
	    "sources/rezende-2015.txt\n");
	free(got);
	assert_int_equal(res.nclaims, 4);
	assert_ptr_equal(res.claims[2].page, &b.page);
	assert_string_equal(res.claims[2].claim->id.s, "other");
	assert_int_equal(res.claims[2].state, CLAIM_UNREVIEWED);
	assert_int_equal(res.claims[0].state, CLAIM_REVIEWED);
	check_result_free(&res);
	check_result_free(&res);
	check_result_free(NULL);
	diags_free(&d);
	fx_free(&a);
	fx_free(&b);
}

static void test_fold_space(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"", ""},
		{"   ", ""},
		{"a", "a"},
		{"  a \t\r\n b\f\vc  ", "a b c"},
		{"caf\xc3\xa9\xc2\xa0 x", "caf\xc3\xa9\xc2\xa0 x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = check_fold_space(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("case %zu: '%s'", i, got);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_page),
		cmocka_unit_test(test_page_lists_unknown_source),
		cmocka_unit_test(test_claim_cites_unknown_source),
		cmocka_unit_test(test_missing_listed_source_reported_once),
		cmocka_unit_test(test_claim_cites_unlisted_source),
		cmocka_unit_test(test_unknown_witness),
		cmocka_unit_test(test_duplicate_claim),
		cmocka_unit_test(test_review_of_unknown_claim),
		cmocka_unit_test(test_stale_review),
		cmocka_unit_test(test_several_reviews),
		cmocka_unit_test(test_unreviewed_claims),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_unused_source),
		cmocka_unit_test(test_several_pages),
		cmocka_unit_test(test_fold_space),
	};
	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
