# src/flow: the normalizing-flow library.
#
# The flow objects are compiled with -O3 and without fused multiply-add
# contraction (-ffp-contract=off) so that native and WebAssembly builds give
# the same bits; FLOW_ARCH (default: the build machine's vector extensions)
# only changes speed, never results.
FLOW_ARCH ?= -march=native
FLOW_CFLAGS = -O3 -ffp-contract=off -fno-math-errno $(FLOW_ARCH)
$(BUILD)/obj/src/flow/%.o: EXTRA_CFLAGS += $(FLOW_CFLAGS)

# `make wasm`: the same sources, freestanding, as build/flow.wasm (every
# flow_* function exported; the host provides the memory).
WASM_CC ?= clang
WASM_LD ?= $(shell command -v wasm-ld || command -v wasm-ld-14)
FLOW_SRCS = $(wildcard src/flow/*.c) src/flow/wasm/libc.c
FLOW_WASM_CFLAGS = --target=wasm32 -ffreestanding -nostdlib -O3 \
	-ffp-contract=off -fno-math-errno -std=c11 -Wall -Wextra -Wshadow \
	-Wno-unused-parameter -Isrc/flow
.PHONY: flow-wasm
wasm: flow-wasm
flow-wasm: $(BUILD)/flow.wasm
$(BUILD)/flow.wasm: $(FLOW_SRCS) src/flow/flow.h src/flow/flow_impl.h
	@mkdir -p $(BUILD)/wasm-flow
	@for s in $(FLOW_SRCS); do \
		$(WASM_CC) $(FLOW_WASM_CFLAGS) -c $$s \
			-o $(BUILD)/wasm-flow/$$(basename $$s .c).o || exit 1; done
	$(WASM_LD) --no-entry --initial-memory=67108864 \
		$$(sed -n 's/^[a-z].* \(flow_[a-z0-9_]*\)(.*/--export=\1/p' \
			src/flow/flow.h) --export=__heap_base \
		-o $@ $(BUILD)/wasm-flow/*.o
	@echo "flow: $@ ($$(wc -c < $@) bytes)"
	@if command -v node >/dev/null; then node src/flow/wasm/check.js $@; fi

# `make flow-train-check`: full-accuracy training on the toy sets.
$(BUILD)/flow_train: tests/bench/flow_train.c $(BUILD)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libfolio.a -lm $(LDFLAGS)
.PHONY: flow-train-check
flow-train-check: $(BUILD)/flow_train
	$(BUILD)/flow_train

# `make bench` runs bench-flow: the flow library beside PyTorch (Debian's
# python3-torch, installed here when missing), written to
# $(BUILD)/bench/flow.json.
BENCHES += bench-flow
# Debian's torch is installed for the system Python, not for a pyenv one.
FLOW_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
$(BUILD)/flow_bench: tests/bench/flow_bench.c $(BUILD)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libfolio.a -lm $(LDFLAGS)
.PHONY: bench-flow
bench-flow: $(BUILD)/flow_bench
	@mkdir -p $(BUILD)/bench
	@$(FLOW_PYTHON) -c 'import torch' 2>/dev/null || { \
		echo "bench-flow: installing python3-torch"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends python3-torch >/dev/null; }
	@# PyTorch's speed here swings twofold from one run to the next, so
	@# it gets three runs and its best of each figure counts.
	@torch=$$(for r in 1 2 3; do \
		$(FLOW_PYTHON) tests/bench/flow_bench.py 2>/dev/null; done | \
		awk '$$1 > p { p = $$1 } $$2 > s { s = $$2 } END { print p, s }'); \
		$(BUILD)/flow_bench $$torch > $(BUILD)/bench/flow.json
