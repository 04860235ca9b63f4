# SPDX-License-Identifier: GPL-2.0
#
#   make            the CLI (userspace/juris) and the host tests
#   make check      host tests (under ASan and UBSan), lint, the YNL spec check, the
#                   GKI build and KMI check, then the selftests in QEMU on the 6.1
#                   and 6.12 kernels, x86_64 and arm64
#   make demo       boot a VM and show what a device with juris can and cannot reach
#                   (ARCH=arm64 for the arm64 VM)
#   make modules    juris.ko for all four test kernels, under build/
#   make test       the host tests under ASan and UBSan, any report fails (no root needed)
#   make fuzz       libFuzzer on the CSV, compiled-table and policy file parsers and the table build, FUZZ_SECONDS (60) each
#   make lint       sparse (amd64 test kernels) and checkpatch --strict over every kmod/ file
#   make check-gki  juris.ko built with clang for GKI-like arm64 6.1 and 6.12
#                   trees (cached under /var/cache/juris/gki), checked against the KMI
#   make world-table  fetch the world's IP-to-country CSVs (npm, CC0) into the cache
#   make bench-host the table core on the world table, host-native: ns per lookup
#                   against a binary search, bytes (after make world-table)
#   make bench      bench-host, then in a VM per amd64 test kernel: the world
#                   table's load time and kernel memory in juris and as nftables
#                   maps, and UDP packets per second with and without juris
#   make check-debug  the guest suite and a failslab pass on a 6.12 kernel built
#                   with KASAN, kmemleak, lockdep and fault injection (cached under
#                   /var/cache/juris/debug); not part of make check
#
# The module for your own kernel: make -C /lib/modules/$(uname -r)/build M=$PWD
# (Kbuild, not this file, drives that build).

CC ?= gcc
CFLAGS ?= -O2 -g
TEST_CFLAGS := -std=gnu11 -Wall -Wextra $(CFLAGS)
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
B := build
# The CSVs jtab_test compiles and loads back.
JTAB_FIXTURES := tests/guest/fixture.csv tests/guest/fixture-moved.csv examples/sample-table.csv
KSELFTEST := $(B)/kselftest
# The guest programs of each test architecture, under $(B)/ARCH/.
GUEST_ARCHS := amd64 arm64
CC_amd64 := $(CC)
CC_arm64 := aarch64-linux-gnu-gcc
PKG_CONFIG_amd64 := pkg-config
PKG_CONFIG_arm64 := env PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig pkg-config
CORE := kmod/table.c kmod/policy.c kmod/table.h kmod/policy.h kmod/core.h
# Sanitizer builds: a report aborts the program, so the target fails.
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
	UBSAN_OPTIONS=print_stacktrace=1
# libFuzzer needs clang. Each harness runs on a copy of its seed corpus
# under build/fuzz/, which keeps what earlier runs found (make clean resets it).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS := csv table jtab pfile
# The table harness rejects inputs of more than 256 rows of 6 bytes.
FUZZ_FLAGS_csv := -max_len=4096
FUZZ_FLAGS_table := -max_len=1536
FUZZ_FLAGS_jtab := -max_len=4096
FUZZ_FLAGS_pfile := -max_len=4096
# checkpatch.pl ships in no Debian package: make lint takes it, and the two
# files it reads, from the kernel source tarball.
CHECKPATCH := $(B)/checkpatch/scripts/checkpatch.pl
CHECKPATCH_FILES := checkpatch.pl spelling.txt const_structs.checkpatch

all: userspace host-tests

deps:
	@tests/vm/install-deps.sh $(KSELFTEST)

userspace:
	$(MAKE) -C userspace

$(B)/host/core_test: tests/host/core_test.c tests/host/naive.h $(CORE)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< kmod/table.c kmod/policy.c

$(B)/host/csv_test: tests/host/csv_test.c userspace/csv.c userspace/csv.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace -o $@ $< userspace/csv.c

PFILE := userspace/pfile.c userspace/csv.c userspace/fmt.c
PFILE_DEPS := $(PFILE) userspace/pfile.h userspace/csv.h userspace/fmt.h kmod/uapi/juris.h

$(B)/host/pfile_test: tests/host/pfile_test.c $(PFILE_DEPS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace -Ikmod/uapi -o $@ $< $(PFILE)

# Compiled tables: the CLI's writer and reader, the kernel's table code.
JTAB := userspace/jtab.c userspace/sha256.c userspace/csv.c kmod/table.c
JTAB_DEPS := $(JTAB) userspace/jtab.h userspace/sha256.h userspace/csv.h $(CORE)

$(B)/host/jtab_test: tests/host/jtab_test.c $(JTAB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(JTAB)

host-tests: $(B)/host/core_test $(B)/host/csv_test $(B)/host/pfile_test $(B)/host/jtab_test

# Benchmarks print figures; nothing asserts on time. The world table comes
# from the cache (make world-table), never from git.
WORLD := $(or $(JURIS_CACHE),/var/cache/juris)/world/current
BENCH_FLAGS ?=

# The kernel counts bits with POPCNT where the CPU has it (x86 patches the
# instruction in at boot); the host build of the core does the same.
BENCH_CFLAGS := $(if $(shell grep -qw popcnt /proc/cpuinfo 2>/dev/null && echo y),-mpopcnt)

$(B)/host/bench_host: tests/bench/bench_host.c $(JTAB_DEPS) kmod/policy.c kmod/policy.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(BENCH_CFLAGS) -o $@ $< $(JTAB) kmod/policy.c

world-table:
	@tests/bench/world-table.sh

bench-host: $(B)/host/bench_host
	@test -s $(WORLD)/ipv4.csv || { echo "bench-host: no world table: make world-table" >&2; exit 1; }
	$< $(BENCH_FLAGS) $(WORLD)/ipv4.csv $(WORLD)/ipv6.csv

# jbench sends the guest's datagrams and times its loads; the host's copy
# draws the destinations.
$(B)/%/jbench: tests/bench/jbench.c
	@mkdir -p $(@D)
	$(CC_$*) $(TEST_CFLAGS) -o $@ $<

# The VM part boots one kernel at a time, amd64 only (tests/bench/bench.sh);
# the compiled table, the nftables files and each kernel's output go to
# $(B)/bench/. JURIS_BENCH_REPS (12) sets the packet-rate repetitions.
bench:
	@test -s $(WORLD)/ipv4.csv && test -s $(WORLD)/ipv6.csv || \
		{ echo "bench: no world table in $(WORLD): run make world-table first" >&2; exit 1; }
	@$(MAKE) -s deps
	$(MAKE) userspace guest-cli-amd64 $(B)/amd64/jbench $(B)/host/bench_host
	@tests/bench/bench.sh $(WORLD)

$(B)/host-san/core_test: tests/host/core_test.c tests/host/naive.h $(CORE)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -o $@ $< kmod/table.c kmod/policy.c

$(B)/host-san/csv_test: tests/host/csv_test.c userspace/csv.c userspace/csv.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -Iuserspace -o $@ $< userspace/csv.c

$(B)/host-san/pfile_test: tests/host/pfile_test.c $(PFILE_DEPS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -Iuserspace -Ikmod/uapi -o $@ $< $(PFILE)

$(B)/host-san/jtab_test: tests/host/jtab_test.c $(JTAB_DEPS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -o $@ $< $(JTAB)

$(B)/fuzz/csv_fuzz: tests/fuzz/csv_fuzz.c tests/fuzz/check.h userspace/csv.c userspace/csv.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iuserspace -o $@ $< userspace/csv.c

$(B)/fuzz/table_fuzz: tests/fuzz/table_fuzz.c tests/fuzz/check.h tests/host/naive.h $(CORE)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< kmod/table.c kmod/policy.c

$(B)/fuzz/pfile_fuzz: tests/fuzz/pfile_fuzz.c tests/fuzz/check.h $(PFILE_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iuserspace -Ikmod/uapi -o $@ $< $(PFILE)

$(B)/fuzz/jtab_fuzz: tests/fuzz/jtab_fuzz.c tests/fuzz/check.h $(JTAB_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Iuserspace -o $@ $< $(JTAB)

# A crash, leak, sanitizer report, failed check or slow input (10 s) stops
# the fuzzer with an error and leaves the input as build/fuzz/NAME-crash-*.
FUZZ_RUNS := $(addprefix fuzz-,$(FUZZERS))
fuzz: $(FUZZ_RUNS)

# Compiled tables are build outputs: jtab's seeds are the CSV seeds,
# compiled by the CLI.
$(FUZZ_RUNS): fuzz-%: $(B)/fuzz/%_fuzz
	@mkdir -p $(B)/fuzz/corpus/$*
	@if [ $* = jtab ]; then \
		$(MAKE) -s userspace || exit 1; \
		for f in tests/fuzz/corpus/csv/*.csv; do \
			userspace/juris table compile $$f -o $(B)/fuzz/corpus/jtab/$$(basename $$f .csv).jtab \
				>/dev/null 2>&1 || true; \
		done; \
	else \
		cp tests/fuzz/corpus/$*/* $(B)/fuzz/corpus/$*/; \
	fi
	$< -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/$*- $(FUZZ_FLAGS_$*) $(B)/fuzz/corpus/$*

$(CHECKPATCH):
	@mkdir -p $(B)/checkpatch
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(B)/checkpatch --occurrence=1 \
		--strip-components=1 $(addprefix linux-source-6.1/scripts/,$(CHECKPATCH_FILES))

# Sparse runs through Kbuild (C=2: every file) in a copy of the sources per
# kernel, as tests/vm/build-module.sh builds; checkpatch reads kmod/ as it
# would a patch to the kernel. Any warning, error or check fails.
lint: $(CHECKPATCH)
	@command -v sparse >/dev/null || { echo "lint: sparse is missing: apt-get install sparse" >&2; exit 1; }
	@fail=0; \
	for k in $$(tests/vm/kernels.sh amd64); do \
		d=$(B)/lint/$$k; \
		rm -rf $$d && mkdir -p $$d && cp -r Kbuild kmod $$d/ || exit 1; \
		echo "lint: sparse against $$k"; \
		$(MAKE) -s -C /lib/modules/$$k/build M=$(CURDIR)/$$d C=2 CHECK=sparse modules \
			>$$d/build.log 2>&1 || fail=1; \
		grep -v '^Skipping BTF generation' $$d/build.log; \
		! grep -q -E ': (warning|error):' $$d/build.log || fail=1; \
	done; \
	echo "lint: checkpatch --strict"; \
	$(CHECKPATCH) --strict --no-tree --quiet --show-types \
		--typedefsfile tests/lint/checkpatch-typedefs \
		-f kmod/*.c kmod/*.h kmod/uapi/*.h || fail=1; \
	exit $$fail

host-san: $(B)/host-san/core_test $(B)/host-san/csv_test $(B)/host-san/pfile_test $(B)/host-san/jtab_test

test: host-san
	$(SAN_ENV) $(B)/host-san/core_test
	$(SAN_ENV) $(B)/host-san/csv_test tests/host/csv
	$(SAN_ENV) $(B)/host-san/pfile_test examples
	$(SAN_ENV) $(B)/host-san/jtab_test $(JTAB_FIXTURES)

modules:
	@for k in $$(tests/vm/kernels.sh); do \
		tests/vm/build-module.sh $$k $(B)/$$k/src || exit 1; \
	done

# The guest's CLI and tests, built for each architecture (cross for arm64).
$(B)/%/jprobe: tests/guest/jprobe.c
	@mkdir -p $(@D)
	$(CC_$*) $(TEST_CFLAGS) -o $@ $<

$(B)/%/nl_test: tests/guest/nl_test.c kmod/uapi/juris.h
	@mkdir -p $(@D)
	$(CC_$*) -std=gnu11 -Wall $(CFLAGS) -I$(KSELFTEST) -Ikmod/uapi \
		$$($(PKG_CONFIG_$*) --cflags libnl-genl-3.0) -o $@ $< \
		$$($(PKG_CONFIG_$*) --libs libnl-genl-3.0)

$(B)/%/jload: tests/guest/jload.c tests/guest/nlraw.h kmod/uapi/juris.h
	@mkdir -p $(@D)
	$(CC_$*) $(TEST_CFLAGS) -Ikmod/uapi -o $@ $<

$(B)/%/nl_fuzz: tests/guest/nl_fuzz.c tests/guest/nlraw.h kmod/uapi/juris.h
	@mkdir -p $(@D)
	$(CC_$*) $(TEST_CFLAGS) -Ikmod/uapi -o $@ $<

GUEST_CLIS := $(foreach a,$(GUEST_ARCHS),guest-cli-$(a))
$(GUEST_CLIS): guest-cli-%:
	$(MAKE) -C userspace O=$(CURDIR)/$(B)/$*/cli CC=$(CC_$*) PKG_CONFIG="$(PKG_CONFIG_$*)"
	cp $(B)/$*/cli/juris $(B)/$*/juris

guest-tests: $(GUEST_CLIS) $(foreach a,$(GUEST_ARCHS),$(B)/$(a)/jprobe $(B)/$(a)/jload $(B)/$(a)/nl_test $(B)/$(a)/nl_fuzz)

check: deps
	$(MAKE) all host-san modules guest-tests
	@tests/check.sh

# The GKI build is checked without tests/gki/debian-only: nothing is excused.
check-gki:
	tests/gki/build-gki.sh
	tests/gki/kmi-check.sh $(B)/gki/6.1/juris.ko $(B)/gki/6.12/juris.ko

# The debug kernel is built from source the first time (see tests/debug/).
check-debug: deps
	$(MAKE) guest-tests
	@tests/debug/check-debug.sh

# make demo ARCH=arm64 boots the arm64 VM instead.
demo: deps
	$(MAKE) userspace modules guest-tests
	@tests/demo.sh $(if $(filter arm64 aarch64,$(ARCH)),arm64,amd64)

clean:
	$(MAKE) -C userspace clean
	rm -rf $(B)

.PHONY: all deps userspace host-tests host-san test fuzz $(FUZZ_RUNS) lint modules guest-tests check check-gki check-debug demo clean world-table bench-host bench $(GUEST_CLIS)
