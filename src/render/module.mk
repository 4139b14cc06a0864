# src/render/module.mk -- fuzzing the template engine.
#
#   make fuzz-render [FUZZ_TIME=30]
# builds tests/fuzz/fuzz_render.c with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer (the engine and src/util compiled in), and
# runs it for FUZZ_TIME seconds from the seeds in tests/fuzz/render-seeds,
# keeping the corpus it grows in $(BUILD)/fuzz/render-corpus.  A crash,
# leak or failed check stops it with the input saved as
# $(BUILD)/fuzz/crash-*.

FUZZ_CC   ?= clang
FUZZ_TIME ?= 30
FUZZ_RENDER_SRCS = tests/fuzz/fuzz_render.c $(wildcard src/render/*.c) \
	$(wildcard src/util/*.c)

.PHONY: fuzz-render

$(BUILD)/fuzz/fuzz_render: $(FUZZ_RENDER_SRCS) $(wildcard src/render/*.h) \
		src/util/util.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) -D_GNU_SOURCE -Isrc -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(shell pkg-config --cflags jansson libcrypto) \
		-o $@ $(FUZZ_RENDER_SRCS) \
		$(shell pkg-config --libs jansson libcrypto) -lm

fuzz-render: $(BUILD)/fuzz/fuzz_render
	@mkdir -p $(BUILD)/fuzz/render-corpus
	$(BUILD)/fuzz/fuzz_render -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-timeout=10 -dict=tests/fuzz/render.dict \
		-artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/render-corpus tests/fuzz/render-seeds
