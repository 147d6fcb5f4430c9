#!/usr/bin/env bash
# Day 10 — `tdg doctor`: it passes on this host, and each check made to fail
# for real (not root, no iptables in PATH, no rootfs, no cgroup filesystem, a
# kernel refusing overlayfs or pivot_root through strace's fault injection)
# prints a FAIL line naming the fix, and exits 125. The host-problem errors
# of `tdg run` end with "'tdg doctor' checks this host". No test here uses
# the bridge: every run is --net none.
source "$(dirname "$0")/lib.sh"

POINTER="; 'tdg doctor' checks this host"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# The report's line for CHECK (e.g. "iptables"), from OUT.
line_of() { grep -E "^(ok|note|warn|FAIL) +$1(:|$)" <<<"$OUT"; }

# doctor failed: 125, one stderr line counting the failures, and a FAIL
# line for CHECK that contains FIX.
expect_doctor_fail() { # CHECK FIX
    expect_error 125 "doctor: "
    expect_contains "$ERR" "checks failed" "stderr"
    local l
    l=$(line_of "$1") || fail "no line for the check '$1'" "report: $OUT"
    expect_contains "$l" "FAIL  $1: " "the line of $1"
    expect_contains "$l" "$2" "the line of $1 (its fix)"
}

t_doctor_passes_here() {
    local mounts_before
    mounts_before=$(grep -c ' /tmp ' /proc/self/mountinfo || true)
    capture "$TDG" doctor --rootfs "$ROOTFS"
    expect_eq "$RC" 0 "exit status" || fail "report: $OUT" "stderr: $ERR"
    expect_eq "$ERR" "" "stderr"
    local check
    for check in root "uts namespace" "pid namespace" "mount namespace" "ipc namespace" \
        "network namespace" "user namespace" overlayfs pivot_root cgroups \
        "cgroup controllers" iptables "IP forwarding" "host set-up" "state folder" rootfs; do
        line_of "$check" >/dev/null || fail "no line for the check '$check'" "report: $OUT"
    done
    # Every line but the summary says ok or note, aligned.
    local bad
    bad=$(head -n -1 <<<"$OUT" | grep -vE '^(ok    |note  )[a-zA-Z]' || true)
    expect_eq "$bad" "" "lines that are neither ok nor note"
    expect_contains "$(tail -1 <<<"$OUT")" "all 16 checks pass" "the summary"
    expect_contains "$(line_of rootfs)" "$(realpath "$ROOTFS")" "the rootfs line"
    # The overlay and pivot_root were tried in a mount namespace of their
    # own: nothing of them is left in the host's mount table.
    expect_eq "$(grep -c ' /tmp ' /proc/self/mountinfo || true)" "$mounts_before" "mounts on /tmp"
    expect_not_contains "$(cat /proc/self/mountinfo)" "lowerdir=/tmp/lower" "the host's mounts"
}

t_default_rootfs_is_rootfs_busybox_here() {
    mkdir -p "$TDG_ROOT/top/rootfs" "$TDG_ROOT/elsewhere"
    ln -s "$ROOTFS" "$TDG_ROOT/top/rootfs/busybox"
    RC=0
    OUT=$(cd "$TDG_ROOT/top" && "$TDG" doctor) || RC=$?
    expect_eq "$RC" 0 "exit status with ./rootfs/busybox"
    expect_eq "$(line_of rootfs)" "ok    rootfs: $(realpath "$ROOTFS")" "the rootfs line"
    # None here: a warning saying how to get one, not a failure.
    OUT=$(cd "$TDG_ROOT/elsewhere" && "$TDG" doctor) || RC=$?
    expect_eq "$RC" 0 "exit status without a rootfs"
    expect_contains "$(line_of rootfs)" "warn  rootfs: none given" "the rootfs line"
    expect_contains "$(line_of rootfs)" "make rootfs" "the rootfs line"
}

t_not_root_fails_saying_run_as_root() {
    capture "${NOBODY[@]}" "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail root "sudo tdg"
    expect_doctor_fail "uts namespace" "Operation not permitted; run as root: sudo tdg doctor"
    expect_doctor_fail overlayfs "run as root"
    expect_doctor_fail pivot_root "run as root"
    expect_doctor_fail iptables "run as root"
    expect_doctor_fail "state folder" "run as root, or set TDG_ROOT"
}

t_missing_iptables_fails_saying_apt_get_install() {
    mkdir "$TDG_ROOT/empty"
    capture env PATH="$TDG_ROOT/empty" "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail iptables "not found in PATH; install it: apt-get install iptables"
    expect_eq "$(grep -c '^FAIL' <<<"$OUT")" 1 "FAIL lines (only iptables)"
}

t_missing_rootfs_fails_saying_make_rootfs() {
    capture "$TDG" doctor --rootfs "$TDG_ROOT/nonexistent"
    expect_doctor_fail rootfs "No such file or directory; build one with 'make rootfs'"
    capture "$TDG" doctor --rootfs /etc/hostname
    expect_doctor_fail rootfs "is not a directory; build one with 'make rootfs'"
    # A rootfs without /bin/sh may be fine (one static binary): a warning.
    mkdir -p "$TDG_ROOT/nosh/etc"
    capture "$TDG" doctor --rootfs "$TDG_ROOT/nosh"
    expect_eq "$RC" 0 "exit status for a rootfs without /bin/sh"
    expect_contains "$(line_of rootfs)" "warn  rootfs: $TDG_ROOT/nosh has no /bin/sh" "the rootfs line"
}

t_missing_cgroups_fail_saying_how_to_mount_them() {
    mkdir "$TDG_ROOT/no-cgroups"
    TDG_CGROUP_ROOT=$TDG_ROOT/no-cgroups capture "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail cgroups "no cgroup filesystem at $TDG_ROOT/no-cgroups"
    expect_doctor_fail cgroups "mount -t cgroup2 none $TDG_ROOT/no-cgroups"
}

t_missing_cgroup_controllers_fail_saying_what_to_do() {
    # Real hierarchies, only read. v1 host: a folder holding the host's
    # memory and cpu trees (symlinks) but no pids one.
    local tested=0
    if [[ "$(stat -fc %T /sys/fs/cgroup/memory/ 2>/dev/null)" == cgroupfs ]]; then
        mkdir "$TDG_ROOT/v1"
        ln -s /sys/fs/cgroup/memory "$TDG_ROOT/v1/memory"
        ln -s /sys/fs/cgroup/cpu "$TDG_ROOT/v1/cpu"
        TDG_CGROUP_ROOT=$TDG_ROOT/v1 capture "$TDG" doctor --rootfs "$ROOTFS"
        expect_eq "$(line_of cgroups)" "ok    cgroups: v1 at $TDG_ROOT/v1" "the cgroups line"
        expect_doctor_fail "cgroup controllers" "no pids hierarchy under $TDG_ROOT/v1"
        expect_doctor_fail "cgroup controllers" "mount -t cgroup -o NAME cgroup $TDG_ROOT/v1/NAME"
        tested=1
    fi
    # Hybrid host: its v2 tree has no controllers (all are bound to v1).
    if [[ "$(stat -fc %T /sys/fs/cgroup/unified/ 2>/dev/null)" == cgroup2fs &&
        "$(cat /sys/fs/cgroup/unified/cgroup.controllers)" != *pids* ]]; then
        TDG_CGROUP_ROOT=/sys/fs/cgroup/unified capture "$TDG" doctor --rootfs "$ROOTFS"
        expect_contains "$(line_of cgroups)" "ok    cgroups: v2 (unified)" "the cgroups line"
        expect_doctor_fail "cgroup controllers" "pids missing from /sys/fs/cgroup/unified/cgroup.controllers"
        expect_doctor_fail "cgroup controllers" "systemd.unified_cgroup_hierarchy=1"
        tested=1
    fi
    ((tested)) || echo "    (a pure cgroup v2 host: no tree without controllers to point doctor at)"
}

t_kernel_without_overlayfs_fails_saying_modprobe() {
    # strace makes the kernel answer ENODEV ("no such filesystem type") to
    # the third mount(2) of each process: the overlay check's overlay mount
    # (after making / private and mounting its tmpfs). The pivot_root check
    # mounts twice only, and passes.
    capture strace -f -o /dev/null -e trace=mount -e inject=mount:error=ENODEV:when=3 \
        "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail overlayfs "mount overlay: No such device"
    expect_doctor_fail overlayfs "modprobe overlay"
    expect_eq "$(line_of pivot_root)" "ok    pivot_root" "the pivot_root line"
}

t_refused_pivot_root_fails_naming_the_cause() {
    capture strace -f -o /dev/null -e trace=pivot_root -e inject=pivot_root:error=EINVAL \
        "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail pivot_root "pivot_root: Invalid argument; the host's / may be an initramfs"
    expect_eq "$(grep -c '^FAIL' <<<"$OUT")" 1 "FAIL lines (only pivot_root)"
}

t_state_folder_that_cannot_be_made_fails() {
    touch "$TDG_ROOT/file"
    TDG_ROOT=$TDG_ROOT/file/state capture "$TDG" doctor --rootfs "$ROOTFS"
    expect_doctor_fail "state folder" "Not a directory; set TDG_ROOT to a folder"
}

t_doctor_help_and_bad_usage() {
    capture "$TDG" doctor --help
    expect_eq "$RC" 0 "exit status of doctor --help"
    expect_contains "$OUT" "Usage: tdg doctor [--rootfs DIR]" "doctor --help"
    capture "$TDG" --help
    expect_contains "$OUT" "doctor [--rootfs DIR]" "tdg --help"
    capture "$TDG" doctor --bogus
    expect_error 125 "doctor: unknown flag '--bogus'"
    capture "$TDG" doctor --rootfs
    expect_error 125 "doctor: flag --rootfs needs a value"
    capture "$TDG" doctor extra
    expect_error 125 "doctor: unexpected argument 'extra'"
}

# The run errors a host problem causes point to doctor.

t_not_root_run_points_to_doctor() {
    # Not root: the first thing that fails is making the state folder.
    TDG_ROOT=$TDG_ROOT/state capture "${NOBODY[@]}" "${RUN[@]}" --net none /bin/true
    expect_error 125 "state: mkdir $TDG_ROOT/state: Permission denied$POINTER"
}

t_missing_cgroups_run_points_to_doctor() {
    mkdir "$TDG_ROOT/no-cgroups"
    TDG_CGROUP_ROOT=$TDG_ROOT/no-cgroups capture tdg_run --net none --memory 64m /bin/true
    expect_error 125 "no cgroup filesystem at $TDG_ROOT/no-cgroups; limits need cgroups v1 or v2$POINTER"
}

t_refused_clone_points_to_doctor() {
    # The first clone(2) of tdg is the container's (no watcher to fork in
    # the foreground, no iptables with --net none).
    capture strace -o /dev/null -e trace=clone -e inject=clone:error=EPERM:when=1 \
        "${RUN[@]}" --net none /bin/true
    expect_error 125 "clone: Operation not permitted; tdg needs root and a kernel with namespaces$POINTER"
}

t_refused_pivot_root_points_to_doctor() {
    capture strace -f -o /dev/null -e trace=pivot_root -e inject=pivot_root:error=EINVAL \
        "${RUN[@]}" --net none /bin/true
    expect_error 125 "rootfs: pivot_root"
    expect_contains "$ERR" "Invalid argument$POINTER" "stderr"
}

t_user_errors_do_not_point_to_doctor() {
    capture tdg_run --net none -w relative /bin/true
    expect_error 125 "not an absolute path"
    expect_not_contains "$ERR" "$POINTER" "stderr"
    capture "$TDG" run --net none --rootfs "$TDG_ROOT/nonexistent" /bin/true
    expect_error 125 "build one with 'make rootfs'"
    expect_not_contains "$ERR" "$POINTER" "stderr"
}

run_tests "$@"
