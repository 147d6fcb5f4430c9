#!/usr/bin/env bash
# Day 10, macOS — the Lima front end (scripts/lima/tdg-lima.c), tried here on Linux:
# `make lima-frontend` builds it as build/tdg-lima, and a stand-in `limactl`
# (first on PATH) records every call and answers as a VM would. Each
# preflight failure is one line naming its fix, exit 125, in order; a
# dispatch runs the Linux tdg in the VM with the same arguments (host paths
# made absolute, as the VM sees them), the terminal, and its exit status;
# `tdg setup lima` makes the calls that create, start and prepare the VM.
# No root, no container, no VM.
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$(dirname "$0")/.." && pwd)
FRONT=$TOP/build/tdg-lima
make -s -C "$TOP" lima-frontend >/dev/null

# The stand-in. Its state is in $FAKE_DIR: `status` (no file: no such
# instance), `mounts` (lines HOST<tab>GUEST); each call is appended to
# `calls` as one line, every argument in <>. Knobs: FAKE_ARCH (uname -m),
# FAKE_SSH_FAIL (uname fails like ssh), FAKE_HIDDEN (nothing is visible in the VM), FAKE_EXIT (how the
# dispatched `sudo .../tdg` ends: a number, or signal9), FAKE_STDIN (it copies
# its stdin to stdout), FAKE_MAKE_FAIL (make fails), FAKE_SUDO_RUNS (the
# dispatched `sudo [env ...] .../tdg` really runs, in a clean environment).
write_limactl() {
    cat >"$1" <<'LIMACTL'
#!/usr/bin/env bash
line=limactl
for a in "$@"; do line+=" <$a>"; done
echo "$line" >>"$FAKE_DIR/calls"
case "$1" in
list)
    if [[ ! -f "$FAKE_DIR/status" ]]; then
        echo "level=warning msg=\"No instance matching ${*: -1} found.\"" >&2
        exit 1
    fi
    cat "$FAKE_DIR/status"
    [[ ! -f "$FAKE_DIR/mounts" ]] || cat "$FAKE_DIR/mounts"
    ;;
start)
    echo "level=info msg=\"READY. Run \`lima\` to open the shell.\"" >&2
    echo Running >"$FAKE_DIR/status"
    ;;
shell)
    shift
    while [[ "$1" == --* ]]; do
        [[ "$1" == --workdir ]] && shift
        shift
    done
    shift # the instance
    # ssh forwards its stdin to the command: a probe (uname, test) given
    # the front end's stdin would eat it. So does this one.
    [[ "$1" == sudo || -t 0 ]] || cat >/dev/null
    case "$1" in
    uname)
        [[ -z "${FAKE_SSH_FAIL:-}" ]] || { echo "ssh: connect to host 127.0.0.1: Connection refused" >&2; exit 255; }
        echo "${FAKE_ARCH:-x86_64}"
        ;;
    test)
        [[ -z "${FAKE_HIDDEN:-}" ]] || exit 1
        # The VM sees a host folder at its mount point: look there.
        p=${*: -1}
        while IFS=$'\t' read -r host guest; do
            if [[ "$p" == "$guest" || "$p" == "$guest"/* ]]; then
                p=$host${p#"$guest"}
                break
            fi
        done <"$FAKE_DIR/mounts"
        test "${@:2:$#-2}" "$p"
        ;;
    make) [[ -z "${FAKE_MAKE_FAIL:-}" ]] || exit 2 ;;
    sudo)
        [[ "$2" == */tdg || "$2" == env ]] || exit 0 # scripts/deps.sh
        # As sudo does: the rest from a clean environment (env -u, KEY=VALUE and the tdg).
        [[ -z "${FAKE_SUDO_RUNS:-}" ]] || { shift; exec env -i PATH=/usr/bin:/bin "$@"; }
        [[ -z "${FAKE_STDIN:-}" ]] || { cat; echo "from the VM, on stderr" >&2; }
        case "${FAKE_EXIT:-0}" in
        signal9) kill -KILL $$ ;;
        *) exit "${FAKE_EXIT:-0}" ;;
        esac
        ;;
    esac
    ;;
esac
LIMACTL
    chmod +x "$1"
}

# A Mac as the front end sees it: a home folder and a repo (with the Linux
# tdg for x86_64 built), both mounted in a running VM; cwd is the repo.
S=
fake_vm() {
    S=$TDG_ROOT/mac
    mkdir -p "$S/bin" "$S/home" "$S/repo/build/linux-x86_64" "$S/repo/rootfs/busybox" \
        "$S/repo/data" "$S/elsewhere"
    printf '#!/bin/sh\nexit 0\n' >"$S/repo/build/linux-x86_64/tdg"
    chmod +x "$S/repo/build/linux-x86_64/tdg"
    write_limactl "$S/bin/limactl"
    echo Running >"$S/status"
    mounts "$S/home" "$S/repo"
    export FAKE_DIR=$S TDG_LIMA_REPO=$S/repo HOME=$S/home PATH=$S/bin:$PATH
    unset TDG_LIMA_INSTANCE FAKE_ARCH FAKE_SSH_FAIL FAKE_HIDDEN FAKE_EXIT FAKE_STDIN FAKE_MAKE_FAIL \
        FAKE_SUDO_RUNS
    # The front end passes every TDG_* into the VM: the harness's own
    # (TDG_ROOT, TDG_SUBNET) stay in this shell only, for its cleanup.
    local v
    for v in $(compgen -e | grep "^TDG_" | grep -v "^TDG_LIMA_"); do export -n "${v?}"; done
    cd "$S/repo"
}

mounts() { # HOST[=GUEST]...: what the VM mounts
    local m
    : >"$S/mounts"
    for m in "$@"; do printf '%s\t%s\n' "${m%%=*}" "${m#*=}" >>"$S/mounts"; done
}

calls() { cat "$S/calls" 2>/dev/null || true; }

# The calls every dispatch starts with (preflight), for instance NAME.
LIST_FORMAT='{{.Status}}{{"\n"}}{{range .Config.Mounts}}{{.Location}}{{"\t"}}{{.MountPoint}}{{"\n"}}{{end}}'
preflight_calls() { # NAME GUEST_BIN
    echo "limactl <list> <--format> <$LIST_FORMAT> <$1>"
    echo "limactl <shell> <--workdir> </> <$1> <uname> <-m>"
    echo "limactl <shell> <--workdir> </> <$1> <test> <-x> <$2>"
}

expect_fails_with() { # LINE: exit 125 and exactly that one line
    expect_error 125
    expect_eq "$ERR" "$1" "the error line"
}

t_frontend_is_portable_c() {
    # C11 and POSIX 2008 only, every warning an error: what macOS clang
    # will see (no _GNU_SOURCE, no Linux header).
    local src=$TOP/scripts/lima/tdg-lima.c
    gcc -std=c11 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -O2 \
        -o "$TDG_ROOT/tdg-lima" "$src"
    expect_not_contains "$(grep -E '^#(include|define)' "$src")" "linux/" "tdg-lima.c's includes"
    expect_not_contains "$(cat "$src")" "_GNU_SOURCE" "tdg-lima.c"
    # A program of its own, out of common/ (no day links it).
    [[ ! -e $TOP/common/lima.c ]] || fail "common/lima.c exists again"
    # The front end links no library of the runtime's.
    expect_not_contains "$(ldd "$FRONT" 2>&1)" "jansson" "ldd build/tdg-lima"
    expect_not_contains "$(ldd "$FRONT" 2>&1)" "libnl" "ldd build/tdg-lima"
}

t_preflight_1_limactl_missing() {
    fake_vm
    PATH=/usr/bin:/bin capture "$FRONT" ps
    expect_fails_with "tdg: lima: limactl not found on PATH; install Lima: brew install lima"
    expect_eq "$(calls)" "" "limactl calls"
}

t_preflight_2_instance_missing() {
    fake_vm
    rm "$S/status"
    rm "$S/repo/build/linux-x86_64/tdg" # a later failure: the first one wins
    capture "$FRONT" ps -a
    expect_fails_with "tdg: lima: no Lima instance 'tdg'; run: tdg setup lima"
    TDG_LIMA_INSTANCE=other capture "$FRONT" ps -a
    expect_fails_with "tdg: lima: no Lima instance 'other'; run: tdg setup lima"
    expect_contains "$(calls)" "<other>" "the limactl list call"
}

t_preflight_3_instance_not_running() {
    fake_vm
    echo Stopped >"$S/status"
    rm "$S/repo/build/linux-x86_64/tdg" # missing too: the stopped VM is said first
    capture "$FRONT" run --rootfs rootfs/busybox /bin/true
    expect_fails_with "tdg: lima: instance 'tdg' is Stopped, not Running; run: limactl start tdg"
    expect_eq "$(calls | wc -l)" 1 "limactl calls (only list)"
}

t_preflight_4_linux_binary_missing_for_the_vm_arch() {
    fake_vm
    export FAKE_ARCH=aarch64 # only the x86_64 one is built
    capture "$FRONT" run --rootfs "$S/elsewhere" /bin/true # a later failure
    expect_fails_with "tdg: lima: no Linux tdg for aarch64 at $S/repo/build/linux-aarch64/tdg; run: tdg setup lima"
}

t_preflight_4_vm_that_cannot_say_its_arch() {
    fake_vm
    export FAKE_SSH_FAIL=1
    capture "$FRONT" ps
    expect_fails_with "tdg: lima: cannot ask instance 'tdg' for its architecture; see why: limactl shell tdg uname -m"
}

t_preflight_4_linux_binary_in_no_mount() {
    fake_vm
    mounts "$S/home"
    capture "$FRONT" ps
    expect_fails_with "tdg: lima: the Linux tdg $S/repo/build/linux-x86_64/tdg is in no folder instance 'tdg' mounts ($S/home); mount the repo: limactl stop tdg; limactl edit tdg --mount=$S/repo:w; limactl start tdg"
}

t_preflight_4_linux_binary_not_visible_in_the_vm() {
    fake_vm
    export FAKE_HIDDEN=1
    capture "$FRONT" ps
    expect_fails_with "tdg: lima: the Linux tdg is not visible in instance 'tdg' at $S/repo/build/linux-x86_64/tdg; the mount of $S/repo does not work: limactl stop tdg; limactl start tdg"
    expect_contains "$(calls)" "<test> <-x> <$S/repo/build/linux-x86_64/tdg>" "the limactl calls"
}

t_preflight_5_rootfs_not_shared_with_the_vm() {
    fake_vm
    local fix="put it under one of them (scripts/lima/tdg.yaml mounts your home folder and the repo)"
    capture "$FRONT" run --rootfs ../elsewhere /bin/true
    expect_fails_with "tdg: lima: rootfs $S/elsewhere is in no folder instance 'tdg' mounts ($S/home, $S/repo); $fix"
    capture "$FRONT" run --rootfs=/nonexistent/root /bin/true
    expect_fails_with "tdg: lima: rootfs /nonexistent/root is in no folder instance 'tdg' mounts ($S/home, $S/repo); $fix"
    capture "$FRONT" run --rootfs rootfs/busybox -v "$S/elsewhere:/data" /bin/true
    expect_fails_with "tdg: lima: -v folder $S/elsewhere is in no folder instance 'tdg' mounts ($S/home, $S/repo); $fix"
    expect_not_contains "$(calls)" "<sudo>" "the limactl calls"
}

t_dispatch_runs_the_linux_tdg_with_the_same_arguments() {
    fake_vm
    export FAKE_EXIT=3
    capture "$FRONT" run --net none --rootfs rootfs/busybox -v data:/data:ro -e 'A=two words' \
        /bin/sh -c 'echo "$A"' --rootfs rootfs/busybox -v data:/x
    expect_eq "$RC" 3 "exit status (the command's)"
    local bin=$S/repo/build/linux-x86_64/tdg
    # Host paths before CMD made absolute; CMD's own arguments untouched.
    expect_eq "$(calls)" "$(preflight_calls tdg "$bin")
limactl <shell> <--workdir> <$S/repo> <tdg> <sudo> <$bin> <run> <--net> <none> <--rootfs> <$S/repo/rootfs/busybox> <-v> <$S/repo/data:/data:ro> <-e> <A=two words> </bin/sh> <-c> <echo \"\$A\"> <--rootfs> <rootfs/busybox> <-v> <data:/x>" "the limactl calls"
}

t_dispatch_passes_tdg_variables_and_e_keys_into_the_vm() {
    fake_vm
    local bin=$S/repo/build/linux-x86_64/tdg
    # -e KEY: the Mac's value (Docker's form), or unset in the VM too
    # (-u: not the VM's own); -e KEY=VAL as typed; TDG_LIMA_* is the
    # front end's own. TDG_ROOT and TDG_SUBNET are the Mac's, given to the
    # front end's calls only: the harness's TDG_ROOT (this test's folder,
    # which tests/lib.sh removes at the end) stays as it is.
    local mac=(TDG_ROOT=/tmp/tdg/mac TDG_SUBNET=10.88.0.0/24)
    export TDG_LIMA_INSTANCE=tdg GREETING="two words" HOME=$S/home
    unset NOT_HERE
    capture env "${mac[@]}" "$FRONT" run -e GREETING --env NOT_HERE -eHOME --env=A=1 -e B=2 \
        --rootfs rootfs/busybox /bin/sh -c 'echo "$GREETING"'
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> <$S/repo> <tdg> <sudo> <env> <-u> <NOT_HERE> <GREETING=two words> <HOME=$S/home> <TDG_ROOT=/tmp/tdg/mac> <TDG_SUBNET=10.88.0.0/24> <$bin> <run> <-e> <GREETING> <--env> <NOT_HERE> <-eHOME> <--env=A=1> <-e> <B=2> <--rootfs> <$S/repo/rootfs/busybox> </bin/sh> <-c> <echo \"\$GREETING\">" "the dispatch"
    # And they reach the Linux tdg's environment, through sudo's clean one:
    # a stand-in Linux tdg that prints what it got.
    printf '%s\n' '#!/bin/sh' \
        "env | grep -E '^(TDG_|GREETING=|NOT_HERE=)' | sort" >"$bin"
    FAKE_SUDO_RUNS=1 capture env "${mac[@]}" "$FRONT" run -e GREETING -e NOT_HERE --rootfs rootfs/busybox /bin/true
    expect_eq "$OUT" "GREETING=two words
TDG_ROOT=/tmp/tdg/mac
TDG_SUBNET=10.88.0.0/24" "the Linux tdg's environment in the VM"
    # Nothing to pass: the same call as ever, no env.
    capture env -u TDG_ROOT -u TDG_SUBNET "$FRONT" ps
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> <$S/repo> <tdg> <sudo> <$bin> <ps>" "a dispatch with nothing to pass"
}

t_dispatch_translates_paths_to_the_vm_mount_points() {
    fake_vm
    mounts "$S/home=/home/me" "$S/repo=/mnt/repo"
    mkdir -p "$S/home/roots/alpine"
    capture "$FRONT" run --rootfs="$S/home/roots/alpine" -dv "$S/home:/h" --name=x /bin/true
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> </mnt/repo> <tdg> <sudo> </mnt/repo/build/linux-x86_64/tdg> <run> <--rootfs=/home/me/roots/alpine> <-dv> </home/me:/h> <--name=x> </bin/true>" "the dispatch"
    # A cwd the VM does not share: / (every path passed is absolute).
    cd "$S/elsewhere"
    capture "$FRONT" ps
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> </> <tdg> <sudo> </mnt/repo/build/linux-x86_64/tdg> <ps>" "the dispatch from an unshared cwd"
    # A bare name is a rootfs `tdg import` made in the VM: passed as is.
    capture "$FRONT" run --rootfs alpine /bin/true
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> </> <tdg> <sudo> </mnt/repo/build/linux-x86_64/tdg> <run> <--rootfs> <alpine> </bin/true>" "run --rootfs NAME"
}

t_dispatch_passes_the_exit_status_exactly() {
    fake_vm
    local want
    for want in 0 1 3 125 126 127 137; do
        FAKE_EXIT=$want capture "$FRONT" run --rootfs rootfs/busybox /bin/true
        expect_eq "$RC" "$want" "exit status when the VM side exits $want"
    done
    # limactl itself killed by SIGKILL: 128+9, as the contract says.
    FAKE_EXIT=signal9 capture "$FRONT" ps
    expect_eq "$RC" 137 "exit status when limactl is killed by signal 9"
}

t_dispatch_passes_stdin_stdout_and_stderr() {
    fake_vm
    local out err rc=0
    out=$(echo "typed in" | FAKE_STDIN=1 "$FRONT" exec box /bin/cat 2>"$S/err") || rc=$?
    err=$(cat "$S/err")
    expect_eq "$rc" 0 "exit status"
    expect_eq "$out" "typed in" "stdout (from the VM, fed from our stdin)"
    expect_eq "$err" "from the VM, on stderr" "stderr"
}

t_dispatch_import_tarball_is_a_host_path() {
    fake_vm
    touch "$S/home/alpine.tar.gz"
    cd "$S/home"
    capture "$FRONT" import ./alpine.tar.gz alpine
    expect_eq "$(calls | tail -1)" "limactl <shell> <--workdir> <$S/home> <tdg> <sudo> <$S/repo/build/linux-x86_64/tdg> <import> <$S/home/alpine.tar.gz> <alpine>" "the dispatch"
    capture "$FRONT" import https://example.org/a.tar.gz a
    expect_contains "$(calls | tail -1)" "<import> <https://example.org/a.tar.gz> <a>" "a URL, untouched"
}

t_setup_lima_creates_starts_and_prepares_the_vm() {
    fake_vm
    rm "$S/status"
    capture "$FRONT" setup lima
    expect_eq "$RC" 0 "exit status" || fail "stderr: $ERR"
    local bin=$S/repo/build/linux-x86_64/tdg in_repo="limactl <shell> <--workdir> <$S/repo> <tdg>"
    # The repo is outside $HOME here: it gets a mount of its own.
    expect_eq "$(calls)" "limactl <list> <--format> <$LIST_FORMAT> <tdg>
limactl <start> <--tty=false> <--name=tdg> <--mount=$S/repo:w> <$S/repo/scripts/lima/tdg.yaml>
limactl <list> <--format> <$LIST_FORMAT> <tdg>
limactl <shell> <--workdir> </> <tdg> <uname> <-m>
$in_repo <sudo> <scripts/deps.sh> <build>
$in_repo <make> <linux-tdg>
$in_repo <make> <rootfs>
$(preflight_calls tdg "$bin")
$in_repo <sudo> <$bin> <run> <--rootfs> <$S/repo/rootfs/busybox> </bin/echo> <hello> <from> <tdg>" "the limactl calls"
    expect_contains "$OUT" "setup: creating the Lima instance 'tdg' from scripts/lima/tdg.yaml" "progress"
    expect_contains "$OUT" "setup: building the Linux tdg for x86_64 in the VM: build/linux-x86_64/tdg" "progress"
    expect_contains "$OUT" "setup: preparing a rootfs in the VM: rootfs/busybox" "progress"
    expect_contains "$OUT" "setup: hello-world: tdg run --rootfs rootfs/busybox /bin/echo hello from tdg" "progress"
    expect_contains "$OUT" "setup: done" "progress"
}

t_setup_lima_repo_in_home_needs_no_mount_of_its_own() {
    fake_vm
    rm "$S/status"
    HOME=$S capture "$FRONT" setup lima
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(calls | sed -n 2p)" "limactl <start> <--tty=false> <--name=tdg> <$S/repo/scripts/lima/tdg.yaml>" "the start call"
}

t_setup_lima_starts_a_stopped_instance() {
    fake_vm
    echo Stopped >"$S/status"
    TDG_LIMA_INSTANCE=mine capture "$FRONT" setup lima
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(calls | sed -n 2p)" "limactl <start> <--tty=false> <mine>" "the start call"
    expect_contains "$OUT" "setup: starting the Lima instance 'mine' (it is Stopped)" "progress"
    expect_contains "$(calls | tail -1)" "<--workdir> <$S/repo> <mine> <sudo>" "the hello-world"
}

t_setup_lima_stops_at_a_failed_step() {
    fake_vm
    FAKE_MAKE_FAIL=1 capture "$FRONT" setup lima
    expect_fails_with "tdg: lima: setup: make linux-tdg failed (exit 2); see the lines above"
    expect_not_contains "$(calls)" "<rootfs>" "the limactl calls after the failure"
    FAKE_EXIT=125 capture "$FRONT" setup lima
    expect_fails_with "tdg: lima: setup: the hello-world failed (exit 125); see the lines above"
}

t_setup_lima_on_linux_says_it_is_for_macos() {
    capture "$TDG" setup lima
    expect_error 125 "macOS"
}

run_tests "$@"
