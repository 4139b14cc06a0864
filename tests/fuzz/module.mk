# tests/fuzz/module.mk -- fuzzing the page model and the markdown stage.
#
#   make fuzz-page [FUZZ_TIME=30]
# builds tests/fuzz/fuzz_page.c with clang's libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (src/page, src/markdown and src/util compiled
# in) and runs it for FUZZ_TIME seconds from tests/fuzz/page-seeds and the
# repository's own pages; a crash stops it with the input saved as
# $(BUILD)/fuzz/crash-*.

FUZZ_PAGE_SRCS = tests/fuzz/fuzz_page.c $(wildcard src/page/*.c) \
	$(wildcard src/markdown/*.c) $(wildcard src/util/*.c)

.PHONY: fuzz-page

$(BUILD)/fuzz/fuzz_page: $(FUZZ_PAGE_SRCS) $(wildcard src/page/*.h) \
		$(wildcard src/markdown/*.h) src/util/util.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) -D_GNU_SOURCE -Isrc -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(shell pkg-config --cflags libcmark-gfm yaml-0.1 libcrypto) \
		-o $@ $(FUZZ_PAGE_SRCS) \
		$(shell pkg-config --libs libcmark-gfm yaml-0.1 libcrypto) \
		-lcmark-gfm-extensions -lm

fuzz-page: $(BUILD)/fuzz/fuzz_page
	@mkdir -p $(BUILD)/fuzz/page-corpus
	$(BUILD)/fuzz/fuzz_page -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		-timeout=10 -artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/page-corpus tests/fuzz/page-seeds
