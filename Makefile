# Lockstep: the two commands a newcomer needs are `make demo` and `make test`; both install what is missing.
SWIFT ?= swift
# The tuned build: everything compiled for this CPU. The gradient kernels have an AVX-512 copy in any
# build (FusedKernelsAVX512, picked by CPUID); the CPU target also makes the rest (the shuffle, the
# reduce and update) use it. Without one, Swift lowers SIMD16 to SSE.
TUNE := -Xswiftc -target-cpu -Xswiftc native
# Start-up (docs/performance.md, "Start-up"): the Swift runtime, Foundation and Dispatch linked into the
# binary, which is not position-independent. Loading and binding their 15 shared libraries was ~7 ms of a
# 16 ms `lockstep train`, and a PIE's 76 000 relative relocations are work at every start.
#
# MPI (docs/distributed.md, "How MPI is loaded"): the binary calls Open MPI only through dlopen under
# mpirun and references none of its symbols, but pkg-config ompi-c's -lmpi still leaves a DT_NEEDED,
# so every plain run would map libmpi, libopen-rte, libopen-pal and libevent (~1.7 ms). -Xlinker
# --as-needed cannot drop it: swiftc puts every -Xlinker after the -l libraries. So the built binary's
# DT_NEEDED libmpi.so.40 is removed with patchelf (after checking that no undefined symbol is MPI's).
# A `swift build` without this step works the same (libmpi is then mapped but never initialised).
LINK := --static-swift-stdlib -Xlinker -no-pie
define UNLINK_MPI
	@if nm -D --undefined-only $(1) | grep -Eq ' (P?MPI_|ompi_|opal_|orte_)'; then \
		echo "error: $(1) references MPI symbols; call MPI only through Sources/CMPI/shim.h's ls_mpi table" >&2; exit 1; fi
	patchelf --remove-needed libmpi.so.40 $(1)
endef
BIN := .build/release/lockstep
APT_PACKAGES := libhwloc-dev zlib1g-dev pkg-config python3-numpy librsvg2-bin binutils libopenmpi-dev openmpi-bin iproute2 patchelf
# What must be present after `make deps`: hwloc and zlib through pkg-config, numpy for the .npy tests,
# rsvg-convert (librsvg) for the tests that render the SVG plots, nm and objdump (binutils) for the test
# that reads the kernels' assembly; Open MPI (ompi-c, mpirun) for distributed training and its tests;
# patchelf to drop libmpi from the binary's DT_NEEDED (it is loaded by dlopen under mpirun only).
HAVE_DEPS := pkg-config --exists hwloc zlib ompi-c 2>/dev/null && command -v mpirun >/dev/null && command -v ip >/dev/null && python3 -c 'import numpy' 2>/dev/null && command -v rsvg-convert >/dev/null \
	&& command -v objdump >/dev/null && command -v nm >/dev/null && command -v patchelf >/dev/null

DOC_MODULES := LinearTraining SyntheticData DataParallel HardwareTopology Plotting ConfigLoading Distributed

.PHONY: api client docs all deps build demo test sweep compare compare-generate bench images fuzz tsan asan mutants format lint clean help

all: build

help:
	@echo "make demo     install what is missing, build release, train the built-in demo on every core"
	@echo "make test     install what is missing, run every test (swift test)"
	@echo "make build    the tuned release build ($(BIN))"
	@echo "make sweep    thread sweep of the demo workload"
	@echo "make compare  lockstep vs the hand-tuned C yardstick (../shared/reference/compare.sh)"
	@echo "make compare-generate  lockstep generate vs the C yardstick's generator, side by side"
	@echo "make bench    the ordo-one/benchmark suites in Benchmarks/ (step, allreduce, generate)"
	@echo "make images   redraw the README's pictures (docs/images) with lockstep itself"
	@echo "make fuzz     libFuzzer over the .npy header parser and the config decoder (FUZZ_SECONDS=60 each)"
	@echo "make api      count the library's public symbols and the undocumented ones; fail if either grew (docs/api-surface.txt)"
	@echo "make client   build and run a client package that depends on Lockstep by version (scripts/client-package.sh)"
	@echo "make docs     the DocC catalogs of every library module (.build/docs/MODULE), warnings as errors"
	@echo "make tsan     the sweep tests under Thread Sanitizer;  make asan: under Address Sanitizer"
	@echo "make mutants  plant each bug of scripts/mutants.txt in a scratch copy; fails if a test suite misses one"

# System packages: hwloc and zlib (through pkg-config), numpy (the tests check .npy files with it),
# librsvg2-bin (the tests render the plots with rsvg-convert), binutils (the assembly test).
# A fresh machine has no package lists, so update first.
deps:
	@if ! { $(HAVE_DEPS); }; then \
		echo "installing $(APT_PACKAGES)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@$(HAVE_DEPS) || { echo "error: still missing after apt-get: install $(APT_PACKAGES)" >&2; exit 1; }

build: deps
	$(SWIFT) build -c release $(TUNE) $(LINK)
	$(call UNLINK_MPI,$(BIN))

demo: build
	$(BIN) topology
	@echo
	$(BIN) train --config configs/demo.yaml

# Tests run one at a time: span tests need Dispatch's whole pool (2 threads on 2 cores).
# The debug lockstep loses its DT_NEEDED libmpi too, so the mpirun tests load MPI by dlopen as the release binary does.
test: deps
	$(SWIFT) build -c release $(TUNE) $(LINK)
	$(call UNLINK_MPI,$(BIN))
	$(SWIFT) build --build-tests
	$(call UNLINK_MPI,.build/debug/lockstep)
	$(SWIFT) test --skip-build --no-parallel

sweep: build
	$(BIN) sweep --config configs/demo.yaml --epochs 3

compare: build
	../shared/reference/compare.sh

# lockstep generate (1 GiB to .npy) against the C yardstick's make_data, alternating, in one run.
compare-generate: build
	scripts/compare-generate.sh

format:
	swift format --in-place --recursive Sources Tests Package.swift

lint:
	swift format lint --recursive Sources Tests Package.swift

clean:
	rm -rf .build

# The README's pictures, drawn by lockstep (SVG) and rendered by librsvg (PNG).
images: build
	$(BIN) train --config configs/line50.yaml --quiet --plot docs/images/line50
	$(BIN) sweep --config configs/w3-minibatch.yaml --threads 1,2,3,4 --epochs 3 --quiet --plot docs/images/sweep-w3
	for f in docs/images/*/*.svg; do rsvg-convert -o "$${f%.svg}.png" "$$f"; done

# ordo-one/benchmark suites in Benchmarks/ (a nested package): step/w3|w4|w5, allreduce, generate.
# BENCH_ARGS passes options through, e.g. make bench BENCH_ARGS="--filter 'step/w3.*'".
bench: deps
	cd Benchmarks && LOCKSTEP_TARGET_CPU=native $(SWIFT) package benchmark $(BENCH_ARGS)

# libFuzzer (-sanitize=fuzzer,address) over the .npy header parser and the config decoder, each for
# FUZZ_SECONDS (default 60). Seeds in Fuzz/corpus; the growing corpus and any crash-* file stay in
# .build/fuzz. A finding exits non-zero with the input that triggers it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := LOCKSTEP_FUZZ=1 $(SWIFT) build -c release --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
fuzz: deps
	$(FUZZ_BUILD) --product lockstep-fuzz-npy
	$(FUZZ_BUILD) --product lockstep-fuzz-config
	@for t in npy config; do \
		mkdir -p .build/fuzz/corpus-$$t && cp Fuzz/corpus/$$t/* .build/fuzz/corpus-$$t/ && \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s (log: .build/fuzz/fuzz-$$t.log)"; \
		( cd .build/fuzz && LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp ./release/lockstep-fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
			corpus-$$t > fuzz-$$t.log 2>&1 ); status=$$?; \
		grep -E "stat::number_of_executed_units|stat::new_units_added|Done " .build/fuzz/fuzz-$$t.log; \
		if [ $$status != 0 ]; then tail -40 .build/fuzz/fuzz-$$t.log; echo "fuzz $$t: FINDING (exit $$status)"; exit 1; fi; \
	done

# Thread Sanitizer and Address Sanitizer (with LeakSanitizer) over the sweep tests (every executor and
# thread count, stop and resume) and the executor tests. Any report fails the run.
SANITIZED_TESTS := SweepTests|DataParallelTests
tsan: deps
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --no-parallel --build-path .build/tsan --sanitize=thread --filter '$(SANITIZED_TESTS)'
asan: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt ASAN_OPTIONS=halt_on_error=1 \
		$(SWIFT) test --no-parallel --build-path .build/asan --sanitize=address --filter '$(SANITIZED_TESTS)'

# DocC (swift-docc-plugin): each library module's symbols and its Documentation.docc articles; any
# warning (a broken symbol link, an ambiguous article) fails. Open .build/docs/MODULE/index.html
# through a web server, or run `swift package --disable-sandbox preview-documentation --target MODULE`.
docs: deps
	@mkdir -p .build/docs; rm -rf $(addprefix .build/docs/,$(DOC_MODULES))
	@for m in $(DOC_MODULES); do \
		$(SWIFT) package generate-documentation --target $$m --warnings-as-errors --output-path .build/docs/$$m >/dev/null 2>&1 \
			|| { $(SWIFT) package generate-documentation --target $$m --warnings-as-errors --output-path .build/docs/$$m 2>&1 | grep -v '^\[' >&2; exit 1; }; \
		echo "docs: .build/docs/$$m"; \
	done

# The public surface from the symbol graphs, against docs/api-surface.txt: more public or more
# undocumented symbols than recorded fails (scripts/api-surface.py --list names them).
api: deps
	$(SWIFT) package dump-symbol-graph --minimum-access-level public >/dev/null
	scripts/api-surface.py --check docs/api-surface.txt

# A client package that depends on Lockstep by version (the committed HEAD, tagged in a scratch
# clone) builds and runs against the library products alone (scripts/client-package.sh).
client: deps
	scripts/client-package.sh

# Mutation check (before each submission, not in CI): each planted bug of scripts/mutants.txt, one at a
# time, in a scratch copy (/tmp/lockstep-mutants, its .build reused), must fail the suites it names.
# MUTANTS="word ..." runs only the mutants whose name contains a word.
mutants: deps
	scripts/mutants.sh $(MUTANTS)
