# vmtsdb-tools: one Makefile.
#   make            build libcore and the tools into build/bin
#   make test       install missing build deps (apt-get), build, run unit, e2e and fuzz-corpus tests
#   make asan       the same tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   make fuzz       libFuzzer targets with clang (build-fuzz/); FUZZ_SECONDS or FUZZ_RUNS per target, FUZZ_TARGETS to pick,
#                   FUZZ_SANITIZE=undefined for long campaigns, FUZZ_MAX_LEN, FUZZ_ARGS
#   make bench      benchmarks that print figures
#   make demo       the README's demo on the bundled example
#   make install    PREFIX=/usr/local
#   make unit-MODULE   unit tests of one libcore module and its dependencies only (fast iteration)

CXX      ?= g++
# Parallel compiles for test, asan and bench (CI has 2 cores and a time limit).
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2
SAN      ?=
CXXFLAGS ?=
CXXFLAGS += -std=c++20 $(OPT) -g -Wall -Wextra -ffp-contract=off -pthread -Ilibcore -I. $(SAN)
LDLIBS   += -lzstd -lxxhash -lz -lre2 -lsimdjson -pthread $(SAN)
DEPFLAGS  = -MMD -MP

MODULES := base encoding metric prom promtsdb storage mergeset indexdb layout query ingest route reshard ops
# Which modules a module's unit tests link against (dependencies flow one way).
DEPS_base     := base
DEPS_encoding := base encoding
DEPS_metric   := base metric
DEPS_prom     := base metric prom
DEPS_promtsdb := base promtsdb
DEPS_storage  := base encoding metric storage
DEPS_mergeset := base encoding mergeset
DEPS_indexdb  := base encoding metric mergeset indexdb
DEPS_layout   := base encoding metric storage mergeset indexdb layout
DEPS_query    := base encoding metric storage mergeset indexdb layout query
DEPS_ingest   := base encoding metric prom promtsdb storage mergeset indexdb layout query ingest
DEPS_route    := base metric prom route
DEPS_reshard  := $(filter-out ops,$(MODULES))
DEPS_ops      := $(MODULES)

mod_srcs  = $(filter-out %_test.cpp,$(wildcard libcore/$(1)/*.cpp))
mod_tests = $(wildcard libcore/$(1)/*_test.cpp)
objs      = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))

LIB_SRCS  := $(foreach m,$(MODULES),$(call mod_srcs,$(m)))
TEST_SRCS := $(foreach m,$(MODULES),$(call mod_tests,$(m)))
LIB       := $(BUILD)/libcore.a
TOOLS     := $(notdir $(patsubst %/,%,$(dir $(wildcard tools/*/main.cpp))))
BINS      := $(addprefix $(BUILD)/bin/,$(TOOLS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.cpp)
FUZZ_NAMES:= $(patsubst tests/fuzz/fuzz_%.cpp,%,$(FUZZ_SRCS))
REPLAYS   := $(addprefix $(BUILD)/fuzz-replay/,$(FUZZ_NAMES))
UNIT      := $(BUILD)/unit-tests

.SECONDEXPANSION:
# Keep objects make considers intermediate (fuzz objects), so they are not rebuilt every run.
.SECONDARY:

.PHONY: all deps test check unit e2e fuzz-replay asan fuzz bench demo install clean tools
.DEFAULT_GOAL := all

all: $(BINS) $(UNIT) $(REPLAYS)
tools: $(BINS)

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIB): $(call objs,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(LIB) $$(call objs,$$(wildcard tools/%/*.cpp))
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $(call objs,$(wildcard tools/$*/*.cpp)) $(LIB) $(LDLIBS)

$(UNIT): $(call objs,$(TEST_SRCS) tests/unit_main.cpp) $(LIB)
	$(CXX) $(CXXFLAGS) -o $@ $(call objs,$(TEST_SRCS) tests/unit_main.cpp) $(LIB) $(LDLIBS)

# Fuzz targets replayed over their corpus with a plain main (no clang needed).
$(BUILD)/fuzz-replay/%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay_main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $(BUILD)/obj/tests/fuzz/fuzz_$*.o $(BUILD)/obj/tests/fuzz/replay_main.o $(LIB) $(LDLIBS)

unit-%: $$(call objs,$$(foreach m,$$(DEPS_$$*),$$(call mod_srcs,$$(m))) $$(call mod_tests,$$*) tests/unit_main.cpp)
	$(CXX) $(CXXFLAGS) -o $(BUILD)/unit-$* $^ $(LDLIBS)
	$(BUILD)/unit-$*

deps:
	@bash scripts/install-deps.sh

# The README's test command. Ends with the plain summary lines CI reads.
test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@bash tests/run-all.sh $(BUILD)

check: test

unit: $(UNIT)
	@bash tests/run-unit.sh $(BUILD)

e2e: $(BINS)
	@bash tests/e2e/run.sh $(BUILD)

fuzz-replay: $(REPLAYS)
	@bash tests/fuzz/replay.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build-asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  VMT_SANITIZED=1 bash tests/run-all.sh build-asan

fuzz: deps
	@bash tests/fuzz/run-libfuzzer.sh

bench: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all
	@bash tests/bench/run.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory tools
	@bash scripts/demo.sh $(BUILD)

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-asan build-fuzz build-fuzz-*

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
