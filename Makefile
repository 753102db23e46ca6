# Lockstep: the two commands a newcomer needs are `make demo` and `make test`; both install what is missing.
SWIFT ?= swift
# The tuned build: SIMD16 kernels become AVX-512 (or whatever this CPU has). Without a CPU target
# Swift lowers SIMD16 to SSE.
TUNE := -Xswiftc -target-cpu -Xswiftc native
BIN := .build/release/lockstep
APT_PACKAGES := libhwloc-dev pkg-config

.PHONY: all deps build demo test test-release sweep compare format lint clean help

all: build

help:
	@echo "make demo     install what is missing, build release, train the built-in demo on every core"
	@echo "make test     install what is missing, run every test (swift test)"
	@echo "make build    the tuned release build ($(BIN))"
	@echo "make sweep    thread sweep of the demo workload"
	@echo "make compare  lockstep vs the hand-tuned C yardstick (../shared/reference/compare.sh)"

# System packages: hwloc (through pkg-config). A fresh machine has no package lists, so update first.
deps:
	@if ! pkg-config --exists hwloc 2>/dev/null; then \
		echo "installing $(APT_PACKAGES) (hwloc not found by pkg-config)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@pkg-config --exists hwloc || { echo "error: hwloc is still missing; install libhwloc-dev" >&2; exit 1; }

build: deps
	$(SWIFT) build -c release $(TUNE)

demo: build
	$(BIN) topology
	@echo
	$(BIN) train --config configs/demo.yaml

# Tests run one at a time: span tests need Dispatch's whole pool (2 threads on 2 cores).
test: deps
	$(SWIFT) build -c release $(TUNE)
	$(SWIFT) test --no-parallel

sweep: build
	$(BIN) sweep --config configs/demo.yaml --epochs 3

compare: build
	../shared/reference/compare.sh

format:
	swift format --in-place --recursive Sources Tests Package.swift

lint:
	swift format lint --recursive Sources Tests Package.swift

clean:
	rm -rf .build
