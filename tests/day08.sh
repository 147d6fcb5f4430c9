#!/usr/bin/env bash
# Day 08 — network namespace: --net none (alias isolated) gives the
# container only a loopback interface, brought up; --net host shares the
# host's network. Observed with `ip` and /proc from both sides.
source "$(dirname "$0")/lib.sh"

netns_of() { readlink "/proc/$1/ns/net"; }

t_none_has_only_loopback_and_it_is_up() {
    capture tdg_run --net none ip -o link
    expect_eq "$RC" 0 "exit status of ip link"
    expect_eq "$(wc -l <<<"$OUT")" 1 "interfaces inside"
    expect_contains "$OUT" "1: lo: <LOOPBACK,UP,LOWER_UP>" "ip link"
    capture tdg_run --net none ip -o addr
    expect_contains "$OUT" "inet 127.0.0.1/8" "ip addr"
    capture tdg_run --net none ping -c 1 -W 2 127.0.0.1
    expect_eq "$RC" 0 "ping 127.0.0.1 inside"
}

t_none_has_no_route_out() {
    capture tdg_run --net none ip route
    expect_eq "$OUT" "" "ip route inside"
}

t_isolated_is_an_alias_of_none() {
    capture tdg_run --net isolated /bin/cat /proc/net/dev
    expect_eq "$(tail -n +3 <<<"$OUT" | awk -F: '{gsub(/ /, "", $1); print $1}')" lo "interfaces in /proc/net/dev"
}

t_none_is_a_namespace_of_its_own() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --net none /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    expect_ne "$(netns_of "$c")" "$(netns_of $$)" "network namespace of the container"
    # From the host: the container's namespace has one link, the host more.
    expect_eq "$(nsenter -t "$c" -n ip -o link | wc -l)" 1 "links seen through nsenter"
    (($(ip -o link | wc -l) >= 1)) || fail "the host lost its links?"
}

t_host_shares_the_hosts_network() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --net host /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    expect_eq "$(netns_of "$c")" "$(netns_of $$)" "network namespace with --net host"
    capture tdg_run --net host /bin/cat /proc/net/dev
    expect_eq "$(wc -l <<<"$OUT")" "$(wc -l </proc/net/dev)" "interfaces with --net host"
}

t_network_mode_is_recorded() {
    tdg_run --name n1 --net none /bin/true
    tdg_run --name n2 /bin/true
    expect_eq "$("$TDG" inspect n1 | jq -r .network)" none "network of --net none"
    expect_eq "$("$TDG" inspect n2 | jq -r .network)" "$( ((DAY >= 9)) && echo bridge || echo host)" "default network"
}

t_bad_net_mode_is_125() {
    capture tdg_run --net bogus /bin/true
    expect_error 125 "--net 'bogus': not a network mode"
    capture tdg_run --net
    expect_error 125 "needs a value"
    if ((DAY < 9)); then
        capture tdg_run --net bridge /bin/true
        expect_error 125 "--net bridge: arrives on day 09"
    fi
}

run_tests "$@"
