#!/usr/bin/env bash
# Day 10 — `tdg stats` and `tdg top`: what the cgroup and the veth count,
# checked against containers that use a known amount (64 MiB in a tmpfs
# file, a busy loop under --cpus 0.5, four processes, 200 kB received), and
# the process list against /proc. Traffic goes only to the test bridge.
source "$(dirname "$0")/lib.sh"

field() { "$TDG" inspect "$1" | jq -r ".$2"; } # field ID KEY

# bytes 64.3MiB | 1.5kB | 0B: the number of bytes, as awk prints it.
bytes() {
    awk -v s="$1" 'BEGIN {
        n = s + 0; u = s; sub(/^[0-9.]+/, "", u)
        m["B"] = 1; m["kB"] = 1e3; m["MB"] = 1e6; m["GB"] = 1e9
        m["KiB"] = 1024; m["MiB"] = 1048576; m["GiB"] = 1073741824
        if (!(u in m)) { print -1; exit }
        printf "%.0f\n", n * m[u] }'
}
# stats_line ID: sets CPU MEM LIMIT MEMP RX TX PIDS from `tdg stats --no-stream ID`.
stats_line() {
    capture "$TDG" stats --no-stream "$1"
    expect_eq "$RC" 0 "stats status" || { fail "$ERR"; return 1; }
    expect_contains "$(head -1 <<<"$OUT")" "MEM USAGE / LIMIT" "stats header"
    local line
    line=$(grep "^$1" <<<"$OUT") || fail "no line for $1 in: $OUT"
    # ID NAME CPU% USE / LIMIT MEM% RX / TX PIDS
    read -r _ _ CPU MEM _ LIMIT MEMP RX _ TX PIDS <<<"$line"
    CPU=${CPU%\%} MEMP=${MEMP%\%}
    MEM=$(bytes "$MEM") LIMIT=$(bytes "$LIMIT") RX=$(bytes "$RX") TX=$(bytes "$TX")
}
between() { # VALUE LOW HIGH WHAT
    awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
        fail "$4: $1 is not between $2 and $3"
}

t_stats_shows_the_memory_a_container_uses_and_its_limit() {
    local id
    id=$(tdg_run -d --net none --memory 128m /bin/sh -c \
        'dd if=/dev/zero of=/dev/shm/64m bs=1M count=64 2>/dev/null && echo done; exec sleep 1000')
    wait_for grep -q done "$TDG_ROOT/containers/$id/container.log"
    stats_line "$id"
    between "$MEM" $((64 << 20)) $((80 << 20)) "memory in use (64 MiB in a tmpfs file)"
    expect_eq "$LIMIT" $((128 << 20)) "memory limit"
    between "$MEMP" 50 63 "MEM %"
    expect_eq "$PIDS" 1 "pids"
    expect_eq "$RX/$TX" 0/0 "network (--net none)"
    # Without that file, a few hundred KiB; and the limit is the host's memory.
    id=$(tdg_run -d --net none /bin/sh -c 'exec sleep 1000')
    stats_line "$id"
    between "$MEM" 1 $((16 << 20)) "memory of an idle sleep"
    between "$LIMIT" $(($(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024 - (64 << 20))) \
        $(($(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024 + (64 << 20))) "limit (the host's memory)"
}

# The CPU % of a busy loop under --cpus 0.5: what the cgroup counted over
# the same second (read around the stats command: a loaded host gives the
# loop less, so the share itself is only bounded above), and never much
# above the quota's 50%.
t_stats_cpu_matches_the_cgroup_and_the_quota() {
    local id dir a b own
    id=$(tdg_run -d --net none --cpus 0.5 /bin/sh -c 'while :; do :; done')
    dir=$(jq -r '.cgroup[] | select(test("cpuacct|/tdg/"))' "$TDG_ROOT/containers/$id/config.json" |
        while read -r d; do [[ -e $d/cpuacct.usage || -e $d/cpu.stat ]] && echo "$d"; done | tail -1)
    usage() { # ns
        if [[ -e $dir/cpuacct.usage ]]; then cat "$dir/cpuacct.usage"
        else echo $(($(awk '$1 == "usage_usec" {print $2}' "$dir/cpu.stat") * 1000)); fi
    }
    sleep 0.5
    local s e
    a=$(usage) s=$(date +%s%N)
    stats_line "$id"
    b=$(usage) e=$(date +%s%N)
    own=$(awk -v d=$((b - a)) -v w=$((e - s)) 'BEGIN {printf "%.1f", d * 100 / w}')
    echo "note: stats says $CPU%, the cgroup counted $own% over the command's run"
    between "$CPU" 1 65 "CPU % under --cpus 0.5"
    between "$CPU" "$(awk -v o="$own" 'BEGIN {print o - 15}')" "$(awk -v o="$own" 'BEGIN {print o + 15}')" \
        "CPU % against the cgroup's own count"
}

# Four processes: stats counts them, and top lists each with its pid
# inside, as /proc says (NSpid), and nothing that is not the container's.
t_stats_counts_processes_and_top_matches_proc() {
    local id pid line hpid cpid ppid
    id=$(tdg_run -d --net none /bin/sh -c 'sleep 1001 & sleep 1002 & sleep 1003 & wait')
    _four() { [[ $(field "$id" pid) -gt 0 ]] && stats_line "$id" >/dev/null 2>&1 && [[ $PIDS == 4 ]]; }
    wait_for _four
    pid=$(field "$id" pid)
    capture "$TDG" top "$id"
    expect_eq "$RC" 0 "top"
    expect_eq "$(head -1 <<<"$OUT" | awk '{print $1, $2, $3}')" "PID CPID PPID" "top header"
    expect_eq "$(tail -n +2 <<<"$OUT" | wc -l)" 4 "processes listed"
    while read -r hpid cpid ppid _ _ cmd; do
        expect_eq "$(awk '/^NSpid/ {print $NF}' "/proc/$hpid/status")" "$cpid" "pid inside of $hpid"
        expect_eq "$(awk '/^PPid/ {print $2}' "/proc/$hpid/status")" "$ppid" "parent of $hpid"
        expect_eq "$(readlink "/proc/$hpid/ns/pid")" "$(readlink "/proc/$pid/ns/pid")" "pid namespace of $hpid"
        expect_eq "$cmd" "$(tr '\0' ' ' <"/proc/$hpid/cmdline" | sed 's/ $//')" "command of $hpid"
    done < <(tail -n +2 <<<"$OUT")
    expect_eq "$(tail -n +2 <<<"$OUT" | awk '{print $2}' | sort -n | tr '\n' ' ')" "1 2 3 4 " "pids inside"
    grep -q "^$pid  *1  " <<<"$OUT" || fail "PID 1 should be host pid $pid: $OUT"
    # And what the cgroup holds is what top shows.
    local procs
    procs=$(jq -r '.cgroup[0]' "$TDG_ROOT/containers/$id/config.json")/cgroup.procs
    expect_eq "$(sort -n "$procs" | tr '\n' ' ')" \
        "$(tail -n +2 <<<"$OUT" | awk '{print $1}' | sort -n | tr '\n' ' ')" "top against $procs"
}

# Network bytes, from the container's side: 200 kB the host sends to it
# over TCP are RX; what it sends back (the ACKs) is a small TX.
t_stats_counts_the_bytes_a_bridged_container_receives() {
    local id ip
    id=$(tdg_run -d /bin/sh -c 'nc -l -p 5000 >/dev/null; echo got; exec sleep 1000')
    ip=$(field "$id" ip_address)
    _send() { head -c 200000 /dev/zero 2>/dev/null >"/dev/tcp/$ip/5000"; }
    wait_for _send 2>/dev/null
    wait_for grep -q got "$TDG_ROOT/containers/$id/container.log"
    stats_line "$id"
    between "$RX" 200000 400000 "bytes in (200 kB over TCP)"
    between "$TX" 1 100000 "bytes out (its ACKs)"
}

t_stats_lists_running_containers_and_refuses_bad_input() {
    local a b
    a=$(tdg_run -d --net none --name first /bin/sh -c 'exec sleep 1000')
    b=$(tdg_run -d --net none --name second /bin/sh -c 'exec sleep 1000')
    tdg_run --net none --name ended true
    capture "$TDG" stats --no-stream
    expect_eq "$RC" 0 "stats"
    expect_eq "$(tail -n +2 <<<"$OUT" | awk '{print $2}' | sort | tr '\n' ' ')" "first second " "names listed"
    capture "$TDG" stats --no-stream ended
    expect_contains "$(tail -1 <<<"$OUT")" "--" "an exited container's line"
    capture "$TDG" stats --no-stream nosuch
    expect_error 125 "no such container"
    capture "$TDG" stats --bogus
    expect_error 125 "stats: unknown flag '--bogus'"
    capture "$TDG" top ended
    expect_error 125 "top: container ended is not running"
    capture "$TDG" top
    expect_error 125 "usage: tdg top ID"
    capture "$TDG" top -x first
    expect_error 125 "top: unknown flag"
    capture "$TDG" stats --help
    expect_contains "$OUT" "--no-stream" "stats --help"
    capture "$TDG" top --help
    expect_contains "$OUT" "CPID" "top --help"
}

# On a terminal it redraws every second (script(1) gives it one).
t_stats_refreshes_on_a_terminal() {
    tdg_run -d --net none --name box /bin/sh -c 'exec sleep 1000' >/dev/null
    timeout -s INT 3.6 script -qec "$TDG stats box" /dev/null >"$TDG_ROOT/tty" </dev/null || true
    local frames
    frames=$(grep -c "CONTAINER ID" "$TDG_ROOT/tty")
    ((frames >= 2)) || fail "expected at least 2 frames in 3.6 s, got $frames:" "$(cat -v "$TDG_ROOT/tty")"
    grep -q $'\e\[2J' "$TDG_ROOT/tty" || fail "no clear-screen between frames"
}

run_tests "$@"
