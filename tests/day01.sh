#!/usr/bin/env bash
# Day 01 — the command line: `tdg run` runs a command, waits, and exits with
# its status; tdg's own failures are one line and 125; signals sent to tdg
# reach the command. Every later day's binary must pass these too.
source "$(dirname "$0")/lib.sh"

t_exit_status_is_the_commands() {
    capture tdg_run /bin/sh -c 'exit 3'
    expect_eq "$RC" 3 "exit status of 'exit 3'"
    capture tdg_run /bin/true
    expect_eq "$RC" 0 "exit status of true"
    capture tdg_run /bin/false
    expect_eq "$RC" 1 "exit status of false"
}

t_output_reaches_stdout_and_stderr() {
    capture tdg_run /bin/sh -c 'echo to-out; echo to-err >&2'
    expect_eq "$OUT" "to-out" stdout
    expect_eq "$ERR" "to-err" stderr
}

t_arguments_after_cmd_are_untouched() {
    capture tdg_run /bin/echo --hostname x -d --help
    expect_eq "$OUT" "--hostname x -d --help" "echo's output"
}

t_command_not_found_is_127() {
    capture tdg_run /no/such/command
    expect_error 127 "/no/such/command: command not found"
    capture tdg_run no-such-command-on-path
    expect_error 127 "command not found"
}

t_command_not_executable_is_126() {
    capture tdg_run /etc/passwd # there on the host and in the rootfs, not executable
    expect_error 126 "/etc/passwd: Permission denied"
}

t_killed_by_signal_is_128_plus_n() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    kill -KILL "$c"
    wait_bg "$BG_PID"
    expect_eq "$RC" 137 "exit status after SIGKILL (128+9)"
}

t_sigterm_to_tdg_reaches_the_command() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sh -c \
        'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 1; done'
    wait_for grep -q ready "$TDG_ROOT/out"
    kill -TERM "$BG_PID"
    wait_bg "$BG_PID"
    expect_eq "$RC" 7 "exit status chosen by the command's TERM trap"
    expect_contains "$(cat "$TDG_ROOT/out")" "got TERM"
}

t_sigint_to_tdg_reaches_the_command() {
    # bash starts background jobs with SIGINT ignored; give tdg the default.
    start_bg "$TDG_ROOT/out" env --default-signal=INT "${RUN[@]}" /bin/sh -c \
        'trap "echo got INT; exit 9" INT; echo ready; while :; do sleep 1; done'
    wait_for grep -q ready "$TDG_ROOT/out"
    kill -INT "$BG_PID"
    wait_bg "$BG_PID"
    expect_eq "$RC" 9 "exit status chosen by the command's INT trap"
}

t_third_interrupt_kills_a_deaf_command() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 1; done'
    wait_for grep -q ready "$TDG_ROOT/out"
    kill -TERM "$BG_PID"; sleep 0.2
    kill -TERM "$BG_PID"; sleep 0.2
    alive "$BG_PID" || fail "tdg ended after two ignored SIGTERMs"
    kill -TERM "$BG_PID"
    wait_bg "$BG_PID"
    expect_eq "$RC" 137 "exit status after the third SIGTERM"
    expect_contains "$(cat "$TDG_ROOT/out")" "tdg: got 3 interrupts"
}

t_killing_tdg_kills_the_command() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    kill -KILL "$BG_PID"
    wait_for gone "$c"
}

t_no_host_fd_crosses_into_the_command() {
    # tdg's caller has fd 9 open on a host file; the command must get only
    # 0, 1 and 2 (ls's own listing opens one more: 3).
    exec 9</etc/hostname
    capture tdg_run /bin/ls /proc/self/fd
    exec 9<&-
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds open in the command"
}

t_help_is_printed_and_exits_0() {
    capture "$TDG" --help
    expect_eq "$RC" 0 "exit status of --help"
    expect_contains "$OUT" "Usage: tdg COMMAND"
    capture "$TDG" run --help
    expect_eq "$RC" 0 "exit status of run --help"
    expect_contains "$OUT" "Usage: tdg run"
}

t_no_arguments_is_125() {
    capture "$TDG"
    expect_eq "$RC" 125 "exit status"
    expect_contains "$ERR" "Usage: tdg COMMAND" "stderr"
}

# No CMD: /bin/sh, reading its commands from stdin when that is not a
# terminal: the host's shell on days 01-02, the rootfs's from day 03.
t_run_without_command_runs_sh_on_stdin() {
    local want=/etc/os-release net=()
    ((DAY < 3)) || want=$ROOTFS/etc/os-release
    ((DAY < 8)) || net=(--net none)
    RC=0
    OUT=$(echo 'echo "$0"; head -1 /etc/os-release; exit 3' | tdg_run "${net[@]}" 2>&1) || RC=$?
    # On failure, what tdg printed (its one line names a lab hole).
    expect_eq "$RC" 3 "exit status of the shell's 'exit 3'" || fail "it printed: $OUT"
    expect_eq "$OUT" "/bin/sh"$'\n'"$(head -1 "$want")" "what the shell said"
}

t_unknown_flag_is_125() {
    capture tdg_run --no-such-flag /bin/true
    expect_error 125 "run: unknown flag '--no-such-flag'"
    capture tdg_run -Z /bin/true
    expect_error 125 "run: unknown flag '-Z'"
}

t_unknown_command_is_125() {
    capture "$TDG" frobnicate
    expect_error 125 "'frobnicate' is not a tdg command"
}

t_later_commands_name_their_day() {
    local pair cmd day n=0
    for pair in ps:04 inspect:04 logs:05 stop:06 rm:06 exec:10 doctor:10 import:10 setup:10 \
        prune:10 pull:10 images:10 rmi:10 network:09 create:10 start:10 state:10 kill:10 \
        delete:10 features:10 stats:10 top:10; do
        cmd=${pair%:*} day=${pair#*:}
        ((10#$day > DAY)) || continue
        capture "$TDG" "$cmd"
        expect_error 125 "$cmd: arrives on day $day"
        n=$((n + 1))
    done
    ((DAY == 10 || n > 0)) || fail "no later command was checked"
}

# A flag a later day brings to a command this day has: the same line.
t_later_flags_name_their_day() {
    ((DAY < 10)) || { echo "note: day 10 has every flag"; return 0; }
    capture tdg_run --rm /bin/true
    expect_error 125 "run: --rm: arrives on day 10"
    capture tdg_run -u nobody /bin/true
    expect_error 125 "run: -u: arrives on day 10"
    capture tdg_run --env-file=/dev/null /bin/true
    expect_error 125 "run: --env-file: arrives on day 10"
    capture tdg_run --restart always /bin/true
    expect_error 125 "run: --restart: arrives on day 10"
    capture tdg_run --restart=always /bin/true
    expect_error 125 "run: --restart: arrives on day 10"
    if ((DAY >= 4)); then
        capture "$TDG" ps -q
        expect_error 125 "ps: -q: arrives on day 10"
        capture "$TDG" ps --filter status=exited
        expect_error 125 "ps: --filter: arrives on day 10"
    fi
    if ((DAY >= 5)); then
        capture "$TDG" logs --tail 3 x
        expect_error 125 "logs: --tail: arrives on day 10"
        capture "$TDG" logs -t x
        expect_error 125 "logs: -t: arrives on day 10"
    fi
}

run_tests "$@"
