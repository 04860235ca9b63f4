# SPDX-License-Identifier: GPL-2.0
#
#   make            the CLI (userspace/juris) and the host tests
#   make check      host tests, then the selftests in QEMU on the 6.1 and 6.12 kernels
#   make demo       boot a VM and show what a device with juris can and cannot reach
#   make modules    juris.ko for both test kernels, under build/
#
# The module for your own kernel: make -C /lib/modules/$(uname -r)/build M=$PWD
# (Kbuild, not this file, drives that build).

CC ?= gcc
CFLAGS ?= -O2 -g
TEST_CFLAGS := -std=gnu11 -Wall -Wextra $(CFLAGS)
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
B := build
KSELFTEST := $(B)/kselftest
CORE := kmod/table.c kmod/policy.c kmod/table.h kmod/policy.h kmod/core.h

all: userspace host-tests

deps:
	@tests/vm/install-deps.sh $(KSELFTEST)

userspace:
	$(MAKE) -C userspace

$(B)/host/core_test: tests/host/core_test.c $(CORE)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< kmod/table.c kmod/policy.c

$(B)/host/csv_test: tests/host/csv_test.c userspace/csv.c userspace/csv.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Iuserspace -o $@ $< userspace/csv.c

host-tests: $(B)/host/core_test $(B)/host/csv_test

# Each kernel gets its own copy of the sources: object files would collide.
modules:
	@for k in $$(tests/vm/kernels.sh); do \
		mkdir -p $(B)/$$k/src && cp -r Kbuild kmod $(B)/$$k/src/ && \
		$(MAKE) -s -C /lib/modules/$$k/build M=$(CURDIR)/$(B)/$$k/src modules || exit 1; \
	done

$(B)/guest/jprobe: tests/guest/jprobe.c
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $<

$(B)/guest/nl_test: tests/guest/nl_test.c kmod/uapi/juris.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall $(CFLAGS) -I$(KSELFTEST) -Ikmod/uapi $(NL_CFLAGS) -o $@ $< $(NL_LIBS)

guest-tests: $(B)/guest/jprobe $(B)/guest/nl_test

check: deps
	$(MAKE) all modules guest-tests
	@tests/check.sh

demo: deps
	$(MAKE) userspace modules guest-tests
	@tests/demo.sh

clean:
	$(MAKE) -C userspace clean
	rm -rf $(B)

.PHONY: all deps userspace host-tests modules guest-tests check demo clean
