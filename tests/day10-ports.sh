#!/usr/bin/env bash
# Day 10 — published ports (-p HOST:CTR[/tcp|/udp]). A container's port
# answers as the host's port: from the host (127.0.0.1 too) and from other
# containers (through the bridge's address); a port already taken is a
# clear 125; everything is released when the container ends. Traffic goes
# only to 127.0.0.1 and to the test bridge's own addresses.
source "$(dirname "$0")/lib.sh"

# A port for this test: a host port nobody uses, 18000-18999.
free_port() {
    local p
    for ((p = 18000 + RANDOM % 900; ; p++)); do
        ! ss -Htanu "sport = :$p" | grep -q . && { echo "$p"; return; }
    done
}
GW=${TDG_SUBNET%.0/*}.1 # the bridge's address, the containers' gateway

# web NAME PORT: a container serving "hello from NAME" on its port 80,
# published as PORT; returns once it answers on 127.0.0.1:PORT.
web() {
    tdg_run -d --name "$1" -p "$2:80" /bin/sh -c \
        "mkdir /www && echo 'hello from $1' >/www/index.html && exec httpd -f -p 80 -h /www" \
        >/dev/null
    _answers() { curl -fs -m 2 "http://127.0.0.1:$1/" >/dev/null; }
    wait_for _answers "$2"
}
rules_of() { iptables -w -t nat -S; iptables -w -S; } 2>/dev/null

t_a_published_port_answers_on_127_0_0_1() {
    local port
    port=$(free_port)
    web box "$port"
    expect_eq "$(curl -fs -m 2 "http://127.0.0.1:$port/")" "hello from box" "curl 127.0.0.1:$port"
}

t_a_published_port_answers_other_containers() {
    local port
    port=$(free_port)
    web box "$port"
    capture tdg_run /bin/sh -c "wget -q -O - http://$GW:$port/"
    expect_eq "$OUT" "hello from box" "wget $GW:$port from another container"
    # ... and the container itself, through the same address (hairpin).
    capture "$TDG" exec box /bin/sh -c "wget -q -O - http://$GW:$port/"
    expect_eq "$OUT" "hello from box" "wget $GW:$port from the container itself"
}

t_a_published_udp_port_answers() {
    local port helper=$TDG_ROOT/udpecho
    port=$(free_port)
    cc -static -O2 -o "$helper" "$(dirname "$0")/helpers/udpecho.c" || fail "cannot build udpecho"
    start_bg "$TDG_ROOT/out" "${RUN[@]}" -p "$port:53/udp" -v "$helper:/udpecho:ro" /udpecho 53
    local pid=$BG_PID
    wait_for grep -q listening "$TDG_ROOT/out"
    exec 3<>"/dev/udp/127.0.0.1/$port"
    printf 'ping' >&3
    local reply=""
    read -r -t 5 -N 9 reply <&3 || true
    exec 3>&-
    expect_eq "$reply" "echo:ping" "the UDP reply through 127.0.0.1:$port"
    wait_bg "$pid"
    expect_eq "$RC" 0 "udpecho's exit status"
}

t_ports_are_released_when_the_container_ends() {
    local port id
    port=$(free_port)
    web box "$port"
    id=$("$TDG" inspect box | jq -r .id)
    expect_eq "$("$TDG" inspect box | jq -c .ports)" "[\"$port:80/tcp\"]" "ports in the metadata"
    [[ -e /run/tdg/network/ports/tcp-$port ]] || fail "no registry entry for $port"
    rules_of | grep -q -- "tdg-$id" || fail "no rule tagged tdg-$id"
    "$TDG" stop box >/dev/null
    if rules_of | grep -q -- "tdg-$id"; then fail "rules left:" "$(rules_of | grep -- "tdg-$id")"; fi
    [[ ! -e /run/tdg/network/ports/tcp-$port ]] || fail "the registry entry is left"
    if curl -fs -m 1 "http://127.0.0.1:$port/" >/dev/null; then fail "the port still answers"; fi
    # Free again: the same port for the next container.
    web again "$port"
    expect_eq "$(curl -fs -m 2 "http://127.0.0.1:$port/")" "hello from again" "the port, reused"
}

# The rules of -p go to the kernel over netlink (common/nftrules.c), not
# through iptables-restore: with no iptables on PATH a published run still
# works once the host set-up exists, and what it made is what iptables
# itself would have made, rule for rule (iptables reads them back).
t_published_rules_are_made_without_iptables_and_read_by_it() {
    local port id want
    port=$(free_port)
    capture tdg_run /bin/true # the host set-up (td0, its subnet rules), by iptables
    expect_eq "$RC" 0 "a bridged run"
    start_bg "$TDG_ROOT/out" env PATH=/nonexistent "${RUN[@]}" --name np -p "$port:80" \
        /bin/sh -c 'echo up; exec sleep 600'
    wait_for grep -q up "$TDG_ROOT/out"
    id=$("$TDG" inspect np | jq -r .id)
    local ip
    ip=$("$TDG" inspect np | jq -r .ip_address)
    for chain in PREROUTING OUTPUT; do
        want="-A $chain -p tcp -m tcp --dport $port -m addrtype --dst-type LOCAL -m comment --comment tdg-$id -j DNAT --to-destination $ip:80"
        iptables -w -t nat -S "$chain" | grep -qxF -- "$want" ||
            fail "iptables does not show: $want" "$(iptables -w -t nat -S "$chain" | grep -- "tdg-$id")"
    done
    "$TDG" stop np >/dev/null
    wait_bg "$BG_PID"
    if rules_of | grep -q -- "tdg-$id"; then fail "rules left:" "$(rules_of | grep -- "tdg-$id")"; fi
}

# iptables treats them as its own: `iptables -D` deletes one by its text;
# the container's release then finds it gone and deletes the rest, quietly.
t_iptables_can_delete_a_rule_tdg_made() {
    local port id ip
    port=$(free_port)
    web box "$port"
    id=$("$TDG" inspect box | jq -r .id)
    ip=$("$TDG" inspect box | jq -r .ip_address)
    iptables -w -t nat -D OUTPUT -p tcp -m tcp --dport "$port" -m addrtype --dst-type LOCAL \
        -m comment --comment "tdg-$id" -j DNAT --to-destination "$ip:80" ||
        fail "iptables -D refused a rule tdg made"
    expect_eq "$(rules_of | grep -c -- "tdg-$id")" 1 "rules left after iptables -D (PREROUTING's)"
    capture "$TDG" stop box
    expect_eq "$RC" 0 "stop"
    if rules_of | grep -q -- "tdg-$id"; then fail "rules left:" "$(rules_of | grep -- "tdg-$id")"; fi
}

t_ports_are_released_when_tdg_is_killed() {
    local port id pid cpid
    port=$(free_port)
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --name fg -p "$port:80" /bin/sleep 600
    pid=$BG_PID
    cpid=$(container_pid "$pid" sleep)
    id=$("$TDG" inspect fg | jq -r .id)
    rules_of | grep -q -- "tdg-$id" || fail "no rule tagged tdg-$id"
    kill -KILL "$pid"
    wait_bg "$pid"
    wait_for gone "$cpid" # the kernel kills the container with tdg (PDEATHSIG)
    "$TDG" ps -a >/dev/null # the next tdg command releases what was left
    if rules_of | grep -q -- "tdg-$id"; then fail "rules left after SIGKILL of tdg"; fi
    [[ ! -e /run/tdg/network/ports/tcp-$port ]] || fail "the registry entry is left"
}

# An empty registry file, as a tdg killed between creating it and writing
# the id left before the registry wrote both at once (registry.h): it names
# nobody, so the port is free for the next run, which takes it and gives
# it back. It used to say "already published by container" for ever.
t_an_empty_registry_file_does_not_hold_the_port() {
    local port
    port=$(free_port)
    mkdir -p /run/tdg/network/ports
    : >"/run/tdg/network/ports/tcp-$port"
    capture tdg_run -p "$port:80" /bin/echo published
    expect_eq "$RC:$OUT" "0:published" "a run with -p $port:80" || fail "stderr: $ERR"
    [[ ! -e /run/tdg/network/ports/tcp-$port ]] || fail "the registry entry is left"
}

t_a_port_taken_is_125() {
    local port id
    port=$(free_port)
    web first "$port"
    id=$("$TDG" inspect first | jq -r .id)
    capture tdg_run --name second -p "$port:80" /bin/true
    expect_error 125 "-p $port/tcp: already published by container $id"
    capture "$TDG" inspect second
    expect_eq "$RC" 125 "a refused container leaves no record"
    # The first one is untouched by the refusal.
    expect_eq "$(curl -fs -m 2 "http://127.0.0.1:$port/")" "hello from first" "the first container"
    # A port a host program listens on is refused too (DNAT would steal it).
    local other
    other=$(free_port)
    start_bg "$TDG_ROOT/nc" "$ROOTFS/bin/busybox" nc -l -p "$other"
    _listening() { ss -Htln "sport = :$other" | grep -q .; }
    wait_for _listening
    capture tdg_run -p "$other:80" /bin/true
    expect_error 125 "-p $other/tcp: the port is in use on the host"
    other=$(free_port)
    capture tdg_run -p "$other:80" -p "$other:81" /bin/true
    expect_error 125 "given twice"
}

t_malformed_port_specs_are_125() {
    local spec
    for spec in 80 :80 8080: 0:80 70000:80 a:80 8080:80/sctp 8080:80/; do
        capture tdg_run -p "$spec" /bin/true
        expect_error 125 "-p '$spec'" || return 1
    done
    capture tdg_run -p 8080:80 --net none /bin/true
    expect_error 125 "-p needs --net bridge"
    capture tdg_run -p
    expect_error 125 "flag -p needs a value"
}

run_tests "$@"
