#!/usr/bin/env bash
# Day 02 — namespaces: the command gets its own hostname (UTS), is PID 1 of
# its own process tree (PID) with its own /proc, and its mounts (mount) stay
# out of the host's table. Observed from inside and from the host.
source "$(dirname "$0")/lib.sh"

t_hostname_is_the_containers() {
    local before
    before=$(hostname)
    capture tdg_run --hostname box1 /bin/hostname
    expect_eq "$RC" 0 "exit status"
    expect_eq "$OUT" box1 "hostname inside"
    expect_eq "$(hostname)" "$before" "the host's hostname afterwards"
}

t_default_hostname_is_not_the_hosts() {
    capture tdg_run /bin/hostname
    expect_eq "$RC" 0 "exit status"
    expect_ne "$OUT" "$(hostname)" "hostname inside"
    [[ -n "$OUT" ]] || fail "empty hostname inside"
}

t_command_is_pid_1() {
    capture tdg_run /bin/sh -c 'echo $$'
    expect_eq "$OUT" 1 'echo $$ inside'
}

t_proc_shows_only_the_container() {
    # /proc/1 is the shell itself; the host's hundreds of processes are absent.
    capture tdg_run /bin/sh -c 'echo /proc/[0-9]*'
    expect_eq "$OUT" "/proc/1" "process folders in the container's /proc"
}

t_host_sees_the_container_under_another_pid() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    ((c != 1)) || fail "host pid should not be 1"
    # NSpid: the pid in each namespace, outermost first: "<host pid> 1".
    expect_eq "$(awk '/^NSpid:/ {print $2, $3}' "/proc/$c/status")" "$c 1" "NSpid of the container"
}

t_namespaces_differ_from_the_hosts() {
    local ns inside host
    for ns in uts pid mnt ipc; do
        host=$(readlink "/proc/self/ns/$ns")
        capture tdg_run /bin/readlink "/proc/self/ns/$ns"
        expect_eq "$RC" 0 "readlink $ns"
        expect_contains "$OUT" "$ns:[" "$ns namespace inside"
        expect_ne "$OUT" "$host" "$ns namespace inside (host: $host)"
    done
}

t_container_mounts_stay_off_the_host() {
    # The container mounts its own /proc (and more on later days); while it
    # runs, the host's mount table must be exactly what it was.
    local before
    before=$(cut -d' ' -f5 /proc/self/mountinfo | sort)
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sleep 30
    container_pid "$BG_PID" sleep >/dev/null
    expect_eq "$(cut -d' ' -f5 /proc/self/mountinfo | sort)" "$before" "host mount points while it runs"
}

t_pid_1_ignores_a_lone_sigterm() {
    # The kernel drops signals sent to a namespace's PID 1 unless it has a
    # handler for them: sleep has none, so one forwarded SIGTERM does nothing.
    start_bg "$TDG_ROOT/out" "${RUN[@]}" /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    kill -TERM "$BG_PID"
    sleep 1
    alive "$c" || fail "sleep as PID 1 died from one SIGTERM"
    # Apart: two identical signals pending at once merge into one.
    kill -TERM "$BG_PID"; sleep 0.2
    kill -TERM "$BG_PID" # the third one: SIGKILL
    wait_bg "$BG_PID"
    expect_eq "$RC" 137 "exit status after three SIGTERMs"
}

t_invalid_hostname_is_125() {
    local h
    for h in 'a b' '-x' 'x-' "$(printf 'a%.0s' {1..65})" ''; do
        capture tdg_run --hostname "$h" /bin/true
        expect_error 125 "not a valid hostname"
    done
    capture tdg_run --hostname
    expect_error 125 "needs a value"
}

run_tests "$@"
