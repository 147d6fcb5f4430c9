#!/usr/bin/env bash
# Day 04 — ids and metadata: every run is recorded in
# $TDG_ROOT/containers/<id>/config.json; ps, ps -a and inspect read it, and
# what they report is the truth about the process, even after tdg was killed
# or the pid was reused.
source "$(dirname "$0")/lib.sh"

config() { echo "$TDG_ROOT/containers/$1/config.json"; }
id_of() { "$TDG" inspect "$1" | jq -r .id; }

t_run_records_the_contract_fields() {
    capture tdg_run --name web /bin/sh -c 'exit 4'
    expect_eq "$RC" 4 "exit status"
    capture "$TDG" inspect web
    expect_eq "$RC" 0 "inspect's exit status"
    local j=$OUT ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
    [[ "$(jq -r .id <<<"$j")" =~ ^[0-9a-f]{12}$ ]] || fail "id is not 12 hex digits"
    expect_eq "$(jq -r .name <<<"$j")" web name
    expect_eq "$(jq -c .command <<<"$j")" '["/bin/sh","-c","exit 4"]' command
    expect_eq "$(jq -r .hostname <<<"$j")" "$(jq -r .id <<<"$j")" "hostname (defaults to the id)"
    expect_eq "$(jq -r .rootfs <<<"$j")" "$ROOTFS" rootfs
    expect_eq "$(jq -r .status <<<"$j")" exited status
    expect_eq "$(jq -r .exit_code <<<"$j")" 4 exit_code
    expect_eq "$(jq -r .pid <<<"$j")" 0 "pid once exited"
    local f
    for f in created_at started_at finished_at; do
        [[ "$(jq -r ".$f" <<<"$j")" =~ $ts ]] || fail "$f is not RFC 3339 UTC: $(jq -r ".$f" <<<"$j")"
    done
    # The file is the same JSON, and no temp file is left beside it.
    expect_eq "$(jq -c . "$(config "$(jq -r .id <<<"$j")")")" "$(jq -c . <<<"$j")" "config.json"
    expect_eq "$(find "$TDG_ROOT" -name '.config.json.*' | wc -l)" 0 "temp files left"
}

t_hostname_defaults_to_the_id() {
    capture tdg_run --name h /bin/hostname
    expect_eq "$OUT" "$(id_of h)" "hostname inside"
}

t_ids_are_unique() {
    local i
    for i in 1 2 3 4 5 6; do tdg_run /bin/true; done
    expect_eq "$(ls "$TDG_ROOT/containers" | sort -u | grep -cE '^[0-9a-f]{12}$')" 6 "distinct ids"
}

t_ps_shows_running_then_ps_a_shows_exited() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --name sleeper /bin/sleep 30
    local c line
    c=$(container_pid "$BG_PID" sleep)
    capture "$TDG" ps
    expect_eq "$(head -1 <<<"$OUT" | tr -s ' ')" "CONTAINER ID NAME PID STATUS CREATED COMMAND" "ps header"
    line=$(grep sleeper <<<"$OUT") || fail "ps does not list the running container" "$OUT"
    expect_eq "$(awk '{print $3, $4}' <<<"$line")" "$c running" "PID and STATUS columns"
    expect_contains "$line" '"/bin/sleep 30"' "COMMAND column"
    kill -KILL "$c"
    wait_bg "$BG_PID"
    capture "$TDG" ps
    expect_not_contains "$OUT" sleeper "ps after it exited"
    capture "$TDG" ps -a
    expect_contains "$(grep sleeper <<<"$OUT")" "exited (137)" "ps -a after SIGKILL"
}

t_two_containers_at_once() {
    start_bg "$TDG_ROOT/a" "${RUN[@]}" --name one /bin/sleep 30
    local b=$BG_PID
    start_bg "$TDG_ROOT/b" "${RUN[@]}" --name two /bin/sleep 30
    container_pid "$b" sleep >/dev/null
    container_pid "$BG_PID" sleep >/dev/null
    capture "$TDG" ps
    expect_eq "$(grep -cE ' (one|two) .* running ' <<<"$OUT")" 2 "running containers in ps"
    expect_ne "$(id_of one)" "$(id_of two)" "ids"
}

t_killed_tdg_is_reported_exited() {
    start_bg "$TDG_ROOT/out" "${RUN[@]}" --name orphan /bin/sleep 30
    local c
    c=$(container_pid "$BG_PID" sleep)
    kill -KILL "$BG_PID" # tdg never gets to record the end
    wait_for gone "$c"
    expect_eq "$(jq -r .status "$(config "$(id_of orphan)")")" exited "status after inspect"
    capture "$TDG" ps -a
    expect_contains "$(grep orphan <<<"$OUT")" "exited (?)" "ps -a"
    expect_eq "$("$TDG" inspect orphan | jq -r .exit_code)" null "exit_code (unknown)"
}

# A record that claims "running" with a pid that is alive, but is another
# process (pid reuse): the start time or the boot id gives it away.
t_reused_pid_is_not_the_container() {
    tdg_run --name ghost /bin/true
    local f j
    f=$(config "$(id_of ghost)")
    j=$(jq --argjson p $$ '.status = "running" | .pid = $p | .pid_start_time = 1' "$f")
    echo "$j" >"$f"
    capture "$TDG" ps
    expect_not_contains "$OUT" ghost "ps (pid $$ is alive but not the container)"
    expect_eq "$(jq -r .status "$f")" exited "status after ps"
    # Same pid and start time, another boot: also a stranger.
    local start
    start=$(awk '{sub(/.*\) /, ""); print $20}' /proc/$$/stat)
    jq --argjson p $$ --argjson s "$start" \
        '.status = "running" | .pid = $p | .pid_start_time = $s | .boot_id = "00000000-0000-0000-0000-000000000000"' \
        "$f" >"$f.new" && mv "$f.new" "$f"
    expect_eq "$("$TDG" inspect ghost | jq -r .status)" exited "status of a pid from another boot"
}

t_id_prefix_and_name_resolve() {
    tdg_run --name byname /bin/true
    local id
    id=$(id_of byname)
    expect_eq "$("$TDG" inspect "$id" | jq -r .name)" byname "inspect by full id"
    expect_eq "$("$TDG" inspect "${id:0:6}" | jq -r .name)" byname "inspect by prefix"
    # A name wins over an id prefix it happens to look like (Docker's order).
    tdg_run --name "${id:0:2}" /bin/true
    expect_ne "$(id_of "${id:0:2}")" "$id" "inspect ${id:0:2} (a name and a prefix)"
    # Two made-up records sharing a prefix.
    local d
    for d in aaaaaaaaaaa1 aaaaaaaaaaa2; do
        mkdir "$TDG_ROOT/containers/$d"
        jq --arg id "$d" '.id = $id | .name = null' "$(config "$id")" >"$(config "$d")"
    done
    capture "$TDG" inspect aaaa
    expect_error 125 "'aaaa' matches 2 containers"
    capture "$TDG" inspect aaaaaaaaaaa2
    expect_eq "$RC" 0 "inspect by full id beside a shared prefix"
}

t_unknown_container_is_125() {
    capture "$TDG" inspect nosuchthing
    expect_error 125 "no such container: 'nosuchthing'"
    capture "$TDG" inspect
    expect_error 125 "usage: tdg inspect ID"
    capture "$TDG" ps --bogus
    expect_error 125 "ps: unknown flag '--bogus'"
}

t_name_clash_is_125() {
    tdg_run --name taken /bin/true
    capture tdg_run --name taken /bin/true
    expect_error 125 "the name 'taken' is already used"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 1 "containers recorded"
}

t_invalid_name_is_125() {
    local n
    for n in '' 'a b' '-x' 'a/b' '.x' "$(printf 'n%.0s' {1..64})"; do
        capture tdg_run --name "$n" /bin/true
        expect_error 125 "not a valid name"
    done
}

t_concurrent_runs_lose_nothing() {
    local i pids=()
    for i in $(seq 1 10); do
        "${RUN[@]}" --name "c$i" /bin/sh -c "exit $i" >/dev/null 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 10 "containers recorded"
    for i in $(seq 1 10); do
        expect_eq "$("$TDG" inspect "c$i" | jq -r '"\(.status) \(.exit_code)"')" "exited $i" "c$i"
    done
}

t_corrupt_config_is_reported_not_fatal() {
    tdg_run --name good /bin/true
    mkdir "$TDG_ROOT/containers/bbbbbbbbbbbb"
    echo '{"id": "bbbb' >"$TDG_ROOT/containers/bbbbbbbbbbbb/config.json"
    capture "$TDG" ps -a
    expect_eq "$RC" 0 "ps -a exit status"
    expect_contains "$OUT" good "ps -a still lists the good one"
    expect_contains "$ERR" "bbbbbbbbbbbb/config.json is not valid tdg metadata" "ps -a warning"
    capture "$TDG" inspect bbbbbbbbbbbb
    expect_error 125 "config.json is not valid tdg metadata"
}

run_tests "$@"
