#!/usr/bin/env bash
# tests/leakcheck.sh [TEST_ROOTS] — after the tests, is anything of a container left on
# this host? The contract's cleanup promise: nothing but state folders.
# Prints one line per leftover; exits 1 if there is any. Only reads.
# (CI also runs the workplace's ../shared/tools/leakcheck; this one travels
# with the repository so a student's `make test` checks the same promise.)
set -u
n=0
leak() { echo "leak: $*"; n=$((n + 1)); }

# Processes still running a tdg binary (a container's init is not tdg after
# exec, so look at its parent chain too: a process whose parent is gone was
# reparented, and a test's container would show up as a sleep under init).
for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case "$exe" in */tdg | *"/tdg (deleted)") leak "process ${p#/proc/}: $exe" ;; esac
done

# Mounts the host can see that belong to a container or a test state root.
while read -r _ target _; do
    case "$target" in *tdg*) leak "mount: $target" ;; esac
done </proc/self/mounts

# cgroups named after tdg (day 07 on), in v1 controller trees or a v2 tree.
while IFS= read -r cg; do
    leak "cgroup: $cg"
done < <(find /sys/fs/cgroup -maxdepth 3 -mindepth 1 -type d -name '*tdg*' 2>/dev/null)

# State roots the harness made (in the folder given, default /tmp) and
# should have removed.
for d in "${1:-/tmp}"/tdg-test.*; do [[ -e "$d" ]] && leak "test root: $d"; done

if ((n == 0)); then echo "leakcheck: clean"; exit 0; fi
echo "leakcheck: $n leftover(s)"
exit 1
