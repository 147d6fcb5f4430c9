#!/usr/bin/env bash
# Day 10 — Docker's habits: `run --rm` (gone however the container ends),
# `ps -q` and `--filter`, `rm`/`stop` of several ids, `prune`, `logs --tail
# -t --since`, `run -u`, `--env-file`, `--workdir`. Earlier days refusing
# these flags is checked in day01.sh (t_later_flags_name_their_day).
source "$(dirname "$0")/lib.sh"

# Most tests need no network: --net none starts a container fastest.
RUN+=(--net none)

containers() { ls "$TDG_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{12}$' || true; }
no_containers() { [[ -z "$(containers)" ]]; }
config() { echo "$TDG_ROOT/containers/$1/config.json"; }

t_rm_after_exit_leaves_nothing() {
    capture tdg_run --rm --name gone /bin/sh -c 'echo bye; touch /in-my-layer; exit 3'
    expect_eq "$RC" 3 "exit status"
    expect_eq "$OUT" bye "output"
    expect_eq "$(containers)" "" "containers/ after run --rm"
    # The same name is free again.
    tdg_run --rm --name gone /bin/true
    # Detached: the watcher removes it once it exits.
    capture tdg_run -d --rm /bin/sh -c 'exit 0'
    expect_eq "$RC" 0 "run -d --rm"
    wait_for no_containers
    # One that fails before its exec goes too, saying why.
    capture tdg_run -d --rm /no/such/command
    expect_eq "$RC" 127 "run -d --rm of a missing command"
    expect_contains "$ERR" "/no/such/command" "what it said"
    wait_for no_containers
}

t_rm_after_stop_leaves_nothing() {
    local id
    id=$(tdg_run -d --rm /bin/sleep 100)
    [[ -d "$TDG_ROOT/containers/$id/upper" ]] || fail "no layer while it runs"
    capture "$TDG" stop -t 1 "$id"
    expect_eq "$RC" 0 "stop"
    # stop returns once its end is recorded, and for --rm that is its removal.
    expect_eq "$(containers)" "" "containers/ once stop returned"
    capture "$TDG" ps -aq
    expect_eq "$OUT" "" "ps -aq"
}

t_rm_after_sigkill_of_tdg_leaves_nothing() {
    local cpid
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --rm /bin/sleep 100
    cpid=$(container_pid "$BG_PID" sleep)
    kill -KILL "$BG_PID"
    wait_for gone "$cpid" # PDEATHSIG: the container goes with it
    [[ -n "$(containers)" ]] || fail "already gone: nothing proves the next command's cleanup"
    capture "$TDG" ps -a # the next tdg command finds it dead, and removes it
    expect_not_contains "$OUT" "sleep" "ps -a"
    expect_eq "$(containers)" "" "containers/ after the next command"
}

t_rm_after_sigkill_of_the_watcher_leaves_nothing() {
    local id watcher cpid
    id=$(tdg_run -d --rm /bin/sleep 100)
    watcher=$(jq -r .watcher_pid "$(config "$id")")
    cpid=$(jq -r .pid "$(config "$id")")
    kill -KILL "$watcher"
    wait_for gone "$cpid"
    capture "$TDG" ps -aq
    expect_eq "$OUT" "" "ps -aq after the watcher was killed"
    expect_eq "$(containers)" "" "containers/"
}

# A host reboot: the record says running, with the pid and watcher of
# another boot (processes alive now under the same pids are strangers).
t_rm_after_a_reboot_leaves_nothing() {
    local id f start
    # Made by hand: what a --rm container's record says when the power
    # goes (no watcher removed it: there was no time).
    tdg_run --name rebooted /bin/true
    id=$("$TDG" inspect rebooted | jq -r .id)
    f=$(config "$id")
    start=$(awk '{sub(/.*\) /, ""); print $20}' /proc/$$/stat)
    jq --argjson p $$ --argjson s "$start" '.status = "running" | .auto_remove = true |
        .pid = $p | .pid_start_time = $s | .watcher_pid = $p | .watcher_start_time = $s |
        .boot_id = "00000000-0000-0000-0000-000000000000"' "$f" >"$f.new" && mv "$f.new" "$f"
    capture "$TDG" ps -a
    expect_not_contains "$OUT" rebooted "ps -a after the reboot"
    expect_eq "$(containers)" "" "containers/"
    alive $$ || fail "tdg signalled a stranger"
}

t_rm_of_ps_aq_on_50_containers() {
    local i running
    for ((i = 0; i < 50; i++)); do tdg_run /bin/true; done
    running=$(tdg_run -d --name keeper /bin/sleep 100)
    expect_eq "$("$TDG" ps -aq | wc -l)" 51 "ps -aq lines"
    expect_eq "$("$TDG" ps -q)" "$running" "ps -q (running only)"
    # shellcheck disable=SC2046
    capture "$TDG" rm $("$TDG" ps -aq)
    expect_eq "$RC" 125 "rm of 50 exited and 1 running"
    expect_eq "$(echo "$OUT" | wc -l)" 50 "ids printed"
    expect_eq "$ERR" "tdg: rm: container $running is running; stop it first, or use rm -f" "stderr"
    expect_eq "$(containers)" "$running" "what is left"
    # Each failure its own line, the rest still done.
    tdg_run --name last /bin/true
    capture "$TDG" rm nosuch1 last nosuch2
    expect_eq "$RC" 125 "rm with two bad ids"
    expect_eq "$OUT" last "removed"
    expect_eq "$(echo "$ERR" | grep -c "^tdg: no such container")" 2 "error lines"
    capture "$TDG" rm
    expect_error 125 "usage: tdg rm [-f] ID..."
}

t_prune_on_50_containers() {
    local i running out
    for ((i = 0; i < 49; i++)); do tdg_run /bin/true; done
    # One with 1 MB in its layer: prune must count it.
    tdg_run /bin/sh -c 'dd if=/dev/zero of=/big bs=1024 count=1024 2>/dev/null'
    running=$(tdg_run -d /bin/sleep 100)
    capture "$TDG" prune
    expect_eq "$RC" 0 "prune"
    expect_eq "$(echo "$OUT" | head -1)" "Deleted Containers:" "first line"
    expect_eq "$(echo "$OUT" | grep -cE '^[0-9a-f]{12}$')" 50 "ids deleted"
    expect_not_contains "$OUT" "$running" "prune's list"
    out=$(echo "$OUT" | tail -1)
    [[ "$out" =~ ^Total\ reclaimed\ space:\ [0-9.]+(kB|MB)$ ]] || fail "last line: $out"
    [[ "$out" == *MB ]] || fail "1 MB written, reclaimed: $out"
    expect_eq "$(containers)" "$running" "what is left"
    capture "$TDG" container prune -f
    expect_eq "$OUT" "Total reclaimed space: 0B" "a second prune"
}

t_stop_takes_several_ids() {
    local a b
    a=$(tdg_run -d /bin/sleep 100)
    b=$(tdg_run -d --name bee /bin/sleep 100)
    capture "$TDG" stop -t 0 "$a" nosuch bee
    expect_eq "$RC" 125 "stop with one bad id"
    expect_eq "$OUT" "$a"$'\n'"bee" "stopped"
    expect_error 125 "no such container: 'nosuch'"
    capture "$TDG" ps -q
    expect_eq "$OUT" "" "running after stop"
}

t_ps_filters() {
    local run1
    tdg_run --name web1 /bin/true
    tdg_run --name web2 /bin/sh -c 'exit 3' || true
    tdg_run --name db /bin/true
    run1=$(tdg_run -d --name web3 /bin/sleep 100)
    names() { "$TDG" ps "$@" | awk 'NR > 1 {print $2}' | sort | tr '\n' ' '; }
    expect_eq "$(names --filter status=exited)" "db web1 web2 " "status=exited (no -a needed)"
    expect_eq "$(names --filter name=web)" "web3 " "name=web (running only)"
    expect_eq "$(names -a --filter name=web)" "web1 web2 web3 " "-a name=web"
    expect_eq "$(names -a --filter 'name=^web[12]$')" "web1 web2 " "a regular expression"
    expect_eq "$(names --filter status=exited --filter name=web)" "web1 web2 " "two keys: both"
    expect_eq "$(names --filter status=exited --filter status=running)" "db web1 web2 web3 " \
        "one key twice: either"
    expect_eq "$(names -a -f exited=3)" "web2 " "exited=3"
    expect_eq "$("$TDG" ps -q --filter name=web3)" "$run1" "-q with a filter"
    capture "$TDG" ps --filter colour=red
    expect_error 125 "no such filter"
    capture "$TDG" ps --filter status=sleeping
    expect_error 125 "not a status"
    capture "$TDG" ps --filter 'name=('
    expect_error 125 "name=("
    capture "$TDG" ps --filter
    expect_error 125 "needs a value"
}

t_logs_tail_timestamps_since() {
    local id stamped early late
    id=$(tdg_run -d /bin/sh -c 'echo early1; echo early2; sleep 1.2; echo late; printf "no newline"')
    "$TDG" logs -f "$id" >/dev/null # until it exits
    capture "$TDG" logs --tail 2 "$id"
    expect_eq "$OUT" $'late\nno newline' "--tail 2"
    capture "$TDG" logs --tail 0 "$id"
    expect_eq "$OUT" "" "--tail 0"
    capture "$TDG" logs --tail all "$id"
    expect_eq "$(echo "$OUT" | wc -l)" 4 "--tail all"
    capture "$TDG" logs -t "$id"
    stamped=$OUT
    expect_eq "$(echo "$stamped" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z ')" 4 \
        "lines with an RFC 3339 time"
    expect_eq "$(echo "$stamped" | cut -d' ' -f2-)" $'early1\nearly2\nlate\nno newline' "the lines"
    early=$(echo "$stamped" | sed -n 1p | cut -d' ' -f1)
    late=$(echo "$stamped" | sed -n 3p | cut -d' ' -f1)
    # The watcher's clock, not the reader's: 1.2 s apart, as they were written.
    (($(date -d "$late" +%s%N) - $(date -d "$early" +%s%N) >= 1000000000)) ||
        fail "early at $early, late at $late: not a second apart"
    (($(date +%s) - $(date -d "$early" +%s) < 600)) || fail "early at $early: not now"
    capture "$TDG" logs --since "$late" "$id"
    expect_eq "$OUT" $'late\nno newline' "--since the late line's time"
    capture "$TDG" logs -t --tail 1 --since 1h "$id"
    expect_eq "${OUT#* }" "no newline" "-t --tail 1 --since 1h"
    capture "$TDG" logs --since 0s "$id"
    expect_eq "$OUT" "" "--since now"
    capture "$TDG" logs --since "$(date -d "$early" +%s)" "$id"
    expect_contains "$OUT" early1 "--since as Unix seconds"
    # -f with --tail: the last line there, then what comes.
    id=$(tdg_run -d /bin/sh -c 'echo one; echo two; sleep 0.5; echo three')
    wait_for grep -q two "$TDG_ROOT/containers/$id/container.log"
    capture "$TDG" logs -f --tail 1 "$id"
    expect_eq "$OUT" $'two\nthree' "-f --tail 1"
    capture "$TDG" logs --tail x "$id"
    expect_error 125 "--tail 'x'"
    capture "$TDG" logs --since yesterday "$id"
    expect_error 125 "--since 'yesterday'"
}

# A log written before day 10 (or by days 05-09) has no container.times:
# plain logs and --tail read it as before; -t says why it cannot.
t_logs_of_a_log_without_times() {
    local id
    id=$(tdg_run -d /bin/sh -c 'echo a; echo b')
    "$TDG" logs -f "$id" >/dev/null
    rm "$TDG_ROOT/containers/$id/container.times"
    capture "$TDG" logs "$id"
    expect_eq "$OUT" $'a\nb' "logs"
    capture "$TDG" logs --tail 1 "$id"
    expect_eq "$OUT" b "--tail 1"
    capture "$TDG" logs -t "$id"
    expect_error 125 "has no arrival times"
}

t_user_by_name_and_number() {
    capture tdg_run -u nobody /bin/sh -c 'id; echo $HOME; grep CapEff /proc/self/status'
    expect_eq "$(echo "$OUT" | sed -n 1p)" "uid=65534(nobody) gid=65534(nogroup)" "-u nobody"
    expect_eq "$(echo "$OUT" | sed -n 2p)" /nonexistent "HOME from /etc/passwd"
    expect_contains "$OUT" "CapEff:	0000000000000000" "capabilities of a non-root user"
    capture tdg_run -u 1000:1000 /bin/sh -c 'id; touch /etc/x'
    expect_contains "$OUT" "uid=1000 gid=1000" "-u 1000:1000"
    expect_contains "$ERR" "Permission denied" "uid 1000 writing /etc"
    capture tdg_run -u 1000 /bin/sh -c id
    expect_eq "$OUT" "uid=1000 gid=0(root)" "-u 1000 (no passwd line: group 0)"
    # Names are the container's: a passwd and group of its own.
    local etc=$TDG_ROOT/etc
    mkdir -p "$etc"
    echo 'www:x:33:33:web:/var/www:/bin/sh' >"$etc/passwd"
    printf 'www:x:33:\nstaff:x:50:www\nwheel:x:10:root\n' >"$etc/group"
    capture tdg_run -v "$etc/passwd:/etc/passwd:ro" -v "$etc/group:/etc/group:ro" \
        -u www /bin/sh -c 'id; echo $HOME'
    expect_eq "$OUT" $'uid=33(www) gid=33(www) groups=50(staff)\n/var/www' "-u www"
    capture tdg_run -v "$etc/passwd:/etc/passwd:ro" -v "$etc/group:/etc/group:ro" \
        -u www:staff /bin/sh -c id
    expect_eq "$OUT" "uid=33(www) gid=50(staff)" "-u www:staff"
    capture tdg_run -u www /bin/true
    expect_error 125 "-u 'www': no such user in the container's /etc/passwd"
    capture tdg_run -u nobody:nosuch /bin/true
    expect_error 125 "no such group"
    capture tdg_run -u 'a b' /bin/true
    expect_error 125 "run: -u 'a b': not USER[:GROUP]"
    capture tdg_run -u 4294967295 /bin/true
    expect_error 125 "below 4294967295"
    capture tdg_run --user
    expect_error 125 "needs a value"
}

t_env_file() {
    local f=$TDG_ROOT/env
    printf '# a comment\n\nA=1\nB=two words\nC="quoted"\nFROM_HOST\nNOT_ON_HOST\n' >"$f"
    FROM_HOST=yes capture tdg_run --env-file "$f" -e A=override /usr/bin/env
    expect_contains "$OUT" "A=override" "-e wins over the file"
    expect_contains "$OUT" "B=two words" env
    expect_contains "$OUT" 'C="quoted"' "env (quotes kept, as Docker does)"
    expect_contains "$OUT" "FROM_HOST=yes" "env (KEY alone: the host's)"
    expect_not_contains "$OUT" "NOT_ON_HOST" env
    expect_not_contains "$OUT" "comment" env
    printf 'GOOD=1\nBAD NAME=2\n' >"$f"
    capture tdg_run --env-file "$f" /bin/true
    expect_error 125 "line 2: 'BAD NAME=2'"
    capture tdg_run --env-file /no/such/file /bin/true
    expect_error 125 "--env-file '/no/such/file': No such file or directory"
}

t_workdir_long_form() {
    capture tdg_run --workdir /srv/app /bin/pwd
    expect_eq "$OUT" /srv/app "pwd with --workdir"
    capture tdg_run --workdir=relative /bin/pwd
    expect_error 125 "not an absolute path"
}

t_help_names_every_new_flag() {
    local flag
    capture "$TDG" run --help
    for flag in --rm --user --env-file --workdir; do expect_contains "$OUT" "$flag" "run --help"; done
    capture "$TDG" ps --help
    for flag in --quiet --filter status= name=; do expect_contains "$OUT" "$flag" "ps --help"; done
    capture "$TDG" logs --help
    for flag in --tail --timestamps --since; do expect_contains "$OUT" "$flag" "logs --help"; done
    capture "$TDG" prune --help
    expect_contains "$OUT" "container prune" "prune --help"
    capture "$TDG" --help
    for flag in prune "rm [-f] ID..." "stop [-t SECONDS] ID..."; do expect_contains "$OUT" "$flag" "--help"; done
}

run_tests "$@"
