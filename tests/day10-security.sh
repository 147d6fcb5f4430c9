#!/usr/bin/env bash
# Day 10 — security: a hostile container tries what a container's root must
# not be able to do (mount, load a module, write /proc/sys, read the kernel's
# memory or keys, gain a capability, make a user namespace) and fails each
# time; it looks for host processes and host files (/proc/1/root, chains
# of .., a search of its whole tree), tries a leaked fd and raising a
# capability, and finds nothing; the same attacks fail with --userns too;
# `tdg exec` gets the same walls; --privileged takes them all down and says
# so. Every container here is --net none.
source "$(dirname "$0")/lib.sh"

DOCKER_CAPS=00000000a80425fb # Docker's default 14 capabilities, as in /proc/PID/status

# sec CMD...: capture a container run with no network.
sec() { capture tdg_run --net none "$@"; }

# field NAME TEXT: the value of "NAME:" in a /proc/PID/status dump.
field() { awk -v k="$1:" '$1 == k {print $2}' <<<"$2"; }

t_mount_is_refused() {
    sec /bin/sh -c 'mount -t tmpfs none /mnt; echo "rc=$?"; grep -c " /mnt " /proc/mounts'
    expect_contains "$OUT" "rc=1" "mount's exit status"
    expect_contains "$ERR" "permission denied" "mount's error (EPERM)"
    expect_eq "$(tail -1 <<<"$OUT")" 0 "mounts on /mnt"
}

t_loading_a_module_is_refused() {
    # Not a real module: the kernel would reject its contents, but only
    # after the capability and seccomp checks, which come first.
    sec /bin/sh -c 'echo junk >/tmp/evil.ko; insmod /tmp/evil.ko'
    expect_ne "$RC" 0 "insmod's exit status"
    expect_contains "$ERR" "Operation not permitted" "insmod's error"
}

t_proc_sys_is_read_only_and_the_host_hostname_unchanged() {
    local before
    before=$(cat /proc/sys/kernel/hostname)
    sec /bin/sh -c 'echo pwned >/proc/sys/kernel/hostname; echo "rc=$?"; cat /proc/sys/kernel/hostname'
    expect_contains "$ERR" "Read-only file system" "the write's error"
    expect_contains "$OUT" "rc=1" "the write's exit status"
    expect_eq "$(cat /proc/sys/kernel/hostname)" "$before" "the host's hostname"
    expect_ne "$(tail -1 <<<"$OUT")" pwned "the hostname the container sees"
}

t_sysrq_trigger_is_read_only() {
    sec /bin/sh -c 'echo h >/proc/sysrq-trigger; echo "rc=$?"; grep " /proc/sysrq-trigger " /proc/mounts'
    expect_contains "$OUT" "rc=1" "the write's exit status"
    if [[ -e /proc/sysrq-trigger ]]; then
        expect_contains "$ERR" "Read-only file system" "the write's error"
        expect_contains "$OUT" "/proc/sysrq-trigger proc ro," "its mount"
    else # this kernel has no sysrq: then the container has none either
        expect_contains "$ERR" "nonexistent" "the write's error"
    fi
}

t_kernel_memory_and_timers_are_masked() {
    sec /bin/sh -c 'cat /proc/kcore | wc -c; cat /proc/timer_list | wc -c; ls /sys/firmware | wc -l'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 0 0 " "bytes of kcore, timer_list, entries in /sys/firmware"
    [[ -e /proc/kcore ]] || expect_contains "$ERR" "No such file" "cat /proc/kcore (this kernel has none)"
    (($(wc -c </proc/timer_list) > 0)) || fail "the host's /proc/timer_list is empty: the test proves nothing"
}

t_proc_keys_is_empty() {
    sec /bin/cat /proc/keys
    expect_eq "$RC" 0 "cat's exit status"
    expect_eq "$OUT" "" "/proc/keys in the container"
}

t_capabilities_are_dockers_default() {
    sec /bin/cat /proc/self/status
    local f
    for f in CapEff CapPrm CapBnd; do
        expect_eq "$(field $f "$OUT")" $DOCKER_CAPS "$f"
    done
    expect_eq "$(field CapInh "$OUT")" 0000000000000000 CapInh
    expect_eq "$(field CapAmb "$OUT")" 0000000000000000 CapAmb
    # A capability outside the set cannot be had: setting the clock needs
    # CAP_SYS_TIME.
    sec /bin/date -s 2001-01-01
    expect_contains "$ERR" "can't set date: Operation not permitted" "date -s's error"
}

# tdg has no device cgroup: a device node made inside would open the host's
# device (here: the host's virtual console). fifos stay allowed.
t_device_nodes_cannot_be_made() {
    sec /bin/sh -c 'mknod /tmp/console c 4 1; echo "c=$?"; mknod /tmp/disk b 254 0; echo "b=$?"; mkfifo /tmp/f; echo "p=$?"'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "c=1 b=1 p=0 " "exit statuses of mknod c, mknod b, mkfifo"
    expect_contains "$ERR" "mknod: /tmp/console: Operation not permitted" "mknod's error"
}

t_no_new_user_or_mount_namespace() {
    sec /bin/sh -c 'unshare -U /bin/true; echo "U=$?"; unshare -m /bin/true; echo "m=$?"'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "U=1 m=1 " "exit statuses of unshare -U, unshare -m"
    expect_contains "$ERR" "unshare(0x10000000): Operation not permitted" "unshare -U's error"
}

t_no_new_privs_is_set() {
    sec /bin/cat /proc/self/status
    expect_eq "$(field NoNewPrivs "$OUT")" 1 NoNewPrivs
}

t_seccomp_filter_is_loaded() {
    sec /bin/cat /proc/self/status
    expect_eq "$(field Seccomp "$OUT")" 2 "Seccomp (2: filter)"
}

t_only_fds_0_1_2_are_open() {
    # 3 is the directory ls itself opens to list.
    sec /bin/ls /proc/self/fd
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds in the container"
    tdg_run --net none -d --name fds /bin/sh -c 'ls /proc/self/fd; sleep 30' >/dev/null
    wait_for grep -q 3 "$TDG_ROOT/containers/$("$TDG" inspect fds | jq -r .id)/container.log"
    expect_eq "$("$TDG" logs fds | tr '\n' ' ')" "0 1 2 3 " "fds in a detached container"
    "$TDG" rm -f fds >/dev/null
}

# A foreground run hands the container the user's terminal: TIOCSTI would
# push characters into its input, to be run by the user's shell once the
# container exits. Also with the command's high 32 bits set (the kernel
# ignores them; a careless filter would not).
t_container_cannot_type_into_the_terminal() {
    cat >"$TDG_ROOT/sti.c" <<'EOF'
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
	char c = '#';
	syscall(SYS_ioctl, 0, TIOCSTI, &c);
	perror("TIOCSTI");
	syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c);
	perror("TIOCSTI+high");
	return 0;
}
EOF
    cc -static -o "$TDG_ROOT/sti" "$TDG_ROOT/sti.c" || fail "cannot build the attacker"
    local cmd
    printf -v cmd '%q ' "${RUN[@]}" --net none -v "$TDG_ROOT/sti:/sti:ro" /sti
    capture script -qec "$cmd" /dev/null
    expect_contains "$OUT" "TIOCSTI: Operation not permitted" "TIOCSTI on the terminal"
    expect_contains "$OUT" "TIOCSTI+high: Operation not permitted" "TIOCSTI with high bits"
}

# CVE-2024-21626 (runc): a host directory open as an fd in the runtime
# becomes the container's working directory through /proc/self/fd/N. Here
# the fd comes from the shell that starts tdg.
t_a_leaked_host_directory_fd_is_not_a_way_out() {
    capture bash -c 'exec 7</etc; "$@"' _ "${RUN[@]}" --net none -w /proc/self/fd/7 /bin/sh -c 'ls ../etc/passwd; ls /proc/self/fd'
    expect_not_contains "$OUT" "../etc/passwd" "what the container reached through fd 7"
    tdg_run --net none -d --name leak /bin/sleep 30 >/dev/null
    capture bash -c 'exec 7</; "$@"' _ "$TDG" exec leak /bin/ls /proc/self/fd
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds under exec, with fd 7 open in its caller"
    "$TDG" rm -f leak >/dev/null
}

t_exec_gets_the_same_walls() {
    tdg_run --net none -d --name walls /bin/sleep 30 >/dev/null
    capture "$TDG" exec walls /bin/cat /proc/self/status
    expect_eq "$(field CapEff "$OUT")" $DOCKER_CAPS "CapEff under exec"
    expect_eq "$(field CapBnd "$OUT")" $DOCKER_CAPS "CapBnd under exec"
    expect_eq "$(field NoNewPrivs "$OUT")" 1 "NoNewPrivs under exec"
    expect_eq "$(field Seccomp "$OUT")" 2 "Seccomp under exec"
    capture "$TDG" exec walls /bin/mount -t tmpfs none /mnt
    expect_ne "$RC" 0 "mount under exec"
    capture "$TDG" exec walls /bin/ls /proc/self/fd
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds under exec"
    "$TDG" stop -t 0 walls >/dev/null
    "$TDG" rm walls >/dev/null
}

t_privileged_takes_the_walls_down_and_warns() {
    local host_caps
    host_caps=$(field CapBnd "$(cat /proc/self/status)")
    sec --privileged /bin/sh -c 'cat /proc/self/status; mount -t tmpfs none /mnt && echo mounted'
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(field CapEff "$OUT")" "$host_caps" "CapEff (all the host's)"
    expect_eq "$(field Seccomp "$OUT")" 0 Seccomp
    expect_eq "$(field NoNewPrivs "$OUT")" 0 NoNewPrivs
    expect_eq "$(tail -1 <<<"$OUT")" mounted "mount"
    [[ "$ERR" == "tdg: warning: --privileged: "* && "$ERR" != *$'\n'* ]] ||
        fail "stderr should be one 'tdg: warning: --privileged: ...' line" "got: $ERR"
    # exec into a privileged container is privileged too.
    tdg_run --net none --privileged -d --name priv /bin/sleep 30 >/dev/null 2>&1
    capture "$TDG" exec priv /bin/cat /proc/self/status
    expect_eq "$(field CapEff "$OUT")" "$host_caps" "CapEff under exec --privileged"
    "$TDG" rm -f priv >/dev/null
}

t_init_binary_cannot_be_overwritten() {
    # With --init, PID 1 runs tdg's own binary: /proc/1/exe is the host's
    # tdg. It stays busy (ETXTBSY) for as long as PID 1, and so the
    # container, lives.
    local sum
    sum=$(sha256sum <"$TDG")
    tdg_run --net none -d --init --name guarded /bin/sleep 30 >/dev/null
    capture "$TDG" exec guarded /bin/sh -c 'echo evil >>/proc/1/exe; echo "rc=$?"; echo evil >/proc/1/exe'
    expect_eq "$OUT" "rc=1" "the append's exit status"
    expect_contains "$ERR" "Text file busy" "the write's error"
    expect_eq "$(sha256sum <"$TDG")" "$sum" "the host's tdg binary"
    "$TDG" rm -f guarded >/dev/null
}

# CVE-2019-5736, tried on tdg exec: the container turns a program of its own
# into "#!/proc/self/exe"; `tdg exec` running it makes the kernel run tdg's
# binary inside the container, where a waiting process grabs it by
# /proc/PID/exe and, once no process runs it, writes into it. exec is
# started from a copy of tdg that nothing else runs (as after a rebuild),
# so only the sealed in-memory copy stands between the attack and the file.
t_exec_binary_cannot_be_overwritten_cve_2019_5736() {
    cat >"$TDG_ROOT/grab.c" <<'EOF'
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static int before(time_t end) { return time(NULL) < end; }
int main(void)
{
	char path[64], link[256];
	int fd = -1;
	time_t end = time(NULL) + 8;
	while (fd < 0 && before(end)) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && fd < 0 && (e = readdir(d))) {
			snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
			ssize_t n = readlink(path, link, sizeof link - 1);
			if (n > 0 && (link[n] = 0, strstr(link, "tdg")))
				fd = open(path, O_PATH);
		}
		if (d) closedir(d);
	}
	if (fd < 0) { puts("nothing caught"); return 1; }
	printf("caught %s\n", link);
	fflush(stdout);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	for (end = time(NULL) + 3; before(end); usleep(1000)) {
		int w = open(path, O_WRONLY | O_APPEND);
		if (w >= 0 && write(w, "PWNED\n", 6) == 6) { puts("wrote"); return 0; }
		if (w >= 0) close(w);
	}
	puts("could not write");
	return 2;
}
EOF
    cc -static -O2 -o "$TDG_ROOT/grab" "$TDG_ROOT/grab.c" || fail "cannot build the attacker"
    cp "$TDG" "$TDG_ROOT/tdg-copy"
    local sum
    sum=$(sha256sum <"$TDG_ROOT/tdg-copy")
    tdg_run --net none -d --name victim -v "$TDG_ROOT/grab:/grab:ro" /bin/sh -c \
        'printf "#!/proc/self/exe\n" >/tmp/evil; chmod +x /tmp/evil; /grab; sleep 30' >/dev/null
    local id log i
    id=$("$TDG" inspect victim | jq -r .id)
    log="$TDG_ROOT/containers/$id/container.log"
    wait_for "$TDG" exec victim /usr/bin/test -x /tmp/evil 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        "$TDG_ROOT/tdg-copy" exec victim /tmp/evil >/dev/null 2>&1 || true
        grep -q caught "$log" && break
    done
    wait_for grep -qE "wrote|could not" "$log"
    expect_contains "$(cat "$log")" "caught /memfd:tdg" "what the container caught"
    expect_eq "$(sha256sum <"$TDG_ROOT/tdg-copy")" "$sum" "the host's tdg binary (the copy exec ran from)"
    "$TDG" rm -f victim >/dev/null
}

# ---- The hostile container: it looks for the host and tries to get out.
# Each helper takes the extra run flags (none, or --userns); the t_ functions
# below run them as they are and once more in a user namespace.

# The container's root must pass through $TDG_ROOT (0700 from mktemp) with
# --userns, like any other user.
hostile() { [[ " $* " != *" --userns "* ]] || chmod 711 "$TDG_ROOT"; sec "$@"; }

# A host process, and the container looking for it: only its own pids are
# there, its PID 1 is its own command, and the host's pid is nobody's.
h_host_processes_are_invisible() {
    start_bg /dev/null sleep 1234
    local host_pid=$BG_PID
    hostile "$@" /bin/sh -c ': probe; tr "\0" " " </proc/1/cmdline; echo;'\
' for d in /proc/[0-9]*; do cat "$d/comm"; done | sort -u | tr "\n" " "; echo;'\
' ls -d /proc/[0-9]* | wc -l; ps -o comm | grep -c sleep; kill -0 '"$host_pid"'; echo "kill=$?"'
    expect_contains "$(sed -n 1p <<<"$OUT")" "/bin/sh -c : probe; " "PID 1's command line (the container's command)"
    expect_not_contains "$(sed -n 2p <<<"$OUT")" sleep "the commands of the pids it sees"
    (($(sed -n 3p <<<"$OUT") <= 8)) || fail "pids it sees: $(sed -n 3p <<<"$OUT") (only its own few expected)"
    expect_eq "$(sed -n 4p <<<"$OUT")" 0 "sleep processes in ps"
    expect_contains "$OUT" "kill=1" "kill -0 of the host's pid $host_pid"
    alive "$host_pid" || fail "the host's sleep died"
}

# A host file, looked for by every path a container could try: its own
# /proc/1/root (PID 1 is its own, so that is its own root), /proc/self/root,
# cwd links, chains of .. from deep folders, /dev and /sys, and a search of
# the whole tree.
h_host_files_are_out_of_reach() {
    local marker
    marker=$(mktemp "$TDG_ROOT/tdg-hostile-XXXXXX")
    chmod 644 "$marker"
    echo host-marker >"$marker"
    hostile "$@" /bin/sh -c 'm='"$marker"'; n=${m##*/}
        mkdir -p /tmp/a/b/c/d && cd /tmp/a/b/c/d
        cd ../../../../../../../../..; pwd; ls | tr "\n" " "; echo
        [ "$(stat -c %d:%i /proc/1/root/)" = "$(stat -c %d:%i /)" ] && echo "proc1root=own"
        for p in "$m" "../../../../..$m" "/proc/1/root$m" "/proc/1/root/../../../..$m" \
                 "/proc/self/root/../..$m" "/proc/1/cwd/../../../..$m" "/dev/../../..$m" \
                 "/sys/../../..$m" "/proc/../../..$m" "/tmp/a/b/c/d/../../../../../../..$m"; do
            cat "$p" 2>/dev/null && echo "reached $p"
        done
        find / \( -path /proc -o -path /sys \) -prune -o -name "$n" -print'
    expect_eq "$RC" 0 "exit status"
    expect_eq "$(sed -n 1p <<<"$OUT")" / "pwd after cd ../../../../../../../../.."
    expect_eq "$(sed -n 2p <<<"$OUT")" "$(ls "$ROOTFS" | tr '\n' ' ')" "what is there (the rootfs)"
    expect_eq "$(sed -n 3p <<<"$OUT")" "proc1root=own" "/proc/1/root (the container's own /)"
    expect_not_contains "$OUT" host-marker "what the container read"
    expect_not_contains "$OUT" reached "paths that reached the host file"
    expect_not_contains "$OUT" tdg-hostile "what find found"
    [[ $(cat "$marker") == host-marker ]] || fail "the host file is gone"
}

# Capabilities cannot be raised: not into the inheritable set (capset) nor
# the ambient one (prctl) for one that is not in the bounding set, and
# CapEff stays Docker's.
h_capabilities_cannot_be_raised() {
    hostile "$@" /bin/sh -c 'setpriv --inh-caps +sys_admin /bin/true; echo "inh=$?"
        setpriv --ambient-caps +sys_admin grep -E "^Cap(Eff|Amb)" /proc/self/status
        setpriv --inh-caps +sys_admin --ambient-caps +sys_admin mount -t tmpfs none /mnt; echo "mount=$?"
        grep CapEff /proc/self/status'
    expect_contains "$OUT" "inh=1" "setpriv --inh-caps +sys_admin's exit status"
    expect_contains "$ERR" "capset: Operation not permitted" "setpriv's error"
    expect_eq "$(field CapAmb "$OUT")" 0000000000000000 "CapAmb after --ambient-caps +sys_admin"
    expect_eq "$(field CapEff "$OUT" | sort -u | tr '\n' ' ')" "$DOCKER_CAPS " "CapEff (all three)"
    expect_contains "$OUT" "mount=1" "mount after the attempts"
}

h_no_user_namespace_from_inside() {
    hostile "$@" /bin/sh -c 'unshare -U /bin/true; echo "U=$?"; unshare -Ur /bin/true; echo "Ur=$?"'
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "U=1 Ur=1 " "exit statuses of unshare -U, unshare -Ur"
}

h_leaked_fd_is_not_a_way_out() {
    [[ " $* " != *" --userns "* ]] || chmod 711 "$TDG_ROOT"
    capture bash -c 'exec 7</etc; "$@"' _ "${RUN[@]}" --net none "$@" -w /proc/self/fd/7 /bin/sh -c 'ls ../etc/passwd; ls /proc/self/fd'
    expect_not_contains "$OUT" "../etc/passwd" "what the container reached through fd 7"
    capture bash -c 'exec 7</; "$@"' _ "${RUN[@]}" --net none "$@" /bin/ls /proc/self/fd
    expect_eq "$(tr '\n' ' ' <<<"$OUT")" "0 1 2 3 " "fds in the container, with fd 7 open in tdg's caller"
}

t_host_processes_are_invisible() { h_host_processes_are_invisible; }
t_host_files_are_out_of_reach_via_proc_1_root_and_dot_dot() { h_host_files_are_out_of_reach; }
t_capabilities_cannot_be_raised() { h_capabilities_cannot_be_raised; }

# The same attacks on a container in a user namespace (run --userns).
t_hostile_with_userns_host_processes_are_invisible() { h_host_processes_are_invisible --userns; }
t_hostile_with_userns_host_files_are_out_of_reach() { h_host_files_are_out_of_reach --userns; }
t_hostile_with_userns_capabilities_cannot_be_raised() { h_capabilities_cannot_be_raised --userns; }
t_hostile_with_userns_no_user_namespace_from_inside() { h_no_user_namespace_from_inside --userns; }
t_hostile_with_userns_leaked_fd_is_not_a_way_out() { h_leaked_fd_is_not_a_way_out --userns; }
t_hostile_with_userns_mount_and_proc_sys_are_refused() {
    hostile --userns /bin/sh -c 'mount -t tmpfs none /mnt; echo "mount=$?"; echo x >/proc/sys/kernel/hostname; echo "sys=$?"; cat /proc/self/status'
    expect_contains "$OUT" "mount=1" "mount's exit status"
    expect_contains "$OUT" "sys=1" "the write to /proc/sys's exit status"
    expect_eq "$(field Seccomp "$OUT")" 2 Seccomp
    expect_eq "$(field NoNewPrivs "$OUT")" 1 NoNewPrivs
}

run_tests "$@"
