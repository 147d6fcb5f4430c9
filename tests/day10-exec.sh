#!/usr/bin/env bash
# Day 10 — --init and exec (lab part 10b, with day10-ports.sh and
# day10-tty.sh): --init passes signals on and reaps orphans, exec enters a
# running container, and its errors are tdg's 125.
source "$(dirname "$0")/lib.sh"

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

run_tests "$@"
