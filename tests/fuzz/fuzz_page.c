/*
 * fuzz_page.c -- libFuzzer harness for the page model and the markdown
 * stage: any bytes as a page file must give either a page or located
 * errors, never a crash, a leak or undefined behaviour; a page that parses
 * is then parsed as Markdown, its formulas located, and rendered.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "markdown/markdown.h"
#include "page/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	struct page *p = page_parse("content/f/z.md", "f/z",
	    (const char *)data, size, &d);
	/* Every error is located in the file. */
	for (size_t i = 0; i < d.nitems; i++)
		if (d.items[i].level == DIAG_ERROR && d.items[i].line < 1)
			abort();
	if (p) {
		struct md_doc *doc = md_parse(p, &d);
		for (size_t i = 0; i < doc->nmath; i++) {
			int line, col;
			md_math_locate(doc, &doc->math[i],
			    doc->math[i].tex[0] ? 1 : 0, &line, &col);
			if (line < p->body_line || col < 1)
				abort();
		}
		md_render(doc);
		md_free(doc);
		page_free(p);
	}
	diags_free(&d);
	return 0;
}
