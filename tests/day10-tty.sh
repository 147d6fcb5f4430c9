#!/usr/bin/env bash
# Day 10 — terminals: `run -t`/`-it` and `exec -it` give the command a pty
# of the container's own. Driven through a real terminal: each test runs
# tdg inside its own tmux server (a private socket), types with send-keys
# and reads the screen with capture-pane, as a student at a keyboard would.
source "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { echo "tmux is needed: apt-get install tmux" >&2; exit 1; }

SOCK=tdg-test-$$
tm() { tmux -L "$SOCK" "$@"; }

# tm_start CMD: run CMD in an 80x24 terminal; when it ends, the pane shows
# "exited N" and the terminal's settings are saved in $TDG_ROOT/stty.
tm_start() {
    tm new-session -d -x 80 -y 24 \
        "$1; echo \"exited \$?\"; stty -a >'$TDG_ROOT/stty'; sleep 600"
    BG_PIDS+=("$(tm display-message -p '#{pid}')") # the server: killed at the end
}
screen() { tm capture-pane -p -J -S -200; }
shows() { screen | grep -qF -- "$1"; }
# type TEXT: the keys, then Enter (tmux key names such as C-z go alone).
type_line() { tm send-keys -l -- "$1"; tm send-keys Enter; }
wait_screen() { wait_for shows "$1" || fail "screen:" "$(screen)"; }

t_run_it_gives_a_shell_with_job_control() {
    tm_start "$TDG run -it --net none --rootfs $ROOTFS /bin/sh"
    wait_screen '/ #'
    type_line 'tty'
    wait_screen '/dev/pts/0'
    type_line 'sleep 100 &'
    type_line 'jobs'
    wait_screen 'Running                    sleep 100'
    type_line 'sleep 50'
    sleep 0.3
    tm send-keys C-z # the container's line discipline turns it into SIGTSTP
    wait_screen 'Stopped                    sleep 50'
    type_line 'fg %1'
    sleep 0.3
    tm send-keys C-c # and this into SIGINT for the foreground job only
    type_line 'kill -9 %2; sleep 0.5; echo still here $((40 + 2))'
    wait_screen 'still here 42'
    type_line 'exit 3'
    wait_screen 'exited 3'
    if shows "job control turned off" || shows "can't access tty"; then
        fail "the shell has no job control:" "$(screen)"
    fi
}

t_run_it_restores_the_terminal() {
    tm_start "stty -a >'$TDG_ROOT/before'; $TDG run -it --net none --rootfs $ROOTFS /bin/sh"
    wait_screen '/ #'
    type_line 'exit'
    wait_screen 'exited 0'
    wait_for test -s "$TDG_ROOT/stty"
    expect_eq "$(cat "$TDG_ROOT/stty")" "$(cat "$TDG_ROOT/before")" "stty -a after tdg"
    # ... and a die() after raw mode: the container's command is missing.
    tm kill-server
    SOCK=$SOCK-2 # a new server: the old one may still be on its way out
    rm -f "$TDG_ROOT/stty"
    tm_start "$TDG run -it --net none --rootfs $ROOTFS /no/such/command"
    wait_screen 'exited 127'
    wait_for test -s "$TDG_ROOT/stty"
    expect_eq "$(cat "$TDG_ROOT/stty")" "$(cat "$TDG_ROOT/before")" "stty -a after exit 127"
}

t_window_size_follows_the_terminal() {
    tm_start "$TDG run -it --net none --rootfs $ROOTFS /bin/sh"
    wait_screen '/ #'
    type_line 'stty size'
    wait_screen '24 80'
    tm resize-window -x 100 -y 30
    sleep 0.3
    type_line 'stty size'
    wait_screen '30 100'
    type_line 'exit'
    wait_screen 'exited 0'
}

t_exec_it_enters_with_a_terminal() {
    tdg_run -d --net none --name box --hostname boxhost /bin/sleep 600 >/dev/null
    tm_start "$TDG exec -it box /bin/sh"
    wait_screen '/ #'
    type_line 'echo "[$(hostname)] [$(tty)] [$(cat /proc/1/comm)]"'
    wait_screen '[boxhost] [/dev/pts/0] [sleep]'
    type_line 'sleep 100 &'
    type_line 'jobs'
    wait_screen 'Running                    sleep 100'
    type_line 'kill %1; exit 5'
    wait_screen 'exited 5'
    "$TDG" rm -f box >/dev/null
}

t_closing_the_terminal_ends_the_container() {
    tm_start "$TDG run -it --net none --name hung --rootfs $ROOTFS /bin/sh"
    wait_screen '/ #'
    tm kill-server # the terminal goes away: a hangup, as when a window closes
    _exited() { [[ "$("$TDG" inspect hung | jq -r .status)" == exited ]]; }
    wait_for _exited
}

t_tty_without_a_terminal_logs_its_output() {
    # -t alone needs no terminal of ours: the output still lands in the log.
    capture tdg_run -t --name logged /bin/sh -c 'tty; echo hello'
    expect_eq "$RC" 0 "exit status"
    expect_contains "$OUT" "/dev/pts/0" "tty in the container"
    expect_contains "$("$TDG" logs logged)" "hello" "tdg logs"
    local id
    id=$(tdg_run -d -t --net none /bin/sh -c 'tty; exit 4')
    _done() { [[ "$("$TDG" inspect "$id" | jq -r .status)" == exited ]]; }
    wait_for _done
    expect_eq "$("$TDG" inspect "$id" | jq -r .exit_code)" 4 "exit code of run -dt"
    expect_contains "$("$TDG" logs "$id")" "/dev/pts/0" "logs of run -dt"
}

t_tty_flag_errors_are_125() {
    capture tdg_run -it --net none /bin/true
    expect_error 125 "the input device is not a TTY"
    capture tdg_run -di --net none /bin/true
    expect_error 125 "-i and -d together"
    capture "$TDG" exec -it nosuch /bin/sh
    expect_error 125 "the input device is not a TTY"
    capture "$TDG" exec -x nosuch /bin/sh
    expect_error 125 "unknown flag '-x'"
}

run_tests "$@"
