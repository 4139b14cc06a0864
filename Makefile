# folio -- a static-site builder for verified concept pages.
#
# The two commands a newcomer types on a fresh Debian 12 machine (as root):
#   make site    installs what is missing, builds build/folio, builds the site
#   make test    installs what is missing, builds, runs every test
#
# Other targets: all (build/folio), check (folio check --strict on content/),
# bench, serve, install (PREFIX, DESTDIR), clean, deps, wasm (the flow
# library as WebAssembly, checked against the native bits),
# flow-train-check (training on the toy sets reaches the true entropy),
# browser (folio serve's live reload, the live demos, drafts and research
# room in Chromium),
# asan (unit tests and fixtures under the sanitizers).
#
# Each folder of src/ is one stage; every .c file in src/*/ goes into
# build/libfolio.a, and src/main.c is the command line.  A stage or test
# suite that needs rules of its own adds a src/<stage>/module.mk or
# tests/<suite>/module.mk, included below.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build

# Debian packages folio builds and runs with; `make deps` installs the
# missing ones.  Each line: package, and the file that proves it installed.
DEB_PACKAGES = pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev \
	libyaml-dev libsqlite3-dev libjansson-dev libssl-dev \
	libmicrohttpd-dev libcmocka-dev libtcc-dev tcc sqlite3 clang lld
# What only the tests need: Chromium for the browser tests (driven by
# playwright-core, from package.json).  `make test` installs them too.
TEST_DEB_PACKAGES = chromium
PKGS = libcmark-gfm yaml-0.1 sqlite3 jansson libcrypto
# libmicrohttpd: its header only; folio serve opens the library with dlopen
# (src/site/serve.c says why).
HEADER_PKGS = libmicrohttpd

# Warnings are errors in CI (which sets CI=true).
# Recursive (=) so that pkg-config runs when a recipe needs the flags, after
# `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(HEADER_PKGS) 2>/dev/null)
WARN       = -std=c11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
	$(if $(CI),-Werror)
ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) \
	-DFOLIO_SHARE='"$(PREFIX)/share/folio"' $(CFLAGS) $(EXTRA_CFLAGS)
# The libraries folio is built on are linked statically (their -dev
# packages ship the archives), into an executable that is not
# position-independent: a process that loads seven fewer shared objects
# starts about 2.5 ms sooner, and one that need not relocate libcrypto's
# tables about 2.5 ms sooner still (folio --version: 8 ms against 12 ms
# linked dynamically, from node's spawnSync, where /bin/true takes 6.5 ms).
# folio runs no untrusted code in its own process (witnesses run in the
# sandboxed host), so address randomisation of its image buys little.
# -z now binds the remaining symbols (libc's) at start-up: the compile
# server is a fork of folio, and a symbol bound lazily would be bound
# again, with a page fault, in it.
STATIC_LIBS = -lcmark-gfm-extensions -lcmark-gfm -lyaml -lsqlite3 \
	-ljansson -lcrypto -ltcc
LIBS       = -no-pie -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic -ldl -lm \
	-lpthread -Wl,-z,now $(EXTRA_LIBS)

LIB_SRCS  = $(sort $(wildcard src/*/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all site test check bench serve install clean deps unit fixtures browser \
	conformance asan wasm

all: $(BUILD)/folio

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libfolio.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/folio: $(BUILD)/obj/src/main.o $(BUILD)/libfolio.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libfolio.a \
		$(LIBS) -lcmocka $(LDFLAGS)

-include $(LIB_OBJS:.o=.d) $(BUILD)/obj/src/main.d
-include $(wildcard src/*/module.mk tests/*/module.mk)

# ---- the two commands

# The site's live demos run build/flow.wasm, which folio build copies in
# when it finds it beside the executable.
site:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all wasm
	$(BUILD)/folio build

test:
	@$(MAKE) --no-print-directory deps DEB_EXTRA="$(TEST_DEB_PACKAGES)"
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory unit fixtures browser check
	@$(MAKE) --no-print-directory wasm flow-train-check
	@$(MAKE) --no-print-directory asan

# ---- deps: install what is missing (Debian packages, then npm ci)

deps:
	@missing=""; for p in $(DEB_PACKAGES) $(DEB_EXTRA); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps: run as root, or install:$$missing" >&2; \
			exit 2; fi; \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null || exit 2; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "deps: npm ci"; npm ci --no-audit --no-fund --loglevel=error; \
	fi

# ---- tests

# The cmocka binaries, and the one unit written in JavaScript (the KaTeX
# worker's markup writer) tested in JavaScript.
unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS) tests/unit/katex-markup.js

fixtures: $(BUILD)/folio
	@sh tests/run-fixtures.sh $(BUILD)/folio

# Browser tests in Chromium: folio serve's live reload, a concept page's
# live demo (which needs flow.wasm beside folio) and local drafts, and its
# research room (object picker, hand-off copy) and practice readiness.
browser: $(BUILD)/folio $(BUILD)/flow.wasm
	@node tests/browser/serve-live.js $(BUILD)/folio
	@node tests/browser/demo-live.js $(BUILD)/folio
	@node tests/browser/research-live.js $(BUILD)/folio

check: $(BUILD)/folio
	$(BUILD)/folio check --strict

# The unit tests and fixtures again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer; any report fails the run.  An allocation
# that cannot be met returns NULL, as it does without the sanitizer (the
# compile server meets its memory cap that way), instead of aborting.
asan:
	@FOLIO_SANITIZED=1 ASAN_OPTIONS=allocator_may_return_null=1 $(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" unit fixtures

# ---- the rest

serve: all
	$(BUILD)/folio serve

# The installed share folder keeps the source tree's layout, so folio finds
# its files the same way in both: templates/, node_modules/katex/,
# src/math/katex-worker.js and katex-markup.js (and witness/include/, from
# src/witness/module.mk); flow.wasm, for the live demos, at its top.
install: all $(BUILD)/flow.wasm
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/folio/src/math
	install -m 755 $(BUILD)/folio $(DESTDIR)$(PREFIX)/bin/folio
	install -m 644 $(BUILD)/flow.wasm $(DESTDIR)$(PREFIX)/share/folio/flow.wasm
	cp -R templates $(DESTDIR)$(PREFIX)/share/folio/
	install -m 644 src/math/katex-worker.js src/math/katex-markup.js \
		$(DESTDIR)$(PREFIX)/share/folio/src/math/
	if [ -d node_modules/katex ]; then \
		mkdir -p $(DESTDIR)$(PREFIX)/share/folio/node_modules && \
		cp -R node_modules/katex $(DESTDIR)$(PREFIX)/share/folio/node_modules/; fi

clean:
	rm -rf $(BUILD)

# ---- benchmarks: each module.mk adds its target to BENCHES; each writes
# $(BUILD)/bench/<name>.json, merged into $(BUILD)/bench.json.
bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BUILD)/bench
	@$(MAKE) --no-print-directory $(BENCHES)
	@node tests/bench/merge.js $(BUILD)/bench $(BUILD)/bench.json
