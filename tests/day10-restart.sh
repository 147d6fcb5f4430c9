#!/usr/bin/env bash
# Day 10 — run --restart: the watcher starts a command that ended again, as
# its policy says, with Docker's back-off (100 ms, doubling); each start in
# fresh namespaces with the same cgroup, address, ports and layer; `stop`
# ends the supervision for good. Traffic goes only to 127.0.0.1 and to the
# test bridge's own addresses.
source "$(dirname "$0")/lib.sh"

field() { "$TDG" inspect "$1" | jq -r ".$2"; } # field ID KEY

# restarted ID N: ID runs again after at least N restarts.
restarted() {
    local c
    c=$("$TDG" inspect "$1") || return 1
    [[ $(jq -r .status <<<"$c") == running && $(jq -r .restarting <<<"$c") == false &&
        $(jq -r .pid <<<"$c") -gt 0 && $(jq -r .restart_count <<<"$c") -ge $2 ]]
}

t_restart_refuses_bad_values_with_one_line() {
    local bad
    for bad in bogus "" on-failure:0 on-failure:x on-failure:-1 on-failure: always:3 no:1 Always; do
        capture tdg_run --restart "$bad" true
        expect_error 125 "run: --restart '$bad'"
    done
    capture tdg_run --restart always -i true
    expect_error 125 "--restart and -i"
    capture "$TDG" run --help
    expect_contains "$OUT" "--restart POLICY" "run --help"
}

t_on_failure_2_runs_a_command_that_fails_three_times() {
    capture tdg_run --net none --restart on-failure:2 /bin/sh -c 'echo run; exit 1'
    expect_eq "$RC" 1 "exit status (the last run's)"
    expect_eq "$(grep -c '^run$' <<<"$OUT")" 3 "runs of the command"
    local id
    id=$(ls "$TDG_ROOT/containers")
    expect_eq "$(field "$id" restart_count)" 2 "restart_count"
    expect_eq "$(field "$id" restart_policy)" on-failure:2 "restart_policy"
    expect_eq "$(field "$id" status)/$(field "$id" exit_code)" exited/1 "status/exit_code"
    # A success is no failure: one run.
    capture tdg_run --net none --restart on-failure /bin/sh -c 'echo ok'
    expect_eq "$RC/$OUT" 0/ok "on-failure, exit 0"
}

t_always_survives_a_kill_of_its_process_and_ends_with_stop() {
    local id pid watcher
    id=$(tdg_run -d --net none --restart always /bin/sh -c 'echo started; exec sleep 1000')
    wait_for restarted "$id" 0
    pid=$(field "$id" pid) watcher=$(field "$id" watcher_pid)
    kill -KILL "$pid"
    wait_for restarted "$id" 1
    expect_ne "$(field "$id" pid)" "$pid" "pid after the restart"
    expect_eq "$(field "$id" watcher_pid)" "$watcher" "watcher (the same one supervises)"
    expect_eq "$(grep -c '^started$' "$TDG_ROOT/containers/$id/container.log")" 2 "starts in the log"
    expect_contains "$("$TDG" ps)" "running (1 restart)" "ps"
    capture timeout 20 "$TDG" stop -t 1 "$id"
    expect_eq "$RC" 0 "stop"
    expect_eq "$(field "$id" status)" exited "status after stop"
    wait_for gone "$watcher"
    sleep 0.3 # a restart would come 100 ms after the end
    expect_eq "$(field "$id" status)/$(field "$id" restart_count)" exited/1 "status/restart_count"
    expect_eq "$(field "$id" stop_requested)" true "stop_requested"
}

t_stop_during_the_back_off_ends_the_supervision() {
    local id watcher
    id=$(tdg_run -d --net none --restart always /bin/sh -c 'exit 4')
    # From the third restart on the back-off is 800 ms and more: ps sees
    # it, and the stop most likely falls in it (if it meets a start
    # instead, that run is killed: 137).
    _shows() { [[ $(field "$id" restart_count) -ge 3 ]] && "$TDG" ps | grep -q "restarting (4) "; }
    wait_for _shows
    expect_eq "$("$TDG" ps -q --filter status=restarting)" "$id" "ps --filter status=restarting"
    watcher=$(field "$id" watcher_pid)
    capture timeout 20 "$TDG" stop "$id"
    expect_eq "$RC" 0 "stop"
    wait_for gone "$watcher"
    local count
    count=$(field "$id" restart_count)
    [[ "$(field "$id" status)/$(field "$id" exit_code)" =~ ^exited/(4|137)$ ]] ||
        fail "status/exit_code: $(field "$id" status)/$(field "$id" exit_code), not exited/4 (or 137)"
    expect_eq "$(field "$id" pid)" 0 "pid"
    sleep 1
    expect_eq "$(field "$id" restart_count)" "$count" "restart_count a second after the stop"
}

# The back-off, measured: the time between starts grows (100, 200, 400,
# 800 ms plus the start itself). Loose on purpose, as a loaded host makes
# a start slow: each gap at least its back-off (less 10%: /proc/uptime
# counts hundredths), which a constant or missing back-off cannot give,
# and the last gap longer than the first.
t_the_back_off_between_starts_grows() {
    capture tdg_run --net none --restart on-failure:4 /bin/sh -c 'cut -d" " -f1 /proc/uptime; exit 1'
    expect_eq "$RC" 1 "exit status"
    local -a t
    mapfile -t t <<<"$OUT"
    expect_eq "${#t[@]}" 5 "starts"
    local gaps
    gaps=$(awk 'NR > 1 {printf "%d ", ($1 - prev) * 1000} {prev = $1}' <<<"$OUT")
    echo "note: gaps between starts (ms): $gaps"
    read -r g1 g2 g3 g4 <<<"$gaps"
    ((g1 >= 90 && g2 >= 180 && g3 >= 360 && g4 >= 720 && g4 > g1)) ||
        fail "the gaps should grow (100, 200, 400, 800 ms + the start): $gaps"
}

t_a_command_that_cannot_start_is_not_started_again() {
    capture tdg_run --net none --restart always /no/such/command
    expect_eq "$RC" 127 "foreground"
    capture tdg_run -d --net none --restart always /no/such/command
    expect_eq "$RC" 127 "run -d"
    local id
    for id in $(ls "$TDG_ROOT/containers"); do
        wait_for _exited "$id"
        expect_eq "$(field "$id" restart_count)" 0 "restart_count of $id"
    done
}
_exited() { [[ $(field "$1" status) == exited ]]; }

t_a_signal_to_a_foreground_run_ends_the_supervision() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --net none --restart always /bin/sh -c \
        'trap "echo got TERM; exit 5" TERM; echo up; while :; do sleep 0.1; done'
    local pid=$BG_PID
    wait_for grep -q up "$TDG_ROOT/out"
    kill -TERM "$pid"
    wait_bg "$pid"
    expect_eq "$RC" 5 "tdg's status (the command's)"
    expect_eq "$(grep -c '^up$' "$TDG_ROOT/out")" 1 "starts"
}

# Bridged: the restarted container has the same address, and its
# published port answers again (the rules name that address).
t_a_restarting_bridged_container_keeps_its_address_and_ports() {
    local port id ip pid
    for ((port = 18000 + RANDOM % 900; ; port++)); do
        ! ss -Htanu "sport = :$port" | grep -q . && break
    done
    id=$(tdg_run -d --restart always -p "$port:80" /bin/sh -c \
        'mkdir -p /www; echo "start at $(cut -d" " -f1 /proc/uptime)" >/www/index.html; exec httpd -f -p 80 -h /www')
    _answers() { curl -fs -m 2 "http://127.0.0.1:$port/"; }
    wait_for _answers >/dev/null
    local first
    first=$(_answers)
    ip=$(field "$id" ip_address) pid=$(field "$id" pid)
    kill -KILL "$pid"
    wait_for restarted "$id" 1
    # At once, not once the host's ARP entry for the address (the old
    # eth0's MAC) has gone stale, half a minute later: 15 s is plenty.
    local a="" until=$((SECONDS + 15))
    while ((SECONDS < until)); do
        a=$(curl -fs -m 1 "http://127.0.0.1:$port/") && [[ "$a" != "$first" ]] && break
        sleep 0.1
    done
    [[ -n "$a" && "$a" != "$first" ]] ||
        fail "the restarted container did not answer on 127.0.0.1:$port within 15 s"
    expect_eq "$(field "$id" ip_address)" "$ip" "address after the restart"
    capture "$TDG" exec "$id" /bin/sh -c "ip -4 -o addr show eth0 | awk '{print \$4}'"
    expect_eq "${OUT%/*}" "$ip" "eth0 inside after the restart"
    ip link show "td$id" >/dev/null || fail "no veth td$id after the restart"
    capture timeout 30 "$TDG" stop -t 1 "$id"
    expect_eq "$RC" 0 "stop"
    ! ip link show "td$id" >/dev/null 2>&1 || fail "veth td$id left after stop"
    ! iptables -w -t nat -S 2>/dev/null | grep -q "tdg-$id" || fail "port rules left after stop"
}

run_tests "$@"
