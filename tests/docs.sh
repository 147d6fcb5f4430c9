#!/usr/bin/env bash
# tests/docs.sh [DOC.md... | t_NAME] — the docs test: every command a lesson
# shows is run, and what it prints is compared with what the lesson says it
# prints, so the lessons cannot drift from the code. Run as root, after
# `make all rootfs` (tests/run.sh runs it as its "docs" stage).
#
# The convention, in the lessons (docs/README.md says the same for authors):
#
# - A fenced block tagged `console` is a transcript. Its lines starting with
#   "$ " are commands; the lines after one are its output, stdout and stderr
#   together, in the order they appear. Other fences (```sh, ```c, ```) are
#   not run.
# - Every console block is checked, unless the line just above its fence is
#       <!-- not checked: REASON -->
#   (a second terminal, Ctrl-C, a PID of the moment, another machine, ...).
#   Such blocks are listed as "not checked" with their reason, so none goes
#   unchecked silently. A checked block with output before its first "$ "
#   is an error.
# - Each file is one bash session, its checked blocks in order, from the
#   repository's root, with stdin /dev/null: a variable or a container made
#   in one block is there in the next. The session starts from an empty
#   environment (env -i), as a student's fresh root shell would, holding
#   only PATH (the usual root PATH below), HOME (an empty scratch folder),
#   TERM=xterm, LC_ALL=C.UTF-8 and TMPDIR (a scratch folder, so `mktemp`
#   stays in the test's folder; tdg does not read it). Nothing else of the
#   caller's environment reaches it: a lesson that uses TDG_ROOT, or any
#   variable, without setting it fails.
# - cgroup v2 is the default story, v1 the aside: a block whose output is
#   one cgroup version's has, on the line just above its fence,
#       <!-- cgroup v2 -->    or    <!-- cgroup v1 -->
#   and is checked only on a host of that version (a block for the other
#   one is listed as not checked, with the version). On this v1 (hybrid)
#   host the v2 blocks run in the qemu guest: tests/v2guest/ladder.sh
#   runs this test there on every lesson that has one. The v2 form comes
#   first, the v1 form after it as an aside; both may use the same names,
#   since no run checks both.
# - So every lesson opens with its preamble, a checked command
#       $ export TDG_ROOT=/tmp/tdg/NAME TDG_SUBNET=10.77.0.0/24
#   (NAME its own: day07, security...), before its first command that
#   runs a tdg; the lint refuses a lesson that runs tdg before it. The
#   test gives each run its own folder for /tmp/tdg/: it is rewritten in
#   the commands and back in their output, so runs never share state and a
#   student's /tmp/tdg is never touched. Whatever is still running at the
#   end is killed and released.
# - Lines are compared with runs of blanks as one space and none at either
#   end. A line that is just "..." matches any number of lines (none too).
#   Placeholders: <id> a container id, <pid> or <n> a number, <*> any text,
#   <repo> the repository's path. Values that change on every run match any
#   value of their kind as they are, so a lesson can show real output: a
#   container id (12 hex digits), a veth td<id>, a boot id, an RFC 3339
#   time, a `ps` age ("just now", "3 seconds ago"), `time`'s real/user/sys,
#   ping's times, a container address 10.77.0.N (N > 1), a MAC address, an
#   fe80:: address, a veth's @ifN, a mktemp folder /tmp/tmp.XXXXXXXXXX, and
#   ls -l's date. Everything else must be as shown.
#
# The parser and the comparer are tests/helpers/doccheck.pl (perl-base,
# which every Debian has). One test per file: "ok" or "FAIL" with, for each
# command that drifted, the lesson's lines and the real ones. Then the
# self-tests below (t_*), which prove the test can fail.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
CHECK=(perl "$top/tests/helpers/doccheck.pl")
: "${TEST_ROOTS:=/tmp}"
# The session's PATH: what `sudo -i` gives root on Debian (secure_path).
SESSION_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export TDG_DOCS_REPO=$top
# Which cgroup blocks run here (doccheck.pl): this host's version.
if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then
    export TDG_DOCS_CGROUP=v2
else
    export TDG_DOCS_CGROUP=v1
fi

# The newest runtime there is: it releases what a lesson's containers left.
newest_tdg() {
    local d t=
    for d in day[0-9][0-9]-*/tdg; do [[ -x "$d" ]] && t=$top/$d; done
    echo "$t"
}

# Kill every container still running under WORK (any of its state roots),
# then let tdg release their cgroups and networks, as a test's cleanup does.
release_all() { # WORK
    local f p root tdg
    tdg=$(newest_tdg)
    while IFS= read -r f; do
        for p in $(jq -r 'select(.status == "running") | .watcher_pid, .pid' "$f" 2>/dev/null); do
            ((p > 1)) && kill -KILL "$p" 2>/dev/null
        done
    done < <(find "$1" -path '*/containers/*/config.json' 2>/dev/null)
    sleep 0.2
    while IFS= read -r root; do
        [[ -n "$tdg" ]] && TDG_ROOT=$root "$tdg" ps -a >/dev/null 2>&1
    done < <(find "$1" -type d -name containers -printf '%h\n' 2>/dev/null | sort -u)
    return 0
}

# check_doc DOC: run DOC's checked commands in one session, compare.
check_doc() {
    local doc=$1 work rc
    work=$(mktemp -d "$TEST_ROOTS/tdg-test.XXXXXX")
    mkdir -p "$work/tmp"
    # Others may pass (not list): a --userns container's root, host uid
    # 100000, must reach its state folder under here (docs/security.md).
    chmod 711 "$work"
    if ! "${CHECK[@]}" lint "$doc" >"$work/lint"; then
        echo "  FAIL  $doc: not in the docs-test convention"
        cat "$work/lint"
        rm -rf "$work"
        return 1
    fi
    TDG_DOCS_STATE=$work/tdg "${CHECK[@]}" script "$doc" >"$work/session.sh" || {
        echo "  FAIL  $doc: could not make its session"; rm -rf "$work"; return 1; }
    mkdir -p "$work/home"
    env -i PATH="$SESSION_PATH" HOME="$work/home" TERM=xterm LC_ALL=C.UTF-8 TMPDIR="$work/tmp" \
        timeout -k 5 "${DOCS_TIMEOUT:-300}" bash "$work/session.sh" >"$work/output" 2>&1 </dev/null
    release_all "$work"
    TDG_DOCS_STATE=$work/tdg "${CHECK[@]}" compare "$doc" "$work/output"
    rc=$?
    rm -rf "$work"
    return "$rc"
}

# The files checked: the lessons, the security and macOS guides and the
# workshop guide. A fragment of a lesson still being written (its first line says
# so) is listed, not run.
default_docs() {
    local f
    for f in docs/day-by-day/day[0-9][0-9]-*.md docs/security.md docs/macos.md docs/workshop*.md; do
        [[ -e "$f" ]] && echo "$f"
    done
}

# --- self-tests: the docs test must be able to fail -------------------------

# A copy of lesson 01 with one output line changed fails, and names the
# command; the unchanged copy passes, so the failure is the change's.
t_docs_test_catches_drift() {
    local d out
    d=$(mktemp -d "$TEST_ROOTS/tdg-test.XXXXXX")
    cp docs/day-by-day/day01-cli.md "$d/same.md"
    sed 's/^hello from a child$/hello from a grown-up/' docs/day-by-day/day01-cli.md >"$d/drift.md"
    if cmp -s "$d/same.md" "$d/drift.md"; then
        echo "    the drift copy is unchanged: lesson 01 no longer shows 'hello from a child'"
        rm -rf "$d"; return 1
    fi
    out=$(check_doc "$d/same.md") || { echo "    the unchanged copy failed:"; echo "$out"; rm -rf "$d"; return 1; }
    if out=$(check_doc "$d/drift.md"); then
        echo "    a changed output line went unnoticed:"; echo "$out"; rm -rf "$d"; return 1
    fi
    rm -rf "$d"
    [[ "$out" == *"FAIL  $d/drift.md"* && "$out" == *'|hello from a grown-up'* &&
        "$out" == *'$ ./day01/tdg run echo hello from a child'* ]] ||
        { echo "    the failure does not name the drifted command:"; echo "$out"; return 1; }
}

# The convention on a small made-up lesson: placeholders, "...", values
# that vary, a block not checked; then each mistake is caught.
t_docs_convention() {
    local d out
    d=$(mktemp -d "$TEST_ROOTS/tdg-test.XXXXXX")
    cat >"$d/good.md" <<'EOF'
Placeholders, and values that vary:

```console
$ echo "pid $$ and id $(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pid <pid> and id 0a1b2c3d4e5f
$ seq 5; echo "exit status: $?"
1
...
5
exit status: 0
$ printf 'no newline'
no newline
$ date -u +%Y-%m-%dT%H:%M:%S.000001Z; echo "a    wide     gap  "
2026-11-23T18:58:18.938404Z
a wide gap
```

<!-- not checked: needs a second terminal -->
```console
$ this-would-fail
whatever
```
EOF
    out=$(check_doc "$d/good.md") || { echo "    a correct lesson failed:"; echo "$out"; rm -rf "$d"; return 1; }
    [[ "$out" == *"4 commands checked, 1 blocks not checked"* &&
        "$out" == *"not checked: line 19 (needs a second terminal)"* ]] ||
        { echo "    wrong summary:"; echo "$out"; rm -rf "$d"; return 1; }
    # Each of these must fail.
    printf '```console\n$ seq 3\n1\n3\n```\n' >"$d/missing-line.md"
    printf '```console\n$ echo 0a1b2c3d4e5\n0a1b2c3d4e5f\n```\n' >"$d/not-an-id.md"
    printf '```console\n$ echo 12\n<pid>3\n```\n' >"$d/placeholder.md"
    printf '```console\nhello\n$ echo hello\n```\n' >"$d/no-command.md"
    printf '<!-- not checked -->\n```console\n$ true\n```\n' >"$d/no-reason.md"
    printf '```console\n$ exit 0\n$ echo after\nafter\n```\n' >"$d/session-ends.md"
    local f
    for f in missing-line not-an-id placeholder no-command no-reason session-ends; do
        if out=$(check_doc "$d/$f.md"); then
            echo "    $f.md should fail:"; echo "$out"; rm -rf "$d"; return 1
        fi
    done
    rm -rf "$d"
}

# The session starts from an empty environment: a lesson that uses a
# variable it never exports fails, even when whoever runs the test has it
# set; one that runs tdg before its preamble's export is refused; and the
# preamble's /tmp/tdg/ folder is the test's own, shown back as /tmp/tdg/.
t_docs_empty_environment() {
    local d out
    d=$(mktemp -d "$TEST_ROOTS/tdg-test.XXXXXX")
    cat >"$d/exported.md" <<'EOF'
```console
$ export TDG_ROOT=/tmp/tdg/selftest TDG_SUBNET=10.77.0.0/24
$ ./day01/tdg run sh -c 'echo "state: $TDG_ROOT, marker: ${TDG_DOCS_MARKER:-unset}"'
state: /tmp/tdg/selftest, marker: unset
```
EOF
    cat >"$d/unexported.md" <<'EOF'
```console
$ export TDG_ROOT=/tmp/tdg/selftest TDG_SUBNET=10.77.0.0/24
$ echo "marker: ${TDG_DOCS_MARKER:-unset}"
marker: set by the caller
```
EOF
    cat >"$d/no-preamble.md" <<'EOF'
```console
$ ./day01/tdg run echo hello
hello
```
EOF
    cat >"$d/root-unset.md" <<'EOF'
```console
$ export TDG_SUBNET=10.77.0.0/24
$ echo "state: ${TDG_ROOT:-unset}"
state: /tmp/tdg/selftest
```
EOF
    out=$(TDG_DOCS_MARKER="set by the caller" check_doc "$d/exported.md") ||
        { echo "    a lesson that exports what it uses failed:"; echo "$out"; rm -rf "$d"; return 1; }
    if [[ -e /tmp/tdg/selftest ]]; then
        echo "    the lesson's /tmp/tdg/selftest was made on the host, not in the test's folder"
        rm -rf "$d"; return 1
    fi
    if out=$(TDG_DOCS_MARKER="set by the caller" check_doc "$d/unexported.md"); then
        echo "    a variable of the caller's environment reached the lesson:"; echo "$out"; rm -rf "$d"; return 1
    fi
    [[ "$out" == *'|marker: unset'* ]] ||
        { echo "    the failure does not show the unset variable:"; echo "$out"; rm -rf "$d"; return 1; }
    if out=$(TDG_ROOT=/tmp/tdg/selftest check_doc "$d/root-unset.md"); then
        echo "    the caller's TDG_ROOT reached a lesson that never exports it:"; echo "$out"; rm -rf "$d"; return 1
    fi
    if out=$(check_doc "$d/no-preamble.md"); then
        echo "    a lesson that runs tdg with no preamble passed:"; echo "$out"; rm -rf "$d"; return 1
    fi
    rm -rf "$d"
    [[ "$out" == *"runs tdg before the lesson exports TDG_ROOT and TDG_SUBNET"* ]] ||
        { echo "    the refusal does not name the preamble:"; echo "$out"; return 1; }
}

# A lesson's v1 and v2 forms of one command: only this host's version runs
# (the other is listed with its version), and a wrong line in this host's
# form fails; the same doc checked as the other version swaps the roles.
t_docs_cgroup_versions() {
    local d out here=$TDG_DOCS_CGROUP other
    [[ $here == v2 ]] && other=v1 || other=v2
    d=$(mktemp -d "$TEST_ROOTS/tdg-test.XXXXXX")
    cat >"$d/both.md" <<EOF
<!-- cgroup $here -->
\`\`\`console
$ echo this host
this host
\`\`\`

<!-- cgroup $other -->
\`\`\`console
$ echo the other host
not what it prints
\`\`\`
EOF
    out=$(check_doc "$d/both.md") || { echo "    this host's form failed:"; echo "$out"; rm -rf "$d"; return 1; }
    [[ "$out" == *"1 commands checked, 1 blocks not checked"* && "$out" == *"(cgroup $other: checked on a $other host"* ]] ||
        { echo "    wrong summary:"; echo "$out"; rm -rf "$d"; return 1; }
    if out=$(TDG_DOCS_CGROUP=$other check_doc "$d/both.md"); then
        echo "    as a $other host, the $other form's wrong line went unnoticed:"; echo "$out"; rm -rf "$d"; return 1
    fi
    printf '<!-- cgroup v3 -->\n```console\n$ true\n```\n' >"$d/v3.md"
    if out=$(check_doc "$d/v3.md"); then
        echo "    a cgroup v3 block passed the lint:"; echo "$out"; rm -rf "$d"; return 1
    fi
    rm -rf "$d"
}

# --- main ---------------------------------------------------------------------

pass=0 failed=0
if [[ "${1:-}" == t_* ]]; then
    "$1"
    exit
fi
docs=("$@")
selftest=0
if ((${#docs[@]} == 0)); then
    mapfile -t docs < <(default_docs)
    selftest=1
fi
for doc in "${docs[@]}"; do
    if head -1 "$doc" | grep -q '<!-- Fragment'; then
        echo "  skip  $doc: a fragment, checked once it is part of its lesson"
        continue
    fi
    if check_doc "$doc"; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
done
if ((selftest)); then
    for t in $(grep -oE '^t_[A-Za-z0-9_]+\(\)' "$0" | tr -d '()'); do
        if log=$("$t" 2>&1); then
            pass=$((pass + 1)); echo "  ok    docs/$t"
        else
            failed=$((failed + 1)); echo "  FAIL  docs/$t"; echo "$log"
        fi
    done
fi
[[ -z "${RESULTS:-}" ]] || echo "$pass $failed" >>"$RESULTS"
((failed == 0))
