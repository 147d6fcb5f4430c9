#!/usr/bin/env bash
# tests/run.sh [DAY...] — the whole test suite: unit tests, then the ladder,
# then (with no DAY) the lessons' commands, then a leak check. Ends with one
# line "N passed, N failed".
#
# The ladder: for each day N present (or named), the test scripts of days
# 1..N run against day N's binary, so a later day never breaks an earlier
# day's promise. Then bad input: the fuzz targets (tests/fuzz/run.sh), and
# the ladder once more against binaries built with ASan+UBSan (make asan).
# `make test` builds everything first; run this as root.
#
# FUZZ_SECONDS (default 15): each fuzz target's run; 0 skips the stage.
# ASAN_LADDER: "full" (default: the whole ladder again), "short" (day N's
# ASan binary runs day N's own tests, the last day's all of them), "none".
# V2_LADDER: "short" (default), "full" or "none": the cgroup v2 guest's
# ladder (tests/v2guest/ladder.sh says which tests each runs).
# With days named (tests/run.sh 3), these three stages are off unless set.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=tests/out
rm -rf "$out"
mkdir -p "$out/roots"
export TEST_ROOTS=$top/$out/roots # each test's TDG_ROOT is made in here
results=$out/results
: >"$results"

if [[ $(id -u) != 0 ]]; then
    echo "tdg tests: containers need root; run: sudo make test" >&2
    exit 1
fi

# Each stage's time, so a long one shows (CI has 90 minutes; the summary
# before the last line lists them).
stage_names=() stage_secs=() stage_start=$SECONDS
stage() { # NAME: the stage that starts now
    if ((${#stage_names[@]} > 0)); then stage_secs+=($((SECONDS - stage_start))); fi
    stage_names+=("$1")
    stage_start=$SECONDS
}

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)...".
stage "unit tests"
echo "== unit tests (cmocka)"
if ! compgen -G 'build/tests/unit/test_*' >/dev/null; then
    echo "  FAIL  no unit test binaries in build/tests/unit (make unit)"
    echo "0 1" >>"$results"
fi
for t in build/tests/unit/test_*; do
    [[ -x "$t" && "$t" != *.d ]] || continue
    log=$out/$(basename "$t").log
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log")
    if [[ -z "$p$f" ]]; then f=1; fi # crashed before its summary
    ((rc == 0)) || ((${f:-0} > 0)) || f=1
    echo "${p:-0} ${f:-0}" >>"$results"
    printf '  %-5s %s (%s passed, %s failed)\n' "$( ((rc == 0)) && echo ok || echo FAIL)" \
        "$(basename "$t")" "${p:-0}" "${f:-0}"
    ((rc == 0)) || sed 's/^/        /' "$log"
done

days=("$@")
if ((${#days[@]} > 0)); then # a student's run of a few days: no extra stages
    : "${FUZZ_SECONDS:=0}" "${ASAN_LADDER:=none}"
fi
if ((${#days[@]} == 0)); then
    for d in day[0-9][0-9]-*/; do days+=("${d:3:2}"); done
fi
# ladder PREFIX N FIRST: the test scripts of days FIRST..N against the tdg
# of day N under PREFIX ("" or build/asan/).
ladder() {
    local bin script m label="" make=day$2
    case "$1" in
        build/asan/) label="ASan+UBSan " make=asan ;;
        build/dynamic/) label="dynamic " make=dynamic ;;
    esac
    bin=$(echo "$1"day"$2"-*/tdg)
    if [[ ! -x "$bin" ]]; then
        echo "== ${label}day $2: no binary at $bin (make $make)"
        echo "0 1" >>"$results"; return
    fi
    # tests/dayNN.sh, and tests/dayNN-<part>.sh for a day with several parts.
    for script in tests/day[0-9][0-9].sh tests/day[0-9][0-9]-*.sh; do
        [[ -e "$script" ]] || continue
        m=$(basename "$script" .sh); m=${m:3:2}
        ((10#$m >= 10#$3 && 10#$m <= 10#$2)) || continue
        echo "== ${label}day $2 binary: day $m tests"
        TDG=$top/$bin DAY=$((10#$2)) ROOTFS=$top/rootfs/busybox RESULTS=$top/$results \
            bash "$script"
    done
}

stage "ladder"
for n in "${days[@]}"; do
    ladder "" "$(printf '%02d' "$((10#$n))")" 1
done

# Bad input, first at the parsers: each fuzz target for FUZZ_SECONDS on a
# copy of its corpus (tests/fuzz/run.sh). Any crash, sanitizer report or
# broken invariant fails it.
if [[ "${FUZZ_SECONDS:-15}" != 0 ]]; then
    stage "fuzz"
    echo "== fuzz (libFuzzer, ${FUZZ_SECONDS:-15} s each)"
    RESULTS=$top/$results tests/fuzz/run.sh
fi

# Then through the whole program: the unit tests and the ladder again, with
# every binary built with AddressSanitizer and UndefinedBehaviorSanitizer
# (make asan, build/asan/). A report aborts the process that made it, and
# leaks are reported when a tdg exits, so a bug fails the test it occurs
# in. The reports go to stderr: a log_path file cannot be opened from
# inside a container once its root has moved. TDG_SANITIZED=1 lets the few
# tests that measure what ASan changes (memory use) say so and skip. ASan
# costs tdg about 10% here (containers spend their time in the kernel and
# in busybox, which is not instrumented), so the whole ladder runs again;
# ASAN_LADDER=short, each binary with its own day's tests and the last
# day's with all, takes about a fifth of that.
if [[ "${ASAN_LADDER:-full}" != none ]]; then
    # fast_unwind_on_malloc=0: a leak's whole stack, through glibc (built
    # without frame pointers), so that a suppression can name our caller.
    export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
    export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
    export LSAN_OPTIONS=suppressions=$top/tests/asan/lsan.supp:print_suppressions=0
    export TDG_SANITIZED=1
    stage "ASan+UBSan (${ASAN_LADDER:-full})"
    echo "== ASan+UBSan unit tests"
    if ! compgen -G 'build/asan/tests/unit/test_*' >/dev/null; then
        echo "  FAIL  no unit test binaries in build/asan/tests/unit (make asan)"
        echo "0 1" >>"$results"
    fi
    for t in build/asan/tests/unit/test_*; do
        [[ -x "$t" && "$t" != *.d ]] || continue
        log=$out/asan-$(basename "$t").log
        if "$t" >"$log" 2>&1; then
            echo "  ok    asan/$(basename "$t")"; echo "1 0" >>"$results"
        else
            echo "  FAIL  asan/$(basename "$t")"; sed 's/^/        /' "$log"; echo "0 1" >>"$results"
        fi
    done
    last=$(printf '%02d' "$((10#${days[-1]}))")
    for n in "${days[@]}"; do
        n=$(printf '%02d' "$((10#$n))")
        if [[ "$n" == "$last" || "${ASAN_LADDER:-full}" == full ]]; then
            ladder build/asan/ "$n" 1
        else
            ladder build/asan/ "$n" "$n"
        fi
    done
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TDG_SANITIZED
fi

# Builds anywhere (make STATIC=0, build/dynamic/): day DYNAMIC_DAY's binary
# linked dynamically runs that day's ladder (default 08: jansson, libnl;
# about a minute), and day 10's runs the tests of what its own libraries
# do (import: libarchive; security: libseccomp, libcap; userns). Then
# tests/build.sh: STATIC=0 and the fallback, deps.sh and mkrootfs.sh on a
# host without apt, and scripts/preflight once, as a student runs it (each
# day's verdict line checked). DYNAMIC_DAY=none skips the stage.
if (($# == 0)) && [[ "${DYNAMIC_DAY:-08}" != none ]]; then
    stage "builds anywhere, preflight"
    ladder build/dynamic/ "$(printf '%02d' "$((10#${DYNAMIC_DAY:-08}))")" 1
    dyn10=$(echo build/dynamic/day10-*/tdg)
    for script in tests/day10.sh tests/day10-import.sh tests/day10-security.sh tests/day10-userns.sh; do
        [[ -x "$dyn10" && -e "$script" ]] || continue
        echo "== dynamic day 10 binary: $(basename "$script" .sh) tests"
        TDG=$top/$dyn10 DAY=10 ROOTFS=$top/rootfs/busybox RESULTS=$top/$results bash "$script"
    done
    echo "== builds anywhere: STATIC=0, deps.sh and mkrootfs.sh without apt, scripts/preflight"
    TDG=$top/$(echo day"$(printf '%02d' "$((10#${days[-1]}))")"-*/tdg) DAY=$((10#${days[-1]})) \
        ROOTFS=$top/rootfs/busybox RESULTS=$top/$results TEST_TIMEOUT=240 bash tests/build.sh
fi

# cgroup v2, for real: this host has v1 (hybrid), most students' hosts v2.
# tests/v2guest/ladder.sh runs in a qemu guest whose only cgroup tree is v2
# (tests/v2guest/run.sh): V2_LADDER=full, day 10's binary with the test
# scripts of days 07-10 (all parts) and days 07-09's binaries with their own
# day's; short (the default), day 10's with days 07 and 10's cgroup-heavy
# parts and day 07's with its own; none skips it (the default with days
# named). The guest's leak check ends it; its results count in the total.
# On a host that is already v2-only the ladder above ran on v2: no guest.
: "${V2_LADDER:=$( (($# > 0)) && echo none || echo short)}"
if [[ $V2_LADDER != none && -x tests/v2guest/run.sh ]] && compgen -G 'day0[7-9]-*/tdg' >/dev/null; then
    if tests/v2guest/run.sh --is-v2-only; then
        echo "== cgroup v2: this host is v2 only, so the ladder above ran on v2; no guest"
    else
        stage "cgroup v2 guest ($V2_LADDER)"
        echo "== cgroup v2 guest (qemu): V2_LADDER=$V2_LADDER"
        # Per attempt, launch to power-off; the full ladder takes ~27 min here.
        : "${V2GUEST_TIMEOUT:=$([[ $V2_LADDER == full ]] && echo 3600 || echo 1200)}"
        # loop and ext4: the ladder's rootfs image (--userns needs idmapped
        # mounts, which the guest's overlay root cannot give).
        V2GUEST_TIMEOUT=$V2GUEST_TIMEOUT V2GUEST_MODULES="loop ext4 ${V2GUEST_MODULES:-}" \
            tests/v2guest/run.sh -- tests/v2guest/ladder.sh "$V2_LADDER" \
            >"$out/v2guest.log" 2>&1
        rc=$?
        grep -E '^(==|  ok|  FAIL|        )|^leak|^v2guest' "$out/v2guest.log"
        if read -r p f < <(sed -n 's/^v2 ladder: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out/v2guest.log" | tail -1); then
            ((rc == 0 || f > 0)) || f=1
        else # the guest ended before the ladder's summary: see tests/out/v2guest.log
            p=$(grep -c '^  ok ' "$out/v2guest.log") f=$(($(grep -c '^  FAIL ' "$out/v2guest.log") + 1))
            echo "  FAIL  the guest printed no ladder summary (tests/out/v2guest.log)"
        fi
        echo "v2 guest ladder: $p passed, $f failed"
        echo "$p $f" >>"$results"
    fi
fi

# The lessons' own commands, run and compared with what the lessons show
# (tests/docs.sh): they need every day's binary, so only with the whole suite.
if (($# == 0)); then
    stage "docs"
    echo "== docs: lesson commands"
    RESULTS=$top/$results bash tests/docs.sh
else
    echo "== docs: lesson commands run with the whole suite (tests/run.sh, no day)"
fi

# Lab mode (tests/lab.sh): every day's skeleton builds and fails exactly
# its own day's tests with TODO messages, its holes filled give back the
# reference, and a scripted student's day 03 goes down to 0 failures.
# LAB_CHECK=full runs the longer form; none skips it.
if (($# == 0)) && [[ "${LAB_CHECK:-short}" != none ]]; then
    stage "lab mode (${LAB_CHECK:-short})"
    echo "== lab mode (LAB_CHECK=${LAB_CHECK:-short})"
    RESULTS=$top/$results bash tests/lab.sh
fi

# The host set-up the bridged tests made (the bridge td0, its address, the
# subnet's rules: kept between containers, like Docker's docker0) goes with
# the command a user has for it, so that a student's host is left as it
# was; it refuses while a container still uses it, and that fails here.
last_bin=$(ls -d day[0-9][0-9]-*/tdg 2>/dev/null | tail -1)
if [[ -x "$last_bin" ]] && "$last_bin" network --help >/dev/null 2>&1; then
    echo "== host set-up: $last_bin network rm"
    if TDG_SUBNET=10.77.0.0/24 "$last_bin" network rm >"$out/network-rm.log" 2>&1; then
        echo "  ok    network rm: $(cat "$out/network-rm.log")"; echo "1 0" >>"$results"
    else
        echo "  FAIL  network rm"; sed 's/^/        /' "$out/network-rm.log"; echo "0 1" >>"$results"
    fi
fi

# The cleanup promise: after all of that, nothing of any container is left.
stage "leak check"
echo "== leak check"
for check in tests/leakcheck.sh ../shared/tools/leakcheck; do
    [[ -x "$check" ]] || continue
    if "$check" "$TEST_ROOTS" >"$out/leak.log" 2>&1; then
        echo "  ok    $check"; echo "1 0" >>"$results"
    else
        echo "  FAIL  $check"; sed 's/^/        /' "$out/leak.log"; echo "0 1" >>"$results"
    fi
done

stage end
echo "== stage times"
for i in "${!stage_secs[@]}"; do
    printf '  %-28s %4d s\n' "${stage_names[$i]}" "${stage_secs[$i]}"
done
read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$results")
echo "$passed passed, $failed failed" | tee "$out/summary"
((failed == 0))
