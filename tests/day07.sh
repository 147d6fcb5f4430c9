#!/usr/bin/env bash
# Day 07 — cgroups: limits land in the container's own cgroup (v1 or v2,
# whichever this host has), the command runs inside it from its first
# instruction, an OOM kill is told apart from a kill -9, and the cgroup is
# gone once the container is, however it ended. tests/v2guest runs this same
# script on a cgroup v2 kernel.
source "$(dirname "$0")/lib.sh"

if [[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]]; then CG_V2=1; else CG_V2=0; fi

id_of() { "$TDG" inspect "$1" | jq -r .id; }
# cg_dir ID CONTROLLER: the folder holding CONTROLLER's files for container ID.
cg_dir() { if ((CG_V2)); then echo "/sys/fs/cgroup/tdg/$1"; else echo "/sys/fs/cgroup/$2/tdg/$1"; fi; }
cg_dirs() { if ((CG_V2)); then cg_dir "$1" x; else for c in memory cpu pids; do cg_dir "$1" $c; done; fi; }
exited() { [[ "$("$TDG" inspect "$1" | jq -r .status)" == exited ]]; }
no_cgroup() { local d; for d in $(cg_dirs "$1"); do [[ ! -e "$d" ]] || return 1; done; }

# limited_shell CMD...: CMD is a `tdg run --memory 128m` with no CMD of its
# own: the shell gets one line on stdin, naming its memory cgroup, waiting,
# then `exit 3`. The container has no cgroup files of its own to read (no
# cgroup namespace or cgroup mount inside), so the test reads the limit
# from the host, in the cgroup the shell named, while it waits. Sets LIMIT
# (bytes) and RC.
limited_shell() {
    local pat=':memory:' line
    ((CG_V2)) && pat='^0::'
    coproc SH { "$@" 2>&1; }
    BG_PIDS+=("$SH_PID")
    echo "grep '$pat' /proc/self/cgroup; read go; exit 3" >&"${SH[1]}"
    read -r -t 20 line <&"${SH[0]}" || true
    [[ "$line" == [0-9]*:/* ]] || fail "the shell named no cgroup; it said: '$line'"
    line=${line#*:*:}
    if ((CG_V2)); then LIMIT=$(cat "/sys/fs/cgroup$line/memory.max")
    else LIMIT=$(cat "/sys/fs/cgroup/memory$line/memory.limit_in_bytes"); fi
    echo go >&"${SH[1]}"
    RC=0
    wait "$SH_PID" || RC=$?
}

# The project's own line, `make day07 && ./day07/tdg run --memory 128m`, as
# typed: ./day07 a link to the day's folder, from another folder, no CMD
# (a shell reading stdin) and no --rootfs (the tree's). Then the same with
# TDG_ROOTFS, for a tdg whose tree has no rootfs built, and without it.
t_card_command_is_a_limited_shell() {
    ln -s "$(dirname "$TDG")" "$TDG_ROOT/day07"
    limited_shell bash -c 'cd "$1" && exec ./day07/tdg run --memory 128m' _ "$TDG_ROOT"
    expect_eq "$LIMIT" 134217728 "the shell's memory limit"
    expect_eq "$RC" 3 "exit status of the shell's 'exit 3'"

    local tree
    tree=$(realpath "$TDG_ROOT")/tree
    mkdir -p "$tree/scripts" "$tree/day07"
    : >"$tree/scripts/mkrootfs.sh"
    cp "$TDG" "$tree/day07/tdg"
    LIMIT=
    limited_shell env TDG_ROOTFS="$ROOTFS" "$tree/day07/tdg" run --memory 128m
    expect_eq "$LIMIT" 134217728 "the shell's memory limit with TDG_ROOTFS"
    expect_eq "$RC" 3 "exit status with TDG_ROOTFS"
    capture "$tree/day07/tdg" run --memory 128m
    expect_error 125 "run 'make rootfs' in $tree, or pass --rootfs DIR"
}

t_limits_are_in_the_cgroup_files() {
    tdg_run -d --name lim --memory 128m --cpus 0.5 --pids-limit 64 /bin/sleep 30 >/dev/null
    local id p
    id=$(id_of lim) p=$("$TDG" inspect lim | jq -r .pid)
    if ((CG_V2)); then
        expect_eq "$(cat "$(cg_dir "$id" x)/memory.max")" 134217728 memory.max
        expect_eq "$(cat "$(cg_dir "$id" x)/cpu.max")" "50000 100000" cpu.max
        expect_eq "$(cat "$(cg_dir "$id" x)/pids.max")" 64 pids.max
    else
        expect_eq "$(cat "$(cg_dir "$id" memory)/memory.limit_in_bytes")" 134217728 memory.limit_in_bytes
        expect_eq "$(cat "$(cg_dir "$id" cpu)/cpu.cfs_quota_us")" 50000 cpu.cfs_quota_us
        expect_eq "$(cat "$(cg_dir "$id" cpu)/cpu.cfs_period_us")" 100000 cpu.cfs_period_us
        expect_eq "$(cat "$(cg_dir "$id" pids)/pids.max")" 64 pids.max
    fi
    local d
    for d in $(cg_dirs "$id"); do
        grep -qx "$p" "$d/cgroup.procs" || fail "pid $p is not in $d/cgroup.procs"
    done
    expect_eq "$("$TDG" inspect lim | jq -c '[.memory, .cpus, .pids_limit, .oom_killed]')" \
        '[134217728,0.5,64,false]' "limits in the metadata"
}

t_command_starts_inside_its_cgroup() {
    # cat is the first program the container runs: if it sees the cgroup,
    # the process joined before exec.
    capture tdg_run --name early --memory 64m /bin/cat /proc/self/cgroup
    expect_eq "$RC" 0 "exit status"
    local id
    id=$(id_of early)
    if ((CG_V2)); then
        expect_eq "$OUT" "0::/tdg/$id" "/proc/self/cgroup"
    else
        expect_contains "$OUT" ":memory:/tdg/$id" "/proc/self/cgroup"
        expect_contains "$OUT" ":pids:/tdg/$id" "/proc/self/cgroup"
    fi
}

t_even_without_limits_a_container_has_a_cgroup() {
    capture tdg_run --name plain /bin/cat /proc/self/cgroup
    expect_contains "$OUT" "/tdg/$(id_of plain)" "/proc/self/cgroup"
}

t_out_of_memory_is_137_and_recorded() {
    # dd's 100 MB buffer does not fit in 32 MB: the kernel's OOM killer.
    capture tdg_run --name hog --memory 32m /bin/dd if=/dev/zero of=/dev/null bs=100M count=1
    expect_eq "$RC" 137 "exit status of the OOM-killed command"
    expect_eq "$("$TDG" inspect hog | jq -c '[.exit_code, .oom_killed]')" '[137,true]' "exit_code, oom_killed"
    capture "$TDG" ps -a
    expect_contains "$(grep hog <<<"$OUT")" "exited (137)" "ps -a"
    capture tdg_run --name fits --memory 256m /bin/dd if=/dev/zero of=/dev/null bs=100M count=1
    expect_eq "$RC" 0 "exit status with room to spare"
    expect_eq "$("$TDG" inspect fits | jq -r .oom_killed)" false oom_killed
}

t_kill_9_is_not_an_oom() {
    tdg_run -d --name shot --memory 64m /bin/sleep 30 >/dev/null
    kill -KILL "$("$TDG" inspect shot | jq -r .pid)"
    wait_for exited shot
    expect_eq "$("$TDG" inspect shot | jq -c '[.exit_code, .oom_killed]')" '[137,false]' "exit_code, oom_killed"
}

t_pids_limit_stops_forks() {
    # An inner shell forks sleeps until the kernel says no (a failed fork
    # ends a busybox shell); the outer one then counts what runs, with a
    # builtin glob only: an `ls` would need a fork too.
    capture tdg_run --name forky --pids-limit 20 /bin/sh -c \
        '/bin/sh -c "for i in \$(seq 1 40); do sleep 5 & done"; set -- /proc/[0-9]*; echo $#'
    [[ "$OUT" =~ ^[0-9]+$ ]] || fail "no process count printed: $OUT" "stderr: $ERR"
    ((OUT <= 20)) || fail "$OUT processes ran under --pids-limit 20"
    ((OUT >= 15)) || fail "only $OUT processes ran"
    expect_contains "$ERR" "can't fork" "the shell's complaint"
}

# CPU time the cgroup itself counted, in microseconds (v2: cpu.stat's
# usage_usec; v1: cpuacct.usage, in nanoseconds).
cpu_usage_us() {
    if ((CG_V2)); then
        awk '/^usage_usec/ {print $2}' "$(cg_dir "$1" x)/cpu.stat"
    else
        local d
        for d in "$(cg_dir "$1" cpuacct)" "$(cg_dir "$1" cpu)"; do
            [[ -r "$d/cpuacct.usage" ]] && { echo $(($(cat "$d/cpuacct.usage") / 1000)); return; }
        done
        return 1
    fi
}

t_cpu_quota_holds_a_hog_to_half_a_cpu() {
    tdg_run -d --name spin --cpus 0.5 /bin/sh -c 'yes >/dev/null' >/dev/null
    local id u0 u1 t0 t1 share
    id=$(id_of spin)
    sleep 0.5
    u0=$(cpu_usage_us "$id") t0=$(date +%s%N)
    sleep 3
    u1=$(cpu_usage_us "$id") t1=$(date +%s%N)
    # Hundredths of a CPU over 3 s of wall time: 0.5 +- 0.15 asked.
    share=$(((u1 - u0) * 100000 / ((t1 - t0) / 1000) / 1000))
    ((share >= 35 && share <= 65)) || fail "the hog used 0.$share CPU under --cpus 0.5 (cgroup counters)"
    local thr
    thr=$(awk '/^nr_throttled/ {print $2}' "$(cg_dir "$id" cpu)/cpu.stat")
    ((thr > 0)) || fail "cpu.stat nr_throttled is $thr"
    "$TDG" rm -f spin >/dev/null
}

t_cgroup_is_removed_however_it_ends() {
    local id
    tdg_run --name normal --memory 64m /bin/true
    no_cgroup "$(id_of normal)" || fail "cgroup left after a normal exit"
    tdg_run --name oom2 --memory 32m /bin/dd if=/dev/zero of=/dev/null bs=100M count=1 || true
    no_cgroup "$(id_of oom2)" || fail "cgroup left after an OOM kill"
    tdg_run -d --name stopped --memory 64m /bin/sleep 30 >/dev/null
    "$TDG" stop -t 0 stopped >/dev/null
    no_cgroup "$(id_of stopped)" || fail "cgroup left after stop"
    # The watcher killed: nobody was there to remove it; the next command does.
    tdg_run -d --name orphan --memory 64m /bin/sleep 30 >/dev/null
    id=$(id_of orphan)
    local p
    p=$("$TDG" inspect orphan | jq -r .pid)
    kill -KILL "$("$TDG" inspect orphan | jq -r .watcher_pid)"
    wait_for gone "$p"
    "$TDG" ps >/dev/null
    no_cgroup "$id" || fail "cgroup left after the watcher was killed and ps ran"
}

t_setup_failure_leaves_nothing() {
    # A host without cgroups: limits cannot be enforced, so the run fails
    # after the container was recorded; it must leave no record behind.
    mkdir "$TDG_ROOT/no-cgroups"
    TDG_CGROUP_ROOT=$TDG_ROOT/no-cgroups capture tdg_run --memory 64m /bin/true
    expect_error 125 "no cgroup filesystem at $TDG_ROOT/no-cgroups"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 0 "containers recorded"
    TDG_CGROUP_ROOT=$TDG_ROOT/no-cgroups capture tdg_run -d --memory 64m /bin/true
    expect_error 125 "no cgroup filesystem"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 0 "containers recorded after run -d"
    # Without limits there is nothing to enforce: it runs, with no cgroup.
    TDG_CGROUP_ROOT=$TDG_ROOT/no-cgroups capture tdg_run /bin/true
    expect_eq "$RC" 0 "exit status without limits"
}

t_tdg_killed_before_the_start_leaks_nothing() {
    # strace kills tdg at its clone(): the cgroup exists, the container
    # never ran. The next tdg command must find the record stale and
    # release the cgroup; rm must too.
    capture strace -f -o /dev/null -e trace=clone -e inject=clone:signal=SIGKILL \
        "${RUN[@]}" --name never --memory 64m /bin/true
    expect_eq "$RC" 137 "exit status of the killed tdg"
    local id
    id=$(id_of never)
    capture "$TDG" ps -a
    expect_contains "$(grep never <<<"$OUT")" "exited (?)" "ps -a"
    no_cgroup "$id" || fail "cgroup left after ps found the record stale"
    capture strace -f -o /dev/null -e trace=clone -e inject=clone:signal=SIGKILL \
        "${RUN[@]}" --name never2 --memory 64m /bin/true
    id=$(id_of never2)
    if ((DAY >= 6)); then
        "$TDG" rm never2 >/dev/null
        no_cgroup "$id" || fail "cgroup left after rm"
    fi
}

t_bad_limits_are_125() {
    local a
    while IFS='|' read -r flag value want; do
        capture tdg_run "$flag" "$value" /bin/true
        expect_error 125 "$flag '$value': $want"
    done <<'EOF2'
--memory|abc|not a size
--memory||not a size
--memory|0|must be at least 1 byte
--memory|-5m|not a size
--memory|99999999999g|too large
--cpus|0|must be from 0.01 to
--cpus|-1|not a number of CPUs
--cpus|1000|must be from 0.01 to
--cpus|x|not a number of CPUs
--pids-limit|0|must be from 1 to
--pids-limit|1.5|not a whole number
--pids-limit|99999999999999999999|not a whole number
EOF2
    expect_eq "$(ls "$TDG_ROOT/containers" 2>/dev/null | wc -l)" 0 "containers recorded"
}

run_tests "$@"
