# src/flow: the normalizing-flow library.
#
# The flow objects are compiled with -O3 and without fused multiply-add
# contraction (-ffp-contract=off) so that native and WebAssembly builds give
# the same bits; FLOW_ARCH (default: the build machine's vector extensions)
# only changes speed, never results.
FLOW_ARCH ?= -march=native
FLOW_CFLAGS = -O3 -ffp-contract=off -fno-math-errno $(FLOW_ARCH)
$(BUILD)/obj/src/flow/%.o: EXTRA_CFLAGS += $(FLOW_CFLAGS)
