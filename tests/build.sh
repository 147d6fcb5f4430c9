#!/usr/bin/env bash
# Builds anywhere, and the workshop's preflight (issue 14). Run once by
# tests/run.sh (its stage "builds anywhere, preflight"), with TDG the last
# day's binary:
#   - make STATIC=0 links every day dynamically, and a missing static
#     archive makes make do the same, saying so in one line;
#   - scripts/deps.sh on a host without apt names the packages (Debian's
#     and Fedora's names) instead of failing on apt-get; mkrootfs.sh takes
#     the host's static busybox there;
#   - scripts/preflight prints one verdict line per day, here and on a
#     cgroup v2 host (the qemu guest), and says which lessons a host
#     without iptables cannot do.
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$(dirname "$0")/.." && pwd)

# A PATH of links to every program on this one but those matching PATTERN
# (an extended glob), so a test can take a tool away from a script.
path_without() { # DIR PATTERN
    local f b
    mkdir -p "$1"
    shopt -s extglob
    for f in /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* /sbin/* /bin/*; do
        b=${f##*/}
        # shellcheck disable=SC2053 # the pattern is a glob on purpose
        [[ $b == $2 || -e "$1/$b" ]] || ln -s "$f" "$1/$b"
    done
}

t_static0_links_every_day_dynamically() {
    local d n
    for d in "$TOP"/day[0-9][0-9]-*/; do
        d=$(basename "$d") n=${d:0:5}
        expect_contains "$(make -s -C "$TOP" -n -B "$d/tdg" 2>&1 | tail -1)" "cc -static -o $d/tdg" "make -n $d/tdg"
        expect_not_contains "$(make -s -C "$TOP" -n -B STATIC=0 "$d/tdg" 2>&1 | tail -1)" "-static" "make -n STATIC=0 $d/tdg"
    done
    # What make dynamic built (tests/run.sh runs a ladder on it) has a
    # loader; the default build has none.
    TDG=$TOP/build/dynamic/day10-final/tdg dynamic || fail "build/dynamic/day10-final/tdg is not dynamic"
    TDG=$TOP/day10-final/tdg dynamic && fail "day10-final/tdg is not static"
    return 0
}

t_a_missing_static_archive_falls_back_with_one_line() {
    # STATIC_ARCHIVES is the list make looks for: add one no host has.
    capture make -s -C "$TOP" -n -B STATIC_ARCHIVES="c jansson tdg-nosuch" day04-metadata/tdg
    expect_eq "$RC" 0 "make's exit status"
    expect_eq "$(grep -c 'tdg: no static' <<<"$OUT")" 1 "lines saying so"
    expect_contains "$OUT" "tdg: no static libtdg-nosuch.a on this host: linking dynamically" "make's output"
    expect_not_contains "$(tail -1 <<<"$OUT")" "-static" "the link line"
    # All there: nothing said, linked static.
    capture make -s -C "$TOP" -n -B STATIC_ARCHIVES="c jansson" day04-metadata/tdg
    expect_not_contains "$OUT" "tdg: no static" "make's output"
    expect_contains "$(tail -1 <<<"$OUT")" "-static" "the link line"
}

t_deps_without_apt_names_what_it_needs() {
    mkdir -p "$TDG_ROOT/empty"
    # Nothing on PATH: neither apt-get nor rpm (bash's builtins only).
    RC=0
    OUT=$(env -i PATH="$TDG_ROOT/empty" /bin/bash "$TOP/scripts/deps.sh" build 2>&1) || RC=$?
    expect_eq "$RC" 1 "exit status"
    expect_contains "$OUT" "this host has no apt-get" "deps.sh's message"
    expect_contains "$OUT" "untested" "deps.sh's message"
    expect_contains "$OUT" "dnf install gcc make pkgconf-pkg-config glibc-devel glibc-static jansson-devel libnl3-devel iptables" "the dnf line"
    expect_contains "$OUT" "apt-get install gcc make pkg-config libc6-dev libjansson-dev" "the apt line"
    expect_contains "$OUT" "make STATIC=0" "deps.sh's message"
    expect_not_contains "$OUT" "command not found" "deps.sh's message"
    # With rpm, only what rpm knows nothing of.
    printf '#!/bin/sh\n[ "$3" != jansson-devel ] && [ "$3" != libnl3-devel ]\n' >"$TDG_ROOT/empty/rpm"
    chmod +x "$TDG_ROOT/empty/rpm"
    RC=0
    OUT=$(env -i PATH="$TDG_ROOT/empty" /bin/bash "$TOP/scripts/deps.sh" build 2>&1) || RC=$?
    expect_eq "$RC" 1 "exit status with rpm"
    expect_contains "$OUT" "  dnf install jansson-devel libnl3-devel"$'\n' "the dnf line with rpm"
    # Once they are there: silent, 0.
    RC=0
    OUT=$(env -i TDG_DEPS=installed PATH="$TDG_ROOT/empty" /bin/bash "$TOP/scripts/deps.sh" build test 2>&1) || RC=$?
    expect_eq "$RC:$OUT" "0:" "exit status and output with TDG_DEPS=installed"
}

t_mkrootfs_without_apt_takes_the_hosts_static_busybox() {
    path_without "$TDG_ROOT/bin" '@(apt-get|busybox)'
    capture env PATH="$TDG_ROOT/bin" "$TOP/scripts/mkrootfs.sh" "$TDG_ROOT/r1"
    expect_error 1 "no apt-get here"
    expect_contains "$ERR" "TDG_BUSYBOX=" "the message"
    # A static busybox on PATH (the rootfs's own): the rootfs is built from it.
    ln -s "$ROOTFS/bin/busybox" "$TDG_ROOT/bin/busybox"
    capture env PATH="$TDG_ROOT/bin" "$TOP/scripts/mkrootfs.sh" "$TDG_ROOT/r2"
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    expect_contains "$OUT" "no apt-get: using the host's busybox" "mkrootfs's output"
    expect_eq "$("$TDG_ROOT/r2/bin/sh" -c 'echo $((6 * 7))')" 42 "the new rootfs's sh"
    # A dynamic one cannot run in a rootfs: refused.
    TDG_BUSYBOX=/bin/ls capture "$TOP/scripts/mkrootfs.sh" "$TDG_ROOT/r3"
    expect_error 1 "dynamically linked"
    [[ ! -e "$TDG_ROOT/r3" ]] || fail "a refused rootfs was made"
}

# The verdict line of day NN in OUT.
verdict() { grep -E "^day $1 [a-z]+ +(ok|FAIL)" <<<"$OUT"; }

t_preflight_has_each_days_verdict() {
    TMPDIR=$TDG_ROOT capture "$TOP/scripts/preflight"
    expect_eq "$RC" 0 "exit status" || fail "output: $OUT"
    local d n
    for d in "$TOP"/day[0-9][0-9]-*/; do
        d=$(basename "$d") n=${d:3:2}
        expect_contains "$(verdict "$n")" "day $n ${d#day??-}" "day $n's line" || fail "output: $OUT"
        expect_contains "$(verdict "$n")" " ok (" "day $n's verdict" || fail "output: $OUT"
    done
    expect_contains "$OUT" "all $(ls -d "$TOP"/day[0-9][0-9]-*/ | wc -l) days ready" "the last line"
    # Day 07 says which cgroup tree it used: this host's.
    if [[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]]; then
        expect_contains "$(verdict 07)" "ok (v2 " "day 07"
        expect_contains "$OUT" "  cgroup v2: lesson 07's files are memory.max" "the host's lines"
    else
        expect_contains "$(verdict 07)" "ok (v1 " "day 07"
        expect_contains "$OUT" "  cgroup v1 (hybrid or legacy)" "the host's lines"
    fi
    expect_contains "$OUT" "  iptables: yes" "the host's lines"
    # Nothing of its containers or its state folder is left.
    compgen -G "$TDG_ROOT/tdg-preflight.*" >/dev/null && fail "preflight's state folder is left"
    return 0
}

t_preflight_on_a_cgroup_v2_host() {
    # This host's own tree was checked above; the other kind in the qemu
    # guest whose only tree is v2 (tests/v2guest), where one is needed.
    if [[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]]; then
        echo "note: this host is cgroup v2: t_preflight_has_each_days_verdict checked it"
        return 0
    fi
    # TMPDIR on the guest's tmpfs /run: overlayfs cannot take an upper
    # layer on the guest's own overlay root.
    capture env V2GUEST_ENV="TMPDIR TDG_SUBNET" TMPDIR=/run "$TOP/tests/v2guest/run.sh" -- scripts/preflight
    expect_eq "$RC" 0 "exit status in the v2 guest" || fail "output: $OUT" "stderr: $ERR"
    expect_contains "$(verdict 07)" "day 07 cgroups    ok (v2 memory, cpu, pids)" "day 07 in the v2 guest"
    expect_contains "$OUT" "  cgroup v2: lesson 07's files are memory.max, cpu.max, pids.max" "the host's lines"
    expect_contains "$OUT" "preflight: all " "the last line"
}

t_preflight_in_a_macs_lima_vm_keeps_the_front_end() {
    # In the Lima VM the repo is the Mac's: day10-final/tdg is the front
    # end, a Mach-O file. preflight there must not rebuild it (the Mac
    # could no longer run it) but test build/linux-<arch>/tdg. A copy of
    # the repo, with a stand-in Mach-O file (its magic number, then junk).
    git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || { echo "note: not a git checkout: skipped"; return 0; }
    local copy=$TDG_ROOT/repo
    mkdir -p "$copy/rootfs"
    git -C "$TOP" ls-files -z | tar -C "$TOP" --null -T - -cf - | tar -C "$copy" -xf -
    ln -s "$ROOTFS" "$copy/rootfs/busybox"
    printf '\xcf\xfa\xed\xfe not really a Mac program\n' >"$copy/day10-final/tdg"
    chmod +x "$copy/day10-final/tdg"
    local before
    before=$(md5sum <"$copy/day10-final/tdg")
    TMPDIR=$TDG_ROOT capture "$copy/scripts/preflight"
    expect_eq "$RC" 0 "exit status" || fail "output: $OUT" "stderr: $ERR"
    expect_contains "$OUT" "day 10 here is build/linux-$(uname -m)/tdg" "preflight's output"
    expect_contains "$(verdict 10)" " ok (" "day 10"
    expect_eq "$(md5sum <"$copy/day10-final/tdg")" "$before" "the front end after preflight"
    [[ -x "$copy/build/linux-$(uname -m)/tdg" ]] || fail "no build/linux-$(uname -m)/tdg"
}

t_preflight_without_iptables_names_the_lessons() {
    path_without "$TDG_ROOT/bin" '@(iptables|ip6tables)*'
    # A bridge and subnet of its own: td0's set-up, kept between containers
    # (lesson 09), would let day 09 run without iptables at all.
    PF_BRIDGE=tdpf$(($$ % 100)) # td and 1-6 letters or digits
    TDG_BRIDGE=$PF_BRIDGE TDG_SUBNET=10.76.$(($$ % 200 + 20)).0/24 TMPDIR=$TDG_ROOT \
        PATH=$TDG_ROOT/bin capture "$TOP/scripts/preflight"
    TDG_BRIDGE=$PF_BRIDGE "$TOP/day10-final/tdg" network rm >/dev/null 2>&1 || true
    ! ip link show "$PF_BRIDGE" >/dev/null 2>&1 || ip link del "$PF_BRIDGE"
    expect_eq "$RC" 1 "exit status"
    expect_contains "$(verdict 09)" "FAIL: tdg: net: iptables is not installed" "day 09"
    expect_contains "$(verdict 09)" "lessons 09 and 10 need iptables" "day 09"
    expect_contains "$(verdict 08)" " ok (" "day 08"
    expect_contains "$(verdict 10)" " ok (" "day 10 (--net none)"
    expect_contains "$OUT" "  no iptables: lessons 09 and 10 fail" "the host's lines"
    expect_contains "$(tail -1 <<<"$OUT")" "not ready: day 09" "the last line"
}

t_preflight_needs_root() {
    capture setpriv --reuid=65534 --regid=65534 --clear-groups "$TOP/scripts/preflight"
    expect_error 125 "sudo scripts/preflight"
}

run_tests "$@"
