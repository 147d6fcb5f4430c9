#!/usr/bin/env bash
# tests/v2guest/ladder.sh [short|full] — the cgroup-parts of the ladder on a
# host whose only cgroup hierarchy is cgroup2: inside the qemu guest
# (tests/run.sh runs it there through tests/v2guest/run.sh), or natively on
# a host that is already v2-only. Run from the repository's top, as root.
#
# Why these days: from day 07 on tdg makes cgroups (v2: one folder, the
# controllers handed down through cgroup.subtree_control), day 10 joins them
# in `exec`, reads OOM verdicts in the watcher and kills through cgroup.kill
# on release. Days 01-06 make no cgroup, so v1 or v2 changes nothing there.
#
# full:  day 10's binary runs the test scripts of days 07-10, every part
#        (bridge, ports, exec, tty, security, userns, faults, doctor,
#        import, lima); days 07-09's own binaries run their own day's tests.
# short: what CI gets by default (V2_LADDER in tests/run.sh): day 10's
#        binary runs days 07 and 10 (its own tests, exec, doctor), the
#        userns (limits, exec and the watcher in a user namespace), and the
#        faults tests that kill tdg around the cgroup and the watcher; day
#        07's binary its own tests: the cgroup code of every day that has
#        new cgroup code. Bridge, ports and security meet cgroups only
#        through `run`, which day 10's tests already use. (All of
#        day10-faults takes ~15 minutes in the guest: its strace and ENOSPC
#        sweeps.) ~3 minutes, boot included, against ~27 for full.
#
# What cannot run here, and why: only the real OCI clients (below; --userns
# runs on an ext4 image, below); every script needs
# only loopback and the bridges and namespaces the tests make (the guest
# has no NIC, and no test goes beyond the host). One is scaled down: the
# guest's one emulated CPU starts ~1 container/s, so day 09's load test
# (200 containers, 20 at a time, each sleeping 2 s) sees a batch's first
# containers end before its last have started, and (even at 10 at a time,
# sleeping 10 s) their watchers gone before it reads their memory: "no
# watcher's memory could be read". Here it runs 40, 10 at a time, each
# sleeping 30 s: the same promises (ids, records, logs, addresses, nothing
# left, watchers' memory), a smaller load.
export LOAD_N=${LOAD_N:-40} LOAD_P=${LOAD_P:-10} LOAD_SLEEP=${LOAD_SLEEP:-30}
# One part is left out: day10-oci's tests through the real clients (podman,
# containerd, dockerd). podman's storage falls back to fuse-overlayfs here
# (the guest's root is an overlay, and its kernel has no fuse module) and
# netavark needs the xt_mark target, so its tests fail for the guest's sake,
# not tdg's; containerd and dockerd were not tried here. The OCI commands
# called by hand (the lifecycle, kill --all, the cgroup namespace) run.
export TDG_NO_OCI_CLIENTS="in the v2 guest (no fuse module for podman's storage, no xt_mark for netavark); the host's ladder runs the clients"

# Each test's time limit: the host's 60 s, times emulation's 3-5 (day 10's
# t_killed_anywhere, 30 runs under strace, takes ~100 s here).
export TEST_TIMEOUT=${TEST_TIMEOUT:-300}
#
# Then the lessons' cgroup v2 blocks (tests/docs.sh, both forms). Ends
# with the guest's leak check and one line
#   v2 ladder: N passed, N failed
# which tests/run.sh reads (the guest's files are lost at power-off, so the
# count travels in the console output). Exit status 0 only with 0 failed.
set -uo pipefail
mode=${1:-full}
case $mode in short | full) ;; *) echo "usage: tests/v2guest/ladder.sh [short|full]" >&2; exit 2 ;; esac
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1

if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) != cgroup2fs ]]; then
    echo "v2 ladder: /sys/fs/cgroup is not cgroup2 here; run it through tests/v2guest/run.sh" >&2
    echo "v2 ladder: 0 passed, 1 failed"
    exit 1
fi

# In the guest the tree is on its overlay root (the host's / over 9p), on
# which two things cannot work: from day 10 a container's overlay upper
# layer lives in its state folder, and overlayfs refuses an overlay as an
# upper layer; and --userns idmaps the rootfs (mount_setattr), which 9p and
# overlayfs (on the guest's 6.1 kernel; tmpfs only from 6.3) refuse with
# EINVAL. So the rootfs and TEST_ROOTS go onto an ext4 image on the
# guest's tmpfs /run (modules loop and ext4: tests/run.sh asks for them).
# Natively the caller's TEST_ROOTS and the tree's rootfs are used.
rootfs=$top/rootfs/busybox
if [[ ${V2GUEST:-} == 1 && $(stat -fc %T "$rootfs" 2>/dev/null) == overlayfs ]]; then
    img=/run/v2-ladder.ext4 mnt=/run/v2-ladder
    mkdir -p "$mnt"
    if truncate -s 512M "$img" && mkfs.ext4 -q -F "$img" && mount -o loop "$img" "$mnt" &&
        cp -a "$rootfs" "$mnt/busybox"; then
        rootfs=$mnt/busybox
        TEST_ROOTS=$mnt/roots
    else
        echo "v2 ladder: no ext4 image for the rootfs (modules loop, ext4?); --userns tests will fail" >&2
    fi
fi
: "${TEST_ROOTS:=/run/v2-roots}"
mkdir -p "$TEST_ROOTS"
export TEST_ROOTS
results=$(mktemp "$TEST_ROOTS/v2-results.XXXXXX")

# run_day BIN_DAY FIRST LAST [PART...]: day BIN_DAY's binary runs the test
# scripts of days FIRST..LAST (tests/dayNN.sh and tests/dayNN-*.sh); with
# PARTs, of those only the ones named (e.g. day10 day10-exec).
run_day() {
    local n=$1 first=$2 last=$3 bin script m base t
    shift 3
    bin=$(echo day"$n"-*/tdg)
    if [[ ! -x $bin ]]; then
        echo "== v2: day $n: no binary at $bin (make day$n)"
        echo "0 1" >>"$results"; return
    fi
    for script in tests/day[0-9][0-9].sh tests/day[0-9][0-9]-*.sh; do
        [[ -e $script ]] || continue
        base=$(basename "$script" .sh); m=${base:3:2}
        ((10#$m >= 10#$first && 10#$m <= 10#$last)) || continue
        if (($# > 0)) && [[ " $* " != *" $base "* ]]; then continue; fi
        echo "== v2: day $n binary: $base tests"
        t=$SECONDS
        TDG=$top/$bin DAY=$((10#$n)) ROOTFS=$rootfs RESULTS=$results \
            bash "$script"
        echo "== v2: day $n binary: $base tests took $((SECONDS - t)) s"
    done
}

# run_picked BIN_DAY SCRIPT TEST...: only the tests named of one script, each
# as tests/lib.sh's run_tests runs it (own process, time limit), with its
# ok/FAIL line.
run_picked() {
    local n=$1 script=tests/$2.sh bin t rc log pass=0 failed=0
    shift 2
    bin=$(echo day"$n"-*/tdg)
    echo "== v2: day $n binary: $(basename "$script" .sh) tests: $*"
    log=$(mktemp)
    for t in "$@"; do
        rc=0
        TDG=$top/$bin DAY=$((10#$n)) ROOTFS=$rootfs timeout -k 5 "$TEST_TIMEOUT" \
            bash "$script" "$t" >"$log" 2>&1 || rc=$?
        if ((rc == 0)); then
            pass=$((pass + 1)); echo "  ok    $(basename "$script" .sh)/$t"
        else
            failed=$((failed + 1)); echo "  FAIL  $(basename "$script" .sh)/$t (exit $rc)"
            sed 's/^/        /' "$log"
        fi
    done
    rm -f "$log"
    echo "$pass $failed" >>"$results"
}

if [[ $mode == full ]]; then
    run_day 10 07 10
    for n in 07 08 09; do run_day "$n" "$n" "$n"; done
else
    run_day 10 07 10 day07 day10 day10-exec day10-doctor day10-userns
    run_picked 10 day10-faults t_killed_before_clone t_killed_after_cgroup t_killed_after_pivot \
        t_killed_watcher_takes_the_container_along
    run_day 07 07 07
fi

# The lessons' v2 blocks (<!-- cgroup v2 -->, tests/docs.sh): each lesson
# that has one runs whole here, its v1 blocks listed as not checked.
mapfile -t v2docs < <(grep -l '^<!-- cgroup v2 -->' docs/day-by-day/*.md docs/*.md 2>/dev/null)
if ((${#v2docs[@]} > 0)); then
    echo "== v2: docs: the lessons' cgroup v2 blocks"
    RESULTS=$results bash tests/docs.sh "${v2docs[@]}"
fi

echo "== v2: leak check"
if tests/leakcheck.sh "$TEST_ROOTS" >"$TEST_ROOTS/leak.log" 2>&1; then
    echo "  ok    v2/leakcheck"; echo "1 0" >>"$results"
else
    echo "  FAIL  v2/leakcheck"; sed 's/^/        /' "$TEST_ROOTS/leak.log"; echo "0 1" >>"$results"
fi
read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$results")
rm -f "$results"
echo "v2 ladder: $passed passed, $failed failed"
((failed == 0))
