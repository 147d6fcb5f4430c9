# tdg — ten days of a container runtime. `make help` lists the targets.
#
# Each dayNN-<topic>/ folder is a complete runtime built from its own *.c and
# the shared mechanisms in common/ (a static library). `make dayNN` builds
# dayNN-<topic>/tdg and links ./dayNN to the folder, so ./dayNN/tdg works.

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Icommon -MMD -MP \
           $(shell pkg-config --cflags libnl-route-3.0 2>/dev/null)
# Static: the day 05 watcher stays resident for a container's whole life,
# and a static binary maps no shared libraries (its RSS is about half);
# it also starts faster, with no dynamic loader. Only the library objects a
# day's code uses are linked in.
#
# STATIC=0 links dynamically instead: for a distribution that ships no
# static archives of these libraries (Fedora's libseccomp-devel has no
# libseccomp.a; glibc's libc.a is a package of its own there). Without
# STATIC=0, a missing archive makes the same choice, said in one line.
# `make dynamic` builds every day dynamically in build/dynamic/ (the
# tests run one day's ladder against it).
STATIC  ?= 1
LDLIBS  ?= -ljansson -lnl-route-3 -lnl-3 -lpthread -lm
STATIC_ARCHIVES := c jansson nl-route-3 nl-3 pthread m nettle archive acl zstd bz2 lzma z seccomp cap
ifeq ($(STATIC)$(filter-out Darwin,$(shell uname -s)),1Linux)
# cc -print-file-name=libX.a prints a path only if it finds the archive.
MISSING_ARCHIVES := $(shell for l in $(STATIC_ARCHIVES); do \
    case "$$($(CC) -print-file-name=lib$$l.a)" in (/*) ;; (*) echo lib$$l.a ;; esac; done)
ifneq ($(MISSING_ARCHIVES),)
$(info tdg: no static $(MISSING_ARCHIVES) on this host: linking dynamically (as make STATIC=0))
STATIC := 0
endif
endif
export STATIC # a recursive make decides (and says) nothing again
LDFLAGS ?= $(if $(filter 1,$(STATIC)),-static)
# Which way the days were last linked: a change relinks them (make does
# not see a changed variable by itself).
LINK_MODE := build/link-static-$(STATIC)

DAY_DIRS := $(sort $(wildcard day[0-9][0-9]-*))
DAYS     := $(foreach d,$(DAY_DIRS),$(firstword $(subst -, ,$(d))))
LAST_DAY := $(lastword $(DAYS))
ROOTFS   := rootfs/busybox

# Objects go to build/, so a day folder holds only what a student reads.
COMMON_OBJ := $(patsubst %.c,build/%.o,$(wildcard common/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst %.c,build/%,$(UNIT_SRC))

.PHONY: lab check solution all help escape rootfs default-rootfs rootfs-alpine demo test bench unit fuzz asan dynamic preflight clean lima-frontend linux-tdg $(DAYS)

# The macOS front end (scripts/lima/tdg-lima.c, docs/macos.md): not part of
# the runtime but a program of its own, portable C with no libraries, built
# alone. TDG_REPO tells it where the Linux tdg, the Lima template and the
# rootfs are.
UNAME_S     := $(shell uname -s)
LIMA_SRC    := scripts/lima/tdg-lima.c
LIMA_CFLAGS := -std=c11 -Wall -Wextra -pedantic -D_POSIX_C_SOURCE=200809L -O2 -g \
               -DTDG_REPO='"$(CURDIR)"'
# The Linux tdg that the front end runs in the VM, one per architecture;
# not day10-final/tdg, which on a Mac is the front end itself.
LINUX_TDG   := build/linux-$(shell uname -m)/tdg

ifeq ($(UNAME_S),Darwin)
all: day10
else
all: $(DAYS)
endif

help:
	@echo "make                build every day ($(DAYS))"
	@echo "make dayNN          build one day; then ./dayNN/tdg works (from day 03 it also builds"
	@echo "                    $(ROOTFS) if it is missing, as 'make rootfs' does)"
	@echo "make escape         build the chroot escape of lessons 03 and security (day10-final/escape/)"
	@echo "make rootfs         build $(ROOTFS) offline from Debian's busybox-static"
	@echo "make rootfs-alpine  download the Alpine minirootfs (needs internet)"
	@echo "sudo make demo      install what is missing, build, run a first container"
	@echo "sudo make test      install what is missing, run unit tests, the ladder, fuzzing, the"
	@echo "                    ladder under ASan+UBSan, a leak check"
	@echo "sudo make bench     time every day against crun, runc and unshare; writes docs/bench.md"
	@echo "make unit           build the cmocka unit tests (build/tests/unit/)"
	@echo "make fuzz           build the libFuzzer targets (build/fuzz/, needs clang)"
	@echo "make asan           build every day and the unit tests with ASan+UBSan (build/asan/)"
	@echo "make STATIC=0       link every day dynamically (the default is static; a missing static"
	@echo "                    archive makes the same choice and says so)"
	@echo "make dynamic        build every day dynamically in build/dynamic/ (what the tests use)"
	@echo "sudo make preflight a workshop's pre-flight check, about a minute: builds every day, runs"
	@echo "                    tdg doctor and one container per day, one verdict line a day"
	@echo "make lima-frontend  build the macOS front end here, as build/tdg-lima (docs/macos.md)"
	@echo "make linux-tdg      build the day 10 runtime as build/linux-<arch>/tdg (for the Lima VM)"
	@echo "make lab DAY=NN     lab mode: lab/ holds day NN with its new code to write (FROM=lab: carry"
	@echo "                    your earlier days on); make check DAY=NN [T=test] grades it,"
	@echo "                    make solution DAY=NN shows the difference from the reference"
	@echo "make clean          remove everything built (not rootfs/)"

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Day 10's seccomp filter (common/syscalls.c) is turned into BPF here, once,
# by libseccomp in a generator built from the same file; tdg loads the
# result (~0.7 ms a run less, docs/bench.md). Every build of syscalls.c
# includes it.
SYSCALLS_OBJ := build/common/syscalls.o build/asan/common/syscalls.o \
                build/fuzz/common/syscalls.o
$(SYSCALLS_OBJ): build/gen/seccomp_bpf.h
$(SYSCALLS_OBJ): CFLAGS += -Ibuild/gen
build/gen/seccomp_bpf.h: common/syscalls.c common/syscalls.h common/fail.c common/fail.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DSYSCALLS_GEN -o build/gen/seccomp-gen common/syscalls.c common/fail.c \
	    -lseccomp
	build/gen/seccomp-gen >$@.tmp && mv $@.tmp $@

build/libtdg.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^

$(LINK_MODE):
	@mkdir -p build && rm -f build/link-static-* && touch $@

# One rule pair per day folder: dayNN -> dayNN-<topic>/tdg (+ the ./dayNN link).
# From day 03 a container needs a rootfs; `run` without --rootfs takes the
# one `make rootfs` builds here, so `make dayNN` prepares it too (default-rootfs).
define day_rules
$(1): $(2)/tdg $(if $(filter day01 day02,$(1)),,default-rootfs)
	@ln -sfn $(2) $(1)
$(2)/tdg: $(patsubst %.c,build/%.o,$(wildcard $(2)/*.c)) build/libtdg.a $(LINK_MODE)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o %.a,$$^) $$(LDLIBS)
endef
ifeq ($(UNAME_S),Darwin)
# On macOS only day 10 builds, as the front end; the runtime itself builds
# in the VM (`tdg setup lima` runs `make linux-tdg` there).
day10: day10-final/tdg
	@ln -sfn day10-final day10
day10-final/tdg: $(LIMA_SRC) $(LIMA_SRC:.c=.h)
	$(CC) $(LIMA_CFLAGS) -o $@ $(LIMA_SRC)
$(filter-out day10,$(DAYS)):
	@echo "tdg: $@ needs Linux; on macOS it builds in the Lima VM: limactl shell tdg make $@" >&2; exit 1
else
$(foreach d,$(DAY_DIRS),$(eval $(call day_rules,$(firstword $(subst -, ,$(d))),$(d))))
endif

# The same front end built here, so tests/day10-lima.sh can try it on Linux
# against a stand-in limactl.
lima-frontend: build/tdg-lima
build/tdg-lima: $(LIMA_SRC) $(LIMA_SRC:.c=.h)
	@mkdir -p $(dir $@)
	$(CC) $(LIMA_CFLAGS) -o $@ $(LIMA_SRC)

# The day 10 runtime under the name the front end looks for; run in the VM.
linux-tdg: $(LINUX_TDG)
$(LINUX_TDG): $(patsubst %.c,build/%.o,$(wildcard day10-final/*.c)) build/libtdg.a $(LINK_MODE)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

# Day 10's `tdg import` unpacks archives with libarchive, into that day only.
# Not `pkg-config --static --libs libarchive`: that also names libxml2,
# nettle and lz4, for formats tdg never reads (and static libxml2 pulls in
# glibc's getaddrinfo: the linker warns that a static binary then needs the
# build host's exact glibc at run time). Only tar is read, so this is all
# it needs: ACLs, then zstd, bzip2, xz and gzip.
#
# Day 10's images (`tdg pull`, `tdg import` of an image) check SHA-256
# digests with nettle, whose static library needs nothing else. Not
# libcurl: Debian's libcurl.a needs Kerberos (gssapi_krb5, no static
# library) and LDAP, and pulls getaddrinfo into a static glibc; `pull`
# runs the host's curl(1) instead, as `import URL` does (common/pull.h).
#
# Day 10 also drops capabilities (libcap) and filters system calls
# (libseccomp). Earlier days link exactly what they did before; every build
# of day 10 (static, ASan, the Linux binary for Lima) links these.
DAY10_LIBS := -lnettle -larchive -lacl -lzstd -lbz2 -llzma -lz -lseccomp -lcap
day10-final/tdg build/asan/day10-final/tdg build/dynamic/day10-final/tdg $(LINUX_TDG): \
    LDLIBS += $(DAY10_LIBS)

build/tests/unit/test_%: tests/unit/test_%.c build/libtdg.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.a,$^) -lcmocka $(LDLIBS)

# test_import calls import.c, which needs libarchive (and what it reads
# tar with), as day 10 does.
build/tests/unit/test_import build/asan/tests/unit/test_import \
  build/tests/unit/test_oci_image build/asan/tests/unit/test_oci_image \
  build/tests/unit/test_host_failures build/asan/tests/unit/test_host_failures \
  build/tests/unit/test_seccomp_profile build/asan/tests/unit/test_seccomp_profile: LDLIBS += $(DAY10_LIBS)

unit: $(UNIT_BIN)

# Fuzzing (tests/fuzz/fuzz.h, run by tests/fuzz/run.sh): each tests/fuzz/fuzz_<parser>.c is a
# libFuzzer target, built by clang with AddressSanitizer and
# UndefinedBehaviorSanitizer against common/ compiled the same way (its own
# objects in build/fuzz/), linked dynamically: sanitizers need that.
FUZZ_CC    ?= clang
FUZZ_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

build/fuzz/common/%.o: common/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libtdg.a: $(patsubst build/%,build/fuzz/%,$(COMMON_OBJ))
	$(AR) rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libtdg.a
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libtdg.a $(LDLIBS)

# image_ref_parse() lives in oci_image.c, which stores blobs (nettle) and
# unpacks layers (libarchive).
build/fuzz/fuzz_image_ref: LDLIBS += $(DAY10_LIBS)
# The seccomp profile is built by libseccomp.
build/fuzz/fuzz_seccomp: LDLIBS += -lseccomp

fuzz: $(FUZZ_BIN)

# Every day's tdg, and the unit tests, with ASan+UBSan (gcc), in a tree of
# their own: build/asan/dayNN-<topic>/tdg. The ladder runs once against
# them (tests/run.sh). Dynamic: AddressSanitizer cannot work with -static.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

build/asan/libtdg.a: $(patsubst build/%,build/asan/%,$(COMMON_OBJ))
	$(AR) rcs $@ $^

define asan_rules
build/asan/$(1)/tdg: $(patsubst %.c,build/asan/%.o,$(wildcard $(1)/*.c)) build/asan/libtdg.a
	$$(CC) $$(ASAN_FLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach d,$(DAY_DIRS),$(eval $(call asan_rules,$(d))))

build/asan/tests/unit/test_%: tests/unit/test_%.c build/asan/libtdg.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ASAN_FLAGS) -o $@ $(filter %.c %.a,$^) -lcmocka $(LDLIBS)

asan: $(foreach d,$(DAY_DIRS),build/asan/$(d)/tdg) $(patsubst build/%,build/asan/%,$(UNIT_BIN))

# Every day linked dynamically, whatever STATIC says, in a tree of its own
# (build/dynamic/dayNN-<topic>/tdg), from the same objects: tests/run.sh
# runs one day's ladder against it, so that STATIC=0 keeps working on a
# host that has every static archive.
define dynamic_rules
build/dynamic/$(1)/tdg: $(patsubst %.c,build/%.o,$(wildcard $(1)/*.c)) build/libtdg.a
	@mkdir -p $$(dir $$@)
	$$(CC) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach d,$(DAY_DIRS),$(eval $(call dynamic_rules,$(d))))

dynamic: $(foreach d,$(DAY_DIRS),build/dynamic/$(d)/tdg)

# The chroot escape of lessons 03 and security (docs/security.md): a
# program of its own, not part of tdg (hence its own folder: day10-final/*.c
# all go into tdg). Static, like the days, so it runs in the busybox rootfs.
escape: day10-final/escape/escape
day10-final/escape/escape: day10-final/escape/escape.c
	$(CC) -O2 -Wall -static -o $@ $<

rootfs:
	scripts/mkrootfs.sh busybox $(ROOTFS)

# What `make dayNN` (03 on) does for the rootfs: build it if it is missing,
# as `make rootfs` does (offline: from apt's own mirror). If it cannot, the
# day still builds, and `tdg run` says what to do. Not in a lab/ workspace,
# which has no scripts/: its tdg uses the project's rootfs (common/rootfs.c).
default-rootfs:
	@[ ! -x scripts/mkrootfs.sh ] || [ -f $(ROOTFS)/bin/busybox ] || \
	  scripts/mkrootfs.sh busybox $(ROOTFS) || \
	  echo "note: no $(ROOTFS) yet; 'make rootfs' once apt works, or 'tdg run --rootfs DIR'" >&2

rootfs-alpine:
	scripts/mkrootfs.sh alpine rootfs/alpine

DEMO_SH := echo "hostname: $$(hostname)"; echo "my PID: $$$$"; head -1 /etc/os-release; echo /dev/*

demo:
	@scripts/deps.sh build
	@$(MAKE) -s --no-print-directory all rootfs
	@echo '+ ./$(LAST_DAY)/tdg run --hostname demo --rootfs $(ROOTFS) /bin/sh -c '"'"'$(DEMO_SH)'"'"
	@./$(LAST_DAY)/tdg run --hostname demo --rootfs $(ROOTFS) /bin/sh -c '$(DEMO_SH)'
	@echo "Next: read docs/day-by-day/, or try: sudo ./$(LAST_DAY)/tdg run   (a shell in $(ROOTFS))"

test:
	@scripts/deps.sh test
	@$(MAKE) -s --no-print-directory all unit fuzz asan dynamic rootfs
	@tests/run.sh

# The workshop's check of a participant's machine (docs/workshop.md), about
# a minute: builds every day, runs tdg doctor and one container per day,
# one verdict line each (scripts/preflight).
preflight:
	@scripts/preflight

# Installs crun, runc, hyperfine and gnuplot if missing, builds every day and
# the rootfs, and writes docs/bench.md and docs/bench.svg (scripts/bench).
bench:
	@scripts/bench

# Lab mode (scripts/lab, docs/workshop.md): a student writes a day's new
# code into lab/ and the tests of days 1..DAY grade it.
lab:
	@scripts/lab new $(DAY) $(FROM)
check:
	@scripts/lab check $(DAY) $(T)
solution:
	@scripts/lab solution $(DAY)

clean:
	rm -rf build day*/tdg $(DAYS) day10-final/escape/escape

-include $(shell find build -name '*.d' 2>/dev/null)
