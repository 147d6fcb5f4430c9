#!/usr/bin/env bash
# Days 09 and 10 under load — LOAD_N (200) bridged containers, started LOAD_P
# (20) at a time with `run -d`, each batch running together, then ended and
# removed. Nothing may get lost or doubled: every container has its own id,
# a whole record that says it exited with 0, its own one line of log, and
# while a batch runs, its own address; at the end no lease, veth, rule of
# a container or cgroup is left (the bridge and the subnet's rules stay), and the watchers' memory does not grow from
# the first batch to the last.
# The figures (time, containers/s, peak memory) are printed after the test.
source "$(dirname "$0")/lib.sh"

LOAD_N=${LOAD_N:-200}
LOAD_P=${LOAD_P:-20}
WATCHER_RSS_MAX_KB=${WATCHER_RSS_MAX_KB:-16384} # a watcher is a static C program
LEASES=/run/tdg/network/leases
export LOAD_FIGURES=${LOAD_FIGURES:-$(mktemp "${TEST_ROOTS:-/tmp}/load-figures.XXXXXX")}

# rss KB_FILE PID...: the largest VmRSS (kB) of the PIDs still alive, kept
# in KB_FILE if larger than what it holds.
rss() {
    local file=$1 p kb max
    shift
    max=$(cat "$file")
    for p in "$@"; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
        ((${kb:-0} > max)) && max=$kb
    done
    echo "$max" >"$file"
}

# one_run OUTDIR I: `tdg run -d` of a command that says load-I, its id in OUTDIR/I.id and its peak memory
# (kB, GNU time's %M) in OUTDIR/I.mem.
one_run() {
    local timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f %M -o "$1/$2.mem")
    "${timer[@]}" "${RUN[@]}" -d /bin/sh -c "echo load-$2 && exec sleep ${LOAD_SLEEP:-2}" \
        >"$1/$2.id" 2>"$1/$2.err"
}

none_running() { [[ "$("$TDG" ps | tail -n +2 | wc -l)" == "${1:-0}" ]]; }

t_load_containers_in_batches() {
    local out=$TDG_ROOT/load batch i id t0 t1 first_rss=0 last_rss=0
    mkdir -p "$out"
    echo 0 >"$out/rss.all"
    # One watcher for the whole load, relaying a line every 10 ms: its
    # memory, first and last, says whether a watcher grows with time.
    local long long_w long_rss0 long_rss1 long_lines
    long=$("${RUN[@]}" -d /bin/sh -c 'while :; do echo tick; sleep 0.01; done')
    long_w=$(jq -r .watcher_pid "$TDG_ROOT/containers/$long/config.json")
    t0=$(date +%s.%N)
    for ((batch = 0; batch * LOAD_P < LOAD_N; batch++)); do
        local from=$((batch * LOAD_P)) to=$(((batch + 1) * LOAD_P)) pids=()
        ((to <= LOAD_N)) || to=$LOAD_N
        for ((i = from; i < to; i++)); do
            one_run "$out" "$i" &
            pids+=($!)
        done
        for ((i = 0; i < ${#pids[@]}; i++)); do
            wait "${pids[i]}" || fail "run -d #$((from + i)) failed: $(cat "$out/$((from + i)).err")"
        done
        # The batch runs together now: each its own address, and every
        # watcher's memory sampled.
        local running ips watchers
        running=$("$TDG" ps | awk -v long="$long" 'NR > 1 && $1 != long {print $1}')
        ips=$(for id in $running $long; do jq -r .ip_address "$TDG_ROOT/containers/$id/config.json"; done)
        [[ -z "$(sort <<<"$ips" | uniq -d)" ]] ||
            fail "batch $batch: one address for two running containers:" "$(sort <<<"$ips" | uniq -c | sort -rn | head -3)"
        watchers=$(for id in $running; do jq -r .watcher_pid "$TDG_ROOT/containers/$id/config.json"; done)
        echo 0 >"$out/rss.batch"
        # shellcheck disable=SC2086
        rss "$out/rss.batch" $watchers
        # shellcheck disable=SC2086
        rss "$out/rss.all" $watchers
        ((batch == 0)) && first_rss=$(cat "$out/rss.batch") &&
            long_rss0=$(awk '/^VmRSS:/ {print $2}' "/proc/$long_w/status")
        last_rss=$(cat "$out/rss.batch")
        echo "$(wc -w <<<"$running")" >>"$out/together"
        wait_for none_running 1 # but the long one
    done
    t1=$(date +%s.%N)
    long_rss1=$(awk '/^VmRSS:/ {print $2}' "/proc/$long_w/status")
    long_lines=$(grep -c '^tick$' "$TDG_ROOT/containers/$long/container.log")
    ((long_lines > 100)) || fail "the long container logged only $long_lines lines"
    "$TDG" rm -f "$long" >/dev/null

    # No lost metadata, no duplicate id.
    local all
    all=$(cat "$out"/*.id)
    expect_eq "$(wc -l <<<"$all")" "$LOAD_N" "ids printed"
    expect_eq "$(sort -u <<<"$all" | wc -l)" "$LOAD_N" "distinct ids"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" "$LOAD_N" "state folders"
    local bad
    bad=$(for id in $all; do
        jq -e '.status == "exited" and .exit_code == 0 and .pid == 0' \
            "$TDG_ROOT/containers/$id/config.json" >/dev/null 2>&1 || echo "$id"
    done)
    expect_eq "$bad" "" "containers whose record is not whole, exited, 0"
    capture "$TDG" ps -a
    expect_eq "$(tail -n +2 <<<"$OUT" | grep -c 'exited (0)')" "$LOAD_N" "exited (0) lines in ps -a"
    bad=$(for ((i = 0; i < LOAD_N; i++)); do
        [[ "$("$TDG" logs "$(cat "$out/$i.id")" 2>&1)" == "load-$i" ]] || echo "$i"
    done)
    expect_eq "$bad" "" "containers whose log is not their one line"

    # Removed LOAD_P at a time, as they were started.
    local pids=() n=0
    for id in $all; do
        "$TDG" rm "$id" >/dev/null &
        pids+=($!)
        if ((++n % LOAD_P == 0)); then
            for i in "${pids[@]}"; do wait "$i" || fail "rm failed"; done
            pids=()
        fi
    done
    for i in "${pids[@]}"; do wait "$i" || fail "rm failed"; done
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 0 "state folders after rm"

    # Nothing left on the host.
    # (held by these containers: other users' may share the lease store)
    expect_eq "$(cat "$LEASES"/* 2>/dev/null | grep -cxFf <(echo "$all") || true)" 0 "address leases held"
    # (the kernel deletes each veth with its container's namespace, in a
    # worker: give the last ones a moment; td0 and the subnet's rules stay
    # as host set-up, tests/day09-network.sh)
    ours() { ip -o link show | grep -E ': td[0-9a-f]{12}' | grep -cFf <(sed 's/^/td/' <<<"$all") || true; }
    no_veths() { [[ "$(ours)" == 0 ]]; }
    wait_for no_veths 2>/dev/null || true
    expect_eq "$(ours)" 0 "veths left"
    expect_eq "$(iptables-save | grep -cFf <(sed 's/^/tdg-/' <<<"$all") || true)" 0 "iptables rules of these containers"
    local cg=0
    for id in $all; do
        for d in /sys/fs/cgroup/tdg/"$id" /sys/fs/cgroup/*/tdg/"$id"; do
            [[ -e "$d" ]] && cg=$((cg + 1))
        done
    done
    expect_eq "$cg" 0 "cgroups left"

    # Memory: bounded, and no growth with the load.
    local peak_run=n/a
    compgen -G "$out/*.mem" >/dev/null && peak_run="$(sort -n "$out"/*.mem | tail -1) kB"
    local secs rate
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
    rate=$(awk -v n="$LOAD_N" -v s="$secs" 'BEGIN {printf "%.1f", n / s}')
    {
        echo "  figures: day $DAY, $LOAD_N containers, $LOAD_P at a time (sleep ${LOAD_SLEEP:-2}): ${secs} s, $rate containers/s"
        echo "  figures: running together per batch: min $(sort -n "$out/together" | head -1), max $(sort -n "$out/together" | tail -1)"
        echo "  figures: peak watcher RSS $(cat "$out/rss.all") kB (first batch $first_rss kB, last $last_rss kB); peak 'tdg run -d' RSS $peak_run"
        echo "  figures: the long watcher ($long_lines lines relayed): $long_rss0 kB after the first batch, $long_rss1 kB at the end"
    } >>"$LOAD_FIGURES"
    # (LOAD_SLEEP=0, make bench's: containers end before they can be sampled)
    [[ "${LOAD_SLEEP:-2}" == 0 ]] || (($(cat "$out/rss.all") > 0)) || fail "no watcher's memory could be read"
    (($(cat "$out/rss.all") <= WATCHER_RSS_MAX_KB)) ||
        fail "a watcher used $(cat "$out/rss.all") kB (bound $WATCHER_RSS_MAX_KB kB)"
    ((last_rss <= first_rss + 1024)) ||
        fail "watchers grew from $first_rss kB (first batch) to $last_rss kB (last batch)"
    ((long_rss1 <= long_rss0 + 256)) ||
        fail "the long watcher grew from $long_rss0 kB to $long_rss1 kB"
}

TEST_TIMEOUT=${TEST_TIMEOUT:-300}
if (($# > 0)); then # one test, under set -e (which `run_tests || ...` would turn off)
    run_tests "$@"
    exit
fi
rc=0
run_tests || rc=$?
cat "$LOAD_FIGURES"
rm -f "$LOAD_FIGURES"
exit "$rc"
