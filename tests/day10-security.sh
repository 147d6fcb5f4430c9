#!/usr/bin/env bash
# Day 10 — security: a hostile container tries what a container's root must
# not be able to do (mount, load a module, write /proc/sys, read the kernel's
# memory or keys, gain a capability, make a user namespace) and fails each
# time; `tdg exec` gets the same walls; --privileged takes them all down and
# says so. Every container here is --net none.
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

run_tests "$@"
