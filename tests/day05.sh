#!/usr/bin/env bash
# Day 05 — logs and detached mode: `run -d` prints the id and returns; a
# watcher stays as the container's parent, captures stdout and stderr into
# container.log without losing a byte, and records the exit; `logs -f`
# follows the log with inotify and ends when the container does.
source "$(dirname "$0")/lib.sh"

status_of() { "$TDG" inspect "$1" | jq -r .status; }
exited() { [[ "$(status_of "$1")" == exited ]]; }
watcher_of() { "$TDG" inspect "$1" | jq -r .watcher_pid; }
pid_of() { "$TDG" inspect "$1" | jq -r .pid; }
log_of() { echo "$TDG_ROOT/containers/$("$TDG" inspect "$1" | jq -r .id)/container.log"; }

t_detach_prints_the_id_and_returns() {
    local t0=$SECONDS
    capture tdg_run -d --name d1 /bin/sleep 30
    expect_eq "$RC" 0 "exit status of run -d"
    [[ "$OUT" =~ ^[0-9a-f]{12}$ ]] || fail "run -d should print the id, printed: $OUT"
    ((SECONDS - t0 < 5)) || fail "run -d took $((SECONDS - t0)) s to return"
    expect_eq "$(status_of "$OUT")" running "status"
    capture "$TDG" ps
    expect_contains "$OUT" " d1 " "ps"
}

t_run_d_in_a_command_substitution_returns() {
    # $(...) reads until every copy of its pipe is closed: here fd 1 and a
    # duplicate on fd 3, which the watcher must not keep.
    local t0=$SECONDS id
    id=$(timeout 20 "${RUN[@]}" -d --name subst /bin/sleep 30 3>&1)
    ((SECONDS - t0 < 5)) || fail "\$(tdg run -d ...) took $((SECONDS - t0)) s"
    [[ "$id" =~ ^[0-9a-f]{12}$ ]] || fail "printed: $id"
}

t_logs_has_stdout_and_stderr() {
    tdg_run -d --name both /bin/sh -c 'echo to-out; echo to-err >&2' >/dev/null
    wait_for exited both
    capture "$TDG" logs both
    expect_eq "$RC" 0 "exit status of logs"
    expect_eq "$(sort <<<"$OUT" | tr '\n' ' ')" "to-err to-out " "logs"
}

t_foreground_output_is_shown_and_logged() {
    capture tdg_run --name fg /bin/sh -c 'echo hello; echo oops >&2; exit 2'
    expect_eq "$RC" 2 "exit status"
    expect_eq "$OUT" hello "stdout of the foreground run"
    expect_eq "$ERR" oops "stderr of the foreground run"
    expect_eq "$("$TDG" logs fg | sort | tr '\n' ' ')" "hello oops " "logs of the foreground run"
}

t_detached_exit_is_recorded() {
    tdg_run -d --name five /bin/sh -c 'exit 5' >/dev/null
    wait_for exited five
    expect_eq "$("$TDG" inspect five | jq -r .exit_code)" 5 "exit_code"
    capture "$TDG" ps -a
    expect_contains "$(grep five <<<"$OUT")" "exited (5)" "ps -a"
}

t_logs_follow_ends_when_the_container_exits() {
    tdg_run -d --name slow /bin/sh -c 'echo first; sleep 1; echo second' >/dev/null
    local t0=$SECONDS
    capture timeout 20 "$TDG" logs -f slow
    expect_eq "$RC" 0 "exit status of logs -f"
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "first second " "logs -f"
    expect_eq "$(status_of slow)" exited "status once logs -f returned"
}

t_logs_follow_waits_without_polling() {
    tdg_run -d --name idle /bin/sleep 30 >/dev/null
    start_bg "$TDG_ROOT/follow" "$TDG" logs -f idle
    sleep 0.5
    local before after
    before=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$BG_PID/status")
    sleep 1
    after=$(awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$BG_PID/status")
    # A sleep loop wakes up tens of times a second; a blocked poll() never.
    ((after - before <= 2)) || fail "logs -f woke up $((after - before)) times in 1 s while nothing happened"
    alive "$BG_PID" || fail "logs -f returned while the container still runs"
}

t_detached_survives_its_terminal() {
    # script(1) gives the command a terminal of its own and closes it (with
    # SIGHUP to its session) as soon as tdg run -d returns.
    capture script -qec "$TDG run -d --name survivor --rootfs $ROOTFS /bin/sleep 30" /dev/null
    expect_eq "$RC" 0 "exit status under script"
    sleep 0.5
    expect_eq "$(status_of survivor)" running "status after its terminal closed"
    local w
    w=$(watcher_of survivor)
    expect_eq "$(ps -o sid= -p "$w" | tr -d ' ')" "$w" "the watcher leads a session of its own"
}

t_output_after_the_shell_exits_is_kept() {
    bash -c '"$@" >/dev/null' _ "${RUN[@]}" -d --name late /bin/sh -c 'sleep 1; echo late-line'
    capture timeout 20 "$TDG" logs -f late
    expect_eq "$OUT" late-line "logs -f"
}

t_fifty_megabytes_lose_no_byte() {
    local gen='yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 52428800'
    tdg_run -d --name big /bin/sh -c "$gen" >/dev/null
    wait_for exited big
    expect_eq "$(stat -c %s "$(log_of big)")" 52428800 "log size"
    expect_eq "$("$TDG" logs big | md5sum)" "$(bash -c "$gen" | md5sum)" "md5 of the log"
}

t_watcher_is_the_parent_and_small() {
    tdg_run -d --name small /bin/sleep 30 >/dev/null
    local w p rss max=1024
    w=$(watcher_of small) p=$(pid_of small)
    expect_eq "$(awk '/^PPid:/ {print $2}' "/proc/$p/status")" "$w" "the container's parent"
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$w/status")
    ! dynamic || max=4096 # libc's and the libraries' pages: about 2 MiB
    sanitized "the watcher's RSS (ASan's shadow memory and runtime are MiBs)" ||
        ((rss < max)) || fail "watcher RSS is $rss kB, not under $((max / 1024)) MiB"
}

t_killed_watcher_is_reported_and_logs_end() {
    tdg_run -d --name lost /bin/sh -c 'echo before; sleep 30' >/dev/null
    start_bg "$TDG_ROOT/follow" "$TDG" logs -f lost
    wait_for grep -q before "$TDG_ROOT/follow"
    local p
    p=$(pid_of lost)
    kill -KILL "$(watcher_of lost)"
    wait_for gone "$p" # PDEATHSIG: the container goes with its watcher
    wait_bg "$BG_PID"
    expect_eq "$RC" 0 "exit status of logs -f after the watcher was killed"
    expect_eq "$(status_of lost)" exited "status"
}

t_logs_errors_are_125() {
    capture "$TDG" logs nosuch
    expect_error 125 "no such container: 'nosuch'"
    capture "$TDG" logs
    expect_error 125 "usage: tdg logs [-f] ID"
    capture "$TDG" logs --bogus x
    expect_error 125 "unknown flag '--bogus'"
}

t_twenty_concurrent_detached_runs() {
    local i out=$TDG_ROOT/ids
    for i in $(seq 1 20); do
        "${RUN[@]}" -d --name "c$i" /bin/sh -c "echo hello $i" >>"$out" 2>&1 &
    done
    wait
    expect_eq "$(grep -cE '^[0-9a-f]{12}$' "$out")" 20 "ids printed"
    expect_eq "$(sort -u "$out" | wc -l)" 20 "distinct ids"
    for i in $(seq 1 20); do wait_for exited "c$i"; done
    local f
    for f in "$TDG_ROOT"/containers/*/config.json; do
        jq -e '.status == "exited" and .exit_code == 0' "$f" >/dev/null || fail "$f: $(cat "$f")"
    done
    for i in $(seq 1 20); do expect_eq "$("$TDG" logs "c$i")" "hello $i" "logs c$i"; done
}

t_detach_reports_a_command_that_cannot_start() {
    # Like docker run -d: a typo is an error now, not an id and a surprise.
    capture timeout 20 "${RUN[@]}" -d --name typo /bin/no-such-command
    expect_error 127 "/bin/no-such-command: command not found"
    expect_eq "$OUT" "" "stdout (no id)"
    expect_eq "$("$TDG" inspect typo | jq -c '[.status, .exit_code]')" '["exited",127]' "the record"
    capture timeout 20 "${RUN[@]}" -d /etc/passwd
    expect_error 126 "/etc/passwd: Permission denied"
}

t_detach_with_bad_input_prints_no_id() {
    capture "$TDG" run -d --rootfs "$TDG_ROOT/nope" /bin/true
    expect_error 125 "rootfs"
    expect_eq "$OUT" "" "stdout"
}

run_tests "$@"
