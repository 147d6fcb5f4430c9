#!/usr/bin/env bash
# Day 09 — bridge, veth, NAT: a bridged container has eth0 with an address
# from the test subnet (TDG_SUBNET), a default route via the bridge td0,
# reaches the bridge, the host and other containers, gets out through NAT
# (proved against an "outside" namespace this test makes), and leaves no
# veth, lease or rule of its own behind: the bridge and the subnet's rules
# stay as host set-up (tests/day09-network.sh proves those). Traffic only
# goes to what tests made.
source "$(dirname "$0")/lib.sh"

GW=10.77.0.1
ip_of() { "$TDG" inspect "$1" | jq -r .ip_address; }
veth_of() { "$TDG" inspect "$1" | jq -r .veth; }
exited() { [[ "$("$TDG" inspect "$1" | jq -r .status)" == exited ]]; }
no_link() { ! ip link show "$1" >/dev/null 2>&1; }

t_eth0_gets_an_address_and_a_default_route() {
    capture tdg_run --name a /bin/sh -c 'ip -o -4 addr show eth0; ip route'
    expect_eq "$RC" 0 "exit status"
    local ip
    ip=$(ip_of a)
    [[ "$ip" =~ ^10\.77\.0\.[0-9]+$ ]] || fail "ip_address $ip is not in 10.77.0.0/24"
    expect_contains "$OUT" "eth0    inet $ip/24" "ip addr inside"
    expect_contains "$OUT" "default via $GW dev eth0" "ip route inside"
    expect_eq "$("$TDG" inspect a | jq -r .network)" bridge "network"
}

t_host_sees_the_bridge_and_the_veth() {
    tdg_run -d --name b /bin/sleep 30 >/dev/null
    local v
    v=$(veth_of b)
    ((${#v} <= 15)) || fail "veth name $v is longer than 15 characters"
    expect_ne "$v" eth0 "host end name"
    expect_contains "$(ip -d link show td0)" "bridge" "td0's type"
    expect_contains "$(ip -o -4 addr show td0)" "inet $GW/24" "td0's address"
    expect_contains "$(ip -o link show "$v")" "master td0" "the veth's master"
    expect_contains "$(iptables-save -t nat)" "-A POSTROUTING -s 10.77.0.0/24 ! -o td0 -m comment --comment tdg -j MASQUERADE" "NAT rule"
    expect_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "ip_forward while it runs"
}

t_container_reaches_the_bridge_and_the_host_reaches_it() {
    tdg_run -d --name c /bin/sleep 30 >/dev/null
    capture tdg_run /bin/ping -c 1 -W 2 "$GW"
    expect_eq "$RC" 0 "ping the bridge from a container"
    capture "$ROOTFS/bin/busybox" ping -c 1 -W 2 "$(ip_of c)" # static: runs on the host too
    expect_eq "$RC" 0 "ping the container from the host"
}

t_host_reaches_a_server_in_the_container() {
    # The page lives in the container's own /dev/shm (a tmpfs of its own):
    # before day 10, a write to /tmp would land in the shared rootfs folder.
    tdg_run -d --name web /bin/sh -c \
        'mkdir -p /dev/shm/www && echo hello-from-web >/dev/shm/www/index.html && exec httpd -f -p 8080 -h /dev/shm/www' >/dev/null
    local ip
    ip=$(ip_of web)
    # The rootfs's busybox is static: it runs on the host too.
    # (not its wget -T: that segfaults in busybox 1.35; timeout(1) instead)
    wait_for timeout 5 "$ROOTFS/bin/busybox" wget -q -O "$TDG_ROOT/page" "http://$ip:8080/"
    expect_eq "$(cat "$TDG_ROOT/page")" hello-from-web "the page, fetched from the host"
}

t_containers_reach_each_other() {
    tdg_run -d --name one /bin/sleep 30 >/dev/null
    capture tdg_run --name two /bin/ping -c 1 -W 2 "$(ip_of one)"
    expect_eq "$RC" 0 "ping one from two"
    expect_ne "$(ip_of one)" "$(ip_of two)" "addresses"
}

t_etc_files_are_the_containers() {
    capture tdg_run --name etc --hostname web1 /bin/sh -c \
        'cat /etc/hostname; cat /etc/hosts; grep -c nameserver /etc/resolv.conf'
    expect_contains "$OUT" "web1" "/etc/hostname"
    expect_contains "$OUT" "$(ip_of etc)	web1" "/etc/hosts"
    (($(tail -1 <<<"$OUT") >= 1)) || fail "no nameserver in /etc/resolv.conf"
    expect_eq "$(wc -c <"$ROOTFS/etc/hosts")" 0 "the rootfs's own /etc/hosts (untouched)"
}

t_leases_are_released_and_reused() {
    tdg_run --name first /bin/true
    tdg_run --name second /bin/true
    expect_eq "$(ip_of second)" "$(ip_of first)" "the address after the first one left"
    expect_eq "$(ls "/run/tdg/network/leases" | wc -l)" 0 "leases held"
    tdg_run -d --name held /bin/sleep 30 >/dev/null
    tdg_run --name third /bin/true
    expect_ne "$(ip_of third)" "$(ip_of held)" "address while the first is held"
    expect_eq "$(cat "/run/tdg/network/leases/$(ip_of held)")" \
        "$("$TDG" inspect held | jq -r .id)" "the lease file names its holder"
}

# An empty lease file (an older tdg, killed between making the file and
# writing the id into it) names nobody: its address is free, the next run
# takes it over and gives it back. It used to stay taken until a reboot.
t_an_empty_lease_file_is_a_free_address() {
    local dir=/run/tdg/network/leases h
    mkdir -p "$dir"
    for ((h = 2; h < 254; h++)); do [[ -e "$dir/10.77.0.$h" ]] || break; done
    : >"$dir/10.77.0.$h"
    capture tdg_run --name stale /bin/true
    expect_eq "$RC" 0 "a run" || fail "stderr: $ERR"
    expect_eq "$(ip_of stale)" "10.77.0.$h" "its address: the empty lease file's"
    [[ ! -e "$dir/10.77.0.$h" ]] || fail "the lease file is left"
}

t_nothing_left_after_exit() {
    tdg_run -d --name gone /bin/sh -c 'sleep 1' >/dev/null
    local v
    v=$(veth_of gone)
    local ip
    ip=$(ip_of gone)
    wait_for exited gone
    wait_for no_link "$v" 2>/dev/null || fail "veth $v left"
    # What stays is the host set-up: the bridge and the subnet-wide rules.
    expect_contains "$(ip -o -4 addr show td0)" "inet $GW/24" "td0, kept"
    expect_not_contains "$(iptables-save | grep -e "$ip[/:]" -e "tdg-$("$TDG" inspect gone | jq -r .id)")" \
        "-A" "rules naming the container"
    # (not "no file": another user's container may have the address now)
    expect_ne "$(cat "/run/tdg/network/leases/$ip" 2>/dev/null)" "$("$TDG" inspect gone | jq -r .id)" \
        "the holder of $ip's lease"
}

t_killed_watcher_releases_on_the_next_command() {
    tdg_run -d --name orphan /bin/sleep 30 >/dev/null
    local p v
    p=$("$TDG" inspect orphan | jq -r .pid) v=$(veth_of orphan)
    kill -KILL "$("$TDG" inspect orphan | jq -r .watcher_pid)"
    wait_for gone "$p"
    "$TDG" ps -a >/dev/null
    wait_for no_link "$v" 2>/dev/null || fail "veth left"
    expect_eq "$(grep -lx "$("$TDG" inspect orphan | jq -r .id)" /run/tdg/network/leases/* 2>/dev/null)" "" "its lease"
}

t_ten_containers_at_once_get_ten_addresses() {
    local i
    for i in $(seq 1 10); do "${RUN[@]}" -d --name "p$i" /bin/sleep 30 >/dev/null & done
    wait
    local ips
    ips=$(for i in $(seq 1 10); do ip_of "p$i"; done | sort)
    expect_eq "$(sort -u <<<"$ips" | grep -c '^10\.77\.0\.')" 10 "distinct addresses"
    # (ours: other users' containers may share td0)
    expect_eq "$(for i in $(seq 1 10); do ip -o link show master td0 | grep -c ": $(veth_of "p$i")@"; done | paste -sd+ | bc)" 10 "our ports on td0"
}

# NAT, proved: a server in an "outside" namespace on 10.78.0.0/24 (made
# here, removed after) logs who connects. It must see the host's address
# on that link, 10.78.0.1, not the container's 10.77.0.x: MASQUERADE.
t_nat_shows_the_outside_the_hosts_address() {
    OUTSIDE=tdgt-out$$ OUTSIDE_VETH=tdgt-o$$
    # _cleanup reads the test's status from $?: hand it over unchanged.
    trap 'rc=$?; set +e; ip netns del "$OUTSIDE" 2>/dev/null; ip link del "$OUTSIDE_VETH" 2>/dev/null; (exit $rc); _cleanup' EXIT
    ip netns add "$OUTSIDE"
    ip link add "$OUTSIDE_VETH" type veth peer name eth0 netns "$OUTSIDE"
    ip addr add 10.78.0.1/24 dev "$OUTSIDE_VETH"
    ip link set "$OUTSIDE_VETH" up
    ip -n "$OUTSIDE" addr add 10.78.0.2/24 dev eth0
    ip -n "$OUTSIDE" link set eth0 up
    mkdir "$TDG_ROOT/www" && echo outside >"$TDG_ROOT/www/index.html"
    start_bg "$TDG_ROOT/outside.log" ip netns exec "$OUTSIDE" \
        "$ROOTFS/bin/busybox" httpd -f -vv -p 8080 -h "$TDG_ROOT/www"
    # (a few tries: the outside server may still be starting)
    capture timeout 20 "${RUN[@]}" --name natted /bin/sh -c \
        'for i in 1 2 3 4 5 6; do wget -q -O - http://10.78.0.2:8080/ && exit; sleep 0.5; done; exit 1' 
    expect_eq "$OUT" outside "the page from outside, fetched in a container"
    expect_contains "$(cat "$TDG_ROOT/outside.log")" "10.78.0.1]:" "who the outside saw"
    expect_not_contains "$(cat "$TDG_ROOT/outside.log")" "10.77.0." "who the outside saw"
}

t_bad_subnet_is_125() {
    TDG_SUBNET=garbage capture tdg_run /bin/true
    expect_error 125 "TDG_SUBNET 'garbage': not a subnet"
    TDG_SUBNET=10.77.0.5/24 capture tdg_run /bin/true
    expect_error 125 "host bits are set; did you mean 10.77.0.0/24?"
    expect_eq "$(ls "$TDG_ROOT/containers" 2>/dev/null | wc -l)" 0 "containers recorded"
}

run_tests "$@"
