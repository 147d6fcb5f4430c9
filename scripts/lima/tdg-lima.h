/* tdg-lima.h — tdg on macOS: a front end that runs the Linux tdg in a Lima VM.
 *                                                          (day 10, macOS)
 *
 * Containers are a Linux kernel feature: macOS has no namespaces, cgroups
 * or overlayfs, so on a Mac tdg cannot run a container itself. Built there,
 * `make day10` makes day10-final/tdg from tdg-lima.c alone: a front end that
 * checks, in order, that `limactl` is installed, the instance (default
 * "tdg", env TDG_LIMA_INSTANCE) exists and runs, the Linux tdg for the VM's
 * architecture is built and visible in the VM, and every host path given
 * (--rootfs, -v) is in a folder the VM mounts; each failure is one line
 * naming the fix, exit 125. Then it runs the Linux tdg in the VM through
 * `limactl shell` with the same arguments (host paths made absolute and
 * translated to the VM's), the same terminal, the TDG_* variables and
 * each `-e KEY`'s host value, and returns its exit status.
 * `tdg setup lima` makes all of that true (docs/macos.md).
 *
 * Portable C (C11 + POSIX 2008, no Linux headers, no libraries), so that
 * it builds with macOS clang and can be tested on Linux against a stand-in
 * `limactl` (`make lima-frontend` builds build/tdg-lima; tests/day10-lima.sh).
 *
 * It lives here, next to the VM's template (tdg.yaml), not in common/: it is
 * a program of its own, not a mechanism the days share, and no day links it. */
#ifndef TDG_TDG_LIMA_H
#define TDG_TDG_LIMA_H

/* The whole front end: `tdg setup lima`, or preflight and dispatch of
 * any other tdg command line. Returns the exit status for main(). */
int lima_main(int argc, char **argv);

#endif
