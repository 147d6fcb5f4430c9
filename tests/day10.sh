#!/usr/bin/env bash
# Day 10 — the overlay rootfs, --read-only, -e, -w, -v,
# --init and exec. The rootfs folder is never modified, containers never see
# each other's writes, `tdg rm` removes a container's layer with its state,
# --init passes signals on and reaps orphans, exec enters a running container.
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

t_init_is_pid_1_and_passes_sigterm_on() {
    tdg_run -d --init --name inited /bin/sleep 30 >/dev/null
    local t0=$SECONDS
    capture "$TDG" stop -t 20 inited
    ((SECONDS - t0 < 5)) || fail "stop took $((SECONDS - t0)) s: SIGTERM did not reach sleep"
    expect_eq "$("$TDG" inspect inited | jq -r .exit_code)" 143 "exit_code (sleep ended by SIGTERM)"
    capture tdg_run --init /bin/sh -c 'echo $$'
    expect_eq "$OUT" 2 "the command's pid under --init"
}

t_init_reaps_orphans() {
    # The subshell exits at once; its sleep becomes an orphan of PID 1 and,
    # once it ends, a zombie unless PID 1 reaps it.
    capture tdg_run --init /bin/sh -c \
        '(sleep 0.2 &); sleep 1; cut -d" " -f3 /proc/[0-9]*/stat | grep -c Z'
    expect_eq "$OUT" 0 "zombies in the container"
}

t_exec_enters_a_running_container() {
    tdg_run -d --name box --hostname boxh --memory 64m /bin/sleep 30 >/dev/null
    local id
    id=$("$TDG" inspect box | jq -r .id)
    capture "$TDG" exec box /bin/hostname
    expect_eq "$OUT" boxh "hostname seen by exec"
    capture "$TDG" exec box /bin/sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo $$'
    expect_eq "$(head -1 <<<"$OUT")" "/bin/sleep 30 " "PID 1 seen by exec (the container's)"
    (($(tail -1 <<<"$OUT") > 1)) || fail "exec's shell is PID $(tail -1 <<<"$OUT")"
    capture "$TDG" exec box /bin/cat /proc/self/cgroup
    expect_contains "$OUT" "/tdg/$id" "exec's cgroup"
    capture "$TDG" exec box /bin/ls /
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "$(ls "$ROOTFS" | tr '\n' ' ')" "exec's /"
    capture "$TDG" exec box /bin/sh -c 'exit 7'
    expect_eq "$RC" 7 "exit status through exec"
    capture "$TDG" exec box no-such-command
    expect_error 127 "command not found"
}

t_exec_errors_are_125() {
    capture "$TDG" exec nosuch /bin/true
    expect_error 125 "no such container"
    tdg_run --name over /bin/true
    capture "$TDG" exec over /bin/true
    expect_error 125 "container over is not running"
    capture "$TDG" exec over
    expect_error 125 "usage: tdg exec [-it] ID CMD"
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
