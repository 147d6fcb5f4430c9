#!/usr/bin/env bash
# Day 06 — stop and rm: SIGTERM reaches the container's PID 1 (a trap gets
# to clean up), a PID 1 that ignores it is SIGKILLed after -t seconds, the
# exit is recorded (143 / 137), no stranger is ever signalled, and rm
# removes what an exited container left.
source "$(dirname "$0")/lib.sh"

status_of() { "$TDG" inspect "$1" | jq -r .status; }
code_of() { "$TDG" inspect "$1" | jq -r .exit_code; }
logged() { "$TDG" logs "$1" | grep -q "$2"; }

t_stop_lets_a_trapping_command_clean_up() {
    tdg_run -d --name trapper /bin/sh -c \
        'trap "echo cleaning up; exit 143" TERM; echo ready; while :; do sleep 1; done' >/dev/null
    wait_for logged trapper ready
    capture "$TDG" stop trapper
    expect_eq "$RC" 0 "exit status of stop"
    expect_eq "$OUT" trapper "stop prints what it stopped"
    expect_eq "$(status_of trapper)" exited "status after stop"
    expect_eq "$(code_of trapper)" 143 "exit_code after a clean TERM"
    expect_contains "$("$TDG" logs trapper)" "cleaning up" "logs"
}

t_stop_t1_kills_a_pid1_that_ignores_term() {
    # sh as PID 1 with no TERM trap: the kernel drops the SIGTERM.
    tdg_run -d --name deaf /bin/sh -c 'echo ready; while :; do sleep 1; done' >/dev/null
    wait_for logged deaf ready
    local t0 t1
    t0=$(date +%s%N)
    capture "$TDG" stop -t 1 deaf
    t1=$(date +%s%N)
    expect_eq "$RC" 0 "exit status of stop"
    (((t1 - t0) / 1000000 < 5000)) || fail "stop -t 1 took $(((t1 - t0) / 1000000)) ms"
    (((t1 - t0) / 1000000 >= 900)) || fail "stop -t 1 gave only $(((t1 - t0) / 1000000)) ms of grace"
    expect_eq "$(code_of deaf)" 137 "exit_code after SIGKILL"
}

t_stop_a_foreground_run() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --name fore /bin/sleep 30
    container_pid "$BG_PID" sleep >/dev/null
    capture "$TDG" stop -t 0 fore
    expect_eq "$RC" 0 "exit status of stop"
    wait_bg "$BG_PID"
    expect_eq "$RC" 137 "exit status of the foreground tdg run"
    expect_eq "$(code_of fore)" 137 "exit_code"
}

t_stop_an_exited_container_is_not_an_error() {
    tdg_run --name done /bin/true
    capture "$TDG" stop done
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(code_of done)" 0 "exit_code stays"
}

t_stop_errors_are_125() {
    capture "$TDG" stop nosuch
    expect_error 125 "no such container: 'nosuch'"
    tdg_run --name x /bin/true
    local t
    for t in -1 abc 1.5 ''; do
        capture "$TDG" stop -t "$t" x
        expect_error 125 "not a number of seconds"
    done
    capture "$TDG" stop -t
    expect_error 125 "needs a value"
    capture "$TDG" stop
    expect_error 125 "usage: tdg stop"
    capture "$TDG" stop --bogus x
    expect_error 125 "unknown flag '--bogus'"
}

# The record says "running, pid P" but P is now another process (pid
# reuse): stop must not signal it.
t_stop_never_signals_a_stranger() {
    tdg_run --name old /bin/true
    sleep 30 &
    local stranger=$!
    BG_PIDS+=("$stranger")
    local f="$TDG_ROOT/containers/$("$TDG" inspect old | jq -r .id)/config.json"
    jq --argjson p "$stranger" '.status = "running" | .pid = $p | .pid_start_time = 1' "$f" >"$f.new"
    mv "$f.new" "$f"
    capture "$TDG" stop -t 0 old
    expect_eq "$RC" 0 "exit status of stop"
    sleep 0.2
    alive "$stranger" || fail "stop killed an unrelated process (pid $stranger)"
    expect_eq "$(status_of old)" exited "status"
}

t_rm_removes_an_exited_container() {
    tdg_run --name gone /bin/true
    local id
    id=$("$TDG" inspect gone | jq -r .id)
    capture "$TDG" rm gone
    expect_eq "$RC" 0 "exit status of rm"
    expect_eq "$OUT" gone "rm prints what it removed"
    [[ ! -e "$TDG_ROOT/containers/$id" ]] || fail "state folder still there"
    capture "$TDG" inspect gone
    expect_error 125 "no such container"
    capture tdg_run --name gone /bin/true
    expect_eq "$RC" 0 "the name is free again"
}

t_rm_refuses_a_running_one_unless_forced() {
    tdg_run -d --name busy /bin/sleep 30 >/dev/null
    local p
    p=$("$TDG" inspect busy | jq -r .pid)
    capture "$TDG" rm busy
    expect_error 125 "is running; stop it first, or use rm -f"
    expect_eq "$(status_of busy)" running "status after a refused rm"
    capture "$TDG" rm -f busy
    expect_eq "$RC" 0 "exit status of rm -f"
    wait_for gone "$p"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 0 "containers left"
}

t_rm_errors_are_125() {
    capture "$TDG" rm nosuch
    expect_error 125 "no such container"
    capture "$TDG" rm
    expect_error 125 "usage: tdg rm"
    capture "$TDG" rm --bogus x
    expect_error 125 "unknown flag '--bogus'"
}

t_logs_follow_ends_on_stop() {
    tdg_run -d --name followed /bin/sh -c 'echo ready; while :; do sleep 1; done' >/dev/null
    wait_for logged followed ready
    start_bg "$TDG_ROOT/follow" "$TDG" logs -f followed
    sleep 0.3
    "$TDG" stop -t 0 followed >/dev/null
    wait_bg "$BG_PID"
    expect_eq "$RC" 0 "exit status of logs -f"
}

t_watcher_killed_then_stop_and_rm_still_work() {
    tdg_run -d --name orphaned /bin/sleep 30 >/dev/null
    local w p
    w=$("$TDG" inspect orphaned | jq -r .watcher_pid)
    p=$("$TDG" inspect orphaned | jq -r .pid)
    kill -KILL "$w"
    wait_for gone "$p"
    capture "$TDG" stop orphaned
    expect_eq "$RC" 0 "exit status of stop"
    expect_eq "$(status_of orphaned)" exited "status"
    capture "$TDG" rm orphaned
    expect_eq "$RC" 0 "exit status of rm"
}

run_tests "$@"
