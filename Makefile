# keyroll build. Sources are found by glob so each subsystem adds files
# without touching this file:
#   harness/LAYER/*.c      -> build/libkeyroll.a, for the layers wire, net,
#                             rpki, vectors, run and report (harness/README.md)
#   harness/cli/cmd_NAME.c -> a `keyroll NAME` subcommand: defines
#                             int kr_cmd_NAME(int argc, char **argv) and
#                             const char kr_cmd_NAME_help[]
#   suites/*.c             -> linked into build/keyroll (conformance cases)
#   sut/refspeaker/*.c     -> build/refspeaker
#   tests/test_*.c         -> one CUnit binary each (build/tests/test_*)
#   tests/it_*.sh          -> integration tests (root, namespaces, daemons)
#   fuzz/fuzz_*.c          -> libFuzzer targets (clang)
#   bench/bench_*.c        -> benchmarks, printed by `make bench`

# Parallel by default (jobs = cores); `make -jN` on the command line wins.
NPROC   := $(shell nproc 2>/dev/null || echo 2)
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(NPROC)
endif

CC      ?= cc
CLANG   ?= clang
PKGS    := openssl libpcap libnl-3.0 libnl-route-3.0 jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
RTR_LIBS   := -lrtr
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -Iharness $(PKG_CFLAGS)
LDLIBS  := $(PKG_LIBS) -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# BUILD=build (default) or build-asan (sanitizer build used by the tests too)
BUILD   ?= build
ifeq ($(BUILD),build-asan)
EXTRA_CFLAGS += $(SAN) -O1
EXTRA_LDFLAGS += $(SAN)
endif

LAYERS   := wire net rpki vectors run report
LIB_SRC  := $(foreach l,$(LAYERS),$(wildcard harness/$(l)/*.c))
CMD_SRC  := $(wildcard harness/cli/cmd_*.c)
SUITE_SRC:= $(wildcard suites/*.c)
REF_SRC  := $(wildcard sut/refspeaker/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
BENCH_SRC:= $(wildcard bench/bench_*.c)
CMDS     := $(patsubst harness/cli/cmd_%.c,%,$(CMD_SRC))

LIB      := $(BUILD)/libkeyroll.a
LIB_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,harness/cli/keyroll.c $(CMD_SRC) $(SUITE_SRC)) $(BUILD)/obj/cmdtab.o
REF_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(REF_SRC))
# the reference speaker minus main(), for its unit tests
REF_LIB  := $(BUILD)/librefspeaker.a
TESTS    := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCHES  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZERS  := $(patsubst fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))

.PHONY: all deps test unit-test it-test fuzz-smoke fuzz bench run clean asan pcaps
all: $(BUILD)/keyroll $(if $(REF_SRC),$(BUILD)/refspeaker) $(TESTS) $(BENCHES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Subcommand table generated from the cmd_*.c file names.
$(BUILD)/cmdtab.c: $(CMD_SRC) Makefile
	@mkdir -p $(dir $@)
	@{ echo '#include "cli/cli.h"'; \
	  for c in $(CMDS); do echo "int kr_cmd_$$c(int, char **); extern const char kr_cmd_$${c}_help[];"; done; \
	  echo 'const struct kr_cmd kr_cmds[] = {'; \
	  for c in $(CMDS); do echo "  { \"$$c\", kr_cmd_$$c, kr_cmd_$${c}_help },"; done; \
	  echo '  { 0, 0, 0 } };'; } > $@
$(BUILD)/obj/cmdtab.o: $(BUILD)/cmdtab.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/keyroll: $(CLI_OBJ) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS) $(RTR_LIBS)

$(BUILD)/refspeaker: $(REF_OBJ) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $(REF_OBJ) $(LIB) $(LDLIBS) $(RTR_LIBS)

$(REF_LIB): $(filter-out %/rs_main.o,$(REF_OBJ))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: tests/%.c tests/cu_main.c tests/cu.h $(LIB) $(REF_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -Isut/refspeaker -o $@ $< tests/cu_main.c $(REF_LIB) $(LIB) $(EXTRA_LDFLAGS) $(LDLIBS) $(RTR_LIBS) -lcunit

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(EXTRA_LDFLAGS) $(LDLIBS)

# libFuzzer targets: clang, ASan+UBSan. The library is instrumented once
# into build-fuzz/obj and shared by every target (building it per target
# made `make test` several minutes slower).
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC))
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) -g -O1 -Iharness $(PKG_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@
build-fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) -g -O1 -Iharness $(PKG_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) \
	  -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS) -lpthread -lm

asan:
	$(MAKE) BUILD=build-asan all

deps:
	sh tools/deps.sh

# Every test: unit tests in the normal and the sanitizer build, fuzz smoke
# runs, then the integration tests (which need root for namespaces).
# `sudo make test` and `sudo make run` are the two set-up commands of a fresh
# Debian 12 machine, so both install missing packages first (a no-op when
# everything is there).
test:
	sh tools/deps.sh
	$(MAKE) all
	$(MAKE) BUILD=build-asan all
	sh tools/runtests.sh

fuzz-smoke: $(FUZZERS)
	sh tools/fuzz.sh smoke $(FUZZERS)

FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	sh tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

bench: $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# The conformance suite against the reference speaker (needs root:
# namespaces). Reports in reports/latest/ (junit.xml, results.json, one
# folder of evidence per case). ARGS passes options, e.g. ARGS="rollover/3.1".
run:
	sh tools/deps.sh
	$(MAKE) all
	./$(BUILD)/keyroll run $(ARGS)

pcaps: all
	sh tools/mkpcaps.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find build/obj build-asan/obj build-fuzz/obj -name '*.d' 2>/dev/null)
