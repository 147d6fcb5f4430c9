#!/usr/bin/env bash
# Day 10 faults — tdg dies (SIGKILL) at each step of setting a container up,
# its watcher dies while it runs, the state folder's disk is full, a
# config.json is corrupt or cut short, the rootfs is deleted under a running
# container. After each: tdg still works, `tdg ps -a` tells the truth (never
# "running" for a dead one) and nothing of the container is left on the host
# once the next tdg command has run (the contract's cleanup promise).
#
# The kill points are exact, not timed: strace(1) stops or kills tdg on a
# given call (-e inject=SYSCALL:signal=SIG:when=N). Which call is found by a
# first, untouched run of the same command under strace: the test names the
# step by what it does (the last cgroup mkdir, the clone, ...), so the test
# follows the code when the order of calls changes.
source "$(dirname "$0")/lib.sh"

# ids: the ids of every container in this test's state root.
ids() { ls "$TDG_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{12}$' || true; }

# leftovers ID: one line per thing of container ID still on the host.
leftovers() {
    local id=$1 d
    for d in /sys/fs/cgroup/tdg/"$id" /sys/fs/cgroup/*/tdg/"$id"; do
        [[ -e "$d" ]] && echo "cgroup $d"
    done
    ip link show "td$id" >/dev/null 2>&1 && echo "link td$id"
    grep -lx "$id" /run/tdg/network/leases/* 2>/dev/null | sed 's/^/lease /'
    grep -F "$TDG_ROOT/containers/$id" /proc/self/mounts | sed 's/^/mount /'
    iptables-save 2>/dev/null | grep -F -- "$id" | sed 's/^/iptables /'
    return 0
}

# expect_clean ID: `tdg ps -a` shows ID as exited (the next tdg command is
# the one that finds a dead container and releases it), nothing of it is
# left, and a new container runs.
expect_clean() {
    local id=$1 line
    capture "$TDG" ps -a
    expect_eq "$RC" 0 "ps -a exit status" || fail "stderr: $ERR"
    line=$(grep "^$id" <<<"$OUT") || fail "ps -a does not list $id" "got: $OUT"
    expect_contains "$line" "exited" "ps -a line of $id"
    expect_eq "$(jq -r '.status + " " + (.pid|tostring)' "$TDG_ROOT/containers/$id/config.json")" \
        "exited 0" "recorded status and pid"
    expect_eq "$(leftovers "$id")" "" "what is left of $id"
    capture tdg_run --net none /bin/echo still-works
    expect_eq "$OUT" still-works "a new run" || fail "stderr: $ERR"
}

# call_of LOG REGEX [after]: the call of the first line of strace's LOG that
# matches REGEX (with "after": of the line after the last match), as
# "SYSCALL N" (its Nth call of that name), for -e inject=...:when=N.
call_of() {
    RE=$2 AFTER=${3:-} awk '
        BEGIN { re = ENVIRON["RE"]; after = ENVIRON["AFTER"] }
        !match($0, /^(\[pid +[0-9]+\] |[0-9]+ )?[a-z_0-9]+\(/) { next }
        {
            line = substr($0, RSTART, RLENGTH - 1); sub(/^.* /, "", line); sub(/^\[pid +[0-9]+\] /, "", line)
            name[NR] = line; count[NR] = ++seen[line]
            if ($0 ~ re) { hit = NR; if (!after) exit }
        }
        END {
            if (!hit) exit 1
            if (after) { for (n = hit + 1; n <= NR && !(n in name); n++); hit = n }
            if (!(hit in name)) exit 1
            print name[hit], count[hit]
        }' "$1"
}

# kill_at REGEX [after] -- FLAGS...: a foreground `run FLAGS... sleep 30`,
# SIGKILLed by strace on entry to the call that matches (see call_of): that
# call is never made. (The run that finds it runs `true` instead: the same
# calls up to the command's.) Sets ID to the container's id.
kill_at() {
    local re=$1 after=
    shift
    [[ "$1" == after ]] && { after=after; shift; }
    shift # --
    local log=$TDG_ROOT/strace.log call
    strace -qq -o "$log" "${RUN[@]}" "$@" /bin/true >/dev/null 2>&1 </dev/null ||
        fail "the run to find the call failed"
    "$TDG" rm "$(ids)" >/dev/null # the same folders for the run to kill
    call=$(call_of "$log" "$re" $after) || fail "no call matches /$re/ in:" "$(cat "$log")"
    read -r sc n <<<"$call"
    capture strace -qq -o "$log" -e trace="$sc" -e inject="$sc:signal=KILL:when=$n" \
        "${RUN[@]}" "$@" /bin/sleep 30
    expect_eq "$RC" 137 "strace's status (tdg killed by SIGKILL)" || fail "stderr: $ERR"
    [[ "$(tail -1 "$log")" == *"killed by SIGKILL"* ]] || fail "tdg was not killed by the injection:" "$(cat "$log")"
    ID=$(ids)
    [[ "$ID" =~ ^[0-9a-f]{12}$ ]] || fail "expected one container, got: $ID"
}

t_killed_before_clone() {
    kill_at '^clone\(' -- --net none
    expect_eq "$(jq -r .status "$TDG_ROOT/containers/$ID/config.json")" created "status before the next command"
    expect_clean "$ID"
}

t_killed_after_cgroup() {
    kill_at '^mkdir\("/sys/fs/cgroup/.*/tdg/[0-9a-f]+"' after -- --net none --memory 64m
    [[ -n "$(leftovers "$ID" | grep cgroup)" ]] || fail "no cgroup made before the kill: the kill point is wrong"
    expect_clean "$ID"
}

# Bridged (day 09's default): the veth exists, the container waits for the
# word that it does; tdg dies before it writes it.
t_killed_after_veth() {
    kill_at '^write\([0-9]+, "G", 1\)' --
    expect_eq "$(jq -r .veth "$TDG_ROOT/containers/$ID/config.json")" "td$ID" "recorded veth"
    [[ -n "$(leftovers "$ID" | grep lease)" ]] || fail "no address lease held before the next command"
    expect_clean "$ID"
}

# The container's own setup done (its overlay root pivoted to) when tdg
# dies: strace stops the child right after pivot_root, the test kills tdg,
# the kernel kills the child (PDEATHSIG) and its mount namespace goes.
t_killed_after_pivot() {
    local log=$TDG_ROOT/strace.log tdg child
    start_bg "$TDG_ROOT/out" strace -f -qq -o "$log" -e trace=pivot_root \
        -e inject=pivot_root:signal=STOP:when=1 "${RUN[@]}" --net none /bin/sleep 30
    wait_for grep -q "stopped by SIGSTOP" "$log"
    grep -q 'pivot_root(".", ".") *= 0' "$log" || fail "pivot_root did not happen:" "$(cat "$log")"
    child=$(awk '/pivot_root/ {print $1; exit}' "$log")
    tdg=$(cat "/proc/$BG_PID/task/$BG_PID/children")
    ID=$(ids)
    expect_eq "$(jq -r .status "$TDG_ROOT/containers/$ID/config.json")" running "status while stopped"
    kill -KILL "$tdg"
    wait_bg "$BG_PID"
    wait_for gone "$child" || fail "the container's process $child outlived tdg"
    expect_clean "$ID"
}

run_tests "$@"
