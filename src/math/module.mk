# math: the benchmark of the KaTeX worker pool against KaTeX in one process.
BENCHES += bench-math
.PHONY: bench-math

$(BUILD)/bench/math_bench: tests/bench/math_bench.c tests/bench/bench_clock.h \
	$(BUILD)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libfolio.a $(LIBS) $(LDFLAGS)

bench-math: $(BUILD)/bench/math_bench
	@mkdir -p $(BUILD)/bench
	@node tests/bench/math-corpus.js 2400 > $(BUILD)/bench/math-corpus.txt
	@$(BUILD)/bench/math_bench $(BUILD)/bench/math-corpus.txt $(BUILD)/bench/math.json
