#!/usr/bin/env bash
# Day 03 — root filesystem: the container's / is the rootfs (pivot_root), the
# host's root is gone, /dev is minimal, /sys is read-only, and bad rootfs
# paths are clear errors.
source "$(dirname "$0")/lib.sh"

t_root_is_the_rootfs() {
    capture tdg_run /bin/cat /etc/os-release
    expect_eq "$RC" 0 "exit status"
    expect_contains "$OUT" 'NAME="tdg busybox"' "/etc/os-release inside"
}

t_old_root_is_gone() {
    capture tdg_run /bin/sh -c 'test ! -e /.old_root && ls -a /'
    expect_eq "$RC" 0 "/.old_root should not exist"
    expect_eq "$OUT" "$(ls -a "$ROOTFS")" "ls -a / inside (the rootfs's entries)"
}

t_host_files_are_invisible() {
    local mark=/tdg-hostmark.$$
    touch "$mark"
    capture tdg_run /bin/sh -c "test -e $mark || test -e $ROOTFS || echo invisible"
    rm -f "$mark"
    expect_eq "$OUT" invisible "a host file and the rootfs path seen from inside"
    capture tdg_run "$TDG" --help # tdg's own binary: on the host, not in the rootfs
    expect_error 127 "command not found"
}

t_no_host_mount_is_visible() {
    local inside want host t
    capture tdg_run /bin/cat /proc/mounts
    inside=$(cut -d' ' -f2 <<<"$OUT" | sort)
    for want in / /proc /dev /dev/pts /dev/shm /sys; do
        grep -qx -- "$want" <<<"$inside" || fail "$want is not mounted inside"
    done
    host=$(cut -d' ' -f2 /proc/mounts | sort -u)
    for t in $host; do
        case "$t" in / | /proc | /dev | /dev/pts | /dev/shm | /sys) continue ;; esac
        if grep -qx -- "$t" <<<"$inside"; then fail "host mount $t is visible inside"; fi
    done
}

t_dev_is_minimal() {
    capture tdg_run /bin/ls /dev
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " "ls /dev"
    capture tdg_run /bin/sh -c 'echo x >/dev/null && head -c 16 /dev/urandom | wc -c && head -c 4 /dev/zero | wc -c'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "16 4 " "bytes read from urandom and zero"
}

t_sys_is_read_only() {
    capture tdg_run /bin/sh -c 'grep " /sys " /proc/mounts; touch /sys/kernel/tdg-probe'
    expect_ne "$RC" 0 "exit status of touch in /sys"
    expect_contains "$OUT" "sysfs ro," "/sys mount options"
    expect_contains "$ERR" "Read-only file system" "touch's error"
}

t_environment_is_the_containers() {
    FOO=host-only capture tdg_run /usr/bin/env
    expect_contains "$OUT" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    expect_contains "$OUT" "HOME=/root"
    expect_not_contains "$OUT" "FOO=host-only"
}

t_rootfs_folder_is_not_modified() {
    local before
    before=$(find "$ROOTFS" -printf '%p %s %m %T@\n' | sort | md5sum)
    capture tdg_run /bin/true
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(find "$ROOTFS" -printf '%p %s %m %T@\n' | sort | md5sum)" "$before" "rootfs listing"
}

t_relative_rootfs_path_works() {
    capture bash -c 'cd "$(dirname "$1")" && exec "$2" run --rootfs "./$(basename "$1")" /bin/true' _ "$ROOTFS" "$TDG"
    expect_eq "$RC" 0 "exit status with a relative --rootfs"
}

# Without --rootfs: the rootfs/busybox `make rootfs` built in the tree of
# the binary, found from the binary's own path, whatever the current folder
# and through a link to the day's folder (as ./dayNN is).
# (--net none from day 08: the network is not what these are about.)
t_rootfs_defaults_to_the_trees() {
    local net=()
    ((DAY < 8)) || net=(--net none)
    ln -s "$(dirname "$TDG")" "$TDG_ROOT/day"
    capture bash -c 'cd / && exec "$@"' _ "$TDG_ROOT/day/tdg" run "${net[@]}" \
        sh -c "head -1 /etc/os-release"
    expect_eq "$RC" 0 "exit status without --rootfs" || fail "stderr: $ERR"
    expect_eq "$OUT" "$(head -1 "$ROOTFS/etc/os-release")" "the default rootfs's /etc/os-release"
}

# A tree of its own (scripts/mkrootfs.sh marks one) with no rootfs built:
# one line says what to do; TDG_ROOTFS names one instead, --rootfs beats it;
# once built (here a link to one), it is found.
t_rootfs_missing_says_make_rootfs() {
    local tree tdg net=()
    ((DAY < 8)) || net=(--net none)
    tree=$(realpath "$TDG_ROOT")/tree tdg=$tree/dayNN/tdg
    mkdir -p "$tree/scripts" "$tree/dayNN"
    : >"$tree/scripts/mkrootfs.sh"
    cp "$TDG" "$tdg"
    capture "$tdg" run "${net[@]}" /bin/true
    expect_error 125 "run: rootfs '$tree/rootfs/busybox': not built yet, and no --rootfs given"
    expect_contains "$ERR" "run 'make rootfs' in $tree, or pass --rootfs DIR"
    capture env TDG_ROOTFS="$ROOTFS" "$tdg" run "${net[@]}" sh -c 'exit 4'
    expect_eq "$RC" 4 "exit status with TDG_ROOTFS" || fail "stderr: $ERR"
    capture env TDG_ROOTFS="$TDG_ROOT/nope" "$tdg" run "${net[@]}" /bin/true
    expect_error 125 "run: rootfs '$TDG_ROOT/nope': No such file or directory"
    capture env TDG_ROOTFS="$TDG_ROOT/nope" "$tdg" run "${net[@]}" --rootfs "$ROOTFS" /bin/true
    expect_eq "$RC" 0 "exit status with --rootfs and TDG_ROOTFS" || fail "stderr: $ERR"
    mkdir "$tree/rootfs"
    ln -s "$ROOTFS" "$tree/rootfs/busybox"
    capture "$tdg" run "${net[@]}" /bin/true
    expect_eq "$RC" 0 "exit status once the tree's rootfs is built" || fail "stderr: $ERR"
}

t_bad_rootfs_is_125() {
    capture "$TDG" run --rootfs "$TDG_ROOT/missing" /bin/true
    expect_error 125 "No such file or directory; build one with 'make rootfs'"
    touch "$TDG_ROOT/file"
    capture "$TDG" run --rootfs "$TDG_ROOT/file" /bin/true
    expect_error 125 "is not a directory"
    mkdir "$TDG_ROOT/empty"
    capture "$TDG" run --rootfs "$TDG_ROOT/empty" /bin/true
    expect_error 125 "is empty"
    capture "$TDG" run --rootfs / /bin/true
    expect_error 125 "the host's own root"
}

t_command_missing_from_rootfs_is_127() {
    capture tdg_run /usr/bin/no-such-tool
    expect_error 127 "/usr/bin/no-such-tool: command not found"
}

run_tests "$@"
