#!/usr/bin/env bash
# Day 10 — `tdg import TARBALL|URL NAME` and `--rootfs NAME`. A tarball
# (with "./" entries, Alpine style, or without, docker-export style; plain or
# gzip) becomes $TDG_ROOT/rootfs/NAME whole or not at all; no entry may write
# outside it ("..", absolute paths, through symlinks, hard links out), and a
# refused or broken archive leaves nothing behind. URLs are fetched only
# from a loopback server the test starts.
source "$(dirname "$0")/lib.sh"

PY=$(command -v /usr/bin/python3 || command -v python3)

# pytar OUT BODY: tests/helpers/pytar.sh.
source "$(dirname "$0")/helpers/pytar.sh"

# A host folder that no archive may touch, with one file in it.
OUTSIDE=
make_outside() {
    OUTSIDE=$TDG_ROOT/outside
    mkdir -p "$OUTSIDE"
    chmod 700 "$OUTSIDE"
    echo original >"$OUTSIDE/target"
}
expect_outside_untouched() {
    expect_eq "$(find "$TDG_ROOT/outside" | sort | tr '\n' ' ')" "$OUTSIDE $OUTSIDE/target " "what is outside"
    expect_eq "$(cat "$OUTSIDE/target")" original "the outside file"
    expect_eq "$(stat -c '%a %h' "$OUTSIDE" "$OUTSIDE/target" | tr '\n' ' ')" "700 2 644 1 " \
        "modes and link counts outside"
    # Nor anywhere else the test can see ("../../x" from the tree is TDG_ROOT/x).
    expect_eq "$(find "$TDG_ROOT" -name 'pwned*')" "" "files the archive put outside"
}
# Nothing half-made: no NAME, no temporary folder or download.
expect_nothing_imported() {
    expect_eq "$(ls -A "$TDG_ROOT/rootfs" 2>/dev/null)" "" "what is in $TDG_ROOT/rootfs"
}

t_import_of_a_local_tarball_then_run_it_by_name() {
    tar -C "$ROOTFS" -czf "$TDG_ROOT/bb.tar.gz" . # "./bin/sh": Alpine's style
    tar -tzf "$TDG_ROOT/bb.tar.gz" | grep -qx './bin/busybox' || fail "the tarball is not ./-style"
    capture "$TDG" import "$TDG_ROOT/bb.tar.gz" bb
    expect_eq "$RC" 0 "exit status of import" || fail "stderr: $ERR"
    expect_contains "$OUT" "imported bb" "import's output"
    expect_eq "$ERR" "" "import's stderr"
    expect_eq "$(ls -A "$TDG_ROOT/rootfs")" bb "what is in $TDG_ROOT/rootfs"
    expect_eq "$(stat -c %a "$TDG_ROOT/rootfs")" 700 "mode of the rootfs folder (setuid files inside)"
    capture "$TDG" run --net none --name c --rootfs bb /bin/sh -c 'echo hi'
    expect_eq "$OUT" hi "a container of the imported rootfs"
    expect_eq "$("$TDG" inspect c | jq -r .rootfs)" "$TDG_ROOT/rootfs/bb" "the container's rootfs"
}

t_import_of_a_plain_tar_without_dot_slash() {
    (cd "$ROOTFS" && tar -cf "$TDG_ROOT/flat.tar" -- *) # "bin/sh": docker export's style
    tar -tf "$TDG_ROOT/flat.tar" | grep -qx 'bin/busybox' || fail "the tarball has ./ names"
    capture "$TDG" import "$TDG_ROOT/flat.tar" flat
    expect_eq "$RC" 0 "exit status of import" || fail "stderr: $ERR"
    expect_eq "$(stat -c %a "$TDG_ROOT/rootfs/flat")" 755 "mode of its / (no ./ entry)"
    capture "$TDG" run --net none --rootfs flat /bin/sh -c 'echo hi'
    expect_eq "$OUT" hi "a container of the imported rootfs"
}

t_owners_modes_links_kept_device_nodes_skipped() {
    pytar "$TDG_ROOT/meta.tar" '
d("bin"); f("bin/sh", b"#!x\n", mode=0o755)
f("bin/su", mode=0o4755, uid=0); f("home/u/file", mode=0o600, uid=1234, gid=2345)
d("secret", mode=0o700); s("bin/abs", "/bin/sh"); h("bin/hard", "bin/sh")
dev("disk")'
    capture "$TDG" import "$TDG_ROOT/meta.tar" meta
    expect_eq "$RC" 0 "exit status of import" || fail "stderr: $ERR"
    expect_contains "$ERR" "skipped 1 device node" "import's warning"
    local r=$TDG_ROOT/rootfs/meta
    expect_eq "$(stat -c '%a %u' "$r/bin/su")" "4755 0" "setuid su"
    expect_eq "$(stat -c '%a %u %g' "$r/home/u/file")" "600 1234 2345" "owner (by number) and mode"
    expect_eq "$(stat -c %a "$r/secret")" 700 "a folder's mode"
    expect_eq "$(readlink "$r/bin/abs")" /bin/sh "an absolute symlink, as stored"
    expect_eq "$(stat -c %i "$r/bin/hard")" "$(stat -c %i "$r/bin/sh")" "the hard link's inode"
    [[ ! -e "$r/disk" ]] || fail "the device node was made"
}

t_warns_when_the_rootfs_has_no_shell() {
    pytar "$TDG_ROOT/noshell.tar" 'f("etc/hostname")'
    capture "$TDG" import "$TDG_ROOT/noshell.tar" noshell
    expect_eq "$RC" 0 "exit status of import" || fail "stderr: $ERR"
    expect_eq "$ERR" "tdg: import: noshell has no /bin/sh; give 'tdg run' a command that it has" "stderr"
    # Alpine's way: bin/sh -> /bin/busybox, resolved inside the tree.
    pytar "$TDG_ROOT/alpine.tar" 's("bin/sh", "/bin/busybox"); f("bin/busybox", mode=0o755)'
    capture "$TDG" import "$TDG_ROOT/alpine.tar" alpine
    expect_eq "$ERR" "" "stderr of an import with bin/sh -> /bin/busybox"
    # Followed from the host, "/bin/bash" would be the host's own bash.
    [[ -e /bin/bash ]] || fail "the host has no /bin/bash for this test"
    pytar "$TDG_ROOT/dangling.tar" 's("bin/sh", "/bin/bash"); f("etc/hostname")'
    capture "$TDG" import "$TDG_ROOT/dangling.tar" dangling
    expect_contains "$ERR" "dangling has no /bin/sh" "stderr of an import with bin/sh -> /bin/bash"
}

t_dotdot_entry_is_refused_and_nothing_is_left() {
    make_outside
    pytar "$TDG_ROOT/dotdot.tar.gz" 'd("bin"); f("bin/sh"); f("../../outside/pwned"); f("../../pwned")'
    capture "$TDG" import "$TDG_ROOT/dotdot.tar.gz" evil
    expect_error 125 "'../../outside/pwned'"
    expect_contains "$ERR" ".." "the reason"
    expect_contains "$ERR" "nothing was imported" "the error line"
    expect_outside_untouched
    expect_nothing_imported
}

t_absolute_entry_is_refused() {
    make_outside
    pytar "$TDG_ROOT/abs.tar" "f('bin/sh'); f('$OUTSIDE/pwned')"
    capture "$TDG" import "$TDG_ROOT/abs.tar" evil
    expect_error 125 "$OUTSIDE/pwned"
    expect_contains "$ERR" "absolute" "the reason"
    expect_outside_untouched
    expect_nothing_imported
}

t_entry_through_a_symlink_is_refused() {
    make_outside
    # The archive's own symlink to the host folder, then a file through it.
    pytar "$TDG_ROOT/sym.tar" "f('bin/sh'); s('lib', '$OUTSIDE'); f('lib/pwned')"
    capture "$TDG" import "$TDG_ROOT/sym.tar" evil
    expect_error 125 "'lib/pwned'"
    expect_contains "$ERR" "symlink" "the reason"
    expect_outside_untouched
    expect_nothing_imported
    # The same with a relative symlink that climbs out, and over a file.
    pytar "$TDG_ROOT/sym2.tar" "f('bin/sh'); s('up', '../../outside'); f('up/target', b'pwned\n')"
    capture "$TDG" import "$TDG_ROOT/sym2.tar" evil
    expect_error 125 "'up/target'"
    expect_outside_untouched
    expect_nothing_imported
}

t_hard_link_to_outside_is_refused() {
    make_outside
    local body
    for body in "h('a', '$OUTSIDE/target')" "h('b', '../../outside/target')" \
        "s('l', '$OUTSIDE'); h('c', 'l/target')"; do
        pytar "$TDG_ROOT/hard.tar" "f('bin/sh'); $body; f('zz')"
        capture "$TDG" import "$TDG_ROOT/hard.tar" evil
        expect_error 125 "nothing was imported" || fail "archive: $body"
        expect_outside_untouched
        expect_nothing_imported
    done
}

# A folder entry records a mode to set at the end; a later symlink of the
# same name must not carry that chmod to where it points (CVE-2021-31566).
t_folder_mode_is_not_set_through_a_later_symlink() {
    make_outside
    pytar "$TDG_ROOT/fix.tar" "f('bin/sh'); d('d', mode=0o777); s('d', '$OUTSIDE')"
    capture "$TDG" import "$TDG_ROOT/fix.tar" fix
    expect_outside_untouched
}

t_broken_or_foreign_files_leave_nothing() {
    tar -C "$ROOTFS" -czf "$TDG_ROOT/bb.tar.gz" .
    head -c 300000 "$TDG_ROOT/bb.tar.gz" >"$TDG_ROOT/cut.tar.gz"
    capture "$TDG" import "$TDG_ROOT/cut.tar.gz" cut
    expect_error 125 "cut.tar.gz"
    expect_nothing_imported
    echo "not an archive" >"$TDG_ROOT/notes.txt"
    capture "$TDG" import "$TDG_ROOT/notes.txt" notes
    expect_error 125 "tdg imports tar archives"
    expect_nothing_imported
    capture "$TDG" import "$TDG_ROOT/missing.tar" missing
    expect_error 125 "No such file or directory"
    capture "$TDG" import "$ROOTFS" folder
    expect_error 125 "is a folder"
    expect_nothing_imported
}

t_names_are_simple_and_not_reused() {
    tar -C "$ROOTFS" -czf "$TDG_ROOT/bb.tar.gz" .
    local bad
    for bad in a/b .. .hidden ../x ""; do
        capture "$TDG" import "$TDG_ROOT/bb.tar.gz" "$bad"
        expect_error 125 "not a valid name" || fail "name: '$bad'"
    done
    "$TDG" import "$TDG_ROOT/bb.tar.gz" bb >/dev/null
    touch "$TDG_ROOT/rootfs/bb/mine"
    capture "$TDG" import "$TDG_ROOT/bb.tar.gz" bb
    expect_error 125 "exists; choose another name, or remove it first"
    [[ -e "$TDG_ROOT/rootfs/bb/mine" ]] || fail "the existing rootfs was replaced"
    expect_eq "$(ls -A "$TDG_ROOT/rootfs")" bb "what is in $TDG_ROOT/rootfs"
}

t_unknown_rootfs_name_hints_at_import() {
    capture "$TDG" run --net none --rootfs nosuchname /bin/true
    expect_error 125 "'tdg import TARBALL|URL nosuchname'"
    expect_contains "$ERR" "no such folder here, nor an imported rootfs in $TDG_ROOT/rootfs" "the error"
    # A path (with a slash) is never looked up among the imported ones.
    tar -C "$ROOTFS" -czf "$TDG_ROOT/bb.tar.gz" .
    "$TDG" import "$TDG_ROOT/bb.tar.gz" bb >/dev/null
    capture "$TDG" run --net none --rootfs ./bb /bin/true
    expect_error 125 "No such file or directory"
}

t_import_help_and_usage() {
    capture "$TDG" import --help
    expect_eq "$RC" 0 "exit status of import --help"
    expect_contains "$OUT" "Usage: tdg import TARBALL|URL NAME" "import --help"
    capture "$TDG" import just-one
    expect_error 125 "usage: tdg import TARBALL|URL NAME"
    capture "$TDG" import -x a b
    expect_error 125 "unknown flag '-x'"
    capture "$TDG" --help
    expect_contains "$OUT" "import TARBALL|URL NAME" "tdg --help"
}

# A loopback HTTP server on a free port, serving DIR; sets PORT.
serve() {
    PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    start_bg "$TDG_ROOT/http.log" "$PY" -m http.server --bind 127.0.0.1 --directory "$1" "$PORT"
    wait_for curl -s -o /dev/null "http://127.0.0.1:$PORT/"
}

t_import_from_a_url() {
    mkdir "$TDG_ROOT/www"
    tar -C "$ROOTFS" -czf "$TDG_ROOT/www/bb.tar.gz" .
    serve "$TDG_ROOT/www"
    capture "$TDG" import "http://127.0.0.1:$PORT/bb.tar.gz" web
    expect_eq "$RC" 0 "exit status of import" || fail "stderr: $ERR"
    expect_eq "$ERR" "" "stderr (not a terminal: no progress bar)"
    expect_eq "$(ls -A "$TDG_ROOT/rootfs")" web "what is in $TDG_ROOT/rootfs (the download is gone)"
    capture "$TDG" run --net none --rootfs web /bin/sh -c 'echo hi'
    expect_eq "$OUT" hi "a container of the downloaded rootfs"
    capture "$TDG" import "http://127.0.0.1:$PORT/nope.tar.gz" nope
    expect_error 125 "HTTP 404 (not found)"
    expect_eq "$(ls -A "$TDG_ROOT/rootfs")" web "what is in $TDG_ROOT/rootfs after a 404"
    kill "$BG_PID"
    capture "$TDG" import "http://127.0.0.1:$PORT/bb.tar.gz" down
    expect_error 125 "cannot connect to the server"
}

t_interrupted_download_leaves_nothing() {
    # A server that sends half a file, then stalls.
    local port_file=$TDG_ROOT/port
    start_bg "$TDG_ROOT/slow.log" "$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.recv(4096)
c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 1000)
time.sleep(60)' "$port_file"
    wait_for test -s "$port_file"
    start_bg "$TDG_ROOT/import.log" "$TDG" import "http://127.0.0.1:$(cat "$port_file")/x.tar" slow
    local tdg=$BG_PID
    wait_for compgen -G "$TDG_ROOT/rootfs/.slow.download.*" >/dev/null
    local curl
    curl=$(container_pid "$tdg" curl)
    kill -TERM "$tdg"
    wait_bg "$tdg"
    expect_eq "$RC" 125 "exit status of the interrupted import"
    expect_contains "$(cat "$TDG_ROOT/import.log")" "interrupted" "its error"
    wait_for gone "$curl"
    expect_nothing_imported
}

run_tests "$@"
