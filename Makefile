# fichier — build, run and test. Every target installs what it is missing first.
# Build output goes to stderr so that `make run` keeps stdout for protocol lines.

SWIFT        ?= swift
BUILD_PKGS   := libcurl4-openssl-dev libsodium-dev librhash-dev pkg-config tzdata
TEST_PKGS    := age curl jq openssl python3 python3-jsonschema python3-requests python3-pip rclone git-annex neovim emacs-nox shellcheck \
                git zip unzip time gcc
BENCH_PKGS   := time hyperfine valgrind curl age gcc python3
DEBUG_BIN    := .build/debug/fichier
# The release build links the Swift runtime and Foundation into the binary: it starts in 2/3
# of the time and maps less memory than with the shared libraries. Not exporting the binary's
# own symbols (the static stdlib asks for -export-dynamic) saves about 4 MiB of mapped pages;
# linking with the toolchain's lld and packed relative relocations (DT_RELR: 40 KiB of
# relocations instead of 2.6 MiB that the loader reads at every start) about 5 MiB more
# (README, Benchmarks).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xlinker --no-export-dynamic \
                 -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs
RELEASE_BIN  := .build/release/fichier

.PHONY: all deps test-deps build release run test test-integrations bench clean

all: build

deps:
	@scripts/ensure-packages $(BUILD_PKGS)

test-deps: deps
	@scripts/ensure-packages $(TEST_PKGS)
	@scripts/fetch-interop-clients

build: deps
	@$(SWIFT) build 1>&2

## make release: the optimised, self-contained binary at .build/release/fichier.
release: deps
	@$(SWIFT) build $(RELEASE_FLAGS) --product fichier 1>&2

## make run: the main job, the co-process on the sandbox emulator (stdin/stdout JSON-RPC).
## `make run SANDBOX=DIR` keeps the emulator's data in DIR between runs.
run: build
	@exec $(DEBUG_BIN) serve --sandbox $(SANDBOX)

## make test: every test suite, from unit tests to the spawned binary: the conformance
## transcripts (protocol/examples) and the schema checks (protocol/schema) run inside it;
## then the integrations' tests (integrations/run-tests.sh).
## Each test target runs in its own process, one after the other, so that one target's
## CPU-heavy tests cannot starve another's timing-sensitive ones (a test process has one
## cooperative thread per core); all targets run even when one fails. Last, the benchmark
## harness runs once in --quick mode (seconds, nothing is judged) so that it keeps working.
TEST_TARGETS := $(notdir $(wildcard Tests/*Tests))
test: test-deps
	@$(SWIFT) build --product fichier 1>&2
	@$(SWIFT) build --build-tests 1>&2
	@status=0; for target in $(TEST_TARGETS); do \
	  echo "make test: $$target" 1>&2; \
	  $(SWIFT) test --skip-build --filter "^$$target\." 1>&2 || status=1; \
	done; \
	echo "make test: integrations" 1>&2; \
	FICHIER_BIN=$(DEBUG_BIN) integrations/run-tests.sh || status=1; \
	echo "make test: benchmarks/run --quick (the harness end to end, small sizes)" 1>&2; \
	benchmarks/run --quick --binary $(DEBUG_BIN) 1>&2 || status=1; \
	exit $$status

## make test-integrations: only the integrations' tests (git-annex, Neovim, Emacs, bash,
## Python, the backup job), each with the real host program against the emulator.
test-integrations: test-deps
	@$(SWIFT) build --product fichier 1>&2
	@FICHIER_BIN=$(DEBUG_BIN) integrations/run-tests.sh

## make bench: fichier side by side with curl, raw libsodium and age on the release binary
## (benchmarks/run): prints the table, writes benchmarks/results/latest.json. Takes minutes.
bench: release
	@scripts/ensure-packages $(BENCH_PKGS)
	@benchmarks/run --binary $(RELEASE_BIN)

clean:
	@$(SWIFT) package clean
