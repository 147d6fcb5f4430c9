/* doctor.h — `tdg doctor`: can this host run tdg's containers?     (day 10)
 *
 * A container runtime leans on a dozen things a host may lack: root, each
 * kind of namespace, overlayfs, pivot_root, a cgroup layout with the
 * memory, cpu and pids controllers, iptables, IP forwarding, a writable
 * state folder, a rootfs. When one is missing, `tdg run` fails somewhere
 * deep with a kernel errno; doctor checks them all up front, each the way
 * the runtime uses it, and prints one line per check:
 *
 *   ok    pid namespace
 *   note  IP forwarding: off; tdg turns it on while bridged containers run
 *   FAIL  iptables: not found in PATH; install it: apt-get install iptables
 *
 * (note: worth knowing, not a problem; warn: something may not work; FAIL:
 * tdg cannot work, and what to do about it). The checks are real but leave
 * the host as it was: namespaces are unshared, overlayfs mounted and
 * pivot_root called in throwaway children, inside a mount namespace of
 * their own (the host's mount table never changes); cgroups are only read,
 * iptables only lists. The host-problem errors of day 10's other commands
 * end with "'tdg doctor' checks this host" (fail_host) to lead here. */
#ifndef TDG_DOCTOR_H
#define TDG_DOCTOR_H

/* `tdg doctor [--rootfs DIR]`: ARGV[0] is "doctor". CGROUP_ROOT is where
 * the cgroup filesystem is expected (the day's TDG_CGROUP_ROOT override).
 * Prints the report on stdout and returns 0 if no check failed (notes and
 * warnings allowed); otherwise -1 with the failure recorded (fail.h): one
 * line counting the failures, or what is wrong with the command line. */
int doctor_main(int argc, char **argv, const char *cgroup_root);

#endif
