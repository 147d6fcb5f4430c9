# tests/lib.sh — the small harness every tests/dayNN.sh sources.
#
# A test is a shell function named t_<what it proves>. Each one runs in its
# own bash process, under `set -e`, with its own empty TDG_ROOT and a time
# limit; the first failed expectation ends it. The script's last line is
# `run_tests "$@"`: with no argument it runs every t_* function in file order
# and prints one line per test; with a name it runs just that test.
#
# Environment (tests/run.sh sets it):
#   TDG      the tdg binary under test        DAY   that binary's day (1..10)
#   ROOTFS   an absolute busybox rootfs        RESULTS  file to add "pass fail" to
# shellcheck shell=bash

: "${TDG:?set TDG to a tdg binary}" "${DAY:?set DAY to its day}"
: "${ROOTFS:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/rootfs/busybox}"

# `tdg run` as every test needs it on this day: from day 03 on, a container
# needs a rootfs, so earlier days' tests get one added (the ladder).
# RUN is an array so that `start_bg out "${RUN[@]}" CMD` puts tdg itself in
# the background (a shell function there would put a subshell in between).
# Bridged containers (day 09 on) live on a test subnet, never the default
# one a user's containers may be using; traffic goes only to what tests made.
export TDG_SUBNET=${TDG_SUBNET:-10.77.0.0/24}

RUN=("$TDG" run)
((DAY < 3)) || RUN+=(--rootfs "$ROOTFS")
tdg_run() { "${RUN[@]}" "$@"; }

# capture CMD...: run it; sets RC, OUT and ERR (output without the last newline).
capture() {
    local o e
    o=$(mktemp) e=$(mktemp)
    RC=0
    "$@" >"$o" 2>"$e" </dev/null || RC=$?
    OUT=$(cat "$o") ERR=$(cat "$e")
    rm -f "$o" "$e"
}

fail() { printf '    %s\n' "$@" >&2; return 1; }

expect_eq() { # ACTUAL EXPECTED [WHAT]
    [[ "$1" == "$2" ]] || fail "${3:-value}: expected '$2'" "${3:-value}:      got '$1'"
}
expect_ne() { # ACTUAL UNWANTED [WHAT]
    [[ "$1" != "$2" ]] || fail "${3:-value}: should not be '$2'"
}
expect_contains() { # TEXT NEEDLE [WHAT]
    [[ "$1" == *"$2"* ]] || fail "${3:-output} should contain '$2'" "got: $1"
}
expect_not_contains() { # TEXT NEEDLE [WHAT]
    [[ "$1" != *"$2"* ]] || fail "${3:-output} should not contain '$2'" "got: $1"
}
# The contract's error shape: exit RC and exactly one stderr line "tdg: ...".
expect_error() { # RC [NEEDLE]
    expect_eq "$RC" "$1" "exit status" || { fail "stderr: $ERR"; return 1; }
    [[ "$ERR" == "tdg: "* && "$ERR" != *$'\n'* ]] || fail "stderr should be one 'tdg: ...' line" "got: $ERR"
    [[ -z "${2:-}" ]] || expect_contains "$ERR" "$2" "stderr"
}

# wait_for CMD...: poll until CMD succeeds (at most ~10 s). Tests may poll;
# tdg itself never does.
wait_for() {
    local i
    for ((i = 0; i < 200; i++)); do "$@" && return 0; sleep 0.05; done
    fail "timed out waiting for: $*"
}

# start_bg OUTFILE CMD...: start CMD in the background; BG_PID is its pid.
# Whatever a test starts is SIGKILLed when the test ends, pass or fail.
BG_PIDS=() BG_OUTS=()
start_bg() {
    local out=$1
    shift
    BG_OUTS+=("$out")
    "$@" >"$out" 2>&1 </dev/null &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}
# wait_bg PID: wait for it; sets RC.
wait_bg() { RC=0; wait "$1" || RC=$?; }

# container_pid TDG_PID COMM: the pid of TDG_PID's child once it runs COMM
# (before exec the child is still a copy of tdg).
container_pid() {
    local c
    _found() {
        for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
            [[ "$(cat "/proc/$c/comm" 2>/dev/null)" == "$2" ]] && { echo "$c"; return 0; }
        done
        return 1
    }
    wait_for _found "$1" "$2" >/dev/null || return 1
    _found "$1" "$2"
}

# sanitized REASON: true, with a note saying what is skipped and why, when
# TDG is an ASan+UBSan build (TDG_SANITIZED=1, tests/run.sh): for the few
# checks that measure what the sanitizers change (memory use, speed). Use
# as `sanitized "why" || check...`. The note shows under the test's ok line.
sanitized() {
    [[ "${TDG_SANITIZED:-}" == 1 ]] || return 1
    echo "note: skipped under ASan+UBSan: $1"
}

# dynamic: true when TDG is linked dynamically (make STATIC=0, build/dynamic/):
# it maps libc and the libraries it uses, so what a test measures of a
# static binary's size is larger (and it has a PT_INTERP, its loader).
dynamic() { readelf -l "$TDG" 2>/dev/null | grep -q INTERP; }

# LeakSanitizer cannot work in a traced process (it aborts), so under ASan
# the tests' strace runs tdg with leak detection off; the rest of ASan and
# UBSan stay on. A shim first on PATH does it for every way a test calls
# strace (capture, start_bg, a plain call).
if [[ "${TDG_SANITIZED:-}" == 1 ]] && command -v strace >/dev/null; then
    _shim=${TEST_ROOTS:-/tmp}/strace-shim
    if [[ ! -x "$_shim/strace" ]]; then
        mkdir -p "$_shim"
        printf '#!/bin/sh\nASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" exec %s "$@"\n' \
            "$(command -v strace)" >"$_shim/strace.$$"
        chmod +x "$_shim/strace.$$" && mv "$_shim/strace.$$" "$_shim/strace"
    fi
    PATH=$_shim:$PATH
fi

alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# veth_gone ID: true once container ID's veth (td<id>) is gone. The kernel
# deletes it with the container's network namespace, in a worker, a few
# ms after the container's last process: give it up to ~5 s.
veth_gone() {
    local i
    for ((i = 0; i < 100; i++)); do
        ip link show "td$1" >/dev/null 2>&1 || return 0
        sleep 0.05
    done
    return 1
}

# Containers a test left running in the background (day 05 on, `run -d`):
# SIGKILL their watchers; the kernel then kills each container (PDEATHSIG).
kill_detached() {
    local f p
    for f in "$TDG_ROOT"/containers/*/config.json; do
        [[ -f "$f" ]] || continue
        for p in $(jq -r 'select(.status == "running") | .watcher_pid, .pid' "$f" 2>/dev/null); do
            ((p > 1)) && { kill -KILL "$p" 2>/dev/null || true; }
            BG_PIDS+=("$p")
        done
    done
    return 0
}

_cleanup() {
    local rc=$? p i
    # A failed test shows what tdg said last (its "tdg: ..." lines): in lab
    # mode that names the hole, "TODO(03.2) not written yet".
    if ((rc != 0)); then
        { printf '%s\n' "${ERR:-}"; for p in "${BG_OUTS[@]}"; do cat "$p" 2>/dev/null; done; } |
            grep -a '^tdg: ' | sort -u | head -5 | sed 's/^/    tdg said: /' >&2 || true
    fi
    kill_detached
    for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for p in "${BG_PIDS[@]}"; do
        for ((i = 0; i < 100; i++)); do gone "$p" && break; sleep 0.05; done
    done
    # A tdg killed by a test left its container's cgroup (day 07 on) for
    # "the next tdg command" to release, as the contract says: be that.
    ((DAY < 4)) || [[ ! -d "$TDG_ROOT/containers" ]] || "$TDG" ps -a >/dev/null 2>&1 || true
    # The cleanup promise, test by test: nothing of this test's containers
    # may be left on the host (the suite's leak check looks again at the end).
    local id d leaks=0
    for d in "$TDG_ROOT"/containers/*/; do
        id=$(basename "$d")
        [[ "$id" =~ ^[0-9a-f]{12}$ ]] || continue
        # lab mode (scripts/lab check) cleans up after this test's own
        # containers only: it needs their ids once the root is gone.
        [[ -z "${TDG_TEST_IDS:-}" ]] || echo "$id" >>"$TDG_TEST_IDS"
        for d in /sys/fs/cgroup/tdg/"$id" /sys/fs/cgroup/*/tdg/"$id"; do
            [[ -e "$d" ]] && { echo "    leak: cgroup $d" >&2; leaks=1; }
        done
        # Its veth goes with its network namespace, in the kernel's own
        # clean-up worker a few ms after its last process (network.c).
        veth_gone "$id" || { echo "    leak: link td$id" >&2; leaks=1; }
    done
    # A script's own host set-up (a bridge of its own): test_teardown, if
    # it defines one, after this test's containers (and veths) are gone.
    ! declare -F test_teardown >/dev/null || test_teardown || true
    # The folder run_tests made, whatever the test did to TDG_ROOT since (a
    # test that unset or re-pointed it once left its folder behind).
    [[ "${_TEST_ROOT:-}" == */tdg-test.* ]] && rm -rf "$_TEST_ROOT"
    ((leaks == 0)) || exit 1
    return 0
}

run_tests() {
    local script=$0 name
    name=$(basename "$script" .sh)
    if (($# > 0)); then # one test, in this process
        TDG_ROOT=$(mktemp -d "${TEST_ROOTS:-/tmp}/tdg-test.XXXXXX")
        export TDG_ROOT
        _TEST_ROOT=$TDG_ROOT
        trap _cleanup EXIT
        trap 'exit 124' TERM INT # timeout(1) sends TERM: clean up all the same
        set -e
        "$1"
        return
    fi
    local pass=0 failed=0 t log rc
    log=$(mktemp)
    for t in $(grep -oE '^t_[A-Za-z0-9_]+\(\)' "$script" | tr -d '()'); do
        rc=0
        timeout -k 5 "${TEST_TIMEOUT:-60}" bash "$script" "$t" >"$log" 2>&1 || rc=$?
        if ((rc == 0)); then
            pass=$((pass + 1))
            printf '  ok    %s/%s\n' "$name" "$t"
            sed -n 's/^note: /        note: /p' "$log"
        else
            failed=$((failed + 1))
            printf '  FAIL  %s/%s (exit %s%s)\n' "$name" "$t" "$rc" "$( ((rc == 124)) && echo ', timed out')"
            sed 's/^/        /' "$log"
        fi
    done
    rm -f "$log"
    [[ -z "${RESULTS:-}" ]] || echo "$pass $failed" >>"$RESULTS"
    ((failed == 0))
}
