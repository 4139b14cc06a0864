/*
 * test_pin.c -- the claim pin of DESIGN.md.  Every expected pin below was
 * computed independently of folio with coreutils, as the first 12 digits of
 *   printf 'T\nS\nW' | sha256sum
 * where T, S and W are written out by hand (folded, sorted, joined) in the
 * comment above each case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "page/page.h"

struct pin_case {
	const char *text;
	char *sources[4];
	size_t nsources;
	char *witnesses[4];
	size_t nwitnesses;
	const char *pin;
};

static const struct pin_case cases[] = {
	/* printf 'Normalizing flows compose invertible maps.\n
	 *   papamakarios-2021,rezende-2015\n
	 *   code:linear-flow,demo:grid-warp,eq:change-of-variables' */
	{"  Normalizing   flows\tcompose\n invertible maps.  ",
	    {"rezende-2015", "papamakarios-2021"}, 2,
	    {"eq:change-of-variables", "code:linear-flow", "demo:grid-warp"},
	    3, "fe0349fc4d22"},
	/* printf '\n\n': white space only, no ids */
	{" \t\r\n ", {NULL}, 0, {NULL}, 0, "75a11da44c80"},
	/* printf 'a b\nZ,a,b\n': byte order puts 'Z' before 'a' */
	{"a\t\tb", {"b", "a", "Z"}, 3, {NULL}, 0, "2d26cb91f47d"},
	/* printf 'caf\xc3\xa9 \xc2\xa0x\nA,a\neq:z': U+00A0 is not folded */
	{"caf\xc3\xa9  \xc2\xa0x\n", {"a", "A"}, 2, {"eq:z"}, 1,
	    "32503c6019df"},
	/* printf 'x\nsame,same\n': duplicates are kept */
	{"x", {"same", "same"}, 2, {NULL}, 0, "1d907c47a04c"},
};

static void test_pin_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct pin_case *c = &cases[i];
		char pin[13];
		memset(pin, 'X', sizeof pin);
		page_pin_compute(c->text, c->sources, c->nsources,
		    c->witnesses, c->nwitnesses, pin);
		if (strcmp(pin, c->pin) != 0)
			fail_msg("case %zu: pin %s, expected %s", i, pin,
			    c->pin);
	}
}

static void test_pin_does_not_reorder_input(void **state)
{
	(void)state;
	char *s[] = {"b", "a", "Z"};
	char pin[13];
	page_pin_compute("a b", s, 3, NULL, 0, pin);
	assert_string_equal(s[0], "b");
	assert_string_equal(s[1], "a");
	assert_string_equal(s[2], "Z");
	assert_string_equal(pin, "2d26cb91f47d");
}

static void test_claim_pin_from_page_claim(void **state)
{
	(void)state;
	struct located src[] = {
		{"rezende-2015", 10, 14}, {"papamakarios-2021", 10, 28},
	};
	struct located wit[] = {
		{"eq:change-of-variables", 11, 16}, {"code:linear-flow", 11, 40},
		{"demo:grid-warp", 11, 58},
	};
	struct page_claim c = {0};
	c.id = (struct located){"exact-density", 8, 9};
	c.text = (struct located){
	    "Normalizing flows compose\n  invertible maps.", 9, 11};
	c.sources = (struct located_list){src, 2};
	c.witnesses = (struct located_list){wit, 3};
	char pin[13];
	page_claim_pin(&c, pin);
	assert_string_equal(pin, "fe0349fc4d22");

	/* Changing a word, a source or a witness changes the pin. */
	c.text.s = "Normalizing flows compose invertible map.";
	page_claim_pin(&c, pin);
	assert_string_not_equal(pin, "fe0349fc4d22");
	c.text.s = "Normalizing flows compose invertible maps.";
	c.sources.nitems = 1;
	page_claim_pin(&c, pin);
	assert_string_not_equal(pin, "fe0349fc4d22");
	c.sources.nitems = 2;
	c.witnesses.nitems = 2;
	page_claim_pin(&c, pin);
	assert_string_not_equal(pin, "fe0349fc4d22");
	c.witnesses.nitems = 3;
	page_claim_pin(&c, pin);
	assert_string_equal(pin, "fe0349fc4d22");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_table),
		cmocka_unit_test(test_pin_does_not_reorder_input),
		cmocka_unit_test(test_claim_pin_from_page_claim),
	};
	return cmocka_run_group_tests_name("pin", tests, NULL, NULL);
}
