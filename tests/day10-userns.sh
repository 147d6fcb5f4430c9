#!/usr/bin/env bash
# Day 10 — run --userns: the container's root is uid 0 inside and an
# unprivileged uid outside (100000, or /etc/subuid's tdg or root entry).
# Files it makes in a volume belong to that uid; a file only the host's root
# may read stays closed to it; the rootfs, seen through an idmapped mount,
# still looks root's and stays untouched; exec joins the same namespace;
# limits, /dev, ptys and the security walls still work; without --userns
# nothing changes. Every container here is --net none but one, which runs
# on the bridge.
source "$(dirname "$0")/lib.sh"

# The host uid of the container's root: the first id of tdg's or root's
# /etc/subuid range, else 100000 (what tdg picks, common/userns.c).
first_id() { # FILE
    local n id
    for n in tdg root; do
        id=$(awk -F: -v n=$n '$1 == n && $3 > 0 {print $2; exit}' "$1" 2>/dev/null)
        [[ -n "$id" ]] && { echo "$id"; return; }
    done
    echo 100000
}
HOST_UID=$(first_id /etc/subuid)
HOST_GID=$(first_id /etc/subgid)

# The container's root must pass through $TDG_ROOT (mktemp made it 0700) to
# its state folder, like any other user.
open_root() { chmod 711 "$TDG_ROOT"; }
urun() { open_root; capture tdg_run --net none --userns "$@"; }

# field NAME TEXT: the first value of "NAME:" in a /proc/PID/status dump.
field() { awk -v k="$1:" '$1 == k {print $2}' <<<"$2"; }

t_root_inside_is_an_unprivileged_uid_outside() {
    open_root
    tdg_run --net none --userns -d --name u /bin/sleep 30 >/dev/null
    capture "$TDG" exec u /bin/sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
    expect_eq "$(sed -n 1,2p <<<"$OUT" | tr '\n' ' ')" "0 0 " "id -u, id -g inside"
    expect_eq "$(sed -n 3p <<<"$OUT" | tr -s ' ' | sed 's/^ //')" "0 $HOST_UID 65536" "uid_map inside"
    expect_eq "$(sed -n 4p <<<"$OUT" | tr -s ' ' | sed 's/^ //')" "0 $HOST_GID 65536" "gid_map inside"
    local pid status
    pid=$("$TDG" inspect u | jq -r .pid)
    status=$(cat "/proc/$pid/status")
    expect_eq "$(grep '^Uid:' <<<"$status" | tr -s '\t ' ' ')" "Uid: $HOST_UID $HOST_UID $HOST_UID $HOST_UID" "its Uid on the host"
    expect_eq "$(grep '^Gid:' <<<"$status" | tr -s '\t ' ' ')" "Gid: $HOST_GID $HOST_GID $HOST_GID $HOST_GID" "its Gid on the host"
    expect_eq "$(grep '^Groups:' <<<"$status" | tr -d '\t ')" "Groups:" "its supplementary groups (none of the host's)"
    expect_eq "$(ps -o uid= -p "$pid" | tr -d ' ')" "$HOST_UID" "ps -o uid"
    "$TDG" rm -f u >/dev/null
}

t_metadata_records_the_user_namespace() {
    open_root
    tdg_run --net none --userns --name u /bin/true
    expect_eq "$("$TDG" inspect u | jq -c '[.userns, .uid_map, .gid_map]')" \
        "[true,\"0 $HOST_UID 65536\",\"0 $HOST_GID 65536\"]" "userns, uid_map, gid_map"
    # Its state folder: the container's root may pass, other host users not.
    expect_eq "$(stat -c '%a %u %g' "$TDG_ROOT/containers/$("$TDG" inspect u | jq -r .id)")" \
        "710 0 $HOST_GID" "the state folder's mode, owner and group"
    tdg_run --net none --name plain /bin/true
    expect_eq "$("$TDG" inspect plain | jq -c '[.userns, .uid_map]')" "[false,null]" "without --userns"
}

t_a_file_made_in_a_volume_belongs_to_the_range() {
    mkdir -m 777 "$TDG_ROOT/vol"
    urun -v "$TDG_ROOT/vol:/data" /bin/sh -c 'touch /data/made; ls -ln /data/made'
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(stat -c '%u %g' "$TDG_ROOT/vol/made")" "$HOST_UID $HOST_GID" "its owner on the host"
    expect_eq "$(awk '{print $3, $4}' <<<"$OUT")" "0 0" "its owner inside"
}

# The proof that root inside is not root outside: a host file only the
# host's root may read, bound into the container, and in an exec'd process.
t_container_root_cannot_read_a_file_only_host_root_can() {
    echo host-secret >"$TDG_ROOT/secret"
    chmod 600 "$TDG_ROOT/secret"
    urun -v "$TDG_ROOT/secret:/secret" /bin/sh -c 'cat /secret; echo "rc=$?"; echo pwned >>/secret; ls -ln /secret'
    expect_contains "$OUT" "rc=1" "cat's exit status"
    expect_contains "$ERR" "can't open '/secret': Permission denied" "cat's error"
    expect_not_contains "$OUT" host-secret "what the container read"
    expect_eq "$(cat "$TDG_ROOT/secret")" host-secret "the file on the host"
    expect_contains "$OUT" "65534    65534" "its owner inside (unmapped: nobody)"
    # The control: without --userns the same container reads it.
    capture tdg_run --net none -v "$TDG_ROOT/secret:/secret" /bin/cat /secret
    expect_eq "$OUT" host-secret "what a container without --userns reads"
}

t_exec_joins_the_user_namespace() {
    echo host-secret >"$TDG_ROOT/secret"
    chmod 600 "$TDG_ROOT/secret"
    open_root
    tdg_run --net none --userns -d --name u -v "$TDG_ROOT/secret:/secret" /bin/sleep 30 >/dev/null
    local pid
    pid=$("$TDG" inspect u | jq -r .pid)
    capture "$TDG" exec u /bin/sh -c 'readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map | tr -s " "; cat /secret'
    expect_eq "$(sed -n 1p <<<"$OUT")" "$(readlink "/proc/$pid/ns/user")" "exec's user namespace (the container's)"
    expect_ne "$(sed -n 1p <<<"$OUT")" "$(readlink /proc/self/ns/user)" "exec's user namespace (not the host's)"
    expect_eq "$(sed -n 2p <<<"$OUT")" 0 "id -u under exec"
    expect_eq "$(sed -n 3p <<<"$OUT")" " 0 $HOST_UID 65536" "uid_map under exec"
    expect_contains "$ERR" "Permission denied" "cat /secret under exec"
    # Its host uid, seen from the host while it runs.
    "$TDG" exec u /bin/sleep 33 &
    BG_PIDS+=($!)
    local sleeper="" p
    _exec_sleeper() {
        for p in $(pgrep -f '^/bin/sleep 33$'); do
            [[ "$(readlink "/proc/$p/ns/user")" == "$(readlink "/proc/$pid/ns/user")" ]] && sleeper=$p
        done
        [[ -n "$sleeper" ]]
    }
    wait_for _exec_sleeper
    expect_eq "$(ps -o uid= -p "$sleeper" | tr -d ' ')" "$HOST_UID" "the exec'd process's uid on the host"
    "$TDG" rm -f u >/dev/null
}

t_the_rootfs_looks_root_owned_inside_and_stays_untouched() {
    local before
    before=$(find "$ROOTFS" -printf '%p %U %G %m %s %T@\n' | sort | md5sum)
    urun --name w /bin/sh -c 'ls -ln /bin/busybox; echo new >/etc/motd; rm -r /home; mkdir /home; ls -a /home | wc -l'
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(sed -n 1p <<<"$OUT" | awk '{print $3, $4}')" "0 0" "the owner of /bin/busybox inside"
    expect_eq "$(sed -n 2p <<<"$OUT")" 2 "entries of a folder deleted and made again (. and ..)"
    expect_eq "$(find "$ROOTFS" -printf '%p %U %G %m %s %T@\n' | sort | md5sum)" "$before" "the rootfs folder"
    local id
    id=$("$TDG" inspect w | jq -r .id)
    expect_eq "$(stat -c '%u %g' "$TDG_ROOT/containers/$id/upper/etc/motd")" "$HOST_UID $HOST_GID" \
        "the owner of the container's write in its layer"
    urun --read-only /bin/sh -c 'ls -ln /bin/busybox; touch /x'
    expect_eq "$(awk '{print $3, $4}' <<<"$OUT")" "0 0" "the owner of /bin/busybox with --read-only"
    expect_contains "$ERR" "Read-only file system" "a write with --read-only"
}

t_limits_devices_and_a_tty_work_in_the_user_namespace() {
    urun --pids-limit 5 /bin/sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait'
    expect_contains "$ERR" "can't fork" "the 6th fork under --pids-limit 5"
    urun /bin/sh -c 'echo x >/dev/null && head -c 8 /dev/urandom | wc -c && head -c 4 /dev/zero | wc -c'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "8 4 " "/dev/null, /dev/urandom, /dev/zero"
    local cmd
    printf -v cmd '%q ' "${RUN[@]}" --net none --userns -t /bin/sh -c 'tty; id -u'
    capture script -qec "$cmd" /dev/null
    expect_eq "$(tr -d '\r' <<<"$OUT" | tr '\n' ' ')" "/dev/pts/0 0 " "tty and id -u with -t"
}

t_the_walls_still_stand_in_the_user_namespace() {
    urun /bin/sh -c 'cat /proc/self/status; mount -t tmpfs none /mnt; echo "mount=$?"; unshare -U true; echo "U=$?"'
    expect_eq "$(field CapEff "$OUT")" 00000000a80425fb CapEff
    expect_eq "$(field CapBnd "$OUT")" 00000000a80425fb CapBnd
    expect_eq "$(field NoNewPrivs "$OUT")" 1 NoNewPrivs
    expect_eq "$(field Seccomp "$OUT")" 2 Seccomp
    expect_contains "$OUT" "mount=1" "mount's exit status"
    expect_contains "$OUT" "U=1" "unshare -U's exit status"
}

t_without_userns_nothing_changes() {
    mkdir -m 777 "$TDG_ROOT/vol"
    tdg_run --net none -d --name plain -v "$TDG_ROOT/vol:/data" /bin/sh -c 'touch /data/made; sleep 30' >/dev/null
    local pid
    pid=$("$TDG" inspect plain | jq -r .pid)
    wait_for test -e "$TDG_ROOT/vol/made"
    expect_eq "$(stat -c '%u %g' "$TDG_ROOT/vol/made")" "0 0" "a volume file's owner on the host"
    expect_eq "$(awk '$1 == "Uid:" {print $2}' "/proc/$pid/status")" 0 "the container's uid on the host"
    expect_eq "$(readlink "/proc/$pid/ns/user")" "$(readlink /proc/self/ns/user)" "its user namespace (the host's)"
    capture "$TDG" exec plain /bin/sh -c 'tr -s " " </proc/self/uid_map'
    expect_eq "$OUT" " 0 0 4294967295" "uid_map under exec"
    "$TDG" rm -f plain >/dev/null
}

# The cleanup promise: SIGKILL of the watcher kills the container (its
# parent-death signal, which the kernel clears when the child changes its
# uid to the namespace's root: tdg sets it again).
t_a_killed_watcher_takes_the_container_along() {
    open_root
    tdg_run --net none --userns -d --name u /bin/sleep 30 >/dev/null
    local pid watcher
    pid=$("$TDG" inspect u | jq -r .pid)
    watcher=$("$TDG" inspect u | jq -r .watcher_pid)
    kill -KILL "$watcher"
    _dead_or_zombie() { ! alive "$pid" || [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]]; }
    wait_for _dead_or_zombie
    wait_for sh -c "\"$TDG\" ps -a | grep -q 'exited'"
}

t_userns_with_net_host_or_privileged_is_refused() {
    open_root
    capture tdg_run --net host --userns /bin/true
    expect_error 125 "--userns and --net host"
    capture tdg_run --net none --userns --privileged /bin/true
    expect_error 125 "--userns and --privileged"
}

t_a_state_folder_closed_to_the_container_root_is_reported() {
    chmod 700 "$TDG_ROOT"
    capture tdg_run --net none --userns /bin/true
    expect_error 125 "$TDG_ROOT is closed to others (mode 700)"
    expect_contains "$ERR" "chmod o+x $TDG_ROOT" "the hint"
    expect_eq "$(ls "$TDG_ROOT/containers" | wc -l)" 0 "containers left behind"
    open_root
    mkdir -m 700 "$TDG_ROOT/closed"
    mkdir "$TDG_ROOT/closed/v"
    capture tdg_run --net none --userns -v "$TDG_ROOT/closed/v:/v" /bin/true
    expect_error 125 "cannot reach the volume $TDG_ROOT/closed/v"
}

# The one bridged test: the veth is made from outside, into a network
# namespace that the container's user namespace owns; its root configures
# eth0 and pings with capabilities over that namespace only.
t_a_bridged_container_gets_its_network() {
    open_root
    capture "${RUN[@]}" --userns /bin/sh -c \
        'ip -4 -o addr show eth0; ping -c 1 -W 2 "$(ip route | awk "/default/ {print \$3}")" >/dev/null && echo pinged; ls /sys/class/net | tr "\n" " "; echo; id -u'
    expect_eq "$RC" 0 "exit status"
    expect_contains "$OUT" "inet 10.77.0." "eth0's address"
    expect_contains "$OUT" pinged "a ping to the gateway"
    expect_contains "$OUT" "eth0 lo " "/sys/class/net (its own network namespace's)"
    expect_eq "$(tail -1 <<<"$OUT")" 0 "id -u"
}

run_tests "$@"
