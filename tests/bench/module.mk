# tests/bench/module.mk -- bench-site: folio's full build beside Hugo's on a
# generated corpus (tests/bench/corpus.js, 2,000 pages shaped like the
# reference page), the math cold against warm, and `folio check` of 500
# witnesses cold against warm; writes $(BUILD)/bench/site.json.
#
# SITE_BENCH_ARGS passes options through, e.g. "--pages 500 --rounds 1" or
# "--hugo none".  Hugo (Debian's hugo) is installed with apt-get when
# missing; when it cannot be, Hugo's side is skipped with a message.

BENCHES += bench-site
SITE_BENCH_ARGS ?=
.PHONY: bench-site
bench-site: $(BUILD)/folio
	@mkdir -p $(BUILD)/bench
	@node tests/bench/site-bench.js $(BUILD)/folio $(BUILD)/bench \
		$(SITE_BENCH_ARGS)
