/*
 * test_page.c -- the page model and the markdown stage on a complete page:
 * every field typed and located, the objects of the body found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "markdown/markdown.h"
#include "page/page.h"

static const char full_page[] =
    "---\n"                                                   /* 1 */
    "title: \"Flows\"\n"                                      /* 2 */
    "domain: Generative Models\n"                             /* 3 */
    "summary: Invertible maps.\n"                             /* 4 */
    "status: published\n"                                     /* 5 */
    "importance: core\n"                                      /* 6 */
    "difficulty: 4\n"                                         /* 7 */
    "math: high-school\n"                                     /* 8 */
    "hero: {image: w.svg, alt: \"A warp\"}\n"                 /* 9 */
    "prerequisites: [foundations/ml]\n"                       /* 10 */
    "next: [gm/diffusion, gm/vae]\n"                          /* 11 */
    "related: [foundations/ml, {title: Paper, url: \"https://arxiv.org/abs/1\"}]\n"
    "bridge: {carry_in: In, work_here: Here, carry_out: Out}\n" /* 13 */
    "sources: [{id: rezende, grounds: Grounds it}]\n"         /* 14 */
    "claims:\n"                                               /* 15 */
    "  - id: exact\n"                                         /* 16 */
    "    text: \"Exact density.\"\n"                          /* 17 */
    "    sources: [rezende]\n"                                /* 18 */
    "    witnesses: [eq:cov, code:lin]\n"                     /* 19 */
    "    scope: Only finite flows.\n"                         /* 20 */
    "    support: [{source: rezende, quote: \"a quote\", locator: Sec. 3}]\n"
    "reviews:\n"                                              /* 22 */
    "  - {claim: exact, level: source-checked, reviewer: Ann, date: 2026-05-08, summary: Fine., pin: 0123456789ab}\n"
    "misconceptions: [{id: m, text: T, correction: C}]\n"     /* 24 */
    "practice: {predict: P, hints: [h1, h2, h3]}\n"           /* 25 */
    "research: {question: Q, evidence: [e1], resolves: [r1, r2]}\n"
    "demo: {id: grid, steps: 3, live: true, scale: 1.5, name: \"3\"}\n"
    "---\n"                                                   /* 28 */
    "Intro with $a$.\n"                                       /* 29 */
    "\n"
    "## Intuition\n"                                          /* 31 */
    "\n"
    "Words here, $$b$$ and | not a table.\n"                  /* 33 */
    "\n"
    "## Math\n"                                               /* 35 */
    "\n"
    "```math id=cov\n"                                        /* 37 */
    "p(x) = q(z)\n"                                           /* 38 */
    "```\n"
    "\n"
    "## Code\n"                                               /* 41 */
    "\n"
    "```c witness=lin\n"                                      /* 43 */
    "int main(void) { return 0; }\n"                          /* 44 */
    "```\n"
    "\n"
    "```output tol=1e-6\n"                                    /* 47 */
    "1.0\n"                                                   /* 48 */
    "```\n"
    "\n"
    "## Interactive Demo\n"                                   /* 51 */
    "\n"
    "## Notes\n";                                             /* 53 */

static void test_full_front_matter(void **state)
{
	(void)state;
	struct diags d = {0};
	struct page *p = page_parse("content/gm/flows.md", "gm/flows",
	    full_page, strlen(full_page), &d);
	assert_int_equal(d.nitems, 0);
	assert_non_null(p);
	const struct page_meta *m = &p->meta;
	assert_string_equal(m->title, "Flows");
	assert_string_equal(m->domain, "Generative Models");
	assert_int_equal(m->status, PAGE_PUBLISHED);
	assert_int_equal(m->importance, IMPORTANCE_CORE);
	assert_int_equal(m->difficulty, 4);
	assert_int_equal(m->math, MATH_HIGH_SCHOOL);
	assert_string_equal(m->hero_alt, "A warp");
	assert_int_equal(m->prerequisites.nitems, 1);
	assert_int_equal(m->prerequisites.items[0].line, 10);
	assert_int_equal(m->prerequisites.items[0].col, 17);
	assert_int_equal(m->next.nitems, 2);
	assert_string_equal(m->next.items[1].s, "gm/vae");
	assert_int_equal(m->nrelated, 2);
	assert_string_equal(m->related[0].page, "foundations/ml");
	assert_string_equal(m->related[1].url, "https://arxiv.org/abs/1");
	assert_string_equal(m->carry_out, "Out");
	assert_int_equal(m->nsources, 1);
	assert_string_equal(m->sources[0].grounds, "Grounds it");
	assert_int_equal(m->nclaims, 1);
	const struct page_claim *c = &m->claims[0];
	assert_string_equal(c->text.s, "Exact density.");
	/* A quoted scalar's position is its first character, after the
	 * quote. */
	assert_int_equal(c->text.line, 17);
	assert_int_equal(c->text.col, 12);
	assert_int_equal(c->witnesses.nitems, 2);
	assert_int_equal(c->nsupport, 1);
	assert_string_equal(c->support[0].locator, "Sec. 3");
	assert_int_equal(m->nreviews, 1);
	assert_int_equal(m->reviews[0].level, REVIEW_SOURCE_CHECKED);
	assert_string_equal(m->reviews[0].pin.s, "0123456789ab");
	assert_int_equal(m->hints.nitems, 3);
	assert_int_equal(m->resolves.nitems, 2);
	/* Plain scalars that read as numbers or booleans become JSON
	 * numbers and booleans; quoted ones stay strings. */
	assert_string_equal(m->demo_json, "{\"id\":\"grid\",\"steps\":3,"
	    "\"live\":true,\"scale\":1.5,\"name\":\"3\"}");
	assert_int_equal(p->body_line, 29);
	page_free(p);
	diags_free(&d);
}

static void test_body_objects(void **state)
{
	(void)state;
	struct diags d = {0};
	struct page *p = page_parse("content/gm/flows.md", "gm/flows",
	    full_page, strlen(full_page), &d);
	assert_non_null(p);
	struct md_doc *doc = md_parse(p, &d);
	assert_int_equal(d.nitems, 0);
	assert_int_equal(doc->nmath, 3);
	assert_string_equal(doc->math[0].tex, "a");
	assert_int_equal(doc->math[0].line, 29);
	{
		/* An inline formula's column is found when asked for. */
		int line, col;
		md_math_locate(doc, &doc->math[0], 0, &line, &col);
		assert_int_equal(line, 29);
		assert_int_equal(col, 13);
	}
	assert_int_equal(doc->math[1].display, 1);
	assert_string_equal(doc->math[2].id, "cov");
	assert_int_equal(doc->math[2].line, 38);
	assert_int_equal(doc->nwitnesses, 1);
	const struct md_witness *w = &doc->witnesses[0];
	assert_string_equal(w->name, "lin");
	assert_int_equal(w->line, 43);
	assert_int_equal(w->code_line, 44);
	assert_int_equal(w->expected_line, 48);
	assert_string_equal(w->expected, "1.0\n");
	assert_true(w->has_tol);
	assert_true(w->tol == 1e-6);
	assert_int_equal(doc->nsections, 5);
	assert_int_equal(doc->sections[0].standard, 0);
	assert_int_equal(doc->sections[0].line, 31);
	assert_int_equal(doc->sections[3].standard, 3);
	assert_false(doc->sections[3].has_content);
	assert_int_equal(doc->sections[4].standard, -1);
	assert_string_equal(doc->sections[3].anchor, "interactive-demo");
	md_render(doc);
	assert_non_null(strstr(doc->sections[2].html, "id=\"code-lin\""));
	assert_non_null(strstr(doc->sections[1].html, "id=\"eq-cov\""));
	assert_non_null(strstr(doc->intro_html, "math inline"));
	md_free(doc);
	page_free(p);
	diags_free(&d);
}

/* md_scan finds the same objects as md_parse without rendering; md_render
 * on a scanned doc gives the same HTML as on a parsed one. */
static void test_scan_then_render(void **state)
{
	(void)state;
	struct diags d = {0};
	struct page *p = page_parse("content/gm/flows.md", "gm/flows",
	    full_page, strlen(full_page), &d);
	struct md_doc *parsed = md_parse(p, &d), *scanned = md_scan(p, &d);
	assert_int_equal(d.nitems, 0);
	assert_null(scanned->intro_html);
	assert_int_equal(scanned->nmath, parsed->nmath);
	assert_int_equal(scanned->nwitnesses, parsed->nwitnesses);
	assert_int_equal(scanned->nsections, parsed->nsections);
	assert_int_equal(scanned->words, parsed->words);
	for (size_t i = 0; i < parsed->nmath; i++) {
		assert_string_equal(scanned->math[i].tex, parsed->math[i].tex);
		assert_int_equal(scanned->math[i].line, parsed->math[i].line);
		assert_int_equal(scanned->math[i].col, parsed->math[i].col);
		/* What the math step would set, on both. */
		parsed->math[i].html = xasprintf("<b>%zu</b>", i);
		scanned->math[i].html = xasprintf("<b>%zu</b>", i);
	}
	for (size_t i = 0; i < parsed->nsections; i++)
		assert_null(scanned->sections[i].html);
	md_render(parsed);
	md_render(scanned);
	assert_string_equal(scanned->intro_html, parsed->intro_html);
	assert_non_null(strstr(scanned->intro_html, "<b>0</b>"));
	assert_string_equal(scanned->footnotes_html, parsed->footnotes_html);
	for (size_t i = 0; i < parsed->nsections; i++) {
		assert_string_equal(scanned->sections[i].html,
		    parsed->sections[i].html);
		assert_string_equal(scanned->sections[i].name_html,
		    parsed->sections[i].name_html);
	}
	assert_non_null(strstr(scanned->sections[1].html, "<b>2</b>"));
	md_free(parsed);
	md_free(scanned);
	page_free(p);
	diags_free(&d);
}

static void test_helpers(void **state)
{
	(void)state;
	static const char *const words[] = {"summary", "status", "title", NULL};
	assert_string_equal(closest_word("sumary", words), "summary");
	assert_null(closest_word("colour", words));
	assert_string_equal(closest_word("titel", words), "title");
	assert_int_equal(edit_distance("veneu", "venue"), 1);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_int_equal(edit_distance("kitten", "sitting"), 3);
	char *s = md_slug("Interactive Demo: what's next?");
	assert_string_equal(s, "interactive-demo-whats-next");
	free(s);
	struct buf b = {0};
	html_escape(&b, "<a href=\"x\">&'", 14);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
	buf_free(&b);
	/* Control characters HTML forbids become U+FFFD; TAB, LF, FF, CR
	 * stay. */
	html_escape(&b, "a" "\x01" "b" "\x7f" "\t\n\f\r" "\x1b", 9);
	assert_string_equal(b.data, "a" "\xEF\xBF\xBD" "b" "\xEF\xBF\xBD"
	    "\t\n\f\r" "\xEF\xBF\xBD");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_front_matter),
		cmocka_unit_test(test_body_objects),
		cmocka_unit_test(test_scan_then_render),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
