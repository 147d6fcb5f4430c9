/* syscalls.h — a seccomp filter: system calls a container never needs. (day 10)
 *
 * Capabilities say what root may do; seccomp says which system calls reach
 * the kernel at all. A filter is a small BPF program the kernel runs on
 * every system call of the process (and of all its children: it is
 * inherited across fork and exec and can never be removed). It sees the
 * call's number, its architecture and its six arguments (not what pointers
 * point to), and answers allow, an errno, or kill.
 *
 * Docker's default profile (moby profiles/seccomp/default_linux.go) is an
 * allowlist of about 350 calls; whatever is not on it fails with EPERM.
 * tdg does the reverse, which is shorter to read: allow by default and
 * deny, with EPERM, the calls that Docker's list leaves out or grants only
 * with a capability the container does not have (kernel modules, kexec,
 * reboot, mounts, keyrings, bpf, perf, the clock, swap, accounting,
 * quotas, file handles, raw I/O ports, userfaultfd, io_uring, new
 * namespaces). Most of these the dropped capabilities already refuse: the
 * filter is a second wall for when the kernel has a bug behind the first,
 * and it shrinks the kernel code a container can reach (bpf, perf_event,
 * io_uring and user namespaces need no capability at all and are where
 * many kernel exploits start). The filter comes from libseccomp, which
 * knows every architecture's syscall numbers and writes the BPF: at build
 * time (Makefile, build/gen/seccomp_bpf.h), not at every run. */
#ifndef TDG_SYSCALLS_H
#define TDG_SYSCALLS_H

/* Load the filter into this process (and so into all it starts). Needs
 * no_new_privs already set, or CAP_SYS_ADMIN. 0, or -1 with the failure
 * recorded (fail.h). */
int syscalls_filter(void);

/* The OCI runtime (day10-final/oci.c): the filter syscalls_filter() loads
 * in this process is PROFILE's, a bundle's linux.seccomp
 * (seccomp_profile.h), instead of the list above; NULL: the list again.
 * Only the program changes: security_join() still loads it last, after
 * no_new_privs and the capabilities. */
struct json_t;
void syscalls_use_profile(struct json_t *profile);

#endif
