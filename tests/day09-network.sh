#!/usr/bin/env bash
# Days 09 and 10 — the host set-up: the bridge, its address and the subnet's
# rules are made by the first bridged container and then stay (as Docker's
# docker0 does), until `tdg network rm` removes exactly them, which it
# refuses while a container uses them. Every test here has a private bridge
# and subnet (TDG_BRIDGE, TDG_SUBNET), so removing it never disturbs td0,
# which other users of this machine may be using.
source "$(dirname "$0")/lib.sh"

export TDG_BRIDGE=tdnet1 TDG_SUBNET=10.81.0.0/24
NOTES=/run/tdg/network/bridges
rules_of() { iptables-save | grep -e " $1 " | grep -c -- "--comment tdg " || true; }
index_of() { cat "/sys/class/net/$1/ifindex"; }
# Whatever a test leaves of its bridges goes (this file's own, never td0).
# network rm refuses while a veth is on the bridge, and a container's veth
# goes with its network namespace, which the kernel frees a little after
# the container ends (longer on a loaded host): try for up to 10 s.
rm_bridge() {
    local i
    for ((i = 0; i < 100; i++)); do
        TDG_BRIDGE=$1 "$TDG" network rm >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "note: $1's set-up is still there: $(TDG_BRIDGE=$1 "$TDG" network rm 2>&1)"
}
# After each test (tests/lib.sh's _cleanup calls it): the ladder and lab
# mode both run every test in a process of its own.
test_teardown() { local b; for b in tdnet1 tdnet2; do rm_bridge "$b"; done; }

t_setup_survives_between_containers() {
    "$TDG" network rm >/dev/null
    capture tdg_run /bin/true
    expect_eq "$RC" 0 "first run" || fail "stderr: $ERR"
    expect_contains "$(ip -o -4 addr show tdnet1)" "inet 10.81.0.1/24" "the bridge, after the container"
    expect_eq "$(rules_of tdnet1)" 6 "subnet rules tagged tdg"
    expect_eq "$(cat /proc/sys/net/ipv4/conf/tdnet1/route_localnet)" 1 "route_localnet"
    local index
    index=$(index_of tdnet1)
    expect_eq "$(cat "$NOTES/tdnet1/10.81.0.0-24")" "$index" "the note: the bridge's ifindex"
    # The next container finds it made: the same bridge, no rule twice.
    capture tdg_run /bin/sh -c 'ip route'
    expect_eq "$RC" 0 "second run" || fail "stderr: $ERR"
    expect_contains "$OUT" "default via 10.81.0.1" "the second container's route"
    expect_eq "$(index_of tdnet1)" "$index" "the bridge's ifindex (the same bridge)"
    expect_eq "$(rules_of tdnet1)" 6 "subnet rules after two runs"
}

# Someone deletes the bridge (an older tdg did when its last container
# ended): the note names another ifindex, so the next run makes it again.
t_setup_made_again_when_the_bridge_went() {
    tdg_run /bin/true
    ip link del tdnet1
    capture tdg_run /bin/true
    expect_eq "$RC" 0 "a run after the bridge went" || fail "stderr: $ERR"
    expect_eq "$(cat "$NOTES/tdnet1/10.81.0.0-24")" "$(index_of tdnet1)" "the note, renewed"
    expect_eq "$(rules_of tdnet1)" 6 "subnet rules, not doubled"
}

# Ten tdg making the set-up at once: they take turns under the lease lock;
# each finds it whole, and nothing is made twice.
t_racing_creators_are_safe() {
    "$TDG" network rm >/dev/null
    local i pids=() bad=0
    for i in $(seq 1 10); do
        "${RUN[@]}" /bin/sh -c 'ip route | grep -q "default via 10.81.0.1"' >"$TDG_ROOT/r$i" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
    expect_eq "$bad" 0 "runs that failed" || fail "$(cat "$TDG_ROOT"/r*)"
    expect_eq "$(ip -o link show type bridge | grep -c ': tdnet1:')" 1 "bridges named tdnet1"
    expect_eq "$(ip -o -4 addr show tdnet1 | wc -l)" 1 "addresses on it"
    expect_eq "$(rules_of tdnet1)" 6 "subnet rules tagged tdg"
}

t_network_rm_removes_exactly_it() {
    tdg_run /bin/true
    TDG_BRIDGE=tdnet2 TDG_SUBNET=10.82.0.0/24 tdg_run /bin/true
    local other td0_rules
    other=$(iptables-save | grep -- " tdnet2 " | sort)
    td0_rules=$(iptables-save | grep -- " td0 " | sort)
    capture "$TDG" network rm
    expect_eq "$RC" 0 "network rm" || fail "stderr: $ERR"
    expect_eq "$OUT" "tdnet1 and 6 iptables rules tagged tdg" "what it says it removed"
    ip link show tdnet1 >/dev/null 2>&1 && fail "the bridge is still there"
    expect_eq "$(rules_of tdnet1)" 0 "its rules"
    [[ ! -e "$NOTES/tdnet1" ]] || fail "its notes are left"
    # Exactly it: another bridge's set-up, and td0's rules, as they were.
    expect_eq "$(iptables-save | grep -- " tdnet2 " | sort)" "$other" "the other bridge's rules"
    expect_eq "$(ip -o link show tdnet2 | grep -c tdnet2)" 1 "the other bridge"
    expect_eq "$(iptables-save | grep -- " td0 " | sort)" "$td0_rules" "td0's rules"
    # Nothing left to remove is not an error.
    capture "$TDG" network rm
    expect_eq "$RC" 0 "network rm again"
    expect_eq "$OUT" "no host set-up of tdg to remove" "network rm with nothing made"
    # And the next container makes it again.
    capture tdg_run /bin/true
    expect_eq "$RC" 0 "a run after network rm" || fail "stderr: $ERR"
    expect_eq "$(rules_of tdnet1)" 6 "rules made again"
}

t_network_rm_refuses_while_a_container_uses_it() {
    tdg_run -d --name user /bin/sleep 30 >/dev/null
    capture "$TDG" network rm
    expect_error 125 "network rm: tdnet1 is in use by 1 container(s); stop them first"
    expect_eq "$(rules_of tdnet1)" 6 "its rules, kept"
    "$TDG" inspect user | jq -e '.status == "running"' >/dev/null || fail "the container stopped"
    "$TDG" rm -f user >/dev/null
    capture "$TDG" network rm
    expect_eq "$RC" 0 "network rm once it is gone" || fail "stderr: $ERR"
}

t_network_usage() {
    capture "$TDG" network
    expect_error 125 "network: usage: tdg network rm"
    capture "$TDG" network rm --help
    expect_eq "$RC" 0 "network rm --help"
    expect_contains "$OUT" "Usage: tdg network rm"
    TDG_BRIDGE='x;y' capture "$TDG" network rm
    expect_error 125 "TDG_BRIDGE 'x;y': not a bridge name"
}

run_tests "$@"
