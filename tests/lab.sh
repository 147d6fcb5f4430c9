#!/usr/bin/env bash
# tests/lab.sh — lab mode is right (scripts/lab, docs/workshop.md#lab-mode).
#
# For every day with holes:
#   - the holes come back: the reference with its LAB markers taken out is
#     the reference (the markers are comments and nothing else), and the
#     "solution" workspace with its TODO comments taken out is too, so
#     filling the holes with the reference gives the code the ladder proves;
#   - the skeleton (`make lab DAY=NN`) builds, and its check fails the day's
#     own tests, each failing one saying "TODO(NN.k) not written yet" or
#     failing on a day-NN promise, with no crash and nothing leaked, while
#     the earlier days' tests still pass (their code is kept), or fail only
#     on one of today's TODOs that every run goes through (clone, pivot_root).
# Then a scripted student: day 03's holes filled from the reference one at
# a time, the failing count going down to 0.
#
# LAB_CHECK=full runs all of days 1..NN-1 for "earlier days still pass";
# the default (CI's share, "short") runs day NN-1's tests only, without
# the load and fault tests, and the student part for day 03 only, on
# day 03's own tests. LAB_DAYS="03 07" looks at those days only. Run as
# root, after `make all rootfs`.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${TEST_ROOTS:=/tmp}"
work=$(mktemp -d "$TEST_ROOTS/lab.XXXXXX")
# Open to others, as a workspace in a home folder is: --userns checks that
# the container's root (an unprivileged uid) can reach its state folder,
# and the not-root tests expect to get as far as the state folder itself.
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); printf '  ok    lab/%s\n' "$1"; }
bad() { failed=$((failed + 1)); printf '  FAIL  lab/%s\n' "$1"; shift; printf '        %s\n' "$@"; }

days=$(scripts/lab holes | sed -n 's/^TODO(\([0-9][0-9][abc]\{0,1\}\)\..*/\1/p' | sort -u | tr '\n' ' ')
# LAB_DAYS="03 07": only these days (a quicker look at one's own holes).
[[ -z "${LAB_DAYS:-}" ]] || days=$LAB_DAYS
if [[ -z "$days" ]]; then
    bad holes "no LAB markers in the reference: lab mode has nothing to hand out"
fi

# 1. The markers are only comments: plain == the reference without marker lines.
drift=
for f in common/*.[ch] day[0-9][0-9]-*/*.c; do
    grep -q 'LAB(' "$f" || continue
    perl scripts/lab.pl plain 99 "$f" "$work/plain"
    # What the markers are: the opening comment (to its */) and END LAB.
    perl -0pe 's{^[ \t]*/\* LAB\(\d\d[a-c]?\.\d+\):.*?\*/[ \t]*\n}{}msg; s{^[ \t]*/\* END LAB \*/[ \t]*\n}{}mg' "$f" >"$work/expect"
    cmp -s "$work/plain" "$work/expect" || drift+=" $f"
done
if [[ -z "$drift" ]]; then ok markers_are_only_comments
else bad markers_are_only_comments "taking the markers out changed code in:$drift"; fi

last_ok=
for day in $days; do
    dir=$(ls -d day"${day:0:2}"-* 2>/dev/null | head -1)
    lab=$work/lab$day
    # 2. The solution workspace, TODO comments out, is the reference, marker lines out.
    drift=
    for f in common/*.[ch] "$dir"/*.c; do
        perl scripts/lab.pl solution "$day" "$f" "$work/sol"
        perl -0pe 's{^[ \t]*/\* TODO\(\d\d[a-c]?\.\d+\):.*?\*/[ \t]*\n}{}msg; s{^[ \t]*/\* END TODO\(\d\d[a-c]?\.\d+\) \*/[ \t]*\n}{}mg' "$work/sol" >"$work/a"
        perl scripts/lab.pl plain 99 "$f" "$work/b"
        cmp -s "$work/a" "$work/b" || drift+=" $f"
    done
    if [[ -z "$drift" ]]; then ok "day${day}_filled_holes_are_the_reference"
    else bad "day${day}_filled_holes_are_the_reference" "differs in:$drift"; fi

    # 3. The skeleton builds and fails today's tests, for the right reason.
    if ! LAB_DIR=$lab scripts/lab new "$day" >"$work/new.log" 2>&1; then
        bad "day${day}_skeleton" "scripts/lab new $day failed:" "$(cat "$work/new.log")"
        continue
    fi
    first=1 skip=
    if [[ "${LAB_CHECK:-short}" != full ]]; then
        # The day before: 10c's is 10b, 10a's is 09.
        case "$day" in 10b) first=10a ;; 10c) first=10b ;; *) first=$((10#${day:0:2} > 1 ? 10#${day:0:2} - 1 : 1)) ;; esac
        skip='load|faults|oci' # oci: podman, containerd, dockerd: long, and all of day 10
    fi
    LAB_DIR=$lab TEST_TIMEOUT=30 LAB_FIRST_DAY=$first LAB_SKIP=$skip \
        scripts/lab check "$day" >"$work/check.log" 2>&1
    if grep -q 'does not build' "$work/check.log"; then
        bad "day${day}_skeleton_builds" "$(cat "$work/check.log")"
        continue
    fi
    ok "day${day}_skeleton_builds"
    # Which tests failed, by day. An earlier day's test may fail only
    # because one of today's holes stands on its path (day 02's clone, day
    # 03's pivot_root: every run goes through them, and a stub fails the
    # run), and then it says so: "points at: TODO(<today>.k)". Any other
    # failure of an earlier day's test is the skeleton breaking kept code.
    own_fail=0 early_fail=0 early_todo=0
    while read -r name points; do
        if [[ "$(scripts/lab part "$name")" == "$day" ]]; then own_fail=$((own_fail + 1))
        elif [[ "$points" == *"TODO($day."* ]]; then early_todo=$((early_todo + 1))
        else early_fail=$((early_fail + 1)); fi
    done < <(awk '/^  FAIL  / { if (n) print n, p; split($2, a, "/"); n = a[1]; p = "-"; next }
                  /^        points at: / && n { p = $0; gsub(/ /, "_", p) }
                  END { if (n) print n, p }' "$work/check.log")
    todo=$(grep -c 'points at: TODO' "$work/check.log")
    if ((own_fail > 0 && todo > 0)); then ok "day${day}_skeleton_fails_its_own_tests ($own_fail failing, $todo naming their TODO)"
    else bad "day${day}_skeleton_fails_its_own_tests" "own failures $own_fail, naming a TODO $todo:" "$(grep -A3 FAIL "$work/check.log" | head -30)"; fi
    excused=
    ((early_todo == 0)) || excused=" ($early_todo failing only on today's TODO)"
    if ((early_fail == 0)); then ok "day${day}_skeleton_keeps_earlier_days$excused"
    else bad "day${day}_skeleton_keeps_earlier_days" "$(grep -A2 '^  FAIL' "$work/check.log" | head -20)"; fi
    if grep -qE 'crashed|leaked:' "$work/check.log"; then
        bad "day${day}_skeleton_no_crash_no_leak" "$(grep -B2 -E 'crashed|leaked:' "$work/check.log" | head -20)"
    else ok "day${day}_skeleton_no_crash_no_leak"; fi
    rm -rf "$lab"
done

# 4. A student fills day 03's holes one at a time: the failing count falls to 0.
student() { # DAY
    local day=$1 lab=$work/student counts=() ids id n prev first=1
    # The short form counts the day's own tests only (the earlier days'
    # fail on the same first hole: nothing runs until the last is in).
    [[ "${LAB_CHECK:-short}" == full ]] || first=$day
    rm -rf "$lab"
    LAB_DIR=$lab scripts/lab new "$day" >/dev/null 2>&1 || { bad "student_day$day" "lab new failed"; return; }
    ids=$(scripts/lab holes "$day" | sed -n 's/^TODO(\([0-9a-c.]*\)).*/\1/p')
    n=$(LAB_DIR=$lab TEST_TIMEOUT=30 LAB_FIRST_DAY=$first scripts/lab check "$day" 2>&1 | tail -1 | awk '{print $3}')
    counts+=("$n")
    for id in $ids; do
        # Their answer: the reference's lines for this hole, put in place
        # of the stub in whichever file of the workspace holds it.
        for f in $(grep -l "TODO($id)" -r "$lab" --include='*.c' --include='*.h'); do
            rel=${f#"$lab"/}
            perl scripts/lab.pl solution "$day" "$rel" "$work/sol"
            perl -0e '
                local $/; open my $s, "<", $ARGV[0]; my $sol = <$s>;
                open my $l, "<", $ARGV[1]; my $mine = <$l>; my $id = quotemeta $ARGV[2];
                my ($body) = $sol =~ m{/\* TODO\($id\):.*?\*/[ \t]*\n(.*?)^[ \t]*/\* END TODO\($id\) \*/}ms;
                $mine =~ s{(/\* TODO\($id\):.*?\*/[ \t]*\n)(.*?)(^[ \t]*/\* END TODO\($id\) \*/)}{$1$body$3}ms;
                open my $o, ">", $ARGV[1]; print $o $mine;' "$work/sol" "$f" "$id"
        done
        n=$(LAB_DIR=$lab TEST_TIMEOUT=30 LAB_FIRST_DAY=$first scripts/lab check "$day" 2>&1 | tail -1 | awk '{print $3}')
        counts+=("$n")
    done
    prev=
    local down=1
    for n in "${counts[@]}"; do
        [[ "$n" =~ ^[0-9]+$ ]] || { down=0; break; }
        [[ -z "$prev" ]] || ((n <= prev)) || down=0
        prev=$n
    done
    if ((down == 1 && ${counts[0]} > 0 && ${counts[-1]} == 0)); then
        ok "student_day${day}_fills_holes_one_by_one (failing: ${counts[*]})"
    else
        bad "student_day${day}_fills_holes_one_by_one" "failing counts after each hole: ${counts[*]} (want falling to 0)"
    fi
    rm -rf "$lab"
}
if [[ " $days " == *" 03 "* ]]; then student 03; fi
if [[ "${LAB_CHECK:-short}" == full ]]; then
    for day in $days; do [[ "$day" == 03 ]] || student "$day"; done
fi

[[ -z "${RESULTS:-}" ]] || echo "$pass $failed" >>"$RESULTS"
echo "lab: $pass passed, $failed failed"
((failed == 0))
