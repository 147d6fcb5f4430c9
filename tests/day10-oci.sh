#!/usr/bin/env bash
# Day 10 — tdg as an OCI runtime (day10-final/oci.c, common/oci_spec.c):
# podman drives it through conmon (`podman --runtime $TDG`), containerd and
# Docker through containerd's runc shim, and the OCI commands work when
# called directly on a bundle, as that shim calls them (`--root R --log
# FILE --log-format json`). Each podman test imports the busybox rootfs as
# an image of its own and removes it, and every container it made, however
# it ends. Without a client the tests say so and pass (scripts/deps.sh test
# installs them). --network none, but in the two tests of the clients'
# bridges (podman's netavark, Docker's libnetwork), which put back the
# host as they found it.
source "$(dirname "$0")/lib.sh"

# No `--root` from podman: tdg's OCI containers live in /run/tdg-oci.
OCI_ROOT=/run/tdg-oci
# Podman's default rlimits exceed what a sandbox without CAP_SYS_RESOURCE
# may set (crun and runc fail the same way): ask for reachable ones.
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# no_clients_here: true (with a note) where the caller says the real
# clients cannot run (TDG_NO_OCI_CLIENTS holds why: the v2 guest's ladder).
no_clients_here() {
    [[ -n "${TDG_NO_OCI_CLIENTS:-}" ]] || return 1
    echo "note: skipped: $TDG_NO_OCI_CLIENTS"
}

# need_podman: true if podman and conmon are here; else a note, and the
# test passes without running.
need_podman() {
    no_clients_here && return 1
    command -v podman >/dev/null && command -v conmon >/dev/null && return 0
    echo "note: skipped: podman or conmon is not installed (sudo scripts/deps.sh test)"
    return 1
}

# podman_setup: P (podman with tdg as its runtime), IMG (an image of our
# busybox rootfs), LABEL (on every container, for the cleanup).
podman_setup() {
    TAG=t$$
    IMG=localhost/tdgbusybox:$TAG
    LABEL=tdg-test=$TAG
    P=(podman --runtime "$TDG" --cgroup-manager=cgroupfs)
    trap 'rc=$?; set +e; podman_cleanup; (exit $rc); _cleanup' EXIT
    tar -C "$ROOTFS" -c . | podman import - "$IMG" >/dev/null 2>&1
}

podman_cleanup() {
    local ids
    ids=$(podman ps -aq --filter "label=$LABEL" 2>/dev/null || true)
    [[ -z "$ids" ]] || "${P[@]}" rm -f $ids >/dev/null 2>&1 || true
    podman rmi -f "$IMG" >/dev/null 2>&1 || true
}

prun() { "${P[@]}" run --label "$LABEL" --network none "${ULIMITS[@]}" "$@"; }

t_podman_run_echo() {
    need_podman || return 0
    podman_setup
    capture prun --rm "$IMG" echo hi
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    expect_eq "$OUT" "hi" "output"
    expect_eq "$ERR" "" "stderr"
}

t_podman_exit_status_passes_through() {
    need_podman || return 0
    podman_setup
    capture prun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 42'
    expect_eq "$RC" 42 "exit status"
    expect_eq "$OUT" "out" "stdout"
    expect_eq "$ERR" "err" "stderr"
    capture prun --rm "$IMG" nosuchcommand
    expect_eq "$RC" 127 "exit status of a missing command"
}

# What the bundle asks for is what the container gets: podman's flags
# become config.json fields, which tdg reads into day 10's settings.
t_podman_bundle_settings_honoured() {
    need_podman || return 0
    podman_setup
    local vol=$TDG_ROOT/vol
    mkdir -p "$vol" && echo fromhost >"$vol/f"
    capture prun --rm -e FOO=bar -w /tmp --hostname box1 --user 1000:1001 \
        -v "$vol:/data:ro" --ulimit nofile=512:512 "$IMG" \
        sh -c 'echo $FOO; pwd; hostname; id -u; id -g; cat /data/f; ulimit -n;
               touch /data/x 2>/dev/null && echo writable || echo ro;
               grep -c mqueue /proc/mounts; grep NoNewPrivs /proc/self/status'
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    expect_eq "$OUT" $'bar\n/tmp\nbox1\n1000\n1001\nfromhost\n512\nro\n1\nNoNewPrivs:\t1' "output"
    capture prun --rm --read-only "$IMG" sh -c 'touch /x 2>/dev/null && echo rw || echo ro'
    expect_eq "$OUT" "ro" "--read-only root"
    # podman's 11 capabilities (not Docker's 14 tdg starts from), and none
    # with --cap-drop all (so root cannot chown).
    capture prun --rm "$IMG" grep CapBnd /proc/self/status
    expect_eq "$OUT" $'CapBnd:\t00000000800405fb' "podman's default capabilities"
    capture prun --rm --cap-drop all "$IMG" sh -c 'grep CapEff /proc/self/status; chown 1 /tmp'
    expect_eq "$RC:$OUT" $'1:CapEff:\t0000000000000000' "--cap-drop all"
}

# Detached: create and start are separate calls (conmon's, then podman's),
# the limits land in the cgroup cgroupsPath names, stop is `kill` and
# after the timeout `kill 9`, rm is `delete`.
t_podman_detached_limits_stop_rm() {
    need_podman || return 0
    podman_setup
    capture prun -d --memory 64m --pids-limit 50 "$IMG" sh -c 'echo started; exec sleep 600'
    expect_eq "$RC" 0 "run -d" || fail "stderr: $ERR"
    local id=$OUT
    wait_for podman_logs_show "$id" started
    [[ -d "$OCI_ROOT/$id" ]] || fail "no state folder $OCI_ROOT/$id"
    capture "$TDG" state "$id"
    expect_eq "$(jq -r .status <<<"$OUT")" running "tdg state"
    capture "${P[@]}" ps --filter "label=$LABEL" --format '{{.Status}}'
    expect_contains "$OUT" "Up" "podman ps"
    local mem=/sys/fs/cgroup/memory/libpod_parent/libpod-$id/memory.limit_in_bytes
    local pids=/sys/fs/cgroup/pids/libpod_parent/libpod-$id/pids.max
    [[ -e /sys/fs/cgroup/cgroup.controllers ]] && {
        mem=/sys/fs/cgroup/libpod_parent/libpod-$id/memory.max
        pids=/sys/fs/cgroup/libpod_parent/libpod-$id/pids.max
    }
    expect_eq "$(cat "$mem")" 67108864 "memory limit in the container's cgroup"
    expect_eq "$(cat "$pids")" 50 "pids limit"
    # sleep as PID 1 ignores SIGTERM: podman sends SIGKILL after -t.
    capture "${P[@]}" stop -t 1 "$id"
    expect_eq "$RC" 0 "podman stop" || fail "stderr: $ERR"
    capture "${P[@]}" inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
    expect_eq "$OUT" "exited 137" "after stop"
    capture "${P[@]}" rm "$id"
    expect_eq "$RC" 0 "podman rm" || fail "stderr: $ERR"
    [[ ! -e "$OCI_ROOT/$id" ]] || fail "state folder left: $OCI_ROOT/$id"
    [[ ! -e "$(dirname "$mem")" ]] || fail "cgroup left: $(dirname "$mem")"
}

# podman's default bridge network: netavark makes the netns, the veth and
# podman0 (10.88.0.0/16) before conmon calls `tdg create`, and the bundle
# names that netns by path; tdg joins it. NET_RAW for ping (podman's 11
# capabilities leave it out). netavark removes podman0 with its last
# container but leaves its iptables chains; they go too unless they were
# there before (another podman's).
t_podman_default_bridge_network() {
    need_podman || return 0
    ! ip link show podman0 >/dev/null 2>&1 ||
        { echo "note: skipped: podman0 exists already (podman containers on it are running)"; return 0; }
    podman_setup
    iptables -S | grep -q NETAVARK && HAD_NETAVARK=1 || HAD_NETAVARK=0
    trap 'rc=$?; set +e; podman_cleanup; ((HAD_NETAVARK)) || ipt_take_back "NETAVARK|podman0"; (exit $rc); _cleanup' EXIT
    capture "${P[@]}" run --rm --label "$LABEL" --cap-add NET_RAW "${ULIMITS[@]}" "$IMG" sh -c \
        'gw=$(ip route | awk "/default/ {print \$3}"); echo $gw
         ip -4 -o addr show eth0 | awk "{print \$4}" | grep -q "^10\.88\." && echo "on 10.88"
         ping -c 1 -W 2 $gw >/dev/null && echo reached'
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    expect_eq "$OUT" $'10.88.0.1\non 10.88\nreached' "its gateway, its address, the gateway reached"
}

# podman exec: conmon calls `tdg exec --pid-file P --process F --detach ID`
# (tdg's own `exec -it ID CMD` stays as it was): the second process is in
# the container's namespaces, cgroup and walls, with the process object's
# env and cwd, and its status comes back.
t_podman_exec() {
    need_podman || return 0
    podman_setup
    capture prun -d "$IMG" sleep 600
    expect_eq "$RC" 0 "run -d" || fail "stderr: $ERR"
    local id=$OUT
    capture "${P[@]}" exec -e X=1 -w /tmp "$id" sh -c 'echo $X $(pwd) $(hostname); cat /proc/1/comm; grep Seccomp: /proc/self/status; exit 5'
    expect_eq "$RC" 5 "exec's exit status" || fail "stderr: $ERR"
    expect_eq "$OUT" "1 /tmp ${id:0:12}"$'\nsleep\nSeccomp:\t2' "exec's output"
    local cg
    cg=$(ls -d /sys/fs/cgroup/pids/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id" 2>/dev/null | head -1)
    capture "${P[@]}" exec "$id" sh -c "cat /proc/self/cgroup | grep -c libpod-$id"
    expect_ne "$OUT" 0 "exec in the container's cgroup"
    capture "${P[@]}" exec "$id" nosuchcommand
    expect_eq "$RC" 127 "exec of a missing command"
    capture "${P[@]}" rm -f -t 0 "$id"
    expect_eq "$RC" 0 "rm -f" || fail "stderr: $ERR"
    [[ ! -e "$OCI_ROOT/$id" && ! -e "$cg" ]] || fail "left behind: $OCI_ROOT/$id $cg"
}

# linux.seccomp: the bundle's profile (podman's default one, or a user's
# through --security-opt seccomp=FILE) is the container's filter, and its
# exec processes' too, in place of tdg's own: here one that denies mkdir
# with EPERM and rmdir with EACCES, and lets unshare through (tdg's own
# filter denies it). A call libseccomp does not know is skipped.
t_podman_seccomp_profile() {
    need_podman || return 0
    podman_setup
    local prof=$TDG_ROOT/profile.json
    cat >"$prof" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
              {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
              {"names": ["nosuchcall_in_libseccomp"], "action": "SCMP_ACT_ERRNO"}]}
EOF
    local try='mkdir /tmp/d 2>&1; rmdir /tmp 2>&1; unshare -U true 2>/dev/null && echo unshared || echo no unshare'
    local denied=$'mkdir: can\'t create directory \'/tmp/d\': Operation not permitted\nrmdir: \'/tmp\': Permission denied\nunshared'
    capture prun --rm --security-opt seccomp="$prof" "$IMG" sh -c "$try"
    expect_eq "$OUT" "$denied" "run under the profile"
    capture prun -d --security-opt seccomp="$prof" "$IMG" sleep 600
    expect_eq "$RC" 0 "run -d" || fail "stderr: $ERR"
    local id=$OUT
    capture "${P[@]}" exec "$id" sh -c "$try"
    expect_eq "$OUT" "$denied" "exec under the profile"
    "${P[@]}" rm -f -t 0 "$id" >/dev/null
    # Without a profile (seccomp=unconfined): tdg's own filter.
    capture prun --rm --security-opt seccomp=unconfined "$IMG" sh -c "$try"
    expect_eq "$OUT" $'rmdir: \'/tmp\': Directory not empty\nno unshare' "tdg's own filter"
    # A profile allows mknod (Docker's does, with CAP_MKNOD): its runtime's
    # device cgroup guards open(). tdg has none, so its device rules stay on
    # top of any profile: no block or char node, a fifo is fine.
    capture prun --rm --cap-add MKNOD --security-opt seccomp="$prof" "$IMG" sh -c \
        'mknod /tmp/disk b 7 0 2>&1; mknod /tmp/tty c 4 1 2>&1; mknod /tmp/f p && echo fifo made'
    expect_eq "$OUT" $'mknod: /tmp/disk: Operation not permitted\nmknod: /tmp/tty: Operation not permitted\nfifo made' \
        "device nodes under a profile that allows mknod"
    # What tdg cannot honour is named before anything is made.
    jq '.syscalls[0].action = "SCMP_ACT_NOTIFY"' "$prof" >"$prof.2"
    capture prun --rm --security-opt seccomp="$prof.2" "$IMG" true
    expect_ne "$RC" 0 "exit status with SCMP_ACT_NOTIFY"
    expect_contains "$ERR" "linux.seccomp.syscalls[0].action 'SCMP_ACT_NOTIFY': not supported by tdg" "the error"
}

# -it: conmon passes --console-socket; the container makes its pty in its
# own /dev/pts and sends the master there. Driven through a real terminal
# (tmux, as tests/day10-tty.sh): job control works, the size is tmux's.
t_podman_run_it_through_a_terminal() {
    need_podman || return 0
    command -v tmux >/dev/null || { echo "note: skipped: tmux is not installed"; return 0; }
    podman_setup
    local sock=tdg-test-$$
    tmux -L "$sock" new-session -d -x 80 -y 24 \
        "${P[*]} run --rm -it --label $LABEL --network none ${ULIMITS[*]} $IMG sh; echo \"exited \$?\"; sleep 600"
    BG_PIDS+=("$(tmux -L "$sock" display-message -p '#{pid}')")
    screen() { tmux -L "$sock" capture-pane -p -J -S -200; }
    shows() { screen | grep -qF -- "$1"; }
    wait_for shows '/ #' || fail "screen:" "$(screen)"
    tmux -L "$sock" send-keys -l -- 'tty; stty size; sleep 100 & jobs' && tmux -L "$sock" send-keys Enter
    wait_for shows 'Running' || fail "screen:" "$(screen)"
    shows '/dev/pts/0' || fail "no pty of its own:" "$(screen)"
    shows '24 80' || fail "not the terminal's size:" "$(screen)"
    tmux -L "$sock" send-keys -l -- 'exit 7' && tmux -L "$sock" send-keys Enter
    wait_for shows 'exited 7' || fail "screen:" "$(screen)"
    ! shows "job control turned off" || fail "no job control:" "$(screen)"
    tmux -L "$sock" kill-server
}

# containerd, started by the test (its own root, state and socket; no CRI
# plugin), runs tdg through its runc shim: `ctr run --runc-binary $TDG`.
# The shim calls `tdg --root R --log FILE --log-format json create|start|
# kill|delete|exec ...`. The image: podman's, saved as a docker archive.
t_ctr_run_exec_kill_delete() {
    need_podman || return 0
    no_clients_here && return 0
    command -v containerd >/dev/null && command -v ctr >/dev/null ||
        { echo "note: skipped: containerd is not installed (sudo scripts/deps.sh test)"; return 0; }
    podman_setup
    local d=$TDG_ROOT/ctd sock=/run/tdg-test-ctd-$$.sock id=tdgtest$$
    mkdir -p "$d"
    printf '%s\n' 'version = 2' "root = \"$d/root\"" "state = \"$d/state\"" \
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]' '[grpc]' "address = \"$sock\"" \
        '[ttrpc]' "address = \"$sock.ttrpc\"" >"$d/config.toml"
    start_bg "$d/log" containerd --config "$d/config.toml"
    CTD=$BG_PID SOCK=$sock ID=$id
    trap 'rc=$?; set +e; ctr_cleanup; podman_cleanup; (exit $rc); _cleanup' EXIT
    wait_for test -S "$sock"
    podman save --format docker-archive -o "$d/img.tar" "$IMG" >/dev/null 2>&1
    C image import "$d/img.tar" >/dev/null
    capture C run --rm --runc-binary "$TDG" "$IMG" "$id" sh -c 'echo hello; exit 42'
    expect_eq "$RC" 42 "ctr run's exit status" || fail "stderr: $ERR"
    expect_eq "$OUT" "hello" "ctr run's output"
    capture C run -d --runc-binary "$TDG" "$IMG" "$id" sleep 600
    expect_eq "$RC" 0 "ctr run -d" || fail "stderr: $ERR"
    expect_contains "$(C task ls)" "RUNNING" "ctr task ls"
    capture C task exec --exec-id e1 "$id" sh -c 'cat /proc/1/comm; exit 3'
    expect_eq "$RC:$OUT" "3:sleep" "ctr task exec"
    capture C task ps "$id" # the shim asks `tdg ps --format json ID`
    expect_eq "$(awk 'NR > 1 {print $1}' <<<"$OUT")" "$(C task ls | awk -v id="$id" '$1 == id {print $2}')" "ctr task ps"
    C task kill -s SIGKILL "$id"
    wait_for task_stopped
    C task delete "$id" >/dev/null
    C container delete "$id"
    [[ ! -e /run/containerd/runc/default/$id ]] || fail "state folder left"
    for d in /sys/fs/cgroup/*/default/"$id" /sys/fs/cgroup/default/"$id"; do
        [[ ! -e "$d" ]] || fail "cgroup left: $d"
    done
}
C() { ctr -a "$SOCK" "$@"; }
task_stopped() { C task ls | grep -q STOPPED; }
ctr_cleanup() {
    C task kill -s SIGKILL "$ID" >/dev/null 2>&1
    C task delete "$ID" >/dev/null 2>&1
    C container delete "$ID" >/dev/null 2>&1
    kill "$CTD" 2>/dev/null
    wait "$CTD" 2>/dev/null
    rm -f "$SOCK" "$SOCK.ttrpc"
}

# Docker: a dockerd the test starts itself (its own data, exec root, pid
# file and socket in TDG_ROOT; tdg as a `runtimes` entry; cgroupfs), with
# its default bridge network on a subnet of its own (10.99.0.0/24, never
# tdg's). Its bridge is libnetwork's work, done from a prestart hook
# (`dockerd libnetwork-setkey`) tdg runs on the host after create. The
# image: the busybox rootfs, `docker import`ed. dockerd changes the host
# (docker0, iptables chains, /run/docker, /etc/docker/key.json):
# docker_cleanup takes back exactly that. --ip-forward=false: it leaves
# the host's forwarding (and the FORWARD policy) as they are.
t_docker_run_with_its_bridge() {
    no_clients_here && return 0
    command -v dockerd >/dev/null ||
        { echo "note: skipped: dockerd is not installed (sudo scripts/deps.sh test)"; return 0; }
    ! ip link show docker0 >/dev/null 2>&1 ||
        { echo "note: skipped: a docker0 bridge exists already (another dockerd?)"; return 0; }
    local d=$TDG_ROOT/docker
    DK=$d DOCKER_CLI=/usr/bin/docker FWD_POLICY=$(iptables -S FORWARD | awk '$1 == "-P" {print $3}')
    [[ -x $DOCKER_CLI ]] || DOCKER_CLI=docker
    [[ -e /run/docker ]] && HAD_RUN_DOCKER=1 || HAD_RUN_DOCKER=0
    [[ -e /etc/docker/key.json ]] && HAD_KEY=1 || HAD_KEY=0
    mkdir -p "$d"
    jq -n --arg tdg "$TDG" '{runtimes: {tdg: {path: $tdg}},
        "exec-opts": ["native.cgroupdriver=cgroupfs"],
        "default-ulimits": {nofile: {Name: "nofile", Soft: 1024, Hard: 1024},
                            nproc: {Name: "nproc", Soft: 1024, Hard: 1024}}}' >"$d/daemon.json"
    start_bg "$d/log" dockerd --config-file "$d/daemon.json" --data-root "$d/data" \
        --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" \
        --bip 10.99.0.1/24 --iptables=true --ip-forward=false --containerd-namespace tdgtest \
        --shutdown-timeout 1
    DOCKERD=$BG_PID
    trap 'rc=$?; set +e; docker_cleanup; (exit $rc); _cleanup' EXIT
    local i
    for ((i = 0; i < 600; i++)); do docker_up && break; sleep 0.05; done # 30 s at most
    docker_up || fail "dockerd did not answer:" "$(tail -5 "$d/log")"
    tar -C "$ROOTFS" -c . | DK import - tdgbusybox:test >/dev/null
    capture DK run --runtime tdg --rm tdgbusybox:test sh -c \
        'echo hi; ip -4 -o addr show eth0 | awk "{print \$4}"; ping -c 1 -W 2 10.99.0.1 >/dev/null && echo reached; exit 42'
    expect_eq "$RC" 42 "docker run's exit status" || fail "stderr: $ERR" "$(tail -5 "$d/log")"
    expect_eq "$OUT" $'hi\n10.99.0.2/24\nreached' "docker run's output (its bridge address, the gateway reached)"
    capture DK run --runtime tdg --rm tdgbusybox:test nosuchcommand
    expect_eq "$RC" 127 "docker run of a missing command"
    local cg
    for cg in /sys/fs/cgroup/*/docker/* /sys/fs/cgroup/docker/*; do
        [[ ! -d "$cg" ]] || fail "cgroup left: $cg"
    done
}
DK() { "$DOCKER_CLI" -H "unix://$DK/sock" "$@"; }
docker_up() { DK version >/dev/null 2>&1; }
docker_cleanup() {
    local i ctd
    ctd=$(cat "$DK/exec/containerd/containerd.pid" 2>/dev/null)
    kill -TERM "$DOCKERD" 2>/dev/null
    for ((i = 0; i < 300; i++)); do gone_or_zombie "$DOCKERD" && break; sleep 0.05; done
    [[ -z "$ctd" ]] || kill -KILL "$ctd" 2>/dev/null # its containerd, if it outlived it
    # A shim of a container still running (containerd leaves them): by
    # the socket path, which is this test's own.
    for i in /proc/[0-9]*; do
        grep -qsF "$DK/exec/containerd/" "$i/cmdline" && kill -KILL "${i#/proc/}" 2>/dev/null
    done
    ip link del docker0 2>/dev/null
    ipt_take_back 'DOCKER|docker0'
    [[ -z "$FWD_POLICY" ]] || iptables -P FORWARD "$FWD_POLICY"
    ((HAD_RUN_DOCKER)) || rm -rf /run/docker
    ((HAD_KEY)) || rm -f /etc/docker/key.json
    awk -v d="$DK/" 'index($2, d) == 1 {print $2}' /proc/mounts | tac | xargs -r -n1 umount -l
    return 0
}

# ipt_take_back REGEX: delete the iptables rules (filter and nat) that
# mention REGEX (a client's chains or bridge), then the chains it names.
ipt_take_back() {
    local t rule c
    for t in filter nat; do
        iptables -t "$t" -S | grep -E -- "$1" | grep '^-A' | sed 's/^-A/-D/' |
            while read -r rule; do eval iptables -t "$t" "$rule"; done
        iptables -t "$t" -S | awk '$1 == "-N" {print $2}' | grep -E -- "$1" |
            while read -r c; do iptables -t "$t" -X "$c"; done
    done
    return 0
}

# write_bundle DIR CMD...: a bundle as containerd writes one, by hand (no
# podman needed): config.json and a rootfs folder.
write_bundle() {
    local dir=$1 args
    shift
    args=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
    mkdir -p "$dir"
    cat >"$dir/config.json" <<EOF
{"ociVersion": "1.0.2",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": $args,
   "env": ["PATH=/bin:/sbin:/usr/bin", "GREETING=hello"], "cwd": "/"},
 "root": {"path": "$ROOTFS", "readonly": true},
 "hostname": "bundle",
 "mounts": [
   {"destination": "/proc", "type": "proc", "source": "proc"},
   {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
   {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro", "nosuid"]},
   {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
                          {"type": "mount"}, {"type": "network"}],
   "resources": {"pids": {"limit": 20}},
   "cgroupsPath": "/tdg-oci-test/$(basename "$TDG_ROOT")"}}
EOF
}

# The protocol itself, as containerd's shim drives it: create waits on
# exec.fifo (the command has not run), start lets it run, state follows,
# kill and delete end it; every call with --root and a JSON --log.
t_oci_lifecycle_by_hand() {
    local b=$TDG_ROOT/bundle r=$TDG_ROOT/oci log=$TDG_ROOT/log.json
    local T=("$TDG" --root "$r" --log "$log" --log-format json)
    trap 'rc=$?; set +e; by_hand_cleanup '"$r"'; (exit $rc); _cleanup' EXIT
    write_bundle "$b" sh -c 'touch /tmp/ok; exec sleep 600'
    # Hooks on the host, each reading the state on its stdin.
    jq --arg d "$TDG_ROOT" '.hooks = ({} | .prestart = [{path: "/bin/sh", args: ["sh", "-c", "cat >\($d)/prestart"]}]
        | .poststart = [{path: "/bin/sh", args: ["sh", "-c", "cat >\($d)/poststart"]}]
        | .poststop = [{path: "/bin/sh", args: ["sh", "-c", "cat >\($d)/poststop"], timeout: 5}])' \
        "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    capture "${T[@]}" create --bundle "$b" --pid-file "$TDG_ROOT/pid" c1
    expect_eq "$RC" 0 "create" || fail "stderr: $ERR"
    local pid
    pid=$(cat "$TDG_ROOT/pid")
    BG_PIDS+=("$pid")
    alive "$pid" || fail "the container process is gone after create"
    [[ -p "$r/c1/exec.fifo" ]] || fail "no exec.fifo in $r/c1"
    capture "${T[@]}" state c1
    expect_eq "$(jq -r '.status, .pid, .id' <<<"$OUT" | paste -sd' ')" "created $pid c1" "state after create"
    expect_eq "$(cat "/proc/$pid/comm")" "tdg" "before start, it is still tdg (no exec yet)"
    expect_eq "$(jq -r '.status, .pid' "$TDG_ROOT/prestart" | paste -sd' ')" "created $pid" "prestart's stdin"
    [[ ! -e "$TDG_ROOT/poststart" ]] || fail "poststart ran before start"
    capture "${T[@]}" start c1
    expect_eq "$RC" 0 "start" || fail "stderr: $ERR"
    wait_for comm_is "$pid" sleep
    [[ -e /proc/$pid/root/tmp/ok ]] || fail "its command did not run in its root with /tmp"
    expect_contains "$(tr '\0' '\n' <"/proc/$pid/environ")" "GREETING=hello" "its environment"
    expect_eq "$(nsenter -t "$pid" -u hostname)" bundle "its hostname"
    expect_eq "$(jq -r .status <<<"$("${T[@]}" state c1)")" running "state after start"
    expect_eq "$(jq -r .status "$TDG_ROOT/poststart")" running "poststart's stdin"
    expect_eq "$(cat "/sys/fs/cgroup/pids/tdg-oci-test/$(basename "$TDG_ROOT")/pids.max" 2>/dev/null ||
        cat /sys/fs/cgroup/tdg-oci-test/$(basename "$TDG_ROOT")/pids.max)" 20 "pids limit in cgroupsPath"
    capture "${T[@]}" start c1
    expect_error 125 "running already"
    capture "${T[@]}" delete c1
    expect_error 125 "is running"
    capture "${T[@]}" kill c1 KILL
    expect_eq "$RC" 0 "kill" || fail "stderr: $ERR"
    wait_for gone_or_zombie "$pid"
    expect_eq "$(jq -r .status <<<"$("${T[@]}" state c1)")" stopped "state after kill"
    capture "${T[@]}" kill c1 9
    expect_error 125 "container not running"
    capture "${T[@]}" delete c1
    expect_eq "$RC" 0 "delete" || fail "stderr: $ERR"
    expect_eq "$(jq -r .status "$TDG_ROOT/poststop")" stopped "poststop's stdin"
    [[ ! -e "$r/c1" ]] || fail "state folder left: $r/c1"
    for d in /sys/fs/cgroup/*/tdg-oci-test/"$(basename "$TDG_ROOT")" /sys/fs/cgroup/tdg-oci-test/"$(basename "$TDG_ROOT")"; do
        [[ ! -e "$d" ]] || fail "cgroup left: $d"
    done
    capture "${T[@]}" state c1
    expect_error 125 "container c1 does not exist"
    expect_contains "$(tail -1 "$log")" '"msg":"container c1 does not exist"' "the --log JSON line"
}

# by_hand_cleanup R: what a failed test left in the OCI root R (the
# container process, its cgroup, its state), deleted as a caller would.
by_hand_cleanup() {
    local c
    for c in "$1"/*/; do
        [[ -d "$c" ]] && "$TDG" --root "$1" delete --force "$(basename "$c")" 2>/dev/null
    done
    return 0
}
podman_logs_show() { [[ "$("${P[@]}" logs "$1" 2>&1)" == "$2" ]]; }
comm_is() { [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == "$2" ]]; }
gone_or_zombie() { [[ ! -e /proc/$1 ]] || grep -q '^State:.Z' "/proc/$1/status"; }

# kill --all: every process of the container's cgroup, not only its first.
t_oci_kill_all() {
    local b=$TDG_ROOT/bundle r=$TDG_ROOT/oci
    trap 'rc=$?; set +e; by_hand_cleanup '"$r"'; (exit $rc); _cleanup' EXIT
    write_bundle "$b" sh -c 'sleep 600 & exec sleep 601'
    "$TDG" --root "$r" create --bundle "$b" --pid-file "$TDG_ROOT/pid" c4 >/dev/null 2>&1
    local pid
    pid=$(cat "$TDG_ROOT/pid")
    BG_PIDS+=("$pid")
    "$TDG" --root "$r" start c4
    wait_for comm_is "$pid" sleep
    capture "$TDG" --root "$r" ps --format json c4
    expect_eq "$(jq length <<<"$OUT")" 2 "tdg ps: two processes"
    local other
    other=$(jq -r --argjson p "$pid" 'map(select(. != $p))[0]' <<<"$OUT")
    # SIGUSR1 ends a sleep, but not PID 1 (no handler: the kernel drops it).
    "$TDG" --root "$r" kill c4 USR1
    sleep 0.3
    alive "$other" || fail "kill without --all reached a second process"
    "$TDG" --root "$r" kill --all c4 SIGUSR1
    wait_for gone_or_zombie "$other"
    alive "$pid" || fail "PID 1 ended on SIGUSR1"
    "$TDG" --root "$r" delete --force c4
    [[ ! -e "$r/c4" ]] || fail "state folder left: $r/c4"
}

# run_to_its_end R BUNDLE ID: create, start, and wait for the command to
# end; its output in $TDG_ROOT/out.
run_to_its_end() {
    "$TDG" --root "$1" create --bundle "$2" --pid-file "$TDG_ROOT/pid" "$3" >"$TDG_ROOT/out" 2>&1
    BG_PIDS+=("$(cat "$TDG_ROOT/pid")")
    "$TDG" --root "$1" start "$3"
    wait_for gone_or_zombie "$(cat "$TDG_ROOT/pid")"
}

# Joining a namespace by path, as podman hands over the netns netavark
# configured: here one made with `ip netns`, with a veth pair in it.
t_oci_joins_a_network_namespace_by_path() {
    local b=$TDG_ROOT/bundle r=$TDG_ROOT/oci ns=tdgtest$$
    ip netns add "$ns"
    trap 'rc=$?; set +e; by_hand_cleanup '"$r"'; ip netns del '"$ns"'; (exit $rc); _cleanup' EXIT
    ip -n "$ns" link add tdgv0 type veth peer name tdgv1
    write_bundle "$b" sh -c 'ls /sys/class/net | sort | paste -sd" "'
    jq --arg p "/run/netns/$ns" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
        "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    run_to_its_end "$r" "$b" c3
    expect_eq "$(cat "$TDG_ROOT/out")" "lo tdgv0 tdgv1" "the links it sees"
    "$TDG" --root "$r" delete c3
    [[ ! -e "$r/c3" ]] || fail "state folder left: $r/c3"
}

# A cgroup namespace (podman and Docker ask for one on cgroup v2) is made
# after the container joined its cgroup: that cgroup is its "/".
t_oci_cgroup_namespace_rooted_at_its_cgroup() {
    local b=$TDG_ROOT/bundle r=$TDG_ROOT/oci
    trap 'rc=$?; set +e; by_hand_cleanup '"$r"'; (exit $rc); _cleanup' EXIT
    write_bundle "$b" sh -c 'grep -E "^[0-9]+:(pids)?:" /proc/self/cgroup'
    jq '.linux.namespaces += [{"type": "cgroup"}]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    run_to_its_end "$r" "$b" c5
    expect_eq "$(cut -d: -f3 "$TDG_ROOT/out" | sort -u)" "/" "its cgroup (pids; v2 unified), seen from inside"
    "$TDG" --root "$r" delete c5
}

# A field tdg does not honour is an error naming it, and leaves nothing.
t_oci_unsupported_fields_named() {
    local b=$TDG_ROOT/bundle r=$TDG_ROOT/oci
    write_bundle "$b" true
    jq '.hooks = {"createContainer": [{"path": "/bin/true"}]}' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    capture "$TDG" --root "$r" create --bundle "$b" c2
    expect_error 125 "config.json: hooks.createContainer: not supported by tdg"
    write_bundle "$b" true # a prestart hook that fails: create fails, nothing left
    jq '.hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}' "$b/config.json" >"$b/c" &&
        mv "$b/c" "$b/config.json"
    capture "$TDG" --root "$r" create --bundle "$b" c2
    expect_error 125 "hooks.prestart[0] /bin/sh: failed (status 3)"
    write_bundle "$b" true
    jq '.linux.uidMappings = [{"containerID": 0, "hostID": 1000, "size": 1}]' "$b/config.json" >"$b/c" &&
        mv "$b/c" "$b/config.json"
    capture "$TDG" --root "$r" create --bundle "$b" c2
    expect_error 125 "linux.uidMappings: not supported by tdg"
    write_bundle "$b" true
    jq '.process.terminal = true' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    capture "$TDG" --root "$r" create --bundle "$b" c2
    expect_error 125 "process.terminal needs --console-socket"
    write_bundle "$b" true # a sysctl for a network namespace that is the host's
    jq '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end) |
        .linux.sysctl = {"net.ipv4.ip_forward": "0"}' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
    capture "$TDG" --root "$r" create --bundle "$b" c2
    expect_error 125 "linux.sysctl: /proc/self/ns/net is the host's net namespace"
    capture "$TDG" --systemd-cgroup --root "$r" create --bundle "$b" c2
    expect_error 125 "--systemd-cgroup: not supported by tdg; run podman with --cgroup-manager=cgroupfs"
    [[ -z "$(ls -A "$r" 2>/dev/null)" ]] || fail "left in $r: $(ls "$r")"
}

t_oci_help() {
    capture "$TDG" create --help
    expect_eq "$RC" 0 "exit status of create --help"
    expect_contains "$OUT" "create [--bundle DIR] [--pid-file F] [--console-socket S] ID"
    capture "$TDG" --help
    expect_contains "$OUT" "create, start, state, kill, delete, exec --process, features" "tdg --help"
    # tdg's own exec is still tdg's: the OCI one only with its long flags.
    capture "$TDG" exec -h
    expect_contains "$OUT" "Usage: tdg exec [-it] ID CMD [ARG...]" "tdg exec -h"
}

t_oci_version_and_features() {
    capture "$TDG" --version
    expect_eq "$RC" 0 "--version"
    expect_contains "$OUT" "spec: 1.0.2"
    capture "$TDG" features
    expect_eq "$(jq -r '.ociVersionMax, .linux.cgroup.systemd, .linux.seccomp.enabled' <<<"$OUT" | paste -sd' ')" "1.0.2 false true" "features"
}

run_tests "$@"
