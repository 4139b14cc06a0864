/*
 * fuzz_render.c -- libFuzzer harness for the template engine.
 *
 * The input is up to four templates separated by NUL bytes, named "a" (the
 * one rendered), "b", "c" and "d", so that partials and parents can refer
 * to each other.  They are parsed and "a" is rendered against a fixed
 * context with nested objects, short lists, markup and numbers, under tight
 * limits so that runaway templates end quickly.  Beyond "no crash, no leak,
 * no undefined behaviour" the harness checks that
 *   - a failed parse or render leaves exactly one diagnostic, located at a
 *     line and column inside the template (parse) or anywhere (render);
 *   - a template without "{{" renders as itself.
 *
 * Build and run: make fuzz-render (see src/render/module.mk).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/render.h"
#include "util/util.h"

static const char context[] =
    "{\"name\":\"<b>&\\\"'</b>\",\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,"
    "\"z\":null,\"e\":\"\",\"l\":[1,\"two\",{\"name\":\"x\"}],"
    "\"a\":{\"b\":{\"c\":\"deep\"}},\"kids\":[{\"name\":\"k\",\"kids\":[]}],"
    "\"list\":[[1,2],[\"a\"]],\"o\":{}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *ctx;
	if (!ctx)
		ctx = json_loads(context, 0, NULL);
	if (!ctx)
		abort();

	struct render_set *s = render_set_new();
	struct render_limits lim = {
		.max_depth = 40, .max_output = 1 << 20, .max_steps = 200000,
	};
	render_set_limits(s, &lim);
	static const char *const names[] = {"a", "b", "c", "d"};
	const char *p = (const char *)data, *end = p + size;
	int ntemplates = 0, parsed_a = 0;
	for (int i = 0; i < 4 && p <= end; i++) {
		const char *z = memchr(p, 0, (size_t)(end - p));
		size_t len = z ? (size_t)(z - p) : (size_t)(end - p);
		struct diags d = {0};
		int rc = render_set_add(s, names[i], names[i], p, len, &d);
		if (rc == 0 && d.nitems != 0)
			abort();
		if (rc < 0 && (d.nitems != 1 || d.items[0].line < 1 ||
		    d.items[0].col < 1))
			abort();
		if (i == 0)
			parsed_a = rc == 0;
		diags_free(&d);
		ntemplates++;
		if (!z)
			break;
		p = z + 1;
	}

	if (parsed_a) {
		struct buf out = {0};
		struct diags d = {0};
		int rc = render_run(s, "a", ctx, &out, &d);
		if (rc == 0 && d.nitems != 0)
			abort();
		if (rc < 0 && (d.nitems != 1 || out.len != 0))
			abort();
		/* plain text renders as itself */
		if (ntemplates == 1 && rc == 0 &&
		    !memmem(data, size, "{{", 2) &&
		    (out.len != size || memcmp(out.data, data, size) != 0))
			abort();
		buf_free(&out);
		diags_free(&d);
	}
	render_set_free(s);
	return 0;
}
