#!/usr/bin/env bash
# Day 10 — the overlay rootfs, --read-only, -e, -w, -v (lab part 10a). The
# rootfs folder is never modified, containers never see each other's writes,
# `tdg rm` removes a container's layer with its state. --init and exec are
# in day10-exec.sh (part 10b).
source "$(dirname "$0")/lib.sh"

listing() { find "$ROOTFS" -printf '%p %s %m %T@\n' | sort | md5sum; }

t_writes_to_root_leave_the_rootfs_folder_unchanged() {
    local before
    before=$(listing)
    capture tdg_run --name writer /bin/sh -c \
        'echo changed >/etc/os-release && touch /newfile && rm /bin/ls && echo done'
    expect_eq "$OUT" done "the container's writes"
    expect_eq "$(listing)" "$before" "the rootfs folder, byte for byte"
    local id
    id=$("$TDG" inspect writer | jq -r .id)
    [[ -e "$TDG_ROOT/containers/$id/upper/newfile" ]] || fail "the write is not in the container's layer"
}

t_containers_do_not_see_each_others_files() {
    tdg_run --name first /bin/sh -c 'echo secret >/tmp/mine'
    capture tdg_run --name second /bin/sh -c 'cat /tmp/mine'
    expect_ne "$RC" 0 "cat of the first container's file"
    expect_contains "$ERR" "No such file or directory" "cat's error"
}

t_rm_removes_the_layer() {
    tdg_run --name layered /bin/touch /file
    local id
    id=$("$TDG" inspect layered | jq -r .id)
    "$TDG" rm layered >/dev/null
    [[ ! -e "$TDG_ROOT/containers/$id" ]] || fail "the layer is still there"
}

t_read_only_root_refuses_writes() {
    capture tdg_run --read-only /bin/touch /x
    expect_ne "$RC" 0 "exit status of touch"
    expect_contains "$ERR" "Read-only file system" "touch's error"
    capture tdg_run --read-only /bin/sh -c 'echo ok >/dev/null && echo fine'
    expect_eq "$OUT" fine "/dev stays writable"
}

t_env_variables() {
    FOO=from-host capture tdg_run -e A=1 -e B='two words' -e FOO -e NOT_ON_HOST /usr/bin/env
    expect_contains "$OUT" "A=1" env
    expect_contains "$OUT" "B=two words" env
    expect_contains "$OUT" "FOO=from-host" "env (-e FOO takes the host's)"
    expect_not_contains "$OUT" "NOT_ON_HOST" env
}

t_workdir() {
    capture tdg_run -w /tmp /bin/pwd
    expect_eq "$OUT" /tmp "pwd with -w /tmp"
    capture tdg_run -w /made/for/you /bin/pwd
    expect_eq "$OUT" /made/for/you "pwd with a missing -w"
}

t_volumes() {
    mkdir -p "$TDG_ROOT/vol"
    echo from-host >"$TDG_ROOT/vol/f"
    capture tdg_run -v "$TDG_ROOT/vol:/data" /bin/sh -c 'cat /data/f; echo from-container >/data/g'
    expect_eq "$OUT" from-host "a host file in the volume"
    expect_eq "$(cat "$TDG_ROOT/vol/g")" from-container "a file the container wrote, seen on the host"
    capture tdg_run -v "$TDG_ROOT/vol:/data:ro" /bin/sh -c 'echo x >/data/h'
    expect_ne "$RC" 0 "a write to a :ro volume"
    expect_contains "$ERR" "Read-only file system" "the write's error"
    # The bind happened in the container's mount namespace only.
    expect_not_contains "$(cat /proc/self/mounts)" "$TDG_ROOT/vol" "the host's mount table"
}

t_bad_options_are_125() {
    capture tdg_run -v "$TDG_ROOT/missing:/data" /bin/true
    expect_error 125 "No such file or directory"
    capture tdg_run -v nocolon /bin/true
    expect_error 125 "not HOST:CTR[:ro]"
    capture tdg_run -v "$TDG_ROOT:relative" /bin/true
    expect_error 125 "CTR must be an absolute path"
    capture tdg_run -v "$TDG_ROOT:/data:xx" /bin/true
    expect_error 125 "the mode must be ro or rw"
    capture tdg_run -e =oops /bin/true
    expect_error 125 "not KEY=VAL"
    capture tdg_run -w relative /bin/true
    expect_error 125 "not an absolute path"
}

run_tests "$@"
