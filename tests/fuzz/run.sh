#!/usr/bin/env bash
# tests/fuzz/run.sh [TARGET...] — run each libFuzzer target (make fuzz) for
# FUZZ_SECONDS (default 15) on a copy of its seed corpus, so the corpus in
# the repository only grows when someone adds to it on purpose. One line
# per target, "  ok    fuzz/<target>" or "  FAIL  fuzz/<target>" with the
# broken invariant or sanitizer report and the input that caused it; adds
# "passed failed" to $RESULTS when set (tests/run.sh does).
#
# A failing input is kept as tests/out/fuzz/<target>-crash-<sha1>; replay it
# with build/fuzz/fuzz_<target> FILE, and once fixed add it to the corpus
# (tests/fuzz/corpus/<target>/) so it is checked on every run after.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
seconds=${FUZZ_SECONDS:-15}
out=$top/tests/out/fuzz
mkdir -p "$out"
work=$(mktemp -d /tmp/tdg-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

targets=("$@")
if ((${#targets[@]} == 0)); then
    for src in tests/fuzz/fuzz_*.c; do
        t=$(basename "$src" .c); targets+=("${t#fuzz_}")
    done
fi

pass=0 failed=0
for t in "${targets[@]}"; do
    bin=build/fuzz/fuzz_$t log=$out/$t.log
    if [[ ! -x "$bin" ]]; then
        echo "  FAIL  fuzz/$t (no $bin: make fuzz, which needs clang)"
        failed=$((failed + 1)); continue
    fi
    mkdir -p "$work/$t/corpus" "$work/$t/tmp"
    cp -r "tests/fuzz/corpus/$t/." "$work/$t/corpus/" 2>/dev/null
    # libFuzzer's own limits: a slow input (-timeout) or a memory hog
    # (-rss_limit_mb) fails like a crash. Sanitizer reports end the run.
    rc=0
    TMPDIR=$work/$t/tmp \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/$t-" "$work/$t/corpus" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if ((rc == 0)); then
        pass=$((pass + 1))
        printf '  ok    fuzz/%s (%s runs)\n' "$t" "${runs:-?}"
    else
        failed=$((failed + 1))
        printf '  FAIL  fuzz/%s (exit %s)\n' "$t" "$rc"
        grep -E '^(invariant broken|==[0-9]+==ERROR|SUMMARY|.*runtime error)|Test unit written' "$log" |
            head -8 | sed 's/^/        /'
        echo "        log: $log"
    fi
done
[[ -z "${RESULTS:-}" ]] || echo "$pass $failed" >>"$RESULTS"
((failed == 0))
