/* exe.h — `tdg exec` runs from a sealed copy of itself.              (day 10)
 *
 * CVE-2019-5736 (runc): a process that runs the runtime's binary inside the
 * container gives the container's root a way to the host's file. The
 * container replaces a program of its own, say /bin/sh, with a script
 * "#!/proc/self/exe". When `exec` runs /bin/sh there, the kernel resolves
 * that interpreter in the execing process, which is still tdg: the host's
 * tdg binary runs inside the container, and another process of the
 * container opens it by /proc/PID/exe (the same capabilities, so allowed)
 * and keeps the fd. The file cannot be written while any process runs it
 * (ETXTBSY); but once none does, reopening the fd (/proc/self/fd/N) for
 * writing succeeds, and the next `tdg` a host admin runs is the
 * container's code, as root. While a container lives its watcher (or
 * foreground `tdg run`, or --init's PID 1) runs the binary it was started
 * with, so that one stays busy; a `tdg exec` from a rebuilt or copied
 * binary has no such guard (docs/security.md shows the attack working).
 *
 * runc's fix, and tdg's: before going near the container, copy the binary
 * into a memfd (an anonymous file in RAM), seal it against every write,
 * and re-exec from it. /proc/self/exe is then "/memfd:tdg (deleted)": the
 * host's file is out of reach, and the copy cannot be changed. */
#ifndef TDG_EXE_H
#define TDG_EXE_H

/* Re-exec ARGV from a sealed in-memory copy of /proc/self/exe, unless this
 * process already is one (then return 0). -1, with the failure recorded
 * (fail.h), if it cannot. */
int exe_reexec_sealed(char **argv);

#endif
